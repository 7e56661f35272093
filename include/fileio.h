/* fileio.h - the one whole-file reader and the one file creator.
 *
 * Every file acmectl reads whole (state files, keys, CSRs, manifests, CA
 * bundles) goes through file_read, and every file it creates once (the
 * files of a certificate generation, challenge tokens, exported manifests)
 * through file_create_at, so the limits and the refusals below hold for
 * all of them.
 */
#ifndef ACMECTL_FILEIO_H
#define ACMECTL_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* Reads the whole regular file at path, refusing anything else (a FIFO or
 * a device would block or never end) and anything over max bytes. Returns
 * a new NUL-terminated buffer with its length in *len (may be NULL); caller
 * frees, wiping it first when it may hold a secret. NULL on failure with an
 * error of the given kind, "cannot read PATH: WHY"; errno is then ENOENT
 * when nothing is at path. A buffer read in part is wiped before it is
 * freed. */
char *file_read(const char *path, size_t max, enum err_kind kind, size_t *len);

/* Creates name in the directory open as dirfd (AT_FDCWD: name is a path),
 * which must not exist yet: O_CREAT|O_EXCL|O_NOFOLLOW, so a symlink planted
 * at name is never followed, with mode applied whatever the umask, and
 * writes data. Nothing is synced; the caller fsyncs the returned descriptor
 * (and closes it). -1 with ERR_STORAGE "cannot write SHOWN: WHY" (shown
 * names the file in messages) and errno kept (EEXIST: something was at
 * name); a file it created is removed again. */
int file_create_at(int dirfd, const char *name, const char *shown, const void *data,
    size_t len, mode_t mode);

#endif
