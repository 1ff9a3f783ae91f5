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
	RUN(test_xml_drops_controls);
	RUN(test_url_encode);
	CHECK_MAIN();
}
