#include "tmpl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

enum tv_kind { TV_STR, TV_HTML, TV_BOOL, TV_LIST, TV_DICT };

/* A dict's index (tv_index): its n values sorted by key, then by the order added. */
struct tv_ix {
	size_t n;
	const struct tv *e[];
};

/* 64 bytes: the site's lists hold hundreds of thousands of these at once. */
struct tv {
	unsigned char kind; /* enum tv_kind */
	unsigned char b;    /* TV_BOOL */
	unsigned keylen;    /* strlen(key), so that a look-up passes most keys at once */
	const char *key;    /* in a dict; NULL in a list */
	const char *s;   /* TV_STR, TV_HTML */
	struct tv *first, *last, *next;
	struct arena *arena;
	const struct tv_ix *index; /* TV_DICT after tv_index; NULL once a value is added after */
};
_Static_assert(sizeof(struct tv) <= 64, "struct tv grew past 64 bytes");

static struct tv *tv_new(struct arena *a, enum tv_kind kind)
{
	struct tv *v = arena_alloc(a, sizeof *v);

	if (v) {
		v->kind = kind;
		v->arena = a;
	}
	return v;
}

struct tv *tv_dict(struct arena *a)
{
	return tv_new(a, TV_DICT);
}

struct tv *tv_list(struct arena *a)
{
	return tv_new(a, TV_LIST);
}

static void append(struct tv *parent, struct tv *child)
{
	parent->index = NULL;
	if (parent->last)
		parent->last->next = child;
	else
		parent->first = child;
	parent->last = child;
}

/* Adds a new value of kind under key (dict) or at the end (list, key NULL). */
static struct tv *add(struct tv *parent, const char *key, enum tv_kind kind)
{
	struct tv *v;

	if (parent == NULL || (v = tv_new(parent->arena, kind)) == NULL)
		return NULL;
	v->key = key; /* not copied: see tmpl.h */
	v->keylen = key ? (unsigned)strlen(key) : 0;
	append(parent, v);
	return v;
}

static void add_string(struct tv *parent, const char *key, enum tv_kind kind, const char *s)
{
	struct tv *v = add(parent, key, kind);

	if (v)
		v->s = arena_strdup(v->arena, s ? s : "");
}

void tv_str(struct tv *dict, const char *key, const char *value)
{
	add_string(dict, key, TV_STR, value);
}

void tv_html(struct tv *dict, const char *key, const char *trusted_html)
{
	add_string(dict, key, TV_HTML, trusted_html);
}

void tv_str_ref(struct tv *dict, const char *key, const char *value)
{
	struct tv *v = add(dict, key, TV_STR);

	if (v)
		v->s = value ? value : "";
}

void tv_html_ref(struct tv *dict, const char *key, const char *trusted_html)
{
	struct tv *v = add(dict, key, TV_HTML);

	if (v)
		v->s = trusted_html ? trusted_html : "";
}

void tv_bool(struct tv *dict, const char *key, int value)
{
	struct tv *v = add(dict, key, TV_BOOL);

	if (v)
		v->b = value != 0;
}

void tv_int(struct tv *dict, const char *key, long long value)
{
	char s[32];

	snprintf(s, sizeof s, "%lld", value);
	tv_str(dict, key, s);
}

struct tv *tv_add_dict(struct tv *dict, const char *key)
{
	return add(dict, key, TV_DICT);
}

struct tv *tv_add_list(struct tv *dict, const char *key)
{
	return add(dict, key, TV_LIST);
}

void tv_attach(struct tv *dict, const char *key, struct tv *value)
{
	struct tv *v;

	if (value == NULL || (v = add(dict, key, value->kind)) == NULL)
		return;
	v->s = value->s;
	v->b = value->b;
	v->first = value->first;
	v->last = value->last;
	v->index = value->index;
}

/* The order of tv_index: by key, then by the order added, so that a key given twice
 * finds the first value as the unindexed look-up does. */
struct ixent {
	const struct tv *v;
	size_t pos;
};

static int ixent_cmp(const void *a, const void *b)
{
	const struct ixent *x = a, *y = b;
	int c = strcmp(x->v->key, y->v->key);

	return c ? c : x->pos < y->pos ? -1 : x->pos > y->pos;
}

void tv_index(struct tv *dict)
{
	struct ixent *tmp;
	struct tv_ix *ix;
	const struct tv *v;
	size_t n = 0, i;

	if (dict == NULL || dict->kind != TV_DICT)
		return;
	for (v = dict->first; v; v = v->next)
		n++;
	if (n == 0 || (tmp = malloc(n * sizeof *tmp)) == NULL)
		return;
	if ((ix = arena_alloc(dict->arena, sizeof *ix + n * sizeof ix->e[0])) != NULL) {
		for (i = 0, v = dict->first; v; v = v->next, i++) {
			tmp[i].v = v;
			tmp[i].pos = i;
		}
		qsort(tmp, n, sizeof *tmp, ixent_cmp);
		for (i = 0; i < n; i++)
			ix->e[i] = tmp[i].v;
		ix->n = n;
		dict->index = ix;
	}
	free(tmp);
}

/* -1, 0 or 1 as the key of keylen bytes sorts before, as, or after v's key. */
static int key_cmp(const char *key, size_t keylen, const struct tv *v)
{
	int c = strncmp(key, v->key, keylen);

	if (c)
		return c;
	return v->key[keylen] == '\0' ? 0 : -1;
}

/* The first value added under key in an indexed dict, or NULL. */
static const struct tv *indexed(const struct tv *dict, const char *key, size_t keylen)
{
	const struct tv_ix *ix = dict->index;
	size_t lo = 0, hi = ix->n;

	while (lo < hi) { /* the first entry not before key */
		size_t mid = lo + (hi - lo) / 2;
		if (key_cmp(key, keylen, ix->e[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n && key_cmp(key, keylen, ix->e[lo]) == 0 ? ix->e[lo] : NULL;
}

struct tv *tv_push_dict(struct tv *list)
{
	return add(list, NULL, TV_DICT);
}

void tv_push_str(struct tv *list, const char *value)
{
	add_string(list, NULL, TV_STR, value);
}

/* Inline: a page looks values up a hundred times or more, most of them in a dict of a
 * few entries, where a call costs as much as the search. */
static inline __attribute__((always_inline)) const struct tv *child(const struct tv *dict,
                                                                     const char *key,
                                                                     size_t keylen)
{
	const struct tv *v;

	if (dict == NULL || dict->kind != TV_DICT)
		return NULL;
	if (dict->index)
		return indexed(dict, key, keylen);
	/* Length and first byte first: they tell most keys apart. */
	for (v = dict->first; v; v = v->next)
		if (v->keylen == keylen && v->key[0] == key[0] && memcmp(v->key, key, keylen) == 0)
			return v;
	return NULL;
}


const char *tv_get_str(const struct tv *dict, const char *path)
{
	const struct tv *v = dict;
	const char *p = path, *dot;

	while (v && *p) {
		dot = strchr(p, '.');
		v = child(v, p, dot ? (size_t)(dot - p) : strlen(p));
		p = dot ? dot + 1 : "";
	}
	return v && (v->kind == TV_STR || v->kind == TV_HTML) ? v->s : NULL;
}

/* Templates. */

enum node_kind { N_TEXT, N_VAR, N_URL, N_RAW, N_SECTION, N_INVERTED };

struct node {
	enum node_kind kind;
	const char *text; /* N_TEXT: the text; otherwise the name as written */
	size_t len;
	const char **path; /* name segments; npath 0 means "." */
	size_t *plen;      /* their lengths */
	size_t npath;
	size_t end; /* N_SECTION, N_INVERTED: index of the first node after the section */
	const char *file;
	int line;
};

struct tmpl {
	struct arena *arena;
	struct node *nodes;
	size_t n, cap;
	int xml;
};

#define TMPL_MAX_DEPTH 16  /* partials within partials */
#define TMPL_MAX_NEST 32   /* sections within sections */
#define TMPL_MAX_SCOPES 64 /* render-time scope stack */

static int fail(struct buf *err, const char *file, int line, const char *msg, const char *what)
{
	buf_printf(err, "%s:%d: %s%s%s\n", file, line, msg, what ? " " : "", what ? what : "");
	return -1;
}

static struct node *push_node(struct tmpl *t)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct node *p = realloc(t->nodes, cap * sizeof *p);
		if (p == NULL)
			return NULL;
		t->nodes = p;
		t->cap = cap;
	}
	memset(&t->nodes[t->n], 0, sizeof t->nodes[0]);
	return &t->nodes[t->n++];
}

static int valid_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* Splits "a.b.c" into segments; "." alone gives none. */
static int split_path(struct tmpl *t, struct node *nd, const char *name, size_t len)
{
	size_t i, start, k = 0, segs = 1;

	if (len == 1 && name[0] == '.')
		return 0;
	for (i = 0; i < len; i++)
		if (name[i] == '.')
			segs++;
	if ((nd->path = arena_alloc(t->arena, segs * sizeof *nd->path)) == NULL ||
	    (nd->plen = arena_alloc(t->arena, segs * sizeof *nd->plen)) == NULL)
		return -1;
	for (start = i = 0; i <= len; i++) {
		if (i == len || name[i] == '.') {
			if (i == start)
				return -1;
			nd->plen[k] = i - start;
			nd->path[k++] = arena_strndup(t->arena, name + start, i - start);
			start = i + 1;
		}
	}
	nd->npath = k;
	return 0;
}

static int parse_file(struct tmpl *t, const char *dir, const char *name, int depth,
		      struct buf *err);

static int parse_text(struct tmpl *t, const char *dir, const char *file, const char *src,
		      int depth, struct buf *err)
{
	size_t open[TMPL_MAX_NEST];
	int nopen = 0, line = 1;
	const char *p = src, *q;

	while (*p) {
		const char *tag = strstr(p, "{{");
		size_t textlen = tag ? (size_t)(tag - p) : strlen(p);
		if (textlen) {
			struct node *nd = push_node(t);
			if (nd == NULL)
				return fail(err, file, line, "out of memory", NULL);
			nd->kind = N_TEXT;
			nd->text = p;
			nd->len = textlen;
			nd->file = file;
			nd->line = line;
			for (q = p; q < p + textlen; q++)
				line += *q == '\n';
		}
		if (tag == NULL)
			break;
		const char *close = strstr(tag + 2, "}}");
		if (close == NULL)
			return fail(err, file, line, "'{{' is never closed with '}}'", NULL);
		char sigil = tag[2];
		const char *name = tag + 2;
		if (strchr("#^/&>!", sigil))
			name++;
		size_t len = (size_t)(close - name);
		const char *bar = memchr(name, '|', len);
		int url = 0;
		if (sigil != '!') {
			size_t namelen = bar ? (size_t)(bar - name) : len;
			if (bar) {
				if (len - namelen != 4 || strncmp(bar, "|url", 4) != 0 ||
				    name != tag + 2)
					return fail(err, file, line, "unknown filter in tag; only {{name|url}}",
						    NULL);
				url = 1;
			}
			len = namelen;
			if (len == 0)
				return fail(err, file, line, "empty tag", NULL);
			for (q = name; q < name + len; q++)
				if (!valid_name_char(*q))
					return fail(err, file, line, "bad character in tag name", NULL);
		}
		char *nm = arena_strndup(t->arena, name, len);
		if (nm == NULL)
			return fail(err, file, line, "out of memory", NULL);
		if (sigil == '>') {
			if (strchr(nm, '.') || depth >= TMPL_MAX_DEPTH)
				return fail(err, file, line, "bad or too deeply nested partial", nm);
			if (parse_file(t, dir, nm, depth + 1, err) < 0)
				return fail(err, file, line, "in partial", nm);
		} else if (sigil == '/') {
			if (nopen == 0 || strcmp(t->nodes[open[nopen - 1]].text, nm) != 0)
				return fail(err, file, line, "closing tag matches no open section:", nm);
			t->nodes[open[--nopen]].end = t->n;
		} else if (sigil != '!') {
			struct node *nd = push_node(t);
			if (nd == NULL)
				return fail(err, file, line, "out of memory", NULL);
			nd->kind = sigil == '#'   ? N_SECTION
				   : sigil == '^' ? N_INVERTED
				   : sigil == '&' ? N_RAW
				   : url          ? N_URL
						  : N_VAR;
			nd->text = nm;
			nd->len = len;
			nd->file = file;
			nd->line = line;
			if (split_path(t, nd, nm, len) < 0)
				return fail(err, file, line, "bad name", nm);
			if (nd->kind == N_SECTION || nd->kind == N_INVERTED) {
				if (nopen == TMPL_MAX_NEST)
					return fail(err, file, line, "sections nested too deeply", NULL);
				open[nopen++] = t->n - 1;
			}
		}
		for (q = tag; q < close; q++)
			line += *q == '\n';
		p = close + 2;
	}
	if (nopen)
		return fail(err, file, t->nodes[open[nopen - 1]].line, "section is never closed:",
			    t->nodes[open[nopen - 1]].text);
	return 0;
}

static int parse_file(struct tmpl *t, const char *dir, const char *name, int depth,
		      struct buf *err)
{
	struct buf src = BUF_INIT;
	char *path, *text;
	const char *ext = t->xml ? ".xml" : ".html";

	if (strchr(name, '.'))
		ext = "";
	path = arena_printf(t->arena, "%s/%s%s", dir, name, ext);
	if (path == NULL)
		return fail(err, name, 0, "out of memory", NULL);
	if (buf_read_file(&src, path) < 0) {
		buf_printf(err, "%s: cannot read template: %s\n", path, strerror(errno));
		buf_free(&src);
		return -1;
	}
	text = arena_strndup(t->arena, buf_str(&src), src.len);
	buf_free(&src);
	if (text == NULL)
		return fail(err, path, 0, "out of memory", NULL);
	return parse_text(t, dir, path, text, depth, err);
}

static struct tmpl *tmpl_new(const char *name, struct buf *err)
{
	struct tmpl *t = calloc(1, sizeof *t);
	size_t n = strlen(name);

	if (t == NULL || (t->arena = arena_new()) == NULL) {
		free(t);
		buf_printf(err, "%s: out of memory\n", name);
		return NULL;
	}
	t->xml = n > 4 && strcmp(name + n - 4, ".xml") == 0;
	return t;
}

struct tmpl *tmpl_load(const char *dir, const char *name, struct buf *err)
{
	struct tmpl *t = tmpl_new(name, err);

	if (t && parse_file(t, dir, name, 0, err) < 0) {
		tmpl_free(t);
		return NULL;
	}
	return t;
}

struct tmpl *tmpl_from_string(const char *name, const char *text, struct buf *err)
{
	struct tmpl *t = tmpl_new(name, err);
	char *copy;

	if (t == NULL)
		return NULL;
	if ((copy = arena_strdup(t->arena, text)) == NULL ||
	    parse_text(t, NULL, name, copy, TMPL_MAX_DEPTH, err) < 0) {
		if (copy == NULL)
			buf_printf(err, "%s: out of memory\n", name);
		tmpl_free(t);
		return NULL;
	}
	return t;
}

void tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	free(t->nodes);
	arena_free(t->arena);
	free(t);
}

struct scope {
	const struct tv *v[TMPL_MAX_SCOPES];
	int n;
};

static const struct tv *lookup(const struct scope *sc, const struct node *nd)
{
	const struct tv *v = NULL;
	size_t i;
	int s;

	if (nd->npath == 0)
		return sc->v[sc->n - 1];
	for (s = sc->n - 1; s >= 0 && v == NULL; s--)
		v = child(sc->v[s], nd->path[0], nd->plen[0]);
	for (i = 1; i < nd->npath && v; i++)
		v = child(v, nd->path[i], nd->plen[i]);
	return v;
}

static int truthy(const struct tv *v)
{
	if (v == NULL)
		return 0;
	switch (v->kind) {
	case TV_STR:
	case TV_HTML:
		return v->s[0] != '\0';
	case TV_BOOL:
		return v->b;
	case TV_LIST:
		return v->first != NULL;
	case TV_DICT:
		return 1;
	}
	return 0;
}

static int render_range(const struct tmpl *t, size_t from, size_t to, struct scope *sc,
			struct buf *out, struct buf *err)
{
	size_t i = from;

	while (i < to) {
		const struct node *nd = &t->nodes[i];
		const struct tv *v;

		if (nd->kind == N_TEXT) {
			buf_put(out, nd->text, nd->len);
			i++;
			continue;
		}
		v = lookup(sc, nd);
		switch (nd->kind) {
		case N_VAR:
		case N_URL:
			if (v == NULL || (v->kind != TV_STR && v->kind != TV_HTML))
				return fail(err, nd->file, nd->line, "no text value named", nd->text);
			if (v->kind == TV_HTML)
				return fail(err, nd->file, nd->line,
					    "trusted HTML must be written as {{&name}}:", nd->text);
			if (nd->kind == N_URL)
				url_encodes(out, v->s);
			else if (t->xml)
				xml_escapes(out, v->s);
			else
				html_escapes(out, v->s);
			i++;
			break;
		case N_RAW:
			if (v == NULL || v->kind != TV_HTML)
				return fail(err, nd->file, nd->line,
					    "{{&name}} needs a trusted HTML value:", nd->text);
			buf_puts(out, v->s);
			i++;
			break;
		case N_INVERTED:
			if (!truthy(v) && render_range(t, i + 1, nd->end, sc, out, err) < 0)
				return -1;
			i = nd->end;
			break;
		case N_SECTION:
			if (truthy(v)) {
				const struct tv *item = v->kind == TV_LIST ? v->first : v;
				if (sc->n == TMPL_MAX_SCOPES)
					return fail(err, nd->file, nd->line, "sections nested too deeply",
						    NULL);
				for (; item; item = v->kind == TV_LIST ? item->next : NULL) {
					sc->v[sc->n++] = item;
					int rc = render_range(t, i + 1, nd->end, sc, out, err);
					sc->n--;
					if (rc < 0)
						return -1;
				}
			}
			i = nd->end;
			break;
		case N_TEXT:
			break;
		}
	}
	return 0;
}

int tmpl_render(const struct tmpl *t, const struct tv *root, struct buf *out, struct buf *err)
{
	struct scope sc;

	sc.v[0] = root;
	sc.n = 1;
	if (render_range(t, 0, t->n, &sc, out, err) < 0)
		return -1;
	if (!buf_ok(out))
		return fail(err, t->n ? t->nodes[0].file : "template", 0, "out of memory", NULL);
	return 0;
}
