/* records: the office's read model (records.h). */
#include <string.h>

#include "consent.h"
#include "records.h"

/* Column i copied into a, or NULL when it is SQL NULL. */
static const char *dup_or_null(struct arena *a, sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : db_col_dup(a, st, i);
}

/* Per class, and in total (records.h, struct records_progress). */
#define PROGRESS_SQL(select, group)                                                                \
	"WITH need AS MATERIALIZED (SELECT family_id, max(needs_sign) AS needs,"                   \
	"  max(sign_again) AS again FROM declaration_status GROUP BY family_id),"                  \
	" miss AS MATERIALIZED (SELECT DISTINCT child_id FROM photo_missing)"                      \
	" SELECT " select " count(DISTINCT c.family_id), count(*),"                                \
	"  count(DISTINCT CASE WHEN need.needs = 0 THEN c.family_id END),"                         \
	"  count(DISTINCT CASE WHEN need.again = 1 THEN c.family_id END),"                         \
	"  sum(miss.child_id IS NULL)"                                                             \
	" FROM child c LEFT JOIN need ON need.family_id = c.family_id"                             \
	" LEFT JOIN miss ON miss.child_id = c.id WHERE c.left_on IS NULL" group

static void progress_at(struct records_progress *p, sqlite3_stmt *st, int first)
{
	p->families = sqlite3_column_int64(st, first);
	p->children = sqlite3_column_int64(st, first + 1);
	p->signed_all = sqlite3_column_int64(st, first + 2);
	p->again = sqlite3_column_int64(st, first + 3);
	p->photo = sqlite3_column_int64(st, first + 4);
}

static void fill_document(void *row, sqlite3_stmt *st, struct arena *a)
{
	struct records_document *d = row;

	d->slug = db_col_dup(a, st, 0);
	d->version = db_col_dup(a, st, 1);
	d->title = db_col_dup(a, st, 2);
}

static void fill_progress(void *row, sqlite3_stmt *st, struct arena *a)
{
	struct records_progress *p = row;

	p->class_name = db_col_dup(a, st, 0);
	progress_at(p, st, 1);
}

int records_dashboard(struct db *db, struct arena *a, struct records_document **docs, size_t *ndocs,
                      struct records_progress **classes, size_t *nclasses,
                      struct records_progress *total)
{
	static const char class_sql[] =
	    PROGRESS_SQL("c.class,", " GROUP BY c.class ORDER BY c.class");
	static const char total_sql[] = PROGRESS_SQL("", "");
	static const char docs_sql[] =
	    "SELECT c.slug, c.version, (SELECT title FROM document d WHERE d.slug = c.slug"
	    "  AND d.version = c.version ORDER BY d.lang <> 'en' LIMIT 1)"
	    " FROM (SELECT slug, max(version) AS version FROM document GROUP BY slug) c"
	    " ORDER BY c.slug";
	sqlite3_stmt *st;
	void *d, *c;
	int rc;

	memset(total, 0, sizeof *total);
	total->class_name = "";
	rc = db_rows(db_stmt(db, docs_sql), a, sizeof **docs, fill_document, &d, ndocs);
	*docs = d;
	if (rc < 0)
		return -1;
	rc = db_rows(db_stmt(db, class_sql), a, sizeof **classes, fill_progress, &c, nclasses);
	*classes = c;
	if (rc < 0 || (st = db_stmt(db, total_sql)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		progress_at(total, st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static void fill_class(void *row, sqlite3_stmt *st, struct arena *a)
{
	struct records_class *c = row;

	c->name = db_col_dup(a, st, 0);
	c->children = sqlite3_column_int64(st, 1);
}

int records_classes(struct db *db, struct arena *a, struct records_class **out, size_t *n)
{
	static const char sql[] =
	    "SELECT class, count(*) FROM child WHERE left_on IS NULL GROUP BY class ORDER BY class";
	void *v;
	int rc = db_rows(db_stmt(db, sql), a, sizeof **out, fill_class, &v, n);

	*out = v;
	return rc;
}

int records_has_documents(struct db *db)
{
	static const char sql[] = "SELECT 1 FROM document LIMIT 1";

	return db_exists(db_stmt(db, sql));
}

static void fill_child(void *row, sqlite3_stmt *st, struct arena *a)
{
	struct records_child *c = row;

	c->id = sqlite3_column_int64(st, 0);
	c->ref = db_col_dup(a, st, 1);
	c->first_name = db_col_dup(a, st, 2);
	c->last_name = db_col_dup(a, st, 3);
	c->class_name = db_col_dup(a, st, 4);
	c->left_on = dup_or_null(a, st, 5);
}

int records_family(struct db *db, struct arena *a, long long fid, struct records_family *f,
                   struct records_child **children, size_t *nchildren)
{
	static const char family_sql[] =
	    "SELECT ref, carers, language, left_on,"
	    " (SELECT max(issued_at) FROM token WHERE family_id = ?1 AND revoked_at IS NULL),"
	    " (SELECT count(*) FROM token WHERE family_id = ?1 AND revoked_at IS NOT NULL)"
	    " FROM family WHERE id = ?1";
	static const char children_sql[] =
	    "SELECT id, ref, first_name, last_name, class, left_on FROM child WHERE family_id = ?1"
	    " ORDER BY left_on IS NOT NULL, class, last_name, first_name";
	sqlite3_stmt *st = db_stmt(db, family_sql);
	void *v;
	int rc;

	memset(f, 0, sizeof *f);
	*children = NULL;
	*nchildren = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, fid);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		f->ref = db_col_dup(a, st, 0);
		f->carers = db_col_dup(a, st, 1);
		f->language = db_col_dup(a, st, 2);
		f->left_on = dup_or_null(a, st, 3);
		f->token_issued = dup_or_null(a, st, 4);
		f->tokens_revoked = sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW || (st = db_stmt(db, children_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, fid);
	rc = db_rows(st, a, sizeof **children, fill_child, &v, nchildren);
	*children = v;
	return rc < 0 ? -1 : 1;
}

static void fill_lang(void *row, sqlite3_stmt *st, struct arena *a)
{
	*(const char **)row = db_col_dup(a, st, 0);
}

/* The languages of slug's version (English first) into d. */
static int declaration_langs(struct db *db, struct arena *a, struct records_declaration *d)
{
	static const char sql[] = "SELECT lang FROM document WHERE slug = ?1 AND version = ?2"
	                          " ORDER BY lang <> 'en', lang";
	sqlite3_stmt *st = db_stmt(db, sql);
	void *v;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, d->slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->version, -1, SQLITE_STATIC);
	rc = db_rows(st, a, sizeof *d->langs, fill_lang, &v, &d->nlangs);
	d->langs = v;
	return rc;
}

static void fill_declaration(void *row, sqlite3_stmt *st, struct arena *a)
{
	struct records_declaration *d = row;

	d->slug = db_col_dup(a, st, 0);
	d->version = db_col_dup(a, st, 1);
	d->signed_version = dup_or_null(a, st, 2);
	d->needs_sign = sqlite3_column_int(st, 3);
	d->sign_again = sqlite3_column_int(st, 4);
	d->title = db_col_dup(a, st, 5);
}

static void fill_signature(void *row, sqlite3_stmt *st, struct arena *a)
{
	struct records_signature *s = row;

	s->signer = db_col_dup(a, st, 0);
	s->title = db_col_dup(a, st, 1);
	s->version = db_col_dup(a, st, 2);
	s->lang = db_col_dup(a, st, 3);
	s->at = db_col_dup(a, st, 4);
	s->channel = db_col_dup(a, st, 5);
	s->staff = db_col_dup(a, st, 6);
}

/* Statement sql (a constant) with ?1 bound to id; NULL on error. */
static sqlite3_stmt *by_id(struct db *db, const char *sql, long long id)
{
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st)
		sqlite3_bind_int64(st, 1, id);
	return st;
}

int records_declarations(struct db *db, struct arena *a, long long fid,
                         struct records_declaration **decls, size_t *ndecls,
                         struct records_signature **sigs, size_t *nsigs)
{
	static const char status_sql[] =
	    "SELECT ds.slug, ds.version, ds.signed_version, ds.needs_sign, ds.sign_again,"
	    " (SELECT title FROM document d WHERE d.slug = ds.slug AND d.version = ds.version"
	    "  ORDER BY d.lang <> 'en' LIMIT 1)"
	    " FROM declaration_status ds WHERE ds.family_id = ?1 ORDER BY ds.slug";
	static const char signed_sql[] =
	    "SELECT s.signer, d.title, d.version, d.lang, s.at, s.channel, coalesce(s.staff, '')"
	    " FROM signature s JOIN document d ON d.id = s.document_id WHERE s.family_id = ?1"
	    " ORDER BY s.at, s.signer_key";
	void *v, *w;
	size_t i;
	int rc;

	rc = db_rows(by_id(db, status_sql, fid), a, sizeof **decls, fill_declaration, &v, ndecls);
	*decls = v;
	for (i = 0; rc == 0 && i < *ndecls; i++)
		rc = declaration_langs(db, a, &(*decls)[i]);
	if (rc == 0)
		rc = db_rows(by_id(db, signed_sql, fid), a, sizeof **sigs, fill_signature, &w,
		             nsigs);
	else
		w = NULL, *nsigs = 0;
	*sigs = w;
	return rc;
}

static void fill_purpose(void *row, sqlite3_stmt *st, struct arena *a)
{
	struct records_purpose *p = row;

	p->id = db_col_dup(a, st, 0);
	p->public_task = strcmp(db_col_text(st, 1), "public_task") == 0;
}

int records_purposes(struct db *db, struct arena *a, struct records_purpose **out, size_t *n)
{
	static const char sql[] = "SELECT id, basis FROM purpose ORDER BY position, id";
	void *v;
	int rc = db_rows(db_stmt(db, sql), a, sizeof **out, fill_purpose, &v, n);

	*out = v;
	return rc;
}

/* A row of a grid statement (child id, name, purpose, permitted, answers, basis). */
static void fill_cell(void *row, sqlite3_stmt *st, struct arena *a)
{
	struct records_cell *c = row;

	c->child_id = sqlite3_column_int64(st, 0);
	c->child = db_col_dup(a, st, 1);
	c->purpose = db_col_dup(a, st, 2);
	c->permitted = sqlite3_column_int(st, 3);
	c->answers = sqlite3_column_int(st, 4);
	c->public_task = strcmp(db_col_text(st, 5), "public_task") == 0;
}

static int grid(sqlite3_stmt *st, struct arena *a, struct records_cell **out, size_t *n)
{
	void *v;
	int rc = db_rows(st, a, sizeof **out, fill_cell, &v, n);

	*out = v;
	return rc;
}

int records_family_grid(struct db *db, struct arena *a, long long fid, struct records_cell **out,
                        size_t *n)
{
	static const char sql[] =
	    "SELECT c.id, c.first_name, e.purpose, e.permitted, e.answers, p.basis"
	    " FROM child c JOIN effective e ON e.child_id = c.id JOIN purpose p ON p.id = e.purpose"
	    " WHERE c.family_id = ?1 AND c.left_on IS NULL"
	    " ORDER BY c.class, c.last_name, c.first_name, c.id, p.position, p.id";
	return grid(by_id(db, sql, fid), a, out, n);
}

int records_class_grid(struct db *db, struct arena *a, const char *class_name,
                       struct records_cell **out, size_t *n)
{
	static const char sql[] =
	    "SELECT c.id, c.first_name || ' ' || c.last_name, e.purpose, e.permitted, e.answers,"
	    " p.basis"
	    " FROM child c JOIN effective e ON e.child_id = c.id JOIN purpose p ON p.id = e.purpose"
	    " WHERE c.left_on IS NULL AND c.class = ?1"
	    " ORDER BY c.first_name, c.last_name, c.id, p.position, p.id";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL) {
		*out = NULL;
		*n = 0;
		return -1;
	}
	sqlite3_bind_text(st, 1, class_name, -1, SQLITE_STATIC);
	return grid(st, a, out, n);
}

static void fill_answer(void *row, sqlite3_stmt *st, struct arena *a)
{
	struct records_answer *x = row;

	x->child = db_col_dup(a, st, 0);
	x->purpose = db_col_dup(a, st, 1);
	x->signer = db_col_dup(a, st, 2);
	x->answer = db_col_dup(a, st, 3);
	x->at = db_col_dup(a, st, 4);
	x->channel = db_col_dup(a, st, 5);
	x->staff = db_col_dup(a, st, 6);
}

int records_answers(struct db *db, struct arena *a, long long fid, struct records_answer **out,
                    size_t *n)
{
	static const char sql[] =
	    "SELECT c.first_name, a.purpose, a.signer, a.answer, a.at, a.channel,"
	    " coalesce(a.staff, '') FROM answer a JOIN child c ON c.id = a.child_id"
	    " WHERE c.family_id = ?1 ORDER BY c.class, c.first_name, c.id, a.purpose, a.at";
	void *v;
	int rc = db_rows(by_id(db, sql, fid), a, sizeof **out, fill_answer, &v, n);

	*out = v;
	return rc;
}

static void fill_event(void *row, sqlite3_stmt *st, struct arena *a)
{
	struct records_event *e = row;

	e->id = sqlite3_column_int64(st, 0);
	e->at = db_col_dup(a, st, 1);
	e->kind = db_col_dup(a, st, 2);
	e->child = db_col_dup(a, st, 3);
	e->purpose = db_col_dup(a, st, 4);
	e->answer = db_col_dup(a, st, 5);
	e->document = db_col_dup(a, st, 6);
	e->signer = db_col_dup(a, st, 7);
	e->channel = db_col_dup(a, st, 8);
	e->staff = db_col_dup(a, st, 9);
	e->detail = db_col_dup(a, st, 10);
}

int records_history(struct db *db, struct arena *a, long long fid, struct records_event **out,
                    size_t *n)
{
	static const char sql[] =
	    "SELECT e.id, e.at, e.kind, coalesce(c.first_name, ''), coalesce(e.purpose, ''),"
	    " coalesce(e.answer, ''), coalesce(d.slug || ' ' || d.version || ' (' || d.lang || ')',"
	    " ''), coalesce(e.signer, ''), e.channel, coalesce(e.staff, ''),"
	    " coalesce(e.detail, '') FROM (" CONSENT_ITEMS_SQL("family_id = ?1") ") e"
	    " LEFT JOIN child c ON c.id = e.child_id"
	    " LEFT JOIN document d ON d.id = e.document_id ORDER BY e.id DESC, e.item";
	void *v;
	int rc = db_rows(by_id(db, sql, fid), a, sizeof **out, fill_event, &v, n);

	*out = v;
	return rc;
}

long long records_current_document(struct db *db, const char *slug, const char *lang)
{
	static const char sql[] =
	    "SELECT id FROM document WHERE slug = ?1 AND lang = ?2"
	    " AND version = (SELECT max(version) FROM document WHERE slug = ?1)";
	sqlite3_stmt *st = db_stmt(db, sql);
	long long id = 0;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, lang, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? id : -1;
}
