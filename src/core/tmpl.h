/* tmpl: templates that escape by construction, and the values (tv) they render.
 *
 * Syntax, in the spirit of Mustache:
 *   {{name}} {{a.b}}     the value, escaped for the template's context: HTML text and
 *                        quoted attributes for .html files, XML for .xml files
 *   {{name|url}}         the value percent-encoded as one URL path segment or query value
 *   {{&name}}            trusted HTML: only a value set with tv_html() (cmark output);
 *                        anything else is a render error, never raw output
 *   {{#name}}..{{/name}} a list: once per item; a dict: once, inside it; a true bool or a
 *                        non-empty string: once; missing, false, empty: not at all
 *   {{^name}}..{{/name}} the opposite of {{#name}}
 *   {{>name}}            the template file name.html (or .xml) from the same folder
 *   {{!comment}}
 *   {{.}}                the current list item, when it is a string
 * A plain {{name}} that resolves to nothing is a render error, so typos show at once;
 * optional values belong in a {{#name}} section. */
#ifndef TMPL_H
#define TMPL_H

#include "arena.h"
#include "buf.h"

struct tv;

/* Values live in an arena; every function accepts a NULL parent and then does nothing,
 * so a tree can be built without checks and arena_ok() tested once. String values are
 * copied (except by the _ref functions); keys are not: a key must outlive the tree, as a
 * string literal or a key of the loaded settings does (a language's index at 10,000
 * policies would otherwise copy 150,000 of them). */
struct tv *tv_dict(struct arena *);
struct tv *tv_list(struct arena *);
void tv_str(struct tv *dict, const char *key, const char *value);
void tv_html(struct tv *dict, const char *key, const char *trusted_html);
/* tv_html without the copy, for a page body of many kilobytes: the caller keeps
 * trusted_html unchanged until the tree is rendered. */
void tv_html_ref(struct tv *dict, const char *key, const char *trusted_html);
/* tv_str without the copy: value stays unchanged until the tree is rendered (a string in
 * the tree's own arena, say). */
void tv_str_ref(struct tv *dict, const char *key, const char *value);
void tv_bool(struct tv *dict, const char *key, int value);
void tv_int(struct tv *dict, const char *key, long long value);
/* Adds a new empty dict or list under key and returns it. */
struct tv *tv_add_dict(struct tv *dict, const char *key);
struct tv *tv_add_list(struct tv *dict, const char *key);
/* Adds an existing value (from the same or a longer-lived arena) under key. */
void tv_attach(struct tv *dict, const char *key, struct tv *value);
/* Indexes dict by key, so that templates find a value in it by binary search instead of
 * reading its values in turn: for a large dict that no longer changes (the UI strings).
 * Adding a value to it afterwards drops the index (found in turn again). Out of memory
 * leaves it unindexed. */
void tv_index(struct tv *dict);
/* Appends a new dict to a list and returns it; or appends a string. */
struct tv *tv_push_dict(struct tv *list);
void tv_push_str(struct tv *list, const char *value);
/* The string value at a dotted path, or NULL. */
const char *tv_get_str(const struct tv *dict, const char *path);

struct tmpl;

/* Loads and compiles dir/name (with its partials). On failure returns NULL and appends
 * "path:line: message" to err. The template's context follows the file's extension. */
struct tmpl *tmpl_load(const char *dir, const char *name, struct buf *err);
/* As tmpl_load, from text in memory; partials are refused (there is no folder). */
struct tmpl *tmpl_from_string(const char *name, const char *text, struct buf *err);
void tmpl_free(struct tmpl *);
/* Appends the rendering of t with root to out. Returns 0, or -1 with
 * "path:line: message" appended to err. */
int tmpl_render(const struct tmpl *t, const struct tv *root, struct buf *out, struct buf *err);

#endif
