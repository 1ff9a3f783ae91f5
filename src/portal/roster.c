#include "roster.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "arena.h"
#include "audit.h"
#include "csv.h"
#include "date.h"
#include "mis.h"
#include "search.h"
#include "utf8.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define PLAN_LEAVERS_SHOWN 5 /* leavers named when an import is refused for them */

struct row {
	size_t line;
	const char *v[MIS__MAX]; /* cleaned and checked; "" for an absent or empty value */
	const char *lang_raw;    /* the language cell as written, for notes */
	int derived;             /* family reference made from the primary contact */
	struct fam *fam;
};

struct fam {
	const char *ref;
	const char *carers, *language; /* NULL until a row gives them: left as they are */
	size_t carers_line, language_line;
	int derived; /* ref made from the primary contact */
	size_t nchildren;
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
	const struct roster_opts *opt;
	struct mis_columns cols;
	struct row *rows;
	size_t nrows, caprows;
	struct fam *fams;
	size_t nfams;
	size_t nheader; /* fields in the header row */
	struct problem *probs;
	size_t nprobs, capprobs;
	struct buf notes;   /* "FILE:LINE: note" lines: imported, but worth a look */
	struct buf plan;    /* one line per change */
	struct buf leavers; /* the first few children who would leave */
	long current;       /* children current before the import */
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

/* A copy of s with each run of spaces, tabs and line breaks made one space and none
 * around it: a line break inside a cell is never a new value. */
static char *clean(struct arena *a, const char *s)
{
	size_t n = strlen(s), o = 0;
	char *out = arena_alloc(a, n + 1);
	int space = 0;

	if (out == NULL)
		return NULL;
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
			space = o > 0;
			continue;
		}
		if (space)
			out[o++] = ' ';
		space = 0;
		out[o++] = *s;
	}
	out[o] = '\0';
	return out;
}

/* Appends value to b as one more "; "-separated item unless b holds it already. */
static void add_item(struct buf *b, const char *value)
{
	const char *p = buf_str(b);
	size_t n = strlen(value);

	if (n == 0)
		return;
	while (*p) {
		size_t k = strcspn(p, ";");
		const char *q = p;
		size_t m = k;
		while (m > 0 && *q == ' ')
			q++, m--;
		while (m > 0 && q[m - 1] == ' ')
			m--;
		if (m == n && strncasecmp(q, value, n) == 0)
			return;
		p += k + (p[k] == ';');
	}
	if (b->len)
		buf_puts(b, "; ");
	buf_puts(b, value);
}

/* The value of field f in the record: the first column with a value, or for carers and
 * address every column's, joined. NULL when out of memory. */
static const char *field_value(struct import *im, const struct csv *c, enum mis_field f)
{
	struct buf b = BUF_INIT;
	const char *out;
	size_t k;

	for (k = 0; k < im->cols.ncol[f]; k++) {
		const char *v = clean(im->a, c->field[im->cols.col[f][k]]);
		if (v == NULL)
			return NULL;
		if (f == MIS_CARERS) {
			/* A carers cell may list several, separated by ';'. */
			const char *p = v;
			while (*p) {
				size_t n = strcspn(p, ";");
				char *item = arena_strndup(im->a, p, n);
				if (item && (item = clean(im->a, item)) != NULL)
					add_item(&b, item);
				p += n + (p[n] == ';');
			}
		} else if (f == MIS_ADDRESS) {
			if (*v)
				buf_printf(&b, "%s%s", b.len ? ", " : "", v);
		} else if (*v) {
			buf_free(&b);
			return v;
		}
	}
	out = buf_ok(&b) ? arena_strdup(im->a, buf_str(&b)) : NULL;
	buf_free(&b);
	return out;
}

/* Checks one row's value of field f; returns the value to keep or NULL after reporting
 * a problem. */
static const char *check_value(struct import *im, struct row *r, enum mis_field f, const char *v)
{
	const char *name = mis_field_names[f];
	size_t n = strlen(v);

	switch (f) {
	case MIS_FAMILY:
		if (n > 0 && !valid_ref(v)) {
			problem(im, r->line, "%s must be 1 to %d letters, digits, '_' or '-'", name,
			        ROSTER_MAX_REF);
			return NULL;
		}
		return v;
	case MIS_CHILD:
		if (!valid_ref(v)) {
			if (n == 0)
				problem(im, r->line, "%s is empty", name);
			else
				problem(im, r->line,
				        "%s must be 1 to %d letters, digits, '_' or '-'", name,
				        ROSTER_MAX_REF);
			return NULL;
		}
		return v;
	case MIS_FIRST:
	case MIS_LAST:
	case MIS_CLASS:
		if (n == 0) {
			problem(im, r->line, "%s is empty", name);
			return NULL;
		}
		if (n > ROSTER_MAX_NAME) {
			problem(im, r->line, "%s is longer than %d bytes", name, ROSTER_MAX_NAME);
			return NULL;
		}
		break;
	case MIS_CARERS:
		if (n > ROSTER_MAX_CARERS) {
			problem(im, r->line, "%s is longer than %d bytes", name, ROSTER_MAX_CARERS);
			return NULL;
		}
		break;
	case MIS_LANGUAGE: {
		const char *l = mis_language(v);
		r->lang_raw = v;
		if (l)
			return l;
		buf_printf(&im->notes,
		           "%s:%zu: language \"%s\" is neither English nor Welsh: letters and "
		           "pages will be in English\n",
		           im->name, r->line, v);
		return "en";
	}
	default: /* contact details: used to group siblings, never stored */
		return v;
	}
	if (!utf8_valid_line(v, n)) {
		problem(im, r->line, "%s holds a control character", name);
		return NULL;
	}
	return v;
}

/* Reads the header and matches its columns to the fields. */
static int read_header(struct import *im, struct csv *c)
{
	struct buf missing = BUF_INIT, err = BUF_INIT;
	const char **h;
	size_t i;
	int f;

	if (csv_next(c) <= 0) {
		if (c->err)
			problem(im, c->err_line, "%s", csv_strerror(c->err));
		else
			problem(im, 1,
			        "the file is empty; expected a header row naming the columns, as "
			        "family_ref, child_ref, first_name, last_name, class");
		return -1;
	}
	im->nheader = c->nfield;
	if ((h = arena_alloc(im->a, (c->nfield + 1) * sizeof *h)) == NULL) {
		im->oom = 1;
		return -1;
	}
	for (i = 0; i < c->nfield; i++)
		if ((h[i] = clean(im->a, c->field[i])) == NULL) {
			im->oom = 1;
			return -1;
		}
	if (mis_match(h, c->nfield, im->opt->map, &im->cols, &err) < 0) {
		const char *s = buf_str(&err);
		while (*s) {
			size_t n = strcspn(s, "\n");
			problem(im, c->line, "%.*s", (int)n, s);
			s += n + (s[n] == '\n');
		}
	}
	buf_free(&err);
	if (mis_missing(&im->cols, &missing) > 0) {
		for (f = 0; f < MIS__MAX; f++) {
			struct buf names = BUF_INIT;
			if (!mis_required(f) || im->cols.ncol[f])
				continue;
			mis_known_names(f, &names);
			problem(im, c->line,
			        "no column for %s: the header needs one of %s, or name the column "
			        "with --map %s=HEADER",
			        mis_field_names[f], buf_str(&names), mis_field_names[f]);
			buf_free(&names);
		}
	}
	buf_free(&missing);
	return im->nprobs ? -1 : 0;
}

static int read_rows(struct import *im, struct csv *c)
{
	int rc, f;

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
		for (f = 0; f < MIS__MAX; f++) {
			const char *v = field_value(im, c, f);
			if (v == NULL) {
				im->oom = 1;
				return -1;
			}
			if ((r->v[f] = check_value(im, r, f, v)) == NULL)
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

/* The key of a family reference ('family' in the secret table, made by consentctl init). */
static int family_key(struct db *db, unsigned char key[32])
{
	static const char sql[] = "SELECT value FROM secret WHERE name = 'family'";
	sqlite3_stmt *st = db_stmt(db, sql);
	int ok;

	if (st == NULL)
		return -1;
	ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32;
	if (ok)
		memcpy(key, sqlite3_column_blob(st, 0), 32);
	sqlite3_reset(st);
	return ok ? 0 : -1;
}

/* The digits of a phone number, a leading 44 (UK) made 0, so that "+44 7700 900123"
 * and "07700 900123" are one number. "" when fewer than 6 digits. */
static const char *phone_digits(struct arena *a, const char *s)
{
	char d[64];
	size_t n = 0;

	for (; *s && n + 1 < sizeof d; s++)
		if (*s >= '0' && *s <= '9')
			d[n++] = *s;
	d[n] = '\0';
	if (n < 6)
		return "";
	if (strncmp(d, "44", 2) == 0 && n >= 12)
		return arena_printf(a, "0%s", d + 2);
	return arena_strdup(a, d);
}

/* Each row without a family reference gets one derived from its primary contact: the
 * email (folded), else the phone's digits, else the first carer's name with the address,
 * else the child alone. The reference is "FAM-" and 10 characters of a keyed BLAKE2b
 * hash of that, so it is the same for the same contact in every export of this database
 * and reveals nothing of it. */
static int derive_families(struct db *db, struct import *im)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; /* Crockford */
	unsigned char key[32], h[16];
	size_t i, k, formed = 0;

	for (i = 0; i < im->nrows && im->rows[i].v[MIS_FAMILY][0]; i++)
		;
	if (i == im->nrows)
		return 0;
	if (family_key(db, key) < 0) {
		problem(im, 1, "the database has no family key: run consentctl init to upgrade it");
		return -1;
	}
	for (i = 0; i < im->nrows; i++) {
		struct row *r = &im->rows[i];
		char fold[512], *ref;
		const char *by;
		if (r->v[MIS_FAMILY][0])
			continue;
		if (r->v[MIS_EMAIL][0]) {
			char *e = arena_printf(im->a, "e:%s", r->v[MIS_EMAIL]);
			for (k = 0; e && e[k]; k++)
				if (e[k] >= 'A' && e[k] <= 'Z')
					e[k] = (char)(e[k] - 'A' + 'a');
			by = e;
		} else if (*phone_digits(im->a, r->v[MIS_PHONE])) {
			by = arena_printf(im->a, "p:%s", phone_digits(im->a, r->v[MIS_PHONE]));
		} else if (r->v[MIS_CARERS][0] && r->v[MIS_ADDRESS][0]) {
			char a2[512];
			size_t n = strcspn(r->v[MIS_CARERS], ";");
			char *first = arena_strndup(im->a, r->v[MIS_CARERS], n);
			mis_fold(first ? first : "", fold, sizeof fold);
			mis_fold(r->v[MIS_ADDRESS], a2, sizeof a2);
			by = arena_printf(im->a, "n:%s|%s", fold, a2);
		} else {
			by = arena_printf(im->a, "c:%s", r->v[MIS_CHILD]);
			buf_printf(&im->notes,
			           "%s:%zu: no contact email, phone, or carer with an address for "
			           "%s %s: the child is a family of their own\n",
			           im->name, r->line, r->v[MIS_FIRST], r->v[MIS_LAST]);
		}
		if (by == NULL || (ref = arena_alloc(im->a, 15)) == NULL) {
			im->oom = 1;
			return -1;
		}
		crypto_generichash(h, sizeof h, (const unsigned char *)by, strlen(by), key,
		                   sizeof key);
		memcpy(ref, "FAM-", 4);
		for (k = 0; k < 10; k++) { /* 50 bits, 5 at a time */
			size_t bit = k * 5;
			unsigned two = (unsigned)h[bit / 8] << 8 | h[bit / 8 + 1];
			ref[4 + k] = alphabet[(two >> (11 - bit % 8)) & 31];
		}
		ref[14] = '\0';
		r->v[MIS_FAMILY] = ref;
		r->derived = 1;
		formed++;
	}
	sodium_memzero(key, sizeof key);
	return (int)formed;
}

static int row_cmp_child(const void *a, const void *b)
{
	const struct row *x = *(struct row *const *)a, *y = *(struct row *const *)b;
	int d = strcmp(x->v[MIS_CHILD], y->v[MIS_CHILD]);

	return d ? d : (x->line > y->line) - (x->line < y->line);
}

static int row_cmp_family(const void *a, const void *b)
{
	const struct row *x = *(struct row *const *)a, *y = *(struct row *const *)b;
	int d = strcmp(x->v[MIS_FAMILY], y->v[MIS_FAMILY]);

	return d ? d : (x->line > y->line) - (x->line < y->line);
}

/* Checks that each child appears once, and groups the rows into families. Rows of a
 * family with a reference in the file must agree on carers and language; a family formed
 * from a shared contact takes every carer its rows name, and Welsh when any says so. */
static int check_rows(struct import *im, int derived)
{
	struct row **by = malloc((im->nrows + 1) * sizeof *by);
	struct buf carers = BUF_INIT;
	size_t i, shared = 0;

	if (by == NULL || (im->fams = calloc(im->nrows + 1, sizeof *im->fams)) == NULL) {
		free(by);
		im->oom = 1;
		return -1;
	}
	for (i = 0; i < im->nrows; i++)
		by[i] = &im->rows[i];
	qsort(by, im->nrows, sizeof *by, row_cmp_child);
	for (i = 1; i < im->nrows; i++)
		if (strcmp(by[i]->v[MIS_CHILD], by[i - 1]->v[MIS_CHILD]) == 0)
			problem(im, by[i]->line,
			        "child_ref %s is also on line %zu; each child has one row",
			        by[i]->v[MIS_CHILD], by[i - 1]->line);
	qsort(by, im->nrows, sizeof *by, row_cmp_family);
	for (i = 0; i < im->nrows; i++) {
		struct row *r = by[i];
		struct fam *f;
		int new_fam = i == 0 || strcmp(r->v[MIS_FAMILY], by[i - 1]->v[MIS_FAMILY]) != 0;
		if (new_fam) {
			f = &im->fams[im->nfams++];
			f->ref = r->v[MIS_FAMILY];
			f->derived = r->derived;
			buf_reset(&carers);
		}
		f = &im->fams[im->nfams - 1];
		r->fam = f;
		f->nchildren++;
		if (r->v[MIS_CARERS][0]) {
			if (f->derived) {
				const char *p = r->v[MIS_CARERS];
				while (*p) {
					size_t n = strcspn(p, ";");
					char *item = arena_strndup(im->a, p, n);
					if (item && (item = clean(im->a, item)) != NULL)
						add_item(&carers, item);
					p += n + (p[n] == ';');
				}
				f->carers = arena_strdup(im->a, buf_str(&carers));
				f->carers_line = r->line;
			} else if (f->carers == NULL) {
				f->carers = r->v[MIS_CARERS];
				f->carers_line = r->line;
			} else if (strcmp(f->carers, r->v[MIS_CARERS]) != 0) {
				problem(im, r->line,
				        "carers differ from line %zu of the same family %s",
				        f->carers_line, f->ref);
			}
		}
		if (r->v[MIS_LANGUAGE][0]) {
			if (f->language == NULL) {
				f->language = r->v[MIS_LANGUAGE];
				f->language_line = r->line;
			} else if (strcmp(f->language, r->v[MIS_LANGUAGE]) != 0) {
				if (!f->derived) {
					problem(
					    im, r->line,
					    "language differs from line %zu of the same family %s",
					    f->language_line, f->ref);
				} else if (strcmp(f->language, "cy") != 0) {
					buf_printf(
					    &im->notes,
					    "%s:%zu: language differs from line %zu of the same "
					    "family %s: the family's is Welsh\n",
					    im->name, r->line, f->language_line, f->ref);
					f->language = "cy";
				}
			}
		}
	}
	/* The report: how many families were formed and who shares one. */
	if (derived > 0) {
		for (i = 0; i < im->nfams; i++)
			shared += im->fams[i].derived && im->fams[i].nchildren > 1;
		buf_printf(&im->notes,
		           "%s: %d children without a family reference were grouped into families "
		           "by their primary contact; %zu of those families have more than one "
		           "child:\n",
		           im->name, derived, shared);
		for (i = 0; i < im->nrows; i++) {
			struct row *r = by[i];
			if (!r->fam->derived || r->fam->nchildren < 2)
				continue;
			if (i == 0 || r->fam != by[i - 1]->fam)
				buf_printf(&im->notes, "%s  %s:", i ? "\n" : "", r->fam->ref);
			buf_printf(&im->notes, "%s %s %s (%s)",
			           i && r->fam == by[i - 1]->fam ? "," : "", r->v[MIS_FIRST],
			           r->v[MIS_LAST], r->v[MIS_CHILD]);
		}
		if (shared)
			buf_putc(&im->notes, '\n');
	}
	buf_free(&carers);
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
		bind_str(st, 1, r->v[MIS_CHILD]);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
		    strcmp(col_text(st, 0), r->v[MIS_FAMILY]) != 0 && !(flags & ROSTER_MOVE))
			problem(
			    im, r->line,
			    "child %s belongs to family %s, not %s; if the child has really moved "
			    "family, import again with --allow-move (their current photo answers "
			    "are then cleared for the new family to give)",
			    r->v[MIS_CHILD], col_text(st, 0), r->v[MIS_FAMILY]);
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

static int upsert_family(struct db *db, struct import *im, struct fam *f, struct roster_counts *n)
{
	static const char find_sql[] = "SELECT id, carers, language FROM family WHERE ref = ?1";
	static const char insert_sql[] =
	    "INSERT INTO family (ref, carers, language) VALUES (?1, ?2, ?3)";
	static const char update_sql[] =
	    "UPDATE family SET carers = ?2, language = ?3 WHERE id = ?1";
	const char *carers, *lang;
	sqlite3_stmt *st = db_stmt(db, find_sql);
	int rc, same_c, same_l;

	if (st == NULL)
		return -1;
	bind_str(st, 1, f->ref);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		f->id = sqlite3_column_int64(st, 0);
		/* A field the file does not give keeps what the database holds. */
		carers = arena_strdup(im->a, f->carers ? f->carers : col_text(st, 1));
		lang = arena_strdup(im->a, f->language ? f->language : col_text(st, 2));
		same_c = carers && strcmp(col_text(st, 1), carers) == 0;
		same_l = lang && strcmp(col_text(st, 2), lang) == 0;
		if (!same_c)
			buf_printf(&im->plan, "family %s: carers \"%s\" become \"%s\"\n", f->ref,
			           col_text(st, 1), carers ? carers : "");
		if (!same_l)
			buf_printf(&im->plan, "family %s: language %s becomes %s\n", f->ref,
			           col_text(st, 2), lang ? lang : "");
		sqlite3_reset(st);
		if (carers == NULL || lang == NULL)
			return -1;
		if (same_c && same_l) {
			n->families_unchanged++;
			return 0;
		}
		n->families_carers += !same_c;
		n->families_language += !same_l;
		if ((st = db_stmt(db, update_sql)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, f->id);
		bind_str(st, 2, carers);
		bind_str(st, 3, lang);
		n->families_updated++;
		return db_exec_stmt(st);
	}
	sqlite3_reset(st);
	carers = f->carers ? f->carers : "";
	lang = f->language ? f->language : "en";
	if (rc != SQLITE_DONE || (st = db_stmt(db, insert_sql)) == NULL)
		return -1;
	bind_str(st, 1, f->ref);
	bind_str(st, 2, carers);
	bind_str(st, 3, lang);
	if (db_exec_stmt(st) < 0)
		return -1;
	f->id = sqlite3_last_insert_rowid(db_sqlite(db));
	buf_printf(&im->plan, "family %s added: carers \"%s\", language %s\n", f->ref, carers,
	           lang);
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

static int upsert_child(struct db *db, struct import *im, const struct row *r,
                        struct roster_counts *n)
{
	static const char find_sql[] =
	    "SELECT c.id, c.family_id, c.first_name, c.last_name, c.class, c.left_on, f.ref"
	    " FROM child c JOIN family f ON f.id = c.family_id WHERE c.ref = ?1";
	static const char insert_sql[] = "INSERT INTO child (family_id, ref, first_name, last_name,"
	                                 " class) VALUES (?1, ?2, ?3, ?4, ?5)";
	static const char update_sql[] = "UPDATE child SET first_name = ?2, last_name = ?3,"
	                                 " class = ?4, left_on = NULL WHERE id = ?1";
	const char *ref = r->v[MIS_CHILD], *first = r->v[MIS_FIRST], *last = r->v[MIS_LAST];
	const char *cls = r->v[MIS_CLASS];
	sqlite3_stmt *st = db_stmt(db, find_sql);
	long long id, family;
	int rc, same, same_name, back;

	if (st == NULL)
		return -1;
	bind_str(st, 1, ref);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		family = sqlite3_column_int64(st, 1);
		same_name =
		    strcmp(col_text(st, 2), first) == 0 && strcmp(col_text(st, 3), last) == 0;
		same = same_name && strcmp(col_text(st, 4), cls) == 0;
		back = sqlite3_column_type(st, 5) != SQLITE_NULL;
		if (!same_name)
			buf_printf(&im->plan, "child %s: name %s %s becomes %s %s\n", ref,
			           col_text(st, 2), col_text(st, 3), first, last);
		if (strcmp(col_text(st, 4), cls) != 0) {
			buf_printf(&im->plan, "child %s %s %s: class %s becomes %s\n", ref, first,
			           last, col_text(st, 4), cls);
			n->children_class++;
		}
		if (family != r->fam->id)
			buf_printf(&im->plan, "child %s %s %s: moves from family %s to %s\n", ref,
			           first, last, col_text(st, 6), r->fam->ref);
		if (back)
			buf_printf(&im->plan, "child %s %s %s is back (%s), after leaving on %s\n",
			           ref, first, last, cls, col_text(st, 5));
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
		bind_str(st, 2, first);
		bind_str(st, 3, last);
		bind_str(st, 4, cls);
		return db_exec_stmt(st);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || (st = db_stmt(db, insert_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->fam->id);
	bind_str(st, 2, ref);
	bind_str(st, 3, first);
	bind_str(st, 4, last);
	bind_str(st, 5, cls);
	buf_printf(&im->plan, "child %s %s %s added (%s), family %s\n", ref, first, last, cls,
	           r->fam->ref);
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
	static const char current_sql[] =
	    "SELECT id, ref, first_name, last_name, class FROM child WHERE left_on IS NULL"
	    " ORDER BY class, last_name, first_name, ref";
	static const char left_sql[] = "UPDATE child SET left_on = ?2 WHERE id = ?1";
	static const char fam_leaving_sql[] =
	    "SELECT ref FROM family WHERE left_on IS NULL AND NOT EXISTS"
	    " (SELECT 1 FROM child c WHERE c.family_id = family.id AND c.left_on IS NULL)"
	    " ORDER BY ref";
	static const char fam_left_sql[] =
	    "UPDATE family SET left_on = ?1 WHERE left_on IS NULL AND NOT EXISTS"
	    " (SELECT 1 FROM child c WHERE c.family_id = family.id AND c.left_on IS NULL)";
	static const char fam_returning_sql[] =
	    "SELECT ref FROM family WHERE left_on IS NOT NULL AND EXISTS"
	    " (SELECT 1 FROM child c WHERE c.family_id = family.id AND c.left_on IS NULL)"
	    " ORDER BY ref";
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
		refs[i] = im->rows[i].v[MIS_CHILD];
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
		buf_printf(&im->plan, "child %s %s %s left (%s)\n", ref, col_text(st, 2),
		           col_text(st, 3), col_text(st, 4));
		if (ngone <= PLAN_LEAVERS_SHOWN)
			buf_printf(&im->leavers, "%s%s %s %s (%s)", ngone > 1 ? ", " : "", ref,
			           col_text(st, 2), col_text(st, 3), col_text(st, 4));
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
	for (i = 0; i < 2; i++) {
		if ((st = db_stmt(db, i ? fam_returning_sql : fam_leaving_sql)) == NULL)
			goto out;
		while ((step = sqlite3_step(st)) == SQLITE_ROW)
			buf_printf(&im->plan, "family %s %s\n", col_text(st, 0),
			           i ? "is back" : "left (no current child)");
		sqlite3_reset(st);
		if (step != SQLITE_DONE)
			goto out;
	}
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

static long count_current(struct db *db)
{
	static const char sql[] = "SELECT count(*) FROM child WHERE left_on IS NULL";
	sqlite3_stmt *st = db_stmt(db, sql);
	long n = -1;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	if (st)
		sqlite3_reset(st);
	return n;
}

/* Takes the upload with this once-only value's hash: 1 when it was there (now
 * deleted), 0 when it was not (confirmed already), -1 on error. */
static int take_upload(struct db *db, const char *hash)
{
	static const char sql[] = "DELETE FROM upload WHERE hash = ?1";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return -1;
	bind_str(st, 1, hash);
	if (db_exec_stmt(st) < 0)
		return -1;
	return sqlite3_changes(db_sqlite(db)) > 0;
}

static int write_import(struct db *db, struct import *im, struct roster_counts *n)
{
	struct db_event e = {.kind = "import", .channel = "system"};
	char digest[AUDIT_DIGEST_HEX + 1], data[16 + AUDIT_DIGEST_HEX];
	struct buf detail = BUF_INIT;
	size_t i;
	int rc;

	if ((im->current = count_current(db)) < 0)
		return -1;
	for (i = 0; i < im->nfams; i++)
		if (upsert_family(db, im, &im->fams[i], n) < 0)
			return -1;
	for (i = 0; i < im->nrows; i++)
		if (upsert_child(db, im, &im->rows[i], n) < 0)
			return -1;
	if (mark_left(db, im, im->opt->today, n) < 0 || search_reindex(db) < 0)
		return -1;
	summary(&detail, n, "; ");
	if (im->opt->sha256)
		buf_printf(&detail, "; file sha256 %s", im->opt->sha256);
	if (im->opt->staff) {
		e.channel = "office";
		e.staff = im->opt->staff;
	}
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

/* 1 when the import would mark too many children as left to be a whole-school file. */
static int too_many_leavers(const struct import *im, const struct roster_counts *n)
{
	return n->children_left >= ROSTER_LEAVERS_MIN &&
	       n->children_left * 100 > im->current * ROSTER_LEAVERS_PERCENT;
}

int roster_import(struct db *db, const char *name, const char *data, size_t len, const char *today,
                  unsigned flags, struct roster_counts *counts, struct buf *report)
{
	struct roster_opts o = {.today = today, .flags = flags};

	return roster_import_opts(db, name, data, len, &o, counts, report);
}

int roster_import_opts(struct db *db, const char *name, const char *data, size_t len,
                       const struct roster_opts *opt, struct roster_counts *counts,
                       struct buf *report)
{
	struct import im;
	struct csv c;
	int rc = -1, derived = 0, refused = 0, taken;
	size_t i;

	memset(counts, 0, sizeof *counts);
	memset(&im, 0, sizeof im);
	im.name = name;
	im.opt = opt;
	if ((im.a = arena_new()) == NULL) {
		buf_printf(report, "%s: out of memory\n", name);
		return -1;
	}
	csv_init(&c, data, len);
	/* Every row is checked, so that one report lists every problem. */
	if (read_header(&im, &c) == 0) {
		read_rows(&im, &c);
		if (im.nrows == 0 && im.nprobs == 0)
			problem(
			    &im, c.line ? c.line : 1,
			    "no rows after the header; an empty import would mark every child as "
			    "left, so nothing was imported");
		else if (!im.oom && (derived = derive_families(db, &im)) >= 0)
			check_rows(&im, derived);
	}
	if (im.oom || !arena_ok(im.a)) {
		buf_printf(report, "%s: out of memory\n", name);
		goto out;
	}
	if (im.nrows > 0 && im.nprobs == 0) {
		if (db_begin(db) < 0)
			goto dberr;
		if (check_moves(db, &im, opt->flags) < 0) {
			db_rollback(db);
			goto dberr;
		}
		taken = 1;
		if (im.nprobs == 0 && opt->upload_hash &&
		    (taken = take_upload(db, opt->upload_hash)) < 0) {
			db_rollback(db);
			goto dberr;
		}
		if (im.nprobs || !taken) {
			db_rollback(db);
			if (!taken) {
				buf_printf(report, "%s: this upload was imported already\n", name);
				rc = 2;
				goto out;
			}
		} else if (write_import(db, &im, counts) < 0) {
			db_rollback(db);
			memset(counts, 0, sizeof *counts);
			goto dberr;
		} else if ((refused = too_many_leavers(&im, counts) &&
		                      !(opt->flags & ROSTER_ALLOW_LEAVERS)) ||
		           (opt->flags & ROSTER_DRY_RUN)) {
			db_rollback(db);
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
	if (refused) {
		buf_printf(report,
		           "%s: this file would mark %ld of the %ld current children as left "
		           "(more than %d %%), among them %s%s; nothing was imported. Is it a "
		           "whole-school export? If they really have left, import it with "
		           "--allow-leavers (in the office: tick \"Children missing from the file "
		           "have left\").\n",
		           name, counts->children_left, im.current, ROSTER_LEAVERS_PERCENT,
		           buf_str(&im.leavers),
		           counts->children_left > PLAN_LEAVERS_SHOWN ? " and others" : "");
		if (opt->flags & ROSTER_DRY_RUN) { /* the whole plan, to see who would leave */
			buf_puts(report, "The import would make these changes:\n");
			buf_put(report, buf_str(&im.plan), im.plan.len);
			summary(report, counts, "\n");
			buf_putc(report, '\n');
		}
		rc = 1;
		goto out;
	}
	buf_put(report, buf_str(&im.notes), im.notes.len);
	if (opt->flags & ROSTER_DRY_RUN)
		buf_puts(report, "Dry run: nothing was changed. The import would make these "
		                 "changes:\n");
	buf_put(report, buf_str(&im.plan), im.plan.len);
	if (im.plan.len == 0)
		buf_puts(report, "No changes.\n");
	summary(report, counts, "\n");
	buf_putc(report, '\n');
	rc = buf_ok(&im.notes) && buf_ok(&im.plan) ? 0 : -1;
	goto out;
dberr:
	buf_printf(report, "%s: database: %s; nothing was imported\n", name, db_errmsg(db));
out:
	csv_free(&c);
	free(im.rows);
	free(im.fams);
	free(im.probs);
	buf_free(&im.notes);
	buf_free(&im.plan);
	buf_free(&im.leavers);
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
	/* Uploads waiting in the office hold names too: any not confirmed within the hour. */
	static const char uploads_sql[] = "DELETE FROM upload WHERE created < unixepoch() - " STR(
	    ROSTER_UPLOAD_MAX_AGE) " AND ?1 IS NOT NULL";
	const struct {
		const char *sql;
		long *count;
	} steps[] = {
	    {events_sql, &n->events_cleared}, {answers_sql, &n->answers},
	    {signatures_sql, &n->signatures}, {tokens_sql, &n->tokens},
	    {children_sql, &n->children},     {families_sql, &n->families},
	    {uploads_sql, &n->uploads},
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
	/* The search index holds names: the purged ones go from it too. */
	if (search_reindex(db) < 0 || audit_roster_digest(db, digest) < 0)
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

int roster_upload_put(struct db *db, const char *staff, const char *name, const char *data,
                      size_t len, int allow_leavers, char once[TOKEN_LEN + 1])
{
	static const char expire_sql[] = "DELETE FROM upload WHERE created < ?1";
	static const char insert_sql[] =
	    "INSERT INTO upload (hash, staff, name, sha256, data, allow_leavers, created)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	unsigned char sum[crypto_hash_sha256_BYTES];
	char hash[TOKEN_HEX_LEN + 1], hex[TOKEN_HEX_LEN + 1];
	long long now = (long long)time(NULL);
	sqlite3_stmt *st;

	once[0] = '\0';
	crypto_hash_sha256(sum, (const unsigned char *)data, len);
	sodium_bin2hex(hex, sizeof hex, sum, sizeof sum);
	token_new(once);
	if (token_hash_hex(once, hash) < 0 || db_begin(db) < 0)
		goto fail;
	if ((st = db_stmt(db, expire_sql)) == NULL)
		goto rollback;
	sqlite3_bind_int64(st, 1, now - ROSTER_UPLOAD_MAX_AGE);
	if (db_exec_stmt(st) < 0 || (st = db_stmt(db, insert_sql)) == NULL)
		goto rollback;
	bind_str(st, 1, hash);
	bind_str(st, 2, staff);
	bind_str(st, 3, name);
	bind_str(st, 4, hex);
	sqlite3_bind_blob(st, 5, data, (int)len, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, allow_leavers != 0);
	sqlite3_bind_int64(st, 7, now);
	if (db_exec_stmt(st) < 0 || db_commit(db) < 0)
		goto rollback;
	return 0;
rollback:
	db_rollback(db);
fail:
	memset(once, 0, TOKEN_LEN + 1);
	return -1;
}

int roster_upload_get(struct db *db, const char *staff, const char *once, struct arena *a,
                      struct roster_upload *u)
{
	static const char sql[] = "SELECT name, sha256, data, allow_leavers FROM upload"
	                          " WHERE hash = ?1 AND staff = ?2 AND created >= ?3";
	sqlite3_stmt *st;
	char *data;
	int rc, n;

	memset(u, 0, sizeof *u);
	if (once == NULL || token_hash_hex(once, u->hash) < 0)
		return 0;
	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	bind_str(st, 1, u->hash);
	bind_str(st, 2, staff);
	sqlite3_bind_int64(st, 3, (long long)time(NULL) - ROSTER_UPLOAD_MAX_AGE);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = sqlite3_column_bytes(st, 2);
		u->name = arena_strdup(a, col_text(st, 0));
		snprintf(u->sha256, sizeof u->sha256, "%s", col_text(st, 1));
		if ((data = arena_alloc(a, (size_t)n + 1)) != NULL && n > 0)
			memcpy(data, sqlite3_column_blob(st, 2), (size_t)n);
		u->data = data;
		u->len = (size_t)n;
		u->allow_leavers = sqlite3_column_int(st, 3);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW || u->name == NULL || u->data == NULL)
		return -1;
	return 1;
}
