/* libFuzzer: the urlencoded form parser and the cookie reader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct form_field fields[] = {
		{"name", 100, 1, 0, 0}, {"agree", 3, 0, 0, 0}, {"consent.", 3, 0, 0, 1},
	};
	struct form f;
	char *s = malloc(size + 1), value[128];

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (form_parse(&f, s, size, fields, sizeof fields / sizeof fields[0]) == 0)
		(void)form_get(&f, "name");
	form_free(&f);
	if (form_parse(&f, s, size, NULL, 0) == 0)
		(void)form_get(&f, "x");
	form_free(&f);
	(void)form_cookie(s, "office", value, sizeof value);
	free(s);
	return 0;
}
