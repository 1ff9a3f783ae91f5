/* checkpoint: signed checkpoints of the event log (src/portal/checkpoint.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "checkpoint.h"
#include "db.h"
#include "token.h"
#include "testdb.h"

static char keypath[128];

/* The test database, with keypath beside it for the checkpoint key. */
static struct db *setup(void)
{
	struct db *db = testdb_new();

	snprintf(keypath, sizeof keypath, "%s%s", testdb_path, CHECKPOINT_KEY_SUFFIX);
	return db;
}

static void add_event(struct db *db, const char *detail)
{
	struct db_event e = {.kind = "import", .channel = "system", .detail = detail};

	CHECK_INT(db_begin(db), 0);
	CHECK(db_event_append(db, &e) > 0);
	CHECK_INT(db_commit(db), 0);
}

static void test_origin(void)
{
	char name[CHECKPOINT_NAME_MAX + 1];

	checkpoint_origin(name, "https://cwmderw.example/");
	CHECK_STR(name, "cwmderw.example/consent-log");
	checkpoint_origin(name, "http://127.0.0.1:8080/school/");
	CHECK_STR(name, "127.0.0.1:8080/school/consent-log");
	checkpoint_origin(name, NULL);
	CHECK_STR(name, "consent-log");
	checkpoint_origin(name, "https://a b/");
	CHECK_STR(name, "consent-log");
	CHECK(checkpoint_name_valid("x.example/log"));
	CHECK(!checkpoint_name_valid("a+b"));
	CHECK(!checkpoint_name_valid("a b"));
	CHECK(!checkpoint_name_valid(""));
}

static void test_sign_and_check(void)
{
	struct db *db = setup();
	struct checkpoint_key k, v, other;
	struct buf cp = BUF_INIT, err = BUF_INIT, rep = BUF_INIT, vk = BUF_INIT, text = BUF_INIT;
	struct stat st;
	char *p;

	if (db == NULL)
		return;
	CHECK_INT(checkpoint_key_make(keypath, "school.example/consent-log", &err), 0);
	CHECK_INT(checkpoint_key_make(keypath, "school.example/consent-log", &err), 1); /* kept */
	CHECK(stat(keypath, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK_INT(checkpoint_key_load(keypath, &k, &err), 0);
	CHECK(k.has_sk);

	/* An empty log, then one with events: each checkpoint is a prefix of the log. */
	CHECK_INT(checkpoint_sign(db, &k, &cp, &err), 0);
	{
		static const char want[] = "school.example/consent-log\n0\n"
		                           "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
		                           "\xe2\x80\x94 school.example/consent-log ";
		CHECK(strncmp(buf_str(&cp), want, sizeof want - 1) == 0);
	}
	add_event(db, "one");
	add_event(db, "two");
	CHECK_INT(checkpoint_check(db, &k, "cp0", buf_str(&cp), cp.len, &rep, &err), 0);
	buf_reset(&cp);
	CHECK_INT(checkpoint_sign(db, &k, &cp, &err), 0);
	CHECK(strstr(buf_str(&cp), "\n2\n") != NULL);
	CHECK_INT(checkpoint_check(db, &k, "cp2", buf_str(&cp), cp.len, &rep, &err), 0);

	/* The verifier key alone checks it. */
	checkpoint_verifier(&k, &vk);
	CHECK_INT(checkpoint_verifier_parse(buf_str(&vk), &v, &err), 0);
	CHECK(!v.has_sk);
	CHECK_INT(checkpoint_check(db, &v, "cp2", buf_str(&cp), cp.len, &rep, &err), 0);

	/* A changed size: the signature no longer verifies. */
	buf_put(&text, buf_str(&cp), cp.len);
	p = strstr(text.data, "\n2\n");
	p[1] = '1';
	buf_reset(&rep);
	CHECK_INT(checkpoint_check(db, &k, "cp", buf_str(&text), text.len, &rep, &err), 1);
	CHECK(strstr(buf_str(&rep), "does not verify") != NULL);
	/* The signature's last byte changed. */
	buf_reset(&text);
	buf_put(&text, buf_str(&cp), cp.len);
	text.data[text.len - 3] = text.data[text.len - 3] == 'A' ? 'B' : 'A';
	buf_reset(&rep);
	CHECK_INT(checkpoint_check(db, &k, "cp", buf_str(&text), text.len, &rep, &err), 1);
	/* Another key's checkpoint, or none. */
	unlink(keypath);
	CHECK_INT(checkpoint_key_make(keypath, "school.example/consent-log", &err), 0);
	CHECK_INT(checkpoint_key_load(keypath, &other, &err), 0);
	buf_reset(&rep);
	CHECK_INT(checkpoint_check(db, &other, "cp", buf_str(&cp), cp.len, &rep, &err), 1);
	CHECK(strstr(buf_str(&rep), "no signature by the key") != NULL);
	buf_reset(&rep);
	CHECK_INT(checkpoint_check(db, &k, "junk", "hello\n", 6, &rep, &err), 1);

	/* The log cut short after the checkpoint. */
	CHECK(sqlite3_exec(db_sqlite(db), "DROP TRIGGER event_no_delete; DELETE FROM event WHERE id = 2",
	                   NULL, NULL, NULL) == SQLITE_OK);
	buf_reset(&rep);
	CHECK_INT(checkpoint_check(db, &k, "cp2", buf_str(&cp), cp.len, &rep, &err), 1);
	CHECK(strstr(buf_str(&rep), "events were removed") != NULL);

	/* A key file others can read is refused. */
	chmod(keypath, 0644);
	buf_reset(&err);
	CHECK_INT(checkpoint_key_load(keypath, &other, &err), -1);
	CHECK(strstr(buf_str(&err), "chmod 600") != NULL);
	CHECK_INT(checkpoint_verifier_parse("not a key", &v, &err), -1);

	sodium_memzero(&k, sizeof k);
	sodium_memzero(&other, sizeof other);
	buf_free(&cp);
	buf_free(&err);
	buf_free(&rep);
	buf_free(&vk);
	buf_free(&text);
	testdb_free(db);
}

int main(void)
{
	if (token_init() < 0)
		return 1;
	RUN(test_origin);
	RUN(test_sign_and_check);
	CHECK_MAIN();
}
