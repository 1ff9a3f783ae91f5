/* libFuzzer: template files, rendered with a small set of values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct buf err = BUF_INIT, out = BUF_INIT;
	char *s = malloc(size + 1);
	struct tmpl *t;

	if (s == NULL || a == NULL)
		goto done;
	memcpy(s, data, size);
	s[size] = '\0';
	if ((t = tmpl_from_string("fuzz.html", s, &err)) != NULL) {
		struct tv *r = tv_dict(a), *l = tv_add_list(r, "items");
		tv_str(r, "name", "<b>&\"'");
		tv_html(r, "body", "<p>x</p>");
		tv_bool(r, "yes", 1);
		tv_str(tv_push_dict(l), "name", "one");
		tv_push_str(l, "two");
		tmpl_render(t, r, &out, &err);
		tmpl_free(t);
	}
done:
	free(s);
	arena_free(a);
	buf_free(&err);
	buf_free(&out);
	return 0;
}
