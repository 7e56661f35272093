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
#include <openssl/err.h>
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

/* The first violation PrivateKeyMatchesSpec reports for key, or NULL. */
static const char *key_violation(const struct cm_certificate *c, EVP_PKEY *key)
{
	const char *want = EVP_PKEY_is_a(key, "RSA") ? "RSA" : EVP_PKEY_is_a(key, "EC") ?
	    "ECDSA" : EVP_PKEY_is_a(key, "ED25519") ? "Ed25519" : "";
	int size = c->key_size;

	if (strcmp(want, c->key_algorithm) != 0)
		return "spec.privateKey.algorithm";
	if (strcmp(want, "Ed25519") == 0)
		return NULL;
	if (size == 0)
		size = strcmp(want, "RSA") == 0 ? 2048 : 256;
	return EVP_PKEY_get_bits(key) != size ? "spec.privateKey.size" : NULL;
}

/* The curves Go's x509 parses. */
static bool go_curve(EVP_PKEY *key)
{
	char curve[32];

	ec_curve(key, curve, sizeof(curve));
	return strcmp(curve, "P-256") == 0 || strcmp(curve, "P-384") == 0 ||
	    strcmp(curve, "P-521") == 0 || strcmp(curve, "secp224r1") == 0;
}

/* One PEM block's DER as Go's parsers for its type read it; NULL with *why. */
static EVP_PKEY *decode_block(const char *type, const unsigned char *der, long len,
    const char **why)
{
	const unsigned char *p = der;
	PKCS8_PRIV_KEY_INFO *p8;
	EVP_PKEY *key = NULL;
	EVP_PKEY_CTX *ctx;

	if (strcmp(type, "PRIVATE KEY") == 0) {
		if ((p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, len)) != NULL)
			key = EVP_PKCS82PKEY(p8);
		PKCS8_PRIV_KEY_INFO_free(p8);
		*why = "error parsing pkcs#8 private key";
		if (key != NULL && !EVP_PKEY_is_a(key, "RSA") && !EVP_PKEY_is_a(key, "EC") &&
		    !EVP_PKEY_is_a(key, "ED25519")) {
			EVP_PKEY_free(key);
			return NULL;
		}
	} else if (strcmp(type, "EC PRIVATE KEY") == 0) {
		key = d2i_PrivateKey(EVP_PKEY_EC, NULL, &p, len);
		*why = "error parsing ecdsa private key";
	} else if (strcmp(type, "RSA PRIVATE KEY") == 0) {
		key = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, len);
		*why = "error parsing rsa private key";
		ctx = key != NULL ? EVP_PKEY_CTX_new(key, NULL) : NULL;
		if (key != NULL && (ctx == NULL || EVP_PKEY_check(ctx) != 1)) {
			*why = "rsa private key failed validation";
			EVP_PKEY_free(key);
			key = NULL;
		}
		EVP_PKEY_CTX_free(ctx);
	} else {
		*why = "unknown private key type";
	}
	if (key != NULL && EVP_PKEY_is_a(key, "EC") && !go_curve(key)) {
		*why = "error parsing ecdsa private key: x509: unknown elliptic curve";
		EVP_PKEY_free(key);
		key = NULL;
	}
	return key;
}

/* The key of the first PEM block of data, as DecodePrivateKeyBytes reads
 * it; NULL with out->why. */
static EVP_PKEY *decode_key(const struct cm_version *v, const unsigned char *data, size_t len,
    struct cm_existing_key *out)
{
	static const struct cm_version v1_15_4 = { 1, 15, 4 }, v1_16 = { 1, 16, 0 },
	    v1_16_2 = { 1, 16, 2 };
	/* the limit came in v1.17.0 and the patch releases v1.16.2 and v1.15.4 */
	bool limited = cm_version_cmp(v, &v1_16_2) >= 0 ||
	    (cm_version_cmp(v, &v1_15_4) >= 0 && cm_version_cmp(v, &v1_16) < 0);
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	const char *why = NULL;
	EVP_PKEY *key = NULL;
	long der_len = 0;
	BIO *bio;

	if (limited && len > 13000) {
		out->why = xstrdup("provided PEM data was larger than the maximum 13000B");
		return NULL;
	}
	bio = BIO_new_mem_buf(data, (int)len);
	if (bio == NULL || PEM_read_bio(bio, &name, &header, &der, &der_len) != 1)
		out->why = xstrdup("error decoding private key PEM block: no PEM data");
	else if (header != NULL && header[0] != '\0')
		out->why = xasprintf("the %s block has PEM headers (an encrypted key): "
		    "cert-manager reads no passphrase", name);
	else if ((key = decode_block(name, der, der_len, &why)) == NULL)
		out->why = strcmp(why, "unknown private key type") == 0 ?
		    xasprintf("%s: %s", why, name) : xstrdup(why);
	ERR_clear_error();
	BIO_free(bio);
	OPENSSL_free(name);
	OPENSSL_free(header);
	if (der != NULL)
		OPENSSL_clear_free(der, (size_t)der_len);
	return key;
}

void cm_existing_key_check(const struct cm_certificate *c, const struct cm_version *v,
    const char *secret, const unsigned char *data, size_t len, struct cm_existing_key *out)
{
	static const struct cm_version v1_9 = { 1, 9, 0 };
	const char *violation;
	EVP_PKEY *key;

	memset(out, 0, sizeof(*out));
	if (data == NULL || len == 0)
		return;
	if ((key = decode_key(v, data, len, out)) == NULL) {
		out->fate = CM_KEY_UNDECODABLE;
		out->event_reason = "DecodeFailed";
		out->event_message = xasprintf("Failed to decode private key stored in Secret "
		    "\"%s\" - generating new key", secret);
		return;
	}
	if ((violation = key_violation(c, key)) == NULL) {
		out->fate = CM_KEY_REUSE;
		out->key = key;
		return;
	}
	EVP_PKEY_free(key);
	out->fate = CM_KEY_MISMATCH;
	if (cm_version_cmp(v, &v1_9) < 0) {
		out->event_reason = "DecodeFailed";
		out->event_message = xasprintf("Existing private key in Secret \"%s\" does not "
		    "match requirements on Certificate resource, mismatching fields: [%s]", secret,
		    violation);
		return;
	}
	out->event_reason = "CannotRegenerateKey";
	out->event_message = xasprintf("User intervention required: existing private key in "
	    "Secret \"%s\" does not match requirements on Certificate resource, mismatching "
	    "fields: [%s], but cert-manager cannot create new private key as the Certificate's "
	    ".spec.privateKey.rotationPolicy is unset or set to Never. To allow cert-manager to "
	    "create a new private key you can set .spec.privateKey.rotationPolicy to 'Always' "
	    "(this will result in the private key being regenerated every time a cert is "
	    "renewed) ", secret, violation);
}

void cm_existing_key_clear(struct cm_existing_key *out)
{
	EVP_PKEY_free(out->key);
	free(out->why);
	free(out->event_message);
	memset(out, 0, sizeof(*out));
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
