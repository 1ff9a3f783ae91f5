/* The content model over tests/golden/content (run from the checkout). */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "content.h"
#include "yml.h"

static struct site *load(const char *today_iso)
{
	struct date today;

	date_parse(&today, today_iso, NULL);
	return content_load("tests/golden/content", &today);
}

static const struct policy *find(const struct site *s, const char *slug)
{
	size_t i;

	for (i = 0; i < s->npolicies; i++)
		if (strcmp(s->policies[i].slug, slug) == 0)
			return &s->policies[i];
	return NULL;
}

static void test_loads_front_matter(void)
{
	struct site *s = load("2026-11-21");
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
	CHECK(policy_current(p) == &p->versions[1]);
	CHECK(policy_latest_in(p, &p->versions[1], 1) == &p->versions[0]);
done:
	content_free(s);
}

static void test_body_skips_front_matter(void)
{
	struct site *s = load("2026-11-21");
	const struct policy *p = find(s, "photos");
	struct buf b = BUF_INIT;

	CHECK(p != NULL && content_body(p->versions[0].text[0], &b) == 0);
	CHECK_STR(buf_str(&b), "Parents may take photographs of **their own** children at performances.\n");
	buf_free(&b);
	content_free(s);
}

static void test_effective_date_publishes(void)
{
	struct site *before = load("2025-01-20"), *after = load("2025-02-01");
	const struct policy *p1 = find(before, "photos"), *p2 = find(after, "photos");

	CHECK(p1 && !p1->versions[0].published && policy_current(p1) == NULL);
	CHECK(p2 && p2->versions[0].published);
	CHECK(find(after, "future") && !find(after, "future")->versions[0].published);
	content_free(before);
	content_free(after);
}

static void test_i18n_and_terms(void)
{
	struct site *s = load("2026-11-21");

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

int main(void)
{
	RUN(test_read_file_refuses_non_files);
	RUN(test_loads_front_matter);
	RUN(test_body_skips_front_matter);
	RUN(test_effective_date_publishes);
	RUN(test_i18n_and_terms);
	RUN(test_yml_refuses_aliases_and_duplicates);
	CHECK_MAIN();
}
