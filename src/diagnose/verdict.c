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
const char *diag_decide(const struct diag_facts *f, bool with_hijack, enum diag_step *step)
{
	const struct diag_conn *c;
	bool px = diag_is_proxied(f);

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
	if (f->nconns > 0 && !diag_any_conn_ok(f)) {
		if (px)
			return "proxy_unreachable";
		c = diag_primary_conn(f);
		return c->result == DCONN_TIMEOUT ? "connect_timeout" : "connect_refused";
	}
	*step = DIAG_PROXY;
	if (f->proxy_speaks == DSPEAKS_HTTP)
		return "proxy_speaks_http";
	if (f->proxy_speaks == DSPEAKS_TLS)
		return "proxy_speaks_tls";
	if (diag_proxy_handshake_failed(f))
		return "proxy_tls_failed";
	if (diag_proxy_checks_fail(f))
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
	if (diag_tls_checks_fail(f))
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
	if (f->sync_cut || diag_total_cm_ms(f, DIAG_NSTEPS) > diag_sync_ms(f))
		return "deadline_exceeded";
	*step = DIAG_ACCOUNT;
	if (f->account == DACCT_NOT_FOUND)
		return "account_not_found";
	*step = DIAG_NSTEPS;
	return "ok";
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
