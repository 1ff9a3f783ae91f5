#include "check.h"
#include "buf.h"
#include "form.h"

/* The sign form: consent.<child>.<purpose> fields under a prefix, as the portal uses. */
/* clang-format off */
static const struct form_field sign_fields[] = {
	/* name		maxlen	required multi	prefix */
	{"csrf",	64,	1,	0,	0},
	{"name",	100,	1,	0,	0},
	{"agree",	1,	0,	0,	0},
	{"note",	0,	0,	0,	0},
	{"class",	20,	0,	1,	0},
	{"consent.",	8,	0,	0,	1},	/* consent.<child>.<purpose> */
};
/* clang-format on */
#define NSIGN (sizeof sign_fields / sizeof sign_fields[0])

/* Parses s against the sign form (against no table when table is 0) and returns
 * "ok" or "error-name:field". */
static const char *parse(const char *s, int table)
{
	static char out[200];
	struct form f;

	if (form_parse(&f, s, strlen(s), table ? sign_fields : NULL, table ? NSIGN : 0) == 0)
		snprintf(out, sizeof out, "ok");
	else
		snprintf(out, sizeof out, "%s:%s", form_error_names[f.err], f.errfield);
	if (f.err != FORM_ERR_NONE && (f.npair != 0 || f.pair != NULL))
		snprintf(out, sizeof out, "pairs left after an error");
	form_free(&f);
	return out;
}

static void test_ordinary(void)
{
	struct form f;
	const char *s = "csrf=abc123&name=Si%C3%A2n+Jones&agree=1&consent.c1.web=yes"
	                "&consent.c2.web=no&note=Line+1%0D%0ALine%092";

	CHECK_INT(form_parse(&f, s, strlen(s), sign_fields, NSIGN), 0);
	CHECK_INT(f.npair, 6);
	CHECK_STR(form_get(&f, "name"), "Siân Jones");
	CHECK_STR(form_get(&f, "agree"), "1");
	CHECK_STR(form_get(&f, "consent.c1.web"), "yes");
	CHECK_STR(f.pair[4].name, "consent.c2.web");
	CHECK_STR(f.pair[4].value, "no");
	CHECK_STR(form_get(&f, "note"), "Line 1\r\nLine\t2");
	CHECK(form_get(&f, "class") == NULL);
	form_free(&f);
	form_free(&f);
}

static void test_welsh(void)
{
	struct form f;
	/* "Rwy'n cytuno â'r côd ŵ ŷ" as a browser sends it */
	const char *s = "csrf=x&name=Rwy%27n+cytuno+%C3%A2%27r+c%C3%B4d+%C5%B5+%C5%B7";

	CHECK_INT(form_parse(&f, s, strlen(s), sign_fields, NSIGN), 0);
	CHECK_STR(form_get(&f, "name"), "Rwy'n cytuno â'r côd ŵ ŷ");
	form_free(&f);
	/* raw UTF-8 is accepted as it is, lower-case hex too */
	s = "csrf=x&name=Gw%c5%b7n+Ŵ";
	CHECK_INT(form_parse(&f, s, strlen(s), sign_fields, NSIGN), 0);
	CHECK_STR(form_get(&f, "name"), "Gwŷn Ŵ");
	form_free(&f);
}

static void test_shapes(void)
{
	struct form f;
	const char *s = "&a=1&&b&c=&=&";

	/* empty pairs skipped; "b" is an empty value; "=" is an empty name */
	CHECK_STR(parse("&a=1&&b&c=&", 0), "ok");
	CHECK_INT(form_parse(&f, s, 10, NULL, 0), 0);
	CHECK_INT(f.npair, 3);
	CHECK_STR(form_get(&f, "b"), "");
	CHECK_STR(form_get(&f, "c"), "");
	form_free(&f);
	CHECK_STR(parse(s, 0), "bad-name:");
	CHECK_STR(parse("a=b=c", 0), "ok"); /* the first = splits */
	CHECK_INT(form_parse(&f, "a=b=c", 5, NULL, 0), 0);
	CHECK_STR(form_get(&f, "a"), "b=c");
	form_free(&f);
	/* an absent query string */
	CHECK_INT(form_parse(&f, NULL, 0, NULL, 0), 0);
	CHECK_INT(f.npair, 0);
	CHECK(form_get(&f, "a") == NULL);
	form_free(&f);
	/* the length given is what counts */
	CHECK_INT(form_parse(&f, "a=12&b=3", 3, NULL, 0), 0);
	CHECK_STR(form_get(&f, "a"), "1");
	CHECK(form_get(&f, "b") == NULL);
	form_free(&f);
}

static void test_bad_escapes(void)
{
	CHECK_STR(parse("csrf=x&name=%G1", 1), "bad-escape:name");
	CHECK_STR(parse("csrf=x&name=%", 1), "bad-escape:name");
	CHECK_STR(parse("csrf=x&name=ab%4", 1), "bad-escape:name");
	CHECK_STR(parse("csrf=x&name=%4&agree=1", 1), "bad-escape:name");
	CHECK_STR(parse("csrf=x&name=%%41", 1), "bad-escape:name");
	CHECK_STR(parse("csrf=x&name=% 41", 1), "bad-escape:name");
	CHECK_STR(parse("na%zme=x", 1), "bad-escape:na?zme");
}

static void test_bad_values(void)
{
	CHECK_STR(parse("csrf=x&name=%C3%28", 1), "invalid-utf8:name");
	CHECK_STR(parse("csrf=x&name=%C0%AF", 1), "invalid-utf8:name"); /* overlong '/' */
	CHECK_STR(parse("csrf=x&name=%E0%80%AF", 1), "invalid-utf8:name");
	CHECK_STR(parse("csrf=x&name=%ED%A0%80", 1), "invalid-utf8:name"); /* surrogate */
	CHECK_STR(parse("csrf=x&name=caf%E9", 1), "invalid-utf8:name");    /* Latin-1 */
	CHECK_STR(parse("csrf=x&name=%C3", 1), "invalid-utf8:name");       /* truncated */
	CHECK_STR(parse("csrf=x&name=a%00b", 1), "control-character:name");
	CHECK_STR(parse("csrf=x&name=a%1Bb", 1), "control-character:name");
	CHECK_STR(parse("csrf=x&name=a%7F", 1), "control-character:name");
	CHECK_STR(parse("csrf=x&name=a%C2%85", 1), "control-character:name"); /* NEL */
	CHECK_STR(parse("csrf=x&name=tab%09cr%0Dlf%0A", 1), "ok");
}

static void test_bad_names(void)
{
	char longname[FORM_MAX_NAME + 10];

	CHECK_STR(parse("Name=x", 0), "bad-name:?ame");
	CHECK_STR(parse("na+me=x", 0), "bad-name:na?me");
	CHECK_STR(parse("a%00=x", 0), "bad-name:a?");
	CHECK_STR(parse("%3Cscript%3E=x", 0), "bad-name:?script?");
	CHECK_STR(parse("=x", 0), "bad-name:");
	memset(longname, 'n', FORM_MAX_NAME);
	strcpy(longname + FORM_MAX_NAME, "=1");
	CHECK_STR(parse(longname, 0), "ok");
	memset(longname, 'n', FORM_MAX_NAME + 1);
	strcpy(longname + FORM_MAX_NAME + 1, "=1");
	CHECK(strncmp(parse(longname, 0), "bad-name:nnnn", 13) == 0);
}

static void test_allow_list(void)
{
	CHECK_STR(parse("csrf=x&name=y&admin=1", 1), "unknown-field:admin");
	CHECK_STR(parse("csrf=x&name=y&consent.=1", 1), "unknown-field:consent.");
	CHECK_STR(parse("csrf=x&name=y&consent=1", 1), "unknown-field:consent");
	CHECK_STR(parse("csrf=x&name=a&name=b", 1), "repeated-field:name");
	CHECK_STR(parse("csrf=x&name=a&consent.c1.web=yes&consent.c1.web=no", 1),
	          "repeated-field:consent.c1.web");
	CHECK_STR(parse("a=1&a=1", 0), "repeated-field:a");
	CHECK_STR(parse("csrf=x&name=a&class=3A&class=3B", 1), "ok"); /* multi */
	CHECK_STR(parse("csrf=x", 1), "missing-field:name");
	CHECK_STR(parse("name=x", 1), "missing-field:csrf");
	CHECK_STR(parse("", 1), "missing-field:csrf");
	CHECK_STR(parse("csrf=&name=", 1), "ok"); /* present but empty: the caller decides */
}

static void test_required_prefix(void)
{
	static const struct form_field t[] = {{"consent.", 3, 1, 0, 1}};
	struct form f;

	CHECK_INT(form_parse(&f, "x=1", 3, t, 1), -1);
	CHECK_INT(f.err, FORM_ERR_UNKNOWN);
	form_free(&f);
	CHECK_INT(form_parse(&f, "", 0, t, 1), -1);
	CHECK_INT(f.err, FORM_ERR_MISSING);
	CHECK_STR(f.errfield, "consent.");
	form_free(&f);
	CHECK_INT(form_parse(&f, "consent.a.b=yes", 15, t, 1), 0);
	form_free(&f);
	CHECK_INT(form_parse(&f, "consent.a.b=maybe", 17, t, 1), -1);
	CHECK_INT(f.err, FORM_ERR_VALUE_LONG);
	CHECK_STR(f.errfield, "consent.a.b");
	form_free(&f);
}

static void test_bounds(void)
{
	struct buf b = BUF_INIT;
	size_t i;

	/* value bounds from the table: name is 100 bytes, counted after decoding */
	buf_puts(&b, "csrf=x&name=");
	for (i = 0; i < 50; i++)
		buf_puts(&b, "%C5%B5"); /* ŵ, two bytes each */
	CHECK_STR(parse(buf_str(&b), 1), "ok");
	buf_puts(&b, "a");
	CHECK_STR(parse(buf_str(&b), 1), "value-too-long:name");
	CHECK_STR(parse("csrf=x&name=y&agree=11", 1), "value-too-long:agree");

	/* maxlen 0 is FORM_MAX_VALUE */
	buf_reset(&b);
	buf_puts(&b, "csrf=x&name=y&note=");
	for (i = 0; i < FORM_MAX_VALUE; i++)
		buf_putc(&b, 'v');
	CHECK_STR(parse(buf_str(&b), 1), "ok");
	buf_putc(&b, '+');
	CHECK_STR(parse(buf_str(&b), 1), "value-too-long:note");

	/* fields */
	buf_reset(&b);
	for (i = 0; i < FORM_MAX_FIELDS; i++)
		buf_printf(&b, "&f%zu=", i);
	CHECK_STR(parse(buf_str(&b), 0), "ok");
	buf_puts(&b, "&x=");
	CHECK_STR(parse(buf_str(&b), 0), "too-many-fields:");

	/* the whole body, before anything is decoded */
	buf_reset(&b);
	buf_puts(&b, "a=");
	while (b.len < FORM_MAX_BODY)
		buf_putc(&b, '%');
	CHECK_STR(parse(buf_str(&b), 0), "bad-escape:a");
	buf_putc(&b, '%');
	CHECK_STR(parse(buf_str(&b), 0), "body-too-long:");
	buf_free(&b);
}

static void test_messages(void)
{
	int e;

	for (e = 0; e < FORM_ERR__MAX; e++) {
		CHECK(form_error_names[e] != NULL);
		CHECK(form_strerror((enum form_error)e)[0] != '\0');
	}
	CHECK_STR(form_strerror(FORM_ERR__MAX), "unknown error");
}

static void test_cookie(void)
{
	char v[33];

	CHECK_INT(form_cookie("sid=ABC; lang=cy", "lang", v, sizeof v), 1);
	CHECK_STR(v, "cy");
	CHECK_INT(form_cookie("sid=ABC; lang=cy", "sid", v, sizeof v), 1);
	CHECK_STR(v, "ABC");
	CHECK_INT(form_cookie("sid=ABC;lang=cy  ", "lang", v, sizeof v), 1);
	CHECK_STR(v, "cy");
	CHECK_INT(form_cookie("lang=\"cy\"", "lang", v, sizeof v), 1);
	CHECK_STR(v, "cy");
	CHECK_INT(form_cookie("lang=", "lang", v, sizeof v), 1);
	CHECK_STR(v, "");
	/* the first of two wins */
	CHECK_INT(form_cookie("a=1; a=2", "a", v, sizeof v), 1);
	CHECK_STR(v, "1");
	/* names match whole, not as a prefix or suffix */
	CHECK_INT(form_cookie("xsid=1; sidx=2; sid", "sid", v, sizeof v), 0);
	CHECK_STR(v, "");
	CHECK_INT(form_cookie("", "sid", v, sizeof v), 0);
	CHECK_INT(form_cookie(NULL, "sid", v, sizeof v), 0);
	CHECK_INT(form_cookie(";;; ; sid=7", "sid", v, sizeof v), 1);
	CHECK_STR(v, "7");
	/* malformed values: space, quote, backslash, comma, non-ASCII, control */
	CHECK_INT(form_cookie("sid=a b", "sid", v, sizeof v), -1);
	CHECK_STR(v, "");
	CHECK_INT(form_cookie("sid=\"ab", "sid", v, sizeof v), -1);
	CHECK_INT(form_cookie("sid=a\\b", "sid", v, sizeof v), -1);
	CHECK_INT(form_cookie("sid=a,b", "sid", v, sizeof v), -1);
	CHECK_INT(form_cookie("sid=ŵ", "sid", v, sizeof v), -1);
	CHECK_INT(form_cookie("sid=a\tb", "sid", v, sizeof v), -1);
	/* bounded: 32 characters fit in 33 bytes, 33 do not */
	CHECK_INT(form_cookie("sid=0123456789abcdef0123456789abcdef", "sid", v, sizeof v), 1);
	CHECK_INT(form_cookie("sid=0123456789abcdef0123456789abcdef0", "sid", v, sizeof v), -1);
	CHECK_STR(v, "");
	CHECK_INT(form_cookie("sid=1", "sid", v, 1), -1);
}

int main(void)
{
	RUN(test_ordinary);
	RUN(test_welsh);
	RUN(test_shapes);
	RUN(test_bad_escapes);
	RUN(test_bad_values);
	RUN(test_bad_names);
	RUN(test_allow_list);
	RUN(test_required_prefix);
	RUN(test_bounds);
	RUN(test_messages);
	RUN(test_cookie);
	CHECK_MAIN();
}
