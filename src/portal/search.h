/* search: finding families in the office by reference, child or carer name, however the
 * name is typed.
 *
 * The index is an SQLite FTS5 table (family_fts, migration 5) with the unicode61
 * tokenizer and remove_diacritics 2, so case, accents and diacritics do not matter
 * (Siân = sian, Gwenllïan = gwenllian, Llŷr = llyr). Apostrophes of any kind and hyphens
 * are folded in both the text and the query: each family's text is indexed as written
 * (O'Brien: "o", "brien") and with them removed ("obrien"), so O'Brien, O’Brien, obrien
 * and brien all find it, and Pritchard-Jones is found by "pritchardjones", "pritchard" and
 * "jones". Every word of a query is a prefix ("gwen" finds Gwenllïan) and all must match.
 *
 * The index holds names, so it is rebuilt (search_reindex) in the same transaction as
 * every change to them: the import and the purge. */
#ifndef SEARCH_H
#define SEARCH_H

#include <stddef.h>

#include "arena.h"
#include "db.h"

#define SEARCH_MAX_WORDS 8

/* Rebuilds the whole index from the family and child tables, inside the caller's
 * transaction or on its own. Returns 0 or -1 (db_errmsg). */
int search_reindex(struct db *);

/* Writes the FTS5 query for the text q (words folded and quoted, each a prefix) to out,
 * which holds outsz bytes. Returns the number of words (0: q has none, match everything),
 * or -1 when it does not fit. */
int search_query(const char *q, char *out, size_t outsz);

struct search_family {
	const char *ref, *carers;
	const char *children;    /* "Ann Jones (Year 3); Ben Jones (Reception)", current only */
	const char *first_class; /* class of the family's first current child, "" when none */
	int left;                /* every child has left */
	int to_sign, sign_again, photo_missing;
};

struct search_filter {
	const char *q;          /* NULL or "": any family */
	const char *class_name; /* NULL or "": any; else a current child in the class */
	int missing;            /* only current families still to sign or answer */
	long offset, limit;     /* the page: limit rows from offset */
};

/* The families matching f, ordered by class (their first current child's) and surname,
 * families that have left last. Fills out[0 .. *n - 1] (strings in a) with at most
 * f->limit rows and sets *more when there are others after them. Returns 0 or -1. */
int search_families(struct db *, const struct search_filter *f, struct arena *a,
                    struct search_family **out, size_t *n, int *more);

#endif
