/* cli.h - the command line: argv -> struct config. Pure: no I/O except
 * reading nothing; environment and config file are applied elsewhere. */
#ifndef ACMECTL_CLI_H
#define ACMECTL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include "key.h"
#include "proxy.h"
#include "staging.h"

enum command {
	CMD_NONE,
	CMD_HELP,
	CMD_VERSION,
	CMD_ACCOUNT_REGISTER,
	CMD_ACCOUNT_SHOW,
	CMD_ISSUE,
	CMD_PROXY_EXPLAIN,
	CMD_DIAGNOSE,
	CMD_RENEW,
	CMD_LIST,
	CMD_REVOKE,
	CMD_ACCOUNT_ROLLOVER,
	CMD_ACCOUNT_DEACTIVATE,
	CMD_ACCOUNT_UPDATE,
	CMD_ACCOUNT_EXPORT,
	CMD_ACCOUNT_IMPORT,
	CMD_DELETE,
};


/* Everything a run needs. Strings point into argv (borrowed) unless noted. */
struct config {
	enum command cmd;

	/* global */
	const char *server;        /* resolved URL; NULL until set (default applied by cli_parse) */
	bool server_set;           /* given by flag (config file must not override) */
	char *state_dir;           /* owned; default from store_default_dir() when not given */
	const char *ca_bundle;
	const char *ca_bundle_source; /* "FILE:LINE" when ca_bundle came from the config file */
	long timeout_s;            /* default 30 */
	bool timeout_set;
	int verbosity;             /* count of -v */
	bool quiet;
	bool json;
	const char *config_file;   /* --config FILE, NULL = /etc/acmectl/acmectl.conf if present */

	/* proxy: what the proxy layer gets as struct proxy_flags (cli_proxy_flags) */
	const char *proxy;         /* --proxy URL */
	const char *proxy_auth_file;
	const char *no_proxy;      /* --no-proxy LIST */
	bool no_env_proxy;
	const char *proxy_rules;   /* "go" (default) or "curl" */

	/* account */
	const char *email;
	bool agree_tos;
	enum key_type account_key_type; /* default ec256 */
	const char *account_key;   /* --account-key FILE */
	const char *eab_kid;
	const char *eab_hmac_key;
	const char *eab_alg;       /* default HS256 */

	/* issue */
	const char *webroot;
	const char *standalone;    /* [ADDR:]PORT */
	const char *tls_alpn;      /* --tls-alpn [ADDR:]PORT: tls-alpn-01 instead of http-01 */
	enum key_type cert_key_type; /* default ec256 */
	bool cert_key_type_set;    /* --key-type given (issue) */
	const char *csr;
	const char *cert_name;     /* --name (issue) */
	bool force;
	const char *dns_hook;      /* --dns-hook PROG: dns-01 instead of http-01 */
	long dns_wait_s;           /* --dns-wait SECONDS */
	const char *dns_resolver;  /* --dns-resolver LIST, or the config file's */
	bool dns_wait_set;
	bool replace_names;        /* --replace-names: change a kept certificate's names */
	bool reuse_key;            /* --reuse-key: keep the private key across renewals */
	bool no_reuse_key;         /* --no-reuse-key: a new key each time again */
	bool dry_run;              /* --dry-run (issue, renew) */
	const char *dry_run_server; /* --dry-run-server URL, NULL: the staging counterpart */
	const char *preferred_chain;
	const char *profile;
	char **names;              /* positional NAMEs, NULL-terminated; array owned, strings borrowed */
	size_t nnames;

	/* renew (NAMEs in names/nnames: certificate names, all when none) */
	long days;                 /* --days N, -1 when not given */
	const char *deploy_hook;
	const char *pre_hook;
	const char *post_hook;
	long jitter_s;             /* --jitter SECONDS, 0 when not given */
	long parallel;             /* --parallel N (issue, renew), default 8 */
	long hook_timeout_s;       /* --hook-timeout SECONDS (issue, renew), 0 = no limit */
	long deadline_s;           /* --deadline SECONDS (issue, renew): one issuance's budget, default 300 */
	const char *metrics_file;  /* --metrics FILE (renew, list): a Prometheus textfile */

	/* revoke and delete (NAME in names[0]), account deactivate */
	const char *cert_file;     /* --cert FILE */
	const char *cert_key_file; /* --cert-key FILE */
	int revoke_reason;         /* --reason CODE (RFC 5280 CRLReason), -1 when not given */
	bool yes;                  /* --yes: no confirmation prompt */

	/* proxy explain */
	const char *url;           /* positional URL */

	/* diagnose (also uses email, account_key) */
	const char *account_url;   /* --account-url URL */
	const char *from_issuer;   /* --from-issuer FILE */
	const char *secret;        /* --secret FILE */
	const char *cm_version;    /* --cert-manager-version V, NULL = current */
	const char *cm_feature_gates; /* --cert-manager-feature-gates LIST, or NULL */
	const char *resolv_conf;   /* --resolv-conf FILE, default /etc/resolv.conf */
	const char *pid;           /* --pid PID: the view of that process (root) */
	const char *challenge;     /* --challenge FILE: a cert-manager Challenge */
	const char *certificate;   /* --certificate FILE: a cert-manager Certificate */
	const char *dns01_recursive; /* --dns01-recursive-nameservers LIST */
	bool dns01_recursive_only; /* --dns01-recursive-nameservers-only */
	long step_timeout_s;       /* diagnose: --timeout applies per network step, default 5 */
	bool diag_register;        /* diagnose --register: cert-manager's own account requests */
	const char *eab_secret;    /* diagnose --eab-secret FILE: the EAB MAC key's Secret */

	/* account export */
	bool cert_manager;         /* --cert-manager: the format written */
	const char *issuer_name;   /* --name, NULL: from the server's host */
	const char *namespace;     /* --namespace NS; default cert-manager for a ClusterIssuer */
	const char *issuer_kind;   /* --kind, "ClusterIssuer" (default) or "Issuer" */
	const char *solver_class;  /* --solver-class, default nginx */
	const char *output;        /* -o FILE, NULL: standard output */

	/* help: the command or group ("account") asked about, NULL for the
	 * whole --help text; static */
	const char *help_topic;

	/* strings read from the config file, owned (strv); freed by config_free */
	char **owned;

	/* set by conf.c */
	const char *proxy_source;    /* "FILE:LINE" when proxy came from the config file, else NULL */
	const char *no_proxy_source; /* "FILE:LINE" when no_proxy came from the config file, else NULL */
	const char *staging_servers; /* staging-servers = URL,... of the config file, or NULL */
};

/* Parses argv into cfg (which it zeroes first). Global options may stand
 * before or after the command words; a value is given as "--opt VALUE" or
 * "--opt=VALUE" (a separate VALUE that is itself an option name counts as
 * missing); "--" makes the rest positional. --help/-h and --version/-V win
 * wherever they stand (cmd CMD_HELP/CMD_VERSION, nothing else set but
 * help_topic: the command the words before or after them name, if any);
 * "help COMMAND" is refused with ERR_USAGE for an unknown COMMAND. For the
 * other commands the defaults are applied (server, timeouts, key types,
 * eab_alg, proxy_rules, state_dir) and names is allocated for issue (possibly
 * empty). Returns 0, or -1 with ERR_USAGE naming the bad option or value (or
 * the error of store_default_dir()). cfg must be released with config_free()
 * either way. */
int cli_parse(int argc, char **argv, struct config *cfg);

/* Frees what cfg owns (state_dir, names, owned); safe to call twice. */
void config_free(struct config *cfg);

/* The proxy settings of cfg (flags and config file) for the proxy layer;
 * the strings are borrowed from cfg. */
struct proxy_flags cli_proxy_flags(const struct config *cfg);

/* proxy_settings_read() with cli_proxy_flags(cfg), for the callers that
 * hold a whole struct config. Implemented in cmd_proxy.c. */
int proxy_settings_load(struct proxy_settings *s, const struct config *cfg);

/* Resolves a --server value: the name of a well-known CA (knownca.h:
 * "letsencrypt", "buypass-test", ...) or an https:// URL (returned as is). Returns a static or borrowed string, or NULL
 * with ERR_USAGE for anything else (e.g. an http:// URL). */
const char *cli_server_url(const char *value);

/* The i-th option the parser knows ("--server", "-v"), counting from 0, or
 * NULL past the last. Static string. */
const char *cli_option_name(size_t i);

/* True when command cmd accepts the option name (the global options are
 * accepted by every command). */
bool cli_option_accepts(const char *name, enum command cmd);

#endif
