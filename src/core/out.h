/* out: writes the generated site. A file is written only when its content changed, and
 * then atomically (a temporary file in the same folder, then renamed), so a web server
 * never serves a half-written page and an unchanged rebuild writes nothing. There is no
 * fsync: after a power cut the site is simply built again.
 *
 * A folder that was empty (or missing) when the build began holds no page anyone has
 * been served: there, out_write creates each file in place (open with O_EXCL, one write)
 * instead of through a temporary file and a rename; O_EXCL never replaces a file, so one
 * that turns out to exist all the same is replaced atomically as usual (decisions.md). */
#ifndef OUT_H
#define OUT_H

#include <stddef.h>

#include "buf.h"

#define OUT_MADE 8        /* folders remembered as made by this build */
#define OUT_MADE_PATH 512 /* longer folder paths are not remembered */
#define OUT_KNOWN 16      /* folders remembered as existing, in a fresh folder */

struct out {
	const char *dir; /* the output root */
	size_t written, unchanged;
	/* The folders this struct made most recently: a file in one of them cannot exist
	 * yet (a build writes each file once), so it is written without comparing. */
	char made[OUT_MADE][OUT_MADE_PATH];
	size_t nmade;
	int fresh; /* set by out_begin: the folder was empty, files are created in place */
	/* In a fresh folder: folders known to exist, the least recently used replaced first,
	 * so that a file's missing folders are made top down, one mkdir each. */
	char known[OUT_KNOWN][OUT_MADE_PATH];
	unsigned long known_used[OUT_KNOWN], clock;
	size_t nknown;
	/* In a fresh folder: the root, open once it exists, so that files and folders are
	 * made from it, not by whole paths that the kernel walks from / every time (120,000
	 * of them at 10,000 policies): -1 until then, -2 when it cannot be opened. */
	int root;
};

/* Sets o->fresh when o->dir is missing or empty, before anything is written to it. */
void out_begin(struct out *o);
/* Closes the folder that writes after out_begin opened. */
void out_end(struct out *o);

/* Writes data to dir/rel (rel is a relative path with '/' separators; folders are made as
 * needed). Returns 0, or -1 with "path: reason" appended to err. */
int out_write(struct out *, const char *rel, const char *data, size_t len, struct buf *err);

/* out_write, but always through a temporary file and a rename, even in a fresh folder:
 * for files another program reads as soon as they exist (handoff.h). */
int out_write_renamed(struct out *, const char *rel, const char *data, size_t len,
                      struct buf *err);

/* Makes every folder of path (a file's path) up to its parent. Returns 0 or -1 (errno). */
int out_mkdirs(const char *path);

#endif
