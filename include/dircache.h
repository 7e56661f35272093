/* dircache.h - the directory of each ACME server, kept in the state
 * (STATE/accounts/<id>/directory.json, see store.h), so a run does not pay
 * the round trip of fetching it. Never used by `diagnose`, which shows
 * what the CA answers now. */
#ifndef ACMECTL_DIRCACHE_H
#define ACMECTL_DIRCACHE_H

#include <stddef.h>
#include <time.h>
#include <jansson.h>

#include "acme.h"

/* How long a kept directory is used before it is fetched again. */
#define DIRCACHE_MAX_AGE_S 86400
/* A kept directory larger than this is not read. */
#define DIRCACHE_MAX_BYTES (64 * 1024)

/* Checks the text of a kept directory.json, a file anyone able to write
 * the state could have changed, against the server it is used for: a JSON
 * object {"url": server_url, "fetched": RFC 3339 time at most
 * DIRCACHE_MAX_AGE_S before now (and not after it), "directory": an object
 * whose resources newNonce, newAccount, newOrder, revokeCert, keyChange and
 * renewalInfo, when present, are strings naming https URLs of the same
 * host and port as server_url}. Returns the "directory" object (new
 * reference, caller json_decref()s), or NULL with *why (static) saying
 * what was wrong. Pure; records nothing in err. */
json_t *dircache_parse(const char *text, size_t len, const char *server_url, time_t now,
    const char **why);

/* Loads the directory of server into a: the one kept in state when it
 * passes dircache_parse, else from the CA (acme_load_directory), and from
 * then on keeps each one fetched from the CA in state (when the server's
 * account directory exists, or once the account's key is written there:
 * a run that keeps no account leaves no file) for the next run. An unusable kept file is only logged (-v)
 * and replaced. 0, or -1 with err as acme_load_directory. */
int dircache_load(struct acme *a, const char *state, const char *server);

#endif
