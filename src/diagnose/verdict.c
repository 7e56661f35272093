/* verdict.c - the verdict: the first step that fails as cert-manager
 * would meet it; diag_conclude() builds the whole report. Pure.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "diagnose_int.h"
#include "util.h"

static const char *const step_names[DIAG_NSTEPS] = {
	"config", "route", "dns", "tcp", "proxy", "tls", "http", "nonce", "account",
	"deadline",
};

const char *diag_step_name(enum diag_step step)
{
	return step < DIAG_NSTEPS ? step_names[step] : "none";
}

/* Each verdict's id and whether it is about a proxy on the route. */
static const struct {
	const char *name;
	bool proxy;
} verdicts[DIAG_NVERDICTS] = {
	[DVERDICT_OK] = { "ok", false },
	[DVERDICT_CONFIG_INVALID] = { "config_invalid", false },
	[DVERDICT_DNS_FAILURE] = { "dns_failure", false },
	[DVERDICT_DNS_SEARCH_HIJACK] = { "dns_search_hijack", false },
	[DVERDICT_CONNECT_TIMEOUT] = { "connect_timeout", false },
	[DVERDICT_CONNECT_REFUSED] = { "connect_refused", false },
	[DVERDICT_PROXY_UNREACHABLE] = { "proxy_unreachable", true },
	[DVERDICT_PROXY_TLS_FAILED] = { "proxy_tls_failed", true },
	[DVERDICT_PROXY_TLS_UNTRUSTED] = { "proxy_tls_untrusted", true },
	[DVERDICT_PROXY_SPEAKS_HTTP] = { "proxy_speaks_http", true },
	[DVERDICT_PROXY_SPEAKS_TLS] = { "proxy_speaks_tls", true },
	[DVERDICT_PROXY_AUTH_REQUIRED] = { "proxy_auth_required", true },
	[DVERDICT_PROXY_REFUSED] = { "proxy_refused", true },
	[DVERDICT_TLS_TIMEOUT] = { "tls_timeout", false },
	[DVERDICT_TLS_UNTRUSTED] = { "tls_untrusted", false },
	[DVERDICT_TLS_NAME_MISMATCH] = { "tls_name_mismatch", false },
	[DVERDICT_TLS_FAILED] = { "tls_failed", false },
	[DVERDICT_HTTP_TIMEOUT] = { "http_timeout", false },
	[DVERDICT_NOT_ACME_DIRECTORY] = { "not_acme_directory", false },
	[DVERDICT_ACCOUNT_NOT_FOUND] = { "account_not_found", false },
	[DVERDICT_ACCOUNT_ERROR] = { "account_error", false },
	[DVERDICT_DEADLINE_EXCEEDED] = { "deadline_exceeded", false },
	[DVERDICT_PROXY_CANNOT_REACH] = { "proxy_cannot_reach", true },
	[DVERDICT_PROXY_AUTH_UNSUPPORTED] = { "proxy_auth_unsupported", true },
	[DVERDICT_NO_ROUTE] = { "no_route", false },
	[DVERDICT_CA_UNAVAILABLE] = { "ca_unavailable", false },
	[DVERDICT_PATH_MTU_BLACKHOLE] = { "path_mtu_blackhole", false },
	[DVERDICT_DNS_SLOW] = { "dns_slow", false },
};

const char *diag_verdict_name(enum diag_verdict verdict)
{
	return (unsigned)verdict < DIAG_NVERDICTS ? verdicts[verdict].name : "unknown";
}

bool diag_verdict_is_proxy(enum diag_verdict verdict)
{
	return (unsigned)verdict < DIAG_NVERDICTS && verdicts[verdict].proxy;
}

static bool is_auth_status(int code)
{
	/* some proxies (tinyproxy) answer missing credentials with 401 */
	return code == 407 || code == 401;
}

/* The statuses a proxy answers CONNECT with when it cannot reach the
 * target itself (Squid: 503 ERR_CONNECT_FAIL, ERR_DNS_FAIL; 502; 504). */
static bool is_upstream_status(int code)
{
	return code == 502 || code == 503 || code == 504;
}

/* The verdict of a proxy's non-200 answer to CONNECT. */
static enum diag_verdict tunnel_status_verdict(const struct diag_facts *f)
{
	if (is_auth_status(f->tunnel_code))
		return diag_proxy_auth_unsupported(f) ? DVERDICT_PROXY_AUTH_UNSUPPORTED :
		    DVERDICT_PROXY_AUTH_REQUIRED;
	if (is_upstream_status(f->tunnel_code))
		return DVERDICT_PROXY_CANNOT_REACH;
	/* tinyproxy's own 500 "Unable to connect": it could not resolve or
	 * connect to the target */
	if (f->tunnel_code == 500 && f->proxy_server != NULL)
		return DVERDICT_PROXY_CANNOT_REACH;
	return DVERDICT_PROXY_REFUSED;
}

/* A 5xx from the CA: it is there but failing (maintenance, an outage),
 * whatever the body says. */
static bool is_server_error(int code)
{
	return code >= 500 && code <= 599;
}

/* The verdict of a timeout in the HTTP steps. */
static enum diag_verdict http_timeout_verdict(const struct diag_facts *f)
{
	return f->sync_cut ? DVERDICT_DEADLINE_EXCEEDED : DVERDICT_HTTP_TIMEOUT;
}

/* Decides the verdict and the step it comes from. with_hijack false
 * ignores the search-domain analysis (to find what cert-manager sees). */
enum diag_verdict diag_decide(const struct diag_facts *f, bool with_hijack, enum diag_step *step)
{
	const struct diag_conn *c;
	bool px = diag_is_proxied(f);

	if (f->config != DCONF_OK) {
		*step = DIAG_CONFIG;
		return DVERDICT_CONFIG_INVALID;
	}
	*step = DIAG_ROUTE;
	if (f->route == DROUTE_REFUSED)
		return DVERDICT_CONFIG_INVALID;
	*step = DIAG_DNS;
	/* Go's resolver would answer, but only after cert-manager gave up */
	if (f->dns == DDNS_TIMEOUT && f->dns_go && f->dns_go_answers)
		return DVERDICT_DNS_SLOW;
	if (f->dns == DDNS_NOTFOUND || f->dns == DDNS_SERVFAIL || f->dns == DDNS_TIMEOUT)
		return px ? DVERDICT_PROXY_UNREACHABLE : DVERDICT_DNS_FAILURE;
	if (with_hijack && !px && f->hijack_domain != NULL)
		return DVERDICT_DNS_SEARCH_HIJACK;
	*step = DIAG_TCP;
	if (f->nconns > 0 && !diag_any_conn_ok(f)) {
		if (px)
			return DVERDICT_PROXY_UNREACHABLE;
		c = diag_primary_conn(f);
		if (c->result == DCONN_UNREACHABLE)
			return DVERDICT_NO_ROUTE;
		return c->result == DCONN_TIMEOUT ? DVERDICT_CONNECT_TIMEOUT : DVERDICT_CONNECT_REFUSED;
	}
	*step = DIAG_PROXY;
	if (f->proxy_speaks == DSPEAKS_HTTP)
		return DVERDICT_PROXY_SPEAKS_HTTP;
	if (f->proxy_speaks == DSPEAKS_TLS)
		return DVERDICT_PROXY_SPEAKS_TLS;
	if (diag_proxy_handshake_failed(f))
		return DVERDICT_PROXY_TLS_FAILED;
	if (diag_proxy_checks_fail(f))
		return DVERDICT_PROXY_TLS_UNTRUSTED;
	switch (f->tunnel) {
	case DTUN_TIMEOUT:
		/* connected, but the proxy is still trying the CA */
		return DVERDICT_PROXY_CANNOT_REACH;
	case DTUN_CLOSED:
		return DVERDICT_PROXY_UNREACHABLE;
	case DTUN_STATUS:
		return tunnel_status_verdict(f);
	default:
		break;
	}
	*step = DIAG_TLS;
	if (f->tls == DTLS_TIMEOUT)
		return f->small_mtu > 0 ? DVERDICT_PATH_MTU_BLACKHOLE : DVERDICT_TLS_TIMEOUT;
	if (f->tls == DTLS_FAILED)
		return DVERDICT_TLS_FAILED;
	if (diag_tls_checks_fail(f))
		return f->name_mismatch ? DVERDICT_TLS_NAME_MISMATCH : DVERDICT_TLS_UNTRUSTED;
	*step = DIAG_HTTP;
	if (f->http == DHTTP_TIMEOUT)
		return http_timeout_verdict(f);
	if (f->http == DHTTP_NOT_ACME && is_server_error(f->http_status))
		return DVERDICT_CA_UNAVAILABLE;
	if (f->http == DHTTP_FAILED || f->http == DHTTP_NOT_ACME)
		return DVERDICT_NOT_ACME_DIRECTORY;
	*step = DIAG_NONCE;
	if (f->nonce == DNONCE_TIMEOUT)
		return http_timeout_verdict(f);
	if (f->nonce == DNONCE_FAILED && is_server_error(f->nonce_status))
		return DVERDICT_CA_UNAVAILABLE;
	if (f->nonce == DNONCE_MISSING || f->nonce == DNONCE_FAILED)
		return DVERDICT_NOT_ACME_DIRECTORY;
	*step = DIAG_ACCOUNT;
	if (f->account == DACCT_TIMEOUT)
		return http_timeout_verdict(f);
	if (f->account == DACCT_FAILED || f->account == DACCT_UPDATE_FAILED)
		return DVERDICT_ACCOUNT_ERROR;
	/* a missing account is registered, if there is time for it */
	*step = DIAG_DEADLINE;
	if (f->sync_cut || diag_total_cm_ms(f, DIAG_NSTEPS) > diag_sync_ms(f))
		return DVERDICT_DEADLINE_EXCEEDED;
	*step = DIAG_ACCOUNT;
	if (f->account == DACCT_NOT_FOUND)
		return DVERDICT_ACCOUNT_NOT_FOUND;
	*step = DIAG_NSTEPS;
	return DVERDICT_OK;
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
	r->verdict = diag_decide(f, true, &r->failed);
	diag_lines(f, r);
	diag_find(f, r);
	diag_cm_view(f, r->verdict, r->failed, &r->cm);
	diag_advise(f, r);
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
