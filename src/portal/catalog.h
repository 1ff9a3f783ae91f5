/* catalog: what the portal offers, from the content and the built site.
 *
 *   content/consent.yaml   the photo purposes: id, basis (consent | public_task), and
 *                          title and text per language
 *   public/signable.tsv    the policy versions parents sign, written by policygen build:
 *                          slug, version, lang, sha256 of text.html, resign (0/1), title,
 *                          declaration (tab-separated, one version and language a line)
 *
 * catalog_sync() copies both into the database (tables purpose and document), so that
 * a new policy version reaches the portal without a restart. */
#ifndef CATALOG_H
#define CATALOG_H

#include "arena.h"
#include "buf.h"
#include "db.h"

#define CATALOG_LANGS 2 /* index 0: en, 1: cy */

struct purpose_text {
	const char *id;
	const char *basis;                 /* "consent" or "public_task" */
	const char *title[CATALOG_LANGS];
	const char *text[CATALOG_LANGS];
};

struct catalog {
	struct arena *a;
	struct purpose_text *purposes; /* in the order of consent.yaml */
	size_t npurposes;
};

/* Loads consent.yaml. NULL with "path:line: message" lines in err on any problem. */
struct catalog *catalog_load(const char *consent_yaml, struct buf *err);
void catalog_free(struct catalog *);
/* The purpose with this id, or NULL. */
const struct purpose_text *catalog_purpose(const struct catalog *, const char *id);
/* 0 for "en", 1 for "cy", -1 otherwise. */
int catalog_lang(const char *lang);

/* Upserts the purposes and, when signable_tsv is not NULL, the documents in one
 * transaction. Documents are never deleted (signatures refer to them); a line whose
 * (slug, version, lang) exists with another sha256 is an error: a published version's
 * text must not change. Returns 0, or -1 with a message in err and nothing changed. */
int catalog_sync(struct db *, const struct catalog *, const char *signable_tsv, struct buf *err);

#endif
