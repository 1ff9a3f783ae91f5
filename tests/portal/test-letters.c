/* Letters (issue 12): ordered by class then surname, with each child's name and class;
 * class names in Welsh through the i18n strings. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "settings.h"
#include "date.h"
#include "db.h"
#include "letters.h"
#include "roster.h"
#include "testdb.h"

/* The refs and sort classes of the letters for f: "F3:Year 1 F1:Year 2 ...". */
static const char *order(struct db *db, const struct letters_filter *f)
{
	static char out[512];
	struct arena *a = arena_new();
	struct buf err = BUF_INIT;
	struct letter *l;
	size_t n, i;

	out[0] = '\0';
	if (letters_select(db, f, a, &l, &n, &err) < 0)
		snprintf(out, sizeof out, "(%s)", buf_str(&err));
	else
		for (i = 0; i < n; i++)
			snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s:%s", i ? " " : "",
			         l[i].family_ref, l[i].class_name ? l[i].class_name : "-");
	buf_free(&err);
	arena_free(a);
	return out;
}

static void test_order(void)
{
	static const char csv[] = "family_ref,child_ref,first_name,last_name,class\n"
	                          "F1,C1,Ann,Williams,Year 2\n"
	                          "F2,C2,Ben,adams,Year 2\n"
	                          "F3,C3,Cai,Zeller,Year 1\n"
	                          "F4,C4,Dai,Brown,Reception\n"
	                          "F4,C5,Eli,Brown,Year 2\n";
	struct db *db = testdb_new();
	struct buf rep = BUF_INIT;
	struct roster_counts n;
	struct letters_filter f = {0};
	struct arena *a = arena_new();
	struct buf err = BUF_INIT;
	struct letter *l;
	size_t k;

	CHECK_INT(roster_import(db, "f.csv", csv, strlen(csv), "2026-09-01", 0, &n, &rep), 0);
	/* By class, then surname whatever its case; a family under its first child. */
	CHECK_STR(order(db, &f), "F4:Reception F3:Year 1 F2:Year 2 F1:Year 2");
	/* One class's letters: the Browns under Eli's Year 2, by surname among the class. */
	f.class_name = "Year 2";
	CHECK_STR(order(db, &f), "F2:Year 2 F4:Year 2 F1:Year 2");
	/* Every child named, with their class. */
	f.class_name = NULL;
	f.family_ref = "F4";
	CHECK_INT(letters_select(db, &f, a, &l, &k, &err), 0);
	CHECK_INT(k, 1);
	if (k == 1) {
		CHECK_INT(l[0].nchildren, 2);
		CHECK_STR(l[0].first_names[1], "Eli");
		CHECK_STR(l[0].last_names[1], "Brown");
		CHECK_STR(l[0].classes[0], "Reception");
	}
	arena_free(a);
	buf_free(&err);
	buf_free(&rep);
	testdb_free(db);
}

static void test_class_names(void)
{
	struct settings *s = settings_load("content", NULL, NULL);
	struct arena *a = arena_new();
	int cy, en;

	CHECK(s != NULL);
	if (s == NULL)
		return;
	cy = settings_lang(s, "cy");
	en = settings_lang(s, "en");
	CHECK(cy >= 0 && en >= 0);
	CHECK_STR(letters_class_name(a, s, (size_t)cy, "Nursery"), "Meithrin");
	CHECK_STR(letters_class_name(a, s, (size_t)cy, "reception"), "Derbyn");
	CHECK_STR(letters_class_name(a, s, (size_t)cy, "Year 1"), "Blwyddyn 1");
	CHECK_STR(letters_class_name(a, s, (size_t)cy, "YEAR 13"), "Blwyddyn 13");
	CHECK_STR(letters_class_name(a, s, (size_t)en, "Year 4"), "Year 4");
	CHECK_STR(letters_class_name(a, s, (size_t)en, "Reception"), "Reception");
	/* Anything else as imported. */
	CHECK_STR(letters_class_name(a, s, (size_t)cy, "Year 14"), "Year 14");
	CHECK_STR(letters_class_name(a, s, (size_t)cy, "Year 0"), "Year 0");
	CHECK_STR(letters_class_name(a, s, (size_t)cy, "Year 4B"), "Year 4B");
	CHECK_STR(letters_class_name(a, s, (size_t)cy, "4P"), "4P");
	CHECK_STR(letters_class_name(a, s, (size_t)cy, "Dosbarth Derw"), "Dosbarth Derw");
	arena_free(a);
	settings_free(s);
}

int main(void)
{
	RUN(test_order);
	RUN(test_class_names);
	CHECK_MAIN();
}
