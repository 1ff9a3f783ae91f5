#include "check.h"
#include "utf8.h"

/* Byte strings given with an explicit length so that NUL and truncation can be tested. */
#define V(s) utf8_valid(s, sizeof(s) - 1)

static void test_valid(void)
{
	CHECK(V(""));
	CHECK(V("plain ASCII"));
	CHECK(V("Cymraeg: ŵ ŷ â ê î ô û ẁ ẃ ẅ ỳ"));
	CHECK(V("\xc2\x80"));         /* U+0080, smallest two-byte */
	CHECK(V("\xdf\xbf"));         /* U+07FF */
	CHECK(V("\xe0\xa0\x80"));     /* U+0800, smallest three-byte */
	CHECK(V("\xed\x9f\xbf"));     /* U+D7FF, just below the surrogates */
	CHECK(V("\xee\x80\x80"));     /* U+E000, just above them */
	CHECK(V("\xef\xbf\xbd"));     /* U+FFFD */
	CHECK(V("\xf0\x90\x80\x80")); /* U+10000, smallest four-byte */
	CHECK(V("\xf4\x8f\xbf\xbf")); /* U+10FFFF, the largest code point */
	CHECK(V("a\0b"));             /* U+0000 is UTF-8; the _text/_line variants refuse it */
}

static void test_overlong(void)
{
	CHECK(!V("\xc0\xaf"));         /* '/' in two bytes */
	CHECK(!V("\xc1\xbf"));         /* U+007F in two bytes */
	CHECK(!V("\xc0\x80"));         /* "modified UTF-8" NUL */
	CHECK(!V("\xe0\x80\xaf"));     /* '/' in three bytes */
	CHECK(!V("\xe0\x9f\xbf"));     /* U+07FF in three bytes */
	CHECK(!V("\xf0\x80\x80\xaf")); /* '/' in four bytes */
	CHECK(!V("\xf0\x8f\xbf\xbf")); /* U+FFFF in four bytes */
}

static void test_surrogates_and_range(void)
{
	CHECK(!V("\xed\xa0\x80"));             /* U+D800 */
	CHECK(!V("\xed\xbf\xbf"));             /* U+DFFF */
	CHECK(!V("\xed\xa0\xbd\xed\xb2\xa9")); /* CESU-8 pair for U+1F4A9 */
	CHECK(!V("\xf4\x90\x80\x80"));         /* U+110000 */
	CHECK(!V("\xf5\x80\x80\x80"));
	CHECK(!V("\xf8\x88\x80\x80\x80")); /* old five-byte form */
	CHECK(!V("\xfe"));
	CHECK(!V("\xff"));
}

static void test_broken_sequences(void)
{
	CHECK(!V("\x80")); /* lone continuation byte */
	CHECK(!V("a\xbf"));
	CHECK(!V("\xc3")); /* truncated at the end */
	CHECK(!V("\xe2\x82"));
	CHECK(!V("\xf0\x9f\x92"));
	CHECK(!V("\xc3\x28")); /* continuation replaced by ASCII */
	CHECK(!V("\xe2\x28\xa1"));
	CHECK(!V("\xe2\x82\x28"));
	CHECK(!V("\xf0\x28\x8c\xbc"));
	CHECK(!V("\xc5\xb5\xc5")); /* "ŵ" then half of another */
	CHECK(!V("caf\xe9"));      /* Latin-1 é, as a spreadsheet might save it */
	/* the length given is what counts, not a NUL */
	CHECK(!utf8_valid("\xc5\xb5", 1));
	CHECK(utf8_valid("\xc5\xb5\xc5", 2));
}

static void test_next_decodes(void)
{
	uint32_t c;

	CHECK_INT(utf8_next("A", 1, &c), 1);
	CHECK_INT(c, 'A');
	CHECK_INT(utf8_next("\xc5\xb5", 2, &c), 2); /* ŵ */
	CHECK_INT(c, 0x175);
	CHECK_INT(utf8_next("\xe2\x82\xac", 3, &c), 3); /* € */
	CHECK_INT(c, 0x20ac);
	CHECK_INT(utf8_next("\xf0\x9f\x98\x80", 4, &c), 4);
	CHECK_INT(c, 0x1f600);
	CHECK_INT(utf8_next("\xf4\x8f\xbf\xbf", 4, &c), 4);
	CHECK_INT(c, 0x10ffff);
	CHECK_INT(utf8_next("\xe2\x82\xac", 2, &c), 0);
	CHECK_INT(c, 0);
	CHECK_INT(utf8_next("", 0, &c), 0);
}

static void test_text_and_line(void)
{
	const char multi[] = "Line one\r\nLine two\n\tindented ŵ";

	CHECK(utf8_valid_text(multi, sizeof multi - 1));
	CHECK(!utf8_valid_line(multi, sizeof multi - 1));
	CHECK(utf8_valid_line("Siân\tJones", 11));
	CHECK(!utf8_valid_line("a\nb", 3));
	CHECK(!utf8_valid_line("a\rb", 3));
	/* control characters: NUL, escape, DEL and C1 (U+0085 NEL, U+009F) */
	CHECK(!utf8_valid_text("a\0b", 3));
	CHECK(!utf8_valid_text("a\x1b[31m", 7));
	CHECK(!utf8_valid_text("a\x7f", 2));
	CHECK(!utf8_valid_text("a\xc2\x85", 3));
	CHECK(!utf8_valid_line("\xc2\x9f", 2));
	CHECK(utf8_valid_line("\xc2\xa0", 2)); /* U+00A0 no-break space is not a control */
	/* and they are still strict about encoding */
	CHECK(!utf8_valid_text("\xc0\xaf", 2));
	CHECK(!utf8_valid_line("\xed\xa0\x80", 3));
}

int main(void)
{
	RUN(test_valid);
	RUN(test_overlong);
	RUN(test_surrogates_and_range);
	RUN(test_broken_sequences);
	RUN(test_next_decodes);
	RUN(test_text_and_line);
	CHECK_MAIN();
}
