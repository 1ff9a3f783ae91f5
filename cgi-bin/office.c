/* office.fcgi: the school office's portal under /office/, for signed-in staff only.
 *
 *   GET  /office/login                  sign-in form        POST /office/login
 *   POST /office/logout
 *   GET  /office/                       progress per class, policy reviews
 *   GET  /office/families?q=&class=&missing=1   search and lists of families
 *   GET  /office/family/<ref>           children, answers, signatures, event history
 *   POST /office/family/<ref>/paper     record a paper form (channel paper, staff name)
 *   GET  /office/family/<ref>/evidence?s=<first event id>   one submission's evidence (A4)
 *   POST /office/family/<ref>/reissue   new QR code (the old one stops working), letter
 *   GET  /office/letters?class=&family=&outstanding=1   choose, then confirm
 *   POST /office/letters                issue new tokens and print the letters
 *   GET  /office/export/{declarations,photo,outstanding}.csv
 *   GET  /office/nophoto?class=         who must not be photographed, for teachers
 *   GET  /office/import                 upload the school's export (the only multipart
 *   POST /office/import                 form: csrf, file, allow_leavers): the plan, changing
 *   POST /office/import/confirm         nothing; confirm (csrf, upload) applies it, once
 *   /office/policies...                 the policies: list, versions, publishing (editors
 *                                       only), in office-policies.c
 *
 * Request rules, as in the parents' portal: GET and POST only; POST bodies urlencoded
 * only, bounded, every field (and every query field) from the route's allow-list; a CSRF
 * token on every form, checked on every POST. Without a live session every page but the
 * login redirects there (303); a family's token is not a session.
 *
 * Configuration from the environment (docs/deploy.md): CONSENT_DB, CONSENT_CONTENT,
 * CONSENT_PORTAL (what policygen build wrote for the portal: signable.tsv, reviews.tsv),
 * CONSENT_TEMPLATES and CONSENT_BASE_URL, the address the portal is served under, for the
 * links and QR codes on letters (default: base_url in site.yaml; tools/serve.sh sets it
 * for its port). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "arena.h"
#include "buf.h"
#include "catalog.h"
#include "cgi.h"
#include "checkpoint.h"
#include "consent.h"
#include "date.h"
#include "db.h"
#include "evidence.h"
#include "export.h"
#include "form.h"
#include "handoff.h"
#include "html.h"
#include "letters.h"
#include "multipart.h"
#include "roster.h"
#include "portal.h"
#include "records.h"
#include "search.h"
#include "settings.h"
#include "staff.h"
#include "tmpl.h"
#include "token.h"

#define OFFICE_MAX_UPLOAD (5L * 1024 * 1024)   /* bytes of an uploaded export */
#define OFFICE_MAX_BODY (6 * 1024 * 1024)      /* an upload's form; others are bounded by route */
#define OFFICE_PLAN_LINES 500                  /* lines of an import's plan shown */
#define OFFICE_PAGE_SIZE 100    /* families listed on one page of the Families page */
#define OFFICE_MAX_LETTERS 1000 /* letters printed at once: narrow by class beyond that */
#define OFFICE_MAX_QUERY 100    /* bytes in a search or class value */
#define OFFICE_DUE_SOON_DAYS 30
#define OFFICE_LOGIN_COOKIE_AGE 3600

enum page {
	P_LOGIN,
	P_DASHBOARD,
	P_FAMILIES,
	P_FAMILY,
	P_LETTERS,
	P_NOPHOTO,
	P_MESSAGE,
	P_IMPORT,
	P_EVIDENCE,
	P_POLICIES,
	P_POLICY,
	P_POLICY_FORM,
	P_POLICY_REVIEW,
	P__MAX
};

static const char *const page_files[P__MAX] = {
    "office-login.html",    "office-dashboard.html",   "office-families.html",
    "office-family.html",   "office-letters.html",     "office-nophoto.html",
    "office-message.html",  "office-import.html",      "office-evidence.html",
    "office-policies.html", "office-policy.html",      "office-policy-form.html",
    "office-policy-review.html",
};

/* What lives as long as the process. */
struct office {
	struct portal p;      /* database, settings, catalog, templates, CSRF key */
	const char *site_dir; /* the built site, which the publishing helper rebuilds */
	size_t li;            /* the index of English, the staff's language */
	struct tv *t;         /* every UI string, for {{t.key}} */
	const char *root;     /* the site's path prefix, for /style.css */
	const char *base_url; /* for letters' links: CONSENT_BASE_URL, else site.yaml's */
	struct checkpoint_key ckey; /* signs the progress page's checkpoint; has_sk 0: none */
	struct policies *pg;        /* the `policygen serve` helper; NULL when it did not start */
};

/* One request. */
struct req {
	struct office *o;
	const struct cgi_req *cr;
	struct cgi_resp *resp;
	struct arena *a;
	struct staff_session s; /* staff_id 0: nobody signed in */
	char csrf[TOKEN_CSRF_LEN + 1];
	char bind[8 + TOKEN_HEX_LEN + 1]; /* "session:<hash>": what once-only values belong to */
	char once[TOKEN_ONCE_LEN + 1];    /* a fresh once-only value for the page's forms */
	struct form q;       /* the query string */
	struct form f;       /* a POST body */
	struct multipart mp; /* a multipart POST body (the import) */
};

#define office_log(...) portal_log(&office_.p, __VA_ARGS__)
static struct office office_; /* the one office, for the log's name */

static const char *T(const struct req *r, const char *key)
{
	return settings_string(r->o->p.settings, r->o->li, key);
}

/* A stored time "2026-09-03T18:04:11Z" as "2026-09-03 18:04" (the pages say UTC);
 * anything else as it is. */
static const char *when(struct req *r, const char *at)
{
	if (strlen(at) != 20 || at[10] != 'T' || at[19] != 'Z')
		return at;
	return arena_printf(r->a, "%.10s %.5s", at, at + 11);
}

/* --- Pages --- */

/* The values every page has: strings, school, title, signed-in user and CSRF token. */
static struct tv *page_root(struct req *r, const char *title)
{
	struct tv *v = tv_dict(r->a);

	tv_attach(v, "t", r->o->t);
	tv_str(v, "site_name", r->o->p.settings->name[r->o->li]);
	tv_str(v, "root", r->o->root);
	tv_str(v, "page_title", title);
	if (r->s.staff_id) {
		tv_str(v, "user", r->s.username);
		tv_str(v, "csrf", r->csrf);
		tv_str(v, "once", r->once);
	}
	return v;
}

static void render(struct req *r, enum page p, const struct tv *root, int status)
{
	r->resp->status = status;
	if (portal_render(&r->o->p, p, root, r->a, r->resp) < 0)
		portal_plain(r->resp, 500, "");
}

/* A plain page with a heading and a sentence, both i18n keys; link (may be NULL) is a
 * site-relative address offered to go on. */
static void message(struct req *r, int status, const char *title_key, const char *text_key,
                    const char *link)
{
	struct tv *v = page_root(r, T(r, title_key));

	tv_str(v, "text", T(r, text_key));
	if (link)
		tv_str(v, "link", link);
	render(r, P_MESSAGE, v, status);
}

static void server_error(struct req *r, const char *what)
{
	office_log("%s: %s", what, db_errmsg(r->o->p.db));
	message(r, 500, "office_error_title", "office_error_text", "/office/");
}

/* --- Cookies and sessions --- */

static const char *login_cookie_name(int https)
{
	return https ? "__Host-office-login" : "office-login";
}

/* The login form's CSRF token, bound to the pre-login cookie's value. */
static int login_csrf(const struct office *o, const char *pre, char out[TOKEN_CSRF_LEN + 1])
{
	char id[6 + TOKEN_LEN + 1];

	snprintf(id, sizeof id, "login:%s", pre);
	return token_csrf(o->p.key, id, out);
}

static void set_login_cookie(struct req *r, const char *value)
{
	char c[STAFF_COOKIE_MAX];
	int https = r->cr->https;

	snprintf(c, sizeof c, "%s=%s; Path=%s; HttpOnly; SameSite=Strict; Max-Age=%d%s",
	         login_cookie_name(https), value ? value : "", https ? "/" : "/office/",
	         value ? OFFICE_LOGIN_COOKIE_AGE : 0, https ? "; Secure" : "");
	cgi_header(r->resp, "Set-Cookie", c);
}

static void set_session_cookie(struct req *r, const char *sid)
{
	char c[STAFF_COOKIE_MAX];

	staff_cookie(c, r->cr->https, sid);
	cgi_header(r->resp, "Set-Cookie", c);
}

/* The session id from the Cookie header into sid; 1 when there is one. */
static int cookie_sid(const struct req *r, char sid[TOKEN_LEN + 1])
{
	return form_cookie(r->cr->cookie, staff_cookie_name(r->cr->https), sid, TOKEN_LEN + 1) == 1;
}

/* --- Catalog --- */

static const char *purpose_title(const struct office *o, const char *id)
{
	const struct purpose_text *p = catalog_purpose(o->p.cat, id);

	return p ? p->title[0] : id;
}

/* --- Login and logout --- */

static void login_form(struct req *r, const char *pre, const char *error_key, const char *user,
                       int status)
{
	struct tv *v = page_root(r, T(r, "office_login_title"));
	char token[TOKEN_CSRF_LEN + 1];

	if (login_csrf(r->o, pre, token) < 0) {
		server_error(r, "login csrf");
		return;
	}
	tv_str(v, "login_csrf", token);
	tv_str(v, "username", user ? user : "");
	if (error_key)
		tv_str(v, "error", T(r, error_key));
	if (form_get(&r->q, "out"))
		tv_bool(v, "signed_out", 1);
	render(r, P_LOGIN, v, status);
}

static void get_login(struct req *r, const char *arg)
{
	char pre[TOKEN_LEN + 1];

	(void)arg;
	if (r->s.staff_id) {
		cgi_redirect(r->resp, "/office/");
		return;
	}
	if (form_cookie(r->cr->cookie, login_cookie_name(r->cr->https), pre, sizeof pre) != 1 ||
	    !token_valid(pre)) {
		token_new(pre);
		set_login_cookie(r, pre);
	}
	login_form(r, pre, NULL, NULL, 200);
}

static void post_login(struct req *r, const char *arg)
{
	char pre[TOKEN_LEN + 1], sid[TOKEN_LEN + 1], old[TOKEN_LEN + 1];
	const char *user = form_get(&r->f, "username"), *pass = form_get(&r->f, "password");
	struct staff_session s, prev;
	long long wait = 0;
	char *retry;

	(void)arg;
	if (form_cookie(r->cr->cookie, login_cookie_name(r->cr->https), pre, sizeof pre) != 1 ||
	    !token_valid(pre) ||
	    !token_csrf_check(r->o->p.key, arena_printf(r->a, "login:%s", pre),
	                      form_get(&r->f, "csrf"))) {
		message(r, 403, "office_csrf_title", "office_login_csrf_text", "/office/login");
		return;
	}
	switch (staff_login(r->o->p.db, user ? user : "", pass ? pass : "", r->cr->remote_addr, sid,
	                    &s, &wait)) {
	case STAFF_LOGIN_OK:
		/* a session the browser still held ends here: one browser, one session */
		if (cookie_sid(r, old) && staff_session_get(r->o->p.db, old, &prev) == 1)
			staff_logout(r->o->p.db, prev.hash);
		set_session_cookie(r, sid);
		set_login_cookie(r, NULL);
		office_log("%s signed in from %s", s.username, r->cr->remote_addr);
		cgi_redirect(r->resp, "/office/");
		return;
	case STAFF_LOGIN_BAD:
		login_form(r, pre, "office_login_bad", user, 200);
		return;
	case STAFF_LOGIN_LOCKED:
		retry = arena_printf(r->a, "%lld", wait);
		if (retry)
			cgi_header(r->resp, "Retry-After", retry);
		login_form(r, pre, "office_login_locked", user, 429);
		return;
	default:
		server_error(r, "login");
		return;
	}
}

static void post_logout(struct req *r, const char *arg)
{
	(void)arg;
	if (staff_logout(r->o->p.db, r->s.hash) < 0) {
		server_error(r, "logout");
		return;
	}
	set_session_cookie(r, NULL);
	cgi_redirect(r->resp, "/office/login?out=1");
}

/* --- Dashboard --- */

static void progress_row(struct tv *row, const struct records_progress *p)
{
	tv_int(row, "families", p->families);
	tv_int(row, "children", p->children);
	tv_int(row, "signed", p->signed_all);
	tv_int(row, "again", p->again);
	tv_int(row, "photo", p->photo);
}

/* The review dates of the policies as of the last policygen build (reviews.tsv). */
static int dashboard_reviews(struct req *r, struct tv *v, struct buf *err)
{
	struct handoff_review *rev;
	struct date today;
	struct tv *list = tv_add_list(v, "reviews");
	long n, i;
	int due = 0;

	if (date_today(&today) < 0 ||
	    (n = handoff_reviews_read(r->o->p.portal_dir, r->a, &rev, err)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct tv *row;
		struct buf b = BUF_INIT;
		enum review_status rs;
		long days = 0;

		rs = review_status(&rev[i].review, &today, OFFICE_DUE_SOON_DAYS, &days);
		row = tv_push_dict(list);
		tv_str(row, "slug", rev[i].slug);
		tv_str(row, "title", rev[i].title);
		review_format(&b, &rev[i].review, "en");
		tv_str(row, "review", buf_ok(&b) ? buf_str(&b) : "");
		buf_free(&b);
		tv_str(row, "status_class", review_status_name(rs) ? review_status_name(rs) : "");
		switch (rs) {
		case REVIEW_OVERDUE:
			tv_str(row, "status", T(r, "office_review_overdue"));
			tv_int(row, "days_overdue", -days);
			due++;
			break;
		case REVIEW_DUE_SOON:
			tv_str(row, "status", T(r, "office_review_due_soon"));
			tv_int(row, "days_left", days);
			due++;
			break;
		default:
			tv_str(row, "status", T(r, "office_review_ok"));
			break;
		}
	}
	tv_bool(v, "reviews_due", due > 0);
	return 0;
}

static void get_dashboard(struct req *r, const char *arg)
{
	struct tv *v = page_root(r, T(r, "office_dashboard_title")), *list, *row;
	struct buf err = BUF_INIT;
	struct records_document *docs;
	struct records_progress *classes, total;
	size_t ndocs, nclasses, i;

	(void)arg;
	tv_bool(v, "nav_dashboard", 1);
	if (records_dashboard(r->o->p.db, r->a, &docs, &ndocs, &classes, &nclasses, &total) < 0)
		goto fail;
	list = tv_add_list(v, "documents");
	for (i = 0; i < ndocs; i++) {
		row = tv_push_dict(list);
		tv_str(row, "slug", docs[i].slug);
		tv_str(row, "version", docs[i].version);
		tv_str(row, "title", docs[i].title);
	}
	tv_bool(v, "has_documents", ndocs > 0);
	list = tv_add_list(v, "classes");
	for (i = 0; i < nclasses; i++) {
		row = tv_push_dict(list);
		tv_str(row, "class", classes[i].class_name);
		progress_row(row, &classes[i]);
	}
	progress_row(tv_add_dict(v, "total"), &total);
	if (dashboard_reviews(r, v, &err) < 0)
		office_log("no review dates on the dashboard: %s", buf_str(&err));
	buf_free(&err);
	/* Today's signed checkpoint of the event log, to print or send to governors. */
	if (r->o->ckey.has_sk) {
		struct buf cp = BUF_INIT, vk = BUF_INIT, cerr = BUF_INIT;
		if (checkpoint_sign(r->o->p.db, &r->o->ckey, &cp, &cerr) == 0) {
			checkpoint_verifier(&r->o->ckey, &vk);
			tv_str(v, "checkpoint", buf_str(&cp));
			tv_str(v, "verifier_key", buf_str(&vk));
		} else {
			office_log("%s", buf_str(&cerr));
		}
		buf_free(&cp);
		buf_free(&vk);
		buf_free(&cerr);
	}
	render(r, P_DASHBOARD, v, 200);
	return;
fail:
	server_error(r, "dashboard");
}

/* --- Families --- */

static int list_classes(struct req *r, struct tv *v, const char *selected)
{
	struct tv *list = tv_add_list(v, "class_options"), *row;
	struct records_class *c;
	size_t n, i;

	if (records_classes(r->o->p.db, r->a, &c, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		row = tv_push_dict(list);
		tv_str(row, "name", c[i].name);
		tv_int(row, "children", c[i].children);
		tv_bool(row, "selected", selected && strcmp(selected, c[i].name) == 0);
	}
	return 0;
}

/* The families page: a search (search.h) or, with no query, every family by class, a
 * page of OFFICE_PAGE_SIZE at a time. */
static void get_families(struct req *r, const char *arg)
{
	const char *q = form_get(&r->q, "q"), *cls = form_get(&r->q, "class");
	const char *pg = form_get(&r->q, "page");
	int missing = form_get(&r->q, "missing") != NULL, docs, more;
	long page = pg ? strtol(pg, NULL, 10) : 1;
	struct tv *v = page_root(r, T(r, "office_families_title")), *list, *row;
	struct search_filter f = {.q = q, .class_name = cls, .missing = missing};
	struct search_family *fam;
	size_t n, i;

	(void)arg;
	q = q ? q : "";
	cls = cls ? cls : "";
	if (page < 1 || page > 100000 || (pg && pg[strspn(pg, "0123456789")] != '\0'))
		page = 1;
	f.offset = (page - 1) * OFFICE_PAGE_SIZE;
	f.limit = OFFICE_PAGE_SIZE;
	tv_bool(v, "nav_families", 1);
	tv_str(v, "q", q);
	tv_bool(v, "missing", missing);
	if ((docs = records_has_documents(r->o->p.db)) < 0 || list_classes(r, v, cls) < 0 ||
	    search_families(r->o->p.db, &f, r->a, &fam, &n, &more) < 0) {
		server_error(r, "families");
		return;
	}
	tv_bool(v, "has_documents", docs);
	tv_bool(v, "searched", 1);
	list = tv_add_list(v, "families");
	for (i = 0; i < n; i++) {
		row = tv_push_dict(list);
		tv_str(row, "ref", fam[i].ref);
		tv_str(row, "carers", fam[i].carers);
		tv_bool(row, "left", fam[i].left);
		tv_str(row, "children", fam[i].children);
		tv_bool(row, "to_sign", fam[i].to_sign);
		tv_bool(row, "sign_again", fam[i].sign_again);
		tv_bool(row, "photo_missing", fam[i].photo_missing);
	}
	tv_int(v, "count", (long long)n);
	tv_int(v, "page", page);
	tv_int(v, "first", n ? f.offset + 1 : 0);
	tv_int(v, "last", f.offset + (long)n);
	tv_bool(v, "paged", more || page > 1);
	tv_bool(v, "has_prev", page > 1);
	tv_bool(v, "has_next", more);
	tv_int(v, "prev_page", page - 1);
	tv_int(v, "next_page", page + 1);
	tv_str(v, "class_q", cls);
	if (cls[0])
		tv_str(v, "class", cls);
	render(r, P_FAMILIES, v, 200);
}

/* 1 when ref could be a family reference ([A-Za-z0-9_-], at most ROSTER_MAX_REF). */
static int ref_ok(const char *ref)
{
	size_t i, n = strlen(ref);

	if (n == 0 || n > ROSTER_MAX_REF)
		return 0;
	for (i = 0; i < n; i++)
		if (!((ref[i] >= 'A' && ref[i] <= 'Z') || (ref[i] >= 'a' && ref[i] <= 'z') ||
		      (ref[i] >= '0' && ref[i] <= '9') || ref[i] == '_' || ref[i] == '-'))
			return 0;
	return 1;
}

/* The family with this reference: 1 with its id, 0 when there is none, -1 on error. */
static int family_by_ref(struct req *r, const char *ref, long long *id, int *left)
{
	long long fid;

	if (!ref_ok(ref))
		return 0;
	if ((fid = roster_family_id(r->o->p.db, ref, left)) < 0)
		return -1;
	*id = fid;
	return fid > 0;
}

/* 1 when family_by_ref's rc found the family; else 0 after answering (404, or 500 for
 * the request named what). */
static int family_found(struct req *r, int rc, const char *what)
{
	if (rc > 0)
		return 1;
	if (rc < 0)
		server_error(r, what);
	else
		message(r, 404, "office_not_found_title", "office_family_not_found",
		        "/office/families");
	return 0;
}

static const char *channel_name(const struct req *r, const char *channel)
{
	if (strcmp(channel, "qr") == 0)
		return T(r, "office_channel_qr");
	if (strcmp(channel, "paper") == 0)
		return T(r, "office_channel_paper");
	if (strcmp(channel, "system") == 0)
		return T(r, "office_channel_system");
	return channel;
}

/* The event kinds a family's log holds, named for staff. */
static const char *kind_name(const struct req *r, const char *kind)
{
	static const char *const kinds[][2] = {
	    {"sign", "office_kind_sign"},         {"answer", "office_kind_answer"},
	    {"withdraw", "office_kind_withdraw"}, {"token", "office_kind_token"},
	    {"import", "office_kind_import"},     {"purge", "office_kind_purge"},
	    {"submission", "office_kind_submission"},
	};
	size_t i;

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kind, kinds[i][0]) == 0)
			return T(r, kinds[i][1]);
	return kind;
}

static const char *answer_name(const struct req *r, const char *answer)
{
	if (strcmp(answer, "yes") == 0)
		return T(r, "office_yes");
	if (strcmp(answer, "no") == 0)
		return T(r, "office_no");
	return answer;
}

static int family_details(struct req *r, struct tv *v, long long fid)
{
	struct tv *fam = tv_add_dict(v, "family"), *list, *row;
	struct records_family f;
	struct records_child *c;
	size_t n, i;

	if (records_family(r->o->p.db, r->a, fid, &f, &c, &n) != 1)
		return -1;
	tv_str(fam, "ref", f.ref);
	tv_str(fam, "carers", f.carers);
	tv_str(fam, "language",
	       strcmp(f.language, "cy") == 0 ? T(r, "office_lang_cy") : T(r, "office_lang_en"));
	if (f.left_on)
		tv_str(fam, "left_on", f.left_on);
	if (f.token_issued)
		tv_str(fam, "token_issued", when(r, f.token_issued));
	tv_int(fam, "tokens_revoked", f.tokens_revoked);
	list = tv_add_list(v, "children");
	for (i = 0; i < n; i++) {
		row = tv_push_dict(list);
		tv_str(row, "ref", c[i].ref);
		tv_str(row, "name", arena_printf(r->a, "%s %s", c[i].first_name, c[i].last_name));
		tv_str(row, "class", c[i].class_name);
		if (c[i].left_on)
			tv_str(row, "left_on", c[i].left_on);
	}
	return 0;
}

/* The signable policies (status, and the paper form's choice of language) and the
 * signatures held. */
static int family_declarations(struct req *r, struct tv *v, long long fid)
{
	struct tv *list = tv_add_list(v, "declarations"), *row, *langs, *l;
	struct records_declaration *d;
	struct records_signature *s;
	size_t nd, ns, i, k;

	if (records_declarations(r->o->p.db, r->a, fid, &d, &nd, &s, &ns) < 0)
		return -1;
	for (i = 0; i < nd; i++) {
		row = tv_push_dict(list);
		tv_str(row, "slug", d[i].slug);
		tv_str(row, "version", d[i].version);
		tv_str(row, "title", d[i].title);
		if (d[i].signed_version)
			tv_str(row, "signed_version", d[i].signed_version);
		tv_str(row, "status",
		       d[i].sign_again   ? T(r, "office_status_sign_again")
		       : d[i].needs_sign ? T(r, "office_status_to_sign")
		                         : T(r, "office_status_signed"));
		tv_bool(row, "needs_sign", d[i].needs_sign);
		langs = tv_add_list(row, "langs");
		for (k = 0; k < d[i].nlangs; k++) {
			l = tv_push_dict(langs);
			tv_str(l, "lang", d[i].langs[k]);
			tv_str(l, "label",
			       strcmp(d[i].langs[k], "cy") == 0 ? T(r, "office_paper_signed_cy")
			                                        : T(r, "office_paper_signed_en"));
		}
	}
	list = tv_add_list(v, "signatures");
	for (i = 0; i < ns; i++) {
		row = tv_push_dict(list);
		tv_str(row, "signer", s[i].signer);
		tv_str(row, "title", s[i].title);
		tv_str(row, "version", s[i].version);
		tv_str(row, "lang",
		       strcmp(s[i].lang, "cy") == 0 ? T(r, "office_lang_cy")
		                                    : T(r, "office_lang_en"));
		tv_str(row, "at", when(r, s[i].at));
		tv_str(row, "channel", channel_name(r, s[i].channel));
		tv_str(row, "staff", s[i].staff);
	}
	return 0;
}

/* What applies per current child and purpose, every carer's answer, and the paper form's
 * rows. posted (may be NULL) holds a refused paper form's values to show again. */
static int family_answers(struct req *r, struct tv *v, long long fid, const struct form *posted)
{
	struct tv *heads = tv_add_list(v, "purposes"), *rows = tv_add_list(v, "grid");
	struct tv *row = NULL, *cells = NULL, *paper = NULL, *cell, *list;
	struct records_purpose *p;
	struct records_cell *g;
	struct records_answer *x;
	size_t np, ng, nx, i;
	long long last = 0;

	if (records_purposes(r->o->p.db, r->a, &p, &np) < 0 ||
	    records_family_grid(r->o->p.db, r->a, fid, &g, &ng) < 0 ||
	    records_answers(r->o->p.db, r->a, fid, &x, &nx) < 0)
		return -1;
	for (i = 0; i < np; i++) {
		cell = tv_push_dict(heads);
		tv_str(cell, "title", purpose_title(r->o, p[i].id));
		tv_bool(cell, "public_task", p[i].public_task);
	}
	for (i = 0; i < ng; i++) {
		const char *name, *given;
		if (g[i].child_id != last) {
			row = tv_push_dict(rows);
			tv_str(row, "child", g[i].child);
			tv_int(row, "child_id", g[i].child_id);
			cells = tv_add_list(row, "cells");
			paper = tv_add_list(row, "paper");
			last = g[i].child_id;
		}
		cell = tv_push_dict(cells);
		tv_str(cell, "text",
		       g[i].permitted ? T(r, "office_permitted") : T(r, "office_not_permitted"));
		tv_bool(cell, "permitted", g[i].permitted);
		tv_bool(cell, "unanswered", g[i].answers == 0);
		name = arena_printf(r->a, "answer.%lld.%s", g[i].child_id, g[i].purpose);
		given = posted && name ? form_get(posted, name) : NULL;
		cell = tv_push_dict(paper);
		tv_str(cell, "name", name);
		tv_str(cell, "id", arena_printf(r->a, "a-%lld-%s", g[i].child_id, g[i].purpose));
		tv_str(cell, "title", purpose_title(r->o, g[i].purpose));
		tv_bool(cell, "public_task", g[i].public_task);
		tv_bool(cell, "yes", given && strcmp(given, "yes") == 0);
		tv_bool(cell, "no", given && strcmp(given, "no") == 0);
		tv_bool(cell, "none", given == NULL || given[0] == '\0');
	}
	list = tv_add_list(v, "answers");
	for (i = 0; i < nx; i++) {
		cell = tv_push_dict(list);
		tv_str(cell, "child", x[i].child);
		tv_str(cell, "purpose", purpose_title(r->o, x[i].purpose));
		tv_str(cell, "signer", x[i].signer);
		tv_str(cell, "answer", answer_name(r, x[i].answer));
		tv_str(cell, "at", when(r, x[i].at));
		tv_str(cell, "channel", channel_name(r, x[i].channel));
		tv_str(cell, "staff", x[i].staff);
	}
	return 0;
}

static int family_history(struct req *r, struct tv *v, long long fid, const char *ref)
{
	struct tv *list = tv_add_list(v, "events"), *row;
	struct records_event *e;
	size_t n, i;

	if (records_history(r->o->p.db, r->a, fid, &e, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		row = tv_push_dict(list);
		tv_int(row, "id", e[i].id);
		tv_str(row, "at", when(r, e[i].at));
		tv_str(row, "kind", kind_name(r, e[i].kind));
		tv_str(row, "child", e[i].child);
		tv_str(row, "purpose", e[i].purpose[0] ? purpose_title(r->o, e[i].purpose) : "");
		tv_str(row, "answer", answer_name(r, e[i].answer));
		tv_str(row, "document", e[i].document);
		tv_str(row, "signer", e[i].signer);
		tv_str(row, "channel", channel_name(r, e[i].channel));
		tv_str(row, "staff", e[i].staff);
		tv_str(row, "detail", e[i].detail);
		/* A submission's first event links to its evidence page. */
		if (strncmp(e[i].detail, "submission ", 11) == 0 &&
		    strtoll(e[i].detail + 11, NULL, 10) == e[i].id)
			tv_str(row, "evidence",
			       arena_printf(r->a, "/office/family/%s/evidence?s=%lld",
			                    portal_url_encoded(r->a, ref), e[i].id));
	}
	return 0;
}

/* The family page; errors (a list of i18n keys, may be NULL) and posted come from a
 * refused paper form. */
static void family_page(struct req *r, long long fid, const char *ref, struct tv *errors,
                        const struct form *posted, int status)
{
	struct tv *v = page_root(r, arena_printf(r->a, "%s %s", T(r, "office_family_title"), ref));
	const char *done = form_get(&r->q, "done");

	tv_bool(v, "nav_families", 1);
	tv_str(v, "ref", ref);
	if (done && strlen(done) < CONSENT_REF_MAX)
		tv_str(v, "done", done);
	tv_bool(v, "again", form_get(&r->q, "again") != NULL);
	tv_str(v, "signer", posted && form_get(posted, "signer") ? form_get(posted, "signer") : "");
	if (errors) {
		tv_attach(v, "errors", errors);
		tv_bool(v, "has_errors", 1);
	}
	if (family_details(r, v, fid) < 0 || family_declarations(r, v, fid) < 0 ||
	    family_answers(r, v, fid, posted) < 0 || family_history(r, v, fid, ref) < 0) {
		server_error(r, "family");
		return;
	}
	render(r, P_FAMILY, v, status);
}

static void get_family(struct req *r, const char *ref)
{
	long long fid = 0;
	int left = 0, rc = family_by_ref(r, ref, &fid, &left);

	if (family_found(r, rc, "family"))
		family_page(r, fid, ref, NULL, NULL, 200);
}

/* --- Evidence of one submission (src/portal/evidence.h), printable on A4 --- */

static void get_evidence(struct req *r, const char *ref)
{
	const char *s = form_get(&r->q, "s");
	long long fid = 0, first = 0;
	int left = 0, rc = family_by_ref(r, ref, &fid, &left);
	struct evidence *ev = NULL;
	struct tv *v, *docs, *answers, *events;
	size_t i, ndocs = 0, nanswers = 0;
	char *end = NULL;

	if (rc < 0) {
		server_error(r, "evidence");
		return;
	}
	if (s && *s >= '1' && *s <= '9')
		first = strtoll(s, &end, 10);
	if (rc == 0 || first <= 0 || end == NULL || *end != '\0' ||
	    (rc = evidence_load(r->o->p.db, r->a, fid, first, &ev)) == 1) {
		message(r, 404, "office_not_found_title", "office_evidence_not_found",
		        rc == 0 ? "/office/families" : arena_printf(r->a, "/office/family/%s", ref));
		return;
	}
	if (rc < 0) {
		server_error(r, "evidence");
		return;
	}
	v = page_root(r, arena_printf(r->a, "%s %s", T(r, "office_evidence_title"), ev->ref));
	tv_bool(v, "nav_families", 1);
	tv_str(v, "ref", ev->ref);
	tv_str(v, "family", ref);
	tv_str(v, "family_href",
	       arena_printf(r->a, "/office/family/%s", portal_url_encoded(r->a, ref)));
	tv_str(v, "at", ev->at);
	if (ev->signer)
		tv_str(v, "signer", ev->signer);
	tv_bool(v, "withdrawal", strcmp(ev->events[0].kind, "withdraw") == 0);
	tv_str(v, "channel", channel_name(r, ev->channel));
	if (ev->staff)
		tv_str(v, "staff", ev->staff);
	tv_int(v, "log_size", ev->log_size);
	docs = tv_add_list(v, "docs");
	answers = tv_add_list(v, "answers");
	events = tv_add_list(v, "events");
	for (i = 0; i < ev->nevents; i++) {
		const struct evidence_event *e = &ev->events[i];
		struct tv *row = e->item ? NULL : tv_push_dict(events);
		if (e->item) /* an entry of the submission event before it: no hash of its own */
			goto entry;
		tv_int(row, "id", e->id);
		tv_str(row, "at", e->at);
		tv_str(row, "kind", kind_name(r, e->kind));
		tv_str(row, "hash", e->hash);
		tv_str(row, "prev", e->prev);
		tv_int(row, "version", e->version_no);
		tv_bool(row, "hash_ok", e->hash_ok);
		if (e->canon[0])
			tv_str(row, "canon", e->canon);
	entry:
		if (e->slug[0]) {
			struct tv *d = tv_push_dict(docs);
			tv_str(d, "title", e->title);
			tv_str(d, "slug", e->slug);
			tv_str(d, "version", e->version);
			tv_str(d, "lang", e->lang);
			tv_str(d, "sha256", e->sha256);
			tv_int(d, "event", e->id);
			ndocs++;
		} else if (e->purpose[0]) {
			struct tv *a = tv_push_dict(answers);
			tv_str(a, "child", e->child);
			tv_str(a, "child_ref", e->child_ref);
			tv_str(a, "purpose", purpose_title(r->o, e->purpose));
			tv_str(a, "answer", strcmp(e->kind, "withdraw") == 0
			                        ? T(r, "office_kind_withdraw")
			                        : answer_name(r, e->answer));
			tv_int(a, "event", e->id);
			nanswers++;
		}
	}
	tv_bool(v, "has_docs", ndocs > 0);
	tv_bool(v, "has_answers", nanswers > 0);
	if (r->o->ckey.has_sk) {
		struct buf vk = BUF_INIT;
		checkpoint_verifier(&r->o->ckey, &vk);
		tv_str(v, "verifier_key", buf_str(&vk));
		buf_free(&vk);
	}
	render(r, P_EVIDENCE, v, 200);
}

/* --- Paper answers ---
 *
 * A paper form is one carer's answers, entered by a member of staff: recorded through
 * consent_record like the portal's, with channel "paper" and the staff user's name in
 * every event and row. The household's language is left as it is. */

static void add_error(struct req *r, struct tv **errors, const char *key, const char *field)
{
	struct tv *e;

	if (*errors == NULL)
		*errors = tv_list(r->a);
	e = tv_push_dict(*errors);
	tv_str(e, "text", T(r, key));
	tv_str(e, "field", field);
}

/* Parses "answer.<child id>.<purpose>" into x; 0 or -1. */
static int parse_answer_name(const char *name, struct consent_item *x)
{
	const char *p = name + strlen("answer.");
	char *end;
	long long id;

	if (*p < '1' || *p > '9')
		return -1;
	errno = 0;
	id = strtoll(p, &end, 10);
	if (errno || *end != '.' || end[1] == '\0')
		return -1;
	x->child_id = id;
	x->purpose = end + 1;
	return 0;
}

/* 1 when the form carries a once-only value this session's pages issued. A state-changing
 * form without one is refused (400): a reload or a copied request must not act. */
static int once_ok(struct req *r)
{
	if (token_once_check(r->o->p.key, r->bind, form_get(&r->f, "once")))
		return 1;
	office_log("%s: once-only value missing or wrong (user %s)", r->cr->path, r->s.username);
	message(r, 400, "office_bad_request_title", "office_once_text", NULL);
	return 0;
}

static void post_paper(struct req *r, const char *ref)
{
	char show[CONSENT_NAME_MAX + 1], key[CONSENT_NAME_MAX + 1], sref[CONSENT_REF_MAX];
	struct consent_item *items;
	long long fid = 0, *docs;
	size_t i, nitems = 0, ndocs = 0;
	struct tv *errors = NULL;
	int left = 0, rc = family_by_ref(r, ref, &fid, &left), bad = 0;
	struct consent_submission sub;
	enum consent_err ce;
	const char *loc;

	if (!family_found(r, rc, "paper"))
		return;
	if (left) {
		message(r, 400, "office_bad_request_title", "office_paper_left", NULL);
		return;
	}
	if (!once_ok(r))
		return;
	items = arena_alloc(r->a, (r->f.npair + 1) * sizeof *items);
	docs = arena_alloc(r->a, (r->f.npair + 1) * sizeof *docs);
	if (items == NULL || docs == NULL) {
		server_error(r, "paper: out of memory");
		return;
	}
	if (consent_signer_key(form_get(&r->f, "signer"), show, key) != CONSENT_NAME_OK)
		add_error(r, &errors, "office_paper_error_signer", "signer");
	for (i = 0; i < r->f.npair; i++) {
		const char *name = r->f.pair[i].name, *value = r->f.pair[i].value;
		if (strncmp(name, "sign.", 5) == 0 && value[0]) {
			long long doc;
			if (strcmp(value, "en") != 0 && strcmp(value, "cy") != 0) {
				bad = 1;
				continue;
			}
			if ((doc = records_current_document(r->o->p.db, name + 5, value)) < 0) {
				server_error(r, "paper");
				return;
			}
			if (doc == 0)
				bad = 1;
			else
				docs[ndocs++] = doc;
		} else if (strncmp(name, "answer.", 7) == 0 && value[0]) {
			struct consent_item *x = &items[nitems];
			if (parse_answer_name(name, x) < 0 ||
			    (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)) {
				bad = 1;
				continue;
			}
			x->answer = value;
			nitems++;
		}
	}
	if (bad) {
		message(r, 400, "office_bad_request_title", "office_bad_request_text", NULL);
		return;
	}
	if (ndocs == 0 && nitems == 0)
		add_error(r, &errors, "office_paper_error_nothing", "paper-answers");
	if (errors) {
		family_page(r, fid, ref, errors, &r->f, 400);
		return;
	}
	memset(&sub, 0, sizeof sub);
	sub.family_id = fid;
	sub.signer = form_get(&r->f, "signer");
	sub.documents = docs;
	sub.ndocuments = ndocs;
	sub.items = items;
	sub.nitems = nitems;
	sub.channel = "paper";
	sub.staff = r->s.username;
	sub.once = form_get(&r->f, "once"); /* sent again: the first reference, nothing more */
	switch ((ce = consent_record(r->o->p.db, &sub, sref))) {
	case CONSENT_OK:
		office_log("%s recorded paper form %s for family %s", r->s.username, sref, ref);
		loc = arena_printf(r->a, "/office/family/%s?done=%s", ref, sref);
		if (loc)
			cgi_redirect(r->resp, loc);
		else
			server_error(r, "paper: out of memory");
		return;
	case CONSENT_ERR_NOTHING:
		add_error(r, &errors, "office_paper_error_already", "paper-answers");
		family_page(r, fid, ref, errors, &r->f, 400);
		return;
	default: /* a child, purpose or document that is not this family's or not current */
		if (portal_consent_answers[ce].status >= 500) {
			server_error(r, "paper");
			return;
		}
		office_log("paper form for family %s refused: %s", ref, consent_err_names[ce]);
		message(r, portal_consent_answers[ce].status, "office_bad_request_title",
		        "office_bad_request_text", NULL);
		return;
	}
}

/* --- Letters --- */

/* Reads which families get letters from a query or form into f; 1 when any filter is set
 * (no filter is not "every family": the page offers the choices instead). */
static int letters_filter_from(const struct form *q, struct letters_filter *f)
{
	memset(f, 0, sizeof *f);
	f->class_name = form_get(q, "class");
	f->family_ref = form_get(q, "family");
	f->outstanding = form_get(q, "outstanding") != NULL;
	if (f->class_name && f->class_name[0] == '\0')
		f->class_name = NULL;
	if (f->family_ref && f->family_ref[0] == '\0')
		f->family_ref = NULL;
	return f->class_name || f->family_ref || f->outstanding;
}

static void get_letters(struct req *r, const char *arg)
{
	struct tv *v = page_root(r, T(r, "office_letters_title")), *list, *row;
	struct letters_filter f;
	struct letter *letters;
	struct buf err = BUF_INIT;
	size_t n, i;

	(void)arg;
	tv_bool(v, "nav_letters", 1);
	tv_bool(v, "again", form_get(&r->q, "again") != NULL);
	if (!letters_filter_from(&r->q, &f)) {
		if (list_classes(r, v, NULL) < 0) {
			server_error(r, "letters");
			return;
		}
		tv_bool(v, "choose", 1);
		render(r, P_LETTERS, v, 200);
		return;
	}
	if (letters_select(r->o->p.db, &f, r->a, &letters, &n, &err) < 0) {
		office_log("letters: %s", buf_str(&err));
		buf_free(&err);
		server_error(r, "letters");
		return;
	}
	buf_free(&err);
	tv_bool(v, "confirm", 1);
	/* A family that has left gets no letter: say so rather than only "none". */
	if (f.family_ref && n == 0) {
		long long fid = 0;
		int left = 0;
		if (ref_ok(f.family_ref) && family_by_ref(r, f.family_ref, &fid, &left) > 0 && left)
			tv_bool(v, "family_left", 1);
	}
	if (f.class_name)
		tv_str(v, "class", f.class_name);
	if (f.family_ref)
		tv_str(v, "family", f.family_ref);
	tv_bool(v, "outstanding", f.outstanding);
	tv_int(v, "count", (long long)n);
	tv_bool(v, "none", n == 0);
	tv_bool(v, "too_many", n > OFFICE_MAX_LETTERS);
	tv_bool(v, "some", n > 0 && n <= OFFICE_MAX_LETTERS);
	list = tv_add_list(v, "letters");
	for (i = 0; i < n && i < OFFICE_MAX_LETTERS; i++) {
		struct buf names = BUF_INIT;
		size_t k;
		row = tv_push_dict(list);
		tv_str(row, "ref", letters[i].family_ref);
		for (k = 0; k < letters[i].nchildren; k++)
			buf_printf(&names, "%s%s %s (%s)", k ? "; " : "", letters[i].first_names[k],
			           letters[i].last_names[k], letters[i].classes[k]);
		tv_str(row, "children", buf_ok(&names) ? buf_str(&names) : "");
		buf_free(&names);
	}
	render(r, P_LETTERS, v, 200);
}

/* The letters document, with a link to the site's stylesheet put in: the portal's
 * Content-Security-Policy (style-src 'self') refuses letter.html's inline <style>, so
 * the same rules are in style.css (the office block) for the browser to use. */
static void send_letters(struct req *r, const struct buf *html)
{
	const char *s = buf_str(html), *head = strstr(s, "</head>");

	if (head == NULL) {
		buf_put(&r->resp->body, s, html->len);
		return;
	}
	buf_put(&r->resp->body, s, (size_t)(head - s));
	buf_printf(&r->resp->body, "<link rel=\"stylesheet\" href=\"");
	html_escapes(&r->resp->body, r->o->root);
	buf_puts(&r->resp->body, "/style.css\">\n");
	buf_puts(&r->resp->body, head);
}

/* Issues a new token for each family of f (revoking the old ones) and renders their
 * letters into out, in one transaction that commits only when every letter is ready, so
 * no family loses its old QR code without a new letter. The form's once-only value is
 * claimed in the same transaction. Returns the number of letters, -2 when there would be
 * more than OFFICE_MAX_LETTERS, -3 when the form was acted on before (a reload: new codes
 * would void the letters just printed), or -1 (logged); nothing changed on any of them. */
static long print_letters(struct req *r, const struct letters_filter *f, struct buf *out)
{
	const char *once = form_get(&r->f, "once");
	struct letter *letters;
	struct letters_contact contact;
	struct buf err = BUF_INIT;
	size_t n;
	long rc = -1;

	letters_contact_load(r->o->p.settings, &contact);
	if (db_begin(r->o->p.db) < 0) {
		buf_printf(&err, "%s", db_errmsg(r->o->p.db));
		goto done;
	}
	switch (consent_once_claim(r->o->p.db, 0, once, "letters")) {
	case 1:
		break;
	case 0:
		buf_puts(&err, "the same form was sent again; no new codes");
		rc = -3;
		goto fail;
	default:
		buf_printf(&err, "%s", db_errmsg(r->o->p.db));
		goto fail;
	}
	if (letters_select(r->o->p.db, f, r->a, &letters, &n, &err) < 0)
		goto fail;
	if (n > OFFICE_MAX_LETTERS) {
		buf_printf(&err, "%zu letters asked for; at most %d at once", n,
		           OFFICE_MAX_LETTERS);
		rc = -2;
		goto fail;
	}
	if (letters_issue(r->o->p.db, letters, n, r->o->base_url, r->s.username, r->a, &err) < 0)
		goto fail;
	if (n > 0 && letters_render(out, r->o->p.settings, &contact, r->o->p.templates_dir, letters,
	                            n, &err) < 0)
		goto fail;
	if (db_commit(r->o->p.db) < 0) {
		buf_printf(&err, "%s", db_errmsg(r->o->p.db));
		goto done;
	}
	rc = (long)n;
	goto done;
fail:
	db_rollback(r->o->p.db);
done:
	if (rc < 0)
		office_log("letters: %s", buf_str(&err));
	buf_free(&err);
	return rc;
}

/* Answers with print_letters' result n: the letters in html, logged as done; a reload
 * of the same form back to back (again=1); too many, none, or an error, linking back. */
static void letters_sent(struct req *r, long n, const struct buf *html, const char *back,
                         const char *done)
{
	if (n == -3)
		cgi_redirect(r->resp, arena_printf(r->a, "%s?again=1", back));
	else if (n == -2)
		message(r, 400, "office_letters_title", "office_letters_too_many", back);
	else if (n < 0)
		message(r, 500, "office_error_title", "office_error_text", back);
	else if (n == 0)
		message(r, 200, "office_letters_title", "office_letters_none", back);
	else {
		office_log("%s", done ? done : "letters printed");
		send_letters(r, html);
	}
}

static void post_letters(struct req *r, const char *arg)
{
	struct letters_filter f;
	struct buf html = BUF_INIT;
	long n;

	(void)arg;
	if (!letters_filter_from(&r->f, &f)) {
		message(r, 400, "office_bad_request_title", "office_bad_request_text",
		        "/office/letters");
		return;
	}
	if (!once_ok(r))
		return;
	n = print_letters(r, &f, &html);
	letters_sent(r, n, &html, "/office/letters",
	             arena_printf(r->a, "%s printed %ld letters (new QR codes)", r->s.username, n));
	buf_free(&html);
}

static void post_reissue(struct req *r, const char *ref)
{
	struct letters_filter f;
	struct buf html = BUF_INIT;
	long long fid = 0;
	int left = 0, rc = family_by_ref(r, ref, &fid, &left);
	long n;

	if (!family_found(r, rc, "reissue"))
		return;
	if (left) {
		message(r, 400, "office_reissue_title", "office_reissue_left",
		        arena_printf(r->a, "/office/family/%s", ref));
		return;
	}
	if (!once_ok(r))
		return;
	memset(&f, 0, sizeof f);
	f.family_ref = ref;
	n = print_letters(r, &f, &html);
	letters_sent(
	    r, n, &html, arena_printf(r->a, "/office/family/%s", ref),
	    arena_printf(r->a, "%s reissued the QR code of family %s", r->s.username, ref));
	buf_free(&html);
}

/* --- Exports --- */

static void get_export(struct req *r, const char *name)
{
	struct buf err = BUF_INIT;
	char now[21], *disp;
	int kind = export_kind(name);

	if (kind < 0) {
		message(r, 404, "office_not_found_title", "office_not_found_text", "/office/");
		return;
	}
	if (export_csv(r->o->p.db, (enum export_kind)kind, NULL, &r->resp->body, &err) < 0) {
		office_log("export %s: %s", name, buf_str(&err));
		buf_free(&err);
		buf_reset(&r->resp->body);
		message(r, 500, "office_error_title", "office_error_text", "/office/");
		return;
	}
	buf_free(&err);
	db_now(now);
	now[10] = '\0';
	disp = arena_printf(r->a, "attachment; filename=\"%s-%s.csv\"", name, now);
	r->resp->content_type = "text/csv; charset=utf-8";
	if (disp)
		cgi_header(r->resp, "Content-Disposition", disp);
	office_log("%s exported %s", r->s.username, name);
}

/* --- Who must not be photographed --- */

/* Appends the row of one child when some purpose is not permitted; counts it. */
static void nophoto_child(struct tv *rows, const char *name, const int *permitted,
                          const int *unanswered, size_t n, int *restricted)
{
	struct tv *row, *cells, *cell;
	size_t i;
	int any = 0;

	for (i = 0; i < n; i++)
		any |= !permitted[i];
	if (!any)
		return;
	(*restricted)++;
	row = tv_push_dict(rows);
	tv_str(row, "name", name);
	cells = tv_add_list(row, "cells");
	for (i = 0; i < n; i++) {
		cell = tv_push_dict(cells);
		tv_bool(cell, "permitted", permitted[i]);
		tv_bool(cell, "unanswered", unanswered[i]);
	}
}

static void get_nophoto(struct req *r, const char *arg)
{
	const char *cls = form_get(&r->q, "class"), *name = NULL;
	struct tv *v, *heads, *rows;
	struct records_purpose *p;
	struct records_cell *g;
	long long last = 0;
	int restricted = 0, children = 0, *permitted, *unanswered;
	size_t np, ng, i, k = 0;
	char now[21];

	(void)arg;
	if (cls && cls[0])
		v = page_root(r, arena_printf(r->a, "%s: %s", T(r, "office_nophoto_title"), cls));
	else
		v = page_root(r, T(r, "office_nophoto_title"));
	tv_bool(v, "nav_nophoto", 1);
	if (list_classes(r, v, cls) < 0)
		goto fail;
	if (cls == NULL || cls[0] == '\0') {
		tv_bool(v, "choose", 1);
		render(r, P_NOPHOTO, v, 200);
		return;
	}
	tv_str(v, "class", cls);
	db_now(now);
	tv_str(v, "as_at", when(r, now));
	if (records_purposes(r->o->p.db, r->a, &p, &np) < 0 ||
	    records_class_grid(r->o->p.db, r->a, cls, &g, &ng) < 0)
		goto fail;
	heads = tv_add_list(v, "purposes");
	for (i = 0; i < np; i++)
		tv_push_str(heads, purpose_title(r->o, p[i].id));
	permitted = arena_alloc(r->a, (np + 1) * sizeof *permitted);
	unanswered = arena_alloc(r->a, (np + 1) * sizeof *unanswered);
	if (permitted == NULL || unanswered == NULL)
		goto fail;
	rows = tv_add_list(v, "children");
	for (i = 0; i < ng; i++) {
		if (g[i].child_id != last) {
			if (last)
				nophoto_child(rows, name, permitted, unanswered, k, &restricted);
			name = g[i].child;
			children++;
			last = g[i].child_id;
			k = 0;
		}
		if (k < np) {
			permitted[k] = g[i].permitted;
			unanswered[k] = g[i].answers == 0;
			k++;
		}
	}
	if (last)
		nophoto_child(rows, name, permitted, unanswered, k, &restricted);
	tv_int(v, "ncols", (long long)np + 1);
	tv_int(v, "restricted", restricted);
	tv_int(v, "others", children - restricted);
	tv_bool(v, "empty_class", children == 0);
	render(r, P_NOPHOTO, v, 200);
	return;
fail:
	server_error(r, "nophoto");
}

/* --- Import --- */

/* Today (UTC) as "YYYY-MM-DD" in out, which holds 11 bytes; returns out. */
static const char *office_today(char out[11])
{
	struct date d;
	struct buf b = BUF_INIT;

	if (date_today(&d) < 0 || date_format_iso(&b, &d) < 0 || b.len != 10)
		snprintf(out, 11, "1970-01-01");
	else
		memcpy(out, b.data, 11);
	buf_free(&b);
	return out;
}

/* The report of an import as the page's lines, at most OFFICE_PLAN_LINES. */
static void report_lines(struct req *r, struct tv *v, const char *key, const char *report)
{
	struct tv *list = tv_add_list(v, key);
	long n = 0;

	while (*report) {
		size_t k = strcspn(report, "\n");
		if (n++ < OFFICE_PLAN_LINES)
			tv_push_str(list, arena_strndup(r->a, report, k));
		report += k + (report[k] == '\n');
	}
	tv_bool(v, key[0] == 'l' ? "has_lines" : "has_problems", n > 0);
	if (n > OFFICE_PLAN_LINES && key[0] == 'l')
		tv_int(v, "more_lines", n - OFFICE_PLAN_LINES);
}

static void import_page(struct req *r, struct tv *v, int status)
{
	tv_bool(v, "nav_import", 1);
	render(r, P_IMPORT, v, status);
}

static void import_refused(struct req *r, const char *text, const char *report)
{
	struct tv *v = page_root(r, T(r, "office_import_title"));

	tv_bool(v, "refused", 1);
	tv_str(v, "refused_text", text);
	if (report)
		report_lines(r, v, "problems", report);
	import_page(r, v, 422);
}

static void get_import(struct req *r, const char *arg)
{
	(void)arg;
	import_page(r, page_root(r, T(r, "office_import_title")), 200);
}

/* The upload: checked with a dry run; kept for confirmation only when it would import. */
static void post_import(struct req *r, const char *arg)
{
	const struct multipart_part *file = multipart_get(&r->mp, "file");
	const struct multipart_part *allow = multipart_get(&r->mp, "allow_leavers");
	struct roster_opts o = {.flags = ROSTER_DRY_RUN, .staff = r->s.username};
	struct roster_counts n;
	struct buf rep = BUF_INIT;
	char today[11], once[TOKEN_LEN + 1];
	const char *name, *data;
	struct tv *v;
	size_t len;
	int rc;

	(void)arg;
	name = file ? file->filename : "";
	len = strlen(name);
	if (file == NULL || !file->is_file || file->len == 0 || file->len > OFFICE_MAX_UPLOAD ||
	    len < 5 || strcasecmp(name + len - 4, ".csv") != 0) {
		import_refused(r, T(r, "office_import_not_csv"), NULL);
		return;
	}
	if (allow && allow->len == 1 && allow->data[0] == '1')
		o.flags |= ROSTER_ALLOW_LEAVERS;
	if ((data = arena_strndup(r->a, file->data, file->len)) == NULL ||
	    strlen(data) != file->len) { /* a NUL: not a text file */
		import_refused(r, T(r, "office_import_not_csv"), NULL);
		return;
	}
	o.today = office_today(today);
	rc = roster_import_opts(r->o->p.db, name, data, file->len, &o, &n, &rep);
	if (rc == 1) {
		import_refused(r, T(r, "office_import_refused_file"), buf_str(&rep));
	} else if (rc < 0 || roster_upload_put(r->o->p.db, r->s.username, name, data, file->len,
	                                       (o.flags & ROSTER_ALLOW_LEAVERS) != 0, once) < 0) {
		office_log("import: database: %s", db_errmsg(r->o->p.db)); /* not the plan: names */
		message(r, 500, "office_error_title", "office_error_text", "/office/import");
	} else {
		v = page_root(r, T(r, "office_import_title"));
		tv_bool(v, "preview", 1);
		tv_str(v, "upload", once);
		tv_str(v, "file", name);
		report_lines(r, v, "lines", buf_str(&rep));
		import_page(r, v, 200);
		sodium_memzero(once, sizeof once);
	}
	buf_free(&rep);
}

static void post_import_confirm(struct req *r, const char *arg)
{
	struct roster_opts o = {.staff = r->s.username};
	struct roster_upload u;
	struct roster_counts n;
	struct buf rep = BUF_INIT;
	char today[11];
	struct tv *v;
	int rc = roster_upload_get(r->o->p.db, r->s.username, form_get(&r->f, "upload"), r->a, &u);

	(void)arg;
	if (rc <= 0) {
		if (rc < 0)
			server_error(r, "import");
		else
			import_refused(r, T(r, "office_import_gone"), NULL);
		return;
	}
	o.today = office_today(today);
	o.flags = u.allow_leavers ? ROSTER_ALLOW_LEAVERS : 0;
	o.sha256 = u.sha256;
	o.upload_hash = u.hash;
	rc = roster_import_opts(r->o->p.db, u.name, u.data, u.len, &o, &n, &rep);
	if (rc == 2) {
		import_refused(r, T(r, "office_import_gone"), NULL);
	} else if (rc == 1) { /* the database changed since the preview */
		import_refused(r, T(r, "office_import_refused_file"), buf_str(&rep));
	} else if (rc < 0) {
		office_log("import: database: %s", db_errmsg(r->o->p.db));
		message(r, 500, "office_error_title", "office_error_text", "/office/import");
	} else {
		office_log("%s imported %s (sha256 %s)", r->s.username, u.name, u.sha256);
		v = page_root(r, T(r, "office_import_title"));
		tv_bool(v, "done", 1);
		tv_str(v, "file", u.name);
		report_lines(r, v, "lines", buf_str(&rep));
		import_page(r, v, 200);
	}
	buf_free(&rep);
}

/* --- Policies (their own file: the pages under /office/policies) --- */

#include "office-policies.c"

/* --- Routes --- */

typedef void (*handler)(struct req *, const char *arg);

enum match { M_EXACT, M_FAMILY, M_EXPORT, M_POLICY };

struct route {
	const char *method;
	enum match match; /* M_FAMILY: path is what follows /office/family/<ref> */
	const char *path;
	int open; /* served without a session (the login) */
	handler h;
	const struct form_field *fields; /* allow-list of the query (GET) or body (POST) */
	size_t nfields;
};

/* What some routes need beyond the common rules, by handler. */
struct route_rules {
	handler h;
	int editor;      /* for editors only: anyone else gets 403 */
	int upload;      /* POST body multipart/form-data (OFFICE_MAX_BODY), CSRF in a part */
	size_t max_body; /* bytes of the body; 0: OFFICE_MAX_BODY for uploads, else FORM_MAX_BODY */
};

#define F(name, max)                                                                               \
	{                                                                                          \
		name, max, 0, 0, 0                                                                 \
	}
#define N(t) t, sizeof t / sizeof t[0]

static const struct form_field none[] = {F("", 1)};
static const struct form_field login_query[] = {F("out", 1)};
static const struct form_field login_body[] = {F("csrf", TOKEN_CSRF_LEN),
                                               F("username", 4 * STAFF_MAX_USER),
                                               F("password", STAFF_MAX_PASSWORD)};
static const struct form_field csrf_body[] = {F("csrf", TOKEN_CSRF_LEN)};
static const struct form_field families_query[] = {
    F("q", OFFICE_MAX_QUERY), F("class", ROSTER_MAX_NAME), F("missing", 1), F("page", 6)};
static const struct form_field family_query[] = {F("done", CONSENT_REF_MAX), F("again", 1)};
static const struct form_field evidence_query[] = {F("s", 20)};
static const struct form_field reissue_body[] = {F("csrf", TOKEN_CSRF_LEN),
                                                 F("once", TOKEN_ONCE_LEN)};
static const struct form_field paper_body[] = {F("csrf", TOKEN_CSRF_LEN),
                                               F("once", TOKEN_ONCE_LEN),
                                               F("signer", 4 * CONSENT_NAME_MAX),
                                               {"sign.", 2, 0, 0, 1},
                                               {"answer.", 3, 0, 0, 1}};
static const struct form_field letters_query[] = {F("class", ROSTER_MAX_NAME),
                                                  F("family", ROSTER_MAX_REF), F("outstanding", 1),
                                                  F("again", 1)};
static const struct form_field letters_body[] = {F("csrf", TOKEN_CSRF_LEN),
                                                 F("once", TOKEN_ONCE_LEN),
                                                 F("class", ROSTER_MAX_NAME),
                                                 F("family", ROSTER_MAX_REF), F("outstanding", 1)};
static const struct form_field nophoto_query[] = {F("class", ROSTER_MAX_NAME)};
static const struct form_field confirm_body[] = {F("csrf", TOKEN_CSRF_LEN), F("upload", TOKEN_LEN)};
static const struct form_field policy_query[] = {F("done", 16)};
static const struct form_field policy_edit_query[] = {F("lang", 3)};
static const struct form_field policy_body[] = {
    F("csrf", TOKEN_CSRF_LEN), F("nonce", TOKEN_LEN), F("base", 64), F("action", 8), F("lang", 3),
    F("slug", 100), F("title", OP_MAX_LINE), F("summary", OP_MAX_LINE), F("date", 10),
    F("effective", 10), F("review", OP_MAX_LINE), F("approved_by", OP_MAX_LINE),
    F("approved_on", 10), F("minute", OP_MAX_LINE), F("owner", OP_MAX_LINE),
    F("audience", OP_MAX_LINE), F("review_frequency", OP_MAX_LINE),
    F("declaration", OP_MAX_LINE), F("resign", 1), F("changes", OP_MAX_LINE),
    F("body", OP_MAX_BODY)};
static const struct form_field policy_review_body[] = {
    F("csrf", TOKEN_CSRF_LEN), F("nonce", TOKEN_LEN),    F("base", 64),
    F("date", 10),             F("approved_by", OP_MAX_LINE), F("review", OP_MAX_LINE),
    F("minute", OP_MAX_LINE)};

static const struct route routes[] = {
    {"GET", M_EXACT, "/office/login", 1, get_login, N(login_query)},
    {"POST", M_EXACT, "/office/login", 1, post_login, N(login_body)},
    {"POST", M_EXACT, "/office/logout", 0, post_logout, N(csrf_body)},
    {"GET", M_EXACT, "/office/", 0, get_dashboard, none, 0},
    {"GET", M_EXACT, "/office/families", 0, get_families, N(families_query)},
    {"GET", M_FAMILY, "", 0, get_family, N(family_query)},
    {"POST", M_FAMILY, "/paper", 0, post_paper, N(paper_body)},
    {"GET", M_FAMILY, "/evidence", 0, get_evidence, N(evidence_query)},
    {"POST", M_FAMILY, "/reissue", 0, post_reissue, N(reissue_body)},
    {"GET", M_EXACT, "/office/letters", 0, get_letters, N(letters_query)},
    {"POST", M_EXACT, "/office/letters", 0, post_letters, N(letters_body)},
    {"GET", M_EXPORT, "", 0, get_export, none, 0},
    {"GET", M_EXACT, "/office/nophoto", 0, get_nophoto, N(nophoto_query)},
    {"GET", M_EXACT, "/office/import", 0, get_import, none, 0},
    {"POST", M_EXACT, "/office/import", 0, post_import, none, 0}, /* multipart */
    {"POST", M_EXACT, "/office/import/confirm", 0, post_import_confirm, N(confirm_body)},
    {"GET", M_EXACT, "/office/policies", 0, get_policies, none, 0},
    {"GET", M_EXACT, "/office/policies/new", 0, get_policy_new, none, 0},
    {"POST", M_EXACT, "/office/policies/new", 0, post_policy_new, N(policy_body)},
    {"GET", M_POLICY, "", 0, get_policy, N(policy_query)},
    {"GET", M_POLICY, "/edit", 0, get_policy_edit, N(policy_edit_query)},
    {"POST", M_POLICY, "/edit", 0, post_policy_edit, N(policy_body)},
    {"GET", M_POLICY, "/review", 0, get_policy_review, none, 0},
    {"POST", M_POLICY, "/review", 0, post_policy_review, N(policy_review_body)},
    {"POST", M_POLICY, "/docx", 0, post_policy_docx, none, 0},
};

static const struct route_rules route_rules[] = {
    {get_policy_new, 1, 0, 0},
    {post_policy_new, 1, 0, OP_MAX_POST},
    {get_policy_edit, 1, 0, 0},
    {post_policy_edit, 1, 0, OP_MAX_POST},
    {get_policy_review, 1, 0, 0},
    {post_policy_review, 1, 0, 0},
    {post_policy_docx, 1, 1, 0},
    {post_import, 0, 1, OFFICE_MAX_UPLOAD + 8192}, /* the export and the form around it */
};

/* The rules of the route with handler h; every field 0 when it has none. */
static struct route_rules rules_of(handler h)
{
	struct route_rules none_ = {NULL, 0, 0, 0};
	size_t i;

	for (i = 0; i < sizeof route_rules / sizeof route_rules[0]; i++)
		if (route_rules[i].h == h)
			return route_rules[i];
	return none_;
}

#define NROUTES (sizeof routes / sizeof routes[0])

/* Whether route rt serves path; *arg receives the family ref or export name. */
static int route_match(const struct route *rt, const char *path, struct arena *a, const char **arg)
{
	static const char family[] = "/office/family/", export[] = "/office/export/";
	static const char policy[] = "/office/policies/";
	const char *p, *slash, *prefix;
	size_t n;

	*arg = NULL;
	switch (rt->match) {
	case M_EXACT:
		return strcmp(path, rt->path) == 0;
	case M_FAMILY:
	case M_POLICY:
		prefix = rt->match == M_FAMILY ? family : policy;
		if (strncmp(path, prefix, strlen(prefix)) != 0)
			return 0;
		p = path + strlen(prefix);
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || strcmp(p + n, rt->path) != 0)
			return 0;
		*arg = arena_strndup(a, p, n);
		return *arg != NULL;
	case M_EXPORT:
		if (strncmp(path, export, sizeof export - 1) != 0)
			return 0;
		p = path + sizeof export - 1;
		n = strlen(p);
		if (n <= 4 || strcmp(p + n - 4, ".csv") != 0 || memchr(p, '/', n))
			return 0;
		*arg = arena_strndup(a, p, n - 4);
		return *arg != NULL;
	}
	return 0;
}

static void handle(const struct cgi_req *cr, struct cgi_resp *resp, void *ctx)
{
	struct office *o = ctx;
	struct req r = {.o = o, .cr = cr, .resp = resp, .a = cr->a};
	const struct route *rt = NULL;
	const char *arg = NULL;
	char sid[TOKEN_LEN + 1];
	int is_post, path_known = 0, has_cookie, live = 0;
	enum portal_method method;
	enum portal_check check;
	struct route_rules rules;
	size_t i;

	if ((method = portal_method(cr->method)) == PORTAL_OTHER) {
		cgi_header(resp, "Allow", "GET, HEAD, POST");
		portal_plain(resp, 405, "Only GET, HEAD and POST are used here.\n");
		return;
	}
	is_post = method == PORTAL_POST;
	portal_sync_catalog(&o->p);
	for (i = 0; i < NROUTES; i++) {
		const char *a;
		if (!route_match(&routes[i], cr->path, r.a, &a))
			continue;
		path_known = 1;
		if (strcmp(routes[i].method, is_post ? "POST" : "GET") == 0) {
			rt = &routes[i];
			arg = a;
			break;
		}
	}
	/* The program accepts bodies up to a Word upload's size; every other route keeps
	 * its own, smaller bound (the web server bounds them before, too). */
	rules = rules_of(rt ? rt->h : NULL);
	if (is_post && cr->body_len > (rules.max_body ? rules.max_body
	                               : rules.upload ? (size_t)OFFICE_MAX_BODY
	                                              : (size_t)FORM_MAX_BODY)) {
		portal_plain(resp, 413,
		             "The form was too large to accept. Nothing was saved.\n"
		             "Roedd y ffurflen yn rhy fawr i'w derbyn. Nid oes dim wedi'i gadw.\n");
		return;
	}
	has_cookie = cookie_sid(&r, sid);
	if (has_cookie && (live = staff_session_get(o->p.db, sid, &r.s)) < 0) {
		server_error(&r, "session");
		return;
	}
	if (live != 1)
		memset(&r.s, 0, sizeof r.s);
	else if (snprintf(r.bind, sizeof r.bind, "session:%s", r.s.hash) < 0 ||
	         staff_csrf(o->p.key, &r.s, r.csrf) < 0 ||
	         token_once_new(o->p.key, r.bind, r.once) < 0) {
		server_error(&r, "csrf");
		return;
	}
	if (!(rt && rt->open) && live != 1) {
		if (has_cookie)
			set_session_cookie(&r, NULL);
		cgi_redirect(resp, "/office/login");
		return;
	}
	if (strcmp(cr->path, "/office") == 0) {
		cgi_redirect(resp, "/office/");
		return;
	}
	if (rt == NULL) {
		if (path_known) {
			cgi_header(resp, "Allow", is_post ? "GET, HEAD" : "POST");
			message(&r, 405, "office_bad_request_title", "office_bad_request_text",
			        "/office/");
		} else {
			message(&r, 404, "office_not_found_title", "office_not_found_text",
			        "/office/");
		}
		return;
	}
	if (rules.editor && r.s.role != STAFF_EDITOR) {
		office_log("%s %s: refused: %s is not an editor", cr->method, cr->path, r.s.username);
		message(&r, 403, "office_policy_editors_only_title", "office_policy_editors_only_text",
		        "/office/policies");
		return;
	}
	if (!is_post && rules.upload) {
		message(&r, 405, "office_bad_request_title", "office_bad_request_text", NULL);
		return;
	}
	/* The uploads alone are multipart/form-data (multipart.h), their CSRF token in a part. */
	if (is_post && rules.upload) {
		const struct multipart_part *c;
		if (cr->query[0] != '\0' ||
		    multipart_parse(&r.mp, cr->content_type, cr->body, cr->body_len) < 0) {
			office_log("%s: refused form: %s", cr->path, multipart_strerror(r.mp.err));
			message(&r, 400, "office_bad_request_title", "office_bad_request_text",
			        NULL);
			goto done;
		}
		c = multipart_get(&r.mp, "csrf");
		if (c == NULL || c->len != TOKEN_CSRF_LEN ||
		    !staff_csrf_check(o->p.key, &r.s, arena_strndup(r.a, c->data, c->len))) {
			office_log("%s: CSRF token missing or wrong (user %s)", cr->path,
			           r.s.username);
			message(&r, 403, "office_csrf_title", "office_csrf_text", "/office/");
			goto done;
		}
	} else if (is_post && (check = portal_check_post(cr, rt->fields, rt->nfields,
	                                                 rules.max_body, &r.f)) != PORTAL_OK) {
		office_log("%s: refused form: %s: %s: %s", cr->path, portal_check_names[check],
		           r.f.errfield, form_strerror(r.f.err));
		if (check == PORTAL_TOO_LARGE)
			portal_plain(resp, 413, "The form is too large.\n");
		else
			message(&r, portal_check_status[check], "office_bad_request_title",
			        "office_bad_request_text", NULL);
		goto done;
	} else if (is_post) {
		if (!rt->open && !staff_csrf_check(o->p.key, &r.s, form_get(&r.f, "csrf"))) {
			office_log("%s: CSRF token missing or wrong (user %s)", cr->path,
			           r.s.username);
			message(&r, 403, "office_csrf_title", "office_csrf_text", "/office/");
			goto done;
		}
	} else if (form_parse(&r.q, cr->query, strlen(cr->query), rt->fields, rt->nfields) < 0) {
		office_log("%s: refused query: %s: %s", cr->path, r.q.errfield,
		           form_strerror(r.q.err));
		message(&r, 400, "office_bad_request_title", "office_bad_request_text", NULL);
		goto done;
	}
	rt->h(&r, arg);
done:
	form_free(&r.q);
	form_free(&r.f);
}

/* --- Set-up --- */

/* The policygen program: CONSENT_POLICYGEN, else the one beside this program. */
static const char *policygen_path(struct buf *b)
{
	char self[4096];
	ssize_t n;
	char *slash;

	buf_reset(b);
	if (portal_env("CONSENT_POLICYGEN", NULL)) {
		buf_puts(b, portal_env("CONSENT_POLICYGEN", NULL));
		return buf_str(b);
	}
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return "policygen";
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		slash[1] = '\0';
	buf_printf(b, "%spolicygen", self);
	return buf_str(b);
}

static int office_open(struct office *o, struct buf *err)
{
	struct buf kpath = BUF_INIT, kerr = BUF_INIT, path = BUF_INIT;
	const char *kp = portal_env("CONSENT_CHECKPOINT_KEY", NULL);
	int li;

	o->p.unavailable = "The office portal is not set up: see the server's error log.\n";
	if (portal_configure(&o->p, "office.fcgi", err) < 0)
		return -1;
	o->site_dir = arena_strdup(o->p.keep, portal_env("CONSENT_SITE", "public"));
	/* The publishing helper (its portal and state folders from the same environment:
	 * CONSENT_PORTAL, CONSENT_STATE, policies.conf(5)) starts first, while this process
	 * holds nothing else open and may still start programs (the sandbox forbids it
	 * later). A helper that does not start leaves the rest of the office working. */
	if ((o->pg = policies_start(policygen_path(&path), o->p.content_dir, o->p.templates_dir,
	                            o->site_dir, err)) == NULL) {
		office_log("publishing from the office is unavailable: %s", buf_str(err));
		buf_reset(err);
	}
	buf_free(&path);
	if (portal_load(&o->p, page_files, P__MAX, err) < 0)
		return -1;
	li = settings_lang(o->p.settings, "en");
	o->li = li < 0 ? 0 : (size_t)li;
	o->base_url = portal_env("CONSENT_BASE_URL", o->p.settings->base_url);
	if (!roster_base_url_valid(o->base_url)) {
		buf_printf(
		    err,
		    "base URL '%s' (CONSENT_BASE_URL, else base_url in %s/site.yaml) is "
		    "not usable for links: it must start http:// or https:// and name a host\n",
		    o->base_url, o->p.content_dir);
		return -1;
	}
	o->base_url = arena_strdup(o->p.keep, o->base_url); /* not getenv's, kept */
	o->root = settings_path_of(o->base_url, o->p.keep);
	if ((o->t = portal_strings(&o->p, o->li)) == NULL || !arena_ok(o->p.keep)) {
		buf_puts(err, "out of memory\n");
		return -1;
	}
	/* The checkpoint key, read now (before the sandbox); without it the progress page
	 * says how to make one. */
	if (kp == NULL) {
		checkpoint_key_path(&kpath, o->p.db_path);
		kp = buf_str(&kpath);
	}
	if (checkpoint_key_load(kp, &o->ckey, &kerr) < 0)
		office_log("no checkpoint on the progress page: %s", buf_str(&kerr));
	buf_free(&kpath);
	buf_free(&kerr);
	return 0;
}

int main(void)
{
	struct office *o = &office_;
	struct buf err = BUF_INIT;
	int rc;

	if (office_open(o, &err) < 0) {
		office_log("%s", buf_str(&err));
		o->p.broken = 1;
	}
	portal_confine(&o->p); /* also when broken: the 503s are served confined too */
	buf_free(&err);
	rc = cgi_main(o->p.broken ? portal_unavailable : handle, o, OFFICE_MAX_BODY);
	sodium_memzero(&o->ckey, sizeof o->ckey);
	policies_stop(o->pg);
	portal_close(&o->p);
	return rc;
}
