#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ALG_ED25519 0x01
#define B64 sodium_base64_VARIANT_ORIGINAL

/* The signature line's prefix: U+2014 EM DASH and a space. */
static const char dash[] = "\xe2\x80\x94 ";

void checkpoint_key_path(struct buf *out, const char *db_path)
{
	buf_printf(out, "%s%s", db_path, CHECKPOINT_KEY_SUFFIX);
}

int checkpoint_name_valid(const char *name)
{
	size_t i, n = name ? strlen(name) : 0;

	if (n == 0 || n > CHECKPOINT_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (name[i] <= ' ' || name[i] > '~' || name[i] == '+')
			return 0;
	return 1;
}

/* The key id: the first 4 bytes, big-endian, of SHA-256(name || "\n" || 0x01 || pk). */
static uint32_t key_id(const char *name, const unsigned char pk[crypto_sign_PUBLICKEYBYTES])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES], sep[2] = {'\n', ALG_ED25519};

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)name, strlen(name));
	crypto_hash_sha256_update(&st, sep, sizeof sep);
	crypto_hash_sha256_update(&st, pk, crypto_sign_PUBLICKEYBYTES);
	crypto_hash_sha256_final(&st, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

static void put_b64(struct buf *out, const unsigned char *bin, size_t n)
{
	char b[256];

	sodium_bin2base64(b, sizeof b, bin, n, B64);
	buf_puts(out, b);
}

/* Decodes exactly want bytes of base64 from s (n bytes). Returns 0 or -1. */
static int get_b64(const char *s, size_t n, unsigned char *bin, size_t want)
{
	size_t got = 0;
	const char *end = NULL;

	if (sodium_base642bin(bin, want, s, n, NULL, &got, &end, B64) != 0 || got != want ||
	    end != s + n)
		return -1;
	return 0;
}

int checkpoint_key_make(const char *path, const char *name, struct buf *err)
{
	unsigned char seed[1 + crypto_sign_SEEDBYTES];
	struct checkpoint_key k;
	struct buf line = BUF_INIT;
	ssize_t w;
	int fd, rc = -1;

	if (!checkpoint_name_valid(name)) {
		buf_printf(err, "checkpoint key name '%s': use printable ASCII without spaces or "
		                "'+', at most %d bytes\n",
		           name ? name : "", CHECKPOINT_NAME_MAX);
		return -1;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		if (errno == EEXIST)
			return 1;
		buf_printf(err, "%s: cannot create the checkpoint key: %s\n", path, strerror(errno));
		return -1;
	}
	memset(&k, 0, sizeof k);
	seed[0] = ALG_ED25519;
	randombytes_buf(seed + 1, crypto_sign_SEEDBYTES);
	crypto_sign_seed_keypair(k.pk, k.sk, seed + 1);
	buf_printf(&line, "PRIVATE+KEY+%s+%08x+", name, key_id(name, k.pk));
	put_b64(&line, seed, sizeof seed);
	buf_putc(&line, '\n');
	if (!buf_ok(&line)) {
		buf_printf(err, "%s: out of memory\n", path);
	} else if ((w = write(fd, buf_str(&line), line.len)) != (ssize_t)line.len ||
	           fsync(fd) < 0) {
		buf_printf(err, "%s: cannot write the checkpoint key: %s\n", path,
		           w < 0 ? strerror(errno) : "short write");
	} else {
		rc = 0;
	}
	if (close(fd) < 0 && rc == 0) {
		buf_printf(err, "%s: cannot write the checkpoint key: %s\n", path, strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		unlink(path);
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(&k, sizeof k);
	if (line.data)
		sodium_memzero(line.data, line.len);
	buf_free(&line);
	return rc;
}

/* Splits "<name>+<8 hex>+<base64>" (s, n bytes) into k's name and id and the decoded
 * key bytes (1 + 32). Returns 0 or -1. */
static int parse_key(const char *s, size_t n, struct checkpoint_key *k, unsigned char raw[33])
{
	const char *p1, *p2;
	char hexid[9], *end;
	size_t nl;

	if ((p1 = memchr(s, '+', n)) == NULL || (nl = (size_t)(p1 - s)) == 0 ||
	    nl > CHECKPOINT_NAME_MAX)
		return -1;
	memcpy(k->name, s, nl);
	k->name[nl] = '\0';
	if (!checkpoint_name_valid(k->name))
		return -1;
	p1++;
	if ((size_t)(s + n - p1) < 10 || (p2 = p1 + 8, *p2 != '+'))
		return -1;
	memcpy(hexid, p1, 8);
	hexid[8] = '\0';
	k->id = (uint32_t)strtoul(hexid, &end, 16);
	if (*end != '\0' || strspn(hexid, "0123456789abcdef") != 8)
		return -1;
	p2++;
	if (get_b64(p2, (size_t)(s + n - p2), raw, 33) < 0 || raw[0] != ALG_ED25519)
		return -1;
	return 0;
}

int checkpoint_key_load(const char *path, struct checkpoint_key *k, struct buf *err)
{
	static const char prefix[] = "PRIVATE+KEY+";
	struct buf text = BUF_INIT;
	unsigned char raw[33];
	struct stat st;
	size_t n;
	int rc = -1;

	memset(k, 0, sizeof k[0]);
	if (stat(path, &st) < 0 || st.st_size > 4096 || buf_read_file(&text, path) < 0) {
		buf_printf(err, "%s: cannot read the checkpoint key: %s (consentctl init makes "
		                "it)\n",
		           path, errno ? strerror(errno) : "too large");
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		buf_printf(err, "%s: the checkpoint key is readable by others (mode %03o); make it "
		                "the owner's only: chmod 600 %s\n",
		           path, (unsigned)(st.st_mode & 0777), path);
		goto out;
	}
	n = text.len;
	while (n > 0 && (buf_str(&text)[n - 1] == '\n' || buf_str(&text)[n - 1] == '\r'))
		n--;
	if (n < sizeof prefix || strncmp(buf_str(&text), prefix, sizeof prefix - 1) != 0 ||
	    parse_key(buf_str(&text) + sizeof prefix - 1, n - (sizeof prefix - 1), k, raw) < 0) {
		buf_printf(err, "%s: not a checkpoint key (PRIVATE+KEY+<name>+<id>+<base64>)\n", path);
		goto out;
	}
	crypto_sign_seed_keypair(k->pk, k->sk, raw + 1);
	if (key_id(k->name, k->pk) != k->id) {
		buf_printf(err, "%s: the key id does not match the key; the file is damaged\n", path);
		goto out;
	}
	k->has_sk = 1;
	rc = 0;
out:
	sodium_memzero(raw, sizeof raw);
	if (text.data)
		sodium_memzero(text.data, text.len);
	buf_free(&text);
	if (rc < 0)
		sodium_memzero(k, sizeof k[0]);
	return rc;
}

int checkpoint_verifier_parse(const char *text, struct checkpoint_key *k, struct buf *err)
{
	unsigned char raw[33];
	size_t n = strlen(text);

	memset(k, 0, sizeof k[0]);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		n--;
	if (parse_key(text, n, k, raw) < 0) {
		buf_puts(err, "not a verifier key (<name>+<id>+<base64>)\n");
		return -1;
	}
	memcpy(k->pk, raw + 1, sizeof k->pk);
	if (key_id(k->name, k->pk) != k->id) {
		buf_puts(err, "the verifier key's id does not match its key\n");
		return -1;
	}
	return 0;
}

void checkpoint_verifier(const struct checkpoint_key *k, struct buf *out)
{
	unsigned char raw[1 + crypto_sign_PUBLICKEYBYTES];

	raw[0] = ALG_ED25519;
	memcpy(raw + 1, k->pk, crypto_sign_PUBLICKEYBYTES);
	buf_printf(out, "%s+%08x+", k->name, k->id);
	put_b64(out, raw, sizeof raw);
}

int checkpoint_head(struct db *db, long long *size, unsigned char hash[32])
{
	static const char sql[] = "SELECT id, hash FROM event ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *st = db_stmt(db, sql);
	size_t got = 0;
	int rc;

	*size = 0;
	memset(hash, 0, 32);
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(st, 1);
		*size = sqlite3_column_int64(st, 0);
		if (h == NULL || sodium_hex2bin(hash, 32, h, strlen(h), NULL, &got, NULL) != 0 ||
		    got != 32)
			rc = SQLITE_CORRUPT;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Appends the note's body for origin, size and hash. */
static void body(struct buf *out, const char *origin, long long size, const unsigned char h[32])
{
	buf_printf(out, "%s\n%lld\n", origin, size);
	put_b64(out, h, 32);
	buf_putc(out, '\n');
}

int checkpoint_sign(struct db *db, const struct checkpoint_key *k, struct buf *out,
                    struct buf *err)
{
	unsigned char h[32], sig[4 + crypto_sign_BYTES];
	struct buf b = BUF_INIT;
	long long size;

	if (!k->has_sk) {
		buf_puts(err, "checkpoint: no signing key\n");
		return -1;
	}
	if (checkpoint_head(db, &size, h) < 0) {
		buf_printf(err, "checkpoint: cannot read the event log: %s\n", db_errmsg(db));
		return -1;
	}
	body(&b, k->name, size, h);
	if (!buf_ok(&b)) {
		buf_puts(err, "checkpoint: out of memory\n");
		buf_free(&b);
		return -1;
	}
	sig[0] = (unsigned char)(k->id >> 24);
	sig[1] = (unsigned char)(k->id >> 16);
	sig[2] = (unsigned char)(k->id >> 8);
	sig[3] = (unsigned char)k->id;
	crypto_sign_detached(sig + 4, NULL, (const unsigned char *)buf_str(&b), b.len, k->sk);
	buf_put(out, buf_str(&b), b.len);
	buf_printf(out, "\n%s%s ", dash, k->name);
	put_b64(out, sig, sizeof sig);
	buf_putc(out, '\n');
	buf_free(&b);
	return 0;
}

/* The hash of event id, 1 when found, 0 when there is none, -1 on error. */
static int event_hash(struct db *db, long long id, unsigned char h[32])
{
	static const char sql[] = "SELECT hash FROM event WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql);
	size_t got = 0;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *x = (const char *)sqlite3_column_text(st, 0);
		if (x == NULL || sodium_hex2bin(h, 32, x, strlen(x), NULL, &got, NULL) != 0 ||
		    got != 32)
			memset(h, 0xff, 32); /* not a hash: differs from any checkpoint's */
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int checkpoint_check(struct db *db, const struct checkpoint_key *k, const char *name,
                     const char *text, size_t len, struct buf *report, struct buf *err)
{
	const char *blank, *p, *end = text + len, *l2, *l3, *l4;
	unsigned char want[32], have[32], sig[4 + crypto_sign_BYTES];
	size_t blen, klen = strlen(k->name);
	long long size = 0, now;
	int found = 0, rc;
	char *e;

	if (len > CHECKPOINT_MAX || memchr(text, '\0', len) != NULL ||
	    (blank = strstr(text, "\n\n")) == NULL) {
		buf_printf(report, "%s: not a checkpoint (no blank line before the signatures)\n",
		           name);
		return 1;
	}
	blen = (size_t)(blank - text) + 1; /* the body ends with its last newline */
	l2 = memchr(text, '\n', blen);
	l3 = l2 ? memchr(l2 + 1, '\n', (size_t)(text + blen - l2 - 1)) : NULL;
	l4 = l3 ? memchr(l3 + 1, '\n', (size_t)(text + blen - l3 - 1)) : NULL;
	if (l4 == NULL) {
		buf_printf(report, "%s: not a checkpoint (origin, size and hash lines)\n", name);
		return 1;
	}
	/* The signatures: one line each, "— <name> <base64>". */
	for (p = blank + 2; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > sizeof dash - 1 + klen + 1 && memcmp(p, dash, sizeof dash - 1) == 0 &&
		    memcmp(p + sizeof dash - 1, k->name, klen) == 0 &&
		    *(sp = p + sizeof dash - 1 + klen) == ' ' &&
		    get_b64(sp + 1, (size_t)(p + n - sp - 1), sig, sizeof sig) == 0 &&
		    ((uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 | (uint32_t)sig[2] << 8 |
		     sig[3]) == k->id) {
			found = 1;
			if (crypto_sign_verify_detached(sig + 4, (const unsigned char *)text, blen,
			                                k->pk) != 0) {
				buf_printf(report, "%s: the signature by %s does not verify: the "
				                   "checkpoint was changed after it was signed\n",
				           name, k->name);
				return 1;
			}
			break;
		}
		p += n + (nl != NULL);
	}
	if (!found) {
		buf_printf(report, "%s: no signature by the key %s\n", name, k->name);
		return 1;
	}
	if ((size_t)(l2 - text) != klen || memcmp(text, k->name, klen) != 0) {
		buf_printf(report, "%s: its origin is not %s\n", name, k->name);
		return 1;
	}
	errno = 0;
	size = strtoll(l2 + 1, &e, 10);
	if (e != l3 || errno || size < 0 || (l2[1] == '0' && l3 - l2 != 2) ||
	    get_b64(l3 + 1, (size_t)(l4 - l3 - 1), want, sizeof want) < 0) {
		buf_printf(report, "%s: its size or hash line is malformed\n", name);
		return 1;
	}
	if (checkpoint_head(db, &now, have) < 0) {
		buf_printf(err, "%s: cannot read the event log: %s\n", name, db_errmsg(db));
		return -1;
	}
	if (size > now) {
		buf_printf(report, "%s: the checkpoint has %lld events, the log today only %lld: "
		                   "events were removed since it was signed\n",
		           name, size, now);
		return 1;
	}
	if (size == 0)
		memset(have, 0, sizeof have);
	else if ((rc = event_hash(db, size, have)) < 0) {
		buf_printf(err, "%s: cannot read the event log: %s\n", name, db_errmsg(db));
		return -1;
	} else if (rc == 0) {
		buf_printf(report, "%s: event %lld of the checkpoint is missing from the log\n", name,
		           size);
		return 1;
	}
	if (sodium_memcmp(have, want, sizeof want) != 0) {
		buf_printf(report, "%s: event %lld's hash differs from the checkpoint's: the log "
		                   "was rewritten since it was signed\n",
		           name, size);
		return 1;
	}
	buf_printf(report, "ok: %s: signed by %s, %lld events, a prefix of today's %lld\n", name,
	           k->name, size, now);
	return 0;
}

void checkpoint_origin(char out[CHECKPOINT_NAME_MAX + 1], const char *base_url)
{
	const char *p = base_url ? strstr(base_url, "://") : NULL;
	size_t n;

	snprintf(out, CHECKPOINT_NAME_MAX + 1, "consent-log");
	if (p == NULL)
		return;
	p += 3;
	n = strlen(p);
	while (n > 0 && p[n - 1] == '/')
		n--;
	if (n == 0 || n > CHECKPOINT_NAME_MAX - sizeof "/consent-log")
		return;
	snprintf(out, CHECKPOINT_NAME_MAX + 1, "%.*s/consent-log", (int)n, p);
	if (!checkpoint_name_valid(out))
		snprintf(out, CHECKPOINT_NAME_MAX + 1, "consent-log");
}
