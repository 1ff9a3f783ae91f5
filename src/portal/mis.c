#include "mis.h"

#include <stdlib.h>
#include <string.h>

const char *const mis_field_names[MIS__MAX] = {
    [MIS_FAMILY] = "family_ref", [MIS_CHILD] = "child_ref",     [MIS_FIRST] = "first_name",
    [MIS_LAST] = "last_name",    [MIS_CLASS] = "class",         [MIS_CARERS] = "carers",
    [MIS_LANGUAGE] = "language", [MIS_EMAIL] = "contact_email", [MIS_PHONE] = "contact_phone",
    [MIS_ADDRESS] = "address",
};

/* Known header names per field, in order of preference, as written in the exports (they
 * are folded before comparing). The first few are shown in messages. NULL-terminated. */
static const char *const known_family[] = {"family_ref",    "Family ID", "Family Reference",
                                           "Family Ref",    "Family",    "Family No",
                                           "Family Number", NULL};
static const char *const known_child[] = {"child_ref",
                                          "Admission Number",
                                          "Admission No",
                                          "Adno",
                                          "Adm No",
                                          "Pupil ID",
                                          "Student ID",
                                          "Pupil Ref",
                                          "MIS ID",
                                          "UPN",
                                          "Unique Pupil Number",
                                          "Pupil Number",
                                          NULL};
static const char *const known_first[] = {
    "first_name", "Preferred Forename", "Preferred First Name", "Preferred Name",
    "Known As",   "Forename",           "First Name",           "Forenames",
    "Given Name", "Legal Forename",     "Legal First Name",     NULL};
static const char *const known_last[] = {
    "last_name",   "Preferred Surname", "Preferred Last Name", "Surname", "Last Name",
    "Family Name", "Legal Surname",     "Legal Last Name",     NULL};
static const char *const known_class[] = {"class",      "Registration Group",
                                          "Reg Group",  "Registration Form",
                                          "Reg Form",   "Form",
                                          "Form Group", "Tutor Group",
                                          "Class Name", "Reg",
                                          "Year Group", "Year",
                                          "NC Year",    "National Curriculum Year",
                                          NULL};
static const char *const known_carers[] = {"carers",
                                           "Primary Contact",
                                           "Primary Contact Name",
                                           "Guardian",
                                           "Guardian Name",
                                           "Primary Guardian",
                                           "Primary Guardian Name",
                                           "Guardian 1 Name",
                                           "Guardian 2 Name",
                                           "Contact 1 Name",
                                           "Contact 2 Name",
                                           "Contact 1",
                                           "Contact 2",
                                           "Priority 1 Contact Name",
                                           "Priority 2 Contact Name",
                                           "Parent/Carer",
                                           "Parent/Carer Name",
                                           "Parent Carer",
                                           "Parents/Carers",
                                           "Parent Name",
                                           "Parent",
                                           NULL};
static const char *const known_language[] = {"language",
                                             "Correspondence Language",
                                             "Language of Correspondence",
                                             "Preferred Language",
                                             "Home Language",
                                             "First Language",
                                             NULL};
static const char *const known_email[] = {"contact_email",
                                          "Primary Contact Email",
                                          "Contact 1 Email",
                                          "Primary Guardian Email",
                                          "Guardian 1 Email",
                                          "Guardian Email",
                                          "Priority 1 Contact Email",
                                          "Parent/Carer Email",
                                          "Parent Email",
                                          "Email",
                                          "Email Address",
                                          NULL};
static const char *const known_phone[] = {"contact_phone",
                                          "Primary Contact Mobile",
                                          "Primary Contact Phone",
                                          "Primary Contact Telephone",
                                          "Contact 1 Mobile",
                                          "Contact 1 Phone",
                                          "Contact 1 Telephone",
                                          "Primary Guardian Mobile",
                                          "Guardian 1 Mobile",
                                          "Guardian Mobile",
                                          "Guardian Phone",
                                          "Priority 1 Contact Mobile",
                                          "Parent/Carer Mobile",
                                          "Parent Mobile",
                                          "Parent Phone",
                                          "Mobile",
                                          "Telephone",
                                          "Phone",
                                          "Home Phone",
                                          NULL};
static const char *const known_address[] = {"address",
                                            "Primary Contact Address",
                                            "Contact 1 Address",
                                            "Home Address",
                                            "Address Line 1",
                                            "Address 1",
                                            "Street",
                                            "Address Line 2",
                                            "Address 2",
                                            "Town",
                                            "Postcode",
                                            "Post Code",
                                            NULL};

static const char *const *const known[MIS__MAX] = {
    [MIS_FAMILY] = known_family,     [MIS_CHILD] = known_child, [MIS_FIRST] = known_first,
    [MIS_LAST] = known_last,         [MIS_CLASS] = known_class, [MIS_CARERS] = known_carers,
    [MIS_LANGUAGE] = known_language, [MIS_EMAIL] = known_email, [MIS_PHONE] = known_phone,
    [MIS_ADDRESS] = known_address,
};

int mis_required(enum mis_field f)
{
	return f == MIS_CHILD || f == MIS_FIRST || f == MIS_LAST || f == MIS_CLASS;
}

int mis_joined(enum mis_field f)
{
	return f == MIS_CARERS || f == MIS_ADDRESS;
}

void mis_fold(const char *s, char *out, size_t outsz)
{
	size_t n = 0;

	if (outsz == 0)
		return;
	for (; *s && n + 1 < outsz; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch >= 'A' && ch <= 'Z')
			out[n++] = (char)(ch - 'A' + 'a');
		else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch >= 0x80)
			out[n++] = (char)ch;
	}
	out[n] = '\0';
}

#define FOLD_MAX 128

static int field_by_name(const char *name, size_t len)
{
	int f;

	for (f = 0; f < MIS__MAX; f++)
		if (strlen(mis_field_names[f]) == len &&
		    strncmp(mis_field_names[f], name, len) == 0)
			return f;
	return -1;
}

/* The header index whose folded name is folded, or -1. */
static int find_header(char (*folded)[FOLD_MAX], size_t n, const char *name, size_t len)
{
	char want[FOLD_MAX], raw[FOLD_MAX];
	size_t i;

	if (len >= sizeof raw)
		return -1;
	memcpy(raw, name, len);
	raw[len] = '\0';
	mis_fold(raw, want, sizeof want);
	for (i = 0; i < n; i++)
		if (want[0] && strcmp(folded[i], want) == 0)
			return (int)i;
	return -1;
}

static void trim_span(const char **s, size_t *len)
{
	while (*len > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

/* Applies --map: "field=Header[,Header...][,field=Header...]". */
static int apply_map(const char *map, char (*folded)[FOLD_MAX], size_t n, int *used,
                     struct mis_columns *cols, int *mapped, struct buf *err)
{
	const char *p = map;
	int field = -1, bad = 0;

	while (*p) {
		const char *item = p, *eq;
		size_t len = strcspn(p, ","), hlen = len;
		int h;
		p += len + (p[len] == ',');
		if ((eq = memchr(item, '=', len)) != NULL) {
			const char *fname = item;
			size_t flen = (size_t)(eq - item);
			trim_span(&fname, &flen);
			if ((field = field_by_name(fname, flen)) < 0) {
				buf_printf(
				    err,
				    "--map: '%.*s' is not a field; the fields are family_ref, "
				    "child_ref, first_name, last_name, class, carers, language, "
				    "contact_email, contact_phone, address\n",
				    (int)flen, fname);
				return -1;
			}
			if (!mapped[field])
				cols->ncol[field] = 0;
			mapped[field] = 1;
			hlen = len - (size_t)(eq + 1 - item);
			item = eq + 1;
		}
		if (field < 0) {
			buf_printf(err, "--map: '%.*s' needs a field first, as class=%.*s\n",
			           (int)hlen, item, (int)hlen, item);
			return -1;
		}
		trim_span(&item, &hlen);
		if (hlen == 0)
			continue;
		if ((h = find_header(folded, n, item, hlen)) < 0) {
			buf_printf(err, "--map: the file has no column '%.*s' (for %s)\n",
			           (int)hlen, item, mis_field_names[field]);
			bad = 1;
			continue;
		}
		if (used[h] >= 0 && used[h] != field) {
			buf_printf(err, "--map: column '%.*s' is given to both %s and %s\n",
			           (int)hlen, item, mis_field_names[used[h]],
			           mis_field_names[field]);
			bad = 1;
			continue;
		}
		if (used[h] == field || cols->ncol[field] == MIS_MAX_COLS)
			continue;
		used[h] = field;
		cols->col[field][cols->ncol[field]++] = h;
	}
	return bad ? -1 : 0;
}

int mis_match(const char *const *header, size_t n, const char *map, struct mis_columns *cols,
              struct buf *err)
{
	char(*folded)[FOLD_MAX] = NULL;
	int *used = NULL, mapped[MIS__MAX] = {0}, f, rc = -1;
	size_t i, k;

	memset(cols, 0, sizeof *cols);
	if (n == 0)
		return 0;
	folded = calloc(n, sizeof *folded);
	used = malloc(n * sizeof *used);
	if (folded == NULL || used == NULL) {
		buf_puts(err, "out of memory\n");
		goto out;
	}
	for (i = 0; i < n; i++) {
		mis_fold(header[i], folded[i], sizeof folded[i]);
		used[i] = -1;
	}
	if (map && *map && apply_map(map, folded, n, used, cols, mapped, err) < 0)
		goto out;
	for (f = 0; f < MIS__MAX; f++) {
		if (mapped[f])
			continue;
		for (k = 0; known[f][k]; k++) {
			char want[FOLD_MAX];
			mis_fold(known[f][k], want, sizeof want);
			for (i = 0; i < n; i++) {
				if (used[i] >= 0 || strcmp(folded[i], want) != 0)
					continue;
				if (cols->ncol[f] == MIS_MAX_COLS)
					break;
				used[i] = f;
				cols->col[f][cols->ncol[f]++] = (int)i;
			}
		}
	}
	/* The same name twice in the header is ambiguous for a single-valued field. */
	for (f = 0; f < MIS__MAX; f++)
		for (i = 1; i < cols->ncol[f] && !mis_joined(f) && !mapped[f]; i++)
			for (k = 0; k < i; k++)
				if (strcmp(folded[cols->col[f][i]], folded[cols->col[f][k]]) == 0) {
					buf_printf(err,
					           "column %s is given twice (columns %d and %d)\n",
					           header[cols->col[f][i]], cols->col[f][k] + 1,
					           cols->col[f][i] + 1);
					goto out;
				}
	rc = 0;
out:
	free(folded);
	free(used);
	return rc;
}

size_t mis_missing(const struct mis_columns *cols, struct buf *out)
{
	size_t n = 0;
	int f;

	for (f = 0; f < MIS__MAX; f++)
		if (mis_required(f) && cols->ncol[f] == 0)
			buf_printf(out, "%s%s", n++ ? ", " : "", mis_field_names[f]);
	return n;
}

void mis_known_names(enum mis_field f, struct buf *out)
{
	size_t k;

	for (k = 1; known[f][k] && k <= 6; k++)
		buf_printf(out, "%s%s", k > 1 ? ", " : "", known[f][k]);
	buf_printf(out, "%s%s", k > 1 ? " or " : "", known[f][0]);
}

void mis_describe(const char *const *header, size_t n, const struct mis_columns *cols,
                  struct buf *out)
{
	int f, any = 0;
	size_t i, k;

	for (f = 0; f < MIS__MAX; f++) {
		buf_printf(out, "  %-14s", mis_field_names[f]);
		if (cols->ncol[f] == 0) {
			if (f == MIS_FAMILY)
				buf_puts(out,
				         "(none: families are formed from siblings who share a "
				         "primary contact)");
			else if (mis_required(f))
				buf_puts(out, "MISSING: name the column with --map ");
			else if (f == MIS_CARERS || f == MIS_LANGUAGE)
				buf_puts(out, "(none: the database keeps what it holds)");
			else
				buf_puts(out, "(none)");
			if (mis_required(f) && cols->ncol[f] == 0)
				buf_printf(out, "%s=HEADER", mis_field_names[f]);
		}
		for (k = 0; k < cols->ncol[f]; k++)
			buf_printf(out, "%s\"%s\"",
			           k == 0          ? ""
			           : mis_joined(f) ? ", "
			                           : ", then ",
			           header[cols->col[f][k]]);
		buf_putc(out, '\n');
	}
	for (i = 0; i < n; i++) {
		int used = 0;
		for (f = 0; f < MIS__MAX && !used; f++)
			for (k = 0; k < cols->ncol[f]; k++)
				used |= cols->col[f][k] == (int)i;
		if (!used)
			buf_printf(out, "%s\"%s\"", any++ ? ", " : "  ignored:      ", header[i]);
	}
	if (any)
		buf_putc(out, '\n');
}

const char *mis_language(const char *value)
{
	static const char *const en[] = {"en",        "eng",  "english", "saesneg",
	                                 "englishuk", "engb", NULL};
	static const char *const cy[] = {"cy",           "cym",          "wel",  "welsh", "cymraeg",
	                                 "cymraegwelsh", "welshcymraeg", "cygb", NULL};
	char f[64];
	size_t i;

	mis_fold(value, f, sizeof f);
	if (f[0] == '\0') {
		for (; *value; value++)
			if (*value != ' ' && *value != '\t')
				return NULL;
		return "";
	}
	for (i = 0; en[i]; i++)
		if (strcmp(f, en[i]) == 0)
			return "en";
	for (i = 0; cy[i]; i++)
		if (strcmp(f, cy[i]) == 0)
			return "cy";
	return NULL;
}
