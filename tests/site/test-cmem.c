/* cmem, libcmark's arena: a document parsed and rendered through it gives the HTML that
 * cmark's own allocator gives, for texts small and larger than a block, and again after a
 * reset reuses the memory. */
#include <stdlib.h>

#include "buf.h"
#include "check.h"
#include "cmem.h"

#define OPTS (CMARK_OPT_DEFAULT | CMARK_OPT_SMART)

/* Renders md through c and compares with cmark_markdown_to_html. */
static void same_html(struct cmem *c, const char *md, size_t len)
{
	char *want = cmark_markdown_to_html(md, len, OPTS), *got;
	cmark_node *doc = cmem_parse(c, md, len, OPTS);

	CHECK(doc != NULL);
	got = doc ? cmark_render_html(doc, OPTS) : NULL;
	CHECK(got != NULL && want != NULL && strcmp(got, want) == 0);
	free(want);
	cmem_reset(c);
}

static void test_small_texts(void)
{
	struct cmem *c = cmem_new();
	static const char *const md[] = {
	    "",
	    "# Title\n\nA *short* 'text' -- with [a link](https://x.example/).\n",
	    "- one\n- two\n\n  > quoted `code`\n",
	};
	size_t i;

	CHECK(c != NULL);
	for (i = 0; i < sizeof md / sizeof md[0]; i++)
		same_html(c, md[i], strlen(md[i]));
	cmem_free(c);
	cmem_free(NULL);
}

/* Larger than a block (512 KiB): nodes and strings spill into new blocks, and one long
 * code block's string grows far past any block's size. */
static void test_large_texts(void)
{
	struct cmem *c = cmem_new();
	struct buf md = BUF_INIT;
	int i, round;

	for (i = 0; i < 20000; i++)
		buf_printf(&md, "Paragraph %d with *emphasis* and `code`.\n\n- item %d\n\n", i, i);
	buf_puts(&md, "```\n");
	for (i = 0; i < 40000; i++)
		buf_puts(&md, "a line of code in one long block\n");
	buf_puts(&md, "```\n");
	CHECK(buf_ok(&md));
	for (round = 0; round < 2; round++) /* the second after a reset */
		same_html(c, md.data, md.len);
	buf_free(&md);
	cmem_free(c);
}

int main(void)
{
	RUN(test_small_texts);
	RUN(test_large_texts);
	CHECK_MAIN();
}
