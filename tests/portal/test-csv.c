#include "check.h"
#include "csv.h"

/* Reads all of s and appends each record to out as "line:field|field|...\n", or on an
 * error "error line:field:name\n". Returns what the last csv_next returned. */
static int dump(const char *s, size_t len, struct buf *out)
{
	struct csv c;
	size_t i;
	int rc;

	csv_init(&c, s, len);
	while ((rc = csv_next(&c)) > 0) {
		buf_printf(out, "%zu:", c.line);
		for (i = 0; i < c.nfield; i++)
			buf_printf(out, "%s%s", i ? "|" : "", c.field[i]);
		buf_putc(out, '\n');
	}
	if (rc < 0)
		buf_printf(out, "error %zu:%zu:%s\n", c.err_line, c.err_field,
		           csv_error_names[c.err]);
	CHECK(csv_next(&c) == rc); /* the end and errors are both final */
	csv_free(&c);
	return rc;
}

#define READS(s, want)                                                                             \
	do {                                                                                       \
		struct buf o_ = BUF_INIT;                                                          \
		dump(s, sizeof(s) - 1, &o_);                                                       \
		CHECK_STR(buf_str(&o_), want);                                                     \
		buf_free(&o_);                                                                     \
	} while (0)

static void test_plain(void)
{
	READS("family_ref,first_name\nF1,Siân\nF2,Dafydd\n",
	      "1:family_ref|first_name\n2:F1|Siân\n3:F2|Dafydd\n");
	READS("a,b", "1:a|b\n"); /* no final line break */
	READS("a,,c,\n", "1:a||c|\n");
	READS(",\n", "1:|\n");
	READS(" spaced , kept \n", "1: spaced | kept \n");
	READS("", "");
}

static void test_line_endings(void)
{
	READS("a,b\r\nc,d\r\n", "1:a|b\n2:c|d\n");
	READS("a\r\nb\nc\rd", "1:a\n2:b\n3:c\n4:d\n"); /* mixed, and old Mac CR */
}

static void test_blank_lines(void)
{
	READS("\n\na\n\n\r\nb\n\n", "3:a\n6:b\n");
	READS("\r\n\r\n", "");
	READS("\"\"\n", "1:\n"); /* one empty quoted field is a record, not a blank line */
}

static void test_bom(void)
{
	READS("\xef\xbb\xbf"
	      "family_ref,class\r\nF1,Dosbarth 2\r\n",
	      "1:family_ref|class\n2:F1|Dosbarth 2\n");
	READS("\xef\xbb\xbf", "");
	/* only at the very start; elsewhere it is an ordinary (odd) character */
	READS("a\n\xef\xbb\xbf"
	      "b\n",
	      "1:a\n2:\xef\xbb\xbf"
	      "b\n");
}

static void test_quotes(void)
{
	READS("\"Jones, Siân\",\"say \"\"hi\"\"\",\"\"\n", "1:Jones, Siân|say \"hi\"|\n");
	READS("\"\"\"\"", "1:\"\n");
	READS("\"a\",b\r\n", "1:a|b\n");
}

static void test_embedded_newlines(void)
{
	/* the record after a multi-line field still gets its true line number */
	READS("ref,carers\nF1,\"Mrs A Jones\nMr B Jones\"\nF2,\"one\r\ntwo\r\nthree\"\r\nF3,x\n",
	      "1:ref|carers\n2:F1|Mrs A Jones\nMr B Jones\n4:F2|one\r\ntwo\r\nthree\n"
	      "7:F3|x\n");
	/* and so does an error after one */
	READS("a,\"b\nc\"\nd,e\"f\n", "1:a|b\nc\nerror 3:2:bare-quote\n");
}

static void test_quote_errors(void)
{
	READS("a\nb,\"unterminated\nc\nd\n", "1:a\nerror 2:2:unterminated-quote\n");
	READS("\"", "error 1:1:unterminated-quote\n");
	READS("a,b\"c\n", "error 1:2:bare-quote\n");
	READS("a\n\n O'Neill \"Jr\"\n", "1:a\nerror 3:1:bare-quote\n");
	READS("\"a\"b,c\n", "error 1:1:text-after-quote\n");
	READS("x\n\"a\" ,c\n", "1:x\nerror 2:1:text-after-quote\n");
}

static void test_encoding_errors(void)
{
	READS("ok\ncaf\xe9,x\n", "1:ok\nerror 2:1:invalid-utf8\n"); /* Latin-1 */
	READS("a,\"\xc3\x28\"\n", "error 1:2:invalid-utf8\n");      /* in quotes */
	READS("a,\xed\xa0\x80\n", "error 1:2:invalid-utf8\n");      /* surrogate */
	READS("a,\xc0\xaf\n", "error 1:2:invalid-utf8\n");          /* overlong */
	READS("\xff\xfe"
	      "a\0,\0b\0",
	      "error 1:1:nul-byte\n"); /* UTF-16: the hint says so */
	READS("a\nb\0c\n", "1:a\nerror 2:1:nul-byte\n");
}

static void test_bounds(void)
{
	struct csv c;
	const char *s = "abcd,\"ef\"\"g\"\nabcde\n\"a\nbcde\"\n";
	char many[] = "1,2,3,4\n1,2,3,4,5\n";

	csv_init(&c, s, strlen(s));
	c.max_field = 4;
	CHECK_INT(csv_next(&c), 1); /* exactly four bytes is allowed, quotes not counted */
	CHECK_INT(c.nfield, 2);
	CHECK_STR(c.field[1], "ef\"g");
	CHECK_INT(csv_next(&c), -1);
	CHECK_INT(c.err, CSV_ERR_FIELD_LONG);
	CHECK_INT(c.err_line, 2);
	CHECK_INT(c.nfield, 0);
	csv_free(&c);

	csv_init(&c, s + 19, strlen(s + 19)); /* the quoted one with a newline */
	c.max_field = 4;
	CHECK_INT(csv_next(&c), -1);
	CHECK_INT(c.err, CSV_ERR_FIELD_LONG);
	csv_free(&c);

	csv_init(&c, many, sizeof many - 1);
	c.max_fields = 4;
	CHECK_INT(csv_next(&c), 1);
	CHECK_INT(c.nfield, 4);
	CHECK_INT(csv_next(&c), -1);
	CHECK_INT(c.err, CSV_ERR_FIELDS_MANY);
	CHECK_INT(c.err_line, 2);
	CHECK_INT(c.err_field, 5);
	csv_free(&c);
	csv_free(&c); /* twice is fine */
}

static void test_default_bounds(void)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	size_t i;

	for (i = 0; i < CSV_MAX_FIELD; i++)
		buf_putc(&in, 'x');
	buf_puts(&in, "\n");
	CHECK_INT(dump(in.data, in.len, &out), 0);
	buf_reset(&out);
	buf_putc(&in, 'x');
	for (i = 0; i < CSV_MAX_FIELD + 1; i++)
		buf_putc(&in, 'y');
	CHECK_INT(dump(in.data, in.len, &out), -1);
	CHECK_STR(buf_str(&out) + out.len - 25, "error 2:1:field-too-long\n");
	buf_free(&in);
	buf_free(&out);

	for (i = 0; i < CSV_MAX_FIELDS; i++)
		buf_puts(&in, i ? ",x" : "x");
	CHECK_INT(dump(in.data, in.len, &out), 0);
	buf_reset(&out);
	buf_puts(&in, ",x");
	CHECK_INT(dump(in.data, in.len, &out), -1);
	CHECK_STR(buf_str(&out), "error 1:257:too-many-fields\n");
	buf_free(&in);
	buf_free(&out);
}

static void test_messages(void)
{
	int e;

	for (e = 0; e < CSV_ERR__MAX; e++) {
		CHECK(csv_error_names[e] != NULL);
		CHECK(csv_strerror((enum csv_error)e)[0] != '\0');
	}
	CHECK(strstr(csv_strerror(CSV_ERR_UTF8), "CSV UTF-8") != NULL);
}

#define CELL(in, want)                                                                             \
	do {                                                                                       \
		struct buf b_ = BUF_INIT;                                                          \
		csv_cell(&b_, in);                                                                 \
		CHECK_STR(buf_str(&b_), want);                                                     \
		buf_free(&b_);                                                                     \
	} while (0)

static void test_cell_quoting(void)
{
	CELL("plain", "plain");
	CELL("", "");
	CELL("Jones, Siân", "\"Jones, Siân\"");
	CELL("say \"hi\"", "\"say \"\"hi\"\"\"");
	CELL("\"", "\"\"\"\"");
	CELL("a\nb", "\"a\nb\"");
	CELL("a\r\nb", "\"a\r\nb\"");
	CELL("x-y", "x-y"); /* a minus sign after the start is harmless */
	CELL("a=b", "a=b");
}

static void test_cell_formula_injection(void)
{
	CELL("=1+1", "\"'=1+1\"");
	CELL("+44 1234", "\"'+44 1234\"");
	CELL("-3", "\"'-3\"");
	CELL("@SUM(A1:A9)", "\"'@SUM(A1:A9)\"");
	CELL("\tx", "\"'\tx\"");
	CELL("\r=x", "\"'\r'=x\"");
	CELL("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	CELL("=", "\"'=\"");
	/* A spreadsheet that splits on ';' (or ',', a tab, a line) sees a new cell after
	 * each: a cell holding one is quoted, and a dangerous character after any of them
	 * is neutralised as at the start. */
	CELL("a;b", "\"a;b\"");
	CELL("Jones;=1+1", "\"Jones;'=1+1\"");
	CELL("x;@SUM(A1)", "\"x;'@SUM(A1)\"");
	CELL("x,+1", "\"x,'+1\"");
	CELL("x\t-1", "\"x\t'-1\"");
	CELL("a\n=b", "\"a\n'=b\"");
	CELL("a\r\n=b", "\"a\r\n'=b\"");
	CELL("=a;=b", "\"'=a;'=b\"");
	CELL("Pritchard-Jones; Siân", "\"Pritchard-Jones; Siân\"");
}

static void test_rows(void)
{
	struct buf b = BUF_INIT;
	const char *row[] = {"F1", NULL, "=cmd", "Dosbarth 2, Mr Ŵ"};

	csv_bom(&b);
	csv_cell(&b, "family_ref");
	csv_sep(&b);
	csv_cell(&b, "name");
	csv_row_end(&b);
	csv_row(&b, row, 4);
	CHECK_STR(buf_str(&b), "\xef\xbb\xbf"
	                       "family_ref,name\r\nF1,,\"'=cmd\",\"Dosbarth 2, Mr Ŵ\"\r\n");
	buf_free(&b);
}

static void test_round_trip(void)
{
	static const char *const cells[] = {
	    "Siôn ap Gwŷn", "Llŵyd, Gwenllïan", "Rhys \"Ŵ\" Evans", "dwy\r\nlinell", "ŷ,ŵ", "",
	    "ẃ ẁ ẅ ỳ ý ÿ",
	};
	size_t n = sizeof cells / sizeof cells[0], i;
	struct buf b = BUF_INIT;
	struct csv c;

	csv_bom(&b);
	csv_row(&b, cells, n);
	csv_row(&b, cells, n);
	csv_init(&c, b.data, b.len);
	CHECK_INT(csv_next(&c), 1);
	CHECK_INT(c.nfield, n);
	for (i = 0; i < n && i < c.nfield; i++)
		CHECK_STR(c.field[i], cells[i]);
	CHECK_INT(csv_next(&c), 1);
	CHECK_INT(c.line, 3); /* the first row spans two lines */
	CHECK_STR(c.field[0], "Siôn ap Gwŷn");
	CHECK_INT(csv_next(&c), 0);
	csv_free(&c);
	buf_free(&b);
}

int main(void)
{
	RUN(test_plain);
	RUN(test_line_endings);
	RUN(test_blank_lines);
	RUN(test_bom);
	RUN(test_quotes);
	RUN(test_embedded_newlines);
	RUN(test_quote_errors);
	RUN(test_encoding_errors);
	RUN(test_bounds);
	RUN(test_default_bounds);
	RUN(test_messages);
	RUN(test_cell_quoting);
	RUN(test_cell_formula_injection);
	RUN(test_rows);
	RUN(test_round_trip);
	CHECK_MAIN();
}
