#include "cgi.h"

#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char security_headers[] =
	"Cache-Control: no-store\r\n"
	"Referrer-Policy: no-referrer\r\n"
	"X-Content-Type-Options: nosniff\r\n"
	"X-Frame-Options: DENY\r\n"
	"Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self' data:; "
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'\r\n";

const char *cgi_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

static int has_crlf(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

void cgi_header(struct cgi_resp *resp, const char *name, const char *value)
{
	if (has_crlf(name) || has_crlf(value))
		return;
	buf_printf(&resp->headers, "%s: %s\r\n", name, value);
}

void cgi_redirect(struct cgi_resp *resp, const char *location)
{
	resp->status = 303;
	cgi_header(resp, "Location", location);
}

/* The whole response, headers and body, as the FastCGI or CGI output. */
static void render(const struct cgi_resp *resp, struct buf *out)
{
	buf_printf(out, "Status: %d %s\r\n", resp->status, cgi_status_text(resp->status));
	buf_printf(out, "Content-Type: %s\r\n", resp->content_type);
	buf_puts(out, security_headers);
	buf_put(out, buf_str(&resp->headers), resp->headers.len);
	buf_puts(out, "\r\n");
	buf_put(out, buf_str(&resp->body), resp->body.len);
}

/* What a person is told when a request is refused before any program sees it. */
static const char *plain_message(int status)
{
	switch (status) {
	case 413:
		return "The form was too large to accept. Nothing was saved.\n"
		       "Roedd y ffurflen yn rhy fawr i'w derbyn. Nid oes dim wedi'i gadw.\n";
	case 500:
		return "Something went wrong. Nothing was saved; please try again.\n"
		       "Aeth rhywbeth o'i le. Nid oes dim wedi'i gadw; rhowch gynnig arall arni.\n";
	default:
		return "The request could not be read. Nothing was saved.\n"
		       "Nid oedd modd darllen y cais. Nid oes dim wedi'i gadw.\n";
	}
}

static void plain_error(struct cgi_resp *resp, int status)
{
	resp->status = status;
	resp->content_type = "text/plain; charset=utf-8";
	buf_reset(&resp->body);
	buf_printf(&resp->body, "%d %s\n\n%s", status, cgi_status_text(status),
		   plain_message(status));
}

void cgi_handle(cgi_handler h, void *ctx, size_t max_body, struct cgi_req *req,
		const char *content_length, struct cgi_resp *resp)
{
	resp->status = 200;
	resp->content_type = "text/html; charset=utf-8";
	if (content_length && *content_length) {
		char *end;
		unsigned long long n = strtoull(content_length, &end, 10);
		if (*end || content_length[0] == '-') {
			plain_error(resp, 400);
			return;
		}
		if (n > max_body) {
			plain_error(resp, 413);
			return;
		}
	}
	h(req, resp, ctx);
	if (!buf_ok(&resp->body) || !buf_ok(&resp->headers)) {
		buf_reset(&resp->headers);
		plain_error(resp, 500);
	}
	/* HEAD is answered as GET without the body (both programs: docs/decisions.md). */
	if (req->method && strcmp(req->method, "HEAD") == 0)
		buf_reset(&resp->body);
}

static const char *param(FCGX_ParamArray envp, const char *name)
{
	const char *v = envp ? FCGX_GetParam(name, envp) : getenv(name);

	return v ? v : "";
}

/* Fills req from the environment; reads the body (at most max_body bytes, checked by
 * cgi_handle from CONTENT_LENGTH). Returns 0, or -1 when the body was cut short. */
static int read_request(struct cgi_req *req, FCGX_Request *fr, size_t max_body,
			const char **content_length)
{
	FCGX_ParamArray envp = fr ? fr->envp : NULL;
	const char *uri = param(envp, "REQUEST_URI"), *q;
	unsigned long long n;
	char *body;
	size_t got = 0;

	req->method = arena_strdup(req->a, param(envp, "REQUEST_METHOD"));
	q = strchr(uri, '?');
	req->path = q ? arena_strndup(req->a, uri, (size_t)(q - uri)) : arena_strdup(req->a, uri);
	req->query = arena_strdup(req->a, q ? q + 1 : "");
	req->content_type = arena_strdup(req->a, param(envp, "CONTENT_TYPE"));
	req->cookie = arena_strdup(req->a, param(envp, "HTTP_COOKIE"));
	req->remote_addr = arena_strdup(req->a, param(envp, "REMOTE_ADDR"));
	req->accept_language = arena_strdup(req->a, param(envp, "HTTP_ACCEPT_LANGUAGE"));
	req->https = strcmp(param(envp, "HTTPS"), "on") == 0 ||
		     strcmp(param(envp, "REQUEST_SCHEME"), "https") == 0;
	*content_length = arena_strdup(req->a, param(envp, "CONTENT_LENGTH"));
	req->body = "";
	req->body_len = 0;
	n = strtoull(*content_length, NULL, 10);
	if (n == 0 || n > max_body)
		return 0;
	if ((body = arena_alloc(req->a, (size_t)n + 1)) == NULL)
		return -1;
	while (got < n) {
		int r;
		if (fr)
			r = FCGX_GetStr(body + got, (int)(n - got), fr->in);
		else
			r = (int)fread(body + got, 1, n - got, stdin);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	body[got] = '\0';
	req->body = body;
	req->body_len = got;
	return got == n ? 0 : -1;
}

static void serve(cgi_handler h, void *ctx, size_t max_body, struct arena *a, FCGX_Request *fr)
{
	struct cgi_req req;
	struct cgi_resp resp;
	struct buf out = BUF_INIT;
	const char *content_length = "";

	memset(&req, 0, sizeof req);
	memset(&resp, 0, sizeof resp);
	req.a = a;
	if (read_request(&req, fr, max_body, &content_length) < 0 || !arena_ok(a)) {
		plain_error(&resp, 400);
	} else {
		cgi_handle(h, ctx, max_body, &req, content_length, &resp);
	}
	render(&resp, &out);
	if (fr)
		FCGX_PutStr(buf_str(&out), (int)out.len, fr->out);
	else
		fwrite(buf_str(&out), 1, out.len, stdout);
	buf_free(&out);
	buf_free(&resp.headers);
	buf_free(&resp.body);
	arena_reset(a);
}

/* One thread of cgi_main_threads: its own arena and request. */
struct worker {
	cgi_handler h;
	void *ctx;
	size_t max_body;
	pthread_t thread;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct arena *a = arena_new();
	FCGX_Request fr;

	if (a == NULL || FCGX_InitRequest(&fr, 0, 0) != 0) {
		arena_free(a);
		return NULL;
	}
	while (FCGX_Accept_r(&fr) >= 0) {
		serve(w->h, w->ctx, w->max_body, a, &fr);
		FCGX_Finish_r(&fr);
	}
	FCGX_Free(&fr, 1);
	arena_free(a);
	return NULL;
}

int cgi_main_threads(cgi_handler h, void *const *ctxs, int n, size_t max_body)
{
	struct worker *w;
	int i, started;

	if (n <= 1 || FCGX_IsCGI())
		return cgi_main(h, ctxs[0], max_body);
	if (FCGX_Init() != 0 || (w = calloc((size_t)n, sizeof *w)) == NULL)
		return 1;
	/* fcgi2's SIGTERM handler only marks a shutdown that each accept notices when it is
	 * interrupted: one thread's is, the others would wait for requests forever. SIGTERM
	 * (fcgi-pool's stop) ends the process at once instead, as a crash would: a
	 * submission's transaction is committed whole or not at all, and only an answered one
	 * was acknowledged. */
	signal(SIGTERM, SIG_DFL);
	for (i = 0; i < n; i++) {
		w[i].h = h;
		w[i].ctx = ctxs[i];
		w[i].max_body = max_body;
	}
	/* Threads 1..n-1 start; this one serves as thread 0. */
	for (started = 1; started < n; started++)
		if (pthread_create(&w[started].thread, NULL, work, &w[started]) != 0)
			break;
	work(&w[0]);
	for (i = 1; i < started; i++)
		pthread_join(w[i].thread, NULL);
	free(w);
	return 0;
}

int cgi_main(cgi_handler h, void *ctx, size_t max_body)
{
	struct arena *a = arena_new();
	FCGX_Request fr;

	if (a == NULL)
		return 1;
	if (FCGX_IsCGI()) {
		serve(h, ctx, max_body, a, NULL);
		fflush(stdout);
		arena_free(a);
		return 0;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
		arena_free(a);
		return 1;
	}
	while (FCGX_Accept_r(&fr) >= 0) {
		serve(h, ctx, max_body, a, &fr);
		FCGX_Finish_r(&fr);
	}
	arena_free(a);
	return 0;
}
