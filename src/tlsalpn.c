/* tlsalpn.c - the tls-alpn-01 responder (RFC 8737): a thread that serves
 * TLS handshakes on the published names' certificates, and nothing else.
 * The ClientHello decides everything before a certificate is chosen, so a
 * client that does not ask for "acme-tls/1" never sees one. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "ident.h"
#include "key.h"
#include "log.h"
#include "responder.h"
#include "tlsalpn.h"
#include "util.h"

#define ACME_TLS_1 "acme-tls/1"
#define ACME_IDENTIFIER_OID "1.3.6.1.5.5.7.1.31"
#define MAX_NAMES 128            /* as many as http-01 tokens */
#define SNI_MAX 253

struct published {
	char sni[SNI_MAX + 1];
	X509 *cert;
};

struct tlsalpn {
	struct responder rsp;
	SSL_CTX *ctx;
	EVP_PKEY *key;           /* of every published certificate */
	SSL *clients[RESPONDER_MAX_CLIENTS];  /* by the responder's slot; its thread's */

	pthread_mutex_t lock;    /* guards names and nnames */
	struct published names[MAX_NAMES];
	size_t nnames;
};

bool tlsalpn_offers_acme(const unsigned char *data, size_t len)
{
	static const size_t want = sizeof(ACME_TLS_1) - 1;
	size_t list, i, n;
	bool found = false;

	if (len < 2)
		return false;
	list = (size_t)data[0] << 8 | data[1];
	if (list != len - 2 || list == 0)
		return false;
	for (i = 2; i < len; i += n) {
		n = data[i++];
		if (n == 0 || n > len - i)
			return false;
		if (n == want && memcmp(data + i, ACME_TLS_1, want) == 0)
			found = true;
	}
	return found;
}

bool tlsalpn_hello_sni(const unsigned char *data, size_t len, char *out, size_t size)
{
	size_t list, n, i;

	/* list length, then one entry: type 0 (host_name), length, name */
	if (len < 5)
		return false;
	list = (size_t)data[0] << 8 | data[1];
	n = (size_t)data[3] << 8 | data[4];
	if (list != len - 2 || data[2] != 0 || n != len - 5 || n == 0 || n > SNI_MAX ||
	    n >= size)
		return false;
	for (i = 0; i < n; i++) {
		if (!isgraph(data[5 + i]))
			return false;
		out[i] = (char)tolower(data[5 + i]);
	}
	out[n] = '\0';
	return true;
}

char *tlsalpn_sni_name(const char *name)
{
	unsigned char a[16];
	char *s, *t;

	if (!ident_is_ip(name))
		return xstrdup(name);
	if (inet_pton(AF_INET, name, a) == 1)
		return xasprintf("%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1], a[0]);
	if (inet_pton(AF_INET6, name, a) != 1)
		return NULL;
	s = xstrdup("");
	for (int i = 15; i >= 0; i--) {
		t = xasprintf("%s%x.%x.", s, a[i] & 0xf, a[i] >> 4);
		free(s);
		s = t;
	}
	t = xasprintf("%sip6.arpa", s);
	free(s);
	return t;
}

/* The subjectAltName holding only name, added to x. 0 or -1. */
static int add_san(X509 *x, const char *name)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *gen = GENERAL_NAME_new();
	ASN1_OCTET_STRING *ip = NULL;
	ASN1_IA5STRING *dns = NULL;
	int rc = -1;

	if (gens == NULL || gen == NULL)
		goto out;
	if (ident_is_ip(name)) {
		if ((ip = a2i_IPADDRESS(name)) == NULL)
			goto out;
		GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
	} else {
		if ((dns = ASN1_IA5STRING_new()) == NULL ||
		    !ASN1_STRING_set(dns, name, (int)strlen(name))) {
			ASN1_IA5STRING_free(dns);
			goto out;
		}
		GENERAL_NAME_set0_value(gen, GEN_DNS, dns);
	}
	if (!sk_GENERAL_NAME_push(gens, gen))
		goto out;
	gen = NULL;
	if (X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1)
		rc = 0;
out:
	GENERAL_NAME_free(gen);
	GENERAL_NAMES_free(gens);
	return rc;
}

/* The critical id-pe-acmeIdentifier extension for keyauth, added to x:
 * its value is the DER of an OCTET STRING holding SHA-256(keyauth).
 * 0 or -1. */
static int add_acme_identifier(X509 *x, const char *keyauth)
{
	unsigned char md[32], *der = NULL;
	ASN1_OBJECT *oid = OBJ_txt2obj(ACME_IDENTIFIER_OID, 1);
	ASN1_OCTET_STRING *digest = ASN1_OCTET_STRING_new(), *value = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext = NULL;
	int derlen, rc = -1;

	if (oid == NULL || digest == NULL || value == NULL ||
	    EVP_Digest(keyauth, strlen(keyauth), md, NULL, EVP_sha256(), NULL) != 1 ||
	    !ASN1_OCTET_STRING_set(digest, md, sizeof(md)) ||
	    (derlen = i2d_ASN1_OCTET_STRING(digest, &der)) <= 0 ||
	    !ASN1_OCTET_STRING_set(value, der, derlen) ||
	    (ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 1, value)) == NULL ||
	    !X509_add_ext(x, ext, -1))
		goto out;
	rc = 0;
out:
	X509_EXTENSION_free(ext);
	OPENSSL_free(der);
	ASN1_OCTET_STRING_free(value);
	ASN1_OCTET_STRING_free(digest);
	ASN1_OBJECT_free(oid);
	return rc;
}

X509 *tlsalpn_cert(EVP_PKEY *key, const char *name, const char *keyauth)
{
	X509 *x = X509_new();
	X509_NAME *subject = X509_NAME_new();
	BIGNUM *serial = BN_new();

	if (x == NULL || subject == NULL || serial == NULL ||
	    !X509_set_version(x, X509_VERSION_3) ||
	    !BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) == NULL ||
	    !X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
	    (const unsigned char *)"acmectl tls-alpn-01", -1, -1, 0) ||
	    !X509_set_subject_name(x, subject) || !X509_set_issuer_name(x, subject) ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 7 * 86400) == NULL ||
	    !X509_set_pubkey(x, key) || add_san(x, name) != 0 ||
	    add_acme_identifier(x, keyauth) != 0 || X509_sign(x, key, EVP_sha256()) <= 0) {
		err_set(ERR_USAGE, "cannot make the tls-alpn-01 certificate for %s", name);
		X509_free(x);
		x = NULL;
	}
	BN_free(serial);
	X509_NAME_free(subject);
	return x;
}

/* The ClientHello callback, where every refusal happens: without
 * "acme-tls/1" on offer, or without the SNI of a published name, the
 * handshake ends with a fatal alert before any certificate is chosen;
 * otherwise that name's certificate is set on the connection. */
static int on_client_hello(SSL *ssl, int *alert, void *arg)
{
	struct tlsalpn *t = arg;
	const unsigned char *ext;
	char sni[SNI_MAX + 1];
	X509 *cert = NULL;
	size_t len, i;
	int ok;

	*alert = SSL_AD_NO_APPLICATION_PROTOCOL;
	if (!SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_application_layer_protocol_negotiation,
	    &ext, &len) || !tlsalpn_offers_acme(ext, len))
		return SSL_CLIENT_HELLO_ERROR;
	*alert = SSL_AD_UNRECOGNIZED_NAME;
	if (!SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &ext, &len) ||
	    !tlsalpn_hello_sni(ext, len, sni, sizeof(sni)))
		return SSL_CLIENT_HELLO_ERROR;
	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->nnames && cert == NULL; i++)
		if (strcmp(t->names[i].sni, sni) == 0 && X509_up_ref(t->names[i].cert))
			cert = t->names[i].cert;
	pthread_mutex_unlock(&t->lock);
	if (cert == NULL)
		return SSL_CLIENT_HELLO_ERROR;
	*alert = SSL_AD_INTERNAL_ERROR;
	ok = SSL_use_cert_and_key(ssl, cert, t->key, NULL, 1);
	X509_free(cert);
	return ok == 1 ? SSL_CLIENT_HELLO_SUCCESS : SSL_CLIENT_HELLO_ERROR;
}

/* Negotiates "acme-tls/1", the one protocol spoken here (the ClientHello
 * callback made sure it is on offer). */
static int on_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	static const unsigned char ours[] = "\x0a" ACME_TLS_1;
	unsigned char *chosen;

	(void)ssl;
	(void)arg;
	if (SSL_select_next_proto(&chosen, outlen, ours, sizeof(ours) - 1, in, inlen) !=
	    OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	*out = chosen;
	return SSL_TLSEXT_ERR_OK;
}

/* A connection's handshake on fd starts: its SSL, which client_step
 * drives. */
static short client_open(void *arg, size_t slot, int fd)
{
	struct tlsalpn *t = arg;
	SSL *ssl = SSL_new(t->ctx);

	if (ssl == NULL || !SSL_set_fd(ssl, fd)) {
		SSL_free(ssl);
		ERR_clear_error();
		return 0;
	}
	t->clients[slot] = ssl;
	return POLLIN;
}

/* Takes the handshake a step further; it is done once it succeeded (the
 * validator has seen the certificate) or failed. */
static short client_step(void *arg, size_t slot, int fd)
{
	SSL *ssl = ((struct tlsalpn *)arg)->clients[slot];
	int rc = SSL_accept(ssl), why = SSL_ERROR_NONE;

	(void)fd;
	if (rc == 1)
		SSL_shutdown(ssl);  /* close_notify, best effort */
	else
		why = SSL_get_error(ssl, rc);
	/* a refused peer leaves its reasons on this thread's queue */
	ERR_clear_error();
	return why == SSL_ERROR_WANT_READ ? POLLIN : why == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
}

static void client_close(void *arg, size_t slot)
{
	struct tlsalpn *t = arg;

	SSL_free(t->clients[slot]);
	t->clients[slot] = NULL;
}

/* A connection is one handshake. */
static const struct responder_client_ops client_ops = {
	.open = client_open,
	.step = client_step,
	.close = client_close,
};

/* The TLS context: TLS 1.2 or newer (RFC 8737 section 4), no certificate
 * of its own, no session tickets, every decision in the callbacks. NULL
 * with err. */
static SSL_CTX *context_new(struct tlsalpn *t)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_num_tickets(ctx, 0)) {
		SSL_CTX_free(ctx);
		err_set(ERR_NETWORK, "cannot set up the tls-alpn-01 responder's TLS");
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_client_hello_cb(ctx, on_client_hello, t);
	SSL_CTX_set_alpn_select_cb(ctx, on_alpn, t);
	return ctx;
}

struct tlsalpn *tlsalpn_start(const char *addr)
{
	struct tlsalpn *t = xcalloc(1, sizeof(*t));

	responder_init(&t->rsp);
	pthread_mutex_init(&t->lock, NULL);
	if ((t->key = key_generate(KEY_EC256)) == NULL || (t->ctx = context_new(t)) == NULL ||
	    responder_start(&t->rsp, addr, "--tls-alpn", "tls-alpn-01", &client_ops, t) != 0) {
		tlsalpn_free(t);
		return NULL;
	}
	return t;
}

int tlsalpn_publish(struct tlsalpn *t, const char *name, const char *keyauth)
{
	char *sni = tlsalpn_sni_name(name);
	X509 *cert = NULL;
	size_t i;
	int rc = -1;

	if (sni == NULL || strlen(sni) > SNI_MAX) {
		err_set(ERR_ACME, "cannot answer tls-alpn-01 for \"%s\": not a name or address",
		    name);
		goto out;
	}
	if ((cert = tlsalpn_cert(t->key, name, keyauth)) == NULL)
		goto out;
	for (char *p = sni; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->nnames && strcmp(t->names[i].sni, sni) != 0; i++)
		;
	if (i == MAX_NAMES) {
		pthread_mutex_unlock(&t->lock);
		err_set(ERR_USAGE, "more than %d names to answer tls-alpn-01 for at once",
		    MAX_NAMES);
		goto out;
	}
	if (i == t->nnames) {
		snprintf(t->names[i].sni, sizeof(t->names[i].sni), "%s", sni);
		t->nnames++;
	}
	X509_free(t->names[i].cert);
	t->names[i].cert = cert;
	cert = NULL;
	pthread_mutex_unlock(&t->lock);
	logmsg(LOG_VERBOSE, "tls-alpn-01: certificate for %s published", sni);
	rc = 0;
out:
	X509_free(cert);
	free(sni);
	return rc;
}

void tlsalpn_withdraw_all(struct tlsalpn *t)
{
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->nnames; i++) {
		X509_free(t->names[i].cert);
		t->names[i].cert = NULL;
	}
	t->nnames = 0;
	pthread_mutex_unlock(&t->lock);
}

void tlsalpn_free(struct tlsalpn *t)
{
	if (t == NULL)
		return;
	responder_stop(&t->rsp);
	tlsalpn_withdraw_all(t);
	SSL_CTX_free(t->ctx);
	EVP_PKEY_free(t->key);
	pthread_mutex_destroy(&t->lock);
	free(t);
}
