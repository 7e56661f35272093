/* test_certinfo.c - the renewal rule, cert_is_due(): with --days, due when
 * fewer than that many days are left; without, when less than a third of
 * the lifetime is left, or a half for lifetimes of 10 days or less (short
 * certificates would otherwise renew too late to survive one failed run).
 * Each lifetime is tried at both sides of its boundary.
 * Then certinfo_parse_window(), the light reader renew decides with, against
 * certinfo_parse() on the shapes of tests/unit/data/certinfo (made by
 * make-certinfo.py), and on texts that are no certificate. Then the walk
 * over a chain's issuer CNs, and the top issuer CN and the look-up read
 * from it, on chains made of those files. */
#include "config.h"

#include <time.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certinfo.h"
#include "err.h"
#include "key.h"
#include "test.h"
#include "util.h"

#define DAY 86400L
/* notBefore of every row; the rule looks only at differences */
#define T0 1700000000L

static const struct {
	long lifetime, age, days;  /* seconds, seconds since notBefore, --days or -1 */
	bool due;
} rows[] = {
	/* 90 days (Let's Encrypt's classic lifetime): due from 30 days left */
	{ 90 * DAY, 60 * DAY - 1, -1, false },   /* 30 days and a second left */
	{ 90 * DAY, 60 * DAY, -1, false },       /* exactly a third left: not less */
	{ 90 * DAY, 60 * DAY + 1, -1, true },    /* a second under a third */
	{ 90 * DAY, 0, -1, false },              /* just issued */
	{ 90 * DAY, 90 * DAY, -1, true },        /* expiring this second */
	{ 90 * DAY, 100 * DAY, -1, true },       /* expired ten days ago */
	{ 90 * DAY, -DAY, -1, false },           /* clock behind notBefore */
	/* 10 days: the half rule still applies */
	{ 10 * DAY, 5 * DAY, -1, false },        /* exactly half left */
	{ 10 * DAY, 5 * DAY + 1, -1, true },
	{ 10 * DAY, 6 * DAY, -1, true },         /* 4 days left: due by halves, not thirds */
	{ 10 * DAY + 3, 6 * DAY, -1, false },    /* just over 10 days: thirds, not halves */
	{ 10 * DAY + 3, 7 * DAY, -1, true },     /* 3 days + 3 s left < a third */
	/* 6 days (Let's Encrypt's short-lived profile): due from 3 days left */
	{ 6 * DAY, 3 * DAY, -1, false },
	{ 6 * DAY, 3 * DAY + 1, -1, true },
	{ 6 * DAY, 2 * DAY, -1, false },
	/* --days overrides the fraction */
	{ 90 * DAY, 59 * DAY, 45, true },        /* 31 days left < 45 */
	{ 90 * DAY, 45 * DAY, 45, false },       /* exactly 45 left: not fewer */
	{ 90 * DAY, 45 * DAY + 1, 45, true },
	{ 90 * DAY, 80 * DAY, 0, false },        /* --days 0: only once expired */
	{ 90 * DAY, 90 * DAY + 1, 0, true },
	{ 6 * DAY, 1 * DAY, 30, true },          /* --days longer than the lifetime */
	/* a certificate whose notAfter precedes its notBefore is always due */
	{ -DAY, 0, -1, true },
};

/* Certificates both readers must read alike. */
static const struct {
	const char *file;
	bool ari;                  /* has an ARI identifier (an AKI keyIdentifier) */
} shapes[] = {
	{ "aki.pem", true },
	{ "aki-critical.pem", true },              /* the optional BOOLEAN present */
	{ "aki-highbit-serial.pem", true },        /* serial with a leading zero octet */
	{ "aki-generalized-time.pem", true },      /* notAfter in 2051 */
	{ "aki-rsa.pem", true },                   /* a longer public key to skip */
	{ "aki-no-keyid.pem", false },             /* issuer and serial only */
	{ "no-extensions.pem", false },
	{ "v1.pem", false },                       /* no version field */
	{ "../certcheck/leaf-ok.pem", true },
	{ "../certcheck/root.pem", false },
};

/* Texts that are no readable certificate. */
static const char *const not_certs[] = {
	"",
	"garbage",
	"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
	/* a SEQUENCE claiming more than there is */
	"-----BEGIN CERTIFICATE-----\nMIIBIjCB\n-----END CERTIFICATE-----\n",
	/* an empty SEQUENCE */
	"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n",
	/* a key, not a certificate */
	"-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n",
};

/* The contents of data file dir/file. Caller frees. */
static char *read_data(const char *file)
{
	char *path = test_data_file("certinfo", file), *text = NULL;
	FILE *f = fopen(path, "r");
	size_t n;

	if (f != NULL) {
		text = xcalloc(1, 65536);
		n = fread(text, 1, 65535, f);
		text[n] = '\0';
		fclose(f);
	}
	free(path);
	return text;
}

static void check_window(void)
{
	struct certinfo full, light;

	for (size_t i = 0; i < nitems(shapes); i++) {
		char *pem = read_data(shapes[i].file);

		CHECK(pem != NULL, "%s: cannot read", shapes[i].file);
		if (pem == NULL)
			continue;
		CHECK_INT(certinfo_parse(pem, shapes[i].file, &full), 0, shapes[i].file);
		CHECK_INT(certinfo_parse_window(pem, shapes[i].file, &light), 0, shapes[i].file);
		CHECK_INT(light.not_before, full.not_before, shapes[i].file);
		CHECK_INT(light.not_after, full.not_after, shapes[i].file);
		CHECK_STR(light.ari_id, full.ari_id, shapes[i].file);
		CHECK_STR(light.issuer, full.issuer, shapes[i].file);
		CHECK_INT(light.ari_id != NULL, shapes[i].ari, shapes[i].file);
		certinfo_clear(&full);
		certinfo_clear(&light);
		free(pem);
	}
	for (size_t i = 0; i < nitems(not_certs); i++) {
		char ctx[32];

		snprintf(ctx, sizeof(ctx), "not a certificate, row %zu", i);
		CHECK_INT(certinfo_parse_window(not_certs[i], "x.pem", &light), -1, ctx);
		CHECK_INT(err_kind(), ERR_STORAGE, ctx);
		CHECK(light.ari_id == NULL && light.not_after == 0, "%s: nothing kept", ctx);
		certinfo_clear(&light);
		err_clear();
	}
}

/* A PEM certificate whose issuer has no CN (O=no cn): self-signed, an
 * EC key. Caller frees. */
static char *issuer_without_cn(void)
{
	EVP_PKEY *key = key_generate(KEY_EC256);
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *pem = NULL;
	long len;

	if (key != NULL && x != NULL && name != NULL && b != NULL &&
	    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"no cn", -1, -1, 0) == 1 &&
	    X509_set_issuer_name(x, name) == 1 && X509_set_subject_name(x, name) == 1 &&
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) != NULL &&
	    X509_gmtime_adj(X509_getm_notAfter(x), DAY) != NULL &&
	    X509_set_pubkey(x, key) == 1 && X509_sign(x, key, EVP_sha256()) > 0 &&
	    PEM_write_bio_X509(b, x) == 1 && (len = BIO_get_mem_data(b, &data)) > 0)
		pem = xstrndup(data, (size_t)len);
	BIO_free(b);
	X509_NAME_free(name);
	X509_free(x);
	EVP_PKEY_free(key);
	return pem;
}

/* Chains of the data files (NO_CN: the certificate above; KEY: a key's
 * PEM block, which the walk steps over; JUNK: a CERTIFICATE block that is
 * none, where it stops): their issuer CNs "|"-joined, and the top one. */
#define NO_CN "no-cn"
#define KEY "key"
#define JUNK "junk"
static const struct {
	const char *files[4];
	const char *cns;
	const char *top;          /* NULL: none */
} chains[] = {
	{ { "../certcheck/leaf-ok.pem", "../certcheck/inter.pem", "../certcheck/root.pem" },
	  "certcheck test intermediate|certcheck test root|certcheck test root",
	  "certcheck test root" },
	{ { "../certcheck/leaf-ok.pem", "../certcheck/inter.pem" },
	  "certcheck test intermediate|certcheck test root", "certcheck test root" },
	{ { "aki.pem" }, "certinfo test CA", "certinfo test CA" },
	{ { "aki.pem", NO_CN }, "certinfo test CA|", NULL },
	{ { NO_CN, "aki.pem" }, "|certinfo test CA", "certinfo test CA" },
	{ { KEY, "v1.pem" }, "v1ca", "v1ca" },
	{ { "aki.pem", JUNK, "v1.pem" }, "certinfo test CA", "certinfo test CA" },
	{ { JUNK, "aki.pem" }, "", NULL },
	{ { KEY }, "", NULL },
};

static void check_chain_walk(void)
{
	char *no_cn = issuer_without_cn();

	CHECK(no_cn != NULL, "a certificate whose issuer has no CN");
	for (size_t i = 0; i < nitems(chains) && no_cn != NULL; i++) {
		char *pem = xstrdup(""), *part, *next, **cns, *joined, *top, ctx[48];

		for (size_t j = 0; j < nitems(chains[i].files) && chains[i].files[j]; j++) {
			const char *f = chains[i].files[j];

			part = strcmp(f, NO_CN) == 0 ? xstrdup(no_cn) :
			    strcmp(f, KEY) == 0 ? xstrdup(not_certs[nitems(not_certs) - 1]) :
			    strcmp(f, JUNK) == 0 ? read_data("../certcheck/not-a-cert.pem") :
			    read_data(f);
			CHECK(part != NULL, "chain %zu: %s", i, f);
			next = xasprintf("%s%s", pem, part ? part : "");
			free(part);
			free(pem);
			pem = next;
		}
		snprintf(ctx, sizeof(ctx), "chain %zu", i);
		cns = certinfo_chain_issuer_cns(pem);
		joined = str_join((const char *const *)cns, strv_len(cns), "|");
		top = certinfo_top_issuer_cn(pem);
		CHECK_STR(joined, chains[i].cns, ctx);
		CHECK_STR(top, chains[i].top, ctx);
		for (size_t k = 0; cns[k] != NULL; k++)
			CHECK(certinfo_chain_has_issuer_cn(pem, cns[k]) == (cns[k][0] != '\0'),
			    "chain %zu: issuer CN \"%s\" found", i, cns[k]);
		CHECK(!certinfo_chain_has_issuer_cn(pem, "certcheck test"), "chain %zu: a "
		    "prefix is not found", i);
		CHECK(!certinfo_chain_has_issuer_cn(pem, ""), "chain %zu: no CN is none", i);
		free(top);
		free(joined);
		strv_free(cns);
		free(pem);
	}
	free(no_cn);
}

int main(void)
{
	check_window();
	check_chain_walk();
	for (size_t i = 0; i < nitems(rows); i++) {
		char ctx[80];

		snprintf(ctx, sizeof(ctx), "row %zu: lifetime %ld s, age %ld s, days %ld", i,
		    rows[i].lifetime, rows[i].age, rows[i].days);
		CHECK_INT(cert_is_due(T0, T0 + rows[i].lifetime, T0 + rows[i].age,
		    rows[i].days), rows[i].due, ctx);
		/* cert_due_at names the boundary the row is on one side of */
		CHECK_INT(T0 + rows[i].age >= cert_due_at(T0, T0 + rows[i].lifetime,
		    rows[i].days), rows[i].due, ctx);
	}
	return test_done();
}
