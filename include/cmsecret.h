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

/* What the keymanager of release v does with the tls.key value of the
 * Certificate's existing Secret under rotationPolicy Never. */
enum cm_key_fate {
	CM_KEY_GENERATE,            /* none (or empty): a new key, event Generated */
	CM_KEY_UNDECODABLE,         /* Warning DecodeFailed, then a new key */
	CM_KEY_MISMATCH,            /* a Warning event, and no issuance: user intervention */
	CM_KEY_REUSE,               /* event Reused */
};

struct cm_existing_key {
	enum cm_key_fate fate;
	EVP_PKEY *key;              /* CM_KEY_REUSE: the key (owned); else NULL */
	char *why;                  /* CM_KEY_UNDECODABLE: why, in Go's words as far as known */
	const char *event_reason;   /* static: DecodeFailed, CannotRegenerateKey; NULL */
	char *event_message;        /* the Warning event's message, or NULL */
};

/* Decodes data (len bytes; NULL or empty: no key) as cert-manager's
 * DecodePrivateKeyBytes does, then compares it with c's spec.privateKey as
 * PrivateKeyMatchesSpec does: the first PEM block only (headers, i.e. an
 * encrypted key, fail), of type PRIVATE KEY (RSA, ECDSA, Ed25519), EC
 * PRIVATE KEY (P-224 to P-521) or RSA PRIVATE KEY (checked); more than
 * 13000 bytes fail from v1.15.4, v1.16.2 and v1.17.0. The encoding (PKCS#1
 * or PKCS#8) is no violation: the Secret is written in the spec's. The
 * events' texts are release v's (CannotRegenerateKey from v1.9.0; before,
 * DecodeFailed with a shorter text). secret names the Secret. Fills out
 * (cm_existing_key_clear()); never fails. Never asks for a passphrase. */
void cm_existing_key_check(const struct cm_certificate *c, const struct cm_version *v,
    const char *secret, const unsigned char *data, size_t len, struct cm_existing_key *out);

/* Frees what out holds and zeroes it. */
void cm_existing_key_clear(struct cm_existing_key *out);

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
