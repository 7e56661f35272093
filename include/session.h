/* session.h - what every command that talks to an ACME server sets up: the
 * HTTP client (with the proxy route), the ACME client and the stored account
 * of that server. */
#ifndef ACMECTL_SESSION_H
#define ACMECTL_SESSION_H

#include <stdbool.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "acme.h"
#include "http.h"
#include "key.h"
#include "proxy.h"

/* What a session needs of a run, filled by the command layer. All strings
 * borrowed; they must outlive the session. */
struct session_opts {
	const char *server;           /* the ACME directory URL */
	const char *state_dir;
	const char *ca_bundle;        /* --ca-bundle FILE; NULL: the system trust store */
	const char *ca_bundle_source; /* "FILE:LINE" (config file) or the remembered
	                               * settings' path when not given on the command line */
	long timeout_s;               /* per request */
	long parallel;                /* requests side by side; below 1 means 1 */
	long deadline_s;              /* one issuance's budget (issue_run) */
	struct proxy_flags proxy;     /* decides each request's route */
};

struct session {
	const struct session_opts *opts; /* borrowed */
	struct http_client *http;
	struct acme *acme;
	char *account_id;          /* store_account_id(opts->server) */
	char *account_dir;         /* STATE/accounts/<id>, for messages */
	EVP_PKEY *account_key;     /* NULL until loaded */
	char *account_url;         /* NULL until known */
	json_t *account_json;      /* account.json as stored, or NULL */
	struct proxy_settings proxy; /* decides each request's route */
};

/* Creates the HTTP and ACME clients for opts->server and loads the
 * directory (the one kept in the state when fresh: dircache_load). opts is
 * borrowed for the life of s. 0, or -1 with err set; session_close() is
 * safe either way. */
int session_open(struct session *s, const struct session_opts *opts);

/* Sets s up for opts->server without any network, for commands that only
 * read the state: opts and account_dir; http and acme stay NULL. 0, or -1
 * with ERR_USAGE (a server URL without a usable host) or ERR_STORAGE (the
 * state or the account directory is not trusted: store_check_account);
 * session_close() is safe either way. */
int session_open_local(struct session *s, const struct session_opts *opts);

/* Reads the stored account of this server from the state directory, with
 * no request: key.pem into account_key, account.json into account_json and
 * its "url" into account_url (left NULL when not stored; an unreadable
 * account.json counts as none). With must_exist false and no key.pem,
 * returns 0 leaving account_key NULL; with must_exist true that is
 * ERR_USAGE "no account for SERVER in STATE: run 'acmectl account register
 * ...' first". -1 with err set for an unreadable or unusable key, and with
 * ERR_USAGE for an account registered at another directory of the same
 * host (accounts are kept per host; they must never mix). */
int session_read_account(struct session *s, bool must_exist);

/* Loads the stored account of this server (key.pem and account.json) into s.
 * When it has no stored URL, finds it with onlyReturnExisting. With
 * must_exist false and no key.pem stored, returns 0 leaving account_key NULL.
 * -1 with err set otherwise. */
int session_load_account(struct session *s, bool must_exist);

/* Rewrites account.json with member key set to value (stolen), keeping the
 * rest, and makes it s->account_json; builds the record anew when none was
 * stored. 0 or -1 with err. */
int session_set_account_member(struct session *s, const char *key, json_t *value);

/* Registers an account for this server: the key from key_file, else the
 * stored key.pem, else a new key of type key_type (saved 0600 before the
 * server sees it, so a registered key is never lost). Writes account.json.
 * 0 or -1 with err set; ERR_USAGE, before anything is written, when the
 * account kept for this host was registered at another directory. */
int session_register(struct session *s, const char *key_file, enum key_type key_type,
    const char *email, const char *eab_kid, const char *eab_hmac_key, const char *eab_alg);

/* Keeps key (stolen: s owns it from here on) as the account key of this
 * server when an account is registered for it there: looks its URL up
 * with onlyReturnExisting (it never registers one), then writes key.pem
 * (0600) and account.json. Refused before any request (ERR_USAGE) when a
 * different key is kept for this server (source names where key came
 * from) or the account kept here was registered at another directory.
 * ERR_ACME accountDoesNotExist when the key has no account there. 0 or
 * -1 with err set. */
int session_adopt_account(struct session *s, EVP_PKEY *key, const char *source);

/* The connection settings remembered per server, for unattended runs:
 * ca_bundle (an absolute path), proxy, no_proxy, proxy_auth_file and
 * no_env_proxy, kept in STATE/accounts/<id>/connection.json (0600: a proxy
 * URL may hold credentials). */

/* Fills opts's CA bundle, when neither a flag nor the config file gave
 * one, from the one remembered for opts->server; and its proxy settings
 * from the remembered ones when the run names no proxy at all (no flag,
 * no config key, no proxy variable in the environment): they are for
 * unattended runs, and never override what a run says. *kept receives the
 * document opts's strings now borrow from (NULL when nothing is remembered;
 * caller json_decref()s it once opts is no longer used). 0, or -1 with
 * ERR_STORAGE naming the file when it cannot be read or parsed, or holds
 * a value of the wrong type. */
int session_recall_connection(struct session_opts *opts, json_t **kept);

/* Remembers the settings of opts that were given on the command line (not
 * read from the config file or recalled) for opts->server, when they change
 * what is kept. 0 or -1 with err. */
int session_remember_connection(const struct session_opts *opts);

/* The settings remembered for opts->server, as stored (caller
 * json_decref()s), or NULL when none are, or they cannot be read (err
 * cleared). */
json_t *session_connection(const struct session_opts *opts);

/* Frees everything s holds. */
void session_close(struct session *s);

/* At -v, logs how many connections and requests the session used. */
void session_log_stats(const struct session *s);

#endif
