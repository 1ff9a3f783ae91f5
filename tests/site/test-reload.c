/* content_reload_policy (policygen watch): one policy folder read again gives the same
 * loaded content as reading everything afresh. Over a copy of tests/golden/content (run
 * from the checkout). */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "content.h"

static char dir[] = "/tmp/test-reload-XXXXXX";
static char content[128];
static struct date today;

/* s has the same policies, in the same order, with the same versions and titles as a
 * fresh load, and every version points at its own policy. */
static void same_as_fresh(const struct content *s)
{
	struct content *f = content_load(content, &today);
	size_t i, k;

	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK_INT(s->npolicies, f->npolicies);
	for (i = 0; i < s->npolicies && i < f->npolicies; i++) {
		const struct policy *p = &s->policies[i], *q = &f->policies[i];
		CHECK_STR(p->slug, q->slug);
		CHECK_STR(p->dir, q->dir);
		CHECK_INT(p->nversions, q->nversions);
		for (k = 0; k < p->nversions && k < q->nversions; k++) {
			CHECK(p->versions[k].policy == p);
			CHECK_STR(p->versions[k].iso, q->versions[k].iso);
			CHECK_INT(p->versions[k].published, q->versions[k].published);
			CHECK_STR(p->versions[k].text[0]->title, q->versions[k].text[0]->title);
		}
	}
	content_free(f);
}

static void test_reload(void)
{
	struct content *s;
	struct diag *d;
	struct policy *p;
	size_t nerrors, before;
	char cmd[1024];

	snprintf(cmd, sizeof cmd, "cp -RL tests/golden/content '%s'", content);
	CHECK(system(cmd) == 0);
	s = content_load(content, &today);
	CHECK(s != NULL && s->nerrors == 0);
	if (s == NULL)
		return;
	before = s->npolicies;

	/* unchanged: the same */
	CHECK_INT(content_reload_policy(s, "conduct", &d, &nerrors, &p), 0);
	CHECK_INT(nerrors, 0);
	CHECK(p != NULL && strcmp(p->slug, "conduct") == 0);
	same_as_fresh(s);

	/* edited: the new title */
	snprintf(cmd, sizeof cmd, "sed -i 's/^title: .*/title: Edited/' '%s/policies/conduct/2025-09-01.en.md'",
	         content);
	CHECK(system(cmd) == 0);
	CHECK_INT(content_reload_policy(s, "conduct", &d, &nerrors, &p), 0);
	CHECK(p && p->nversions == 2 && strcmp(p->versions[1].text[0]->title, "Edited") == 0);
	same_as_fresh(s);

	/* a new folder, first in slug order; then one last */
	snprintf(cmd, sizeof cmd, "cp -R '%s/policies/community' '%s/policies/aaa' && "
	         "cp -R '%s/policies/community' '%s/policies/zzz'", content, content, content, content);
	CHECK(system(cmd) == 0);
	CHECK_INT(content_reload_policy(s, "aaa", &d, &nerrors, &p), 0);
	CHECK(p == &s->policies[0]);
	CHECK_INT(content_reload_policy(s, "zzz", &d, &nerrors, &p), 0);
	CHECK(p == &s->policies[s->npolicies - 1]);
	CHECK_INT(s->npolicies, before + 2);
	same_as_fresh(s);

	/* removed */
	snprintf(cmd, sizeof cmd, "rm -rf '%s/policies/aaa' '%s/policies/future'", content, content);
	CHECK(system(cmd) == 0);
	CHECK_INT(content_reload_policy(s, "aaa", &d, &nerrors, &p), 0);
	CHECK(p == NULL);
	CHECK_INT(content_reload_policy(s, "future", &d, &nerrors, &p), 0);
	CHECK_INT(s->npolicies, before);
	same_as_fresh(s);

	/* an error: reported for the folder, not added to the content's own list */
	snprintf(cmd, sizeof cmd, "sed -i '/^title:/d' '%s/policies/zzz/2024-09-01.en.md'", content);
	CHECK(system(cmd) == 0);
	CHECK_INT(content_reload_policy(s, "zzz", &d, &nerrors, &p), 0);
	CHECK(nerrors > 0);
	CHECK(d != NULL && strstr(d->path, "/policies/zzz/") && strstr(d->msg, "title"));
	CHECK_INT(s->nerrors, 0);

	/* a folder name that cannot be an address */
	snprintf(cmd, sizeof cmd, "mkdir '%s/policies/Bad_Name'", content);
	CHECK(system(cmd) == 0);
	CHECK_INT(content_reload_policy(s, "Bad_Name", &d, &nerrors, &p), 0);
	CHECK_INT(nerrors, 1);
	CHECK(p == NULL);
	content_free(s);
}

int main(void)
{
	CHECK(mkdtemp(dir) != NULL);
	snprintf(content, sizeof content, "%s/content", dir);
	date_parse(&today, "2026-11-21", NULL);
	RUN(test_reload);
	check_remove(dir);
	CHECK_MAIN();
}
