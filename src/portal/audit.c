#include "audit.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent.h"

static void sha256_hex(const void *p, size_t n, char out[AUDIT_DIGEST_HEX + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, p, n);
	sodium_bin2hex(out, AUDIT_DIGEST_HEX + 1, h, sizeof h);
}

/* Hashes each row of sql as a line: tag, then every column as text (an integer as its
 * decimal digits, NULL as nothing), tab-separated. Returns 0, or -1 on a database error. */
static int hash_rows(struct db *db, crypto_hash_sha256_state *hs, const char *sql, char tag,
                     struct buf *line)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc, i, n;

	if (st == NULL)
		return -1;
	n = sqlite3_column_count(st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_reset(line);
		buf_putc(line, tag);
		for (i = 0; i < n; i++)
			buf_printf(line, "\t%s", db_col_text(st, i));
		buf_putc(line, '\n');
		crypto_hash_sha256_update(hs, (const unsigned char *)buf_str(line), line->len);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE && buf_ok(line) ? 0 : -1;
}

/* The SHA-256 of two tables' rows (hash_rows), as hex in out. */
static int digest_tables(struct db *db, const char *sql1, char tag1, const char *sql2, char tag2,
                         char out[AUDIT_DIGEST_HEX + 1])
{
	crypto_hash_sha256_state hs;
	unsigned char h[crypto_hash_sha256_BYTES];
	struct buf line = BUF_INIT;
	int rc;

	crypto_hash_sha256_init(&hs);
	rc = hash_rows(db, &hs, sql1, tag1, &line) < 0 || hash_rows(db, &hs, sql2, tag2, &line) < 0
	         ? -1
	         : 0;
	buf_free(&line);
	if (rc == 0) {
		crypto_hash_sha256_final(&hs, h);
		sodium_bin2hex(out, AUDIT_DIGEST_HEX + 1, h, sizeof h);
	}
	return rc;
}

int audit_roster_digest(struct db *db, char out[AUDIT_DIGEST_HEX + 1])
{
	static const char families_sql[] =
	    "SELECT id, ref, carers, coalesce(left_on, '-') FROM family ORDER BY id";
	static const char children_sql[] =
	    "SELECT id, family_id, ref, first_name, last_name, class, coalesce(left_on, '-')"
	    " FROM child ORDER BY id";

	return digest_tables(db, families_sql, 'f', children_sql, 'c', out);
}

int audit_catalog_digest(struct db *db, char out[AUDIT_DIGEST_HEX + 1])
{
	static const char documents_sql[] =
	    "SELECT id, slug, version, lang, sha256, resign, title, declaration FROM document"
	    " ORDER BY id";
	static const char purposes_sql[] = "SELECT id, basis, position FROM purpose ORDER BY id";

	return digest_tables(db, documents_sql, 'd', purposes_sql, 'p', out);
}

int audit_catalog_record(struct db *db)
{
	static const char last_sql[] =
	    "SELECT data FROM event WHERE kind = 'sync' ORDER BY id DESC LIMIT 1";
	struct db_event e = {.kind = "sync", .channel = "system"};
	char digest[AUDIT_DIGEST_HEX + 1], data[16 + AUDIT_DIGEST_HEX], last[16 + AUDIT_DIGEST_HEX];
	sqlite3_stmt *st = db_stmt(db, last_sql);
	int rc;

	if (st == NULL || audit_catalog_digest(db, digest) < 0)
		return -1;
	last[0] = '\0';
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(last, sizeof last, "%s", db_col_text(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	snprintf(data, sizeof data, "catalog-sha256=%s", digest);
	if (strcmp(last, data) == 0)
		return 0;
	e.detail = "the signable documents and photo purposes as synced";
	e.data = data;
	return db_event_append(db, &e) < 0 ? -1 : 0;
}

void audit_secret_data(struct buf *out, const char *name, const void *value, size_t len)
{
	char hex[AUDIT_DIGEST_HEX + 1];

	sha256_hex(value, len, hex);
	buf_printf(out, "secret=%s sha256=%s", name, hex);
}

void audit_pwhash_data(struct buf *out, const char *pwhash)
{
	char hex[AUDIT_DIGEST_HEX + 1];

	sha256_hex(pwhash, strlen(pwhash), hex);
	buf_printf(out, "pwhash-sha256=%s", hex);
}

int audit_baseline(struct db *db)
{
	static const char tokens_sql[] =
	    "SELECT family_id, hash, issued_at, coalesce(revoked_at, '-') FROM token ORDER BY id";
	static const char staff_sql[] =
	    "SELECT username, disabled, pwhash, role FROM staff ORDER BY id";
	static const char secrets_sql[] = "SELECT name, value FROM secret ORDER BY name";
	struct db_event e = {.kind = "baseline", .channel = "system"};
	char digest[AUDIT_DIGEST_HEX + 1];
	struct buf data = BUF_INIT;
	sqlite3_stmt *st;
	int rc = -1, step;

	if (audit_roster_digest(db, digest) < 0)
		return -1;
	buf_printf(&data, "roster-sha256=%s\n", digest);
	if ((st = db_stmt(db, staff_sql)) == NULL)
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		buf_printf(&data, "staff %s disabled=%d role=%s ", db_col_text(st, 0),
		           sqlite3_column_int(st, 1), db_col_text(st, 3));
		audit_pwhash_data(&data, db_col_text(st, 2));
		buf_putc(&data, '\n');
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE || (st = db_stmt(db, secrets_sql)) == NULL)
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		buf_puts(&data, "secret ");
		audit_secret_data(&data, db_col_text(st, 0), sqlite3_column_blob(st, 1),
		                  (size_t)sqlite3_column_bytes(st, 1));
		buf_putc(&data, '\n');
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE || (st = db_stmt(db, tokens_sql)) == NULL)
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		buf_printf(&data, "token %lld %s %s %s\n", sqlite3_column_int64(st, 0),
		           db_col_text(st, 1), db_col_text(st, 2), db_col_text(st, 3));
	sqlite3_reset(st);
	if (step != SQLITE_DONE || !buf_ok(&data))
		goto out;
	e.detail = "the tables as they were when the database was upgraded to event-v2";
	e.data = buf_str(&data);
	rc = db_event_append(db, &e) < 0 ? -1 : 0;
out:
	buf_free(&data);
	return rc;
}

/* --- Rebuilding --- */

/* The columns are typed as the main tables' are: a comparison between an INTEGER column
 * and one with no affinity cannot use the latter's index, which made each comparison
 * with the main tables a scan per row (minutes at 10,000 families). */
static const char setup_sql[] =
    "CREATE TEMP TABLE IF NOT EXISTS x_answer (child_id INTEGER, purpose TEXT, signer TEXT,"
    " signer_key TEXT, answer TEXT, at TEXT, channel TEXT, staff TEXT, event_id INTEGER,"
    " PRIMARY KEY (child_id, purpose, signer_key));"
    "CREATE TEMP TABLE IF NOT EXISTS x_signature (family_id INTEGER, document_id INTEGER,"
    " signer TEXT, signer_key TEXT, at TEXT, channel TEXT, staff TEXT, event_id INTEGER,"
    " PRIMARY KEY (family_id, document_id, signer_key));"
    "CREATE TEMP TABLE IF NOT EXISTS x_token (seq INTEGER PRIMARY KEY, family_id INTEGER,"
    " hash TEXT, issued_at TEXT, revoked_at TEXT);"
    "CREATE INDEX IF NOT EXISTS temp.x_token_family ON x_token (family_id);"
    "CREATE TEMP TABLE IF NOT EXISTS x_staff (username PRIMARY KEY, disabled, digest,"
    "  role DEFAULT 'office');"
    "CREATE TEMP TABLE IF NOT EXISTS x_secret (name PRIMARY KEY, digest);"
    "DELETE FROM x_answer; DELETE FROM x_signature; DELETE FROM x_token; DELETE FROM x_staff;"
    " DELETE FROM x_secret;";

struct replay {
	struct db *db;
	struct buf *out;
	int problems;
	char roster[AUDIT_DIGEST_HEX + 1]; /* the last recorded roster digest, "" none */
	long long roster_event;
	char catalog[AUDIT_DIGEST_HEX + 1]; /* the last recorded catalog digest, "" none */
	long long catalog_event;
	int purged; /* a purge event was seen */
	/* The withdrawal being replayed: its carers' keys, each with its NUL. */
	char wd_detail[64], wd_purpose[64];
	long long wd_child;
	struct buf wd_keys;
	const char *wd_next;
};

static int run(sqlite3_stmt *st)
{
	return db_exec_stmt(st);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* The value after "key=" in data ("" when absent), into out (out_len bytes). */
static void data_get(const char *data, const char *key, char *out, size_t out_len)
{
	size_t k = strlen(key);
	const char *p = data;

	out[0] = '\0';
	while (p && *p) {
		if (strncmp(p, key, k) == 0 && p[k] == '=') {
			size_t n = strcspn(p + k + 1, " \n");
			snprintf(out, out_len, "%.*s", (int)n, p + k + 1);
			return;
		}
		p += strcspn(p, " \n");
		p += strspn(p, " \n");
	}
}

/* One answer of a carer (the event's columns: id 0, at 1, signer 8, channel 9, staff 10)
 * for child and purpose. */
static int replay_answer_of(struct replay *x, sqlite3_stmt *ev, long long child,
                            const char *purpose, const char *answer)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO x_answer VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	char show[CONSENT_NAME_MAX + 1], key[CONSENT_NAME_MAX + 1];
	sqlite3_stmt *st;

	if (sqlite3_column_type(ev, 8) == SQLITE_NULL)
		return 0; /* purged: its rows went with the family */
	if (consent_signer_key(db_col_text(ev, 8), show, key) != CONSENT_NAME_OK) {
		buf_printf(x->out, "event %lld: a carer's name the portal would refuse\n",
		           sqlite3_column_int64(ev, 0));
		x->problems++;
		return 0;
	}
	if ((st = db_stmt(x->db, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, child);
	bind_opt(st, 2, purpose);
	sqlite3_bind_text(st, 3, show, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, key, -1, SQLITE_TRANSIENT);
	bind_opt(st, 5, answer);
	bind_opt(st, 6, (const char *)sqlite3_column_text(ev, 1));
	bind_opt(st, 7, (const char *)sqlite3_column_text(ev, 9));
	bind_opt(st, 8, (const char *)sqlite3_column_text(ev, 10));
	sqlite3_bind_int64(st, 9, sqlite3_column_int64(ev, 0));
	return run(st);
}

static int replay_answer(struct replay *x, sqlite3_stmt *ev)
{
	return replay_answer_of(x, ev, sqlite3_column_int64(ev, 4),
	                        (const char *)sqlite3_column_text(ev, 5),
	                        (const char *)sqlite3_column_text(ev, 6));
}

/* A withdrawal turned each carer's yes into no, one event each, the carers in order of
 * their keys (consent_withdraw): the events of one withdrawal share the detail, child
 * and purpose. */
static int replay_withdraw(struct replay *x, sqlite3_stmt *ev)
{
	static const char keys_sql[] =
	    "SELECT signer_key FROM x_answer WHERE child_id = ?1 AND purpose = ?2"
	    " AND answer = 'yes' ORDER BY signer_key";
	static const char update_sql[] =
	    "UPDATE x_answer SET answer = 'no', at = ?4, channel = 'qr', staff = NULL,"
	    " event_id = ?5 WHERE child_id = ?1 AND purpose = ?2 AND signer_key = ?3";
	long long child = sqlite3_column_int64(ev, 4);
	const char *purpose = db_col_text(ev, 5), *detail = db_col_text(ev, 11);
	sqlite3_stmt *st;
	int rc;

	if (child != x->wd_child || strcmp(purpose, x->wd_purpose) != 0 ||
	    strcmp(detail, x->wd_detail) != 0) {
		x->wd_child = child;
		snprintf(x->wd_purpose, sizeof x->wd_purpose, "%s", purpose);
		snprintf(x->wd_detail, sizeof x->wd_detail, "%s", detail);
		buf_reset(&x->wd_keys);
		if ((st = db_stmt(x->db, keys_sql)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, child);
		sqlite3_bind_text(st, 2, purpose, -1, SQLITE_TRANSIENT);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			buf_put(&x->wd_keys, db_col_text(st, 0), strlen(db_col_text(st, 0)) + 1);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE || !buf_ok(&x->wd_keys))
			return -1;
		x->wd_next = x->wd_keys.len ? buf_str(&x->wd_keys) : NULL;
	}
	if (x->wd_next == NULL || x->wd_next >= buf_str(&x->wd_keys) + x->wd_keys.len)
		return 0; /* a purged carer's */
	if ((st = db_stmt(x->db, update_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, child);
	sqlite3_bind_text(st, 2, purpose, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, x->wd_next, -1, SQLITE_TRANSIENT);
	bind_opt(st, 4, (const char *)sqlite3_column_text(ev, 1));
	sqlite3_bind_int64(st, 5, sqlite3_column_int64(ev, 0));
	x->wd_next += strlen(x->wd_next) + 1;
	return run(st);
}

/* One signature of document doc by the event's carer (columns as replay_answer_of's;
 * family_id 3). */
static int replay_sign_of(struct replay *x, sqlite3_stmt *ev, long long doc)
{
	static const char sql[] =
	    "INSERT OR IGNORE INTO x_signature VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	char show[CONSENT_NAME_MAX + 1], key[CONSENT_NAME_MAX + 1];
	sqlite3_stmt *st;

	if (sqlite3_column_type(ev, 8) == SQLITE_NULL)
		return 0;
	if (consent_signer_key(db_col_text(ev, 8), show, key) != CONSENT_NAME_OK) {
		buf_printf(x->out, "event %lld: a carer's name the portal would refuse\n",
		           sqlite3_column_int64(ev, 0));
		x->problems++;
		return 0;
	}
	if ((st = db_stmt(x->db, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sqlite3_column_int64(ev, 3));
	sqlite3_bind_int64(st, 2, doc);
	sqlite3_bind_text(st, 3, show, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, key, -1, SQLITE_TRANSIENT);
	bind_opt(st, 5, (const char *)sqlite3_column_text(ev, 1));
	bind_opt(st, 6, (const char *)sqlite3_column_text(ev, 9));
	bind_opt(st, 7, (const char *)sqlite3_column_text(ev, 10));
	sqlite3_bind_int64(st, 8, sqlite3_column_int64(ev, 0));
	return run(st);
}

static int replay_sign(struct replay *x, sqlite3_stmt *ev)
{
	return replay_sign_of(x, ev, sqlite3_column_int64(ev, 7));
}

/* A submission event (consent_record): each entry of its data in order, a signature
 * ["sign", document] or an answer ["answer", child, purpose, "yes"|"no"], as the older
 * form's sign and answer events would have been replayed. Data that is not such a list is
 * reported, not skipped silently. */
static int replay_submission(struct replay *x, sqlite3_stmt *ev)
{
	static const char sql[] =
	    "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),"
	    " json_extract(value, '$[2]'), json_extract(value, '$[3]'),"
	    " type = 'array' AND json_array_length(value) = CASE json_extract(value, '$[0]')"
	    "  WHEN 'sign' THEN 2 WHEN 'answer' THEN 4 ELSE -1 END"
	    " AND json_type(value, '$[1]') = 'integer'"
	    " AND (json_extract(value, '$[0]') = 'sign' OR (json_type(value, '$[2]') = 'text'"
	    "  AND json_extract(value, '$[3]') IN ('yes', 'no')))"
	    " FROM json_each(?1) ORDER BY key";
	static const char valid_sql[] = "SELECT CASE WHEN json_valid(?1) THEN json_type(?1) = 'array' ELSE 0 END";
	const char *data = (const char *)sqlite3_column_text(ev, 12);
	long long id = sqlite3_column_int64(ev, 0);
	sqlite3_stmt *st;
	int rc, r = 0, n = 0;

	if ((st = db_stmt(x->db, valid_sql)) == NULL)
		return -1;
	bind_opt(st, 1, data);
	rc = sqlite3_step(st);
	n = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return -1;
	if (!n) {
		buf_printf(x->out, "event %lld: a submission whose data is not a list of entries\n",
		           id);
		x->problems++;
		return 0;
	}
	if ((st = db_stmt(x->db, sql)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, data, -1, SQLITE_TRANSIENT);
	n = 0;
	while (r >= 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = db_col_text(st, 0);
		n++;
		if (!sqlite3_column_int(st, 4)) {
			buf_printf(x->out, "event %lld: entry %d of the submission is malformed\n",
			           id, n);
			x->problems++;
		} else if (strcmp(kind, "sign") == 0) {
			r = replay_sign_of(x, ev, sqlite3_column_int64(st, 1));
		} else {
			char purpose[128], answer[4];
			snprintf(purpose, sizeof purpose, "%s", db_col_text(st, 2));
			snprintf(answer, sizeof answer, "%s", db_col_text(st, 3));
			r = replay_answer_of(x, ev, sqlite3_column_int64(st, 1), purpose, answer);
		}
	}
	sqlite3_reset(st);
	if (r < 0 || rc != SQLITE_DONE)
		return -1;
	if (n == 0) {
		buf_printf(x->out, "event %lld: a submission with no entries\n", id);
		x->problems++;
	}
	return 0;
}

static int replay_token(struct replay *x, sqlite3_stmt *ev)
{
	static const char revoke_sql[] =
	    "UPDATE x_token SET revoked_at = ?2 WHERE family_id = ?1 AND revoked_at IS NULL";
	static const char insert_sql[] =
	    "INSERT INTO x_token (family_id, hash, issued_at) VALUES (?1, ?2, ?3)";
	char hash[TOKEN_HEX_LEN + 2];
	sqlite3_stmt *st;

	data_get(db_col_text(ev, 12), "hash", hash, sizeof hash);
	if (strcmp(db_col_text(ev, 11), "reissued") == 0) {
		if ((st = db_stmt(x->db, revoke_sql)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, sqlite3_column_int64(ev, 3));
		bind_opt(st, 2, (const char *)sqlite3_column_text(ev, 1));
		if (run(st) < 0)
			return -1;
	}
	if ((st = db_stmt(x->db, insert_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sqlite3_column_int64(ev, 3));
	bind_opt(st, 2, hash[0] ? hash : NULL); /* event-v1: not recorded */
	bind_opt(st, 3, (const char *)sqlite3_column_text(ev, 1));
	return run(st);
}

static int replay_staff(struct replay *x, sqlite3_stmt *ev)
{
	static const char added_sql[] =
	    "INSERT OR REPLACE INTO x_staff (username, disabled, digest) VALUES (?1, 0, ?2)";
	static const char password_sql[] =
	    "UPDATE x_staff SET digest = ?2, disabled = CASE WHEN ?3 THEN 0 ELSE disabled END"
	    " WHERE username = ?1";
	static const char disabled_sql[] = "UPDATE x_staff SET disabled = ?2 WHERE username = ?1";
	static const char role_sql[] = "UPDATE x_staff SET role = ?2 WHERE username = ?1";
	const char *detail = db_col_text(ev, 11);
	char digest[AUDIT_DIGEST_HEX + 2];
	sqlite3_stmt *st;

	data_get(db_col_text(ev, 12), "pwhash-sha256", digest, sizeof digest);
	if (strcmp(detail, "added") == 0) {
		if ((st = db_stmt(x->db, added_sql)) == NULL)
			return -1;
		bind_opt(st, 1, (const char *)sqlite3_column_text(ev, 10));
		bind_opt(st, 2, digest[0] ? digest : NULL);
	} else if (strcmp(detail, "password set") == 0 ||
	           strcmp(detail, "password rehashed") == 0) {
		if ((st = db_stmt(x->db, password_sql)) == NULL)
			return -1;
		bind_opt(st, 1, (const char *)sqlite3_column_text(ev, 10));
		bind_opt(st, 2, digest[0] ? digest : NULL);
		sqlite3_bind_int(st, 3, strcmp(detail, "password set") == 0);
	} else if (strcmp(detail, "disabled") == 0 || strcmp(detail, "enabled") == 0) {
		if ((st = db_stmt(x->db, disabled_sql)) == NULL)
			return -1;
		bind_opt(st, 1, (const char *)sqlite3_column_text(ev, 10));
		sqlite3_bind_int(st, 2, strcmp(detail, "disabled") == 0);
	} else if (strncmp(detail, "role ", 5) == 0) {
		if ((st = db_stmt(x->db, role_sql)) == NULL)
			return -1;
		bind_opt(st, 1, (const char *)sqlite3_column_text(ev, 10));
		sqlite3_bind_text(st, 2, detail + 5, -1, SQLITE_TRANSIENT);
	} else {
		return 0;
	}
	return run(st);
}

static int replay_secret(struct replay *x, const char *data)
{
	static const char sql[] = "INSERT OR REPLACE INTO x_secret (name, digest) VALUES (?1, ?2)";
	char name[64], digest[AUDIT_DIGEST_HEX + 2];
	sqlite3_stmt *st;

	data_get(data, "secret", name, sizeof name);
	data_get(data, "sha256", digest, sizeof digest);
	if (name[0] == '\0' || (st = db_stmt(x->db, sql)) == NULL)
		return name[0] == '\0' ? 0 : -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, digest, -1, SQLITE_TRANSIENT);
	return run(st);
}

/* A baseline: the token, staff and secret tables as they were, one fact a line. */
static int replay_baseline(struct replay *x, sqlite3_stmt *ev)
{
	static const char clear_sql[] =
	    "DELETE FROM x_token; DELETE FROM x_staff; DELETE FROM x_secret;";
	static const char token_sql[] =
	    "INSERT INTO x_token (family_id, hash, issued_at, revoked_at)"
	    " VALUES (?1, ?2, ?3, ?4)";
	static const char staff_sql[] =
	    "INSERT OR REPLACE INTO x_staff (username, disabled, digest, role)"
	    " VALUES (?1, ?2, ?3, ?4)";
	const char *p = db_col_text(ev, 12);
	char line[512];

	if (sqlite3_exec(db_sqlite(x->db), clear_sql, NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	while (*p) {
		size_t n = strcspn(p, "\n");
		snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1),
		         p);
		p += n + (p[n] == '\n');
		if (strncmp(line, "roster-sha256=", 14) == 0) {
			snprintf(x->roster, sizeof x->roster, "%.64s", line + 14);
			x->roster_event = sqlite3_column_int64(ev, 0);
		} else if (strncmp(line, "secret ", 7) == 0) {
			if (replay_secret(x, line + 7) < 0)
				return -1;
		} else if (strncmp(line, "staff ", 6) == 0) {
			char user[128], digest[AUDIT_DIGEST_HEX + 2], dis[4], role[16];
			sqlite3_stmt *st = db_stmt(x->db, staff_sql);
			size_t u = strcspn(line + 6, " ");
			if (st == NULL)
				return -1;
			snprintf(user, sizeof user, "%.*s", (int)u, line + 6);
			data_get(line, "disabled", dis, sizeof dis);
			data_get(line, "pwhash-sha256", digest, sizeof digest);
			data_get(line, "role", role, sizeof role);
			sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(st, 2, atoi(dis));
			sqlite3_bind_text(st, 3, digest, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 4, role[0] ? role : "office", -1, SQLITE_TRANSIENT);
			if (run(st) < 0)
				return -1;
		} else if (strncmp(line, "token ", 6) == 0) {
			char hash[80], issued[32], revoked[32];
			long long fam;
			sqlite3_stmt *st = db_stmt(x->db, token_sql);
			if (st == NULL)
				return -1;
			if (sscanf(line + 6, "%lld %79s %31s %31s", &fam, hash, issued, revoked) !=
			    4)
				continue;
			sqlite3_bind_int64(st, 1, fam);
			sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 3, issued, -1, SQLITE_TRANSIENT);
			bind_opt(st, 4, strcmp(revoked, "-") == 0 ? NULL : revoked);
			if (run(st) < 0)
				return -1;
		}
	}
	return 0;
}

static int replay(struct replay *x)
{
	static const char events_sql[] =
	    "SELECT id, at, kind, family_id, child_id, purpose, answer, document_id, signer,"
	    " channel, staff, detail, data FROM event ORDER BY id";
	static const char move_sql[] = "DELETE FROM x_answer WHERE child_id = ?1";
	sqlite3_stmt *ev = db_stmt(x->db, events_sql), *st;
	int rc = SQLITE_DONE, r = 0;

	if (ev == NULL)
		return -1;
	while (r >= 0 && (rc = sqlite3_step(ev)) == SQLITE_ROW) {
		const char *kind = db_col_text(ev, 2), *data = db_col_text(ev, 12);
		char digest[AUDIT_DIGEST_HEX + 2];
		if (strcmp(kind, "answer") == 0) {
			r = replay_answer(x, ev);
		} else if (strcmp(kind, "withdraw") == 0) {
			r = replay_withdraw(x, ev);
		} else if (strcmp(kind, "sign") == 0) {
			r = replay_sign(x, ev);
		} else if (strcmp(kind, "submission") == 0) {
			r = replay_submission(x, ev);
		} else if (strcmp(kind, "move") == 0) {
			if ((st = db_stmt(x->db, move_sql)) == NULL) {
				r = -1;
				break;
			}
			sqlite3_bind_int64(st, 1, sqlite3_column_int64(ev, 4));
			r = run(st);
		} else if (strcmp(kind, "token") == 0) {
			r = replay_token(x, ev);
		} else if (strcmp(kind, "staff") == 0) {
			r = replay_staff(x, ev);
		} else if (strcmp(kind, "secret") == 0) {
			r = replay_secret(x, data);
		} else if (strcmp(kind, "baseline") == 0) {
			r = replay_baseline(x, ev);
		}
		if (strcmp(kind, "purge") == 0)
			x->purged = 1;
		if (strcmp(kind, "sync") == 0) {
			data_get(data, "catalog-sha256", digest, sizeof digest);
			snprintf(x->catalog, sizeof x->catalog, "%.64s", digest);
			x->catalog_event = sqlite3_column_int64(ev, 0);
		}
		if (strcmp(kind, "import") == 0 || strcmp(kind, "purge") == 0) {
			data_get(data, "roster-sha256", digest, sizeof digest);
			if (digest[0]) {
				snprintf(x->roster, sizeof x->roster, "%.64s", digest);
				x->roster_event = sqlite3_column_int64(ev, 0);
			}
		}
	}
	sqlite3_reset(ev);
	return r < 0 || rc != SQLITE_DONE ? -1 : 0;
}

/* --- Comparing --- */

/* A purge deletes the rows of families and children that left: expected rows of a family
 * or child that is no longer in the (digest-checked) roster go, when a purge happened. */
static const char purged_sql[] =
    "DELETE FROM x_answer WHERE child_id NOT IN (SELECT id FROM main.child);"
    "DELETE FROM x_signature WHERE family_id NOT IN (SELECT id FROM main.family);"
    "DELETE FROM x_token WHERE family_id NOT IN (SELECT id FROM main.family);";

static int compare_answers(struct replay *x)
{
	static const char diff_sql[] =
	    "SELECT x.child_id, x.purpose, x.signer_key, x.answer, x.signer, x.at, x.channel,"
	    " coalesce(x.staff, '-'), x.event_id, a.child_id IS NULL, a.answer, a.signer, a.at,"
	    " a.channel, coalesce(a.staff, '-'), a.event_id"
	    " FROM x_answer x LEFT JOIN main.answer a ON a.child_id = x.child_id"
	    "  AND a.purpose = x.purpose AND a.signer_key = x.signer_key"
	    " WHERE a.child_id IS NULL OR typeof(a.child_id) <> 'integer'"
	    "  OR typeof(a.event_id) <> 'integer' OR a.answer IS NOT x.answer"
	    "  OR a.signer IS NOT x.signer OR a.at IS NOT x.at OR a.channel IS NOT x.channel"
	    "  OR a.staff IS NOT x.staff OR a.event_id IS NOT x.event_id"
	    " ORDER BY x.child_id, x.purpose, x.signer_key";
	static const char extra_sql[] =
	    "SELECT a.child_id, a.purpose, a.signer_key, a.answer, a.signer, a.event_id"
	    " FROM main.answer a WHERE NOT EXISTS (SELECT 1 FROM x_answer x"
	    "  WHERE x.child_id = a.child_id AND x.purpose = a.purpose"
	    "  AND x.signer_key = a.signer_key AND typeof(a.child_id) = 'integer')"
	    " ORDER BY a.rowid";
	sqlite3_stmt *st = db_stmt(x->db, diff_sql);
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_printf(x->out,
		           "answer (child %lld, %s, carer '%s'): expected %s by %s at %s via %s "
		           "(staff %s, event %lld), found ",
		           sqlite3_column_int64(st, 0), db_col_text(st, 1), db_col_text(st, 2),
		           db_col_text(st, 3), db_col_text(st, 4), db_col_text(st, 5),
		           db_col_text(st, 6), db_col_text(st, 7), sqlite3_column_int64(st, 8));
		if (sqlite3_column_int(st, 9))
			buf_puts(x->out, "no row\n");
		else
			buf_printf(x->out, "%s by %s at %s via %s (staff %s, event %s)\n",
			           db_col_text(st, 10), db_col_text(st, 11), db_col_text(st, 12),
			           db_col_text(st, 13), db_col_text(st, 14), db_col_text(st, 15));
		x->problems++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || (st = db_stmt(x->db, extra_sql)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_printf(x->out,
		           "answer (child %s, %s, carer '%s'): expected no row, found %s by %s "
		           "(event %s), which no event wrote\n",
		           db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2),
		           db_col_text(st, 3), db_col_text(st, 4), db_col_text(st, 5));
		x->problems++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int compare_signatures(struct replay *x)
{
	static const char diff_sql[] =
	    "SELECT x.family_id, x.document_id, x.signer_key, x.signer, x.at, x.channel,"
	    " coalesce(x.staff, '-'), x.event_id, s.family_id IS NULL, s.signer, s.at, s.channel,"
	    " coalesce(s.staff, '-'), s.event_id"
	    " FROM x_signature x LEFT JOIN main.signature s ON s.family_id = x.family_id"
	    "  AND s.document_id = x.document_id AND s.signer_key = x.signer_key"
	    " WHERE s.family_id IS NULL OR typeof(s.family_id) <> 'integer'"
	    "  OR typeof(s.document_id) <> 'integer' OR typeof(s.event_id) <> 'integer'"
	    "  OR s.signer IS NOT x.signer OR s.at IS NOT x.at OR s.channel IS NOT x.channel"
	    "  OR s.staff IS NOT x.staff OR s.event_id IS NOT x.event_id"
	    " ORDER BY x.family_id, x.document_id, x.signer_key";
	static const char extra_sql[] =
	    "SELECT s.family_id, s.document_id, s.signer_key, s.signer, s.event_id"
	    " FROM main.signature s WHERE NOT EXISTS (SELECT 1 FROM x_signature x"
	    "  WHERE x.family_id = s.family_id AND x.document_id = s.document_id"
	    "  AND x.signer_key = s.signer_key AND typeof(s.family_id) = 'integer')"
	    " ORDER BY s.rowid";
	sqlite3_stmt *st = db_stmt(x->db, diff_sql);
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_printf(x->out,
		           "signature (family %lld, document %lld, carer '%s'): expected signed by "
		           "%s at %s via %s (staff %s, event %lld), found ",
		           sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		           db_col_text(st, 2), db_col_text(st, 3), db_col_text(st, 4),
		           db_col_text(st, 5), db_col_text(st, 6), sqlite3_column_int64(st, 7));
		if (sqlite3_column_int(st, 8))
			buf_puts(x->out, "no row\n");
		else
			buf_printf(x->out, "signed by %s at %s via %s (staff %s, event %s)\n",
			           db_col_text(st, 9), db_col_text(st, 10), db_col_text(st, 11),
			           db_col_text(st, 12), db_col_text(st, 13));
		x->problems++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || (st = db_stmt(x->db, extra_sql)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_printf(x->out,
		           "signature (family %s, document %s, carer '%s'): expected no row, found "
		           "one signed by %s (event %s), which no event wrote\n",
		           db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2),
		           db_col_text(st, 3), db_col_text(st, 4));
		x->problems++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int compare_tokens(struct replay *x)
{
	static const char diff_sql[] =
	    "SELECT x.family_id, x.hash, x.issued_at, coalesce(x.revoked_at, 'live'),"
	    " t.id IS NULL, t.family_id, t.issued_at, coalesce(t.revoked_at, 'live')"
	    " FROM x_token x LEFT JOIN main.token t ON t.hash = x.hash"
	    " WHERE x.hash IS NOT NULL AND (t.id IS NULL OR typeof(t.family_id) <> 'integer'"
	    "  OR t.family_id IS NOT x.family_id OR t.issued_at IS NOT x.issued_at"
	    "  OR t.revoked_at IS NOT x.revoked_at)"
	    " ORDER BY x.seq";
	static const char extra_sql[] =
	    "SELECT t.family_id, t.hash, coalesce(t.revoked_at, 'live') FROM main.token t"
	    " WHERE NOT EXISTS (SELECT 1 FROM x_token x WHERE x.hash = t.hash)"
	    " AND NOT EXISTS (SELECT 1 FROM x_token x WHERE x.hash IS NULL)"
	    " ORDER BY t.id";
	sqlite3_stmt *st = db_stmt(x->db, diff_sql);
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_printf(x->out, "token %.16s... (family %lld): expected issued %s, %s, found ",
		           db_col_text(st, 1), sqlite3_column_int64(st, 0), db_col_text(st, 2),
		           db_col_text(st, 3));
		if (sqlite3_column_int(st, 4))
			buf_puts(x->out, "no row\n");
		else
			buf_printf(x->out, "family %s, issued %s, %s\n", db_col_text(st, 5),
			           db_col_text(st, 6), db_col_text(st, 7));
		x->problems++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || (st = db_stmt(x->db, extra_sql)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_printf(x->out,
		           "token %.16s... (family %s): expected no row, found one (%s) that no "
		           "event issued\n",
		           db_col_text(st, 1), db_col_text(st, 0), db_col_text(st, 2));
		x->problems++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int compare_staff(struct replay *x)
{
	static const char rows_sql[] =
	    "SELECT s.username, s.disabled, s.pwhash, x.username IS NULL, x.disabled, x.digest,"
	    " s.role, x.role"
	    " FROM main.staff s LEFT JOIN x_staff x ON x.username = s.username ORDER BY s.id";
	static const char missing_sql[] =
	    "SELECT username FROM x_staff WHERE username NOT IN (SELECT username FROM main.staff)";
	sqlite3_stmt *st = db_stmt(x->db, rows_sql);
	char digest[AUDIT_DIGEST_HEX + 1];
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *user = db_col_text(st, 0);
		if (sqlite3_column_int(st, 3)) {
			buf_printf(x->out,
			           "staff %s: expected no account, found one that no event "
			           "added\n",
			           user);
			x->problems++;
			continue;
		}
		if (sqlite3_column_type(st, 1) != SQLITE_INTEGER ||
		    sqlite3_column_int(st, 1) != sqlite3_column_int(st, 4)) {
			buf_printf(x->out, "staff %s: expected %s, found %s\n", user,
			           sqlite3_column_int(st, 4) ? "disabled" : "enabled",
			           sqlite3_column_int(st, 1) ? "disabled" : "enabled");
			x->problems++;
		}
		if (strcmp(db_col_text(st, 6), db_col_text(st, 7)) != 0) {
			buf_printf(x->out, "staff %s: expected role %s, found %s\n", user,
			           db_col_text(st, 7), db_col_text(st, 6));
			x->problems++;
		}
		sha256_hex(db_col_text(st, 2), strlen(db_col_text(st, 2)), digest);
		if (sqlite3_column_type(st, 5) != SQLITE_NULL && db_col_text(st, 5)[0] &&
		    strcmp(digest, db_col_text(st, 5)) != 0) {
			buf_printf(x->out,
			           "staff %s: expected the password hash with SHA-256 "
			           "%.16s..., found %.16s...: it was changed without an event\n",
			           user, db_col_text(st, 5), digest);
			x->problems++;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || (st = db_stmt(x->db, missing_sql)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_printf(x->out, "staff %s: expected an account, found none\n",
		           db_col_text(st, 0));
		x->problems++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int compare_secrets(struct replay *x)
{
	static const char rows_sql[] = "SELECT s.name, s.value, x.digest FROM main.secret s"
	                               " LEFT JOIN x_secret x ON x.name = s.name ORDER BY s.name";
	static const char missing_sql[] =
	    "SELECT name FROM x_secret WHERE name NOT IN (SELECT name FROM main.secret)";
	sqlite3_stmt *st = db_stmt(x->db, rows_sql);
	char digest[AUDIT_DIGEST_HEX + 1];
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sha256_hex(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), digest);
		if (sqlite3_column_type(st, 2) == SQLITE_NULL) {
			buf_printf(x->out,
			           "secret %s: expected none, found one that no event made\n",
			           db_col_text(st, 0));
			x->problems++;
		} else if (sqlite3_column_type(st, 1) != SQLITE_BLOB ||
		           strcmp(digest, db_col_text(st, 2)) != 0) {
			buf_printf(x->out,
			           "secret %s: expected the value with SHA-256 %.16s..., "
			           "found %.16s...\n",
			           db_col_text(st, 0), db_col_text(st, 2), digest);
			x->problems++;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || (st = db_stmt(x->db, missing_sql)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_printf(x->out, "secret %s: expected one, found none\n", db_col_text(st, 0));
		x->problems++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Tables proven by a digest that an event recorded (the roster by imports and purges, the
 * catalog by syncs): today's digest must be the recorded one. */
struct digested {
	const char *tables;  /* as named in a problem: "family, child" */
	const char *any_sql; /* how many rows they hold */
	int (*digest)(struct db *, char *);
	const char *none;    /* why no rows were expected */
	const char *name;    /* what the digest is of: "roster" */
	const char *changed; /* what a mismatch means */
};

static const struct digested roster_digest = {
    "family, child",
    "SELECT (SELECT count(*) FROM family) + (SELECT count(*) FROM child)",
    audit_roster_digest,
    "no import recorded the roster",
    "roster",
    "a family or child was changed, added or removed without an import or purge"};
static const struct digested catalog_digest = {
    "document, purpose",
    "SELECT (SELECT count(*) FROM document) + (SELECT count(*) FROM purpose)",
    audit_catalog_digest,
    "no sync recorded them",
    "catalog",
    "a document or purpose was changed without a sync"};

static int compare_digest(struct replay *x, const struct digested *d, const char *recorded,
                          long long event)
{
	char now[AUDIT_DIGEST_HEX + 1];
	sqlite3_stmt *st;
	long long rows = 0;

	if (d->digest(x->db, now) < 0 || (st = db_stmt(x->db, d->any_sql)) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		rows = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (recorded[0] == '\0') {
		if (rows > 0) {
			buf_printf(x->out, "%s: expected no rows (%s), found some\n", d->tables,
			           d->none);
			x->problems++;
		}
		return 0;
	}
	if (strcmp(now, recorded) != 0) {
		buf_printf(x->out,
		           "%s: expected the %s recorded by event %lld (SHA-256 %.16s...), found "
		           "SHA-256 %.16s...: %s\n",
		           d->tables, d->name, event, recorded, now, d->changed);
		x->problems++;
	}
	return 0;
}

int audit_tables(struct db *db, struct buf *out)
{
	struct replay x;
	int rc = -1;

	memset(&x, 0, sizeof x);
	x.db = db;
	x.out = out;
	x.wd_child = -1;
	if (sqlite3_exec(db_sqlite(db), setup_sql, NULL, NULL, NULL) != SQLITE_OK)
		goto done;
	if (replay(&x) < 0)
		goto done;
	if (x.purged && sqlite3_exec(db_sqlite(db), purged_sql, NULL, NULL, NULL) != SQLITE_OK)
		goto done;
	if (compare_digest(&x, &roster_digest, x.roster, x.roster_event) < 0 ||
	    compare_digest(&x, &catalog_digest, x.catalog, x.catalog_event) < 0 ||
	    compare_answers(&x) < 0 || compare_signatures(&x) < 0 || compare_tokens(&x) < 0 ||
	    compare_staff(&x) < 0 || compare_secrets(&x) < 0)
		goto done;
	rc = x.problems ? 1 : 0;
	if (rc == 0)
		buf_puts(out,
		         "ok: answer, signature, token, staff, secret, family, child, document "
		         "and purpose agree with the event log\n");
done:
	buf_free(&x.wd_keys);
	return rc;
}
