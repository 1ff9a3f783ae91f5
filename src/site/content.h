/* content: the policy content tree (content/) loaded, validated and indexed.
 *
 *   content/site.yaml                       the settings (settings.h): name per language,
 *   content/i18n/<lang>.yaml                base_url, languages; every UI string
 *   content/policies/<slug>/<date>.<lang>.md   one file per version per language
 *
 * Loading never stops at the first problem: every error and warning is collected as a
 * diagnostic "path:line: message", so `policygen check` can report them all at once.
 * Markdown bodies are not kept in memory; content_body() reads one when it is needed. */
#ifndef CONTENT_H
#define CONTENT_H

#include "arena.h"
#include "buf.h"
#include "date.h"
#include "fmcache.h"
#include "settings.h"
#include "yml.h"

#define CONTENT_MAX_LANGS SETTINGS_MAX_LANGS
/* The largest policy file, in bytes. libcmark takes time that grows faster than the
 * length on some inputs (tests/site/test-pathological.c): bounded here, no file can make
 * a build slow. About 15,000 words, five times the longest policy seen. */
#define CONTENT_MAX_FILE (96 * 1024)

/* Policies are loaded by this many threads at most (content_jobs). */
#define CONTENT_MAX_THREADS 8

enum diag_level { DIAG_WARNING, DIAG_ERROR, DIAG__MAX };
extern const char *const diag_level_names[DIAG__MAX];

struct diag {
	enum diag_level level;
	const char *path;
	int line; /* 0: the file as a whole */
	const char *msg;
	struct diag *next;
};

/* One language's file of a version. */
struct text {
	const char *path;
	const char *lang;
	const char *title;
	const char *summary;     /* NULL when absent */
	const char *declaration; /* NULL when absent */
	const char *changes;     /* one-line summary of the changes from the version before */
	int body_line;           /* line of the file where the Markdown body starts */
	long long size, mtime_s, mtime_ns, ino; /* the file's status when it was loaded */
};

struct policy;

/* One "reviewed, no changes" re-adoption of a version (front matter `reviewed:`). */
struct reviewed {
	struct date date; /* the meeting that re-adopted the version */
	char iso[11];
	const char *approved_by;    /* who re-adopted it */
	const char *minute;         /* minute reference, NULL when absent */
	const char *review_written; /* the next review it set, as written */
	struct review review;
};

struct version {
	struct date date; /* from the file name: the version's identity */
	char iso[11];     /* the date as YYYY-MM-DD, used in URLs */
	struct policy *policy;
	struct text *text[CONTENT_MAX_LANGS]; /* by language index; NULL where no file */
	struct review review;       /* the next review: the latest re-adoption's, if any */
	const char *review_written; /* as in the front matter (or the latest re-adoption) */
	const char *approved_by, *owner, *review_frequency; /* NULL when absent */
	const char *minute;         /* minute reference of the approving meeting, or NULL */
	struct date approved_on;    /* date of the approving meeting; y 0 when absent */
	struct reviewed *reviewed;  /* re-adoptions without change, ascending by date */
	size_t nreviewed;
	const char **audience;
	size_t naudience;
	struct date effective; /* publication date; the version date unless given */
	int resign;            /* families who signed an earlier version sign again */
	int published;         /* effective on or before today */
};

struct policy {
	const char *slug;
	const char *dir;
	struct version *versions; /* ascending by date */
	size_t nversions;
	struct date *previous; /* older versions known only by date, ascending */
	size_t nprevious;
};

/* The accessibility statement's facts, from the `accessibility:` section of site.yaml.
 * Strings per language are indexed like site->langs. */
struct accessibility {
	int given;                                /* the section is there (and checked) */
	const char *contact[CONTENT_MAX_LANGS];   /* who to ask, e.g. "the school office" */
	const char *email, *phone;                /* NULL when not given */
	const char *formats[CONTENT_MAX_LANGS];   /* the other formats offered */
	struct date tested;                       /* when the site was last tested */
	const char *standard;                     /* e.g. "WCAG 2.2 AA" */
	int partial;                              /* meets the standard only in part */
	const char **problems[CONTENT_MAX_LANGS]; /* known problems, when partial */
	size_t nproblems[CONTENT_MAX_LANGS];
};

/* The loaded content: the settings copied out, every policy and its versions, and the
 * problems found. Owned by content_load's caller; content_free frees it. */
struct content {
	struct arena *arena;
	const char *dir;
	struct settings *settings; /* site.yaml and the UI strings; the fields below copy it */
	struct date today;
	const char *langs[CONTENT_MAX_LANGS]; /* langs[0] is the default language */
	size_t nlangs;
	const char *name[CONTENT_MAX_LANGS]; /* the school's name per language */
	const char *base_url;                /* without a trailing slash */
	struct accessibility a11y;
	const struct yml *i18n[CONTENT_MAX_LANGS]; /* flat mapping of UI strings */
	struct policy *policies; /* sorted by slug */
	size_t npolicies;
	struct fmcache *cache;  /* may be NULL */
	/* The memory of the policies that other threads loaded (content_load), freed with
	 * the arena above. */
	struct arena *more[CONTENT_MAX_THREADS - 1];
	struct arena *scratch;  /* front matter of the policy being loaded */
	struct diag *diags, **diags_tail;
	size_t nerrors, nwarnings;
};

/* How many processes or threads a build may keep busy at once, from 1 to max:
 * $POLICYGEN_JOBS when set (1: no more than one), else the number of cores online. */
size_t content_jobs(size_t max);

/* Loads and checks the content under dir as of today. Returns NULL only when out of
 * memory; otherwise check site->nerrors. Free with content_free(). */
struct content *content_load(const char *dir, const struct date *today);
/* As content_load; files unchanged since they were put in the cache are not read or
 * parsed again, and every file parsed is added to it. */
struct content *content_load_cached(const char *dir, const struct date *today, struct fmcache *);
void content_free(struct content *);
/* Loads the folder policies/<slug> of s again, as content_load_cached would (without the
 * cache): the policy is replaced, added in slug order (a new folder) or removed (gone, or
 * none of its versions readable). Its diagnostics go to *diags and *nerrors, not to s's.
 * *loaded receives the policy in s->policies, or NULL when it is not there. Pointers to
 * policies may move. For `policygen watch`. Returns 0, or -1 when out of memory. */
int content_reload_policy(struct content *, const char *slug, struct diag **diags,
                          size_t *nerrors, struct policy **loaded);

/* Index of lang in site->langs, or -1. */
int content_lang(const struct content *, const char *lang);
/* Appends the Markdown body of a file to out. Returns 0, or -1 with errno set. */
int content_body(const struct text *, struct buf *out);
/* The latest published version, or NULL when none is published yet. */
const struct version *content_policy_current(const struct policy *);
/* The version's text in language li, or NULL. */
const struct text *content_version_text(const struct version *, size_t li);
/* The latest published version at or before v that has a file in language li, or NULL. */
const struct version *content_policy_latest_in(const struct policy *, const struct version *v,
                                               size_t li);
/* The translation into language li of a field value written in the default language
 * (approved_by, owner, audience, review_frequency), from the `terms:` mapping of the
 * language's i18n file; the value itself for the default language; NULL when missing. */
const char *content_term(const struct content *, size_t li, const char *value);
/* A UI string; the key itself when missing (check reports missing keys). */
const char *content_i18n(const struct content *, size_t li, const char *key);

/* Adds a diagnostic; msg is printf-style. */
void content_diag(struct content *, enum diag_level, const char *path, int line, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));

#endif
