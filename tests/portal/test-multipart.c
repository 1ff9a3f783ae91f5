/* The multipart/form-data reader: a browser's upload, and every way a body is refused. */
#include "check.h"
#include "multipart.h"

#define CT "multipart/form-data; boundary=----WebKitFormBoundaryX3"
#define B "------WebKitFormBoundaryX3"

static int parse(struct multipart *m, const char *ct, const char *body)
{
	return multipart_parse(m, ct, body, strlen(body));
}

static void test_upload(void)
{
	static const char body[] =
	    B "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n0123abcd\r\n" B
	      "\r\nContent-Disposition: form-data; name=\"file\"; "
	      "filename=\"C:\\\\exports\\\\sims.csv\""
	      "\r\nContent-Type: text/csv\r\n\r\nAdno,Forename\r\n1,\"Ann " B "x\"\r\n\r\n" B
	      "\r\nContent-Disposition: form-data; name=\"allow_leavers\"\r\n\r\n1\r\n" B "--\r\n";
	struct multipart m;
	const struct multipart_part *f;

	CHECK(multipart_is(CT));
	CHECK(multipart_is("Multipart/Form-Data;boundary=x"));
	CHECK(!multipart_is("multipart/mixed; boundary=x"));
	CHECK_INT(parse(&m, CT, body), 0);
	CHECK_INT(m.nparts, 3);
	f = multipart_get(&m, "csrf");
	CHECK(f != NULL && f->len == 8 && !f->is_file && memcmp(f->data, "0123abcd", 8) == 0);
	f = multipart_get(&m, "file");
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(f->is_file, 1);
		CHECK_STR(f->filename, "sims.csv"); /* the path a browser may send is dropped */
		CHECK_STR(f->content_type, "text/csv");
		/* The data ends before CRLF and the boundary, and may hold the boundary without
		 * its CRLF. */
		CHECK_INT(f->len, strlen("Adno,Forename\r\n1,\"Ann " B "x\"\r\n"));
		CHECK(memcmp(f->data, "Adno,Forename\r\n", 15) == 0);
	}
	CHECK(multipart_get(&m, "nothing") == NULL);
	/* A quoted boundary; an empty file. */
	CHECK_INT(
	    parse(&m, "multipart/form-data; boundary=\"a b\"",
	          "--a b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n\r\n"
	          "\r\n--a b--"),
	    0);
	CHECK_INT(m.nparts, 1);
	CHECK_INT(m.part[0].len, 0);
	CHECK_INT(m.part[0].is_file, 1);
}

static void test_refused(void)
{
	struct multipart m;
	char many[4096];
	int i;

	/* Not multipart, no boundary, a boundary too long or with a bad character. */
	CHECK_INT(parse(&m, "application/x-www-form-urlencoded", "a=1"), -1);
	CHECK_INT(m.err, MULTIPART_ERR_TYPE);
	CHECK_INT(parse(&m, "multipart/form-data", "--x\r\n"), -1);
	CHECK_INT(m.err, MULTIPART_ERR_TYPE);
	CHECK_INT(parse(&m,
	                "multipart/form-data; boundary="
	                "12345678901234567890123456789012345678901234567890123456789012345678901",
	                ""),
	          -1);
	CHECK_INT(m.err, MULTIPART_ERR_TYPE);
	CHECK_INT(parse(&m, "multipart/form-data; boundary=a\"b", ""), -1);
	/* The body does not start with the boundary, or never closes. */
	CHECK_INT(parse(&m, "multipart/form-data; boundary=q", "junk\r\n--q--"), -1);
	CHECK_INT(m.err, MULTIPART_ERR_BOUNDARY);
	CHECK_INT(parse(&m, "multipart/form-data; boundary=q",
	                "--q\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1"),
	          -1);
	CHECK_INT(m.err, MULTIPART_ERR_BOUNDARY);
	CHECK_INT(m.nparts, 0);
	/* Part headers: no Content-Disposition, not form-data, a line without ':', endless. */
	CHECK_INT(parse(&m, "multipart/form-data; boundary=q",
	                "--q\r\nContent-Type: text/plain\r\n\r\n1\r\n--q--"),
	          -1);
	CHECK_INT(m.err, MULTIPART_ERR_HEADER);
	CHECK_INT(parse(&m, "multipart/form-data; boundary=q",
	                "--q\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n1\r\n--q--"),
	          -1);
	CHECK_INT(parse(&m, "multipart/form-data; boundary=q",
	                "--q\r\nContent-Disposition form-data\r\n\r\n1\r\n--q--"),
	          -1);
	CHECK_INT(m.err, MULTIPART_ERR_HEADER);
	memset(many, 'a', sizeof many);
	memcpy(many, "--q\r\nX-A: ", 10);
	many[sizeof many - 1] = '\0';
	CHECK_INT(parse(&m, "multipart/form-data; boundary=q", many), -1);
	CHECK_INT(m.err, MULTIPART_ERR_HEADER);
	/* Names: missing, outside [a-z0-9_.-], given twice. */
	CHECK_INT(parse(&m, "multipart/form-data; boundary=q",
	                "--q\r\nContent-Disposition: form-data\r\n\r\n1\r\n--q--"),
	          -1);
	CHECK_INT(m.err, MULTIPART_ERR_HEADER);
	CHECK_INT(parse(&m, "multipart/form-data; boundary=q",
	                "--q\r\nContent-Disposition: form-data; name=\"A<b>\"\r\n\r\n1\r\n--q--"),
	          -1);
	CHECK_INT(m.err, MULTIPART_ERR_NAME);
	CHECK_INT(parse(&m, "multipart/form-data; boundary=q",
	                "--q\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
	                "--q\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n2\r\n--q--"),
	          -1);
	CHECK_INT(m.err, MULTIPART_ERR_NAME);
	/* More parts than the bound. */
	{
		char body[2048] = "";
		for (i = 0; i <= MULTIPART_MAX_PARTS; i++)
			snprintf(body + strlen(body), sizeof body - strlen(body),
			         "--q\r\nContent-Disposition: form-data; name=\"p%d\"\r\n\r\nv\r\n",
			         i);
		strcat(body, "--q--");
		CHECK_INT(parse(&m, "multipart/form-data; boundary=q", body), -1);
		CHECK_INT(m.err, MULTIPART_ERR_PARTS);
	}
	CHECK(strlen(multipart_strerror(MULTIPART_ERR_PARTS)) > 0);
	CHECK_STR(multipart_error_names[MULTIPART_ERR_NAME], "bad-part-name");
}

int main(void)
{
	RUN(test_upload);
	RUN(test_refused);
	CHECK_MAIN();
}
