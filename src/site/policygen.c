/* policygen: builds the static policy site, checks the content, reports reviews.
 *
 *   policygen build  [--content DIR] [--templates DIR] [--out DIR] [--portal DIR]
 *                    [--state DIR] [--today YYYY-MM-DD]
 *   policygen check  [--content DIR] [--today YYYY-MM-DD]
 *   policygen review [--content DIR] [--today YYYY-MM-DD] [--within DAYS]
 *   policygen watch  [--content DIR] [--templates DIR] [--out DIR] [--portal DIR]
 *                    [--state DIR] [--today YYYY-MM-DD]
 *       builds as build, then stays and rebuilds what changes (resident.h)
 *   policygen serve  [--content DIR] [--templates DIR] [--out DIR] [--today YYYY-MM-DD]
 *                    [--lock FILE] [--pandoc PROGRAM]
 *       the office's helper: requests on standard input, answers on standard output
 *       (publish.h); started by office.fcgi, not by people
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "content.h"
#include "out.h"
#include "publish.h"
#include "resident.h"
#include "site.h"
#include "sitestate.h"

#define DEFAULT_WITHIN 30

struct options {
	const char *content, *templates, *out, *portal, *state, *lock, *pandoc;
	struct date today;
	int today_given;
	long within;
};

static void usage(void)
{
	fputs("usage: policygen build  [--content DIR] [--templates DIR] [--out DIR] "
	      "[--portal DIR]\n"
	      "                        [--state DIR] [--today YYYY-MM-DD]\n"
	      "       policygen check  [--content DIR] [--today YYYY-MM-DD]\n"
	      "       policygen review [--content DIR] [--today YYYY-MM-DD] [--within DAYS]\n"
	      "       policygen watch  [--content DIR] [--templates DIR] [--out DIR] "
	      "[--portal DIR]\n"
	      "                        [--state DIR] [--today YYYY-MM-DD]\n"
	      "       policygen serve  [--content DIR] [--templates DIR] [--out DIR] "
	      "[--portal DIR]\n"
	      "                        [--state DIR] [--today YYYY-MM-DD] [--lock FILE] "
	      "[--pandoc PROGRAM]\n"
	      "Each also takes --config FILE (policies.conf(5)).\n",
	      stderr);
	exit(2);
}

static void print_diags(const struct content *s)
{
	const struct diag *d;

	for (d = s->diags; d; d = d->next) {
		const char *level = d->level == DIAG_WARNING ? "warning: " : "";
		if (d->line > 0)
			fprintf(stderr, "%s:%d: %s%s\n", d->path, d->line, level, d->msg);
		else
			fprintf(stderr, "%s: %s%s\n", d->path, level, d->msg);
	}
}

static struct content *load(const struct options *o, struct fmcache *cache)
{
	struct content *s = content_load_cached(o->content, &o->today, cache);

	if (s == NULL) {
		fprintf(stderr, "policygen: out of memory loading %s\n", o->content);
		exit(1);
	}
	print_diags(s);
	return s;
}

static int cmd_check(const struct options *o)
{
	struct content *s = load(o, NULL);
	size_t versions = 0, i;
	int rc = s->nerrors ? 1 : 0;

	for (i = 0; i < s->npolicies; i++)
		versions += s->policies[i].nversions;
	fprintf(stderr, "%s: %zu policies, %zu versions: %zu errors, %zu warnings\n", o->content,
	        s->npolicies, versions, s->nerrors, s->nwarnings);
	content_free(s);
	return rc;
}

/* The front-matter cache lives in the state folder, never in the output. */
static const char *cache_path(const struct options *o, struct buf *b)
{
	buf_printf(b, "%s/%s", o->state, SITESTATE_CACHE);
	return buf_str(b);
}

/* path made absolute, its folders that exist resolved (links followed), the rest as
 * written. Returns 0 or -1. */
static int resolve(const char *path, char abs[PATH_MAX])
{
	char head[PATH_MAX], tail[PATH_MAX], *slash;
	int n;

	if (realpath(path, abs))
		return 0;
	if ((n = snprintf(head, sizeof head, "%s", path)) < 0 || (size_t)n >= sizeof head)
		return -1;
	while (n > 1 && head[n - 1] == '/')
		head[--n] = '\0';
	if ((slash = strrchr(head, '/')) == NULL) {
		snprintf(tail, sizeof tail, "%s", head);
		snprintf(head, sizeof head, ".");
	} else {
		snprintf(tail, sizeof tail, "%s", slash + 1);
		*slash = '\0';
		if (head[0] == '\0')
			snprintf(head, sizeof head, "/");
	}
	if (strcmp(tail, "..") == 0 || strcmp(tail, ".") == 0 || resolve(head, abs) < 0)
		return -1;
	n = (int)strlen(abs);
	return snprintf(abs + n, PATH_MAX - (size_t)n, "%s%s", abs[n - 1] == '/' ? "" : "/", tail) <
	               PATH_MAX - n
	           ? 0
	           : -1;
}

/* 1 when folder inner is outer or inside it (or cannot be told apart from it). */
static int inside(const char *inner, const char *outer)
{
	char in[PATH_MAX], out[PATH_MAX];
	size_t n;

	if (resolve(inner, in) < 0 || resolve(outer, out) < 0)
		return 1;
	n = strlen(out);
	return strncmp(in, out, n) == 0 && (in[n] == '\0' || in[n] == '/' || out[n - 1] == '/');
}

/* Everything in the output folder is published: the portal's texts and the state must
 * live elsewhere. Returns 0, or -1 with the message on standard error. */
static int check_folders(const struct options *o)
{
	if (inside(o->portal, o->out) || inside(o->state, o->out)) {
		fprintf(stderr,
		        "policygen: %s %s is inside --out %s, which is published as it is: "
		        "choose a folder outside it\n",
		        inside(o->portal, o->out) ? "--portal" : "--state",
		        inside(o->portal, o->out) ? o->portal : o->state, o->out);
		return -1;
	}
	return 0;
}

/* policygen watch: the resident builder (resident.h) until SIGTERM or SIGINT. */
static int cmd_watch(const struct options *o)
{
	struct resident_opts ro = {o->content, o->templates, o->out, o->portal, o->state,
	                           o->today, o->today_given};
	struct resident *r;
	int rc;

	if (check_folders(o) < 0)
		return 2;
	/* The watch's own writes must not wake it: nothing it writes may be in what it
	 * watches. */
	if (inside(o->out, o->content) || inside(o->portal, o->content) ||
	    inside(o->state, o->content) || inside(o->out, o->templates) ||
	    inside(o->portal, o->templates) || inside(o->state, o->templates)) {
		fprintf(stderr, "policygen watch: --out, --portal and --state must be outside "
		                "--content %s and --templates %s\n", o->content, o->templates);
		return 2;
	}
	if ((r = resident_new(&ro)) == NULL) {
		fprintf(stderr, "policygen: out of memory\n");
		return 1;
	}
	rc = resident_watch(r);
	resident_free(r);
	return rc;
}

static int cmd_build(const struct options *o)
{
	struct buf path = BUF_INIT, err = BUF_INIT;
	struct fmcache *cache = fmcache_open(cache_path(o, &path));
	struct content *s;
	struct site_stats st;
	struct site_dirs dirs = {o->templates, o->out, o->portal, o->state};
	int rc = 1;

	if (cache == NULL) {
		fprintf(stderr, "policygen: out of memory\n");
		return 1;
	}
	if (check_folders(o) < 0) {
		buf_free(&path);
		fmcache_free(cache);
		return 2;
	}
	s = load(o, cache);
	/* The cache is saved and freed before the build, which needs only the site: at
	 * 10,000 policies its memory would otherwise stay in every worker. A cache that
	 * cannot be saved only makes the next build slower. */
	if (s->nerrors == 0 && out_mkdirs(buf_str(&path)) == 0)
		fmcache_save(cache, buf_str(&path));
	fmcache_free(cache);
	cache = NULL;
	if (s->nerrors) {
		fprintf(stderr,
			"policygen: %zu errors in %s; nothing was built. Fix them and run "
			"again ('policygen check' lists them).\n",
			s->nerrors, o->content);
	} else if (site_build(s, &dirs, &st, &err) < 0) {
		fputs(buf_str(&err), stderr);
		fprintf(stderr,
			"policygen: the build stopped; %s may be partly updated (every file "
			"in it is whole)\n",
			o->out);
	} else {
		fprintf(stderr,
		        "policygen: %zu policies, %zu rebuilt; %zu files in %s and %s: %zu "
		        "written, %zu unchanged\n",
		        st.policies_built + st.policies_unchanged, st.policies_built, st.pages,
		        o->out, o->portal, st.written, st.unchanged);
		rc = 0;
	}
	buf_free(&err);
	buf_free(&path);
	content_free(s);
	return rc;
}

static int cmd_review(const struct options *o)
{
	struct content *s = load(o, NULL);
	const char *names[REVIEW_STATUS__MAX] = {"ok", "due soon", "overdue"};
	int overdue = 0;
	size_t i;

	printf("%-32s %-10s %-14s %-10s %s\n", "policy", "version", "next review", "due", "status");
	for (i = 0; i < s->npolicies; i++) {
		const struct policy *p = &s->policies[i];
		const struct version *cur = content_policy_current(p);
		struct buf due = BUF_INIT;
		enum review_status st;
		long days = 0;
		if (cur == NULL || cur->review_written == NULL) {
			printf("%-32s %-10s %-14s %-10s %s\n", p->slug, "-", "-", "-",
			       cur ? "no review date" : "not yet published");
			continue;
		}
		st = review_status(&cur->review, &s->today, (int)o->within, &days);
		date_format_iso(&due, &cur->review.due);
		printf("%-32s %-10s %-14s %-10s %s", p->slug, cur->iso, cur->review_written,
		       buf_str(&due), st < REVIEW_STATUS__MAX ? names[st] : "?");
		if (st == REVIEW_OVERDUE)
			printf(" (%ld days)", -days);
		else if (st == REVIEW_DUE_SOON)
			printf(" (in %ld days)", days);
		putchar('\n');
		overdue += st == REVIEW_OVERDUE;
		buf_free(&due);
	}
	if (overdue)
		fprintf(stderr, "policygen: %d %s overdue for review\n", overdue,
		        overdue == 1 ? "policy is" : "policies are");
	content_free(s);
	return overdue || s->nerrors ? 1 : 0;
}

int main(int argc, char *argv[])
{
	struct options o = {"content",         "templates", "public", "var/portal", ".cache/policygen",
	                    NULL, "/usr/bin/pandoc", {0, 0, 0}, 0, DEFAULT_WITHIN};
	static struct config cfg;
	struct buf err = BUF_INIT;
	const char *cmd, *file = NULL;
	int i, today_given = 0, serve, builds;

	if (argc < 2)
		usage();
	cmd = argv[1];
	serve = strcmp(cmd, "serve") == 0;
	builds = serve || strcmp(cmd, "build") == 0 || strcmp(cmd, "watch") == 0;
	/* The configuration file gives the defaults that the options below override. */
	for (i = 2; i + 1 < argc; i += 2)
		if (strcmp(argv[i], "--config") == 0)
			file = argv[i + 1];
	if (config_setup(&cfg, file, &err) < 0) {
		fprintf(stderr, "policygen: %s", buf_str(&err));
		return 2;
	}
	o.content = config_get(&cfg, CONFIG_CONTENT);
	o.templates = config_get(&cfg, CONFIG_TEMPLATES);
	o.out = config_get(&cfg, CONFIG_OUTPUT);
	o.portal = config_get(&cfg, CONFIG_PORTAL);
	o.state = config_get(&cfg, CONFIG_STATE);
	for (i = 2; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (val == NULL)
			usage();
		i++;
		if (strcmp(opt, "--config") == 0)
			continue;
		if (strcmp(opt, "--content") == 0)
			o.content = val;
		else if (strcmp(opt, "--templates") == 0 && builds)
			o.templates = val;
		else if (strcmp(opt, "--out") == 0 && builds)
			o.out = val;
		else if (strcmp(opt, "--portal") == 0 && builds)
			o.portal = val;
		else if (strcmp(opt, "--state") == 0 && builds)
			o.state = val;
		else if (strcmp(opt, "--lock") == 0 && serve)
			o.lock = val;
		else if (strcmp(opt, "--pandoc") == 0 && serve)
			o.pandoc = val;
		else if (strcmp(opt, "--today") == 0) {
			struct date_error de;
			if (date_parse(&o.today, val, &de) < 0) {
				fprintf(stderr, "policygen: --today: %s\n", date_strerror(&de));
				return 2;
			}
			today_given = 1;
		} else if (strcmp(opt, "--within") == 0 && strcmp(cmd, "review") == 0) {
			char *end;
			errno = 0;
			o.within = strtol(val, &end, 10);
			if (errno || *end || o.within < 0 || o.within > 3660) {
				fprintf(stderr,
				        "policygen: --within takes a number of days, 0 to 3660\n");
				return 2;
			}
		} else
			usage();
	}
	if (serve) {
		/* Without --today, each request reads the clock: the helper lives for days. */
		struct publish_opts po;
		struct buf lock = BUF_INIT;
		int rc;
		memset(&po, 0, sizeof po);
		po.content = o.content;
		po.templates = o.templates;
		po.out = o.out;
		po.portal = o.portal;
		po.state = o.state;
		po.pandoc = o.pandoc;
		if (o.lock == NULL)
			buf_printf(&lock, "%s/.policygen-lock", o.content);
		po.lock = o.lock ? o.lock : buf_str(&lock);
		if (today_given)
			po.today = o.today;
		rc = publish_serve(&po, 0, 1) < 0 ? 1 : 0;
		buf_free(&lock);
		return rc;
	}
	if (!today_given && date_today(&o.today) < 0) {
		fprintf(stderr, "policygen: cannot read the clock; give --today YYYY-MM-DD\n");
		return 2;
	}
	if (strcmp(cmd, "build") == 0)
		return cmd_build(&o);
	if (strcmp(cmd, "watch") == 0) {
		o.today_given = today_given;
		return cmd_watch(&o);
	}
	if (strcmp(cmd, "check") == 0)
		return cmd_check(&o);
	if (strcmp(cmd, "review") == 0)
		return cmd_review(&o);
	usage();
}
