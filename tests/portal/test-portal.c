/* The portal module (portal.h): the request check both FastCGI programs share, the table
 * from consent errors to answers, and HEAD answered without a body (cgi.c). */
#include <string.h>

#include "cgi.h"
#include "check.h"
#include "portal.h"

static const struct form_field fields[] = {{"csrf", 8, 0, 0, 0}, {"name", 20, 0, 0, 0}};

/* A POST request with body, content type and query. */
static struct cgi_req post(struct arena *a, const char *body, const char *type, const char *query)
{
	struct cgi_req r;

	memset(&r, 0, sizeof r);
	r.a = a;
	r.method = "POST";
	r.path = "/x";
	r.query = query;
	r.content_type = type;
	r.cookie = r.remote_addr = r.accept_language = "";
	r.body = body;
	r.body_len = strlen(body);
	return r;
}

static enum portal_check check(const char *body, const char *type, const char *query, size_t max)
{
	struct arena *a = arena_new();
	struct cgi_req r = post(a, body, type, query);
	struct form f;
	enum portal_check c;

	memset(&f, 0, sizeof f);
	c = portal_check_post(&r, fields, 2, max, &f);
	form_free(&f);
	arena_free(a);
	return c;
}

static void test_check_post(void)
{
	static const char form[] = "application/x-www-form-urlencoded";

	CHECK_INT(check("csrf=abc&name=Ann", form, "", 0), PORTAL_OK);
	CHECK_INT(check("csrf=abc", " application/x-www-form-urlencoded ; charset=utf-8", "", 0),
	          PORTAL_OK);
	/* A query string on a POST: refused, whatever it holds. */
	CHECK_INT(check("csrf=abc", form, "lang=cy", 0), PORTAL_QUERY);
	CHECK_INT(check("csrf=abc", form, "=", 0), PORTAL_QUERY);
	/* Only urlencoded bodies. */
	CHECK_INT(check("csrf=abc", "text/plain", "", 0), PORTAL_TYPE);
	CHECK_INT(check("csrf=abc", "multipart/form-data; boundary=x", "", 0), PORTAL_TYPE);
	CHECK_INT(check("csrf=abc", "application/x-www-form-urlencodedx", "", 0), PORTAL_TYPE);
	CHECK_INT(check("csrf=abc", "", "", 0), PORTAL_TYPE);
	/* The bound: the route's, else FORM_MAX_BODY. */
	CHECK_INT(check("csrf=abc&name=Ann", form, "", 10), PORTAL_TOO_LARGE);
	/* The allow-list: an unknown field, a value too long, a field twice. */
	CHECK_INT(check("csrf=abc&admin=1", form, "", 0), PORTAL_FIELDS);
	CHECK_INT(check("csrf=abcdefghij", form, "", 0), PORTAL_FIELDS);
	CHECK_INT(check("csrf=a&csrf=b", form, "", 0), PORTAL_FIELDS);
	CHECK_INT(portal_check_status[PORTAL_QUERY], 400);
	CHECK_INT(portal_check_status[PORTAL_TYPE], 415);
	CHECK_INT(portal_check_status[PORTAL_TOO_LARGE], 413);
	CHECK_STR(portal_check_names[PORTAL_QUERY], "query");
}

static void test_method(void)
{
	CHECK_INT(portal_method("GET"), PORTAL_GET);
	CHECK_INT(portal_method("HEAD"), PORTAL_GET);
	CHECK_INT(portal_method("POST"), PORTAL_POST);
	CHECK_INT(portal_method("post"), PORTAL_OTHER);
	CHECK_INT(portal_method("PUT"), PORTAL_OTHER);
	CHECK_INT(portal_method(""), PORTAL_OTHER);
}

/* Every consent error has an answer: a status, and a message for each refusal. */
static void test_consent_answers(void)
{
	int i;

	for (i = 0; i < CONSENT_ERR__MAX; i++) {
		const struct portal_answer *x = &portal_consent_answers[i];
		CHECK(x->status == 303 || (x->status >= 400 && x->status <= 500));
		CHECK(x->status == 303 || x->key != NULL);
	}
	CHECK_INT(portal_consent_answers[CONSENT_ERR_CHILD].status, 403);
	CHECK_INT(portal_consent_answers[CONSENT_ERR_DOCUMENT].status, 400);
	CHECK_INT(portal_consent_answers[CONSENT_ERR_DB].status, 500);
}

static void page(const struct cgi_req *req, struct cgi_resp *resp, void *ctx)
{
	(void)req;
	(void)ctx;
	buf_puts(&resp->body, "<p>the page</p>");
}

/* HEAD: the GET's status and headers, no body. */
static void test_head(void)
{
	struct arena *a = arena_new();
	struct cgi_req r = post(a, "", "", "");
	struct cgi_resp resp;

	memset(&resp, 0, sizeof resp);
	r.method = "HEAD";
	cgi_handle(page, NULL, 100, &r, "", &resp);
	CHECK_INT(resp.status, 200);
	CHECK_INT(resp.body.len, 0);
	buf_free(&resp.body);
	buf_free(&resp.headers);
	memset(&resp, 0, sizeof resp);
	r.method = "GET";
	cgi_handle(page, NULL, 100, &r, "", &resp);
	CHECK_STR(buf_str(&resp.body), "<p>the page</p>");
	buf_free(&resp.body);
	buf_free(&resp.headers);
	arena_free(a);
}

static void test_url_encoded(void)
{
	struct arena *a = arena_new();

	CHECK_STR(portal_url_encoded(a, "F1 & 2"), "F1%20%26%202");
	arena_free(a);
}

int main(void)
{
	RUN(test_check_post);
	RUN(test_method);
	RUN(test_consent_answers);
	RUN(test_head);
	RUN(test_url_encoded);
	CHECK_MAIN();
}
