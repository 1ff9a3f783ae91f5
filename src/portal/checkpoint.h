/* checkpoint: signed checkpoints of the event log, so that truncating the log or
 * rewriting it (and every later hash) since a checkpoint was handed out is found.
 *
 * A checkpoint is a C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint) in the
 * C2SP signed-note format (https://c2sp.org/signed-note):
 *
 *   <origin>\n                   the key's name, e.g. "cwmderw.example/consent-log"
 *   <number of events>\n         decimal
 *   <base64 of the head hash>\n  the 32-byte hash of the last event (32 zero bytes when
 *                                the log is empty); the event chain is the "tree"
 *   \n
 *   — <name> <base64(key id || signature)>\n
 *
 * where the signature is Ed25519 (libsodium crypto_sign) over the three lines before the
 * blank line, and the key id is the first 4 bytes of SHA-256(name || 0x0A || 0x01 ||
 * public key). A checkpoint of n events is a prefix of today's log when today's event n
 * has the same hash: the chain then proves every event up to n is as it was.
 *
 * The signing key lives in a file beside the database (CHECKPOINT_KEY_SUFFIX), mode
 * 0600, in the form Go's golang.org/x/mod/sumdb/note uses:
 *   PRIVATE+KEY+<name>+<key id, 8 hex digits>+<base64(0x01 || 32-byte Ed25519 seed)>
 * and its public verifier key, which a school hands to governors or an auditor, is
 *   <name>+<key id>+<base64(0x01 || 32-byte public key)>
 *
 * Functions return 0 on success and -1 with a message in err (what, where, what to do)
 * unless they say otherwise; they never exit. */
#ifndef CHECKPOINT_H
#define CHECKPOINT_H

#include <sodium.h>
#include <stdint.h>

#include "buf.h"
#include "db.h"

#define CHECKPOINT_KEY_SUFFIX ".checkpoint-key" /* beside the database: DB + this */
#define CHECKPOINT_NAME_MAX 128                 /* bytes of a key name */
#define CHECKPOINT_MAX (64 * 1024)              /* bytes of a checkpoint file read */

struct checkpoint_key {
	char name[CHECKPOINT_NAME_MAX + 1];
	uint32_t id;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk[crypto_sign_SECRETKEYBYTES]; /* all zero in a verifier-only key */
	int has_sk;
};

/* The default key file of the database at db_path: db_path + CHECKPOINT_KEY_SUFFIX. */
void checkpoint_key_path(struct buf *out, const char *db_path);

/* 1 when name is a usable key name: 1..CHECKPOINT_NAME_MAX bytes of printable ASCII
 * other than space and '+'. */
int checkpoint_name_valid(const char *name);

/* The key name (and checkpoint origin) for a portal at base_url: its host and path and
 * "/consent-log", e.g. "cwmderw.example/consent-log"; "consent-log" when base_url is
 * NULL or not usable. */
void checkpoint_origin(char out[CHECKPOINT_NAME_MAX + 1], const char *base_url);

/* Makes a new Ed25519 key called name and writes it to path (created with mode 0600;
 * never overwritten). Returns 0 when made, 1 when path exists already (kept), -1. */
int checkpoint_key_make(const char *path, const char *name, struct buf *err);

/* Reads a private key file (as checkpoint_key_make writes) into k. Returns 0 or -1. The
 * caller wipes k with sodium_memzero when done. */
int checkpoint_key_load(const char *path, struct checkpoint_key *k, struct buf *err);

/* Parses a verifier key "<name>+<id>+<base64>" into k (has_sk 0). Returns 0 or -1. */
int checkpoint_verifier_parse(const char *text, struct checkpoint_key *k, struct buf *err);

/* Appends k's verifier key (one line, no newline) to out. */
void checkpoint_verifier(const struct checkpoint_key *k, struct buf *out);

/* The number of events and the head hash (32 bytes) of the log now. Returns 0 or -1. */
int checkpoint_head(struct db *, long long *size, unsigned char hash[32]);

/* Appends a signed checkpoint of the log now, signed with k (which needs has_sk), to out.
 * Returns 0 or -1. */
int checkpoint_sign(struct db *, const struct checkpoint_key *k, struct buf *out,
                    struct buf *err);

/* Checks the checkpoint text (len bytes, from file name for messages) against k and
 * today's log: it must be well formed, carry a valid signature by k, name k as its
 * origin, and be a prefix of today's log. Appends one line per problem (or "ok: ...")
 * to report. Returns 0 when it holds, 1 when a problem was found, -1 when the check
 * could not run (err). */
int checkpoint_check(struct db *, const struct checkpoint_key *k, const char *name,
                     const char *text, size_t len, struct buf *report, struct buf *err);

#endif
