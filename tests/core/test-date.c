#include <limits.h>
#include <time.h>

#include "check.h"
#include "date.h"

/* Runs call, which writes to the fresh buffer b, and checks its status and output. */
#define CHECK_FMT(call, want)                                                                      \
	do {                                                                                       \
		struct buf b_ = BUF_INIT;                                                          \
		struct buf *b = &b_;                                                               \
		CHECK_INT(call, 0);                                                                \
		CHECK_STR(buf_str(b), want);                                                       \
		buf_free(b);                                                                       \
	} while (0)

static struct date mkdate(int y, int m, int d)
{
	struct date dt = {y, m, d};
	return dt;
}

static void check_date_is(const struct date *got, int y, int m, int d, int line)
{
	if (got->y != y || got->m != m || got->d != d) {
		printf("  %s:%d: date is %04d-%02d-%02d, want %04d-%02d-%02d\n", __FILE__, line,
		       got->y, got->m, got->d, y, m, d);
		check_failed_now = 1;
	}
}
#define CHECK_DATE(got, y, m, d) check_date_is(got, y, m, d, __LINE__)

static void test_leap_years(void)
{
	CHECK_INT(date_is_leap(2024), 1);
	CHECK_INT(date_is_leap(2025), 0);
	CHECK_INT(date_is_leap(1900), 0); /* century, not divisible by 400 */
	CHECK_INT(date_is_leap(2000), 1); /* divisible by 400 */
	CHECK_INT(date_is_leap(2100), 0);
	CHECK_INT(date_is_leap(2400), 1);
	CHECK_INT(date_days_in_month(2024, 2), 29);
	CHECK_INT(date_days_in_month(2025, 2), 28);
	CHECK_INT(date_days_in_month(1900, 2), 28);
	CHECK_INT(date_days_in_month(2000, 2), 29);
	CHECK_INT(date_days_in_month(2025, 4), 30);
	CHECK_INT(date_days_in_month(2025, 12), 31);
	CHECK_INT(date_days_in_month(2025, 0), 0);
	CHECK_INT(date_days_in_month(2025, 13), 0);
}

static void test_parse_valid(void)
{
	struct date dt;
	struct date_error err = {DATE_ERR_NONE, ""};

	CHECK_INT(date_parse(&dt, "2024-09-01", &err), 0);
	CHECK_DATE(&dt, 2024, 9, 1);
	CHECK_INT(date_parse(&dt, "2024-02-29", &err), 0);
	CHECK_DATE(&dt, 2024, 2, 29);
	CHECK_INT(date_parse(&dt, "2000-02-29", &err), 0);
	CHECK_DATE(&dt, 2000, 2, 29);
	CHECK_INT(date_parse(&dt, "1900-01-01", &err), 0);
	CHECK_DATE(&dt, 1900, 1, 1);
	CHECK_INT(date_parse(&dt, "9999-12-31", &err), 0);
	CHECK_DATE(&dt, 9999, 12, 31);
	CHECK_INT(date_parse(&dt, "2025-04-30", NULL), 0);
	CHECK_DATE(&dt, 2025, 4, 30);
	CHECK_INT(err.code, DATE_ERR_NONE);
	CHECK_STR(date_strerror(&err), "");
	CHECK_STR(date_strerror(NULL), "");
}

/* The version date is the start of a file name: parse just its first ten bytes. */
static void test_parse_prefix(void)
{
	const char *name = "2024-09-01.cy.md";
	struct date dt;

	CHECK_INT(date_parsen(&dt, name, 10, NULL), 0);
	CHECK_DATE(&dt, 2024, 9, 1);
	CHECK_INT(date_parsen(&dt, name, strlen(name), NULL), -1);
	CHECK_INT(date_parsen(&dt, name, 9, NULL), -1);
	/* An embedded NUL is not a digit, whatever the length says. */
	CHECK_INT(date_parsen(&dt, "2024-09-0\0", 10, NULL), -1);
	CHECK_INT(date_parsen(&dt, NULL, 10, NULL), -1);
}

static const struct {
	const char *in;
	enum date_err code;
	const char *reason;
} bad_dates[] = {
    {"2025-02-29", DATE_ERR_LEAP, "2025 is not a leap year"},
    {"1900-02-29", DATE_ERR_LEAP, "1900 is not a leap year"},
    {"2024-02-30", DATE_ERR_DAY, "February 2024 has 29 days"},
    {"2025-02-30", DATE_ERR_DAY, "February 2025 has 28 days"},
    {"2024-13-01", DATE_ERR_MONTH, "month 13 does not exist"},
    {"2024-00-10", DATE_ERR_MONTH, "month 00 does not exist"},
    {"2024-99-99", DATE_ERR_MONTH, "month 99 does not exist"},
    {"2024-09-00", DATE_ERR_DAY, "day 00 does not exist"},
    {"2024-04-31", DATE_ERR_DAY, "April has 30 days"},
    {"2024-09-31", DATE_ERR_DAY, "September has 30 days"},
    {"2024-01-32", DATE_ERR_DAY, "January has 31 days"},
    {"2024-12-99", DATE_ERR_DAY, "December has 31 days"},
    {"1899-12-31", DATE_ERR_YEAR, "year 1899 is outside 1900 to 9999"},
    {"0000-01-01", DATE_ERR_YEAR, "year 0000 is outside 1900 to 9999"},
    {"2024-9-1", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"2024-09-1", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"2024-9-01", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"24-09-01", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"10000-01-01", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"2024-09-01x", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"2024-09-01 ", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {" 2024-09-01", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"2024-09-01\n", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"2024-09-01T00:00:00Z", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"2024/09/01", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"2024.09.01", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"01-09-2024", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"20240901", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"+024-09-01", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"-024-09-01", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"2024-+9-01", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"2024- 9-01", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"2024-0a-01", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"2024-09", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"Spring 2026", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
    {"\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x94-09-01", DATE_ERR_SYNTAX,
     "not YYYY-MM-DD"}, /* fullwidth digits */
    {"", DATE_ERR_SYNTAX, "not YYYY-MM-DD"},
};

static void test_parse_rejects(void)
{
	for (size_t i = 0; i < sizeof bad_dates / sizeof bad_dates[0]; i++) {
		struct date dt = {1, 2, 3};
		struct date_error err = {DATE_ERR_NONE, ""};

		if (date_parse(&dt, bad_dates[i].in, &err) != -1) {
			printf("  accepted \"%s\"\n", bad_dates[i].in);
			check_failed_now = 1;
			continue;
		}
		CHECK_DATE(&dt, 1, 2, 3); /* left unchanged */
		if (err.code != bad_dates[i].code ||
		    strcmp(date_strerror(&err), bad_dates[i].reason) != 0) {
			printf("  \"%s\": code %d \"%s\", want %d \"%s\"\n", bad_dates[i].in,
			       err.code, date_strerror(&err), bad_dates[i].code,
			       bad_dates[i].reason);
			check_failed_now = 1;
		}
	}
	/* No error structure is fine; NULL input is an error, not a crash. */
	{
		struct date dt;
		struct date_error err = {DATE_ERR_NONE, ""};
		CHECK_INT(date_parse(&dt, "2025-02-29", NULL), -1);
		CHECK_INT(date_parse(&dt, NULL, &err), -1);
		CHECK_INT(err.code, DATE_ERR_SYNTAX);
	}
}

static void test_valid(void)
{
	struct date dt;

	dt = mkdate(2024, 2, 29);
	CHECK_INT(date_valid(&dt), 1);
	dt = mkdate(2025, 2, 29);
	CHECK_INT(date_valid(&dt), 0);
	dt = mkdate(2025, 0, 1);
	CHECK_INT(date_valid(&dt), 0);
	dt = mkdate(2025, 1, 0);
	CHECK_INT(date_valid(&dt), 0);
	dt = mkdate(10000, 1, 1);
	CHECK_INT(date_valid(&dt), 0);
	dt = mkdate(INT_MIN, INT_MIN, INT_MIN);
	CHECK_INT(date_valid(&dt), 0);
	CHECK_INT(date_valid(NULL), 0);
}

static void test_compare(void)
{
	struct date a = mkdate(2024, 9, 1), b = mkdate(2024, 9, 2), c = mkdate(2024, 10, 1),
	            d = mkdate(2025, 1, 1), a2 = mkdate(2024, 9, 1);

	CHECK(date_cmp(&a, &b) < 0);
	CHECK(date_cmp(&b, &a) > 0);
	CHECK(date_cmp(&b, &c) < 0); /* month outweighs day */
	CHECK(date_cmp(&c, &d) < 0); /* year outweighs month */
	CHECK(date_cmp(&d, &a) > 0);
	CHECK_INT(date_cmp(&a, &a2), 0);
}

static void test_day_numbers_known(void)
{
	struct date dt;

	dt = mkdate(1970, 1, 1);
	CHECK_INT(date_to_days(&dt), 0);
	dt = mkdate(1969, 12, 31);
	CHECK_INT(date_to_days(&dt), -1);
	dt = mkdate(1900, 1, 1);
	CHECK_INT(date_to_days(&dt), -25567);
	dt = mkdate(2000, 2, 29);
	CHECK_INT(date_to_days(&dt), 11016);
	dt = mkdate(2000, 3, 1);
	CHECK_INT(date_to_days(&dt), 11017);
	dt = mkdate(2024, 9, 1);
	CHECK_INT(date_to_days(&dt), 19967);
	dt = mkdate(9999, 12, 31);
	CHECK_INT(date_to_days(&dt), 2932896);
	dt = mkdate(2025, 2, 29);
	CHECK_INT(date_to_days(&dt), DATE_DAYS_INVALID);

	dt = mkdate(1, 2, 3);
	CHECK_INT(date_from_days(&dt, -25568), -1);  /* 1899-12-31 */
	CHECK_INT(date_from_days(&dt, 2932897), -1); /* 10000-01-01 */
	CHECK_INT(date_from_days(&dt, LONG_MIN), -1);
	CHECK_INT(date_from_days(&dt, LONG_MAX), -1);
	CHECK_DATE(&dt, 1, 2, 3);
	CHECK_INT(date_from_days(&dt, 11016), 0);
	CHECK_DATE(&dt, 2000, 2, 29);
}

/* Walks every day from 1900 to 9999 with an independent calendar and checks that day
 * numbers count up by one and convert back to the same day. */
static void test_day_numbers_round_trip(void)
{
	static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	struct date dt = mkdate(1900, 1, 1), back;
	long want = -25567, bad = 0;

	for (;;) {
		int leap = dt.y % 400 == 0 || (dt.y % 4 == 0 && dt.y % 100 != 0);
		int last = dt.m == 2 && leap ? 29 : len[dt.m - 1];

		if (date_to_days(&dt) != want || date_from_days(&back, want) != 0 ||
		    date_cmp(&back, &dt) != 0) {
			if (bad++ < 5)
				printf("  %04d-%02d-%02d: day number %ld, want %ld\n", dt.y, dt.m,
				       dt.d, date_to_days(&dt), want);
		}
		if (dt.y == 9999 && dt.m == 12 && dt.d == 31)
			break;
		want++;
		if (++dt.d > last) {
			dt.d = 1;
			if (++dt.m > 12) {
				dt.m = 1;
				dt.y++;
			}
		}
	}
	CHECK_INT(bad, 0);
	CHECK_INT(want, 2932896);
}

static void test_add_days(void)
{
	struct date a = mkdate(2024, 2, 28), out;

	CHECK_INT(date_add_days(&out, &a, 1), 0);
	CHECK_DATE(&out, 2024, 2, 29);
	CHECK_INT(date_add_days(&out, &a, 2), 0);
	CHECK_DATE(&out, 2024, 3, 1);
	a = mkdate(2025, 2, 28);
	CHECK_INT(date_add_days(&out, &a, 1), 0);
	CHECK_DATE(&out, 2025, 3, 1);
	a = mkdate(2024, 12, 31);
	CHECK_INT(date_add_days(&out, &a, 1), 0);
	CHECK_DATE(&out, 2025, 1, 1);
	a = mkdate(2025, 1, 1);
	CHECK_INT(date_add_days(&out, &a, -1), 0);
	CHECK_DATE(&out, 2024, 12, 31);
	a = mkdate(2024, 1, 1);
	CHECK_INT(date_add_days(&out, &a, 366), 0); /* 2024 has 366 days */
	CHECK_DATE(&out, 2025, 1, 1);
	CHECK_INT(date_add_days(&out, &a, 0), 0);
	CHECK_DATE(&out, 2024, 1, 1);

	/* In place. */
	a = mkdate(2024, 9, 1);
	CHECK_INT(date_add_days(&a, &a, 30), 0);
	CHECK_DATE(&a, 2024, 10, 1);

	/* Out of range, or from a date that is not one: refused, out unchanged. */
	out = mkdate(1, 2, 3);
	a = mkdate(9999, 12, 31);
	CHECK_INT(date_add_days(&out, &a, 1), -1);
	a = mkdate(1900, 1, 1);
	CHECK_INT(date_add_days(&out, &a, -1), -1);
	CHECK_INT(date_add_days(&out, &a, LONG_MAX), -1);
	CHECK_INT(date_add_days(&out, &a, LONG_MIN), -1);
	a = mkdate(2025, 2, 29);
	CHECK_INT(date_add_days(&out, &a, 1), -1);
	CHECK_DATE(&out, 1, 2, 3);
}

static void test_today(void)
{
	struct date t;
	long before = (long)(time(NULL) / 86400), now;

	CHECK_INT(date_today(&t), 0);
	CHECK(date_valid(&t));
	now = date_to_days(&t);
	/* Allows for midnight passing between the two readings of the clock. */
	CHECK(now == before || now == before + 1);
}

static void test_format_date(void)
{
	struct date dt = mkdate(2024, 9, 1);

	CHECK_FMT(date_format(b, &dt, "en"), "1 September 2024");
	CHECK_FMT(date_format(b, &dt, "cy"), "1 Medi 2024");
	CHECK_FMT(date_format(b, &dt, "fr"), "1 September 2024");
	CHECK_FMT(date_format(b, &dt, "CY"), "1 September 2024");
	CHECK_FMT(date_format(b, &dt, NULL), "1 September 2024");
	dt = mkdate(1999, 12, 31);
	CHECK_FMT(date_format(b, &dt, "en"), "31 December 1999");
	CHECK_FMT(date_format(b, &dt, "cy"), "31 Rhagfyr 1999");
	CHECK_FMT(date_format_iso(b, &dt), "1999-12-31");
	CHECK_FMT(date_format_rfc3339(b, &dt), "1999-12-31T00:00:00Z");
	dt = mkdate(2024, 9, 1);
	CHECK_FMT(date_format_iso(b, &dt), "2024-09-01");
	CHECK_FMT(date_format_rfc3339(b, &dt), "2024-09-01T00:00:00Z");

	/* Appends, like every buf writer. */
	{
		struct buf b = BUF_INIT;
		buf_puts(&b, "Agreed ");
		CHECK_INT(date_format(&b, &dt, "en"), 0);
		CHECK_STR(buf_str(&b), "Agreed 1 September 2024");
		buf_free(&b);
	}
}

static void test_format_every_month(void)
{
	static const char *const en[12] = {"January",   "February", "March",    "April",
	                                   "May",       "June",     "July",     "August",
	                                   "September", "October",  "November", "December"};
	static const char *const cy[12] = {"Ionawr", "Chwefror", "Mawrth",     "Ebrill",
	                                   "Mai",    "Mehefin",  "Gorffennaf", "Awst",
	                                   "Medi",   "Hydref",   "Tachwedd",   "Rhagfyr"};

	for (int m = 1; m <= 12; m++) {
		struct date dt = mkdate(2025, m, 15);
		char want[64];

		CHECK_STR(date_month_name(m, "en"), en[m - 1]);
		CHECK_STR(date_month_name(m, "cy"), cy[m - 1]);
		snprintf(want, sizeof want, "15 %s 2025", en[m - 1]);
		CHECK_FMT(date_format(b, &dt, "en"), want);
		snprintf(want, sizeof want, "15 %s 2025", cy[m - 1]);
		CHECK_FMT(date_format(b, &dt, "cy"), want);
	}
	CHECK(date_month_name(0, "en") == NULL);
	CHECK(date_month_name(13, "cy") == NULL);
}

static void test_format_invalid_writes_nothing(void)
{
	struct date bad[] = {mkdate(2025, 2, 29), mkdate(2025, 13, 1), mkdate(2025, 0, 1),
	                     mkdate(1899, 12, 31), mkdate(INT_MAX, INT_MAX, INT_MAX)};
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_INT(date_format(&b, &bad[i], "en"), -1);
		CHECK_INT(date_format(&b, &bad[i], "cy"), -1);
		CHECK_INT(date_format_iso(&b, &bad[i]), -1);
		CHECK_INT(date_format_rfc3339(&b, &bad[i]), -1);
	}
	CHECK_INT(b.len, 0);
	buf_free(&b);
}

static void check_review(const char *in, enum review_kind kind, enum review_term term, int y, int m,
                         int d, int line)
{
	struct review r;
	struct date_error err = {DATE_ERR_NONE, ""};

	if (review_parse(&r, in, &err) != 0) {
		printf("  %s:%d: \"%s\" rejected: %s\n", __FILE__, line, in, date_strerror(&err));
		check_failed_now = 1;
		return;
	}
	if (r.kind != kind || r.term != term) {
		printf("  %s:%d: \"%s\": kind %d term %d, want %d %d\n", __FILE__, line, in, r.kind,
		       r.term, kind, term);
		check_failed_now = 1;
	}
	check_date_is(&r.due, y, m, d, line);
}
#define CHECK_REVIEW(in, kind, term, y, m, d) check_review(in, kind, term, y, m, d, __LINE__)

static void test_review_day(void)
{
	CHECK_REVIEW("2025-09-01", REVIEW_DAY, REVIEW_TERM__MAX, 2025, 9, 1);
	CHECK_REVIEW("2028-02-29", REVIEW_DAY, REVIEW_TERM__MAX, 2028, 2, 29);
}

/* A month review falls due on the last day of the month. */
static void test_review_month_end(void)
{
	CHECK_REVIEW("2025-09", REVIEW_MONTH, REVIEW_TERM__MAX, 2025, 9, 30);
	CHECK_REVIEW("2025-01", REVIEW_MONTH, REVIEW_TERM__MAX, 2025, 1, 31);
	CHECK_REVIEW("2025-04", REVIEW_MONTH, REVIEW_TERM__MAX, 2025, 4, 30);
	CHECK_REVIEW("2025-12", REVIEW_MONTH, REVIEW_TERM__MAX, 2025, 12, 31);
	CHECK_REVIEW("2024-02", REVIEW_MONTH, REVIEW_TERM__MAX, 2024, 2, 29);
	CHECK_REVIEW("2025-02", REVIEW_MONTH, REVIEW_TERM__MAX, 2025, 2, 28);
	CHECK_REVIEW("2000-02", REVIEW_MONTH, REVIEW_TERM__MAX, 2000, 2, 29);
	CHECK_REVIEW("2100-02", REVIEW_MONTH, REVIEW_TERM__MAX, 2100, 2, 28);
}

/* Spring ends 30 April, Summer 31 July, Autumn 31 December; names in either language and
 * any case. */
static void test_review_term_ends(void)
{
	CHECK_REVIEW("Spring 2026", REVIEW_TERM, REVIEW_SPRING, 2026, 4, 30);
	CHECK_REVIEW("Summer 2026", REVIEW_TERM, REVIEW_SUMMER, 2026, 7, 31);
	CHECK_REVIEW("Autumn 2026", REVIEW_TERM, REVIEW_AUTUMN, 2026, 12, 31);
	CHECK_REVIEW("spring 2027", REVIEW_TERM, REVIEW_SPRING, 2027, 4, 30);
	CHECK_REVIEW("SUMMER 2027", REVIEW_TERM, REVIEW_SUMMER, 2027, 7, 31);
	CHECK_REVIEW("aUtUmN 2027", REVIEW_TERM, REVIEW_AUTUMN, 2027, 12, 31);
	CHECK_REVIEW("Gwanwyn 2026", REVIEW_TERM, REVIEW_SPRING, 2026, 4, 30);
	CHECK_REVIEW("Haf 2026", REVIEW_TERM, REVIEW_SUMMER, 2026, 7, 31);
	CHECK_REVIEW("Hydref 2026", REVIEW_TERM, REVIEW_AUTUMN, 2026, 12, 31);
	CHECK_REVIEW("gwanwyn 2026", REVIEW_TERM, REVIEW_SPRING, 2026, 4, 30);
	CHECK_REVIEW("HAF 2026", REVIEW_TERM, REVIEW_SUMMER, 2026, 7, 31);
	CHECK_REVIEW("Spring  2026", REVIEW_TERM, REVIEW_SPRING, 2026, 4, 30);
}

static const char shape[] =
    "not a date this understands; write a date (2027-09-01 or 1 September 2027), a month "
    "(September 2027, Sept 2027, Medi 2027 or 2027-09) or a term (Spring 2027, Summer term "
    "2027, Gwanwyn 2027 or Tymor yr Haf 2027)";

/* Review dates as schools write them: each is accepted, falls due on the right day and is
 * shown in each language. */
static const struct {
	const char *in;
	enum review_kind kind;
	int y, m, d;         /* due */
	const char *en, *cy; /* as shown */
} good_reviews[] = {
    {"2027-09-01", REVIEW_DAY, 2027, 9, 1, "1 September 2027", "1 Medi 2027"},
    {"1 September 2027", REVIEW_DAY, 2027, 9, 1, "1 September 2027", "1 Medi 2027"},
    {"1st September 2027", REVIEW_DAY, 2027, 9, 1, "1 September 2027", "1 Medi 2027"},
    {"21 Sept 2027", REVIEW_DAY, 2027, 9, 21, "21 September 2027", "21 Medi 2027"},
    {"1 Medi 2027", REVIEW_DAY, 2027, 9, 1, "1 September 2027", "1 Medi 2027"},
    {"31 Hydref 2027", REVIEW_DAY, 2027, 10, 31, "31 October 2027", "31 Hydref 2027"},
    {"29 Feb 2028", REVIEW_DAY, 2028, 2, 29, "29 February 2028", "29 Chwefror 2028"},
    {"2027-09", REVIEW_MONTH, 2027, 9, 30, "September 2027", "Medi 2027"},
    {"September 2027", REVIEW_MONTH, 2027, 9, 30, "September 2027", "Medi 2027"},
    {"september 2027", REVIEW_MONTH, 2027, 9, 30, "September 2027", "Medi 2027"},
    {"Sept 2027", REVIEW_MONTH, 2027, 9, 30, "September 2027", "Medi 2027"},
    {"Sept. 2027", REVIEW_MONTH, 2027, 9, 30, "September 2027", "Medi 2027"},
    {"Sep 2027", REVIEW_MONTH, 2027, 9, 30, "September 2027", "Medi 2027"},
    {"Medi 2027", REVIEW_MONTH, 2027, 9, 30, "September 2027", "Medi 2027"},
    {"mis Medi 2027", REVIEW_MONTH, 2027, 9, 30, "September 2027", "Medi 2027"},
    {"August 2025", REVIEW_MONTH, 2025, 8, 31, "August 2025", "Awst 2025"},
    {"Feb 2028", REVIEW_MONTH, 2028, 2, 29, "February 2028", "Chwefror 2028"},
    {"Chwefror 2027", REVIEW_MONTH, 2027, 2, 28, "February 2027", "Chwefror 2027"},
    {"Chwef 2027", REVIEW_MONTH, 2027, 2, 28, "February 2027", "Chwefror 2027"},
    {"May 2027", REVIEW_MONTH, 2027, 5, 31, "May 2027", "Mai 2027"},
    {"Mai 2027", REVIEW_MONTH, 2027, 5, 31, "May 2027", "Mai 2027"},
    {"Gorff 2027", REVIEW_MONTH, 2027, 7, 31, "July 2027", "Gorffennaf 2027"},
    {"Hyd 2027", REVIEW_MONTH, 2027, 10, 31, "October 2027", "Hydref 2027"},
    {"mis Hydref 2027", REVIEW_MONTH, 2027, 10, 31, "October 2027", "Hydref 2027"},
    {"Dec 2027", REVIEW_MONTH, 2027, 12, 31, "December 2027", "Rhagfyr 2027"},
    {"Spring 2027", REVIEW_TERM, 2027, 4, 30, "Spring term 2027", "Tymor y Gwanwyn 2027"},
    {"Spring term 2027", REVIEW_TERM, 2027, 4, 30, "Spring term 2027", "Tymor y Gwanwyn 2027"},
    {"Summer term 2027", REVIEW_TERM, 2027, 7, 31, "Summer term 2027", "Tymor yr Haf 2027"},
    {"summer Term 2027", REVIEW_TERM, 2027, 7, 31, "Summer term 2027", "Tymor yr Haf 2027"},
    {"Autumn term 2027", REVIEW_TERM, 2027, 12, 31, "Autumn term 2027", "Tymor yr Hydref 2027"},
    {"Gwanwyn 2027", REVIEW_TERM, 2027, 4, 30, "Spring term 2027", "Tymor y Gwanwyn 2027"},
    {"Haf 2027", REVIEW_TERM, 2027, 7, 31, "Summer term 2027", "Tymor yr Haf 2027"},
    {"Hydref 2027", REVIEW_TERM, 2027, 12, 31, "Autumn term 2027", "Tymor yr Hydref 2027"},
    {"Tymor y Gwanwyn 2027", REVIEW_TERM, 2027, 4, 30, "Spring term 2027", "Tymor y Gwanwyn 2027"},
    {"Tymor yr Haf 2027", REVIEW_TERM, 2027, 7, 31, "Summer term 2027", "Tymor yr Haf 2027"},
    {"tymor yr hydref 2027", REVIEW_TERM, 2027, 12, 31, "Autumn term 2027", "Tymor yr Hydref 2027"},
    {"Tymor y Haf 2027", REVIEW_TERM, 2027, 7, 31, "Summer term 2027", "Tymor yr Haf 2027"},
};

static void test_review_as_schools_write_it(void)
{
	for (size_t i = 0; i < sizeof good_reviews / sizeof good_reviews[0]; i++) {
		struct review r = {REVIEW_KIND__MAX, REVIEW_TERM__MAX, {0, 0, 0}};
		struct date_error err = {DATE_ERR_NONE, ""};
		struct buf en = BUF_INIT, cy = BUF_INIT;

		if (review_parse(&r, good_reviews[i].in, &err) != 0) {
			printf("  refused \"%s\": %s\n", good_reviews[i].in, date_strerror(&err));
			check_failed_now = 1;
			continue;
		}
		if (r.kind != good_reviews[i].kind || r.due.y != good_reviews[i].y ||
		    r.due.m != good_reviews[i].m || r.due.d != good_reviews[i].d) {
			printf("  \"%s\": kind %d due %04d-%02d-%02d\n", good_reviews[i].in, r.kind,
			       r.due.y, r.due.m, r.due.d);
			check_failed_now = 1;
		}
		CHECK_INT(review_format(&en, &r, "en"), 0);
		CHECK_INT(review_format(&cy, &r, "cy"), 0);
		CHECK_STR(buf_str(&en), good_reviews[i].en);
		CHECK_STR(buf_str(&cy), good_reviews[i].cy);
		buf_free(&en);
		buf_free(&cy);
	}
}

/* English and Welsh values that mean the same date fall due on the same day. */
static void test_review_languages_agree(void)
{
	static const char *const pairs[][2] = {
	    {"September 2027", "Medi 2027"},     {"Sept 2027", "mis Medi 2027"},
	    {"Spring 2027", "Gwanwyn 2027"},     {"Summer term 2027", "Tymor yr Haf 2027"},
	    {"Autumn term 2027", "Hydref 2027"}, {"October 2027", "mis Hydref 2027"},
	    {"1 September 2027", "2027-09-01"},  {"1 March 2027", "1 Mawrth 2027"},
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		struct review a, b;
		CHECK_INT(review_parse(&a, pairs[i][0], NULL), 0);
		CHECK_INT(review_parse(&b, pairs[i][1], NULL), 0);
		if (date_cmp(&a.due, &b.due) != 0) {
			printf("  \"%s\" and \"%s\" disagree\n", pairs[i][0], pairs[i][1]);
			check_failed_now = 1;
		}
	}
}

static const struct {
	const char *in;
	enum date_err code;
	const char *reason;
} bad_reviews[] = {
    {"Sprng 2025", DATE_ERR_SYNTAX, shape},
    {"Sprin 2026", DATE_ERR_SYNTAX, shape},
    {"Springs 2026", DATE_ERR_SYNTAX, shape},
    {"Winter 2026", DATE_ERR_SYNTAX, shape},
    {"Fall 2026", DATE_ERR_SYNTAX, shape},
    {"Spring", DATE_ERR_SYNTAX, shape},
    {"Spring ", DATE_ERR_SYNTAX, shape},
    {"Spring 26", DATE_ERR_SYNTAX, shape},
    {"Spring 20266", DATE_ERR_SYNTAX, shape},
    {"Spring 2026 ", DATE_ERR_SYNTAX, shape},
    {"Spring 2026x", DATE_ERR_SYNTAX, shape},
    {"Spring 2026\n", DATE_ERR_SYNTAX, shape},
    {" Spring 2026", DATE_ERR_SYNTAX, shape},
    {"Spring2026", DATE_ERR_SYNTAX, shape},
    {"Hydref2026", DATE_ERR_SYNTAX, shape},
    {"Spring-2026", DATE_ERR_SYNTAX, shape},
    {"Spring\t2026", DATE_ERR_SYNTAX, shape},
    {"Spring term", DATE_ERR_SYNTAX, shape},
    {"Winter term 2026", DATE_ERR_SYNTAX, shape},
    {"term Spring 2026", DATE_ERR_SYNTAX, shape},
    {"Septembre 2027", DATE_ERR_SYNTAX, shape},
    {"Sept 27", DATE_ERR_SYNTAX, shape},
    {"Sept  2027 ", DATE_ERR_SYNTAX, shape},
    {"32 September 2027", DATE_ERR_DAY, "September has 30 days"},
    {"31 September 2027", DATE_ERR_DAY, "September has 30 days"},
    {"29 February 2027", DATE_ERR_LEAP, "2027 is not a leap year"},
    {"0 September 2027", DATE_ERR_DAY, "day 00 does not exist"},
    {"1 2 September 2027", DATE_ERR_SYNTAX, shape},
    {"September 1 2027", DATE_ERR_SYNTAX, shape},
    {"September 1, 2027", DATE_ERR_SYNTAX, shape},
    {"1 Sept, 2027", DATE_ERR_SYNTAX, shape},
    {"mis 2027", DATE_ERR_SYNTAX, shape},
    {"mis Gwanwyn 2027", DATE_ERR_SYNTAX, shape},
    {"Tymor Haf 2027", DATE_ERR_SYNTAX, shape},
    {"Tymor yr Gaeaf 2027", DATE_ERR_SYNTAX, shape},
    {"Medi 1899", DATE_ERR_YEAR, "year 1899 is outside 1900 to 9999"},
    {"a b c d e 2027", DATE_ERR_SYNTAX, shape},
    {"Sept..2027", DATE_ERR_SYNTAX, shape},
    {"Sept\xc2\xa0"
     "2027",
     DATE_ERR_SYNTAX, shape},
    {"2026 Spring", DATE_ERR_SYNTAX, shape},
    {"Spring +026", DATE_ERR_SYNTAX, shape},
    {"Gw\xc5\xb5nwyn 2026", DATE_ERR_SYNTAX, shape},
    {"Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 2026", DATE_ERR_SYNTAX,
     shape},
    {"Spring 1899", DATE_ERR_YEAR, "year 1899 is outside 1900 to 9999"},
    {"Haf 0000", DATE_ERR_YEAR, "year 0000 is outside 1900 to 9999"},
    {"2025-13", DATE_ERR_MONTH, "month 13 does not exist"},
    {"2025-00", DATE_ERR_MONTH, "month 00 does not exist"},
    {"1899-12", DATE_ERR_YEAR, "year 1899 is outside 1900 to 9999"},
    {"2025-02-29", DATE_ERR_LEAP, "2025 is not a leap year"},
    {"2024-13-01", DATE_ERR_MONTH, "month 13 does not exist"},
    {"2025-06-31", DATE_ERR_DAY, "June has 30 days"},
    {"2025-9", DATE_ERR_SYNTAX, shape},
    {"2025-9-1", DATE_ERR_SYNTAX, shape},
    {"2025-09-", DATE_ERR_SYNTAX, shape},
    {"2025-09-1", DATE_ERR_SYNTAX, shape},
    {"2025-09-01x", DATE_ERR_SYNTAX, shape},
    {"2025-09x", DATE_ERR_SYNTAX, shape},
    {"2025/09", DATE_ERR_SYNTAX, shape},
    {"2025", DATE_ERR_SYNTAX, shape},
    {"09-2025", DATE_ERR_SYNTAX, shape},
    {"", DATE_ERR_SYNTAX, shape},
};

static void test_review_rejects(void)
{
	for (size_t i = 0; i < sizeof bad_reviews / sizeof bad_reviews[0]; i++) {
		struct review r = {REVIEW_DAY, REVIEW_TERM__MAX, {1, 2, 3}};
		struct date_error err = {DATE_ERR_NONE, ""};

		if (review_parse(&r, bad_reviews[i].in, &err) != -1) {
			printf("  accepted \"%s\"\n", bad_reviews[i].in);
			check_failed_now = 1;
			continue;
		}
		CHECK_DATE(&r.due, 1, 2, 3); /* left unchanged */
		CHECK_INT(r.kind, REVIEW_DAY);
		if (err.code != bad_reviews[i].code ||
		    strcmp(date_strerror(&err), bad_reviews[i].reason) != 0) {
			printf("  \"%s\": code %d \"%s\", want %d \"%s\"\n", bad_reviews[i].in,
			       err.code, date_strerror(&err), bad_reviews[i].code,
			       bad_reviews[i].reason);
			check_failed_now = 1;
		}
	}
	{
		struct review r;
		struct date_error err = {DATE_ERR_NONE, ""};
		CHECK_INT(review_parse(&r, NULL, &err), -1);
		CHECK_STR(date_strerror(&err), shape);
		CHECK_INT(review_parse(&r, "Sprng 2025", NULL), -1);
		/* Only the given bytes are read. */
		CHECK_INT(review_parsen(&r, "Spring 2026", 6, NULL), -1);
		CHECK_INT(review_parsen(&r, "2025-09-01", 7, NULL), 0);
		CHECK_INT(r.kind, REVIEW_MONTH);
		CHECK_DATE(&r.due, 2025, 9, 30);
	}
}

/* The message the site generator prints reads as one sentence. */
static void test_review_error_message(void)
{
	struct review r;
	struct date_error err;
	char msg[400];

	CHECK_INT(review_parse(&r, "Sprng 2025", &err), -1);
	snprintf(msg, sizeof msg, "review date \"%s\": %s", "Sprng 2025", date_strerror(&err));
	CHECK_STR(msg, "review date \"Sprng 2025\": not a date this understands; write a date "
	               "(2027-09-01 or 1 September 2027), a month (September 2027, Sept 2027, "
	               "Medi 2027 or 2027-09) or a term (Spring 2027, Summer term 2027, Gwanwyn "
	               "2027 or Tymor yr Haf 2027)");
}

static struct review parsed(const char *s)
{
	struct review r = {REVIEW_KIND__MAX, REVIEW_TERM__MAX, {0, 0, 0}};

	if (review_parse(&r, s, NULL) != 0) {
		printf("  could not parse \"%s\"\n", s);
		check_failed_now = 1;
	}
	return r;
}

static void test_review_format(void)
{
	struct review r;

	r = parsed("2025-09-01");
	CHECK_FMT(review_format(b, &r, "en"), "1 September 2025");
	CHECK_FMT(review_format(b, &r, "cy"), "1 Medi 2025");
	r = parsed("2025-09");
	CHECK_FMT(review_format(b, &r, "en"), "September 2025");
	CHECK_FMT(review_format(b, &r, "cy"), "Medi 2025");
	r = parsed("2024-02");
	CHECK_FMT(review_format(b, &r, "en"), "February 2024");
	CHECK_FMT(review_format(b, &r, "cy"), "Chwefror 2024");
	r = parsed("Spring 2026");
	CHECK_FMT(review_format(b, &r, "en"), "Spring term 2026");
	CHECK_FMT(review_format(b, &r, "cy"), "Tymor y Gwanwyn 2026");
	r = parsed("summer 2026");
	CHECK_FMT(review_format(b, &r, "en"), "Summer term 2026");
	CHECK_FMT(review_format(b, &r, "cy"), "Tymor yr Haf 2026");
	r = parsed("Autumn 2026");
	CHECK_FMT(review_format(b, &r, "en"), "Autumn term 2026");
	CHECK_FMT(review_format(b, &r, "cy"), "Tymor yr Hydref 2026");
	/* Written in Welsh, shown in English; unknown languages fall back to English. */
	r = parsed("Haf 2027");
	CHECK_FMT(review_format(b, &r, "en"), "Summer term 2027");
	CHECK_FMT(review_format(b, &r, "de"), "Summer term 2027");

	CHECK_STR(review_term_name(REVIEW_SPRING, "en"), "Spring");
	CHECK_STR(review_term_name(REVIEW_AUTUMN, "cy"), "Hydref");
	CHECK(review_term_name(REVIEW_TERM__MAX, "en") == NULL);
}

static void test_review_format_inconsistent(void)
{
	struct buf b = BUF_INIT;
	struct review r = {REVIEW_TERM, REVIEW_TERM__MAX, {2026, 4, 30}};

	CHECK_INT(review_format(&b, &r, "en"), -1);
	r.term = (enum review_term) - 1;
	CHECK_INT(review_format(&b, &r, "en"), -1);
	r.kind = REVIEW_KIND__MAX;
	r.term = REVIEW_SPRING;
	CHECK_INT(review_format(&b, &r, "en"), -1);
	r.kind = REVIEW_MONTH;
	r.due = mkdate(2026, 13, 1);
	CHECK_INT(review_format(&b, &r, "cy"), -1);
	CHECK_INT(review_format(&b, NULL, "cy"), -1);
	CHECK_INT(b.len, 0);
	buf_free(&b);
}

static void check_status(const char *review, const char *today, int within, enum review_status want,
                         long want_days, int line)
{
	struct review r = parsed(review);
	struct date t;
	long days = 12345;
	enum review_status s;

	if (date_parse(&t, today, NULL) != 0) {
		printf("  %s:%d: bad today \"%s\"\n", __FILE__, line, today);
		check_failed_now = 1;
		return;
	}
	s = review_status(&r, &t, within, &days);
	if (s != want || days != want_days) {
		printf("  %s:%d: \"%s\" on %s within %d: %s %ld, want %s %ld\n", __FILE__, line,
		       review, today, within, review_status_name(s), days, review_status_name(want),
		       want_days);
		check_failed_now = 1;
	}
}
#define CHECK_STATUS(r, t, w, s, d) check_status(r, t, w, s, d, __LINE__)

static void test_review_status_boundaries(void)
{
	/* Due today is due soon, not overdue; the day after is overdue. */
	CHECK_STATUS("2025-09-01", "2025-09-01", 30, REVIEW_DUE_SOON, 0);
	CHECK_STATUS("2025-09-01", "2025-09-02", 30, REVIEW_OVERDUE, -1);
	CHECK_STATUS("2025-09-01", "2026-09-01", 30, REVIEW_OVERDUE, -365);
	/* `within` is inclusive. */
	CHECK_STATUS("2025-09-01", "2025-08-02", 30, REVIEW_DUE_SOON, 30);
	CHECK_STATUS("2025-09-01", "2025-08-01", 30, REVIEW_OK, 31);
	/* within 0: only the due day itself is "soon"; negative counts as 0. */
	CHECK_STATUS("2025-09-01", "2025-09-01", 0, REVIEW_DUE_SOON, 0);
	CHECK_STATUS("2025-09-01", "2025-08-31", 0, REVIEW_OK, 1);
	CHECK_STATUS("2025-09-01", "2025-09-01", -5, REVIEW_DUE_SOON, 0);
	CHECK_STATUS("2025-09-01", "2025-08-31", -5, REVIEW_OK, 1);
	CHECK_STATUS("2025-09-01", "2025-09-02", -5, REVIEW_OVERDUE, -1);
	/* Month and term reviews are due on their last day. */
	CHECK_STATUS("2024-02", "2024-02-29", 0, REVIEW_DUE_SOON, 0);
	CHECK_STATUS("2024-02", "2024-03-01", 0, REVIEW_OVERDUE, -1);
	CHECK_STATUS("2025-02", "2025-03-01", 0, REVIEW_OVERDUE, -1);
	CHECK_STATUS("Spring 2026", "2026-04-30", 0, REVIEW_DUE_SOON, 0);
	CHECK_STATUS("Spring 2026", "2026-05-01", 0, REVIEW_OVERDUE, -1);
	CHECK_STATUS("Haf 2026", "2026-07-01", 30, REVIEW_DUE_SOON, 30);
	CHECK_STATUS("Haf 2026", "2026-06-30", 30, REVIEW_OK, 31);
	CHECK_STATUS("Autumn 2025", "2026-01-01", 60, REVIEW_OVERDUE, -1);
	CHECK_STATUS("Autumn 2025", "2025-01-01", 60, REVIEW_OK, 364);
	CHECK_STATUS("Autumn 2024", "2024-01-01", 60, REVIEW_OK, 365); /* leap year */
}

static void test_review_status_invalid(void)
{
	struct review r = parsed("2025-09-01");
	struct date today = mkdate(2025, 2, 29);
	long days = 99;

	CHECK_INT(review_status(&r, &today, 30, &days), REVIEW_STATUS__MAX);
	CHECK_INT(days, 0);
	today = mkdate(2025, 9, 1);
	r.due.m = 13;
	CHECK_INT(review_status(&r, &today, 30, NULL), REVIEW_STATUS__MAX);
	CHECK_INT(review_status(NULL, &today, 30, NULL), REVIEW_STATUS__MAX);
	r = parsed("2025-09-01");
	CHECK_INT(review_status(&r, &today, 30, NULL), REVIEW_DUE_SOON); /* days may be NULL */

	CHECK_STR(review_status_name(REVIEW_OK), "ok");
	CHECK_STR(review_status_name(REVIEW_DUE_SOON), "due-soon");
	CHECK_STR(review_status_name(REVIEW_OVERDUE), "overdue");
	CHECK(review_status_name(REVIEW_STATUS__MAX) == NULL);
}

int main(void)
{
	RUN(test_leap_years);
	RUN(test_parse_valid);
	RUN(test_parse_prefix);
	RUN(test_parse_rejects);
	RUN(test_valid);
	RUN(test_compare);
	RUN(test_day_numbers_known);
	RUN(test_day_numbers_round_trip);
	RUN(test_add_days);
	RUN(test_today);
	RUN(test_format_date);
	RUN(test_format_every_month);
	RUN(test_format_invalid_writes_nothing);
	RUN(test_review_day);
	RUN(test_review_month_end);
	RUN(test_review_term_ends);
	RUN(test_review_rejects);
	RUN(test_review_error_message);
	RUN(test_review_format);
	RUN(test_review_as_schools_write_it);
	RUN(test_review_languages_agree);
	RUN(test_review_format_inconsistent);
	RUN(test_review_status_boundaries);
	RUN(test_review_status_invalid);
	CHECK_MAIN();
}
