#include "letters.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "qr.h"
#include "tmpl.h"
#include "utf8.h"
#include "yml.h"

#define LETTERS_QR_SIZE "45mm"

/* The UI strings a letter uses, from content/i18n/<lang>.yaml. */
static const char *const letter_keys[] = {
    "letter_document_title", "letter_title",    "letter_greeting", "letter_intro",
    "letter_scan",           "letter_type",     "letter_time",     "letter_again",
    "letter_private",        "letter_replaces", "letter_paper",    "letter_contact",
    "letter_reference",      "letter_qr_label", "letter_children",
};

static const char families_sql[] =
    "SELECT f.id, f.ref, f.language,"
    " (SELECT min(c.class || char(1) || c.last_name || char(1) || c.first_name)"
    "  FROM child c WHERE c.family_id = f.id AND c.left_on IS NULL"
    "  AND (?2 IS NULL OR c.class = ?2)) AS k"
    " FROM family f WHERE f.left_on IS NULL"
    " AND (?1 IS NULL OR f.ref = ?1)"
    " AND (?2 IS NULL OR EXISTS (SELECT 1 FROM child c WHERE c.family_id = f.id"
    "  AND c.left_on IS NULL AND c.class = ?2))"
    " AND (?3 = 0"
    "  OR EXISTS (SELECT 1 FROM declaration_status ds WHERE ds.family_id = f.id"
    "   AND ds.needs_sign)"
    "  OR EXISTS (SELECT 1 FROM photo_missing pm WHERE pm.family_id = f.id))"
    " ORDER BY k COLLATE NOCASE, f.ref";

static const char children_sql[] =
    "SELECT first_name, last_name, class FROM child WHERE family_id = ?1 AND left_on IS NULL"
    " ORDER BY class, last_name, first_name, ref";

const char *letters_class_name(struct arena *a, const struct settings *s, size_t li, const char *name)
{
	char *end;
	long n;

	if (strcasecmp(name, "Nursery") == 0)
		return settings_string(s, li, "class_nursery");
	if (strcasecmp(name, "Reception") == 0)
		return settings_string(s, li, "class_reception");
	if (strncasecmp(name, "Year ", 5) == 0 && name[5] >= '1' && name[5] <= '9') {
		n = strtol(name + 5, &end, 10);
		if (*end == '\0' && n >= 1 && n <= 13) {
			const char *y =
			    arena_printf(a, "%s %ld", settings_string(s, li, "class_year"), n);
			return y ? y : name;
		}
	}
	return name;
}

static int add_children(struct db *db, struct arena *a, struct letter *l)
{
	sqlite3_stmt *st = db_stmt(db, children_sql);
	size_t cap = 4;
	int rc;

	if (st == NULL)
		return -1;
	l->first_names = arena_alloc(a, cap * sizeof *l->first_names);
	l->last_names = arena_alloc(a, cap * sizeof *l->last_names);
	l->classes = arena_alloc(a, cap * sizeof *l->classes);
	sqlite3_bind_int64(st, 1, l->family_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && l->first_names && l->last_names &&
	       l->classes) {
		if (l->nchildren == cap) {
			const char ***v[3] = {&l->first_names, &l->last_names, &l->classes};
			size_t k;
			for (k = 0; k < 3; k++) {
				const char **p = arena_alloc(a, 2 * cap * sizeof *p);
				if (p)
					memcpy(p, *v[k], cap * sizeof *p);
				*v[k] = p;
			}
			cap *= 2;
			if (!l->first_names || !l->last_names || !l->classes)
				break;
		}
		l->first_names[l->nchildren] =
		    arena_strdup(a, (const char *)sqlite3_column_text(st, 0));
		l->last_names[l->nchildren] =
		    arena_strdup(a, (const char *)sqlite3_column_text(st, 1));
		l->classes[l->nchildren++] =
		    arena_strdup(a, (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int letters_select(struct db *db, const struct letters_filter *f, struct arena *a,
                   struct letter **out, size_t *n, struct buf *err)
{
	sqlite3_stmt *st = db_stmt(db, families_sql);
	struct letter *v = NULL;
	const char *k;
	size_t cap = 0, i;
	int rc;

	*out = NULL;
	*n = 0;
	if (st == NULL)
		goto dberr;
	if (f->family_ref)
		sqlite3_bind_text(st, 1, f->family_ref, -1, SQLITE_STATIC);
	if (f->class_name)
		sqlite3_bind_text(st, 2, f->class_name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, f->outstanding != 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct letter *l;
		if (*n == cap) {
			struct letter *p = arena_alloc(a, (cap = cap ? cap * 2 : 32) * sizeof *p);
			if (p == NULL)
				break;
			if (v)
				memcpy(p, v, *n * sizeof *p);
			v = p;
		}
		l = &v[(*n)++];
		l->family_id = sqlite3_column_int64(st, 0);
		l->family_ref = arena_strdup(a, (const char *)sqlite3_column_text(st, 1));
		l->language = arena_strdup(a, (const char *)sqlite3_column_text(st, 2));
		k = (const char *)sqlite3_column_text(st, 3);
		l->class_name = k ? arena_strndup(a, k, strcspn(k, "\001")) : NULL;
	}
	sqlite3_reset(st);
	if (!arena_ok(a)) {
		buf_puts(err, "letters: out of memory\n");
		return -1;
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	for (i = 0; i < *n; i++)
		if (add_children(db, a, &v[i]) < 0)
			goto dberr;
	if (!arena_ok(a)) {
		buf_puts(err, "letters: out of memory\n");
		return -1;
	}
	*out = v;
	return 0;
dberr:
	*n = 0;
	buf_printf(err, "letters: database: %s\n", db_errmsg(db));
	return -1;
}

void letters_contact_load(const struct settings *s, struct letters_contact *c)
{
	const struct yml *addr = yml_get(s->site, "address"),
	                 *contact = yml_get(s->site, "contact");
	const struct yml *e;
	size_t li;

	memset(c, 0, sizeof *c);
	for (li = 0; li < s->nlangs && li < SETTINGS_MAX_LANGS; li++)
		if ((e = yml_get(addr, s->langs[li])) && e->kind == YML_SCALAR && e->value[0] &&
		    utf8_valid_line(e->value, strlen(e->value)))
			c->address[li] = e->value;
	if ((e = yml_get(contact, "email")) && e->kind == YML_SCALAR && e->value[0] &&
	    utf8_valid_line(e->value, strlen(e->value)))
		c->email = e->value;
	if ((e = yml_get(contact, "phone")) && e->kind == YML_SCALAR && e->value[0] &&
	    utf8_valid_line(e->value, strlen(e->value)))
		c->phone = e->value;
}

/* 1 when name starts with a vowel (A E I O U, with or without an accent), after which
 * Welsh writes "ac" rather than "a". */
static int starts_with_vowel(const char *name)
{
	static const uint32_t vowels[] = {
	    'A',  'E',  'I',  'O',  'U',  'a',  'e',  'i',  'o',  'u',  0xC0, 0xC1,
	    0xC2, 0xC4, 0xC8, 0xC9, 0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xCF,             /* À..Ï */
	    0xD2, 0xD3, 0xD4, 0xD6, 0xD9, 0xDA, 0xDB, 0xDC,                         /* Ò..Ü */
	    0xE0, 0xE1, 0xE2, 0xE4, 0xE8, 0xE9, 0xEA, 0xEB, 0xEC, 0xED, 0xEE, 0xEF, /* à..ï */
	    0xF2, 0xF3, 0xF4, 0xF6, 0xF9, 0xFA, 0xFB, 0xFC,                         /* ò..ü */
	};
	uint32_t cp;
	size_t i;

	if (utf8_next(name, strlen(name), &cp) == 0)
		return 0;
	for (i = 0; i < sizeof vowels / sizeof vowels[0]; i++)
		if (vowels[i] == cp)
			return 1;
	return 0;
}

/* "Gwenllïan, Llŷr and Mali" in the language li. */
static const char *names_joined(struct arena *a, const struct settings *s, size_t li,
                                const struct letter *l)
{
	struct buf b = BUF_INIT;
	const char *out;
	size_t i;

	for (i = 0; i < l->nchildren; i++) {
		if (i > 0 && i + 1 < l->nchildren) {
			buf_puts(&b, ", ");
		} else if (i > 0) {
			int vowel = starts_with_vowel(l->first_names[i]);
			buf_printf(
			    &b, " %s ",
			    settings_string(s, li, vowel ? "letter_and_vowel" : "letter_and"));
		}
		buf_puts(&b, l->first_names[i]);
	}
	out = buf_ok(&b) ? arena_strdup(a, buf_str(&b)) : NULL;
	buf_free(&b);
	return out;
}

/* "Gwenllïan Pritchard-Jones (Blwyddyn 4), Llŷr Pritchard-Jones (Derbyn)": every child
 * with their class, in the language li, for whoever hands the letters out. */
static const char *children_classes(struct arena *a, const struct settings *s, size_t li,
                                    const struct letter *l)
{
	struct buf b = BUF_INIT;
	const char *out;
	size_t i;

	for (i = 0; i < l->nchildren; i++)
		buf_printf(&b, "%s%s %s (%s)", i ? ", " : "", l->first_names[i], l->last_names[i],
		           letters_class_name(a, s, li, l->classes[i]));
	out = buf_ok(&b) ? arena_strdup(a, buf_str(&b)) : NULL;
	buf_free(&b);
	return out;
}

/* The languages of a letter: the household's first, then the site's others in order. */
static size_t letter_langs(const struct settings *s, const struct letter *l, size_t order[])
{
	int home = settings_lang(s, l->language);
	size_t n = 0, li;

	if (home >= 0)
		order[n++] = (size_t)home;
	for (li = 0; li < s->nlangs; li++)
		if ((int)li != home)
			order[n++] = li;
	return n;
}

static struct tv *strings(struct tv *parent, const struct settings *s, size_t li)
{
	struct tv *t = tv_add_dict(parent, "t");
	size_t k;

	for (k = 0; k < sizeof letter_keys / sizeof letter_keys[0]; k++)
		tv_str(t, letter_keys[k], settings_string(s, li, letter_keys[k]));
	return t;
}

static int add_letter(struct arena *a, struct tv *list, const struct settings *s,
                      const struct letters_contact *c, const struct letter *l, struct buf *err)
{
	struct tv *d = tv_push_dict(list), *names, *parts;
	struct buf svg = BUF_INIT, label = BUF_INIT;
	size_t order[SETTINGS_MAX_LANGS], n = letter_langs(s, l, order), i;

	if (l->url == NULL || l->qr_url == NULL) {
		buf_printf(err, "letters: family %s has no link\n", l->family_ref);
		return -1;
	}
	if (qr_svg(&svg, l->qr_url, settings_string(s, order[0], "letter_qr_label"),
	           LETTERS_QR_SIZE) < 0) {
		buf_printf(err, "letters: family %s: cannot draw the QR code: %s\n", l->family_ref,
		           strerror(errno));
		buf_free(&svg);
		return -1;
	}
	tv_str(d, "lang", s->langs[order[0]]);
	tv_str(d, "ref", l->family_ref);
	if (l->class_name)
		tv_str(d, "class", letters_class_name(a, s, order[0], l->class_name));
	tv_str(d, "url", l->url);
	/* qr_svg's output is our own markup with every text escaped: trusted. */
	tv_html(d, "qr", buf_str(&svg));
	buf_free(&svg);
	names = tv_add_list(d, "names");
	parts = tv_add_list(d, "parts");
	for (i = 0; i < n; i++) {
		size_t li = order[i];
		struct tv *nm = tv_push_dict(names), *p = tv_push_dict(parts);
		tv_str(nm, "lang", s->langs[li]);
		tv_str(nm, "name", s->name[li]);
		tv_str(p, "lang", s->langs[li]);
		tv_str(p, "school", s->name[li]);
		tv_str(p, "names", names_joined(a, s, li, l));
		tv_str(p, "children", children_classes(a, s, li, l));
		strings(p, s, li);
		if (c && c->address[li])
			tv_str(p, "address", c->address[li]);
		if (c && c->email)
			tv_str(p, "email", c->email);
		if (c && c->phone)
			tv_str(p, "phone", c->phone);
		buf_printf(&label, "%s%s", i ? " / " : "",
		           settings_string(s, li, "letter_reference"));
	}
	tv_str(d, "ref_label", buf_str(&label));
	buf_free(&label);
	return 0;
}

int letters_render(struct buf *out, const struct settings *s, const struct letters_contact *c,
                   const char *templates_dir, const struct letter *letters, size_t n,
                   struct buf *err)
{
	struct arena *a = arena_new();
	struct tmpl *t = NULL;
	struct tv *root, *list;
	int rc = -1;
	size_t i;

	if (a == NULL) {
		buf_puts(err, "letters: out of memory\n");
		return -1;
	}
	if ((t = tmpl_load(templates_dir, "letter.html", err)) == NULL)
		goto out;
	root = tv_dict(a);
	tv_str(root, "lang", s->langs[0]);
	strings(root, s, 0);
	list = tv_add_list(root, "letters");
	for (i = 0; i < n; i++)
		if (add_letter(a, list, s, c, &letters[i], err) < 0)
			goto out;
	if (!arena_ok(a)) {
		buf_puts(err, "letters: out of memory\n");
		goto out;
	}
	rc = tmpl_render(t, root, out, err);
	if (rc == 0 && !buf_ok(out)) {
		buf_puts(err, "letters: out of memory\n");
		rc = -1;
	}
out:
	tmpl_free(t);
	arena_free(a);
	return rc;
}
