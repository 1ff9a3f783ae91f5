/* diff: what changed between two versions of a policy, as HTML for the "changes" page.
 *
 * Both versions (Markdown body, no front matter) are parsed with libcmark and reduced to
 * a sequence of blocks: headings (with their level), paragraphs and list items. Block
 * quotes and code blocks become plain paragraphs; inline markup is dropped but link and
 * image text is kept; raw HTML (blocks and inline) is dropped, as it is on the rendered
 * page. Each block's text is split into words on ASCII white space, so re-wrapping a
 * paragraph is not a change. The two word sequences, with a token for each block
 * boundary, are compared with Myers' O(ND) algorithm.
 *
 * Output, appended to a buf, is a run of HTML5 blocks with no wrapper element:
 *
 *   <h1>..<h6>, <p>, <ul><li>   one per block of the new version (lists are flattened
 *                               into one <ul> level, ordered lists included);
 *   <ins>, <del>                inserted and removed words inside a block;
 *   class="diff-added"          a block that is wholly new (its words are in <ins>);
 *   class="diff-removed"        a block that is wholly gone (its words are in <del>);
 *   class="diff-changed"        any other block that differs, including one whose kind
 *                               changed (a paragraph that became a list item, a heading
 *                               whose level changed) with the same words;
 *   <ins>¶</ins>, <del>¶</del>  a paragraph break added (one block split in two) or
 *                               removed (two blocks joined);
 *   class="diff-skip"           "…" (a <p>, or an <li> inside a list) standing for two or
 *                               more unchanged blocks that were left out.
 *
 * Unchanged blocks are shown when they are next to a changed block (DIFF_CONTEXT blocks on
 * each side) and headings are always shown, so a reader sees where each change is and
 * what surrounds it; other runs of unchanged blocks collapse to one "…" marker.
 *
 * Every piece of text goes through html_escape; nothing from the Markdown is copied raw.
 *
 * Cost is bounded: the word-level comparison stops after DIFF_WORK_MAX steps (about
 * (N+M)·D, which caps the edit distance D for a given size) and falls back to comparing
 * whole blocks, and that in turn to "everything between the unchanged beginning and end
 * was replaced". Memory is linear in the size of the input. */
#ifndef DIFF_H
#define DIFF_H

#include <stddef.h>

#include <cmark.h>

#include "buf.h"

/* Unchanged blocks shown on each side of a changed one. */
#define DIFF_CONTEXT 1
/* Comparison steps allowed for the word-level diff, and again for the block-level one. */
#define DIFF_WORK_MAX (1UL << 26)
/* At most this many section headings are listed in struct diff_stats. */
#define DIFF_HEADINGS_MAX 32

/* How finely the comparison was made. */
enum diff_level {
	DIFF_WORDS,  /* word by word (the normal case) */
	DIFF_BLOCKS, /* too many differences: whole blocks compared, changed ones replaced */
	DIFF_WHOLE,  /* too many even for that: some stretch was marked replaced wholesale */
	DIFF_LEVEL__MAX
};

/* "words", "blocks", "whole": for log messages. */
extern const char *const diff_level_names[DIFF_LEVEL__MAX];

/* What changed, as data: the caller writes the sentence in the reader's language, e.g.
 * "12 words added and 3 removed, in: Online Safety; Photographs". Owned strings are
 * released by diff_stats_free. */
struct diff_stats {
	size_t words_added;    /* words in <ins> (¶ markers are not words) */
	size_t words_removed;  /* words in <del> */
	size_t blocks_changed; /* blocks marked added, removed or changed */
	size_t blocks_added;   /* of which wholly new */
	size_t blocks_removed; /* of which wholly gone */
	enum diff_level level;
	/* Distinct texts (plain UTF-8, not escaped) of the nearest heading above each change,
	 * or of the changed heading itself, in document order: the new version's wording, or
	 * the old one for a heading that was removed. At most DIFF_HEADINGS_MAX; `more_headings`
	 * is set when others were left out. */
	char **headings;
	size_t nheadings;
	int more_headings;
	/* Something changed above the first heading (the introduction). */
	int before_first_heading;
};

/* Appends to `out` the HTML described above for the change from old_md to new_md (either
 * may be NULL when its length is 0: the first version shows everything as added) and fills
 * *st (which may be NULL) after clearing it. Returns 0, or -1 when memory ran out; then
 * `out` is left as it was (or with its oom flag set) and *st is empty. In both cases the
 * caller calls diff_stats_free(st) when done. */
int diff_html(struct buf *out, const char *old_md, size_t old_len, const char *new_md,
              size_t new_len, struct diff_stats *st);

/* One version's text read for comparison, so that a text compared with the version before
 * it and then with the one after is read once. */
struct diff_text;

/* Reads Markdown (md may be NULL when len is 0). NULL when out of memory. */
struct diff_text *diff_text_new(const char *md, size_t len);
/* The same as diff_text_new(md, len), read from doc, the document already parsed from md
 * with CMARK_OPT_DEFAULT | CMARK_OPT_SMART for the page, without parsing md again when the
 * typographic quotes, dashes and ellipses can be turned back into the ASCII they came from
 * exactly (md has none of its own and no '&'); else md is parsed again. */
struct diff_text *diff_text_from_doc(cmark_node *doc, const char *md, size_t len);
void diff_text_free(struct diff_text *); /* NULL is fine */
/* diff_html for two texts read before; each may be compared again afterwards. */
int diff_html_texts(struct buf *out, struct diff_text *old_text, struct diff_text *new_text,
                    struct diff_stats *st);

/* Frees what *st owns and clears it; st may be NULL. */
void diff_stats_free(struct diff_stats *st);

#endif
