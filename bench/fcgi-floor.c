/* fcgi-floor: the floor of the portal benchmark (bench/portal.sh). A FastCGI program on
 * fcgi2 (libfcgi) that answers every request with one fixed, small HTML page and does
 * nothing else: no parsing, no database, no templates. What lighttpd, the FastCGI
 * protocol and fcgi2 cost per request is what it measures, so sign.fcgi's rate as a
 * ratio of it is what the portal's own work costs.
 *
 * It reads and discards a request body (as a real program must before answering) and
 * sends the same response headers as the portal's (src/cgi.c): status, content type and
 * the security headers, so the bytes on the wire differ only by the page.
 *
 * Usage: run by lighttpd as a fastcgi.server "bin-path" (bench/portal.sh); started by
 * hand it answers one request as a CGI program. */
#include <fcgiapp.h>
#include <stdio.h>
#include <string.h>

static const char page[] =
    "Status: 200 OK\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Cache-Control: no-store\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'\r\n"
    "\r\n"
    "<!doctype html>\n"
    "<html lang=\"en\">\n"
    "<head><meta charset=\"utf-8\"><title>Floor</title></head>\n"
    "<body><h1>Floor</h1><p>A fixed page from a minimal FastCGI program.</p></body>\n"
    "</html>\n";

int main(void)
{
	FCGX_Request fr;
	char sink[4096];

	if (FCGX_IsCGI()) {
		fwrite(page, 1, sizeof page - 1, stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&fr) >= 0) {
		while (FCGX_GetStr(sink, (int)sizeof sink, fr.in) > 0)
			;
		FCGX_PutStr(page, (int)sizeof page - 1, fr.out);
		FCGX_Finish_r(&fr);
	}
	return 0;
}
