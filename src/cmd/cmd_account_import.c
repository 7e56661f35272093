/* cmd_account_import.c - `acmectl account import --cert-manager`: the
 * account of a cert-manager ClusterIssuer (or Issuer) kept for its server,
 * as `account register` keeps one, so the host and the cluster share it
 * (an EAB-bound account, rate limits, one contact). The key comes from the
 * issuer's Secret; the URL is looked up with onlyReturnExisting, so nothing
 * is ever registered. The reverse of `account export`. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "k8s.h"
#include "log.h"
#include "session.h"
#include "util.h"

/* The server to import for: the issuer's spec.acme.server, which --server
 * may name too but not contradict. Returns it (borrowed from iss or cfg),
 * or NULL with ERR_USAGE. */
static const char *import_server(const struct config *cfg, const struct k8s_issuer *iss)
{
	const char *server;

	if (iss->server == NULL) {
		err_set(ERR_USAGE, "%s: the %s has no spec.acme.server", cfg->from_issuer,
		    iss->kind);
		return NULL;
	}
	if ((server = cli_server_url(iss->server)) == NULL) {
		err_prefix("%s: spec.acme.server", cfg->from_issuer);
		return NULL;
	}
	if (cfg->server_set && strcmp(cfg->server, server) != 0) {
		err_set(ERR_USAGE, "%s: the %s's server is %s, not --server %s",
		    cfg->from_issuer, iss->kind, server, cfg->server);
		return NULL;
	}
	return server;
}

/* Reads the account key from the issuer's Secret in cfg->secret, or in the
 * issuer's own file when the Secret is beside it (as account export writes
 * them). *source says where it came from (caller frees). Returns the key
 * (caller frees) or NULL with ERR_USAGE. */
static EVP_PKEY *secret_key(const struct config *cfg, const struct k8s_issuer *iss,
    char **source)
{
	const char *file = cfg->secret != NULL ? cfg->secret : cfg->from_issuer;
	EVP_PKEY *key;

	if (iss->key_secret_name == NULL) {
		err_set(ERR_USAGE, "%s: the %s has no spec.acme.privateKeySecretRef.name",
		    cfg->from_issuer, iss->kind);
		return NULL;
	}
	key = k8s_secret_key_load(file, iss->key_secret_name, iss->key_secret_key, NULL);
	if (key != NULL)
		*source = xasprintf("Secret %s (%s) in %s", iss->key_secret_name,
		    iss->key_secret_key, file);
	return key;
}

int cmd_account_import(const struct config *cfg)
{
	struct session_opts so = cmd_session_opts(cfg);
	struct k8s_issuer *iss;
	struct session s = { 0 };
	EVP_PKEY *key = NULL;
	char *source = NULL;
	json_t *out = NULL;
	int rc = -1;

	if ((iss = k8s_issuer_load(cfg->from_issuer)) == NULL ||
	    (so.server = import_server(cfg, iss)) == NULL ||
	    (key = secret_key(cfg, iss, &source)) == NULL)
		goto out;
	if (iss->ca_bundle_pem != NULL && cfg->ca_bundle == NULL)
		logmsg(LOG_NORMAL, "note: the %s trusts its spec.acme.caBundle for %s; "
		    "give it with --ca-bundle FILE when the system store does not",
		    iss->kind, so.server);
	if (session_open(&s, &so) != 0)
		goto out;
	rc = session_adopt_account(&s, key, source);
	key = NULL;
	if (rc != 0)
		goto out;
	if (cfg->json) {
		out = json_pack("{s:s,s:s,s:s}", "url", s.account_url,
		    "server", so.server, "key", source);
		json_print(out);
	} else if (!cfg->quiet) {
		printf("account imported: %s (server %s, key from %s)\n", s.account_url,
		    so.server, source);
	}
	session_log_stats(&s);
out:
	json_decref(out);
	EVP_PKEY_free(key);
	free(source);
	session_close(&s);
	k8s_issuer_free(iss);
	return rc;
}
