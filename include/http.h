/* http.h - the HTTP client; with its trust store (http_trust.c) the only
 * module that includes <curl/curl.h>.
 *
 * One client per run holds one curl multi handle and a small pool of easy
 * handles whose connections are shared, so every request to one server reuses
 * one TLS connection (HTTP/2 where offered). Requests are described by
 * struct http_request and run with http_perform(), which takes an array so
 * callers can run several at once without changing shape.
 */
#ifndef ACMECTL_HTTP_H
#define ACMECTL_HTTP_H

#include <stdbool.h>
#include <stddef.h>

struct http_client;

struct http_opts {
	const char *ca_bundle;   /* extra trust anchors (PEM file) or NULL; borrowed */
	long timeout_s;          /* per-request total deadline; connect deadline too */
	const char *proxy;       /* explicit proxy URL or NULL for direct; borrowed */
	/* Optional per-URL route decision (the proxy layer). When set it
	 * overrides proxy: returns 0 with *proxy the proxy URL for url
	 * (borrowed from route_arg), or NULL for direct, and *why a new string
	 * saying where that came from (e.g. "HTTPS_PROXY" or "NO_PROXY entry
	 * \"example.org\""). -1 means the request must not be made: *why
	 * says why, and the request fails with that message. The caller frees
	 * *why either way; the callback records nothing. */
	int (*route)(void *route_arg, const char *url, const char **proxy, char **why);
	void *route_arg;
	const char *user_agent;  /* borrowed */
	bool https_only;         /* refuse non-https URLs (ACME server) */
};

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST };

struct http_response {
	long status;            /* 0 when no response was received */
	char *body;             /* NUL-terminated; body_len excludes the NUL */
	size_t body_len;
	char *content_type;     /* header values, NULL when absent */
	char *location;
	char *replay_nonce;
	char *retry_after;
	char **links;           /* every Link header value, NULL-terminated */
	long long elapsed_ms;
	long long exchange_ms;  /* elapsed_ms without setting up a connection
	                         * (DNS, TCP, proxy, TLS): the request's round trip */
	bool multiplexed;       /* came over HTTP/2 or later: a request sent while
	                         * others are in flight shares their connection */
};

struct http_request {
	enum http_method method;
	const char *url;          /* borrowed */
	const char *body;         /* POST body, borrowed; sent as application/jose+json */
	long long delay_ms;       /* sent this long after http_perform sends the
	                           * others (0: with them) */
	struct http_response resp; /* filled by http_perform; release with http_response_clear */
	int result;               /* 0, or -1 when no HTTP response was received */
	enum { HTTP_ERR_NONE, HTTP_ERR_CONNECT, HTTP_ERR_TIMEOUT, HTTP_ERR_TLS,
		HTTP_ERR_PROXY, HTTP_ERR_OTHER } fail;
	char errbuf[256];         /* why result is -1, one line */
};

/* Where a request stood when it timed out, as far as libcurl saw it. */
struct http_progress {
	bool tcp_up;        /* a TCP connection stood (its local port is known) */
	bool reused;        /* the request went out on a connection opened before */
	bool https;         /* the URL is https:// */
	bool tls_up;        /* this request's own TLS handshake finished */
	bool first_byte;    /* some of the response arrived */
	bool headers_done;  /* the final response's header block ended */
};

/* The phase a timed-out request was in, as the words that follow "timed out
 * after N s" ("connecting to", "in the TLS handshake with", "waiting for the
 * response from", "receiving the headers from", "receiving the body from").
 * A reused connection had its handshake long ago: only a new one can time
 * out in it. Pure; static string. */
const char *http_timeout_phase(const struct http_progress *p);

/* Creates a client. Returns it (free with http_client_free) or NULL with err. */
struct http_client *http_client_new(const struct http_opts *opts);

/* Frees the client and closes its connections. NULL is fine. */
void http_client_free(struct http_client *c);

/* Runs n requests concurrently (n == 1 is the common case); one with a
 * delay_ms is sent that long after the start, while the others may still be
 * in flight (it is set up then: its timeout runs from then). Each request's
 * result/resp/fail/errbuf is filled in. Returns 0 when every request got an
 * HTTP response (any status), else -1 with ERR_NETWORK set describing the first
 * failure (the request's own errbuf has each). */
int http_perform(struct http_client *c, struct http_request *reqs, size_t n);

/* Frees the response members and zeroes it. */
void http_response_clear(struct http_response *r);

/* Ends every request started from now on by deadline_ms (mono_ms() clock;
 * 0 = none): a request's timeout is cut to what is left before it, and a
 * request that times out then says it ran into the end of --deadline. */
void http_set_deadline(struct http_client *c, long long deadline_ms);

/* Number of new connections the client has opened so far (for tests and -v). */
long http_connects(struct http_client *c);

/* Total number of requests performed so far. */
long http_requests(struct http_client *c);

#endif
