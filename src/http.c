/* http.c - the HTTP client on a libcurl multi handle (see http.h).
 *
 * The multi handle owns the connection cache, so every request of one client
 * to one server reuses one connection, and concurrent requests multiplex over
 * it with HTTP/2. Easy handles come from a small pool that grows to the
 * largest number of concurrent requests asked for. acmectl decides proxy
 * routes itself (http_opts.route / .proxy), so libcurl's own reading of the
 * proxy environment is always switched off. What it trusts is http_trust.c's.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "err.h"
#include "http.h"
#include "http_trust.h"
#include "log.h"
#include "util.h"

#define BODY_MAX (8 * 1024 * 1024)

struct http_client {
	CURLM *multi;
	CURL **pool;              /* easy handles, reused across requests */
	size_t npool;
	struct http_trust trust;  /* the system store and --ca-bundle */
	long timeout_s;
	long long deadline_ms;    /* mono_ms() by which requests end; 0 = none */
	char *proxy;              /* fixed proxy URL or NULL (when no route) */
	int (*route)(void *, const char *, const char **, char **);
	void *route_arg;
	char *user_agent;
	bool https_only;
	long connects;
	long requests;
};

/* The state of one request while it runs. */
struct transfer {
	struct http_client *c;
	struct http_request *req;
	CURL *easy;
	struct curl_slist *headers;
	char *body;
	size_t len, cap;
	bool too_big;
	const char *proxy;   /* proxy URL in use (borrowed) or NULL for direct */
	char *proxy_shown;   /* proxy without userinfo, for messages and logs */
	bool proxy_tls;      /* https:// proxy: a TLS handshake with the proxy first */
	bool proxy_connect;  /* an HTTP proxy that must answer CONNECT */
	char *target;        /* host:port of the URL, for messages */
	bool refused;        /* the route decision forbids the request (usage error) */
	long long timeout_ms; /* this request's timeout; 0 = none */
	bool cut;            /* timeout_ms is what was left of the deadline */
	bool first_byte;     /* a header line of the response arrived */
	bool headers_done;   /* the final response's header block ended */
	char **links;        /* its Link header values, NULL-terminated, or NULL */
	size_t nlinks, links_cap;
	char errbuf[CURL_ERROR_SIZE];
};

static const char *method_name(enum http_method m)
{
	switch (m) {
	case HTTP_HEAD:
		return "HEAD";
	case HTTP_POST:
		return "POST";
	case HTTP_GET:
		break;
	}
	return "GET";
}

struct http_client *http_client_new(const struct http_opts *opts)
{
	struct http_client *c;

	if (http_trust_backend(opts->ca_bundle) != 0)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(c);
		err_set(ERR_NETWORK, "cannot initialise libcurl");
		return NULL;
	}
	if (http_trust_load(&c->trust, opts->ca_bundle) != 0)
		goto fail;
	if ((c->multi = curl_multi_init()) == NULL) {
		err_set(ERR_NETWORK, "cannot create a libcurl multi handle");
		goto fail;
	}
	curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	c->timeout_s = opts->timeout_s;
	c->proxy = opts->proxy != NULL ? xstrdup(opts->proxy) : NULL;
	c->route = opts->route;
	c->route_arg = opts->route_arg;
	c->user_agent = xstrdup(opts->user_agent != NULL ? opts->user_agent :
	    PACKAGE_NAME "/" PACKAGE_VERSION);
	c->https_only = opts->https_only;
	return c;
fail:
	http_client_free(c);
	return NULL;
}

void http_client_free(struct http_client *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->npool; i++)
		curl_easy_cleanup(c->pool[i]);
	free(c->pool);
	if (c->multi != NULL)
		curl_multi_cleanup(c->multi);
	http_trust_clear(&c->trust);
	if (c->proxy != NULL)
		OPENSSL_cleanse(c->proxy, strlen(c->proxy));
	free(c->proxy);
	free(c->user_agent);
	free(c);
	curl_global_cleanup();
}

void http_set_deadline(struct http_client *c, long long deadline_ms)
{
	c->deadline_ms = deadline_ms;
}

long http_connects(struct http_client *c)
{
	return c->connects;
}

long http_requests(struct http_client *c)
{
	return c->requests;
}

void http_response_clear(struct http_response *r)
{
	if (r == NULL)
		return;
	free(r->body);
	free(r->content_type);
	free(r->location);
	free(r->replay_nonce);
	free(r->retry_after);
	strv_free(r->links);
	memset(r, 0, sizeof(*r));
}

/* Returns the proxy URL reduced to scheme://host[:port] (no userinfo, no
 * path), as a new string; so credentials never reach a message or log. */
static char *proxy_for_display(const char *proxy)
{
	char *with_scheme, *scheme = NULL, *host = NULL, *port = NULL, *shown;
	CURLU *u;

	/* libcurl takes a proxy without a scheme as http://. */
	with_scheme = strstr(proxy, "://") != NULL ? xstrdup(proxy) :
	    xasprintf("http://%s", proxy);
	u = curl_url();
	if (u == NULL || curl_url_set(u, CURLUPART_URL, with_scheme,
	    CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		shown = xstrdup("(unparseable proxy URL)");
	else if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK)
		shown = xasprintf("%s://%s:%s", scheme, host, port);
	else
		shown = xasprintf("%s://%s", scheme, host);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	OPENSSL_cleanse(with_scheme, strlen(with_scheme));
	free(with_scheme);
	return shown;
}

/* Returns "host:port" of url (default port filled in) as a new string, or a
 * copy of url when it does not parse. */
static char *url_target(const char *url)
{
	char *host = NULL, *port = NULL, *target;
	CURLU *u;

	u = curl_url();
	if (u != NULL && url != NULL &&
	    curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
		target = xasprintf("%s:%s", host, port);
	else
		target = xstrdup(url != NULL ? url : "(no URL)");
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return target;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct transfer *t = arg;
	size_t n = size * nmemb;

	if (n > BODY_MAX - t->len) {
		t->too_big = true;
		return 0; /* anything but n aborts the transfer */
	}
	if (t->len + n + 1 > t->cap) {
		t->cap = t->cap * 2 > t->len + n + 1 ? t->cap * 2 : t->len + n + 1;
		if (t->cap < 16384)
			t->cap = 16384;
		if (t->cap > BODY_MAX + 1)
			t->cap = BODY_MAX + 1;
		t->body = xrealloc(t->body, t->cap);
	}
	memcpy(t->body + t->len, data, n);
	t->len += n;
	t->body[t->len] = '\0';
	return n;
}

/* Keeps the value of a "Link:" header line data[0..n) in t->links. */
static void keep_link(struct transfer *t, const char *data, size_t n)
{
	const char *v = data + 5, *end = data + n;

	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' ||
	    end[-1] == '\t'))
		end--;
	if (t->nlinks + 1 >= t->links_cap) {
		t->links_cap = t->links_cap > 0 ? t->links_cap * 2 : 8;
		t->links = xrealloc(t->links, t->links_cap * sizeof(*t->links));
	}
	t->links[t->nlinks++] = xstrndup(v, (size_t)(end - v));
	t->links[t->nlinks] = NULL;
}

/* Reads the response headers as they arrive: how far they came, so a
 * timeout can name its phase, and the Link values, in one pass (asking
 * libcurl for the i-th "Link" walks every header each time). A status
 * line starts a header block: after a 1xx, the final one; trailers after
 * the body are not headers. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct transfer *t = arg;
	size_t n = size * nmemb;

	t->first_byte = true;
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		t->headers_done = false;
		strv_free(t->links);
		t->links = NULL;
		t->nlinks = t->links_cap = 0;
	} else if ((n == 2 && data[0] == '\r' && data[1] == '\n') ||
	    (n == 1 && data[0] == '\n')) {
		t->headers_done = true;
	} else if (!t->headers_done && n >= 5 && strncasecmp(data, "Link:", 5) == 0) {
		keep_link(t, data, n);
	}
	return n;
}

/* The timeout of a request starting now: --timeout, cut to what is left of
 * the deadline (at least 1 ms, as 0 would mean none). */
static void choose_timeout(struct transfer *t)
{
	struct http_client *c = t->c;
	long long left;

	t->timeout_ms = c->timeout_s > 0 ? c->timeout_s * 1000LL : 0;
	if (c->deadline_ms <= 0)
		return;
	left = c->deadline_ms - mono_ms();
	if (left < 1)
		left = 1;
	if (t->timeout_ms == 0 || left < t->timeout_ms) {
		t->timeout_ms = left;
		t->cut = true;
	}
}

/* Decides the route of t's URL and logs it. */
static int choose_route(struct transfer *t)
{
	struct http_client *c = t->c;
	const char *url = t->req->url != NULL ? t->req->url : "";
	char *why = NULL;

	if (c->route != NULL) {
		if (c->route(c->route_arg, url, &t->proxy, &why) != 0) {
			snprintf(t->req->errbuf, sizeof(t->req->errbuf), "%s", why);
			free(why);
			t->req->fail = HTTP_ERR_PROXY;
			t->refused = true;
			return -1;
		}
	} else {
		t->proxy = c->proxy;
		why = xstrdup(c->proxy != NULL ? "configured proxy" : "no proxy configured");
	}
	if (t->proxy != NULL && *t->proxy == '\0')
		t->proxy = NULL;
	if (t->proxy != NULL) {
		t->proxy_shown = proxy_for_display(t->proxy);
		t->proxy_tls = strncasecmp(t->proxy_shown, "https://", 8) == 0;
		/* libcurl tunnels https:// URLs through HTTP proxies with CONNECT;
		 * SOCKS proxies tunnel without it. */
		t->proxy_connect = strncasecmp(url, "https://", 8) == 0 &&
		    (t->proxy_tls || strncasecmp(t->proxy_shown, "http://", 7) == 0);
		logmsg(LOG_VERBOSE, "%s %s via %s (%s)", method_name(t->req->method),
		    url, t->proxy_shown, why != NULL ? why : "route");
	} else
		logmsg(LOG_VERBOSE, "%s %s direct (%s)", method_name(t->req->method),
		    url, why != NULL ? why : "route");
	free(why);
	return 0;
}

/* Sets every option of one request on a freshly reset handle. Returns 0 or
 * -1 with t->errbuf filled. */
static int setup_transfer(struct transfer *t)
{
	struct http_client *c = t->c;
	struct http_request *req = t->req;
	CURL *e = t->easy;
	CURLcode rc = CURLE_OK;

	curl_easy_reset(e);
	t->target = url_target(req->url);
	if (choose_route(t) != 0)
		return -1;

#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(e, opt, val); } while (0)
	SET(CURLOPT_ERRORBUFFER, t->errbuf);
	SET(CURLOPT_PRIVATE, t);
	SET(CURLOPT_URL, req->url);
	SET(CURLOPT_NOSIGNAL, 1L);
	choose_timeout(t);
	if (t->timeout_ms > 0) {
		SET(CURLOPT_CONNECTTIMEOUT_MS, (long)t->timeout_ms);
		SET(CURLOPT_TIMEOUT_MS, (long)t->timeout_ms);
	}
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_PROTOCOLS_STR, c->https_only ? "https" : "http,https");
	SET(CURLOPT_USERAGENT, c->user_agent);
	if (rc == CURLE_OK)
		rc = http_trust_setopt(&c->trust, e);
	SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	/* Wait for a connection being set up rather than open a second one, so
	 * concurrent requests multiplex over it. */
	SET(CURLOPT_PIPEWAIT, 1L);
	/* "" means direct and stops libcurl reading the proxy environment. */
	SET(CURLOPT_PROXY, t->proxy != NULL ? t->proxy : "");
	SET(CURLOPT_NOPROXY, "");
	SET(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, t);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, t);
	switch (req->method) {
	case HTTP_HEAD:
		SET(CURLOPT_NOBODY, 1L);
		break;
	case HTTP_POST:
		t->headers = curl_slist_append(t->headers, "Content-Type: application/jose+json");
		/* ACME servers answer at once; never wait for 100-continue. */
		t->headers = curl_slist_append(t->headers, "Expect:");
		SET(CURLOPT_HTTPHEADER, t->headers);
		SET(CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
		SET(CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(req->body != NULL ? strlen(req->body) : 0));
		break;
	case HTTP_GET:
		SET(CURLOPT_HTTPGET, 1L);
		break;
	}
#undef SET
	if (rc != CURLE_OK) {
		snprintf(req->errbuf, sizeof(req->errbuf), "cannot set up %s %s: %s",
		    method_name(req->method), t->target, curl_easy_strerror(rc));
		req->fail = HTTP_ERR_OTHER;
		return -1;
	}
	return 0;
}

/* The libcurl error text without the prefixes that add nothing here. */
static const char *curl_cause(struct transfer *t, CURLcode rc)
{
	static const char *const prefixes[] = {
		"SSL certificate problem: ", "SSL: ",
	};
	const char *s = t->errbuf[0] != '\0' ? t->errbuf : curl_easy_strerror(rc);
	size_t i, n;

	for (i = 0; i < nitems(prefixes); i++) {
		n = strlen(prefixes[i]);
		if (strncmp(s, prefixes[i], n) == 0)
			return s + n;
	}
	return s;
}

/* The OS error of a failed connect, or libcurl's text when there is none. */
static const char *connect_cause(struct transfer *t, CURLcode rc)
{
	long os_errno = 0;

	curl_easy_getinfo(t->easy, CURLINFO_OS_ERRNO, &os_errno);
	return os_errno != 0 ? strerror((int)os_errno) : curl_cause(t, rc);
}

static bool is_tls_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_USE_SSL_FAILED:
		return true;
	default:
		return false;
	}
}

/* True when the TLS handshake with t's https proxy got as far as checking
 * the proxy's certificate, and it passed: libcurl marks the result
 * unspecified until then. */
static bool proxy_tls_verified(struct transfer *t)
{
	long verify = X509_V_ERR_UNSPECIFIED;

	curl_easy_getinfo(t->easy, CURLINFO_PROXY_SSL_VERIFYRESULT, &verify);
	return verify == X509_V_OK;
}

const char *http_timeout_phase(const struct http_progress *p)
{
	if (!p->tcp_up)
		return "connecting to";
	if (p->https && !p->reused && !p->tls_up)
		return "in the TLS handshake with";
	if (p->headers_done)
		return "receiving the body from";
	if (p->first_byte)
		return "receiving the headers from";
	return "waiting for the response from";
}

/* Fills req->errbuf with one line saying how long a timed-out request ran,
 * why that long, and what it was doing then. */
static void describe_timeout(struct transfer *t, long connect_code)
{
	struct http_request *req = t->req;
	struct http_progress p = { .first_byte = t->first_byte,
	    .headers_done = t->headers_done };
	long local_port = 0, connects = 0;
	curl_off_t tls_us = 0;
	char after[64];

	/* libcurl 7.88 sets the connect time only once TLS is up too; a local
	 * port says the TCP connection stood. A reused connection (tunnel
	 * included) was set up by an earlier request: this one has no connect,
	 * CONNECT or handshake times of its own. */
	curl_easy_getinfo(t->easy, CURLINFO_LOCAL_PORT, &local_port);
	curl_easy_getinfo(t->easy, CURLINFO_NUM_CONNECTS, &connects);
	curl_easy_getinfo(t->easy, CURLINFO_APPCONNECT_TIME_T, &tls_us);
	p.tcp_up = local_port != 0;
	p.reused = connects == 0;
	p.tls_up = tls_us > 0;
	p.https = req->url != NULL && strncasecmp(req->url, "https://", 8) == 0;
	snprintf(after, sizeof(after), "%lld s%s", (t->timeout_ms + 999) / 1000,
	    t->cut ? " (what was left of --deadline)" : "");
	if (!p.tcp_up && t->proxy != NULL)
		snprintf(req->errbuf, sizeof(req->errbuf), "timed out after %s connecting "
		    "to proxy %s", after, t->proxy_shown);
	else if (!p.reused && p.tcp_up && t->proxy_tls && connect_code == 0 &&
	    !proxy_tls_verified(t))
		snprintf(req->errbuf, sizeof(req->errbuf), "timed out after %s in the TLS "
		    "handshake with proxy %s (a plain http:// proxy never answers it)",
		    after, t->proxy_shown);
	else if (!p.reused && p.tcp_up && t->proxy_connect && connect_code == 0)
		snprintf(req->errbuf, sizeof(req->errbuf), "timed out after %s waiting for "
		    "proxy %s to CONNECT to %s", after, t->proxy_shown, t->target);
	else
		snprintf(req->errbuf, sizeof(req->errbuf), "timed out after %s %s %s", after,
		    http_timeout_phase(&p), t->target);
}

/* Fills req->fail and req->errbuf with one line naming the host and the
 * cause of a request that got no HTTP response. */
static void describe_failure(struct transfer *t, CURLcode rc)
{
	struct http_request *req = t->req;
	char *msg = req->errbuf;
	size_t sz = sizeof(req->errbuf);
	long connect_code = 0, verify = 0;
	bool proxy_side;

	curl_easy_getinfo(t->easy, CURLINFO_HTTP_CONNECTCODE, &connect_code);

	if (t->too_big) {
		req->fail = HTTP_ERR_OTHER;
		snprintf(msg, sz, "the response from %s exceeds %d MiB", t->target,
		    BODY_MAX / (1024 * 1024));
	} else if (t->proxy_connect && connect_code != 0 && connect_code / 100 != 2) {
		/* Some proxies (tinyproxy) answer wrong credentials with 401. */
		req->fail = HTTP_ERR_PROXY;
		snprintf(msg, sz, "proxy %s answered %ld to CONNECT %s%s", t->proxy_shown,
		    connect_code, t->target, connect_code == 407 || connect_code == 401 ?
		    ": proxy credentials missing or wrong" : "");
	} else if (rc == CURLE_COULDNT_RESOLVE_PROXY) {
		req->fail = HTTP_ERR_PROXY;
		snprintf(msg, sz, "cannot resolve the host of proxy %s", t->proxy_shown);
	} else if (rc == CURLE_COULDNT_RESOLVE_HOST) {
		req->fail = HTTP_ERR_CONNECT;
		snprintf(msg, sz, "cannot resolve %s: %s", t->target, curl_cause(t, rc));
	} else if (rc == CURLE_COULDNT_CONNECT && t->proxy != NULL) {
		req->fail = HTTP_ERR_PROXY;
		snprintf(msg, sz, "cannot connect to proxy %s: %s", t->proxy_shown,
		    connect_cause(t, rc));
	} else if (rc == CURLE_COULDNT_CONNECT) {
		req->fail = HTTP_ERR_CONNECT;
		snprintf(msg, sz, "cannot connect to %s: %s", t->target, connect_cause(t, rc));
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		req->fail = HTTP_ERR_TIMEOUT;
		describe_timeout(t, connect_code);
	} else if (is_tls_error(rc)) {
		/* Before a tunnel exists, an https proxy's handshake is the one
		 * that failed. */
		proxy_side = t->proxy_tls && connect_code == 0;
		curl_easy_getinfo(t->easy, proxy_side ? CURLINFO_PROXY_SSL_VERIFYRESULT :
		    CURLINFO_SSL_VERIFYRESULT, &verify);
		req->fail = proxy_side ? HTTP_ERR_PROXY : HTTP_ERR_TLS;
		/* libcurl reports its own host name check as "unspecified";
		 * its error text says more then. */
		if (verify != X509_V_OK && verify != X509_V_ERR_UNSPECIFIED)
			snprintf(msg, sz, "TLS handshake with %s%s failed: certificate "
			    "verify failed (%s)%s", proxy_side ? "proxy " : "",
			    proxy_side ? t->proxy_shown : t->target,
			    X509_verify_cert_error_string(verify), proxy_side ? "; the "
			    "proxy's CA must be in the system store (SSL_CERT_FILE, "
			    "SSL_CERT_DIR) or --ca-bundle" : "");
		else
			snprintf(msg, sz, "TLS handshake with %s%s failed: %s",
			    proxy_side ? "proxy " : "",
			    proxy_side ? t->proxy_shown : t->target, curl_cause(t, rc));
	} else if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
		req->fail = HTTP_ERR_OTHER;
		snprintf(msg, sz, "refusing %s: %s", req->url != NULL ? req->url : "(no URL)",
		    t->c->https_only ? "only https URLs are allowed" :
		    "only http and https URLs are supported");
	} else if (rc == CURLE_PROXY) {
		req->fail = HTTP_ERR_PROXY;
		snprintf(msg, sz, "proxy %s failed to connect to %s: %s", t->proxy_shown,
		    t->target, curl_cause(t, rc));
	} else if (t->proxy_connect && connect_code == 0) {
		req->fail = HTTP_ERR_PROXY;
		snprintf(msg, sz, "proxy %s failed during CONNECT to %s: %s",
		    t->proxy_shown, t->target, curl_cause(t, rc));
	} else {
		req->fail = HTTP_ERR_OTHER;
		snprintf(msg, sz, "request to %s failed: %s", t->target, curl_cause(t, rc));
	}
}

/* Copies the first value of header name of the last response, or NULL. */
static char *header_value(CURL *e, const char *name)
{
	struct curl_header *h;

	if (curl_easy_header(e, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	return xstrdup(h->value);
}

/* Logs the protocol and response headers at debug level; cookies are left
 * out. */
static void log_headers(CURL *e, long connects)
{
	struct curl_header *h = NULL;
	long version = 0;

	if (log_level < LOG_DEBUG)
		return;
	curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
	logmsg(LOG_DEBUG, "  HTTP/%s on a %s connection",
	    version == CURL_HTTP_VERSION_3 ? "3" : version == CURL_HTTP_VERSION_2_0 ? "2" :
	    version == CURL_HTTP_VERSION_1_0 ? "1.0" : "1.1", connects > 0 ? "new" : "reused");
	while ((h = curl_easy_nextheader(e, CURLH_HEADER, -1, h)) != NULL) {
		if (strcasecmp(h->name, "Set-Cookie") == 0)
			continue;
		logmsg(LOG_DEBUG, "  < %s: %s", h->name, h->value);
	}
}

/* Records the outcome of a finished transfer in its request. */
static void finish_transfer(struct transfer *t, CURLcode rc)
{
	struct http_request *req = t->req;
	struct http_response *r = &req->resp;
	curl_off_t total_us = 0, setup_us = 0;
	long connects = 0, version = 0;

	curl_easy_getinfo(t->easy, CURLINFO_NUM_CONNECTS, &connects);
	curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME_T, &total_us);
	curl_easy_getinfo(t->easy, CURLINFO_PRETRANSFER_TIME_T, &setup_us);
	t->c->connects += connects;
	r->elapsed_ms = (long long)(total_us / 1000);
	r->exchange_ms = (long long)((total_us - setup_us) / 1000);
	curl_easy_getinfo(t->easy, CURLINFO_HTTP_VERSION, &version);
	r->multiplexed = version >= CURL_HTTP_VERSION_2_0;
	if (rc != CURLE_OK) {
		req->result = -1;
		describe_failure(t, rc);
		logmsg(LOG_VERBOSE, "%s %s -> no response after %lld ms",
		    method_name(req->method), req->url, r->elapsed_ms);
		return;
	}
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r->status);
	r->body = t->body != NULL ? t->body : xstrdup("");
	r->body_len = t->len;
	t->body = NULL;
	r->content_type = header_value(t->easy, "Content-Type");
	r->location = header_value(t->easy, "Location");
	r->replay_nonce = header_value(t->easy, "Replay-Nonce");
	r->retry_after = header_value(t->easy, "Retry-After");
	r->links = t->links != NULL ? t->links : xcalloc(1, sizeof(char *));
	t->links = NULL;
	req->result = 0;
	req->fail = HTTP_ERR_NONE;
	logmsg(LOG_VERBOSE, "%s %s -> %ld in %lld ms", method_name(req->method),
	    req->url, r->status, r->elapsed_ms);
	log_headers(t->easy, connects);
}

/* Makes sure the pool holds at least n easy handles. 0 or -1 with err. */
static int grow_pool(struct http_client *c, size_t n)
{
	CURL *e;

	if (n <= c->npool)
		return 0;
	c->pool = xrealloc(c->pool, n * sizeof(*c->pool));
	while (c->npool < n) {
		if ((e = curl_easy_init()) == NULL) {
			err_set(ERR_NETWORK, "cannot create a libcurl easy handle");
			return -1;
		}
		c->pool[c->npool++] = e;
	}
	return 0;
}

/* Marks every request still running as failed with a multi-level error. */
static void fail_running(struct transfer *ts, size_t n, const bool *running,
    CURLMcode mc)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!running[i])
			continue;
		ts[i].req->result = -1;
		ts[i].req->fail = HTTP_ERR_OTHER;
		snprintf(ts[i].req->errbuf, sizeof(ts[i].req->errbuf),
		    "request to %s failed: %s", ts[i].target, curl_multi_strerror(mc));
	}
}

/* Sets up t and hands it to the multi handle. True when it runs; false
 * with its request's errbuf filled. */
static bool start_transfer(struct http_client *c, struct transfer *t)
{
	CURLMcode mc;

	if (setup_transfer(t) != 0)
		return false;
	if ((mc = curl_multi_add_handle(c->multi, t->easy)) != CURLM_OK) {
		t->req->fail = HTTP_ERR_OTHER;
		snprintf(t->req->errbuf, sizeof(t->req->errbuf),
		    "request to %s failed: %s", t->target, curl_multi_strerror(mc));
		return false;
	}
	return true;
}

/* Starts every delayed request of ts[0..n-1] that is due at now (marking
 * it in running and clearing it in waiting). Returns how many started, and
 * stores in *next_ms the wait until the next one is due (unchanged when
 * none is left). */
static size_t start_due(struct http_client *c, struct transfer *ts, size_t n, bool *waiting,
    bool *running, long long start, long long *next_ms)
{
	long long now = mono_ms(), due;
	size_t started = 0;

	for (size_t i = 0; i < n; i++) {
		if (!waiting[i])
			continue;
		due = start + ts[i].req->delay_ms;
		if (due > now) {
			if (due - now < *next_ms)
				*next_ms = due - now;
			continue;
		}
		waiting[i] = false;
		if (start_transfer(c, &ts[i])) {
			running[i] = true;
			started++;
		}
	}
	return started;
}

int http_perform(struct http_client *c, struct http_request *reqs, size_t n)
{
	struct transfer *ts = NULL, *t;
	bool *running = NULL, *waiting = NULL;
	CURLMcode mc = CURLM_OK;
	struct CURLMsg *msg;
	int still = 0, queued, rc;
	size_t i, active = 0, delayed = 0;
	long long start = mono_ms(), next_ms;
	char *priv;

	if (n == 0)
		return 0;
	if (grow_pool(c, n) != 0)
		return -1;
	ts = xcalloc(n, sizeof(*ts));
	running = xcalloc(n, sizeof(*running));
	waiting = xcalloc(n, sizeof(*waiting));
	for (i = 0; i < n; i++) {
		t = &ts[i];
		t->c = c;
		t->req = &reqs[i];
		t->easy = c->pool[i];
		memset(&reqs[i].resp, 0, sizeof(reqs[i].resp));
		reqs[i].result = -1;
		reqs[i].fail = HTTP_ERR_NONE;
		reqs[i].errbuf[0] = '\0';
		c->requests++;
		if (reqs[i].delay_ms > 0) {
			waiting[i] = true;
			delayed++;
		} else if (start_transfer(c, t)) {
			running[i] = true;
			active++;
		}
	}

	while (active > 0 || delayed > 0) {
		next_ms = 1000;
		if (delayed > 0) {
			active += start_due(c, ts, n, waiting, running, start, &next_ms);
			delayed = 0;
			for (i = 0; i < n; i++)
				delayed += waiting[i];
		}
		if ((mc = curl_multi_perform(c->multi, &still)) != CURLM_OK)
			break;
		while ((msg = curl_multi_info_read(c->multi, &queued)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
			t = (struct transfer *)(void *)priv;
			finish_transfer(t, msg->data.result);
			curl_multi_remove_handle(c->multi, t->easy);
			running[t - ts] = false;
			active--;
		}
		if (active == 0 && delayed == 0)
			break;
		if ((mc = curl_multi_poll(c->multi, NULL, 0, (int)next_ms, NULL)) != CURLM_OK)
			break;
	}
	if (active > 0 || delayed > 0) {
		for (i = 0; i < n; i++) {
			if (running[i])
				curl_multi_remove_handle(c->multi, ts[i].easy);
			/* never sent: failed for the same reason */
			if (waiting[i]) {
				ts[i].target = url_target(reqs[i].url);
				running[i] = true;
			}
		}
		fail_running(ts, n, running, mc);
	}

	rc = 0;
	for (i = 0; i < n; i++) {
		if (reqs[i].result != 0 && rc == 0) {
			err_set(ts[i].refused ? ERR_USAGE : ERR_NETWORK, "%s", reqs[i].errbuf);
			rc = -1;
		}
		curl_slist_free_all(ts[i].headers);
		free(ts[i].body);
		strv_free(ts[i].links);
		free(ts[i].proxy_shown);
		free(ts[i].target);
	}
	free(running);
	free(waiting);
	free(ts);
	return rc;
}
