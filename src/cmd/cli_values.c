/* cli_values.c - each option's VALUE, checked and stored in struct config:
 * the setters of cli.c's option table (cli_int.h). Pure, like cli.c. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "cli_int.h"
#include "err.h"
#include "hooks.h"
#include "key.h"
#include "knownca.h"
#include "proxy.h"
#include "staging.h"
#include "store.h"
#include "util.h"

int opt_str(struct config *cfg, const struct optspec *spec, const char *value)
{
	*(const char **)((char *)cfg + spec->field) = value;
	return 0;
}

int opt_flag(struct config *cfg, const struct optspec *spec, const char *value)
{
	(void)value;
	*(bool *)((char *)cfg + spec->field) = true;
	return 0;
}

int opt_server(struct config *cfg, const struct optspec *spec, const char *value)
{
	(void)spec;
	if ((cfg->server = cli_server_url(value)) == NULL)
		return -1;
	cfg->server_set = true;
	return 0;
}

int opt_staging(struct config *cfg, const struct optspec *spec, const char *value)
{
	(void)spec;
	(void)value;
	cfg->server = LETSENCRYPT_STAGING_URL;
	cfg->server_set = true;
	return 0;
}

int opt_state_dir(struct config *cfg, const struct optspec *spec, const char *value)
{
	(void)spec;
	free(cfg->state_dir);
	cfg->state_dir = xstrdup(value);
	return 0;
}

int opt_timeout(struct config *cfg, const struct optspec *spec, const char *value)
{
	size_t len = strlen(value);

	(void)spec;
	/* digits only, short enough that strtol cannot overflow */
	if (len == 0 || len > 6 || strspn(value, "0123456789") != len ||
	    (cfg->timeout_s = strtol(value, NULL, 10)) < 1 ||
	    cfg->timeout_s > MAX_TIMEOUT_S) {
		err_set(ERR_USAGE, "--timeout must be a whole number of seconds "
		    "from 1 to %d (got \"%s\")", MAX_TIMEOUT_S, value);
		return -1;
	}
	cfg->timeout_set = true;
	return 0;
}

int opt_verbose(struct config *cfg, const struct optspec *spec, const char *value)
{
	(void)spec;
	(void)value;
	cfg->verbosity++;
	return 0;
}

int opt_proxy_rules(struct config *cfg, const struct optspec *spec, const char *value)
{
	(void)spec;
	if (strcmp(value, "go") != 0 && strcmp(value, "curl") != 0) {
		err_set(ERR_USAGE, "--proxy-rules must be go or curl (got \"%s\")", value);
		return -1;
	}
	cfg->proxy_rules = value;
	return 0;
}

/* The account key for account register, the certificate key for issue. */
int opt_key_type(struct config *cfg, const struct optspec *spec, const char *value)
{
	enum key_type *type = cfg->cmd == CMD_ISSUE ?
	    &cfg->cert_key_type : &cfg->account_key_type;

	if (key_type_parse(value, type) == -1) {
		err_prefix("%s", spec->name);
		return -1;
	}
	cfg->cert_key_type_set = cfg->cmd == CMD_ISSUE;
	return 0;
}

int opt_eab_alg(struct config *cfg, const struct optspec *spec, const char *value)
{
	(void)spec;
	if (strcmp(value, "HS256") != 0 && strcmp(value, "HS384") != 0 &&
	    strcmp(value, "HS512") != 0) {
		err_set(ERR_USAGE, "--eab-alg must be HS256, HS384 or HS512 "
		    "(got \"%s\")", value);
		return -1;
	}
	cfg->eab_alg = value;
	return 0;
}

/* Checks the proxy URL now, so a typo is a usage error that never echoes
 * the credentials. */
int opt_proxy(struct config *cfg, const struct optspec *spec, const char *value)
{
	(void)spec;
	if (value[0] != '\0' && proxy_url_check(value) != 0) {
		err_prefix("--proxy");
		return -1;
	}
	cfg->proxy = value;
	return 0;
}

int opt_dns_wait(struct config *cfg, const struct optspec *spec, const char *value)
{
	size_t len = strlen(value);

	(void)spec;
	if (len == 0 || len > 4 || strspn(value, "0123456789") != len) {
		err_set(ERR_USAGE, "--dns-wait must be a whole number of seconds "
		    "from 0 to 9999 (got \"%s\")", value);
		return -1;
	}
	cfg->dns_wait_s = strtol(value, NULL, 10);
	cfg->dns_wait_set = true;
	return 0;
}

/* --days, --jitter, --parallel, --hook-timeout, --deadline: whole numbers
 * within each one's range. */
int opt_number(struct config *cfg, const struct optspec *spec, const char *value)
{
	static const struct {
		const char *name;
		long min, max;
		size_t field;
	} ranges[] = {
		{ "--days", 0, 3650, offsetof(struct config, days) },
		{ "--jitter", 0, 86400, offsetof(struct config, jitter_s) },
		{ "--parallel", 1, 64, offsetof(struct config, parallel) },
		{ "--hook-timeout", 0, MAX_TIMEOUT_S, offsetof(struct config, hook_timeout_s) },
		{ "--deadline", 1, MAX_TIMEOUT_S, offsetof(struct config, deadline_s) },
	};
	size_t i, len = strlen(value);
	long n;

	for (i = 0; strcmp(ranges[i].name, spec->name) != 0; i++)
		;
	n = len > 0 && len <= 6 && strspn(value, "0123456789") == len ?
	    strtol(value, NULL, 10) : -1;
	if (n < ranges[i].min || n > ranges[i].max) {
		err_set(ERR_USAGE, "%s must be a whole number from %ld to %ld (got \"%s\")",
		    spec->name, ranges[i].min, ranges[i].max, value);
		return -1;
	}
	*(long *)((char *)cfg + ranges[i].field) = n;
	return 0;
}

/* RFC 5280 CRLReason by number or name; 7 is unused in the RFC. */
int opt_reason(struct config *cfg, const struct optspec *spec, const char *value)
{
	static const char *const names[] = {
		"unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
		"superseded", "cessationOfOperation", "certificateHold", NULL,
		"removeFromCRL", "privilegeWithdrawn", "aACompromise",
	};
	size_t i;

	(void)spec;
	for (i = 0; i < nitems(names); i++) {
		char num[4];

		snprintf(num, sizeof(num), "%zu", i);
		if (names[i] != NULL &&
		    (strcasecmp(value, names[i]) == 0 || strcmp(value, num) == 0)) {
			cfg->revoke_reason = (int)i;
			return 0;
		}
	}
	err_set(ERR_USAGE, "--reason must be an RFC 5280 reason code 0-6 or 8-10 or its "
	    "name, e.g. keyCompromise or superseded (got \"%s\")", value);
	return -1;
}

/* The certificate's name for issue, the issuer's for account export. */
int opt_name(struct config *cfg, const struct optspec *spec, const char *value)
{
	(void)spec;
	if (cfg->cmd == CMD_ISSUE)
		cfg->cert_name = value;
	else
		cfg->issuer_name = value;
	return 0;
}

int opt_kind(struct config *cfg, const struct optspec *spec, const char *value)
{
	(void)spec;
	/* the API server knows kinds by their exact spelling */
	if (strcasecmp(value, "ClusterIssuer") == 0)
		cfg->issuer_kind = "ClusterIssuer";
	else if (strcasecmp(value, "Issuer") == 0)
		cfg->issuer_kind = "Issuer";
	else {
		err_set(ERR_USAGE, "--kind must be ClusterIssuer or Issuer (got \"%s\")", value);
		return -1;
	}
	return 0;
}

/* --standalone, --tls-alpn: only the shape, [ADDR:]PORT ending in digits;
 * the responder checks the rest when it listens. A name here is certbot's
 * "--standalone -d NAME". */
int opt_listen_addr(struct config *cfg, const struct optspec *spec, const char *value)
{
	const char *colon = strrchr(value, ':');
	const char *port = colon != NULL ? colon + 1 : value;
	bool tls = strcmp(spec->name, "--tls-alpn") == 0;
	char *shown;

	if (port[0] == '\0' || strspn(port, "0123456789") != strlen(port)) {
		shown = str_printable(value);
		err_set(ERR_USAGE, "%s takes [ADDR:]PORT, not \"%s\"; the names are "
		    "arguments (acmectl issue %s %s example.org)", spec->name, shown,
		    spec->name, tls ? "443" : "80");
		free(shown);
		return -1;
	}
	*(const char **)((char *)cfg + spec->field) = value;
	return 0;
}

int opt_dry_run_server(struct config *cfg, const struct optspec *spec, const char *value)
{
	(void)spec;
	if ((cfg->dry_run_server = cli_server_url(value)) == NULL) {
		err_set(ERR_USAGE, "--dry-run-server must be an https:// URL or one of %s "
		    "(got \"%s\")", known_ca_names(), value);
		return -1;
	}
	return 0;
}
