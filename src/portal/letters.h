/* letters: the printable letters that take each family's QR code home.
 *
 * letters_render makes one HTML document (templates/letter.html) with one A4 page per
 * family: the school's name in both languages, the children's first names, short
 * instructions in English and Welsh (the household's language first), the QR code of
 * the family's link as inline SVG, and the link written out for typing.
 *
 * Only a token's hash is stored, so a letter can be printed only when its token is
 * issued: the caller issues a new token per letter (roster_issue_token with reissue),
 * which makes the family's earlier QR code stop working. The letter says so. */
#ifndef LETTERS_H
#define LETTERS_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "db.h"
#include "settings.h"

struct letter {
	long long family_id;
	const char *family_ref;
	const char *language;     /* the household's: "en" or "cy" */
	const char **first_names; /* the current children, in class and name order */
	const char **last_names;  /* ... their last names */
	const char **classes;     /* ... their classes, as imported */
	const char *class_name;   /* the class the letter is sorted under: its first child's,
	                           * or the filter's class; NULL when no current child */
	size_t nchildren;
	const char *url;    /* the link as written out for typing; set by the caller */
	const char *qr_url; /* the same link in upper case for the QR code (roster_sign_url) */
};

/* Which families get a letter: current families (not left), narrowed by each filter
 * that is set. */
struct letters_filter {
	const char *class_name; /* NULL: any; else families with a current child in it */
	const char *family_ref; /* NULL: any */
	int outstanding;        /* only families still to sign or answer (as the export) */
};

/* A class name in the language li: "Nursery", "Reception" and "Year 1" to "Year 13"
 * (any case) through the i18n strings class_nursery, class_reception and class_year
 * ("Meithrin", "Derbyn", "Blwyddyn 3" in Welsh); any other name as it is. The result
 * lives in a (or is name). */
const char *letters_class_name(struct arena *a, const struct settings *, size_t li, const char *name);

/* Selects the families for f, ordered by their first child (class, last name, first
 * name; with a class filter, their first child in that class), so that a class's letters
 * come out together, by surname. The letters and their strings
 * live in a. Sets *out and *n (0 when none match) and returns 0, or -1 with a message in err. url
 * and qr_url are left NULL. */
int letters_select(struct db *, const struct letters_filter *f, struct arena *a,
                   struct letter **out, size_t *n, struct buf *err);

/* The school's contact details for the letters, from content/site.yaml (`address` per
 * language, `contact: {email, phone}`); each NULL when not given. */
struct letters_contact {
	const char *address[SETTINGS_MAX_LANGS]; /* by the site's language index */
	const char *email;
	const char *phone;
};

/* Fills c from the settings' site.yaml; the strings live as long as the settings. */
void letters_contact_load(const struct settings *, struct letters_contact *c);

/* Appends the letters document to out, using templates_dir/letter.html, the school's
 * names and the letter_ UI strings of site, and contact (may be NULL). Every letter
 * needs url and qr_url. Returns 0, or -1 with a message in err. */
int letters_render(struct buf *out, const struct settings *, const struct letters_contact *contact,
                   const char *templates_dir, const struct letter *letters, size_t n,
                   struct buf *err);

#endif
