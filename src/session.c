/* session.c - HTTP + ACME clients and the stored account of one server. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "dircache.h"
#include "err.h"
#include "key.h"
#include "log.h"
#include "session.h"
#include "store.h"
#include "util.h"

int session_open_local(struct session *s, const struct session_opts *opts)
{
	memset(s, 0, sizeof(*s));
	s->opts = opts;
	if ((s->account_id = store_account_id(opts->server)) == NULL ||
	    store_check_account(opts->state_dir, s->account_id) == -1)
		return -1;
	s->account_dir = store_account_dir(opts->state_dir, s->account_id);
	return 0;
}

int session_open(struct session *s, const struct session_opts *opts)
{
	struct http_opts http = {
		.ca_bundle = opts->ca_bundle,
		.timeout_s = opts->timeout_s,
		.route = proxy_route_cb,
		.route_arg = &s->proxy,
		.user_agent = "acmectl/" PACKAGE_VERSION,
		.https_only = true,
	};

	if (session_open_local(s, opts) != 0 ||
	    proxy_settings_read(&s->proxy, &opts->proxy) != 0)
		return -1;
	if ((s->http = http_client_new(&http)) == NULL)
		return -1;
	s->acme = acme_new(s->http, opts->server);
	acme_set_parallel(s->acme, opts->parallel > 0 ? (size_t)opts->parallel : 1);
	return dircache_load(s->acme, opts->state_dir, opts->server);
}

void session_close(struct session *s)
{
	acme_free(s->acme);
	http_client_free(s->http);
	proxy_settings_clear(&s->proxy);
	EVP_PKEY_free(s->account_key);
	json_decref(s->account_json);
	free(s->account_url);
	free(s->account_id);
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
	    "directory", s->opts->server,
	    "contact", json_is_array(contact) ? json_incref(contact) : json_array(),
	    "created", created);
	path = store_account_file(s->opts->state_dir, s->account_id, STORE_ACCOUNT_JSON);
	rc = store_write_json(path, doc, 0644);
	json_decref(s->account_json);
	s->account_json = doc;
	free(path);
	return rc;
}

int session_set_account_member(struct session *s, const char *key, json_t *value)
{
	char *path = store_account_file(s->opts->state_dir, s->account_id, STORE_ACCOUNT_JSON);
	json_t *doc;
	int rc = -1;

	if (json_is_object(s->account_json))
		doc = json_deep_copy(s->account_json);
	else
		doc = json_pack("{s:s,s:s}", "url", s->account_url, "directory", s->opts->server);
	json_object_set_new(doc, key, value);
	if (store_write_json(path, doc, 0644) != 0)
		goto out;
	json_decref(s->account_json);
	s->account_json = json_incref(doc);
	rc = 0;
out:
	json_decref(doc);
	free(path);
	return rc;
}

/* Accounts are kept per host, so two directories of one host (a CA's
 * staging and production paths, step-ca's provisioners) would share one.
 * Refuses an account.json registered at another directory than
 * opts->server, so their accounts never mix. 0, or -1 with ERR_USAGE. */
static int check_directory(const struct session *s, const json_t *account_json)
{
	const char *dir = json_string_value(json_object_get(account_json, "directory"));

	if (dir == NULL || strcmp(dir, s->opts->server) == 0)
		return 0;
	err_set(ERR_USAGE, "the account kept in %s was registered at %s, not %s "
	    "(accounts are kept per host): give --server %s, or another --state-dir "
	    "for %s", s->account_dir, dir, s->opts->server, dir, s->opts->server);
	return -1;
}

/* account.json of this server as stored, or NULL when there is none or it
 * is unreadable (which counts as none). Caller json_decref()s. */
static json_t *read_account_json(const struct session *s)
{
	char *path = store_account_file(s->opts->state_dir, s->account_id, STORE_ACCOUNT_JSON);
	char *text;
	json_t *doc = NULL;
	size_t len;

	if ((text = store_read_file(path, &len)) != NULL)
		doc = json_loadb(text, len, 0, NULL);
	err_clear();
	free(text);
	free(path);
	return doc;
}

/* The account key kept for this server, in *out (NULL when none is kept).
 * 0, or -1 with err set for an unreadable or unusable key.pem. */
static int read_kept_key(const struct session *s, EVP_PKEY **out)
{
	char *path = store_account_file(s->opts->state_dir, s->account_id, STORE_ACCOUNT_KEY);
	char *text;
	size_t len;
	int rc = 0;

	*out = NULL;
	if ((text = store_read_file(path, &len)) != NULL) {
		*out = key_from_pem(text, len, path);
		OPENSSL_cleanse(text, len);
		rc = *out != NULL ? 0 : -1;
	} else if (errno == ENOENT) {
		err_clear();
	} else {
		rc = -1;
	}
	free(text);
	free(path);
	return rc;
}

/* Refuses key when another account key is kept for this server (source
 * names where key came from); *kept says whether key itself is kept. 0, or
 * -1 with err set. */
static int check_kept_key(const struct session *s, EVP_PKEY *key, const char *source,
    bool *kept)
{
	EVP_PKEY *stored;
	int rc = 0;

	if (read_kept_key(s, &stored) != 0)
		return -1;
	*kept = stored != NULL;
	if (stored != NULL && EVP_PKEY_eq(key, stored) != 1) {
		err_set(ERR_USAGE, "%s/key.pem already holds a different account key for "
		    "%s; remove it first to use %s", s->account_dir, s->opts->server, source);
		rc = -1;
	}
	EVP_PKEY_free(stored);
	return rc;
}

/* Keeps key as this server's account key.pem, mode 0600. 0 or -1 with err. */
static int write_key(const struct session *s, EVP_PKEY *key)
{
	char *path = store_account_file(s->opts->state_dir, s->account_id, STORE_ACCOUNT_KEY);
	char *pem;
	size_t len = 0;
	int rc = -1;

	if ((pem = key_to_pem(key, &len)) != NULL &&
	    store_mkdirs(s->account_dir, 0700) == 0 &&
	    store_write_atomic(path, pem, len, 0600) == 0)
		rc = 0;
	/* the account directory may be new: the directory can be kept now */
	if (rc == 0 && s->acme != NULL)
		acme_directory_fetched_again(s->acme);
	key_pem_free(pem, len);
	free(path);
	return rc;
}

int session_read_account(struct session *s, bool must_exist)
{
	const char *url;

	if (read_kept_key(s, &s->account_key) != 0)
		return -1;
	if (s->account_key == NULL) {
		if (!must_exist)
			return 0;
		err_set(ERR_USAGE, "no account for %s in %s: run 'acmectl account "
		    "register --email ADDR --agree-tos' first", s->opts->server,
		    s->opts->state_dir);
		return -1;
	}
	s->account_json = read_account_json(s);
	if (check_directory(s, s->account_json) != 0)
		return -1;
	url = json_string_value(json_object_get(s->account_json, "url"));
	if (url != NULL)
		s->account_url = xstrdup(url);
	return 0;
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

/* Loads key_file, or the stored key, or generates and stores a new key
 * (written before the server sees it, so a registered key is never lost).
 * Returns the key (caller frees) or NULL with err. */
static EVP_PKEY *account_key(struct session *s, const char *key_file, enum key_type type)
{
	EVP_PKEY *key;
	bool kept;

	if (key_file == NULL) {
		if (read_kept_key(s, &key) != 0 || key != NULL)
			return key;
		key = key_generate(type);
	} else {
		key = key_load_file(key_file);
	}
	if (key == NULL || check_kept_key(s, key, key_file != NULL ? key_file : "a new key",
	    &kept) != 0 || (!kept && write_key(s, key) != 0)) {
		EVP_PKEY_free(key);
		return NULL;
	}
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

int session_adopt_account(struct session *s, EVP_PKEY *key, const char *source)
{
	json_t *account = NULL, *stored = read_account_json(s);
	bool kept;
	int rc = -1;

	s->account_key = key;
	if (check_directory(s, stored) != 0 || check_kept_key(s, key, source, &kept) != 0)
		goto out;
	free(s->account_url);
	s->account_url = NULL;
	if (account_lookup(s->acme, key, &s->account_url, &account) != 0) {
		err_prefix("%s", source);
		goto out;
	}
	if (!kept && write_key(s, key) != 0)
		goto out;
	rc = save_account_json(s, json_object_get(account, "contact"));
out:
	json_decref(stored);
	json_decref(account);
	return rc;
}

/* The remembered settings' keys, in the order account show prints them. */
static const char *const connection_keys[] = {
	"ca_bundle", "proxy", "no_proxy", "proxy_auth_file", "no_env_proxy",
};
#define NCONNECTION (nitems(connection_keys))

/* Reads path into *doc (NULL when there is no such file). 0, or -1 with
 * ERR_STORAGE. */
static int read_connection(const char *path, json_t **doc)
{
	json_error_t jerr;
	char *text;
	size_t len, i;
	json_t *v;

	*doc = NULL;
	if ((text = store_read_file(path, &len)) == NULL) {
		if (errno != ENOENT)
			return -1;
		err_clear();
		return 0;
	}
	*doc = json_loadb(text, len, 0, &jerr);
	free(text);
	if (!json_is_object(*doc)) {
		err_set(ERR_STORAGE, "cannot parse %s: %s", path,
		    *doc == NULL ? jerr.text : "not a JSON object");
		goto bad;
	}
	for (i = 0; i < NCONNECTION; i++) {
		v = json_object_get(*doc, connection_keys[i]);
		if (v != NULL && (i + 1 == NCONNECTION ? !json_is_boolean(v) : !json_is_string(v))) {
			err_set(ERR_STORAGE, "cannot use %s: \"%s\" has the wrong type", path,
			    connection_keys[i]);
			goto bad;
		}
	}
	return 0;
bad:
	json_decref(*doc);
	*doc = NULL;
	return -1;
}

/* True when the run says anything about proxies: a flag, the config
 * file, or a proxy variable of the environment. */
static bool names_a_proxy(const struct session_opts *opts)
{
	static const char *const vars[] = {
		"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy",
		"ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy",
	};
	const char *v;

	if (opts->proxy.proxy != NULL || opts->proxy.no_proxy != NULL ||
	    opts->proxy.no_env_proxy || opts->proxy.auth_file != NULL)
		return true;
	for (size_t i = 0; i < nitems(vars); i++)
		if ((v = getenv(vars[i])) != NULL && v[0] != '\0')
			return true;
	return false;
}

/* Takes the remembered proxy settings of kept (read from source). */
static void recall_proxy(struct proxy_flags *f, json_t *kept, const char *source)
{
	const char *v;

	if ((v = json_string_value(json_object_get(kept, "proxy"))) != NULL) {
		f->proxy = v;
		f->proxy_source = source;
	}
	if ((v = json_string_value(json_object_get(kept, "no_proxy"))) != NULL) {
		f->no_proxy = v;
		f->no_proxy_source = source;
	}
	f->auth_file = json_string_value(json_object_get(kept, "proxy_auth_file"));
	f->no_env_proxy = json_is_true(json_object_get(kept, "no_env_proxy"));
}

int session_recall_connection(struct session_opts *opts, json_t **kept)
{
	char *path = store_connection_path(opts->state_dir, opts->server);
	const char *v, *source;
	int rc = -1;

	*kept = NULL;
	if (path == NULL || read_connection(path, kept) != 0)
		goto out;
	rc = 0;
	if (*kept == NULL)
		goto out;
	/* where a recalled proxy came from, as a config file's "FILE:LINE" */
	json_object_set_new(*kept, "source", json_string(path));
	source = json_string_value(json_object_get(*kept, "source"));
	if (opts->ca_bundle == NULL && (v = json_string_value(json_object_get(*kept, "ca_bundle")))) {
		opts->ca_bundle = v;
		opts->ca_bundle_source = source;
	}
	if (!names_a_proxy(opts))
		recall_proxy(&opts->proxy, *kept, source);
out:
	free(path);
	return rc;
}

/* An absolute form of a path given relative to the working directory,
 * which an unattended run does not share. */
static json_t *absolute(const char *path)
{
	char abs[PATH_MAX];

	return json_string(realpath(path, abs) != NULL ? abs : path);
}

int session_remember_connection(const struct session_opts *opts)
{
	char *path = store_connection_path(opts->state_dir, opts->server), *dir = NULL;
	json_t *kept = NULL, *doc = NULL;
	int rc = -1;

	if (path == NULL || read_connection(path, &kept) != 0)
		goto out;
	doc = kept != NULL ? json_deep_copy(kept) : json_object();
	if (opts->ca_bundle != NULL && opts->ca_bundle_source == NULL)
		json_object_set_new(doc, "ca_bundle", absolute(opts->ca_bundle));
	if (opts->proxy.proxy != NULL && opts->proxy.proxy_source == NULL)
		json_object_set_new(doc, "proxy", json_string(opts->proxy.proxy));
	if (opts->proxy.no_proxy != NULL && opts->proxy.no_proxy_source == NULL)
		json_object_set_new(doc, "no_proxy", json_string(opts->proxy.no_proxy));
	if (opts->proxy.auth_file != NULL)
		json_object_set_new(doc, "proxy_auth_file", absolute(opts->proxy.auth_file));
	if (opts->proxy.no_env_proxy)
		json_object_set_new(doc, "no_env_proxy", json_true());
	rc = 0;
	if ((kept == NULL && json_object_size(doc) == 0) || json_equal(doc, kept))
		goto out;
	dir = xstrndup(path, (size_t)(strrchr(path, '/') - path));
	rc = store_mkdirs(dir, 0700) == 0 && store_write_json(path, doc, 0600) == 0 ? 0 : -1;
out:
	json_decref(kept);
	json_decref(doc);
	free(dir);
	free(path);
	return rc;
}

json_t *session_connection(const struct session_opts *opts)
{
	char *path = store_connection_path(opts->state_dir, opts->server);
	json_t *doc = NULL;

	if (path == NULL || read_connection(path, &doc) != 0)
		err_clear();
	free(path);
	return doc;
}
