/* advice.c - findings (what else the steps showed) and advice (what to
 * change, for the verdict and the findings). Pure.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diagnose_int.h"
#include "staging.h"
#include "util.h"

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

static bool at_least_v1_12(const struct diag_facts *f)
{
	struct cm_version v112 = { 1, 12, 0 };

	return cm_version_cmp(&f->cm, &v112) >= 0;
}

static void find_ipv6(const struct diag_facts *f, struct diag_report *r)
{
	const struct diag_conn *v6 = NULL;
	const char *name = f->dns_name != NULL ? f->dns_name : f->host;
	bool v4_ok, have_v4;

	if (!diag_ipv6_all_failed(f, &v4_ok, &have_v4) || (have_v4 && !v4_ok))
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

/* The server chose TLS 1.0 or 1.1, which only releases on Go 1.17 and
 * older offer: what v1.9.0 and later meet there. Caller frees. */
static char *legacy_tls_text(const struct diag_facts *f, const char *version)
{
	char *go118 = diag_go118_error(f), *out;

	if (go118 != NULL)
		out = xasprintf("the server chose %s: cert-manager %s (Go 1.%d) offers TLS 1.0 "
		    "to 1.3 and accepts it, but v1.9.0 and later (Go 1.18 and later) offer only "
		    "TLS 1.2 and 1.3 and fail there: %s; enable TLS 1.2 on the server "
		    "before upgrading cert-manager", f->tls_version, version,
		    cm_go_minor(&f->cm), go118);
	else if (f->tls_go118.result == DTLS_OK)
		out = xasprintf("the server chose %s, but a second handshake offering only TLS "
		    "1.2 and 1.3 (cert-manager v1.9.0 and later) worked too (%s)",
		    f->tls_version, f->tls_go118.version != NULL ? f->tls_go118.version : "?");
	else
		out = xasprintf("the server chose %s: cert-manager %s (Go 1.%d) accepts it, but "
		    "v1.9.0 and later offer only TLS 1.2 and 1.3; rerun with "
		    "--cert-manager-version %s to see what they meet", f->tls_version, version,
		    cm_go_minor(&f->cm), CM_VERSION_CURRENT);
	free(go118);
	return out;
}

void diag_find(const struct diag_facts *f, struct diag_report *r)
{
	const struct diag_handshake *ph = &f->proxy_handshake;
	char *known_host, *server_host, *t;
	long long total = diag_total_cm_ms(f, DIAG_NSTEPS);

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
	/* slow, but in time: the lookup works, with the wait cert-manager pays */
	if (f->dns_go && f->dns == DDNS_OK && f->dns_go_waits > 0)
		add_finding(r, "dns_slow", diag_dns_slow_why(f));
	if (f->search_domain != NULL && f->dns == DDNS_OK)
		add_finding(r, "dns_search_domain", xasprintf("%s. does not resolve; the answer "
		    "came from the search domain %s (%s.%s.): fine for a cluster service name, "
		    "a trap when %s has a wildcard record", f->dns_name, f->search_domain,
		    f->dns_name, f->search_domain, f->search_domain));
	if (f->ca_bundle_ignored)
		add_finding(r, "ca_bundle_ignored", xasprintf("spec.acme.caBundle is set, but "
		    "cert-manager %s has no such field (it came in v1.11.0): the API server "
		    "drops it and the system roots are used", r->cm_version));
	if (f->key_desc != NULL && strncmp(f->key_desc, "RSA ", 4) == 0 &&
	    atoi(f->key_desc + 4) < 2048)
		add_finding(r, "key_rsa_small", xasprintf("the account key is %s: cert-manager "
		    "does not check the size and sends it; the CA decides (Let's Encrypt and "
		    "most CAs refuse keys under 2048 bits with badPublicKey)", f->key_desc));
	if (f->key_not_rsa)
		add_finding(r, "key_not_rsa", xasprintf("the account key (%s, from %s) is fine for "
		    "acmectl, but cert-manager accepts only RSA account keys", f->key_desc,
		    f->key_source != NULL ? f->key_source : "?"));
	if (f->issuer_condition != NULL)
		add_finding(r, "issuer_status", xasprintf("the manifest's Ready condition: %s",
		    f->issuer_condition));
	if (diag_cm_skips(f))
		add_finding(r, "setup_skipped", xasprintf("the Issuer is Ready, status.acme.uri "
		    "is on the server's host and spec.acme.email is the registered e-mail%s: "
		    "cert-manager %s sends no request at all and stays Ready; the steps show "
		    "what a new registration would meet", at_least_v1_12(f) ? ", and "
		    "lastPrivateKeyHash is this key's" : "", r->cm_version));
	/* cert-manager compares the two exactly (its skip test and
	 * ensureEmailUpToDate), so a change of case alone is a change too */
	if (f->email != NULL && f->registered_email != NULL &&
	    strcmp(f->email, f->registered_email) != 0)
		add_finding(r, "email_changed", strcasecmp(f->email, f->registered_email) == 0 ?
		    xasprintf("spec.acme.email is %s but status.acme.lastRegisteredEmail is %s: "
		    "cert-manager compares them exactly, so it does not skip the set-up: it "
		    "registers again, sends UpdateReg when the account's contact differs in any "
		    "letter (the CA gets the address in lower case, so nothing changes there) "
		    "and records %s", f->email, f->registered_email, f->email) :
		    xasprintf("spec.acme.email is %s but the account "
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
	if (f->plain_http)
		add_finding(r, "plain_http", xasprintf("spec.acme.server is http://: cert-manager "
		    "uses it as it is, without TLS, so anyone on the path can read and change "
		    "the CA's answers (the account key's signatures still protect the "
		    "requests)"));
	if (f->tls == DTLS_OK && f->tls_version != NULL && (strcmp(f->tls_version, "TLSv1") == 0 ||
	    strcmp(f->tls_version, "TLSv1.1") == 0))
		add_finding(r, "tls_legacy_version", legacy_tls_text(f, r->cm_version));
	/* Go uses the same TLS configuration with an https:// proxy */
	if (f->proxy_tls && f->proxy_handshake.result == DTLS_OK &&
	    f->proxy_handshake.version != NULL &&
	    (strcmp(f->proxy_handshake.version, "TLSv1") == 0 ||
	    strcmp(f->proxy_handshake.version, "TLSv1.1") == 0))
		add_finding(r, "tls_legacy_version", xasprintf("the proxy %s chose %s: "
		    "cert-manager %s (Go 1.%d) accepts it, but v1.9.0 and later (Go 1.18 and "
		    "later) offer only TLS 1.2 and 1.3 and fail at the proxy; rerun with "
		    "--cert-manager-version %s to see their error", f->proxy_shown,
		    f->proxy_handshake.version, r->cm_version, cm_go_minor(&f->cm),
		    CM_VERSION_CURRENT));
	if (f->eab_required && !f->eab_configured)
		add_finding(r, "eab_required", xstrdup("the directory says "
		    "externalAccountRequired: cert-manager's newAccount without "
		    "spec.acme.externalAccountBinding is refused for a key with no account"));
	if (f->eab_configured && !f->register_sent && f->account == DACCT_NOT_FOUND)
		add_finding(r, "eab_not_checked", xasprintf("spec.acme.externalAccountBinding is "
		    "set: cert-manager sends it with newAccount; onlyReturnExisting does not "
		    "check the key ID or the MAC key (--register with --eab-secret does)"));
	if (f->key_generated)
		add_finding(r, "key_generated", xasprintf("the Secret %s is not in the given "
		    "Secrets: cert-manager generates an RSA 2048 key (a new account) and "
		    "clears status.acme.uri; diagnose does the same with a key it does not "
		    "keep", f->key_secret_name ? f->key_secret_name : "?"));
	if (!f->register_sent && f->account == DACCT_FOUND && cm_updates_contact(f->account_contact,
	    f->email))
		add_finding(r, "contact_update", xasprintf("the account's contact is %s, not "
		    "spec.acme.email (%s) exactly: cert-manager updates it after finding the "
		    "account (ErrUpdateACMEAccount if the CA refuses; --register sends that "
		    "update)", f->account_contact ? f->account_contact : "empty",
		    f->email ? f->email : "empty"));
	if (f->contact_updated)
		add_finding(r, "contact_updated", xasprintf("the account's contact was %s, not "
		    "spec.acme.email (%s) exactly: cert-manager updates it (UpdateReg) and so "
		    "did --register", f->account_contact ? f->account_contact : "empty",
		    f->email ? f->email : "empty"));
	if (f->account == DACCT_NOT_FOUND) {
		server_host = cm_url_host(f->server);
		add_finding(r, "account_not_found", xasprintf("the key has no account at %s: "
		    "cert-manager would register a new account for it there, not find an "
		    "old one", server_host));
		free(server_host);
	}
	if (!cm_short_deadline(&f->cm) && !f->sync_cut && total > 10000 &&
	    total - f->dns_go_wait_ms > 10000) {
		t = diag_duration(total);
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

static void advise_tls(const struct diag_facts *f, enum diag_verdict verdict, struct diag_report *r)
{
	struct diag_handshake h;
	char *sans, *target = diag_host_port(f->host, f->port);

	if (verdict == DVERDICT_TLS_TIMEOUT) {
		add_advice(r, xasprintf("the TLS handshake with %s does not finish: a middlebox "
		    "dropping TLS (SNI filtering) or an overloaded server; cert-manager gives "
		    "up after 10 s (net/http TLS handshake timeout)", target));
	} else if (verdict == DVERDICT_TLS_FAILED && !cm_offers_tls10(&f->cm) &&
	    ((f->tls_alert_received && f->tls_alert == 70) ||
	    (f->tls_server_version != 0 && f->tls_server_version < TLS1_2_VERSION))) {
		/* alert 70 is protocol_version */
		add_advice(r, xasprintf("%s speaks no TLS version cert-manager %s (Go 1.%d) "
		    "offers: Go 1.18 and later offer only TLS 1.2 and 1.3 (releases up to "
		    "v1.8 offered 1.0 and 1.1 too): enable TLS 1.2 on the server", target,
		    r->cm_version, cm_go_minor(&f->cm)));
	} else if (verdict == DVERDICT_TLS_FAILED) {
		add_advice(r, xasprintf("%s does not complete a TLS handshake (%s): check that "
		    "the port in spec.acme.server speaks HTTPS and that nothing on the path "
		    "resets TLS connections", target, f->tls_error ? f->tls_error : "?"));
	} else if (verdict == DVERDICT_TLS_NAME_MISMATCH) {
		diag_server_handshake(f, &h);
		sans = diag_san_list(&h);
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
static void advise_proxy_tls(const struct diag_facts *f, enum diag_verdict verdict,
    const char *px, struct diag_report *r)
{
	const struct diag_handshake *h = &f->proxy_handshake;
	char *hp = diag_host_port(f->proxy_host != NULL ? f->proxy_host : "?", f->proxy_port);
	char *sans;

	if (verdict == DVERDICT_PROXY_SPEAKS_HTTP) {
		add_advice(r, xasprintf("%s is a plain HTTP proxy (it answers CONNECT in the "
		    "clear and no TLS): write it as http://%s in HTTPS_PROXY of cert-manager's "
		    "Deployment (here: --proxy or HTTPS_PROXY)", px, hp));
	} else if (verdict == DVERDICT_PROXY_SPEAKS_TLS) {
		add_advice(r, xasprintf("%s speaks TLS (it dropped the CONNECT in the clear, a "
		    "TLS handshake worked): write it as https://%s in HTTPS_PROXY of "
		    "cert-manager's Deployment (here: --proxy or HTTPS_PROXY)", px, hp));
		if (diag_checks_fail(f, h))
			advise_proxy_trust(f, px, r);
	} else if (verdict == DVERDICT_PROXY_TLS_FAILED) {
		add_advice(r, xasprintf("%s does not complete a TLS handshake (%s), and it does "
		    "not answer a CONNECT in the clear either: check that %s is the proxy's "
		    "TLS port and that it accepts TLS 1.2 or 1.3", px, h->result ==
		    DTLS_TIMEOUT ? "no answer" : h->error != NULL ? h->error : "?", hp));
	} else if (h->name_mismatch) {
		sans = diag_san_list(h);
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

/* True when the account step's problem is of type name. */
static bool account_problem_is(const struct diag_facts *f, const char *name)
{
	const char *p = f->account_problem;
	size_t n = strlen(name);

	if (p != NULL && strncmp(p, "urn:ietf:params:acme:error:", 27) == 0)
		p += 27;
	return p != NULL && strncmp(p, name, n) == 0 && p[n] == ':';
}

/* The advice for a refused account request, by what the CA said. */
static void advise_account_error(const struct diag_facts *f, struct diag_report *r)
{
	const char *what = f->account_problem != NULL ? f->account_problem : "?";
	const char *req = f->account_request != NULL && strcmp(f->account_request, "update") == 0 ?
	    "the contact update" : f->register_sent ? "the registration" : "the account lookup";

	if (account_problem_is(f, "externalAccountRequired") && !f->eab_configured)
		add_advice(r, xasprintf("the CA requires external account binding (%s): get a "
		    "key ID and MAC key from the CA, store the MAC key (base64url, no padding) "
		    "in a Secret and set spec.acme.externalAccountBinding (keyID, "
		    "keySecretRef)", what));
	else if (f->eab_configured && (account_problem_is(f, "unauthorized") ||
	    account_problem_is(f, "badSignatureAlgorithm") ||
	    account_problem_is(f, "externalAccountRequired") ||
	    account_problem_is(f, "malformed")))
		add_advice(r, xasprintf("the CA refused %s (%s): spec.acme.externalAccountBinding "
		    "is set, so check its keyID and the MAC key in its Secret%s%s%s%s "
		    "(base64url without padding) against what the CA issued", req, what,
		    f->eab_secret_name ? " " : "", f->eab_secret_name ? f->eab_secret_name : "",
		    f->eab_secret_key ? ", key " : "", f->eab_secret_key ? f->eab_secret_key : ""));
	else if (account_problem_is(f, "invalidContact") ||
	    account_problem_is(f, "unsupportedContact"))
		add_advice(r, xasprintf("the CA refuses the contact (%s): fix spec.acme.email "
		    "(%s); cert-manager sends it lower-cased as mailto:", what,
		    f->email != NULL ? f->email : "empty"));
	else if (account_problem_is(f, "rateLimited"))
		add_advice(r, xasprintf("the CA rate-limits %s (%s): cert-manager does not "
		    "retry a 4xx until the Issuer changes; wait for the limit to pass, then "
		    "touch the Issuer", req, what));
	else if (f->eab_configured)
		add_advice(r, xasprintf("the CA refused %s (%s): spec.acme.externalAccountBinding "
		    "is set, so check its keyID and the MAC key in its Secret (base64url "
		    "without padding) with the CA", req, what));
	else
		add_advice(r, xasprintf("the CA refused %s (%s): if it requires external "
		    "account binding, set spec.acme.externalAccountBinding", req, what));
}

/* The proxy answered, or is still trying, but cannot reach the CA itself:
 * the fix is on the proxy's side, and going direct is what the proxy is
 * there to avoid. */
static void advise_proxy_cannot_reach(const struct diag_facts *f, struct diag_report *r)
{
	char *target = diag_host_port(f->host, f->port), *how, *t;

	if (f->tunnel == DTUN_TIMEOUT) {
		t = diag_duration(f->ms[DIAG_PROXY]);
		how = xasprintf("it accepted the connection but had not answered CONNECT "
		    "after %s: it is still trying to connect", t);
		free(t);
	} else {
		how = xasprintf("it answered %s with %d%s%s%s%s", f->proxy_forward ?
		    "the GET of the directory" : "CONNECT", f->tunnel_code,
		    f->tunnel_reason != NULL ? " " : "", f->tunnel_reason != NULL ?
		    f->tunnel_reason : "", f->squid_error != NULL ? ", X-Squid-Error: " : "",
		    f->squid_error != NULL ? f->squid_error : "");
	}
	add_advice(r, xasprintf("the proxy at %s:%d cannot reach %s (%s): fix the proxy's "
	    "own egress to the CA (its route, firewall or DNS), or ask whoever runs it; "
	    "nothing in the Issuer or in cert-manager's proxy settings is wrong", f->proxy_host,
	    f->proxy_port, target, how));
	add_advice(r, xasprintf("NO_PROXY will not help: it only sends cert-manager direct "
	    "to %s, past the proxy this network needs", f->host));
	free(how);
	free(target);
}

/* Where there is no route: the routing table here, or a router or firewall
 * answering with ICMP unreachable / administratively prohibited. */
static void advise_no_route(const struct diag_facts *f, const struct diag_conn *c,
    struct diag_report *r)
{
	char *hp = diag_host_port(c->addr, f->port);
	bool local = c->error != NULL && strcmp(c->error, strerror(ENETUNREACH)) == 0;

	if (local)
		add_advice(r, xasprintf("%s: %s, this host has no route to %s (no default "
		    "route, or none for that network): fix the routes of the node or pod "
		    "network (ip route get %s); the host name and the port are not the problem",
		    hp, c->error, c->addr, c->addr));
	else
		add_advice(r, xasprintf("%s: %s, a router or firewall on the path rejects the "
		    "connection (ICMP host unreachable or administratively prohibited): "
		    "allow egress to %s port %d/tcp in the firewall, security group or "
		    "NetworkPolicy, or fix the route to it; the host name and the port are not "
		    "the problem", hp, c->error != NULL ? c->error : "unreachable", c->addr,
		    f->port));
	free(hp);
}

/* Go's resolver answers, but its waits cost too much: the fixes. */
static void advise_dns_slow(const struct diag_facts *f, struct diag_report *r)
{
	char *fix[DIAG_DNS_FIXES_MAX];
	size_t n = diag_dns_slow_fixes(f, fix);

	for (size_t i = 0; i < n; i++)
		add_advice(r, fix[i]);
}

static void advise_verdict(const struct diag_facts *f, enum diag_verdict verdict,
    struct diag_report *r)
{
	struct cm_deadlines dl;
	const char *name = f->dns_name != NULL ? f->dns_name : f->host;
	const char *ns = f->nameserver != NULL ? f->nameserver : "the local resolver";
	const char *v2;
	const struct diag_conn *c = diag_primary_conn(f);
	char *px = proxy_label(f), *hp, *t1, *t2, *t3;

	cm_deadlines(&f->cm, &dl);
	switch (verdict) {
	case DVERDICT_OK:
		add_advice(r, xasprintf("nothing to change on this path; if the Issuer is still "
		    "not Ready, run this from the cert-manager pod's network namespace, with "
		    "its proxy environment and resolv.conf (--resolv-conf)"));
		break;
	case DVERDICT_CONFIG_INVALID:
		if (f->config == DCONF_V1_SERVER && (v2 = cm_v1_replacement(f->server)) != NULL)
			add_advice(r, xasprintf("set spec.acme.server to %s", v2));
		else if (f->config == DCONF_KEY_NOT_RSA || f->config == DCONF_KEY_INVALID)
			add_advice(r, xasprintf("store an RSA key (PEM, PKCS#1 or PKCS#8) in the "
			    "Secret %s%s", f->key_secret_name ? f->key_secret_name :
			    "named by privateKeySecretRef", f->key_generation_disabled ? " (with "
			    "disableAccountKeyGeneration set, cert-manager will not make one)" :
			    ", or delete the Secret so cert-manager generates an RSA 2048 key "
			    "(that is a new account)"));
		else if (f->config == DCONF_KEY_SECRET_MISSING)
			add_advice(r, xasprintf("create the Secret %s with the account's RSA key "
			    "(acmectl account export --cert-manager writes one): "
			    "disableAccountKeyGeneration is set, so cert-manager will not make "
			    "one; or unset it to let cert-manager generate a key (a new account)",
			    f->key_secret_name ? f->key_secret_name : "named by privateKeySecretRef"));
		else if (f->config == DCONF_INVALID_URL)
			add_advice(r, xasprintf("%s: Go cannot parse it (%s), so cert-manager stops "
			    "with InvalidURL and does not retry until the Issuer changes",
			    f->invalid_url_what != NULL && strcmp(f->invalid_url_what, "account") == 0 ?
			    "clear status.acme.uri (kubectl edit --subresource=status)" :
			    "fix spec.acme.server", f->invalid_url));
		else if (f->config == DCONF_EAB_INVALID)
			add_advice(r, xasprintf("put the CA's MAC key, base64url without padding "
			    "(no '=', '+' or '/'), under key %s of the Secret %s: cert-manager "
			    "says %s and does not retry until the Issuer changes",
			    f->eab_secret_key ? f->eab_secret_key : "?",
			    f->eab_secret_name ? f->eab_secret_name : "?", f->eab_invalid));
		else if (f->config == DCONF_REJECTED)
			add_advice(r, xasprintf("fix the manifest before applying it: the webhook "
			    "refuses it (%s), so the Issuer never exists and has no condition",
			    f->config_problem));
		else if (f->config == DCONF_INVALID)
			add_advice(r, xasprintf("fix the Issuer: %s", f->config_problem ?
			    f->config_problem : "see the config step"));
		else
			add_advice(r, xasprintf("fix the proxy setting: %s", f->route_reason ?
			    f->route_reason : "see the route step"));
		break;
	case DVERDICT_DNS_FAILURE:
		if (f->dns == DDNS_NOTFOUND)
			add_advice(r, xasprintf("%s does not resolve via %s: check the host name in "
			    "spec.acme.server, and that the cluster DNS (CoreDNS) forwards to a "
			    "resolver that knows it", name, ns));
		else
			add_advice(r, xasprintf("%s did not answer for %s: check that DNS egress "
			    "(UDP and TCP port 53) is allowed and that CoreDNS's upstream is "
			    "reachable", ns, name));
		break;
	case DVERDICT_DNS_SLOW:
		advise_dns_slow(f, r);
		break;
	case DVERDICT_DNS_SEARCH_HIJACK:
		add_advice(r, xasprintf("drop the search domain %s from the resolver "
		    "configuration (pod dnsConfig or the node's resolv.conf), or lower ndots "
		    "(dnsConfig option ndots:1) so %s is tried as given first",
		    f->hijack_domain, name));
		add_advice(r, xasprintf("or remove the wildcard record *.%s that answers for "
		    "%s.%s", f->hijack_domain, name, f->hijack_domain));
		add_advice(r, xasprintf("%s", DIAG_TRAILING_DOT_CAVEAT));
		break;
	case DVERDICT_CONNECT_TIMEOUT:
		hp = diag_host_port(c->addr, f->port);
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
		break;
	case DVERDICT_CONNECT_REFUSED:
		hp = diag_host_port(c->addr, f->port);
		t1 = c->result == DCONN_REFUSED ? xstrdup("") :
		    xasprintf(" (%s)", conn_outcome(c));
		t2 = diag_is_ip(f->host) ? xstrdup("") : xasprintf(", that %s resolves to the CA "
		    "and not to a local service", f->host);
		add_advice(r, xasprintf("%s refuses connections%s: check the port in "
		    "spec.acme.server%s, and any egress firewall that rejects", hp, t1, t2));
		free(t1);
		free(t2);
		free(hp);
		break;
	case DVERDICT_PROXY_UNREACHABLE:
		if (diag_has_finding(r, "go_proxy_misread")) {
			/* the proxy Go dials is not the one written: no NO_PROXY advice */
			add_advice(r, xasprintf("cert-manager never reaches the proxy written in %s: "
			    "Go reads the value as a proxy at %s:%d (the go_proxy_misread "
			    "finding says why). Write it so Go reads it as meant: percent-encode "
			    "a raw '#', '/' or '?' in the user or password (%%23, %%2F, %%3F), and "
			    "use only http://, https:// or socks5:// proxies",
			    f->proxy_source != NULL ? f->proxy_source : "the proxy setting",
			    f->proxy_host != NULL ? f->proxy_host : "?", f->proxy_port));
			break;
		}
		if (f->dns == DDNS_NOTFOUND || f->dns == DDNS_SERVFAIL || f->dns == DDNS_TIMEOUT)
			add_advice(r, xasprintf("the proxy host %s does not resolve: fix %s", name,
			    f->proxy_source ? f->proxy_source : "the proxy setting"));
		else
			add_advice(r, xasprintf("%s cannot be reached or does not answer CONNECT: "
			    "check its address and port", px));
		add_advice(r, xasprintf("if %s is reachable without the proxy, add the name %s "
		    "to NO_PROXY (names match; IP entries never match a URL written with a "
		    "name)", f->host, f->host));
		break;
	case DVERDICT_PROXY_CANNOT_REACH:
		advise_proxy_cannot_reach(f, r);
		break;
	case DVERDICT_PROXY_AUTH_UNSUPPORTED:
		add_advice(r, xasprintf("%s offers only %s authentication: Go's transport, and "
		    "so cert-manager, can send only Basic credentials (from the proxy URL) and "
		    "cannot do NTLM or Negotiate (Kerberos). Have the proxy accept Basic, or no "
		    "authentication, for cert-manager's source address or for %s; or run a "
		    "relay that authenticates to it (e.g. cntlm) and point HTTPS_PROXY at the "
		    "relay", px, f->auth_schemes, f->host));
		break;
	case DVERDICT_NO_ROUTE:
		advise_no_route(f, c, r);
		break;
	case DVERDICT_PATH_MTU_BLACKHOLE:
		hp = diag_host_port(c->addr, f->port);
		add_advice(r, xasprintf("TCP to %s connects, but the server's full-size packets "
		    "(its certificate) never arrive, while a handshake asking for segments of "
		    "%d bytes (packets of %d) works: a path-MTU black hole, a link on the way "
		    "(tunnel, VXLAN, GRE, VPN) with an MTU under 1500 and ICMP \"fragmentation "
		    "needed\" blocked. Set the MTU of the pod network or node interface to %d "
		    "or less, let ICMP type 3 code 4 (ICMPv6 packet too big) through, or clamp "
		    "the MSS on the tunnel (iptables TCPMSS --clamp-mss-to-pmtu); SNI filtering "
		    "would block small packets too", hp, f->small_mss, f->small_mtu,
		    f->small_mtu));
		free(hp);
		break;
	case DVERDICT_CA_UNAVAILABLE:
		add_advice(r, xasprintf("the CA at %s answers %d: it is reached but failing "
		    "(maintenance or an outage), so spec.acme.server, DNS, the proxy and TLS are "
		    "fine; check the CA's status page and wait: cert-manager keeps retrying the "
		    "Issuer with back-off on its own", f->host, r->failed == DIAG_NONCE ?
		    f->nonce_status : f->http_status));
		break;
	case DVERDICT_PROXY_TLS_FAILED:
	case DVERDICT_PROXY_TLS_UNTRUSTED:
	case DVERDICT_PROXY_SPEAKS_HTTP:
	case DVERDICT_PROXY_SPEAKS_TLS:
		advise_proxy_tls(f, verdict, px, r);
		break;
	case DVERDICT_PROXY_AUTH_REQUIRED:
		if (f->proxy_credentials)
			add_advice(r, xasprintf("%s rejected the credentials sent: fix user:password "
			    "in the proxy URL (percent-encode special characters)", px));
		else
			add_advice(r, xasprintf("%s wants credentials: put them into the proxy URL "
			    "(%s://USER:PASSWORD@host:port) of %s in cert-manager's "
			    "Deployment (here: --proxy-auth-file)", px, f->proxy_tls ? "https" :
			    "http", f->plain_http ? "HTTP_PROXY" : "HTTPS_PROXY"));
		break;
	case DVERDICT_PROXY_REFUSED:
		hp = diag_host_port(f->host, f->port);
		if (f->proxy_forward)
			add_advice(r, xasprintf("%s refuses to fetch %s for cert-manager (%d%s%s): "
			    "allow http://%s in its access rules (e.g. Squid http_access and "
			    "Safe_ports, tinyproxy Allow and Filter), or add %s to NO_PROXY if it "
			    "is reachable directly", px, f->server, f->tunnel_code, f->tunnel_reason ?
			    " " : "", f->tunnel_reason ? f->tunnel_reason : "", hp, f->host));
		else
			add_advice(r, xasprintf("%s refuses CONNECT to %s (%d%s%s): allow %s in "
			    "its access rules (e.g. Squid http_access and SSL_ports, tinyproxy "
			    "ConnectPort and Filter), or add %s to NO_PROXY if it is reachable "
			    "directly", px, hp, f->tunnel_code, f->tunnel_reason ? " " : "",
			    f->tunnel_reason ? f->tunnel_reason : "", hp, f->host));
		free(hp);
		break;
	case DVERDICT_TLS_TIMEOUT:
	case DVERDICT_TLS_UNTRUSTED:
	case DVERDICT_TLS_NAME_MISMATCH:
	case DVERDICT_TLS_FAILED:
		advise_tls(f, verdict, r);
		break;
	case DVERDICT_HTTP_TIMEOUT:
		t1 = diag_duration(f->step_timeout_ms);
		t2 = diag_duration(dl.http_client_ms);
		t3 = diag_duration(dl.sync_ms);
		add_advice(r, xasprintf("the server did not answer within %s (--timeout); "
		    "cert-manager %s waits up to %s per request within its %s sync deadline: "
		    "run again with a larger --timeout to see whether it answers at all", t1,
		    r->cm_version, t2, t3));
		free(t1);
		free(t2);
		free(t3);
		break;
	case DVERDICT_NOT_ACME_DIRECTORY:
		if (f->v1_replacement != NULL)
			add_advice(r, xasprintf("this is an ACME v1 directory: use the v2 URL %s",
			    f->v1_replacement));
		else
			add_advice(r, xasprintf("%s does not lead to an ACME v2 directory; see "
			    "the %s step. If a proxy error page or captive portal answered, fix "
			    "the path through it; else check spec.acme.server (for Let's Encrypt: "
			    "%s)", f->server, diag_step_name(r->failed), LETSENCRYPT_URL));
		break;
	case DVERDICT_ACCOUNT_NOT_FOUND:
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
		break;
	case DVERDICT_ACCOUNT_ERROR:
		advise_account_error(f, r);
		break;
	case DVERDICT_DEADLINE_EXCEEDED:
		if (cm_short_deadline(&f->cm))
			/* the releases that first had the 2 min deadline are long
			 * out of support: point at the newest one */
			add_advice(r, xasprintf("the steps do not fit cert-manager %s's 10 s sync "
			    "deadline: upgrade to a supported release such as %s (the deadline is "
			    "2 min since v1.9.0, v1.7.3 and v1.8.2), or use a faster ACME endpoint",
			    r->cm_version, CM_VERSION_CURRENT));
		else
			add_advice(r, xasprintf("the CA is slower than cert-manager's 2 min sync "
			    "deadline: check the CA's status page and the proxy on the path"));
		break;
	}
	free(px);
}

static void advise_findings(const struct diag_facts *f, enum diag_verdict verdict,
    struct diag_report *r)
{
	bool proxy_trouble = false;

	for (size_t i = 0; i < r->nfindings; i++) {
		const char *id = r->findings[i].id;

		if (strcmp(id, "dns_slow") == 0)
			advise_dns_slow(f, r);
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
		} else if (strcmp(id, "ipv6_broken") == 0 && verdict == DVERDICT_OK) {
			add_advice(r, xasprintf("IPv6 to %s fails here: fix the IPv6 route or "
			    "firewall; it is not what would fail cert-manager", f->dns_name ?
			    f->dns_name : f->host));
		} else if (strcmp(id, "account_host_mismatch") == 0 &&
		    verdict != DVERDICT_ACCOUNT_NOT_FOUND) {
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
	/* a proxy that cannot reach the CA is not fixed by new settings */
	if (proxy_trouble || f->no_proxy_matched || (diag_verdict_is_proxy(verdict) &&
	    verdict != DVERDICT_PROXY_CANNOT_REACH))
		add_advice(r, xstrdup("cert-manager reads the proxy environment once, at "
		    "start: restart its pod after changing HTTPS_PROXY or NO_PROXY"));
}

void diag_advise(const struct diag_facts *f, struct diag_report *r)
{
	advise_verdict(f, r->verdict, r);
	if (diag_has_finding(r, "setup_skipped") && r->verdict != DVERDICT_OK)
		add_advice(r, xasprintf("cert-manager skips these steps while the Issuer stays "
		    "Ready: the %s failure shows only when it registers again (a new server "
		    "host, e-mail or key, or a Ready condition that is no longer True)",
		    diag_verdict_name(r->verdict)));
	if (!r->cm.condition_written && r->cm.webhook_error == NULL)
		add_advice(r, xasprintf("cert-manager %s cannot update the Ready condition when "
		    "its sync deadline passes (%s): read the Issuer's events (kubectl describe: "
		    "ErrInitIssuer \"Error initializing issuer: context deadline exceeded\") "
		    "and the controller's log (\"error setting up issuer\")", r->cm_version,
		    r->cm.status != NULL ? "the condition still shows an earlier result" :
		    "a new Issuer shows none"));
	advise_findings(f, r->verdict, r);
}
