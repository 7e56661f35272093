/* lines.c - one line per step: what it observed, or why it did not run.
 * Pure.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "diagnose_int.h"
#include "util.h"

static void set_line(struct diag_report *r, enum diag_step step, enum diag_status status,
    long long ms, char *detail)
{
	free(r->steps[step].detail);
	r->steps[step].status = status;
	r->steps[step].ms = ms;
	r->steps[step].detail = detail;
}

/* "not run: tls failed", naming the last failed step before step. */
static char *not_run(const struct diag_report *r, enum diag_step step)
{
	int i = (int)step - 1;

	while (i >= 0 && r->steps[i].status != DIAG_FAIL)
		i--;
	return xasprintf("not run: %s failed", diag_step_name(i >= 0 ? (enum diag_step)i :
	    r->failed));
}

static void line_config(const struct diag_facts *f, struct diag_report *r)
{
	char *deadline = diag_duration(diag_sync_ms(f)), *key;
	const char *v2 = cm_v1_replacement(f->server);

	key = f->key_desc != NULL ? xasprintf("%s from %s", f->key_desc,
	    f->key_source != NULL ? f->key_source : "?") : xstrdup("none known");
	switch (f->config) {
	case DCONF_OK:
		set_line(r, DIAG_CONFIG, DIAG_OK, f->ms[DIAG_CONFIG],
		    xasprintf("%s (%s); cert-manager %s: %s sync deadline; account key: %s%s%s",
		    f->server, f->server_source != NULL ? f->server_source : "--server",
		    r->cm_version, deadline, key, f->view != NULL ? "; " : "",
		    f->view != NULL ? f->view : ""));
		break;
	case DCONF_V1_SERVER:
		set_line(r, DIAG_CONFIG, DIAG_FAIL, f->ms[DIAG_CONFIG],
		    xasprintf("%s is an ACME v1 URL; cert-manager speaks only ACME v2 (%s)",
		    f->server, v2 != NULL ? v2 : "a v2 directory URL"));
		break;
	case DCONF_KEY_NOT_RSA:
		set_line(r, DIAG_CONFIG, DIAG_FAIL, f->ms[DIAG_CONFIG],
		    xasprintf("the account key is %s: cert-manager accepts only RSA account "
		    "keys", key));
		break;
	case DCONF_KEY_INVALID:
		set_line(r, DIAG_CONFIG, DIAG_FAIL, f->ms[DIAG_CONFIG],
		    xasprintf("the account key data in %s is not a key cert-manager reads: %s",
		    f->key_source != NULL ? f->key_source : "the Secret", f->key_invalid));
		break;
	case DCONF_REJECTED:
		set_line(r, DIAG_CONFIG, DIAG_FAIL, f->ms[DIAG_CONFIG],
		    xasprintf("cert-manager's webhook refuses this Issuer: %s",
		    f->config_problem));
		break;
	case DCONF_INVALID:
		set_line(r, DIAG_CONFIG, DIAG_FAIL, f->ms[DIAG_CONFIG],
		    xstrdup(f->config_problem != NULL ? f->config_problem : "invalid"));
		break;
	case DCONF_KEY_SECRET_MISSING:
		set_line(r, DIAG_CONFIG, DIAG_FAIL, f->ms[DIAG_CONFIG],
		    xasprintf("no account key Secret %s (%s) and disableAccountKeyGeneration "
		    "is set: cert-manager stops here", f->key_secret_name ? f->key_secret_name :
		    "?", f->key_secret_missing));
		break;
	case DCONF_INVALID_URL:
		set_line(r, DIAG_CONFIG, DIAG_FAIL, f->ms[DIAG_CONFIG],
		    xasprintf("Go's url.Parse refuses the %s URL: %s", f->invalid_url_what ?
		    f->invalid_url_what : "server", f->invalid_url));
		break;
	case DCONF_EAB_INVALID:
		set_line(r, DIAG_CONFIG, DIAG_FAIL, f->ms[DIAG_CONFIG],
		    xasprintf("the external account binding's MAC key (Secret %s, key %s) "
		    "cannot be read: %s", f->eab_secret_name ? f->eab_secret_name : "?",
		    f->eab_secret_key ? f->eab_secret_key : "?", f->eab_invalid));
		break;
	}
	free(key);
	free(deadline);
}

static void line_route(const struct diag_facts *f, struct diag_report *r)
{
	const char *rules = f->rules != NULL ? f->rules : "go";
	const char *why = f->route_reason != NULL ? f->route_reason : "";

	switch (f->route) {
	case DROUTE_NOT_RUN:
		set_line(r, DIAG_ROUTE, DIAG_SKIP, 0, not_run(r, DIAG_ROUTE));
		break;
	case DROUTE_DIRECT:
		set_line(r, DIAG_ROUTE, DIAG_OK, f->ms[DIAG_ROUTE],
		    xasprintf("direct under %s rules: %s", rules, why));
		break;
	case DROUTE_PROXY:
		set_line(r, DIAG_ROUTE, DIAG_OK, f->ms[DIAG_ROUTE],
		    xasprintf("via %s from %s under %s rules: %s", f->proxy_shown,
		    f->proxy_source != NULL ? f->proxy_source : "?", rules, why));
		break;
	case DROUTE_REFUSED:
		set_line(r, DIAG_ROUTE, DIAG_FAIL, f->ms[DIAG_ROUTE], xstrdup(why));
		break;
	}
}

/* The dns line when Go's lookup does not end in time: how long it takes,
 * and whether it answers at all. Caller frees. */
static char *go_timeout_text(const struct diag_facts *f, const char *role, const char *name)
{
	char *t = diag_duration(f->dns_go_ms), *b = diag_duration(f->dns_go_limit_ms), *d;

	if (f->dns_go_answers)
		d = xasprintf("%s%s: Go's resolver answers only after %s, past the %s "
		    "cert-manager has (dns_slow)", role, name, t, b);
	else
		d = xasprintf("%s%s: no answer for Go's resolver within %s (%s)", role, name,
		    f->dns_go_error != NULL || f->dns_go_ms < f->dns_go_limit_ms ? t : b,
		    f->dns_go_error != NULL ? f->dns_go_error : "cut by the bound");
	free(t);
	free(b);
	return d;
}

static void line_dns(const struct diag_facts *f, struct diag_report *r)
{
	const char *name = f->dns_name != NULL ? f->dns_name : f->host;
	const char *ns = f->nameserver != NULL ? f->nameserver : "the local resolver";
	const char *role = diag_is_proxied(f) ? "proxy host " : "";
	char *d = NULL, *t, *s;
	enum diag_status st = DIAG_FAIL;

	switch (f->dns) {
	case DDNS_NOT_RUN:
		set_line(r, DIAG_DNS, DIAG_SKIP, 0, not_run(r, DIAG_DNS));
		return;
	case DDNS_LITERAL:
		set_line(r, DIAG_DNS, DIAG_SKIP, f->ms[DIAG_DNS],
		    xasprintf("%s%s is an IP address: nothing to look up", role, name));
		return;
	case DDNS_HOSTS:
		st = DIAG_OK;
		d = xasprintf("%s%s -> %s (hosts file)", role, name, f->dns_answer);
		break;
	case DDNS_OK:
		if (f->hijack_domain != NULL && !diag_is_proxied(f)) {
			d = xasprintf("%s -> %s, answered for %s.%s. from the search domain %s "
			    "(ndots:%d puts it first); the name itself, %s., -> %s", name,
			    f->dns_answer, name, f->hijack_domain, f->hijack_domain, f->ndots,
			    name, f->absolute_answer != NULL ? f->absolute_answer : "?");
			break;
		}
		st = DIAG_OK;
		d = xasprintf("%s%s -> %s%s", role, name, f->dns_answer,
		    diag_is_proxied(f) ? " (the proxy resolves the ACME host)" : "");
		break;
	case DDNS_NOTFOUND:
		d = xasprintf("%s%s: no such host (asked %s)", role, name, ns);
		break;
	case DDNS_SERVFAIL:
		d = xasprintf("%s%s: the resolver failed (%s; asked %s)", role, name,
		    f->dns_error != NULL ? f->dns_error : "SERVFAIL", ns);
		break;
	case DDNS_TIMEOUT:
		if (f->dns_go) {
			d = go_timeout_text(f, role, name);
			break;
		}
		t = diag_duration(f->ms[DIAG_DNS]);
		d = xasprintf("%s%s: no answer within %s (asked %s)", role, name, t, ns);
		free(t);
		break;
	}
	if (st == DIAG_OK && f->dns_go && f->dns_go_waits > 0) {
		t = diag_duration(f->dns_go_ms);
		s = xasprintf("%s; Go's resolver needs %s for it (dns_slow)", d, t);
		free(t);
		free(d);
		d = s;
	}
	set_line(r, DIAG_DNS, st, f->ms[DIAG_DNS], d);
}

static char *conn_text(const struct diag_conn *c, int port)
{
	char *hp = diag_host_port(c->addr, port), *t = NULL, *s;

	switch (c->result) {
	case DCONN_OK:
		s = xasprintf("%s connected in %lld ms", hp, c->ms);
		break;
	case DCONN_TIMEOUT:
		t = diag_duration(c->ms);
		s = xasprintf("%s no answer (SYN unanswered) within %s", hp, t);
		break;
	case DCONN_REFUSED:
		s = xasprintf("%s refused", hp);
		break;
	case DCONN_UNREACHABLE:
	case DCONN_ERROR:
	default:
		s = xasprintf("%s %s", hp, c->error != NULL ? c->error : "failed");
		break;
	}
	free(t);
	free(hp);
	return s;
}

static void line_tcp(const struct diag_facts *f, struct diag_report *r)
{
	int port = diag_is_proxied(f) ? f->proxy_port : f->port;
	char **parts, *all;

	if (f->nconns == 0) {
		set_line(r, DIAG_TCP, DIAG_SKIP, 0, not_run(r, DIAG_TCP));
		return;
	}
	parts = xcalloc(f->nconns, sizeof(*parts));
	for (size_t i = 0; i < f->nconns; i++)
		parts[i] = conn_text(&f->conns[i], port);
	all = str_join((const char *const *)parts, f->nconns, "; ");
	set_line(r, DIAG_TCP, diag_any_conn_ok(f) ? DIAG_OK : DIAG_FAIL, f->ms[DIAG_TCP],
	    diag_is_proxied(f) ? xasprintf("proxy %s", all) : xstrdup(all));
	for (size_t i = 0; i < f->nconns; i++)
		free(parts[i]);
	free(parts);
	free(all);
}

/* What a completed handshake with host showed: version, subject, issuer,
 * names, the name check and the chain. Caller frees. */
static char *handshake_text(const struct diag_facts *f, const struct diag_handshake *h,
    const char *host, bool proxy)
{
	const char *trust = f->trust != NULL ? f->trust : "the system store";
	char *sans = diag_san_list(h), *chain, *s;

	if (h->chain == DCHAIN_UNKNOWN_CA)
		chain = xasprintf("issuer not trusted by %s: %s%s", trust,
		    h->chain_error ? h->chain_error : "unknown CA", h->self_signed || proxy ?
		    "" : " (not a known CA: a TLS-intercepting proxy or a private CA?)");
	else if (h->chain != DCHAIN_OK)
		chain = xasprintf("chain not valid: %s", h->chain_error ? h->chain_error : "?");
	else
		chain = xasprintf("chain verified against %s", trust);
	s = xasprintf("%s; subject %s; issuer %s; names %s; %s %s, %s%s",
	    h->version ? h->version : "TLS", h->subject ? h->subject : "(none)",
	    h->issuer ? h->issuer : "(none)", sans, h->name_mismatch ? "NOT valid for" :
	    "valid for", host, chain,
	    f->skip_tls_verify ? "; skipTLSVerify: cert-manager does not check" : "");
	free(sans);
	free(chain);
	return s;
}

/* The part of the proxy line about TLS with the proxy, or NULL. */
static char *proxy_tls_text(const struct diag_facts *f)
{
	const struct diag_handshake *h = &f->proxy_handshake;
	char *hp = diag_host_port(f->proxy_host != NULL ? f->proxy_host : "?", f->proxy_port);
	char *t, *s = NULL;

	if (f->proxy_speaks == DSPEAKS_TLS) {
		t = handshake_text(f, h, f->proxy_host, true);
		s = xasprintf("a TLS handshake with %s on a new connection worked (%s): the "
		    "port speaks TLS, not plain HTTP", hp, t);
		free(t);
	} else if (f->proxy_tls && h->result == DTLS_TIMEOUT) {
		t = diag_duration(f->ms[DIAG_PROXY]);
		s = xasprintf("TLS with proxy %s: no complete handshake within %s", hp, t);
		free(t);
	} else if (f->proxy_tls && h->result == DTLS_FAILED) {
		s = xasprintf("TLS with proxy %s: handshake failed: %s", hp,
		    h->error != NULL ? h->error : "?");
	} else if (f->proxy_tls && h->result == DTLS_OK) {
		t = handshake_text(f, h, f->proxy_host, true);
		s = xasprintf("TLS with proxy %s: %s", hp, t);
		free(t);
	}
	free(hp);
	return s;
}

/* The part of the proxy line about CONNECT, or NULL. */
static char *proxy_connect_text(const struct diag_facts *f)
{
	char *target = diag_host_port(f->host, f->port), *t, *s = NULL;
	const char *creds = f->proxy_credentials ? "credentials sent" : "no credentials sent";
	const char *reason = f->tunnel_reason ? f->tunnel_reason : "";

	if (f->proxy_speaks == DSPEAKS_HTTP) {
		s = xasprintf("CONNECT %s in the clear on a new connection -> %d %s: the proxy "
		    "speaks plain HTTP, not TLS", target, f->tunnel_code, reason);
		free(target);
		return s;
	}
	if (f->proxy_forward && f->tunnel != DTUN_NOT_RUN) {
		s = f->tunnel == DTUN_STATUS ? xasprintf("GET %s through the proxy -> %d %s, "
		    "the proxy's own answer (%s%s%s%s%s%s%s)", f->server, f->tunnel_code, reason,
		    creds, f->squid_error != NULL ? "; X-Squid-Error: " : "",
		    f->squid_error != NULL ? f->squid_error : "", f->proxy_server != NULL ?
		    "; Server: " : "", f->proxy_server != NULL ? f->proxy_server : "",
		    f->auth_schemes != NULL ? "; Proxy-Authenticate: " : "",
		    f->auth_schemes != NULL ? f->auth_schemes : "") : xasprintf("no CONNECT for an http:// server: each "
		    "request goes to the proxy with the whole URL, as Go sends it (%s)", creds);
		free(target);
		return s;
	}
	switch (f->tunnel) {
	case DTUN_NOT_RUN:
		break;
	case DTUN_OK:
	case DTUN_STATUS:
		s = xasprintf("CONNECT %s -> %d %s (%s%s%s%s%s)", target, f->tunnel_code, reason,
		    creds, f->squid_error != NULL ? "; X-Squid-Error: " : "",
		    f->squid_error != NULL ? f->squid_error : "", f->auth_schemes != NULL ?
		    "; Proxy-Authenticate: " : "", f->auth_schemes != NULL ? f->auth_schemes :
		    "");
		break;
	case DTUN_TIMEOUT:
		t = diag_duration(f->ms[DIAG_PROXY]);
		s = xasprintf("CONNECT %s: %s (%s)", target, f->tunnel_error ? f->tunnel_error :
		    "no answer", t);
		free(t);
		break;
	case DTUN_CLOSED:
		s = xasprintf("CONNECT %s: %s", target, f->tunnel_error ? f->tunnel_error :
		    "the proxy closed the connection");
		break;
	}
	free(target);
	return s;
}

static void line_proxy(const struct diag_facts *f, struct diag_report *r)
{
	char *tls = proxy_tls_text(f), *connect = proxy_connect_text(f);
	bool failed = f->tunnel != DTUN_OK || f->proxy_speaks != DSPEAKS_NOT_CHECKED ||
	    diag_proxy_checks_fail(f);

	if (tls == NULL && connect == NULL)
		set_line(r, DIAG_PROXY, DIAG_SKIP, 0, f->route == DROUTE_DIRECT &&
		    diag_any_conn_ok(f) ? xstrdup("direct route: no proxy") :
		    not_run(r, DIAG_PROXY));
	else if (f->proxy_speaks == DSPEAKS_TLS)
		/* the dropped CONNECT first, then what the port speaks */
		set_line(r, DIAG_PROXY, DIAG_FAIL, f->ms[DIAG_PROXY], xasprintf("%s; %s",
		    connect, tls));
	else
		set_line(r, DIAG_PROXY, failed ? DIAG_FAIL : DIAG_OK, f->ms[DIAG_PROXY],
		    xasprintf("%s%s%s", tls != NULL ? tls : "", tls != NULL && connect != NULL ?
		    "; " : "", connect != NULL ? connect : ""));
	free(tls);
	free(connect);
}

static void line_tls(const struct diag_facts *f, struct diag_report *r)
{
	struct diag_handshake h;
	char *t;

	switch (f->tls) {
	case DTLS_NOT_RUN:
		set_line(r, DIAG_TLS, DIAG_SKIP, 0, f->plain_http && f->http != DHTTP_NOT_RUN ?
		    xstrdup("an http:// server: no TLS, cert-manager uses the URL as it is") :
		    not_run(r, DIAG_TLS));
		return;
	case DTLS_TIMEOUT:
		t = diag_duration(f->ms[DIAG_TLS]);
		set_line(r, DIAG_TLS, DIAG_FAIL, f->ms[DIAG_TLS],
		    xasprintf("no complete handshake within %s", t));
		free(t);
		return;
	case DTLS_FAILED:
		set_line(r, DIAG_TLS, DIAG_FAIL, f->ms[DIAG_TLS], xasprintf("handshake failed: %s",
		    f->tls_error != NULL ? f->tls_error : "?"));
		return;
	case DTLS_OK:
		break;
	}
	diag_server_handshake(f, &h);
	set_line(r, DIAG_TLS, diag_checks_fail(f, &h) ? DIAG_FAIL : DIAG_OK, f->ms[DIAG_TLS],
	    handshake_text(f, &h, f->host, false));
}

static void line_http(const struct diag_facts *f, struct diag_report *r)
{
	const char *path = diag_url_path(f->server), *ct = f->content_type ? f->content_type :
	    "no Content-Type";
	char *t;

	switch (f->http) {
	case DHTTP_NOT_RUN:
		set_line(r, DIAG_HTTP, DIAG_SKIP, 0, not_run(r, DIAG_HTTP));
		break;
	case DHTTP_OK:
		set_line(r, DIAG_HTTP, DIAG_OK, f->ms[DIAG_HTTP], xasprintf("GET %s -> %s%s%s%d "
		    "%s; newNonce, newAccount and newOrder present", path, f->http_redirects > 0 ?
		    "redirected to " : "", f->http_redirected_to != NULL ? f->http_redirected_to :
		    "", f->http_redirects > 0 ? " (followed, as Go does) -> " : "",
		    f->http_status, ct));
		break;
	case DHTTP_TIMEOUT:
		t = diag_duration(f->ms[DIAG_HTTP]);
		set_line(r, DIAG_HTTP, DIAG_FAIL, f->ms[DIAG_HTTP], xasprintf("GET %s: %s (%s%s)",
		    path, f->http_error ? f->http_error : "no response", t,
		    f->sync_cut ? ", cert-manager's sync deadline" : ""));
		free(t);
		break;
	case DHTTP_FAILED:
		set_line(r, DIAG_HTTP, DIAG_FAIL, f->ms[DIAG_HTTP], xasprintf("GET %s: %s", path,
		    f->http_error ? f->http_error : "no response"));
		break;
	case DHTTP_NOT_ACME:
		set_line(r, DIAG_HTTP, DIAG_FAIL, f->ms[DIAG_HTTP], xasprintf("GET %s -> %d %s: "
		    "%s", path, f->http_status, ct, f->not_acme ? f->not_acme :
		    "not an ACME directory"));
		break;
	}
}

static void line_nonce(const struct diag_facts *f, struct diag_report *r)
{
	switch (f->nonce) {
	case DNONCE_NOT_RUN:
		set_line(r, DIAG_NONCE, DIAG_SKIP, 0, not_run(r, DIAG_NONCE));
		break;
	case DNONCE_OK:
		set_line(r, DIAG_NONCE, DIAG_OK, f->ms[DIAG_NONCE],
		    xasprintf("HEAD newNonce -> %d with Replay-Nonce", f->nonce_status));
		break;
	case DNONCE_MISSING:
		set_line(r, DIAG_NONCE, DIAG_FAIL, f->ms[DIAG_NONCE],
		    xasprintf("HEAD newNonce -> %d without Replay-Nonce", f->nonce_status));
		break;
	case DNONCE_TIMEOUT:
	case DNONCE_FAILED:
		set_line(r, DIAG_NONCE, DIAG_FAIL, f->ms[DIAG_NONCE], xasprintf("HEAD newNonce: %s",
		    f->nonce_error ? f->nonce_error : "no response"));
		break;
	}
}

/* The newAccount request cert-manager sends first, e.g. "newAccount with
 * contact mailto:a@example.org, termsOfServiceAgreed and
 * externalAccountBinding". Caller frees. */
static char *register_request(const struct diag_facts *f)
{
	char *contact = cm_contact(f->email), *with, *s;
	const char *parts[3];
	int n = 0;

	if (contact != NULL)
		parts[n++] = contact;
	if (f->tos_in_directory)
		parts[n++] = "termsOfServiceAgreed";
	if (f->eab_configured)
		parts[n++] = "externalAccountBinding";
	if (n == 3)
		with = xasprintf("%s, %s and %s", parts[0], parts[1], parts[2]);
	else if (n == 2)
		with = xasprintf("%s and %s", parts[0], parts[1]);
	else
		with = xstrdup(n == 1 ? parts[0] : "an empty payload");
	s = xasprintf("newAccount with %s%s", contact != NULL ? "contact " : "", with);
	free(with);
	free(contact);
	return s;
}

/* "403", written into buf. */
static const char *status_text(int status, char *buf)
{
	snprintf(buf, 12, "%d", status);
	return buf;
}

static void line_account(const struct diag_facts *f, struct diag_report *r)
{
	char *t, *req = register_request(f), st[12];
	const char *instead = f->register_sent ? "" : "; acmectl asked onlyReturnExisting "
	    "instead (nothing created; --register sends cert-manager's requests)";

	switch (f->account) {
	case DACCT_NOT_RUN:
		set_line(r, DIAG_ACCOUNT, DIAG_SKIP, 0, not_run(r, DIAG_ACCOUNT));
		break;
	case DACCT_NO_KEY:
		set_line(r, DIAG_ACCOUNT, DIAG_SKIP, 0, xasprintf("no account key known (give "
		    "--account-key, or --secret with --from-issuer); nothing checked; "
		    "cert-manager POSTs %s", req));
		break;
	case DACCT_FOUND:
		if (f->register_sent)
			set_line(r, DIAG_ACCOUNT, DIAG_OK, f->ms[DIAG_ACCOUNT], xasprintf("POST %s "
			    "-> 200: the key has the account %s; onlyReturnExisting -> 200%s%s",
			    req, f->account_url ? f->account_url : "?", f->contact_updated ?
			    "; contact updated, as cert-manager does, from " : "",
			    f->contact_updated ? (f->account_contact ? f->account_contact :
			    "none") : ""));
		else
			set_line(r, DIAG_ACCOUNT, DIAG_OK, f->ms[DIAG_ACCOUNT], xasprintf("the key "
			    "has the account %s (asked with onlyReturnExisting: nothing created; "
			    "cert-manager first POSTs %s, and asks onlyReturnExisting only when "
			    "that answers 200)", f->account_url ? f->account_url : "?", req));
		break;
	case DACCT_CREATED:
		set_line(r, DIAG_ACCOUNT, DIAG_OK, f->ms[DIAG_ACCOUNT], xasprintf("POST %s -> "
		    "201: a new account %s, as cert-manager would register it%s",
		    req, f->account_url ? f->account_url : "?", f->contact_updated ?
		    "; contact updated" : ""));
		break;
	case DACCT_NOT_FOUND:
		t = cm_url_host(f->server);
		set_line(r, DIAG_ACCOUNT, DIAG_FAIL, f->ms[DIAG_ACCOUNT], xasprintf("no account "
		    "for this key at %s (%s); cert-manager POSTs %s, which creates one%s", t,
		    f->account_problem ? f->account_problem : "accountDoesNotExist", req,
		    instead));
		free(t);
		break;
	case DACCT_TIMEOUT:
	case DACCT_FAILED:
	case DACCT_UPDATE_FAILED:
		if (f->account_request != NULL && strcmp(f->account_request, "update") == 0)
			set_line(r, DIAG_ACCOUNT, DIAG_FAIL, f->ms[DIAG_ACCOUNT], xasprintf("POST "
			    "%s (contact update, as cert-manager sends it): %s", f->account_url ?
			    f->account_url : "the account", f->account_problem ?
			    f->account_problem : "no response"));
		else if (f->register_sent && f->account_request != NULL &&
		    strcmp(f->account_request, "newAccount") == 0)
			set_line(r, DIAG_ACCOUNT, DIAG_FAIL, f->ms[DIAG_ACCOUNT], xasprintf("POST "
			    "%s%s%s: %s", req, f->account_status > 0 ? " -> " : "",
			    f->account_status > 0 ? status_text(f->account_status, st) : "",
			    f->account_problem ? f->account_problem : "no response"));
		else
			set_line(r, DIAG_ACCOUNT, DIAG_FAIL, f->ms[DIAG_ACCOUNT], xasprintf("POST "
			    "newAccount (onlyReturnExisting): %s%s", f->account_problem ?
			    f->account_problem : "no response", f->register_sent ? "" :
			    "; cert-manager would first POST the newAccount request of "
			    "--register"));
		break;
	}
	free(req);
}

static void line_deadline(const struct diag_facts *f, struct diag_report *r)
{
	long long total = diag_total_cm_ms(f, DIAG_NSTEPS);
	char *t = diag_duration(total), *d = diag_duration(diag_sync_ms(f));

	if (f->sync_cut)
		set_line(r, DIAG_DEADLINE, DIAG_FAIL, total, xasprintf("stopped at cert-manager "
		    "%s's %s sync deadline, still waiting for the %s step", r->cm_version, d,
		    diag_step_name(r->failed)));
	else if (total > diag_sync_ms(f))
		set_line(r, DIAG_DEADLINE, DIAG_FAIL, total, xasprintf("the steps need %s, more "
		    "than cert-manager %s's %s sync deadline", t, r->cm_version, d));
	else if (r->failed < DIAG_DEADLINE)
		set_line(r, DIAG_DEADLINE, DIAG_SKIP, total, xasprintf("%s used before %s "
		    "failed; cert-manager %s allows %s", t, diag_step_name(r->failed),
		    r->cm_version, d));
	else
		set_line(r, DIAG_DEADLINE, DIAG_OK, total, xasprintf("%s of cert-manager %s's "
		    "%s sync deadline", t, r->cm_version, d));
	free(t);
	free(d);
}

void diag_lines(const struct diag_facts *f, struct diag_report *r)
{
	line_config(f, r);
	line_route(f, r);
	line_dns(f, r);
	line_tcp(f, r);
	line_proxy(f, r);
	line_tls(f, r);
	line_http(f, r);
	line_nonce(f, r);
	line_account(f, r);
	line_deadline(f, r);
}
