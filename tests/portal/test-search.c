/* The office's search: queries folded and quoted for FTS5, and the table of
 * names found however they are typed, with results by class and surname. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "db.h"
#include "roster.h"
#include "search.h"
#include "testdb.h"

static void test_query(void)
{
	char out[256];

	CHECK_INT(search_query("gwen", out, sizeof out), 1);
	CHECK_STR(out, "\"gwen\"*");
	CHECK_INT(search_query("  O'Brien   Siân ", out, sizeof out), 2);
	CHECK_STR(out, "\"OBrien\"* \"Siân\"*");
	CHECK_INT(search_query("O’Brien", out, sizeof out), 1);
	CHECK_STR(out, "\"OBrien\"*");
	CHECK_INT(search_query("Pritchard-Jones", out, sizeof out), 1);
	CHECK_STR(out, "\"PritchardJones\"*");
	/* FTS5 syntax is data: quotes and stars end a word, NEAR and OR are words. */
	CHECK_INT(search_query("a\"b* OR NEAR(c)", out, sizeof out), 4);
	CHECK_STR(out, "\"a\"* \"b\"* \"OR\"* \"NEAR(c)\"*");
	CHECK_INT(search_query("'' -", out, sizeof out), 0);
	CHECK_STR(out, "");
	CHECK_INT(search_query("a b c d e f g h i j", out, sizeof out), SEARCH_MAX_WORDS);
	CHECK_INT(search_query("gwenllian", out, 8), -1);
	CHECK_INT(search_query("x\xff", out, sizeof out), -1);
}

/* The refs of the families found for q, in order, space-separated. */
static const char *found(struct db *db, const char *q)
{
	static char out[512];
	struct search_filter f = {.q = q, .limit = 50};
	struct search_family *v;
	struct arena *a = arena_new();
	size_t n, i;
	int more;

	out[0] = '\0';
	if (search_families(db, &f, a, &v, &n, &more) < 0)
		snprintf(out, sizeof out, "(error %s)", db_errmsg(db));
	else
		for (i = 0; i < n; i++)
			snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? " " : "",
			         v[i].ref);
	arena_free(a);
	return out;
}

static void test_names(void)
{
	static const char csv[] = "family_ref,child_ref,first_name,last_name,class,carers\n"
	                          "F1,C1,Gwenllïan,Pritchard-Jones,Year 4,Elin Pritchard-Jones\n"
	                          "F1,C2,Llŷr,Pritchard-Jones,Reception,Elin Pritchard-Jones\n"
	                          "F2,C3,Siân,O'Brien,Year 2,Máire O’Brien\n"
	                          "F3,C4,Rhys,ap Gwyn,Year 2,Gwen ap Gwyn\n"
	                          "F4,C5,Ann,Adams,Year 2,Bob Adams\n"
	                          "F5,C6,Zac,Young,Nursery,Zoe Young\n";
	struct db *db = testdb_new();
	struct buf rep = BUF_INIT;
	struct roster_counts n;
	struct search_filter f = {.limit = 2};
	struct search_family *v;
	struct arena *a = arena_new();
	size_t k;
	int more;

	CHECK_INT(roster_import(db, "f.csv", csv, strlen(csv), "2026-09-01", 0, &n, &rep), 0);
	CHECK_STR(found(db, "sian"), "F2");
	CHECK_STR(found(db, "SIAN"), "F2");
	CHECK_STR(found(db, "gwenllian"), "F1");
	CHECK_STR(found(db, "llyr"), "F1");
	CHECK_STR(found(db, "Llŷr"), "F1");
	CHECK_STR(found(db, "obrien"), "F2");
	CHECK_STR(found(db, "O'Brien"), "F2");
	CHECK_STR(found(db, "O’Brien"), "F2");
	CHECK_STR(found(db, "maire"), "F2");
	CHECK_STR(found(db, "pritchardjones"), "F1");
	CHECK_STR(found(db, "jones"), "F1");
	CHECK_STR(found(db, "C5"), "F4");
	CHECK_STR(found(db, "f3"), "F3");
	/* A prefix finds every match, by class (a family's first child's) then surname, case
	 * aside: Reception (Llŷr), then Year 2 (the carer Gwen ap Gwyn). */
	CHECK_STR(found(db, "gwen"), "F1 F3");
	CHECK_STR(found(db, "a"), "F4 F3"); /* Ann Adams; ap Gwyn */
	CHECK_STR(found(db, "nobody"), "");
	CHECK_STR(found(db, "%"), "");
	/* No query: everyone by class then surname, a page at a time. */
	CHECK_STR(found(db, ""), "F5 F1 F4 F3 F2"); /* Adams, ap Gwyn, O'Brien */
	CHECK_INT(search_families(db, &f, a, &v, &k, &more), 0);
	CHECK_INT(k, 2);
	CHECK_INT(more, 1);
	f.offset = 4;
	CHECK_INT(search_families(db, &f, a, &v, &k, &more), 0);
	CHECK_INT(k, 1);
	CHECK_INT(more, 0);
	CHECK_STR(v[0].ref, "F2");
	CHECK_STR(v[0].first_class, "Year 2");
	arena_free(a);
	buf_free(&rep);
	testdb_free(db);
}

int main(void)
{
	RUN(test_query);
	RUN(test_names);
	CHECK_MAIN();
}
