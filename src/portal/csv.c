#include "csv.h"

#include <stdlib.h>
#include <string.h>

#include "utf8.h"

const char *const csv_error_names[CSV_ERR__MAX] = {
    [CSV_ERR_NONE] = "ok",
    [CSV_ERR_UNTERMINATED] = "unterminated-quote",
    [CSV_ERR_BARE_QUOTE] = "bare-quote",
    [CSV_ERR_AFTER_QUOTE] = "text-after-quote",
    [CSV_ERR_UTF8] = "invalid-utf8",
    [CSV_ERR_NUL] = "nul-byte",
    [CSV_ERR_FIELD_LONG] = "field-too-long",
    [CSV_ERR_FIELDS_MANY] = "too-many-fields",
    [CSV_ERR_NOMEM] = "out-of-memory",
};

static const char *const csv_messages[CSV_ERR__MAX] = {
    [CSV_ERR_NONE] = "no error",
    [CSV_ERR_UNTERMINATED] = "a quoted field has no closing quote before the end of the "
                             "file; check for a stray \" in this record",
    [CSV_ERR_BARE_QUOTE] = "a quote \" inside a field that does not start with one; a "
                           "field holding quotes must be quoted as a whole, with each quote "
                           "doubled",
    [CSV_ERR_AFTER_QUOTE] = "text after the closing quote of a field; a field holding "
                            "quotes must be quoted as a whole, with each quote doubled",
    [CSV_ERR_UTF8] = "a field is not valid UTF-8; save the file as \"CSV UTF-8\"",
    [CSV_ERR_NUL] = "a field holds a NUL byte, so this is probably not a CSV text file "
                    "(UTF-16 \"Unicode text\"?); save it as \"CSV UTF-8\"",
    [CSV_ERR_FIELD_LONG] = "a field is too long",
    [CSV_ERR_FIELDS_MANY] = "a record has too many fields",
    [CSV_ERR_NOMEM] = "out of memory",
};

const char *csv_strerror(enum csv_error e)
{
	if ((unsigned)e >= CSV_ERR__MAX)
		return "unknown error";
	return csv_messages[e];
}

void csv_init(struct csv *c, const char *data, size_t len)
{
	memset(c, 0, sizeof *c);
	c->max_field = CSV_MAX_FIELD;
	c->max_fields = CSV_MAX_FIELDS;
	c->data = data;
	c->len = len;
	c->curline = 1;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		c->pos = 3;
}

void csv_free(struct csv *c)
{
	free(c->field);
	c->field = NULL;
	c->nfield = 0;
	buf_free(&c->store);
}

static int csv_fail(struct csv *c, enum csv_error e)
{
	c->err = e;
	c->err_line = c->line;
	c->err_field = c->nfield;
	c->nfield = 0;
	c->pos = c->len;
	return -1;
}

/* The length of the line break at pos: 2 for CRLF, 1 for LF or a lone CR, else 0. */
static size_t csv_eol(const struct csv *c, size_t pos)
{
	if (pos >= c->len)
		return 0;
	if (c->data[pos] == '\n')
		return 1;
	if (c->data[pos] != '\r')
		return 0;
	return pos + 1 < c->len && c->data[pos + 1] == '\n' ? 2 : 1;
}

/* Reads a quoted field from just after its opening quote up to and including the
 * closing one, into the store. */
static int csv_quoted(struct csv *c, size_t start)
{
	size_t n;

	for (;;) {
		if (c->pos >= c->len)
			return csv_fail(c, CSV_ERR_UNTERMINATED);
		if (c->data[c->pos] == '"') {
			if (c->pos + 1 < c->len && c->data[c->pos + 1] == '"')
				c->pos++;
			else
				break;
		}
		n = csv_eol(c, c->pos);
		if (n > 0)
			c->curline++;
		else
			n = 1;
		if (c->store.len - start + n > c->max_field)
			return csv_fail(c, CSV_ERR_FIELD_LONG);
		buf_put(&c->store, c->data + c->pos, n);
		c->pos += n;
	}
	c->pos++;
	if (c->pos < c->len && c->data[c->pos] != ',' && csv_eol(c, c->pos) == 0)
		return csv_fail(c, CSV_ERR_AFTER_QUOTE);
	return 0;
}

/* Reads an unquoted field, up to the next comma, line break or the end. */
static int csv_unquoted(struct csv *c)
{
	size_t from = c->pos;

	for (; c->pos < c->len; c->pos++) {
		char ch = c->data[c->pos];
		if (ch == ',' || ch == '\r' || ch == '\n')
			break;
		if (ch == '"')
			return csv_fail(c, CSV_ERR_BARE_QUOTE);
	}
	if (c->pos - from > c->max_field)
		return csv_fail(c, CSV_ERR_FIELD_LONG);
	buf_put(&c->store, c->data + from, c->pos - from);
	return 0;
}

/* Points field[] at the NUL-terminated fields laid end to end in the store. */
static int csv_index(struct csv *c)
{
	char *p, **f;
	size_t i;

	if (!buf_ok(&c->store))
		return csv_fail(c, CSV_ERR_NOMEM);
	if ((f = realloc(c->field, c->nfield * sizeof *f)) == NULL)
		return csv_fail(c, CSV_ERR_NOMEM);
	c->field = f;
	for (i = 0, p = c->store.data; i < c->nfield; i++, p += strlen(p) + 1)
		f[i] = p;
	return 1;
}

int csv_next(struct csv *c)
{
	const char *f;
	size_t n, start;
	int rc;

	if (c->err)
		return -1;
	c->nfield = 0;
	while ((n = csv_eol(c, c->pos)) > 0) {
		c->pos += n;
		c->curline++;
	}
	if (c->pos >= c->len)
		return 0;
	c->line = c->curline;
	buf_reset(&c->store);
	for (;;) {
		c->nfield++;
		if (c->nfield > c->max_fields)
			return csv_fail(c, CSV_ERR_FIELDS_MANY);
		start = c->store.len;
		if (c->pos < c->len && c->data[c->pos] == '"') {
			c->pos++;
			rc = csv_quoted(c, start);
		} else {
			rc = csv_unquoted(c);
		}
		if (rc < 0)
			return -1;
		if (!buf_ok(&c->store))
			return csv_fail(c, CSV_ERR_NOMEM);
		f = buf_str(&c->store) + start;
		if (memchr(f, '\0', c->store.len - start) != NULL)
			return csv_fail(c, CSV_ERR_NUL);
		if (!utf8_valid(f, c->store.len - start))
			return csv_fail(c, CSV_ERR_UTF8);
		buf_putc(&c->store, '\0');
		if (c->pos < c->len && c->data[c->pos] == ',') {
			c->pos++;
			continue;
		}
		if ((n = csv_eol(c, c->pos)) > 0) {
			c->pos += n;
			c->curline++;
		}
		break;
	}
	return csv_index(c);
}

void csv_bom(struct buf *b)
{
	buf_puts(b, "\xef\xbb\xbf");
}

/* A spreadsheet may read a cell as a formula when it starts with one of these ... */
static int dangerous(char c)
{
	return c != '\0' && strchr("=+-@\t\r", c) != NULL;
}

/* ... and may split a cell into several at one of these (Excel in many locales splits
 * on ';', others on ',' or a tab), each part then starting a new cell. */
static int separator(char c)
{
	return c != '\0' && strchr(";,\t\r\n", c) != NULL;
}

void csv_cell(struct buf *b, const char *s)
{
	const char *p;
	size_t plain = strcspn(s, "\";,\t\r\n"); /* a quote or a separator ends it */

	if (s[plain] == '\0' && !dangerous(s[0])) {
		buf_put(b, s, plain);
		return;
	}
	/* Quoted, quotes doubled, and a ' before a dangerous character at the start and
	 * after every separator, so no part of the cell is read as a formula. */
	buf_putc(b, '"');
	if (dangerous(s[0]))
		buf_putc(b, '\'');
	for (p = s; *p; p++) {
		buf_putc(b, *p);
		if (*p == '"')
			buf_putc(b, '"');
		else if (separator(*p) && dangerous(p[1]))
			buf_putc(b, '\'');
	}
	buf_putc(b, '"');
}

void csv_sep(struct buf *b)
{
	buf_putc(b, ',');
}

void csv_row_end(struct buf *b)
{
	buf_puts(b, "\r\n");
}

void csv_row(struct buf *b, const char *const *cells, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			csv_sep(b);
		csv_cell(b, cells[i] ? cells[i] : "");
	}
	csv_row_end(b);
}
