/* Group commit (group.h): submissions from several threads, each with its own database
 * connection, written in shared transactions. What a parent is promised must hold in
 * whatever batches they fall: every accepted submission is stored with its reference, a
 * refused one leaves no trace and does not take the others of its batch with it, and the
 * event chain verifies. The write lock is held by another connection while the threads
 * arrive, so that they queue and the later ones are written together. */
#define _GNU_SOURCE /* F_OFD_SETLK */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "group.h"
#include "testdb.h"

#define NTHREADS 6
#define REFUSED 3 /* the thread whose submission names a child of another family */

struct worker {
	struct group *g;
	int n;
	enum consent_err err;
	char ref[CONSENT_REF_MAX];
	pthread_barrier_t *ready;
};

/* Two families of one child each, and the purpose they answer for. */
static void seed(struct db *db)
{
	CHECK_INT(sqlite3_exec(db_sqlite(db),
	                       "INSERT INTO family (id, ref, carers, language) VALUES"
	                       " (1, 'F1', '', 'en'), (2, 'F2', '', 'cy');"
	                       "INSERT INTO child (id, family_id, ref, first_name, last_name, class)"
	                       " VALUES (11, 1, 'C11', 'Osian', 'Jones', 'Dosbarth 1'),"
	                       " (21, 2, 'C21', 'Cai', 'Evans', 'Dosbarth 2');"
	                       "INSERT INTO purpose (id, basis, position) VALUES"
	                       " ('website', 'consent', 0);",
	                       NULL, NULL, NULL),
	          SQLITE_OK);
}

static void *submit(void *arg)
{
	struct worker *w = arg;
	struct buf err = BUF_INIT;
	struct db *db = db_open(testdb_path, DB_OPEN_EXISTING, &err);
	char name[32];
	struct consent_item item = {.child_id = w->n == REFUSED ? 21 : 11,
	                            .purpose = "website",
	                            .answer = w->n % 2 ? "yes" : "no"};
	struct consent_submission s = {.family_id = 1, .signer = name, .items = &item,
	                               .nitems = 1, .channel = "qr"};

	snprintf(name, sizeof name, "Carer %c Jones", 'A' + w->n);
	pthread_barrier_wait(w->ready);
	w->err = db ? group_record(w->g, db, &s, w->ref) : CONSENT_ERR_DB;
	db_close(db);
	buf_free(&err);
	return NULL;
}

static void test_batches_keep_each_answer(void)
{
	struct db *db = testdb_new(), *holder;
	struct group *g = group_new(NULL);
	struct worker w[NTHREADS];
	pthread_t t[NTHREADS];
	pthread_barrier_t ready;
	struct buf out = BUF_INIT, err = BUF_INIT;
	long long batches = 0, submissions = 0;
	int i;

	CHECK(db != NULL && g != NULL);
	if (db == NULL || g == NULL)
		return;
	seed(db);
	holder = db_open(testdb_path, DB_OPEN_EXISTING, &err);
	CHECK(holder != NULL && db_begin(holder) == 0); /* the threads queue behind this */
	pthread_barrier_init(&ready, NULL, NTHREADS + 1);
	for (i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){.g = g, .n = i, .ready = &ready};
		pthread_create(&t[i], NULL, submit, &w[i]);
	}
	pthread_barrier_wait(&ready);
	usleep(200 * 1000); /* let them queue; any batching gives the same results below */
	db_rollback(holder);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);

	for (i = 0; i < NTHREADS; i++) {
		if (i == REFUSED) {
			CHECK_INT(w[i].err, CONSENT_ERR_CHILD);
			continue;
		}
		CHECK_INT(w[i].err, CONSENT_OK);
		CHECK(w[i].ref[0] != '\0');
	}
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM event WHERE kind = 'submission'"),
	          NTHREADS - 1);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM answer WHERE child_id = 11"), NTHREADS - 1);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM answer WHERE child_id = 21"), 0);
	CHECK_INT(db_verify(db, &out), 0);
	group_counts(g, &batches, &submissions);
	CHECK_INT(submissions, NTHREADS);
	CHECK(batches >= 1 && batches <= NTHREADS);
	printf("  %d submissions in %lld batches\n", NTHREADS, batches);

	pthread_barrier_destroy(&ready);
	db_close(holder);
	group_free(g);
	buf_free(&out);
	buf_free(&err);
	testdb_free(db);
}

static void *submit_alone(void *arg)
{
	struct worker *w = arg;
	struct buf err = BUF_INIT;
	struct db *db = db_open(testdb_path, DB_OPEN_EXISTING, &err);
	struct consent_item item = {.child_id = 11, .purpose = "website", .answer = "yes"};
	struct consent_submission s = {.family_id = 1, .signer = "Carer Jones", .items = &item,
	                               .nitems = 1, .channel = "qr"};

	w->err = db ? group_record(w->g, db, &s, w->ref) : CONSENT_ERR_DB;
	db_close(db);
	buf_free(&err);
	return NULL;
}

/* The groups of several processes take turns through the lock file: a writer waits
 * while the turn is another's (here the test's, as another process's batch would hold
 * it) with SQLite's lock free, writes once the turn is given back, and gives it back. */
static void test_writers_take_turns(void)
{
	struct db *db = testdb_new();
	char lock[sizeof testdb_path + sizeof GROUP_LOCK_SUFFIX];
	struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
	struct worker w = {0};
	struct group *g;
	pthread_t t;
	int fd;

	CHECK(db != NULL);
	if (db == NULL)
		return;
	seed(db);
	snprintf(lock, sizeof lock, "%s%s", testdb_path, GROUP_LOCK_SUFFIX);
	g = group_new(lock); /* makes the file */
	fd = open(lock, O_RDWR);
	CHECK(g != NULL && fd >= 0);
	if (g == NULL || fd < 0)
		goto out;
	CHECK_INT(fcntl(fd, F_OFD_SETLK, &l), 0);
	w.g = g;
	pthread_create(&t, NULL, submit_alone, &w);
	usleep(200 * 1000); /* time to write, were the turn not waited for */
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM event WHERE kind = 'submission'"), 0);
	l.l_type = F_UNLCK;
	CHECK_INT(fcntl(fd, F_OFD_SETLK, &l), 0);
	pthread_join(t, NULL);
	CHECK_INT(w.err, CONSENT_OK);
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM event WHERE kind = 'submission'"), 1);
	l.l_type = F_WRLCK; /* given back */
	CHECK_INT(fcntl(fd, F_OFD_SETLK, &l), 0);
out:
	if (fd >= 0)
		close(fd);
	group_free(g);
	testdb_free(db);
}

/* Without a group (one thread), group_record is consent_record. */
static void test_no_group(void)
{
	struct db *db = testdb_new();
	struct consent_item item = {.child_id = 11, .purpose = "website", .answer = "yes"};
	struct consent_submission s = {.family_id = 1, .signer = "Siân Jones", .items = &item,
	                               .nitems = 1, .channel = "qr"};
	char ref[CONSENT_REF_MAX] = "";

	CHECK(db != NULL);
	if (db == NULL)
		return;
	seed(db);
	CHECK_INT(group_record(NULL, db, &s, ref), CONSENT_OK);
	CHECK(ref[0] != '\0');
	CHECK_INT(testdb_int(db, "SELECT count(*) FROM answer WHERE answer = 'yes'"), 1);
	testdb_free(db);
}

int main(void)
{
	if (token_init() < 0)
		return 1;
	RUN(test_batches_keep_each_answer);
	RUN(test_writers_take_turns);
	RUN(test_no_group);
	CHECK_MAIN();
}
