/* revoke.h - certificate revocation (RFC 8555 section 7.6) and the mark a
 * revoked certificate gets in the state directory.
 *
 * The mark is a member of STATE/certs/NAME/issuance.json:
 *   "revoked": {"at": "2025-01-31T12:00:00Z", "reason": 0}
 * (reason is the RFC 5280 CRLReason code sent, 0 "unspecified" when none
 * was). renew skips a certificate so marked; list shows it as revoked.
 */
#ifndef ACMECTL_REVOKE_H
#define ACMECTL_REVOKE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "acme.h"

/* The DER of the first certificate in PEM text. Returns a new buffer of
 * *len bytes (caller frees), or NULL with ERR_USAGE naming `what` when the
 * text holds no certificate. */
unsigned char *revoke_cert_der(const char *pem, const char *what, size_t *len);

/* True when key is the private key of the certificate der (len bytes). */
bool revoke_key_matches(const unsigned char *der, size_t len, EVP_PKEY *key);

/* Asks the server to revoke the certificate der (len bytes) with reason, an
 * RFC 5280 CRLReason code, or -1 to send none. With cert_key NULL the request
 * is signed for the account a is set to (kid); else it is signed by
 * cert_key, the certificate's own key (jwk), and a is left set to cert_key
 * without an account (borrowed; must outlive its use). Returns 0, or -1 with
 * err set: ERR_ACME with the server's problem (alreadyRevoked, unauthorized,
 * badRevocationReason...), ERR_NETWORK when no answer came. */
int revoke_cert(struct acme *a, const unsigned char *der, size_t len, int reason,
    EVP_PKEY *cert_key);

/* Marks certificate name under state as revoked at time at with reason (-1
 * is recorded as 0, "unspecified", what the server assumes when none is
 * sent): rewrites its issuance.json atomically with the "revoked" member
 * above. A mark already there is kept as it is (the first revocation wins).
 * Returns 0, or -1 with err set (ERR_STORAGE; ERR_USAGE for a bad name). */
int revoke_mark(const char *state, const char *name, int reason, time_t at);

/* True when the issuance record (issuance.json) carries the revoked mark. */
bool revoke_is_marked(json_t *issuance);

#endif
