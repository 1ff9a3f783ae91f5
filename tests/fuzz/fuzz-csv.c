/* libFuzzer: the families CSV reader, and the writer on every field it reads. */
#include <stdint.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv c;
	struct buf out = BUF_INIT;
	size_t i;

	csv_init(&c, (const char *)data, size);
	while (csv_next(&c) == 1) {
		for (i = 0; i < c.nfield; i++) {
			if (i)
				csv_sep(&out);
			csv_cell(&out, c.field[i]);
		}
		csv_row_end(&out);
	}
	csv_free(&c);
	buf_free(&out);
	return 0;
}
