/* toc: the "On this page" contents of a long policy.
 *
 * A policy with TOC_MIN or more level-2 headings gets a list of links to them: each such
 * heading gets an id derived from its text (the same on every build, unique on the page,
 * readable: "Diben a chwmpas" becomes "diben-a-chwmpas", "Ŵyr ac wyresau" keeps its ŵ),
 * and each section ends with a link back to the list. Pure HTML; no script. */
#ifndef TOC_H
#define TOC_H

#include <stddef.h>

#include <cmark.h>

#include "buf.h"

#define TOC_MIN 4             /* level-2 headings that make a policy long */
#define TOC_ID_MAX 64         /* bytes of an id before any "-2" suffix */
#define TOC_ANCHOR "contents" /* the id of the contents list on the page */

struct toc_entry {
	char *id;   /* as in the heading's id attribute; plain text, never HTML */
	char *text; /* the heading as plain text, to be escaped by the page */
};

struct toc {
	struct toc_entry *e; /* NULL, or n entries owned by the toc */
	size_t n;
};

/* Converts Markdown as site_markdown() does. `plain` receives the HTML unchanged (the
 * text families sign, hashed as it always was). When the text has TOC_MIN or more level-2
 * headings, `page` receives the same HTML with an id on each of those headings and, before
 * every one after the first and at the end, back_html (trusted HTML, such as a paragraph
 * holding a link to #contents), and toc lists them; otherwise `page` is a copy of `plain`
 * and toc is empty. Both bufs are appended to. Returns 0, or -1 when out of memory (toc
 * is then empty). Free the toc with toc_free(). */
int toc_render(const char *md, size_t len, const char *back_html, struct buf *plain,
               struct buf *page, struct toc *toc);
/* The same for a document already parsed from the Markdown with CMARK_OPT_DEFAULT |
 * CMARK_OPT_SMART through the allocator mem (cmark_get_default_mem_allocator() or a
 * cmem's), which also receives the rendered HTML. The document stays the caller's. plain
 * may be NULL when the HTML as cmark makes it is not wanted. */
int toc_render_doc(cmark_node *doc, cmark_mem *mem, const char *back_html, struct buf *plain,
                   struct buf *page, struct toc *toc);
void toc_free(struct toc *);

/* Appends the id for heading text (UTF-8) to out: lower case, letters and digits of any
 * script kept, every run of other characters one '-', apostrophes dropped, no '-' at
 * either end, at most TOC_ID_MAX bytes (cut between characters), "section" when nothing
 * is left. Uniqueness is toc_render's job. */
void toc_slug(struct buf *out, const char *text);

#endif
