/* token: family access tokens and CSRF tokens (libsodium).
 *
 * A family token is a capability: 128 random bits written as 26 characters of
 * upper-case RFC 4648 base32 without padding (A-Z, 2-7), which fits a QR code's
 * alphanumeric mode and survives being read aloud or typed. Each token has exactly one
 * spelling. Only its SHA-256 is stored.
 *
 * A CSRF token is HMAC-SHA-256, under a server key, of the session (or family) id it
 * is bound to, as 64 lower-case hex digits. */
#ifndef TOKEN_H
#define TOKEN_H

#include <sodium.h>
#include <stddef.h>

#define TOKEN_BYTES 16    /* random bytes in a family token */
#define TOKEN_LEN 26      /* characters in a family token */
#define TOKEN_HASH_LEN 32 /* bytes of SHA-256 */
#define TOKEN_HEX_LEN 64  /* hex digits of a hash or a CSRF token */
#define TOKEN_KEY_LEN 32  /* bytes of CSRF key */
#define TOKEN_CSRF_LEN 64 /* characters in a CSRF token */

/* Initialises libsodium. Call once, before any other token_ function (and before
 * forking workers is fine). Returns 0, or -1 when libsodium cannot start. */
int token_init(void);

/* Writes a new random family token and its NUL. */
void token_new(char out[TOKEN_LEN + 1]);

/* Writes the token for 16 given bytes: RFC 4648 base32, unpadded. For fixed tokens in
 * tests and demo data; real ones come from token_new. */
void token_from_bytes(const unsigned char in[TOKEN_BYTES], char out[TOKEN_LEN + 1]);

/* Normalises a token as a parent might type it: lower case is accepted and made upper
 * case; anything else outside A-Z 2-7, a wrong length, or a final character whose
 * unused low bits are not zero is refused. Returns 0 with the canonical token in out,
 * or -1 with out "". in may be NULL (refused). */
int token_parse(const char *in, char out[TOKEN_LEN + 1]);

/* 1 when token_parse would accept in, else 0. */
int token_valid(const char *in);

/* The SHA-256 of the canonical form of token, which is what is stored. Returns 0, or
 * -1 when token_parse refuses it (out is then zeroed). */
int token_hash(const char *token, unsigned char out[TOKEN_HASH_LEN]);

/* As token_hash, written as 64 lower-case hex digits and a NUL (out "" on -1). */
int token_hash_hex(const char *token, char out[TOKEN_HEX_LEN + 1]);

/* Writes len bytes as 2 * len lower-case hex digits and a NUL into out, which holds
 * outsz bytes. Returns 0, or -1 (out "" when outsz > 0) when it does not fit. */
int token_hex(const unsigned char *bin, size_t len, char *out, size_t outsz);

/* Writes the CSRF token for the session or family id under key: the HMAC of "csrf:"
 * and id, so a token for one id does not check for another. Returns 0, or -1 with out
 * "" when id is NULL or empty (no session, no token). */
int token_csrf(const unsigned char key[TOKEN_KEY_LEN], const char *id,
               char out[TOKEN_CSRF_LEN + 1]);

/* 1 when given is exactly the CSRF token for id under key, compared in constant time;
 * 0 otherwise, including when given is NULL or id is NULL or empty. */
int token_csrf_check(const unsigned char key[TOKEN_KEY_LEN], const char *id, const char *given);

/* HMAC-SHA-256 under one key with the key's own two blocks hashed once: a program that
 * makes many tokens with one key (sign.fcgi: two or three per request) keeps one and
 * hashes only each token's message. The _with functions below are those without,
 * under m's key. Wipe it with sodium_memzero when done, as the key. */
struct token_mac {
	crypto_auth_hmacsha256_state st;
};
void token_mac_init(struct token_mac *m, const unsigned char key[TOKEN_KEY_LEN]);
int token_csrf_with(const struct token_mac *m, const char *id, char out[TOKEN_CSRF_LEN + 1]);

/* 1 when given is exactly want, a CSRF token token_csrf wrote, compared in constant time;
 * 0 otherwise, including when given is NULL. For a caller that has made the token for
 * its page already and checks the posted one against it (one HMAC instead of two). */
int token_csrf_equal(const char want[TOKEN_CSRF_LEN + 1], const char *given);

/* A once-only value for a form: a fresh random nonce (as a family token) and the HMAC,
 * under key, of "once:", bind and the nonce: "<26 base32>-<64 hex>", TOKEN_ONCE_LEN
 * characters. The server issues it with the form and records it when the form is acted
 * on, so the same form sent twice is acted on once; the MAC means a client cannot make
 * one up. bind is what the value belongs to (a family or a staff session), at most
 * TOKEN_ONCE_BIND_MAX bytes. Returns 0, or -1 (out "") when bind is NULL, empty or long. */
#define TOKEN_ONCE_LEN (TOKEN_LEN + 1 + TOKEN_CSRF_LEN)
#define TOKEN_ONCE_BIND_MAX 160
int token_once_new(const unsigned char key[TOKEN_KEY_LEN], const char *bind,
                   char out[TOKEN_ONCE_LEN + 1]);
int token_once_new_with(const struct token_mac *m, const char *bind,
                        char out[TOKEN_ONCE_LEN + 1]);

/* 1 when given is a once-only value token_once_new made for bind under key (whether or
 * not it was used already: the caller records that), else 0. */
int token_once_check(const unsigned char key[TOKEN_KEY_LEN], const char *bind, const char *given);
int token_once_check_with(const struct token_mac *m, const char *bind, const char *given);

#endif
