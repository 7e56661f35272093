/* store_int.h - what the store's files share: the trust walk's steps.
 * Private to src/store*.c. */
#ifndef ACMECTL_STORE_INT_H
#define ACMECTL_STORE_INT_H

#include <sys/stat.h>

#include <stdbool.h>

#include "store.h"

/* Where the certificates of STATE are looked up: certs/ and archive/ as
 * descriptors, opened once for a walk over every certificate (each lookup
 * is then one or three names, not the whole path again), or AT_FDCWD,
 * and then by their paths. */
struct cert_dirs {
	const char *state;
	int certs;
	int archive;
};

/* Refuses path unless nothing is there yet, or it is what the layout keeps
 * there (a directory when want_dir, else a regular file), itself and not a
 * symlink to one, and trusted (file_check_trusted). It is looked up as rel
 * under the directory dirfd, or as path when dirfd is AT_FDCWD; path names
 * it in messages. 0 or -1 with ERR_STORAGE. */
int store_check_entry_at(int dirfd, const char *rel, const char *path, bool want_dir);

/* store_check_cert without store_check, for callers that ran it. With
 * keys, also the keys of the generation's issuance.json (from the check's
 * own lookup), cert.pem and ari.json. 0 or -1 with ERR_STORAGE. */
int store_check_cert_steps(const struct cert_dirs *d, const char *name,
    struct store_cert_keys *keys);

/* key as st (from fstatat(2) without following a symlink) says: FILE for
 * a regular file, NONE for anything else. */
void store_key_from_stat(struct store_key *key, const struct stat *st);

#endif
