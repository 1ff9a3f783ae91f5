#define _GNU_SOURCE /* O_CLOEXEC, signalfd */
#include "resident.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "content.h"
#include "fmcache.h"
#include "out.h"
#include "sitestate.h"

#define QUIET_MS 5       /* changes this close together are rebuilt together */
#define GATHER_MAX_MS 250 /* ... but a steady stream of changes waits no longer */
#define WATCH_DEPTH 8    /* folders watched below the content folder, as check_tree */
#define RELOADS_MAX 5000 /* policy reloads before the content is read afresh (memory) */

/* A policy folder with errors: its count, until it is read again without. */
struct bad {
	char *slug;
	size_t nerrors;
};

/* One inotify watch: the folder, relative to the content folder ("" for it), or the
 * templates folder. */
struct wd {
	int wd;
	int templates;
	char *rel;
};

struct resident {
	struct resident_opts o;
	struct content *s;
	struct site_memo *memo; /* the last build (site.h) */
	size_t global_errors; /* errors outside the policy folders */
	struct bad *bad;
	size_t nbad, capbad;
	char **slugs; /* policy folders changed since the last rebuild */
	size_t nslugs, capslugs;
	int all;      /* read everything again */
	int dirty;    /* something to rebuild (the templates only: dirty without slugs) */
	size_t reloads;
	FILE *log; /* diagnostics; standard error unless resident_log says otherwise */
	/* the watch */
	int fd;
	struct wd *wds;
	size_t nwds, capwds;
};

struct resident *resident_new(const struct resident_opts *o)
{
	struct resident *r = calloc(1, sizeof *r);

	if (r && (r->memo = site_memo_new()) == NULL) {
		free(r);
		return NULL;
	}
	if (r) {
		r->o = *o;
		r->all = r->dirty = 1;
		r->fd = -1;
		r->log = stderr;
	}
	return r;
}

static void clear_bad(struct resident *r)
{
	size_t i;

	for (i = 0; i < r->nbad; i++)
		free(r->bad[i].slug);
	r->nbad = 0;
}

static void clear_slugs(struct resident *r)
{
	size_t i;

	for (i = 0; i < r->nslugs; i++)
		free(r->slugs[i]);
	r->nslugs = 0;
}

static void clear_wds(struct resident *r)
{
	size_t i;

	for (i = 0; i < r->nwds; i++)
		free(r->wds[i].rel);
	r->nwds = 0;
}

void resident_free(struct resident *r)
{
	if (r == NULL)
		return;
	content_free(r->s);
	site_memo_free(r->memo);
	clear_bad(r);
	clear_slugs(r);
	clear_wds(r);
	free(r->bad);
	free(r->slugs);
	free(r->wds);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

void resident_changed_all(struct resident *r)
{
	r->all = r->dirty = 1;
}

void resident_changed_templates(struct resident *r)
{
	r->dirty = 1; /* site_build reads the templates, and their key, every time */
}

void resident_changed_policy(struct resident *r, const char *slug)
{
	size_t i;
	char **grown, *copy;

	r->dirty = 1;
	if (r->all)
		return;
	for (i = 0; i < r->nslugs; i++)
		if (strcmp(r->slugs[i], slug) == 0)
			return;
	if (r->nslugs == r->capslugs) {
		size_t cap = r->capslugs ? r->capslugs * 2 : 16;
		if ((grown = realloc(r->slugs, cap * sizeof *grown)) == NULL) {
			r->all = 1; /* short of memory: read everything, which needs no list */
			return;
		}
		r->slugs = grown;
		r->capslugs = cap;
	}
	if ((copy = strdup(slug)) == NULL) {
		r->all = 1;
		return;
	}
	r->slugs[r->nslugs++] = copy;
}

void resident_log(struct resident *r, FILE *log)
{
	r->log = log ? log : stderr;
}

static void print_diags(const struct resident *r, const struct diag *d)
{
	for (; d; d = d->next) {
		const char *level = d->level == DIAG_WARNING ? "warning: " : "";
		if (d->line > 0)
			fprintf(r->log, "%s:%d: %s%s\n", d->path, d->line, level, d->msg);
		else
			fprintf(r->log, "%s: %s%s\n", d->path, level, d->msg);
	}
}

/* The policy folder a diagnostic's path is in ("<content>/policies/<slug>[/...]"), copied
 * into slug, or 0 when it is elsewhere. */
static int diag_slug(const struct resident *r, const char *path, char slug[NAME_MAX + 1])
{
	size_t n = strlen(r->s->dir), k;
	const char *p;

	if (strncmp(path, r->s->dir, n) != 0 || strncmp(path + n, "/policies/", 10) != 0)
		return 0;
	p = path + n + 10;
	k = strcspn(p, "/");
	if (k == 0 || k > NAME_MAX)
		return 0;
	memcpy(slug, p, k);
	slug[k] = '\0';
	return 1;
}

static struct bad *find_bad(struct resident *r, const char *slug)
{
	size_t i;

	for (i = 0; i < r->nbad; i++)
		if (strcmp(r->bad[i].slug, slug) == 0)
			return &r->bad[i];
	return NULL;
}

/* Sets the count of errors in a policy folder. Returns 0 or -1 (out of memory). */
static int set_bad(struct resident *r, const char *slug, size_t nerrors)
{
	struct bad *b = find_bad(r, slug);

	if (b && nerrors == 0) {
		free(b->slug);
		*b = r->bad[--r->nbad];
		return 0;
	}
	if (b || nerrors == 0) {
		if (b)
			b->nerrors = nerrors;
		return 0;
	}
	if (r->nbad == r->capbad) {
		size_t cap = r->capbad ? r->capbad * 2 : 8;
		struct bad *grown = realloc(r->bad, cap * sizeof *grown);
		if (grown == NULL)
			return -1;
		r->bad = grown;
		r->capbad = cap;
	}
	if ((r->bad[r->nbad].slug = strdup(slug)) == NULL)
		return -1;
	r->bad[r->nbad++].nerrors = nerrors;
	return 0;
}

/* Reads all the content, as policygen build does (with the front-matter cache). */
static int load_all(struct resident *r)
{
	struct buf path = BUF_INIT;
	struct fmcache *cache;
	const struct diag *d;
	char slug[NAME_MAX + 1];
	int rc = 0;

	site_memo_forget(r->memo); /* it knows policies by their address in r->s */
	content_free(r->s);
	r->s = NULL;
	clear_bad(r);
	clear_slugs(r);
	r->global_errors = 0;
	r->reloads = 0;
	buf_printf(&path, "%s/%s", r->o.state, SITESTATE_CACHE);
	if (!buf_ok(&path) || (cache = fmcache_open(buf_str(&path))) == NULL) {
		buf_free(&path);
		return -1;
	}
	r->s = content_load_cached(r->o.content, &r->o.today, cache);
	if (r->s && r->s->nerrors == 0 && out_mkdirs(buf_str(&path)) == 0)
		fmcache_save(cache, buf_str(&path)); /* as build: the next one-shot build reads it */
	fmcache_free(cache);
	buf_free(&path);
	if (r->s == NULL)
		return -1;
	print_diags(r, r->s->diags);
	for (d = r->s->diags; d; d = d->next) {
		struct bad *b;
		if (d->level != DIAG_ERROR)
			continue;
		if (!diag_slug(r, d->path, slug))
			r->global_errors++;
		else if ((b = find_bad(r, slug)) != NULL)
			b->nerrors++;
		else if (set_bad(r, slug, 1) < 0)
			rc = -1;
	}
	r->all = 0;
	return rc;
}

/* Reads the changed policy folders again. */
static int load_changed(struct resident *r)
{
	size_t i;

	for (i = 0; i < r->nslugs; i++) {
		struct diag *d;
		struct policy *p;
		size_t nerrors;
		if (content_reload_policy(r->s, r->slugs[i], &d, &nerrors, &p) < 0 ||
		    set_bad(r, r->slugs[i], nerrors) < 0)
			return -1;
		print_diags(r, d);
		r->reloads++;
	}
	clear_slugs(r);
	return 0;
}

int resident_rebuild(struct resident *r, struct site_stats *st)
{
	const struct site_dirs dirs = {r->o.templates, r->o.out, r->o.portal, r->o.state};
	struct buf err = BUF_INIT;
	size_t i, nerrors;
	int rc;

	memset(st, 0, sizeof *st);
	if (!r->o.today_given) {
		struct date today;
		if (date_today(&today) == 0 && (r->s == NULL || date_cmp(&today, &r->o.today) != 0)) {
			r->o.today = today; /* a new day: what is published, and reviews, change */
			r->all = 1;
		}
	}
	if (r->reloads >= RELOADS_MAX)
		r->all = 1; /* each reload takes a little of the content's arena */
	if ((r->all || r->s == NULL) ? load_all(r) < 0 : load_changed(r) < 0) {
		fprintf(r->log, "policygen: out of memory reading %s\n", r->o.content);
		r->all = 1;
		return -1;
	}
	r->dirty = 0;
	nerrors = r->global_errors;
	for (i = 0; i < r->nbad; i++)
		nerrors += r->bad[i].nerrors;
	r->s->nerrors = nerrors;
	if (nerrors) {
		fprintf(r->log,
		        "policygen: %zu errors in %s; nothing was built, the site stays as it "
		        "was. Fix them and save again ('policygen check' lists them).\n",
		        nerrors, r->o.content);
		return 1;
	}
	/* Pages deleted behind its back: check them all, as a one-shot build does. */
	buf_printf(&err, "%s/index.html", r->o.out);
	if (access(buf_str(&err), F_OK) < 0)
		site_memo_forget(r->memo);
	buf_reset(&err);
	rc = site_build_memo(r->s, &dirs, r->memo, st, &err);
	if (rc < 0) {
		fputs(buf_str(&err), r->log);
		fprintf(r->log, "policygen: the build stopped; %s may be partly updated (every file "
		                "in it is whole)\n", r->o.out);
		r->all = 1; /* the next change reads and builds everything again */
	}
	buf_free(&err);
	return rc;
}

/* --- The watch --- */

static long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static const struct wd *find_wd(const struct resident *r, int wd)
{
	size_t i;

	for (i = 0; i < r->nwds; i++)
		if (r->wds[i].wd == wd)
			return &r->wds[i];
	return NULL;
}

static void drop_wd(struct resident *r, int wd)
{
	size_t i;

	for (i = 0; i < r->nwds; i++)
		if (r->wds[i].wd == wd) {
			free(r->wds[i].rel);
			r->wds[i] = r->wds[--r->nwds];
			return;
		}
}

#define WATCH_MASK                                                                            \
	(IN_CLOSE_WRITE | IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |   \
	 IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW)

/* Watches folder path (rel: relative to the content folder), and the folders under it
 * when tree. Returns 0, or -1 with the reason on standard error. */
static int add_watch(struct resident *r, const char *path, const char *rel, int templates,
                     int tree, int depth)
{
	int wd = inotify_add_watch(r->fd, path, WATCH_MASK);
	DIR *d;
	struct dirent *e;
	size_t i;
	int rc = 0;

	if (wd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0; /* gone already, or a link: its parent's event says so */
		fprintf(stderr, "policygen watch: cannot watch %s: %s%s\n", path, strerror(errno),
		        errno == ENOSPC ? " (too many folders for the inotify limit: raise "
		                          "fs.inotify.max_user_watches with sysctl)" : "");
		return -1;
	}
	for (i = 0; i < r->nwds && r->wds[i].wd != wd; i++)
		;
	if (i == r->nwds) {
		if (r->nwds == r->capwds) {
			size_t cap = r->capwds ? r->capwds * 2 : 64;
			struct wd *grown = realloc(r->wds, cap * sizeof *grown);
			if (grown == NULL)
				goto oom;
			r->wds = grown;
			r->capwds = cap;
		}
		r->nwds++;
	} else {
		free(r->wds[i].rel);
	}
	r->wds[i].wd = wd;
	r->wds[i].templates = templates;
	if ((r->wds[i].rel = strdup(rel)) == NULL) {
		r->wds[i] = r->wds[--r->nwds];
		goto oom;
	}
	if (!tree || depth >= WATCH_DEPTH || (d = opendir(path)) == NULL)
		return 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		struct buf sub = BUF_INIT, subrel = BUF_INIT;
		struct stat st;
		if (e->d_name[0] == '.' ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			continue;
		buf_printf(&sub, "%s/%s", path, e->d_name);
		buf_printf(&subrel, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		rc = buf_ok(&sub) && buf_ok(&subrel)
		         ? add_watch(r, buf_str(&sub), buf_str(&subrel), templates, 1, depth + 1)
		         : -1;
		buf_free(&sub);
		buf_free(&subrel);
	}
	closedir(d);
	return rc;
oom:
	fprintf(stderr, "policygen watch: out of memory watching %s\n", path);
	return -1;
}

static int is_folder(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A new inotify instance watching the content and the templates. Returns 0 or -1. */
static int watch_all(struct resident *r)
{
	if (r->fd >= 0)
		close(r->fd);
	clear_wds(r);
	if ((r->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		fprintf(stderr, "policygen watch: cannot start inotify: %s\n", strerror(errno));
		return -1;
	}
	if (!is_folder(r->o.content) || !is_folder(r->o.templates)) {
		fprintf(stderr, "policygen watch: %s is not a folder: give the content and the "
		                "templates folders\n",
		        is_folder(r->o.content) ? r->o.templates : r->o.content);
		return -1;
	}
	return add_watch(r, r->o.content, "", 0, 1, 0) < 0 ||
	               add_watch(r, r->o.templates, "", 1, 0, 0) < 0
	           ? -1
	           : 0;
}

/* Stops watching the folders at rel and under it (moved out of sight, or deleted). */
static void unwatch_tree(struct resident *r, const char *rel)
{
	size_t i, n = strlen(rel);

	for (i = 0; i < r->nwds;) {
		struct wd *w = &r->wds[i];
		if (!w->templates && strncmp(w->rel, rel, n) == 0 &&
		    (w->rel[n] == '\0' || w->rel[n] == '/')) {
			inotify_rm_watch(r->fd, w->wd);
			free(w->rel);
			*w = r->wds[--r->nwds];
		} else {
			i++;
		}
	}
}

/* What one event means. Returns 0, or -1 when the watch itself failed. */
static int on_event(struct resident *r, const struct inotify_event *ev)
{
	const struct wd *w;
	const char *name = ev->len ? ev->name : "";
	struct buf rel = BUF_INIT, path = BUF_INIT;
	int rc = 0;

	if (ev->mask & IN_Q_OVERFLOW) {
		if (r->all != 2)
			fprintf(stderr, "policygen watch: changes were lost (the kernel's queue of "
			                "events overflowed): reading everything again\n");
		r->all = r->dirty = 2; /* 2: watch everything again too */
		return 0;
	}
	if ((w = find_wd(r, ev->wd)) == NULL)
		return 0;
	if (ev->mask & IN_IGNORED) {
		drop_wd(r, ev->wd);
		return 0;
	}
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
		if (w->templates || w->rel[0] == '\0' || strcmp(w->rel, "policies") == 0)
			r->all = r->dirty = 2; /* a watched root went: watch whatever is there now */
		return 0; /* otherwise the parent's event tells */
	}
	if (name[0] == '.')
		return 0; /* never read: the lock file, editors' swap files */
	if (w->templates) {
		resident_changed_templates(r);
		return 0;
	}
	buf_printf(&rel, "%s%s%s", w->rel, *w->rel && *name ? "/" : "", name);
	if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_DELETE | IN_MOVED_FROM)))
		unwatch_tree(r, buf_str(&rel));
	if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
		buf_printf(&path, "%s/%s", r->o.content, buf_str(&rel));
		rc = buf_ok(&path) ? add_watch(r, buf_str(&path), buf_str(&rel), 0, 1, 0) : -1;
	}
	if (strncmp(buf_str(&rel), "policies/", 9) == 0) {
		const char *slug = buf_str(&rel) + 9;
		size_t n = strcspn(slug, "/");
		char one[NAME_MAX + 1];
		if (n > 0 && n <= NAME_MAX) {
			memcpy(one, slug, n);
			one[n] = '\0';
			resident_changed_policy(r, one);
		} else {
			resident_changed_all(r);
		}
	} else {
		resident_changed_all(r); /* site.yaml, i18n, or anything check reads */
	}
	buf_free(&rel);
	buf_free(&path);
	return rc;
}

/* Reads the events waiting. Returns 1 when there were some, 0 when none, -1 on error. */
static int read_events(struct resident *r)
{
	char chunk[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	int got = 0;

	for (;;) {
		ssize_t n = read(r->fd, chunk, sizeof chunk);
		char *p;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return got;
		if (n <= 0) {
			fprintf(stderr, "policygen watch: cannot read inotify events: %s\n",
			        n < 0 ? strerror(errno) : "end of file");
			return -1;
		}
		got = 1;
		for (p = chunk; p < chunk + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
			if (on_event(r, ev) < 0)
				return -1;
			p += sizeof *ev + ev->len;
		}
	}
}

int resident_watch_start(struct resident *r)
{
	return watch_all(r);
}

int resident_catch_up(struct resident *r)
{
	if (r->fd < 0 || read_events(r) < 0)
		return -1;
	if (r->all == 2 && watch_all(r) < 0)
		return -1;
	return 0;
}

/* Milliseconds until just after the next midnight (UTC, as date_today), or -1 (no limit)
 * when the date was given. */
static int until_tomorrow(const struct resident *r)
{
	time_t now = time(NULL);
	long left;

	if (r->o.today_given || now == (time_t)-1)
		return -1;
	left = 86400 - (long)(now % 86400);
	return (int)(left * 1000 + 500);
}

static void report(int rc, long us, const struct site_stats *st, int first)
{
	if (rc == 0)
		printf("%s in %.1f ms: %zu files written\n", first ? "built" : "rebuilt", us / 1000.0,
		       st->written);
	else if (rc > 0)
		printf("not rebuilt: errors in the content (see the messages)\n");
	else
		printf("not rebuilt: the build failed (see the messages)\n");
	fflush(stdout);
}

int resident_watch(struct resident *r)
{
	sigset_t sigs;
	struct site_stats st;
	int sfd, rc;
	long t0;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	if (sigprocmask(SIG_BLOCK, &sigs, NULL) < 0 ||
	    (sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		fprintf(stderr, "policygen watch: cannot handle signals: %s\n", strerror(errno));
		return 1;
	}
	/* Watching starts before the first build: nothing saved meanwhile is missed. */
	if (watch_all(r) < 0) {
		close(sfd);
		return 1;
	}
	t0 = now_us();
	rc = resident_rebuild(r, &st);
	report(rc, now_us() - t0, &st, 1);
	for (;;) {
		struct pollfd pfd[2] = {{sfd, POLLIN, 0}, {r->fd, POLLIN, 0}};
		long first;
		int n = poll(pfd, 2, until_tomorrow(r));
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "policygen watch: poll: %s\n", strerror(errno));
			rc = 1;
			break;
		}
		if (pfd[0].revents) {
			rc = 0; /* SIGTERM or SIGINT: every file written is whole */
			break;
		}
		if (n == 0) { /* midnight: resident_rebuild sees the new day */
			t0 = now_us();
			rc = resident_rebuild(r, &st);
			report(rc, now_us() - t0, &st, 0);
			continue;
		}
		if (n <= 0 || !(pfd[1].revents & POLLIN))
			continue;
		/* Changes within QUIET_MS of each other are one rebuild: an editor's temporary
		 * file and rename, a copy of several files. */
		first = now_us();
		for (;;) {
			struct pollfd one = {r->fd, POLLIN, 0};
			if (read_events(r) < 0) {
				rc = 1;
				goto out;
			}
			if (now_us() - first >= GATHER_MAX_MS * 1000L || poll(&one, 1, QUIET_MS) <= 0)
				break;
		}
		if (r->all == 2 && watch_all(r) < 0) { /* lost events: watch and read afresh */
			rc = 1;
			break;
		}
		if (!r->dirty)
			continue;
		t0 = now_us();
		rc = resident_rebuild(r, &st);
		report(rc, now_us() - t0, &st, 0);
	}
out:
	close(sfd);
	return rc;
}
