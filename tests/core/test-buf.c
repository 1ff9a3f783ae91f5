/* Unit tests of buf_put_ll and buf_put_size: the same bytes as "%lld" and "%zu" (the event
 * log hashes what they write, so a difference would break every chain), at the limits
 * and at every length, appended after what the buffer holds. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

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

int main(void)
{
	RUN(test_decimal);
	RUN(test_decimal_oom);
	CHECK_MAIN();
}
