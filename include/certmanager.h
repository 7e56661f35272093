/* certmanager.h - a pure model of how a cert-manager release sets up an ACME
 * (Cluster)Issuer: the deadlines it runs under, the Go proxy rule it was built
 * with, the Ready condition and events it records, and Go's wording of the
 * errors that end up in that condition.
 *
 * No I/O. diagnose uses it to say "this is what cert-manager vX would show".
 * Facts come from cert-manager's issuer setup and controller sync code and
 * from Go's net, net/http and crypto/x509 packages.
 */
#ifndef ACMECTL_CERTMANAGER_H
#define ACMECTL_CERTMANAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/evp.h>

/* The version assumed when none is given. */
#define CM_VERSION_CURRENT "v1.21.1"

struct cm_version {
	int major, minor, patch;
};

/* Parses "v1.8.2", "1.8.2", "1.9" (patch 0) or NULL (CM_VERSION_CURRENT).
 * Returns 0, or -1 with ERR_USAGE naming the bad value. Only released
 * versions, v1.0.0 ... v1.21.1, are accepted: for another one (v1.7.4,
 * v1.8.10, v1.22.0) the error names the nearest releases. */
int cm_version_parse(const char *s, struct cm_version *out);

/* Compares like strcmp: <0, 0, >0. */
int cm_version_cmp(const struct cm_version *a, const struct cm_version *b);

/* "v1.8.2". Caller frees. */
char *cm_version_string(const struct cm_version *v);

/* How long each part of one Issuer sync may take, in milliseconds. */
struct cm_deadlines {
	long sync_ms;          /* context of the whole setup: 10 s or 2 min */
	long http_client_ms;   /* http.Client.Timeout per request: 30 s or 90 s */
	long dial_ms;          /* net.Dialer timeout: 30 s */
	long tls_handshake_ms; /* Transport.TLSHandshakeTimeout: 10 s */
};

/* Fills out with the deadlines of version v: 10 s sync / 30 s client for
 * <= 1.7.2, 1.8.0 and 1.8.1; 2 min / 90 s for 1.7.3+, 1.8.2+ and >= 1.9. */
void cm_deadlines(const struct cm_version *v, struct cm_deadlines *out);

/* True when v has the short 10 s sync deadline. */
bool cm_short_deadline(const struct cm_version *v);

/* How long cert-manager's ACME client waits in all before retry number
 * 1 ... retries of a badNonce (HTTP 400): 1 s, 2 s, then 3 s each, plus up
 * to 1 s of jitter each (not counted); it stops after 5 retries, 6
 * attempts, about 12 s. */
long cm_bad_nonce_backoff_ms(int retries);

/* The minor number N of the Go 1.N toolchain the release was built with
 * (its Makefile's VENDORED_GO_VERSION or WORKSPACE; only the thresholds
 * matter: <= 15 and >= 20). */
int cm_go_minor(const struct cm_version *v);

/* True when v's Go (<= 1.15) uses HTTP_PROXY for https:// URLs when
 * HTTPS_PROXY is unset; Go 1.16 dropped that fallback. */
bool cm_https_uses_http_proxy(const struct cm_version *v);

/* True when v's Go (>= 1.20) wraps certificate verification errors in
 * "tls: failed to verify certificate: ". */
bool cm_wraps_tls_verify_errors(const struct cm_version *v);

/* One Kubernetes event cert-manager records. */
struct cm_event {
	const char *type;    /* "Warning"; static */
	const char *reason;  /* e.g. "ErrInitIssuer"; static */
	char *message;       /* owned by the view */
};

/* A Ready condition as an Issuer's status holds it. Strings borrowed; all
 * NULL when the Issuer has none. */
struct cm_condition {
	const char *status, *reason, *message;
};

/* What cert-manager puts in the Issuer's Ready condition, and its events.
 * When condition_written is false the sync could not write the status:
 * status and reason are the condition from before (borrowed from the
 * struct cm_condition given; NULL when there was none), message a copy. */
struct cm_view {
	const char *status;  /* "True" or "False"; static */
	const char *reason;  /* e.g. "ErrRegisterACMEAccount"; static */
	char *message;       /* owned */
	bool condition_written;
	struct cm_event events[2];
	size_t nevents;
	bool requeue;        /* whether cert-manager retries with backoff */
	char *log;           /* the controller's error log line, or NULL; owned */
	char *webhook_error; /* the webhook refuses the manifest: why; else NULL; owned */
};

/* The view of a failed account registration whose Go error text is err
 * (e.g. from cm_err_url() or CM_ERR_DEADLINE). acme_4xx says the error was an
 * ACME problem with a 4xx status: cert-manager then does not retry and, from
 * v1.4, records no ErrInitIssuer event. <= v1.3: message "Failed to verify
 * ACME account: <err>", events ErrVerifyACMEAccount and ErrInitIssuer;
 * >= v1.4: "Failed to register ACME account: <err>", ErrInitIssuer only.
 * Release with cm_view_free(). */
void cm_view_register_failed(const struct cm_version *v, const char *err,
    bool acme_4xx, struct cm_view *out);

/* What an Issuer's spec and status say about its last registration.
 * Strings borrowed; NULL reads as "". */
struct cm_issuer_state {
	const char *server;           /* spec.acme.server */
	const char *email;            /* spec.acme.email */
	bool ready;                   /* its Ready condition is True */
	const char *uri;              /* status.acme.uri */
	const char *registered_email; /* status.acme.lastRegisteredEmail */
	bool key_hash_matches;        /* status.acme.lastPrivateKeyHash is the key's */
};

/* True when v trusts the Issuer's status and makes no ACME request at all
 * (it stays Ready, ACMEAccountRegistered): Ready is True, uri is set and on
 * the server's host (cm_account_host_differs()), the e-mail is exactly the
 * registered one, and from v1.12.0 lastPrivateKeyHash is the key's. */
bool cm_skips_registration(const struct cm_version *v, const struct cm_issuer_state *s);

/* True when v writes the Issuer's status with the sync's own context
 * (v1.3.0 on), so a sync that ran out of time cannot write it. */
bool cm_status_needs_sync_time(const struct cm_version *v);

/* The view of a sync whose context expired (CM_ERR_DEADLINE). v1.0-v1.2
 * write the status with a fresh context: cm_view_register_failed()'s view.
 * From v1.3.0 the write fails on the expired context: the Ready condition
 * stays as before (absent on a new Issuer), and only the events and the
 * log line tell. Release with cm_view_free(). */
void cm_view_deadline(const struct cm_version *v, const struct cm_condition *before,
    struct cm_view *out);

/* The view of a successful registration (Ready=True, ACMEAccountRegistered).
 * Release with cm_view_free(). */
void cm_view_registered(const struct cm_version *v, struct cm_view *out);

/* The view of an account key that is not RSA (Ready=False,
 * ErrVerifyACMEAccount, no retry); secret_name is privateKeySecretRef.name.
 * Release with cm_view_free(). */
void cm_view_key_not_rsa(const char *secret_name, struct cm_view *out);

/* Why cert-manager v cannot read len bytes of a Secret's key data (its
 * pki.DecodePrivateKeyBytes): "error decoding private key PEM block" (from
 * v1.18.3 ": no PEM data was found in given input" follows) when there is
 * no PEM block, "unknown private key type: TYPE" for a block other than
 * PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY. NULL when the first block
 * is of a known type (the key itself decides). Releases from v1.12.14,
 * v1.15.4 and v1.16.2 on refuse more than 13000 bytes before that (from
 * v1.18.3 ": provided PEM data was larger than the maximum 13000B"
 * follows). Caller frees. */
char *cm_key_data_error(const struct cm_version *v, const char *data, size_t len);

/* The view of key data cert-manager cannot read (Ready=False,
 * ErrVerifyACMEAccount, "Account private key is invalid: <why>", no retry).
 * Release with cm_view_free(). */
void cm_view_key_invalid(const char *why, struct cm_view *out);

/* The view of a manifest cert-manager's webhook refuses (kubectl apply
 * fails with why): no condition and no event is ever written. Release
 * with cm_view_free(). */
void cm_view_webhook_rejects(const char *why, struct cm_view *out);

/* The webhook's reason to refuse an ACME Issuer of version v, or NULL:
 * caBundle together with skipTLSVerify (v1.11.0 on: older releases have no
 * caBundle field, the API server drops it), or no server. Static string. */
const char *cm_webhook_refusal(const struct cm_version *v, bool ca_bundle,
    bool skip_tls_verify, const char *server);

/* True when v has spec.acme.caBundle (v1.11.0 on). */
bool cm_has_ca_bundle(const struct cm_version *v);

/* The view of an ACME v1 directory URL (Ready=False, InvalidConfig, no retry)
 * when server is one of Let's Encrypt's v1 URLs; returns false (and leaves out
 * zeroed) otherwise. Release with cm_view_free(). */
bool cm_view_v1_server(const char *server, struct cm_view *out);

/* Frees what a view owns and zeroes it. */
void cm_view_free(struct cm_view *view);

/* The v2 directory URL replacing one of Let's Encrypt's v1 URLs, or NULL.
 * Static string. */
const char *cm_v1_replacement(const char *server);

/* The Host of url as Go's url.Parse sees it: after "scheme://" and any
 * "userinfo@", up to the first '/', '?' or '#', with the port, case kept;
 * "" for an empty URL or one without "//". Caller frees. */
char *cm_url_host(const char *url);

/* True when cert-manager would log "ACME server URL host and ACME private
 * key registration host differ": the hosts of server and account_uri (the
 * Issuer's status.acme.uri; NULL or "" when none) are not equal. An empty
 * uri differs from every server, so the line also appears on a first
 * registration and on every retry: informational, never the cause. */
bool cm_account_host_differs(const char *server, const char *account_uri);

/* base64 (standard, padded) of SHA-256 of the PKCS#1 DER of an RSA key:
 * cert-manager's status.acme.lastPrivateKeyHash. Returns a new string
 * (caller frees) or NULL with ERR_USAGE when key is not RSA. */
char *cm_key_hash(EVP_PKEY *key);

/*
 * Go's wording of the failures that reach the Ready condition. Each returns a
 * new string; caller frees.
 */

/* The bare text Go's ACME client returns when the sync context expired
 * while anything was still in flight. */
#define CM_ERR_DEADLINE "context deadline exceeded"

/* url.Error: `Get "URL": detail`. method is an HTTP method in any case
 * ("GET", "head"); Go prints it capitalised ("Get", "Head", "Post"). */
char *cm_err_url(const char *method, const char *url, const char *detail);

/* `dial tcp IP:PORT: connect: connection refused` ([IP]:PORT for IPv6). */
char *cm_err_dial_refused(const char *ip, int port);

/* `dial tcp IP:PORT: i/o timeout`: the dialer's own 30 s timeout. */
char *cm_err_dial_timeout(const char *ip, int port);

/* `dial tcp: lookup HOST on SERVER:53: no such host` (NXDOMAIN or no
 * address); server NULL gives `dial tcp: lookup HOST: no such host`. */
char *cm_err_dns_not_found(const char *host, const char *server);

/* `dial tcp: lookup HOST on SERVER:53: server misbehaving` (SERVFAIL). */
char *cm_err_dns_servfail(const char *host, const char *server);

/* `dial tcp: lookup HOST on SERVER:53: i/o timeout`. */
char *cm_err_dns_timeout(const char *host, const char *server);

/* `x509: certificate is valid for A, B, not HOST`, or `... is not valid for
 * any names, but wanted to match HOST` when n == 0; prefixed with
 * "tls: failed to verify certificate: " when v wraps verification errors. */
char *cm_err_x509_name(const struct cm_version *v, const char *const *names,
    size_t n, const char *host);

/* What a certificate names, for Go's host name error. Strings borrowed. */
struct cm_cert_names {
	const char *const *dns_names;
	size_t ndns;
	const char *const *ip_names;
	size_t nip;
	bool has_san;             /* it has a subjectAltName extension */
	const char *common_name;  /* the subject CN, or NULL */
};

/* Go's x509.HostnameError for a certificate that is not valid for host:
 * `x509: certificate relies on legacy Common Name field, use SANs instead`
 * when it has no SAN extension and its CN matches host (Go <= 1.16, i.e.
 * cert-manager <= v1.5: "... use SANs or temporarily enable Common Name
 * matching with GODEBUG=x509ignoreCN=0"); for an IP host without IP SANs
 * `x509: cannot validate certificate for IP because it doesn't contain any
 * IP SANs`; else cm_err_x509_name() of the IP SANs (IP host) or DNS SANs.
 * Prefixed as cm_err_x509_name(). */
char *cm_err_x509_hostname(const struct cm_version *v, const struct cm_cert_names *c,
    const char *host);

/* Go's x509 expiry error: `x509: certificate has expired or is not yet
 * valid: current time NOW is after NOT_AFTER` (or `is before NOT_BEFORE`),
 * times in RFC 3339, UTC; without the detail when now is inside the
 * window or a time is unknown (0). Prefixed as cm_err_x509_name(). */
char *cm_err_x509_expired(const struct cm_version *v, long long now, long long not_before,
    long long not_after);

/* `http: server gave HTTP response to HTTPS client`: net/http's text when
 * the answer to the client hello begins "HTTP/". */
char *cm_err_http_to_https(void);

/* Go's ACME client's error for an answer with HTTP status other than the
 * one wanted (*acme.Error): "STATUS TYPE: DETAIL", TYPE and DETAIL from a
 * JSON object body (empty when missing), else DETAIL is the body as is, or
 * status_text ("405 Method Not Allowed", the status line after the version)
 * when the body is empty. */
char *cm_err_acme_status(int status, const char *status_text, const char *body, size_t len);

/* The error of Go's ACME client (v1.9.0 on) for a directory without
 * newOrder. */
#define CM_ERR_PRE_RFC8555 "acme: server does not support the RFC 8555 version of ACME"

/* True when v's ACME client refuses a directory without newOrder
 * (CM_ERR_PRE_RFC8555): v1.9.0 on. */
bool cm_checks_rfc8555_directory(const struct cm_version *v);

/* `x509: certificate signed by unknown authority`, prefixed like above. */
char *cm_err_x509_unknown_authority(const struct cm_version *v);

/* `net/http: TLS handshake timeout`. */
char *cm_err_tls_handshake_timeout(void);

/* `tls: first record does not look like a TLS handshake`: the peer answered
 * the client hello in plain text (an http:// proxy given as https://). */
char *cm_err_tls_not_tls(void);

/* True when v's Go (<= 1.17, cert-manager v1.8 and older) offers TLS 1.0
 * and 1.1 as a client; Go 1.18 raised the minimum to TLS 1.2. */
bool cm_offers_tls10(const struct cm_version *v);

/* Go's error for a fatal alert with description alert from the server:
 * `remote error: tls: protocol version not supported` (crypto/tls's text
 * of each alert, `tls: alert(N)` for one it has no text for). */
char *cm_err_tls_alert(int alert);

/* Go's error for a ServerHello choosing a version it does not offer:
 * `tls: server selected unsupported protocol version 301`. */
char *cm_err_tls_server_version(int version);

/* `context deadline exceeded (Client.Timeout exceeded while awaiting
 * headers)`: the http.Client timeout, before the sync deadline. */
char *cm_err_client_timeout(void);

/* `proxyconnect tcp: DETAIL`: the dial to the proxy itself, or the TLS
 * handshake with an https:// proxy, failed; detail is e.g.
 * cm_err_dial_refused() of the proxy's address. */
char *cm_err_proxyconnect(const char *detail);

/* The error for a CONNECT answered with a status other than 200: the reason
 * phrase of the proxy's status line as is (e.g. "Proxy Authentication
 * Required"), or "unknown status code" when the line had none (NULL). */
char *cm_err_proxy_status(const char *reason);

/*
 * The account requests (cm_account.c): what cert-manager sends, and the
 * conditions of their inputs.
 */

/* The contact cert-manager sends for email: "mailto:" + the address, all
 * lower-cased; NULL (no contact) for NULL or "". Caller frees. */
char *cm_contact(const char *email);

/* True when cert-manager updates the account's contact (UpdateReg) after
 * finding it: contact (the account's first, or NULL when it has none) with
 * its first "mailto:" removed is not exactly email (NULL reads as ""). An
 * address with capitals is therefore updated on every sync. */
bool cm_updates_contact(const char *contact, const char *email);

/* The API server's NotFound text: `secrets "NAME" not found`. Caller frees. */
char *cm_err_secret_not_found(const char *name);

/* cert-manager's error for an EAB Secret without the data key: `failed to
 * find external account binding key data in Secret "NAME" at index "KEY"`.
 * Caller frees. */
char *cm_err_eab_key_missing(const char *name, const char *key);

/* cert-manager's error (pkg/util/kube, every release) for an account key
 * Secret without the data key: `no data for "KEY" in secret 'NS/NAME'`,
 * KEY quoted as cm_go_quote() does. Caller frees. */
char *cm_err_key_data_missing(const char *key, const char *ns, const char *name);

/* Go's %q of s (strconv.Quote): \" and \\, \a \b \f \n \r \t \v, other
 * control bytes and DEL as \xNN, a byte of no valid UTF-8 sequence as
 * \xNN, every rune strconv.IsPrint calls unprintable (C1 controls, U+00A0,
 * the soft hyphen, U+200B, U+2028, U+FEFF, unassigned and private-use
 * runes ...) as \uNNNN or \UNNNNNNNN; printable UTF-8 kept as it is.
 * IsPrint is Go 1.19's (Unicode 13), see src/diagnose/goprint.h.
 * Caller frees. */
char *cm_go_quote(const char *s);

/* Decodes the len bytes of an EAB Secret's data key as cert-manager does
 * (base64url without padding, line breaks skipped, into a buffer of the
 * length Go's DecodedLen gives, so skipped line breaks leave zero bytes at
 * the end). Returns NULL with *key (caller frees; may hold the MAC key's
 * secret) and *keylen set, or Go's error, `failed to decode external
 * account binding key data: illegal base64 data at input byte N`, with
 * *key NULL (caller frees the error). */
char *cm_eab_key_decode(const unsigned char *src, size_t len, unsigned char **key,
    size_t *keylen);

/* The view of an EAB Secret cert-manager cannot use (err from
 * cm_err_secret_not_found(), cm_err_eab_key_missing() or
 * cm_eab_key_decode()): Ready=False ErrRegisterACMEAccount, no retry,
 * event ErrRegisterACMEAccount "Failed to register ACME account: <err>";
 * the condition says the same from v1.4.0, "External Account Binding MAC
 * key is invalid: <err>" before. Release with cm_view_free(). */
void cm_view_eab_invalid(const struct cm_version *v, const char *err, struct cm_view *out);

/* The view of an account key Secret that does not exist while
 * disableAccountKeyGeneration is set (err: cm_err_secret_not_found()):
 * ErrVerifyACMEAccount, retried with an ErrInitIssuer event, although only
 * a change by the user can help. Release with cm_view_free(). */
void cm_view_key_secret_missing(const struct cm_version *v, const char *err,
    struct cm_view *out);

/* The view of a failed contact update (UpdateReg) whose Go error is err:
 * ErrUpdateACMEAccount "Failed to update ACME account:<err>" (no space, as
 * cert-manager writes it) with an event of the same; retried with
 * ErrInitIssuer unless acme_4xx. Release with cm_view_free(). */
void cm_view_update_failed(const struct cm_version *v, const char *err, bool acme_4xx,
    struct cm_view *out);

/* Go's (1.19) url.Parse error for url, `parse "URL": DETAIL` (e.g.
 * `invalid character " " in host name`, `invalid port ":x" after host`,
 * `net/url: invalid control character in URL`), or NULL when it parses.
 * The URL is quoted as Go's %q quotes ASCII (other bytes as \xNN).
 * Caller frees. */
char *cm_url_parse_error(const char *url);

/* The view of an URL url.Parse refuses with err (cm_url_parse_error()):
 * Ready=False InvalidURL "Failed to parse existing ACME <what> URI
 * "<url>": <err>" (what is "server" or "account"), an event of the same,
 * no retry. Release with cm_view_free(). */
void cm_view_invalid_url(const char *what, const char *url, const char *err,
    struct cm_view *out);

#endif
