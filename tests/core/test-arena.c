/* Unit tests of arena_printf: results short and long (it formats into a small buffer
 * first, and again into the arena when that is too small). */
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

int main(void)
{
	RUN(test_printf_lengths);
	CHECK_MAIN();
}
