/* The settings module: site.yaml and the UI strings, on their own (run from the checkout). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "arena.h"
#include "buf.h"
#include "check.h"
#include "settings.h"

/* A content folder in a fresh temporary folder: site.yaml and i18n/{en,cy}.yaml. */
static char dir[] = "/tmp/test-settings-XXXXXX";

static void put(const char *rel, const char *text)
{
	check_put(dir, rel, text);
}

static void make_dir(const char *site, const char *en, const char *cy)
{
	char path[256];

	snprintf(path, sizeof path, "%s/i18n", dir);
	mkdir(path, 0755);
	put("site.yaml", site);
	put("i18n/en.yaml", en);
	put("i18n/cy.yaml", cy);
}

static const char good_site[] = "name: {en: Test School, cy: Ysgol Brawf}\n"
                                "base_url: https://example.sch.uk/policies//\n"
                                "languages: [en, cy]\n"
                                "default_language: en\n"
                                "contact: {email: office@example.sch.uk}\n";

struct seen {
	struct buf lines;
	int errors, warnings;
};

static void record(void *ctx, int error, const char *path, int line, const char *msg)
{
	struct seen *s = ctx;

	buf_printf(&s->lines, "%s:%d: %s\n", path, line, msg);
	if (error)
		s->errors++;
	else
		s->warnings++;
}

static void test_loads_golden_settings(void)
{
	struct settings *s = settings_load("tests/golden/content", NULL, NULL);
	struct arena *a = arena_new();

	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(s->nerrors, 0);
	CHECK_INT(s->nlangs, 2);
	CHECK_STR(s->langs[0], "en");
	CHECK_STR(s->langs[1], "cy");
	CHECK_STR(s->name[1], "Ysgol Brawf");
	CHECK_STR(s->base_url, "https://policies.example.sch.uk");
	CHECK_INT(settings_lang(s, "cy"), 1);
	CHECK_INT(settings_lang(s, "fr"), -1);
	CHECK_STR(settings_term(s, 1, "Headteacher"), "Pennaeth");
	CHECK_STR(settings_term(s, 0, "Headteacher"), "Headteacher");
	CHECK(settings_term(s, 1, "Nobody at all") == NULL);
	CHECK_STR(settings_string(s, 1, "no_such_key_at_all"), "no_such_key_at_all");
	CHECK_STR(settings_url_path(s, a), "");
	settings_free(s);
	settings_free(NULL);
	arena_free(a);
}

static void test_strings_fall_back_and_url_path(void)
{
	struct settings *s;
	struct seen seen = {BUF_INIT, 0, 0};
	struct arena *a = arena_new();

	make_dir(good_site, "hello: Hello\nonly_en: English only\n",
	         "hello: Shwmae\nonly_en: Saesneg yn unig\nextra: Ychwanegol\n");
	s = settings_load(dir, record, &seen);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(seen.errors, 0);
	CHECK_INT(seen.warnings, 1); /* extra is in cy.yaml only */
	CHECK(strstr(buf_str(&seen.lines), "i18n/cy.yaml:3: string 'extra' is not in en.yaml") !=
	      NULL);
	CHECK_STR(settings_string(s, 1, "hello"), "Shwmae");
	CHECK_STR(settings_string(s, 0, "hello"), "Hello");
	CHECK_STR(settings_string(s, 7, "hello"), "Hello"); /* no such language: the default */
	CHECK_STR(settings_url_path(s, a), "/policies");
	CHECK(s->site != NULL);
	settings_free(s);
	buf_free(&seen.lines);
	arena_free(a);
}

/* Every problem is reported with its file and line and counted; settings_open refuses. */
static void test_errors_reported_and_refused(void)
{
	struct settings *s;
	struct seen seen = {BUF_INIT, 0, 0};
	struct buf err = BUF_INIT;

	make_dir("name: {en: Test School}\nbase_url: ftp://x\nlanguages: [en, cy]\n"
	         "default_language: en\ncolour: red\n",
	         "hello: Hello\nbye: Bye\n", "hello: Shwmae\n");
	s = settings_load(dir, record, &seen);
	CHECK(s != NULL);
	CHECK_INT(seen.errors, 4);
	CHECK_INT(s ? s->nerrors : 0, 4);
	CHECK(strstr(buf_str(&seen.lines), "site.yaml:5: unknown key 'colour'") != NULL);
	CHECK(strstr(buf_str(&seen.lines), "site.yaml:1: name needs the school's name in cy") !=
	      NULL);
	CHECK(strstr(buf_str(&seen.lines), "site.yaml:2: base_url must be the site's address") !=
	      NULL);
	CHECK(strstr(buf_str(&seen.lines), "i18n/cy.yaml:0: missing string 'bye'") != NULL);
	settings_free(s);
	CHECK(settings_open(dir, &err) == NULL);
	CHECK(strstr(buf_str(&err), "site.yaml:5: unknown key 'colour'") != NULL);
	CHECK(strstr(buf_str(&err), "4 errors in site.yaml or the UI strings") != NULL);
	buf_free(&err);
	buf_free(&seen.lines);
}

/* A YAML syntax error is reported with its file and line, as policygen check shows it. */
static void test_yaml_syntax_error(void)
{
	struct seen seen = {BUF_INIT, 0, 0};
	struct settings *s;

	make_dir(good_site, "hello: Hello\nbye: [unclosed\n", "hello: Shwmae\nbye: Hwyl\n");
	s = settings_load(dir, record, &seen);
	CHECK(s != NULL);
	CHECK(seen.errors >= 1);
	CHECK(strstr(buf_str(&seen.lines), "/i18n/en.yaml:") != NULL);
	CHECK(strstr(buf_str(&seen.lines), "/i18n/en.yaml:0:") == NULL);
	settings_free(s);
	buf_free(&seen.lines);
}

static void test_missing_folder(void)
{
	struct seen seen = {BUF_INIT, 0, 0};
	struct settings *s = settings_load("/nonexistent/content", record, &seen);
	struct buf err = BUF_INIT;

	CHECK(s != NULL);
	CHECK_INT(s ? s->nlangs : 0, 1);
	CHECK_STR(s ? s->langs[0] : NULL, "en");
	CHECK_STR(s ? s->base_url : NULL, "");
	CHECK(strstr(buf_str(&seen.lines), "/nonexistent/content/site.yaml:0: cannot read") !=
	      NULL);
	settings_free(s);
	CHECK(settings_open("/nonexistent/content", &err) == NULL);
	CHECK(strstr(buf_str(&err), "policygen check --content /nonexistent/content") != NULL);
	buf_free(&err);
	buf_free(&seen.lines);
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	RUN(test_loads_golden_settings);
	RUN(test_strings_fall_back_and_url_path);
	RUN(test_errors_reported_and_refused);
	RUN(test_yaml_syntax_error);
	RUN(test_missing_folder);
	if (check_remove(dir) < 0)
		return 1;
	CHECK_MAIN();
}
