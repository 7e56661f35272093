/* certinfo.c - validity window and names of an issued certificate. */
#include "config.h"

#include <arpa/inet.h>
#include <stdbool.h>
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

/* The next TLV of the DER text at *p (avail bytes left): when it is of
 * class xclass and tag (constructed or not as asked), *content and *len
 * are its content, *p moves past it and avail shrinks. -1 for anything
 * else, including a length running past the text. */
static int der_next(const unsigned char **p, long *avail, int xclass, int tag,
    bool constructed, const unsigned char **content, long *len)
{
	const unsigned char *q = *p;
	int got_tag, got_class, flags;

	if (*avail <= 0)
		return -1;
	/* 0x80: an error; 0x20: constructed; 0x01: indefinite length (not DER) */
	flags = ASN1_get_object(&q, len, &got_tag, &got_class, *avail);
	if ((flags & 0x81) != 0 || got_tag != tag || got_class != xclass ||
	    ((flags & 0x20) != 0) != constructed)
		return -1;
	*content = q;
	*avail -= (long)(q - *p) + *len;
	*p = q + *len;
	return 0;
}

/* Skips the next TLV when it is of the given context-specific tag (an
 * optional field). */
static void der_skip_context(const unsigned char **p, long *avail, int tag)
{
	const unsigned char *c;
	long len;

	der_next(p, avail, V_ASN1_CONTEXT_SPECIFIC, tag, true, &c, &len);
}

/* The keyIdentifier of the one Authority Key Identifier among the
 * extensions (the content of TBSCertificate's [3]), as X509 parsing finds
 * it: NULL when there is none, more than one, or it does not decode.
 * Caller ASN1_OCTET_STRING_free()s. */
static ASN1_OCTET_STRING *der_aki_keyid(const unsigned char *ext, long avail)
{
	static const unsigned char aki_oid[] = { 0x55, 0x1d, 0x23 }; /* 2.5.29.35 */
	const unsigned char *seq, *e, *oid, *val, *c;
	long seq_len, e_len, oid_len, val_len, len;
	AUTHORITY_KEYID *akid = NULL;
	ASN1_OCTET_STRING *keyid = NULL;
	int found = 0;

	if (der_next(&ext, &avail, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true, &seq, &seq_len) != 0)
		return NULL;
	while (seq_len > 0) {
		if (der_next(&seq, &seq_len, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true, &e,
		    &e_len) != 0 ||
		    der_next(&e, &e_len, V_ASN1_UNIVERSAL, V_ASN1_OBJECT, false, &oid, &oid_len) != 0)
			goto fail;
		if (oid_len != sizeof(aki_oid) || memcmp(oid, aki_oid, sizeof(aki_oid)) != 0)
			continue;
		/* critical BOOLEAN, DEFAULT FALSE */
		der_next(&e, &e_len, V_ASN1_UNIVERSAL, V_ASN1_BOOLEAN, false, &c, &len);
		if (der_next(&e, &e_len, V_ASN1_UNIVERSAL, V_ASN1_OCTET_STRING, false, &val,
		    &val_len) != 0 || found++ > 0)
			goto fail;
		AUTHORITY_KEYID_free(akid);
		akid = d2i_AUTHORITY_KEYID(NULL, &val, val_len);
	}
	if (akid != NULL && akid->keyid != NULL) {
		keyid = akid->keyid;
		akid->keyid = NULL;
	}
fail:
	AUTHORITY_KEYID_free(akid);
	ERR_clear_error();
	return keyid;
}

/* Reads the issuer, validity and ARI identifier of the DER certificate der. */
static int der_window(const unsigned char *der, long avail, struct certinfo *out)
{
	const unsigned char *cert, *tbs, *t, *c;
	long cert_len, tbs_len, len;
	X509_NAME *issuer = NULL;
	ASN1_INTEGER *serial = NULL;
	ASN1_OCTET_STRING *keyid = NULL;
	ASN1_TIME *nb = NULL, *na = NULL;
	int rc = -1;

	if (der_next(&der, &avail, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true, &cert, &cert_len) != 0 ||
	    der_next(&cert, &cert_len, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true, &tbs, &tbs_len) != 0)
		return -1;
	der_skip_context(&tbs, &tbs_len, 0);   /* version */
	t = tbs;
	if (der_next(&tbs, &tbs_len, V_ASN1_UNIVERSAL, V_ASN1_INTEGER, false, &c, &len) != 0 ||
	    (serial = d2i_ASN1_INTEGER(NULL, &t, tbs - t)) == NULL ||
	    der_next(&tbs, &tbs_len, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true, &c, &len) != 0)
		goto out;                          /* signature algorithm */
	t = tbs;
	if (der_next(&tbs, &tbs_len, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true, &c, &len) != 0 ||
	    (issuer = d2i_X509_NAME(NULL, &t, tbs - t)) == NULL ||
	    (out->issuer = X509_NAME_oneline(issuer, NULL, 0)) == NULL)
		goto out;
	if (der_next(&tbs, &tbs_len, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true, &c, &len) != 0)
		goto out;                          /* validity */
	t = c;
	if ((nb = d2i_ASN1_TIME(NULL, &t, len)) == NULL ||
	    (na = d2i_ASN1_TIME(NULL, &t, len - (long)(t - c))) == NULL)
		goto out;
	if (asn1_to_time(nb, &out->not_before) != 0 || asn1_to_time(na, &out->not_after) != 0)
		goto out;
	if (der_next(&tbs, &tbs_len, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true, &c, &len) != 0 ||
	    der_next(&tbs, &tbs_len, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true, &c, &len) != 0)
		goto out;                          /* subject, public key */
	der_skip_context(&tbs, &tbs_len, 1);   /* issuerUniqueID */
	der_skip_context(&tbs, &tbs_len, 2);   /* subjectUniqueID */
	if (der_next(&tbs, &tbs_len, V_ASN1_CONTEXT_SPECIFIC, 3, true, &c, &len) == 0)
		keyid = der_aki_keyid(c, len);
	out->ari_id = ari_id_of(keyid, serial);
	rc = 0;
out:
	ASN1_OCTET_STRING_free(keyid);
	X509_NAME_free(issuer);
	ASN1_INTEGER_free(serial);
	ASN1_TIME_free(nb);
	ASN1_TIME_free(na);
	ERR_clear_error();
	return rc;
}

int certinfo_parse_window(const char *pem, const char *what, struct certinfo *out)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	unsigned char *der = NULL;
	char *name = NULL;
	long len = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (b == NULL || PEM_bytes_read_bio(&der, &len, &name, PEM_STRING_X509, b, NULL,
	    NULL) != 1) {
		err_set(ERR_STORAGE, "%s: not a PEM certificate", what);
		goto out;
	}
	if (der_window(der, len, out) != 0) {
		certinfo_clear(out);
		err_set(ERR_STORAGE, "%s: not a readable certificate", what);
		goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	OPENSSL_free(der);
	OPENSSL_free(name);
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

time_t cert_due_at(time_t not_before, time_t not_after, long days)
{
	time_t lifetime = not_after - not_before, margin;

	if (days >= 0)
		margin = (time_t)days * 86400;
	else
		margin = lifetime <= 10 * 86400 ? lifetime / 2 : lifetime / 3;
	/* due once fewer than margin seconds are left: "left < margin" */
	return not_after - margin + 1;
}

char **certinfo_chain_issuer_cns(const char *pem_chain)
{
	BIO *b = BIO_new_mem_buf(pem_chain, -1);
	char **cns = xcalloc(1, sizeof(*cns)), buf[256];
	size_t n = 0;
	X509 *x;

	while (b != NULL && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (X509_NAME_get_text_by_NID(X509_get_issuer_name(x), NID_commonName, buf,
		    sizeof(buf)) <= 0)
			buf[0] = '\0';
		X509_free(x);
		cns = xrealloc(cns, (n + 2) * sizeof(*cns));
		cns[n++] = xstrdup(buf);
		cns[n] = NULL;
	}
	ERR_clear_error();
	BIO_free(b);
	return cns;
}

char *certinfo_top_issuer_cn(const char *pem_chain)
{
	char **cns = certinfo_chain_issuer_cns(pem_chain), *cn = NULL;
	size_t n = strv_len(cns);

	if (n > 0 && cns[n - 1][0] != '\0')
		cn = xstrdup(cns[n - 1]);
	strv_free(cns);
	return cn;
}

bool certinfo_chain_has_issuer_cn(const char *pem_chain, const char *cn)
{
	char **cns = certinfo_chain_issuer_cns(pem_chain);
	bool found = false;

	for (size_t i = 0; cns[i] != NULL && !found; i++)
		found = cns[i][0] != '\0' && strcmp(cns[i], cn) == 0;
	strv_free(cns);
	return found;
}
