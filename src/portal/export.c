#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "csv.h"

const char *const export_names[EXPORT__MAX] = {
    [EXPORT_DECLARATIONS] = "declarations",
    [EXPORT_PHOTO] = "photo",
    [EXPORT_OUTSTANDING] = "outstanding",
};

int export_kind(const char *name)
{
	int i;

	for (i = 0; name && i < EXPORT__MAX; i++)
		if (strcmp(name, export_names[i]) == 0)
			return i;
	return -1;
}

/* The sort key of a family: its first child by class, last name, first name. The
 * separator char(1) sorts below any character a name may hold (import refuses control
 * characters), so comparing keys compares the three fields in turn. */
#define FAMILY_KEY(cond)                                                                           \
	"(SELECT min(c.class || char(1) || c.last_name || char(1) || c.first_name)"                \
	" FROM child c WHERE c.family_id = f.id" cond ")"

static const char declarations_sql[] =
    "SELECT f.ref, f.carers, s.signer, d.slug, d.version, d.lang, s.at, s.channel,"
    " coalesce(s.staff, ''), " FAMILY_KEY(
        "") " AS k"
            " FROM signature s JOIN family f ON f.id = s.family_id"
            " JOIN document d ON d.id = s.document_id"
            " ORDER BY k, f.ref, d.slug, d.version, s.at, s.signer, d.lang";

/* The photo list is computed here, not by the `effective` view: the view's five
 * look-ups per child and purpose (count, two EXISTS, max, the answers' list) made the
 * list of 10,000 families take 0.56 s (bench/PORTAL.md). Every answer is read in one
 * pass over the table and sorted in C (a look-up per child through the primary key, then
 * each row from the table, took twice as long), and the rule is the view's (db.c,
 * migration 1): permitted when nobody said no and either the basis is public_task or
 * somebody said yes. tests/portal/test-export.c checks the output against the view's. */
static const char photo_children_sql[] =
    "SELECT id, class, ref, first_name, last_name FROM child WHERE left_on IS NULL"
    " ORDER BY class, last_name, first_name, ref";
static const char photo_purposes_sql[] = "SELECT id, basis FROM purpose ORDER BY position, id";
static const char photo_answers_sql[] =
    "SELECT child_id, purpose, at, signer_key, signer, answer, channel, staff FROM answer";

static const char outstanding_sql[] = "SELECT f.id, f.ref, f.carers, f.language, " FAMILY_KEY(
    " AND c.left_on IS NULL") " AS k"
                              " FROM family f WHERE f.left_on IS NULL AND"
                              " (EXISTS (SELECT 1 FROM declaration_status ds WHERE ds.family_id = "
                              "f.id AND ds.needs_sign)"
                              "  OR EXISTS (SELECT 1 FROM photo_missing pm WHERE pm.family_id = "
                              "f.id))"
                              " ORDER BY k, f.ref";

static const char children_sql[] =
    "SELECT first_name, last_name, class FROM child WHERE family_id = ?1 AND left_on IS NULL"
    " ORDER BY class, last_name, first_name, ref";

static const char to_sign_sql[] = "SELECT slug, version, sign_again FROM declaration_status"
                                  " WHERE family_id = ?1 AND needs_sign ORDER BY slug";

static const char missing_sql[] =
    "SELECT c.id, c.first_name, pm.purpose FROM photo_missing pm JOIN child c ON c.id = pm.child_id"
    " WHERE pm.family_id = ?1 ORDER BY c.class, c.last_name, c.first_name, c.ref, pm.position";

static const char *const headers[EXPORT__MAX][12] = {
    [EXPORT_DECLARATIONS] = {"family_ref", "carers", "signer", "policy", "version", "language",
                             "signed_at", "channel", "staff", NULL},
    [EXPORT_PHOTO] = {"class", "child_ref", "first_name", "last_name", "purpose", "basis",
                      "permitted", "answers", "given_by", "as_at", NULL},
    [EXPORT_OUTSTANDING] = {"family_ref", "carers", "language", "children", "to_sign", "sign_again",
                            "photo_unanswered", NULL},
};

static const char *text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

/* Writes the first n columns of the current row as cells, then extra (when not NULL). */
static void put_row(struct buf *out, sqlite3_stmt *st, int n, const char *extra)
{
	int i;

	for (i = 0; i < n; i++) {
		if (i)
			csv_sep(out);
		csv_cell(out, text(st, i));
	}
	if (extra) {
		csv_sep(out);
		csv_cell(out, extra);
	}
	csv_row_end(out);
}

/* Runs sql (one statement, no parameters) and writes its first n columns per row. */
static long simple(struct db *db, const char *sql, int n, const char *extra, struct buf *out)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	long rows = 0;
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		put_row(out, st, n, extra);
		rows++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? rows : -1;
}

/* The "what is missing" cells of one family for the outstanding list. */
static int family_missing(struct db *db, long long id, struct buf *children, struct buf *to_sign,
                          int *again, struct buf *photo)
{
	sqlite3_stmt *st;
	long long last = 0;
	int rc;

	if ((st = db_stmt(db, children_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		buf_printf(children, "%s%s %s (%s)", children->len ? "; " : "", text(st, 0),
		           text(st, 1), text(st, 2));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || (st = db_stmt(db, to_sign_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_printf(to_sign, "%s%s %s", to_sign->len ? "; " : "", text(st, 0), text(st, 1));
		*again |= sqlite3_column_int(st, 2) != 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || (st = db_stmt(db, missing_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 0) != last)
			buf_printf(photo, "%s%s: %s", photo->len ? "; " : "", text(st, 1),
			           text(st, 2));
		else
			buf_printf(photo, ", %s", text(st, 2));
		last = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

struct photo_purpose {
	char *id, *basis;
	int public_task;
	long answers;
	int yes, no;
	struct buf given; /* "Catrin Williams: yes (qr); Tom Smith: no (paper, jo)" */
};

/* One answer, its strings in the export's arena. */
struct photo_answer {
	long long child;
	size_t purpose; /* its index in the list of purposes */
	int yes;        /* else no */
	const char *at, *signer_key, *signer, *channel, *staff; /* staff NULL when none */
};

/* By child, then as the list gives a child's answers for each purpose: by time, signer. */
static int answer_cmp(const void *a, const void *b)
{
	const struct photo_answer *x = a, *y = b;
	int c;

	if (x->child != y->child)
		return x->child < y->child ? -1 : 1;
	if (x->purpose != y->purpose)
		return x->purpose < y->purpose ? -1 : 1;
	if ((c = strcmp(x->at, y->at)) != 0)
		return c;
	return strcmp(x->signer_key, y->signer_key);
}

/* Every answer for one of the n purposes p, sorted by answer_cmp, into *out (free it);
 * strings in a. The count, or -1. */
static long read_answers(struct db *db, const struct photo_purpose *p, size_t np,
                         struct arena *a, struct photo_answer **out)
{
	sqlite3_stmt *st = db_stmt(db, photo_answers_sql);
	struct photo_answer *v = NULL, *w;
	size_t n = 0, cap = 0;
	int rc = SQLITE_NOMEM;

	*out = NULL;
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *purpose = text(st, 1);
		struct photo_answer *x;
		size_t k;
		for (k = 0; k < np && strcmp(purpose, p[k].id) != 0; k++)
			;
		if (k == np)
			continue; /* not a purpose (the foreign key forbids it) */
		if (n == cap) {
			if ((w = realloc(v, (cap = cap ? cap * 2 : 1024) * sizeof *v)) == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			v = w;
		}
		x = &v[n++];
		x->child = sqlite3_column_int64(st, 0);
		x->purpose = k;
		x->at = arena_strdup(a, text(st, 2));
		x->signer_key = arena_strdup(a, text(st, 3));
		x->signer = arena_strdup(a, text(st, 4));
		x->yes = strcmp(text(st, 5), "yes") == 0;
		x->channel = arena_strdup(a, text(st, 6));
		x->staff = sqlite3_column_type(st, 7) == SQLITE_NULL ? NULL : arena_strdup(a, text(st, 7));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || !arena_ok(a)) {
		free(v);
		return -1;
	}
	if (n)
		qsort(v, n, sizeof *v, answer_cmp);
	*out = v;
	return (long)n;
}

/* The first of the n sorted answers that is child's, or n. */
static size_t first_answer(const struct photo_answer *v, size_t n, long long child)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].child < child)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static long photo(struct db *db, const char *as_at, struct buf *out)
{
	struct photo_purpose *p = NULL;
	struct photo_answer *ans = NULL;
	struct arena *a = arena_new();
	size_t n = 0, cap = 0, i, j;
	sqlite3_stmt *st, *ch = NULL;
	long rows = -1, nans;
	int rc;

	if (a == NULL || (st = db_stmt(db, photo_purposes_sql)) == NULL)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			struct photo_purpose *q = realloc(p, (cap = cap ? cap * 2 : 8) * sizeof *q);
			if (q == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			p = q;
		}
		memset(&p[n], 0, sizeof p[n]);
		p[n].id = strdup(text(st, 0));
		p[n].basis = strdup(text(st, 1));
		p[n].public_task = strcmp(text(st, 1), "public_task") == 0;
		if (p[n].id == NULL || p[n].basis == NULL)
			rc = SQLITE_NOMEM;
		n++;
		if (rc == SQLITE_NOMEM)
			break;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || (nans = read_answers(db, p, n, a, &ans)) < 0 ||
	    (ch = db_stmt(db, photo_children_sql)) == NULL)
		goto out;
	rows = 0;
	while ((rc = sqlite3_step(ch)) == SQLITE_ROW) {
		long long child = sqlite3_column_int64(ch, 0);
		for (i = 0; i < n; i++) {
			p[i].answers = 0;
			p[i].yes = p[i].no = 0;
			buf_reset(&p[i].given);
		}
		for (j = first_answer(ans, (size_t)nans, child); j < (size_t)nans && ans[j].child == child;
		     j++) {
			const struct photo_answer *y = &ans[j];
			struct photo_purpose *x = &p[y->purpose];
			x->answers++;
			x->yes |= y->yes;
			x->no |= !y->yes;
			if (x->given.len)
				buf_puts(&x->given, "; ");
			buf_puts(&x->given, y->signer);
			buf_puts(&x->given, y->yes ? ": yes (" : ": no (");
			buf_puts(&x->given, y->channel);
			if (y->staff) {
				buf_puts(&x->given, ", ");
				buf_puts(&x->given, y->staff);
			}
			buf_putc(&x->given, ')');
		}
		for (i = 0; i < n; i++) {
			char count[24];
			const char *cells[10];
			int permitted = !p[i].no && (p[i].public_task || p[i].yes);
			snprintf(count, sizeof count, "%ld", p[i].answers);
			cells[0] = text(ch, 1);
			cells[1] = text(ch, 2);
			cells[2] = text(ch, 3);
			cells[3] = text(ch, 4);
			cells[4] = p[i].id;
			cells[5] = p[i].basis;
			cells[6] = permitted ? "yes" : "no";
			cells[7] = count;
			cells[8] = p[i].given.len ? buf_str(&p[i].given) : "";
			cells[9] = as_at;
			csv_row(out, cells, 10);
			rows++;
		}
	}
	if (rc != SQLITE_DONE)
		rows = -1;
	sqlite3_reset(ch);
out:
	for (i = 0; i < n; i++) {
		free(p[i].id);
		free(p[i].basis);
		buf_free(&p[i].given);
	}
	free(p);
	free(ans);
	arena_free(a);
	return rows;
}

static long outstanding(struct db *db, struct buf *out)
{
	struct buf children = BUF_INIT, to_sign = BUF_INIT, photo = BUF_INIT;
	long long *ids = NULL;
	size_t n = 0, cap = 0, i;
	sqlite3_stmt *st;
	long rows = -1;
	int rc;

	/* The families first (their statement is reused per family below), then each row. */
	if ((st = db_stmt(db, outstanding_sql)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			long long *p = realloc(ids, (cap = cap ? cap * 2 : 64) * sizeof *p);
			if (p == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			ids = p;
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto out;
	for (i = 0; i < n; i++) {
		static const char family_sql[] =
		    "SELECT ref, carers, language FROM family WHERE id = ?1";
		const char *cells[7];
		int again = 0;
		buf_reset(&children);
		buf_reset(&to_sign);
		buf_reset(&photo);
		if (family_missing(db, ids[i], &children, &to_sign, &again, &photo) < 0 ||
		    (st = db_stmt(db, family_sql)) == NULL)
			goto out;
		sqlite3_bind_int64(st, 1, ids[i]);
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_reset(st);
			goto out;
		}
		cells[0] = text(st, 0);
		cells[1] = text(st, 1);
		cells[2] = text(st, 2);
		cells[3] = buf_str(&children);
		cells[4] = buf_str(&to_sign);
		cells[5] = again ? "yes" : "no";
		cells[6] = buf_str(&photo);
		csv_row(out, cells, 7);
		sqlite3_reset(st);
	}
	rows = (long)n;
out:
	free(ids);
	buf_free(&children);
	buf_free(&to_sign);
	buf_free(&photo);
	return rows;
}

long export_csv(struct db *db, enum export_kind kind, const char *as_at, struct buf *out,
                struct buf *err)
{
	int own = sqlite3_get_autocommit(db_sqlite(db));
	char now[21];
	long rows = -1;
	size_t i;

	if ((unsigned)kind >= EXPORT__MAX) {
		buf_puts(err, "export: unknown list\n");
		return -1;
	}
	if (as_at == NULL) {
		db_now(now);
		as_at = now;
	}
	/* One read transaction: the rows are one consistent snapshot. */
	if (own && db_exec_stmt(db_stmt(db, "BEGIN")) < 0) {
		buf_printf(err, "export %s: database: %s\n", export_names[kind], db_errmsg(db));
		return -1;
	}
	csv_bom(out);
	for (i = 0; headers[kind][i]; i++) {
		if (i)
			csv_sep(out);
		csv_cell(out, headers[kind][i]);
	}
	csv_row_end(out);
	switch (kind) {
	case EXPORT_DECLARATIONS:
		rows = simple(db, declarations_sql, 9, NULL, out);
		break;
	case EXPORT_PHOTO:
		rows = photo(db, as_at, out);
		break;
	case EXPORT_OUTSTANDING:
		rows = outstanding(db, out);
		break;
	case EXPORT__MAX:
		break;
	}
	if (rows < 0)
		buf_printf(err, "export %s: database: %s\n", export_names[kind], db_errmsg(db));
	else if (!buf_ok(out)) {
		buf_printf(err, "export %s: out of memory\n", export_names[kind]);
		rows = -1;
	}
	if (own)
		db_exec_stmt(db_stmt(db, "COMMIT"));
	return rows;
}
