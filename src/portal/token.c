#include "token.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

static const char token_alphabet[32] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int token_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

/* The base32 value of c, either case, or -1. */
static int token_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

/* 25 characters of 5 bits each, and one of the last 3 bits followed by 2 zero bits. */
void token_from_bytes(const unsigned char in[TOKEN_BYTES], char out[TOKEN_LEN + 1])
{
	unsigned acc = 0, bits = 0;
	size_t i, o = 0;

	for (i = 0; i < TOKEN_BYTES; i++) {
		acc = acc << 8 | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = token_alphabet[acc >> bits & 31];
		}
		acc &= (1u << bits) - 1;
	}
	out[o++] = token_alphabet[acc << (5 - bits) & 31];
	out[o] = '\0';
}

void token_new(char out[TOKEN_LEN + 1])
{
	unsigned char r[TOKEN_BYTES];

	randombytes_buf(r, sizeof r);
	token_from_bytes(r, out);
	sodium_memzero(r, sizeof r);
}

int token_parse(const char *in, char out[TOKEN_LEN + 1])
{
	size_t i;
	int v = -1;

	out[0] = '\0';
	if (in == NULL)
		return -1;
	for (i = 0; i < TOKEN_LEN; i++)
		if (in[i] == '\0' || (v = token_value(in[i])) < 0)
			return -1;
	/* the last character carries 3 bits; its 2 unused bits must be zero */
	if (in[TOKEN_LEN] != '\0' || (v & 3) != 0)
		return -1;
	for (i = 0; i < TOKEN_LEN; i++)
		out[i] = token_alphabet[token_value(in[i])];
	out[TOKEN_LEN] = '\0';
	return 0;
}

int token_valid(const char *in)
{
	char t[TOKEN_LEN + 1];

	return token_parse(in, t) == 0;
}

int token_hash(const char *token, unsigned char out[TOKEN_HASH_LEN])
{
	char t[TOKEN_LEN + 1];

	if (token_parse(token, t) < 0) {
		memset(out, 0, TOKEN_HASH_LEN);
		return -1;
	}
	crypto_hash_sha256(out, (const unsigned char *)t, TOKEN_LEN);
	sodium_memzero(t, sizeof t);
	return 0;
}

int token_hex(const unsigned char *bin, size_t len, char *out, size_t outsz)
{
	if (outsz == 0)
		return -1;
	if (len > (outsz - 1) / 2) {
		out[0] = '\0';
		return -1;
	}
	sodium_bin2hex(out, outsz, bin, len);
	return 0;
}

int token_hash_hex(const char *token, char out[TOKEN_HEX_LEN + 1])
{
	unsigned char h[TOKEN_HASH_LEN];

	if (token_hash(token, h) < 0) {
		out[0] = '\0';
		return -1;
	}
	return token_hex(h, sizeof h, out, TOKEN_HEX_LEN + 1);
}

void token_mac_init(struct token_mac *m, const unsigned char key[TOKEN_KEY_LEN])
{
	crypto_auth_hmacsha256_init(&m->st, key, TOKEN_KEY_LEN);
}

int token_csrf_with(const struct token_mac *m, const char *id, char out[TOKEN_CSRF_LEN + 1])
{
	static const char label[] = "csrf:";
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	out[0] = '\0';
	if (id == NULL || id[0] == '\0')
		return -1;
	st = m->st; /* the key's blocks, hashed already */
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)label, sizeof label - 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof st);
	return token_hex(mac, sizeof mac, out, TOKEN_CSRF_LEN + 1);
}

int token_csrf(const unsigned char key[TOKEN_KEY_LEN], const char *id, char out[TOKEN_CSRF_LEN + 1])
{
	struct token_mac m;
	int rc;

	token_mac_init(&m, key);
	rc = token_csrf_with(&m, id, out);
	sodium_memzero(&m, sizeof m);
	return rc;
}

int token_csrf_check(const unsigned char key[TOKEN_KEY_LEN], const char *id, const char *given)
{
	char want[TOKEN_CSRF_LEN + 1];

	if (given == NULL || token_csrf(key, id, want) < 0)
		return 0;
	return token_csrf_equal(want, given);
}

int token_csrf_equal(const char want[TOKEN_CSRF_LEN + 1], const char *given)
{
	size_t i;

	if (given == NULL || want[0] == '\0')
		return 0;
	/* the length is not secret; the content is compared in constant time */
	for (i = 0; i < TOKEN_CSRF_LEN; i++)
		if (given[i] == '\0')
			return 0;
	if (given[TOKEN_CSRF_LEN] != '\0')
		return 0;
	return sodium_memcmp(want, given, TOKEN_CSRF_LEN) == 0;
}

/* The MAC half of a once-only value: token_csrf of "once:<bind>:<nonce>". */
static int once_mac(const struct token_mac *m, const char *bind, const char *nonce,
                    char out[TOKEN_CSRF_LEN + 1])
{
	char id[TOKEN_ONCE_BIND_MAX + TOKEN_LEN + 8];
	int n;

	if (bind == NULL || bind[0] == '\0' ||
	    (n = snprintf(id, sizeof id, "once:%s:%s", bind, nonce)) < 0 || (size_t)n >= sizeof id) {
		out[0] = '\0';
		return -1;
	}
	return token_csrf_with(m, id, out);
}

int token_once_new_with(const struct token_mac *m, const char *bind,
                        char out[TOKEN_ONCE_LEN + 1])
{
	char nonce[TOKEN_LEN + 1], mac[TOKEN_CSRF_LEN + 1];

	token_new(nonce);
	if (once_mac(m, bind, nonce, mac) < 0) {
		out[0] = '\0';
		return -1;
	}
	snprintf(out, TOKEN_ONCE_LEN + 1, "%s-%s", nonce, mac);
	return 0;
}

int token_once_new(const unsigned char key[TOKEN_KEY_LEN], const char *bind,
                   char out[TOKEN_ONCE_LEN + 1])
{
	struct token_mac m;
	int rc;

	token_mac_init(&m, key);
	rc = token_once_new_with(&m, bind, out);
	sodium_memzero(&m, sizeof m);
	return rc;
}

int token_once_check_with(const struct token_mac *m, const char *bind, const char *given)
{
	char nonce[TOKEN_LEN + 1], want[TOKEN_CSRF_LEN + 1];

	if (given == NULL || strlen(given) != TOKEN_ONCE_LEN || given[TOKEN_LEN] != '-')
		return 0;
	memcpy(nonce, given, TOKEN_LEN);
	nonce[TOKEN_LEN] = '\0';
	/* the MAC covers the nonce as issued, so another spelling of it does not check */
	if (!token_valid(nonce) || once_mac(m, bind, nonce, want) < 0)
		return 0;
	return sodium_memcmp(want, given + TOKEN_LEN + 1, TOKEN_CSRF_LEN) == 0;
}

int token_once_check(const unsigned char key[TOKEN_KEY_LEN], const char *bind, const char *given)
{
	struct token_mac m;
	int rc;

	token_mac_init(&m, key);
	rc = token_once_check_with(&m, bind, given);
	sodium_memzero(&m, sizeof m);
	return rc;
}
