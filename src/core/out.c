#include "out.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int out_mkdirs(const char *path)
{
	char *p, *copy = strdup(path);

	if (copy == NULL)
		return -1;
	for (p = copy + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
			free(copy);
			return -1;
		}
		*p = '/';
	}
	free(copy);
	return 0;
}

/* Makes the folder dir[0..len) and, when missing, its parents, from the deepest one that
 * exists; each folder made goes into o->made. Returns 0 or -1 (errno). */
static int make_folder(struct out *o, char *dir, size_t len)
{
	char *slash;
	int rc;

	dir[len] = '\0';
	rc = mkdir(dir, 0755);
	if (rc < 0 && errno == ENOENT && (slash = strrchr(dir, '/')) != NULL && slash > dir) {
		size_t plen = (size_t)(slash - dir);
		if (make_folder(o, dir, plen) < 0)
			return -1;
		dir[plen] = '/';
		dir[len] = '\0';
		rc = mkdir(dir, 0755);
	}
	if (rc < 0)
		return errno == EEXIST ? 0 : -1;
	if (len < OUT_MADE_PATH) {
		memcpy(o->made[o->nmade % OUT_MADE], dir, len + 1);
		o->nmade++;
	}
	return 0;
}

/* 1 when the folder of path (its first len bytes) was made by this build. */
static int made_here(const struct out *o, const char *path, size_t len)
{
	size_t i;

	for (i = 0; i < OUT_MADE && i < o->nmade; i++)
		if (strncmp(o->made[i], path, len) == 0 && o->made[i][len] == '\0')
			return 1;
	return 0;
}

/* 1 when the file at path holds exactly data. */
static int same_content(const char *path, const char *data, size_t len)
{
	struct stat st;
	char chunk[65536];
	size_t off = 0;
	ssize_t n;
	int fd, same = 1;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != len)
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	while (same && (n = read(fd, chunk, sizeof chunk)) > 0) {
		if (off + (size_t)n > len || memcmp(chunk, data + off, (size_t)n) != 0)
			same = 0;
		off += (size_t)n;
	}
	close(fd);
	return same && off == len;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

void out_begin(struct out *o)
{
	DIR *d = opendir(o->dir);
	struct dirent *e;

	o->nknown = 0;
	o->root = -1;
	if (d == NULL) {
		o->fresh = errno == ENOENT;
		return;
	}
	o->fresh = 1;
	while (o->fresh && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			o->fresh = 0;
	closedir(d);
}

void out_end(struct out *o)
{
	if (o->fresh && o->root >= 0)
		close(o->root);
	o->root = -1;
}

/* In a fresh folder: the folder to make path (a path under o->dir) from, and in *rel the
 * rest of path: the root, once a folder in it is known to exist, else the current folder
 * and the whole path. */
static int base_of(struct out *o, const char *path, const char **rel)
{
	if (o->root == -1 && o->nknown > 0 &&
	    (o->root = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		o->root = -2; /* not tried again: whole paths work all the same */
	*rel = o->root >= 0 ? path + strlen(o->dir) + 1 : path;
	return o->root >= 0 ? o->root : AT_FDCWD;
}

/* Whether the folder path[0..len) is known to exist; a hit counts as a use. */
static int known(struct out *o, const char *path, size_t len)
{
	size_t i;

	if (len >= OUT_MADE_PATH)
		return 0; /* never remembered */
	for (i = 0; i < o->nknown; i++)
		if (o->known[i][len] == '\0' && memcmp(o->known[i], path, len) == 0) {
			o->known_used[i] = ++o->clock;
			return 1;
		}
	return 0;
}

/* Remembers that the folder path[0..len) exists, in place of the least recently used. */
static void know(struct out *o, const char *path, size_t len)
{
	size_t i, slot = 0;

	if (len >= OUT_MADE_PATH || known(o, path, len))
		return;
	if (o->nknown < OUT_KNOWN) {
		slot = o->nknown++;
	} else {
		for (i = 1; i < OUT_KNOWN; i++)
			if (o->known_used[i] < o->known_used[slot])
				slot = i;
	}
	memcpy(o->known[slot], path, len);
	o->known[slot][len] = '\0';
	o->known_used[slot] = ++o->clock;
}

/* In a fresh folder: makes the folders of path[0..dirlen) below the deepest one known to
 * exist, top down, so that each new folder costs one mkdir. Without a known one, or when
 * a mkdir fails, it is left to the open that follows to find out. */
static void make_known_below(struct out *o, char *path, size_t dirlen)
{
	size_t base = strlen(o->dir), at = dirlen, i;

	while (at > base && !known(o, path, at))
		while (--at > base && path[at] != '/')
			continue;
	if (at <= base || at == dirlen)
		return;
	for (i = at + 1; i <= dirlen; i++) {
		char c = path[i];
		const char *rel;
		int rc, from;
		if (i < dirlen && c != '/')
			continue;
		path[i] = '\0';
		from = base_of(o, path, &rel);
		rc = mkdirat(from, rel, 0755);
		path[i] = c;
		if (rc < 0 && errno != EEXIST)
			return;
		know(o, path, i);
	}
}

/* In a fresh folder: creates path (its folder is the first dirlen bytes) and writes data
 * to it. Returns 1 when done, 0 when the file exists already (the caller replaces it the
 * usual way), -1 on an error (errno). */
static int create_in_place(struct out *o, char *path, size_t dirlen, const char *data,
                           size_t len)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
	size_t base = strlen(o->dir), i;
	const char *rel;
	int fd, saved, at;

	make_known_below(o, path, dirlen);
	at = base_of(o, path, &rel);
	fd = openat(at, rel, flags, 0644);
	if (fd < 0 && errno == ENOENT) {
		char *dir = strndup(path, dirlen);
		if (dir != NULL && make_folder(o, dir, dirlen) == 0)
			fd = openat(at, rel, flags, 0644);
		free(dir);
		/* The folders up to this one exist now. */
		for (i = base + 1; fd >= 0 && i < dirlen; i++)
			if (path[i] == '/')
				know(o, path, i);
	}
	if (fd < 0)
		return errno == EEXIST ? 0 : -1;
	know(o, path, dirlen);
	if (write_all(fd, data, len) < 0) {
		saved = errno;
		close(fd);
		unlinkat(at, rel, 0); /* made here: no reader had a whole page from it */
		errno = saved;
		return -1;
	}
	if (close(fd) < 0) {
		saved = errno;
		unlinkat(at, rel, 0);
		errno = saved;
		return -1;
	}
	return 1;
}

static int write_file(struct out *o, const char *rel, const char *data, size_t len, int in_place,
                      struct buf *err)
{
	struct buf path = BUF_INIT, tmp = BUF_INIT;
	size_t dirlen;
	size_t parent;
	int fd, fresh, rc = -1;

	buf_puts(&path, o->dir); /* not buf_printf: 120,000 files at 10,000 policies */
	buf_putc(&path, '/');
	buf_puts(&path, rel);
	if (!buf_ok(&path)) {
		errno = ENOMEM;
		goto fail;
	}
	/* A folder this build made, or one in a folder it made, holds no file from before:
	 * the file is new, and its folder is made without first failing to open the file. */
	dirlen = (size_t)(strrchr(path.data, '/') - path.data);
	if (in_place && o->fresh) {
		int made = create_in_place(o, path.data, dirlen, data, len);
		if (made < 0)
			goto fail;
		if (made > 0) {
			o->written++;
			rc = 0;
			goto done;
		}
	}
	for (parent = dirlen; parent > 0 && path.data[parent - 1] != '/'; parent--)
		continue;
	fresh = made_here(o, path.data, dirlen);
	if (!fresh && parent > 1 && made_here(o, path.data, parent - 1)) {
		char *dir = strndup(path.data, dirlen);
		if (dir == NULL || make_folder(o, dir, dirlen) < 0) {
			free(dir);
			goto fail;
		}
		free(dir);
		fresh = 1;
	}
	if (!fresh && same_content(path.data, data, len)) {
		o->unchanged++;
		rc = 0;
		goto done;
	}
	buf_printf(&tmp, "%s.tmp%ld", buf_str(&path), (long)getpid());
	if (!buf_ok(&tmp)) {
		errno = ENOMEM;
		goto fail;
	}
	/* Otherwise folders are made only when the file cannot be created without them. */
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 && errno == ENOENT) {
		char *dir = strndup(path.data, dirlen);
		if (dir != NULL && make_folder(o, dir, dirlen) == 0)
			fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		free(dir);
	}
	if (fd < 0)
		goto fail;
	if (write_all(fd, data, len) < 0) {
		int saved = errno;
		close(fd);
		unlink(tmp.data);
		errno = saved;
		goto fail;
	}
	if (close(fd) < 0) {
		unlink(tmp.data);
		goto fail;
	}
	if (rename(tmp.data, path.data) < 0) {
		unlink(tmp.data);
		goto fail;
	}
	o->written++;
	rc = 0;
	goto done;
fail:
	buf_printf(err, "%s: cannot write: %s\n", buf_str(&path), strerror(errno));
done:
	buf_free(&path);
	buf_free(&tmp);
	return rc;
}

int out_write(struct out *o, const char *rel, const char *data, size_t len, struct buf *err)
{
	return write_file(o, rel, data, len, 1, err);
}

int out_write_renamed(struct out *o, const char *rel, const char *data, size_t len,
                      struct buf *err)
{
	return write_file(o, rel, data, len, 0, err);
}
