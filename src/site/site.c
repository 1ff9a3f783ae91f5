#define _XOPEN_SOURCE 700 /* nftw */
#include "site.h"

#include <cmark.h>
#include <errno.h>
#include <ftw.h>
#include <malloc.h>
#include <poll.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmem.h"
#include "diff.h"
#include "handoff.h"
#include "html.h"
#include "out.h"
#include "sitestate.h"
#include "tmpl.h"
#include "toc.h"

#define FEED_ENTRIES 50 /* newest versions in each language's feed */

enum page {
	P_LANDING,
	P_INDEX,
	P_POLICY,
	P_CHANGES,
	P_FEED,
	P_SITEMAP,
	P_SIGNABLE,
	P_STATEMENT,
	P__MAX
};
static const char *const page_templates[P__MAX] = {
    "landing.html", "index.html",  "policy.html",   "changes.html",
    "feed.xml",     "sitemap.xml", "signable.html", "accessibility.html",
};

/* The accessibility statement's address in each language, under /<lang>/. */
#define STATEMENT_DIR "accessibility/"

struct gen {
	const struct content *s;
	struct tmpl *tmpl[P__MAX];
	struct out out;
	struct out portal;               /* the portal's folder (handoff.h), never served */
	struct arena *a;                 /* one page's values; reset after each page */
	struct arena *keep;              /* values shared by every page */
	struct tv *t[CONTENT_MAX_LANGS]; /* UI strings per language */
	const char *root;                /* the path part of base_url, "" at a host's root */
	struct buf page, err;
	/* Kept from one use to the next, so that their memory is allocated once: */
	struct buf scratch; /* one formatted value (fmt_date...), copied into g->a at once */
	struct buf md, back, diff; /* render_body's Markdown and back link; a comparison */
	struct buf plain, shown;   /* a text's HTML as cmark makes it, and as its page shows it */
	struct site_stats *stats;
	struct cmem *cmem; /* libcmark's memory for one text, reset after each */
	/* The UI strings the pages ask for most, by the address of their key (a literal). */
	struct {
		const char *key, *value;
		size_t li;
	} ui[16];
	size_t nui;
};

/* content_i18n, remembered: a UI string is found among hundreds by name, and every page
 * asks for the same few. key must be a string that outlives the build (a literal). */
static const char *ui(struct gen *g, size_t li, const char *key)
{
	const char *value;
	size_t i;

	for (i = 0; i < g->nui; i++)
		if (g->ui[i].key == key && g->ui[i].li == li)
			return g->ui[i].value;
	value = content_i18n(g->s, li, key);
	if (g->nui < sizeof g->ui / sizeof g->ui[0]) {
		g->ui[g->nui].key = key;
		g->ui[g->nui].li = li;
		g->ui[g->nui++].value = value;
	}
	return value;
}

int site_markdown(struct buf *out, const char *md, size_t len)
{
	char *html = cmark_markdown_to_html(md, len, CMARK_OPT_DEFAULT | CMARK_OPT_SMART);

	if (html == NULL)
		return -1;
	buf_puts(out, html);
	free(html);
	return buf_ok(out) ? 0 : -1;
}

static const char *fmt_date(struct gen *g, const struct date *d, size_t li)
{
	buf_reset(&g->scratch);
	date_format(&g->scratch, d, g->s->langs[li]);
	return arena_strdup(g->a, buf_str(&g->scratch));
}

static const char *fmt_review(struct gen *g, const struct review *r, size_t li)
{
	buf_reset(&g->scratch);
	review_format(&g->scratch, r, g->s->langs[li]);
	return arena_strdup(g->a, buf_str(&g->scratch));
}

static const char *rfc3339(struct gen *g, const struct date *d)
{
	buf_reset(&g->scratch);
	date_format_rfc3339(&g->scratch, d);
	return arena_strdup(g->a, buf_str(&g->scratch));
}

/* Site-relative paths (no leading slash) of the pages, "" for a language's index. */
static const char *policy_rel(struct gen *g, size_t li, const struct policy *p)
{
	return arena_cat(g->a, g->s->langs[li], "/policies/", p->slug, "/", NULL);
}

static const char *version_rel(struct gen *g, size_t li, const struct version *v)
{
	return arena_cat(g->a, g->s->langs[li], "/policies/", v->policy->slug, "/", v->iso, "/",
	                 NULL);
}

static const char *href(struct gen *g, const char *rel)
{
	return arena_cat(g->a, g->root, "/", rel, NULL);
}

/* href(g, policy_rel(g, li, p)) made in one string: the indexes make 20,000 of them. */
static const char *policy_href(struct gen *g, size_t li, const struct policy *p)
{
	return arena_cat(g->a, g->root, "/", g->s->langs[li], "/policies/", p->slug, "/", NULL);
}

static int emit(struct gen *g, enum page p, const struct tv *root, const char *rel)
{
	const char *file = arena_cat(
	    g->a, rel, rel[0] == '\0' || rel[strlen(rel) - 1] == '/' ? "index.html" : "", NULL);
	int rc;

	buf_reset(&g->page);
	if (!arena_ok(g->a) || file == NULL) {
		buf_printf(&g->err, "%s: out of memory\n", rel);
		return -1;
	}
	if (tmpl_render(g->tmpl[p], root, &g->page, &g->err) < 0)
		return -1;
	rc = out_write(&g->out, file, g->page.data, g->page.len, &g->err);
	g->stats->pages++;
	arena_reset(g->a);
	return rc;
}

/* The values every HTML page has. rel_of_lang[li] is the page's path in each language. */
static struct tv *page_root(struct gen *g, size_t li, const char *title, const char *rel)
{
	const struct content *s = g->s;
	struct tv *r = tv_dict(g->a), *alts = tv_add_list(r, "alternates");
	const char *tail = strchr(rel, '/');
	size_t k;

	tv_attach(r, "t", g->t[li]);
	tv_str_ref(r, "lang", s->langs[li]);
	tv_str_ref(r, "site_name", s->name[li]);
	tv_str_ref(r, "page_title", title);
	tv_str_ref(r, "root", g->root);
	tv_str_ref(r, "home", arena_cat(g->a, g->root, "/", s->langs[li], "/", NULL));
	if (s->a11y.given)
		tv_str_ref(r, "statement_href",
		           arena_cat(g->a, g->root, "/", s->langs[li], "/" STATEMENT_DIR, NULL));
	tv_str_ref(r, "canonical", arena_cat(g->a, s->base_url, "/", rel, NULL));
	for (k = 0; k < s->nlangs; k++) {
		struct tv *a = tv_push_dict(alts);
		const char *other = tail ? tail : "/";
		tv_str_ref(a, "lang", s->langs[k]);
		tv_str_ref(a, "name", ui(g, k, "language_name"));
		tv_str_ref(a, "href", arena_cat(g->a, g->root, "/", s->langs[k], other, NULL));
		tv_str_ref(a, "url", arena_cat(g->a, s->base_url, "/", s->langs[k], other, NULL));
		tv_bool(a, "current", k == li);
	}
	return r;
}

/* The text a page in language li shows for v: its own, or the default language's. */
static const struct text *shown_text(const struct version *v, size_t li)
{
	return v->text[li] ? v->text[li] : v->text[0];
}

static void add_title(struct gen *g, struct tv *d, const struct version *v, size_t li)
{
	const struct text *t = shown_text(v, li);

	/* References, not copies: the site outlives every page, and a language's index
	 * holds every policy. */
	tv_str_ref(d, "title", t->title);
	if (t != v->text[li])
		tv_str_ref(d, "title_lang", g->s->langs[0]);
	if (t->summary)
		tv_str_ref(d, "summary", t->summary);
}

/* The accessibility statement in language li, from site.yaml's accessibility: section. */
static int build_statement(struct gen *g, size_t li)
{
	const struct content *s = g->s;
	const struct accessibility *a = &s->a11y;
	const char *rel = arena_printf(g->a, "%s/" STATEMENT_DIR, s->langs[li]);
	struct tv *r = page_root(g, li, ui(g, li, "a11y_title"), rel);
	struct tv *st = tv_add_dict(r, "statement"), *problems;
	size_t i;

	tv_str(st, "site_url", arena_printf(g->a, "%s/", s->base_url));
	tv_str(st, "contact", a->contact[li]);
	if (a->email) {
		tv_str(st, "email", a->email);
		tv_str(st, "mailto", arena_printf(g->a, "mailto:%s", a->email));
	}
	if (a->phone) {
		struct buf tel = BUF_INIT;
		const char *p;
		tv_str(st, "phone", a->phone);
		for (p = a->phone; *p; p++) /* tel: takes the digits and a leading + */
			if ((*p >= '0' && *p <= '9') || (*p == '+' && p == a->phone))
				buf_put(&tel, p, 1);
		tv_str(st, "tel", arena_printf(g->a, "tel:%s", buf_str(&tel)));
		buf_free(&tel);
	}
	tv_str(st, "formats", a->formats[li]);
	tv_str(st, "tested", fmt_date(g, &a->tested, li));
	tv_str(st, "tested_iso",
	       arena_printf(g->a, "%04d-%02d-%02d", a->tested.y, a->tested.m, a->tested.d));
	tv_str(st, "standard", a->standard);
	tv_bool(st, "partial", a->partial);
	problems = tv_add_list(st, "problems");
	for (i = 0; i < a->nproblems[li]; i++)
		tv_push_str(problems, a->problems[li][i]);
	return emit(g, P_STATEMENT, r, rel);
}

/* A statement from an earlier build goes when site.yaml no longer has its section. */
static int remove_statement(struct gen *g, size_t li)
{
	struct buf path = BUF_INIT;
	int rc = 0;

	buf_printf(&path, "%s/%s/" STATEMENT_DIR "index.html", g->out.dir, g->s->langs[li]);
	if (buf_ok(&path) && unlink(buf_str(&path)) < 0 && errno != ENOENT) {
		buf_printf(&g->err, "%s: cannot remove: %s\n", buf_str(&path), strerror(errno));
		rc = -1;
	}
	if (rc == 0 && buf_ok(&path)) {
		path.len -= strlen("index.html");
		path.data[path.len] = '\0';
		rmdir(buf_str(&path)); /* only when empty; the page is what matters */
	}
	buf_free(&path);
	return rc;
}

static int build_landing(struct gen *g)
{
	const struct content *s = g->s;
	struct tv *r = tv_dict(g->a), *langs = tv_add_list(r, "languages");
	size_t li;

	struct buf title = BUF_INIT;

	tv_str(r, "lang", s->langs[0]);
	tv_str(r, "root", g->root);
	tv_str(r, "canonical", arena_printf(g->a, "%s/", s->base_url));
	/* "Policies for parents and carers – School · Polisïau ... – Ysgol" */
	for (li = 0; li < s->nlangs; li++)
		buf_printf(&title, "%s%s – %s", li ? " · " : "", ui(g, li, "index_title"),
		           s->name[li]);
	tv_str(r, "page_title", buf_str(&title));
	tv_bool(r, "statement", s->a11y.given);
	buf_free(&title);
	for (li = 0; li < s->nlangs; li++) {
		struct tv *l = tv_push_dict(langs);
		tv_str(l, "lang", s->langs[li]);
		tv_str(l, "site_name", s->name[li]);
		tv_str(l, "href", href(g, arena_printf(g->a, "%s/", s->langs[li])));
		tv_str(l, "url", arena_printf(g->a, "%s/%s/", s->base_url, s->langs[li]));
		if (s->a11y.given)
			tv_str(l, "statement_href",
			       href(g, arena_printf(g->a, "%s/" STATEMENT_DIR, s->langs[li])));
		tv_attach(l, "t", g->t[li]);
	}
	return emit(g, P_LANDING, r, "");
}

/* Policies in the order of their titles in language li. */
struct entry {
	const struct version *cur;
	const char *title;
};

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->title, y->title);

	return c ? c : strcmp(x->cur->policy->slug, y->cur->policy->slug);
}

/* Where a list in language li sends a reader for v, said honestly: a version with no
 * text in li links straight to the default language's page (hreflang) and is marked
 * "English only"; one with text in li lists the other languages it is also in. */
static void add_languages(struct gen *g, struct tv *d, const struct version *v, size_t li)
{
	const struct content *s = g->s;
	struct tv *also = NULL;
	size_t k;

	if (v->text[li] == NULL) {
		tv_str_ref(d, "href", policy_href(g, 0, v->policy));
		tv_str_ref(d, "hreflang", s->langs[0]);
		tv_str_ref(d, "only_in", ui(g, li, "english_only"));
		return;
	}
	tv_str_ref(d, "href", policy_href(g, li, v->policy));
	tv_str_ref(d, "hreflang", "");
	tv_str_ref(d, "only_in", "");
	for (k = 0; k < s->nlangs; k++) {
		struct tv *a;
		if (k == li || v->text[k] == NULL)
			continue;
		if (also == NULL)
			also = tv_add_list(tv_add_dict(d, "also_in"), "langs");
		a = tv_push_dict(also);
		tv_str_ref(a, "lang", s->langs[k]);
		tv_str_ref(a, "name", ui(g, k, "language_name"));
		tv_str_ref(a, "href", policy_href(g, k, v->policy));
	}
}

static int build_index(struct gen *g, size_t li)
{
	const struct content *s = g->s;
	struct entry *e = calloc(s->npolicies + 1, sizeof *e);
	size_t i, n = 0;
	const char *rel = arena_printf(g->a, "%s/", s->langs[li]);
	struct tv *r = page_root(g, li, ui(g, li, "index_title"), rel);
	struct tv *list = tv_add_list(r, "policies");
	int rc;

	if (e == NULL)
		return -1;
	for (i = 0; i < s->npolicies; i++) {
		const struct version *cur = content_policy_current(&s->policies[i]);
		if (cur) {
			e[n].cur = cur;
			e[n++].title = shown_text(cur, li)->title;
		}
	}
	qsort(e, n, sizeof *e, entry_cmp);
	for (i = 0; i < n; i++) {
		struct tv *d = tv_push_dict(list);
		add_title(g, d, e[i].cur, li);
		add_languages(g, d, e[i].cur, li);
		tv_str_ref(d, "agreed", fmt_date(g, &e[i].cur->date, li));
		tv_str_ref(d, "agreed_iso", e[i].cur->iso);
		tv_str_ref(d, "next_review", fmt_review(g, &e[i].cur->review, li));
	}
	free(e);
	rc = emit(g, P_INDEX, r, rel);
	return rc;
}

/* A field value in the page's language: {text, lang}, where lang is set when the value
 * has no translation and so stays in the default language. */
static void add_term(struct gen *g, struct tv *list, const char *value, size_t li)
{
	const char *t = content_term(g->s, li, value);
	struct tv *d = tv_push_dict(list);

	tv_str_ref(d, "text", t ? t : value);
	tv_str_ref(d, "lang", t ? "" : g->s->langs[0]);
}

static void add_meta(struct gen *g, struct tv *r, const struct version *v, size_t li)
{
	struct tv *m = tv_add_dict(r, "meta");
	size_t i;

	tv_str_ref(m, "agreed", fmt_date(g, &v->date, li));
	tv_str_ref(m, "agreed_iso", v->iso);
	if (date_cmp(&v->effective, &v->date) != 0)
		tv_str_ref(m, "effective", fmt_date(g, &v->effective, li));
	tv_str_ref(m, "next_review", fmt_review(g, &v->review, li));
	if (v->nreviewed) {
		const struct reviewed *rv = &v->reviewed[v->nreviewed - 1];
		tv_str_ref(m, "last_reviewed", fmt_date(g, &rv->date, li));
		tv_str_ref(m, "last_reviewed_iso", rv->iso);
	}
	if (v->approved_on.y)
		tv_str_ref(m, "approved_on", fmt_date(g, &v->approved_on, li));
	if (v->minute)
		tv_str_ref(m, "minute", v->minute);
	if (v->approved_by)
		add_term(g, tv_add_list(m, "approved_by"), v->approved_by, li);
	if (v->owner)
		add_term(g, tv_add_list(m, "owner"), v->owner, li);
	if (v->review_frequency)
		add_term(g, tv_add_list(m, "review_frequency"), v->review_frequency, li);
	tv_bool(m, "has_audience", v->naudience > 0);
	if (v->naudience) {
		struct tv *aud = tv_add_list(m, "audience");
		for (i = 0; i < v->naudience; i++)
			add_term(g, aud, v->audience[i], li);
	}
}

/* The version history: every version with text, newest first, then those known by date. */
static void add_history(struct gen *g, struct tv *r, const struct version *v, size_t li)
{
	const struct policy *p = v->policy;
	const struct version *cur = content_policy_current(p);
	struct tv *h = tv_add_list(r, "history");
	size_t i = p->nversions;

	while (i-- > 0) {
		const struct version *w = &p->versions[i];
		struct tv *d;
		if (!w->published)
			continue;
		d = tv_push_dict(h);
		tv_str_ref(d, "date", fmt_date(g, &w->date, li));
		tv_str_ref(d, "iso", w->iso);
		tv_str_ref(d, "href", href(g, version_rel(g, li, w)));
		tv_bool(d, "this", w == v);
		tv_bool(d, "current", w == cur);
		/* Set even when empty, so the name never resolves to the page's own. */
		tv_str_ref(d, "changes_href",
		           w == p->versions
		               ? ""
		               : href(g, arena_cat(g->a, version_rel(g, li, w), "changes/", NULL)));
	}
	i = p->nprevious;
	while (i-- > 0) {
		struct tv *d = tv_push_dict(h);
		tv_str_ref(d, "href", "");
		tv_str_ref(d, "date", fmt_date(g, &p->previous[i], li));
		tv_str_ref(d, "iso",
		           arena_printf(g->a, "%04d-%02d-%02d", p->previous[i].y, p->previous[i].m,
		                        p->previous[i].d));
	}
}

/* Renders the Markdown of the text a page in language li shows for v: html (NULL when not
 * wanted) is what cmark makes of it (the text families sign), page the same with the
 * contents' ids and back links when the policy is long (toc.h), toc its headings. When dt
 * is not NULL, *dt receives the text read for comparison from the same parse (the caller
 * frees it). */
static int render_body(struct gen *g, const struct version *v, size_t li, struct buf *html,
                       struct buf *page, struct toc *toc, struct diff_text **dt)
{
	const struct text *t = shown_text(v, li);
	struct buf *md = &g->md, *back = &g->back;
	cmark_node *doc = NULL;
	int rc;

	if (html != NULL)
		buf_reset(html);
	buf_reset(page);
	buf_reset(md);
	buf_reset(back);
	toc_free(toc);
	if (content_body(t, md) < 0) {
		buf_printf(&g->err, "%s: cannot read: %s\n", t->path, strerror(errno));
		return -1;
	}
	/* In the page's language even when the body around it is another's. */
	buf_puts(back, "<p class=\"to-contents\"");
	if (t != v->text[li])
		buf_printf(back, " lang=\"%s\"", g->s->langs[li]);
	buf_puts(back, "><a href=\"#" TOC_ANCHOR "\">");
	html_escapes(back, ui(g, li, "back_to_contents"));
	buf_puts(back, "</a></p>\n");
	rc = buf_ok(back) && buf_ok(md) ? 0 : -1;
	if (rc == 0 && (doc = cmem_parse(g->cmem, md->data ? md->data : "", md->len,
	                                 CMARK_OPT_DEFAULT | CMARK_OPT_SMART)) == NULL)
		rc = -1;
	if (rc == 0)
		rc = toc_render_doc(doc, cmem_mem(g->cmem), buf_str(back), html, page, toc);
	if (rc == 0 && dt != NULL && (*dt = diff_text_from_doc(doc, md->data, md->len)) == NULL)
		rc = -1;
	if (rc < 0)
		buf_printf(&g->err, "%s: out of memory rendering\n", t->path);
	cmem_reset(g->cmem);
	return rc;
}

/* The contents list of a long policy, for the page template. */
static void add_toc(struct tv *r, const struct toc *toc)
{
	struct tv *d, *list;
	size_t i;

	if (toc->n == 0)
		return;
	d = tv_add_dict(r, "toc");
	tv_str_ref(d, "anchor", TOC_ANCHOR);
	list = tv_add_list(d, "entries");
	for (i = 0; i < toc->n; i++) {
		struct tv *e = tv_push_dict(list);
		tv_str_ref(e, "id", toc->e[i].id);
		tv_str_ref(e, "text", toc->e[i].text);
	}
}

/* Fills the body and, when the page shows another language's text, the notice. */
static void add_body(struct gen *g, struct tv *r, const struct version *v, size_t li,
                     const struct buf *html)
{
	const struct text *t = shown_text(v, li);

	tv_html_ref(r, "body", buf_str(html));
	if (t != v->text[li]) {
		const struct version *w = content_policy_latest_in(v->policy, v, li);
		struct tv *f = tv_add_dict(r, "fallback");
		tv_str_ref(f, "body_lang", g->s->langs[0]);
		if (w == NULL) {
			/* A newer version may have the translation even if this one does not. */
			const struct version *last = content_policy_current(v->policy);
			w = last ? content_policy_latest_in(v->policy, last, li) : NULL;
		}
		if (w) {
			tv_str_ref(f, "latest_href", href(g, version_rel(g, li, w)));
			tv_str_ref(f, "latest_date", fmt_date(g, &w->date, li));
		}
	}
	if (t->declaration)
		tv_str_ref(r, "declaration", t->declaration);
	if (t->changes)
		tv_str_ref(r, "changes_summary", t->changes);
}

/* Builds the page of version v in language li at rel (its own address, or the policy's
 * address for the current version), around the body HTML. */
static int build_version(struct gen *g, const struct version *v, size_t li, const char *rel,
                         const struct buf *body, const struct toc *toc)
{
	const struct version *cur = content_policy_current(v->policy);
	struct tv *r = page_root(g, li, shown_text(v, li)->title, rel), *pol;

	pol = tv_add_dict(r, "policy");
	add_title(g, pol, v, li);
	add_meta(g, r, v, li);
	add_history(g, r, v, li);
	if (v != cur) {
		struct tv *o = tv_add_dict(r, "old");
		tv_str_ref(o, "current_href", href(g, policy_rel(g, li, v->policy)));
		tv_str_ref(o, "current_date", fmt_date(g, &cur->date, li));
	}
	if (v != v->policy->versions)
		tv_str_ref(r, "changes_href",
		           href(g, arena_cat(g->a, version_rel(g, li, v), "changes/", NULL)));
	tv_str_ref(r, "version_href", href(g, version_rel(g, li, v)));
	tv_str_ref(r, "version_date", fmt_date(g, &v->date, li));
	add_body(g, r, v, li, body);
	add_toc(r, toc);
	return emit(g, P_POLICY, r, rel);
}

/* The text in which a changes page compares v with prev: language li when both versions
 * have it, else the default language. */
static size_t diff_lang(const struct version *prev, const struct version *v, size_t li)
{
	return prev->text[li] && v->text[li] ? li : 0;
}

/* A front-matter value in language li for the facts table: the term's translation, the
 * values of a list joined with ", ", the fact_none string when absent. */
static const char *fact_value(struct gen *g, const char *const *values, size_t n, size_t li)
{
	struct buf *b = &g->scratch;
	size_t i;

	buf_reset(b);
	for (i = 0; i < n; i++) {
		const char *t = values[i] ? content_term(g->s, li, values[i]) : NULL;
		if (values[i] == NULL)
			continue;
		if (b->len)
			buf_puts(b, ", ");
		buf_puts(b, t ? t : values[i]);
	}
	return arena_strdup(g->a, b->len ? buf_str(b) : ui(g, li, "fact_none"));
}

static void add_fact(struct gen *g, struct tv **facts, struct tv *r, const char *name_key,
                     const char *before, const char *after, size_t li)
{
	struct tv *f;

	if (strcmp(before, after) == 0)
		return;
	if (*facts == NULL)
		*facts = tv_add_list(tv_add_dict(r, "facts"), "rows");
	f = tv_push_dict(*facts);
	tv_str_ref(f, "name", ui(g, li, name_key));
	tv_str_ref(f, "before", before);
	tv_str_ref(f, "after", after);
}

/* What else changed between prev and v besides the text: who is responsible, who
 * approved it, when it is next reviewed, whom it is for, how often it is reviewed. */
static void add_facts(struct gen *g, struct tv *r, const struct version *prev,
                      const struct version *v, size_t li)
{
	struct tv *facts = NULL;

	add_fact(g, &facts, r, "owner", fact_value(g, &prev->owner, 1, li),
	         fact_value(g, &v->owner, 1, li), li);
	add_fact(g, &facts, r, "approved_by", fact_value(g, &prev->approved_by, 1, li),
	         fact_value(g, &v->approved_by, 1, li), li);
	add_fact(g, &facts, r, "next_review", fmt_review(g, &prev->review, li),
	         fmt_review(g, &v->review, li), li);
	add_fact(g, &facts, r, "audience", fact_value(g, prev->audience, prev->naudience, li),
	         fact_value(g, v->audience, v->naudience, li), li);
	add_fact(g, &facts, r, "review_frequency", fact_value(g, &prev->review_frequency, 1, li),
	         fact_value(g, &v->review_frequency, 1, li), li);
}

/* A text read for comparison: one kept from rendering the pages when it is the text
 * wanted, else read now into *own (which the caller frees). */
static struct diff_text *text_for_diff(struct gen *g, const struct text *want,
                                       const struct text *have, struct diff_text *have_dt,
                                       struct diff_text **own)
{
	struct buf md = BUF_INIT;

	if (want == have && have_dt != NULL)
		return have_dt;
	if (content_body(want, &md) < 0) {
		buf_printf(&g->err, "%s: cannot read\n", want->path);
		buf_free(&md);
		return NULL;
	}
	if ((*own = diff_text_new(md.data, md.len)) == NULL)
		buf_printf(&g->err, "%s: out of memory comparing versions\n", want->path);
	buf_free(&md);
	return *own;
}

/* The changes page of v against prev in language li. prev_t and cur_t are the texts that
 * prev_dt and cur_dt were read from (either may be NULL), used when they are the texts
 * compared. */
static int build_changes(struct gen *g, const struct version *prev, const struct version *v,
                         size_t li, const struct text *prev_t, struct diff_text *prev_dt,
                         const struct text *cur_t, struct diff_text *cur_dt)
{
	const char *rel = arena_cat(g->a, version_rel(g, li, v), "changes/", NULL);
	size_t dl = diff_lang(prev, v, li);
	struct buf *html = &g->diff;
	struct diff_text *own_o = NULL, *own_n = NULL, *od, *nd;
	struct diff_stats st;
	struct tv *r, *pol, *sections;
	size_t i;
	int rc = -1;

	memset(&st, 0, sizeof st);
	buf_reset(html);
	if ((od = text_for_diff(g, prev->text[dl], prev_t, prev_dt, &own_o)) == NULL ||
	    (nd = text_for_diff(g, v->text[dl], cur_t, cur_dt, &own_n)) == NULL)
		goto done;
	if (diff_html_texts(html, od, nd, &st) < 0) {
		buf_printf(&g->err, "%s: out of memory comparing versions\n", v->text[dl]->path);
		goto done;
	}
	r = page_root(
	    g, li,
	    arena_cat(g->a, ui(g, li, "changes_title"), ": ", shown_text(v, li)->title, NULL), rel);
	pol = tv_add_dict(r, "policy");
	add_title(g, pol, v, li);
	tv_html_ref(r, "diff", buf_str(html));
	if (shown_text(v, li)->changes)
		tv_str_ref(r, "changes_summary", shown_text(v, li)->changes);
	if (dl != li)
		tv_str_ref(r, "diff_lang", g->s->langs[dl]);
	tv_str_ref(r, "version_date", fmt_date(g, &v->date, li));
	tv_str_ref(r, "version_href", href(g, version_rel(g, li, v)));
	tv_str_ref(r, "previous_date", fmt_date(g, &prev->date, li));
	tv_str_ref(r, "previous_href", href(g, version_rel(g, li, prev)));
	tv_int(r, "words_added", (long long)st.words_added);
	tv_int(r, "words_removed", (long long)st.words_removed);
	tv_bool(r, "unchanged", st.blocks_changed == 0);
	tv_bool(r, "has_sections", st.nheadings > 0 || st.before_first_heading);
	sections = tv_add_list(r, "sections");
	if (st.before_first_heading)
		tv_push_str(sections, ui(g, li, "changes_introduction"));
	for (i = 0; i < st.nheadings; i++)
		tv_push_str(sections, st.headings[i]);
	add_facts(g, r, prev, v, li);
	rc = emit(g, P_CHANGES, r, rel);
done:
	diff_stats_free(&st);
	diff_text_free(own_o);
	diff_text_free(own_n);
	return rc;
}

/* The portal's copy of a signable text and its line of signable.tsv (handoff.h): slug,
 * version, language, SHA-256 of the text, resign (0/1), title, declaration. content
 * guarantees titles and declarations are single lines without tabs. */
static int build_signable(struct gen *g, const struct version *v, size_t li, const struct buf *body,
                          struct buf *tsv)
{
	const struct text *t = v->text[li];
	const char *rel = handoff_text_rel(g->a, v->policy->slug, v->iso, g->s->langs[li]);
	struct tv *r = tv_dict(g->a);
	unsigned char hash[crypto_hash_sha256_BYTES];
	char hex[crypto_hash_sha256_BYTES * 2 + 1];

	tv_str(r, "lang", g->s->langs[li]);
	tv_str(r, "title", t->title);
	tv_str(r, "declaration", t->declaration);
	tv_html_ref(r, "body", buf_str(body));
	buf_printf(tsv, "%s\t%s\t%s\t", v->policy->slug, v->iso, g->s->langs[li]);
	buf_reset(&g->page);
	if (tmpl_render(g->tmpl[P_SIGNABLE], r, &g->page, &g->err) < 0)
		return -1;
	crypto_hash_sha256(hash, (const unsigned char *)g->page.data, g->page.len);
	sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
	buf_printf(tsv, "%s\t%d\t%s\t%s\n", hex, v->resign, t->title, t->declaration);
	if (rel == NULL || out_write(&g->portal, rel, g->page.data, g->page.len, &g->err) < 0)
		return -1;
	g->stats->pages++;
	return 0;
}

static int build_policy(struct gen *g, const struct policy *p, struct buf *tsv)
{
	const struct version *cur = content_policy_current(p);
	struct buf *body = &g->plain, *page = &g->shown;
	struct toc toc = {NULL, 0};
	/* Each text is parsed once, for its pages and for both comparisons it is in. */
	struct diff_text *prev_dt = NULL, *cur_dt = NULL;
	const struct text *prev_t = NULL, *cur_t;
	size_t li, i;
	int rc = 0;

	if (cur == NULL)
		return 0;
	for (li = 0; li < g->s->nlangs && rc == 0; li++) {
		diff_text_free(prev_dt);
		prev_dt = NULL;
		prev_t = NULL;
		for (i = 0; i < p->nversions && rc == 0; i++) {
			const struct version *v = &p->versions[i];
			/* Only a text families sign needs its HTML without the contents' ids. */
			int signable = v->text[li] && v->text[li]->declaration;
			if (!v->published)
				continue;
			cur_t = shown_text(v, li);
			rc = render_body(g, v, li, signable ? body : NULL, page, &toc,
			                 p->nversions > 1 ? &cur_dt : NULL);
			if (rc == 0)
				rc = build_version(g, v, li, version_rel(g, li, v), page, &toc);
			if (rc == 0 && v == cur)
				rc = build_version(g, v, li, policy_rel(g, li, p), page, &toc);
			if (rc == 0 && signable)
				rc = build_signable(g, v, li, body, tsv);
			if (rc == 0 && i > 0)
				rc = build_changes(g, &p->versions[i - 1], v, li, prev_t, prev_dt,
				                   cur_t, cur_dt);
			diff_text_free(prev_dt);
			prev_dt = cur_dt;
			prev_t = cur_t;
			cur_dt = NULL;
		}
	}
	diff_text_free(prev_dt);
	diff_text_free(cur_dt);
	toc_free(&toc);
	return rc;
}

/* Versions for the feeds: newest effective date first. */
static int version_cmp(const void *a, const void *b)
{
	const struct version *x = *(const struct version *const *)a;
	const struct version *y = *(const struct version *const *)b;
	int c = date_cmp(&y->effective, &x->effective);

	return c ? c : strcmp(x->policy->slug, y->policy->slug);
}

static int build_feed(struct gen *g, size_t li, const struct version **all, size_t n)
{
	const struct content *s = g->s;
	const char *rel = arena_printf(g->a, "%s/feed.xml", s->langs[li]);
	struct tv *r = tv_dict(g->a), *entries = tv_add_list(r, "entries");
	size_t i;

	tv_attach(r, "t", g->t[li]);
	tv_str(r, "lang", s->langs[li]);
	tv_str(r, "site_name", s->name[li]);
	tv_str(r, "feed_url", arena_printf(g->a, "%s/%s", s->base_url, rel));
	tv_str(r, "home_url", arena_printf(g->a, "%s/%s/", s->base_url, s->langs[li]));
	/* Without versions, the feed's date is a fixed one rather than the clock's. */
	tv_str(r, "updated", n ? rfc3339(g, &all[0]->effective) : "2000-01-01T00:00:00Z");
	for (i = 0; i < n && i < FEED_ENTRIES; i++) {
		struct tv *e = tv_push_dict(entries);
		add_title(g, e, all[i], li);
		tv_str(e, "url",
		       arena_printf(g->a, "%s/%s", s->base_url, version_rel(g, li, all[i])));
		if (all[i]->text[li] == NULL) {
			/* No text in this language: the entry says so and links to the text. */
			struct tv *o = tv_add_dict(e, "only");
			tv_str(o, "lang", s->langs[0]);
			tv_str(o, "label", ui(g, li, "english_only"));
			tv_str(o, "url",
			       arena_printf(g->a, "%s/%s", s->base_url, version_rel(g, 0, all[i])));
		}
		tv_str(e, "updated", rfc3339(g, &all[i]->effective));
		tv_str(e, "date", fmt_date(g, &all[i]->date, li));
		if (shown_text(all[i], li)->changes)
			tv_str(e, "changes", shown_text(all[i], li)->changes);
	}
	return emit(g, P_FEED, r, rel);
}

static int build_feeds(struct gen *g)
{
	const struct content *s = g->s;
	const struct version **all;
	size_t i, j, n = 0, total = 0, li;
	int rc = 0;

	for (i = 0; i < s->npolicies; i++)
		total += s->policies[i].nversions;
	if ((all = calloc(total + 1, sizeof *all)) == NULL)
		return -1;
	for (i = 0; i < s->npolicies; i++)
		for (j = 0; j < s->policies[i].nversions; j++)
			if (s->policies[i].versions[j].published)
				all[n++] = &s->policies[i].versions[j];
	qsort(all, n, sizeof *all, version_cmp);
	for (li = 0; li < s->nlangs && rc == 0; li++)
		rc = build_feed(g, li, all, n);
	free(all);
	return rc;
}

static void sitemap_url(struct gen *g, struct tv *urls, const char *tail, const struct date *mod)
{
	const struct content *s = g->s;
	const char *url[CONTENT_MAX_LANGS], *lastmod = NULL;
	size_t li, k;

	/* Each address is made once and referred to by every entry that shows it: the
	 * sitemap of 10,000 policies is the biggest tree a build makes. */
	for (k = 0; k < s->nlangs; k++)
		url[k] = arena_printf(g->a, "%s/%s/%s", s->base_url, s->langs[k], tail);
	if (mod)
		lastmod = arena_printf(g->a, "%04d-%02d-%02d", mod->y, mod->m, mod->d);
	for (li = 0; li < s->nlangs; li++) {
		struct tv *u = tv_push_dict(urls), *alts = tv_add_list(u, "alternates");
		tv_str_ref(u, "loc", url[li]);
		if (mod)
			tv_str_ref(u, "lastmod", lastmod);
		for (k = 0; k < s->nlangs; k++) {
			struct tv *a = tv_push_dict(alts);
			tv_str_ref(a, "lang", s->langs[k]);
			tv_str_ref(a, "url", url[k]);
		}
	}
}

/* The sitemap lists the language indexes and each policy's current page. */
static int build_sitemap(struct gen *g)
{
	const struct content *s = g->s;
	struct tv *r = tv_dict(g->a), *urls = tv_add_list(r, "urls");
	const struct date *newest = NULL;
	size_t i;

	for (i = 0; i < s->npolicies; i++) {
		const struct version *cur = content_policy_current(&s->policies[i]);
		if (cur && (newest == NULL || date_cmp(&cur->effective, newest) > 0))
			newest = &cur->effective;
	}
	sitemap_url(g, urls, "", newest);
	if (s->a11y.given)
		sitemap_url(g, urls, STATEMENT_DIR, &s->a11y.tested);
	for (i = 0; i < s->npolicies; i++) {
		const struct version *cur = content_policy_current(&s->policies[i]);
		if (cur)
			sitemap_url(g, urls,
			            arena_printf(g->a, "policies/%s/", s->policies[i].slug),
			            &cur->effective);
	}
	return emit(g, P_SITEMAP, r, "sitemap.xml");
}

static int copy_static(struct gen *g, const char *tdir, const char *name)
{
	struct buf src = BUF_INIT;
	char *path = arena_printf(g->a, "%s/%s", tdir, name);
	int rc = -1;

	if (path && buf_read_file(&src, path) == 0) {
		rc = out_write(&g->out, name, src.data, src.len, &g->err);
		g->stats->pages++;
	} else {
		buf_printf(&g->err, "%s: cannot read\n", path ? path : name);
	}
	buf_free(&src);
	return rc;
}

/* Pages of policies are built in this many processes at most, when there are enough. */
#define SITE_MAX_WORKERS 8
#define SITE_PARALLEL_MIN 16

/* Worker to parent, over a pipe: "P <policy index> <length>\n" and that many bytes of its
 * signable.tsv lines, per policy; then "D <pages> <written> <unchanged>\n", or
 * "E <length>\n" and the error text. */
static int put_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Builds policies todo[*next], taking the next index until none is left: the processes
 * share the work by how long each policy takes, not by count, so none idles at the end
 * while another still has several (a busy core, a policy with many versions). */
static void worker(struct gen *g, const size_t *todo, size_t ntodo, atomic_size_t *next, int fd)
{
	struct buf msg = BUF_INIT, tsv = BUF_INIT;
	/* What the parent had counted before the fork is the parent's to report. */
	size_t pages = g->stats->pages, written = g->out.written + g->portal.written;
	size_t unchanged = g->out.unchanged + g->portal.unchanged, i;
	int rc = 0;

	while (rc == 0 && (i = atomic_fetch_add_explicit(next, 1, memory_order_relaxed)) < ntodo) {
		buf_reset(&tsv);
		rc = build_policy(g, &g->s->policies[todo[i]], &tsv);
		if (rc == 0) {
			buf_printf(&msg, "P %zu %zu\n", todo[i], tsv.len);
			buf_put(&msg, buf_str(&tsv), tsv.len);
		}
	}
	if (rc == 0)
		buf_printf(&msg, "D %zu %zu %zu\n", g->stats->pages - pages,
		           g->out.written + g->portal.written - written,
		           g->out.unchanged + g->portal.unchanged - unchanged);
	else
		buf_printf(&msg, "E %zu\n%s", g->err.len, buf_str(&g->err));
	rc = put_all(fd, buf_str(&msg), msg.len) < 0 || rc != 0 || !buf_ok(&msg);
	_exit(rc);
}

/* The pages that list the policies, which show only front matter: the landing page, the
 * stylesheet and icon, each language's index and accessibility statement, the feeds and
 * the sitemap. tdir is the templates folder. */
static int build_lists(struct gen *g, const char *tdir)
{
	const struct content *s = g->s;
	size_t li;

	if (build_landing(g) < 0 || copy_static(g, tdir, "style.css") < 0 ||
	    copy_static(g, tdir, "favicon.svg") < 0)
		return -1;
	for (li = 0; li < s->nlangs; li++)
		if (build_index(g, li) < 0 ||
		    (s->a11y.given ? build_statement(g, li) : remove_statement(g, li)) < 0)
			return -1;
	return build_feeds(g) < 0 || build_sitemap(g) < 0 ? -1 : 0;
}

/* Takes one worker's messages, from in into sig[] and the stats; returns 0, or -1 when they
 * do not end in its report of success. */
static int take_messages(struct gen *g, struct buf *in, char **sig)
{
	char *p, *end;
	int rc = -1;

	for (p = in->data, end = in->data + in->len; p && p < end;) {
		size_t idx, len, pages, written, unchanged;
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			break;
		/* sscanf measures the string it reads: the line alone, not the megabytes after. */
		*nl = '\0';
		if (sscanf(p, "P %zu %zu", &idx, &len) == 2 && idx < g->s->npolicies &&
		    len <= (size_t)(end - nl - 1)) {
			free(sig[idx]);
			sig[idx] = strndup(nl + 1, len);
			p = nl + 1 + len;
		} else if (sscanf(p, "D %zu %zu %zu", &pages, &written, &unchanged) == 3) {
			g->stats->pages += pages;
			g->out.written += written;
			g->out.unchanged += unchanged;
			rc = 0;
			p = nl + 1;
		} else if (sscanf(p, "E %zu", &len) == 1 && len <= (size_t)(end - nl - 1)) {
			buf_put(&g->err, nl + 1, len);
			break;
		} else {
			break;
		}
	}
	return rc;
}

/* Reads the messages of the nw workers from their pipes fd[] until each closes, from all
 * at once: a worker whose pipe is full waits for it to be read, and would otherwise wait
 * for the ones before it to end. Returns 0 or -1. */
static int collect(struct gen *g, const int *fd, size_t nw, char **sig)
{
	struct buf in[SITE_MAX_WORKERS];
	struct pollfd pfd[SITE_MAX_WORKERS];
	char chunk[65536];
	size_t w, open = nw;
	int rc = 0;

	for (w = 0; w < nw; w++) {
		in[w] = (struct buf)BUF_INIT;
		pfd[w].fd = fd[w];
		pfd[w].events = POLLIN;
	}
	while (open > 0) {
		if (poll(pfd, (nfds_t)nw, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		for (w = 0; w < nw; w++) {
			ssize_t n;
			if (pfd[w].fd < 0 || pfd[w].revents == 0)
				continue;
			if ((n = read(pfd[w].fd, chunk, sizeof chunk)) > 0) {
				buf_put(&in[w], chunk, (size_t)n);
			} else if (n == 0 || errno != EINTR) {
				pfd[w].fd = -1; /* closed: poll passes over it */
				open--;
			}
		}
	}
	for (w = 0; w < nw; w++) {
		if (take_messages(g, &in[w], sig) < 0)
			rc = -1;
		buf_free(&in[w]);
	}
	return rc;
}

/* Builds the pages of the policies listed in todo; sig[i] receives the signable.tsv
 * lines of policy i. Many policies are shared out among worker processes, one per core,
 * while this process builds the lists (build_lists) when lists_tdir, the templates
 * folder, is not NULL. */
static int build_policies(struct gen *g, const size_t *todo, size_t ntodo, char **sig,
                          const char *lists_tdir)
{
	size_t nw = content_jobs(SITE_MAX_WORKERS); /* 1: no worker processes */
	pid_t pid[SITE_MAX_WORKERS];
	int fd[SITE_MAX_WORKERS], status, rc = 0;
	atomic_size_t *next;
	size_t i, w;

	if (ntodo < SITE_PARALLEL_MIN || nw < 2 ||
	    (next = mmap(NULL, sizeof *next, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	                 -1, 0)) == MAP_FAILED) {
		struct buf tsv = BUF_INIT;
		if (lists_tdir && build_lists(g, lists_tdir) < 0)
			return -1;
		for (i = 0; i < ntodo && rc == 0; i++) {
			buf_reset(&tsv);
			rc = build_policy(g, &g->s->policies[todo[i]], &tsv);
			if (rc == 0 && (sig[todo[i]] = strdup(buf_str(&tsv))) == NULL)
				rc = -1;
		}
		buf_free(&tsv);
		return rc;
	}
	atomic_init(next, 0);
	fflush(NULL);
	for (w = 0; w < nw; w++) {
		int p[2];
		if (pipe(p) < 0 || (pid[w] = fork()) < 0) {
			buf_printf(&g->err, "%s: cannot start a worker: %s\n", g->out.dir,
				   strerror(errno));
			nw = w;
			rc = -1;
			break;
		}
		if (pid[w] == 0) {
			size_t k;
			close(p[0]);
			for (k = 0; k < w; k++)
				close(fd[k]);
			worker(g, todo, ntodo, next, p[1]);
		}
		close(p[1]);
		fd[w] = p[0];
	}
	/* Memory freed since the load (the front-matter cache, what the loading threads read)
	 * goes back to the system before the lists are built: the threads' holes in the heap
	 * are of no use to this single-threaded process, whose lists would otherwise come on
	 * top of them. Done while the workers run: they can keep theirs. */
	malloc_trim(0);
	if (rc == 0 && lists_tdir && build_lists(g, lists_tdir) < 0)
		rc = -1;
	if (collect(g, fd, nw, sig) < 0)
		rc = -1;
	for (w = 0; w < nw; w++)
		close(fd[w]);
	for (w = 0; w < nw; w++)
		if (waitpid(pid[w], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			rc = -1;
	munmap(next, sizeof *next);
	if (rc < 0 && g->err.len == 0)
		buf_printf(&g->err, "%s: a worker process failed\n", g->out.dir);
	return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Deletes the pages and signable texts of a policy that is no longer in the content. */
static int remove_policy(struct gen *g, const char *slug)
{
	struct buf path = BUF_INIT;
	size_t li;
	int rc = 0;

	for (li = 0; li <= g->s->nlangs; li++) {
		buf_reset(&path);
		if (li < g->s->nlangs)
			buf_printf(&path, "%s/%s/policies/%s", g->out.dir, g->s->langs[li], slug);
		else
			buf_printf(&path, "%s/texts/%s", g->portal.dir, slug);
		if (strstr(slug, "..") || strchr(slug, '/'))
			continue; /* never leaves its folder, whatever the state file says */
		if (nftw(buf_str(&path), remove_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 &&
		    errno != ENOENT) {
			buf_printf(&g->err, "%s: cannot remove: %s\n", buf_str(&path),
				   strerror(errno));
			rc = -1;
		}
	}
	buf_free(&path);
	return rc;
}

/* Files that builds before the portal had a folder of its own left in the output: the
 * state, the front-matter cache, the signable list and texts. Removed on a build without a
 * state (the first with this policygen), so that the output is only the site. */
static const char *const legacy_files[] = {".policygen-state", ".policygen-cache", "signable.tsv"};

static int remove_legacy_text(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	const char *base = path + ftw->base;

	(void)st;
	if (flag == FTW_F && strcmp(base, "text.html") == 0 && strstr(path, "/policies/") &&
	    unlink(path) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

static int remove_legacy(struct gen *g)
{
	struct buf path = BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof legacy_files / sizeof legacy_files[0]; i++) {
		buf_reset(&path);
		buf_printf(&path, "%s/%s", g->out.dir, legacy_files[i]);
		if (unlink(buf_str(&path)) < 0 && errno != ENOENT)
			rc = -1;
	}
	for (i = 0; i < g->s->nlangs && rc == 0; i++) {
		buf_reset(&path);
		buf_printf(&path, "%s/%s/policies", g->out.dir, g->s->langs[i]);
		if (nftw(buf_str(&path), remove_legacy_text, 16, FTW_PHYS) < 0 && errno != ENOENT)
			rc = -1;
	}
	if (rc < 0)
		buf_printf(&g->err, "%s: cannot remove what an older build left: %s\n", g->out.dir,
		           strerror(errno));
	buf_free(&path);
	return rc;
}

/* 1 when the state says the policy's pages are current and they are still there. */
static int up_to_date(struct gen *g, const struct sitestate *old, const struct policy *p,
		      const char *key)
{
	const char *was = sitestate_key(old, p->slug);
	struct buf path = BUF_INIT;
	struct stat st;
	int ok;

	if (was == NULL || strcmp(was, key) != 0)
		return 0;
	buf_printf(&path, "%s/%s/policies/%s/index.html", g->out.dir, g->s->langs[0], p->slug);
	ok = content_policy_current(p) == NULL || stat(buf_str(&path), &st) == 0;
	buf_free(&path);
	return ok;
}

/* reviews.tsv (handoff.h): each policy's current version and its review date, for the
 * office's dashboard. */
static int build_reviews(struct gen *g)
{
	struct buf tsv = BUF_INIT;
	size_t i;
	int rc;

	for (i = 0; i < g->s->npolicies; i++) {
		const struct policy *p = &g->s->policies[i];
		const struct version *cur = content_policy_current(p);
		if (cur)
			handoff_review_line(&tsv, p->slug, cur->iso, cur->review_written,
			                    cur->text[0] ? cur->text[0]->title : p->slug);
	}
	rc = buf_ok(&tsv) ? out_write_renamed(&g->portal, HANDOFF_REVIEWS, buf_str(&tsv), tsv.len,
	                                      &g->err)
	                  : -1;
	g->stats->pages++;
	buf_free(&tsv);
	return rc;
}

/* What the last build through a memo made (site.h): the state it wrote, kept in memory. */
struct site_memo {
	int valid;
	unsigned char global[32];
	char site_key[SITESTATE_KEY_HEX], lists_key[SITESTATE_KEY_HEX];
	size_t n;
	const char **id; /* each policy's slug pointer: the same pointer, the same policy */
	char **slug;
	char (*keys)[SITESTATE_KEY_HEX];
	char **sig;
};

struct site_memo *site_memo_new(void)
{
	return calloc(1, sizeof(struct site_memo));
}

void site_memo_forget(struct site_memo *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++) {
		free(m->slug[i]);
		free(m->sig[i]);
	}
	free(m->id);
	free(m->slug);
	free(m->keys);
	free(m->sig);
	memset(m, 0, sizeof *m);
}

void site_memo_free(struct site_memo *m)
{
	site_memo_forget(m);
	free(m);
}

/* Records a build's keys and signable lines in m (taking sig's strings). Returns 0 or -1. */
static int memo_keep(struct site_memo *m, const struct content *s, const unsigned char global[32],
                     char (*keys)[SITESTATE_KEY_HEX], char **sig, const char *site_key,
                     const char *lists_key)
{
	size_t i;

	site_memo_forget(m);
	if ((m->id = calloc(s->npolicies + 1, sizeof *m->id)) == NULL ||
	    (m->slug = calloc(s->npolicies + 1, sizeof *m->slug)) == NULL ||
	    (m->keys = calloc(s->npolicies + 1, sizeof *m->keys)) == NULL ||
	    (m->sig = calloc(s->npolicies + 1, sizeof *m->sig)) == NULL)
		goto fail;
	for (i = 0; i < s->npolicies; i++, m->n++) {
		m->id[i] = s->policies[i].slug;
		if ((m->slug[i] = strdup(s->policies[i].slug)) == NULL)
			goto fail;
		memcpy(m->keys[i], keys[i], SITESTATE_KEY_HEX);
		m->sig[i] = sig[i];
		sig[i] = NULL;
	}
	memcpy(m->global, global, 32);
	memcpy(m->site_key, site_key, SITESTATE_KEY_HEX);
	memcpy(m->lists_key, lists_key, SITESTATE_KEY_HEX);
	m->valid = 1;
	return 0;
fail:
	site_memo_forget(m);
	return -1;
}

/* The memo's entry for slug, searching from *at on (slugs come in order), or -1. */
static long memo_find(const struct site_memo *m, const char *slug, size_t *at)
{
	int c = 1;

	while (*at < m->n && (c = strcmp(m->slug[*at], slug)) < 0)
		++*at;
	return *at < m->n && c == 0 ? (long)*at : -1;
}

int site_build(const struct content *s, const struct site_dirs *dirs, struct site_stats *stats,
               struct buf *err)
{
	return site_build_memo(s, dirs, NULL, stats, err);
}

int site_build_memo(const struct content *s, const struct site_dirs *dirs, struct site_memo *memo,
                    struct site_stats *stats, struct buf *err)
{
	const char *tdir = dirs->templates, *outdir = dirs->out;
	struct gen g;
	struct out state_out = {.dir = dirs->state};
	struct sitestate *old = NULL;
	struct buf tsv = BUF_INIT, state = BUF_INIT;
	unsigned char global[32];
	char (*keys)[SITESTATE_KEY_HEX] = NULL, site_key[SITESTATE_KEY_HEX];
	char lists_key[SITESTATE_KEY_HEX];
	int lists_same;
	char **sig = NULL;
	size_t *todo = NULL, ntodo = 0, i, k, li, nold;
	const char *const *oldslugs;
	int rc = -1, m;
	size_t at = 0;
	long j;

	memset(&g, 0, sizeof g);
	memset(stats, 0, sizeof *stats);
	g.s = s;
	g.stats = stats;
	g.out.dir = outdir;
	g.portal.dir = dirs->portal;
	/* Empty folders have no reader to protect: their files are created in place (out.h). */
	out_begin(&g.out);
	out_begin(&g.portal);
	g.a = arena_new();
	g.keep = arena_new();
	g.cmem = cmem_new();
	keys = calloc(s->npolicies + 1, sizeof *keys);
	sig = calloc(s->npolicies + 1, sizeof *sig);
	todo = calloc(s->npolicies + 1, sizeof *todo);
	if (g.a == NULL || g.keep == NULL || g.cmem == NULL || keys == NULL || sig == NULL ||
	    todo == NULL || sodium_init() < 0 ||
	    (!(memo && memo->valid) &&
	     (old = sitestate_read(dirs->state, outdir, dirs->portal)) == NULL)) {
		buf_puts(err, "out of memory\n");
		goto done;
	}
	for (i = 0; i < P__MAX; i++)
		if ((g.tmpl[i] = tmpl_load(tdir, page_templates[i], err)) == NULL)
			goto done;
	if (sitestate_global(s, tdir, global, err) < 0)
		goto done;
	g.root = settings_url_path(s->settings, g.keep);
	for (li = 0; li < s->nlangs; li++) {
		const struct yml *e;
		g.t[li] = tv_dict(g.keep);
		for (e = s->i18n[0] ? s->i18n[0]->first : NULL; e; e = e->next)
			if (e->kind == YML_SCALAR)
				tv_str(g.t[li], e->key, content_i18n(s, li, e->key));
	}
	/* With a memo of the last build, made by this process, the state is the memo and the
	 * pages are where it left them: a policy loaded then (the same slug pointer) keeps its
	 * key, and is not looked for on disk. */
	m = memo && memo->valid && memcmp(memo->global, global, 32) == 0;
	if (memo && !m)
		site_memo_forget(memo);
	if (!m && old == NULL && (old = sitestate_read(dirs->state, outdir, dirs->portal)) == NULL) {
		buf_puts(err, "out of memory\n");
		goto done;
	}
	if (!arena_ok(g.keep) || build_reviews(&g) < 0 ||
	    (!m && sitestate_site_key(old) == NULL && remove_legacy(&g) < 0))
		goto finish;
	for (i = 0; i < s->npolicies; i++)
		if (m && (j = memo_find(memo, s->policies[i].slug, &at)) >= 0 &&
		    memo->id[j] == s->policies[i].slug)
			memcpy(keys[i], memo->keys[j], SITESTATE_KEY_HEX);
		else
			sitestate_policy_key(global, s, &s->policies[i], keys[i]);
	sitestate_site(global, keys, s->npolicies, site_key);
	if (m ? strcmp(memo->site_key, site_key) == 0
	      : sitestate_site_key(old) && strcmp(sitestate_site_key(old), site_key) == 0) {
		stats->policies_unchanged = s->npolicies;
		rc = 0; /* nothing the site is made from has changed */
		if (memo && !m) { /* the memo starts from the state read (or stays empty) */
			const char *was;
			for (i = 0; i < s->npolicies; i++)
				if ((sig[i] = strdup((was = sitestate_signable(old, s->policies[i].slug))
				                         ? was : "")) == NULL)
					goto finish;
			sitestate_lists(global, s, lists_key);
			memo_keep(memo, s, global, keys, sig, site_key, lists_key);
		}
		goto finish;
	}
	for (i = 0, at = 0; i < s->npolicies; i++) {
		const char *was;
		if (m) {
			j = memo_find(memo, s->policies[i].slug, &at);
			if (j < 0 || strcmp(memo->keys[j], keys[i]) != 0)
				todo[ntodo++] = i;
			else if ((sig[i] = strdup(memo->sig[j] ? memo->sig[j] : "")) == NULL)
				goto finish;
		} else if (!up_to_date(&g, old, &s->policies[i], keys[i]))
			todo[ntodo++] = i;
		else if ((was = sitestate_signable(old, s->policies[i].slug)) != NULL &&
			 (sig[i] = strdup(was)) == NULL)
			goto finish;
	}
	stats->policies_unchanged = s->npolicies - ntodo;
	/* The landing page, indexes, feeds and sitemap show only front matter: an edit to a
	 * policy's text leaves them as they are. */
	sitestate_lists(global, s, lists_key);
	lists_same = m ? strcmp(memo->lists_key, lists_key) == 0
	               : sitestate_lists_key(old) && strcmp(sitestate_lists_key(old), lists_key) == 0;
	stats->policies_built = ntodo;
	/* The lists are built while the workers build the policies (build_policies). */
	if (build_policies(&g, todo, ntodo, sig, lists_same ? NULL : tdir) < 0)
		goto finish;
	/* Policies gone from the content take their pages with them. */
	oldslugs = m ? (const char *const *)memo->slug : sitestate_slugs(old, &nold);
	if (m)
		nold = memo->n;
	for (i = 0, k = 0; oldslugs && i < nold; i++) { /* both lists are in slug order */
		int c = -1;
		while (k < s->npolicies && (c = strcmp(s->policies[k].slug, oldslugs[i])) < 0)
			k++;
		if ((k == s->npolicies || c != 0) && remove_policy(&g, oldslugs[i]) < 0)
			goto finish;
	}
	sitestate_begin(&state, outdir, dirs->portal, site_key, lists_key);
	for (i = 0; i < s->npolicies; i++) {
		buf_puts(&tsv, sig[i] ? sig[i] : "");
		sitestate_add(&state, s->policies[i].slug, keys[i], sig[i]);
	}
	if (!buf_ok(&tsv) || !buf_ok(&state) ||
	    out_write_renamed(&g.portal, HANDOFF_SIGNABLE, buf_str(&tsv), tsv.len, &g.err) < 0 ||
	    out_write(&state_out, SITESTATE_FILE, buf_str(&state), state.len, &g.err) < 0)
		goto finish;
	stats->pages += 1;
	rc = 0;
	if (memo && memo_keep(memo, s, global, keys, sig, site_key, lists_key) < 0)
		rc = -1; /* out of memory: the site is built, only the memo is lost */
finish:
	if (rc < 0 && memo)
		site_memo_forget(memo); /* the next build checks everything */
	buf_put(err, buf_str(&g.err), g.err.len);
done:
	stats->written = g.out.written + g.portal.written;
	stats->unchanged = g.out.unchanged + g.portal.unchanged;
	out_end(&g.out);
	out_end(&g.portal);
	for (i = 0; i < P__MAX; i++)
		tmpl_free(g.tmpl[i]);
	for (i = 0; sig && i < s->npolicies; i++)
		free(sig[i]);
	free(sig);
	free(keys);
	free(todo);
	sitestate_free(old);
	arena_free(g.a);
	arena_free(g.keep);
	cmem_free(g.cmem);
	buf_free(&g.page);
	buf_free(&g.err);
	buf_free(&g.scratch);
	buf_free(&g.md);
	buf_free(&g.back);
	buf_free(&g.diff);
	buf_free(&g.plain);
	buf_free(&g.shown);
	buf_free(&tsv);
	buf_free(&state);
	return rc;
}
