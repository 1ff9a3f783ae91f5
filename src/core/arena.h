/* arena: memory freed all at once, for one page render, one request or one content load.
 *
 * An allocation failure sets `oom` and returns NULL; callers that build a structure may
 * carry on and check arena_ok() once at the end (the tv functions accept NULL parents). */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena;

struct arena *arena_new(void);
/* Frees every allocation of the arena and the arena itself; NULL is fine. */
void arena_free(struct arena *);
/* Frees every allocation but keeps the arena (and its first block) for reuse. */
void arena_reset(struct arena *);
void *arena_alloc(struct arena *, size_t);     /* zeroed, aligned for any type */
char *arena_strdup(struct arena *, const char *);
char *arena_strndup(struct arena *, const char *, size_t);
char *arena_printf(struct arena *, const char *, ...) __attribute__((format(printf, 2, 3)));
/* The strings up to the NULL joined into one, as arena_printf("%s%s...") would make it
 * without parsing a format: for the paths and addresses every page makes dozens of. */
char *arena_cat(struct arena *, ...) __attribute__((sentinel));
int arena_ok(const struct arena *);

#endif
