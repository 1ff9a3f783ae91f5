/* html: the one escaping module. Table-driven, one function per output context.
 *
 * Every function appends to a buf and never fails on its own (see buf.h for oom). */
#ifndef HTML_H
#define HTML_H

#include "buf.h"

/* Text and quoted attribute values: & < > " ' become entities. */
void html_escape(struct buf *, const char *s, size_t len);
void html_escapes(struct buf *, const char *s);
/* XML 1.0 text and attributes (feeds, sitemap): as html_escape, and control characters
 * that XML forbids are dropped. */
void xml_escapes(struct buf *, const char *s);
/* A URL path segment or query value: everything outside [A-Za-z0-9-._~] is %XX. */
void url_encodes(struct buf *, const char *s);

#endif
