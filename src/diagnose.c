/* diagnose.c - `acmectl diagnose`: cert-manager's ACME account setup, step
 * by step, and what went wrong (see diagnose.h).
 *
 * The first half is pure: facts -> report (verdict, step lines, findings,
 * cert-manager's view, advice) and its text and JSON forms. The second half
 * gathers the facts: inputs, the proxy route, then the network steps through
 * probe.c, each under its own deadline and all under cert-manager's sync
 * deadline. It never creates an account or places an order.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509_vfy.h>

#include "certmanager.h"
#include "cli.h"
#include "cmd.h"
#include "diagnose.h"
#include "err.h"
#include "jws.h"
#include "k8s.h"
#include "key.h"
#include "probe.h"
#include "proxy.h"
#include "resolv.h"
#include "store.h"
#include "util.h"

#define HAPPY_EYEBALLS_MS 300  /* Go's fallback delay to the other family */
#define BAD_NONCE_RETRIES 6    /* as cert-manager's ACME client */

static const char *const step_names[DIAG_NSTEPS] = {
	"config", "route", "dns", "tcp", "proxy", "tls", "http", "nonce", "account",
	"deadline",
};

const char *diag_step_name(enum diag_step step)
{
	return step < DIAG_NSTEPS ? step_names[step] : "none";
}

/*
 * Pure helpers.
 */

/* "850 ms", "4.5 s", "10 s", "2 min". Caller frees. */
static char *duration(long long ms)
{
	if (ms < 1000)
		return xasprintf("%lld ms", ms);
	if (ms % 60000 == 0)
		return xasprintf("%lld min", ms / 60000);
	if (ms % 1000 == 0 || ms >= 10000)
		return xasprintf("%lld s", (ms + 500) / 1000);
	return xasprintf("%.1f s", (double)ms / 1000.0);
}

/* host:port, with brackets around an IPv6 address. Caller frees. */
static char *host_port(const char *host, int port)
{
	return strchr(host, ':') != NULL ? xasprintf("[%s]:%d", host, port) :
	    xasprintf("%s:%d", host, port);
}

static bool is_ip(const char *host)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* The path of an URL ("/dir" of "https://h:1/dir"), "/" when none; borrowed. */
static const char *url_path(const char *url)
{
	const char *p = url != NULL ? strstr(url, "://") : NULL, *slash;

	if (p == NULL)
		return "/";
	slash = strchr(p + 3, '/');
	return slash != NULL ? slash : "/";
}

static long sync_ms(const struct diag_facts *f)
{
	struct cm_deadlines d;

	cm_deadlines(&f->cm, &d);
	return d.sync_ms;
}

static bool is_proxied(const struct diag_facts *f)
{
	return f->route == DROUTE_PROXY;
}

static long long total_cm_ms(const struct diag_facts *f, enum diag_step upto)
{
	long long t = 0;

	for (int i = 0; i < (int)upto && i < DIAG_NSTEPS; i++)
		t += f->cm_ms[i];
	return t;
}

/* The attempt Go would report: the first address (its primary). */
static const struct diag_conn *primary_conn(const struct diag_facts *f)
{
	return f->nconns > 0 ? &f->conns[0] : NULL;
}

static bool any_conn_ok(const struct diag_facts *f)
{
	for (size_t i = 0; i < f->nconns; i++)
		if (f->conns[i].result == DCONN_OK)
			return true;
	return false;
}

/* True when every IPv6 attempt failed and there was at least one. */
static bool ipv6_all_failed(const struct diag_facts *f, bool *v4_ok, bool *have_v4)
{
	size_t v6 = 0, v6_failed = 0;

	*v4_ok = *have_v4 = false;
	for (size_t i = 0; i < f->nconns; i++) {
		if (f->conns[i].v6) {
			v6++;
			if (f->conns[i].result != DCONN_OK)
				v6_failed++;
		} else {
			*have_v4 = true;
			if (f->conns[i].result == DCONN_OK)
				*v4_ok = true;
		}
	}
	return v6 > 0 && v6 == v6_failed;
}

/* The server's handshake in the shape of the proxy's. */
static void server_handshake(const struct diag_facts *f, struct diag_handshake *h)
{
	*h = (struct diag_handshake){ .result = f->tls, .error = f->tls_error,
	    .version = f->tls_version, .name_mismatch = f->name_mismatch, .chain = f->chain,
	    .chain_error = f->chain_error, .subject = f->subject, .issuer = f->issuer,
	    .self_signed = f->self_signed, .dns_names = f->dns_names, .ndns = f->ndns,
	    .ip_names = f->ip_names, .nip = f->nip };
}

/* The handshake worked but Go would refuse the certificate (the same
 * checks for the server and an https:// proxy, both skipped by
 * skipTLSVerify, as Go uses one TLS configuration for both). */
static bool checks_fail(const struct diag_facts *f, const struct diag_handshake *h)
{
	return h->result == DTLS_OK && !f->skip_tls_verify &&
	    (h->name_mismatch || h->chain != DCHAIN_OK);
}

static bool tls_checks_fail(const struct diag_facts *f)
{
	struct diag_handshake h;

	server_handshake(f, &h);
	return checks_fail(f, &h);
}

/* Go would refuse the certificate of the https:// proxy. */
static bool proxy_checks_fail(const struct diag_facts *f)
{
	return f->proxy_tls && checks_fail(f, &f->proxy_handshake);
}

/* The TLS handshake with an https:// proxy did not complete. */
static bool proxy_handshake_failed(const struct diag_facts *f)
{
	return f->proxy_tls && (f->proxy_handshake.result == DTLS_TIMEOUT ||
	    f->proxy_handshake.result == DTLS_FAILED);
}

static bool is_auth_status(int code)
{
	/* some proxies (tinyproxy) answer missing credentials with 401 */
	return code == 407 || code == 401;
}

/* The verdict of a timeout in the HTTP steps. */
static const char *http_timeout_verdict(const struct diag_facts *f)
{
	return f->sync_cut ? "deadline_exceeded" : "http_timeout";
}

/* Decides the verdict and the step it comes from. with_hijack false
 * ignores the search-domain analysis (to find what cert-manager sees). */
static const char *decide(const struct diag_facts *f, bool with_hijack, enum diag_step *step)
{
	const struct diag_conn *c;
	bool px = is_proxied(f);

	if (f->config != DCONF_OK) {
		*step = DIAG_CONFIG;
		return "config_invalid";
	}
	*step = DIAG_ROUTE;
	if (f->route == DROUTE_REFUSED)
		return "config_invalid";
	*step = DIAG_DNS;
	if (f->dns == DDNS_NOTFOUND || f->dns == DDNS_SERVFAIL || f->dns == DDNS_TIMEOUT)
		return px ? "proxy_unreachable" : "dns_failure";
	if (with_hijack && !px && f->hijack_domain != NULL)
		return "dns_search_hijack";
	*step = DIAG_TCP;
	if (f->nconns > 0 && !any_conn_ok(f)) {
		if (px)
			return "proxy_unreachable";
		c = primary_conn(f);
		return c->result == DCONN_TIMEOUT ? "connect_timeout" : "connect_refused";
	}
	*step = DIAG_PROXY;
	if (f->proxy_speaks == DSPEAKS_HTTP)
		return "proxy_speaks_http";
	if (f->proxy_speaks == DSPEAKS_TLS)
		return "proxy_speaks_tls";
	if (proxy_handshake_failed(f))
		return "proxy_tls_failed";
	if (proxy_checks_fail(f))
		return "proxy_tls_untrusted";
	switch (f->tunnel) {
	case DTUN_TIMEOUT:
	case DTUN_CLOSED:
		return "proxy_unreachable";
	case DTUN_STATUS:
		return is_auth_status(f->tunnel_code) ? "proxy_auth_required" : "proxy_refused";
	default:
		break;
	}
	*step = DIAG_TLS;
	if (f->tls == DTLS_TIMEOUT)
		return "tls_timeout";
	if (f->tls == DTLS_FAILED)
		return "tls_failed";
	if (tls_checks_fail(f))
		return f->name_mismatch ? "tls_name_mismatch" : "tls_untrusted";
	*step = DIAG_HTTP;
	if (f->http == DHTTP_TIMEOUT)
		return http_timeout_verdict(f);
	if (f->http == DHTTP_FAILED || f->http == DHTTP_NOT_ACME)
		return "not_acme_directory";
	*step = DIAG_NONCE;
	if (f->nonce == DNONCE_TIMEOUT)
		return http_timeout_verdict(f);
	if (f->nonce == DNONCE_MISSING || f->nonce == DNONCE_FAILED)
		return "not_acme_directory";
	*step = DIAG_ACCOUNT;
	if (f->account == DACCT_TIMEOUT)
		return http_timeout_verdict(f);
	if (f->account == DACCT_FAILED)
		return "account_error";
	/* a missing account is registered, if there is time for it */
	*step = DIAG_DEADLINE;
	if (f->sync_cut || total_cm_ms(f, DIAG_NSTEPS) > sync_ms(f))
		return "deadline_exceeded";
	*step = DIAG_ACCOUNT;
	if (f->account == DACCT_NOT_FOUND)
		return "account_not_found";
	*step = DIAG_NSTEPS;
	return "ok";
}

/*
 * The report.
 */

static void set_line(struct diag_report *r, enum diag_step step, enum diag_status status,
    long long ms, char *detail)
{
	free(r->steps[step].detail);
	r->steps[step].status = status;
	r->steps[step].ms = ms;
	r->steps[step].detail = detail;
}

static void add_finding(struct diag_report *r, const char *id, char *detail)
{
	r->findings = xrealloc(r->findings, (r->nfindings + 1) * sizeof(*r->findings));
	r->findings[r->nfindings].id = id;
	r->findings[r->nfindings].detail = detail;
	r->nfindings++;
}

static void add_advice(struct diag_report *r, char *text)
{
	r->advice = xrealloc(r->advice, (r->nadvice + 1) * sizeof(*r->advice));
	r->advice[r->nadvice++] = text;
}

bool diag_has_finding(const struct diag_report *r, const char *id)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i].id, id) == 0)
			return true;
	return false;
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
	char *deadline = duration(sync_ms(f)), *key;
	const char *v2 = cm_v1_replacement(f->server);

	key = f->key_desc != NULL ? xasprintf("%s from %s", f->key_desc,
	    f->key_source != NULL ? f->key_source : "?") : xstrdup("none known");
	switch (f->config) {
	case DCONF_OK:
		set_line(r, DIAG_CONFIG, DIAG_OK, f->ms[DIAG_CONFIG],
		    xasprintf("%s (%s); cert-manager %s: %s sync deadline; account key: %s",
		    f->server, f->server_source != NULL ? f->server_source : "--server",
		    r->cm_version, deadline, key));
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
	case DCONF_INVALID:
		set_line(r, DIAG_CONFIG, DIAG_FAIL, f->ms[DIAG_CONFIG],
		    xstrdup(f->config_problem != NULL ? f->config_problem : "invalid"));
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

static void line_dns(const struct diag_facts *f, struct diag_report *r)
{
	const char *name = f->dns_name != NULL ? f->dns_name : f->host;
	const char *ns = f->nameserver != NULL ? f->nameserver : "the local resolver";
	const char *role = is_proxied(f) ? "proxy host " : "";
	char *d = NULL, *t;
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
		if (f->hijack_domain != NULL && !is_proxied(f)) {
			d = xasprintf("%s -> %s, answered for %s.%s. from the search domain %s "
			    "(ndots:%d puts it first); the name itself, %s., -> %s", name,
			    f->dns_answer, name, f->hijack_domain, f->hijack_domain, f->ndots,
			    name, f->absolute_answer != NULL ? f->absolute_answer : "?");
			break;
		}
		st = DIAG_OK;
		d = xasprintf("%s%s -> %s%s", role, name, f->dns_answer,
		    is_proxied(f) ? " (the proxy resolves the ACME host)" : "");
		break;
	case DDNS_NOTFOUND:
		d = xasprintf("%s%s: no such host (asked %s)", role, name, ns);
		break;
	case DDNS_SERVFAIL:
		d = xasprintf("%s%s: the resolver failed (%s; asked %s)", role, name,
		    f->dns_error != NULL ? f->dns_error : "SERVFAIL", ns);
		break;
	case DDNS_TIMEOUT:
		t = duration(f->ms[DIAG_DNS]);
		d = xasprintf("%s%s: no answer within %s (asked %s)", role, name, t, ns);
		free(t);
		break;
	}
	set_line(r, DIAG_DNS, st, f->ms[DIAG_DNS], d);
}

static char *conn_text(const struct diag_conn *c, int port)
{
	char *hp = host_port(c->addr, port), *t = NULL, *s;

	switch (c->result) {
	case DCONN_OK:
		s = xasprintf("%s connected in %lld ms", hp, c->ms);
		break;
	case DCONN_TIMEOUT:
		t = duration(c->ms);
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
	int port = is_proxied(f) ? f->proxy_port : f->port;
	char **parts, *all;

	if (f->nconns == 0) {
		set_line(r, DIAG_TCP, DIAG_SKIP, 0, not_run(r, DIAG_TCP));
		return;
	}
	parts = xcalloc(f->nconns, sizeof(*parts));
	for (size_t i = 0; i < f->nconns; i++)
		parts[i] = conn_text(&f->conns[i], port);
	all = str_join((const char *const *)parts, f->nconns, "; ");
	set_line(r, DIAG_TCP, any_conn_ok(f) ? DIAG_OK : DIAG_FAIL, f->ms[DIAG_TCP],
	    is_proxied(f) ? xasprintf("proxy %s", all) : xstrdup(all));
	for (size_t i = 0; i < f->nconns; i++)
		free(parts[i]);
	free(parts);
	free(all);
}

/* "localhost, 127.0.0.1" or "no names". Caller frees. */
static char *san_list(const struct diag_handshake *h)
{
	char *dns = str_join(h->dns_names, h->ndns, ", "), *ip = str_join(h->ip_names, h->nip, ", "), *s;

	if (h->ndns == 0 && h->nip == 0)
		s = xstrdup("no names (no subjectAltName)");
	else
		s = xasprintf("%s%s%s", dns, h->ndns > 0 && h->nip > 0 ? ", " : "", ip);
	free(dns);
	free(ip);
	return s;
}

/* What a completed handshake with host showed: version, subject, issuer,
 * names, the name check and the chain. Caller frees. */
static char *handshake_text(const struct diag_facts *f, const struct diag_handshake *h,
    const char *host, bool proxy)
{
	const char *trust = f->trust != NULL ? f->trust : "the system store";
	char *sans = san_list(h), *chain, *s;

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
	char *hp = host_port(f->proxy_host != NULL ? f->proxy_host : "?", f->proxy_port);
	char *t, *s = NULL;

	if (f->proxy_speaks == DSPEAKS_TLS) {
		t = handshake_text(f, h, f->proxy_host, true);
		s = xasprintf("a TLS handshake with %s on a new connection worked (%s): the "
		    "port speaks TLS, not plain HTTP", hp, t);
		free(t);
	} else if (f->proxy_tls && h->result == DTLS_TIMEOUT) {
		t = duration(f->ms[DIAG_PROXY]);
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
	char *target = host_port(f->host, f->port), *t, *s = NULL;
	const char *creds = f->proxy_credentials ? "credentials sent" : "no credentials sent";
	const char *reason = f->tunnel_reason ? f->tunnel_reason : "";

	if (f->proxy_speaks == DSPEAKS_HTTP) {
		s = xasprintf("CONNECT %s in the clear on a new connection -> %d %s: the proxy "
		    "speaks plain HTTP, not TLS", target, f->tunnel_code, reason);
		free(target);
		return s;
	}
	switch (f->tunnel) {
	case DTUN_NOT_RUN:
		break;
	case DTUN_OK:
	case DTUN_STATUS:
		s = xasprintf("CONNECT %s -> %d %s (%s)", target, f->tunnel_code, reason, creds);
		break;
	case DTUN_TIMEOUT:
		t = duration(f->ms[DIAG_PROXY]);
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
	    proxy_checks_fail(f);

	if (tls == NULL && connect == NULL)
		set_line(r, DIAG_PROXY, DIAG_SKIP, 0, f->route == DROUTE_DIRECT &&
		    any_conn_ok(f) ? xstrdup("direct route: no proxy") :
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
		set_line(r, DIAG_TLS, DIAG_SKIP, 0, not_run(r, DIAG_TLS));
		return;
	case DTLS_TIMEOUT:
		t = duration(f->ms[DIAG_TLS]);
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
	server_handshake(f, &h);
	set_line(r, DIAG_TLS, checks_fail(f, &h) ? DIAG_FAIL : DIAG_OK, f->ms[DIAG_TLS],
	    handshake_text(f, &h, f->host, false));
}

static void line_http(const struct diag_facts *f, struct diag_report *r)
{
	const char *path = url_path(f->server), *ct = f->content_type ? f->content_type :
	    "no Content-Type";
	char *t;

	switch (f->http) {
	case DHTTP_NOT_RUN:
		set_line(r, DIAG_HTTP, DIAG_SKIP, 0, not_run(r, DIAG_HTTP));
		break;
	case DHTTP_OK:
		set_line(r, DIAG_HTTP, DIAG_OK, f->ms[DIAG_HTTP], xasprintf("GET %s -> %d %s; "
		    "newNonce, newAccount and newOrder present", path, f->http_status, ct));
		break;
	case DHTTP_TIMEOUT:
		t = duration(f->ms[DIAG_HTTP]);
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

static void line_account(const struct diag_facts *f, struct diag_report *r)
{
	char *t;

	switch (f->account) {
	case DACCT_NOT_RUN:
		set_line(r, DIAG_ACCOUNT, DIAG_SKIP, 0, not_run(r, DIAG_ACCOUNT));
		break;
	case DACCT_NO_KEY:
		set_line(r, DIAG_ACCOUNT, DIAG_SKIP, 0, xstrdup("no account key known (give "
		    "--account-key, or --secret with --from-issuer); nothing checked"));
		break;
	case DACCT_FOUND:
		set_line(r, DIAG_ACCOUNT, DIAG_OK, f->ms[DIAG_ACCOUNT], xasprintf("the key has "
		    "the account %s (asked with onlyReturnExisting: nothing created)",
		    f->account_url ? f->account_url : "?"));
		break;
	case DACCT_NOT_FOUND:
		t = cm_url_host(f->server);
		set_line(r, DIAG_ACCOUNT, DIAG_FAIL, f->ms[DIAG_ACCOUNT], xasprintf("no account "
		    "for this key at %s (%s)", t, f->account_problem ? f->account_problem :
		    "accountDoesNotExist"));
		free(t);
		break;
	case DACCT_TIMEOUT:
	case DACCT_FAILED:
		set_line(r, DIAG_ACCOUNT, DIAG_FAIL, f->ms[DIAG_ACCOUNT], xasprintf("POST "
		    "newAccount (onlyReturnExisting): %s", f->account_problem ?
		    f->account_problem : "no response"));
		break;
	}
}

static void line_deadline(const struct diag_facts *f, struct diag_report *r)
{
	long long total = total_cm_ms(f, DIAG_NSTEPS);
	char *t = duration(total), *d = duration(sync_ms(f));

	if (f->sync_cut)
		set_line(r, DIAG_DEADLINE, DIAG_FAIL, total, xasprintf("stopped at cert-manager "
		    "%s's %s sync deadline, still waiting for the %s step", r->cm_version, d,
		    diag_step_name(r->failed)));
	else if (total > sync_ms(f))
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

/*
 * What cert-manager would show.
 */

/* "tls: failed to verify certificate: " for the Go versions that add it. */
static const char *tls_prefix(const struct diag_facts *f)
{
	return cm_wraps_tls_verify_errors(&f->cm) ? "tls: failed to verify certificate: " : "";
}

/* Go's "dial tcp ADDR: ..." for one failed attempt. Caller frees. */
static char *go_dial_error(const struct diag_conn *c, int port)
{
	char *hp, *s, *what;

	switch (c->result) {
	case DCONN_REFUSED:
		return cm_err_dial_refused(c->addr, port);
	case DCONN_TIMEOUT:
		return cm_err_dial_timeout(c->addr, port);
	default:
		break;
	}
	/* Go's syscall errors are lower case: "network is unreachable" */
	what = xstrdup(c->error != NULL ? c->error : "failed");
	what[0] = (char)tolower((unsigned char)what[0]);
	hp = host_port(c->addr, port);
	s = xasprintf("dial tcp %s: connect: %s", hp, what);
	free(hp);
	free(what);
	return s;
}

/* Go's error for a certificate of host that it refuses. Caller frees. */
static char *go_x509_error(const struct diag_facts *f, const struct diag_handshake *h,
    const char *host)
{
	if (h->name_mismatch)
		return cm_err_x509_name(&f->cm, is_ip(host) ? h->ip_names : h->dns_names,
		    is_ip(host) ? h->nip : h->ndns, host);
	if (h->chain == DCHAIN_UNKNOWN_CA)
		return cm_err_x509_unknown_authority(&f->cm);
	if (h->chain == DCHAIN_EXPIRED)
		return xasprintf("%sx509: certificate has expired or is not yet valid",
		    tls_prefix(f));
	return xasprintf("%sx509: %s", tls_prefix(f), h->chain_error != NULL ?
	    h->chain_error : "certificate not valid");
}

/* Go's error for TLS with an https:// proxy that failed or whose
 * certificate it refuses ("proxyconnect tcp: ..."), and its cost. Caller
 * frees. */
static char *go_proxy_tls_error(const struct diag_facts *f, const struct cm_deadlines *dl,
    long long *cost)
{
	const struct diag_handshake *h = &f->proxy_handshake;
	char *detail, *s;

	if (h->result == DTLS_TIMEOUT) {
		*cost = dl->tls_handshake_ms;
		detail = cm_err_tls_handshake_timeout();
	} else if (h->result == DTLS_FAILED) {
		detail = f->proxy_speaks == DSPEAKS_HTTP ? cm_err_tls_not_tls() :
		    xstrdup(h->error != NULL ? h->error : "handshake failure");
	} else {
		detail = go_x509_error(f, h, f->proxy_host);
	}
	s = cm_err_proxyconnect(detail);
	free(detail);
	return s;
}

/* Go's error for a failure at step, and how long cert-manager would spend
 * reaching it (*cost). Caller frees. */
static char *go_error(const struct diag_facts *f, enum diag_step step, long long *cost,
    bool *acme_4xx)
{
	struct cm_deadlines dl;
	struct diag_handshake h;
	const struct diag_conn *c;
	const char *name = f->dns_name != NULL ? f->dns_name : f->host;
	char *detail = NULL, *wrapped, *tmp;
	const char *method = "GET", *url = f->server;

	cm_deadlines(&f->cm, &dl);
	*acme_4xx = false;
	*cost = f->ms[step];
	switch (step) {
	case DIAG_ROUTE:
		detail = xstrdup(f->route_reason != NULL ? f->route_reason : "invalid proxy");
		break;
	case DIAG_DNS:
		if (f->dns == DDNS_NOTFOUND)
			detail = cm_err_dns_not_found(name, f->nameserver);
		else if (f->dns == DDNS_SERVFAIL)
			detail = cm_err_dns_servfail(name, f->nameserver);
		else {
			detail = cm_err_dns_timeout(name, f->nameserver);
			if (f->dns_cm_timeout_ms > *cost)
				*cost = f->dns_cm_timeout_ms;
		}
		break;
	case DIAG_TCP:
		c = primary_conn(f);
		detail = go_dial_error(c, is_proxied(f) ? f->proxy_port : f->port);
		if (c->result == DCONN_TIMEOUT)
			*cost = dl.dial_ms;
		break;
	case DIAG_PROXY:
		/* Go's TLS with an https:// proxy is part of its dial */
		if (proxy_handshake_failed(f) || proxy_checks_fail(f)) {
			detail = go_proxy_tls_error(f, &dl, cost);
			break;
		}
		if (f->tunnel == DTUN_STATUS)
			return cm_err_url(method, url, f->tunnel_reason != NULL ?
			    f->tunnel_reason : "unknown status code");
		if (f->tunnel == DTUN_TIMEOUT) {
			*cost = dl.http_client_ms;
			detail = cm_err_client_timeout();
		} else
			detail = xstrdup("EOF");
		break;
	case DIAG_TLS:
		if (f->tls == DTLS_TIMEOUT) {
			*cost = dl.tls_handshake_ms;
			detail = cm_err_tls_handshake_timeout();
		} else if (f->tls == DTLS_FAILED) {
			detail = xstrdup(f->tls_error != NULL ? f->tls_error : "handshake failure");
		} else {
			server_handshake(f, &h);
			detail = go_x509_error(f, &h, f->host);
		}
		break;
	case DIAG_HTTP:
		if (f->http == DHTTP_TIMEOUT) {
			*cost = dl.http_client_ms;
			detail = cm_err_client_timeout();
		} else if (f->http == DHTTP_NOT_ACME && f->go_error != NULL) {
			return xstrdup(f->go_error);
		} else {
			detail = xstrdup(f->http_error != NULL ? f->http_error : "EOF");
		}
		break;
	case DIAG_NONCE:
		method = "HEAD";
		url = f->new_nonce_url != NULL ? f->new_nonce_url : "";
		if (f->nonce == DNONCE_MISSING)
			return xstrdup("acme: nonce not found");
		if (f->nonce == DNONCE_TIMEOUT) {
			*cost = dl.http_client_ms;
			detail = cm_err_client_timeout();
		} else
			detail = xstrdup(f->nonce_error != NULL ? f->nonce_error : "EOF");
		break;
	case DIAG_ACCOUNT:
		method = "POST";
		url = f->new_account_url != NULL ? f->new_account_url : "";
		if (f->account == DACCT_FAILED && f->account_4xx) {
			*acme_4xx = true;
			return xasprintf("%d %s", f->account_status, f->account_problem != NULL ?
			    f->account_problem : "");
		}
		if (f->account == DACCT_TIMEOUT) {
			*cost = dl.http_client_ms;
			detail = cm_err_client_timeout();
		} else
			detail = xstrdup(f->account_problem != NULL ? f->account_problem : "EOF");
		break;
	default:
		return xstrdup(CM_ERR_DEADLINE);
	}
	if (is_proxied(f) && (step == DIAG_DNS || step == DIAG_TCP)) {
		tmp = cm_err_proxyconnect(detail);
		free(detail);
		detail = tmp;
	}
	wrapped = cm_err_url(method, url, detail);
	free(detail);
	return wrapped;
}

static void invalid_view(const char *message, struct cm_view *out)
{
	memset(out, 0, sizeof(*out));
	out->status = "False";
	out->reason = "InvalidConfig";
	out->message = xstrdup(message);
}

static void cm_for(const struct diag_facts *f, const char *verdict, enum diag_step step,
    struct cm_view *out)
{
	long long cost = 0;
	bool acme_4xx = false;
	char *err;

	if (step == DIAG_CONFIG) {
		if (f->config == DCONF_V1_SERVER && cm_view_v1_server(f->server, out))
			return;
		if (f->config == DCONF_KEY_NOT_RSA) {
			cm_view_key_not_rsa(f->key_secret_name, out);
			return;
		}
		invalid_view(f->config_problem != NULL ? f->config_problem :
		    "the Issuer is invalid", out);
		return;
	}
	if (strcmp(verdict, "dns_search_hijack") == 0) {
		/* cert-manager sees what the hijacked address does */
		verdict = decide(f, false, &step);
		cm_for(f, verdict, step, out);
		return;
	}
	if (step == DIAG_NSTEPS || strcmp(verdict, "account_not_found") == 0) {
		/* cert-manager registers a new account where none exists */
		if (!f->sync_cut && total_cm_ms(f, DIAG_NSTEPS) <= sync_ms(f)) {
			cm_view_registered(&f->cm, out);
			return;
		}
		step = DIAG_DEADLINE;
	}
	err = go_error(f, step, &cost, &acme_4xx);
	if (f->sync_cut || step == DIAG_DEADLINE || total_cm_ms(f, step) + cost >= sync_ms(f)) {
		/* the sync context ran out while this was still in flight */
		free(err);
		err = xstrdup(CM_ERR_DEADLINE);
		acme_4xx = false;
	}
	cm_view_register_failed(&f->cm, err, acme_4xx, out);
	free(err);
}

/*
 * Findings and advice.
 */

static const char *conn_outcome(const struct diag_conn *c)
{
	switch (c->result) {
	case DCONN_OK:
		return "connected";
	case DCONN_REFUSED:
		return "refused";
	case DCONN_TIMEOUT:
		return "no answer";
	default:
		return c->error != NULL ? c->error : "failed";
	}
}

static void find_ipv6(const struct diag_facts *f, struct diag_report *r)
{
	const struct diag_conn *v6 = NULL;
	const char *name = f->dns_name != NULL ? f->dns_name : f->host;
	bool v4_ok, have_v4;

	if (!ipv6_all_failed(f, &v4_ok, &have_v4) || (have_v4 && !v4_ok))
		return;
	for (size_t i = 0; i < f->nconns && v6 == NULL; i++)
		if (f->conns[i].v6)
			v6 = &f->conns[i];
	if (v4_ok)
		add_finding(r, "ipv6_broken", xasprintf("%s has an IPv6 address (AAAA) but IPv6 "
		    "fails from here ([%s]: %s) while IPv4 connects; Go, and so cert-manager, "
		    "races both families (happy eyeballs: the other family 300 ms later), so "
		    "this slows the setup but does not fail it", name, v6->addr,
		    conn_outcome(v6)));
	else
		add_finding(r, "ipv6_broken", xasprintf("%s has only IPv6 addresses (AAAA) and "
		    "IPv6 does not work from here ([%s]: %s)", name, v6->addr, conn_outcome(v6)));
}

static void find_all(const struct diag_facts *f, struct diag_report *r)
{
	const struct diag_handshake *ph = &f->proxy_handshake;
	char *known_host, *server_host, *t;
	long long total = total_cm_ms(f, DIAG_NSTEPS);

	if (f->route != DROUTE_NOT_RUN)
		for (size_t i = 0; i < f->nwarnings; i++)
			add_finding(r, f->warnings[i].id, xstrdup(f->warnings[i].text));
	find_ipv6(f, r);
	if (f->skip_tls_verify && f->tls == DTLS_OK && (f->name_mismatch || f->chain != DCHAIN_OK))
		add_finding(r, "tls_verify_skipped", xasprintf("skipTLSVerify is set: cert-manager "
		    "accepts this certificate although %s; anyone on the path could answer "
		    "for the CA", f->name_mismatch ? "it is not valid for the host" :
		    "its issuer is not trusted"));
	else if (f->skip_tls_verify && f->proxy_tls && ph->result == DTLS_OK &&
	    (ph->name_mismatch || ph->chain != DCHAIN_OK))
		add_finding(r, "tls_verify_skipped", xasprintf("skipTLSVerify is set: cert-manager "
		    "accepts the certificate of the proxy %s although %s (Go skips the checks "
		    "for the proxy too); anyone on the path could answer for it",
		    f->proxy_shown, ph->name_mismatch ? "it is not valid for the proxy's name" :
		    "its issuer is not trusted"));
	if (f->search_domain != NULL && f->dns == DDNS_OK)
		add_finding(r, "dns_search_domain", xasprintf("%s. does not resolve; the answer "
		    "came from the search domain %s (%s.%s.): fine for a cluster service name, "
		    "a trap when %s has a wildcard record", f->dns_name, f->search_domain,
		    f->dns_name, f->search_domain, f->search_domain));
	if (f->key_not_rsa)
		add_finding(r, "key_not_rsa", xasprintf("the account key (%s, from %s) is fine for "
		    "acmectl, but cert-manager accepts only RSA account keys", f->key_desc,
		    f->key_source != NULL ? f->key_source : "?"));
	if (f->issuer_condition != NULL)
		add_finding(r, "issuer_status", xasprintf("the manifest's Ready condition: %s",
		    f->issuer_condition));
	if (f->email != NULL && f->registered_email != NULL &&
	    strcasecmp(f->email, f->registered_email) != 0)
		add_finding(r, "email_changed", xasprintf("spec.acme.email is %s but the account "
		    "was registered with %s: cert-manager updates the account's contact "
		    "(ErrUpdateACMEAccount if the CA refuses)", f->email, f->registered_email));
	if (f->key_hash_changed)
		add_finding(r, "key_hash_changed", xstrdup("status.acme.lastPrivateKeyHash "
		    "belongs to another key: cert-manager registers this key again"));
	if (f->known_account_url != NULL && f->known_account_url[0] != '\0' &&
	    cm_account_host_differs(f->server, f->known_account_url)) {
		known_host = cm_url_host(f->known_account_url);
		server_host = cm_url_host(f->server);
		add_finding(r, "account_host_mismatch", xasprintf("the account URL %s (%s) is on "
		    "%s, the server on %s: cert-manager logs \"ACME server URL host and ACME "
		    "private key registration host differ. Re-checking ACME account "
		    "registration\", clears status.acme.uri and registers the key at the "
		    "server; that line is informational, not the failure",
		    f->known_account_url, f->known_account_source != NULL ?
		    f->known_account_source : "known", known_host, server_host));
		free(known_host);
		free(server_host);
	}
	if (f->account == DACCT_NOT_FOUND) {
		server_host = cm_url_host(f->server);
		add_finding(r, "account_not_found", xasprintf("the key has no account at %s: "
		    "cert-manager would register a new account for it there, not find an "
		    "old one", server_host));
		free(server_host);
	}
	if (!cm_short_deadline(&f->cm) && !f->sync_cut && total > 10000) {
		t = duration(total);
		add_finding(r, "slow_ca", xasprintf("the steps need %s: cert-manager releases "
		    "with the 10 s sync deadline (v1.7.2 and older, v1.8.0, v1.8.1) would fail "
		    "with \"context deadline exceeded\"", t));
		free(t);
	}
}

/* "http://proxy:3128 (HTTPS_PROXY)". Caller frees. */
static char *proxy_label(const struct diag_facts *f)
{
	return xasprintf("%s (%s)", f->proxy_shown != NULL ? f->proxy_shown : "the proxy",
	    f->proxy_source != NULL ? f->proxy_source : "proxy setting");
}

static bool has_ingress_local(const struct diag_facts *f)
{
	for (size_t i = 0; i < f->ndns; i++)
		if (strcasecmp(f->dns_names[i], "ingress.local") == 0)
			return true;
	return false;
}

static void advise_tls(const struct diag_facts *f, const char *verdict, struct diag_report *r)
{
	struct diag_handshake h;
	char *sans, *target = host_port(f->host, f->port);

	if (strcmp(verdict, "tls_timeout") == 0) {
		add_advice(r, xasprintf("the TLS handshake with %s does not finish: a middlebox "
		    "dropping TLS (SNI filtering) or an overloaded server; cert-manager gives "
		    "up after 10 s (net/http TLS handshake timeout)", target));
	} else if (strcmp(verdict, "tls_failed") == 0) {
		add_advice(r, xasprintf("%s does not complete a TLS handshake (%s): check that "
		    "the port in spec.acme.server speaks HTTPS and that nothing on the path "
		    "resets TLS connections", target, f->tls_error ? f->tls_error : "?"));
	} else if (strcmp(verdict, "tls_name_mismatch") == 0) {
		server_handshake(f, &h);
		sans = san_list(&h);
		add_advice(r, xasprintf("the certificate answering for %s is valid for %s: the "
		    "connection reached another server. Check what %s resolves to (the dns "
		    "step) and any transparent proxy", f->host, sans, f->host));
		if (has_ingress_local(f))
			add_advice(r, xasprintf("\"ingress.local\" is the default certificate of "
			    "ingress-nginx: a wildcard record or a search domain sends %s to the "
			    "cluster's own ingress controller", f->host));
		free(sans);
	} else if (f->chain == DCHAIN_EXPIRED) {
		add_advice(r, xasprintf("the certificate of %s is not valid now (%s): check the "
		    "server's certificate and this host's clock", f->host,
		    f->chain_error ? f->chain_error : "expired"));
	} else if (f->self_signed) {
		add_advice(r, xasprintf("%s presents a self-signed certificate (%s): if that is "
		    "really the CA, give cert-manager the certificate in spec.acme.caBundle "
		    "(base64 PEM; here: --ca-bundle)", f->host, f->subject ? f->subject : "?"));
	} else {
		add_advice(r, xasprintf("%s is not a known CA here: if it is a TLS-intercepting "
		    "proxy or firewall, exempt %s from interception or put that CA into "
		    "spec.acme.caBundle (base64 PEM; here: --ca-bundle); for a private ACME CA, "
		    "put its root there", f->issuer ? f->issuer : "the issuer", f->host));
	}
	free(target);
}

/* How to make cert-manager trust the certificate of an https:// proxy. */
static void advise_proxy_trust(const struct diag_facts *f, const char *px,
    struct diag_report *r)
{
	const struct diag_handshake *h = &f->proxy_handshake;
	const char *issuer = h->issuer != NULL ? h->issuer : "?";

	if (f->trust_issuer_bundle)
		add_advice(r, xasprintf("cert-manager verifies %s with spec.acme.caBundle alone "
		    "(Go uses one TLS configuration for the proxy and the CA): add the proxy's "
		    "CA (%s) to caBundle (here: --ca-bundle)", px, issuer));
	else
		add_advice(r, xasprintf("cert-manager verifies %s with the system roots, which "
		    "do not hold its CA (%s%s): mount a PEM bundle holding that CA into the "
		    "cert-manager pod and set SSL_CERT_FILE to its path in the Deployment (Go "
		    "reads it instead of the image's bundle, plus /etc/ssl/certs or "
		    "SSL_CERT_DIR); here: --ca-bundle FILE or SSL_CERT_FILE=FILE", px, issuer,
		    h->self_signed ? ", a self-signed certificate" : ""));
}

/* Advice for the proxy_tls_* and proxy_speaks_* verdicts. */
static void advise_proxy_tls(const struct diag_facts *f, const char *verdict,
    const char *px, struct diag_report *r)
{
	const struct diag_handshake *h = &f->proxy_handshake;
	char *hp = host_port(f->proxy_host != NULL ? f->proxy_host : "?", f->proxy_port);
	char *sans;

	if (strcmp(verdict, "proxy_speaks_http") == 0) {
		add_advice(r, xasprintf("%s is a plain HTTP proxy (it answers CONNECT in the "
		    "clear and no TLS): write it as http://%s in HTTPS_PROXY of cert-manager's "
		    "Deployment (here: --proxy or HTTPS_PROXY)", px, hp));
	} else if (strcmp(verdict, "proxy_speaks_tls") == 0) {
		add_advice(r, xasprintf("%s speaks TLS (it dropped the CONNECT in the clear, a "
		    "TLS handshake worked): write it as https://%s in HTTPS_PROXY of "
		    "cert-manager's Deployment (here: --proxy or HTTPS_PROXY)", px, hp));
		if (checks_fail(f, h))
			advise_proxy_trust(f, px, r);
	} else if (strcmp(verdict, "proxy_tls_failed") == 0) {
		add_advice(r, xasprintf("%s does not complete a TLS handshake (%s), and it does "
		    "not answer a CONNECT in the clear either: check that %s is the proxy's "
		    "TLS port and that it accepts TLS 1.2 or 1.3", px, h->result ==
		    DTLS_TIMEOUT ? "no answer" : h->error != NULL ? h->error : "?", hp));
	} else if (h->name_mismatch) {
		sans = san_list(h);
		add_advice(r, xasprintf("the certificate of %s is valid for %s, not %s: write "
		    "the proxy in HTTPS_PROXY with a name the certificate holds, or give the "
		    "proxy a certificate for %s", px, sans, f->proxy_host, f->proxy_host));
		free(sans);
	} else if (h->chain == DCHAIN_EXPIRED) {
		add_advice(r, xasprintf("the certificate of %s is not valid now (%s): renew it, "
		    "and check this host's clock", px, h->chain_error ? h->chain_error :
		    "expired"));
	} else {
		advise_proxy_trust(f, px, r);
	}
	free(hp);
}

static void advise_verdict(const struct diag_facts *f, const char *verdict,
    struct diag_report *r)
{
	struct cm_deadlines dl;
	const char *name = f->dns_name != NULL ? f->dns_name : f->host;
	const char *ns = f->nameserver != NULL ? f->nameserver : "the local resolver";
	const char *v2;
	const struct diag_conn *c = primary_conn(f);
	char *px = proxy_label(f), *hp, *t1, *t2, *t3;

	cm_deadlines(&f->cm, &dl);
	if (strcmp(verdict, "ok") == 0) {
		add_advice(r, xasprintf("nothing to change on this path; if the Issuer is still "
		    "not Ready, run this from the cert-manager pod's network namespace, with "
		    "its proxy environment and resolv.conf (--resolv-conf)"));
	} else if (strcmp(verdict, "config_invalid") == 0) {
		if (f->config == DCONF_V1_SERVER && (v2 = cm_v1_replacement(f->server)) != NULL)
			add_advice(r, xasprintf("set spec.acme.server to %s", v2));
		else if (f->config == DCONF_KEY_NOT_RSA)
			add_advice(r, xasprintf("store an RSA key (PEM, PKCS#1 or PKCS#8) in the "
			    "Secret %s, or delete the Secret so cert-manager generates an RSA 2048 "
			    "key (that is a new account)", f->key_secret_name ?
			    f->key_secret_name : "named by privateKeySecretRef"));
		else if (f->config == DCONF_INVALID)
			add_advice(r, xasprintf("fix the Issuer: %s", f->config_problem ?
			    f->config_problem : "see the config step"));
		else
			add_advice(r, xasprintf("fix the proxy setting: %s", f->route_reason ?
			    f->route_reason : "see the route step"));
	} else if (strcmp(verdict, "dns_failure") == 0) {
		if (f->dns == DDNS_NOTFOUND)
			add_advice(r, xasprintf("%s does not resolve via %s: check the host name in "
			    "spec.acme.server, and that the cluster DNS (CoreDNS) forwards to a "
			    "resolver that knows it", name, ns));
		else
			add_advice(r, xasprintf("%s did not answer for %s: check that DNS egress "
			    "(UDP and TCP port 53) is allowed and that CoreDNS's upstream is "
			    "reachable", ns, name));
	} else if (strcmp(verdict, "dns_search_hijack") == 0) {
		add_advice(r, xasprintf("drop the search domain %s from the resolver "
		    "configuration (pod dnsConfig or the node's resolv.conf), or lower ndots "
		    "(dnsConfig option ndots:1) so %s is tried as given first",
		    f->hijack_domain, name));
		add_advice(r, xasprintf("or remove the wildcard record *.%s that answers for "
		    "%s.%s", f->hijack_domain, name, f->hijack_domain));
		add_advice(r, xasprintf("or write the host with a trailing dot in "
		    "spec.acme.server (https://%s.%s): an absolute name never goes through "
		    "the search list", name, url_path(f->server)));
	} else if (strcmp(verdict, "connect_timeout") == 0) {
		hp = host_port(c->addr, f->port);
		if (f->no_proxy_matched)
			add_advice(r, xasprintf("%s sends %s direct, and direct connections to %s "
			    "are dropped: remove that entry so the request goes through the "
			    "proxy, then restart cert-manager", f->route_reason, f->host, hp));
		else
			add_advice(r, xasprintf("nothing answers from %s: packets are dropped "
			    "(firewall, NetworkPolicy, no egress route). Allow egress to port %d/tcp, "
			    "or, if this network needs a proxy, set HTTPS_PROXY (and NO_PROXY for "
			    "in-cluster names) in cert-manager's Deployment and restart it", hp,
			    f->port));
		free(hp);
	} else if (strcmp(verdict, "connect_refused") == 0) {
		hp = host_port(c->addr, f->port);
		t1 = c->result == DCONN_REFUSED ? xstrdup("") :
		    xasprintf(" (%s)", conn_outcome(c));
		t2 = is_ip(f->host) ? xstrdup("") : xasprintf(", that %s resolves to the CA "
		    "and not to a local service", f->host);
		add_advice(r, xasprintf("%s refuses connections%s: check the port in "
		    "spec.acme.server%s, and any egress firewall that rejects", hp, t1, t2));
		free(t1);
		free(t2);
		free(hp);
	} else if (strcmp(verdict, "proxy_unreachable") == 0) {
		if (f->dns == DDNS_NOTFOUND || f->dns == DDNS_SERVFAIL || f->dns == DDNS_TIMEOUT)
			add_advice(r, xasprintf("the proxy host %s does not resolve: fix %s", name,
			    f->proxy_source ? f->proxy_source : "the proxy setting"));
		else
			add_advice(r, xasprintf("%s cannot be reached or does not answer CONNECT: "
			    "check its address and port", px));
		add_advice(r, xasprintf("if %s is reachable without the proxy, add the name %s "
		    "to NO_PROXY (names match; IP entries never match a URL written with a "
		    "name)", f->host, f->host));
	} else if (strncmp(verdict, "proxy_tls_", 10) == 0 ||
	    strncmp(verdict, "proxy_speaks_", 13) == 0) {
		advise_proxy_tls(f, verdict, px, r);
	} else if (strcmp(verdict, "proxy_auth_required") == 0) {
		if (f->proxy_credentials)
			add_advice(r, xasprintf("%s rejected the credentials sent: fix user:password "
			    "in the proxy URL (percent-encode special characters)", px));
		else
			add_advice(r, xasprintf("%s wants credentials: put them into the proxy URL "
			    "(%s://USER:PASSWORD@host:port) of HTTPS_PROXY in cert-manager's "
			    "Deployment (here: --proxy-auth-file)", px, f->proxy_tls ? "https" :
			    "http"));
	} else if (strcmp(verdict, "proxy_refused") == 0) {
		hp = host_port(f->host, f->port);
		add_advice(r, xasprintf("%s refuses CONNECT to %s (%d%s%s): allow %s in its "
		    "access rules (e.g. Squid http_access and SSL_ports, tinyproxy ConnectPort "
		    "and Filter), or add %s to NO_PROXY if it is reachable directly", px, hp,
		    f->tunnel_code, f->tunnel_reason ? " " : "", f->tunnel_reason ?
		    f->tunnel_reason : "", hp, f->host));
		free(hp);
	} else if (strncmp(verdict, "tls_", 4) == 0) {
		advise_tls(f, verdict, r);
	} else if (strcmp(verdict, "http_timeout") == 0) {
		t1 = duration(f->step_timeout_ms);
		t2 = duration(dl.http_client_ms);
		t3 = duration(dl.sync_ms);
		add_advice(r, xasprintf("the server did not answer within %s (--timeout); "
		    "cert-manager %s waits up to %s per request within its %s sync deadline: "
		    "run again with a larger --timeout to see whether it answers at all", t1,
		    r->cm_version, t2, t3));
		free(t1);
		free(t2);
		free(t3);
	} else if (strcmp(verdict, "not_acme_directory") == 0) {
		if (f->v1_replacement != NULL)
			add_advice(r, xasprintf("this is an ACME v1 directory: use the v2 URL %s",
			    f->v1_replacement));
		else
			add_advice(r, xasprintf("%s does not lead to an ACME v2 directory; see "
			    "the %s step. If a proxy error page or captive portal answered, fix "
			    "the path through it; else check spec.acme.server (for Let's Encrypt: "
			    "%s)", f->server, diag_step_name(r->failed), LETSENCRYPT_URL));
	} else if (strcmp(verdict, "account_not_found") == 0) {
		if (diag_has_finding(r, "account_host_mismatch")) {
			t1 = cm_url_host(f->known_account_url);
			add_advice(r, xasprintf("the account known for this key is at %s, not at "
			    "%s: point spec.acme.server at that CA if it is the right one; "
			    "otherwise cert-manager registers a new account at %s", t1, f->host,
			    f->host));
			free(t1);
		} else
			add_advice(r, xasprintf("the key has no account at %s: cert-manager would "
			    "register a new one (orders, authorizations and rate-limit overrides "
			    "of another account do not carry over)", f->host));
	} else if (strcmp(verdict, "account_error") == 0) {
		add_advice(r, xasprintf("the CA refused the account lookup (%s): if it requires "
		    "external account binding, set spec.acme.externalAccountBinding",
		    f->account_problem ? f->account_problem : "?"));
	} else if (strcmp(verdict, "deadline_exceeded") == 0) {
		if (cm_short_deadline(&f->cm))
			add_advice(r, xasprintf("the steps do not fit cert-manager %s's 10 s sync "
			    "deadline: upgrade to v1.9.0 or later (2 min; backported to v1.7.3 "
			    "and v1.8.2), or use a faster ACME endpoint", r->cm_version));
		else
			add_advice(r, xasprintf("the CA is slower than cert-manager's 2 min sync "
			    "deadline: check the CA's status page and the proxy on the path"));
	}
	free(px);
}

static void advise_findings(const struct diag_facts *f, const char *verdict,
    struct diag_report *r)
{
	bool proxy_trouble = false;

	for (size_t i = 0; i < r->nfindings; i++) {
		const char *id = r->findings[i].id;

		if (strcmp(id, "no_proxy_ip_entry") == 0) {
			add_advice(r, xasprintf("an IP entry in NO_PROXY has no effect on a URL "
			    "written with a name: only the name %s (or its domain) would send it "
			    "direct; add that only if %s is reachable without the proxy", f->host,
			    f->host));
			proxy_trouble = true;
		} else if (strcmp(id, "proxy_env_case_conflict") == 0) {
			add_advice(r, xstrdup("give HTTPS_PROXY/https_proxy and NO_PROXY/no_proxy "
			    "the same values: cert-manager (Go) reads the upper-case ones first, "
			    "curl the lower-case ones"));
			proxy_trouble = true;
		} else if (strcmp(id, "https_proxy_unset_http_proxy_set") == 0) {
			proxy_trouble = true;
		} else if (strcmp(id, "ipv6_broken") == 0 && strcmp(verdict, "ok") == 0) {
			add_advice(r, xasprintf("IPv6 to %s fails here: fix the IPv6 route or "
			    "firewall; it is not what would fail cert-manager", f->dns_name ?
			    f->dns_name : f->host));
		} else if (strcmp(id, "account_host_mismatch") == 0 &&
		    strcmp(verdict, "account_not_found") != 0) {
			add_advice(r, xstrdup("the \"host differ\" log line only says cert-manager "
			    "checks the registration at the server again; it is not the cause"));
		} else if (strcmp(id, "tls_verify_skipped") == 0) {
			add_advice(r, xstrdup("drop skipTLSVerify and trust the CA with caBundle "
			    "instead"));
		} else if (strcmp(id, "key_not_rsa") == 0) {
			add_advice(r, xstrdup("for an account to hand to cert-manager, use an RSA "
			    "key (acmectl account register --key-type rsa2048)"));
		}
	}
	if (proxy_trouble || f->no_proxy_matched || strncmp(verdict, "proxy_", 6) == 0)
		add_advice(r, xstrdup("cert-manager reads the proxy environment once, at "
		    "start: restart its pod after changing HTTPS_PROXY or NO_PROXY"));
}

void diag_conclude(const struct diag_facts *facts, struct diag_report *r)
{
	struct diag_facts defaults = *facts;
	const struct diag_facts *f = &defaults;

	/* a run stopped by a bad URL knows no host */
	if (defaults.server == NULL)
		defaults.server = "";
	if (defaults.host == NULL)
		defaults.host = "";
	memset(r, 0, sizeof(*r));
	r->server = f->server;
	r->cm_version = cm_version_string(&f->cm);
	r->verdict = decide(f, true, &r->failed);
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
	find_all(f, r);
	cm_for(f, r->verdict, r->failed, &r->cm);
	advise_verdict(f, r->verdict, r);
	advise_findings(f, r->verdict, r);
}

void diag_report_free(struct diag_report *r)
{
	for (int i = 0; i < DIAG_NSTEPS; i++)
		free(r->steps[i].detail);
	for (size_t i = 0; i < r->nfindings; i++)
		free(r->findings[i].detail);
	free(r->findings);
	for (size_t i = 0; i < r->nadvice; i++)
		free(r->advice[i]);
	free(r->advice);
	free(r->cm_version);
	cm_view_free(&r->cm);
	memset(r, 0, sizeof(*r));
}

/*
 * Output.
 */

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

/* s with control bytes and invalid UTF-8 written as \xNN. Caller frees. */
static char *clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	char *out = xmalloc(4 * strlen((const char *)p) + 1), *o = out;
	size_t n;

	while (*p != '\0') {
		n = utf8_len(p);
		if (n == 0 || *p < 0x20 || *p == 0x7f) {
			o += sprintf(o, "\\x%02x", *p);
			p++;
			continue;
		}
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	*o = '\0';
	return out;
}

static json_t *clean_json(const char *s)
{
	char *c = clean(s);
	json_t *j = json_string(c);

	free(c);
	return j != NULL ? j : json_string("");
}

static const char *status_word(enum diag_status st)
{
	return st == DIAG_OK ? "ok" : st == DIAG_FAIL ? "fail" : "skip";
}

char *diag_report_json(const struct diag_report *r)
{
	json_t *doc, *steps = json_array(), *findings = json_array(), *events = json_array();
	json_t *advice = json_array();
	char *text;

	for (int i = 0; i < DIAG_NSTEPS; i++)
		json_array_append_new(steps, json_pack("{s:s, s:s, s:I, s:o}",
		    "name", step_names[i], "status", status_word(r->steps[i].status),
		    "ms", (json_int_t)r->steps[i].ms, "detail", clean_json(r->steps[i].detail)));
	for (size_t i = 0; i < r->nfindings; i++)
		json_array_append_new(findings, json_pack("{s:s, s:o}", "id", r->findings[i].id,
		    "detail", clean_json(r->findings[i].detail)));
	for (size_t i = 0; i < r->cm.nevents; i++)
		json_array_append_new(events, json_pack("{s:s, s:s, s:o}",
		    "type", r->cm.events[i].type, "reason", r->cm.events[i].reason,
		    "message", clean_json(r->cm.events[i].message)));
	for (size_t i = 0; i < r->nadvice; i++)
		json_array_append_new(advice, clean_json(r->advice[i]));
	doc = json_pack("{s:s, s:o, s:o, s:{s:s, s:s, s:o, s:o}, s:o}",
	    "verdict", r->verdict, "steps", steps, "findings", findings,
	    "cert_manager", "version", r->cm_version, "reason",
	    r->cm.reason != NULL ? r->cm.reason : "", "message", clean_json(r->cm.message),
	    "events", events, "advice", advice);
	text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	return text != NULL ? text : xstrdup("{}");
}

static void print_clean(FILE *fp, const char *prefix, const char *s)
{
	char *c = clean(s);

	fprintf(fp, "%s%s\n", prefix, c);
	free(c);
}

void diag_report_print(FILE *fp, const struct diag_report *r)
{
	static const char *const marks[] = { "\u2013", "\u2713", "\u2717" };
	char *server = clean(r->server), *line;

	fprintf(fp, "diagnose %s as cert-manager %s sets it up\n\n", server, r->cm_version);
	for (int i = 0; i < DIAG_NSTEPS; i++) {
		line = xasprintf("  %s %-8s %6lld ms  ", marks[r->steps[i].status],
		    step_names[i], r->steps[i].ms);
		print_clean(fp, line, r->steps[i].detail);
		free(line);
	}
	fprintf(fp, "\nverdict: %s\n", r->verdict);
	if (r->nfindings > 0)
		fprintf(fp, "\nfindings:\n");
	for (size_t i = 0; i < r->nfindings; i++) {
		line = xasprintf("  [%s] ", r->findings[i].id);
		print_clean(fp, line, r->findings[i].detail);
		free(line);
	}
	fprintf(fp, "\ncert-manager %s would show:\n", r->cm_version);
	line = xasprintf("  Ready=%s  %s  ", r->cm.status ? r->cm.status : "?",
	    r->cm.reason ? r->cm.reason : "?");
	print_clean(fp, line, r->cm.message);
	free(line);
	for (size_t i = 0; i < r->cm.nevents; i++) {
		line = xasprintf("  event %s %s: ", r->cm.events[i].type, r->cm.events[i].reason);
		print_clean(fp, line, r->cm.events[i].message);
		free(line);
	}
	if (r->nadvice > 0)
		fprintf(fp, "\nadvice:\n");
	for (size_t i = 0; i < r->nadvice; i++)
		print_clean(fp, "  - ", r->advice[i]);
	free(server);
}

/*
 * The network half: gathering the facts.
 */

struct run {
	const struct config *cfg;
	struct diag_facts f;
	struct cm_deadlines dl;
	char **kept;                 /* strings the facts borrow */
	size_t nkept;
	struct k8s_issuer *iss;
	EVP_PKEY *key;
	bool key_for_cm;             /* the key is cert-manager's (--secret, --account-key) */
	struct proxy_settings ps;
	struct proxy_route route;
	struct proxy_warning *warnings;
	size_t nwarnings;
	char *proxy_credentials;     /* "user:pass", decoded; wiped */
	struct resolv_conf rconf;
	bool rconf_loaded;
	struct probe_tls_ctx *tls_ctx;
	char *host;                  /* the server URL's host (no brackets), port, path */
	int port;
	char *authority;             /* its Host header: host[:port] as written */
	char *path;
	struct probe_addr *addrs;    /* the server's or the proxy's */
	size_t naddrs;
	struct diag_conn *conns;
	struct probe_addr peer;      /* the address that connected */
	struct probe_conn *below;    /* what the server's TLS runs over: the socket, or the proxy's tunnel */
	struct probe_tls proxy_tls;  /* the handshake with the proxy (or the scheme check's) */
	struct probe_tls tls;
	struct probe_conn *conn;
	char *conn_authority;        /* what conn is connected to */
	char *nonce;
	json_t *dir;
};

/* Keeps s until the run ends and returns it. */
static const char *keep(struct run *r, char *s)
{
	if (s == NULL)
		return NULL;
	r->kept = xrealloc(r->kept, (r->nkept + 1) * sizeof(*r->kept));
	r->kept[r->nkept++] = s;
	return s;
}

/* The absolute deadline of step: --timeout, or what is left of
 * cert-manager's sync deadline when that is less. */
static long long step_deadline(struct run *r, enum diag_step step, bool *sync_limited)
{
	long long left = r->dl.sync_ms - total_cm_ms(&r->f, step);
	long long budget = r->f.step_timeout_ms;

	*sync_limited = left < budget;
	if (*sync_limited)
		budget = left > 0 ? left : 0;
	return mono_ms() + budget;
}

/* Splits an https:// URL into host (brackets removed), port (443 by
 * default), authority (host[:port] as written) and path ("/" when none).
 * False when url is not https:// with a usable host and port. */
static bool split_url(const char *url, char **host, int *port, char **authority, char **path)
{
	const char *p, *end, *hend, *colon = NULL, *at;
	char *e;
	long n;

	*host = *authority = *path = NULL;
	if (url == NULL || strncasecmp(url, "https://", 8) != 0)
		return false;
	p = url + 8;
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
	*port = 443;
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

/* The account key: --account-key, --secret, or (without an Issuer) the
 * state directory's account for the server. 0, or -1 with ERR_USAGE. */
static int load_key(struct run *r, const char *server)
{
	const struct config *cfg = r->cfg;
	const char *name = r->iss ? r->iss->key_secret_name : NULL;
	const char *data_key = r->iss && r->iss->key_secret_key ? r->iss->key_secret_key :
	    "tls.key";
	char *id, *path, *text, *found = NULL;
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
		r->f.key_source = keep(r, xasprintf("--account-key %s", cfg->account_key));
		return 0;
	}
	if (cfg->secret != NULL) {
		if ((r->key = k8s_secret_key_load(cfg->secret, name, data_key, &found)) == NULL)
			return -1;
		r->key_for_cm = true;
		r->f.key_source = keep(r, xasprintf("Secret %s (%s) in %s",
		    found ? found : "?", data_key, cfg->secret));
		r->f.key_secret_name = keep(r, xstrdup(name ? name : found ? found : ""));
		free(found);
		return 0;
	}
	if (r->iss != NULL || (id = store_account_id(server)) == NULL) {
		err_clear();
		return 0;
	}
	path = store_account_file(cfg->state_dir, id, STORE_ACCOUNT_KEY);
	if ((text = store_read_file(path, &len)) != NULL) {
		r->key = key_from_pem(text, len, path);
		OPENSSL_cleanse(text, len);
		free(text);
		r->f.key_source = keep(r, xstrdup(path));
	}
	free(path);
	err_clear();
	path = store_account_file(cfg->state_dir, id, STORE_ACCOUNT_JSON);
	if (r->key != NULL && (text = store_read_file(path, &len)) != NULL) {
		account = json_loadb(text, len, 0, NULL);
		if (json_is_string(json_object_get(account, "url"))) {
			r->f.known_account_url = keep(r, xstrdup(json_string_value(
			    json_object_get(account, "url"))));
			r->f.known_account_source = keep(r, xstrdup(path));
		}
		json_decref(account);
		free(text);
	}
	err_clear();
	free(path);
	free(id);
	return 0;
}

/* Reads every local input. 0, or -1 with ERR_USAGE/ERR_STORAGE: bad input,
 * no report. */
static int gather_inputs(struct run *r)
{
	const struct config *cfg = r->cfg;
	struct diag_facts *f = &r->f;
	const char *server = cfg->server, *resolv = cfg->resolv_conf;
	bool system;
	char *what;

	if (cm_version_parse(cfg->cm_version, &f->cm) == -1)
		return -1;
	cm_deadlines(&f->cm, &r->dl);
	f->step_timeout_ms = cfg->step_timeout_s * 1000;
	if (cfg->from_issuer != NULL &&
	    (r->iss = k8s_issuer_load(cfg->from_issuer)) == NULL)
		return -1;
	f->server_source = "--server";
	if (!cfg->server_set && r->iss != NULL) {
		server = r->iss->server;
		f->server_source = keep(r, xasprintf("%s %s in %s", r->iss->kind ?
		    r->iss->kind : "Issuer", r->iss->name ? r->iss->name : "?",
		    cfg->from_issuer));
	} else if (!cfg->server_set) {
		f->server_source = "the default server";
	}
	f->server = server != NULL ? server : "";
	if (load_key(r, f->server) == -1)
		return -1;
	f->email = cfg->email != NULL ? cfg->email : r->iss != NULL ? r->iss->email : NULL;
	if (r->iss != NULL) {
		f->registered_email = r->iss->last_registered_email;
		if (r->iss->ready.status != NULL)
			f->issuer_condition = keep(r, xasprintf("%s%s%s%s%s", r->iss->ready.status,
			    r->iss->ready.reason ? " " : "", r->iss->ready.reason ?
			    r->iss->ready.reason : "", r->iss->ready.message ? ": " : "",
			    r->iss->ready.message ? r->iss->ready.message : ""));
	}
	if (cfg->account_url != NULL) {
		f->known_account_url = cfg->account_url;
		f->known_account_source = "--account-url";
	} else if (r->iss != NULL && r->iss->status_uri != NULL) {
		f->known_account_url = r->iss->status_uri;
		f->known_account_source = "status.acme.uri";
	}
	/* cert-manager trusts only caBundle when set; --ca-bundle adds to it */
	f->skip_tls_verify = r->iss != NULL && r->iss->skip_tls_verify;
	system = r->iss == NULL || r->iss->ca_bundle_pem == NULL;
	what = xasprintf("caBundle of %s", cfg->from_issuer ? cfg->from_issuer : "?");
	r->tls_ctx = probe_tls_ctx_new(system, cfg->ca_bundle, system ? NULL :
	    r->iss->ca_bundle_pem, system ? 0 : r->iss->ca_bundle_len, what);
	free(what);
	if (r->tls_ctx == NULL)
		return -1;
	f->trust_issuer_bundle = !system;
	f->trust = keep(r, xasprintf("%s%s%s", system ? "the system store" :
	    "the Issuer's caBundle", cfg->ca_bundle ? " + --ca-bundle " : "",
	    cfg->ca_bundle ? cfg->ca_bundle : ""));
	if (resolv == NULL)
		resolv = "/etc/resolv.conf";
	if (resolv_load(resolv, &r->rconf) == -1) {
		if (cfg->resolv_conf != NULL)
			return -1;
		err_clear();
	}
	r->rconf_loaded = true;
	if (proxy_settings_load(&r->ps, cfg) == -1)
		return -1;
	return 0;
}

/* The config step. Returns false when nothing can be probed. */
static bool step_config(struct run *r)
{
	struct diag_facts *f = &r->f;
	long long start = mono_ms();
	char *hash;
	bool rsa;

	if (r->key != NULL) {
		f->key_desc = keep(r, key_description(r->key));
		rsa = key_is_rsa(r->key);
		if (!rsa && r->key_for_cm)
			f->config = DCONF_KEY_NOT_RSA;
		f->key_not_rsa = !rsa && !r->key_for_cm;
		if (rsa && r->iss != NULL && r->iss->last_private_key_hash != NULL &&
		    (hash = cm_key_hash(r->key)) != NULL) {
			f->key_hash_changed = strcmp(hash, r->iss->last_private_key_hash) != 0;
			free(hash);
		}
		err_clear();
	}
	if (r->iss != NULL && r->iss->ca_bundle_pem != NULL && r->iss->skip_tls_verify) {
		f->config = DCONF_INVALID;
		f->config_problem = "caBundle and skipTLSVerify are both set: cert-manager "
		    "accepts only one of them";
	}
	if (cm_v1_replacement(f->server) != NULL)
		f->config = DCONF_V1_SERVER;
	if (f->server[0] == '\0') {
		f->config = DCONF_INVALID;
		f->config_problem = "the Issuer has no spec.acme.server";
	} else if (!split_url(f->server, &r->host, &r->port, &r->authority, &r->path)) {
		f->config = DCONF_INVALID;
		f->config_problem = keep(r, xasprintf("the server \"%s\" is not an https:// "
		    "URL with a host", f->server));
	}
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
		f->proxy_host = keep(r, xstrndup(hp + 1, colon ? (size_t)(colon - hp - 1) : 0));
		colon = colon ? strchr(colon, ':') : NULL;
	} else {
		colon = memchr(hp, ':', (size_t)(end - hp));
		f->proxy_host = keep(r, xstrndup(hp, (size_t)((colon ? colon : end) - hp)));
	}
	f->proxy_port = colon != NULL && colon < end ? atoi(colon + 1) : f->proxy_tls ? 443 : 80;
	return 1;
}

static enum diag_conn_result conn_result(enum probe_connect_status st)
{
	switch (st) {
	case PROBE_CONNECTED:
		return DCONN_OK;
	case PROBE_REFUSED:
		return DCONN_REFUSED;
	case PROBE_UNREACHABLE:
		return DCONN_UNREACHABLE;
	case PROBE_CONNECT_TIMEOUT:
		return DCONN_TIMEOUT;
	default:
		return DCONN_ERROR;
	}
}

/* "a, b, c" of the addresses. Caller frees. */
static char *addr_list(const struct probe_addr *a, size_t n)
{
	const char **v = xcalloc(n > 0 ? n : 1, sizeof(*v));
	char *s;

	for (size_t i = 0; i < n; i++)
		v[i] = a[i].text;
	s = str_join(v, n, ", ");
	free(v);
	return s;
}

static bool same_addrs(const struct probe_addr *a, size_t na, const struct probe_addr *b,
    size_t nb)
{
	size_t i, j;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && strcmp(a[i].text, b[j].text) != 0; j++)
			;
		if (j == nb)
			return false;
	}
	return true;
}

struct walk {
	int port;
	long long deadline;
};

/* resolv_first_answer()'s lookup: one absolute name, within the step. */
static enum resolv_answer walk_lookup(const char *fqdn, void *arg)
{
	struct walk *w = arg;
	struct probe_lookup l;
	enum resolv_answer a;

	probe_lookup_run(fqdn, w->port, w->deadline, &l);
	a = l.status == PROBE_FOUND ? RESOLV_FOUND : l.status == PROBE_NOTFOUND ?
	    RESOLV_NOTFOUND : RESOLV_TEMPFAIL;
	probe_lookup_clear(&l);
	return a;
}

/* Which search domain answered first for name, or NULL. */
static const char *search_domain_answering(struct run *r, const char *name,
    long long deadline)
{
	struct walk w = { r->port, deadline };
	struct resolv_candidate *c;
	const char *domain = NULL;
	size_t n;
	long idx;

	c = resolv_candidates(name, &r->rconf, &n);
	idx = resolv_first_answer(c, n, walk_lookup, &w, NULL);
	if (idx >= 0 && c[idx].domain != NULL)
		domain = keep(r, xstrdup(c[idx].domain));
	resolv_candidates_free(c, n);
	return domain;
}

static void step_dns(struct run *r)
{
	struct diag_facts *f = &r->f;
	struct probe_lookup_job *pj, *aj = NULL;
	struct probe_lookup p, a;
	struct probe_addr lit;
	const char *name = f->route == DROUTE_PROXY ? f->proxy_host : r->host;
	int port = f->route == DROUTE_PROXY ? f->proxy_port : r->port;
	long long start = mono_ms(), deadline;
	bool limited;
	char *abs_name;
	size_t nns;

	f->dns_name = name;
	f->ndots = r->rconf.ndots;
	f->nameserver = r->rconf.nnameservers > 0 ? r->rconf.nameservers[0] : NULL;
	nns = r->rconf.nnameservers > 0 ? r->rconf.nnameservers : 1;
	f->dns_cm_timeout_ms = (long)r->rconf.timeout_s * 1000 * r->rconf.attempts * (long)nns;
	if (probe_addr_literal(name, port, &lit)) {
		f->dns = DDNS_LITERAL;
		r->addrs = xmalloc(sizeof(*r->addrs));
		r->addrs[0] = lit;
		r->naddrs = 1;
		return;
	}
	if ((r->naddrs = probe_hosts_lookup("/etc/hosts", name, port, &r->addrs)) > 0) {
		f->dns = DDNS_HOSTS;
		f->dns_answer = keep(r, addr_list(r->addrs, r->naddrs));
		f->ms[DIAG_DNS] = f->cm_ms[DIAG_DNS] = mono_ms() - start;
		return;
	}
	deadline = step_deadline(r, DIAG_DNS, &limited);
	pj = probe_lookup_start(name, port);
	/* the absolute name too, to see whether a search domain answered */
	if (f->route != DROUTE_PROXY && name[strlen(name) - 1] != '.') {
		abs_name = xasprintf("%s.", name);
		aj = probe_lookup_start(abs_name, port);
		free(abs_name);
	}
	probe_lookup_finish(pj, deadline, &p);
	memset(&a, 0, sizeof(a));
	if (aj != NULL)
		probe_lookup_finish(aj, deadline, &a);
	f->cm_ms[DIAG_DNS] = p.ms;
	switch (p.status) {
	case PROBE_FOUND:
		f->dns = DDNS_OK;
		f->dns_answer = keep(r, addr_list(p.addrs, p.naddrs));
		r->addrs = p.addrs;
		r->naddrs = p.naddrs;
		p.addrs = NULL;
		if (a.status == PROBE_FOUND && !same_addrs(r->addrs, r->naddrs, a.addrs,
		    a.naddrs)) {
			f->absolute_answer = keep(r, addr_list(a.addrs, a.naddrs));
			f->hijack_domain = search_domain_answering(r, name, deadline);
		} else if (aj != NULL && a.status != PROBE_FOUND) {
			f->search_domain = search_domain_answering(r, name, deadline);
		}
		break;
	case PROBE_NOTFOUND:
		f->dns = DDNS_NOTFOUND;
		break;
	case PROBE_TIMEOUT:
		f->dns = DDNS_TIMEOUT;
		f->sync_cut = limited;
		break;
	case PROBE_TEMPFAIL:
		/* the resolver's own timeout, or a quick SERVFAIL */
		f->dns = p.ms + 500 >= r->rconf.timeout_s * 1000L ? DDNS_TIMEOUT : DDNS_SERVFAIL;
		break;
	case PROBE_LOOKUP_ERROR:
		f->dns = DDNS_SERVFAIL;
		break;
	}
	if (p.error != NULL)
		f->dns_error = keep(r, xstrdup(p.error));
	probe_lookup_clear(&p);
	probe_lookup_clear(&a);
	f->ms[DIAG_DNS] = mono_ms() - start;
}

/* What cert-manager's dialer would spend until connected: the first
 * address first, the other family raced 300 ms later (happy eyeballs). */
static long long go_dial_ms(const struct diag_conn *c, size_t winner)
{
	long long t = 0;

	if (c[winner].v6 != c[0].v6)
		return HAPPY_EYEBALLS_MS + c[winner].ms;
	for (size_t i = 0; i < winner; i++)
		if (c[i].v6 == c[winner].v6)
			t += c[i].ms;
	return t + c[winner].ms;
}

static bool step_tcp(struct run *r)
{
	struct diag_facts *f = &r->f;
	struct probe_connect *pc;
	long long start = mono_ms(), deadline;
	size_t winner = r->naddrs;
	bool limited;

	if (r->naddrs == 0)
		return false;
	pc = xcalloc(r->naddrs, sizeof(*pc));
	r->conns = xcalloc(r->naddrs, sizeof(*r->conns));
	deadline = step_deadline(r, DIAG_TCP, &limited);
	probe_connect_all(r->addrs, r->naddrs, deadline, pc);
	for (size_t i = 0; i < r->naddrs; i++) {
		r->conns[i].addr = r->addrs[i].text;
		r->conns[i].v6 = r->addrs[i].family == AF_INET6;
		r->conns[i].result = conn_result(pc[i].status);
		r->conns[i].ms = pc[i].ms;
		if (pc[i].err != 0)
			r->conns[i].error = keep(r, xstrdup(strerror(pc[i].err)));
		if (pc[i].status == PROBE_CONNECTED && winner == r->naddrs)
			winner = i;
		else if (pc[i].fd >= 0)
			close(pc[i].fd);
	}
	f->conns = r->conns;
	f->nconns = r->naddrs;
	f->ms[DIAG_TCP] = mono_ms() - start;
	if (winner == r->naddrs) {
		f->cm_ms[DIAG_TCP] = r->conns[0].ms;
		f->sync_cut = limited && r->conns[0].result == DCONN_TIMEOUT;
		free(pc);
		return false;
	}
	r->peer = r->addrs[winner];
	r->below = probe_conn_new(pc[winner].fd);
	f->cm_ms[DIAG_TCP] = go_dial_ms(r->conns, winner);
	free(pc);
	return true;
}

static enum diag_chain chain_kind(int e)
{
	switch (e) {
	case X509_V_OK:
		return DCHAIN_OK;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return DCHAIN_EXPIRED;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_UNTRUSTED:
		return DCHAIN_UNKNOWN_CA;
	default:
		return DCHAIN_OTHER;
	}
}

/* Copies what the handshake t (kept by the run) showed into h. */
static void record_handshake(const struct probe_tls *t, struct diag_handshake *h)
{
	memset(h, 0, sizeof(*h));
	switch (t->status) {
	case PROBE_TLS_OK:
		h->result = DTLS_OK;
		break;
	case PROBE_TLS_TIMEOUT:
		h->result = DTLS_TIMEOUT;
		return;
	case PROBE_TLS_FAILED:
		h->result = DTLS_FAILED;
		h->error = t->error;
		return;
	}
	h->version = t->version;
	h->name_mismatch = t->name_mismatch;
	h->chain = chain_kind(t->chain_error);
	h->chain_error = t->chain_error_text;
	h->subject = t->subject;
	h->issuer = t->issuer;
	h->self_signed = t->self_signed;
	h->dns_names = (const char *const *)t->dns_names;
	h->ndns = strv_len(t->dns_names);
	h->ip_names = (const char *const *)t->ip_names;
	h->nip = strv_len(t->ip_names);
}

/* A new connection to the address the tcp step reached, or NULL. */
static struct probe_conn *connect_peer(struct run *r, long long deadline)
{
	struct probe_connect pc;

	probe_connect_all(&r->peer, 1, deadline, &pc);
	return pc.status == PROBE_CONNECTED ? probe_conn_new(pc.fd) : NULL;
}

/* The https:// proxy's TLS handshake failed: does it answer a CONNECT in
 * the clear on a new connection? Then it is a plain http:// proxy. No
 * credentials are sent: they were meant for inside TLS. */
static void check_speaks_http(struct run *r, const char *target)
{
	struct diag_facts *f = &r->f;
	struct probe_tunnel t;
	struct probe_conn *c;
	long long deadline;
	bool limited;

	deadline = step_deadline(r, DIAG_PROXY, &limited);
	if ((c = connect_peer(r, deadline)) == NULL)
		return;
	probe_tunnel_run(c, target, NULL, deadline, &t);
	if (t.status == PROBE_TUNNEL_OK || t.status == PROBE_TUNNEL_STATUS) {
		f->proxy_speaks = DSPEAKS_HTTP;
		f->tunnel_code = t.code;
		f->tunnel_reason = keep(r, t.reason);
		t.reason = NULL;
	}
	probe_tunnel_clear(&t);
	probe_conn_close(c);
}

/* The http:// proxy dropped the CONNECT: does a TLS handshake with it work
 * on a new connection? Then the port speaks TLS (an https:// proxy). */
static void check_speaks_tls(struct run *r)
{
	struct diag_facts *f = &r->f;
	struct probe_conn *c;
	long long deadline;
	bool limited;

	deadline = step_deadline(r, DIAG_PROXY, &limited);
	if ((c = connect_peer(r, deadline)) == NULL)
		return;
	c = probe_tls_run(c, f->proxy_host, r->tls_ctx, deadline, &r->proxy_tls);
	if (c != NULL) {
		f->proxy_speaks = DSPEAKS_TLS;
		record_handshake(&r->proxy_tls, &f->proxy_handshake);
	} else {
		probe_tls_clear(&r->proxy_tls);
	}
	probe_conn_close(c);
}

/* The proxy step: with an https:// proxy TLS with it first (its certificate
 * checked as Go checks it), then CONNECT. When the scheme of the proxy URL
 * fails, checks on a new connection whether the proxy speaks the other
 * one. Leaves the tunnel in r->below. */
static bool step_proxy(struct run *r)
{
	struct diag_facts *f = &r->f;
	struct probe_tunnel t;
	struct probe_conn *c = r->below;
	char *target = host_port(r->host, r->port);
	long long start = mono_ms(), deadline;
	bool limited, ok = false;

	r->below = NULL;
	memset(&t, 0, sizeof(t));
	deadline = step_deadline(r, DIAG_PROXY, &limited);
	if (f->proxy_tls) {
		c = probe_tls_run(c, f->proxy_host, r->tls_ctx, deadline, &r->proxy_tls);
		record_handshake(&r->proxy_tls, &f->proxy_handshake);
		f->sync_cut = limited && r->proxy_tls.status == PROBE_TLS_TIMEOUT;
		if (c == NULL || checks_fail(f, &f->proxy_handshake)) {
			f->ms[DIAG_PROXY] = f->cm_ms[DIAG_PROXY] = mono_ms() - start;
			if (c == NULL && !f->sync_cut)
				check_speaks_http(r, target);
			goto out;
		}
	}
	probe_tunnel_run(c, target, r->proxy_credentials, deadline, &t);
	f->proxy_credentials = r->proxy_credentials != NULL;
	f->tunnel_code = t.code;
	f->tunnel_reason = keep(r, t.reason);
	f->tunnel_error = keep(r, t.error);
	t.reason = t.error = NULL;
	f->ms[DIAG_PROXY] = f->cm_ms[DIAG_PROXY] = mono_ms() - start;
	switch (t.status) {
	case PROBE_TUNNEL_OK:
		f->tunnel = DTUN_OK;
		break;
	case PROBE_TUNNEL_STATUS:
		f->tunnel = DTUN_STATUS;
		break;
	case PROBE_TUNNEL_TIMEOUT:
		f->tunnel = DTUN_TIMEOUT;
		f->sync_cut = limited;
		break;
	default:
		f->tunnel = DTUN_CLOSED;
		if (!f->proxy_tls)
			check_speaks_tls(r);
		break;
	}
	ok = f->tunnel == DTUN_OK;
out:
	if (ok)
		r->below = c;
	else
		probe_conn_close(c);
	probe_tunnel_clear(&t);
	free(target);
	return ok;
}

static bool step_tls(struct run *r)
{
	struct diag_facts *f = &r->f;
	struct diag_handshake h;
	long long deadline;
	bool limited;

	deadline = step_deadline(r, DIAG_TLS, &limited);
	r->conn = probe_tls_run(r->below, r->host, r->tls_ctx, deadline, &r->tls);
	r->below = NULL;
	f->ms[DIAG_TLS] = f->cm_ms[DIAG_TLS] = r->tls.ms;
	record_handshake(&r->tls, &h);
	f->tls = h.result;
	f->tls_error = h.error;
	if (h.result == DTLS_TIMEOUT)
		f->sync_cut = limited;
	if (h.result != DTLS_OK)
		return false;
	f->tls_version = h.version;
	f->name_mismatch = h.name_mismatch;
	f->chain = h.chain;
	f->chain_error = h.chain_error;
	f->subject = h.subject;
	f->issuer = h.issuer;
	f->self_signed = h.self_signed;
	f->dns_names = h.dns_names;
	f->ndns = h.ndns;
	f->ip_names = h.ip_names;
	f->nip = h.nip;
	r->conn_authority = xstrdup(r->authority);
	return !tls_checks_fail(f);
}

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
	if (!split_url(url, &host, &port, &authority, path)) {
		*error = xasprintf("\"%s\" is not an https:// URL", url);
		return NULL;
	}
	if (r->conn != NULL && strcmp(authority, r->conn_authority) == 0) {
		c = r->conn;
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
		target = host_port(host, port);
		if (r->f.proxy_tls &&
		    (c = tls_again(r, c, r->f.proxy_host, "proxy ", deadline, error)) == NULL)
			goto out;
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
	c = tls_again(r, c, host, "", deadline, error);
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

/* Drops the connection when the server said it will close it. */
static void after_response(struct run *r, const struct probe_response *resp)
{
	if (!resp->keep_alive) {
		probe_conn_close(r->conn);
		r->conn = NULL;
	}
}

/* Up to 100 characters of the body on one line. Caller frees. */
static char *body_excerpt(const char *body)
{
	char *s = xstrndup(body, 100), *p;

	for (p = s; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return s;
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
	char *excerpt, missing[64] = "";
	bool html;

	while (*b == ' ' || *b == '\n' || *b == '\r' || *b == '\t')
		b++;
	html = *b == '<' || (resp->content_type != NULL &&
	    strncasecmp(resp->content_type, "text/html", 9) == 0);
	f->http = DHTTP_NOT_ACME;
	if (resp->status != 200) {
		excerpt = body_excerpt(b);
		f->not_acme = keep(r, xasprintf("HTTP %d instead of 200%s", resp->status,
		    html ? "; an HTML page (a proxy error page, captive portal or wrong "
		    "path?)" : ""));
		f->go_error = keep(r, xasprintf("%d : %s", resp->status, excerpt));
		free(excerpt);
		return;
	}
	if (!json_is_object(r->dir)) {
		f->not_acme = keep(r, xstrdup(html ? "an HTML page, not JSON (a proxy error "
		    "page or captive portal?)" : "not a JSON object"));
		f->go_error = keep(r, *b == '\0' ? xstrdup("EOF") :
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
		f->not_acme = keep(r, xasprintf("JSON without%s: not an ACME v2 directory",
		    missing));
	}
	f->go_error = keep(r, cm_err_url("HEAD", "", "unsupported protocol scheme \"\""));
}

static bool step_http(struct run *r)
{
	struct diag_facts *f = &r->f;
	struct probe_response resp;
	enum probe_http_status st;
	long long start = mono_ms(), deadline;
	char *error = NULL;
	bool limited;

	deadline = step_deadline(r, DIAG_HTTP, &limited);
	st = probe_http(r->conn, "GET", r->authority, r->path, NULL, deadline, &resp, &error);
	f->ms[DIAG_HTTP] = f->cm_ms[DIAG_HTTP] = mono_ms() - start;
	f->http_error = keep(r, error);
	if (st != PROBE_HTTP_OK) {
		f->http = st == PROBE_HTTP_TIMEOUT ? DHTTP_TIMEOUT : DHTTP_FAILED;
		f->sync_cut = st == PROBE_HTTP_TIMEOUT && limited;
		probe_response_clear(&resp);
		return false;
	}
	f->http_status = resp.status;
	f->content_type = keep(r, resp.content_type);
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
	after_response(r, &resp);
	probe_response_clear(&resp);
	return true;
}

static bool step_nonce(struct run *r)
{
	struct diag_facts *f = &r->f;
	struct probe_response resp;
	enum probe_http_status st;
	long long start = mono_ms(), deadline;
	char *path = NULL, *error = NULL;
	bool limited;

	memset(&resp, 0, sizeof(resp));
	deadline = step_deadline(r, DIAG_NONCE, &limited);
	if (conn_for(r, f->new_nonce_url, deadline, &path, &error) == NULL) {
		f->nonce = DNONCE_FAILED;
		goto out;
	}
	st = probe_http(r->conn, "HEAD", r->conn_authority, path, NULL, deadline, &resp, &error);
	if (st != PROBE_HTTP_OK) {
		f->nonce = st == PROBE_HTTP_TIMEOUT ? DNONCE_TIMEOUT : DNONCE_FAILED;
		f->sync_cut = st == PROBE_HTTP_TIMEOUT && limited;
		goto out;
	}
	f->nonce_status = resp.status;
	if ((resp.status != 200 && resp.status != 204) || resp.replay_nonce == NULL ||
	    resp.replay_nonce[0] == '\0') {
		f->nonce = DNONCE_MISSING;
		goto out;
	}
	f->nonce = DNONCE_OK;
	r->nonce = resp.replay_nonce;
	resp.replay_nonce = NULL;
	after_response(r, &resp);
out:
	f->nonce_error = keep(r, error);
	f->ms[DIAG_NONCE] = f->cm_ms[DIAG_NONCE] = mono_ms() - start;
	probe_response_clear(&resp);
	free(path);
	return f->nonce == DNONCE_OK;
}

/* Records the answer to onlyReturnExisting. Returns true when a badNonce
 * should be retried with resp's new nonce. */
static bool account_answer(struct run *r, struct probe_response *resp, bool last)
{
	struct diag_facts *f = &r->f;
	struct problem *prob;

	f->account_status = resp->status;
	if (resp->status / 100 == 2 && resp->location != NULL) {
		f->account = DACCT_FOUND;
		f->account_url = keep(r, resp->location);
		resp->location = NULL;
		return false;
	}
	prob = problem_parse(resp->body, resp->body_len, resp->status);
	if (prob != NULL && problem_is(prob, "badNonce") && resp->replay_nonce != NULL && !last) {
		free(r->nonce);
		r->nonce = resp->replay_nonce;
		resp->replay_nonce = NULL;
		problem_free(prob);
		return true;
	}
	if (prob != NULL && problem_is(prob, "accountDoesNotExist")) {
		f->account = DACCT_NOT_FOUND;
		f->account_problem = keep(r, xasprintf("accountDoesNotExist: %s",
		    prob->detail ? prob->detail : ""));
	} else if (prob != NULL) {
		f->account = DACCT_FAILED;
		f->account_4xx = resp->status / 100 == 4;
		f->account_problem = keep(r, xasprintf("%s: %s", prob->type,
		    prob->detail ? prob->detail : ""));
	} else {
		f->account = DACCT_FAILED;
		f->account_problem = keep(r, xasprintf("HTTP %d without an ACME problem "
		    "document", resp->status));
	}
	problem_free(prob);
	return false;
}

static void step_account(struct run *r)
{
	struct diag_facts *f = &r->f;
	struct probe_response resp;
	enum probe_http_status st;
	long long start = mono_ms(), deadline;
	char *path = NULL, *error = NULL, *jws;
	bool limited, retry = true;

	if (r->key == NULL) {
		f->account = DACCT_NO_KEY;
		return;
	}
	memset(&resp, 0, sizeof(resp));
	deadline = step_deadline(r, DIAG_ACCOUNT, &limited);
	for (int attempt = 0; attempt <= BAD_NONCE_RETRIES && retry; attempt++) {
		retry = false;
		free(path);
		path = NULL;
		probe_response_clear(&resp);
		if (conn_for(r, f->new_account_url, deadline, &path, &error) == NULL) {
			f->account = DACCT_FAILED;
			break;
		}
		if ((jws = jws_sign(r->key, NULL, r->nonce, f->new_account_url,
		    "{\"onlyReturnExisting\":true}")) == NULL) {
			f->account = DACCT_FAILED;
			error = xstrdup(err_message());
			err_clear();
			break;
		}
		st = probe_http(r->conn, "POST", r->conn_authority, path, jws, deadline, &resp,
		    &error);
		free(jws);
		if (st != PROBE_HTTP_OK) {
			f->account = st == PROBE_HTTP_TIMEOUT ? DACCT_TIMEOUT : DACCT_FAILED;
			f->sync_cut = st == PROBE_HTTP_TIMEOUT && limited;
			break;
		}
		retry = account_answer(r, &resp, attempt == BAD_NONCE_RETRIES);
		after_response(r, &resp);
	}
	if (error != NULL && f->account_problem == NULL)
		f->account_problem = keep(r, error);
	else
		free(error);
	f->ms[DIAG_ACCOUNT] = f->cm_ms[DIAG_ACCOUNT] = mono_ms() - start;
	probe_response_clear(&resp);
	free(path);
}

/* Runs the steps in order, each only when the one before let it. */
static int run_steps(struct run *r)
{
	int route;

	if (!step_config(r))
		return 0;
	if ((route = step_route(r)) <= 0)
		return route;
	step_dns(r);
	if (r->naddrs == 0 || !step_tcp(r))
		return 0;
	if (r->f.route == DROUTE_PROXY && !step_proxy(r))
		return 0;
	if (!step_tls(r) || !step_http(r) || !step_nonce(r))
		return 0;
	step_account(r);
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
	probe_tls_ctx_free(r->tls_ctx);
	free(r->host);
	free(r->authority);
	free(r->path);
	free(r->addrs);
	free(r->conns);
	probe_conn_close(r->below);
	probe_tls_clear(&r->proxy_tls);
	probe_tls_clear(&r->tls);
	probe_conn_close(r->conn);
	free(r->conn_authority);
	free(r->nonce);
	json_decref(r->dir);
}

int cmd_diagnose(const struct config *cfg)
{
	struct diag_report report;
	struct run r;
	char *json;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	memset(&report, 0, sizeof(report));
	r.cfg = cfg;
	/* a peer closing mid-write must be a result, not a death */
	signal(SIGPIPE, SIG_IGN);
	if (gather_inputs(&r) == -1 || run_steps(&r) == -1)
		goto out;
	diag_conclude(&r.f, &report);
	if (cfg->json) {
		json = diag_report_json(&report);
		printf("%s\n", json);
		free(json);
	} else {
		diag_report_print(stdout, &report);
	}
	if (strcmp(report.verdict, "ok") == 0)
		rc = 0;
	else
		err_set(ERR_ACME, "diagnose: %s", report.verdict);
out:
	diag_report_free(&report);
	run_free(&r);
	return rc;
}
