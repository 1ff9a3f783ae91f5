/* arena: memory freed all at once, for one page render, one request or one content load.
 *
 * An allocation failure sets `oom` and returns NULL; callers that build a structure may
 * carry on and check arena_ok() once at the end (the tv functions accept NULL parents). */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>
#include <string.h>

struct arena;

struct arena *arena_new(void);
/* Frees every allocation of the arena and the arena itself; NULL is fine. */
void arena_free(struct arena *);
/* Frees every allocation but keeps the arena (and its first block) for reuse. */
void arena_reset(struct arena *);
/* n bytes, aligned for any type, not cleared; NULL when out of memory. */
void *arena_alloc_raw(struct arena *, size_t n);

/* The same, zeroed. Inline, so that a size known where it is called (a template value,
 * dozens per page) is cleared with a few stores instead of a call to memset. */
static inline void *arena_alloc(struct arena *a, size_t n)
{
	void *p = arena_alloc_raw(a, n);

	if (p)
		memset(p, 0, n);
	return p;
}
char *arena_strdup(struct arena *, const char *);
char *arena_strndup(struct arena *, const char *, size_t);
char *arena_printf(struct arena *, const char *, ...) __attribute__((format(printf, 2, 3)));
/* The strings up to the NULL joined into one, as arena_printf("%s%s...") would make it
 * without parsing a format: for the paths and addresses every page makes dozens of. */
char *arena_cat(struct arena *, ...) __attribute__((sentinel));
int arena_ok(const struct arena *);

#endif
