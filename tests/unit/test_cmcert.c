/* test_cmcert.c - a cert-manager Certificate: parsing (good and hostile
 * manifests), the commonName check and the Order's identifiers per
 * release, each over one table. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmcert.h"
#include "err.h"
#include "test.h"
#include "util.h"

#define HEAD "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: web\n"
#define SPEC "spec:\n  secretName: web-tls\n  issuerRef:\n    name: le\n    kind: ClusterIssuer\n"

static const struct {
	const char *in;
	const char *error;   /* fragment of the message; NULL: parses */
	const char *why;
} parse_rows[] = {
	{ HEAD SPEC "  dnsNames: [a.example]\n", NULL, "the smallest Certificate" },
	{ "{\"kind\":\"List\",\"items\":[{\"kind\":\"Certificate\",\"spec\":{\"secretName\":\"s\","
	  "\"issuerRef\":{\"name\":\"le\"},\"dnsNames\":[\"a.example\"],"
	  "\"privateKey\":{\"size\":384,\"algorithm\":\"ECDSA\"}}}]}", NULL,
	  "kubectl -o json of a List, size as a JSON number" },
	{ "kind: Issuer\n---\n" HEAD SPEC "  commonName: a.example\n", NULL,
	  "the Certificate is found after another object; a commonName alone is enough" },
	{ "kind: Issuer\n", "no Certificate in it", "no Certificate at all" },
	{ "a: [", "fuzz.yaml:", "a syntax error names the file and position" },
	{ HEAD "spec:\n  issuerRef:\n    name: le\n  dnsNames: [a.example]\n",
	  "spec.secretName is missing", "cert-manager needs the Secret's name" },
	{ HEAD "spec:\n  secretName: s\n  dnsNames: [a.example]\n",
	  "spec.issuerRef.name is missing", "no issuer named" },
	{ HEAD SPEC, "names nothing", "no name at all: nothing to order" },
	{ HEAD SPEC "  dnsNames: a.example\n", "not a list", "a string where a list belongs" },
	{ HEAD SPEC "  dnsNames: [\"a.example/x\"]\n", "spec.dnsNames[0]",
	  "a slash would reach the self check's URL" },
	{ HEAD SPEC "  dnsNames: [\"a\\r\\nHost: evil\"]\n", "spec.dnsNames[0]",
	  "a line break would reach a request line; shown escaped" },
	{ HEAD SPEC "  dnsNames: [[x]]\n", "(not a string)", "a list in a list" },
	{ HEAD SPEC "  ipAddresses: [300.1.1.1]\n", "spec.ipAddresses[0]", "not an address" },
	{ HEAD SPEC "  dnsNames: [a.example]\n  privateKey:\n    algorithm: DSA\n",
	  "none of RSA, ECDSA, Ed25519", "cert-manager knows three algorithms" },
	{ HEAD SPEC "  dnsNames: [a.example]\n  privateKey:\n    encoding: DER\n",
	  "none of PKCS1, PKCS8", "two encodings" },
	{ HEAD SPEC "  dnsNames: [a.example]\n  privateKey:\n    size: big\n",
	  "not a key size", "size is a number" },
	{ HEAD SPEC "  dnsNames: [a.example]\n  privateKey:\n    size: -1\n",
	  "not a key size", "a negative size" },
	{ HEAD SPEC "  dnsNames: [a.example]\n  privateKey:\n    rotationPolicy: Sometimes\n",
	  "none of Never, Always", "two rotation policies" },
	{ HEAD "  labels: [x]\n" SPEC "  dnsNames: [a.example]\n", "labels is not a map",
	  "labels must be a map to match selectors" },
	{ HEAD SPEC "  commonName: \"a\\nb\"\n", "control characters",
	  "a line break in the commonName" },
	/* the fields that reach the CSR */
	{ HEAD SPEC "  dnsNames: [a.example]\n  subject:\n    organizations: [Acme]\n"
	  "    serialNumber: \"7\"\n  emailAddresses: [o@a.example]\n  usages: [any]\n"
	  "  isCA: true\n  encodeUsagesInRequest: \"false\"\n", NULL,
	  "every CSR field; YAML booleans arrive as words" },
	{ HEAD SPEC "  literalSubject: \"CN=a.example\"\n", NULL,
	  "a literalSubject can be the only name (its CN)" },
	{ HEAD SPEC "  dnsNames: [a.example]\n  subject: [Acme]\n", "spec.subject is not a map",
	  "a list where the subject map belongs" },
	{ HEAD SPEC "  dnsNames: [a.example]\n  subject:\n    organizations: Acme\n",
	  "spec.subject.organizations is not a list", "a string where a list belongs" },
	{ HEAD SPEC "  dnsNames: [a.example]\n  subject:\n    countries: [\"D\\tE\"]\n",
	  "spec.subject.countries[0]", "a tab in a subject value" },
	{ HEAD SPEC "  dnsNames: [a.example]\n  subject:\n    serialNumber: [1]\n",
	  "spec.subject.serialNumber is not a string", "serialNumber is one string" },
	{ HEAD SPEC "  dnsNames: [a.example]\n  isCA: maybe\n", "spec.isCA is not true or false",
	  "isCA is a boolean" },
	{ HEAD SPEC "  dnsNames: [a.example]\n  encodeUsagesInRequest: [true]\n",
	  "spec.encodeUsagesInRequest is not true or false", "a list where a boolean belongs" },
	{ HEAD SPEC "  dnsNames: [a.example]\n  usages: [[server auth]]\n", "spec.usages[0]",
	  "a list in the usages" },
	{ HEAD SPEC "  dnsNames: [a.example]\n  emailAddresses: [\"a@b\\r\\nX: y\"]\n",
	  "spec.emailAddresses[0]", "a line break in an e-mail address" },
	{ HEAD SPEC "  dnsNames: [a.example]\n  literalSubject: \"CN=a\\nO=b\"\n",
	  "spec.literalSubject holds control characters", "a line break in the literalSubject" },
};

static void test_parse(void)
{
	for (size_t i = 0; i < sizeof(parse_rows) / sizeof(parse_rows[0]); i++) {
		const char *in = parse_rows[i].in;
		struct cm_certificate *c;

		err_clear();
		c = cm_certificate_parse(in, strlen(in), "fuzz.yaml");
		if (parse_rows[i].error == NULL) {
			CHECK(c != NULL, "%s: %s", parse_rows[i].why, err_message());
		} else {
			CHECK(c == NULL && err_kind() == ERR_USAGE &&
			    strstr(err_message(), parse_rows[i].error) != NULL,
			    "%s: got \"%s\"", parse_rows[i].why, err_message());
			CHECK(strpbrk(err_message(), "\r\n") == NULL, "%s: one line", parse_rows[i].why);
		}
		cm_certificate_free(c);
	}
}

/* Values far beyond any real one are refused before they reach a CSR. */
static void test_huge(void)
{
	size_t n = 4096;
	char *big = xcalloc(1, n + 1), *in;
	struct cm_certificate *c;

	memset(big, 'a', n);
	in = xasprintf(HEAD SPEC "  dnsNames: [a.example]\n  subject:\n    organizations: "
	    "[\"%s\"]\n", big);
	c = cm_certificate_parse(in, strlen(in), "t");
	CHECK(c == NULL && strstr(err_message(), "spec.subject.organizations[0]") != NULL &&
	    strlen(err_message()) < 300, "a 4 KiB organization: one short line: %.80s",
	    err_message());
	cm_certificate_free(c);
	free(in);
	in = xasprintf(HEAD SPEC "  dnsNames: [a.example]\n  literalSubject: \"CN=%s\"\n", big);
	c = cm_certificate_parse(in, strlen(in), "t");
	CHECK(c == NULL && strstr(err_message(), "longer than 1024 bytes") != NULL,
	    "a 4 KiB literalSubject: %.80s", err_message());
	cm_certificate_free(c);
	free(in);
	free(big);
	err_clear();
}

static void test_defaults(void)
{
	const char *in = HEAD SPEC "  dnsNames: [b.example, a.example]\n";
	struct cm_certificate *c = cm_certificate_parse(in, strlen(in), "t");

	CHECK(c != NULL, "parses");
	if (c == NULL)
		return;
	CHECK_STR(c->key_algorithm, "RSA", "algorithm defaults to RSA");
	CHECK_STR(c->key_encoding, "PKCS1", "encoding defaults to PKCS1");
	CHECK_INT(c->key_size, 0, "size unset: the algorithm's default");
	CHECK(c->rotation_policy == NULL, "rotationPolicy unset: the release decides");
	CHECK_STR(c->issuer_kind, "ClusterIssuer", "kind as written");
	CHECK_STR(c->issuer_group, "cert-manager.io", "group defaults");
	CHECK_STR(c->dns_names.v[0], "b.example", "dnsNames keep the manifest's order");
	cm_certificate_free(c);
}

static const struct {
	const char *cn, *dns, *ips;   /* dnsNames and ipAddresses as "a,b" */
	const char *message;          /* NULL: passes */
} cn_rows[] = {
	{ NULL, "a.example", "", NULL },
	{ "a.example", "a.example,b.example", "", NULL },
	{ "10.0.0.1", "a.example", "10.0.0.1", NULL },
	{ "c.example", "a.example,b.example", "",
	  "The CSR PEM requests a commonName that is not present in the list of dnsNames or "
	  "ipAddresses. If a commonName is set, ACME requires that the value is also present "
	  "in the list of dnsNames or ipAddresses: \"c.example\" does not exist in "
	  "[a.example b.example] or []" },
	{ "A.example", "a.example", "10.0.0.1",
	  "The CSR PEM requests a commonName that is not present in the list of dnsNames or "
	  "ipAddresses. If a commonName is set, ACME requires that the value is also present "
	  "in the list of dnsNames or ipAddresses: \"A.example\" does not exist in "
	  "[a.example] or [10.0.0.1]" },
	{ "x\"y", "", "", "The CSR PEM requests a commonName that is not present in the list "
	  "of dnsNames or ipAddresses. If a commonName is set, ACME requires that the value is "
	  "also present in the list of dnsNames or ipAddresses: \"x\\\"y\" does not exist in "
	  "[] or []" },
};

/* A record with the lists of row-style "a,b" strings. */
static struct cm_certificate *make(const char *cn, const char *dns, const char *ips)
{
	struct cm_certificate *c = xcalloc(1, sizeof(*c));
	struct cm_strings *lists[] = { &c->dns_names, &c->ip_addresses };
	const char *src[] = { dns, ips };

	c->common_name = cn != NULL ? xstrdup(cn) : NULL;
	for (size_t k = 0; k < 2; k++) {
		char *copy = xstrdup(src[k]), *save = NULL;

		lists[k]->v = xcalloc(8, sizeof(char *));
		for (char *p = strtok_r(copy, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save))
			lists[k]->v[lists[k]->n++] = xstrdup(p);
		free(copy);
	}
	return c;
}

static void test_cn(void)
{
	for (size_t i = 0; i < sizeof(cn_rows) / sizeof(cn_rows[0]); i++) {
		struct cm_certificate *c = make(cn_rows[i].cn, cn_rows[i].dns, cn_rows[i].ips);
		char *msg = cm_cn_not_in_sans(c), ctx[32];

		snprintf(ctx, sizeof(ctx), "cn row %zu", i);
		CHECK_STR(msg, cn_rows[i].message, ctx);
		free(msg);
		cm_certificate_free(c);
	}
}

static const struct {
	const char *version, *cn, *dns, *ips;
	const char *want;   /* "dns1,dns2|ip1" */
	const char *why;
} ident_rows[] = {
	{ "v1.1.0", "b.example", "c.example,a.example,c.example", "",
	  "a.example,b.example,c.example|", "a sorted set; the CN joins the DNS set" },
	{ "v1.17.0", "10.0.0.1", "a.example", "10.0.0.1",
	  "10.0.0.1,a.example|10.0.0.1", "up to v1.17 an IP CN is sent as a DNS identifier" },
	{ "v1.18.0", "10.0.0.1", "a.example", "10.0.0.1",
	  "a.example|10.0.0.1", "from v1.18 an IP CN joins the IP set" },
	{ "v1.21.1", "*.a.example", "*.a.example", "",
	  "*.a.example|", "a wildcard CN is no FQDN: ignored, it is among the dnsNames anyway" },
	{ "v1.16.0", "Single", "a.example", "",
	  "Single,a.example|", "before v1.18 any CN is sent" },
	{ "v1.21.1", "Single", "a.example", "", "a.example|", "from v1.18 a non-FQDN CN is not" },
	{ "v1.21.1", NULL, "b.example,a.example", "10.0.0.2,10.0.0.1",
	  "a.example,b.example|10.0.0.1,10.0.0.2", "both sets sorted, DNS first" },
};

static char *joined(const struct cm_strings *dns, const struct cm_strings *ips)
{
	char *out = xstrdup("");

	for (size_t k = 0; k < 2; k++) {
		const struct cm_strings *l = k == 0 ? dns : ips;

		for (size_t i = 0; i < l->n; i++) {
			char *next = xasprintf("%s%s%s", out, i > 0 ? "," : "", l->v[i]);

			free(out);
			out = next;
		}
		if (k == 0) {
			char *next = xasprintf("%s|", out);

			free(out);
			out = next;
		}
	}
	return out;
}

static void test_identifiers(void)
{
	for (size_t i = 0; i < sizeof(ident_rows) / sizeof(ident_rows[0]); i++) {
		struct cm_certificate *c = make(ident_rows[i].cn, ident_rows[i].dns,
		    ident_rows[i].ips);
		struct cm_strings dns, ips;
		struct cm_version v;
		char *got;

		CHECK(cm_version_parse(ident_rows[i].version, &v) == 0, "%s", ident_rows[i].version);
		cm_order_identifiers(c, &v, &dns, &ips);
		got = joined(&dns, &ips);
		CHECK_STR(got, ident_rows[i].want, ident_rows[i].why);
		free(got);
		cm_strings_clear(&dns);
		cm_strings_clear(&ips);
		cm_certificate_free(c);
	}
}

static const struct {
	const char *name;
	bool fqdn;
	const char *why;
} fqdn_rows[] = {
	{ "a.example", true, "two labels" },
	{ "a.example.", true, "one trailing dot is dropped" },
	{ "a.example..", false, "two are not" },
	{ "example", false, "one label" },
	{ "A.example", false, "upper case is no RFC 1123 subdomain" },
	{ "*.a.example", false, "a wildcard label" },
	{ "-a.example", false, "a label starting with a hyphen" },
	{ "a_b.example", false, "an underscore" },
	{ "", false, "empty" },
};

static void test_fqdn(void)
{
	for (size_t i = 0; i < sizeof(fqdn_rows) / sizeof(fqdn_rows[0]); i++)
		CHECK(cm_is_fqdn(fqdn_rows[i].name) == fqdn_rows[i].fqdn, "%s (%s)",
		    fqdn_rows[i].why, fqdn_rows[i].name);
}

int main(void)
{
	test_parse();
	test_huge();
	test_defaults();
	test_cn();
	test_identifiers();
	test_fqdn();
	return test_done();
}
