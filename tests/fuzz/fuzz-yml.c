/* libFuzzer: YAML front matter and data files. */
#include <stdint.h>

#include "yml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct buf err = BUF_INIT;

	if (a) {
		const struct yml *y = yml_parse(a, (const char *)data, size, 1, &err);
		(void)yml_get(y, "title");
	}
	arena_free(a);
	buf_free(&err);
	return 0;
}
