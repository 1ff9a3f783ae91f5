/* csv: an RFC 4180 reader over a memory buffer, and the writer's cell escaping.
 *
 * Reader: records are read one at a time with csv_next. Accepted input: UTF-8 with or
 * without a byte order mark; records ended by CRLF, LF or a lone CR; fields quoted with
 * '"' (a doubled quote is a literal one) which may hold commas and line breaks, kept
 * as they are. Blank lines are skipped. Every field is strict UTF-8 with no NUL byte.
 * A record is bounded by max_fields fields of at most max_field bytes each, so memory
 * use is bounded whatever the input.
 *
 *	struct csv c;
 *	csv_init(&c, data, len);
 *	while ((rc = csv_next(&c)) > 0)
 *		use c.field[0] .. c.field[c.nfield - 1];
 *	if (rc < 0)
 *		report "line %zu: %s", c.err_line, csv_strerror(c.err);
 *	csv_free(&c);
 *
 * Writer: csv_cell appends one escaped cell to a buf; csv_sep and csv_row_end put
 * the separators between them, or csv_row writes a whole row. Output is CRLF-ended. */
#ifndef CSV_H
#define CSV_H

#include <stddef.h>

#include "buf.h"

#define CSV_MAX_FIELD 4096 /* default bound on a field, in bytes */
#define CSV_MAX_FIELDS 256 /* default bound on fields per record */

enum csv_error {
	CSV_ERR_NONE,
	CSV_ERR_UNTERMINATED, /* a quoted field runs to the end of the input */
	CSV_ERR_BARE_QUOTE,   /* '"' inside a field that does not start with one */
	CSV_ERR_AFTER_QUOTE,  /* something other than , or a line break after a closing '"' */
	CSV_ERR_UTF8,         /* a field is not valid UTF-8 */
	CSV_ERR_NUL,          /* a field holds a NUL byte (often a UTF-16 file) */
	CSV_ERR_FIELD_LONG,   /* a field is longer than max_field */
	CSV_ERR_FIELDS_MANY,  /* a record has more than max_fields fields */
	CSV_ERR_NOMEM,
	CSV_ERR__MAX
};

/* Short stable names ("unterminated-quote", ...) for logs and i18n keys. */
extern const char *const csv_error_names[CSV_ERR__MAX];

/* A sentence in English saying what is wrong and what to do about it. */
const char *csv_strerror(enum csv_error);

struct csv {
	/* Bounds, set to the defaults by csv_init; the caller may change them before the
	 * first csv_next. */
	size_t max_field;
	size_t max_fields;

	/* The current record, valid until the next csv_next or csv_free. The strings
	 * belong to the reader. */
	char **field;
	size_t nfield;
	size_t line; /* 1-based line on which the record starts */

	/* After csv_next returns -1: what and where (the line on which the record with
	 * the error starts, and the 1-based field within it). */
	enum csv_error err;
	size_t err_line;
	size_t err_field;

	/* private */
	const char *data;
	size_t len, pos;
	size_t curline; /* line number at pos */
	struct buf store;
};

/* Starts reading the len bytes at data, which must outlive the reader. Allocates
 * nothing. */
void csv_init(struct csv *, const char *data, size_t len);

/* Reads the next record. Returns 1 with the record in field/nfield/line, 0 at the end
 * of input, or -1 on an error (err, err_line, err_field). Errors are final: every later
 * call returns -1 again. */
int csv_next(struct csv *);

/* Frees what the reader allocated; the data stays the caller's. csv_free of a reader
 * that was only initialised, or freed already, is fine. */
void csv_free(struct csv *);

/* Appends the UTF-8 byte order mark, which spreadsheet programs need to read the file
 * as UTF-8 rather than a legacy code page. */
void csv_bom(struct buf *);

/* Appends the C string s as one cell. It is quoted when it holds a comma, semicolon,
 * tab, quote, CR or LF (a spreadsheet may split a cell at any of them). When it begins
 * with = + - @ tab or CR, which a spreadsheet could run as a formula, it is neutralised
 * by a leading apostrophe inside quotes (OWASP "CSV injection"), so "=1+1" is written as
 * "'=1+1"; the same is done after every ; , tab, CR and LF inside the cell, so
 * "Jones;=1+1" is written as "Jones;'=1+1". */
void csv_cell(struct buf *, const char *s);

/* Appends the comma between two cells. */
void csv_sep(struct buf *);

/* Ends a row with CRLF. */
void csv_row_end(struct buf *);

/* Appends the n cells as one row: csv_cell with csv_sep between, then csv_row_end.
 * A NULL cell is written as an empty one. */
void csv_row(struct buf *, const char *const *cells, size_t n);

#endif
