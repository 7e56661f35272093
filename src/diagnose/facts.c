/* facts.c - questions about the facts that more than one part of the
 * report asks (see diagnose_int.h). Pure.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "diagnose_int.h"
#include "util.h"

/* "850 ms", "4.5 s", "10 s", "2 min". Caller frees. */
char *diag_duration(long long ms)
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
char *diag_host_port(const char *host, int port)
{
	return strchr(host, ':') != NULL ? xasprintf("[%s]:%d", host, port) :
	    xasprintf("%s:%d", host, port);
}

bool diag_is_ip(const char *host)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* The path of an URL ("/dir" of "https://h:1/dir"), "/" when none; borrowed. */
const char *diag_url_path(const char *url)
{
	const char *p = url != NULL ? strstr(url, "://") : NULL, *slash;

	if (p == NULL)
		return "/";
	slash = strchr(p + 3, '/');
	return slash != NULL ? slash : "/";
}

long diag_sync_ms(const struct diag_facts *f)
{
	struct cm_deadlines d;

	cm_deadlines(&f->cm, &d);
	return d.sync_ms;
}

bool diag_is_proxied(const struct diag_facts *f)
{
	return f->route == DROUTE_PROXY;
}

long long diag_total_cm_ms(const struct diag_facts *f, enum diag_step upto)
{
	long long t = 0;

	for (int i = 0; i < (int)upto && i < DIAG_NSTEPS; i++)
		t += f->cm_ms[i];
	return t;
}

/* The attempt Go would report: the first address (its primary). */
const struct diag_conn *diag_primary_conn(const struct diag_facts *f)
{
	return f->nconns > 0 ? &f->conns[0] : NULL;
}

bool diag_any_conn_ok(const struct diag_facts *f)
{
	for (size_t i = 0; i < f->nconns; i++)
		if (f->conns[i].result == DCONN_OK)
			return true;
	return false;
}

/* True when every IPv6 attempt failed and there was at least one. */
bool diag_ipv6_all_failed(const struct diag_facts *f, bool *v4_ok, bool *have_v4)
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
void diag_server_handshake(const struct diag_facts *f, struct diag_handshake *h)
{
	*h = (struct diag_handshake){ .result = f->tls, .error = f->tls_error,
	    .version = f->tls_version, .name_mismatch = f->name_mismatch, .chain = f->chain,
	    .chain_error = f->chain_error, .subject = f->subject, .issuer = f->issuer,
	    .self_signed = f->self_signed, .dns_names = f->dns_names, .ndns = f->ndns,
	    .ip_names = f->ip_names, .nip = f->nip, .has_san = f->has_san,
	    .common_name = f->common_name, .not_before = f->not_before,
	    .not_after = f->not_after, .closed = f->tls_closed,
	    .http_answer = f->tls_http_answer, .not_tls = f->tls_not_tls,
	    .alert_received = f->tls_alert_received, .alert = f->tls_alert,
	    .server_version = f->tls_server_version };
}

/* The handshake worked but Go would refuse the certificate (the same
 * checks for the server and an https:// proxy, both skipped by
 * skipTLSVerify, as Go uses one TLS configuration for both). */
bool diag_checks_fail(const struct diag_facts *f, const struct diag_handshake *h)
{
	return h->result == DTLS_OK && !f->skip_tls_verify &&
	    (h->name_mismatch || h->chain != DCHAIN_OK);
}

bool diag_tls_checks_fail(const struct diag_facts *f)
{
	struct diag_handshake h;

	diag_server_handshake(f, &h);
	return diag_checks_fail(f, &h);
}

/* Go would refuse the certificate of the https:// proxy. */
bool diag_proxy_checks_fail(const struct diag_facts *f)
{
	return f->proxy_tls && diag_checks_fail(f, &f->proxy_handshake);
}

/* The TLS handshake with an https:// proxy did not complete. */
bool diag_proxy_handshake_failed(const struct diag_facts *f)
{
	return f->proxy_tls && (f->proxy_handshake.result == DTLS_TIMEOUT ||
	    f->proxy_handshake.result == DTLS_FAILED);
}

bool diag_proxy_auth_unsupported(const struct diag_facts *f)
{
	const char *p = f->auth_schemes;
	size_t n;

	if (p == NULL || f->tunnel != DTUN_STATUS ||
	    (f->tunnel_code != 407 && f->tunnel_code != 401))
		return false;
	for (; *p != '\0'; p += n + strspn(p + n, ", ")) {
		n = strcspn(p, ",");
		if (n == 5 && strncasecmp(p, "Basic", 5) == 0)
			return false;
	}
	return true;
}

/* "localhost, 127.0.0.1" or "no names". Caller frees. */
char *diag_san_list(const struct diag_handshake *h)
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

bool diag_cm_skips(const struct diag_facts *f)
{
	struct cm_issuer_state st = { f->server, f->email, f->issuer_ready.status != NULL &&
	    strcmp(f->issuer_ready.status, "True") == 0, f->status_uri, f->registered_email,
	    f->key_hash_matches };

	return cm_skips_registration(&f->cm, &st);
}
