/* export: the office's lists as CSV, for `consentctl export` and office downloads.
 *
 * Every export is RFC 4180 CSV with a header row, UTF-8 with a byte order mark (so that
 * spreadsheet programs show Welsh letters), CRLF line ends, and every cell written with
 * csv_cell, which neutralises cells a spreadsheet could run as a formula. Rows are in a
 * fixed order, so the same database gives the same file:
 *
 *   declarations  one row per signature: family_ref, carers, signer, policy, version,
 *                 language, signed_at, channel (qr, paper, ...), staff (for paper).
 *                 Ordered by the family's first child (class, last name, first name),
 *                 then family_ref, policy, version, signed_at, signer.
 *   photo         one row per current child and purpose: class, child_ref, first_name,
 *                 last_name, purpose, basis, permitted (yes/no: the most restrictive
 *                 answer of the child's carers, view `effective`), answers (how many carers
 *                 answered), as_at (when the list was made). Ordered by class, last name,
 *                 first name, child_ref, then the purposes' order in consent.yaml.
 *   outstanding   one row per current family still to answer: families that need to sign
 *                 a policy (view declaration_status) or have a current child with a
 *                 'consent' purpose nobody answered (view photo_missing): family_ref,
 *                 carers, language, children ("first last (class)"; ...), to_sign
 *                 ("slug version"; ...), sign_again (yes when a signature of an older
 *                 version no longer counts), photo_unanswered ("first name: purpose,
 *                 purpose"; ...). Ordered by the family's first child (class, last name,
 *                 first name), then family_ref.
 *
 * Each export is read in one read transaction, so it is consistent while the portal
 * writes. Left children and families are not in photo or outstanding; declarations lists
 * every signature still held (until `consentctl purge`). */
#ifndef EXPORT_H
#define EXPORT_H

#include "buf.h"
#include "db.h"

enum export_kind { EXPORT_DECLARATIONS, EXPORT_PHOTO, EXPORT_OUTSTANDING, EXPORT__MAX };

/* "declarations", "photo", "outstanding". */
extern const char *const export_names[EXPORT__MAX];

/* The export with this name, or -1. */
int export_kind(const char *name);

/* Appends the whole CSV for kind to out. as_at is the time written in the photo list
 * ("2026-11-21T09:30:00Z"); NULL means now. Returns the number of data rows, or -1 with
 * a message in err (out may then hold part of the file: discard it). */
long export_csv(struct db *, enum export_kind kind, const char *as_at, struct buf *out,
                struct buf *err);

#endif
