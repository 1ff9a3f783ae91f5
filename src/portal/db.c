#include "db.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The schema, one migration per step; never edit a released step, add a new one. */
static const char *const migrations[] = {
	/* 1: families, children, tokens, signable documents, the event log, current answers,
	 * staff accounts and sessions. */
	"CREATE TABLE family ("
	"  id INTEGER PRIMARY KEY,"
	"  ref TEXT NOT NULL UNIQUE,"
	"  carers TEXT NOT NULL DEFAULT '',"
	"  language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'cy')),"
	"  left_on TEXT"              /* date every child had left; NULL while one attends */
	");"
	"CREATE TABLE child ("
	"  id INTEGER PRIMARY KEY,"
	"  family_id INTEGER NOT NULL REFERENCES family(id),"
	"  ref TEXT NOT NULL UNIQUE,"
	"  first_name TEXT NOT NULL,"
	"  last_name TEXT NOT NULL,"
	"  class TEXT NOT NULL,"
	"  left_on TEXT"              /* date an import first missed the child */
	");"
	"CREATE INDEX child_family ON child(family_id);"
	"CREATE INDEX child_class ON child(class);"
	"CREATE TABLE token ("
	"  id INTEGER PRIMARY KEY,"
	"  family_id INTEGER NOT NULL REFERENCES family(id),"
	"  hash TEXT NOT NULL UNIQUE," /* hex SHA-256 of the token; never the token */
	"  issued_at TEXT NOT NULL,"
	"  revoked_at TEXT"
	");"
	"CREATE INDEX token_family ON token(family_id);"
	/* A signable policy version in one language, from policygen's signable.tsv. */
	"CREATE TABLE document ("
	"  id INTEGER PRIMARY KEY,"
	"  slug TEXT NOT NULL,"
	"  version TEXT NOT NULL,"
	"  lang TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  resign INTEGER NOT NULL,"
	"  title TEXT NOT NULL,"
	"  declaration TEXT NOT NULL,"
	"  UNIQUE (slug, version, lang)"
	");"
	/* Photo purposes from content/consent.yaml. A 'consent' purpose needs a yes; a
	 * 'public_task' one applies unless a carer objects. */
	"CREATE TABLE purpose ("
	"  id TEXT PRIMARY KEY,"
	"  basis TEXT NOT NULL CHECK (basis IN ('consent', 'public_task')),"
	"  position INTEGER NOT NULL"
	");"
	/* The append-only, hash-chained log. No foreign keys: events outlive purged rows. */
	"CREATE TABLE event ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  family_id INTEGER,"
	"  child_id INTEGER,"
	"  purpose TEXT,"
	"  answer TEXT,"
	"  document_id INTEGER,"
	"  signer TEXT,"              /* personal: cleared by purge */
	"  signer_hash TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  staff TEXT,"
	"  detail TEXT,"
	"  prev TEXT NOT NULL,"
	"  hash TEXT NOT NULL"
	");"
	"CREATE INDEX event_family ON event(family_id);"
	"CREATE TRIGGER event_no_delete BEFORE DELETE ON event BEGIN"
	"  SELECT RAISE(ABORT, 'the event log is append-only');"
	"END;"
	"CREATE TRIGGER event_no_update BEFORE UPDATE ON event"
	"  WHEN NOT (NEW.signer IS NULL AND NEW.id = OLD.id AND NEW.at = OLD.at"
	"   AND NEW.kind = OLD.kind AND NEW.family_id IS OLD.family_id"
	"   AND NEW.child_id IS OLD.child_id AND NEW.purpose IS OLD.purpose"
	"   AND NEW.answer IS OLD.answer AND NEW.document_id IS OLD.document_id"
	"   AND NEW.signer_hash = OLD.signer_hash AND NEW.channel = OLD.channel"
	"   AND NEW.staff IS OLD.staff AND NEW.detail IS OLD.detail"
	"   AND NEW.prev = OLD.prev AND NEW.hash = OLD.hash)"
	"BEGIN"
	"  SELECT RAISE(ABORT, 'the event log is append-only');"
	"END;"
	/* Current state, kept in step with the log in the same transaction. */
	"CREATE TABLE signature ("
	"  family_id INTEGER NOT NULL REFERENCES family(id),"
	"  document_id INTEGER NOT NULL REFERENCES document(id),"
	"  signer TEXT NOT NULL,"
	"  signer_key TEXT NOT NULL," /* the name folded, so one carer signs once */
	"  at TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  staff TEXT,"
	"  event_id INTEGER NOT NULL,"
	"  PRIMARY KEY (family_id, document_id, signer_key)"
	");"
	"CREATE TABLE answer ("
	"  child_id INTEGER NOT NULL REFERENCES child(id),"
	"  purpose TEXT NOT NULL REFERENCES purpose(id),"
	"  signer TEXT NOT NULL,"
	"  signer_key TEXT NOT NULL,"
	"  answer TEXT NOT NULL CHECK (answer IN ('yes', 'no')),"
	"  at TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  staff TEXT,"
	"  event_id INTEGER NOT NULL,"
	"  PRIMARY KEY (child_id, purpose, signer_key)"
	");"
	/* The answer that applies to each child and purpose: with several carers the most
	 * restrictive wins. For 'consent', permitted only when someone said yes and nobody
	 * no; for 'public_task', permitted unless someone objected (answered no). */
	"CREATE VIEW effective AS"
	"  SELECT c.id AS child_id, p.id AS purpose, p.basis AS basis,"
	"   (SELECT count(*) FROM answer a WHERE a.child_id = c.id AND a.purpose = p.id) AS answers,"
	"   CASE WHEN EXISTS (SELECT 1 FROM answer a WHERE a.child_id = c.id AND a.purpose = p.id"
	"                      AND a.answer = 'no') THEN 0"
	"        WHEN p.basis = 'public_task' THEN 1"
	"        WHEN EXISTS (SELECT 1 FROM answer a WHERE a.child_id = c.id AND a.purpose = p.id"
	"                      AND a.answer = 'yes') THEN 1"
	"        ELSE 0 END AS permitted,"
	"   (SELECT max(a.at) FROM answer a WHERE a.child_id = c.id AND a.purpose = p.id) AS at"
	"  FROM child c CROSS JOIN purpose p;"
	"CREATE TABLE staff ("
	"  id INTEGER PRIMARY KEY,"
	"  username TEXT NOT NULL UNIQUE,"
	"  pwhash TEXT NOT NULL,"        /* argon2id, libsodium crypto_pwhash_str */
	"  created_at TEXT NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE TABLE session ("
	"  hash TEXT PRIMARY KEY,"       /* hex SHA-256 of the session id in the cookie */
	"  staff_id INTEGER NOT NULL REFERENCES staff(id),"
	"  created INTEGER NOT NULL,"    /* Unix seconds */
	"  seen INTEGER NOT NULL,"
	"  revoked INTEGER NOT NULL DEFAULT 0"
	");"
	/* Failed attempts per key ('login:user', 'addr:1.2.3.4', 'token:1.2.3.4'). */
	"CREATE TABLE throttle ("
	"  key TEXT PRIMARY KEY,"
	"  failures INTEGER NOT NULL,"
	"  window_start INTEGER NOT NULL"
	");"
	/* Secrets made at init (the CSRF key): never printed or logged. */
	"CREATE TABLE secret ("
	"  name TEXT PRIMARY KEY,"
	"  value BLOB NOT NULL"
	");",
	/* 2: who still has to sign or answer; the one definition the portal, the office and
	 * the exports share.
	 *
	 * declaration_status: one row per family and signable policy (slug). `version` is the
	 * policy's current version (the latest in table document); `signed_version` the latest
	 * version any carer of the family signed, in any language (NULL: never). The family
	 * needs to sign (needs_sign = 1) when it never signed, or when it signed an older
	 * version and some newer version up to the current one has resign = 1; sign_again is
	 * 1 in that second case. A signature of an older version still counts while every
	 * newer version has resign = 0. Families that have left are included: filter on
	 * family.left_on.
	 *
	 * photo_missing: one row per current child (left_on NULL) and 'consent' purpose that
	 * no carer has answered. A 'public_task' purpose needs no answer: it applies unless a
	 * carer objects. */
	"CREATE VIEW declaration_status AS"
	"  WITH cur AS (SELECT slug, max(version) AS version FROM document GROUP BY slug),"
	"  signed AS (SELECT s.family_id AS family_id, d.slug AS slug, max(d.version) AS version"
	"   FROM signature s JOIN document d ON d.id = s.document_id"
	"   GROUP BY s.family_id, d.slug),"
	"  st AS (SELECT f.id AS family_id, cur.slug AS slug, cur.version AS version,"
	"   signed.version AS signed_version,"
	"   CASE WHEN signed.version IS NULL THEN 1"
	"        WHEN signed.version >= cur.version THEN 0"
	"        WHEN EXISTS (SELECT 1 FROM document d WHERE d.slug = cur.slug"
	"                      AND d.version > signed.version AND d.resign = 1) THEN 1"
	"        ELSE 0 END AS needs_sign"
	"   FROM family f CROSS JOIN cur"
	"   LEFT JOIN signed ON signed.family_id = f.id AND signed.slug = cur.slug)"
	"  SELECT family_id, slug, version, signed_version, needs_sign,"
	"   (needs_sign AND signed_version IS NOT NULL) AS sign_again FROM st;"
	"CREATE VIEW photo_missing AS"
	"  SELECT c.family_id AS family_id, c.id AS child_id, p.id AS purpose,"
	"   p.position AS position"
	"  FROM child c CROSS JOIN purpose p"
	"  WHERE c.left_on IS NULL AND p.basis = 'consent'"
	"   AND NOT EXISTS (SELECT 1 FROM answer a WHERE a.child_id = c.id AND a.purpose = p.id);",
	/* 3: declaration_status, the same rows as step 2's, computed per family: each row's
	 * signed_version is a subquery over that family's own signatures (the primary key's
	 * prefix), where step 2 grouped every signature of every family first. A look-up for
	 * one family (the family page, each row of the outstanding export) no longer reads the
	 * whole table: 8 ms to 0.2 ms at 10,000 families (bench/PORTAL.md). */
	"DROP VIEW declaration_status;"
	"CREATE VIEW declaration_status AS"
	"  WITH cur AS (SELECT slug, max(version) AS version FROM document GROUP BY slug),"
	"  st AS (SELECT f.id AS family_id, cur.slug AS slug, cur.version AS version,"
	"   (SELECT max(d.version) FROM signature s JOIN document d ON d.id = s.document_id"
	"    WHERE s.family_id = f.id AND d.slug = cur.slug) AS signed_version"
	"   FROM family f CROSS JOIN cur),"
	"  ns AS (SELECT family_id, slug, version, signed_version,"
	"   CASE WHEN signed_version IS NULL THEN 1"
	"        WHEN signed_version >= version THEN 0"
	"        WHEN EXISTS (SELECT 1 FROM document d WHERE d.slug = st.slug"
	"                      AND d.version > st.signed_version AND d.resign = 1) THEN 1"
	"        ELSE 0 END AS needs_sign"
	"   FROM st)"
	"  SELECT family_id, slug, version, signed_version, needs_sign,"
	"   (needs_sign AND signed_version IS NOT NULL) AS sign_again FROM ns;",
	/* 4: the once-only value of each confirmed answer form, so a second tap on Confirm
	 * gives back the first submission's reference instead of recording it again. */
	"CREATE TABLE once ("
	"  family_id INTEGER NOT NULL,"
	"  nonce TEXT NOT NULL,"
	"  ref TEXT NOT NULL,"
	"  PRIMARY KEY (family_id, nonce)"
	") WITHOUT ROWID;",
	/* 5: the office's search index (search.h; filled by consentctl init and rebuilt by
	 * every import and purge) and exports uploaded in the office waiting for their
	 * confirmation. (The key that derives family references from a primary contact is
	 * made by consentctl init with the CSRF key, each with its `secret` event.) */
	"CREATE VIRTUAL TABLE family_fts USING fts5(body,"
	"  tokenize = 'unicode61 remove_diacritics 2');"
	"CREATE TABLE upload ("
	"  hash TEXT PRIMARY KEY,"       /* hex SHA-256 of the once-only value in the form */
	"  staff TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"        /* of the file, for the import event */
	"  data BLOB NOT NULL,"
	"  allow_leavers INTEGER NOT NULL,"
	"  created INTEGER NOT NULL"     /* Unix seconds */
	");",
	/* 6: event-v2 (docs/evidence.md). `v` is the hashing version of each event: NULL for
	 * the events written before this step (event-v1, still verified as they were), 2 for
	 * every later one, whose hash is over a type-strict encoding of its columns. `salt`
	 * is a per-event random value: a v2 event's signer_hash is SHA-256(salt, signer), so
	 * once purge has deleted both the name and the salt, the name cannot be recovered by
	 * guessing. `data` holds facts a v2 event proves about the tables (the hash of a token
	 * issued, the digest of a staff password hash), inside the event's hash. The update
	 * trigger allows only purge's clearing of signer and salt. */
	"ALTER TABLE event ADD COLUMN v INTEGER;"
	"ALTER TABLE event ADD COLUMN salt TEXT;"
	"ALTER TABLE event ADD COLUMN data TEXT;"
	"DROP TRIGGER event_no_update;"
	"CREATE TRIGGER event_no_update BEFORE UPDATE ON event"
	"  WHEN NOT ((NEW.signer IS NULL OR NEW.signer IS OLD.signer)"
	"   AND (NEW.salt IS NULL OR NEW.salt IS OLD.salt)"
	"   AND NEW.id IS OLD.id AND NEW.at IS OLD.at"
	"   AND NEW.kind IS OLD.kind AND NEW.family_id IS OLD.family_id"
	"   AND NEW.child_id IS OLD.child_id AND NEW.purpose IS OLD.purpose"
	"   AND NEW.answer IS OLD.answer AND NEW.document_id IS OLD.document_id"
	"   AND NEW.signer_hash IS OLD.signer_hash AND NEW.channel IS OLD.channel"
	"   AND NEW.staff IS OLD.staff AND NEW.detail IS OLD.detail"
	"   AND NEW.prev IS OLD.prev AND NEW.hash IS OLD.hash"
	"   AND NEW.v IS OLD.v AND NEW.data IS OLD.data)"
	"BEGIN"
	"  SELECT RAISE(ABORT, 'the event log is append-only');"
	"END;",
	/* 7: staff roles: 'office' does consent work; 'editor' also publishes policies
	 * from the office pages. Existing accounts stay 'office'. */
	"ALTER TABLE staff ADD COLUMN role TEXT NOT NULL DEFAULT 'office'"
	"  CHECK (role IN ('office', 'editor'));",
	/* 8: the once-only value of each office publishing form and the page it led to, so
	 * a second press of Publish shows the first result instead of publishing again. */
	"CREATE TABLE policy_once ("
	"  nonce TEXT PRIMARY KEY,"
	"  location TEXT NOT NULL,"
	"  staff TEXT NOT NULL,"
	"  at TEXT NOT NULL"
	") WITHOUT ROWID;",
};

#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))
#define DB_MAX_STMTS 192

struct db {
	sqlite3 *h;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} stmts[DB_MAX_STMTS];
	int nstmts;
	struct timespec busy_since; /* when the current wait for a lock began */
	int reads;      /* depth of db_read_begin calls not yet ended */
	int read_owner; /* the outermost db_read_begin opened a transaction still open */
};

int db_schema_version(void)
{
	return NMIGRATIONS;
}

/* SQLite's busy handler: called while another connection holds the lock this one needs,
 * with tries the number of earlier calls for this wait. It sleeps 0.25, 0.25, 0.5, 0.5,
 * 1, 1 ms and then 2 ms between tries, and gives up (SQLITE_BUSY) after DB_BUSY_MS.
 * sqlite3_busy_timeout's own handler sleeps 1, 2, 5, 10, 15, 20, 25 ... 100 ms, so a
 * writer finding the write lock taken for the millisecond of another's commit often
 * slept 5 to 25 ms after it was free: with several sign.fcgi processes that was most of
 * the signing POST's 99th percentile (bench/PORTAL.md). Shorter naps would cut the wait
 * further but cost more CPU in the waiting processes. */
static int busy_wait(void *arg, int tries)
{
	struct db *db = arg;
	struct timespec now, nap = {0, tries < 6 ? 250000L << (tries / 2) : 2000000L};
	long long waited_ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (tries == 0)
		db->busy_since = now;
	waited_ms = (long long)(now.tv_sec - db->busy_since.tv_sec) * 1000 +
		    (now.tv_nsec - db->busy_since.tv_nsec) / 1000000;
	if (waited_ms >= DB_BUSY_MS)
		return 0;
	nanosleep(&nap, NULL);
	return 1;
}

static int exec(struct db *db, const char *sql, struct buf *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		if (err)
			buf_printf(err, "%s\n", msg ? msg : sqlite3_errmsg(db->h));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int db_file_version(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "PRAGMA user_version");
	int v = -1;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	if (st)
		sqlite3_reset(st);
	return v;
}

struct db *db_open(const char *path, enum db_open_mode mode, struct buf *err)
{
	struct db *db = calloc(1, sizeof *db);
	int flags = mode == DB_OPEN_READONLY ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	int version;

	if (db == NULL) {
		buf_puts(err, "out of memory\n");
		return NULL;
	}
	if (mode == DB_OPEN_CREATE)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &db->h, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		buf_printf(err, "%s: cannot open the database: %s%s\n", path, sqlite3_errmsg(db->h),
			   mode == DB_OPEN_CREATE ? "" : " (create it with 'consentctl init')");
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_handler(db->h, busy_wait, db);
	sqlite3_db_config(db->h, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db->h, SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, NULL);
	sqlite3_db_config(db->h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	if (exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;", err) < 0)
		goto fail;
	/* The WAL file is reused, not shrunk: cap what it keeps after a checkpoint. */
	if (mode != DB_OPEN_READONLY &&
	    exec(db, "PRAGMA journal_mode = WAL; PRAGMA journal_size_limit = 16777216;", err) < 0)
		goto fail;
	version = db_file_version(db);
	if (mode != DB_OPEN_CREATE && version < NMIGRATIONS) {
		buf_printf(err, "%s: the database schema is version %d, this program needs %d: "
				"run 'consentctl --db %s init' to upgrade it\n",
			   path, version, NMIGRATIONS, path);
		goto fail;
	}
	if (version > NMIGRATIONS) {
		buf_printf(err, "%s: the database is from a newer version of this program "
				"(schema %d, this program knows %d)\n",
			   path, version, NMIGRATIONS);
		goto fail;
	}
	return db;
fail:
	db_close(db);
	return NULL;
}

void db_close(struct db *db)
{
	int i;

	if (db == NULL)
		return;
	for (i = 0; i < db->nstmts; i++)
		sqlite3_finalize(db->stmts[i].st);
	sqlite3_close(db->h);
	free(db);
}

sqlite3 *db_sqlite(struct db *db)
{
	return db->h;
}

const char *db_errmsg(struct db *db)
{
	return sqlite3_errmsg(db->h);
}

int db_migrate(struct db *db, struct buf *err)
{
	int v = db_file_version(db), applied = 0;
	char sql[64];

	if (v < 0) {
		buf_printf(err, "cannot read the schema version: %s\n", sqlite3_errmsg(db->h));
		return -1;
	}
	for (; v < NMIGRATIONS; v++) {
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d;", v + 1);
		if (exec(db, "BEGIN IMMEDIATE;", err) < 0)
			return -1;
		if (exec(db, migrations[v], err) < 0 || exec(db, sql, err) < 0) {
			buf_printf(err, "migration %d failed; the database is unchanged\n", v + 1);
			exec(db, "ROLLBACK;", NULL);
			return -1;
		}
		if (exec(db, "COMMIT;", err) < 0)
			return -1;
		applied++;
	}
	return applied;
}

sqlite3_stmt *db_stmt(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	int i;

	for (i = 0; i < db->nstmts; i++) {
		if (db->stmts[i].sql == sql) {
			st = db->stmts[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return NULL;
	if (db->nstmts == DB_MAX_STMTS) /* not expected: every statement is a constant */
		return st;
	db->stmts[db->nstmts].sql = sql;
	db->stmts[db->nstmts++].st = st;
	return st;
}

int db_exec_stmt(sqlite3_stmt *st)
{
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Runs one of the constant transaction statements through the statement cache. */
static int exec_cached(struct db *db, const char *sql)
{
	return db_exec_stmt(db_stmt(db, sql));
}

static const char begin_read_sql[] = "BEGIN DEFERRED";
static const char begin_write_sql[] = "BEGIN IMMEDIATE";
static const char commit_sql[] = "COMMIT";

/* Ends the read transaction db_read_begin opened, if it is still open. */
static void end_read(struct db *db)
{
	if (!db->read_owner)
		return;
	db->read_owner = 0;
	if (!sqlite3_get_autocommit(db->h) && exec_cached(db, commit_sql) < 0)
		db_rollback(db);
}

int db_read_begin(struct db *db)
{
	if (db->reads++ > 0 || !sqlite3_get_autocommit(db->h))
		return 0; /* inside one already (ours, or the caller's write) */
	if (exec_cached(db, begin_read_sql) < 0) {
		db->reads--;
		return -1;
	}
	db->read_owner = 1;
	return 0;
}

void db_read_end(struct db *db)
{
	if (db->reads == 0)
		return;
	if (--db->reads == 0)
		end_read(db);
}

/* db_begin and db_commit go through the statement cache: sqlite3_exec prepared and
 * finalized their statement for every submission (4,000 instructions each time). */
int db_begin(struct db *db)
{
	end_read(db); /* a write starts from the newest snapshot, with the write lock */
	return exec_cached(db, begin_write_sql);
}

int db_commit(struct db *db)
{
	if (exec_cached(db, commit_sql) == 0)
		return 0;
	db_rollback(db);
	return -1;
}

void db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		exec(db, "ROLLBACK;", NULL);
}

void db_now(char out[21])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void hex(const unsigned char *bin, size_t n, char *out)
{
	sodium_bin2hex(out, n * 2 + 1, bin, n);
}

static void sha256_hex(const char *s, char out[DB_HASH_HEX + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	hex(h, sizeof h, out);
}

/* The canonical form of an event for its hash: each field as "length:value;", integers
 * in decimal, absent values as "-;". */
static void put_field(struct buf *b, const char *s)
{
	if (s)
		buf_printf(b, "%zu:%s;", strlen(s), s);
	else
		buf_puts(b, "-;");
}

static void put_int(struct buf *b, long long v)
{
	if (v)
		buf_printf(b, "%lld;", v);
	else
		buf_puts(b, "-;");
}

struct row {
	long long id, family_id, child_id, document_id;
	const char *at, *kind, *purpose, *answer, *signer_hash, *channel, *staff, *detail, *prev;
};

static void event_hash(const struct row *r, char out[DB_HASH_HEX + 1])
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "event-v1;");
	put_int(&b, r->id);
	put_field(&b, r->at);
	put_field(&b, r->kind);
	put_int(&b, r->family_id);
	put_int(&b, r->child_id);
	put_field(&b, r->purpose);
	put_field(&b, r->answer);
	put_int(&b, r->document_id);
	put_field(&b, r->signer_hash);
	put_field(&b, r->channel);
	put_field(&b, r->staff);
	put_field(&b, r->detail);
	put_field(&b, r->prev);
	sha256_hex(buf_str(&b), out);
	buf_free(&b);
}

static const char genesis[DB_HASH_HEX + 1] =
	"0000000000000000000000000000000000000000000000000000000000000000";

/* --- event-v2: a type-strict canonical encoding (docs/evidence.md) ---
 *
 * "event-v2\n", then each hashed column in the order of v2_columns as one line:
 *   n                    NULL
 *   i:<decimal>          INTEGER
 *   t:<bytes>:<text>     TEXT (its length in bytes, then the bytes)
 *   r:<%.17g>            REAL
 *   b:<bytes>:<hex>      BLOB
 * each followed by "\n". A value whose storage type changed (integer 7 made real 7.0 or
 * text '7') encodes differently, so its hash no longer matches. */

enum { V2_ID, V2_AT, V2_KIND, V2_FAMILY, V2_CHILD, V2_PURPOSE, V2_ANSWER, V2_DOCUMENT,
       V2_SIGNER_HASH, V2_CHANNEL, V2_STAFF, V2_DETAIL, V2_DATA, V2_PREV, V2__MAX };

struct cval {
	int type; /* SQLITE_NULL, SQLITE_INTEGER, SQLITE_TEXT, SQLITE_FLOAT, SQLITE_BLOB */
	long long i;
	double r;
	const void *p; /* text or blob */
	size_t n;
};

static void cval_text(struct cval *v, const char *s)
{
	memset(v, 0, sizeof *v);
	v->type = s ? SQLITE_TEXT : SQLITE_NULL;
	v->p = s;
	v->n = s ? strlen(s) : 0;
}

static void cval_id(struct cval *v, long long id)
{
	memset(v, 0, sizeof *v);
	v->type = id ? SQLITE_INTEGER : SQLITE_NULL;
	v->i = id;
}

static void cval_column(struct cval *v, sqlite3_stmt *st, int i)
{
	memset(v, 0, sizeof *v);
	switch ((v->type = sqlite3_column_type(st, i))) {
	case SQLITE_INTEGER:
		v->i = sqlite3_column_int64(st, i);
		break;
	case SQLITE_FLOAT:
		v->r = sqlite3_column_double(st, i);
		break;
	case SQLITE_TEXT:
		v->p = sqlite3_column_text(st, i);
		v->n = (size_t)sqlite3_column_bytes(st, i);
		break;
	case SQLITE_BLOB:
		v->p = sqlite3_column_blob(st, i);
		v->n = (size_t)sqlite3_column_bytes(st, i);
		break;
	}
}

static void canon_v2(struct buf *b, const struct cval *v)
{
	size_t i, k;

	buf_puts(b, "event-v2\n");
	for (i = 0; i < V2__MAX; i++) {
		switch (v[i].type) {
		case SQLITE_INTEGER:
			buf_put(b, "i:", 2);
			buf_put_ll(b, v[i].i);
			buf_putc(b, '\n');
			break;
		case SQLITE_FLOAT:
			buf_printf(b, "r:%.17g\n", v[i].r);
			break;
		case SQLITE_TEXT:
			buf_put(b, "t:", 2);
			buf_put_size(b, v[i].n);
			buf_putc(b, ':');
			buf_put(b, v[i].p, v[i].n);
			buf_putc(b, '\n');
			break;
		case SQLITE_BLOB:
			buf_printf(b, "b:%zu:", v[i].n);
			for (k = 0; k < v[i].n; k++)
				buf_printf(b, "%02x", ((const unsigned char *)v[i].p)[k]);
			buf_putc(b, '\n');
			break;
		default:
			buf_puts(b, "n\n");
		}
	}
}

static void canon_hash(const struct buf *b, char out[DB_HASH_HEX + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)buf_str(b), b->len);
	hex(h, sizeof h, out);
}

/* A v2 signer hash: SHA-256 of "<salt hex>:<name>". */
static void signer_hash_v2(const char *salt, const char *signer, char out[DB_HASH_HEX + 1])
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s:%s", salt, signer);
	sha256_hex(buf_str(&b), out);
	buf_free(&b);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_id(sqlite3_stmt *st, int i, long long v)
{
	if (v)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

long long db_event_append(struct db *db, const struct db_event *e)
{
	return db_event_append_at(db, e, NULL, NULL);
}

long long db_event_append_at(struct db *db, const struct db_event *e, char out_at[21],
                             char out_hash[DB_HASH_HEX + 1])
{
	static const char last_sql[] = "SELECT id, hash FROM event ORDER BY id DESC LIMIT 1";
	static const char insert_sql[] =
		"INSERT INTO event (id, at, kind, family_id, child_id, purpose, answer, document_id,"
		" signer, signer_hash, channel, staff, detail, prev, hash, v, salt, data)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 2, ?16,"
		" ?17)";
	sqlite3_stmt *st = db_stmt(db, last_sql);
	char at[21], prev[DB_HASH_HEX + 1], signer_hash[DB_HASH_HEX + 1], hash[DB_HASH_HEX + 1];
	char salt[2 * DB_SALT_BYTES + 1];
	unsigned char rnd[DB_SALT_BYTES];
	struct cval v[V2__MAX];
	struct buf canon = BUF_INIT;
	long long id = 1;
	int rc;

	if (st == NULL)
		return -1;
	memcpy(prev, genesis, sizeof prev);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0) + 1;
		snprintf(prev, sizeof prev, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	db_now(at);
	salt[0] = signer_hash[0] = '\0';
	if (e->signer) {
		randombytes_buf(rnd, sizeof rnd);
		hex(rnd, sizeof rnd, salt);
		signer_hash_v2(salt, e->signer, signer_hash);
	}
	cval_id(&v[V2_ID], id);
	cval_text(&v[V2_AT], at);
	cval_text(&v[V2_KIND], e->kind);
	cval_id(&v[V2_FAMILY], e->family_id);
	cval_id(&v[V2_CHILD], e->child_id);
	cval_text(&v[V2_PURPOSE], e->purpose);
	cval_text(&v[V2_ANSWER], e->answer);
	cval_id(&v[V2_DOCUMENT], e->document_id);
	cval_text(&v[V2_SIGNER_HASH], signer_hash);
	cval_text(&v[V2_CHANNEL], e->channel);
	cval_text(&v[V2_STAFF], e->staff);
	cval_text(&v[V2_DETAIL], e->detail);
	cval_text(&v[V2_DATA], e->data);
	cval_text(&v[V2_PREV], prev);
	canon_v2(&canon, v);
	if (!buf_ok(&canon)) {
		buf_free(&canon);
		return -1;
	}
	canon_hash(&canon, hash);
	buf_free(&canon);
	if ((st = db_stmt(db, insert_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	bind_text(st, 2, at);
	bind_text(st, 3, e->kind);
	bind_id(st, 4, e->family_id);
	bind_id(st, 5, e->child_id);
	bind_text(st, 6, e->purpose);
	bind_text(st, 7, e->answer);
	bind_id(st, 8, e->document_id);
	bind_text(st, 9, e->signer);
	bind_text(st, 10, signer_hash);
	bind_text(st, 11, e->channel);
	bind_text(st, 12, e->staff);
	bind_text(st, 13, e->detail);
	bind_text(st, 14, prev);
	bind_text(st, 15, hash);
	bind_text(st, 16, e->signer ? salt : NULL);
	bind_text(st, 17, e->data);
	rc = db_exec_stmt(st);
	sodium_memzero(rnd, sizeof rnd);
	if (rc < 0)
		return -1;
	if (out_at)
		memcpy(out_at, at, sizeof at);
	if (out_hash)
		memcpy(out_hash, hash, sizeof hash);
	return id;
}

/* Column i as text, NULL for NULL: the event hash tells NULL from "". */
static const char *col_or_null(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

const char *db_col_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

const char *db_col_dup(struct arena *a, sqlite3_stmt *st, int i)
{
	return arena_strdup(a, db_col_text(st, i));
}

int db_exists(sqlite3_stmt *st)
{
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int db_rows(sqlite3_stmt *st, struct arena *a, size_t size, db_fill_fn *fill, void **rows,
            size_t *n)
{
	size_t cap = 0;
	char *v = NULL;
	int rc = SQLITE_DONE;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap && (v = db_grow(a, v, *n, size, &cap)) == NULL)
			break;
		fill(v + *n * size, st, a);
		(*n)++;
	}
	sqlite3_reset(st);
	*rows = v;
	return rc == SQLITE_DONE && arena_ok(a) ? 0 : -1;
}

void *db_grow(struct arena *a, const void *old, size_t n, size_t size, size_t *cap)
{
	size_t c = *cap ? *cap * 2 : 4;
	void *p = arena_alloc(a, c * size);

	if (p == NULL)
		return NULL;
	if (n)
		memcpy(p, old, n * size);
	*cap = c;
	return p;
}

/* 1 when column i holds a value of the type the schema means (INTEGER for ids, TEXT for
 * the rest; NULL where allowed), else 0. event-v1 hashed a textual reading of each column,
 * so this is what catches a changed storage type in those events. */
static int typed(sqlite3_stmt *st, int i, int want, int null_ok)
{
	int t = sqlite3_column_type(st, i);

	return t == want || (null_ok && t == SQLITE_NULL);
}

int db_event_hash_at(sqlite3_stmt *st, char out[DB_HASH_HEX + 1], struct buf *canon)
{
	int version = sqlite3_column_type(st, 15) == SQLITE_NULL ? 1
	              : sqlite3_column_type(st, 15) == SQLITE_INTEGER
	                  ? (int)sqlite3_column_int64(st, 15)
	                  : -1;

	if (version == 1) {
		struct row r = {
		    .id = sqlite3_column_int64(st, 0),
		    .at = col_or_null(st, 1),
		    .kind = col_or_null(st, 2),
		    .family_id = sqlite3_column_int64(st, 3),
		    .child_id = sqlite3_column_int64(st, 4),
		    .purpose = col_or_null(st, 5),
		    .answer = col_or_null(st, 6),
		    .document_id = sqlite3_column_int64(st, 7),
		    .signer_hash = col_or_null(st, 9),
		    .channel = col_or_null(st, 10),
		    .staff = col_or_null(st, 11),
		    .detail = col_or_null(st, 12),
		    .prev = col_or_null(st, 13),
		};
		event_hash(&r, out);
		return 1;
	}
	if (version == 2) {
		static const int cols[V2__MAX] = {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 17, 13};
		struct cval v[V2__MAX];
		struct buf b = BUF_INIT;
		size_t i;
		for (i = 0; i < V2__MAX; i++)
			cval_column(&v[i], st, cols[i]);
		canon_v2(&b, v);
		canon_hash(&b, out);
		if (canon)
			buf_put(canon, buf_str(&b), b.len);
		buf_free(&b);
		return 2;
	}
	out[0] = '\0';
	return -1;
}

int db_verify(struct db *db, struct buf *out)
{
	static const char events_sql[] = "SELECT " DB_EVENT_COLUMNS " FROM event ORDER BY id";
	sqlite3_stmt *st;
	char prev[DB_HASH_HEX + 1], hash[DB_HASH_HEX + 1], sh[DB_HASH_HEX + 1];
	long long n = 0, expect_id = 1;
	int problems = 0, rc, seen_v2 = 0;

	if ((st = db_stmt(db, "PRAGMA integrity_check")) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (strcmp(col_or_null(st, 0), "ok") != 0) {
			buf_printf(out, "integrity: %s\n", col_or_null(st, 0));
			problems++;
		}
	}
	sqlite3_reset(st);
	if ((st = db_stmt(db, "PRAGMA foreign_key_check")) == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		buf_printf(out, "foreign key: table %s row %lld refers to a missing %s row\n",
		           col_or_null(st, 0), sqlite3_column_int64(st, 1), col_or_null(st, 2));
		problems++;
	}
	sqlite3_reset(st);
	if ((st = db_stmt(db, events_sql)) == NULL)
		return -1;
	memcpy(prev, genesis, sizeof prev);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		const char *signer = col_or_null(st, 8), *signer_hash = col_or_null(st, 9),
		           *stored = col_or_null(st, 14);
		const char *salt = col_or_null(st, 16), *evprev = col_or_null(st, 13);
		int version, i;
		static const struct {
			int col, type, null_ok;
			const char *name;
		} types[] = {
		    {0, SQLITE_INTEGER, 0, "id"},         {1, SQLITE_TEXT, 0, "at"},
		    {2, SQLITE_TEXT, 0, "kind"},          {3, SQLITE_INTEGER, 1, "family_id"},
		    {4, SQLITE_INTEGER, 1, "child_id"},   {5, SQLITE_TEXT, 1, "purpose"},
		    {6, SQLITE_TEXT, 1, "answer"},        {7, SQLITE_INTEGER, 1, "document_id"},
		    {8, SQLITE_TEXT, 1, "signer"},        {9, SQLITE_TEXT, 0, "signer_hash"},
		    {10, SQLITE_TEXT, 0, "channel"},      {11, SQLITE_TEXT, 1, "staff"},
		    {12, SQLITE_TEXT, 1, "detail"},       {13, SQLITE_TEXT, 0, "prev"},
		    {14, SQLITE_TEXT, 0, "hash"},         {15, SQLITE_INTEGER, 1, "v"},
		    {16, SQLITE_TEXT, 1, "salt"},         {17, SQLITE_TEXT, 1, "data"},
		};
		n++;
		for (i = 0; i < (int)(sizeof types / sizeof types[0]); i++) {
			if (!typed(st, types[i].col, types[i].type, types[i].null_ok)) {
				buf_printf(out, "event %lld: column %s is stored as %s, not %s\n", id,
				           types[i].name,
				           sqlite3_column_type(st, types[i].col) == SQLITE_FLOAT ? "a real number"
				           : sqlite3_column_type(st, types[i].col) == SQLITE_TEXT ? "text"
				           : sqlite3_column_type(st, types[i].col) == SQLITE_BLOB ? "a blob"
				           : sqlite3_column_type(st, types[i].col) == SQLITE_NULL ? "NULL"
				                                                                    : "an integer",
				           types[i].type == SQLITE_INTEGER ? "an integer" : "text");
				problems++;
			}
		}
		if (id != expect_id) {
			buf_printf(out, "event %lld: expected event %lld here; events are missing\n",
				   id, expect_id);
			problems++;
		}
		expect_id = id + 1;
		if (evprev == NULL || strcmp(evprev, prev) != 0) {
			buf_printf(out, "event %lld: does not follow the event before it\n", id);
			problems++;
		}
		version = db_event_hash_at(st, hash, NULL);
		if (version < 0) {
			buf_printf(out, "event %lld: unknown hashing version\n", id);
			problems++;
		} else if (version == 1 && seen_v2) {
			buf_printf(out, "event %lld: an event-v1 event after event-v2 ones\n", id);
			problems++;
		}
		seen_v2 |= version == 2;
		if (signer) {
			if (version == 2 && salt)
				signer_hash_v2(salt, signer, sh);
			else if (version == 2)
				sh[0] = '\0';
			else
				sha256_hex(signer, sh);
			if (strcmp(sh, signer_hash ? signer_hash : "") != 0) {
				buf_printf(out, "event %lld: the signer's name was changed\n", id);
				problems++;
			}
		} else if (version == 2 && salt) {
			buf_printf(out, "event %lld: a salt without a name (purge deletes both)\n", id);
			problems++;
		}
		if (version == 1 && (salt || col_or_null(st, 17))) {
			buf_printf(out, "event %lld: an event-v1 event with a salt or data, which "
			                "event-v1 does not hash\n", id);
			problems++;
		}
		if (version > 0 && (stored == NULL || strcmp(hash, stored) != 0)) {
			buf_printf(out, "event %lld: its contents were changed after it was written\n",
				   id);
			problems++;
		}
		snprintf(prev, sizeof prev, "%s", stored ? stored : "");
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (problems == 0)
		buf_printf(out, "ok: database intact, %lld events, chain verified\n", n);
	return problems ? 1 : 0;
}

int db_backup(struct db *db, const char *path, struct buf *err)
{
	sqlite3 *to;
	sqlite3_backup *b;
	struct stat st;
	int rc;

	if (stat(path, &st) == 0) {
		buf_printf(err, "%s: already exists; choose a new file name for the backup\n", path);
		return -1;
	}
	if (sqlite3_open_v2(path, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		buf_printf(err, "%s: %s\n", path, sqlite3_errmsg(to));
		sqlite3_close(to);
		return -1;
	}
	if ((b = sqlite3_backup_init(to, "main", db->h, "main")) == NULL) {
		buf_printf(err, "%s: %s\n", path, sqlite3_errmsg(to));
		sqlite3_close(to);
		return -1;
	}
	/* Copy in steps so writers are held up only briefly; retry while they hold the lock. */
	while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK || rc == SQLITE_BUSY ||
	       rc == SQLITE_LOCKED)
		if (rc != SQLITE_OK)
			sqlite3_sleep(20);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		buf_printf(err, "%s: backup failed: %s\n", path, sqlite3_errstr(rc));
		sqlite3_close(to);
		unlink(path);
		return -1;
	}
	rc = sqlite3_close(to);
	return rc == SQLITE_OK ? 0 : -1;
}
