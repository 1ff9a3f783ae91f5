/* Unit tests of yml's look-ups: a mapping of YML_INDEX_MIN entries or more is indexed and
 * found by binary search, and must answer as the entries read in turn do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "yml.h"

/* Every key of a mapping of n entries named k<i*7 mod n> (so not in order), plus prefixes
 * of one another, is found with its own value; keys that are not there are not. */
static void check_map(size_t n)
{
	struct arena *a = arena_new();
	struct buf text = BUF_INIT, err = BUF_INIT;
	const struct yml *y, *e;
	char key[32];
	size_t i;

	for (i = 0; i < n; i++)
		buf_printf(&text, "k%03zu: value %zu\n", (i * 7) % n, (i * 7) % n);
	buf_puts(&text, "a: 1\nab: 2\nabc: 3\nnested:\n  x: y\n");
	y = yml_parse(a, buf_str(&text), text.len, 0, &err);
	CHECK(y != NULL);
	if (y == NULL) {
		printf("  %s", buf_str(&err));
		goto out;
	}
	CHECK_INT(y->count, n + 4);
	CHECK((y->index != NULL) == (n + 4 >= YML_INDEX_MIN));
	for (i = 0; i < n; i++) {
		char want[32];
		snprintf(key, sizeof key, "k%03zu", i);
		snprintf(want, sizeof want, "value %zu", i);
		e = yml_get(y, key);
		CHECK(e != NULL && strcmp(e->value, want) == 0);
	}
	CHECK_STR(yml_get(y, "a")->value, "1");
	CHECK_STR(yml_get(y, "ab")->value, "2");
	CHECK_STR(yml_get(y, "abc")->value, "3");
	CHECK_STR(yml_get(yml_get(y, "nested"), "x")->value, "y");
	CHECK(yml_get(y, "abcd") == NULL);
	CHECK(yml_get(y, "aa") == NULL);
	CHECK(yml_get(y, "") == NULL);
	CHECK(yml_get(y, "k") == NULL);
	snprintf(key, sizeof key, "k%03zu", n);
	CHECK(yml_get(y, key) == NULL);
	CHECK(yml_get(yml_get(y, "a"), "x") == NULL); /* a scalar has no entries */
	snprintf(key, sizeof key, "k%03zu", 7 % n);   /* the order written is kept */
	CHECK_STR(y->first->next->key, key);
out:
	buf_free(&text);
	buf_free(&err);
	arena_free(a);
}

static void test_small_and_large_maps(void)
{
	check_map(2);
	check_map(YML_INDEX_MIN - 5); /* one under with the four others */
	check_map(YML_INDEX_MIN - 4);
	check_map(100);
	check_map(401);
}

/* A key given twice is still an error in a large mapping. */
static void test_duplicate_in_large_map(void)
{
	struct arena *a = arena_new();
	struct buf text = BUF_INIT, err = BUF_INIT;
	size_t i;

	for (i = 0; i < 50; i++)
		buf_printf(&text, "k%zu: v\n", i);
	buf_puts(&text, "k17: again\n");
	CHECK(yml_parse(a, buf_str(&text), text.len, 0, &err) == NULL);
	CHECK(strstr(buf_str(&err), "51: this key is given twice") != NULL);
	buf_free(&text);
	buf_free(&err);
	arena_free(a);
}

int main(void)
{
	RUN(test_small_and_large_maps);
	RUN(test_duplicate_in_large_map);
	CHECK_MAIN();
}
