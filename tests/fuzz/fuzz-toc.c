/* libFuzzer: the contents of long policies. The text families sign must be exactly what
 * site_markdown() makes; every id is unique and holds no character that needs escaping. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"
#include "toc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf plain = BUF_INIT, page = BUF_INIT, cmark = BUF_INIT;
	struct toc toc;
	size_t i, j;

	if (toc_render((const char *)data, size, "<p>back</p>", &plain, &page, &toc) == 0) {
		if (site_markdown(&cmark, (const char *)data, size) == 0 &&
		    strcmp(buf_str(&plain), buf_str(&cmark)) != 0)
			abort();
		for (i = 0; i < toc.n; i++) {
			if (toc.e[i].id[0] == '\0' || strpbrk(toc.e[i].id, "<>&\"' \t\n#") != NULL)
				abort();
			for (j = 0; j < i; j++)
				if (strcmp(toc.e[i].id, toc.e[j].id) == 0)
					abort();
		}
		toc_free(&toc);
	}
	buf_free(&plain);
	buf_free(&page);
	buf_free(&cmark);
	return 0;
}
