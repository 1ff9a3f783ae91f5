/* portal: what the two FastCGI programs (sign.fcgi for parents, office.fcgi for staff)
 * share: start-up, the request check, rendering and plain messages, and the table from
 * consent errors to HTTP answers. Each program keeps only its routes and handlers.
 *
 * Start-up (portal_open) puts the configuration file (policies.conf(5), config.h) into
 * the environment and reads from it (docs/deploy.md): CONSENT_DB,
 * CONSENT_CONTENT (site.yaml, i18n/, consent.yaml), CONSENT_PORTAL (signable.tsv, written
 * by policygen build) and CONSENT_TEMPLATES. It opens the database, loads the settings,
 * the catalog and the templates, reads (or makes) the CSRF key and syncs the purposes and
 * the signable texts. A program whose start-up or sandbox fails serves every request
 * with 503 (portal_unavailable), in English and Welsh, rather than exiting: the web
 * server then has an answer to give, and the log says why (docs/decisions.md). */
#ifndef PORTAL_H
#define PORTAL_H

#include <stddef.h>
#include <sys/stat.h>

#include "arena.h"
#include "buf.h"
#include "catalog.h"
#include "cgi.h"
#include "consent.h"
#include "db.h"
#include "form.h"
#include "settings.h"
#include "tmpl.h"
#include "token.h"

#define PORTAL_MAX_PAGES 16

/* What lives as long as the process. portal_open fills it; portal_close frees it. */
struct portal {
	const char *name;        /* "sign.fcgi": the log's prefix */
	int broken;              /* set-up or sandbox failed: every request gets 503 */
	const char *unavailable; /* that 503's text; NULL: the parents' (English and Welsh) */
	const char *db_path, *content_dir, *portal_dir, *templates_dir;
	const char *tsv;    /* portal_dir/signable.tsv */
	struct stat tsv_st; /* as last synced; st_ino 0: never */
	struct db *db;
	struct settings *settings; /* the school's settings and UI strings */
	struct catalog *cat;
	struct arena *keep; /* lives as long as the process */
	struct tmpl *tmpl[PORTAL_MAX_PAGES];
	size_t ntmpl;
	unsigned char key[TOKEN_KEY_LEN]; /* CSRF and once-only values */
};

/* The value of environment variable name, or fallback when unset or empty. */
const char *portal_env(const char *name, const char *fallback);

/* "name: " + the message on standard error (the web server's error log). */
void portal_log(const struct portal *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Starts the portal p (zeroed by the caller but for name and unavailable) for program name with the
 * templates pages (npages at most PORTAL_MAX_PAGES), in the order of the program's page enum.
 * Returns 0, or -1 with what failed and what to do appended to err; portal_close frees either way.
 */
int portal_open(struct portal *p, const char *name, const char *const *pages, size_t npages,
                struct buf *err);
void portal_close(struct portal *);
/* portal_open in two steps, for a program that must start something between them (the
 * office starts its publishing helper before it opens anything): the configuration and
 * the folders' names from the environment, then the rest. Each returns 0 or -1 as
 * portal_open does. */
int portal_configure(struct portal *p, const char *name, struct buf *err);
int portal_load(struct portal *p, const char *const *pages, size_t npages, struct buf *err);

/* Enters the sandbox (sandbox.h: writes only beside the database) and logs its note.
 * On failure sets p->broken. Called once everything is loaded, and when start-up failed
 * too (the 503s are served confined). */
void portal_confine(struct portal *p);

/* Syncs the signable texts when signable.tsv changed since the last sync; a failed sync
 * is logged once and tried again when the file changes. */
void portal_sync_catalog(struct portal *);

/* Every UI string of language index li (of p->settings) as a dictionary for {{t.key}},
 * in p->keep; NULL when out of memory. */
struct tv *portal_strings(struct portal *, size_t li);

/* The answer to every request while broken: 503, plain text, p->unavailable or else in
 * English and Welsh. A cgi_handler whose ctx is the program's struct, which begins with
 * its struct portal. */
void portal_unavailable(const struct cgi_req *, struct cgi_resp *, void *ctx);

/* A plain-text answer "status Reason\ntext". */
void portal_plain(struct cgi_resp *, int status, const char *text);

/* Renders page (an index into p->tmpl) with root into resp's body. Returns 0, or -1 after
 * logging why (the caller answers with its error page). */
int portal_render(struct portal *, size_t page, const struct tv *root, struct arena *a,
                  struct cgi_resp *);

/* s percent-encoded for a URL path or query (url_encodes), in a; NULL when out of memory. */
const char *portal_url_encoded(struct arena *a, const char *s);

/* --- The request check --- */

/* The request methods: HEAD is served as GET (cgi.c drops the body). */
enum portal_method { PORTAL_GET, PORTAL_POST, PORTAL_OTHER, PORTAL_METHOD__MAX };
extern const char *const portal_method_names[PORTAL_METHOD__MAX];
enum portal_method portal_method(const char *method);

/* What portal_check_post finds. */
enum portal_check {
	PORTAL_OK,
	PORTAL_TOO_LARGE, /* body over FORM_MAX_BODY: 413 */
	PORTAL_TYPE,      /* not application/x-www-form-urlencoded: 415 */
	PORTAL_QUERY,     /* a query string on a POST: 400 */
	PORTAL_FIELDS,    /* the body fails the allow-list (form.h says which): 400 */
	PORTAL_CHECK__MAX
};
extern const char *const portal_check_names[PORTAL_CHECK__MAX];
extern const int portal_check_status[PORTAL_CHECK__MAX];

/* 1 when type is application/x-www-form-urlencoded (parameters allowed). */
int portal_urlencoded(const char *type);

/* Checks a POST: at most max_body bytes (0: FORM_MAX_BODY), urlencoded, no query
 * string, and its body parsed into f against the allow-list fields (form_parse_max;
 * f->err and f->errfield say why it failed). The same rules for both programs
 * (docs/security.md). */
enum portal_check portal_check_post(const struct cgi_req *, const struct form_field *fields,
                                    size_t nfields, size_t max_body, struct form *f);

/* --- Consent errors as HTTP answers --- */

/* The answer to a consent_record or consent_withdraw error: the status, and the parents'
 * UI string (for a 403 the message key_title/key_text, for a 400 the detail under "the
 * form could not be read"). The office shows its own bad-request page for a 4xx and its
 * error page for a 5xx, with the same status. CONSENT_OK and CONSENT_ERR_NOTHING are
 * answered by each handler (a redirect, or the form again). */
struct portal_answer {
	int status;
	const char *key;
};
extern const struct portal_answer portal_consent_answers[CONSENT_ERR__MAX];

#endif
