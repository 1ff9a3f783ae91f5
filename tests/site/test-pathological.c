/* libcmark's known pathological inputs (the patterns of cmark's own
 * test/pathological_tests.py), each grown to the largest policy file allowed
 * (CONTENT_MAX_FILE): none may take more than a second of CPU to render. libcmark 0.30 is
 * superlinear on some of them ("![[]()" repeated: 3.5 s at 256 KiB on the reference
 * machine), so the size limit is what keeps a hostile or mistaken file from stalling a
 * build. CPU time, not wall time, so other work on the machine does not make it fail. */
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "content.h"
#include "site.h"

#define LIMIT_SECONDS 1.0

struct pattern {
	const char *name, *prefix, *unit, *suffix;
};

static const struct pattern patterns[] = {
    {"nested strong emph", "", "*a **a ", "b"},
    {"many emph closers with no openers", "", "a_ ", ""},
    {"many emph openers with no closers", "", "_a ", ""},
    {"many link closers with no openers", "", "a]", ""},
    {"many link openers with no closers", "", "[a", ""},
    {"mismatched openers and closers", "", "*a_ ", ""},
    {"openers and closers multiple of 3", "a**b", "c* ", ""},
    {"link openers and emph closers", "", "[ a_", ""},
    {"pattern [ (]( repeated", "", "[ (](", ""},
    {"pattern ![[]() repeated", "", "![[]()", ""},
    {"hard link/emph case", "", "**x [a*b**c*](d)", ""},
    {"nested brackets", "", "[", "a"},
    {"nested block quotes", "", "> ", "a"},
    {"deeply nested lists", "", "* a\n  ", ""},
    {"U+0000 in input", "",
     "abc\xEF\xBF\xBD"
     "de",
     ""},
    {"backticks", "", "e``", ""},
    {"unclosed links A", "", "[a](<b", ""},
    {"unclosed links B", "", "[a](b", ""},
    {"unclosed <!--", "</", "<!--", ""},
    {"many references", "", "[x]: u\n", "[x]"},
    {"many backslashes", "", "\\\\", ""},
    {"entities", "", "&#", ""},
    {"processing instructions", "", "a <?xml ", ""},
    {"declarations", "", "a <!A ", ""},
    {"CDATA", "", "a <![CDATA[", ""},
};

/* prefix, unit repeated, suffix: exactly max bytes or just under. */
static char *grow(const struct pattern *p, size_t max, size_t *len)
{
	size_t u = strlen(p->unit), a = strlen(p->prefix), z = strlen(p->suffix), n;
	char *s = malloc(max + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, p->prefix, a);
	for (n = a; n + u + z <= max; n += u)
		memcpy(s + n, p->unit, u);
	memcpy(s + n, p->suffix, z);
	n += z;
	s[n] = '\0';
	*len = n;
	return s;
}

static double cpu_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void test_pathological_inputs_at_the_limit(void)
{
	size_t i, len;

	for (i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
		char *md = grow(&patterns[i], CONTENT_MAX_FILE, &len);
		struct buf html = BUF_INIT;
		double t0, took;

		CHECK(md != NULL);
		if (md == NULL)
			continue;
		CHECK(len > CONTENT_MAX_FILE - 64);
		t0 = cpu_seconds();
		CHECK_INT(site_markdown(&html, md, len), 0);
		took = cpu_seconds() - t0;
		if (took > LIMIT_SECONDS) {
			printf("  %s: %.2f s for %zu bytes, over %.1f s\n", patterns[i].name, took,
			       len, LIMIT_SECONDS);
			check_failed_now = 1;
		}
		buf_free(&html);
		free(md);
	}
}

/* The test can fail: the same pattern well over the limit is slow, so the limit matters. */
static void test_over_the_limit_is_slower(void)
{
	static const struct pattern p = {"", "", "![[]()", ""};
	size_t small_len, big_len;
	char *small = grow(&p, CONTENT_MAX_FILE / 4, &small_len);
	char *big = grow(&p, CONTENT_MAX_FILE, &big_len);
	struct buf html = BUF_INIT;
	double t0, t_small, t_big;

	CHECK(small && big);
	if (small && big) {
		t0 = cpu_seconds();
		site_markdown(&html, small, small_len);
		t_small = cpu_seconds() - t0;
		buf_reset(&html);
		t0 = cpu_seconds();
		site_markdown(&html, big, big_len);
		t_big = cpu_seconds() - t0;
		/* Linear would be 4 times; libcmark is well over that here. */
		CHECK(t_big > 6 * t_small);
	}
	buf_free(&html);
	free(small);
	free(big);
}

int main(void)
{
	RUN(test_pathological_inputs_at_the_limit);
	RUN(test_over_the_limit_is_slower);
	CHECK_MAIN();
}
