/* cmd_diagnose.c - `acmectl diagnose`: the run's settings handed to the
 * diagnose layer (src/diagnose/), which runs the steps and prints the
 * report. */
#include "config.h"

#include "cmd.h"
#include "diagnose.h"

struct diagnose_opts cmd_diagnose_opts(const struct config *cfg)
{
	return (struct diagnose_opts){
		.server = cfg->server,
		.server_set = cfg->server_set,
		.state_dir = cfg->state_dir,
		.ca_bundle = cfg->ca_bundle,
		.step_timeout_s = cfg->step_timeout_s,
		.email = cfg->email,
		.account_key = cfg->account_key,
		.account_url = cfg->account_url,
		.from_issuer = cfg->from_issuer,
		.secret = cfg->secret,
		.cm_version = cfg->cm_version,
		.resolv_conf = cfg->resolv_conf,
		.proxy = cli_proxy_flags(cfg),
		.pid = cfg->pid,
		.diag_register = cfg->diag_register,
		.eab_secret = cfg->eab_secret,
		.json = cfg->json,
	};
}

int cmd_diagnose(const struct config *cfg)
{
	struct diagnose_opts opts = cmd_diagnose_opts(cfg);

	return diagnose_run(&opts);
}
