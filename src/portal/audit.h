/* audit: the second half of `consentctl verify`. db_verify proves the event log is
 * intact; audit_tables proves the tables every page, export and no-photo sheet reads
 * say what the log says. It rebuilds them from the events, in temporary tables, and
 * compares:
 *
 *   answer, signature   replayed from sign, answer, withdraw and move events (a purged
 *                       family's rows, whose names the log no longer holds, are gone)
 *   token               from token events (event-v2 carry the token's hash) and the
 *                       baseline recorded when an older database was upgraded
 *   staff               from staff events (added, password set or rehashed, disabled,
 *                       enabled; event-v2 carry SHA-256 of the password hash)
 *   secret              from secret events (SHA-256 of each secret)
 *   family, child       the roster's digest (audit_roster_digest) recorded by the last
 *                       import, purge or baseline event
 *   document, purpose   the catalog's digest recorded by the last sync event
 *
 * Each difference is one line "<table> <key>: expected <what>, found <what>". What is not
 * derived from events, and why, is in docs/evidence.md (the household language a parent
 * chooses, sessions, throttle counts, once-only values).
 *
 * Functions return 0 on success and -1 on a database error (db_errmsg). */
#ifndef AUDIT_H
#define AUDIT_H

#include "buf.h"
#include "db.h"

#define AUDIT_DIGEST_HEX 64

/* The SHA-256, in hex, of the family and child tables as the roster left them: every
 * family's id, ref, carers and left_on, every child's id, family, ref, names, class and
 * left_on (not the household language, which parents change). */
int audit_roster_digest(struct db *, char out[AUDIT_DIGEST_HEX + 1]);

/* The SHA-256, in hex, of the document and purpose tables (every column). */
int audit_catalog_digest(struct db *, char out[AUDIT_DIGEST_HEX + 1]);

/* Appends a `sync` event with the catalog's digest, inside the caller's transaction,
 * when it differs from the last one recorded (catalog_sync calls it). Returns 0 or -1. */
int audit_catalog_record(struct db *);

/* The event data line for a secret's value: "secret=<name> sha256=<hex>". */
void audit_secret_data(struct buf *out, const char *name, const void *value, size_t len);

/* The event data for a staff password hash: "pwhash-sha256=<hex>". */
void audit_pwhash_data(struct buf *out, const char *pwhash);

/* Appends a `baseline` event inside the caller's transaction: the facts event-v1 did not
 * record (each token's hash and times, each staff account's state and password digest,
 * each secret's digest, the roster digest), as they are now. consentctl init writes one
 * when it upgrades a database that has events from before event-v2. Returns 0 or -1. */
int audit_baseline(struct db *);

/* Rebuilds the tables from the log and compares (see above), appending one line per
 * difference to out. Returns 0 when they agree, 1 when a difference was found, -1 on a
 * database error. */
int audit_tables(struct db *, struct buf *out);

#endif
