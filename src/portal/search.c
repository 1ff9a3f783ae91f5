#include "search.h"

#include <string.h>

#include "utf8.h"

/* Each family's text as written, then again with apostrophes and hyphens removed (the
 * replace() chain; search_query folds a query the same way, see folded_away). */
static const char clear_sql[] = "DELETE FROM family_fts";
static const char fill_sql[] =
    "INSERT INTO family_fts (rowid, body) SELECT id, t || ' ' || replace(replace(replace("
    " replace(replace(replace(replace(replace(replace(replace(replace(replace(t,"
    " '''', ''), '’', ''), '‘', ''), 'ʼ', ''), '`', ''), '´', ''), '-', ''), '‐', ''),"
    " '‑', ''), '–', ''), '—', ''), '′', '') FROM"
    " (SELECT f.id AS id, f.ref || ' ' || f.carers || ' ' || coalesce((SELECT"
    "  group_concat(c.ref || ' ' || c.first_name || ' ' || c.last_name, ' ') FROM child c"
    "  WHERE c.family_id = f.id), '') AS t FROM family f)";

int search_reindex(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, clear_sql);

	if (st == NULL || db_exec_stmt(st) < 0 || (st = db_stmt(db, fill_sql)) == NULL)
		return -1;
	return db_exec_stmt(st);
}

/* 1 when the code point is an apostrophe or hyphen folded away (as fill_sql). */
static int folded_away(uint32_t cp)
{
	static const uint32_t cps[] = {'\'', 0x2019, 0x2018, 0x02BC, '`',    0x00B4,
	                               '-',  0x2010, 0x2011, 0x2013, 0x2014, 0x2032};
	size_t i;

	for (i = 0; i < sizeof cps / sizeof cps[0]; i++)
		if (cps[i] == cp)
			return 1;
	return 0;
}

int search_query(const char *q, char *out, size_t outsz)
{
	size_t len = strlen(q), i = 0, o = 0;
	int words = 0, in_word = 0;

	if (outsz == 0)
		return -1;
	while (i < len) {
		uint32_t cp;
		size_t k = utf8_next(q + i, len - i, &cp);
		if (k == 0) /* not UTF-8: the caller's form check refuses it first */
			return -1;
		if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == '"' || cp == '*') {
			if (in_word) {
				if (o + 3 > outsz)
					return -1;
				out[o++] = '"';
				out[o++] = '*';
				in_word = 0;
			}
		} else if (!folded_away(cp)) {
			if (!in_word) {
				if (words == SEARCH_MAX_WORDS) {
					i += k;
					continue;
				}
				if (o + 2 > outsz)
					return -1;
				if (words++)
					out[o++] = ' ';
				out[o++] = '"';
				in_word = 1;
			}
			if (o + k + 1 > outsz)
				return -1;
			memcpy(out + o, q + i, k);
			o += k;
		}
		i += k;
	}
	if (in_word) {
		if (o + 3 > outsz)
			return -1;
		out[o++] = '"';
		out[o++] = '*';
	}
	out[o] = '\0';
	return words;
}

/* ?1 the FTS query or NULL, ?2 class or '', ?3 missing, ?4 limit + 1, ?5 offset. */
static const char families_sql[] =
    "WITH hit AS MATERIALIZED (SELECT rowid AS id FROM family_fts WHERE ?1 IS NOT NULL"
    "  AND family_fts MATCH ?1),"
    " need AS MATERIALIZED (SELECT family_id, max(needs_sign) AS needs,"
    "  max(sign_again) AS again FROM declaration_status GROUP BY family_id),"
    " miss AS MATERIALIZED (SELECT DISTINCT family_id FROM photo_missing)"
    " SELECT f.ref, f.carers, f.left_on IS NOT NULL,"
    "  (SELECT group_concat(x.name, '; ') FROM (SELECT c.first_name || ' ' || c.last_name"
    "    || ' (' || c.class || ')' AS name FROM child c WHERE c.family_id = f.id"
    "    AND c.left_on IS NULL ORDER BY c.class, c.last_name, c.first_name) x),"
    "  coalesce(need.needs, 0), coalesce(need.again, 0), miss.family_id IS NOT NULL,"
    "  (SELECT min(c.class || char(1) || c.last_name || char(1) || c.first_name) FROM child c"
    "    WHERE c.family_id = f.id AND c.left_on IS NULL) AS k,"
    "  (SELECT min(c.last_name || char(1) || c.first_name) FROM child c"
    "    WHERE c.family_id = f.id) AS k2"
    " FROM family f LEFT JOIN need ON need.family_id = f.id"
    " LEFT JOIN miss ON miss.family_id = f.id"
    " WHERE (?1 IS NULL OR f.id IN hit)"
    "  AND (?2 = '' OR EXISTS (SELECT 1 FROM child c WHERE c.family_id = f.id"
    "   AND c.left_on IS NULL AND c.class = ?2))"
    "  AND (?3 = 0 OR (f.left_on IS NULL AND (coalesce(need.needs, 0) = 1"
    "   OR miss.family_id IS NOT NULL)))"
    " ORDER BY f.left_on IS NOT NULL, k IS NULL, k COLLATE NOCASE, k2 COLLATE NOCASE, f.ref"
    " LIMIT ?4 OFFSET ?5";

static const char *dup(struct arena *a, sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return arena_strdup(a, s ? s : "");
}

int search_families(struct db *db, const struct search_filter *f, struct arena *a,
                    struct search_family **out, size_t *n, int *more)
{
	sqlite3_stmt *st = db_stmt(db, families_sql);
	char query[4 * 256 + 64];
	struct search_family *v;
	long limit = f->limit > 0 ? f->limit : 1;
	int words = 0, rc;

	*out = NULL;
	*n = 0;
	*more = 0;
	if (st == NULL)
		return -1;
	if (f->q && f->q[0] && (words = search_query(f->q, query, sizeof query)) <= 0) {
		/* Only punctuation, or too long to be a name: nothing matches. */
		*out = arena_alloc(a, sizeof **out);
		return *out ? 0 : -1;
	}
	if (words > 0)
		sqlite3_bind_text(st, 1, query, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, f->class_name ? f->class_name : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, f->missing != 0);
	sqlite3_bind_int64(st, 4, limit + 1);
	sqlite3_bind_int64(st, 5, f->offset > 0 ? f->offset : 0);
	if ((v = arena_alloc(a, (size_t)limit * sizeof *v)) == NULL) {
		sqlite3_reset(st);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct search_family *r;
		const char *k;
		if ((long)*n == limit) {
			*more = 1;
			break;
		}
		r = &v[(*n)++];
		r->ref = dup(a, st, 0);
		r->carers = dup(a, st, 1);
		r->left = sqlite3_column_int(st, 2);
		r->children = dup(a, st, 3);
		r->to_sign = sqlite3_column_int(st, 4);
		r->sign_again = sqlite3_column_int(st, 5);
		r->photo_missing = sqlite3_column_int(st, 6);
		k = (const char *)sqlite3_column_text(st, 7);
		r->first_class = k ? arena_strndup(a, k, strcspn(k, "\001")) : "";
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	*out = v;
	return arena_ok(a) ? 0 : -1;
}
