/* sign-fixture: makes the database tests/sign.sh drives sign.fcgi against.
 *
 *   sign-fixture DB CONTENT_DIR PORTAL_DIR
 *
 * Creates DB (which must not exist) with every migration, syncs the purposes from
 * CONTENT_DIR/consent.yaml and the documents from PORTAL_DIR/signable.tsv (from
 * `policygen build`), and adds two fictional families with fixed tokens:
 *   family 1 (F1): Ffion (child 11) and Osian (child 12), and Aled (13), who left
 *   family 2 (F2): Cai (child 21)
 * Prints "TOKEN1 TOKEN2 REVOKED_TOKEN_OF_FAMILY_1" on one line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "db.h"
#include "token.h"

static int sql(struct db *db, const char *s)
{
	char *msg = NULL;

	if (sqlite3_exec(db_sqlite(db), s, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "sign-fixture: %s\n", msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int add_token(struct db *db, long long family, unsigned char seed, int revoked,
                     char out[TOKEN_LEN + 1])
{
	static const char insert[] =
	    "INSERT INTO token (family_id, hash, issued_at, revoked_at) VALUES (?1, ?2,"
	    " '2026-09-01T08:00:00Z', ?3)";
	unsigned char b[TOKEN_BYTES];
	char hex[TOKEN_HEX_LEN + 1];
	sqlite3_stmt *st = db_stmt(db, insert);
	int i;

	for (i = 0; i < TOKEN_BYTES; i++)
		b[i] = (unsigned char)(seed * 31 + i * 7);
	token_from_bytes(b, out);
	token_hash_hex(out, hex);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, family);
	sqlite3_bind_text(st, 2, hex, -1, SQLITE_TRANSIENT);
	if (revoked)
		sqlite3_bind_text(st, 3, "2026-09-02T08:00:00Z", -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 3);
	return db_exec_stmt(st);
}

int main(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct db *db;
	struct catalog *cat;
	char path[4096], t1[TOKEN_LEN + 1], t2[TOKEN_LEN + 1], t3[TOKEN_LEN + 1];
	FILE *f;

	if (argc != 4) {
		fprintf(stderr, "usage: sign-fixture DB CONTENT_DIR PORTAL_DIR\n");
		return 2;
	}
	if ((f = fopen(argv[1], "r")) != NULL) {
		fclose(f);
		fprintf(stderr, "sign-fixture: %s exists already\n", argv[1]);
		return 1;
	}
	snprintf(path, sizeof path, "%s/consent.yaml", argv[2]);
	if (token_init() < 0 || (cat = catalog_load(path, &err)) == NULL ||
	    (db = db_open(argv[1], DB_OPEN_CREATE, &err)) == NULL || db_migrate(db, &err) < 0) {
		fprintf(stderr, "sign-fixture: %s", buf_str(&err));
		return 1;
	}
	snprintf(path, sizeof path, "%s/signable.tsv", argv[3]);
	if (catalog_sync(db, cat, path, &err) < 0) {
		fprintf(stderr, "sign-fixture: %s", buf_str(&err));
		return 1;
	}
	if (sql(db, "BEGIN;"
	            "INSERT INTO family (id, ref, carers, language) VALUES"
	            " (1, 'F1', 'Siân Jones; Gareth Jones', 'en'), (2, 'F2', 'Mair Evans', 'cy');"
	            "INSERT INTO child (id, family_id, ref, first_name, last_name, class, left_on)"
	            " VALUES (11, 1, 'C11', 'Ffion', 'Jones', 'Dosbarth 3', NULL),"
	            " (12, 1, 'C12', 'Osian', 'Jones', 'Dosbarth 1', NULL),"
	            " (13, 1, 'C13', 'Aled', 'Jones', 'Dosbarth 6', '2026-07-20'),"
	            " (21, 2, 'C21', 'Cai', 'Evans', 'Dosbarth 2', NULL);") < 0 ||
	    add_token(db, 1, 1, 0, t1) < 0 || add_token(db, 2, 2, 0, t2) < 0 ||
	    add_token(db, 1, 3, 1, t3) < 0 || sql(db, "COMMIT;") < 0) {
		fprintf(stderr, "sign-fixture: %s\n", db_errmsg(db));
		return 1;
	}
	printf("%s %s %s\n", t1, t2, t3);
	db_close(db);
	catalog_free(cat);
	buf_free(&err);
	return 0;
}
