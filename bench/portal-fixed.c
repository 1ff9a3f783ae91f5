/* portal-fixed: preloaded into sign.fcgi by bench/portal-profile.sh so that a run can be
 * repeated byte for byte: the clock stands still at 2026-12-02T10:00:00Z, and libsodium's
 * random bytes (the events' salts, the once-only values' nonces) come from a fixed
 * sequence. With it, two builds given the same requests must write the same database,
 * event hashes included, and answer with the same pages. Never for a real server. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#define FIXED_TIME 1796205600

time_t time(time_t *t)
{
	if (t)
		*t = FIXED_TIME;
	return FIXED_TIME;
}

int gettimeofday(struct timeval *tv, void *tz)
{
	(void)tz;
	tv->tv_sec = FIXED_TIME;
	tv->tv_usec = 0;
	return 0;
}

static uint64_t state = 88172645463325252ull;

void randombytes_buf(void *const buf, const size_t size)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < size; i++) {
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		p[i] = (unsigned char)state;
	}
}
