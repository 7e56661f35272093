/* test_cmcsr.c - the CSR cert-manager builds from a Certificate, release by
 * release: each row's CSR is parsed back with OpenSSL and its subject (RDN
 * by RDN, with each value's string type) and extensions (in order, critical
 * or not, KeyUsage and BasicConstraints as the exact bytes Go writes)
 * compared; then what refuses the fields before any CSR is built; then
 * every allocation of a build failing in turn. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "b64url.h"
#include "cmcert.h"
#include "cmcsr.h"
#include "err.h"
#include "key.h"
#include "test.h"
#include "test_alloc.h"
#include "util.h"

#define CERT "kind: Certificate\nmetadata: {name: web, namespace: shop}\nspec:\n" \
	"  secretName: web-tls\n  issuerRef: {name: le, kind: ClusterIssuer}\n"

/* Gate settings of a row: the release's defaults, or one turned on/off. */
enum gates { DEFAULTS, BC_ON, LITERAL_OFF, LITERAL_ON };

static struct cm_certificate *parse(const char *spec)
{
	char *text = xasprintf(CERT "%s", spec);
	struct cm_certificate *c = cm_certificate_parse(text, strlen(text), "t");

	free(text);
	return c;
}

static void gates_of(const struct cm_version *v, enum gates which, struct cm_csr_gates *g)
{
	cm_csr_gates_default(v, g);
	if (which == BC_ON)
		g->basic_constraints = true;
	else if (which == LITERAL_OFF)
		g->literal_subject = false;
	else if (which == LITERAL_ON)
		g->literal_subject = true;
}

/* "C=DE:P/O=Acme:P+O=Beta:P/CN=x:U": the RDNs in order, "+" inside a
 * multi-valued one, P for PrintableString, U for UTF8String. */
static char *subject_text(X509_NAME *name)
{
	char *out = xstrdup(""), *next;
	int last_set = -1;

	for (int i = 0; i < X509_NAME_entry_count(name); i++) {
		X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		ASN1_STRING *s = X509_NAME_ENTRY_get_data(e);
		int set = X509_NAME_ENTRY_set(e);

		next = xasprintf("%s%s%s=%.*s:%s", out, i == 0 ? "" : set == last_set ? "+" : "/",
		    OBJ_nid2sn(OBJ_obj2nid(X509_NAME_ENTRY_get_object(e))), ASN1_STRING_length(s),
		    (const char *)ASN1_STRING_get0_data(s),
		    ASN1_STRING_type(s) == V_ASN1_PRINTABLESTRING ? "P" :
		    ASN1_STRING_type(s) == V_ASN1_UTF8STRING ? "U" : "?");
		free(out);
		out = next;
		last_set = set;
	}
	return out;
}

/* One extension as "name[!]=value": '!' when critical; KeyUsage and
 * BasicConstraints as the hex of their DER, the others as OpenSSL prints
 * them. */
static char *ext_text(X509_EXTENSION *e)
{
	int nid = OBJ_obj2nid(X509_EXTENSION_get_object(e));
	ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(e);
	char *value, *out, *data;
	BIO *bio;
	long n;

	if (nid == NID_key_usage || nid == NID_basic_constraints) {
		value = xcalloc(1, (size_t)ASN1_STRING_length(v) * 2 + 1);
		for (int i = 0; i < ASN1_STRING_length(v); i++)
			sprintf(value + 2 * i, "%02x", ASN1_STRING_get0_data(v)[i]);
	} else {
		bio = BIO_new(BIO_s_mem());
		X509V3_EXT_print(bio, e, 0, 0);
		n = BIO_get_mem_data(bio, &data);
		value = n > 0 ? xstrndup(data, (size_t)n) : xstrdup("");
		BIO_free(bio);
	}
	out = xasprintf("%s%s=%s", OBJ_nid2sn(nid), X509_EXTENSION_get_critical(e) ? "!" : "",
	    value);
	free(value);
	return out;
}

/* The extensions in order, joined by " | ". */
static char *exts_text(X509_REQ *req)
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	char *out = xstrdup(""), *one, *next;

	for (int i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
		one = ext_text(sk_X509_EXTENSION_value(exts, i));
		next = xasprintf("%s%s%s", out, i > 0 ? " | " : "", one);
		free(one);
		free(out);
		out = next;
	}
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return out;
}

static X509_REQ *decode_csr(const char *b64)
{
	size_t len = 0;
	unsigned char *der = b64url_decode(b64, &len);
	const unsigned char *p = der;
	X509_REQ *req = der != NULL ? d2i_X509_REQ(NULL, &p, (long)len) : NULL;

	free(der);
	return req;
}

#define SAN_A "subjectAltName=DNS:a.example"
#define KU_DEFAULT "keyUsage!=030205a0"   /* digital signature, key encipherment */

static const struct {
	const char *release;
	enum gates gates;
	const char *spec;           /* appended to CERT */
	const char *subject;        /* subject_text(); NULL: the CSR is refused */
	const char *exts;           /* exts_text(), or the error when refused */
	const char *why;
} rows[] = {
	/* subject */
	{ "v1.21.1", DEFAULTS, "  commonName: a.example\n  dnsNames: [a.example]\n",
	  "CN=a.example:P", SAN_A " | " KU_DEFAULT,
	  "the plain case: CN, SAN not critical, KeyUsage critical and no EKU by default" },
	{ "v1.21.1", DEFAULTS, "  commonName: a.example\n  dnsNames: [a.example]\n"
	  "  subject:\n    organizations: [Beta, Acme]\n    countries: [DE]\n"
	  "    organizationalUnits: [Ops]\n    localities: [Berlin]\n    provinces: [BE]\n"
	  "    streetAddresses: [Main St 1]\n    postalCodes: [\"10115\"]\n"
	  "    serialNumber: \"42\"\n",
	  "C=DE:P/ST=BE:P/L=Berlin:P/street=Main St 1:P/postalCode=10115:P/O=Acme:P+O=Beta:P"
	  "/OU=Ops:P/CN=a.example:P/serialNumber=42:P", SAN_A " | " KU_DEFAULT,
	  "Go's pkix.Name order (C ST L STREET POSTALCODE O OU CN SERIALNUMBER), whatever the "
	  "manifest's; two organizations share one RDN, sorted as DER sorts a SET" },
	{ "v1.1.0", DEFAULTS, "  commonName: a.example\n  dnsNames: [a.example]\n"
	  "  subject: {organizations: [Acme], countries: [DE]}\n",
	  "C=DE:P/O=Acme:P/CN=a.example:P", SAN_A " | keyUsage=030205a0",
	  "the same order in the oldest modelled release (Go's x509 built it)" },
	{ "v1.21.1", DEFAULTS, "  commonName: \"*.a.example\"\n  dnsNames: [\"*.a.example\"]\n"
	  "  subject: {organizations: [\"M\\u00fcller & Co\"], localities: [\"x:y=z?\"]}\n",
	  "L=x:y=z?:P/O=Müller & Co:U/CN=*.a.example:U", "subjectAltName=DNS:*.a.example | "
	  KU_DEFAULT, "UTF8String for what PrintableString cannot hold, '*' and '&' included "
	  "(Go's Marshal rejects both); ':=?' stay printable" },
	{ "v1.21.1", DEFAULTS, "  dnsNames: [b.example, a.example]\n", "",
	  "subjectAltName!=DNS:b.example, DNS:a.example | " KU_DEFAULT,
	  "no subject: the SAN is critical from v1.14.0, and keeps the manifest's order" },
	{ "v1.13.0", DEFAULTS, "  dnsNames: [b.example, a.example]\n", "",
	  "subjectAltName=DNS:b.example, DNS:a.example | keyUsage=030205a0",
	  "no subject up to v1.13.x: Go's x509 never marked the SAN critical, nor KeyUsage" },
	{ "v1.14.0", DEFAULTS, "  dnsNames: [a.example]\n  subject: {organizations: [Acme]}\n",
	  "O=Acme:P", SAN_A " | " KU_DEFAULT,
	  "a subject without CN is still a subject: the SAN is not critical" },
	/* SANs */
	{ "v1.21.1", DEFAULTS, "  commonName: a.example\n  dnsNames: [a.example]\n"
	  "  uris: [\"spiffe://c/ns/x\"]\n  ipAddresses: [10.0.0.1, \"::ffff:10.0.0.2\", "
	  "\"2001:db8::1\"]\n  emailAddresses: [ops@a.example]\n",
	  "CN=a.example:P", "subjectAltName=DNS:a.example, email:ops@a.example, IP "
	  "Address:10.0.0.1, IP Address:10.0.0.2, IP Address:2001:DB8:0:0:0:0:0:1, "
	  "URI:spiffe://c/ns/x | " KU_DEFAULT,
	  "SANs in Go's order DNS, e-mail, IP, URI; an IPv4-mapped address as 4 bytes" },
	{ "v1.5.0", DEFAULTS, "  commonName: a.example\n  dnsNames: [a.example]\n"
	  "  emailAddresses: [ops@a.example]\n", "CN=a.example:P",
	  "subjectAltName=DNS:a.example, email:ops@a.example | keyUsage=030205a0",
	  "e-mail addresses in an old release too" },
	{ "v1.21.1", DEFAULTS, "  commonName: a.example\n  dnsNames: [a.example]\n"
	  "  uris: [\"https://a.example/\\u00e9\"]\n", NULL,
	  "x509: \"https://a.example/é\" cannot be encoded as an IA5String",
	  "a URI beyond ASCII: Go's own words" },
	/* usages */
	{ "v1.21.1", DEFAULTS, "  dnsNames: [a.example]\n  commonName: a.example\n"
	  "  usages: [server auth, client auth]\n", "CN=a.example:P", SAN_A
	  " | extendedKeyUsage=TLS Web Server Authentication, TLS Web Client Authentication",
	  "only extended usages: no KeyUsage at all from v1.16.0" },
	{ "v1.15.0", DEFAULTS, "  dnsNames: [a.example]\n  commonName: a.example\n"
	  "  usages: [server auth, client auth]\n", "CN=a.example:P", SAN_A
	  " | keyUsage!=03020000 | extendedKeyUsage=TLS Web Server Authentication, TLS Web "
	  "Client Authentication", "only extended usages up to v1.15.x: an empty KeyUsage, "
	  "as Go writes it (two bytes, none set)" },
	{ "v1.21.1", DEFAULTS, "  dnsNames: [a.example]\n  commonName: a.example\n"
	  "  usages: [signing, key encipherment, server auth, s/mime]\n", "CN=a.example:P",
	  SAN_A " | " KU_DEFAULT " | extendedKeyUsage=TLS Web Server Authentication, E-mail "
	  "Protection", "\"signing\" is digital signature, \"s/mime\" email protection" },
	{ "v1.21.1", DEFAULTS, "  dnsNames: [a.example]\n  commonName: a.example\n"
	  "  usages: [decipher only, digital signature]\n", "CN=a.example:P",
	  SAN_A " | keyUsage!=0303078080",
	  "decipher only is bit 8: KeyUsage takes a second byte" },
	{ "v1.21.1", DEFAULTS, "  dnsNames: [a.example]\n  commonName: a.example\n"
	  "  isCA: true\n", "CN=a.example:P", SAN_A " | keyUsage!=030202a4",
	  "isCA adds cert sign to the default usages; no BasicConstraints without the gate" },
	{ "v1.21.1", DEFAULTS, "  dnsNames: [a.example]\n  commonName: a.example\n"
	  "  encodeUsagesInRequest: false\n  usages: [server auth]\n", "CN=a.example:P", SAN_A,
	  "encodeUsagesInRequest false: neither KeyUsage nor EKU" },
	{ "v1.0.0", DEFAULTS, "  dnsNames: [a.example]\n  commonName: a.example\n"
	  "  encodeUsagesInRequest: false\n", "CN=a.example:P",
	  SAN_A " | keyUsage=030205a0 | extendedKeyUsage=",
	  "v1.0.x has no encodeUsagesInRequest and always writes an EKU, empty when none" },
	{ "v1.21.1", DEFAULTS, "  dnsNames: [a.example]\n  usages: [digital signature, "
	  "frobnicate]\n", NULL, "failed to build key usages: unknown key usages: [frobnicate]",
	  "an unknown usage (the API server refuses it first: see the refusal rows)" },
	/* BasicConstraints */
	{ "v1.21.1", BC_ON, "  dnsNames: [a.example]\n  commonName: a.example\n  isCA: true\n",
	  "CN=a.example:P", SAN_A " | keyUsage!=030202a4 | basicConstraints!=30030101ff",
	  "gate UseCertificateRequestBasicConstraints on: CA:TRUE, critical" },
	{ "v1.21.1", BC_ON, "  dnsNames: [a.example]\n  commonName: a.example\n",
	  "CN=a.example:P", SAN_A " | " KU_DEFAULT " | basicConstraints!=3000",
	  "the gate on and isCA false: an empty SEQUENCE (false is the default)" },
	{ "v1.12.0", BC_ON, "  dnsNames: [a.example]\n  commonName: a.example\n",
	  "CN=a.example:P", SAN_A " | keyUsage=030205a0 | basicConstraints=3003010100",
	  "v1.11/v1.12 wrote false out, not critical" },
	{ "v1.10.0", BC_ON, "  dnsNames: [a.example]\n  commonName: a.example\n  isCA: true\n",
	  "CN=a.example:P", SAN_A " | keyUsage=030202a4",
	  "before v1.11.0 the gate does not exist: no BasicConstraints" },
	/* literalSubject */
	{ "v1.21.1", DEFAULTS, "  dnsNames: [a.example]\n  literalSubject: \"CN=a.example, "
	  "OU=Ops+O=Acme, C=DE\"\n", "C=DE:P/OU=Ops:P+O=Acme:P/CN=a.example:P",
	  SAN_A " | " KU_DEFAULT, "literalSubject (gate on by default from v1.15.0): RDNs in "
	  "reverse, '+' one multi-valued RDN (DER sorts the shorter OU first, as Go does), "
	  "spaces around values dropped" },
	{ "v1.21.1", DEFAULTS, "  dnsNames: [a.example]\n  literalSubject: \"UID=7,DC=example,"
	  "2.5.4.17=10115\"\n", "postalCode=10115:P/DC=example:P/UID=7:P",
	  SAN_A " | " KU_DEFAULT, "UID, DC and a dotted OID are attribute types too" },
	{ "v1.14.0", DEFAULTS, "  dnsNames: [a.example]\n  literalSubject: \"CN=a.example\"\n",
	  "", "subjectAltName!=DNS:a.example | " KU_DEFAULT,
	  "v1.14.x: the gate is off by default, the literalSubject is not used" },
	{ "v1.14.0", LITERAL_ON, "  dnsNames: [a.example]\n  literalSubject: \"CN=a.example\"\n",
	  "CN=a.example:P", SAN_A " | " KU_DEFAULT, "v1.14.x with the gate turned on" },
	{ "v1.8.0", LITERAL_ON, "  dnsNames: [a.example]\n  literalSubject: \"CN=a.example\"\n",
	  "", "subjectAltName=DNS:a.example | keyUsage=030205a0",
	  "before v1.9.0 there is no literalSubject: the API server drops the field" },
	{ "v1.21.1", DEFAULTS, "  dnsNames: [a.example]\n  literalSubject: \"cn=a.example\"\n",
	  NULL, "the Certificate's spec.literalSubject names the attribute \"cn\": cert-manager "
	  "knows C, O, OU, CN, SERIALNUMBER, L, ST, STREET, DC, UID (as written) and dotted "
	  "OIDs, and its webhook refuses it", "attribute names are matched as written" },
	{ "v1.21.1", DEFAULTS, "  dnsNames: [a.example]\n  literalSubject: \"3.1=x\"\n",
	  NULL, "the Certificate's spec.literalSubject names the attribute \"3.1\", an object "
	  "identifier that cannot be encoded: its first arc is 0, 1 or 2, and under 0 or 1 its "
	  "second is below 40", "an OID's first arc beyond 2: named, not blamed on memory" },
	{ "v1.21.1", DEFAULTS, "  dnsNames: [a.example]\n  literalSubject: \"1.40=x\"\n",
	  NULL, "the Certificate's spec.literalSubject names the attribute \"1.40\", an object "
	  "identifier that cannot be encoded: its first arc is 0, 1 or 2, and under 0 or 1 its "
	  "second is below 40", "a second arc of 40 under 1" },
	{ "v1.21.1", DEFAULTS, "  dnsNames: [a.example]\n  literalSubject: \"2.999.1=x\"\n",
	  "UNDEF=x:P", "subjectAltName=DNS:a.example | keyUsage!=030205a0",
	  "under 2 the second arc may be 40 or more" },
	{ "v1.21.1", DEFAULTS, "  dnsNames: [a.example]\n  literalSubject: \"CN=a\\\\,b\"\n",
	  NULL, "the Certificate's spec.literalSubject holds \\, \", ;, <, > or #: acmectl does "
	  "not model how cert-manager's LDAP parser (go-ldap, whose readings of escapes changed "
	  "between releases) reads them", "escapes are refused, not guessed" },
	{ "v1.21.1", DEFAULTS, "  dnsNames: [a.example]\n  literalSubject: \"CN=a,,O=b\"\n",
	  NULL, "the Certificate's spec.literalSubject has an empty attribute: incomplete type, "
	  "value pair", "an empty RDN" },
};

static void test_csr(void)
{
	for (size_t i = 0; i < nitems(rows); i++) {
		struct cm_certificate *c = parse(rows[i].spec);
		EVP_PKEY *key = key_generate(KEY_EC256);
		struct cm_version v;
		struct cm_csr_gates g;
		char *csr = NULL, *subject = NULL, *exts = NULL;
		X509_REQ *req = NULL;

		CHECK(c != NULL && cm_version_parse(rows[i].release, &v) == 0, "%s: parses: %s",
		    rows[i].why, err_message());
		if (c == NULL)
			goto next;
		gates_of(&v, rows[i].gates, &g);
		csr = cm_csr_build(c, &v, &g, key);
		if (rows[i].subject == NULL) {
			CHECK(csr == NULL && err_kind() == ERR_USAGE, "%s: refused", rows[i].why);
			CHECK_STR(err_message(), rows[i].exts, rows[i].why);
			goto next;
		}
		req = csr != NULL ? decode_csr(csr) : NULL;
		CHECK(req != NULL && X509_REQ_verify(req, key) == 1, "%s: a CSR signed by the key: "
		    "%s", rows[i].why, err_message());
		if (req == NULL)
			goto next;
		subject = subject_text(X509_REQ_get_subject_name(req));
		exts = exts_text(req);
		CHECK_STR(subject, rows[i].subject, rows[i].why);
		CHECK_STR(exts, rows[i].exts, rows[i].why);
next:
		err_clear();
		free(subject);
		free(exts);
		X509_REQ_free(req);
		free(csr);
		EVP_PKEY_free(key);
		cm_certificate_free(c);
	}
}

static const struct {
	const char *release;
	enum gates gates;
	const char *spec;
	const char *who;            /* NULL: nothing refuses */
	const char *message;
	const char *why;
} refusals[] = {
	{ "v1.21.1", DEFAULTS, "  dnsNames: [a.example]\n  usages: [server auth, tls]\n",
	  "api-server", "spec.usages[1]: Unsupported value: \"tls\": supported values: "
	  "\"signing\", \"digital signature\", \"content commitment\", \"key encipherment\", "
	  "\"key agreement\", \"data encipherment\", \"cert sign\", \"crl sign\", \"encipher "
	  "only\", \"decipher only\", \"any\", \"server auth\", \"client auth\", \"code "
	  "signing\", \"email protection\", \"s/mime\", \"ipsec end system\", \"ipsec "
	  "tunnel\", \"ipsec user\", \"timestamping\", \"ocsp signing\", \"microsoft sgc\", "
	  "\"netscape sgc\"", "a usage outside the CRD's enum: the API server, before the "
	  "webhook's own \"unknown keyusage\"" },
	{ "v1.14.0", DEFAULTS, "  dnsNames: [a.example]\n  literalSubject: \"CN=a.example\"\n",
	  "webhook", "spec.literalSubject: Forbidden: Feature gate LiteralCertificateSubject "
	  "must be enabled on both webhook and controller to use the alpha `literalSubject` "
	  "field", "literalSubject while the gate is off (its default up to v1.14.x)" },
	{ "v1.21.1", LITERAL_OFF, "  dnsNames: [a.example]\n  literalSubject: \"CN=a.example\"\n",
	  "webhook", "spec.literalSubject: Forbidden: Feature gate LiteralCertificateSubject "
	  "must be enabled on both webhook and controller to use the alpha `literalSubject` "
	  "field", "the gate turned off in a release that has it on" },
	{ "v1.21.1", DEFAULTS, "  commonName: a.example\n  dnsNames: [a.example]\n"
	  "  literalSubject: \"CN=a.example\"\n", "webhook",
	  "spec.commonName: Invalid value: \"a.example\": When providing a `LiteralSubject` no "
	  "`commonName` may be provided.", "literalSubject and commonName together" },
	{ "v1.12.0", DEFAULTS, "  commonName: a.example\n  dnsNames: [a.example]\n"
	  "  literalSubject: \"CN=a.example\"\n", "webhook",
	  "[spec.literalSubject: Forbidden: Feature gate LiteralCertificateSubject must be "
	  "enabled on both webhook and controller to use the alpha `literalSubject` field, "
	  "spec.commonName: Invalid value: \"a.example\": When providing a `LiteralSubject` no "
	  "`commonName` may be provided.]", "two errors print as a bracketed list" },
	{ "v1.8.0", DEFAULTS, "  commonName: a.example\n  dnsNames: [a.example]\n"
	  "  literalSubject: \"CN=a.example\"\n", NULL, NULL,
	  "no literalSubject field before v1.9.0: nothing to refuse" },
	{ "v1.21.1", DEFAULTS, "  dnsNames: [a.example]\n  isCA: true\n  usages: [cert sign]\n",
	  NULL, NULL, "isCA and cert sign pass: neither the webhook nor the ACME issuer checks "
	  "them (the CA decides what it signs)" },
};

static void test_refusals(void)
{
	for (size_t i = 0; i < nitems(refusals); i++) {
		struct cm_certificate *c = parse(refusals[i].spec);
		struct cm_version v;
		struct cm_csr_gates g;
		const char *who = "unset";
		char *msg = NULL;

		CHECK(c != NULL && cm_version_parse(refusals[i].release, &v) == 0, "%s: parses: %s",
		    refusals[i].why, err_message());
		if (c == NULL)
			continue;
		gates_of(&v, refusals[i].gates, &g);
		msg = cm_csr_refusal(c, &v, &g, &who);
		CHECK_STR(msg, refusals[i].message, refusals[i].why);
		CHECK_STR(who, refusals[i].who, refusals[i].why);
		free(msg);
		cm_certificate_free(c);
	}
}

/* The commonName the Order and the commonName check see. */
static void test_common_name(void)
{
	static const struct cm_version v1_21 = { 1, 21, 1 }, v1_14 = { 1, 14, 0 };
	struct cm_certificate *c = parse("  dnsNames: [a.example]\n  literalSubject: "
	    "\"CN=b.example,O=Acme\"\n");
	struct cm_csr_gates g;
	char *cn;

	cm_csr_gates_default(&v1_21, &g);
	cn = c != NULL ? cm_csr_common_name(c, &v1_21, &g) : NULL;
	CHECK_STR(cn, "b.example", "the literalSubject's CN when the gate is on");
	free(cn);
	cm_csr_gates_default(&v1_14, &g);
	cn = c != NULL ? cm_csr_common_name(c, &v1_14, &g) : NULL;
	CHECK_STR(cn, NULL, "no CN when the gate is off and commonName unset");
	free(cn);
	cm_certificate_free(c);
}

/* A build of test_alloc_failures: the Certificate, its release, gates and
 * key, and the extensions of its CSR built without a failure. */
struct cmcsr_case {
	const struct cm_certificate *c;
	const struct cm_version *v;
	const struct cm_csr_gates *g;
	EVP_PKEY *key;
	const char *whole;
};

static void *make_cmcsr(void *arg)
{
	struct cmcsr_case *b = arg;

	return cm_csr_build(b->c, b->v, b->g, b->key);
}

/* ALLOC_WHOLE when the CSR decodes with every extension of the whole one. */
static enum alloc_outcome judge_cmcsr(void *csr, void *arg)
{
	struct cmcsr_case *b = arg;
	X509_REQ *req = decode_csr(csr);
	char *exts = req != NULL ? exts_text(req) : xstrdup("");
	bool whole = strcmp(exts, b->whole) == 0;

	free(exts);
	X509_REQ_free(req);
	free(csr);
	return whole ? ALLOC_WHOLE : ALLOC_SHORT;
}

/* Each allocation of building a CSR with every kind of name failing in
 * turn, from the request's first to its signature: the CSR comes out
 * whole, or the build stops with one line as out of memory (exit 4, as
 * acmectl's own allocators do); never a CSR short of a name, never the
 * Certificate refused for it. */
static void test_alloc_failures(void)
{
	struct cm_certificate *c = parse("  commonName: a.example\n"
	    "  dnsNames: [a.example, b.example]\n"
	    "  emailAddresses: [x@a.example]\n  ipAddresses: [192.0.2.1, '::1']\n"
	    "  uris: ['spiffe://a.example/w']\n");
	/* Ed25519: signing allocates little, so there are fewer to fail */
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	struct cm_version v;
	struct cm_csr_gates g;
	struct cmcsr_case b = { c, &v, &g, key, NULL };
	struct alloc_build build = { make_cmcsr, judge_cmcsr, &b };
	char *csr, *whole;
	X509_REQ *req;
	long n = 0, oom = 0;

	cm_version_parse("v1.21.1", &v);
	cm_csr_gates_default(&v, &g);
	csr = c != NULL ? cm_csr_build(c, &v, &g, key) : NULL;
	req = csr != NULL ? decode_csr(csr) : NULL;
	whole = req != NULL ? exts_text(req) : NULL;
	CHECK(whole != NULL && strstr(whole, "URI:spiffe://a.example/w") != NULL,
	    "the CSR without failures has every name: %s", whole ? whole : err_message());
	b.whole = whole;
	if (whole != NULL)
		n = alloc_fail_each("cert-manager's CSR", &build, &oom);
	CHECK(n > 20 && oom > 0, "%ld allocations failed in turn, %ld out of memory", n, oom);
	free(whole);
	X509_REQ_free(req);
	free(csr);
	EVP_PKEY_free(key);
	cm_certificate_free(c);
}

int main(void)
{
	/* before OpenSSL allocates anything: later it refuses */
	alloc_counting_start();
	test_csr();
	test_refusals();
	test_common_name();
	test_alloc_failures();
	return test_done();
}
