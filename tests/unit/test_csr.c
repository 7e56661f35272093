/* test_csr.c - CSR building checked with OpenSSL, and loading from PEM and
 * DER files back to the sorted name set; then every allocation of a build
 * failing in turn. */
#include "config.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "b64url.h"
#include "csr.h"
#include "err.h"
#include "util.h"
#include "test.h"
#include "test_alloc.h"

#define LONG_NAME "a-label-that-is-long-enough.to-push-the-name.beyond-sixty-four.example"

static const struct {
	const char *key;          /* "P-256", "P-384" or "RSA" */
	const char *names[4];
	size_t nnames;
	const char *cn;           /* expected CN, NULL for none */
	const char *loaded[4];    /* csr_load result, NULL-terminated */
	int sig_nid;
} rows[] = {
	{ "P-256", { "www.example.com", "a.example.com", "192.0.2.1" }, 3,
	  "www.example.com",
	  { "192.0.2.1", "a.example.com", "www.example.com" },
	  NID_ecdsa_with_SHA256 },
	{ "RSA", { "Www.Example.COM", "2001:DB8:0:0::1", "www.example.com" }, 3,
	  "Www.Example.COM",
	  { "2001:db8::1", "www.example.com" },
	  NID_sha256WithRSAEncryption },
	{ "P-384", { "192.0.2.7" }, 1, NULL,
	  { "192.0.2.7" },
	  NID_ecdsa_with_SHA256 },
	{ "P-256", { LONG_NAME, "b.example" }, 2, NULL,
	  { LONG_NAME, "b.example" },
	  NID_ecdsa_with_SHA256 },
	{ "P-256", { "*.example.net", "example.net", "::ffff:192.0.2.9" }, 3,
	  "*.example.net",
	  { "*.example.net", "::ffff:192.0.2.9", "example.net" },
	  NID_ecdsa_with_SHA256 },
};

static EVP_PKEY *keygen(const char *what)
{
	if (strcmp(what, "RSA") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", what);
}

/* The CN of req, or NULL; caller frees. */
static char *subject_cn(X509_REQ *req)
{
	char buf[256];

	if (X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req),
	    NID_commonName, buf, sizeof(buf)) < 0)
		return NULL;
	return xstrdup(buf);
}

/* Checks that SAN entry i of req is names[i] with the right type. */
static void check_san(X509_REQ *req, size_t row)
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	GENERAL_NAMES *gens;
	unsigned char addr[16];
	char ctx[64];
	int crit = -1, i, addrlen;

	gens = X509V3_get_d2i(exts, NID_subject_alt_name, &crit, NULL);
	snprintf(ctx, sizeof(ctx), "row %zu SAN count", row);
	CHECK_INT(sk_GENERAL_NAME_num(gens), rows[row].nnames, ctx);
	snprintf(ctx, sizeof(ctx), "row %zu SAN critical", row);
	CHECK_INT(crit, rows[row].cn == NULL, ctx);
	for (i = 0; i < sk_GENERAL_NAME_num(gens) &&
	    (size_t)i < rows[row].nnames; i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(gens, i);
		const char *name = rows[row].names[i];

		addrlen = 0;
		if (inet_pton(AF_INET, name, addr) == 1)
			addrlen = 4;
		else if (inet_pton(AF_INET6, name, addr) == 1)
			addrlen = 16;
		if (addrlen != 0) {
			CHECK(gn->type == GEN_IPADD &&
			    ASN1_STRING_length(gn->d.iPAddress) == addrlen &&
			    memcmp(ASN1_STRING_get0_data(gn->d.iPAddress), addr,
			    (size_t)addrlen) == 0,
			    "row %zu: %s is not an iPAddress", row, name);
		} else {
			CHECK(gn->type == GEN_DNS &&
			    ASN1_STRING_length(gn->d.dNSName) ==
			    (int)strlen(name) &&
			    memcmp(ASN1_STRING_get0_data(gn->d.dNSName), name,
			    strlen(name)) == 0,
			    "row %zu: %s is not a dNSName", row, name);
		}
	}
	GENERAL_NAMES_free(gens);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
}

static void check_names(char **got, const char *const *want, const char *ctx)
{
	size_t i;

	for (i = 0; want[i] != NULL; i++)
		CHECK_STR(got != NULL ? got[i] : NULL, want[i], ctx);
	CHECK(got != NULL && got[i] == NULL, "%s: extra names", ctx);
}

/* Loads path with csr_load and checks the names and the encoding. */
static void check_load(const char *path, size_t row, const char *want_b64,
    const char *form)
{
	char **names = NULL, *b64, ctx[64];

	snprintf(ctx, sizeof(ctx), "row %zu %s", row, form);
	err_clear();
	b64 = path != NULL ? csr_load(path, &names) : NULL;
	CHECK(b64 != NULL, "%s: %s", ctx, err_message());
	CHECK_STR(b64, want_b64, ctx);
	check_names(names, rows[row].loaded, ctx);
	strv_free(names);
	free(b64);
}

/* Writes der and expects csr_load to refuse it, naming the file. */
static void check_refused(const unsigned char *der, size_t len,
    const char *what, const char *why)
{
	char *path = test_write_temp(der, len), **names = NULL, *b64;

	err_clear();
	b64 = path != NULL ? csr_load(path, &names) : NULL;
	CHECK(b64 == NULL && names == NULL && err_kind() == ERR_USAGE &&
	    strstr(err_message(), path) != NULL &&
	    strstr(err_message(), why) != NULL, "%s accepted or bad message: %s",
	    what, err_message());
	free(b64);
	strv_free(names);
	if (path != NULL)
		unlink(path);
	free(path);
}

static void test_build_load(void)
{
	unsigned char *der, *tampered, *hit;
	const unsigned char *p;
	X509_REQ *req;
	EVP_PKEY *key;
	BIO *bio;
	char *b64, *cn, *path, *pem, ctx[64];
	size_t row, len;
	long pemlen;

	for (row = 0; row < nitems(rows); row++) {
		snprintf(ctx, sizeof(ctx), "row %zu", row);
		key = keygen(rows[row].key);
		b64 = csr_build(key, (char *const *)rows[row].names,
		    rows[row].nnames);
		CHECK(b64 != NULL && b64url_is_token(b64), "%s: %s", ctx,
		    err_message());
		der = b64 != NULL ? b64url_decode(b64, &len) : NULL;
		p = der;
		req = der != NULL ? d2i_X509_REQ(NULL, &p, (long)len) : NULL;
		CHECK(req != NULL, "%s: not DER", ctx);
		if (req == NULL) {
			free(der);
			free(b64);
			EVP_PKEY_free(key);
			continue;
		}
		CHECK_INT(X509_REQ_verify(req, key), 1, ctx);
		CHECK_INT(X509_REQ_get_signature_nid(req), rows[row].sig_nid,
		    ctx);
		CHECK(EVP_PKEY_eq(X509_REQ_get0_pubkey(req), key) == 1,
		    "%s: public key differs", ctx);
		cn = subject_cn(req);
		CHECK_STR(cn, rows[row].cn, ctx);
		free(cn);
		check_san(req, row);

		path = test_write_temp(der, len);
		check_load(path, row, b64, "DER");
		if (path != NULL)
			unlink(path);
		free(path);

		bio = BIO_new(BIO_s_mem());
		PEM_write_bio_X509_REQ(bio, req);
		pemlen = BIO_get_mem_data(bio, &pem);
		path = test_write_temp(pem, (size_t)pemlen);
		check_load(path, row, b64, "PEM");
		if (path != NULL)
			unlink(path);
		free(path);
		BIO_free(bio);

		/* A changed name or signature byte breaks the signature. */
		tampered = xmalloc(len);
		memcpy(tampered, der, len);
		tampered[len - 1] ^= 0x01;
		check_refused(tampered, len, "flipped signature bit",
		    "signature");
		memcpy(tampered, der, len);
		hit = memmem(tampered, len, rows[row].names[0],
		    strlen(rows[row].names[0]));
		if (hit == NULL) /* an IP literal: change a middle byte */
			hit = tampered + len / 2;
		*hit ^= 0x02;
		check_refused(tampered, len, "changed request body", "");
		free(tampered);

		X509_REQ_free(req);
		free(der);
		free(b64);
		EVP_PKEY_free(key);
	}
}

/* A CSR made directly with OpenSSL: subject CN only, or nothing. */
static unsigned char *plain_csr(EVP_PKEY *key, const char *cn, size_t *len)
{
	X509_REQ *req = X509_REQ_new();
	unsigned char *der = NULL;
	int n;

	if (cn != NULL)
		X509_NAME_add_entry_by_NID(X509_REQ_get_subject_name(req),
		    NID_commonName, MBSTRING_UTF8, (const unsigned char *)cn, -1,
		    -1, 0);
	X509_REQ_set_pubkey(req, key);
	X509_REQ_sign(req, key, EVP_sha256());
	n = i2d_X509_REQ(req, &der);
	X509_REQ_free(req);
	*len = n > 0 ? (size_t)n : 0;
	return der;
}

static void test_edges(void)
{
	static const char *const want_cn[] = { "legacy.example.org", NULL };
	static const char *const want_ip_cn[] = { "2001:db8::5", NULL };
	static const char broken_pem[] = "-----BEGIN CERTIFICATE REQUEST-----\n"
	    "MAA=\n-----END CERTIFICATE REQUEST-----\n";
	EVP_PKEY *key = keygen("P-256");
	unsigned char *der;
	char *path, **names = NULL, *b64;
	char *const one[] = { "example.org" };
	char *const empty[] = { "" };
	char *const spaced[] = { "example.org", "a b.example" };
	char *const utf8[] = { "b\xc3\xbc" "cher.example" };
	size_t len;

	/* Legacy CSRs with the name only in the CN. */
	der = plain_csr(key, "Legacy.Example.ORG", &len);
	path = test_write_temp(der, len);
	b64 = path != NULL ? csr_load(path, &names) : NULL;
	CHECK(b64 != NULL, "CN-only CSR: %s", err_message());
	check_names(names, want_cn, "CN-only");
	strv_free(names);
	names = NULL;
	free(b64);
	unlink(path);
	free(path);
	OPENSSL_free(der);

	der = plain_csr(key, "2001:DB8:0::5", &len);
	path = test_write_temp(der, len);
	b64 = path != NULL ? csr_load(path, &names) : NULL;
	check_names(names, want_ip_cn, "IP CN");
	strv_free(names);
	names = NULL;
	free(b64);
	unlink(path);
	free(path);
	OPENSSL_free(der);

	der = plain_csr(key, NULL, &len);
	check_refused(der, len, "CSR without names", "no DNS name");
	OPENSSL_free(der);

	check_refused((const unsigned char *)"not a csr\n", 10, "garbage",
	    "not a PEM or DER");
	check_refused((const unsigned char *)broken_pem, strlen(broken_pem),
	    "broken PEM", "not a PEM or DER");

	err_clear();
	b64 = csr_load("/nonexistent/acmectl.csr", &names);
	CHECK(b64 == NULL && names == NULL && err_kind() == ERR_USAGE &&
	    strstr(err_message(), "/nonexistent/acmectl.csr") != NULL,
	    "missing file: %s", err_message());

	err_clear();
	b64 = csr_build(key, one, 0);
	CHECK(b64 == NULL && err_kind() == ERR_USAGE, "no names accepted");
	err_clear();
	b64 = csr_build(key, empty, 1);
	CHECK(b64 == NULL && err_kind() == ERR_USAGE, "empty name accepted");
	err_clear();
	b64 = csr_build(key, spaced, 2);
	CHECK(b64 == NULL && err_kind() == ERR_USAGE &&
	    strstr(err_message(), "a b.example") != NULL, "space accepted");
	err_clear();
	b64 = csr_build(key, utf8, 1);
	CHECK(b64 == NULL && err_kind() == ERR_USAGE, "U-label accepted");
	EVP_PKEY_free(key);
}

/* A CSR of the request of test_alloc_failures, and the parts it must have:
 * the subject and the extensions as DER, signed by its key. */
struct csr_case {
	EVP_PKEY *key;
	char *const *names;
	size_t nnames;
	unsigned char *subject, *exts;
	int subject_len, exts_len;
};

static void *make_csr(void *arg)
{
	struct csr_case *c = arg;

	return csr_build(c->key, c->names, c->nnames);
}

/* The DER of req's subject and extensions into *subject and *exts (caller
 * frees with OPENSSL_free); 0 or -1. */
static int csr_parts(X509_REQ *req, unsigned char **subject, int *subject_len,
    unsigned char **exts, int *exts_len)
{
	STACK_OF(X509_EXTENSION) *e = X509_REQ_get_extensions(req);

	*subject = *exts = NULL;
	*subject_len = i2d_X509_NAME(X509_REQ_get_subject_name(req), subject);
	*exts_len = e != NULL ? i2d_X509_EXTENSIONS((X509_EXTENSIONS *)e, exts) : -1;
	sk_X509_EXTENSION_pop_free(e, X509_EXTENSION_free);
	return *subject_len > 0 && *exts_len > 0 ? 0 : -1;
}

/* ALLOC_WHOLE when the CSR b64 is signed by the case's key and has its
 * subject and extensions byte for byte. */
static enum alloc_outcome judge_csr(void *b64, void *arg)
{
	struct csr_case *c = arg;
	unsigned char *der, *subject = NULL, *exts = NULL;
	const unsigned char *p;
	int subject_len, exts_len;
	X509_REQ *req = NULL;
	size_t len;
	bool whole;

	der = b64url_decode(b64, &len);
	p = der;
	whole = der != NULL && (req = d2i_X509_REQ(NULL, &p, (long)len)) != NULL &&
	    X509_REQ_verify(req, c->key) == 1 &&
	    csr_parts(req, &subject, &subject_len, &exts, &exts_len) == 0 &&
	    subject_len == c->subject_len && memcmp(subject, c->subject, (size_t)subject_len) == 0 &&
	    exts_len == c->exts_len && memcmp(exts, c->exts, (size_t)exts_len) == 0;
	OPENSSL_free(subject);
	OPENSSL_free(exts);
	X509_REQ_free(req);
	free(der);
	free(b64);
	return whole ? ALLOC_WHOLE : ALLOC_SHORT;
}

/* Each allocation of building a CSR with a CN, DNS names and an IP
 * address failing in turn, for a P-256 key: the CSR comes out
 * whole, or the build stops with one line as out of memory (exit 4, as
 * acmectl's own allocators do); never a CSR short of a name or unsigned,
 * never the names blamed for it. */
static void test_alloc_failures(void)
{
	static char *const names[] = { "www.example.com", "a.example.com", "192.0.2.1" };
	/* not RSA: OpenSSL 3.0.x's ASN1_item_sign_ctx frees an invalid pointer
	 * when its 2009th allocation of an RSA CSR fails (abort in the
	 * child), a fault of OpenSSL's own that no caller can handle */
	static const char *const keys[] = { "P-256" };
	struct csr_case c = { .names = names, .nnames = nitems(names) };
	struct alloc_build b = { make_csr, judge_csr, &c };
	unsigned char *der;
	const unsigned char *p;
	X509_REQ *req;
	char *b64, what[64];
	long n, oom = 0;
	size_t len;

	for (size_t i = 0; i < nitems(keys); i++) {
		c.key = keygen(keys[i]);
		b64 = csr_build(c.key, names, nitems(names));
		der = b64 != NULL ? b64url_decode(b64, &len) : NULL;
		p = der;
		req = der != NULL ? d2i_X509_REQ(NULL, &p, (long)len) : NULL;
		CHECK(req != NULL && csr_parts(req, &c.subject, &c.subject_len, &c.exts,
		    &c.exts_len) == 0, "%s: the CSR without failures has its parts", keys[i]);
		snprintf(what, sizeof(what), "CSR with a %s key", keys[i]);
		n = req != NULL ? alloc_fail_each(what, &b, &oom) : 0;
		CHECK(n > 20 && oom > 0, "%s: %ld allocations failed in turn, %ld out of memory",
		    what, n, oom);
		OPENSSL_free(c.subject);
		OPENSSL_free(c.exts);
		X509_REQ_free(req);
		free(der);
		free(b64);
		EVP_PKEY_free(c.key);
	}
}

int main(void)
{
	/* before OpenSSL allocates anything: later it refuses */
	alloc_counting_start();
	test_build_load();
	test_edges();
	test_alloc_failures();
	return test_done();
}
