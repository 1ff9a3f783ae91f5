/* resident: the generator kept running (`policygen watch`). It loads the content and
 * builds once, exactly as `policygen build`, then keeps the loaded content in memory and,
 * when told what changed, reads again only those policy folders and rebuilds through the
 * same site_build: the same pages, indexes, feeds, sitemap, portal texts and state as a
 * one-shot build of the same content, byte for byte, without the one-shot build's
 * 28,000 file checks and 10 MB front-matter cache at 10,000 policies.
 *
 * resident_watch() is the loop of `policygen watch`: inotify on every folder of the
 * content and on the templates, changes arriving within a few milliseconds of each other
 * rebuilt together, one line per rebuild on standard output. */
#ifndef RESIDENT_H
#define RESIDENT_H

#include <stdio.h>

#include "buf.h"
#include "date.h"
#include "site.h"

struct resident_opts {
	const char *content, *templates, *out, *portal, *state;
	struct date today; /* used when today_given; otherwise the clock, day by day */
	int today_given;
};

struct resident;

/* A resident builder for these folders; nothing is read yet. NULL when out of memory. */
struct resident *resident_new(const struct resident_opts *);
void resident_free(struct resident *);

/* What changed since the last rebuild: one policy folder (content/policies/<slug>), the
 * templates, or anything else (everything is read again from disk). */
void resident_changed_policy(struct resident *, const char *slug);
void resident_changed_templates(struct resident *);
void resident_changed_all(struct resident *);

/* Reads what changed (everything, the first time) and rebuilds what depends on it.
 * Diagnostics go to standard error as `policygen build` prints them. Returns 0 when
 * built, 1 when the content has errors (nothing was written: the previous site stays),
 * -1 when the build failed (the message is on standard error). */
int resident_rebuild(struct resident *, struct site_stats *);

/* Where diagnostics go (NULL: standard error). */
void resident_log(struct resident *, FILE *);

/* For a program with a loop of its own (`policygen serve`): resident_watch_start sets up
 * the inotify watches; resident_catch_up, before each rebuild, reads the changes that
 * arrived since, without waiting. Each returns 0, or -1 with the reason on standard
 * error (then rebuild another way). */
int resident_watch_start(struct resident *);
int resident_catch_up(struct resident *);

/* Builds, then watches and rebuilds until SIGTERM or SIGINT; one line per rebuild on
 * standard output. Returns the exit status for the command line: 0 after a signal, 1
 * when the watch cannot be set up. */
int resident_watch(struct resident *);

#endif
