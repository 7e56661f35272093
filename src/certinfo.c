/* certinfo.c - validity window and names of an issued certificate. */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ari.h"
#include "certinfo.h"
#include "err.h"
#include "util.h"

/* Converts an ASN1_TIME to time_t. 0 or -1. */
static int asn1_to_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*out = timegm(&tm);
	return 0;
}

/* Collects the SAN names of x (DNS and IP) into a NULL-terminated array. */
static char **san_names(X509 *x)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int n = gens ? sk_GENERAL_NAME_num(gens) : 0, k = 0;
	char **names = xcalloc((size_t)n + 1, sizeof(*names));

	for (int i = 0; i < n; i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (g->type == GEN_DNS) {
			names[k++] = xstrndup((const char *)ASN1_STRING_get0_data(g->d.dNSName),
			    (size_t)ASN1_STRING_length(g->d.dNSName));
		} else if (g->type == GEN_IPADD) {
			const unsigned char *ip = ASN1_STRING_get0_data(g->d.iPAddress);
			int len = ASN1_STRING_length(g->d.iPAddress);
			char text[INET6_ADDRSTRLEN];

			if ((len == 4 || len == 16) &&
			    inet_ntop(len == 4 ? AF_INET : AF_INET6, ip, text, sizeof(text)) != NULL)
				names[k++] = xstrdup(text);
		}
	}
	GENERAL_NAMES_free(gens);
	return names;
}

int certinfo_parse(const char *pem, const char *what, struct certinfo *out)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = NULL;
	BIGNUM *bn = NULL;
	char *hex = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (b == NULL || (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL) {
		err_set(ERR_STORAGE, "%s: not a PEM certificate", what);
		goto out;
	}
	if (asn1_to_time(X509_get0_notBefore(x), &out->not_before) != 0 ||
	    asn1_to_time(X509_get0_notAfter(x), &out->not_after) != 0) {
		err_set(ERR_STORAGE, "%s: unreadable validity dates", what);
		goto out;
	}
	out->names = san_names(x);
	out->ari_id = ari_x509_id(x);
	out->issuer = X509_NAME_oneline(X509_get_issuer_name(x), NULL, 0);
	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) != NULL &&
	    (hex = BN_bn2hex(bn)) != NULL)
		out->serial = xstrdup(hex);
	rc = 0;
out:
	OPENSSL_free(hex);
	BN_free(bn);
	X509_free(x);
	BIO_free(b);
	return rc;
}

void certinfo_clear(struct certinfo *ci)
{
	strv_free(ci->names);
	OPENSSL_free(ci->issuer);
	free(ci->serial);
	free(ci->ari_id);
	memset(ci, 0, sizeof(*ci));
}

bool cert_is_due(time_t not_before, time_t not_after, time_t now, long days)
{
	time_t lifetime = not_after - not_before, left = not_after - now;

	if (days >= 0)
		return left < (time_t)days * 86400;
	if (lifetime <= 10 * 86400)
		return left < lifetime / 2;
	return left < lifetime / 3;
}

char *certinfo_top_issuer_cn(const char *pem_chain)
{
	BIO *b = BIO_new_mem_buf(pem_chain, -1);
	X509 *x, *last = NULL;
	char buf[256], *cn = NULL;

	if (b == NULL)
		return NULL;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		X509_free(last);
		last = x;
	}
	ERR_clear_error();
	if (last != NULL && X509_NAME_get_text_by_NID(X509_get_issuer_name(last),
	    NID_commonName, buf, sizeof(buf)) > 0)
		cn = xstrdup(buf);
	X509_free(last);
	BIO_free(b);
	return cn;
}
