#include "html.h"

#include <string.h>

/* Replacement for each byte in HTML text and attribute context; NULL copies the byte. */
static const char *const html_table[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
};

/* Where a scan stops: 1 for the bytes of html_table, 2 for the end of a C string. Runs of
 * other bytes are copied whole, with one buf_put each. */
static const unsigned char html_stop[256] = {
	['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1, ['\0'] = 2,
};

void html_escape(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *run;

	for (;;) {
		for (run = p; p < end && html_stop[*p] != 1; p++)
			continue;
		buf_put(b, (const char *)run, (size_t)(p - run));
		if (p == end)
			return;
		buf_puts(b, html_table[*p++]);
	}
}

void html_escapes(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run;

	/* One pass, without a strlen first: the NUL ends the last run. */
	for (;;) {
		for (run = p; html_stop[*p] == 0; p++)
			continue;
		buf_put(b, (const char *)run, (size_t)(p - run));
		if (*p == '\0')
			return;
		buf_puts(b, html_table[*p++]);
	}
}

void xml_escapes(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;

	for (; *p; p++) {
		const char *r = html_table[*p];
		int forbidden = *p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r';
		if (r == NULL && !forbidden)
			continue;
		buf_put(b, (const char *)run, (size_t)(p - run));
		if (r)
			buf_puts(b, r);
		run = p + 1;
	}
	buf_put(b, (const char *)run, (size_t)(p - run));
}

void url_encodes(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			buf_putc(b, (char)c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_put(b, e, 3);
		}
	}
}
