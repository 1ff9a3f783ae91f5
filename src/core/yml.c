#include "yml.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const char *const yml_kind_names[YML__MAX] = {"a single value", "a list", "a mapping"};

#define YML_MAX_DEPTH 32

struct loader {
	yaml_parser_t parser;
	struct arena *a;
	struct buf *err;
	int line_offset;
};

static int fail(struct loader *ld, int line, const char *msg)
{
	buf_printf(ld->err, "%d: %s\n", line + ld->line_offset, msg);
	return -1;
}

static int next_event(struct loader *ld, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&ld->parser, ev)) {
		const char *problem = ld->parser.problem ? ld->parser.problem : "syntax error";
		int line = (int)ld->parser.problem_mark.line + 1;
		buf_printf(ld->err, "%d: YAML %s%s%s\n", line + ld->line_offset, problem,
		           ld->parser.context ? " " : "",
		           ld->parser.context ? ld->parser.context : "");
		return -1;
	}
	return 0;
}

static struct yml *load_node(struct loader *ld, yaml_event_t *ev, int depth);

/* Front matter is many small nodes kept in the cache: one more field costs megabytes. */
_Static_assert(sizeof(struct yml) <= 64, "struct yml grew past 64 bytes");

static int by_key(const void *a, const void *b)
{
	return strcmp((*(const struct yml *const *)a)->key, (*(const struct yml *const *)b)->key);
}

/* Indexes a mapping of YML_INDEX_MIN entries or more (struct yml's index). Out of memory
 * leaves it unindexed, which yml_get reads in turn. */
static void index_map(struct loader *ld, struct yml *map)
{
	const struct yml **ix;
	const struct yml *e;
	size_t i = 0;

	if (map->kind != YML_MAP || map->count < YML_INDEX_MIN ||
	    (ix = arena_alloc(ld->a, map->count * sizeof *ix)) == NULL)
		return;
	for (e = map->first; e && i < map->count; e = e->next)
		ix[i++] = e;
	qsort(ix, i, sizeof *ix, by_key);
	map->index = ix;
}

/* Loads the items of a sequence or entries of a mapping until its end event. */
static int load_children(struct loader *ld, struct yml *node, int depth)
{
	struct yml **tail = &node->first;
	yaml_event_t ev;

	for (;;) {
		struct yml *key = NULL, *child;
		if (next_event(ld, &ev) < 0)
			return -1;
		if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			index_map(ld, node);
			return 0;
		}
		if (node->kind == YML_MAP) {
			key = load_node(ld, &ev, depth + 1);
			if (key == NULL)
				return -1;
			if (key->kind != YML_SCALAR)
				return fail(ld, key->line - ld->line_offset, "a key must be a plain name");
			if (yml_get(node, key->value))
				return fail(ld, key->line - ld->line_offset, "this key is given twice");
			if (next_event(ld, &ev) < 0)
				return -1;
		}
		if ((child = load_node(ld, &ev, depth + 1)) == NULL)
			return -1;
		if (key) {
			child->key = key->value;
			child->key_line = key->line;
		}
		*tail = child;
		tail = &child->next;
		node->count++;
	}
}

/* Builds the node that starts with ev (consumed), reading further events as needed. */
static struct yml *load_node(struct loader *ld, yaml_event_t *ev, int depth)
{
	struct yml *node = arena_alloc(ld->a, sizeof *node);
	yaml_event_type_t type = ev->type;
	int line = (int)ev->start_mark.line + 1;

	if (node == NULL) {
		yaml_event_delete(ev);
		fail(ld, line, "out of memory");
		return NULL;
	}
	node->line = line + ld->line_offset;
	switch (type) {
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.anchor ||
		    (ev->data.scalar.tag && !ev->data.scalar.quoted_implicit)) {
			yaml_event_delete(ev);
			fail(ld, line, "anchors and tags are not allowed");
			return NULL;
		}
		node->kind = YML_SCALAR;
		node->value = arena_strndup(ld->a, (const char *)ev->data.scalar.value,
		                            ev->data.scalar.length);
		node->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length)) {
			yaml_event_delete(ev);
			fail(ld, line, "a value contains a NUL character");
			return NULL;
		}
		yaml_event_delete(ev);
		return node;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if ((type == YAML_SEQUENCE_START_EVENT && ev->data.sequence_start.anchor) ||
		    (type == YAML_MAPPING_START_EVENT && ev->data.mapping_start.anchor)) {
			yaml_event_delete(ev);
			fail(ld, line, "anchors are not allowed");
			return NULL;
		}
		yaml_event_delete(ev);
		if (depth > YML_MAX_DEPTH) {
			fail(ld, line, "nested too deeply");
			return NULL;
		}
		node->kind = type == YAML_SEQUENCE_START_EVENT ? YML_SEQ : YML_MAP;
		return load_children(ld, node, depth) < 0 ? NULL : node;
	case YAML_ALIAS_EVENT:
		yaml_event_delete(ev);
		fail(ld, line, "aliases are not allowed");
		return NULL;
	default:
		yaml_event_delete(ev);
		fail(ld, line, "unexpected YAML structure");
		return NULL;
	}
}

struct yml *yml_parse(struct arena *a, const char *text, size_t len, int line_offset,
                      struct buf *err)
{
	struct loader ld = {.a = a, .err = err, .line_offset = line_offset};
	struct yml *root = NULL;
	yaml_event_t ev;
	int done = 0;

	if (!yaml_parser_initialize(&ld.parser)) {
		buf_printf(err, "%d: out of memory\n", line_offset + 1);
		return NULL;
	}
	yaml_parser_set_input_string(&ld.parser, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&ld.parser, YAML_UTF8_ENCODING);
	while (!done) {
		if (next_event(&ld, &ev) < 0)
			goto out;
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			yaml_event_delete(&ev);
			break;
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			done = 1;
			break;
		default:
			if (root) {
				yaml_event_delete(&ev);
				fail(&ld, (int)ev.start_mark.line + 1,
				     "only one YAML document is allowed");
				root = NULL;
				goto out;
			}
			if ((root = load_node(&ld, &ev, 0)) == NULL)
				goto out;
		}
	}
	if (root == NULL && (root = arena_alloc(a, sizeof *root)) != NULL) {
		root->kind = YML_MAP;
		root->line = line_offset + 1;
	}
out:
	yaml_parser_delete(&ld.parser);
	return root;
}

const struct yml *yml_get(const struct yml *map, const char *key)
{
	const struct yml *e;

	if (map == NULL || map->kind != YML_MAP)
		return NULL;
	if (map->index) {
		size_t lo = 0, hi = map->count;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = strcmp(key, map->index[mid]->key);
			if (c == 0)
				return map->index[mid];
			if (c < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
		return NULL;
	}
	/* The first byte first: it tells most keys apart without a call (each file's dozen
	 * fields are looked up a dozen times each). */
	for (e = map->first; e; e = e->next)
		if (e->key[0] == key[0] && strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

void yml_errors(struct buf *err, void (*fn)(void *ctx, int line, const char *msg), void *ctx)
{
	char *p = err->data, *nl, *colon;

	for (; p && *p; p = nl + 1) {
		long line = strtol(p, &colon, 10);
		int last = (nl = strchr(p, '\n')) == NULL;
		if (last)
			nl = p + strlen(p);
		*nl = '\0';
		fn(ctx, (int)line,
		   colon != p && colon[0] == ':' && colon[1] == ' ' ? colon + 2 : p);
		if (last)
			break;
	}
	buf_reset(err);
}
