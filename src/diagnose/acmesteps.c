/* acmesteps.c - the http, nonce and account steps: GET the directory,
 * HEAD newNonce, POST newAccount with onlyReturnExisting (nothing is
 * created) or, with --register, cert-manager's own requests, over the
 * connection the tls step made or a new one on the same route.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/x509_vfy.h>

#include "diagnose_int.h"
#include "err.h"
#include "jws.h"
#include "util.h"

#define BAD_NONCE_RETRIES 5    /* as cert-manager's ACME client: 6 attempts */
#define MAX_REDIRECTS 10       /* as Go's http.Client */

/* TLS with host over under (taken over) for a request after the steps,
 * where the certificate must pass Go's checks; what is "" or "proxy ".
 * Returns the connection, or NULL with *error (caller frees). */
static struct probe_conn *tls_again(struct run *r, struct probe_conn *under,
    const char *host, const char *what, long long deadline, char **error)
{
	struct probe_tls tls;
	struct probe_conn *c = probe_tls_run(under, host, r->tls_ctx, deadline, &tls);

	if (c != NULL && !r->f.skip_tls_verify &&
	    (tls.name_mismatch || tls.chain_error != X509_V_OK)) {
		*error = xasprintf("the certificate of %s%s does not verify", what, host);
		probe_conn_close(c);
		c = NULL;
	} else if (c == NULL) {
		*error = xasprintf("TLS with %s%s: %s", what, host, tls.error ? tls.error :
		    "failed");
	}
	probe_tls_clear(&tls);
	return c;
}

/* A connection to the host:port of url (another one than the server's,
 * or the same after the server closed it), over the same route; *path gets
 * url's path. NULL with *error (caller frees) when none could be made. */
static struct probe_conn *conn_for(struct run *r, const char *url, long long deadline,
    char **path, char **error)
{
	struct probe_addr *addrs = NULL, lit;
	struct probe_connect *pc = NULL;
	struct probe_lookup l;
	struct probe_tunnel t;
	struct probe_conn *c = NULL;
	char *host = NULL, *authority = NULL, *target = NULL;
	const char *name;
	size_t n = 0, i;
	int port, cport, fd = -1;

	*error = NULL;
	memset(&l, 0, sizeof(l));
	if (!diag_split_url(url, &host, &port, &authority, path)) {
		*error = xasprintf("\"%s\" is not an https:// or http:// URL", url);
		return NULL;
	}
	if (r->f.proxy_forward && strncasecmp(url, "https://", 8) == 0) {
		/* that would be a CONNECT through HTTPS_PROXY's proxy */
		*error = xasprintf("%s is https://: diagnose follows an http:// server through "
		    "the proxy only to http:// URLs", url);
		goto out;
	}
	/* a proxy takes every http:// URL on one connection */
	if (r->conn != NULL && (r->f.proxy_forward || strcmp(authority, r->conn_authority) == 0)) {
		c = r->conn;
		free(r->conn_authority);
		r->conn_authority = xstrdup(authority);
		goto out;
	}
	probe_conn_close(r->conn);
	r->conn = NULL;
	name = r->f.route == DROUTE_PROXY ? r->f.proxy_host : host;
	cport = r->f.route == DROUTE_PROXY ? r->f.proxy_port : port;
	if (probe_addr_literal(name, cport, &lit)) {
		addrs = xmalloc(sizeof(*addrs));
		addrs[0] = lit;
		n = 1;
	} else if ((n = probe_hosts_lookup("/etc/hosts", name, cport, &addrs)) == 0) {
		probe_lookup_run(name, cport, deadline, &l);
		addrs = l.addrs;
		n = l.naddrs;
		l.addrs = NULL;
	}
	pc = xcalloc(n > 0 ? n : 1, sizeof(*pc));
	probe_connect_all(addrs, n, deadline, pc);
	for (i = 0; i < n; i++) {
		if (pc[i].fd >= 0 && fd == -1)
			fd = pc[i].fd;
		else if (pc[i].fd >= 0)
			close(pc[i].fd);
	}
	if (fd == -1) {
		*error = xasprintf("cannot connect to %s again", name);
		goto out;
	}
	c = probe_conn_new(fd);
	if (r->f.route == DROUTE_PROXY) {
		target = diag_host_port(host, port);
		if (r->f.proxy_tls &&
		    (c = tls_again(r, c, r->f.proxy_host, "proxy ", deadline, error)) == NULL)
			goto out;
		if (r->f.proxy_forward)
			goto done;
		probe_tunnel_run(c, target, r->proxy_credentials, deadline, &t);
		if (t.status != PROBE_TUNNEL_OK) {
			*error = xasprintf("the proxy did not CONNECT to %s again", target);
			probe_tunnel_clear(&t);
			probe_conn_close(c);
			c = NULL;
			goto out;
		}
		probe_tunnel_clear(&t);
	}
	/* Go speaks TLS only to https:// URLs, whatever the server's scheme */
	if (strncasecmp(url, "https://", 8) == 0)
		c = tls_again(r, c, host, "", deadline, error);
done:
	if (c != NULL) {
		r->conn = c;
		free(r->conn_authority);
		r->conn_authority = xstrdup(authority);
	}
out:
	probe_lookup_clear(&l);
	free(pc);
	free(addrs);
	free(target);
	free(host);
	free(authority);
	return c;
}

/* One request over r->conn; for an http:// server through the proxy, to
 * the proxy with the whole URL, as Go sends it. */
static enum probe_http_status request(struct run *r, const char *method,
    const char *authority, const char *path, const char *body, long long deadline,
    struct probe_response *resp, char **error)
{
	enum probe_http_status st;
	char *url;

	if (!r->f.proxy_forward)
		return probe_http(r->conn, method, authority, path, body, deadline, resp, error);
	url = xasprintf("http://%s%s", authority, path);
	st = probe_http_proxied(r->conn, method, authority, url, r->proxy_credentials, body,
	    deadline, resp, error);
	free(url);
	return st;
}

/* Drops the connection when the server said it will close it. */
static void after_response(struct run *r, const struct probe_response *resp)
{
	if (!resp->keep_alive) {
		probe_conn_close(r->conn);
		r->conn = NULL;
	}
}

static bool has_string(json_t *obj, const char *name)
{
	return json_is_string(json_object_get(obj, name)) &&
	    json_string_length(json_object_get(obj, name)) > 0;
}

/* Classifies a directory answer that is not an ACME v2 directory. */
static void not_a_directory(struct run *r, const struct probe_response *resp)
{
	struct diag_facts *f = &r->f;
	const char *b = resp->body;
	char *status, missing[64] = "";
	bool html;

	while (*b == ' ' || *b == '\n' || *b == '\r' || *b == '\t')
		b++;
	html = *b == '<' || (resp->content_type != NULL &&
	    strncasecmp(resp->content_type, "text/html", 9) == 0);
	f->http = DHTTP_NOT_ACME;
	if (resp->status != 200) {
		f->not_acme = diag_keep(r, xasprintf("HTTP %d instead of 200%s", resp->status,
		    html ? "; an HTML page (a proxy error page, captive portal or wrong "
		    "path?)" : ""));
		status = resp->reason != NULL ? xasprintf("%d %s", resp->status, resp->reason) :
		    xasprintf("%d", resp->status);
		/* Go keeps the whole body in the error */
		f->go_error = diag_keep(r, cm_err_acme_status(resp->status, status, resp->body,
		    resp->body_len));
		free(status);
		return;
	}
	if (!json_is_object(r->dir)) {
		f->not_acme = diag_keep(r, xstrdup(html ? "an HTML page, not JSON (a proxy error "
		    "page or captive portal?)" : "not a JSON object"));
		f->go_error = diag_keep(r, *b == '\0' ? xstrdup("EOF") :
		    xasprintf("invalid character '%c' looking for beginning of value",
		    isprint((unsigned char)*b) ? *b : '?'));
		return;
	}
	if (has_string(r->dir, "new-reg")) {
		f->not_acme = "an ACME v1 directory (new-reg, new-authz, new-cert)";
		f->v1_replacement = cm_v1_replacement(f->server);
	} else {
		if (!has_string(r->dir, "newNonce"))
			strcat(missing, " newNonce");
		if (!has_string(r->dir, "newAccount"))
			strcat(missing, " newAccount");
		if (!has_string(r->dir, "newOrder"))
			strcat(missing, " newOrder");
		f->not_acme = diag_keep(r, xasprintf("JSON without%s: not an ACME v2 directory",
		    missing));
	}
	if (!has_string(r->dir, "newOrder") && cm_checks_rfc8555_directory(&f->cm))
		f->go_error = CM_ERR_PRE_RFC8555;
	else if (!has_string(r->dir, "newNonce"))
		f->go_error = diag_keep(r, cm_err_url("HEAD", "", "unsupported protocol "
		    "scheme \"\""));
	else
		f->go_error = diag_keep(r, cm_err_url("POST", "", "unsupported protocol "
		    "scheme \"\""));
}

static bool is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 ||
	    status == 308;
}

/* Where a redirect's Location leads from url: an absolute URL as is, a
 * "/path" on url's scheme and authority; NULL for other forms (Go resolves
 * those too; no CA sends them). Caller frees. */
static char *redirect_target(const char *url, const char *location)
{
	const char *end = strstr(url, "://");

	if (strncasecmp(location, "https://", 8) == 0 || strncasecmp(location, "http://", 7) == 0)
		return xstrdup(location);
	if (location[0] != '/' || location[1] == '/' || end == NULL)
		return NULL;
	end += 3 + strcspn(end + 3, "/?#");
	return xasprintf("%.*s%s", (int)(end - url), url, location);
}

/* GET the directory, following redirects as Go's http.Client does (at
 * most 10). Leaves the final answer in resp; the URL it came from is kept
 * in f->http_redirected_to when it is not the server's. */
static enum probe_http_status get_directory(struct run *r, long long deadline,
    struct probe_response *resp, char **error)
{
	struct diag_facts *f = &r->f;
	enum probe_http_status st;
	char *url = xstrdup(f->server), *path = NULL, *next;
	const char *authority = r->authority, *target = r->path;

	for (;;) {
		st = request(r, "GET", authority, target, NULL, deadline, resp, error);
		if (st != PROBE_HTTP_OK || !is_redirect(resp->status) || resp->location == NULL)
			break;
		if (f->http_redirects == MAX_REDIRECTS) {
			st = PROBE_HTTP_FAILED;
			*error = xstrdup("stopped after 10 redirects");
			break;
		}
		f->http_redirects++;
		next = redirect_target(url, resp->location);
		after_response(r, resp);
		probe_response_clear(resp);
		free(url);
		url = next;
		free(path);
		path = NULL;
		if (url == NULL) {
			st = PROBE_HTTP_FAILED;
			*error = xstrdup("a redirect to a relative Location acmectl does not follow");
			break;
		}
		if (conn_for(r, url, deadline, &path, error) == NULL) {
			st = PROBE_HTTP_FAILED;
			break;
		}
		authority = r->conn_authority;
		target = path;
	}
	if (f->http_redirects > 0 && url != NULL)
		f->http_redirected_to = diag_keep(r, xstrdup(url));
	free(url);
	free(path);
	return st;
}

bool diag_step_http(struct run *r)
{
	struct diag_facts *f = &r->f;
	struct probe_response resp;
	enum probe_http_status st;
	long long start = mono_ms(), deadline;
	char *error = NULL;
	bool limited;

	memset(&resp, 0, sizeof(resp));
	deadline = diag_step_deadline(r, DIAG_HTTP, &limited);
	st = get_directory(r, deadline, &resp, &error);
	f->ms[DIAG_HTTP] = f->cm_ms[DIAG_HTTP] = mono_ms() - start;
	f->http_error = diag_keep(r, error);
	if (st != PROBE_HTTP_OK) {
		f->http = st == PROBE_HTTP_TIMEOUT ? DHTTP_TIMEOUT : DHTTP_FAILED;
		f->sync_cut = st == PROBE_HTTP_TIMEOUT && limited;
		probe_response_clear(&resp);
		return false;
	}
	if (f->proxy_forward && (probe_response_is_proxys(&resp) || resp.status == 407)) {
		/* the proxy's own answer, which Go takes for the CA's */
		f->tunnel = DTUN_STATUS;
		f->tunnel_code = resp.status;
		f->tunnel_reason = diag_keep(r, resp.reason != NULL ? xstrdup(resp.reason) : NULL);
		f->squid_error = diag_keep(r, resp.squid_error);
		f->auth_schemes = diag_keep(r, resp.auth_schemes);
		if (resp.squid_error == NULL)
			f->proxy_server = diag_keep(r, resp.server != NULL ? xstrdup(resp.server) : NULL);
		resp.squid_error = resp.auth_schemes = NULL;
	}
	f->http_status = resp.status;
	f->content_type = diag_keep(r, resp.content_type);
	resp.content_type = NULL;
	r->dir = json_loadb(resp.body, resp.body_len, 0, NULL);
	if (resp.status != 200 || !has_string(r->dir, "newNonce") ||
	    !has_string(r->dir, "newAccount") || !has_string(r->dir, "newOrder")) {
		not_a_directory(r, &resp);
		probe_response_clear(&resp);
		return false;
	}
	f->http = DHTTP_OK;
	f->new_nonce_url = json_string_value(json_object_get(r->dir, "newNonce"));
	f->new_account_url = json_string_value(json_object_get(r->dir, "newAccount"));
	f->tos_in_directory = has_string(json_object_get(r->dir, "meta"), "termsOfService");
	f->eab_required = json_is_true(json_object_get(json_object_get(r->dir, "meta"),
	    "externalAccountRequired"));
	after_response(r, &resp);
	probe_response_clear(&resp);
	return true;
}

bool diag_step_nonce(struct run *r)
{
	struct diag_facts *f = &r->f;
	struct probe_response resp;
	enum probe_http_status st;
	long long start = mono_ms(), deadline;
	char *path = NULL, *error = NULL;
	bool limited;

	memset(&resp, 0, sizeof(resp));
	deadline = diag_step_deadline(r, DIAG_NONCE, &limited);
	if (conn_for(r, f->new_nonce_url, deadline, &path, &error) == NULL) {
		f->nonce = DNONCE_FAILED;
		goto out;
	}
	st = request(r, "HEAD", r->conn_authority, path, NULL, deadline, &resp, &error);
	if (st != PROBE_HTTP_OK) {
		f->nonce = st == PROBE_HTTP_TIMEOUT ? DNONCE_TIMEOUT : DNONCE_FAILED;
		f->sync_cut = st == PROBE_HTTP_TIMEOUT && limited;
		goto out;
	}
	f->nonce_status = resp.status;
	/* Go's ACME client takes a nonce whatever the status, and fails a
	 * HEAD without one on its status when that is above 299 */
	if (resp.replay_nonce == NULL || resp.replay_nonce[0] == '\0') {
		f->nonce = resp.status > 299 ? DNONCE_FAILED : DNONCE_MISSING;
		f->nonce_status_text = diag_keep(r, resp.reason != NULL ?
		    xasprintf("%d %s", resp.status, resp.reason) : xasprintf("%d", resp.status));
		if (resp.status > 299)
			error = xasprintf("-> %d without Replay-Nonce", resp.status);
		goto out;
	}
	f->nonce = DNONCE_OK;
	r->nonce = resp.replay_nonce;
	resp.replay_nonce = NULL;
	after_response(r, &resp);
out:
	f->nonce_error = diag_keep(r, error);
	f->ms[DIAG_NONCE] = f->cm_ms[DIAG_NONCE] = mono_ms() - start;
	probe_response_clear(&resp);
	free(path);
	return f->nonce == DNONCE_OK;
}

/* True when resp is a badNonce that cert-manager's client retries: its
 * back-off gives up on any other status than 400. */
static bool is_bad_nonce(const struct probe_response *resp)
{
	struct problem *prob;
	bool bad;

	if (resp->status != 400)
		return false;
	prob = problem_parse(resp->body, resp->body_len, resp->status);
	bad = prob != NULL && problem_is(prob, "badNonce");
	problem_free(prob);
	return bad;
}

/* POSTs payload to url signed with the account key (with its JWK, or the
 * account URL kid), taking each answer's nonce for the next request and
 * retrying a badNonce as cert-manager's client does (6 attempts). Leaves
 * the last answer in resp; *error (caller frees) when there is none. */
static enum probe_http_status post_signed(struct run *r, const char *url, const char *kid,
    const char *payload, long long deadline, struct probe_response *resp, char **error)
{
	enum probe_http_status st;
	char *path = NULL, *jws;

	for (int attempt = 0;; attempt++) {
		probe_response_clear(resp);
		if (conn_for(r, url, deadline, &path, error) == NULL)
			return PROBE_HTTP_FAILED;
		if ((jws = jws_sign(r->key, kid, r->nonce, url, payload)) == NULL) {
			*error = err_take_message();
			free(path);
			return PROBE_HTTP_FAILED;
		}
		st = request(r, "POST", r->conn_authority, path, jws, deadline, resp,
		    error);
		free(jws);
		free(path);
		path = NULL;
		if (st != PROBE_HTTP_OK)
			return st;
		if (resp->replay_nonce != NULL) {
			free(r->nonce);
			r->nonce = resp->replay_nonce;
			resp->replay_nonce = NULL;
		}
		after_response(r, resp);
		if (attempt == BAD_NONCE_RETRIES || !is_bad_nonce(resp))
			return st;
		r->nonce_retries++;
	}
}

/* Records an answer other than the one wanted to request: the problem
 * ("type: detail") and the *acme.Error Go's client makes of it. */
static void account_refused(struct run *r, const struct probe_response *resp,
    const char *request)
{
	struct diag_facts *f = &r->f;
	struct problem *prob = problem_parse(resp->body, resp->body_len, resp->status);
	char *status = resp->reason != NULL ? xasprintf("%d %s", resp->status, resp->reason) :
	    xasprintf("%d", resp->status);

	f->account = strcmp(request, "update") == 0 ? DACCT_UPDATE_FAILED : DACCT_FAILED;
	f->account_request = request;
	f->account_status = resp->status;
	f->account_4xx = resp->status / 100 == 4;
	f->account_problem = diag_keep(r, prob != NULL ? xasprintf("%s: %s", prob->type,
	    prob->detail ? prob->detail : "") : xasprintf("HTTP %d without an ACME problem "
	    "document", resp->status));
	f->account_go_error = diag_keep(r, cm_err_acme_status(resp->status, status, resp->body,
	    resp->body_len));
	problem_free(prob);
	free(status);
}

/* Takes the account URL and its first contact from a 200 or 201 answer. */
static void account_taken(struct run *r, struct probe_response *resp)
{
	struct diag_facts *f = &r->f;
	json_t *acct = json_loadb(resp->body, resp->body_len, 0, NULL);
	json_t *c = json_array_get(json_object_get(acct, "contact"), 0);

	f->account_status = resp->status;
	f->account_url = diag_keep(r, resp->location);
	resp->location = NULL;
	if (json_is_string(c))
		f->account_contact = diag_keep(r, xstrdup(json_string_value(c)));
	json_decref(acct);
}

/* newAccount's payload as cert-manager sends it: the contact, the terms
 * when the directory has them, the binding when configured. NULL with
 * *error when the binding cannot be made. Caller frees. */
static char *register_payload(struct run *r, char **error)
{
	struct diag_facts *f = &r->f;
	json_t *p = json_object(), *jwk, *eab;
	char *contact = cm_contact(f->email), *s = NULL;
	const char *alg = "HS256";
	struct cm_version v1_4 = { 1, 4, 0 };

	if (f->tos_in_directory)
		json_object_set_new(p, "termsOfServiceAgreed", json_true());
	if (contact != NULL)
		json_object_set_new(p, "contact", json_pack("[s]", contact));
	if (f->eab_key_known) {
		/* v1.0-v1.3 passed keyAlgorithm on; later releases sign HS256 */
		if (cm_version_cmp(&f->cm, &v1_4) < 0 && r->iss->eab_key_algorithm != NULL)
			alg = r->iss->eab_key_algorithm;
		jwk = jws_jwk(r->key);
		eab = jwk != NULL ? jws_eab(alg, r->iss->eab_key_id, r->eab_key, r->eab_key_len,
		    jwk, f->new_account_url) : NULL;
		json_decref(jwk);
		if (eab == NULL) {
			*error = err_take_message();
			goto out;
		}
		json_object_set_new(p, "externalAccountBinding", eab);
	}
	s = json_dumps(p, JSON_COMPACT);
out:
	free(contact);
	json_decref(p);
	return s;
}

/* The POST of request; false when it got no answer (f->account set). */
static bool account_post(struct run *r, const char *request, const char *url,
    const char *kid, const char *payload, long long deadline, bool limited,
    struct probe_response *resp, char **error)
{
	struct diag_facts *f = &r->f;
	enum probe_http_status st = post_signed(r, url, kid, payload, deadline, resp, error);

	if (st == PROBE_HTTP_OK)
		return true;
	f->account = st == PROBE_HTTP_TIMEOUT ? DACCT_TIMEOUT : DACCT_FAILED;
	f->account_request = request;
	f->sync_cut = st == PROBE_HTTP_TIMEOUT && limited;
	return false;
}

/* cert-manager's sequence: Register (newAccount with contact, terms and
 * binding); on 200 GetReg (onlyReturnExisting); then UpdateReg when the
 * account's contact is not spec.acme.email. */
static void register_first(struct run *r, long long deadline, bool limited, char **error)
{
	struct diag_facts *f = &r->f;
	struct probe_response resp;
	char *payload, *contact = NULL;

	memset(&resp, 0, sizeof(resp));
	if ((payload = register_payload(r, error)) == NULL) {
		f->account = DACCT_FAILED;
		f->account_request = "newAccount";
		return;
	}
	if (!account_post(r, "newAccount", f->new_account_url, NULL, payload, deadline, limited,
	    &resp, error))
		goto out;
	if (resp.status != 200 && resp.status != 201) {
		account_refused(r, &resp, "newAccount");
		goto out;
	}
	account_taken(r, &resp);
	f->account = resp.status == 201 ? DACCT_CREATED : DACCT_FOUND;
	if (resp.status == 200) {
		if (!account_post(r, "onlyReturnExisting", f->new_account_url, NULL,
		    "{\"onlyReturnExisting\":true}", deadline, limited, &resp, error))
			goto out;
		if (resp.status != 200) {
			account_refused(r, &resp, "onlyReturnExisting");
			goto out;
		}
		account_taken(r, &resp);
	}
	if (!cm_updates_contact(f->account_contact, f->email) || f->account_url == NULL)
		goto out;
	free(payload);
	contact = cm_contact(f->email);
	payload = contact != NULL ? xasprintf("{\"contact\":[\"%s\"]}", contact) :
	    xstrdup("{}");
	if (!account_post(r, "update", f->account_url, f->account_url, payload, deadline,
	    limited, &resp, error)) {
		if (f->account == DACCT_FAILED)
			f->account = DACCT_UPDATE_FAILED;
		goto out;
	}
	if (resp.status != 200)
		account_refused(r, &resp, "update");
	else
		f->contact_updated = true;
out:
	free(contact);
	free(payload);
	probe_response_clear(&resp);
}

/* What acmectl asks without --register: onlyReturnExisting, which creates
 * nothing. */
static void lookup_only(struct run *r, long long deadline, bool limited, char **error)
{
	struct diag_facts *f = &r->f;
	struct probe_response resp;
	struct problem *prob;

	memset(&resp, 0, sizeof(resp));
	if (!account_post(r, "onlyReturnExisting", f->new_account_url, NULL,
	    "{\"onlyReturnExisting\":true}", deadline, limited, &resp, error))
		goto out;
	if (resp.status / 100 == 2 && resp.location != NULL) {
		f->account = DACCT_FOUND;
		account_taken(r, &resp);
		goto out;
	}
	prob = problem_parse(resp.body, resp.body_len, resp.status);
	if (prob != NULL && problem_is(prob, "accountDoesNotExist")) {
		f->account = DACCT_NOT_FOUND;
		f->account_status = resp.status;
		f->account_problem = diag_keep(r, xasprintf("accountDoesNotExist: %s",
		    prob->detail ? prob->detail : ""));
	} else {
		account_refused(r, &resp, "onlyReturnExisting");
	}
	problem_free(prob);
out:
	probe_response_clear(&resp);
}

void diag_step_account(struct run *r)
{
	struct diag_facts *f = &r->f;
	long long start = mono_ms(), deadline;
	char *error = NULL;
	bool limited;

	if (r->key == NULL) {
		f->account = DACCT_NO_KEY;
		return;
	}
	deadline = diag_step_deadline(r, DIAG_ACCOUNT, &limited);
	if (r->cfg->diag_register)
		register_first(r, deadline, limited, &error);
	else
		lookup_only(r, deadline, limited, &error);
	if (error != NULL && f->account_problem == NULL)
		f->account_problem = diag_keep(r, error);
	else
		free(error);
	/* acmectl retries at once; cert-manager waits between the attempts */
	f->ms[DIAG_ACCOUNT] = mono_ms() - start;
	f->cm_ms[DIAG_ACCOUNT] = f->ms[DIAG_ACCOUNT] + cm_bad_nonce_backoff_ms(r->nonce_retries);
}
