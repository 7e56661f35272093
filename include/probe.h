/* probe.h - the network steps of diagnose, each run on its own and each
 * bounded: a name lookup, TCP connects, an HTTP CONNECT through a proxy (in
 * the clear, or inside TLS with an https:// proxy), a TLS handshake (over
 * the socket, or inside the proxy's TLS), and HTTP/1.1 exchanges over that
 * TLS connection.
 *
 * Every wait is a poll() on a non-blocking socket that ends at an absolute
 * deadline, a mono_ms() value; getaddrinfo(), which takes no deadline, runs
 * in a helper thread that is abandoned when the deadline passes. Nothing
 * blocks past the deadline given.
 *
 * A failed step is a result, not an error: the functions fill a result
 * record and never call err_set(), except probe_tls_ctx_new() for bad local
 * input. What a result means is decided by diagnose.c.
 */
#ifndef ACMECTL_PROBE_H
#define ACMECTL_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* One address to connect to, port included. */
struct probe_addr {
	int family;                   /* AF_INET or AF_INET6 */
	struct sockaddr_storage sa;
	socklen_t salen;
	char text[INET6_ADDRSTRLEN];  /* "192.0.2.1", "2001:db8::1" */
};

enum probe_lookup_status {
	PROBE_FOUND,     /* at least one address */
	PROBE_NOTFOUND,  /* no such host (NXDOMAIN, or a name without addresses) */
	PROBE_TEMPFAIL,  /* the resolver gave up: its own timeout or SERVFAIL */
	PROBE_TIMEOUT,   /* still unanswered at the deadline */
	PROBE_LOOKUP_ERROR, /* anything else getaddrinfo() reports */
};

struct probe_lookup {
	enum probe_lookup_status status;
	struct probe_addr *addrs;     /* owned; getaddrinfo's order, duplicates dropped */
	size_t naddrs;
	long long ms;                 /* time until the answer, or until the deadline */
	char *error;                  /* owned; gai_strerror() text unless FOUND */
};

struct probe_lookup_job;

/* Starts getaddrinfo(name, port) for TCP over IPv4 and IPv6, without
 * AI_ADDRCONFIG (Go's resolver asks for both families too), in a detached
 * thread. Returns the job; never NULL (a thread that cannot be started
 * gives a PROBE_LOOKUP_ERROR result). Finish it with probe_lookup_finish(). */
struct probe_lookup_job *probe_lookup_start(const char *name, int port);

/* Waits for job until deadline and fills out (release with
 * probe_lookup_clear()). Consumes job: a lookup still running is abandoned
 * and its thread frees it when getaddrinfo() returns. */
void probe_lookup_finish(struct probe_lookup_job *job, long long deadline,
    struct probe_lookup *out);

/* probe_lookup_start() and probe_lookup_finish() in one. */
void probe_lookup_run(const char *name, int port, long long deadline,
    struct probe_lookup *out);

/* Frees what out owns and zeroes it. */
void probe_lookup_clear(struct probe_lookup *out);

/* The addresses a hosts file (e.g. /etc/hosts) lists for name (compared
 * case-insensitively, a trailing dot ignored), in file order, port set.
 * Returns how many were found and stores a new array in *addrs (caller
 * frees; NULL when none). A missing or unreadable file lists nothing. */
size_t probe_hosts_lookup(const char *path, const char *name, int port,
    struct probe_addr **addrs);

/* Fills *out with the address of the literal IPv4 or IPv6 text host and
 * returns true, or returns false when host is not an address literal. */
bool probe_addr_literal(const char *host, int port, struct probe_addr *out);

enum probe_connect_status {
	PROBE_CONNECTED,
	PROBE_REFUSED,       /* ECONNREFUSED: an RST came back */
	PROBE_UNREACHABLE,   /* ENETUNREACH, EHOSTUNREACH: no route, or ICMP */
	PROBE_CONNECT_TIMEOUT, /* nothing came back before the deadline */
	PROBE_CONNECT_ERROR, /* any other errno */
};

struct probe_connect {
	enum probe_connect_status status;
	int err;        /* errno of the failure, 0 when connected or timed out */
	long long ms;   /* time until the outcome, or until the deadline */
	int fd;         /* the connected non-blocking socket (caller closes); -1 otherwise */
};

/* Connects to all n addresses at once, each attempt ending at deadline, and
 * fills out[i] for addrs[i]. */
void probe_connect_all(const struct probe_addr *addrs, size_t n, long long deadline,
    struct probe_connect *out);

/* Connects to addr as probe_connect_all() does, offering mss as the most
 * the peer may send per segment (TCP_MAXSEG before connect), so that every
 * packet it sends is at most mss plus its headers. */
void probe_connect_mss(const struct probe_addr *addr, int mss, long long deadline,
    struct probe_connect *out);

enum probe_tunnel_status {
	PROBE_TUNNEL_OK,       /* 200: the tunnel stands */
	PROBE_TUNNEL_STATUS,   /* the proxy answered another status */
	PROBE_TUNNEL_TIMEOUT,  /* no complete answer before the deadline */
	PROBE_TUNNEL_CLOSED,   /* the proxy closed or reset the connection */
	PROBE_TUNNEL_GARBLED,  /* the answer is not HTTP */
};

struct probe_tunnel {
	enum probe_tunnel_status status;
	int code;        /* the status code, 0 when none was read */
	char *reason;    /* owned; the reason phrase as sent, NULL when empty */
	char *error;     /* owned; what went wrong unless OK or STATUS */
	char *squid_error; /* owned; the X-Squid-Error header ("ERR_CONNECT_FAIL 113"), or NULL */
	char *auth_schemes; /* owned; the schemes of the Proxy-Authenticate headers,
	                     * "NTLM, Negotiate", or NULL when none */
	char *tinyproxy;  /* owned; the Server header of tinyproxy's own answer
			   * ("tinyproxy/1.11.1": no Via, so not one it relayed), or NULL */
	long long ms;
};

struct probe_conn;

/* A plain connection over the connected non-blocking socket fd, which it
 * takes over. Never NULL; close with probe_conn_close(). */
struct probe_conn *probe_conn_new(int fd);

/* Closes c and every layer below it, down to the socket (no close_notify
 * wait). NULL is fine. */
void probe_conn_close(struct probe_conn *c);

/* Sends "CONNECT authority HTTP/1.1" over c (borrowed, left open: a plain
 * connection to an http:// proxy, or the TLS connection to an https://
 * one) with Proxy-Authorization Basic when credentials ("user:pass",
 * borrowed) are given, and reads the proxy's answer until deadline. Only
 * 200 counts as a tunnel, as in Go's transport. Release out with
 * probe_tunnel_clear(). */
void probe_tunnel_run(struct probe_conn *c, const char *authority, const char *credentials,
    long long deadline, struct probe_tunnel *out);

/* Parses the proxy's answer to CONNECT, head (len bytes: the status line
 * and headers, up to and without the empty line), into out's status
 * (OK, STATUS or GARBLED), code, reason, error, squid_error,
 * auth_schemes and tinyproxy; each header value kept is cut at 200 bytes. Pure; release
 * out with probe_tunnel_clear(). */
void probe_tunnel_parse(const char *head, size_t len, struct probe_tunnel *out);

/* Appends the scheme of a Proxy-Authenticate value (its first token;
 * value NUL-terminated, borrowed) to *schemes, ", " between them. */
void probe_auth_scheme_add(char **schemes, const char *value);

/* Frees what out owns and zeroes it. */
void probe_tunnel_clear(struct probe_tunnel *out);

struct probe_tls_ctx;

/* The trust anchors of TLS handshakes: the system store when system is
 * true, plus the PEM certificates of file (a path) and/or pem (len bytes,
 * e.g. a caBundle); both may be NULL. Returns a context (probe_tls_ctx_free())
 * or NULL with ERR_USAGE when a bundle holds no certificate or cannot be
 * read. what names pem in messages. */
struct probe_tls_ctx *probe_tls_ctx_new(bool system, const char *file,
    const unsigned char *pem, size_t len, const char *what);

/* Frees ctx. NULL is fine. */
void probe_tls_ctx_free(struct probe_tls_ctx *ctx);

/* Sets what the handshakes made with ctx from now on offer: with
 * from_tls10, what Go 1.17 and older offer (TLS 1.0 to 1.3; below 1.3
 * Go's default cipher suites, CBC-SHA and 3DES among them; OpenSSL's
 * security level 0, without which it offers no TLS 1.0 or 1.1); without,
 * what Go 1.18 and later offer (TLS 1.2 and 1.3), the default of a new
 * context. */
void probe_tls_ctx_offer(struct probe_tls_ctx *ctx, bool from_tls10);

enum probe_tls_status {
	PROBE_TLS_OK,        /* handshake done; see verified for the checks */
	PROBE_TLS_TIMEOUT,
	PROBE_TLS_FAILED,    /* alert, reset, protocol error */
};

struct probe_tls {
	enum probe_tls_status status;
	char *error;          /* owned; why the handshake failed */
	long long ms;
	const char *version;  /* "TLSv1.3"; static; NULL unless OK */
	/* certificate checks, done as Go does them but never failing the
	 * handshake, so both the name and the chain can be reported */
	bool name_mismatch;   /* the leaf is not valid for the host */
	int chain_error;      /* X509_V_OK, or the first chain error (X509_V_ERR_*) */
	char *chain_error_text; /* owned; X509_verify_cert_error_string(), or NULL */
	char *subject;        /* owned; the leaf's subject (RFC 2253), or NULL */
	char *issuer;         /* owned; the leaf's issuer, or NULL */
	bool self_signed;     /* the leaf signed itself */
	char **dns_names;     /* owned; the leaf's DNS SANs, NULL-terminated, never NULL after a handshake */
	char **ip_names;      /* owned; the leaf's IP SANs as text, NULL-terminated */
	bool has_san;         /* the leaf has a subjectAltName extension */
	char *common_name;    /* owned; the leaf's subject CN, or NULL */
	long long not_before, not_after; /* the leaf's validity (Unix time); 0 unknown */
	/* why a handshake failed, as Go tells it apart */
	bool closed;          /* the server closed the connection (Go: EOF) */
	bool http_answer;     /* the first record began "HTTP/": a plain HTTP port */
	bool not_tls;         /* the first record was neither a handshake nor an alert */
	bool alert_received;  /* the server sent an alert ... */
	int alert;            /* ... with this description (70: protocol_version) */
	int server_version;   /* the version of the server's ServerHello (0x0301 for
	                       * TLS 1.0), 0 when none came */
};

/* Runs a TLS handshake as a client over under, which it takes over: on
 * the socket when under is plain, inside under's TLS otherwise (the tunnel
 * of an https:// proxy: TLS in TLS). SNI and the name check use host (an IP
 * literal is checked against IP SANs and sent without SNI); the common name
 * is never used as a host name, partial wildcards are not accepted (Go's
 * rules). Fills out (release with probe_tls_clear()). Returns the new
 * connection when the handshake completed (caller probe_conn_close()s, which
 * closes under too), else NULL with under closed. */
struct probe_conn *probe_tls_run(struct probe_conn *under, const char *host,
    const struct probe_tls_ctx *ctx, long long deadline, struct probe_tls *out);

/* Frees what out owns and zeroes it. */
void probe_tls_clear(struct probe_tls *out);

struct probe_response {
	int status;
	char *reason;         /* owned; the status line's reason phrase, NULL when none */
	char *content_type;   /* owned header values, NULL when absent */
	char *replay_nonce;
	char *location;
	char *squid_error;    /* X-Squid-Error: the answer is Squid's own */
	char *server;         /* the Server header, NULL when absent */
	bool via;             /* a Via header came: a proxy relayed the answer */
	char *auth_schemes;   /* the schemes of the Proxy-Authenticate headers,
	                       * "NTLM, Negotiate", or NULL when none */
	char *body;           /* owned, NUL-terminated; "" for none */
	size_t body_len;
	bool keep_alive;      /* the connection may carry another request */
};

enum probe_http_status {
	PROBE_HTTP_OK,        /* a complete response was read */
	PROBE_HTTP_TIMEOUT,
	PROBE_HTTP_FAILED,    /* closed, reset, or not HTTP */
};

/* Sends one HTTP/1.1 request (method "GET", "HEAD" or "POST"; body, if any,
 * sent as application/jose+json) for path to authority (the Host header)
 * over c (a TLS connection from probe_tls_run()) and reads the response
 * until deadline. Fills resp (release with probe_response_clear()) and,
 * unless OK, *error (a new string, caller frees). Bodies over 1 MiB fail. */
enum probe_http_status probe_http(struct probe_conn *c, const char *method,
    const char *authority, const char *path, const char *body, long long deadline,
    struct probe_response *resp, char **error);

/* probe_http() of a request for url (an http:// URL, authority its Host)
 * to an HTTP proxy over c, as Go sends it: the whole URL in the request
 * line and, with credentials ("user:pass"), Proxy-Authorization: Basic. */
enum probe_http_status probe_http_proxied(struct probe_conn *c, const char *method,
    const char *authority, const char *url, const char *credentials, const char *body,
    long long deadline, struct probe_response *resp, char **error);

/* True when resp is a proxy's own answer, not one it relayed: Squid's
 * (X-Squid-Error), or tinyproxy's error page, which names it in Server
 * ("tinyproxy/1.11.1") without the Via header tinyproxy adds to every
 * answer it relays (a CA's 5xx through tinyproxy is not taken for it). */
bool probe_response_is_proxys(const struct probe_response *resp);

/* Frees what resp owns and zeroes it. */
void probe_response_clear(struct probe_response *resp);

#endif
