/* publish: the generator's side of publishing from the office (`policygen serve`).
 *
 * office.fcgi never reads the policy folders or writes the site itself: at start-up,
 * before it enters its sandbox, it starts `policygen serve` with two pipes and asks it,
 * in wire.h messages, for one of these verbs (request fields -> answer fields):
 *
 *   list                      -> per policy: policy, title, current, review, review_due,
 *                                status, lang.<l> (ok|outdated|missing), scheduled...;
 *                                problem... (errors in the content)
 *   show    slug              -> base, the versions (version, effective, published,
 *                                approved_by, approved_on, minute, langs, changes,
 *                                reviewed...), the form's values (form.*), and per other
 *                                language: <l>.from, <l>.diff (word diff of the default
 *                                language since the version last translated)
 *   preview draft             -> error... / warning... ("FIELD\tmessage"), page,
 *                                changes (the pages as built, whole HTML)
 *   publish draft, base       -> as preview; then path, sha256, effective, scheduled,
 *                                built; or "conflict" when the policy changed since base
 *   readopt slug, base, date, approved_by, review, minute -> path, sha256, built
 *   docx    docx (the file)   -> markdown, lost... (what could not be kept)
 *
 * A draft is: slug, lang, new (1 for a new policy), date (the version date, default
 * today), and the front-matter fields as text (title, summary, review, approved_by,
 * approved_on, minute, owner, audience (comma-separated), review_frequency, effective,
 * declaration, resign (0/1), changes), and body (Markdown).
 *
 * An answer's verb is "ok", "invalid" (error fields say why), "conflict" or "fail"
 * (message says why). Publishing only ever creates files (a version's file is never
 * replaced; a re-adoption rewrites the front matter of the current default-language file,
 * never its text), under an exclusive lock, after comparing `base`: the SHA-256 of the
 * policy folder's file names and contents when the form was opened. */
#ifndef PUBLISH_H
#define PUBLISH_H

#include "date.h"

#define PUBLISH_MAX_BODY (512 * 1024) /* bytes of Markdown in one version */
#define PUBLISH_MAX_DOCX (10 * 1024 * 1024)
#define PUBLISH_PANDOC_SECONDS 30

struct publish_opts {
	const char *content, *templates, *out;
	const char *portal, *state; /* as policygen build --portal, --state */
	const char *lock;   /* the lock file (made when missing) */
	const char *pandoc; /* the pandoc program */
	struct date today;
};

/* Answers requests read from in_fd on out_fd until in_fd ends. Returns 0 at the end,
 * -1 when a message could not be read or written (logged on standard error). */
int publish_serve(const struct publish_opts *, int in_fd, int out_fd);

#endif
