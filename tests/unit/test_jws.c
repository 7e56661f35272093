/* test_jws.c - JWKs, thumbprints, JWS signatures and EAB, each checked back
 * with OpenSSL; the CA's values that are not UTF-8; every allocation of a
 * signature failing in turn. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "b64url.h"
#include "err.h"
#include "jws.h"
#include "util.h"
#include "test.h"
#include "test_alloc.h"

/* RFC 7638 section 3.1. */
static const char rfc7638_n[] =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFF"
    "xuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt"
    "7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6"
    "qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINH"
    "aQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
static const char rfc7638_e[] = "AQAB";
static const char rfc7638_thumb[] = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

static const struct keyrow {
	const char *name;
	const char *type;     /* EVP_PKEY_Q_keygen type */
	const char *curve;    /* or NULL with rsa_bits */
	size_t rsa_bits;
	const char *alg;
	const char *crv;
	size_t field_len;     /* EC coordinate size */
	size_t sig_len;
	const char *digest;
} keyrows[] = {
	{ "ec256", "EC", "P-256", 0, "ES256", "P-256", 32, 64, "SHA256" },
	{ "ec384", "EC", "P-384", 0, "ES384", "P-384", 48, 96, "SHA384" },
	{ "rsa2048", "RSA", NULL, 2048, "RS256", NULL, 0, 256, "SHA256" },
};

/* Requests a JWS signs: {kid or NULL, nonce, url, payload or NULL}. */
static const struct {
	const char *kid;
	const char *nonce;
	const char *url;
	const char *payload;
} signrows[] = {
	{ NULL, "nonce-1", "https://ca.test/acme/new-acct",
	  "{\"termsOfServiceAgreed\":true}" },
	{ "https://ca.test/acme/acct/17", "bm9uY2U", "https://ca.test/acme/new-order",
	  "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"example.org\"}]}" },
	{ "https://ca.test/acme/acct/17", "n2", "https://ca.test/acme/order/1", NULL },
	{ "https://ca.test/acme/acct/17", "n3", "https://ca.test/acme/chall/x", "{}" },
};

static const struct {
	const char *alg;
	const char *digest;
	size_t mac_len;
} eabrows[] = {
	{ "HS256", "SHA256", 32 },
	{ "HS384", "SHA384", 48 },
	{ "HS512", "SHA512", 64 },
};

static EVP_PKEY *keygen(const struct keyrow *r)
{
	if (r->curve != NULL)
		return EVP_PKEY_Q_keygen(NULL, NULL, r->type, r->curve);
	return EVP_PKEY_Q_keygen(NULL, NULL, r->type, r->rsa_bits);
}

/* An RSA public key from base64url n and e. */
static EVP_PKEY *rsa_from_ne(const char *n64, const char *e64)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *key = NULL;
	unsigned char *nb, *eb;
	size_t nlen, elen;
	BIGNUM *n, *e;

	nb = b64url_decode(n64, &nlen);
	eb = b64url_decode(e64, &elen);
	n = BN_bin2bn(nb, (int)nlen, NULL);
	e = BN_bin2bn(eb, (int)elen, NULL);
	if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
	    EVP_PKEY_fromdata_init(ctx) > 0)
		EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(n);
	BN_free(e);
	free(nb);
	free(eb);
	return key;
}

/* Decodes a base64url member of obj; NULL when absent or malformed. */
static unsigned char *member_b64(json_t *obj, const char *name, size_t *len)
{
	const char *s = json_string_value(json_object_get(obj, name));

	*len = 0;
	return s != NULL ? b64url_decode(s, len) : NULL;
}

/* Decodes a base64url member holding JSON text. */
static json_t *member_json(json_t *obj, const char *name)
{
	unsigned char *raw;
	json_t *j;
	size_t len;

	if ((raw = member_b64(obj, name, &len)) == NULL)
		return NULL;
	j = json_loadb((const char *)raw, len, 0, NULL);
	free(raw);
	return j;
}

/* True when the base64url member of jwk equals the key's parameter. */
static bool jwk_param_is(json_t *jwk, const char *member, EVP_PKEY *key,
    const char *param, size_t want_len)
{
	unsigned char *raw;
	BIGNUM *got = NULL, *want = NULL;
	size_t len;
	bool ok;

	raw = member_b64(jwk, member, &len);
	ok = raw != NULL && (want_len == 0 || len == want_len) &&
	    (want_len != 0 || (len > 0 && raw[0] != 0)) &&
	    EVP_PKEY_get_bn_param(key, param, &want) &&
	    (got = BN_bin2bn(raw, (int)len, NULL)) != NULL &&
	    BN_cmp(got, want) == 0;
	BN_free(got);
	BN_free(want);
	free(raw);
	return ok;
}

/* Verifies a JWS signature (raw r||s for EC) over input with OpenSSL. */
static bool verify_sig(EVP_PKEY *key, const struct keyrow *r,
    const char *input, const unsigned char *sig, size_t siglen)
{
	unsigned char *der = NULL;
	const unsigned char *check = sig;
	size_t checklen = siglen;
	ECDSA_SIG *es = NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = false;
	int derlen;

	if (siglen != r->sig_len)
		goto out;
	if (r->field_len != 0) {
		BIGNUM *br = BN_bin2bn(sig, (int)r->field_len, NULL);
		BIGNUM *bs = BN_bin2bn(sig + r->field_len, (int)r->field_len,
		    NULL);

		es = ECDSA_SIG_new();
		if (es == NULL || !ECDSA_SIG_set0(es, br, bs)) {
			BN_free(br);
			BN_free(bs);
			goto out;
		}
		if ((derlen = i2d_ECDSA_SIG(es, &der)) <= 0)
			goto out;
		check = der;
		checklen = (size_t)derlen;
	}
	ok = EVP_DigestVerifyInit_ex(ctx, NULL, r->digest, NULL, NULL, key,
	    NULL) == 1 &&
	    EVP_DigestVerify(ctx, check, checklen,
	    (const unsigned char *)input, strlen(input)) == 1;
out:
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* Verifies the signature of a flattened JWS object; the signing input is
 * rebuilt from its protected and payload members. */
static bool verify_jws(EVP_PKEY *key, const struct keyrow *r, json_t *jws)
{
	const char *prot = json_string_value(json_object_get(jws, "protected"));
	const char *pay = json_string_value(json_object_get(jws, "payload"));
	unsigned char *sig;
	char *input;
	size_t siglen;
	bool ok;

	if (prot == NULL || pay == NULL ||
	    (sig = member_b64(jws, "signature", &siglen)) == NULL)
		return false;
	input = xasprintf("%s.%s", prot, pay);
	ok = verify_sig(key, r, input, sig, siglen);
	free(input);
	free(sig);
	return ok;
}

/* The RFC 7638 input built by hand from the JWK members. */
static char *canonical_by_hand(json_t *jwk)
{
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	const char *x = json_string_value(json_object_get(jwk, "x"));
	const char *y = json_string_value(json_object_get(jwk, "y"));
	const char *e = json_string_value(json_object_get(jwk, "e"));
	const char *n = json_string_value(json_object_get(jwk, "n"));

	if (crv != NULL && x != NULL && y != NULL)
		return xasprintf("{\"crv\":\"%s\",\"kty\":\"EC\",\"x\":\"%s\","
		    "\"y\":\"%s\"}", crv, x, y);
	if (e != NULL && n != NULL)
		return xasprintf("{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}",
		    e, n);
	return xstrdup("");
}

static char *sha256_b64(const char *s)
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(), NULL);
	return b64url_encode(md, mdlen);
}

static void test_rfc7638(void)
{
	EVP_PKEY *key = rsa_from_ne(rfc7638_n, rfc7638_e);
	json_t *jwk;
	char *thumb, *keyauth;

	CHECK(key != NULL, "building the RFC 7638 key from n and e");
	if (key == NULL)
		return;
	thumb = jws_thumbprint(key);
	CHECK_STR(thumb, rfc7638_thumb, "RFC 7638 3.1 thumbprint");
	jwk = jws_jwk(key);
	CHECK_STR(json_string_value(json_object_get(jwk, "n")), rfc7638_n,
	    "RFC 7638 n");
	CHECK_STR(json_string_value(json_object_get(jwk, "e")), rfc7638_e,
	    "RFC 7638 e");
	CHECK_STR(json_string_value(json_object_get(jwk, "kty")), "RSA",
	    "RFC 7638 kty");
	CHECK_INT(json_object_size(jwk), 3, "RFC 7638 JWK members");
	CHECK_STR(jws_alg(key), "RS256", "RFC 7638 alg");
	keyauth = jws_key_authorization(key, "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA");
	CHECK_STR(keyauth, "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA."
	    "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", "key authorization");
	free(keyauth);
	json_decref(jwk);
	free(thumb);
	EVP_PKEY_free(key);
}

static void test_jwk(EVP_PKEY *key, const struct keyrow *r)
{
	json_t *jwk = jws_jwk(key);
	char *canon, *want, *thumb;

	CHECK(jwk != NULL, "%s: jws_jwk: %s", r->name, err_message());
	CHECK_STR(jws_alg(key), r->alg, r->name);
	if (r->crv != NULL) {
		CHECK_INT(json_object_size(jwk), 4, r->name);
		CHECK_STR(json_string_value(json_object_get(jwk, "kty")), "EC",
		    r->name);
		CHECK_STR(json_string_value(json_object_get(jwk, "crv")), r->crv,
		    r->name);
		CHECK(jwk_param_is(jwk, "x", key, OSSL_PKEY_PARAM_EC_PUB_X,
		    r->field_len), "%s: x", r->name);
		CHECK(jwk_param_is(jwk, "y", key, OSSL_PKEY_PARAM_EC_PUB_Y,
		    r->field_len), "%s: y", r->name);
	} else {
		CHECK_INT(json_object_size(jwk), 3, r->name);
		CHECK_STR(json_string_value(json_object_get(jwk, "kty")), "RSA",
		    r->name);
		CHECK_STR(json_string_value(json_object_get(jwk, "e")), "AQAB",
		    r->name);
		CHECK(jwk_param_is(jwk, "n", key, OSSL_PKEY_PARAM_RSA_N, 0),
		    "%s: n", r->name);
	}
	canon = canonical_by_hand(jwk);
	want = sha256_b64(canon);
	thumb = jws_thumbprint(key);
	CHECK_STR(thumb, want, r->name);
	free(thumb);
	free(want);
	free(canon);
	json_decref(jwk);
}

/* Checks one jws_sign result against the request that produced it. */
static void check_signed(EVP_PKEY *key, const struct keyrow *r, size_t row,
    const char *out)
{
	json_t *jws, *hdr, *jwk;
	unsigned char *pay;
	size_t paylen;
	char ctx[64];
	const char *want_pay = signrows[row].payload != NULL ?
	    signrows[row].payload : "";

	snprintf(ctx, sizeof(ctx), "%s sign row %zu", r->name, row);
	CHECK(out != NULL && strncmp(out, "{\"protected\":\"", 14) == 0 &&
	    strstr(out, "\",\"payload\":\"") != NULL &&
	    strstr(out, "\",\"signature\":\"") > strstr(out, "\"payload\"") &&
	    strpbrk(out, " \n") == NULL, "%s: layout: %s", ctx,
	    out != NULL ? out : err_message());
	if (out == NULL)
		return;
	jws = json_loads(out, 0, NULL);
	CHECK_INT(json_object_size(jws), 3, ctx);
	hdr = member_json(jws, "protected");
	CHECK_STR(json_string_value(json_object_get(hdr, "alg")), r->alg, ctx);
	CHECK_STR(json_string_value(json_object_get(hdr, "nonce")),
	    signrows[row].nonce, ctx);
	CHECK_STR(json_string_value(json_object_get(hdr, "url")),
	    signrows[row].url, ctx);
	if (signrows[row].kid != NULL) {
		CHECK_STR(json_string_value(json_object_get(hdr, "kid")),
		    signrows[row].kid, ctx);
		CHECK(json_object_get(hdr, "jwk") == NULL, "%s: jwk with kid",
		    ctx);
		CHECK_INT(json_object_size(hdr), 4, ctx);
	} else {
		jwk = jws_jwk(key);
		CHECK(json_equal(json_object_get(hdr, "jwk"), jwk),
		    "%s: jwk differs", ctx);
		CHECK(json_object_get(hdr, "kid") == NULL, "%s: kid with jwk",
		    ctx);
		CHECK_INT(json_object_size(hdr), 4, ctx);
		json_decref(jwk);
	}
	if (signrows[row].payload == NULL)
		CHECK_STR(json_string_value(json_object_get(jws, "payload")),
		    "", ctx);
	pay = member_b64(jws, "payload", &paylen);
	CHECK(pay != NULL && paylen == strlen(want_pay) &&
	    memcmp(pay, want_pay, paylen) == 0, "%s: payload differs", ctx);
	CHECK(verify_jws(key, r, jws), "%s: signature does not verify", ctx);
	free(pay);
	json_decref(hdr);
	json_decref(jws);
}

static void test_sign(EVP_PKEY *key, const struct keyrow *r)
{
	json_t *inner, *hdr, *jwk;
	char *out, *input;
	unsigned char *pay, sig[512];
	size_t i, paylen;

	for (i = 0; i < nitems(signrows); i++) {
		out = jws_sign(key, signrows[i].kid, signrows[i].nonce,
		    signrows[i].url, signrows[i].payload);
		check_signed(key, r, i, out);
		free(out);
	}

	/* The verifier itself must reject what was not signed. */
	memset(sig, 0x5a, sizeof(sig));
	input = xstrdup("e30.e30");
	CHECK(!verify_sig(key, r, input, sig, r->sig_len),
	    "%s: verifier accepted garbage", r->name);
	free(input);
	out = jws_sign(key, NULL, "n", "https://ca.test/x", "{\"a\":1}");
	if (out != NULL) {
		json_t *jws = json_loads(out, 0, NULL);

		json_object_set_new(jws, "payload", json_string("eyJhIjoyfQ"));
		CHECK(!verify_jws(key, r, jws),
		    "%s: verifier accepted a changed payload", r->name);
		json_decref(jws);
	}
	free(out);

	err_clear();
	out = jws_sign(key, NULL, NULL, "https://ca.test/x", "{}");
	CHECK(out == NULL && err_kind() != ERR_NONE,
	    "%s: signed without a nonce", r->name);
	free(out);

	inner = jws_sign_inner(key, "https://ca.test/acme/key-change",
	    "{\"account\":\"https://ca.test/acme/acct/17\"}");
	CHECK(inner != NULL, "%s: jws_sign_inner: %s", r->name, err_message());
	hdr = member_json(inner, "protected");
	jwk = jws_jwk(key);
	CHECK_STR(json_string_value(json_object_get(hdr, "alg")), r->alg,
	    r->name);
	CHECK_STR(json_string_value(json_object_get(hdr, "url")),
	    "https://ca.test/acme/key-change", r->name);
	CHECK(json_equal(json_object_get(hdr, "jwk"), jwk),
	    "%s: inner jwk differs", r->name);
	CHECK(json_object_get(hdr, "nonce") == NULL &&
	    json_object_get(hdr, "kid") == NULL && json_object_size(hdr) == 3,
	    "%s: inner header has extra members", r->name);
	pay = member_b64(inner, "payload", &paylen);
	CHECK(pay != NULL && strcmp((char *)pay,
	    "{\"account\":\"https://ca.test/acme/acct/17\"}") == 0,
	    "%s: inner payload", r->name);
	CHECK(verify_jws(key, r, inner), "%s: inner signature", r->name);
	free(pay);
	json_decref(jwk);
	json_decref(hdr);
	json_decref(inner);
}

/* r and s are padded: keep signing until both an r and an s with a leading
 * zero byte were seen (about 1 in 256 signatures each), verifying every
 * signature on the way. */
static void test_ec_sig_padding(EVP_PKEY *key, const struct keyrow *r)
{
	unsigned char *sig;
	json_t *jws;
	size_t siglen;
	char *out;
	int i, bad = 0;
	bool short_r = false, short_s = false;

	for (i = 0; i < 20000 && !(short_r && short_s); i++) {
		out = jws_sign(key, "k", "n", "https://ca.test/x", "{}");
		jws = out != NULL ? json_loads(out, 0, NULL) : NULL;
		free(out);
		sig = member_b64(jws, "signature", &siglen);
		if (sig != NULL && siglen == r->sig_len) {
			short_r |= sig[0] == 0;
			short_s |= sig[r->field_len] == 0;
		}
		if (!verify_jws(key, r, jws))
			bad++;
		free(sig);
		json_decref(jws);
		if (bad > 0)
			break;
	}
	CHECK(short_r && short_s, "%s: no padded r and s in %d signatures",
	    r->name, i);
	CHECK_INT(bad, 0, r->name);
}

/* Coordinates are padded: find a key whose x or y is shorter than the
 * field (about 1 in 128 keys) and check its JWK. */
static void test_ec_jwk_padding(const struct keyrow *r)
{
	EVP_PKEY *key = NULL;
	BIGNUM *x = NULL, *y = NULL;
	json_t *jwk;
	int i;
	bool found = false;

	for (i = 0; i < 20000 && !found; i++) {
		EVP_PKEY_free(key);
		BN_free(x);
		BN_free(y);
		x = y = NULL;
		if ((key = keygen(r)) == NULL ||
		    !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
		    !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y))
			break;
		found = (size_t)BN_num_bytes(x) < r->field_len ||
		    (size_t)BN_num_bytes(y) < r->field_len;
	}
	CHECK(found, "%s: no short coordinate in %d keys", r->name, i);
	jwk = found ? jws_jwk(key) : NULL;
	CHECK(found && jwk_param_is(jwk, "x", key, OSSL_PKEY_PARAM_EC_PUB_X,
	    r->field_len) && jwk_param_is(jwk, "y", key,
	    OSSL_PKEY_PARAM_EC_PUB_Y, r->field_len),
	    "%s: short coordinate not padded", r->name);
	json_decref(jwk);
	BN_free(x);
	BN_free(y);
	EVP_PKEY_free(key);
}

static void test_eab(EVP_PKEY *account)
{
	static const unsigned char mac_key[] = {
		0x8b, 0x2a, 0x00, 0xff, 0x10, 0x42, 0x99, 0x01, 0x7e, 0x00,
		0x33, 0xc4, 0x5d, 0x6e, 0x7f, 0x80, 0x91, 0xa2, 0xb3, 0xc4,
		0xd5, 0xe6, 0xf7, 0x08, 0x19, 0x2a, 0x3b, 0x4c, 0x5d, 0x6e,
		0x7f, 0x80,
	};
	const char *url = "https://ca.test/acme/new-acct";
	unsigned char mac[EVP_MAX_MD_SIZE], *sig;
	size_t i, maclen, siglen;
	json_t *jwk = jws_jwk(account), *eab, *hdr, *pay;
	EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx;
	OSSL_PARAM params[2];
	char *input;

	for (i = 0; i < nitems(eabrows); i++) {
		const char *alg = eabrows[i].alg;

		eab = jws_eab(alg, "kid-7", mac_key, sizeof(mac_key), jwk, url);
		CHECK(eab != NULL, "%s: %s", alg, err_message());
		CHECK_INT(json_object_size(eab), 3, alg);
		hdr = member_json(eab, "protected");
		CHECK_STR(json_string_value(json_object_get(hdr, "alg")), alg,
		    alg);
		CHECK_STR(json_string_value(json_object_get(hdr, "kid")),
		    "kid-7", alg);
		CHECK_STR(json_string_value(json_object_get(hdr, "url")), url,
		    alg);
		CHECK_INT(json_object_size(hdr), 3, alg);
		pay = member_json(eab, "payload");
		CHECK(json_equal(pay, jwk), "%s: payload is not the JWK", alg);

		input = xasprintf("%s.%s",
		    json_string_value(json_object_get(eab, "protected")),
		    json_string_value(json_object_get(eab, "payload")));
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_MAC_PARAM_DIGEST, (char *)eabrows[i].digest, 0);
		params[1] = OSSL_PARAM_construct_end();
		maclen = 0;
		ctx = EVP_MAC_CTX_new(hmac);
		EVP_MAC_init(ctx, mac_key, sizeof(mac_key), params);
		EVP_MAC_update(ctx, (unsigned char *)input, strlen(input));
		EVP_MAC_final(ctx, mac, &maclen, sizeof(mac));
		EVP_MAC_CTX_free(ctx);
		CHECK_INT(maclen, eabrows[i].mac_len, alg);
		sig = member_b64(eab, "signature", &siglen);
		CHECK(sig != NULL && siglen == maclen &&
		    memcmp(sig, mac, maclen) == 0, "%s: MAC differs", alg);
		free(sig);
		free(input);
		json_decref(pay);
		json_decref(hdr);
		json_decref(eab);
	}

	/* Refused inputs. */
	err_clear();
	eab = jws_eab("HS1", "kid-7", mac_key, sizeof(mac_key), jwk, url);
	CHECK(eab == NULL && err_kind() == ERR_USAGE, "HS1 accepted");
	eab = jws_eab("RS256", "kid-7", mac_key, sizeof(mac_key), jwk, url);
	CHECK(eab == NULL && err_kind() == ERR_USAGE, "RS256 accepted for EAB");
	eab = jws_eab("hs256", "kid-7", mac_key, sizeof(mac_key), jwk, url);
	CHECK(eab == NULL, "lowercase alg accepted");
	eab = jws_eab("HS256", "kid-7", mac_key, 0, jwk, url);
	CHECK(eab == NULL && err_kind() == ERR_USAGE, "empty MAC key accepted");
	eab = jws_eab("HS256", NULL, mac_key, sizeof(mac_key), jwk, url);
	CHECK(eab == NULL, "missing kid accepted");
	EVP_MAC_free(hmac);
	json_decref(jwk);
}

static void test_unsupported(void)
{
	static const char *const curves[] = { "P-521", "secp256k1" };
	EVP_PKEY *key;
	json_t *j;
	char *s;
	size_t i;

	for (i = 0; i < nitems(curves); i++) {
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curves[i]);
		CHECK(key != NULL, "generating %s", curves[i]);
		CHECK(jws_alg(key) == NULL, "%s has an alg", curves[i]);
		err_clear();
		j = jws_jwk(key);
		CHECK(j == NULL && err_kind() == ERR_USAGE, "%s JWK", curves[i]);
		s = jws_sign(key, NULL, "n", "https://ca.test/x", "{}");
		CHECK(s == NULL, "%s signed", curves[i]);
		s = jws_thumbprint(key);
		CHECK(s == NULL, "%s thumbprint", curves[i]);
		EVP_PKEY_free(key);
	}
	key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	CHECK(key != NULL && jws_alg(key) == NULL, "Ed25519 has an alg");
	EVP_PKEY_free(key);
}

/* A kid, nonce or URL of the CA's that jansson cannot take is the CA's
 * fault, named; a kid of the user's for EAB is the user's. */
static void test_not_utf8(EVP_PKEY *key)
{
	static const char latin1[] = "https://ca.test/acme/acct/\xe9";
	static const unsigned char mac_key[] = { 1, 2, 3 };
	static const struct {
		const char *kid, *nonce, *url, *want;
	} rows[] = {
		{ latin1, "n", "https://ca.test/x", "cannot sign a request: the CA's account URL "
		  "is not UTF-8" },
		{ NULL, "n\xff", "https://ca.test/x", "cannot sign a request: the CA's "
		  "anti-replay nonce is not UTF-8" },
		{ "https://ca.test/acme/acct/1", "n", latin1, "cannot sign a request: the CA's "
		  "request URL is not UTF-8" },
	};
	json_t *jwk = jws_jwk(key), *j;
	char *out;

	for (size_t i = 0; i < nitems(rows); i++) {
		err_clear();
		out = jws_sign(key, rows[i].kid, rows[i].nonce, rows[i].url, "{}");
		CHECK(out == NULL && err_kind() == ERR_ACME, "not UTF-8 row %zu signed", i);
		CHECK_STR(err_message(), rows[i].want, "not UTF-8");
		free(out);
	}
	err_clear();
	j = jws_sign_inner(key, latin1, "{}");
	CHECK(j == NULL && err_kind() == ERR_ACME, "inner JWS to a URL not UTF-8");
	CHECK_STR(err_message(), "cannot sign a request to a URL of the CA's that is not UTF-8",
	    "inner JWS");
	json_decref(j);
	err_clear();
	j = jws_eab("HS256", "kid-\xe9", mac_key, sizeof(mac_key), jwk, "https://ca.test/n");
	CHECK(j == NULL && err_kind() == ERR_USAGE, "EAB kid not UTF-8");
	CHECK_STR(err_message(), "EAB: the key identifier is not UTF-8", "EAB kid");
	json_decref(j);
	err_clear();
	j = jws_eab("HS256", "kid-7", mac_key, sizeof(mac_key), jwk, latin1);
	CHECK(j == NULL && err_kind() == ERR_ACME, "EAB URL not UTF-8");
	CHECK_STR(err_message(), "EAB: the CA's newAccount URL is not UTF-8", "EAB URL");
	json_decref(j);
	err_clear();
	json_decref(jwk);
}

/* One signature of test_alloc_failures: the key and its signrows row. */
struct sign_case {
	EVP_PKEY *key;
	const struct keyrow *r;
	size_t row;
};

static void *make_jws(void *arg)
{
	struct sign_case *c = arg;

	return jws_sign(c->key, signrows[c->row].kid, signrows[c->row].nonce,
	    signrows[c->row].url, signrows[c->row].payload);
}

/* ALLOC_WHOLE when every check of check_signed passes. */
static enum alloc_outcome judge_jws(void *out, void *arg)
{
	struct sign_case *c = arg;
	int failed = test_fail;

	check_signed(c->key, c->r, c->row, out);
	free(out);
	return test_fail == failed ? ALLOC_WHOLE : ALLOC_SHORT;
}

/* Each allocation of signing a request failing in turn, with a jwk and
 * with a kid in its header: the JWS comes out whole and verifies, or the
 * signer stops with one line as out of memory (exit 4, as acmectl's own
 * allocators do); never a JWS short of a member, never an error that
 * blames the CA's values or the key. */
static void test_alloc_failures(EVP_PKEY *key, const struct keyrow *r)
{
	struct sign_case c = { key, r, 0 };
	struct alloc_build b = { make_jws, judge_jws, &c };
	char what[64];
	long n, oom = 0;

	for (c.row = 0; c.row < 2; c.row++) {
		snprintf(what, sizeof(what), "%s JWS of sign row %zu", r->name, c.row);
		n = alloc_fail_each(what, &b, &oom);
		CHECK(n > 20 && oom > 0, "%s: %ld allocations failed in turn, %ld out of memory",
		    what, n, oom);
	}
}

int main(void)
{
	EVP_PKEY *key;
	size_t i;

	/* before OpenSSL allocates anything: later it refuses */
	alloc_counting_start();
	test_rfc7638();
	for (i = 0; i < nitems(keyrows); i++) {
		key = keygen(&keyrows[i]);
		CHECK(key != NULL, "generating %s", keyrows[i].name);
		if (key == NULL)
			continue;
		test_jwk(key, &keyrows[i]);
		test_sign(key, &keyrows[i]);
		if (keyrows[i].field_len != 0) {
			test_ec_sig_padding(key, &keyrows[i]);
			test_ec_jwk_padding(&keyrows[i]);
		}
		if (i == 0) {
			test_eab(key);
			test_not_utf8(key);
			test_alloc_failures(key, &keyrows[i]);
		}
		EVP_PKEY_free(key);
	}
	test_unsupported();
	return test_done();
}
