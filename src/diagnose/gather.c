/* gather.c - `acmectl diagnose`: reads the local inputs (Issuer, Secret,
 * key, resolv.conf, proxy settings), runs the config and route steps, then
 * the network steps of netsteps.c and acmesteps.c, and prints the report.
 * It never creates an account or places an order.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "diagnose_int.h"
#include "err.h"
#include "key.h"
#include "store.h"
#include "util.h"

/* Keeps s until the run ends and returns it. */
const char *diag_keep(struct run *r, char *s)
{
	if (s == NULL)
		return NULL;
	r->kept = xrealloc(r->kept, (r->nkept + 1) * sizeof(*r->kept));
	r->kept[r->nkept++] = s;
	return s;
}

/* The absolute deadline of step: --timeout, or what is left of
 * cert-manager's sync deadline when that is less. */
long long diag_step_deadline(struct run *r, enum diag_step step, bool *sync_limited)
{
	long long left = r->dl.sync_ms - diag_total_cm_ms(&r->f, step);
	long long budget = r->f.step_timeout_ms;

	*sync_limited = left < budget;
	if (*sync_limited)
		budget = left > 0 ? left : 0;
	return mono_ms() + budget;
}

/* Splits an https:// or http:// URL into host (brackets removed), port
 * (443 or 80 by default), authority (host[:port] as written) and path ("/"
 * when none). False when url is neither with a usable host and port. */
bool diag_split_url(const char *url, char **host, int *port, char **authority, char **path)
{
	const char *p, *end, *hend, *colon = NULL, *at;
	bool plain = url != NULL && strncasecmp(url, "http://", 7) == 0;
	char *e;
	long n;

	*host = *authority = *path = NULL;
	if (url == NULL || (!plain && strncasecmp(url, "https://", 8) != 0))
		return false;
	p = url + (plain ? 7 : 8);
	end = p + strcspn(p, "/?#");
	for (at = end; at > p && at[-1] != '@'; at--)
		;
	if (at > p)
		p = at;
	if (*p == '[') {
		if ((hend = memchr(p, ']', (size_t)(end - p))) == NULL)
			return false;
		*host = xstrndup(p + 1, (size_t)(hend - p - 1));
		if (hend + 1 < end && hend[1] == ':')
			colon = hend + 1;
		else if (hend + 1 != end)
			goto bad;
	} else {
		colon = memchr(p, ':', (size_t)(end - p));
		*host = xstrndup(p, (size_t)((colon ? colon : end) - p));
	}
	*port = plain ? 80 : 443;
	if (colon != NULL && colon + 1 < end) {
		n = strtol(colon + 1, &e, 10);
		if (e != end || n < 1 || n > 65535)
			goto bad;
		*port = (int)n;
	}
	if ((*host)[0] == '\0')
		goto bad;
	*authority = xstrndup(p, (size_t)(end - p));
	/* the request target: path and query, never the fragment */
	if (*end == '/')
		*path = xstrndup(end, strcspn(end, "#"));
	else if (*end == '?')
		*path = xasprintf("/%.*s", (int)strcspn(end, "#"), end);
	else
		*path = xstrdup("/");
	return true;
bad:
	free(*host);
	*host = NULL;
	return false;
}

/* Decodes %XX escapes. Caller wipes and frees. */
static char *pct_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out, hex[3] = { 0 };

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			hex[0] = s[i + 1];
			hex[1] = s[i + 2];
			*o++ = (char)strtol(hex, NULL, 16);
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

/* "RSA 2048", "EC P-256". Caller frees. */
static char *key_description(EVP_PKEY *key)
{
	char group[64];
	size_t glen = 0;

	if (EVP_PKEY_is_a(key, "RSA"))
		return xasprintf("RSA %d", EVP_PKEY_get_bits(key));
	if (EVP_PKEY_is_a(key, "EC") && EVP_PKEY_get_group_name(key, group,
	    sizeof(group), &glen) == 1)
		return xasprintf("EC %s", strcmp(group, "prime256v1") == 0 ? "P-256" :
		    strcmp(group, "secp384r1") == 0 ? "P-384" : group);
	return xstrdup(EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) :
	    "unknown");
}

/* Any private key in PEM text, as cert-manager would parse it (no type or
 * size check: cert-manager's own checks are modelled); NULL when OpenSSL
 * cannot read it. Never prompts for a passphrase. */
static EVP_PKEY *any_key_from_pem(const unsigned char *pem, size_t len)
{
	BIO *bio = len <= INT_MAX ? BIO_new_mem_buf(pem, (int)len) : NULL;
	EVP_PKEY *key = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"") :
	    NULL;

	BIO_free(bio);
	ERR_clear_error();
	return key;
}

/* The account key Secret name is not in --secret's file, taken for the
 * Issuer's namespace: with disableAccountKeyGeneration cert-manager stops
 * there; else it generates an RSA 2048 key (a new account) and clears
 * status.acme.uri, and so does the run. 0, or -1 with err set. */
static int secret_absent(struct run *r, const char *name)
{
	struct diag_facts *f = &r->f;

	err_clear();
	f->key_secret_name = diag_keep(r, xstrdup(name != NULL ? name : ""));
	if (r->iss->disable_account_key_generation) {
		f->key_secret_missing = diag_keep(r, cm_err_secret_not_found(name));
		return 0;
	}
	if ((r->key = key_generate(KEY_RSA2048)) == NULL)
		return -1;
	r->key_for_cm = true;
	f->key_generated = true;
	f->key_source = diag_keep(r, xasprintf("a new key, as cert-manager generates when "
	    "the Secret %s is missing (it is not in %s)", f->key_secret_name, r->cfg->secret));
	return 0;
}

/* The external account binding's MAC key from --eab-secret, read as
 * cert-manager reads it; what it cannot read becomes its prediction. 0, or
 * -1 with ERR_USAGE. */
static int load_eab_key(struct run *r)
{
	const struct diagnose_opts *cfg = r->cfg;
	struct diag_facts *f = &r->f;
	struct k8s_secret_value val;
	char *why = NULL;

	if (cfg->eab_secret != NULL && (r->iss == NULL || r->iss->eab_key_id == NULL)) {
		err_set(ERR_USAGE, "--eab-secret needs --from-issuer with an Issuer that sets "
		    "spec.acme.externalAccountBinding");
		return -1;
	}
	if (r->iss == NULL || r->iss->eab_key_id == NULL)
		return 0;
	f->eab_secret_name = r->iss->eab_secret_name != NULL ? r->iss->eab_secret_name : "";
	f->eab_secret_key = r->iss->eab_secret_key != NULL ? r->iss->eab_secret_key : "";
	if (cfg->eab_secret == NULL) {
		if (cfg->diag_register) {
			err_set(ERR_USAGE, "--register needs --eab-secret: the Issuer binds the "
			    "account with the MAC key of Secret %s", f->eab_secret_name);
			return -1;
		}
		return 0;
	}
	if (k8s_secret_load(cfg->eab_secret, f->eab_secret_name, f->eab_secret_key, &val) != 0) {
		if (val.missing == K8S_SECRET_ABSENT)
			why = cm_err_secret_not_found(f->eab_secret_name);
		else if (val.missing == K8S_SECRET_KEY_ABSENT)
			why = cm_err_eab_key_missing(f->eab_secret_name, f->eab_secret_key);
		else
			return -1;
		err_clear();
	} else {
		why = cm_eab_key_decode(val.data, val.len, &r->eab_key, &r->eab_key_len);
		k8s_secret_value_clear(&val);
	}
	f->eab_invalid = diag_keep(r, why);
	f->eab_key_known = why == NULL;
	return 0;
}

/* The namespace and name cert-manager names in its error about the Secret
 * called name (the first Secret when NULL) in path: the Secret's own
 * namespace, else the Issuer's, else the cluster resource namespace the
 * chart sets for a ClusterIssuer. Both borrowed from the run. */
static void secret_meta(struct run *r, const char *path, const char *name,
    const char **ns, const char **sname)
{
	json_t *objs = k8s_objects_load(path), *obj, *meta;
	const char *kind, *oname;
	size_t i;

	*ns = NULL;
	*sname = name;
	json_array_foreach(objs, i, obj) {
		meta = json_object_get(obj, "metadata");
		kind = json_string_value(json_object_get(obj, "kind"));
		oname = json_string_value(json_object_get(meta, "name"));
		if (kind == NULL || strcmp(kind, "Secret") != 0 ||
		    (name != NULL && (oname == NULL || strcmp(oname, name) != 0)))
			continue;
		if (json_is_string(json_object_get(meta, "namespace")))
			*ns = diag_keep(r, xstrdup(json_string_value(json_object_get(meta,
			    "namespace"))));
		if (name == NULL && oname != NULL)
			*sname = diag_keep(r, xstrdup(oname));
		break;
	}
	json_decref(objs);
	err_clear();
	if (*ns == NULL)
		*ns = r->iss != NULL && r->iss->namespace != NULL ? r->iss->namespace :
		    "cert-manager";
	if (*sname == NULL)
		*sname = "";
}

/* The account key from the Secret (--secret): key data cert-manager cannot
 * read, a Secret without the data key, or a key it rejects becomes its
 * prediction, not an error. 0, or -1 with ERR_USAGE when the file holds no
 * such Secret (and no Issuer says what cert-manager does then). */
static int load_secret_key(struct run *r, const char *name, const char *data_key)
{
	struct diag_facts *f = &r->f;
	struct k8s_secret_value val;
	const char *ns, *sname;
	char *why, *what;

	if (k8s_secret_load(r->cfg->secret, name, data_key, &val) != 0) {
		if (r->iss != NULL && val.missing == K8S_SECRET_ABSENT)
			return secret_absent(r, name);
		if (val.missing != K8S_SECRET_KEY_ABSENT)
			return -1;
		/* the Secret is there: cert-manager finds no data under the key */
		err_clear();
		secret_meta(r, r->cfg->secret, name, &ns, &sname);
		r->key_for_cm = true;
		f->key_source = diag_keep(r, xasprintf("Secret %s (%s) in %s", sname, data_key,
		    r->cfg->secret));
		f->key_secret_name = sname;
		f->key_invalid = diag_keep(r, cm_err_key_data_missing(data_key, ns, sname));
		return 0;
	}
	r->key_for_cm = true;
	f->key_source = diag_keep(r, xasprintf("Secret %s (%s) in %s", val.name ? val.name :
	    "?", data_key, r->cfg->secret));
	f->key_secret_name = diag_keep(r, xstrdup(name ? name : val.name ? val.name : ""));
	if ((why = cm_key_data_error(&f->cm, (const char *)val.data, val.len)) != NULL) {
		f->key_invalid = diag_keep(r, why);
	} else if ((r->key = any_key_from_pem(val.data, val.len)) == NULL) {
		/* a block of a type cert-manager parses whose DER OpenSSL cannot
		 * read: cert-manager says "Account private key is invalid: error
		 * parsing rsa private key: <x509 or asn1 error>", and that error
		 * is Go's DER parser's account of the first byte it stumbled on
		 * (e.g. "asn1: structure error: tags don't match (2 vs ...)"),
		 * which only Go's parser can reproduce: bad input, exit 2 */
		what = xasprintf("%s: data key \"%s\"", r->cfg->secret, data_key);
		EVP_PKEY_free(key_from_pem((const char *)val.data, val.len, what));
		free(what);
		k8s_secret_value_clear(&val);
		return -1;
	}
	k8s_secret_value_clear(&val);
	return 0;
}

/* The account key: --account-key, --secret, or (without an Issuer) the
 * state directory's account for the server. 0, or -1 with ERR_USAGE. */
static int load_key(struct run *r, const char *server)
{
	const struct diagnose_opts *cfg = r->cfg;
	const char *name = r->iss ? r->iss->key_secret_name : NULL;
	const char *data_key = r->iss && r->iss->key_secret_key ? r->iss->key_secret_key :
	    "tls.key";
	char *id, *path, *text;
	json_t *account;
	size_t len;

	if (cfg->account_key != NULL && cfg->secret != NULL) {
		err_set(ERR_USAGE, "give either --account-key or --secret, not both");
		return -1;
	}
	if (cfg->account_key != NULL) {
		if ((r->key = key_load_file(cfg->account_key)) == NULL)
			return -1;
		r->key_for_cm = true;
		r->f.key_source = diag_keep(r, xasprintf("--account-key %s", cfg->account_key));
		return 0;
	}
	if (cfg->secret != NULL)
		return load_secret_key(r, name, data_key);
	if (r->iss != NULL || (id = store_account_id(server)) == NULL) {
		err_clear();
		return 0;
	}
	path = store_account_file(cfg->state_dir, id, STORE_ACCOUNT_KEY);
	if ((text = store_read_file(path, &len)) != NULL) {
		r->key = key_from_pem(text, len, path);
		OPENSSL_cleanse(text, len);
		free(text);
		r->f.key_source = diag_keep(r, xstrdup(path));
	}
	free(path);
	err_clear();
	path = store_account_file(cfg->state_dir, id, STORE_ACCOUNT_JSON);
	if (r->key != NULL && (text = store_read_file(path, &len)) != NULL) {
		account = json_loadb(text, len, 0, NULL);
		if (json_is_string(json_object_get(account, "url"))) {
			r->f.known_account_url = diag_keep(r, xstrdup(json_string_value(
			    json_object_get(account, "url"))));
			r->f.known_account_source = diag_keep(r, xstrdup(path));
		}
		json_decref(account);
		free(text);
	}
	err_clear();
	free(path);
	free(id);
	return 0;
}

/* --pid: reads the process's view and picks the modelled version: the
 * one its command line names, unless --cert-manager-version is given. 0,
 * or -1 with ERR_USAGE. */
static int pod_read(struct run *r, const char **version)
{
	char *note;

	if (r->cfg->resolv_conf != NULL) {
		err_set(ERR_USAGE, "give either --pid or --resolv-conf, not both: --pid takes "
		    "the process's resolv.conf");
		return -1;
	}
	if (podview_read(r->cfg->pid, &r->pv) == -1)
		return -1;
	*version = podview_cm_version(&r->pv, r->cfg->cm_version, &note);
	free(note);
	r->f.view = diag_keep(r, podview_describe(&r->pv, r->cfg->cm_version));
	return 0;
}

/* Reads every local input. 0, or -1 with ERR_USAGE/ERR_STORAGE: bad input,
 * no report. */
static int gather_inputs(struct run *r)
{
	const struct diagnose_opts *cfg = r->cfg;
	struct diag_facts *f = &r->f;
	const char *server = cfg->server, *resolv = cfg->resolv_conf;
	const char *version = cfg->cm_version;
	bool system;
	char *what;

	if (cfg->pid != NULL && pod_read(r, &version) == -1)
		return -1;
	if (cm_version_parse(version, &f->cm) == -1)
		return -1;
	cm_deadlines(&f->cm, &r->dl);
	f->step_timeout_ms = cfg->step_timeout_s * 1000;
	f->now = (long long)time(NULL);
	if (cfg->from_issuer != NULL &&
	    (r->iss = k8s_issuer_load(cfg->from_issuer)) == NULL)
		return -1;
	f->server_source = "--server";
	if (!cfg->server_set && r->iss != NULL) {
		server = r->iss->server;
		f->server_source = diag_keep(r, xasprintf("%s %s in %s", r->iss->kind ?
		    r->iss->kind : "Issuer", r->iss->name ? r->iss->name : "?",
		    cfg->from_issuer));
	} else if (!cfg->server_set) {
		f->server_source = "the default server";
	}
	f->server = server != NULL ? server : "";
	if (load_key(r, f->server) == -1 || load_eab_key(r) == -1)
		return -1;
	f->register_sent = cfg->diag_register;
	f->email = cfg->email != NULL ? cfg->email : r->iss != NULL ? r->iss->email : NULL;
	if (r->iss != NULL) {
		f->registered_email = r->iss->last_registered_email;
		f->issuer_ready = (struct cm_condition){ r->iss->ready.status,
		    r->iss->ready.reason, r->iss->ready.message };
		/* a generated key clears it: that account is not this key's */
		f->status_uri = f->key_generated ? NULL : r->iss->status_uri;
		f->key_generation_disabled = r->iss->disable_account_key_generation;
		f->eab_configured = r->iss->eab_key_id != NULL;
		if (r->iss->ready.status != NULL)
			f->issuer_condition = diag_keep(r, xasprintf("%s%s%s%s%s", r->iss->ready.status,
			    r->iss->ready.reason ? " " : "", r->iss->ready.reason ?
			    r->iss->ready.reason : "", r->iss->ready.message ? ": " : "",
			    r->iss->ready.message ? r->iss->ready.message : ""));
	}
	if (cfg->account_url != NULL) {
		f->known_account_url = cfg->account_url;
		f->known_account_source = "--account-url";
	} else if (r->iss != NULL && r->iss->status_uri != NULL && !f->key_generated) {
		f->known_account_url = r->iss->status_uri;
		f->known_account_source = "status.acme.uri";
	}
	/* cert-manager trusts only caBundle when set; --ca-bundle adds to it */
	f->skip_tls_verify = r->iss != NULL && r->iss->skip_tls_verify;
	/* releases before v1.11.0 have no caBundle: the API server drops it */
	system = r->iss == NULL || r->iss->ca_bundle_pem == NULL || !cm_has_ca_bundle(&f->cm);
	f->ca_bundle_ignored = r->iss != NULL && r->iss->ca_bundle_pem != NULL &&
	    !cm_has_ca_bundle(&f->cm);
	what = xasprintf("caBundle of %s", cfg->from_issuer ? cfg->from_issuer : "?");
	r->tls_ctx = probe_tls_ctx_new(system, cfg->ca_bundle, system ? NULL :
	    r->iss->ca_bundle_pem, system ? 0 : r->iss->ca_bundle_len, what);
	free(what);
	if (r->tls_ctx == NULL)
		return -1;
	/* Go 1.18 raised its client's minimum from TLS 1.0 to 1.2 */
	probe_tls_ctx_offer(r->tls_ctx, cm_offers_tls10(&f->cm));
	f->trust_issuer_bundle = !system;
	f->trust = diag_keep(r, xasprintf("%s%s%s", system ? "the system store" :
	    "the Issuer's caBundle", cfg->ca_bundle ? " + --ca-bundle " : "",
	    cfg->ca_bundle ? cfg->ca_bundle : ""));
	/* the files given are read: from here on, the process's view */
	if (cfg->pid != NULL) {
		if (podview_enter(&r->pv) == -1)
			return -1;
		r->rconf = r->pv.rconf;
		resolv_parse(NULL, &r->pv.rconf);
	} else {
		if (resolv == NULL)
			resolv = "/etc/resolv.conf";
		if (resolv_load(resolv, &r->rconf) == -1) {
			if (cfg->resolv_conf != NULL)
				return -1;
			err_clear();
		}
	}
	r->rconf_loaded = true;
	if (proxy_settings_read(&r->ps, &cfg->proxy) == -1)
		return -1;
	if (cfg->pid != NULL)
		proxy_settings_use_env(&r->ps, r->pv.env);
	return 0;
}

/* The config step. Returns false when nothing can be probed. */
static bool step_config(struct run *r)
{
	struct diag_facts *f = &r->f;
	long long start = mono_ms();
	const char *rejected;
	char *hash, *why = NULL;
	bool rsa;

	if (r->key != NULL) {
		f->key_desc = diag_keep(r, key_description(r->key));
		rsa = key_is_rsa(r->key);
		if (!rsa && r->key_for_cm)
			f->config = DCONF_KEY_NOT_RSA;
		f->key_not_rsa = !rsa && !r->key_for_cm;
		if (rsa && r->iss != NULL && r->iss->last_private_key_hash != NULL &&
		    (hash = cm_key_hash(r->key)) != NULL) {
			f->key_hash_changed = strcmp(hash, r->iss->last_private_key_hash) != 0;
			f->key_hash_matches = !f->key_hash_changed;
			free(hash);
		}
		err_clear();
	}
	if (f->key_invalid != NULL)
		f->config = DCONF_KEY_INVALID;
	if (f->key_secret_missing != NULL)
		f->config = DCONF_KEY_SECRET_MISSING;
	if (cm_v1_replacement(f->server) != NULL)
		f->config = DCONF_V1_SERVER;
	/* url.Parse runs after the key checks, on the server, then the account URI */
	if (f->config == DCONF_OK && (why = cm_url_parse_error(f->server)) != NULL) {
		f->invalid_url_what = "server";
		f->invalid_url_value = f->server;
	} else if (f->config == DCONF_OK && f->status_uri != NULL &&
	    (why = cm_url_parse_error(f->status_uri)) != NULL) {
		f->invalid_url_what = "account";
		f->invalid_url_value = f->status_uri;
	}
	if (why != NULL) {
		f->config = DCONF_INVALID_URL;
		f->invalid_url = diag_keep(r, why);
	}
	if (r->iss != NULL && (rejected = cm_webhook_refusal(&f->cm,
	    r->iss->ca_bundle_pem != NULL, r->iss->skip_tls_verify, f->server)) != NULL) {
		f->config = DCONF_REJECTED;
		f->config_problem = rejected;
	} else if (f->server[0] == '\0') {
		f->config = DCONF_INVALID;
		f->config_problem = "no server: give --server or --from-issuer";
	} else if (f->config != DCONF_INVALID_URL &&
	    !diag_split_url(f->server, &r->host, &r->port, &r->authority, &r->path)) {
		f->config = DCONF_INVALID;
		f->config_problem = diag_keep(r, xasprintf("the server \"%s\" is not an https:// "
		    "or http:// URL with a host", f->server));
	}
	/* cert-manager uses an http:// server as it is: no TLS */
	f->plain_http = r->host != NULL && strncasecmp(f->server, "http://", 7) == 0;
	/* the MAC key is read after the skip test, only to register */
	if (f->config == DCONF_OK && f->eab_invalid != NULL && !diag_cm_skips(f))
		f->config = DCONF_EAB_INVALID;
	f->host = r->host;
	f->port = r->port;
	f->ms[DIAG_CONFIG] = mono_ms() - start;
	/* cert-manager goes no further either; a non-RSA key it rejects can
	 * still be looked up at the server */
	return r->host != NULL && (f->config == DCONF_OK || f->config == DCONF_KEY_NOT_RSA);
}

/* The route step. Returns false when no request would be made, or -1 with
 * ERR_USAGE for a proxy diagnose cannot speak. */
static int step_route(struct run *r)
{
	struct diag_facts *f = &r->f;
	enum proxy_rules rules;
	const char *p, *at, *hp, *end, *colon;
	long long start = mono_ms();

	if (r->ps.rules == PROXY_RULES_CURL)
		rules = PROXY_RULES_CURL;
	else
		rules = cm_https_uses_http_proxy(&f->cm) ? PROXY_RULES_GO115 : PROXY_RULES_GO;
	f->rules = proxy_rules_name(rules);
	if (proxy_decide(f->server, &r->ps, rules, &r->route) == -1 ||
	    proxy_warnings(f->server, &r->ps, &r->warnings, &r->nwarnings) == -1)
		return -1;
	f->warnings = r->warnings;
	f->nwarnings = r->nwarnings;
	f->route_reason = r->route.reason;
	f->proxy_source = r->route.source;
	if (r->cfg->pid != NULL && f->proxy_source != NULL &&
	    r->ps.getenv(r->ps.getenv_arg, f->proxy_source) != NULL)
		f->proxy_source = diag_keep(r, xasprintf("%s in pid %d's environment",
		    f->proxy_source, r->pv.pid));
	f->ms[DIAG_ROUTE] = mono_ms() - start;
	switch (r->route.kind) {
	case PROXY_DIRECT:
		f->route = DROUTE_DIRECT;
		f->no_proxy_matched = r->route.cause == PROXY_CAUSE_NO_PROXY;
		return 1;
	case PROXY_REFUSED:
		f->route = DROUTE_REFUSED;
		return 0;
	case PROXY_VIA:
		break;
	}
	/* Go sends an http:// request to the proxy itself, no CONNECT */
	f->proxy_forward = f->plain_http;
	f->route = DROUTE_PROXY;
	f->proxy_shown = r->route.proxy_shown;
	p = r->route.proxy;
	f->proxy_tls = strncasecmp(p, "https://", 8) == 0;
	if (strncasecmp(p, "http://", 7) != 0 && !f->proxy_tls) {
		err_set(ERR_USAGE, "diagnose probes only http:// and https:// proxies; the "
		    "route goes via %s", r->route.proxy_shown);
		return -1;
	}
	/* proxy_decide() built it as SCHEME://[USERINFO@]HOST:PORT with the
	 * userinfo percent-encoded, so the last '@' ends it */
	p += f->proxy_tls ? 8 : 7;
	hp = p;
	if ((at = strrchr(p, '@')) != NULL) {
		r->proxy_credentials = pct_decode(p, (size_t)(at - p));
		hp = at + 1;
	}
	end = hp + strcspn(hp, "/?#");
	if (*hp == '[') {
		colon = memchr(hp, ']', (size_t)(end - hp));
		f->proxy_host = diag_keep(r, xstrndup(hp + 1, colon ? (size_t)(colon - hp - 1) : 0));
		colon = colon ? strchr(colon, ':') : NULL;
	} else {
		colon = memchr(hp, ':', (size_t)(end - hp));
		f->proxy_host = diag_keep(r, xstrndup(hp, (size_t)((colon ? colon : end) - hp)));
	}
	f->proxy_port = colon != NULL && colon < end ? atoi(colon + 1) : f->proxy_tls ? 443 : 80;
	return 1;
}

/* Runs the steps in order, each only when the one before let it. */
static int run_steps(struct run *r)
{
	int route;

	if (!step_config(r))
		return 0;
	if ((route = step_route(r)) <= 0)
		return route;
	diag_step_dns(r);
	if (r->naddrs == 0 || !diag_step_tcp(r))
		return 0;
	if (r->f.route == DROUTE_PROXY && !diag_step_proxy(r))
		return 0;
	if (r->f.plain_http) {
		r->conn = r->below;
		r->below = NULL;
		r->conn_authority = xstrdup(r->authority);
	} else if (!diag_step_tls(r)) {
		return 0;
	}
	if (!diag_step_http(r) || !diag_step_nonce(r))
		return 0;
	diag_step_account(r);
	return 0;
}

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->nkept; i++)
		free(r->kept[i]);
	free(r->kept);
	k8s_issuer_free(r->iss);
	EVP_PKEY_free(r->key);
	proxy_warnings_free(r->warnings, r->nwarnings);
	proxy_route_clear(&r->route);
	proxy_settings_clear(&r->ps);
	if (r->proxy_credentials != NULL) {
		OPENSSL_cleanse(r->proxy_credentials, strlen(r->proxy_credentials));
		free(r->proxy_credentials);
	}
	if (r->rconf_loaded)
		resolv_conf_free(&r->rconf);
	podview_clear(&r->pv);
	probe_tls_ctx_free(r->tls_ctx);
	free(r->host);
	free(r->authority);
	free(r->path);
	free(r->addrs);
	free(r->conns);
	probe_conn_close(r->below);
	probe_tls_clear(&r->proxy_tls);
	probe_tls_clear(&r->tls);
	probe_tls_clear(&r->tls_go118);
	probe_conn_close(r->conn);
	free(r->conn_authority);
	free(r->nonce);
	json_decref(r->dir);
	if (r->eab_key != NULL) {
		OPENSSL_cleanse(r->eab_key, r->eab_key_len);
		free(r->eab_key);
	}
}

int diagnose_run(const struct diagnose_opts *cfg)
{
	char *json = NULL, *text = NULL;
	const char *verdict;
	int rc = -1;

	if (diag_account(cfg, &json, &text, &verdict) != 0)
		return -1;
	if (cfg->json)
		printf("%s\n", json);
	else
		fputs(text, stdout);
	if (strcmp(verdict, "ok") == 0)
		rc = 0;
	else
		err_set(ERR_ACME, "diagnose: %s", verdict);
	free(json);
	free(text);
	return rc;
}

int diag_account(const struct diagnose_opts *cfg, char **json, char **text,
    const char **verdict)
{
	struct diag_report report;
	struct run r;
	size_t len;
	FILE *fp;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	memset(&report, 0, sizeof(report));
	r.cfg = cfg;
	/* a peer closing mid-write must be a result, not a death */
	signal(SIGPIPE, SIG_IGN);
	if (gather_inputs(&r) == -1 || run_steps(&r) == -1)
		goto out;
	diag_conclude(&r.f, &report);
	if ((fp = open_memstream(text, &len)) == NULL) {
		err_set(ERR_STORAGE, "diagnose: cannot buffer the account report");
		goto out;
	}
	diag_report_print(fp, &report);
	fclose(fp);
	*json = diag_report_json(&report);
	*verdict = diag_verdict_name(report.verdict);
	rc = 0;
out:
	diag_report_free(&report);
	run_free(&r);
	return rc;
}
