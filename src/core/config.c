/* config: see config.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CONFIG_FILE
#define CONFIG_FILE ""
#endif

#define CONFIG_MAX_FILE (64 * 1024)
#define CONFIG_MAX_VALUE 4096

enum kind { K_PATH, K_URL, K_COUNT, K_TEXT };

static const struct {
	const char *name, *env, *dflt;
	enum kind kind;
} keys[CONFIG__MAX] = {
    [CONFIG_DB] = {"db", "CONSENT_DB", "var/consent.db", K_PATH},
    [CONFIG_CONTENT] = {"content", "CONSENT_CONTENT", "content", K_PATH},
    [CONFIG_TEMPLATES] = {"templates", "CONSENT_TEMPLATES", "templates", K_PATH},
    [CONFIG_OUTPUT] = {"output", "CONSENT_SITE", "public", K_PATH},
    [CONFIG_STATE] = {"state", "CONSENT_STATE", ".cache/policygen", K_PATH},
    [CONFIG_PORTAL] = {"portal", "CONSENT_PORTAL", "var/portal", K_PATH},
    [CONFIG_BASE_URL] = {"base_url", "CONSENT_BASE_URL", "", K_URL},
    [CONFIG_BACKUPS] = {"backups", "CONSENT_BACKUPS", "var/backups", K_PATH},
    [CONFIG_BACKUP_KEEP] = {"backup_keep", "CONSENT_BACKUP_KEEP", "14", K_COUNT},
    [CONFIG_REVIEW_MAIL] = {"review_mail", "CONSENT_REVIEW_MAIL", "", K_TEXT},
};

static const char *from_names[] = {"default", "file", "environment", "command line"};

const char *config_name(enum config_key k)
{
	return (unsigned)k < CONFIG__MAX ? keys[k].name : NULL;
}

const char *config_env_name(enum config_key k)
{
	return (unsigned)k < CONFIG__MAX ? keys[k].env : NULL;
}

const char *config_get(const struct config *c, enum config_key k)
{
	if ((unsigned)k >= CONFIG__MAX)
		return "";
	return c->val[k] ? c->val[k] : keys[k].dflt;
}

/* Checks a value for its kind; returns NULL or what is wrong. */
static const char *invalid(enum kind kind, const char *v)
{
	const unsigned char *p;

	if (strlen(v) >= CONFIG_MAX_VALUE)
		return "is too long";
	for (p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "holds a control character";
	switch (kind) {
	case K_URL:
		if (*v && strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
			return "is not an http:// or https:// address";
		if (strpbrk(v, " \"'<>\\?#"))
			return "holds a space, quote, '?' or '#'";
		break;
	case K_COUNT:
		if (*v == '\0' || strspn(v, "0123456789") != strlen(v) || strlen(v) > 4 ||
		    atoi(v) < 1)
			return "is not a whole number from 1 to 9999";
		break;
	case K_PATH:
	case K_TEXT:
		break;
	}
	return NULL;
}

static int set(struct config *c, const char *key, size_t keylen, const char *value, size_t vlen,
               const char *dir, enum config_from from, struct buf *err)
{
	const char *why;
	char *v;
	int k;

	for (k = 0; k < CONFIG__MAX; k++)
		if (strlen(keys[k].name) == keylen && strncmp(keys[k].name, key, keylen) == 0)
			break;
	if (k == CONFIG__MAX) {
		buf_printf(err,
		           "unknown setting '%.*s' (known: db, content, templates, output, "
		           "state, portal, base_url, backups, backup_keep, "
		           "review_mail)",
		           (int)(keylen > 64 ? 64 : keylen), key);
		return -1;
	}
	if (c->val[k] && c->from[k] > from)
		return 0;
	if (vlen >= CONFIG_MAX_VALUE) {
		buf_printf(err, "%s is too long", keys[k].name);
		return -1;
	}
	if ((v = malloc(vlen + 1)) == NULL) {
		buf_puts(err, "out of memory");
		return -1;
	}
	memcpy(v, value, vlen);
	v[vlen] = '\0';
	if ((why = invalid(keys[k].kind, v)) != NULL) {
		buf_printf(err, "%s '%s' %s", keys[k].name, v, why);
		free(v);
		return -1;
	}
	if (keys[k].kind == K_PATH && *v && v[0] != '/' && dir && *dir) {
		size_t n = strlen(dir);
		char *full = malloc(n + 1 + vlen + 1);
		if (full == NULL) {
			free(v);
			buf_puts(err, "out of memory");
			return -1;
		}
		memcpy(full, dir, n);
		full[n] = '/';
		memcpy(full + n + 1, v, vlen + 1);
		free(v);
		v = full;
	}
	free(c->val[k]);
	c->val[k] = v;
	c->from[k] = from;
	return 0;
}

int config_set(struct config *c, const char *key, const char *value, enum config_from from,
               struct buf *err)
{
	return set(c, key, strlen(key), value, strlen(value), NULL, from, err);
}

int config_parse(struct config *c, const char *name, const char *dir, const char *text,
                 struct buf *err)
{
	const char *line = text;
	long lineno = 0;
	int seen[CONFIG__MAX] = {0};

	while (*line) {
		const char *end = strchr(line, '\n'), *eq, *k0, *k1, *v0, *v1;
		int k;

		if (end == NULL)
			end = line + strlen(line);
		lineno++;
		for (k0 = line; k0 < end && (*k0 == ' ' || *k0 == '\t'); k0++)
			;
		v1 = end;
		while (v1 > k0 && isspace((unsigned char)v1[-1]))
			v1--;
		if (k0 == v1 || *k0 == '#')
			goto next;
		if ((eq = memchr(k0, '=', (size_t)(v1 - k0))) == NULL) {
			buf_printf(err, "%s:%ld: expected 'key = value', found '%.*s'\n", name,
			           lineno, (int)(v1 - k0 > 60 ? 60 : v1 - k0), k0);
			return -1;
		}
		for (k1 = eq; k1 > k0 && (k1[-1] == ' ' || k1[-1] == '\t'); k1--)
			;
		for (v0 = eq + 1; v0 < v1 && (*v0 == ' ' || *v0 == '\t'); v0++)
			;
		if (k1 == k0) {
			buf_printf(err, "%s:%ld: a setting's name is missing before '='\n", name,
			           lineno);
			return -1;
		}
		for (k = 0; k < CONFIG__MAX; k++)
			if (strlen(keys[k].name) == (size_t)(k1 - k0) &&
			    strncmp(keys[k].name, k0, (size_t)(k1 - k0)) == 0)
				break;
		if (k < CONFIG__MAX && seen[k]++) {
			buf_printf(err, "%s:%ld: %s is set twice; keep one\n", name, lineno,
			           keys[k].name);
			return -1;
		}
		{
			struct buf why = BUF_INIT;
			int rc = set(c, k0, (size_t)(k1 - k0), v0, (size_t)(v1 - v0), dir,
			             CONFIG_FROM_FILE, &why);
			if (rc < 0)
				buf_printf(err, "%s:%ld: %s\n", name, lineno, buf_str(&why));
			buf_free(&why);
			if (rc < 0)
				return -1;
		}
	next:
		line = *end ? end + 1 : end;
	}
	return 0;
}

int config_init(struct config *c, const char *file, struct buf *err)
{
	const char *path = file;
	int k, must = 1;

	memset(c, 0, sizeof *c);
	if (path == NULL || *path == '\0')
		path = getenv("CONSENT_CONFIG");
	if (path == NULL || *path == '\0') {
		path = CONFIG_FILE;
		must = 0;
	}
	for (k = 0; k < CONFIG__MAX; k++) {
		const char *v = getenv(keys[k].env);
		struct buf why = BUF_INIT;
		int rc = v && *v ? set(c, keys[k].name, strlen(keys[k].name), v, strlen(v), NULL,
		                       CONFIG_FROM_ENV, &why)
		                 : 0;
		if (rc < 0)
			buf_printf(err, "environment: %s: %s\n", keys[k].env, buf_str(&why));
		buf_free(&why);
		if (rc < 0) {
			config_free(c);
			return -1;
		}
	}
	if (*path && (must || access(path, F_OK) == 0)) {
		struct buf text = BUF_INIT;
		char *dir, *slash;
		int rc;

		if (buf_read_file(&text, path) < 0) {
			buf_printf(err, "%s: cannot read the configuration file: %s\n", path,
			           strerror(errno));
			buf_free(&text);
			config_free(c);
			return -1;
		}
		if (text.len > CONFIG_MAX_FILE) {
			buf_printf(err, "%s: the configuration file is larger than %d KiB\n", path,
			           CONFIG_MAX_FILE / 1024);
			buf_free(&text);
			config_free(c);
			return -1;
		}
		dir = strdup(path);
		c->file = strdup(path);
		if (dir == NULL || c->file == NULL) {
			free(dir);
			buf_free(&text);
			config_free(c);
			buf_puts(err, "out of memory\n");
			return -1;
		}
		if ((slash = strrchr(dir, '/')) != NULL)
			*(slash == dir ? slash + 1 : slash) = '\0';
		else
			*dir = '\0';
		rc = config_parse(c, path, dir, buf_str(&text), err);
		free(dir);
		buf_free(&text);
		if (rc < 0) {
			config_free(c);
			return -1;
		}
	}
	return 0;
}

int config_export(const struct config *c)
{
	int k;

	for (k = 0; k < CONFIG__MAX; k++)
		if (setenv(keys[k].env, config_get(c, (enum config_key)k), 1) < 0)
			return -1;
	return 0;
}

int config_setup(struct config *c, const char *file, struct buf *err)
{
	if (config_init(c, file, err) < 0)
		return -1;
	if (config_export(c) < 0) {
		buf_puts(err, "cannot set the environment: out of memory\n");
		config_free(c);
		return -1;
	}
	return 0;
}

void config_dump(const struct config *c, struct buf *out)
{
	int k;

	buf_printf(out, "# %s%s\n", c->file ? "read from " : "no configuration file",
	           c->file ? c->file : "");
	for (k = 0; k < CONFIG__MAX; k++)
		buf_printf(out, "# %s: from the %s (%s)\n%s = %s\n", keys[k].name,
		           from_names[c->val[k] ? c->from[k] : 0], keys[k].env, keys[k].name,
		           config_get(c, (enum config_key)k));
}

void config_free(struct config *c)
{
	int k;

	if (c == NULL)
		return;
	for (k = 0; k < CONFIG__MAX; k++) {
		free(c->val[k]);
		c->val[k] = NULL;
	}
	free(c->file);
	c->file = NULL;
}
