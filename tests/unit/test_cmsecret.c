/* test_cmsecret.c - the key, CSR and Secret cert-manager makes for a
 * Certificate: one table of spec.privateKey settings (key type, size, PEM
 * header, CSR digest), the CSR's subject and extensions, the key check of
 * rotationPolicy Never, and the Secret's YAML. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "b64url.h"
#include "cmcert.h"
#include "cmcsr.h"
#include "cmsecret.h"
#include "err.h"
#include "key.h"
#include "test.h"
#include "util.h"

#define CERT "kind: Certificate\nmetadata: {name: web, namespace: shop}\nspec:\n" \
	"  secretName: web-tls\n  issuerRef: {name: le, kind: ClusterIssuer}\n"

static const struct {
	const char *spec;      /* appended to CERT */
	const char *pem_head;  /* the first line of tls.key; NULL: generation fails */
	int bits;
	int md_nid;            /* the CSR's signature digest; NID_undef for Ed25519 */
	const char *why;
} key_rows[] = {
	{ "  dnsNames: [a.example]\n", "-----BEGIN RSA PRIVATE KEY-----", 2048, NID_sha256,
	  "defaults: RSA 2048, PKCS1, SHA-256" },
	{ "  dnsNames: [a.example]\n  privateKey: {size: 3072}\n",
	  "-----BEGIN RSA PRIVATE KEY-----", 3072, NID_sha384, "RSA 3072 signs with SHA-384" },
	{ "  dnsNames: [a.example]\n  privateKey: {size: 4096, encoding: PKCS8}\n",
	  "-----BEGIN PRIVATE KEY-----", 4096, NID_sha512, "RSA 4096 SHA-512, PKCS8" },
	{ "  dnsNames: [a.example]\n  privateKey: {algorithm: ECDSA}\n",
	  "-----BEGIN EC PRIVATE KEY-----", 256, NID_sha256, "ECDSA defaults to P-256, SEC1" },
	{ "  dnsNames: [a.example]\n  privateKey: {algorithm: ECDSA, size: 521}\n",
	  "-----BEGIN EC PRIVATE KEY-----", 521, NID_sha512, "P-521 signs with SHA-512" },
	{ "  dnsNames: [a.example]\n  privateKey: {algorithm: Ed25519}\n",
	  "-----BEGIN PRIVATE KEY-----", 256, NID_undef, "Ed25519 is always PKCS#8" },
	{ "  dnsNames: [a.example]\n  privateKey: {algorithm: ECDSA, size: 512}\n", NULL, 0, 0,
	  "no P-512 curve: cert-manager's words" },
	{ "  dnsNames: [a.example]\n  privateKey: {size: 1024}\n", NULL, 0, 0,
	  "RSA below 2048 is refused" },
};

/* The CSR as the newest release builds it (release by release: test_cmcsr). */
static char *csr_of(const struct cm_certificate *c, EVP_PKEY *key)
{
	static const struct cm_version newest = { 1, 21, 1 };
	struct cm_csr_gates g;

	cm_csr_gates_default(&newest, &g);
	return cm_csr_build(c, &newest, &g, key);
}

static struct cm_certificate *parse(const char *spec)
{
	char *text = xasprintf(CERT "%s", spec);
	struct cm_certificate *c = cm_certificate_parse(text, strlen(text), "t");

	free(text);
	return c;
}

static X509_REQ *decode_csr(const char *b64)
{
	size_t len;
	unsigned char *der = b64url_decode(b64, &len);
	const unsigned char *p = der;
	X509_REQ *req = der != NULL ? d2i_X509_REQ(NULL, &p, (long)len) : NULL;

	free(der);
	return req;
}

/* The key as PEM: 'T' traditional (PKCS#1, SEC1), '8' PKCS#8, 'E' the
 * traditional form encrypted (Proc-Type headers), 'P' encrypted PKCS#8.
 * Caller frees. */
static char *pem_of(EVP_PKEY *key, char form)
{
	const EVP_CIPHER *aes = form == 'E' || form == 'P' ? EVP_aes_128_cbc() : NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;

	if (form == 'T' || form == 'E')
		PEM_write_bio_PrivateKey_traditional(bio, key, aes, (unsigned char *)"pw", 2,
		    NULL, NULL);
	else
		PEM_write_bio_PrivateKey(bio, key, aes, (unsigned char *)"pw", 2, NULL, NULL);
	n = BIO_get_mem_data(bio, &data);
	out = xstrndup(data, (size_t)n);
	BIO_free(bio);
	return out;
}

/* A key that fits its own spec is reused. */
static void check_fits(const struct cm_certificate *c, EVP_PKEY *key, const char *why)
{
	static const struct cm_version v = { 1, 21, 1 };
	struct cm_existing_key ek;
	char *pem = pem_of(key, '8');

	cm_existing_key_check(c, &v, "s", (const unsigned char *)pem, strlen(pem), &ek);
	CHECK(ek.fate == CM_KEY_REUSE && ek.key != NULL, "%s: the key fits its own spec", why);
	cm_existing_key_clear(&ek);
	free(pem);
}

static void test_keys(void)
{
	for (size_t i = 0; i < sizeof(key_rows) / sizeof(key_rows[0]); i++) {
		struct cm_certificate *c = parse(key_rows[i].spec);
		EVP_PKEY *key = c != NULL ? cm_key_generate(c) : NULL;
		char *pem = NULL, *csr = NULL;
		X509_REQ *req = NULL;
		size_t len = 0;
		int md = -1, pk = 0;

		if (key_rows[i].pem_head == NULL) {
			CHECK(key == NULL && err_kind() == ERR_USAGE, "%s", key_rows[i].why);
			goto next;
		}
		CHECK(key != NULL, "%s: %s", key_rows[i].why, err_message());
		if (key == NULL)
			goto next;
		CHECK_INT(EVP_PKEY_get_bits(key), key_rows[i].bits, key_rows[i].why);
		check_fits(c, key, key_rows[i].why);
		pem = cm_key_pem(c, key, &len);
		CHECK(pem != NULL && strncmp(pem, key_rows[i].pem_head,
		    strlen(key_rows[i].pem_head)) == 0, "%s: %.40s", key_rows[i].why, pem ? pem : "");
		csr = csr_of(c, key);
		req = csr != NULL ? decode_csr(csr) : NULL;
		CHECK(req != NULL && X509_REQ_verify(req, key) == 1, "%s: a CSR signed by the key",
		    key_rows[i].why);
		if (req != NULL)
			X509_REQ_get_signature_nid(req) == NID_ED25519 ? (md = NID_undef) :
			    OBJ_find_sigid_algs(X509_REQ_get_signature_nid(req), &md, &pk);
		CHECK_INT(md, key_rows[i].md_nid, key_rows[i].why);
next:
		err_clear();
		X509_REQ_free(req);
		free(csr);
		key_pem_free(pem, len);
		EVP_PKEY_free(key);
		cm_certificate_free(c);
	}
}

/* The extension nid of req: whether present and critical. */
static bool ext_of(X509_REQ *req, int nid, bool *critical, char **text)
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	bool found = false;

	for (int i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
		X509_EXTENSION *e = sk_X509_EXTENSION_value(exts, i);
		BIO *bio;
		char *data;
		long n;

		if (OBJ_obj2nid(X509_EXTENSION_get_object(e)) != nid)
			continue;
		found = true;
		*critical = X509_EXTENSION_get_critical(e) == 1;
		bio = BIO_new(BIO_s_mem());
		X509V3_EXT_print(bio, e, 0, 0);
		n = BIO_get_mem_data(bio, &data);
		*text = xstrndup(data, (size_t)n);
		BIO_free(bio);
	}
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return found;
}

static const struct {
	const char *spec;
	const char *cn;         /* the subject's CN; NULL: empty subject */
	const char *sans;       /* as OpenSSL prints them */
	bool san_critical;
	const char *why;
} csr_rows[] = {
	{ "  commonName: a.example\n  dnsNames: [a.example, b.example]\n", "a.example",
	  "DNS:a.example, DNS:b.example", false, "CN in the subject, SANs as listed" },
	{ "  dnsNames: [b.example, a.example]\n  ipAddresses: [10.0.0.1]\n"
	  "  uris: [\"spiffe://c/ns/x\"]\n", NULL,
	  "DNS:b.example, DNS:a.example, IP Address:10.0.0.1, URI:spiffe://c/ns/x", true,
	  "no CN: an empty subject, the SANs critical; IPs and URIs too" },
	{ "  commonName: c.example\n  dnsNames: [a.example]\n", "c.example", "DNS:a.example", false,
	  "the CN is not added to the SANs (the ACME issuer then refuses it)" },
};

static void test_csr(void)
{
	for (size_t i = 0; i < sizeof(csr_rows) / sizeof(csr_rows[0]); i++) {
		struct cm_certificate *c = parse(csr_rows[i].spec);
		EVP_PKEY *key = key_generate(KEY_EC256);
		char *csr = c != NULL ? csr_of(c, key) : NULL, *san = NULL, *ku = NULL;
		X509_REQ *req = csr != NULL ? decode_csr(csr) : NULL;
		char cn[256] = "";
		bool crit = false, ku_crit = false;

		CHECK(req != NULL, "%s: %s", csr_rows[i].why, err_message());
		if (req == NULL)
			goto next;
		if (X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req), NID_commonName, cn,
		    sizeof(cn)) < 0)
			cn[0] = '\0';
		CHECK_STR(cn[0] ? cn : NULL, csr_rows[i].cn, csr_rows[i].why);
		CHECK(ext_of(req, NID_subject_alt_name, &crit, &san), "%s: a SAN", csr_rows[i].why);
		CHECK_STR(san, csr_rows[i].sans, csr_rows[i].why);
		CHECK(crit == csr_rows[i].san_critical, "%s: SAN critical", csr_rows[i].why);
		CHECK(ext_of(req, NID_key_usage, &ku_crit, &ku) && ku_crit && ku != NULL &&
		    strcmp(ku, "Digital Signature, Key Encipherment") == 0,
		    "%s: KeyUsage critical, digital signature and key encipherment", csr_rows[i].why);
next:
		free(san);
		free(ku);
		X509_REQ_free(req);
		free(csr);
		EVP_PKEY_free(key);
		cm_certificate_free(c);
	}
}

#define NEVER "  dnsNames: [a.example]\n  privateKey: {rotationPolicy: Never"

static const struct {
	const char *spec;           /* appended to CERT; ends the privateKey map */
	const char *key;            /* the key's type for EVP_PKEY_Q_keygen, or NULL: text */
	const char *param;          /* its size or curve */
	char form;                  /* pem_of()'s, or 0: text is the whole value */
	const char *text;           /* appended to the PEM, or the whole value */
	const char *release;
	enum cm_key_fate fate;
	const char *says;           /* fragment of why (undecodable) or of the event */
	const char *why_row;
} existing_rows[] = {
	{ NEVER ", algorithm: ECDSA}\n", "EC", "P-256", 'T', "", "v1.21.1", CM_KEY_REUSE, NULL,
	  "a SEC1 P-256 key for ECDSA 256: reused" },
	{ NEVER "}\n", "RSA", "2048", '8', "", "v1.21.1", CM_KEY_REUSE, NULL,
	  "a PKCS#8 key where the spec says PKCS1: no violation, reused (re-encoded on write)" },
	{ NEVER ", algorithm: Ed25519}\n", "ED25519", NULL, '8', "", "v1.21.1", CM_KEY_REUSE,
	  NULL, "Ed25519 as PKCS#8" },
	{ NEVER "}\n", NULL, NULL, 0, "", "v1.21.1", CM_KEY_GENERATE, NULL,
	  "an empty tls.key: a new key, no warning" },
	{ NEVER "}\n", NULL, NULL, 0, "hello, not a key", "v1.21.1", CM_KEY_UNDECODABLE,
	  "no PEM data", "not PEM: DecodeFailed, then a new key" },
	{ NEVER "}\n", NULL, NULL, 0, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END "
	  "CERTIFICATE-----\n", "v1.21.1", CM_KEY_UNDECODABLE,
	  "unknown private key type: CERTIFICATE", "a certificate where the key belongs" },
	{ NEVER ", algorithm: ECDSA}\n", "EC", "P-256", 'E', "", "v1.21.1", CM_KEY_UNDECODABLE,
	  "PEM headers", "an encrypted SEC1 key: cert-manager reads no passphrase, nor do we" },
	{ NEVER ", algorithm: ECDSA}\n", "EC", "P-256", 'P', "", "v1.21.1", CM_KEY_UNDECODABLE,
	  "unknown private key type: ENCRYPTED PRIVATE KEY", "an encrypted PKCS#8 key" },
	{ NEVER ", algorithm: ECDSA}\n", "EC", "secp256k1", 'T', "", "v1.21.1",
	  CM_KEY_UNDECODABLE, "unknown elliptic curve", "a curve Go's x509 does not parse" },
	{ NEVER "}\n", "X25519", NULL, '8', "", "v1.21.1", CM_KEY_UNDECODABLE,
	  "error parsing pkcs#8 private key", "a PKCS#8 key that cannot sign" },
	{ NEVER ", algorithm: ECDSA}\n", "EC", "P-384", 'T', "", "v1.21.1", CM_KEY_MISMATCH,
	  "mismatching fields: [spec.privateKey.size], but cert-manager cannot create new "
	  "private key", "a P-384 key for ECDSA 256: user intervention, no issuance" },
	{ NEVER "}\n", "EC", "P-256", 'T', "", "v1.21.1", CM_KEY_MISMATCH,
	  "Certificate resource, mismatching fields: [spec.privateKey.algorithm]",
	  "an EC key for RSA" },
	{ NEVER "}\n", "RSA", "3072", 'T', "", "v1.8.0", CM_KEY_MISMATCH,
	  "Existing private key in Secret \"s\" does not match requirements on Certificate "
	  "resource, mismatching fields: [spec.privateKey.size]",
	  "before v1.9.0 the warning is DecodeFailed's shorter text" },
	{ NEVER ", algorithm: ECDSA}\n", "EC", "P-256", 'T', "HUGE", "v1.21.1",
	  CM_KEY_UNDECODABLE, "larger than the maximum 13000B",
	  "a valid key followed by 14 kB: over cert-manager's PEM size limit" },
	{ NEVER ", algorithm: ECDSA}\n", "EC", "P-256", 'T', "HUGE", "v1.16.1", CM_KEY_REUSE,
	  NULL, "v1.16.1 had no size limit (it came in v1.16.2)" },
	{ NEVER ", algorithm: ECDSA}\n", "EC", "P-256", 'T', "HUGE", "v1.15.4",
	  CM_KEY_UNDECODABLE, "larger than", "the limit's backport to v1.15.4" },
};

static void test_existing_key(void)
{
	for (size_t i = 0; i < nitems(existing_rows); i++) {
		struct cm_certificate *c = parse(existing_rows[i].spec);
		EVP_PKEY *key = NULL;
		struct cm_existing_key ek;
		struct cm_version v;
		char *value, *pem = NULL, *pad = NULL;

		if (existing_rows[i].key != NULL)
			key = existing_rows[i].param == NULL ?
			    EVP_PKEY_Q_keygen(NULL, NULL, existing_rows[i].key) :
			    strcmp(existing_rows[i].key, "RSA") == 0 ?
			    EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
			    (size_t)atoi(existing_rows[i].param)) :
			    EVP_PKEY_Q_keygen(NULL, NULL, "EC", existing_rows[i].param);
		if (key != NULL)
			pem = pem_of(key, existing_rows[i].form);
		if (strcmp(existing_rows[i].text, "HUGE") == 0) {
			pad = xcalloc(1, 14001);
			memset(pad, 'x', 14000);
		}
		value = xasprintf("%s%s", pem != NULL ? pem : "", pad != NULL ? pad :
		    existing_rows[i].text);
		CHECK(c != NULL && cm_version_parse(existing_rows[i].release, &v) == 0 &&
		    (existing_rows[i].key == NULL || key != NULL), "%s: set up",
		    existing_rows[i].why_row);
		if (c == NULL)
			goto next;
		cm_existing_key_check(c, &v, "s", (const unsigned char *)value, strlen(value), &ek);
		CHECK_INT(ek.fate, existing_rows[i].fate, existing_rows[i].why_row);
		CHECK((ek.fate == CM_KEY_REUSE) == (ek.key != NULL), "%s: a key only when reused",
		    existing_rows[i].why_row);
		if (existing_rows[i].says != NULL)
			CHECK(strstr(ek.fate == CM_KEY_UNDECODABLE ? ek.why : ek.event_message,
			    existing_rows[i].says) != NULL, "%s: got \"%s\" / \"%s\"",
			    existing_rows[i].why_row, ek.why ? ek.why : "", ek.event_message ?
			    ek.event_message : "");
		if (ek.fate == CM_KEY_UNDECODABLE)
			CHECK_STR(ek.event_message, "Failed to decode private key stored in Secret "
			    "\"s\" - generating new key", existing_rows[i].why_row);
		cm_existing_key_clear(&ek);
next:
		free(value);
		free(pem);
		free(pad);
		EVP_PKEY_free(key);
		cm_certificate_free(c);
	}
}

/* A self-signed certificate for key with CN cn and the SANs sans (an
 * OpenSSL config string), as PEM. Caller frees. */
static char *self_signed(EVP_PKEY *key, const char *cn, const char *sans)
{
	X509 *x = X509_new();
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, sans);
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *pem;
	long n;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_set_pubkey(x, key);
	X509_add_ext(x, ext, -1);
	X509_sign(x, key, EVP_sha256());
	PEM_write_bio_X509(bio, x);
	n = BIO_get_mem_data(bio, &data);
	pem = xstrndup(data, (size_t)n);
	BIO_free(bio);
	X509_EXTENSION_free(ext);
	X509_free(x);
	return pem;
}

static const struct {
	const struct cm_version v;
	const char *has;       /* a line the Secret holds */
	bool present;
	const char *why;
} secret_rows[] = {
	{ { 1, 21, 1 }, "apiVersion: v1\nkind: Secret\n", true, "a v1 Secret" },
	{ { 1, 21, 1 }, "  name: \"web-tls\"\n  namespace: \"shop\"\n", true,
	  "named spec.secretName, in the Certificate's namespace" },
	{ { 1, 21, 1 }, "    cert-manager.io/alt-names: \"b.example,a.example\"\n", true,
	  "alt-names: the certificate's DNS names in its order" },
	{ { 1, 21, 1 }, "    cert-manager.io/common-name: \"b.example\"\n", true,
	  "common-name: the certificate's" },
	{ { 1, 21, 1 }, "    cert-manager.io/ip-sans: \"10.0.0.1\"\n", true, "ip-sans" },
	{ { 1, 21, 1 }, "    cert-manager.io/uri-sans: \"\"\n", true, "uri-sans, kept when empty" },
	{ { 1, 21, 1 }, "email-sans", false, "email-sans only when not empty" },
	{ { 1, 21, 1 }, "    cert-manager.io/issuer-kind: \"ClusterIssuer\"\n"
	  "    cert-manager.io/issuer-name: \"le\"\n", true, "the issuer, sorted keys" },
	{ { 1, 21, 1 }, "    cert-manager.io/issuer-group: \"cert-manager.io\"\n", true,
	  "the default group" },
	{ { 1, 21, 1 }, "  labels:\n    controller.cert-manager.io/fao: \"true\"\n", true,
	  "the fao label from v1.12.0" },
	{ { 1, 11, 0 }, "controller.cert-manager.io/fao", false, "no fao label before v1.12.0" },
	{ { 1, 21, 1 }, "type: kubernetes.io/tls\ndata:\n  tls.crt: ", true, "type and data" },
	{ { 1, 21, 1 }, "ca.crt", false, "no ca.crt: the ACME issuer never returns one" },
};

static void test_secret(void)
{
	struct cm_certificate *c = parse("  dnsNames: [a.example]\n");
	EVP_PKEY *key = key_generate(KEY_EC256);
	char *chain = self_signed(key, "b.example", "DNS:b.example,DNS:a.example,IP:10.0.0.1");
	size_t len = 0;
	char *yaml;

	for (size_t i = 0; i < sizeof(secret_rows) / sizeof(secret_rows[0]); i++) {
		yaml = cm_secret_yaml(c, &secret_rows[i].v, chain, "KEY", 3, &len);
		CHECK(yaml != NULL && (strstr(yaml, secret_rows[i].has) != NULL) ==
		    secret_rows[i].present, "%s:\n%s", secret_rows[i].why, yaml ? yaml : "");
		key_pem_free(yaml, len);
	}
	yaml = cm_secret_yaml(c, &secret_rows[0].v, chain, "KEY", 3, &len);
	CHECK(yaml != NULL && strstr(yaml, "  tls.key: S0VZ\n") != NULL,
	    "tls.key is the key PEM in base64");
	key_pem_free(yaml, len);
	yaml = cm_secret_yaml(c, &secret_rows[0].v, "not a certificate", "k", 1, &len);
	CHECK(yaml == NULL && err_kind() == ERR_ACME, "a chain without certificate is refused");
	err_clear();
	free(chain);
	EVP_PKEY_free(key);
	cm_certificate_free(c);
}

int main(void)
{
	test_keys();
	test_csr();
	test_existing_key();
	test_secret();
	return test_done();
}
