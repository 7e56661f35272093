/* certmanager.c - a pure model of cert-manager's ACME issuer setup (see
 * certmanager.h). */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include <openssl/crypto.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>

#include "certmanager.h"
#include "err.h"
#include "util.h"

#define REASON_REGISTER_FAILED "ErrRegisterACMEAccount"
#define REASON_VERIFY_FAILED "ErrVerifyACMEAccount"
#define REASON_INIT_ISSUER "ErrInitIssuer"
#define REASON_REGISTERED "ACMEAccountRegistered"
#define REASON_INVALID_CONFIG "InvalidConfig"

#define TLS_VERIFY_PREFIX "tls: failed to verify certificate: "

/* Let's Encrypt's v1 directories, which cert-manager refuses by name. */
static const struct {
	const char *v1, *v2;
} v1_urls[] = {
	{ "https://acme-v01.api.letsencrypt.org/directory",
	  "https://acme-v02.api.letsencrypt.org/directory" },
	{ "https://acme-staging.api.letsencrypt.org/directory",
	  "https://acme-staging-v02.api.letsencrypt.org/directory" },
	{ "https://acme-v01.api.letsencrypt.org/directory/",
	  "https://acme-v02.api.letsencrypt.org/directory" },
	{ "https://acme-staging.api.letsencrypt.org/directory/",
	  "https://acme-staging-v02.api.letsencrypt.org/directory" },
};

/* The newest patch of each v1.MINOR release, from cert-manager's git tags
 * v1.0.0 ... v1.21.1 (pre-releases left out): every v1.MINOR.PATCH up to
 * it was released, no other. */
static const int last_patch[] = {
	4, 1, 0, 3, 4, 5, 3, 3, 2, 2,    /* v1.0 .. v1.9 */
	2, 5, 17, 6, 7, 5, 5, 4, 6, 6,   /* v1.10 .. v1.19 */
	3, 1,                            /* v1.20, v1.21 */
};
#define NMINORS ((int)(nitems(last_patch)))

static bool released(const struct cm_version *v)
{
	return v->major == 1 && v->minor < NMINORS && v->patch <= last_patch[v->minor];
}

/* The newest release before v (v1.0.0 at least) and the oldest after it
 * (*after false when v is newer than every release). */
static void nearest_releases(const struct cm_version *v, struct cm_version *before,
    struct cm_version *after, bool *has_after)
{
	*before = (struct cm_version){ 1, 0, 0 };
	*has_after = false;
	for (int minor = 0; minor < NMINORS; minor++) {
		for (int patch = 0; patch <= last_patch[minor]; patch++) {
			struct cm_version r = { 1, minor, patch };

			if (cm_version_cmp(&r, v) < 0) {
				*before = r;
			} else if (!*has_after) {
				*after = r;
				*has_after = true;
			}
		}
	}
}

/* Records why v, written as s, is not a release. */
static void refuse_unreleased(const char *s, const struct cm_version *v)
{
	struct cm_version before, after;
	bool has_after;

	nearest_releases(v, &before, &after, &has_after);
	if (has_after)
		err_set(ERR_USAGE, "cert-manager \"%s\" was never released: the nearest "
		    "releases are v%d.%d.%d and v%d.%d.%d", s, before.major, before.minor,
		    before.patch, after.major, after.minor, after.patch);
	else
		err_set(ERR_USAGE, "cert-manager \"%s\" is not modelled: the newest "
		    "release acmectl knows is v%d.%d.%d", s, before.major, before.minor,
		    before.patch);
}

/* Parses one decimal component (at most 4 digits) at *sp and advances.
 * Returns the value or -1. */
static int parse_component(const char **sp)
{
	const char *s = *sp;
	int n = 0, digits = 0;

	while (isdigit((unsigned char)*s) && digits < 5) {
		n = n * 10 + (*s - '0');
		s++;
		digits++;
	}
	if (digits == 0 || digits > 4)
		return -1;
	*sp = s;
	return n;
}

int cm_version_parse(const char *s, struct cm_version *out)
{
	const char *p;
	struct cm_version v = { 0, 0, 0 };

	if (s == NULL)
		s = CM_VERSION_CURRENT;
	p = s;
	if (*p == 'v' || *p == 'V')
		p++;
	if ((v.major = parse_component(&p)) < 0 || *p++ != '.' ||
	    (v.minor = parse_component(&p)) < 0)
		goto bad;
	if (*p == '.') {
		p++;
		if ((v.patch = parse_component(&p)) < 0)
			goto bad;
	}
	if (*p != '\0')
		goto bad;
	if (v.major < 1) {
		err_set(ERR_USAGE, "cert-manager version \"%s\" is not modelled: "
		    "versions before v1.0 are not covered", s);
		return -1;
	}
	if (!released(&v)) {
		refuse_unreleased(s, &v);
		return -1;
	}
	*out = v;
	return 0;
bad:
	err_set(ERR_USAGE, "bad cert-manager version \"%s\": expected e.g. v1.8.2 "
	    "or 1.9", s);
	return -1;
}

int cm_version_cmp(const struct cm_version *a, const struct cm_version *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	return 0;
}

char *cm_version_string(const struct cm_version *v)
{
	return xasprintf("v%d.%d.%d", v->major, v->minor, v->patch);
}

/* True when v is at least major.minor.patch. */
static bool at_least(const struct cm_version *v, int major, int minor, int patch)
{
	struct cm_version w = { major, minor, patch };

	return cm_version_cmp(v, &w) >= 0;
}

bool cm_short_deadline(const struct cm_version *v)
{
	/* The 2 min deadline (cert-manager PR #5226) shipped in 1.9.0 and
	 * was backported to 1.7.3 (#5232) and 1.8.2 (#5231). */
	if (at_least(v, 1, 9, 0))
		return false;
	if (v->minor == 8)
		return v->patch < 2;
	if (v->minor == 7)
		return v->patch < 3;
	return true;
}

void cm_deadlines(const struct cm_version *v, struct cm_deadlines *out)
{
	bool short_deadline = cm_short_deadline(v);

	out->sync_ms = short_deadline ? 10 * 1000L : 120 * 1000L;
	out->http_client_ms = short_deadline ? 30 * 1000L : 90 * 1000L;
	out->dial_ms = 30 * 1000L;
	out->tls_handshake_ms = 10 * 1000L;
}

long cm_bad_nonce_backoff_ms(int retries)
{
	long total = 0;

	/* pkg/acme/util RetryBackoff: 2^(n-1) s, at most 3 s, for n <= 5 */
	for (int n = 1; n <= retries && n <= 5; n++)
		total += n == 1 ? 1000 : n == 2 ? 2000 : 3000;
	return total;
}

int cm_go_minor(const struct cm_version *v)
{
	/* Go 1.N of each cert-manager minor release, by release dates. */
	static const int go_of_minor[] = {
		15, 15, 15, 16, 16, 16, 17, 17, 17, 18,   /* 1.0 .. 1.9 */
		19, 19, 20, 20, 21, 22, 23, 23, 24, 25,   /* 1.10 .. 1.19 */
		26, 26,                                   /* 1.20, 1.21 */
	};

	if (v->major > 1 || v->minor >= (int)(nitems(go_of_minor)))
		return go_of_minor[nitems(go_of_minor) - 1];
	return go_of_minor[v->minor];
}

bool cm_https_uses_http_proxy(const struct cm_version *v)
{
	return cm_go_minor(v) <= 15;
}

bool cm_wraps_tls_verify_errors(const struct cm_version *v)
{
	return cm_go_minor(v) >= 20;
}

/* Adds an event to view; message is stolen. */
static void add_event(struct cm_view *view, const char *reason, char *message)
{
	struct cm_event *ev = &view->events[view->nevents++];

	ev->type = "Warning";
	ev->reason = reason;
	ev->message = message;
}

void cm_view_register_failed(const struct cm_version *v, const char *err,
    bool acme_4xx, struct cm_view *out)
{
	bool old_wording = !at_least(v, 1, 4, 0);

	memset(out, 0, sizeof(*out));
	out->status = "False";
	out->reason = REASON_REGISTER_FAILED;
	out->message = xasprintf("Failed to %s ACME account: %s",
	    old_wording ? "verify" : "register", err);
	out->condition_written = true;
	out->requeue = !acme_4xx;
	if (old_wording)
		add_event(out, REASON_VERIFY_FAILED, xstrdup(out->message));
	/* The controller records ErrInitIssuer and logs only when setup
	 * returned an error, which it does not for an ACME 4xx (no retry
	 * either). */
	if (out->requeue) {
		add_event(out, REASON_INIT_ISSUER,
		    xasprintf("Error initializing issuer: %s", err));
		out->log = xasprintf("\"error setting up issuer\" err=\"%s\"", err);
	}
}

bool cm_skips_registration(const struct cm_version *v, const struct cm_issuer_state *s)
{
	const char *email = s->email != NULL ? s->email : "";
	const char *registered = s->registered_email != NULL ? s->registered_email : "";

	if (!s->ready || s->uri == NULL || s->uri[0] == '\0' ||
	    cm_account_host_differs(s->server, s->uri) || strcmp(email, registered) != 0)
		return false;
	/* v1.12.0 added the key's checksum to the test */
	return !at_least(v, 1, 12, 0) || s->key_hash_matches;
}

bool cm_status_needs_sync_time(const struct cm_version *v)
{
	/* v1.3.0 moved the context.WithTimeout to the top of Sync, before
	 * the deferred status update; v1.0-v1.2 used context.TODO() there */
	return at_least(v, 1, 3, 0);
}

void cm_view_deadline(const struct cm_version *v, const struct cm_condition *before,
    struct cm_view *out)
{
	cm_view_register_failed(v, CM_ERR_DEADLINE, false, out);
	if (!cm_status_needs_sync_time(v))
		return;
	free(out->message);
	out->message = NULL;
	out->status = out->reason = NULL;
	out->condition_written = false;
	if (before != NULL && before->status != NULL) {
		out->status = before->status;
		out->reason = before->reason;
		out->message = before->message != NULL ? xstrdup(before->message) : NULL;
	}
}

void cm_view_registered(const struct cm_version *v, struct cm_view *out)
{
	(void)v;
	memset(out, 0, sizeof(*out));
	out->status = "True";
	out->condition_written = true;
	out->reason = REASON_REGISTERED;
	out->message = xstrdup("The ACME account was registered with the ACME server");
}

void cm_view_key_not_rsa(const char *secret_name, struct cm_view *out)
{
	memset(out, 0, sizeof(*out));
	out->status = "False";
	out->condition_written = true;
	out->reason = REASON_VERIFY_FAILED;
	out->message = xasprintf("ACME private key in \"%s\" is not of type RSA",
	    secret_name ? secret_name : "");
}

/* The releases whose pki.DecodePrivateKeyBytes refuses key data over
 * 13000 bytes before decoding it (pem.SafeDecodePrivateKey, backported to
 * v1.12.14, v1.15.4 and v1.16.2). */
static bool key_size_limited(const struct cm_version *v)
{
	return (v->minor == 12 && v->patch >= 14) || (v->minor == 15 && v->patch >= 4) ||
	    at_least(v, 1, 16, 2);
}

#define CM_MAX_KEY_PEM 13000

char *cm_key_data_error(const struct cm_version *v, const char *data, size_t len)
{
	static const char begin[] = "-----BEGIN ";
	const char *p = memmem(data, len, begin, sizeof(begin) - 1), *type, *end;
	size_t n;

	if (key_size_limited(v) && len > CM_MAX_KEY_PEM)
		return xasprintf("error decoding private key PEM block%s", at_least(v, 1, 18, 3) ?
		    ": provided PEM data was larger than the maximum 13000B" : "");
	if (p == NULL)
		/* Go's pem.Decode finds no block; v1.18.3 added the reason */
		return xasprintf("error decoding private key PEM block%s",
		    at_least(v, 1, 18, 3) ? ": no PEM data was found in given input" : "");
	type = p + sizeof(begin) - 1;
	end = memmem(type, len - (size_t)(type - data), "-----", 5);
	if (end == NULL)
		return xasprintf("error decoding private key PEM block%s",
		    at_least(v, 1, 18, 3) ? ": no PEM data was found in given input" : "");
	n = (size_t)(end - type);
	if ((n == 11 && memcmp(type, "PRIVATE KEY", 11) == 0) ||
	    (n == 14 && memcmp(type, "EC PRIVATE KEY", 14) == 0) ||
	    (n == 15 && memcmp(type, "RSA PRIVATE KEY", 15) == 0))
		return NULL;
	return xasprintf("unknown private key type: %.*s", (int)n, type);
}

void cm_view_key_invalid(const char *why, struct cm_view *out)
{
	memset(out, 0, sizeof(*out));
	out->status = "False";
	out->condition_written = true;
	out->reason = REASON_VERIFY_FAILED;
	out->message = xasprintf("Account private key is invalid: %s", why);
}

void cm_view_webhook_rejects(const char *why, struct cm_view *out)
{
	memset(out, 0, sizeof(*out));
	out->webhook_error = xstrdup(why);
}

bool cm_has_ca_bundle(const struct cm_version *v)
{
	return at_least(v, 1, 11, 0);
}

const char *cm_webhook_refusal(const struct cm_version *v, bool ca_bundle,
    bool skip_tls_verify, const char *server)
{
	if (ca_bundle && skip_tls_verify && cm_has_ca_bundle(v))
		return "spec.acme.caBundle, spec.acme.skipTLSVerify: caBundle and "
		    "skipTLSVerify are mutually exclusive and cannot both be set";
	if (server == NULL || server[0] == '\0')
		return "spec.acme.server: Required value: acme server URL is a required field";
	return NULL;
}

const char *cm_v1_replacement(const char *server)
{
	if (server == NULL)
		return NULL;
	for (size_t i = 0; i < nitems(v1_urls); i++)
		if (strcmp(server, v1_urls[i].v1) == 0)
			return v1_urls[i].v2;
	return NULL;
}

bool cm_view_v1_server(const char *server, struct cm_view *out)
{
	const char *v2 = cm_v1_replacement(server);

	memset(out, 0, sizeof(*out));
	if (v2 == NULL)
		return false;
	out->status = "False";
	out->condition_written = true;
	out->reason = REASON_INVALID_CONFIG;
	out->message = xasprintf("Your ACME server URL is set to a v1 endpoint (%s). "
	    "You should update the spec.acme.server field to \"%s\"", server, v2);
	return true;
}

void cm_view_free(struct cm_view *view)
{
	if (view == NULL)
		return;
	free(view->message);
	free(view->log);
	free(view->webhook_error);
	for (size_t i = 0; i < view->nevents; i++)
		free(view->events[i].message);
	memset(view, 0, sizeof(*view));
}

char *cm_url_host(const char *url)
{
	const char *p, *end, *at;

	if (url == NULL || (p = strstr(url, "//")) == NULL)
		return xstrdup("");
	/* "//" must end the scheme ("https://") or start the URL. */
	if (p != url && p[-1] != ':')
		return xstrdup("");
	p += 2;
	end = p + strcspn(p, "/?#");
	for (at = end; at > p && at[-1] != '@'; at--)
		;
	if (at > p)
		p = at;
	return xstrndup(p, (size_t)(end - p));
}

bool cm_account_host_differs(const char *server, const char *account_uri)
{
	char *a = cm_url_host(server), *b = cm_url_host(account_uri);
	bool differ = strcmp(a, b) != 0;

	free(a);
	free(b);
	return differ;
}

char *cm_key_hash(EVP_PKEY *key)
{
	OSSL_ENCODER_CTX *ectx = NULL;
	unsigned char *der = NULL, digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	size_t derlen = 0;
	char *out = NULL;

	if (key == NULL || !EVP_PKEY_is_a(key, "RSA")) {
		err_set(ERR_USAGE, "the account key is not RSA: cert-manager accepts "
		    "only RSA account keys");
		return NULL;
	}
	/* The "type-specific" DER of an RSA key pair is PKCS#1 RSAPrivateKey,
	 * what Go's x509.MarshalPKCS1PrivateKey writes. */
	ectx = OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_KEYPAIR, "DER",
	    "type-specific", NULL);
	if (ectx == NULL || OSSL_ENCODER_CTX_get_num_encoders(ectx) == 0 ||
	    !OSSL_ENCODER_to_data(ectx, &der, &derlen)) {
		err_set(ERR_USAGE, "cannot encode the account key as PKCS#1");
		goto out;
	}
	if (!EVP_Digest(der, derlen, digest, &dlen, EVP_sha256(), NULL)) {
		err_set(ERR_USAGE, "cannot hash the account key");
		goto out;
	}
	out = xmalloc(4 * ((dlen + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, digest, (int)dlen);
out:
	if (der != NULL) {
		OPENSSL_cleanse(der, derlen);
		OPENSSL_free(der);
	}
	OSSL_ENCODER_CTX_free(ectx);
	return out;
}

char *cm_err_url(const char *method, const char *url, const char *detail)
{
	char *op = xstrdup(method), *s;

	/* Go's url.Error Op is the method with only its first letter upper. */
	for (char *p = op; *p != '\0'; p++)
		*p = (char)(p == op ? toupper((unsigned char)*p) : tolower((unsigned char)*p));
	s = xasprintf("%s \"%s\": %s", op, url, detail);
	free(op);
	return s;
}

/* Go's net.JoinHostPort: brackets around hosts containing ':'. */
static char *join_host_port(const char *host, int port)
{
	if (strchr(host, ':') != NULL)
		return xasprintf("[%s]:%d", host, port);
	return xasprintf("%s:%d", host, port);
}

/* "dial tcp ADDR: what". */
static char *dial_error(const char *ip, int port, const char *what)
{
	char *addr = join_host_port(ip, port);
	char *s = xasprintf("dial tcp %s: %s", addr, what);

	free(addr);
	return s;
}

char *cm_err_dial_refused(const char *ip, int port)
{
	return dial_error(ip, port, "connect: connection refused");
}

char *cm_err_dial_timeout(const char *ip, int port)
{
	return dial_error(ip, port, "i/o timeout");
}

/* Go's DNSError inside the dial's OpError: "dial tcp: lookup HOST[ on
 * SERVER:53]: what". */
static char *lookup_error(const char *host, const char *server, const char *what)
{
	char *addr, *s;

	if (server == NULL || *server == '\0')
		return xasprintf("dial tcp: lookup %s: %s", host, what);
	addr = join_host_port(server, 53);
	s = xasprintf("dial tcp: lookup %s on %s: %s", host, addr, what);
	free(addr);
	return s;
}

char *cm_err_dns_not_found(const char *host, const char *server)
{
	return lookup_error(host, server, "no such host");
}

char *cm_err_dns_servfail(const char *host, const char *server)
{
	return lookup_error(host, server, "server misbehaving");
}

char *cm_err_dns_timeout(const char *host, const char *server)
{
	return lookup_error(host, server, "i/o timeout");
}

char *cm_err_x509_name(const struct cm_version *v, const char *const *names,
    size_t n, const char *host)
{
	const char *prefix = cm_wraps_tls_verify_errors(v) ? TLS_VERIFY_PREFIX : "";
	char *valid, *s;
	size_t len = 1;

	if (n == 0)
		return xasprintf("%sx509: certificate is not valid for any names, "
		    "but wanted to match %s", prefix, host);
	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 2;
	valid = xmalloc(len);
	valid[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strcat(valid, ", ");
		strcat(valid, names[i]);
	}
	s = xasprintf("%sx509: certificate is valid for %s, not %s", prefix, valid, host);
	free(valid);
	return s;
}

char *cm_err_x509_unknown_authority(const struct cm_version *v)
{
	return xasprintf("%sx509: certificate signed by unknown authority",
	    cm_wraps_tls_verify_errors(v) ? TLS_VERIFY_PREFIX : "");
}

char *cm_err_tls_handshake_timeout(void)
{
	return xstrdup("net/http: TLS handshake timeout");
}

char *cm_err_tls_not_tls(void)
{
	return xstrdup("tls: first record does not look like a TLS handshake");
}

bool cm_offers_tls10(const struct cm_version *v)
{
	return cm_go_minor(v) <= 17;
}

char *cm_err_tls_alert(int alert)
{
	/* crypto/tls alert.go alertText (Go 1.19) */
	static const struct {
		int alert;
		const char *text;
	} texts[] = {
		{ 0, "close notify" }, { 10, "unexpected message" }, { 20, "bad record MAC" },
		{ 21, "decryption failed" }, { 22, "record overflow" },
		{ 30, "decompression failure" }, { 40, "handshake failure" },
		{ 42, "bad certificate" }, { 43, "unsupported certificate" },
		{ 44, "revoked certificate" }, { 45, "expired certificate" },
		{ 46, "unknown certificate" }, { 47, "illegal parameter" },
		{ 48, "unknown certificate authority" }, { 49, "access denied" },
		{ 50, "error decoding message" }, { 51, "error decrypting message" },
		{ 60, "export restriction" }, { 70, "protocol version not supported" },
		{ 71, "insufficient security level" }, { 80, "internal error" },
		{ 86, "inappropriate fallback" }, { 90, "user canceled" },
		{ 100, "no renegotiation" }, { 109, "missing extension" },
		{ 110, "unsupported extension" }, { 111, "certificate unobtainable" },
		{ 112, "unrecognized name" }, { 113, "bad certificate status response" },
		{ 114, "bad certificate hash value" }, { 115, "unknown PSK identity" },
		{ 116, "certificate required" }, { 120, "no application protocol" },
	};

	for (size_t i = 0; i < nitems(texts); i++)
		if (texts[i].alert == alert)
			return xasprintf("remote error: tls: %s", texts[i].text);
	return xasprintf("remote error: tls: alert(%d)", alert);
}

char *cm_err_tls_server_version(int version)
{
	return xasprintf("tls: server selected unsupported protocol version %x", version);
}

char *cm_err_client_timeout(void)
{
	return xstrdup("context deadline exceeded "
	    "(Client.Timeout exceeded while awaiting headers)");
}

char *cm_err_proxyconnect(const char *detail)
{
	return xasprintf("proxyconnect tcp: %s", detail);
}

char *cm_err_proxy_status(const char *reason)
{
	return xstrdup(reason != NULL ? reason : "unknown status code");
}

/* Go's matchHostnames for a CN: equal ignoring case, or "*.rest" matching
 * one label and then rest. */
static bool cn_matches(const char *cn, const char *host)
{
	const char *dot;

	if (strcasecmp(cn, host) == 0)
		return true;
	if (strncmp(cn, "*.", 2) != 0 || (dot = strchr(host, '.')) == NULL || dot == host)
		return false;
	return strcasecmp(cn + 2, dot + 1) == 0;
}

static bool is_ip_literal(const char *host)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

char *cm_err_x509_hostname(const struct cm_version *v, const struct cm_cert_names *c,
    const char *host)
{
	const char *prefix = cm_wraps_tls_verify_errors(v) ? TLS_VERIFY_PREFIX : "";

	if (!c->has_san && c->common_name != NULL && cn_matches(c->common_name, host))
		return xasprintf("%sx509: certificate relies on legacy Common Name field, %s",
		    prefix, cm_go_minor(v) <= 16 ? "use SANs or temporarily enable Common "
		    "Name matching with GODEBUG=x509ignoreCN=0" : "use SANs instead");
	if (is_ip_literal(host)) {
		if (c->nip == 0)
			return xasprintf("%sx509: cannot validate certificate for %s because "
			    "it doesn't contain any IP SANs", prefix, host);
		return cm_err_x509_name(v, c->ip_names, c->nip, host);
	}
	return cm_err_x509_name(v, c->dns_names, c->ndns, host);
}

/* Unix time t in RFC 3339, UTC, into buf. */
static void rfc3339(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", t);
}

char *cm_err_x509_expired(const struct cm_version *v, long long now, long long not_before,
    long long not_after)
{
	const char *prefix = cm_wraps_tls_verify_errors(v) ? TLS_VERIFY_PREFIX : "";
	char a[32], b[32];

	rfc3339(now, a, sizeof(a));
	if (now != 0 && not_before != 0 && now < not_before) {
		rfc3339(not_before, b, sizeof(b));
		return xasprintf("%sx509: certificate has expired or is not yet valid: current "
		    "time %s is before %s", prefix, a, b);
	}
	if (now != 0 && not_after != 0 && now > not_after) {
		rfc3339(not_after, b, sizeof(b));
		return xasprintf("%sx509: certificate has expired or is not yet valid: current "
		    "time %s is after %s", prefix, a, b);
	}
	return xasprintf("%sx509: certificate has expired or is not yet valid", prefix);
}

char *cm_err_http_to_https(void)
{
	return xstrdup("http: server gave HTTP response to HTTPS client");
}

char *cm_err_acme_status(int status, const char *status_text, const char *body, size_t len)
{
	json_t *doc = len > 0 ? json_loadb(body, len, 0, NULL) : NULL;
	const char *type, *detail;
	char *s;

	if (json_is_object(doc)) {
		type = json_string_value(json_object_get(doc, "type"));
		detail = json_string_value(json_object_get(doc, "detail"));
		s = xasprintf("%d %s: %s", status, type ? type : "", detail ? detail : "");
	} else if (len > 0) {
		s = xasprintf("%d : %.*s", status, (int)len, body);
	} else {
		s = xasprintf("%d : %s", status, status_text != NULL ? status_text : "");
	}
	json_decref(doc);
	return s;
}

bool cm_checks_rfc8555_directory(const struct cm_version *v)
{
	/* x/crypto 65fa2f7 (2022-01-22), first vendored by cert-manager v1.9.0 */
	return at_least(v, 1, 9, 0);
}
