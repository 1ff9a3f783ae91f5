/* Staff accounts, logins, throttling, sessions and CSRF tokens, on a fresh database in a
 * temporary folder with a fake clock. */
#include <fcntl.h>
#include <sodium.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "db.h"
#include "staff.h"
#include "token.h"
#include "testdb.h"

static long long fake_time = 1790000000; /* 2026-09-21 */
static struct db *db;
static unsigned char key[TOKEN_KEY_LEN];

static long long fake_now(void)
{
	return fake_time;
}

/* The CPU time this process has used, in seconds: what an argon2id verification costs,
 * whatever else the machine is doing (wall-clock time is not, on a shared machine). */
static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* staff_login from ip (no retry time wanted), with the CPU seconds it took in *took. */
static enum staff_login timed_login(const char *user, const char *password, const char *ip,
                                    char *sid, struct staff_session *s, double *took)
{
	double t0 = seconds();
	enum staff_login rc = staff_login(db, user, password, ip, sid, s, NULL);

	*took = seconds() - t0;
	return rc;
}

static long long count(const char *sql)
{
	return testdb_count(db, sql);
}

static int setup(void)
{
	if (token_init() < 0 || (db = testdb_new()) == NULL)
		return -1;
	randombytes_buf(key, sizeof key);
	staff_now = fake_now;
	return 0;
}

/* Moves the clock on past every lock, so tests do not see each other's failures. */
static void next_window(void)
{
	fake_time += STAFF_WINDOW_SECONDS + 1;
}

static void test_hash_verify(void)
{
	char h[STAFF_HASH_MAX], h2[STAFF_HASH_MAX];

	CHECK_INT(staff_hash_password("correct horse battery", h), 0);
	CHECK(strncmp(h, "$argon2id$", 10) == 0);
	CHECK(staff_verify_password(h, "correct horse battery"));
	CHECK(!staff_verify_password(h, "correct horse batterY"));
	CHECK(!staff_verify_password(h, ""));
	CHECK(!staff_verify_password(h, NULL));
	CHECK(!staff_verify_password("not a hash", "correct horse battery"));
	/* salted: the same password hashes differently each time */
	CHECK_INT(staff_hash_password("correct horse battery", h2), 0);
	CHECK(strcmp(h, h2) != 0);
	CHECK(staff_verify_password(h2, "correct horse battery"));
}

static void test_add(void)
{
	struct buf err = BUF_INIT;

	CHECK_INT(staff_add(db, "Bad Name", "long enough password", &err), -1);
	CHECK(strstr(buf_str(&err), "user name") != NULL);
	buf_reset(&err);
	CHECK_INT(staff_add(db, "short", "tiny", &err), -1);
	CHECK(strstr(buf_str(&err), "at least 12 characters") != NULL);
	buf_reset(&err);
	/* characters, not bytes: eleven Welsh letters are 22 bytes but too short */
	CHECK_INT(staff_add(db, "short", "ŵŷâêîôûŵŷâê", &err), -1);
	CHECK(strstr(buf_str(&err), "at least 12 characters") != NULL);
	buf_reset(&err);
	CHECK_INT(staff_add(db, "ctrl", "password\001withcontrol", &err), -1);
	buf_reset(&err);
	CHECK_INT(count("SELECT count(*) FROM staff"), 0);
	CHECK_INT(staff_add(db, "a.jones", "Llanfair-2026!", &err), 1);
	CHECK_INT(staff_add(db, "b.evans", "Bryn Celyn 4 ever", &err), 1);
	CHECK_STR(buf_str(&err), "");
	CHECK_INT(count("SELECT count(*) FROM staff"), 2);
	CHECK_INT(count("SELECT count(*) FROM staff WHERE pwhash LIKE '%Llanfair%'"), 0);
	CHECK_INT(count("SELECT count(*) FROM event WHERE kind = 'staff' AND staff = 'a.jones'"
	                " AND detail = 'added'"),
	          1);
	CHECK(staff_username_valid("office.manager_2-b"));
	CHECK(!staff_username_valid("office@school"));
	CHECK(!staff_username_valid(""));
	CHECK(!staff_username_valid("UPPER"));
	CHECK(!staff_username_valid("a b"));
	buf_free(&err);
}

static void test_login_ok(void)
{
	struct staff_session s, got;
	char sid[TOKEN_LEN + 1], hex[TOKEN_HEX_LEN + 1];
	long long retry = -1;

	next_window();
	CHECK_INT(staff_login(db, "A.Jones", "Llanfair-2026!", "192.0.2.1", sid, &s, &retry),
	          STAFF_LOGIN_OK);
	CHECK(token_valid(sid));
	CHECK_STR(s.username, "a.jones");
	CHECK_INT(retry, 0);
	/* only the SHA-256 of the id is stored */
	CHECK_INT(token_hash_hex(sid, hex), 0);
	CHECK_STR(s.hash, hex);
	CHECK_INT(count("SELECT count(*) FROM session WHERE hash = (SELECT hash FROM session"
	                " ORDER BY rowid DESC LIMIT 1) AND length(hash) = 64"),
	          1);
	CHECK_INT(staff_session_get(db, sid, &got), 1);
	CHECK_STR(got.username, "a.jones");
	CHECK_STR(got.hash, s.hash);
	CHECK_INT(got.staff_id, s.staff_id);
}

/* A session carries the account's role; a role is set only to office or editor, is
 * recorded, and takes effect at the next request. */
static void test_roles(void)
{
	struct staff_session s, got;
	char sid[TOKEN_LEN + 1];
	struct buf err = BUF_INIT;

	CHECK_STR(staff_role_names[STAFF_OFFICE], "office");
	CHECK_INT(staff_role_parse("editor"), STAFF_EDITOR);
	CHECK_INT(staff_role_parse("admin"), STAFF_ROLE__MAX);
	CHECK_INT(staff_role_parse(NULL), STAFF_ROLE__MAX);
	CHECK_INT(staff_add(db, "c.roles", "Rôl newydd 2026!", &err), 1);
	next_window();
	CHECK_INT(staff_login(db, "c.roles", "Rôl newydd 2026!", "192.0.2.7", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	CHECK_INT(staff_session_get(db, sid, &got), 1);
	CHECK_INT(got.role, STAFF_OFFICE);
	CHECK_INT(staff_set_role(db, "c.roles", STAFF_EDITOR, &err), 0);
	CHECK_INT(staff_session_get(db, sid, &got), 1);
	CHECK_INT(got.role, STAFF_EDITOR);
	CHECK_INT(count("SELECT count(*) FROM event WHERE kind = 'staff' AND staff = 'c.roles'"
	                " AND detail = 'role editor'"),
	          1);
	CHECK_INT(staff_set_role(db, "c.roles", STAFF_ROLE__MAX, &err), -1);
	CHECK_INT(staff_set_role(db, "nobody", STAFF_EDITOR, &err), -1);
	CHECK(strstr(buf_str(&err), "no staff user nobody") != NULL);
	CHECK_INT(staff_set_role(db, "c.roles", STAFF_OFFICE, &err), 0);
	CHECK_INT(staff_session_get(db, sid, &got), 1);
	CHECK_INT(got.role, STAFF_OFFICE);
	staff_logout(db, got.hash);
	buf_free(&err);
}

static void test_login_bad(void)
{
	struct staff_session s;
	char sid[TOKEN_LEN + 1];
	double known, unknown;

	next_window();
	CHECK_INT(timed_login("a.jones", "wrong password", "192.0.2.2", sid, &s, &known),
	          STAFF_LOGIN_BAD);
	CHECK_STR(sid, "");
	CHECK_STR(s.username, "");
	CHECK_INT(timed_login("nobody", "wrong password", "192.0.2.2", sid, &s, &unknown),
	          STAFF_LOGIN_BAD);
	/* an unknown name still costs a password verification: the same work, measured in
	 * CPU time (one argon2id verification, against none at all, differs a thousandfold) */
	CHECK(unknown > known * 0.3);
	CHECK_INT(staff_login(db, "", "", "192.0.2.2", sid, &s, NULL), STAFF_LOGIN_BAD);
	CHECK_INT(staff_login(db, "a.jones", "", "192.0.2.2", sid, &s, NULL), STAFF_LOGIN_BAD);
	CHECK_INT(staff_login(db, "a jones' OR 1=1 --", "x", "192.0.2.2", sid, &s, NULL),
	          STAFF_LOGIN_BAD);
	CHECK_INT(count("SELECT failures FROM throttle WHERE key = 'login:a.jones@192.0.2.2'"), 2);
	CHECK_INT(count("SELECT failures FROM throttle WHERE key = 'user:a.jones'"), 2);
	CHECK_INT(count("SELECT failures FROM throttle WHERE key = 'login:nobody@192.0.2.2'"), 1);
	CHECK_INT(count("SELECT failures FROM throttle WHERE key = 'addr:192.0.2.2'"), 5);
}

static void test_account_lockout(void)
{
	struct staff_session s;
	char sid[TOKEN_LEN + 1];
	long long retry = 0;
	int i;

	next_window();
	for (i = 0; i < STAFF_ACCOUNT_FAILURES; i++)
		CHECK_INT(staff_login(db, "a.jones", "guess", "198.51.100.1", sid, &s, NULL),
		          STAFF_LOGIN_BAD);
	/* now even the right password is refused from that address until the window ends */
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "198.51.100.1", sid, &s, &retry),
	          STAFF_LOGIN_LOCKED);
	CHECK_STR(sid, "");
	CHECK_INT(retry, STAFF_WINDOW_SECONDS);
	fake_time += 600;
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "198.51.100.1", sid, &s, &retry),
	          STAFF_LOGIN_LOCKED);
	CHECK_INT(retry, STAFF_WINDOW_SECONDS - 600);
	/* ... but not from another address: one address cannot lock a user out */
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "198.51.100.99", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	/* another account is not affected */
	CHECK_INT(staff_login(db, "b.evans", "Bryn Celyn 4 ever", "198.51.100.1", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	fake_time += STAFF_WINDOW_SECONDS - 600;
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "198.51.100.1", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	/* a success forgets earlier failures */
	for (i = 0; i < STAFF_ACCOUNT_FAILURES - 1; i++)
		staff_login(db, "a.jones", "guess", "198.51.100.2", sid, &s, NULL);
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "198.51.100.2", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	for (i = 0; i < STAFF_ACCOUNT_FAILURES - 1; i++)
		staff_login(db, "a.jones", "guess", "198.51.100.2", sid, &s, NULL);
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "198.51.100.2", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	/* unknown names lock the same way, so locking tells nothing about who exists */
	next_window();
	for (i = 0; i < STAFF_ACCOUNT_FAILURES; i++)
		staff_login(db, "ghost", "guess", "198.51.100.3", sid, &s, NULL);
	CHECK_INT(staff_login(db, "ghost", "guess", "198.51.100.3", sid, &s, &retry),
	          STAFF_LOGIN_LOCKED);
}

/* The flood: wrong passwords for the office's name from many addresses. Five from
 * five addresses lock nobody; more lock the name everywhere except where it signs in. */
static void test_many_addresses(void)
{
	struct staff_session s;
	char sid[TOKEN_LEN + 1], addr[32];
	long long retry = 0;
	int i;

	next_window();
	/* the office signs in from the school's own address: remembered as trusted */
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "192.0.2.10", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	for (i = 0; i < 5; i++) {
		snprintf(addr, sizeof addr, "203.0.113.%d", 100 + i);
		CHECK_INT(staff_login(db, "a.jones", "guess", addr, sid, &s, NULL),
		          STAFF_LOGIN_BAD);
	}
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "192.0.2.11", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	for (i = 5; i < 3 * STAFF_USER_FAILURES; i++) {
		snprintf(addr, sizeof addr, "203.0.113.%d", 100 + i);
		staff_login(db, "a.jones", "guess", addr, sid, &s, NULL);
	}
	/* a new address is now refused for this name, without a password check ... */
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "198.18.0.1", sid, &s, &retry),
	          STAFF_LOGIN_LOCKED);
	CHECK(retry > 0);
	/* ... but the school's addresses, where it signed in, are not */
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "192.0.2.10", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "192.0.2.11", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	/* nor another name */
	CHECK_INT(staff_login(db, "b.evans", "Bryn Celyn 4 ever", "198.18.0.1", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	/* a trusted address is forgotten after STAFF_TRUST_SECONDS without a sign-in */
	fake_time += STAFF_TRUST_SECONDS;
	for (i = 0; i < STAFF_USER_FAILURES; i++) {
		snprintf(addr, sizeof addr, "203.0.113.%d", 200 + i);
		staff_login(db, "a.jones", "guess", addr, sid, &s, NULL);
	}
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "192.0.2.10", sid, &s, NULL),
	          STAFF_LOGIN_LOCKED);
}

/* While another process holds the password-check slot, an untrusted sign-in is told to
 * come back in a second without a check; a trusted one is checked as usual. */
static void test_check_slot_busy(void)
{
	struct staff_session s;
	char sid[TOKEN_LEN + 1], path[256], c;
	long long retry = 0;
	int ready[2], go[2], fd;
	pid_t pid;

	next_window();
	CHECK_INT(staff_login(db, "b.evans", "Bryn Celyn 4 ever", "192.0.2.60", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	snprintf(path, sizeof path, "%s-login.lock", testdb_path);
	if (pipe(ready) < 0 || pipe(go) < 0 || (pid = fork()) < 0) {
		CHECK(0);
		return;
	}
	if (pid == 0) {
		struct flock l = {.l_type = F_WRLCK,
		                  .l_whence = SEEK_SET,
		                  .l_start = 0,
		                  .l_len = STAFF_CHECK_SLOTS};
		fd = open(path, O_RDWR | O_CREAT, 0600);
		c = fd >= 0 && fcntl(fd, F_SETLK, &l) == 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	CHECK(read(ready[0], &c, 1) == 1 && c == 'y');
	CHECK_INT(staff_login(db, "b.evans", "Bryn Celyn 4 ever", "198.18.0.60", sid, &s, &retry),
	          STAFF_LOGIN_LOCKED);
	CHECK_INT(retry, 1);
	CHECK_INT(count("SELECT count(*) FROM throttle WHERE key = 'login:b.evans@198.18.0.60'"),
	          0);
	CHECK_INT(staff_login(db, "b.evans", "Bryn Celyn 4 ever", "192.0.2.60", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	CHECK_INT(write(go[1], "x", 1), 1);
	waitpid(pid, NULL, 0);
	/* the slot is free again once the other process is gone */
	CHECK_INT(staff_login(db, "b.evans", "Bryn Celyn 4 ever", "198.18.0.60", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

/* A failed login answers at once: no sleep holds the worker. */
static void test_failure_does_not_sleep(void)
{
	struct staff_session s;
	char sid[TOKEN_LEN + 1];
	double ok, bad;

	next_window();
	CHECK_INT(timed_login("b.evans", "Bryn Celyn 4 ever", "192.0.2.50", sid, &s, &ok),
	          STAFF_LOGIN_OK);
	CHECK_INT(timed_login("b.evans", "not the password", "192.0.2.50", sid, &s, &bad),
	          STAFF_LOGIN_BAD);
	CHECK(bad < ok * 3 + 0.2);
}

static void test_address_lockout(void)
{
	struct staff_session s;
	char sid[TOKEN_LEN + 1], name[32];
	long long retry = 0;
	int i;

	next_window();
	/* different names each time, so no account locks: the address does */
	for (i = 0; i < STAFF_ADDR_FAILURES; i++) {
		snprintf(name, sizeof name, "user%d", i);
		CHECK_INT(staff_login(db, name, "guess", "203.0.113.7", sid, &s, NULL),
		          STAFF_LOGIN_BAD);
	}
	CHECK_INT(staff_login(db, "b.evans", "Bryn Celyn 4 ever", "203.0.113.7", sid, &s, &retry),
	          STAFF_LOGIN_LOCKED);
	CHECK(retry > 0);
	CHECK_INT(staff_login(db, "b.evans", "Bryn Celyn 4 ever", "203.0.113.8", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	/* expired throttles are tidied away by a later failure */
	next_window();
	staff_login(db, "someone", "guess", "203.0.113.9", sid, &s, NULL);
	CHECK_INT(count("SELECT count(*) FROM throttle WHERE key LIKE 'login:user%'"), 0);
}

static void test_new_id_each_login(void)
{
	struct staff_session s1, s2, got;
	char sid1[TOKEN_LEN + 1], sid2[TOKEN_LEN + 1];

	next_window();
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "192.0.2.9", sid1, &s1, NULL),
	          STAFF_LOGIN_OK);
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "192.0.2.9", sid2, &s2, NULL),
	          STAFF_LOGIN_OK);
	CHECK(strcmp(sid1, sid2) != 0);
	CHECK(strcmp(s1.hash, s2.hash) != 0);
	CHECK_INT(staff_session_get(db, sid2, &got), 1);
}

static void test_idle_timeout(void)
{
	struct staff_session s, got;
	char sid[TOKEN_LEN + 1];

	next_window();
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "192.0.2.10", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	fake_time += STAFF_IDLE_SECONDS - 60;
	CHECK_INT(staff_session_get(db, sid, &got), 1);
	/* each request moves the idle deadline on */
	fake_time += STAFF_IDLE_SECONDS - 60;
	CHECK_INT(staff_session_get(db, sid, &got), 1);
	CHECK_INT(got.seen, fake_time);
	fake_time += STAFF_IDLE_SECONDS;
	CHECK_INT(staff_session_get(db, sid, &got), 0);
	CHECK_STR(got.username, "");
	/* and it stays dead: it was revoked, so turning the clock back does not help */
	fake_time -= STAFF_IDLE_SECONDS;
	CHECK_INT(staff_session_get(db, sid, &got), 0);
}

static void test_absolute_timeout(void)
{
	struct staff_session s, got;
	char sid[TOKEN_LEN + 1];
	long long start;

	next_window();
	start = fake_time;
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "192.0.2.11", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	while (fake_time + 1200 < start + STAFF_ABSOLUTE_SECONDS) {
		fake_time += 1200;
		if (staff_session_get(db, sid, &got) != 1) {
			CHECK(!"session ended before the absolute timeout");
			break;
		}
	}
	fake_time = start + STAFF_ABSOLUTE_SECONDS;
	CHECK_INT(staff_session_get(db, sid, &got), 0);
}

static void test_logout(void)
{
	struct staff_session s, other, got;
	char sid[TOKEN_LEN + 1], sid2[TOKEN_LEN + 1];

	next_window();
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "192.0.2.12", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	CHECK_INT(staff_login(db, "b.evans", "Bryn Celyn 4 ever", "192.0.2.12", sid2, &other, NULL),
	          STAFF_LOGIN_OK);
	CHECK_INT(staff_logout(db, s.hash), 0);
	CHECK_INT(staff_session_get(db, sid, &got), 0);
	CHECK_INT(staff_session_get(db, sid2, &got), 1);
	CHECK_INT(staff_logout(db, s.hash), 0); /* again is fine */
	CHECK_INT(staff_logout(db, ""), 0);
}

static void test_bad_session_ids(void)
{
	struct staff_session got;
	char family[TOKEN_LEN + 1];

	CHECK_INT(staff_session_get(db, NULL, &got), 0);
	CHECK_INT(staff_session_get(db, "", &got), 0);
	CHECK_INT(staff_session_get(db, "' OR 1=1 --", &got), 0);
	CHECK_INT(staff_session_get(db, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &got), 0);
	/* a family's token is a well-formed id, but not a session */
	token_new(family);
	CHECK_INT(staff_session_get(db, family, &got), 0);
}

static void test_disable_and_password_change(void)
{
	struct staff_session s, got;
	char sid[TOKEN_LEN + 1];
	struct buf err = BUF_INIT;

	next_window();
	CHECK_INT(staff_login(db, "b.evans", "Bryn Celyn 4 ever", "192.0.2.13", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	CHECK_INT(staff_set_disabled(db, "b.evans", 1, &err), 0);
	CHECK_INT(staff_session_get(db, sid, &got), 0);
	CHECK_INT(staff_login(db, "b.evans", "Bryn Celyn 4 ever", "192.0.2.13", sid, &s, NULL),
	          STAFF_LOGIN_BAD);
	CHECK_INT(staff_set_disabled(db, "nobody", 1, &err), -1);
	CHECK(strstr(buf_str(&err), "no staff account") != NULL);
	buf_reset(&err);
	/* a new password enables the account and ends the sessions of the old one */
	CHECK_INT(staff_add(db, "b.evans", "a brand new password", &err), 0);
	CHECK_INT(staff_login(db, "b.evans", "Bryn Celyn 4 ever", "192.0.2.13", sid, &s, NULL),
	          STAFF_LOGIN_BAD);
	CHECK_INT(staff_login(db, "b.evans", "a brand new password", "192.0.2.13", sid, &s, NULL),
	          STAFF_LOGIN_OK);
	CHECK_INT(staff_add(db, "b.evans", "yet another password", &err), 0);
	CHECK_INT(staff_session_get(db, sid, &got), 0);
	/* added, disabled, password set twice */
	CHECK_INT(count("SELECT count(*) FROM event WHERE kind = 'staff' AND staff = 'b.evans'"),
	          4);
	buf_free(&err);
}

static void test_csrf(void)
{
	struct staff_session a, b;
	char sid[TOKEN_LEN + 1], ta[TOKEN_CSRF_LEN + 1], tb[TOKEN_CSRF_LEN + 1];
	unsigned char k2[TOKEN_KEY_LEN];

	next_window();
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "192.0.2.14", sid, &a, NULL),
	          STAFF_LOGIN_OK);
	CHECK_INT(staff_login(db, "a.jones", "Llanfair-2026!", "192.0.2.14", sid, &b, NULL),
	          STAFF_LOGIN_OK);
	CHECK_INT(staff_csrf(key, &a, ta), 0);
	CHECK_INT(staff_csrf(key, &b, tb), 0);
	CHECK_INT((long long)strlen(ta), TOKEN_CSRF_LEN);
	CHECK(strcmp(ta, tb) != 0);
	CHECK(staff_csrf_check(key, &a, ta));
	CHECK(!staff_csrf_check(key, &a, tb)); /* another session's token */
	CHECK(!staff_csrf_check(key, &b, ta));
	CHECK(!staff_csrf_check(key, &a, NULL));
	CHECK(!staff_csrf_check(key, &a, ""));
	ta[0] = ta[0] == '0' ? '1' : '0';
	CHECK(!staff_csrf_check(key, &a, ta));
	memcpy(k2, key, sizeof k2);
	k2[0] ^= 1;
	CHECK_INT(staff_csrf(key, &a, ta), 0);
	CHECK(!staff_csrf_check(k2, &a, ta));
	/* the token is bound to the session id, not just to the user */
	memset(&b, 0, sizeof b);
	CHECK_INT(staff_csrf(key, &b, tb), -1);
	CHECK(!staff_csrf_check(key, &b, ta));
}

static void test_cookie(void)
{
	char c[STAFF_COOKIE_MAX];

	staff_cookie(c, 0, "AAAQEAYEAUDAOCAJBIFQYDIOB4");
	CHECK_STR(c, "office=AAAQEAYEAUDAOCAJBIFQYDIOB4; Path=/office/; HttpOnly; SameSite=Strict");
	staff_cookie(c, 1, "AAAQEAYEAUDAOCAJBIFQYDIOB4");
	CHECK_STR(c, "__Host-office=AAAQEAYEAUDAOCAJBIFQYDIOB4; Path=/; HttpOnly; SameSite=Strict; "
	             "Secure");
	staff_cookie(c, 0, NULL);
	CHECK_STR(c, "office=; Path=/office/; HttpOnly; SameSite=Strict; Max-Age=0");
}

int main(void)
{
	if (setup() < 0) {
		printf("FAIL setup\n");
		return 1;
	}
	RUN(test_hash_verify);
	RUN(test_add);
	RUN(test_login_ok);
	RUN(test_login_bad);
	RUN(test_account_lockout);
	RUN(test_address_lockout);
	RUN(test_many_addresses);
	RUN(test_failure_does_not_sleep);
	RUN(test_check_slot_busy);
	RUN(test_new_id_each_login);
	RUN(test_idle_timeout);
	RUN(test_absolute_timeout);
	RUN(test_logout);
	RUN(test_bad_session_ids);
	RUN(test_disable_and_password_change);
	RUN(test_csrf);
	RUN(test_roles);
	RUN(test_cookie);
	testdb_free(db);
	CHECK_MAIN();
}
