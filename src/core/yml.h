/* yml: YAML (via libyaml) loaded into a small tree of scalars, sequences and mappings,
 * each with its line number, for the content files and front matter.
 * Anchors, aliases and tags are refused: content files have no need of them. */
#ifndef YML_H
#define YML_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"

enum yml_kind { YML_SCALAR, YML_SEQ, YML_MAP, YML__MAX };

struct yml {
	enum yml_kind kind;
	int line;          /* 1-based, in the text given to yml_parse */
	int quoted;        /* YML_SCALAR: written in quotes (so never a number or bool) */
	int key_line;      /* (the ints together: 64 bytes a node, the front-matter cache's size) */
	const char *value; /* YML_SCALAR: the text, UTF-8 */
	const char *key;   /* a mapping's entry: its key */
	struct yml *first, *next; /* YML_SEQ, YML_MAP: the items or entries */
	size_t count;
	const struct yml **index; /* YML_MAP of YML_INDEX_MIN entries or more: the entries
	                             sorted by key, for yml_get; else NULL */
};

/* A mapping with this many entries or more is indexed (the UI strings, looked up
 * hundreds of times for each portal page); a smaller one is read in turn. */
#define YML_INDEX_MIN 16

extern const char *const yml_kind_names[YML__MAX];

/* Parses text (len bytes) into a tree allocated in a. An empty document gives an empty
 * mapping. Returns NULL on error with "LINE: message" appended to err, where LINE is
 * the 1-based line plus line_offset. Duplicate keys are an error. */
struct yml *yml_parse(struct arena *a, const char *text, size_t len, int line_offset,
		      struct buf *err);
/* Calls fn once for each "LINE: message" line that yml_parse appended to err, with the
 * line number (0 when the line has none) and the message, then empties err. */
void yml_errors(struct buf *err, void (*fn)(void *ctx, int line, const char *msg), void *ctx);
/* The entry of a mapping with the given key, or NULL: by binary search when the mapping
 * is indexed. */
const struct yml *yml_get(const struct yml *map, const char *key);

#endif
