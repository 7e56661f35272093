/* certcheck.c - what the CA returned, checked against what was asked for,
 * before it replaces anything: the order's identifiers, and the issued
 * certificate's key, names, validity and chain. */
#include "config.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "b64url.h"
#include "certcheck.h"
#include "err.h"
#include "ident.h"
#include "util.h"

#define CERT_PREFIX "the CA returned a certificate that "

/* An identifier the CA named: a DNS name, an IP address, or something
 * else (which matches no requested name). */
struct named {
	bool dns, ip;
	const char *text;             /* as shown in messages; borrowed or in shown */
	size_t text_len;
	unsigned char addr[16];
	size_t addr_len;              /* 4 or 16 for ip; 0 when unparsable */
	char shown[INET6_ADDRSTRLEN]; /* the text of a certificate's IP address */
};

/* Parses an IP literal into addr; its length, or 0 when it is none. */
static size_t parse_ip(const char *s, unsigned char addr[16])
{
	if (inet_pton(AF_INET, s, addr) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, addr) == 1)
		return 16;
	return 0;
}

/* True when the requested name is what the CA named. */
static bool same_name(const char *name, const struct named *got)
{
	unsigned char addr[16];

	if (ident_is_ip(name))
		return got->ip && got->addr_len == parse_ip(name, addr) &&
		    memcmp(addr, got->addr, got->addr_len) == 0;
	return got->dns && strlen(name) == got->text_len &&
	    strncasecmp(name, got->text, got->text_len) == 0;
}

/* Compares the set of names asked for with the got[0..k-1] the CA named.
 * 0, or -1 with ERR_ACME: "<prefix>names X, which was not asked for" or
 * "<prefix>lacks Y". */
static int same_set(const char *prefix, char *const *names, size_t n,
    const struct named *got, size_t k)
{
	char *shown;
	size_t i, j;

	for (j = 0; j < k; j++) {
		for (i = 0; i < n && !same_name(names[i], &got[j]); i++)
			;
		if (i == n) {
			shown = str_sanitize_mem(got[j].text, got[j].text_len);
			err_set(ERR_ACME, "%snames %s, which was not asked for", prefix, shown);
			free(shown);
			return -1;
		}
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < k && !same_name(names[i], &got[j]); j++)
			;
		if (j == k) {
			err_set(ERR_ACME, "%slacks %s", prefix, names[i]);
			return -1;
		}
	}
	return 0;
}

int certcheck_order(json_t *order, char *const *names, size_t n)
{
	json_t *ids = json_object_get(order, "identifiers"), *id;
	size_t k = json_array_size(ids), nauthz;
	struct named *got;
	int rc = -1;
	size_t i;

	nauthz = json_array_size(json_object_get(order, "authorizations"));
	if (nauthz > n) {
		err_set(ERR_ACME, "the CA's order lists %zu authorizations for %zu %s",
		    nauthz, n, n == 1 ? "identifier" : "identifiers");
		return -1;
	}
	if (!json_is_array(ids)) {
		err_set(ERR_ACME, "the CA's order has no list of identifiers");
		return -1;
	}
	got = xcalloc(k ? k : 1, sizeof(*got));
	json_array_foreach(ids, i, id) {
		const char *type = json_string_value(json_object_get(id, "type"));
		json_t *value = json_object_get(id, "value");

		if (type == NULL || !json_is_string(value)) {
			err_set(ERR_ACME, "the CA's order has an identifier without type or value");
			goto out;
		}
		got[i].dns = strcmp(type, "dns") == 0;
		got[i].ip = strcmp(type, "ip") == 0;
		got[i].text = json_string_value(value);
		got[i].text_len = json_string_length(value);
		if (got[i].ip)
			got[i].addr_len = parse_ip(got[i].text, got[i].addr);
	}
	rc = same_set("the CA's order ", names, n, got, k);
out:
	free(got);
	return rc;
}

/* Records "the CA returned a certificate that <reason>". Always -1. */
static int refuse(const char *reason)
{
	err_set(ERR_ACME, CERT_PREFIX "%s", reason);
	return -1;
}

/* The public key of a base64url DER CSR, or NULL. Caller frees. */
static EVP_PKEY *csr_key(const char *csr_b64url)
{
	size_t len;
	unsigned char *der = b64url_decode(csr_b64url, &len);
	const unsigned char *p = der;
	X509_REQ *req = der ? d2i_X509_REQ(NULL, &p, (long)len) : NULL;
	EVP_PKEY *key = req ? X509_REQ_get_pubkey(req) : NULL;

	X509_REQ_free(req);
	free(der);
	return key;
}

/* Checks the leaf's key against key, the one the CSR was signed with, or
 * when the caller has none (--csr) against the CSR's. 0 or -1 with err. */
static int check_key(X509 *leaf, EVP_PKEY *key, const char *csr_b64url)
{
	EVP_PKEY *decoded = key == NULL ? csr_key(csr_b64url) : NULL;
	EVP_PKEY *want = key != NULL ? key : decoded;
	int same = want != NULL && EVP_PKEY_eq(X509_get0_pubkey(leaf), want) == 1;

	EVP_PKEY_free(decoded);
	return same ? 0 : refuse("is for another public key than the CSR's");
}

/* Checks the leaf's subjectAltNames against the names. 0 or -1 with err. */
static int check_names(X509 *leaf, char *const *names, size_t n)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	int k = gens ? sk_GENERAL_NAME_num(gens) : 0, rc;
	struct named *got = xcalloc(k > 0 ? (size_t)k : 1, sizeof(*got));
	static const char other[] = "an entry that is neither a DNS name nor an IP address";

	for (int i = 0; i < k; i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_STRING *s = g->type == GEN_DNS ? g->d.dNSName :
		    g->type == GEN_IPADD ? g->d.iPAddress : NULL;
		size_t len = s ? (size_t)ASN1_STRING_length(s) : 0;

		got[i].text = other;
		got[i].text_len = strlen(other);
		if (g->type == GEN_DNS) {
			got[i].dns = true;
			got[i].text = (const char *)ASN1_STRING_get0_data(s);
			got[i].text_len = len;
		} else if (g->type == GEN_IPADD && (len == 4 || len == 16)) {
			got[i].ip = true;
			got[i].addr_len = len;
			memcpy(got[i].addr, ASN1_STRING_get0_data(s), len);
			inet_ntop(len == 4 ? AF_INET : AF_INET6, got[i].addr, got[i].shown,
			    sizeof(got[i].shown));
			got[i].text = got[i].shown;
			got[i].text_len = strlen(got[i].shown);
		}
	}
	rc = same_set(CERT_PREFIX, names, n, got, (size_t)k);
	free(got);
	GENERAL_NAMES_free(gens);
	return rc;
}

/* Checks that the leaf is valid at now (with the skew). 0 or -1 with err. */
static int check_validity(X509 *leaf, time_t now)
{
	time_t soon = now + CERTCHECK_SKEW_S;
	char when[64], *why;
	struct tm tm;
	int rc;

	if (X509_cmp_time(X509_get0_notBefore(leaf), &soon) > 0) {
		if (ASN1_TIME_to_tm(X509_get0_notBefore(leaf), &tm) != 1)
			return refuse("has an unreadable notBefore");
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		why = xasprintf("is not valid until %s", when);
	} else if (X509_cmp_time(X509_get0_notAfter(leaf), &now) <= 0) {
		if (ASN1_TIME_to_tm(X509_get0_notAfter(leaf), &tm) != 1)
			return refuse("has an unreadable notAfter");
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		why = xasprintf("expired at %s", when);
	} else {
		return 0;
	}
	rc = refuse(why);
	free(why);
	return rc;
}

/* Appends the certificates of a PEM text to *v (count in *n), each block
 * parsed on its own, so one bad block does not hide the ones after it.
 * Returns the number (in *v) the first block that does not parse would
 * have, plus 1; 0 when every block parses. */
static size_t read_certs(const char *pem, X509 ***v, size_t *n)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	size_t bad = 0;
	BIO *b;
	X509 *x;

	for (const char *p = pem; (p = strstr(p, begin)) != NULL; p += strlen(begin)) {
		b = BIO_new_mem_buf(p, -1);
		x = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
		BIO_free(b);
		if (x == NULL) {
			ERR_clear_error();
			if (bad == 0)
				bad = *n + 1;
			continue;
		}
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = x;
	}
	return bad;
}

/* Why v[0..n-1] is not a chain in which each certificate is issued and
 * signed by the next ("that does not link: ..." or "whose signatures do
 * not verify: ..."), or NULL when it is. Caller frees. */
static char *broken_link(X509 *const *v, size_t n)
{
	char *why, *issuer, *subject;

	for (size_t i = 0; i + 1 < n; i++) {
		if (X509_NAME_cmp(X509_get_issuer_name(v[i]), X509_get_subject_name(v[i + 1])) != 0) {
			issuer = X509_NAME_oneline(X509_get_issuer_name(v[i]), NULL, 0);
			subject = X509_NAME_oneline(X509_get_subject_name(v[i + 1]), NULL, 0);
			why = xasprintf("that does not link: certificate %zu names the issuer %s, "
			    "certificate %zu is %s", i + 1, issuer ? issuer : "?", i + 2,
			    subject ? subject : "?");
			OPENSSL_free(issuer);
			OPENSSL_free(subject);
			return why;
		}
		if (X509_verify(v[i], X509_get0_pubkey(v[i + 1])) != 1) {
			ERR_clear_error();
			return xasprintf("whose signatures do not verify: certificate %zu is not "
			    "signed by the key of certificate %zu", i + 1, i + 2);
		}
	}
	return NULL;
}

/* Checks that each certificate of v[0..n-1] is issued and signed by the
 * next. 0 or -1 with err. */
static int check_links(X509 *const *v, size_t n)
{
	char *broken = broken_link(v, n), *why;
	int rc;

	if (broken == NULL)
		return 0;
	why = xasprintf("comes with a chain %s", broken);
	rc = refuse(why);
	free(why);
	free(broken);
	return rc;
}

int certcheck_issued(const char *leaf, const char *chain, EVP_PKEY *key,
    const char *csr_b64url, char *const *names, size_t n, time_t now)
{
	X509 **v = NULL;
	size_t nv = 0, bad;
	char *why;
	int rc = -1;

	if (read_certs(leaf, &v, &nv) > 0 || nv != 1) {
		refuse("is not a certificate");
		goto out;
	}
	if (check_key(v[0], key, csr_b64url) != 0 || check_names(v[0], names, n) != 0 ||
	    check_validity(v[0], now) != 0)
		goto out;
	if ((bad = read_certs(chain ? chain : "", &v, &nv)) > 0) {
		why = xasprintf("comes with a chain whose certificate %zu does not parse", bad);
		refuse(why);
		free(why);
		goto out;
	}
	rc = check_links(v, nv);
out:
	for (size_t i = 0; i < nv; i++)
		X509_free(v[i]);
	free(v);
	return rc;
}

int certcheck_alternate(const char *leaf, const char *alternate, size_t len)
{
	X509 **v = NULL, **issued = NULL;
	size_t nv = 0, ni = 0, bad;
	char *broken;
	int rc = -1;

	if (len > CERTCHECK_CHAIN_MAX) {
		err_set(ERR_ACME, "is %zu bytes, more than the %d KiB a chain may take", len,
		    CERTCHECK_CHAIN_MAX / 1024);
		goto out;
	}
	if ((bad = read_certs(alternate, &v, &nv)) > 0) {
		err_set(ERR_ACME, "is a chain whose certificate %zu does not parse", bad);
		goto out;
	}
	if (nv == 0) {
		err_set(ERR_ACME, "holds no PEM certificate");
		goto out;
	}
	if (read_certs(leaf, &issued, &ni) > 0 || ni != 1 || X509_cmp(v[0], issued[0]) != 0) {
		err_set(ERR_ACME, "does not begin with the certificate issued");
		goto out;
	}
	if ((broken = broken_link(v, nv)) != NULL) {
		err_set(ERR_ACME, "is a chain %s", broken);
		free(broken);
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < nv; i++)
		X509_free(v[i]);
	for (size_t i = 0; i < ni; i++)
		X509_free(issued[i]);
	free(v);
	free(issued);
	return rc;
}
