#include "cmem.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMEM_BLOCK (512 * 1024) /* bytes per block; larger requests get their own */
#define ALIGN 16

/* Each allocation is preceded by its size, so that realloc knows how much to copy. */
struct hdr {
	size_t size;
	size_t pad; /* keeps the data ALIGN-aligned */
};

struct block {
	struct block *next;
	size_t cap, used;
	max_align_t data[];
};

struct cmem {
	cmark_mem mem; /* first, so that a cmark_mem * is the cmem's address */
	struct block *head;
	struct hdr *last; /* the latest allocation, which realloc can grow in place */
};

/* cmark's callbacks carry no context: they allocate from the cmem last given to cmark
 * by cmem_mem() (or cmem_parse()). One process uses one cmem at a time. */
static struct cmem *active;

static struct cmem *current(void)
{
	return active;
}

static void die(void)
{
	fputs("policygen: out of memory in libcmark\n", stderr);
	abort();
}

static size_t round_up(size_t n)
{
	return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

/* take() when the current block has no room, or size is absurd: the allocation from a
 * new block. Out of line, so that take() itself stays a few instructions. */
static __attribute__((noinline)) struct hdr *take_new(struct cmem *c, size_t size)
{
	size_t need, cap;
	struct block *b;
	struct hdr *h;

	if (size > SIZE_MAX / 2)
		die();
	need = sizeof(struct hdr) + round_up(size);
	cap = need > CMEM_BLOCK ? need : CMEM_BLOCK;
	if ((b = malloc(sizeof *b + cap)) == NULL)
		die();
	b->cap = cap;
	b->used = need;
	b->next = c->head;
	c->head = b;
	h = (struct hdr *)b->data;
	h->size = round_up(size);
	c->last = h;
	return h;
}

/* An allocation of size bytes. Inline: libcmark asks for memory millions of times per
 * build, nearly always for a few dozen bytes that fit in the current block. */
static inline struct hdr *take(struct cmem *c, size_t size)
{
	struct block *b = c->head;
	size_t rounded = round_up(size), need = sizeof(struct hdr) + rounded;
	struct hdr *h;

	if (__builtin_expect(b == NULL || size > SIZE_MAX / 2 || b->cap - b->used < need, 0))
		return take_new(c, size);
	h = (struct hdr *)((char *)b->data + b->used);
	b->used += need;
	h->size = rounded;
	c->last = h;
	return h;
}

static void *cm_calloc(size_t n, size_t size)
{
	size_t bytes;
	struct hdr *h;

	if (__builtin_mul_overflow(n, size, &bytes))
		die();
	h = take(current(), bytes);
	return memset(h + 1, 0, h->size);
}

/* cm_realloc of an allocation p that is too small for size bytes. */
static __attribute__((noinline)) void *regrow(struct cmem *c, void *p, size_t size)
{
	struct hdr *h, *old = (struct hdr *)p - 1;
	struct block *b = c->head;

	if (old == c->last && b != NULL && size <= SIZE_MAX / 2) {
		/* The latest allocation grows where it is when its block has room. */
		size_t extra = round_up(size) - old->size;
		if (b->cap - b->used >= extra) {
			b->used += extra;
			old->size += extra;
			return p;
		}
	}
	h = take(c, size);
	memcpy(h + 1, p, old->size);
	return h + 1;
}

static void *cm_realloc(void *p, size_t size)
{
	if (p == NULL)
		return take(current(), size) + 1;
	if (((struct hdr *)p - 1)->size >= size)
		return p;
	return regrow(current(), p, size);
}

static void cm_free(void *p)
{
	(void)p;
}

struct cmem *cmem_new(void)
{
	struct cmem *c = calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	c->mem.calloc = cm_calloc;
	c->mem.realloc = cm_realloc;
	c->mem.free = cm_free;
	return c;
}

void cmem_reset(struct cmem *c)
{
	struct block *b, *next;

	if (c == NULL || c->head == NULL)
		return;
	/* The newest block is kept; older ones (the document outgrew it) go. */
	for (b = c->head->next; b; b = next) {
		next = b->next;
		free(b);
	}
	c->head->next = NULL;
	c->head->used = 0;
	c->last = NULL;
}

void cmem_free(struct cmem *c)
{
	if (c == NULL)
		return;
	cmem_reset(c);
	free(c->head);
	if (active == c)
		active = NULL;
	free(c);
}

cmark_mem *cmem_mem(struct cmem *c)
{
	active = c;
	return &c->mem;
}

cmark_node *cmem_parse(struct cmem *c, const char *md, size_t len, int options)
{
	cmark_parser *p = cmark_parser_new_with_mem(options, cmem_mem(c));
	cmark_node *doc;

	if (p == NULL)
		return NULL;
	cmark_parser_feed(p, md, len);
	doc = cmark_parser_finish(p);
	cmark_parser_free(p);
	return doc;
}
