/* upload: multipart/form-data as browsers send it, and what is refused. */
#include "check.h"
#include "upload.h"

#define CT "multipart/form-data; boundary=----abc"

static void test_browser_body(void)
{
	static const char body[] =
	    "------abc\r\n"
	    "Content-Disposition: form-data; name=\"csrf\"\r\n\r\n"
	    "0123\r\n"
	    "------abc\r\n"
	    "Content-Disposition: form-data; name=\"docx\"; filename=\"a.docx\"\r\n"
	    "Content-Type: application/octet-stream\r\n\r\n"
	    "PK\x03\x04\r\n--not the end\r\n"
	    "------abc--\r\n";
	struct upload u;
	const struct upload_part *p;

	CHECK_INT(upload_parse(&u, CT, body, sizeof body - 1), 0);
	CHECK_INT(u.n, 2);
	p = upload_get(&u, "csrf");
	CHECK(p && p->len == 4 && memcmp(p->value, "0123", 4) == 0 && !p->is_file);
	p = upload_get(&u, "docx");
	CHECK(p && p->is_file && p->len == 19 &&
	      memcmp(p->value, "PK\x03\x04\r\n--not the end", 19) == 0);
	CHECK(upload_get(&u, "other") == NULL);
}

static void test_refused(void)
{
	static const char ok_part[] =
	    "------abc\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n------abc--\r\n";
	static const char bad_name[] =
	    "------abc\r\nContent-Disposition: form-data; name=\"A B\"\r\n\r\nx\r\n------abc--\r\n";
	static const char no_disp[] =
	    "------abc\r\nContent-Type: text/plain\r\n\r\nx\r\n------abc--\r\n";
	static const char unclosed[] =
	    "------abc\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx";
	static const char other_boundary[] =
	    "--zzz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--zzz--\r\n";
	struct upload u;

	CHECK_INT(
	    upload_parse(&u, "application/x-www-form-urlencoded", ok_part, sizeof ok_part - 1), -1);
	CHECK_INT(upload_parse(&u, "multipart/form-data", ok_part, sizeof ok_part - 1), -1);
	CHECK_INT(upload_parse(&u, CT, bad_name, sizeof bad_name - 1), -1);
	CHECK_INT(upload_parse(&u, CT, no_disp, sizeof no_disp - 1), -1);
	CHECK_INT(upload_parse(&u, CT, unclosed, sizeof unclosed - 1), -1);
	CHECK_INT(upload_parse(&u, CT, other_boundary, sizeof other_boundary - 1), -1);
	CHECK_INT(upload_parse(&u, CT, "", 0), -1);
}

static void test_too_many_parts(void)
{
	char body[8192];
	size_t n = 0;
	int i;
	struct upload u;

	for (i = 0; i <= UPLOAD_MAX_PARTS; i++)
		n += (size_t)snprintf(
		    body + n, sizeof body - n,
		    "------abc\r\nContent-Disposition: form-data; name=\"p%d\"\r\n\r\nv\r\n", i);
	n += (size_t)snprintf(body + n, sizeof body - n, "------abc--\r\n");
	CHECK_INT(upload_parse(&u, CT, body, n), -1);
}

int main(void)
{
	RUN(test_browser_body);
	RUN(test_refused);
	RUN(test_too_many_parts);
	CHECK_MAIN();
}
