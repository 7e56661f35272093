/* cmd_account_export.c - `acmectl account export --cert-manager`: the
 * account kept for the server, written as the Secret and the ACME
 * ClusterIssuer (or Issuer) that let cert-manager use it instead of
 * registering a new one. Reads the state directory only: no request. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "err.h"
#include "fileio.h"
#include "k8s.h"
#include "key.h"
#include "log.h"
#include "session.h"
#include "store.h"
#include "util.h"

/* cert-manager's documentation names account key Secrets this way. */
#define SECRET_SUFFIX "-account-key"

/* A CA bundle is kilobytes; this only bounds a mistaken file. */
#define CA_BUNDLE_MAX ((size_t)4 * 1024 * 1024)

/* The issuer name when --name is absent: the server's host[_port] as the
 * state names its account directory, with what an object name cannot hold
 * turned into '-' and trimmed from both ends. NULL with err. Caller frees. */
static char *default_name(const char *server)
{
	char *id, *p, *start, *end;

	if ((id = store_account_id(server)) == NULL)
		return NULL;
	for (p = id; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.'))
			*p = '-';
	for (start = id; *start == '-' || *start == '.'; start++)
		;
	for (end = start + strlen(start); end > start && (end[-1] == '-' || end[-1] == '.'); end--)
		;
	p = xstrndup(start, (size_t)(end - start));
	free(id);
	return p;
}

/* The address of the first "mailto:" contact of account.json, or NULL;
 * borrowed. *ncontacts is the number of contacts (cert-manager keeps one). */
static const char *contact_email(json_t *account, size_t *ncontacts)
{
	json_t *contact = json_object_get(account, "contact"), *c;
	const char *first = NULL, *v;
	size_t i;

	*ncontacts = json_array_size(contact);
	json_array_foreach(contact, i, c) {
		v = json_string_value(c);
		if (first == NULL && v != NULL && strncasecmp(v, "mailto:", 7) == 0)
			first = v + 7;
	}
	return first;
}

/* Refuses an account cert-manager could not use at the server: no URL
 * known, deactivated, or a key that is not RSA (one registered at another
 * directory of the same host session_read_account refuses). 0 or -1 with
 * ERR_USAGE. */
static int check_account(const struct session *s)
{
	const char *status = json_string_value(json_object_get(s->account_json, "status"));

	if (s->account_url == NULL) {
		err_set(ERR_USAGE, "no account URL is stored in %s/account.json: run "
		    "'acmectl account show' once to look it up", s->account_dir);
		return -1;
	}
	if (status != NULL && strcmp(status, "deactivated") == 0) {
		err_set(ERR_USAGE, "the account %s is deactivated: cert-manager could not "
		    "use it", s->account_url);
		return -1;
	}
	if (!key_is_rsa(s->account_key)) {
		err_set(ERR_USAGE, "the account key of %s is %s, but cert-manager accepts "
		    "only RSA account keys (\"ACME private key ... is not of type RSA\"): "
		    "switch it first with 'acmectl account rollover --key-type rsa2048'",
		    s->account_url, EVP_PKEY_get0_type_name(s->account_key));
		return -1;
	}
	return 0;
}

/* Reads the CA bundle for spec.acme.caBundle. NULL with ERR_USAGE. */
static char *read_ca_bundle(const char *path, size_t *len)
{
	char *text;

	if ((text = file_read(path, CA_BUNDLE_MAX, ERR_USAGE, len)) == NULL) {
		err_prefix("CA bundle");
		return NULL;
	}
	if (strstr(text, "-----BEGIN CERTIFICATE-----") == NULL) {
		err_set(ERR_USAGE, "CA bundle %s: no PEM certificate found", path);
		free(text);
		return NULL;
	}
	return text;
}

/* Writes the manifest to -o FILE (a new file, 0600) or standard output. */
static int write_manifest(const struct config *cfg, const char *text, size_t len)
{
	if (cfg->output == NULL) {
		/* past stdio, whose buffer could not be wiped */
		if (write_full(STDOUT_FILENO, text, len) == -1) {
			err_set(ERR_STORAGE, "writing standard output: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (store_write_new(cfg->output, text, len, 0600) == -1) {
		if (errno == EEXIST)
			err_set(ERR_USAGE, "%s already exists: acmectl does not overwrite "
			    "it (remove it or choose another -o FILE)", cfg->output);
		return -1;
	}
	return 0;
}

int cmd_account_export(const struct config *cfg)
{
	struct session_opts so = cmd_session_opts(cfg);
	struct k8s_account_export e = {
		.kind = cfg->issuer_kind,
		.namespace = cfg->namespace,
		.server = cfg->server,
		.solver_class = cfg->solver_class,
	};
	struct session s;
	char *name = NULL, *secret = NULL, *pem = NULL, *text = NULL, *ca = NULL;
	size_t pem_len = 0, text_len = 0, ca_len = 0, ncontacts;
	json_t *out = NULL;
	int rc = -1;

	if (session_open_local(&s, &so) != 0 || session_read_account(&s, true) != 0 ||
	    check_account(&s) != 0)
		goto out;
	if (cfg->issuer_name != NULL)
		name = xstrdup(cfg->issuer_name);
	else if ((name = default_name(cfg->server)) == NULL)
		goto out;
	secret = xasprintf("%s" SECRET_SUFFIX, name);
	if (cfg->ca_bundle != NULL &&
	    (ca = read_ca_bundle(cfg->ca_bundle, &ca_len)) == NULL)
		goto out;
	if ((pem = key_to_rsa_pem(s.account_key, &pem_len)) == NULL)
		goto out;
	e.name = name;
	e.secret_name = secret;
	e.email = contact_email(s.account_json, &ncontacts);
	e.account_url = s.account_url;
	e.key_pem = pem;
	e.key_pem_len = pem_len;
	e.ca_bundle = ca;
	e.ca_bundle_len = ca_len;
	if ((text = k8s_account_manifest(&e, &text_len)) == NULL ||
	    write_manifest(cfg, text, text_len) != 0)
		goto out;
	if (ncontacts > (e.email != NULL ? 1u : 0u))
		logmsg(LOG_NORMAL, "note: the account has %zu contacts, spec.acme.email "
		    "only %s; cert-manager may replace the contacts with it", ncontacts,
		    e.email != NULL ? e.email : "none");
	if (ca != NULL)
		logmsg(LOG_NORMAL, "note: spec.acme.caBundle holds %s; cert-manager "
		    "trusts only it for %s", cfg->ca_bundle, cfg->server);
	if (cfg->output != NULL && cfg->json) {
		out = json_pack("{s:s,s:s,s:s,s:s?,s:s,s:s,s:s}", "file", cfg->output,
		    "kind", e.kind, "name", name, "namespace", e.namespace,
		    "secret", secret, "server", cfg->server, "url", s.account_url);
		json_print(out);
	} else if (cfg->output != NULL && !cfg->quiet) {
		printf("wrote %s: Secret %s%s%s and %s %s for the account %s\n",
		    cfg->output, e.namespace ? e.namespace : "", e.namespace ? "/" : "",
		    secret, e.kind, name, s.account_url);
	}
	rc = 0;
out:
	json_decref(out);
	key_pem_free(text, text_len);
	key_pem_free(pem, pem_len);
	free(ca);
	free(name);
	free(secret);
	session_close(&s);
	return rc;
}
