/* mis: how a school information system's export (SIMS, Arbor, Bromcom, or the project's
 * own families CSV) maps onto the fields the roster imports.
 *
 * A header cell is compared with a table of known names per field after normalising both:
 * ASCII letters lowered, everything but letters and digits dropped, so "Reg Group",
 * "reg_group" and "REG-GROUP" are one name. Within a field the table is in order of
 * preference: for first_name "Preferred Forename" comes before "Legal Forename", and for
 * each row the first column with a value is used, so a child with only a legal forename
 * still has one. Carers and address take every matching column (joined with "; " and
 * ", "). A header cell matches at most one field. `--map field=Header[,Header...]` names
 * the columns of a field outright, for any other export.
 *
 * Fields (enum mis_field): family_ref (optional: without it families are formed from
 * siblings who share a primary contact), child_ref, first_name, last_name, class (all
 * four required), carers, language, and, to group siblings only (never stored),
 * contact_email, contact_phone and address. */
#ifndef MIS_H
#define MIS_H

#include <stddef.h>

#include "buf.h"

enum mis_field {
	MIS_FAMILY,
	MIS_CHILD,
	MIS_FIRST,
	MIS_LAST,
	MIS_CLASS,
	MIS_CARERS,
	MIS_LANGUAGE,
	MIS_EMAIL,
	MIS_PHONE,
	MIS_ADDRESS,
	MIS__MAX
};

/* "family_ref", "child_ref", ...: the names --map and the reports use. */
extern const char *const mis_field_names[MIS__MAX];

#define MIS_MAX_COLS 8 /* columns one field may take */

struct mis_columns {
	int col[MIS__MAX][MIS_MAX_COLS]; /* header indices, in order of preference */
	size_t ncol[MIS__MAX];
};

/* 1 when the field must have a column. */
int mis_required(enum mis_field);

/* 1 when every matching column's value is used (carers, address), 0 when the first
 * with a value is. */
int mis_joined(enum mis_field);

/* Matches the n header cells against the known names, after the --map string map (NULL
 * or "" for none). Fills cols. Returns 0, or -1 with one line per problem appended to
 * err: a --map that names an unknown field or a header that is not in the file, a header
 * named twice. Missing required fields are not errors here (see mis_missing). */
int mis_match(const char *const *header, size_t n, const char *map, struct mis_columns *cols,
              struct buf *err);

/* Appends the names of the required fields without a column, comma-separated, to out
 * and returns how many there are. */
size_t mis_missing(const struct mis_columns *, struct buf *out);

/* Appends a few of the header names this program knows for field f, for messages:
 * "Class, Reg Group, Form, Tutor Group, Year Group". */
void mis_known_names(enum mis_field f, struct buf *out);

/* Appends, one line per field, how the header was understood ("  class        "Reg Group",
 * then "Year Group""), then the header cells no field uses. */
void mis_describe(const char *const *header, size_t n, const struct mis_columns *, struct buf *);

/* A language value as exported ("Welsh", "Cymraeg", "ENG", "cy", ...): "en" or "cy",
 * "" for an empty value, or NULL when it is neither English nor Welsh. */
const char *mis_language(const char *value);

/* Folds a string for comparison: ASCII letters lowered, only letters and digits kept
 * (bytes >= 0x80 are kept as they are). Writes at most outsz - 1 bytes and a NUL. */
void mis_fold(const char *s, char *out, size_t outsz);

#endif
