/* The folder the generator hands to the portal: text paths, the hash check on reading a
 * signable text, and reviews.tsv. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "arena.h"
#include "buf.h"
#include "check.h"
#include "handoff.h"

static char dir[] = "/tmp/test-handoff-XXXXXX";

static void put(const char *rel, const char *text)
{
	check_put(dir, rel, text);
}

static void test_text_paths(void)
{
	struct arena *a = arena_new();

	CHECK_STR(handoff_text_rel(a, "code-of-conduct", "2026-09-01", "cy"),
	          "texts/code-of-conduct/2026-09-01.cy.html");
	/* Nothing that could lead out of the folder, or into another file. */
	CHECK(handoff_text_rel(a, "../etc", "2026-09-01", "en") == NULL);
	CHECK(handoff_text_rel(a, "a/b", "2026-09-01", "en") == NULL);
	CHECK(handoff_text_rel(a, "-x", "2026-09-01", "en") == NULL);
	CHECK(handoff_text_rel(a, "", "2026-09-01", "en") == NULL);
	CHECK(handoff_text_rel(a, "conduct", "2026-09-01/..", "en") == NULL);
	CHECK(handoff_text_rel(a, "conduct", "2026-09-01", "e/n") == NULL);
	CHECK(handoff_text_rel(a, "conduct", "2026-09-01", "engl") == NULL);
	arena_free(a);
}

static void test_text_read_checks_hash(void)
{
	/* a SHA-256, of some other text */
	const char *sha = "8d0fb6e8f1ad1dcbc9c4e3a1e1b4ea8dbd4ccbb5ed1b5cbbce0b6c4ea4c2a1e4";
	char path[256], hex[65];
	struct buf out = BUF_INIT;
	FILE *p;

	snprintf(path, sizeof path, "%s/texts", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/texts/conduct", dir);
	mkdir(path, 0755);
	put("texts/conduct/2026-09-01.en.html", "<p>Hi</p>\n");
	/* The real hash, from the system's sha256sum. */
	snprintf(path, sizeof path, "sha256sum %s/texts/conduct/2026-09-01.en.html", dir);
	hex[0] = '\0';
	if ((p = popen(path, "r")) != NULL) {
		if (fscanf(p, "%64s", hex) != 1)
			hex[0] = '\0';
		pclose(p);
	}
	CHECK_INT(strlen(hex), 64);
	CHECK_INT(handoff_text_read(dir, "conduct", "2026-09-01", "en", hex, &out),
	          HANDOFF_TEXT_OK);
	CHECK_STR(buf_str(&out), "<p>Hi</p>\n");
	buf_reset(&out);
	CHECK_INT(handoff_text_read(dir, "conduct", "2026-09-01", "en", sha, &out),
	          HANDOFF_TEXT_CHANGED);
	CHECK_INT(out.len, 0);
	CHECK_INT(handoff_text_read(dir, "conduct", "2026-09-01", "cy", hex, &out),
	          HANDOFF_TEXT_UNREADABLE);
	CHECK_INT(handoff_text_read(dir, "../conduct", "2026-09-01", "en", hex, &out),
	          HANDOFF_TEXT_UNREADABLE);
	CHECK_INT(errno, EINVAL);
	/* A text over the limit is not read at all. */
	snprintf(path, sizeof path, "%s/texts/conduct/2026-09-02.en.html", dir);
	if ((p = fopen(path, "w")) != NULL) {
		CHECK(fseek(p, HANDOFF_MAX_TEXT, SEEK_SET) == 0 && fputc('x', p) == 'x');
		fclose(p);
	}
	CHECK_INT(handoff_text_read(dir, "conduct", "2026-09-02", "en", hex, &out),
	          HANDOFF_TEXT_UNREADABLE);
	CHECK_INT(errno, EFBIG);
	CHECK_INT(out.len, 0);
	buf_free(&out);
}

static void test_reviews(void)
{
	struct arena *a = arena_new();
	struct handoff_review *r = NULL;
	struct buf tsv = BUF_INIT, err = BUF_INIT;
	long n;

	handoff_review_line(&tsv, "conduct", "2025-09-01", "Spring 2026", "Code of Conduct");
	handoff_review_line(&tsv, "photos", "2025-01-15", NULL, "Photographs");
	put("reviews.tsv", buf_str(&tsv));
	n = handoff_reviews_read(dir, a, &r, &err);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(r[0].slug, "conduct");
		CHECK_STR(r[0].review_written, "Spring 2026");
		CHECK_INT(r[0].review.kind, REVIEW_TERM);
		CHECK_INT(r[0].review.due.m, 4);
		CHECK_STR(r[0].title, "Code of Conduct");
		CHECK_STR(r[1].review_written, "");
		CHECK_INT(r[1].review.due.y, 0);
	}
	put("reviews.tsv", "conduct\t2025-09-01\tSprng 2026\tCode\n");
	CHECK_INT(handoff_reviews_read(dir, a, &r, &err), -1);
	CHECK(strstr(buf_str(&err), "reviews.tsv:1: not slug, version, review date and title") !=
	      NULL);
	buf_reset(&err);
	put("reviews.tsv", "../x\t2025-09-01\t\tCode\n");
	CHECK_INT(handoff_reviews_read(dir, a, &r, &err), -1);
	buf_reset(&err);
	put("reviews.tsv", "conduct\t2025-09-01\t\tCode");
	CHECK_INT(handoff_reviews_read(dir, a, &r, &err), -1);
	CHECK(strstr(buf_str(&err), ":1: the last line is cut short") != NULL);
	buf_reset(&err);
	CHECK_INT(handoff_reviews_read("/nonexistent", a, &r, &err), -1);
	CHECK(strstr(buf_str(&err), "run policygen build --portal /nonexistent") != NULL);
	buf_free(&tsv);
	buf_free(&err);
	arena_free(a);
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	RUN(test_text_paths);
	RUN(test_text_read_checks_hash);
	RUN(test_reviews);
	if (check_remove(dir) < 0)
		return 1;
	CHECK_MAIN();
}
