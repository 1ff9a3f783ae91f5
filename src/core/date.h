/* date: calendar dates and policy review dates.
 *
 * A date is a plain proleptic Gregorian calendar day with no time or zone; only years
 * 1900..9999 exist here, so every valid date has a four-digit ISO form. Parsers are strict
 * (ISO `YYYY-MM-DD` only), bounded, and read no more than the length they are given.
 *
 * Nothing here reads the clock except date_today(), so the site generator's output depends
 * only on its content and `--today`.
 *
 * Languages are given as codes: "cy" is Welsh, anything else (including NULL) English. */
#ifndef DATE_H
#define DATE_H

#include <stddef.h>

#include "buf.h"

#define DATE_YEAR_MIN 1900
#define DATE_YEAR_MAX 9999

struct date {
	int y, m, d; /* year, month 1..12, day 1..31 */
};

/* Why a parse failed. */
enum date_err {
	DATE_ERR_NONE,   /* no error */
	DATE_ERR_SYNTAX, /* not of the expected shape, e.g. "2024-9-1", "Sprng 2025" */
	DATE_ERR_YEAR,   /* year outside DATE_YEAR_MIN..DATE_YEAR_MAX */
	DATE_ERR_MONTH,  /* month 00 or above 12 */
	DATE_ERR_DAY,    /* day 00 or past the end of the month */
	DATE_ERR_LEAP,   /* 29 February in a year that is not a leap year */
	DATE_ERR__MAX
};

/* Filled in by a failing parser. `reason` is a short English phrase for a staff user,
 * without the input (which the caller quotes, having made it safe for its output), e.g.
 *   "month 13 does not exist", "2025 is not a leap year", "not YYYY-MM-DD"
 * so that a caller writes: review date "Sprng 2025": not a date this understands; ... */
struct date_error {
	enum date_err code;
	char reason[256];
};

/* Returns the reason from a parser's error ("" when there was none). Never NULL. */
const char *date_strerror(const struct date_error *);

/* 1 when y is a Gregorian leap year, else 0. */
int date_is_leap(int y);
/* Days in month m (1..12) of year y; 0 when m is out of range. */
int date_days_in_month(int y, int m);
/* 1 when the date exists and its year is in range, else 0. */
int date_valid(const struct date *);

/* Parses exactly `YYYY-MM-DD` from the len bytes at s (no NUL needed; trailing bytes are
 * an error, so to read a date prefix pass its length). Returns 0 and sets *out, or -1
 * leaving *out unchanged and, when err is not NULL, filling it in. */
int date_parsen(struct date *out, const char *s, size_t len, struct date_error *err);
/* As date_parsen for a NUL-terminated string; s NULL is a syntax error. */
int date_parse(struct date *out, const char *s, struct date_error *err);

/* <0, 0 or >0 as a is before, the same day as, or after b. */
int date_cmp(const struct date *a, const struct date *b);

/* Day number: days since 1970-01-01 (negative before it). Subtracting two gives the days
 * between them. For a date that is not valid returns DATE_DAYS_INVALID. */
#define DATE_DAYS_INVALID (-2147483647L - 1)
long date_to_days(const struct date *);
/* The date of a day number. Returns 0, or -1 (out unchanged) when it falls outside the
 * years DATE_YEAR_MIN..DATE_YEAR_MAX. */
int date_from_days(struct date *out, long days);
/* *out = *in moved n days (n may be negative); out may be in. Returns 0, or -1 (out
 * unchanged) when in is not valid or the result is out of range. */
int date_add_days(struct date *out, const struct date *in, long n);

/* Today's date in UTC from the system clock; the only function that reads it.
 * Returns 0, or -1 (out unchanged) when the clock cannot be read or is out of range. */
int date_today(struct date *out);

/* Month name in the language, e.g. date_month_name(9, "cy") is "Medi"; NULL when m is not
 * 1..12. The string is static. */
const char *date_month_name(int m, const char *lang);

/* Formatting appends to b and returns 0, or -1 writing nothing when the date is not valid. */
/* "1 September 2024" / "1 Medi 2024" */
int date_format(struct buf *b, const struct date *, const char *lang);
/* "2024-09-01" */
int date_format_iso(struct buf *b, const struct date *);
/* "2024-09-01T00:00:00Z": midnight UTC at the start of the day, for Atom feeds. */
int date_format_rfc3339(struct buf *b, const struct date *);

/* School terms, in calendar order. Each ends on a fixed day: Spring 30 April,
 * Summer 31 July, Autumn 31 December. */
enum review_term {
	REVIEW_SPRING,
	REVIEW_SUMMER,
	REVIEW_AUTUMN,
	REVIEW_TERM__MAX /* also: "not a term" in struct review */
};

/* The three ways a front-matter `review` value may be written. */
enum review_kind {
	REVIEW_DAY,   /* 2025-09-01 */
	REVIEW_MONTH, /* 2025-09, September 2025: due at the end of the month */
	REVIEW_TERM,  /* Spring 2026, Gwanwyn 2026: due on the last day of the term */
	REVIEW_KIND__MAX
};

/* A review date as written, and the day it falls due. due.y is the year written; for
 * REVIEW_MONTH due.m is the month written. */
struct review {
	enum review_kind kind;
	enum review_term term; /* REVIEW_TERM__MAX unless kind is REVIEW_TERM */
	struct date due;       /* the last day the review date covers */
};

/* Term name in the language: "Spring", "Summer", "Autumn" / "Gwanwyn", "Haf", "Hydref".
 * NULL when t is out of range. The string is static. */
const char *review_term_name(enum review_term t, const char *lang);

/* Parses a review value as schools write it, English or Welsh, any case:
 *   a day:   2027-09-01, 1 September 2027, 1st Sept 2027, 1 Medi 2027
 *   a month: 2027-09, September 2027, Sept 2027, Sept. 2027, Medi 2027, mis Hydref 2027
 *            (due on the last day of the month)
 *   a term:  Spring 2027, Spring term 2027, Gwanwyn 2027, Tymor y Gwanwyn 2027,
 *            Tymor yr Haf 2027 (due on the last day of the term)
 * Words are separated by one or more spaces, the four-digit year last; nothing else may
 * come before or after. "Hydref 2027" alone is the autumn term ("Tymor yr Hydref"); the
 * month of October in Welsh is "mis Hydref 2027" or "Hyd 2027". Returns 0 and sets *out,
 * or -1 leaving *out unchanged and filling in err (when not NULL); a value of the wrong
 * shape gets a reason that lists the accepted forms:
 *   not a date this understands; write a date (2027-09-01 or 1 September 2027), ... */
int review_parsen(struct review *out, const char *s, size_t len, struct date_error *err);
int review_parse(struct review *out, const char *s, struct date_error *err);

/* Writes a review date for readers: "1 September 2025" / "1 Medi 2025",
 * "September 2025" / "Medi 2025", "Spring term 2026" / "Tymor y Gwanwyn 2026". Returns 0, or -1
 * writing nothing when r is not consistent (a kind, term or due date out of range). */
int review_format(struct buf *b, const struct review *r, const char *lang);

enum review_status {
	REVIEW_OK,       /* due more than `within` days after today */
	REVIEW_DUE_SOON, /* due today or within `within` days after it */
	REVIEW_OVERDUE,  /* due before today */
	REVIEW_STATUS__MAX
};

/* Where a review stands on `today`. When days is not NULL it receives the due date minus
 * today in days: 0 when due today, negative when overdue (-3 is three days overdue).
 * A negative `within` counts as 0. Returns REVIEW_STATUS__MAX (and *days 0) when r's due
 * date or today is not valid. */
enum review_status review_status(const struct review *r, const struct date *today, int within,
                                 long *days);
/* "ok", "due-soon", "overdue": stable identifiers for CSS classes and machine output;
 * NULL when s is out of range. */
const char *review_status_name(enum review_status s);

#endif
