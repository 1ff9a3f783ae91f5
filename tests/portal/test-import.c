/* Importing what school information systems export (issue 12): header names (mis.h),
 * language values, --map, families formed from siblings, the dry-run plan, the leavers
 * guard, absent columns, and the synthetic SIMS, Arbor and Bromcom exports in
 * tests/fixtures/. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "consent.h"
#include "db.h"
#include "mis.h"
#include "roster.h"
#include "search.h"
#include "token.h"
#include "testdb.h"

/* A test database as consentctl init leaves it: the schema, then the family key. */
static struct db *init_db(void)
{
	unsigned char key[TOKEN_KEY_LEN];
	struct db *db = testdb_new();

	if (db && consent_secret_key(db, "family", key) < 0) {
		printf("  db: cannot make the family key\n");
		testdb_free(db);
		db = NULL;
	}
	return db;
}

static int import_with(struct db *db, const char *s, const struct roster_opts *o,
                       struct roster_counts *n, struct buf *rep)
{
	buf_reset(rep);
	return roster_import_opts(db, "x.csv", s, strlen(s), o, n, rep);
}

static int import(struct db *db, const char *s, unsigned flags, struct roster_counts *n,
                  struct buf *rep)
{
	struct roster_opts o = {.today = "2026-09-01", .flags = flags};

	return import_with(db, s, &o, n, rep);
}

/* The whole of a fixture file. */
static const char *fixture(struct buf *b, const char *name)
{
	char p[128];

	buf_reset(b);
	snprintf(p, sizeof p, "tests/fixtures/%s", name);
	if (buf_read_file(b, p) < 0) {
		printf("  cannot read %s\n", p);
		return "";
	}
	return buf_str(b);
}

/* A new database with the fixture name imported, its report in rep. */
static struct db *fixture_db(const char *name, struct buf *rep)
{
	struct buf file = BUF_INIT;
	struct roster_counts n;
	struct db *db = init_db();

	CHECK_INT(import(db, fixture(&file, name), 0, &n, rep), 0);
	buf_free(&file);
	return db;
}

/* The carers of the family of the child with reference ref. */
static const char *carers_of(struct db *db, const char *ref)
{
	char sql[160];

	snprintf(sql, sizeof sql,
	         "SELECT f.carers FROM family f JOIN child c ON c.family_id = f.id"
	         " WHERE c.ref = '%s'",
	         ref);
	return testdb_str(db, sql);
}

static void test_language_values(void)
{
	CHECK_STR(mis_language("English"), "en");
	CHECK_STR(mis_language("ENG"), "en");
	CHECK_STR(mis_language(" en "), "en");
	CHECK_STR(mis_language("Saesneg"), "en");
	CHECK_STR(mis_language("Welsh"), "cy");
	CHECK_STR(mis_language("WEL"), "cy");
	CHECK_STR(mis_language("Cymraeg"), "cy");
	CHECK_STR(mis_language("cy"), "cy");
	CHECK_STR(mis_language("CY"), "cy");
	CHECK_STR(mis_language(""), "");
	CHECK_STR(mis_language("  "), "");
	CHECK(mis_language("Polish") == NULL);
	CHECK(mis_language("fr") == NULL);
	CHECK(mis_language("-") == NULL);
}

static void test_header_names(void)
{
	static const char *const sims[] = {
	    "Adno",      "UPN",        "Legal Surname",   "Legal Forename", "Preferred Forename",
	    "REG-GROUP", "Year Group", "Primary Contact", "Contact 2 Name", "Home Language",
	    "DOB"};
	static const char *const odd[] = {"Pupil No", "Name", "Family", "Group", "Mum", "Dad"};
	struct mis_columns c;
	struct buf err = BUF_INIT, out = BUF_INIT;

	CHECK_INT(mis_match(sims, 11, NULL, &c, &err), 0);
	CHECK_INT(c.ncol[MIS_FAMILY], 0);
	CHECK_INT(c.ncol[MIS_CHILD], 2);
	CHECK_INT(c.col[MIS_CHILD][0], 0); /* admission number before UPN */
	CHECK_INT(c.col[MIS_FIRST][0], 4); /* preferred before legal */
	CHECK_INT(c.col[MIS_FIRST][1], 3);
	CHECK_INT(c.col[MIS_CLASS][0], 5); /* punctuation and case ignored */
	CHECK_INT(c.col[MIS_CLASS][1], 6); /* year group as the fallback */
	CHECK_INT(c.ncol[MIS_CARERS], 2);
	CHECK_INT(c.col[MIS_LANGUAGE][0], 9);
	CHECK_INT(mis_missing(&c, &out), 0);
	mis_describe(sims, 11, &c, &out);
	CHECK(strstr(buf_str(&out), "  class         \"REG-GROUP\", then \"Year Group\"\n") !=
	      NULL);
	CHECK(strstr(buf_str(&out), "  ignored:      \"DOB\"\n") != NULL);

	/* An export nobody knows: nothing but the family matches, until --map names them. */
	buf_reset(&out);
	CHECK_INT(mis_match(odd, 6, NULL, &c, &err), 0);
	CHECK_INT(mis_missing(&c, &out), 4);
	CHECK_STR(buf_str(&out), "child_ref, first_name, last_name, class");
	CHECK_INT(mis_match(odd, 6,
	                    "child_ref=Pupil No,first_name=Name,last_name=Family,class=group,"
	                    "carers=Mum,Dad,family_ref=",
	                    &c, &err),
	          0);
	CHECK_STR(buf_str(&err), "");
	CHECK_INT(c.col[MIS_CHILD][0], 0);
	CHECK_INT(c.col[MIS_LAST][0], 2);
	CHECK_INT(c.col[MIS_CLASS][0], 3);
	CHECK_INT(c.ncol[MIS_CARERS], 2);
	CHECK_INT(c.ncol[MIS_FAMILY], 0); /* mapped to nothing: "Family" is the surname */
	CHECK_INT(mis_match(odd, 6, "klass=Group", &c, &err), -1);
	CHECK(strstr(buf_str(&err), "--map: 'klass' is not a field") != NULL);
	buf_reset(&err);
	CHECK_INT(mis_match(odd, 6, "class=Form", &c, &err), -1);
	CHECK_STR(buf_str(&err), "--map: the file has no column 'Form' (for class)\n");
	buf_reset(&err);
	CHECK_INT(mis_match(odd, 6, "Group", &c, &err), -1);
	CHECK(strstr(buf_str(&err), "needs a field first") != NULL);
	buf_free(&err);
	buf_free(&out);
}

/* Each fixture imports, a second import changes nothing, siblings share a family. */
static void check_fixture(const char *name, const char *sibling_a, const char *sibling_b,
                          long children, long families)
{
	struct db *db = init_db();
	struct buf rep = BUF_INIT, file = BUF_INIT;
	struct roster_counts n;
	char sql[256];
	const char *csv = fixture(&file, name);

	CHECK_INT(import(db, csv, 0, &n, &rep), 0);
	if (n.children_added != children || n.families_added != families)
		printf("  %s: %s", name, buf_str(&rep));
	CHECK_INT(n.children_added, children);
	CHECK_INT(n.families_added, families);
	CHECK(strstr(buf_str(&rep), "grouped into families by their primary contact") != NULL);
	snprintf(sql, sizeof sql,
	         "SELECT count(DISTINCT family_id) FROM child WHERE ref IN ('%s', '%s')", sibling_a,
	         sibling_b);
	CHECK_INT(testdb_int(db, sql), 1);
	CHECK_INT(import(db, csv, 0, &n, &rep), 0);
	CHECK_INT(n.children_unchanged, children);
	CHECK_INT(n.families_unchanged, families);
	CHECK_INT(n.children_added + n.children_updated + n.children_left + n.families_updated, 0);
	CHECK(strstr(buf_str(&rep), "No changes.\n") != NULL);
	buf_free(&rep);
	buf_free(&file);
	testdb_free(db);
}

static void test_fixture_sims(void)
{
	struct db *db;
	struct buf rep = BUF_INIT;

	/* Siblings by email in any case (001001/2), by phone in two spellings (001003/4). */
	check_fixture("sims.csv", "001001", "001002", 8, 6);
	check_fixture("sims.csv", "001003", "001004", 8, 6);
	db = fixture_db("sims.csv", &rep);
	/* Legal forename only; preferred forename when there is one. */
	CHECK_STR(testdb_str(db, "SELECT first_name FROM child WHERE ref = '001001'"), "Gwenllïan");
	CHECK_STR(testdb_str(db, "SELECT first_name FROM child WHERE ref = '001005'"), "Llew");
	/* Reg group, else year group. */
	CHECK_STR(testdb_str(db, "SELECT class FROM child WHERE ref = '001002'"), "Reception");
	CHECK_STR(testdb_str(db, "SELECT class FROM child WHERE ref = '001001'"), "4P");
	/* Language values: Welsh, Cymraeg, ENG, WEL, saesneg, Polish (a note), cy. */
	CHECK_STR(
	    testdb_str(db,
	               "SELECT group_concat(c.ref || '=' || f.language, ' ') FROM (SELECT * FROM"
	               " child ORDER BY ref) c JOIN family f ON f.id = c.family_id"),
	    "001001=cy 001002=cy 001003=en 001004=en 001005=cy 001006=en 001007=en 001008=cy");
	CHECK(strstr(buf_str(&rep), "x.csv:7: language \"Polish\" is neither English nor Welsh") !=
	      NULL);
	/* A quoted comma stays in the name; a line break is a space, not a second carer. */
	CHECK_STR(carers_of(db, "001006"), "Evans, Rachel (foster carer)");
	CHECK_STR(carers_of(db, "001007"), "Tom Williams");
	CHECK_STR(carers_of(db, "001001"), "Elin Pritchard-Jones; Rhodri Jones");
	/* A cell starting with '=' is a name like any other (exports neutralise it). */
	CHECK_STR(testdb_str(db, "SELECT first_name FROM child WHERE ref = '001006'"), "=SUM(1+1)");
	/* Ffion has no contact at all: a family of her own, with a note. */
	CHECK(strstr(buf_str(&rep), "x.csv:10: no contact email, phone, or carer with an address "
	                            "for Ffion Jones") != NULL);
	CHECK(strstr(buf_str(&rep), "6 children") == NULL);
	CHECK(strstr(buf_str(&rep), "8 children without a family reference were grouped into "
	                            "families by their primary contact; 2 of those families have "
	                            "more than one child:\n") != NULL);
	/* Derived references look alike and are stable: "FAM-" and 10 characters. */
	CHECK_INT(testdb_int(db,
	                     "SELECT count(*) FROM family WHERE ref GLOB 'FAM-[0-9A-Z][0-9A-Z]"
	                     "[0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]'"),
	          6);
	/* The import event says who and which file, without personal data. */
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM event WHERE kind = 'import'"), 1);
	buf_free(&rep);
	testdb_free(db);
}

static void test_fixture_arbor(void)
{
	struct db *db;
	struct buf rep = BUF_INIT;

	check_fixture("arbor.csv", "ST2001", "ST2002", 6, 5);
	db = fixture_db("arbor.csv", &rep);
	CHECK_STR(
	    testdb_str(db, "SELECT first_name || ' ' || last_name FROM child WHERE ref = 'ST2004'"),
	    "Dai ap Rhys");
	CHECK_STR(carers_of(db, "ST2005"), "Rachel Evans foster carer");
	CHECK_STR(carers_of(db, "ST2004"), "Rhys, Gareth ap");
	buf_free(&rep);
	testdb_free(db);
}

static void test_fixture_bromcom(void)
{
	struct db *db;
	struct buf rep = BUF_INIT;

	/* Siblings by carer name and address (no email or phone). */
	check_fixture("bromcom.csv", "3001", "3002", 5, 4);
	db = fixture_db("bromcom.csv", &rep);
	CHECK_STR(testdb_str(db, "SELECT class FROM child WHERE ref = '3005'"), "=1+1");
	CHECK_STR(testdb_str(db, "SELECT class FROM child WHERE ref = '3001'"), "Year 4");
	buf_free(&rep);
	testdb_free(db);
}

#define HEADER "family_ref,child_ref,first_name,last_name,class,carers,language\n"

static const char base[] = HEADER "F1,C1,Ann,Jones,Year 1,Mair Jones,cy\n"
                                  "F2,C2,Ben,Smith,Year 2,Sam Smith,en\n"
                                  "F3,C3,Cai,Evans,Year 3,Ros Evans,en\n"
                                  "F4,C4,Dai,Hughes,Year 4,Huw Hughes,en\n"
                                  "F5,C5,Eli,Price,Year 5,Kim Price,cy\n";
/* A file of one new family, F6, that is not in base. */
static const char only_f6[] = HEADER "F6,C6,Fflur,Morgan,Reception,Lis Morgan,cy\n";

static void test_dry_run(void)
{
	struct db *db = init_db();
	struct buf rep = BUF_INIT;
	struct roster_counts n;
	long long events;

	CHECK_INT(import(db, base, 0, &n, &rep), 0);
	events = testdb_int(db, "SELECT count(*) FROM event");
	CHECK_INT(import(db,
	                 HEADER "F1,C1,Ann,Jones,Year 2,Mair Jones; Iwan Jones,cy\n"
	                        "F2,C2,Ben,Smith,Year 3,Sam Smith,cy\n"
	                        "F3,C3,Cai,Evans,Year 3,Ros Evans,en\n"
	                        "F4,C4,Dai,Hughes,Year 4,Huw Hughes,en\n"
	                        "F6,C6,Fflur,Morgan,Reception,Lis Morgan,cy\n",
	                 ROSTER_DRY_RUN | ROSTER_ALLOW_LEAVERS, &n, &rep),
	          0);
	CHECK_STR(buf_str(&rep),
	          "Dry run: nothing was changed. The import would make these changes:\n"
	          "family F1: carers \"Mair Jones\" become \"Mair Jones; Iwan Jones\"\n"
	          "family F2: language en becomes cy\n"
	          "family F6 added: carers \"Lis Morgan\", language cy\n"
	          "child C1 Ann Jones: class Year 1 becomes Year 2\n"
	          "child C2 Ben Smith: class Year 2 becomes Year 3\n"
	          "child C6 Fflur Morgan added (Reception), family F6\n"
	          "child C5 Eli Price left (Year 5)\n"
	          "family F5 left (no current child)\n"
	          "families: 1 added, 2 updated, 2 unchanged, 1 left, 0 back\n"
	          "children: 1 added, 2 updated, 2 unchanged, 1 left, 0 back, 0 moved\n");
	CHECK_INT(n.children_class, 2);
	CHECK_INT(n.families_carers, 1);
	CHECK_INT(n.families_language, 1);
	/* Nothing changed: no family, no class, no event. */
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM family"), 5);
	CHECK_STR(testdb_str(db, "SELECT class FROM child WHERE ref = 'C1'"), "Year 1");
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM child WHERE left_on IS NOT NULL"), 0);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM event"), events);
	buf_free(&rep);
	testdb_free(db);
}

static void test_leavers_guard(void)
{
	struct db *db = init_db();
	struct buf rep = BUF_INIT;
	struct roster_counts n;
	long long events;

	CHECK_INT(import(db, base, 0, &n, &rep), 0);
	events = testdb_int(db, "SELECT count(*) FROM event");
	/* One new family alone: every other child would leave. Refused, naming them. */
	CHECK_INT(import(db, only_f6, 0, &n, &rep), 1);
	CHECK_STR(buf_str(&rep),
	          "x.csv: this file would mark 5 of the 5 current children as left (more than "
	          "10 %), among them C1 Ann Jones (Year 1), C2 Ben Smith (Year 2), C3 Cai Evans "
	          "(Year 3), C4 Dai Hughes (Year 4), C5 Eli Price (Year 5); nothing was imported. "
	          "Is it a whole-school export? If they really have left, import it with "
	          "--allow-leavers (in the office: tick \"Children missing from the file have "
	          "left\").\n");
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM child WHERE left_on IS NULL"), 5);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM family WHERE ref = 'F6'"), 0);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM event"), events);
	/* A dry run says the same, then shows the whole plan. */
	CHECK_INT(import(db, only_f6, ROSTER_DRY_RUN, &n, &rep), 1);
	CHECK(strstr(buf_str(&rep), "would mark 5 of the 5 current children as left") != NULL);
	CHECK(strstr(buf_str(&rep),
	             "The import would make these changes:\n"
	             "family F6 added: carers \"Lis Morgan\", language cy\n") != NULL);
	CHECK(strstr(buf_str(&rep), "child C5 Eli Price left (Year 5)\n") != NULL);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM child WHERE left_on IS NULL"), 5);
	/* Two leavers of five is 40 % but fewer than 3: allowed. */
	CHECK_INT(import(db,
	                 HEADER "F1,C1,Ann,Jones,Year 1,Mair Jones,cy\n"
	                        "F2,C2,Ben,Smith,Year 2,Sam Smith,en\n"
	                        "F3,C3,Cai,Evans,Year 3,Ros Evans,en\n",
	                 0, &n, &rep),
	          0);
	CHECK_INT(n.children_left, 2);
	/* With the flag, the new family alone is imported and the rest leave. */
	CHECK_INT(import(db, only_f6, ROSTER_ALLOW_LEAVERS, &n, &rep), 0);
	CHECK_INT(n.children_left, 3);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM child WHERE left_on IS NULL"), 1);
	buf_free(&rep);
	testdb_free(db);
}

static void test_absent_columns(void)
{
	struct db *db = init_db();
	struct buf rep = BUF_INIT;
	struct roster_counts n;

	CHECK_INT(import(db, base, 0, &n, &rep), 0);
	/* No carers or language column: the database keeps them. */
	CHECK_INT(import(db,
	                 "child_ref,first_name,last_name,class,family_ref\n"
	                 "C1,Ann,Jones,Year 2,F1\nC2,Ben,Smith,Year 2,F2\nC3,Cai,Evans,Year 3,F3\n"
	                 "C4,Dai,Hughes,Year 4,F4\nC5,Eli,Price,Year 5,F5\n",
	                 0, &n, &rep),
	          0);
	CHECK_INT(n.families_updated, 0);
	CHECK_STR(testdb_str(db, "SELECT carers || '|' || language FROM family WHERE ref = 'F1'"),
	          "Mair Jones|cy");
	CHECK_STR(testdb_str(db, "SELECT class FROM child WHERE ref = 'C1'"), "Year 2");
	/* Empty values for a whole family keep them too. */
	CHECK_INT(import(db,
	                 HEADER "F1,C1,Ann,Jones,Year 2,,\nF2,C2,Ben,Smith,Year 2,,\n"
	                        "F3,C3,Cai,Evans,Year 3,,\nF4,C4,Dai,Hughes,Year 4,,\n"
	                        "F5,C5,Eli,Price,Year 5,,\n",
	                 0, &n, &rep),
	          0);
	CHECK_STR(testdb_str(db, "SELECT carers || '|' || language FROM family WHERE ref = 'F5'"),
	          "Kim Price|cy");
	buf_free(&rep);
	testdb_free(db);
}

/* A sibling whose primary contact changed lands in another derived family: noticed. */
static void test_moved_sibling(void)
{
	static const char first[] =
	    "Adno,Forename,Surname,Year Group,Primary Contact,Primary Contact Email\n"
	    "1,Ann,Jones,Year 1,Mair Jones,mair@example.org\n"
	    "2,Ben,Jones,Year 3,Mair Jones,MAIR@example.org\n";
	static const char moved[] =
	    "Adno,Forename,Surname,Year Group,Primary Contact,Primary Contact Email\n"
	    "1,Ann,Jones,Year 1,Mair Jones,mair@example.org\n"
	    "2,Ben,Jones,Year 3,Iwan Jones,iwan@example.org\n";
	struct db *db = init_db();
	struct buf rep = BUF_INIT;
	struct roster_counts n;

	CHECK_INT(import(db, first, 0, &n, &rep), 0);
	CHECK_INT(n.families_added, 1);
	CHECK_INT(import(db, moved, 0, &n, &rep), 1);
	CHECK(strstr(buf_str(&rep), "x.csv:3: child 2 belongs to family FAM-") != NULL);
	CHECK(strstr(buf_str(&rep), "--allow-move") != NULL);
	CHECK_INT(import(db, moved, ROSTER_MOVE, &n, &rep), 0);
	CHECK_INT(n.children_moved, 1);
	CHECK(strstr(buf_str(&rep), "child 2 Ben Jones: moves from family FAM-") != NULL);
	buf_free(&rep);
	testdb_free(db);
}

static void test_upload_once(void)
{
	struct db *db = init_db();
	struct buf rep = BUF_INIT;
	struct roster_counts n;
	struct roster_upload u;
	struct roster_opts o = {.today = "2026-09-01", .staff = "office"};
	struct arena *a = arena_new();
	char once[TOKEN_LEN + 1];

	CHECK_INT(roster_upload_put(db, "office", "x.csv", base, strlen(base), 0, once), 0);
	/* Another user's once-only value is not theirs; a wrong one finds nothing. */
	CHECK_INT(roster_upload_get(db, "other", once, a, &u), 0);
	CHECK_INT(roster_upload_get(db, "office", "AAAA", a, &u), 0);
	CHECK_INT(roster_upload_get(db, "office", once, a, &u), 1);
	CHECK_INT(u.len, strlen(base));
	CHECK_STR(u.name, "x.csv");
	o.upload_hash = u.hash;
	o.sha256 = u.sha256;
	CHECK_INT(import_with(db, u.data, &o, &n, &rep), 0);
	CHECK_INT(n.children_added, 5);
	CHECK_STR(testdb_str(db, "SELECT channel || ' ' || staff FROM event WHERE kind = 'import'"),
	          "office office");
	CHECK(strstr(testdb_str(db, "SELECT detail FROM event WHERE kind = 'import'"), u.sha256) !=
	      NULL);
	/* Confirmed twice: the second does nothing. */
	CHECK_INT(import_with(db, u.data, &o, &n, &rep), 2);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM event WHERE kind = 'import'"), 1);
	CHECK_INT(roster_upload_get(db, "office", once, a, &u), 0);
	/* An upload never confirmed is forgotten after an hour, and purged. */
	CHECK_INT(roster_upload_put(db, "office", "y.csv", base, strlen(base), 0, once), 0);
	CHECK_INT(roster_upload_get(db, "office", once, a, &u), 1);
	sqlite3_exec(db_sqlite(db), "UPDATE upload SET created = created - 3601", NULL, NULL, NULL);
	CHECK_INT(roster_upload_get(db, "office", once, a, &u), 0);
	{
		struct roster_purge_counts pc;
		CHECK_INT(roster_purge(db, "2026-01-01", &pc, &rep), 0);
		CHECK_INT(pc.uploads, 1);
		CHECK_INT(testdb_int(db, "SELECT count(*) FROM upload"), 0);
	}
	arena_free(a);
	buf_free(&rep);
	testdb_free(db);
}

int main(void)
{
	if (token_init() < 0)
		return 1;
	RUN(test_language_values);
	RUN(test_header_names);
	RUN(test_fixture_sims);
	RUN(test_fixture_arbor);
	RUN(test_fixture_bromcom);
	RUN(test_dry_run);
	RUN(test_leavers_guard);
	RUN(test_absent_columns);
	RUN(test_moved_sibling);
	RUN(test_upload_once);
	CHECK_MAIN();
}
