/* cmark-floor: the "raw libcmark" floor of the benchmark (issue 6). Reads every *.md file
 * under DIR, skips its front matter, and renders the body with cmark_markdown_to_html
 * (the options policygen uses: CMARK_OPT_DEFAULT | CMARK_OPT_SMART), discarding the HTML.
 * Nothing else: no templates, no writing, so no generator can do the same Markdown work
 * in less time.
 *
 *   cmark-floor [-j JOBS] DIR
 *
 * With -j 2 (up to 64) the sorted file list is split between that many forked worker
 * processes (file i goes to worker i % JOBS), the way a generator using every core would.
 * Prints one line to standard output: files, Markdown bytes in, HTML bytes out, seconds
 * (measured inside, after the file list is made) and MB/s. Exits 1 with a message on
 * standard error when a file cannot be read or rendered.
 */
#include <cmark.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_JOBS 64

struct list {
	char **path;
	size_t n, cap;
};

/* What one worker did; sent to the parent through a pipe. */
struct tally {
	uint64_t files, in, out;
};

static int list_add(struct list *l, const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p == NULL)
		return -1;
	snprintf(p, n, "%s/%s", dir, name);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		char **np = realloc(l->path, cap * sizeof *np);
		if (np == NULL) {
			free(p);
			return -1;
		}
		l->path = np;
		l->cap = cap;
	}
	l->path[l->n++] = p;
	return 0;
}

/* Adds every *.md file under dir (recursively, skipping names starting with '.'). */
static int walk(struct list *l, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (d == NULL) {
		fprintf(stderr, "cmark-floor: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while (rc == 0 && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		struct stat st;
		char *path;
		if (e->d_name[0] == '.')
			continue;
		if ((path = malloc(strlen(dir) + n + 2)) == NULL) {
			rc = -1;
			break;
		}
		sprintf(path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) < 0) {
			fprintf(stderr, "cmark-floor: %s: %s\n", path, strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode))
			rc = walk(l, path);
		else if (S_ISREG(st.st_mode) && n > 3 && strcmp(e->d_name + n - 3, ".md") == 0)
			rc = list_add(l, dir, e->d_name);
		free(path);
	}
	closedir(d);
	return rc;
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads path whole into *buf (grown as needed). Returns its length, or -1. */
static long read_file(const char *path, char **buf, size_t *cap)
{
	FILE *f = fopen(path, "rb");
	size_t len = 0, n;

	if (f == NULL)
		return -1;
	for (;;) {
		if (*cap - len < 65536) {
			char *nb = realloc(*buf, *cap * 2 + 65536);
			if (nb == NULL) {
				fclose(f);
				return -1;
			}
			*buf = nb;
			*cap = *cap * 2 + 65536;
		}
		n = fread(*buf + len, 1, *cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return (long)len;
}

/* The body: what follows a closing "---" line when the file starts with "---". */
static const char *skip_front_matter(const char *text, size_t len, size_t *body_len)
{
	const char *p = text, *end = text + len;

	if (len >= 4 && memcmp(text, "---\n", 4) == 0) {
		for (p = text + 4; p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *next = nl ? nl + 1 : end;
			if (next - p >= 3 && memcmp(p, "---", 3) == 0 &&
			    (next - p == 3 || p[3] == '\n' || p[3] == '\r')) {
				p = next;
				break;
			}
			p = next;
		}
	}
	*body_len = (size_t)(end - p);
	return p;
}

/* Renders files first, first + step, ... Returns 0 or -1 after a message. */
static int render(const struct list *l, size_t first, size_t step, struct tally *t)
{
	char *buf = NULL;
	size_t cap = 0, i;

	for (i = first; i < l->n; i += step) {
		size_t body_len;
		const char *body;
		char *html;
		long len = read_file(l->path[i], &buf, &cap);
		if (len < 0) {
			fprintf(stderr, "cmark-floor: %s: cannot read: %s\n", l->path[i],
			        strerror(errno));
			free(buf);
			return -1;
		}
		body = skip_front_matter(buf, (size_t)len, &body_len);
		html = cmark_markdown_to_html(body, body_len, CMARK_OPT_DEFAULT | CMARK_OPT_SMART);
		if (html == NULL) {
			fprintf(stderr, "cmark-floor: %s: cannot render\n", l->path[i]);
			free(buf);
			return -1;
		}
		t->files++;
		t->in += body_len;
		t->out += strlen(html);
		free(html);
	}
	free(buf);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char *argv[])
{
	struct list l = {NULL, 0, 0};
	struct tally total = {0, 0, 0};
	pid_t pids[MAX_JOBS];
	int fds[MAX_JOBS];
	long jobs = 1;
	const char *dir;
	double t0, secs;
	int status = 0, j;
	size_t i;

	if (argc == 4 && strcmp(argv[1], "-j") == 0) {
		char *end;
		jobs = strtol(argv[2], &end, 10);
		if (*end || jobs < 1 || jobs > MAX_JOBS) {
			fprintf(stderr, "cmark-floor: -j takes 1 to %d\n", MAX_JOBS);
			return 2;
		}
		dir = argv[3];
	} else if (argc == 2 && argv[1][0] != '-')
		dir = argv[1];
	else {
		fputs("usage: cmark-floor [-j JOBS] DIR\n", stderr);
		return 2;
	}
	if (walk(&l, dir) < 0)
		return 1;
	if (l.n == 0) {
		fprintf(stderr, "cmark-floor: no .md files under %s\n", dir);
		return 1;
	}
	qsort(l.path, l.n, sizeof *l.path, path_cmp);
	t0 = now();
	if (jobs == 1) {
		if (render(&l, 0, 1, &total) < 0)
			return 1;
	} else {
		for (j = 0; j < jobs; j++) {
			int p[2];
			if (pipe(p) < 0 || (pids[j] = fork()) < 0) {
				fprintf(stderr, "cmark-floor: cannot start a worker: %s\n",
				        strerror(errno));
				return 1;
			}
			if (pids[j] == 0) {
				struct tally t = {0, 0, 0};
				close(p[0]);
				if (render(&l, (size_t)j, (size_t)jobs, &t) < 0)
					_exit(1);
				_exit(write(p[1], &t, sizeof t) == (ssize_t)sizeof t ? 0 : 1);
			}
			close(p[1]);
			fds[j] = p[0];
		}
		for (j = 0; j < jobs; j++) {
			struct tally t;
			int ws;
			if (read(fds[j], &t, sizeof t) == (ssize_t)sizeof t) {
				total.files += t.files;
				total.in += t.in;
				total.out += t.out;
			}
			close(fds[j]);
			if (waitpid(pids[j], &ws, 0) < 0 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
				status = 1;
		}
		if (status) {
			fputs("cmark-floor: a worker failed\n", stderr);
			return 1;
		}
	}
	secs = now() - t0;
	printf("%llu files, %llu Markdown bytes, %llu HTML bytes, %ld process%s, %.3f s, "
	       "%.1f MB/s\n",
	       (unsigned long long)total.files, (unsigned long long)total.in,
	       (unsigned long long)total.out, jobs, jobs == 1 ? "" : "es", secs,
	       secs > 0 ? (double)total.in / secs / 1e6 : 0.0);
	for (i = 0; i < l.n; i++)
		free(l.path[i]);
	free(l.path);
	return 0;
}
