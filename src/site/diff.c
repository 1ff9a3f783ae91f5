/* diff: see diff.h. In order: Markdown to blocks (cmark), blocks to tokens, tokens to
 * integer ids, Myers' linear-space diff under a work budget (word level, else block level),
 * sliding changes onto block boundaries, the edit script, output blocks, HTML and stats. */
#include "diff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "html.h"

const char *const diff_level_names[DIFF_LEVEL__MAX] = {"words", "blocks", "whole"};

/* A token is a word or the start of a block of some kind. */
enum kind { K_WORD, K_P, K_LI, K_H1, K_H2, K_H3, K_H4, K_H5, K_H6, K__MAX };

static const char *const kind_tags[K__MAX] = {"p", "p", "li", "h1", "h2", "h3", "h4", "h5", "h6"};

#define IS_HEADING(k) ((k) >= K_H1)
#define NONE SIZE_MAX
#define PILCROW "\xc2\xb6"

struct block {
	enum kind kind;
	size_t off, len; /* its plain text in the side's text: words separated by any ASCII
	                    white space */
};

struct tok {
	const char *s; /* into a block's text; NULL for a block boundary */
	size_t len;
	enum kind kind;
	uint64_t h; /* of kind and text, made once per text however often it is compared */
};

/* One version of the policy. */
struct side {
	struct buf text; /* every block's text, each in one stretch (block_put) */
	struct block *blk;
	size_t nblk, cblk;
	struct tok *tok;
	size_t ntok, ctok;
	size_t *bstart;     /* token index of each non-empty block's boundary, then ntok */
	size_t *bblk;       /* the index in blk of each non-empty block */
	size_t nb;          /* non-empty blocks */
	unsigned char *chg; /* per token: removed (old side) or inserted (new side) */
};

/* Returns p grown to hold at least `need` elements of `size` bytes (updating *cap), or
 * NULL with p untouched. */
static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;

	while (n < need) {
		if (n > SIZE_MAX / 2)
			return NULL;
		n *= 2;
	}
	if (n > SIZE_MAX / size)
		return NULL;
	if (n == *cap)
		return p;
	if ((p = realloc(p, n * size)) != NULL)
		*cap = n;
	return p;
}

static void side_free(struct side *sd)
{
	buf_free(&sd->text);
	free(sd->blk);
	free(sd->tok);
	free(sd->bstart);
	free(sd->bblk);
	free(sd->chg);
	memset(sd, 0, sizeof(*sd));
}

static int side_add_block(struct side *sd, enum kind k, size_t *idx)
{
	struct block *p;

	if ((p = grow(sd->blk, &sd->cblk, sd->nblk + 1, sizeof(*p))) == NULL)
		return -1;
	sd->blk = p;
	p[sd->nblk].kind = k;
	p[sd->nblk].off = sd->text.len;
	p[sd->nblk].len = 0;
	*idx = sd->nblk++;
	return 0;
}

/* The block that a paragraph, heading or code block's text goes into: its list item's when
 * it sits directly in one (a list item is one block however many paragraphs it has), else
 * a new block of kind k. */
/* Appends n bytes to block idx's text. All the blocks share one buffer, so that a text of
 * hundreds of blocks makes a few allocations, not hundreds: a block's text is the stretch
 * written last, except when another block was written since (a list item's paragraph
 * after its nested list); then its stretch is first copied to the end. */
static void block_put(struct side *sd, size_t idx, const char *s, size_t n)
{
	struct block *b = &sd->blk[idx];
	struct buf *t = &sd->text;

	if (b->off + b->len != t->len) {
		if (buf_reserve(t, b->len + n) < 0)
			return;
		memcpy(t->data + t->len, t->data + b->off, b->len);
		b->off = t->len;
		t->len += b->len;
		t->data[t->len] = '\0';
	}
	buf_put(t, s, n);
	b->len += n;
}

static int leaf_target(struct side *sd, cmark_node *node, enum kind k, size_t *idx)
{
	cmark_node *parent = cmark_node_parent(node);
	uintptr_t item;

	if (parent != NULL && cmark_node_get_type(parent) == CMARK_NODE_ITEM &&
	    (item = (uintptr_t)cmark_node_get_user_data(parent)) != 0) {
		*idx = (size_t)(item - 1);
		block_put(sd, *idx, " ", 1);
		return 0;
	}
	return side_add_block(sd, k, idx);
}

static enum kind heading_kind(cmark_node *node)
{
	int level = cmark_node_get_heading_level(node);

	if (level < 1)
		level = 1;
	if (level > 6)
		level = 6;
	return (enum kind)(K_H1 + level - 1);
}

/* Appends a text literal of a document parsed with CMARK_OPT_SMART to block idx as the
 * same parse without it would have it: the typographic quotes, dashes and ellipsis go back
 * to the ASCII they came from. Exact only when the Markdown had none of those characters
 * itself and no entities (diff_text_from_doc checks). */
static void put_unsmart(struct side *sd, size_t idx, const char *s, size_t n)
{
	const char *p, *end = s + n;

	while ((p = memchr(s, 0xe2, (size_t)(end - s))) != NULL) {
		const char *ascii = NULL;
		if (end - p < 3 || (unsigned char)p[1] != 0x80) {
			block_put(sd, idx, s, (size_t)(p - s) + 1);
			s = p + 1;
			continue;
		}
		switch ((unsigned char)p[2]) {
		case 0x98: /* ‘ */
		case 0x99: /* ’ */
			ascii = "'";
			break;
		case 0x9c: /* “ */
		case 0x9d: /* ” */
			ascii = "\"";
			break;
		case 0x93: /* – */
			ascii = "--";
			break;
		case 0x94: /* — */
			ascii = "---";
			break;
		case 0xa6: /* … */
			ascii = "...";
			break;
		}
		if (ascii == NULL) {
			block_put(sd, idx, s, (size_t)(p - s) + 2);
			s = p + 2;
			continue;
		}
		block_put(sd, idx, s, (size_t)(p - s));
		block_put(sd, idx, ascii, strlen(ascii));
		s = p + 3;
	}
	block_put(sd, idx, s, (size_t)(end - s));
}

static void put_literal(struct side *sd, size_t idx, cmark_node *node, int unsmart)
{
	const char *s = cmark_node_get_literal(node);

	if (s != NULL && unsmart)
		put_unsmart(sd, idx, s, strlen(s));
	else if (s != NULL)
		block_put(sd, idx, s, strlen(s));
}

/* Reads the blocks of one version from its document, parsed from md_len bytes of
 * Markdown. Raw HTML, thematic breaks and link destinations are left out; block quotes
 * and code blocks become paragraphs. The iterator keeps deep nesting off the C stack. */
static int side_walk(struct side *sd, cmark_node *doc, size_t md_len, int unsmart)
{
	cmark_node *node;
	cmark_iter *it;
	cmark_event_type ev;
	size_t cur = NONE, idx;
	int rc = 0;

	/* The plain text is about as long as its Markdown: room for it at once. */
	if (buf_reserve(&sd->text, md_len) < 0 || (it = cmark_iter_new(doc)) == NULL)
		return -1;
	while (rc == 0 && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(it);
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_ITEM:
			if (ev == CMARK_EVENT_ENTER && (rc = side_add_block(sd, K_LI, &idx)) == 0)
				cmark_node_set_user_data(node, (void *)(uintptr_t)(idx + 1));
			break;
		case CMARK_NODE_PARAGRAPH:
			if (ev == CMARK_EVENT_ENTER)
				rc = leaf_target(sd, node, K_P, &cur);
			else
				cur = NONE;
			break;
		case CMARK_NODE_HEADING:
			if (ev == CMARK_EVENT_ENTER)
				rc = leaf_target(sd, node, heading_kind(node), &cur);
			else
				cur = NONE;
			break;
		case CMARK_NODE_CODE_BLOCK:
			if ((rc = leaf_target(sd, node, K_P, &idx)) == 0)
				put_literal(sd, idx, node, unsmart);
			break;
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			if (cur != NONE)
				put_literal(sd, cur, node, unsmart);
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			if (cur != NONE)
				block_put(sd, cur, " ", 1);
			break;
		default:
			/* Raw HTML, thematic breaks; containers and emphasis have no text. */
			break;
		}
	}
	cmark_iter_free(it);
	if (!buf_ok(&sd->text))
		rc = -1;
	return rc;
}

static int side_parse(struct side *sd, const char *md, size_t len)
{
	cmark_node *doc;
	int rc;

	if (md == NULL) {
		md = "";
		len = 0;
	}
	if ((doc = cmark_parse_document(md, len, CMARK_OPT_DEFAULT)) == NULL)
		return -1;
	rc = side_walk(sd, doc, len, 0);
	cmark_node_free(doc);
	return rc;
}

#define FNV_BASIS 14695981039346656037ULL
#define FNV_PRIME 1099511628211ULL

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n--)
		h = (h ^ *s++) * FNV_PRIME;
	return h;
}

static int side_add_tok(struct side *sd, const char *s, size_t len, enum kind k)
{
	struct tok *p;

	if ((p = grow(sd->tok, &sd->ctok, sd->ntok + 1, sizeof(*p))) == NULL)
		return -1;
	sd->tok = p;
	p[sd->ntok].s = s;
	p[sd->ntok].len = len;
	p[sd->ntok].kind = k;
	{
		unsigned char kb = (unsigned char)k;
		p[sd->ntok].h = fnv(fnv(FNV_BASIS, &kb, 1), s, len);
	}
	sd->ntok++;
	return 0;
}

/* Where a word ends: ASCII white space, the separators of words, and the NUL that
 * side_tokenize puts after the block it reads. */
static const unsigned char word_end[256] = {
    ['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1, [' '] = 1, ['\0'] = 1,
};

/* Splits every block into a boundary token and its words; blocks without words vanish.
 * Each word's hash is made as it is scanned (side_add_tok's, in one pass). Text literals
 * hold no NUL (cmark replaces it), so a NUL written over the byte after a block ends its
 * scan without a bounds check per byte. */
static int side_tokenize(struct side *sd)
{
	size_t i, cap = 0, most = 0;
	unsigned char *p, *end, *q, saved;
	unsigned char kw = (unsigned char)K_WORD;
	const uint64_t word_basis = fnv(FNV_BASIS, &kw, 1);
	struct tok *t;
	uint64_t h;

	if ((sd->bstart = grow(NULL, &cap, sd->nblk + 1, sizeof(size_t))) == NULL)
		return -1;
	cap = 0;
	if ((sd->bblk = grow(NULL, &cap, sd->nblk + 1, sizeof(size_t))) == NULL)
		return -1;
	/* At most a boundary and a word per two bytes in each block: room for all at once. */
	for (i = 0; i < sd->nblk; i++)
		most += 1 + (sd->blk[i].len + 1) / 2;
	if ((t = grow(sd->tok, &sd->ctok, sd->ntok + most + 1, sizeof(*t))) == NULL)
		return -1;
	sd->tok = t;
	for (i = 0; i < sd->nblk; i++) {
		size_t first = sd->ntok;
		if (sd->blk[i].len == 0)
			continue;
		p = (unsigned char *)sd->text.data + sd->blk[i].off;
		end = p + sd->blk[i].len;
		saved = *end;
		*end = '\0';
		for (;;) {
			while (p < end && word_end[*p])
				p++;
			if (p == end)
				break;
			for (q = p, h = word_basis; !word_end[*q]; q++)
				h = (h ^ *q) * FNV_PRIME;
			if (sd->ntok == first) {
				if (side_add_tok(sd, NULL, 0, sd->blk[i].kind) < 0)
					return -1;
				sd->bblk[sd->nb] = i;
				sd->bstart[sd->nb++] = first;
			}
			t = &sd->tok[sd->ntok++];
			t->s = (const char *)p;
			t->len = (size_t)(q - p);
			t->kind = K_WORD;
			t->h = h;
			p = q;
		}
		*end = saved;
	}
	sd->bstart[sd->nb] = sd->ntok;
	if ((sd->chg = calloc(sd->ntok + 1, 1)) == NULL)
		return -1;
	return 0;
}

/* Interning: ids[i] is the index of the first item equal to item i, for the n items (old
 * side's, then new side's) that the callbacks describe. */
struct items {
	struct side *s[2];
	uint64_t (*hash)(const struct items *, size_t);
	int (*eq)(const struct items *, size_t, size_t);
};

/* Equal tokens: the same kind and the same bytes (the hash only rules out quickly). */
static int same_tok(const struct tok *a, const struct tok *b)
{
	return a->h == b->h && a->kind == b->kind && a->len == b->len &&
	       (a->len == 0 || memcmp(a->s, b->s, a->len) == 0);
}

/* A block as its tokens (boundary first, so the kind counts). */
static const struct tok *item_block(const struct items *it, size_t i, size_t *n)
{
	int k = i >= it->s[0]->nb;
	const struct side *sd = it->s[k];
	size_t j = k ? i - it->s[0]->nb : i;

	*n = sd->bstart[j + 1] - sd->bstart[j];
	return sd->tok + sd->bstart[j];
}

static uint64_t block_hash(const struct items *it, size_t i)
{
	size_t n, k;
	const struct tok *t = item_block(it, i, &n);
	uint64_t h = FNV_BASIS;

	/* Word by word, from the words' own hashes: only where a block is looked up
	 * depends on it. */
	for (k = 0; k < n; k++)
		h = (h ^ t[k].h) * FNV_PRIME;
	return h ^ (h >> 32);
}

/* The text of block i of items it, as read (white space not yet collapsed). */
static const char *item_text(const struct items *it, size_t i, size_t *len)
{
	int k = i >= it->s[0]->nb;
	const struct side *sd = it->s[k];
	const struct block *b = &sd->blk[sd->bblk[k ? i - it->s[0]->nb : i]];

	*len = b->len;
	return sd->text.data + b->off;
}

/* Blocks are equal when all their tokens are, in order: at once when they are of one kind
 * and their texts the same bytes, as an unchanged block's nearly always are. */
static int block_eq(const struct items *it, size_t i, size_t j)
{
	size_t n, m, k, la, lb;
	const struct tok *a = item_block(it, i, &n), *b = item_block(it, j, &m);
	const char *ta, *tb;

	if (n != m)
		return 0;
	ta = item_text(it, i, &la);
	tb = item_text(it, j, &lb);
	if (a[0].kind == b[0].kind && la == lb && memcmp(ta, tb, la) == 0)
		return 1;
	for (k = 0; k < n; k++)
		if (!same_tok(&a[k], &b[k]))
			return 0;
	return 1;
}

/* An open-addressing table for n entries (0: empty), at least twice as large, a power of
 * two; *mask is its size less one. NULL when it cannot be made. */
static size_t *slots(size_t n, size_t *mask)
{
	size_t cap = 16, *slot;

	while (cap < n * 2) {
		if (cap > SIZE_MAX / 4)
			return NULL;
		cap *= 2;
	}
	if ((slot = calloc(cap, sizeof(*slot))) != NULL)
		*mask = cap - 1;
	return slot;
}

static int intern(const struct items *it, size_t n, size_t *ids)
{
	size_t mask, i, j, *slot;
	uint64_t h;

	if ((slot = slots(n, &mask)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		h = it->hash(it, i);
		h ^= h >> 29;
		for (j = (size_t)h & mask; slot[j] != 0; j = (j + 1) & mask)
			if (it->eq(it, slot[j] - 1, i))
				break;
		if (slot[j] == 0)
			slot[j] = i + 1;
		ids[i] = slot[j] - 1;
	}
	free(slot);
	return 0;
}

/* Interning of two ranges of tokens, old [x0, x1) then new [y0, y1): ida[i] and idb[i]
 * are the index, in that order, of the first token equal to old token x0 + i and new
 * token y0 + i. */
static int intern_ranges(const struct side *o, const struct side *n, size_t x0, size_t x1,
                         size_t y0, size_t y1, size_t *ida, size_t *idb)
{
	size_t na = x1 - x0, total = na + (y1 - y0), mask, i, j, k, *slot;
	const struct tok *t, *u;
	uint64_t h;

	if ((slot = slots(total, &mask)) == NULL)
		return -1;
	for (i = 0; i < total; i++) {
		t = i < na ? &o->tok[x0 + i] : &n->tok[y0 + i - na];
		h = t->h ^ (t->h >> 29);
		for (j = (size_t)h & mask; slot[j] != 0; j = (j + 1) & mask) {
			k = slot[j] - 1;
			u = k < na ? &o->tok[x0 + k] : &n->tok[y0 + k - na];
			if (same_tok(u, t))
				break;
		}
		if (slot[j] == 0)
			slot[j] = i + 1;
		if (i < na)
			ida[i] = slot[j] - 1;
		else
			idb[i - na] = slot[j] - 1;
	}
	free(slot);
	return 0;
}

/* Myers' O(ND) difference algorithm in linear space, after GNU diff's diffseq.h without
 * its heuristics: find the middle snake, recurse on both halves. ca[x] / cb[y] are set for
 * removed / inserted elements. `work` counts diagonals visited and snake steps; past
 * `budget` a subproblem is marked wholly changed and `exhausted` is set. */
struct myers {
	const size_t *a, *b;
	unsigned char *ca, *cb;
	ptrdiff_t *mem, *fd, *bd; /* fd, bd indexed by diagonal, -M-1 .. N+1 */
	unsigned long long work, budget;
	int exhausted;
};

static int myers_init(struct myers *m, const size_t *a, size_t n, const size_t *b, size_t mm,
                      unsigned char *ca, unsigned char *cb)
{
	size_t diags;

	memset(m, 0, sizeof(*m));
	if (n > PTRDIFF_MAX / 8 || mm > PTRDIFF_MAX / 8)
		return -1;
	diags = n + mm + 3;
	/* Not cleared: myers_split writes each diagonal (or its -1 / PTRDIFF_MAX sentinel)
	 * before reading it. */
	if ((m->mem = malloc(diags * 2 * sizeof(ptrdiff_t))) == NULL)
		return -1;
	m->fd = m->mem + mm + 1;
	m->bd = m->mem + diags + mm + 1;
	m->a = a;
	m->b = b;
	m->ca = ca;
	m->cb = cb;
	m->budget = DIFF_WORK_MAX;
	return 0;
}

/* Finds a point (*xmid, *ymid) on an optimal path through the middle of the edit graph of
 * a[xoff..xlim) and b[yoff..ylim), both non-empty. Returns 0, or -1 when over budget. */
static int myers_split(struct myers *m, ptrdiff_t xoff, ptrdiff_t xlim, ptrdiff_t yoff,
                       ptrdiff_t ylim, ptrdiff_t *xmid, ptrdiff_t *ymid)
{
	ptrdiff_t *fd = m->fd, *bd = m->bd;
	const size_t *a = m->a, *b = m->b;
	const ptrdiff_t dmin = xoff - ylim, dmax = xlim - yoff;
	const ptrdiff_t fmid = xoff - yoff, bmid = xlim - ylim;
	ptrdiff_t fmin = fmid, fmax = fmid, bmin = bmid, bmax = bmid, d, x, y, x0, tlo, thi;
	int odd = (fmid - bmid) & 1;

	fd[fmid] = xoff;
	bd[bmid] = xlim;
	for (;;) {
		if (m->work > m->budget) {
			m->exhausted = 1;
			return -1;
		}
		if (fmin > dmin)
			fd[--fmin - 1] = -1;
		else
			++fmin;
		if (fmax < dmax)
			fd[++fmax + 1] = -1;
		else
			--fmax;
		m->work += (unsigned long long)(fmax - fmin) / 2 + 1;
		for (d = fmax; d >= fmin; d -= 2) {
			tlo = fd[d - 1], thi = fd[d + 1];
			x0 = tlo < thi ? thi : tlo + 1;
			for (x = x0, y = x0 - d; x < xlim && y < ylim && a[x] == b[y]; x++, y++)
				continue;
			m->work += (unsigned long long)(x - x0);
			fd[d] = x;
			if (odd && bmin <= d && d <= bmax && bd[d] <= x) {
				*xmid = x, *ymid = y;
				return 0;
			}
		}
		if (bmin > dmin)
			bd[--bmin - 1] = PTRDIFF_MAX;
		else
			++bmin;
		if (bmax < dmax)
			bd[++bmax + 1] = PTRDIFF_MAX;
		else
			--bmax;
		m->work += (unsigned long long)(bmax - bmin) / 2 + 1;
		for (d = bmax; d >= bmin; d -= 2) {
			tlo = bd[d - 1], thi = bd[d + 1];
			x0 = tlo < thi ? tlo : thi - 1;
			for (x = x0, y = x0 - d; xoff < x && yoff < y && a[x - 1] == b[y - 1];
			     x--, y--)
				continue;
			m->work += (unsigned long long)(x0 - x);
			bd[d] = x;
			if (!odd && fmin <= d && d <= fmax && x <= fd[d]) {
				*xmid = x, *ymid = y;
				return 0;
			}
		}
	}
}

/* Recursion depth is about log2 of the edit distance: each half has at most half of it. */
static void myers_compare(struct myers *m, ptrdiff_t xoff, ptrdiff_t xlim, ptrdiff_t yoff,
                          ptrdiff_t ylim)
{
	ptrdiff_t xmid, ymid;

	while (xoff < xlim && yoff < ylim && m->a[xoff] == m->b[yoff])
		xoff++, yoff++;
	while (xoff < xlim && yoff < ylim && m->a[xlim - 1] == m->b[ylim - 1])
		xlim--, ylim--;
	if (xoff == xlim || yoff == ylim ||
	    myers_split(m, xoff, xlim, yoff, ylim, &xmid, &ymid) < 0) {
		memset(m->ca + xoff, 1, (size_t)(xlim - xoff));
		memset(m->cb + yoff, 1, (size_t)(ylim - yoff));
		return;
	}
	myers_compare(m, xoff, xmid, yoff, ymid);
	myers_compare(m, xmid, xlim, ymid, ylim);
}

/* Moves each run of changed tokens, within the stretch where it can slide without changing
 * what is common (equal tokens at both ends; never into another run), to the last place
 * where it starts with a block boundary, so that an added or removed block shows as one
 * block, not as the end of one and the start of the next. Runs without a boundary stay. */
static void slide(const struct tok *t, unsigned char *chg, size_t n)
{
	size_t i = 0, s, len, lo, hi, p, best;

	while (i < n) {
		if (!chg[i]) {
			/* Most tokens are unchanged: the next change at once. */
			const unsigned char *next = memchr(chg + i, 1, n - i);
			if (next == NULL)
				break;
			i = (size_t)(next - chg);
		}
		for (s = i; i < n && chg[i]; i++)
			continue;
		len = i - s;
		best = s;
		if (t[s].kind == K_WORD) {
			lo = hi = s;
			while (lo > 0 && same_tok(&t[lo - 1], &t[lo + len - 1]) &&
			       (lo < 2 || !chg[lo - 2]))
				lo--;
			while (hi + len < n && same_tok(&t[hi], &t[hi + len]) &&
			       (hi + len + 1 >= n || !chg[hi + len + 1]))
				hi++;
			for (p = hi + 1; p-- > lo;)
				if (t[p].kind != K_WORD) {
					best = p;
					break;
				}
		}
		if (best != s) {
			memset(chg + s, 0, len);
			memset(chg + best, 1, len);
			i = best + len;
		}
	}
}

/* Work space for compare_words, for sides of na and nb tokens with ids below na + nb. */
struct words {
	unsigned char *seen; /* per id: 1 in the old range, 2 in the new one */
	size_t *ida, *idb;   /* the ids of the tokens of the two ranges compared */
	size_t *ra, *rb, *ma, *mb;
	unsigned char *rca, *rcb;
};

static void words_free(struct words *w)
{
	free(w->seen);
	free(w->ida);
	free(w->idb);
	free(w->ra);
	free(w->rb);
	free(w->ma);
	free(w->mb);
	free(w->rca);
	free(w->rcb);
}

static int words_init(struct words *w, size_t na, size_t nb)
{
	w->seen = calloc(na + nb + 1, 1); /* the rest is written before it is read */
	w->ida = malloc((na + 1) * sizeof(size_t));
	w->idb = malloc((nb + 1) * sizeof(size_t));
	w->ra = malloc((na + 1) * sizeof(size_t));
	w->ma = malloc((na + 1) * sizeof(size_t));
	w->rb = malloc((nb + 1) * sizeof(size_t));
	w->mb = malloc((nb + 1) * sizeof(size_t));
	w->rca = malloc(na + 1);
	w->rcb = malloc(nb + 1);
	if (w->seen && w->ida && w->idb && w->ra && w->ma && w->rb && w->mb && w->rca && w->rcb)
		return 0;
	words_free(w);
	return -1;
}

/* Compares old tokens [x0, x1) with new tokens [y0, y1) word by word, marking o->chg and
 * n->chg. Only the tokens of the two ranges are interned (ids below their count): Myers'
 * algorithm sees only which are equal, so ids of the whole texts would give the same
 * result. A token whose word occurs nowhere in the other range is changed in every
 * alignment, so it is marked at once and left out, and Myers' algorithm runs on the rest
 * (GNU diff discards lines without a match the same way): as few changes as before, found
 * in a fraction of the time when a block was rewritten rather than edited. m's work count
 * carries over from stretch to stretch. Returns 0 or -1 (out of memory). */
static int compare_words(struct myers *m, struct words *w, struct side *o, struct side *n,
                         size_t x0, size_t x1, size_t y0, size_t y1)
{
	size_t x, y, na = 0, nb = 0, i;
	const size_t *ida = w->ida, *idb = w->idb;

	if (intern_ranges(o, n, x0, x1, y0, y1, w->ida, w->idb) < 0)
		return -1;
	for (x = x0; x < x1; x++)
		w->seen[ida[x - x0]] |= 1;
	for (y = y0; y < y1; y++)
		w->seen[idb[y - y0]] |= 2;
	for (x = x0; x < x1; x++) {
		if (w->seen[ida[x - x0]] & 2) {
			w->ra[na] = ida[x - x0];
			w->ma[na++] = x;
		} else {
			o->chg[x] = 1;
		}
	}
	for (y = y0; y < y1; y++) {
		if (w->seen[idb[y - y0]] & 1) {
			w->rb[nb] = idb[y - y0];
			w->mb[nb++] = y;
		} else {
			n->chg[y] = 1;
		}
	}
	for (x = x0; x < x1; x++)
		w->seen[ida[x - x0]] = 0;
	for (y = y0; y < y1; y++)
		w->seen[idb[y - y0]] = 0;
	memset(w->rca, 0, na);
	memset(w->rcb, 0, nb);
	m->a = w->ra;
	m->b = w->rb;
	m->ca = w->rca;
	m->cb = w->rcb;
	myers_compare(m, 0, (ptrdiff_t)na, 0, (ptrdiff_t)nb);
	for (i = 0; i < na; i++)
		if (w->rca[i])
			o->chg[w->ma[i]] = 1;
	for (i = 0; i < nb; i++)
		if (w->rcb[i])
			n->chg[w->mb[i]] = 1;
	return 0;
}

/* Marks every token of the blocks that the block-level comparison left unmatched. */
static void mark_blocks(struct side *o, struct side *n, const unsigned char *bc)
{
	size_t i;

	for (i = 0; i < o->nb; i++)
		if (bc[i])
			memset(o->chg + o->bstart[i], 1, o->bstart[i + 1] - o->bstart[i]);
	for (i = 0; i < n->nb; i++)
		if (bc[o->nb + i])
			memset(n->chg + n->bstart[i], 1, n->bstart[i + 1] - n->bstart[i]);
}

/* Marks removed and inserted tokens in o->chg and n->chg. Blocks are compared first, as
 * wholes (a block is equal only when every word and its kind are): blocks found in both
 * versions are unchanged, and only each stretch of unmatched blocks between two matched
 * ones, old against new, is compared word by word. A policy where one block in five
 * changed costs a few small comparisons instead of one over the whole text. When the
 * word-level comparisons together go over the budget, the changed blocks are replaced
 * whole (DIFF_BLOCKS); when even the block comparison does, DIFF_WHOLE. */
static int compare(struct side *o, struct side *n, enum diff_level *level)
{
	struct items it = {{o, n}, block_hash, block_eq};
	struct myers bm, wm;
	struct words w;
	size_t *bid = NULL, i, j;
	unsigned char *bc = NULL;
	int rc = -1;

	if ((bid = calloc(o->nb + n->nb + 1, sizeof(*bid))) == NULL ||
	    (bc = calloc(o->nb + n->nb + 1, 1)) == NULL)
		goto out;
	if (intern(&it, o->nb + n->nb, bid) < 0 ||
	    myers_init(&bm, bid, o->nb, bid + o->nb, n->nb, bc, bc + o->nb) < 0)
		goto out;
	myers_compare(&bm, 0, (ptrdiff_t)o->nb, 0, (ptrdiff_t)n->nb);
	free(bm.mem);
	if (bm.exhausted) {
		*level = DIFF_WHOLE;
		mark_blocks(o, n, bc);
	} else {
		if (words_init(&w, o->ntok, n->ntok) < 0)
			goto out;
		/* compare_words points it at each stretch's own arrays. */
		if (myers_init(&wm, NULL, o->ntok, NULL, n->ntok, o->chg, n->chg) < 0) {
			words_free(&w);
			goto out;
		}
		*level = DIFF_WORDS;
		/* Walk both block lists together; matched blocks pair up in order. */
		for (i = 0, j = 0; (i < o->nb || j < n->nb) && !wm.exhausted;) {
			size_t i0 = i, j0 = j;
			while (i < o->nb && bc[i])
				i++;
			while (j < n->nb && bc[o->nb + j])
				j++;
			if ((i > i0 || j > j0) &&
			    compare_words(&wm, &w, o, n, o->bstart[i0], o->bstart[i], n->bstart[j0],
			                  n->bstart[j]) < 0) {
				free(wm.mem);
				words_free(&w);
				goto out;
			}
			if (i < o->nb && j < n->nb) {
				i++;
				j++;
			}
		}
		free(wm.mem);
		words_free(&w);
		if (wm.exhausted) {
			memset(o->chg, 0, o->ntok);
			memset(n->chg, 0, n->ntok);
			mark_blocks(o, n, bc);
			*level = DIFF_BLOCKS;
		}
	}
	slide(o->tok, o->chg, o->ntok);
	slide(n->tok, n->chg, n->ntok);
	rc = 0;
out:
	free(bid);
	free(bc);
	return rc;
}

/* The edit script: every token once, in order; removals before insertions. */
enum op_type { OP_EQ, OP_DEL, OP_INS };

struct op {
	unsigned char type;  /* enum op_type */
	unsigned char kind;  /* t->kind, at hand for the passes over every op */
	const struct tok *t; /* the new side's token for OP_EQ */
};

static void put_op(struct op *ops, size_t *k, enum op_type type, const struct tok *t)
{
	ops[*k].type = (unsigned char)type;
	ops[*k].kind = (unsigned char)t->kind;
	ops[*k].t = t;
	(*k)++;
}

static struct op *build_ops(const struct side *o, const struct side *n, size_t *nops)
{
	struct op *ops;
	size_t i = 0, j = 0, k = 0, si, sj;

	/* Not cleared: every token gets its op below, in order. */
	if ((ops = malloc((o->ntok + n->ntok + 1) * sizeof(*ops))) == NULL)
		return NULL;
	while (i < o->ntok || j < n->ntok) {
		if (i < o->ntok && j < n->ntok && !o->chg[i] && !n->chg[j]) {
			put_op(ops, &k, OP_EQ, &n->tok[j]);
			i++;
			j++;
			continue;
		}
		si = i;
		sj = j;
		while (i < o->ntok && o->chg[i])
			put_op(ops, &k, OP_DEL, &o->tok[i++]);
		while (j < n->ntok && n->chg[j])
			put_op(ops, &k, OP_INS, &n->tok[j++]);
		if (i == si && j == sj) {
			/* Unpaired unchanged tokens: impossible, but never loop. */
			while (i < o->ntok)
				put_op(ops, &k, OP_DEL, &o->tok[i++]);
			while (j < n->ntok)
				put_op(ops, &k, OP_INS, &n->tok[j++]);
		}
	}
	*nops = k;
	return ops;
}

/* An output block: a stretch of the edit script shown as one element. */
enum state { S_SAME, S_ADDED, S_REMOVED, S_CHANGED, S__MAX };

static const char *const state_attrs[S__MAX] = {
    "", " class=\"diff-added\"", " class=\"diff-removed\"", " class=\"diff-changed\""};

struct oblk {
	size_t o0, o1;  /* ops [o0, o1) */
	size_t fused;   /* a second boundary (the block's new kind) not shown, or NONE */
	enum kind kind; /* element to use */
	enum state state;
	int show_lead; /* the opening boundary is shown as a ¶ (a split or a join) */
};

static size_t seg_end(const struct op *ops, size_t nops, size_t i)
{
	for (i++; i < nops && ops[i].kind == K_WORD; i++)
		continue;
	return i;
}

static int add_oblk(struct oblk **ob, size_t *nob, size_t *cap, size_t o0, size_t o1, size_t fused,
                    enum kind k)
{
	struct oblk *p;

	if ((p = grow(*ob, cap, *nob + 1, sizeof(*p))) == NULL)
		return -1;
	*ob = p;
	memset(&p[*nob], 0, sizeof(*p));
	p[*nob].o0 = o0;
	p[*nob].o1 = o1;
	p[*nob].fused = fused;
	p[*nob].kind = k == K_WORD ? K_P : k;
	(*nob)++;
	return 0;
}

/* Cuts the edit script into output blocks. A segment is a boundary and the words after it.
 * A removed boundary whose words all went too is a removed block, except that right before
 * an inserted boundary with no words of its own in between, or whose block keeps some old
 * words, the two are one block whose kind changed. A removed boundary followed by kept or
 * inserted words is a join: those words continue the block before, after a deleted ¶. */
static int build_blocks(const struct op *ops, size_t nops, struct oblk **pob, size_t *pnob)
{
	struct oblk *ob = NULL, *b;
	size_t nob = 0, cap = 0, i = 0, j, k, l;
	int nondel, eq, ins, del;

	while (i < nops) {
		j = seg_end(ops, nops, i);
		if (ops[i].type == OP_DEL && ops[i].kind != K_WORD) {
			for (nondel = 0, k = i + 1; k < j; k++)
				nondel |= ops[k].type != OP_DEL;
			if (!nondel && j < nops && ops[j].type == OP_INS) {
				k = seg_end(ops, nops, j);
				for (eq = 0, l = j + 1; l < k; l++)
					eq |= ops[l].type == OP_EQ;
				if (j == i + 1 || eq) {
					if (add_oblk(&ob, &nob, &cap, i, k, j, ops[j].kind) < 0)
						goto fail;
					i = k;
					continue;
				}
			}
			if (nondel && nob > 0) {
				ob[nob - 1].o1 = j;
				i = j;
				continue;
			}
		}
		if (add_oblk(&ob, &nob, &cap, i, j, NONE, ops[i].kind) < 0)
			goto fail;
		i = j;
	}
	for (b = ob; nob > 0 && b < ob + nob; b++) {
		unsigned types = 0; /* bit 1 << type for each type present */
		for (k = b->o0; k < b->o1; k++)
			types |= 1u << ops[k].type;
		eq = (types >> OP_EQ) & 1;
		ins = (types >> OP_INS) & 1;
		del = (types >> OP_DEL) & 1;
		if (b->fused != NONE)
			b->state = S_CHANGED;
		else if (ops[b->o0].type == OP_DEL && !eq && !ins)
			b->state = S_REMOVED;
		else if (ops[b->o0].type == OP_INS && !eq && !del)
			b->state = S_ADDED;
		else
			b->state = ins || del ? S_CHANGED : S_SAME;
		b->show_lead =
		    ops[b->o0].kind == K_WORD ||
		    (ops[b->o0].type != OP_EQ && b->state == S_CHANGED && b->fused == NONE);
	}
	*pob = ob;
	*pnob = nob;
	return 0;
fail:
	free(ob);
	return -1;
}

/* The end of the run of ops from k that render_block may escape as one stretch of text:
 * words of one type, each the next token of its side and one space after the one before
 * in its text, so that the stretch reads as the words joined by single spaces. */
static size_t word_run(const struct op *ops, const struct oblk *b, size_t k)
{
	size_t j;

	for (j = k + 1; j < b->o1 && j != b->fused && ops[j].type == ops[k].type; j++) {
		const struct tok *prev = ops[j - 1].t, *t = ops[j].t;
		if (t != prev + 1 || t->kind != K_WORD || t->s != prev->s + prev->len + 1 ||
		    prev->s[prev->len] != ' ')
			break;
	}
	return j;
}

static void render_block(struct buf *out, const struct op *ops, const struct oblk *b)
{
	size_t k, j;
	int cur = -1;

	buf_putc(out, '<');
	buf_puts(out, kind_tags[b->kind]);
	buf_puts(out, state_attrs[b->state]);
	buf_putc(out, '>');
	for (k = b->o0; k < b->o1; k++) {
		if (k == b->fused || (k == b->o0 && !b->show_lead))
			continue;
		if ((int)ops[k].type != cur) {
			if (cur == OP_DEL)
				buf_puts(out, "</del>");
			else if (cur == OP_INS)
				buf_puts(out, "</ins>");
			if (cur != -1)
				buf_putc(out, ' ');
			if (ops[k].type == OP_DEL)
				buf_puts(out, "<del>");
			else if (ops[k].type == OP_INS)
				buf_puts(out, "<ins>");
			cur = (int)ops[k].type;
		} else {
			buf_putc(out, ' ');
		}
		if (ops[k].kind != K_WORD) {
			buf_puts(out, PILCROW);
			continue;
		}
		j = word_run(ops, b, k) - 1;
		html_escape(out, ops[k].t->s, (size_t)(ops[j].t->s + ops[j].t->len - ops[k].t->s));
		k = j;
	}
	if (cur == OP_DEL)
		buf_puts(out, "</del>");
	else if (cur == OP_INS)
		buf_puts(out, "</ins>");
	buf_puts(out, "</");
	buf_puts(out, kind_tags[b->kind]);
	buf_puts(out, ">\n");
}

/* Which blocks to show: changed ones, headings, and DIFF_CONTEXT blocks either side of a
 * change; a lone hidden block is shown rather than replaced by a marker as long as itself. */
static unsigned char *visible_blocks(const struct oblk *ob, size_t nob)
{
	unsigned char *vis;
	size_t i, j, last = NONE;

	if ((vis = calloc(nob + 1, 1)) == NULL)
		return NULL;
	for (i = 0; i < nob; i++) {
		if (ob[i].state != S_SAME)
			last = i;
		vis[i] = ob[i].state != S_SAME || IS_HEADING(ob[i].kind) ||
		         (last != NONE && i - last <= DIFF_CONTEXT);
	}
	for (i = nob, last = NONE; i-- > 0;) {
		if (ob[i].state != S_SAME)
			last = i;
		if (last != NONE && last - i <= DIFF_CONTEXT)
			vis[i] = 1;
	}
	for (i = 0; i < nob; i = j + 1) {
		for (j = i; j < nob && !vis[j]; j++)
			continue;
		if (j == i + 1)
			vis[i] = 1;
	}
	return vis;
}

static void render(struct buf *out, const struct op *ops, const struct oblk *ob, size_t nob,
                   const unsigned char *vis)
{
	size_t i = 0;
	int inlist = 0, li;

	while (i < nob) {
		li = ob[i].kind == K_LI;
		if (!vis[i]) {
			if (inlist && !li) {
				buf_puts(out, "</ul>\n");
				inlist = 0;
			}
			buf_puts(out, inlist ? "<li class=\"diff-skip\">\xe2\x80\xa6</li>\n"
			                     : "<p class=\"diff-skip\">\xe2\x80\xa6</p>\n");
			while (i < nob && !vis[i])
				i++;
			continue;
		}
		if (li && !inlist)
			buf_puts(out, "<ul>\n");
		else if (!li && inlist)
			buf_puts(out, "</ul>\n");
		inlist = li;
		render_block(out, ops, &ob[i]);
		i++;
	}
	if (inlist)
		buf_puts(out, "</ul>\n");
}

/* The heading's words in the new version, or in the old one if it has none there. */
static char *heading_text(const struct op *ops, const struct oblk *b)
{
	struct buf t = BUF_INIT;
	size_t k;
	int pass;

	for (pass = 0; pass < 2 && t.len == 0; pass++)
		for (k = b->o0; k < b->o1; k++) {
			if (ops[k].kind != K_WORD || ops[k].type == (pass == 0 ? OP_DEL : OP_INS))
				continue;
			if (t.len)
				buf_putc(&t, ' ');
			buf_put(&t, ops[k].t->s, ops[k].t->len);
		}
	return buf_detach(&t);
}

static int add_heading(struct diff_stats *st, char *s)
{
	char **p;
	size_t i;

	for (i = 0; i < st->nheadings; i++)
		if (strcmp(st->headings[i], s) == 0) {
			free(s);
			return 0;
		}
	if (st->nheadings == DIFF_HEADINGS_MAX) {
		st->more_headings = 1;
		free(s);
		return 0;
	}
	if ((p = realloc(st->headings, (st->nheadings + 1) * sizeof(*p))) == NULL) {
		free(s);
		return -1;
	}
	st->headings = p;
	st->headings[st->nheadings++] = s;
	return 0;
}

static int fill_stats(struct diff_stats *st, const struct op *ops, size_t nops,
                      const struct oblk *ob, size_t nob)
{
	size_t i, section = NONE, listed = NONE;
	char *s;

	for (i = 0; i < nops; i++) {
		if (ops[i].kind != K_WORD)
			continue;
		if (ops[i].type == OP_INS)
			st->words_added++;
		else if (ops[i].type == OP_DEL)
			st->words_removed++;
	}
	for (i = 0; i < nob; i++) {
		if (IS_HEADING(ob[i].kind))
			section = i;
		if (ob[i].state == S_SAME)
			continue;
		st->blocks_changed++;
		st->blocks_added += ob[i].state == S_ADDED;
		st->blocks_removed += ob[i].state == S_REMOVED;
		if (section == NONE) {
			st->before_first_heading = 1;
			continue;
		}
		if (section == listed)
			continue;
		listed = section;
		if ((s = heading_text(ops, &ob[section])) == NULL || add_heading(st, s) < 0)
			return -1;
	}
	return 0;
}

/* The comparison of two read and tokenized versions; see diff_html. */
static int diff_sides(struct buf *out, struct side *o, struct side *n, struct diff_stats *st)
{
	struct diff_stats local;
	struct op *ops = NULL;
	struct oblk *ob = NULL;
	unsigned char *vis = NULL;
	size_t nops = 0, nob = 0, start = out->len;
	int rc = -1;

	if (st == NULL)
		st = &local;
	memset(st, 0, sizeof(*st));
	if (!buf_ok(out))
		goto out;
	/* A text compared before keeps its tokens; only the marks are new. */
	memset(o->chg, 0, o->ntok);
	memset(n->chg, 0, n->ntok);
	if (compare(o, n, &st->level) < 0)
		goto out;
	if ((ops = build_ops(o, n, &nops)) == NULL || build_blocks(ops, nops, &ob, &nob) < 0 ||
	    (vis = visible_blocks(ob, nob)) == NULL || fill_stats(st, ops, nops, ob, nob) < 0)
		goto out;
	render(out, ops, ob, nob, vis);
	if (buf_ok(out))
		rc = 0;
out:
	if (rc < 0) {
		diff_stats_free(st);
		if (buf_ok(out) && out->data != NULL) {
			out->len = start;
			out->data[start] = '\0';
		}
	}
	if (st == &local)
		diff_stats_free(st);
	free(vis);
	free(ob);
	free(ops);
	return rc;
}

int diff_html(struct buf *out, const char *old_md, size_t old_len, const char *new_md,
              size_t new_len, struct diff_stats *st)
{
	struct side o, n;
	int rc = -1;

	memset(&o, 0, sizeof(o));
	memset(&n, 0, sizeof(n));
	if (side_parse(&o, old_md, old_len) == 0 && side_parse(&n, new_md, new_len) == 0 &&
	    side_tokenize(&o) == 0 && side_tokenize(&n) == 0)
		rc = diff_sides(out, &o, &n, st);
	else if (st != NULL)
		memset(st, 0, sizeof(*st));
	side_free(&o);
	side_free(&n);
	return rc;
}

struct diff_text {
	struct side sd;
};

static struct diff_text *text_done(struct diff_text *t, int rc)
{
	if (rc == 0 && side_tokenize(&t->sd) == 0)
		return t;
	diff_text_free(t);
	return NULL;
}

struct diff_text *diff_text_new(const char *md, size_t len)
{
	struct diff_text *t = calloc(1, sizeof(*t));

	return t ? text_done(t, side_parse(&t->sd, md, len)) : NULL;
}

/* 1 when a CMARK_OPT_SMART parse of md can be turned back into the plain one exactly: md
 * has no typographic punctuation of its own (U+2010..U+201F, U+2026) and no entity or
 * numeric reference that could make some. */
static int unsmart_exact(const char *md, size_t len)
{
	const char *p = md, *end = md + len;

	if (memchr(md, '&', len) != NULL)
		return 0;
	while ((p = memchr(p, 0xe2, (size_t)(end - p))) != NULL) {
		if (end - p >= 3 && (unsigned char)p[1] == 0x80 &&
		    (((unsigned char)p[2] >= 0x90 && (unsigned char)p[2] <= 0x9f) ||
		     (unsigned char)p[2] == 0xa6))
			return 0;
		p++;
	}
	return 1;
}

struct diff_text *diff_text_from_doc(cmark_node *doc, const char *md, size_t len)
{
	struct diff_text *t;

	if (md == NULL || len == 0 || !unsmart_exact(md, len))
		return diff_text_new(md, len);
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	return text_done(t, side_walk(&t->sd, doc, len, 1));
}

void diff_text_free(struct diff_text *t)
{
	if (t == NULL)
		return;
	side_free(&t->sd);
	free(t);
}

int diff_html_texts(struct buf *out, struct diff_text *old, struct diff_text *new,
                    struct diff_stats *st)
{
	return diff_sides(out, &old->sd, &new->sd, st);
}

void diff_stats_free(struct diff_stats *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->nheadings; i++)
		free(st->headings[i]);
	free(st->headings);
	memset(st, 0, sizeof(*st));
}
