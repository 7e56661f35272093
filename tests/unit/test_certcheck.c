/* test_certcheck.c - what the CA returned, against what was asked for: the
 * order's identifiers, and the issued certificate's key, names, validity
 * and chain, and an alternate chain offered instead, over the certificates of tests/unit/data/certcheck (made by
 * make-certcheck.sh, valid 2020-01-01 .. 2040-01-01; each row passes its
 * own "now"). */
#include "config.h"

#include <openssl/x509.h>

#include "b64url.h"
#include "certcheck.h"
#include "err.h"
#include "test.h"

#define NB 1577836800L        /* 2020-01-01 00:00:00 UTC, every notBefore */
#define NA 2208988800L        /* 2040-01-01 00:00:00 UTC, every notAfter */
#define NOW 1893456000L       /* 2030-01-01 */
#define FOUR "a.example,b.example,192.0.2.1,2001:db8::1"
#define CERT "the CA returned a certificate that "
#define UNLINKED CERT "comes with a chain that does not link: certificate 1 names the issuer "

static const struct {
	const char *leaf, *chain, *csr, *names;  /* chain: files, space-separated */
	long now;
	const char *want;                        /* the error, or NULL */
} issued[] = {
	/* what the CA should send, in the forms it may take */
	{ "leaf-ok.pem", "inter.pem", "csr-a.der", FOUR, NOW, NULL },
	{ "leaf-ok.pem", "inter.pem root.pem", "csr-a.der", FOUR, NOW, NULL },
	{ "leaf-ok.pem", "", "csr-a.der", FOUR, NOW, NULL },          /* the CA sent no chain */
	{ "leaf-ok.pem", "inter.pem", "csr-a.der",
	  "2001:db8::1,b.example,192.0.2.1,a.example", NOW, NULL },  /* any order */
	{ "leaf-upper.pem", "inter.pem", "csr-a.der", FOUR, NOW, NULL },  /* A.EXAMPLE, 2001:DB8:0:0::1 */
	{ "leaf-root.pem", "root.pem", "csr-a.der", FOUR, NOW, NULL },  /* issued by the root itself */
	/* the leaf is no certificate, or another key's */
	{ "not-a-cert.pem", "inter.pem", "csr-a.der", FOUR, NOW, CERT "is not a certificate" },
	{ "empty", "inter.pem", "csr-a.der", FOUR, NOW, CERT "is not a certificate" },
	{ "leaf-other-key.pem", "inter.pem", "csr-a.der", FOUR, NOW,
	  CERT "is for another public key than the CSR's" },
	{ "leaf-ok.pem", "inter.pem", "csr-b.der", FOUR, NOW,
	  CERT "is for another public key than the CSR's" },
	/* names: exactly those asked for */
	{ "leaf-evil.pem", "inter.pem", "csr-a.der", FOUR, NOW,
	  CERT "names evil.example.net, which was not asked for" },
	{ "leaf-extra.pem", "inter.pem", "csr-a.der", FOUR, NOW,
	  CERT "names c.example, which was not asked for" },
	{ "leaf-fewer.pem", "inter.pem", "csr-a.der", FOUR, NOW, CERT "lacks b.example" },
	{ "leaf-ok.pem", "inter.pem", "csr-a.der", "a.example,b.example,192.0.2.1", NOW,
	  CERT "names 2001:db8::1, which was not asked for" },
	{ "leaf-dnsip.pem", "inter.pem", "csr-a.der", FOUR, NOW,        /* DNS:192.0.2.1 is no address */
	  CERT "names 192.0.2.1, which was not asked for" },
	/* valid now, with CERTCHECK_SKEW_S for the CA's clock */
	{ "leaf-ok.pem", "inter.pem", "csr-a.der", FOUR, NA - 1, NULL },
	{ "leaf-ok.pem", "inter.pem", "csr-a.der", FOUR, NA, CERT "expired at 2040-01-01 00:00:00 UTC" },
	{ "leaf-ok.pem", "inter.pem", "csr-a.der", FOUR, NB - CERTCHECK_SKEW_S, NULL },
	{ "leaf-ok.pem", "inter.pem", "csr-a.der", FOUR, NB - CERTCHECK_SKEW_S - 1,
	  CERT "is not valid until 2020-01-01 00:00:00 UTC" },
	/* the chain: parses, links by name, and each signature verifies */
	{ "leaf-ok.pem", "root.pem", "csr-a.der", FOUR, NOW, UNLINKED
	  "/CN=certcheck test intermediate, certificate 2 is /CN=certcheck test root" },
	{ "leaf-root.pem", "inter.pem", "csr-a.der", FOUR, NOW, UNLINKED
	  "/CN=certcheck test root, certificate 2 is /CN=certcheck test intermediate" },
	{ "leaf-ok.pem", "inter.pem inter.pem", "csr-a.der", FOUR, NOW, CERT "comes with a chain that "
	  "does not link: certificate 2 names the issuer /CN=certcheck test root, certificate 3 is "
	  "/CN=certcheck test intermediate" },
	{ "leaf-ok.pem", "inter-forged.pem", "csr-a.der", FOUR, NOW, CERT "comes with a chain whose "
	  "signatures do not verify: certificate 1 is not signed by the key of certificate 2" },
	{ "leaf-ok.pem", "not-a-cert.pem", "csr-a.der", FOUR, NOW,
	  CERT "comes with a chain whose certificate 2 does not parse" },
	{ "leaf-ok.pem", "inter.pem not-a-cert.pem", "csr-a.der", FOUR, NOW,
	  CERT "comes with a chain whose certificate 3 does not parse" },
	{ "leaf-ok.pem", "not-a-cert.pem inter.pem", "csr-a.der", FOUR, NOW,  /* not hidden by a good one after it */
	  CERT "comes with a chain whose certificate 2 does not parse" },
};

/* Alternate chains for leaf-ok.pem, the certificate issued. */
static const struct {
	const char *alternate;                   /* files, space-separated */
	size_t pad;                              /* line breaks appended */
	const char *want;                        /* the error, or NULL */
} alternates[] = {
	{ "leaf-ok.pem inter.pem", 0, NULL },
	{ "leaf-ok.pem inter.pem root.pem", 0, NULL },
	{ "leaf-ok.pem", 0, NULL },
	{ "", 0, "holds no PEM certificate" },
	{ "not-a-cert.pem", 0, "is a chain whose certificate 1 does not parse" },
	{ "leaf-ok.pem not-a-cert.pem inter.pem", 0, "is a chain whose certificate 2 does not parse" },
	{ "inter.pem root.pem", 0, "does not begin with the certificate issued" },
	{ "leaf-other-key.pem inter.pem", 0, "does not begin with the certificate issued" },
	{ "leaf-ok.pem root.pem", 0, "is a chain that does not link: certificate 1 names the "
	  "issuer /CN=certcheck test intermediate, certificate 2 is /CN=certcheck test root" },
	{ "leaf-ok.pem inter-forged.pem", 0, "is a chain whose signatures do not verify: "
	  "certificate 1 is not signed by the key of certificate 2" },
	/* padded to CERTCHECK_CHAIN_MAX bytes, and one more */
	{ "leaf-ok.pem inter.pem", CERTCHECK_CHAIN_MAX, NULL },
	{ "leaf-ok.pem inter.pem", CERTCHECK_CHAIN_MAX + 1,
	  "is 65537 bytes, more than the 64 KiB a chain may take" },
};

static const struct {
	const char *identifiers;   /* the order's "identifiers" member (JSON), NULL: none */
	size_t nauthz;             /* how many authorizations it lists */
	const char *names;
	const char *want;
} orders[] = {
	{ "[{\"type\":\"dns\",\"value\":\"a.example\"}]", 1, "a.example", NULL },
	{ "[{\"type\":\"dns\",\"value\":\"A.Example\"}]", 1, "a.example", NULL },
	{ "[{\"type\":\"ip\",\"value\":\"2001:db8:0::1\"},{\"type\":\"dns\",\"value\":\"a.example\"}]",
	  2, "a.example,2001:db8::1", NULL },
	{ "[{\"type\":\"dns\",\"value\":\"a.example\"}]", 0, "a.example", NULL },  /* reused, none pending */
	{ "[{\"type\":\"dns\",\"value\":\"a.example\"},{\"type\":\"dns\",\"value\":\"evil.example.net\"}]",
	  2, "a.example,b.example", "the CA's order names evil.example.net, which was not asked for" },
	{ "[{\"type\":\"dns\",\"value\":\"a.example\"}]", 1, "a.example,b.example",
	  "the CA's order lacks b.example" },
	{ "[{\"type\":\"dns\",\"value\":\"192.0.2.1\"}]", 1, "192.0.2.1",
	  "the CA's order names 192.0.2.1, which was not asked for" },
	{ "[{\"type\":\"dns\",\"value\":\"a\\u001b[31m\\n.example\"}]", 1, "a.example",
	  "the CA's order names a\\x1b[31m\\n.example, which was not asked for" },
	{ "[{\"type\":\"dns\",\"value\":\"a.example\"}]", 500, "a.example",
	  "the CA's order lists 500 authorizations for 1 identifier" },
	{ "[{\"type\":\"dns\",\"value\":\"a.example\"},{\"type\":\"dns\",\"value\":\"b.example\"}]",
	  3, "a.example,b.example", "the CA's order lists 3 authorizations for 2 identifiers" },
	{ NULL, 1, "a.example", "the CA's order has no list of identifiers" },
	{ "[{\"type\":\"dns\"}]", 1, "a.example",
	  "the CA's order has an identifier without type or value" },
	{ "[{\"type\":\"email\",\"value\":\"a.example\"}]", 1, "a.example",  /* the type counts too */
	  "the CA's order names a.example, which was not asked for" },
	{ "[{\"type\":\"ip\",\"value\":\"a.example\"}]", 1, "a.example",
	  "the CA's order names a.example, which was not asked for" },
};

/* The contents of the data files named in list (space-separated), joined;
 * "empty" and "" give "". Caller frees. */
static char *read_files(const char *list)
{
	char *all = xstrdup(""), *names = xstrdup(list), *save = NULL;

	for (char *f = strtok_r(names, " ", &save); f != NULL; f = strtok_r(NULL, " ", &save)) {
		char *path = test_data_file("certcheck", f), buf[8192], *t;
		FILE *fp = strcmp(f, "empty") == 0 ? NULL : fopen(path, "rb");
		size_t n = fp ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;

		CHECK(fp != NULL || strcmp(f, "empty") == 0, "cannot read %s", path);
		buf[n] = '\0';
		t = xasprintf("%s%s", all, buf);
		free(all);
		all = t;
		if (fp)
			fclose(fp);
		free(path);
	}
	free(names);
	return all;
}

/* The DER data file as base64url (what finalize sends). Caller frees. */
static char *read_csr(const char *file)
{
	char *path = test_data_file("certcheck", file), *out;
	unsigned char buf[4096];
	FILE *fp = fopen(path, "rb");
	size_t n = fp ? fread(buf, 1, sizeof(buf), fp) : 0;

	CHECK(n > 0, "cannot read %s", path);
	out = b64url_encode(buf, n);
	if (fp)
		fclose(fp);
	free(path);
	return out;
}

/* The public key of the base64url CSR csr, as the caller of
 * certcheck_issued holds its key. Caller frees. */
static EVP_PKEY *csr_pubkey(const char *csr)
{
	size_t len;
	unsigned char *der = b64url_decode(csr, &len);
	const unsigned char *p = der;
	X509_REQ *req = der != NULL ? d2i_X509_REQ(NULL, &p, (long)len) : NULL;
	EVP_PKEY *key = req != NULL ? X509_REQ_get_pubkey(req) : NULL;

	X509_REQ_free(req);
	free(der);
	return key;
}

/* names as a NULL-terminated array (split at commas); caller strv_free()s. */
static char **split(const char *names, size_t *n)
{
	char **v = xcalloc(16, sizeof(*v)), *copy = xstrdup(names), *save = NULL;

	*n = 0;
	for (char *s = strtok_r(copy, ",", &save); s != NULL && *n < 15; s = strtok_r(NULL, ",", &save))
		v[(*n)++] = xstrdup(s);
	free(copy);
	return v;
}

int main(void)
{
	for (size_t i = 0; i < nitems(issued); i++) {
		char *leaf = read_files(issued[i].leaf), *chain = read_files(issued[i].chain);
		char *csr = read_csr(issued[i].csr), ctx[160];
		size_t n;
		char **names = split(issued[i].names, &n);
		int rc;

		snprintf(ctx, sizeof(ctx), "%s + [%s] for %s at %ld", issued[i].leaf,
		    issued[i].chain, issued[i].csr, issued[i].now);
		/* each row twice: the key from the CSR (--csr), then given as
		 * the caller holds it, with no CSR to fall back on */
		for (int given = 0; given < 2; given++) {
			EVP_PKEY *key = given ? csr_pubkey(csr) : NULL;

			err_clear();
			rc = certcheck_issued(leaf, chain, key, given ? NULL : csr, names, n,
			    (time_t)issued[i].now);
			CHECK_INT(rc, issued[i].want ? -1 : 0, ctx);
			CHECK_STR(issued[i].want ? err_message() : NULL, issued[i].want, ctx);
			if (issued[i].want)
				CHECK_INT(err_kind(), ERR_ACME, ctx);
			CHECK(!given || key != NULL, "%s: the CSR's key", ctx);
			EVP_PKEY_free(key);
		}
		strv_free(names);
		free(leaf);
		free(chain);
		free(csr);
	}
	for (size_t i = 0; i < nitems(alternates); i++) {
		char *leaf = read_files("leaf-ok.pem"), *alt = read_files(alternates[i].alternate);
		size_t len = strlen(alt);
		int rc;

		if (alternates[i].pad > len) {
			alt = xrealloc(alt, alternates[i].pad + 1);
			memset(alt + len, '\n', alternates[i].pad - len);
			len = alternates[i].pad;
			alt[len] = '\0';
		}
		err_clear();
		rc = certcheck_alternate(leaf, alt, len);
		CHECK_INT(rc, alternates[i].want ? -1 : 0, alternates[i].alternate);
		CHECK_STR(alternates[i].want ? err_message() : NULL, alternates[i].want,
		    alternates[i].alternate);
		if (alternates[i].want)
			CHECK_INT(err_kind(), ERR_ACME, alternates[i].alternate);
		free(leaf);
		free(alt);
	}
	for (size_t i = 0; i < nitems(orders); i++) {
		json_t *order = json_object(), *authz = json_array();
		size_t n;
		char **names = split(orders[i].names, &n);
		int rc;

		for (size_t k = 0; k < orders[i].nauthz; k++)
			json_array_append_new(authz, json_string("https://ca.example/authz/x"));
		json_object_set_new(order, "authorizations", authz);
		if (orders[i].identifiers != NULL)
			json_object_set_new(order, "identifiers",
			    json_loads(orders[i].identifiers, 0, NULL));
		err_clear();
		rc = certcheck_order(order, names, n);
		CHECK_INT(rc, orders[i].want ? -1 : 0, orders[i].names);
		CHECK_STR(orders[i].want ? err_message() : NULL, orders[i].want,
		    orders[i].identifiers ? orders[i].identifiers : "(none)");
		strv_free(names);
		json_decref(order);
	}
	return test_done();
}
