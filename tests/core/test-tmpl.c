#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "tmpl.h"

static char dir[] = "/tmp/test-tmpl-XXXXXX";

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* Renders template text with root; returns the output or "ERROR: message". */
static char *render(const char *text, const struct tv *root)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct tmpl *t;

	put("t.html", text);
	t = tmpl_load(dir, "t.html", &err);
	if (t == NULL || tmpl_render(t, root, &out, &err) < 0) {
		buf_reset(&out);
		buf_printf(&out, "ERROR: %s", buf_str(&err));
	}
	tmpl_free(t);
	buf_free(&err);
	return buf_detach(&out);
}

#define CHECK_RENDER(text, root, want)                                                     \
	do {                                                                               \
		char *got_ = render(text, root);                                           \
		CHECK_STR(got_, want);                                                     \
		free(got_);                                                                \
	} while (0)

#define CHECK_RENDER_FAILS(text, root, msg)                                                \
	do {                                                                               \
		char *got_ = render(text, root);                                           \
		CHECK(strncmp(got_, "ERROR: ", 7) == 0 && strstr(got_, msg) != NULL);      \
		if (strstr(got_, msg) == NULL)                                             \
			printf("    got: %s\n", got_);                                         \
		free(got_);                                                                \
	} while (0)

static void test_escapes_values(void)
{
	struct arena *a = arena_new();
	struct tv *r = tv_dict(a);
	tv_str(r, "name", "<script>alert(\"x\")</script> & 'y'");
	CHECK_RENDER("<p title=\"{{name}}\">{{name}}</p>", r,
		     "<p title=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;\">"
		     "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</p>");
	arena_free(a);
}

static void test_raw_needs_trusted_value(void)
{
	struct arena *a = arena_new();
	struct tv *r = tv_dict(a);
	tv_str(r, "plain", "<b>x</b>");
	tv_html(r, "body", "<p>ok</p>");
	CHECK_RENDER("{{&body}}", r, "<p>ok</p>");
	CHECK_RENDER_FAILS("{{&plain}}", r, "needs a trusted HTML value");
	CHECK_RENDER_FAILS("{{body}}", r, "trusted HTML must be written as {{&name}}");
	arena_free(a);
}

static void test_missing_value_is_an_error(void)
{
	struct arena *a = arena_new();
	struct tv *r = tv_dict(a);
	CHECK_RENDER_FAILS("line one\n{{titel}}", r, "t.html:2: no text value named titel");
	arena_free(a);
}

static void test_sections(void)
{
	struct arena *a = arena_new();
	struct tv *r = tv_dict(a), *l = tv_add_list(r, "items"), *d;
	d = tv_push_dict(l);
	tv_str(d, "n", "one");
	d = tv_push_dict(l);
	tv_str(d, "n", "two");
	tv_str(r, "sep", ",");
	tv_bool(r, "yes", 1);
	tv_bool(r, "no", 0);
	tv_add_list(r, "empty");
	CHECK_RENDER("{{#items}}[{{n}}{{sep}}]{{/items}}", r, "[one,][two,]");
	CHECK_RENDER("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{^no}}n{{/no}}", r, "Yn");
	CHECK_RENDER("{{#empty}}x{{/empty}}{{^empty}}none{{/empty}}{{#absent}}z{{/absent}}", r,
		     "none");
	arena_free(a);
}

static void test_string_lists_and_paths(void)
{
	struct arena *a = arena_new();
	struct tv *r = tv_dict(a), *l = tv_add_list(r, "tags"), *t = tv_add_dict(r, "t");
	tv_push_str(l, "a<");
	tv_push_str(l, "b");
	tv_str(t, "agreed", "Agreed");
	CHECK_RENDER("{{#tags}}({{.}}){{/tags}} {{t.agreed}}", r, "(a&lt;)(b) Agreed");
	CHECK_STR(tv_get_str(r, "t.agreed"), "Agreed");
	CHECK(tv_get_str(r, "t.nope") == NULL);
	arena_free(a);
}

static void test_url_filter(void)
{
	struct arena *a = arena_new();
	struct tv *r = tv_dict(a);
	tv_str(r, "q", "a b&c");
	CHECK_RENDER("<a href=\"/x?q={{q|url}}\">", r, "<a href=\"/x?q=a%20b%26c\">");
	CHECK_RENDER_FAILS("{{q|raw}}", r, "unknown filter");
	arena_free(a);
}

static void test_partials_and_xml(void)
{
	struct arena *a = arena_new();
	struct tv *r = tv_dict(a);
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct tmpl *t;

	tv_str(r, "x", "<&>\001");
	put("part.html", "[{{x}}]");
	CHECK_RENDER("a{{>part}}b", r, "a[&lt;&amp;&gt;\001]b");
	put("feed.xml", "<t>{{x}}</t>");
	t = tmpl_load(dir, "feed.xml", &err);
	CHECK(t != NULL && tmpl_render(t, r, &out, &err) == 0);
	CHECK_STR(buf_str(&out), "<t>&lt;&amp;&gt;</t>");
	tmpl_free(t);
	buf_free(&out);
	buf_free(&err);
	CHECK_RENDER_FAILS("{{>../etc/passwd}}", r, "bad character");
	CHECK_RENDER_FAILS("{{>nothere}}", r, "cannot read template");
	arena_free(a);
}

static void test_syntax_errors(void)
{
	struct arena *a = arena_new();
	struct tv *r = tv_dict(a);
	CHECK_RENDER_FAILS("{{#a}}x", r, "t.html:1: section is never closed: a");
	CHECK_RENDER_FAILS("{{#a}}x{{/b}}", r, "closing tag matches no open section");
	CHECK_RENDER_FAILS("x\n{{a", r, "t.html:2: '{{' is never closed");
	CHECK_RENDER_FAILS("{{}}", r, "empty tag");
	CHECK_RENDER_FAILS("{{a b}}", r, "bad character");
	arena_free(a);
}

/* An indexed dict gives what the unindexed one gives: every key, the first value of a
 * key given twice, keys that are prefixes of others, missing keys an error; a value added
 * afterwards is found too, and an attached copy keeps the index. */
static void test_index(void)
{
	static const char *const keys[] = {"m", "a", "ab", "abc", "b", "z", "ab_", "a-b", "A"};
	struct arena *a = arena_new();
	struct tv *r = tv_dict(a), *t = tv_add_dict(r, "t"), *u = tv_dict(a);
	char key[64][8];
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		tv_str(t, keys[i], keys[i]);
		tv_str(u, keys[i], keys[i]);
	}
	for (i = 0; i < 40; i++) { /* enough to take several halvings */
		snprintf(key[i], sizeof key[i], "k%02zu", (i * 7) % 40);
		tv_str(t, key[i], key[i]);
		tv_str(u, key[i], key[i]);
	}
	tv_str(t, "ab", "second");
	tv_str(u, "ab", "second");
	tv_index(t);
	tv_index(u);
	CHECK_RENDER("{{t.m}} {{t.a}} {{t.ab}} {{t.abc}} {{t.b}} {{t.z}} {{t.ab_}} {{t.a-b}} {{t.A}}"
	             " {{t.k00}} {{t.k39}} {{t.k17}}",
	             r, "m a ab abc b z ab_ a-b A k00 k39 k17");
	CHECK_RENDER_FAILS("{{t.aa}}", r, "no text value named t.aa");
	CHECK_RENDER_FAILS("{{t.abcd}}", r, "no text value named t.abcd");
	CHECK_RENDER_FAILS("{{t.k40}}", r, "no text value named");
	CHECK_RENDER("{{#t}}{{k05}}{{/t}}", r, "k05");
	CHECK_STR(tv_get_str(t, "abc"), "abc");
	CHECK(tv_get_str(t, "ac") == NULL);
	tv_attach(r, "u", u);
	CHECK_RENDER("{{u.ab}}/{{u.k21}}", r, "ab/k21");
	tv_str(t, "late", "added after");
	CHECK_RENDER("{{t.late}} {{t.ab}}", r, "added after ab");
	tv_index(NULL); /* fine */
	arena_free(a);
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 2;
	RUN(test_escapes_values);
	RUN(test_raw_needs_trusted_value);
	RUN(test_missing_value_is_an_error);
	RUN(test_sections);
	RUN(test_string_lists_and_paths);
	RUN(test_url_filter);
	RUN(test_partials_and_xml);
	RUN(test_syntax_errors);
	RUN(test_index);
	check_remove(dir);
	CHECK_MAIN();
}
