/* Unit tests of arena_printf: results short and long (it formats into a small buffer
 * first, and again into the arena when that is too small); arena_cat. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "check.h"

static void check_len(struct arena *a, size_t n)
{
	char *want = malloc(n + 1), *got;

	memset(want, 'x', n);
	want[n] = '\0';
	if (n >= 3)
		want[0] = '<', want[n - 1] = '>';
	got = arena_printf(a, "%s%.*s%s", n >= 3 ? "<" : "", (int)(n >= 3 ? n - 2 : n),
	                   want + (n >= 3), n >= 3 ? ">" : "");
	CHECK(got != NULL && strlen(got) == n && strcmp(got, want) == 0);
	free(want);
}

static void test_printf_lengths(void)
{
	struct arena *a = arena_new();
	size_t n;

	CHECK_STR(arena_printf(a, "%s/%d", "a", 42), "a/42");
	CHECK_STR(arena_printf(a, "%s", ""), "");
	for (n = 250; n <= 260; n++)
		check_len(a, n);
	check_len(a, 0);
	check_len(a, 5000);
	CHECK(arena_ok(a));
	arena_free(a);
}

/* arena_cat joins what arena_printf("%s%s...") would, at any length and alignment. */
static void test_cat(void)
{
	struct arena *a = arena_new();
	char *big = malloc(20001);
	char *got;

	CHECK_STR(arena_cat(a, NULL), "");
	CHECK_STR(arena_cat(a, "", "", NULL), "");
	CHECK_STR(arena_cat(a, "en", "/policies/", "x", "/", NULL), "en/policies/x/");
	/* More parts than it measures once. */
	CHECK_STR(arena_cat(a, "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "", "12", NULL),
	          "1234567891012");
	memset(big, 'y', 20000);
	big[20000] = '\0';
	got = arena_cat(a, "<", big, ">", NULL);
	CHECK(got != NULL && strlen(got) == 20002 && got[0] == '<' && got[20001] == '>' &&
	      got[1] == 'y' && got[20000] == 'y');
	got = arena_cat(a, "a", NULL);
	CHECK(got != NULL && ((uintptr_t)got % _Alignof(max_align_t)) == 0);
	CHECK_STR(got, "a");
	CHECK(arena_ok(a));
	free(big);
	arena_free(a);
}

int main(void)
{
	RUN(test_printf_lengths);
	RUN(test_cat);
	CHECK_MAIN();
}
