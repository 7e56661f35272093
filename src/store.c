/* store.c - the state directory: layout, atomic writes, certificate
 * generations swapped in with one rename(2) of a symlink. */
#include "config.h"

#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "err.h"
#include "fileio.h"
#include "log.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

/* How often a random temp name is retried after EEXIST. */
#define TEMP_TRIES 100

int store_mkdirs(const char *path, mode_t mode)
{
	char *buf = xstrdup(path), *p, saved;
	struct stat st;
	int rc = -1;

	if (buf[0] == '\0') {
		err_set(ERR_STORAGE, "cannot create directory \"\": %s", strerror(ENOENT));
		goto out;
	}
	for (p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			saved = *p;
			*p = '\0';
			/* stat first: mkdir on an existing directory of a
			 * read-only file system may fail with EROFS, not EEXIST */
			if (stat(buf, &st) == -1 && (errno != ENOENT ||
			    (mkdir(buf, mode) == -1 && errno != EEXIST) ||
			    stat(buf, &st) == -1)) {
				err_set(ERR_STORAGE, "cannot create directory %s: %s",
				    buf, strerror(errno));
				goto out;
			}
			if (!S_ISDIR(st.st_mode)) {
				err_set(ERR_STORAGE, "cannot create directory %s: %s",
				    buf, strerror(ENOTDIR));
				goto out;
			}
			*p = saved;
		}
		if (*p == '\0')
			break;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* Appends ".XXXXXX" of random [A-Za-z0-9] to prefix. Caller frees. */
static char *temp_name(const char *prefix)
{
	static const char alnum[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[6];
	char suffix[sizeof(rnd) + 1];
	size_t i;

	/* Uniqueness, not secrecy: O_EXCL does the rest, so a short read is
	 * filled from the clock rather than failing the write. */
	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
		long long t = mono_ms() ^ (long long)getpid() << 20;

		for (i = 0; i < sizeof(rnd); i++)
			rnd[i] ^= (unsigned char)(t >> (i * 7));
	}
	for (i = 0; i < sizeof(rnd); i++)
		suffix[i] = alnum[rnd[i] % (sizeof(alnum) - 1)];
	suffix[sizeof(rnd)] = '\0';
	return xasprintf("%s.%s", prefix, suffix);
}

/* The directory part of path ("." for a bare name). Caller frees. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* fsync(2) of a directory, so a rename or create in it is durable.
 * 0, or -1 with errno. */
static int sync_dir(const char *dir)
{
	int fd, rc = 0, saved;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	/* Some file systems cannot sync directories; that is not a failure. */
	if (fsync(fd) == -1 && errno != EINVAL && errno != ENOTSUP) {
		saved = errno;
		rc = -1;
	}
	close(fd);
	if (rc == -1)
		errno = saved;
	return rc;
}

/* After a rename the new data is in place; a directory that cannot be
 * synced only weakens durability, so it is worth a warning, not a failure
 * that would make the caller redo finished work. */
static void sync_dir_after_rename(const char *dir)
{
	if (sync_dir(dir) == -1)
		logmsg(LOG_NORMAL, "warning: cannot sync directory %s: %s", dir,
		    strerror(errno));
}

/* Writes the parts next gives to fd one after the other, through a buffer
 * so that many small parts cost few write(2) calls. 0 or -1 with errno. */
static int write_parts(int fd, store_next_part next, void *ctx)
{
	char buf[65536];
	size_t used = 0, take, k;
	struct store_part part;
	const char *p;

	while (next(ctx, &part)) {
		for (p = part.data, take = part.len; take > 0; p += k, take -= k) {
			k = take < sizeof(buf) - used ? take : sizeof(buf) - used;
			memcpy(buf + used, p, k);
			used += k;
			if (used == sizeof(buf)) {
				if (write_full(fd, buf, used) == -1)
					return -1;
				used = 0;
			}
		}
	}
	return used > 0 ? write_full(fd, buf, used) : 0;
}

int store_write_atomic_from(const char *path, store_next_part next, void *ctx, mode_t mode)
{
	char *tmp = NULL, *dir = NULL, *prefix = xasprintf("%s.tmp", path);
	int fd = -1, tries, rc = -1;

	for (tries = 0; tries < TEMP_TRIES; tries++) {
		free(tmp);
		tmp = temp_name(prefix);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd != -1 || errno != EEXIST)
			break;
	}
	if (fd == -1) {
		err_set(ERR_STORAGE, "cannot write %s: %s", path, strerror(errno));
		free(tmp);
		tmp = NULL;  /* not ours to remove */
		goto out;
	}
	/* open(2) applied the umask; the caller's mode is the contract. */
	if (fchmod(fd, mode) == -1 || write_parts(fd, next, ctx) == -1 ||
	    fsync(fd) == -1) {
		err_set(ERR_STORAGE, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		err_set(ERR_STORAGE, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		err_set(ERR_STORAGE, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	dir = dir_of(path);
	sync_dir_after_rename(dir);
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(dir);
	free(prefix);
	return rc;
}

/* The one part of store_write_atomic's data: ctx is that part, given
 * once. */
static bool next_once(void *ctx, struct store_part *part)
{
	struct store_part *once = ctx;

	*part = *once;
	once->len = 0;
	return part->len > 0;
}

int store_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	struct store_part once = { data, len };

	return store_write_atomic_from(path, next_once, &once, mode);
}

/* doc as the indented, key-sorted text the state files hold, with a final
 * newline; an empty object for NULL. Caller frees; NULL when it cannot be
 * encoded. */
static char *json_text(json_t *doc)
{
	json_t *empty = doc == NULL ? json_object() : NULL;
	char *json = json_dumps(doc != NULL ? doc : empty, JSON_INDENT(2) | JSON_SORT_KEYS), *text;

	json_decref(empty);
	if (json == NULL)
		return NULL;
	text = xasprintf("%s\n", json);
	free(json);
	return text;
}

int store_write_json(const char *path, json_t *doc, mode_t mode)
{
	char *text = json_text(doc);
	int rc;

	if (text == NULL) {
		err_set(ERR_STORAGE, "cannot encode %s", path);
		return -1;
	}
	rc = store_write_atomic(path, text, strlen(text), mode);
	free(text);
	return rc;
}

int store_check_cert_name(const char *name)
{
	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL) {
		err_set(ERR_USAGE, "invalid certificate name \"%s\"", name);
		return -1;
	}
	return 0;
}

/* A generation directory's number, or -1 when entry is not one. */
static long generation_of(const char *entry)
{
	char *end;
	long n;

	if (!isdigit((unsigned char)entry[0]))
		return -1;
	errno = 0;
	n = strtol(entry, &end, 10);
	if (*end != '\0' || errno != 0 || n < 1)
		return -1;
	return n;
}

/* store_check_entry_at, and what was found in *stp when given (st_mode 0:
 * nothing there). */
static int check_entry_stat(int dirfd, const char *rel, const char *path, bool want_dir,
    struct stat *stp)
{
	struct stat st;
	char *shown;

	if (fstatat(dirfd, dirfd == AT_FDCWD ? path : rel, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (stp != NULL)
			memset(stp, 0, sizeof(*stp));
		if (errno == ENOENT)
			return 0;
		err_set(ERR_STORAGE, "cannot use %s: %s", path, strerror(errno));
		return -1;
	}
	if (stp != NULL)
		*stp = st;
	if (S_ISLNK(st.st_mode) || (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))) {
		shown = str_printable(path);
		err_set(ERR_STORAGE, "refusing to use %s: it is %s where acmectl keeps a %s",
		    shown, S_ISLNK(st.st_mode) ? "a symlink" : "something else",
		    want_dir ? "directory" : "regular file");
		free(shown);
		return -1;
	}
	return file_check_trusted(path, &st);
}

/* check_entry_stat, when what was found is not wanted. */
int store_check_entry_at(int dirfd, const char *rel, const char *path, bool want_dir)
{
	return check_entry_stat(dirfd, rel, path, want_dir, NULL);
}

/* check_entry_at for a path looked up as it is. */
static int check_entry(const char *path, bool want_dir)
{
	return store_check_entry_at(AT_FDCWD, NULL, path, want_dir);
}

int store_check(const char *state)
{
	static const char *const subdirs[] = { "accounts", "certs", "archive" };
	struct stat st;
	char *path;
	size_t i;
	int rc;

	if (stat(state, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		err_set(ERR_STORAGE, "cannot use %s: %s", state, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		err_set(ERR_STORAGE, "cannot use %s: %s", state, strerror(ENOTDIR));
		return -1;
	}
	if (file_check_trusted(state, &st) == -1)
		return -1;
	for (i = 0; i < nitems(subdirs); i++) {
		path = xasprintf("%s/%s", state, subdirs[i]);
		rc = check_entry(path, true);
		free(path);
		if (rc == -1)
			return -1;
	}
	return 0;
}

int store_check_account(const char *state, const char *id)
{
	char *dir;
	int rc;

	if (store_check(state) == -1)
		return -1;
	dir = store_account_dir(state, id);
	rc = check_entry(dir, true);
	free(dir);
	return rc;
}

/* The generation "../archive/NAME/N" names when it is exactly the link
 * acmectl makes for certificate name, else -1: a link that leads anywhere
 * else was not made by acmectl and is never followed. */
static long link_generation(const char *target, const char *name)
{
	size_t len = strlen(name);

	if (strncmp(target, "../archive/", 11) != 0 || strncmp(target + 11, name, len) != 0 ||
	    target[11 + len] != '/')
		return -1;
	return generation_of(target + 11 + len + 1);
}


/* The generation the link certs/NAME (at live) leads to, after checking
 * that it is acmectl's own link and that archive/NAME is a trusted
 * directory; -1 with ERR_STORAGE. */
static long linked_generation(const struct cert_dirs *d, const char *name, const char *live)
{
	char target[PATH_MAX], *archive, *where, *shown, *shown_name;
	ssize_t n;
	long gen;
	int rc;

	n = readlinkat(d->certs, d->certs == AT_FDCWD ? live : name, target, sizeof(target) - 1);
	if (n == -1) {
		err_set(ERR_STORAGE, "cannot read the link %s: %s", live, strerror(errno));
		return -1;
	}
	target[n] = '\0';
	if ((gen = link_generation(target, name)) == -1) {
		where = str_printable(live);
		shown = str_printable(target);
		shown_name = str_printable(name);
		err_set(ERR_STORAGE, "refusing to follow %s: it points to %s, not to "
		    "../archive/%s/GENERATION inside the state directory", where, shown,
		    shown_name);
		free(where);
		free(shown);
		free(shown_name);
		return -1;
	}
	archive = store_archive_dir(d->state, name);
	rc = store_check_entry_at(d->archive, name, archive, true);
	free(archive);
	return rc == 0 ? gen : -1;
}

/* The key of file in a certificate's directory, looked up as rel_dir/file
 * under dirfd, or as dir/file when dirfd is AT_FDCWD: only a regular file
 * itself (never through a symlink) has one; a missing file is ABSENT. */
static void key_at(int dirfd, const char *rel_dir, const char *dir, const char *file,
    struct store_key *key)
{
	char *where = xasprintf("%s/%s", dirfd == AT_FDCWD ? dir : rel_dir, file);
	struct stat st;

	if (fstatat(dirfd, where, &st, AT_SYMLINK_NOFOLLOW) == -1)
		key->kind = errno == ENOENT ? STORE_KEY_ABSENT : STORE_KEY_NONE;
	else
		store_key_from_stat(key, &st);
	free(where);
}

int store_check_cert_steps(const struct cert_dirs *d, const char *name,
    struct store_cert_keys *keys)
{
	char *live = store_cert_dir(d->state, name), *dir = NULL, *file = NULL;
	char *rel_dir = NULL, *rel_file = NULL;
	int dirfd = AT_FDCWD, rc = -1;
	struct stat st;
	long gen;

	if (store_check_cert_name(name) == -1)
		goto out;
	if (fstatat(d->certs, d->certs == AT_FDCWD ? live : name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		rc = errno == ENOENT ? 0 : -1;  /* no such certificate: the reader says so */
		if (rc == -1)
			err_set(ERR_STORAGE, "cannot use %s: %s", live, strerror(errno));
		goto out;
	}
	if (!S_ISLNK(st.st_mode)) {
		dir = xstrdup(live);  /* a directory kept by hand: trusted like any other */
	} else {
		if (file_check_trusted(live, &st) == -1 ||
		    (gen = linked_generation(d, name, live)) == -1)
			goto out;
		dir = xasprintf("%s/archive/%s/%ld", d->state, name, gen);
		dirfd = d->archive;
		rel_dir = xasprintf("%s/%ld", name, gen);
		rel_file = xasprintf("%s/%s", rel_dir, STORE_ISSUANCE);
	}
	file = xasprintf("%s/%s", dir, STORE_ISSUANCE);
	if (store_check_entry_at(dirfd, rel_dir, dir, true) == -1 ||
	    check_entry_stat(dirfd, rel_file, file, false, &st) == -1)
		goto out;
	if (keys != NULL) {
		store_key_from_stat(&keys->issuance, &st);
		key_at(dirfd, rel_dir, dir, STORE_CERT, &keys->cert);
		key_at(dirfd, rel_dir, dir, STORE_ARI, &keys->ari);
	}
	rc = 0;
out:
	free(live);
	free(dir);
	free(file);
	free(rel_dir);
	free(rel_file);
	return rc;
}

int store_check_cert(const char *state, const char *name)
{
	const struct cert_dirs d = { state, AT_FDCWD, AT_FDCWD };

	if (store_check_cert_name(name) == -1 || store_check(state) == -1)
		return -1;
	return store_check_cert_steps(&d, name, NULL);
}

/* The generation certs/NAME points at ("../archive/NAME/N"), or -1. */
static long current_generation(const char *link)
{
	char target[PATH_MAX];
	const char *slash;
	ssize_t n;

	n = readlink(link, target, sizeof(target) - 1);
	if (n == -1)
		return -1;
	target[n] = '\0';
	slash = strrchr(target, '/');
	return generation_of(slash != NULL ? slash + 1 : target);
}

/* Removes a generation directory and the files in it. Best effort: what it
 * cannot remove is only disk space, never the live certificate. */
static void remove_generation(const char *dir)
{
	DIR *d = NULL;
	struct dirent *de;
	int fd;

	/* O_NOFOLLOW: a symlink in a generation's place is removed as a
	 * link, never entered (with O_DIRECTORY, Linux says ENOTDIR) */
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) != -1 &&
	    (d = fdopendir(fd)) == NULL)
		close(fd);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	if (d == NULL && (errno == ELOOP || errno == ENOTDIR))
		unlink(dir);
	else if (rmdir(dir) == -1 && errno != ENOENT)
		logmsg(LOG_VERBOSE, "cannot remove %s: %s", dir, strerror(errno));
}

/* Highest generation number under archive (0 when none), or -1 with err. */
static long last_generation(const char *archive)
{
	DIR *d;
	struct dirent *de;
	long n, max = 0;

	d = opendir(archive);
	if (d == NULL) {
		err_set(ERR_STORAGE, "cannot read directory %s: %s", archive, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if ((n = generation_of(de->d_name)) > max)
			max = n;
	closedir(d);
	return max;
}

/* Deletes every generation under archive except keep and prev. */
static void prune_generations(const char *archive, long keep, long prev)
{
	DIR *d;
	struct dirent *de;
	char *path;
	long n;

	d = opendir(archive);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		n = generation_of(de->d_name);
		if (n == -1 || n == keep || n == prev)
			continue;
		path = xasprintf("%s/%s", archive, de->d_name);
		remove_generation(path);
		free(path);
	}
	closedir(d);
}

int store_write_new(const char *path, const void *data, size_t len, mode_t mode)
{
	char *dir = NULL;
	int fd, rc = -1;

	if ((fd = file_create_at(AT_FDCWD, path, path, data, len, mode)) == -1)
		return -1;
	if (fsync(fd) == -1) {
		err_set(ERR_STORAGE, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	if (close(fd) == -1) {
		err_set(ERR_STORAGE, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	dir = dir_of(path);
	if (sync_dir(dir) == -1) {
		err_set(ERR_STORAGE, "cannot sync %s: %s", dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		unlink(path);
	free(dir);
	return rc;
}

/* Writes the five files of one generation into dir, a directory nobody
 * sees until the certificate's link is swapped to it, so the files need no
 * temporary names. They are synced together after all are written: the
 * first fsync commits them all, where a sync per file (and per rename)
 * would wait for the disk a dozen times. */
static int write_generation(const char *dir, const struct store_cert *c)
{
	char *issuance = json_text(c->issuance), *path;
	const struct {
		const char *name;
		const char *data;     /* NULL: an empty file, or none when optional */
		size_t len;
		mode_t mode;
		bool optional;
	} files[] = {
		/* a certificate for the user's own CSR has no key of ours */
		{ STORE_PRIVKEY, c->privkey, c->privkey_len, 0600, true },
		{ STORE_CERT, c->cert, c->cert ? strlen(c->cert) : 0, 0644, false },
		{ STORE_CHAIN, c->chain, c->chain ? strlen(c->chain) : 0, 0644, false },
		{ STORE_FULLCHAIN, c->fullchain, c->fullchain ? strlen(c->fullchain) : 0, 0644, false },
		{ STORE_ISSUANCE, issuance, issuance ? strlen(issuance) : 0, 0644, false },
	};
	enum { NFILES = nitems(files) };
	int fds[NFILES], rc = -1;
	size_t i;

	for (i = 0; i < NFILES; i++)
		fds[i] = -1;
	if (issuance == NULL) {
		err_set(ERR_STORAGE, "cannot encode %s/" STORE_ISSUANCE, dir);
		goto out;
	}
	for (i = 0; i < NFILES; i++) {
		if (files[i].data == NULL && files[i].optional)
			continue;
		path = xasprintf("%s/%s", dir, files[i].name);
		fds[i] = file_create_at(AT_FDCWD, path, path,
		    files[i].data ? files[i].data : "", files[i].len, files[i].mode);
		free(path);
		if (fds[i] == -1)
			goto out;
	}
	for (i = 0; i < NFILES; i++) {
		if (fds[i] != -1 && fsync(fds[i]) == -1) {
			err_set(ERR_STORAGE, "cannot write %s/%s: %s", dir, files[i].name,
			    strerror(errno));
			goto out;
		}
	}
	if (sync_dir(dir) == -1) {
		err_set(ERR_STORAGE, "cannot sync directory %s: %s", dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < NFILES; i++)
		if (fds[i] != -1)
			close(fds[i]);
	free(issuance);
	return rc;
}

int store_save_cert(const char *state, const char *name, const struct store_cert *c)
{
	char *archive = NULL, *gendir = NULL, *certs = NULL, *live = NULL;
	char *target = NULL, *prefix = NULL, *tmplink = NULL;
	struct stat st;
	long gen, prev;
	mode_t oldmask;
	int tries, rc = -1;

	if (store_check_cert_name(name) == -1 || store_check(state) == -1)
		return -1;
	archive = xasprintf("%s/archive/%s", state, name);
	certs = store_certs_dir(state);
	live = store_cert_dir(state, name);
	/* archive/NAME is where generations are written and pruned: a
	 * symlink there would lead both elsewhere */
	if (check_entry(archive, true) == -1 || store_mkdirs(archive, 0700) == -1 ||
	    store_mkdirs(certs, 0700) == -1)
		goto out;
	/* Only a symlink of ours is replaced; a directory someone made
	 * there by hand (or an old layout) is not ours to destroy. */
	if (lstat(live, &st) == 0 && !S_ISLNK(st.st_mode)) {
		err_set(ERR_STORAGE, "refusing to replace %s: it is not a symlink "
		    "(move it away first)", live);
		goto out;
	}
	prev = current_generation(live);
	if ((gen = last_generation(archive)) == -1)
		goto out;
	gen++;
	gendir = xasprintf("%s/%ld", archive, gen);
	oldmask = umask(077);
	if (mkdir(gendir, 0700) == -1) {
		umask(oldmask);
		err_set(ERR_STORAGE, "cannot create directory %s: %s", gendir,
		    strerror(errno));
		free(gendir);
		gendir = NULL;  /* not ours to remove */
		goto out;
	}
	umask(oldmask);
	if (write_generation(gendir, c) == -1)
		goto out;
	if (sync_dir(archive) == -1) {
		err_set(ERR_STORAGE, "cannot sync directory %s: %s", archive,
		    strerror(errno));
		goto out;
	}

	target = xasprintf("../archive/%s/%ld", name, gen);
	prefix = xasprintf("%s/.%s.tmp", certs, name);
	for (tries = 0;; tries++) {
		free(tmplink);
		tmplink = temp_name(prefix);
		if (symlink(target, tmplink) == 0)
			break;
		if (errno != EEXIST || tries == TEMP_TRIES) {
			err_set(ERR_STORAGE, "cannot create symlink %s: %s", tmplink,
			    strerror(errno));
			free(tmplink);
			tmplink = NULL;  /* not ours to remove */
			goto out;
		}
	}
	if (rename(tmplink, live) == -1) {
		err_set(ERR_STORAGE, "cannot replace %s: %s", live, strerror(errno));
		goto out;
	}
	free(tmplink);
	tmplink = NULL;
	free(gendir);
	gendir = NULL;  /* live now: never removed below */
	sync_dir_after_rename(certs);
	prune_generations(archive, gen, prev);
	rc = 0;
out:
	if (tmplink != NULL)
		unlink(tmplink);
	if (rc == -1 && gendir != NULL)
		remove_generation(gendir);
	free(archive);
	free(gendir);
	free(certs);
	free(live);
	free(target);
	free(prefix);
	free(tmplink);
	return rc;
}

int store_save_issuance(const char *state, const char *name, json_t *record)
{
	char *path;
	int rc;

	if (store_check_cert_name(name) == -1)
		return -1;
	path = xasprintf("%s/certs/%s/issuance.json", state, name);
	rc = store_write_json(path, record, 0644);
	free(path);
	return rc;
}

char *store_connection_path(const char *state, const char *server_url)
{
	char *id = store_account_id(server_url), *path;

	if (id == NULL)
		return NULL;
	path = xasprintf("%s/accounts/%s/connection.json", state, id);
	free(id);
	return path;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **store_list_certs(const char *state)
{
	char *certs = store_certs_dir(state), **names = NULL;
	size_t n = 0;
	DIR *d;
	struct dirent *de;
	struct stat st;

	if (store_check(state) == -1)
		goto out;
	names = xcalloc(1, sizeof(*names));
	d = opendir(certs);
	if (d == NULL) {
		if (errno == ENOENT)
			goto out;  /* nothing issued yet */
		err_set(ERR_STORAGE, "cannot read directory %s: %s", certs, strerror(errno));
		strv_free(names);
		names = NULL;
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		/* the entry's type from readdir where the file system gives it */
		if (de->d_type == DT_UNKNOWN &&
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			de->d_type = S_ISLNK(st.st_mode) ? DT_LNK : S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
		if (de->d_type != DT_LNK && de->d_type != DT_DIR)
			continue;
		names = xrealloc(names, (n + 2) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
		names[n] = NULL;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), compare_names);
out:
	free(certs);
	return names;
}

char *store_temp_state(void)
{
	const char *tmp = getenv("TMPDIR");
	char *path = xasprintf("%s/acmectl-dry-run.XXXXXX",
	    tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");

	if (mkdtemp(path) == NULL) {
		err_set(ERR_STORAGE, "cannot create a temporary state directory %s: %s", path,
		    strerror(errno));
		free(path);
		return NULL;
	}
	return path;
}

