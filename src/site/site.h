/* site: renders the loaded content (content.h) into the static site, one page at a time.
 * The output folder holds only what is published:
 *
 *   /index.html                                   bilingual landing page
 *   /<lang>/index.html                            the policies, agreed and next review dates
 *   /<lang>/policies/<slug>/index.html            the current version
 *   /<lang>/policies/<slug>/<version>/index.html  every published version
 *   /<lang>/policies/<slug>/<version>/changes/index.html   what changed from the one before
 *   /<lang>/feed.xml                              Atom feed of published versions
 *   /<lang>/accessibility/index.html              the accessibility statement (site.yaml)
 *   /sitemap.xml, /style.css, /favicon.svg
 * The signable texts, signable.tsv and reviews.tsv go to the portal's folder (handoff.h),
 * and what this build made to the state folder (sitestate.h); neither is served.
 *
 * A rebuild makes only the pages of policies whose files, or the templates, settings or
 * UI strings, changed since the last build (see sitestate.h), and deletes the pages of
 * policies that were removed; the indexes, feeds and sitemap are made every time but
 * written only when their bytes change. Policies are shared out among one worker process
 * per core when there are many. */
#ifndef SITE_H
#define SITE_H

#include "buf.h"
#include "content.h"

struct site_stats {
	size_t policies_built;     /* policies whose pages were made */
	size_t policies_unchanged; /* policies whose pages were current already */
	size_t pages;     /* files generated */
	size_t written;   /* of which written because new or changed */
	size_t unchanged; /* of which left alone because identical */
};

/* The folders of a build. */
struct site_dirs {
	const char *templates; /* read */
	const char *out;       /* the site: pages, feeds, sitemap, style.css */
	const char *portal;    /* the portal's folder (handoff.h) */
	const char *state;     /* the generator's own state (sitestate.h); made as needed */
};

/* Builds the site from s (which must have no errors) into dirs. Returns 0, or -1 with
 * "path: message" lines appended to err. */
int site_build(const struct content *s, const struct site_dirs *dirs, struct site_stats *stats,
               struct buf *err);

/* A resident builder's memory of its last build (resident.h): the state it wrote, kept
 * instead of read again, and which policies it made from which loaded content. */
struct site_memo;
struct site_memo *site_memo_new(void);
/* Forgets the last build: the next one reads the state and checks the pages on disk.
 * Call it whenever the content is loaded afresh (the memo knows policies by address). */
void site_memo_forget(struct site_memo *);
void site_memo_free(struct site_memo *);
/* As site_build, with memo (made by site_memo_new): when it holds the last build into
 * the same folders with the same templates and program, policies still at the same
 * address in s keep their key and their pages are taken as current without looking,
 * and the state is not read. The output is the same as site_build's. */
int site_build_memo(const struct content *s, const struct site_dirs *dirs, struct site_memo *memo,
                    struct site_stats *stats, struct buf *err);

/* The one Markdown-to-HTML conversion: cmark, safe (raw HTML and javascript: links never
 * pass), smart punctuation. Appends to out; returns 0 or -1 (out of memory). */
int site_markdown(struct buf *out, const char *md, size_t len);

#endif
