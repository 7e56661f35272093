/* jws.c - JSON Web Keys, thumbprints and signatures for ACME (RFC 7515,
 * 7517, 7518, 7638, RFC 8555 section 6.2). */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/params.h>

#include "b64url.h"
#include "err.h"
#include "jws.h"
#include "util.h"

/* The signature schemes of RFC 7518 section 3.1 that ACME keys use. */
struct sig_alg {
	const char *alg;     /* JWS "alg" */
	const char *crv;     /* JWK "crv", NULL for RSA */
	const char *digest;  /* OpenSSL digest name */
	size_t field_len;    /* EC coordinate and r, s size in bytes; 0 for RSA */
};

static const struct sig_alg rs256 = { "RS256", NULL, "SHA256", 0 };
static const struct sig_alg es256 = { "ES256", "P-256", "SHA256", 32 };
static const struct sig_alg es384 = { "ES384", "P-384", "SHA384", 48 };

/* The MACs of RFC 7518 section 3.2 allowed for EAB (RFC 8555 7.3.4). */
static const struct {
	const char *alg;
	const char *digest;
} mac_algs[] = {
	{ "HS256", "SHA256" },
	{ "HS384", "SHA384" },
	{ "HS512", "SHA512" },
};

/* The scheme for key, or NULL when ACME cannot use the key. */
static const struct sig_alg *sig_alg_of(EVP_PKEY *key)
{
	const char *type = EVP_PKEY_get0_type_name(key);
	char group[64];
	int nid;

	/* by the type's name, not EVP_PKEY_is_a: that allocates to look the
	 * name up, and answers false when it cannot */
	if (type == NULL || strcmp(type, "EC") != 0)
		return type != NULL && strcmp(type, "RSA") == 0 ? &rs256 : NULL;
	/* a key without a named group has none to give; OpenSSL says when it
	 * could not allocate the asking */
	if (!EVP_PKEY_get_group_name(key, group, sizeof(group), NULL)) {
		if (ERR_GET_REASON(ERR_peek_last_error()) == ERR_R_MALLOC_FAILURE)
			oom();
		ERR_clear_error();
		return NULL;
	}
	nid = OBJ_sn2nid(group);
	if (nid == NID_X9_62_prime256v1)
		return &es256;
	if (nid == NID_secp384r1)
		return &es384;
	return NULL;
}

/* Looks up the scheme for key, recording an error when there is none. */
static const struct sig_alg *sig_alg_need(EVP_PKEY *key)
{
	const struct sig_alg *sa = sig_alg_of(key);

	if (sa == NULL)
		err_set(ERR_USAGE, "unsupported %s key for JWS (use RSA or EC "
		    "P-256/P-384)", EVP_PKEY_get0_type_name(key));
	return sa;
}

const char *jws_alg(EVP_PKEY *key)
{
	const struct sig_alg *sa = sig_alg_of(key);

	return sa != NULL ? sa->alg : NULL;
}

/*
 * The keys here passed sig_alg_need (RSA, EC P-256 or P-384), and what
 * jansson is given to encode is base64url or valid UTF-8 checked before:
 * what OpenSSL or jansson refuse of them they refuse only for want of
 * memory, which exits as the x* allocators do (oom).
 */

/* base64url of a big-endian key parameter, left-padded with zeros to padlen
 * bytes, or minimal when padlen is 0. NULL with err set. */
static char *bn_param_b64(EVP_PKEY *key, const char *param, size_t padlen)
{
	BIGNUM *bn = NULL;
	unsigned char *buf = NULL;
	char *b64 = NULL;
	size_t len;

	if (!EVP_PKEY_get_bn_param(key, param, &bn))
		oom();
	len = padlen != 0 ? padlen : (size_t)BN_num_bytes(bn);
	buf = xmalloc(len);
	if (BN_bn2binpad(bn, buf, (int)len) < 0) {
		err_set(ERR_USAGE, "key parameter %s exceeds %zu bytes", param,
		    len);
		goto out;
	}
	b64 = b64url_encode(buf, len);
out:
	free(buf);
	BN_free(bn);
	return b64;
}

json_t *jws_jwk(EVP_PKEY *key)
{
	const struct sig_alg *sa;
	char *a = NULL, *b = NULL;
	json_t *jwk = NULL;

	if ((sa = sig_alg_need(key)) == NULL)
		return NULL;
	/* Members in lexicographic order, as RFC 7638 hashes them. */
	if (sa->crv == NULL) {
		if ((a = bn_param_b64(key, OSSL_PKEY_PARAM_RSA_E, 0)) == NULL ||
		    (b = bn_param_b64(key, OSSL_PKEY_PARAM_RSA_N, 0)) == NULL)
			goto out;
		jwk = json_pack("{s:s, s:s, s:s}", "e", a, "kty", "RSA",
		    "n", b);
	} else {
		if ((a = bn_param_b64(key, OSSL_PKEY_PARAM_EC_PUB_X,
		    sa->field_len)) == NULL ||
		    (b = bn_param_b64(key, OSSL_PKEY_PARAM_EC_PUB_Y,
		    sa->field_len)) == NULL)
			goto out;
		jwk = json_pack("{s:s, s:s, s:s, s:s}", "crv", sa->crv,
		    "kty", "EC", "x", a, "y", b);
	}
	if (jwk == NULL)
		oom();
out:
	free(a);
	free(b);
	return jwk;
}

char *jws_thumbprint(EVP_PKEY *key)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	json_t *jwk;
	char *canon, *thumb;

	if ((jwk = jws_jwk(key)) == NULL)
		return NULL;
	/* RFC 7638 3.3: no whitespace, members sorted; our values need no
	 * escaping. */
	canon = json_xdumps(jwk, JSON_COMPACT | JSON_SORT_KEYS);
	if (!EVP_Digest(canon, strlen(canon), md, &mdlen, EVP_sha256(), NULL))
		oom();
	thumb = b64url_encode(md, mdlen);
	free(canon);
	json_decref(jwk);
	return thumb;
}

char *jws_key_authorization(EVP_PKEY *key, const char *token)
{
	char *thumb, *keyauth;

	if ((thumb = jws_thumbprint(key)) == NULL)
		return NULL;
	keyauth = xasprintf("%s.%s", token, thumb);
	free(thumb);
	return keyauth;
}

/* Converts a DER ECDSA-Sig-Value that OpenSSL made to the JWS form r||s,
 * each big-endian and padded to n bytes (RFC 7518 section 3.4). Returns 2n
 * bytes or NULL. */
static unsigned char *ecdsa_der_to_raw(const unsigned char *der,
    size_t derlen, size_t n)
{
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *sig;
	unsigned char *raw = NULL;

	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		oom();
	ECDSA_SIG_get0(sig, &r, &s);
	raw = xmalloc(2 * n);
	if (BN_bn2binpad(r, raw, (int)n) < 0 ||
	    BN_bn2binpad(s, raw + n, (int)n) < 0) {
		err_set(ERR_USAGE, "ECDSA signature exceeds %zu bytes", n);
		free(raw);
		raw = NULL;
	}
	ECDSA_SIG_free(sig);
	return raw;
}

/* Signs len bytes of data with key in the JWS form of its scheme. Returns
 * *siglen bytes (caller frees) or NULL with err set. */
static unsigned char *sign_raw(EVP_PKEY *key, const struct sig_alg *sa,
    const char *data, size_t len, size_t *siglen)
{
	EVP_MD_CTX *ctx;
	unsigned char *der = NULL, *sig = NULL;
	size_t derlen = 0;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestSignInit_ex(ctx, NULL, sa->digest, NULL, NULL, key, NULL) ||
	    !EVP_DigestSign(ctx, NULL, &derlen, (const unsigned char *)data, len))
		oom();
	der = xmalloc(derlen);
	if (!EVP_DigestSign(ctx, der, &derlen, (const unsigned char *)data, len))
		oom();
	if (sa->field_len == 0) {
		/* RSASSA-PKCS1-v1_5 output is already the JWS form. */
		sig = der;
		der = NULL;
		*siglen = derlen;
	} else if ((sig = ecdsa_der_to_raw(der, derlen, sa->field_len)) !=
	    NULL)
		*siglen = 2 * sa->field_len;
	free(der);
	EVP_MD_CTX_free(ctx);
	return sig;
}

/* Encodes the protected header and payload; returns the JWS signing input
 * "protected.payload" and the two parts in *prot64 and *pay64 (caller frees
 * all three) or NULL with err set. */
static char *signing_input(json_t *hdr, const char *payload, char **prot64,
    char **pay64)
{
	char *hdr_json;

	hdr_json = json_xdumps(hdr, JSON_COMPACT);
	*prot64 = b64url_encode(hdr_json, strlen(hdr_json));
	*pay64 = b64url_encode(payload, strlen(payload));
	free(hdr_json);
	return xasprintf("%s.%s", *prot64, *pay64);
}

/* The flattened JSON serialisation (RFC 7515 7.2.2). Returns a new
 * reference or NULL with err set. */
static json_t *flattened(const char *prot64, const char *pay64,
    const unsigned char *sig, size_t siglen)
{
	json_t *jws;
	char *sig64;

	sig64 = b64url_encode(sig, siglen);
	jws = json_pack("{s:s, s:s, s:s}", "protected", prot64,
	    "payload", pay64, "signature", sig64);
	free(sig64);
	if (jws == NULL)
		oom();
	return jws;
}

/* Signs hdr and payload with key. Steals hdr. Returns a new reference or
 * NULL with err set. */
static json_t *jws_build(EVP_PKEY *key, const struct sig_alg *sa, json_t *hdr,
    const char *payload)
{
	char *prot64 = NULL, *pay64 = NULL, *input;
	unsigned char *sig = NULL;
	size_t siglen;
	json_t *jws = NULL;

	if ((input = signing_input(hdr, payload, &prot64, &pay64)) == NULL)
		goto out;
	if ((sig = sign_raw(key, sa, input, strlen(input), &siglen)) == NULL)
		goto out;
	jws = flattened(prot64, pay64, sig, siglen);
out:
	free(sig);
	free(input);
	free(prot64);
	free(pay64);
	json_decref(hdr);
	return jws;
}

/* A protected header {alg, jwk} for key, or NULL with err set. */
static json_t *header_with_jwk(EVP_PKEY *key, const struct sig_alg *sa)
{
	json_t *jwk, *hdr;

	if ((jwk = jws_jwk(key)) == NULL)
		return NULL;
	/* json_pack steals jwk even when it fails. */
	if ((hdr = json_pack("{s:s, s:o}", "alg", sa->alg, "jwk", jwk)) == NULL)
		oom();
	return hdr;
}

char *jws_sign(EVP_PKEY *key, const char *kid, const char *nonce,
    const char *url, const char *payload)
{
	const struct sig_alg *sa;
	json_t *hdr, *jws;
	char *out;

	if (nonce == NULL || url == NULL) {
		err_set(ERR_ACME, "cannot sign a request without %s",
		    nonce == NULL ? "an anti-replay nonce" : "a URL");
		return NULL;
	}
	if ((sa = sig_alg_need(key)) == NULL)
		return NULL;
	/* all three come from the CA: its Location, Replay-Nonce, directory */
	if ((kid != NULL && !str_is_utf8(kid)) || !str_is_utf8(nonce) || !str_is_utf8(url)) {
		err_set(ERR_ACME, "cannot sign a request: the CA's %s is not UTF-8",
		    kid != NULL && !str_is_utf8(kid) ? "account URL" :
		    !str_is_utf8(nonce) ? "anti-replay nonce" : "request URL");
		return NULL;
	}
	if (kid == NULL)
		hdr = header_with_jwk(key, sa);
	else if ((hdr = json_pack("{s:s, s:s}", "alg", sa->alg, "kid", kid)) == NULL)
		oom();
	if (hdr == NULL)
		return NULL;
	if (json_object_set_new(hdr, "nonce", json_string(nonce)) == -1 ||
	    json_object_set_new(hdr, "url", json_string(url)) == -1)
		oom();
	if ((jws = jws_build(key, sa, hdr, payload != NULL ? payload : "")) == NULL)
		return NULL;
	out = json_xdumps(jws, JSON_COMPACT);
	json_decref(jws);
	return out;
}

json_t *jws_sign_inner(EVP_PKEY *key, const char *url, const char *payload)
{
	const struct sig_alg *sa;
	json_t *hdr;

	if ((sa = sig_alg_need(key)) == NULL)
		return NULL;
	if (url == NULL || !str_is_utf8(url)) {
		err_set(ERR_ACME, "cannot sign a request %s", url == NULL ? "without a URL" :
		    "to a URL of the CA's that is not UTF-8");
		return NULL;
	}
	if ((hdr = header_with_jwk(key, sa)) == NULL)
		return NULL;
	if (json_object_set_new(hdr, "url", json_string(url)) == -1)
		oom();
	return jws_build(key, sa, hdr, payload != NULL ? payload : "");
}

/* HMAC of data under the named digest into mac (EVP_MAX_MD_SIZE bytes),
 * with a key that is not empty. */
static void hmac(const char *digest, const unsigned char *key, size_t keylen,
    const char *data, size_t len, unsigned char *mac, size_t *maclen)
{
	EVP_MAC *alg;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((alg = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (ctx = EVP_MAC_CTX_new(alg)) == NULL ||
	    !EVP_MAC_init(ctx, key, keylen, params) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)data, len) ||
	    !EVP_MAC_final(ctx, mac, maclen, EVP_MAX_MD_SIZE))
		oom();
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(alg);
}

json_t *jws_eab(const char *alg, const char *kid, const unsigned char *mac_key,
    size_t mac_key_len, json_t *account_jwk, const char *url)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0, i;
	char *payload = NULL, *prot64 = NULL, *pay64 = NULL, *input = NULL;
	json_t *hdr = NULL, *jws = NULL;

	for (i = 0; i < nitems(mac_algs); i++)
		if (alg != NULL && strcmp(alg, mac_algs[i].alg) == 0)
			break;
	if (i == nitems(mac_algs)) {
		err_set(ERR_USAGE, "unsupported EAB MAC algorithm \"%s\" "
		    "(use HS256, HS384 or HS512)", alg != NULL ? alg : "");
		goto out;
	}
	if (kid == NULL || *kid == '\0' || mac_key_len == 0) {
		err_set(ERR_USAGE, "EAB needs a key identifier and a non-empty "
		    "MAC key");
		goto out;
	}
	if (!json_is_object(account_jwk) || url == NULL) {
		err_set(ERR_USAGE, "EAB needs the account JWK and the newAccount "
		    "URL");
		goto out;
	}
	if (!str_is_utf8(kid)) {
		err_set(ERR_USAGE, "EAB: the key identifier is not UTF-8");
		goto out;
	}
	if (!str_is_utf8(url)) {
		err_set(ERR_ACME, "EAB: the CA's newAccount URL is not UTF-8");
		goto out;
	}
	if ((hdr = json_pack("{s:s, s:s, s:s}", "alg", alg, "kid", kid, "url", url)) == NULL)
		oom();
	payload = json_xdumps(account_jwk, JSON_COMPACT | JSON_SORT_KEYS);
	input = signing_input(hdr, payload, &prot64, &pay64);
	hmac(mac_algs[i].digest, mac_key, mac_key_len, input, strlen(input), mac, &maclen);
	jws = flattened(prot64, pay64, mac, maclen);
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	free(input);
	free(prot64);
	free(pay64);
	free(payload);
	json_decref(hdr);
	return jws;
}
