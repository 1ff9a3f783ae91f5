#define _GNU_SOURCE /* F_OFD_SETLKW */
#include "group.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

/* One submission waiting for its batch. */
struct job {
	const struct consent_submission *s;
	char *ref;
	enum consent_err err;
	int done;
	struct job *next;
};

struct group {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *head, **tail; /* waiting for the next batch */
	int writing;              /* a thread is writing a batch */
	int lock_fd;              /* the writers' lock file shared by the processes, or -1 */
	long long batches, submissions;
};

struct group *group_new(const char *lock_path)
{
	struct group *g = calloc(1, sizeof *g);

	if (g == NULL)
		return NULL;
	g->lock_fd = lock_path ? open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
	if (pthread_mutex_init(&g->mu, NULL) != 0) {
		if (g->lock_fd >= 0)
			close(g->lock_fd);
		free(g);
		return NULL;
	}
	if (pthread_cond_init(&g->cv, NULL) != 0) {
		pthread_mutex_destroy(&g->mu);
		if (g->lock_fd >= 0)
			close(g->lock_fd);
		free(g);
		return NULL;
	}
	g->tail = &g->head;
	return g;
}

void group_free(struct group *g)
{
	if (g == NULL)
		return;
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	if (g->lock_fd >= 0)
		close(g->lock_fd);
	free(g);
}

/* Takes (F_WRLCK, waiting for it) or gives back (F_UNLCK) the writers' turn. An open
 * file description lock: the threads' fcntl calls on the one descriptor do not undo
 * SQLite's own locks, and a process that dies gives its turn back. Errors are ignored,
 * as the lock only orders the writers. */
static void writers_turn(const struct group *g, short type)
{
	struct flock l = {.l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};

	if (g->lock_fd < 0)
		return;
	while (fcntl(g->lock_fd, type == F_UNLCK ? F_OFD_SETLK : F_OFD_SETLKW, &l) < 0 &&
	       errno == EINTR)
		;
}

static int exec(struct db *db, const char *sql)
{
	return db_exec_stmt(db_stmt(db, sql));
}

/* Writes one batch on db: each job in its own savepoint, one commit. */
static void write_batch(struct db *db, struct job *batch)
{
	static const char savepoint[] = "SAVEPOINT submission";
	static const char release[] = "RELEASE submission";
	static const char rollback_to[] = "ROLLBACK TO submission";
	struct job *j;

	if (db_begin(db) < 0) {
		for (j = batch; j; j = j->next) {
			j->err = CONSENT_ERR_DB;
			j->ref[0] = '\0';
		}
		return;
	}
	for (j = batch; j; j = j->next) {
		if (exec(db, savepoint) < 0) {
			j->err = CONSENT_ERR_DB;
			j->ref[0] = '\0';
			continue;
		}
		j->err = consent_record_in(db, j->s, j->ref);
		if (j->err != CONSENT_OK && exec(db, rollback_to) < 0) {
			/* the savepoint cannot be undone: nothing of the batch may be kept */
			db_rollback(db);
			for (j = batch; j; j = j->next) {
				j->err = CONSENT_ERR_DB;
				j->ref[0] = '\0';
			}
			return;
		}
		exec(db, release);
	}
	if (db_commit(db) < 0) {
		for (j = batch; j; j = j->next) {
			if (j->err == CONSENT_OK)
				j->err = CONSENT_ERR_DB;
			j->ref[0] = '\0';
		}
	}
}

enum consent_err group_record(struct group *g, struct db *db, const struct consent_submission *s,
                              char ref[CONSENT_REF_MAX])
{
	struct job me = {.s = s, .ref = ref};

	if (g == NULL)
		return consent_record(db, s, ref);
	pthread_mutex_lock(&g->mu);
	*g->tail = &me;
	g->tail = &me.next;
	while (!me.done) {
		if (!g->writing) {
			struct job *batch = g->head, *j;
			long long n = 0;
			g->head = NULL;
			g->tail = &g->head;
			g->writing = 1;
			pthread_mutex_unlock(&g->mu);
			writers_turn(g, F_WRLCK);
			write_batch(db, batch);
			writers_turn(g, F_UNLCK);
			pthread_mutex_lock(&g->mu);
			for (j = batch; j; j = j->next) {
				j->done = 1;
				n++;
			}
			g->batches++;
			g->submissions += n;
			g->writing = 0;
			pthread_cond_broadcast(&g->cv);
		} else {
			pthread_cond_wait(&g->cv, &g->mu);
		}
	}
	pthread_mutex_unlock(&g->mu);
	return me.err;
}

void group_counts(struct group *g, long long *batches, long long *submissions)
{
	pthread_mutex_lock(&g->mu);
	*batches = g->batches;
	*submissions = g->submissions;
	pthread_mutex_unlock(&g->mu);
}
