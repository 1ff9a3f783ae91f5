/* cmem: an arena allocator for libcmark (a cmark_mem).
 *
 * libcmark allocates every node, string and buffer on its own and frees them one by one:
 * for a policy of 1,200 words that is thousands of calls to malloc and free, a fifth of a
 * build's time. Parsed through a cmem, a document's memory comes from a few large blocks
 * and goes all at once, with cmem_reset(), when the caller is done with the document and
 * everything rendered from it. cmark_node_free() and the free() of a rendered string are
 * then unnecessary (they are no-ops).
 *
 * Like cmark's own allocator, a cmem aborts the program when memory runs out: libcmark
 * does not check for NULL. */
#ifndef CMEM_H
#define CMEM_H

#include <cmark.h>

struct cmem;

struct cmem *cmem_new(void); /* NULL when out of memory */
void cmem_free(struct cmem *);
/* Frees everything allocated since the last reset, keeping one block for reuse. Every
 * node and string from the cmem is invalid afterwards. */
void cmem_reset(struct cmem *);
/* The allocator to give to cmark_parser_new_with_mem(); valid until cmem_free. */
cmark_mem *cmem_mem(struct cmem *);

/* Parses Markdown as cmark_parse_document() does, with the cmem's memory. */
cmark_node *cmem_parse(struct cmem *, const char *md, size_t len, int options);

#endif
