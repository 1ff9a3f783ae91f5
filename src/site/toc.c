#include "toc.h"

#include <cmark.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "utf8.h"

/* Ids the page templates use themselves; a heading never takes one of them. */
static const char *const reserved_ids[] = {"main", TOC_ANCHOR, "contents-heading"};

/* Lower case for the Latin letters Welsh and its neighbours use (Latin-1 and Latin
 * Extended-A); other scripts are kept as written. */
static uint32_t lower_cp(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		return c + 32;
	if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
		return c | 1;
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
		return (c & 1) ? c + 1 : c;
	if (c == 0x178)
		return 0xFF;
	return c;
}

/* 1 for characters kept in an id: ASCII letters and digits, and anything outside ASCII
 * that is not punctuation, a space or a symbol of the ranges below. */
static int kept(uint32_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
	if (c <= 0xBF || c == 0xD7 || c == 0xF7)
		return 0; /* Latin-1 spaces, punctuation and signs */
	if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
	    (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFEFF || (c >= 0xFFF0))
		return 0; /* punctuation, symbols, arrows, spaces, variation selectors */
	return 1;
}

static int dropped(uint32_t c)
{
	return c == '\'' || c == 0x2018 || c == 0x2019; /* "Parents' rights": parents-rights */
}

static void put_cp(struct buf *b, uint32_t c)
{
	char u[4];
	size_t n;

	if (c < 0x80) {
		buf_putc(b, (char)c);
		return;
	} else if (c < 0x800) {
		u[0] = (char)(0xC0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xE0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		u[2] = (char)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		u[3] = (char)(0x80 | (c & 0x3F));
		n = 4;
	}
	buf_put(b, u, n);
}

/* ASCII in an id: letters (lower case) and digits as they are, 1 for the apostrophe
 * (dropped), 0 for a separator. The same as kept(), dropped() and lower_cp() give, read
 * from a table because nearly every heading is ASCII. */
static const unsigned char ascii_id[128] = {
    ['\''] = 1,  ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4', ['5'] = '5',
    ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9', ['A'] = 'a', ['B'] = 'b', ['C'] = 'c',
    ['D'] = 'd', ['E'] = 'e', ['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j',
    ['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n', ['O'] = 'o', ['P'] = 'p', ['Q'] = 'q',
    ['R'] = 'r', ['S'] = 's', ['T'] = 't', ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x',
    ['Y'] = 'y', ['Z'] = 'z', ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e',
    ['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j', ['k'] = 'k', ['l'] = 'l',
    ['m'] = 'm', ['n'] = 'n', ['o'] = 'o', ['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's',
    ['t'] = 't', ['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y', ['z'] = 'z',
};

void toc_slug(struct buf *out, const char *text)
{
	size_t len = strlen(text), i = 0, start = out->len, step;
	int dash = 0;
	uint32_t c;

	while (i < len) {
		unsigned char a = (unsigned char)text[i];
		if (a < 0x80) {
			i++;
			if (ascii_id[a] == 1)
				continue;
			if (ascii_id[a] == 0) {
				dash = 1;
				continue;
			}
			if (dash && out->len > start && out->len - start < TOC_ID_MAX)
				buf_putc(out, '-');
			dash = 0;
			if (out->len - start == TOC_ID_MAX)
				break;
			buf_putc(out, (char)ascii_id[a]);
			continue;
		}
		if ((step = utf8_next(text + i, len - i, &c)) == 0) {
			step = 1; /* not UTF-8: a separator, never copied */
			c = ' ';
		}
		i += step;
		if (dropped(c))
			continue;
		if (!kept(c)) {
			dash = 1;
			continue;
		}
		if (dash && out->len > start && out->len - start < TOC_ID_MAX)
			buf_put(out, "-", 1);
		dash = 0;
		{
			size_t before = out->len;
			put_cp(out, lower_cp(c));
			if (out->len - start > TOC_ID_MAX) {
				out->len = before; /* whole characters only */
				break;
			}
		}
	}
	while (out->len > start && out->data[out->len - 1] == '-')
		out->len--;
	if (out->len == start)
		buf_puts(out, "section");
	else if (out->data)
		out->data[out->len] = '\0';
}

/* The heading's text: its text and code, with line breaks as spaces. */
static void heading_text(cmark_node *h, struct buf *out)
{
	cmark_iter *it = cmark_iter_new(h);
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER)
			continue;
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			buf_puts(out, cmark_node_get_literal(n));
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			buf_puts(out, " ");
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
	if (out->data == NULL)
		buf_puts(out, "");
}

static int id_taken(const struct toc *toc, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < sizeof reserved_ids / sizeof reserved_ids[0]; i++)
		if (strcmp(reserved_ids[i], id) == 0)
			return 1;
	for (i = 0; i < n; i++)
		if (strcmp(toc->e[i].id, id) == 0)
			return 1;
	return 0;
}

void toc_free(struct toc *toc)
{
	size_t i;

	if (toc == NULL)
		return;
	for (i = 0; i < toc->n; i++) {
		free(toc->e[i].id);
		free(toc->e[i].text);
	}
	free(toc->e);
	toc->e = NULL;
	toc->n = 0;
}

/* Adds heading h to the toc with a unique id; text and id are work space. Returns 0 or -1
 * (the toc is then as it was). */
static int add_entry(struct toc *toc, size_t *cap, cmark_node *h, struct buf *text, struct buf *id)
{
	struct toc_entry *e;
	size_t base, k;

	buf_reset(text);
	buf_reset(id);
	heading_text(h, text);
	toc_slug(id, buf_str(text));
	base = id->len;
	for (k = 2; buf_ok(id) && id_taken(toc, toc->n, buf_str(id)); k++) {
		id->len = base;
		buf_printf(id, "-%zu", k);
	}
	if (!buf_ok(id) || !buf_ok(text))
		return -1;
	if (toc->n == *cap) {
		size_t n = *cap ? 2 * *cap : 8;
		if ((e = realloc(toc->e, n * sizeof *e)) == NULL)
			return -1;
		toc->e = e;
		*cap = n;
	}
	e = &toc->e[toc->n];
	e->id = strdup(buf_str(id));
	e->text = strdup(buf_str(text));
	if (e->id == NULL || e->text == NULL) {
		free(e->id);
		free(e->text);
		return -1;
	}
	toc->n++;
	return 0;
}

/* 1 for the blocks that can hold a heading. */
static int holds_blocks(cmark_node *n)
{
	cmark_node_type t = cmark_node_get_type(n);

	return t == CMARK_NODE_BLOCK_QUOTE || t == CMARK_NODE_LIST || t == CMARK_NODE_ITEM;
}

/* Collects the level-2 headings in document order with their ids. Returns 0 or -1. The
 * walk goes down only into the blocks that can hold one, never into a paragraph's
 * inline nodes (most of a document), and without recursion, however deep the nesting. */
static int collect(cmark_node *doc, struct toc *toc)
{
	struct buf text = BUF_INIT, id = BUF_INIT;
	cmark_node *n = cmark_node_first_child(doc), *c;
	size_t cap = 0;
	int rc = 0;

	while (n != NULL && rc == 0) {
		if (cmark_node_get_type(n) == CMARK_NODE_HEADING &&
		    cmark_node_get_heading_level(n) == 2)
			rc = add_entry(toc, &cap, n, &text, &id);
		if (holds_blocks(n) && (c = cmark_node_first_child(n)) != NULL) {
			n = c;
			continue;
		}
		while (n != doc && cmark_node_next(n) == NULL)
			n = cmark_node_parent(n);
		n = n == doc ? NULL : cmark_node_next(n);
	}
	buf_free(&text);
	buf_free(&id);
	return rc;
}

/* The next "<h2>" in [p, end), or NULL. Found by its '<' with memchr: twice as fast on a
 * rendered policy as strstr, whose generic version glibc picks on these machines. */
static const char *find_h2(const char *p, const char *end)
{
	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		if (end - p >= 4 && memcmp(p, "<h2>", 4) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* Writes html to page with the ids and back links. Headings render as exactly "<h2>"
 * (no source positions), and raw HTML never passes (safe mode), so each "<h2>" in the
 * output is one of the headings, in order. Returns 0, or -1 when the count differs (then
 * nothing is written). */
static int place(const char *html, size_t len, const struct toc *toc, const char *back_html,
                 struct buf *page)
{
	const char *p = html, *end = html + len, *h;
	size_t k, start = page->len;

	for (k = 0; (h = find_h2(p, end)) != NULL; k++) {
		if (k == toc->n)
			break;
		buf_put(page, p, (size_t)(h - p));
		if (k > 0)
			buf_puts(page, back_html);
		buf_puts(page, "<h2 id=\"");
		html_escapes(page, toc->e[k].id);
		buf_puts(page, "\">");
		p = h + 4;
	}
	if (h != NULL || k != toc->n) {
		/* Written in one pass, taken back when the count differs. */
		if (buf_ok(page) && page->data != NULL) {
			page->len = start;
			page->data[start] = '\0';
		}
		return -1;
	}
	buf_put(page, p, (size_t)(end - p));
	buf_puts(page, back_html);
	return 0;
}

int toc_render_doc(cmark_node *doc, cmark_mem *mem, const char *back_html, struct buf *plain,
                   struct buf *page, struct toc *toc)
{
	char *html;
	size_t len;
	int rc = 0;

	toc->e = NULL;
	toc->n = 0;
	if ((html = cmark_render_html(doc, CMARK_OPT_DEFAULT | CMARK_OPT_SMART)) == NULL)
		return -1;
	len = strlen(html);
	if (plain != NULL)
		buf_put(plain, html, len);
	if (collect(doc, toc) < 0)
		rc = -1;
	if (rc < 0 || toc->n < TOC_MIN || place(html, len, toc, back_html, page) < 0) {
		toc_free(toc);
		buf_put(page, html, len);
	}
	mem->free(html);
	return rc == 0 && (plain == NULL || buf_ok(plain)) && buf_ok(page) ? 0 : -1;
}

int toc_render(const char *md, size_t len, const char *back_html, struct buf *plain,
               struct buf *page, struct toc *toc)
{
	cmark_node *doc = cmark_parse_document(md, len, CMARK_OPT_DEFAULT | CMARK_OPT_SMART);
	int rc;

	toc->e = NULL;
	toc->n = 0;
	if (doc == NULL)
		return -1;
	rc = toc_render_doc(doc, cmark_get_default_mem_allocator(), back_html, plain, page, toc);
	cmark_node_free(doc);
	return rc;
}
