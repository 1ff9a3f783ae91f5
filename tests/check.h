/* check.h: the unit-test harness. Each test function is run by RUN(); it prints
 * "PASS name" or "FAIL name" (after the failed checks), and tests/run.sh counts them.
 * CHECK_MAIN ends main() with exit status 1 when any test failed. */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failed_now, check_nfail;

#define CHECK(expr)                                                                        \
	do {                                                                               \
		if (!(expr)) {                                                             \
			printf("  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #expr);  \
			check_failed_now = 1;                                              \
		}                                                                          \
	} while (0)

#define CHECK_STR(got, want)                                                               \
	do {                                                                               \
		const char *g_ = (got), *w_ = (want);                                      \
		if (g_ == NULL || strcmp(g_, w_) != 0) {                                   \
			printf("  %s:%d: %s\n    got:  \"%s\"\n    want: \"%s\"\n", __FILE__, \
			       __LINE__, #got, g_ ? g_ : "(null)", w_);                    \
			check_failed_now = 1;                                              \
		}                                                                          \
	} while (0)

#define CHECK_INT(got, want)                                                               \
	do {                                                                               \
		long long g_ = (long long)(got), w_ = (long long)(want);                   \
		if (g_ != w_) {                                                            \
			printf("  %s:%d: %s is %lld, want %lld\n", __FILE__, __LINE__, #got, g_, \
			       w_);                                                        \
			check_failed_now = 1;                                              \
		}                                                                          \
	} while (0)

#define RUN(fn)                                                                            \
	do {                                                                               \
		check_failed_now = 0;                                                      \
		fn();                                                                      \
		printf("%s %s\n", check_failed_now ? "FAIL" : "PASS", #fn);                \
		check_nfail += check_failed_now;                                           \
		fflush(stdout);                                                            \
	} while (0)

#define CHECK_MAIN() return check_nfail ? 1 : 0

/* Writes text to the file dir/rel (its folder must exist); a test reading it fails when
 * this could not. */
static inline void check_put(const char *dir, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, rel);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

/* Removes a test's temporary folder and all below it: 0, or -1 with a line saying so. */
static inline int check_remove(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		printf("  could not remove %s\n", dir);
		return -1;
	}
	return 0;
}

#endif
