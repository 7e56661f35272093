/* test_diagnose.c - the pure half of diagnose: what each step observed ->
 * verdict, step lines, findings, cert-manager's Ready condition and advice,
 * over one table of scenarios; then the JSON form and step names. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "certmanager.h"
#include "diagnose.h"
#include "probe.h"
#include "test.h"
#include "test_diag.h"
#include "util.h"

/* Rows start from a macro describing a run up to some step and override the
 * fields that differ; later designators win, which is what is wanted. */
#pragma GCC diagnostic ignored "-Woverride-init"

#define URL "https://acme.example.com/directory"
#define PLAIN_URL "http://acme.example.com/directory"
#define NONCE_URL "https://acme.example.com/acme/new-nonce"
#define ACCT_URL "https://acme.example.com/acme/new-acct"
#define GET "Get \"" URL "\": "
#define REG "Failed to register ACME account: "
#define VER "Failed to verify ACME account: "
#define TLSV "tls: failed to verify certificate: "

/* TCP attempts */
static const struct diag_conn C4_OK[] = { { "192.0.2.10", false, DCONN_OK, NULL, 3 } };
static const struct diag_conn C46_OK[] = {
	{ "2001:db8::10", true, DCONN_OK, NULL, 2 },
	{ "192.0.2.10", false, DCONN_OK, NULL, 3 },
};
static const struct diag_conn C4_TIMEOUT[] = {
	{ "192.0.2.10", false, DCONN_TIMEOUT, NULL, 5000 },
};
static const struct diag_conn C4_REFUSED[] = {
	{ "192.0.2.10", false, DCONN_REFUSED, "Connection refused", 0 },
};
static const struct diag_conn C4_UNREACH[] = {
	{ "192.0.2.10", false, DCONN_UNREACHABLE, "No route to host", 3000 },
};
static const struct diag_conn C6_BROKEN_4_OK[] = {
	{ "2001:db8::10", true, DCONN_TIMEOUT, NULL, 5000 },
	{ "192.0.2.10", false, DCONN_OK, NULL, 2 },
};
static const struct diag_conn C6_ONLY[] = {
	{ "2001:db8::10", true, DCONN_UNREACHABLE, "Network is unreachable", 0 },
};
static const struct diag_conn C46_REFUSED_TIMEOUT[] = {
	{ "192.0.2.10", false, DCONN_REFUSED, "Connection refused", 0 },
	{ "2001:db8::10", true, DCONN_TIMEOUT, NULL, 5000 },
};
static const struct diag_conn CPX_OK[] = { { "198.51.100.3", false, DCONN_OK, NULL, 1 } };
static const struct diag_conn CPX_REFUSED[] = {
	{ "198.51.100.3", false, DCONN_REFUSED, "Connection refused", 0 },
};
static const struct diag_conn CIP_OK[] = { { "192.0.2.10", false, DCONN_OK, NULL, 1 } };

/* certificate names */
static const char *const SAN_ACME[] = { "acme.example.com" };
static const char *const SAN_ING[] = { "ingress.local" };
static const char *const SAN_IP[] = { "192.0.2.11" };
static const char *const SAN_PROXY[] = { "proxy.corp" };

/* proxy warnings */
static const struct proxy_warning W_IP[] = {
	{ "no_proxy_ip_entry", (char *)"NO_PROXY entry \"192.0.2.10\" is an IP address" },
	{ "proxy_env_case_conflict", (char *)"HTTPS_PROXY and https_proxy differ" },
};

static const struct proxy_warning W_MISREAD[] = {
	{ "go_proxy_misread", (char *)"HTTPS_PROXY=\"http://***@proxy.corp:3128\": Go "
	  "(cert-manager) reads it as http://http:80: a raw '#', '/' or '?' in the password "
	  "ends the URL there; percent-encode them" },
};
/* Each macro describes a run that got through the named step. */
#define SERVER .server = URL, .server_source = "--server", .host = "acme.example.com", \
	.port = 443, .step_timeout_ms = 5000, .trust = "the system store"
#define ROUTE_DIRECT .route = DROUTE_DIRECT, .route_reason = "no proxy configured", \
	.rules = "go"
#define DNS_OK .dns = DDNS_OK, .dns_name = "acme.example.com", .dns_answer = "192.0.2.10", \
	.nameserver = "10.96.0.10", .ndots = 5, .dns_cm_timeout_ms = 10000
#define TLS_OK .tls = DTLS_OK, .tls_version = "TLSv1.3", .subject = "CN=acme.example.com", \
	.issuer = "CN=R3,O=Let's Encrypt,C=US", .dns_names = SAN_ACME, .ndns = 1
#define HTTP_OK .http = DHTTP_OK, .http_status = 200, .content_type = "application/json", \
	.new_nonce_url = NONCE_URL, .new_account_url = ACCT_URL
#define UPTO_DNS SERVER, ROUTE_DIRECT, DNS_OK
#define UPTO_TCP UPTO_DNS, .conns = C4_OK, .nconns = 1
#define UPTO_TLS UPTO_TCP, TLS_OK
#define UPTO_HTTP UPTO_TLS, HTTP_OK
#define UPTO_NONCE UPTO_HTTP, .nonce = DNONCE_OK, .nonce_status = 200
#define HEALTHY UPTO_NONCE, .account = DACCT_NO_KEY

/* an Issuer whose status cert-manager may trust without a request */
#define SKIP_STATUS .issuer_ready = { "True", "ACMEAccountRegistered", "registered" }, \
	.status_uri = "https://acme.example.com/acme/acct/7", .email = "ops@example.com", \
	.registered_email = "ops@example.com"

#define ROUTE_PROXY .route = DROUTE_PROXY, .route_reason = "no NO_PROXY entry matches", \
	.rules = "go", .proxy_shown = "http://proxy.corp:3128", .proxy_source = "HTTPS_PROXY", \
	.proxy_host = "proxy.corp", .proxy_port = 3128
#define PX_DNS_OK .dns = DDNS_OK, .dns_name = "proxy.corp", .dns_answer = "198.51.100.3", \
	.nameserver = "10.96.0.10"
#define PX_UPTO_DNS SERVER, ROUTE_PROXY, PX_DNS_OK
#define PX_UPTO_TCP PX_UPTO_DNS, .conns = CPX_OK, .nconns = 1
/* an https:// proxy and the certificate it shows */
#define HPX_UPTO_TCP PX_UPTO_TCP, .proxy_shown = "https://proxy.corp:3129", \
	.proxy_port = 3129, .proxy_tls = true
#define PX_CERT .result = DTLS_OK, .version = "TLSv1.3", .subject = "CN=proxy.corp", \
	.issuer = "CN=Corp Proxy CA", .dns_names = SAN_PROXY, .ndns = 1
#define PXC "proxyconnect tcp: "
#define PX_HEALTHY PX_UPTO_TCP, .tunnel = DTUN_OK, .tunnel_code = 200, \
	.tunnel_reason = "Connection established", TLS_OK, HTTP_OK, .nonce = DNONCE_OK, \
	.nonce_status = 200, .account = DACCT_NO_KEY

/* Go's lookup as goprobe.c records it: waits for a dead first nameserver,
 * or for AAAA questions one nameserver drops */
#define GO_DEAD_FIRST .dns_go = true, .dns_go_answers = true, .dns_go_waits = 4, \
	.dns_go_timeout_s = 5, .dns_go_attempts = 2, .dns_go_names = 1, \
	.dns_slow_cause = DDNS_CAUSE_DEAD_SERVER, .dns_slow_server = "10.96.0.9:53"
#define GO_AAAA_DROPPED .dns_go = true, .dns_go_answers = true, .dns_go_waits = 2, \
	.dns_go_timeout_s = 5, .dns_go_attempts = 2, .dns_go_names = 1, \
	.dns_slow_cause = DDNS_CAUSE_AAAA_DROPPED, .dns_slow_server = "10.96.0.10:53"

static const struct {
	const char *name;
	const char *version;      /* cert-manager version, NULL = current */
	struct diag_facts f;
	const char *verdict;
	const char *steps;        /* o ok, f fail, - skipped; one per step */
	const char *findings;     /* ids, comma-separated, in order */
	const char *reason;       /* of the Ready condition */
	const char *message;
	size_t nevents;
	const char *advice;       /* a part of some advice line; NULL: no advice */
} rows[] = {
	{ "healthy, no key", NULL, { HEALTHY },
	  "ok", "oooo-ooo-o", "", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "nothing to change" },
	{ "healthy, account found", NULL, { UPTO_NONCE, .account = DACCT_FOUND,
	  .account_url = "https://acme.example.com/acme/acct/7", .key_desc = "RSA 2048",
	  .key_source = "--account-key k.pem" },
	  "ok", "oooo-ooooo", "", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "nothing to change" },
	{ "account found, uri on another host", NULL, { UPTO_NONCE, .account = DACCT_FOUND,
	  .account_url = "https://acme.example.com/acme/acct/7",
	  .known_account_url = "https://acme-staging.example.com/acme/acct/9",
	  .known_account_source = "status.acme.uri" },
	  "ok", "oooo-ooooo", "account_host_mismatch", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "not the cause" },
	{ "account not found, uri on another host", NULL, { UPTO_NONCE,
	  .account = DACCT_NOT_FOUND, .account_status = 400,
	  .account_problem = "accountDoesNotExist: no account",
	  .known_account_url = "https://other-ca.example.net/acct/1",
	  .known_account_source = "status.acme.uri" },
	  "account_not_found", "oooo-ooof-", "account_host_mismatch,account_not_found",
	  "ACMEAccountRegistered", "The ACME account was registered with the ACME server", 0,
	  "the account known for this key is at other-ca.example.net" },
	{ "account not found, nothing known", NULL, { UPTO_NONCE,
	  .account = DACCT_NOT_FOUND, .account_status = 400 },
	  "account_not_found", "oooo-ooof-", "account_not_found", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "register a new one" },
	{ "account not found, sum over 10 s", "v1.1.0", { UPTO_NONCE,
	  .account = DACCT_NOT_FOUND, .cm_ms = { [DIAG_HTTP] = 6000, [DIAG_ACCOUNT] = 6000 } },
	  "deadline_exceeded", "oooo-oooff", "account_not_found", "ErrRegisterACMEAccount",
	  VER "context deadline exceeded", 2, "upgrade to a supported release such as " CM_VERSION_CURRENT },
	{ "server http://, used as it is", NULL, { UPTO_TCP, .server = "http://acme.example.com/dir",
	  .port = 80, .plain_http = true, HTTP_OK, .nonce = DNONCE_OK, .nonce_status = 200,
	  .account = DACCT_NO_KEY },
	  "ok", "oooo--oo-o", "plain_http", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "nothing to change" },
	{ "ACME v1 URL", NULL, { .server = "https://acme-v01.api.letsencrypt.org/directory",
	  .host = "acme-v01.api.letsencrypt.org", .port = 443, .config = DCONF_V1_SERVER },
	  "config_invalid", "f---------", "", "InvalidConfig",
	  "Your ACME server URL is set to a v1 endpoint "
	  "(https://acme-v01.api.letsencrypt.org/directory). You should update the "
	  "spec.acme.server field to \"https://acme-v02.api.letsencrypt.org/directory\"", 0,
	  "set spec.acme.server to https://acme-v02.api.letsencrypt.org/directory" },
	{ "EC key in the Secret", NULL, { UPTO_NONCE, .config = DCONF_KEY_NOT_RSA,
	  .key_desc = "EC P-256", .key_source = "Secret acme-key (tls.key)",
	  .key_secret_name = "acme-key", .account = DACCT_FOUND, .account_url = "u" },
	  "config_invalid", "fooo-oooo-", "", "ErrVerifyACMEAccount",
	  "ACME private key in \"acme-key\" is not of type RSA", 0, "Secret acme-key" },
	{ "Ed25519 key, generation disabled", NULL, { UPTO_NONCE, .config = DCONF_KEY_NOT_RSA,
	  .key_desc = "ED25519", .key_source = "Secret acme-key (tls.key)",
	  .key_secret_name = "acme-key", .key_generation_disabled = true,
	  .account = DACCT_FAILED, .account_problem = "cannot sign" },
	  "config_invalid", "fooo-ooof-", "", "ErrVerifyACMEAccount",
	  "ACME private key in \"acme-key\" is not of type RSA", 0,
	  "cert-manager will not make one" },
	{ "caBundle with skipTLSVerify: the webhook refuses it", NULL, { SERVER,
	  .config = DCONF_REJECTED, .config_problem = "spec.acme.caBundle, "
	  "spec.acme.skipTLSVerify: caBundle and skipTLSVerify are mutually exclusive and "
	  "cannot both be set" },
	  "config_invalid", "f---------", "", NULL, NULL, 0, "the webhook refuses it" },
	{ "Secret holds no PEM", "v1.21.1", { SERVER, .config = DCONF_KEY_INVALID,
	  .key_source = "Secret acme-key (tls.key) in s.yaml", .key_secret_name = "acme-key",
	  .key_invalid = "error decoding private key PEM block: no PEM data was found in "
	  "given input" },
	  "config_invalid", "f---------", "", "ErrVerifyACMEAccount",
	  "Account private key is invalid: error decoding private key PEM block: no PEM data "
	  "was found in given input", 0, "or delete the Secret so cert-manager generates" },
	{ "Secret without the data key: invalid data for cert-manager, not NotFound",
	  "v1.0.0", { SERVER, .config = DCONF_KEY_INVALID,
	  .key_source = "Secret acme-key (tls.key) in s.yaml", .key_secret_name = "acme-key",
	  .key_invalid = "no data for \"tls.key\" in secret 'cert-manager/acme-key'" },
	  "config_invalid", "f---------", "", "ErrVerifyACMEAccount",
	  "Account private key is invalid: no data for \"tls.key\" in secret "
	  "'cert-manager/acme-key'", 0, "store an RSA key (PEM, PKCS#1 or PKCS#8) in the "
	  "Secret acme-key" },
	{ "RSA 1024 key: cert-manager sends it", NULL, { HEALTHY, .key_desc = "RSA 1024",
	  .key_source = "Secret acme-key (tls.key) in s.yaml" },
	  "ok", "oooo-ooo-o", "key_rsa_small", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "nothing to change" },
	{ "EC key of acmectl's own", NULL, { HEALTHY, .key_not_rsa = true,
	  .key_desc = "EC P-256", .key_source = "state" },
	  "ok", "oooo-ooo-o", "key_not_rsa", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "--key-type rsa2048" },
	{ "proxy refused by Go (CGI)", NULL, { SERVER, .route = DROUTE_REFUSED,
	  .route_reason = "refusing to use HTTP_PROXY in a CGI environment" },
	  "config_invalid", "of--------", "", "ErrRegisterACMEAccount",
	  REG GET "refusing to use HTTP_PROXY in a CGI environment", 1, "fix the proxy setting" },
	{ "NXDOMAIN", NULL, { SERVER, ROUTE_DIRECT, DNS_OK, .dns = DDNS_NOTFOUND },
	  "dns_failure", "oof-------", "", "ErrRegisterACMEAccount",
	  REG GET "dial tcp: lookup acme.example.com on 10.96.0.10:53: no such host", 1,
	  "does not resolve via 10.96.0.10" },
	{ "SERVFAIL", NULL, { SERVER, ROUTE_DIRECT, DNS_OK, .dns = DDNS_SERVFAIL },
	  "dns_failure", "oof-------", "", "ErrRegisterACMEAccount",
	  REG GET "dial tcp: lookup acme.example.com on 10.96.0.10:53: server misbehaving", 1,
	  "DNS egress" },
	{ "DNS timeout, 10 s deadline", "v1.1.0", { SERVER, ROUTE_DIRECT, DNS_OK,
	  .dns = DDNS_TIMEOUT, .ms = { [DIAG_DNS] = 5000 } },
	  "dns_failure", "oof-------", "", "ErrRegisterACMEAccount",
	  VER "context deadline exceeded", 2, "DNS egress" },
	{ "DNS timeout, 2 min deadline", "v1.9.0", { SERVER, ROUTE_DIRECT, DNS_OK,
	  .dns = DDNS_TIMEOUT, .ms = { [DIAG_DNS] = 5000 } },
	  "dns_failure", "oof-------", "", "ErrRegisterACMEAccount",
	  REG GET "dial tcp: lookup acme.example.com on 10.96.0.10:53: i/o timeout", 1,
	  "DNS egress" },
	/* Go's resolver modelled from each nameserver's answers (goresolv.c) */
	{ "dead first nameserver: Go answers after 20 s, the 10 s deadline ends it first",
	  "v1.1.0", { SERVER, ROUTE_DIRECT, DNS_OK, .dns = DDNS_TIMEOUT, .sync_cut = true,
	  GO_DEAD_FIRST, .dns_go_ms = 20010, .dns_go_limit_ms = 10000,
	  .cm_ms = { [DIAG_DNS] = 10000 } },
	  "dns_slow", "oof------f", "", "ErrRegisterACMEAccount",
	  VER "context deadline exceeded", 2, "remove or repair the nameserver 10.96.0.9:53" },
	{ "a pod (ndots:5) whose nameserver drops AAAA: 40 s, past the dialer's 30 s",
	  "v1.21.1", { SERVER, ROUTE_DIRECT, DNS_OK, .dns = DDNS_TIMEOUT, GO_AAAA_DROPPED,
	  .dns_go_ms = 40000, .dns_go_limit_ms = 30000, .dns_go_waits = 6, .dns_go_names = 4,
	  .ndots = 5, .dns_go_error = "lookup acme.example.com: i/o timeout",
	  .dns_go_wait_ms = 30000, .cm_ms = { [DIAG_DNS] = 30000 } },
	  "dns_slow", "oof-------", "", "ErrRegisterACMEAccount",
	  REG GET "dial tcp: lookup acme.example.com: i/o timeout", 1, "lower ndots" },
	{ "the same: a trailing dot only with a CA that keeps it in its URLs", "v1.21.1", { SERVER, ROUTE_DIRECT, DNS_OK,
	  .dns = DDNS_TIMEOUT, GO_AAAA_DROPPED, .dns_go_ms = 40000, .dns_go_limit_ms = 30000,
	  .dns_go_waits = 6, .dns_go_names = 4, .ndots = 5,
	  .dns_go_error = "lookup acme.example.com: i/o timeout" },
	  "dns_slow", "oof-------", "", "ErrRegisterACMEAccount",
	  REG GET "dial tcp: lookup acme.example.com: i/o timeout", 1,
	  "helps only if the CA lists its URLs with the dot too" },
	{ "AAAA dropped, 11 s of waits within 2 min: ok, dns_slow and no slow_ca", "v1.21.1",
	  { HEALTHY, GO_AAAA_DROPPED, .dns_go_ms = 11010, .dns_go_limit_ms = 30000,
	  .dns_go_wait_ms = 11000, .cm_ms = { [DIAG_DNS] = 11010 } },
	  "ok", "oooo-ooo-o", "dns_slow", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0,
	  "let AAAA queries through to 10.96.0.10:53" },
	{ "all nameservers dead: Go's own text, with its read timeout", "v1.21.1", { SERVER,
	  ROUTE_DIRECT, DNS_OK, .dns = DDNS_TIMEOUT, .dns_go = true, .dns_go_ms = 20000,
	  .dns_go_waits = 4, .dns_go_timeout_s = 5, .dns_go_attempts = 2,
	  .dns_go_wait_ms = 20000,
	  .dns_slow_cause = DDNS_CAUSE_DEAD_SERVER, .dns_slow_server = "10.96.0.10:53",
	  .dns_go_error = "lookup acme.example.com on 10.96.0.11:53: read udp "
	  "POD_IP:PORT->10.96.0.11:53: i/o timeout", .cm_ms = { [DIAG_DNS] = 20000 } },
	  "dns_failure", "oof-------", "", "ErrRegisterACMEAccount",
	  REG GET "dial tcp: lookup acme.example.com on 10.96.0.11:53: read udp "
	  "POD_IP:PORT->10.96.0.11:53: i/o timeout", 1, "DNS egress" },
	{ "search domain wildcard -> ingress", NULL, { UPTO_TCP, .dns_answer = "10.0.0.5",
	  .hijack_domain = "corp.example", .absolute_answer = "192.0.2.10", .tls = DTLS_OK,
	  .name_mismatch = true, .chain = DCHAIN_UNKNOWN_CA, .self_signed = true,
	  .dns_names = SAN_ING, .ndns = 1 },
	  "dns_search_hijack", "oofo-f----", "", "ErrRegisterACMEAccount",
	  REG GET TLSV "x509: certificate is valid for ingress.local, not acme.example.com", 1,
	  "drop the search domain corp.example" },
	{ "search domain wildcard -> closed port", NULL, { UPTO_DNS,
	  .hijack_domain = "corp.example", .absolute_answer = "192.0.2.99",
	  .conns = C4_REFUSED, .nconns = 1 },
	  "dns_search_hijack", "ooff------", "", "ErrRegisterACMEAccount",
	  REG GET "dial tcp 192.0.2.10:443: connect: connection refused", 1,
	  "a trailing dot in spec.acme.server (HOST.) helps only if the CA lists its URLs" },
	{ "search domain answers, name does not exist", NULL, { HEALTHY,
	  .search_domain = "svc.cluster.local" },
	  "ok", "oooo-ooo-o", "dns_search_domain", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "nothing to change" },
	{ "blackhole, 10 s deadline", "v1.1.0", { UPTO_DNS, .conns = C4_TIMEOUT, .nconns = 1,
	  .ms = { [DIAG_TCP] = 5000 }, .cm_ms = { [DIAG_TCP] = 5000 } },
	  "connect_timeout", "ooof------", "", "ErrRegisterACMEAccount",
	  VER "context deadline exceeded", 2, "packets are dropped" },
	{ "blackhole, 2 min deadline", "v1.12.0", { UPTO_DNS, .conns = C4_TIMEOUT, .nconns = 1 },
	  "connect_timeout", "ooof------", "", "ErrRegisterACMEAccount",
	  REG GET "dial tcp 192.0.2.10:443: i/o timeout", 1, "Allow egress to port 443/tcp" },
	{ "closed port", NULL, { UPTO_DNS, .conns = C4_REFUSED, .nconns = 1 },
	  "connect_refused", "ooof------", "", "ErrRegisterACMEAccount",
	  REG GET "dial tcp 192.0.2.10:443: connect: connection refused", 1,
	  "192.0.2.10:443 refuses connections: check the port" },
	{ "Ready Issuer, v1.11: no request, the closed port unseen", "v1.11.0", { UPTO_DNS,
	  .conns = C4_REFUSED, .nconns = 1, SKIP_STATUS },
	  "connect_refused", "ooof------", "setup_skipped", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0,
	  "shows only when it registers again" },
	{ "Ready Issuer, v1.12 without lastPrivateKeyHash: registers", "v1.12.0", { UPTO_DNS,
	  .conns = C4_REFUSED, .nconns = 1, SKIP_STATUS },
	  "connect_refused", "ooof------", "", "ErrRegisterACMEAccount",
	  REG GET "dial tcp 192.0.2.10:443: connect: connection refused", 1,
	  "192.0.2.10:443 refuses connections" },
	{ "Ready Issuer, v1.12, this key's hash: no request", "v1.12.0", { UPTO_DNS,
	  .conns = C4_REFUSED, .nconns = 1, SKIP_STATUS, .key_hash_matches = true },
	  "connect_refused", "ooof------", "setup_skipped", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0,
	  "shows only when it registers again" },
	{ "Ready Issuer, e-mail differs in case: registers", "v1.11.0", { UPTO_DNS,
	  .conns = C4_REFUSED, .nconns = 1, SKIP_STATUS, .email = "Ops@example.com" },
	  "connect_refused", "ooof------", "email_changed", "ErrRegisterACMEAccount",
	  REG GET "dial tcp 192.0.2.10:443: connect: connection refused", 1,
	  "192.0.2.10:443 refuses connections" },
	{ "Ready Issuer, account on another host: registers", "v1.11.0", { UPTO_DNS,
	  .conns = C4_REFUSED, .nconns = 1, SKIP_STATUS,
	  .status_uri = "https://acme-staging.example.com/acme/acct/7" },
	  "connect_refused", "ooof------", "", "ErrRegisterACMEAccount",
	  REG GET "dial tcp 192.0.2.10:443: connect: connection refused", 1,
	  "192.0.2.10:443 refuses connections" },
	{ "Ready Issuer, skipped, healthy path", "v1.21.1", { HEALTHY, SKIP_STATUS,
	  .key_hash_matches = true },
	  "ok", "oooo-ooo-o", "setup_skipped", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "nothing to change" },
	{ "no route to host (ICMP from a router or firewall)", NULL, { UPTO_DNS,
	  .conns = C4_UNREACH, .nconns = 1 },
	  "no_route", "ooof------", "", "ErrRegisterACMEAccount",
	  REG GET "dial tcp 192.0.2.10:443: connect: no route to host", 1,
	  "a router or firewall on the path rejects the connection" },
	{ "primary refused, IPv6 silent", NULL, { UPTO_DNS, .conns = C46_REFUSED_TIMEOUT,
	  .nconns = 2 },
	  "connect_refused", "ooof------", "", "ErrRegisterACMEAccount",
	  REG GET "dial tcp 192.0.2.10:443: connect: connection refused", 1, "refuses" },
	{ "IPv6 broken, IPv4 fine", NULL, { HEALTHY, .conns = C6_BROKEN_4_OK, .nconns = 2 },
	  "ok", "oooo-ooo-o", "ipv6_broken", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "IPv6 to acme.example.com" },
	{ "both families fine", NULL, { HEALTHY, .conns = C46_OK, .nconns = 2 },
	  "ok", "oooo-ooo-o", "", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "nothing to change" },
	{ "AAAA only, no IPv6 route", NULL, { UPTO_DNS, .conns = C6_ONLY, .nconns = 1 },
	  "no_route", "ooof------", "ipv6_broken", "ErrRegisterACMEAccount",
	  REG GET "dial tcp [2001:db8::10]:443: connect: network is unreachable", 1,
	  "this host has no route to 2001:db8::10" },
	{ "NO_PROXY name sends it direct into a firewall", NULL, { UPTO_DNS,
	  .route_reason = "NO_PROXY entry \"acme.example.com\"", .no_proxy_matched = true,
	  .conns = C4_TIMEOUT, .nconns = 1 },
	  "connect_timeout", "ooof------", "", "ErrRegisterACMEAccount",
	  REG GET "dial tcp 192.0.2.10:443: i/o timeout", 1, "remove that entry" },
	{ "NO_PROXY IP entry and case conflict", NULL, { PX_HEALTHY, .warnings = W_IP,
	  .nwarnings = 2 },
	  "ok", "oooooooo-o", "no_proxy_ip_entry,proxy_env_case_conflict",
	  "ACMEAccountRegistered", "The ACME account was registered with the ACME server", 0,
	  "only the name acme.example.com (or its domain) would send it direct" },
	{ "proxy port closed", NULL, { PX_UPTO_DNS, .conns = CPX_REFUSED, .nconns = 1 },
	  "proxy_unreachable", "ooof------", "", "ErrRegisterACMEAccount",
	  REG GET "proxyconnect tcp: dial tcp 198.51.100.3:3128: connect: connection refused",
	  1, "add the name acme.example.com to NO_PROXY" },
	{ "proxy host unknown", NULL, { PX_UPTO_DNS, .dns = DDNS_NOTFOUND },
	  "proxy_unreachable", "oof-------", "", "ErrRegisterACMEAccount",
	  REG GET "proxyconnect tcp: dial tcp: lookup proxy.corp on 10.96.0.10:53: no such host",
	  1, "the proxy host proxy.corp does not resolve: fix HTTPS_PROXY" },
	{ "raw '#' in the proxy password: Go dials http:80", NULL, { SERVER, ROUTE_PROXY,
	  .proxy_shown = "http://http:80", .proxy_host = "http", .proxy_port = 80,
	  .warnings = W_MISREAD, .nwarnings = 1, .dns = DDNS_NOTFOUND, .dns_name = "http",
	  .nameserver = "10.96.0.10" },
	  "proxy_unreachable", "oof-------", "go_proxy_misread", "ErrRegisterACMEAccount",
	  REG GET "proxyconnect tcp: dial tcp: lookup http on 10.96.0.10:53: no such host", 1,
	  "Go reads the value as a proxy at http:80 (the go_proxy_misread finding says why)" },
	{ "proxy wants credentials", NULL, { PX_UPTO_TCP, .tunnel = DTUN_STATUS,
	  .tunnel_code = 407, .tunnel_reason = "Proxy Authentication Required" },
	  "proxy_auth_required", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET "Proxy Authentication Required", 1, "wants credentials" },
	{ "proxy rejects credentials (tinyproxy 401)", NULL, { PX_UPTO_TCP,
	  .tunnel = DTUN_STATUS, .tunnel_code = 401, .tunnel_reason = "Unauthorized",
	  .proxy_credentials = true },
	  "proxy_auth_required", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET "Unauthorized", 1, "rejected the credentials" },
	{ "proxy forbids the target", NULL, { PX_UPTO_TCP, .tunnel = DTUN_STATUS,
	  .tunnel_code = 403, .tunnel_reason = "Forbidden" },
	  "proxy_refused", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET "Forbidden", 1, "refuses CONNECT to acme.example.com:443 (403 Forbidden)" },
	{ "proxy 502 without a reason phrase", NULL, { PX_UPTO_TCP, .tunnel = DTUN_STATUS,
	  .tunnel_code = 502 },
	  "proxy_cannot_reach", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET "unknown status code", 1,
	  "the proxy at proxy.corp:3128 cannot reach acme.example.com:443 (it answered "
	  "CONNECT with 502)" },
	{ "squid cannot connect to the CA", NULL, { PX_UPTO_TCP, .tunnel = DTUN_STATUS,
	  .tunnel_code = 503, .tunnel_reason = "Service Unavailable",
	  .squid_error = "ERR_CONNECT_FAIL 113" },
	  "proxy_cannot_reach", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET "Service Unavailable", 1,
	  "(it answered CONNECT with 503 Service Unavailable, X-Squid-Error: "
	  "ERR_CONNECT_FAIL 113)" },
	{ "tinyproxy cannot connect to the CA: its own 500", NULL, { PX_UPTO_TCP,
	  .tunnel = DTUN_STATUS, .tunnel_code = 500, .tunnel_reason = "Unable to connect",
	  .proxy_server = "tinyproxy/1.11.1" },
	  "proxy_cannot_reach", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET "Unable to connect", 1, "(it answered CONNECT with 500 Unable to connect)" },
	{ "another proxy's 500 to CONNECT: refused", NULL, { PX_UPTO_TCP,
	  .tunnel = DTUN_STATUS, .tunnel_code = 500, .tunnel_reason = "Internal Server Error" },
	  "proxy_refused", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET "Internal Server Error", 1, "(500 Internal Server Error)" },
	{ "squid cannot connect: NO_PROXY will not help", NULL, { PX_UPTO_TCP,
	  .tunnel = DTUN_STATUS, .tunnel_code = 503, .tunnel_reason = "Service Unavailable",
	  .squid_error = "ERR_CONNECT_FAIL 110" },
	  "proxy_cannot_reach", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET "Service Unavailable", 1, "NO_PROXY will not help" },
	{ "http:// server through a proxy: no CONNECT, the requests go to the proxy", NULL,
	  { PX_UPTO_TCP, HTTP_OK, .server = PLAIN_URL, .port = 80, .plain_http = true,
	  .proxy_forward = true, .tunnel = DTUN_OK, .nonce = DNONCE_OK, .nonce_status = 200,
	  .account = DACCT_NO_KEY },
	  "ok", "ooooo-oo-o", "plain_http", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "nothing to change" },
	{ "http:// server, Squid cannot reach the CA: Go takes its 503 page for the CA's",
	  NULL, { PX_UPTO_TCP, .server = PLAIN_URL, .port = 80, .plain_http = true,
	  .proxy_forward = true, .tunnel = DTUN_STATUS, .tunnel_code = 503,
	  .tunnel_reason = "Service Unavailable", .squid_error = "ERR_CONNECT_FAIL 113",
	  .http = DHTTP_NOT_ACME, .http_status = 503, .go_error = "503 : <html>down</html>" },
	  "proxy_cannot_reach", "oooof-f---", "plain_http", "ErrRegisterACMEAccount",
	  REG "503 : <html>down</html>", 1,
	  "(it answered the GET of the directory with 503 Service Unavailable, "
	  "X-Squid-Error: ERR_CONNECT_FAIL 113)" },
	{ "http:// server, tinyproxy cannot connect: its own 500 page", NULL, {
	  PX_UPTO_TCP, .server = PLAIN_URL, .port = 80, .plain_http = true,
	  .proxy_forward = true, .tunnel = DTUN_STATUS, .tunnel_code = 500,
	  .tunnel_reason = "Unable to connect", .proxy_server = "tinyproxy/1.11.1",
	  .http = DHTTP_NOT_ACME, .http_status = 500, .go_error = "500 : <html>tp</html>" },
	  "proxy_cannot_reach", "oooof-f---", "plain_http", "ErrRegisterACMEAccount",
	  REG "500 : <html>tp</html>", 1,
	  "(it answered the GET of the directory with 500 Unable to connect)" },
	{ "http:// server, a proxy's own 500 that is no tinyproxy page: refused", NULL, {
	  PX_UPTO_TCP, .server = PLAIN_URL, .port = 80, .plain_http = true,
	  .proxy_forward = true, .tunnel = DTUN_STATUS, .tunnel_code = 500,
	  .tunnel_reason = "Internal Server Error", .squid_error = "ERR_INVALID_REQ 0",
	  .http = DHTTP_NOT_ACME, .http_status = 500, .go_error = "500 : <html>x</html>" },
	  "proxy_refused", "oooof-f---", "plain_http", "ErrRegisterACMEAccount",
	  REG "500 : <html>x</html>", 1, "(500 Internal Server Error)" },
	{ "http:// server, NTLM-only proxy: Go cannot answer it", NULL, {
	  PX_UPTO_TCP, .server = PLAIN_URL, .port = 80, .plain_http = true,
	  .proxy_forward = true, .tunnel = DTUN_STATUS, .tunnel_code = 407,
	  .tunnel_reason = "Proxy Authentication Required", .auth_schemes = "NTLM, Negotiate",
	  .http = DHTTP_NOT_ACME, .http_status = 407, .go_error = "407 : <html>auth</html>" },
	  "proxy_auth_unsupported", "oooof-f---", "plain_http", "ErrRegisterACMEAccount",
	  REG "407 : <html>auth</html>", 0, "NTLM, Negotiate" },
	{ "http:// server, the proxy's 403 page: a 4xx *acme.Error, not retried", NULL, {
	  PX_UPTO_TCP, .server = PLAIN_URL, .port = 80, .plain_http = true,
	  .proxy_forward = true, .tunnel = DTUN_STATUS, .tunnel_code = 403,
	  .tunnel_reason = "Forbidden", .squid_error = "ERR_ACCESS_DENIED 0",
	  .http = DHTTP_NOT_ACME, .http_status = 403, .go_error = "403 : <html>no</html>" },
	  "proxy_refused", "oooof-f---", "plain_http", "ErrRegisterACMEAccount",
	  REG "403 : <html>no</html>", 0,
	  "refuses to fetch " PLAIN_URL " for cert-manager (403 Forbidden)" },
	{ "silent proxy, 10 s deadline", "v1.8.1", { PX_UPTO_TCP, .tunnel = DTUN_TIMEOUT,
	  .tunnel_error = "no answer to CONNECT before the deadline" },
	  "proxy_cannot_reach", "oooof-----", "", NULL, NULL, 1, "still trying to connect" },
	{ "proxy offers only NTLM and Negotiate", NULL, { PX_UPTO_TCP, .tunnel = DTUN_STATUS,
	  .tunnel_code = 407, .tunnel_reason = "Proxy Authentication Required",
	  .auth_schemes = "Negotiate, NTLM" },
	  "proxy_auth_unsupported", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET "Proxy Authentication Required", 1,
	  "offers only Negotiate, NTLM authentication" },
	{ "proxy offers NTLM and Basic", NULL, { PX_UPTO_TCP, .tunnel = DTUN_STATUS,
	  .tunnel_code = 407, .tunnel_reason = "Proxy Authentication Required",
	  .auth_schemes = "NTLM, basic" },
	  "proxy_auth_required", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET "Proxy Authentication Required", 1, "wants credentials" },
	{ "https proxy, all well", NULL, { HPX_UPTO_TCP, .proxy_handshake = { PX_CERT },
	  .tunnel = DTUN_OK, .tunnel_code = 200, .tunnel_reason = "Connection established",
	  TLS_OK, HTTP_OK, .nonce = DNONCE_OK, .nonce_status = 200, .account = DACCT_NO_KEY },
	  "ok", "oooooooo-o", "", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "nothing to change" },
	{ "https proxy, CA not in the system roots", NULL, { HPX_UPTO_TCP,
	  .proxy_handshake = { PX_CERT, .chain = DCHAIN_UNKNOWN_CA,
	  .chain_error = "unable to get local issuer certificate" } },
	  "proxy_tls_untrusted", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET PXC TLSV "x509: certificate signed by unknown authority", 1,
	  "set SSL_CERT_FILE to its path" },
	{ "https proxy, self-signed, Go 1.19 wording", "v1.11.0", { HPX_UPTO_TCP,
	  .proxy_handshake = { PX_CERT, .chain = DCHAIN_UNKNOWN_CA, .self_signed = true } },
	  "proxy_tls_untrusted", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET PXC "x509: certificate signed by unknown authority", 1,
	  "a self-signed certificate" },
	{ "https proxy, CA not in caBundle", NULL, { HPX_UPTO_TCP, .trust_issuer_bundle = true,
	  .proxy_handshake = { PX_CERT, .chain = DCHAIN_UNKNOWN_CA } },
	  "proxy_tls_untrusted", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET PXC TLSV "x509: certificate signed by unknown authority", 1,
	  "add the proxy's CA (CN=Corp Proxy CA) to caBundle" },
	{ "https proxy, certificate for another name", NULL, { HPX_UPTO_TCP,
	  .proxy_host = "proxy-alias.corp",
	  .proxy_handshake = { PX_CERT, .name_mismatch = true } },
	  "proxy_tls_untrusted", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET PXC TLSV "x509: certificate is valid for proxy.corp, not proxy-alias.corp",
	  1, "with a name the certificate holds" },
	{ "https proxy, expired certificate", "v1.3.0", { HPX_UPTO_TCP,
	  .proxy_handshake = { PX_CERT, .chain = DCHAIN_EXPIRED,
	  .chain_error = "certificate has expired" } },
	  "proxy_tls_untrusted", "oooof-----", "", "ErrRegisterACMEAccount",
	  VER GET PXC "x509: certificate has expired or is not yet valid", 2, "renew it" },
	{ "https proxy, skipTLSVerify hides its unknown CA", NULL, { HPX_UPTO_TCP,
	  .skip_tls_verify = true, .proxy_handshake = { PX_CERT, .chain = DCHAIN_UNKNOWN_CA },
	  .tunnel = DTUN_OK, .tunnel_code = 200, TLS_OK, HTTP_OK, .nonce = DNONCE_OK,
	  .nonce_status = 200, .account = DACCT_NO_KEY },
	  "ok", "oooooooo-o", "tls_verify_skipped", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "drop skipTLSVerify" },
	{ "https proxy, handshake stalls, 10 s deadline", "v1.8.1", { HPX_UPTO_TCP,
	  .proxy_handshake = { .result = DTLS_TIMEOUT }, .ms = { [DIAG_PROXY] = 5000 } },
	  "proxy_tls_failed", "oooof-----", "", NULL, NULL, 1,
	  "does not complete a TLS handshake (no answer)" },
	{ "https proxy, handshake stalls, 2 min deadline", NULL, { HPX_UPTO_TCP,
	  .proxy_handshake = { .result = DTLS_TIMEOUT }, .ms = { [DIAG_PROXY] = 5000 } },
	  "proxy_tls_failed", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET PXC "net/http: TLS handshake timeout", 1, "the proxy's TLS port" },
	{ "https proxy, protocol alert", NULL, { HPX_UPTO_TCP, .proxy_handshake = {
	  .result = DTLS_FAILED, .error = "tlsv1 alert protocol version" } },
	  "proxy_tls_failed", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET PXC "tlsv1 alert protocol version", 1, "accepts TLS 1.2 or 1.3" },
	{ "https proxy URL, plain proxy silent to the hello", NULL, { HPX_UPTO_TCP,
	  .proxy_handshake = { .result = DTLS_TIMEOUT }, .proxy_speaks = DSPEAKS_HTTP,
	  .tunnel_code = 200, .tunnel_reason = "Connection established" },
	  "proxy_speaks_http", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET PXC "net/http: TLS handshake timeout", 1, "write it as http://proxy.corp:3129" },
	{ "https proxy URL, plain proxy answering the hello", NULL, { HPX_UPTO_TCP,
	  .proxy_handshake = { .result = DTLS_FAILED, .error = "wrong version number" },
	  .proxy_speaks = DSPEAKS_HTTP, .tunnel_code = 400, .tunnel_reason = "Bad Request" },
	  "proxy_speaks_http", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET PXC "tls: first record does not look like a TLS handshake", 1,
	  "a plain HTTP proxy" },
	{ "http proxy URL, TLS port", NULL, { PX_UPTO_TCP, .tunnel = DTUN_CLOSED,
	  .tunnel_error = "reading the answer to CONNECT: Connection reset by peer",
	  .proxy_speaks = DSPEAKS_TLS, .proxy_handshake = { PX_CERT } },
	  "proxy_speaks_tls", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET "EOF", 1, "write it as https://proxy.corp:3128" },
	{ "http proxy URL, TLS port with an unknown CA", NULL, { PX_UPTO_TCP,
	  .tunnel = DTUN_CLOSED, .proxy_speaks = DSPEAKS_TLS,
	  .proxy_handshake = { PX_CERT, .chain = DCHAIN_UNKNOWN_CA } },
	  "proxy_speaks_tls", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET "EOF", 1, "set SSL_CERT_FILE to its path" },
	{ "https proxy wants credentials", NULL, { HPX_UPTO_TCP,
	  .proxy_handshake = { PX_CERT }, .tunnel = DTUN_STATUS, .tunnel_code = 407,
	  .tunnel_reason = "Proxy Authentication Required" },
	  "proxy_auth_required", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET "Proxy Authentication Required", 1, "(https://USER:PASSWORD@host:port)" },
	{ "TLS handshake stalls", NULL, { UPTO_TCP, .tls = DTLS_TIMEOUT },
	  "tls_timeout", "oooo-f----", "", "ErrRegisterACMEAccount",
	  REG GET "net/http: TLS handshake timeout", 1, "SNI filtering" },
	{ "TLS reset", NULL, { UPTO_TCP, .tls = DTLS_FAILED,
	  .tls_error = "wrong version number" },
	  "tls_failed", "oooo-f----", "", "ErrRegisterACMEAccount",
	  REG GET "wrong version number", 1, "speaks HTTPS" },
	{ "ingress.local, Go 1.19 wording", "v1.11.0", { UPTO_TCP, .tls = DTLS_OK,
	  .name_mismatch = true, .chain = DCHAIN_UNKNOWN_CA, .self_signed = true,
	  .dns_names = SAN_ING, .ndns = 1 },
	  "tls_name_mismatch", "oooo-f----", "", "ErrRegisterACMEAccount",
	  REG GET "x509: certificate is valid for ingress.local, not acme.example.com", 1,
	  "default certificate of ingress-nginx" },
	{ "intercepting proxy", "v1.12.0", { UPTO_TCP, TLS_OK, .chain = DCHAIN_UNKNOWN_CA,
	  .issuer = "CN=Corp Inspection CA", .chain_error = "unable to get local issuer "
	  "certificate" },
	  "tls_untrusted", "oooo-f----", "", "ErrRegisterACMEAccount",
	  REG GET TLSV "x509: certificate signed by unknown authority", 1,
	  "CN=Corp Inspection CA is not a known CA here" },
	{ "self-signed server", NULL, { UPTO_TCP, TLS_OK, .chain = DCHAIN_UNKNOWN_CA,
	  .self_signed = true },
	  "tls_untrusted", "oooo-f----", "", "ErrRegisterACMEAccount",
	  REG GET TLSV "x509: certificate signed by unknown authority", 1, "self-signed" },
	{ "expired certificate", "v1.3.0", { UPTO_TCP, TLS_OK, .chain = DCHAIN_EXPIRED,
	  .chain_error = "certificate has expired" },
	  "tls_untrusted", "oooo-f----", "", "ErrRegisterACMEAccount",
	  VER GET "x509: certificate has expired or is not yet valid", 2, "clock" },
	{ "skipTLSVerify hides an unknown CA", NULL, { HEALTHY, .skip_tls_verify = true,
	  .chain = DCHAIN_UNKNOWN_CA },
	  "ok", "oooo-ooo-o", "tls_verify_skipped", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "drop skipTLSVerify" },
	{ "IP server, IP SAN mismatch", NULL, { SERVER, .server = "https://192.0.2.10/dir",
	  .host = "192.0.2.10", ROUTE_DIRECT, .dns = DDNS_LITERAL, .conns = CIP_OK, .nconns = 1,
	  .tls = DTLS_OK, .name_mismatch = true, .ip_names = SAN_IP, .nip = 1 },
	  "tls_name_mismatch", "oo-o-f----", "", "ErrRegisterACMEAccount",
	  "Failed to register ACME account: Get \"https://192.0.2.10/dir\": " TLSV
	  "x509: certificate is valid for 192.0.2.11, not 192.0.2.10", 1, "valid for 192.0.2.11" },
	{ "certificate without names", NULL, { UPTO_TCP, .tls = DTLS_OK, .name_mismatch = true },
	  "tls_name_mismatch", "oooo-f----", "", "ErrRegisterACMEAccount",
	  REG GET TLSV "x509: certificate is not valid for any names, but wanted to match "
	  "acme.example.com", 1, "no names" },
	{ "directory never answers", NULL, { UPTO_TLS, .http = DHTTP_TIMEOUT,
	  .http_error = "no response before the deadline" },
	  "http_timeout", "oooo-of---", "", "ErrRegisterACMEAccount",
	  REG GET "context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
	  1, "larger --timeout" },
	{ "slow CA cut by the 10 s deadline", "v1.1.0", { UPTO_TLS, .http = DHTTP_TIMEOUT,
	  .sync_cut = true, .ms = { [DIAG_HTTP] = 9990 }, .cm_ms = { [DIAG_HTTP] = 9990 } },
	  "deadline_exceeded", "oooo-of--f", "", "ErrRegisterACMEAccount",
	  VER "context deadline exceeded", 2, "upgrade to a supported release such as " CM_VERSION_CURRENT },
	{ "slow CA, 2 min deadline", "v1.9.0", { HEALTHY, .cm_ms = { [DIAG_HTTP] = 11000 } },
	  "ok", "oooo-ooo-o", "slow_ca", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "nothing to change" },
	{ "steps fit alone, not together", "v1.8.0", { HEALTHY,
	  .cm_ms = { [DIAG_HTTP] = 6000, [DIAG_NONCE] = 4500 } },
	  "deadline_exceeded", "oooo-ooo-f", "", NULL, NULL, 1, "10 s sync deadline" },
	{ "captive portal page", NULL, { UPTO_TLS, .http = DHTTP_NOT_ACME, .http_status = 200,
	  .content_type = "text/html", .not_acme = "an HTML page",
	  .go_error = "invalid character '<' looking for beginning of value" },
	  "not_acme_directory", "oooo-of---", "", "ErrRegisterACMEAccount",
	  REG "invalid character '<' looking for beginning of value", 1, "captive portal" },
	{ "wrong path", NULL, { UPTO_TLS, .http = DHTTP_NOT_ACME, .http_status = 404,
	  .go_error = "404 : 404 page not found" },
	  "not_acme_directory", "oooo-of---", "", "ErrRegisterACMEAccount",
	  REG "404 : 404 page not found", 0, "check spec.acme.server" },
	{ "directory 503 in maintenance", NULL, { UPTO_TLS, .http = DHTTP_NOT_ACME,
	  .http_status = 503, .go_error = "503 urn:ietf:params:acme:error:serverInternal: "
	  "down for maintenance" },
	  "ca_unavailable", "oooo-of---", "", "ErrRegisterACMEAccount",
	  REG "503 urn:ietf:params:acme:error:serverInternal: down for maintenance", 1,
	  "the CA at acme.example.com answers 503: it is reached but failing" },
	{ "newNonce answers HEAD with 405", NULL, { UPTO_HTTP, .nonce = DNONCE_FAILED,
	  .nonce_status = 405, .nonce_status_text = "405 Method Not Allowed",
	  .nonce_error = "-> 405 without Replay-Nonce" },
	  "not_acme_directory", "oooo-oof--", "", "ErrRegisterACMEAccount",
	  REG "405 : 405 Method Not Allowed", 0, "see the nonce step" },
	{ "newNonce answers HEAD with 502", NULL, { UPTO_HTTP, .nonce = DNONCE_FAILED,
	  .nonce_status = 502, .nonce_status_text = "502 Bad Gateway",
	  .nonce_error = "-> 502 without Replay-Nonce" },
	  "ca_unavailable", "oooo-oof--", "", "ErrRegisterACMEAccount",
	  REG "502 : 502 Bad Gateway", 1, "answers 502" },
	{ "certificate flight lost, small packets pass", NULL, { UPTO_TCP, .tls = DTLS_TIMEOUT,
	  .small_mss = 1360, .small_mtu = 1400 },
	  "path_mtu_blackhole", "oooo-f----", "", "ErrRegisterACMEAccount",
	  REG GET "net/http: TLS handshake timeout", 1,
	  "segments of 1360 bytes (packets of 1400) works: a path-MTU black hole" },
	{ "handshake timeout, small packets do not help", NULL, { UPTO_TCP,
	  .tls = DTLS_TIMEOUT },
	  "tls_timeout", "oooo-f----", "", "ErrRegisterACMEAccount",
	  REG GET "net/http: TLS handshake timeout", 1, "SNI filtering" },
	{ "plain HTTP on the TLS port", NULL, { UPTO_TCP, .tls = DTLS_FAILED,
	  .tls_error = "wrong version number", .tls_http_answer = true },
	  "tls_failed", "oooo-f----", "", "ErrRegisterACMEAccount",
	  REG GET "http: server gave HTTP response to HTTPS client", 1,
	  "does not complete a TLS handshake" },
	{ "a TLS 1.0/1.1-only server refuses Go 1.18's hello with an alert", "v1.21.1", {
	  UPTO_TCP, .tls = DTLS_FAILED, .tls_error = "tlsv1 alert protocol version",
	  .tls_alert_received = true, .tls_alert = 70 },
	  "tls_failed", "oooo-f----", "", "ErrRegisterACMEAccount",
	  REG GET "remote error: tls: protocol version not supported", 1,
	  "Go 1.18 and later offer only TLS 1.2 and 1.3" },
	{ "a server answering Go 1.18's hello with TLS 1.0: Go refuses the version",
	  "v1.21.1", { UPTO_TCP, .tls = DTLS_FAILED, .tls_error = "unsupported protocol",
	  .tls_server_version = 0x0301 },
	  "tls_failed", "oooo-f----", "", "ErrRegisterACMEAccount",
	  REG GET "tls: server selected unsupported protocol version 301", 1,
	  "enable TLS 1.2 on the server" },
	{ "TLS 1.1 is fine for v1.8.0 (Go 1.17), and the upgrade's failure is named",
	  "v1.8.0", { HEALTHY, .tls_version = "TLSv1.1", .tls_go118 = { .result = DTLS_FAILED,
	  .alert_received = true, .alert = 70 } },
	  "ok", "oooo-ooo-o", "tls_legacy_version", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "nothing to change" },
	{ "an https:// proxy on TLS 1.0: fine for v1.8.0, and said to break on upgrade",
	  "v1.8.0", { HPX_UPTO_TCP, .proxy_handshake = { PX_CERT, .version = "TLSv1" },
	  .tunnel = DTUN_OK, .tunnel_code = 200, .tunnel_reason = "Connection established",
	  TLS_OK, HTTP_OK, .nonce = DNONCE_OK, .nonce_status = 200, .account = DACCT_NO_KEY },
	  "ok", "oooooooo-o", "tls_legacy_version", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "nothing to change" },
	{ "an https:// proxy that refuses Go 1.18's hello: proxyconnect and Go's alert",
	  "v1.21.1", { HPX_UPTO_TCP, .proxy_handshake = { .result = DTLS_FAILED,
	  .error = "tlsv1 alert protocol version", .alert_received = true, .alert = 70 } },
	  "proxy_tls_failed", "oooof-----", "", "ErrRegisterACMEAccount",
	  REG GET PXC "remote error: tls: protocol version not supported", 1,
	  "accepts TLS 1.2 or 1.3" },
	{ "a close_notify alert in the handshake is Go's EOF", NULL, { UPTO_TCP,
	  .tls = DTLS_FAILED, .tls_error = "unexpected eof", .tls_alert_received = true,
	  .tls_alert = 0 },
	  "tls_failed", "oooo-f----", "", "ErrRegisterACMEAccount", REG GET "EOF", 1,
	  "does not complete a TLS handshake" },
	{ "neither TLS nor HTTP on the port", NULL, { UPTO_TCP, .tls = DTLS_FAILED,
	  .tls_error = "wrong version number", .tls_not_tls = true },
	  "tls_failed", "oooo-f----", "", "ErrRegisterACMEAccount",
	  REG GET "tls: first record does not look like a TLS handshake", 1,
	  "does not complete a TLS handshake" },
	{ "closed during the handshake", "v1.11.0", { UPTO_TCP, .tls = DTLS_FAILED,
	  .tls_error = "the server closed the connection during the handshake",
	  .tls_closed = true },
	  "tls_failed", "oooo-f----", "", "ErrRegisterACMEAccount",
	  REG GET "EOF", 1, "does not complete a TLS handshake" },
	{ "certificate with only a common name", NULL, { UPTO_TCP, TLS_OK, .ndns = 0,
	  .name_mismatch = true, .common_name = "acme.example.com" },
	  "tls_name_mismatch", "oooo-f----", "", "ErrRegisterACMEAccount",
	  REG GET TLSV "x509: certificate relies on legacy Common Name field, use SANs "
	  "instead", 1, "the connection reached another server" },
	{ "expired certificate, Go names the times", "v1.11.0", { UPTO_TCP, TLS_OK,
	  .has_san = true, .chain = DCHAIN_EXPIRED, .chain_error = "certificate has expired",
	  .now = 1796396400LL, .not_before = 1788620400LL, .not_after = 1796310000LL },
	  "tls_untrusted", "oooo-f----", "", "ErrRegisterACMEAccount",
	  REG GET "x509: certificate has expired or is not yet valid: current time "
	  "2026-12-04T15:00:00Z is after 2026-12-03T15:00:00Z", 1, "this host's clock" },
	{ "ACME v1 directory", NULL, { UPTO_TLS, .http = DHTTP_NOT_ACME, .http_status = 200,
	  .not_acme = "an ACME v1 directory",
	  .v1_replacement = "https://acme-v02.api.letsencrypt.org/directory",
	  .go_error = "Head \"\": unsupported protocol scheme \"\"" },
	  "not_acme_directory", "oooo-of---", "", "ErrRegisterACMEAccount",
	  REG "Head \"\": unsupported protocol scheme \"\"", 1, "use the v2 URL" },
	{ "no Replay-Nonce", NULL, { UPTO_HTTP, .nonce = DNONCE_MISSING, .nonce_status = 200 },
	  "not_acme_directory", "oooo-oof--", "", "ErrRegisterACMEAccount",
	  REG "acme: nonce not found", 1, "see the nonce step" },
	{ "nonce cut by the deadline", "v1.7.2", { UPTO_HTTP, .nonce = DNONCE_TIMEOUT,
	  .sync_cut = true },
	  "deadline_exceeded", "oooo-oof-f", "", NULL, NULL, 1, "upgrade to a supported release such as " CM_VERSION_CURRENT },
	{ "EAB required", NULL, { UPTO_NONCE, .account = DACCT_FAILED, .account_status = 400,
	  .account_4xx = true, .account_problem = "urn:ietf:params:acme:error:"
	  "externalAccountRequired: no EAB" },
	  "account_error", "oooo-ooof-", "", "ErrRegisterACMEAccount",
	  REG "400 urn:ietf:params:acme:error:externalAccountRequired: no EAB", 0,
	  "externalAccountBinding" },
	{ "EAB set, MAC refused", NULL, { UPTO_NONCE, .account = DACCT_FAILED, .account_status = 400,
	  .account_4xx = true, .account_problem = "urn:ietf:params:acme:error:"
	  "externalAccountRequired: no EAB", .eab_configured = true },
	  "account_error", "oooo-ooof-", "", "ErrRegisterACMEAccount",
	  REG "400 urn:ietf:params:acme:error:externalAccountRequired: no EAB", 0,
	  "the MAC key in its Secret" },
	{ "account lookup never answers", NULL, { UPTO_NONCE, .account = DACCT_TIMEOUT,
	  .account_problem = "no response before the deadline" },
	  "http_timeout", "oooo-ooof-", "", "ErrRegisterACMEAccount",
	  REG "Post \"" ACCT_URL "\": context deadline exceeded (Client.Timeout exceeded "
	  "while awaiting headers)", 1, "larger --timeout" },
	{ "contact changed, Issuer shows the old failure", NULL, { HEALTHY,
	  .email = "New@Example.com", .registered_email = "old@example.com",
	  .issuer_condition = "False ErrRegisterACMEAccount: Failed to register ACME account: "
	  "context deadline exceeded" },
	  "ok", "oooo-ooo-o", "issuer_status,email_changed", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "nothing to change" },
	{ "same contact in another case: cert-manager compares exactly, so it is a change",
	  NULL, { HEALTHY, .email = "Ops@Example.com", .registered_email = "ops@example.com" },
	  "ok", "oooo-ooo-o", "email_changed", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", 0, "nothing to change" },
	{ "caBundle and skipTLSVerify", NULL, { SERVER, .config = DCONF_INVALID,
	  .config_problem = "the server \"ftp://acme.example.com/\" is not an https:// URL" },
	  "config_invalid", "f---------", "", "InvalidConfig",
	  "the server \"ftp://acme.example.com/\" is not an https:// URL", 0, "fix the Issuer" },
};

/* "o", "f" or "-" per step. */
static void step_marks(const struct diag_report *r, char *out)
{
	for (int i = 0; i < DIAG_NSTEPS; i++)
		out[i] = r->steps[i].status == DIAG_OK ? 'o' : r->steps[i].status == DIAG_FAIL ?
		    'f' : '-';
	out[DIAG_NSTEPS] = '\0';
}

static char *finding_ids(const struct diag_report *r)
{
	const char **ids = xcalloc(r->nfindings + 1, sizeof(*ids));
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < r->nfindings; i++) {
		ids[i] = r->findings[i].id;
		len += strlen(ids[i]) + 1;
	}
	s = xmalloc(len);
	s[0] = '\0';
	for (size_t i = 0; i < r->nfindings; i++) {
		if (i > 0)
			strcat(s, ",");
		strcat(s, ids[i]);
	}
	free(ids);
	return s;
}

/* Every step line has a detail, and every finding and advice is one line. */
static bool lines_complete(const struct diag_report *r)
{
	for (int i = 0; i < DIAG_NSTEPS; i++)
		if (r->steps[i].detail == NULL || r->steps[i].detail[0] == '\0' ||
		    strchr(r->steps[i].detail, '\n') != NULL)
			return false;
	for (size_t i = 0; i < r->nfindings; i++)
		if (r->findings[i].detail == NULL || strchr(r->findings[i].detail, '\n') != NULL)
			return false;
	for (size_t i = 0; i < r->nadvice; i++)
		if (strchr(r->advice[i], '\n') != NULL)
			return false;
	return true;
}

static void test_rows(void)
{
	struct diag_report r;
	char marks[DIAG_NSTEPS + 1], *ids;

	for (size_t i = 0; i < nitems(rows); i++) {
		if (!test_conclude(&rows[i].f, rows[i].version, &r)) {
			CHECK(false, "[%s] no release %s", rows[i].name, rows[i].version);
			continue;
		}
		CHECK_STR(diag_verdict_name(r.verdict), rows[i].verdict, rows[i].name);
		step_marks(&r, marks);
		CHECK_STR(marks, rows[i].steps, rows[i].name);
		ids = finding_ids(&r);
		CHECK_STR(ids, rows[i].findings, rows[i].name);
		free(ids);
		CHECK_STR(r.cm.reason, rows[i].reason, rows[i].name);
		CHECK_STR(r.cm.message, rows[i].message, rows[i].name);
		CHECK_INT(r.cm.nevents, rows[i].nevents, rows[i].name);
		CHECK(test_advice_has(&r, rows[i].advice), "[%s] no advice containing \"%s\"",
		    rows[i].name, rows[i].advice);
		CHECK(lines_complete(&r), "[%s] a line is empty or has a line break",
		    rows[i].name);
		CHECK_INT(r.verdict == DVERDICT_OK, r.failed == DIAG_NSTEPS, rows[i].name);
		diag_report_free(&r);
	}
}

/* The JSON document: its exact shape, and bytes that must be escaped. */
static void test_json(void)
{
	static const char *const top[] = { "verdict", "steps", "findings", "cert_manager",
	    "advice" };
	static const char *const cm_keys[] = { "version", "reason", "message",
	    "condition_written", "events", "log", "webhook_error" };
	static const char *const step_keys[] = { "name", "status", "ms", "detail" };
	static const char *const names[] = { "config", "route", "dns", "tcp", "proxy",
	    "tls", "http", "nonce", "account", "deadline" };
	static const char *const status[] = { "ok", "ok", "ok", "ok", "skip", "fail", "skip",
	    "skip", "skip", "skip" };
	struct diag_facts f = { UPTO_TCP, .tls = DTLS_OK, .name_mismatch = true,
	    .chain = DCHAIN_UNKNOWN_CA, .self_signed = true, .dns_names = SAN_ING, .ndns = 1,
	    .subject = "CN=bad\001\xff", .issuer = "CN=caf\xc3\xa9" };
	struct diag_report r;
	json_t *doc, *steps, *step, *cm, *ev;
	const char *key, *detail;
	json_t *value;
	char *text;
	size_t i = 0;

	cm_version_parse("v1.1.0", &f.cm);
	diag_conclude(&f, &r);
	text = diag_report_json(&r);
	doc = json_loads(text, 0, NULL);
	CHECK(json_is_object(doc), "report is not a JSON object: %s", text);
	json_object_foreach(doc, key, value) {
		CHECK_STR(key, i < nitems(top) ? top[i] : "(extra)", "top-level key order");
		i++;
	}
	CHECK_INT(i, nitems(top), "top-level keys");
	CHECK_STR(json_string_value(json_object_get(doc, "verdict")), "tls_name_mismatch",
	    "json verdict");
	steps = json_object_get(doc, "steps");
	CHECK_INT(json_array_size(steps), DIAG_NSTEPS, "json steps");
	json_array_foreach(steps, i, step) {
		size_t k = 0;

		json_object_foreach(step, key, value) {
			CHECK_STR(key, k < nitems(step_keys) ? step_keys[k] : "(extra)", names[i]);
			k++;
		}
		CHECK_STR(json_string_value(json_object_get(step, "name")), names[i], "step name");
		CHECK_STR(json_string_value(json_object_get(step, "status")), status[i], names[i]);
		CHECK(json_is_integer(json_object_get(step, "ms")), "%s: ms not an integer",
		    names[i]);
	}
	detail = json_string_value(json_object_get(json_array_get(steps, DIAG_TLS), "detail"));
	CHECK(detail != NULL && strstr(detail, "subject CN=bad\\x01\\xff;") != NULL,
	    "control and invalid bytes escaped: %s", detail ? detail : "(null)");
	CHECK(detail != NULL && strstr(detail, "issuer CN=caf\xc3\xa9;") != NULL,
	    "valid UTF-8 kept: %s", detail ? detail : "(null)");
	cm = json_object_get(doc, "cert_manager");
	i = 0;
	json_object_foreach(cm, key, value) {
		CHECK_STR(key, i < nitems(cm_keys) ? cm_keys[i] : "(extra)", "cert_manager keys");
		i++;
	}
	CHECK_STR(json_string_value(json_object_get(cm, "version")), "v1.1.0", "cm version");
	CHECK_STR(json_string_value(json_object_get(cm, "message")), VER GET
	    "x509: certificate is valid for ingress.local, not acme.example.com", "cm message");
	CHECK_INT(json_array_size(json_object_get(cm, "events")), 2, "cm events");
	ev = json_array_get(json_object_get(cm, "events"), 1);
	CHECK_STR(json_string_value(json_object_get(ev, "type")), "Warning", "event type");
	CHECK_STR(json_string_value(json_object_get(ev, "reason")), "ErrInitIssuer",
	    "event reason");
	CHECK_STR(json_string_value(json_object_get(ev, "message")), "Error initializing "
	    "issuer: " GET "x509: certificate is valid for ingress.local, not acme.example.com",
	    "event message");
	CHECK(json_is_array(json_object_get(doc, "findings")), "findings is an array");
	CHECK(json_array_size(json_object_get(doc, "advice")) > 0, "advice given");
	json_decref(doc);
	free(text);
	diag_report_free(&r);
}

static void test_step_names(void)
{
	static const struct {
		enum diag_step step;
		const char *name;
	} names[] = {
		{ DIAG_CONFIG, "config" }, { DIAG_ROUTE, "route" }, { DIAG_DNS, "dns" },
		{ DIAG_TCP, "tcp" }, { DIAG_PROXY, "proxy" }, { DIAG_TLS, "tls" },
		{ DIAG_HTTP, "http" }, { DIAG_NONCE, "nonce" }, { DIAG_ACCOUNT, "account" },
		{ DIAG_DEADLINE, "deadline" }, { DIAG_NSTEPS, "none" },
	};

	for (size_t i = 0; i < nitems(names); i++)
		CHECK_STR(diag_step_name(names[i].step), names[i].name, "step name");
}

/* A sync that runs out of time: what each version shows, with and without
 * a Ready condition from an earlier sync. */
static void test_deadline_views(void)
{
	static const struct cm_condition ready = { "True", "ACMEAccountRegistered",
	    "The ACME account was registered with the ACME server" };
	static const struct {
		const char *version;
		const struct cm_condition *before;
		bool written;
		const char *status, *reason, *message;
		size_t nevents;
	} deadline_rows[] = {
		{ "v1.0.0", NULL, true, "False", "ErrRegisterACMEAccount",
		  VER "context deadline exceeded", 2 },
		{ "v1.2.0", &ready, true, "False", "ErrRegisterACMEAccount",
		  VER "context deadline exceeded", 2 },
		{ "v1.3.0", NULL, false, NULL, NULL, NULL, 2 },
		{ "v1.3.3", &ready, false, "True", "ACMEAccountRegistered",
		  "The ACME account was registered with the ACME server", 2 },
		{ "v1.4.0", NULL, false, NULL, NULL, NULL, 1 },
		{ "v1.8.1", &ready, false, "True", "ACMEAccountRegistered",
		  "The ACME account was registered with the ACME server", 1 },
		{ "v1.21.1", NULL, false, NULL, NULL, NULL, 1 },
	};
	struct diag_report r;
	struct diag_facts f;
	char *json;

	for (size_t i = 0; i < nitems(deadline_rows); i++) {
		f = (struct diag_facts){ UPTO_HTTP, .nonce = DNONCE_TIMEOUT, .sync_cut = true };
		if (deadline_rows[i].before != NULL)
			f.issuer_ready = *deadline_rows[i].before;
		CHECK_INT(cm_version_parse(deadline_rows[i].version, &f.cm), 0, deadline_rows[i].version);
		diag_conclude(&f, &r);
		CHECK_STR(diag_verdict_name(r.verdict), "deadline_exceeded", deadline_rows[i].version);
		CHECK_INT(r.cm.condition_written, deadline_rows[i].written, deadline_rows[i].version);
		CHECK_STR(r.cm.status, deadline_rows[i].status, deadline_rows[i].version);
		CHECK_STR(r.cm.reason, deadline_rows[i].reason, deadline_rows[i].version);
		CHECK_STR(r.cm.message, deadline_rows[i].message, deadline_rows[i].version);
		CHECK_INT(r.cm.nevents, deadline_rows[i].nevents, deadline_rows[i].version);
		CHECK_STR(r.cm.events[r.cm.nevents - 1].message, "Error initializing issuer: "
		    "context deadline exceeded", deadline_rows[i].version);
		CHECK_STR(r.cm.log, "\"error setting up issuer\" err=\"context deadline "
		    "exceeded\"", deadline_rows[i].version);
		CHECK(test_advice_has(&r, "cannot update the Ready condition") ==
		    !deadline_rows[i].written, "[%s] advice about the unwritten condition only when it is", deadline_rows[i].version);
		json = diag_report_json(&r);
		CHECK(strstr(json, deadline_rows[i].written ? "\"condition_written\": true" :
		    "\"condition_written\": false") != NULL, "[%s] json: %s", deadline_rows[i].version,
		    json);
		free(json);
		diag_report_free(&r);
	}
}

/* The verdict ids are a contract (scripts match them): every enum value has
 * its documented id, and only proxy_* ones are about the proxy. */
static void test_verdict_names(void)
{
	static const struct {
		enum diag_verdict verdict;
		const char *name;
		bool proxy;
	} names[] = {
		{ DVERDICT_OK, "ok", false },
		{ DVERDICT_CONFIG_INVALID, "config_invalid", false },
		{ DVERDICT_DNS_FAILURE, "dns_failure", false },
		{ DVERDICT_DNS_SEARCH_HIJACK, "dns_search_hijack", false },
		{ DVERDICT_CONNECT_TIMEOUT, "connect_timeout", false },
		{ DVERDICT_CONNECT_REFUSED, "connect_refused", false },
		{ DVERDICT_PROXY_UNREACHABLE, "proxy_unreachable", true },
		{ DVERDICT_PROXY_TLS_FAILED, "proxy_tls_failed", true },
		{ DVERDICT_PROXY_TLS_UNTRUSTED, "proxy_tls_untrusted", true },
		{ DVERDICT_PROXY_SPEAKS_HTTP, "proxy_speaks_http", true },
		{ DVERDICT_PROXY_SPEAKS_TLS, "proxy_speaks_tls", true },
		{ DVERDICT_PROXY_AUTH_REQUIRED, "proxy_auth_required", true },
		{ DVERDICT_PROXY_REFUSED, "proxy_refused", true },
		{ DVERDICT_TLS_TIMEOUT, "tls_timeout", false },
		{ DVERDICT_TLS_UNTRUSTED, "tls_untrusted", false },
		{ DVERDICT_TLS_NAME_MISMATCH, "tls_name_mismatch", false },
		{ DVERDICT_TLS_FAILED, "tls_failed", false },
		{ DVERDICT_HTTP_TIMEOUT, "http_timeout", false },
		{ DVERDICT_NOT_ACME_DIRECTORY, "not_acme_directory", false },
		{ DVERDICT_ACCOUNT_NOT_FOUND, "account_not_found", false },
		{ DVERDICT_ACCOUNT_ERROR, "account_error", false },
		{ DVERDICT_DEADLINE_EXCEEDED, "deadline_exceeded", false },
		{ DVERDICT_PROXY_CANNOT_REACH, "proxy_cannot_reach", true },
		{ DVERDICT_PROXY_AUTH_UNSUPPORTED, "proxy_auth_unsupported", true },
		{ DVERDICT_NO_ROUTE, "no_route", false },
		{ DVERDICT_CA_UNAVAILABLE, "ca_unavailable", false },
		{ DVERDICT_PATH_MTU_BLACKHOLE, "path_mtu_blackhole", false },
		{ DVERDICT_DNS_SLOW, "dns_slow", false },
		{ (enum diag_verdict)DIAG_NVERDICTS, "unknown", false },
	};

	CHECK_INT(nitems(names), DIAG_NVERDICTS + 1, "every verdict has a row");
	for (size_t i = 0; i < nitems(names); i++) {
		CHECK_STR(diag_verdict_name(names[i].verdict), names[i].name, "verdict name");
		CHECK_INT(diag_verdict_is_proxy(names[i].verdict), names[i].proxy,
		    names[i].name);
	}
}

/* The answer to CONNECT as probe_tunnel_parse() reads it. */
static void test_tunnel_answers(void)
{
	static const struct {
		const char *head;
		int code;           /* -1: garbled */
		const char *squid_error, *auth_schemes;
	} answers[] = {
		{ "HTTP/1.1 200 Connection established\r\n\r\n", 200, NULL, NULL },
		{ "HTTP/1.1 503 Service Unavailable\r\nServer: squid/5.7\r\n"
		  "X-Squid-Error: ERR_CONNECT_FAIL 113\r\n\r\n<html>", 503,
		  "ERR_CONNECT_FAIL 113", NULL },
		{ "HTTP/1.1 407 Proxy Authentication Required\r\n"
		  "Proxy-Authenticate: Negotiate\r\nProxy-Authenticate: NTLM\r\n\r\n", 407,
		  NULL, "Negotiate, NTLM" },
		{ "HTTP/1.0 407 x\nproxy-authenticate:   Basic realm=\"a, b\"\n\n", 407, NULL,
		  "Basic" },
		{ "HTTP/1.1 407 x\r\nProxy-Authenticate:\r\n\r\n", 407, NULL, NULL },
		/* headers after the end of the headers are body, not headers */
		{ "HTTP/1.1 502 Bad Gateway\r\n\r\nX-Squid-Error: forged\r\n", 502, NULL, NULL },
		{ "HTTP/1.1 503\r\nX-Squid-Error-Extra: no\r\nX-Squid-Error: ERR_DNS_FAIL 0\r\n"
		  "X-Squid-Error: second\r\n\r\n", 503, "ERR_DNS_FAIL 0", NULL },
		{ "SSH-2.0-OpenSSH_9.2\r\n", -1, NULL, NULL },
		{ "", -1, NULL, NULL },
	};
	struct probe_tunnel t;
	char *big = xmalloc(1000), *head;

	for (size_t i = 0; i < nitems(answers); i++) {
		memset(&t, 0, sizeof(t));
		probe_tunnel_parse(answers[i].head, strlen(answers[i].head), &t);
		if (answers[i].code < 0) {
			CHECK_INT(t.status, PROBE_TUNNEL_GARBLED, answers[i].head);
		} else {
			CHECK_INT(t.code, answers[i].code, answers[i].head);
			CHECK_INT(t.status, answers[i].code == 200 ? PROBE_TUNNEL_OK :
			    PROBE_TUNNEL_STATUS, answers[i].head);
		}
		CHECK_STR(t.squid_error, answers[i].squid_error, answers[i].head);
		CHECK_STR(t.auth_schemes, answers[i].auth_schemes, answers[i].head);
		probe_tunnel_clear(&t);
	}
	/* tinyproxy's own page names it in Server; an answer it relayed (from
	 * a proxy behind it) carries its Via too */
	head = "HTTP/1.1 500 Unable to connect\r\nServer: tinyproxy/1.11.1\r\n\r\n";
	memset(&t, 0, sizeof(t));
	probe_tunnel_parse(head, strlen(head), &t);
	CHECK_STR(t.tinyproxy, "tinyproxy/1.11.1", "tinyproxy's own 500");
	probe_tunnel_clear(&t);
	head = "HTTP/1.1 503 x\r\nServer: tinyproxy/1.11.1\r\nVia: 1.1 vm (tinyproxy/1.11.1)\r\n\r\n";
	probe_tunnel_parse(head, strlen(head), &t);
	CHECK_STR(t.tinyproxy, NULL, "relayed through tinyproxy: not its own");
	probe_tunnel_clear(&t);
	head = "HTTP/1.1 500 x\r\nServer: squid/5.7\r\n\r\n";
	probe_tunnel_parse(head, strlen(head), &t);
	CHECK_STR(t.tinyproxy, NULL, "another proxy's Server");
	probe_tunnel_clear(&t);
	/* a hostile proxy's long header value is cut */
	memset(big, 'A', 999);
	big[999] = '\0';
	head = xasprintf("HTTP/1.1 503 x\r\nX-Squid-Error: %s\r\n\r\n", big);
	memset(&t, 0, sizeof(t));
	probe_tunnel_parse(head, strlen(head), &t);
	CHECK_INT(t.squid_error != NULL ? strlen(t.squid_error) : 0, 200, "value cut at 200");
	probe_tunnel_clear(&t);
	free(head);
	free(big);
}

int main(void)
{
	test_rows();
	test_tunnel_answers();
	test_json();
	test_step_names();
	test_verdict_names();
	test_deadline_views();
	return test_done();
}
