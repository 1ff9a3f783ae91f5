/* testdb.h: the portal unit tests' temporary database: a fresh, migrated database file in a
 * new folder under /tmp, removed again with all that a test wrote beside it, and short ways
 * to read it with SQL. One such database at a time per test program (the folder and path
 * are file-scope, as the tests run one after another). */
#ifndef TESTDB_H
#define TESTDB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "db.h"

/* The folder of the database, and the database file in it (testdb_dir/c.db). */
static char testdb_dir[64], testdb_path[96];

/* A new, migrated database at testdb_path in a new folder testdb_dir; NULL, with the reason
 * printed, when either cannot be made. Free it with testdb_free. */
static inline struct db *testdb_new(void)
{
	struct buf err = BUF_INIT;
	struct db *db;

	snprintf(testdb_dir, sizeof testdb_dir, "/tmp/test-portal.XXXXXX");
	if (mkdtemp(testdb_dir) == NULL) {
		perror("  mkdtemp");
		return NULL;
	}
	snprintf(testdb_path, sizeof testdb_path, "%s/c.db", testdb_dir);
	db = db_open(testdb_path, DB_OPEN_CREATE, &err);
	if (db && db_migrate(db, &err) < 0) {
		db_close(db);
		db = NULL;
	}
	if (db == NULL)
		printf("  db: %s", buf_str(&err));
	buf_free(&err);
	return db;
}

/* Closes db (NULL is fine) and removes testdb_dir with all in it: the database, its -wal
 * and -shm files and whatever the test wrote there. */
static inline void testdb_free(struct db *db)
{
	db_close(db);
	check_remove(testdb_dir);
}

/* The first column of the first row of a query, as text ("" when no row or NULL; valid
 * until the next call). SQL that does not prepare fails the running test. */
static inline const char *testdb_str(struct db *db, const char *sql)
{
	static char out[1024];
	sqlite3_stmt *st;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL) != SQLITE_OK) {
		printf("  sql: %s: %s\n", sql, db_errmsg(db));
		check_failed_now = 1;
		return "(sql error)";
	}
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

/* The same as a number (0 when no row or not a number). */
static inline long long testdb_int(struct db *db, const char *sql)
{
	return strtoll(testdb_str(db, sql), NULL, 10);
}

/* The first column of the first row as a number (NULL is 0), or -1 when there is no row,
 * so that a missing row does not pass for a count of 0; -2, failing the running test, when
 * the SQL does not prepare. */
static inline long long testdb_count(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL) != SQLITE_OK) {
		printf("  sql: %s: %s\n", sql, db_errmsg(db));
		check_failed_now = 1;
		return -2;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Runs SQL (several statements are fine) to set a test up: 0, or -1 with the reason
 * printed and the running test failed. */
static inline int testdb_exec(struct db *db, const char *sql)
{
	int rc = sqlite3_exec(db_sqlite(db), sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK) {
		printf("  exec: %s: %s\n", sql, db_errmsg(db));
		check_failed_now = 1;
	}
	return rc == SQLITE_OK ? 0 : -1;
}

#endif
