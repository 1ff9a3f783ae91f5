/* libFuzzer: the office-to-policygen message parser (it reads bytes another process
 * wrote). The multipart reader has its own target, fuzz-multipart. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct buf err = BUF_INIT;
	struct wire_msg m;
	long n;

	if (a == NULL)
		return 0;
	n = wire_parse(&m, a, (const char *)data, size, &err);
	if (n > 0) {
		size_t i, len;
		for (i = 0; i < m.n; i++)
			(void)wire_getn(&m, m.f[i].name, &len);
	}
	buf_free(&err);
	arena_free(a);
	return 0;
}
