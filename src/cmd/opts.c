/* opts.c - the parts of struct config that the lower layers take, each
 * in their own small option struct, so that struct config stays in the
 * command layer. */
#include "config.h"

#include "cmd.h"

struct session_opts cmd_session_opts(const struct config *cfg)
{
	struct session_opts o = {
		.server = cfg->server,
		.state_dir = cfg->state_dir,
		.ca_bundle = cfg->ca_bundle,
		.ca_bundle_source = cfg->ca_bundle_source,
		.timeout_s = cfg->timeout_s,
		.parallel = cfg->parallel,
		.deadline_s = cfg->deadline_s,
		.proxy = cli_proxy_flags(cfg),
	};

	return o;
}

struct dryrun_opts cmd_dryrun_opts(const struct config *cfg)
{
	struct dryrun_opts o = {
		.session = cmd_session_opts(cfg),
		.server = cfg->dry_run_server,
		.staging_servers = cfg->staging_servers,
		.account_key_type = cfg->account_key_type,
		.email = cfg->email,
	};

	return o;
}
