/* sitestate: what the last build of a site wrote, so the next one redoes only what
 * changed. Kept outside the site, in <state>/SITESTATE_FILE (policygen build --state):
 *
 *   policygen-state 2
 *   O <folder>              the output folder the state describes (absolute)
 *   H <folder>              the portal's folder (handoff.h) it describes (absolute)
 *   G <key>                 the key of the whole site: of the global key and every policy's
 *   M <key>                 the key of what the indexes, feeds and sitemap show: the global
 *                           key and every policy's front matter and publication
 *   P <slug> <key>          one line per policy built, in slug order, then its
 *   S <signable.tsv line>   lines of signable.tsv, if any
 *
 * A policy's key is a BLAKE2b hash (256 bits; faster than SHA-256 for what runs on every
 * build) over everything its pages depend on: the templates, the site settings and UI
 * strings, the policygen program itself (the "global" key), and the policy's own files
 * (their size, modification time and inode) and which of its versions are published
 * today. Equal keys mean its pages would come out the same. */
#ifndef SITESTATE_H
#define SITESTATE_H

#include "buf.h"
#include "content.h"

#define SITESTATE_KEY_HEX 65 /* 64 hex digits and a NUL */
#define SITESTATE_FILE "build-state"   /* in the state folder */
#define SITESTATE_CACHE "front-matter" /* in the state folder: fmcache.h */

struct sitestate;

/* The state in statedir of the last build into outdir and portaldir: empty when there is
 * none, it is damaged, it was made for other folders, or outdir has no index.html or
 * portaldir no signable.tsv (they were emptied since). NULL only when out of memory. */
struct sitestate *sitestate_read(const char *statedir, const char *outdir, const char *portaldir);
void sitestate_free(struct sitestate *);
/* The whole site's key recorded, or NULL; likewise the key of the lists (M). */
const char *sitestate_site_key(const struct sitestate *);
const char *sitestate_lists_key(const struct sitestate *);
/* The key recorded for slug, or NULL. */
const char *sitestate_key(const struct sitestate *, const char *slug);
/* The signable.tsv lines recorded for slug ("" when none), or NULL when slug is absent. */
const char *sitestate_signable(const struct sitestate *, const char *slug);
/* The recorded slugs, in order; *n receives the count. */
const char *const *sitestate_slugs(const struct sitestate *, size_t *n);

/* The global key: templates in tdir, site.yaml and i18n of s, and this program.
 * Returns 0, or -1 with a message in err. */
int sitestate_global(const struct content *s, const char *tdir, unsigned char key[32],
                     struct buf *err);
/* A policy's key, as hex. */
void sitestate_policy_key(const unsigned char global[32], const struct content *s,
                          const struct policy *p, char hex[SITESTATE_KEY_HEX]);

/* Appends one policy's record (its key and signable lines) to the text of a new state. */
void sitestate_add(struct buf *state, const char *slug, const char *key, const char *signable);
/* The whole site's key from the global key and every policy's key, in order. */
void sitestate_site(const unsigned char global[32], char (*keys)[SITESTATE_KEY_HEX], size_t n,
		    char hex[SITESTATE_KEY_HEX]);
/* The key of what the indexes, feeds and sitemap show (see M above). */
void sitestate_lists(const unsigned char global[32], const struct content *s,
                     char hex[SITESTATE_KEY_HEX]);
/* The header a new state text starts with. */
void sitestate_begin(struct buf *state, const char *outdir, const char *portaldir,
                     const char *site_key, const char *lists_key);

#endif
