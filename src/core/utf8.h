/* utf8: strict UTF-8 validation (RFC 3629, Unicode table 3-7).
 *
 * Overlong forms, UTF-16 surrogates (U+D800..U+DFFF), code points above U+10FFFF and
 * sequences cut short by the end of the input are all invalid. U+0000 is valid UTF-8;
 * the _text and _line variants reject it with the other control characters. */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the sequence at the start of s (len bytes available) into *cp.
 * Returns its length (1-4), or 0 when it is invalid or truncated (*cp is then 0). */
size_t utf8_next(const char *s, size_t len, uint32_t *cp);

/* 1 when all len bytes of s are valid UTF-8, else 0. */
int utf8_valid(const char *s, size_t len);

/* 1 when s is valid UTF-8 with no control characters (C0, DEL, C1) other than tab, LF
 * and CR: for multi-line text such as a textarea. */
int utf8_valid_text(const char *s, size_t len);

/* 1 when s is valid UTF-8 with no control characters other than tab: for single-line
 * fields such as a name. */
int utf8_valid_line(const char *s, size_t len);

#endif
