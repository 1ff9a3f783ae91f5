/* wire: the framed messages between office.fcgi and policygen serve. */
#include <unistd.h>

#include "check.h"
#include "wire.h"

static void test_round_trip(void)
{
	struct buf b = BUF_INIT, err = BUF_INIT;
	struct arena *a = arena_new();
	struct wire_msg m;
	size_t n = 0;
	/* a value that looks like framing: it must stay one value */
	const char tricky[] = "x 3\nabc\n.\nerror 1\nz\n";

	wire_begin(&b, "publish");
	wire_puts(&b, "slug", "code-of-conduct");
	wire_put(&b, "body", tricky, sizeof tricky - 1);
	wire_put(&b, "nul", "a\0b", 3);
	wire_puts(&b, "skipped", NULL);
	wire_puts(&b, "slug", "again");
	wire_end(&b);
	CHECK_INT(wire_parse(&m, a, b.data, b.len, &err), (long)b.len);
	CHECK_STR(m.verb, "publish");
	CHECK_INT(m.n, 4);
	CHECK_STR(wire_get(&m, "slug"), "code-of-conduct");
	CHECK_STR(wire_getn(&m, "body", &n), tricky);
	CHECK_INT(n, sizeof tricky - 1);
	CHECK(wire_getn(&m, "nul", &n) && n == 3 && memcmp(wire_get(&m, "nul"), "a\0b", 3) == 0);
	CHECK(wire_get(&m, "skipped") == NULL);
	CHECK(wire_get(&m, "error") == NULL);
	buf_free(&b);
	buf_free(&err);
	arena_free(a);
}

static void test_incomplete(void)
{
	struct buf b = BUF_INIT, err = BUF_INIT;
	struct arena *a = arena_new();
	struct wire_msg m;
	size_t i;

	wire_begin(&b, "ok");
	wire_puts(&b, "page", "<html>");
	wire_end(&b);
	/* every strict prefix is "not yet", never a message nor an error */
	for (i = 0; i < b.len; i++)
		CHECK_INT(wire_parse(&m, a, b.data, i, &err), 0);
	CHECK_STR(buf_str(&err), "");
	buf_free(&b);
	buf_free(&err);
	arena_free(a);
}

static void test_malformed(void)
{
	static const char *const bad[] = {
	    "Bad\n.\n",               /* verb not [a-z0-9_.-] */
	    "ok\nname\n.\n",          /* no length */
	    "ok\nname x\n.\n",        /* length not a number */
	    "ok\nname -1\n.\n",       /* nor negative */
	    "ok\nNAME 1\na\n.\n",     /* name case */
	    "ok\nname 1\nab\n.\n",    /* value longer than said */
	    "ok\nname 99999999999\n", /* beyond the bound */
	};
	struct buf err = BUF_INIT;
	struct arena *a = arena_new();
	struct wire_msg m;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		buf_reset(&err);
		if (wire_parse(&m, a, bad[i], strlen(bad[i]), &err) != -1)
			printf("  accepted: %s\n", bad[i]), check_failed_now = 1;
		CHECK(err.len > 0);
	}
	buf_free(&err);
	arena_free(a);
}

static void test_read_pipe(void)
{
	struct buf b = BUF_INIT, raw = BUF_INIT, err = BUF_INIT;
	struct arena *a = arena_new();
	struct wire_msg m;
	int p[2];

	CHECK(pipe(p) == 0);
	wire_begin(&b, "one");
	wire_end(&b);
	wire_begin(&b, "two");
	wire_puts(&b, "k", "v");
	wire_end(&b);
	CHECK(wire_write(p[1], &b) == 0);
	close(p[1]);
	CHECK_INT(wire_read(p[0], &raw, &m, a, 1000, &err), 1);
	CHECK_STR(m.verb, "one");
	CHECK_INT(wire_read(p[0], &raw, &m, a, 1000, &err), 1);
	CHECK_STR(m.verb, "two");
	CHECK_STR(wire_get(&m, "k"), "v");
	CHECK_INT(wire_read(p[0], &raw, &m, a, 1000, &err), 0);
	close(p[0]);
	/* a message cut short by the end of the stream is an error, not a message */
	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "ok\nk 5\nab", 9) == 9);
	close(p[1]);
	buf_reset(&raw);
	CHECK_INT(wire_read(p[0], &raw, &m, a, 1000, &err), -1);
	close(p[0]);
	/* and silence is a time-out */
	CHECK(pipe(p) == 0);
	buf_reset(&raw);
	buf_reset(&err);
	CHECK_INT(wire_read(p[0], &raw, &m, a, 50, &err), -1);
	CHECK_STR(buf_str(&err), "no answer in time");
	close(p[0]);
	close(p[1]);
	buf_free(&b);
	buf_free(&raw);
	buf_free(&err);
	arena_free(a);
}

int main(void)
{
	RUN(test_round_trip);
	RUN(test_incomplete);
	RUN(test_malformed);
	RUN(test_read_pipe);
	CHECK_MAIN();
}
