#include "handoff.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int all_in(const char *s, const char *set, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n <= max && strspn(s, set) == n;
}

const char *handoff_text_rel(struct arena *a, const char *slug, const char *version,
                             const char *lang)
{
	if (!all_in(slug, "abcdefghijklmnopqrstuvwxyz0123456789-", 100) || slug[0] == '-' ||
	    !all_in(version, "0123456789-", 10) || !all_in(lang, "abcdefghijklmnopqrstuvwxyz", 3))
		return NULL;
	return arena_printf(a, "texts/%s/%s.%s.html", slug, version, lang);
}

enum handoff_text handoff_text_read(const char *dir, const char *slug, const char *version,
                                    const char *lang, const char *sha256_hex, struct buf *out)
{
	struct arena *a = arena_new();
	const char *rel = a ? handoff_text_rel(a, slug, version, lang) : NULL;
	const char *path = rel ? arena_printf(a, "%s/%s", dir, rel) : NULL;
	unsigned char hash[crypto_hash_sha256_BYTES];
	char hex[crypto_hash_sha256_BYTES * 2 + 1];
	struct buf text = BUF_INIT;
	struct stat st;
	enum handoff_text rc = HANDOFF_TEXT_UNREADABLE;
	int saved;

	if (path == NULL) {
		errno = a ? EINVAL : ENOMEM;
	} else if (stat(path, &st) < 0) {
		/* errno says why */
	} else if (st.st_size > HANDOFF_MAX_TEXT) {
		errno = EFBIG;
	} else if (buf_read_file(&text, path) == 0) {
		crypto_hash_sha256(hash, (const unsigned char *)buf_str(&text), text.len);
		sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
		rc = sha256_hex && strcmp(hex, sha256_hex) == 0 ? HANDOFF_TEXT_OK
		                                                : HANDOFF_TEXT_CHANGED;
		if (rc == HANDOFF_TEXT_OK)
			buf_put(out, buf_str(&text), text.len);
	}
	saved = errno; /* the caller reports why it could not read */
	buf_free(&text);
	arena_free(a);
	errno = saved;
	return rc;
}

void handoff_review_line(struct buf *tsv, const char *slug, const char *version,
                         const char *review_written, const char *title)
{
	buf_printf(tsv, "%s\t%s\t%s\t%s\n", slug, version, review_written ? review_written : "",
	           title);
}

/* Splits line (NUL-terminated, no newline) at tabs into exactly n fields. */
static int fields(char *line, char **f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *tab = strchr(line, '\t');
		f[i] = line;
		if (i + 1 < n) {
			if (tab == NULL)
				return -1;
			*tab = '\0';
			line = tab + 1;
		} else if (tab != NULL) {
			return -1;
		}
	}
	return 0;
}

long handoff_reviews_read(const char *dir, struct arena *a, struct handoff_review **rows,
                          struct buf *err)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	struct handoff_review *r = NULL;
	struct stat st;
	char *p, *nl, *f[4];
	size_t lines = 0, n = 0, lineno = 0;
	long rc = -1;

	buf_printf(&path, "%s/%s", dir, HANDOFF_REVIEWS);
	if (stat(buf_str(&path), &st) == 0 && st.st_size > HANDOFF_MAX_REVIEWS) {
		buf_printf(err, "%s: larger than %d bytes\n", buf_str(&path), HANDOFF_MAX_REVIEWS);
		goto done;
	}
	if (buf_read_file(&text, buf_str(&path)) < 0) {
		buf_printf(err, "%s: cannot read: %s (run policygen build --portal %s)\n",
		           buf_str(&path), strerror(errno), dir);
		goto done;
	}
	for (p = text.data; p && *p; p++)
		lines += *p == '\n';
	if ((r = arena_alloc(a, (lines + 1) * sizeof *r)) == NULL) {
		buf_printf(err, "%s: out of memory\n", buf_str(&path));
		goto done;
	}
	for (p = text.data; p && *p; p = nl + 1) {
		struct handoff_review *row = &r[n];
		lineno++;
		if ((nl = strchr(p, '\n')) == NULL) {
			buf_printf(err, "%s:%zu: the last line is cut short\n", buf_str(&path),
			           lineno);
			goto done;
		}
		*nl = '\0';
		if (fields(p, f, 4) < 0 ||
		    (f[2][0] && review_parse(&row->review, f[2], NULL) < 0) ||
		    handoff_text_rel(a, f[0], f[1], "en") == NULL) {
			buf_printf(err,
			           "%s:%zu: not slug, version, review date and title "
			           "(run policygen build again)\n",
			           buf_str(&path), lineno);
			goto done;
		}
		row->slug = arena_strdup(a, f[0]);
		row->version = arena_strdup(a, f[1]);
		row->review_written = arena_strdup(a, f[2]);
		row->title = arena_strdup(a, f[3]);
		n++;
	}
	if (!arena_ok(a)) {
		buf_printf(err, "%s: out of memory\n", buf_str(&path));
		goto done;
	}
	*rows = r;
	rc = (long)n;
done:
	buf_free(&path);
	buf_free(&text);
	return rc;
}
