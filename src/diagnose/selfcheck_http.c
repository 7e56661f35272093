/* selfcheck_http.c - cert-manager's HTTP-01 self check, run from here with
 * the probe steps, so each hop can be shown: the route (proxy from the
 * environment, Go's rules), the lookup, the connect, TLS after a redirect
 * to https (not verified), the response; then the words cert-manager
 * puts in the Challenge's status.reason. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "certmanager.h"
#include "diagnose_int.h"
#include "err.h"
#include "probe.h"
#include "selfcheck.h"
#include "util.h"

#define REDIRECTS_MAX 10          /* Go's default CheckRedirect */
#define CLIENT_TIMEOUT_MS 10000   /* http.Client.Timeout, v1.6.0 on */
#define NO_TIMEOUT_WAIT_MS 30000  /* how long to wait where cert-manager has no timeout */
#define BODY_SHOWN 24             /* cert-manager shows this much of a wrong body */

/* A URL split the way the request needs it. */
struct url_parts {
	bool https;
	char *host;        /* without brackets */
	int port;
	char *authority;   /* the Host header: host, [v6], with :port when not the default */
	char *path;        /* "/..." with the query */
};

/* What one GET (no redirect followed) came to. */
struct hop {
	int status;            /* 0 when no response */
	char *location;        /* Location of a redirect, or NULL */
	char *body;
	size_t body_len;
	char *error;           /* Go's error text when no response */
	const char *verdict;   /* the verdict when no response */
	bool proxied;          /* sent through a proxy */
	char *proxy;           /* the proxy as shown (no credentials), when proxied */
	bool tls_legacy;       /* TLS failed as the server wants TLS 1.0 or 1.1 only */
};

static void url_clear(struct url_parts *u)
{
	free(u->host);
	free(u->authority);
	free(u->path);
	memset(u, 0, sizeof(*u));
}

/* Splits an http:// or https:// URL. 0, or -1 when it is not one. */
static int url_split(const char *url, struct url_parts *u)
{
	const char *rest, *end, *colon;
	char *portend;
	long port;

	memset(u, 0, sizeof(*u));
	if (strncasecmp(url, "http://", 7) == 0)
		rest = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0) {
		rest = url + 8;
		u->https = true;
	} else
		return -1;
	end = rest + strcspn(rest, "/?#");
	u->authority = xstrndup(rest, (size_t)(end - rest));
	if (u->authority[0] == '[') {
		char *close = strchr(u->authority, ']');

		if (close == NULL)
			goto bad;
		u->host = xstrndup(u->authority + 1, (size_t)(close - u->authority - 1));
		colon = close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = strrchr(u->authority, ':');
		u->host = xstrndup(u->authority, colon ? (size_t)(colon - u->authority) :
		    strlen(u->authority));
	}
	u->port = u->https ? 443 : 80;
	if (colon != NULL && colon[1] != '\0') {
		port = strtol(colon + 1, &portend, 10);
		if (*portend != '\0' || port < 1 || port > 65535)
			goto bad;
		u->port = (int)port;
	}
	if (u->host[0] == '\0')
		goto bad;
	u->path = *end == '/' || *end == '?' ? xstrndup(end, strcspn(end, "#")) : xstrdup("/");
	if (u->path[0] == '?') {
		char *p = xasprintf("/%s", u->path);

		free(u->path);
		u->path = p;
	}
	return 0;
bad:
	url_clear(u);
	return -1;
}

/* The URL a Location header points to from base, as Go's URL.Parse
 * resolves it: absolute, scheme-relative, absolute path, or relative to
 * base's directory. Caller frees. */
static char *url_resolve(const char *base, const char *loc)
{
	const char *slash, *authority_end;

	if (strncasecmp(loc, "http://", 7) == 0 || strncasecmp(loc, "https://", 8) == 0)
		return xstrdup(loc);
	if (loc[0] == '/' && loc[1] == '/')
		return xasprintf("%.*s%s", (int)(strchr(base, ':') - base + 1), base, loc);
	authority_end = strchr(base, ':') + 3;
	authority_end += strcspn(authority_end, "/?#");
	if (loc[0] == '/')
		return xasprintf("%.*s%s", (int)(authority_end - base), base, loc);
	slash = authority_end;
	for (const char *p = authority_end; *p != '\0' && *p != '?' && *p != '#'; p++)
		if (*p == '/')
			slash = p;
	if (*slash != '/')
		return xasprintf("%.*s/%s", (int)(authority_end - base), base, loc);
	return xasprintf("%.*s%s", (int)(slash - base + 1), base, loc);
}

static void hop_clear(struct hop *h)
{
	free(h->location);
	free(h->body);
	free(h->error);
	free(h->proxy);
	memset(h, 0, sizeof(*h));
}

/* Go's words for a connect that failed with errno e: the syscall's text
 * with a lower-case first letter, as Go's syscall.Errno prints it. */
static char *go_dial_error(const char *ip, int port, bool v6, int e)
{
	char *text = xstrdup(strerror(e)), *out;

	text[0] = (char)tolower((unsigned char)text[0]);
	out = xasprintf(v6 ? "dial tcp [%s]:%d: connect: %s" : "dial tcp %s:%d: connect: %s",
	    ip, port, text);
	free(text);
	return out;
}

/* The client's timeout as Go words it for this release: the http.Client
 * timeout from v1.6.0; before, nothing but the operating system ends a
 * wait, which here is cut at NO_TIMEOUT_WAIT_MS. */
static char *go_timeout(const struct selfcheck_opts *o, const char *what)
{
	struct cm_version v160 = { 1, 6, 0 };

	if (cm_version_cmp(&o->version, &v160) >= 0)
		return cm_err_client_timeout();
	return xasprintf("%s (no answer in %d s; cert-manager before v1.6.0 has no client "
	    "timeout and keeps waiting)", what, NO_TIMEOUT_WAIT_MS / 1000);
}

/* Connects to host:port (lookup, then each address in turn as Go's
 * dialer does), adding the steps to r. Returns the connection, or NULL
 * with h->error and h->verdict set. */
static struct probe_conn *dial(const char *host, int port, const struct selfcheck_opts *o,
    long long deadline, struct selfcheck_result *r, struct hop *h)
{
	struct probe_lookup lk = { 0 };
	struct probe_addr lit, *addrs;
	struct probe_connect *cs = NULL;
	struct probe_conn *conn = NULL;
	size_t n;
	char *what = xasprintf("resolve %s", host);

	if (probe_addr_literal(host, port, &lit)) {
		addrs = &lit;
		n = 1;
	} else {
		probe_lookup_run(host, port, deadline, &lk);
		if (lk.status != PROBE_FOUND) {
			selfcheck_step_add(r, false, what, "%s", lk.error ? lk.error : "no address");
			h->verdict = lk.status == PROBE_NOTFOUND ? "name_not_resolved" : "dns_failure";
			h->error = lk.status == PROBE_NOTFOUND ?
			    cm_err_dns_not_found(host, o->nameserver) :
			    lk.status == PROBE_TIMEOUT ? cm_err_dns_timeout(host, o->nameserver) :
			    cm_err_dns_servfail(host, o->nameserver);
			goto out;
		}
		addrs = lk.addrs;
		n = lk.naddrs;
		selfcheck_step_add(r, true, what, "%zu address%s, first %s", n,
		    n == 1 ? "" : "es", addrs[0].text);
	}
	cs = xcalloc(n, sizeof(*cs));
	probe_connect_all(addrs, n, deadline, cs);
	for (size_t i = 0; i < n && conn == NULL; i++)
		if (cs[i].status == PROBE_CONNECTED) {
			conn = probe_conn_new(cs[i].fd);
			cs[i].fd = -1;
			free(what);
			what = xasprintf("connect %s port %d", addrs[i].text, port);
			selfcheck_step_add(r, true, what, "connected in %lld ms", cs[i].ms);
		}
	if (conn == NULL) {
		bool v6 = addrs[0].family == AF_INET6;

		free(what);
		what = xasprintf("connect %s port %d", addrs[0].text, port);
		switch (cs[0].status) {
		case PROBE_REFUSED:
			h->verdict = "connection_refused";
			h->error = cm_err_dial_refused(addrs[0].text, port);
			break;
		case PROBE_CONNECT_TIMEOUT:
			h->verdict = "connect_timeout";
			h->error = go_timeout(o, "dial tcp: i/o timeout");
			break;
		default:
			h->verdict = "address_unreachable";
			h->error = go_dial_error(addrs[0].text, port, v6, cs[0].err);
			break;
		}
		selfcheck_step_add(r, false, what, "%s", cs[0].status == PROBE_CONNECT_TIMEOUT ?
		    "no answer (SYN unanswered)" : strerror(cs[0].err));
	}
	for (size_t i = 0; i < n; i++)
		if (cs[i].fd >= 0 && cs[i].status == PROBE_CONNECTED)
			close(cs[i].fd);
out:
	free(cs);
	probe_lookup_clear(&lk);
	free(what);
	return conn;
}

/* TLS over c for host, certificates not checked (InsecureSkipVerify),
 * offering what the modelled release's Go offers (TLS 1.0 up to v1.8.0,
 * TLS 1.2 from v1.9.0). Returns the TLS connection, or NULL with h set
 * (c closed). */
static struct probe_conn *tls_insecure(struct probe_conn *c, const char *host,
    const struct selfcheck_opts *o, long long deadline, struct selfcheck_result *r,
    struct hop *h)
{
	struct probe_tls_ctx *ctx = probe_tls_ctx_new(false, NULL, NULL, 0, "none");
	bool from_tls10 = cm_offers_tls10(&o->version);
	struct probe_tls t = { 0 };
	struct diag_handshake dh;
	struct probe_conn *tc = NULL;
	char *what = xasprintf("TLS with %s (not verified, as cert-manager)", host);

	if (ctx == NULL) {
		selfcheck_step_add(r, false, what, "%s", err_message());
		h->verdict = "redirect_https_failed";
		h->error = xstrdup(err_message());
		probe_conn_close(c);
		goto out;
	}
	probe_tls_ctx_offer(ctx, from_tls10);
	if ((tc = probe_tls_run(c, host, ctx, deadline, &t)) != NULL) {
		selfcheck_step_add(r, true, what, "%s", t.version);
		goto out;
	}
	selfcheck_step_add(r, false, what, "%s", t.error ? t.error : err_message());
	h->verdict = "redirect_https_failed";
	diag_handshake_record(&t, &dh);
	h->tls_legacy = !from_tls10 && ((dh.server_version != 0 &&
	    dh.server_version < TLS1_2_VERSION) || (dh.alert_received && dh.alert == 70));
	if (t.status == PROBE_TLS_TIMEOUT)
		h->error = go_timeout(o, "net/http: TLS handshake timeout");
	else
		h->error = diag_go_handshake_error(&dh, true,
		    from_tls10 ? TLS1_VERSION : TLS1_2_VERSION);
out:
	err_clear();
	probe_tls_clear(&t);
	probe_tls_ctx_free(ctx);
	free(what);
	return tc;
}

/* The route of url as the modelled release's Go decides it from the
 * environment: NULL for direct, else the proxy URL (new string). */
static char *route_of(const char *url, const struct selfcheck_opts *o, char **shown)
{
	struct proxy_route route = { 0 };
	char *proxy = NULL;

	*shown = NULL;
	if (o->proxy == NULL || proxy_decide(url, o->proxy,
	    cm_go_minor(&o->version) <= 15 ? PROXY_RULES_GO115 : PROXY_RULES_GO, &route) != 0) {
		err_clear();
		return NULL;
	}
	if (route.kind == PROXY_VIA) {
		proxy = xstrdup(route.proxy);
		*shown = xstrdup(route.proxy_shown);
	}
	proxy_route_clear(&route);
	return proxy;
}

/* One GET of url, redirects not followed, as Go's transport sends it. */
static void get_once(const char *url, const struct selfcheck_opts *o, long long deadline,
    struct selfcheck_result *r, struct hop *h)
{
	struct url_parts u, pu = { 0 };
	struct probe_response resp = { 0 };
	struct probe_conn *c = NULL;
	char *proxy, *what = NULL, *error = NULL, *proxy_url = NULL;
	enum probe_http_status st;

	memset(h, 0, sizeof(*h));
	if (url_split(url, &u) != 0) {
		h->verdict = "redirect_unusable";
		h->error = xasprintf("unsupported protocol scheme in \"%s\"", url);
		return;
	}
	proxy = route_of(url, o, &h->proxy);
	if (proxy != NULL && url_split(strstr(proxy, "://") ? proxy :
	    (proxy_url = xasprintf("http://%s", proxy)), &pu) == 0) {
		h->proxied = true;
		selfcheck_step_add(r, true, "route", "through the proxy %s (from the environment)",
		    h->proxy);
		if ((c = dial(pu.host, pu.port, o, deadline, r, h)) == NULL) {
			char *inner = h->error;

			h->error = cm_err_proxyconnect(inner);
			free(inner);
			goto out;
		}
	} else {
		selfcheck_step_add(r, true, "route", "direct");
		if ((c = dial(u.host, u.port, o, deadline, r, h)) == NULL)
			goto out;
	}
	if (u.https) {
		if (h->proxied) {
			struct probe_tunnel t = { 0 };
			char *auth = xasprintf(strchr(u.host, ':') ? "[%s]:%d" : "%s:%d", u.host, u.port);

			probe_tunnel_run(c, auth, NULL, deadline, &t);
			selfcheck_step_add(r, t.status == PROBE_TUNNEL_OK, "CONNECT", "%s",
			    t.status == PROBE_TUNNEL_OK ? "200" : t.error ? t.error :
			    t.reason ? t.reason : "refused");
			if (t.status != PROBE_TUNNEL_OK) {
				h->verdict = "proxy_catches_selfcheck";
				h->error = cm_err_proxy_status(t.reason);
				probe_tunnel_clear(&t);
				free(auth);
				goto out;
			}
			probe_tunnel_clear(&t);
			free(auth);
		}
		if ((c = tls_insecure(c, u.host, o, deadline, r, h)) == NULL)
			goto out;
	}
	free(what);
	what = xasprintf("GET %s", url);
	/* through an http proxy the request line carries the whole URL */
	st = probe_http(c, "GET", u.authority, h->proxied && !u.https ? url : u.path, NULL,
	    deadline, &resp, &error);
	if (st != PROBE_HTTP_OK) {
		selfcheck_step_add(r, false, what, "%s", error);
		h->verdict = st == PROBE_HTTP_TIMEOUT ? "response_timeout" : "connection_closed";
		h->error = st == PROBE_HTTP_TIMEOUT ? go_timeout(o, "no response") :
		    strstr(error, "without a response") != NULL ? xstrdup("EOF") : xstrdup(error);
		goto out;
	}
	h->status = resp.status;
	h->location = resp.location ? xstrdup(resp.location) : NULL;
	h->body = xstrdup(resp.body);
	h->body_len = resp.body_len;
	selfcheck_step_add(r, resp.status == 200, what, "%d, %zu bytes%s%s", resp.status,
	    resp.body_len, resp.location ? ", Location: " : "",
	    resp.location ? resp.location : "");
out:
	probe_response_clear(&resp);
	probe_conn_close(c);
	url_clear(&u);
	url_clear(&pu);
	free(proxy);
	free(proxy_url);
	free(what);
	free(error);
}

static bool is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 ||
	    status == 308;
}

/* The body as cert-manager shows a wrong one: whole up to 24 bytes, else
 * the first 24, white space trimmed, and "... (truncated)". */
static char *shown_body(const char *body, size_t len)
{
	size_t start = 0, end;

	if (len <= BODY_SHOWN)
		return xstrndup(body, len);
	end = BODY_SHOWN;
	while (start < end && isspace((unsigned char)body[start]))
		start++;
	while (end > start && isspace((unsigned char)body[end - 1]))
		end--;
	return xasprintf("%.*s... (truncated)", (int)(end - start), body + start);
}

/* The advice for a verdict of a check of url whose first hop went the way
 * h says. */
static char *advice_for(const char *verdict, const struct cm_challenge *ch,
    const struct hop *h, const char *body)
{
	if (h->proxied && strcmp(verdict, "ok") != 0)
		return xasprintf("The controller's HTTP_PROXY (%s) catches the self check, as Go "
		    "sends plain http:// through it: add %s (or its domain) to the NO_PROXY "
		    "of the cert-manager controller.", h->proxy ? h->proxy : "proxy", ch->dns_name);
	if (strcmp(verdict, "name_not_resolved") == 0)
		return xasprintf("%s does not resolve with the controller's resolver: create its "
		    "record, or (split-horizon DNS) make the cluster's DNS answer it too.",
		    ch->dns_name);
	if (strcmp(verdict, "connection_refused") == 0)
		return xstrdup("Nothing accepts connections there from inside: the load balancer may "
		    "refuse traffic that comes from the cluster itself (hairpin), or the ingress "
		    "controller does not listen on port 80.");
	if (strcmp(verdict, "connect_timeout") == 0 || strcmp(verdict, "address_unreachable") == 0)
		return xstrdup("The address does not answer from here: typical of hairpin NAT, where "
		    "the name resolves to the load balancer's public address, unreachable from "
		    "inside. Point the name at the ingress's internal address in the cluster's DNS, "
		    "or enable the load balancer's hairpin / internal hostname setting.");
	if (strcmp(verdict, "connection_closed") == 0)
		return xstrdup("The server accepted the connection and closed it without an answer: "
		    "often a load balancer expecting the PROXY protocol from its clients.");
	if (strcmp(verdict, "wrong_status") == 0)
		return xstrdup("The request reached a server that does not serve the token: an "
		    "ingress class the ingress controller does not watch, another Ingress owning "
		    "the host, or a default backend. Check the solver's ingress class.");
	if (strcmp(verdict, "wrong_body") == 0)
		return xstrdup(body != NULL && strncmp(body, ch->key, strlen(ch->key)) == 0 ?
		    "The body is the key followed by more (a newline?): cert-manager compares byte "
		    "for byte, so the server must send the key exactly." :
		    "Something other than cert-manager's solver answered 200: an application or a "
		    "catch-all route in front of the solver.");
	if (strcmp(verdict, "redirect_loop") == 0)
		return xstrdup("The redirects never end: fix the redirect rules for "
		    "/.well-known/acme-challenge/.");
	if (strcmp(verdict, "redirect_https_failed") == 0)
		return xstrdup("The http:// URL is redirected to https://, which fails (certificates "
		    "are not checked): serve /.well-known/acme-challenge/ over plain http without "
		    "the redirect.");
	return NULL;
}

/* Sets r's outcome for a failed pass: verdict, error, reason, advice. */
static void fail_with(struct selfcheck_result *r, const struct cm_challenge *ch,
    const char *verdict, char *error, const struct hop *first, const char *body)
{
	r->verdict = verdict;
	r->error = error;
	r->reason = xasprintf("Waiting for HTTP-01 challenge propagation: %s", error);
	r->advice = advice_for(verdict, ch, first, body);
}

/* One pass: GET url, following redirects. true when it passed. */
static bool one_pass(const char *url, const struct cm_challenge *ch,
    const struct selfcheck_opts *o, struct selfcheck_result *r)
{
	long long deadline = mono_ms() + CLIENT_TIMEOUT_MS;
	struct cm_version v160 = { 1, 6, 0 };
	struct hop h = { 0 }, first = { 0 };
	char *cur = xstrdup(url), *next, *err;
	bool passed = false;

	if (cm_version_cmp(&o->version, &v160) < 0)
		deadline = mono_ms() + NO_TIMEOUT_WAIT_MS;
	for (int requests = 1;; requests++) {
		get_once(cur, o, deadline, r, &h);
		if (requests == 1)
			first = (struct hop){ .proxied = h.proxied,
			    .proxy = h.proxy ? xstrdup(h.proxy) : NULL };
		if (h.error != NULL) {
			const char *verdict = h.proxied ? "proxy_catches_selfcheck" :
			    requests > 1 && strncasecmp(cur, "https://", 8) == 0 ?
			    "redirect_https_failed" : h.verdict;

			err = cm_err_url("GET", cur, h.error);
			fail_with(r, ch, verdict, xasprintf("failed to perform self check GET "
			    "request '%s': %s", url, err), &first, NULL);
			free(err);
			if (h.tls_legacy && !h.proxied) {
				free(r->advice);
				r->advice = xstrdup("The https:// server the redirect leads to speaks "
				    "only TLS 1.0 or 1.1, which cert-manager no longer offers from "
				    "v1.9.0 on (Go 1.18): enable TLS 1.2 on it, or serve "
				    "/.well-known/acme-challenge/ over plain http without the redirect.");
			}
			break;
		}
		if (is_redirect(h.status) && h.location != NULL) {
			if (requests >= REDIRECTS_MAX) {
				/* Go's url.Error names the Location as sent */
				err = cm_err_url("GET", h.location, "stopped after 10 redirects");
				fail_with(r, ch, "redirect_loop", xasprintf("failed to perform self "
				    "check GET request '%s': %s", url, err), &first, NULL);
				free(err);
				break;
			}
			next = url_resolve(cur, h.location);
			free(cur);
			cur = next;
			hop_clear(&h);
			continue;
		}
		if (h.status != 200) {
			fail_with(r, ch, h.proxied ? "proxy_catches_selfcheck" : "wrong_status",
			    xasprintf("wrong status code '%d', expected '200'", h.status), &first, NULL);
		} else if (h.body_len != strlen(ch->key) || memcmp(h.body, ch->key, h.body_len) != 0) {
			char *q = cm_go_quote(ch->key), *shown = shown_body(h.body, h.body_len);

			fail_with(r, ch, h.proxied ? "proxy_catches_selfcheck" : "wrong_body",
			    xasprintf("did not get expected response when querying endpoint, "
			    "expected %s but got: %s", q, shown), &first, h.body);
			free(q);
			free(shown);
		} else {
			passed = true;
		}
		break;
	}
	hop_clear(&h);
	hop_clear(&first);
	free(cur);
	return passed;
}

int selfcheck_http01(const struct cm_challenge *ch, const struct selfcheck_opts *opts,
    struct selfcheck_result *out)
{
	struct probe_addr lit;
	char *url;

	memset(out, 0, sizeof(*out));
	if (strcmp(ch->type, "HTTP-01") != 0) {
		err_set(ERR_USAGE, "the Challenge is %s, not HTTP-01", ch->type);
		return -1;
	}
	/* the URL as cert-manager builds it: no port, an IPv6 literal bracketed */
	url = xasprintf(probe_addr_literal(ch->dns_name, 80, &lit) && lit.family == AF_INET6 ?
	    "http://[%s]/.well-known/acme-challenge/%s" : "http://%s/.well-known/acme-challenge/%s",
	    ch->dns_name, ch->token);
	for (int pass = 1; pass <= opts->passes; pass++) {
		struct selfcheck_result again = { 0 };
		bool passed;

		/* the steps of the first pass are shown; of a later one only
		 * when it fails, as cert-manager stops at the first failure */
		if (pass == 1) {
			passed = one_pass(url, ch, opts, out);
		} else if (!(passed = one_pass(url, ch, opts, &again))) {
			selfcheck_step_add(out, false, "pass", "%d of %d failed:", pass, opts->passes);
			for (size_t i = 0; i < again.nsteps; i++)
				selfcheck_step_add(out, again.steps[i].ok, again.steps[i].what, "%s",
				    again.steps[i].outcome);
			out->verdict = again.verdict;
			out->error = again.error;
			out->reason = again.reason;
			out->advice = again.advice;
			again.error = again.reason = again.advice = NULL;
		} else {
			selfcheck_step_add(out, true, "pass", "%d of %d passed", pass, opts->passes);
		}
		selfcheck_result_clear(&again);
		if (!passed)
			break;
		out->passes = pass;
		if (pass < opts->passes && opts->pause_ms > 0) {
			struct timespec ts = { opts->pause_ms / 1000, (opts->pause_ms % 1000) * 1000000L };

			while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
				;
		}
	}
	if (out->verdict == NULL)
		out->verdict = "ok";
	free(url);
	return 0;
}
