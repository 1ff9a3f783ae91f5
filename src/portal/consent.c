#include "consent.h"

#include <ctype.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "roster.h"
#include "utf8.h"

const char *const consent_err_names[CONSENT_ERR__MAX] = {
    [CONSENT_OK] = "ok",
    [CONSENT_ERR_NAME] = "name",
    [CONSENT_ERR_CHILD] = "child",
    [CONSENT_ERR_PURPOSE] = "purpose",
    [CONSENT_ERR_ANSWER] = "answer",
    [CONSENT_ERR_DOCUMENT] = "document",
    [CONSENT_ERR_DUPLICATE] = "duplicate",
    [CONSENT_ERR_NOTHING] = "nothing",
    [CONSENT_ERR_DB] = "database",
};

/* Steps a statement that yields at most one row. Returns 1 with the row current (the
 * caller resets), 0 when there is none, -1 on error. */
static int step_one(sqlite3_stmt *st)
{
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* --- Token look-up, rate-limited per address --- */

static int valid_language(const char *lang);

enum consent_lookup consent_lookup(struct db *db, const char *token, const char *addr,
                                   long long now, long long *family_id)
{
	return consent_lookup_lang(db, token, addr, now, family_id, NULL);
}

enum consent_lookup consent_lookup_lang(struct db *db, const char *token, const char *addr,
                                        long long now, long long *family_id, char lang[3])
{
	char hash[TOKEN_HEX_LEN + 1];

	token_hash_hex(token, hash); /* "" when malformed */
	return consent_lookup_hash(db, hash, addr, now, family_id, lang);
}

enum consent_lookup consent_lookup_hash(struct db *db, const char *hash, const char *addr,
                                        long long now, long long *family_id, char lang[3])
{
	static const char get_sql[] = "SELECT failures, window_start FROM throttle WHERE key = ?1";
	static const char fail_sql[] =
	    "INSERT INTO throttle (key, failures, window_start) VALUES (?1, 1, ?2)"
	    " ON CONFLICT (key) DO UPDATE SET"
	    "  failures = CASE WHEN ?2 - window_start >= ?3 THEN 1 ELSE failures + 1 END,"
	    "  window_start = CASE WHEN ?2 - window_start >= ?3 THEN ?2 ELSE window_start END";
	static const char purge_sql[] =
	    "DELETE FROM throttle WHERE key LIKE 'token:%' AND window_start <= ?1";
	/* The family of a live token (roster_family_by_token's question), whether it has
	 * left, and its language, in one statement. */
	static const char family_sql[] =
	    "SELECT f.id, f.left_on IS NOT NULL, f.language FROM token t"
	    " JOIN family f ON f.id = t.family_id WHERE t.hash = ?1 AND t.revoked_at IS NULL";
	char key[sizeof "token:" + CONSENT_ADDR_MAX];
	sqlite3_stmt *st;
	int rc;

	*family_id = 0;
	if (lang)
		snprintf(lang, 3, "en");
	snprintf(key, sizeof key, "token:%.*s", CONSENT_ADDR_MAX, addr ? addr : "");
	if ((st = db_stmt(db, get_sql)) == NULL)
		return CONSENT_DBERR;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((rc = step_one(st)) < 0)
		return CONSENT_DBERR;
	if (rc == 1) {
		long long failures = sqlite3_column_int64(st, 0),
		          start = sqlite3_column_int64(st, 1);
		sqlite3_reset(st);
		if (now - start < CONSENT_THROTTLE_WINDOW && failures >= CONSENT_THROTTLE_LIMIT)
			return CONSENT_THROTTLED;
	}
	if (hash[0] != '\0') { /* else malformed: unknown */
		if ((st = db_stmt(db, family_sql)) == NULL)
			return CONSENT_DBERR;
		sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
		if ((rc = step_one(st)) < 0)
			return CONSENT_DBERR;
		if (rc == 1) {
			int left = sqlite3_column_int(st, 1);
			*family_id = sqlite3_column_int64(st, 0);
			if (lang && valid_language(db_col_text(st, 2)))
				snprintf(lang, 3, "%s", db_col_text(st, 2));
			sqlite3_reset(st);
			return left ? CONSENT_LEFT : CONSENT_FOUND;
		}
	}
	if (db_begin(db) < 0)
		return CONSENT_DBERR;
	if ((st = db_stmt(db, fail_sql)) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int(st, 3, CONSENT_THROTTLE_WINDOW);
	if (db_exec_stmt(st) < 0 || (st = db_stmt(db, purge_sql)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, now - CONSENT_THROTTLE_WINDOW);
	if (db_exec_stmt(st) < 0 || db_commit(db) < 0)
		goto fail;
	return CONSENT_UNKNOWN;
fail:
	db_rollback(db);
	return CONSENT_DBERR;
}

int consent_csrf_key(struct db *db, unsigned char key[TOKEN_KEY_LEN])
{
	return consent_secret_key(db, "csrf", key);
}

int consent_secret_key(struct db *db, const char *name, unsigned char key[TOKEN_KEY_LEN])
{
	static const char get_sql[] = "SELECT value FROM secret WHERE name = ?1";
	static const char put_sql[] = "INSERT OR IGNORE INTO secret (name, value) VALUES (?1, ?2)";
	unsigned char fresh[TOKEN_KEY_LEN];
	sqlite3_stmt *st;
	int rc, tries;

	for (tries = 0; tries < 2; tries++) {
		if ((st = db_stmt(db, get_sql)) == NULL)
			return -1;
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		if ((rc = step_one(st)) < 0)
			return -1;
		if (rc == 1) {
			int ok = sqlite3_column_bytes(st, 0) == TOKEN_KEY_LEN;
			if (ok)
				memcpy(key, sqlite3_column_blob(st, 0), TOKEN_KEY_LEN);
			sqlite3_reset(st);
			return ok ? 0 : -1;
		}
		randombytes_buf(fresh, sizeof fresh);
		/* The key and a `secret` event with its SHA-256 (audit.h), together. */
		if (db_begin(db) < 0)
			return -1;
		if ((st = db_stmt(db, put_sql)) == NULL) {
			db_rollback(db);
			return -1;
		}
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, fresh, sizeof fresh, SQLITE_STATIC);
		rc = db_exec_stmt(st);
		if (rc == 0 && sqlite3_changes(db_sqlite(db)) == 1)
			rc = consent_secret_event(db, name, fresh, sizeof fresh);
		sodium_memzero(fresh, sizeof fresh);
		if (rc < 0 || db_commit(db) < 0) {
			db_rollback(db);
			return -1;
		}
	}
	return -1;
}

int consent_secret_event(struct db *db, const char *name, const void *value, size_t len)
{
	struct db_event e = {.kind = "secret", .channel = "system"};
	struct buf data = BUF_INIT;
	int rc;

	audit_secret_data(&data, name, value, len);
	e.detail = "made";
	e.data = buf_str(&data);
	rc = buf_ok(&data) && db_event_append(db, &e) > 0 ? 0 : -1;
	buf_free(&data);
	return rc;
}

/* --- Names --- */

/* 1 when cp is not seen but changes how text looks or compares: Unicode's format
 * characters (general category Cf), C1 controls, line and paragraph separators, and the
 * default-ignorable fillers and variation selectors. */
static int invisible(uint32_t cp)
{
	static const struct {
		uint32_t lo, hi;
	} ranges[] = {
	    {0x0080, 0x009F},   {0x00AD, 0x00AD},   {0x034F, 0x034F},   {0x0600, 0x0605},
	    {0x061C, 0x061C},   {0x06DD, 0x06DD},   {0x070F, 0x070F},   {0x0890, 0x0891},
	    {0x08E2, 0x08E2},   {0x115F, 0x1160},   {0x17B4, 0x17B5},   {0x180B, 0x180F},
	    {0x200B, 0x200F},   {0x2028, 0x202E},   {0x2060, 0x206F},   {0x3164, 0x3164},
	    {0xFE00, 0xFE0F},   {0xFEFF, 0xFEFF},   {0xFFA0, 0xFFA0},   {0xFFF0, 0xFFFB},
	    {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3},
	    {0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF},
	};
	size_t i;

	for (i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		if (cp >= ranges[i].lo && cp <= ranges[i].hi)
			return 1;
	return 0;
}

enum consent_name consent_signer_key(const char *name, char show[CONSENT_NAME_MAX + 1],
                                     char key[CONSENT_NAME_MAX + 1])
{
	size_t len, i, o = 0;
	int space = 0;

	show[0] = key[0] = '\0';
	if (name == NULL || (len = strlen(name)) == 0)
		return CONSENT_NAME_EMPTY;
	if (len > CONSENT_NAME_MAX)
		return CONSENT_NAME_LONG;
	if (!utf8_valid(name, len))
		return CONSENT_NAME_BAD;
	for (i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_next(name + i, len - i, &cp);
		if (invisible(cp))
			return CONSENT_NAME_INVISIBLE;
		i += n;
	}
	if (!utf8_valid_line(name, len))
		return CONSENT_NAME_BAD;
	for (i = 0; i < len; i++) {
		char c = name[i];
		if (c == ' ' || c == '\t') {
			space = o > 0;
			continue;
		}
		if (space)
			show[o++] = ' ';
		space = 0;
		show[o++] = c;
	}
	show[o] = '\0';
	for (i = 0; i <= o; i++)
		key[i] = (char)((show[i] >= 'A' && show[i] <= 'Z') ? show[i] - 'A' + 'a' : show[i]);
	return o ? CONSENT_NAME_OK : CONSENT_NAME_EMPTY;
}

/* --- Loading a family --- */

/* A signature that still counts, as read: the carer's key and its place in the log. */
struct counting {
	long long event_id;
	const char *key;
	struct consent_signer s;
};

/* Orders signatures by event id, the log's order: an insertion sort of a family's few. */
static void sort_counting(struct counting *x, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct counting v = x[i];
		for (j = i; j > 0 && x[j - 1].event_id > v.event_id; j--)
			x[j] = x[j - 1];
		x[j] = v;
	}
}

/* Fills d's signatures (d's slug set) for family_id, and needs_sign and sign_again. */
static int load_signers(struct db *db, struct arena *a, long long family_id, struct consent_doc *d)
{
	/* The family's signatures of any version of slug; the sixth column says whether one
	 * still counts: it is for the current version, or for an earlier one that no later
	 * version asks families to sign again for. In the primary key's order, which needs
	 * no sort in SQLite (a temporary b-tree for these few rows was a third of the
	 * statement's instructions); sort_counting puts them in the log's order. */
	static const char signers_sql[] =
	    "SELECT s.signer, s.signer_key, s.at, s.channel, d.version,"
	    " NOT EXISTS (SELECT 1 FROM document n"
	    "  WHERE n.slug = d.slug AND n.version > d.version AND n.resign = 1), s.event_id"
	    " FROM signature s JOIN document d ON d.id = s.document_id"
	    " WHERE s.family_id = ?1 AND d.slug = ?2";
	sqlite3_stmt *st;
	struct counting *rows = NULL;
	const char **keys;
	size_t nrows = 0, cap = 0, i, k;
	int rc, signed_any = 0;

	if ((st = db_stmt(db, signers_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, family_id);
	sqlite3_bind_text(st, 2, d->slug, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct counting *x;
		signed_any = 1;
		if (!sqlite3_column_int(st, 5))
			continue;
		if ((x = DB_PUSH(a, rows, nrows, cap)) == NULL)
			break;
		x->event_id = sqlite3_column_int64(st, 6);
		x->key = db_col_dup(a, st, 1);
		x->s.signer = db_col_dup(a, st, 0);
		x->s.at = db_col_dup(a, st, 2);
		x->s.channel = db_col_dup(a, st, 3);
		x->s.version = db_col_dup(a, st, 4);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	sort_counting(rows, nrows);

	/* One line per carer: their latest signature that counts, in the place of their
	 * first, so the list keeps the order in which carers first signed. */
	d->signers = arena_alloc(a, (nrows + 1) * sizeof *d->signers);
	keys = arena_alloc(a, (nrows + 1) * sizeof *keys);
	if (d->signers == NULL || keys == NULL)
		return -1;
	for (i = 0; i < nrows; i++) {
		for (k = 0; k < d->nsigners && strcmp(keys[k], rows[i].key) != 0; k++)
			;
		if (k == d->nsigners)
			keys[d->nsigners++] = rows[i].key;
		d->signers[k] = rows[i].s;
	}

	/* The view declaration_status's needs_sign and sign_again, from the same rows: its
	 * signed_version (the latest signed) needs no signing again exactly when some
	 * signature still counts, as every version after a counting one has resign 0. */
	d->needs_sign = d->nsigners == 0;
	d->sign_again = d->needs_sign && signed_any;
	return arena_ok(a) ? 0 : -1;
}

/* --- What every family's page shares: purposes and documents --- */

/* One language of the current version of a document. */
struct cache_row {
	long long id;
	const char *lang, *sha256, *title, *declaration;
};

/* The current version of a document: its languages in the order of lang. */
struct cache_doc {
	const char *slug, *version;
	struct cache_row *rows;
	size_t nrows;
};

struct consent_cache {
	struct arena *a; /* what was read; reset when read again */
	int valid;
	long long data_version, changes; /* the database's when it was read */
	struct buf stamp;                /* catalog_stamp's when it was read */
	struct buf now;                  /* catalog_stamp's when last compared with it */
	const struct catalog *cat;
	struct consent_purpose *purposes; /* in the database's order, those in cat */
	size_t npurposes;
	struct cache_doc *docs; /* by slug */
	size_t ndocs;
};

struct consent_cache *consent_cache_new(void)
{
	struct consent_cache *c = calloc(1, sizeof *c);

	if (c && (c->a = arena_new()) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void consent_cache_free(struct consent_cache *c)
{
	if (c == NULL)
		return;
	arena_free(c->a);
	buf_free(&c->stamp);
	buf_free(&c->now);
	free(c);
}

static int cache_purposes(struct db *db, struct arena *a, const struct catalog *cat,
                          struct consent_cache *c)
{
	static const char sql[] = "SELECT id, basis FROM purpose ORDER BY position, id";
	sqlite3_stmt *st = db_stmt(db, sql);
	size_t cap = 0;
	int rc = SQLITE_DONE;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const struct purpose_text *t =
		    cat ? catalog_purpose(cat, db_col_text(st, 0)) : NULL;
		struct consent_purpose *p;
		if (cat && t == NULL)
			continue;
		if ((p = DB_PUSH(a, c->purposes, c->npurposes, cap)) == NULL)
			break;
		p->id = db_col_dup(a, st, 0);
		p->public_task = strcmp(db_col_text(st, 1), "public_task") == 0;
		p->text = t;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (c->purposes == NULL && (c->purposes = arena_alloc(a, sizeof *c->purposes)) == NULL)
		return -1;
	return 0;
}

static int cache_docs(struct db *db, struct arena *a, struct consent_cache *c)
{
	static const char slugs_sql[] =
	    "SELECT slug, max(version) FROM document GROUP BY slug ORDER BY slug";
	static const char rows_sql[] = "SELECT id, lang, sha256, title, declaration FROM document"
	                               " WHERE slug = ?1 AND version = ?2 ORDER BY lang";
	sqlite3_stmt *st = db_stmt(db, slugs_sql);
	size_t i, cap = 0;
	int rc = SQLITE_DONE;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cache_doc *d;
		if ((d = DB_PUSH(a, c->docs, c->ndocs, cap)) == NULL)
			break;
		d->slug = db_col_dup(a, st, 0);
		d->version = db_col_dup(a, st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || !arena_ok(a))
		return -1;
	for (i = 0; i < c->ndocs; i++) {
		struct cache_doc *d = &c->docs[i];
		size_t rcap = 0;
		if ((st = db_stmt(db, rows_sql)) == NULL)
			return -1;
		sqlite3_bind_text(st, 1, d->slug, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, d->version, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct cache_row *r;
			if ((r = DB_PUSH(a, d->rows, d->nrows, rcap)) == NULL)
				break;
			r->id = sqlite3_column_int64(st, 0);
			r->lang = db_col_dup(a, st, 1);
			r->sha256 = db_col_dup(a, st, 2);
			r->title = db_col_dup(a, st, 3);
			r->declaration = db_col_dup(a, st, 4);
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE || d->nrows == 0)
			return -1;
	}
	return arena_ok(a) ? 0 : -1;
}

/* The database's change counters: PRAGMA data_version (changes by other connections)
 * and this connection's own changes. Returns 0 or -1. */
static int change_stamp(struct db *db, long long *data_version, long long *changes)
{
	sqlite3_stmt *st = db_stmt(db, "PRAGMA data_version");

	if (step_one(st) != 1)
		return -1;
	*data_version = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	*changes = sqlite3_total_changes64(db_sqlite(db));
	return 0;
}

/* What the cache holds, as bytes that change whenever it would: the newest document and
 * their number (documents are only ever added, by catalog_sync; their resign flag, which
 * changes, is not kept here), and every purpose with its basis and position, each value
 * after its length. Written into out (emptied first) from plain rows: building the text
 * in SQL (group_concat of quote()s) cost four times as much, and it is made after every
 * write by any connection. Returns 0 or -1. */
static int catalog_stamp(struct db *db, struct buf *out)
{
	static const char docs_sql[] = "SELECT coalesce(max(id), 0), count(*) FROM document";
	static const char purposes_sql[] = "SELECT id, basis, position FROM purpose";
	sqlite3_stmt *st = db_stmt(db, docs_sql);
	int rc, i;

	buf_reset(out);
	if (step_one(st) != 1)
		return -1;
	buf_put_ll(out, sqlite3_column_int64(st, 0));
	buf_putc(out, ' ');
	buf_put_ll(out, sqlite3_column_int64(st, 1));
	buf_putc(out, '\n');
	sqlite3_reset(st);
	if ((st = db_stmt(db, purposes_sql)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < 3; i++) {
			const char *v = db_col_text(st, i);
			size_t n = (size_t)sqlite3_column_bytes(st, i);
			buf_put_size(out, n);
			buf_putc(out, ':');
			buf_put(out, v, n);
		}
		buf_putc(out, '\n');
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE && buf_ok(out) ? 0 : -1;
}

static int same_bytes(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* Makes c hold the purposes and documents of the database as it is now (inside the
 * caller's read transaction), reading them into a again unless they have not changed
 * since they were read. Returns 0 or -1 (c then invalid). */
static int cache_read(struct db *db, struct consent_cache *c, struct arena *a,
                      const struct catalog *cat, int keep)
{
	long long dv, ch;

	if (change_stamp(db, &dv, &ch) < 0)
		return -1;
	if (keep && c->valid && c->cat == cat) {
		if (c->data_version == dv && c->changes == ch)
			return 0;
		/* Something was written, nearly always answers (every submission, by any
		 * thread or process): the catalog's stamp says whether any of it was ours. */
		if (catalog_stamp(db, &c->now) < 0)
			return -1;
		if (same_bytes(&c->now, &c->stamp)) {
			c->data_version = dv;
			c->changes = ch;
			return 0;
		}
	}
	c->valid = 0;
	c->purposes = NULL;
	c->npurposes = 0;
	c->docs = NULL;
	c->ndocs = 0;
	if (a == c->a)
		arena_reset(a);
	if (cache_purposes(db, a, cat, c) < 0 || cache_docs(db, a, c) < 0)
		return -1;
	if (keep && catalog_stamp(db, &c->stamp) < 0)
		return -1;
	c->data_version = dv;
	c->changes = ch;
	c->cat = cat;
	c->valid = 1;
	return 0;
}

/* The row of d in lang if it has it, else in English, else in the first language. */
static const struct cache_row *doc_row(const struct cache_doc *d, const char *lang)
{
	size_t i;

	for (i = 0; i < d->nrows; i++)
		if (strcmp(d->rows[i].lang, lang) == 0)
			return &d->rows[i];
	for (i = 0; i < d->nrows; i++)
		if (strcmp(d->rows[i].lang, "en") == 0)
			return &d->rows[i];
	return &d->rows[0];
}

static int load_docs(struct db *db, struct arena *a, const struct consent_cache *c,
                     struct consent_family *f, const char *lang)
{
	size_t i;

	f->ndocs = c->ndocs;
	if ((f->docs = arena_alloc(a, (c->ndocs + 1) * sizeof *f->docs)) == NULL)
		return -1;
	for (i = 0; i < c->ndocs; i++) {
		const struct cache_row *r = doc_row(&c->docs[i], lang);
		struct consent_doc *d = &f->docs[i];
		d->slug = c->docs[i].slug;
		d->version = c->docs[i].version;
		d->id = r->id;
		d->lang = r->lang;
		d->sha256 = r->sha256;
		d->title = r->title;
		d->declaration = r->declaration;
		if (load_signers(db, a, f->id, d) < 0)
			return -1;
	}
	return 0;
}

/* strcmp with ASCII letters folded to lower case: SQLite's NOCASE. */
static int nocase_cmp(const char *a, const char *b)
{
	unsigned char x, y;

	do {
		x = (unsigned char)*a++;
		y = (unsigned char)*b++;
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
	} while (x && x == y);
	return x - y;
}

/* Orders children by first name (NOCASE), keeping the order they came in (by id) among
 * those of one name: an insertion sort of a family's few. */
static void sort_children(struct consent_child *c, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct consent_child v = c[i];
		for (j = i; j > 0 && nocase_cmp(c[j - 1].first_name, v.first_name) > 0; j--)
			c[j] = c[j - 1];
		c[j] = v;
	}
}

/* The family's language and the children who still attend, by first name, in one
 * statement. Returns 0, 1 when there is no such family, or -1. */
static int load_children(struct db *db, struct arena *a, struct consent_family *f)
{
	/* By id, the index's order, which needs no sort in SQLite; sort_children makes it
	 * by first name as "ORDER BY c.first_name COLLATE NOCASE, c.id" did. */
	static const char sql[] =
	    "SELECT f.language, c.id, c.first_name, c.class FROM family f"
	    " LEFT JOIN child c ON c.family_id = f.id AND c.left_on IS NULL WHERE f.id = ?1"
	    " ORDER BY c.id";
	sqlite3_stmt *st = db_stmt(db, sql);
	size_t cap = 0;
	int rc = SQLITE_DONE, found = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, f->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct consent_child *c;
		if (!found)
			snprintf(f->language, sizeof f->language, "%s", db_col_text(st, 0));
		found = 1;
		if (sqlite3_column_type(st, 1) == SQLITE_NULL)
			continue; /* no child attends */
		if ((c = DB_PUSH(a, f->children, f->nchildren, cap)) == NULL)
			break;
		c->id = sqlite3_column_int64(st, 1);
		c->first_name = db_col_dup(a, st, 2);
		c->class_name = db_col_dup(a, st, 3);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (f->children == NULL && (f->children = arena_alloc(a, sizeof *f->children)) == NULL)
		return -1;
	sort_children(f->children, f->nchildren);
	return found ? 0 : 1;
}

/* Orders answers by child, purpose and time, keeping the order they came in among
 * those of one moment: an insertion sort, as they come sorted by child and purpose. */
static void sort_answers(struct consent_answer *x, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct consent_answer v = x[i];
		for (j = i; j > 0; j--) {
			const struct consent_answer *u = &x[j - 1];
			int c = u->child_id != v.child_id ? (u->child_id < v.child_id ? -1 : 1)
			                                  : strcmp(u->purpose, v.purpose);
			if (c < 0 || (c == 0 && strcmp(u->at, v.at) <= 0))
				break;
			x[j] = x[j - 1];
		}
		x[j] = v;
	}
}

static int load_answers(struct db *db, struct arena *a, struct consent_family *f)
{
	/* In the primary key's order, which needs no sort in SQLite (sorting every row
	 * there was a fifth of consent_load's instructions); sort_answers puts each
	 * question's answers in time order, the carers of one moment by their key. */
	static const char answers_sql[] =
	    "SELECT a.child_id, a.purpose, a.signer, a.signer_key, a.answer, a.at, a.channel"
	    " FROM answer a JOIN child c ON c.id = a.child_id"
	    " WHERE c.family_id = ?1 AND c.left_on IS NULL ORDER BY c.id, a.purpose, a.signer_key";
	sqlite3_stmt *st = db_stmt(db, answers_sql);
	size_t cap = 0, k, n;
	int rc = SQLITE_DONE;
	char *objected;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, f->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct consent_answer *x;
		if ((x = DB_PUSH(a, f->answers, f->nanswers, cap)) == NULL)
			break;
		x->child_id = sqlite3_column_int64(st, 0);
		x->purpose = db_col_dup(a, st, 1);
		x->signer = db_col_dup(a, st, 2);
		x->signer_key = db_col_dup(a, st, 3);
		x->answer = db_col_dup(a, st, 4);
		x->at = db_col_dup(a, st, 5);
		x->channel = db_col_dup(a, st, 6);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (f->answers == NULL && (f->answers = arena_alloc(a, sizeof *f->answers)) == NULL)
		return -1;
	sort_answers(f->answers, f->nanswers);

	/* The view `effective` for these children, from the same rows: the most
	 * restrictive answer applies; a 'consent' purpose needs a yes and no no, a
	 * 'public_task' one only no no. */
	n = f->nchildren * f->npurposes;
	f->effective = arena_alloc(a, (n + 1) * sizeof *f->effective);
	objected = arena_alloc(a, n + 1);
	if (f->effective == NULL || objected == NULL)
		return -1;
	for (k = 0; k < f->nanswers; k++) {
		const struct consent_answer *x = &f->answers[k];
		int ci = consent_child_index(f, x->child_id),
		    pi = consent_purpose_index(f, x->purpose);
		size_t i;
		if (ci < 0 || pi < 0)
			continue;
		i = (size_t)ci * f->npurposes + (size_t)pi;
		f->effective[i].answers++;
		if (strcmp(x->answer, "yes") == 0)
			f->effective[i].yes++;
		else
			objected[i] = 1;
	}
	for (k = 0; k < n; k++)
		f->effective[k].permitted =
		    !objected[k] &&
		    (f->purposes[k % f->npurposes].public_task || f->effective[k].yes > 0);
	f->answers_read = 1;
	return 0;
}

int consent_load(struct db *db, struct arena *a, const struct catalog *cat, long long family_id,
                 const char *lang, struct consent_family **out)
{
	return consent_load_cached(db, NULL, a, cat, family_id, lang, out);
}

int consent_load_cached(struct db *db, struct consent_cache *cache, struct arena *a,
                        const struct catalog *cat, long long family_id, const char *lang,
                        struct consent_family **out)
{
	return consent_load_family(db, cache, a, cat, family_id, lang, 1, out);
}

int consent_load_family(struct db *db, struct consent_cache *cache, struct arena *a,
                        const struct catalog *cat, long long family_id, const char *lang,
                        int with_answers, struct consent_family **out)
{
	struct consent_cache once = {0};
	struct consent_family *f = arena_alloc(a, sizeof *f);
	int rc;

	*out = NULL;
	if (f == NULL)
		return -1;
	f->id = family_id;
	/* One read transaction (or the caller's), so the page shows one moment of the
	 * database. */
	if (db_read_begin(db) < 0)
		return -1;
	if ((rc = load_children(db, a, f)) != 0) {
		db_read_end(db);
		return rc;
	}
	if (cache_read(db, cache ? cache : &once, cache ? cache->a : a, cat, cache != NULL) < 0)
		goto fail;
	if (cache == NULL)
		cache = &once;
	f->purposes = cache->purposes;
	f->npurposes = cache->npurposes;
	if (load_docs(db, a, cache, f, lang) < 0 || (with_answers && load_answers(db, a, f) < 0) ||
	    !arena_ok(a))
		goto fail;
	db_read_end(db);
	*out = f;
	return 0;
fail:
	db_read_end(db);
	return -1;
}

int consent_load_answers(struct db *db, struct arena *a, struct consent_family *f)
{
	int rc;

	if (f->answers_read)
		return 0;
	if (db_read_begin(db) < 0)
		return -1;
	rc = load_answers(db, a, f) < 0 || !arena_ok(a) ? -1 : 0;
	db_read_end(db);
	return rc;
}

int consent_child_index(const struct consent_family *f, long long child_id)
{
	size_t i;

	for (i = 0; i < f->nchildren; i++)
		if (f->children[i].id == child_id)
			return (int)i;
	return -1;
}

int consent_purpose_index(const struct consent_family *f, const char *purpose)
{
	size_t i;

	for (i = 0; purpose && i < f->npurposes; i++)
		if (strcmp(f->purposes[i].id, purpose) == 0)
			return (int)i;
	return -1;
}

int consent_doc_index(const struct consent_family *f, long long document_id)
{
	size_t i;

	for (i = 0; i < f->ndocs; i++)
		if (f->docs[i].id == document_id)
			return (int)i;
	return -1;
}

const struct consent_effective *consent_effective_at(const struct consent_family *f, size_t child,
                                                     size_t purpose)
{
	if (child >= f->nchildren || purpose >= f->npurposes)
		return NULL;
	return &f->effective[child * f->npurposes + purpose];
}

/* --- Writing --- */

static int valid_language(const char *lang)
{
	return lang && (strcmp(lang, "en") == 0 || strcmp(lang, "cy") == 0);
}

/* The id the next event will have: db_event_append gives the last id plus one, and the
 * caller holds the write lock. */
static long long next_event_id(struct db *db)
{
	static const char sql[] = "SELECT coalesce(max(id), 0) + 1 FROM event";
	sqlite3_stmt *st = db_stmt(db, sql);
	long long id;

	if (step_one(st) != 1)
		return -1;
	id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

/* 1 when the statement, bound by the caller, yields a row; 0 when not; -1 on error. */
static int exists(sqlite3_stmt *st)
{
	int rc = step_one(st);

	if (rc == 1)
		sqlite3_reset(st);
	return rc;
}

static int child_is_current(struct db *db, long long family_id, long long child_id)
{
	static const char sql[] =
	    "SELECT 1 FROM child WHERE id = ?1 AND family_id = ?2 AND left_on IS NULL";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, child_id);
	sqlite3_bind_int64(st, 2, family_id);
	return exists(st);
}

static int purpose_exists(struct db *db, const char *purpose)
{
	static const char sql[] = "SELECT 1 FROM purpose WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, purpose, -1, SQLITE_STATIC);
	return exists(st);
}

static int set_language(struct db *db, long long family_id, const char *lang)
{
	static const char sql[] = "UPDATE family SET language = ?2 WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (!valid_language(lang) || st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, family_id);
	sqlite3_bind_text(st, 2, lang, -1, SQLITE_STATIC);
	return db_exec_stmt(st);
}

int consent_language(struct db *db, long long family_id, char out[3])
{
	static const char sql[] = "SELECT language FROM family WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	snprintf(out, 3, "en");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, family_id);
	if ((rc = step_one(st)) != 1)
		return rc < 0 ? -1 : 1;
	if (valid_language(db_col_text(st, 0)))
		snprintf(out, 3, "%s", db_col_text(st, 0));
	sqlite3_reset(st);
	return 0;
}

int consent_set_language(struct db *db, long long family_id, const char *lang)
{
	if (!valid_language(lang) || db_begin(db) < 0)
		return -1;
	if (set_language(db, family_id, lang) < 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db);
}

/* Writes the reference of the submission whose first event is id with hash. */
static void make_ref(char ref[CONSENT_REF_MAX], long long id, const char *hash)
{
	char suffix[5];
	int i;

	for (i = 0; i < 4; i++)
		suffix[i] = (char)toupper((unsigned char)(hash[i] ? hash[i] : '0'));
	suffix[4] = '\0';
	snprintf(ref, CONSENT_REF_MAX, "%lld-%s", id, suffix);
}

/* Checks what needs no database: the name, the answers' values and duplicates. */
static enum consent_err precheck(const struct consent_submission *s, char show[], char key[])
{
	size_t i, j;

	if (consent_signer_key(s->signer, show, key) != CONSENT_NAME_OK)
		return CONSENT_ERR_NAME;
	for (i = 0; i < s->nitems; i++) {
		const struct consent_item *x = &s->items[i];
		if (x->answer == NULL ||
		    (strcmp(x->answer, "yes") != 0 && strcmp(x->answer, "no") != 0))
			return CONSENT_ERR_ANSWER;
		if (x->purpose == NULL)
			return CONSENT_ERR_PURPOSE;
		for (j = 0; j < i; j++)
			if (s->items[j].child_id == x->child_id &&
			    strcmp(s->items[j].purpose, x->purpose) == 0)
				return CONSENT_ERR_DUPLICATE;
	}
	for (i = 0; i < s->ndocuments; i++)
		for (j = 0; j < i; j++)
			if (s->documents[i] == s->documents[j])
				return CONSENT_ERR_DUPLICATE;
	if (s->nitems == 0 && s->ndocuments == 0)
		return CONSENT_ERR_NOTHING;
	return CONSENT_OK;
}

/* Records that the form with this once-only value was recorded as ref. */
static int once_put(struct db *db, long long family_id, const char *once, const char *ref)
{
	static const char sql[] = "INSERT INTO once (family_id, nonce, ref) VALUES (?1, ?2, ?3)";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, family_id);
	sqlite3_bind_text(st, 2, once, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ref, -1, SQLITE_STATIC);
	return db_exec_stmt(st);
}

/* 1 with the reference when a form with this once-only value was recorded already, 0
 * when not, -1 on error. */
static int once_get(struct db *db, long long family_id, const char *once,
		    char ref[CONSENT_REF_MAX])
{
	static const char sql[] = "SELECT ref FROM once WHERE family_id = ?1 AND nonce = ?2";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, family_id);
	sqlite3_bind_text(st, 2, once, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(ref, CONSENT_REF_MAX, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int consent_once_claim(struct db *db, long long family_id, const char *once, const char *what)
{
	char ref[CONSENT_REF_MAX];
	int rc;

	if (once == NULL || (rc = once_get(db, family_id, once, ref)) < 0)
		return -1;
	if (rc > 0)
		return 0;
	return once_put(db, family_id, once, what) < 0 ? -1 : 1;
}

/* 1 when document doc is the current version of its policy, 0 when not, -1 on error. */
static int doc_is_current(struct db *db, long long doc)
{
	static const char sql[] =
	    "SELECT 1 FROM document d WHERE d.id = ?1"
	    " AND d.version = (SELECT max(version) FROM document WHERE slug = d.slug)";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, doc);
	return exists(st);
}

/* 1 when the carer whose key is key signed document doc for the family, 0 when not. */
static int doc_signed(struct db *db, long long family_id, long long doc, const char *key)
{
	static const char sql[] =
	    "SELECT 1 FROM signature WHERE family_id = ?1 AND document_id = ?2 AND signer_key = ?3";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, family_id);
	sqlite3_bind_int64(st, 2, doc);
	sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	return exists(st);
}

/* Appends s to b as a JSON string. */
static void json_str(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			buf_printf(b, "\\u%04x", c);
		else
			buf_putc(b, (char)c);
	}
	buf_putc(b, '"');
}

/* Checks every item against the family's current children and the purposes, each list
 * read once, in the order the items came (the first refusal is the one reported). */
static enum consent_err check_items(struct db *db, const struct consent_submission *s)
{
	static const char children_sql[] =
	    "SELECT id FROM child WHERE family_id = ?1 AND left_on IS NULL";
	static const char purposes_sql[] = "SELECT id FROM purpose";
	struct buf purposes = BUF_INIT; /* each id with its NUL */
	long long kids[CONSENT_CHECK_CHILDREN];
	size_t nkids = 0, i, k;
	enum consent_err err = CONSENT_OK;
	sqlite3_stmt *st;
	int rc, more = 0;

	if (s->nitems == 0)
		return CONSENT_OK;
	if ((st = db_stmt(db, children_sql)) == NULL)
		return CONSENT_ERR_DB;
	sqlite3_bind_int64(st, 1, s->family_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (nkids < CONSENT_CHECK_CHILDREN)
			kids[nkids++] = sqlite3_column_int64(st, 0);
		else
			more = 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || (st = db_stmt(db, purposes_sql)) == NULL)
		return CONSENT_ERR_DB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		buf_put(&purposes, db_col_text(st, 0), strlen(db_col_text(st, 0)) + 1);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || !buf_ok(&purposes)) {
		buf_free(&purposes);
		return CONSENT_ERR_DB;
	}
	for (i = 0; i < s->nitems && err == CONSENT_OK; i++) {
		const struct consent_item *x = &s->items[i];
		const char *p;
		for (k = 0; k < nkids && kids[k] != x->child_id; k++)
			;
		if (k == nkids && more) /* a family beyond the list: ask the database */
			rc = child_is_current(db, s->family_id, x->child_id);
		else
			rc = k < nkids;
		if (rc <= 0) {
			err = rc < 0 ? CONSENT_ERR_DB : CONSENT_ERR_CHILD;
			break;
		}
		for (p = purposes.len ? buf_str(&purposes) : NULL;
		     p && p < buf_str(&purposes) + purposes.len; p += strlen(p) + 1)
			if (strcmp(p, x->purpose) == 0)
				break;
		if (p == NULL || p >= buf_str(&purposes) + purposes.len)
			err = CONSENT_ERR_PURPOSE;
	}
	buf_free(&purposes);
	return err;
}

/* Ends a write: on CONSENT_OK checks that the submission's first event is `expect`,
 * stores the language, writes the reference from the first event's id and hash and
 * commits; otherwise rolls back. */
static enum consent_err finish(struct db *db, enum consent_err err, long long family_id,
                               long long first, long long expect, const char *first_hash,
                               const char *language, const char *once,
                               char ref[CONSENT_REF_MAX])
{
	if (err == CONSENT_OK && first == 0)
		err = CONSENT_ERR_NOTHING;
	if (err == CONSENT_OK && first != expect)
		err = CONSENT_ERR_DB; /* the ids are not what the log's rule says */
	if (err == CONSENT_OK && valid_language(language) &&
	    set_language(db, family_id, language) < 0)
		err = CONSENT_ERR_DB;
	if (err == CONSENT_OK) {
		make_ref(ref, first, first_hash);
		if (once && once_put(db, family_id, once, ref) < 0)
			err = CONSENT_ERR_DB;
	}
	if (err != CONSENT_OK) {
		ref[0] = '\0';
		db_rollback(db);
		return err;
	}
	if (db_commit(db) < 0) {
		ref[0] = '\0';
		return CONSENT_ERR_DB;
	}
	return CONSENT_OK;
}

/* The rows of one submission, written after its event. */
static enum consent_err record_rows(struct db *db, const struct consent_submission *s,
                                    const char *sign, const char *show, const char *key,
                                    long long id, const char *at)
{
	static const char sign_sql[] =
	    "INSERT INTO signature (family_id, document_id, signer, signer_key, at, channel,"
	    " staff, event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?8, ?7)";
	/* A carer's answer replaces their earlier one: an UPDATE first, as answering
	 * again is the common case, and only when there is none an INSERT (an upsert
	 * tried the insert, with its foreign key look-ups, every time). */
	static const char update_sql[] =
	    "UPDATE answer SET signer = ?3, answer = ?5, at = ?6, channel = ?7, staff = ?9,"
	    " event_id = ?8 WHERE child_id = ?1 AND purpose = ?2 AND signer_key = ?4";
	static const char insert_sql[] =
	    "INSERT INTO answer (child_id, purpose, signer, signer_key, answer, at, channel,"
	    " staff, event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?9, ?8)";
	static const char *const answer_sql[] = {update_sql, insert_sql};
	sqlite3_stmt *st;
	size_t i, k;

	for (i = 0; i < s->ndocuments; i++) {
		if (!sign[i])
			continue;
		if ((st = db_stmt(db, sign_sql)) == NULL)
			return CONSENT_ERR_DB;
		sqlite3_bind_int64(st, 1, s->family_id);
		sqlite3_bind_int64(st, 2, s->documents[i]);
		sqlite3_bind_text(st, 3, show, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, at, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, s->channel, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, id);
		if (s->staff)
			sqlite3_bind_text(st, 8, s->staff, -1, SQLITE_STATIC);
		if (db_exec_stmt(st) < 0)
			return CONSENT_ERR_DB;
	}
	for (i = 0; i < s->nitems; i++) {
		const struct consent_item *x = &s->items[i];
		for (k = 0; k < 2; k++) {
			if ((st = db_stmt(db, answer_sql[k])) == NULL)
				return CONSENT_ERR_DB;
			sqlite3_bind_int64(st, 1, x->child_id);
			sqlite3_bind_text(st, 2, x->purpose, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, show, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 4, key, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 5, x->answer, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 6, at, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 7, s->channel, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 8, id);
			if (s->staff)
				sqlite3_bind_text(st, 9, s->staff, -1, SQLITE_STATIC);
			if (db_exec_stmt(st) < 0)
				return CONSENT_ERR_DB;
			if (sqlite3_changes(db_sqlite(db)) > 0)
				break; /* updated, or inserted */
		}
	}
	return CONSENT_OK;
}

enum consent_err consent_record_in(struct db *db, const struct consent_submission *s,
                                   char ref[CONSENT_REF_MAX])
{
	char show[CONSENT_NAME_MAX + 1], key[CONSENT_NAME_MAX + 1], detail[48];
	char at[21], hash[DB_HASH_HEX + 1];
	struct buf data = BUF_INIT;
	struct db_event e;
	enum consent_err err;
	long long expect, id;
	size_t i, nsign = 0;
	char *sign = NULL;
	int rc;

	ref[0] = '\0';
	if ((err = precheck(s, show, key)) != CONSENT_OK)
		return err;
	/* The same form sent twice (a double tap on Confirm) is recorded once. */
	if (s->once && (rc = once_get(db, s->family_id, s->once, ref)) != 0)
		return rc > 0 ? CONSENT_OK : CONSENT_ERR_DB;
	if ((expect = next_event_id(db)) < 0 ||
	    (sign = calloc(s->ndocuments + 1, 1)) == NULL)
		return CONSENT_ERR_DB;
	/* The payload: every document signed now and every answer, in the order given
	 * (docs/evidence.md, "submission events"). */
	buf_putc(&data, '[');
	for (i = 0; i < s->ndocuments && err == CONSENT_OK; i++) {
		if ((rc = doc_is_current(db, s->documents[i])) <= 0) {
			err = rc < 0 ? CONSENT_ERR_DB : CONSENT_ERR_DOCUMENT;
			break;
		}
		if ((rc = doc_signed(db, s->family_id, s->documents[i], key)) != 0) {
			err = rc < 0 ? CONSENT_ERR_DB : CONSENT_OK;
			continue; /* signed already: not again */
		}
		sign[i] = 1;
		buf_puts(&data, nsign++ ? ",[\"sign\"," : "[\"sign\",");
		buf_put_ll(&data, s->documents[i]);
		buf_putc(&data, ']');
	}
	if (err == CONSENT_OK)
		err = check_items(db, s);
	if (err == CONSENT_OK && nsign == 0 && s->nitems == 0)
		err = CONSENT_ERR_NOTHING;
	for (i = 0; i < s->nitems && err == CONSENT_OK; i++) {
		buf_puts(&data, nsign || i ? ",[\"answer\"," : "[\"answer\",");
		buf_put_ll(&data, s->items[i].child_id);
		buf_putc(&data, ',');
		json_str(&data, s->items[i].purpose);
		buf_putc(&data, ',');
		json_str(&data, s->items[i].answer);
		buf_putc(&data, ']');
	}
	buf_putc(&data, ']');
	if (err == CONSENT_OK && !buf_ok(&data))
		err = CONSENT_ERR_DB;
	if (err == CONSENT_OK) {
		snprintf(detail, sizeof detail, "submission %lld", expect);
		memset(&e, 0, sizeof e);
		e.kind = "submission";
		e.family_id = s->family_id;
		e.signer = show;
		e.channel = s->channel;
		e.detail = detail;
		e.staff = s->staff;
		e.data = buf_str(&data);
		if ((id = db_event_append_at(db, &e, at, hash)) != expect)
			err = CONSENT_ERR_DB; /* an error, or ids not what the log's rule says */
	}
	if (err == CONSENT_OK)
		err = record_rows(db, s, sign, show, key, expect, at);
	if (err == CONSENT_OK && valid_language(s->language) &&
	    set_language(db, s->family_id, s->language) < 0)
		err = CONSENT_ERR_DB;
	if (err == CONSENT_OK) {
		make_ref(ref, expect, hash);
		if (s->once && once_put(db, s->family_id, s->once, ref) < 0)
			err = CONSENT_ERR_DB;
	}
	if (err != CONSENT_OK)
		ref[0] = '\0';
	buf_free(&data);
	free(sign);
	return err;
}

enum consent_err consent_record(struct db *db, const struct consent_submission *s,
                                char ref[CONSENT_REF_MAX])
{
	enum consent_err err;

	ref[0] = '\0';
	if (db_begin(db) < 0)
		return CONSENT_ERR_DB;
	if ((err = consent_record_in(db, s, ref)) != CONSENT_OK) {
		db_rollback(db);
		return err;
	}
	if (db_commit(db) < 0) {
		ref[0] = '\0';
		return CONSENT_ERR_DB;
	}
	return CONSENT_OK;
}

enum consent_err consent_withdraw(struct db *db, long long family_id, long long child_id,
                                  const char *purpose, const char *language,
                                  char ref[CONSENT_REF_MAX])
{
	static const char yes_sql[] =
	    "SELECT signer_key FROM answer WHERE child_id = ?1 AND purpose = ?2 AND answer = 'yes'"
	    " ORDER BY signer_key";
	static const char update_sql[] =
	    "UPDATE answer SET answer = 'no', at = ?4, channel = 'qr', staff = NULL, event_id = ?5"
	    " WHERE child_id = ?1 AND purpose = ?2 AND signer_key = ?3";
	char detail[48], at[21], hash[DB_HASH_HEX + 1], first_hash[DB_HASH_HEX + 1] = "";
	struct buf keys = BUF_INIT; /* the carers' keys, each with its NUL */
	enum consent_err err = CONSENT_OK;
	long long first = 0, expect = 0;
	sqlite3_stmt *st;
	const char *k;
	int rc;

	ref[0] = '\0';
	if (purpose == NULL)
		return CONSENT_ERR_PURPOSE;
	if (db_begin(db) < 0)
		return CONSENT_ERR_DB;
	if ((rc = child_is_current(db, family_id, child_id)) <= 0) {
		err = rc < 0 ? CONSENT_ERR_DB : CONSENT_ERR_CHILD;
		goto done;
	}
	if ((rc = purpose_exists(db, purpose)) <= 0) {
		err = rc < 0 ? CONSENT_ERR_DB : CONSENT_ERR_PURPOSE;
		goto done;
	}
	if ((expect = next_event_id(db)) < 0 || (st = db_stmt(db, yes_sql)) == NULL) {
		err = CONSENT_ERR_DB;
		goto done;
	}
	snprintf(detail, sizeof detail, "submission %lld", expect);
	sqlite3_bind_int64(st, 1, child_id);
	sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		buf_put(&keys, db_col_text(st, 0), strlen(db_col_text(st, 0)) + 1);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || !buf_ok(&keys)) {
		err = CONSENT_ERR_DB;
		goto done;
	}
	for (k = buf_str(&keys); k < buf_str(&keys) + keys.len; k += strlen(k) + 1) {
		struct db_event e;
		long long id;
		memset(&e, 0, sizeof e);
		e.kind = "withdraw";
		e.family_id = family_id;
		e.child_id = child_id;
		e.purpose = purpose;
		e.answer = "no";
		e.channel = "qr";
		e.detail = detail;
		if ((id = db_event_append_at(db, &e, at, hash)) < 0 ||
		    (st = db_stmt(db, update_sql)) == NULL) {
			err = CONSENT_ERR_DB;
			goto done;
		}
		if (first == 0) {
			first = id;
			memcpy(first_hash, hash, sizeof first_hash);
		}
		sqlite3_bind_int64(st, 1, child_id);
		sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, k, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, id);
		if (db_exec_stmt(st) < 0) {
			err = CONSENT_ERR_DB;
			goto done;
		}
	}
done:
	buf_free(&keys);
	return finish(db, err, family_id, first, expect, first_hash, language, NULL, ref);
}

/* --- Receipts --- */

/* Parses "<id>-<4 hex digits>", any case. Returns the id, or 0 when malformed. */
static long long parse_ref(const char *ref, char suffix[5])
{
	long long id = 0;
	size_t i, n = 0;

	if (ref == NULL)
		return 0;
	while (ref[n] >= '0' && ref[n] <= '9') {
		if (n == 15 || (n == 0 && ref[n] == '0'))
			return 0;
		id = id * 10 + (ref[n++] - '0');
	}
	if (n == 0 || ref[n++] != '-')
		return 0;
	for (i = 0; i < 4; i++, n++) {
		if (!isxdigit((unsigned char)ref[n]))
			return 0;
		suffix[i] = (char)tolower((unsigned char)ref[n]);
	}
	suffix[4] = '\0';
	return ref[n] == '\0' ? id : 0;
}

int consent_receipt(struct db *db, struct arena *a, long long family_id, const char *ref,
                    struct consent_receipt **out)
{
	static const char first_sql[] =
	    "SELECT at, signer, hash, detail FROM event WHERE id = ?1 AND family_id = ?2";
	static const char items_sql[] =
	    "WITH e AS (" CONSENT_ITEMS_SQL("family_id = ?1 AND detail = ?2 AND id >= ?3") ")"
	    " SELECT e.kind, e.child_id, coalesce(c.first_name, ''), e.purpose, e.answer,"
	    " e.document_id, d.title, d.version, d.lang FROM e"
	    " LEFT JOIN child c ON c.id = e.child_id AND c.family_id = ?1"
	    " LEFT JOIN document d ON d.id = e.document_id ORDER BY e.id, e.item";
	struct consent_receipt *r;
	char suffix[5], detail[48];
	sqlite3_stmt *st;
	long long id;
	size_t cap = 0;
	int rc = SQLITE_DONE;

	*out = NULL;
	if ((id = parse_ref(ref, suffix)) == 0)
		return 1;
	snprintf(detail, sizeof detail, "submission %lld", id);
	if ((st = db_stmt(db, first_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, family_id);
	if ((rc = step_one(st)) <= 0)
		return rc < 0 ? -1 : 1;
	if (strncmp(db_col_text(st, 2), suffix, 4) != 0 ||
	    strcmp(db_col_text(st, 3), detail) != 0) {
		sqlite3_reset(st);
		return 1;
	}
	if ((r = arena_alloc(a, sizeof *r)) == NULL) {
		sqlite3_reset(st);
		return -1;
	}
	make_ref(r->ref, id, db_col_text(st, 2));
	r->at = db_col_dup(a, st, 0);
	r->signer = sqlite3_column_type(st, 1) == SQLITE_NULL ? NULL : db_col_dup(a, st, 1);
	sqlite3_reset(st);

	if ((st = db_stmt(db, items_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, family_id);
	sqlite3_bind_text(st, 2, detail, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct consent_receipt_item *x;
		if ((x = DB_PUSH(a, r->items, r->nitems, cap)) == NULL)
			break;
		x->kind = db_col_dup(a, st, 0);
		x->child_id = sqlite3_column_int64(st, 1);
		x->child = db_col_dup(a, st, 2);
		x->purpose =
		    sqlite3_column_type(st, 3) == SQLITE_NULL ? NULL : db_col_dup(a, st, 3);
		x->answer = db_col_dup(a, st, 4);
		x->document_id = sqlite3_column_int64(st, 5);
		x->title = db_col_dup(a, st, 6);
		x->version = db_col_dup(a, st, 7);
		x->lang = db_col_dup(a, st, 8);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || !arena_ok(a))
		return -1;
	if (r->items == NULL && (r->items = arena_alloc(a, sizeof *r->items)) == NULL)
		return -1;
	*out = r;
	return 0;
}
