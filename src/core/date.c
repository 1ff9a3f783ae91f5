#include "date.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Languages with their own names; index 0 is the fallback. */
enum lang { LANG_EN, LANG_CY, LANG__MAX };

static const char *const month_names[LANG__MAX][12] = {
    [LANG_EN] = {"January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December"},
    [LANG_CY] = {"Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst",
                 "Medi", "Hydref", "Tachwedd", "Rhagfyr"},
};

static const char *const term_names[LANG__MAX][REVIEW_TERM__MAX] = {
    [LANG_EN] =
        {[REVIEW_SPRING] = "Spring", [REVIEW_SUMMER] = "Summer", [REVIEW_AUTUMN] = "Autumn"},
    [LANG_CY] = {[REVIEW_SPRING] = "Gwanwyn", [REVIEW_SUMMER] = "Haf", [REVIEW_AUTUMN] = "Hydref"},
};

/* The last day of each term. */
static const struct {
	int m, d;
} term_ends[REVIEW_TERM__MAX] = {
    [REVIEW_SPRING] = {4, 30},
    [REVIEW_SUMMER] = {7, 31},
    [REVIEW_AUTUMN] = {12, 31},
};

static const char *const status_names[REVIEW_STATUS__MAX] = {
    [REVIEW_OK] = "ok",
    [REVIEW_DUE_SOON] = "due-soon",
    [REVIEW_OVERDUE] = "overdue",
};

/* Month names as schools abbreviate them, each with its month; matched ignoring case and
 * one final '.'. The full names of month_names are accepted too. */
static const struct {
	const char *name;
	int m;
} month_abbrevs[] = {
    {"Jan", 1}, {"Feb", 2},  {"Mar", 3},  {"Apr", 4},   {"Jun", 6},  {"Jul", 7},   {"Aug", 8},
    {"Sep", 9}, {"Sept", 9}, {"Oct", 10}, {"Nov", 11},  {"Dec", 12}, {"Ion", 1},   {"Chwef", 2},
    {"Maw", 3}, {"Ebr", 4},  {"Meh", 6},  {"Gorff", 7}, {"Hyd", 10}, {"Tach", 11}, {"Rhag", 12},
};

/* Term names in the forms read beside those of term_names: English "<Term> term", Welsh
 * "Tymor y Gwanwyn", "Tymor yr Haf", "Tymor yr Hydref". */
static const char *const term_long_names[LANG__MAX][REVIEW_TERM__MAX] = {
    [LANG_EN] = {[REVIEW_SPRING] = "Spring term",
                 [REVIEW_SUMMER] = "Summer term",
                 [REVIEW_AUTUMN] = "Autumn term"},
    [LANG_CY] = {[REVIEW_SPRING] = "Tymor y Gwanwyn",
                 [REVIEW_SUMMER] = "Tymor yr Haf",
                 [REVIEW_AUTUMN] = "Tymor yr Hydref"},
};

static const char syntax_date[] = "not YYYY-MM-DD";
static const char syntax_review[] =
    "not a date this understands; write a date (2027-09-01 or 1 September 2027), a month "
    "(September 2027, Sept 2027, Medi 2027 or 2027-09) or a term (Spring 2027, Summer term "
    "2027, Gwanwyn 2027 or Tymor yr Haf 2027)";

/* Longest review value the parser reads, in bytes, and most words in it. */
#define REVIEW_TEXT_MAX 48
#define REVIEW_WORDS_MAX 5

static enum lang lang_of(const char *code)
{
	return code != NULL && strcmp(code, "cy") == 0 ? LANG_CY : LANG_EN;
}

static void set_err(struct date_error *err, enum date_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(struct date_error *err, enum date_err code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof err->reason, fmt, ap);
	va_end(ap);
}

const char *date_strerror(const struct date_error *err)
{
	if (err == NULL || err->code == DATE_ERR_NONE)
		return "";
	return err->reason;
}

int date_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m < 1 || m > 12)
		return 0;
	return m == 2 && date_is_leap(y) ? 29 : days[m - 1];
}

int date_valid(const struct date *dt)
{
	return dt != NULL && dt->y >= DATE_YEAR_MIN && dt->y <= DATE_YEAR_MAX && dt->m >= 1 &&
	       dt->m <= 12 && dt->d >= 1 && dt->d <= date_days_in_month(dt->y, dt->m);
}

/* Reads exactly n ASCII digits (not locale digits, not signs or spaces) into *out. */
static int digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int check_year(int y, struct date_error *err)
{
	if (y >= DATE_YEAR_MIN && y <= DATE_YEAR_MAX)
		return 0;
	set_err(err, DATE_ERR_YEAR, "year %04d is outside %d to %d", y, DATE_YEAR_MIN,
	        DATE_YEAR_MAX);
	return -1;
}

static int check_month(int m, struct date_error *err)
{
	if (m >= 1 && m <= 12)
		return 0;
	set_err(err, DATE_ERR_MONTH, "month %02d does not exist", m);
	return -1;
}

static int check_day(int y, int m, int d, struct date_error *err)
{
	int last = date_days_in_month(y, m);

	if (d >= 1 && d <= last)
		return 0;
	if (d == 0)
		set_err(err, DATE_ERR_DAY, "day 00 does not exist");
	else if (m == 2 && d == 29)
		set_err(err, DATE_ERR_LEAP, "%d is not a leap year", y);
	else if (m == 2)
		set_err(err, DATE_ERR_DAY, "February %d has %d days", y, last);
	else
		set_err(err, DATE_ERR_DAY, "%s has %d days", month_names[LANG_EN][m - 1], last);
	return -1;
}

/* Parses "YYYY-MM" (day_too 0) or "YYYY-MM-DD" (day_too 1) of exactly len bytes; a
 * syntax error gets the reason `syntax`. For "YYYY-MM" the day is left 0. */
static int parse_iso(struct date *out, const char *s, size_t len, int day_too, const char *syntax,
                     struct date_error *err)
{
	struct date dt = {0, 0, 0};

	if (s == NULL || len != (day_too ? 10u : 7u) || digits(s, 4, &dt.y) < 0 || s[4] != '-' ||
	    digits(s + 5, 2, &dt.m) < 0 ||
	    (day_too && (s[7] != '-' || digits(s + 8, 2, &dt.d) < 0))) {
		set_err(err, DATE_ERR_SYNTAX, "%s", syntax);
		return -1;
	}
	if (check_year(dt.y, err) < 0 || check_month(dt.m, err) < 0 ||
	    (day_too && check_day(dt.y, dt.m, dt.d, err) < 0))
		return -1;
	*out = dt;
	return 0;
}

int date_parsen(struct date *out, const char *s, size_t len, struct date_error *err)
{
	return parse_iso(out, s, len, 1, syntax_date, err);
}

int date_parse(struct date *out, const char *s, struct date_error *err)
{
	return date_parsen(out, s, s ? strlen(s) : 0, err);
}

int date_cmp(const struct date *a, const struct date *b)
{
	if (a->y != b->y)
		return a->y < b->y ? -1 : 1;
	if (a->m != b->m)
		return a->m < b->m ? -1 : 1;
	if (a->d != b->d)
		return a->d < b->d ? -1 : 1;
	return 0;
}

/* Days from 1970-01-01, counting in 400-year eras that start on 1 March so the leap day
 * is the last day of a year (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
 * Years here are positive, so the eras need no negative rounding. */
long date_to_days(const struct date *dt)
{
	long y, era, yoe, doy, doe;

	if (!date_valid(dt))
		return DATE_DAYS_INVALID;
	y = dt->y - (dt->m <= 2);
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (dt->m > 2 ? dt->m - 3 : dt->m + 9) + 2) / 5 + dt->d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int date_from_days(struct date *out, long days)
{
	static const struct date first = {DATE_YEAR_MIN, 1, 1}, last = {DATE_YEAR_MAX, 12, 31};
	long z, era, doe, yoe, doy, mp;
	struct date dt;

	if (days < date_to_days(&first) || days > date_to_days(&last))
		return -1;
	z = days + 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	dt.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	dt.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	dt.y = (int)(yoe + era * 400 + (dt.m <= 2));
	*out = dt;
	return 0;
}

int date_add_days(struct date *out, const struct date *in, long n)
{
	/* Wider than the whole supported range, so the sum below cannot overflow. */
	const long span = 4000000;
	long days = date_to_days(in);

	if (days == DATE_DAYS_INVALID || n < -span || n > span)
		return -1;
	return date_from_days(out, days + n);
}

int date_today(struct date *out)
{
	time_t now = time(NULL);
	struct tm tm;
	struct date dt;

	if (now == (time_t)-1 || gmtime_r(&now, &tm) == NULL)
		return -1;
	dt.y = tm.tm_year + 1900;
	dt.m = tm.tm_mon + 1;
	dt.d = tm.tm_mday;
	if (!date_valid(&dt))
		return -1;
	*out = dt;
	return 0;
}

const char *date_month_name(int m, const char *lang)
{
	if (m < 1 || m > 12)
		return NULL;
	return month_names[lang_of(lang)][m - 1];
}

/* Appends n (0 or more) in decimal, as "%d" prints it: every page formats a dozen dates,
 * and printf costs more than the date. */
static void put_num(struct buf *b, int n)
{
	char d[16];
	size_t i = sizeof d;

	do {
		d[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0 && i > 0);
	buf_put(b, d + i, sizeof d - i);
}

int date_format(struct buf *b, const struct date *dt, const char *lang)
{
	if (!date_valid(dt))
		return -1;
	put_num(b, dt->d);
	buf_putc(b, ' ');
	buf_puts(b, month_names[lang_of(lang)][dt->m - 1]);
	buf_putc(b, ' ');
	put_num(b, dt->y);
	return 0;
}

int date_format_iso(struct buf *b, const struct date *dt)
{
	if (!date_valid(dt))
		return -1;
	buf_printf(b, "%04d-%02d-%02d", dt->y, dt->m, dt->d);
	return 0;
}

int date_format_rfc3339(struct buf *b, const struct date *dt)
{
	if (!date_valid(dt))
		return -1;
	buf_printf(b, "%04d-%02d-%02dT00:00:00Z", dt->y, dt->m, dt->d);
	return 0;
}

const char *review_term_name(enum review_term t, const char *lang)
{
	if ((unsigned)t >= REVIEW_TERM__MAX)
		return NULL;
	return term_names[lang_of(lang)][t];
}

static int is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* ASCII only, so the result does not depend on the locale (think of Turkish 'I'). */
static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* 1 when the nlen bytes of name and the len bytes at s are the same, ignoring ASCII case. */
static int same_name_n(const char *name, size_t nlen, const char *s, size_t len)
{
	size_t i;

	if (nlen != len)
		return 0;
	for (i = 0; i < len; i++)
		if (lower(name[i]) != lower(s[i]))
			return 0;
	return 1;
}

/* A word of a review value: len bytes at p. */
struct word {
	const char *p;
	size_t len;
};

/* 1 when the words w[0..n) are the space-separated words of name, ignoring ASCII case. */
static int same_words(const char *name, const struct word *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t k = 0;
		while (name[k] != '\0' && name[k] != ' ')
			k++;
		if (k != w[i].len || !same_name_n(name, k, w[i].p, w[i].len))
			return 0;
		name += k;
		if (*name == ' ')
			name++;
		else if (i + 1 < n)
			return 0;
	}
	return *name == '\0';
}

/* The term named by the words in any language and any of its forms, or REVIEW_TERM__MAX. */
static enum review_term term_lookup(const struct word *w, size_t n)
{
	for (int l = 0; l < LANG__MAX; l++)
		for (int t = 0; t < REVIEW_TERM__MAX; t++) {
			if (same_words(term_names[l][t], w, n) ||
			    same_words(term_long_names[l][t], w, n))
				return (enum review_term)t;
		}
	/* "Tymor y Haf" and "Tymor yr Gwanwyn" are read too: the article is not the point. */
	if (n == 3 && same_name_n("tymor", 5, w[0].p, w[0].len) &&
	    (same_name_n("y", 1, w[1].p, w[1].len) || same_name_n("yr", 2, w[1].p, w[1].len)))
		return term_lookup(w + 2, 1);
	return REVIEW_TERM__MAX;
}

/* The month a word names (full name or abbreviation, English or Welsh, one final '.'
 * allowed), or 0. */
static int month_lookup(const struct word *w)
{
	size_t len = w->len;
	size_t i;

	if (len > 1 && w->p[len - 1] == '.')
		len--;
	for (int l = 0; l < LANG__MAX; l++)
		for (int m = 0; m < 12; m++)
			if (same_name_n(month_names[l][m], strlen(month_names[l][m]), w->p, len))
				return m + 1;
	for (i = 0; i < sizeof month_abbrevs / sizeof month_abbrevs[0]; i++)
		if (same_name_n(month_abbrevs[i].name, strlen(month_abbrevs[i].name), w->p, len))
			return month_abbrevs[i].m;
	return 0;
}

/* A day of the month written as 1 to 31, with or without "st", "nd", "rd", "th"; -1 if the
 * word is not one. */
static int day_of(const struct word *w)
{
	size_t n = 0;
	int d = 0;

	while (n < w->len && n < 2 && w->p[n] >= '0' && w->p[n] <= '9')
		d = d * 10 + (w->p[n++] - '0');
	if (n == 0)
		return -1;
	if (n == w->len)
		return d;
	if (w->len - n == 2 &&
	    (same_name_n("st", 2, w->p + n, 2) || same_name_n("nd", 2, w->p + n, 2) ||
	     same_name_n("rd", 2, w->p + n, 2) || same_name_n("th", 2, w->p + n, 2)))
		return d;
	return -1;
}

/* Words written as schools write them, the year last: "1 September 2027", "Sept 2027",
 * "mis Medi 2027", "Spring 2027", "Summer term 2027", "Tymor yr Haf 2027". A bare
 * "Hydref 2027" is the autumn term (as it always was here); "mis Hydref 2027" or
 * "Hyd 2027" is October. */
static int parse_words(struct review *out, const char *s, size_t len, struct date_error *err)
{
	struct word w[REVIEW_WORDS_MAX];
	size_t n = 0, i = 0;
	enum review_term t;
	struct date dt = {0, 0, 0};
	int m, d;

	if (len > REVIEW_TEXT_MAX)
		goto syntax;
	while (i < len) {
		size_t start = i;
		while (i < len && s[i] != ' ')
			i++;
		if (i == start || n == REVIEW_WORDS_MAX)
			goto syntax; /* a leading space, or too many words */
		w[n].p = s + start;
		w[n++].len = i - start;
		while (i < len && s[i] == ' ')
			i++;
		if (i == len && s[len - 1] == ' ')
			goto syntax; /* a trailing space */
	}
	if (n < 2 || w[n - 1].len != 4 || digits(w[n - 1].p, 4, &dt.y) < 0)
		goto syntax;
	for (i = 0; i + 1 < n; i++)
		for (size_t k = 0; k < w[i].len; k++)
			if (!is_alpha(w[i].p[k]) && !(w[i].p[k] >= '0' && w[i].p[k] <= '9') &&
			    w[i].p[k] != '.')
				goto syntax;
	n--; /* the year */
	if ((t = term_lookup(w, n)) != REVIEW_TERM__MAX) {
		if (check_year(dt.y, err) < 0)
			return -1;
		out->kind = REVIEW_TERM;
		out->term = t;
		out->due.y = dt.y;
		out->due.m = term_ends[t].m;
		out->due.d = term_ends[t].d;
		return 0;
	}
	if (n == 2 && same_name_n("mis", 3, w[0].p, w[0].len) && (m = month_lookup(&w[1])) > 0) {
		n = 1;
		w[0] = w[1];
	}
	if (n == 1 && (m = month_lookup(&w[0])) > 0) {
		if (check_year(dt.y, err) < 0)
			return -1;
		out->kind = REVIEW_MONTH;
		out->term = REVIEW_TERM__MAX;
		out->due.y = dt.y;
		out->due.m = m;
		out->due.d = date_days_in_month(dt.y, m);
		return 0;
	}
	if (n == 2 && (d = day_of(&w[0])) >= 0 && (m = month_lookup(&w[1])) > 0) {
		if (check_year(dt.y, err) < 0 || check_day(dt.y, m, d, err) < 0)
			return -1;
		out->kind = REVIEW_DAY;
		out->term = REVIEW_TERM__MAX;
		out->due.y = dt.y;
		out->due.m = m;
		out->due.d = d;
		return 0;
	}
syntax:
	set_err(err, DATE_ERR_SYNTAX, "%s", syntax_review);
	return -1;
}

int review_parsen(struct review *out, const char *s, size_t len, struct date_error *err)
{
	struct date dt;

	if (s == NULL || len == 0) {
		set_err(err, DATE_ERR_SYNTAX, "%s", syntax_review);
		return -1;
	}
	if (memchr(s, ' ', len) != NULL || s[0] < '0' || s[0] > '9')
		return parse_words(out, s, len, err);
	if (len == 7) {
		if (parse_iso(&dt, s, len, 0, syntax_review, err) < 0)
			return -1;
		out->kind = REVIEW_MONTH;
		dt.d = date_days_in_month(dt.y, dt.m);
	} else {
		if (parse_iso(&dt, s, len, 1, syntax_review, err) < 0)
			return -1;
		out->kind = REVIEW_DAY;
	}
	out->term = REVIEW_TERM__MAX;
	out->due = dt;
	return 0;
}

int review_parse(struct review *out, const char *s, struct date_error *err)
{
	return review_parsen(out, s, s ? strlen(s) : 0, err);
}

int review_format(struct buf *b, const struct review *r, const char *lang)
{
	enum lang l = lang_of(lang);

	if (r == NULL || !date_valid(&r->due))
		return -1;
	switch (r->kind) {
	case REVIEW_DAY:
		return date_format(b, &r->due, lang);
	case REVIEW_MONTH:
		buf_puts(b, month_names[l][r->due.m - 1]);
		buf_putc(b, ' ');
		put_num(b, r->due.y);
		return 0;
	case REVIEW_TERM:
		if ((unsigned)r->term >= REVIEW_TERM__MAX)
			return -1;
		buf_puts(b, term_long_names[l][r->term]);
		buf_putc(b, ' ');
		put_num(b, r->due.y);
		return 0;
	default:
		return -1;
	}
}

enum review_status review_status(const struct review *r, const struct date *today, int within,
                                 long *days)
{
	long due, now, left;

	if (days != NULL)
		*days = 0;
	if (r == NULL || (due = date_to_days(&r->due)) == DATE_DAYS_INVALID ||
	    (now = date_to_days(today)) == DATE_DAYS_INVALID)
		return REVIEW_STATUS__MAX;
	left = due - now;
	if (days != NULL)
		*days = left;
	if (left < 0)
		return REVIEW_OVERDUE;
	if (left <= (within > 0 ? within : 0))
		return REVIEW_DUE_SOON;
	return REVIEW_OK;
}

const char *review_status_name(enum review_status s)
{
	if ((unsigned)s >= REVIEW_STATUS__MAX)
		return NULL;
	return status_names[s];
}
