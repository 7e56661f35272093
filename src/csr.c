/* csr.c - PKCS#10 certificate signing requests. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "b64url.h"
#include "csr.h"
#include "err.h"
#include "fileio.h"
#include "util.h"

/* A CSR is a few kilobytes even with hundreds of names. */
#define CSR_FILE_MAX ((size_t)1024 * 1024)

/* ub-common-name (RFC 5280 appendix A.1). */
#define CN_MAX 64

/* Parses an IPv4 or IPv6 literal into addr (16 bytes); returns its length
 * (4 or 16) or 0 when name is not an IP literal. */
static int ip_parse(const char *name, unsigned char *addr)
{
	if (inet_pton(AF_INET, name, addr) == 1)
		return 4;
	if (inet_pton(AF_INET6, name, addr) == 1)
		return 16;
	return 0;
}

/*
 * Building a request. The names were checked (name_ok) and the key by
 * key.c (RSA of at least its minimum size, EC P-256 or P-384): what OpenSSL
 * is asked to encode and sign it can refuse only when it cannot allocate,
 * which exits as the x* allocators do (oom).
 */

/* Appends the subjectAltName entry for name to gens: iPAddress for an IP
 * literal, else dNSName. */
static void san_push(GENERAL_NAMES *gens, const char *name)
{
	unsigned char addr[16];
	int addrlen = ip_parse(name, addr);
	ASN1_STRING *val = addrlen != 0 ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new();
	GENERAL_NAME *gn = GENERAL_NAME_new();

	if (val == NULL || gn == NULL || (addrlen != 0 ?
	    ASN1_STRING_set(val, addr, addrlen) : ASN1_STRING_set(val, name, -1)) != 1)
		oom();
	GENERAL_NAME_set0_value(gn, addrlen != 0 ? GEN_IPADD : GEN_DNS, val);
	if (sk_GENERAL_NAME_push(gens, gn) == 0)
		oom();
}

/* Adds the subjectAltName request extension for names to req. Critical
 * when the subject is empty (RFC 5280 4.2.1.6). */
static void add_san(X509_REQ *req, char *const *names, size_t nnames, bool critical)
{
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	X509_EXTENSION *ext;

	if (exts == NULL || gens == NULL)
		oom();
	for (size_t i = 0; i < nnames; i++)
		san_push(gens, names[i]);
	if ((ext = X509V3_EXT_i2d(NID_subject_alt_name, critical, gens)) == NULL ||
	    sk_X509_EXTENSION_push(exts, ext) == 0 || X509_REQ_add_extensions(req, exts) != 1)
		oom();
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	GENERAL_NAMES_free(gens);
}

/* True when name can go into a dNSName (IA5String) or an iPAddress: printable
 * ASCII without spaces. IDNs arrive here as A-labels. */
static bool name_ok(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;

	if (*p == '\0')
		return false;
	for (; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return false;
	return true;
}

char *csr_build(EVP_PKEY *key, char *const *names, size_t nnames)
{
	unsigned char addr[16], *der = NULL;
	X509_REQ *req;
	char *b64;
	bool has_cn;
	size_t i;
	int derlen;

	if (nnames == 0) {
		err_set(ERR_USAGE, "CSR: no names");
		return NULL;
	}
	for (i = 0; i < nnames; i++) {
		if (names[i] == NULL || !name_ok(names[i])) {
			err_set(ERR_USAGE, "CSR: name \"%s\" is empty or not "
			    "ASCII", names[i] != NULL ? names[i] : "");
			return NULL;
		}
	}
	/* CAs read a CN as a DNS name, so an IP literal stays out of it. */
	has_cn = strlen(names[0]) <= CN_MAX && ip_parse(names[0], addr) == 0;
	/* a CN of printable ASCII within CN_MAX: the UTF-8 conversion to
	 * commonName's string type refuses nothing */
	if ((req = X509_REQ_new()) == NULL ||
	    X509_REQ_set_version(req, X509_REQ_VERSION_1) != 1 ||
	    (has_cn && X509_NAME_add_entry_by_NID(X509_REQ_get_subject_name(req),
	    NID_commonName, MBSTRING_UTF8, (const unsigned char *)names[0], -1, -1, 0) != 1))
		oom();
	add_san(req, names, nnames, !has_cn);
	if (X509_REQ_set_pubkey(req, key) != 1 || X509_REQ_sign(req, key, EVP_sha256()) <= 0 ||
	    (derlen = i2d_X509_REQ(req, &der)) <= 0)
		oom();
	b64 = b64url_encode(der, (size_t)derlen);
	OPENSSL_free(der);
	X509_REQ_free(req);
	return b64;
}

/* Parses a PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST") or DER
 * CSR. NULL when it is neither; records nothing. */
static X509_REQ *csr_parse(const unsigned char *data, size_t len)
{
	const unsigned char *p = data;
	X509_REQ *req = NULL;
	BIO *bio;

	if (memmem(data, len, "-----BEGIN", 10) != NULL) {
		if ((bio = BIO_new_mem_buf(data, (int)len)) != NULL) {
			req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
			BIO_free(bio);
		}
	} else
		req = d2i_X509_REQ(NULL, &p, (long)len);
	ERR_clear_error();
	return req;
}

/* Appends a copy of name, lowercased, to the vector *v of *n entries. */
static void names_add(char ***v, size_t *n, const char *name, size_t len)
{
	char *s;
	size_t i;

	s = xstrndup(name, len);
	for (i = 0; s[i] != '\0'; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
	*v = xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

/* Adds an IP literal in the canonical inet_ntop form. */
static void names_add_ip(char ***v, size_t *n, const unsigned char *addr,
    int addrlen)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(addrlen == 4 ? AF_INET : AF_INET6, addr, buf, sizeof(buf));
	names_add(v, n, buf, strlen(buf));
}

/* Collects the dNSName and iPAddress entries of the CSR's subjectAltName.
 * Returns 0, or -1 with err set for a malformed entry. */
static int san_names(X509_REQ *req, const char *path, char ***v, size_t *n)
{
	STACK_OF(X509_EXTENSION) *exts;
	GENERAL_NAMES *gens = NULL;
	const GENERAL_NAME *gn;
	const unsigned char *data;
	int i, len, type, crit, rc = -1;

	if ((exts = X509_REQ_get_extensions(req)) == NULL)
		return 0;
	gens = X509V3_get_d2i(exts, NID_subject_alt_name, &crit, NULL);
	if (gens == NULL && crit != -1) {
		err_set(ERR_USAGE, "%s: malformed subjectAltName", path);
		goto out;
	}
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		gn = sk_GENERAL_NAME_value(gens, i);
		if (gn->type != GEN_DNS && gn->type != GEN_IPADD)
			continue;
		data = ASN1_STRING_get0_data(gn->d.ia5);
		len = ASN1_STRING_length(gn->d.ia5);
		type = gn->type;
		if (type == GEN_DNS &&
		    (len == 0 || memchr(data, '\0', (size_t)len) != NULL)) {
			err_set(ERR_USAGE, "%s: empty or malformed DNS name in "
			    "subjectAltName", path);
			goto out;
		}
		if (type == GEN_IPADD && len != 4 && len != 16) {
			err_set(ERR_USAGE, "%s: malformed IP address in "
			    "subjectAltName", path);
			goto out;
		}
		if (type == GEN_DNS)
			names_add(v, n, (const char *)data, (size_t)len);
		else
			names_add_ip(v, n, data, len);
	}
	rc = 0;
out:
	GENERAL_NAMES_free(gens);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return rc;
}

/* Collects the subject's commonName entries (IP literals made canonical).
 * Returns 0, or -1 with err set. */
static int cn_names(X509_REQ *req, const char *path, char ***v, size_t *n)
{
	const X509_NAME *subj = X509_REQ_get_subject_name(req);
	unsigned char addr[16], *utf8;
	int i = -1, len, addrlen;

	while ((i = X509_NAME_get_index_by_NID(subj, NID_commonName, i)) >= 0) {
		len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
		    X509_NAME_get_entry(subj, i)));
		if (len <= 0 || memchr(utf8, '\0', (size_t)len) != NULL) {
			if (len >= 0)
				OPENSSL_free(utf8);
			ERR_clear_error();
			err_set(ERR_USAGE, "%s: empty or malformed commonName",
			    path);
			return -1;
		}
		if ((addrlen = ip_parse((const char *)utf8, addr)) != 0)
			names_add_ip(v, n, addr, addrlen);
		else
			names_add(v, n, (const char *)utf8, (size_t)len);
		OPENSSL_free(utf8);
	}
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts v and drops duplicates in place; returns the new count. */
static size_t names_sort_unique(char **v, size_t n)
{
	size_t i, out = 0;

	qsort(v, n, sizeof(*v), name_cmp);
	for (i = 0; i < n; i++) {
		if (out > 0 && strcmp(v[out - 1], v[i]) == 0)
			free(v[i]);
		else
			v[out++] = v[i];
	}
	v[out] = NULL;
	return out;
}

char *csr_from_data(const unsigned char *data, size_t len, const char *path, char ***names)
{
	unsigned char *der = NULL;
	X509_REQ *req = NULL;
	EVP_PKEY *pub;
	char **v = NULL, *b64 = NULL;
	size_t n = 0;
	int derlen;

	*names = NULL;
	if ((req = csr_parse(data, len)) == NULL) {
		err_set(ERR_USAGE, "%s: not a PEM or DER certificate signing "
		    "request", path);
		goto out;
	}
	if ((pub = X509_REQ_get0_pubkey(req)) == NULL ||
	    X509_REQ_verify(req, pub) != 1) {
		ERR_clear_error();
		err_set(ERR_USAGE, "%s: CSR signature does not verify", path);
		goto out;
	}
	if (san_names(req, path, &v, &n) == -1 ||
	    cn_names(req, path, &v, &n) == -1)
		goto out;
	if (n == 0) {
		err_set(ERR_USAGE, "%s: CSR names no DNS name or IP address",
		    path);
		goto out;
	}
	names_sort_unique(v, n);
	/* a request OpenSSL decoded encodes again unless it cannot allocate */
	if ((derlen = i2d_X509_REQ(req, &der)) <= 0)
		oom();
	b64 = b64url_encode(der, (size_t)derlen);
	*names = v;
	v = NULL;
out:
	strv_free(v);
	OPENSSL_free(der);
	X509_REQ_free(req);
	return b64;
}

char *csr_load(const char *path, char ***names)
{
	unsigned char *data;
	char *b64;
	size_t len;

	*names = NULL;
	if ((data = (unsigned char *)file_read(path, CSR_FILE_MAX, ERR_USAGE, &len)) == NULL)
		return NULL;
	b64 = csr_from_data(data, len, path, names);
	free(data);
	return b64;
}
