/* policies: the office's link to the policy generator, and the record of what staff
 * publish.
 *
 * office.fcgi never reads the policy folders nor writes the site: at start-up, before it
 * enters its sandbox (which forbids starting programs), it starts `policygen serve` with
 * a pipe each way (policies_start) and afterwards only sends it requests and reads its
 * answers (policies_ask, messages as in wire.h, verbs in src/site/publish.h). The helper
 * runs outside the office's sandbox with the same user's rights, and is the only part
 * that writes policy files and the site. If it dies, publishing answers "unavailable"
 * until the office program is restarted.
 *
 * Every publish, re-adoption and scheduled version is an event in the hash-chained log
 * (kind "policy", channel "office", the staff user, and in detail what, the file and the
 * SHA-256 of its text): policies_record. A form's once-only value is remembered with the
 * address it led to (policies_once_*), so a second press of Publish shows the first
 * result instead of publishing again. */
#ifndef POLICIES_H
#define POLICIES_H

#include "arena.h"
#include "buf.h"
#include "db.h"
#include "wire.h"

#define POLICIES_TIMEOUT_MS (10 * 60 * 1000) /* the longest wait for an answer: a build */
#define POLICIES_ONCE_MAX 80                 /* bytes of the address a once-only value keeps */

struct policies;

/* Starts `policygen serve --content content --templates templates --out out` from the
 * program at policygen, with its standard input and output on pipes and standard error
 * shared. Returns the link, or NULL with a message in err. */
struct policies *policies_start(const char *policygen, const char *content, const char *templates,
                                const char *out, struct buf *err);
/* Closes the pipes (the helper then ends; it is not waited for). NULL is fine. */
void policies_stop(struct policies *);

/* Sends request (a whole wire message) and reads the answer into m, its strings in a.
 * Returns 0, or -1 with a message in err (the helper is then considered gone). */
int policies_ask(struct policies *, const struct buf *request, struct wire_msg *m, struct arena *a,
                 struct buf *err);

/* Appends a "policy" event: detail "<what> <path> sha256 <hex>". what is "publish",
 * "schedule" or "readopt". Returns 0 or -1 (the database's message in db_errmsg). */
int policies_record(struct db *, const char *what, const char *staff, const char *path,
                    const char *sha256);

/* The address a form's once-only value led to: 1 with it in where, 0 when the value is
 * new, -1 on error. */
int policies_once_get(struct db *, const char *once, char where[POLICIES_ONCE_MAX + 1]);
/* Records the event (as policies_record) and the once-only value in one transaction. */
int policies_once_put(struct db *, const char *once, const char *where, const char *what,
                      const char *staff, const char *path, const char *sha256);

#endif
