#define _GNU_SOURCE /* pipe2 */
#include "policies.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

struct policies {
	pid_t pid;
	int to, from; /* our ends: the helper's standard input and output */
	int gone;     /* a request failed: the helper is not asked again */
	struct buf raw;
};

struct policies *policies_start(const char *policygen, const char *content, const char *templates,
                                const char *out, struct buf *err)
{
	struct policies *p = calloc(1, sizeof *p);
	int in[2] = {-1, -1}, outp[2] = {-1, -1}, rc;
	posix_spawn_file_actions_t fa;
	char *argv[] = {(char *)policygen, "serve",       "--content",
	                (char *)content,   "--templates", (char *)templates,
	                "--out",           (char *)out,   NULL};

	if (p == NULL) {
		buf_puts(err, "out of memory\n");
		return NULL;
	}
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(outp, O_CLOEXEC) < 0) {
		buf_printf(err, "cannot make a pipe: %s\n", strerror(errno));
		goto fail;
	}
	/* The helper's standard input and output are the pipes (in FastCGI, the office's
	 * standard input is the listening socket: never the helper's). */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	rc = posix_spawn(&p->pid, policygen, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		buf_printf(err, "cannot start %s serve: %s\n", policygen, strerror(rc));
		goto fail;
	}
	close(in[0]);
	close(outp[1]);
	p->to = in[1];
	p->from = outp[0];
	/* A helper that dies makes writes fail with EPIPE instead of killing the office. */
	signal(SIGPIPE, SIG_IGN);
	return p;
fail:
	if (in[0] >= 0) {
		close(in[0]);
		close(in[1]);
	}
	if (outp[0] >= 0) {
		close(outp[0]);
		close(outp[1]);
	}
	free(p);
	return NULL;
}

void policies_stop(struct policies *p)
{
	if (p == NULL)
		return;
	/* Closing its input ends the helper. It is not waited for: the sandbox forbids wait4,
	 * and the office is exiting, so init collects it. */
	close(p->to);
	close(p->from);
	buf_free(&p->raw);
	free(p);
}

int policies_ask(struct policies *p, const struct buf *request, struct wire_msg *m, struct arena *a,
                 struct buf *err)
{
	int rc;

	if (p == NULL || p->gone) {
		buf_puts(err, "the policygen helper is not running (see the log above; restart the "
		              "office program)");
		return -1;
	}
	if (wire_write(p->to, request) < 0) {
		buf_printf(err, "cannot send to policygen serve: %s", strerror(errno));
		p->gone = 1;
		return -1;
	}
	rc = wire_read(p->from, &p->raw, m, a, POLICIES_TIMEOUT_MS, err);
	if (rc == 1)
		return 0;
	if (rc == 0)
		buf_puts(err, "policygen serve ended");
	p->gone = 1; /* an answer half read leaves the stream out of step */
	return -1;
}

static int record(struct db *db, const char *what, const char *staff, const char *path,
                  const char *sha256)
{
	struct db_event e;
	char detail[1200];

	snprintf(detail, sizeof detail, "%s %s sha256 %s", what, path, sha256);
	memset(&e, 0, sizeof e);
	e.kind = "policy";
	e.channel = "office";
	e.staff = staff;
	e.detail = detail;
	return db_event_append(db, &e) < 0 ? -1 : 0;
}

int policies_record(struct db *db, const char *what, const char *staff, const char *path,
                    const char *sha256)
{
	if (db_begin(db) < 0)
		return -1;
	if (record(db, what, staff, path, sha256) < 0 || db_commit(db) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int policies_once_get(struct db *db, const char *once, char where[POLICIES_ONCE_MAX + 1])
{
	static const char sql[] = "SELECT location FROM policy_once WHERE nonce = ?1";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, once, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(where, POLICIES_ONCE_MAX + 1, "%s",
		         (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int policies_once_put(struct db *db, const char *once, const char *where, const char *what,
                      const char *staff, const char *path, const char *sha256)
{
	static const char sql[] =
	    "INSERT INTO policy_once (nonce, location, staff, at) VALUES (?1, ?2, ?3, ?4)";
	sqlite3_stmt *st;
	char now[21];

	if (db_begin(db) < 0)
		return -1;
	db_now(now);
	if ((st = db_stmt(db, sql)) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, once, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, where, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, staff, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	if (db_exec_stmt(st) < 0 || record(db, what, staff, path, sha256) < 0 || db_commit(db) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}
