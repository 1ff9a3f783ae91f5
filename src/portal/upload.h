/* upload: multipart/form-data request bodies (RFC 7578), for the office's file uploads.
 *
 * Strict and small: the boundary comes from the Content-Type; each part must have a
 * Content-Disposition of form-data with a name of [a-z0-9_.-]; a part's other headers
 * are ignored; at most UPLOAD_MAX_PARTS parts. Values are not decoded (a browser sends
 * them as they are) and point into the body, which must outlive the parts. */
#ifndef UPLOAD_H
#define UPLOAD_H

#include <stddef.h>

#define UPLOAD_MAX_PARTS 16
#define UPLOAD_MAX_NAME 64

struct upload_part {
	char name[UPLOAD_MAX_NAME + 1];
	int is_file;       /* had a filename parameter */
	const char *value; /* into the body; not NUL-terminated */
	size_t len;
};

struct upload {
	struct upload_part part[UPLOAD_MAX_PARTS];
	size_t n;
};

/* Parses body (len bytes) sent with content_type. Returns 0, or -1 when the type is not
 * multipart/form-data with a boundary, or the body is malformed or has too many parts. */
int upload_parse(struct upload *, const char *content_type, const char *body, size_t len);

/* The first part called name, or NULL. */
const struct upload_part *upload_get(const struct upload *, const char *name);

#endif
