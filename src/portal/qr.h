/* qr: QR codes for the family letters, drawn as inline SVG (libqrencode does the encoding).
 *
 * Links should be upper case ("HTTP://HOST/SIGN/TOKEN"): then every character is in the
 * QR alphanumeric set and the symbol is a version smaller than in byte mode. Lower or
 * mixed case still works, in byte mode for the parts that need it; case is always kept. */
#ifndef QR_H
#define QR_H

#include "buf.h"

/* Modules of light margin on each side, as the QR standard requires. */
#define QR_QUIET 4

/* Appends one <svg> element for `text` (error correction level M, smallest version that
 * fits) to out: a white background and a single <path> of the dark modules, one
 * rectangle per run of dark modules in a row, in a viewBox of (symbol width + 2 *
 * QR_QUIET) units a side, with shape-rendering="crispEdges", role="img" and
 * aria-label="label" (escaped here). `size` is a CSS length such as "40mm" used for both
 * width and height (escaped here); NULL leaves them out so that CSS sizes the image.
 * `text` and `label` must not be NULL; `text` must not be empty.
 *
 * Returns 0, or -1 with errno set and nothing appended: EINVAL (empty text, NULL
 * argument), ERANGE (text too long for any QR version at level M), ENOMEM. When the
 * buffer runs out of memory part-way, -1 and ENOMEM, and out is in its oom state. */
int qr_svg(struct buf *out, const char *text, const char *label, const char *size);

#endif
