#include "settings.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "utf8.h"

/* site.yaml keys; `address` and `contact` are used by the letters, `accessibility` by the
 * generator's statement page (content.c checks it). */
enum site_key {
	S_NAME,
	S_BASE_URL,
	S_LANGUAGES,
	S_DEFAULT_LANGUAGE,
	S_ADDRESS,
	S_CONTACT,
	S_ACCESSIBILITY,
	S__MAX
};
static const char *const site_keys[S__MAX] = {
    "name", "base_url", "languages", "default_language", "address", "contact", "accessibility"};

/* A loading in progress. */
struct load {
	struct settings *s;
	settings_report_fn *report;
	void *ctx;
};

static void diag(struct load *l, int error, const char *path, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void diag(struct load *l, int error, const char *path, int line, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (l->report)
		l->report(l->ctx, error, path, line, buf_str(&b));
	buf_free(&b);
	if (error)
		l->s->nerrors++;
	else
		l->s->nwarnings++;
}

/* A YAML error in the file being read (yml_errors). */
struct yaml_error {
	struct load *l;
	const char *path;
};

static void yaml_error(void *ctx, int line, const char *msg)
{
	struct yaml_error *e = ctx;

	diag(e->l, 1, e->path, line, "%s", msg);
}

/* Reads a whole YAML data file; NULL after reporting a problem. */
static const struct yml *load_yaml_file(struct load *l, const char *path)
{
	struct buf text = BUF_INIT, err = BUF_INIT;
	const struct yml *y = NULL;
	char why[256];

	if (buf_read_regular(path, SETTINGS_MAX_FILE, &text, why, sizeof why) < 0) {
		diag(l, 1, path, 0, "%s", why);
	} else if (!utf8_valid(text.data, text.len)) {
		diag(l, 1, path, 0, "not valid UTF-8; save the file as UTF-8");
	} else if ((y = yml_parse(l->s->arena, text.data, text.len, 0, &err)) == NULL) {
		struct yaml_error ye = {l, path};
		yml_errors(&err, yaml_error, &ye);
	} else if (y->kind != YML_MAP) {
		diag(l, 1, path, y->line, "expected a mapping of keys to values");
		y = NULL;
	}
	buf_free(&text);
	buf_free(&err);
	return y;
}

static int valid_lang(const char *lang)
{
	size_t n = strlen(lang), i;

	for (i = 0; i < n; i++)
		if (lang[i] < 'a' || lang[i] > 'z')
			return 0;
	return n == 2 || n == 3;
}

int settings_lang(const struct settings *s, const char *lang)
{
	size_t i;

	for (i = 0; i < s->nlangs; i++)
		if (strcmp(s->langs[i], lang) == 0)
			return (int)i;
	return -1;
}

static void load_site(struct load *l)
{
	struct settings *s = l->s;
	const char *path = arena_printf(s->arena, "%s/site.yaml", s->dir);
	const struct yml *y = load_yaml_file(l, path), *e, *langs, *def, *name;
	size_t i;

	s->site = y;
	s->langs[0] = "en";
	s->nlangs = 1;
	s->base_url = "";
	if (y == NULL)
		return;
	for (e = y->first; e; e = e->next) {
		for (i = 0; i < S__MAX && strcmp(e->key, site_keys[i]) != 0; i++)
			;
		if (i == S__MAX)
			diag(l, 1, path, e->key_line,
			     "unknown key '%s' (known: name, base_url, languages, "
			     "default_language, address, contact, accessibility)",
			     e->key);
	}
	langs = yml_get(y, "languages");
	def = yml_get(y, "default_language");
	if (langs == NULL || langs->kind != YML_SEQ || langs->count == 0) {
		diag(l, 1, path, langs ? langs->line : 0,
		     "languages must be a list such as [en, cy]");
		return;
	}
	if (def == NULL || def->kind != YML_SCALAR) {
		diag(l, 1, path, def ? def->line : 0,
		     "default_language must name one of the languages, such as en");
		return;
	}
	s->nlangs = 1;
	s->langs[0] = def->value;
	for (e = langs->first; e; e = e->next) {
		if (e->kind != YML_SCALAR || !valid_lang(e->value)) {
			diag(l, 1, path, e->line,
			     "a language is a two- or three-letter code such as cy");
		} else if (strcmp(e->value, def->value) != 0 && settings_lang(s, e->value) < 0) {
			if (s->nlangs == SETTINGS_MAX_LANGS)
				diag(l, 1, path, e->line, "too many languages");
			else
				s->langs[s->nlangs++] = e->value;
		}
	}
	for (e = langs->first; e && !(e->kind == YML_SCALAR && !strcmp(e->value, def->value));
	     e = e->next)
		;
	if (e == NULL)
		diag(l, 1, path, def->line, "default_language '%s' is not in languages",
		     def->value);
	name = yml_get(y, "name");
	for (i = 0; i < s->nlangs; i++) {
		const struct yml *n = yml_get(name, s->langs[i]);
		if (n == NULL || n->kind != YML_SCALAR || n->value[0] == '\0') {
			diag(l, 1, path, name ? name->line : 0,
			     "name needs the school's name in %s, e.g. name: {%s: ...}",
			     s->langs[i], s->langs[i]);
			s->name[i] = "";
		} else {
			s->name[i] = n->value;
		}
	}
	if ((e = yml_get(y, "base_url")) == NULL || e->kind != YML_SCALAR ||
	    (strncmp(e->value, "http://", 7) != 0 && strncmp(e->value, "https://", 8) != 0)) {
		diag(l, 1, path, e ? e->line : 0,
		     "base_url must be the site's address, starting http:// or https://");
	} else {
		size_t n = strlen(e->value);
		while (n > 0 && e->value[n - 1] == '/')
			n--;
		s->base_url = arena_strndup(s->arena, e->value, n);
	}
	/* The configuration's base_url (policies.conf(5)), which every program puts in its
	 * environment as CONSENT_BASE_URL, says where this installation is served. */
	{
		const char *u = getenv("CONSENT_BASE_URL");
		size_t n = u ? strlen(u) : 0;
		while (n > 0 && u[n - 1] == '/')
			n--;
		if (n > 0)
			s->base_url = arena_strndup(s->arena, u, n);
	}
}

static void load_i18n(struct load *l)
{
	struct settings *s = l->s;
	const struct yml *e;
	size_t li;

	for (li = 0; li < s->nlangs; li++) {
		const char *path = arena_printf(s->arena, "%s/i18n/%s.yaml", s->dir, s->langs[li]);
		s->i18n[li] = load_yaml_file(l, path);
		s->terms[li] = yml_get(s->i18n[li], "terms"); /* looked up per file */
		for (e = s->i18n[li] ? s->i18n[li]->first : NULL; e; e = e->next) {
			const struct yml *t;
			if (strcmp(e->key, "terms") == 0 && e->kind == YML_MAP) {
				for (t = e->first; t; t = t->next)
					if (t->kind != YML_SCALAR)
						diag(l, 1, path, t->line,
						     "terms: '%s' must be a single string", t->key);
			} else if (e->kind != YML_SCALAR) {
				diag(l, 1, path, e->line, "'%s' must be a single string", e->key);
			}
		}
	}
	if (s->i18n[0] == NULL)
		return;
	for (li = 1; li < s->nlangs; li++) {
		const char *path = arena_printf(s->arena, "%s/i18n/%s.yaml", s->dir, s->langs[li]);
		if (s->i18n[li] == NULL)
			continue;
		for (e = s->i18n[0]->first; e; e = e->next)
			if (e->kind == YML_SCALAR && yml_get(s->i18n[li], e->key) == NULL)
				diag(l, 1, path, 0,
				     "missing string '%s' (given in %s.yaml line %d)", e->key,
				     s->langs[0], e->line);
		for (e = s->i18n[li]->first; e; e = e->next)
			if (e->kind == YML_SCALAR && yml_get(s->i18n[0], e->key) == NULL)
				diag(l, 0, path, e->key_line,
				     "string '%s' is not in %s.yaml, so no page uses it", e->key,
				     s->langs[0]);
	}
}

struct settings *settings_load(const char *dir, settings_report_fn *report, void *ctx)
{
	struct arena *a = arena_new();
	struct settings *s = a ? arena_alloc(a, sizeof *s) : NULL;
	struct load l = {s, report, ctx};

	if (s == NULL) {
		arena_free(a);
		return NULL;
	}
	s->arena = a;
	s->dir = arena_strdup(a, dir);
	if (s->dir) {
		load_site(&l);
		load_i18n(&l);
	}
	if (!arena_ok(a)) {
		arena_free(a);
		return NULL;
	}
	return s;
}

static void report_error(void *ctx, int error, const char *path, int line, const char *msg)
{
	if (error)
		buf_printf(ctx, "%s:%d: %s\n", path, line, msg);
}

struct settings *settings_open(const char *dir, struct buf *err)
{
	struct settings *s = settings_load(dir, report_error, err);

	if (s == NULL) {
		buf_printf(err, "%s: out of memory loading the settings\n", dir);
	} else if (s->nerrors) {
		buf_printf(err,
		           "%s: %zu errors in site.yaml or the UI strings (i18n/); fix them "
		           "(policygen check --content %s lists them)\n",
		           dir, s->nerrors, dir);
		settings_free(s);
		s = NULL;
	}
	return s;
}

void settings_free(struct settings *s)
{
	if (s)
		arena_free(s->arena);
}

const char *settings_string(const struct settings *s, size_t li, const char *key)
{
	const struct yml *e = li < s->nlangs ? yml_get(s->i18n[li], key) : NULL;

	if (e == NULL && li != 0)
		e = yml_get(s->i18n[0], key);
	return e && e->kind == YML_SCALAR ? e->value : key;
}

const char *settings_term(const struct settings *s, size_t li, const char *value)
{
	const struct yml *e;

	if (li == 0)
		return value;
	e = li < s->nlangs ? yml_get(s->terms[li], value) : NULL;
	return e && e->kind == YML_SCALAR ? e->value : NULL;
}

const char *settings_url_path(const struct settings *s, struct arena *a)
{
	return settings_path_of(s->base_url, a);
}

const char *settings_path_of(const char *url, struct arena *a)
{
	const char *p = strstr(url, "://");
	const char *slash = p ? strchr(p + 3, '/') : NULL;
	size_t n;

	if (slash == NULL)
		return "";
	n = strlen(slash);
	while (n > 0 && slash[n - 1] == '/')
		n--;
	return arena_strndup(a, slash, n);
}
