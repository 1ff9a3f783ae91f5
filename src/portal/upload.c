#define _GNU_SOURCE /* memmem */
#include "upload.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The boundary parameter of a multipart/form-data Content-Type into b (1..70 bytes). */
static int boundary(const char *ct, char b[71])
{
	static const char type[] = "multipart/form-data";
	const char *p;
	size_t n = 0;

	if (strncasecmp(ct, type, sizeof type - 1) != 0 || (p = strstr(ct, "boundary=")) == NULL)
		return -1;
	p += 9;
	if (*p == '"') {
		p++;
		while (p[n] && p[n] != '"')
			n++;
	} else {
		while (p[n] && p[n] != ';' && p[n] != ' ')
			n++;
	}
	if (n == 0 || n > 70)
		return -1;
	memcpy(b, p, n);
	b[n] = '\0';
	return 0;
}

/* Reads name="..." (and whether filename= is there) from one part's headers. */
static int disposition(const char *h, size_t len, struct upload_part *part)
{
	const char *end = h + len, *line = h;

	while (line < end) {
		const char *eol = memmem(line, (size_t)(end - line), "\r\n", 2);
		size_t n = eol ? (size_t)(eol - line) : (size_t)(end - line);
		if (n > 20 && strncasecmp(line, "content-disposition:", 20) == 0) {
			const char *v = line + 20, *q, *stop = line + n;
			const char *name = memmem(v, (size_t)(stop - v), " name=\"", 7);
			const char *name2 = memmem(v, (size_t)(stop - v), ";name=\"", 7);
			size_t k, m;
			if (name == NULL)
				name = name2;
			if (memmem(v, (size_t)(stop - v), "form-data", 9) == NULL || name == NULL)
				return -1;
			name += 7;
			if ((q = memchr(name, '"', (size_t)(stop - name))) == NULL)
				return -1;
			m = (size_t)(q - name);
			if (m == 0 || m > UPLOAD_MAX_NAME)
				return -1;
			for (k = 0; k < m; k++)
				if (!((name[k] >= 'a' && name[k] <= 'z') ||
				      (name[k] >= '0' && name[k] <= '9') || name[k] == '_' ||
				      name[k] == '.' || name[k] == '-'))
					return -1;
			memcpy(part->name, name, m);
			part->name[m] = '\0';
			part->is_file = memmem(v, (size_t)(stop - v), "filename=", 9) != NULL;
			return 0;
		}
		line = eol ? eol + 2 : end;
	}
	return -1;
}

int upload_parse(struct upload *u, const char *content_type, const char *body, size_t len)
{
	char b[71], delim[76];
	const char *p, *end = body + len;
	size_t dlen;

	memset(u, 0, sizeof *u);
	if (content_type == NULL || boundary(content_type, b) < 0 || body == NULL)
		return -1;
	dlen = (size_t)snprintf(delim, sizeof delim, "\r\n--%s", b);
	/* The body starts with the delimiter without its CRLF. */
	if (len < dlen - 2 || memcmp(body, delim + 2, dlen - 2) != 0)
		return -1;
	p = body + dlen - 2;
	for (;;) {
		const char *hend, *next;
		struct upload_part *part;
		if (end - p >= 2 && memcmp(p, "--", 2) == 0)
			return u->n ? 0 : -1; /* the closing delimiter */
		if (end - p < 2 || memcmp(p, "\r\n", 2) != 0)
			return -1;
		p += 2;
		if ((hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4)) == NULL)
			return -1;
		if (u->n == UPLOAD_MAX_PARTS)
			return -1;
		part = &u->part[u->n];
		if (disposition(p, (size_t)(hend - p), part) < 0)
			return -1;
		p = hend + 4;
		if ((next = memmem(p, (size_t)(end - p), delim, dlen)) == NULL)
			return -1;
		part->value = p;
		part->len = (size_t)(next - p);
		u->n++;
		p = next + dlen;
	}
}

const struct upload_part *upload_get(const struct upload *u, const char *name)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (strcmp(u->part[i].name, name) == 0)
			return &u->part[i];
	return NULL;
}
