/* cgi: the request loop of the FastCGI programs (fcgi2), which also run as plain CGI
 * (one request from the environment and standard input) so tests can drive them directly.
 *
 * Every response carries the security headers (no-store, no-referrer, nosniff, a strict
 * Content-Security-Policy, frame-ancestors 'none'). Request bodies over max_body are
 * refused with 413 unread. All memory of a request lives in req->a and is released
 * before the next request is accepted. */
#ifndef CGI_H
#define CGI_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"

struct cgi_req {
	struct arena *a;          /* this request's memory */
	const char *method;       /* "GET", "POST", ... */
	const char *path;         /* REQUEST_URI before any '?', undecoded */
	const char *query;        /* after '?', or "" */
	const char *content_type; /* "" when absent; likewise the others */
	const char *cookie;
	const char *remote_addr;
	const char *accept_language;
	int https;                /* HTTPS=on, or REQUEST_SCHEME=https */
	const char *body;         /* NUL-terminated; body_len bytes */
	size_t body_len;
};

struct cgi_resp {
	int status;               /* 200 unless set */
	const char *content_type; /* "text/html; charset=utf-8" unless set */
	struct buf headers;       /* extra "Name: value\r\n" lines: use cgi_header() */
	struct buf body;
};

typedef void (*cgi_handler)(const struct cgi_req *, struct cgi_resp *, void *ctx);

/* Serves requests until the web server closes the socket (FastCGI) or once (CGI).
 * Returns the exit status for main(). */
int cgi_main(cgi_handler, void *ctx, size_t max_body);

/* cgi_main with n threads, each accepting and serving one request at a time with its own
 * ctx (ctxs[i]: a handler's state per thread, such as its database connection). With n 1,
 * or as plain CGI, cgi_main with ctxs[0]. */
int cgi_main_threads(cgi_handler, void *const *ctxs, int n, size_t max_body);

/* Adds a header; a name or value holding CR or LF is dropped (header injection). */
void cgi_header(struct cgi_resp *, const char *name, const char *value);
/* 303 See Other to a site-relative location. */
void cgi_redirect(struct cgi_resp *, const char *location);
/* "OK", "Not Found", ... */
const char *cgi_status_text(int status);

/* Handles one request given as strings, for tests and cgi_main alike: fills resp; the
 * body of an answer to HEAD is dropped (the handler serves HEAD as GET). */
void cgi_handle(cgi_handler, void *ctx, size_t max_body, struct cgi_req *req,
		const char *content_length, struct cgi_resp *resp);

#endif
