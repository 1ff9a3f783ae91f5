/* portal-fill: gives the benchmark's database answers, so that the family pages and the
 * exports bench/portal.sh measures have something in them. Set-up only, never timed.
 *
 * Usage: portal-fill DB EVERY
 * For each family whose number (its ref without the leading letters, e.g. B00042 -> 42)
 * is not a multiple of EVERY, one carer ("Fill Carer REF") signs every current document
 * and answers every child and purpose, yes or no at random (a fixed seed), through
 * consent_record, as the portal would. With EVERY 3, two families in three have
 * answered and one in three is still outstanding.
 *
 * The database is written with PRAGMA synchronous = OFF: this fills a benchmark's
 * database and is not the portal; the portal's writes are measured at FULL.
 * Prints "filled N families" and exits 0, or prints why and exits 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "consent.h"
#include "db.h"

static unsigned next_rand(unsigned *state)
{
	unsigned x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x ? x : 0x9e3779b9u;
}

/* Signs and answers for one family. Returns 0 or -1. */
static int fill_one(struct db *db, struct arena *a, long long id, const char *ref, unsigned *rnd)
{
	struct consent_family *f;
	struct consent_submission s;
	struct consent_item *items;
	long long *docs;
	char ref_out[CONSENT_REF_MAX];
	size_t i, j;

	if (consent_load(db, a, NULL, id, "en", &f) != 0)
		return -1;
	docs = arena_alloc(a, (f->ndocs + 1) * sizeof *docs);
	items = arena_alloc(a, (f->nchildren * f->npurposes + 1) * sizeof *items);
	if (docs == NULL || items == NULL)
		return -1;
	memset(&s, 0, sizeof s);
	for (i = 0; i < f->ndocs; i++)
		docs[s.ndocuments++] = f->docs[i].id;
	for (i = 0; i < f->nchildren; i++) {
		for (j = 0; j < f->npurposes; j++) {
			struct consent_item *it = &items[s.nitems++];
			it->child_id = f->children[i].id;
			it->purpose = f->purposes[j].id;
			it->answer = next_rand(rnd) % 4 == 0 ? "no" : "yes";
		}
	}
	s.family_id = id;
	s.signer = arena_printf(a, "Fill Carer %s", ref);
	s.documents = docs;
	s.items = items;
	s.channel = "qr";
	s.language = NULL;
	return s.signer && consent_record(db, &s, ref_out) == CONSENT_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const char families_sql[] = "SELECT id, ref FROM family ORDER BY id";
	struct buf err = BUF_INIT;
	struct db *db;
	struct arena *a;
	sqlite3_stmt *st = NULL;
	unsigned rnd = 12345;
	long every, n = 0;
	int rc;

	if (argc != 3 || (every = strtol(argv[2], NULL, 10)) < 1) {
		fprintf(stderr, "usage: portal-fill DB EVERY\n");
		return 1;
	}
	if ((db = db_open(argv[1], DB_OPEN_EXISTING, &err)) == NULL) {
		fprintf(stderr, "portal-fill: %s", buf_str(&err));
		buf_free(&err);
		return 1;
	}
	buf_free(&err);
	if ((a = arena_new()) == NULL ||
	    sqlite3_exec(db_sqlite(db), "PRAGMA synchronous = OFF", NULL, NULL, NULL) !=
	        SQLITE_OK ||
	    sqlite3_prepare_v2(db_sqlite(db), families_sql, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	/* The families are read first: the statement must not stay open across the writes. */
	{
		struct fam {
			long long id;
			char ref[32];
		} *fam = NULL;
		size_t nfam = 0, cap = 0, i;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *ref = (const char *)sqlite3_column_text(st, 1);
			if (nfam == cap) {
				struct fam *p =
				    realloc(fam, (cap = cap ? cap * 2 : 1024) * sizeof *fam);
				if (p == NULL)
					break;
				fam = p;
			}
			fam[nfam].id = sqlite3_column_int64(st, 0);
			snprintf(fam[nfam++].ref, sizeof fam->ref, "%s", ref ? ref : "");
		}
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_DONE) {
			free(fam);
			goto fail;
		}
		for (i = 0; i < nfam; i++) {
			const char *digits = fam[i].ref + strcspn(fam[i].ref, "0123456789");
			if (strtol(digits, NULL, 10) % every == 0)
				continue;
			arena_reset(a);
			if (fill_one(db, a, fam[i].id, fam[i].ref, &rnd) < 0) {
				fprintf(stderr, "portal-fill: family %s: %s\n", fam[i].ref,
				        db_errmsg(db));
				free(fam);
				arena_free(a);
				db_close(db);
				return 1;
			}
			n++;
		}
		free(fam);
	}
	arena_free(a);
	db_close(db);
	printf("filled %ld families\n", n);
	return 0;
fail:
	fprintf(stderr, "portal-fill: %s\n", db_errmsg(db));
	sqlite3_finalize(st);
	arena_free(a);
	db_close(db);
	return 1;
}
