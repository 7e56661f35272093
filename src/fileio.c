/* fileio.c - the one whole-file reader, the one file creator, and the one
 * rule for whom acmectl trusts. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "err.h"
#include "fileio.h"
#include "util.h"

/* Reads fd into a new buffer of at most max bytes plus a NUL: the size
 * bytes fstat gave when it was opened, or to its end when fstat gives no
 * size (0, as /proc does) or the file ends sooner. A file that did not
 * change is read in one read(2), with no second one to find its end; one
 * that grew since is read as it was (acmectl's own files are replaced by
 * rename, never rewritten in place, so an open one does not change).
 * NULL with errno (EFBIG when it is over max). */
static char *read_contents(int fd, size_t size, size_t max, size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int saved;

	for (;;) {
		if (len == cap) {
			if (cap > max) {
				errno = EFBIG;
				goto fail;
			}
			if (cap == 0)
				cap = size > 0 && size < max ? size + 1 : 8192;
			else
				cap *= 2;
			if (cap > max + 1)
				cap = max + 1;  /* one byte over max tells "too large" */
			buf = xrealloc(buf, cap + 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == size)
			break;
	}
	if (len > max) {
		errno = EFBIG;
		goto fail;
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
fail:
	saved = errno;
	if (buf != NULL)
		OPENSSL_cleanse(buf, cap + 1);
	free(buf);
	errno = saved;
	return NULL;
}

char *file_read_at(int dirfd, const char *name, const char *shown, size_t max,
    enum err_kind kind, size_t *lenp)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, saved;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	if ((fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		saved = errno;
		err_set(kind, "cannot read %s: %s", shown, strerror(saved));
		errno = saved;
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		err_set(kind, "cannot read %s: %s", shown, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(kind, "cannot read %s: not a regular file", shown);
		errno = EINVAL;
		goto out;
	}
	if ((buf = read_contents(fd, (size_t)st.st_size, max, &len)) == NULL) {
		if (errno == EFBIG)
			err_set(kind, "cannot read %s: larger than %zu bytes", shown, max);
		else
			err_set(kind, "cannot read %s: %s", shown, strerror(errno));
		goto out;
	}
	if (lenp != NULL)
		*lenp = len;
out:
	saved = errno;
	close(fd);
	errno = saved;
	return buf;
}

char *file_read(const char *path, size_t max, enum err_kind kind, size_t *lenp)
{
	return file_read_at(AT_FDCWD, path, path, max, kind, lenp);
}

int file_create_at(int dirfd, const char *name, const char *shown, const void *data,
    size_t len, mode_t mode)
{
	int fd, saved;

	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	/* open(2) applied the umask; the caller's mode is the contract. */
	if (fd == -1 || fchmod(fd, mode) == -1 || write_full(fd, data, len) == -1) {
		saved = errno;
		err_set(ERR_STORAGE, "cannot write %s: %s", shown, strerror(saved));
		if (fd != -1) {
			close(fd);
			unlinkat(dirfd, name, 0);
		}
		errno = saved;
		fd = -1;
	}
	return fd;
}

bool file_stat_is_trusted(const struct stat *st, uid_t uid)
{
	if (st->st_uid != uid && st->st_uid != 0)
		return false;
	return S_ISLNK(st->st_mode) || (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

int file_check_trusted(const char *path, const struct stat *st)
{
	/* acmectl never changes its effective uid; asked once, not per file */
	static uid_t me = (uid_t)-1;
	struct passwd *pw;
	char must[48], *shown, *who;

	if (me == (uid_t)-1)
		me = geteuid();
	if (file_stat_is_trusted(st, me))
		return 0;
	pw = getpwuid(st->st_uid);
	who = str_printable(pw != NULL ? pw->pw_name : "an unknown user");
	shown = str_printable(path);
	if (me == 0)
		snprintf(must, sizeof(must), "root");
	else
		snprintf(must, sizeof(must), "uid %u or root", (unsigned)me);
	err_set(ERR_STORAGE, "refusing to use %s: it is owned by %s (uid %u) with mode "
	    "%04o; it must belong to %s and not be writable by group or others", shown,
	    who, (unsigned)st->st_uid, (unsigned)(st->st_mode & 07777), must);
	free(who);
	free(shown);
	return -1;
}

/* Checks one entry of a path walk: trusted, or (unless it is the last,
 * the program itself) a directory with the sticky bit that belongs to
 * root or us (/tmp: others may add entries there but never replace ours,
 * and the entry below it is checked in turn). 0 or -1 with ERR_STORAGE. */
static int check_walk_entry(const char *path, bool last)
{
	struct stat st;

	if (lstat(path, &st) == -1) {
		err_set(ERR_STORAGE, "cannot use %s: %s", path, strerror(errno));
		return -1;
	}
	if (!last && S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) != 0 &&
	    (st.st_uid == 0 || st.st_uid == geteuid()))
		return 0;
	return file_check_trusted(path, &st);
}

/* Checks every directory from / down to abs (an absolute path), then abs.
 * 0 or -1 with ERR_STORAGE. */
static int check_walk(const char *abs)
{
	char *prefix = xstrdup(abs), *slash = prefix;
	int rc = check_walk_entry("/", false);

	while (rc == 0 && (slash = strchr(slash + 1, '/')) != NULL) {
		*slash = '\0';
		rc = check_walk_entry(prefix, false);
		*slash = '/';
	}
	if (rc == 0 && strcmp(abs, "/") != 0)
		rc = check_walk_entry(abs, true);
	free(prefix);
	return rc;
}

int file_check_trusted_path(const char *path)
{
	char resolved[PATH_MAX], cwd[PATH_MAX], *abs;
	int rc;

	if (path[0] == '/')
		abs = xstrdup(path);
	else if (getcwd(cwd, sizeof(cwd)) != NULL)
		abs = xasprintf("%s/%s", cwd, path);
	else {
		err_set(ERR_STORAGE, "cannot use %s: %s", path, strerror(errno));
		return -1;
	}
	/* the path as given (a symlink on it counts by its owner), then where
	 * it leads */
	rc = check_walk(abs);
	if (rc == 0 && realpath(abs, resolved) != NULL && strcmp(resolved, abs) != 0)
		rc = check_walk(resolved);
	free(abs);
	return rc;
}
