/* test_cmgates.c - --cert-manager-feature-gates read as a release's
 * controller reads its --feature-gates: the gates it sets (or the exact
 * error cert-manager exits with), then what a gate turned on changes in
 * the refusal and the CSR's commonName. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "b64url.h"
#include "certmanager.h"
#include "cmcert.h"
#include "cmcsr.h"
#include "cmgates.h"
#include "err.h"
#include "key.h"
#include "test.h"
#include "util.h"

/* want: "L=1 B=0" (LiteralCertificateSubject, UseCertificateRequestBasic-
 * Constraints after the list) and ", "-joined gates without effect after
 * "|", or "!" and the error text. */
static const struct {
	const char *version, *list, *want, *why;
} rows[] = {
	{ "v1.14.0", "LiteralCertificateSubject=true", "L=1 B=0|",
	  "an alpha gate off by default turned on" },
	{ "v1.21.1", "LiteralCertificateSubject=false", "L=0 B=0|",
	  "a beta gate on by default turned off" },
	{ "v1.14.0", " LiteralCertificateSubject = T ,UseCertificateRequestBasicConstraints=1",
	  "L=1 B=1|", "name and value trimmed; ParseBool's T and 1" },
	{ "v1.14.0", "LiteralCertificateSubject=True,,", "L=1 B=0|",
	  "empty items are skipped" },
	{ "v1.14.0", "\xc2\xa0LiteralCertificateSubject\xe3\x80\x80=\vtrue\xc2\x85",
	  "L=1 B=0|", "Go's TrimSpace trims Unicode spaces too (NBSP, U+3000, NEL, \\v)" },
	{ "v1.14.0", "LiteralCertificateSubject\xe2\x80\x8b=true",
	  "!failed to set feature gates from initial flags-based config: unrecognized "
	  "feature gate: LiteralCertificateSubject\xe2\x80\x8b",
	  "a zero-width space (U+200B) is not a space to Go: the name is unknown" },
	{ "v1.14.0", "LiteralCertificateSubject=tRue", "!invalid argument "
	  "\"LiteralCertificateSubject=tRue\" for \"--feature-gates\" flag: invalid value of "
	  "LiteralCertificateSubject: tRue, err: strconv.ParseBool: parsing \"tRue\": invalid "
	  "syntax", "ParseBool takes three spellings, not any case" },
	{ "v1.14.0", "LiteralCertificateSubject=false,LiteralCertificateSubject=true",
	  "L=1 B=0|", "a name twice: the last one wins (a Go map)" },
	{ "v1.21.1", "ValidateCAA=true,ValidateCAA=false", "L=1 B=0|ValidateCAA",
	  "a gate without effect named once" },
	{ "v1.21.1", "ACMEUseARI=true,OtherNames=false", "L=1 B=0|ACMEUseARI, OtherNames",
	  "known gates acmectl does not model are named, never dropped" },
	{ "v1.14.0", "AllAlpha=true", "L=1 B=1|", "AllAlpha turns every alpha gate on" },
	{ "v1.14.0", "AllAlpha=true,LiteralCertificateSubject=false", "L=0 B=1|",
	  "a gate named in the list wins over AllAlpha" },
	{ "v1.21.1", "AllBeta=false", "L=0 B=0|", "AllBeta=false turns the beta gates off" },
	{ "v1.21.1", "DisallowInsecureCSRUsageDefinition=false",
	  "L=1 B=0|DisallowInsecureCSRUsageDefinition",
	  "a GA gate set to its non-default: not locked, cert-manager only warns" },
	{ "v1.14.0", "literalcertificatesubject=true",
	  "!failed to set feature gates from initial flags-based config: unrecognized "
	  "feature gate: literalcertificatesubject", "names are case-sensitive" },
	{ "v1.14.0", "LiteralCertificateSubject=yes",
	  "!invalid argument \"LiteralCertificateSubject=yes\" for \"--feature-gates\" flag: "
	  "invalid value of LiteralCertificateSubject: yes, err: strconv.ParseBool: parsing "
	  "\"yes\": invalid syntax", "yes is not one of ParseBool's words" },
	{ "v1.14.0", "LiteralCertificateSubject",
	  "!invalid argument \"LiteralCertificateSubject\" for \"--feature-gates\" flag: "
	  "malformed pair, expect string=bool", "a pair without '=' (v1.13.0+ map flag)" },
	{ "v1.12.0", "LiteralCertificateSubject",
	  "!invalid argument \"LiteralCertificateSubject\" for \"--feature-gates\" flag: "
	  "missing bool value for LiteralCertificateSubject",
	  "up to v1.12.x the flag is the feature gate's own" },
	{ "v1.12.0", "LiteralCertificateSubject=2",
	  "!invalid argument \"LiteralCertificateSubject=2\" for \"--feature-gates\" flag: "
	  "invalid value of LiteralCertificateSubject=2, err: strconv.ParseBool: parsing "
	  "\"2\": invalid syntax", "the old parser's wording" },
	{ "v1.12.0", "Nope=true",
	  "!invalid argument \"Nope=true\" for \"--feature-gates\" flag: unrecognized "
	  "feature gate: Nope", "up to v1.12.x an unknown name fails in the flag" },
	{ "v1.8.0", "LiteralCertificateSubject=true",
	  "!invalid argument \"LiteralCertificateSubject=true\" for \"--feature-gates\" flag: "
	  "unrecognized feature gate: LiteralCertificateSubject",
	  "a gate that release does not have yet (v1.9.0+)" },
	{ "v1.18.0", "ACMEHTTP01IngressPathTypeExact=false",
	  "!failed to set feature gates from initial flags-based config: unrecognized "
	  "feature gate: ACMEHTTP01IngressPathTypeExact", "that gate came with v1.18.1" },
	{ "v1.14.0", "Nope=maybe,Other=true",
	  "!invalid argument \"Nope=maybe,Other=true\" for \"--feature-gates\" flag: "
	  "invalid value of Nope: maybe, err: strconv.ParseBool: parsing \"maybe\": "
	  "invalid syntax", "every value parses before any name is looked up" },
	{ "v1.14.0", "X=\n",
	  "!invalid argument \"X=\\n\" for \"--feature-gates\" flag: invalid value of X: , "
	  "err: strconv.ParseBool: parsing \"\": invalid syntax",
	  "a control character is quoted as Go's %q, the value trimmed" },
};

static void test_parse(void)
{
	for (size_t i = 0; i < nitems(rows); i++) {
		struct cm_version v;
		struct cm_csr_gates g;
		char *inert = NULL, *got;

		CHECK(cm_version_parse(rows[i].version, &v) == 0, "%s", rows[i].why);
		cm_csr_gates_default(&v, &g);
		err_clear();
		if (cm_gates_apply(rows[i].list, &v, &g, &inert) == 0)
			got = xasprintf("L=%d B=%d|%s", g.literal_subject, g.basic_constraints,
			    inert != NULL ? inert : "");
		else
			got = xasprintf("!%s", err_message());
		CHECK_STR(got, rows[i].want, rows[i].why);
		CHECK(got[0] != '!' || (err_kind() == ERR_USAGE && inert == NULL),
		    "%s: a refusal is a usage error and leaves nothing", rows[i].why);
		free(got);
		free(inert);
	}
}

/* A literalSubject Certificate on v1.14.0: refused by the webhook at the
 * defaults; with the gate on, accepted, and the CSR's commonName is the
 * literal subject's. */
static void test_effect(void)
{
	static const char text[] = "kind: Certificate\nmetadata: {name: web}\nspec:\n"
	    "  secretName: web-tls\n  issuerRef: {name: le, kind: ClusterIssuer}\n"
	    "  dnsNames: [a.example]\n  literalSubject: \"CN=a.example,O=Acme\"\n";
	struct cm_certificate *c = cm_certificate_parse(text, strlen(text), "t");
	struct cm_version v;
	struct cm_csr_gates g;
	const char *who = NULL;
	char *inert = NULL, *refusal, *cn;

	CHECK(c != NULL && cm_version_parse("v1.14.0", &v) == 0, "the Certificate parses");
	cm_csr_gates_default(&v, &g);
	refusal = cm_csr_refusal(c, &v, &g, &who);
	CHECK(refusal != NULL && who != NULL && strcmp(who, "webhook") == 0,
	    "v1.14.0 defaults: the webhook refuses a literalSubject");
	free(refusal);
	CHECK(cm_gates_apply("LiteralCertificateSubject=true", &v, &g, &inert) == 0,
	    "the gate exists in v1.14.0");
	refusal = cm_csr_refusal(c, &v, &g, &who);
	CHECK(refusal == NULL, "gate on: nothing refuses (got %s)", refusal ? refusal : "");
	cn = cm_csr_common_name(c, &v, &g);
	CHECK_STR(cn != NULL ? cn : "(null)", "a.example",
	    "gate on: the CSR's commonName is the literal subject's");
	free(refusal);
	free(cn);
	free(inert);
	cm_certificate_free(c);
}

/* Whether the CSR v1.14.0 builds for an isCA Certificate under the gate
 * list carries BasicConstraints: -1 when no CSR was built. */
static int csr_has_basic_constraints(const char *list)
{
	static const char text[] = "kind: Certificate\nmetadata: {name: ca}\nspec:\n"
	    "  secretName: ca-tls\n  issuerRef: {name: le, kind: ClusterIssuer}\n"
	    "  dnsNames: [a.example]\n  isCA: true\n";
	struct cm_certificate *c = cm_certificate_parse(text, strlen(text), "t");
	EVP_PKEY *key = key_generate(KEY_EC256);
	struct cm_version v;
	struct cm_csr_gates g;
	char *inert = NULL, *csr = NULL;
	unsigned char *der = NULL;
	const unsigned char *p;
	X509_REQ *req = NULL;
	STACK_OF(X509_EXTENSION) *exts = NULL;
	size_t len = 0;
	int has = -1;

	if (c == NULL || key == NULL || cm_version_parse("v1.14.0", &v) != 0)
		goto out;
	cm_csr_gates_default(&v, &g);
	if ((list != NULL && cm_gates_apply(list, &v, &g, &inert) != 0) ||
	    (csr = cm_csr_build(c, &v, &g, key)) == NULL ||
	    (der = b64url_decode(csr, &len)) == NULL)
		goto out;
	p = der;
	if ((req = d2i_X509_REQ(NULL, &p, (long)len)) == NULL)
		goto out;
	exts = X509_REQ_get_extensions(req);
	has = X509v3_get_ext_by_NID(exts, NID_basic_constraints, -1) >= 0;
out:
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	free(der);
	free(csr);
	free(inert);
	EVP_PKEY_free(key);
	cm_certificate_free(c);
	return has;
}

int main(void)
{
	test_parse();
	test_effect();
	CHECK_INT(csr_has_basic_constraints(NULL), 0,
	    "v1.14.0 defaults: no BasicConstraints in an isCA Certificate's CSR");
	CHECK_INT(csr_has_basic_constraints("UseCertificateRequestBasicConstraints=true"), 1,
	    "the gate on: the CSR carries BasicConstraints");
	CHECK_INT(csr_has_basic_constraints("AllAlpha=true"), 1,
	    "AllAlpha turns that alpha gate on too");
	return test_done();
}
