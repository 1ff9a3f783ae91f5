/* libFuzzer: family tokens as typed or scanned, and CSRF checks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[TOKEN_KEY_LEN] = {1};
	char out[TOKEN_LEN + 1], *s = malloc(size + 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (token_parse(s, out) == 0)
		(void)token_valid(out);
	(void)token_csrf_check(key, "family:1", s);
	free(s);
	return 0;
}
