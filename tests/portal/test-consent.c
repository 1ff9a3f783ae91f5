/* Unit tests of the portal's data layer (consent.c) against a temporary database. */
#include <stdlib.h>
#include <unistd.h>

#include "audit.h"
#include "check.h"
#include "consent.h"
#include "evidence.h"
#include "db.h"
#include "token.h"
#include "testdb.h"

static struct db *db;
static struct arena *A;
static char tok1[TOKEN_LEN + 1], tok2[TOKEN_LEN + 1], tok_revoked[TOKEN_LEN + 1];

static void sql(const char *s)
{
	char *msg = NULL;

	if (sqlite3_exec(db_sqlite(db), s, NULL, NULL, &msg) != SQLITE_OK) {
		printf("fixture SQL failed: %s\n  %s\n", msg ? msg : "?", s);
		exit(1);
	}
}

static long long count(const char *query)
{
	return testdb_count(db, query);
}

static void add_token(long long family, const char *token, int revoked)
{
	char hex[TOKEN_HEX_LEN + 1], q[300];

	token_hash_hex(token, hex);
	snprintf(q, sizeof q,
	         "INSERT INTO token (family_id, hash, issued_at, revoked_at) VALUES (%lld, '%s',"
	         " '2026-09-01T00:00:00Z', %s)",
	         family, hex, revoked ? "'2026-09-02T00:00:00Z'" : "NULL");
	sql(q);
}

/* Two families: 1 (children 11 Ffion, 12 Osian, 13 Aled who left), 2 (child 21);
 * three purposes; the code of conduct in two versions, the second not asking to sign
 * again. */
static void setup(void)
{
	unsigned char b[TOKEN_BYTES];
	int i;

	if (token_init() < 0 || (A = arena_new()) == NULL || (db = testdb_new()) == NULL)
		exit(1);
	sql("INSERT INTO family (id, ref, carers, language) VALUES (1, 'F1', 'Siân Jones', 'en'),"
	    " (2, 'F2', '', 'cy');"
	    "INSERT INTO child (id, family_id, ref, first_name, last_name, class, left_on) VALUES"
	    " (11, 1, 'C11', 'Osian', 'Jones', 'Dosbarth 1', NULL),"
	    " (12, 1, 'C12', 'Ffion', 'Jones', 'Dosbarth 3', NULL),"
	    " (13, 1, 'C13', 'Aled', 'Jones', 'Dosbarth 6', '2026-07-20'),"
	    " (21, 2, 'C21', 'Cai', 'Evans', 'Dosbarth 2', NULL);"
	    "INSERT INTO purpose (id, basis, position) VALUES ('displays', 'public_task', 0),"
	    " ('website', 'consent', 1), ('press', 'consent', 2);"
	    "INSERT INTO document (id, slug, version, lang, sha256, resign, title, declaration)"
	    " VALUES (1, 'code-of-conduct', '2025-09-01', 'en', 'aa', 0, 'Code', 'I agree.'),"
	    " (2, 'code-of-conduct', '2025-09-01', 'cy', 'bb', 0, 'Cod', 'Rwy''n cytuno.'),"
	    " (3, 'code-of-conduct', '2026-09-01', 'en', 'cc', 0, 'Code', 'I agree.'),"
	    " (4, 'code-of-conduct', '2026-09-01', 'cy', 'dd', 0, 'Cod', 'Rwy''n cytuno.');");
	for (i = 0; i < TOKEN_BYTES; i++)
		b[i] = (unsigned char)(i * 7 + 1);
	token_from_bytes(b, tok1);
	b[0] ^= 0x80;
	token_from_bytes(b, tok2);
	b[1] ^= 0x80;
	token_from_bytes(b, tok_revoked);
	add_token(1, tok1, 0);
	add_token(2, tok2, 0);
	add_token(1, tok_revoked, 1);
}

static void teardown(void)
{
	testdb_free(db);
	arena_free(A);
}

static struct consent_family *load(long long family, const char *lang)
{
	struct consent_family *f = NULL;

	CHECK_INT(consent_load(db, A, NULL, family, lang, &f), 0);
	return f;
}

/* The effective answer for a child and purpose of a freshly loaded family 1. */
static const struct consent_effective *eff(long long child, const char *purpose)
{
	struct consent_family *f = load(1, "en");
	int ci, pi;

	if (f == NULL)
		return NULL;
	ci = consent_child_index(f, child);
	pi = consent_purpose_index(f, purpose);
	if (ci < 0 || pi < 0)
		return NULL;
	return consent_effective_at(f, (size_t)ci, (size_t)pi);
}

/* consent_load computes what the views `effective` and `declaration_status` say (in C,
 * from the rows it reads anyway): for both families, each child and purpose and each
 * document must agree with the views. Returns the number of cells and documents
 * compared. */
static int agrees_with_views(void)
{
	static const char *const langs[] = {"en", "cy"};
	long long family;
	int compared = 0;
	size_t i, j, li;
	char q[400];

	for (family = 1; family <= 2; family++) {
		for (li = 0; li < 2; li++) {
			struct consent_family *f = load(family, langs[li]);
			if (f == NULL)
				continue;
			for (i = 0; i < f->nchildren; i++) {
				for (j = 0; j < f->npurposes; j++) {
					const struct consent_effective *e = consent_effective_at(f, i, j);
					snprintf(q, sizeof q,
					         "SELECT answers * 100 + permitted * 10 + (SELECT count(*)"
					         " FROM answer WHERE child_id = %lld AND purpose = '%s'"
					         " AND answer = 'yes') FROM effective"
					         " WHERE child_id = %lld AND purpose = '%s'",
					         f->children[i].id, f->purposes[j].id, f->children[i].id,
					         f->purposes[j].id);
					CHECK_INT(e->answers * 100 + e->permitted * 10 + e->yes, count(q));
					compared++;
				}
			}
			for (i = 0; i < f->ndocs; i++) {
				snprintf(q, sizeof q,
				         "SELECT needs_sign * 10 + sign_again FROM declaration_status"
				         " WHERE family_id = %lld AND slug = '%s'",
				         family, f->docs[i].slug);
				CHECK_INT(f->docs[i].needs_sign * 10 + f->docs[i].sign_again, count(q));
				compared++;
			}
		}
	}
	return compared;
}

static enum consent_err record(const char *name, const long long *docs, size_t ndocs,
                               const struct consent_item *items, size_t nitems,
                               char ref[CONSENT_REF_MAX])
{
	struct consent_submission s = {.family_id = 1,
	                               .signer = name,
	                               .documents = docs,
	                               .ndocuments = ndocs,
	                               .items = items,
	                               .nitems = nitems,
	                               .channel = "qr"};

	return consent_record(db, &s, ref);
}

static void test_lookup(void)
{
	long long id = -1, now = 1000000;
	char changed[TOKEN_LEN + 1], lower[TOKEN_LEN + 1];
	int i;

	CHECK_INT(consent_lookup(db, tok1, "192.0.2.1", now, &id), CONSENT_FOUND);
	CHECK_INT(id, 1);
	CHECK_INT(consent_lookup(db, tok2, "192.0.2.1", now, &id), CONSENT_FOUND);
	CHECK_INT(id, 2);
	/* typed in lower case it is the same token */
	for (i = 0; i <= TOKEN_LEN; i++)
		lower[i] = (char)(tok1[i] >= 'A' && tok1[i] <= 'Z' ? tok1[i] + 32 : tok1[i]);
	CHECK_INT(consent_lookup(db, lower, "192.0.2.1", now, &id), CONSENT_FOUND);
	/* revoked, one character changed, malformed, empty: all the same answer */
	CHECK_INT(consent_lookup(db, tok_revoked, "192.0.2.1", now, &id), CONSENT_UNKNOWN);
	CHECK_INT(id, 0);
	memcpy(changed, tok1, sizeof changed);
	changed[5] = changed[5] == 'A' ? 'B' : 'A';
	CHECK_INT(consent_lookup(db, changed, "192.0.2.1", now, &id), CONSENT_UNKNOWN);
	CHECK_INT(consent_lookup(db, "not-a-token", "192.0.2.1", now, &id), CONSENT_UNKNOWN);
	CHECK_INT(consent_lookup(db, "", "192.0.2.1", now, &id), CONSENT_UNKNOWN);
	CHECK_INT(count("SELECT failures FROM throttle WHERE key = 'token:192.0.2.1'"), 4);
	for (i = 4; i < CONSENT_THROTTLE_LIMIT; i++)
		CHECK_INT(consent_lookup(db, changed, "192.0.2.1", now + i, &id), CONSENT_UNKNOWN);
	/* at the limit even a good token is refused from that address, and not counted */
	CHECK_INT(consent_lookup(db, tok1, "192.0.2.1", now + 30, &id), CONSENT_THROTTLED);
	CHECK_INT(consent_lookup(db, changed, "192.0.2.1", now + 30, &id), CONSENT_THROTTLED);
	CHECK_INT(count("SELECT failures FROM throttle WHERE key = 'token:192.0.2.1'"),
	          CONSENT_THROTTLE_LIMIT);
	/* another address is not affected */
	CHECK_INT(consent_lookup(db, tok1, "192.0.2.2", now + 30, &id), CONSENT_FOUND);
	/* after the window the address may try again, and the count starts afresh */
	CHECK_INT(consent_lookup(db, tok1, "192.0.2.1", now + CONSENT_THROTTLE_WINDOW, &id),
	          CONSENT_FOUND);
	CHECK_INT(consent_lookup(db, changed, "192.0.2.1", now + CONSENT_THROTTLE_WINDOW, &id),
	          CONSENT_UNKNOWN);
	CHECK_INT(count("SELECT failures FROM throttle WHERE key = 'token:192.0.2.1'"), 1);
	/* an address string longer than the bound is cut, not refused */
	CHECK_INT(consent_lookup(db, tok1,
	                         "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff%eth0-with-a"
	                         "-very-long-zone-name-indeed",
	                         now, &id),
	          CONSENT_FOUND);
	sql("DELETE FROM throttle");
}

/* consent_lookup_lang: the lookup's answers, with the household's stored language. */
static void test_lookup_lang(void)
{
	long long id = -1, now = 1000000;
	char lang[3] = "xx";

	CHECK_INT(consent_lookup_lang(db, tok2, "192.0.2.9", now, &id, lang), CONSENT_FOUND);
	CHECK_INT(id, 2);
	CHECK_STR(lang, "cy");
	CHECK_INT(consent_lookup_lang(db, tok1, "192.0.2.9", now, &id, lang), CONSENT_FOUND);
	CHECK_INT(id, 1);
	CHECK_STR(lang, "en");
	memcpy(lang, "cy", 3);
	CHECK_INT(consent_lookup_lang(db, tok_revoked, "192.0.2.9", now, &id, lang),
	          CONSENT_UNKNOWN);
	CHECK_INT(id, 0);
	CHECK_STR(lang, "en");
	CHECK_INT(consent_lookup_lang(db, tok1, "192.0.2.9", now, &id, NULL), CONSENT_FOUND);
	/* a family whose children have all left: LEFT, with its id and language */
	sql("UPDATE family SET left_on = '2026-07-20', language = 'cy' WHERE id = 1");
	CHECK_INT(consent_lookup_lang(db, tok1, "192.0.2.9", now, &id, lang), CONSENT_LEFT);
	CHECK_INT(id, 1);
	CHECK_STR(lang, "cy");
	CHECK_INT(consent_lookup(db, tok1, "192.0.2.9", now, &id), CONSENT_LEFT);
	sql("UPDATE family SET left_on = NULL, language = 'en' WHERE id = 1");
	CHECK_INT(count("SELECT failures FROM throttle WHERE key = 'token:192.0.2.9'"), 1);
	sql("DELETE FROM throttle");
}

static void test_signer_key(void)
{
	char show[CONSENT_NAME_MAX + 1], key[CONSENT_NAME_MAX + 1], long_name[CONSENT_NAME_MAX + 2];

	CHECK_INT(consent_signer_key("  Siân \t  JONES ", show, key), CONSENT_NAME_OK);
	CHECK_STR(show, "Siân JONES");
	CHECK_STR(key, "siân jones");
	CHECK_INT(consent_signer_key("Gareth", show, key), CONSENT_NAME_OK);
	CHECK_STR(key, "gareth");
	CHECK_INT(consent_signer_key("", show, key), CONSENT_NAME_EMPTY);
	CHECK_INT(consent_signer_key(NULL, show, key), CONSENT_NAME_EMPTY);
	CHECK_INT(consent_signer_key(" \t ", show, key), CONSENT_NAME_EMPTY);
	CHECK_STR(show, "");
	CHECK_INT(consent_signer_key("Siân\nJones", show, key), CONSENT_NAME_BAD);
	CHECK_INT(consent_signer_key("Si\xc3", show, key), CONSENT_NAME_BAD);
	CHECK_STR(key, "");
	/* Characters that change how a name looks without being seen: refused, so one
	 * carer's name cannot be made to look like another's. */
	{
		static const char *const hidden[] = {
		    "Sian\xe2\x80\xae Jones",   /* U+202E right-to-left override */
		    "Sian\xe2\x80\x8b Jones",   /* U+200B zero width space */
		    "Sian\xe2\x80\x8f",         /* U+200F right-to-left mark */
		    "\xe2\x81\xa6Sian\xe2\x81\xa9", /* U+2066 .. U+2069 isolates */
		    "Si\xc2\xad" "an",           /* U+00AD soft hyphen */
		    "Sian\xef\xbb\xbf",         /* U+FEFF */
		    "Sian\xe2\x80\x8d",         /* U+200D zero width joiner */
		    "Sian\xe2\x81\xa0",         /* U+2060 word joiner */
		    "Sian\xc2\x85",              /* U+0085, a C1 control */
		    "Sian\xe2\x80\xa8Jones",    /* U+2028 line separator */
		    "Sian\xf3\xa0\x80\x81",    /* U+E0001 language tag */
		    "Sian\xe3\x85\xa4",         /* U+3164 Hangul filler */
		    "Sian\xd8\x9c",              /* U+061C Arabic letter mark */
		};
		size_t i;
		for (i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
			CHECK_INT(consent_signer_key(hidden[i], show, key), CONSENT_NAME_INVISIBLE);
	}
	/* Letters with diacritics, apostrophes (straight and curly) and hyphens are fine. */
	CHECK_INT(consent_signer_key("Siân O'Brien-Llŷr", show, key), CONSENT_NAME_OK);
	CHECK_INT(consent_signer_key("Dafydd ap Gwilym\xe2\x80\x99s", show, key), CONSENT_NAME_OK);
	CHECK_INT(consent_signer_key("Zoë Łukasz Ñúñez", show, key), CONSENT_NAME_OK);
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[CONSENT_NAME_MAX] = '\0';
	CHECK_INT(consent_signer_key(long_name, show, key), CONSENT_NAME_OK);
	long_name[CONSENT_NAME_MAX] = 'a';
	long_name[CONSENT_NAME_MAX + 1] = '\0';
	CHECK_INT(consent_signer_key(long_name, show, key), CONSENT_NAME_LONG);
}

static void test_load(void)
{
	struct consent_family *f = load(1, "cy");

	if (f == NULL)
		return;
	CHECK_STR(f->language, "en");
	/* the child who left is not shown; the others by first name */
	CHECK_INT(f->nchildren, 2);
	CHECK_STR(f->children[0].first_name, "Ffion");
	CHECK_STR(f->children[1].first_name, "Osian");
	CHECK_STR(f->children[1].class_name, "Dosbarth 1");
	CHECK_INT(f->npurposes, 3);
	CHECK_STR(f->purposes[0].id, "displays");
	CHECK(f->purposes[0].public_task);
	CHECK(!f->purposes[1].public_task);
	/* the current version, in Welsh */
	CHECK_INT(f->ndocs, 1);
	CHECK_INT(f->docs[0].id, 4);
	CHECK_STR(f->docs[0].version, "2026-09-01");
	CHECK_STR(f->docs[0].lang, "cy");
	CHECK_STR(f->docs[0].declaration, "Rwy'n cytuno.");
	CHECK(f->docs[0].needs_sign);
	CHECK(!f->docs[0].sign_again);
	CHECK_INT(f->docs[0].nsigners, 0);
	CHECK_INT(f->nanswers, 0);
	/* a language with no text falls back to English */
	f = load(1, "fr");
	if (f)
		CHECK_INT(f->docs[0].id, 3);
	CHECK_INT(consent_load(db, A, NULL, 99, "en", &f), 1);
	CHECK(f == NULL);
	CHECK(agrees_with_views() > 0);
}

/* 1 when the answer and signature tables rebuilt from the log (audit_tables) are the
 * tables: the fixtures' roster, catalog and tokens, made by SQL with no events, are
 * reported by it and not looked at here. */
static int audit_answers_agree(int report)
{
	struct buf out = BUF_INIT;
	const char *p;
	int ok;

	ok = audit_tables(db, &out) >= 0;
	for (p = buf_str(&out); ok && *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0))
		if (strncmp(p, "answer", 6) == 0 || strncmp(p, "signature", 9) == 0 ||
		    strncmp(p, "event", 5) == 0)
			ok = 0;
	if (!ok && report)
		printf("  audit: %s", buf_str(&out));
	buf_free(&out);
	return ok;
}

static void test_record(void)
{
	long long docs[] = {3};
	struct consent_item items[] = {
	    {12, "displays", "yes"}, {12, "website", "yes"}, {12, "press", "no"},
	    {11, "displays", "no"},  {11, "website", "no"},  {11, "press", "no"},
	};
	char ref[CONSENT_REF_MAX], want[CONSENT_REF_MAX];
	struct consent_family *f;
	struct consent_receipt *r;
	const struct consent_effective *e;
	long long first = count("SELECT coalesce(max(id), 0) + 1 FROM event");
	struct buf out = BUF_INIT;

	CHECK_INT(record("  Siân   Jones ", docs, 1, items, 6, ref), CONSENT_OK);
	snprintf(want, sizeof want, "%lld-", first);
	CHECK(strncmp(ref, want, strlen(want)) == 0);
	CHECK_INT(strlen(ref), strlen(want) + 4);
	/* one event for the whole submission, its data listing the document and each answer
	 * in the order given */
	CHECK_INT(count("SELECT count(*) FROM event WHERE id >= (SELECT max(id) FROM event)"), 1);
	CHECK_INT(count("SELECT count(*) FROM event WHERE kind IN ('sign', 'answer')"), 0);
	CHECK_INT(count("SELECT count(*) FROM event WHERE kind = 'submission' AND v = 2"
	                " AND family_id = 1 AND child_id IS NULL AND signer = 'Siân Jones'"
	                " AND data = '[[\"sign\",3],[\"answer\",12,\"displays\",\"yes\"],"
	                "[\"answer\",12,\"website\",\"yes\"],[\"answer\",12,\"press\",\"no\"],"
	                "[\"answer\",11,\"displays\",\"no\"],[\"answer\",11,\"website\",\"no\"],"
	                "[\"answer\",11,\"press\",\"no\"]]'"),
	          1);
	/* every row points at it, with its time */
	CHECK_INT(count("SELECT count(*) FROM answer a JOIN event e ON e.id = a.event_id"
	                " WHERE e.kind = 'submission' AND a.at = e.at"),
	          6);
	CHECK_INT(count("SELECT count(*) FROM signature s JOIN event e ON e.id = s.event_id"
	                " WHERE e.kind = 'submission' AND s.at = e.at"),
	          1);
	CHECK_INT(count("SELECT count(*) FROM answer"), 6);
	CHECK_INT(count("SELECT count(*) FROM signature WHERE signer = 'Siân Jones'"
	                " AND signer_key = 'siân jones' AND channel = 'qr' AND document_id = 3"),
	          1);
	f = load(1, "en");
	if (f) {
		CHECK(!f->docs[0].needs_sign);
		CHECK_INT(f->docs[0].nsigners, 1);
		CHECK_STR(f->docs[0].signers[0].signer, "Siân Jones");
		CHECK_STR(f->docs[0].signers[0].version, "2026-09-01");
		CHECK_INT(f->nanswers, 6);
	}
	e = eff(12, "website");
	CHECK(e && e->permitted && e->answers == 1 && e->yes == 1);
	e = eff(12, "press");
	CHECK(e && !e->permitted && e->answers == 1);
	e = eff(11, "displays"); /* an objection */
	CHECK(e && !e->permitted);
	/* the receipt lists exactly what was recorded */
	CHECK_INT(consent_receipt(db, A, 1, ref, &r), 0);
	if (r) {
		CHECK_STR(r->ref, ref);
		CHECK_STR(r->signer, "Siân Jones");
		CHECK_INT(r->nitems, 7);
		CHECK_STR(r->items[0].kind, "sign");
		CHECK_STR(r->items[0].title, "Code");
		CHECK_STR(r->items[0].version, "2026-09-01");
		CHECK_STR(r->items[1].kind, "answer");
		CHECK_STR(r->items[1].child, "Ffion");
		CHECK_STR(r->items[1].purpose, "displays");
		CHECK_STR(r->items[6].child, "Osian");
		CHECK_STR(r->items[6].answer, "no");
	}
	/* the chain verifies after recording, and the tables rebuilt from the log agree */
	CHECK_INT(db_verify(db, &out), 0);
	CHECK(audit_answers_agree(1));
	buf_free(&out);
	/* the evidence shows the one event and each answer, from its data */
	{
		struct evidence *ev = NULL;
		size_t i, nitems = 0, nevents = 0;
		CHECK_INT(evidence_load(db, A, 1, first, &ev), 0);
		if (ev) {
			CHECK_STR(ev->ref, ref);
			CHECK_STR(ev->signer, "Siân Jones");
			for (i = 0; i < ev->nevents; i++) {
				nitems += ev->events[i].item;
				nevents += !ev->events[i].item;
				CHECK_INT(ev->events[i].id, first);
			}
			CHECK_INT(nevents, 1);
			CHECK_INT(nitems, 7);
			CHECK_STR(ev->events[0].kind, "submission");
			CHECK(ev->events[0].hash_ok);
			CHECK(strstr(ev->events[0].canon, "[\"answer\",11,\"press\",\"no\"]") != NULL);
			if (ev->nevents == 8) {
				CHECK_STR(ev->events[1].kind, "sign");
				CHECK_STR(ev->events[1].sha256, "cc");
				CHECK_STR(ev->events[2].child, "Ffion");
				CHECK_STR(ev->events[2].child_ref, "C12");
				CHECK_STR(ev->events[2].purpose, "displays");
				CHECK_STR(ev->events[2].answer, "yes");
				CHECK_STR(ev->events[7].child, "Osian");
				CHECK_STR(ev->events[7].answer, "no");
			}
		}
	}
}

/* Submissions written in the older form (an event per document and answer, detail
 * "submission <first id>") are still read: the receipt, the evidence and the rebuild
 * from the log. */
static void test_old_form(void)
{
	struct db_event e;
	struct consent_receipt *r = NULL;
	struct evidence *ev = NULL;
	struct buf out = BUF_INIT;
	char detail[48], ref[CONSENT_REF_MAX], hash[DB_HASH_HEX + 1], at[21], q[600];
	long long first, id;

	sql("BEGIN IMMEDIATE");
	first = count("SELECT max(id) + 1 FROM event");
	snprintf(detail, sizeof detail, "submission %lld", first);
	memset(&e, 0, sizeof e);
	e.kind = "answer";
	e.family_id = 2;
	e.child_id = 21;
	e.purpose = "press";
	e.answer = "no";
	e.signer = "Dafydd Evans";
	e.channel = "qr";
	e.detail = detail;
	CHECK_INT(db_event_append_at(db, &e, at, hash), first);
	snprintf(q, sizeof q,
	         "INSERT INTO answer (child_id, purpose, signer, signer_key, answer, at, channel,"
	         " event_id) VALUES (21, 'press', 'Dafydd Evans', 'dafydd evans', 'no', '%s',"
	         " 'qr', %lld)", at, first);
	sql(q);
	e.purpose = "website";
	id = db_event_append_at(db, &e, at, NULL);
	CHECK_INT(id, first + 1);
	snprintf(q, sizeof q,
	         "INSERT INTO answer (child_id, purpose, signer, signer_key, answer, at, channel,"
	         " event_id) VALUES (21, 'website', 'Dafydd Evans', 'dafydd evans', 'no', '%s',"
	         " 'qr', %lld)", at, id);
	sql(q);
	sql("COMMIT");
	snprintf(ref, sizeof ref, "%lld-%c%c%c%c", first, hash[0], hash[1], hash[2], hash[3]);
	CHECK_INT(consent_receipt(db, A, 2, ref, &r), 0);
	if (r) {
		CHECK_INT(r->nitems, 2);
		CHECK_STR(r->items[1].purpose, "website");
	}
	CHECK_INT(evidence_load(db, A, 2, first, &ev), 0);
	if (ev) {
		CHECK_INT(ev->nevents, 2);
		CHECK_STR(ev->events[0].kind, "answer");
		CHECK(!ev->events[0].item && !ev->events[1].item);
	}
	CHECK_INT(db_verify(db, &out), 0);
	CHECK(audit_answers_agree(1));
	buf_free(&out);
	CHECK(agrees_with_views() > 0);
}

static void test_change(void)
{
	long long docs[] = {3};
	struct consent_item items[] = {{12, "website", "no"}};
	char ref[CONSENT_REF_MAX];
	const struct consent_effective *e;
	struct consent_family *f;
	long long events = count("SELECT count(*) FROM event");

	/* the same carer, typed differently: one carer, signed once, answer replaced */
	CHECK_INT(record("siân JONES", docs, 1, items, 1, ref), CONSENT_OK);
	CHECK_INT(count("SELECT count(*) FROM event") - events, 1);
	CHECK_INT(count("SELECT count(*) FROM signature"), 1);
	CHECK_INT(count("SELECT count(*) FROM answer WHERE child_id = 12 AND purpose = 'website'"),
	          1);
	e = eff(12, "website");
	CHECK(e && !e->permitted && e->answers == 1 && e->yes == 0);
	f = load(1, "en");
	if (f)
		CHECK_INT(f->docs[0].nsigners, 1);
	/* signing only what is signed already records nothing */
	CHECK_INT(record("Siân Jones", docs, 1, NULL, 0, ref), CONSENT_ERR_NOTHING);
	CHECK_STR(ref, "");
	/* and back to yes */
	items[0].answer = "yes";
	CHECK_INT(record("Siân Jones", NULL, 0, items, 1, ref), CONSENT_OK);
	e = eff(12, "website");
	CHECK(e && e->permitted);
}

static void test_two_carers(void)
{
	long long docs[] = {4};
	struct consent_item yes[] = {{12, "website", "yes"}}, no[] = {{12, "website", "no"}};
	struct consent_item object[] = {{12, "displays", "no"}};
	char ref[CONSENT_REF_MAX];
	const struct consent_effective *e;
	struct consent_family *f;

	/* a second carer signs (in Welsh) and refuses: the more restrictive answer wins */
	CHECK_INT(record("Gareth Jones", docs, 1, no, 1, ref), CONSENT_OK);
	e = eff(12, "website");
	CHECK(e && !e->permitted && e->answers == 2 && e->yes == 1);
	f = load(1, "en");
	if (f) {
		CHECK_INT(f->docs[0].nsigners, 2);
		CHECK_STR(f->docs[0].signers[1].signer, "Gareth Jones");
	}
	/* one objection to a public_task purpose is enough */
	CHECK_INT(record("Gareth Jones", NULL, 0, object, 1, ref), CONSENT_OK);
	e = eff(12, "displays");
	CHECK(e && !e->permitted);
	/* when the second carer agrees too, the school may */
	CHECK_INT(record("Gareth Jones", NULL, 0, yes, 1, ref), CONSENT_OK);
	e = eff(12, "website");
	CHECK(e && e->permitted && e->yes == 2);
	CHECK_INT(
	    count("SELECT permitted FROM effective WHERE child_id = 12 AND purpose = 'website'"),
	    1);
	CHECK(agrees_with_views() > 0);
}

static void test_withdraw(void)
{
	char ref[CONSENT_REF_MAX];
	const struct consent_effective *e;
	struct consent_receipt *r = NULL;
	long long events = count("SELECT count(*) FROM event");

	/* both carers said yes; one tap withdraws it for the family */
	CHECK_INT(consent_withdraw(db, 1, 12, "website", "cy", ref), CONSENT_OK);
	CHECK_INT(count("SELECT count(*) FROM event") - events, 2);
	CHECK_INT(count("SELECT count(*) FROM event WHERE kind = 'withdraw' AND signer IS NULL"),
	          2);
	CHECK_INT(count("SELECT count(*) FROM answer WHERE child_id = 12 AND purpose = 'website'"
	                " AND answer = 'no'"),
	          2);
	e = eff(12, "website");
	CHECK(e && !e->permitted && e->yes == 0);
	CHECK_INT(count("SELECT count(*) FROM family WHERE id = 1 AND language = 'cy'"), 1);
	CHECK_INT(consent_receipt(db, A, 1, ref, &r), 0);
	if (r) {
		CHECK(r->signer == NULL);
		CHECK_INT(r->nitems, 2);
		CHECK_STR(r->items[0].kind, "withdraw");
		CHECK_STR(r->items[0].child, "Ffion");
	}
	/* nothing left to withdraw */
	events = count("SELECT count(*) FROM event");
	CHECK_INT(consent_withdraw(db, 1, 12, "website", NULL, ref), CONSENT_ERR_NOTHING);
	CHECK_STR(ref, "");
	/* another family's child, a child who left, an unknown purpose */
	CHECK_INT(consent_withdraw(db, 1, 21, "website", NULL, ref), CONSENT_ERR_CHILD);
	CHECK_INT(consent_withdraw(db, 1, 13, "website", NULL, ref), CONSENT_ERR_CHILD);
	CHECK_INT(consent_withdraw(db, 1, 12, "nope", NULL, ref), CONSENT_ERR_PURPOSE);
	CHECK_INT(count("SELECT count(*) FROM event"), events);
	CHECK(consent_set_language(db, 1, "en") == 0);
	CHECK(consent_set_language(db, 1, "fr") < 0);
	CHECK_INT(count("SELECT count(*) FROM family WHERE id = 1 AND language = 'en'"), 1);
	CHECK(agrees_with_views() > 0);
}

/* Each refused submission stores nothing at all, even when its first parts were good. */
static void test_refused(void)
{
	long long cur[] = {3}, old[] = {1}, twice[] = {3, 3};
	struct consent_item other_family[] = {{12, "press", "yes"}, {21, "website", "yes"}};
	struct consent_item left[] = {{13, "website", "yes"}};
	struct consent_item unknown[] = {{12, "press", "yes"}, {12, "billboards", "yes"}};
	struct consent_item bad[] = {{12, "press", "maybe"}};
	struct consent_item dup[] = {{12, "press", "yes"}, {12, "press", "no"}};
	struct consent_item ok[] = {{12, "press", "yes"}};
	char ref[CONSENT_REF_MAX] = "x";
	long long events = count("SELECT count(*) FROM event");
	long long answers = count("SELECT count(*) FROM answer");
	long long sigs = count("SELECT count(*) FROM signature");

	CHECK_INT(record("Nia", cur, 1, other_family, 2, ref), CONSENT_ERR_CHILD);
	CHECK_STR(ref, "");
	CHECK_INT(record("Nia", cur, 1, left, 1, ref), CONSENT_ERR_CHILD);
	CHECK_INT(record("Nia", cur, 1, unknown, 2, ref), CONSENT_ERR_PURPOSE);
	CHECK_INT(record("Nia", cur, 1, bad, 1, ref), CONSENT_ERR_ANSWER);
	CHECK_INT(record("Nia", cur, 1, dup, 2, ref), CONSENT_ERR_DUPLICATE);
	CHECK_INT(record("Nia", twice, 2, ok, 1, ref), CONSENT_ERR_DUPLICATE);
	CHECK_INT(record("Nia", old, 1, ok, 1, ref), CONSENT_ERR_DOCUMENT);
	CHECK_INT(record("   ", cur, 1, ok, 1, ref), CONSENT_ERR_NAME);
	CHECK_INT(record("Nia\r\nBcc: x", cur, 1, ok, 1, ref), CONSENT_ERR_NAME);
	CHECK_INT(record("Nia", NULL, 0, NULL, 0, ref), CONSENT_ERR_NOTHING);
	CHECK_INT(count("SELECT count(*) FROM event"), events);
	CHECK_INT(count("SELECT count(*) FROM answer"), answers);
	CHECK_INT(count("SELECT count(*) FROM signature"), sigs);
	CHECK_INT(count("SELECT count(*) FROM answer WHERE signer = 'Nia'"), 0);
}

/* The office enters a paper form: the staff user is recorded with each event and row,
 * and the carer's later answer through the link replaces it. */
static void test_paper(void)
{
	long long docs[] = {3};
	struct consent_item items[] = {{11, "press", "no"}};
	struct consent_submission s = {.family_id = 1,
	                               .signer = "Rhian Owen",
	                               .documents = docs,
	                               .ndocuments = 1,
	                               .items = items,
	                               .nitems = 1,
	                               .channel = "paper",
	                               .staff = "office1"};
	char ref[CONSENT_REF_MAX];
	struct consent_family *f;

	CHECK_INT(consent_record(db, &s, ref), CONSENT_OK);
	CHECK_INT(
	    count("SELECT count(*) FROM event WHERE signer = 'Rhian Owen' AND staff = 'office1'"
	          " AND channel = 'paper' AND kind = 'submission'"),
	    1);
	CHECK_INT(count("SELECT count(*) FROM signature WHERE signer_key = 'rhian owen'"
	                " AND staff = 'office1' AND channel = 'paper'"),
	          1);
	CHECK_INT(count("SELECT count(*) FROM answer WHERE signer_key = 'rhian owen'"
	                " AND staff = 'office1' AND channel = 'paper'"),
	          1);
	f = load(1, "en");
	if (f)
		CHECK_STR(f->docs[0].signers[f->docs[0].nsigners - 1].channel, "paper");
	items[0].answer = "yes";
	CHECK_INT(record("rhian owen", NULL, 0, items, 1, ref), CONSENT_OK);
	CHECK_INT(count("SELECT count(*) FROM answer WHERE signer_key = 'rhian owen'"
	                " AND staff IS NULL AND channel = 'qr' AND answer = 'yes'"),
	          1);
	CHECK(agrees_with_views() > 0);
}

static void test_receipt_refused(void)
{
	struct consent_receipt *r = (struct consent_receipt *)1;
	long long docs[] = {3};
	char ref[CONSENT_REF_MAX], bad[CONSENT_REF_MAX];
	struct consent_item items[] = {{12, "press", "no"}};

	CHECK_INT(record("Siân Jones", docs, 0, items, 1, ref), CONSENT_OK);
	CHECK_INT(consent_receipt(db, A, 1, ref, &r), 0);
	/* another family's token may not read it */
	CHECK_INT(consent_receipt(db, A, 2, ref, &r), 1);
	CHECK(r == NULL);
	/* a wrong check suffix, a malformed reference */
	snprintf(bad, sizeof bad, "%s", ref);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
	CHECK_INT(consent_receipt(db, A, 1, bad, &r), 1);
	CHECK_INT(consent_receipt(db, A, 1, "", &r), 1);
	CHECK_INT(consent_receipt(db, A, 1, "12", &r), 1);
	CHECK_INT(consent_receipt(db, A, 1, "012-ABCD", &r), 1);
	CHECK_INT(consent_receipt(db, A, 1, "1-ABCDE", &r), 1);
	CHECK_INT(consent_receipt(db, A, 1, "99999-ABCD", &r), 1);
	/* an event that is not the start of a submission (an import, say) */
	sql("BEGIN");
	{
		struct db_event e = {.kind = "import", .family_id = 1, .channel = "system"};
		long long id = db_event_append(db, &e);
		sql("COMMIT");
		snprintf(bad, sizeof bad, "%lld-0000", id);
		CHECK_INT(consent_receipt(db, A, 1, bad, &r), 1);
	}
	/* lower case is accepted */
	for (size_t i = 0; ref[i]; i++)
		ref[i] = (char)(ref[i] >= 'A' && ref[i] <= 'F' ? ref[i] + 32 : ref[i]);
	CHECK_INT(consent_receipt(db, A, 1, ref, &r), 0);
}

static void test_resign(void)
{
	struct consent_family *f;

	/* Siân, Gareth and (on paper) Rhian signed 2026-09-01. A newer version that does not
	 * ask to sign again keeps their signatures counting. */
	sql("INSERT INTO document (id, slug, version, lang, sha256, resign, title, declaration)"
	    " VALUES (5, 'code-of-conduct', '2027-01-10', 'en', 'ee', 0, 'Code', 'I agree.')");
	f = load(1, "cy");
	if (f) {
		CHECK_INT(f->docs[0].id, 5); /* no Welsh text: English */
		CHECK(!f->docs[0].needs_sign);
		CHECK_INT(f->docs[0].nsigners, 3);
		CHECK_STR(f->docs[0].signers[0].version, "2026-09-01");
	}
	CHECK(agrees_with_views() > 0);
	/* one that asks everyone to sign again */
	sql("INSERT INTO document (id, slug, version, lang, sha256, resign, title, declaration)"
	    " VALUES (6, 'code-of-conduct', '2027-09-01', 'en', 'ff', 1, 'Code', 'I agree.')");
	f = load(1, "en");
	if (f) {
		CHECK_INT(f->docs[0].id, 6);
		CHECK(f->docs[0].needs_sign);
		CHECK(f->docs[0].sign_again);
		CHECK_INT(f->docs[0].nsigners, 0);
	}
	CHECK(agrees_with_views() > 0);
	/* the other family never signed: needs to sign, not "again" */
	f = NULL;
	CHECK_INT(consent_load(db, A, NULL, 2, "cy", &f), 0);
	if (f) {
		CHECK(f->docs[0].needs_sign);
		CHECK(!f->docs[0].sign_again);
	}
}

static void test_csrf_key(void)
{
	unsigned char k1[TOKEN_KEY_LEN], k2[TOKEN_KEY_LEN], zero[TOKEN_KEY_LEN] = {0};

	CHECK_INT(count("SELECT count(*) FROM secret WHERE name = 'csrf'"), 0);
	CHECK_INT(consent_csrf_key(db, k1), 0);
	CHECK_INT(consent_csrf_key(db, k2), 0);
	CHECK(memcmp(k1, k2, sizeof k1) == 0);
	CHECK(memcmp(k1, zero, sizeof k1) != 0);
	CHECK_INT(count("SELECT length(value) FROM secret WHERE name = 'csrf'"), TOKEN_KEY_LEN);
	/* a damaged key is an error, not silently replaced */
	sql("UPDATE secret SET value = x'0102' WHERE name = 'csrf'");
	CHECK_INT(consent_csrf_key(db, k2), -1);
}

/* A family none of whose children still attends (or with none) loads with no children
 * and its own language; one that does not exist does not load. */
static void test_load_no_children(void)
{
	struct consent_family *f = NULL;

	sql("INSERT INTO family (id, ref, language) VALUES (91, 'F91', 'cy');"
	    "INSERT INTO child (id, family_id, ref, first_name, last_name, class, left_on)"
	    " VALUES (911, 91, 'C911', 'Gwen', 'Hughes', 'Year 2', '2026-07-20')");
	CHECK_INT(consent_load(db, A, NULL, 91, "en", &f), 0);
	CHECK(f && f->nchildren == 0 && strcmp(f->language, "cy") == 0 && f->npurposes == 3);
	sql("DELETE FROM child WHERE id = 911");
	CHECK_INT(consent_load(db, A, NULL, 91, "en", &f), 0);
	CHECK(f && f->nchildren == 0 && strcmp(f->language, "cy") == 0);
	sql("DELETE FROM family WHERE id = 91");
	CHECK_INT(consent_load(db, A, NULL, 91, "en", &f), 1);
	CHECK(f == NULL);
}

/* A family's children come by first name as SQLite's NOCASE orders them (ASCII letters
 * folded, other bytes as they are), those of one name by id. */
static void test_children_order(void)
{
	static const long long want[] = {932, 934, 931, 935, 933};
	struct consent_family *f = NULL;
	sqlite3_stmt *st;
	size_t i;

	sql("INSERT INTO family (id, ref, language) VALUES (93, 'F93', 'en');"
	    "INSERT INTO child (id, family_id, ref, first_name, last_name, class) VALUES"
	    " (931, 93, 'C931', 'osian', 'Hughes', 'Year 2'),"
	    " (932, 93, 'C932', 'Aled', 'Hughes', 'Year 2'),"
	    " (933, 93, 'C933', '\xc3\x89lin', 'Hughes', 'Year 2'),"
	    " (934, 93, 'C934', 'aled', 'Hughes', 'Year 2'),"
	    " (935, 93, 'C935', 'Zac', 'Hughes', 'Year 2')");
	CHECK_INT(consent_load(db, A, NULL, 93, "en", &f), 0);
	CHECK(f && f->nchildren == 5);
	CHECK_INT(sqlite3_prepare_v2(db_sqlite(db),
	                             "SELECT id FROM child WHERE family_id = 93"
	                             " ORDER BY first_name COLLATE NOCASE, id",
	                             -1, &st, NULL),
	          SQLITE_OK);
	for (i = 0; f && i < f->nchildren && i < 5; i++) {
		CHECK_INT(f->children[i].id, want[i]);
		CHECK_INT(sqlite3_step(st), SQLITE_ROW);
		CHECK_INT(f->children[i].id, sqlite3_column_int64(st, 0));
	}
	sqlite3_finalize(st);
	sql("DELETE FROM child WHERE family_id = 93; DELETE FROM family WHERE id = 93");
}

/* A family's answers come by child, purpose and time (each question's carers in the
 * order they answered, whatever their names), those of one moment by carer key. */
static void test_answer_order(void)
{
	static const char *const want[][2] = {
	    {"displays", "zoe"}, {"displays", "anna"}, {"displays", "bea"},
	    {"website", "bea"},  {"website", "anna"},
	};
	struct consent_family *f = NULL;
	size_t i;

	sql("INSERT INTO family (id, ref, language) VALUES (92, 'F92', 'en');"
	    "INSERT INTO child (id, family_id, ref, first_name, last_name, class)"
	    " VALUES (921, 92, 'C921', 'Elin', 'Hughes', 'Year 2'),"
	    " (922, 92, 'C922', 'Dewi', 'Hughes', 'Year 4');"
	    "INSERT INTO answer (child_id, purpose, signer, signer_key, answer, at, channel,"
	    " event_id) VALUES"
	    " (922, 'website', 'Anna', 'anna', 'yes', '2026-09-03T10:00:00Z', 'qr', 1),"
	    " (921, 'website', 'Anna', 'anna', 'no', '2026-09-03T10:00:00Z', 'qr', 1),"
	    " (921, 'displays', 'Anna', 'anna', 'yes', '2026-09-02T10:00:00Z', 'qr', 1),"
	    " (921, 'website', 'Bea', 'bea', 'yes', '2026-09-01T10:00:00Z', 'qr', 1),"
	    " (921, 'displays', 'Bea', 'bea', 'yes', '2026-09-02T10:00:00Z', 'qr', 1),"
	    " (921, 'displays', 'Zoe', 'zoe', 'no', '2026-09-01T10:00:00Z', 'qr', 1)");
	CHECK_INT(consent_load(db, A, NULL, 92, "en", &f), 0);
	CHECK(f && f->nanswers == 6);
	for (i = 0; f && i < f->nanswers && i < 5; i++) {
		CHECK(f->answers[i].child_id == 921);
		CHECK_STR(f->answers[i].purpose, want[i][0]);
		CHECK_STR(f->answers[i].signer_key, want[i][1]);
	}
	CHECK(f && f->nanswers == 6 && f->answers[5].child_id == 922);
	sql("DELETE FROM answer WHERE child_id IN (921, 922);"
	    "DELETE FROM child WHERE family_id = 92; DELETE FROM family WHERE id = 92");
}

/* A document's signers: one line per carer, in the order carers first signed (the
 * log's, by event id, whatever order the rows are stored in), each showing their latest
 * signature that counts. */
static void test_signer_order(void)
{
	struct consent_family *f = NULL;
	const struct consent_doc *d = NULL;
	size_t i;

	sql("INSERT INTO family (id, ref, language) VALUES (94, 'F94', 'en');"
	    "INSERT INTO document (id, slug, version, lang, sha256, resign, title, declaration)"
	    " VALUES (91, 'trips', '2026-01-01', 'en', 'b1', 0, 'Trips', 'I agree.'),"
	    " (92, 'trips', '2026-06-01', 'en', 'b2', 0, 'Trips', 'I agree.');"
	    "INSERT INTO signature (family_id, document_id, signer, signer_key, at, channel,"
	    " event_id) VALUES"
	    " (94, 92, 'Bea', 'bea', '2026-06-02T10:00:00Z', 'qr', 5),"
	    " (94, 91, 'Anna', 'anna', '2026-01-02T10:00:00Z', 'qr', 10),"
	    " (94, 91, 'Zoe', 'zoe', '2026-01-03T10:00:00Z', 'paper', 20),"
	    " (94, 92, 'Anna J', 'anna', '2026-06-03T10:00:00Z', 'qr', 40)");
	CHECK_INT(consent_load(db, A, NULL, 94, "en", &f), 0);
	for (i = 0; f && i < f->ndocs; i++)
		if (strcmp(f->docs[i].slug, "trips") == 0)
			d = &f->docs[i];
	CHECK(d != NULL && d->nsigners == 3 && !d->needs_sign);
	if (d && d->nsigners == 3) {
		CHECK_STR(d->signers[0].signer, "Bea");
		CHECK_STR(d->signers[1].signer, "Anna J");
		CHECK_STR(d->signers[1].version, "2026-06-01");
		CHECK_STR(d->signers[1].at, "2026-06-03T10:00:00Z");
		CHECK_STR(d->signers[2].signer, "Zoe");
		CHECK_STR(d->signers[2].channel, "paper");
	}
	sql("DELETE FROM signature WHERE family_id = 94; DELETE FROM document WHERE slug = 'trips';"
	    "DELETE FROM family WHERE id = 94");
}

/* consent_load_cached: the same family as consent_load; the purposes and documents read
 * once while nothing changes, and again after a change through this connection or
 * another. */
static void test_cache(void)
{
	struct consent_cache *c = consent_cache_new();
	struct consent_family *f = NULL, *g = NULL, *h = NULL;
	struct buf err = BUF_INIT;
	struct db *other = db_open(testdb_path, DB_OPEN_EXISTING, &err);
	const char *title;
	char first[64], *q;
	size_t i, n;
	int public_task;

	CHECK(c != NULL && other != NULL);
	if (c == NULL || other == NULL)
		goto out;
	CHECK_INT(consent_load_cached(db, c, A, NULL, 1, "cy", &f), 0);
	CHECK_INT(consent_load(db, A, NULL, 1, "cy", &g), 0);
	if (f == NULL || g == NULL)
		goto out;
	CHECK_INT(f->ndocs, g->ndocs);
	CHECK_INT(f->npurposes, g->npurposes);
	for (i = 0; i < f->ndocs && i < g->ndocs; i++) {
		CHECK_INT(f->docs[i].id, g->docs[i].id);
		CHECK_STR(f->docs[i].lang, g->docs[i].lang);
		CHECK_STR(f->docs[i].title, g->docs[i].title);
		CHECK_INT(f->docs[i].nsigners, g->docs[i].nsigners);
		CHECK_INT(f->docs[i].needs_sign, g->docs[i].needs_sign);
	}
	for (i = 0; i < f->npurposes && i < g->npurposes; i++)
		CHECK_STR(f->purposes[i].id, g->purposes[i].id);
	/* nothing changed: the same memory, not read again */
	title = f->docs[0].title;
	CHECK_INT(consent_load_cached(db, c, A, NULL, 2, "cy", &h), 0);
	CHECK(h && h->docs[0].title == title);
	CHECK(h && h->purposes == f->purposes);
	/* other rows written, here and by another connection (every submission): the
	 * documents and purposes are not read again */
	sql("UPDATE family SET language = 'en' WHERE id = 2");
	CHECK_INT(sqlite3_exec(db_sqlite(other), "UPDATE family SET language = 'cy' WHERE id = 2",
	                       NULL, NULL, NULL),
	          SQLITE_OK);
	CHECK_INT(consent_load_cached(db, c, A, NULL, 2, "cy", &h), 0);
	CHECK(h && h->docs[0].title == title);
	CHECK(h && h->purposes == f->purposes);
	/* which shows here: a title changed in place, as nothing in the portal does
	 * (catalog_sync only adds documents), is not seen until the catalog changes */
	snprintf(first, sizeof first, "%s", title);
	q = sqlite3_mprintf("UPDATE document SET title = 'Changed in place' WHERE id = %lld;"
	                    "UPDATE family SET language = 'en' WHERE id = 2",
	                    f->docs[0].id);
	CHECK_INT(sqlite3_exec(db_sqlite(other), q, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_free(q);
	CHECK_INT(consent_load_cached(db, c, A, NULL, 2, "cy", &h), 0);
	CHECK(h && strcmp(h->docs[0].title, first) == 0);
	q = sqlite3_mprintf("UPDATE document SET title = %Q WHERE id = %lld", first, f->docs[0].id);
	CHECK_INT(sqlite3_exec(db_sqlite(other), q, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_free(q);
	/* a document's resign flag is not kept; a purpose's basis or position is */
	sql("UPDATE document SET resign = 1 - resign WHERE id = (SELECT max(id) FROM document)");
	CHECK_INT(consent_load_cached(db, c, A, NULL, 2, "cy", &h), 0);
	CHECK(h && h->purposes == f->purposes && h->docs[0].title == title);
	sql("UPDATE document SET resign = 1 - resign WHERE id = (SELECT max(id) FROM document)");
	snprintf(first, sizeof first, "%s", f->purposes[0].id);
	public_task = f->purposes[0].public_task;
	n = f->npurposes;
	sql("UPDATE purpose SET position = position + 100 WHERE id = (SELECT id FROM purpose"
	    " ORDER BY position, id LIMIT 1)");
	CHECK_INT(consent_load_cached(db, c, A, NULL, 2, "cy", &h), 0);
	CHECK(h && h->npurposes == n && strcmp(h->purposes[n - 1].id, first) == 0);
	sql("UPDATE purpose SET basis = CASE basis WHEN 'consent' THEN 'public_task' ELSE 'consent'"
	    " END, position = position - 100 WHERE position >= 100");
	CHECK_INT(consent_load_cached(db, c, A, NULL, 2, "cy", &h), 0);
	CHECK(h && strcmp(h->purposes[0].id, first) == 0 && h->purposes[0].public_task != public_task);
	sql("UPDATE purpose SET basis = CASE basis WHEN 'consent' THEN 'public_task' ELSE 'consent'"
	    " END WHERE id = (SELECT id FROM purpose ORDER BY position, id LIMIT 1)");
	CHECK_INT(consent_load_cached(db, c, A, NULL, 1, "cy", &f), 0);
	CHECK(f && f->purposes[0].public_task == public_task);
	if (f == NULL)
		goto out;
	title = f->docs[0].title;
	/* a new version through this connection is seen at once */
	sql("INSERT INTO document (id, slug, version, lang, sha256, resign, title, declaration)"
	    " VALUES (7, 'code-of-conduct', '2028-01-01', 'cy', 'a7', 0, 'Cod newydd', 'Iawn.')");
	CHECK_INT(consent_load_cached(db, c, A, NULL, 1, "cy", &h), 0);
	CHECK(h && h->docs[0].id == 7 && strcmp(h->docs[0].title, "Cod newydd") == 0);
	CHECK(h && h->docs[0].needs_sign);
	CHECK_INT(consent_load_cached(db, c, A, NULL, 1, "en", &h), 0); /* no English: Welsh */
	CHECK(h && h->docs[0].id == 7);
	/* and through another connection (a catalog_sync in another process) */
	CHECK_INT(sqlite3_exec(db_sqlite(other),
	                       "INSERT INTO document (id, slug, version, lang, sha256, resign,"
	                       " title, declaration) VALUES (8, 'code-of-conduct', '2028-01-01',"
	                       " 'en', 'a8', 0, 'New code', 'Fine.');"
	                       "INSERT INTO purpose (id, basis, position) VALUES ('film', 'consent', 9)",
	                       NULL, NULL, NULL),
	          SQLITE_OK);
	CHECK_INT(consent_load_cached(db, c, A, NULL, 1, "en", &h), 0);
	CHECK(h && h->docs[0].id == 8 && strcmp(h->docs[0].title, "New code") == 0);
	CHECK(h && h->npurposes == f->npurposes + 1 &&
	      consent_purpose_index(h, "film") == (int)h->npurposes - 1);
	CHECK(agrees_with_views() > 0);
	sql("DELETE FROM purpose WHERE id = 'film'");
	CHECK_INT(consent_load_cached(db, c, A, NULL, 1, "en", &h), 0);
	CHECK(h && consent_purpose_index(h, "film") < 0);
out:
	consent_cache_free(c);
	consent_cache_free(NULL);
	db_close(other);
	buf_free(&err);
}

/* consent_load_family without the answers, then consent_load_answers: the family that
 * consent_load gives, every answer and what applies included, the answers read once. */
static void test_load_lazy(void)
{
	struct consent_family *f = NULL, *g = load(1, "en");
	const struct consent_answer *first;
	size_t i, n;

	CHECK_INT(consent_load_family(db, NULL, A, NULL, 1, "en", 0, &f), 0);
	if (f == NULL || g == NULL)
		return;
	CHECK(g->nanswers > 1);
	CHECK(f->answers == NULL && f->effective == NULL && f->nanswers == 0 && !f->answers_read);
	CHECK_INT(f->nchildren, g->nchildren);
	CHECK_INT(f->npurposes, g->npurposes);
	CHECK_INT(f->ndocs, g->ndocs);
	for (i = 0; i < f->ndocs && i < g->ndocs; i++)
		CHECK_INT(f->docs[i].nsigners, g->docs[i].nsigners);
	CHECK_INT(consent_load_answers(db, A, f), 0);
	CHECK_INT(f->nanswers, g->nanswers);
	for (i = 0; i < f->nanswers && i < g->nanswers; i++) {
		CHECK_INT(f->answers[i].child_id, g->answers[i].child_id);
		CHECK_STR(f->answers[i].purpose, g->answers[i].purpose);
		CHECK_STR(f->answers[i].signer_key, g->answers[i].signer_key);
		CHECK_STR(f->answers[i].answer, g->answers[i].answer);
		CHECK_STR(f->answers[i].at, g->answers[i].at);
	}
	n = f->nchildren * f->npurposes;
	for (i = 0; f->effective && i < n; i++) {
		CHECK_INT(f->effective[i].answers, g->effective[i].answers);
		CHECK_INT(f->effective[i].yes, g->effective[i].yes);
		CHECK_INT(f->effective[i].permitted, g->effective[i].permitted);
	}
	first = f->answers;
	CHECK_INT(consent_load_answers(db, A, f), 0);
	CHECK(f->answers == first);
}

/* db_read_begin/db_read_end: one snapshot until the outermost end, nested calls, a write
 * started inside one, and a read inside a write. */
static void test_read_transaction(void)
{
	struct buf err = BUF_INIT;
	struct db *other = db_open(testdb_path, DB_OPEN_EXISTING, &err);
	const char *families = "SELECT count(*) FROM family";
	long long before = count(families);

	CHECK(other != NULL);
	if (other == NULL) {
		buf_free(&err);
		return;
	}
	CHECK_INT(db_read_begin(db), 0);
	CHECK_INT(count(families), before); /* the snapshot is taken by the first read */
	CHECK_INT(sqlite3_exec(db_sqlite(other),
	                       "INSERT INTO family (id, ref) VALUES (90, 'F90')", NULL, NULL, NULL),
	          SQLITE_OK);
	CHECK_INT(count(families), before); /* still the moment the transaction began */
	CHECK_INT(db_read_begin(db), 0);    /* nested: the same transaction */
	db_read_end(db);
	CHECK_INT(count(families), before);
	CHECK(!sqlite3_get_autocommit(db_sqlite(db)));
	db_read_end(db);
	CHECK(sqlite3_get_autocommit(db_sqlite(db)));
	CHECK_INT(count(families), before + 1);
	db_read_end(db); /* one too many does nothing */
	CHECK(sqlite3_get_autocommit(db_sqlite(db)));

	/* A write inside a read: db_begin ends the read and takes the write lock. */
	CHECK_INT(db_read_begin(db), 0);
	CHECK_INT(count(families), before + 1);
	CHECK_INT(db_begin(db), 0);
	sql("DELETE FROM family WHERE id = 90");
	CHECK_INT(db_commit(db), 0);
	CHECK(sqlite3_get_autocommit(db_sqlite(db)));
	db_read_end(db);
	CHECK(sqlite3_get_autocommit(db_sqlite(db)));
	CHECK_INT(count(families), before);

	/* A read inside a write neither commits nor ends the write. */
	CHECK_INT(db_begin(db), 0);
	CHECK_INT(db_read_begin(db), 0);
	db_read_end(db);
	CHECK(!sqlite3_get_autocommit(db_sqlite(db)));
	db_rollback(db);
	db_close(other);
	buf_free(&err);
}

static void test_chain(void)
{
	struct buf out = BUF_INIT;

	CHECK_INT(db_verify(db, &out), 0);
	CHECK(strstr(buf_str(&out), "chain verified") != NULL);
	buf_free(&out);
}

/* A submission event whose data was changed after it was written (an answer turned
 * round, the trigger that forbids it dropped first) fails the chain, and the rebuild
 * from the log no longer matches the tables. Last: it leaves the log broken. */
static void test_forged(void)
{
	struct buf out = BUF_INIT;
	long long id = count("SELECT max(id) FROM event WHERE kind = 'submission'"
	                     " AND data LIKE '%\"press\",\"yes\"%'");
	char q[200];

	CHECK(id > 0);
	sql("DROP TRIGGER event_no_update");
	snprintf(q, sizeof q,
	         "UPDATE event SET data = replace(data, '\"press\",\"yes\"', '\"press\",\"no\"')"
	         " WHERE id = %lld", id);
	sql(q);
	CHECK_INT(db_verify(db, &out), 1);
	snprintf(q, sizeof q, "event %lld: its contents were changed", id);
	CHECK(strstr(buf_str(&out), q) != NULL);
	buf_reset(&out);
	CHECK(!audit_answers_agree(0));
	buf_free(&out);
}

int main(void)
{
	setup();
	RUN(test_lookup);
	RUN(test_lookup_lang);
	RUN(test_signer_key);
	RUN(test_load);
	RUN(test_record);
	RUN(test_old_form);
	RUN(test_change);
	RUN(test_two_carers);
	RUN(test_withdraw);
	RUN(test_refused);
	RUN(test_paper);
	RUN(test_receipt_refused);
	RUN(test_resign);
	RUN(test_csrf_key);
	RUN(test_read_transaction);
	RUN(test_cache);
	RUN(test_load_lazy);
	RUN(test_load_no_children);
	RUN(test_answer_order);
	RUN(test_signer_order);
	RUN(test_children_order);
	RUN(test_chain);
	RUN(test_forged);
	teardown();
	CHECK_MAIN();
}
