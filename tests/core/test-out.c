/* out: files written in place in a folder that was empty, replaced atomically (never in
 * place) otherwise, and an identical file left alone. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "out.h"

static char top[] = "/tmp/test-out-XXXXXX";

static char *path_of(const char *dir, const char *rel)
{
	static char p[1024];

	snprintf(p, sizeof p, "%s/%s", dir, rel);
	return p;
}

static int has(const char *dir, const char *rel, const char *want)
{
	struct buf b = BUF_INIT;
	int ok = buf_read_file(&b, path_of(dir, rel)) == 0 && strcmp(buf_str(&b), want) == 0;

	buf_free(&b);
	return ok;
}

static ino_t inode(const char *dir, const char *rel)
{
	struct stat st;

	return stat(path_of(dir, rel), &st) == 0 ? st.st_ino : 0;
}

/* Only the files written are in dir: no temporary file left behind. */
static int count_entries(const char *dir)
{
	char cmd[1100];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof cmd, "find '%s' | wc -l", dir);
	if ((f = popen(cmd, "r")) != NULL) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		pclose(f);
	}
	return n;
}

static void test_missing_folder_is_fresh(void)
{
	static struct out o;
	struct buf err = BUF_INIT;
	char dir[600];

	snprintf(dir, sizeof dir, "%s/missing/site", top);
	memset(&o, 0, sizeof o);
	o.dir = dir;
	out_begin(&o);
	CHECK(o.fresh);
	CHECK_INT(out_write(&o, "en/policies/a/2024-01-01/index.html", "one", 3, &err), 0);
	CHECK_INT(out_write(&o, "en/policies/a/index.html", "cur", 3, &err), 0);
	CHECK_INT(out_write(&o, "en/policies/a/2024-01-01/changes/index.html", "ch", 2, &err), 0);
	CHECK_INT(out_write(&o, "cy/policies/b/2024-01-01/index.html", "un", 2, &err), 0);
	CHECK_INT(out_write(&o, "en/policies/c/2024-01-01/index.html", "c", 1, &err), 0);
	CHECK_INT(out_write(&o, "index.html", "top", 3, &err), 0);
	CHECK_STR(buf_str(&err), "");
	CHECK(has(dir, "en/policies/a/2024-01-01/index.html", "one"));
	CHECK(has(dir, "en/policies/a/index.html", "cur"));
	CHECK(has(dir, "en/policies/a/2024-01-01/changes/index.html", "ch"));
	CHECK(has(dir, "cy/policies/b/2024-01-01/index.html", "un"));
	CHECK(has(dir, "en/policies/c/2024-01-01/index.html", "c"));
	CHECK(has(dir, "index.html", "top"));
	CHECK_INT(o.written, 6);
	CHECK_INT(o.unchanged, 0);
	/* site, en, en/policies, a, a/2024-01-01, changes, cy, cy/policies, b, its version,
	 * c, its version; six files: nothing else. */
	CHECK_INT(count_entries(dir), 1 + 11 + 6);
	buf_free(&err);
	out_end(&o);
}

static void test_file_there_after_all_is_replaced_atomically(void)
{
	static struct out o;
	struct buf err = BUF_INIT;
	char dir[600];
	ino_t before;

	snprintf(dir, sizeof dir, "%s/race", top);
	memset(&o, 0, sizeof o);
	o.dir = dir;
	out_begin(&o);
	CHECK(o.fresh);
	/* Another writer puts a file there after the build found the folder empty: O_EXCL
	 * refuses to write into it, and it is replaced by a rename instead. */
	CHECK_INT(mkdir(dir, 0755), 0);
	check_put(dir, "page.html", "theirs");
	before = inode(dir, "page.html");
	CHECK_INT(out_write(&o, "page.html", "ours", 4, &err), 0);
	CHECK(has(dir, "page.html", "ours"));
	CHECK(inode(dir, "page.html") != before);
	/* The same bytes again: left alone. */
	before = inode(dir, "page.html");
	CHECK_INT(out_write(&o, "page.html", "ours", 4, &err), 0);
	CHECK_INT(inode(dir, "page.html"), before);
	CHECK_INT(o.written, 1);
	CHECK_INT(o.unchanged, 1);
	CHECK_INT(count_entries(dir), 2);
	CHECK_STR(buf_str(&err), "");
	buf_free(&err);
	out_end(&o);
}

static void test_folder_with_files_is_not_fresh(void)
{
	static struct out o;
	struct buf err = BUF_INIT;
	char dir[600];
	ino_t before;

	snprintf(dir, sizeof dir, "%s/live", top);
	CHECK_INT(mkdir(dir, 0755), 0);
	check_put(dir, "index.html", "old");
	memset(&o, 0, sizeof o);
	o.dir = dir;
	out_begin(&o);
	CHECK(!o.fresh);
	before = inode(dir, "index.html");
	CHECK_INT(out_write(&o, "index.html", "new", 3, &err), 0);
	CHECK(has(dir, "index.html", "new"));
	/* Replaced by a rename: a reader holding the old file keeps the whole old page. */
	CHECK(inode(dir, "index.html") != before);
	CHECK_INT(out_write(&o, "en/new/index.html", "n", 1, &err), 0);
	CHECK(has(dir, "en/new/index.html", "n"));
	CHECK_INT(count_entries(dir), 5);
	CHECK_STR(buf_str(&err), "");
	buf_free(&err);
	out_end(&o);
}

static void test_renamed_even_when_fresh(void)
{
	static struct out o;
	struct buf err = BUF_INIT;
	char dir[600];

	snprintf(dir, sizeof dir, "%s/portal", top);
	CHECK_INT(mkdir(dir, 0755), 0);
	memset(&o, 0, sizeof o);
	o.dir = dir;
	out_begin(&o);
	CHECK(o.fresh);
	CHECK_INT(out_write_renamed(&o, "signable.tsv", "a\tb\n", 4, &err), 0);
	CHECK(has(dir, "signable.tsv", "a\tb\n"));
	CHECK_INT(o.written, 1);
	CHECK_INT(count_entries(dir), 2);
	CHECK_STR(buf_str(&err), "");
	buf_free(&err);
	out_end(&o);
}

static void test_long_paths(void)
{
	static struct out o;
	struct buf err = BUF_INIT;
	char dir[600], rel[1000], part[201];
	int i;

	/* Folders too long to be remembered are made all the same. */
	snprintf(dir, sizeof dir, "%s/long", top);
	memset(part, 'x', 200);
	part[200] = '\0';
	snprintf(rel, sizeof rel, "%s/%s/%s/index.html", part, part, part);
	memset(&o, 0, sizeof o);
	o.dir = dir;
	out_begin(&o);
	CHECK(o.fresh);
	for (i = 0; i < 2; i++) {
		rel[0] = (char)('a' + i);
		CHECK_INT(out_write(&o, rel, "deep", 4, &err), 0);
		CHECK(has(dir, rel, "deep"));
	}
	CHECK_STR(buf_str(&err), "");
	buf_free(&err);
	out_end(&o);
}

static void test_error_names_the_file(void)
{
	static struct out o;
	struct buf err = BUF_INIT;
	char dir[600];

	/* A file where a folder must go: the page cannot be written, and the message says
	 * which. */
	snprintf(dir, sizeof dir, "%s/blocked", top);
	CHECK_INT(mkdir(dir, 0755), 0);
	memset(&o, 0, sizeof o);
	o.dir = dir;
	out_begin(&o);
	CHECK(o.fresh);
	CHECK_INT(out_write(&o, "en", "x", 1, &err), 0);
	CHECK_INT(out_write(&o, "en/index.html", "y", 1, &err), -1);
	CHECK(strstr(buf_str(&err), "/blocked/en/index.html: cannot write") != NULL);
	buf_free(&err);
	out_end(&o);
}

int main(void)
{
	char cmd[100];

	if (mkdtemp(top) == NULL)
		return 1;
	RUN(test_missing_folder_is_fresh);
	RUN(test_file_there_after_all_is_replaced_atomically);
	RUN(test_folder_with_files_is_not_fresh);
	RUN(test_renamed_even_when_fresh);
	RUN(test_long_paths);
	RUN(test_error_names_the_file);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	if (system(cmd) != 0)
		return 1;
	CHECK_MAIN();
}
