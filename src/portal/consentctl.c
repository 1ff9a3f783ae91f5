/* consentctl: the administrator's command line for the consent database.
 *
 * Every command is a small function over the library modules (db, catalog, roster,
 * export, letters); this file only parses the command line, reads and writes files and
 * reports. Errors are one line "consentctl: ..." on standard error with exit status 1;
 * usage errors exit with 2. Tokens are printed only by `tokens` and written only into
 * letters; passwords are never printed. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "audit.h"
#include "catalog.h"
#include "config.h"
#include "consent.h"
#include "csv.h"
#include "date.h"
#include "db.h"
#include "export.h"
#include "handoff.h"
#include "letters.h"
#include "mis.h"
#include "out.h"
#include "roster.h"
#include "search.h"
#include "settings.h"
#include "staff.h"
#include "token.h"
#include "utf8.h"
#include "checkpoint.h"

#define MAX_IMPORT_BYTES (50L * 1024 * 1024)
#define MAX_PASSWORD_BYTES 1024

static const char usage_text[] =
    "usage: consentctl --db FILE COMMAND [OPTIONS] [ARGUMENTS]\n"
    "\n"
    "  init [--content DIR] [--portal DIR] [--key FILE]\n"
    "      Create the database or upgrade its schema, load the photo purposes from\n"
    "      DIR/consent.yaml (default: content) and the policy versions parents sign from\n"
    "      PORTAL/signable.tsv (default: var/portal, written by policygen build) when it\n"
    "      exists, and make the portal's secret key and the checkpoint signing key\n"
    "      (DB.checkpoint-key, mode 0600, or --key FILE). Safe to run again.\n"
    "  sync [--content DIR] [--portal DIR]\n"
    "      Load consent.yaml and signable.tsv again, after editing them or building the\n"
    "      site. Published versions are never changed or removed.\n"
    "  import [--dry-run] [--allow-leavers] [--allow-move] [--map field=Header,...] FILE\n"
    "      Add and update families and children from the school's export: a SIMS, Arbor\n"
    "      or Bromcom pupil/contact report as it comes, or the columns family_ref,\n"
    "      child_ref, first_name, last_name, class (optional carers, language). Without a\n"
    "      family reference, siblings sharing a primary contact form a family. Children\n"
    "      missing from the file are marked as left; when that would be more than 10 %\n"
    "      of them (and at least 3) nothing is imported unless --allow-leavers is given.\n"
    "      A column the file does not have keeps what the database holds. When any row is\n"
    "      bad, every bad row is listed and nothing is imported. --dry-run prints every\n"
    "      change the import would make and changes nothing. --map names the columns of\n"
    "      other exports: --map 'class=Group,carers=Mum,Dad'. --allow-move lets a child\n"
    "      move to another family (their current photo answers are cleared).\n"
    "  import --columns [--map field=Header,...] FILE\n"
    "      Print how the file's header row is understood, field by field; imports\n"
    "      nothing and needs no --db. Exit status 1 when a required field has no column.\n"
    "  tokens [--base-url URL] [--family REF] [--reissue] [--content DIR]\n"
    "      Issue a token to each current family without one (or only to REF) and print\n"
    "      family_ref,url as CSV. A token is shown only this once. --reissue gives new\n"
    "      tokens and revokes the old ones, whose links and QR codes stop working.\n"
    "  letters --out FILE.html [--class NAME] [--family REF] [--outstanding]\n"
    "          [--base-url URL] [--content DIR] [--templates DIR]\n"
    "      Write printable A4 letters, one page per current family, with the family's QR\n"
    "      code and link. Only a token's hash is stored, so each letter carries a NEW\n"
    "      token: printing a family's letter makes its earlier letter, link and QR code\n"
    "      stop working. --outstanding: only families still to sign or answer.\n"
    "  add-staff USERNAME [--role office|editor]\n"
    "      Add an office user (a-z, 0-9, '.', '_', '-'). The password, at least 12\n"
    "      characters, is read from standard input (asked twice on a terminal). The\n"
    "      role office (the default) does consent work; editor also publishes policies.\n"
    "  set-role USERNAME --role office|editor\n"
    "      Change what an office user may do (takes effect at their next request).\n"
    "  set-password USERNAME\n"
    "      Give an office user a new password (from standard input, as add-staff); their\n"
    "      sessions end.\n"
    "  disable-staff USERNAME | enable-staff USERNAME\n"
    "      Stop an office user signing in (their sessions end at once), or allow it again.\n"
    "  export declarations|photo|outstanding\n"
    "      Write a list as CSV (UTF-8 with a byte order mark) to standard output.\n"
    "  verify [--checkpoint FILE]... [--key FILE]\n"
    "      Check the database's integrity and the event log's hash chain; exit status 1\n"
    "      when a problem is found. Each --checkpoint FILE (saved from checkpoint) must\n"
    "      be signed by the key and be a prefix of today's log, so removing or rewriting\n"
    "      events since it was made is found.\n"
    "  checkpoint [--key FILE] [--verifier-key]\n"
    "      Print a signed checkpoint of the event log (C2SP tlog-checkpoint, Ed25519),\n"
    "      to save or give to governors. The key (made by init) is DB.checkpoint-key\n"
    "      unless --key names another. --verifier-key prints the public key that\n"
    "      checks it (docs/evidence.md).\n"
    "  backup FILE\n"
    "      Copy the database to the new file FILE, safely while the portal runs. To\n"
    "      restore, stop the portal and put the copy in place of the database file.\n"
    "  purge --left-before YYYY-MM-DD\n"
    "      Delete the personal data of families and children who left before the date;\n"
    "      the event log keeps anonymous entries and still verifies.\n"
    "  config\n"
    "      Print every setting of the configuration as 'key = value' (no --db needed).\n"
    "\n"
    "--db, --content, --portal and --templates default to the configuration file's db,\n"
    "content, portal and templates (--config FILE, else $CONSENT_CONFIG; see\n"
    "policies.conf(5)). The base URL defaults to the configuration's base_url, else\n"
    "base_url in CONTENT/site.yaml.\n";

/* Options, each allowed for some commands. */
enum opt {
	O_DB,
	O_CONFIG,
	O_CONTENT,
	O_PORTAL,
	O_TEMPLATES,
	O_BASE_URL,
	O_FAMILY,
	O_CLASS,
	O_OUT,
	O_LEFT_BEFORE,
	O_REISSUE,
	O_OUTSTANDING,
	O_ALLOW_MOVE,
	O_DRY_RUN,
	O_ALLOW_LEAVERS,
	O_MAP,
	O_COLUMNS,
	O_KEY,
	O_CHECKPOINT,
	O_VERIFIER_KEY,
	O_ROLE,
	O__MAX
};

static const struct {
	const char *name;
	int has_arg;
} opts[O__MAX] = {
    [O_DB] = {"db", 1},
    [O_CONFIG] = {"config", 1},
    [O_CONTENT] = {"content", 1},
    [O_PORTAL] = {"portal", 1},
    [O_TEMPLATES] = {"templates", 1},
    [O_BASE_URL] = {"base-url", 1},
    [O_FAMILY] = {"family", 1},
    [O_CLASS] = {"class", 1},
    [O_OUT] = {"out", 1},
    [O_LEFT_BEFORE] = {"left-before", 1},
    [O_REISSUE] = {"reissue", 0},
    [O_OUTSTANDING] = {"outstanding", 0},
    [O_ALLOW_MOVE] = {"allow-move", 0},
    [O_DRY_RUN] = {"dry-run", 0},
    [O_ALLOW_LEAVERS] = {"allow-leavers", 0},
    [O_MAP] = {"map", 1},
    [O_COLUMNS] = {"columns", 0},
    [O_KEY] = {"key", 1},
    [O_CHECKPOINT] = {"checkpoint", 1},
    [O_VERIFIER_KEY] = {"verifier-key", 0},
    [O_ROLE] = {"role", 1},
};

#define MAX_CHECKPOINTS 64 /* --checkpoint FILE given to one verify */

struct ctx {
	const char *val[O__MAX]; /* given options; "1" for a flag */
	const char *checkpoints[MAX_CHECKPOINTS]; /* every --checkpoint, in order */
	int ncheckpoints;
	char **args;             /* operands after the command */
	int nargs;
	struct db *db;
};

#define BIT(o) (1u << (o))

static int cmd_init(struct ctx *);
static int cmd_sync(struct ctx *);
static int cmd_import(struct ctx *);
static int cmd_tokens(struct ctx *);
static int cmd_letters(struct ctx *);
static int cmd_add_staff(struct ctx *);
static int cmd_set_password(struct ctx *);
static int cmd_set_role(struct ctx *);
static int cmd_disable_staff(struct ctx *);
static int cmd_enable_staff(struct ctx *);
static int cmd_export(struct ctx *);
static int cmd_verify(struct ctx *);
static int cmd_backup(struct ctx *);
static int cmd_purge(struct ctx *);
static int cmd_checkpoint(struct ctx *);
static int cmd_config(struct ctx *);

static const struct command {
	const char *name;
	int (*fn)(struct ctx *);
	unsigned opts; /* allowed besides --db */
	int nargs;     /* operands required */
	const char *args;
} commands[] = {
    {"init", cmd_init, BIT(O_CONTENT) | BIT(O_PORTAL) | BIT(O_KEY), 0, ""},
    {"checkpoint", cmd_checkpoint, BIT(O_KEY) | BIT(O_VERIFIER_KEY), 0, ""},
    {"sync", cmd_sync, BIT(O_CONTENT) | BIT(O_PORTAL), 0, ""},
    {"import", cmd_import,
     BIT(O_ALLOW_MOVE) | BIT(O_DRY_RUN) | BIT(O_ALLOW_LEAVERS) | BIT(O_MAP) | BIT(O_COLUMNS), 1,
     " FILE"},
    {"tokens", cmd_tokens, BIT(O_BASE_URL) | BIT(O_FAMILY) | BIT(O_REISSUE) | BIT(O_CONTENT), 0,
     ""},
    {"letters", cmd_letters,
     BIT(O_OUT) | BIT(O_BASE_URL) | BIT(O_CLASS) | BIT(O_FAMILY) | BIT(O_OUTSTANDING) |
         BIT(O_CONTENT) | BIT(O_TEMPLATES),
     0, ""},
    {"add-staff", cmd_add_staff, BIT(O_ROLE), 1, " USERNAME [--role office|editor]"},
    {"set-role", cmd_set_role, BIT(O_ROLE), 1, " USERNAME --role office|editor"},
    {"set-password", cmd_set_password, 0, 1, " USERNAME"},
    {"disable-staff", cmd_disable_staff, 0, 1, " USERNAME"},
    {"enable-staff", cmd_enable_staff, 0, 1, " USERNAME"},
    {"export", cmd_export, 0, 1, " declarations|photo|outstanding"},
    {"verify", cmd_verify, BIT(O_KEY) | BIT(O_CHECKPOINT), 0, ""},
    {"backup", cmd_backup, 0, 1, " FILE"},
    {"purge", cmd_purge, BIT(O_LEFT_BEFORE), 0, ""},
    {"config", cmd_config, 0, 0, ""},
};

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("consentctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(consentctl --help shows the commands)\n", stderr);
	exit(2);
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "consentctl: message" and returns 1, the exit status of a failed command. */
static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("consentctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* Prints a module's message (lines ending in '\n') after "consentctl: ". */
static int fail_buf(const struct buf *b)
{
	const char *s = buf_str(b);
	size_t n;

	if (*s == '\0')
		return fail("failed (no message)");
	for (; *s; s += n + (s[n] == '\n')) {
		n = strcspn(s, "\n");
		fprintf(stderr, "consentctl: %.*s\n", (int)n, s);
	}
	return 1;
}

static const char *opt(const struct ctx *c, enum opt o, const char *def)
{
	return c->val[o] ? c->val[o] : def;
}

/* Writes all of b to stdout; returns 0 or 1 after reporting. */
static int put_stdout(const struct buf *b)
{
	if (!buf_ok(b))
		return fail("out of memory");
	if (fwrite(buf_str(b), 1, b->len, stdout) != b->len || fflush(stdout) != 0)
		return fail("cannot write to standard output: %s", strerror(errno));
	return 0;
}

static int open_db(struct ctx *c, enum db_open_mode mode)
{
	struct buf err = BUF_INIT;
	int rc = 0;

	if ((c->db = db_open(c->val[O_DB], mode, &err)) == NULL)
		rc = fail_buf(&err);
	buf_free(&err);
	return rc;
}

static void today_iso(char out[11])
{
	struct date d;
	struct buf b = BUF_INIT;

	if (date_today(&d) < 0 || date_format_iso(&b, &d) < 0 || b.len != 10) {
		snprintf(out, 11, "1970-01-01");
	} else {
		memcpy(out, b.data, 11);
	}
	buf_free(&b);
}

/* The school's settings (names, UI strings, base_url; settings.h): never the policies.
 * NULL after reporting. */
static struct settings *load_site(const struct ctx *c)
{
	struct buf err = BUF_INIT;
	struct settings *s = settings_open(opt(c, O_CONTENT, "content"), &err);

	if (s == NULL)
		fail_buf(&err);
	buf_free(&err);
	return s;
}

/* The base URL: --base-url, else the site's. NULL after reporting. */
static const char *base_url(const struct ctx *c, const struct settings *s)
{
	const char *u = c->val[O_BASE_URL] ? c->val[O_BASE_URL] : s->base_url;

	if (!roster_base_url_valid(u)) {
		fail("base URL '%s' is not usable: it must start http:// or https://, name a host "
		     "and have no spaces, query or fragment",
		     u);
		return NULL;
	}
	return u;
}

static int sync_catalog(struct ctx *c)
{
	const char *content = opt(c, O_CONTENT, "content");
	const char *portal = opt(c, O_PORTAL, "var/portal");
	struct buf path = BUF_INIT, tsv = BUF_INIT, err = BUF_INIT;
	struct catalog *cat;
	sqlite3_stmt *st;
	int rc = 1, have_tsv;

	buf_printf(&path, "%s/consent.yaml", content);
	buf_printf(&tsv, "%s/%s", portal, HANDOFF_SIGNABLE);
	have_tsv = access(buf_str(&tsv), F_OK) == 0;
	if ((cat = catalog_load(buf_str(&path), &err)) == NULL) {
		rc = fail_buf(&err);
		goto out;
	}
	if (catalog_sync(c->db, cat, have_tsv ? buf_str(&tsv) : NULL, &err) < 0) {
		rc = fail_buf(&err);
		goto out;
	}
	printf("%s: %zu photo purposes", buf_str(&path), cat->npurposes);
	if ((st = db_stmt(c->db, "SELECT count(DISTINCT slug || ' ' || version) FROM document")) &&
	    sqlite3_step(st) == SQLITE_ROW)
		printf("; %lld signable policy versions in the database\n",
		       sqlite3_column_int64(st, 0));
	else
		printf("\n");
	if (st)
		sqlite3_reset(st);
	if (!have_tsv)
		printf("%s: not found: build the site with policygen build, then run "
		       "consentctl sync\n",
		       buf_str(&tsv));
	rc = 0;
out:
	catalog_free(cat);
	buf_free(&path);
	buf_free(&tsv);
	buf_free(&err);
	return rc;
}

static int make_checkpoint_key(struct ctx *c);

/* 1 when the log has event-v1 events and no baseline yet: a database from before event-v2,
 * just upgraded, whose tables need a baseline event (audit_baseline). */
static int has_events(struct db *db)
{
	static const char sql[] = "SELECT EXISTS (SELECT 1 FROM event WHERE v IS NULL)"
	                          " AND NOT EXISTS (SELECT 1 FROM event WHERE kind = 'baseline')";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc = 0;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		rc = sqlite3_column_int(st, 0);
	if (st)
		sqlite3_reset(st);
	return rc;
}

static int cmd_init(struct ctx *c)
{
	static const char *const secrets[] = {"csrf", "family"};
	unsigned char key[TOKEN_KEY_LEN];
	size_t i;
	struct buf err = BUF_INIT;
	int applied, rc;
	mode_t mask;

	if (out_mkdirs(c->val[O_DB]) < 0)
		return fail("%s: cannot make its folder: %s", c->val[O_DB], strerror(errno));
	/* A new database file is readable by its owner only (the portal's user). */
	mask = umask(077);
	rc = open_db(c, DB_OPEN_CREATE);
	umask(mask);
	if (rc != 0)
		return rc;
	if ((applied = db_migrate(c->db, &err)) < 0) {
		rc = fail_buf(&err);
		buf_free(&err);
		return rc;
	}
	buf_free(&err);
	printf("%s: schema version %d (%d migration%s applied)\n", c->val[O_DB],
	       db_file_version(c->db), applied, applied == 1 ? "" : "s");
	/* A new schema may bring a new search index: fill it from what is there. */
	if (applied > 0 && search_reindex(c->db) < 0)
		return fail("%s: cannot build the search index: %s", c->val[O_DB],
		            db_errmsg(c->db));
	/* Each key is made once, with its `secret` event; running init again keeps it. The
	 * CSRF key signs forms, the family key derives the references of families formed from
	 * a shared contact. An older database that has events from before event-v2 then gets
	 * a `baseline` event recording what those did not (audit.h). */
	for (i = 0, rc = 0; rc == 0 && i < sizeof secrets / sizeof secrets[0]; i++)
		rc = consent_secret_key(c->db, secrets[i], key);
	sodium_memzero(key, sizeof key);
	if (rc < 0)
		return fail("%s: cannot store the secret keys: %s", c->val[O_DB], db_errmsg(c->db));
	if (db_begin(c->db) < 0)
		return fail("%s: %s", c->val[O_DB], db_errmsg(c->db));
	if (rc == 0 && has_events(c->db))
		rc = audit_baseline(c->db);
	if (rc < 0 || db_commit(c->db) < 0) {
		db_rollback(c->db);
		return fail("%s: cannot record the baseline: %s", c->val[O_DB], db_errmsg(c->db));
	}
	if ((rc = make_checkpoint_key(c)) != 0)
		return rc;
	return sync_catalog(c);
}

/* The checkpoint key's file: --key, else beside the database. In c's lifetime. */
static const char *key_path(struct ctx *c, struct buf *b)
{
	if (c->val[O_KEY])
		return c->val[O_KEY];
	checkpoint_key_path(b, c->val[O_DB]);
	return buf_str(b);
}

/* Makes the checkpoint signing key when there is none, named for the site's base_url
 * (docs/evidence.md). Returns 0 or 1 (reported). */
static int make_checkpoint_key(struct ctx *c)
{
	struct buf path = BUF_INIT, err = BUF_INIT;
	char name[CHECKPOINT_NAME_MAX + 1];
	/* Quietly: the settings only name the key; init works without them. */
	struct settings *s = settings_load(opt(c, O_CONTENT, "content"), NULL, NULL);
	int rc;

	checkpoint_origin(name, s && s->nerrors == 0 && s->base_url[0] ? s->base_url : NULL);
	settings_free(s);
	rc = checkpoint_key_make(key_path(c, &path), name, &err);
	if (rc < 0)
		rc = fail_buf(&err);
	else if (rc == 0)
		printf("%s: checkpoint signing key %s made (keep it private; back it up)\n",
		       buf_str(&path)[0] ? buf_str(&path) : c->val[O_KEY], name);
	else
		rc = 0;
	buf_free(&path);
	buf_free(&err);
	return rc;
}

/* Loads the checkpoint key (reported on failure). Returns 0 or 1. */
static int load_checkpoint_key(struct ctx *c, struct checkpoint_key *k)
{
	struct buf path = BUF_INIT, err = BUF_INIT;
	int rc = 0;

	if (checkpoint_key_load(key_path(c, &path), k, &err) < 0)
		rc = fail_buf(&err);
	buf_free(&path);
	buf_free(&err);
	return rc;
}

static int cmd_checkpoint(struct ctx *c)
{
	struct checkpoint_key k;
	struct buf out = BUF_INIT, err = BUF_INIT;
	int rc;

	if ((rc = load_checkpoint_key(c, &k)) != 0)
		return rc;
	if (c->val[O_VERIFIER_KEY]) {
		checkpoint_verifier(&k, &out);
		buf_putc(&out, '\n');
	} else if ((rc = open_db(c, DB_OPEN_READONLY)) != 0) {
		goto out;
	} else if (checkpoint_sign(c->db, &k, &out, &err) < 0) {
		rc = fail_buf(&err);
		goto out;
	}
	rc = put_stdout(&out);
out:
	sodium_memzero(&k, sizeof k);
	buf_free(&out);
	buf_free(&err);
	return rc;
}

static int cmd_sync(struct ctx *c)
{
	int rc = open_db(c, DB_OPEN_EXISTING);

	return rc ? rc : sync_catalog(c);
}

/* import --columns: how the header row is understood. */
static int import_columns(const struct ctx *c, const char *path, const struct buf *data)
{
	struct buf out = BUF_INIT, err = BUF_INIT, missing = BUF_INIT;
	struct mis_columns cols;
	struct csv r;
	const char **h = NULL;
	size_t i;
	int rc = 1;

	csv_init(&r, buf_str(data), data->len);
	if (csv_next(&r) <= 0) {
		rc = fail("%s: %s", path,
		          r.err ? csv_strerror(r.err) : "the file is empty: no header row");
		goto out;
	}
	if ((h = calloc(r.nfield + 1, sizeof *h)) == NULL) {
		rc = fail("out of memory");
		goto out;
	}
	for (i = 0; i < r.nfield; i++)
		h[i] = r.field[i];
	if (mis_match(h, r.nfield, c->val[O_MAP], &cols, &err) < 0) {
		rc = fail_buf(&err);
		goto out;
	}
	buf_printf(&out, "%s: the header row is read as:\n", path);
	mis_describe(h, r.nfield, &cols, &out);
	if (put_stdout(&out) != 0)
		goto out;
	if (mis_missing(&cols, &missing) > 0)
		rc = fail("%s: no column for %s: name it with --map", path, buf_str(&missing));
	else
		rc = 0;
out:
	free(h);
	csv_free(&r);
	buf_free(&out);
	buf_free(&err);
	buf_free(&missing);
	return rc;
}

static int cmd_import(struct ctx *c)
{
	const char *path = c->args[0];
	struct buf data = BUF_INIT, report = BUF_INIT;
	struct roster_counts n;
	struct roster_opts o;
	unsigned char sum[crypto_hash_sha256_BYTES];
	char today[11], hex[2 * crypto_hash_sha256_BYTES + 1];
	struct stat sb;
	int rc;

	if (stat(path, &sb) < 0)
		return fail("%s: %s", path, strerror(errno));
	if (!S_ISREG(sb.st_mode) || sb.st_size > MAX_IMPORT_BYTES)
		return fail("%s: not a regular file of at most %ld MB", path,
		            MAX_IMPORT_BYTES / 1024 / 1024);
	if (buf_read_file(&data, path) < 0)
		return fail("%s: %s", path, strerror(errno));
	if (c->val[O_COLUMNS]) {
		rc = import_columns(c, path, &data);
		goto out;
	}
	if ((rc = open_db(c, DB_OPEN_EXISTING)) != 0)
		goto out;
	today_iso(today);
	crypto_hash_sha256(sum, (const unsigned char *)buf_str(&data), data.len);
	sodium_bin2hex(hex, sizeof hex, sum, sizeof sum);
	memset(&o, 0, sizeof o);
	o.today = today;
	o.map = c->val[O_MAP];
	o.sha256 = hex;
	o.flags = (c->val[O_ALLOW_MOVE] ? ROSTER_MOVE : 0) |
	          (c->val[O_DRY_RUN] ? ROSTER_DRY_RUN : 0) |
	          (c->val[O_ALLOW_LEAVERS] ? ROSTER_ALLOW_LEAVERS : 0);
	rc = roster_import_opts(c->db, path, buf_str(&data), data.len, &o, &n, &report);
	if (rc == 0) {
		rc = put_stdout(&report);
	} else if (rc > 0) {
		fputs(buf_str(&report), stderr);
		rc = fail("%s: nothing was imported; correct the file and import it again", path);
	} else {
		rc = fail_buf(&report);
	}
out:
	buf_free(&data);
	buf_free(&report);
	return rc;
}

struct issued {
	long long id;
	char ref[ROSTER_MAX_REF + 1];
	char token[TOKEN_LEN + 1];
};

/* Clears a buffer that held tokens or letters before it is freed. */
static void wipe(struct buf *b)
{
	if (b->data)
		sodium_memzero(b->data, b->len);
}

/* Says on standard error how many families that have left were skipped, as their links
 * stay shut (the portal shows them "contact the school") until an import brings them
 * back. Returns 0, or -1 on a database error (reported). */
static int tokens_left_note(struct ctx *c)
{
	static const char sql[] = "SELECT count(*) FROM family WHERE left_on IS NOT NULL";
	sqlite3_stmt *st = db_stmt(c->db, sql);
	long long n;

	if (c->val[O_FAMILY])
		return 0;
	if (st == NULL || sqlite3_step(st) != SQLITE_ROW) {
		if (st)
			sqlite3_reset(st);
		fail("database: %s", db_errmsg(c->db));
		return -1;
	}
	n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (n)
		fprintf(stderr,
		        "consentctl: %lld famil%s that ha%s left %s skipped: no token until an "
		        "import lists %s children again\n",
		        n, n == 1 ? "y" : "ies", n == 1 ? "s" : "ve", n == 1 ? "was" : "were",
		        n == 1 ? "its" : "their");
	return 0;
}

static int cmd_tokens(struct ctx *c)
{
	static const char families_sql[] =
	    "SELECT id, ref FROM family WHERE left_on IS NULL ORDER BY ref";
	struct issued *v = NULL;
	size_t n = 0, cap = 0, skipped = 0, i;
	struct settings *s = NULL;
	struct buf out = BUF_INIT, url = BUF_INIT;
	const char *base;
	sqlite3_stmt *st;
	int rc = 1, step;

	if ((s = load_site(c)) == NULL || (base = base_url(c, s)) == NULL)
		goto out;
	if (open_db(c, DB_OPEN_EXISTING) != 0)
		goto out;
	if (c->val[O_FAMILY]) {
		int left;
		long long id = roster_family_id(c->db, c->val[O_FAMILY], &left);
		if (id <= 0) {
			fail(id < 0 ? "database: %s" : "no family with the reference %s",
			     id < 0 ? db_errmsg(c->db) : c->val[O_FAMILY]);
			goto out;
		}
		if (left) {
			fail("family %s has left; its children are no longer in the school's list",
			     c->val[O_FAMILY]);
			goto out;
		}
	}
	if (db_begin(c->db) < 0) {
		fail("database: %s", db_errmsg(c->db));
		goto out;
	}
	if ((st = db_stmt(c->db, families_sql)) == NULL)
		goto dberr;
	/* Collect the families first: issuing writes to the tables the query reads. */
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ref = (const char *)sqlite3_column_text(st, 1);
		if (c->val[O_FAMILY] && strcmp(ref, c->val[O_FAMILY]) != 0)
			continue;
		if (n == cap) {
			struct issued *p = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof *p);
			if (p == NULL) {
				step = SQLITE_NOMEM;
				break;
			}
			v = p;
		}
		v[n].id = sqlite3_column_int64(st, 0);
		snprintf(v[n].ref, sizeof v[n].ref, "%s", ref);
		n++;
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		goto dberr;
	for (i = 0; i < n; i++) {
		int r =
		    roster_issue_token(c->db, v[i].id, c->val[O_REISSUE] != NULL, NULL, v[i].token);
		if (r < 0)
			goto dberr;
		skipped += r == 0;
	}
	if (db_commit(c->db) < 0) {
		fail("database: %s; no token was issued", db_errmsg(c->db));
		goto out;
	}
	csv_cell(&out, "family_ref");
	csv_sep(&out);
	csv_cell(&out, "url");
	csv_row_end(&out);
	for (i = 0; i < n; i++) {
		if (v[i].token[0] == '\0')
			continue;
		buf_reset(&url);
		roster_sign_url(&url, base, v[i].token, 0);
		csv_cell(&out, v[i].ref);
		csv_sep(&out);
		csv_cell(&out, buf_str(&url));
		csv_row_end(&out);
	}
	if (tokens_left_note(c) < 0)
		goto out;
	if ((rc = put_stdout(&out)) == 0 && c->val[O_REISSUE])
		fprintf(stderr, "consentctl: %zu token%s issued; the earlier ones no longer work\n",
		        n, n == 1 ? "" : "s");
	else if (rc == 0)
		fprintf(stderr,
		        "consentctl: %zu token%s issued; %zu famil%s already had one (--reissue "
		        "replaces it)\n",
		        n - skipped, n - skipped == 1 ? "" : "s", skipped,
		        skipped == 1 ? "y" : "ies");
	goto out;
dberr:
	fail("database: %s; no token was issued", db_errmsg(c->db));
	db_rollback(c->db);
out:
	if (v)
		sodium_memzero(v, cap * sizeof *v);
	free(v);
	wipe(&out);
	wipe(&url);
	buf_free(&out);
	buf_free(&url);
	settings_free(s);
	return rc;
}

/* Writes data to a new temporary file beside path; returns its name (to free) or NULL. */
static char *write_temp(const char *path, const struct buf *data)
{
	size_t n = strlen(path) + 16, left = data->len;
	const char *p = buf_str(data);
	char *tmp = malloc(n);
	ssize_t w = 0;
	int fd;

	if (tmp == NULL)
		return NULL;
	snprintf(tmp, n, "%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		free(tmp);
		return NULL;
	}
	while (left > 0 && ((w = write(fd, p, left)) > 0 || (w < 0 && errno == EINTR))) {
		if (w > 0) {
			p += w;
			left -= (size_t)w;
		}
	}
	if (left > 0 || fsync(fd) < 0) {
		int e = errno ? errno : EIO;
		close(fd);
		unlink(tmp);
		free(tmp);
		errno = e;
		return NULL;
	}
	if (close(fd) < 0) {
		unlink(tmp);
		free(tmp);
		return NULL;
	}
	return tmp;
}

static int cmd_letters(struct ctx *c)
{
	const char *path = c->val[O_OUT];
	struct letters_filter f = {c->val[O_CLASS], c->val[O_FAMILY],
	                           c->val[O_OUTSTANDING] != NULL};
	struct arena *a = arena_new();
	struct settings *s = NULL;
	struct letters_contact contact;
	struct letter *letters = NULL;
	struct buf html = BUF_INIT, err = BUF_INIT;
	const char *base;
	char *tmp = NULL, token[TOKEN_LEN + 1];
	size_t n = 0, i;
	int rc = 1;

	if (path == NULL)
		usage_error("letters needs --out FILE.html");
	if (a == NULL) {
		fail("out of memory");
		goto out;
	}
	if ((s = load_site(c)) == NULL || (base = base_url(c, s)) == NULL)
		goto out;
	letters_contact_load(s, &contact);
	if (open_db(c, DB_OPEN_EXISTING) != 0)
		goto out;
	if (c->val[O_FAMILY]) {
		int left;
		long long id = roster_family_id(c->db, c->val[O_FAMILY], &left);
		if (id == 0 || left) {
			fail(id ? "family %s has left; no letter written"
			        : "no family with the reference %s; no letter written",
			     c->val[O_FAMILY]);
			goto out;
		}
	}
	if (db_begin(c->db) < 0) {
		fail("database: %s", db_errmsg(c->db));
		goto out;
	}
	if (letters_select(c->db, &f, a, &letters, &n, &err) < 0) {
		fail_buf(&err);
		db_rollback(c->db);
		goto out;
	}
	if (n == 0) {
		db_rollback(c->db);
		fprintf(stderr, "consentctl: no family matches; no letters written\n");
		rc = 0;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct buf u = BUF_INIT;
		if (roster_issue_token(c->db, letters[i].family_id, 1, NULL, token) != 1) {
			fail("database: %s; no letters written", db_errmsg(c->db));
			db_rollback(c->db);
			goto out;
		}
		roster_sign_url(&u, base, token, 0);
		letters[i].url = arena_strdup(a, buf_str(&u));
		buf_reset(&u);
		roster_sign_url(&u, base, token, 1);
		letters[i].qr_url = arena_strdup(a, buf_str(&u));
		wipe(&u);
		buf_free(&u);
	}
	sodium_memzero(token, sizeof token);
	if (!arena_ok(a) || letters_render(&html, s, &contact, opt(c, O_TEMPLATES, "templates"),
	                                   letters, n, &err) < 0) {
		if (!arena_ok(a))
			buf_puts(&err, "out of memory\n");
		fail_buf(&err);
		fail("no letters written; the families' earlier codes still work");
		db_rollback(c->db);
		goto out;
	}
	/* File first, then the new tokens: a letter that could not be written never
	 * revokes a family's working code. */
	if ((tmp = write_temp(path, &html)) == NULL) {
		fail("%s: cannot write: %s; no letters written", path, strerror(errno));
		db_rollback(c->db);
		goto out;
	}
	if (db_commit(c->db) < 0) {
		fail("database: %s; no letters written", db_errmsg(c->db));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		fail("%s: cannot write: %s; the letters are in %s", path, strerror(errno), tmp);
		goto out;
	}
	fprintf(stderr,
	        "consentctl: %zu letter%s written to %s; each family's earlier QR code and link no "
	        "longer work\n",
	        n, n == 1 ? "" : "s", path);
	rc = 0;
out:
	free(tmp);
	wipe(&html);
	buf_free(&html);
	buf_free(&err);
	settings_free(s);
	arena_free(a);
	return rc;
}

/* Reads one line (without its line break) into pw. Returns its length, or -1 at end of
 * input or when it is longer than MAX_PASSWORD_BYTES. */
static long read_line(FILE *in, char pw[MAX_PASSWORD_BYTES + 2])
{
	size_t n;

	if (fgets(pw, MAX_PASSWORD_BYTES + 2, in) == NULL)
		return -1;
	n = strlen(pw);
	if (n > 0 && pw[n - 1] == '\n')
		pw[--n] = '\0';
	else if (n > MAX_PASSWORD_BYTES)
		return -2;
	if (n > 0 && pw[n - 1] == '\r')
		pw[--n] = '\0';
	return (long)n;
}

/* Reads the password from standard input: on a terminal without echo, twice. */
static int read_password(const char *user, char pw[MAX_PASSWORD_BYTES + 2])
{
	char again[MAX_PASSWORD_BYTES + 2];
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO), rc = 0;
	long n;

	if (tty && tcgetattr(STDIN_FILENO, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		fprintf(stderr, "Password for %s (at least %d characters): ", user,
		        STAFF_MIN_PASSWORD);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		n = read_line(stdin, pw);
		fprintf(stderr, "\nThe same password again: ");
		if (n >= 0 && (read_line(stdin, again) != n || strcmp(again, pw) != 0))
			rc = fail("the two passwords differ; nothing changed");
		fputc('\n', stderr);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		sodium_memzero(again, sizeof again);
	} else {
		n = read_line(stdin, pw);
	}
	if (rc)
		return rc;
	if (n == -1)
		return fail("no password on standard input; nothing changed");
	if (n < 0)
		return fail("the password is longer than %d bytes; nothing changed",
		            MAX_PASSWORD_BYTES);
	return 0;
}

/* add-staff and set-password: the password from standard input, hashed by staff_add. */
static int set_staff_password(struct ctx *c, int must_be_new)
{
	static const char exists_sql[] = "SELECT 1 FROM staff WHERE username = ?1";
	const char *user = c->args[0];
	char pw[MAX_PASSWORD_BYTES + 2];
	struct buf err = BUF_INIT;
	sqlite3_stmt *st;
	int rc, exists;

	if (!staff_username_valid(user))
		return fail("user name '%s' must be 1 to %d of a-z, 0-9, '.', '_' and '-'", user,
		            STAFF_MAX_USER);
	if ((rc = open_db(c, DB_OPEN_EXISTING)) != 0)
		return rc;
	if ((st = db_stmt(c->db, exists_sql)) == NULL)
		return fail("database: %s", db_errmsg(c->db));
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	exists = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	if (must_be_new && exists)
		return fail("staff user %s already exists; nothing changed (set-password gives a new "
		            "password)",
		            user);
	if (!must_be_new && !exists)
		return fail("there is no staff user %s; nothing changed", user);
	if (c->val[O_ROLE] && staff_role_parse(c->val[O_ROLE]) == STAFF_ROLE__MAX)
		return fail("--role is office or editor, not '%s'; nothing changed", c->val[O_ROLE]);
	if ((rc = read_password(user, pw)) == 0) {
		if (staff_add(c->db, user, pw, &err) < 0 ||
		    (c->val[O_ROLE] &&
		     staff_set_role(c->db, user, staff_role_parse(c->val[O_ROLE]), &err) < 0)) {
			rc = fail("%.*s; nothing changed", (int)(err.len ? err.len - 1 : 0),
			          buf_str(&err));
		} else {
			printf("staff user %s %s\n", user,
			       must_be_new ? "added" : "has a new password; their sessions ended");
		}
	}
	sodium_memzero(pw, sizeof pw);
	buf_free(&err);
	return rc;
}

static int cmd_add_staff(struct ctx *c)
{
	return set_staff_password(c, 1);
}

static int cmd_set_role(struct ctx *c)
{
	struct buf err = BUF_INIT;
	enum staff_role role = staff_role_parse(c->val[O_ROLE]);
	int rc;

	if (role == STAFF_ROLE__MAX)
		return fail("set-role needs --role office or --role editor");
	if ((rc = open_db(c, DB_OPEN_EXISTING)) != 0)
		return rc;
	if (staff_set_role(c->db, c->args[0], role, &err) < 0)
		rc = fail_buf(&err);
	else
		printf("staff user %s is now %s\n", c->args[0], staff_role_names[role]);
	buf_free(&err);
	return rc;
}

static int cmd_set_password(struct ctx *c)
{
	return set_staff_password(c, 0);
}

/* disable-staff and enable-staff. */
static int set_staff_disabled(struct ctx *c, int disabled)
{
	struct buf err = BUF_INIT;
	int rc;

	if ((rc = open_db(c, DB_OPEN_EXISTING)) != 0)
		return rc;
	if (staff_set_disabled(c->db, c->args[0], disabled, &err) < 0)
		rc = fail_buf(&err);
	else
		printf("staff user %s %s\n", c->args[0],
		       disabled ? "disabled; their sessions ended" : "enabled");
	buf_free(&err);
	return rc;
}

static int cmd_disable_staff(struct ctx *c)
{
	return set_staff_disabled(c, 1);
}

static int cmd_enable_staff(struct ctx *c)
{
	return set_staff_disabled(c, 0);
}

static int cmd_export(struct ctx *c)
{
	int kind = export_kind(c->args[0]);
	struct buf out = BUF_INIT, err = BUF_INIT;
	int rc;

	if (kind < 0)
		usage_error("export: unknown list '%s' (declarations, photo or outstanding)",
		            c->args[0]);
	if ((rc = open_db(c, DB_OPEN_EXISTING)) != 0)
		return rc;
	if (export_csv(c->db, (enum export_kind)kind, NULL, &out, &err) < 0)
		rc = fail_buf(&err);
	else
		rc = put_stdout(&out);
	buf_free(&out);
	buf_free(&err);
	return rc;
}

static int cmd_verify(struct ctx *c)
{
	struct buf out = BUF_INIT;
	int rc;

	struct checkpoint_key k;
	struct buf err = BUF_INIT, text = BUF_INIT;
	int i, r;

	if ((rc = open_db(c, DB_OPEN_EXISTING)) != 0)
		return rc;
	memset(&k, 0, sizeof k);
	if (c->ncheckpoints && (rc = load_checkpoint_key(c, &k)) != 0)
		return rc;
	rc = db_verify(c->db, &out);
	/* The tables every page reads, rebuilt from the log and compared. */
	if (rc >= 0) {
		r = audit_tables(c->db, &out);
		if (r < 0)
			rc = -1;
		else if (r > 0)
			rc = 1;
	}
	/* Each saved checkpoint must be a prefix of today's log. */
	for (i = 0; i < c->ncheckpoints && rc >= 0; i++) {
		struct stat st;
		buf_reset(&text);
		if (stat(c->checkpoints[i], &st) < 0 || st.st_size > CHECKPOINT_MAX ||
		    buf_read_file(&text, c->checkpoints[i]) < 0) {
			buf_printf(&out, "%s: cannot read the checkpoint: %s\n", c->checkpoints[i],
			           errno ? strerror(errno) : "too large");
			rc = rc ? rc : 1;
			continue;
		}
		r = checkpoint_check(c->db, &k, c->checkpoints[i], buf_str(&text), text.len, &out,
		                     &err);
		if (r < 0)
			rc = -1;
		else if (r > 0 && rc == 0)
			rc = 1;
	}
	fputs(buf_str(&out), stdout);
	if (rc < 0)
		rc = fail("%s: the check could not run: %s%s", c->val[O_DB], buf_str(&err),
		          db_errmsg(c->db));
	else if (rc > 0)
		rc = fail("%s: problems found (listed above)", c->val[O_DB]);
	sodium_memzero(&k, sizeof k);
	buf_free(&out);
	buf_free(&err);
	buf_free(&text);
	return rc;
}

static int cmd_backup(struct ctx *c)
{
	struct buf err = BUF_INIT;
	mode_t mask;
	int rc;

	if ((rc = open_db(c, DB_OPEN_EXISTING)) != 0)
		return rc;
	/* The copy holds the same personal data as the database: readable by its owner only. */
	mask = umask(077);
	rc = db_backup(c->db, c->args[0], &err);
	umask(mask);
	if (rc < 0) {
		rc = fail_buf(&err);
	} else {
		printf("%s: backed up to %s\n", c->val[O_DB], c->args[0]);
	}
	buf_free(&err);
	return rc;
}

static int cmd_purge(struct ctx *c)
{
	struct roster_purge_counts n;
	struct buf err = BUF_INIT;
	struct date d;
	int rc;

	if (c->val[O_LEFT_BEFORE] == NULL)
		usage_error("purge needs --left-before YYYY-MM-DD");
	if (date_parse(&d, c->val[O_LEFT_BEFORE], NULL) < 0)
		usage_error("purge: --left-before '%s' is not a date YYYY-MM-DD",
		            c->val[O_LEFT_BEFORE]);
	if ((rc = open_db(c, DB_OPEN_EXISTING)) != 0)
		return rc;
	if (roster_purge(c->db, c->val[O_LEFT_BEFORE], &n, &err) < 0) {
		rc = fail_buf(&err);
	} else {
		printf("purged those who left before %s: %ld families, %ld children, %ld answers, "
		       "%ld signatures, %ld tokens; %ld events kept without the signer's name\n",
		       c->val[O_LEFT_BEFORE], n.families, n.children, n.answers, n.signatures,
		       n.tokens, n.events_cleared);
	}
	buf_free(&err);
	return rc;
}

/* Options whose default is a setting of the configuration file. */
static const struct {
	enum opt o;
	enum config_key k;
} from_config[] = {
    {O_DB, CONFIG_DB},
    {O_CONTENT, CONFIG_CONTENT},
    {O_PORTAL, CONFIG_PORTAL},
    {O_TEMPLATES, CONFIG_TEMPLATES},
};

static struct config cfg;

static int cmd_config(struct ctx *c)
{
	struct buf out = BUF_INIT;

	(void)c;
	config_dump(&cfg, &out);
	fputs(buf_str(&out), stdout);
	buf_free(&out);
	return 0;
}

int main(int argc, char *argv[])
{
	const struct command *cmd = NULL;
	struct buf cerr = BUF_INIT;
	struct ctx c;
	char **operands;
	int nops = 0, i, k, rc;
	size_t j;

	memset(&c, 0, sizeof c);
	if ((operands = calloc((size_t)argc + 1, sizeof *operands)) == NULL)
		return fail("out of memory");
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq;
		size_t len;
		if (strcmp(a, "--") == 0) {
			while (++i < argc)
				operands[nops++] = argv[i];
			break;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 || strcmp(a, "help") == 0) {
			fputs(usage_text, stdout);
			free(operands);
			return 0;
		}
		if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			if (a[0] == '-' && a[1] != '\0')
				usage_error("unknown option %s", a);
			operands[nops++] = argv[i];
			continue;
		}
		a += 2;
		len = (eq = strchr(a, '=')) ? (size_t)(eq - a) : strlen(a);
		for (k = 0; k < O__MAX; k++)
			if (strlen(opts[k].name) == len && strncmp(a, opts[k].name, len) == 0)
				break;
		if (k == O__MAX)
			usage_error("unknown option --%.*s", (int)len, a);
		if (c.val[k] && k != O_CHECKPOINT)
			usage_error("--%s is given twice", opts[k].name);
		if (!opts[k].has_arg) {
			if (eq)
				usage_error("--%s takes no value", opts[k].name);
			c.val[k] = "1";
		} else if (eq) {
			c.val[k] = eq + 1;
		} else if (i + 1 < argc) {
			c.val[k] = argv[++i];
		} else {
			usage_error("--%s needs a value", opts[k].name);
		}
		if (opts[k].has_arg && c.val[k][0] == '\0')
			usage_error("--%s needs a value", opts[k].name);
		if (k == O_CHECKPOINT) {
			if (c.ncheckpoints == MAX_CHECKPOINTS)
				usage_error("at most %d --checkpoint files at once", MAX_CHECKPOINTS);
			c.checkpoints[c.ncheckpoints++] = c.val[k];
		}
	}
	if (nops == 0)
		usage_error("no command given");
	for (j = 0; j < sizeof commands / sizeof commands[0]; j++)
		if (strcmp(operands[0], commands[j].name) == 0)
			cmd = &commands[j];
	if (cmd == NULL)
		usage_error("unknown command '%s'", operands[0]);
	for (k = 0; k < O__MAX; k++)
		if (k != O_DB && k != O_CONFIG && c.val[k] && !(cmd->opts & BIT(k)))
			usage_error("%s does not take --%s", cmd->name, opts[k].name);
	if (config_setup(&cfg, c.val[O_CONFIG], &cerr) < 0) {
		free(operands);
		fprintf(stderr, "consentctl: %s", buf_str(&cerr));
		buf_free(&cerr);
		return 2;
	}
	/* What the configuration sets (not its built-in defaults) stands in for options. */
	for (j = 0; j < sizeof from_config / sizeof from_config[0]; j++)
		if (c.val[from_config[j].o] == NULL && cfg.val[from_config[j].k] &&
		    (from_config[j].o == O_DB || (cmd->opts & BIT(from_config[j].o))))
			c.val[from_config[j].o] = config_get(&cfg, from_config[j].k);
	if (c.val[O_DB] == NULL && cmd->fn != cmd_config &&
	    !(cmd->fn == cmd_import && c.val[O_COLUMNS]))
		usage_error("%s needs --db FILE, the consent database (or db in the "
		            "configuration file)",
		            cmd->name);
	if (nops - 1 != cmd->nargs)
		usage_error("usage: consentctl --db FILE %s%s", cmd->name, cmd->args);
	c.args = operands + 1;
	c.nargs = nops - 1;
	if (token_init() < 0) {
		free(operands);
		return fail("libsodium cannot start");
	}
	rc = cmd->fn(&c);
	db_close(c.db);
	free(operands);
	config_free(&cfg);
	return rc;
}
