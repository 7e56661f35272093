/* fileio.h - the one whole-file reader, the one file creator, and the one
 * rule for whom acmectl trusts.
 *
 * Every file acmectl reads whole (state files, keys, CSRs, manifests, CA
 * bundles) goes through file_read, and every file it creates once (the
 * files of a certificate generation, challenge tokens, exported manifests)
 * through file_create_at, so the limits and the refusals below hold for
 * all of them. Whatever can make acmectl run a command or change where it
 * writes (the state directory, the config file) is trusted only as
 * file_stat_is_trusted says: a root run must never act on what another
 * user could have planted.
 */
#ifndef ACMECTL_FILEIO_H
#define ACMECTL_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
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

/* file_read of name in the directory open as dirfd (AT_FDCWD: name is a
 * path); shown names the file in messages. */
char *file_read_at(int dirfd, const char *name, const char *shown, size_t max,
    enum err_kind kind, size_t *len);

/* Creates name in the directory open as dirfd (AT_FDCWD: name is a path),
 * which must not exist yet: O_CREAT|O_EXCL|O_NOFOLLOW, so a symlink planted
 * at name is never followed, with mode applied whatever the umask, and
 * writes data. Nothing is synced; the caller fsyncs the returned descriptor
 * (and closes it). -1 with ERR_STORAGE "cannot write SHOWN: WHY" (shown
 * names the file in messages) and errno kept (EEXIST: something was at
 * name); a file it created is removed again. */
int file_create_at(int dirfd, const char *name, const char *shown, const void *data,
    size_t len, mode_t mode);

/* True when what st (from lstat(2) or fstat(2)) describes may be trusted by
 * a process running as uid to hold its settings, hooks or keys: owned by
 * uid or by root, and writable by no one else (no group or other write
 * bit, sticky or not). A symlink's mode is always 0777 and means nothing:
 * only its owner counts. */
bool file_stat_is_trusted(const struct stat *st, uid_t uid);

/* Refuses path, whose lstat(2) or fstat(2) results are st, unless
 * file_stat_is_trusted for the effective user: -1 with ERR_STORAGE and one
 * line naming the path, its owner and its mode, "refusing to use PATH: it
 * is owned by USER (uid N) with mode 0NNN; ...". 0 when trusted. */
int file_check_trusted(const char *path, const struct stat *st);

/* Refuses a program acmectl is to run for the user (a hook) unless path,
 * and every directory above it up to /, passes file_check_trusted; a
 * directory with the sticky bit that belongs to root or the user (/tmp)
 * passes too, as nobody else can replace what is ours in it. A symlink
 * on the way counts by its owner, and the path it resolves to is checked
 * the same way. 0, or -1 with ERR_STORAGE naming the first refused path,
 * its owner and mode (or why it cannot be looked at). */
int file_check_trusted_path(const char *path);

#endif
