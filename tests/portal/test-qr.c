/* Unit tests for qr.c. The SVG is read back by a small rasteriser for the subset of path
 * syntax that a QR drawing needs, and compared module by module with libqrencode.
 *
 * Also the helper for tests/qr-decode.sh:
 *   test-qr pbm SCALE TEXT   writes to stdout a binary PBM of the SVG that qr_svg draws
 *                            for TEXT, SCALE pixels a module, read back by the rasteriser
 *                            below, so that zbarimg can prove it scans without an SVG
 *                            renderer;
 *   test-qr svg TEXT         writes the SVG itself, for a real renderer.
 * Either exits 1 with a message when qr_svg fails (e.g. TEXT too long). */
#include "check.h"
#include "qr.h"

#include <errno.h>
#include <qrencode.h>
#include <stdlib.h>

#define URL_UPPER "HTTP://127.0.0.1:8080/SIGN/ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define URL_LOWER "http://127.0.0.1:8080/sign/abcdefghijklmnopqrstuvwxyz"

/* A QR drawing read back from SVG: n x n modules, 1 for dark. */
struct raster {
	int n;
	unsigned char *dark;
};

static const char *attr_after(const char *s, const char *name)
{
	const char *p = strstr(s, name);
	return p ? p + strlen(name) : NULL;
}

static int read_int(const char **p, int *v)
{
	char *end;
	long l = strtol(*p, &end, 10);
	if (end == *p || l < -10000 || l > 10000)
		return -1;
	*v = (int)l;
	*p = end;
	return 0;
}

/* Parses the viewBox and the one <path> of svg into r (caller frees r->dark). Accepts
 * M/m, H/h, V/v and Z/z with integer arguments, as SVG defines them; each subpath must be
 * an axis-parallel rectangle inside the viewBox, and no module may be painted twice.
 * Returns 0, or -1 on anything else. */
static int raster_read(struct raster *r, const char *svg)
{
	const char *p;
	int x0, y0, n, cx = 0, cy = 0, sx = 0, sy = 0, minx = 0, maxx = 0, miny = 0, maxy = 0,
	               npts = 0, x, y;

	r->dark = NULL;
	if ((p = attr_after(svg, "viewBox=\"")) == NULL || read_int(&p, &x0) || *p++ != ' ' ||
	    read_int(&p, &y0) || *p++ != ' ' || read_int(&p, &n) || *p++ != ' ' ||
	    read_int(&p, &r->n) || r->n != n || x0 != 0 || y0 != 0 || n <= 0)
		return -1;
	if ((p = strstr(svg, "<path")) == NULL || strstr(p + 1, "<path") != NULL ||
	    (p = attr_after(p, " d=\"")) == NULL)
		return -1;
	if ((r->dark = calloc((size_t)n * (size_t)n, 1)) == NULL)
		return -1;
	while (*p != '"') {
		char c = *p++;
		int v, rel = c >= 'a' && c <= 'z';
		switch (c) {
		case 'M':
		case 'm':
			if (npts != 0 || read_int(&p, &x) || *p++ != ' ' || read_int(&p, &y))
				goto bad;
			cx = rel ? cx + x : x;
			cy = rel ? cy + y : y;
			sx = minx = maxx = cx;
			sy = miny = maxy = cy;
			npts = 1;
			break;
		case 'H':
		case 'h':
		case 'V':
		case 'v':
			if (npts == 0 || read_int(&p, &v))
				goto bad;
			if (c == 'H' || c == 'h')
				cx = rel ? cx + v : v;
			else
				cy = rel ? cy + v : v;
			minx = cx < minx ? cx : minx;
			maxx = cx > maxx ? cx : maxx;
			miny = cy < miny ? cy : miny;
			maxy = cy > maxy ? cy : maxy;
			npts++;
			break;
		case 'Z':
		case 'z':
			/* Four corners: start, then three axis-parallel moves; closing returns. */
			if (npts != 4 || minx < 0 || miny < 0 || maxx > n || maxy > n ||
			    minx == maxx || miny == maxy)
				goto bad;
			for (y = miny; y < maxy; y++)
				for (x = minx; x < maxx; x++) {
					if (r->dark[y * n + x])
						goto bad;
					r->dark[y * n + x] = 1;
				}
			cx = sx;
			cy = sy;
			npts = 0;
			break;
		default:
			goto bad;
		}
	}
	if (npts != 0)
		goto bad;
	return 0;
bad:
	free(r->dark);
	r->dark = NULL;
	return -1;
}

static int count(const char *s, const char *needle)
{
	int k = 0;
	for (; (s = strstr(s, needle)) != NULL; s++)
		k++;
	return k;
}

static int viewbox_size(const char *svg)
{
	struct raster r;
	int n;
	if (raster_read(&r, svg) != 0)
		return -1;
	n = r.n;
	free(r.dark);
	return n;
}

static void test_svg_element(void)
{
	struct buf b = BUF_INIT;
	const char *s;

	CHECK_INT(qr_svg(&b, URL_UPPER, "QR code", "40mm"), 0);
	s = buf_str(&b);
	CHECK(strncmp(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 40) == 0);
	CHECK(b.len > 6 && strcmp(s + b.len - 6, "</svg>") == 0);
	CHECK_INT(count(s, "<svg"), 1);
	CHECK_INT(count(s, "<path "), 1);
	CHECK_INT(count(s, "/>"), 2); /* the background and the path, nothing per module */
	CHECK(strstr(s, " width=\"40mm\" height=\"40mm\"") != NULL);
	CHECK(strstr(s, " shape-rendering=\"crispEdges\"") != NULL);
	CHECK(strstr(s, " role=\"img\" aria-label=\"QR code\"") != NULL);
	CHECK(strchr(s, '\n') == NULL);
	buf_free(&b);
}

/* Every module of the drawing is the module libqrencode computed, shifted by the quiet
 * zone; the quiet zone is light; runs in a row are merged (no two rectangles touch). */
static void check_modules(const char *text)
{
	struct buf b = BUF_INIT;
	struct raster r;
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int x, y, wrong = 0, rects;

	CHECK(q != NULL);
	CHECK_INT(qr_svg(&b, text, "QR", NULL), 0);
	CHECK_INT(raster_read(&r, buf_str(&b)), 0);
	if (q == NULL || r.dark == NULL)
		goto out;
	CHECK_INT(r.n, q->width + 2 * QR_QUIET);
	if (r.n != q->width + 2 * QR_QUIET)
		goto out;
	rects = 0;
	for (y = 0; y < r.n; y++)
		for (x = 0; x < r.n; x++) {
			int qx = x - QR_QUIET, qy = y - QR_QUIET, want = 0;
			if (qx >= 0 && qy >= 0 && qx < q->width && qy < q->width)
				want = q->data[qy * q->width + qx] & 1;
			wrong += r.dark[y * r.n + x] != want;
			rects += r.dark[y * r.n + x] && (x == 0 || !r.dark[y * r.n + x - 1]);
		}
	CHECK_INT(wrong, 0);
	CHECK_INT(count(buf_str(&b), "z"), rects);
out:
	free(r.dark);
	QRcode_free(q);
	buf_free(&b);
}

static void test_modules_match_libqrencode(void)
{
	check_modules(URL_UPPER);
	check_modules(URL_LOWER);
	check_modules("https://consent.example.sch.cymru/sign/Ab3dEf7hIjKlMnOpQrStUvWxYz");
}

/* Capacities at level M from the QR standard: version 3 holds 61 alphanumeric characters
 * but 42 bytes, version 4 holds 62 bytes. The 53-character upper-case link must therefore
 * be alphanumeric (version 3, 29 modules), and the lower-case one still encodes, in byte
 * mode (version 4, 33 modules). */
static void test_upper_case_is_alphanumeric(void)
{
	struct buf b = BUF_INIT;

	CHECK_INT(strlen(URL_UPPER), 53);
	CHECK_INT(qr_svg(&b, URL_UPPER, "QR", NULL), 0);
	CHECK_INT(viewbox_size(buf_str(&b)), 29 + 8);
	buf_reset(&b);
	CHECK_INT(qr_svg(&b, URL_LOWER, "QR", NULL), 0);
	CHECK_INT(viewbox_size(buf_str(&b)), 33 + 8);
	buf_free(&b);
}

static void test_label_and_size_escaped(void)
{
	struct buf b = BUF_INIT;
	const char *s;

	CHECK_INT(qr_svg(&b, URL_UPPER, "Cod <b>\"Teulu\"</b> & 'x'", "4cm\" onload=\"x"), 0);
	s = buf_str(&b);
	CHECK(
	    strstr(s,
	           " aria-label=\"Cod &lt;b&gt;&quot;Teulu&quot;&lt;/b&gt; &amp; &#39;x&#39;\"") !=
	    NULL);
	CHECK(strstr(s, " width=\"4cm&quot; onload=&quot;x\"") != NULL);
	CHECK(strstr(s, "<b>") == NULL);
	CHECK(strstr(s, " onload=\"") == NULL);
	buf_free(&b);
}

static void test_no_size(void)
{
	struct buf b = BUF_INIT;

	CHECK_INT(qr_svg(&b, URL_UPPER, "QR", NULL), 0);
	CHECK(strstr(buf_str(&b), "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 37 37\" "
	                          "shape-rendering=") != NULL);
	buf_free(&b);
}

/* Version 40 at level M holds 2331 bytes: that many fits, one more does not, and a
 * failure leaves what the buffer already held untouched. */
static void test_too_long_fails_cleanly(void)
{
	struct buf b = BUF_INIT;
	char *text = malloc(2333);

	CHECK(text != NULL);
	if (text == NULL)
		return;
	memset(text, 'a', 2332);
	text[2332] = '\0';
	buf_puts(&b, "<p>");
	errno = 0;
	CHECK_INT(qr_svg(&b, text, "QR", "40mm"), -1);
	CHECK_INT(errno, ERANGE);
	CHECK_STR(buf_str(&b), "<p>");
	text[2331] = '\0';
	CHECK_INT(qr_svg(&b, text, "QR", "40mm"), 0);
	CHECK_INT(viewbox_size(buf_str(&b)), 177 + 8);
	free(text);
	buf_free(&b);
}

static void test_bad_arguments(void)
{
	struct buf b = BUF_INIT;

	errno = 0;
	CHECK_INT(qr_svg(&b, "", "QR", NULL), -1);
	CHECK_INT(errno, EINVAL);
	errno = 0;
	CHECK_INT(qr_svg(&b, URL_UPPER, NULL, NULL), -1);
	CHECK_INT(errno, EINVAL);
	errno = 0;
	CHECK_INT(qr_svg(&b, NULL, "QR", NULL), -1);
	CHECK_INT(errno, EINVAL);
	CHECK_INT(b.len, 0);
	/* A buffer that already ran out of memory is reported, not written to. */
	b.oom = 1;
	errno = 0;
	CHECK_INT(qr_svg(&b, URL_UPPER, "QR", NULL), -1);
	CHECK_INT(errno, ENOMEM);
	buf_free(&b);
}

static void test_deterministic(void)
{
	struct buf a = BUF_INIT, b = BUF_INIT;

	CHECK_INT(qr_svg(&a, URL_UPPER, "QR", "40mm"), 0);
	CHECK_INT(qr_svg(&b, URL_UPPER, "QR", "40mm"), 0);
	CHECK_STR(buf_str(&a), buf_str(&b));
	/* Appends: a second code follows the first unchanged. */
	CHECK_INT(qr_svg(&a, URL_UPPER, "QR", "40mm"), 0);
	CHECK_INT(a.len, 2 * b.len);
	CHECK(memcmp(a.data + b.len, b.data, b.len) == 0);
	buf_free(&a);
	buf_free(&b);
}

/* Writes the SVG for text as a binary PBM (P4), scale pixels a module. */
static int write_pbm(const char *text, int scale)
{
	struct buf b = BUF_INIT;
	struct raster r;
	int x, y, k, px, rc = -1;

	if (qr_svg(&b, text, "QR", NULL) != 0) {
		perror("qr_svg");
		goto out;
	}
	if (raster_read(&r, buf_str(&b)) != 0) {
		fprintf(stderr, "test-qr: cannot read back the SVG\n");
		goto out;
	}
	px = r.n * scale;
	printf("P4\n%d %d\n", px, px);
	for (y = 0; y < px; y++) {
		unsigned char byte = 0;
		for (x = 0; x < px; x++) {
			byte = (unsigned char)(byte << 1 | r.dark[(y / scale) * r.n + x / scale]);
			if (x % 8 == 7) {
				putchar(byte);
				byte = 0;
			}
		}
		if ((k = px % 8) != 0)
			putchar((unsigned char)(byte << (8 - k)));
	}
	free(r.dark);
	rc = fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
out:
	buf_free(&b);
	return rc;
}

/* Writes the SVG for text, sized 40mm as on a letter, with a newline. */
static int write_svg(const char *text)
{
	struct buf b = BUF_INIT;
	int rc = -1;

	if (qr_svg(&b, text, "QR", "40mm") != 0)
		perror("qr_svg");
	else if (puts(buf_str(&b)) != EOF && fflush(stdout) == 0)
		rc = 0;
	buf_free(&b);
	return rc;
}

int main(int argc, char *argv[])
{
	if (argc == 4 && strcmp(argv[1], "pbm") == 0) {
		int scale = atoi(argv[2]);
		if (scale < 1 || scale > 64) {
			fprintf(stderr, "test-qr: scale must be 1 to 64\n");
			return 2;
		}
		return write_pbm(argv[3], scale) == 0 ? 0 : 1;
	}
	if (argc == 3 && strcmp(argv[1], "svg") == 0)
		return write_svg(argv[2]) == 0 ? 0 : 1;
	if (argc != 1) {
		fprintf(stderr, "usage: test-qr [pbm SCALE TEXT | svg TEXT]\n");
		return 2;
	}
	RUN(test_svg_element);
	RUN(test_modules_match_libqrencode);
	RUN(test_upper_case_is_alphanumeric);
	RUN(test_label_and_size_escaped);
	RUN(test_no_size);
	RUN(test_too_long_fails_cleanly);
	RUN(test_bad_arguments);
	RUN(test_deterministic);
	CHECK_MAIN();
}
