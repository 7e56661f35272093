/* certsecret.c - the key, CSR and Secret cert-manager makes for a
 * Certificate (see cmsecret.h). */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "b64url.h"
#include "cmsecret.h"
#include "err.h"
#include "key.h"
#include "util.h"

static const char *curve_of(int size)
{
	return size == 0 || size == 256 ? "P-256" : size == 384 ? "P-384" :
	    size == 521 ? "P-521" : NULL;
}

EVP_PKEY *cm_key_generate(const struct cm_certificate *c)
{
	EVP_PKEY *key = NULL;
	int size = c->key_size;

	if (strcmp(c->key_algorithm, "Ed25519") == 0) {
		key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	} else if (strcmp(c->key_algorithm, "ECDSA") == 0) {
		if (curve_of(size) == NULL) {
			err_set(ERR_USAGE, "unsupported ecdsa keysize specified: %d", size);
			return NULL;
		}
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve_of(size));
	} else {
		if (size == 0)
			size = 2048;
		if (size < 2048 || size > 8192) {
			err_set(ERR_USAGE, "RSA key size %d: cert-manager generates 2048 to 8192 bits",
			    size);
			return NULL;
		}
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)size);
	}
	if (key == NULL)
		err_set(ERR_USAGE, "cannot generate a %s key", c->key_algorithm);
	return key;
}

/* The curve name of an EC key ("P-256"), or "". */
static void ec_curve(EVP_PKEY *key, char *buf, size_t len)
{
	size_t got = 0;

	buf[0] = '\0';
	if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, buf, len, &got) != 1)
		buf[0] = '\0';
	if (strcmp(buf, "prime256v1") == 0)
		snprintf(buf, len, "P-256");
	else if (strcmp(buf, "secp384r1") == 0)
		snprintf(buf, len, "P-384");
	else if (strcmp(buf, "secp521r1") == 0)
		snprintf(buf, len, "P-521");
}

bool cm_key_matches(const struct cm_certificate *c, EVP_PKEY *key)
{
	char curve[32];

	if (strcmp(c->key_algorithm, "Ed25519") == 0)
		return EVP_PKEY_is_a(key, "ED25519");
	if (strcmp(c->key_algorithm, "ECDSA") == 0) {
		if (!EVP_PKEY_is_a(key, "EC") || curve_of(c->key_size) == NULL)
			return false;
		ec_curve(key, curve, sizeof(curve));
		return strcmp(curve, curve_of(c->key_size)) == 0;
	}
	return EVP_PKEY_is_a(key, "RSA") &&
	    EVP_PKEY_get_bits(key) == (c->key_size != 0 ? c->key_size : 2048);
}

char *cm_key_pem(const struct cm_certificate *c, EVP_PKEY *key, size_t *len)
{
	bool pkcs8 = strcmp(c->key_encoding, "PKCS8") == 0 || EVP_PKEY_is_a(key, "ED25519");
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *pem = NULL;
	long n;

	if (bio != NULL && (pkcs8 ? PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) :
	    PEM_write_bio_PrivateKey_traditional(bio, key, NULL, NULL, 0, NULL, NULL)) == 1 &&
	    (n = BIO_get_mem_data(bio, &data)) > 0) {
		pem = xmalloc((size_t)n + 1);
		memcpy(pem, data, (size_t)n);
		pem[n] = '\0';
		*len = (size_t)n;
	} else {
		err_set(ERR_USAGE, "cannot encode the private key as %s", c->key_encoding);
	}
	if (bio != NULL) {
		if (BIO_get_mem_data(bio, &data) > 0)
			OPENSSL_cleanse(data, (size_t)BIO_get_mem_data(bio, &data));
		BIO_free(bio);
	}
	return pem;
}

/* The names of one type in the leaf's subjectAltName, joined by ",". */
static char *leaf_sans(X509 *leaf, int type)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	char *out = xstrdup(""), ip[INET6_ADDRSTRLEN], *next;
	const char *v;

	for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		ASN1_OCTET_STRING *o = g->d.iPAddress;

		if (g->type != type)
			continue;
		if (type == GEN_IPADD)
			v = inet_ntop(o->length == 4 ? AF_INET : AF_INET6, o->data, ip, sizeof(ip));
		else
			v = (const char *)ASN1_STRING_get0_data(g->d.ia5);
		if (v == NULL)
			continue;
		next = xasprintf("%s%s%s", out, out[0] ? "," : "", v);
		free(out);
		out = next;
	}
	GENERAL_NAMES_free(gens);
	return out;
}

static char *leaf_cn(X509 *leaf)
{
	char buf[256];

	if (X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName, buf,
	    sizeof(buf)) < 0)
		buf[0] = '\0';
	return xstrdup(buf);
}

/* s as a YAML double-quoted scalar (JSON's string syntax). Caller frees. */
static char *quoted(const char *s)
{
	json_t *j = json_string(s != NULL ? s : "");
	char *out = j != NULL ? json_dumps(j, JSON_ENCODE_ANY) : NULL;

	json_decref(j);
	return out != NULL ? out : xstrdup("\"\"");
}

/* Appends "<indent>key: \"value\"\n" to fp. */
static void yaml_kv(FILE *fp, const char *indent, const char *key, const char *value)
{
	char *q = quoted(value);

	fprintf(fp, "%s%s: %s\n", indent, key, q);
	free(q);
}

static void write_annotations(FILE *fp, const struct cm_certificate *c, X509 *leaf)
{
	char *cn = leaf_cn(leaf), *dns = leaf_sans(leaf, GEN_DNS);
	char *ips = leaf_sans(leaf, GEN_IPADD), *uris = leaf_sans(leaf, GEN_URI);
	char *emails = leaf_sans(leaf, GEN_EMAIL);

	/* sorted by key, as the API server returns them */
	fprintf(fp, "  annotations:\n");
	yaml_kv(fp, "    ", "cert-manager.io/alt-names", dns);
	yaml_kv(fp, "    ", "cert-manager.io/certificate-name", c->name);
	yaml_kv(fp, "    ", "cert-manager.io/common-name", cn);
	if (emails[0] != '\0')
		yaml_kv(fp, "    ", "cert-manager.io/email-sans", emails);
	yaml_kv(fp, "    ", "cert-manager.io/ip-sans", ips);
	yaml_kv(fp, "    ", "cert-manager.io/issuer-group", c->issuer_group);
	yaml_kv(fp, "    ", "cert-manager.io/issuer-kind", c->issuer_kind);
	yaml_kv(fp, "    ", "cert-manager.io/issuer-name", c->issuer_name);
	yaml_kv(fp, "    ", "cert-manager.io/uri-sans", uris);
	free(cn);
	free(dns);
	free(ips);
	free(uris);
	free(emails);
}

static X509 *read_leaf(const char *fullchain)
{
	BIO *bio = BIO_new_mem_buf(fullchain, -1);
	X509 *leaf = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	if (leaf == NULL)
		err_set(ERR_ACME, "the certificate the CA issued cannot be read");
	return leaf;
}

char *cm_secret_yaml(const struct cm_certificate *c, const struct cm_version *v,
    const char *fullchain, const char *key_pem, size_t key_len, size_t *len)
{
	static const struct cm_version v1_12 = { 1, 12, 0 };
	X509 *leaf = read_leaf(fullchain);
	char *crt, *key, *text = NULL;
	FILE *fp;

	if (leaf == NULL)
		return NULL;
	crt = b64_std_encode(fullchain, strlen(fullchain));
	key = b64_std_encode(key_pem, key_len);
	if ((fp = open_memstream(&text, len)) == NULL) {
		err_set(ERR_STORAGE, "cannot build the Secret");
	} else {
		fprintf(fp, "apiVersion: v1\nkind: Secret\nmetadata:\n");
		yaml_kv(fp, "  ", "name", c->secret_name);
		if (c->namespace != NULL)
			yaml_kv(fp, "  ", "namespace", c->namespace);
		write_annotations(fp, c, leaf);
		if (cm_version_cmp(v, &v1_12) >= 0)
			fprintf(fp, "  labels:\n    controller.cert-manager.io/fao: \"true\"\n");
		fprintf(fp, "type: kubernetes.io/tls\ndata:\n  tls.crt: %s\n  tls.key: %s\n", crt, key);
		fclose(fp);
	}
	free(crt);
	key_pem_free(key, strlen(key));
	X509_free(leaf);
	return text;
}
