/* store_lock.c - the state directory's lock, and the walk over every
 * certificate taken while it is held (with the keys the renew digest is
 * matched against). */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

/* A descriptor of the directory path (never through a symlink), or
 * AT_FDCWD when it cannot be opened. */
static int open_dir_fd(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	return fd == -1 ? AT_FDCWD : fd;
}

/* store_check_cert for every certificate under STATE/certs, and the
 * check of STATE/renew-digest; with keys, their keys too. 0 or -1 with
 * ERR_STORAGE. */
static int check_all_certs(const char *state, struct store_keys *keys)
{
	struct cert_dirs d = { state, AT_FDCWD, AT_FDCWD };
	char **names, *path;
	size_t i, n;
	int rc;

	if ((names = store_list_certs(state)) == NULL)
		return -1;
	path = store_digest_path(state);
	rc = store_check_entry_at(AT_FDCWD, NULL, path, false);
	free(path);
	for (n = 0; names[n] != NULL; n++)
		continue;
	if (keys != NULL)
		keys->certs = xcalloc(n ? n : 1, sizeof(*keys->certs));
	/* store_list_certs ran store_check on certs/ and archive/; one that
	 * cannot be opened is looked up by its path, as for one certificate */
	path = store_certs_dir(state);
	d.certs = open_dir_fd(path);
	free(path);
	path = xasprintf("%s/archive", state);
	d.archive = open_dir_fd(path);
	free(path);
	for (i = 0; i < n && rc == 0; i++) {
		struct store_cert_keys *k = keys != NULL ? &keys->certs[keys->n] : NULL;

		if ((rc = store_check_cert_steps(&d, names[i], k)) == 0 && k != NULL &&
		    k->issuance.kind == STORE_KEY_FILE) {
			k->name = names[i];  /* taken: sorted, as store_list_certs gave them */
			names[i] = xstrdup("");
			keys->n++;
		} else if (k != NULL) {
			memset(k, 0, sizeof(*k));
		}
	}
	if (d.certs != AT_FDCWD)
		close(d.certs);
	if (d.archive != AT_FDCWD)
		close(d.archive);
	strv_free(names);
	return rc;
}

/* How often a held lock is tried again while waiting for it (a flock()
 * call: cheap enough to notice a released lock at once). */
#define LOCK_POLL_MS 10

int store_lock_keys(const char *state, long wait_ms, struct store_keys *keys)
{
	char *path = xasprintf("%s/lock", state);
	long long deadline = mono_ms() + wait_ms;
	struct timespec pause = { 0, LOCK_POLL_MS * 1000000L };
	int fd = -1;
	bool locked = false;

	if (keys != NULL)
		memset(keys, 0, sizeof(*keys));
	if (store_check(state) == -1 || store_mkdirs(state, 0700) == -1)
		goto out;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		err_set(ERR_STORAGE, "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			err_set(ERR_STORAGE, "cannot lock %s: %s", path, strerror(errno));
			goto out;
		}
		if (mono_ms() >= deadline) {
			err_set(ERR_STORAGE, "another acmectl run holds %s (waited %ld %s); "
			    "nothing was done", path, wait_ms % 1000 == 0 ? wait_ms / 1000 : wait_ms,
			    wait_ms % 1000 == 0 ? "s" : "ms");
			goto out;
		}
		nanosleep(&pause, NULL);
	}
	/* checked holding the lock: no other run changes the state between
	 * the check (and the keys it takes) and what this run does */
	locked = check_all_certs(state, keys) == 0;
out:
	if (!locked && fd != -1) {
		close(fd);
		fd = -1;
	}
	if (!locked && keys != NULL)
		store_keys_free(keys);
	free(path);
	return fd;
}

int store_lock(const char *state, long wait_ms)
{
	return store_lock_keys(state, wait_ms, NULL);
}

void store_unlock(int fd)
{
	if (fd != -1)
		close(fd);
}
