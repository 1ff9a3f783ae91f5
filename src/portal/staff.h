/* staff: office staff accounts, logins and sessions (libsodium and the consent database).
 *
 * Passwords are stored only as argon2id strings from crypto_pwhash_str_alg, with
 * libsodium's "interactive" limits (2 passes over 64 MiB: above OWASP's minimum of 2
 * passes over 19 MiB). A hash made with weaker limits is upgraded at the next login.
 *
 * Login is rate-limited with the throttle table, counting failures within
 * STAFF_WINDOW_SECONDS; reaching a limit locks for STAFF_WINDOW_SECONDS from the last
 * failure (names that do not exist count the same, so the answer does not tell them
 * apart):
 *   "login:<user>@<address>"  STAFF_ACCOUNT_FAILURES: that name from that address;
 *   "addr:<address>"          STAFF_ADDR_FAILURES: every name from that address;
 *   "user:<user>"             STAFF_USER_FAILURES: that name from any address, except
 *                             from an address where it signed in within
 *                             STAFF_TRUST_SECONDS ("good:<user>@<address>"), so guessing
 *                             from many addresses never locks the school's own office out.
 * While locked, a login is refused without looking at the password. An unknown user
 * costs one password verification too (against a dummy hash), so timing does not reveal
 * which names exist. A failure never sleeps: the locks slow guessing, and a worker held
 * in a sleep would be one the signed-in staff are waiting for. Sign-ins from an address
 * that is not trusted for the name share STAFF_CHECK_SLOTS concurrent password checks
 * (locks on "<database>-login.lock"); one that finds none free is STAFF_LOGIN_LOCKED
 * with a retry after 1 second, answered at once. A trusted pair is exempt from the
 * address and name-wide locks and from the slots, but not from its own count.
 *
 * A session id is a fresh token_new() value, given only to the browser in a cookie; the
 * database keeps its SHA-256 (hex) in table session. Every login makes a new one. A
 * session ends after STAFF_IDLE_SECONDS without a request, STAFF_ABSOLUTE_SECONDS after
 * login, at logout (revoked server-side), or when the account is disabled or its
 * password changed. Times are Unix seconds from staff_now.
 *
 * A form's CSRF token is token_csrf(key, "session:" + session hash): bound to the
 * session, so it is useless in another one and dies with it. */
#ifndef STAFF_H
#define STAFF_H

#include "buf.h"
#include "db.h"
#include "token.h"

#define STAFF_MAX_USER 40     /* bytes in a user name: [a-z0-9._-], as consentctl */
#define STAFF_MIN_PASSWORD 12 /* characters; checked by staff_add, not at login */
#define STAFF_MAX_PASSWORD 1024
#define STAFF_HASH_MAX 128 /* bytes of a password hash string with its NUL */
#define STAFF_IDLE_SECONDS (30 * 60)
#define STAFF_ABSOLUTE_SECONDS (10 * 60 * 60)
#define STAFF_WINDOW_SECONDS (15 * 60)
#define STAFF_ACCOUNT_FAILURES 5
#define STAFF_ADDR_FAILURES 20
#define STAFF_USER_FAILURES 10
#define STAFF_TRUST_SECONDS (90 * 24 * 60 * 60)
#define STAFF_CHECK_SLOTS 1 /* password checks at once for untrusted sign-ins */
#define STAFF_COOKIE_MAX 200 /* bytes of a Set-Cookie value */

/* The clock, in Unix seconds: time(NULL) unless a test replaces it. */
extern long long (*staff_now)(void);

/* What an account may do: consent work (office), and also publishing policies (editor). */
enum staff_role { STAFF_OFFICE, STAFF_EDITOR, STAFF_ROLE__MAX };
extern const char *const staff_role_names[STAFF_ROLE__MAX]; /* "office", "editor" */

/* The role called name, or STAFF_ROLE__MAX when there is none. */
enum staff_role staff_role_parse(const char *name);

/* A signed-in member of staff. */
struct staff_session {
	long long staff_id;
	enum staff_role role;
	char username[STAFF_MAX_USER + 1];
	char hash[TOKEN_HEX_LEN + 1]; /* SHA-256 of the session id: the server's key for it */
	long long created, seen;      /* Unix seconds */
};

/* 1 when name is a valid user name: 1..STAFF_MAX_USER bytes of a-z 0-9 . _ -, else 0. */
int staff_username_valid(const char *name);

/* Writes the argon2id hash string of password (NUL-terminated) into out. Returns 0, or -1
 * when password is NULL, longer than STAFF_MAX_PASSWORD, or there is not enough memory. */
int staff_hash_password(const char *password, char out[STAFF_HASH_MAX]);

/* 1 when password matches the hash string made by staff_hash_password, else 0. */
int staff_verify_password(const char *hash, const char *password);

/* Creates the account, or sets a new password for an existing one (and enables it and
 * ends its sessions). The user name must be valid (lower case); the password at least
 * STAFF_MIN_PASSWORD characters and at most STAFF_MAX_PASSWORD bytes of one line of
 * UTF-8 without control characters.
 * Records a `staff` event (detail "added" or "password set"; never the password).
 * Returns 1 when added, 0 when the password was set, -1 with a message in err. */
int staff_add(struct db *, const char *username, const char *password, struct buf *err);

/* Gives the account a role; records a `staff` event (detail "role editor"). Returns 0,
 * or -1 with a message in err (unknown user included). */
int staff_set_role(struct db *, const char *username, enum staff_role, struct buf *err);

/* Disables (disabled 1) or enables (0) an account; disabling ends its sessions. Records a
 * `staff` event. Returns 0, or -1 with a message in err (unknown user included). */
int staff_set_disabled(struct db *, const char *username, int disabled, struct buf *err);

enum staff_login {
	STAFF_LOGIN_OK,     /* signed in: sid and session are filled in */
	STAFF_LOGIN_BAD,    /* unknown user, wrong password or disabled account */
	STAFF_LOGIN_LOCKED, /* too many failures for this account or address: retry later */
	STAFF_LOGIN_ERROR,  /* the database failed */
	STAFF_LOGIN__MAX
};

/* Signs in username (ASCII letters folded to lower case) with password from address addr
 * (REMOTE_ADDR; may be "" but not NULL). On STAFF_LOGIN_OK writes the new session id for
 * the cookie to sid and the session to *out. On STAFF_LOGIN_LOCKED sets *retry_after
 * (when not NULL) to the seconds until a login may be tried again. */
enum staff_login staff_login(struct db *, const char *username, const char *password,
                             const char *addr, char sid[TOKEN_LEN + 1], struct staff_session *out,
                             long long *retry_after);

/* Looks up the session whose id is sid (the cookie's value; NULL or malformed is simply
 * no session). Returns 1 with *out filled in and its last-seen time moved to now when it
 * is live; 0 when unknown, revoked, timed out (it is then revoked) or its account is
 * disabled; -1 on a database error. */
int staff_session_get(struct db *, const char *sid, struct staff_session *out);

/* Ends the session with this hash (struct staff_session.hash) server-side. Returns 0 or
 * -1. Ending an unknown or ended session is fine. */
int staff_logout(struct db *, const char *hash);

/* The CSRF token for the session's forms, under the server's CSRF key (the secret
 * 'csrf': consent_csrf_key). Returns 0 or -1 (out ""). */
int staff_csrf(const unsigned char key[TOKEN_KEY_LEN], const struct staff_session *,
               char out[TOKEN_CSRF_LEN + 1]);
/* 1 when given is the session's CSRF token (constant-time), else 0 (given NULL too). */
int staff_csrf_check(const unsigned char key[TOKEN_KEY_LEN], const struct staff_session *,
                     const char *given);

/* The session cookie's name: "__Host-office" over HTTPS, else "office". */
const char *staff_cookie_name(int https);
/* Writes the Set-Cookie value that gives the browser sid (out holds STAFF_COOKIE_MAX
 * bytes): HttpOnly, SameSite=Strict, no expiry (the session ends with the browser, and
 * the server enforces the timeouts); over HTTPS Secure and Path=/ (the __Host- prefix
 * requires both), else Path=/office/. sid NULL writes a value that deletes the cookie. */
void staff_cookie(char out[STAFF_COOKIE_MAX], int https, const char *sid);

#endif
