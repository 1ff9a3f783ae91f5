/* consent: the parents' side of the consent database, for the portal (sign.fcgi).
 *
 * A family is reached only through its token (consent_lookup), which is rate-limited per
 * client address. consent_load gathers what the family's page shows: the children who
 * still attend, the photo purposes on offer, the current version of each signable
 * document with the signatures that still count for it, every carer's answers and the
 * answer that applies (the most restrictive: what the view `effective` says, computed
 * from the answers read; whether to sign (again) likewise is `declaration_status`'s).
 *
 * A carer is the person who typed a name: the name, trimmed and with runs of spaces
 * made one, is what is shown; folded to ASCII lower case it is the carer's key
 * (consent_signer_key), so "Siân  Jones" and "siân jones" are one carer who signs once
 * and whose later answers replace their earlier ones, while "Gareth Jones" is another
 * carer whose answers are kept beside them.
 *
 * consent_record and consent_withdraw write in one transaction each: an event in the
 * hash-chained log (db_event_append) for every signature and answer, and the rows of
 * the signature and answer tables, or nothing at all. Each such submission has a
 * reference "<first event id>-<first 4 hex digits of its hash>", e.g. "1042-7F3A":
 * the office finds the submission by the number, and the suffix catches a mistyped one.
 * Every event of a submission carries the detail "submission <first event id>".
 *
 * All memory handed out lives in the caller's arena. Functions returning int give 0 on
 * success and -1 on a database error (with db_errmsg) unless they say otherwise. */
#ifndef CONSENT_H
#define CONSENT_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "catalog.h"
#include "db.h"
#include "token.h"

#define CONSENT_NAME_MAX 100        /* bytes in a typed name */
#define CONSENT_THROTTLE_LIMIT 20   /* failed token look-ups per address ... */
#define CONSENT_THROTTLE_WINDOW 600 /* ... within this many seconds */
#define CONSENT_REF_MAX 32          /* bytes of a reference with its NUL */
#define CONSENT_ADDR_MAX 64         /* bytes of a client address used as a throttle key */
#define CONSENT_CHECK_CHILDREN 64   /* a submission's children checked from one list */

enum consent_lookup {
	CONSENT_FOUND,
	CONSENT_UNKNOWN,   /* malformed, never issued or revoked: on purpose one answer */
	CONSENT_THROTTLED, /* too many failed look-ups from this address: refused unread */
	CONSENT_LEFT,      /* a live token of a family that has left: "contact the school" */
	CONSENT_DBERR,
};

/* Finds the family whose live (not revoked) token is token (roster_family_by_token),
 * for a client at addr ("" allowed). While addr has CONSENT_THROTTLE_LIMIT failures in the current
 * window every look-up is refused, even with a good token; each failure counts one, in the throttle
 * table under "token:<addr>". A success does not clear the count (a parent's own token
 * must not reset a guesser's). now is Unix seconds. Sets *family_id on CONSENT_FOUND and
 * CONSENT_LEFT; a family whose every child has left (family.left_on) gets CONSENT_LEFT,
 * and nothing of it is shown or changed through the link until an import brings it back. */
enum consent_lookup consent_lookup(struct db *, const char *token, const char *addr, long long now,
                                   long long *family_id);
/* consent_lookup that also gives the household's stored language (consent_language) into
 * lang when lang is not NULL: "en" or "cy", "en" when the family is not found. */
enum consent_lookup consent_lookup_lang(struct db *, const char *token, const char *addr,
                                        long long now, long long *family_id, char lang[3]);
/* consent_lookup_lang given the token's hash (token_hash_hex: "" for a malformed token,
 * which counts as a failure), for a caller that needs the hash again. */
enum consent_lookup consent_lookup_hash(struct db *, const char *hash, const char *addr,
                                        long long now, long long *family_id, char lang[3]);

/* The portal's CSRF key: the 32-byte secret called 'csrf', made from the CSPRNG and
 * stored the first time. Returns 0 or -1. */
int consent_csrf_key(struct db *, unsigned char key[TOKEN_KEY_LEN]);
/* The portal's secret key called name ("csrf" for forms, "family" for the references of
 * families formed from a shared contact), made from the system's random source with its
 * `secret` event the first time it is asked for (in a transaction of its own, so not
 * inside another). Returns 0, or -1 on a database error or a stored key of the wrong
 * size. */
int consent_secret_key(struct db *, const char *name, unsigned char key[TOKEN_KEY_LEN]);

/* Appends a `secret` event for a secret just made (its SHA-256, never the value), inside
 * the caller's transaction. Returns 0 or -1. */
int consent_secret_event(struct db *, const char *name, const void *value, size_t len);

/* Checks a typed name: 1..CONSENT_NAME_MAX bytes of single-line UTF-8 (utf8_valid_line)
 * with something other than spaces in it. Writes its display form (trimmed, each run of
 * spaces and tabs one space) into show and its key (show in ASCII lower case) into key;
 * each holds CONSENT_NAME_MAX + 1 bytes. Returns CONSENT_NAME_OK, or why not (show and
 * key are then ""); name NULL is CONSENT_NAME_EMPTY. Letters with diacritics,
 * apostrophes and hyphens are fine. */
enum consent_name {
	CONSENT_NAME_OK,
	CONSENT_NAME_EMPTY, /* nothing but spaces */
	CONSENT_NAME_LONG,  /* over CONSENT_NAME_MAX bytes */
	CONSENT_NAME_BAD,   /* not UTF-8, or a control character such as a line break */
	CONSENT_NAME_INVISIBLE, /* a character that is not seen but changes how the name
	                           looks or compares: bidirectional formatting (U+202E),
	                           zero-width and other format characters (U+200B, U+FEFF),
	                           C1 controls, line separators, fillers, tags */
};
enum consent_name consent_signer_key(const char *name, char show[CONSENT_NAME_MAX + 1],
                                     char key[CONSENT_NAME_MAX + 1]);

struct consent_child {
	long long id;
	const char *first_name;
	const char *class_name;
};

struct consent_purpose {
	const char *id;
	int public_task; /* basis public_task: applies unless a carer objects ("no") */
	const struct purpose_text *text; /* from the catalog */
};

/* A signature that counts for the current version of a document. */
struct consent_signer {
	const char *signer;  /* as typed (display form) */
	const char *at;      /* "2026-09-03T18:04:11Z" */
	const char *channel; /* qr, paper, ... */
	const char *version; /* the version signed: the current one, or an earlier one that
	                        no later version with resign replaced */
};

/* The current (latest) version of one signable document, in the language asked for when
 * it has that language, else in English, else in any. */
struct consent_doc {
	long long id;
	const char *slug, *version, *lang, *sha256, *title, *declaration;
	struct consent_signer *signers; /* oldest first; one per carer */
	size_t nsigners;
	int needs_sign; /* no signature counts (view declaration_status) */
	int sign_again; /* ... but one for an earlier version exists */
};

struct consent_answer {
	long long child_id;
	const char *purpose;
	const char *signer, *signer_key, *answer, *at, *channel;
};

/* What applies to a child and purpose, with several carers the most restrictive. */
struct consent_effective {
	int answers;   /* carers who answered */
	int permitted; /* the school may use photographs this way */
	int yes;       /* carers whose answer is yes */
};

struct consent_family {
	long long id;
	char language[3];               /* the household's stored choice, "en" or "cy" */
	struct consent_child *children; /* still attending, by first name */
	size_t nchildren;
	struct consent_purpose *purposes; /* in the database's order, those in the catalog */
	size_t npurposes;
	struct consent_doc *docs; /* by slug */
	size_t ndocs;
	struct consent_answer *answers; /* every carer's, by child, purpose, time */
	size_t nanswers;
	struct consent_effective *effective; /* [child index * npurposes + purpose index] */
	int answers_read; /* 0 only after consent_load_family without them: answers and
	                     effective NULL until consent_load_answers */
};

/* Loads family_id's page in lang ("en" or "cy"). cat gives the purposes' texts; a
 * purpose in the database but no longer in the catalog is not offered. Returns 0 with
 * *out, 1 when there is no such family, -1 on error. */
int consent_load(struct db *, struct arena *, const struct catalog *cat, long long family_id,
                 const char *lang, struct consent_family **out);

/* What consent_load reads the same for every family: the purposes on offer and the
 * current version of each document in each language. A program that loads many families
 * (sign.fcgi) keeps one cache and loads through consent_load_cached, which reads them
 * again only when the database has changed since: a commit by another connection (PRAGMA
 * data_version; a catalog_sync by the office or consentctl, or any answer) or a change
 * made through this one (sqlite3_total_changes), or when cat is another. */
struct consent_cache;
struct consent_cache *consent_cache_new(void); /* NULL when out of memory */
void consent_cache_free(struct consent_cache *);

/* consent_load with cache (NULL: none, as consent_load). The family's purposes and its
 * documents' slug, version, lang, sha256, title and declaration then point into the cache:
 * they stay valid until the next consent_load_cached with it, or consent_cache_free. */
int consent_load_cached(struct db *, struct consent_cache *, struct arena *,
                        const struct catalog *cat, long long family_id, const char *lang,
                        struct consent_family **out);

/* consent_load_cached, with the carers' answers only when with_answers is set: they are
 * most of the load (a row per carer, child and purpose), and a request that may not need
 * them (a confirm whose form answers every question) reads them later, if at all, with
 * consent_load_answers. */
int consent_load_family(struct db *, struct consent_cache *, struct arena *,
                        const struct catalog *cat, long long family_id, const char *lang,
                        int with_answers, struct consent_family **out);
/* Reads the answers (and what applies) of f, loaded without them, in a read transaction
 * of their own (or the caller's); nothing when f has them already. f's purposes must
 * still be valid (consent_load_cached). */
int consent_load_answers(struct db *, struct arena *, struct consent_family *f);

/* Look-ups in a loaded family: index, or -1. */
int consent_child_index(const struct consent_family *, long long child_id);
int consent_purpose_index(const struct consent_family *, const char *purpose);
int consent_doc_index(const struct consent_family *, long long document_id);
const struct consent_effective *consent_effective_at(const struct consent_family *, size_t child,
                                                     size_t purpose);

/* One answer in a submission. */
struct consent_item {
	long long child_id;
	const char *purpose;
	const char *answer; /* "yes" or "no" */
};

struct consent_submission {
	long long family_id;
	const char *signer;         /* the name as typed */
	const long long *documents; /* ids of current documents the carer ticked to sign */
	size_t ndocuments;
	const struct consent_item *items;
	size_t nitems;
	const char *channel;  /* "qr" from the portal, "paper" when the office enters it */
	const char *language; /* stored as the household's language; NULL leaves it */
	const char *staff;    /* the staff user who entered a paper answer; NULL from the
	                         portal. Recorded in the events and the rows. */
	const char *once;     /* the form's once-only value (token_once_new; the caller checks
	                         its MAC), or NULL: a submission whose value was recorded
	                         already is not recorded again, and its reference is given
	                         back */
};

/* Why a submission was refused; nothing is written for any of them. */
enum consent_err {
	CONSENT_OK,
	CONSENT_ERR_NAME,      /* the name fails consent_signer_key */
	CONSENT_ERR_CHILD,     /* not a current child of this family */
	CONSENT_ERR_PURPOSE,   /* no such purpose */
	CONSENT_ERR_ANSWER,    /* an answer other than yes or no */
	CONSENT_ERR_DOCUMENT,  /* not the current version of a signable document */
	CONSENT_ERR_DUPLICATE, /* the same child and purpose, or document, twice */
	CONSENT_ERR_NOTHING,   /* nothing to record (withdraw: no consent to withdraw) */
	CONSENT_ERR_DB,
	CONSENT_ERR__MAX
};

/* "ok", "name", "child", ... for logs. */
extern const char *const consent_err_names[CONSENT_ERR__MAX];

/* Records s in one transaction, checking each child, purpose and document against the
 * database inside it, as one event of kind "submission" whose data lists every document
 * signed and every answer (docs/evidence.md). A document this carer has already signed is not signed twice; an
 * answer replaces this carer's earlier answer for the child and purpose. Only s's items
 * are recorded in the carer's name: the caller passes only the answers the carer gave. Writes the
 * reference into ref (CONSENT_REF_MAX bytes). Returns CONSENT_OK, or the reason with
 * nothing stored and ref "". CONSENT_ERR_NOTHING: the carer had signed everything
 * ticked and gave no answers. */
enum consent_err consent_record(struct db *, const struct consent_submission *s,
                                char ref[CONSENT_REF_MAX]);

/* SQL: the events chosen by the condition `where` (on table event) as one row per item,
 * "id, item, at, kind, family_id, child_id, purpose, answer, document_id, signer,
 * channel, staff, detail": a "submission" event gives one row per entry of its data, kind
 * "sign" (document_id set) or "answer" (child_id, purpose, answer), item counting from 0;
 * any other event gives itself, item 0. So readers of the older form (an event per
 * answer) read both forms alike. */
#define CONSENT_ITEMS_SQL(where)                                                                   \
	"SELECT id, 0 AS item, at, kind, family_id, child_id, purpose, answer, document_id,"       \
	" signer, channel, staff, detail FROM event WHERE kind <> 'submission' AND (" where ")"    \
	" UNION ALL SELECT v.id, j.key + 0, v.at, json_extract(j.value, '$[0]'), v.family_id,"   \
	" CASE json_extract(j.value, '$[0]') WHEN 'answer' THEN json_extract(j.value, '$[1]') END," \
	" json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]'),"                          \
	" CASE json_extract(j.value, '$[0]') WHEN 'sign' THEN json_extract(j.value, '$[1]') END,"  \
	" v.signer, v.channel, v.staff, v.detail FROM (SELECT * FROM event"                       \
	" WHERE kind = 'submission' AND (" where ")) v,"                                           \
	" json_each(CASE WHEN json_valid(v.data) THEN v.data ELSE '[]' END) j"

/* consent_record's work inside the caller's transaction (or savepoint), for writers that
 * commit several submissions together: on an error the caller must roll back what it
 * wrote. Returns as consent_record. */
enum consent_err consent_record_in(struct db *, const struct consent_submission *s,
                                   char ref[CONSENT_REF_MAX]);

/* Withdraws the family's permission for one child and purpose through the family link:
 * every carer's "yes" becomes "no" (an event of kind "withdraw" each, with no signer,
 * as the link does not say who tapped it), so the most restrictive answer is "no"
 * until each of those carers answers again. language as in consent_submission.
 * Returns CONSENT_OK with ref, CONSENT_ERR_CHILD or CONSENT_ERR_PURPOSE, or
 * CONSENT_ERR_NOTHING when no carer's answer is yes. */
enum consent_err consent_withdraw(struct db *, long long family_id, long long child_id,
                                  const char *purpose, const char *language,
                                  char ref[CONSENT_REF_MAX]);

/* Claims the once-only value once (token_once_new) inside the caller's transaction,
 * for family_id (0 for a form that is not one family's, such as the office's letters),
 * noting what was done with it in what. Returns 1 when claimed now, 0 when it was
 * claimed before (the form was sent again: do nothing), -1 on error. */
int consent_once_claim(struct db *, long long family_id, const char *once, const char *what);

/* The household's stored language, "en" or "cy", into out. Returns 0, 1 when there is
 * no such family (out "en"), or -1. */
int consent_language(struct db *, long long family_id, char out[3]);

/* Stores the household's language ("en" or "cy"). Returns 0 or -1. */
int consent_set_language(struct db *, long long family_id, const char *lang);

/* One line of a submission's receipt. */
struct consent_receipt_item {
	const char *kind;    /* "sign", "answer" or "withdraw" */
	long long child_id;  /* 0 for "sign" */
	const char *child;   /* first name, "" when the child is gone */
	const char *purpose; /* NULL for "sign" */
	const char *answer;
	long long document_id;              /* 0 unless "sign" */
	const char *title, *version, *lang; /* the document's, for "sign" */
};

struct consent_receipt {
	char ref[CONSENT_REF_MAX];
	const char *at;     /* time of the first event */
	const char *signer; /* NULL for a withdrawal, or when purged */
	struct consent_receipt_item *items;
	size_t nitems;
};

/* The submission with reference ref, when it is family_id's. Returns 0 with *out,
 * 1 when ref is malformed, unknown or another family's, -1 on error. */
int consent_receipt(struct db *, struct arena *, long long family_id, const char *ref,
                    struct consent_receipt **out);

#endif
