/* dryrun.h - --dry-run: the whole issuance (account, order, challenges,
 * finalize, download) against a test server, with a throwaway account in a
 * throwaway state, so hooks, webroot, dns hook and proxy are tried without
 * anything kept or deployed. */
#ifndef ACMECTL_DRYRUN_H
#define ACMECTL_DRYRUN_H

#include "certinfo.h"
#include "cli.h"
#include "issue.h"

/* The server a dry run of a certificate kept for server uses:
 * --dry-run-server, else the staging counterpart of server (Let's
 * Encrypt's production directory -> its staging one), else server itself.
 * Borrowed (static, or from cfg or server). */
const char *dryrun_server(const struct config *cfg, const char *server);

/* Issues spec (its hooks ignored: only the dns hook, which validation
 * needs, runs) from the server dryrun_server(cfg, server) names, with a
 * new account (its terms of service agreed to) in a temporary state
 * directory that is removed afterwards; cfg->state_dir is not touched. The
 * connection settings remembered for that server in cfg->state_dir are
 * used. Fills *issued (certinfo_clear() it). 0, or -1 with err. */
int dryrun_issue(const struct config *cfg, const struct issue_spec *spec, const char *server,
    struct certinfo *issued);

#endif
