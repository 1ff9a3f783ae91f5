#include "arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 16384

struct block {
	struct block *next;
	size_t used, size;
	_Alignas(max_align_t) unsigned char data[];
};

struct arena {
	struct block *head;
	int oom;
};

static struct block *block_new(size_t size)
{
	struct block *b = malloc(sizeof *b + size);

	if (b) {
		b->next = NULL;
		b->used = 0;
		b->size = size;
	}
	return b;
}

struct arena *arena_new(void)
{
	struct arena *a = calloc(1, sizeof *a);

	if (a && (a->head = block_new(ARENA_BLOCK)) == NULL) {
		free(a);
		return NULL;
	}
	return a;
}

static void free_blocks(struct block *b)
{
	while (b) {
		struct block *next = b->next;
		free(b);
		b = next;
	}
}

void arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	free_blocks(a->head);
	free(a);
}

void arena_reset(struct arena *a)
{
	struct block *last = a->head;

	/* Keep the oldest (last in the list) block, which is a standard-sized one. */
	while (last->next)
		last = last->next;
	if (last != a->head) {
		struct block *b = a->head;
		while (b != last) {
			struct block *next = b->next;
			free(b);
			b = next;
		}
	}
	last->used = 0;
	a->head = last;
	a->oom = 0;
}

void *arena_alloc_raw(struct arena *a, size_t n)
{
	const size_t align = _Alignof(max_align_t);
	struct block *b = a->head;
	void *p;

	if (n > (size_t)-1 / 2)
		goto fail;
	n = (n + align - 1) & ~(align - 1);
	if (n == 0)
		n = align;
	if (b->size - b->used < n) {
		size_t size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
		struct block *nb = block_new(size);
		if (nb == NULL)
			goto fail;
		if (size == n && b->size - b->used > 0) {
			/* A large allocation gets a block of its own behind the current one. */
			nb->next = b->next;
			b->next = nb;
			b = nb;
		} else {
			nb->next = b;
			a->head = b = nb;
		}
	}
	p = b->data + b->used;
	b->used += n;
	return p;
fail:
	a->oom = 1;
	return NULL;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc_raw(a, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	const size_t align = _Alignof(max_align_t);
	struct block *b = a->head;
	size_t room = b->size - b->used;
	char *p = (char *)b->data + b->used;
	va_list ap;
	int n;

	/* Printed where it will stay when it fits, so most strings are formatted once. */
	va_start(ap, fmt);
	n = vsnprintf(p, room, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < room) {
		b->used += ((size_t)n + align) & ~(align - 1); /* n + 1 rounded up */
		return p;
	}
	if (n < 0 || (p = arena_alloc_raw(a, (size_t)n + 1)) == NULL) {
		a->oom = 1;
		return NULL;
	}
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

#define CAT_KNOWN 8 /* parts whose length arena_cat measures once */

char *arena_cat(struct arena *a, ...)
{
	const char *s;
	size_t len = 0, n, known[CAT_KNOWN], i;
	char *p, *q;
	va_list ap;

	va_start(ap, a);
	for (i = 0; (s = va_arg(ap, const char *)) != NULL; i++) {
		n = strlen(s);
		if (i < CAT_KNOWN)
			known[i] = n;
		len += n;
	}
	va_end(ap);
	if ((p = q = arena_alloc_raw(a, len + 1)) == NULL)
		return NULL;
	va_start(ap, a);
	for (i = 0; (s = va_arg(ap, const char *)) != NULL; i++) {
		n = i < CAT_KNOWN ? known[i] : strlen(s);
		memcpy(q, s, n);
		q += n;
	}
	va_end(ap);
	*q = '\0';
	return p;
}

int arena_ok(const struct arena *a)
{
	return !a->oom;
}
