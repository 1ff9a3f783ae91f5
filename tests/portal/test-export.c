/* The catalog (consent.yaml, signable.tsv), the "needs to sign" rule and the CSV exports,
 * against a temporary database file. */
#include <stdlib.h>
#include <unistd.h>

#include "catalog.h"
#include "check.h"
#include "csv.h"
#include "db.h"
#include "export.h"
#include "roster.h"
#include "token.h"
#include "testdb.h"

/* Writes text to testdb_dir/name and returns the path (static: valid until the next call). */
static const char *file(const char *name, const char *text)
{
	static char p[2][160];
	static int k;

	k = !k;
	snprintf(p[k], sizeof p[k], "%s/%s", testdb_dir, name);
	check_put(testdb_dir, name, text);
	return p[k];
}

static const char consent_yaml[] = "# purposes\n"
                                   "purposes:\n"
                                   "  - id: displays\n"
                                   "    basis: public_task\n"
                                   "    title: {en: Displays, cy: Arddangosfeydd}\n"
                                   "    text: {en: On the walls., cy: Ar y waliau.}\n"
                                   "  - id: website\n"
                                   "    basis: consent\n"
                                   "    title: {en: School website, cy: Gwefan yr ysgol}\n"
                                   "    text: {en: On the website., cy: Ar y wefan.}\n"
                                   "  - id: press\n"
                                   "    basis: consent\n"
                                   "    title: {en: Newspapers, cy: Papurau newydd}\n"
                                   "    text: {en: In the paper., cy: Yn y papur.}\n";

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SHA_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define SHA_D "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"

static const char signable_tsv[] =
    "conduct\t2025-09-01\ten\t" SHA_A "\t0\tCode of Conduct\tI agree.\n"
    "conduct\t2025-09-01\tcy\t" SHA_B "\t0\tCod Ymddygiad\tRwy'n cytuno.\n"
    "conduct\t2026-09-01\ten\t" SHA_C "\t1\tCode of Conduct\tI agree.\n"
    "conduct\t2026-09-01\tcy\t" SHA_D "\t1\tCod Ymddygiad\tRwy'n cytuno.\n";

static void test_catalog_load(void)
{
	struct db *db = testdb_new();
	struct buf err = BUF_INIT;
	struct catalog *c;
	const char *p;

	c = catalog_load(file("consent.yaml", consent_yaml), &err);
	CHECK(c != NULL);
	CHECK_STR(buf_str(&err), "");
	if (c) {
		CHECK_INT(c->npurposes, 3);
		CHECK_STR(c->purposes[0].id, "displays");
		CHECK_STR(c->purposes[0].basis, "public_task");
		CHECK_STR(c->purposes[1].title[1], "Gwefan yr ysgol");
		CHECK_STR(catalog_purpose(c, "press")->text[0], "In the paper.");
		CHECK(catalog_purpose(c, "nope") == NULL);
	}
	catalog_free(c);
	CHECK_INT(catalog_lang("en"), 0);
	CHECK_INT(catalog_lang("cy"), 1);
	CHECK_INT(catalog_lang("fr"), -1);

	p = file("bad.yaml", "purposes:\n"
	                     "  - id: Website\n"
	                     "    basis: maybe\n"
	                     "    title: {en: Web}\n"
	                     "    text: {en: x, cy: y, fr: z}\n"
	                     "    colour: blue\n"
	                     "  - id: press\n"
	                     "    basis: consent\n"
	                     "    title: {en: P, cy: P}\n"
	                     "    text: {en: P, cy: P}\n"
	                     "  - id: press\n"
	                     "    basis: consent\n"
	                     "    title: {en: P, cy: P}\n"
	                     "    text: {en: P, cy: P}\n");
	buf_reset(&err);
	CHECK(catalog_load(p, &err) == NULL);
	buf_reset(&err);
	catalog_load(p, &err);
	{
		struct buf want = BUF_INIT;
		buf_printf(&want,
		           "%s:6: unknown key 'colour' (known: id, basis, title, text)\n"
		           "%s:2: id must be a short name of a-z, 0-9 and '-', e.g. website\n"
		           "%s:3: basis must be consent or public_task\n"
		           "%s:4: title needs the text in cy\n"
		           "%s:5: text: unknown language 'fr' (known: en, cy)\n"
		           "%s:11: purpose 'press' is given twice\n",
		           p, p, p, p, p, p);
		CHECK_STR(buf_str(&err), buf_str(&want));
		buf_free(&want);
	}
	p = file("syntax.yaml", "purposes:\n  - id: [unclosed\n");
	buf_reset(&err);
	CHECK(catalog_load(p, &err) == NULL);
	CHECK(strncmp(buf_str(&err), p, strlen(p)) == 0 &&
	      strstr(buf_str(&err), ":3: YAML") != NULL);
	buf_reset(&err);
	CHECK(catalog_load("/nonexistent/consent.yaml", &err) == NULL);
	CHECK_STR(buf_str(&err),
	          "/nonexistent/consent.yaml: cannot read: No such file or directory\n");
	buf_free(&err);
	testdb_free(db);
}

static void test_catalog_sync(void)
{
	struct db *db = testdb_new();
	struct buf err = BUF_INIT;
	struct catalog *c = catalog_load(file("consent.yaml", consent_yaml), &err);
	const char *tsv = file("signable.tsv", signable_tsv), *p;

	CHECK_INT(catalog_sync(db, c, tsv, &err), 0);
	CHECK_STR(testdb_str(db,
	                     "SELECT group_concat(id || ':' || basis || ':' || position, ' ') FROM "
	                     "(SELECT * FROM purpose ORDER BY position)"),
	          "displays:public_task:1 website:consent:2 press:consent:3");
	CHECK_STR(testdb_str(db, "SELECT count(*) FROM document"), "4");
	CHECK_STR(testdb_str(db, "SELECT declaration FROM document WHERE lang = 'cy' AND version = "
	                         "'2026-09-01'"),
	          "Rwy'n cytuno.");
	/* Again: nothing changes. */
	CHECK_INT(catalog_sync(db, c, tsv, &err), 0);
	CHECK_STR(testdb_str(db, "SELECT count(*) FROM document"), "4");
	CHECK_STR(buf_str(&err), "");

	/* A published version's text may not change: refused, and the new line in the same
	 * file is not added either. */
	p = file("changed.tsv",
	         "conduct\t2027-09-01\ten\t" SHA_A "\t0\tT\tD\n"
	         "conduct\t2025-09-01\ten\t" SHA_B "\t0\tCode of Conduct\tI agree.\n");
	CHECK_INT(catalog_sync(db, c, p, &err), -1);
	{
		struct buf want = BUF_INIT;
		buf_printf(
		    &want,
		    "%s:2: conduct 2025-09-01 (en) was published with a different text; a "
		    "version parents may have signed must not change: publish the change as a "
		    "new version\n",
		    p);
		CHECK_STR(buf_str(&err), buf_str(&want));
		buf_free(&want);
	}
	CHECK_STR(testdb_str(db, "SELECT count(*) FROM document"), "4");
	CHECK_STR(
	    testdb_str(db,
	               "SELECT sha256 FROM document WHERE version = '2025-09-01' AND lang = 'en'"),
	    SHA_A);
	/* resign is outside the text's hash and may be corrected. */
	p = file("resign.tsv",
	         "conduct\t2026-09-01\ten\t" SHA_C "\t0\tCode of Conduct\tI agree.\n");
	buf_reset(&err);
	CHECK_INT(catalog_sync(db, c, p, &err), 0);
	CHECK_STR(
	    testdb_str(db,
	               "SELECT resign FROM document WHERE version = '2026-09-01' AND lang = 'en'"),
	    "0");
	/* Malformed lines are reported by line. */
	p = file("bad.tsv", "conduct\t2026-9-01\ten\t" SHA_C "\t0\tT\tD\n"
	                    "\n"
	                    "conduct\t2026-09-01\ten\n");
	buf_reset(&err);
	CHECK_INT(catalog_sync(db, c, p, &err), -1);
	{
		struct buf want = BUF_INIT;
		buf_printf(
		    &want,
		    "%s:1: expected slug, version (YYYY-MM-DD), language (en or cy), SHA-256, "
		    "resign (0 or 1), title, declaration\n"
		    "%s:3: expected 7 tab-separated fields of UTF-8 text; rebuild the site with "
		    "policygen build\n",
		    p, p);
		CHECK_STR(buf_str(&err), buf_str(&want));
		buf_free(&want);
	}
	catalog_free(c);

	/* A purpose taken out of consent.yaml: refused while answers refer to it... */
	CHECK(testdb_exec(
	          db,
	          "INSERT INTO family (ref) VALUES ('F1');"
	          "INSERT INTO child (family_id, ref, first_name, last_name, class)"
	          " VALUES (1, 'C1', 'A', 'B', 'C');"
	          "INSERT INTO answer VALUES (1, 'press', 'X', 'x', 'no', 't', 'qr', NULL, 1);") ==
	      0);
	buf_reset(&err);
	c = catalog_load(file("two.yaml", "purposes:\n"
	                                  "  - id: website\n"
	                                  "    basis: consent\n"
	                                  "    title: {en: W, cy: W}\n"
	                                  "    text: {en: W, cy: W}\n"),
	                 &err);
	CHECK(c != NULL);
	CHECK_INT(catalog_sync(db, c, NULL, &err), -1);
	CHECK_STR(buf_str(&err), "purpose 'press' is no longer in consent.yaml but 1 answers refer "
	                         "to it; put it back (the answers stay valid)\n");
	CHECK_STR(testdb_str(db, "SELECT count(*) FROM purpose"), "3");
	/* ...and dropped when nobody answered it. */
	CHECK(testdb_exec(db, "DELETE FROM answer") == 0);
	buf_reset(&err);
	CHECK_INT(catalog_sync(db, c, NULL, &err), 0);
	CHECK_STR(testdb_str(db, "SELECT group_concat(id) FROM purpose"), "website");
	CHECK_STR(testdb_str(db, "SELECT count(*) FROM document"), "4"); /* documents stay */
	catalog_free(c);
	buf_free(&err);
	testdb_free(db);
}

/* Runs sql with args[0..n-1] bound to ?1..?n (NULL as NULL): the number of rows it
 * changed, or -1 when it does not prepare or finish. */
static int run(struct db *db, const char *sql, const char *const *args, int n)
{
	sqlite3_stmt *st;
	int i, rc;

	if (sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL) != SQLITE_OK) {
		printf("  sql: %s: %s\n", sql, db_errmsg(db));
		return -1;
	}
	for (i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? sqlite3_changes(db_sqlite(db)) : -1;
}

/* Signs document (slug, version, lang) for family ref. */
static void sign(struct db *db, const char *ref, const char *version, const char *lang,
                 const char *signer, const char *at, const char *channel, const char *staff)
{
	static const char sql[] =
	    "INSERT INTO signature (family_id, document_id, signer, signer_key, at, channel,"
	    " staff, event_id) SELECT f.id, d.id, ?3, lower(?3), ?4, ?5, ?6, 1"
	    " FROM family f, document d WHERE f.ref = ?1 AND d.slug = 'conduct'"
	    " AND d.version = ?2 AND d.lang = ?7";
	const char *args[] = {ref, version, signer, at, channel, staff, lang};

	CHECK_INT(run(db, sql, args, 7), 1);
}

/* Records carer's answer for the child with ref. */
static void answer(struct db *db, const char *child, const char *purpose, const char *carer,
                   const char *yes_no)
{
	static const char sql[] =
	    "INSERT INTO answer (child_id, purpose, signer, signer_key, answer, at, channel,"
	    " event_id) SELECT id, ?2, ?3, lower(?3), ?4, '2026-09-05T10:00:00Z', 'qr', 1"
	    " FROM child WHERE ref = ?1";
	const char *args[] = {child, purpose, carer, yes_no};

	CHECK_INT(run(db, sql, args, 4), 1);
}

/* Families with Welsh names and a formula-injection name, the purposes and documents. */
static struct db *fixture(void)
{
	static const char csv[] =
	    "family_ref,child_ref,first_name,last_name,class,carers,language\n"
	    "F1,C1,Gwenllïan,Pritchard-Jones,Year 4,Elin Pritchard-Jones; Rhodri Jones,cy\n"
	    "F1,C2,Llŷr,Pritchard-Jones,Reception,Elin Pritchard-Jones; Rhodri Jones,cy\n"
	    "F2,C3,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\",Smith,Year 4,"
	    "Sarah Smith,en\n"
	    "F3,C4,Siôn,Williams,Year 6,Catrin Williams,cy\n"
	    "F4,C5,Gone,Away,Year 6,,en\n";
	struct db *db = testdb_new();
	struct buf err = BUF_INIT;
	struct roster_counts n;
	struct catalog *c = catalog_load(file("consent.yaml", consent_yaml), &err);

	CHECK_INT(catalog_sync(db, c, file("signable.tsv", signable_tsv), &err), 0);
	catalog_free(c);
	CHECK_INT(roster_import(db, "f.csv", csv, strlen(csv), "2026-09-01", 0, &n, &err), 0);
	CHECK(testdb_exec(db, "UPDATE child SET left_on = '2026-10-01' WHERE ref = 'C5';"
	                      "UPDATE family SET left_on = '2026-10-01' WHERE ref = 'F4'") == 0);
	buf_free(&err);
	return db;
}

static void test_declaration_status(void)
{
	static const char sql[] =
	    "SELECT group_concat(f.ref || ':' || ds.version || ':' ||"
	    " coalesce(ds.signed_version, '-') || ':' || ds.needs_sign ||"
	    " ':' || ds.sign_again, ' ') FROM (SELECT * FROM declaration_status"
	    " ORDER BY family_id) ds JOIN family f ON f.id = ds.family_id";
	struct db *db = fixture();

	sign(db, "F1", "2026-09-01", "cy", "Elin", "2026-09-03T08:00:00Z", "qr", NULL);
	sign(db, "F2", "2025-09-01", "en", "Sarah", "2025-09-10T12:00:00Z", "qr", NULL);
	/* F1 signed the current version; F2 an older one, and 2026-09-01 has resign: sign
	 * again; F3 never signed. Left families are in the view too. */
	CHECK_STR(testdb_str(db, sql), "F1:2026-09-01:2026-09-01:0:0 F2:2026-09-01:2025-09-01:1:1 "
	                               "F3:2026-09-01:-:1:0 F4:2026-09-01:-:1:0");
	/* Without resign on the new version, the older signature still counts... */
	CHECK(testdb_exec(db, "UPDATE document SET resign = 0") == 0);
	CHECK_STR(testdb_str(db, sql), "F1:2026-09-01:2026-09-01:0:0 F2:2026-09-01:2025-09-01:0:0 "
	                               "F3:2026-09-01:-:1:0 F4:2026-09-01:-:1:0");
	/* ...until any later version up to the current one has it. */
	CHECK(testdb_exec(db,
	                  "INSERT INTO document (slug, version, lang, sha256, resign, title,"
	                  " declaration) VALUES ('conduct', '2027-09-01', 'en', 'e', 0, 'T', 'D');"
	                  "UPDATE document SET resign = 1 WHERE version = '2026-09-01'") == 0);
	CHECK_STR(testdb_str(db, sql), "F1:2027-09-01:2026-09-01:0:0 F2:2027-09-01:2025-09-01:1:1 "
	                               "F3:2027-09-01:-:1:0 F4:2027-09-01:-:1:0");
	testdb_free(db);
}

static struct buf result;

/* Runs an export into a string (valid until the next call; out is freed at the end). */
static const char *export(struct db *db, enum export_kind k, long *rows)
{
	struct buf err = BUF_INIT;

	buf_free(&result);
	*rows = export_csv(db, k, "2026-11-21T09:30:00Z", &result, &err);
	CHECK_STR(buf_str(&err), "");
	buf_free(&err);
	return buf_str(&result);
}

#define BOM "\xef\xbb\xbf"
#define EVIL "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\""

static void test_exports(void)
{
	struct db *db = fixture();
	long rows;

	CHECK_INT(export_kind("photo"), EXPORT_PHOTO);
	CHECK_INT(export_kind("everything"), -1);
	CHECK_INT(export_kind(NULL), -1);
	/* Nothing answered yet. */
	CHECK_STR(export(db, EXPORT_DECLARATIONS, &rows), BOM
	          "family_ref,carers,signer,policy,version,language,signed_at,channel,staff\r\n");
	CHECK_INT(rows, 0);

	sign(db, "F1", "2026-09-01", "cy", "Elin Pritchard-Jones", "2026-09-03T08:00:00Z", "qr",
	     NULL);
	sign(db, "F1", "2026-09-01", "en", "Rhodri Jones", "2026-09-04T09:00:00Z", "paper", "meg");
	sign(db, "F2", "2025-09-01", "en", "@SUM(A1)", "2025-09-10T12:00:00Z", "qr", NULL);
	/* Two carers disagree about the website: the more restrictive "no" wins. */
	answer(db, "C1", "website", "Elin Pritchard-Jones", "yes");
	answer(db, "C1", "website", "Rhodri Jones", "no");
	answer(db, "C1", "press", "Elin Pritchard-Jones", "yes");
	answer(db, "C1", "displays", "Rhodri Jones", "no"); /* an objection */
	answer(db, "C2", "website", "Elin Pritchard-Jones", "yes");
	answer(db, "C2", "press", "Elin Pritchard-Jones", "yes");
	answer(db, "C3", "website", "Sarah Smith", "yes");
	answer(db, "C5", "website", "Nobody", "yes"); /* left: in no list */

	CHECK_STR(export(db, EXPORT_DECLARATIONS, &rows),
	          BOM "family_ref,carers,signer,policy,version,language,signed_at,channel,staff\r\n"
	              "F1,\"Elin Pritchard-Jones; Rhodri Jones\",Elin Pritchard-Jones,conduct,"
	              "2026-09-01,cy,2026-09-03T08:00:00Z,qr,\r\n"
	              "F1,\"Elin Pritchard-Jones; Rhodri Jones\",Rhodri Jones,conduct,2026-09-01,en,"
	              "2026-09-04T09:00:00Z,paper,meg\r\n"
	              "F2,Sarah Smith,\"'@SUM(A1)\",conduct,2025-09-01,en,2025-09-10T12:00:00Z,"
	              "qr,\r\n");
	CHECK_INT(rows, 3);

	CHECK_STR(export(db, EXPORT_PHOTO, &rows), BOM
	          "class,child_ref,first_name,last_name,purpose,basis,permitted,answers,given_by,as_at\r\n"
	          "Reception,C2,Llŷr,Pritchard-Jones,displays,public_task,yes,0,,"
	          "2026-11-21T09:30:00Z\r\n"
	          "Reception,C2,Llŷr,Pritchard-Jones,website,consent,yes,1,Elin Pritchard-Jones: yes (qr),"
	          "2026-11-21T09:30:00Z\r\n"
	          "Reception,C2,Llŷr,Pritchard-Jones,press,consent,yes,1,Elin Pritchard-Jones: yes (qr),"
	          "2026-11-21T09:30:00Z\r\n"
	          "Year 4,C1,Gwenllïan,Pritchard-Jones,displays,public_task,no,1,Rhodri Jones: no (qr),"
	          "2026-11-21T09:30:00Z\r\n"
	          "Year 4,C1,Gwenllïan,Pritchard-Jones,website,consent,no,2,"
	          "\"Elin Pritchard-Jones: yes (qr); Rhodri Jones: no (qr)\",2026-11-21T09:30:00Z\r\n"
	          "Year 4,C1,Gwenllïan,Pritchard-Jones,press,consent,yes,1,Elin Pritchard-Jones: yes (qr),"
	          "2026-11-21T09:30:00Z\r\n"
	          "Year 4,C3," EVIL ",Smith,displays,public_task,yes,0,,2026-11-21T09:30:00Z\r\n"
	          "Year 4,C3," EVIL ",Smith,website,consent,yes,1,Sarah Smith: yes (qr),"
	          "2026-11-21T09:30:00Z\r\n"
	          "Year 4,C3," EVIL ",Smith,press,consent,no,0,,2026-11-21T09:30:00Z\r\n"
	          "Year 6,C4,Siôn,Williams,displays,public_task,yes,0,,2026-11-21T09:30:00Z\r\n"
	          "Year 6,C4,Siôn,Williams,website,consent,no,0,,2026-11-21T09:30:00Z\r\n"
	          "Year 6,C4,Siôn,Williams,press,consent,no,0,,2026-11-21T09:30:00Z\r\n");
	CHECK_INT(rows, 12);

	/* F1 signed the current version and answered every consent purpose: not listed. F2
	 * signed an older one and must sign again; F3 has done nothing. */
	CHECK_STR(export(db, EXPORT_OUTSTANDING, &rows),
	          BOM "family_ref,carers,language,children,to_sign,sign_again,photo_unanswered\r\n"
	              "F2,Sarah Smith,en,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\") "
	              "Smith (Year 4)\",conduct 2026-09-01,yes,\"'=HYPERLINK(\"\"http://"
	              "evil.example\"\",\"\"click\"\"): press\"\r\n"
	              "F3,Catrin Williams,cy,Siôn Williams (Year 6),conduct 2026-09-01,no,"
	              "\"Siôn: website, press\"\r\n");
	CHECK_INT(rows, 2);

	/* F3 signs and answers: it leaves the list. */
	sign(db, "F3", "2026-09-01", "cy", "Catrin Williams", "2026-11-01T10:00:00Z", "qr", NULL);
	answer(db, "C4", "website", "Catrin Williams", "no");
	answer(db, "C4", "press", "Catrin Williams", "no");
	CHECK(strstr(export(db, EXPORT_OUTSTANDING, &rows), "F3,") == NULL);
	CHECK_INT(rows, 1);
	/* The photo list, computed in C, says what the `effective` view says (the query the
	 * export used before): more carers, times, paper answers with and without staff. */
	CHECK(testdb_exec(db,
	                  "INSERT INTO answer (child_id, purpose, signer, signer_key, answer, at,"
	                  " channel, staff, event_id) SELECT c.id, p.id, 'Carer ' || k.n,"
	                  " 'carer ' || k.n, CASE WHEN (c.id + k.n + length(p.id)) % 3 = 0"
	                  " THEN 'no' ELSE 'yes' END, '2026-10-0' || (9 - k.n) || 'T10:00:00Z',"
	                  " CASE k.n WHEN 2 THEN 'paper' ELSE 'qr' END,"
	                  " CASE k.n WHEN 2 THEN 'meg' WHEN 3 THEN '' END, 1"
	                  " FROM child c, purpose p, (SELECT 1 AS n UNION SELECT 2 UNION SELECT 3) k"
	                  " WHERE (c.id + k.n) % 2 = 0 OR p.id = 'press'") == 0);
	{
		static const char view_sql[] =
		    "SELECT c.class, c.ref, c.first_name, c.last_name, e.purpose, e.basis,"
		    " CASE WHEN e.permitted THEN 'yes' ELSE 'no' END, e.answers,"
		    " (SELECT group_concat(g, '; ') FROM (SELECT a.signer || ': ' || a.answer || ' ('"
		    "   || a.channel || coalesce(', ' || a.staff, '') || ')' AS g FROM answer a"
		    "   WHERE a.child_id = c.id AND a.purpose = e.purpose ORDER BY a.at, a.signer_key)),"
		    " '2026-11-21T09:30:00Z'"
		    " FROM child c JOIN effective e ON e.child_id = c.id JOIN purpose p ON p.id = e.purpose"
		    " WHERE c.left_on IS NULL"
		    " ORDER BY c.class, c.last_name, c.first_name, c.ref, p.position, p.id";
		struct buf want = BUF_INIT;
		sqlite3_stmt *st = db_stmt(db, view_sql);
		int i, n = 0;
		csv_bom(&want);
		buf_puts(&want, "class,child_ref,first_name,last_name,purpose,basis,permitted,"
		                "answers,given_by,as_at\r\n");
		while (st && sqlite3_step(st) == SQLITE_ROW) {
			const char *cells[10];
			for (i = 0; i < 10; i++)
				cells[i] = db_col_text(st, i);
			csv_row(&want, cells, 10);
			n++;
		}
		if (st)
			sqlite3_reset(st);
		CHECK_STR(export(db, EXPORT_PHOTO, &rows), buf_str(&want));
		CHECK_INT(rows, n);
		CHECK(strstr(buf_str(&want), "(paper, meg)") && strstr(buf_str(&want), "(qr, )"));
		buf_free(&want);
	}
	{
		struct buf out = BUF_INIT, err = BUF_INIT;
		CHECK_INT(export_csv(db, EXPORT__MAX, NULL, &out, &err), -1);
		CHECK_STR(buf_str(&err), "export: unknown list\n");
		buf_free(&out);
		buf_free(&err);
	}
	buf_free(&result);
	testdb_free(db);
}

int main(void)
{
	if (token_init() < 0)
		return 1;
	RUN(test_catalog_load);
	RUN(test_catalog_sync);
	RUN(test_declaration_status);
	RUN(test_exports);
	CHECK_MAIN();
}
