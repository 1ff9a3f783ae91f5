/* wire: the framed messages between office.fcgi and its `policygen serve` helper, over a
 * pair of pipes. One message is a verb line, named fields and an end line:
 *
 *   VERB\n
 *   NAME LENGTH\n BYTES \n        (any number of fields; a name may repeat)
 *   .\n
 *
 * VERB and NAME are 1..WIRE_MAX_NAME bytes of [a-z0-9_.-]; LENGTH is the decimal byte
 * count of the value that follows, which may hold any bytes. Lengths make the framing
 * independent of the values, so nothing a form carries can forge a field or end a
 * message early. A message is at most WIRE_MAX_MESSAGE bytes. */
#ifndef WIRE_H
#define WIRE_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"

#define WIRE_MAX_NAME 64
#define WIRE_MAX_MESSAGE (16 * 1024 * 1024)
#define WIRE_MAX_FIELDS 100000

struct wire_field {
	const char *name;
	const char *value; /* NUL-terminated as well (the value may hold NULs of its own) */
	size_t len;
};

struct wire_msg {
	const char *verb;
	struct wire_field *f; /* in the order written */
	size_t n;
};

/* Starts a message with verb in out; wire_put adds a field (len bytes at value),
 * wire_puts a NUL-terminated one (NULL is skipped), wire_end closes the message. */
void wire_begin(struct buf *out, const char *verb);
void wire_put(struct buf *out, const char *name, const char *value, size_t len);
void wire_puts(struct buf *out, const char *name, const char *value);
void wire_end(struct buf *out);

/* Parses one whole message at the start of the len bytes at p into m, its strings in a.
 * Returns the bytes it used; 0 when the message is not complete yet; -1 when malformed
 * (a message with "what" in err). */
long wire_parse(struct wire_msg *m, struct arena *a, const char *p, size_t len, struct buf *err);

/* Reads one message from fd into m (strings in a). timeout_ms < 0 waits for ever.
 * raw keeps bytes read past the message for the next call (give the same buf each time).
 * Returns 1 with a message, 0 at end of file before any byte of one, -1 on error, a
 * time-out or a malformed or too long message, with a sentence in err. */
int wire_read(int fd, struct buf *raw, struct wire_msg *m, struct arena *a, int timeout_ms,
              struct buf *err);

/* Writes all of out to fd. Returns 0 or -1 (errno set). */
int wire_write(int fd, const struct buf *out);

/* The value of the first field called name, or NULL; wire_getn also gives its length. */
const char *wire_get(const struct wire_msg *, const char *name);
const char *wire_getn(const struct wire_msg *, const char *name, size_t *len);

#endif
