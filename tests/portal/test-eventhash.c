/* The event log's hash is a promise to auditors: a database made years ago must still
 * verify with today's program. These tests pin the hash of fixed events of each version
 * (docs/evidence.md), so any change to the encoding fails here before it reaches a school.
 * The rows are literal SELECTs, in DB_EVENT_COLUMNS order, on an in-memory database. */
#include <sqlite3.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "db.h"

/* The rows' hashes, computed apart from this program from docs/evidence.md's description
 * of each encoding (Python's hashlib over the documented text), so the tests also hold the
 * documentation to the code. */
#define PIN_V1 "4aa883b768dfcfe97af9f286136685773b52028d73dd873b79505e034830284e"
#define PIN_V2 "a8c1d2d4c2eaf70fe229baaf85a0fc730b9aeac70ad3a965106bcfa5326c44e5"

/* An answer event: id, at, kind, family_id, child_id, purpose, answer, document_id,
 * signer, signer_hash, channel, staff, detail, prev, hash, v, salt, data. */
#define V1_ROW                                                                                     \
	"SELECT 7, '2026-11-21T09:30:00Z', 'answer', 3, 5, 'website', 'yes', NULL, 'Ann Jones',"   \
	" 'c0ffee', 'qr', NULL, NULL, '%s', '', NULL, NULL, NULL"
#define V2_ROW                                                                                     \
	"SELECT 7, '2026-11-21T09:30:00Z', 'answer', 3, 5, 'website', 'yes', NULL, 'Ann Jones',"   \
	" 'c0ffee', 'qr', NULL, NULL, '%s', '', 2, '00112233445566778899aabbccddeeff', %s"

static const char zero_prev[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* The hash db_event_hash_at gives the row of sql (a printf format taking prev and, for
 * v2, data), and its version; "" and -1 when the row cannot be read. */
static int hash_of(sqlite3 *h, const char *fmt, const char *prev, const char *data,
                   char out[DB_HASH_HEX + 1])
{
	char *sql = sqlite3_mprintf(fmt, prev, data);
	sqlite3_stmt *st = NULL;
	int v = -1;

	out[0] = '\0';
	if (sql && sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = db_event_hash_at(st, out, NULL);
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return v;
}

static sqlite3 *mem(void)
{
	sqlite3 *h = NULL;

	return sqlite3_open(":memory:", &h) == SQLITE_OK ? h : NULL;
}

static void test_v1_hash_is_pinned(void)
{
	char h[DB_HASH_HEX + 1];
	sqlite3 *db = mem();

	CHECK(db != NULL);
	CHECK_INT(hash_of(db, V1_ROW, zero_prev, NULL, h), 1);
	CHECK_STR(h, PIN_V1);
	sqlite3_close(db);
}

static void test_v2_hash_is_pinned(void)
{
	char h[DB_HASH_HEX + 1];
	sqlite3 *db = mem();

	CHECK(db != NULL);
	CHECK_INT(hash_of(db, V2_ROW, zero_prev, "'hash=abc'", h), 2);
	CHECK_STR(h, PIN_V2);
	sqlite3_close(db);
}

/* Each fact changes the hash: the previous event's hash, the data, and the data's type
 * (a number where text was written is a different event). */
static void test_v2_hash_covers_prev_and_data(void)
{
	char a[DB_HASH_HEX + 1], b[DB_HASH_HEX + 1];
	sqlite3 *db = mem();

	CHECK(db != NULL);
	hash_of(db, V2_ROW, zero_prev, "'hash=abc'", a);
	hash_of(db, V2_ROW, "1000000000000000000000000000000000000000000000000000000000000000",
	        "'hash=abc'", b);
	CHECK(strcmp(a, b) != 0);
	hash_of(db, V2_ROW, zero_prev, "'hash=abd'", b);
	CHECK(strcmp(a, b) != 0);
	hash_of(db, V2_ROW, zero_prev, "NULL", a);
	hash_of(db, V2_ROW, zero_prev, "''", b);
	CHECK(strcmp(a, b) != 0);
	hash_of(db, V2_ROW, zero_prev, "'12'", a);
	hash_of(db, V2_ROW, zero_prev, "12", b);
	CHECK(strcmp(a, b) != 0);
	sqlite3_close(db);
}

/* An unknown version is refused, not hashed as something else. */
static void test_unknown_version_refused(void)
{
	char h[DB_HASH_HEX + 1];
	sqlite3 *db = mem();
	const char *v9 = "SELECT 7, '2026-11-21T09:30:00Z', 'answer', 3, 5, 'website', 'yes', NULL,"
	                 " NULL, 'c0ffee', 'qr', NULL, NULL, '%s', '', 9, NULL, %s";

	CHECK(db != NULL);
	CHECK_INT(hash_of(db, v9, zero_prev, "NULL", h), -1);
	sqlite3_close(db);
}

int main(void)
{
	RUN(test_v1_hash_is_pinned);
	RUN(test_v2_hash_is_pinned);
	RUN(test_v2_hash_covers_prev_and_data);
	RUN(test_unknown_version_refused);
	CHECK_MAIN();
}
