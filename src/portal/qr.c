#include "qr.h"

#include <errno.h>
#include <qrencode.h>

#include "html.h"

/* Bit 0 of each libqrencode module byte is 1 for a dark module; the rest are flags
 * describing what the module is part of (finder pattern, timing, data, ...). */
#define QR_DARK 1

int qr_svg(struct buf *out, const char *text, const char *label, const char *size)
{
	QRcode *qr;
	int x, y, run, n;

	if (out == NULL || text == NULL || label == NULL || *text == '\0') {
		errno = EINVAL;
		return -1;
	}
	if (!buf_ok(out)) {
		errno = ENOMEM;
		return -1;
	}
	/* QR_MODE_8 as the hint keeps bytes that look like Shift-JIS out of Kanji mode;
	 * case-sensitive so that a token's case is never changed. The library splits the
	 * text into numeric, alphanumeric and byte segments by itself. */
	qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (qr == NULL)
		return -1; /* errno from libqrencode: EINVAL, ERANGE or ENOMEM */

	n = qr->width + 2 * QR_QUIET;
	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\"", n, n);
	if (size != NULL) {
		buf_puts(out, " width=\"");
		html_escapes(out, size);
		buf_puts(out, "\" height=\"");
		html_escapes(out, size);
		buf_puts(out, "\"");
	}
	buf_puts(out, " shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"");
	html_escapes(out, label);
	/* The background makes the quiet zone light on any page, e.g. in dark mode. */
	buf_printf(out,
	           "\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"", n,
	           n);
	for (y = 0; y < qr->width; y++) {
		const unsigned char *row = qr->data + (size_t)y * (size_t)qr->width;
		for (x = 0; x < qr->width; x += run) {
			for (run = 0; x + run < qr->width && (row[x + run] & QR_DARK); run++)
				;
			if (run == 0) {
				run = 1;
				continue;
			}
			buf_printf(out, "M%d %dh%dv1h-%dz", x + QR_QUIET, y + QR_QUIET, run, run);
		}
	}
	buf_puts(out, "\"/></svg>");
	QRcode_free(qr);
	if (!buf_ok(out)) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}
