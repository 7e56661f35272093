/* dryrun.c - issuance against a test server with nothing kept. */
#include "config.h"

#include <stdlib.h>

#include "dryrun.h"
#include "err.h"
#include "log.h"
#include "session.h"
#include "staging.h"
#include "store.h"

const char *dryrun_server(const struct dryrun_opts *opts, const char *server)
{
	const char *staging;

	if (opts->server != NULL)
		return opts->server;
	staging = staging_counterpart(server, opts->staging_servers);
	return staging != NULL ? staging : server;
}

int dryrun_issue(const struct dryrun_opts *opts, const struct issue_spec *spec,
    const char *server, struct certinfo *issued)
{
	struct session_opts run = opts->session;
	struct issue_spec trial = *spec;
	struct session s = { 0 };
	json_t *conn = NULL;
	char *tmp = NULL;
	int rc = -1;

	run.server = dryrun_server(opts, server);
	/* the real state is only read: the settings remembered for the server */
	if (session_recall_connection(&run, &conn) != 0 || (tmp = store_temp_state()) == NULL)
		goto out;
	run.state_dir = tmp;
	trial.hooks = NULL;
	trial.replaces = NULL;
	logmsg(LOG_VERBOSE, "dry run of %s from %s in %s", spec->cert_name, run.server, tmp);
	if (session_open(&s, &run) != 0 ||
	    session_register(&s, NULL, opts->account_key_type, opts->email, NULL, NULL, NULL) != 0 ||
	    issue_run(&s, &trial, issued) != 0)
		goto out;
	session_log_stats(&s);
	rc = 0;
out:
	session_close(&s);
	if (tmp != NULL)
		store_remove_tree(tmp);
	free(tmp);
	json_decref(conn);
	return rc;
}
