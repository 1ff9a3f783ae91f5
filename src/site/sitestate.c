#include "sitestate.h"

#include <dirent.h>
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "handoff.h"

#define SITESTATE_MAGIC "policygen-state 2\n"

struct record {
	char *slug, *key;
	struct buf signable;
};

struct sitestate {
	struct record *r; /* in slug order, as written */
	size_t n;
	const char **slugs;
	const char *site_key, *lists_key;
	struct buf text;
};

/* 1 when the file dir/name exists. */
static int present(const char *dir, const char *name)
{
	struct buf path = BUF_INIT;
	struct stat sb;
	int ok;

	buf_printf(&path, "%s/%s", dir, name);
	ok = buf_ok(&path) && stat(buf_str(&path), &sb) == 0;
	buf_free(&path);
	return ok;
}

/* The lines naming the folders a state describes: "O <out>\nH <portal>\n", each folder
 * as an absolute path when it exists. */
static void folders(struct buf *b, const char *outdir, const char *portaldir)
{
	char out[PATH_MAX], portal[PATH_MAX];

	buf_printf(b, "O %s\nH %s\n", realpath(outdir, out) ? out : outdir,
	           realpath(portaldir, portal) ? portal : portaldir);
}

struct sitestate *sitestate_read(const char *statedir, const char *outdir, const char *portaldir)
{
	struct sitestate *st = calloc(1, sizeof *st);
	struct buf path = BUF_INIT, head = BUF_INIT;
	char *p, *nl;
	size_t cap = 0;

	if (st == NULL)
		return NULL;
	buf_printf(&path, "%s/%s", statedir, SITESTATE_FILE);
	buf_puts(&head, SITESTATE_MAGIC);
	folders(&head, outdir, portaldir);
	/* A state made for other folders, or whose folders were emptied since, says nothing
	 * about these: the build starts afresh. */
	if (!buf_ok(&path) || !buf_ok(&head) || buf_read_file(&st->text, path.data) < 0 ||
	    strncmp(buf_str(&st->text), buf_str(&head), head.len) != 0 ||
	    !present(outdir, "index.html") || !present(portaldir, HANDOFF_SIGNABLE))
		goto done;
	for (p = st->text.data + head.len; *p; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		if (p[0] == 'G' && p[1] == ' ' && strlen(p + 2) == SITESTATE_KEY_HEX - 1) {
			st->site_key = p + 2;
		} else if (p[0] == 'M' && p[1] == ' ' && strlen(p + 2) == SITESTATE_KEY_HEX - 1) {
			st->lists_key = p + 2;
		} else if (p[0] == 'P' && p[1] == ' ') {
			char *sp = strchr(p + 2, ' ');
			if (sp == NULL || strlen(sp + 1) != SITESTATE_KEY_HEX - 1)
				break;
			*sp = '\0';
			if (st->n == cap) {
				size_t c = cap ? cap * 2 : 256;
				struct record *r = realloc(st->r, c * sizeof *r);
				if (r == NULL)
					break;
				st->r = r;
				cap = c;
			}
			st->r[st->n].slug = p + 2;
			st->r[st->n].key = sp + 1;
			memset(&st->r[st->n].signable, 0, sizeof(struct buf));
			st->n++;
		} else if (p[0] == 'S' && p[1] == ' ' && st->n > 0) {
			buf_puts(&st->r[st->n - 1].signable, p + 2);
			buf_putc(&st->r[st->n - 1].signable, '\n');
		} else {
			break; /* damaged: what was read so far is still exact */
		}
	}
done:
	buf_free(&path);
	buf_free(&head);
	return st;
}

void sitestate_free(struct sitestate *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->n; i++)
		buf_free(&st->r[i].signable);
	free(st->r);
	free(st->slugs);
	buf_free(&st->text);
	free(st);
}

static const struct record *find(const struct sitestate *st, const char *slug)
{
	size_t lo = 0, hi = st->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(st->r[mid].slug, slug);
		if (c == 0)
			return &st->r[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *sitestate_site_key(const struct sitestate *st)
{
	return st->site_key;
}

const char *sitestate_lists_key(const struct sitestate *st)
{
	return st->lists_key;
}

const char *sitestate_key(const struct sitestate *st, const char *slug)
{
	const struct record *r = find(st, slug);

	return r ? r->key : NULL;
}

const char *sitestate_signable(const struct sitestate *st, const char *slug)
{
	const struct record *r = find(st, slug);

	return r ? buf_str(&r->signable) : NULL;
}

const char *const *sitestate_slugs(const struct sitestate *st, size_t *n)
{
	struct sitestate *w = (struct sitestate *)st;
	size_t i;

	*n = 0;
	if (w->slugs == NULL && st->n && (w->slugs = calloc(st->n, sizeof *w->slugs)) == NULL)
		return NULL;
	for (i = 0; i < st->n; i++)
		w->slugs[i] = st->r[i].slug;
	*n = st->n;
	return w->slugs;
}

static int hash_file(crypto_generichash_state *h, const char *path)
{
	struct buf b = BUF_INIT;
	int rc = buf_read_file(&b, path);

	if (rc == 0) {
		crypto_generichash_update(h, (const unsigned char *)path, strlen(path) + 1);
		crypto_generichash_update(h, (const unsigned char *)buf_str(&b), b.len);
	}
	buf_free(&b);
	return rc;
}

static int visible(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

int sitestate_global(const struct content *s, const char *tdir, unsigned char key[32],
                     struct buf *err)
{
	crypto_generichash_state h;
	struct dirent **names;
	struct buf path = BUF_INIT;
	int n, k, rc = 0;
	size_t li;

	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, (const unsigned char *)SITESTATE_MAGIC,
	                          strlen(SITESTATE_MAGIC));
	/* The program itself: a new policygen may render differently. */
	if (hash_file(&h, "/proc/self/exe") < 0)
		crypto_generichash_update(&h, (const unsigned char *)__DATE__ __TIME__, 20);
	if ((n = scandir(tdir, &names, visible, alphasort)) < 0) {
		buf_printf(err, "%s: cannot read the templates folder\n", tdir);
		return -1;
	}
	for (k = 0; k < n; k++) {
		buf_reset(&path);
		buf_printf(&path, "%s/%s", tdir, names[k]->d_name);
		if (rc == 0 && hash_file(&h, buf_str(&path)) < 0) {
			buf_printf(err, "%s: cannot read\n", buf_str(&path));
			rc = -1;
		}
		free(names[k]);
	}
	free(names);
	buf_reset(&path);
	buf_printf(&path, "%s/site.yaml", s->dir);
	if (rc == 0 && hash_file(&h, buf_str(&path)) < 0)
		rc = -1;
	for (li = 0; rc == 0 && li < s->nlangs; li++) {
		buf_reset(&path);
		buf_printf(&path, "%s/i18n/%s.yaml", s->dir, s->langs[li]);
		if (hash_file(&h, buf_str(&path)) < 0)
			rc = -1;
	}
	if (rc < 0 && err->len == 0)
		buf_printf(err, "%s: cannot read\n", buf_str(&path));
	buf_free(&path);
	crypto_generichash_final(&h, key, 32);
	return rc;
}

void sitestate_policy_key(const unsigned char global[32], const struct content *s,
                          const struct policy *p, char hex[SITESTATE_KEY_HEX])
{
	crypto_generichash_state h;
	unsigned char key[32];
	struct buf b = BUF_INIT;
	size_t i, li;

	/* Binary fields, not text: this runs for every policy on every build. */
	buf_put(&b, p->slug, strlen(p->slug) + 1);
	for (i = 0; i < p->nversions; i++) {
		const struct version *v = &p->versions[i];
		char pub = (char)v->published;
		buf_put(&b, v->iso, sizeof v->iso);
		buf_put(&b, &pub, 1);
		for (li = 0; li < s->nlangs; li++) {
			const struct text *t = v->text[li];
			long long f[5];
			if (t == NULL)
				continue;
			f[0] = (long long)li;
			f[1] = t->size;
			f[2] = t->mtime_s;
			f[3] = t->mtime_ns;
			f[4] = t->ino;
			buf_put(&b, (const char *)f, sizeof f);
		}
	}
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, global, 32);
	crypto_generichash_update(&h, (const unsigned char *)buf_str(&b), b.len);
	crypto_generichash_final(&h, key, 32);
	sodium_bin2hex(hex, SITESTATE_KEY_HEX, key, sizeof key);
	buf_free(&b);
}

void sitestate_site(const unsigned char global[32], char (*keys)[SITESTATE_KEY_HEX], size_t n,
		    char hex[SITESTATE_KEY_HEX])
{
	crypto_generichash_state h;
	unsigned char key[32];
	size_t i;

	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, global, 32);
	for (i = 0; i < n; i++)
		crypto_generichash_update(&h, (const unsigned char *)keys[i], SITESTATE_KEY_HEX);
	crypto_generichash_final(&h, key, 32);
	sodium_bin2hex(hex, SITESTATE_KEY_HEX, key, sizeof key);
}

/* Length, then bytes: binary, as this runs over every version of every policy. */
static void put_field(struct buf *b, const char *v)
{
	size_t n = v ? strlen(v) : 0;

	buf_put(b, (const char *)&n, sizeof n);
	buf_put(b, v ? v : "", n);
}

void sitestate_lists(const unsigned char global[32], const struct content *s,
                     char hex[SITESTATE_KEY_HEX])
{
	crypto_generichash_state h;
	unsigned char key[32];
	struct buf b = BUF_INIT;
	size_t i, k, li;

	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, global, 32);
	for (i = 0; i < s->npolicies; i++) {
		const struct policy *p = &s->policies[i];
		buf_reset(&b);
		put_field(&b, p->slug);
		for (k = 0; k < p->nversions; k++) {
			const struct version *v = &p->versions[k];
			int f[8] = {v->published,    v->effective.y,      v->effective.m,
			            v->effective.d,  (int)v->review.kind, v->review.due.y,
			            v->review.due.m, v->review.due.d};
			size_t nreviewed = v->nreviewed;
			buf_put(&b, v->iso, sizeof v->iso);
			buf_put(&b, (const char *)f, sizeof f);
			buf_put(&b, (const char *)&nreviewed, sizeof nreviewed);
			for (li = 0; li < s->nlangs; li++)
				if (v->text[li]) {
					put_field(&b, v->text[li]->title);
					put_field(&b, v->text[li]->summary);
					put_field(&b, v->text[li]->changes);
				}
		}
		crypto_generichash_update(&h, (const unsigned char *)buf_str(&b), b.len);
	}
	crypto_generichash_final(&h, key, 32);
	sodium_bin2hex(hex, SITESTATE_KEY_HEX, key, sizeof key);
	buf_free(&b);
}

void sitestate_begin(struct buf *state, const char *outdir, const char *portaldir,
                     const char *site_key, const char *lists_key)
{
	buf_puts(state, SITESTATE_MAGIC);
	folders(state, outdir, portaldir);
	buf_printf(state, "G %s\nM %s\n", site_key, lists_key);
}

void sitestate_add(struct buf *state, const char *slug, const char *key, const char *signable)
{
	const char *p, *nl;

	buf_puts(state, "P ");
	buf_puts(state, slug);
	buf_putc(state, ' ');
	buf_puts(state, key);
	buf_putc(state, '\n');
	for (p = signable; p && *p; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p) - 1;
		buf_puts(state, "S ");
		buf_put(state, p, (size_t)(nl - p + 1));
		if (*nl != '\n')
			buf_putc(state, '\n');
	}
}
