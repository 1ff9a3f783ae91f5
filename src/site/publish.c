#define _GNU_SOURCE /* mkdtemp, O_CLOEXEC, pipe2 */
#include "publish.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "content.h"
#include "diff.h"
#include "resident.h"
#include "site.h"
#include "utf8.h"
#include "wire.h"

#define PUBLISH_MAX_LINE 2000 /* bytes in a one-line field, as content's scalar bound */
#define PUBLISH_MAX_OUTPUT (4 * 1024 * 1024) /* bytes kept of a child's output */
#define PUBLISH_BUILD_SECONDS 300

/* One request being answered. */
struct rq {
	const struct publish_opts *o;
	const struct wire_msg *m;
	struct arena *a;
	struct buf *ans; /* the answer's fields, after its verb */
	struct date today;
	int invalid; /* an error field was added */
};

static const char *get(const struct rq *q, const char *name)
{
	const char *v = wire_get(q->m, name);

	return v ? v : "";
}

static void field_error(struct rq *q, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void field_error(struct rq *q, const char *field, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	buf_printf(&b, "%s\t", field);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	wire_put(q->ans, "error", b.data ? b.data : "", b.len);
	buf_free(&b);
	q->invalid = 1;
}

static int valid_slug(const char *slug)
{
	const char *p;

	for (p = slug; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
	return p != slug && slug[0] != '-' && p - slug <= 100;
}

/* --- Files --- */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names (not starting '.') in dir, in a; the count, or -1 (errno). */
static int list_names(const char *dir, struct arena *a, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0, cap = 32;
	char **v = arena_alloc(a, cap * sizeof *v);

	if (d == NULL)
		return -1;
	while (v && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **w = arena_alloc(a, 2 * cap * sizeof *w);
			if (w)
				memcpy(w, v, cap * sizeof *w);
			v = w;
			cap *= 2;
		}
		if (v)
			v[n++] = arena_strdup(a, e->d_name);
	}
	closedir(d);
	if (v == NULL || !arena_ok(a)) {
		errno = ENOMEM;
		return -1;
	}
	qsort(v, n, sizeof *v, name_cmp);
	*out = v;
	return (int)n;
}

/* The policy folder's state: SHA-256 (hex) of its file names and contents in name order;
 * "none" when the folder does not exist. Returns 0 or -1. */
static int folder_base(struct rq *q, const char *dir, char hex[65])
{
	crypto_hash_sha256_state h;
	unsigned char sum[32];
	char **names;
	int n, i;

	if ((n = list_names(dir, q->a, &names)) < 0) {
		if (errno == ENOENT) {
			strcpy(hex, "none");
			return 0;
		}
		return -1;
	}
	crypto_hash_sha256_init(&h);
	for (i = 0; i < n; i++) {
		struct buf b = BUF_INIT;
		char len[32];
		if (buf_read_file(&b, arena_printf(q->a, "%s/%s", dir, names[i])) < 0) {
			buf_free(&b);
			return -1;
		}
		snprintf(len, sizeof len, " %zu\n", b.len);
		crypto_hash_sha256_update(&h, (const unsigned char *)names[i], strlen(names[i]));
		crypto_hash_sha256_update(&h, (const unsigned char *)len, strlen(len));
		crypto_hash_sha256_update(&h, (const unsigned char *)buf_str(&b), b.len);
		buf_free(&b);
	}
	crypto_hash_sha256_final(&h, sum);
	sodium_bin2hex(hex, 65, sum, sizeof sum);
	return 0;
}

static void sha256_hex(const char *p, size_t n, char hex[65])
{
	unsigned char sum[32];

	crypto_hash_sha256(sum, (const unsigned char *)p, n);
	sodium_bin2hex(hex, 65, sum, sizeof sum);
}

/* Creates path with data, never replacing a file: written to a temporary name beside it,
 * synced, then linked into place (EEXIST when path exists) and the folder synced.
 * replace 1 renames over path instead (a re-adoption). Returns 0 or -1 (errno). */
static int write_new(struct arena *a, const char *path, const char *data, size_t n, int replace)
{
	const char *slash = strrchr(path, '/');
	const char *dir = slash ? arena_strndup(a, path, (size_t)(slash - path)) : ".";
	const char *tmp =
	    arena_printf(a, "%s/.%s.tmp%ld", dir, slash ? slash + 1 : path, (long)getpid());
	int fd, dfd, e;
	size_t off = 0;

	if (dir == NULL || tmp == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		return -1;
	while (off < n) {
		ssize_t w = write(fd, data + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (replace ? rename(tmp, path) < 0 : link(tmp, path) < 0)
		goto fail;
	if (!replace)
		unlink(tmp);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = e;
	return -1;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tree(const char *dir)
{
	if (dir)
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* --- Child processes --- */

/* Runs argv[0] (a path) with standard input from in_path (NULL: /dev/null) and standard
 * output (and, with both, standard error) into out, at most PUBLISH_MAX_OUTPUT bytes, for
 * at most seconds. Returns the exit status, or -1 with a sentence in err (a time-out
 * kills the child). */
static int run(char *const argv[], const char *in_path, int both, int seconds, struct buf *out,
               struct buf *err)
{
	int p[2], in, status = 0;
	pid_t pid;
	time_t deadline = time(NULL) + seconds;
	char chunk[65536];

	if (pipe2(p, O_CLOEXEC) < 0) {
		buf_printf(err, "cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) < 0) {
		buf_printf(err, "cannot start %s: %s", argv[0], strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		struct rlimit cpu = {(rlim_t)seconds, (rlim_t)seconds + 1};
		in = open(in_path ? in_path : "/dev/null", O_RDONLY);
		if (in < 0 || dup2(in, 0) < 0 || dup2(p[1], 1) < 0 || (both && dup2(p[1], 2) < 0))
			_exit(126);
		setrlimit(RLIMIT_CPU, &cpu);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pfd = {p[0], POLLIN, 0};
		long left = (long)(deadline - time(NULL));
		ssize_t n;
		int rc;
		if (left <= 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			close(p[0]);
			buf_printf(err, "%s took longer than %d seconds and was stopped", argv[0],
			           seconds);
			return -1;
		}
		rc = poll(&pfd, 1, (int)(left * 1000));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			continue;
		n = read(p[0], chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len + (size_t)n <= PUBLISH_MAX_OUTPUT)
			buf_put(out, chunk, (size_t)n);
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		buf_printf(err, "%s stopped by signal %d", argv[0], WTERMSIG(status));
		return -1;
	}
	return WEXITSTATUS(status);
}

/* The resident builder (resident.h) the helper keeps from its first publish on: the
 * content stays loaded, inotify says what changed since (a publish, or files saved by
 * hand), and a publish rebuilds in milliseconds what a one-shot build takes a second or
 * more to find. NULL before the first publish, or for good when it could not start (the
 * inotify limit, say): then `policygen build` runs as a program, as before. */
static struct resident *resident;
static int resident_failed;

/* Rebuilds through the resident builder. Returns 1 when built, 0 when not (the reason in
 * log), -1 when the resident builder cannot be used. */
static int rebuild_resident(struct rq *q, struct buf *log)
{
	struct resident_opts ro = {q->o->content, q->o->templates, q->o->out, q->o->portal,
	                           q->o->state, q->o->today, q->o->today.y != 0};
	struct site_stats st;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (resident_failed)
		return -1;
	if (resident == NULL &&
	    ((resident = resident_new(&ro)) == NULL || resident_watch_start(resident) < 0))
		goto fail;
	if (resident_catch_up(resident) < 0 || (f = open_memstream(&text, &len)) == NULL)
		goto fail;
	resident_log(resident, f);
	rc = resident_rebuild(resident, &st);
	resident_log(resident, NULL);
	fclose(f);
	buf_put(log, text ? text : "", len);
	free(text);
	if (rc == 0)
		buf_printf(log, "policygen: %zu policies, %zu rebuilt; %zu files in %s and %s: %zu "
		           "written, %zu unchanged\n", st.policies_built + st.policies_unchanged,
		           st.policies_built, st.pages, q->o->out, q->o->portal, st.written,
		           st.unchanged);
	return rc == 0;
fail:
	fprintf(stderr, "policygen serve: publishing runs policygen build instead of the resident "
	                "builder (above)\n");
	resident_free(resident);
	resident = NULL;
	resident_failed = 1;
	return -1;
}

/* Rebuilds the site after a publish: through the resident builder, or by running
 * `policygen build` (this program) as the command line does. Either way only what changed
 * is rebuilt. Adds "built" (1 or 0) and "build_log". */
static void rebuild(struct rq *q)
{
	/* This very program, even if its file was replaced since it started. */
	char self[] = "/proc/self/exe";
	char today[11];
	char *argv[16];
	struct buf out = BUF_INIT, err = BUF_INIT;
	int i = 0, rc;

	if ((rc = rebuild_resident(q, &out)) >= 0) {
		wire_puts(q->ans, "built", rc ? "1" : "0");
		wire_put(q->ans, "build_log", buf_str(&out), out.len);
		if (!rc)
			fprintf(stderr, "policygen serve: the build after publishing failed: %s\n",
			        buf_str(&out));
		buf_free(&out);
		return;
	}
	buf_reset(&out);
	snprintf(today, sizeof today, "%04d-%02d-%02d", q->today.y, q->today.m, q->today.d);
	argv[i++] = self;
	argv[i++] = "build";
	argv[i++] = "--content";
	argv[i++] = (char *)q->o->content;
	argv[i++] = "--templates";
	argv[i++] = (char *)q->o->templates;
	argv[i++] = "--out";
	argv[i++] = (char *)q->o->out;
	argv[i++] = "--portal";
	argv[i++] = (char *)q->o->portal;
	argv[i++] = "--state";
	argv[i++] = (char *)q->o->state;
	argv[i++] = "--today";
	argv[i++] = today;
	argv[i] = NULL;
	rc = run(argv, NULL, 1, PUBLISH_BUILD_SECONDS, &out, &err);
	wire_puts(q->ans, "built", rc == 0 ? "1" : "0");
	if (err.len)
		buf_put(&out, err.data, err.len);
	wire_put(q->ans, "build_log", buf_str(&out), out.len);
	if (rc != 0)
		fprintf(stderr, "policygen serve: the build after publishing failed: %s\n",
		        buf_str(&out));
	buf_free(&out);
	buf_free(&err);
}

/* --- Drafts --- */

enum dfield {
	D_TITLE,
	D_REVIEW,
	D_APPROVED_BY,
	D_APPROVED_ON,
	D_MINUTE,
	D_OWNER,
	D_AUDIENCE,
	D_REVIEW_FREQUENCY,
	D_EFFECTIVE,
	D_SUMMARY,
	D_DECLARATION,
	D_RESIGN,
	D_CHANGES,
	D__MAX
};

static const struct {
	const char *name;
	int shared;   /* written in the default-language file only */
	int required; /* must not be empty */
} dfields[D__MAX] = {
    [D_TITLE] = {"title", 0, 1},
    [D_REVIEW] = {"review", 1, 1},
    [D_APPROVED_BY] = {"approved_by", 1, 0},
    [D_APPROVED_ON] = {"approved_on", 1, 0},
    [D_MINUTE] = {"minute", 1, 0},
    [D_OWNER] = {"owner", 1, 0},
    [D_AUDIENCE] = {"audience", 1, 0},
    [D_REVIEW_FREQUENCY] = {"review_frequency", 1, 0},
    [D_EFFECTIVE] = {"effective", 1, 0},
    [D_SUMMARY] = {"summary", 0, 0},
    [D_DECLARATION] = {"declaration", 0, 0},
    [D_RESIGN] = {"resign", 1, 0},
    [D_CHANGES] = {"changes", 0, 0},
};

struct draft {
	const char *slug, *lang, *date;
	int li, is_new;
	const char *v[D__MAX];
	const char *body;
	size_t body_len;
	int line[D__MAX]; /* where each field was written, 0 when not */
	const char *file; /* <date>.<lang>.md */
};

/* Double-quoted YAML for a one-line value. */
static void yaml_quoted(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

/* The file's text: front matter then body, lines noted in d->line. */
static void draft_text(struct draft *d, struct buf *b)
{
	int line = 2, i;
	const char *p;

	buf_puts(b, "---\n");
	for (i = 0; i < D__MAX; i++) {
		const char *v = d->v[i];
		if (v == NULL || v[0] == '\0' || (dfields[i].shared && d->li != 0))
			continue;
		if (i == D_EFFECTIVE && strcmp(v, d->date) == 0)
			continue;
		if (i == D_RESIGN) {
			if (strcmp(v, "1") != 0)
				continue;
			buf_puts(b, "resign: true\n");
		} else if (i == D_AUDIENCE) {
			const char *s = v, *comma;
			int first = 1;
			buf_puts(b, "audience: [");
			do {
				const char *e;
				comma = strchr(s, ',');
				e = comma ? comma : s + strlen(s);
				while (s < e && *s == ' ')
					s++;
				while (e > s && e[-1] == ' ')
					e--;
				if (e > s) {
					char item[PUBLISH_MAX_LINE + 1];
					snprintf(item, sizeof item, "%.*s", (int)(e - s), s);
					buf_puts(b, first ? "" : ", ");
					yaml_quoted(b, item);
					first = 0;
				}
				s = comma ? comma + 1 : s;
			} while (comma);
			buf_puts(b, "]\n");
		} else {
			buf_printf(b, "%s: ", dfields[i].name);
			yaml_quoted(b, v);
			buf_putc(b, '\n');
		}
		d->line[i] = line++;
	}
	buf_puts(b, "---\n");
	/* The body with CRLF as LF, ending in a newline. */
	for (p = d->body; p < d->body + d->body_len; p++)
		if (!(*p == '\r' && p + 1 < d->body + d->body_len && p[1] == '\n'))
			buf_putc(b, *p);
	if (d->body_len && d->body[d->body_len - 1] != '\n')
		buf_putc(b, '\n');
}

static int one_line_ok(const char *v)
{
	const unsigned char *p;

	if (!utf8_valid(v, strlen(v)) || strlen(v) > PUBLISH_MAX_LINE)
		return 0;
	for (p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* Reads and checks the draft's fields from the request; errors as error fields. */
static void draft_read(struct rq *q, const struct content *s, struct draft *d)
{
	struct date dt;
	struct date_error de;
	size_t n;
	int i;

	memset(d, 0, sizeof *d);
	d->slug = get(q, "slug");
	d->lang = get(q, "lang");
	d->is_new = strcmp(get(q, "new"), "1") == 0;
	d->date = get(q, "date");
	if (d->date[0] == '\0')
		d->date = arena_printf(q->a, "%04d-%02d-%02d", q->today.y, q->today.m, q->today.d);
	if (!valid_slug(d->slug))
		field_error(q, "slug",
		            "the address uses only a-z, 0-9 and '-', such as "
		            "code-of-conduct (at most 100)");
	else if (d->is_new && strcmp(d->slug, "new") == 0)
		field_error(q, "slug",
		            "'new' is kept for the office's own page: choose another address");
	if ((d->li = content_lang(s, d->lang)) < 0) {
		field_error(q, "lang", "the language is not one of the site's languages");
		d->li = 0;
	}
	if (strlen(d->date) != 10 || date_parse(&dt, d->date, &de) < 0)
		field_error(q, "date", "version date \"%s\": give the date as YYYY-MM-DD", d->date);
	for (i = 0; i < D__MAX; i++) {
		const char *v = wire_get(q->m, dfields[i].name);
		d->v[i] = v ? v : "";
		if (!one_line_ok(d->v[i]))
			field_error(q, dfields[i].name,
			            "%s must be one line of text (at most %d bytes)",
			            dfields[i].name, PUBLISH_MAX_LINE);
		else if (dfields[i].required && d->v[i][0] == '\0' &&
		         (d->li == 0 || !dfields[i].shared))
			field_error(q, dfields[i].name, "%s is needed", dfields[i].name);
	}
	d->body = wire_getn(q->m, "body", &n);
	d->body_len = d->body ? n : 0;
	if (d->body == NULL)
		d->body = "";
	if (d->body_len > PUBLISH_MAX_BODY)
		field_error(q, "body", "the text is longer than %d KB", PUBLISH_MAX_BODY / 1024);
	else if (!utf8_valid(d->body, d->body_len) || memchr(d->body, '\0', d->body_len))
		field_error(q, "body", "the text is not valid UTF-8");
	else if (d->body_len == 0 || strspn(d->body, " \t\r\n") == d->body_len)
		field_error(q, "body", "the text is empty");
	d->file = arena_printf(q->a, "%s.%s.md", d->date, d->lang);
}

/* The field a diagnostic at line of the draft file is about. */
static const char *field_at(const struct draft *d, int line)
{
	int i;

	for (i = 0; i < D__MAX; i++)
		if (d->line[i] && d->line[i] == line)
			return dfields[i].name;
	return "";
}

/* --- Preview and check: the draft among the policy's files in a scratch content tree --- */

struct scratch {
	char *dir;        /* the scratch folder, removed by scratch_free */
	const char *pdir; /* its policies/<slug> */
	const char *path; /* the draft's file there */
	struct content *site;
};

static void scratch_free(struct scratch *x)
{
	content_free(x->site);
	remove_tree(x->dir);
	free(x->dir);
	memset(x, 0, sizeof *x);
}

/* Copies the ordinary file from into the new file to (content is never read through a
 * link, so the scratch tree holds copies). Returns 0, or -1 with errno set. */
static int copy_in(struct rq *q, const char *from, const char *to)
{
	struct buf b = BUF_INIT;
	char why[256];
	int rc = -1;

	if (buf_read_regular(from, SETTINGS_MAX_FILE, &b, why, sizeof why) == 0)
		rc = write_new(q->a, to, buf_str(&b), b.len, 0) < 0 ? -1 : 0;
	buf_free(&b);
	return rc;
}

/* Makes content/ in a scratch folder from copies of site.yaml, i18n and the policy's
 * files, with text as the file name (replacing any link of that name), and loads it as of
 * today (or the draft's effective date when later, so that a scheduled version is shown
 * as it will be). Returns 0, or -1 with a message in err. */
static int scratch_make(struct rq *q, struct scratch *x, const char *slug, const char *name,
                        const struct buf *text, const struct date *when, struct buf *err)
{
	const char *tmp = getenv("TMPDIR");
	char real[PATH_MAX], **names;
	const char *pdir_real;
	int n, i;

	memset(x, 0, sizeof *x);
	if (realpath(q->o->content, real) == NULL) {
		buf_printf(err, "%s: %s", q->o->content, strerror(errno));
		return -1;
	}
	x->dir =
	    strdup(arena_printf(q->a, "%s/policygen-draft-XXXXXX", tmp && *tmp ? tmp : "/tmp"));
	if (x->dir == NULL || mkdtemp(x->dir) == NULL) {
		buf_printf(err, "cannot make a scratch folder: %s", strerror(errno));
		free(x->dir);
		x->dir = NULL;
		return -1;
	}
	x->pdir = arena_printf(q->a, "%s/policies/%s", x->dir, slug);
	x->path = arena_printf(q->a, "%s/%s", x->pdir, name);
	pdir_real = arena_printf(q->a, "%s/policies/%s", real, slug);
	if (copy_in(q, arena_printf(q->a, "%s/site.yaml", real),
	            arena_printf(q->a, "%s/site.yaml", x->dir)) < 0 ||
	    mkdir(arena_printf(q->a, "%s/i18n", x->dir), 0700) < 0 ||
	    mkdir(arena_printf(q->a, "%s/policies", x->dir), 0700) < 0 || mkdir(x->pdir, 0700) < 0)
		goto fail;
	n = list_names(arena_printf(q->a, "%s/i18n", real), q->a, &names);
	for (i = 0; i < n; i++)
		if (copy_in(q, arena_printf(q->a, "%s/i18n/%s", real, names[i]),
		            arena_printf(q->a, "%s/i18n/%s", x->dir, names[i])) < 0)
			goto fail;
	n = list_names(pdir_real, q->a, &names);
	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) != 0 &&
		    copy_in(q, arena_printf(q->a, "%s/%s", pdir_real, names[i]),
		            arena_printf(q->a, "%s/%s", x->pdir, names[i])) < 0)
			goto fail;
	if (write_new(q->a, x->path, buf_str(text), text->len, 0) < 0)
		goto fail;
	if ((x->site = content_load(x->dir, when)) == NULL) {
		buf_puts(err, "out of memory");
		scratch_free(x);
		return -1;
	}
	return 0;
fail:
	buf_printf(err, "cannot prepare the preview: %s", strerror(errno));
	scratch_free(x);
	return -1;
}

/* msg with the scratch folder's path written as the content folder's. */
static const char *unscratch(struct rq *q, const struct scratch *x, const char *msg)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(x->dir);
	const char *p = msg, *hit, *out;

	while ((hit = strstr(p, x->dir)) != NULL) {
		buf_put(&b, p, (size_t)(hit - p));
		buf_puts(&b, q->o->content);
		p = hit + n;
	}
	buf_puts(&b, p);
	out = arena_strdup(q->a, buf_str(&b));
	buf_free(&b);
	return out ? out : msg;
}

/* Reports the scratch site's problems with the draft (error/warning fields with the
 * form's field names) and with the policy's other files. Returns the number of errors. */
static size_t scratch_report(struct rq *q, const struct scratch *x, const struct draft *d)
{
	const struct diag *g;
	size_t errors = 0;
	size_t plen = strlen(x->pdir);

	for (g = x->site->diags; g; g = g->next) {
		int mine = strcmp(g->path, x->path) == 0;
		int policy = strncmp(g->path, x->pdir, plen) == 0 &&
		             (g->path[plen] == '/' || g->path[plen] == '\0');
		const char *field = mine && d ? field_at(d, g->line) : "";
		struct buf b = BUF_INIT;
		if (!policy && g->level != DIAG_ERROR)
			continue;
		/* the path is the scratch folder's: name only the file */
		if (!mine)
			buf_printf(&b, "%s\t%s: %s", "",
			           strrchr(g->path, '/') ? strrchr(g->path, '/') + 1 : g->path,
			           unscratch(q, x, g->msg));
		else
			buf_printf(&b, "%s\t%s", field, unscratch(q, x, g->msg));
		wire_put(q->ans, g->level == DIAG_ERROR ? "error" : "warning", buf_str(&b), b.len);
		buf_free(&b);
		errors += g->level == DIAG_ERROR;
	}
	if (errors)
		q->invalid = 1;
	return errors;
}

/* Adds the built pages of version iso in lang as "page" and "changes". */
static int scratch_pages(struct rq *q, const struct scratch *x, const char *slug, const char *lang,
                         const char *iso, struct buf *err)
{
	const char *out = arena_printf(q->a, "%s/out", x->dir);
	const struct site_dirs dirs = {q->o->templates, out, arena_printf(q->a, "%s/portal", x->dir),
	                               arena_printf(q->a, "%s/state", x->dir)};
	struct site_stats st;
	struct buf page = BUF_INIT;

	if (site_build(x->site, &dirs, &st, err) < 0)
		return -1;
	if (buf_read_file(&page, arena_printf(q->a, "%s/%s/policies/%s/%s/index.html", out, lang,
	                                      slug, iso)) == 0)
		wire_put(q->ans, "page", buf_str(&page), page.len);
	buf_reset(&page);
	if (buf_read_file(&page, arena_printf(q->a, "%s/%s/policies/%s/%s/changes/index.html", out,
	                                      lang, slug, iso)) == 0)
		wire_put(q->ans, "changes", buf_str(&page), page.len);
	buf_free(&page);
	return 0;
}

/* --- Verbs --- */

static const struct policy *find_policy(const struct content *s, const char *slug);

static struct content *load(struct rq *q)
{
	return content_load(q->o->content, &q->today);
}

static const char *lang_status(const struct policy *p, const struct version *cur, size_t li)
{
	if (cur->text[li])
		return "ok";
	return content_policy_latest_in(p, cur, li) ? "outdated" : "missing";
}

static int v_list(struct rq *q)
{
	struct content *s = load(q);
	const struct diag *g;
	size_t i, k, li;

	if (s == NULL)
		return -1;
	for (i = 0; i < s->npolicies; i++) {
		const struct policy *p = &s->policies[i];
		const struct version *cur = content_policy_current(p),
		                     *last = &p->versions[p->nversions - 1];
		const struct version *shown = cur ? cur : last;
		struct buf due = BUF_INIT;
		long days = 0;
		wire_puts(q->ans, "policy", p->slug);
		wire_puts(q->ans, "title", shown->text[0] ? shown->text[0]->title : p->slug);
		wire_puts(q->ans, "current", cur ? cur->iso : "");
		wire_puts(q->ans, "review", shown->review_written ? shown->review_written : "");
		if (shown->review_written) {
			date_format_iso(&due, &shown->review.due);
			wire_puts(q->ans, "review_due", buf_str(&due));
			wire_puts(q->ans, "status",
			          review_status_name(
			              review_status(&shown->review, &s->today, 30, &days)));
		}
		buf_free(&due);
		for (li = 1; li < s->nlangs; li++)
			wire_puts(q->ans, arena_printf(q->a, "lang.%s", s->langs[li]),
			          lang_status(p, shown, li));
		for (k = 0; k < p->nversions; k++)
			if (!p->versions[k].published)
				wire_puts(q->ans, "scheduled", p->versions[k].iso);
		if (shown->nreviewed)
			wire_puts(q->ans, "last_reviewed",
			          shown->reviewed[shown->nreviewed - 1].iso);
	}
	for (g = s->diags; g; g = g->next)
		if (g->level == DIAG_ERROR)
			wire_puts(q->ans, "problem",
			          arena_printf(q->a, "%s:%d: %s", g->path, g->line, g->msg));
	content_free(s);
	return 0;
}

static const struct policy *find_policy(const struct content *s, const char *slug)
{
	size_t i;

	for (i = 0; i < s->npolicies; i++)
		if (strcmp(s->policies[i].slug, slug) == 0)
			return &s->policies[i];
	return NULL;
}

static void put_version(struct rq *q, const struct content *s, const struct version *v)
{
	struct buf langs = BUF_INIT, b = BUF_INIT;
	size_t li, k;

	wire_puts(q->ans, "version", v->iso);
	buf_reset(&b);
	date_format_iso(&b, &v->effective);
	wire_puts(q->ans, "effective", buf_str(&b));
	wire_puts(q->ans, "published", v->published ? "1" : "0");
	wire_puts(q->ans, "v.approved_by", v->approved_by ? v->approved_by : "");
	buf_reset(&b);
	if (v->approved_on.y)
		date_format_iso(&b, &v->approved_on);
	wire_puts(q->ans, "v.approved_on", buf_str(&b));
	wire_puts(q->ans, "v.minute", v->minute ? v->minute : "");
	for (li = 0; li < s->nlangs; li++)
		if (v->text[li])
			buf_printf(&langs, "%s%s", langs.len ? " " : "", s->langs[li]);
	wire_puts(q->ans, "langs", buf_str(&langs));
	wire_puts(q->ans, "v.changes",
	          v->text[0] && v->text[0]->changes ? v->text[0]->changes : "");
	for (k = 0; k < v->nreviewed; k++) {
		const struct reviewed *r = &v->reviewed[k];
		wire_puts(q->ans, "reviewed",
		          arena_printf(q->a, "%s\t%s\t%s\t%s", r->iso, r->approved_by,
		                       r->review_written, r->minute ? r->minute : ""));
	}
	buf_free(&langs);
	buf_free(&b);
}

static void put_text(struct rq *q, const char *lang, const struct text *t, const char *from)
{
	struct buf body = BUF_INIT;

	wire_puts(q->ans, arena_printf(q->a, "%s.from", lang), from);
	wire_puts(q->ans, arena_printf(q->a, "%s.title", lang), t->title);
	wire_puts(q->ans, arena_printf(q->a, "%s.summary", lang), t->summary ? t->summary : "");
	wire_puts(q->ans, arena_printf(q->a, "%s.declaration", lang),
	          t->declaration ? t->declaration : "");
	if (content_body(t, &body) == 0)
		wire_put(q->ans, arena_printf(q->a, "%s.body", lang), buf_str(&body), body.len);
	buf_free(&body);
}

static int v_show(struct rq *q)
{
	struct content *s = load(q);
	const struct policy *p;
	const struct version *last;
	char base[65];
	struct buf aud = BUF_INIT;
	size_t k, li;

	if (s == NULL)
		return -1;
	if ((p = find_policy(s, get(q, "slug"))) == NULL) {
		content_free(s);
		return 1;
	}
	if (folder_base(q, p->dir, base) < 0) {
		content_free(s);
		return -1;
	}
	wire_puts(q->ans, "base", base);
	wire_puts(q->ans, "slug", p->slug);
	for (li = 0; li < s->nlangs; li++)
		wire_puts(q->ans, "lang", s->langs[li]);
	for (k = p->nversions; k-- > 0;)
		put_version(q, s, &p->versions[k]);
	last = &p->versions[p->nversions - 1];
	/* The form starts from the latest version, scheduled or not. */
	wire_puts(q->ans, "form.version", last->iso);
	wire_puts(q->ans, "form.review", last->review_written ? last->review_written : "");
	wire_puts(q->ans, "form.approved_by", last->approved_by ? last->approved_by : "");
	wire_puts(q->ans, "form.owner", last->owner ? last->owner : "");
	wire_puts(q->ans, "form.review_frequency",
	          last->review_frequency ? last->review_frequency : "");
	wire_puts(q->ans, "form.resign", last->resign ? "1" : "0");
	for (k = 0; k < last->naudience; k++)
		buf_printf(&aud, "%s%s", k ? ", " : "", last->audience[k]);
	wire_puts(q->ans, "form.audience", buf_str(&aud));
	buf_free(&aud);
	if (last->text[0])
		put_text(q, s->langs[0], last->text[0], last->iso);
	for (li = 1; li < s->nlangs; li++) {
		const struct version *w;
		for (w = last; w >= p->versions && w->text[li] == NULL; w--)
			;
		if (w < p->versions)
			continue;
		put_text(q, s->langs[li], w->text[li], w->iso);
		if (w != last && w->text[0] && last->text[0]) {
			struct buf a = BUF_INIT, b = BUF_INIT, html = BUF_INIT;
			struct diff_stats st;
			memset(&st, 0, sizeof st);
			if (content_body(w->text[0], &a) == 0 &&
			    content_body(last->text[0], &b) == 0 &&
			    diff_html(&html, a.data ? a.data : "", a.len, b.data ? b.data : "",
			              b.len, &st) == 0)
				wire_put(q->ans, arena_printf(q->a, "%s.diff", s->langs[li]),
				         buf_str(&html), html.len);
			diff_stats_free(&st);
			buf_free(&a);
			buf_free(&b);
			buf_free(&html);
		}
	}
	content_free(s);
	return 0;
}

static int lock_take(const struct publish_opts *o)
{
	int fd = open(o->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	return fd;
}

/* preview (publish 0) and publish (1). Returns 0 (answered), -1 (fail). */
static int v_draft(struct rq *q, int publish, struct buf *fail)
{
	struct content *s = load(q);
	struct draft d;
	struct scratch x;
	struct buf text = BUF_INIT;
	struct date when, eff;
	struct date_error de;
	const char *pdir, *path;
	char base[65], hex[65];
	int lock = -1, rc = -1;
	struct stat st;

	memset(&x, 0, sizeof x);
	if (s == NULL) {
		buf_puts(fail, "out of memory");
		return -1;
	}
	draft_read(q, s, &d);
	if (q->invalid) {
		rc = 0;
		goto done;
	}
	pdir = arena_printf(q->a, "%s/policies/%s", q->o->content, d.slug);
	path = arena_printf(q->a, "%s/%s", pdir, d.file);
	if (publish && (lock = lock_take(q->o)) < 0) {
		buf_printf(fail, "%s: cannot lock: %s", q->o->lock, strerror(errno));
		goto done;
	}
	if (folder_base(q, pdir, base) < 0) {
		buf_printf(fail, "%s: cannot read: %s", pdir, strerror(errno));
		goto done;
	}
	if (d.is_new && strcmp(base, "none") != 0) {
		field_error(q, "slug", "there is a policy at this address already: choose another");
		rc = 0;
		goto done;
	}
	if (!d.is_new && strcmp(base, "none") == 0) {
		field_error(q, "slug", "there is no policy at this address");
		rc = 0;
		goto done;
	}
	if (publish && !d.is_new && strcmp(base, get(q, "base")) != 0) {
		wire_puts(q->ans, "base", base);
		rc = 2;
		goto done;
	}
	if (stat(path, &st) == 0) {
		field_error(q, "date",
		            d.li == 0 ? "there is a version dated %s already: give the new version "
		                        "another date"
		                      : "the %s version has its %s text already",
		            d.date, d.lang);
		rc = 0;
		goto done;
	}
	/* A new version comes after every version there is (the date is its identity and
	 * its place in the history). */
	if (d.li == 0 && !d.is_new) {
		const struct policy *p = find_policy(s, d.slug);
		if (p && p->nversions && strcmp(d.date, p->versions[p->nversions - 1].iso) <= 0)
			field_error(q, "date",
			            "the version date must be after the latest version's, %s",
			            p->versions[p->nversions - 1].iso);
	}
	/* A new version (not a translation, not the first) says what changed. */
	if (d.li == 0 && !d.is_new && d.v[D_CHANGES][0] == '\0')
		field_error(q, "changes", "give a one-line summary of the changes");
	draft_text(&d, &text);
	if (!buf_ok(&text)) {
		buf_puts(fail, "out of memory");
		goto done;
	}
	when = q->today;
	if (date_parse(&eff, d.v[D_EFFECTIVE][0] ? d.v[D_EFFECTIVE] : d.date, &de) == 0 &&
	    date_cmp(&eff, &when) > 0)
		when = eff;
	if (d.li != 0 && date_parse(&eff, d.date, &de) == 0 && date_cmp(&eff, &when) > 0)
		when = eff;
	if (scratch_make(q, &x, d.slug, d.file, &text, &when, fail) < 0)
		goto done;
	if (scratch_report(q, &x, &d) > 0 || q->invalid) {
		rc = 0;
		goto done;
	}
	if (!publish) {
		if (scratch_pages(q, &x, d.slug, d.lang, d.date, fail) < 0)
			goto done;
		rc = 0;
		goto done;
	}
	if (d.is_new && mkdir(pdir, 0755) < 0) {
		buf_printf(fail, "%s: cannot make the folder: %s", pdir, strerror(errno));
		goto done;
	}
	if (write_new(q->a, path, buf_str(&text), text.len, 0) < 0) {
		buf_printf(fail, "%s: cannot write: %s", path, strerror(errno));
		goto done;
	}
	sha256_hex(buf_str(&text), text.len, hex);
	date_parse(&eff, d.v[D_EFFECTIVE][0] ? d.v[D_EFFECTIVE] : d.date, &de);
	wire_puts(q->ans, "path", path);
	wire_puts(q->ans, "sha256", hex);
	wire_puts(q->ans, "scheduled", date_cmp(&eff, &q->today) > 0 ? "1" : "0");
	wire_puts(q->ans, "effective", d.v[D_EFFECTIVE][0] ? d.v[D_EFFECTIVE] : d.date);
	rebuild(q);
	rc = 0;
done:
	if (lock >= 0)
		close(lock);
	scratch_free(&x);
	buf_free(&text);
	content_free(s);
	return rc;
}

/* Inserts a `reviewed:` item into the front matter of text (a whole file) into out:
 * after an existing block-style `reviewed:` line, else before the closing '---'.
 * Returns 0, or -1 when the file's `reviewed:` is not a block list. */
static int insert_reviewed(const char *text, size_t len, const char *item, struct buf *out)
{
	const char *p = text, *end = text + len, *close = NULL, *after = NULL;
	int line = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (line > 0 && n == 3 && memcmp(p, "---", 3) == 0) {
			close = p;
			break;
		}
		if (line > 0 && n >= 9 && memcmp(p, "reviewed:", 9) == 0) {
			const char *rest = p + 9;
			while (rest < p + n && *rest == ' ')
				rest++;
			if (rest != p + n)
				return -1; /* flow style: left to whoever wrote it */
			after = nl ? nl + 1 : end;
		}
		p = nl ? nl + 1 : end;
		line++;
	}
	if (close == NULL)
		return -1;
	if (after) {
		buf_put(out, text, (size_t)(after - text));
		buf_printf(out, "  - %s\n", item);
		buf_put(out, after, (size_t)(end - after));
	} else {
		buf_put(out, text, (size_t)(close - text));
		buf_printf(out, "reviewed:\n  - %s\n", item);
		buf_put(out, close, (size_t)(end - close));
	}
	return 0;
}

static int v_readopt(struct rq *q, struct buf *fail)
{
	struct content *s = load(q);
	const struct policy *p;
	const struct version *cur;
	struct buf old = BUF_INIT, text = BUF_INIT, item = BUF_INIT;
	struct scratch x;
	const char *date = get(q, "date"), *who = get(q, "approved_by"), *review = get(q, "review"),
	           *minute = get(q, "minute"), *name;
	struct date dt;
	struct date_error de;
	struct review rv;
	char base[65], hex[65];
	int lock = -1, rc = -1;
	const struct diag *g;

	memset(&x, 0, sizeof x);
	if (s == NULL) {
		buf_puts(fail, "out of memory");
		return -1;
	}
	if ((p = find_policy(s, get(q, "slug"))) == NULL ||
	    (cur = content_policy_current(p)) == NULL || cur->text[0] == NULL) {
		field_error(q, "slug", "there is no published policy at this address");
		rc = 0;
		goto done;
	}
	if (date[0] == '\0')
		date = arena_printf(q->a, "%04d-%02d-%02d", q->today.y, q->today.m, q->today.d);
	if (strlen(date) != 10 || date_parse(&dt, date, &de) < 0)
		field_error(q, "date", "meeting date \"%s\": give the date as YYYY-MM-DD", date);
	else if (date_cmp(&dt, &q->today) > 0)
		field_error(q, "date", "the meeting date %s is in the future", date);
	if (!one_line_ok(who) || who[0] == '\0')
		field_error(q, "approved_by", "say who re-adopted the policy, on one line");
	if (!one_line_ok(review) || review[0] == '\0')
		field_error(q, "review", "give the next review date");
	else if (review_parse(&rv, review, &de) < 0)
		field_error(q, "review", "review date \"%s\": %s", review, date_strerror(&de));
	if (!one_line_ok(minute))
		field_error(q, "minute", "the minute reference must be one line");
	if (q->invalid) {
		rc = 0;
		goto done;
	}
	if ((lock = lock_take(q->o)) < 0) {
		buf_printf(fail, "%s: cannot lock: %s", q->o->lock, strerror(errno));
		goto done;
	}
	if (folder_base(q, p->dir, base) < 0) {
		buf_printf(fail, "%s: cannot read: %s", p->dir, strerror(errno));
		goto done;
	}
	if (strcmp(base, get(q, "base")) != 0) {
		wire_puts(q->ans, "base", base);
		rc = 2;
		goto done;
	}
	if (buf_read_file(&old, cur->text[0]->path) < 0) {
		buf_printf(fail, "%s: cannot read: %s", cur->text[0]->path, strerror(errno));
		goto done;
	}
	buf_puts(&item, "{date: ");
	buf_puts(&item, date);
	buf_puts(&item, ", approved_by: ");
	yaml_quoted(&item, who);
	buf_puts(&item, ", review: ");
	yaml_quoted(&item, review);
	if (minute[0]) {
		buf_puts(&item, ", minute: ");
		yaml_quoted(&item, minute);
	}
	buf_puts(&item, "}");
	if (insert_reviewed(buf_str(&old), old.len, buf_str(&item), &text) < 0) {
		field_error(q, "",
		            "%s: its reviewed: list is not one item per line; add the "
		            "re-adoption to the file by hand",
		            cur->text[0]->path);
		rc = 0;
		goto done;
	}
	name = strrchr(cur->text[0]->path, '/') + 1;
	if (scratch_make(q, &x, p->slug, name, &text, &q->today, fail) < 0)
		goto done;
	for (g = x.site->diags; g; g = g->next)
		if (g->level == DIAG_ERROR && strcmp(g->path, x.path) == 0) {
			const char *m = g->msg;
			field_error(q,
			            strstr(m, "review date") ? "review"
			            : strstr(m, "date")      ? "date"
			                                     : "",
			            "%s", unscratch(q, &x, m));
		}
	if (q->invalid) {
		rc = 0;
		goto done;
	}
	if (write_new(q->a, cur->text[0]->path, buf_str(&text), text.len, 1) < 0) {
		buf_printf(fail, "%s: cannot write: %s", cur->text[0]->path, strerror(errno));
		goto done;
	}
	sha256_hex(buf_str(&text), text.len, hex);
	wire_puts(q->ans, "path", cur->text[0]->path);
	wire_puts(q->ans, "sha256", hex);
	wire_puts(q->ans, "version", cur->iso);
	rebuild(q);
	rc = 0;
done:
	if (lock >= 0)
		close(lock);
	scratch_free(&x);
	buf_free(&old);
	buf_free(&text);
	buf_free(&item);
	content_free(s);
	return rc;
}

/* Counts lines of md starting with prefix, and removes them when drop is set. */
static size_t lines_with(struct buf *md, const char *prefix, int drop)
{
	struct buf kept = BUF_INIT;
	const char *p = buf_str(md), *end = p + md->len;
	size_t n = 0, plen = strlen(prefix);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);
		int hit = (size_t)(end - p) >= plen && memcmp(p, prefix, plen) == 0;
		n += hit;
		if (!(hit && drop))
			buf_put(&kept, p, len);
		p += len;
	}
	if (drop) {
		buf_reset(md);
		buf_put(md, buf_str(&kept), kept.len);
	}
	buf_free(&kept);
	return n;
}

static int v_docx(struct rq *q, struct buf *fail)
{
	size_t n = 0;
	const char *doc = wire_getn(q->m, "docx", &n);
	char path[] = "/tmp/policygen-docx-XXXXXX";
	const char *tmp = getenv("TMPDIR");
	char *file;
	struct buf md = BUF_INIT, err = BUF_INIT;
	char *argv[] = {(char *)q->o->pandoc,
	                "--from=docx",
	                "--to=commonmark-raw_html",
	                "--wrap=none",
	                "--sandbox",
	                NULL,
	                NULL};
	size_t images, tables;
	int fd, rc;

	if (doc == NULL || n == 0) {
		field_error(q, "docx", "choose a .docx file");
		return 0;
	}
	if (n > PUBLISH_MAX_DOCX || n < 4 || memcmp(doc, "PK\x03\x04", 4) != 0) {
		field_error(q, "docx",
		            n > PUBLISH_MAX_DOCX ? "the file is larger than 10 MB"
		                                 : "the file is not a Word document (.docx)");
		return 0;
	}
	file = tmp && *tmp ? strdup(arena_printf(q->a, "%s/policygen-docx-XXXXXX", tmp))
	                   : strdup(path);
	if (file == NULL || (fd = mkstemp(file)) < 0) {
		buf_printf(fail, "cannot make a scratch file: %s", strerror(errno));
		free(file);
		return -1;
	}
	if (write(fd, doc, n) != (ssize_t)n) {
		buf_printf(fail, "cannot write a scratch file: %s", strerror(errno));
		close(fd);
		unlink(file);
		free(file);
		return -1;
	}
	close(fd);
	argv[5] = file;
	rc = run(argv, NULL, 0, PUBLISH_PANDOC_SECONDS, &md, &err);
	unlink(file);
	free(file);
	if (rc != 0) {
		fprintf(stderr, "policygen serve: pandoc: %s (exit %d)\n", buf_str(&err), rc);
		if (rc < 0)
			field_error(q, "docx", "the document could not be converted: %s",
			            buf_str(&err));
		else
			field_error(
			    q, "docx",
			    "the document could not be converted (pandoc exit status %d): is "
			    "it a Word .docx file?",
			    rc);
		buf_free(&md);
		buf_free(&err);
		return 0;
	}
	if (md.len > PUBLISH_MAX_BODY) {
		field_error(q, "docx", "the converted text is longer than %d KB",
		            PUBLISH_MAX_BODY / 1024);
		buf_free(&md);
		buf_free(&err);
		return 0;
	}
	images = lines_with(&md, "![", 1);
	tables = lines_with(&md, "[TABLE]", 1);
	if (images)
		wire_puts(q->ans, "lost",
		          arena_printf(q->a, "%zu %s: the site shows text only", images,
		                       images == 1 ? "image" : "images"));
	if (tables)
		wire_puts(q->ans, "lost",
		          arena_printf(q->a, "%zu %s: write them as lists or short paragraphs",
		                       tables, tables == 1 ? "table" : "tables"));
	if (!utf8_valid(buf_str(&md), md.len))
		field_error(q, "docx", "the converted text is not valid UTF-8");
	else
		wire_put(q->ans, "markdown", buf_str(&md), md.len);
	buf_free(&md);
	buf_free(&err);
	return 0;
}

int publish_serve(const struct publish_opts *o, int in_fd, int out_fd)
{
	struct buf raw = BUF_INIT, err = BUF_INIT, ans = BUF_INIT, out = BUF_INIT, fail = BUF_INIT;
	int rc = 0;

	if (sodium_init() < 0) {
		fputs("policygen serve: cannot start libsodium\n", stderr);
		return -1;
	}
	for (;;) {
		struct arena *a = arena_new();
		struct wire_msg m;
		struct rq q;
		int r, got;
		if (a == NULL) {
			rc = -1;
			break;
		}
		buf_reset(&err);
		if ((got = wire_read(in_fd, &raw, &m, a, -1, &err)) <= 0) {
			if (got < 0) {
				fprintf(stderr, "policygen serve: %s\n", buf_str(&err));
				rc = -1;
			}
			arena_free(a);
			break;
		}
		memset(&q, 0, sizeof q);
		q.o = o;
		q.m = &m;
		q.a = a;
		q.ans = &ans;
		q.today = o->today;
		buf_reset(&ans);
		buf_reset(&fail);
		if (q.today.y == 0 && date_today(&q.today) < 0) {
			buf_puts(&fail, "cannot read the clock");
			r = -1;
		} else if (strcmp(m.verb, "list") == 0)
			r = v_list(&q);
		else if (strcmp(m.verb, "show") == 0)
			r = v_show(&q);
		else if (strcmp(m.verb, "preview") == 0)
			r = v_draft(&q, 0, &fail);
		else if (strcmp(m.verb, "publish") == 0)
			r = v_draft(&q, 1, &fail);
		else if (strcmp(m.verb, "readopt") == 0)
			r = v_readopt(&q, &fail);
		else if (strcmp(m.verb, "docx") == 0)
			r = v_docx(&q, &fail);
		else {
			buf_printf(&fail, "unknown request '%s'", m.verb);
			r = -1;
		}
		buf_reset(&out);
		if (r < 0) {
			if (fail.len == 0)
				buf_puts(&fail, "out of memory or cannot read the content");
			fprintf(stderr, "policygen serve: %s: %s\n", m.verb, buf_str(&fail));
			wire_begin(&out, "fail");
			wire_puts(&out, "message", buf_str(&fail));
		} else {
			wire_begin(&out, r == 1      ? "notfound"
			                 : r == 2    ? "conflict"
			                 : q.invalid ? "invalid"
			                             : "ok");
			buf_put(&out, buf_str(&ans), ans.len);
		}
		wire_end(&out);
		arena_free(a);
		if (!buf_ok(&out) || !buf_ok(&ans)) {
			buf_reset(&out);
			wire_begin(&out, "fail");
			wire_puts(&out, "message", "out of memory");
			wire_end(&out);
		}
		if (wire_write(out_fd, &out) < 0) {
			fprintf(stderr, "policygen serve: cannot answer: %s\n", strerror(errno));
			rc = -1;
			break;
		}
	}
	buf_free(&raw);
	buf_free(&err);
	buf_free(&ans);
	buf_free(&out);
	buf_free(&fail);
	resident_free(resident);
	resident = NULL;
	return rc;
}
