/* gencorpus: writes a deterministic synthetic policy corpus for the benchmark (issue 6).
 *
 *   gencorpus N OUTDIR
 *
 * writes, for N policies, each in English and Welsh:
 *
 *   OUTDIR/content/policies/<slug>/<YYYY-MM-DD>.<lang>.md     our content format
 *   OUTDIR/hugo/config.toml, OUTDIR/hugo/layouts/_default/{baseof,single,list}.html
 *   OUTDIR/hugo/content/policies/<slug>/<YYYY-MM-DD>.<lang>.md  the same text for Hugo
 *
 * OUTDIR/content/site.yaml and OUTDIR/content/i18n/ are not written: bench/run.sh copies
 * them from the project's content/. Every body is about 1,200 words of Markdown with ##
 * headings, paragraphs, bullet lists and a little inline markup. One policy in five has
 * three versions (the others one); a later version changes about one paragraph in five of
 * the one before and sometimes adds a section, so the changes pages have something to
 * show. One policy in four has a declaration. Version dates are in 2023 to 2025 and review
 * dates in 2027, so a build with --today 2026-01-15 publishes everything and warns about
 * nothing.
 *
 * The same N always gives byte-identical files (a fixed pseudo-random generator, no clock).
 * Prints one line to standard output: policies, versions, files and Markdown bytes per side.
 * Exits 1 with a message on standard error when a file cannot be written.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_POLICIES 1000000
#define TARGET_WORDS 1100 /* sections are added until this many words: about 1,200 in all */

enum lang { EN, CY, NLANGS };
static const char *const lang_code[NLANGS] = {"en", "cy"};

/* A growable string; on out of memory the program exits (this is a tool, not library code). */
struct str {
	char *data;
	size_t len, cap;
};

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("gencorpus: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void str_put(struct str *s, const char *p, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + n + 1)
			cap *= 2;
		if ((s->data = realloc(s->data, cap)) == NULL)
			die("out of memory");
		s->cap = cap;
	}
	memcpy(s->data + s->len, p, n);
	s->len += n;
	s->data[s->len] = '\0';
}

static void str_puts(struct str *s, const char *p)
{
	str_put(s, p, strlen(p));
}

static void str_printf(struct str *s, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp)
		die("internal error: formatted string too long");
	str_put(s, tmp, (size_t)n);
}

/* splitmix64: a small, well-mixed generator; seeded from the keys of what it generates, so
 * one paragraph's text does not depend on how much text came before it. */
static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

static uint64_t seed(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	return mix(mix(mix(mix(a) ^ b) ^ c) ^ d);
}

static uint64_t next(uint64_t *state)
{
	*state = mix(*state);
	return *state;
}

static unsigned pick(uint64_t *state, unsigned n)
{
	return (unsigned)(next(state) % n);
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* clang-format off */
static const char *const words_en[] = {
    "the", "the", "the", "the", "and", "and", "and", "to", "to", "to", "of", "of", "of", "a",
    "a", "in", "in", "for", "for", "with", "on", "by", "at", "from", "about", "when", "where",
    "which", "that", "this", "each", "every", "all", "any", "their", "our", "its", "will",
    "will", "should", "must", "may", "can", "is", "are", "be", "have", "has", "not", "only",
    "also", "as", "school", "school", "pupils", "pupils", "parents", "carers", "staff",
    "governors", "headteacher", "teachers", "class", "classroom", "policy", "policy",
    "procedure", "community", "learning", "learners", "safety", "online", "behaviour",
    "conduct", "respect", "information", "complaint", "concern", "concerns", "support",
    "wellbeing", "health", "attendance", "lessons", "curriculum", "term", "year", "week",
    "day", "morning", "afternoon", "office", "website", "letter", "message", "messages",
    "record", "records", "meeting", "visit", "trip", "consent", "photographs", "images",
    "data", "privacy", "safeguarding", "responsibility", "responsibilities", "expect",
    "expects", "agree", "agrees", "review", "reviews", "report", "reports", "share",
    "shares", "protect", "protects", "follow", "follows", "inform", "informs", "contact",
    "contacts", "ask", "asks", "help", "helps", "ensure", "ensures", "provide", "provides",
    "receive", "receives", "decide", "decides", "keep", "keeps", "use", "uses", "treat",
    "treats", "listen", "listens", "respond", "respond", "promptly", "fairly", "clearly",
    "carefully", "safely", "kindly", "regularly", "together", "appropriate", "reasonable",
    "personal", "private", "public", "clear", "safe", "kind", "fair", "important", "local",
    "national", "written", "agreed", "relevant", "necessary", "possible", "further",
    "additional", "individual", "family", "families", "children", "child", "member",
    "members", "group", "groups", "platform", "platforms", "app", "apps", "account",
    "accounts", "phone", "email", "time", "times", "place", "way", "ways", "part", "rules",
    "guidance", "advice", "training", "plan", "plans", "needs", "rights", "duty", "law",
    "legislation", "authority", "council", "committee", "body", "decision", "decisions",
    "action", "actions", "steps", "outcome", "outcomes", "example", "examples", "evidence",
    "incident", "incidents", "breach", "risk", "risks", "harm", "trust", "reputation",
    "standards", "quality", "progress", "achievement", "opportunity", "opportunities",
    "language", "Welsh", "English", "Wales", "equality", "inclusion", "diversity",
};

static const char *const words_cy[] = {
    "y", "y", "y", "yr", "yr", "a", "a", "ac", "i", "i", "i", "o", "o", "yn", "yn", "yn",
    "ar", "ar", "gan", "am", "gyda", "wrth", "dros", "heb", "rhwng", "pan", "lle", "sy'n",
    "sydd", "bod", "mae", "maent", "bydd", "byddwn", "dylai", "dylid", "rhaid", "gall",
    "gallant", "ein", "eu", "ei", "pob", "unrhyw", "hefyd", "dim", "ond", "fel", "er",
    "mwyn", "ysgol", "ysgol", "ysgol", "disgyblion", "disgyblion", "rhieni", "rhieni",
    "gofalwyr", "staff", "llywodraethwyr", "pennaeth", "athrawon", "dosbarth", "polisi",
    "polisi", "gweithdrefn", "cymuned", "dysgu", "dysgwyr", "diogelwch", "ar-lein",
    "ymddygiad", "parch", "gwybodaeth", "cwyn", "pryder", "pryderon", "cymorth", "cefnogaeth",
    "lles", "iechyd", "presenoldeb", "gwersi", "cwricwlwm", "tymor", "blwyddyn", "wythnos",
    "diwrnod", "bore", "prynhawn", "swyddfa", "gwefan", "llythyr", "neges", "negeseuon",
    "cofnod", "cofnodion", "cyfarfod", "ymweliad", "taith", "caniatâd", "lluniau",
    "delweddau", "data", "preifatrwydd", "diogelu", "cyfrifoldeb", "cyfrifoldebau",
    "disgwyl", "cytuno", "adolygu", "adolygiad", "adrodd", "rhannu", "amddiffyn", "dilyn",
    "hysbysu", "cysylltu", "gofyn", "helpu", "sicrhau", "darparu", "derbyn", "penderfynu",
    "cadw", "defnyddio", "trin", "gwrando", "ymateb", "yn brydlon", "yn deg", "yn glir",
    "yn ofalus", "yn ddiogel", "yn garedig", "yn rheolaidd", "gyda'n gilydd", "priodol",
    "rhesymol", "personol", "preifat", "cyhoeddus", "clir", "diogel", "caredig", "teg",
    "pwysig", "lleol", "cenedlaethol", "ysgrifenedig", "perthnasol", "angenrheidiol",
    "posibl", "pellach", "ychwanegol", "unigol", "teulu", "teuluoedd", "plant", "plentyn",
    "aelod", "aelodau", "grŵp", "grwpiau", "platfform", "platfformau", "ap", "apiau",
    "cyfrif", "cyfrifon", "ffôn", "e-bost", "amser", "adegau", "man", "ffordd", "ffyrdd",
    "rhan", "rheolau", "canllawiau", "cyngor", "hyfforddiant", "cynllun", "cynlluniau",
    "anghenion", "hawliau", "dyletswydd", "cyfraith", "deddfwriaeth", "awdurdod", "pwyllgor",
    "corff", "penderfyniad", "penderfyniadau", "camau", "canlyniad", "canlyniadau",
    "enghraifft", "enghreifftiau", "tystiolaeth", "digwyddiad", "digwyddiadau", "risg",
    "risgiau", "niwed", "ymddiriedaeth", "enw da", "safonau", "ansawdd", "cynnydd",
    "cyflawniad", "cyfle", "cyfleoedd", "iaith", "Cymraeg", "Saesneg", "Cymru",
    "cydraddoldeb", "cynhwysiant", "amrywiaeth", "gŵyl", "dŵr", "tŷ", "â", "gwên",
};
/* clang-format on */

static const char *const *const words[NLANGS] = {words_en, words_cy};
static const size_t nwords[NLANGS] = {NELEM(words_en), NELEM(words_cy)};

static const struct {
	const char *slug, *title[NLANGS];
} topics[] = {
    {"attendance", {"Attendance Policy", "Polisi Presenoldeb"}},
    {"behaviour", {"Behaviour Policy", "Polisi Ymddygiad"}},
    {"anti-bullying", {"Anti-bullying Policy", "Polisi Gwrth-fwlio"}},
    {"safeguarding", {"Safeguarding Policy", "Polisi Diogelu"}},
    {"online-safety", {"Online Safety Policy", "Polisi Diogelwch Ar-lein"}},
    {"charging", {"Charging and Remissions Policy", "Polisi Codi Tâl a Pheidio â Chodi Tâl"}},
    {"complaints", {"Complaints Procedure", "Gweithdrefn Gwyno"}},
    {"homework", {"Homework Policy", "Polisi Gwaith Cartref"}},
    {"uniform", {"School Uniform Policy", "Polisi Gwisg Ysgol"}},
    {"medicines", {"Medicines in School", "Meddyginiaethau yn yr Ysgol"}},
    {"healthy-eating", {"Healthy Eating Policy", "Polisi Bwyta'n Iach"}},
    {"equality", {"Strategic Equality Plan", "Cynllun Cydraddoldeb Strategol"}},
    {"data-protection", {"Data Protection Policy", "Polisi Diogelu Data"}},
    {"photography", {"Photography and Images Policy", "Polisi Ffotograffiaeth a Delweddau"}},
    {"visits", {"Educational Visits Policy", "Polisi Ymweliadau Addysgol"}},
    {"aln", {"Additional Learning Needs Policy", "Polisi Anghenion Dysgu Ychwanegol"}},
    {"welsh-language", {"Welsh Language Policy", "Polisi Iaith Gymraeg"}},
    {"rse", {"Relationships and Sexuality Education", "Addysg Cydberthynas a Rhywioldeb"}},
    {"health-safety", {"Health and Safety Policy", "Polisi Iechyd a Diogelwch"}},
    {"code-of-conduct", {"Code of Conduct for Parents", "Cod Ymddygiad i Rieni"}},
};

/* Values that content/i18n/cy.yaml translates under terms:, so the build warns about nothing. */
static const char *const approvers[] = {"Full Governing Body", "Headteacher",
                                        "School Improvement Committee", "Senior Leadership Team"};
static const char *const owners[] = {"Headteacher", "Online Safety Coordinator",
                                     "Senior Leadership Team", "Site Manager"};
static const char *const audiences[] = {
    "[Parents, Carers]", "[Parents, Carers, Teachers, Governors]", "[Staff, Governors, Website]",
    "[Pupils, Parents, Carers, Staff]"};
static const char *const frequencies[] = {"Annually", "Every two years"};
static const char *const terms[] = {"Spring 2027", "Summer 2027", "Autumn 2027"};

static const char *const links[NLANGS][2] = {
    {"[the Complaints Procedure](https://example.org/complaints)",
     "[the Welsh Government guidance](https://example.org/guidance)"},
    {"[y Weithdrefn Gwyno](https://example.org/cwynion)",
     "[canllawiau Llywodraeth Cymru](https://example.org/canllawiau)"},
};

/* Appends one word, capitalised (ASCII first letter only) when cap is set. */
static void put_word(struct str *s, const char *w, int cap)
{
	if (cap && w[0] >= 'a' && w[0] <= 'z') {
		char c = (char)(w[0] - 'a' + 'A');
		str_put(s, &c, 1);
		str_puts(s, w + 1);
	} else
		str_puts(s, w);
}

/* Appends n words of language l; counts them into *count. Unless plain is set, inline
 * markup now and then: **strong**, *emphasis*, a link; and commas either way. */
static void put_words(struct str *s, uint64_t *st, enum lang l, unsigned n, int cap, int plain,
                      unsigned *count)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		const char *w = words[l][pick(st, (unsigned)nwords[l])];
		unsigned r = pick(st, 100);

		if (plain && r < 6)
			r = 6;
		if (i)
			str_put(s, " ", 1);
		if (r < 2 && i + 1 < n) {
			str_puts(s, links[l][r]);
			*count += 3;
			continue;
		}
		if (r < 4)
			str_puts(s, "**");
		else if (r < 6)
			str_puts(s, "*");
		put_word(s, w, cap && i == 0);
		if (r < 4)
			str_puts(s, "**");
		else if (r < 6)
			str_puts(s, "*");
		if (r >= 90 && i + 1 < n && i > 0)
			str_put(s, ",", 1);
		(*count)++;
	}
}

static void put_sentence(struct str *s, uint64_t *st, enum lang l, int plain, unsigned *count)
{
	put_words(s, st, l, 8 + pick(st, 11), 1, plain, count);
	str_put(s, ".", 1);
}

/* The version (0 = first) in which a block last changed, as of version v: a block changes
 * in a later version about one time in five. */
static unsigned block_variant(unsigned policy, unsigned section, unsigned block, unsigned v)
{
	unsigned w, last = 0;

	for (w = 1; w <= v; w++)
		if (seed(policy, section, block, w) % 5 == 0)
			last = w;
	return last;
}

/* Appends section `sec` of version v of policy p in language l. The heading and the shape
 * of the section are the same in every version; a block's text depends on the version in
 * which it last changed. */
static void put_section(struct str *s, unsigned p, unsigned sec, unsigned v, enum lang l,
                        unsigned *count)
{
	uint64_t shape = seed(p, sec, 0xA11CE, 0), st;
	unsigned npara = 2 + pick(&shape, 2), has_list = pick(&shape, 2), b, i;

	st = seed(p, sec, l, 0x4EAD);
	str_puts(s, "## ");
	put_words(s, &st, l, 2 + pick(&st, 4), 1, 1, count);
	str_puts(s, "\n\n");
	for (b = 0; b < npara + has_list; b++) {
		unsigned var = block_variant(p, sec, b, v);
		st = seed(p, (uint64_t)sec << 16 | b, l, var);
		if (b == 1 && has_list) {
			unsigned nitems = 3 + pick(&st, 4);
			for (i = 0; i < nitems; i++) {
				str_puts(s, "- ");
				put_words(s, &st, l, 5 + pick(&st, 8), 0, 0, count);
				str_put(s, "\n", 1);
			}
		} else {
			unsigned nsent = 4 + pick(&st, 3);
			for (i = 0; i < nsent; i++) {
				if (i)
					str_put(s, " ", 1);
				put_sentence(s, &st, l, 0, count);
			}
			str_put(s, "\n", 1);
		}
		str_put(s, "\n", 1);
	}
}

/* The body of version v of policy p: sections until TARGET_WORDS, the same number in every
 * version of the policy, plus a new section in some later versions. */
static void put_body(struct str *s, unsigned p, unsigned v, enum lang l, unsigned nsections)
{
	unsigned sec, count = 0, w;

	for (sec = 0; sec < nsections; sec++)
		put_section(s, p, sec, v, l, &count);
	for (w = 1; w <= v; w++)
		if (seed(p, 0x5EC, w, 0) % 3 == 0)
			put_section(s, p, 1000 + w, 0, l, &count);
}

static unsigned sections_for(unsigned p)
{
	struct str s = {NULL, 0, 0};
	unsigned count = 0, sec = 0;

	while (count < TARGET_WORDS && sec < 100)
		put_section(&s, p, sec++, 0, EN, &count);
	free(s.data);
	return sec;
}

/* snprintf that stops the program rather than truncate a path. */
static void pathf(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(dst, n, fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= n)
		die("path too long");
}

static void mkdirs(const char *path)
{
	char tmp[4096];
	char *q;

	if (strlen(path) >= sizeof tmp)
		die("%s: path too long", path);
	strcpy(tmp, path);
	for (q = tmp + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			die("%s: %s", tmp, strerror(errno));
		*q = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		die("%s: %s", tmp, strerror(errno));
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0)
		die("%s: cannot write: %s", path, strerror(errno));
}

static void write_hugo_project(const char *out)
{
	static const struct {
		const char *name, *text;
	} files[] = {
	    {"config.toml",
	     "# Minimal multilingual Hugo site for the policygen benchmark (bench/gencorpus.c).\n"
	     "baseURL = \"http://127.0.0.1:8080/\"\n"
	     "title = \"Cwm Derw Primary School\"\n"
	     "defaultContentLanguage = \"en\"\n"
	     "defaultContentLanguageInSubdir = true\n"
	     "disableKinds = [\"taxonomy\", \"term\"]\n"
	     "# policygen's feeds hold the newest 50 versions.\n"
	     "rssLimit = 50\n"
	     "\n"
	     "[languages.en]\n"
	     "languageName = \"English\"\n"
	     "weight = 1\n"
	     "\n"
	     "[languages.cy]\n"
	     "languageName = \"Cymraeg\"\n"
	     "title = \"Ysgol Gynradd Cwm Derw\"\n"
	     "weight = 2\n"
	     "\n"
	     "[markup.goldmark.renderer]\n"
	     "unsafe = false\n"},
	    {"layouts/_default/baseof.html",
	     "<!DOCTYPE html>\n"
	     "<html lang=\"{{ .Language.Lang }}\">\n"
	     "<head>\n"
	     "<meta charset=\"utf-8\">\n"
	     "<title>{{ .Title }} | {{ .Site.Title }}</title>\n"
	     "{{ range .Translations }}<link rel=\"alternate\" hreflang=\"{{ .Language.Lang }}\" "
	     "href=\"{{ .Permalink }}\">\n{{ end }}"
	     "</head>\n"
	     "<body>\n"
	     "{{ block \"main\" . }}{{ end }}\n"
	     "</body>\n"
	     "</html>\n"},
	    {"layouts/_default/single.html",
	     "{{ define \"main\" }}\n<h1>{{ .Title }}</h1>\n{{ .Content }}\n{{ end }}\n"},
	    {"layouts/_default/list.html",
	     "{{ define \"main\" }}\n<h1>{{ .Title }}</h1>\n<ul>\n{{ range .Pages }}"
	     "<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>\n{{ end }}</ul>\n"
	     "{{ end }}\n"},
	};
	char path[4096];
	size_t i;

	for (i = 0; i < NELEM(files); i++) {
		char *slash;
		pathf(path, sizeof path, "%s/hugo/%s", out, files[i].name);
		slash = strrchr(path, '/');
		*slash = '\0';
		mkdirs(path);
		*slash = '/';
		write_file(path, files[i].text, strlen(files[i].text));
	}
	pathf(path, sizeof path, "%s/hugo/content", out);
	mkdirs(path);
}

struct totals {
	unsigned long versions, files;
	unsigned long long bytes_ours, bytes_hugo;
};

static void write_policy(const char *out, unsigned p, struct totals *t)
{
	unsigned topic = p % NELEM(topics), nver = p % 5 == 2 ? 3 : 1, v, l;
	unsigned nsections = sections_for(p);
	uint64_t st = seed(p, 0xF00D, 0, 0);
	int declaration = p % 4 == 1;
	const char *approver = approvers[pick(&st, NELEM(approvers))];
	const char *owner = owners[pick(&st, NELEM(owners))];
	const char *audience = audiences[pick(&st, NELEM(audiences))];
	const char *frequency = frequencies[pick(&st, NELEM(frequencies))];
	unsigned month = 1 + pick(&st, 12), day = 1 + pick(&st, 28);
	char slug[128], dir[4096], path[4096];
	struct str body = {NULL, 0, 0}, ours = {NULL, 0, 0}, hugo = {NULL, 0, 0},
	           sum = {NULL, 0, 0};

	snprintf(slug, sizeof slug, "%s-%05u", topics[topic].slug, p + 1);
	for (v = 0; v < nver; v++) {
		/* One version: a date in 2025. Three: the same day in 2023, 2024 and 2025. */
		unsigned year = 2025 - (nver - 1 - v);
		char date[16], review[32];
		snprintf(date, sizeof date, "%04u-%02u-%02u", year, month, day);
		if (v + 1 == nver)
			snprintf(review, sizeof review, "%s", terms[p % NELEM(terms)]);
		else
			snprintf(review, sizeof review, "%04u-%02u-%02u", year + 1, month, day);
		t->versions++;
		for (l = 0; l < NLANGS; l++) {
			uint64_t ss = seed(p, v, l, 0x5111);
			unsigned count = 0;
			char decl[256] = "";

			body.len = ours.len = hugo.len = sum.len = 0;
			put_body(&body, p, v, (enum lang)l, nsections);
			put_sentence(&sum, &ss, (enum lang)l, 1, &count);
			if (declaration && l == EN)
				snprintf(decl, sizeof decl,
				         "I have read the %s %u and agree to follow it.",
				         topics[topic].title[l], p + 1);
			else if (declaration)
				snprintf(decl, sizeof decl,
				         "Rwyf wedi darllen %s %u ac rwy'n cytuno i'w ddilyn.",
				         topics[topic].title[l], p + 1);

			/* Ours: shared fields in the English file only. */
			str_puts(&ours, "---\n");
			str_printf(&ours, "title: %s %u\n", topics[topic].title[l], p + 1);
			if (l == EN) {
				str_printf(&ours, "review: %s\n", review);
				str_printf(&ours, "approved_by: %s\n", approver);
				if (p % 3 == 0) {
					str_printf(&ours, "owner: %s\n", owner);
					str_printf(&ours, "audience: %s\n", audience);
					str_printf(&ours, "review_frequency: %s\n", frequency);
				}
			}
			str_printf(&ours, "summary: %s\n", sum.data);
			if (decl[0])
				str_printf(&ours, "declaration: %s\n", decl);
			if (decl[0] && l == EN && v > 0 && v % 2 == 0)
				str_puts(&ours, "resign: true\n");
			str_puts(&ours, "---\n\n");

			/* Hugo: the same title, dates, summary and declaration. */
			str_puts(&hugo, "---\n");
			str_printf(&hugo, "title: \"%s %u\"\n", topics[topic].title[l], p + 1);
			str_printf(&hugo, "date: %s\n", date);
			str_printf(&hugo, "review: \"%s\"\n", review);
			str_printf(&hugo, "approved_by: \"%s\"\n", approver);
			str_printf(&hugo, "summary: \"%s\"\n", sum.data);
			if (decl[0])
				str_printf(&hugo, "declaration: \"%s\"\n", decl);
			str_puts(&hugo, "---\n\n");

			str_put(&ours, body.data, body.len);
			str_put(&hugo, body.data, body.len);

			pathf(dir, sizeof dir, "%s/content/policies/%s", out, slug);
			mkdirs(dir);
			pathf(path, sizeof path, "%s/%s.%s.md", dir, date, lang_code[l]);
			write_file(path, ours.data, ours.len);
			pathf(dir, sizeof dir, "%s/hugo/content/policies/%s", out, slug);
			mkdirs(dir);
			pathf(path, sizeof path, "%s/%s.%s.md", dir, date, lang_code[l]);
			write_file(path, hugo.data, hugo.len);
			t->files++;
			t->bytes_ours += ours.len;
			t->bytes_hugo += hugo.len;
		}
	}
	free(body.data);
	free(sum.data);
	free(ours.data);
	free(hugo.data);
}

int main(int argc, char *argv[])
{
	struct totals t = {0, 0, 0, 0};
	unsigned long n;
	unsigned p;
	char *end;

	if (argc != 3) {
		fputs("usage: gencorpus N OUTDIR\n", stderr);
		return 2;
	}
	errno = 0;
	n = strtoul(argv[1], &end, 10);
	if (errno || *end || n == 0 || n > MAX_POLICIES) {
		fprintf(stderr, "gencorpus: N must be a number from 1 to %d\n", MAX_POLICIES);
		return 2;
	}
	mkdirs(argv[2]);
	write_hugo_project(argv[2]);
	for (p = 0; p < n; p++)
		write_policy(argv[2], p, &t);
	printf("%lu policies, %lu versions, %lu Markdown files per side; %llu bytes (ours), "
	       "%llu bytes (hugo)\n",
	       n, t.versions, t.files, t.bytes_ours, t.bytes_hugo);
	return 0;
}
