/* settings: the school's settings and UI strings, shared by the generator and the portal.
 *
 *   DIR/site.yaml            name per language, base_url, languages, default_language,
 *                            address per language and contact {email, phone} (letters)
 *   DIR/i18n/<lang>.yaml     every UI string, flat key: text, and `terms:` (translations of
 *                            front-matter values written in the default language)
 *
 * Loading reads these files only, never the policies, and checks them; every problem is
 * passed to the caller's report function as "path, line, message" and counted, so the
 * generator lists them with its other diagnostics and the portal refuses to start. */
#ifndef SETTINGS_H
#define SETTINGS_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "yml.h"

#define SETTINGS_MAX_LANGS 8
/* The largest site.yaml or UI-strings file, in bytes. */
#define SETTINGS_MAX_FILE (1024 * 1024)

struct settings {
	struct arena *arena;                   /* everything below lives here */
	const char *dir;                       /* the folder given to settings_load */
	const char *langs[SETTINGS_MAX_LANGS]; /* langs[0] is the default language */
	size_t nlangs;                         /* at least 1 ("en" when site.yaml is unusable) */
	const char *name[SETTINGS_MAX_LANGS];  /* the school's name per language, "" if missing */
	const char *base_url;                  /* without a trailing slash; "" when missing;
	                                        * $CONSENT_BASE_URL when set (policies.conf(5)) */
	const struct yml *site;                /* site.yaml as a mapping, NULL when unreadable */
	const struct yml *i18n[SETTINGS_MAX_LANGS]; /* flat mapping of UI strings, or NULL */
	const struct yml *terms[SETTINGS_MAX_LANGS]; /* its terms: mapping, or NULL */
	size_t nerrors, nwarnings;
};

/* Called once per problem: error is 1 for an error, 0 for a warning; line 0 means the file
 * as a whole. path and msg are valid only during the call. */
typedef void settings_report_fn(void *ctx, int error, const char *path, int line, const char *msg);

/* Loads and checks the settings in dir. report may be NULL (problems are then only
 * counted). Returns NULL only when out of memory; otherwise check nerrors. Free with
 * settings_free (NULL is fine). */
struct settings *settings_load(const char *dir, settings_report_fn *report, void *ctx);
void settings_free(struct settings *);
/* As settings_load, for a program that needs settings without errors: returns NULL with
 * every error ("path:line: message" lines) and what to do appended to err when there is
 * any, or when out of memory. Warnings are ignored. */
struct settings *settings_open(const char *dir, struct buf *err);

/* Index of lang in langs, or -1. */
int settings_lang(const struct settings *, const char *lang);
/* The UI string key in language li, else in the default language, else the key itself
 * (check reports missing keys). */
const char *settings_string(const struct settings *, size_t li, const char *key);
/* The translation into language li of a value written in the default language, from the
 * `terms:` mapping; the value itself for the default language; NULL when missing. */
const char *settings_term(const struct settings *, size_t li, const char *value);
/* The path part of base_url without a trailing slash ("" at a host's root), in a; the
 * prefix of every address the site and the portal link to. */
const char *settings_url_path(const struct settings *, struct arena *a);
/* The same for any address url ("http://host/path/" gives "/path"). */
const char *settings_path_of(const char *url, struct arena *a);

#endif
