/* test_certmanager.c - the cert-manager model: versions and what follows from
 * them, the Ready condition and events, Go's error wording, URL hosts and the
 * account key hash, each over one table. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "certmanager.h"
#include "err.h"
#include "test.h"
#include "util.h"

#define S10 10000L
#define M2 120000L
#define DIR "https://acme-v02.api.letsencrypt.org/directory"

static const struct {
	const char *in;
	const char *canonical; /* NULL: parse fails */
	long sync_ms, client_ms;
	bool old_wording;      /* "Failed to verify ACME account" */
	bool http_proxy;       /* https falls back to HTTP_PROXY */
	bool tls_wrap;         /* "tls: failed to verify certificate: " */
} version_rows[] = {
	{ "v1.0.4", "v1.0.4", S10, 30000, true, true, false },
	{ "v1.1.0", "v1.1.0", S10, 30000, true, true, false },
	{ "1.1.1", "v1.1.1", S10, 30000, true, true, false },
	{ "v1.2.0", "v1.2.0", S10, 30000, true, true, false },
	{ "v1.3.0", "v1.3.0", S10, 30000, true, false, false },
	{ "v1.3.3", "v1.3.3", S10, 30000, true, false, false },
	{ "v1.4.0", "v1.4.0", S10, 30000, false, false, false },
	{ "v1.5.5", "v1.5.5", S10, 30000, false, false, false },
	{ "v1.6.3", "v1.6.3", S10, 30000, false, false, false },
	{ "v1.7.0", "v1.7.0", S10, 30000, false, false, false },
	{ "v1.7.2", "v1.7.2", S10, 30000, false, false, false },
	{ "v1.7.3", "v1.7.3", M2, 90000, false, false, false },
	{ "v1.8.0", "v1.8.0", S10, 30000, false, false, false },
	{ "1.8", "v1.8.0", S10, 30000, false, false, false },
	{ "v1.8.1", "v1.8.1", S10, 30000, false, false, false },
	{ "v1.8.2", "v1.8.2", M2, 90000, false, false, false },
	{ "v1.9", "v1.9.0", M2, 90000, false, false, false },
	{ "v1.9.0", "v1.9.0", M2, 90000, false, false, false },
	{ "1.9.1", "v1.9.1", M2, 90000, false, false, false },
	{ "v1.10.2", "v1.10.2", M2, 90000, false, false, false },
	{ "v1.11.0", "v1.11.0", M2, 90000, false, false, false },
	{ "v1.12.0", "v1.12.0", M2, 90000, false, false, true },
	{ "v1.13.3", "v1.13.3", M2, 90000, false, false, true },
	{ "v1.14.5", "v1.14.5", M2, 90000, false, false, true },
	{ "v1.15.1", "v1.15.1", M2, 90000, false, false, true },
	{ "v1.16.0", "v1.16.0", M2, 90000, false, false, true },
	{ NULL, "v1.21.1", M2, 90000, false, false, true },
	{ "V1.16.2", "v1.16.2", M2, 90000, false, false, true },
	{ "v1.19.0", "v1.19.0", M2, 90000, false, false, true },
	{ "v1.20.3", "v1.20.3", M2, 90000, false, false, true },
	{ "v1.21.0", "v1.21.0", M2, 90000, false, false, true },
	{ "v1.21.1", "v1.21.1", M2, 90000, false, false, true },
	{ "01.08.02", "v1.8.2", M2, 90000, false, false, false },

	{ "", NULL, 0, 0, false, false, false },
	{ "v", NULL, 0, 0, false, false, false },
	{ "1", NULL, 0, 0, false, false, false },
	{ "v1", NULL, 0, 0, false, false, false },
	{ "1.", NULL, 0, 0, false, false, false },
	{ "1.x", NULL, 0, 0, false, false, false },
	{ "1.8.", NULL, 0, 0, false, false, false },
	{ "v1.8.2-beta.1", NULL, 0, 0, false, false, false },
	{ "1.8.2.3", NULL, 0, 0, false, false, false },
	{ " 1.8.2", NULL, 0, 0, false, false, false },
	{ "1.99999", NULL, 0, 0, false, false, false },
	{ "vv1.8.2", NULL, 0, 0, false, false, false },
	{ "latest", NULL, 0, 0, false, false, false },
	{ "v0.16.1", NULL, 0, 0, false, false, false },
};

/* Versions that were never released: the error names the nearest releases. */
static const struct {
	const char *in;
	const char *nearest;   /* a part of the message */
} unreleased_rows[] = {
	{ "v1.7.4", "the nearest releases are v1.7.3 and v1.8.0" },
	{ "1.8.10", "the nearest releases are v1.8.2 and v1.9.0" },
	{ "v1.8.3", "the nearest releases are v1.8.2 and v1.9.0" },
	{ "v1.2.1", "the nearest releases are v1.2.0 and v1.3.0" },
	{ "v1.0.5", "the nearest releases are v1.0.4 and v1.1.0" },
	{ "v1.12.18", "the nearest releases are v1.12.17 and v1.13.0" },
	{ "v1.21.2", "the newest release acmectl knows is v1.21.1" },
	{ "v1.22.0", "the newest release acmectl knows is v1.21.1" },
	{ "v1.42.0", "the newest release acmectl knows is v1.21.1" },
	{ "v2.0.0", "the newest release acmectl knows is v1.21.1" },
};

/* Every release tag of cert-manager v1 (git tag -l 'v1.*', without
 * pre-releases), written out apart from the model's table. */
static const char all_tags[] =
	"v1.0.0 v1.0.1 v1.0.2 v1.0.3 v1.0.4 v1.1.0 v1.1.1 v1.2.0 v1.3.0 v1.3.1 v1.3.2 "
	"v1.3.3 v1.4.0 v1.4.1 v1.4.2 v1.4.3 v1.4.4 v1.5.0 v1.5.1 v1.5.2 v1.5.3 v1.5.4 "
	"v1.5.5 v1.6.0 v1.6.1 v1.6.2 v1.6.3 v1.7.0 v1.7.1 v1.7.2 v1.7.3 v1.8.0 v1.8.1 "
	"v1.8.2 v1.9.0 v1.9.1 v1.9.2 v1.10.0 v1.10.1 v1.10.2 v1.11.0 v1.11.1 v1.11.2 "
	"v1.11.3 v1.11.4 v1.11.5 v1.12.0 v1.12.1 v1.12.2 v1.12.3 v1.12.4 v1.12.5 "
	"v1.12.6 v1.12.7 v1.12.8 v1.12.9 v1.12.10 v1.12.11 v1.12.12 v1.12.13 v1.12.14 "
	"v1.12.15 v1.12.16 v1.12.17 v1.13.0 v1.13.1 v1.13.2 v1.13.3 v1.13.4 v1.13.5 "
	"v1.13.6 v1.14.0 v1.14.1 v1.14.2 v1.14.3 v1.14.4 v1.14.5 v1.14.6 v1.14.7 "
	"v1.15.0 v1.15.1 v1.15.2 v1.15.3 v1.15.4 v1.15.5 v1.16.0 v1.16.1 v1.16.2 "
	"v1.16.3 v1.16.4 v1.16.5 v1.17.0 v1.17.1 v1.17.2 v1.17.3 v1.17.4 v1.18.0 "
	"v1.18.1 v1.18.2 v1.18.3 v1.18.4 v1.18.5 v1.18.6 v1.19.0 v1.19.1 v1.19.2 "
	"v1.19.3 v1.19.4 v1.19.5 v1.19.6 v1.20.0 v1.20.1 v1.20.2 v1.20.3 v1.21.0 "
	"v1.21.1";

static const struct {
	const char *a, *b;
	int sign;
} cmp_rows[] = {
	{ "v1.8.2", "1.8.2", 0 },
	{ "1.9", "v1.9.0", 0 },
	{ "v1.7.3", "v1.8.0", -1 },
	{ "v1.12.10", "v1.12.9", 1 },
	{ "v1.10.0", "v1.9.2", 1 },
	{ "v1.21.1", "v1.9.2", 1 },
	{ "v1.1.0", "v1.1.1", -1 },
	{ NULL, "v1.21.1", 0 },
};

static const struct {
	const char *version;
	const char *err;
	bool acme_4xx;
	const char *message;
	bool requeue;
	size_t nevents;
	const char *ev_reason[2];
	const char *ev_message[2];
} view_rows[] = {
	{ "v1.1.0", CM_ERR_DEADLINE, false,
	  "Failed to verify ACME account: context deadline exceeded", true, 2,
	  { "ErrVerifyACMEAccount", "ErrInitIssuer" },
	  { "Failed to verify ACME account: context deadline exceeded",
	    "Error initializing issuer: context deadline exceeded" } },
	{ "v1.3.1", "Get \"" DIR "\": dial tcp 172.65.32.248:443: connect: connection refused",
	  false,
	  "Failed to verify ACME account: Get \"" DIR "\": dial tcp 172.65.32.248:443: "
	  "connect: connection refused", true, 2,
	  { "ErrVerifyACMEAccount", "ErrInitIssuer" },
	  { "Failed to verify ACME account: Get \"" DIR "\": dial tcp 172.65.32.248:443: "
	    "connect: connection refused",
	    "Error initializing issuer: Get \"" DIR "\": dial tcp 172.65.32.248:443: "
	    "connect: connection refused" } },
	{ "v1.2.0", "400 urn:ietf:params:acme:error:malformed: bad contact", true,
	  "Failed to verify ACME account: 400 urn:ietf:params:acme:error:malformed: "
	  "bad contact", false, 1,
	  { "ErrVerifyACMEAccount", NULL },
	  { "Failed to verify ACME account: 400 urn:ietf:params:acme:error:malformed: "
	    "bad contact", NULL } },
	{ "v1.4.0", CM_ERR_DEADLINE, false,
	  "Failed to register ACME account: context deadline exceeded", true, 1,
	  { "ErrInitIssuer", NULL },
	  { "Error initializing issuer: context deadline exceeded", NULL } },
	{ "v1.16.0", "x509: certificate signed by unknown authority", false,
	  "Failed to register ACME account: x509: certificate signed by unknown authority",
	  true, 1, { "ErrInitIssuer", NULL },
	  { "Error initializing issuer: x509: certificate signed by unknown authority",
	    NULL } },
	{ "v1.9.0", "403 urn:ietf:params:acme:error:unauthorized: eab required", true,
	  "Failed to register ACME account: 403 urn:ietf:params:acme:error:unauthorized: "
	  "eab required", false, 0, { NULL, NULL }, { NULL, NULL } },
};

enum go_err {
	E_URL, E_REFUSED, E_DIAL_TIMEOUT, E_NXDOMAIN, E_SERVFAIL, E_DNS_TIMEOUT,
	E_X509_NAME, E_UNKNOWN_CA, E_TLS_TIMEOUT, E_CLIENT_TIMEOUT, E_PROXYCONNECT,
	E_PROXY_STATUS, E_TLS_ALERT, E_TLS_VERSION,
};

static const struct {
	enum go_err kind;
	const char *version;
	const char *a, *b;   /* method+url, ip, host+server, names, reason... */
	int port;
	const char *want;
} goerr_rows[] = {
	{ E_URL, NULL, "GET", DIR, 0, "Get \"" DIR "\": x" },
	{ E_URL, NULL, "head", "https://acme.example/nonce", 0,
	  "Head \"https://acme.example/nonce\": x" },
	{ E_URL, NULL, "POST", "https://acme.example/new-acct", 0,
	  "Post \"https://acme.example/new-acct\": x" },
	{ E_REFUSED, NULL, "172.65.32.248", NULL, 443,
	  "dial tcp 172.65.32.248:443: connect: connection refused" },
	{ E_REFUSED, NULL, "2606:4700:60:0:f53d:5624:85c7:3a2c", NULL, 443,
	  "dial tcp [2606:4700:60:0:f53d:5624:85c7:3a2c]:443: connect: connection refused" },
	{ E_DIAL_TIMEOUT, NULL, "10.0.0.99", NULL, 14000,
	  "dial tcp 10.0.0.99:14000: i/o timeout" },
	{ E_NXDOMAIN, NULL, "acme.example", "10.96.0.10", 0,
	  "dial tcp: lookup acme.example on 10.96.0.10:53: no such host" },
	{ E_NXDOMAIN, NULL, "acme.example", "fd00::a", 0,
	  "dial tcp: lookup acme.example on [fd00::a]:53: no such host" },
	{ E_NXDOMAIN, NULL, "acme.example", NULL, 0,
	  "dial tcp: lookup acme.example: no such host" },
	{ E_SERVFAIL, NULL, "acme.example", "10.96.0.10", 0,
	  "dial tcp: lookup acme.example on 10.96.0.10:53: server misbehaving" },
	{ E_DNS_TIMEOUT, NULL, "acme.example", "10.96.0.10", 0,
	  "dial tcp: lookup acme.example on 10.96.0.10:53: i/o timeout" },
	{ E_X509_NAME, "v1.8.2", "ingress.local", "acme-v02.api.letsencrypt.org", 0,
	  "x509: certificate is valid for ingress.local, not acme-v02.api.letsencrypt.org" },
	{ E_X509_NAME, "v1.11.0", "a.example b.example", "acme.example", 0,
	  "x509: certificate is valid for a.example, b.example, not acme.example" },
	{ E_X509_NAME, "v1.12.0", "ingress.local", "acme.example", 0,
	  "tls: failed to verify certificate: x509: certificate is valid for "
	  "ingress.local, not acme.example" },
	{ E_X509_NAME, "v1.1.0", "", "acme.example", 0,
	  "x509: certificate is not valid for any names, but wanted to match acme.example" },
	{ E_UNKNOWN_CA, "v1.1.0", NULL, NULL, 0,
	  "x509: certificate signed by unknown authority" },
	{ E_UNKNOWN_CA, "v1.16.0", NULL, NULL, 0,
	  "tls: failed to verify certificate: x509: certificate signed by unknown authority" },
	{ E_TLS_TIMEOUT, NULL, NULL, NULL, 0, "net/http: TLS handshake timeout" },
	{ E_CLIENT_TIMEOUT, NULL, NULL, NULL, 0,
	  "context deadline exceeded (Client.Timeout exceeded while awaiting headers)" },
	{ E_PROXYCONNECT, NULL, "10.0.0.3", NULL, 3128,
	  "proxyconnect tcp: dial tcp 10.0.0.3:3128: connect: connection refused" },
	{ E_PROXY_STATUS, NULL, "Proxy Authentication Required", NULL, 0,
	  "Proxy Authentication Required" },
	{ E_PROXY_STATUS, NULL, "Service Unavailable", NULL, 0, "Service Unavailable" },
	{ E_PROXY_STATUS, NULL, NULL, NULL, 0, "unknown status code" },
	/* the port column holds the alert or the version */
	{ E_TLS_ALERT, NULL, NULL, NULL, 70, "remote error: tls: protocol version not supported" },
	{ E_TLS_ALERT, NULL, NULL, NULL, 40, "remote error: tls: handshake failure" },
	{ E_TLS_ALERT, NULL, NULL, NULL, 112, "remote error: tls: unrecognized name" },
	{ E_TLS_ALERT, NULL, NULL, NULL, 200, "remote error: tls: alert(200)" },
	{ E_TLS_VERSION, NULL, NULL, NULL, 0x0301,
	  "tls: server selected unsupported protocol version 301" },
};

/* Go's x509.HostnameError: names are space-separated. */
static const struct {
	const char *version;
	const char *dns, *ips;
	bool has_san;
	const char *cn, *host;
	const char *want;
} hostname_rows[] = {
	{ "v1.21.1", "", "", false, "acme.test", "acme.test",
	  "tls: failed to verify certificate: x509: certificate relies on legacy Common "
	  "Name field, use SANs instead" },
	{ "v1.6.0", "", "", false, "ACME.test", "acme.test",
	  "x509: certificate relies on legacy Common Name field, use SANs instead" },
	{ "v1.5.5", "", "", false, "*.example", "acme.example",
	  "x509: certificate relies on legacy Common Name field, use SANs or temporarily "
	  "enable Common Name matching with GODEBUG=x509ignoreCN=0" },
	{ "v1.1.0", "", "", false, "other.test", "acme.test",
	  "x509: certificate is not valid for any names, but wanted to match acme.test" },
	{ "v1.11.0", "other.test", "", true, "acme.test", "acme.test",
	  "x509: certificate is valid for other.test, not acme.test" },
	{ "v1.11.0", "acme.test", "", true, NULL, "10.0.0.5",
	  "x509: cannot validate certificate for 10.0.0.5 because it doesn't contain any "
	  "IP SANs" },
	{ "v1.12.0", "acme.test", "10.0.0.6 127.0.0.1", true, NULL, "10.0.0.5",
	  "tls: failed to verify certificate: x509: certificate is valid for 10.0.0.6, "
	  "127.0.0.1, not 10.0.0.5" },
	{ "v1.12.0", "", "", false, "10.0.0.5", "10.0.0.5",
	  "tls: failed to verify certificate: x509: certificate relies on legacy Common "
	  "Name field, use SANs instead" },
	{ "v1.9.0", "", "", false, "*.example", "a.b.example",
	  "x509: certificate is not valid for any names, but wanted to match a.b.example" },
};

/* 2026-12-04T15:00:00Z and around it */
#define NOW 1796396400LL
static const struct {
	const char *version;
	long long now, not_before, not_after;
	const char *want;
} expired_rows[] = {
	{ "v1.11.0", NOW, NOW - 86400 * 90, NOW - 86400,
	  "x509: certificate has expired or is not yet valid: current time "
	  "2026-12-04T15:00:00Z is after 2026-12-03T15:00:00Z" },
	{ "v1.21.1", NOW, NOW + 3600, NOW + 86400,
	  "tls: failed to verify certificate: x509: certificate has expired or is not yet "
	  "valid: current time 2026-12-04T15:00:00Z is before 2026-12-04T16:00:00Z" },
	{ "v1.11.0", NOW, NOW - 3600, NOW + 3600,
	  "x509: certificate has expired or is not yet valid" },
	{ "v1.11.0", NOW, 0, 0, "x509: certificate has expired or is not yet valid" },
	{ "v1.11.0", 0, NOW - 7200, NOW - 3600,
	  "x509: certificate has expired or is not yet valid" },
};

/* Go's ACME client's *acme.Error for an unwanted HTTP status. */
static const struct {
	int status;
	const char *status_text, *body;
	const char *want;
} acme_status_rows[] = {
	{ 404, "404 Not Found", "404 page not found\n", "404 : 404 page not found\n" },
	{ 405, "405 Method Not Allowed", "", "405 : 405 Method Not Allowed" },
	{ 503, "503 Service Unavailable", "{\"type\":\"urn:ietf:params:acme:error:"
	  "serverInternal\",\"detail\":\"maintenance\"}",
	  "503 urn:ietf:params:acme:error:serverInternal: maintenance" },
	{ 400, "400 Bad Request", "{}", "400 : " },
	{ 502, NULL, "", "502 : " },
	{ 403, "403 Forbidden", "<html>\n<body>denied</body>\n</html>",
	  "403 : <html>\n<body>denied</body>\n</html>" },
	{ 500, "500 Internal Server Error", "[1]", "500 : [1]" },
};

/* Key data cert-manager cannot read: NULL want means a known block type. */
static const struct {
	const char *version, *data, *want;
} keydata_rows[] = {
	{ "v1.21.1", "not a key", "error decoding private key PEM block: no PEM data was "
	  "found in given input" },
	{ "v1.18.3", "", "error decoding private key PEM block: no PEM data was found in "
	  "given input" },
	{ "v1.18.2", "not a key", "error decoding private key PEM block" },
	{ "v1.0.0", "-----BEGIN RSA PRIVATE KEY", "error decoding private key PEM block" },
	{ "v1.21.1", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIC\n-----END ENCRYPTED "
	  "PRIVATE KEY-----\n", "unknown private key type: ENCRYPTED PRIVATE KEY" },
	{ "v1.12.0", "junk\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbg==\n",
	  "unknown private key type: OPENSSH PRIVATE KEY" },
	{ "v1.21.1", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n", NULL },
	{ "v1.21.1", "-----BEGIN PRIVATE KEY-----\nMC4C\n", NULL },
	{ "v1.21.1", "-----BEGIN EC PRIVATE KEY-----\nMHcC\n", NULL },
};

/* The skip path: when cert-manager sends no request at all. */
#define SRV "https://acme.example/dir"
#define URI "https://acme.example/acct/1"
static const struct {
	const char *version;
	struct cm_issuer_state st;
	bool skips;
} skip_rows[] = {
	{ "v1.0.0", { SRV, "a@example", true, URI, "a@example", false }, true },
	{ "v1.11.5", { SRV, "a@example", true, URI, "a@example", false }, true },
	{ "v1.12.0", { SRV, "a@example", true, URI, "a@example", false }, false },
	{ "v1.12.0", { SRV, "a@example", true, URI, "a@example", true }, true },
	{ "v1.21.1", { SRV, "a@example", true, URI, "a@example", true }, true },
	{ "v1.21.1", { SRV, "a@example", false, URI, "a@example", true }, false },
	{ "v1.21.1", { SRV, "a@example", true, "", "a@example", true }, false },
	{ "v1.21.1", { SRV, "a@example", true, NULL, "a@example", true }, false },
	{ "v1.21.1", { SRV, "A@example", true, URI, "a@example", true }, false },
	{ "v1.21.1", { SRV, NULL, true, URI, NULL, true }, true },
	{ "v1.21.1", { SRV, NULL, true, URI, "a@example", true }, false },
	{ "v1.21.1", { SRV, "a@example", true, "https://acme.example:443/acct/1", "a@example",
	  true }, false },
	{ "v1.21.1", { SRV, "a@example", true, "https://ACME.example/acct/1", "a@example",
	  true }, false },
	{ "v1.21.1", { SRV, "a@example", true, "https://u@acme.example/acct/1", "a@example",
	  true }, true },
};

static const struct {
	const char *url;
	const char *host;
} host_rows[] = {
	{ DIR, "acme-v02.api.letsencrypt.org" },
	{ "https://acme-v02.api.letsencrypt.org/acme/acct/123", "acme-v02.api.letsencrypt.org" },
	{ "https://pebble:14000/dir", "pebble:14000" },
	{ "https://user:pw@acme.example/dir", "acme.example" },
	{ "https://[2001:db8::1]:14000/dir", "[2001:db8::1]:14000" },
	{ "https://ACME.Example/dir", "ACME.Example" },
	{ "https://acme.example?x=1", "acme.example" },
	{ "https://acme.example#frag", "acme.example" },
	{ "https://acme.example", "acme.example" },
	{ "", "" },
	{ NULL, "" },
	{ "acme.example/dir", "" },
	{ "//acme.example/dir", "acme.example" },
	{ "https:acme.example", "" },
};

static const struct {
	const char *server, *uri;
	bool differ;
} differ_rows[] = {
	{ DIR, "https://acme-v02.api.letsencrypt.org/acme/acct/1", false },
	{ DIR, "https://acme-staging-v02.api.letsencrypt.org/acme/acct/1", true },
	{ DIR, "", true },
	{ DIR, NULL, true },
	{ "https://pebble:14000/dir", "https://pebble:14000/my-account/1", false },
	{ "https://pebble:14000/dir", "https://pebble/my-account/1", true },
	{ "https://pebble-a:14000/dir", "https://pebble-b:14000/my-account/1", true },
	{ "https://Pebble:14000/dir", "https://pebble:14000/my-account/1", true },
};

static const struct {
	const char *server;
	const char *v2; /* NULL: not a v1 URL */
} v1_rows[] = {
	{ "https://acme-v01.api.letsencrypt.org/directory", DIR },
	{ "https://acme-v01.api.letsencrypt.org/directory/", DIR },
	{ "https://acme-staging.api.letsencrypt.org/directory",
	  "https://acme-staging-v02.api.letsencrypt.org/directory" },
	{ "https://acme-staging.api.letsencrypt.org/directory/",
	  "https://acme-staging-v02.api.letsencrypt.org/directory" },
	{ DIR, NULL },
	{ "https://acme-v01.api.letsencrypt.org/dir", NULL },
	{ NULL, NULL },
};

static const struct {
	const char *file;
	const char *hash; /* NULL: not RSA */
} hash_rows[] = {
	/* openssl rsa -traditional -outform DER | openssl dgst -sha256 -binary | base64 */
	{ "account-rsa.pem", "2xxf6RtMozNZv24um/HhLdqdXZ78tlyECiFxYQZ/ciQ=" },
	{ "account-rsa-pkcs8.pem", "2xxf6RtMozNZv24um/HhLdqdXZ78tlyECiFxYQZ/ciQ=" },
	{ "account-ec.pem", NULL },
};

static void test_versions(void)
{
	for (size_t i = 0; i < nitems(version_rows); i++) {
		struct cm_version v;
		struct cm_deadlines d;
		struct cm_view view;
		char ctx[48], *s;
		int rc;

		snprintf(ctx, sizeof(ctx), "version row %zu (%s)", i,
		    version_rows[i].in ? version_rows[i].in : "NULL");
		rc = cm_version_parse(version_rows[i].in, &v);
		if (version_rows[i].canonical == NULL) {
			CHECK_INT(rc, -1, ctx);
			CHECK_INT(err_kind(), ERR_USAGE, ctx);
			CHECK(strstr(err_message(), version_rows[i].in) != NULL,
			    "%s: message names the value: %s", ctx, err_message());
			err_clear();
			continue;
		}
		CHECK_INT(rc, 0, ctx);
		if (rc != 0)
			continue;
		s = cm_version_string(&v);
		CHECK_STR(s, version_rows[i].canonical, ctx);
		free(s);
		cm_deadlines(&v, &d);
		CHECK_INT(d.sync_ms, version_rows[i].sync_ms, ctx);
		CHECK_INT(d.http_client_ms, version_rows[i].client_ms, ctx);
		CHECK_INT(d.dial_ms, 30000, ctx);
		CHECK_INT(d.tls_handshake_ms, 10000, ctx);
		CHECK_INT(cm_short_deadline(&v), version_rows[i].sync_ms == S10, ctx);
		CHECK_INT(cm_https_uses_http_proxy(&v), version_rows[i].http_proxy, ctx);
		CHECK_INT(cm_wraps_tls_verify_errors(&v), version_rows[i].tls_wrap, ctx);
		cm_view_register_failed(&v, "boom", false, &view);
		CHECK_STR(view.message, version_rows[i].old_wording ?
		    "Failed to verify ACME account: boom" :
		    "Failed to register ACME account: boom", ctx);
		CHECK_STR(view.reason, "ErrRegisterACMEAccount", ctx);
		CHECK_STR(view.status, "False", ctx);
		cm_view_free(&view);
	}
}

static void test_unreleased(void)
{
	struct cm_version v;

	for (size_t i = 0; i < nitems(unreleased_rows); i++) {
		CHECK_INT(cm_version_parse(unreleased_rows[i].in, &v), -1, unreleased_rows[i].in);
		CHECK_INT(err_kind(), ERR_USAGE, unreleased_rows[i].in);
		CHECK(strstr(err_message(), unreleased_rows[i].in) != NULL &&
		    strstr(err_message(), unreleased_rows[i].nearest) != NULL,
		    "%s: the message names it and \"%s\": %s", unreleased_rows[i].in,
		    unreleased_rows[i].nearest, err_message());
		err_clear();
	}
}

/* Each tag is accepted as itself; the patch after each minor's last tag,
 * and nothing else in between, is refused. */
static void test_every_tag(void)
{
	char *tags = xstrdup(all_tags), *save = NULL, *s, next[32];
	struct cm_version v, prev = { 0, 0, 0 };
	size_t n = 0;

	for (char *t = strtok_r(tags, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save)) {
		n++;
		if (cm_version_parse(t, &v) != 0) {
			CHECK(false, "the release %s is refused: %s", t, err_message());
			err_clear();
			continue;
		}
		s = cm_version_string(&v);
		CHECK_STR(s, t, "a tag round-trips");
		free(s);
		if (n > 1 && v.minor != prev.minor) {
			snprintf(next, sizeof(next), "v1.%d.%d", prev.minor, prev.patch + 1);
			CHECK_INT(cm_version_parse(next, &v), -1, next);
			err_clear();
		}
		CHECK(n == 1 || v.minor != prev.minor || v.patch == prev.patch + 1,
		    "tags of v1.%d are consecutive (%s)", v.minor, t);
		prev = v;
	}
	CHECK_INT(n, 116, "116 release tags");
	free(tags);
}

/* Which releases' Go offers TLS 1.0 and 1.1: Go 1.17 is the last (v1.8.x,
 * its backports included); v1.9.0 came with Go 1.18. */
static void test_tls_versions(void)
{
	static const struct {
		const char *version;
		bool offers;
	} rows[] = {
		{ "v1.0.0", true }, { "v1.8.0", true }, { "v1.8.2", true },
		{ "v1.9.0", false }, { "v1.21.1", false },
	};
	struct cm_version v;

	for (size_t i = 0; i < nitems(rows); i++) {
		CHECK_INT(cm_version_parse(rows[i].version, &v), 0, rows[i].version);
		CHECK_INT(cm_offers_tls10(&v), rows[i].offers, rows[i].version);
	}
}

static void test_compare(void)
{
	for (size_t i = 0; i < nitems(cmp_rows); i++) {
		struct cm_version a, b;
		char ctx[32];
		int got;

		snprintf(ctx, sizeof(ctx), "compare row %zu", i);
		CHECK_INT(cm_version_parse(cmp_rows[i].a, &a), 0, ctx);
		CHECK_INT(cm_version_parse(cmp_rows[i].b, &b), 0, ctx);
		got = cm_version_cmp(&a, &b);
		CHECK_INT(got > 0 ? 1 : got < 0 ? -1 : 0, cmp_rows[i].sign, ctx);
		got = cm_version_cmp(&b, &a);
		CHECK_INT(got > 0 ? 1 : got < 0 ? -1 : 0, -cmp_rows[i].sign, ctx);
	}
}

static void test_views(void)
{
	struct cm_version v;
	struct cm_view view;

	for (size_t i = 0; i < nitems(view_rows); i++) {
		char ctx[32];

		snprintf(ctx, sizeof(ctx), "view row %zu", i);
		CHECK_INT(cm_version_parse(view_rows[i].version, &v), 0, ctx);
		cm_view_register_failed(&v, view_rows[i].err, view_rows[i].acme_4xx, &view);
		CHECK_STR(view.status, "False", ctx);
		CHECK_STR(view.reason, "ErrRegisterACMEAccount", ctx);
		CHECK_STR(view.message, view_rows[i].message, ctx);
		CHECK_INT(view.requeue, view_rows[i].requeue, ctx);
		CHECK_INT(view.nevents, view_rows[i].nevents, ctx);
		for (size_t j = 0; j < view.nevents && j < 2; j++) {
			CHECK_STR(view.events[j].type, "Warning", ctx);
			CHECK_STR(view.events[j].reason, view_rows[i].ev_reason[j], ctx);
			CHECK_STR(view.events[j].message, view_rows[i].ev_message[j], ctx);
		}
		cm_view_free(&view);
	}

	CHECK_INT(cm_version_parse(NULL, &v), 0, "current");
	cm_view_registered(&v, &view);
	CHECK_STR(view.status, "True", "registered");
	CHECK_STR(view.reason, "ACMEAccountRegistered", "registered");
	CHECK_STR(view.message, "The ACME account was registered with the ACME server",
	    "registered");
	CHECK_INT(view.nevents, 0, "registered");
	cm_view_free(&view);

	cm_view_key_not_rsa("letsencrypt-prod-account", &view);
	CHECK_STR(view.reason, "ErrVerifyACMEAccount", "not rsa");
	CHECK_STR(view.message,
	    "ACME private key in \"letsencrypt-prod-account\" is not of type RSA", "not rsa");
	CHECK_INT(view.requeue, false, "not rsa");
	cm_view_free(&view);
}

static char *go_error(size_t i, const struct cm_version *v)
{
	const char *a = goerr_rows[i].a, *b = goerr_rows[i].b;
	int port = goerr_rows[i].port;
	char *names[8], *copy, *save = NULL, *tok, *s, *inner;
	size_t n = 0;

	switch (goerr_rows[i].kind) {
	case E_URL:
		return cm_err_url(a, b, "x");
	case E_REFUSED:
		return cm_err_dial_refused(a, port);
	case E_DIAL_TIMEOUT:
		return cm_err_dial_timeout(a, port);
	case E_NXDOMAIN:
		return cm_err_dns_not_found(a, b);
	case E_SERVFAIL:
		return cm_err_dns_servfail(a, b);
	case E_DNS_TIMEOUT:
		return cm_err_dns_timeout(a, b);
	case E_X509_NAME:
		copy = xstrdup(a);
		for (tok = strtok_r(copy, " ", &save); tok != NULL && n < 8;
		    tok = strtok_r(NULL, " ", &save))
			names[n++] = tok;
		s = cm_err_x509_name(v, (const char *const *)names, n, b);
		free(copy);
		return s;
	case E_UNKNOWN_CA:
		return cm_err_x509_unknown_authority(v);
	case E_TLS_TIMEOUT:
		return cm_err_tls_handshake_timeout();
	case E_CLIENT_TIMEOUT:
		return cm_err_client_timeout();
	case E_PROXYCONNECT:
		inner = cm_err_dial_refused(a, port);
		s = cm_err_proxyconnect(inner);
		free(inner);
		return s;
	case E_PROXY_STATUS:
		return cm_err_proxy_status(a);
	case E_TLS_ALERT:
		return cm_err_tls_alert(port);
	case E_TLS_VERSION:
		return cm_err_tls_server_version(port);
	}
	return NULL;
}

static void test_go_errors(void)
{
	for (size_t i = 0; i < nitems(goerr_rows); i++) {
		struct cm_version v;
		char ctx[32], *got;

		snprintf(ctx, sizeof(ctx), "go error row %zu", i);
		CHECK_INT(cm_version_parse(goerr_rows[i].version, &v), 0, ctx);
		got = go_error(i, &v);
		CHECK_STR(got, goerr_rows[i].want, ctx);
		free(got);
	}
}

/* Space-separated words of s into v (at most n); returns how many.
 * Modifies s. */
static size_t words(char *s, const char **v, size_t n)
{
	char *save = NULL;
	size_t k = 0;

	for (char *t = strtok_r(s, " ", &save); t != NULL && k < n; t = strtok_r(NULL, " ", &save))
		v[k++] = t;
	return k;
}

static void test_go_texts(void)
{
	struct cm_version v;
	char ctx[40], *got;

	for (size_t i = 0; i < nitems(hostname_rows); i++) {
		char *dns = xstrdup(hostname_rows[i].dns), *ips = xstrdup(hostname_rows[i].ips);
		const char *dv[4], *iv[4];
		struct cm_cert_names c = { dv, words(dns, dv, 4), iv, words(ips, iv, 4),
		    hostname_rows[i].has_san, hostname_rows[i].cn };

		snprintf(ctx, sizeof(ctx), "hostname row %zu", i);
		CHECK_INT(cm_version_parse(hostname_rows[i].version, &v), 0, ctx);
		got = cm_err_x509_hostname(&v, &c, hostname_rows[i].host);
		CHECK_STR(got, hostname_rows[i].want, ctx);
		free(got);
		free(dns);
		free(ips);
	}
	for (size_t i = 0; i < nitems(expired_rows); i++) {
		snprintf(ctx, sizeof(ctx), "expired row %zu", i);
		CHECK_INT(cm_version_parse(expired_rows[i].version, &v), 0, ctx);
		got = cm_err_x509_expired(&v, expired_rows[i].now, expired_rows[i].not_before,
		    expired_rows[i].not_after);
		CHECK_STR(got, expired_rows[i].want, ctx);
		free(got);
	}
	for (size_t i = 0; i < nitems(acme_status_rows); i++) {
		snprintf(ctx, sizeof(ctx), "acme status row %zu", i);
		got = cm_err_acme_status(acme_status_rows[i].status,
		    acme_status_rows[i].status_text, acme_status_rows[i].body,
		    strlen(acme_status_rows[i].body));
		CHECK_STR(got, acme_status_rows[i].want, ctx);
		free(got);
	}
	got = cm_err_http_to_https();
	CHECK_STR(got, "http: server gave HTTP response to HTTPS client", "http to https");
	free(got);
	CHECK_INT(cm_version_parse("v1.8.2", &v), 0, "v1.8.2");
	CHECK_INT(cm_checks_rfc8555_directory(&v), false, "v1.8.2 takes any directory");
	CHECK_INT(cm_version_parse("v1.9.0", &v), 0, "v1.9.0");
	CHECK_INT(cm_checks_rfc8555_directory(&v), true, "v1.9.0 wants newOrder");
}

static void test_webhook(void)
{
	static const struct {
		const char *version;
		bool ca_bundle, skip;
		const char *server;
		const char *want;   /* a part of the refusal; NULL: accepted */
	} rows[] = {
		{ "v1.11.0", true, true, SRV, "mutually exclusive" },
		{ "v1.21.1", true, true, SRV, "mutually exclusive" },
		{ "v1.10.2", true, true, SRV, NULL },
		{ "v1.21.1", true, false, SRV, NULL },
		{ "v1.21.1", false, true, SRV, NULL },
		{ "v1.21.1", false, false, "", "acme server URL is a required field" },
		{ "v1.0.0", false, false, NULL, "acme server URL is a required field" },
		{ "v1.0.0", false, false, "http://acme.example/dir", NULL },
	};
	struct cm_version v;
	const char *got;

	for (size_t i = 0; i < nitems(rows); i++) {
		CHECK_INT(cm_version_parse(rows[i].version, &v), 0, rows[i].version);
		got = cm_webhook_refusal(&v, rows[i].ca_bundle, rows[i].skip, rows[i].server);
		CHECK(rows[i].want == NULL ? got == NULL : got != NULL &&
		    strstr(got, rows[i].want) != NULL, "webhook row %zu: %s", i,
		    got ? got : "(accepted)");
	}
	CHECK_INT(cm_has_ca_bundle(&v), false, "v1.0.0 has no caBundle");
}

static void test_backoff(void)
{
	static const long want[] = { 0, 1000, 3000, 6000, 9000, 12000, 12000, 12000 };

	for (int i = 0; i < (int)nitems(want); i++)
		CHECK_INT(cm_bad_nonce_backoff_ms(i), want[i], "badNonce back-off");
}

/* Key data over 13000 bytes, refused unread by the releases with
 * pem.SafeDecodePrivateKey (backported to v1.12.14, v1.15.4, v1.16.2). */
#define TOO_BIG "error decoding private key PEM block"
static const struct {
	const char *version;
	size_t len;          /* of a valid-looking RSA PRIVATE KEY block */
	const char *want;
} keysize_rows[] = {
	{ "v1.21.1", 13001, TOO_BIG ": provided PEM data was larger than the maximum 13000B" },
	{ "v1.21.1", 13000, NULL },          /* the limit itself passes */
	{ "v1.18.3", 20000, TOO_BIG ": provided PEM data was larger than the maximum 13000B" },
	{ "v1.18.2", 20000, TOO_BIG },       /* the reason came in v1.18.3 */
	{ "v1.16.2", 20000, TOO_BIG },
	{ "v1.16.1", 20000, NULL },          /* before the backport */
	{ "v1.15.4", 20000, TOO_BIG },
	{ "v1.15.3", 20000, NULL },
	{ "v1.14.7", 20000, NULL },          /* never backported to 1.13, 1.14 */
	{ "v1.12.14", 20000, TOO_BIG },
	{ "v1.12.13", 20000, NULL },
};

static void test_key_size(void)
{
	static const char head[] = "-----BEGIN RSA PRIVATE KEY-----\n";
	struct cm_version v;
	char ctx[32], *data, *got;

	for (size_t i = 0; i < nitems(keysize_rows); i++) {
		snprintf(ctx, sizeof(ctx), "key size row %zu", i);
		data = xmalloc(keysize_rows[i].len + 1);
		memset(data, 'A', keysize_rows[i].len);
		memcpy(data, head, sizeof(head) - 1);
		data[keysize_rows[i].len] = '\0';
		CHECK_INT(cm_version_parse(keysize_rows[i].version, &v), 0, ctx);
		got = cm_key_data_error(&v, data, keysize_rows[i].len);
		CHECK_STR(got, keysize_rows[i].want, ctx);
		free(got);
		free(data);
	}
}

static void test_key_data(void)
{
	struct cm_version v;
	char ctx[32], *got;

	for (size_t i = 0; i < nitems(keydata_rows); i++) {
		snprintf(ctx, sizeof(ctx), "key data row %zu", i);
		CHECK_INT(cm_version_parse(keydata_rows[i].version, &v), 0, ctx);
		got = cm_key_data_error(&v, keydata_rows[i].data, strlen(keydata_rows[i].data));
		CHECK_STR(got, keydata_rows[i].want, ctx);
		free(got);
	}
}

static void test_skip(void)
{
	struct cm_version v;
	char ctx[32];

	for (size_t i = 0; i < nitems(skip_rows); i++) {
		snprintf(ctx, sizeof(ctx), "skip row %zu", i);
		CHECK_INT(cm_version_parse(skip_rows[i].version, &v), 0, ctx);
		CHECK_INT(cm_skips_registration(&v, &skip_rows[i].st), skip_rows[i].skips, ctx);
	}
}

static void test_hosts(void)
{
	for (size_t i = 0; i < nitems(host_rows); i++) {
		char ctx[32], *got;

		snprintf(ctx, sizeof(ctx), "host row %zu", i);
		got = cm_url_host(host_rows[i].url);
		CHECK_STR(got, host_rows[i].host, ctx);
		free(got);
	}
	for (size_t i = 0; i < nitems(differ_rows); i++) {
		char ctx[32];

		snprintf(ctx, sizeof(ctx), "differ row %zu", i);
		CHECK_INT(cm_account_host_differs(differ_rows[i].server, differ_rows[i].uri),
		    differ_rows[i].differ, ctx);
	}
	for (size_t i = 0; i < nitems(v1_rows); i++) {
		struct cm_view view;
		char ctx[32];
		bool is_v1;

		snprintf(ctx, sizeof(ctx), "v1 row %zu", i);
		CHECK_STR(cm_v1_replacement(v1_rows[i].server), v1_rows[i].v2, ctx);
		is_v1 = cm_view_v1_server(v1_rows[i].server, &view);
		CHECK_INT(is_v1, v1_rows[i].v2 != NULL, ctx);
		if (is_v1) {
			char *want = xasprintf("Your ACME server URL is set to a v1 endpoint "
			    "(%s). You should update the spec.acme.server field to \"%s\"",
			    v1_rows[i].server, v1_rows[i].v2);

			CHECK_STR(view.reason, "InvalidConfig", ctx);
			CHECK_STR(view.message, want, ctx);
			CHECK_INT(view.requeue, false, ctx);
			free(want);
		}
		cm_view_free(&view);
	}
}

static void test_key_hash(void)
{
	for (size_t i = 0; i < nitems(hash_rows); i++) {
		char ctx[48], *path = test_data_path(hash_rows[i].file), *got;
		BIO *bio = BIO_new_file(path, "r");
		EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;

		snprintf(ctx, sizeof(ctx), "hash row %zu (%s)", i, hash_rows[i].file);
		CHECK(key != NULL, "%s: cannot load %s", ctx, path);
		got = cm_key_hash(key);
		CHECK_STR(got, hash_rows[i].hash, ctx);
		if (hash_rows[i].hash == NULL)
			CHECK_INT(err_kind(), ERR_USAGE, ctx);
		err_clear();
		free(got);
		EVP_PKEY_free(key);
		BIO_free(bio);
		free(path);
	}
}

int main(void)
{
	test_versions();
	test_unreleased();
	test_every_tag();
	test_tls_versions();
	test_compare();
	test_views();
	test_go_errors();
	test_go_texts();
	test_skip();
	test_key_data();
	test_key_size();
	test_webhook();
	test_backoff();
	test_hosts();
	test_key_hash();
	return test_done();
}
