#include "wire.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int name_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > WIRE_MAX_NAME)
		return 0;
	for (i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '_' ||
		      p[i] == '.' || p[i] == '-'))
			return 0;
	return 1;
}

void wire_begin(struct buf *out, const char *verb)
{
	buf_printf(out, "%s\n", verb);
}

void wire_put(struct buf *out, const char *name, const char *value, size_t len)
{
	buf_printf(out, "%s %zu\n", name, len);
	buf_put(out, value, len);
	buf_putc(out, '\n');
}

void wire_puts(struct buf *out, const char *name, const char *value)
{
	if (value)
		wire_put(out, name, value, strlen(value));
}

void wire_end(struct buf *out)
{
	buf_puts(out, ".\n");
}

/* Parses (a not NULL) or only measures (a NULL: nothing allocated, m untouched but
 * zeroed) one message; see wire_parse. */
static long parse(struct wire_msg *m, struct arena *a, const char *p, size_t len, struct buf *err)
{
	const char *end = p + len, *q = p, *nl;
	size_t cap = 16;

	memset(m, 0, sizeof *m);
	if ((nl = memchr(q, '\n', len)) == NULL)
		return len > WIRE_MAX_NAME ? (buf_puts(err, "no verb line"), -1) : 0;
	if (!name_ok(q, (size_t)(nl - q))) {
		buf_puts(err, "the verb is not [a-z0-9_.-]");
		return -1;
	}
	if (a) {
		m->verb = arena_strndup(a, q, (size_t)(nl - q));
		m->f = arena_alloc(a, cap * sizeof *m->f);
	}
	q = nl + 1;
	for (;;) {
		const char *sp;
		char *e;
		unsigned long long n;
		if ((nl = memchr(q, '\n', (size_t)(end - q))) == NULL)
			return (size_t)(end - q) > WIRE_MAX_NAME + 24
			           ? (buf_puts(err, "field line too long"), -1)
			           : 0;
		if (nl - q == 1 && q[0] == '.')
			break;
		if ((sp = memchr(q, ' ', (size_t)(nl - q))) == NULL ||
		    !name_ok(q, (size_t)(sp - q)) || sp + 1 == nl || sp[1] < '0' || sp[1] > '9') {
			buf_puts(err, "a field line is not NAME LENGTH");
			return -1;
		}
		errno = 0;
		n = strtoull(sp + 1, &e, 10);
		if (errno || e != nl || n > WIRE_MAX_MESSAGE) {
			buf_puts(err, "a field's length is not a number within bounds");
			return -1;
		}
		if ((size_t)(end - (nl + 1)) < n + 1)
			return 0;
		if (nl[1 + n] != '\n') {
			buf_puts(err, "a field's value is not followed by a newline");
			return -1;
		}
		if (m->n == WIRE_MAX_FIELDS) {
			buf_puts(err, "too many fields");
			return -1;
		}
		if (a == NULL) {
			m->n++;
			q = nl + 1 + n + 1;
			continue;
		}
		if (m->n == cap) {
			struct wire_field *g = arena_alloc(a, 2 * cap * sizeof *g);
			if (g == NULL) {
				buf_puts(err, "out of memory");
				return -1;
			}
			memcpy(g, m->f, cap * sizeof *g);
			m->f = g;
			cap *= 2;
		}
		if (m->f == NULL) {
			buf_puts(err, "out of memory");
			return -1;
		}
		m->f[m->n].name = arena_strndup(a, q, (size_t)(sp - q));
		m->f[m->n].value = arena_strndup(a, nl + 1, (size_t)n);
		m->f[m->n].len = (size_t)n;
		if (m->f[m->n].name == NULL || m->f[m->n].value == NULL) {
			buf_puts(err, "out of memory");
			return -1;
		}
		m->n++;
		q = nl + 1 + n + 1;
	}
	if (a && m->verb == NULL) {
		buf_puts(err, "out of memory");
		return -1;
	}
	return (long)(nl + 1 - p);
}

long wire_parse(struct wire_msg *m, struct arena *a, const char *p, size_t len, struct buf *err)
{
	long n = parse(m, NULL, p, len, err);

	return n <= 0 ? n : parse(m, a, p, len, err);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int wire_read(int fd, struct buf *raw, struct wire_msg *m, struct arena *a, int timeout_ms,
              struct buf *err)
{
	long long deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : 0;
	char chunk[65536];

	for (;;) {
		long used = raw->len ? wire_parse(m, a, raw->data, raw->len, err) : 0;
		ssize_t n;
		if (used < 0)
			return -1;
		if (used > 0) {
			memmove(raw->data, raw->data + used, raw->len - (size_t)used);
			raw->len -= (size_t)used;
			raw->data[raw->len] = '\0';
			return 1;
		}
		if (raw->len > WIRE_MAX_MESSAGE) {
			buf_puts(err, "message too long");
			return -1;
		}
		if (timeout_ms >= 0) {
			struct pollfd pfd = {fd, POLLIN, 0};
			long long left = deadline - now_ms();
			int rc;
			if (left <= 0) {
				buf_puts(err, "no answer in time");
				return -1;
			}
			rc = poll(&pfd, 1, (int)left);
			if (rc < 0 && errno == EINTR)
				continue;
			if (rc < 0) {
				buf_printf(err, "poll: %s", strerror(errno));
				return -1;
			}
			if (rc == 0)
				continue;
		}
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_printf(err, "read: %s", strerror(errno));
			return -1;
		}
		if (n == 0) {
			if (raw->len == 0)
				return 0;
			buf_puts(err, "the message ends early");
			return -1;
		}
		buf_put(raw, chunk, (size_t)n);
		if (!buf_ok(raw)) {
			buf_puts(err, "out of memory");
			return -1;
		}
	}
}

int wire_write(int fd, const struct buf *out)
{
	size_t off = 0;

	if (!buf_ok(out)) {
		errno = ENOMEM;
		return -1;
	}
	while (off < out->len) {
		ssize_t n = write(fd, out->data + off, out->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

const char *wire_getn(const struct wire_msg *m, const char *name, size_t *len)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->f[i].name, name) == 0) {
			if (len)
				*len = m->f[i].len;
			return m->f[i].value;
		}
	return NULL;
}

const char *wire_get(const struct wire_msg *m, const char *name)
{
	return wire_getn(m, name, NULL);
}
