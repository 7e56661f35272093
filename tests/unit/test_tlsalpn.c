/* test_tlsalpn.c - the tls-alpn-01 solver: the certificate it builds (the
 * critical id-pe-acmeIdentifier extension and its value, the one SAN), the
 * ClientHello parsers against well-formed and hostile bodies, and the live
 * responder on loopback against real OpenSSL clients: the handshake a
 * validator makes succeeds; no SNI, an unknown SNI, h2 or no ALPN at all
 * are refused; a client that says nothing delays nobody. */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "key.h"
#include "tlsalpn.h"
#include "util.h"
#include "test.h"
#include "test_net.h"

#define KEYAUTH "tok_EN-1.thumbprint"

/* The value the extension must carry for KEYAUTH: the DER OCTET STRING
 * (04 20) of its SHA-256. */
static void expected_value(const char *keyauth, unsigned char out[34])
{
	out[0] = 0x04;
	out[1] = 0x20;
	EVP_Digest(keyauth, strlen(keyauth), out + 2, NULL, EVP_sha256(), NULL);
}

/* Checks cert as RFC 8737 section 3 wants it for name (ctx in messages). */
static void check_cert(X509 *cert, const char *name, bool ip, const char *keyauth,
    const char *ctx)
{
	ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.5.5.7.1.31", 1);
	int at = X509_get_ext_by_OBJ(cert, oid, -1);
	X509_EXTENSION *ext = at >= 0 ? X509_get_ext(cert, at) : NULL;
	const ASN1_OCTET_STRING *value = ext ? X509_EXTENSION_get_data(ext) : NULL;
	GENERAL_NAMES *sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	const GENERAL_NAME *san;
	unsigned char want[34];
	char got[64] = "";

	expected_value(keyauth, want);
	CHECK(ext != NULL, "%s: has id-pe-acmeIdentifier", ctx);
	CHECK(X509_get_ext_by_OBJ(cert, oid, at) == -1, "%s: has it once", ctx);
	CHECK(ext != NULL && X509_EXTENSION_get_critical(ext) == 1, "%s: it is critical", ctx);
	CHECK(value != NULL && ASN1_STRING_length(value) == 34 &&
	    memcmp(ASN1_STRING_get0_data(value), want, 34) == 0,
	    "%s: its value is OCTET STRING(SHA-256(keyauth))", ctx);
	CHECK_INT(sans != NULL ? sk_GENERAL_NAME_num(sans) : -1, 1, ctx);
	san = sans != NULL && sk_GENERAL_NAME_num(sans) == 1 ? sk_GENERAL_NAME_value(sans, 0) : NULL;
	if (san != NULL && san->type == GEN_DNS)
		snprintf(got, sizeof(got), "%.*s", ASN1_STRING_length(san->d.dNSName),
		    (const char *)ASN1_STRING_get0_data(san->d.dNSName));
	else if (san != NULL && san->type == GEN_IPADD)
		inet_ntop(ASN1_STRING_length(san->d.iPAddress) == 4 ? AF_INET : AF_INET6,
		    ASN1_STRING_get0_data(san->d.iPAddress), got, sizeof(got));
	CHECK_INT(san != NULL ? san->type : -1, ip ? GEN_IPADD : GEN_DNS, ctx);
	CHECK_STR(got, name, ctx);
	CHECK(X509_verify(cert, X509_get0_pubkey(cert)) == 1, "%s: self-signed", ctx);
	CHECK(X509_cmp_current_time(X509_get0_notBefore(cert)) < 0 &&
	    X509_cmp_current_time(X509_get0_notAfter(cert)) > 0, "%s: valid now", ctx);
	GENERAL_NAMES_free(sans);
	ASN1_OBJECT_free(oid);
}

static const struct {
	const char *name;
	bool ip;
	const char *sni;
} names[] = {
	{ "example.org", false, "example.org" },
	{ "xn--bcher-kva.example", false, "xn--bcher-kva.example" },
	{ "192.0.2.7", true, "7.2.0.192.in-addr.arpa" },
	{ "2001:db8::1", true, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa" },
};

static void test_certs(void)
{
	EVP_PKEY *key = key_generate(KEY_EC256);
	X509 *cert;
	char *sni;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		cert = tlsalpn_cert(key, names[i].name, KEYAUTH);
		CHECK(cert != NULL, "certificate for %s", names[i].name);
		if (cert != NULL)
			check_cert(cert, names[i].name, names[i].ip, KEYAUTH, names[i].name);
		X509_free(cert);
		sni = tlsalpn_sni_name(names[i].name);
		CHECK_STR(sni, names[i].sni, names[i].name);
		free(sni);
	}
	EVP_PKEY_free(key);
}

/* ALPN extension bodies: {bytes, length, offers acme-tls/1} */
static const struct {
	const char *data;
	size_t len;
	bool offers;
} alpns[] = {
	{ "\x00\x0b\x0a" "acme-tls/1", 13, true },
	{ "\x00\x0e\x02h2\x0a" "acme-tls/1", 16, true },
	{ "\x00\x03\x02h2", 5, false },
	{ "\x00\x0b\x0a" "acme-tls/2", 13, false },
	{ "\x00\x0a\x09" "acme-tls/", 12, false },
	{ "\x00\x0c\x0b" "acme-tls/1x", 14, false },
	{ "\x00\x0c\x0a" "acme-tls/1", 13, false },      /* list longer than the body */
	{ "\x00\x0b\x0b" "acme-tls/1", 13, false },      /* entry runs past the end */
	{ "\x00\x0c\x0a" "acme-tls/1\x00", 14, false },  /* empty entry */
	{ "\x00\x00", 2, false },
	{ "\x00", 1, false },
	{ "", 0, false },
};

/* server_name extension bodies: {bytes, length, the name or NULL} */
static const struct {
	const char *data;
	size_t len;
	const char *name;
} snis[] = {
	{ "\x00\x0e\x00\x00\x0b" "example.org", 16, "example.org" },
	{ "\x00\x0e\x00\x00\x0b" "EXAMPLE.org", 16, "example.org" },
	{ "\x00\x0e\x01\x00\x0b" "example.org", 16, NULL },   /* not host_name */
	{ "\x00\x0e\x00\x00\x0b" "exa\x00ple.org", 16, NULL }, /* NUL inside */
	{ "\x00\x0e\x00\x00\x0b" "exa ple.org", 16, NULL },   /* space */
	{ "\x00\x0e\x00\x00\x0b" "exa\nple.org", 16, NULL },  /* control */
	{ "\x00\x0e\x00\x00\x0c" "example.org", 16, NULL },   /* name past the end */
	{ "\x00\x0f\x00\x00\x0b" "example.org", 16, NULL },   /* list past the end */
	{ "\x00\x03\x00\x00\x00", 5, NULL },                    /* empty name */
	{ "\x00\x02\x00\x00", 4, NULL },
	{ "", 0, NULL },
};

static void test_parsers(void)
{
	unsigned char big[2 + 3 + 300];
	char out[254];
	bool ok;

	for (size_t i = 0; i < sizeof(alpns) / sizeof(alpns[0]); i++)
		CHECK(tlsalpn_offers_acme((const unsigned char *)alpns[i].data, alpns[i].len) ==
		    alpns[i].offers, "alpn row %zu", i);
	for (size_t i = 0; i < sizeof(snis) / sizeof(snis[0]); i++) {
		ok = tlsalpn_hello_sni((const unsigned char *)snis[i].data, snis[i].len, out,
		    sizeof(out));
		CHECK_STR(ok ? out : NULL, snis[i].name, "sni row");
	}
	/* 254 and 300 characters: over the 253 a DNS name can have */
	for (size_t n = 254; n <= 300; n += 46) {
		big[0] = (unsigned char)((n + 3) >> 8);
		big[1] = (unsigned char)(n + 3);
		big[2] = 0;
		big[3] = (unsigned char)(n >> 8);
		big[4] = (unsigned char)n;
		memset(big + 5, 'a', n);
		CHECK(!tlsalpn_hello_sni(big, n + 5, out, sizeof(out)), "sni of %zu bytes", n);
	}
}

/* One handshake as a client offering alpn (wire format, NULL: no ALPN)
 * with SNI sni (NULL: none). Returns the server's certificate when the
 * handshake succeeded with "acme-tls/1" chosen (caller X509_free()s). */
static X509 *handshake(int port, const char *sni, const char *alpn, size_t alpn_len)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = SSL_new(ctx);
	const unsigned char *chosen = NULL;
	unsigned int chosen_len = 0;
	X509 *cert = NULL;
	int fd = test_connect(AF_INET, port);

	if (fd == -1)
		goto out;
	SSL_set_fd(ssl, fd);
	if (sni != NULL)
		SSL_set_tlsext_host_name(ssl, sni);
	if (alpn != NULL)
		SSL_set_alpn_protos(ssl, (const unsigned char *)alpn, (unsigned int)alpn_len);
	if (SSL_connect(ssl) == 1) {
		SSL_get0_alpn_selected(ssl, &chosen, &chosen_len);
		if (chosen_len == 10 && memcmp(chosen, "acme-tls/1", 10) == 0)
			cert = SSL_get1_peer_certificate(ssl);
	}
	close(fd);
out:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return cert;
}

#define ACME "\x0a" "acme-tls/1"

static const struct {
	const char *sni;
	const char *alpn;
	size_t alpn_len;
	bool served;
} hellos[] = {
	{ "a.example", ACME, 11, true },
	{ "A.EXAMPLE", ACME, 11, true },                 /* SNI is case-blind */
	{ "b.example", "\x02h2" ACME, 14, true },
	{ NULL, ACME, 11, false },                       /* no SNI */
	{ "unknown.example", ACME, 11, false },
	{ "a.example", "\x02h2", 3, false },             /* h2 only */
	{ "a.example", "\x08http/1.1", 9, false },
	{ "a.example", NULL, 0, false },                 /* no ALPN */
	{ "a.example", ACME, 11, true },                 /* still serving */
};

static void test_responder(void)
{
	int port = test_free_port(), silent;
	char addr[32];
	struct tlsalpn *t;
	X509 *cert;
	long long t0;

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	t = tlsalpn_start(addr);
	CHECK(t != NULL, "responder on %s: %s", addr, err_message());
	if (t == NULL)
		return;
	CHECK_INT(tlsalpn_publish(t, "a.example", KEYAUTH), 0, "publish a.example");
	CHECK_INT(tlsalpn_publish(t, "b.example", "other.keyauth"), 0, "publish b.example");
	/* a client that connects and says nothing must not hold up the others */
	silent = test_connect(AF_INET, port);
	CHECK(silent != -1, "silent client connected");
	t0 = mono_ms();
	for (size_t i = 0; i < sizeof(hellos) / sizeof(hellos[0]); i++) {
		cert = handshake(port, hellos[i].sni, hellos[i].alpn, hellos[i].alpn_len);
		CHECK((cert != NULL) == hellos[i].served, "hello row %zu (sni %s)", i,
		    hellos[i].sni ? hellos[i].sni : "none");
		if (cert != NULL)
			check_cert(cert, i == 2 ? "b.example" : "a.example", false,
			    i == 2 ? "other.keyauth" : KEYAUTH, "served certificate");
		X509_free(cert);
	}
	/* generous: the silent client is dropped only after 5 s */
	CHECK(mono_ms() - t0 < 4000, "the handshakes did not wait for the silent client");
	close(silent);
	/* published again: the new key authorization is served */
	CHECK_INT(tlsalpn_publish(t, "a.example", "new.keyauth"), 0, "publish a.example again");
	cert = handshake(port, "a.example", ACME, 11);
	CHECK(cert != NULL, "served after publishing again");
	if (cert != NULL)
		check_cert(cert, "a.example", false, "new.keyauth", "replaced certificate");
	X509_free(cert);
	tlsalpn_withdraw_all(t);
	cert = handshake(port, "a.example", ACME, 11);
	CHECK(cert == NULL, "refused once withdrawn");
	X509_free(cert);
	tlsalpn_free(t);
	CHECK(test_connect(AF_INET, port) == -1, "port released");
	/* a bad address fails as a usage error */
	t = tlsalpn_start("127.0.0.1:x");
	CHECK(t == NULL && err_kind() == ERR_USAGE, "bad address: %s", err_message());
	err_clear();
}

int main(void)
{
	test_certs();
	test_parsers();
	test_responder();
	return test_done();
}
