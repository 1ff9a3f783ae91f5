/* group: group commit of submissions made by the threads of one process.
 *
 * At synchronous=FULL every COMMIT waits for an fsync of the WAL, and SQLite has one
 * writer at a time, so a process answering one request at a time commits one submission
 * per fsync. A sign.fcgi with several threads (one request and one database connection
 * each) records through group_record instead: the first thread to arrive becomes the
 * writer, takes every submission waiting (its own too), and on its own connection opens
 * one BEGIN IMMEDIATE, runs each submission in a SAVEPOINT of its own (consent_record_in;
 * a refused one is rolled back alone), commits once, and only then lets each thread
 * answer with its reference or its error. The threads that arrived meanwhile wait, and
 * the next of them writes the next batch. An acknowledged submission is as durable as
 * one committed alone; a crash before the COMMIT loses only submissions not yet answered.
 *
 * Every submission's memory belongs to its thread, which waits until its batch is done.
 *
 * Several sign.fcgi processes each have a group, and their writers take turns through a
 * lock file beside the database (GROUP_LOCK_SUFFIX): a writer waiting for another
 * process's batch sleeps in the kernel until that batch is committed, where SQLite's
 * busy handler would poll and could lose the lock again and again to the other
 * process's next batch (waits of 80 to 160 ms were measured that way). The lock only
 * orders the writers; SQLite's own lock still guards the database, and a failed or
 * missing lock file costs nothing but the order. */
#ifndef GROUP_H
#define GROUP_H

#include "consent.h"
#include "db.h"

struct group;

#define GROUP_LOCK_SUFFIX "-group.lock" /* beside the database: DB + this */

/* A new group, or NULL when out of memory or a mutex cannot be made. lock_path: the lock
 * file the writers of every process take turns with (made when missing), or NULL for
 * none; a lock file that cannot be opened leaves the group without one. */
struct group *group_new(const char *lock_path);
void group_free(struct group *);

/* Records s as consent_record does, in the next batch written (db is the calling thread's
 * own connection, used when this thread writes the batch). Returns as consent_record:
 * CONSENT_OK only once the batch holding s is committed. With g NULL, consent_record. */
enum consent_err group_record(struct group *g, struct db *db, const struct consent_submission *s,
                              char ref[CONSENT_REF_MAX]);

/* Batches committed and submissions in them so far (for the log and the benchmark). */
void group_counts(struct group *g, long long *batches, long long *submissions);

#endif
