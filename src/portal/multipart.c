#define _GNU_SOURCE /* memmem */
#include "multipart.h"

#include <string.h>
#include <strings.h>

const char *const multipart_error_names[MULTIPART_ERR__MAX] = {
    [MULTIPART_ERR_NONE] = "none",          [MULTIPART_ERR_TYPE] = "not-multipart",
    [MULTIPART_ERR_BOUNDARY] = "boundary",  [MULTIPART_ERR_HEADER] = "bad-part-header",
    [MULTIPART_ERR_NAME] = "bad-part-name", [MULTIPART_ERR_PARTS] = "too-many-parts",
};

const char *multipart_strerror(enum multipart_error e)
{
	switch (e) {
	case MULTIPART_ERR_NONE:
		return "no error";
	case MULTIPART_ERR_TYPE:
		return "the request is not multipart/form-data with a boundary";
	case MULTIPART_ERR_BOUNDARY:
		return "the body does not start with its boundary or has no closing boundary";
	case MULTIPART_ERR_HEADER:
		return "a part's headers are malformed or too long";
	case MULTIPART_ERR_NAME:
		return "a part has no valid name, or a name is given twice";
	case MULTIPART_ERR_PARTS:
		return "the form has too many parts";
	case MULTIPART_ERR__MAX:
		break;
	}
	return "unknown error";
}

#define MAX_BOUNDARY 70

static int boundary_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("'()+_,-./:=? ", c) != NULL;
}

int multipart_is(const char *ct)
{
	static const char want[] = "multipart/form-data";
	size_t n = sizeof want - 1;

	return ct && strncasecmp(ct, want, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Copies the boundary parameter of the Content-Type into out; its length, or 0. */
static size_t get_boundary(const char *ct, char out[MAX_BOUNDARY + 1])
{
	const char *p = ct;
	size_t n = 0;
	int quoted;

	if (!multipart_is(ct))
		return 0;
	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "boundary=", 9) != 0)
			continue;
		p += 9;
		quoted = *p == '"';
		p += quoted;
		while (*p && (quoted ? *p != '"' : *p != ';' && *p != ' ')) {
			if (n == MAX_BOUNDARY || !boundary_char(*p) || *p == '\0')
				return 0;
			out[n++] = *p++;
		}
		if (quoted && *p != '"')
			return 0;
		out[n] = '\0';
		if (n == 0 || out[n - 1] == ' ')
			return 0;
		return n;
	}
	return 0;
}

/* Finds needle in the n bytes at hay (memmem: linear time); NULL when absent. */
static const char *find(const char *hay, size_t n, const char *needle, size_t m)
{
	return m == 0 || n < m ? NULL : memmem(hay, n, needle, m);
}

/* The value of parameter key in a Content-Disposition value (at most len bytes) into
 * out (cut to outsz - 1 bytes). 1 when present, 0 when absent, -1 when malformed. */
static int disp_param(const char *v, size_t len, const char *key, char *out, size_t outsz)
{
	const char *end = v + len, *p = v;
	size_t klen = strlen(key), o = 0;

	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		p = semi ? semi + 1 : end;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(end - p) <= klen || strncasecmp(p, key, klen) != 0 || p[klen] != '=')
			continue;
		p += klen + 1;
		if (p < end && *p == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (o + 1 < outsz)
					out[o++] = *p;
			if (p == end)
				return -1;
		} else {
			for (; p < end && *p != ';' && *p != ' '; p++)
				if (o + 1 < outsz)
					out[o++] = *p;
		}
		out[o] = '\0';
		return 1;
	}
	out[0] = '\0';
	return 0;
}

static int name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '.' || *s == '-'))
			return 0;
	return 1;
}

/* Keeps the last path component and only printable ASCII or UTF-8 bytes. */
static void clean_filename(char *s)
{
	char *base = s, *o;
	const char *p;

	for (p = s; *p; p++)
		if (*p == '/' || *p == '\\')
			base = (char *)p + 1;
	for (o = s, p = base; *p; p++)
		if ((unsigned char)*p >= 0x20 && *p != 0x7f)
			*o++ = *p;
	*o = '\0';
}

/* Reads the headers of part pt from h (n bytes, without the blank line). */
static int part_headers(struct multipart_part *pt, const char *h, size_t n)
{
	const char *end = h + n, *line = h;
	int disp = 0;

	while (line < end) {
		const char *eol = find(line, (size_t)(end - line), "\r\n", 2);
		const char *colon, *v;
		size_t len = eol ? (size_t)(eol - line) : (size_t)(end - line), vlen;
		if (memchr(line, '\0', len) || (colon = memchr(line, ':', len)) == NULL)
			return -1;
		v = colon + 1;
		while (v < line + len && (*v == ' ' || *v == '\t'))
			v++;
		vlen = (size_t)(line + len - v);
		if ((size_t)(colon - line) == 19 &&
		    strncasecmp(line, "Content-Disposition", 19) == 0) {
			int r;
			if (disp++ || vlen < 9 || strncasecmp(v, "form-data", 9) != 0)
				return -1;
			if (disp_param(v, vlen, "name", pt->name, sizeof pt->name) != 1 ||
			    (r = disp_param(v, vlen, "filename", pt->filename,
			                    sizeof pt->filename)) < 0)
				return -1;
			pt->is_file = r == 1;
			clean_filename(pt->filename);
		} else if ((size_t)(colon - line) == 12 &&
		           strncasecmp(line, "Content-Type", 12) == 0) {
			size_t k = vlen < MULTIPART_MAX_NAME ? vlen : MULTIPART_MAX_NAME;
			memcpy(pt->content_type, v, k);
			pt->content_type[k] = '\0';
		}
		line = eol ? eol + 2 : end;
	}
	return disp ? 0 : -1;
}

static int fail(struct multipart *m, enum multipart_error e)
{
	memset(m->part, 0, sizeof m->part);
	m->nparts = 0;
	m->err = e;
	return -1;
}

int multipart_parse(struct multipart *m, const char *ct, const char *body, size_t len)
{
	char b[MAX_BOUNDARY + 1], delim[MAX_BOUNDARY + 5];
	size_t blen, dlen, i;
	const char *p, *end = body + len;

	memset(m, 0, sizeof *m);
	if ((blen = get_boundary(ct, b)) == 0)
		return fail(m, MULTIPART_ERR_TYPE);
	/* "\r\n--boundary": the delimiter before every part after the first. */
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, b, blen);
	dlen = blen + 4;
	if (body == NULL || len < dlen - 2 || memcmp(body, delim + 2, dlen - 2) != 0)
		return fail(m, MULTIPART_ERR_BOUNDARY);
	p = body + dlen - 2;
	for (;;) {
		struct multipart_part *pt;
		const char *hend, *next;
		/* After a delimiter: "--" closes the body; else optional spaces and CRLF. */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return fail(m, MULTIPART_ERR_BOUNDARY);
		p += 2;
		if (m->nparts == MULTIPART_MAX_PARTS)
			return fail(m, MULTIPART_ERR_PARTS);
		pt = &m->part[m->nparts];
		hend = find(p,
		            (size_t)(end - p) < MULTIPART_MAX_HEADER + 4 ? (size_t)(end - p)
		                                                         : MULTIPART_MAX_HEADER + 4,
		            "\r\n\r\n", 4);
		if (hend == NULL || part_headers(pt, p, (size_t)(hend - p)) < 0)
			return fail(m, MULTIPART_ERR_HEADER);
		if (!name_ok(pt->name))
			return fail(m, MULTIPART_ERR_NAME);
		for (i = 0; i < m->nparts; i++)
			if (strcmp(m->part[i].name, pt->name) == 0)
				return fail(m, MULTIPART_ERR_NAME);
		p = hend + 4;
		if ((next = find(p, (size_t)(end - p), delim, dlen)) == NULL)
			return fail(m, MULTIPART_ERR_BOUNDARY);
		pt->data = p;
		pt->len = (size_t)(next - p);
		m->nparts++;
		p = next + dlen;
	}
	return 0;
}

const struct multipart_part *multipart_get(const struct multipart *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nparts; i++)
		if (strcmp(m->part[i].name, name) == 0)
			return &m->part[i];
	return NULL;
}
