/* libFuzzer: the multipart/form-data reader of the office's upload. The input's first
 * line is the Content-Type (so the boundary is fuzzed too), the rest the body; the same
 * body is also read with a fixed boundary. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

static void use(const struct multipart *m)
{
	size_t i, sum = 0;

	for (i = 0; i < m->nparts; i++) {
		const struct multipart_part *p = &m->part[i];
		if (p->len)
			sum += (unsigned char)p->data[0] + (unsigned char)p->data[p->len - 1];
		sum += strlen(p->name) + strlen(p->filename) + strlen(p->content_type);
	}
	(void)multipart_get(m, "file");
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t ctlen = nl ? (size_t)(nl - (const char *)data) : 0;
	char *ct = malloc(ctlen + 1), *body;
	size_t blen = nl ? size - ctlen - 1 : size;
	struct multipart m;

	body = malloc(blen + 1);
	if (ct == NULL || body == NULL) {
		free(ct);
		free(body);
		return 0;
	}
	memcpy(ct, data, ctlen);
	ct[ctlen] = '\0';
	memcpy(body, nl ? nl + 1 : (const char *)data, blen);
	body[blen] = '\0';
	if (multipart_parse(&m, ct, body, blen) == 0)
		use(&m);
	if (multipart_parse(&m, "multipart/form-data; boundary=XyZ", body, blen) == 0)
		use(&m);
	free(ct);
	free(body);
	return 0;
}
