#include "catalog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "utf8.h"
#include "yml.h"

#define CATALOG_MAX_PURPOSES 64 /* more would not fit on a phone screen anyway */
#define CATALOG_MAX_ID 40
#define CATALOG_MAX_TITLE 200
#define CATALOG_MAX_TEXT 2000
#define CATALOG_MAX_LINE 4096 /* bytes in one line of signable.tsv */

static const char *const catalog_langs[CATALOG_LANGS] = {"en", "cy"};

/* The keys of one purpose in consent.yaml. */
static const char *const purpose_keys[] = {"id", "basis", "title", "text"};

int catalog_lang(const char *lang)
{
	int i;

	for (i = 0; lang && i < CATALOG_LANGS; i++)
		if (strcmp(lang, catalog_langs[i]) == 0)
			return i;
	return -1;
}

/* A purpose id or policy slug: [a-z0-9-], starting with a letter or digit. */
static int valid_id(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > CATALOG_MAX_ID || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* Reads the per-language mapping `key` of purpose item p into out; reports problems. */
static int lang_map(const char *path, const struct yml *p, const char *key, size_t max,
                    int single_line, const char *out[CATALOG_LANGS], struct buf *err)
{
	const struct yml *m = yml_get(p, key), *e;
	int i, bad = 0;

	if (m == NULL || m->kind != YML_MAP) {
		buf_printf(
		    err,
		    "%s:%d: %s must give the text in each language, e.g. %s: {en: ..., cy: ...}\n",
		    path, m ? m->line : p->line, key, key);
		return -1;
	}
	for (e = m->first; e; e = e->next)
		if (catalog_lang(e->key) < 0) {
			buf_printf(err, "%s:%d: %s: unknown language '%s' (known: en, cy)\n", path,
			           e->key_line, key, e->key);
			bad = 1;
		}
	for (i = 0; i < CATALOG_LANGS; i++) {
		e = yml_get(m, catalog_langs[i]);
		if (e == NULL || e->kind != YML_SCALAR || e->value[0] == '\0') {
			buf_printf(err, "%s:%d: %s needs the text in %s\n", path, m->line, key,
			           catalog_langs[i]);
			bad = 1;
			continue;
		}
		if (strlen(e->value) > max || !(single_line ? utf8_valid_line : utf8_valid_text)(
		                                  e->value, strlen(e->value))) {
			buf_printf(err, "%s:%d: %s.%s must be %s of at most %zu bytes\n", path,
			           e->line, key, catalog_langs[i],
			           single_line ? "one line" : "plain text", max);
			bad = 1;
			continue;
		}
		out[i] = e->value;
	}
	return bad ? -1 : 0;
}

static int load_purpose(const char *path, const struct yml *p, struct purpose_text *out,
                        const struct purpose_text *prev, size_t nprev, struct buf *err)
{
	const struct yml *id = yml_get(p, "id"), *basis = yml_get(p, "basis"), *e;
	int bad = 0;
	size_t i;

	if (p->kind != YML_MAP) {
		buf_printf(err, "%s:%d: a purpose is a mapping with id, basis, title and text\n",
		           path, p->line);
		return -1;
	}
	for (e = p->first; e; e = e->next) {
		for (i = 0; i < sizeof purpose_keys / sizeof purpose_keys[0]; i++)
			if (strcmp(e->key, purpose_keys[i]) == 0)
				break;
		if (i == sizeof purpose_keys / sizeof purpose_keys[0]) {
			buf_printf(err, "%s:%d: unknown key '%s' (known: id, basis, title, text)\n",
			           path, e->key_line, e->key);
			bad = 1;
		}
	}
	if (id == NULL || id->kind != YML_SCALAR || !valid_id(id->value)) {
		buf_printf(err,
		           "%s:%d: id must be a short name of a-z, 0-9 and '-', e.g. website\n",
		           path, id ? id->line : p->line);
		bad = 1;
	} else {
		out->id = id->value;
		for (i = 0; i < nprev; i++)
			if (strcmp(prev[i].id, id->value) == 0) {
				buf_printf(err, "%s:%d: purpose '%s' is given twice\n", path,
				           id->line, id->value);
				bad = 1;
			}
	}
	if (basis == NULL || basis->kind != YML_SCALAR ||
	    (strcmp(basis->value, "consent") != 0 && strcmp(basis->value, "public_task") != 0)) {
		buf_printf(err, "%s:%d: basis must be consent or public_task\n", path,
		           basis ? basis->line : p->line);
		bad = 1;
	} else {
		out->basis = basis->value;
	}
	if (lang_map(path, p, "title", CATALOG_MAX_TITLE, 1, out->title, err) < 0)
		bad = 1;
	if (lang_map(path, p, "text", CATALOG_MAX_TEXT, 0, out->text, err) < 0)
		bad = 1;
	return bad ? -1 : 0;
}

struct catalog *catalog_load(const char *path, struct buf *err)
{
	struct buf text = BUF_INIT, yerr = BUF_INIT;
	struct catalog *c = NULL;
	struct arena *a = arena_new();
	const struct yml *root, *list, *e;
	int bad = 0;

	if (a == NULL) {
		buf_printf(err, "%s: out of memory\n", path);
		return NULL;
	}
	if (buf_read_file(&text, path) < 0) {
		buf_printf(err, "%s: cannot read: %s\n", path, strerror(errno));
		goto fail;
	}
	if (!utf8_valid(text.data, text.len)) {
		buf_printf(err, "%s: not valid UTF-8; save the file as UTF-8\n", path);
		goto fail;
	}
	if ((root = yml_parse(a, buf_str(&text), text.len, 0, &yerr)) == NULL) {
		/* yml reports "LINE: message" lines: prefix each with the path. */
		const char *p = buf_str(&yerr);
		size_t n;
		for (; *p; p += n + (p[n] == '\n')) {
			n = strcspn(p, "\n");
			buf_printf(err, "%s:%.*s\n", path, (int)n, p);
		}
		goto fail;
	}
	for (e = root->kind == YML_MAP ? root->first : NULL; e; e = e->next)
		if (strcmp(e->key, "purposes") != 0) {
			buf_printf(err, "%s:%d: unknown key '%s' (known: purposes)\n", path,
			           e->key_line, e->key);
			bad = 1;
		}
	list = yml_get(root, "purposes");
	if (list == NULL || list->kind != YML_SEQ) {
		buf_printf(err, "%s:%d: expected 'purposes:' with a list of photo purposes\n", path,
		           list ? list->line : root->line);
		goto fail;
	}
	if (list->count > CATALOG_MAX_PURPOSES) {
		buf_printf(err, "%s:%d: at most %d purposes\n", path, list->line,
		           CATALOG_MAX_PURPOSES);
		goto fail;
	}
	if ((c = arena_alloc(a, sizeof *c)) == NULL ||
	    (c->purposes = arena_alloc(a, (list->count + 1) * sizeof *c->purposes)) == NULL) {
		buf_printf(err, "%s: out of memory\n", path);
		goto fail;
	}
	c->a = a;
	for (e = list->first; e; e = e->next) {
		if (load_purpose(path, e, &c->purposes[c->npurposes], c->purposes, c->npurposes,
		                 err) < 0)
			bad = 1;
		else
			c->npurposes++;
	}
	if (bad)
		goto fail;
	buf_free(&text);
	buf_free(&yerr);
	return c;
fail:
	buf_free(&text);
	buf_free(&yerr);
	arena_free(a);
	return NULL;
}

void catalog_free(struct catalog *c)
{
	if (c)
		arena_free(c->a);
}

const struct purpose_text *catalog_purpose(const struct catalog *c, const char *id)
{
	size_t i;

	for (i = 0; c && id && i < c->npurposes; i++)
		if (strcmp(c->purposes[i].id, id) == 0)
			return &c->purposes[i];
	return NULL;
}

/* Returns 0, 1 when refused (message in err), or -1 on a database error. */
static int sync_purposes(struct db *db, const struct catalog *c, struct buf *err)
{
	static const char upsert_sql[] =
	    "INSERT INTO purpose (id, basis, position) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT (id) DO UPDATE SET basis = excluded.basis, position = excluded.position";
	static const char list_sql[] =
	    "SELECT p.id, (SELECT count(*) FROM answer a WHERE a.purpose = p.id) FROM purpose p"
	    " ORDER BY p.id";
	static const char delete_sql[] = "DELETE FROM purpose WHERE id = ?1";
	sqlite3_stmt *st;
	struct buf gone = BUF_INIT;
	const char *p;
	size_t i;
	int rc, bad = 0;

	for (i = 0; i < c->npurposes; i++) {
		if ((st = db_stmt(db, upsert_sql)) == NULL)
			return -1;
		sqlite3_bind_text(st, 1, c->purposes[i].id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, c->purposes[i].basis, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (long long)i + 1);
		if (db_exec_stmt(st) < 0)
			return -1;
	}
	/* Purposes no longer in consent.yaml: dropped when nobody answered them; with
	 * answers they are kept by refusing the sync, since the answers refer to them. */
	if ((st = db_stmt(db, list_sql)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		if (catalog_purpose(c, id))
			continue;
		if (sqlite3_column_int64(st, 1) > 0) {
			buf_printf(
			    err,
			    "purpose '%s' is no longer in consent.yaml but %lld answers refer "
			    "to it; put it back (the answers stay valid)\n",
			    id, sqlite3_column_int64(st, 1));
			bad = 1;
		} else {
			buf_puts(&gone, id);
			buf_putc(&gone, '\0');
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || !buf_ok(&gone)) {
		buf_free(&gone);
		return -1;
	}
	for (p = gone.data; !bad && p && p < gone.data + gone.len; p += strlen(p) + 1) {
		if ((st = db_stmt(db, delete_sql)) == NULL) {
			bad = -1;
			break;
		}
		sqlite3_bind_text(st, 1, p, -1, SQLITE_STATIC);
		if (db_exec_stmt(st) < 0)
			bad = -1;
	}
	buf_free(&gone);
	return bad;
}

/* Splits line (NUL-terminated, no line break) at tabs into exactly n fields. */
static int split_tabs(char *line, char **f, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		f[i] = line;
		line = strchr(line, '\t');
		if (i < n - 1) {
			if (line == NULL)
				return -1;
			*line++ = '\0';
		}
	}
	return line == NULL ? 0 : -1;
}

static int all_hex(const char *s, size_t n)
{
	size_t i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int valid_version(const char *s)
{
	size_t i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

static int sync_line(struct db *db, const char *path, int lineno, char *line, struct buf *err)
{
	static const char find_sql[] =
	    "SELECT id, sha256 FROM document WHERE slug = ?1 AND version = ?2 AND lang = ?3";
	static const char insert_sql[] =
	    "INSERT INTO document (slug, version, lang, sha256, resign, title, declaration)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	static const char resign_sql[] = "UPDATE document SET resign = ?2 WHERE id = ?1";
	sqlite3_stmt *st;
	char *f[7];
	int rc;

	if (strlen(line) > CATALOG_MAX_LINE || !utf8_valid_line(line, strlen(line)) ||
	    split_tabs(line, f, 7) < 0) {
		buf_printf(err,
		           "%s:%d: expected 7 tab-separated fields of UTF-8 text; rebuild the "
		           "site with policygen build\n",
		           path, lineno);
		return 1;
	}
	if (!valid_id(f[0]) || !valid_version(f[1]) || catalog_lang(f[2]) < 0 ||
	    !all_hex(f[3], DB_HASH_HEX) || (strcmp(f[4], "0") != 0 && strcmp(f[4], "1") != 0) ||
	    f[5][0] == '\0' || f[6][0] == '\0') {
		buf_printf(err,
		           "%s:%d: expected slug, version (YYYY-MM-DD), language (en or cy), "
		           "SHA-256, resign (0 or 1), title, declaration\n",
		           path, lineno);
		return 1;
	}
	if ((st = db_stmt(db, find_sql)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, f[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f[1], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f[2], -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		int same = strcmp((const char *)sqlite3_column_text(st, 1), f[3]) == 0;
		sqlite3_reset(st);
		if (!same) {
			buf_printf(err,
			           "%s:%d: %s %s (%s) was published with a different text; a "
			           "version parents may have signed must not change: publish the "
			           "change as a new version\n",
			           path, lineno, f[0], f[1], f[2]);
			return 1;
		}
		/* Same text; only `resign` is outside the hash and may be corrected. */
		if ((st = db_stmt(db, resign_sql)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, f[4][0] == '1');
		return db_exec_stmt(st);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || (st = db_stmt(db, insert_sql)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, f[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f[1], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f[2], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f[3], -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, f[4][0] == '1');
	sqlite3_bind_text(st, 6, f[5], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, f[6], -1, SQLITE_STATIC);
	return db_exec_stmt(st);
}

static int sync_documents(struct db *db, const char *path, struct buf *err)
{
	struct buf text = BUF_INIT;
	char *p, *nl;
	int lineno = 0, bad = 0, rc;

	if (buf_read_file(&text, path) < 0) {
		buf_printf(err, "%s: cannot read: %s\n", path, strerror(errno));
		return -1;
	}
	for (p = text.data; p && *p; p = nl + 1) {
		lineno++;
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p) - 1; /* last line without a line break */
		else
			*nl = '\0';
		if (*p == '\0')
			continue;
		if ((rc = sync_line(db, path, lineno, p, err)) < 0) {
			buf_printf(err, "%s:%d: database: %s\n", path, lineno, db_errmsg(db));
			bad = 1;
			break;
		}
		if (rc > 0)
			bad = 1;
	}
	buf_free(&text);
	return bad ? -1 : 0;
}

int catalog_sync(struct db *db, const struct catalog *c, const char *signable_tsv, struct buf *err)
{
	int rc;

	if (db_begin(db) < 0) {
		buf_printf(err, "database: %s\n", db_errmsg(db));
		return -1;
	}
	if ((rc = sync_purposes(db, c, err)) != 0) {
		if (rc < 0)
			buf_printf(err, "database: %s\n", db_errmsg(db));
		goto fail;
	}
	if (signable_tsv && sync_documents(db, signable_tsv, err) < 0)
		goto fail;
	/* What the catalog now is, in the log when it changed (src/portal/audit.h). */
	if (audit_catalog_record(db) < 0) {
		buf_printf(err, "database: %s\n", db_errmsg(db));
		goto fail;
	}
	if (db_commit(db) < 0) {
		buf_printf(err, "database: %s\n", db_errmsg(db));
		return -1;
	}
	return 0;
fail:
	db_rollback(db);
	return -1;
}
