/* db: the consent database. One SQLite file in WAL mode with synchronous=FULL, foreign
 * keys on and SQLITE_DBCONFIG_DEFENSIVE; the schema is a list of numbered migrations
 * (db.c) applied by db_migrate().
 *
 * Every statement is a constant string prepared once per connection (db_stmt) and filled
 * only with sqlite3_bind_*. Writes happen inside db_begin()/db_commit(), which take the
 * write lock at once (BEGIN IMMEDIATE) and wait for it with a busy timeout, so a parent
 * never sees SQLITE_BUSY.
 *
 * The event table is an append-only log: each event carries the hash of the one before,
 * so db_verify() detects any change, insertion or removal. Triggers refuse UPDATE and
 * DELETE on it, except clearing `signer` and `salt` (personal data) when a family is
 * purged: the chain covers signer_hash, not the name; an event-v2 signer_hash is salted,
 * so once the salt is gone the name cannot be found by guessing (docs/evidence.md). */
#ifndef DB_H
#define DB_H

#include <sqlite3.h>

#include "arena.h"
#include "buf.h"

#define DB_BUSY_MS 10000 /* how long a writer waits for the lock */
#define DB_HASH_HEX 64

struct db;

enum db_open_mode { DB_OPEN_EXISTING, DB_OPEN_CREATE, DB_OPEN_READONLY };

/* Opens path. DB_OPEN_EXISTING and DB_OPEN_READONLY fail when the file does not exist or
 * its schema is older than this program's (run `consentctl init` to upgrade). Returns
 * NULL with a message in err. */
struct db *db_open(const char *path, enum db_open_mode, struct buf *err);
void db_close(struct db *);
sqlite3 *db_sqlite(struct db *);

/* Applies the migrations the file does not have yet, each in its own transaction.
 * Returns the number applied, or -1 with a message in err. */
int db_migrate(struct db *, struct buf *err);
/* The schema version this program expects, and the file's. */
int db_schema_version(void);
int db_file_version(struct db *);

/* The prepared statement for sql, which must be a string constant (it is cached by its
 * address). Reset and cleared, ready to bind. NULL on error (see db_errmsg). */
sqlite3_stmt *db_stmt(struct db *, const char *sql);
const char *db_errmsg(struct db *);

/* Transactions. db_begin takes the write lock (BEGIN IMMEDIATE). Each returns 0 or -1.
 * db_begin first ends a read transaction of db_read_begin that is still open. */
int db_begin(struct db *);
int db_commit(struct db *);
void db_rollback(struct db *);

/* A read transaction: the statements until the matching db_read_end see one moment of
 * the database (one WAL snapshot) and take SQLite's locks once instead of once each.
 * Calls nest (the outermost pair opens and ends it); inside a write transaction they
 * do nothing. A db_begin in between ends it (a write needs the newest snapshot); the
 * statements after that run each in its own moment again. db_read_begin returns 0 or -1
 * (and then needs no db_read_end). */
int db_read_begin(struct db *);
void db_read_end(struct db *);

/* Runs a statement to completion with no result rows expected; returns 0 or -1. */
int db_exec_stmt(sqlite3_stmt *);

/* Steps a statement (bound by the caller) for one row and resets it: 1 when there was a
 * row, 0 when none, -1 on error (st NULL too). For "does it exist" queries. */
int db_exists(sqlite3_stmt *);

/* Column i of the current row as text, "" for NULL: valid until the statement moves on. */
const char *db_col_text(sqlite3_stmt *, int i);
/* The same copied into a; NULL when out of memory. */
const char *db_col_dup(struct arena *, sqlite3_stmt *, int i);

/* For arrays of result rows that grow in an arena (each row read once): a copy of the n
 * elements of size bytes at old in twice the room (zeroed beyond n), *cap updated, or
 * NULL when out of memory. The old copy stays in the arena until it is reset. */
void *db_grow(struct arena *, const void *old, size_t n, size_t size, size_t *cap);
/* Fills one result row's struct from the current row of st (strings copied into a). */
typedef void db_fill_fn(void *row, sqlite3_stmt *st, struct arena *a);
/* Steps st (prepared and bound by the caller) to its end: for each row a zeroed element of
 * size bytes is added to an array in a and given to fill. Resets st. Sets *rows (NULL
 * when there is none) and *n, and returns 0; -1 when st is NULL, on a database error or
 * when out of memory. */
int db_rows(sqlite3_stmt *st, struct arena *a, size_t size, db_fill_fn *fill, void **rows,
            size_t *n);

/* A new zeroed element at the end of array arr holding n elements in room for cap (all
 * three lvalues; arr lives in arena a), n counted; NULL when out of memory. */
#define DB_PUSH(a, arr, n, cap)                                                                    \
	((n) == (cap) && ((arr) = db_grow((a), (arr), (n), sizeof *(arr), &(cap))) == NULL         \
	     ? NULL                                                                                \
	     : &(arr)[(n)++])

/* The current time, UTC, as "2026-11-21T09:30:00Z" (out holds 21 bytes). */
void db_now(char out[21]);

/* One event for the log. NULL or 0 means absent. */
struct db_event {
	const char *kind;    /* sign, answer, import, token, paper, purge, staff, ... */
	long long family_id; /* 0: none */
	long long child_id;
	const char *purpose;
	const char *answer;
	long long document_id;
	const char *signer;  /* typed name of the carer */
	const char *channel; /* qr, paper, office, system */
	const char *staff;   /* username of the staff user, for paper and office */
	const char *detail;  /* free text with no personal data, e.g. counts */
	const char *data;    /* facts the event proves about the tables, no personal data:
	                        "hash=<token hash>", "pwhash-sha256=<hex>", ... (hashed) */
};

#define DB_SALT_BYTES 16 /* random bytes of an event's salt */

/* Appends e to the log inside the caller's transaction, chaining it to the last event.
 * Returns the new event's id, or -1. */
long long db_event_append(struct db *, const struct db_event *e);
/* The same, also giving the event's time (at, 21 bytes) and hash (65 bytes) as written,
 * so the caller need not read them back; either may be NULL. */
long long db_event_append_at(struct db *, const struct db_event *e, char at[21],
                             char hash[DB_HASH_HEX + 1]);

/* The columns of an event in the order db_event_hash_at reads them. */
#define DB_EVENT_COLUMNS                                                                           \
	"id, at, kind, family_id, child_id, purpose, answer, document_id, signer,"                 \
	" signer_hash, channel, staff, detail, prev, hash, v, salt, data"

/* Recomputes the hash of the event in the current row of a statement that selects
 * DB_EVENT_COLUMNS, by the event's own version (column v: NULL event-v1, 2 event-v2;
 * docs/evidence.md). With canon not NULL, a v2 event's canonical encoding (the exact
 * bytes hashed) is appended to it. Returns the version, or -1 when it is unknown. */
int db_event_hash_at(sqlite3_stmt *, char out[DB_HASH_HEX + 1], struct buf *canon);

/* Checks PRAGMA integrity_check, foreign keys and the whole event chain. Appends a report
 * (one line per problem, or a summary) to out. Returns 0 when all is well, 1 when a
 * problem was found, -1 when the check could not run. */
int db_verify(struct db *, struct buf *out);

/* Online backup of the open database to path (SQLite backup API), safe while other
 * processes read and write. Returns 0 or -1 with a message in err. */
int db_backup(struct db *, const char *path, struct buf *err);

#endif
