/* fmcache: parsed front matter kept between builds, so an unchanged file is neither read
 * nor parsed again. An entry is valid while the file's size, modification time (to the
 * nanosecond) and inode are those recorded; anything else reads the file afresh.
 *
 * The cache is a plain text file; a missing, foreign or damaged one is simply empty. */
#ifndef FMCACHE_H
#define FMCACHE_H

#include <sys/stat.h>

#include "arena.h"
#include "yml.h"

struct fmcache;

/* Reads the cache file at path (NULL or a missing file: an empty cache). NULL only
 * when out of memory. */
struct fmcache *fmcache_open(const char *path);
void fmcache_free(struct fmcache *);

/* The front matter of file path with status st, rebuilt in a, or NULL when the cache has
 * no valid entry. *body_line receives the line where the body starts. */
const struct yml *fmcache_get(struct fmcache *, struct arena *a, const char *path,
			      const struct stat *st, int *body_line);
/* 1 when the cache has an entry for path, valid or not: the file may not need reading. */
int fmcache_has(struct fmcache *, const char *path);
/* Records the front matter of a file that was read and parsed. */
void fmcache_put(struct fmcache *, const char *path, const struct stat *st, const struct yml *fm,
		 int body_line);
/* The names in folder path (as content's list_dir gives them: sorted, no dotfiles) when
 * it had status st, copied into a, or NULL when the cache has no valid entry for it. A
 * folder's list changes only with its modification time, so an unchanged rebuild lists
 * no folder; its files are still each checked against their own status. */
char **fmcache_dir_get(struct fmcache *, struct arena *a, const char *path, const struct stat *st,
                       size_t *n);
/* Records the names in folder path, listed after its status st was taken. */
void fmcache_dir_put(struct fmcache *, const char *path, const struct stat *st, char *const *names,
                     size_t n);
/* A cache for one of several threads loading at once: it looks entries up in base, which
 * no thread changes meanwhile (the entries found are marked used, each by one thread), and
 * keeps what is put in it for fmcache_merge. NULL only when out of memory. */
struct fmcache *fmcache_branch(struct fmcache *base);
/* Puts the entries put in the n branches into base, branch by branch, each in the order
 * they were put, and frees the branches (NULL ones are skipped): branches of different
 * parts of the content, merged in the order of the content, leave base as one thread
 * loading it all would have, so the file saved is the same. */
void fmcache_merge(struct fmcache *base, struct fmcache **branches, size_t n);
/* Writes the entries used (got or put) since fmcache_open to path, atomically.
 * Returns 0 or -1 (errno). */
int fmcache_save(struct fmcache *, const char *path);

#endif
