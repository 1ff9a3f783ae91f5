/* multipart: a bounded reader of multipart/form-data request bodies (RFC 7578), for the
 * office's file upload.
 *
 * The body is parsed in place: each part's headers are read (Content-Disposition with
 * name and optional filename, Content-Type), and its data is a pointer into the body
 * with a length. Bounds: at most MULTIPART_MAX_PARTS parts, part headers of at most
 * MULTIPART_MAX_HEADER bytes, a boundary of 1 to 70 characters (RFC 2046). Anything
 * else (no closing boundary, a part without a name, a name twice, a header line without
 * ':', a NUL in a header) is refused with an error code, so a handler never sees half
 * a form.
 *
 *	struct multipart m;
 *	if (multipart_parse(&m, content_type, body, len) < 0)
 *		log multipart_strerror(m.err);
 *	const struct multipart_part *file = multipart_get(&m, "file");
 *
 * The parts point into body, which must outlive m; nothing is allocated. */
#ifndef MULTIPART_H
#define MULTIPART_H

#include <stddef.h>

#define MULTIPART_MAX_PARTS 8
#define MULTIPART_MAX_HEADER 1024 /* bytes of one part's headers */
#define MULTIPART_MAX_NAME 64     /* bytes of a field name or file name kept */

enum multipart_error {
	MULTIPART_ERR_NONE,
	MULTIPART_ERR_TYPE,     /* Content-Type is not multipart/form-data with a boundary */
	MULTIPART_ERR_BOUNDARY, /* the body does not start with the boundary, or never ends */
	MULTIPART_ERR_HEADER,   /* a part's headers are malformed or too long */
	MULTIPART_ERR_NAME,     /* a part without a name, or a name given twice */
	MULTIPART_ERR_PARTS,    /* more than MULTIPART_MAX_PARTS parts */
	MULTIPART_ERR__MAX
};

extern const char *const multipart_error_names[MULTIPART_ERR__MAX];
const char *multipart_strerror(enum multipart_error);

struct multipart_part {
	char name[MULTIPART_MAX_NAME + 1];
	char filename[MULTIPART_MAX_NAME + 1]; /* "" when the part is not a file; a longer
	                                        * name is cut (it is only shown) */
	int is_file;                           /* a filename parameter was given */
	char content_type[MULTIPART_MAX_NAME + 1];
	const char *data; /* into the body */
	size_t len;
};

struct multipart {
	struct multipart_part part[MULTIPART_MAX_PARTS];
	size_t nparts;
	enum multipart_error err;
};

/* 1 when content_type is multipart/form-data (parameters allowed). */
int multipart_is(const char *content_type);

/* Parses the len bytes of body sent with content_type. Returns 0, or -1 with m->err set
 * and no parts. */
int multipart_parse(struct multipart *m, const char *content_type, const char *body, size_t len);

/* The part called name, or NULL. */
const struct multipart_part *multipart_get(const struct multipart *m, const char *name);

#endif
