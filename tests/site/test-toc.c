/* The contents of long policies: ids from heading text, unique and stable, and the HTML
 * families sign left as cmark makes it. */
#include <stdlib.h>

#include "check.h"
#include "site.h"
#include "toc.h"

static void check_slug(const char *text, const char *want, int line)
{
	struct buf b = BUF_INIT;

	toc_slug(&b, text);
	if (strcmp(buf_str(&b), want) != 0) {
		printf("  %s:%d: \"%s\" -> \"%s\", want \"%s\"\n", __FILE__, line, text,
		       buf_str(&b), want);
		check_failed_now = 1;
	}
	buf_free(&b);
}
#define CHECK_SLUG(text, want) check_slug(text, want, __LINE__)

static void test_slug(void)
{
	CHECK_SLUG("Purpose", "purpose");
	CHECK_SLUG("Definitions and scope", "definitions-and-scope");
	CHECK_SLUG("  Spaces   and -- dashes  ", "spaces-and-dashes");
	CHECK_SLUG("Images made with AI (artificial intelligence)",
	           "images-made-with-ai-artificial-intelligence");
	CHECK_SLUG("Parents\xe2\x80\x99 rights", "parents-rights");
	CHECK_SLUG("Parents' rights", "parents-rights");
	CHECK_SLUG("Diben a chwmpas", "diben-a-chwmpas");
	CHECK_SLUG("\xc5\xb4yr ac wyresau", "\xc5\xb5yr-ac-wyresau");       /* Ŵyr: ŵyr */
	CHECK_SLUG("Rh\xc3\x8f A Th\xc3\x82N", "rh\xc3\xaf-a-th\xc3\xa2n"); /* ÏÂ lowered */
	CHECK_SLUG("Ysgol \xe2\x80\x93 rheolau", "ysgol-rheolau");          /* en dash */
	CHECK_SLUG("1. Introduction", "1-introduction");
	CHECK_SLUG("!!!", "section");
	CHECK_SLUG("", "section");
	CHECK_SLUG("<script>alert(1)</script>", "script-alert-1-script");
	CHECK_SLUG("a\"b&c", "a-b-c");
	CHECK_SLUG("bad \xff byte", "bad-byte");
	/* Long headings are cut between characters at TOC_ID_MAX bytes. */
	{
		struct buf b = BUF_INIT;
		char text[200];
		memset(text, 0, sizeof text);
		for (size_t i = 0; i + 2 < 150; i += 2)
			memcpy(text + i, "\xc5\xb5", 2);
		toc_slug(&b, text);
		CHECK(b.len <= TOC_ID_MAX);
		CHECK(b.len % 2 == 0);
		buf_free(&b);
	}
	/* ASCII is cut at TOC_ID_MAX bytes too, and a '-' left at the cut goes. */
	{
		char text[200], want[TOC_ID_MAX + 1];
		memset(text, 'A', 70);
		text[70] = '\0';
		memset(want, 'a', TOC_ID_MAX);
		want[TOC_ID_MAX] = '\0';
		CHECK_SLUG(text, want);
		memcpy(text + TOC_ID_MAX - 1, " b", 3);
		want[TOC_ID_MAX - 1] = '\0';
		CHECK_SLUG(text, want);
		memcpy(text + TOC_ID_MAX - 2, " b", 3);
		want[TOC_ID_MAX - 2] = '-';
		want[TOC_ID_MAX - 1] = 'b';
		want[TOC_ID_MAX] = '\0';
		CHECK_SLUG(text, want);
	}
}

static const char long_md[] =
    "Intro.\n\n## Purpose\n\nOne.\n\n## Scope\n\nTwo [link](https://x.example/).\n\n"
    "## Purpose\n\nThree.\n\n## Contents\n\nFour `<h2>` and <h2>raw</h2>.\n\n"
    "## Main\n\nLast sentence.\n";

static void test_long_policy_gets_contents(void)
{
	struct buf plain = BUF_INIT, page = BUF_INIT, cmark = BUF_INIT;
	struct toc toc;

	CHECK_INT(
	    toc_render(long_md, strlen(long_md), "<p class=\"back\"></p>\n", &plain, &page, &toc),
	    0);
	CHECK_INT(site_markdown(&cmark, long_md, strlen(long_md)), 0);
	CHECK_STR(buf_str(&plain), buf_str(&cmark)); /* what is signed does not change */
	CHECK_INT(toc.n, 5);
	if (toc.n == 5) {
		CHECK_STR(toc.e[0].id, "purpose");
		CHECK_STR(toc.e[1].id, "scope");
		CHECK_STR(toc.e[2].id, "purpose-2");  /* unique on the page */
		CHECK_STR(toc.e[3].id, "contents-2"); /* the contents list's own id is taken */
		CHECK_STR(toc.e[4].id, "main-2");     /* so is the page's main */
		CHECK_STR(toc.e[3].text, "Contents");
	}
	CHECK(strstr(buf_str(&page), "<h2 id=\"purpose\">Purpose</h2>") != NULL);
	CHECK(strstr(buf_str(&page), "<h2 id=\"purpose-2\">Purpose</h2>") != NULL);
	/* Before each heading but the first, and at the end. */
	CHECK(strstr(buf_str(&page), "Intro.</p>\n<h2 id=\"purpose\">") != NULL);
	CHECK(strstr(buf_str(&page), "One.</p>\n<p class=\"back\"></p>\n<h2 id=\"scope\">") !=
	      NULL);
	CHECK(strstr(buf_str(&page), "Last sentence.</p>\n<p class=\"back\"></p>\n") != NULL);
	/* Raw HTML and code never become headings. */
	CHECK(strstr(buf_str(&page), "<h2>raw") == NULL);
	CHECK(strstr(buf_str(&page), "<code>&lt;h2&gt;</code>") != NULL);
	toc_free(&toc);
	/* Without the plain HTML wanted, the page is the same. */
	{
		cmark_node *doc = cmark_parse_document(long_md, strlen(long_md),
		                                       CMARK_OPT_DEFAULT | CMARK_OPT_SMART);
		struct buf p3 = BUF_INIT;
		struct toc t3;
		CHECK_INT(toc_render_doc(doc, cmark_get_default_mem_allocator(),
		                         "<p class=\"back\"></p>\n", NULL, &p3, &t3),
		          0);
		CHECK_STR(buf_str(&p3), buf_str(&page));
		CHECK_INT(t3.n, 5);
		toc_free(&t3);
		buf_free(&p3);
		cmark_node_free(doc);
	}
	/* The same text gives the same page every time. */
	{
		struct buf again = BUF_INIT, p2 = BUF_INIT;
		struct toc t2;
		CHECK_INT(toc_render(long_md, strlen(long_md), "<p class=\"back\"></p>\n", &p2,
		                     &again, &t2),
		          0);
		CHECK_STR(buf_str(&again), buf_str(&page));
		toc_free(&t2);
		buf_free(&again);
		buf_free(&p2);
	}
	buf_free(&plain);
	buf_free(&page);
	buf_free(&cmark);
}

static void test_short_policy_has_none(void)
{
	static const char md[] = "## One\n\na\n\n## Two\n\nb\n\n### Three\n\nc\n\n## Four\n\nd\n";
	struct buf plain = BUF_INIT, page = BUF_INIT;
	struct toc toc;

	CHECK_INT(toc_render(md, strlen(md), "<p>back</p>", &plain, &page, &toc), 0);
	CHECK_INT(toc.n, 0);
	CHECK(toc.e == NULL);
	CHECK_STR(buf_str(&page), buf_str(&plain));
	CHECK(strstr(buf_str(&page), "back") == NULL);
	buf_free(&plain);
	buf_free(&page);
	toc_free(&toc);
	toc_free(NULL);
}

/* Headings with markup, line breaks and Welsh: plain text for the list, ids readable. */
static void test_heading_text(void)
{
	static const char md[] = "## *Diben* a `chwmpas`\n\nŴyr\nac wyresau\n---\n\n## "
	                         "[Dolen](https://x.example/) hir\n\n## Pedwar & pump\n";
	struct buf plain = BUF_INIT, page = BUF_INIT;
	struct toc toc;

	CHECK_INT(toc_render(md, strlen(md), "", &plain, &page, &toc), 0);
	CHECK_INT(toc.n, 4);
	if (toc.n == 4) {
		CHECK_STR(toc.e[0].text, "Diben a chwmpas");
		CHECK_STR(toc.e[0].id, "diben-a-chwmpas");
		CHECK_STR(toc.e[1].text, "Ŵyr ac wyresau"); /* a setext heading over two lines */
		CHECK_STR(toc.e[1].id, "ŵyr-ac-wyresau");
		CHECK_STR(toc.e[2].text, "Dolen hir");
		CHECK_STR(toc.e[3].text, "Pedwar & pump");
		CHECK_STR(toc.e[3].id, "pedwar-pump");
	}
	CHECK(strstr(buf_str(&page), "<h2 id=\"diben-a-chwmpas\"><em>Diben</em>") != NULL);
	buf_free(&plain);
	buf_free(&page);
	toc_free(&toc);
}

/* Level-2 headings inside block quotes and list items count too, in document order, each
 * getting its id where it stands; a heading nested thousands of levels deep is found
 * without recursion. */
static void test_nested_headings(void)
{
	static const char md[] = "## One\n\n> ## Two\n>\n> text\n\n- item\n\n  ## Three\n\n"
	                         "  > - ## Four\n\n## Five\n";
	struct buf plain = BUF_INIT, page = BUF_INIT, deep = BUF_INIT;
	struct toc toc;
	int i;

	CHECK_INT(toc_render(md, strlen(md), "<p>back</p>\n", &plain, &page, &toc), 0);
	CHECK_INT(toc.n, 5);
	if (toc.n == 5) {
		CHECK_STR(toc.e[0].id, "one");
		CHECK_STR(toc.e[1].id, "two");
		CHECK_STR(toc.e[2].id, "three");
		CHECK_STR(toc.e[3].id, "four");
		CHECK_STR(toc.e[4].id, "five");
	}
	CHECK(strstr(buf_str(&page), "<blockquote>\n<p>back</p>\n<h2 id=\"two\">Two</h2>") != NULL);
	CHECK(strstr(buf_str(&page), "<li>\n<p>back</p>\n<h2 id=\"four\">Four</h2>") != NULL);
	toc_free(&toc);
	for (i = 0; i < 3000; i++)
		buf_puts(&deep, "> ");
	buf_puts(&deep, "## Deep\n\n## A\n\n## B\n\n## C\n");
	buf_reset(&plain);
	buf_reset(&page);
	CHECK_INT(toc_render(deep.data, deep.len, "", &plain, &page, &toc), 0);
	CHECK_INT(toc.n, 4);
	if (toc.n == 4)
		CHECK_STR(toc.e[0].id, "deep");
	toc_free(&toc);
	buf_free(&deep);
	buf_free(&plain);
	buf_free(&page);
}

int main(void)
{
	RUN(test_slug);
	RUN(test_long_policy_gets_contents);
	RUN(test_short_policy_has_none);
	RUN(test_heading_text);
	RUN(test_nested_headings);
	CHECK_MAIN();
}
