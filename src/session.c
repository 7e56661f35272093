/* session.c - HTTP + ACME clients and the stored account of one server. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "err.h"
#include "key.h"
#include "log.h"
#include "session.h"
#include "store.h"
#include "util.h"

int session_open_local(struct session *s, const struct config *cfg)
{
	char *id;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	if ((id = store_account_id(cfg->server)) == NULL)
		return -1;
	s->account_dir = xasprintf("%s/accounts/%s", cfg->state_dir, id);
	free(id);
	return 0;
}

int session_open(struct session *s, const struct config *cfg)
{
	struct http_opts opts = {
		.ca_bundle = cfg->ca_bundle,
		.timeout_s = cfg->timeout_s,
		.route = proxy_route_cb,
		.route_arg = &s->proxy,
		.user_agent = "acmectl/" PACKAGE_VERSION,
		.https_only = true,
	};

	if (session_open_local(s, cfg) != 0 ||
	    proxy_settings_load(&s->proxy, cfg) != 0)
		return -1;
	if ((s->http = http_client_new(&opts)) == NULL)
		return -1;
	s->acme = acme_new(s->http, cfg->server);
	acme_set_parallel(s->acme, cfg->parallel > 0 ? (size_t)cfg->parallel : 1);
	return acme_load_directory(s->acme);
}

void session_close(struct session *s)
{
	acme_free(s->acme);
	http_client_free(s->http);
	proxy_settings_clear(&s->proxy);
	EVP_PKEY_free(s->account_key);
	json_decref(s->account_json);
	free(s->account_url);
	free(s->account_dir);
	memset(s, 0, sizeof(*s));
}

void session_log_stats(const struct session *s)
{
	if (s->http != NULL)
		logmsg(LOG_VERBOSE, "connections: %ld, requests: %ld",
		    http_connects(s->http), http_requests(s->http));
}

/* Writes account.json for the current account. 0 or -1 with err. */
static int save_account_json(struct session *s, json_t *contact)
{
	char created[32], *path;
	time_t now = time(NULL);
	struct tm tm;
	json_t *doc;
	int rc;

	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	doc = json_pack("{s:s,s:s,s:o,s:s}", "url", s->account_url,
	    "directory", s->cfg->server,
	    "contact", json_is_array(contact) ? json_incref(contact) : json_array(),
	    "created", created);
	path = xasprintf("%s/account.json", s->account_dir);
	rc = store_write_json(path, doc, 0644);
	json_decref(s->account_json);
	s->account_json = doc;
	free(path);
	return rc;
}

/* Accounts are kept per host, so two directories of one host (a CA's
 * staging and production paths, step-ca's provisioners) would share one.
 * Refuses an account.json registered at another directory than
 * cfg->server, so their accounts never mix. 0, or -1 with ERR_USAGE. */
static int check_directory(const struct session *s, const json_t *account_json)
{
	const char *dir = json_string_value(json_object_get(account_json, "directory"));

	if (dir == NULL || strcmp(dir, s->cfg->server) == 0)
		return 0;
	err_set(ERR_USAGE, "the account kept in %s was registered at %s, not %s "
	    "(accounts are kept per host): give --server %s, or another --state-dir "
	    "for %s", s->account_dir, dir, s->cfg->server, dir, s->cfg->server);
	return -1;
}

/* account.json of this server as stored, or NULL when there is none or it
 * is unreadable (which counts as none). Caller json_decref()s. */
static json_t *read_account_json(const struct session *s)
{
	char *path = xasprintf("%s/account.json", s->account_dir), *text;
	json_t *doc = NULL;
	size_t len;

	if ((text = store_read_file(path, &len)) != NULL)
		doc = json_loadb(text, len, 0, NULL);
	err_clear();
	free(text);
	free(path);
	return doc;
}

int session_read_account(struct session *s, bool must_exist)
{
	char *key_path = xasprintf("%s/key.pem", s->account_dir);
	const char *url;
	char *text = NULL;
	size_t len;
	int rc = -1;

	if ((text = store_read_file(key_path, &len)) == NULL) {
		if (errno == ENOENT && !must_exist) {
			err_clear();
			rc = 0;
		} else if (errno == ENOENT) {
			err_set(ERR_USAGE, "no account for %s in %s: run 'acmectl account "
			    "register --email ADDR --agree-tos' first", s->cfg->server,
			    s->cfg->state_dir);
		}
		goto out;
	}
	s->account_key = key_from_pem(text, len, key_path);
	OPENSSL_cleanse(text, len);
	if (s->account_key == NULL)
		goto out;
	s->account_json = read_account_json(s);
	if (check_directory(s, s->account_json) != 0)
		goto out;
	url = json_string_value(json_object_get(s->account_json, "url"));
	if (url != NULL)
		s->account_url = xstrdup(url);
	rc = 0;
out:
	free(text);
	free(key_path);
	return rc;
}

int session_load_account(struct session *s, bool must_exist)
{
	json_t *account = NULL;
	int rc = -1;

	if (session_read_account(s, must_exist) != 0)
		return -1;
	if (s->account_key == NULL)
		return 0;
	if (s->account_url != NULL) {
		acme_set_account(s->acme, s->account_key, s->account_url);
		return 0;
	}
	if (account_lookup(s->acme, s->account_key, &s->account_url, &account) != 0)
		goto out;
	rc = save_account_json(s, json_object_get(account, "contact"));
out:
	json_decref(account);
	return rc;
}

/* Loads key_file, or the stored key, or generates and stores a new key.
 * Returns the key (caller frees) or NULL with err. */
static EVP_PKEY *account_key(struct session *s, const char *key_file, enum key_type type)
{
	char *key_path = xasprintf("%s/key.pem", s->account_dir);
	EVP_PKEY *key = NULL, *stored = NULL;
	char *pem = NULL, *text = NULL;
	size_t len = 0, tlen = 0;

	if ((text = store_read_file(key_path, &tlen)) != NULL) {
		stored = key_from_pem(text, tlen, key_path);
		OPENSSL_cleanse(text, tlen);
		if (stored == NULL)
			goto out;
	} else if (errno != ENOENT) {
		goto out;
	}
	err_clear();
	if (key_file != NULL) {
		if ((key = key_load_file(key_file)) == NULL)
			goto out;
		if (stored != NULL && EVP_PKEY_eq(key, stored) != 1) {
			err_set(ERR_USAGE, "%s already holds a different account key for %s; "
			    "remove it first to use %s", key_path, s->cfg->server, key_file);
			EVP_PKEY_free(key);
			key = NULL;
			goto out;
		}
	} else if (stored != NULL) {
		key = stored;
		stored = NULL;
		goto out;
	} else if ((key = key_generate(type)) == NULL) {
		goto out;
	}
	if (stored == NULL) {
		if ((pem = key_to_pem(key, &len)) == NULL ||
		    store_mkdirs(s->account_dir, 0700) != 0 ||
		    store_write_atomic(key_path, pem, len, 0600) != 0) {
			EVP_PKEY_free(key);
			key = NULL;
		}
	}
out:
	key_pem_free(pem, len);
	free(text);
	EVP_PKEY_free(stored);
	free(key_path);
	return key;
}

int session_register(struct session *s, const char *key_file, enum key_type key_type,
    const char *email, const char *eab_kid, const char *eab_hmac_key, const char *eab_alg)
{
	struct eab eab = { .kid = eab_kid, .hmac_key_b64url = eab_hmac_key, .alg = eab_alg };
	json_t *account = NULL, *stored = read_account_json(s);
	int rc = -1;

	if (check_directory(s, stored) != 0 ||
	    (s->account_key = account_key(s, key_file, key_type)) == NULL)
		goto out;
	free(s->account_url);
	s->account_url = NULL;
	if (account_register(s->acme, s->account_key, email, &eab, &s->account_url, &account) != 0)
		goto out;
	rc = save_account_json(s, json_object_get(account, "contact"));
out:
	json_decref(stored);
	json_decref(account);
	return rc;
}
