/* buf: a growable byte buffer, always NUL-terminated.
 *
 * An allocation failure sets `oom` and makes every later write a no-op, so a caller
 * can write a whole page and check once at the end (buf_ok). */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

struct buf {
	char *data; /* NUL-terminated; NULL until the first write */
	size_t len;
	size_t cap;
	int oom;
};

#define BUF_INIT {NULL, 0, 0, 0}

/* buf_put when the bytes may not fit: grows the buffer first. */
void buf_put_grow(struct buf *, const char *, size_t);

/* Inline, because pages are written in millions of small pieces: the common case, room
 * left, is a copy without a call. */
static inline void buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->cap - b->len > n && !b->oom) {
		if (n)
			memcpy(b->data + b->len, s, n);
		b->len += n;
		b->data[b->len] = '\0';
	} else {
		buf_put_grow(b, s, n);
	}
}

static inline void buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

static inline void buf_putc(struct buf *b, char c)
{
	if (b->cap - b->len > 1 && !b->oom) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
	} else {
		buf_put_grow(b, &c, 1);
	}
}

/* v in decimal, the bytes "%lld" and "%zu" print, without parsing a format: for the text
 * the event log hashes and stores, a dozen numbers in every submission. */
void buf_put_ll(struct buf *, long long v);
void buf_put_size(struct buf *, size_t n);

void buf_printf(struct buf *, const char *, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *, const char *, va_list) __attribute__((format(printf, 2, 0)));
/* Makes room for more bytes (and the NUL) without writing them, so that the buffer's own
 * bytes can be copied within it. Returns 0, or -1 (oom is set). */
int buf_reserve(struct buf *, size_t more);
/* Empties the buffer but keeps its memory (and clears oom). */
void buf_reset(struct buf *);
/* Frees the memory; the buffer may be used again afterwards. */
void buf_free(struct buf *);
/* Returns the contents ("" when empty) for the caller to free, and empties the buffer.
 * NULL when an allocation failed. */
char *buf_detach(struct buf *);
/* The contents as a C string, "" when empty. Valid until the next write. */
const char *buf_str(const struct buf *);
int buf_ok(const struct buf *);

/* Reads a whole file into b (appending). Returns 0, or -1 with errno set. */
int buf_read_file(struct buf *b, const char *path);
/* Reads a whole ordinary file of at most max bytes into out (appending), never through a
 * symbolic link and never waiting on a FIFO. Returns 0, or -1 with errno set and a
 * sentence for the reader in why ("is a symbolic link; ...", "is over the limit ..."). */
int buf_read_regular(const char *path, size_t max, struct buf *out, char *why, size_t whylen);
/* buf_read_regular for a file whose status was taken already: size is what it said. When
 * the file still has exactly that many bytes it is read with one read() into out; when
 * not (it changed, or is no longer an ordinary file), buf_read_regular reads or refuses
 * it. Same returns. */
int buf_read_known(const char *path, size_t size, size_t max, struct buf *out, char *why,
                   size_t whylen);
/* buf_read_known whose quick read opens name relative to the folder open as dfd (path is
 * the same file's full name, for the careful read and its messages). */
int buf_read_known_at(int dfd, const char *name, const char *path, size_t size, size_t max,
                      struct buf *out, char *why, size_t whylen);
/* buf_read_known whose quick read is from fd, open on the file at its start (the caller
 * closes it). */
int buf_read_known_fd(int fd, const char *path, size_t size, size_t max, struct buf *out,
                      char *why, size_t whylen);
/* What kind of file mode m is, for a message: "a symbolic link", "a FIFO (named pipe)"... */
const char *buf_file_kind(mode_t m);

#endif
