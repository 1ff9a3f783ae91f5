/* Unit tests of buf_put_ll and buf_put_size: the same bytes as "%lld" and "%zu" (the event
 * log hashes what they write, so a difference would break every chain), at the limits
 * and at every length, appended after what the buffer holds; and of the quick read of a
 * file whose size is known (buf_read_known_fd), which must give the whole file or refuse
 * it whatever the size it was told. */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"

static void check_ll(long long v)
{
	struct buf b = BUF_INIT;
	char want[48];

	snprintf(want, sizeof want, "x%lld", v);
	buf_putc(&b, 'x');
	buf_put_ll(&b, v);
	CHECK_STR(buf_str(&b), want);
	buf_free(&b);
}

static void check_size(size_t n)
{
	struct buf b = BUF_INIT;
	char want[48];

	snprintf(want, sizeof want, "t:%zu:", n);
	buf_puts(&b, "t:");
	buf_put_size(&b, n);
	buf_putc(&b, ':');
	CHECK_STR(buf_str(&b), want);
	buf_free(&b);
}

static void test_decimal(void)
{
	long long p = 1;
	int i;

	check_ll(0);
	check_ll(-1);
	check_ll(LLONG_MAX);
	check_ll(LLONG_MIN);
	check_ll(LLONG_MIN + 1);
	for (i = 0; i < 18; i++, p *= 10) {
		check_ll(p);
		check_ll(p - 1);
		check_ll(p + 7);
		check_ll(-p);
	}
	check_size(0);
	check_size(9);
	check_size(10);
	check_size(64);
	check_size(SIZE_MAX);
}

/* A buffer already out of memory stays so: nothing is written. */
static void test_decimal_oom(void)
{
	struct buf b = BUF_INIT;

	b.oom = 1;
	buf_put_ll(&b, 42);
	buf_put_size(&b, 42);
	CHECK(!buf_ok(&b) && b.len == 0);
}

/* The file's bytes whether the size given is right, too small (the file grew since its
 * status was taken) or too large (it shrank); appended to what the buffer holds; over
 * the limit refused. */
static void test_read_known_fd(void)
{
	char path[] = "/tmp/test-buf-XXXXXX", why[256];
	const char text[] = "title: Anti-bullying\n---\nBody.\n";
	size_t n = sizeof text - 1, sizes[] = {n, n - 5, n + 5, 1};
	struct buf b = BUF_INIT;
	int fd = mkstemp(path);
	size_t i;

	CHECK(fd >= 0);
	CHECK(write(fd, text, n) == (ssize_t)n);
	for (i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		CHECK(lseek(fd, 0, SEEK_SET) == 0);
		buf_reset(&b);
		buf_puts(&b, ">");
		CHECK_INT(buf_read_known_fd(fd, path, sizes[i], 1000, &b, why, sizeof why), 0);
		CHECK_INT((long)b.len, (long)n + 1);
		CHECK(memcmp(buf_str(&b) + 1, text, n) == 0 && buf_str(&b)[b.len] == '\0');
	}
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	buf_reset(&b);
	CHECK_INT(buf_read_known_fd(fd, path, n, 10, &b, why, sizeof why), -1);
	CHECK(strstr(why, "over the limit of 10 bytes") != NULL);
	close(fd);
	unlink(path);
	buf_free(&b);
}

int main(void)
{
	RUN(test_read_known_fd);
	RUN(test_decimal);
	RUN(test_decimal_oom);
	CHECK_MAIN();
}
