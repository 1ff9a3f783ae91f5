#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int grow(struct buf *b, size_t more)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return -1;
	if (more > (size_t)-1 / 2 - b->len)
		goto fail;
	need = b->len + more + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	if ((p = realloc(b->data, cap)) == NULL)
		goto fail;
	b->data = p;
	b->cap = cap;
	return 0;
fail:
	b->oom = 1;
	return -1;
}

int buf_reserve(struct buf *b, size_t more)
{
	return grow(b, more);
}

void buf_put_grow(struct buf *b, const char *s, size_t n)
{
	if (grow(b, n) < 0)
		return;
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void put_decimal(struct buf *b, unsigned long long u)
{
	char d[24];
	size_t i = sizeof d;

	do
		d[--i] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	buf_put(b, d + i, sizeof d - i);
}

void buf_put_ll(struct buf *b, long long v)
{
	if (v < 0)
		buf_putc(b, '-');
	/* the magnitude in unsigned arithmetic, where -LLONG_MIN fits */
	put_decimal(b, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v);
}

void buf_put_size(struct buf *b, size_t n)
{
	put_decimal(b, n);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	size_t room = b->data && !b->oom ? b->cap - b->len : 0;
	va_list ap2;
	int n;

	/* Printed in place when it fits in the room left, so most calls format once. */
	va_copy(ap2, ap);
	n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->oom = 1;
		if (b->data)
			b->data[b->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		if (grow(b, (size_t)n) < 0) {
			if (b->data)
				b->data[b->len] = '\0';
			return;
		}
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->oom = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

char *buf_detach(struct buf *b)
{
	char *p;

	if (b->oom) {
		buf_free(b);
		return NULL;
	}
	p = b->data ? b->data : strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

int buf_ok(const struct buf *b)
{
	return !b->oom;
}

int buf_read_file(struct buf *b, const char *path)
{
	FILE *f;
	char chunk[65536];
	size_t n;
	int saved;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_put(b, chunk, n);
	if (ferror(f) || b->oom) {
		saved = b->oom ? ENOMEM : EIO;
		fclose(f);
		errno = saved;
		return -1;
	}
	fclose(f);
	if (b->data == NULL)
		buf_put(b, "", 0);
	return 0;
}

int buf_read_known(const char *path, size_t size, size_t max, struct buf *out, char *why,
                   size_t whylen)
{
	return buf_read_known_at(AT_FDCWD, path, path, size, max, out, why, whylen);
}

int buf_read_known_at(int dfd, const char *name, const char *path, size_t size, size_t max,
                      struct buf *out, char *why, size_t whylen)
{
	int fd, rc;

	if (size == 0 || size > max)
		return buf_read_regular(path, max, out, why, whylen);
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return buf_read_regular(path, max, out, why, whylen);
	rc = buf_read_known_fd(fd, path, size, max, out, why, whylen);
	close(fd);
	return rc;
}

int buf_read_known_fd(int fd, const char *path, size_t size, size_t max, struct buf *out,
                      char *why, size_t whylen)
{
	size_t was = out->len;
	ssize_t n;

	/* Read one byte more than expected: fewer than size + 1 from an ordinary file means
	 * its end was reached. Anything unexpected goes the careful way. */
	if (size == 0 || size > max || grow(out, size + 1) < 0)
		return buf_read_regular(path, max, out, why, whylen);
	do
		n = read(fd, out->data + was, size + 1);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)size) {
		out->data[was] = '\0';
		return buf_read_regular(path, max, out, why, whylen);
	}
	out->len = was + size;
	out->data[out->len] = '\0';
	return 0;
}

/* What a file that is not an ordinary file is, for a message. */
const char *buf_file_kind(mode_t m)
{
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISDIR(m))
		return "a folder";
	if (S_ISFIFO(m))
		return "a FIFO (named pipe)";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISREG(m))
		return "an ordinary file";
	return "of an unknown kind";
}

int buf_read_regular(const char *path, size_t max, struct buf *out, char *why, size_t whylen)
{
	char chunk[65536];
	struct stat st;
	size_t total = 0;
	ssize_t n;
	int fd, saved;

	/* O_NOFOLLOW: a symlink is refused, not read through; O_NONBLOCK: opening a FIFO
	 * does not wait for a writer (it is refused below). */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		if (saved == ELOOP)
			snprintf(why, whylen,
			         "is a symbolic link; content is read only from ordinary files "
			         "inside the content folder: put the file itself here");
		else
			snprintf(why, whylen, "cannot read: %s", strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		saved = errno;
		snprintf(why, whylen, "cannot read: %s", strerror(saved));
		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen,
		         "is %s, not an ordinary file; only ordinary files and folders belong in "
		         "the content folder: remove it",
		         buf_file_kind(st.st_mode));
		close(fd);
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += (size_t)n;
		if (total > max)
			break;
		buf_put(out, chunk, (size_t)n);
	}
	saved = errno;
	close(fd);
	if (n < 0) {
		snprintf(why, whylen, "cannot read: %s", strerror(saved));
		errno = saved;
		return -1;
	}
	if (total > max) {
		snprintf(why, whylen,
		         "is over the limit of %zu bytes (%zu KiB) for one file; split it into "
		         "shorter policies, or move long appendices into their own policy",
		         max, max / 1024);
		errno = EFBIG;
		return -1;
	}
	if (!buf_ok(out)) {
		snprintf(why, whylen, "cannot read: out of memory");
		errno = ENOMEM;
		return -1;
	}
	if (out->data == NULL)
		buf_put(out, "", 0);
	return 0;
}
