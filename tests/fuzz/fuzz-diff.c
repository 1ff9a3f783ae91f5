/* libFuzzer: the "what changed" comparison; the input is split at its first 0xFF byte
 * into the old and the new text. */
#include <stdint.h>
#include <string.h>

#include "diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *split = memchr(data, 0xFF, size);
	size_t old_len = split ? (size_t)(split - data) : size / 2;
	const char *new_md = (const char *)data + old_len + (split ? 1 : 0);
	size_t new_len = size - old_len - (split ? 1 : 0);
	struct buf out = BUF_INIT;
	struct diff_stats st;

	if (diff_html(&out, (const char *)data, old_len, new_md, new_len, &st) == 0)
		diff_stats_free(&st);
	buf_free(&out);
	return 0;
}
