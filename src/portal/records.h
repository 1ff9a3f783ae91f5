/* records: the office's read model. Every query the office's pages make, as constant
 * prepared statements, returning plain structs to the handler (cgi-bin/office.c holds no
 * SQL). Rows and their strings live in the caller's arena a; each function returns 0,
 * or -1 on a database error (db_errmsg says which) or when out of memory. An absent
 * value (SQL NULL) is a NULL pointer where the comment says so, else "". */
#ifndef RECORDS_H
#define RECORDS_H

#include <stddef.h>

#include "arena.h"
#include "db.h"

/* Progress of one class, or of the school (class_name ""): families and children
 * attending, families who signed every current signable policy, families who must sign
 * again after a new version, children with every 'consent' purpose answered. */
struct records_progress {
	const char *class_name;
	long long families, children, signed_all, again, photo;
};

/* The newest version of a signable policy and its title (English first). */
struct records_document {
	const char *slug, *version, *title;
};

/* The dashboard: every signable policy, the progress per class and in total. */
int records_dashboard(struct db *, struct arena *a, struct records_document **docs, size_t *ndocs,
                      struct records_progress **classes, size_t *nclasses,
                      struct records_progress *total);

/* A class attended by current children. */
struct records_class {
	const char *name;
	long long children;
};
int records_classes(struct db *, struct arena *a, struct records_class **, size_t *n);

/* 1 when some policy version can be signed, 0 when none, -1 on error. */
int records_has_documents(struct db *);

/* A family's own row. left_on and token_issued are NULL when absent. */
struct records_family {
	const char *ref, *carers, *language, *left_on, *token_issued;
	long long tokens_revoked;
};
/* A child of the family, current ones first; left_on NULL while attending. */
struct records_child {
	long long id;
	const char *ref, *first_name, *last_name, *class_name, *left_on;
};
/* The family fid and its children. Returns 1 when it exists, 0 when not, -1 on error. */
int records_family(struct db *, struct arena *a, long long fid, struct records_family *f,
                   struct records_child **children, size_t *nchildren);

/* A signable policy as it stands for a family; signed_version NULL when never signed;
 * langs the languages its current version was published in (English first). */
struct records_declaration {
	const char *slug, *version, *title, *signed_version;
	int needs_sign, sign_again;
	const char **langs;
	size_t nlangs;
};
/* A signature the family holds. */
struct records_signature {
	const char *signer, *title, *version, *lang, *at, *channel, *staff;
};
int records_declarations(struct db *, struct arena *a, long long fid,
                         struct records_declaration **decls, size_t *ndecls,
                         struct records_signature **sigs, size_t *nsigs);

/* A purpose, in the catalog's order. */
struct records_purpose {
	const char *id;
	int public_task;
};
int records_purposes(struct db *, struct arena *a, struct records_purpose **, size_t *n);

/* What applies to one current child for one purpose (the effective view), by child then
 * purpose in the catalog's order: child is the first name (records_family_grid) or the
 * full name (records_class_grid). */
struct records_cell {
	long long child_id;
	const char *child, *purpose;
	int permitted, answers, public_task;
};
int records_family_grid(struct db *, struct arena *a, long long fid, struct records_cell **,
                        size_t *n);
/* The same for the current children of class class_name, by first and last name. */
int records_class_grid(struct db *, struct arena *a, const char *class_name, struct records_cell **,
                       size_t *n);

/* Every answer a carer gave for a child of the family, left children too. */
struct records_answer {
	const char *child, *purpose, *signer, *answer, *at, *channel, *staff;
};
int records_answers(struct db *, struct arena *a, long long fid, struct records_answer **,
                    size_t *n);

/* The family's events, newest first; document is "slug version (lang)" or "". */
struct records_event {
	long long id;
	const char *at, *kind, *child, *purpose, *answer, *document, *signer, *channel, *staff,
	    *detail;
};
int records_history(struct db *, struct arena *a, long long fid, struct records_event **,
                    size_t *n);

/* The id of the current version of slug in lang, 0 when there is none, -1 on error. */
long long records_current_document(struct db *, const char *slug, const char *lang);

#endif
