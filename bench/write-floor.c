/* write-floor: what writing a full build's files costs by itself (issue 16). Lists every
 * folder and file under each SRC (policygen's output and portal folders after a full
 * build), then makes the same tree under DEST, which must not exist: one mkdir per folder,
 * and per file one open, one write of its size and one close, the way policygen writes
 * into an empty folder, with no other work at all (every file is one byte repeated).
 *
 *   write-floor [-j JOBS] DEST SRC...
 *
 * SRC number k (from 0) becomes DEST/k. With -j JOBS (up to 64) the work is split between
 * that many forked processes: the folders one depth at a time, so that a folder's parent
 * always exists, then the files (file i goes to worker i % JOBS). Prints one line to
 * standard output: files, folders, bytes, then the seconds and the workers' CPU seconds,
 * both measured after the listing. Exits 1 with a message on standard error when a
 * folder cannot be read or a file cannot be written.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_JOBS 64

struct ent {
	char *rel; /* under DEST */
	size_t depth, size;
	int dir;
};

struct list {
	struct ent *e;
	size_t n, cap;
};

static int add(struct list *l, const char *rel, size_t depth, size_t size, int dir)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4096;
		struct ent *ne = realloc(l->e, cap * sizeof *ne);
		if (ne == NULL)
			return -1;
		l->e = ne;
		l->cap = cap;
	}
	if ((l->e[l->n].rel = strdup(rel)) == NULL)
		return -1;
	l->e[l->n].depth = depth;
	l->e[l->n].size = size;
	l->e[l->n].dir = dir;
	l->n++;
	return 0;
}

/* nftw's callback cannot be given these: the list being made, the name under DEST of the
 * SRC being listed, and that SRC's length. */
static struct list *listing;
static const char *top;
static size_t srclen;

/* Adds each folder and ordinary file under SRC (nftw, folders before what they hold). */
static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char rel[4096];

	if (type == FTW_DNR || type == FTW_NS) {
		fprintf(stderr, "write-floor: %s: cannot read\n", path);
		return -1;
	}
	if (type != FTW_D && !S_ISREG(st->st_mode))
		return 0;
	if (snprintf(rel, sizeof rel, "%s%s", top, path + srclen) >= (int)sizeof rel) {
		fprintf(stderr, "write-floor: %s: name too long\n", path);
		return -1;
	}
	return add(listing, rel, (size_t)ftw->level + 1, type == FTW_D ? 0 : (size_t)st->st_size,
	           type == FTW_D);
}

/* Makes entries first, first + step, ... of l that are folders of the given depth (or, with
 * depth 0, that are files). Returns 0 or -1 after a message. */
static int make(int dest, const struct list *l, size_t depth, size_t first, size_t step,
                const char *bytes)
{
	size_t i, k = 0;

	for (i = 0; i < l->n; i++) {
		const struct ent *e = &l->e[i];
		if (depth ? !e->dir || e->depth != depth : e->dir)
			continue;
		if (k++ % step != first)
			continue;
		if (e->dir) {
			if (mkdirat(dest, e->rel, 0755) < 0) {
				fprintf(stderr, "write-floor: %s: %s\n", e->rel, strerror(errno));
				return -1;
			}
		} else {
			int fd = openat(dest, e->rel, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
			size_t done = 0;
			ssize_t n = 0;
			if (fd < 0) {
				fprintf(stderr, "write-floor: %s: %s\n", e->rel, strerror(errno));
				return -1;
			}
			while (done < e->size && (n = write(fd, bytes + done, e->size - done)) > 0)
				done += (size_t)n;
			if (close(fd) < 0 || n < 0) {
				fprintf(stderr, "write-floor: %s: cannot write\n", e->rel);
				return -1;
			}
		}
	}
	return 0;
}

/* One round: jobs workers (or this process alone) make their share. */
static int round_of(int dest, const struct list *l, size_t depth, long jobs, const char *bytes)
{
	pid_t pids[MAX_JOBS];
	int j, status = 0, ws;

	if (jobs == 1)
		return make(dest, l, depth, 0, 1, bytes);
	for (j = 0; j < jobs; j++) {
		if ((pids[j] = fork()) < 0) {
			fprintf(stderr, "write-floor: cannot start a worker: %s\n", strerror(errno));
			return -1;
		}
		if (pids[j] == 0)
			_exit(make(dest, l, depth, (size_t)j, (size_t)jobs, bytes) < 0 ? 1 : 0);
	}
	for (j = 0; j < jobs; j++)
		if (waitpid(pids[j], &ws, 0) < 0 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
			status = -1;
	return status;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char *argv[])
{
	struct list l = {NULL, 0, 0};
	size_t i, depth, maxdepth = 0, maxsize = 1, files = 0, dirs = 0;
	unsigned long long bytes = 0;
	long jobs = 1;
	int a = 1, dest, k;
	char *fill, name[16];
	double t0, c0;

	if (argc > 2 && strcmp(argv[1], "-j") == 0) {
		char *end;
		jobs = strtol(argv[2], &end, 10);
		if (*end || jobs < 1 || jobs > MAX_JOBS) {
			fprintf(stderr, "write-floor: -j takes 1 to %d\n", MAX_JOBS);
			return 2;
		}
		a = 3;
	}
	if (argc - a < 2 || argv[a][0] == '-') {
		fputs("usage: write-floor [-j JOBS] DEST SRC...\n", stderr);
		return 2;
	}
	listing = &l;
	for (k = a + 1; k < argc; k++) {
		snprintf(name, sizeof name, "%d", k - a - 1);
		top = name;
		for (srclen = strlen(argv[k]); srclen > 1 && argv[k][srclen - 1] == '/'; srclen--)
			argv[k][srclen - 1] = '\0';
		if (nftw(argv[k], visit, 64, FTW_PHYS) != 0) {
			fprintf(stderr, "write-floor: cannot list %s: %s\n", argv[k], strerror(errno));
			return 1;
		}
	}
	for (i = 0; i < l.n; i++) {
		if (l.e[i].depth > maxdepth)
			maxdepth = l.e[i].depth;
		if (l.e[i].size > maxsize)
			maxsize = l.e[i].size;
		files += !l.e[i].dir;
		dirs += (size_t)l.e[i].dir;
		bytes += l.e[i].size;
	}
	if ((fill = malloc(maxsize)) == NULL)
		return 1;
	memset(fill, 'x', maxsize);
	if (mkdir(argv[a], 0755) < 0 || (dest = open(argv[a], O_RDONLY | O_DIRECTORY)) < 0) {
		fprintf(stderr, "write-floor: %s: %s\n", argv[a], strerror(errno));
		return 1;
	}
	t0 = now();
	c0 = cpu(RUSAGE_CHILDREN) + cpu(RUSAGE_SELF);
	for (depth = 1; depth <= maxdepth; depth++)
		if (round_of(dest, &l, depth, jobs, fill) < 0)
			return 1;
	if (round_of(dest, &l, 0, jobs, fill) < 0)
		return 1;
	printf("%zu files, %zu folders, %llu bytes, %.6f s, %.6f s CPU\n", files, dirs, bytes,
	       now() - t0, cpu(RUSAGE_CHILDREN) + cpu(RUSAGE_SELF) - c0);
	return 0;
}
