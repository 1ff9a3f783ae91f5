#include "content.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utf8.h"

const char *const diag_level_names[DIAG__MAX] = {"warning", "error"};

#define CONTENT_MAX_SCALAR 2000 /* bytes in one front-matter value */
#define REVIEW_WARN_DAYS 30     /* check and build warn this long before a review is due */

/* Front-matter fields. `shared` fields are language-independent: they belong in the
 * default-language file, and a translation may only repeat them unchanged. */
enum field {
	F_TITLE,
	F_REVIEW,
	F_APPROVED_BY,
	F_OWNER,
	F_AUDIENCE,
	F_REVIEW_FREQUENCY,
	F_EFFECTIVE,
	F_SUMMARY,
	F_DECLARATION,
	F_RESIGN,
	F_PREVIOUS,
	F_CHANGES,
	F_APPROVED_ON,
	F_MINUTE,
	F_REVIEWED,
	F__MAX
};

static const struct {
	const char *name;
	enum yml_kind kind;
	int shared;
} fields[F__MAX] = {
    [F_TITLE] = {"title", YML_SCALAR, 0},
    [F_REVIEW] = {"review", YML_SCALAR, 1},
    [F_APPROVED_BY] = {"approved_by", YML_SCALAR, 1},
    [F_OWNER] = {"owner", YML_SCALAR, 1},
    [F_AUDIENCE] = {"audience", YML_SEQ, 1},
    [F_REVIEW_FREQUENCY] = {"review_frequency", YML_SCALAR, 1},
    [F_EFFECTIVE] = {"effective", YML_SCALAR, 1},
    [F_SUMMARY] = {"summary", YML_SCALAR, 0},
    [F_DECLARATION] = {"declaration", YML_SCALAR, 0},
    [F_RESIGN] = {"resign", YML_SCALAR, 1},
    [F_PREVIOUS] = {"previous", YML_SEQ, 1},
    [F_CHANGES] = {"changes", YML_SCALAR, 0},
    [F_APPROVED_ON] = {"approved_on", YML_SCALAR, 1},
    [F_MINUTE] = {"minute", YML_SCALAR, 1},
    [F_REVIEWED] = {"reviewed", YML_SEQ, 1},
};

static const char known_fields[] = "title, review, approved_by, owner, audience, "
                                   "review_frequency, effective, summary, declaration, resign, "
                                   "previous, changes, approved_on, minute, reviewed";

/* Keys of the `accessibility:` section. */
static const char *const a11y_keys[] = {"contact", "email",    "phone",  "formats",
                                        "tested",  "standard", "status", "problems"};
static const char a11y_example[] =
    "accessibility: {contact: {en: ..., cy: ...}, email: ..., formats: {en: ..., cy: ...}, "
    "tested: YYYY-MM-DD, standard: WCAG 2.2 AA, status: full} (README.md, \"The "
    "accessibility statement\")";

void content_diag(struct content *s, enum diag_level level, const char *path, int line,
                  const char *fmt, ...)
{
	struct diag *d = arena_alloc(s->arena, sizeof *d);
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (d) {
		d->level = level;
		d->path = path;
		d->line = line;
		d->msg = arena_strdup(s->arena, buf_str(&b));
		*s->diags_tail = d;
		s->diags_tail = &d->next;
	}
	buf_free(&b);
	if (level == DIAG_ERROR)
		s->nerrors++;
	else
		s->nwarnings++;
}

/* As real_folder, with the folder's status in *st (st_ino 0 when it is missing), for the
 * folder name in the folder open as dfd (AT_FDCWD: name is path). */
static int real_folder_at(struct content *s, int dfd, const char *name, const char *path,
                          struct stat *st_out)
{
	struct stat st;

	st_out->st_ino = 0;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT;
	*st_out = st;
	if (S_ISDIR(st.st_mode))
		return 1;
	content_diag(s, DIAG_ERROR, path, 0,
	             "is %s, not a folder; only ordinary files and folders belong in the "
	             "content folder: %s",
	             buf_file_kind(st.st_mode),
	             S_ISLNK(st.st_mode) ? "put the folder itself here" : "remove it");
	return 0;
}

static int real_folder_st(struct content *s, const char *path, struct stat *st)
{
	return real_folder_at(s, AT_FDCWD, path, path, st);
}

/* 1 when path is a folder itself, not a link to one; otherwise reports it. A missing
 * path is left to the caller to report. */
static int real_folder(struct content *s, const char *path)
{
	struct stat st;

	return real_folder_st(s, path, &st);
}

/* A YAML error in the file being read, as a diagnostic (yml_errors). */
struct yaml_error {
	struct content *s;
	const char *path;
};

static void yaml_error(void *ctx, int line, const char *msg)
{
	struct yaml_error *e = ctx;

	content_diag(e->s, DIAG_ERROR, e->path, line, "%s", msg);
}

/* Reports each "LINE: message" line that yml_parse left in err against path. */
static void yaml_errors(struct content *s, const char *path, struct buf *err)
{
	struct yaml_error e = {s, path};

	yml_errors(err, yaml_error, &e);
}

int content_lang(const struct content *s, const char *lang)
{
	return settings_lang(s->settings, lang);
}

/* A value given per language ({en: ..., cy: ...}) as one line of text in each. */
static int per_language(struct content *s, const char *path, const struct yml *y, const char *what,
                        const char **out)
{
	size_t li;
	int ok = 1;

	for (li = 0; li < s->nlangs; li++) {
		const struct yml *v = yml_get(y, s->langs[li]);
		if (v == NULL || v->kind != YML_SCALAR || v->value[0] == '\0' ||
		    !utf8_valid_line(v->value, strlen(v->value))) {
			content_diag(
			    s, DIAG_ERROR, path, y ? y->line : 0,
			    "accessibility: %s needs one line of text in %s, e.g. %s: {%s: ...}",
			    what, s->langs[li], what, s->langs[li]);
			ok = 0;
		} else {
			out[li] = v->value;
		}
	}
	return ok;
}

/* The accessibility statement's facts. Without the section the site has no statement:
 * a warning, since a school's website must publish one. */
static void load_a11y(struct content *s, const char *path, const struct yml *y)
{
	struct accessibility *a = &s->a11y;
	const struct yml *e;
	struct date_error de;
	size_t i, li;

	if (y == NULL) {
		content_diag(s, DIAG_WARNING, path, 0,
		             "no accessibility: section, so the site has no accessibility "
		             "statement, which a school's website must publish; add %s",
		             a11y_example);
		return;
	}
	if (y->kind != YML_MAP) {
		content_diag(s, DIAG_ERROR, path, y->line,
		             "accessibility must be a section of keys: %s", a11y_example);
		return;
	}
	for (e = y->first; e; e = e->next) {
		for (i = 0;
		     i < sizeof a11y_keys / sizeof a11y_keys[0] && strcmp(e->key, a11y_keys[i]);
		     i++)
			;
		if (i == sizeof a11y_keys / sizeof a11y_keys[0])
			content_diag(
			    s, DIAG_ERROR, path, e->key_line,
			    "accessibility: unknown key '%s' (known: contact, email, phone, "
			    "formats, tested, standard, status, problems)",
			    e->key);
	}
	a->given = 1;
	per_language(s, path, yml_get(y, "contact"), "contact", a->contact);
	per_language(s, path, yml_get(y, "formats"), "formats", a->formats);
	if ((e = yml_get(y, "email")) && e->kind == YML_SCALAR && strchr(e->value, '@') &&
	    !strpbrk(e->value, " <>\"'"))
		a->email = e->value;
	else if (e)
		content_diag(s, DIAG_ERROR, path, e->line,
		             "accessibility: email must be one e-mail address");
	if ((e = yml_get(y, "phone")) && e->kind == YML_SCALAR &&
	    utf8_valid_line(e->value, strlen(e->value)))
		a->phone = e->value;
	else if (e)
		content_diag(s, DIAG_ERROR, path, e->line,
		             "accessibility: phone must be one telephone number");
	if (a->email == NULL && a->phone == NULL)
		content_diag(s, DIAG_ERROR, path, y->line,
		             "accessibility: give an email or a phone (or both) for readers who "
		             "need a policy in another format");
	if ((e = yml_get(y, "tested")) == NULL || e->kind != YML_SCALAR)
		content_diag(s, DIAG_ERROR, path, e ? e->line : y->line,
		             "accessibility: tested must be the date the site was last tested for "
		             "accessibility, YYYY-MM-DD");
	else if (date_parse(&a->tested, e->value, &de) < 0)
		content_diag(s, DIAG_ERROR, path, e->line, "accessibility: tested \"%s\": %s",
		             e->value, date_strerror(&de));
	if ((e = yml_get(y, "standard")) == NULL || e->kind != YML_SCALAR || e->value[0] == '\0')
		content_diag(s, DIAG_ERROR, path, e ? e->line : y->line,
		             "accessibility: standard must name the standard tested against, such "
		             "as WCAG 2.2 AA");
	else
		a->standard = e->value;
	if ((e = yml_get(y, "status")) == NULL || e->kind != YML_SCALAR ||
	    (strcmp(e->value, "full") != 0 && strcmp(e->value, "partial") != 0))
		content_diag(s, DIAG_ERROR, path, e ? e->line : y->line,
		             "accessibility: status must be full (the site meets the standard) or "
		             "partial (list the problems under problems:)");
	else
		a->partial = strcmp(e->value, "partial") == 0;
	e = yml_get(y, "problems");
	for (li = 0; li < s->nlangs; li++) {
		const struct yml *list = yml_get(e, s->langs[li]), *item;
		if (list == NULL || list->kind != YML_SEQ) {
			if (a->partial || e)
				content_diag(s, DIAG_ERROR, path, e ? e->line : y->line,
				             "accessibility: problems needs a list in %s, e.g. "
				             "problems: {%s: [...]}",
				             s->langs[li], s->langs[li]);
			continue;
		}
		a->problems[li] = arena_alloc(s->arena, (list->count + 1) * sizeof(char *));
		for (item = list->first; a->problems[li] && item; item = item->next) {
			if (item->kind != YML_SCALAR ||
			    !utf8_valid_line(item->value, strlen(item->value)))
				content_diag(s, DIAG_ERROR, path, item->line,
				             "accessibility: each problem is one line of text");
			else
				a->problems[li][a->nproblems[li]++] = item->value;
		}
	}
}

/* Passes a problem in site.yaml or the UI strings on as a diagnostic. */
static void settings_diag(void *ctx, int error, const char *path, int line, const char *msg)
{
	struct content *s = ctx;

	content_diag(s, error ? DIAG_ERROR : DIAG_WARNING, arena_strdup(s->arena, path), line, "%s",
	             msg);
}

/* The settings (settings.h), with their problems among the content's diagnostics. */
static void load_settings(struct content *s)
{
	size_t li;

	if ((s->settings = settings_load(s->dir, settings_diag, s)) == NULL) {
		s->langs[0] = "en";
		s->nlangs = 1;
		s->base_url = "";
		content_diag(s, DIAG_ERROR, s->dir, 0, "out of memory loading the settings");
		return;
	}
	s->nlangs = s->settings->nlangs;
	s->base_url = s->settings->base_url;
	for (li = 0; li < s->nlangs; li++) {
		s->langs[li] = s->settings->langs[li];
		s->name[li] = s->settings->name[li];
		s->i18n[li] = s->settings->i18n[li];
	}
	real_folder(s, arena_printf(s->arena, "%s/i18n", s->dir));
	load_a11y(s, arena_printf(s->arena, "%s/site.yaml", s->dir),
	          yml_get(s->settings->site, "accessibility"));
}

const char *content_term(const struct content *s, size_t li, const char *value)
{
	return settings_term(s->settings, li, value);
}

/* Warns about the current version's untranslated field values. */
static void check_terms(struct content *s, const struct version *v)
{
	const char *values[4 + 64];
	size_t n = 0, i, li;

	values[n++] = v->approved_by;
	values[n++] = v->owner;
	values[n++] = v->review_frequency;
	for (i = 0; i < v->naudience && n < sizeof values / sizeof values[0]; i++)
		values[n++] = v->audience[i];
	for (li = 1; li < s->nlangs; li++)
		for (i = 0; i < n; i++)
			if (values[i] && content_term(s, li, values[i]) == NULL)
				content_diag(s, DIAG_WARNING, v->text[0]->path, 0,
					     "'%s' has no %s translation: add it under terms: in "
					     "i18n/%s.yaml",
					     values[i], s->langs[li], s->langs[li]);
}

const char *content_i18n(const struct content *s, size_t li, const char *key)
{
	return settings_string(s->settings, li, key);
}

/* One file of a policy, before the files are grouped into versions. */
struct file {
	struct date date;
	int li;
	const char *path;
	const struct yml *fm;
	int body_line;
	int bad; /* named well but failed to load or check: already reported */
	struct stat st;
};

static int has_colon_space(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (v[i] == ':' && v[i + 1] == ' ')
			return 1;
	return 0;
}

/* The mistakes staff make most in front matter, said in plain words: a value with ": " in
 * it that is not quoted (YAML reads a second field), and a value that runs onto a line
 * of its own that is not indented. Called when the YAML parser has failed, on the len
 * bytes at fm whose first line is line `first`; returns the number of problems reported
 * (0: the parser's own message is all there is). */
static int plain_errors(struct content *s, const char *path, const char *fm, size_t len, int first)
{
	const char *p = fm, *end = fm + len;
	const char *field = NULL;
	size_t field_len = 0;
	int line = first, field_line = 0, found = 0;

	for (; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), k = 0;
		const char *v;
		size_t vn;

		if (n && p[n - 1] == '\r')
			n--;
		if (n == 0 || p[0] == '#' || p[0] == ' ' || p[0] == '\t' || p[0] == '-') {
			p = nl ? nl + 1 : end;
			continue;
		}
		while (k < n && ((p[k] >= 'a' && p[k] <= 'z') || p[k] == '_'))
			k++;
		if (k > 0 && k < n && p[k] == ':' && (k + 1 == n || p[k + 1] == ' ')) {
			field = p;
			field_len = k;
			field_line = line;
			for (v = p + k + 1, vn = n - k - 1; vn && *v == ' '; v++, vn--)
				;
			while (vn && v[vn - 1] == ' ')
				vn--;
			if (vn && !strchr("\"'[{|>&*!", v[0]) &&
			    (v[vn - 1] == ':' || has_colon_space(v, vn))) {
				int dq = memchr(v, '"', vn) != NULL;
				content_diag(
				    s, DIAG_ERROR, path, line,
				    "%.*s contains a colon followed by a space, which YAML reads "
				    "as the start of another field; put the value in quotes: "
				    "%.*s: %c%.*s%c",
				    (int)k, p, (int)k, p, dq ? '\'' : '"', (int)vn, v,
				    dq ? '\'' : '"');
				found++;
			}
		} else if (field != NULL) {
			content_diag(
			    s, DIAG_ERROR, path, field_line,
			    "%.*s runs onto line %d, which is not a field of its own: write "
			    "%.*s on one line (or indent the lines that continue it)",
			    (int)field_len, field, line, (int)field_len, field);
			found++;
			field = NULL; /* once per field */
		} else {
			content_diag(s, DIAG_ERROR, path, line,
			             "this line is not 'field: value' (a field name is lower case, "
			             "such as title)");
			found++;
		}
		p = nl ? nl + 1 : end;
	}
	return found;
}

/* Splits the front matter from the body. Returns the front matter (in the arena) or NULL
 * after reporting. */
static const struct yml *front_matter(struct content *s, const char *path, const char *text,
                                      size_t len, int *body_line)
{
	const char *p = text, *end = text + len, *fm, *close = NULL;
	struct buf err = BUF_INIT;
	const struct yml *y;
	int line = 1;

	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	if (!(end - p >= 4 && memcmp(p, "---\n", 4) == 0) &&
	    !(end - p >= 5 && memcmp(p, "---\r\n", 5) == 0)) {
		content_diag(s, DIAG_ERROR, path, 1,
		             "a policy file starts with front matter: a line '---', the fields, "
		             "then '---'");
		return NULL;
	}
	p = fm = (const char *)memchr(p, '\n', (size_t)(end - p)) + 1;
	line = 2;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (n == 3 && memcmp(p, "---", 3) == 0) {
			close = p;
			p = nl ? nl + 1 : end;
			break;
		}
		p = nl ? nl + 1 : end;
		line++;
	}
	if (close == NULL) {
		content_diag(s, DIAG_ERROR, path, 1,
		             "the front matter is never closed by a line '---'");
		return NULL;
	}
	*body_line = line + 1;
	y = yml_parse(s->scratch, fm, (size_t)(close - fm), 1, &err);
	if (y == NULL) {
		if (plain_errors(s, path, fm, (size_t)(close - fm), 2) == 0)
			yaml_errors(s, path, &err);
	} else if (y->kind != YML_MAP) {
		content_diag(s, DIAG_ERROR, path, y->line,
		             "front matter must be 'field: value' lines");
		y = NULL;
	}
	buf_free(&err);
	return y;
}

/* Parses "<YYYY-MM-DD>.<lang>.md". */
static int parse_file_name(struct content *s, const char *name, struct date *date, int *li,
                           const char *path)
{
	size_t n = strlen(name);
	char lang[4];
	struct date_error de;

	if (n < 16 || n > 17 || name[10] != '.' || strcmp(name + n - 3, ".md") != 0) {
		content_diag(s, DIAG_ERROR, path, 0,
		             "file name is not <YYYY-MM-DD>.<language>.md, e.g. 2025-09-01.en.md");
		return -1;
	}
	if (date_parsen(date, name, 10, &de) < 0) {
		content_diag(s, DIAG_ERROR, path, 0, "the date in the file name is wrong: %s",
		             date_strerror(&de));
		return -1;
	}
	memcpy(lang, name + 11, n - 14);
	lang[n - 14] = '\0';
	if ((*li = content_lang(s, lang)) < 0) {
		content_diag(s, DIAG_ERROR, path, 0,
		             "language '%s' is not one of the languages in site.yaml", lang);
		return -1;
	}
	return 0;
}

/* Loads the file name in the folder open as dfd (its path is f->path); type is its kind
 * as the folder's listing gave it (DT_UNKNOWN when not known). */
static int load_file(struct content *s, struct file *f, int dfd, const char *name,
                     unsigned char type)
{
	struct buf text = BUF_INIT;
	char why[256];
	int rc = -1, fd = -1;

	/* A file the listing says is ordinary and the cache cannot know (every file of a
	 * first build) is opened first and its status taken from the open file: one look-up
	 * of its name instead of two. Anything else is looked at before it is opened. */
	if (type == DT_REG && !(s->cache && fmcache_has(s->cache, f->path)) &&
	    (fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) >= 0 &&
	    (fstat(fd, &f->st) < 0 || !S_ISREG(f->st.st_mode))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0 && fstatat(dfd, name, &f->st, AT_SYMLINK_NOFOLLOW) < 0) {
		content_diag(s, DIAG_ERROR, f->path, 0, "cannot read: %s", strerror(errno));
		return -1;
	}
	/* Checked before the cache is asked, so a file replaced by a link or grown past the
	 * limit is refused even when its status matches an old entry. */
	if (S_ISLNK(f->st.st_mode) || !S_ISREG(f->st.st_mode)) {
		content_diag(s, DIAG_ERROR, f->path, 0,
		             "is %s, not an ordinary file; only ordinary files and folders belong "
		             "in the content folder: %s",
		             buf_file_kind(f->st.st_mode),
		             S_ISLNK(f->st.st_mode) ? "put the file itself here" : "remove it");
		return -1;
	}
	if ((unsigned long long)f->st.st_size > CONTENT_MAX_FILE) {
		content_diag(s, DIAG_ERROR, f->path, 0,
		             "is %lld bytes, over the limit of %d bytes (%d KiB) for one policy "
		             "file; split it into shorter policies, or move long appendices into "
		             "their own policy",
		             (long long)f->st.st_size, CONTENT_MAX_FILE, CONTENT_MAX_FILE / 1024);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (fd < 0 && s->cache &&
	    (f->fm = fmcache_get(s->cache, s->scratch, f->path, &f->st, &f->body_line)))
		return 0;
	/* Opened from the folder: a path the kernel need not walk from the root again, for
	 * every file of the content. */
	if ((fd >= 0 ? buf_read_known_fd(fd, f->path, (size_t)f->st.st_size, CONTENT_MAX_FILE,
	                                 &text, why, sizeof why)
	             : buf_read_known_at(dfd, name, f->path, (size_t)f->st.st_size,
	                                 CONTENT_MAX_FILE, &text, why, sizeof why)) < 0)
		content_diag(s, DIAG_ERROR, f->path, 0, "%s", why);
	else if (!utf8_valid(text.data, text.len))
		content_diag(s, DIAG_ERROR, f->path, 0, "not valid UTF-8; save the file as UTF-8");
	else if ((f->fm = front_matter(s, f->path, text.data, text.len, &f->body_line)) != NULL)
		rc = 0;
	if (fd >= 0)
		close(fd);
	if (rc == 0 && s->cache)
		fmcache_put(s->cache, f->path, &f->st, f->fm, f->body_line);
	buf_free(&text);
	return rc;
}

static int field_index(const char *key)
{
	int i;

	for (i = 0; i < F__MAX; i++)
		if (strcmp(fields[i].name, key) == 0)
			return i;
	return -1;
}

static int yml_equal(const struct yml *a, const struct yml *b)
{
	if (a->kind != b->kind || a->count != b->count)
		return 0;
	if (a->kind == YML_SCALAR)
		return strcmp(a->value, b->value) == 0;
	for (a = a->first, b = b->first; a && b; a = a->next, b = b->next)
		if ((a->key && strcmp(a->key, b->key) != 0) || !yml_equal(a, b))
			return 0;
	return 1;
}

/* Checks the shape of every field of a file; returns the number of errors. */
static int check_fields(struct content *s, const struct file *f)
{
	const struct yml *e, *item;
	int errors = 0;

	for (e = f->fm->first; e; e = e->next) {
		int fi = field_index(e->key);
		if (fi < 0) {
			content_diag(s, DIAG_ERROR, f->path, e->key_line,
			             "unknown field '%s' (known: %s)", e->key, known_fields);
			errors++;
			continue;
		}
		if (e->kind != fields[fi].kind) {
			content_diag(s, DIAG_ERROR, f->path, e->line, "%s must be %s%s", e->key,
			             yml_kind_names[fields[fi].kind],
			             fields[fi].kind == YML_SEQ ? " such as [a, b]" : "");
			errors++;
			continue;
		}
		if (e->kind == YML_SCALAR && strlen(e->value) > CONTENT_MAX_SCALAR) {
			content_diag(s, DIAG_ERROR, f->path, e->line, "%s is longer than %d bytes",
			             e->key, CONTENT_MAX_SCALAR);
			errors++;
		}
		for (item = e->kind == YML_SEQ && fi != F_REVIEWED ? e->first : NULL; item;
		     item = item->next)
			if (item->kind != YML_SCALAR || item->value[0] == '\0') {
				content_diag(s, DIAG_ERROR, f->path, item->line,
				             "each item of %s must be a single value", e->key);
				errors++;
			}
		if ((fi == F_TITLE || fi == F_SUMMARY || fi == F_DECLARATION || fi == F_CHANGES ||
		     fi == F_MINUTE || fi == F_APPROVED_BY) &&
		    (!utf8_valid_line(e->value, strlen(e->value)) || strchr(e->value, '\t'))) {
			content_diag(s, DIAG_ERROR, f->path, e->line,
			             "%s must be one line of text, without tabs", e->key);
			errors++;
		}
		if (fi == F_TITLE && e->value[0] == '\0') {
			content_diag(s, DIAG_ERROR, f->path, e->line, "title is empty");
			errors++;
		}
	}
	if (yml_get(f->fm, "title") == NULL) {
		content_diag(s, DIAG_ERROR, f->path, 1, "missing title");
		errors++;
	}
	return errors;
}

/* A field's value, copied into the site's memory (front matter lives only while its
 * policy is being loaded). */
static const char *scalar(struct content *s, const struct yml *fm, enum field fi)
{
	const struct yml *e = yml_get(fm, fields[fi].name);

	return e && e->kind == YML_SCALAR ? arena_strdup(s->arena, e->value) : NULL;
}

static void parse_dated(struct content *s, const struct file *f, const struct yml *e,
                        const char *what, struct date *out)
{
	struct date_error de;

	if (date_parse(out, e->value, &de) < 0)
		content_diag(s, DIAG_ERROR, f->path, e->line, "%s \"%s\": %s", what, e->value,
		             date_strerror(&de));
}

static int reviewed_cmp(const void *a, const void *b)
{
	return date_cmp(&((const struct reviewed *)a)->date, &((const struct reviewed *)b)->date);
}

/* The `reviewed:` list: each item a mapping {date, approved_by, review, minute}, the
 * record of a re-adoption without change. The latest one gives the version its next
 * review date. */
static void read_reviewed(struct content *s, struct version *v, const struct file *f,
                          const struct yml *list)
{
	static const char *const keys[] = {"date", "approved_by", "review", "minute"};
	const struct yml *item, *e;
	struct date_error de;
	size_t k;

	v->reviewed = arena_alloc(s->arena, (list->count + 1) * sizeof *v->reviewed);
	if (v->reviewed == NULL)
		return;
	for (item = list->first; item; item = item->next) {
		struct reviewed *r = &v->reviewed[v->nreviewed];
		int bad = 0;
		memset(r, 0, sizeof *r);
		if (item->kind != YML_MAP) {
			content_diag(s, DIAG_ERROR, f->path, item->line,
			             "each item of reviewed is {date: YYYY-MM-DD, approved_by: WHO, "
			             "review: NEXT REVIEW, minute: REF}");
			continue;
		}
		for (e = item->first; e; e = e->next) {
			for (k = 0; k < sizeof keys / sizeof keys[0] && strcmp(keys[k], e->key); k++)
				;
			if (k == sizeof keys / sizeof keys[0]) {
				content_diag(s, DIAG_ERROR, f->path, e->key_line,
				             "reviewed: unknown field '%s' (known: date, approved_by, "
				             "review, minute)",
				             e->key);
				bad = 1;
			} else if (e->kind != YML_SCALAR ||
			           !utf8_valid_line(e->value, strlen(e->value)) ||
			           strlen(e->value) > CONTENT_MAX_SCALAR) {
				content_diag(s, DIAG_ERROR, f->path, e->line,
				             "reviewed: %s must be one line of text", e->key);
				bad = 1;
			}
		}
		if (bad)
			continue;
		if ((e = yml_get(item, "date")) == NULL) {
			content_diag(s, DIAG_ERROR, f->path, item->line,
			             "reviewed: missing date (of the meeting that re-adopted the "
			             "version), e.g. date: 2027-03-03");
			continue;
		}
		if (date_parse(&r->date, e->value, &de) < 0) {
			content_diag(s, DIAG_ERROR, f->path, e->line, "reviewed: date \"%s\": %s",
			             e->value, date_strerror(&de));
			continue;
		}
		if (date_cmp(&r->date, &v->date) <= 0) {
			content_diag(s, DIAG_ERROR, f->path, e->line,
			             "reviewed: date %s is not after the version date %s", e->value,
			             v->iso);
			continue;
		}
		snprintf(r->iso, sizeof r->iso, "%04d-%02d-%02d", r->date.y, r->date.m, r->date.d);
		if ((e = yml_get(item, "approved_by")) == NULL || e->value[0] == '\0') {
			content_diag(s, DIAG_ERROR, f->path, item->line,
			             "reviewed: missing approved_by (who re-adopted the version)");
			continue;
		}
		r->approved_by = arena_strdup(s->arena, e->value);
		if ((e = yml_get(item, "review")) == NULL) {
			content_diag(s, DIAG_ERROR, f->path, item->line,
			             "reviewed: missing review (the next review date it sets)");
			continue;
		}
		if (review_parse(&r->review, e->value, &de) < 0) {
			content_diag(s, DIAG_ERROR, f->path, e->line, "reviewed: review date \"%s\": %s",
			             e->value, date_strerror(&de));
			continue;
		}
		if (date_cmp(&r->review.due, &r->date) < 0) {
			content_diag(s, DIAG_ERROR, f->path, e->line,
			             "reviewed: review date \"%s\" is before the meeting date %s",
			             e->value, r->iso);
			continue;
		}
		r->review_written = arena_strdup(s->arena, e->value);
		if ((e = yml_get(item, "minute")) != NULL)
			r->minute = arena_strdup(s->arena, e->value);
		v->nreviewed++;
	}
	qsort(v->reviewed, v->nreviewed, sizeof *v->reviewed, reviewed_cmp);
	for (k = 1; k < v->nreviewed; k++)
		if (date_cmp(&v->reviewed[k].date, &v->reviewed[k - 1].date) == 0)
			content_diag(s, DIAG_ERROR, f->path, list->line,
			             "reviewed: two re-adoptions dated %s", v->reviewed[k].iso);
	if (v->nreviewed) {
		v->review = v->reviewed[v->nreviewed - 1].review;
		v->review_written = v->reviewed[v->nreviewed - 1].review_written;
	}
}

/* Fills in a version from its default-language file. */
static void read_version(struct content *s, struct version *v, const struct file *f)
{
	const struct yml *e, *item;
	struct date_error de;
	size_t i;

	v->effective = v->date;
	if ((e = yml_get(f->fm, "review")) == NULL) {
		content_diag(s, DIAG_ERROR, f->path, 1,
		             "missing review: the next review date, e.g. review: Spring 2027");
	} else if (e->kind == YML_SCALAR) {
		v->review_written = arena_strdup(s->arena, e->value);
		if (review_parse(&v->review, e->value, &de) < 0)
			content_diag(s, DIAG_ERROR, f->path, e->line, "review date \"%s\": %s",
			             e->value, date_strerror(&de));
		else if (date_cmp(&v->review.due, &v->date) < 0)
			content_diag(s, DIAG_ERROR, f->path, e->line,
			             "review date \"%s\" is before the version date %s", e->value,
			             v->iso);
	}
	v->approved_by = scalar(s, f->fm, F_APPROVED_BY);
	v->owner = scalar(s, f->fm, F_OWNER);
	v->review_frequency = scalar(s, f->fm, F_REVIEW_FREQUENCY);
	if ((e = yml_get(f->fm, "effective")) && e->kind == YML_SCALAR) {
		parse_dated(s, f, e, "effective date", &v->effective);
		if (date_cmp(&v->effective, &v->date) < 0)
			content_diag(s, DIAG_ERROR, f->path, e->line,
			             "effective date %s is before the version date %s", e->value,
			             v->iso);
	}
	if ((e = yml_get(f->fm, "resign")) && e->kind == YML_SCALAR) {
		if (strcmp(e->value, "true") == 0)
			v->resign = 1;
		else if (strcmp(e->value, "false") != 0)
			content_diag(s, DIAG_ERROR, f->path, e->line,
			             "resign must be true or false");
	}
	v->minute = scalar(s, f->fm, F_MINUTE);
	if ((e = yml_get(f->fm, "approved_on")) && e->kind == YML_SCALAR) {
		parse_dated(s, f, e, "approved_on (the date of the approving meeting)",
		            &v->approved_on);
		if (v->approved_on.y && date_cmp(&v->approved_on, &v->effective) > 0)
			content_diag(s, DIAG_ERROR, f->path, e->line,
			             "approved_on %s is after the date the version takes effect, "
			             "%04d-%02d-%02d",
			             e->value, v->effective.y, v->effective.m, v->effective.d);
	}
	if ((e = yml_get(f->fm, "reviewed")) && e->kind == YML_SEQ)
		read_reviewed(s, v, f, e);
	if ((e = yml_get(f->fm, "audience")) && e->kind == YML_SEQ) {
		v->audience = arena_alloc(s->arena, (e->count + 1) * sizeof *v->audience);
		for (i = 0, item = e->first; v->audience && item; item = item->next)
			v->audience[i++] = arena_strdup(s->arena, item->value);
		v->naudience = v->audience ? i : 0;
	}
}

static struct text *read_text(struct content *s, const struct file *f)
{
	struct text *t = arena_alloc(s->arena, sizeof *t);

	if (t) {
		t->path = f->path;
		t->lang = s->langs[f->li];
		t->title = scalar(s, f->fm, F_TITLE);
		t->summary = scalar(s, f->fm, F_SUMMARY);
		t->declaration = scalar(s, f->fm, F_DECLARATION);
		t->changes = scalar(s, f->fm, F_CHANGES);
		t->body_line = f->body_line;
		t->size = (long long)f->st.st_size;
		t->mtime_s = (long long)f->st.st_mtim.tv_sec;
		t->mtime_ns = (long long)f->st.st_mtim.tv_nsec;
		t->ino = (long long)f->st.st_ino;
		if (t->title == NULL)
			t->title = "";
	}
	return t;
}

/* A translation may write the review date in its own language ("Medi 2027" for
 * "September 2027"); it must fall due on the same day. */
static void check_same_review(struct content *s, const struct file *def, const struct yml *d,
                              const struct file *f, const struct yml *e)
{
	struct review a, b;
	struct date_error de;
	struct buf da = BUF_INIT, db = BUF_INIT;

	if (review_parse(&a, d->value, NULL) < 0)
		return; /* reported against the default-language file */
	if (review_parse(&b, e->value, &de) < 0) {
		content_diag(s, DIAG_ERROR, f->path, e->line, "review date \"%s\": %s", e->value,
		             date_strerror(&de));
		return;
	}
	if (date_cmp(&a.due, &b.due) == 0)
		return;
	date_format(&da, &a.due, "en");
	date_format(&db, &b.due, "en");
	content_diag(s, DIAG_ERROR, f->path, e->line,
	             "review \"%s\" (due %s) disagrees with \"%s\" (due %s) in %s line %d; "
	             "write the same date in both languages, or leave review out of the "
	             "translation%s",
	             e->value, buf_str(&db), d->value, buf_str(&da), def->path, d->line,
	             b.kind == REVIEW_TERM && b.term == REVIEW_AUTUMN && a.kind == REVIEW_MONTH
	                 ? " (\"Hydref\" alone is the autumn term; the month is \"mis Hydref\")"
	                 : "");
	buf_free(&da);
	buf_free(&db);
}

/* A translation may repeat a shared field only unchanged, and translates the
 * declaration exactly when the default language has one. */
static void check_translation(struct content *s, const struct file *def, const struct file *f)
{
	const struct yml *e, *d;

	for (e = f->fm->first; e; e = e->next) {
		int fi = field_index(e->key);
		if (fi < 0 || !fields[fi].shared)
			continue;
		if ((d = yml_get(def->fm, e->key)) == NULL)
			content_diag(s, DIAG_ERROR, f->path, e->key_line,
			             "%s is given here but not in %s; language-independent fields "
			             "belong in the %s file",
			             e->key, def->path, s->langs[0]);
		else if (fi == F_REVIEW && d->kind == YML_SCALAR && e->kind == YML_SCALAR)
			check_same_review(s, def, d, f, e);
		else if (!yml_equal(d, e))
			content_diag(
			    s, DIAG_ERROR, f->path, e->key_line,
			    "%s disagrees with %s line %d; language-independent fields must "
			    "agree (or be left out of the translation)",
			    e->key, def->path, d->key_line);
	}
	if (yml_get(def->fm, "declaration") && !yml_get(f->fm, "declaration"))
		content_diag(s, DIAG_ERROR, f->path, 1,
		             "missing declaration: %s has one, so parents signing in %s need it "
		             "translated",
		             def->path, s->langs[f->li]);
	if (!yml_get(def->fm, "declaration") && (e = yml_get(f->fm, "declaration")))
		content_diag(s, DIAG_ERROR, f->path, e->key_line,
		             "declaration is given here but not in %s", def->path);
	if (yml_get(def->fm, "summary") && !yml_get(f->fm, "summary"))
		content_diag(s, DIAG_WARNING, f->path, 1, "summary is not translated");
}

static int file_cmp(const void *a, const void *b)
{
	const struct file *x = a, *y = b;
	int c = date_cmp(&x->date, &y->date);

	return c ? c : x->li - y->li;
}

static int date_qcmp(const void *a, const void *b)
{
	return date_cmp(a, b);
}

struct listed {
	char *name;
	unsigned char type; /* readdir's d_type: DT_REG, DT_DIR, ... or DT_UNKNOWN */
};

static int listed_cmp(const void *a, const void *b)
{
	return strcmp(((const struct listed *)a)->name, ((const struct listed *)b)->name);
}

/* The names in folder dir that do not start with '.', sorted bytewise, in arena a, and
 * when types is not NULL their kinds as readdir gave them ((*types)[i] for names[i]).
 * Leaves the folder open as *dp (closedir it) when dp is not NULL. Returns the count, or
 * -1. */
static int list_dir(const char *dir, struct arena *a, char ***names, unsigned char **types,
                    DIR **dp)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0, cap = 64, i;
	struct listed *v;

	if (d == NULL)
		return -1;
	if ((v = malloc(cap * sizeof *v)) == NULL)
		goto fail;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			struct listed *w = realloc(v, (cap *= 2) * sizeof *v);
			if (w == NULL)
				goto fail;
			v = w;
		}
		v[n].type = e->d_type;
		if ((v[n++].name = arena_strdup(a, e->d_name)) == NULL)
			goto fail;
	}
	qsort(v, n, sizeof *v, listed_cmp);
	if ((*names = arena_alloc(a, (n + 1) * sizeof **names)) == NULL ||
	    (types && (*types = arena_alloc(a, n + 1)) == NULL))
		goto fail;
	for (i = 0; i < n; i++) {
		(*names)[i] = v[i].name;
		if (types)
			(*types)[i] = v[i].type;
	}
	free(v);
	if (dp)
		*dp = d;
	else
		closedir(d);
	return (int)n;
fail:
	free(v);
	closedir(d);
	return -1;
}

static void load_previous(struct content *s, struct policy *p, const struct file *files,
                          size_t nfiles)
{
	const struct yml *e, *item;
	size_t i, n = 0;

	for (i = 0; i < nfiles; i++)
		if (!files[i].bad && files[i].li == 0 && (e = yml_get(files[i].fm, "previous")))
			n += e->count;
	if (n == 0 || (p->previous = arena_alloc(s->arena, n * sizeof *p->previous)) == NULL)
		return;
	for (i = 0; i < nfiles; i++) {
		if (files[i].bad || files[i].li != 0 ||
		    (e = yml_get(files[i].fm, "previous")) == NULL ||
		    e->kind != YML_SEQ)
			continue;
		for (item = e->first; item; item = item->next) {
			struct date d = {0, 0, 0};
			size_t k;
			if (item->kind != YML_SCALAR)
				continue;
			parse_dated(s, &files[i], item, "previous version", &d);
			if (d.y == 0)
				continue;
			if (p->nversions && date_cmp(&d, &p->versions[0].date) >= 0) {
				content_diag(
				    s, DIAG_ERROR, files[i].path, item->line,
				    "previous version %s is not older than the first version "
				    "with text, %s",
				    item->value, p->versions[0].iso);
				continue;
			}
			for (k = 0; k < p->nprevious && date_cmp(&p->previous[k], &d) != 0; k++)
				;
			if (k == p->nprevious)
				p->previous[p->nprevious++] = d;
		}
	}
	qsort(p->previous, p->nprevious, sizeof *p->previous, date_qcmp);
}

static void check_status(struct content *s, struct policy *p)
{
	const struct version *cur = content_policy_current(p), *latest;
	const char *path;
	long days;
	size_t li;

	if (cur == NULL || cur->text[0] == NULL)
		return;
	path = cur->text[0]->path;
	check_terms(s, cur);
	for (li = 1; li < s->nlangs; li++) {
		if (cur->text[li])
			continue;
		latest = content_policy_latest_in(p, cur, li);
		if (latest)
			content_diag(s, DIAG_WARNING, path, 0,
			             "%s translation is out of date: the latest is %s, the current "
			             "version is %s",
			             s->langs[li], latest->iso, cur->iso);
		else
			content_diag(s, DIAG_WARNING, path, 0,
			             "no %s translation; the %s page shows the %s text",
			             s->langs[li], s->langs[li], s->langs[0]);
	}
	if (cur->review_written == NULL)
		return;
	switch (review_status(&cur->review, &s->today, REVIEW_WARN_DAYS, &days)) {
	case REVIEW_OVERDUE:
		content_diag(s, DIAG_WARNING, path, 0,
		             "review overdue: was due by %s (%ld days ago)", cur->review_written,
		             -days);
		break;
	case REVIEW_DUE_SOON:
		content_diag(s, DIAG_WARNING, path, 0, "review due by %s (in %ld days)",
		             cur->review_written, days);
		break;
	default:
		break;
	}
}

static int valid_slug(const char *slug)
{
	const char *p;

	for (p = slug; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
	return p != slug && slug[0] != '-' && p - slug <= 100;
}

/* dir + "/" + name in a, as arena_printf("%s/%s") would make it, without printf: every
 * file and folder of the content goes through here. */
static char *join(struct arena *a, const char *dir, const char *name)
{
	size_t n = strlen(dir), m = strlen(name);
	char *p = arena_alloc(a, n + m + 2);

	if (p) {
		memcpy(p, dir, n);
		p[n] = '/';
		memcpy(p + n + 1, name, m + 1);
	}
	return p;
}

/* Loads the policy in folder p->dir, whose status is *dst (taken before it is listed). */
static void load_policy(struct content *s, struct policy *p, const struct stat *dst)
{
	char **names;
	unsigned char *types = NULL;
	struct file *files;
	size_t nfiles = 0, i, j, cached;
	DIR *d = NULL;
	int n, k;

	arena_reset(s->scratch);
	if (s->cache && dst->st_ino &&
	    (names = fmcache_dir_get(s->cache, s->scratch, p->dir, dst, &cached)) != NULL) {
		n = (int)cached; /* the folder is as it was: its list is known */
	} else if ((n = list_dir(p->dir, s->scratch, &names, &types, &d)) < 0) {
		content_diag(s, DIAG_ERROR, p->dir, 0, "cannot read folder: %s", strerror(errno));
		return;
	} else if (s->cache && dst->st_ino) {
		fmcache_dir_put(s->cache, p->dir, dst, names, (size_t)n);
	}
	files = arena_alloc(s->scratch, ((size_t)n + 1) * sizeof *files);
	for (k = 0; k < n && files; k++) {
		struct file *f = &files[nfiles];
		f->path = join(s->arena, p->dir, names[k]);
		if (parse_file_name(s, names[k], &f->date, &f->li, f->path) < 0)
			continue;
		f->bad = load_file(s, f, d ? dirfd(d) : AT_FDCWD, d ? names[k] : f->path,
		                   d ? types[k] : DT_UNKNOWN) < 0 ||
		         check_fields(s, f) > 0;
		nfiles++;
	}
	if (d)
		closedir(d);
	if (nfiles == 0) {
		content_diag(s, DIAG_WARNING, p->dir, 0, "no policy files in this folder");
		return;
	}
	qsort(files, nfiles, sizeof *files, file_cmp);
	/* One version per date, not per file: at 10,000 policies the difference is MiB. */
	for (i = 0, n = 0; i < nfiles; i++)
		n += i == 0 || date_cmp(&files[i].date, &files[i - 1].date) != 0;
	p->versions = arena_alloc(s->arena, (size_t)n * sizeof *p->versions);
	if (p->versions == NULL)
		return;
	for (i = 0; i < nfiles; i = j) {
		struct version *v = &p->versions[p->nversions];
		const struct file *def = files[i].li == 0 ? &files[i] : NULL;
		for (j = i; j < nfiles && date_cmp(&files[j].date, &files[i].date) == 0; j++)
			;
		if (def && def->bad)
			continue; /* its problems are reported; its translations cannot be checked */
		if (def == NULL) {
			content_diag(s, DIAG_ERROR, files[i].path, 0,
			             "no %s file for this version: write %s/%.10s.%s.md first",
			             s->langs[0], p->dir, files[i].path + strlen(p->dir) + 1,
			             s->langs[0]);
			continue;
		}
		v->date = def->date;
		v->policy = p;
		snprintf(v->iso, sizeof v->iso, "%04d-%02d-%02d", v->date.y, v->date.m, v->date.d);
		read_version(s, v, def);
		for (; i < j; i++) {
			if (files[i].bad)
				continue;
			if (i > (size_t)(def - files))
				check_translation(s, def, &files[i]);
			v->text[files[i].li] = read_text(s, &files[i]);
		}
		v->published = date_cmp(&v->effective, &s->today) <= 0;
		p->nversions++;
	}
	load_previous(s, p, files, nfiles);
	check_status(s, p);
}

/* Reports anything under dir that is not an ordinary file or folder: the parts of the
 * content that the loaders below do not read themselves (consent.yaml, demo/, anything
 * else a school keeps there), so a link or a special file anywhere in content/ is an
 * error. Names starting with '.' are skipped, as everywhere. Bounded in depth. */
static void check_tree(struct content *s, const char *dir, int depth)
{
	DIR *d;
	struct dirent *e;

	if (depth > 8 || (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		const char *path;
		if (e->d_name[0] == '.' ||
		    (depth == 0 && (strcmp(e->d_name, "policies") == 0 ||
		                    strcmp(e->d_name, "i18n") == 0 ||
		                    strcmp(e->d_name, "site.yaml") == 0)))
			continue; /* checked as they are loaded */
		path = arena_printf(s->arena, "%s/%s", dir, e->d_name);
		if (path == NULL || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			check_tree(s, path, depth + 1);
		else if (!S_ISREG(st.st_mode))
			content_diag(s, DIAG_ERROR, path, 0,
			             "is %s, not an ordinary file; only ordinary files and folders "
			             "belong in the content folder: %s",
			             buf_file_kind(st.st_mode),
			             S_ISLNK(st.st_mode) ? "put the file itself here" : "remove it");
	}
	closedir(d);
}

/* Points every version of the policies from i on at its policy again (after they moved). */
static void repoint(struct content *s, size_t i)
{
	size_t k;

	for (; i < s->npolicies; i++)
		for (k = 0; k < s->policies[i].nversions; k++)
			s->policies[i].versions[k].policy = &s->policies[i];
}

/* Loads the policy folders names[from..to) of dir, open as dfd, into s->policies from
 * s->npolicies on. */
static void load_range(struct content *s, const char *dir, int dfd, char **names, int from,
                       int to)
{
	struct stat dst;
	int k;

	for (k = from; k < to; k++) {
		struct policy *p = &s->policies[s->npolicies];
		const char *path = join(s->arena, dir, names[k]);
		if (path == NULL)
			break;
		if (!real_folder_at(s, dfd, names[k], path, &dst))
			continue;
		if (!valid_slug(names[k])) {
			content_diag(s, DIAG_ERROR, path, 0,
				     "a policy folder name uses only a-z, 0-9 and '-' (it becomes "
				     "the address of the policy)");
			continue;
		}
		p->slug = names[k];
		p->dir = path;
		load_policy(s, p, &dst);
		if (p->nversions)
			s->npolicies++;
	}
}

size_t content_jobs(size_t max)
{
	const char *jobs = getenv("POLICYGEN_JOBS");
	long n = jobs && *jobs ? strtol(jobs, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (size_t)n > max ? max : (size_t)n;
}

/* Every page waits for the load, which reads and parses each policy file: a big site's
 * folders are loaded by several threads, one per core, each taking the next run of this
 * many folders that no thread has taken, so that a thread slowed by a busy core takes
 * fewer. */
#define LOAD_RUN 64

/* What one run of folders gave, kept apart until every run is loaded and then put
 * together in order, so that the content is as one thread would have loaded it. */
struct run {
	struct diag *diags, **tail;
	size_t nerrors, nwarnings, npolicies;
};

/* The folders names[0..n) of dir (open as dfd), in runs; policies is where they go, run
 * r's from policies[r * LOAD_RUN] on, and caches[r] the branch of the cache it puts in. */
struct load {
	const char *dir;
	int dfd, n;
	char **names;
	struct policy *policies;
	struct run *runs;
	struct fmcache **caches;
	size_t nruns;
	atomic_size_t next; /* the next run no thread has taken */
};

/* One loading thread: c is a copy of the content with memory of its own. */
struct loader {
	struct content c;
	struct load *l;
	pthread_t thread;
	int started;
};

/* Loads runs into c until none is left. */
static void take_runs(struct content *c, struct load *l)
{
	size_t r;

	while ((r = atomic_fetch_add(&l->next, 1)) < l->nruns) {
		struct run *run = &l->runs[r];
		int from = (int)(r * LOAD_RUN), to = from + LOAD_RUN < l->n ? from + LOAD_RUN : l->n;
		c->diags = NULL;
		c->diags_tail = &run->diags;
		c->nerrors = c->nwarnings = c->npolicies = 0;
		c->policies = l->policies + from;
		c->cache = l->caches[r];
		load_range(c, l->dir, l->dfd, l->names, from, to);
		run->tail = c->diags_tail;
		run->nerrors = c->nerrors;
		run->nwarnings = c->nwarnings;
		run->npolicies = c->npolicies;
	}
}

static void *loader_main(void *arg)
{
	struct loader *t = arg;

	take_runs(&t->c, t->l);
	return NULL;
}

/* Puts the runs together in s, in order. */
static void join_runs(struct content *s, struct load *l)
{
	size_t r;

	for (r = 0; r < l->nruns; r++) {
		const struct run *run = &l->runs[r];
		size_t was = s->npolicies;
		memmove(s->policies + was, l->policies + r * LOAD_RUN,
		        run->npolicies * sizeof *s->policies);
		s->npolicies += run->npolicies;
		repoint(s, was);
		if (run->diags) {
			*s->diags_tail = run->diags;
			s->diags_tail = run->tail;
		}
		s->nerrors += run->nerrors;
		s->nwarnings += run->nwarnings;
	}
	if (s->cache)
		fmcache_merge(s->cache, l->caches, l->nruns);
}

/* Loads the policy folders names[0..n) of dir, open as dfd, in threads when there are
 * many. */
static void load_shared(struct content *s, const char *dir, int dfd, char **names, int n)
{
	struct loader t[CONTENT_MAX_THREADS];
	struct load l = {dir, dfd, n, names, s->policies, NULL, NULL, 0, 0};
	size_t want = content_jobs(CONTENT_MAX_THREADS), nt = 1, r, k;
	struct content mine = *s;

	l.nruns = ((size_t)n + LOAD_RUN - 1) / LOAD_RUN;
	if (want < 2 || l.nruns < 2 || (l.runs = calloc(l.nruns, sizeof *l.runs)) == NULL ||
	    (l.caches = calloc(l.nruns, sizeof *l.caches)) == NULL) {
		free(l.runs);
		load_range(s, dir, dfd, names, 0, n);
		return;
	}
	/* Each run puts into a branch of its own: the cache must not change meanwhile. */
	for (r = 0; r < l.nruns && s->cache; r++)
		if ((l.caches[r] = fmcache_branch(s->cache)) == NULL)
			l.nruns = r; /* out of memory: the rest loaded after, here */
	for (; nt < want && nt < l.nruns; nt++) {
		t[nt].c = *s;
		t[nt].l = &l;
		t[nt].c.arena = arena_new();
		t[nt].c.scratch = arena_new();
		if (t[nt].c.arena == NULL || t[nt].c.scratch == NULL) {
			arena_free(t[nt].c.arena);
			arena_free(t[nt].c.scratch);
			break;
		}
		t[nt].started = pthread_create(&t[nt].thread, NULL, loader_main, &t[nt]) == 0;
	}
	take_runs(&mine, &l);
	for (k = 1; k < nt; k++) {
		if (t[k].started)
			pthread_join(t[k].thread, NULL);
		else
			take_runs(&t[k].c, &l); /* no thread: none left, or loaded here */
		arena_free(t[k].c.scratch);
		s->more[k - 1] = t[k].c.arena;
	}
	join_runs(s, &l);
	free(l.runs);
	free(l.caches);
	load_range(s, dir, dfd, names, (int)(l.nruns * LOAD_RUN) < n ? (int)(l.nruns * LOAD_RUN) : n,
	           n);
}

static void load_policies(struct content *s)
{
	const char *dir = arena_printf(s->arena, "%s/policies", s->dir);
	char **names;
	DIR *d;
	int n;

	if (!real_folder(s, dir))
		return;
	if ((n = list_dir(dir, s->arena, &names, NULL, &d)) < 0) {
		content_diag(s, DIAG_ERROR, dir, 0, "cannot read folder: %s", strerror(errno));
		return;
	}
	s->policies = arena_alloc(s->arena, ((size_t)n + 1) * sizeof *s->policies);
	if (s->policies)
		load_shared(s, dir, dirfd(d), names, n);
	closedir(d);
}

struct content *content_load(const char *dir, const struct date *today)
{
	return content_load_cached(dir, today, NULL);
}

struct content *content_load_cached(const char *dir, const struct date *today,
                                    struct fmcache *cache)
{
	struct arena *a = arena_new();
	struct content *s;
	size_t i;
	int ok = 1;

	if (a == NULL || (s = arena_alloc(a, sizeof *s)) == NULL) {
		arena_free(a);
		return NULL;
	}
	s->arena = a;
	if ((s->scratch = arena_new()) == NULL) {
		arena_free(a);
		return NULL;
	}
	s->dir = arena_strdup(a, dir);
	s->today = *today;
	s->diags_tail = &s->diags;
	s->cache = cache;
	load_settings(s);
	load_policies(s);
	check_tree(s, s->dir, 0);
	arena_free(s->scratch);
	s->scratch = NULL;
	for (i = 0; i < CONTENT_MAX_THREADS - 1; i++)
		ok = ok && (s->more[i] == NULL || arena_ok(s->more[i]));
	if (!ok || !arena_ok(a)) {
		content_free(s);
		return NULL;
	}
	return s;
}

void content_free(struct content *s)
{
	size_t i;

	if (s) {
		settings_free(s->settings);
		for (i = 0; i < CONTENT_MAX_THREADS - 1; i++)
			arena_free(s->more[i]);
		arena_free(s->arena);
	}
}

int content_body(const struct text *t, struct buf *out)
{
	size_t was = out->len, off, n;
	const char *p;
	char why[256];
	int line;

	/* Read straight into out, where the body then moves to the front. */
	if (buf_read_known(t->path, t->size > 0 ? (size_t)t->size : 0, CONTENT_MAX_FILE, out, why,
	                   sizeof why) < 0) {
		int saved = errno;
		out->len = was;
		if (out->data)
			out->data[was] = '\0';
		errno = saved;
		return -1;
	}
	for (p = out->data + was, line = 1; line < t->body_line && p; line++)
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	/* The body ends at the file's end, or at a NUL byte as a C string does. */
	off = p ? (size_t)(p - (out->data + was)) : 0;
	n = p ? strlen(p) : 0;
	memmove(out->data + was, out->data + was + off, n);
	out->len = was + n;
	out->data[out->len] = '\0';
	return buf_ok(out) ? 0 : -1;
}

const struct version *content_policy_current(const struct policy *p)
{
	size_t i = p->nversions;

	while (i-- > 0)
		if (p->versions[i].published)
			return &p->versions[i];
	return NULL;
}

const struct text *content_version_text(const struct version *v, size_t li)
{
	return li < CONTENT_MAX_LANGS ? v->text[li] : NULL;
}

const struct version *content_policy_latest_in(const struct policy *p, const struct version *v,
                                               size_t li)
{
	const struct version *w;

	for (w = v; w >= p->versions; w--)
		if (w->published && w->text[li])
			return w;
	return NULL;
}

static int policy_slug_cmp(const void *key, const void *p)
{
	return strcmp(key, ((const struct policy *)p)->slug);
}

int content_reload_policy(struct content *s, const char *slug, struct diag **diags,
                          size_t *nerrors, struct policy **loaded)
{
	struct diag *keep = s->diags, **keep_tail = s->diags_tail;
	size_t keep_errors = s->nerrors, keep_warnings = s->nwarnings, at, n = s->npolicies;
	struct fmcache *keep_cache = s->cache;
	struct policy np, *old, *grown;
	struct stat dst;
	const char *path;
	int rc = 0;

	*loaded = NULL;
	if ((s->scratch = arena_new()) == NULL)
		return -1;
	s->diags = NULL;
	s->diags_tail = &s->diags;
	s->nerrors = s->nwarnings = 0;
	s->cache = NULL; /* the file changed: the cache cannot have it */
	memset(&np, 0, sizeof np);
	path = join(s->arena, arena_printf(s->arena, "%s/policies", s->dir), slug);
	if (path && real_folder_st(s, path, &dst) && dst.st_ino) {
		if (!valid_slug(slug)) {
			content_diag(s, DIAG_ERROR, path, 0,
			             "a policy folder name uses only a-z, 0-9 and '-' (it becomes "
			             "the address of the policy)");
		} else {
			np.slug = arena_strdup(s->arena, slug);
			np.dir = path;
			load_policy(s, &np, &dst);
		}
	}
	old = bsearch(slug, s->policies, n, sizeof *s->policies, policy_slug_cmp);
	if (np.nversions && old) { /* replaced */
		*old = np;
		repoint(s, (size_t)(old - s->policies));
		*loaded = old;
	} else if (np.nversions) { /* a new policy, in slug order */
		if ((grown = arena_alloc(s->arena, (n + 2) * sizeof *grown)) == NULL) {
			rc = -1;
		} else {
			for (at = 0; at < n && strcmp(s->policies[at].slug, slug) < 0; at++)
				;
			if (at)
				memcpy(grown, s->policies, at * sizeof *grown);
			grown[at] = np;
			if (n > at)
				memcpy(grown + at + 1, s->policies + at, (n - at) * sizeof *grown);
			s->policies = grown;
			s->npolicies = n + 1;
			repoint(s, 0);
			*loaded = &s->policies[at];
		}
	} else if (old) { /* gone, or none of its versions can be read */
		at = (size_t)(old - s->policies);
		memmove(old, old + 1, (n - at - 1) * sizeof *old);
		s->npolicies = n - 1;
		repoint(s, at);
	}
	if (!arena_ok(s->arena) || !arena_ok(s->scratch))
		rc = -1;
	arena_free(s->scratch);
	s->scratch = NULL;
	*diags = s->diags;
	*nerrors = s->nerrors;
	s->diags = keep;
	s->diags_tail = keep_tail;
	s->nerrors = keep_errors;
	s->nwarnings = keep_warnings;
	s->cache = keep_cache;
	return rc;
}
