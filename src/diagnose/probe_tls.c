/* probe_tls.c - TLS handshakes of diagnose (see probe.h): the trust store,
 * SNI and Go's name rules, and what the handshake showed. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "diagnose_int.h"
#include "err.h"
#include "probe.h"
#include "util.h"

struct probe_tls_ctx {
	SSL_CTX *ssl;
	int security_level;  /* OpenSSL's, as the context was made */
	bool from_tls10;     /* probe_tls_ctx_offer() made it offer Go 1.17's */
};

/* Go 1.17's default cipher suites below TLS 1.3, in its order of
 * preference (crypto/tls cipherSuitesPreferenceOrder without the
 * disabled CBC-SHA256 and RC4 ones). */
static const char go117_ciphers[] =
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
	"ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:"
	"ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:"
	"AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA:AES256-SHA:"
	"ECDHE-RSA-DES-CBC3-SHA:DES-CBC3-SHA";

/* What the verification and message callbacks saw. */
struct verify_seen {
	bool name_mismatch;
	int chain_error;
	unsigned char first_header[5]; /* the first record header read */
	bool have_header;
	bool alert_received;           /* the first alert the server sent */
	int alert;
	int server_version;            /* of its ServerHello; 0 none */
};

static int verify_seen_index = -1;

/* Adds every certificate of PEM text in bio to store. Returns how many. */
static int add_pem_certs(X509_STORE *store, BIO *bio)
{
	X509 *x;
	int n = 0;

	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (X509_STORE_add_cert(store, x))
			n++;
		X509_free(x);
	}
	ERR_clear_error();
	return n;
}

struct probe_tls_ctx *probe_tls_ctx_new(bool system, const char *file,
    const unsigned char *pem, size_t len, const char *what)
{
	struct probe_tls_ctx *ctx = xcalloc(1, sizeof(*ctx));
	X509_STORE *store;
	BIO *bio = NULL;

	if (verify_seen_index == -1)
		verify_seen_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if ((ctx->ssl = SSL_CTX_new(TLS_client_method())) == NULL) {
		err_set(ERR_USAGE, "cannot create a TLS context");
		goto fail;
	}
	ctx->security_level = SSL_CTX_get_security_level(ctx->ssl);
	probe_tls_ctx_offer(ctx, false);
	/* no ALPN: Go's transport with its own TLS configuration and no
	 * ForceAttemptHTTP2, cert-manager's, sends none */
	if (system && SSL_CTX_set_default_verify_paths(ctx->ssl) != 1)
		ERR_clear_error();
	store = SSL_CTX_get_cert_store(ctx->ssl);
	if (file != NULL) {
		if ((bio = BIO_new_file(file, "r")) == NULL) {
			ERR_clear_error();
			err_set(ERR_USAGE, "cannot open CA bundle %s: %s", file, strerror(errno));
			goto fail;
		}
		if (add_pem_certs(store, bio) == 0) {
			err_set(ERR_USAGE, "CA bundle %s: no PEM certificate found", file);
			goto fail;
		}
		BIO_free(bio);
		bio = NULL;
	}
	if (pem != NULL) {
		bio = BIO_new_mem_buf(pem, (int)len);
		if (bio == NULL || add_pem_certs(store, bio) == 0) {
			err_set(ERR_USAGE, "%s: no PEM certificate found", what);
			goto fail;
		}
		BIO_free(bio);
		bio = NULL;
	}
	return ctx;
fail:
	BIO_free(bio);
	probe_tls_ctx_free(ctx);
	return NULL;
}

void probe_tls_ctx_free(struct probe_tls_ctx *ctx)
{
	if (ctx == NULL)
		return;
	SSL_CTX_free(ctx->ssl);
	free(ctx);
}

void probe_tls_ctx_offer(struct probe_tls_ctx *ctx, bool from_tls10)
{
	SSL_CTX_set_min_proto_version(ctx->ssl, from_tls10 ? TLS1_VERSION : TLS1_2_VERSION);
	SSL_CTX_set_security_level(ctx->ssl, from_tls10 ? 0 : ctx->security_level);
	/* both lists are constants OpenSSL knows: they cannot fail; the
	 * default one is set back only where Go 1.17's replaced it */
	if (from_tls10)
		SSL_CTX_set_cipher_list(ctx->ssl, go117_ciphers);
	else if (ctx->from_tls10)
		SSL_CTX_set_cipher_list(ctx->ssl, OSSL_default_cipher_list());
	ctx->from_tls10 = from_tls10;
	ERR_clear_error();
}

/* Notes each verification error and lets the handshake go on, so the name
 * check and the chain can both be reported. */
static int on_verify(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct verify_seen *seen = ssl ? SSL_get_ex_data(ssl, verify_seen_index) : NULL;
	int e = X509_STORE_CTX_get_error(store);

	if (ok || seen == NULL)
		return 1;
	if (e == X509_V_ERR_HOSTNAME_MISMATCH || e == X509_V_ERR_IP_ADDRESS_MISMATCH)
		seen->name_mismatch = true;
	else if (seen->chain_error == X509_V_OK)
		seen->chain_error = e;
	return 1;
}

static char *name_text(const X509_NAME *name)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (bio == NULL)
		return NULL;
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0 &&
	    (n = BIO_get_mem_data(bio, &data)) >= 0)
		out = xstrndup(data, (size_t)n);
	BIO_free(bio);
	return out;
}

static void push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

/* Reads the leaf's names into out. */
/* The subject's common name, or NULL. Caller frees. */
static char *common_name(X509 *leaf)
{
	char buf[256];
	int n = X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName, buf,
	    sizeof(buf));

	return n > 0 ? xstrdup(buf) : NULL;
}

/* An ASN1_TIME as Unix time, 0 when it does not convert. */
static long long unix_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (long long)timegm(&tm);
}

static void describe_leaf(X509 *leaf, struct probe_tls *out)
{
	GENERAL_NAMES *sans;
	const GENERAL_NAME *gn;
	const unsigned char *p;
	char ip[INET6_ADDRSTRLEN];
	size_t ndns = 0, nip = 0;
	int i, len;

	out->dns_names = xcalloc(1, sizeof(char *));
	out->ip_names = xcalloc(1, sizeof(char *));
	if (leaf == NULL)
		return;
	out->subject = name_text(X509_get_subject_name(leaf));
	out->issuer = name_text(X509_get_issuer_name(leaf));
	out->self_signed = X509_self_signed(leaf, 0) == 1;
	sans = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	for (i = 0; i < sk_GENERAL_NAME_num(sans); i++) {
		gn = sk_GENERAL_NAME_value(sans, i);
		if (gn->type == GEN_DNS) {
			p = ASN1_STRING_get0_data(gn->d.dNSName);
			len = ASN1_STRING_length(gn->d.dNSName);
			push(&out->dns_names, &ndns, xstrndup((const char *)p, (size_t)len));
		} else if (gn->type == GEN_IPADD) {
			p = ASN1_STRING_get0_data(gn->d.iPAddress);
			len = ASN1_STRING_length(gn->d.iPAddress);
			if ((len == 4 && inet_ntop(AF_INET, p, ip, sizeof(ip)) != NULL) ||
			    (len == 16 && inet_ntop(AF_INET6, p, ip, sizeof(ip)) != NULL))
				push(&out->ip_names, &nip, xstrdup(ip));
		}
	}
	out->has_san = sans != NULL;
	GENERAL_NAMES_free(sans);
	out->common_name = common_name(leaf);
	out->not_before = unix_time(X509_get0_notBefore(leaf));
	out->not_after = unix_time(X509_get0_notAfter(leaf));
	ERR_clear_error();
}

/* Keeps the first record header the server sent: Go names the failure by
 * it (a plain HTTP answer, or no TLS at all). */
static void on_message(int write_p, int version, int content_type, const void *buf,
    size_t len, SSL *ssl, void *arg)
{
	struct verify_seen *seen = arg;

	const unsigned char *b = buf;

	(void)version;
	(void)ssl;
	if (write_p)
		return;
	/* an alert is level and description; a ServerHello (type 2) carries
	 * the version the server chose after its 4-byte header */
	/* Go stops at a fatal alert or close_notify, and reads past
	 * other warnings */
	if (content_type == SSL3_RT_ALERT && len == 2 && !seen->alert_received &&
	    (b[0] == SSL3_AL_FATAL || b[1] == SSL3_AD_CLOSE_NOTIFY)) {
		seen->alert_received = true;
		seen->alert = b[1];
	} else if (content_type == SSL3_RT_HANDSHAKE && len >= 6 && b[0] == 2 &&
	    seen->server_version == 0) {
		seen->server_version = b[4] << 8 | b[5];
	}
	if (content_type != SSL3_RT_HEADER || len < 5 || seen->have_header)
		return;
	memcpy(seen->first_header, buf, 5);
	seen->have_header = true;
}

/* Sorts a failed handshake as Go's TLS client would: its first record
 * must be a handshake or an alert with a version below 0x1000. */
static void classify_failure(const struct verify_seen *seen, struct probe_tls *out)
{
	const unsigned char *h = seen->first_header;

	if (!seen->have_header || ((h[0] == 21 || h[0] == 22) && h[1] < 0x10))
		return;
	out->http_answer = memcmp(h, "HTTP/", 5) == 0;
	out->not_tls = !out->http_answer;
}

/* One line for a failed handshake step. */
static char *tls_failure(SSL *ssl, int rc, int saved_errno, bool *closed)
{
	unsigned long e = ERR_peek_last_error();
	char buf[256];

	switch (SSL_get_error(ssl, rc)) {
	case SSL_ERROR_ZERO_RETURN:
		*closed = true;
		return xstrdup("the server closed the connection during the handshake");
	case SSL_ERROR_SYSCALL:
		if (e != 0)
			break;
		if (saved_errno == 0) {
			*closed = true;
			return xstrdup("the server closed the connection during the handshake");
		}
		return xasprintf("during the handshake: %s", strerror(saved_errno));
	default:
		break;
	}
	if (e == 0)
		return xstrdup("handshake failed");
	ERR_error_string_n(e, buf, sizeof(buf));
	return xstrdup(ERR_reason_error_string(e) != NULL ? ERR_reason_error_string(e) : buf);
}

/* Makes ssl run inside the TLS of outer, through an SSL filter BIO.
 * False when OpenSSL cannot. */
static bool inside(SSL *ssl, SSL *outer)
{
	BIO *bio;

	if ((bio = BIO_new(BIO_f_ssl())) == NULL)
		return false;
	BIO_set_ssl(bio, outer, BIO_NOCLOSE);
	SSL_set_bio(ssl, bio, bio);
	return true;
}

struct probe_conn *probe_tls_run(struct probe_conn *under, const char *host,
    const struct probe_tls_ctx *ctx, long long deadline, struct probe_tls *out)
{
	struct probe_conn *c;
	struct verify_seen seen = { .chain_error = X509_V_OK };
	struct probe_addr lit;
	long long start = mono_ms();
	X509 *leaf = NULL;
	SSL *ssl;
	bool attached;
	int rc, w, saved_errno;

	memset(out, 0, sizeof(*out));
	out->chain_error = X509_V_OK;
	ERR_clear_error();
	if ((ssl = SSL_new(ctx->ssl)) == NULL) {
		probe_conn_close(under);
		out->status = PROBE_TLS_FAILED;
		out->error = xstrdup("cannot set up the TLS connection");
		return NULL;
	}
	/* the new layer owns ssl and what is below: a plain connection's
	 * socket becomes its own */
	c = xcalloc(1, sizeof(*c));
	c->ssl = ssl;
	c->fd = under->fd;
	if (under->ssl == NULL) {
		free(under);
		attached = SSL_set_fd(ssl, c->fd) == 1;
	} else {
		c->under = under;
		attached = inside(ssl, under->ssl);
	}
	if (!attached) {
		out->status = PROBE_TLS_FAILED;
		out->error = xstrdup("cannot set up the TLS connection");
		goto fail;
	}
	SSL_set_ex_data(ssl, verify_seen_index, &seen);
	/* verification never aborts: its outcome is read afterwards */
	SSL_set_verify(ssl, SSL_VERIFY_NONE, on_verify);
	SSL_set_msg_callback(ssl, on_message);
	SSL_set_msg_callback_arg(ssl, &seen);
	if (probe_addr_literal(host, 0, &lit)) {
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
	} else {
		SSL_set_tlsext_host_name(ssl, host);
		SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
		    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
		SSL_set1_host(ssl, host);
	}
	for (;;) {
		ERR_clear_error();
		errno = 0;
		rc = SSL_connect(ssl);
		saved_errno = errno;
		if (rc == 1)
			break;
		if ((w = probe_conn_wait(c, 0, rc, deadline)) == 1)
			continue;
		out->status = w == 0 ? PROBE_TLS_TIMEOUT : PROBE_TLS_FAILED;
		out->error = w == 0 ? xstrdup("the handshake was not done at the deadline") :
		    tls_failure(ssl, rc, saved_errno, &out->closed);
		if (w != 0) {
			classify_failure(&seen, out);
			out->alert_received = seen.alert_received;
			out->alert = seen.alert;
			out->server_version = seen.server_version;
		}
		goto fail;
	}
	out->status = PROBE_TLS_OK;
	out->version = SSL_get_version(ssl);
	out->name_mismatch = seen.name_mismatch;
	out->chain_error = seen.chain_error;
	if (out->chain_error == X509_V_OK && SSL_get_verify_result(ssl) != X509_V_OK &&
	    !seen.name_mismatch)
		out->chain_error = (int)SSL_get_verify_result(ssl);
	if (out->chain_error != X509_V_OK)
		out->chain_error_text = xstrdup(X509_verify_cert_error_string(out->chain_error));
	leaf = SSL_get1_peer_certificate(ssl);
	describe_leaf(leaf, out);
	X509_free(leaf);
	/* seen ends with this call; the connection lives on */
	SSL_set_ex_data(ssl, verify_seen_index, NULL);
	SSL_set_msg_callback(ssl, NULL);
	SSL_set_msg_callback_arg(ssl, NULL);
	out->ms = mono_ms() - start;
	return c;
fail:
	out->ms = mono_ms() - start;
	ERR_clear_error();
	probe_conn_close(c);
	return NULL;
}

void probe_tls_clear(struct probe_tls *out)
{
	free(out->error);
	free(out->chain_error_text);
	free(out->subject);
	free(out->issuer);
	strv_free(out->dns_names);
	strv_free(out->ip_names);
	free(out->common_name);
	memset(out, 0, sizeof(*out));
}
