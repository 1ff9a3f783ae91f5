/* Unit tests of the configuration file (src/core/config.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"

static void clear_env(void)
{
	int k;

	unsetenv("CONSENT_CONFIG");
	for (k = 0; k < CONFIG__MAX; k++)
		unsetenv(config_env_name((enum config_key)k));
}

static void test_defaults(void)
{
	struct config c;
	struct buf err = BUF_INIT;

	clear_env();
	CHECK_INT(config_init(&c, NULL, &err), 0);
	CHECK_STR(config_get(&c, CONFIG_DB), "var/consent.db");
	CHECK_STR(config_get(&c, CONFIG_OUTPUT), "public");
	CHECK_STR(config_get(&c, CONFIG_BASE_URL), "");
	CHECK_STR(config_get(&c, CONFIG_BACKUP_KEEP), "14");
	config_free(&c);
	buf_free(&err);
}

static void test_parse_file(void)
{
	struct config c;
	struct buf err = BUF_INIT;

	memset(&c, 0, sizeof c);
	CHECK_INT(
	    config_parse(&c, "x.conf", "/etc/p",
	                 "# comment\n\n  db = data/consent.db  \nbase_url=https://a.sch.uk/p\n"
	                 "output\t=\t/srv/public\r\nbackup_keep = 30\n",
	                 &err),
	    0);
	CHECK_STR(buf_str(&err), "");
	CHECK_STR(config_get(&c, CONFIG_DB), "/etc/p/data/consent.db");
	CHECK_STR(config_get(&c, CONFIG_OUTPUT), "/srv/public");
	CHECK_STR(config_get(&c, CONFIG_BASE_URL), "https://a.sch.uk/p");
	CHECK_STR(config_get(&c, CONFIG_BACKUP_KEEP), "30");
	config_free(&c);
	buf_free(&err);
}

/* bad TEXT WANT: the file is refused with exactly that message. */
static int bad(const char *text, const char *want)
{
	struct config c;
	struct buf err = BUF_INIT;
	int ok;

	memset(&c, 0, sizeof c);
	ok = config_parse(&c, "p.conf", NULL, text, &err) == -1 && strcmp(buf_str(&err), want) == 0;
	if (!ok)
		printf("  got \"%s\"\n  want \"%s\"\n", buf_str(&err), want);
	config_free(&c);
	buf_free(&err);
	return ok;
}

static void test_errors_name_the_line(void)
{
	CHECK(bad("db = a\nnonsense\n", "p.conf:2: expected 'key = value', found 'nonsense'\n"));
	CHECK(bad("\n\ndatabase = x\n",
	          "p.conf:3: unknown setting 'database' (known: db, content, templates, output, "
	          "state, portal, base_url, backups, backup_keep, review_mail)\n"));
	CHECK(bad("db = a\ndb = b\n", "p.conf:2: db is set twice; keep one\n"));
	CHECK(bad(" = x\n", "p.conf:1: a setting's name is missing before '='\n"));
	CHECK(bad("base_url = ftp://x\n",
	          "p.conf:1: base_url 'ftp://x' is not an http:// or https:// address\n"));
	CHECK(bad("base_url = https://x/?a\n",
	          "p.conf:1: base_url 'https://x/?a' holds a space, quote, '?' or '#'\n"));
	CHECK(bad("backup_keep = 0\n",
	          "p.conf:1: backup_keep '0' is not a whole number from 1 to 9999\n"));
	CHECK(bad("backup_keep = 3x\n",
	          "p.conf:1: backup_keep '3x' is not a whole number from 1 to 9999\n"));
	CHECK(bad("content = a\x01b\n", "p.conf:1: content 'a\x01b' holds a control character\n"));
}

/* Command line over environment over file over default. */
static void test_precedence(void)
{
	char path[] = "/tmp/test-config-XXXXXX";
	struct config c;
	struct buf err = BUF_INIT;
	FILE *fp;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	fp = fdopen(fd, "w");
	fputs("db = /file/consent.db\ncontent = /file/content\noutput = /file/public\n", fp);
	fclose(fp);
	clear_env();
	setenv("CONSENT_CONFIG", path, 1);
	setenv("CONSENT_CONTENT", "/env/content", 1);
	setenv("CONSENT_SITE", "/env/public", 1);
	CHECK_INT(config_init(&c, NULL, &err), 0);
	CHECK_STR(buf_str(&err), "");
	CHECK_INT(config_set(&c, "output", "/args/public", CONFIG_FROM_ARGS, &err), 0);
	CHECK_STR(config_get(&c, CONFIG_DB), "/file/consent.db");
	CHECK_STR(config_get(&c, CONFIG_CONTENT), "/env/content");
	CHECK_STR(config_get(&c, CONFIG_OUTPUT), "/args/public");
	CHECK_STR(config_get(&c, CONFIG_TEMPLATES), "templates");
	/* A lower precedence never replaces a higher one. */
	CHECK_INT(config_set(&c, "content", "/file2", CONFIG_FROM_FILE, &err), 0);
	CHECK_STR(config_get(&c, CONFIG_CONTENT), "/env/content");
	CHECK_INT(config_export(&c), 0);
	CHECK_STR(getenv("CONSENT_DB"), "/file/consent.db");
	CHECK_STR(getenv("CONSENT_SITE"), "/args/public");
	config_free(&c);
	/* An explicit file argument wins over $CONSENT_CONFIG; relative paths follow it. */
	clear_env();
	setenv("CONSENT_CONFIG", "/nonexistent/policies.conf", 1);
	fp = fopen(path, "w");
	fputs("db = rel/consent.db\n", fp);
	fclose(fp);
	CHECK_INT(config_init(&c, path, &err), 0);
	CHECK_STR(config_get(&c, CONFIG_DB), "/tmp/rel/consent.db");
	config_free(&c);
	unlink(path);
	clear_env();
	buf_free(&err);
}

static void test_missing_named_file(void)
{
	struct config c;
	struct buf err = BUF_INIT;

	clear_env();
	setenv("CONSENT_CONFIG", "/nonexistent/policies.conf", 1);
	CHECK_INT(config_init(&c, NULL, &err), -1);
	CHECK_STR(buf_str(&err), "/nonexistent/policies.conf: cannot read the configuration "
	                         "file: No such file or directory\n");
	buf_free(&err);
	clear_env();
	setenv("CONSENT_BACKUP_KEEP", "many", 1);
	CHECK_INT(config_init(&c, NULL, &err), -1);
	CHECK_STR(buf_str(&err), "environment: CONSENT_BACKUP_KEEP: backup_keep 'many' is not a "
	                         "whole number from 1 to 9999\n");
	clear_env();
	buf_free(&err);
}

int main(void)
{
	RUN(test_defaults);
	RUN(test_parse_file);
	RUN(test_errors_name_the_line);
	RUN(test_precedence);
	RUN(test_missing_named_file);
	CHECK_MAIN();
}
