/* portal: start-up, request check and answers shared by sign.fcgi and office.fcgi. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "config.h"
#include "handoff.h"
#include "html.h"
#include "portal.h"
#include "sandbox.h"

const char *const portal_method_names[PORTAL_METHOD__MAX] = {"get", "post", "other"};

const char *const portal_check_names[PORTAL_CHECK__MAX] = {"ok", "too-large", "type", "query",
                                                           "fields"};
const int portal_check_status[PORTAL_CHECK__MAX] = {200, 413, 415, 400, 400};

const struct portal_answer portal_consent_answers[CONSENT_ERR__MAX] = {
    [CONSENT_OK] = {303, NULL},
    [CONSENT_ERR_NAME] = {400, "sign_formerr_value"},
    [CONSENT_ERR_CHILD] = {403, "sign_child"},
    [CONSENT_ERR_PURPOSE] = {400, "sign_formerr_stale"},
    [CONSENT_ERR_ANSWER] = {400, "sign_formerr_value"},
    [CONSENT_ERR_DOCUMENT] = {400, "sign_formerr_stale"},
    [CONSENT_ERR_DUPLICATE] = {400, "sign_formerr_value"},
    [CONSENT_ERR_NOTHING] = {303, NULL},
    [CONSENT_ERR_DB] = {500, "sign_error"},
};

const char *portal_env(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

void portal_log(const struct portal *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", p->name ? p->name : "portal");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int portal_configure(struct portal *p, const char *name, struct buf *err)
{
	struct config cfg;
	int rc;

	p->name = name;
	/* The configuration file (policies.conf(5)) into the environment, read below. */
	rc = config_setup(&cfg, NULL, err);
	config_free(&cfg);
	if (rc < 0)
		return -1;
	if (token_init() < 0 || (p->keep = arena_new()) == NULL) {
		buf_puts(err, "cannot start libsodium or allocate memory\n");
		return -1;
	}
	/* Kept: getenv's strings may change under a FastCGI loop. */
	p->db_path = arena_strdup(p->keep, portal_env("CONSENT_DB", "var/consent.db"));
	p->content_dir = arena_strdup(p->keep, portal_env("CONSENT_CONTENT", "content"));
	p->portal_dir = arena_strdup(p->keep, portal_env("CONSENT_PORTAL", "var/portal"));
	p->templates_dir = arena_strdup(p->keep, portal_env("CONSENT_TEMPLATES", "templates"));
	p->tsv = arena_printf(p->keep, "%s/%s", p->portal_dir, HANDOFF_SIGNABLE);
	if (!arena_ok(p->keep)) {
		buf_puts(err, "out of memory\n");
		return -1;
	}
	return 0;
}

int portal_open(struct portal *p, const char *name, const char *const *pages, size_t npages,
                struct buf *err)
{
	if (portal_configure(p, name, err) < 0)
		return -1;
	return portal_load(p, pages, npages, err);
}

int portal_load(struct portal *p, const char *const *pages, size_t npages, struct buf *err)
{
	if (npages > PORTAL_MAX_PAGES) {
		buf_printf(err, "%s: %zu pages, more than PORTAL_MAX_PAGES\n", p->name, npages);
		return -1;
	}
	if ((p->settings = settings_open(p->content_dir, err)) == NULL)
		return -1;
	for (p->ntmpl = 0; p->ntmpl < npages; p->ntmpl++)
		if ((p->tmpl[p->ntmpl] = tmpl_load(p->templates_dir, pages[p->ntmpl], err)) == NULL)
			return -1;
	if ((p->cat = catalog_load(arena_printf(p->keep, "%s/consent.yaml", p->content_dir),
	                           err)) == NULL)
		return -1;
	if ((p->db = db_open(p->db_path, DB_OPEN_EXISTING, err)) == NULL)
		return -1;
	if (consent_csrf_key(p->db, p->key) < 0) {
		buf_printf(err, "%s: cannot read or make the CSRF key: %s\n", p->db_path,
		           db_errmsg(p->db));
		return -1;
	}
	if (catalog_sync(p->db, p->cat, NULL, err) < 0) {
		buf_printf(err, "%s: cannot sync the purposes (consentctl init?)\n", p->db_path);
		return -1;
	}
	portal_sync_catalog(p);
	return 0;
}

void portal_close(struct portal *p)
{
	size_t i;

	for (i = 0; i < p->ntmpl; i++)
		tmpl_free(p->tmpl[i]);
	catalog_free(p->cat);
	settings_free(p->settings);
	db_close(p->db);
	arena_free(p->keep);
	sodium_memzero(p->key, sizeof p->key);
	memset(p, 0, sizeof *p);
}

void portal_confine(struct portal *p)
{
	struct buf note = BUF_INIT, err = BUF_INIT;

	if (sandbox_enter_for_db(p->db_path ? p->db_path
	                                    : portal_env("CONSENT_DB", "var/consent.db"),
	                         &note, &err) < 0) {
		portal_log(p, "cannot enter the sandbox (CONSENT_SANDBOX=0 runs without it): %.*s",
		           (int)(err.len ? err.len - 1 : 0), buf_str(&err));
		p->broken = 1;
	}
	if (note.len)
		portal_log(p, "%.*s", (int)note.len - 1, buf_str(&note));
	buf_free(&note);
	buf_free(&err);
}

void portal_sync_catalog(struct portal *p)
{
	struct stat st;
	struct buf err = BUF_INIT;

	if (stat(p->tsv, &st) != 0)
		return;
	if (p->tsv_st.st_ino == st.st_ino && p->tsv_st.st_size == st.st_size &&
	    p->tsv_st.st_mtim.tv_sec == st.st_mtim.tv_sec &&
	    p->tsv_st.st_mtim.tv_nsec == st.st_mtim.tv_nsec)
		return;
	if (catalog_sync(p->db, p->cat, p->tsv, &err) < 0)
		portal_log(p, "%s: the documents were not synced: %s", p->tsv, buf_str(&err));
	p->tsv_st = st;
	buf_free(&err);
}

struct tv *portal_strings(struct portal *p, size_t li)
{
	struct tv *t = tv_dict(p->keep);
	const struct yml *e;

	for (e = p->settings->i18n[0] ? p->settings->i18n[0]->first : NULL; e; e = e->next)
		tv_str(t, e->key, settings_string(p->settings, li, e->key));
	tv_index(t); /* every page looks up dozens of its hundreds of strings */
	return arena_ok(p->keep) ? t : NULL;
}

void portal_plain(struct cgi_resp *resp, int status, const char *text)
{
	resp->status = status;
	resp->content_type = "text/plain; charset=utf-8";
	buf_reset(&resp->body);
	buf_printf(&resp->body, "%d %s\n%s", status, cgi_status_text(status), text);
}

void portal_unavailable(const struct cgi_req *req, struct cgi_resp *resp, void *ctx)
{
	const struct portal *p = ctx;

	(void)req;
	portal_plain(
	    resp, 503,
	    p && p->unavailable
	        ? p->unavailable
	        : "The school's consent pages are not available just now. Nothing has been "
	          "saved. Please try again later, or contact the school office.\n\n"
	          "Nid yw tudalennau caniatâd yr ysgol ar gael ar hyn o bryd. Nid oes dim "
	          "wedi'i gadw. Rhowch gynnig arall arni yn nes ymlaen, neu cysylltwch â "
	          "swyddfa'r ysgol.\n");
}

int portal_render(struct portal *p, size_t page, const struct tv *root, struct arena *a,
                  struct cgi_resp *resp)
{
	struct buf err = BUF_INIT;
	int rc = 0;

	buf_reset(&resp->body);
	if (!arena_ok(a)) {
		portal_log(p, "out of memory");
		return -1;
	}
	if (page >= p->ntmpl || tmpl_render(p->tmpl[page], root, &resp->body, &err) < 0) {
		portal_log(p, "page %zu: %s", page, buf_str(&err));
		buf_reset(&resp->body);
		rc = -1;
	}
	buf_free(&err);
	return rc;
}

const char *portal_url_encoded(struct arena *a, const char *s)
{
	struct buf b = BUF_INIT;
	const char *out;

	url_encodes(&b, s);
	out = buf_ok(&b) ? arena_strdup(a, buf_str(&b)) : NULL;
	buf_free(&b);
	return out;
}

enum portal_method portal_method(const char *method)
{
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return PORTAL_GET;
	return strcmp(method, "POST") == 0 ? PORTAL_POST : PORTAL_OTHER;
}

int portal_urlencoded(const char *type)
{
	static const char want[] = "application/x-www-form-urlencoded";
	size_t n = sizeof want - 1;

	while (*type == ' ')
		type++;
	if (strncasecmp(type, want, n) != 0)
		return 0;
	type += n;
	while (*type == ' ')
		type++;
	return *type == '\0' || *type == ';';
}

enum portal_check portal_check_post(const struct cgi_req *cr, const struct form_field *fields,
                                    size_t nfields, size_t max_body, struct form *f)
{
	if (max_body == 0)
		max_body = FORM_MAX_BODY;
	if (cr->body_len > max_body)
		return PORTAL_TOO_LARGE;
	if (!portal_urlencoded(cr->content_type))
		return PORTAL_TYPE;
	if (cr->query[0] != '\0')
		return PORTAL_QUERY;
	if (form_parse_max(f, cr->body, cr->body_len, fields, nfields, max_body) < 0)
		return PORTAL_FIELDS;
	return PORTAL_OK;
}
