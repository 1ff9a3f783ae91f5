#include "staff.h"

#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "utf8.h"

_Static_assert(STAFF_HASH_MAX == crypto_pwhash_STRBYTES, "STAFF_HASH_MAX");

#define OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE
#define KEY_MAX (STAFF_MAX_USER + 80) /* "login:<user>@<address>", "addr:<address>", ... */

static long long clock_now(void)
{
	return (long long)time(NULL);
}

long long (*staff_now)(void) = clock_now;

int staff_username_valid(const char *name)
{
	size_t i, n;

	if (name == NULL || (n = strlen(name)) == 0 || n > STAFF_MAX_USER)
		return 0;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '.' || name[i] == '_' || name[i] == '-'))
			return 0;
	return 1;
}

int staff_hash_password(const char *password, char out[STAFF_HASH_MAX])
{
	size_t n;

	out[0] = '\0';
	if (password == NULL || (n = strlen(password)) > STAFF_MAX_PASSWORD || sodium_init() < 0)
		return -1;
	if (crypto_pwhash_str_alg(out, password, n, OPSLIMIT, MEMLIMIT,
	                          crypto_pwhash_ALG_ARGON2ID13) != 0) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

int staff_verify_password(const char *hash, const char *password)
{
	size_t n;

	if (hash == NULL || password == NULL || (n = strlen(password)) > STAFF_MAX_PASSWORD ||
	    strlen(hash) >= STAFF_HASH_MAX)
		return 0;
	return crypto_pwhash_str_verify(hash, password, n) == 0;
}

/* A hash of a random password, made once, so that an unknown user name costs the same
 * verification as a known one. NULL when it cannot be made. */
static const char *dummy_hash(void)
{
	static char hash[STAFF_HASH_MAX];
	char pw[TOKEN_LEN + 1];

	if (hash[0] == '\0') {
		token_new(pw);
		if (staff_hash_password(pw, hash) < 0)
			return NULL;
	}
	return hash;
}

/* Appends a `staff` event about username in its own transaction with the change; with
 * pwhash, the event carries its SHA-256 (audit_pwhash_data), so verify can tell a
 * password hash changed behind the log's back. */
static int staff_event(struct db *db, const char *username, const char *detail,
                       const char *pwhash)
{
	struct db_event e;
	struct buf data = BUF_INIT;
	int rc;

	memset(&e, 0, sizeof e);
	e.kind = "staff";
	e.channel = "system";
	e.staff = username;
	e.detail = detail;
	if (pwhash) {
		audit_pwhash_data(&data, pwhash);
		if (!buf_ok(&data)) {
			buf_free(&data);
			return -1;
		}
		e.data = buf_str(&data);
	}
	rc = db_event_append(db, &e) < 0 ? -1 : 0;
	buf_free(&data);
	return rc;
}

static int revoke_all(struct db *db, long long staff_id)
{
	static const char sql[] = "UPDATE session SET revoked = 1 WHERE staff_id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, staff_id);
	return db_exec_stmt(st);
}

/* The id of the account, 0 when there is none, -1 on error. */
static long long staff_id(struct db *db, const char *username)
{
	static const char sql[] = "SELECT id FROM staff WHERE username = ?1";
	sqlite3_stmt *st = db_stmt(db, sql);
	long long id = 0;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? id : -1;
}

const char *const staff_role_names[STAFF_ROLE__MAX] = {"office", "editor"};

enum staff_role staff_role_parse(const char *name)
{
	int i;

	for (i = 0; name && i < STAFF_ROLE__MAX; i++)
		if (strcmp(name, staff_role_names[i]) == 0)
			return (enum staff_role)i;
	return STAFF_ROLE__MAX;
}

int staff_set_role(struct db *db, const char *username, enum staff_role role, struct buf *err)
{
	static const char sql[] = "UPDATE staff SET role = ?2 WHERE id = ?1";
	sqlite3_stmt *st;
	long long id;
	char detail[32];

	if (role >= STAFF_ROLE__MAX) {
		buf_puts(err, "the role must be office or editor\n");
		return -1;
	}
	if (db_begin(db) < 0)
		goto dberr;
	if ((id = staff_id(db, username)) < 0)
		goto fail;
	if (id == 0) {
		db_rollback(db);
		buf_printf(err, "there is no staff user %s\n", username);
		return -1;
	}
	snprintf(detail, sizeof detail, "role %s", staff_role_names[role]);
	if ((st = db_stmt(db, sql)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, staff_role_names[role], -1, SQLITE_STATIC);
	if (db_exec_stmt(st) < 0 || staff_event(db, username, detail, NULL) < 0)
		goto fail;
	if (db_commit(db) < 0)
		goto dberr;
	return 0;
fail:
	db_rollback(db);
dberr:
	buf_printf(err, "cannot save the role: %s\n", db_errmsg(db));
	return -1;
}

int staff_add(struct db *db, const char *username, const char *password, struct buf *err)
{
	static const char insert_sql[] =
	    "INSERT INTO staff (username, pwhash, created_at) VALUES (?1, ?2, ?3)";
	static const char update_sql[] = "UPDATE staff SET pwhash = ?2, disabled = 0 WHERE id = ?1";
	char hash[STAFF_HASH_MAX], now[21];
	sqlite3_stmt *st;
	long long id;
	size_t n, i, chars;

	if (!staff_username_valid(username)) {
		buf_printf(
		    err, "the user name must be 1 to %d characters of a-z, 0-9, '.', '_' and '-'\n",
		    STAFF_MAX_USER);
		return -1;
	}
	n = password ? strlen(password) : 0;
	if (n > STAFF_MAX_PASSWORD || !utf8_valid_line(password ? password : "", n) ||
	    (password && strchr(password, '\t'))) {
		buf_printf(err,
		           "the password must be one line of UTF-8 text of at most %d bytes, "
		           "without tabs or control characters\n",
		           STAFF_MAX_PASSWORD);
		return -1;
	}
	for (i = chars = 0; i < n; i++)
		chars += ((unsigned char)password[i] & 0xC0) != 0x80;
	if (chars < STAFF_MIN_PASSWORD) {
		buf_printf(err, "the password must have at least %d characters\n",
		           STAFF_MIN_PASSWORD);
		return -1;
	}
	if (staff_hash_password(password, hash) < 0) {
		buf_puts(err, "cannot hash the password: out of memory\n");
		return -1;
	}
	if (db_begin(db) < 0)
		goto dberr;
	if ((id = staff_id(db, username)) < 0)
		goto fail;
	if (id == 0) {
		db_now(now);
		if ((st = db_stmt(db, insert_sql)) == NULL)
			goto fail;
		sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
		if (db_exec_stmt(st) < 0 || staff_event(db, username, "added", hash) < 0)
			goto fail;
	} else {
		if ((st = db_stmt(db, update_sql)) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
		if (db_exec_stmt(st) < 0 || revoke_all(db, id) < 0 ||
		    staff_event(db, username, "password set", hash) < 0)
			goto fail;
	}
	if (db_commit(db) < 0)
		goto dberr;
	return id == 0 ? 1 : 0;
fail:
	db_rollback(db);
dberr:
	buf_printf(err, "cannot save the account: %s\n", db_errmsg(db));
	return -1;
}

int staff_set_disabled(struct db *db, const char *username, int disabled, struct buf *err)
{
	static const char sql[] = "UPDATE staff SET disabled = ?2 WHERE id = ?1";
	sqlite3_stmt *st;
	long long id;

	if (!staff_username_valid(username)) {
		buf_puts(err, "not a valid user name\n");
		return -1;
	}
	if (db_begin(db) < 0)
		goto dberr;
	if ((id = staff_id(db, username)) < 0)
		goto fail;
	if (id == 0) {
		db_rollback(db);
		buf_printf(err, "there is no staff account called '%s'\n", username);
		return -1;
	}
	if ((st = db_stmt(db, sql)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, disabled ? 1 : 0);
	if (db_exec_stmt(st) < 0 || (disabled && revoke_all(db, id) < 0) ||
	    staff_event(db, username, disabled ? "disabled" : "enabled", NULL) < 0)
		goto fail;
	if (db_commit(db) < 0)
		goto dberr;
	return 0;
fail:
	db_rollback(db);
dberr:
	buf_printf(err, "cannot change the account: %s\n", db_errmsg(db));
	return -1;
}

/* Seconds until the key's lock ends, 0 when it is not locked, -1 on error. */
static long long throttle_locked(struct db *db, const char *key, int limit, long long now)
{
	static const char sql[] = "SELECT failures, window_start FROM throttle WHERE key = ?1";
	sqlite3_stmt *st = db_stmt(db, sql);
	long long wait = 0;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long start = sqlite3_column_int64(st, 1);
		if (sqlite3_column_int64(st, 0) >= limit && now - start < STAFF_WINDOW_SECONDS &&
		    now >= start)
			wait = start + STAFF_WINDOW_SECONDS - now;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? wait : -1;
}

/* Counts a failure against key. A window that has ended starts again at 1; reaching
 * limit restarts the window, so the lock lasts a full window from the last failure. */
static int throttle_fail(struct db *db, const char *key, int limit, long long now)
{
	static const char sql[] =
	    "INSERT INTO throttle (key, failures, window_start) VALUES (?1, 1, ?2)"
	    " ON CONFLICT (key) DO UPDATE SET"
	    "  failures = CASE WHEN ?2 - window_start >= ?3 OR ?2 < window_start THEN 1"
	    "   ELSE failures + 1 END,"
	    "  window_start = CASE WHEN ?2 - window_start >= ?3 OR ?2 < window_start THEN ?2"
	    "   WHEN failures + 1 >= ?4 THEN ?2 ELSE window_start END";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, STAFF_WINDOW_SECONDS);
	sqlite3_bind_int(st, 4, limit);
	return db_exec_stmt(st);
}

static int throttle_clear(struct db *db, const char *key)
{
	static const char sql[] = "DELETE FROM throttle WHERE key = ?1";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	return db_exec_stmt(st);
}

/* Forgets login throttles whose window has ended, so names tried once do not pile up,
 * and trusted addresses not used for STAFF_TRUST_SECONDS. */
static int throttle_tidy(struct db *db, long long now)
{
	static const char sql[] =
	    "DELETE FROM throttle WHERE (substr(key, 1, 6) IN ('login:', 'addr:') OR substr(key, "
	    "1, 5) = 'user:') AND window_start <= ?1 OR substr(key, 1, 5) = 'good:' AND "
	    "window_start <= ?2";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now - STAFF_WINDOW_SECONDS);
	sqlite3_bind_int64(st, 2, now - STAFF_TRUST_SECONDS);
	return db_exec_stmt(st);
}

/* 1 when the user signed in from this address within STAFF_TRUST_SECONDS ("good:" key),
 * 0 when not, -1 on error. */
static int throttle_trusted(struct db *db, const char *gkey, long long now)
{
	static const char sql[] = "SELECT window_start FROM throttle WHERE key = ?1";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc, good = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, gkey, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		good = now - sqlite3_column_int64(st, 0) < STAFF_TRUST_SECONDS;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? good : -1;
}

static int throttle_trust(struct db *db, const char *gkey, long long now)
{
	static const char sql[] = "INSERT INTO throttle (key, failures, window_start) VALUES (?1, "
	                          "0, ?2) ON CONFLICT (key) DO UPDATE SET window_start = ?2";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, gkey, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	return db_exec_stmt(st);
}

static int record_failure(struct db *db, const char *ukey, const char *nkey, const char *akey,
                          long long now)
{
	if (db_begin(db) < 0)
		return -1;
	if ((ukey[0] && (throttle_fail(db, ukey, STAFF_ACCOUNT_FAILURES, now) < 0 ||
	                 throttle_fail(db, nkey, STAFF_USER_FAILURES, now) < 0)) ||
	    throttle_fail(db, akey, STAFF_ADDR_FAILURES, now) < 0 || throttle_tidy(db, now) < 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db);
}

/* Inserts a new session for the account; writes its id and fills in out. */
static int session_new(struct db *db, long long id, const char *username, long long now,
                       char sid[TOKEN_LEN + 1], struct staff_session *out)
{
	static const char insert_sql[] =
	    "INSERT INTO session (hash, staff_id, created, seen) VALUES (?1, ?2, ?3, ?3)";
	static const char tidy_sql[] = "DELETE FROM session WHERE created <= ?1";
	sqlite3_stmt *st;

	memset(out, 0, sizeof *out);
	token_new(sid);
	if (token_hash_hex(sid, out->hash) < 0)
		return -1;
	out->staff_id = id;
	snprintf(out->username, sizeof out->username, "%s", username);
	out->created = out->seen = now;
	if ((st = db_stmt(db, tidy_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now - STAFF_ABSOLUTE_SECONDS);
	if (db_exec_stmt(st) < 0 || (st = db_stmt(db, insert_sql)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, out->hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, now);
	return db_exec_stmt(st);
}

/* Replaces a hash made with weaker limits than today's; failure only means it waits. */
static void rehash(struct db *db, long long id, const char *username, const char *hash,
                   const char *password)
{
	static const char sql[] = "UPDATE staff SET pwhash = ?2 WHERE id = ?1";
	char fresh[STAFF_HASH_MAX];
	sqlite3_stmt *st;
	sqlite3 *h = db_sqlite(db);

	if (crypto_pwhash_str_needs_rehash(hash, OPSLIMIT, MEMLIMIT) == 0 ||
	    staff_hash_password(password, fresh) < 0 ||
	    sqlite3_exec(h, "SAVEPOINT rehash", NULL, NULL, NULL) != SQLITE_OK)
		return;
	/* The new hash and its event together, or neither. */
	if ((st = db_stmt(db, sql)) != NULL) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, fresh, -1, SQLITE_STATIC);
		if (db_exec_stmt(st) == 0 &&
		    staff_event(db, username, "password rehashed", fresh) == 0) {
			sqlite3_exec(h, "RELEASE rehash", NULL, NULL, NULL);
			return;
		}
	}
	sqlite3_exec(h, "ROLLBACK TO rehash; RELEASE rehash", NULL, NULL, NULL);
}

/* Takes one of STAFF_CHECK_SLOTS slots for a password check: a POSIX lock on one byte of
 * "<database>-login.lock", which the kernel releases if the process dies. Returns 1 with
 * the slot in *slot, 0 when every slot is taken, and 1 with *slot -1 when the lock file
 * cannot be used (then nothing is limited). The file stays open for the process. */
static int check_slot_take(struct db *db, int *slot)
{
	static int fd = -1;
	static char open_path[4096];
	const char *dbpath = sqlite3_db_filename(db_sqlite(db), "main");
	char path[sizeof open_path];
	int i;

	*slot = -1;
	if (dbpath == NULL || *dbpath == '\0' ||
	    (size_t)snprintf(path, sizeof path, "%s-login.lock", dbpath) >= sizeof path)
		return 1;
	if (fd < 0 || strcmp(path, open_path) != 0) {
		if (fd >= 0)
			close(fd);
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		snprintf(open_path, sizeof open_path, "%s", fd >= 0 ? path : "");
		if (fd < 0)
			return 1;
	}
	for (i = 0; i < STAFF_CHECK_SLOTS; i++) {
		struct flock l = {
		    .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = i, .l_len = 1};
		if (fcntl(fd, F_SETLK, &l) == 0) {
			*slot = fd;
			return 1;
		}
		if (errno != EAGAIN && errno != EACCES)
			return 1;
	}
	return 0;
}

static void check_slot_give(int fd)
{
	struct flock l = {
	    .l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = STAFF_CHECK_SLOTS};

	if (fd >= 0)
		fcntl(fd, F_SETLK, &l);
}

enum staff_login staff_login(struct db *db, const char *username, const char *password,
                             const char *addr, char sid[TOKEN_LEN + 1], struct staff_session *out,
                             long long *retry_after)
{
	static const char sql[] = "SELECT id, pwhash, disabled FROM staff WHERE username = ?1";
	char user[STAFF_MAX_USER + 1], ukey[KEY_MAX], akey[KEY_MAX], hash[STAFF_HASH_MAX];
	char nkey[KEY_MAX], gkey[KEY_MAX];
	const char *check;
	long long now = staff_now(), id = 0, wait, await = 0, nwait = 0;
	int disabled = 1, ok, rc, trusted = 0, slot = -1;
	size_t i, n = username ? strlen(username) : 0;
	sqlite3_stmt *st;

	sid[0] = '\0';
	memset(out, 0, sizeof *out);
	if (retry_after)
		*retry_after = 0;
	user[0] = ukey[0] = nkey[0] = gkey[0] = hash[0] = '\0';
	addr = addr ? addr : "";
	if (n > 0 && n <= STAFF_MAX_USER) {
		for (i = 0; i <= n; i++)
			user[i] = (char)(username[i] >= 'A' && username[i] <= 'Z' ? username[i] + 32
			                                                          : username[i]);
		if (staff_username_valid(user)) {
			snprintf(ukey, sizeof ukey, "login:%s@%.64s", user, addr);
			snprintf(nkey, sizeof nkey, "user:%s", user);
			snprintf(gkey, sizeof gkey, "good:%s@%.64s", user, addr);
		} else {
			user[0] = '\0';
		}
	}
	snprintf(akey, sizeof akey, "addr:%.64s", addr);
	if ((wait = throttle_locked(db, akey, STAFF_ADDR_FAILURES, now)) < 0 ||
	    (ukey[0] && (await = throttle_locked(db, ukey, STAFF_ACCOUNT_FAILURES, now)) < 0) ||
	    (ukey[0] && (nwait = throttle_locked(db, nkey, STAFF_USER_FAILURES, now)) < 0))
		return STAFF_LOGIN_ERROR;
	if (gkey[0] && (trusted = throttle_trusted(db, gkey, now)) < 0)
		return STAFF_LOGIN_ERROR;
	/* Guessing from many addresses, or many names from one, locks them, but not the
	 * name where it is used: only that name's own count there can lock it there. */
	if (trusted)
		wait = 0;
	if (await > wait)
		wait = await;
	if (!trusted && nwait > wait)
		wait = nwait;
	if (wait > 0) {
		if (retry_after)
			*retry_after = wait;
		return STAFF_LOGIN_LOCKED;
	}
	if (user[0]) {
		if ((st = db_stmt(db, sql)) == NULL)
			return STAFF_LOGIN_ERROR;
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			id = sqlite3_column_int64(st, 0);
			snprintf(hash, sizeof hash, "%s", db_col_text(st, 1));
			disabled = sqlite3_column_int(st, 2) != 0;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return STAFF_LOGIN_ERROR;
	}
	/* Untrusted sign-ins share STAFF_CHECK_SLOTS password checks; beyond them the answer
	 * is "try again in a second" at once, so a flood never holds the workers that
	 * signed-in staff are waiting for. */
	if (!trusted && check_slot_take(db, &slot) == 0) {
		if (retry_after)
			*retry_after = 1;
		return STAFF_LOGIN_LOCKED;
	}
	check = id ? hash : dummy_hash();
	ok = check && staff_verify_password(check, password) && id && !disabled;
	check_slot_give(slot);
	if (!ok) {
		if (record_failure(db, ukey, nkey, akey, now) < 0)
			return STAFF_LOGIN_ERROR;
		return STAFF_LOGIN_BAD;
	}
	if (db_begin(db) < 0)
		return STAFF_LOGIN_ERROR;
	if (throttle_clear(db, ukey) < 0 || throttle_trust(db, gkey, now) < 0 ||
	    session_new(db, id, user, now, sid, out) < 0) {
		db_rollback(db);
		sid[0] = '\0';
		memset(out, 0, sizeof *out);
		return STAFF_LOGIN_ERROR;
	}
	rehash(db, id, user, hash, password);
	if (db_commit(db) < 0) {
		sid[0] = '\0';
		memset(out, 0, sizeof *out);
		return STAFF_LOGIN_ERROR;
	}
	return STAFF_LOGIN_OK;
}

int staff_session_get(struct db *db, const char *sid, struct staff_session *out)
{
	static const char sql[] =
	    "SELECT s.staff_id, st.username, s.created, s.seen, s.revoked, st.disabled, st.role"
	    " FROM session s JOIN staff st ON st.id = s.staff_id WHERE s.hash = ?1";
	static const char seen_sql[] = "UPDATE session SET seen = ?2 WHERE hash = ?1 AND seen < ?2";
	char hash[TOKEN_HEX_LEN + 1];
	long long now = staff_now();
	sqlite3_stmt *st;
	int rc, live = 0, revoked = 0;

	memset(out, 0, sizeof *out);
	if (sid == NULL || token_hash_hex(sid, hash) < 0)
		return 0;
	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->staff_id = sqlite3_column_int64(st, 0);
		snprintf(out->username, sizeof out->username, "%s", db_col_text(st, 1));
		out->created = sqlite3_column_int64(st, 2);
		out->seen = sqlite3_column_int64(st, 3);
		revoked = sqlite3_column_int(st, 4) != 0;
		/* an unknown role gets the least rights */
		out->role = staff_role_parse(db_col_text(st, 6)) == STAFF_EDITOR ? STAFF_EDITOR
		                                                                 : STAFF_OFFICE;
		live = !revoked && sqlite3_column_int(st, 5) == 0 &&
		       now - out->seen < STAFF_IDLE_SECONDS &&
		       now - out->created < STAFF_ABSOLUTE_SECONDS && now >= out->created;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (rc == SQLITE_DONE) {
		memset(out, 0, sizeof *out);
		return 0;
	}
	if (!live) {
		memset(out, 0, sizeof *out);
		return revoked ? 0 : (staff_logout(db, hash) < 0 ? -1 : 0);
	}
	memcpy(out->hash, hash, sizeof hash);
	if ((st = db_stmt(db, seen_sql)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	if (db_exec_stmt(st) < 0)
		return -1;
	if (now > out->seen)
		out->seen = now;
	return 1;
}

int staff_logout(struct db *db, const char *hash)
{
	static const char sql[] = "UPDATE session SET revoked = 1 WHERE hash = ?1";
	sqlite3_stmt *st;

	if (hash == NULL || hash[0] == '\0')
		return 0;
	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	return db_exec_stmt(st);
}

int staff_csrf(const unsigned char key[TOKEN_KEY_LEN], const struct staff_session *s,
               char out[TOKEN_CSRF_LEN + 1])
{
	char id[8 + TOKEN_HEX_LEN + 1];

	out[0] = '\0';
	if (s == NULL || s->hash[0] == '\0')
		return -1;
	snprintf(id, sizeof id, "session:%s", s->hash);
	return token_csrf(key, id, out);
}

int staff_csrf_check(const unsigned char key[TOKEN_KEY_LEN], const struct staff_session *s,
                     const char *given)
{
	char id[8 + TOKEN_HEX_LEN + 1];

	if (s == NULL || s->hash[0] == '\0' || given == NULL)
		return 0;
	snprintf(id, sizeof id, "session:%s", s->hash);
	return token_csrf_check(key, id, given);
}

const char *staff_cookie_name(int https)
{
	return https ? "__Host-office" : "office";
}

void staff_cookie(char out[STAFF_COOKIE_MAX], int https, const char *sid)
{
	snprintf(out, STAFF_COOKIE_MAX, "%s=%s; Path=%s; HttpOnly; SameSite=Strict%s%s",
	         staff_cookie_name(https), sid ? sid : "", https ? "/" : "/office/",
	         https ? "; Secure" : "", sid ? "" : "; Max-Age=0");
}
