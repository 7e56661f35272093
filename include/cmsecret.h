/* cmsecret.h - the key, the CSR and the Secret cert-manager makes for a
 * Certificate (its pkg/util/pki and the issuing controller), built here
 * from the parsed Certificate; the CSR is cmcsr.h's. No I/O.
 */
#ifndef ACMECTL_CMSECRET_H
#define ACMECTL_CMSECRET_H

#include <stddef.h>

#include <openssl/evp.h>

#include "certmanager.h"
#include "cmcert.h"

/* A new private key as spec.privateKey asks: RSA (size 2048 by default,
 * 2048 to 8192), ECDSA (P-256 by default, 384, 521) or Ed25519. Returns it
 * (caller frees) or NULL with ERR_USAGE in cert-manager's words for a size
 * it refuses. */
EVP_PKEY *cm_key_generate(const struct cm_certificate *c);

/* True when key is of the algorithm and size c asks for (rotationPolicy
 * Never keeps an existing key only then). */
bool cm_key_matches(const struct cm_certificate *c, EVP_PKEY *key);

/* key as tls.key in c's encoding: PKCS1 gives "RSA PRIVATE KEY" for RSA,
 * SEC1 "EC PRIVATE KEY" for ECDSA and PKCS#8 for Ed25519; PKCS8 gives
 * "PRIVATE KEY". Returns the PEM (*len bytes, NUL-terminated; caller
 * key_pem_free()s) or NULL with err. */
char *cm_key_pem(const struct cm_certificate *c, EVP_PKEY *key, size_t *len);

/* The Secret the issuing controller of v writes for c: apiVersion v1, kind
 * Secret, type kubernetes.io/tls, metadata name (spec.secretName) and
 * namespace, the cert-manager.io/ annotations read from the leaf of
 * fullchain (common-name, alt-names, ip-sans, uri-sans, always; email-sans
 * when not empty) and certificate-name, issuer-name, issuer-kind,
 * issuer-group; from v1.12.0 the label controller.cert-manager.io/fao;
 * data tls.crt (fullchain as the CA served it) and tls.key, no ca.crt (the
 * ACME issuer never returns one). Returns the YAML (*len bytes; it holds
 * the key: caller key_pem_free()s) or NULL with err when the leaf cannot
 * be read. */
char *cm_secret_yaml(const struct cm_certificate *c, const struct cm_version *v,
    const char *fullchain, const char *key_pem, size_t key_len, size_t *len);

#endif
