/* libFuzzer: dates and review dates, and formatting whatever parses. */
#include <stdint.h>

#include "date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct date d;
	struct review r;
	struct buf b = BUF_INIT;

	if (date_parsen(&d, (const char *)data, size, NULL) == 0) {
		date_format(&b, &d, "cy");
		date_format_rfc3339(&b, &d);
	}
	if (review_parsen(&r, (const char *)data, size, NULL) == 0)
		review_format(&b, &r, "cy");
	buf_free(&b);
	return 0;
}
