/* load: an HTTP load driver for the parents' portal, used by tests/concurrency.sh and
 * tests/crash.sh against the real web server on 127.0.0.1.
 *
 * Each of CONNS threads plays the parents of its own families (family i belongs to thread
 * i % CONNS, so one family's submissions never overlap and the last acknowledged one is
 * the family's latest) and, until the time is up or the request budget is spent, repeats
 * for each of its families in turn:
 *   GET  /sign/T/answer?lang=L    once per family: the CSRF token and the form's fields
 *                                 (L is en for every other family, cy for the rest)
 *   GET  /sign/T                  the family page
 *   POST /sign/T/check            the check page (counted with the GETs: it stores
 *                                 nothing), for the once-only value Confirm needs
 *   POST /sign/T/confirm          in language L, the declaration ticked and a random yes
 *                                 or no for every child and purpose, by carer A or B:
 *                                 303 to done?ref=R
 *   GET  /sign/T/done?ref=R       the confirmation, which must show R
 * Each request is a new connection (HTTP/1.0, Connection: close) with a time limit, so
 * the whole run is bounded by SECONDS plus one request's TIMEOUT.
 *
 * Usage: load -p PORT -f TOKENS [-c CONNS] [-d SECONDS] [-n MAX] [-t TIMEOUT] [-s SEED]
 *             [-o LOG]
 * TOKENS is the output of `consentctl tokens`: "family_ref,url" lines (a header line is
 * skipped); the token is the url's last path segment. There must be at least CONNS
 * families.
 *
 * LOG gets one CSV line per answer of every acknowledged submission (a 303 to the
 * confirmation page with a reference):
 *   ref,family_ref,signer,child_id,purpose,answer
 * Standard output gets one summary line of counts:
 *   requests= get= post= acknowledged= unknown= s2xx= s3xx= s4xx= s5xx= errors= unexpected=
 *   journeys= completed= seconds=
 * (a journey is one pass through the list above for one family, begun when its first
 * request is sent and completed when the confirmation page shows the reference).
 * "unknown" counts submissions sent whose outcome the client never learnt (a 5xx or a
 * broken connection): they may or may not be stored. "errors" are connections refused, reset,
 * timed out or cut short; "unexpected" are complete responses with a status other than
 * the one expected (any 4xx, or a 200 where a 303 was due), each described on standard
 * error (the first few). Exit status 0 when the run happened, 2 on a usage or set-up
 * error: the calling test judges the counts.
 *
 * Usage: load verify [-l] DB LOG
 * Checks the database (opened read-only, after the server has stopped) against LOG and
 * itself, printing "PASS name" or "FAIL name: detail" per check, as the shell tests do,
 * and "acknowledged=N found=N submissions=N" (references acknowledged, those of them in
 * the event log, submissions in the log). The checks:
 *   acknowledged_stored   every acknowledged reference is a submission of that family in
 *                         the event log, with every answer the client sent
 *   submissions_complete  every submission in the log is whole: its events are
 *                         consecutive from its first id, with one answer for each current
 *                         child and purpose of the family (the driver always answers all)
 *   answers_match_log     the answer and signature tables are exactly what the log's
 *                         latest events say, no row missing, none ahead of the log
 *   acknowledged_signed   every carer with an acknowledged submission has signed
 * and with -l (when no submission's outcome was unknown, so the last acknowledged is the
 * last stored):
 *   latest_acknowledged   each carer's current answers are those of their last
 *                         acknowledged submission
 * Exit status 0 when every check passed, 1 when one failed, 2 when it could not run. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define LOAD_MAX_FAMILIES 10000
#define LOAD_MAX_THREADS 512
#define LOAD_MAX_FIELDS 64 /* answer fields (children x purposes) of one family */
#define LOAD_FIELD_LEN 64  /* bytes of a field name with its NUL */
#define LOAD_MAX_RESPONSE (1 << 20)
#define LOAD_REPORTS 10 /* unexpected responses described on standard error */

struct family {
	char ref[32];
	char token[64];
	const char *lang; /* the language the form is read and posted in: en or cy */
	int loaded;       /* the answer form was read */
	char csrf[80];
	char doc[24]; /* the declaration's document id */
	char field[LOAD_MAX_FIELDS][LOAD_FIELD_LEN];
	int nfield;
};

struct counts {
	long requests, get, post, acknowledged, unknown, s2xx, s3xx, s4xx, s5xx, errors, unexpected;
	long journeys, completed; /* family page to confirmation: begun, and seen to the end */
};

/* Settings, fixed before the threads start. */
static int port = 0, nconns = 64, timeout_s = 20;
static long max_requests = 0; /* 0: no limit */
static double seconds = 10;
static unsigned seed = 1;
static struct family *families;
static int nfamilies;
static struct timespec deadline;

/* Shared between threads, under lock. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long budget; /* requests left when max_requests > 0 */
static FILE *ack_log;
static int reports;

struct response {
	int status; /* 0: none */
	char location[512];
	char *buf; /* the whole response; body points into it */
	size_t len, cap;
	const char *body;
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int time_up(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec > deadline.tv_sec ||
	       (t.tv_sec == deadline.tv_sec && t.tv_nsec >= deadline.tv_nsec);
}

/* Takes one request from the budget; 0 when the run is over. */
static int may_send(void)
{
	int ok = 1;

	if (time_up())
		return 0;
	pthread_mutex_lock(&lock);
	if (max_requests > 0) {
		if (budget <= 0)
			ok = 0;
		else
			budget--;
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

static unsigned next_rand(unsigned *state)
{
	unsigned x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x ? x : 0x9e3779b9u;
}

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void report(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&lock);
	if (reports++ < LOAD_REPORTS) {
		va_start(ap, fmt);
		fputs("load: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
	pthread_mutex_unlock(&lock);
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Parses the status line, Location and Content-Length of the response in r->buf.
 * Returns 0, or -1 when it is not a complete HTTP response. */
static int parse_response(struct response *r)
{
	char *end, *line, *next;
	long clen = -1;

	if (r->len == 0)
		return -1;
	r->buf[r->len] = '\0';
	if ((end = strstr(r->buf, "\r\n\r\n")) == NULL)
		return -1;
	*end = '\0';
	r->body = end + 4;
	if (strncmp(r->buf, "HTTP/1.", 7) != 0 || strlen(r->buf) < 12)
		return -1;
	r->status = atoi(r->buf + 9);
	for (line = strstr(r->buf, "\r\n"); line; line = next) {
		line += 2;
		next = strstr(line, "\r\n");
		if (next)
			*next = '\0';
		if (strncasecmp(line, "Location:", 9) == 0) {
			line += 9;
			while (*line == ' ')
				line++;
			snprintf(r->location, sizeof r->location, "%s", line);
		} else if (strncasecmp(line, "Content-Length:", 15) == 0) {
			clen = atol(line + 15);
		}
		if (next)
			*next = '\r';
	}
	*end = '\r';
	if (clen >= 0 && (size_t)clen != r->len - (size_t)(r->body - r->buf))
		return -1; /* cut short */
	return r->status >= 100 && r->status <= 599 ? 0 : -1;
}

/* One request on a new connection. Returns 0 with r filled; -2 when the connection was
 * refused, so nothing was sent; -1 when there was no complete response (reset, timed
 * out, cut short). */
static int http(const char *method, const char *path, const char *body, struct response *r)
{
	struct sockaddr_in sa;
	struct timeval tv = {.tv_sec = timeout_s};
	char head[1024];
	int fd, n;

	r->status = 0;
	r->location[0] = '\0';
	r->len = 0;
	r->body = "";
	if (body)
		n = snprintf(head, sizeof head,
		             "%s %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n"
		             "Content-Type: application/x-www-form-urlencoded\r\n"
		             "Content-Length: %zu\r\n\r\n",
		             method, path, port, strlen(body));
	else
		n = snprintf(head, sizeof head,
		             "%s %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n",
		             method, path, port);
	if (n < 0 || (size_t)n >= sizeof head)
		return -1;
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -2;
	}
	if (send_all(fd, head, (size_t)n) < 0 || (body && send_all(fd, body, strlen(body)) < 0)) {
		close(fd);
		return -1;
	}
	for (;;) {
		ssize_t got;
		if (r->cap - r->len < 4097) {
			size_t cap = r->cap ? r->cap * 2 : 65536;
			char *p;
			if (cap > LOAD_MAX_RESPONSE || (p = realloc(r->buf, cap)) == NULL) {
				close(fd);
				return -1;
			}
			r->buf = p;
			r->cap = cap;
		}
		got = recv(fd, r->buf + r->len, r->cap - r->len - 1, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			close(fd);
			return -1; /* reset or timed out */
		}
		if (got == 0)
			break;
		r->len += (size_t)got;
	}
	close(fd);
	return parse_response(r);
}

/* Counts one request's outcome. Returns 1 when the status is want, else 0. */
static int tally(struct counts *c, int is_post, int rc, const struct response *r, int want,
                 const char *what)
{
	c->requests++;
	if (is_post)
		c->post++;
	else
		c->get++;
	if (rc < 0) {
		c->errors++;
		return 0;
	}
	if (r->status >= 500)
		c->s5xx++;
	else if (r->status >= 400)
		c->s4xx++;
	else if (r->status >= 300)
		c->s3xx++;
	else if (r->status >= 200)
		c->s2xx++;
	if (r->status == want)
		return 1;
	if (r->status < 500) {
		c->unexpected++;
		report("%s: status %d, want %d: %.200s", what, r->status, want, r->body);
	} else {
		report("%s: status %d", what, r->status);
	}
	return 0;
}

/* Reads the answer form's CSRF token, the declaration's document id (agree.<id>) and the
 * distinct answer field names (a.<child>.<purpose>) from html. Returns 0, or -1 when one
 * is missing or there are too many fields. */
static int read_form(struct family *f, const char *html)
{
	const char *p, *q;
	size_t n;

	f->nfield = 0;
	f->csrf[0] = f->doc[0] = '\0';
	if ((p = strstr(html, "name=\"csrf\" value=\"")) != NULL) {
		p += strlen("name=\"csrf\" value=\"");
		n = strcspn(p, "\"");
		if (n < sizeof f->csrf)
			snprintf(f->csrf, sizeof f->csrf, "%.*s", (int)n, p);
	}
	if ((p = strstr(html, "name=\"agree.")) != NULL) {
		p += strlen("name=\"agree.");
		n = strcspn(p, "\"");
		if (n < sizeof f->doc)
			snprintf(f->doc, sizeof f->doc, "%.*s", (int)n, p);
	}
	for (p = html; (p = strstr(p, "name=\"a.")) != NULL; p = q) {
		int i, dup = 0;
		p += strlen("name=\"");
		n = strcspn(p, "\"");
		q = p + n;
		if (n >= LOAD_FIELD_LEN)
			return -1;
		for (i = 0; i < f->nfield && !dup; i++)
			dup = strncmp(f->field[i], p, n) == 0 && f->field[i][n] == '\0';
		if (dup)
			continue;
		if (f->nfield == LOAD_MAX_FIELDS)
			return -1;
		snprintf(f->field[f->nfield++], LOAD_FIELD_LEN, "%.*s", (int)n, p);
	}
	return f->csrf[0] && f->doc[0] && f->nfield > 0 ? 0 : -1;
}

struct worker {
	int index;
	pthread_t thread;
	struct counts c;
	struct response r;
	unsigned rand;
	char *log; /* this submission's log lines, built before it is sent */
	size_t logcap;
};

/* After a request that failed with rc (http()), pauses 20 to 100 ms when the server is
 * down or in trouble (no response, or a 5xx), so it is not spun on. */
static void back_off(struct worker *w, int rc)
{
	struct timespec ts = {0, (long)(20 + next_rand(&w->rand) % 80) * 1000000L};

	if (rc < 0 || w->r.status >= 500)
		nanosleep(&ts, NULL);
}

/* Makes the submission's body and its log lines (answers as chosen). */
static int make_submission(struct worker *w, const struct family *f, char *body, size_t bodysz)
{
	char carer = next_rand(&w->rand) % 2 ? 'B' : 'A';
	size_t n, l = 0;
	int i;

	n = (size_t)snprintf(body, bodysz, "csrf=%s&lang=%s&name=Load+Carer+%s+%c&agree.%s=yes",
	                     f->csrf, f->lang, f->ref, carer, f->doc);
	for (i = 0; i < f->nfield && n < bodysz; i++) {
		const char *ans = next_rand(&w->rand) % 3 == 0 ? "no" : "yes";
		const char *dot = strchr(f->field[i] + 2, '.');
		int len;
		n += (size_t)snprintf(body + n, bodysz - n, "&%s=%s", f->field[i], ans);
		if (dot == NULL)
			return -1;
		len = snprintf(w->log + l, w->logcap - l,
		               "%%REF%%,%s,Load Carer %s %c,%.*s,%s,%s\n", f->ref, f->ref, carer,
		               (int)(dot - f->field[i] - 2), f->field[i] + 2, dot + 1, ans);
		if (len < 0 || (size_t)len >= w->logcap - l)
			return -1;
		l += (size_t)len;
	}
	return n < bodysz ? 0 : -1;
}

/* Writes the submission's log lines with %REF% replaced by ref. */
static void log_ack(struct worker *w, const char *ref)
{
	const char *p = w->log, *q;

	pthread_mutex_lock(&lock);
	while ((q = strstr(p, "%REF%")) != NULL) {
		fwrite(p, 1, (size_t)(q - p), ack_log);
		fputs(ref, ack_log);
		p = q + 5;
	}
	fputs(p, ack_log);
	pthread_mutex_unlock(&lock);
}

static void *run(void *arg)
{
	struct worker *w = arg;
	char path[512], body[8192], ref[64];
	int k;

	for (k = w->index; may_send(); k = k + nconns < nfamilies ? k + nconns : w->index) {
		struct family *f = &families[k];
		const char *p;
		int rc;

		w->c.journeys++;
		if (!f->loaded) {
			snprintf(path, sizeof path, "/sign/%s/answer?lang=%s", f->token, f->lang);
			rc = http("GET", path, NULL, &w->r);
			if (tally(&w->c, 0, rc, &w->r, 200, "GET answer")) {
				if (read_form(f, w->r.body) < 0) {
					w->c.unexpected++;
					report("family %s: cannot read the answer form", f->ref);
					continue;
				}
				f->loaded = 1;
			} else {
				back_off(w, rc);
				continue;
			}
			if (!may_send())
				break;
		}
		snprintf(path, sizeof path, "/sign/%s", f->token);
		rc = http("GET", path, NULL, &w->r);
		if (!tally(&w->c, 0, rc, &w->r, 200, "GET family page")) {
			back_off(w, rc);
			continue;
		}
		if (!may_send())
			break;
		if (make_submission(w, f, body, sizeof body) < 0) {
			w->c.unexpected++;
			report("family %s: the submission does not fit", f->ref);
			continue;
		}
		/* The check page issues the once-only value that Confirm needs. */
		snprintf(path, sizeof path, "/sign/%s/check", f->token);
		rc = http("POST", path, body, &w->r);
		if (!tally(&w->c, 0, rc, &w->r, 200, "POST check")) {
			back_off(w, rc);
			continue;
		}
		if ((p = strstr(w->r.body, "name=\"once\" value=\"")) == NULL ||
		    strcspn(p + 19, "\"") > 100 ||
		    strlen(body) + 7 + strcspn(p + 19, "\"") >= sizeof body) {
			w->c.unexpected++;
			report("family %s: the check page has no once-only value", f->ref);
			continue;
		}
		snprintf(body + strlen(body), sizeof body - strlen(body), "&once=%.*s",
		         (int)strcspn(p + 19, "\""), p + 19);
		if (!may_send())
			break;
		snprintf(path, sizeof path, "/sign/%s/confirm", f->token);
		rc = http("POST", path, body, &w->r);
		if (!tally(&w->c, 1, rc, &w->r, 303, "POST confirm")) {
			if (rc == -1 || (rc == 0 && w->r.status >= 500))
				w->c.unknown++; /* sent, but it may or may not be stored */
			back_off(w, rc);
			continue;
		}
		if ((p = strstr(w->r.location, "/done?ref=")) == NULL ||
		    strcspn(p + 10, "&") >= sizeof ref) {
			w->c.unexpected++;
			w->c.unknown++;
			report("POST confirm: 303 to '%s', not to a confirmation", w->r.location);
			continue;
		}
		snprintf(ref, sizeof ref, "%.*s", (int)strcspn(p + 10, "&"), p + 10);
		w->c.acknowledged++;
		log_ack(w, ref);
		if (!may_send())
			break;
		snprintf(path, sizeof path, "%s", w->r.location); /* http() clears r */
		rc = http("GET", path, NULL, &w->r);
		if (tally(&w->c, 0, rc, &w->r, 200, "GET done")) {
			if (strstr(w->r.body, ref) == NULL) {
				w->c.unexpected++;
				report("GET done: the page does not show the reference %s", ref);
			} else {
				w->c.completed++;
			}
		} else {
			back_off(w, rc);
		}
	}
	return NULL;
}

static int read_tokens(const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[1024];

	if (fp == NULL) {
		fprintf(stderr, "load: %s: %s\n", path, strerror(errno));
		return -1;
	}
	families = calloc(LOAD_MAX_FAMILIES, sizeof *families);
	while (families && fgets(line, sizeof line, fp) && nfamilies < LOAD_MAX_FAMILIES) {
		char *comma = strchr(line, ','), *slash;
		struct family *f = &families[nfamilies];
		line[strcspn(line, "\r\n")] = '\0';
		if (comma == NULL || strncmp(comma + 1, "http", 4) != 0)
			continue; /* the header, or a blank line */
		*comma = '\0';
		slash = strrchr(comma + 1, '/');
		if (slash == NULL || strlen(line) >= sizeof f->ref ||
		    strlen(slash + 1) >= sizeof f->token || slash[1] == '\0')
			continue;
		f->lang = nfamilies % 2 ? "cy" : "en";
		memcpy(f->ref, line, strlen(line) + 1);
		memcpy(f->token, slash + 1, strlen(slash + 1) + 1);
		nfamilies++;
	}
	fclose(fp);
	return families ? 0 : -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: load -p PORT -f TOKENS [-c CONNS] [-d SECONDS] [-n MAX] "
	                "[-t TIMEOUT] [-s SEED] [-o LOG]\n"
	                "       load verify [-l] DB LOG\n");
}

/* --- verify --- */

/* Each check is a query yielding one line per problem. */
struct check {
	const char *name;
	const char *sql;
	int latest; /* only with -l */
};

static const struct check checks[] = {
    {"acknowledged_stored",
     "SELECT 'reference ' || a.ref || ' of family ' || a.family || ' is not in the event log'"
     " FROM (SELECT DISTINCT ref, id, suffix, family FROM ack) a"
     " WHERE NOT EXISTS (SELECT 1 FROM ev e JOIN main.family f ON f.id = e.family_id"
     "  WHERE e.id = a.id AND f.ref = a.family AND substr(e.hash, 1, 4) = a.suffix"
     "  AND e.detail = 'submission ' || a.id)"
     " UNION ALL"
     " SELECT 'reference ' || a.ref || ': no event for child ' || a.child || ' ' || a.purpose"
     "  || ' = ' || a.answer FROM ack a"
     " WHERE NOT EXISTS (SELECT 1 FROM ev e WHERE e.detail = 'submission ' || a.id"
     "  AND e.kind = 'answer' AND e.child_id = a.child AND e.purpose = a.purpose"
     "  AND e.answer = a.answer AND e.signer = a.signer)",
     0},
    {"submissions_complete",
     "WITH s AS (SELECT detail, count(DISTINCT id) AS n, min(id) AS lo, max(id) AS hi,"
     "  count(DISTINCT family_id) AS families, max(family_id) AS family_id,"
     "  sum(kind = 'answer') AS answers FROM ev WHERE detail LIKE 'submission %'"
     "  AND kind IN ('sign', 'answer') GROUP BY detail)"
     " SELECT s.detail || ': events ' || s.lo || '..' || s.hi || ', ' || s.n || ' of them, '"
     "  || s.answers || ' answers, ' || s.families || ' families' FROM s"
     " WHERE s.lo != CAST(substr(s.detail, 12) AS INTEGER) OR s.hi - s.lo + 1 != s.n"
     "  OR s.families != 1 OR s.answers != (SELECT count(*) FROM main.child c"
     "   WHERE c.family_id = s.family_id AND c.left_on IS NULL)"
     "  * (SELECT count(*) FROM main.purpose)",
     0},
    {"answers_match_log",
     "SELECT 'answer of child ' || a.child_id || ' ' || a.purpose || ' by ' || a.signer"
     "  || ' does not match event ' || a.event_id || ' or is not the latest'"
     " FROM main.answer a LEFT JOIN ev e ON e.id = a.event_id AND e.child_id IS a.child_id"
     "  AND e.purpose IS a.purpose"
     " WHERE e.id IS NULL OR e.kind NOT IN ('answer', 'withdraw') OR e.child_id != a.child_id"
     "  OR e.purpose != a.purpose OR e.answer != a.answer"
     "  OR (e.kind = 'answer' AND e.signer IS NOT a.signer)"
     "  OR EXISTS (SELECT 1 FROM ev l WHERE l.child_id = a.child_id AND l.purpose = a.purpose"
     "   AND l.kind = 'answer' AND l.signer = a.signer AND l.id > a.event_id)"
     " UNION ALL"
     " SELECT 'answer event ' || e.id || ' is the latest of its carer but has no row'"
     " FROM ev e WHERE e.kind = 'answer' AND NOT EXISTS (SELECT 1 FROM ev l"
     "  WHERE l.child_id = e.child_id AND l.purpose = e.purpose AND l.kind = 'answer'"
     "  AND l.signer = e.signer AND l.id > e.id)"
     " AND NOT EXISTS (SELECT 1 FROM main.answer a WHERE a.child_id = e.child_id"
     "  AND a.purpose = e.purpose AND a.event_id = e.id)"
     " UNION ALL"
     " SELECT 'signature of family ' || s.family_id || ' by ' || s.signer"
     "  || ' does not match event ' || s.event_id"
     " FROM main.signature s LEFT JOIN ev e ON e.id = s.event_id AND e.kind = 'sign'"
     "  AND e.document_id IS s.document_id"
     " WHERE e.id IS NULL OR e.family_id != s.family_id"
     "  OR e.document_id != s.document_id OR e.signer IS NOT s.signer"
     " UNION ALL"
     " SELECT 'sign event ' || e.id || ' has no signature row' FROM ev e WHERE e.kind = 'sign'"
     " AND NOT EXISTS (SELECT 1 FROM main.signature s WHERE s.family_id = e.family_id"
     "  AND s.document_id = e.document_id AND s.event_id = e.id)",
     0},
    {"acknowledged_signed",
     "SELECT DISTINCT 'family ' || a.family || ': ' || a.signer || ' has no signature'"
     " FROM ack a JOIN main.family f ON f.ref = a.family WHERE NOT EXISTS (SELECT 1"
     "  FROM main.signature s WHERE s.family_id = f.id AND s.signer = a.signer)",
     0},
    {"latest_acknowledged",
     "WITH last AS (SELECT family, signer, max(seq) AS seq FROM ack GROUP BY family, signer),"
     " lastref AS (SELECT l.family, l.signer, a.id FROM last l JOIN ack a ON a.seq = l.seq)"
     " SELECT 'family ' || a.family || ', ' || a.signer || ', child ' || a.child || ' '"
     "  || a.purpose || ': stored ' || coalesce(w.answer, 'nothing') || ' from event '"
     "  || coalesce(w.event_id, '-') || ', last acknowledged ' || a.answer || ' in ' || a.ref"
     " FROM ack a JOIN lastref l ON l.family = a.family AND l.signer = a.signer AND l.id = a.id"
     " LEFT JOIN main.answer w ON w.child_id = a.child AND w.purpose = a.purpose"
     "  AND w.signer = a.signer"
     " WHERE w.answer IS NOT a.answer OR NOT EXISTS (SELECT 1 FROM ev e WHERE e.id = w.event_id"
     "  AND e.detail = 'submission ' || a.id)",
     1},
};

static int exec_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "load: %s\n", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Loads LOG into the temporary table ack. Returns the rows, or -1. */
static long load_log(sqlite3 *db, const char *path)
{
	static const char insert_sql[] =
	    "INSERT INTO ack (ref, id, suffix, family, signer, child, purpose, answer)"
	    " VALUES (?1, ?2, lower(?3), ?4, ?5, ?6, ?7, ?8)";
	FILE *fp = fopen(path, "r");
	sqlite3_stmt *st = NULL;
	char line[1024];
	long n = 0, lineno = 0;

	if (fp == NULL) {
		fprintf(stderr, "load: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (sqlite3_prepare_v2(db, insert_sql, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	while (fgets(line, sizeof line, fp)) {
		char *f[6], *p = line, *dash;
		int i;
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		for (i = 0; i < 6 && p; i++) {
			f[i] = p;
			if ((p = strchr(p, ',')) != NULL)
				*p++ = '\0';
		}
		if (i < 6 || p || (dash = strchr(f[0], '-')) == NULL) {
			fprintf(stderr,
			        "load: %s:%ld: not ref,family,signer,child,purpose,answer\n", path,
			        lineno);
			sqlite3_finalize(st);
			fclose(fp);
			return -1;
		}
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, f[0], -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, atoll(f[0]));
		sqlite3_bind_text(st, 3, dash + 1, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, f[1], -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 5, f[2], -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 6, atoll(f[3]));
		sqlite3_bind_text(st, 7, f[4], -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 8, f[5], -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		n++;
	}
	sqlite3_finalize(st);
	fclose(fp);
	return n;
fail:
	fprintf(stderr, "load: %s: %s\n", path, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	fclose(fp);
	return -1;
}

/* Prints PASS or FAIL for one check, with up to five problems. Returns 1 when it
 * passed, 0 when not, -1 when the query failed. */
static int run_check(sqlite3 *db, const struct check *c)
{
	sqlite3_stmt *st;
	long problems = 0;
	int rc;

	if (sqlite3_prepare_v2(db, c->sql, -1, &st, NULL) != SQLITE_OK) {
		printf("FAIL %s: %s\n", c->name, sqlite3_errmsg(db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (problems == 0)
			printf("FAIL %s:", c->name);
		if (problems++ < 5)
			printf(" %s;", (const char *)sqlite3_column_text(st, 0));
	}
	if (rc != SQLITE_DONE) {
		printf("%s %s: %s\n", problems ? "" : "FAIL", c->name, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	if (problems)
		printf(" (%ld in all)\n", problems);
	else
		printf("PASS %s\n", c->name);
	return problems == 0;
}

static int verify(int argc, char **argv)
{
	static const char setup_sql[] =
	    "CREATE TEMP TABLE ack (seq INTEGER PRIMARY KEY, ref TEXT, id INTEGER, suffix TEXT,"
	    " family TEXT, signer TEXT, child INTEGER, purpose TEXT, answer TEXT);"
	    /* One row per item: a submission event (consent_record) gives one per entry of its
	     * data, as the older form's sign and answer events were (docs/evidence.md). */
	    "CREATE TEMP TABLE ev AS SELECT id, at, kind, family_id, child_id, purpose, answer,"
	    " document_id, signer, detail, hash FROM main.event WHERE kind <> 'submission'"
	    " UNION ALL SELECT v.id, v.at, json_extract(j.value, '$[0]'), v.family_id,"
	    " CASE json_extract(j.value, '$[0]') WHEN 'answer' THEN json_extract(j.value, '$[1]') END,"
	    " json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]'),"
	    " CASE json_extract(j.value, '$[0]') WHEN 'sign' THEN json_extract(j.value, '$[1]') END,"
	    " v.signer, v.detail, v.hash FROM main.event v, json_each(v.data) j"
	    " WHERE v.kind = 'submission';"
	    "CREATE INDEX temp.ev_detail ON ev (detail);"
	    "CREATE INDEX temp.ev_answer ON ev (child_id, purpose, kind, signer);"
	    "CREATE INDEX temp.ack_ref ON ack (family, signer, seq);";
	static const char counts_sql[] =
	    "SELECT (SELECT count(DISTINCT ref) FROM ack),"
	    " (SELECT count(*) FROM (SELECT DISTINCT a.ref FROM ack a JOIN ev e ON e.id = a.id"
	    "  JOIN main.family f ON f.id = e.family_id AND f.ref = a.family"
	    "  WHERE substr(e.hash, 1, 4) = a.suffix AND e.detail = 'submission ' || a.id)),"
	    " (SELECT count(DISTINCT detail) FROM ev WHERE detail LIKE 'submission %')";
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	int latest = 0, ok = 1, rc;
	size_t i;

	if (argc > 0 && strcmp(argv[0], "-l") == 0) {
		latest = 1;
		argc--;
		argv++;
	}
	if (argc != 2) {
		usage();
		return 2;
	}
	if (sqlite3_open_v2(argv[0], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "load: %s: %s\n", argv[0], sqlite3_errmsg(db));
		sqlite3_close(db);
		return 2;
	}
	sqlite3_busy_timeout(db, 5000);
	if (exec_sql(db, "BEGIN;") < 0 || exec_sql(db, setup_sql) < 0 ||
	    load_log(db, argv[1]) < 0 || exec_sql(db, "COMMIT;") < 0) {
		sqlite3_close(db);
		return 2;
	}
	if (sqlite3_prepare_v2(db, counts_sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		fprintf(stderr, "load: %s\n", sqlite3_errmsg(db));
		sqlite3_close(db);
		return 2;
	}
	printf("acknowledged=%lld found=%lld submissions=%lld\n", sqlite3_column_int64(st, 0),
	       sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2));
	sqlite3_finalize(st);
	for (i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		if (checks[i].latest && !latest)
			continue;
		if ((rc = run_check(db, &checks[i])) <= 0)
			ok = 0;
	}
	sqlite3_close(db);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *tokens = NULL, *logpath = "/dev/null";
	struct counts total;
	struct worker *w;
	double start;
	int opt, i;

	if (argc > 1 && strcmp(argv[1], "verify") == 0)
		return verify(argc - 2, argv + 2);
	while ((opt = getopt(argc, argv, "p:f:c:d:n:t:s:o:")) != -1) {
		switch (opt) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'f':
			tokens = optarg;
			break;
		case 'c':
			nconns = atoi(optarg);
			break;
		case 'd':
			seconds = atof(optarg);
			break;
		case 'n':
			max_requests = atol(optarg);
			break;
		case 't':
			timeout_s = atoi(optarg);
			break;
		case 's':
			seed = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'o':
			logpath = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (port <= 0 || port > 65535 || tokens == NULL || nconns < 1 ||
	    nconns > LOAD_MAX_THREADS || seconds <= 0 || seconds > 3600 || timeout_s < 1 ||
	    max_requests < 0) {
		usage();
		return 2;
	}
	if (read_tokens(tokens) < 0)
		return 2;
	if (nfamilies < nconns) {
		fprintf(stderr, "load: %s: %d families, fewer than the %d connections\n", tokens,
		        nfamilies, nconns);
		return 2;
	}
	if ((ack_log = fopen(logpath, "w")) == NULL) {
		fprintf(stderr, "load: %s: %s\n", logpath, strerror(errno));
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	budget = max_requests;
	memset(&total, 0, sizeof total);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)seconds;
	deadline.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	if ((w = calloc((size_t)nconns, sizeof *w)) == NULL)
		return 2;
	start = now();
	for (i = 0; i < nconns; i++) {
		w[i].index = i;
		w[i].rand = seed * 2654435761u + (unsigned)i + 1;
		w[i].logcap = LOAD_MAX_FIELDS * 160;
		if ((w[i].log = malloc(w[i].logcap)) == NULL ||
		    pthread_create(&w[i].thread, NULL, run, &w[i]) != 0) {
			fprintf(stderr, "load: cannot start thread %d\n", i);
			return 2;
		}
	}
	for (i = 0; i < nconns; i++) {
		pthread_join(w[i].thread, NULL);
		total.requests += w[i].c.requests;
		total.get += w[i].c.get;
		total.post += w[i].c.post;
		total.acknowledged += w[i].c.acknowledged;
		total.unknown += w[i].c.unknown;
		total.s2xx += w[i].c.s2xx;
		total.s3xx += w[i].c.s3xx;
		total.s4xx += w[i].c.s4xx;
		total.s5xx += w[i].c.s5xx;
		total.errors += w[i].c.errors;
		total.unexpected += w[i].c.unexpected;
		total.journeys += w[i].c.journeys;
		total.completed += w[i].c.completed;
		free(w[i].r.buf);
		free(w[i].log);
	}
	if (fclose(ack_log) != 0) {
		fprintf(stderr, "load: %s: %s\n", logpath, strerror(errno));
		return 2;
	}
	printf(
	    "requests=%ld get=%ld post=%ld acknowledged=%ld unknown=%ld s2xx=%ld s3xx=%ld "
	    "s4xx=%ld s5xx=%ld errors=%ld unexpected=%ld journeys=%ld completed=%ld seconds=%.1f\n",
	    total.requests, total.get, total.post, total.acknowledged, total.unknown, total.s2xx,
	    total.s3xx, total.s4xx, total.s5xx, total.errors, total.unexpected, total.journeys,
	    total.completed, now() - start);
	free(w);
	free(families);
	return 0;
}
