#include "utf8.h"

#include <stdint.h>
#include <string.h>

/* The well-formed sequences, by lead byte: the sequence length and the range allowed for
 * the second byte, which is where overlongs, surrogates and values above U+10FFFF are
 * excluded. Later continuation bytes are always 80..BF. Lead bytes not listed (80..C1,
 * F5..FF) are never valid. */
/* clang-format off */
static const struct utf8_lead {
	unsigned char first, last; /* lead byte range */
	unsigned char len;
	unsigned char lo, hi; /* second byte range */
} utf8_leads[] = {
	{0x00, 0x7f, 1, 0, 0},
	{0xc2, 0xdf, 2, 0x80, 0xbf},
	{0xe0, 0xe0, 3, 0xa0, 0xbf}, /* no overlongs below U+0800 */
	{0xe1, 0xec, 3, 0x80, 0xbf},
	{0xed, 0xed, 3, 0x80, 0x9f}, /* no surrogates U+D800..U+DFFF */
	{0xee, 0xef, 3, 0x80, 0xbf},
	{0xf0, 0xf0, 4, 0x90, 0xbf}, /* no overlongs below U+10000 */
	{0xf1, 0xf3, 4, 0x80, 0xbf},
	{0xf4, 0xf4, 4, 0x80, 0x8f}, /* nothing above U+10FFFF */
};
/* clang-format on */

/* Bits of the lead byte that carry the code point, by sequence length. */
static const unsigned char utf8_leadmask[5] = {0, 0x7f, 0x1f, 0x0f, 0x07};

size_t utf8_next(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	const struct utf8_lead *l = NULL;
	uint32_t c;
	size_t i;

	*cp = 0;
	if (len == 0)
		return 0;
	for (i = 0; i < sizeof utf8_leads / sizeof utf8_leads[0]; i++) {
		if (p[0] >= utf8_leads[i].first && p[0] <= utf8_leads[i].last) {
			l = &utf8_leads[i];
			break;
		}
	}
	if (l == NULL || len < l->len)
		return 0;
	c = p[0] & utf8_leadmask[l->len];
	for (i = 1; i < l->len; i++) {
		unsigned char lo = i == 1 ? l->lo : 0x80, hi = i == 1 ? l->hi : 0xbf;
		if (p[i] < lo || p[i] > hi)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	*cp = c;
	return l->len;
}

/* Which control characters a variant lets through. */
enum utf8_ctl {
	UTF8_CTL_ANY,  /* all of them */
	UTF8_CTL_TEXT, /* tab, LF, CR */
	UTF8_CTL_LINE, /* tab */
};

static int utf8_allowed(uint32_t c, enum utf8_ctl ctl)
{
	if (ctl == UTF8_CTL_ANY)
		return 1;
	if (c == '\t')
		return 1;
	if ((c == '\n' || c == '\r') && ctl == UTF8_CTL_TEXT)
		return 1;
	return !(c < 0x20 || (c >= 0x7f && c <= 0x9f));
}

static int utf8_check(const char *s, size_t len, enum utf8_ctl ctl)
{
	size_t n;
	uint32_t c;

	while (len > 0) {
		unsigned char b = (unsigned char)*s;
		if (b >= 0x20 && b < 0x7f) { /* printable ASCII: allowed in every variant */
			s++;
			len--;
			continue;
		}
		if ((n = utf8_next(s, len, &c)) == 0 || !utf8_allowed(c, ctl))
			return 0;
		s += n;
		len -= n;
	}
	return 1;
}

int utf8_valid(const char *s, size_t len)
{
	const char *end = s + len, *p = s;

	/* Markdown is mostly ASCII, Welsh too between its accented letters: each stretch of
	 * it is skipped eight bytes at a time, and only the other characters are decoded. */
	while (p < end) {
		size_t n;
		uint32_t c;
		if ((unsigned char)*p < 0x80) {
			while ((size_t)(end - p) >= 8) {
				uint64_t w;
				memcpy(&w, p, 8);
				if (w & 0x8080808080808080ULL)
					break;
				p += 8;
			}
			while (p < end && (unsigned char)*p < 0x80)
				p++;
			continue;
		}
		if ((n = utf8_next(p, (size_t)(end - p), &c)) == 0)
			return 0;
		p += n;
	}
	return 1;
}

int utf8_valid_text(const char *s, size_t len)
{
	return utf8_check(s, len, UTF8_CTL_TEXT);
}

int utf8_valid_line(const char *s, size_t len)
{
	return utf8_check(s, len, UTF8_CTL_LINE);
}
