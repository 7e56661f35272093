/* goerror.c - what cert-manager would show: the error Go's ACME client
 * returns for the failed step, under the modelled version's deadlines, and
 * the Ready condition and events it leads to. Pure.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose_int.h"
#include "util.h"

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
	hp = diag_host_port(c->addr, port);
	s = xasprintf("dial tcp %s: connect: %s", hp, what);
	free(hp);
	free(what);
	return s;
}

/* Go's error for a certificate of host that it refuses. Caller frees. */
static char *go_x509_error(const struct diag_facts *f, const struct diag_handshake *h,
    const char *host)
{
	struct cm_cert_names names = { h->dns_names, h->ndns, h->ip_names, h->nip,
	    h->has_san, h->common_name };

	if (h->name_mismatch)
		return cm_err_x509_hostname(&f->cm, &names, host);
	if (h->chain == DCHAIN_UNKNOWN_CA)
		return cm_err_x509_unknown_authority(&f->cm);
	if (h->chain == DCHAIN_EXPIRED)
		return cm_err_x509_expired(&f->cm, f->now, h->not_before, h->not_after);
	return xasprintf("%sx509: %s", tls_prefix(f), h->chain_error != NULL ?
	    h->chain_error : "certificate not valid");
}

/* The oldest TLS version the modelled release's Go offers. */
static int lowest_tls(const struct diag_facts *f)
{
	return cm_offers_tls10(&f->cm) ? TLS1_VERSION : TLS1_2_VERSION;
}

char *diag_go_handshake_error(const struct diag_handshake *h, bool server, int lowest)
{
	if (server && h->http_answer)
		return cm_err_http_to_https();
	if (h->not_tls || h->http_answer)
		return cm_err_tls_not_tls();
	/* Go reads the ServerHello's version before anything after it */
	if (h->server_version != 0 && h->server_version < lowest)
		return cm_err_tls_server_version(h->server_version);
	if (h->alert_received && h->alert != 0)
		return cm_err_tls_alert(h->alert);
	if (h->closed || h->alert_received)
		return xstrdup("EOF");
	return xstrdup(h->error != NULL ? h->error : "handshake failure");
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
		    diag_go_handshake_error(h, false, lowest_tls(f));
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
		if (f->dns_go && f->dns_go_error != NULL) {
			/* Go's own lookup error, from the model of its resolver */
			detail = xasprintf("dial tcp: %s", f->dns_go_error);
			*cost = f->cm_ms[DIAG_DNS];
		} else if (f->dns_go && f->sync_cut)
			detail = cm_err_dns_timeout(name, NULL);
		else if (f->dns == DDNS_NOTFOUND)
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
		c = diag_primary_conn(f);
		detail = go_dial_error(c, diag_is_proxied(f) ? f->proxy_port : f->port);
		if (c->result == DCONN_TIMEOUT)
			*cost = dl.dial_ms;
		break;
	case DIAG_PROXY:
		/* Go's TLS with an https:// proxy is part of its dial */
		if (diag_proxy_handshake_failed(f) || diag_proxy_checks_fail(f)) {
			detail = go_proxy_tls_error(f, &dl, cost);
			break;
		}
		if (f->tunnel == DTUN_STATUS && f->proxy_forward && f->go_error != NULL) {
			/* no CONNECT: Go read the proxy's answer as the CA's,
			 * an *acme.Error */
			*acme_4xx = f->tunnel_code >= 400 && f->tunnel_code <= 499;
			return xstrdup(f->go_error);
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
			diag_server_handshake(f, &h);
			detail = diag_go_handshake_error(&h, true, lowest_tls(f));
		} else {
			diag_server_handshake(f, &h);
			detail = go_x509_error(f, &h, f->host);
		}
		break;
	case DIAG_HTTP:
		if (f->http == DHTTP_TIMEOUT) {
			*cost = dl.http_client_ms;
			detail = cm_err_client_timeout();
		} else if (f->http == DHTTP_NOT_ACME && f->go_error != NULL) {
			/* any status but 200 is an *acme.Error, returned bare */
			*acme_4xx = f->http_status >= 400 && f->http_status <= 499;
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
		if (f->nonce == DNONCE_FAILED && f->nonce_status > 299) {
			/* a HEAD answer carries no body: Go quotes the status */
			*acme_4xx = f->nonce_status <= 499;
			return cm_err_acme_status(f->nonce_status, f->nonce_status_text, "", 0);
		}
		if (f->nonce == DNONCE_TIMEOUT) {
			*cost = dl.http_client_ms;
			detail = cm_err_client_timeout();
		} else
			detail = xstrdup(f->nonce_error != NULL ? f->nonce_error : "EOF");
		break;
	case DIAG_ACCOUNT:
		method = "POST";
		url = f->new_account_url != NULL ? f->new_account_url : "";
		if (f->account_request != NULL && strcmp(f->account_request, "update") == 0 &&
		    f->account_url != NULL)
			url = f->account_url;
		if (f->account_go_error != NULL) {
			/* any answer but the one wanted is an *acme.Error, bare */
			*acme_4xx = f->account_4xx;
			return xstrdup(f->account_go_error);
		}
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
	if (diag_is_proxied(f) && (step == DIAG_DNS || step == DIAG_TCP)) {
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
	out->condition_written = true;
	out->reason = "InvalidConfig";
	out->message = xstrdup(message);
}

void diag_cm_view(const struct diag_facts *f, enum diag_verdict verdict, enum diag_step step,
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
		if (f->config == DCONF_REJECTED) {
			cm_view_webhook_rejects(f->config_problem, out);
			return;
		}
		if (f->config == DCONF_KEY_INVALID) {
			cm_view_key_invalid(f->key_invalid, out);
			return;
		}
		if (f->config == DCONF_KEY_SECRET_MISSING) {
			cm_view_key_secret_missing(&f->cm, f->key_secret_missing, out);
			return;
		}
		if (f->config == DCONF_INVALID_URL) {
			cm_view_invalid_url(f->invalid_url_what, f->invalid_url_value,
			    f->invalid_url, out);
			return;
		}
		if (f->config == DCONF_EAB_INVALID) {
			cm_view_eab_invalid(&f->cm, f->eab_invalid, out);
			return;
		}
		invalid_view(f->config_problem != NULL ? f->config_problem :
		    "the Issuer is invalid", out);
		return;
	}
	if (diag_cm_skips(f)) {
		/* no request is made, so nothing on the network can fail it */
		cm_view_registered(&f->cm, out);
		return;
	}
	if (verdict == DVERDICT_DNS_SEARCH_HIJACK) {
		/* cert-manager sees what the hijacked address does */
		verdict = diag_decide(f, false, &step);
		diag_cm_view(f, verdict, step, out);
		return;
	}
	if (step == DIAG_NSTEPS || verdict == DVERDICT_ACCOUNT_NOT_FOUND) {
		/* cert-manager registers a new account where none exists */
		if (!f->sync_cut && diag_total_cm_ms(f, DIAG_NSTEPS) <= diag_sync_ms(f)) {
			cm_view_registered(&f->cm, out);
			return;
		}
		step = DIAG_DEADLINE;
	}
	err = go_error(f, step, &cost, &acme_4xx);
	if (f->sync_cut || step == DIAG_DEADLINE || diag_total_cm_ms(f, step) + cost >= diag_sync_ms(f)) {
		/* the sync context ran out while this was still in flight */
		cm_view_deadline(&f->cm, &f->issuer_ready, out);
		free(err);
		return;
	}
	if (f->account == DACCT_UPDATE_FAILED && step == DIAG_ACCOUNT)
		cm_view_update_failed(&f->cm, err, acme_4xx, out);
	else
		cm_view_register_failed(&f->cm, err, acme_4xx, out);
	free(err);
}

char *diag_go118_error(const struct diag_facts *f)
{
	const struct diag_handshake *h = &f->tls_go118;
	char *detail, *out;

	if (h->result == DTLS_TIMEOUT)
		detail = cm_err_tls_handshake_timeout();
	else if (h->result == DTLS_FAILED)
		detail = diag_go_handshake_error(h, true, TLS1_2_VERSION);
	else
		return NULL;
	out = cm_err_url("GET", f->server, detail);
	free(detail);
	return out;
}
