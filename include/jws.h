/* jws.h - JSON Web Keys, thumbprints and signatures for ACME (RFC 7515,
 * 7517, 7518, 7638, RFC 8555 section 6.2). */
#ifndef ACMECTL_JWS_H
#define ACMECTL_JWS_H

#include <stddef.h>
#include <jansson.h>
#include <openssl/evp.h>

/* Each function here refuses with err set what it cannot use (a key that
 * is not RSA, P-256 or P-384; a kid, nonce or URL that is not UTF-8, the
 * CA's as ERR_ACME) and exits as the x* allocators do (oom) when OpenSSL
 * or jansson cannot allocate. */

/* The JWS "alg" for a key: "ES256" (P-256), "ES384" (P-384), "RS256" (RSA).
 * NULL for anything else. Static string. */
const char *jws_alg(EVP_PKEY *key);

/* The public JWK of key with only the required members (RFC 7638 section 3.2):
 * EC {crv,kty,x,y} with coordinates padded to the field size, RSA {e,kty,n}.
 * Returns a new reference (caller json_decref()s) or NULL with err set. */
json_t *jws_jwk(EVP_PKEY *key);

/* RFC 7638 thumbprint: base64url(SHA-256(canonical JWK JSON)).
 * Returns a new string (caller frees) or NULL with err set. */
char *jws_thumbprint(EVP_PKEY *key);

/* Key authorization for a challenge token: "token.thumbprint" (RFC 8555 8.1).
 * Caller frees; NULL with err set. */
char *jws_key_authorization(EVP_PKEY *key, const char *token);

/* Builds a flattened JWS JSON serialisation (RFC 8555 6.2) as a string:
 * protected header {alg, nonce, url, and kid when kid != NULL, else jwk}.
 * payload NULL means POST-as-GET (empty payload ""). ES* signatures are the
 * raw r||s form. Returns a new string (caller frees) or NULL with err set. */
char *jws_sign(EVP_PKEY *key, const char *kid, const char *nonce,
    const char *url, const char *payload);

/* Builds the inner JWS object for keyChange (RFC 8555 7.3.5) or any JWS
 * without a nonce: protected {alg, jwk of key, url}. Returns a new reference
 * or NULL with err set. */
json_t *jws_sign_inner(EVP_PKEY *key, const char *url, const char *payload);

/* Builds an externalAccountBinding object (RFC 8555 7.3.4): protected
 * {alg: HS256|HS384|HS512, kid, url}, payload the account JWK, signed with
 * the MAC key. Returns a new reference or NULL with err set. */
json_t *jws_eab(const char *alg, const char *kid, const unsigned char *mac_key,
    size_t mac_key_len, json_t *account_jwk, const char *url);

#endif
