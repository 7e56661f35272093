/* netsteps.c - the dns, tcp, proxy and tls steps through probe.c, each
 * under its own deadline and all under cert-manager's sync deadline.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509_vfy.h>

#include "diagnose_int.h"
#include "goprobe.h"
#include "util.h"

#define HAPPY_EYEBALLS_MS 300  /* Go's fallback delay to the other family */
#define SYSTEM_LOOKUP_GRACE_MS 1000

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
		domain = diag_keep(r, xstrdup(c[idx].domain));
	resolv_candidates_free(c, n);
	return domain;
}

/* The addresses of list ("a, b") for port. Caller frees *out. */
static size_t addrs_of(const char *list, int port, struct probe_addr **out)
{
	char *copy = xstrdup(list), *tok, *save = NULL;
	size_t n = 0;

	*out = xcalloc(strlen(list) / 2 + 1, sizeof(**out));
	for (tok = strtok_r(copy, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save))
		if (probe_addr_literal(tok, port, &(*out)[n]))
			n++;
	free(copy);
	return n;
}

/* The bound above Go's lookup: the dialer's timeout, or what is left of
 * the sync deadline when that is less (*sync_binds). */
static long long go_lookup_limit(const struct diag_facts *f, bool *sync_binds)
{
	struct cm_deadlines dl;
	long long left = diag_sync_ms(f) - diag_total_cm_ms(f, DIAG_DNS);

	cm_deadlines(&f->cm, &dl);
	if (left < 1)
		left = 1;
	*sync_binds = left <= dl.dial_ms;
	return *sync_binds ? left : dl.dial_ms;
}

/* What Go's lookup (the model over each nameserver's answers) comes to,
 * as cert-manager meets it: f->dns, the cost, Go's error. The system
 * resolver's answer p gives the addresses when it agrees that there are
 * some (it saw the same search list); Go's otherwise. */
static void record_go_lookup(struct run *r, const struct goprobe *g, bool sync_binds,
    int port, struct probe_lookup *p)
{
	struct diag_facts *f = &r->f;

	f->dns_go = true;
	f->dns_go_ms = g->res.ms;
	f->dns_go_wait_ms = g->res.wait_ms;
	f->dns_go_waits = (int)g->res.waits;
	f->dns_go_timeout_s = g->timeout_s;
	f->dns_go_attempts = r->rconf.go_attempts;
	f->dns_go_names = (int)g->nnames;
	f->dns_go_answers = g->res.found || g->late_answer;
	f->dns_go_rotate = g->rotate;
	f->dns_slow_cause = (enum diag_dns_cause)g->cause;
	f->dns_slow_server = diag_keep(r, g->cause_server ? xstrdup(g->cause_server) : NULL);
	f->cm_ms[DIAG_DNS] = g->res.ms;
	if (g->res.found) {
		f->dns = DDNS_OK;
		if (p->status == PROBE_FOUND)
			return;
		f->dns_answer = diag_keep(r, xstrdup(g->answer));
		free(r->addrs);
		r->naddrs = addrs_of(g->answer, port, &r->addrs);
		return;
	}
	if (g->res.cut) {
		/* the context ends the lookup: no server in Go's text */
		f->dns = DDNS_TIMEOUT;
		f->sync_cut = sync_binds;
		f->dns_go_error = sync_binds ? NULL : diag_keep(r, xasprintf("lookup %s: i/o "
		    "timeout", f->dns_name));
		if (g->late_answer)
			f->dns_go_ms = g->full_ms;
		return;
	}
	f->dns_go_error = diag_keep(r, xstrdup(g->error));
	if (g->res.error == GORES_NOTFOUND)
		f->dns = DDNS_NOTFOUND;
	else if (g->res.error == GORES_TIMEOUT)
		f->dns = DDNS_TIMEOUT;
	else
		f->dns = DDNS_SERVFAIL;
}

void diag_step_dns(struct run *r)
{
	struct diag_facts *f = &r->f;
	struct probe_lookup_job *pj, *aj = NULL;
	struct probe_lookup p, a;
	struct probe_addr lit;
	struct goprobe g;
	const char *name = f->route == DROUTE_PROXY ? f->proxy_host : r->host;
	int port = f->route == DROUTE_PROXY ? f->proxy_port : r->port;
	long long start = mono_ms(), deadline, limit;
	bool limited, sync_binds;
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
		f->dns_answer = diag_keep(r, addr_list(r->addrs, r->naddrs));
		f->ms[DIAG_DNS] = f->cm_ms[DIAG_DNS] = mono_ms() - start;
		return;
	}
	deadline = diag_step_deadline(r, DIAG_DNS, &limited);
	pj = probe_lookup_start(name, port);
	/* the absolute name too, to see whether a search domain answered */
	if (f->route != DROUTE_PROXY && name[strlen(name) - 1] != '.') {
		abs_name = xasprintf("%s.", name);
		aj = probe_lookup_start(abs_name, port);
		free(abs_name);
	}
	/* meanwhile Go's own lookup, from each nameserver's answers */
	limit = go_lookup_limit(f, &sync_binds);
	f->dns_go_limit_ms = limit;
	goprobe_run(name, &r->rconf, limit, deadline, &g);
	/* with Go's lookup known, the system resolver only adds the search
	 * domain analysis: not worth waiting out its own timeouts for */
	if (g.known && deadline > mono_ms() + SYSTEM_LOOKUP_GRACE_MS)
		deadline = mono_ms() + SYSTEM_LOOKUP_GRACE_MS;
	probe_lookup_finish(pj, deadline, &p);
	memset(&a, 0, sizeof(a));
	if (aj != NULL)
		probe_lookup_finish(aj, deadline, &a);
	f->cm_ms[DIAG_DNS] = p.ms;
	switch (p.status) {
	case PROBE_FOUND:
		f->dns = DDNS_OK;
		f->dns_answer = diag_keep(r, addr_list(p.addrs, p.naddrs));
		r->addrs = p.addrs;
		r->naddrs = p.naddrs;
		p.addrs = NULL;
		if (a.status == PROBE_FOUND && !same_addrs(r->addrs, r->naddrs, a.addrs,
		    a.naddrs)) {
			f->absolute_answer = diag_keep(r, addr_list(a.addrs, a.naddrs));
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
		f->dns_error = diag_keep(r, xstrdup(p.error));
	/* what cert-manager meets is Go's lookup, when it could be modelled */
	if (g.known) {
		f->sync_cut = false;
		if (!g.res.found) {
			free(r->addrs);
			r->addrs = NULL;
			r->naddrs = 0;
		}
		record_go_lookup(r, &g, sync_binds, port, &p);
	}
	goprobe_clear(&g);
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

bool diag_step_tcp(struct run *r)
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
	deadline = diag_step_deadline(r, DIAG_TCP, &limited);
	probe_connect_all(r->addrs, r->naddrs, deadline, pc);
	for (size_t i = 0; i < r->naddrs; i++) {
		r->conns[i].addr = r->addrs[i].text;
		r->conns[i].v6 = r->addrs[i].family == AF_INET6;
		r->conns[i].result = conn_result(pc[i].status);
		r->conns[i].ms = pc[i].ms;
		if (pc[i].err != 0)
			r->conns[i].error = diag_keep(r, xstrdup(strerror(pc[i].err)));
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

void diag_handshake_record(const struct probe_tls *t, struct diag_handshake *h)
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
		h->closed = t->closed;
		h->http_answer = t->http_answer;
		h->not_tls = t->not_tls;
		h->alert_received = t->alert_received;
		h->alert = t->alert;
		h->server_version = t->server_version;
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
	h->has_san = t->has_san;
	h->common_name = t->common_name;
	h->not_before = t->not_before;
	h->not_after = t->not_after;
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

	deadline = diag_step_deadline(r, DIAG_PROXY, &limited);
	if ((c = connect_peer(r, deadline)) == NULL)
		return;
	probe_tunnel_run(c, target, NULL, deadline, &t);
	if (t.status == PROBE_TUNNEL_OK || t.status == PROBE_TUNNEL_STATUS) {
		f->proxy_speaks = DSPEAKS_HTTP;
		f->tunnel_code = t.code;
		f->tunnel_reason = diag_keep(r, t.reason);
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

	deadline = diag_step_deadline(r, DIAG_PROXY, &limited);
	if ((c = connect_peer(r, deadline)) == NULL)
		return;
	c = probe_tls_run(c, f->proxy_host, r->tls_ctx, deadline, &r->proxy_tls);
	if (c != NULL) {
		f->proxy_speaks = DSPEAKS_TLS;
		diag_handshake_record(&r->proxy_tls, &f->proxy_handshake);
	} else {
		probe_tls_clear(&r->proxy_tls);
	}
	probe_conn_close(c);
}

/* The proxy step: with an https:// proxy TLS with it first (its certificate
 * checked as Go checks it), then CONNECT. When the scheme of the proxy URL
 * fails, checks on a new connection whether the proxy speaks the other
 * one. Leaves the tunnel in r->below. */
bool diag_step_proxy(struct run *r)
{
	struct diag_facts *f = &r->f;
	struct probe_tunnel t;
	struct probe_conn *c = r->below;
	char *target = diag_host_port(r->host, r->port);
	long long start = mono_ms(), deadline;
	bool limited, ok = false;

	r->below = NULL;
	memset(&t, 0, sizeof(t));
	deadline = diag_step_deadline(r, DIAG_PROXY, &limited);
	if (f->proxy_tls) {
		c = probe_tls_run(c, f->proxy_host, r->tls_ctx, deadline, &r->proxy_tls);
		diag_handshake_record(&r->proxy_tls, &f->proxy_handshake);
		f->sync_cut = limited && r->proxy_tls.status == PROBE_TLS_TIMEOUT;
		if (c == NULL || diag_checks_fail(f, &f->proxy_handshake)) {
			f->ms[DIAG_PROXY] = f->cm_ms[DIAG_PROXY] = mono_ms() - start;
			if (c == NULL && !f->sync_cut)
				check_speaks_http(r, target);
			goto out;
		}
	}
	if (f->proxy_forward) {
		/* the requests themselves go to the proxy: nothing to open */
		f->proxy_credentials = r->proxy_credentials != NULL;
		f->tunnel = DTUN_OK;
		f->ms[DIAG_PROXY] = f->cm_ms[DIAG_PROXY] = mono_ms() - start;
		ok = true;
		goto out;
	}
	probe_tunnel_run(c, target, r->proxy_credentials, deadline, &t);
	f->proxy_credentials = r->proxy_credentials != NULL;
	f->tunnel_code = t.code;
	f->tunnel_reason = diag_keep(r, t.reason);
	f->tunnel_error = diag_keep(r, t.error);
	f->squid_error = diag_keep(r, t.squid_error);
	f->auth_schemes = diag_keep(r, t.auth_schemes);
	f->proxy_server = diag_keep(r, t.tinyproxy);
	t.reason = t.error = t.squid_error = t.auth_schemes = t.tinyproxy = NULL;
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

/* The MSS values tried after a handshake timed out, largest first: packets
 * of 1400 bytes (tunnels, VXLAN), 1280 (the IPv6 minimum), 576 (IPv4's). */
static const int small_mss[] = { 1360, 1240, 536 };
#define SMALL_MSS_TRY_MS 3000

/* The handshake timed out after TCP connected: does it finish on a new
 * connection whose SYN asks for small segments? Then the server's
 * full-size packets (its certificate flight) are lost on the way, and no
 * ICMP "fragmentation needed" comes back: a path-MTU black hole. Direct
 * routes only; through a proxy the MSS is the proxy's. */
static void check_small_packets(struct run *r)
{
	struct diag_facts *f = &r->f;
	struct probe_connect pc;
	struct probe_conn *c;
	struct probe_tls t;
	long long deadline;
	int overhead = r->peer.family == AF_INET6 ? 60 : 40;

	for (size_t i = 0; i < nitems(small_mss); i++) {
		deadline = mono_ms() + SMALL_MSS_TRY_MS;
		probe_connect_mss(&r->peer, small_mss[i], deadline, &pc);
		if (pc.status != PROBE_CONNECTED)
			return;
		c = probe_tls_run(probe_conn_new(pc.fd), r->host, r->tls_ctx, deadline, &t);
		probe_conn_close(c);
		if (t.status == PROBE_TLS_OK) {
			f->small_mss = small_mss[i];
			f->small_mtu = small_mss[i] + overhead;
			probe_tls_clear(&t);
			return;
		}
		probe_tls_clear(&t);
	}
}

/* The server chose TLS 1.0 or 1.1 for a release whose Go offers them:
 * what does a new connection offering only TLS 1.2 and 1.3 (Go 1.18 and
 * later, cert-manager v1.9.0 and later) meet? Direct routes only: through
 * a proxy the tunnel would have to be opened again. */
static void check_go118(struct run *r)
{
	struct probe_connect pc;
	struct probe_conn *c;
	long long deadline = mono_ms() + r->f.step_timeout_ms;

	probe_connect_all(&r->peer, 1, deadline, &pc);
	if (pc.status != PROBE_CONNECTED)
		return;
	probe_tls_ctx_offer(r->tls_ctx, false);
	c = probe_tls_run(probe_conn_new(pc.fd), r->host, r->tls_ctx, deadline, &r->tls_go118);
	probe_tls_ctx_offer(r->tls_ctx, true);
	probe_conn_close(c);
	diag_handshake_record(&r->tls_go118, &r->f.tls_go118);
}

bool diag_step_tls(struct run *r)
{
	struct diag_facts *f = &r->f;
	struct diag_handshake h;
	long long deadline;
	bool limited;

	deadline = diag_step_deadline(r, DIAG_TLS, &limited);
	r->conn = probe_tls_run(r->below, r->host, r->tls_ctx, deadline, &r->tls);
	r->below = NULL;
	f->ms[DIAG_TLS] = f->cm_ms[DIAG_TLS] = r->tls.ms;
	diag_handshake_record(&r->tls, &h);
	f->tls = h.result;
	f->tls_error = h.error;
	f->tls_closed = h.closed;
	f->tls_http_answer = h.http_answer;
	f->tls_not_tls = h.not_tls;
	f->tls_alert_received = h.alert_received;
	f->tls_alert = h.alert;
	f->tls_server_version = h.server_version;
	if (h.result == DTLS_TIMEOUT)
		f->sync_cut = limited;
	if (h.result == DTLS_TIMEOUT && !limited && f->route != DROUTE_PROXY)
		check_small_packets(r);
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
	f->has_san = h.has_san;
	f->common_name = h.common_name;
	f->not_before = h.not_before;
	f->not_after = h.not_after;
	r->conn_authority = xstrdup(r->authority);
	if (cm_offers_tls10(&f->cm) && f->route == DROUTE_DIRECT &&
	    (strcmp(h.version, "TLSv1") == 0 || strcmp(h.version, "TLSv1.1") == 0))
		check_go118(r);
	return !diag_tls_checks_fail(f);
}
