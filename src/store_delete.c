/* store_delete.c - removing a kept certificate from the state directory,
 * in an order that a crash midway leaves safe (see store.h). */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "store.h"
#include "util.h"

/* Makes an unlink in dir durable; a directory that cannot be synced only
 * weakens that, so it is logged, not a failure. */
static void sync_parent(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd == -1 || fsync(fd) == -1)
		logmsg(LOG_VERBOSE, "cannot sync directory %s: %s", dir, strerror(errno));
	if (fd != -1)
		close(fd);
}

/* Removes the link certs/NAME at live (absent is fine). 0, or -1 with
 * ERR_STORAGE. */
static int remove_live_link(const char *live, const char *certs)
{
	struct stat st;

	if (lstat(live, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		err_set(ERR_STORAGE, "cannot use %s: %s", live, strerror(errno));
		return -1;
	}
	/* what acmectl did not make is not acmectl's to destroy */
	if (!S_ISLNK(st.st_mode)) {
		err_set(ERR_STORAGE, "refusing to delete %s: it is not the symlink acmectl "
		    "makes (a directory kept by hand?); remove it yourself", live);
		return -1;
	}
	if (unlink(live) == -1) {
		err_set(ERR_STORAGE, "cannot remove %s: %s", live, strerror(errno));
		return -1;
	}
	sync_parent(certs);
	return 0;
}

int store_delete_cert(const char *state, const char *name)
{
	char *live = store_cert_dir(state, name), *certs = store_certs_dir(state);
	char *archive = store_archive_dir(state, name), *archives = NULL;
	struct stat st;
	bool had_live, had_archive;
	int rc = -1;

	if (store_check_cert(state, name) == -1)
		goto out;
	had_live = lstat(live, &st) == 0;
	had_archive = lstat(archive, &st) == 0;
	if (!had_live && !had_archive) {
		err_set(ERR_USAGE, "no certificate \"%s\" in %s", name, certs);
		errno = ENOENT;
		goto out;
	}
	if (remove_live_link(live, certs) == -1)
		goto out;
	/* store_remove_tree walks with FTW_PHYS: a symlink is unlinked, and
	 * archive/NAME itself, were it one, would be too */
	store_remove_tree(archive);
	if (lstat(archive, &st) == 0) {
		err_set(ERR_STORAGE, "certificate %s is no longer kept, but %s could not be "
		    "removed completely (run with -v to see why)", name, archive);
		goto out;
	}
	archives = xstrndup(archive, (size_t)(strrchr(archive, '/') - archive));
	sync_parent(archives);
	rc = 0;
out:
	free(live);
	free(certs);
	free(archive);
	free(archives);
	return rc;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((type == FTW_DP ? rmdir(path) : unlink(path)) == -1)
		logmsg(LOG_VERBOSE, "cannot remove %s: %s", path, strerror(errno));
	return 0;
}

void store_remove_tree(const char *path)
{
	/* depth first, and symlinks removed, not followed */
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
