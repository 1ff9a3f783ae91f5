/* roster: the families and children the school imports, their access tokens, and the
 * purge of those who left.
 *
 * Families CSV (DESIGN.md): a header row, then one row per child. Columns are matched by
 * name, ignoring case and surrounding spaces: family_ref, child_ref, first_name,
 * last_name, class are required; carers and language (en or cy; empty means en) are
 * optional; any other column is ignored. UTF-8 with or without a BOM, CRLF or LF, RFC 4180
 * quoting (csv.h). Values are trimmed of surrounding spaces and must be single lines,
 * except carers, where a line break separates two carers (it becomes "; ").
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
 * - Rows of one family must agree on carers and language; an empty value takes the
 *   family's value from its other rows.
 * - A file with a header but no rows is refused: it would mark every child as left.
 *
 * Tokens: 128-bit random tokens (token.h); only their SHA-256 is stored, so a token is
 * seen only when it is issued. A family has at most one live (not revoked) token. */
#ifndef ROSTER_H
#define ROSTER_H

#include <stddef.h>

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
#define ROSTER_MOVE 1 /* allow a child to move to another family (see above) */

struct roster_counts {
	long families_added, families_updated, families_unchanged;
	long families_left, families_returned;
	long children_added, children_updated, children_unchanged;
	long children_left, children_returned, children_moved;
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
};

/* Deletes the personal data of everyone who left before `before` (YYYY-MM-DD): families
 * whose left_on is earlier (their children, answers, signatures and tokens), and
 * children who left earlier from families that remain (their answers). Events that
 * named them keep their place in the chain: only their `signer` is cleared, which the
 * chain does not cover. Appends one `purge` event with the counts. One transaction.
 * Returns 0, or -1 with a message in err and nothing changed. */
int roster_purge(struct db *, const char *before, struct roster_purge_counts *, struct buf *err);

#endif
