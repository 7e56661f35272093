/* dryrun.h - --dry-run: the whole issuance (account, order, challenges,
 * finalize, download) against a test server, with a throwaway account in a
 * throwaway state, so hooks, webroot, dns hook and proxy are tried without
 * anything kept or deployed. */
#ifndef ACMECTL_DRYRUN_H
#define ACMECTL_DRYRUN_H

#include "certinfo.h"
#include "issue.h"
#include "key.h"
#include "session.h"

/* What a dry run needs of a run, filled by the command layer. Strings
 * borrowed. */
struct dryrun_opts {
	struct session_opts session;    /* the run's; server and state_dir replaced */
	const char *server;             /* --dry-run-server URL; NULL: the staging counterpart */
	const char *staging_servers;    /* the config file's staging-servers, or NULL */
	enum key_type account_key_type; /* of the throwaway account */
	const char *email;              /* of the throwaway account, or NULL */
};

/* The server a dry run of a certificate kept for server uses:
 * --dry-run-server, else the staging counterpart of server (Let's
 * Encrypt's production directory -> its staging one), else server itself.
 * Borrowed (static, or from opts or server). */
const char *dryrun_server(const struct dryrun_opts *opts, const char *server);

/* Issues spec (its hooks ignored: only the dns hook, which validation
 * needs, runs) from the server dryrun_server(opts, server) names, with a
 * new account (its terms of service agreed to) in a temporary state
 * directory that is removed afterwards; opts->session.state_dir is not
 * touched. The connection settings remembered for that server in
 * opts->session.state_dir are used. Fills *issued (certinfo_clear() it).
 * 0, or -1 with err. */
int dryrun_issue(const struct dryrun_opts *opts, const struct issue_spec *spec,
    const char *server, struct certinfo *issued);

#endif
