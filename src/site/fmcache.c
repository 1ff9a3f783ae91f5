#include "fmcache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

#define FMCACHE_MAGIC "policygen-fmcache 1\n"
#define FMCACHE_WRITE_BUF (256 * 1024) /* bytes in each write of the cache file */

/* Entry lines: "F\t<path>\t<size>\t<mtime s>\t<mtime ns>\t<ino>\t<body line>\n", then the
 * front matter, one node a line in preorder:
 * "<kind> <line> <key_line> <quoted> <count>\t<key>\t<value>\n", where kind is S, Q or M
 * (yml_kind) and key and value are escaped (\\, \t, \n as two characters). */
/* The part of a file's status that an entry is valid for (a struct stat is three times
 * the size, and the cache of 10,000 policies has 38,000 entries). */
struct status {
	long long size, sec, nsec;
	unsigned long long ino;
};

struct entry {
	char *path;
	size_t hash; /* of path: reindexing reads no path */
	struct status st;
	int body_line;
	char *text; /* the node lines */
	int used;
};

struct fmcache {
	struct entry *e;
	size_t n, cap;
	size_t *index; /* open addressing over e, by path; 0 empty, else entry index + 1 */
	size_t nindex;
	size_t loaded; /* entries read from the file */
	int changed;   /* an entry was put since */
	struct fmcache *base; /* a branch's (fmcache_branch), where lookups go; else NULL */
};

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* Indexes every entry afresh, in a table at least twice their number. */
static int reindex(struct fmcache *c)
{
	size_t n = 64, i, *ix;

	while (n < c->n * 2 + 2)
		n *= 2;
	if ((ix = calloc(n, sizeof *ix)) == NULL)
		return -1;

	for (i = 0; i < c->n; i++) {
		size_t h = c->e[i].hash & (n - 1);
		while (ix[h])
			h = (h + 1) & (n - 1);
		ix[h] = i + 1;
	}
	free(c->index);
	c->index = ix;
	c->nindex = n;
	return 0;
}

/* The entry of path, whose hash is full, or NULL. */
static struct entry *find_hashed(struct fmcache *c, const char *path, size_t full)
{
	size_t h;

	if (c->nindex == 0)
		return NULL;
	for (h = full & (c->nindex - 1); c->index[h]; h = (h + 1) & (c->nindex - 1)) {
		struct entry *e = &c->e[c->index[h] - 1];
		if (e->hash == full && strcmp(e->path, path) == 0)
			return e;
	}
	return NULL;
}

static struct entry *find(struct fmcache *c, const char *path)
{
	return find_hashed(c, path, hash(path));
}

/* Makes room for n entries in all. Returns 0 or -1. */
static int reserve(struct fmcache *c, size_t n)
{
	size_t cap = c->cap ? c->cap : 16;
	struct entry *p;

	if (n <= c->cap)
		return 0;
	while (cap < n)
		cap *= 2;
	if ((p = realloc(c->e, cap * sizeof *p)) == NULL)
		return -1;
	c->e = p;
	c->cap = cap;
	return 0;
}

/* Adds an entry taking ownership of path and text. */
static struct entry *add(struct fmcache *c, char *path, char *text)
{
	struct entry *e;

	if (reserve(c, c->n + 1) < 0)
		return NULL;
	e = &c->e[c->n++];
	memset(e, 0, sizeof *e);
	e->path = path;
	e->hash = hash(path);
	e->text = text;
	if (c->n * 2 > c->nindex) {
		if (reindex(c) < 0) {
			c->n--;
			return NULL;
		}
	} else {
		size_t h = e->hash & (c->nindex - 1);
		while (c->index[h])
			h = (h + 1) & (c->nindex - 1);
		c->index[h] = c->n;
	}
	return e;
}

/* A decimal number of at most 18 digits; returns 0 or -1. */
static int number(const char *s, long long *out)
{
	long long v = 0;
	int n = 0;

	for (; *s >= '0' && *s <= '9' && n < 18; s++, n++)
		v = v * 10 + (*s - '0');
	*out = v;
	return n > 0 && *s == '\0' ? 0 : -1;
}

static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static void escape(struct buf *b, const char *s)
{
	while (s && *s) {
		size_t run = strcspn(s, "\\\t\n"); /* copied as it is, in one go */
		buf_put(b, s, run);
		s += run;
		if (*s == '\\')
			buf_puts(b, "\\\\");
		else if (*s == '\t')
			buf_puts(b, "\\t");
		else if (*s == '\n')
			buf_puts(b, "\\n");
		else
			break;
		s++;
	}
}

struct fmcache *fmcache_open(const char *path)
{
	struct fmcache *c = calloc(1, sizeof *c);
	struct buf file = BUF_INIT;
	char *p, *end;

	if (c == NULL)
		return NULL;
	if (path == NULL || buf_read_file(&file, path) < 0 ||
	    strncmp(buf_str(&file), FMCACHE_MAGIC, strlen(FMCACHE_MAGIC)) != 0)
		goto done;
	p = file.data + strlen(FMCACHE_MAGIC);
	end = file.data + file.len;
	while (p < end && *p == 'F') {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *fields[7], *q, *text, *tend;
		long long size, sec, nsec, ino, body;
		int i;
		if (nl == NULL)
			break;
		*nl = '\0';
		for (i = 0, q = p; i < 7 && q; i++) {
			fields[i] = q;
			if ((q = strchr(q, '\t')) != NULL)
				*q++ = '\0';
		}
		if (i < 7 || number(fields[2], &size) < 0 || number(fields[3], &sec) < 0 ||
		    number(fields[4], &nsec) < 0 || number(fields[5], &ino) < 0 ||
		    number(fields[6], &body) < 0 || body > 1000000)
			break;
		/* The node lines run up to the next entry or the end. */
		for (tend = nl + 1; tend < end && *tend != 'F';) {
			char *n2 = memchr(tend, '\n', (size_t)(end - tend));
			if (n2 == NULL)
				break;
			tend = n2 + 1;
		}
		unescape(fields[1]);
		text = strndup(nl + 1, (size_t)(tend - nl - 1));
		char *copy = strdup(fields[1]);
		struct entry *e = text && copy ? add(c, copy, text) : NULL;
		if (e == NULL) {
			free(text);
			free(copy);
			break;
		}
		e->st.size = size;
		e->st.sec = sec;
		e->st.nsec = nsec;
		e->st.ino = (unsigned long long)ino;
		e->body_line = (int)body;
		p = tend;
	}
done:
	c->loaded = c->n;
	buf_free(&file);
	return c;
}

void fmcache_free(struct fmcache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->e[i].path);
		free(c->e[i].text);
	}
	free(c->e);
	free(c->index);
	free(c);
}

static struct status status_of(const struct stat *st)
{
	struct status s = {(long long)st->st_size, (long long)st->st_mtim.tv_sec,
	                   (long long)st->st_mtim.tv_nsec, (unsigned long long)st->st_ino};

	return s;
}

static int same_file(const struct status *a, const struct stat *b)
{
	struct status s = status_of(b);

	return a->size == s.size && a->ino == s.ino && a->sec == s.sec && a->nsec == s.nsec;
}

/* Reads "<kind> <line> <key_line> <quoted> <count>"; returns 1 when well formed. */
static int node_header(char *s, char *kind, int *ln, int *kl, int *quoted, size_t *count)
{
	long long v[4];
	char *f;
	int i;

	if ((*s != 'S' && *s != 'Q' && *s != 'M') || s[1] != ' ')
		return 0;
	*kind = *s;
	for (s += 2, i = 0; i < 4; i++) {
		if ((f = strchr(s, ' ')) != NULL)
			*f = '\0';
		if (number(s, &v[i]) < 0 || v[i] > 1000000 || (f == NULL) != (i == 3))
			return 0;
		s = f ? f + 1 : s;
	}
	*ln = (int)v[0];
	*kl = (int)v[1];
	*quoted = (int)v[2];
	*count = (size_t)v[3];
	return 1;
}

/* Rebuilds one node (and its children) from the lines at *p. */
static struct yml *load_node(struct arena *a, char **p, int depth)
{
	struct yml *y, **tail;
	char *line = *p, *nl = strchr(line, '\n'), *key, *value;
	char kind;
	int ln, kl, quoted;
	size_t count, i;

	if (nl == NULL || depth > 64)
		return NULL;
	*nl = '\0';
	*p = nl + 1;
	if ((key = strchr(line, '\t')) == NULL || (value = strchr(key + 1, '\t')) == NULL)
		return NULL;
	*key++ = '\0';
	*value++ = '\0';
	if (!node_header(line, &kind, &ln, &kl, &quoted, &count) ||
	    (y = arena_alloc(a, sizeof *y)) == NULL)
		return NULL;
	y->kind = kind == 'S' ? YML_SCALAR : kind == 'Q' ? YML_SEQ : YML_MAP;
	y->line = ln;
	y->key_line = kl;
	y->quoted = quoted;
	unescape(key);
	unescape(value);
	y->key = *key || kl ? arena_strdup(a, key) : NULL;
	y->value = y->kind == YML_SCALAR ? arena_strdup(a, value) : NULL;
	tail = &y->first;
	for (i = 0; i < count; i++) {
		struct yml *ch = load_node(a, p, depth + 1);
		if (ch == NULL)
			return NULL;
		*tail = ch;
		tail = &ch->next;
		y->count++;
	}
	return y;
}

int fmcache_has(struct fmcache *c, const char *path)
{
	return find(c->base ? c->base : c, path) != NULL;
}

const struct yml *fmcache_get(struct fmcache *c, struct arena *a, const char *path,
			      const struct stat *st, int *body_line)
{
	struct entry *e = find(c->base ? c->base : c, path);
	char *copy, *p;
	const struct yml *y;

	if (e == NULL || !same_file(&e->st, st) || (copy = strdup(e->text)) == NULL)
		return NULL;
	p = copy;
	y = load_node(a, &p, 0);
	free(copy);
	if (y) {
		e->used = 1;
		*body_line = e->body_line;
	}
	return y;
}

/* sep and the number in decimal, as printf's %lld would write it, without printf: the
 * cache of 10,000 policies has 28,000 entries of five numbers each, and 150,000 nodes of
 * four. */
static void put_digits(struct buf *b, char sep, int negative, unsigned long long v)
{
	char d[24];
	size_t i = sizeof d;

	do
		d[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	if (negative)
		d[--i] = '-';
	d[--i] = sep;
	buf_put(b, d + i, sizeof d - i);
}

static void put_unum(struct buf *b, char sep, unsigned long long v)
{
	put_digits(b, sep, 0, v);
}

static void put_num(struct buf *b, char sep, long long v)
{
	put_digits(b, sep, v < 0, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v);
}

static void save_node(struct buf *b, const struct yml *y)
{
	const struct yml *ch;

	/* "%c %d %d %d %zu\t", without printf (see put_digits) */
	buf_putc(b, y->kind == YML_SCALAR ? 'S' : y->kind == YML_SEQ ? 'Q' : 'M');
	put_num(b, ' ', y->line);
	put_num(b, ' ', y->key_line);
	put_num(b, ' ', y->quoted);
	put_unum(b, ' ', y->count);
	buf_putc(b, '\t');
	escape(b, y->key);
	buf_putc(b, '\t');
	escape(b, y->value);
	buf_putc(b, '\n');
	for (ch = y->first; ch; ch = ch->next)
		save_node(b, ch);
}

/* Records text for key with status st, taking both (key is freed when it has an entry). */
static void store(struct fmcache *c, char *key, struct status st, char *text, int body_line)
{
	struct entry *e = key ? find(c, key) : NULL;

	if (e == NULL) {
		if (key == NULL || (e = add(c, key, text)) == NULL) {
			free(key);
			free(text);
			return;
		}
	} else {
		free(key);
		free(e->text);
		e->text = text;
	}
	e->st = st;
	e->body_line = body_line;
	e->used = 1;
	c->changed = 1;
}

void fmcache_put(struct fmcache *c, const char *path, const struct stat *st, const struct yml *fm,
                 int body_line)
{
	struct buf b = BUF_INIT;
	char *text;

	save_node(&b, fm);
	if ((text = buf_detach(&b)) != NULL)
		store(c, strdup(path), status_of(st), text, body_line);
}

/* A folder's entry is keyed by its path and a final '/', which no file's path has; its
 * text is one "N\t<escaped name>\n" line per name (never starting with 'F', which would
 * start the next entry). */
static char *dir_key(const char *path)
{
	size_t n = strlen(path);
	char *k = malloc(n + 2);

	if (k) {
		memcpy(k, path, n);
		k[n] = '/';
		k[n + 1] = '\0';
	}
	return k;
}

char **fmcache_dir_get(struct fmcache *c, struct arena *a, const char *path, const struct stat *st,
                       size_t *n)
{
	char *key = dir_key(path), **names, *p, *nl;
	struct entry *e = key ? find(c->base ? c->base : c, key) : NULL;
	size_t count = 0, k = 0;

	free(key);
	if (e == NULL || !same_file(&e->st, st))
		return NULL;
	for (p = e->text; (p = strchr(p, '\n')) != NULL; p++)
		count++;
	if ((names = arena_alloc(a, (count + 1) * sizeof *names)) == NULL)
		return NULL;
	for (p = e->text; k < count; p = nl + 1) {
		nl = strchr(p, '\n');
		if (strncmp(p, "N\t", 2) != 0 ||
		    (names[k] = arena_strndup(a, p + 2, (size_t)(nl - p - 2))) == NULL)
			return NULL;
		unescape(names[k++]);
	}
	e->used = 1;
	*n = count;
	return names;
}

void fmcache_dir_put(struct fmcache *c, const char *path, const struct stat *st, char *const *names,
                     size_t n)
{
	struct buf b = BUF_INIT;
	char *key = dir_key(path), *text;
	size_t i;

	for (i = 0; i < n; i++) {
		buf_puts(&b, "N\t");
		escape(&b, names[i]);
		buf_putc(&b, '\n');
	}
	if (n == 0)
		buf_puts(&b, "");
	if ((text = buf_detach(&b)) != NULL)
		store(c, key, status_of(st), text, 0);
	else
		free(key);
	buf_free(&b);
}

struct fmcache *fmcache_branch(struct fmcache *base)
{
	struct fmcache *c = calloc(1, sizeof *c);

	if (c)
		c->base = base;
	return c;
}

/* Puts branch's entries into base; new ones go at the end, unindexed (fmcache_merge). */
static void merge_one(struct fmcache *base, struct fmcache *branch)
{
	size_t i;

	for (i = 0; i < branch->n; i++) {
		struct entry *e = find_hashed(base, branch->e[i].path, branch->e[i].hash);
		if (e == NULL && reserve(base, base->n + 1) == 0) {
			base->e[base->n++] = branch->e[i];
			continue;
		}
		if (e == NULL) { /* out of memory: the entry is lost, the file read again */
			free(branch->e[i].path);
			free(branch->e[i].text);
			continue;
		}
		free(branch->e[i].path);
		free(e->text);
		e->text = branch->e[i].text;
		e->st = branch->e[i].st;
		e->body_line = branch->e[i].body_line;
		e->used = 1;
	}
	base->changed |= branch->n > 0;
	free(branch->e);
	free(branch->index);
	free(branch);
}

void fmcache_merge(struct fmcache *base, struct fmcache **branches, size_t n)
{
	size_t i, total = base->n;

	for (i = 0; i < n; i++)
		total += branches[i] ? branches[i]->n : 0;
	reserve(base, total); /* at once; merge_one tries again if this fails */
	/* The branches' entries are new to base but for files changed since it was read, and
	 * the branches have none in common: found among base's own, or else appended and
	 * indexed once at the end, not one by one. */
	for (i = 0; i < n; i++)
		if (branches[i])
			merge_one(base, branches[i]);
	/* Out of memory leaves the new entries unindexed: they are saved all the same, and a
	 * lookup that misses one only reads its file again. */
	reindex(base);
}

int fmcache_save(struct fmcache *c, const char *path)
{
	struct buf b = BUF_INIT, tmp = BUF_INIT;
	FILE *f;
	char *big;
	size_t i;
	int rc = -1, bad = 0;

	for (i = 0; i < c->n && c->e[i].used; i++)
		;
	if (!c->changed && i == c->n && c->n == c->loaded)
		return 0; /* every entry was used and none changed: the file is current */
	buf_printf(&tmp, "%s.tmp%ld", path, (long)getpid());
	if (!buf_ok(&tmp)) {
		errno = ENOMEM;
		goto done;
	}
	if ((f = fopen(tmp.data, "w")) == NULL)
		goto done;
	/* Written in large pieces: the file system's block size, stdio's default, makes one
	 * write call for every 4 KiB of a file of megabytes. (glibc takes the size only
	 * with a buffer.) */
	if ((big = malloc(FMCACHE_WRITE_BUF)) != NULL)
		setvbuf(f, big, _IOFBF, FMCACHE_WRITE_BUF);
	/* Entry by entry, never the whole file in memory: it is megabytes at 10,000
	 * policies, on top of the site just loaded. */
	fputs(FMCACHE_MAGIC, f);
	for (i = 0; i < c->n && !bad; i++) {
		const struct entry *e = &c->e[i];
		if (!e->used)
			continue;
		buf_reset(&b);
		buf_puts(&b, "F\t");
		escape(&b, e->path);
		put_num(&b, '\t', e->st.size);
		put_num(&b, '\t', e->st.sec);
		put_num(&b, '\t', e->st.nsec);
		put_unum(&b, '\t', e->st.ino);
		put_num(&b, '\t', e->body_line);
		buf_putc(&b, '\n');
		bad = !buf_ok(&b) || fwrite(b.data, 1, b.len, f) != b.len || fputs(e->text, f) < 0;
	}
	bad |= fclose(f) != 0;
	free(big);
	if (bad) {
		unlink(tmp.data);
		goto done;
	}
	if (rename(tmp.data, path) < 0)
		unlink(tmp.data);
	else
		rc = 0;
done:
	buf_free(&b);
	buf_free(&tmp);
	return rc;
}
