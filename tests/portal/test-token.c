#include <stdlib.h>

#include "check.h"
#include "token.h"

#define NTOKENS 10000

/* The characters a final one may be: values with the two unused bits zero. */
static const char final_ok[] = "AEIMQUY4";

static void test_init(void)
{
	CHECK_INT(token_init(), 0);
	CHECK_INT(token_init(), 0); /* again is fine */
}

static void test_known_encoding(void)
{
	unsigned char b[TOKEN_BYTES];
	char t[TOKEN_LEN + 1];
	int i;

	/* RFC 4648 base32 as Python's base64.b32encode writes it, padding removed */
	for (i = 0; i < TOKEN_BYTES; i++)
		b[i] = (unsigned char)i;
	token_from_bytes(b, t);
	CHECK_STR(t, "AAAQEAYEAUDAOCAJBIFQYDIOB4");
	memset(b, 0xff, sizeof b);
	token_from_bytes(b, t);
	CHECK_STR(t, "77777777777777777777777774");
	memset(b, 0, sizeof b);
	token_from_bytes(b, t);
	CHECK_STR(t, "AAAAAAAAAAAAAAAAAAAAAAAAAA");
	CHECK(token_valid("AAAQEAYEAUDAOCAJBIFQYDIOB4"));
	CHECK(token_valid("77777777777777777777777774"));
}

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_new_tokens(void)
{
	static char t[NTOKENS][TOKEN_LEN + 1];
	char canon[TOKEN_LEN + 1];
	size_t i, j, bad = 0, dup = 0;

	for (i = 0; i < NTOKENS; i++) {
		token_new(t[i]);
		if (strlen(t[i]) != TOKEN_LEN ||
		    strspn(t[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != TOKEN_LEN)
			bad++;
		if (strchr(final_ok, t[i][TOKEN_LEN - 1]) == NULL)
			bad++;
		if (token_parse(t[i], canon) != 0 || strcmp(canon, t[i]) != 0)
			bad++;
	}
	CHECK_INT(bad, 0);
	qsort(t, NTOKENS, sizeof t[0], cmp);
	for (i = 1; i < NTOKENS; i++)
		dup += strcmp(t[i - 1], t[i]) == 0;
	CHECK_INT(dup, 0);
	/* all 32 characters turn up in the first 25 places: the bits are all used */
	for (j = 0; j < 32; j++) {
		char c = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[j];
		for (i = 0; i < NTOKENS && memchr(t[i], c, TOKEN_LEN - 1) == NULL; i++)
			;
		CHECK(i < NTOKENS);
	}
}

static void test_parse_normalises(void)
{
	char out[TOKEN_LEN + 1];

	CHECK_INT(token_parse("abcdefghijklmnopqrstuvwxyq", out), 0);
	CHECK_STR(out, "ABCDEFGHIJKLMNOPQRSTUVWXYQ");
	CHECK_INT(token_parse("AbCdEfGhIjKlMnOpQrStUvWx2a", out), 0);
	CHECK_STR(out, "ABCDEFGHIJKLMNOPQRSTUVWX2A");
}

static void test_parse_refuses(void)
{
	char out[TOKEN_LEN + 1];
	const char *bad[] = {
	    "",
	    "ABCDEFGHIJKLMNOPQRSTUVWXY",   /* 25 */
	    "ABCDEFGHIJKLMNOPQRSTUVWXYAA", /* 27 */
	    "ABCDEFGHIJKLMNOPQRSTUVWXY0",  /* 0, 1, 8, 9 are not base32 */
	    "ABCDEFGHIJKLMNOPQRSTUVWX1A",
	    "8BCDEFGHIJKLMNOPQRSTUVWXYA",
	    "ABCDEFGHIJKLMNOPQRSTUVWX9A",
	    "ABCDEFGHIJKLM OPQRSTUVWXYA", /* space */
	    " ABCDEFGHIJKLMNOPQRSTUVWXYA",
	    "ABCDEFGHIJKLMNOPQRSTUVWXYA\n",
	    "ABCDEFGHIJKLM-NOPQRSTUVWXY",
	    "ABCDEFGHIJKLMNOPQRSTUVWXY=",
	    "ABCDEFGHIJKLMNOPQRSTUVWXÝ",  /* non-ASCII, 26 bytes */
	    "ABCDEFGHIJKLMNOPQRSTUVWXYB", /* final character with unused bits set */
	    "ABCDEFGHIJKLMNOPQRSTUVWXY7",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		strcpy(out, "junk");
		if (token_parse(bad[i], out) != -1 || out[0] != '\0' || token_valid(bad[i])) {
			printf("  accepted \"%s\"\n", bad[i]);
			CHECK(!"a bad token was accepted");
		}
	}
	CHECK_INT(token_parse(NULL, out), -1);
	CHECK(!token_valid(NULL));
}

static void test_one_spelling(void)
{
	char t[TOKEN_LEN + 1];
	int c, n = 0;

	/* of the 32 possible final characters exactly 8 are accepted, so no two spellings
	 * decode to the same 128 bits */
	strcpy(t, "ABCDEFGHIJKLMNOPQRSTUVWXYA");
	for (c = 0; c < 32; c++) {
		t[TOKEN_LEN - 1] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[c];
		if (token_valid(t)) {
			n++;
			CHECK(strchr(final_ok, t[TOKEN_LEN - 1]) != NULL);
		}
	}
	CHECK_INT(n, 8);
}

static void test_hash(void)
{
	unsigned char h1[TOKEN_HASH_LEN], h2[TOKEN_HASH_LEN];
	char hex[TOKEN_HEX_LEN + 1], t[TOKEN_LEN + 1], u[TOKEN_LEN + 1];
	int i;

	/* SHA-256 of the 26 ASCII bytes, as sha256sum computes it */
	CHECK_INT(token_hash_hex("AAAAAAAAAAAAAAAAAAAAAAAAAA", hex), 0);
	CHECK_STR(hex, "06f469c97c14e84c74853bb96aa79305eb4f6635291bf1202c4fdadb82706204");
	/* lower case is the same token, so the same hash */
	CHECK_INT(token_hash_hex("aaaaaaaaaaaaaaaaaaaaaaaaaa", hex), 0);
	CHECK_STR(hex, "06f469c97c14e84c74853bb96aa79305eb4f6635291bf1202c4fdadb82706204");

	token_new(t);
	CHECK_INT(token_hash(t, h1), 0);
	CHECK_INT(token_hash(t, h2), 0);
	CHECK(memcmp(h1, h2, sizeof h1) == 0); /* stable */
	/* one changed character anywhere is another token with another hash, or (the
	 * final character with unused bits set) no token at all */
	for (i = 0; i < TOKEN_LEN; i++) {
		strcpy(u, t);
		u[i] = u[i] == 'A' ? 'E' : 'A';
		CHECK_INT(token_hash(u, h2), 0);
		CHECK(memcmp(h1, h2, sizeof h1) != 0);
	}
	u[TOKEN_LEN - 1] = 'B';
	CHECK_INT(token_hash(u, h2), -1);
	CHECK_INT(token_hash_hex("not a token", hex), -1);
	CHECK_STR(hex, "");
}

static void test_hex(void)
{
	/* FIPS 180-2 SHA-256("abc") */
	static const unsigned char abc[32] = {
	    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
	    0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
	    0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	char hex[TOKEN_HEX_LEN + 1], small[5];

	CHECK_INT(token_hex(abc, 32, hex, sizeof hex), 0);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_INT(token_hex(abc, 2, small, sizeof small), 0);
	CHECK_STR(small, "ba78");
	CHECK_INT(token_hex(abc, 3, small, sizeof small), -1); /* no room: refused, not cut */
	CHECK_STR(small, "");
	CHECK_INT(token_hex(abc, 0, small, 1), 0);
	CHECK_STR(small, "");
}

static void test_csrf(void)
{
	unsigned char key[TOKEN_KEY_LEN], other[TOKEN_KEY_LEN];
	char c[TOKEN_CSRF_LEN + 1], d[TOKEN_CSRF_LEN + 2];
	int i;

	for (i = 0; i < TOKEN_KEY_LEN; i++)
		key[i] = (unsigned char)i;
	/* HMAC-SHA-256(key, "csrf:family-1"), as Python's hmac module computes it */
	CHECK_INT(token_csrf(key, "family-1", c), 0);
	CHECK_STR(c, "79092f3ce21715cfcaaa30f72ab4724a9c698eb81b51dee40d163bfdb4ec725c");

	CHECK(token_csrf_check(key, "family-1", c));
	/* another session or family, another key */
	CHECK(!token_csrf_check(key, "family-2", c));
	CHECK(!token_csrf_check(key, "family-11", c));
	memcpy(other, key, sizeof key);
	other[31] ^= 1;
	CHECK(!token_csrf_check(other, "family-1", c));
	/* altered, truncated, extended, case-changed, absent */
	strcpy(d, c);
	d[10] = d[10] == '0' ? '1' : '0';
	CHECK(!token_csrf_check(key, "family-1", d));
	strcpy(d, c);
	d[TOKEN_CSRF_LEN - 1] = d[TOKEN_CSRF_LEN - 1] == '0' ? '1' : '0'; /* every digit counts */
	CHECK(!token_csrf_check(key, "family-1", d));
	strcpy(d, c);
	d[TOKEN_CSRF_LEN - 1] = '\0';
	CHECK(!token_csrf_check(key, "family-1", d));
	CHECK(!token_csrf_check(key, "family-1", ""));
	strcpy(d, c);
	strcat(d, "0");
	CHECK(!token_csrf_check(key, "family-1", d));
	for (i = 0; i < TOKEN_CSRF_LEN; i++)
		if (c[i] >= 'a' && c[i] <= 'f') {
			strcpy(d, c);
			d[i] = (char)(c[i] - 'a' + 'A');
			break;
		}
	CHECK(!token_csrf_check(key, "family-1", d));
	CHECK(!token_csrf_check(key, "family-1", NULL));

	/* token_csrf_equal: the same rules against a token made already */
	CHECK(token_csrf_equal(c, c));
	strcpy(d, c);
	d[TOKEN_CSRF_LEN - 1] = d[TOKEN_CSRF_LEN - 1] == '0' ? '1' : '0';
	CHECK(!token_csrf_equal(c, d));
	d[TOKEN_CSRF_LEN - 1] = '\0';
	CHECK(!token_csrf_equal(c, d));
	strcpy(d, c);
	strcat(d, "0");
	CHECK(!token_csrf_equal(c, d));
	CHECK(!token_csrf_equal(c, ""));
	CHECK(!token_csrf_equal(c, NULL));
	/* with the key's blocks hashed once: the same tokens */
	{
		struct token_mac m;
		char once[TOKEN_ONCE_LEN + 1];
		token_mac_init(&m, key);
		CHECK_INT(token_csrf_with(&m, "family-1", d), 0);
		CHECK_STR(d, c);
		CHECK_INT(token_csrf_with(&m, "family-1", d), 0); /* m is not used up */
		CHECK_STR(d, c);
		CHECK_INT(token_csrf_with(&m, "", d), -1);
		CHECK_INT(token_once_new_with(&m, "family:1", once), 0);
		CHECK(token_once_check(key, "family:1", once));
		CHECK(token_once_check_with(&m, "family:1", once));
		CHECK(!token_once_check_with(&m, "family:2", once));
		CHECK(!token_once_check(other, "family:1", once));
		CHECK_INT(token_once_new(key, "family:1", once), 0);
		CHECK(token_once_check_with(&m, "family:1", once));
		once[TOKEN_ONCE_LEN - 1] = once[TOKEN_ONCE_LEN - 1] == '0' ? '1' : '0';
		CHECK(!token_once_check_with(&m, "family:1", once));
		sodium_memzero(&m, sizeof m);
	}

	/* no token made (token_csrf failed, out ""): nothing checks against it */
	CHECK_INT(token_csrf(key, "", c), -1);
	CHECK(!token_csrf_equal(c, ""));
	/* no session, no token */
	CHECK_INT(token_csrf(key, "", c), -1);
	CHECK_STR(c, "");
	CHECK_INT(token_csrf(key, NULL, c), -1);
	CHECK(!token_csrf_check(key, "", ""));
	CHECK(!token_csrf_check(key, NULL, c));
}

int main(void)
{
	RUN(test_init);
	RUN(test_known_encoding);
	RUN(test_new_tokens);
	RUN(test_parse_normalises);
	RUN(test_parse_refuses);
	RUN(test_one_spelling);
	RUN(test_hash);
	RUN(test_hex);
	RUN(test_csrf);
	CHECK_MAIN();
}
