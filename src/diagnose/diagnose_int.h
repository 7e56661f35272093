/* diagnose_int.h - what the files of src/diagnose/ share; nothing outside
 * src/diagnose/ includes it.
 *
 * The pure half, facts -> report (see diagnose.h):
 *   facts.c     questions about the facts, shared by the files below
 *   verdict.c   the verdict and the step it comes from; diag_conclude()
 *   lines.c     one line per step
 *   goerror.c   Go's error texts and what cert-manager shows
 *   advice.c    findings and advice (dns_slow.c: Go's resolver's waits)
 *   report.c    the report as text and as JSON
 * The network half, gathering the facts (struct run):
 *   gather.c    local inputs, the config and route steps; diagnose_run()
 *   netsteps.c  dns, tcp, proxy and tls through probe.c; the dns step runs
 *               Go's resolver (goresolv.c) over each nameserver's answers
 *               (goprobe.c)
 *   acmesteps.c the directory, nonce and account requests (--register:
 *               cert-manager's own)
 * probe.c (with probe_net.c, probe_tls.c, probe_http.c), resolv.c,
 * certmanager.c (with cm_account.c and cm_url.c) and podview.c (--pid:
 * another process's view) keep their own headers in include/.
 */
#ifndef ACMECTL_DIAGNOSE_INT_H
#define ACMECTL_DIAGNOSE_INT_H

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "certmanager.h"
#include "diagnose.h"
#include "k8s.h"
#include "podview.h"
#include "probe.h"
#include "proxy.h"
#include "resolv.h"

/*
 * facts.c: pure questions about the facts. Strings returned as "caller
 * frees" are the caller's; the rest is borrowed from the facts.
 */

/* "850 ms", "4.5 s", "10 s", "2 min". Caller frees. */
char *diag_duration(long long ms);

/* host:port, with brackets around an IPv6 address. Caller frees. */
char *diag_host_port(const char *host, int port);

/* True when host is an IPv4 or IPv6 address. */
bool diag_is_ip(const char *host);

/* The path of an URL ("/dir" of "https://h:1/dir"), "/" when none; borrowed. */
const char *diag_url_path(const char *url);

/* cert-manager's sync deadline for the modelled version, in ms. */
long diag_sync_ms(const struct diag_facts *f);

/* True when the route goes through a proxy. */
bool diag_is_proxied(const struct diag_facts *f);

/* What the steps before upto would cost cert-manager, in ms. */
long long diag_total_cm_ms(const struct diag_facts *f, enum diag_step upto);

/* The attempt Go would report: the first address (its primary); NULL when
 * none was made. Borrowed. */
const struct diag_conn *diag_primary_conn(const struct diag_facts *f);

/* True when one of the connect attempts connected. */
bool diag_any_conn_ok(const struct diag_facts *f);

/* True when every IPv6 attempt failed and there was at least one; says
 * whether there was an IPv4 attempt and whether one connected. */
bool diag_ipv6_all_failed(const struct diag_facts *f, bool *v4_ok, bool *have_v4);

/* The server's handshake in the shape of the proxy's (borrows f's strings). */
void diag_server_handshake(const struct diag_facts *f, struct diag_handshake *h);

/* True when the handshake h worked but Go would refuse the certificate
 * (the same checks for the server and an https:// proxy, both skipped by
 * skipTLSVerify, as Go uses one TLS configuration for both). */
bool diag_checks_fail(const struct diag_facts *f, const struct diag_handshake *h);

/* diag_checks_fail() of the server's handshake. */
bool diag_tls_checks_fail(const struct diag_facts *f);

/* True when Go would refuse the certificate of the https:// proxy. */
bool diag_proxy_checks_fail(const struct diag_facts *f);

/* True when the proxy asked for credentials (407, 401) and offers only
 * schemes Go's transport cannot answer: it sends Basic alone, and only
 * from the proxy URL's userinfo (NTLM, Negotiate, Digest need a
 * handshake it has no code for). */
bool diag_proxy_auth_unsupported(const struct diag_facts *f);

/* True when the TLS handshake with an https:// proxy did not complete. */
bool diag_proxy_handshake_failed(const struct diag_facts *f);

/* True when cert-manager would trust the Issuer's status (Ready, the
 * account on the server's host, the same e-mail and key) and send no
 * request at all: cm_skips_registration() of the facts. */
bool diag_cm_skips(const struct diag_facts *f);

/* "localhost, 127.0.0.1" or "no names (no subjectAltName)". Caller frees. */
char *diag_san_list(const struct diag_handshake *h);

/*
 * The report, built by diag_conclude() in this order.
 */

/* The verdict and the step it comes from (*step; DIAG_NSTEPS for ok).
 * with_hijack false ignores the search-domain analysis, to find what
 * cert-manager sees. Static string. */
enum diag_verdict diag_decide(const struct diag_facts *f, bool with_hijack, enum diag_step *step);

/* Fills r->steps, one line per step; needs r->failed and r->cm_version. */
void diag_lines(const struct diag_facts *f, struct diag_report *r);

/* Go 1.18's error (`Get "URL": remote error: tls: ...`) for the handshake
 * of f->tls_go118, NULL when it worked or was not made. Caller frees. */
char *diag_go118_error(const struct diag_facts *f);

/* Go's error for the failed handshake h, lowest the oldest TLS version it
 * offered (server: net/http checks the server's answer for HTTP, not the
 * proxy's). Caller frees. */
char *diag_go_handshake_error(const struct diag_handshake *h, bool server, int lowest);

/* Fills out with what cert-manager would show for verdict at step
 * (release with cm_view_free()). */
void diag_cm_view(const struct diag_facts *f, enum diag_verdict verdict, enum diag_step step,
    struct cm_view *out);

/* Adds the findings to r. */
void diag_find(const struct diag_facts *f, struct diag_report *r);

/* Adds the advice for r's verdict and findings to r. */
void diag_advise(const struct diag_facts *f, struct diag_report *r);

/* dns_slow.c: why Go's lookup waits (f->dns_go with waits): the cause,
 * the queries waited out and what that costs of cert-manager's bound.
 * Caller frees. */
char *diag_dns_slow_why(const struct diag_facts *f);

#define DIAG_DNS_FIXES_MAX 3

/* Why a trailing dot in spec.acme.server ("HOST.", never asked through the
 * search list) is no sure fix: Go accepts it (in TLS and in the Host
 * header), but the later requests go to the URLs the CA lists, which carry
 * the dot only when the CA builds them from the Host header (Pebble does). */
#define DIAG_TRAILING_DOT_CAVEAT "a trailing dot in spec.acme.server (HOST.) helps only " \
	"if the CA lists its URLs with the dot too: Pebble builds them from the Host " \
	"header, a CA with fixed URLs sends newNonce and newAccount through the search " \
	"list again; check the directory (curl https://HOST./...) before relying on it"

/* What removes the wait, most direct first, into out; returns how many
 * (the caller frees each). */
size_t diag_dns_slow_fixes(const struct diag_facts *f, char *out[DIAG_DNS_FIXES_MAX]);

/*
 * probe.c and probe_tls.c: a connection is a socket, TLS over it, or TLS
 * inside that TLS (an https:// proxy's tunnel). Every layer waits on the one
 * socket at the bottom.
 */

struct probe_conn {
	SSL *ssl;                 /* NULL for the plain socket */
	struct probe_conn *under; /* what ssl runs over (owned); NULL: the socket */
	int fd;                   /* the socket; closed by the bottom layer only */
};

/* Waits for what an I/O call on c that returned rc needs: for a socket, rc
 * -1 with EAGAIN (then plain_events); for TLS, what SSL_get_error() asks
 * for. 1 ready, 0 at the deadline, -1 when the call failed for good. */
int probe_conn_wait(struct probe_conn *c, short plain_events, int rc, long long deadline);

/* The most a status line and headers may take. */
#define PROBE_HEAD_MAX (64 * 1024)

/* Milliseconds left until deadline (mono_ms()), never negative. */
int probe_ms_left(long long deadline);

/* Waits until fd is ready for events or deadline passes. 1 ready, 0 at
 * the deadline, -1 on a poll error. */
int probe_wait_fd(int fd, short events, long long deadline);

/* Writes all len bytes of buf over c. 1 done, 0 at the deadline, -1 when
 * the connection broke. */
int probe_conn_write(struct probe_conn *c, const char *buf, size_t len, long long deadline);

/* Reads up to len bytes over c. Returns how many, 0 at the end of the
 * stream or when the connection broke, -1 at the deadline. */
ssize_t probe_conn_read(struct probe_conn *c, char *buf, size_t len, long long deadline);

/* Parses "HTTP/1.x NNN reason" (len bytes, no line end) into *code and a
 * new *reason (NULL when empty; caller frees). False when line is not a
 * status line. */
bool probe_status_line(const char *line, size_t len, int *code, char **reason);

/*
 * The network half. A run owns everything the facts borrow.
 */

struct run {
	const struct diagnose_opts *cfg;
	struct diag_facts f;
	struct cm_deadlines dl;
	char **kept;                 /* strings the facts borrow */
	size_t nkept;
	struct k8s_issuer *iss;
	EVP_PKEY *key;
	bool key_for_cm;             /* the key is cert-manager's (--secret, --account-key) */
	struct proxy_settings ps;
	struct proxy_route route;
	struct proxy_warning *warnings;
	size_t nwarnings;
	char *proxy_credentials;     /* "user:pass", decoded; wiped */
	struct resolv_conf rconf;
	bool rconf_loaded;
	struct podview pv;           /* --pid: the process whose view this is */
	struct probe_tls_ctx *tls_ctx;
	char *host;                  /* the server URL's host (no brackets), port, path */
	int port;
	char *authority;             /* its Host header: host[:port] as written */
	char *path;
	struct probe_addr *addrs;    /* the server's or the proxy's */
	size_t naddrs;
	struct diag_conn *conns;
	struct probe_addr peer;      /* the address that connected */
	struct probe_conn *below;    /* what the server's TLS runs over: the socket, or the proxy's tunnel */
	struct probe_tls proxy_tls;  /* the handshake with the proxy (or the scheme check's) */
	struct probe_tls tls;
	struct probe_tls tls_go118;  /* the handshake of Go 1.18 and later, when
	                              * the server chose TLS 1.0 or 1.1 */
	struct probe_conn *conn;
	char *conn_authority;        /* what conn is connected to */
	char *nonce;
	json_t *dir;
	unsigned char *eab_key;      /* the EAB MAC key as cert-manager decodes it; wiped */
	size_t eab_key_len;
	int nonce_retries;           /* badNonce retries of the account requests */
};

/* Keeps s until the run ends and returns it (NULL for NULL). */
const char *diag_keep(struct run *r, char *s);

/* The absolute deadline (mono_ms()) of step: --timeout, or what is left of
 * cert-manager's sync deadline when that is less (*sync_limited). */
long long diag_step_deadline(struct run *r, enum diag_step step, bool *sync_limited);

/* Splits an https:// URL into host (brackets removed), port (443 by
 * default), authority (host[:port] as written) and path ("/" when none);
 * the caller frees the three strings. False, with nothing to free, when
 * url is not https:// with a usable host and port. */
bool diag_split_url(const char *url, char **host, int *port, char **authority, char **path);

/* Copies what the handshake t showed into h, which borrows t's strings
 * (keep t while h is used). */
void diag_handshake_record(const struct probe_tls *t, struct diag_handshake *h);

/* The steps after route, each recording into r->f what it observed. The
 * bool ones return whether the next step can run. */
void diag_step_dns(struct run *r);
bool diag_step_tcp(struct run *r);
bool diag_step_proxy(struct run *r);
bool diag_step_tls(struct run *r);
bool diag_step_http(struct run *r);
bool diag_step_nonce(struct run *r);
void diag_step_account(struct run *r);

#endif
