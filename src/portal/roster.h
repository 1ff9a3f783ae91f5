/* roster: the families and children the school imports, their access tokens, and the
 * purge of those who left.
 *
 * Families CSV (DESIGN.md): a header row, then one row per child. Columns are matched by
 * name against the export columns of SIMS, Arbor, Bromcom and the project's own format
 * (mis.h): child_ref, first_name, last_name, class are required; family_ref, carers and
 * language (English/Welsh in any of their usual spellings, mis_language) are optional;
 * any other column is ignored. UTF-8 with or without a BOM, CRLF or LF, RFC 4180 quoting
 * (csv.h). Values are trimmed, and each run of spaces, tabs and line breaks inside a
 * value is one space: a line break is never a second carer (";" or a second carer
 * column is).
 *
 * The import is all or nothing: every row is checked first, and when any is bad each bad
 * row is reported as "FILE:LINE: message" and the database is not changed. Otherwise one
 * transaction adds and updates families and children; a child missing from the file is
 * marked as left (child.left_on = today), not deleted, and is back when a later file has
 * it again; a family whose children have all left is marked as left too.
 *
 * Decisions:
 * - A child's family_ref may not change silently: a child already in the database under
 *   another family is an error, unless ROSTER_MOVE is given. Then the child moves, and
 *   the answers the old family's carers gave for the child are removed from the current
 *   answers (the event log keeps them) so the new family answers afresh and does not see
 *   the old family's names.
 * - Rows of one family with a family_ref must agree on carers and language; an empty
 *   value takes the family's value from its other rows. A family formed from siblings'
 *   shared contact takes every carer its rows name, and Welsh when any row says so.
 * - A value the file does not give keeps what the database holds (roster_import_opts).
 * - A file with a header but no rows is refused: it would mark every child as left.
 *
 * Tokens: 128-bit random tokens (token.h); only their SHA-256 is stored, so a token is
 * seen only when it is issued. A family has at most one live (not revoked) token. */
#ifndef ROSTER_H
#define ROSTER_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "db.h"
#include "token.h"

#define ROSTER_MAX_REF 40     /* refs are [A-Za-z0-9_-]{1,40} */
#define ROSTER_MAX_NAME 100   /* bytes in a first name, last name or class */
#define ROSTER_MAX_CARERS 500 /* bytes in the carers field */
#define ROSTER_MAX_ROWS 100000
#define ROSTER_MAX_URL 200    /* bytes in a base URL */
#define ROSTER_MAX_REPORT 200 /* problems listed; a count of the rest follows */

/* roster_import flags. */
#define ROSTER_MOVE 1          /* allow a child to move to another family (see above) */
#define ROSTER_DRY_RUN 2       /* report the plan, change nothing */
#define ROSTER_ALLOW_LEAVERS 4 /* allow an import that marks many children as left */

/* An import that would mark more than ROSTER_LEAVERS_PERCENT % of the current children,
 * and at least ROSTER_LEAVERS_MIN, as left is refused without ROSTER_ALLOW_LEAVERS: a
 * partial file (one class, one new family) must not make the rest of the school leave. */
#define ROSTER_LEAVERS_PERCENT 10
#define ROSTER_LEAVERS_MIN 3

struct roster_counts {
	long families_added, families_updated, families_unchanged;
	long families_left, families_returned;
	long children_added, children_updated, children_unchanged;
	long children_left, children_returned, children_moved;
	long children_class;    /* updated children whose class changed */
	long families_carers;   /* updated families whose carers changed */
	long families_language; /* ... whose language changed */
};

struct roster_opts {
	const char *today;       /* "YYYY-MM-DD" */
	unsigned flags;          /* ROSTER_* */
	const char *map;         /* --map "field=Header,..." (mis.h), NULL for none */
	const char *staff;       /* the staff user who confirmed it in the office, or NULL */
	const char *sha256;      /* hex SHA-256 of the file, recorded in the event, or NULL */
	const char *upload_hash; /* the office upload being confirmed (roster_upload_put):
	                          * taken in the import's transaction, so it applies once */
};

/* Imports the families CSV (len bytes at csv; name is used in messages as FILE). today
 * is "YYYY-MM-DD". Records one `import` event with the counts (no personal data).
 * Returns 0 with the counts filled in and a two-line summary appended to report; 1 when
 * the file has bad rows, with one "FILE:LINE: message" line per problem (in line order,
 * the first ROSTER_MAX_REPORT, then "FILE: N more problems not shown") appended to
 * report and nothing changed; -1 on a database error (message in report, nothing
 * changed). */
int roster_import(struct db *, const char *name, const char *csv, size_t len, const char *today,
                  unsigned flags, struct roster_counts *counts, struct buf *report);

/* roster_import with every option. The columns may be any export mis.h recognises;
 * rows without a family reference are grouped into families by their primary contact
 * (the reference "FAM-" and 10 characters derived from the contact with a key kept in
 * the database, so the same contact gives the same family in every export). A field the
 * file does not give (no carers or language column, or an empty value for the whole
 * family) keeps what the database holds. Every run writes into report: notes (language
 * values that are neither English nor Welsh, families formed and who shares one), one
 * plan line per change (families and children added, updated, moved between classes or
 * families, left, back; carers and languages changed), then the counts.
 * With ROSTER_DRY_RUN the import runs in a transaction that is rolled back: the plan is
 * exactly what a real import would do. Returns 0; 1 when the file has problems or too
 * many children would leave (see ROSTER_LEAVERS_PERCENT; the report names how many and
 * the first few, and with ROSTER_DRY_RUN then gives the whole plan), nothing changed; 2 when opt->upload_hash was taken already (confirmed
 * twice), nothing changed; -1 on a database error. */
int roster_import_opts(struct db *, const char *name, const char *csv, size_t len,
                       const struct roster_opts *opt, struct roster_counts *counts,
                       struct buf *report);

/* Uploads waiting for confirmation in the office (table upload). */
#define ROSTER_UPLOAD_MAX_AGE 3600 /* seconds an upload waits before it is forgotten */

/* Keeps the file for confirmation by staff, after deleting uploads older than
 * ROSTER_UPLOAD_MAX_AGE. Writes a new once-only value (a token: only its hash is stored)
 * to once. Returns 0 or -1. */
int roster_upload_put(struct db *, const char *staff, const char *name, const char *data,
                      size_t len, int allow_leavers, char once[TOKEN_LEN + 1]);

struct roster_upload {
	char hash[TOKEN_HEX_LEN + 1]; /* pass as roster_opts.upload_hash */
	char sha256[TOKEN_HEX_LEN + 1];
	const char *name;
	const char *data; /* len bytes and a NUL, in the caller's arena */
	size_t len;
	int allow_leavers;
};

/* The upload of this once-only value made by staff, not yet confirmed and not too old.
 * Returns 1 with u filled (strings in a), 0 when there is none, -1 on error. */
int roster_upload_get(struct db *, const char *staff, const char *once, struct arena *a,
                      struct roster_upload *u);

/* The id of the family with this ref, 0 when there is none, -1 on a database error.
 * When left is not NULL it is set to 1 when the family has left, else 0. */
long long roster_family_id(struct db *, const char *ref, int *left);

/* Issues a new token for the family and writes it to out. Runs inside the caller's
 * transaction (db_begin): show the token to anyone only after db_commit succeeded.
 * With reissue, the family's live tokens are revoked first. Without it, a family that
 * already has a live token gets none. Appends a `token` event (detail "issued" or
 * "reissued"; never the token) with channel "system", or "office" and the staff user's
 * name when staff is not NULL. Returns 1 when a token was issued, 0 when none was
 * (out ""), -1 on a database error. */
int roster_issue_token(struct db *, long long family_id, int reissue, const char *staff,
                       char out[TOKEN_LEN + 1]);

/* The family a token from a link belongs to: the token is normalised (token_parse),
 * hashed, and looked up among live tokens. Returns the family id, 0 when the token is
 * malformed, unknown or revoked, or -1 on a database error. */
long long roster_family_by_token(struct db *, const char *token);

/* 1 when url is a usable base URL: http:// or https://, a host, an optional path, no
 * query, fragment, spaces or control characters, at most ROSTER_MAX_URL bytes. */
int roster_base_url_valid(const char *url);

/* Appends base_url (trailing '/' dropped) + "/sign/" + token to out. With upper, the
 * scheme, host, "/SIGN/" and token are written in upper case so that a QR code can use
 * alphanumeric mode; a path inside base_url keeps its case (paths are case-sensitive).
 * The web server routes both /sign/ and /SIGN/ to the parent portal. Returns 0, or -1
 * (nothing appended) when base_url is not valid or token is not a canonical token. */
int roster_sign_url(struct buf *out, const char *base_url, const char *token, int upper);

struct roster_purge_counts {
	long families, children, answers, signatures, tokens, events_cleared;
	long uploads; /* office uploads older than ROSTER_UPLOAD_MAX_AGE, deleted */
};

/* Deletes the personal data of everyone who left before `before` (YYYY-MM-DD): families
 * whose left_on is earlier (their children, answers, signatures and tokens), and
 * children who left earlier from families that remain (their answers). Events that
 * named them keep their place in the chain: only their `signer` is cleared, which the
 * chain does not cover. Office uploads not confirmed within ROSTER_UPLOAD_MAX_AGE are
 * deleted too, and the search index is rebuilt without the purged names. Appends one
 * `purge` event with the counts. One transaction.
 * Returns 0, or -1 with a message in err and nothing changed. */
int roster_purge(struct db *, const char *before, struct roster_purge_counts *, struct buf *err);

#endif
