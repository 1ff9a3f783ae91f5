#include "check.h"
#include "diff.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Runs diff_html on two NUL-terminated texts; the HTML is left in *out. */
static int run(struct buf *out, const char *old, const char *new, struct diff_stats *st)
{
	buf_reset(out);
	return diff_html(out, old, old ? strlen(old) : 0, new, new ? strlen(new) : 0, st);
}

/* Every '<' in the output opens or closes one of the elements diff.h promises, with at
 * most the class attributes it lists: nothing else can have come from the Markdown. */
static int only_known_tags(const char *html)
{
	static const char *const tags[] = {"<p>",
	                                   "</p>",
	                                   "<li>",
	                                   "</li>",
	                                   "<ul>",
	                                   "</ul>",
	                                   "<ins>",
	                                   "</ins>",
	                                   "<del>",
	                                   "</del>",
	                                   "<h1>",
	                                   "</h1>",
	                                   "<h2>",
	                                   "</h2>",
	                                   "<h3>",
	                                   "</h3>",
	                                   "<h4>",
	                                   "</h4>",
	                                   "<h5>",
	                                   "</h5>",
	                                   "<h6>",
	                                   "</h6>",
	                                   "<p class=\"diff-",
	                                   "<li class=\"diff-",
	                                   "<h1 class=\"diff-",
	                                   "<h2 class=\"diff-",
	                                   "<h3 class=\"diff-",
	                                   "<h4 class=\"diff-",
	                                   "<h5 class=\"diff-",
	                                   "<h6 class=\"diff-"};
	static const char *const classes[] = {"added\">", "removed\">", "changed\">", "skip\">"};
	const char *p;
	size_t i, j, n;

	for (p = html; (p = strchr(p, '<')) != NULL; p++) {
		for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
			if (strncmp(p, tags[i], strlen(tags[i])) == 0)
				break;
		if (i == sizeof(tags) / sizeof(tags[0])) {
			printf("  unexpected markup at: %.40s\n", p);
			return 0;
		}
		n = strlen(tags[i]);
		if (tags[i][n - 1] == '-') {
			for (j = 0; j < sizeof(classes) / sizeof(classes[0]); j++)
				if (strncmp(p + n, classes[j], strlen(classes[j])) == 0)
					break;
			if (j == sizeof(classes) / sizeof(classes[0])) {
				printf("  unexpected class at: %.40s\n", p);
				return 0;
			}
		}
	}
	return 1;
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;

	while ((s = strstr(s, needle)) != NULL)
		n++, s++;
	return n;
}

/* Found by fuzz-diff: two empty texts (NULL pointers with length 0). */
static void test_empty_inputs(void)
{
	struct buf out = BUF_INIT;
	struct diff_stats st;

	CHECK(diff_html(&out, NULL, 0, NULL, 0, &st) == 0);
	CHECK_INT(st.words_added + st.words_removed + st.blocks_changed, 0);
	diff_stats_free(&st);
	CHECK(diff_html(&out, NULL, 0, "word", 4, &st) == 0);
	CHECK_INT(st.words_added, 1);
	diff_stats_free(&st);
	buf_free(&out);
}

static void test_word_changed(void)
{
	struct buf b = BUF_INIT;
	struct diff_stats st;

	CHECK_INT(run(&b, "We review this policy every year.\n",
	              "We review this policy every two years.\n", &st),
	          0);
	CHECK_STR(buf_str(&b), "<p class=\"diff-changed\">We review this policy every "
	                       "<del>year.</del> <ins>two years.</ins></p>\n");
	CHECK_INT(st.words_added, 2);
	CHECK_INT(st.words_removed, 1);
	CHECK_INT(st.blocks_changed, 1);
	CHECK_INT(st.blocks_added, 0);
	CHECK_INT(st.blocks_removed, 0);
	CHECK_INT(st.level, DIFF_WORDS);
	CHECK_INT(st.nheadings, 0);
	CHECK_INT(st.before_first_heading, 1);
	diff_stats_free(&st);
	buf_free(&b);
}

static void test_paragraph_added(void)
{
	struct buf b = BUF_INIT;
	struct diff_stats st;

	CHECK_INT(run(&b, "First para here.\n\nThird para here.\n",
	              "First para here.\n\nA new para here.\n\nThird para here.\n", &st),
	          0);
	/* The inserted run could be drawn as "A new para here. ¶" inside the first block;
	 * it must show as one whole new paragraph between two unchanged ones. */
	CHECK_STR(buf_str(&b), "<p>First para here.</p>\n"
	                       "<p class=\"diff-added\"><ins>A new para here.</ins></p>\n"
	                       "<p>Third para here.</p>\n");
	CHECK_INT(st.words_added, 4);
	CHECK_INT(st.words_removed, 0);
	CHECK_INT(st.blocks_changed, 1);
	CHECK_INT(st.blocks_added, 1);
	diff_stats_free(&st);
	buf_free(&b);
}

static void test_list_item_removed(void)
{
	struct buf b = BUF_INIT;
	struct diff_stats st;

	CHECK_INT(run(&b, "Rules:\n\n- be kind\n- be fair\n- be safe\n",
	              "Rules:\n\n- be kind\n- be safe\n", &st),
	          0);
	CHECK_STR(buf_str(&b), "<p>Rules:</p>\n<ul>\n<li>be kind</li>\n"
	                       "<li class=\"diff-removed\"><del>be fair</del></li>\n"
	                       "<li>be safe</li>\n</ul>\n");
	CHECK_INT(st.words_added, 0);
	CHECK_INT(st.words_removed, 2);
	CHECK_INT(st.blocks_removed, 1);
	CHECK_INT(st.blocks_changed, 1);
	diff_stats_free(&st);
	buf_free(&b);
}

/* A list item's text goes on after its nested list: the item stays one block, with both
 * of its paragraphs, however its text is stored while it is read. */
static void test_item_around_nested_list(void)
{
	struct buf b = BUF_INIT;
	struct diff_stats st;

	CHECK_INT(run(&b, "- first part\n\n  - nested one\n\n  second part\n- other\n",
	              "- first part\n\n  - nested two\n\n  second part\n- other\n", &st),
	          0);
	CHECK_STR(buf_str(&b),
	          "<ul>\n<li>first part second part</li>\n"
	          "<li class=\"diff-changed\">nested <del>one</del> <ins>two</ins></li>\n"
	          "<li>other</li>\n</ul>\n");
	diff_stats_free(&st);
	CHECK_INT(run(&b, "- first part\n\n  - nested\n\n  second part\n",
	              "- first part\n\n  - nested\n\n  second part changed\n", &st),
	          0);
	CHECK_STR(buf_str(&b), "<ul>\n<li class=\"diff-changed\">first part second part "
	                       "<ins>changed</ins></li>\n<li>nested</li>\n</ul>\n");
	diff_stats_free(&st);
	buf_free(&b);
}

static void test_heading_changed(void)
{
	struct buf b = BUF_INIT;
	struct diff_stats st;

	CHECK_INT(run(&b, "## Online safety\n\nBe careful.\n",
	              "## Staying safe online\n\nBe careful.\n", &st),
	          0);
	CHECK_STR(buf_str(&b), "<h2 class=\"diff-changed\"><del>Online safety</del> "
	                       "<ins>Staying safe online</ins></h2>\n<p>Be careful.</p>\n");
	CHECK_INT(st.nheadings, 1);
	if (st.nheadings == 1)
		CHECK_STR(st.headings[0], "Staying safe online");
	CHECK_INT(st.before_first_heading, 0);
	diff_stats_free(&st);

	/* Same words, different level: the structure change shows, no words counted. */
	CHECK_INT(run(&b, "## Photographs\n\nText.\n", "### Photographs\n\nText.\n", &st), 0);
	CHECK_STR(buf_str(&b), "<h3 class=\"diff-changed\">Photographs</h3>\n<p>Text.</p>\n");
	CHECK_INT(st.words_added + st.words_removed, 0);
	CHECK_INT(st.blocks_changed, 1);
	diff_stats_free(&st);

	/* A paragraph that became a list item. */
	CHECK_INT(run(&b, "Intro.\n\nBe kind.\n", "Intro.\n\n- Be kind.\n", &st), 0);
	CHECK_STR(buf_str(&b),
	          "<p>Intro.</p>\n<ul>\n<li class=\"diff-changed\">Be kind.</li>\n</ul>\n");
	CHECK_INT(st.blocks_changed, 1);
	diff_stats_free(&st);
	buf_free(&b);
}

static void test_section_headings(void)
{
	static const char old[] = "Intro text.\n\n"
	                          "## Online Safety\n\nNever share passwords.\n\n"
	                          "## Photographs\n\n### At events\n\nAsk first.\n\n"
	                          "## Complaints\n\nWrite to the head.\n\n"
	                          "## Old section\n\nGone soon.\n";
	static const char new[] = "Intro text.\n\n"
	                          "## Online Safety\n\nNever share your passwords.\n\n"
	                          "## Photographs\n\n### At events\n\nAlways ask first.\n\n"
	                          "## Complaints\n\nWrite to the head.\n";
	struct buf b = BUF_INIT;
	struct diff_stats st;

	CHECK_INT(run(&b, old, new, &st), 0);
	CHECK_INT(st.nheadings, 3);
	if (st.nheadings == 3) {
		CHECK_STR(st.headings[0], "Online Safety");
		CHECK_STR(st.headings[1], "At events");
		/* A removed heading is named in its old wording. */
		CHECK_STR(st.headings[2], "Old section");
	}
	CHECK_INT(st.more_headings, 0);
	CHECK_INT(st.before_first_heading, 0);
	CHECK_INT(st.words_added, 3);
	CHECK_INT(st.words_removed, 5);
	CHECK(strstr(buf_str(&b), "<h2 class=\"diff-removed\"><del>Old section</del></h2>") !=
	      NULL);
	diff_stats_free(&st);

	/* A change above the first heading is reported separately. */
	CHECK_INT(run(&b, "Intro.\n\n## A\n\nx\n", "Introduction.\n\n## A\n\nx\n", &st), 0);
	CHECK_INT(st.before_first_heading, 1);
	CHECK_INT(st.nheadings, 0);
	diff_stats_free(&st);
	buf_free(&b);
}

static void test_many_sections(void)
{
	struct buf old = BUF_INIT, new = BUF_INIT, b = BUF_INIT;
	struct diff_stats st;
	int i;

	for (i = 0; i < DIFF_HEADINGS_MAX + 5; i++) {
		buf_printf(&old, "## Section %d\n\nold text %d\n\n", i, i);
		buf_printf(&new, "## Section %d\n\nnew text %d\n\n", i, i);
	}
	CHECK_INT(run(&b, buf_str(&old), buf_str(&new), &st), 0);
	CHECK_INT(st.nheadings, DIFF_HEADINGS_MAX);
	CHECK_INT(st.more_headings, 1);
	CHECK_STR(st.headings[0], "Section 0");
	CHECK_INT(st.words_added, DIFF_HEADINGS_MAX + 5);
	diff_stats_free(&st);
	buf_free(&old);
	buf_free(&new);
	buf_free(&b);
}

static void test_identical(void)
{
	static const char md[] = "# Policy\n\nSome *text* with a [link](http://x/).\n\n"
	                         "- one\n- two\n\n## Part\n\nMore.\n\nEven more.\n\nLast.\n";
	struct buf b = BUF_INIT;
	struct diff_stats st;

	CHECK_INT(run(&b, md, md, &st), 0);
	CHECK(strstr(buf_str(&b), "<ins>") == NULL);
	CHECK(strstr(buf_str(&b), "<del>") == NULL);
	CHECK(strstr(buf_str(&b), "diff-changed") == NULL);
	CHECK_INT(st.words_added, 0);
	CHECK_INT(st.words_removed, 0);
	CHECK_INT(st.blocks_changed, 0);
	CHECK_INT(st.nheadings, 0);
	CHECK_INT(st.before_first_heading, 0);
	/* Nothing changed, so only the headings remain, with the rest collapsed. */
	CHECK_STR(buf_str(&b), "<h1>Policy</h1>\n<p class=\"diff-skip\">\xe2\x80\xa6</p>\n"
	                       "<h2>Part</h2>\n<p class=\"diff-skip\">\xe2\x80\xa6</p>\n");
	diff_stats_free(&st);

	CHECK_INT(run(&b, "", "", &st), 0);
	CHECK_STR(buf_str(&b), "");
	CHECK_INT(st.blocks_changed, 0);
	diff_stats_free(&st);
	buf_free(&b);
}

static void test_rewrapped(void)
{
	struct buf b = BUF_INIT;
	struct diff_stats st;

	CHECK_INT(run(&b, "Parents must not post\nphotos of other children\nonline.\n",
	              "Parents   must not post photos\n  of other\tchildren online.  \n", &st),
	          0);
	CHECK_STR(buf_str(&b), "<p>Parents must not post photos of other children online.</p>\n");
	CHECK_INT(st.words_added + st.words_removed + st.blocks_changed, 0);
	diff_stats_free(&st);

	/* Markup-only changes do not count either: the diff is of the words read. */
	CHECK_INT(
	    run(&b, "Be *kind* and [fair](a.html).\n", "Be **kind** and [fair](b.html).\n", &st),
	    0);
	CHECK_INT(st.words_added + st.words_removed + st.blocks_changed, 0);
	diff_stats_free(&st);
	buf_free(&b);
}

static void test_split_and_join(void)
{
	struct buf b = BUF_INIT;
	struct diff_stats st;

	CHECK_INT(run(&b, "One two three. Four five.\n", "One two three.\n\nFour five.\n", &st), 0);
	CHECK_STR(buf_str(&b), "<p>One two three.</p>\n"
	                       "<p class=\"diff-changed\"><ins>\xc2\xb6</ins> Four five.</p>\n");
	CHECK_INT(st.words_added + st.words_removed, 0);
	CHECK_INT(st.blocks_changed, 1);
	diff_stats_free(&st);

	CHECK_INT(run(&b, "One two three.\n\nFour five.\n", "One two three. Four five.\n", &st), 0);
	CHECK_STR(buf_str(&b),
	          "<p class=\"diff-changed\">One two three. <del>\xc2\xb6</del> Four five.</p>\n");
	CHECK_INT(st.words_added + st.words_removed, 0);
	diff_stats_free(&st);
	buf_free(&b);
}

static void test_first_version(void)
{
	struct buf b = BUF_INIT;
	struct diff_stats st;

	CHECK_INT(diff_html(&b, NULL, 0, "## Hello\n\nNew policy.\n", 22, &st), 0);
	CHECK_STR(buf_str(&b), "<h2 class=\"diff-added\"><ins>Hello</ins></h2>\n"
	                       "<p class=\"diff-added\"><ins>New policy.</ins></p>\n");
	CHECK_INT(st.words_added, 3);
	CHECK_INT(st.blocks_added, 2);
	diff_stats_free(&st);
	buf_free(&b);
}

static void test_escaping(void)
{
	struct buf b = BUF_INIT;
	struct diff_stats st;
	const char *h;

	CHECK_INT(run(&b, "Fish & chips for under 5 pounds.\n",
	              "Fish & chips \"always\" for < 5 pounds, it's 'fine'.\n", &st),
	          0);
	h = buf_str(&b);
	CHECK(strstr(h, "Fish &amp; chips") != NULL);
	CHECK(strstr(h, "<ins>&quot;always&quot;</ins>") != NULL);
	CHECK(strstr(h, "&lt;") != NULL);
	CHECK(strstr(h, "it&#39;s") != NULL);
	CHECK(only_known_tags(h));
	/* Appends: text already in the buffer stays. */
	buf_reset(&b);
	buf_puts(&b, "<main>");
	CHECK_INT(diff_html(&b, "a", 1, "b", 1, NULL), 0);
	CHECK_STR(buf_str(&b), "<main><p class=\"diff-changed\"><del>a</del> <ins>b</ins></p>\n");
	diff_stats_free(&st);
	buf_free(&b);
}

static void test_no_raw_html(void)
{
	static const char old[] = "<script>alert(1)</script>\n\n"
	                          "Text with <b onclick=\"x()\">inline</b> html.\n\n"
	                          "Use the `<script>` element with care.\n\n"
	                          "    <script>in code</script>\n";
	static const char new[] = "<script>alert(2)</script>\n\n"
	                          "<div onclick=\"evil()\">\nhello\n</div>\n\n"
	                          "Text with <i onmouseover=\"y()\">inline</i> HTML.\n\n"
	                          "Use the `<script>` element with great care.\n\n"
	                          "> <img src=x onerror=alert(3)> quoted\n\n"
	                          "    <script>in new code</script>\n";
	struct buf b = BUF_INIT;
	struct diff_stats st;
	const char *h;

	CHECK_INT(run(&b, old, new, &st), 0);
	h = buf_str(&b);
	CHECK(only_known_tags(h));
	CHECK(strstr(h, "alert") == NULL); /* raw HTML blocks and inline HTML are dropped */
	CHECK(strstr(h, "onclick") == NULL);
	CHECK(strstr(h, "onmouseover") == NULL);
	CHECK(strstr(h, "onerror") == NULL);
	CHECK(strstr(h, "hello") == NULL);
	/* Text about HTML, in code spans and blocks, is kept as escaped text. */
	CHECK(strstr(h, "the &lt;script&gt; element") != NULL);
	CHECK(strstr(h, "&lt;script&gt;in <ins>new</ins> code&lt;/script&gt;") != NULL);
	CHECK(strstr(h, "Text with inline <del>html.</del> <ins>HTML.</ins>") != NULL);
	CHECK_INT(st.words_added, 4);   /* HTML. great quoted new */
	CHECK_INT(st.words_removed, 1); /* html. */
	diff_stats_free(&st);
	buf_free(&b);
}

static void test_collapse(void)
{
	struct buf old = BUF_INIT, new = BUF_INIT, b = BUF_INIT;
	struct diff_stats st;
	int i;

	buf_puts(&old, "## Start\n\n");
	buf_puts(&new, "## Start\n\n");
	for (i = 0; i < 10; i++) {
		buf_printf(&old, "Paragraph %d.\n\n", i);
		buf_printf(&new, i == 5 ? "Paragraph %d changed.\n\n" : "Paragraph %d.\n\n", i);
	}
	CHECK_INT(run(&b, buf_str(&old), buf_str(&new), &st), 0);
	CHECK_STR(buf_str(&b), "<h2>Start</h2>\n<p class=\"diff-skip\">\xe2\x80\xa6</p>\n"
	                       "<p>Paragraph 4.</p>\n"
	                       "<p class=\"diff-changed\">Paragraph <del>5.</del> <ins>5 "
	                       "changed.</ins></p>\n"
	                       "<p>Paragraph 6.</p>\n<p class=\"diff-skip\">\xe2\x80\xa6</p>\n");
	diff_stats_free(&st);

	/* Inside a list the marker is a list item. */
	buf_reset(&old);
	buf_reset(&new);
	for (i = 0; i < 6; i++) {
		buf_printf(&old, "- item %d\n", i);
		buf_printf(&new, i == 0 ? "- item %d new\n" : "- item %d\n", i);
	}
	CHECK_INT(run(&b, buf_str(&old), buf_str(&new), &st), 0);
	CHECK_STR(buf_str(&b),
	          "<ul>\n<li class=\"diff-changed\">item 0 <ins>new</ins></li>\n"
	          "<li>item 1</li>\n<li class=\"diff-skip\">\xe2\x80\xa6</li>\n</ul>\n");
	diff_stats_free(&st);
	buf_free(&old);
	buf_free(&new);
	buf_free(&b);
}

static void test_oom_flag(void)
{
	struct buf b = BUF_INIT;
	struct diff_stats st;

	b.oom = 1;
	CHECK_INT(diff_html(&b, "a", 1, "b", 1, &st), -1);
	CHECK_INT(st.words_added + st.words_removed + st.nheadings, 0);
	CHECK(st.headings == NULL);
	diff_stats_free(&st);
	buf_free(&b);
}

/* Longest common subsequence length, by the textbook table: the reference for minimality. */
static size_t lcs(const int *a, size_t n, const int *b, size_t m)
{
	size_t *t = calloc((n + 1) * (m + 1), sizeof(*t)), i, j, r;

	for (i = 1; i <= n; i++)
		for (j = 1; j <= m; j++)
			t[i * (m + 1) + j] = a[i - 1] == b[j - 1] ? t[(i - 1) * (m + 1) + j - 1] + 1
			                     : t[(i - 1) * (m + 1) + j] > t[i * (m + 1) + j - 1]
			                         ? t[(i - 1) * (m + 1) + j]
			                         : t[i * (m + 1) + j - 1];
	r = t[n * (m + 1) + m];
	free(t);
	return r;
}

static void test_minimal_random(void)
{
	static const char *const words[] = {"a", "b", "c", "d"};
	struct buf o = BUF_INIT, n = BUF_INIT, b = BUF_INIT;
	struct diff_stats st;
	int x[40], y[40], round, bad = 0;
	size_t nx, ny, i, l;

	srand(1);
	for (round = 0; round < 2000 && !bad; round++) {
		buf_reset(&o);
		buf_reset(&n);
		nx = (size_t)(rand() % 40), ny = (size_t)(rand() % 40);
		for (i = 0; i < nx; i++)
			buf_printf(&o, "%s ", words[x[i] = rand() % 4]);
		for (i = 0; i < ny; i++)
			buf_printf(&n, "%s ", words[y[i] = rand() % 4]);
		if (run(&b, buf_str(&o), buf_str(&n), &st) != 0)
			bad = 1;
		l = lcs(x, nx, y, ny);
		if (st.words_removed != nx - l || st.words_added != ny - l)
			bad = 1;
		if (nx == 0 || ny == 0) /* a paragraph added or removed: one ¶ too */
			bad |= st.blocks_changed != (nx != ny);
		if (bad)
			printf("  round %d: %s -> %s: -%zu +%zu, lcs %zu\n", round, buf_str(&o),
			       buf_str(&n), st.words_removed, st.words_added, l);
		diff_stats_free(&st);
	}
	CHECK(!bad);
	buf_free(&o);
	buf_free(&n);
	buf_free(&b);
}

/* Random structured documents: counts agree with word totals, output stays well formed. */
static void test_random_structure(void)
{
	static const char *const pieces[] = {"a ", "b ", "c ", "\n\n", "\n- ", "\n## ", "\n"};
	struct buf o = BUF_INIT, n = BUF_INIT, b = BUF_INIT;
	struct diff_stats st;
	int round, bad = 0, k;
	size_t wo, wn, i, len;

	srand(2);
	for (round = 0; round < 3000 && !bad; round++) {
		buf_reset(&o);
		buf_reset(&n);
		wo = wn = 0;
		len = (size_t)(rand() % 30);
		for (i = 0; i < len; i++) {
			k = rand() % 7;
			wo += k < 3;
			buf_puts(&o, pieces[k]);
		}
		len = (size_t)(rand() % 30);
		for (i = 0; i < len; i++) {
			k = rand() % 7;
			wn += k < 3;
			buf_puts(&n, pieces[k]);
		}
		if (run(&b, buf_str(&o), buf_str(&n), &st) != 0 || !only_known_tags(buf_str(&b)))
			bad = 1;
		if (wn + st.words_removed != wo + st.words_added || st.words_removed > wo)
			bad = 1;
		if (strcmp(buf_str(&o), buf_str(&n)) == 0 && st.blocks_changed != 0)
			bad = 1;
		if (count(buf_str(&b), "<ul>") != count(buf_str(&b), "</ul>"))
			bad = 1;
		if (bad)
			printf("  round %d:\n%s\n--\n%s\n--\n%s", round, buf_str(&o), buf_str(&n),
			       buf_str(&b));
		diff_stats_free(&st);
	}
	CHECK(!bad);
	buf_free(&o);
	buf_free(&n);
	buf_free(&b);
}

static double cpu_seconds(clock_t since)
{
	return (double)(clock() - since) / CLOCKS_PER_SEC;
}

/* About 200 KB in many paragraphs, every word common to both versions but in another
 * order: the word-level comparison would be quadratic, so it must fall back to whole
 * blocks and still count every word. */
static void test_pathological_paragraphs(void)
{
	struct buf o = BUF_INIT, n = BUF_INIT, b = BUF_INIT;
	struct diff_stats st;
	size_t words = 0, k;
	clock_t t0;

	while (o.len < 200000) {
		for (k = 0; k < 5; k++)
			buf_printf(&o, "%sw%zu", k ? " " : "", (words + k) * 7 % 50);
		for (k = 0; k < 5; k++)
			buf_printf(&n, "%sw%zu", k ? " " : "",
			           (words + k) * 13 % 50 + 50 * (k == 4));
		buf_puts(&o, ".\n\n");
		buf_puts(&n, ".\n\n");
		words += 5;
	}
	t0 = clock();
	CHECK_INT(run(&b, buf_str(&o), buf_str(&n), &st), 0);
	CHECK(cpu_seconds(t0) < 20);
	CHECK_INT(st.words_removed, words);
	CHECK_INT(st.words_added, words);
	CHECK_INT(st.blocks_removed, words / 5);
	CHECK_INT(st.blocks_added, words / 5);
	CHECK(st.level != DIFF_WORDS);
	CHECK(count(buf_str(&b), "<del>") == words / 5);
	diff_stats_free(&st);

	/* No word in common at all: every word counted, quickly, whichever way. */
	buf_reset(&o);
	buf_reset(&n);
	for (words = 0; o.len < 200000; words += 5) {
		buf_printf(&o, "old%zu old%zu old%zu old%zu old%zu.\n\n", words, words + 1,
		           words + 2, words + 3, words + 4);
		buf_printf(&n, "new%zu new%zu new%zu new%zu new%zu.\n\n", words, words + 1,
		           words + 2, words + 3, words + 4);
	}
	t0 = clock();
	CHECK_INT(run(&b, buf_str(&o), buf_str(&n), &st), 0);
	CHECK(cpu_seconds(t0) < 20);
	CHECK_INT(st.words_removed, words);
	CHECK_INT(st.words_added, words);
	CHECK_INT(st.blocks_changed, words / 5);
	diff_stats_free(&st);
	buf_free(&o);
	buf_free(&n);
	buf_free(&b);
}

/* 100k one-word paragraphs each side, all different: too much even block by block. */
static void test_pathological_blocks(void)
{
	struct buf o = BUF_INIT, n = BUF_INIT, b = BUF_INIT;
	struct diff_stats st;
	size_t i, words = 100000;
	clock_t t0;

	buf_puts(&o, "Same start.\n\n");
	buf_puts(&n, "Same start.\n\n");
	for (i = 0; i < words; i++) {
		buf_printf(&o, "o%zu\n\n", i);
		buf_printf(&n, "n%zu\n\n", i);
	}
	t0 = clock();
	CHECK_INT(run(&b, buf_str(&o), buf_str(&n), &st), 0);
	CHECK(cpu_seconds(t0) < 20);
	CHECK_INT(st.words_removed, words);
	CHECK_INT(st.words_added, words);
	CHECK_INT(st.level, DIFF_WHOLE);
	CHECK(strncmp(buf_str(&b), "<p>Same start.</p>\n", 19) == 0);
	diff_stats_free(&st);
	buf_free(&o);
	buf_free(&n);
	buf_free(&b);
}

/* 100k words in one paragraph, then the same text with a few words changed: still exact. */
static void test_pathological_words(void)
{
	struct buf o = BUF_INIT, n = BUF_INIT, b = BUF_INIT;
	struct diff_stats st;
	size_t i, words = 100000;
	clock_t t0;

	for (i = 0; i < words; i++) {
		buf_printf(&o, "w%zu ", i);
		buf_printf(&n, i % 25000 == 7 ? "changed%zu " : "w%zu ", i);
	}
	t0 = clock();
	CHECK_INT(run(&b, buf_str(&o), buf_str(&n), &st), 0);
	CHECK(cpu_seconds(t0) < 20);
	CHECK_INT(st.level, DIFF_WORDS);
	CHECK_INT(st.words_added, 4);
	CHECK_INT(st.words_removed, 4);
	CHECK(strstr(buf_str(&b), "<del>w25007</del> <ins>changed25007</ins>") != NULL);
	diff_stats_free(&st);

	/* Completely different, one paragraph each: all words, whichever way. */
	buf_reset(&n);
	for (i = 0; i < words; i++)
		buf_printf(&n, "x%zu ", i);
	t0 = clock();
	CHECK_INT(run(&b, buf_str(&o), buf_str(&n), &st), 0);
	CHECK(cpu_seconds(t0) < 20);
	CHECK_INT(st.words_removed, words);
	CHECK_INT(st.words_added, words);
	diff_stats_free(&st);

	/* The same words in another order, one paragraph each: too many differences word by
	 * word, so the paragraph is replaced whole. */
	buf_reset(&o);
	buf_reset(&n);
	for (i = 0; i < words; i++) {
		buf_printf(&o, "v%zu ", i * 7 % 100);
		buf_printf(&n, "v%zu ", i * 13 % 100);
	}
	t0 = clock();
	CHECK_INT(run(&b, buf_str(&o), buf_str(&n), &st), 0);
	CHECK(cpu_seconds(t0) < 20);
	CHECK_INT(st.words_removed, words);
	CHECK_INT(st.words_added, words);
	CHECK_INT(st.level, DIFF_BLOCKS);
	diff_stats_free(&st);
	buf_free(&o);
	buf_free(&n);
	buf_free(&b);
}

/* A text read from the page's own parse (CMARK_OPT_SMART, turned back) compares exactly
 * as one parsed again from the Markdown: typographic quotes, dashes and ellipses, code,
 * entities and characters that the page's parse could have made, and a text compared
 * twice (with the version before it and the one after). */
static void test_text_from_doc(void)
{
	static const char *const md[] = {
	    "# It's \"here\"\n\nParents' rights -- and duties --- all... of them.\n",
	    "# It's \"there\"\n\nParents' rights -- and duties --- most... of them.\n\n"
	    "- `don't` change 'this'\n- \"quoted\" item\n",
	    "Code:\n\n    it's -- code\n\nA ---- dash, a -------- longer one. \\'escaped\\'\n",
	    "Entities: &rsquo; &#8212; &amp; and AT&T's -- plan.\n",
	    "Already typographic: \xe2\x80\x99 \xe2\x80\x94 \xe2\x80\xa6 and 'plain'.\n",
	    "## A heading -- \"quoted\"\n\nText... with 'single' and \"double\" quotes.\n",
	    "",
	};
	const size_t n = sizeof md / sizeof md[0];
	struct diff_text *dt[sizeof md / sizeof md[0]];
	struct buf want = BUF_INIT, got = BUF_INIT;
	size_t i, j;

	for (i = 0; i < n; i++) {
		cmark_node *doc =
		    cmark_parse_document(md[i], strlen(md[i]), CMARK_OPT_DEFAULT | CMARK_OPT_SMART);
		CHECK(doc != NULL);
		dt[i] = diff_text_from_doc(doc, md[i], strlen(md[i]));
		CHECK(dt[i] != NULL);
		cmark_node_free(doc);
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			struct diff_stats a, b;
			CHECK_INT(run(&want, md[i], md[j], &a), 0);
			buf_reset(&got);
			CHECK_INT(diff_html_texts(&got, dt[i], dt[j], &b), 0);
			CHECK_STR(buf_str(&got), buf_str(&want));
			CHECK_INT(b.words_added, a.words_added);
			CHECK_INT(b.words_removed, a.words_removed);
			diff_stats_free(&a);
			diff_stats_free(&b);
		}
	for (i = 0; i < n; i++)
		diff_text_free(dt[i]);
	buf_free(&want);
	buf_free(&got);
}

int main(void)
{
	RUN(test_empty_inputs);
	RUN(test_word_changed);
	RUN(test_paragraph_added);
	RUN(test_list_item_removed);
	RUN(test_item_around_nested_list);
	RUN(test_heading_changed);
	RUN(test_section_headings);
	RUN(test_many_sections);
	RUN(test_identical);
	RUN(test_rewrapped);
	RUN(test_split_and_join);
	RUN(test_first_version);
	RUN(test_escaping);
	RUN(test_no_raw_html);
	RUN(test_collapse);
	RUN(test_oom_flag);
	RUN(test_minimal_random);
	RUN(test_random_structure);
	RUN(test_pathological_paragraphs);
	RUN(test_pathological_blocks);
	RUN(test_pathological_words);
	RUN(test_text_from_doc);
	CHECK_MAIN();
}
