/* evidence: what the office shows and prints to prove one submission (a parent's
 * confirmation, a paper form, a withdrawal): who, when, how it came, the exact text
 * signed, each answer, and each event with its hash and (event-v2) the exact bytes that
 * were hashed, so anyone can recompute it (docs/evidence.md).
 *
 * All memory handed out lives in the caller's arena. */
#ifndef EVIDENCE_H
#define EVIDENCE_H

#include <stddef.h>

#include "arena.h"
#include "consent.h"
#include "db.h"

struct evidence_event {
	long long id;
	const char *at, *kind;
	const char *child, *child_ref;    /* "" unless an answer or withdrawal */
	const char *purpose, *answer;     /* "" when none */
	const char *slug, *title, *version, *lang, *sha256; /* the document signed, or "" */
	const char *prev, *hash;          /* as stored */
	int version_no;                   /* 1 event-v1, 2 event-v2 */
	const char *canon;                /* event-v2: the exact bytes hashed; "" for v1 */
	int hash_ok;                      /* the stored hash is the hash recomputed now */
	int item; /* 1: not an event of its own but one entry (kind "sign" or "answer") of the
	             data of the "submission" event id before it, which holds the hash */
};

struct evidence {
	char ref[CONSENT_REF_MAX]; /* "1042-7F3A" */
	const char *family_ref;
	const char *at;
	const char *signer;  /* NULL: a withdrawal through the link, or purged */
	const char *channel; /* qr, paper */
	const char *staff;   /* the staff user for paper, else NULL */
	struct evidence_event *events;
	size_t nevents;
	long long log_size; /* events in the log now */
};

/* The submission whose first event is first_id: its events in order, each "submission"
 * event followed by one item per document signed and answer in its data, when it is family_id's. Returns 0 with
 * *out, 1 when there is no such submission for the family, -1 on a database error. */
int evidence_load(struct db *, struct arena *, long long family_id, long long first_id,
                  struct evidence **out);

#endif
