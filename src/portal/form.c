#include "form.h"

#include <stdlib.h>
#include <string.h>

#include "utf8.h"

const char *const form_error_names[FORM_ERR__MAX] = {
    [FORM_ERR_NONE] = "ok",
    [FORM_ERR_BODY_LONG] = "body-too-long",
    [FORM_ERR_FIELDS_MANY] = "too-many-fields",
    [FORM_ERR_ESCAPE] = "bad-escape",
    [FORM_ERR_NAME] = "bad-name",
    [FORM_ERR_UNKNOWN] = "unknown-field",
    [FORM_ERR_REPEATED] = "repeated-field",
    [FORM_ERR_UTF8] = "invalid-utf8",
    [FORM_ERR_CONTROL] = "control-character",
    [FORM_ERR_VALUE_LONG] = "value-too-long",
    [FORM_ERR_MISSING] = "missing-field",
    [FORM_ERR_NOMEM] = "out-of-memory",
};

static const char *const form_messages[FORM_ERR__MAX] = {
    [FORM_ERR_NONE] = "no error",
    [FORM_ERR_BODY_LONG] = "the form data is too long",
    [FORM_ERR_FIELDS_MANY] = "the form has too many fields",
    [FORM_ERR_ESCAPE] = "a % escape is not followed by two hexadecimal digits",
    [FORM_ERR_NAME] = "a field name is empty, too long, or not all a-z 0-9 _ . -",
    [FORM_ERR_UNKNOWN] = "a field this form does not have",
    [FORM_ERR_REPEATED] = "a field given more than once",
    [FORM_ERR_UTF8] = "a value is not valid UTF-8",
    [FORM_ERR_CONTROL] = "a value holds a control character",
    [FORM_ERR_VALUE_LONG] = "a value is too long",
    [FORM_ERR_MISSING] = "a required field is missing",
    [FORM_ERR_NOMEM] = "out of memory",
};

const char *form_strerror(enum form_error e)
{
	if ((unsigned)e >= FORM_ERR__MAX)
		return "unknown error";
	return form_messages[e];
}

void form_free(struct form *f)
{
	free(f->pair);
	free(f->store);
	f->pair = NULL;
	f->store = NULL;
	f->npair = 0;
}

static int form_namechar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* Records error e about the field called name (n bytes, NULL for none) and frees the
 * pairs, which name may point into. */
static int form_fail(struct form *f, enum form_error e, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < FORM_MAX_NAME; i++)
		f->errfield[i] = form_namechar(name[i]) ? name[i] : '?';
	f->errfield[i] = '\0';
	f->err = e;
	form_free(f);
	return -1;
}

static int form_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the n bytes at s into out, which has room for n + 1, and NUL-terminates it.
 * Returns the decoded length in *outlen and 0, or -1 on a malformed escape. */
static int form_decode(const char *s, size_t n, char *out, size_t *outlen)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			if (n - i < 3 || (hi = form_hex(s[i + 1])) < 0 ||
			    (lo = form_hex(s[i + 2])) < 0)
				return -1;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	*outlen = o;
	return 0;
}

static int form_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > FORM_MAX_NAME)
		return 0;
	for (i = 0; i < n; i++)
		if (!form_namechar(s[i]))
			return 0;
	return 1;
}

/* The first row of the table that covers name, or NULL. A prefix row covers names that
 * start with its prefix and go on after it. */
static const struct form_field *form_lookup(const struct form_field *t, size_t n, const char *name)
{
	size_t i, plen;

	for (i = 0; i < n; i++) {
		if (!t[i].prefix) {
			if (strcmp(name, t[i].name) == 0)
				return &t[i];
			continue;
		}
		plen = strlen(t[i].name);
		if (strncmp(name, t[i].name, plen) == 0 && name[plen] != '\0')
			return &t[i];
	}
	return NULL;
}

/* Decodes, checks and appends one non-empty name=value pair (the n bytes at s), writing
 * the decoded strings at *o and advancing it. */
static int form_pair(struct form *f, const char *s, size_t n, const struct form_field *fields,
                     size_t nfields, char **o)
{
	const char *end = s + n, *eq = memchr(s, '=', n);
	const char *nend = eq ? eq : end, *v = eq ? eq + 1 : end;
	const struct form_field *row = NULL;
	char *name = *o, *value;
	size_t nlen, vlen, max;

	if (form_decode(s, (size_t)(nend - s), name, &nlen) < 0)
		return form_fail(f, FORM_ERR_ESCAPE, s, (size_t)(nend - s));
	if (!form_name_ok(name, nlen))
		return form_fail(f, FORM_ERR_NAME, name, nlen);
	if (fields != NULL && (row = form_lookup(fields, nfields, name)) == NULL)
		return form_fail(f, FORM_ERR_UNKNOWN, name, nlen);
	if (!(row && row->multi) && form_get(f, name) != NULL)
		return form_fail(f, FORM_ERR_REPEATED, name, nlen);
	value = name + nlen + 1;
	if (form_decode(v, (size_t)(end - v), value, &vlen) < 0)
		return form_fail(f, FORM_ERR_ESCAPE, name, nlen);
	if (!utf8_valid(value, vlen))
		return form_fail(f, FORM_ERR_UTF8, name, nlen);
	if (!utf8_valid_text(value, vlen))
		return form_fail(f, FORM_ERR_CONTROL, name, nlen);
	max = row && row->maxlen ? row->maxlen : FORM_MAX_VALUE;
	if (vlen > max)
		return form_fail(f, FORM_ERR_VALUE_LONG, name, nlen);
	f->pair[f->npair].name = name;
	f->pair[f->npair].value = value;
	f->npair++;
	*o = value + vlen + 1;
	return 0;
}

int form_parse(struct form *f, const char *body, size_t len, const struct form_field *fields,
               size_t nfields)
{
	return form_parse_max(f, body, len, fields, nfields, FORM_MAX_BODY);
}

int form_parse_max(struct form *f, const char *body, size_t len, const struct form_field *fields,
                   size_t nfields, size_t max_body)
{
	const char *p, *amp, *end;
	size_t n = 0, i, j;
	char *o;

	memset(f, 0, sizeof *f);
	if (body == NULL) {
		body = "";
		len = 0;
	}
	end = body + len;
	if (len > max_body)
		return form_fail(f, FORM_ERR_BODY_LONG, NULL, 0);
	for (p = body; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		n += amp > p;
	}
	if (n > FORM_MAX_FIELDS)
		return form_fail(f, FORM_ERR_FIELDS_MANY, NULL, 0);
	if (n > 0) {
		/* Each pair decodes to at most its own length, plus two NULs. */
		f->pair = calloc(n, sizeof *f->pair);
		f->store = malloc(len + 2 * n);
		if (f->pair == NULL || f->store == NULL)
			return form_fail(f, FORM_ERR_NOMEM, NULL, 0);
	}
	o = f->store;
	for (p = body; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp > p && form_pair(f, p, (size_t)(amp - p), fields, nfields, &o) < 0)
			return -1;
	}
	for (i = 0; fields != NULL && i < nfields; i++) {
		if (!fields[i].required)
			continue;
		for (j = 0; j < f->npair; j++)
			if (form_lookup(fields, nfields, f->pair[j].name) == &fields[i])
				break;
		if (j == f->npair)
			return form_fail(f, FORM_ERR_MISSING, fields[i].name,
			                 strlen(fields[i].name));
	}
	return 0;
}

const char *form_get(const struct form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->npair; i++)
		if (strcmp(f->pair[i].name, name) == 0)
			return f->pair[i].value;
	return NULL;
}

/* RFC 6265 cookie-octet: printable ASCII except space " , ; and backslash. */
static int form_cookie_octet(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != ',' && c != ';' && c != '\\';
}

int form_cookie(const char *header, const char *name, char *out, size_t outsz)
{
	size_t nlen = strlen(name), vlen, i;
	const char *p, *e, *v, *ve;

	if (outsz > 0)
		out[0] = '\0';
	if (header == NULL || nlen == 0)
		return 0;
	for (p = header; *p != '\0'; p = *e ? e + 1 : e) {
		if ((e = strchr(p, ';')) == NULL)
			e = p + strlen(p);
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(e - p) <= nlen || strncmp(p, name, nlen) != 0 || p[nlen] != '=')
			continue;
		v = p + nlen + 1;
		ve = e;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (ve - v >= 2 && v[0] == '"' && ve[-1] == '"') {
			v++;
			ve--;
		}
		vlen = (size_t)(ve - v);
		for (i = 0; i < vlen; i++)
			if (!form_cookie_octet((unsigned char)v[i]))
				return -1;
		if (vlen >= outsz)
			return -1;
		memcpy(out, v, vlen);
		out[vlen] = '\0';
		return 1;
	}
	return 0;
}
