/* out: writes the generated site. A file is written only when its content changed, and
 * then atomically (a temporary file in the same folder, then renamed), so a web server
 * never serves a half-written page and an unchanged rebuild writes nothing. There is no
 * fsync: after a power cut the site is simply built again. */
#ifndef OUT_H
#define OUT_H

#include <stddef.h>

#include "buf.h"

#define OUT_MADE 8        /* folders remembered as made by this build */
#define OUT_MADE_PATH 512 /* longer folder paths are not remembered */

struct out {
	const char *dir; /* the output root */
	size_t written, unchanged;
	/* The folders this struct made most recently: a file in one of them cannot exist
	 * yet (a build writes each file once), so it is written without comparing. */
	char made[OUT_MADE][OUT_MADE_PATH];
	size_t nmade;
};

/* Writes data to dir/rel (rel is a relative path with '/' separators; folders are made as
 * needed). Returns 0, or -1 with "path: reason" appended to err. */
int out_write(struct out *, const char *rel, const char *data, size_t len, struct buf *err);

/* Makes every folder of path (a file's path) up to its parent. Returns 0 or -1 (errno). */
int out_mkdirs(const char *path);

#endif
