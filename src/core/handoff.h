/* handoff: the folder the generator writes for the consent portal, apart from the site
 * (default var/portal: `policygen build --portal DIR`, CONSENT_PORTAL for the FastCGI
 * programs, `consentctl --portal DIR`). The web server never serves it.
 *
 *   signable.tsv                          the versions parents sign, one line per version
 *                                         and language: slug, version, language, SHA-256
 *                                         of its text, resign (0/1), title, declaration
 *   texts/<slug>/<version>.<lang>.html    the exact HTML a parent is shown and signs
 *   reviews.tsv                           each published policy's current version: slug,
 *                                         version, review date as written ("" when none),
 *                                         title in the default language
 *
 * The generator writes each file atomically and only when its bytes change; the portal
 * reads these and nothing else of the generator's (never the content's policy folders nor
 * the site). This module is the one place both sides take the names and formats from. */
#ifndef HANDOFF_H
#define HANDOFF_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "date.h"

#define HANDOFF_SIGNABLE "signable.tsv"
#define HANDOFF_REVIEWS "reviews.tsv"
#define HANDOFF_MAX_TEXT (1 << 20)    /* bytes of one signable text */
#define HANDOFF_MAX_REVIEWS (1 << 22) /* bytes of reviews.tsv */

/* The path of a signable text relative to the folder, in a; NULL when out of memory or
 * when slug, version or lang is not of the shape the generator writes (so that a value
 * from elsewhere never leads out of the folder). */
const char *handoff_text_rel(struct arena *a, const char *slug, const char *version,
                             const char *lang);

enum handoff_text {
	HANDOFF_TEXT_OK,
	HANDOFF_TEXT_UNREADABLE, /* missing, too big, unreadable, or a malformed name (errno) */
	HANDOFF_TEXT_CHANGED,    /* its SHA-256 is not sha256_hex */
	HANDOFF_TEXT__MAX
};

/* Reads the text of (slug, version, lang) from dir into out (appending) when its SHA-256
 * is sha256_hex (64 lowercase hex digits). out holds the text only on HANDOFF_TEXT_OK;
 * on HANDOFF_TEXT_UNREADABLE errno says why. */
enum handoff_text handoff_text_read(const char *dir, const char *slug, const char *version,
                                    const char *lang, const char *sha256_hex, struct buf *out);

/* One line of reviews.tsv. */
struct handoff_review {
	const char *slug, *version, *title;
	const char *review_written; /* "" when the version has no review date */
	struct review review;       /* zero when review_written is "" */
};

/* Appends one line of reviews.tsv; review_written may be NULL. The fields hold no tab or
 * newline (content checks titles; slugs, versions and review dates cannot). */
void handoff_review_line(struct buf *tsv, const char *slug, const char *version,
                         const char *review_written, const char *title);

/* Reads dir/reviews.tsv into an array in a (in the file's order, slug order). Returns the
 * number of rows, or -1 with "path: reason" appended to err (a missing file says to run
 * policygen build; a malformed line gives its number). */
long handoff_reviews_read(const char *dir, struct arena *a, struct handoff_review **rows,
                          struct buf *err);

#endif
