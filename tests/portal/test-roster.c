/* Families import, tokens, sign URLs and purge, against a temporary database file. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "db.h"
#include "roster.h"
#include "token.h"
#include "testdb.h"

/* Imports s (a C string) as "families.csv" on the given day; the report goes to rep. */
static int import(struct db *db, const char *s, const char *today, unsigned flags,
                  struct roster_counts *n, struct buf *rep)
{
	buf_reset(rep);
	return roster_import(db, "families.csv", s, strlen(s), today, flags, n, rep);
}

/* The counts at the end of an import's report (after the notes and the plan). */
static const char *summary_of(const struct buf *rep)
{
	const char *s = buf_str(rep), *p = strstr(s, "families: "), *q;

	while (p && (q = strstr(p + 1, "\nfamilies: ")) != NULL)
		p = q + 1;
	return p ? p : s;
}

static const char demo[] = "family_ref,child_ref,first_name,last_name,class,carers,language\n"
                           "F1,C1,Gwenllïan,Pritchard-Jones,Year 4,Elin Pritchard-Jones,cy\n"
                           "F1,C2,Llŷr,Pritchard-Jones,Reception,Elin Pritchard-Jones,cy\n"
                           "F2,C3,Oliver,Smith,Year 2,Sarah Smith; Tom Smith,en\n"
                           "F3,C4,Siôn,Williams,Year 6,Catrin Williams,\n";

static void test_import_formats(void)
{
	/* BOM, CRLF, columns in another order and case with spaces, an ignored column with
	 * a quoted line break, quotes and commas inside quotes, carers over two lines. */
	static const char csv[] =
	    "\xef\xbb\xbf Class ,FAMILY_REF,Notes,child_ref,First_Name,last_name,Carers\r\n"
	    "Year 1,F9,\"line one\r\nline two\",C90,Amelia,Evans,\"Rachel Evans, foster carer\r\n"
	    "Mark Evans, foster carer\"\r\n"
	    "Reception,F10,,C91,Jac,Davies,\"Megan \"\"Meg\"\" Davies; Kieran Walsh\"\r\n"
	    "Year 3,F10,\"=cmd|' /C calc'!A0\",C92,  Dafydd  ,Davies,\r\n";
	struct db *db = testdb_new();
	struct buf rep = BUF_INIT;
	struct roster_counts n;

	CHECK_INT(import(db, csv, "2026-09-01", 0, &n, &rep), 0);
	CHECK_STR(summary_of(&rep), "families: 2 added, 0 updated, 0 unchanged, 0 left, 0 back\n"
	                         "children: 3 added, 0 updated, 0 unchanged, 0 left, 0 back, "
	                         "0 moved\n");
	CHECK_INT(n.families_added, 2);
	CHECK_INT(n.children_added, 3);
	CHECK_STR(testdb_str(db, "SELECT carers FROM family WHERE ref = 'F9'"),
	          "Rachel Evans, foster carer Mark Evans, foster carer");
	CHECK_STR(testdb_str(db, "SELECT carers FROM family WHERE ref = 'F10'"),
	          "Megan \"Meg\" Davies; Kieran Walsh");
	CHECK_STR(testdb_str(db, "SELECT language FROM family WHERE ref = 'F9'"), "en");
	CHECK_STR(testdb_str(db, "SELECT first_name || '|' || last_name || '|' || class FROM child "
	                         "WHERE ref = 'C92'"),
	          "Dafydd|Davies|Year 3");
	CHECK_STR(testdb_str(db, "SELECT f.ref FROM child c JOIN family f ON f.id = c.family_id "
	                         "WHERE c.ref = 'C91'"),
	          "F10");
	/* One import event, with counts and no personal data. */
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM event WHERE kind = 'import'"), 1);
	CHECK_STR(testdb_str(db, "SELECT detail FROM event WHERE kind = 'import'"),
	          "families: 2 added, 0 updated, 0 unchanged, 0 left, 0 back; children: 3 added, "
	          "0 updated, 0 unchanged, 0 left, 0 back, 0 moved");
	buf_free(&rep);
	testdb_free(db);
}

static void test_import_missing_columns(void)
{
	struct db *db = testdb_new();
	struct buf rep = BUF_INIT;
	struct roster_counts n;

	CHECK_INT(
	    import(db, "family_ref,child_ref,first_name\nF1,C1,Ann\n", "2026-09-01", 0, &n, &rep),
	    1);
	CHECK(strstr(buf_str(&rep), "families.csv:1: no column for last_name: the header needs "
	                            "one of Preferred Surname, ") != NULL);
	CHECK(strstr(buf_str(&rep), "families.csv:1: no column for class: the header needs one of "
	                            "Registration Group, Reg Group, ") != NULL);
	CHECK(strstr(buf_str(&rep), "--map class=HEADER\n") != NULL);
	CHECK_INT(import(db, "", "2026-09-01", 0, &n, &rep), 1);
	CHECK(strstr(buf_str(&rep), "families.csv:1: the file is empty") != NULL);
	CHECK_INT(import(db, "family_ref,child_ref,first_name,last_name,class,Class\n",
	                 "2026-09-01", 0, &n, &rep),
	          1);
	CHECK_STR(buf_str(&rep), "families.csv:1: column Class is given twice (columns 5 and 6)\n");
	/* A header with no rows would mark everyone as left: refused. */
	CHECK_INT(import(db, "family_ref,child_ref,first_name,last_name,class\r\n", "2026-09-01", 0,
	                 &n, &rep),
	          1);
	CHECK(strstr(buf_str(&rep), "no rows after the header") != NULL);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM family"), 0);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM event"), 0);
	buf_free(&rep);
	testdb_free(db);
}

static void test_import_bad_rows(void)
{
	/* Every bad row is reported with its line, and the good rows are not imported
	 * either. A line break or tab inside a cell is a space (line 4, 14); a language that
	 * is neither English nor Welsh is English with a note (line 7). */
	static const char csv[] =
	    "family_ref,child_ref,first_name,last_name,class,carers,language\n"
	    "F1,C1,Ann,Jones,Year 1,,en\n"          /* 2: good */
	    "F 2,C2,Bob,Jones,Year 1,,en\n"         /* 3: bad ref */
	    "F3,C3,\"Cai\nDdu\",Jones,Year 1,,en\n" /* 4-5: line break */
	    "F4,C4,,Jones,Year 1,,en\n"             /* 6: empty name */
	    "F5,C5,Dai,Jones,Year 1,,fr\n"          /* 7: language */
	    "F6,C1,Eve,Jones,Year 1,,en\n"          /* 8: duplicate child */
	    "F7,C7,Fflur,Jones,Year 1\n"            /* 9: short row */
	    "F8,C8,Gwen,Jones,Year 1,Ann,en\n"      /* 10: good */
	    "F8,C9,Huw,Jones,Year 2,Bob,en\n"       /* 11: carers differ */
	    "F9,C10,Ifan,Jones,Year 2,,cy\n"        /* 12: good */
	    "F9,C11,Jac,Jones,Year 2,,en\n"         /* 13: language differs */
	    "F10,C12,Tab\tbed,Jones,Year 2,,en\n"   /* 14: control character */
	    "F11,C13,"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,"
	    "Jones,Year 2,,en\n"                     /* 15: too long */
	    "F12,C14,Lowri,Jones,Year 2,,CY\n"       /* 16: good (CY is cy) */
	    "F13,C15,Mair,Jones,Year 2,,en,extra\n"; /* 17: extra field */
	struct db *db = testdb_new();
	struct buf rep = BUF_INIT;
	struct roster_counts n;

	CHECK_INT(import(db, csv, "2026-09-01", 0, &n, &rep), 1);
	CHECK_STR(buf_str(&rep),
	          "families.csv:3: family_ref must be 1 to 40 letters, digits, '_' or '-'\n"
	          "families.csv:6: first_name is empty\n"
	          "families.csv:8: child_ref C1 is also on line 2; each child has one row\n"
	          "families.csv:9: the row has 5 fields but the header has 7; check for a missing "
	          "comma or a value with a comma that is not in quotes\n"
	          "families.csv:11: carers differ from line 10 of the same family F8\n"
	          "families.csv:13: language differs from line 12 of the same family F9\n"
	          "families.csv:15: first_name is longer than 100 bytes\n"
	          "families.csv:17: the row has 8 fields but the header has 7; check for a missing "
	          "comma or a value with a comma that is not in quotes\n");
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM family"), 0);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM child"), 0);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM event"), 0);

	/* A CSV syntax error is reported at its record's line, with the rows before it. */
	CHECK_INT(import(db,
	                 "family_ref,child_ref,first_name,last_name,class\n"
	                 "F1,C1,Ann,Jones,Year 1\n"
	                 "F1,C2,x,Jones,Year 1\n"
	                 "F1,C3,Bob \"the\" Builder,Jones,Year 1\n",
	                 "2026-09-01", 0, &n, &rep),
	          1);
	CHECK(strstr(buf_str(&rep), "families.csv:4: a quote \" inside a field") != NULL);
	CHECK_INT(import(db, "family_ref,child_ref,first_name,last_name,class\nF1,C1,\"Ann,J,Y\n",
	                 "2026-09-01", 0, &n, &rep),
	          1);
	CHECK(strstr(buf_str(&rep), "families.csv:2: a quoted field has no closing quote") != NULL);
	/* Invalid UTF-8 (a Latin-1 file). */
	CHECK_INT(import(db, "family_ref,child_ref,first_name,last_name,class\nF1,C1,Si\xf4n,J,Y\n",
	                 "2026-09-01", 0, &n, &rep),
	          1);
	CHECK(strstr(buf_str(&rep), "families.csv:2: a field is not valid UTF-8") != NULL);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM child"), 0);
	/* A file that is wrong throughout: the first ROSTER_MAX_REPORT problems and a count. */
	{
		struct buf big = BUF_INIT;
		const char *last;
		int i;
		buf_puts(&big, "family_ref,child_ref,first_name,last_name,class\n");
		for (i = 0; i < ROSTER_MAX_REPORT + 50; i++)
			buf_printf(&big, "F1,C%d,,Jones,Year 1\n", i);
		CHECK_INT(import(db, buf_str(&big), "2026-09-01", 0, &n, &rep), 1);
		last = strrchr(buf_str(&rep), ':');
		CHECK(strstr(buf_str(&rep), "families.csv:201: first_name is empty\n") != NULL);
		CHECK(strstr(buf_str(&rep), "families.csv:202:") == NULL);
		CHECK(last && strcmp(last, ": 50 more problems not shown\n") == 0);
		buf_free(&big);
	}
	buf_free(&rep);
	testdb_free(db);
}

static void test_reimport(void)
{
	struct db *db = testdb_new();
	struct buf rep = BUF_INIT;
	struct roster_counts n;

	CHECK_INT(import(db, demo, "2026-09-01", 0, &n, &rep), 0);
	CHECK_STR(testdb_str(db, "SELECT language FROM family WHERE ref = 'F3'"),
	          "en"); /* empty: en */
	/* The same file again changes nothing. */
	CHECK_INT(import(db, demo, "2026-09-02", 0, &n, &rep), 0);
	CHECK_STR(summary_of(&rep), "families: 0 added, 0 updated, 3 unchanged, 0 left, 0 back\n"
	                         "children: 0 added, 0 updated, 4 unchanged, 0 left, 0 back, "
	                         "0 moved\n");
	/* Llŷr goes up a class, F2's carers change, Siôn (F3's only child) has left, a new
	 * family arrives. */
	CHECK_INT(import(db,
	                 "family_ref,child_ref,first_name,last_name,class,carers,language\n"
	                 "F1,C1,Gwenllïan,Pritchard-Jones,Year 4,Elin Pritchard-Jones,cy\n"
	                 "F1,C2,Llŷr,Pritchard-Jones,Year 1,Elin Pritchard-Jones,cy\n"
	                 "F2,C3,Oliver,Smith,Year 2,Sarah Smith,cy\n"
	                 "F4,C5,Nia,Hughes,Year 6,Bethan Hughes,cy\n",
	                 "2027-07-20", 0, &n, &rep),
	          0);
	CHECK_STR(summary_of(&rep), "families: 1 added, 1 updated, 1 unchanged, 1 left, 0 back\n"
	                         "children: 1 added, 1 updated, 2 unchanged, 1 left, 0 back, "
	                         "0 moved\n");
	CHECK_STR(testdb_str(db, "SELECT class FROM child WHERE ref = 'C2'"), "Year 1");
	CHECK_STR(testdb_str(db, "SELECT carers || '|' || language FROM family WHERE ref = 'F2'"),
	          "Sarah Smith|cy");
	CHECK_STR(testdb_str(db, "SELECT left_on FROM child WHERE ref = 'C4'"), "2027-07-20");
	CHECK_STR(testdb_str(db, "SELECT left_on FROM family WHERE ref = 'F3'"), "2027-07-20");
	CHECK_STR(testdb_str(db, "SELECT first_name FROM child WHERE ref = 'C4'"),
	          "Siôn"); /* kept */
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM family WHERE left_on IS NULL"), 3);
	/* A later import without Siôn keeps the date he first went missing. */
	CHECK_INT(import(db,
	                 "family_ref,child_ref,first_name,last_name,class,carers,language\n"
	                 "F1,C1,Gwenllïan,Pritchard-Jones,Year 4,Elin Pritchard-Jones,cy\n",
	                 "2027-09-01", ROSTER_ALLOW_LEAVERS, &n, &rep),
	          0);
	CHECK_INT(n.children_left, 3);
	CHECK_INT(n.families_left, 2);
	CHECK_STR(testdb_str(db, "SELECT left_on FROM child WHERE ref = 'C4'"), "2027-07-20");
	CHECK_STR(testdb_str(db, "SELECT left_on FROM child WHERE ref = 'C2'"), "2027-09-01");
	CHECK_STR(testdb_str(db, "SELECT left_on FROM family WHERE ref = 'F1'"), ""); /* C1 stays */
	/* Siôn comes back: child and family are current again. */
	CHECK_INT(import(db,
	                 "family_ref,child_ref,first_name,last_name,class,carers,language\n"
	                 "F1,C1,Gwenllïan,Pritchard-Jones,Year 4,Elin Pritchard-Jones,cy\n"
	                 "F3,C4,Siôn,Williams,Year 7,Catrin Williams,\n",
	                 "2027-10-01", 0, &n, &rep),
	          0);
	CHECK_INT(n.children_returned, 1);
	CHECK_INT(n.families_returned, 1);
	CHECK_STR(testdb_str(db, "SELECT coalesce(left_on, 'current') FROM child WHERE ref = 'C4'"),
	          "current");
	CHECK_STR(
	    testdb_str(db, "SELECT coalesce(left_on, 'current') FROM family WHERE ref = 'F3'"),
	    "current");
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM child"), 5); /* nobody was deleted */
	buf_free(&rep);
	testdb_free(db);
}

static void test_import_move(void)
{
	static const char moved[] =
	    "family_ref,child_ref,first_name,last_name,class,carers,language\n"
	    "F1,C1,Gwenllïan,Pritchard-Jones,Year 4,Elin Pritchard-Jones,cy\n"
	    "F2,C2,Llŷr,Pritchard-Jones,Reception,Sarah Smith; Tom Smith,en\n"
	    "F2,C3,Oliver,Smith,Year 2,Sarah Smith; Tom Smith,en\n"
	    "F3,C4,Siôn,Williams,Year 6,Catrin Williams,\n";
	struct db *db = testdb_new();
	struct buf rep = BUF_INIT;
	struct roster_counts n;

	CHECK_INT(import(db, demo, "2026-09-01", 0, &n, &rep), 0);
	CHECK(testdb_exec(
	          db, "INSERT INTO purpose VALUES ('website', 'consent', 1);"
	              "INSERT INTO answer SELECT id, 'website', 'Elin', 'elin', 'yes', 'x', 'qr',"
	              " NULL, 1 FROM child WHERE ref = 'C2'") == 0);
	/* Refused without --allow-move: the report names the line and both families. */
	CHECK_INT(import(db, moved, "2026-10-01", 0, &n, &rep), 1);
	CHECK_STR(buf_str(&rep),
	          "families.csv:3: child C2 belongs to family F1, not F2; if the child has really "
	          "moved family, import again with --allow-move (their current photo answers are "
	          "then cleared for the new family to give)\n");
	CHECK_STR(testdb_str(db, "SELECT f.ref FROM child c JOIN family f ON f.id = c.family_id "
	                         "WHERE c.ref = 'C2'"),
	          "F1");
	/* Allowed: moved, the old family's answers cleared, a move event. */
	CHECK_INT(import(db, moved, "2026-10-01", ROSTER_MOVE, &n, &rep), 0);
	CHECK_INT(n.children_moved, 1);
	CHECK_STR(testdb_str(db, "SELECT f.ref FROM child c JOIN family f ON f.id = c.family_id "
	                         "WHERE c.ref = 'C2'"),
	          "F2");
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM answer"), 0);
	CHECK_STR(testdb_str(db, "SELECT detail FROM event WHERE kind = 'move'"),
	          "from family 1; answers cleared: 1");
	buf_free(&rep);
	testdb_free(db);
}

static void test_tokens(void)
{
	struct db *db = testdb_new();
	struct buf rep = BUF_INIT;
	struct roster_counts n;
	char t1[TOKEN_LEN + 1], t2[TOKEN_LEN + 1], t3[TOKEN_LEN + 1], bad[TOKEN_LEN + 1], hex[65];
	long long f1, f2;
	size_t i;

	CHECK_INT(token_init(), 0);
	CHECK_INT(import(db, demo, "2026-09-01", 0, &n, &rep), 0);
	f1 = roster_family_id(db, "F1", NULL);
	f2 = roster_family_id(db, "F2", NULL);
	CHECK(f1 > 0 && f2 > 0 && f1 != f2);
	CHECK_INT(roster_family_id(db, "F99", NULL), 0);

	CHECK_INT(db_begin(db), 0);
	CHECK_INT(roster_issue_token(db, f1, 0, NULL, t1), 1);
	CHECK_INT(roster_issue_token(db, f2, 0, NULL, t3), 1);
	/* Without reissue a family with a live token gets none. */
	CHECK_INT(roster_issue_token(db, f1, 0, NULL, t2), 0);
	CHECK_STR(t2, "");
	CHECK_INT(db_commit(db), 0);
	CHECK(token_valid(t1));
	CHECK_INT(roster_family_by_token(db, t1), f1);
	CHECK_INT(roster_family_by_token(db, t3), f2);
	/* Only the hash is stored. */
	token_hash_hex(t1, hex);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM token"), 2);
	{
		sqlite3_stmt *st;
		sqlite3_prepare_v2(db_sqlite(db), "SELECT count(*) FROM token WHERE hash = ?1", -1,
		                   &st, NULL);
		sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
		CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1);
		sqlite3_finalize(st);
	}
	/* Typed in lower case still works; a changed character, garbage or nothing does not. */
	for (i = 0; i < TOKEN_LEN; i++)
		bad[i] = (char)(t1[i] >= 'A' && t1[i] <= 'Z' ? t1[i] - 'A' + 'a' : t1[i]);
	bad[TOKEN_LEN] = '\0';
	CHECK_INT(roster_family_by_token(db, bad), f1);
	memcpy(bad, t1, sizeof bad);
	bad[5] = bad[5] == 'A' ? 'B' : 'A';
	CHECK_INT(roster_family_by_token(db, bad), 0);
	CHECK_INT(roster_family_by_token(db, "not a token"), 0);
	CHECK_INT(roster_family_by_token(db, ""), 0);
	CHECK_INT(roster_family_by_token(db, NULL), 0);

	/* Reissue: the old token is refused, the new one works, by staff on the office. */
	CHECK_INT(db_begin(db), 0);
	CHECK_INT(roster_issue_token(db, f1, 1, "meg.office", t2), 1);
	CHECK_INT(db_commit(db), 0);
	CHECK(strcmp(t1, t2) != 0);
	CHECK_INT(roster_family_by_token(db, t1), 0);
	CHECK_INT(roster_family_by_token(db, t2), f1);
	CHECK_INT(roster_family_by_token(db, t3), f2); /* another family's is untouched */
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM token WHERE revoked_at IS NOT NULL"), 1);
	CHECK_STR(testdb_str(db, "SELECT group_concat(detail || '/' || channel || '/' || "
	                         "coalesce(staff, '-'), ' ') FROM event WHERE kind = 'token'"),
	          "issued/system/- issued/system/- reissued/office/meg.office");
	/* The log never holds a token. */
	{
		sqlite3_stmt *st;
		sqlite3_prepare_v2(
		    db_sqlite(db),
		    "SELECT count(*) FROM event WHERE instr(coalesce(detail, ''), ?1)"
		    " OR instr(coalesce(detail, ''), ?2)",
		    -1, &st, NULL);
		sqlite3_bind_text(st, 1, t1, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, t2, -1, SQLITE_STATIC);
		CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0);
		sqlite3_finalize(st);
	}
	/* A rolled-back issue leaves the live token as it was. */
	CHECK_INT(db_begin(db), 0);
	CHECK_INT(roster_issue_token(db, f1, 1, NULL, t3), 1);
	db_rollback(db);
	CHECK_INT(roster_family_by_token(db, t3), 0);
	CHECK_INT(roster_family_by_token(db, t2), f1);
	buf_free(&rep);
	testdb_free(db);
}

static void test_sign_url(void)
{
	static const char tok[] = "ABCDEFGHIJKLMNOPQRSTUVWXY4";
	struct buf b = BUF_INIT;

	CHECK_INT(roster_sign_url(&b, "http://127.0.0.1:8080", tok, 0), 0);
	CHECK_STR(buf_str(&b), "http://127.0.0.1:8080/sign/ABCDEFGHIJKLMNOPQRSTUVWXY4");
	buf_reset(&b);
	CHECK_INT(roster_sign_url(&b, "http://127.0.0.1:8080/", tok, 1), 0);
	CHECK_STR(buf_str(&b), "HTTP://127.0.0.1:8080/SIGN/ABCDEFGHIJKLMNOPQRSTUVWXY4");
	buf_reset(&b);
	/* A path in the base URL keeps its case: paths are case-sensitive. */
	CHECK_INT(roster_sign_url(&b, "https://Consent.example.sch.cymru/cwm-derw//", tok, 1), 0);
	CHECK_STR(buf_str(&b),
	          "HTTPS://CONSENT.EXAMPLE.SCH.CYMRU/cwm-derw/SIGN/ABCDEFGHIJKLMNOPQRSTUVWXY4");
	buf_reset(&b);
	CHECK_INT(roster_sign_url(&b, "ftp://example.org", tok, 0), -1);
	CHECK_INT(roster_sign_url(&b, "http://", tok, 0), -1);
	CHECK_INT(roster_sign_url(&b, "http://exa mple.org", tok, 0), -1);
	CHECK_INT(roster_sign_url(&b, "http://example.org/?x=1", tok, 0), -1);
	CHECK_INT(roster_sign_url(&b, "http://example.org/#top", tok, 0), -1);
	CHECK_INT(roster_sign_url(&b, "http://user@example.org/", tok, 0), -1);
	CHECK_INT(roster_sign_url(&b, "http://example.org/\"><script>", tok, 0), -1);
	CHECK_INT(roster_sign_url(&b, NULL, tok, 0), -1);
	CHECK_INT(roster_sign_url(&b, "http://example.org", "abcdefghijklmnopqrstuvwxy4", 0), -1);
	CHECK_INT(roster_sign_url(&b, "http://example.org", "ABC", 0), -1);
	CHECK_INT(roster_sign_url(&b, "http://example.org", NULL, 0), -1);
	CHECK_INT((int)b.len, 0); /* nothing appended by a refusal */
	CHECK(roster_base_url_valid("https://example.org"));
	CHECK(!roster_base_url_valid("example.org"));
	buf_free(&b);
}

/* Signs and answers for family ref with carer name, as the portal would: current state
 * and an event in one transaction. */
static void sign_and_answer(struct db *db, const char *child_ref, const char *signer)
{
	static const char answer_sql[] =
	    "INSERT INTO answer (child_id, purpose, signer, signer_key, answer, at, channel,"
	    " event_id) SELECT c.id, 'website', ?1, lower(?1), 'yes', '2026-09-02T10:00:00Z',"
	    " 'qr', ?2 FROM child c WHERE c.ref = ?3";
	static const char ids_sql[] = "SELECT id, family_id FROM child WHERE ref = ?1";
	struct db_event e = {.kind = "answer",
	                     .purpose = "website",
	                     .answer = "yes",
	                     .signer = signer,
	                     .channel = "qr"};
	sqlite3_stmt *st;
	long long ev;

	CHECK_INT(db_begin(db), 0);
	sqlite3_prepare_v2(db_sqlite(db), ids_sql, -1, &st, NULL);
	sqlite3_bind_text(st, 1, child_ref, -1, SQLITE_STATIC);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	e.child_id = sqlite3_column_int64(st, 0);
	e.family_id = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	ev = db_event_append(db, &e);
	CHECK(ev > 0);
	sqlite3_prepare_v2(db_sqlite(db), answer_sql, -1, &st, NULL);
	sqlite3_bind_text(st, 1, signer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ev);
	sqlite3_bind_text(st, 3, child_ref, -1, SQLITE_STATIC);
	CHECK_INT(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	CHECK_INT(db_commit(db), 0);
}

static void test_purge(void)
{
	struct db *db = testdb_new();
	struct buf rep = BUF_INIT, err = BUF_INIT;
	struct roster_counts n;
	struct roster_purge_counts p;
	char t[TOKEN_LEN + 1];

	CHECK_INT(import(db, demo, "2026-09-01", 0, &n, &rep), 0);
	CHECK(testdb_exec(
	          db,
	          "INSERT INTO purpose VALUES ('website', 'consent', 1);"
	          "INSERT INTO document (slug, version, lang, sha256, resign, title,"
	          " declaration) VALUES ('conduct', '2026-09-01', 'en', 'aa', 0, 'T', 'D');") == 0);
	sign_and_answer(db, "C1", "Elin Pritchard-Jones");
	sign_and_answer(db, "C2", "Elin Pritchard-Jones");
	sign_and_answer(db, "C3", "Sarah Smith");
	sign_and_answer(db, "C4", "Catrin Williams");
	CHECK(testdb_exec(db, "INSERT INTO signature SELECT id, 1, 'Elin Pritchard-Jones', 'elin',"
	                      " '2026-09-02', 'qr', NULL, 1 FROM family WHERE ref = 'F1'") == 0);
	CHECK_INT(db_begin(db), 0);
	CHECK_INT(roster_issue_token(db, roster_family_id(db, "F1", NULL), 0, NULL, t), 1);
	CHECK_INT(db_commit(db), 0);
	/* F1 leaves in 2027; Siôn (F3) leaves in 2028. */
	CHECK_INT(import(db,
	                 "family_ref,child_ref,first_name,last_name,class,carers,language\n"
	                 "F2,C3,Oliver,Smith,Year 2,Sarah Smith; Tom Smith,en\n"
	                 "F3,C4,Siôn,Williams,Year 6,Catrin Williams,\n",
	                 "2027-07-20", 0, &n, &rep),
	          0);
	CHECK_INT(import(db,
	                 "family_ref,child_ref,first_name,last_name,class,carers,language\n"
	                 "F2,C3,Oliver,Smith,Year 2,Sarah Smith; Tom Smith,en\n",
	                 "2028-07-20", 0, &n, &rep),
	          0);
	CHECK_INT(roster_purge(db, "not-a-date", &p, &err), -1);
	CHECK_STR(buf_str(&err), "purge: 'not-a-date' is not a date YYYY-MM-DD\n");
	/* Before F1 left: nothing goes. */
	CHECK_INT(roster_purge(db, "2027-07-20", &p, &err), 0);
	CHECK_INT(p.families + p.children + p.answers + p.events_cleared, 0);
	/* After: F1, its children, answers, signature and token go; F3 stays. */
	CHECK_INT(roster_purge(db, "2028-01-01", &p, &err), 0);
	CHECK_INT(p.families, 1);
	CHECK_INT(p.children, 2);
	CHECK_INT(p.answers, 2);
	CHECK_INT(p.signatures, 1);
	CHECK_INT(p.tokens, 1);
	CHECK_INT(p.events_cleared, 2);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM family WHERE ref = 'F1'"), 0);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM child WHERE last_name = 'Pritchard-Jones'"),
	          0);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM event WHERE signer LIKE '%Pritchard%'"), 0);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM event WHERE signer = 'Catrin Williams'"), 1);
	/* Nothing left from which a purged name can be found by guessing: the per-event salt
	 * went with the name, and the hash kept is not the name's plain SHA-256. */
	CHECK_INT(
	    testdb_int(db, "SELECT count(*) FROM event WHERE signer IS NULL AND salt IS NOT NULL"),
	    0);
	{
		unsigned char h[crypto_hash_sha256_BYTES];
		char hx[2 * sizeof h + 1], sql[200];
		crypto_hash_sha256(h, (const unsigned char *)"Elin Pritchard-Jones", 20);
		sodium_bin2hex(hx, sizeof hx, h, sizeof h);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM event WHERE signer_hash = '%s'", hx);
		CHECK_INT(testdb_int(db, sql), 0);
		CHECK_INT(
		    testdb_int(db,
		               "SELECT count(*) FROM event WHERE kind = 'answer' AND signer IS NULL"
		               " AND length(signer_hash) = 64"),
		    2);
	}
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM child"), 2);
	CHECK_STR(testdb_str(db, "SELECT detail FROM event WHERE kind = 'purge' ORDER BY id DESC"),
	          "left before 2028-01-01: 1 families, 2 children, 2 answers, 1 signatures, "
	          "1 tokens deleted; 2 events' signer cleared");
	/* The chain still verifies. */
	buf_reset(&rep);
	CHECK_INT(db_verify(db, &rep), 0);
	CHECK(strncmp(buf_str(&rep), "ok:", 3) == 0);
	/* Later: Siôn's data goes too. */
	CHECK_INT(roster_purge(db, "2029-01-01", &p, &err), 0);
	CHECK_INT(p.families, 1);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM child"), 1);
	buf_reset(&rep);
	CHECK_INT(db_verify(db, &rep), 0);
	buf_free(&rep);
	buf_free(&err);
	testdb_free(db);
}

static void test_tamper(void)
{
	struct db *db = testdb_new();
	struct buf rep = BUF_INIT;
	struct roster_counts n;

	CHECK_INT(import(db, demo, "2026-09-01", 0, &n, &rep), 0);
	CHECK(testdb_exec(db, "INSERT INTO purpose VALUES ('website', 'consent', 1)") == 0);
	sign_and_answer(db, "C3", "Sarah Smith");
	sign_and_answer(db, "C4", "Catrin Williams");
	buf_reset(&rep);
	CHECK_INT(db_verify(db, &rep), 0);
	/* The log refuses changes... */
	CHECK(sqlite3_exec(db_sqlite(db), "UPDATE event SET answer = 'no' WHERE id = 2", NULL, NULL,
	                   NULL) != SQLITE_OK);
	CHECK(sqlite3_exec(db_sqlite(db), "DELETE FROM event WHERE id = 2", NULL, NULL, NULL) !=
	      SQLITE_OK);
	/* ...and someone who goes around the triggers is found out. */
	CHECK(
	    testdb_exec(
	        db, "DROP TRIGGER event_no_update; UPDATE event SET answer = 'no' WHERE id = 2") ==
	    0);
	buf_reset(&rep);
	CHECK_INT(db_verify(db, &rep), 1);
	CHECK(strstr(buf_str(&rep), "event 2: its contents were changed") != NULL);
	buf_free(&rep);
	testdb_free(db);

	/* A forged event appended without the chain. */
	db = testdb_new();
	CHECK_INT(import(db, demo, "2026-09-01", 0, &n, &rep), 0);
	CHECK(testdb_exec(db, "INSERT INTO event (id, at, kind, signer_hash, channel, prev, hash)"
	                      " VALUES (2, 'x', 'answer', '', 'qr', 'p', 'h')") == 0);
	buf_reset(&rep);
	CHECK_INT(db_verify(db, &rep), 1);
	CHECK(strstr(buf_str(&rep), "event 2: does not follow the event before it") != NULL);
	buf_free(&rep);
	testdb_free(db);
}

int main(void)
{
	if (token_init() < 0)
		return 1;
	RUN(test_import_formats);
	RUN(test_import_missing_columns);
	RUN(test_import_bad_rows);
	RUN(test_reimport);
	RUN(test_import_move);
	RUN(test_tokens);
	RUN(test_sign_url);
	RUN(test_purge);
	RUN(test_tamper);
	CHECK_MAIN();
}
