/* test_key.c - key types, generation, PEM loading in every accepted format,
 * refusals, and the PKCS#8 and PKCS#1 round trips. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/encoder.h>
#include <openssl/evp.h>

#include "err.h"
#include "jws.h"
#include "key.h"
#include "test.h"

static const struct {
	const char *s;
	int ok;
	enum key_type type;
} typerows[] = {
	{ "ec256", 1, KEY_EC256 },
	{ "ec384", 1, KEY_EC384 },
	{ "rsa2048", 1, KEY_RSA2048 },
	{ "rsa3072", 1, KEY_RSA3072 },
	{ "rsa4096", 1, KEY_RSA4096 },
	{ "", 0, KEY_EC256 },
	{ "ec", 0, KEY_EC256 },
	{ "ec521", 0, KEY_EC256 },
	{ "rsa1024", 0, KEY_EC256 },
	{ "rsa", 0, KEY_EC256 },
	{ "EC256", 0, KEY_EC256 },
	{ "ec256 ", 0, KEY_EC256 },
	{ "p256", 0, KEY_EC256 },
	{ "ed25519", 0, KEY_EC256 },
};

static const struct {
	enum key_type type;
	bool rsa;
	int bits;
	const char *alg;
} genrows[] = {
	{ KEY_EC256, false, 256, "ES256" },
	{ KEY_EC384, false, 384, "ES384" },
	{ KEY_RSA2048, true, 2048, "RS256" },
	{ KEY_RSA3072, true, 3072, "RS256" },
	{ KEY_RSA4096, true, 4096, "RS256" },
};

/* Accepted encodings: OSSL_ENCODER structure and the PEM label it yields. */
static const struct {
	const char *name;
	const char *type;      /* EVP_PKEY_Q_keygen */
	const char *curve;     /* or NULL for RSA 2048 */
	const char *structure;
	const char *label;
} loadrows[] = {
	{ "PKCS#1 RSA", "RSA", NULL, "type-specific", "RSA PRIVATE KEY" },
	{ "PKCS#8 RSA", "RSA", NULL, "PrivateKeyInfo", "PRIVATE KEY" },
	{ "SEC1 P-256", "EC", "P-256", "type-specific", "EC PRIVATE KEY" },
	{ "SEC1 P-384", "EC", "P-384", "type-specific", "EC PRIVATE KEY" },
	{ "PKCS#8 P-256", "EC", "P-256", "PrivateKeyInfo", "PRIVATE KEY" },
	{ "PKCS#8 P-384", "EC", "P-384", "PrivateKeyInfo", "PRIVATE KEY" },
};

/* Refused keys and the words the error must contain. */
static const struct {
	const char *name;
	const char *type;
	const char *curve;
	size_t rsa_bits;
	const char *structure;
	const char *why;
} refuserows[] = {
	{ "SEC1 P-521", "EC", "P-521", 0, "type-specific", "P-521 (secp521r1)" },
	{ "PKCS#8 P-521", "EC", "P-521", 0, "PrivateKeyInfo", "not supported" },
	{ "SEC1 secp256k1", "EC", "secp256k1", 0, "type-specific", "secp256k1" },
	{ "PKCS#1 RSA 1024", "RSA", NULL, 1024, "type-specific", "1024 bits" },
	{ "PKCS#8 RSA 1024", "RSA", NULL, 1024, "PrivateKeyInfo", "too small" },
	{ "PKCS#8 Ed25519", "ED25519", NULL, 0, "PrivateKeyInfo", "ED25519" },
};

static const char *const garbage[] = {
	"",
	"hello",
	"-----BEGIN PRIVATE KEY-----\nnot base64 !!\n-----END PRIVATE KEY-----\n",
	"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
	"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n",
	"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n",
};

static EVP_PKEY *keygen(const char *type, const char *curve, size_t bits)
{
	if (curve != NULL)
		return EVP_PKEY_Q_keygen(NULL, NULL, type, curve);
	if (strcmp(type, "RSA") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, type, bits ? bits : 2048);
	return EVP_PKEY_Q_keygen(NULL, NULL, type);
}

/* PEM of key in the given structure, optionally encrypted; caller frees. */
static char *encode_pem(EVP_PKEY *key, const char *structure,
    const char *pass, size_t *len)
{
	OSSL_ENCODER_CTX *ectx;
	unsigned char *data = NULL;
	char *pem = NULL;

	*len = 0;
	ectx = OSSL_ENCODER_CTX_new_for_pkey(key, OSSL_KEYMGMT_SELECT_KEYPAIR,
	    "PEM", structure, NULL);
	if (ectx == NULL)
		return NULL;
	if (pass != NULL &&
	    (!OSSL_ENCODER_CTX_set_cipher(ectx, "AES-256-CBC", NULL) ||
	    !OSSL_ENCODER_CTX_set_passphrase(ectx, (const unsigned char *)pass,
	    strlen(pass))))
		goto out;
	if (OSSL_ENCODER_to_data(ectx, &data, len)) {
		pem = malloc(*len + 1);
		memcpy(pem, data, *len);
		pem[*len] = '\0';
	}
out:
	OPENSSL_free(data);
	OSSL_ENCODER_CTX_free(ectx);
	return pem;
}

static bool has_label(const char *pem, const char *label)
{
	char begin[64];

	snprintf(begin, sizeof(begin), "-----BEGIN %s-----\n", label);
	return pem != NULL && strncmp(pem, begin, strlen(begin)) == 0;
}

static void test_types(void)
{
	enum key_type t;
	size_t i;
	int rc;

	for (i = 0; i < nitems(typerows); i++) {
		err_clear();
		t = (enum key_type)-1;
		rc = key_type_parse(typerows[i].s, &t);
		CHECK_INT(rc, typerows[i].ok ? 0 : -1, typerows[i].s);
		if (typerows[i].ok) {
			CHECK_INT(t, typerows[i].type, typerows[i].s);
			CHECK_STR(key_type_name(t), typerows[i].s, typerows[i].s);
		} else {
			CHECK_INT(err_kind(), ERR_USAGE, typerows[i].s);
			CHECK(strstr(err_message(), typerows[i].s) != NULL,
			    "message \"%s\" does not name \"%s\"", err_message(),
			    typerows[i].s);
		}
	}
}

static void test_generate(void)
{
	EVP_PKEY *key;
	size_t i;

	for (i = 0; i < nitems(genrows); i++) {
		const char *name = key_type_name(genrows[i].type);

		key = key_generate(genrows[i].type);
		CHECK(key != NULL, "%s: %s", name, err_message());
		if (key == NULL)
			continue;
		CHECK_INT(key_is_rsa(key), genrows[i].rsa, name);
		CHECK_INT(EVP_PKEY_get_bits(key), genrows[i].bits, name);
		CHECK_STR(jws_alg(key), genrows[i].alg, name);
		/* --reuse-key's check: a key is of its own type and no other */
		for (size_t j = 0; j < nitems(genrows); j++)
			CHECK(key_is_type(key, genrows[j].type) == (i == j), "%s key is%s %s", name,
			    i == j ? "" : " not", key_type_name(genrows[j].type));
		EVP_PKEY_free(key);
	}
}

static void test_load(void)
{
	EVP_PKEY *orig, *key;
	char *pem, *path, *t1, *t2, ctx[64];
	size_t i, len;

	for (i = 0; i < nitems(loadrows); i++) {
		orig = keygen(loadrows[i].type, loadrows[i].curve, 0);
		pem = encode_pem(orig, loadrows[i].structure, NULL, &len);
		CHECK(has_label(pem, loadrows[i].label), "%s: fixture is not "
		    "\"%s\"", loadrows[i].name, loadrows[i].label);
		err_clear();
		key = key_from_pem(pem, len, "mem");
		CHECK(key != NULL, "%s: %s", loadrows[i].name, err_message());
		CHECK(key != NULL && EVP_PKEY_eq(key, orig) == 1,
		    "%s: loaded key differs", loadrows[i].name);
		t1 = jws_thumbprint(orig);
		t2 = key != NULL ? jws_thumbprint(key) : NULL;
		CHECK_STR(t2, t1, loadrows[i].name);
		free(t1);
		free(t2);
		EVP_PKEY_free(key);

		/* The same through a file, after another PEM block. */
		snprintf(ctx, sizeof(ctx), "%s from file", loadrows[i].name);
		{
			const char *pre = "-----BEGIN CERTIFICATE-----\nMAA=\n"
			    "-----END CERTIFICATE-----\n";
			size_t prelen = strlen(pre);
			char *both = malloc(prelen + len + 1);

			memcpy(both, pre, prelen);
			memcpy(both + prelen, pem, len + 1);
			path = test_write_temp(both, prelen + len);
			free(both);
		}
		key = path != NULL ? key_load_file(path) : NULL;
		CHECK(key != NULL && EVP_PKEY_eq(key, orig) == 1, "%s: %s", ctx,
		    err_message());
		EVP_PKEY_free(key);
		if (path != NULL)
			unlink(path);
		free(path);
		free(pem);
		EVP_PKEY_free(orig);
	}
}

static void test_refuse(void)
{
	EVP_PKEY *orig, *key;
	char *pem;
	size_t i, len;

	for (i = 0; i < nitems(refuserows); i++) {
		orig = keygen(refuserows[i].type, refuserows[i].curve,
		    refuserows[i].rsa_bits);
		pem = orig != NULL ? encode_pem(orig, refuserows[i].structure,
		    NULL, &len) : NULL;
		CHECK(pem != NULL, "%s: no fixture", refuserows[i].name);
		err_clear();
		key = pem != NULL ? key_from_pem(pem, len, "bad.pem") : NULL;
		CHECK(key == NULL && err_kind() == ERR_USAGE, "%s accepted",
		    refuserows[i].name);
		CHECK(strstr(err_message(), refuserows[i].why) != NULL &&
		    strstr(err_message(), "bad.pem") != NULL,
		    "%s: message \"%s\" lacks \"%s\"", refuserows[i].name,
		    err_message(), refuserows[i].why);
		EVP_PKEY_free(key);
		free(pem);
		EVP_PKEY_free(orig);
	}

	for (i = 0; i < nitems(garbage); i++) {
		err_clear();
		key = key_from_pem(garbage[i], strlen(garbage[i]), "junk.pem");
		CHECK(key == NULL && err_kind() == ERR_USAGE &&
		    strstr(err_message(), "junk.pem") != NULL,
		    "garbage row %zu: %s", i, err_message());
		EVP_PKEY_free(key);
	}

	/* Encrypted keys fail with a message instead of a password prompt. */
	orig = keygen("EC", "P-256", 0);
	pem = encode_pem(orig, "PrivateKeyInfo", "secret", &len);
	CHECK(has_label(pem, "ENCRYPTED PRIVATE KEY"), "no encrypted fixture");
	err_clear();
	key = pem != NULL ? key_from_pem(pem, len, "enc.pem") : NULL;
	CHECK(key == NULL && err_kind() == ERR_USAGE &&
	    strstr(err_message(), "encrypted") != NULL, "encrypted: %s",
	    err_message());
	EVP_PKEY_free(key);
	free(pem);
	EVP_PKEY_free(orig);

	err_clear();
	key = key_load_file("/nonexistent/acmectl/key.pem");
	CHECK(key == NULL && err_kind() == ERR_USAGE &&
	    strstr(err_message(), "/nonexistent/acmectl/key.pem") != NULL,
	    "missing file: %s", err_message());
	err_clear();
	key = key_load_file("/tmp");
	CHECK(key == NULL && err_kind() == ERR_USAGE, "directory accepted");
}

/* Serialised and read back: PKCS#8 for every type, PKCS#1 (what
 * cert-manager writes) for RSA only. */
static const struct {
	enum key_type type;
	bool pkcs1;           /* key_to_rsa_pem instead of key_to_pem */
	const char *label;    /* the PEM label; NULL: refused */
} triprows[] = {
	{ KEY_EC256, false, "PRIVATE KEY" },
	{ KEY_EC384, false, "PRIVATE KEY" },
	{ KEY_RSA2048, false, "PRIVATE KEY" },
	{ KEY_RSA2048, true, "RSA PRIVATE KEY" },
	{ KEY_RSA3072, true, "RSA PRIVATE KEY" },
	{ KEY_EC256, true, NULL },
	{ KEY_EC384, true, NULL },
};

static void test_round_trip(void)
{
	EVP_PKEY *key, *back;
	char *pem, *t1, *t2, *trailer, ctx[64];
	size_t i, len;

	for (i = 0; i < nitems(triprows); i++) {
		snprintf(ctx, sizeof(ctx), "%s%s", key_type_name(triprows[i].type),
		    triprows[i].pkcs1 ? " PKCS#1" : "");
		err_clear();
		key = key_generate(triprows[i].type);
		len = 0;
		pem = key == NULL ? NULL : triprows[i].pkcs1 ?
		    key_to_rsa_pem(key, &len) : key_to_pem(key, &len);
		if (triprows[i].label == NULL) {
			CHECK(pem == NULL && err_kind() == ERR_USAGE &&
			    strstr(err_message(), "no PKCS#1 form") != NULL,
			    "%s: not refused: %s", ctx, err_message());
			key_pem_free(pem, len);
			EVP_PKEY_free(key);
			continue;
		}
		CHECK(has_label(pem, triprows[i].label), "%s: not %s", ctx,
		    triprows[i].label);
		trailer = xasprintf("-----END %s-----\n", triprows[i].label);
		CHECK(pem != NULL && strlen(pem) == len && strstr(pem, trailer) != NULL,
		    "%s: length or trailer", ctx);
		free(trailer);
		back = pem != NULL ? key_from_pem(pem, len, ctx) : NULL;
		CHECK(back != NULL && EVP_PKEY_eq(back, key) == 1,
		    "%s: round trip: %s", ctx, err_message());
		t1 = jws_thumbprint(key);
		t2 = back != NULL ? jws_thumbprint(back) : NULL;
		CHECK(t1 != NULL && t2 != NULL && strcmp(t1, t2) == 0,
		    "%s: thumbprint changed", ctx);
		free(t1);
		free(t2);
		key_pem_free(pem, len);
		EVP_PKEY_free(back);
		EVP_PKEY_free(key);
	}
	key_pem_free(NULL, 0);
}

int main(void)
{
	test_types();
	test_generate();
	test_load();
	test_refuse();
	test_round_trip();
	return test_done();
}
