/* test_k8s.c - manifests: YAML/JSON to documents, (Cluster)Issuer mapping,
 * Secret values, the fixture files, and the manifests account export
 * writes, each over one table. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "err.h"
#include "k8s.h"
#include "test.h"
#include "util.h"

#define CI "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: le\n"
#define ACME "spec:\n  acme:\n    server: https://acme.example/dir\n"
/* base64 of "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" */
#define CA_B64 "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="
#define CA_PEM "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
/* 10^6 leaves through aliases: refused before it is expanded. */
#define BOMB "a: &a [x,x,x,x,x,x,x,x,x,x]\n" \
	"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n" \
	"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" \
	"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n" \
	"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n" \
	"f: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"

static const struct {
	const char *in;
	const char *json;  /* the documents, compact with sorted keys; NULL: error */
	const char *error; /* fragment of the message */
} doc_rows[] = {
	{ "a: b", "[{\"a\":\"b\"}]", NULL },
	{ "a: 1\nb: 1.5\nc: 0x10", "[{\"a\":\"1\",\"b\":\"1.5\",\"c\":\"0x10\"}]", NULL },
	{ "a: true\nb: false\nc: True\nd: FALSE",
	  "[{\"a\":true,\"b\":false,\"c\":true,\"d\":false}]", NULL },
	{ "a: yes\nb: off\nc: Y\nd: n\ne: On",
	  "[{\"a\":true,\"b\":false,\"c\":true,\"d\":false,\"e\":true}]", NULL },
	{ "a: 'true'\nb: \"no\"\nc: trueish", "[{\"a\":\"true\",\"b\":\"no\",\"c\":\"trueish\"}]",
	  NULL },
	{ "a:\nb: ~\nc: null\nd: NULL", "[{\"a\":null,\"b\":null,\"c\":null,\"d\":null}]", NULL },
	{ "a: ''\nb: \"\"", "[{\"a\":\"\",\"b\":\"\"}]", NULL },
	{ "- a\n- b", "[[\"a\",\"b\"]]", NULL },
	{ "a: [1, x, {b: c}]", "[{\"a\":[\"1\",\"x\",{\"b\":\"c\"}]}]", NULL },
	{ "a: |\n  line1\n  line2\n", "[{\"a\":\"line1\\nline2\\n\"}]", NULL },
	{ "a: >-\n  folded\n  text\n", "[{\"a\":\"folded text\"}]", NULL },
	{ "a: \"caf\\u00e9 \\t\"", "[{\"a\":\"caf\xc3\xa9 \\t\"}]", NULL },
	{ "---\na: 1\n---\nb: 2\n", "[{\"a\":\"1\"},{\"b\":\"2\"}]", NULL },
	{ "---\n---\na: 1\n...\n", "[null,{\"a\":\"1\"}]", NULL },
	{ "", "[]", NULL },
	{ "# only a comment\n", "[]", NULL },
	{ "a: &x {b: c}\nd: *x", "[{\"a\":{\"b\":\"c\"},\"d\":{\"b\":\"c\"}}]", NULL },
	{ "a: b\na: c", "[{\"a\":\"c\"}]", NULL },
	{ "a: !!str 5", "[{\"a\":\"5\"}]", NULL },
	{ "  {\"kind\": \"X\", \"n\": 1, \"b\": true}",
	  "[{\"b\":true,\"kind\":\"X\",\"n\":1}]", NULL },
	{ "{a: b, c: [d]}", "[{\"a\":\"b\",\"c\":[\"d\"]}]", NULL },
	{ BOMB, NULL, "YAML nests too deep or expands too far" },
	{ "{\"a\": 1,,}", NULL, "in.yaml:1:9: JSON: " },
	{ "a: b\n c: d\n", NULL, "in.yaml:2:" },
	{ "a: [b\n", NULL, "in.yaml:2:1: YAML: did not find expected ',' or ']'" },
	{ "a: 'unterminated\n", NULL, "in.yaml:2:1: YAML: found unexpected end of stream" },
	{ "? [a, b]\n: c\n", NULL, "in.yaml:1: a mapping key that is not a scalar" },
	{ "a: *nowhere\n", NULL, "in.yaml:1:4: YAML: found undefined alias" },
	{ "\tkey: v\n", NULL, "in.yaml:1:1: YAML: found character that cannot start" },
};

/* Every field of a k8s_issuer, '|'-separated, "-" for NULL, in the order
 * kind|name|namespace|server|email|key name|key key|caBundle|skip|
 * preferredChain|eab kid|eab name|eab key|eab alg|disable generation|profile|
 * uri|last email|last hash|ready status|ready reason|ready message. */
static const struct {
	const char *in;
	const char *fields; /* NULL: error */
	const char *error;
} issuer_rows[] = {
	{ CI ACME, "ClusterIssuer|le|-|https://acme.example/dir|-|-|tls.key|-|0|-|-|-|-|-|0|-"
	  "|-|-|-|-|-|-", NULL },
	{ "apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata:\n  name: zs\n"
	  "  namespace: web\nspec:\n  acme:\n    server: https://acme.zerossl.com/v2/DV90\n"
	  "    email: ops@example.com\n    privateKeySecretRef:\n      name: zs-account\n"
	  "      key: account.key\n    caBundle: " CA_B64 "\n    preferredChain: ISRG Root X1\n"
	  "    externalAccountBinding:\n      keyID: kid-1\n      keySecretRef:\n"
	  "        name: zs-eab\n        key: secret\n      keyAlgorithm: HS256\n"
	  "    disableAccountKeyGeneration: true\n    profile: shortlived\n"
	  "status:\n  acme:\n    uri: https://acme.zerossl.com/v2/DV90/account/abc\n"
	  "    lastRegisteredEmail: ops@example.com\n    lastPrivateKeyHash: aGFzaA==\n"
	  "  conditions:\n  - type: Other\n    status: \"True\"\n"
	  "  - type: Ready\n    status: \"False\"\n    reason: ErrRegisterACMEAccount\n"
	  "    message: 'Failed to register ACME account: context deadline exceeded'\n",
	  "Issuer|zs|web|https://acme.zerossl.com/v2/DV90|ops@example.com|zs-account|account.key|"
	  CA_PEM "|0|ISRG Root X1|kid-1|zs-eab|secret|HS256|1|shortlived|"
	  "https://acme.zerossl.com/v2/DV90/account/abc|ops@example.com|aGFzaA==|False|"
	  "ErrRegisterACMEAccount|Failed to register ACME account: context deadline exceeded",
	  NULL },
	{ CI ACME "    skipTLSVerify: true\n",
	  "ClusterIssuer|le|-|https://acme.example/dir|-|-|tls.key|-|1|-|-|-|-|-|0|-|-|-|-|-|-|-",
	  NULL },
	{ CI ACME "    skipTLSVerify: 'true'\n", NULL,
	  "in.yaml: ClusterIssuer \"le\": spec.acme.skipTLSVerify: expected true or false" },
	{ CI ACME "    disableAccountKeyGeneration: on\n",
	  "ClusterIssuer|le|-|https://acme.example/dir|-|-|tls.key|-|0|-|-|-|-|-|1|-|-|-|-|-|-|-",
	  NULL },
	{ CI ACME "    email: 5\n",
	  "ClusterIssuer|le|-|https://acme.example/dir|5|-|tls.key|-|0|-|-|-|-|-|0|-|-|-|-|-|-|-",
	  NULL },
	{ CI ACME "    email: [a@example.com]\n", NULL,
	  "in.yaml: ClusterIssuer \"le\": spec.acme.email: expected a string" },
	{ CI ACME "    email: yes\n", NULL, "spec.acme.email: expected a string" },
	{ CI ACME "    caBundle: not*base64\n", NULL,
	  "in.yaml: ClusterIssuer \"le\": spec.acme.caBundle is not valid base64" },
	{ CI ACME "    caBundle: YWI\n", NULL, "spec.acme.caBundle is not valid base64" },
	{ CI ACME "    caBundle: \"\"\n",
	  "ClusterIssuer|le|-|https://acme.example/dir|-|-|tls.key|-|0|-|-|-|-|-|0|-|-|-|-|-|-|-",
	  NULL },
	{ CI ACME "    privateKeySecretRef:\n      name: le-account\n      key: \"\"\n",
	  "ClusterIssuer|le|-|https://acme.example/dir|-|le-account|tls.key|-|0|-|-|-|-|-|0|-|-"
	  "|-|-|-|-|-", NULL },
	{ CI "spec:\n  ca:\n    secretName: ca\n", NULL,
	  "in.yaml: ClusterIssuer \"le\" is not an ACME issuer (no spec.acme)" },
	{ CI "spec:\n  acme:\n", NULL, "is not an ACME issuer (no spec.acme)" },
	{ "kind: Certificate\nmetadata:\n  name: c\n", NULL,
	  "in.yaml: no ClusterIssuer or Issuer in it (found: Certificate)" },
	{ "", NULL, "in.yaml: no ClusterIssuer or Issuer in it (found: nothing)" },
	{ "- a\n- b\n", NULL, "in.yaml: no ClusterIssuer or Issuer in it (found: nothing)" },
	{ "kind: Secret\n---\n" CI ACME,
	  "ClusterIssuer|le|-|https://acme.example/dir|-|-|tls.key|-|0|-|-|-|-|-|0|-|-|-|-|-|-|-",
	  NULL },
	{ "apiVersion: v1\nkind: List\nitems:\n- kind: ConfigMap\n- kind: ClusterIssuer\n"
	  "  metadata: {name: first}\n  spec: {acme: {server: 'https://a.example/dir'}}\n"
	  "- kind: ClusterIssuer\n  metadata: {name: second}\n"
	  "  spec: {acme: {server: 'https://b.example/dir'}}\n",
	  "ClusterIssuer|first|-|https://a.example/dir|-|-|tls.key|-|0|-|-|-|-|-|0|-|-|-|-|-|-|-",
	  NULL },
	{ "kind: ClusterIssuerList\nitems:\n- kind: ClusterIssuer\n  metadata: {name: x}\n"
	  "  spec: {acme: {server: 'https://x.example/dir'}}\n",
	  "ClusterIssuer|x|-|https://x.example/dir|-|-|tls.key|-|0|-|-|-|-|-|0|-|-|-|-|-|-|-",
	  NULL },
	{ "kind: List\nitems: []\n", NULL, "no ClusterIssuer or Issuer in it (found: nothing)" },
	{ "{\"kind\":\"Issuer\",\"metadata\":{\"name\":\"j\",\"namespace\":\"n\"},"
	  "\"spec\":{\"acme\":{\"server\":\"https://j.example/dir\",\"skipTLSVerify\":true}},"
	  "\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\","
	  "\"reason\":\"ACMEAccountRegistered\"}]}}",
	  "Issuer|j|n|https://j.example/dir|-|-|tls.key|-|1|-|-|-|-|-|0|-|-|-|-|True|"
	  "ACMEAccountRegistered|-", NULL },
	{ "{\"kind\":\"Issuer\",\"metadata\":{\"name\":\"j\"},"
	  "\"spec\":{\"acme\":{\"server\":\"https://j.example/dir\",\"skipTLSVerify\":1}}}",
	  NULL, "in.yaml: Issuer \"j\": spec.acme.skipTLSVerify: expected true or false" },
	{ "{\"kind\":\"Issuer\",\"metadata\":{\"name\":\"j\"},"
	  "\"spec\":{\"acme\":{\"server\":42}}}",
	  NULL, "in.yaml: Issuer \"j\": spec.acme.server: expected a string" },
	{ CI ACME "status:\n  conditions:\n  - type: Ready\n    status: Unknown\n",
	  "ClusterIssuer|le|-|https://acme.example/dir|-|-|tls.key|-|0|-|-|-|-|-|0|-|-|-|-|"
	  "Unknown|-|-", NULL },
	{ CI ACME "status:\n  acme: {}\n  conditions: []\n",
	  "ClusterIssuer|le|-|https://acme.example/dir|-|-|tls.key|-|0|-|-|-|-|-|0|-|-|-|-|-|-|-",
	  NULL },
	{ CI ACME "    server: [x]\n", NULL, "spec.acme.server: expected a string" },
	{ "kind: ClusterIssuer\nspec: {acme: {}}\n",
	  "ClusterIssuer|-|-|-|-|-|tls.key|-|0|-|-|-|-|-|0|-|-|-|-|-|-|-", NULL },
	{ CI "  namespace: ~\n" ACME,
	  "ClusterIssuer|le|-|https://acme.example/dir|-|-|tls.key|-|0|-|-|-|-|-|0|-|-|-|-|-|-|-",
	  NULL },
};

static const struct {
	const char *in;
	const char *name;   /* Secret wanted, NULL: the first */
	const char *key;
	const char *value;  /* NULL: error */
	const char *secret; /* the Secret's name */
	const char *error;
} secret_rows[] = {
	{ "kind: Secret\nmetadata: {name: acct, namespace: cm}\ndata:\n  tls.key: aGVsbG8=\n",
	  NULL, "tls.key", "hello", "acct", NULL },
	{ "kind: Secret\nmetadata: {name: acct}\nstringData:\n  tls.key: plain text\n",
	  NULL, "tls.key", "plain text", "acct", NULL },
	{ "kind: Secret\nmetadata: {name: acct}\ndata: {tls.key: aGVsbG8=}\n"
	  "stringData: {tls.key: wins}\n", NULL, "tls.key", "wins", "acct", NULL },
	{ "kind: Secret\nmetadata: {name: acct}\ndata: {a: eA==, b: eQ==}\n",
	  NULL, "tls.key", NULL, NULL,
	  "secret in.yaml has no data key \"tls.key\"; keys present: a, b" },
	{ "kind: Secret\nmetadata: {name: acct}\ndata: {a: eA==}\nstringData: {c: z}\n",
	  NULL, "tls.key", NULL, NULL,
	  "secret in.yaml has no data key \"tls.key\"; keys present: a, c" },
	{ "kind: Secret\nmetadata: {name: acct}\n", NULL, "tls.key", NULL, NULL,
	  "secret in.yaml has no data key \"tls.key\"; keys present: none" },
	{ "kind: Secret\ndata: {tls.key: \"aGVs*G8=\"}\n", NULL, "tls.key", NULL, NULL,
	  "secret in.yaml: data key \"tls.key\" is not valid base64" },
	{ "kind: Secret\ndata: {tls.key: aGVsbG8}\n", NULL, "tls.key", NULL, NULL,
	  "is not valid base64" },
	{ "kind: Secret\ndata: {tls.key: aGV=sbG8}\n", NULL, "tls.key", NULL, NULL,
	  "is not valid base64" },
	{ "kind: Secret\ndata:\n  tls.key: |\n    aGVs\n    bG8=\n", NULL, "tls.key", "hello",
	  NULL, NULL },
	{ "kind: Secret\ndata: {k: \"\"}\n", NULL, "k", "", NULL, NULL },
	{ "kind: Secret\ndata: {k: YQ==}\n", NULL, "k", "a", NULL, NULL },
	{ "kind: Secret\ndata: {k: YWI=}\n", NULL, "k", "ab", NULL, NULL },
	{ "kind: Secret\ndata: {k: YWJj}\n", NULL, "k", "abc", NULL, NULL },
	{ "kind: Secret\ndata: {k: \"+/+/\"}\n", NULL, "k", "\xfb\xff\xbf", NULL, NULL },
	{ "kind: Secret\nmetadata: {name: one}\nstringData: {k: first}\n---\n"
	  "kind: Secret\nmetadata: {name: two}\nstringData: {k: second}\n",
	  "two", "k", "second", "two", NULL },
	{ "kind: Secret\nmetadata: {name: one}\nstringData: {k: first}\n---\n"
	  "kind: Secret\nmetadata: {name: two}\nstringData: {k: second}\n",
	  NULL, "k", "first", "one", NULL },
	{ "kind: Secret\nmetadata: {name: one}\n---\nkind: Secret\nmetadata: {name: two}\n",
	  "three", "k", NULL, NULL,
	  "in.yaml: no Secret named \"three\" in it (Secrets: \"one\", \"two\")" },
	{ "kind: ConfigMap\ndata: {tls.key: x}\n", NULL, "tls.key", NULL, NULL,
	  "in.yaml: no Secret in it (found: ConfigMap)" },
	{ "apiVersion: v1\nkind: List\nitems:\n- kind: Secret\n  metadata: {name: l}\n"
	  "  data: {tls.key: bGlzdA==}\n", NULL, "tls.key", "list", "l", NULL },
	{ "{\"kind\":\"Secret\",\"metadata\":{\"name\":\"j\"},\"data\":{\"tls.key\":\"anNvbg==\"}}",
	  NULL, "tls.key", "json", "j", NULL },
	{ "kind: Secret\ndata: {tls.key: [x]}\n", NULL, "tls.key", NULL, NULL,
	  "has no data key \"tls.key\"" },
};

static void append(char **s, const char *v)
{
	char *next = xasprintf("%s%s%s", *s ? *s : "", *s ? "|" : "", v ? v : "-");

	free(*s);
	*s = next;
}

/* The fields of iss as issuer_rows spells them; caller frees. */
static char *describe(const struct k8s_issuer *iss)
{
	char *s = NULL;

	append(&s, iss->kind);
	append(&s, iss->name);
	append(&s, iss->namespace);
	append(&s, iss->server);
	append(&s, iss->email);
	append(&s, iss->key_secret_name);
	append(&s, iss->key_secret_key);
	append(&s, (const char *)iss->ca_bundle_pem);
	append(&s, iss->skip_tls_verify ? "1" : "0");
	append(&s, iss->preferred_chain);
	append(&s, iss->eab_key_id);
	append(&s, iss->eab_secret_name);
	append(&s, iss->eab_secret_key);
	append(&s, iss->eab_key_algorithm);
	append(&s, iss->disable_account_key_generation ? "1" : "0");
	append(&s, iss->profile);
	append(&s, iss->status_uri);
	append(&s, iss->last_registered_email);
	append(&s, iss->last_private_key_hash);
	append(&s, iss->ready.status);
	append(&s, iss->ready.reason);
	append(&s, iss->ready.message);
	return s;
}

/* Checks the recorded error: ERR_USAGE and containing fragment. */
static void check_error(const char *fragment, const char *ctx)
{
	CHECK_INT(err_kind(), ERR_USAGE, ctx);
	CHECK(strstr(err_message(), fragment) != NULL, "%s: message \"%s\" lacks \"%s\"",
	    ctx, err_message(), fragment);
	err_clear();
}

static void test_documents(void)
{
	for (size_t i = 0; i < nitems(doc_rows); i++) {
		json_t *docs;
		char ctx[32], *got;

		snprintf(ctx, sizeof(ctx), "documents row %zu", i);
		docs = k8s_documents(doc_rows[i].in, strlen(doc_rows[i].in), "in.yaml");
		if (doc_rows[i].json == NULL) {
			CHECK(docs == NULL, "%s: parsed", ctx);
			check_error(doc_rows[i].error, ctx);
			json_decref(docs);
			continue;
		}
		got = docs ? json_dumps(docs, JSON_COMPACT | JSON_SORT_KEYS |
		    JSON_ENCODE_ANY) : NULL;
		CHECK_STR(got, doc_rows[i].json, ctx);
		if (docs == NULL)
			fprintf(stderr, "  %s\n", err_message());
		free(got);
		json_decref(docs);
	}
}

static void test_issuers(void)
{
	for (size_t i = 0; i < nitems(issuer_rows); i++) {
		struct k8s_issuer *iss;
		char ctx[32], *got;

		snprintf(ctx, sizeof(ctx), "issuer row %zu", i);
		iss = k8s_issuer_parse(issuer_rows[i].in, strlen(issuer_rows[i].in), "in.yaml");
		if (issuer_rows[i].fields == NULL) {
			CHECK(iss == NULL, "%s: parsed", ctx);
			check_error(issuer_rows[i].error, ctx);
			k8s_issuer_free(iss);
			continue;
		}
		got = iss ? describe(iss) : NULL;
		CHECK_STR(got, issuer_rows[i].fields, ctx);
		if (iss == NULL)
			fprintf(stderr, "  %s\n", err_message());
		free(got);
		k8s_issuer_free(iss);
	}
}

static void test_secrets(void)
{
	for (size_t i = 0; i < nitems(secret_rows); i++) {
		struct k8s_secret_value v;
		char ctx[32];
		int rc;

		snprintf(ctx, sizeof(ctx), "secret row %zu", i);
		rc = k8s_secret_parse(secret_rows[i].in, strlen(secret_rows[i].in), "in.yaml",
		    secret_rows[i].name, secret_rows[i].key, &v);
		if (secret_rows[i].value == NULL) {
			CHECK_INT(rc, -1, ctx);
			CHECK(v.data == NULL, "%s: value left behind", ctx);
			check_error(secret_rows[i].error, ctx);
			continue;
		}
		CHECK_INT(rc, 0, ctx);
		CHECK_STR((const char *)v.data, secret_rows[i].value, ctx);
		CHECK_INT(v.len, strlen(secret_rows[i].value), ctx);
		CHECK_STR(v.name, secret_rows[i].secret, ctx);
		k8s_secret_value_clear(&v);
		CHECK(v.data == NULL && v.len == 0, "%s: not cleared", ctx);
		err_clear();
	}
}

/* account export: names checked, every value read back by the parsers
 * above (the issuer through describe(), the Secret's key, both
 * annotations). */
#define SERVER "https://acme.example/dir"
#define ACCT "https://acme.example/acct/1"
#define KEY_PEM "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n"
#define A10 "aaaaaaaaaa"
#define A50 A10 A10 A10 A10 A10
#define A250 A50 A50 A50 A50 A50
#define N253 A250 "aaa"
#define N254 A250 "aaaa"
#define L63 A50 A10 "aaa"
#define L64 A50 A10 "aaaa"
/* the describe() fields after kind|name|namespace|server|email */
#define REST(secret, ca) "|" secret "|tls.key|" ca "|0|-|-|-|-|-|1|-|-|-|-|-|-|-"

static const struct {
	const char *kind, *name, *secret, *ns, *email, *solver, *server, *url;
	bool ca;
	const char *fields;     /* the issuer read back; NULL: refused */
	const char *secret_ns;  /* the Secret's namespace read back */
	const char *text;       /* in the manifest, or in the error */
} export_rows[] = {
	{ "ClusterIssuer", "le", "le-account-key", "cert-manager", "admin@example.org",
	  "nginx", SERVER, ACCT, true,
	  "ClusterIssuer|le|-|" SERVER "|admin@example.org" REST("le-account-key", CA_PEM),
	  "cert-manager", "kind: ClusterIssuer\nmetadata:\n  name: \"le\"\n  annotations:\n"
	  "    acmectl/account-url: \"" ACCT "\"\nspec:\n" },
	{ "Issuer", "team", "team-account-key", "team-a", NULL, "traefik", SERVER, ACCT, false,
	  "Issuer|team|team-a|" SERVER "|-" REST("team-account-key", "-"), "team-a",
	  "kind: Issuer\nmetadata:\n  name: \"team\"\n  namespace: \"team-a\"\n" },
	{ "Issuer", "x", "x-account-key", NULL, NULL, "nginx", SERVER, ACCT, false,
	  "Issuer|x|-|" SERVER "|-" REST("x-account-key", "-"), NULL,
	  "kind: Secret\nmetadata:\n  name: \"x-account-key\"\n  annotations:\n" },
	/* YAML 1.1 would read these plain as a boolean, null and a number */
	{ "ClusterIssuer", "yes", "on", "null", NULL, "1e3", SERVER, ACCT, false,
	  "ClusterIssuer|yes|-|" SERVER "|-" REST("on", "-"), "null",
	  "ingressClassName: \"1e3\"\n" },
	{ "ClusterIssuer", "le", "s", "cert-manager", "a\"b\\c: #x\xc3\xa9@example.org", "nginx",
	  SERVER "?x=1#a: b", ACCT, false,
	  "ClusterIssuer|le|-|" SERVER "?x=1#a: b|a\"b\\c: #x\xc3\xa9@example.org" REST("s", "-"),
	  "cert-manager", "email: \"a\\\"b\\\\c: #x\\u00E9@example.org\"\n" },
	{ "ClusterIssuer", "le", "s", "cert-manager", NULL, "nginx", SERVER,
	  ACCT "\n# injected", false, "ClusterIssuer|le|-|" SERVER "|-" REST("s", "-"),
	  "cert-manager", "# The ACME account " ACCT "\\x0a# injected\n" },
	{ "ClusterIssuer", "a-b.c--d", "0", "a--b", NULL, "x.y", SERVER, ACCT, false,
	  "ClusterIssuer|a-b.c--d|-|" SERVER "|-" REST("0", "-"), "a--b", "name: \"0\"\n" },
	{ "ClusterIssuer", N253, "s", L63, NULL, "nginx", SERVER, ACCT, false,
	  "ClusterIssuer|" N253 "|-|" SERVER "|-" REST("s", "-"), L63, "name: \"" N253 "\"\n" },

	{ "ClusterIssuer", N254, "s", "cert-manager", NULL, "nginx", SERVER, ACCT, false, NULL,
	  NULL, "issuer name \"" N254 "\" is not a valid Kubernetes name (RFC 1123 subdomain): "
	  "it has 254 characters, at most 253 are allowed" },
	{ "ClusterIssuer", "le", N254, "cert-manager", NULL, "nginx", SERVER, ACCT, false, NULL,
	  NULL, "Secret name \"" N254 "\" is not a valid" },
	{ "Issuer", "le", "s", L64, NULL, "nginx", SERVER, ACCT, false, NULL, NULL,
	  "namespace \"" L64 "\" is not a valid Kubernetes namespace (RFC 1123 label): "
	  "it has 64 characters, at most 63 are allowed" },
	{ "ClusterIssuer", "Le", "s", NULL, NULL, "nginx", SERVER, ACCT, false, NULL, NULL,
	  "issuer name \"Le\" is not a valid Kubernetes name (RFC 1123 subdomain): 'L' is not "
	  "allowed (only lowercase letters, digits, '-' and '.')" },
	{ "ClusterIssuer", "le_prod", "s", NULL, NULL, "nginx", SERVER, ACCT, false, NULL, NULL,
	  "'_' is not allowed" },
	{ "ClusterIssuer", "-le", "s", NULL, NULL, "nginx", SERVER, ACCT, false, NULL, NULL,
	  "\"-le\" is not a valid Kubernetes name (RFC 1123 subdomain): it and each of its "
	  "dot-separated parts must start and end with a letter or digit" },
	{ "ClusterIssuer", "le.", "s", NULL, NULL, "nginx", SERVER, ACCT, false, NULL, NULL,
	  "\"le.\" is not a valid Kubernetes name (RFC 1123 subdomain): it and each" },
	{ "ClusterIssuer", "a..b", "s", NULL, NULL, "nginx", SERVER, ACCT, false, NULL, NULL,
	  "\"a..b\" is not a valid Kubernetes name (RFC 1123 subdomain): it and each" },
	{ "ClusterIssuer", "a.-b", "s", NULL, NULL, "nginx", SERVER, ACCT, false, NULL, NULL,
	  "\"a.-b\" is not a valid Kubernetes name (RFC 1123 subdomain): it and each" },
	{ "ClusterIssuer", "", "s", NULL, NULL, "nginx", SERVER, ACCT, false, NULL, NULL,
	  "issuer name \"\" is not a valid Kubernetes name (RFC 1123 subdomain): it is empty" },
	{ "ClusterIssuer", "a b", "s", NULL, NULL, "nginx", SERVER, ACCT, false, NULL, NULL,
	  "byte 0x20 is not allowed" },
	{ "ClusterIssuer", "a\nb", "s", NULL, NULL, "nginx", SERVER, ACCT, false, NULL, NULL,
	  "issuer name \"a\\x0ab\" is not a valid Kubernetes name (RFC 1123 subdomain): "
	  "byte 0x0a is not allowed" },
	{ "Issuer", "le", "s", "team.a", NULL, "nginx", SERVER, ACCT, false, NULL, NULL,
	  "namespace \"team.a\" is not a valid Kubernetes namespace (RFC 1123 label): '.' is "
	  "not allowed (only lowercase letters, digits and '-')" },
	{ "Issuer", "le", "s", "-team", NULL, "nginx", SERVER, ACCT, false, NULL, NULL,
	  "namespace \"-team\" is not a valid Kubernetes namespace (RFC 1123 label): it must "
	  "start and end with a letter or digit" },
	{ "ClusterIssuer", "le", "s", NULL, NULL, "Nginx", SERVER, ACCT, false, NULL, NULL,
	  "ingress class \"Nginx\" is not a valid Kubernetes name" },
	{ "Certificate", "le", "s", NULL, NULL, "nginx", SERVER, ACCT, false, NULL, NULL,
	  "kind must be ClusterIssuer or Issuer (got \"Certificate\")" },
	{ "ClusterIssuer", "le", "s", NULL, "\xff@example.org", "nginx", SERVER, ACCT, false,
	  NULL, NULL, "the email address is not valid UTF-8" },
};

/* The acmectl/account-url annotation of each document, '|'-joined. */
static char *annotations(const char *text, size_t len)
{
	json_t *docs = k8s_documents(text, len, "export"), *doc;
	char *s = NULL;
	size_t i;

	json_array_foreach(docs, i, doc)
		append(&s, json_string_value(json_object_get(json_object_get(
		    json_object_get(doc, "metadata"), "annotations"), "acmectl/account-url")));
	json_decref(docs);
	return s;
}

static void test_export(void)
{
	for (size_t i = 0; i < nitems(export_rows); i++) {
		struct k8s_account_export e = {
			.kind = export_rows[i].kind, .name = export_rows[i].name,
			.secret_name = export_rows[i].secret, .namespace = export_rows[i].ns,
			.server = export_rows[i].server, .email = export_rows[i].email,
			.account_url = export_rows[i].url, .solver_class = export_rows[i].solver,
			.key_pem = KEY_PEM, .key_pem_len = strlen(KEY_PEM),
			.ca_bundle = export_rows[i].ca ? CA_PEM : NULL,
			.ca_bundle_len = export_rows[i].ca ? strlen(CA_PEM) : 0,
		};
		struct k8s_issuer *iss;
		struct k8s_secret_value v;
		char ctx[32], *text, *got, *want;
		size_t len = 0;

		snprintf(ctx, sizeof(ctx), "export row %zu", i);
		err_clear();
		text = k8s_account_manifest(&e, &len);
		if (export_rows[i].fields == NULL) {
			CHECK(text == NULL, "%s: written", ctx);
			check_error(export_rows[i].text, ctx);
			free(text);
			continue;
		}
		CHECK(text != NULL, "%s: %s", ctx, err_message());
		if (text == NULL)
			continue;
		CHECK_INT(len, strlen(text), ctx);
		CHECK(strncmp(text, "# The ACME account ", 19) == 0 && text[len - 1] == '\n',
		    "%s: starts with the comment, ends with a newline", ctx);
		CHECK(strstr(text, export_rows[i].text) != NULL, "%s: lacks \"%s\" in:\n%s",
		    ctx, export_rows[i].text, text);
		iss = k8s_issuer_parse(text, len, "export");
		got = iss != NULL ? describe(iss) : xstrdup(err_message());
		CHECK_STR(got, export_rows[i].fields, ctx);
		free(got);
		k8s_issuer_free(iss);
		CHECK_INT(k8s_secret_parse(text, len, "export", export_rows[i].secret, "tls.key",
		    &v), 0, ctx);
		CHECK_STR((const char *)v.data, KEY_PEM, ctx);
		CHECK_STR(v.namespace, export_rows[i].secret_ns, ctx);
		k8s_secret_value_clear(&v);
		got = annotations(text, len);
		want = xasprintf("%s|%s", export_rows[i].url, export_rows[i].url);
		CHECK_STR(got, want, ctx);
		free(got);
		free(want);
		free(text);
	}
}

/* Reads a fixture whole; caller frees. */
static char *slurp(const char *file)
{
	char *path = test_data_path(file), *buf = NULL;
	FILE *f = fopen(path, "r");
	size_t len;

	if (f != NULL) {
		buf = xcalloc(1, 65536);
		len = fread(buf, 1, 65535, f);
		buf[len] = '\0';
		fclose(f);
	}
	free(path);
	return buf;
}

static const struct {
	const char *file;
	const char *fields; /* NULL: error */
	const char *error;
} file_rows[] = {
	{ "clusterissuer-list.yaml",
	  "ClusterIssuer|letsencrypt-prod|-|https://acme-v02.api.letsencrypt.org/directory|"
	  "ops@example.com|letsencrypt-prod-account|tls.key|-|0||-|-|-|-|0|-|"
	  "https://acme-v02.api.letsencrypt.org/acme/acct/1234567890|ops@example.com|"
	  "2xxf6RtMozNZv24um/HhLdqdXZ78tlyECiFxYQZ/ciQ=|False|ErrRegisterACMEAccount|"
	  "Failed to register ACME account: Get \"https://acme-v02.api.letsencrypt.org/directory\": "
	  "dial tcp 172.65.32.248:443: connect: connection refused", NULL },
	{ "issuer-eab.json",
	  "Issuer|zerossl|web|https://acme.zerossl.com/v2/DV90|Admin@Example.com|zerossl-account|"
	  "account.key|-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n|0|-|"
	  "kid-123|zerossl-eab|secret|HS256|1|tlsserver|-|-|-|True|ACMEAccountRegistered|"
	  "The ACME account was registered with the ACME server", NULL },
	{ "multi-doc.yaml",
	  "Issuer|internal|pki|https://pebble.pki.svc:14000/dir|pki@corp.example|internal-account|"
	  "tls.key|-|1|-|-|-|-|-|0|-|-|-|-|-|-|-", NULL },
	{ "no-issuer.yaml", NULL, "no ClusterIssuer or Issuer in it (found: ConfigMap, Certificate)" },
	{ "bad-syntax.yaml", NULL, "bad-syntax.yaml:8:4: YAML: did not find expected key" },
	{ "secret.yaml", NULL, "no ClusterIssuer or Issuer in it (found: Secret)" },
	{ "does-not-exist.yaml", NULL, "does-not-exist.yaml: No such file or directory" },
};

static void test_files(void)
{
	struct k8s_secret_value v;
	char *path, *pem;
	int rc;

	for (size_t i = 0; i < nitems(file_rows); i++) {
		struct k8s_issuer *iss;
		char ctx[48], *got;

		snprintf(ctx, sizeof(ctx), "file row %zu (%s)", i, file_rows[i].file);
		path = test_data_path(file_rows[i].file);
		iss = k8s_issuer_load(path);
		if (file_rows[i].fields == NULL) {
			CHECK(iss == NULL, "%s: parsed", ctx);
			check_error(file_rows[i].error, ctx);
		} else {
			got = iss ? describe(iss) : NULL;
			CHECK_STR(got, file_rows[i].fields, ctx);
			if (iss == NULL)
				fprintf(stderr, "  %s\n", err_message());
			free(got);
		}
		k8s_issuer_free(iss);
		free(path);
	}

	/* The Secret holds the fixture key, byte for byte. */
	path = test_data_path("secret.yaml");
	pem = slurp("account-rsa.pem");
	CHECK(pem != NULL, "account-rsa.pem readable");
	rc = k8s_secret_load(path, "letsencrypt-prod-account", "tls.key", &v);
	CHECK_INT(rc, 0, "secret.yaml");
	CHECK_STR((const char *)v.data, pem, "secret.yaml tls.key");
	CHECK_STR(v.namespace, "cert-manager", "secret.yaml namespace");
	k8s_secret_value_clear(&v);

	rc = k8s_secret_load(path, NULL, "ca.crt", &v);
	CHECK_INT(rc, -1, "secret.yaml ca.crt");
	{
		char *want = xasprintf("secret %s has no data key \"ca.crt\"; keys present: "
		    "tls.key", path);

		CHECK_STR(err_message(), want, "secret.yaml ca.crt message");
		free(want);
	}
	err_clear();
	free(path);
	free(pem);
}

int main(void)
{
	test_documents();
	test_issuers();
	test_secrets();
	test_files();
	test_export();
	return test_done();
}
