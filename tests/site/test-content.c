/* The content model over tests/golden/content (run from the checkout). */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "content.h"
#include "yml.h"

static struct content *load(const char *today_iso)
{
	struct date today;

	date_parse(&today, today_iso, NULL);
	return content_load("tests/golden/content", &today);
}

static const struct policy *find(const struct content *s, const char *slug)
{
	size_t i;

	for (i = 0; i < s->npolicies; i++)
		if (strcmp(s->policies[i].slug, slug) == 0)
			return &s->policies[i];
	return NULL;
}

static void test_loads_front_matter(void)
{
	struct content *s = load("2026-11-21");
	const struct policy *p = find(s, "conduct");
	const struct version *v;

	CHECK_INT(s->nerrors, 0);
	CHECK_STR(s->langs[0], "en");
	CHECK_STR(s->langs[1], "cy");
	CHECK_STR(s->name[1], "Ysgol Brawf");
	CHECK_STR(s->base_url, "https://policies.example.sch.uk");
	CHECK(p != NULL);
	if (p == NULL)
		goto done;
	CHECK_INT(p->nversions, 2);
	CHECK_INT(p->nprevious, 2);
	v = &p->versions[0];
	CHECK_STR(v->iso, "2024-09-01");
	CHECK_STR(v->text[0]->title, "Code of Conduct for Parents");
	CHECK_STR(v->text[1]->title, "Cod Ymddygiad i Rieni");
	CHECK_STR(v->text[1]->declaration,
		  "Rwyf wedi darllen y cod ymddygiad ac rwy'n cytuno i'w ddilyn.");
	CHECK_STR(v->approved_by, "Full Governing Body");
	CHECK_INT(v->naudience, 2);
	CHECK_STR(v->audience[1], "Carers");
	CHECK_INT(v->review.kind, REVIEW_TERM);
	CHECK_INT(v->resign, 0);
	CHECK_INT(p->versions[1].resign, 1);
	CHECK_INT(p->versions[1].review.kind, REVIEW_MONTH);
	CHECK(p->versions[1].text[1] == NULL);
	CHECK(content_policy_current(p) == &p->versions[1]);
	CHECK(content_policy_latest_in(p, &p->versions[1], 1) == &p->versions[0]);
done:
	content_free(s);
}

static void test_body_skips_front_matter(void)
{
	struct content *s = load("2026-11-21");
	const struct policy *p = find(s, "photos");
	struct buf b = BUF_INIT;

	CHECK(p != NULL && content_body(p->versions[0].text[0], &b) == 0);
	CHECK_STR(buf_str(&b), "Parents may take photographs of **their own** children at performances.\n");
	buf_free(&b);
	content_free(s);
}

static void test_effective_date_publishes(void)
{
	struct content *before = load("2025-01-20"), *after = load("2025-02-01");
	const struct policy *p1 = find(before, "photos"), *p2 = find(after, "photos");

	CHECK(p1 && !p1->versions[0].published && content_policy_current(p1) == NULL);
	CHECK(p2 && p2->versions[0].published);
	CHECK(find(after, "future") && !find(after, "future")->versions[0].published);
	content_free(before);
	content_free(after);
}

static void test_i18n_and_terms(void)
{
	struct content *s = load("2026-11-21");

	CHECK_STR(content_i18n(s, 1, "agreed"), "Cytunwyd");
	CHECK_STR(content_i18n(s, 0, "no-such-key"), "no-such-key");
	CHECK_STR(content_term(s, 1, "Headteacher"), "Pennaeth");
	CHECK_STR(content_term(s, 0, "Headteacher"), "Headteacher");
	CHECK(content_term(s, 1, "Deputy Head") == NULL);
	content_free(s);
}

static void test_yml_refuses_aliases_and_duplicates(void)
{
	struct arena *a = arena_new();
	struct buf err = BUF_INIT;
	const char *dup = "a: 1\na: 2\n", *alias = "a: &x 1\nb: *x\n";

	CHECK(yml_parse(a, dup, strlen(dup), 10, &err) == NULL);
	CHECK(strstr(buf_str(&err), "12: this key is given twice") != NULL);
	buf_reset(&err);
	CHECK(yml_parse(a, alias, strlen(alias), 0, &err) == NULL);
	CHECK(strstr(buf_str(&err), "not allowed") != NULL);
	buf_free(&err);
	arena_free(a);
}

/* Only ordinary files are read: a link, a FIFO or a file over the limit is refused with
 * a message, and a FIFO is refused at once rather than waited on. */
static void test_read_file_refuses_non_files(void)
{
	char dir[] = "/tmp/test-content-XXXXXX", path[128], link[128], fifo[128], why[256];
	struct buf b = BUF_INIT;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/a.md", dir);
	snprintf(link, sizeof link, "%s/link.md", dir);
	snprintf(fifo, sizeof fifo, "%s/fifo.md", dir);
	CHECK((f = fopen(path, "w")) != NULL);
	if (f) {
		fputs("0123456789", f);
		fclose(f);
	}
	CHECK(symlink(path, link) == 0);
	CHECK(mkfifo(fifo, 0600) == 0);

	CHECK_INT(buf_read_regular(path, 10, &b, why, sizeof why), 0);
	CHECK_STR(buf_str(&b), "0123456789");
	buf_reset(&b);
	CHECK_INT(buf_read_regular(path, 9, &b, why, sizeof why), -1);
	CHECK_INT(errno, EFBIG);
	CHECK(strstr(why, "over the limit of 9 bytes") != NULL);
	buf_reset(&b);
	CHECK_INT(buf_read_regular(link, 100, &b, why, sizeof why), -1);
	CHECK(strstr(why, "is a symbolic link") != NULL);
	CHECK_INT(b.len, 0);
	CHECK_INT(buf_read_regular(fifo, 100, &b, why, sizeof why), -1);
	CHECK(strstr(why, "is a FIFO (named pipe), not an ordinary file") != NULL);
	CHECK_INT(buf_read_regular(dir, 100, &b, why, sizeof why), -1);
	CHECK(strstr(why, "is a folder") != NULL);
	CHECK_INT(buf_read_regular("/dev/null", 100, &b, why, sizeof why), -1);
	CHECK(strstr(why, "is a device") != NULL);
	CHECK_INT(b.len, 0);
	unlink(path);
	unlink(link);
	unlink(fifo);
	rmdir(dir);
	buf_free(&b);
}

/* The diagnostics of s, one a line, in order. */
static void diags_text(const struct content *s, struct buf *b)
{
	const struct diag *d;

	for (d = s->diags; d; d = d->next)
		buf_printf(b, "%s:%d: %d %s\n", d->path, d->line, d->level, d->msg);
}

/* content_load with POLICYGEN_JOBS=jobs through the cache file at path (read, then
 * saved); the diagnostics into b. */
static struct content *load_jobs(const char *dir, const char *jobs, const char *path,
                                 struct buf *b)
{
	struct fmcache *c = fmcache_open(path);
	struct content *s;
	struct date today;

	date_parse(&today, "2026-11-21", NULL);
	setenv("POLICYGEN_JOBS", jobs, 1);
	s = content_load_cached(dir, &today, c);
	unsetenv("POLICYGEN_JOBS");
	CHECK(s != NULL);
	if (s)
		diags_text(s, b);
	CHECK_INT(fmcache_save(c, path), 0);
	fmcache_free(c);
	return s;
}

/* A big site is loaded by several threads (content.c, load_shared): the policies, their
 * order, every version's policy, the diagnostics and the front-matter cache saved are
 * those of one thread, with problems in every thread's share, without the cache and with
 * it. */
static void test_threads_load_as_one(void)
{
	char dir[] = "/tmp/test-content-XXXXXX", cmd[1024], one[256], three[256];
	struct buf d1 = BUF_INIT, d3 = BUF_INIT, f1 = BUF_INIT, f3 = BUF_INIT;
	struct content *s1, *s3;
	size_t i, k, pass;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(cmd, sizeof cmd,
	         "cp -RL tests/golden/content '%s/c' && cd '%s/c/policies' && "
	         "for i in $(seq 100 399); do cp -R community p$i; done && "
	         "printf 'wrong: 1\n' >> p120/2024-09-01.en.md && sed -i 's/^---$/--/' "
	         "p250/2024-09-01.cy.md && mkdir Bad p300/x && ln -s ../conduct p390/link.md "
	         "&& rm p399/*",
	         dir, dir);
	CHECK(system(cmd) == 0);
	snprintf(one, sizeof one, "%s/one", dir);
	snprintf(three, sizeof three, "%s/three", dir);
	snprintf(cmd, sizeof cmd, "%s/c", dir);
	for (pass = 0; pass < 2; pass++) { /* the second with the cache files of the first */
		buf_reset(&d1);
		buf_reset(&d3);
		s1 = load_jobs(cmd, "1", one, &d1);
		s3 = load_jobs(cmd, "3", three, &d3);
		if (s1 == NULL || s3 == NULL)
			break;
		CHECK(s1->nerrors > 0 && s1->nwarnings > 0);
		CHECK_INT(s3->nerrors, s1->nerrors);
		CHECK_INT(s3->nwarnings, s1->nwarnings);
		CHECK_STR(buf_str(&d3), buf_str(&d1));
		CHECK_INT(s3->npolicies, s1->npolicies);
		CHECK(s1->npolicies > 300);
		for (i = 0; i < s1->npolicies && i < s3->npolicies; i++) {
			const struct policy *p = &s3->policies[i];
			CHECK_STR(p->slug, s1->policies[i].slug);
			CHECK_INT(p->nversions, s1->policies[i].nversions);
			for (k = 0; k < p->nversions; k++)
				CHECK(p->versions[k].policy == p);
		}
		content_free(s1);
		content_free(s3);
		buf_reset(&f1);
		buf_reset(&f3);
		CHECK_INT(buf_read_file(&f1, one), 0);
		CHECK_INT(buf_read_file(&f3, three), 0);
		CHECK(f1.len > 0 && f1.len == f3.len && memcmp(f1.data, f3.data, f1.len) == 0);
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	buf_free(&d1);
	buf_free(&d3);
	buf_free(&f1);
	buf_free(&f3);
}

int main(void)
{
	RUN(test_read_file_refuses_non_files);
	RUN(test_loads_front_matter);
	RUN(test_body_skips_front_matter);
	RUN(test_effective_date_publishes);
	RUN(test_i18n_and_terms);
	RUN(test_yml_refuses_aliases_and_duplicates);
	RUN(test_threads_load_as_one);
	CHECK_MAIN();
}
