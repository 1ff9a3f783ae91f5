/* form: application/x-www-form-urlencoded bodies and query strings, checked against an
 * allow-list; and the Cookie request header.
 *
 * Every field passes the caller's table of expected fields (kcgi's way): a name not in
 * the table, a name given twice that may not be, a value longer than the table allows
 * or a required field that is missing are errors, as are malformed input and anything
 * over the fixed bounds below. Errors are data: an enum with a parallel table of names
 * that can key the English and Welsh messages, plus the name of the offending field.
 *
 *	static const struct form_field sign_fields[] = {
 *		{"csrf", 64, 1, 0, 0},
 *		{"name", 100, 1, 0, 0},
 *		{"consent.", 8, 0, 0, 1},	// consent.<child>.<purpose>
 *	};
 *	struct form f;
 *	if (form_parse(&f, body, len, sign_fields, 3) < 0)
 *		log "%s: %s", f.errfield, form_strerror(f.err);
 *	... form_get(&f, "name") ...
 *	form_free(&f);
 */
#ifndef FORM_H
#define FORM_H

#include <stddef.h>

#define FORM_MAX_BODY 65536 /* bytes of encoded input */
#define FORM_MAX_FIELDS 256 /* name=value pairs */
#define FORM_MAX_NAME 64    /* bytes in a decoded name */
#define FORM_MAX_VALUE 4096 /* bytes in a decoded value, unless the table says otherwise */

enum form_error {
	FORM_ERR_NONE,
	FORM_ERR_BODY_LONG,   /* more than FORM_MAX_BODY bytes */
	FORM_ERR_FIELDS_MANY, /* more than FORM_MAX_FIELDS pairs */
	FORM_ERR_ESCAPE,      /* '%' not followed by two hex digits */
	FORM_ERR_NAME,        /* a name empty, too long, or not all [a-z0-9_.-] */
	FORM_ERR_UNKNOWN,     /* a name not in the table */
	FORM_ERR_REPEATED,    /* a name given twice that may appear once */
	FORM_ERR_UTF8,        /* a value that is not valid UTF-8 */
	FORM_ERR_CONTROL,     /* a value with a control character other than tab, CR, LF */
	FORM_ERR_VALUE_LONG,  /* a value longer than its bound */
	FORM_ERR_MISSING,     /* a required field absent */
	FORM_ERR_NOMEM,
	FORM_ERR__MAX
};

/* Short stable names ("bad-escape", ...) for logs and i18n keys. */
extern const char *const form_error_names[FORM_ERR__MAX];

/* A sentence in English for the log. */
const char *form_strerror(enum form_error);

/* One row of the allow-list. */
struct form_field {
	const char *name; /* the field's name; with prefix, the start of the names it covers */
	size_t maxlen;    /* longest value in bytes; 0 means FORM_MAX_VALUE */
	int required;     /* must be present (with prefix: at least one name under it) */
	int multi;        /* the same name may be given more than once */
	int prefix;       /* name is a prefix, as "consent." for "consent.<child>.<purpose>" */
};

/* Name and value, both decoded, NUL-terminated, strict UTF-8 without NUL. */
struct form_pair {
	const char *name;
	const char *value;
};

struct form {
	struct form_pair *pair; /* in input order; owned by the form */
	size_t npair;
	enum form_error err;
	/* The offending field's name for err, "" when the error is not about one field.
	 * Bytes outside [a-z0-9_.-] are shown as '?', so it is safe to log. */
	char errfield[FORM_MAX_NAME + 1];
	char *store; /* private */
};

/* Parses the len bytes at body (NULL when len is 0, as an absent QUERY_STRING), with
 * '+' as space and %XX escapes, checking each pair against the nfields rows of fields;
 * the first row that matches a name applies. fields NULL accepts any valid name once.
 * Empty pairs ("a=1&&b=2") are skipped; "a" alone is a with an empty value.
 * Returns 0, or -1 with err and errfield set and no pairs. Either way the form must be
 * released with form_free. */
int form_parse(struct form *, const char *body, size_t len, const struct form_field *fields,
               size_t nfields);

/* As form_parse, with a bound on the body other than FORM_MAX_BODY (the office's policy
 * text, up to 512 KB before encoding). */
int form_parse_max(struct form *, const char *body, size_t len, const struct form_field *fields,
                   size_t nfields, size_t max_body);

/* The value of the first pair called name, or NULL. Valid until form_free. */
const char *form_get(const struct form *, const char *name);

/* Frees the pairs; a zeroed or already freed form is fine. */
void form_free(struct form *);

/* Finds the cookie called name in a Cookie request header ("a=1; b=2", NULL when there
 * is none) and copies its value, without any surrounding quotes, into out, which holds
 * outsz bytes with the NUL. The first cookie of that name wins. Returns 1 when found;
 * 0 when absent; -1 when present but its value has characters RFC 6265 does not allow
 * or does not fit. Except when it returns 1, out is "" (when outsz > 0). */
int form_cookie(const char *header, const char *name, char *out, size_t outsz);

#endif
