/* config: the one configuration file every program reads (policies.conf(5)).
 *
 * A file of "key = value" lines; '#' starts a comment line; blank lines are skipped.
 * Each value comes, highest precedence first, from:
 *   1. the command line (the program calls config_set with CONFIG_FROM_ARGS),
 *   2. the environment (CONSENT_DB, CONSENT_CONTENT, ... as in the table in config.c),
 *   3. the file: --config FILE, else $CONSENT_CONFIG, else the compiled-in default
 *      (CONFIG_FILE, set by `make SYSCONFDIR=...`; none in a development build), which
 *      may be absent,
 *   4. the built-in default.
 * Relative folder and file paths in the file are taken from the file's own folder. */
#ifndef CONFIG_H
#define CONFIG_H

#include "buf.h"

enum config_key {
	CONFIG_DB,          /* the consent database */
	CONFIG_CONTENT,     /* the content folder (site.yaml holds the school's details) */
	CONFIG_TEMPLATES,   /* the page templates */
	CONFIG_OUTPUT,      /* the built site, served as it is */
	CONFIG_STATE,       /* the generator's own state ("": its default beside the content) */
	CONFIG_PORTAL, /* the signable texts for the portal, not served */
	CONFIG_BASE_URL,    /* the address the site is served at ("": site.yaml's base_url) */
	CONFIG_BACKUPS,     /* where the daily backup goes */
	CONFIG_BACKUP_KEEP, /* how many daily backups are kept */
	CONFIG_REVIEW_MAIL, /* who gets the weekly review report ("": logged only) */
	CONFIG__MAX
};

enum config_from { CONFIG_FROM_DEFAULT, CONFIG_FROM_FILE, CONFIG_FROM_ENV, CONFIG_FROM_ARGS };

struct config {
	char *val[CONFIG__MAX]; /* owned; NULL: the built-in default */
	enum config_from from[CONFIG__MAX];
	char *file; /* the file read, or NULL */
};

/* The key's name in the file ("db"), its environment variable ("CONSENT_DB"). */
const char *config_name(enum config_key);
const char *config_env_name(enum config_key);

/* Fills c (zeroed first): reads file (NULL: $CONSENT_CONFIG, else the compiled-in default
 * when it exists), then the environment. Returns 0, or -1 with "FILE:LINE: what" in err;
 * a file named by the caller or $CONSENT_CONFIG that cannot be read is an error. */
int config_init(struct config *c, const char *file, struct buf *err);

/* Parses the text of a file (name for messages, dir for relative paths, may be NULL) at
 * precedence CONFIG_FROM_FILE. Returns 0, or -1 with "NAME:LINE: what" in err. */
int config_parse(struct config *c, const char *name, const char *dir, const char *text,
                 struct buf *err);

/* Sets a key by its name, unless it already has a value of higher precedence. Returns 0,
 * or -1 with a message in err when the key is unknown or the value not allowed. */
int config_set(struct config *c, const char *key, const char *value, enum config_from from,
               struct buf *err);

/* The value (never NULL: the default when unset). Valid until config_free. */
const char *config_get(const struct config *c, enum config_key);

/* Puts every value into the environment as its CONSENT_* variable, so the FastCGI
 * programs' set-up and the processes they start see the same settings. 0 or -1. */
int config_export(const struct config *c);

/* config_init then config_export: what every program's main does first. */
int config_setup(struct config *c, const char *file, struct buf *err);

/* Writes a "key = value" line for every setting, each after a comment line saying
 * where it came from (a valid configuration file itself). */
void config_dump(const struct config *c, struct buf *out);

void config_free(struct config *c);

#endif
