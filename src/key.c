/* key.c - private keys: generation, PEM loading and saving (OpenSSL 3 EVP). */
#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include "err.h"
#include "fileio.h"
#include "key.h"
#include "util.h"

/* A key file is a few kilobytes; anything bigger is not a key. */
#define KEY_FILE_MAX ((size_t)1024 * 1024)

#define RSA_MIN_BITS 2048

static const struct {
	enum key_type type;
	const char *name;
	int rsa_bits;       /* 0 for EC */
	const char *curve;  /* NULL for RSA */
} key_types[] = {
	{ KEY_EC256, "ec256", 0, "P-256" },
	{ KEY_EC384, "ec384", 0, "P-384" },
	{ KEY_RSA2048, "rsa2048", 2048, NULL },
	{ KEY_RSA3072, "rsa3072", 3072, NULL },
	{ KEY_RSA4096, "rsa4096", 4096, NULL },
};

#define NKEY_TYPES (nitems(key_types))

/* The reason of the newest OpenSSL error, for messages; empties the queue. */
static const char *ossl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r != NULL ? r : "unknown OpenSSL error";
}

int key_type_parse(const char *s, enum key_type *out)
{
	size_t i;

	for (i = 0; i < NKEY_TYPES; i++) {
		if (strcmp(s, key_types[i].name) == 0) {
			*out = key_types[i].type;
			return 0;
		}
	}
	err_set(ERR_USAGE, "unknown key type \"%s\" (expected ec256, ec384, "
	    "rsa2048, rsa3072 or rsa4096)", s);
	return -1;
}

const char *key_type_name(enum key_type type)
{
	size_t i;

	for (i = 0; i < NKEY_TYPES; i++)
		if (key_types[i].type == type)
			return key_types[i].name;
	return "unknown";
}

EVP_PKEY *key_generate(enum key_type type)
{
	EVP_PKEY *key = NULL;
	size_t i;

	for (i = 0; i < NKEY_TYPES; i++)
		if (key_types[i].type == type)
			break;
	if (i == NKEY_TYPES) {
		err_set(ERR_USAGE, "unknown key type %d", (int)type);
		return NULL;
	}
	if (key_types[i].curve != NULL)
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", key_types[i].curve);
	else
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
		    (size_t)key_types[i].rsa_bits);
	if (key == NULL)
		err_set(ERR_USAGE, "generating %s key: %s", key_types[i].name,
		    ossl_reason());
	return key;
}

/* Refuses the password prompt OpenSSL would otherwise show on the tty. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* Accepts RSA >= 2048 bits and EC P-256/P-384; records why not otherwise. */
static int key_check(EVP_PKEY *key, const char *what)
{
	const char *nist;
	char group[64];
	int nid;

	if (EVP_PKEY_is_a(key, "RSA")) {
		if (EVP_PKEY_get_bits(key) < RSA_MIN_BITS) {
			err_set(ERR_USAGE, "%s: RSA key of %d bits is too small "
			    "(minimum %d)", what, EVP_PKEY_get_bits(key),
			    RSA_MIN_BITS);
			return -1;
		}
		return 0;
	}
	if (!EVP_PKEY_is_a(key, "EC")) {
		err_set(ERR_USAGE, "%s: unsupported key type %s (use RSA or EC "
		    "P-256/P-384)", what, EVP_PKEY_get0_type_name(key));
		return -1;
	}
	if (!EVP_PKEY_get_group_name(key, group, sizeof(group), NULL)) {
		ERR_clear_error();
		err_set(ERR_USAGE, "%s: EC key with explicit or unknown curve "
		    "parameters (use P-256 or P-384)", what);
		return -1;
	}
	nid = OBJ_sn2nid(group);
	if (nid != NID_X9_62_prime256v1 && nid != NID_secp384r1) {
		nist = EC_curve_nid2nist(nid);
		err_set(ERR_USAGE, "%s: EC curve %s%s%s%s is not supported (use "
		    "P-256 or P-384)", what, nist != NULL ? nist : "",
		    nist != NULL ? " (" : "", group, nist != NULL ? ")" : "");
		return -1;
	}
	return 0;
}

EVP_PKEY *key_from_pem(const char *pem, size_t len, const char *what)
{
	EVP_PKEY *key = NULL;
	BIO *bio = NULL;

	if (len > INT_MAX || (bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		err_set(ERR_USAGE, "%s: cannot read key", what);
		goto out;
	}
	key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	if (key == NULL) {
		ERR_clear_error();
		if (memmem(pem, len, "ENCRYPTED", 9) != NULL)
			err_set(ERR_USAGE, "%s: encrypted private keys are not "
			    "supported", what);
		else
			err_set(ERR_USAGE, "%s: no PEM private key found "
			    "(expected PKCS#1, PKCS#8 or SEC1)", what);
		goto out;
	}
	if (key_check(key, what) == -1) {
		EVP_PKEY_free(key);
		key = NULL;
	}
out:
	BIO_free(bio);
	return key;
}

EVP_PKEY *key_load_file(const char *path)
{
	EVP_PKEY *key;
	size_t len;
	char *pem;

	if ((pem = file_read(path, KEY_FILE_MAX, ERR_USAGE, &len)) == NULL)
		return NULL;
	key = key_from_pem(pem, len, path);
	OPENSSL_cleanse(pem, len);
	free(pem);
	return key;
}

/* The PEM of key: PKCS#8, or the key type's own form when traditional
 * (PKCS#1 for RSA). New buffer or NULL with err, as key_to_pem. */
static char *pem_of(EVP_PKEY *key, bool traditional, size_t *len)
{
	BIO *bio = NULL;
	char *data, *pem = NULL;
	long n;
	int ok;

	/* A secure-memory BIO wipes its buffer when freed. */
	if ((bio = BIO_new(BIO_s_secmem())) == NULL) {
		err_set(ERR_USAGE, "serialising private key: %s", ossl_reason());
		goto out;
	}
	if (traditional)
		ok = PEM_write_bio_PrivateKey_traditional(bio, key, NULL, NULL, 0,
		    NULL, NULL);
	else
		ok = PEM_write_bio_PKCS8PrivateKey(bio, key, NULL, NULL, 0, NULL,
		    NULL);
	if (!ok || (n = BIO_get_mem_data(bio, &data)) <= 0) {
		err_set(ERR_USAGE, "serialising private key: %s", ossl_reason());
		goto out;
	}
	pem = xmalloc((size_t)n + 1);
	memcpy(pem, data, (size_t)n);
	pem[n] = '\0';
	*len = (size_t)n;
out:
	BIO_free(bio);
	return pem;
}

char *key_to_pem(EVP_PKEY *key, size_t *len)
{
	return pem_of(key, false, len);
}

char *key_to_rsa_pem(EVP_PKEY *key, size_t *len)
{
	if (!key_is_rsa(key)) {
		err_set(ERR_USAGE, "%s keys have no PKCS#1 form", EVP_PKEY_get0_type_name(key));
		return NULL;
	}
	return pem_of(key, true, len);
}

void key_pem_free(char *pem, size_t len)
{
	if (pem == NULL)
		return;
	OPENSSL_cleanse(pem, len);
	free(pem);
}

bool key_is_rsa(EVP_PKEY *key)
{
	return EVP_PKEY_is_a(key, "RSA");
}

bool key_is_type(EVP_PKEY *key, enum key_type type)
{
	char group[64];
	size_t i;

	for (i = 0; i < NKEY_TYPES && key_types[i].type != type; i++)
		;
	if (i == NKEY_TYPES)
		return false;
	if (key_types[i].rsa_bits != 0)
		return EVP_PKEY_is_a(key, "RSA") && EVP_PKEY_get_bits(key) == key_types[i].rsa_bits;
	if (!EVP_PKEY_is_a(key, "EC") ||
	    !EVP_PKEY_get_group_name(key, group, sizeof(group), NULL)) {
		ERR_clear_error();
		return false;
	}
	return OBJ_sn2nid(group) == EC_curve_nist2nid(key_types[i].curve);
}
