/* sign.fcgi: the parents' portal, under /sign/<TOKEN>.
 *
 * Configuration comes from the environment, read once at start:
 *   CONSENT_DB         the database (default var/consent.db); `consentctl init` makes it
 *   CONSENT_CONTENT    the content folder (default content): settings and UI strings
 *                      (settings.h), purposes (consent.yaml); never the policies
 *   CONSENT_PORTAL     what policygen build wrote for the portal (default var/portal,
 *                      handoff.h): signable.tsv and each version's text, whose SHA-256
 *                      is checked before a parent reads it
 *   CONSENT_TEMPLATES  the templates (default templates)
 *   CONSENT_SIGN_THREADS  threads per process (default SIGN_THREADS), each with its own
 *                      connection; their submissions are committed together (group.h)
 * The documents are synced from signable.tsv again whenever the file changes, so a new
 * policy version reaches families with no restart.
 *
 * Routes (the prefix /sign/ in any case, as QR codes use /SIGN/TOKEN):
 *   GET  /sign/T              the family's page: children, what is signed and still needed
 *   GET  /sign/T/conduct      the code of conduct (?doc=SLUG when there are several)
 *   GET  /sign/T/answer       the form (nothing selected; each question lists what each
 *                             carer already answered); POST: the form with the values posted
 *   POST /sign/T/check        errors shown on the form, or the check-your-answers page,
 *                             which issues the once-only value Confirm needs
 *   POST /sign/T/confirm      records the answers this carer gave, then 303 to the
 *                             confirmation page; 400 without a valid once-only value
 *   GET  /sign/T/done?ref=R   the confirmation with its reference, to print or save
 *   POST /sign/T/withdraw     withdraw one consent: asks, then (confirm=yes) records
 *   POST /sign/T/language     stores the household's language
 * Every GET page takes ?lang=en|cy for that page only (the switcher's links); without it
 * the household's stored language is used. The stored choice changes only by POST: a
 * confirmed submission or withdrawal stores the language it was made in, and the family
 * page offers to remember the language being viewed.
 *
 * Unknown, malformed and revoked tokens all get one plain page in both languages
 * (404), and count towards the per-address limit on failed look-ups (429 beyond it). The
 * live token of a family that has left gets a "contact the school" page (403).
 * Every form carries a CSRF token bound to the family and its live token (a reissued
 * code ends the forms opened with the old one); every POST is checked for it
 * (403), for its content type (415), and against the form's allow-list of fields (400).
 * Nothing is stored unless the whole request is valid. The log (standard error) never
 * gets a token or a name: only family ids and reasons. */
#include <errno.h>
#include <fcgiapp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "catalog.h"
#include "cgi.h"
#include "consent.h"
#include "date.h"
#include "db.h"
#include "form.h"
#include "group.h"
#include "handoff.h"
#include "html.h"
#include "letters.h"
#include "portal.h"
#include "settings.h"
#include "tmpl.h"
#include "token.h"

#define SIGN_MAX_BODY 16384     /* bytes of a request body */
#define SIGN_MAX_ACTION 16      /* bytes of the action in a path */
#define SIGN_MAX_TOKEN_SEG 64   /* bytes of the token segment looked at */
/* Bytes the form takes for a name; a name over CONSENT_NAME_MAX is an error shown on the
 * form, one over this is a malformed request. */
#define SIGN_NAME_FIELD_MAX 400
/* Threads per process, each serving one request at a time with its own database
 * connection; submissions of the threads are committed together (group.h). */
#define SIGN_THREADS 8
#define SIGN_THREADS_MAX 32

static const char *const langs[CATALOG_LANGS] = {"en", "cy"};

enum page { P_FAMILY, P_CONDUCT, P_ANSWER, P_CHECK, P_DONE, P_WITHDRAW, P_MESSAGE, P__MAX };

static const char *const page_templates[P__MAX] = {
    [P_FAMILY] = "sign-family.html",   [P_CONDUCT] = "sign-conduct.html",
    [P_ANSWER] = "sign-answer.html",   [P_CHECK] = "sign-check.html",
    [P_DONE] = "sign-done.html",       [P_WITHDRAW] = "sign-withdraw.html",
    [P_MESSAGE] = "sign-message.html",
};

struct app {
	struct portal p;             /* database, settings, catalog, templates, CSRF key */
	struct tv *t[CATALOG_LANGS]; /* the UI strings, by language */
	size_t li[CATALOG_LANGS];    /* the settings' index of each language */
	struct letters_contact contact; /* the school office */
	const char *root;               /* the path of base_url: "" at the top of the host */
	struct group *group;            /* the process's group commit (NULL: one thread) */
	struct consent_cache *cache; /* purposes and documents between requests; NULL: none */
	struct token_mac mac;        /* p.key's, for the CSRF and once-only values */
};

/* One request. */
struct rq {
	struct app *app;
	const struct cgi_req *req;
	struct cgi_resp *resp;
	struct arena *a;
	int ci; /* language index: 0 en, 1 cy */
	const char *lang;
	char token[TOKEN_LEN + 1]; /* canonical */
	const char *base;          /* root + "/sign/" + token */
	long long family_id;
	struct consent_family *fam;
	char csrf[TOKEN_CSRF_LEN + 1];
	const char *bind; /* what the CSRF and once-only values are bound to */
	struct form q; /* query string: lenient, GET only */
	struct form body;
	char date_iso[11];     /* fmt_date's last date, ... */
	const char *date_lang; /* ... in this language, ... */
	const char *date_text; /* ... and its text (a page shows the same few many times) */
};

#define logmsg(...) portal_log(&app_->p, __VA_ARGS__)
static struct app *app_; /* the one app, for the log's name */

/* A UI string in language ci. */
static const char *tr(const struct app *app, int ci, const char *key)
{
	return settings_string(app->p.settings, app->li[ci], key);
}

static const char *T(const struct rq *r, const char *key)
{
	return tr(r->app, r->ci, key);
}

static int lang_index(const char *lang)
{
	return lang ? catalog_lang(lang) : -1;
}

/* "1 September 2026" for an ISO date or time ("2026-09-01T..."); the input when it is
 * not one. */
static const char *fmt_date(struct rq *r, const char *iso)
{
	struct date d;
	struct buf b = BUF_INIT;
	const char *out;

	if (iso == NULL || strlen(iso) < 10)
		return iso ? iso : "";
	if (r->date_text && r->date_lang == r->lang && memcmp(r->date_iso, iso, 10) == 0)
		return r->date_text;
	if (date_parsen(&d, iso, 10, NULL) < 0)
		return iso;
	date_format(&b, &d, r->lang);
	out = arena_strdup(r->a, buf_str(&b));
	buf_free(&b);
	if (out) {
		memcpy(r->date_iso, iso, 10);
		r->date_lang = r->lang;
		r->date_text = out;
	}
	return out;
}

/* The purpose's title in the request's language (its id when the catalog lacks it). */
static const char *purpose_title(struct rq *r, const char *id)
{
	const struct purpose_text *p = catalog_purpose(r->app->p.cat, id);

	if (p == NULL)
		return id;
	return p->title[r->ci] ? p->title[r->ci] : p->title[0];
}

static const char *purpose_text(struct rq *r, const struct consent_purpose *p)
{
	if (p->text == NULL)
		return "";
	return p->text->text[r->ci] ? p->text->text[r->ci] : p->text->text[0];
}

/* A link to one of the family's pages in the request's language; action "" is the
 * family page, extra is "" or "name=value&" already encoded. */
/* The addresses and field names below are made with arena_cat, not arena_printf: a
 * check page makes dozens, and formatting them was a tenth of its instructions. */

/* r->base/ACTION?EXTRAlang=LANG, or r->base?... when action is "". */
static const char *link_lang(struct rq *r, const char *action, const char *extra,
                             const char *lang)
{
	return arena_cat(r->a, r->base, action[0] ? "/" : "", action, "?", extra, "lang=", lang,
	                 (char *)NULL);
}

static const char *link(struct rq *r, const char *action, const char *extra)
{
	return link_lang(r, action, extra, r->lang);
}

static const char *action_url(struct rq *r, const char *action)
{
	return arena_cat(r->a, r->base, "/", action, (char *)NULL);
}

/* id (a rowid: not negative) in decimal, in buf. */
static const char *id_text(char buf[24], long long id)
{
	char *p = buf + 23;
	unsigned long long v = id < 0 ? 0 : (unsigned long long)id;

	*p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	return p;
}

static void add_contact(struct rq *r, struct tv *d)
{
	const struct letters_contact *c = &r->app->contact;
	struct tv *x;

	if (c->phone == NULL && c->email == NULL)
		return;
	x = tv_add_dict(d, "contact");
	if (c->phone)
		tv_str(x, "phone", c->phone);
	if (c->email)
		tv_str(x, "email", c->email);
}

/* The values every portal page has. The language switcher links to switch_action (as
 * for link()) with extra. */
static struct tv *page_root(struct rq *r, const char *title, const char *switch_action,
                            const char *extra)
{
	struct app *app = r->app;
	struct tv *root = tv_dict(r->a), *alts = tv_add_list(root, "alternates");
	int ci;

	tv_attach(root, "t", app->t[r->ci]);
	tv_str(root, "lang", r->lang);
	tv_str(root, "site_name", app->p.settings->name[app->li[r->ci]]);
	tv_str(root, "page_title", title);
	tv_str(root, "root", app->root);
	tv_str(root, "home", arena_cat(r->a, app->root, "/", r->lang, "/", (char *)NULL));
	tv_str(root, "csrf", r->csrf);
	add_contact(r, root);
	for (ci = 0; ci < CATALOG_LANGS; ci++) {
		struct tv *a = tv_push_dict(alts);
		tv_str(a, "lang", langs[ci]);
		tv_str(a, "name", tr(app, ci, "language_name"));
		tv_str(a, "href", link_lang(r, switch_action, extra, langs[ci]));
		tv_bool(a, "current", ci == r->ci);
	}
	return root;
}

static void server_error(struct rq *r, const char *why);

static void render(struct rq *r, enum page p, const struct tv *root)
{
	if (portal_render(&r->app->p, p, root, r->a, r->resp) == 0)
		return;
	if (p != P_MESSAGE)
		server_error(r, "template");
	else
		portal_plain(r->resp, 500, "");
}

/* A plain page: the strings key_title and key_text, and detail when not NULL, in the
 * request's language, or in every language when both (the page for a request whose
 * family is not known). back links to the family page. */
static void message(struct rq *r, int status, const char *key, int both, const char *detail,
                    int back)
{
	struct app *app = r->app;
	struct tv *root = tv_dict(r->a), *list = tv_add_list(root, "messages");
	int ci, first = 1;

	r->resp->status = status;
	tv_str(root, "root", app->root);
	tv_str(root, "lang", both ? langs[0] : r->lang);
	add_contact(r, root);
	for (ci = 0; ci < CATALOG_LANGS; ci++) {
		struct tv *m;
		const char *title = tr(app, ci, arena_printf(r->a, "%s_title", key));
		if (!both && ci != r->ci)
			continue;
		m = tv_push_dict(list);
		tv_str(m, "lang", langs[ci]);
		tv_str(m, "site_name", app->p.settings->name[app->li[ci]]);
		tv_str(m, "title", title);
		tv_str(m, "text", tr(app, ci, arena_printf(r->a, "%s_text", key)));
		tv_str(m, "office", tr(app, ci, "sign_office_contact"));
		if (detail)
			tv_str(m, "detail", detail);
		if (back && r->base) {
			tv_str(m, "back", link(r, "", ""));
			tv_str(m, "back_label", tr(app, ci, "sign_back_to_family"));
		}
		if (first)
			tv_str(root, "page_title", title);
		first = 0;
	}
	render(r, P_MESSAGE, root);
}

static void server_error(struct rq *r, const char *why)
{
	logmsg("family %lld: %s", r->family_id, why);
	message(r, 500, "sign_error", r->fam == NULL, NULL, 0);
}

static void not_found(struct rq *r)
{
	message(r, 404, "sign_notfound", 1, NULL, 0);
}

static void forbidden(struct rq *r, const char *key, const char *why)
{
	logmsg("family %lld: refused: %s", r->family_id, why);
	message(r, 403, key, 0, NULL, 1);
}

static void bad_request(struct rq *r, const char *detail_key, const char *why)
{
	logmsg("family %lld: bad request: %s", r->family_id, why);
	message(r, 400, "sign_bad", 0, detail_key ? T(r, detail_key) : NULL, 1);
}

static void redirect(struct rq *r, const char *action, const char *extra)
{
	buf_reset(&r->resp->body);
	cgi_redirect(r->resp, link(r, action, extra));
}

/* The answer to consent_record or consent_withdraw: the receipt ref (CONSENT_OK), the
 * family page (nothing to record), else a refusal from the portal's one table (portal.h);
 * what names the request in the log. */
static void recorded(struct rq *r, enum consent_err ce, const char *ref, const char *what)
{
	const struct portal_answer *x = &portal_consent_answers[ce];
	const char *why;

	if (ce == CONSENT_OK || ce == CONSENT_ERR_NOTHING) {
		redirect(r, ce == CONSENT_OK ? "done" : "",
		         ce == CONSENT_OK
		             ? arena_printf(r->a, "ref=%s&", portal_url_encoded(r->a, ref))
		             : "");
		return;
	}
	why = arena_printf(r->a, "%s: %s: %s", what, consent_err_names[ce],
	                   ce == CONSENT_ERR_DB ? db_errmsg(r->app->p.db) : "refused");
	if (x->status >= 500)
		server_error(r, why);
	else if (x->status == 403)
		forbidden(r, x->key, why);
	else
		bad_request(r, x->key, why);
}

/* --- Reading the forms --- */

/* Decimal ids without sign or leading zeros; 0 when s is not one. */
static long long parse_id(const char *s, size_t n)
{
	long long v = 0;
	size_t i;

	if (n == 0 || n > 18 || s[0] == '0')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* The answers form as posted. */
struct answers {
	const char *name; /* NULL when absent */
	int *agree;       /* per document index */
	const char **val; /* [child index * npurposes + purpose index]: NULL, "yes" or "no" */
};

static int answers_init(struct rq *r, struct answers *x)
{
	const struct consent_family *f = r->fam;

	x->name = NULL;
	x->agree = arena_alloc(r->a, (f->ndocs + 1) * sizeof *x->agree);
	x->val = arena_alloc(r->a, (f->nchildren * f->npurposes + 1) * sizeof *x->val);
	return x->agree && x->val ? 0 : -1;
}

/* Reads the posted answers into x, checking that every field belongs to this family's
 * form. Returns 0, or the status to refuse with (400, 403) with *why for the log and
 * *detail the UI string key for the parent. */
static int read_answers(struct rq *r, struct answers *x, const char **why, const char **detail)
{
	const struct consent_family *f = r->fam;
	size_t i;

	for (i = 0; i < r->body.npair; i++) {
		const char *n = r->body.pair[i].name, *v = r->body.pair[i].value;
		if (strcmp(n, "csrf") == 0 || strcmp(n, "lang") == 0)
			continue;
		if (strcmp(n, "name") == 0) {
			x->name = v;
		} else if (strncmp(n, "agree.", 6) == 0) {
			long long id = parse_id(n + 6, strlen(n + 6));
			int di = id ? consent_doc_index(f, id) : -1;
			if (id == 0) {
				*why = "malformed document field";
				*detail = "sign_formerr_unknown_field";
				return 400;
			}
			if (di < 0) {
				*why = "a document that is not current";
				*detail = "sign_formerr_stale";
				return 400;
			}
			if (strcmp(v, "yes") != 0) {
				*why = "a declaration value other than yes";
				*detail = "sign_formerr_value";
				return 400;
			}
			x->agree[di] = 1;
		} else if (strncmp(n, "a.", 2) == 0) {
			const char *dot = strchr(n + 2, '.');
			long long id = dot ? parse_id(n + 2, (size_t)(dot - n - 2)) : 0;
			int ci = id ? consent_child_index(f, id) : -1, pi;
			if (id == 0) {
				*why = "malformed answer field";
				*detail = "sign_formerr_unknown_field";
				return 400;
			}
			if (ci < 0) {
				*why = "a child who is not this family's";
				*detail = NULL;
				return 403;
			}
			if ((pi = consent_purpose_index(f, dot + 1)) < 0) {
				*why = "an unknown purpose";
				*detail = "sign_formerr_stale";
				return 400;
			}
			if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0) {
				*why = "an answer other than yes or no";
				*detail = "sign_formerr_value";
				return 400;
			}
			x->val[(size_t)ci * f->npurposes + (size_t)pi] = v;
		}
	}
	return 0;
}

static const char *answer_field(struct rq *r, size_t ci, size_t pi)
{
	char id[24];

	return arena_cat(r->a, "a.", id_text(id, r->fam->children[ci].id), ".",
	                 r->fam->purposes[pi].id, (char *)NULL);
}

static const char *doc_field(struct rq *r, size_t di)
{
	char id[24];

	return arena_cat(r->a, "agree.", id_text(id, r->fam->docs[di].id), (char *)NULL);
}

static void push_error(struct tv *errors, const char *field, const char *msg)
{
	struct tv *e = tv_push_dict(errors);

	tv_str(e, "field", field);
	tv_str(e, "message", msg);
}

/* The text for an answer: yes/no for a consent, or no objection/objects. */
static const char *answer_text(struct rq *r, int public_task, const char *answer);

/* Adds to d a list called name of what each carer answered for child ci and purpose pi,
 * "Name: answer", leaving out the carer whose key is skip_key (NULL: none). Returns the
 * number of carers listed. */
static int recorded_answers(struct rq *r, struct tv *d, const char *name, size_t ci, size_t pi,
                            const char *skip_key)
{
	const struct consent_family *f = r->fam;
	const struct consent_purpose *p = &f->purposes[pi];
	struct tv *list = NULL;
	size_t k;
	int n = 0;

	for (k = 0; k < f->nanswers; k++) {
		const struct consent_answer *a = &f->answers[k];
		struct tv *ca;
		if (a->child_id != f->children[ci].id || strcmp(a->purpose, p->id) != 0 ||
		    (skip_key && strcmp(a->signer_key, skip_key) == 0))
			continue;
		if (list == NULL)
			list = tv_add_list(d, name);
		/* Not copied: the family's and the UI strings outlive the page. */
		ca = tv_push_dict(list);
		tv_str_ref(ca, "signer", a->signer);
		tv_str_ref(ca, "answer", answer_text(r, p->public_task, a->answer));
		tv_str_ref(ca, "date", fmt_date(r, a->at));
		n++;
	}
	return n;
}

/* The values of document di on the answers form, into t; missing: the error for a
 * declaration not ticked. */
static void doc_values(struct rq *r, struct tv *t, struct tv *errors, size_t di, int checked,
                       int missing)
{
	const struct consent_doc *d = &r->fam->docs[di];
	const char *field = doc_field(r, di);
	size_t j;

	tv_str(t, "field", field);
	tv_str(t, "title", d->title);
	tv_str(t, "declaration", d->declaration);
	if (strcmp(d->lang, r->lang) != 0)
		tv_str(t, "doc_lang", d->lang);
	tv_str(t, "read_href",
	       link(r, "conduct", arena_printf(r->a, "doc=%s&", portal_url_encoded(r->a, d->slug))));
	tv_bool(t, "checked", checked);
	if (d->nsigners) {
		struct buf b = BUF_INIT;
		for (j = 0; j < d->nsigners; j++)
			buf_printf(&b, "%s%s", j ? ", " : "", d->signers[j].signer);
		tv_str(t, "signed_by", buf_str(&b));
		buf_free(&b);
	}
	if (missing) {
		const char *msg = T(r, "sign_err_agree");
		tv_str(t, "error", msg);
		push_error(errors, field, msg);
	}
}

/* The values of the question for child ci and purpose pi, answered v (NULL: not by this
 * form), into q; missing: the error for a question that needs an answer. */
static void question_values(struct rq *r, struct tv *q, struct tv *errors, size_t ci,
                            size_t pi, const char *v, int missing)
{
	const struct consent_family *f = r->fam;
	const struct consent_purpose *p = &f->purposes[pi];
	const char *field = answer_field(r, ci, pi);

	tv_str(q, "field", field);
	tv_str(q, "title", purpose_title(r, p->id));
	tv_str(q, "text", purpose_text(r, p));
	tv_bool(q, "public_task", p->public_task);
	tv_bool(q, "yes", v && strcmp(v, "yes") == 0);
	tv_bool(q, "no", v && strcmp(v, "no") == 0);
	/* What each carer said before: shown beside the question, never selected, so a
	 * carer's submission holds only what they chose. */
	if (recorded_answers(r, q, "recorded", ci, pi, NULL) > 0)
		tv_bool(q, "has_recorded", 1);
	if (missing) {
		const char *msg =
		    arena_printf(r->a, "%s %s: %s",
		                 T(r, p->public_task ? "sign_err_object" : "sign_err_consent"),
		                 f->children[ci].first_name, purpose_title(r, p->id));
		tv_str(q, "error", msg);
		push_error(errors, field, msg);
	}
}

/* Builds the answers form's values from x into root. With check, each missing or
 * wrong answer gets an error next to it and in the summary. Returns the number of
 * errors. With root NULL it only counts them (check 1): what a check or confirm needs
 * to know before it makes any page, at none of the cost of the form's values. */
static int form_values(struct rq *r, struct tv *root, const struct answers *x, int check)
{
	const struct consent_family *f = r->fam;
	struct tv *errors = tv_add_list(root, "errors"), *docs = tv_add_list(root, "docs");
	struct tv *children = tv_add_list(root, "children");
	char show[CONSENT_NAME_MAX + 1], key[CONSENT_NAME_MAX + 1];
	size_t i, j;
	int n = 0, given = 0;

	for (i = 0; i < f->ndocs; i++) {
		int missing = check && f->docs[i].needs_sign && !x->agree[i];
		if (x->agree[i])
			given++;
		n += missing;
		if (root)
			doc_values(r, tv_push_dict(docs), errors, i, x->agree[i], missing);
	}
	tv_bool(root, "has_children", f->nchildren > 0);
	for (i = 0; i < f->nchildren; i++) {
		struct tv *c = tv_push_dict(children), *qs = tv_add_list(c, "questions");
		tv_str(c, "first_name", f->children[i].first_name);
		for (j = 0; j < f->npurposes; j++) {
			const char *v = x->val[i * f->npurposes + j];
			/* answered already (by any carer): leaving it blank keeps that */
			int missing = check && v == NULL && consent_effective_at(f, i, j)->answers == 0;
			if (v)
				given++;
			n += missing;
			if (root)
				question_values(r, tv_push_dict(qs), errors, i, j, v, missing);
		}
	}
	tv_str(root, "name", x->name ? x->name : "");
	if (check) {
		/* The message for each way a name is refused (consent.h). */
		static const char *const name_errors[] = {
		    [CONSENT_NAME_EMPTY] = "sign_err_name_empty",
		    [CONSENT_NAME_LONG] = "sign_err_name_long",
		    [CONSENT_NAME_BAD] = "sign_err_name_bad",
		    [CONSENT_NAME_INVISIBLE] = "sign_err_name_invisible",
		};
		enum consent_name nk = consent_signer_key(x->name, show, key);
		const char *msg =
		    nk != CONSENT_NAME_OK && (size_t)nk < sizeof name_errors / sizeof name_errors[0]
		        ? T(r, name_errors[nk])
		        : NULL;
		if (msg) {
			tv_str(root, "name_error", msg);
			push_error(errors, "name", msg);
			n++;
		}
	}
	if (check && n == 0 && given == 0) {
		/* Everything was answered before and this carer chose nothing. */
		n++;
		if (root) {
			const char *msg = T(r, "sign_err_nothing");
			tv_str(root, "nothing_error", msg);
			push_error(errors,
			           f->nchildren && f->npurposes ? answer_field(r, 0, 0)
			           : f->ndocs                  ? doc_field(r, 0)
			                                       : "name",
			           msg);
		}
	}
	tv_bool(root, "has_errors", n > 0);
	tv_bool(root, "error_title", n > 0);
	return n;
}

static void show_form(struct rq *r, const struct answers *x, int check, int returning)
{
	struct tv *root = page_root(r, T(r, "sign_answer_title"), "answer", "");

	tv_str(root, "action", action_url(r, "check"));
	tv_str(root, "back_href", link(r, "", ""));
	tv_bool(root, "returning", returning);
	form_values(r, root, x, check);
	render(r, P_ANSWER, root);
}

/* The text for an answer: yes/no for a consent, or no objection/objects. */
static const char *answer_text(struct rq *r, int public_task, const char *answer)
{
	int yes = answer && strcmp(answer, "yes") == 0;

	if (public_task)
		return T(r, yes ? "sign_answer_no_objection" : "sign_answer_objects");
	return T(r, yes ? "sign_answer_yes" : "sign_answer_no");
}

/* --- Pages --- */

static void family_page(struct rq *r)
{
	const struct consent_family *f = r->fam;
	struct tv *root = page_root(r, T(r, "sign_family_title"), "", "");
	struct tv *todo = tv_add_list(root, "todo"), *docs = tv_add_list(root, "docs");
	struct tv *children = tv_add_list(root, "children");
	size_t i, j, k;
	int ntodo = 0, first_time = f->nanswers == 0;
	const char *saved = form_get(&r->q, "saved");

	if (saved && strcmp(saved, "1") == 0)
		tv_str(root, "notice", T(r, "sign_language_saved"));
	for (i = 0; i < f->ndocs; i++) {
		const struct consent_doc *d = &f->docs[i];
		struct tv *t = tv_push_dict(docs), *signers = tv_add_list(t, "signers");
		tv_str(t, "slug", d->slug);
		tv_str(t, "title", d->title);
		if (strcmp(d->lang, r->lang) != 0)
			tv_str(t, "doc_lang", d->lang);
		tv_bool(t, "signed", !d->needs_sign);
		tv_bool(t, "again", d->sign_again);
		tv_str(t, "read_href",
		       link(r, "conduct",
		            arena_printf(r->a, "doc=%s&", portal_url_encoded(r->a, d->slug))));
		for (j = 0; j < d->nsigners; j++) {
			struct tv *s = tv_push_dict(signers);
			tv_str(s, "signer", d->signers[j].signer);
			tv_str(s, "date", fmt_date(r, d->signers[j].at));
			tv_bool(s, "paper", strcmp(d->signers[j].channel, "qr") != 0);
		}
		if (d->needs_sign) {
			tv_push_str(todo, arena_printf(r->a, "%s: %s",
			                               T(r, d->sign_again ? "sign_todo_sign_again"
			                                                  : "sign_todo_sign"),
			                               d->title));
			ntodo++;
		} else {
			first_time = 0;
		}
	}
	tv_bool(root, "has_children", f->nchildren > 0);
	for (i = 0; i < f->nchildren; i++) {
		const struct consent_child *c = &f->children[i];
		struct tv *cd = tv_push_dict(children), *rows = tv_add_list(cd, "rows");
		int missing = 0;
		tv_str(cd, "first_name", c->first_name);
		tv_str(
		    cd, "class",
		    letters_class_name(r->a, r->app->p.settings, r->app->li[r->ci], c->class_name));
		tv_int(cd, "id", c->id);
		for (j = 0; j < f->npurposes; j++) {
			const struct consent_purpose *p = &f->purposes[j];
			const struct consent_effective *e = consent_effective_at(f, i, j);
			struct tv *row = tv_push_dict(rows), *carers = tv_add_list(row, "carers");
			const char *status;
			int ncarers = 0;
			tv_str(row, "title", purpose_title(r, p->id));
			if (e->answers == 0 && !p->public_task) {
				status = T(r, "sign_photo_not_answered");
				missing = 1;
			} else if (e->answers == 0) {
				status = T(r, "sign_photo_not_answered");
				tv_str(row, "status_hint", T(r, "sign_photo_public_task_hint"));
			} else if (p->public_task) {
				status = T(r, e->permitted ? "sign_photo_no_objection"
				                           : "sign_photo_objected");
			} else {
				status = T(r, e->permitted ? "sign_photo_yes" : "sign_photo_no");
				if (!e->permitted && e->yes > 0)
					tv_str(row, "status_hint",
					       T(r, "sign_photo_restrictive_hint"));
			}
			tv_str(row, "status", status);
			for (k = 0; k < f->nanswers; k++) {
				const struct consent_answer *a = &f->answers[k];
				struct tv *ca;
				if (a->child_id != c->id || strcmp(a->purpose, p->id) != 0)
					continue;
				ca = tv_push_dict(carers);
				tv_str(ca, "signer", a->signer);
				tv_str(ca, "answer", answer_text(r, p->public_task, a->answer));
				tv_str(ca, "date", fmt_date(r, a->at));
				ncarers++;
			}
			tv_bool(row, "has_carers", ncarers > 0);
			if (e->permitted && e->yes > 0) {
				struct tv *w = tv_add_dict(row, "withdraw");
				tv_str(w, "action", action_url(r, "withdraw"));
				tv_int(w, "child", c->id);
				tv_str(w, "purpose", p->id);
				tv_str(w, "label",
				       T(r, p->public_task ? "sign_object_button"
				                           : "sign_withdraw_button"));
			}
		}
		if (missing) {
			tv_push_str(todo, arena_printf(r->a, "%s %s", T(r, "sign_todo_photos"),
			                               c->first_name));
			ntodo++;
		}
	}
	tv_bool(root, "has_todo", ntodo > 0);
	tv_bool(root, "first_time", first_time);
	tv_str(root, "answer_href", link(r, "answer", ""));
	if (strcmp(r->lang, f->language) != 0) {
		struct tv *m = tv_add_dict(root, "remember");
		tv_str(m, "action", action_url(r, "language"));
	}
	render(r, P_FAMILY, root);
}

/* 1 when s is non-empty and all of it is in the set. */
static int all_in(const char *s, const char *set)
{
	return s[0] && strspn(s, set) == strlen(s);
}

static void conduct_page(struct rq *r)
{
	const struct consent_family *f = r->fam;
	const char *want = form_get(&r->q, "doc");
	const struct consent_doc *d = f->ndocs ? &f->docs[0] : NULL;
	struct buf text = BUF_INIT;
	enum handoff_text got;
	const char *extra;
	struct tv *root;
	size_t i;

	for (i = 0; want && i < f->ndocs; i++)
		if (strcmp(f->docs[i].slug, want) == 0)
			d = &f->docs[i];
	if (d == NULL) {
		message(r, 404, "sign_nodoc", 0, NULL, 1);
		return;
	}
	/* The names come from the database, which policygen filled; check them anyway,
	 * since they become a path. */
	if (!all_in(d->slug, "abcdefghijklmnopqrstuvwxyz0123456789-") ||
	    !all_in(d->version, "0123456789-") || lang_index(d->lang) < 0) {
		server_error(r, "a document row with a malformed slug, version or language");
		return;
	}
	got =
	    handoff_text_read(r->app->p.portal_dir, d->slug, d->version, d->lang, d->sha256, &text);
	if (got != HANDOFF_TEXT_OK) {
		if (got == HANDOFF_TEXT_CHANGED)
			logmsg("document %lld (%s %s %s): its text does not match the SHA-256 "
			       "recorded for it; refusing to show it",
			       d->id, d->slug, d->version, d->lang);
		else
			logmsg("document %lld: cannot read its text from %s: %s (run policygen "
			       "build)",
			       d->id, r->app->p.portal_dir, strerror(errno));
		buf_free(&text);
		message(r, 503, "sign_conduct_unavailable", 0, NULL, 1);
		return;
	}
	extra = want ? arena_printf(r->a, "doc=%s&", portal_url_encoded(r->a, d->slug)) : "";
	root = page_root(r, d->title, "conduct", extra);
	/* The exact bytes policygen published and the database hashed: trusted HTML. */
	tv_html(root, "text", buf_str(&text));
	buf_free(&text);
	tv_bool(root, "fallback", strcmp(d->lang, r->lang) != 0);
	tv_str(root, "version", d->version);
	tv_str(root, "version_date", fmt_date(r, d->version));
	tv_str(root, "back_href", link(r, "", ""));
	tv_str(root, "answer_href", link(r, "answer", ""));
	render(r, P_CONDUCT, root);
}

static void answer_page(struct rq *r)
{
	const struct consent_family *f = r->fam;
	struct answers x;
	const char *why, *detail;
	int returning = 0, status;
	size_t i, j;

	if (answers_init(r, &x) < 0) {
		server_error(r, "out of memory");
		return;
	}
	if (strcmp(r->req->method, "POST") == 0) {
		/* "Change" on the check page: the form again with what was posted. */
		if ((status = read_answers(r, &x, &why, &detail)) != 0) {
			if (status == 403)
				forbidden(r, "sign_child", why);
			else
				bad_request(r, detail, why);
			return;
		}
	}
	/* Coming back: nothing is selected (a carer's answers are only what they choose);
	 * each question lists the answers already given. */
	for (i = 0; i < f->nchildren; i++)
		for (j = 0; j < f->npurposes; j++)
			if (consent_effective_at(f, i, j)->answers > 0)
				returning = 1;
	show_form(r, &x, 0, returning);
}

/* The family's answers, for a route that loaded the family without them (lazy): read
 * when a question is left blank (whether another carer answered it decides) or the form
 * comes back (it shows what each carer said). 0, or -1 after a server error. */
static int family_answers(struct rq *r)
{
	if (consent_load_answers(r->app->p.db, r->a, r->fam) < 0) {
		server_error(r, arena_printf(r->a, "cannot load: %s", db_errmsg(r->app->p.db)));
		return -1;
	}
	return 0;
}

/* Whether x answers every question of the form. */
static int every_question(const struct rq *r, const struct answers *x)
{
	size_t i, n = r->fam->nchildren * r->fam->npurposes;

	for (i = 0; i < n; i++)
		if (x->val[i] == NULL)
			return 0;
	return 1;
}

/* Reads the posted answers into x: 1 when they are complete and valid; else 0 after
 * answering (the form again with its errors, or a refusal). */
static int answers_complete(struct rq *r, struct answers *x)
{
	const char *why, *detail;
	int status;

	if (answers_init(r, x) < 0) {
		server_error(r, "out of memory");
		return 0;
	}
	if ((status = read_answers(r, x, &why, &detail)) != 0) {
		if (status == 403)
			forbidden(r, "sign_child", why);
		else
			bad_request(r, detail, why);
		return 0;
	}
	if (!every_question(r, x) && family_answers(r) < 0)
		return 0;
	if (form_values(r, NULL, x, 1) > 0) {
		if (family_answers(r) == 0)
			show_form(r, x, 1, 0);
		return 0;
	}
	return 1;
}

static void check_page(struct rq *r)
{
	const struct consent_family *f = r->fam;
	struct answers x;
	struct tv *root, *hidden, *docs, *children;
	char show[CONSENT_NAME_MAX + 1], key[CONSENT_NAME_MAX + 1];
	size_t i, j;

	if (!answers_complete(r, &x))
		return;
	consent_signer_key(x.name, show, key);
	root = page_root(r, T(r, "sign_check_title"), "answer", "");
	hidden = tv_add_list(root, "hidden");
	docs = tv_add_list(root, "docs");
	children = tv_add_list(root, "children");
	tv_str(root, "confirm_action", action_url(r, "confirm"));
	tv_str(root, "change_action", action_url(r, "answer"));
	tv_str(root, "name", show);
	{
		char once[TOKEN_ONCE_LEN + 1];
		struct tv *h = tv_push_dict(hidden);
		tv_str(h, "name", "name");
		tv_str(h, "value", x.name);
		/* A second tap on Confirm sends the same value and is recorded once. */
		if (token_once_new_with(&r->app->mac, r->bind, once) < 0) {
			server_error(r, "once-only value");
			return;
		}
		h = tv_push_dict(hidden);
		tv_str(h, "name", "once");
		tv_str(h, "value", once);
	}
	for (i = 0; i < f->ndocs; i++) {
		struct tv *h, *d;
		const char *field;
		if (!x.agree[i])
			continue;
		field = doc_field(r, i);
		h = tv_push_dict(hidden);
		tv_str(h, "name", field);
		tv_str(h, "value", "yes");
		d = tv_push_dict(docs);
		tv_str(d, "title", f->docs[i].title);
		tv_str(d, "field", field);
		if (strcmp(f->docs[i].lang, r->lang) != 0)
			tv_str(d, "doc_lang", f->docs[i].lang);
	}
	for (i = 0; i < f->nchildren; i++) {
		struct tv *c = tv_push_dict(children), *rows = tv_add_list(c, "rows");
		tv_str(c, "first_name", f->children[i].first_name);
		for (j = 0; j < f->npurposes; j++) {
			const char *v = x.val[i * f->npurposes + j], *field = answer_field(r, i, j);
			struct tv *row = tv_push_dict(rows);
			if (v) {
				struct tv *h = tv_push_dict(hidden);
				tv_str(h, "name", field);
				tv_str(h, "value", v);
			}
			/* Not copied: the catalog's, the UI's and the request's strings outlive
			 * the page. */
			tv_str_ref(row, "title", purpose_title(r, f->purposes[j].id));
			tv_str_ref(row, "answer",
			           v ? answer_text(r, f->purposes[j].public_task, v)
			             : T(r, "sign_check_no_answer"));
			tv_str_ref(row, "field", field);
			/* Who else said what, so a difference between carers is plain. */
			if (recorded_answers(r, row, "others", i, j, key) > 0)
				tv_bool(row, "has_others", 1);
		}
	}
	render(r, P_CHECK, root);
}

static void confirm(struct rq *r)
{
	const struct consent_family *f = r->fam;
	struct answers x;
	struct consent_submission s;
	struct consent_item *items;
	long long *docs;
	char ref[CONSENT_REF_MAX];
	size_t i, j;

	if (!answers_complete(r, &x))
		return;
	memset(&s, 0, sizeof s);
	docs = arena_alloc(r->a, (f->ndocs + 1) * sizeof *docs);
	items = arena_alloc(r->a, (f->nchildren * f->npurposes + 1) * sizeof *items);
	if (docs == NULL || items == NULL) {
		server_error(r, "out of memory");
		return;
	}
	for (i = 0; i < f->ndocs; i++)
		if (x.agree[i])
			docs[s.ndocuments++] = f->docs[i].id;
	for (i = 0; i < f->nchildren; i++) {
		for (j = 0; j < f->npurposes; j++) {
			struct consent_item *it;
			if (x.val[i * f->npurposes + j] == NULL)
				continue; /* not this carer's answer: others' stand */
			it = &items[s.nitems++];
			it->child_id = f->children[i].id;
			it->purpose = f->purposes[j].id;
			it->answer = x.val[i * f->npurposes + j];
		}
	}
	s.family_id = f->id;
	s.signer = x.name;
	s.documents = docs;
	s.items = items;
	s.channel = "qr";
	s.language = r->lang;
	/* Only through the check page: a confirm without the once-only value it issued
	 * (missing, made up, another family's) stores nothing. */
	s.once = form_get(&r->body, "once");
	if (!token_once_check_with(&r->app->mac, r->bind, s.once)) {
		bad_request(r, "sign_formerr_once", "confirm without a valid once-only value");
		return;
	}
	recorded(r, group_record(r->app->group, r->app->p.db, &s, ref), ref, "a submission");
}

static void withdraw(struct rq *r)
{
	const struct consent_family *f = r->fam;
	const char *child = form_get(&r->body, "child"), *purpose = form_get(&r->body, "purpose");
	const char *yes = form_get(&r->body, "confirm");
	long long id = child ? parse_id(child, strlen(child)) : 0;
	int ci = id ? consent_child_index(f, id) : -1;
	int pi = consent_purpose_index(f, purpose);
	const struct consent_effective *e;
	char ref[CONSENT_REF_MAX];
	struct tv *root;

	if (id == 0 || pi < 0) {
		bad_request(r, "sign_formerr_value", "withdraw: a malformed child or purpose");
		return;
	}
	if (ci < 0) {
		forbidden(r, "sign_child", "withdraw: a child who is not this family's");
		return;
	}
	if (yes == NULL) {
		e = consent_effective_at(f, (size_t)ci, (size_t)pi);
		if (!(e->permitted && e->yes > 0)) {
			redirect(r, "", "");
			return;
		}
		root = page_root(r,
		                 T(r, f->purposes[pi].public_task ? "sign_withdraw_object_title"
		                                                  : "sign_withdraw_title"),
		                 "", "");
		tv_str(root, "first_name", f->children[ci].first_name);
		tv_str(root, "title", purpose_title(r, f->purposes[pi].id));
		tv_bool(root, "public_task", f->purposes[pi].public_task);
		tv_str(root, "action", action_url(r, "withdraw"));
		tv_int(root, "child", id);
		tv_str(root, "purpose", f->purposes[pi].id);
		tv_str(root, "back_href", link(r, "", ""));
		render(r, P_WITHDRAW, root);
		return;
	}
	if (strcmp(yes, "yes") != 0) {
		bad_request(r, "sign_formerr_value", "withdraw: confirm is not yes");
		return;
	}
	recorded(r, consent_withdraw(r->app->p.db, f->id, id, f->purposes[pi].id, r->lang, ref),
	         ref, "a withdrawal");
}

static void language(struct rq *r)
{
	if (lang_index(form_get(&r->body, "lang")) < 0) {
		bad_request(r, "sign_formerr_value", "language: no lang, or not en or cy");
		return;
	}
	if (consent_set_language(r->app->p.db, r->fam->id, r->lang) < 0) {
		server_error(r, "cannot store the language");
		return;
	}
	buf_reset(&r->resp->body);
	cgi_redirect(r->resp, arena_printf(r->a, "%s?saved=1", r->base));
}

static void done_page(struct rq *r)
{
	const char *ref = form_get(&r->q, "ref");
	struct consent_receipt *rc = NULL;
	struct tv *root, *docs, *children, *cur = NULL;
	long long cur_child = 0;
	int withdrawal = 1, objection = 0;
	const char *title;
	size_t i;

	switch (ref ? consent_receipt(r->app->p.db, r->a, r->fam->id, ref, &rc) : 1) {
	case 0:
		break;
	case 1:
		message(r, 404, "sign_noref", 0, NULL, 1);
		return;
	default:
		server_error(r, "cannot read a receipt");
		return;
	}
	/* The heading says what was done: answers sent, consent withdrawn, or (for a
	 * public-task purpose, where there is no consent to withdraw) an objection. */
	for (i = 0; i < rc->nitems; i++) {
		const struct consent_receipt_item *it = &rc->items[i];
		int pi = consent_purpose_index(r->fam, it->purpose);
		if (strcmp(it->kind, "withdraw") != 0)
			withdrawal = 0;
		else if (pi >= 0 && r->fam->purposes[pi].public_task)
			objection = 1;
	}
	withdrawal = withdrawal && rc->nitems > 0;
	title = !withdrawal ? "sign_done_title"
	        : objection ? "sign_done_objected_title"
	                    : "sign_done_withdrawn_title";
	root = page_root(r, T(r, title), "done",
	                 arena_printf(r->a, "ref=%s&", portal_url_encoded(r->a, rc->ref)));
	tv_str(root, "heading", T(r, title));
	docs = tv_add_list(root, "docs");
	children = tv_add_list(root, "children");
	tv_str(root, "ref", rc->ref);
	tv_str(root, "at", rc->at);
	tv_str(root, "date", fmt_date(r, rc->at));
	if (rc->signer)
		tv_str(root, "signer", rc->signer);
	tv_str(root, "family_href", link(r, "", ""));
	for (i = 0; i < rc->nitems; i++) {
		const struct consent_receipt_item *it = &rc->items[i];
		int pi = consent_purpose_index(r->fam, it->purpose);
		int public_task = pi >= 0 && r->fam->purposes[pi].public_task;
		struct tv *row;
		if (strcmp(it->kind, "sign") == 0) {
			struct tv *d = tv_push_dict(docs);
			tv_str(d, "title", it->title);
			tv_str(d, "version_date", fmt_date(r, it->version));
			if (strcmp(it->lang, r->lang) != 0)
				tv_str(d, "doc_lang", it->lang);
			continue;
		}
		if (cur == NULL || it->child_id != cur_child) {
			struct tv *c = tv_push_dict(children);
			tv_str(c, "first_name", it->child);
			cur = tv_add_list(c, "rows");
			cur_child = it->child_id;
		}
		row = tv_push_dict(cur);
		tv_str(row, "title", purpose_title(r, it->purpose ? it->purpose : ""));
		if (strcmp(it->kind, "withdraw") == 0)
			tv_str(row, "answer",
			       T(r, public_task ? "sign_answer_objection_recorded"
			                        : "sign_answer_withdrawn"));
		else
			tv_str(row, "answer", answer_text(r, public_task, it->answer));
	}
	tv_bool(root, "withdrawal", withdrawal);
	render(r, P_DONE, root);
}

/* --- Routing --- */

enum { M_GET = 1, M_POST = 2 };

/* The fields each kind of form may have; all optional here, checked by the handler
 * (a missing CSRF token is a 403, a missing answer an error shown on the form). */
/* clang-format off */
static const struct form_field answer_fields[] = {
	/* name		maxlen			required multi	prefix */
	{"csrf",	TOKEN_CSRF_LEN,		0,	0,	0},
	{"lang",	2,			0,	0,	0},
	{"name",	SIGN_NAME_FIELD_MAX,	0,	0,	0},
	{"agree.",	3,			0,	0,	1},	/* agree.<document id> */
	{"a.",		3,			0,	0,	1},	/* a.<child id>.<purpose> */
	{"once",	TOKEN_ONCE_LEN,		0,	0,	0},	/* the check page's */
};
static const struct form_field withdraw_fields[] = {
	{"csrf",	TOKEN_CSRF_LEN,		0,	0,	0},
	{"lang",	2,			0,	0,	0},
	{"child",	18,			0,	0,	0},
	{"purpose",	64,			0,	0,	0},
	{"confirm",	3,			0,	0,	0},
};
static const struct form_field language_fields[] = {
	{"csrf",	TOKEN_CSRF_LEN,		0,	0,	0},
	{"lang",	2,			0,	0,	0},
};
/* clang-format on */

struct route {
	const char *action;
	int methods;
	void (*fn)(struct rq *);
	const struct form_field *fields; /* POST */
	size_t nfields;
	int lazy; /* the family loaded without its answers: fn reads them when it needs them */
};

#define FIELDS(t) t, sizeof t / sizeof t[0]

static const struct route routes[] = {
    {"", M_GET, family_page, NULL, 0, 0},
    {"conduct", M_GET, conduct_page, NULL, 0, 0},
    {"answer", M_GET | M_POST, answer_page, FIELDS(answer_fields), 0},
    {"check", M_POST, check_page, FIELDS(answer_fields), 0},
    {"confirm", M_POST, confirm, FIELDS(answer_fields), 1},
    {"done", M_GET, done_page, NULL, 0, 0},
    {"withdraw", M_POST, withdraw, FIELDS(withdraw_fields), 0},
    {"language", M_POST, language, FIELDS(language_fields), 0},
};

/* Splits a path root + "/sign/" (any case) + token [+ "/" + action] [+ "/"]. */
static int split_path(const struct app *app, const char *path, char tok[SIGN_MAX_TOKEN_SEG],
                      char action[SIGN_MAX_ACTION])
{
	size_t rl = strlen(app->root), n;

	if (rl && strncmp(path, app->root, rl) == 0 && strncasecmp(path + rl, "/sign/", 6) == 0)
		path += rl;
	if (strncasecmp(path, "/sign/", 6) != 0)
		return -1;
	path += 6;
	n = strcspn(path, "/");
	if (n == 0 || n >= SIGN_MAX_TOKEN_SEG)
		return -1;
	memcpy(tok, path, n);
	tok[n] = '\0';
	path += n;
	action[0] = '\0';
	if (*path == '\0')
		return 0;
	path++;
	n = strcspn(path, "/");
	if (n >= SIGN_MAX_ACTION)
		return -1;
	memcpy(action, path, n);
	action[n] = '\0';
	path += n;
	if (*path == '/')
		path++;
	return *path ? -1 : 0;
}

static void set_lang(struct rq *r, const char *want, const char *stored)
{
	int ci = lang_index(want);

	if (ci < 0)
		ci = lang_index(stored);
	r->ci = ci < 0 ? 0 : ci;
	r->lang = langs[r->ci];
}

static void handle(const struct cgi_req *req, struct cgi_resp *resp, void *ctx)
{
	struct app *app = ctx;
	struct rq r = {.app = app, .req = req, .resp = resp, .a = req->a, .lang = langs[0]};
	const struct route *rt = NULL;
	char tok[SIGN_MAX_TOKEN_SEG], action[SIGN_MAX_ACTION], id[32 + TOKEN_HEX_LEN], stored[3];
	char hash[TOKEN_HEX_LEN + 1];
	int method, ok, rc, reading = 0;
	enum portal_check check;
	size_t i;

	method = portal_method(req->method) == PORTAL_GET    ? M_GET
	         : portal_method(req->method) == PORTAL_POST ? M_POST
	                                                     : 0;
	if (method == 0) {
		cgi_header(resp, "Allow", "GET, HEAD, POST");
		message(&r, 405, "sign_method", 1, NULL, 0);
		goto out;
	}
	if (split_path(app, req->path, tok, action) == 0)
		for (i = 0; i < sizeof routes / sizeof routes[0] && rt == NULL; i++)
			if (strcmp(routes[i].action, action) == 0)
				rt = &routes[i];
	if (rt == NULL) {
		not_found(&r);
		goto out;
	}
	if (!(rt->methods & method)) {
		cgi_header(resp, "Allow", rt->methods & M_GET ? "GET, HEAD" : "POST");
		message(&r, 405, "sign_method", 1, NULL, 0);
		goto out;
	}
	/* The size, type and query string refused now; a field's error once the family is
	 * known, so that it is shown in the family's language. */
	check = method == M_POST ? portal_check_post(req, rt->fields, rt->nfields, 0, &r.body)
	                         : PORTAL_OK;
	if (check != PORTAL_OK && check != PORTAL_FIELDS) {
		logmsg("refused POST: %s", portal_check_names[check]);
		message(&r, portal_check_status[check],
		        check == PORTAL_TYPE ? "sign_type" : "sign_bad", 1, NULL, 0);
		goto out;
	}
	portal_sync_catalog(&app->p);
	/* One read transaction for the reads every request makes (the token, the
	 * language, the family): one moment of the database, its locks taken once. A
	 * write ends it (db_begin: the failed look-up's count). */
	if (db_read_begin(app->p.db) < 0) {
		server_error(&r, arena_printf(r.a, "read transaction: %s", db_errmsg(app->p.db)));
		goto out;
	}
	reading = 1;
	token_hash_hex(tok, hash); /* "" when malformed: unknown */
	switch (consent_lookup_hash(app->p.db, hash, req->remote_addr, (long long)time(NULL),
	                            &r.family_id, stored)) {
	case CONSENT_FOUND:
		break;
	case CONSENT_UNKNOWN:
		not_found(&r);
		goto out;
	case CONSENT_LEFT:
		logmsg("family %lld: refused: the family has left", r.family_id);
		message(&r, 403, "sign_left", 1, NULL, 0);
		goto out;
	case CONSENT_THROTTLED:
		cgi_header(resp, "Retry-After", "600");
		message(&r, 429, "sign_throttled", 1, NULL, 0);
		goto out;
	default:
		server_error(&r, arena_printf(r.a, "token look-up: %s", db_errmsg(app->p.db)));
		goto out;
	}
	token_parse(tok, r.token);
	r.base = arena_cat(r.a, app->root, "/sign/", r.token, (char *)NULL);
	/* Bound to the family and its live token (hash, found above), so a reissued token
	 * ends every form opened with the old one. */
	snprintf(id, sizeof id, "family:%lld:%s", r.family_id, hash);
	r.bind = arena_strdup(r.a, id);
	if (token_csrf_with(&app->mac, id, r.csrf) < 0) {
		server_error(&r, "csrf");
		goto out;
	}
	if (method == M_GET) {
		if (form_parse(&r.q, req->query, strlen(req->query), NULL, 0) < 0)
			form_free(&r.q); /* a GET's stray parameters are ignored */
		set_lang(&r, form_get(&r.q, "lang"), stored);
	} else {
		ok = check == PORTAL_OK;
		set_lang(&r, ok ? form_get(&r.body, "lang") : NULL, stored);
		if (!ok) {
			const char *key =
			    arena_printf(r.a, "sign_formerr_%s", form_error_names[r.body.err]);
			char *p;
			for (p = (char *)key; p && *p; p++)
				if (*p == '-')
					*p = '_';
			bad_request(&r, key,
			            arena_printf(r.a, "%s (field %s)", form_strerror(r.body.err),
			                         r.body.errfield));
			goto out;
		}
		if (!token_csrf_equal(r.csrf, form_get(&r.body, "csrf"))) {
			forbidden(&r, "sign_csrf", "missing or wrong CSRF token");
			goto out;
		}
	}
	if ((rc = consent_load_family(app->p.db, app->cache, r.a, app->p.cat, r.family_id, r.lang,
	                              !rt->lazy, &r.fam)) != 0) {
		if (rc > 0)
			not_found(&r);
		else
			server_error(&r,
			             arena_printf(r.a, "cannot load: %s", db_errmsg(app->p.db)));
		goto out;
	}
	/* Ended before the page is made, so a snapshot is held no longer than the reads
	 * (a reader keeps the WAL from starting again from its beginning). */
	db_read_end(app->p.db);
	reading = 0;
	rt->fn(&r);
out:
	if (reading)
		db_read_end(app->p.db);
	form_free(&r.q);
	form_free(&r.body);
}

/* --- Start --- */

static int start(struct app *app)
{
	struct buf err = BUF_INIT;
	int i, rc;

	rc = portal_open(&app->p, "sign.fcgi", page_templates, P__MAX, &err);
	if (rc == 0) {
		for (i = 0; i < CATALOG_LANGS; i++) {
			int li = settings_lang(app->p.settings, langs[i]);
			app->li[i] = li < 0 ? 0 : (size_t)li;
			app->t[i] = portal_strings(&app->p, app->li[i]);
		}
		letters_contact_load(app->p.settings, &app->contact);
		token_mac_init(&app->mac, app->p.key);
		if ((app->cache = consent_cache_new()) == NULL)
			buf_puts(&err, "out of memory\n");
		app->root = settings_url_path(app->p.settings, app->p.keep);
		if (!arena_ok(app->p.keep))
			buf_puts(&err, "out of memory\n");
	}
	if (err.len) {
		portal_log(&app->p, "%s", buf_str(&err));
		rc = -1;
	}
	buf_free(&err);
	return rc;
}

/* The threads to serve with: CONSENT_SIGN_THREADS, else SIGN_THREADS; 1 as plain CGI. */
static int threads(void)
{
	const char *v = portal_env("CONSENT_SIGN_THREADS", "");
	char *end;
	long n;

	if (FCGX_IsCGI())
		return 1;
	if (*v == '\0')
		return SIGN_THREADS;
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < 1 || n > SIGN_THREADS_MAX) {
		fprintf(stderr, "sign.fcgi: CONSENT_SIGN_THREADS must be a whole number from 1 to %d;"
		                " serving with %d\n", SIGN_THREADS_MAX, SIGN_THREADS);
		return SIGN_THREADS;
	}
	return (int)n;
}

int main(void)
{
	static struct app apps[SIGN_THREADS_MAX];
	void *ctxs[SIGN_THREADS_MAX];
	int i, n = threads(), broken = 0, rc;
	struct group *g = NULL;

	app_ = &apps[0];
	/* Each thread has its own app (its database connection, catalog and arenas); the
	 * threads share only the group commit, whose lock file is opened before the
	 * sandbox. */
	for (i = 0; i < n; i++) {
		ctxs[i] = &apps[i];
		broken |= start(&apps[i]) < 0;
	}
	if (n > 1) {
		struct buf lock = BUF_INIT;
		if (apps[0].p.db_path) /* else start failed, and only 503s are served */
			buf_printf(&lock, "%s%s", apps[0].p.db_path, GROUP_LOCK_SUFFIX);
		/* NULL when out of memory: each thread then commits its own submissions */
		g = group_new(lock.len && buf_ok(&lock) ? buf_str(&lock) : NULL);
		buf_free(&lock);
		for (i = 0; i < n; i++)
			apps[i].group = g;
	}
	portal_confine(&apps[0].p); /* also when broken: the 503s are served confined too */
	broken |= apps[0].p.broken;
	for (i = 0; i < n; i++)
		apps[i].p.broken = broken;
	rc = cgi_main_threads(broken ? portal_unavailable : handle, ctxs, n, SIGN_MAX_BODY);
	for (i = 0; i < n; i++) {
		consent_cache_free(apps[i].cache);
		sodium_memzero(&apps[i].mac, sizeof apps[i].mac);
		portal_close(&apps[i].p);
	}
	group_free(g);
	return rc;
}
