#include "check.h"
#include "html.h"

static void test_escape_text(void)
{
	struct buf b = BUF_INIT;
	html_escapes(&b, "<script>alert('x & \"y\"')</script>");
	CHECK_STR(buf_str(&b), "&lt;script&gt;alert(&#39;x &amp; &quot;y&quot;&#39;)&lt;/script&gt;");
	buf_free(&b);
}

static void test_escape_keeps_utf8(void)
{
	struct buf b = BUF_INIT;
	html_escapes(&b, "Polisi Cyfryngau Cymdeithasol – ŵ ŷ");
	CHECK_STR(buf_str(&b), "Polisi Cyfryngau Cymdeithasol – ŵ ŷ");
	buf_free(&b);
}

/* Runs of plain bytes are copied whole: empty strings, entities at both ends and side by
 * side, a length that stops before the NUL or takes a NUL in, and a buffer that must grow
 * in the middle of a run. */
static void test_escape_runs(void)
{
	struct buf b = BUF_INIT;
	char big[3001];

	html_escapes(&b, "");
	CHECK(b.data == NULL || b.len == 0);
	html_escapes(&b, "&");
	html_escapes(&b, "<>a\"'");
	CHECK_STR(buf_str(&b), "&amp;&lt;&gt;a&quot;&#39;");
	buf_reset(&b);
	html_escape(&b, "a<b>c", 3);
	html_escape(&b, "x\0<", 3);
	CHECK_INT(b.len, 12);
	CHECK(memcmp(b.data, "a&lt;bx\0&lt;", 12) == 0);
	buf_reset(&b);
	memset(big, 'z', 3000);
	big[0] = '&';
	big[3000] = '\0';
	html_escapes(&b, big);
	CHECK_INT(b.len, 3004);
	CHECK(memcmp(b.data, "&amp;zz", 7) == 0 && b.data[3003] == 'z' && b.data[3004] == '\0');
	CHECK(buf_ok(&b));
	buf_free(&b);
}

static void test_xml_drops_controls(void)
{
	struct buf b = BUF_INIT;
	xml_escapes(&b, "a\001b<\tc");
	CHECK_STR(buf_str(&b), "ab&lt;\tc");
	buf_free(&b);
}

static void test_url_encode(void)
{
	struct buf b = BUF_INIT;
	url_encodes(&b, "a b/c?d=é");
	CHECK_STR(buf_str(&b), "a%20b%2Fc%3Fd%3D%C3%A9");
	buf_free(&b);
}

int main(void)
{
	RUN(test_escape_text);
	RUN(test_escape_keeps_utf8);
	RUN(test_escape_runs);
	RUN(test_xml_drops_controls);
	RUN(test_url_encode);
	CHECK_MAIN();
}
