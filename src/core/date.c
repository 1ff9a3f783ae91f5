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

static const char syntax_date[] = "not YYYY-MM-DD";
static const char syntax_review[] = "not YYYY-MM-DD, YYYY-MM or a term such as \"Spring 2026\"";

/* Longest term name accepted by the parser, in bytes. */
#define TERM_NAME_MAX 16

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

int date_format(struct buf *b, const struct date *dt, const char *lang)
{
	if (!date_valid(dt))
		return -1;
	buf_printf(b, "%d %s %d", dt->d, month_names[lang_of(lang)][dt->m - 1], dt->y);
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

static int same_name(const char *name, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && name[i] != '\0'; i++)
		if (lower(name[i]) != lower(s[i]))
			return 0;
	return i == len && name[i] == '\0';
}

/* The term whose name in any language is the len bytes at s, ignoring ASCII case. */
static enum review_term term_lookup(const char *s, size_t len)
{
	for (int l = 0; l < LANG__MAX; l++)
		for (int t = 0; t < REVIEW_TERM__MAX; t++) {
			if (same_name(term_names[l][t], s, len))
				return (enum review_term)t;
		}
	return REVIEW_TERM__MAX;
}

/* "<name> <YYYY>" with one or more spaces between. */
static int parse_term(struct review *out, const char *s, size_t len, struct date_error *err)
{
	size_t name = 0, i;
	enum review_term t;
	int y;

	while (name < len && name <= TERM_NAME_MAX && is_alpha(s[name]))
		name++;
	for (i = name; i < len && s[i] == ' '; i++)
		;
	if (name == 0 || name > TERM_NAME_MAX || i == name || len - i != 4 ||
	    digits(s + i, 4, &y) < 0 || (t = term_lookup(s, name)) == REVIEW_TERM__MAX) {
		set_err(err, DATE_ERR_SYNTAX, "%s", syntax_review);
		return -1;
	}
	if (check_year(y, err) < 0)
		return -1;
	out->kind = REVIEW_TERM;
	out->term = t;
	out->due.y = y;
	out->due.m = term_ends[t].m;
	out->due.d = term_ends[t].d;
	return 0;
}

int review_parsen(struct review *out, const char *s, size_t len, struct date_error *err)
{
	struct date dt;

	if (s == NULL || len == 0) {
		set_err(err, DATE_ERR_SYNTAX, "%s", syntax_review);
		return -1;
	}
	if (s[0] < '0' || s[0] > '9')
		return parse_term(out, s, len, err);
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
		buf_printf(b, "%s %d", month_names[l][r->due.m - 1], r->due.y);
		return 0;
	case REVIEW_TERM:
		if ((unsigned)r->term >= REVIEW_TERM__MAX)
			return -1;
		buf_printf(b, "%s %d", term_names[l][r->term], r->due.y);
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
