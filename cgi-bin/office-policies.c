/* office-policies.c: the office's policy pages under /office/policies, included by
 * office.c (it uses office.c's request, page and route helpers; it has no SQL).
 *
 *   GET  /office/policies                       every policy, its version and status
 *   GET  /office/policies/<slug>                versions, re-adoptions, public links
 *   GET  /office/policies/<slug>/edit?lang=     a new version (or translation), pre-filled
 *   POST /office/policies/<slug>/edit           action=preview | publish
 *   GET  /office/policies/<slug>/review         re-adopt without change
 *   POST /office/policies/<slug>/review
 *   POST /office/policies/<slug>/docx           a Word document into the form (multipart)
 *   GET  /office/policies/new                   a new policy; POST as edit
 *
 * Everything about the policies themselves comes from `policygen serve` (policies.h):
 * the office only shows what it answers and passes the forms on. Everyone signed in sees
 * the list and the policy pages; only an `editor` gets the forms, and every other POST
 * or form is refused with 403 before anything is asked of the generator. Each form
 * carries the CSRF token, a once-only value (a second Publish shows the first result)
 * and `base`, the state of the policy folder when the form was opened (a policy changed
 * since by someone else is not published over: the editor is told and shown it). */

#include "policies.h"

#define OP_MAX_BODY (600 * 1024)      /* bytes of Markdown accepted from the form */
#define OP_MAX_LINE 2000              /* bytes of a one-line field */
#define OP_MAX_POST (2 * 1024 * 1024) /* bytes of an encoded policy form */

/* The form's fields, in the order shown. */
enum opf {
	OPF_SLUG,
	OPF_TITLE,
	OPF_SUMMARY,
	OPF_DATE,
	OPF_EFFECTIVE,
	OPF_REVIEW,
	OPF_APPROVED_BY,
	OPF_APPROVED_ON,
	OPF_MINUTE,
	OPF_OWNER,
	OPF_AUDIENCE,
	OPF_REVIEW_FREQUENCY,
	OPF_DECLARATION,
	OPF_RESIGN,
	OPF_CHANGES,
	OPF_BODY,
	OPF__MAX
};

enum opkind { OPK_TEXT, OPK_AREA, OPK_CHECK };

static const struct {
	const char *name;
	enum opkind kind;
	int shared;   /* a language-independent field: in the default-language form only */
	int new_only; /* only when starting a new policy */
} opf[OPF__MAX] = {
    [OPF_SLUG] = {"slug", OPK_TEXT, 1, 1},
    [OPF_TITLE] = {"title", OPK_TEXT, 0, 0},
    [OPF_SUMMARY] = {"summary", OPK_TEXT, 0, 0},
    [OPF_DATE] = {"date", OPK_TEXT, 1, 0},
    [OPF_EFFECTIVE] = {"effective", OPK_TEXT, 1, 0},
    [OPF_REVIEW] = {"review", OPK_TEXT, 1, 0},
    [OPF_APPROVED_BY] = {"approved_by", OPK_TEXT, 1, 0},
    [OPF_APPROVED_ON] = {"approved_on", OPK_TEXT, 1, 0},
    [OPF_MINUTE] = {"minute", OPK_TEXT, 1, 0},
    [OPF_OWNER] = {"owner", OPK_TEXT, 1, 0},
    [OPF_AUDIENCE] = {"audience", OPK_TEXT, 1, 0},
    [OPF_REVIEW_FREQUENCY] = {"review_frequency", OPK_TEXT, 1, 0},
    [OPF_DECLARATION] = {"declaration", OPK_TEXT, 0, 0},
    [OPF_RESIGN] = {"resign", OPK_CHECK, 1, 0},
    [OPF_CHANGES] = {"changes", OPK_TEXT, 0, 0},
    [OPF_BODY] = {"body", OPK_AREA, 0, 0},
};

/* A policy form being shown. */
struct opform {
	const char *slug; /* NULL: a new policy */
	const char *lang; /* the language of the text */
	const char *v[OPF__MAX];
	const char *err[OPF__MAX];
	const char *base, *once;
	struct tv *errors; /* the error summary */
	struct tv *warnings;
	const char *preview, *preview_changes; /* trusted HTML from the generator */
	struct tv *lost;                       /* what a Word document lost */
	size_t nlost;
	const struct wire_msg *show; /* the policy as it is (NULL for a new one) */
};

static const char *op_label_key(struct req *r, enum opf f)
{
	return arena_printf(r->a, "office_policy_field_%s", opf[f].name);
}

/* A request to the helper; the answer in m. 0, or -1 after answering the browser. */
static int op_ask(struct req *r, const struct buf *q, struct wire_msg *m)
{
	struct buf err = BUF_INIT;

	if (!buf_ok(q) || policies_ask(r->o->pg, q, m, r->a, &err) < 0) {
		office_log("policies: %s", buf_ok(q) ? buf_str(&err) : "out of memory");
		buf_free(&err);
		message(r, 503, "office_policies_unavailable_title",
		        "office_policies_unavailable_text", "/office/policies");
		return -1;
	}
	buf_free(&err);
	if (strcmp(m->verb, "fail") == 0) {
		office_log("policygen serve: %s",
		           wire_get(m, "message") ? wire_get(m, "message") : "");
		message(r, 500, "office_error_title", "office_policies_failed_text",
		        "/office/policies");
		return -1;
	}
	return 0;
}

/* The helper's dates are YYYY-MM-DD: written for people as "3 March 2027". */
static const char *op_date(struct req *r, const char *iso)
{
	struct date d;
	struct date_error de;
	struct buf b = BUF_INIT;
	const char *s;

	if (iso == NULL || iso[0] == '\0' || date_parse(&d, iso, &de) < 0)
		return iso ? iso : "";
	date_format(&b, &d, "en");
	s = arena_strdup(r->a, buf_str(&b));
	buf_free(&b);
	return s ? s : iso;
}

static int op_editor(const struct req *r)
{
	return r->s.role == STAFF_EDITOR;
}

static const char *op_public(struct req *r, const char *lang, const char *slug, const char *iso,
                             const char *tail)
{
	return arena_printf(r->a, "%s/%s/policies/%s/%s%s%s", r->o->root, lang, slug,
	                    iso ? iso : "", iso ? "/" : "", tail);
}

/* --- The list --- */

/* One policy of the list, as the generator's fields arrive. */
struct oprow {
	const char *slug, *title, *current, *review, *status, *welsh, *last_reviewed;
	struct tv *scheduled;
	size_t nscheduled;
};

static void op_list_row(struct req *r, struct tv *list, const struct oprow *w)
{
	struct tv *row;

	if (w->slug == NULL)
		return;
	row = tv_push_dict(list);
	tv_str(row, "slug", w->slug);
	tv_str(row, "href", arena_printf(r->a, "/office/policies/%s", w->slug));
	tv_str(row, "title", w->title ? w->title : w->slug);
	tv_str(row, "current",
	       w->current && w->current[0] ? op_date(r, w->current)
	                                   : T(r, "office_policy_none_yet"));
	tv_str(row, "review", w->review ? w->review : "");
	tv_str(row, "status_class", w->status ? w->status : "");
	tv_str(row, "status",
	       T(r, w->status == NULL                    ? "office_policy_up_to_date"
	            : strcmp(w->status, "overdue") == 0  ? "office_review_overdue"
	            : strcmp(w->status, "due-soon") == 0 ? "office_review_due_soon"
	                                                 : "office_policy_up_to_date"));
	tv_str(row, "welsh_class", w->welsh ? w->welsh : "");
	tv_str(row, "welsh",
	       w->welsh == NULL
	           ? ""
	           : T(r, strcmp(w->welsh, "outdated") == 0 ? "office_policy_welsh_outdated"
	                                                    : "office_policy_welsh_missing"));
	tv_str(row, "last_reviewed", w->last_reviewed ? op_date(r, w->last_reviewed) : "");
	tv_bool(row, "has_scheduled", w->nscheduled > 0);
	tv_attach(row, "scheduled", w->scheduled);
}

static void get_policies(struct req *r, const char *arg)
{
	struct tv *v = page_root(r, T(r, "office_policies_title")), *list;
	struct tv *problems = tv_add_list(v, "problems");
	struct buf q = BUF_INIT;
	struct wire_msg m;
	struct oprow w;
	size_t i, nproblems = 0;
	int rc;

	(void)arg;
	tv_bool(v, "nav_policies", 1);
	tv_bool(v, "editor", op_editor(r));
	wire_begin(&q, "list");
	wire_end(&q);
	rc = op_ask(r, &q, &m);
	buf_free(&q);
	if (rc < 0)
		return;
	list = tv_add_list(v, "policies");
	memset(&w, 0, sizeof w);
	for (i = 0; i < m.n; i++) {
		const char *k = m.f[i].name, *val = m.f[i].value;
		if (strcmp(k, "policy") == 0) {
			op_list_row(r, list, &w);
			memset(&w, 0, sizeof w);
			w.slug = val;
			w.scheduled = tv_list(r->a);
		} else if (strcmp(k, "problem") == 0) {
			tv_push_str(problems, val);
			nproblems++;
		} else if (w.slug == NULL) {
			continue;
		} else if (strcmp(k, "title") == 0) {
			w.title = val;
		} else if (strcmp(k, "current") == 0) {
			w.current = val;
		} else if (strcmp(k, "review") == 0) {
			w.review = val;
		} else if (strcmp(k, "status") == 0) {
			w.status = val;
		} else if (strncmp(k, "lang.", 5) == 0 && strcmp(val, "ok") != 0) {
			w.welsh = val;
		} else if (strcmp(k, "scheduled") == 0) {
			tv_push_str(w.scheduled, op_date(r, val));
			w.nscheduled++;
		} else if (strcmp(k, "last_reviewed") == 0) {
			w.last_reviewed = val;
		}
	}
	op_list_row(r, list, &w);
	tv_bool(v, "has_problems", nproblems > 0);
	render(r, P_POLICIES, v, 200);
}

/* --- One policy --- */

static int valid_policy_slug(const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
	return p != s && s[0] != '-' && p - s <= 100;
}

/* Asks for the policy slug into m: 1, 0 after a 404, -1 after another answer. */
static int op_show(struct req *r, const char *slug, struct wire_msg *m)
{
	struct buf q = BUF_INIT;
	int rc;

	if (!valid_policy_slug(slug)) {
		message(r, 404, "office_not_found_title", "office_policy_not_found",
		        "/office/policies");
		return 0;
	}
	wire_begin(&q, "show");
	wire_puts(&q, "slug", slug);
	wire_end(&q);
	rc = op_ask(r, &q, m);
	buf_free(&q);
	if (rc < 0)
		return -1;
	if (strcmp(m->verb, "notfound") == 0) {
		message(r, 404, "office_not_found_title", "office_policy_not_found",
		        "/office/policies");
		return 0;
	}
	return 1;
}

static void get_policy(struct req *r, const char *slug)
{
	struct wire_msg m;
	struct tv *v, *versions, *langs;
	const char *done = form_get(&r->q, "done"), *title;
	struct {
		const char *iso, *effective, *approved_by, *approved_on, *minute, *langs, *changes;
		int scheduled;
		struct tv *reviewed;
	} w;
	size_t i;

	if (op_show(r, slug, &m) <= 0)
		return;
	title = wire_get(&m, "en.title") ? wire_get(&m, "en.title") : slug;
	v = page_root(r, title);
	tv_bool(v, "nav_policies", 1);
	tv_bool(v, "editor", op_editor(r));
	tv_str(v, "slug", slug);
	tv_str(v, "title", title);
	tv_str(v, "edit_href", arena_printf(r->a, "/office/policies/%s/edit", slug));
	tv_str(v, "edit_cy_href", arena_printf(r->a, "/office/policies/%s/edit?lang=cy", slug));
	tv_str(v, "review_href", arena_printf(r->a, "/office/policies/%s/review", slug));
	tv_str(v, "public_en", op_public(r, "en", slug, NULL, ""));
	tv_str(v, "public_cy", op_public(r, "cy", slug, NULL, ""));
	if (done && (strcmp(done, "published") == 0 || strcmp(done, "scheduled") == 0 ||
	             strcmp(done, "readopted") == 0))
		tv_str(v, "done", T(r, arena_printf(r->a, "office_policy_done_%s", done)));
	langs = tv_add_list(v, "langs");
	for (i = 0; i < m.n; i++)
		if (strcmp(m.f[i].name, "lang") == 0)
			tv_push_str(langs, m.f[i].value);
	versions = tv_add_list(v, "versions");
	/* Versions come newest first; each but the oldest has a "what changed" page. */
	memset(&w, 0, sizeof w);
	for (i = 0; i <= m.n; i++) {
		const char *k = i < m.n ? m.f[i].name : "version",
		           *val = i < m.n ? m.f[i].value : NULL;
		if (strcmp(k, "version") == 0) {
			if (w.iso) {
				struct tv *ver = tv_push_dict(versions);
				tv_str(ver, "iso", w.iso);
				tv_str(ver, "date", op_date(r, w.iso));
				tv_str(ver, "href_en", op_public(r, "en", slug, w.iso, ""));
				tv_str(ver, "changes_href",
				       val ? op_public(r, "en", slug, w.iso, "changes/") : "");
				tv_str(ver, "effective", op_date(r, w.effective));
				tv_bool(ver, "scheduled", w.scheduled);
				tv_str(ver, "approved_by", w.approved_by ? w.approved_by : "");
				tv_str(ver, "approved_on", op_date(r, w.approved_on));
				tv_str(ver, "minute", w.minute ? w.minute : "");
				tv_str(ver, "languages", w.langs ? w.langs : "");
				tv_str(ver, "summary_of_changes", w.changes ? w.changes : "");
				tv_attach(ver, "reviewed", w.reviewed);
			}
			memset(&w, 0, sizeof w);
			w.iso = val;
			w.reviewed = tv_list(r->a);
		} else if (w.iso == NULL) {
			continue;
		} else if (strcmp(k, "effective") == 0) {
			w.effective = val;
		} else if (strcmp(k, "published") == 0) {
			w.scheduled = strcmp(val, "0") == 0;
		} else if (strcmp(k, "v.approved_by") == 0) {
			w.approved_by = val;
		} else if (strcmp(k, "v.approved_on") == 0) {
			w.approved_on = val;
		} else if (strcmp(k, "v.minute") == 0) {
			w.minute = val;
		} else if (strcmp(k, "langs") == 0) {
			w.langs = val;
		} else if (strcmp(k, "v.changes") == 0) {
			w.changes = val;
		} else if (strcmp(k, "reviewed") == 0) {
			/* date \t approved_by \t review \t minute */
			char *sv = arena_strdup(r->a, val), *f[4] = {"", "", "", ""}, *p = sv;
			struct tv *rv = tv_push_dict(w.reviewed);
			int n;
			for (n = 0; p && n < 4; n++) {
				f[n] = p;
				if ((p = strchr(p, '\t')) != NULL)
					*p++ = '\0';
			}
			tv_str(rv, "date", op_date(r, f[0]));
			tv_str(rv, "approved_by", f[1]);
			tv_str(rv, "review", f[2]);
			tv_str(rv, "minute", f[3]);
		} else if (strncmp(k, "form.", 5) == 0) {
			/* the form's values follow the versions */
			i = m.n - 1;
		}
	}
	render(r, P_POLICY, v, 200);
}

/* --- The form --- */

static void op_error(struct req *r, struct opform *f, const char *field, const char *text)
{
	struct tv *e;
	int i;

	if (f->errors == NULL)
		f->errors = tv_list(r->a);
	e = tv_push_dict(f->errors);
	tv_str(e, "text", text);
	tv_str(e, "field", field && field[0] ? field : "body");
	for (i = 0; field && i < OPF__MAX; i++)
		if (strcmp(opf[i].name, field) == 0 && f->err[i] == NULL)
			f->err[i] = text;
}

/* Reads the generator's error and warning fields ("FIELD\tmessage") into the form. */
static void op_answer_errors(struct req *r, struct opform *f, const struct wire_msg *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		int is_err = strcmp(m->f[i].name, "error") == 0;
		const char *tab;
		char *field;
		if (!is_err && strcmp(m->f[i].name, "warning") != 0)
			continue;
		tab = strchr(m->f[i].value, '\t');
		field = arena_strndup(r->a, m->f[i].value, tab ? (size_t)(tab - m->f[i].value) : 0);
		if (is_err)
			op_error(r, f, field, tab ? tab + 1 : m->f[i].value);
		else {
			if (f->warnings == NULL)
				f->warnings = tv_list(r->a);
			tv_push_str(f->warnings, tab ? tab + 1 : m->f[i].value);
		}
	}
}

/* The part between <main ...> and </main> of a page the generator built: trusted (it is
 * the generator's escaped output, with cmark's safe HTML). */
static const char *op_main(struct req *r, const char *page)
{
	const char *a = page ? strstr(page, "<main") : NULL, *b;

	if (a == NULL || (a = strchr(a, '>')) == NULL || (b = strstr(a, "</main>")) == NULL)
		return NULL;
	return arena_strndup(r->a, a + 1, (size_t)(b - a - 1));
}

/* Fills the form from the policy's current values (show), for lang. */
static void op_prefill(struct req *r, struct opform *f)
{
	const struct wire_msg *m = f->show;
	const char *l = f->lang;
	struct date today;

	if (date_today(&today) == 0)
		f->v[OPF_DATE] = arena_printf(r->a, "%04d-%02d-%02d", today.y, today.m, today.d);
	if (m == NULL)
		return;
	f->base = wire_get(m, "base");
	f->v[OPF_TITLE] = wire_get(m, arena_printf(r->a, "%s.title", l));
	f->v[OPF_SUMMARY] = wire_get(m, arena_printf(r->a, "%s.summary", l));
	f->v[OPF_DECLARATION] = wire_get(m, arena_printf(r->a, "%s.declaration", l));
	f->v[OPF_BODY] = wire_get(m, arena_printf(r->a, "%s.body", l));
	f->v[OPF_REVIEW] = wire_get(m, "form.review");
	f->v[OPF_APPROVED_BY] = wire_get(m, "form.approved_by");
	f->v[OPF_OWNER] = wire_get(m, "form.owner");
	f->v[OPF_AUDIENCE] = wire_get(m, "form.audience");
	f->v[OPF_REVIEW_FREQUENCY] = wire_get(m, "form.review_frequency");
	f->v[OPF_RESIGN] = wire_get(m, "form.resign");
	if (strcmp(l, "en") != 0) {
		/* A translation is of the latest English version, and has its date. */
		f->v[OPF_DATE] = wire_get(m, "form.version");
		if (f->v[OPF_TITLE] == NULL) /* never translated: start from the English */
			f->v[OPF_BODY] = wire_get(m, "en.body");
	}
}

/* Fills the form from the posted fields. */
static void op_from_post(struct req *r, struct opform *f)
{
	int i;

	for (i = 0; i < OPF__MAX; i++)
		f->v[i] = form_get(&r->f, opf[i].name);
	f->base = form_get(&r->f, "base");
	f->once = form_get(&r->f, "nonce");
}

static void op_render_form(struct req *r, struct opform *f, int status)
{
	int welsh = strcmp(f->lang, "en") != 0, i;
	const char *title = f->slug ? (welsh ? T(r, "office_policy_translate_title")
	                                     : T(r, "office_policy_new_version_title"))
	                            : T(r, "office_policy_new_title");
	struct tv *v = page_root(r, title), *fields;
	char once[TOKEN_LEN + 1];

	tv_bool(v, "nav_policies", 1);
	tv_str(v, "heading", title);
	tv_str(v, "lang", f->lang);
	tv_bool(v, "welsh", welsh);
	tv_str(v, "action",
	       f->slug ? arena_printf(r->a, "/office/policies/%s/edit", f->slug)
	               : "/office/policies/new");
	tv_str(v, "docx_action",
	       arena_printf(r->a, "/office/policies/%s/docx", f->slug ? f->slug : "new"));
	if (f->slug) {
		tv_str(v, "slug", f->slug);
		tv_str(v, "policy_href", arena_printf(r->a, "/office/policies/%s", f->slug));
		if (f->show && wire_get(f->show, "en.title"))
			tv_str(v, "policy_title", wire_get(f->show, "en.title"));
	}
	tv_str(v, "base", f->base ? f->base : "");
	if (f->once == NULL || !token_valid(f->once)) {
		token_new(once);
		f->once = arena_strdup(r->a, once);
	}
	tv_str(v, "nonce", f->once);
	if (f->errors) {
		tv_attach(v, "errors", f->errors);
		tv_bool(v, "has_errors", 1);
	}
	if (f->warnings) {
		tv_attach(v, "warnings", f->warnings);
		tv_bool(v, "has_warnings", 1);
	}
	if (f->lost) {
		tv_bool(v, "docx_done", 1);
		tv_attach(v, "lost", f->lost);
		tv_bool(v, "has_lost", f->nlost > 0);
	}
	if (f->preview) {
		tv_html(v, "preview", f->preview);
		if (f->preview_changes)
			tv_html(v, "preview_changes", f->preview_changes);
	}
	/* The English text beside the Welsh, and what changed in it since the last
	 * translation. */
	if (welsh && f->show) {
		const char *en = wire_get(f->show, "en.body"), *from = wire_get(f->show, "cy.from");
		const char *latest = wire_get(f->show, "form.version");
		const char *diff = wire_get(f->show, "cy.diff");
		tv_str(v, "english_title",
		       wire_get(f->show, "en.title") ? wire_get(f->show, "en.title") : "");
		tv_str(v, "english_body", en ? en : "");
		tv_str(v, "english_version", op_date(r, latest));
		if (from && latest && strcmp(from, latest) != 0 && diff) {
			tv_str(v, "translated_from", op_date(r, from));
			tv_html(v, "english_diff", diff); /* the generator's diff HTML */
		}
		if (from && latest && strcmp(from, latest) == 0)
			tv_bool(v, "welsh_current", 1);
	}
	fields = tv_add_list(v, "fields");
	for (i = 0; i < OPF__MAX; i++) {
		struct tv *fd;
		if ((opf[i].new_only && f->slug) || (welsh && opf[i].shared))
			continue;
		fd = tv_push_dict(fields);
		tv_str(fd, "name", opf[i].name);
		tv_str(fd, "label", T(r, op_label_key(r, (enum opf)i)));
		tv_str(fd, "hint", T(r, arena_printf(r->a, "office_policy_hint_%s", opf[i].name)));
		tv_str(fd, "error", f->err[i] ? f->err[i] : "");
		tv_str(fd, "value", f->v[i] ? f->v[i] : "");
		tv_bool(fd, "text", opf[i].kind == OPK_TEXT);
		tv_bool(fd, "area", opf[i].kind == OPK_AREA);
		tv_bool(fd, "check", opf[i].kind == OPK_CHECK);
		tv_bool(fd, "checked", f->v[i] && strcmp(f->v[i], "1") == 0);
	}
	if (welsh)
		tv_str(v, "date", f->v[OPF_DATE] ? f->v[OPF_DATE] : "");
	render(r, P_POLICY_FORM, v, status);
}

static void get_policy_edit(struct req *r, const char *slug)
{
	struct wire_msg m;
	struct opform f;
	const char *lang = form_get(&r->q, "lang");

	memset(&f, 0, sizeof f);
	f.lang = lang && strcmp(lang, "cy") == 0 ? "cy" : "en";
	if (op_show(r, slug, &m) <= 0)
		return;
	f.slug = slug;
	f.show = &m;
	op_prefill(r, &f);
	op_render_form(r, &f, 200);
}

static void get_policy_new(struct req *r, const char *arg)
{
	struct opform f;

	(void)arg;
	memset(&f, 0, sizeof f);
	f.lang = "en";
	op_prefill(r, &f);
	op_render_form(r, &f, 200);
}

/* Publishing done: the event, the once-only value, and on to the policy's page. */
static void op_published(struct req *r, const char *slug, const struct wire_msg *m,
                         const char *what, const char *done)
{
	const char *where = arena_printf(r->a, "/office/policies/%s?done=%s", slug, done);
	const char *path = wire_get(m, "path"), *sha = wire_get(m, "sha256");
	const char *once = form_get(&r->f, "nonce");

	if (strcmp(wire_get(m, "built") ? wire_get(m, "built") : "0", "1") != 0)
		office_log("%s published %s, but the site was not rebuilt: %s", r->s.username,
		           path ? path : "?",
		           wire_get(m, "build_log") ? wire_get(m, "build_log") : "");
	if (where == NULL || path == NULL || sha == NULL ||
	    (once && token_valid(once)
	         ? policies_once_put(r->o->db, once, where, what, r->s.username, path, sha)
	         : policies_record(r->o->db, what, r->s.username, path, sha)) < 0) {
		office_log("%s %s %s sha256 %s: the event was NOT recorded: %s", r->s.username,
		           what, path ? path : "?", sha ? sha : "?", db_errmsg(r->o->db));
		server_error(r, "policy event");
		return;
	}
	office_log("%s %s %s sha256 %s", r->s.username, what, path, sha);
	cgi_redirect(r->resp, where);
}

/* 1 when the form's once-only value was used already (answered with a redirect to where
 * it led), 0 when not, -1 after an error page. */
static int op_once_used(struct req *r)
{
	const char *once = form_get(&r->f, "nonce");
	char where[POLICIES_ONCE_MAX + 1];
	int rc;

	if (once == NULL || !token_valid(once))
		return 0;
	if ((rc = policies_once_get(r->o->db, once, where)) < 0) {
		server_error(r, "once");
		return -1;
	}
	if (rc == 1)
		cgi_redirect(r->resp, where);
	return rc;
}

static void op_post_draft(struct req *r, const char *slug)
{
	const char *action = form_get(&r->f, "action"), *lang = form_get(&r->f, "lang");
	int publish = action && strcmp(action, "publish") == 0, i, rc;
	struct wire_msg m, shown;
	struct opform f;
	struct buf q = BUF_INIT;

	memset(&f, 0, sizeof f);
	f.lang = lang && strcmp(lang, "cy") == 0 ? "cy" : "en";
	f.slug = slug;
	op_from_post(r, &f);
	if (slug && op_show(r, slug, &shown) <= 0)
		return;
	f.show = slug ? &shown : NULL;
	if (publish && (rc = op_once_used(r)) != 0)
		return;
	wire_begin(&q, publish ? "publish" : "preview");
	wire_puts(&q, "slug", slug ? slug : (f.v[OPF_SLUG] ? f.v[OPF_SLUG] : ""));
	wire_puts(&q, "lang", f.lang);
	wire_puts(&q, "new", slug ? "0" : "1");
	wire_puts(&q, "base", f.base ? f.base : "");
	for (i = 0; i < OPF__MAX; i++)
		if (i != OPF_SLUG && f.v[i])
			wire_puts(&q, opf[i].name, f.v[i]);
	wire_end(&q);
	rc = op_ask(r, &q, &m);
	buf_free(&q);
	if (rc < 0)
		return;
	if (strcmp(m.verb, "conflict") == 0) {
		/* Shown, never published over: the editor's text stays in the form, with the
		 * new state, so a second Publish is a decision taken knowingly. */
		op_error(r, &f, "body", T(r, "office_policy_conflict"));
		f.base = wire_get(&m, "base");
		op_render_form(r, &f, 409);
		return;
	}
	op_answer_errors(r, &f, &m);
	if (strcmp(m.verb, "invalid") == 0) {
		op_render_form(r, &f, 400);
		return;
	}
	if (!publish) {
		f.preview = op_main(r, wire_get(&m, "page"));
		f.preview_changes = op_main(r, wire_get(&m, "changes"));
		op_render_form(r, &f, 200);
		return;
	}
	{
		int scheduled =
		    wire_get(&m, "scheduled") && strcmp(wire_get(&m, "scheduled"), "1") == 0;
		op_published(r, slug ? slug : f.v[OPF_SLUG], &m, scheduled ? "schedule" : "publish",
		             scheduled ? "scheduled" : "published");
	}
}

static void post_policy_edit(struct req *r, const char *slug)
{
	op_post_draft(r, slug);
}

static void post_policy_new(struct req *r, const char *arg)
{
	(void)arg;
	op_post_draft(r, NULL);
}

/* --- Re-adoption without change --- */

static void op_render_review(struct req *r, const char *slug, const struct wire_msg *m,
                             const char *const val[4], const char *const err[4], struct tv *errors,
                             const char *base, const char *once, int status)
{
	static const char *const names[4] = {"date", "approved_by", "review", "minute"};
	struct tv *v = page_root(r, T(r, "office_policy_review_title")), *fields;
	char fresh[TOKEN_LEN + 1];
	int i;

	tv_bool(v, "nav_policies", 1);
	tv_str(v, "slug", slug);
	tv_str(v, "policy_href", arena_printf(r->a, "/office/policies/%s", slug));
	tv_str(v, "action", arena_printf(r->a, "/office/policies/%s/review", slug));
	tv_str(v, "policy_title", wire_get(m, "en.title") ? wire_get(m, "en.title") : slug);
	tv_str(v, "version", op_date(r, wire_get(m, "form.version")));
	tv_str(v, "current_review", wire_get(m, "form.review") ? wire_get(m, "form.review") : "");
	tv_str(v, "base", base ? base : "");
	if (once == NULL || !token_valid(once)) {
		token_new(fresh);
		once = fresh;
	}
	tv_str(v, "nonce", once);
	if (errors) {
		tv_attach(v, "errors", errors);
		tv_bool(v, "has_errors", 1);
	}
	fields = tv_add_list(v, "fields");
	for (i = 0; i < 4; i++) {
		struct tv *fd = tv_push_dict(fields);
		tv_str(fd, "name", names[i]);
		tv_str(fd, "label", T(r, arena_printf(r->a, "office_policy_review_%s", names[i])));
		tv_str(fd, "hint",
		       T(r, arena_printf(r->a, "office_policy_review_hint_%s", names[i])));
		tv_str(fd, "value", val[i] ? val[i] : "");
		tv_str(fd, "error", err[i] ? err[i] : "");
	}
	render(r, P_POLICY_REVIEW, v, status);
}

static void get_policy_review(struct req *r, const char *slug)
{
	struct wire_msg m;
	const char *val[4] = {NULL, NULL, NULL, NULL}, *err[4] = {NULL, NULL, NULL, NULL};
	struct date today;

	if (op_show(r, slug, &m) <= 0)
		return;
	if (date_today(&today) == 0)
		val[0] = arena_printf(r->a, "%04d-%02d-%02d", today.y, today.m, today.d);
	val[1] = wire_get(&m, "form.approved_by");
	op_render_review(r, slug, &m, val, err, NULL, wire_get(&m, "base"), NULL, 200);
}

static void post_policy_review(struct req *r, const char *slug)
{
	static const char *const names[4] = {"date", "approved_by", "review", "minute"};
	const char *val[4], *err[4] = {NULL, NULL, NULL, NULL};
	struct wire_msg m, a;
	struct tv *errors = NULL;
	struct buf q = BUF_INIT;
	int i, rc;

	if (op_show(r, slug, &m) <= 0)
		return;
	if ((rc = op_once_used(r)) != 0)
		return;
	wire_begin(&q, "readopt");
	wire_puts(&q, "slug", slug);
	wire_puts(&q, "base", form_get(&r->f, "base") ? form_get(&r->f, "base") : "");
	for (i = 0; i < 4; i++) {
		val[i] = form_get(&r->f, names[i]);
		wire_puts(&q, names[i], val[i] ? val[i] : "");
	}
	wire_end(&q);
	rc = op_ask(r, &q, &a);
	buf_free(&q);
	if (rc < 0)
		return;
	if (strcmp(a.verb, "ok") == 0) {
		op_published(r, slug, &a, "readopt", "readopted");
		return;
	}
	if (strcmp(a.verb, "conflict") == 0) {
		errors = tv_list(r->a);
		struct tv *e = tv_push_dict(errors);
		tv_str(e, "text", T(r, "office_policy_conflict"));
		tv_str(e, "field", "review");
		op_render_review(r, slug, &m, val, err, errors, wire_get(&a, "base"),
		                 form_get(&r->f, "nonce"), 409);
		return;
	}
	for (i = 0; (size_t)i < a.n; i++) {
		const char *tab, *field;
		struct tv *e;
		int k;
		if (strcmp(a.f[i].name, "error") != 0)
			continue;
		tab = strchr(a.f[i].value, '\t');
		field = tab ? arena_strndup(r->a, a.f[i].value, (size_t)(tab - a.f[i].value)) : "";
		if (errors == NULL)
			errors = tv_list(r->a);
		e = tv_push_dict(errors);
		tv_str(e, "text", tab ? tab + 1 : a.f[i].value);
		tv_str(e, "field", field && field[0] ? field : "review");
		for (k = 0; k < 4; k++)
			if (field && strcmp(field, names[k]) == 0 && err[k] == NULL)
				err[k] = tab ? tab + 1 : a.f[i].value;
	}
	op_render_review(r, slug, &m, val, err, errors, form_get(&r->f, "base"),
	                 form_get(&r->f, "nonce"), 400);
}

/* --- A Word document into the form --- */

static void post_policy_docx(struct req *r, const char *slug)
{
	const struct multipart_part *file, *lang;
	struct wire_msg a, shown;
	struct opform f;
	struct buf q = BUF_INIT;
	size_t i;
	int rc;

	/* handle() parsed the form (r->mp) and checked its CSRF token. */
	memset(&f, 0, sizeof f);
	lang = multipart_get(&r->mp, "lang");
	f.lang = lang && lang->len == 2 && memcmp(lang->data, "cy", 2) == 0 ? "cy" : "en";
	f.slug = strcmp(slug, "new") == 0 ? NULL : slug;
	if (f.slug) {
		if (op_show(r, f.slug, &shown) <= 0)
			return;
		f.show = &shown;
	}
	op_prefill(r, &f);
	file = multipart_get(&r->mp, "docx");
	wire_begin(&q, "docx");
	if (file && file->len)
		wire_put(&q, "docx", file->data, file->len);
	wire_end(&q);
	rc = op_ask(r, &q, &a);
	buf_free(&q);
	if (rc < 0)
		return;
	op_answer_errors(r, &f, &a);
	/* docx errors belong to the upload field, shown at the top of the form */
	if (wire_get(&a, "markdown")) {
		f.v[OPF_BODY] = wire_get(&a, "markdown");
		f.lost = tv_list(r->a);
		for (i = 0; i < a.n; i++)
			if (strcmp(a.f[i].name, "lost") == 0) {
				tv_push_str(f.lost, a.f[i].value);
				f.nlost++;
			}
	}
	op_render_form(r, &f, strcmp(a.verb, "ok") == 0 ? 200 : 400);
}
