#include "roster.h"

#include "audit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "csv.h"
#include "date.h"
#include "utf8.h"

/* The columns of the families CSV that are read; the others are ignored. */
enum col {
	COL_FAMILY_REF,
	COL_CHILD_REF,
	COL_FIRST_NAME,
	COL_LAST_NAME,
	COL_CLASS,
	COL_CARERS,
	COL_LANGUAGE,
	COL__MAX
};

enum kind { K_REF, K_NAME, K_CARERS, K_LANGUAGE };

static const struct {
	const char *name;
	int required;
	enum kind kind;
} cols[COL__MAX] = {
    [COL_FAMILY_REF] = {"family_ref", 1, K_REF},  [COL_CHILD_REF] = {"child_ref", 1, K_REF},
    [COL_FIRST_NAME] = {"first_name", 1, K_NAME}, [COL_LAST_NAME] = {"last_name", 1, K_NAME},
    [COL_CLASS] = {"class", 1, K_NAME},           [COL_CARERS] = {"carers", 0, K_CARERS},
    [COL_LANGUAGE] = {"language", 0, K_LANGUAGE},
};

struct row {
	size_t line;
	const char *v[COL__MAX]; /* trimmed and checked; "" for an absent optional column */
	struct fam *fam;
};

struct fam {
	const char *ref;
	const char *carers, *language; /* NULL until a row gives them */
	size_t carers_line, language_line;
	long long id;
};

/* A problem with the file, reported in line order. */
struct problem {
	size_t line;
	const char *msg;
	size_t seq; /* keeps problems of one line in the order found */
};

struct import {
	struct arena *a;
	const char *name;
	struct row *rows;
	size_t nrows, caprows;
	struct fam *fams;
	size_t nfams;
	size_t nheader; /* fields in the header row */
	struct problem *probs;
	size_t nprobs, capprobs;
	int oom;
};

static void problem(struct import *im, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct import *im, size_t line, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (im->nprobs == im->capprobs) {
		size_t cap = im->capprobs ? im->capprobs * 2 : 16;
		struct problem *p = realloc(im->probs, cap * sizeof *p);
		if (p == NULL) {
			im->oom = 1;
			buf_free(&b);
			return;
		}
		im->probs = p;
		im->capprobs = cap;
	}
	im->probs[im->nprobs].line = line;
	im->probs[im->nprobs].seq = im->nprobs;
	if ((im->probs[im->nprobs].msg = arena_strdup(im->a, buf_str(&b))) == NULL)
		im->oom = 1;
	else
		im->nprobs++;
	buf_free(&b);
}

static int problem_cmp(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int valid_ref(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > ROSTER_MAX_REF)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/* A copy of s without surrounding spaces and tabs. */
static char *trim(struct arena *a, const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return arena_strndup(a, s, n);
}

/* Carers: each line break (CRLF, LF or CR, with spaces around it) becomes "; ". */
static char *carers_joined(struct arena *a, const char *s)
{
	struct buf b = BUF_INIT;
	char *out;

	while (*s) {
		if (*s == '\r' || *s == '\n') {
			while (b.len > 0 && (b.data[b.len - 1] == ' ' || b.data[b.len - 1] == '\t'))
				b.data[--b.len] = '\0';
			while (*s == '\r' || *s == '\n' || *s == ' ' || *s == '\t')
				s++;
			if (b.len > 0 && *s)
				buf_puts(&b, "; ");
			continue;
		}
		buf_putc(&b, *s++);
	}
	out = buf_ok(&b) ? arena_strdup(a, buf_str(&b)) : NULL;
	buf_free(&b);
	return out;
}

/* Checks one value; returns the value to keep or NULL after reporting a problem. */
static const char *check_value(struct import *im, size_t line, enum col c, const char *raw)
{
	const char *name = cols[c].name;
	char *v = trim(im->a, raw);
	size_t n;

	if (v == NULL) {
		im->oom = 1;
		return NULL;
	}
	if (cols[c].kind == K_CARERS && (v = carers_joined(im->a, v)) == NULL) {
		im->oom = 1;
		return NULL;
	}
	n = strlen(v);
	switch (cols[c].kind) {
	case K_REF:
		if (!valid_ref(v)) {
			if (n == 0)
				problem(im, line, "%s is empty", name);
			else
				problem(im, line, "%s must be 1 to %d letters, digits, '_' or '-'",
				        name, ROSTER_MAX_REF);
			return NULL;
		}
		return v;
	case K_NAME:
		if (n == 0) {
			problem(im, line, "%s is empty", name);
			return NULL;
		}
		if (strchr(v, '\n') || strchr(v, '\r')) {
			problem(im, line, "%s runs over more than one line", name);
			return NULL;
		}
		if (n > ROSTER_MAX_NAME) {
			problem(im, line, "%s is longer than %d bytes", name, ROSTER_MAX_NAME);
			return NULL;
		}
		break;
	case K_CARERS:
		if (n > ROSTER_MAX_CARERS) {
			problem(im, line, "%s is longer than %d bytes", name, ROSTER_MAX_CARERS);
			return NULL;
		}
		break;
	case K_LANGUAGE:
		if (n == 0)
			return "";
		if (strcasecmp(v, "en") == 0)
			return "en";
		if (strcasecmp(v, "cy") == 0)
			return "cy";
		problem(im, line, "language must be en, cy or empty (meaning en)");
		return NULL;
	}
	if (!utf8_valid_line(v, n) || strchr(v, '\t')) {
		problem(im, line, "%s holds a control character such as a tab", name);
		return NULL;
	}
	return v;
}

/* Reads the header; fills idx with each column's field index (-1 when absent). */
static int read_header(struct import *im, struct csv *c, int idx[COL__MAX])
{
	struct buf missing = BUF_INIT;
	size_t i;
	int k, rc;

	for (k = 0; k < COL__MAX; k++)
		idx[k] = -1;
	if ((rc = csv_next(c)) <= 0) {
		if (rc < 0)
			problem(im, c->err_line, "%s", csv_strerror(c->err));
		else
			problem(im, 1,
			        "the file is empty; expected a header row naming the columns "
			        "family_ref, child_ref, first_name, last_name, class");
		return -1;
	}
	im->nheader = c->nfield;
	for (i = 0; i < c->nfield; i++) {
		char *h = trim(im->a, c->field[i]);
		if (h == NULL) {
			im->oom = 1;
			return -1;
		}
		for (k = 0; k < COL__MAX; k++) {
			if (strcasecmp(h, cols[k].name) != 0)
				continue;
			if (idx[k] >= 0)
				problem(im, c->line, "column %s is given twice", cols[k].name);
			idx[k] = (int)i;
		}
	}
	for (k = 0; k < COL__MAX; k++)
		if (cols[k].required && idx[k] < 0)
			buf_printf(&missing, "%s%s", missing.len ? ", " : "", cols[k].name);
	if (missing.len)
		problem(im, c->line,
		        "missing column%s %s; the header row needs family_ref, child_ref, "
		        "first_name, last_name and class (carers and language are optional)",
		        strchr(buf_str(&missing), ',') ? "s" : "", buf_str(&missing));
	buf_free(&missing);
	return im->nprobs ? -1 : 0;
}

static int read_rows(struct import *im, struct csv *c, const int idx[COL__MAX])
{
	int rc, k;

	while ((rc = csv_next(c)) > 0) {
		struct row *r;
		int bad = 0;
		if (im->nrows == ROSTER_MAX_ROWS) {
			problem(im, c->line, "more than %d rows; split the file", ROSTER_MAX_ROWS);
			return -1;
		}
		if (im->nrows == im->caprows) {
			size_t cap = im->caprows ? im->caprows * 2 : 64;
			struct row *p = realloc(im->rows, cap * sizeof *p);
			if (p == NULL) {
				im->oom = 1;
				return -1;
			}
			im->rows = p;
			im->caprows = cap;
		}
		r = &im->rows[im->nrows];
		memset(r, 0, sizeof *r);
		r->line = c->line;
		if (c->nfield != im->nheader) {
			/* A missing or extra comma would shift values into the wrong columns. */
			problem(
			    im, c->line,
			    "the row has %zu fields but the header has %zu; check for a missing "
			    "comma or a value with a comma that is not in quotes",
			    c->nfield, im->nheader);
			continue;
		}
		for (k = 0; k < COL__MAX; k++) {
			if (idx[k] < 0)
				r->v[k] = "";
			else if ((r->v[k] = check_value(im, c->line, k, c->field[idx[k]])) == NULL)
				bad = 1;
		}
		if (!bad)
			im->nrows++;
		if (im->oom)
			return -1;
	}
	if (rc < 0) {
		problem(im, c->err_line, "%s", csv_strerror(c->err));
		return -1;
	}
	return 0;
}

static int row_cmp_child(const void *a, const void *b)
{
	const struct row *x = *(struct row *const *)a, *y = *(struct row *const *)b;
	int d = strcmp(x->v[COL_CHILD_REF], y->v[COL_CHILD_REF]);

	return d ? d : (x->line > y->line) - (x->line < y->line);
}

static int row_cmp_family(const void *a, const void *b)
{
	const struct row *x = *(struct row *const *)a, *y = *(struct row *const *)b;
	int d = strcmp(x->v[COL_FAMILY_REF], y->v[COL_FAMILY_REF]);

	return d ? d : (x->line > y->line) - (x->line < y->line);
}

/* Checks that each child appears once, and groups the rows into families whose rows
 * agree on carers and language. */
static int check_rows(struct import *im)
{
	struct row **by = malloc((im->nrows + 1) * sizeof *by);
	size_t i;

	if (by == NULL || (im->fams = calloc(im->nrows + 1, sizeof *im->fams)) == NULL) {
		free(by);
		im->oom = 1;
		return -1;
	}
	for (i = 0; i < im->nrows; i++)
		by[i] = &im->rows[i];
	qsort(by, im->nrows, sizeof *by, row_cmp_child);
	for (i = 1; i < im->nrows; i++)
		if (strcmp(by[i]->v[COL_CHILD_REF], by[i - 1]->v[COL_CHILD_REF]) == 0)
			problem(im, by[i]->line,
			        "child_ref %s is also on line %zu; each child has one row",
			        by[i]->v[COL_CHILD_REF], by[i - 1]->line);
	qsort(by, im->nrows, sizeof *by, row_cmp_family);
	for (i = 0; i < im->nrows; i++) {
		struct row *r = by[i];
		struct fam *f;
		if (i == 0 || strcmp(r->v[COL_FAMILY_REF], by[i - 1]->v[COL_FAMILY_REF]) != 0) {
			f = &im->fams[im->nfams++];
			f->ref = r->v[COL_FAMILY_REF];
		}
		f = &im->fams[im->nfams - 1];
		r->fam = f;
		if (r->v[COL_CARERS][0]) {
			if (f->carers == NULL) {
				f->carers = r->v[COL_CARERS];
				f->carers_line = r->line;
			} else if (strcmp(f->carers, r->v[COL_CARERS]) != 0) {
				problem(im, r->line,
				        "carers differ from line %zu of the same family %s",
				        f->carers_line, f->ref);
			}
		}
		if (r->v[COL_LANGUAGE][0]) {
			if (f->language == NULL) {
				f->language = r->v[COL_LANGUAGE];
				f->language_line = r->line;
			} else if (strcmp(f->language, r->v[COL_LANGUAGE]) != 0) {
				problem(im, r->line,
				        "language differs from line %zu of the same family %s",
				        f->language_line, f->ref);
			}
		}
	}
	free(by);
	return 0;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

static void bind_str(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* Checks rows against the database: a child may not change family unless allowed. */
static int check_moves(struct db *db, struct import *im, unsigned flags)
{
	static const char sql[] = "SELECT f.ref FROM child c JOIN family f ON f.id = c.family_id"
	                          " WHERE c.ref = ?1";
	size_t i;
	int rc;

	for (i = 0; i < im->nrows; i++) {
		const struct row *r = &im->rows[i];
		sqlite3_stmt *st = db_stmt(db, sql);
		if (st == NULL)
			return -1;
		bind_str(st, 1, r->v[COL_CHILD_REF]);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
		    strcmp(col_text(st, 0), r->v[COL_FAMILY_REF]) != 0 && !(flags & ROSTER_MOVE))
			problem(
			    im, r->line,
			    "child %s belongs to family %s, not %s; if the child has really moved "
			    "family, import again with --allow-move (their current photo answers "
			    "are then cleared for the new family to give)",
			    r->v[COL_CHILD_REF], col_text(st, 0), r->v[COL_FAMILY_REF]);
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

static int upsert_family(struct db *db, struct fam *f, struct roster_counts *n)
{
	static const char find_sql[] = "SELECT id, carers, language FROM family WHERE ref = ?1";
	static const char insert_sql[] =
	    "INSERT INTO family (ref, carers, language) VALUES (?1, ?2, ?3)";
	static const char update_sql[] =
	    "UPDATE family SET carers = ?2, language = ?3 WHERE id = ?1";
	const char *carers = f->carers ? f->carers : "", *lang = f->language ? f->language : "en";
	sqlite3_stmt *st = db_stmt(db, find_sql);
	int rc, same;

	if (st == NULL)
		return -1;
	bind_str(st, 1, f->ref);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		f->id = sqlite3_column_int64(st, 0);
		same = strcmp(col_text(st, 1), carers) == 0 && strcmp(col_text(st, 2), lang) == 0;
		sqlite3_reset(st);
		if (same) {
			n->families_unchanged++;
			return 0;
		}
		if ((st = db_stmt(db, update_sql)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, f->id);
		bind_str(st, 2, carers);
		bind_str(st, 3, lang);
		n->families_updated++;
		return db_exec_stmt(st);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || (st = db_stmt(db, insert_sql)) == NULL)
		return -1;
	bind_str(st, 1, f->ref);
	bind_str(st, 2, carers);
	bind_str(st, 3, lang);
	if (db_exec_stmt(st) < 0)
		return -1;
	f->id = sqlite3_last_insert_rowid(db_sqlite(db));
	n->families_added++;
	return 0;
}

/* Moves a child to another family: its current answers were given by the old family's
 * carers, so they are cleared (the event log keeps them) and a `move` event says so. */
static int move_child(struct db *db, long long child_id, long long from, long long to)
{
	static const char move_sql[] = "UPDATE child SET family_id = ?2 WHERE id = ?1";
	static const char clear_sql[] = "DELETE FROM answer WHERE child_id = ?1";
	sqlite3_stmt *st = db_stmt(db, move_sql);
	struct db_event e = {.kind = "move", .channel = "system"};
	char detail[96];

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, child_id);
	sqlite3_bind_int64(st, 2, to);
	if (db_exec_stmt(st) < 0 || (st = db_stmt(db, clear_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, child_id);
	if (db_exec_stmt(st) < 0)
		return -1;
	snprintf(detail, sizeof detail, "from family %lld; answers cleared: %d", from,
	         sqlite3_changes(db_sqlite(db)));
	e.family_id = to;
	e.child_id = child_id;
	e.detail = detail;
	return db_event_append(db, &e) < 0 ? -1 : 0;
}

static int upsert_child(struct db *db, const struct row *r, struct roster_counts *n)
{
	static const char find_sql[] =
	    "SELECT id, family_id, first_name, last_name, class, left_on FROM child WHERE ref = ?1";
	static const char insert_sql[] = "INSERT INTO child (family_id, ref, first_name, last_name,"
	                                 " class) VALUES (?1, ?2, ?3, ?4, ?5)";
	static const char update_sql[] = "UPDATE child SET first_name = ?2, last_name = ?3,"
	                                 " class = ?4, left_on = NULL WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, find_sql);
	long long id, family;
	int rc, same, back;

	if (st == NULL)
		return -1;
	bind_str(st, 1, r->v[COL_CHILD_REF]);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		family = sqlite3_column_int64(st, 1);
		same = strcmp(col_text(st, 2), r->v[COL_FIRST_NAME]) == 0 &&
		       strcmp(col_text(st, 3), r->v[COL_LAST_NAME]) == 0 &&
		       strcmp(col_text(st, 4), r->v[COL_CLASS]) == 0;
		back = sqlite3_column_type(st, 5) != SQLITE_NULL;
		sqlite3_reset(st);
		if (family != r->fam->id) {
			if (move_child(db, id, family, r->fam->id) < 0)
				return -1;
			n->children_moved++;
			same = 0;
		}
		n->children_returned += back;
		if (same)
			n->children_unchanged++;
		else
			n->children_updated++;
		if (same && !back)
			return 0;
		if ((st = db_stmt(db, update_sql)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		bind_str(st, 2, r->v[COL_FIRST_NAME]);
		bind_str(st, 3, r->v[COL_LAST_NAME]);
		bind_str(st, 4, r->v[COL_CLASS]);
		return db_exec_stmt(st);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || (st = db_stmt(db, insert_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->fam->id);
	bind_str(st, 2, r->v[COL_CHILD_REF]);
	bind_str(st, 3, r->v[COL_FIRST_NAME]);
	bind_str(st, 4, r->v[COL_LAST_NAME]);
	bind_str(st, 5, r->v[COL_CLASS]);
	n->children_added++;
	return db_exec_stmt(st);
}

static int ref_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Marks as left every current child missing from the file, then each family with no
 * current child; a family with one again is back. */
static int mark_left(struct db *db, struct import *im, const char *today, struct roster_counts *n)
{
	static const char current_sql[] = "SELECT id, ref FROM child WHERE left_on IS NULL";
	static const char left_sql[] = "UPDATE child SET left_on = ?2 WHERE id = ?1";
	static const char fam_left_sql[] =
	    "UPDATE family SET left_on = ?1 WHERE left_on IS NULL AND NOT EXISTS"
	    " (SELECT 1 FROM child c WHERE c.family_id = family.id AND c.left_on IS NULL)";
	static const char fam_back_sql[] =
	    "UPDATE family SET left_on = NULL WHERE left_on IS NOT NULL AND EXISTS"
	    " (SELECT 1 FROM child c WHERE c.family_id = family.id AND c.left_on IS NULL)";
	const char **refs = malloc((im->nrows + 1) * sizeof *refs);
	long long *gone = NULL;
	size_t i, ngone = 0, cap = 0;
	sqlite3_stmt *st;
	int rc = -1, step;

	if (refs == NULL)
		return -1;
	for (i = 0; i < im->nrows; i++)
		refs[i] = im->rows[i].v[COL_CHILD_REF];
	qsort(refs, im->nrows, sizeof *refs, ref_cmp);
	if ((st = db_stmt(db, current_sql)) == NULL)
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ref = col_text(st, 1);
		if (bsearch(&ref, refs, im->nrows, sizeof *refs, ref_cmp))
			continue;
		if (ngone == cap) {
			long long *p = realloc(gone, (cap = cap ? cap * 2 : 32) * sizeof *p);
			if (p == NULL) {
				sqlite3_reset(st);
				goto out;
			}
			gone = p;
		}
		gone[ngone++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		goto out;
	for (i = 0; i < ngone; i++) {
		if ((st = db_stmt(db, left_sql)) == NULL)
			goto out;
		sqlite3_bind_int64(st, 1, gone[i]);
		bind_str(st, 2, today);
		if (db_exec_stmt(st) < 0)
			goto out;
	}
	n->children_left = (long)ngone;
	if ((st = db_stmt(db, fam_left_sql)) == NULL)
		goto out;
	bind_str(st, 1, today);
	if (db_exec_stmt(st) < 0)
		goto out;
	n->families_left = sqlite3_changes(db_sqlite(db));
	if ((st = db_stmt(db, fam_back_sql)) == NULL || db_exec_stmt(st) < 0)
		goto out;
	n->families_returned = sqlite3_changes(db_sqlite(db));
	rc = 0;
out:
	free(refs);
	free(gone);
	return rc;
}

/* The counts as two lines (sep "\n") or one (sep "; "), without personal data. */
static void summary(struct buf *b, const struct roster_counts *n, const char *sep)
{
	buf_printf(b,
	           "families: %ld added, %ld updated, %ld unchanged, %ld left, %ld back%s"
	           "children: %ld added, %ld updated, %ld unchanged, %ld left, %ld back, "
	           "%ld moved",
	           n->families_added, n->families_updated, n->families_unchanged, n->families_left,
	           n->families_returned, sep, n->children_added, n->children_updated,
	           n->children_unchanged, n->children_left, n->children_returned,
	           n->children_moved);
}

static int write_import(struct db *db, struct import *im, const char *today,
                        struct roster_counts *n)
{
	struct db_event e = {.kind = "import", .channel = "system"};
	char digest[AUDIT_DIGEST_HEX + 1], data[16 + AUDIT_DIGEST_HEX];
	struct buf detail = BUF_INIT;
	size_t i;
	int rc;

	for (i = 0; i < im->nfams; i++)
		if (upsert_family(db, &im->fams[i], n) < 0)
			return -1;
	for (i = 0; i < im->nrows; i++)
		if (upsert_child(db, &im->rows[i], n) < 0)
			return -1;
	if (mark_left(db, im, today, n) < 0)
		return -1;
	summary(&detail, n, "; ");
	e.detail = buf_str(&detail);
	/* The roster as this import leaves it, so verify can tell a later edit behind its
	 * back (src/portal/audit.h). */
	if (audit_roster_digest(db, digest) < 0)
		return -1;
	snprintf(data, sizeof data, "roster-sha256=%s", digest);
	e.data = data;
	rc = buf_ok(&detail) && db_event_append(db, &e) > 0 ? 0 : -1;
	buf_free(&detail);
	return rc;
}

int roster_import(struct db *db, const char *name, const char *data, size_t len, const char *today,
                  unsigned flags, struct roster_counts *counts, struct buf *report)
{
	struct import im;
	struct csv c;
	int idx[COL__MAX], rc = -1;
	size_t i;

	memset(counts, 0, sizeof *counts);
	memset(&im, 0, sizeof im);
	im.name = name;
	if ((im.a = arena_new()) == NULL) {
		buf_printf(report, "%s: out of memory\n", name);
		return -1;
	}
	csv_init(&c, data, len);
	/* Every row is checked, so that one report lists every problem. */
	if (read_header(&im, &c, idx) == 0) {
		read_rows(&im, &c, idx);
		if (im.nrows == 0 && im.nprobs == 0)
			problem(
			    &im, c.line ? c.line : 1,
			    "no rows after the header; an empty import would mark every child as "
			    "left, so nothing was imported");
		else if (!im.oom)
			check_rows(&im);
	}
	if (im.oom || !arena_ok(im.a)) {
		buf_printf(report, "%s: out of memory\n", name);
		goto out;
	}
	if (im.nrows > 0) {
		if (db_begin(db) < 0)
			goto dberr;
		if (check_moves(db, &im, flags) < 0) {
			db_rollback(db);
			goto dberr;
		}
		if (im.nprobs) {
			db_rollback(db);
		} else if (write_import(db, &im, today, counts) < 0) {
			db_rollback(db);
			memset(counts, 0, sizeof *counts);
			goto dberr;
		} else if (db_commit(db) < 0) {
			memset(counts, 0, sizeof *counts);
			goto dberr;
		}
	}
	if (im.nprobs) {
		qsort(im.probs, im.nprobs, sizeof *im.probs, problem_cmp);
		for (i = 0; i < im.nprobs && i < ROSTER_MAX_REPORT; i++)
			buf_printf(report, "%s:%zu: %s\n", name, im.probs[i].line, im.probs[i].msg);
		if (im.nprobs > ROSTER_MAX_REPORT)
			buf_printf(report, "%s: %zu more problems not shown\n", name,
			           im.nprobs - ROSTER_MAX_REPORT);
		rc = 1;
		goto out;
	}
	summary(report, counts, "\n");
	buf_putc(report, '\n');
	rc = 0;
	goto out;
dberr:
	buf_printf(report, "%s: database: %s; nothing was imported\n", name, db_errmsg(db));
out:
	csv_free(&c);
	free(im.rows);
	free(im.fams);
	free(im.probs);
	arena_free(im.a);
	return rc;
}

long long roster_family_id(struct db *db, const char *ref, int *left)
{
	static const char sql[] = "SELECT id, left_on IS NOT NULL FROM family WHERE ref = ?1";
	sqlite3_stmt *st = db_stmt(db, sql);
	long long id = 0;
	int rc;

	if (left)
		*left = 0;
	if (st == NULL)
		return -1;
	bind_str(st, 1, ref);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (left)
			*left = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? id : -1;
}

int roster_issue_token(struct db *db, long long family_id, int reissue, const char *staff,
                       char out[TOKEN_LEN + 1])
{
	static const char live_sql[] =
	    "SELECT count(*) FROM token WHERE family_id = ?1 AND revoked_at IS NULL";
	static const char revoke_sql[] =
	    "UPDATE token SET revoked_at = ?2 WHERE family_id = ?1 AND revoked_at IS NULL";
	static const char insert_sql[] =
	    "INSERT INTO token (family_id, hash, issued_at) VALUES (?1, ?2, ?3)";
	static const char at_sql[] = "SELECT at FROM event WHERE id = ?1";
	struct db_event e = {.kind = "token", .channel = "system"};
	sqlite3_stmt *st = db_stmt(db, live_sql);
	char hash[TOKEN_HEX_LEN + 1], now[21], data[8 + TOKEN_HEX_LEN];
	long long live, ev;

	out[0] = '\0';
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, family_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return -1;
	}
	live = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (live && !reissue)
		return 0;
	token_new(out);
	if (token_hash_hex(out, hash) < 0)
		goto fail;
	/* The event first: it carries the token's hash (never the token), and its time is
	 * the rows' time, so verify can rebuild the table from the log (src/portal/audit.h). */
	snprintf(data, sizeof data, "hash=%s", hash);
	e.family_id = family_id;
	e.detail = live ? "reissued" : "issued";
	e.data = data;
	if (staff) {
		e.channel = "office";
		e.staff = staff;
	}
	if ((ev = db_event_append(db, &e)) < 0 || (st = db_stmt(db, at_sql)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, ev);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		goto fail;
	}
	snprintf(now, sizeof now, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (live) {
		if ((st = db_stmt(db, revoke_sql)) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, family_id);
		bind_str(st, 2, now);
		if (db_exec_stmt(st) < 0)
			goto fail;
	}
	if ((st = db_stmt(db, insert_sql)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, family_id);
	bind_str(st, 2, hash);
	bind_str(st, 3, now);
	if (db_exec_stmt(st) < 0)
		goto fail;
	return 1;
fail:
	memset(out, 0, TOKEN_LEN + 1);
	return -1;
}

long long roster_family_by_token(struct db *db, const char *token)
{
	static const char sql[] =
	    "SELECT family_id FROM token WHERE hash = ?1 AND revoked_at IS NULL";
	char hash[TOKEN_HEX_LEN + 1];
	sqlite3_stmt *st;
	long long id = 0;
	int rc;

	if (token_hash_hex(token, hash) < 0)
		return 0;
	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	bind_str(st, 1, hash);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? id : -1;
}

/* Length of the scheme and host part ("https://host:port"), or 0 when url is not valid. */
static size_t url_origin_len(const char *url)
{
	size_t n = strlen(url), i, start;

	if (n > ROSTER_MAX_URL)
		return 0;
	if (strncasecmp(url, "http://", 7) == 0)
		start = 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		start = 8;
	else
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)url[i];
		if (ch <= ' ' || ch >= 0x7f || strchr("\"<>\\^`{|}?#", ch))
			return 0;
	}
	i = start + strcspn(url + start, "/");
	if (i == start || strchr(url + start, '@')) /* no host, or user info */
		return 0;
	return i;
}

int roster_base_url_valid(const char *url)
{
	return url && url_origin_len(url) > 0;
}

int roster_sign_url(struct buf *out, const char *base_url, const char *token, int upper)
{
	size_t origin = base_url ? url_origin_len(base_url) : 0, n, i;

	if (origin == 0 || token == NULL || !token_valid(token) || strlen(token) != TOKEN_LEN)
		return -1;
	for (i = 0; i < TOKEN_LEN; i++)
		if (token[i] >= 'a' && token[i] <= 'z') /* canonical tokens only */
			return -1;
	n = strlen(base_url);
	while (n > origin && base_url[n - 1] == '/')
		n--;
	for (i = 0; i < n; i++) {
		char ch = base_url[i];
		if (upper && i < origin && ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		buf_putc(out, ch);
	}
	buf_puts(out, upper ? "/SIGN/" : "/sign/");
	buf_puts(out, token);
	return 0;
}

int roster_purge(struct db *db, const char *before, struct roster_purge_counts *n, struct buf *err)
{
	/* Who goes: families that left before the date, and children who did (a family's
	 * children all left on or before the family did). */
	static const char events_sql[] =
	    "UPDATE event SET signer = NULL, salt = NULL"
	    " WHERE (signer IS NOT NULL OR salt IS NOT NULL) AND"
	    " (family_id IN (SELECT id FROM family WHERE left_on < ?1)"
	    "  OR child_id IN (SELECT id FROM child WHERE left_on < ?1"
	    "   OR family_id IN (SELECT id FROM family WHERE left_on < ?1)))";
	static const char answers_sql[] =
	    "DELETE FROM answer WHERE child_id IN (SELECT id FROM child WHERE left_on < ?1"
	    " OR family_id IN (SELECT id FROM family WHERE left_on < ?1))";
	static const char signatures_sql[] =
	    "DELETE FROM signature WHERE family_id IN (SELECT id FROM family WHERE left_on < ?1)";
	static const char tokens_sql[] =
	    "DELETE FROM token WHERE family_id IN (SELECT id FROM family WHERE left_on < ?1)";
	static const char children_sql[] =
	    "DELETE FROM child WHERE left_on < ?1"
	    " OR family_id IN (SELECT id FROM family WHERE left_on < ?1)";
	static const char families_sql[] = "DELETE FROM family WHERE left_on < ?1";
	const struct {
		const char *sql;
		long *count;
	} steps[] = {
	    {events_sql, &n->events_cleared}, {answers_sql, &n->answers},
	    {signatures_sql, &n->signatures}, {tokens_sql, &n->tokens},
	    {children_sql, &n->children},     {families_sql, &n->families},
	};
	struct db_event e = {.kind = "purge", .channel = "system"};
	char digest[AUDIT_DIGEST_HEX + 1], data[16 + AUDIT_DIGEST_HEX];
	struct date d;
	char detail[256];
	size_t i;

	memset(n, 0, sizeof *n);
	if (before == NULL || date_parse(&d, before, NULL) < 0) {
		buf_printf(err, "purge: '%s' is not a date YYYY-MM-DD\n", before ? before : "");
		return -1;
	}
	if (db_begin(db) < 0)
		goto dberr;
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		sqlite3_stmt *st = db_stmt(db, steps[i].sql);
		if (st == NULL)
			goto rollback;
		bind_str(st, 1, before);
		if (db_exec_stmt(st) < 0)
			goto rollback;
		*steps[i].count = sqlite3_changes(db_sqlite(db));
	}
	snprintf(detail, sizeof detail,
	         "left before %s: %ld families, %ld children, %ld answers, %ld signatures, "
	         "%ld tokens deleted; %ld events' signer cleared",
	         before, n->families, n->children, n->answers, n->signatures, n->tokens,
	         n->events_cleared);
	e.detail = detail;
	if (audit_roster_digest(db, digest) < 0)
		goto rollback;
	snprintf(data, sizeof data, "roster-sha256=%s", digest);
	e.data = data;
	if (db_event_append(db, &e) < 0)
		goto rollback;
	if (db_commit(db) < 0)
		goto dberr;
	return 0;
rollback:
	buf_printf(err, "purge: database: %s; nothing was deleted\n", db_errmsg(db));
	db_rollback(db);
	memset(n, 0, sizeof *n);
	return -1;
dberr:
	buf_printf(err, "purge: database: %s; nothing was deleted\n", db_errmsg(db));
	memset(n, 0, sizeof *n);
	return -1;
}
