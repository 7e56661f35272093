/* cmcsr.h - the CSR a cert-manager release builds from a Certificate
 * (its pkg/util/pki GenerateCSR as the requestmanager calls it), and what
 * the API server and cert-manager's webhook refuse in the fields it reads
 * before any CertificateRequest exists. Pure: the parsed Certificate, the
 * release and its feature gates in, DER or text out.
 *
 * What changes by release (each verified in cert-manager's source at the
 * tag):
 *   subject   spec.subject + commonName in Go's pkix.Name order (C, ST, L,
 *             STREET, POSTALCODE, O, OU, CN, SERIALNUMBER), each list one
 *             multi-valued RDN; PrintableString when Go's rule allows it,
 *             else UTF8String. All releases.
 *   SANs      DNS, e-mail, IP, URI, in that order. Not critical up to
 *             v1.13.x; from v1.14.0 critical exactly when the subject is
 *             empty.
 *   KeyUsage  from spec.usages (default digital signature, key
 *             encipherment) plus cert sign with isCA, unless
 *             encodeUsagesInRequest is false (a field from v1.1.0). Present
 *             even when empty up to v1.15.x, left out when empty from
 *             v1.16.0; critical from v1.14.0.
 *   EKU       from spec.usages, not critical; v1.0.x always (an empty list
 *             when none), from v1.1.0 only when a usage asks for one.
 *   BasicConstraints  only behind the gate UseCertificateRequestBasicConstraints
 *             (v1.11.0+, alpha, off by default); critical from v1.14.0.
 *   literalSubject  a field from v1.9.0 behind the gate
 *             LiteralCertificateSubject (alpha, off, to v1.14.x; beta, on,
 *             from v1.15.0): the RFC 4514 string replaces the subject, its
 *             RDNs in reverse order.
 */
#ifndef ACMECTL_CMCSR_H
#define ACMECTL_CMCSR_H

#include <stdbool.h>

#include <openssl/evp.h>

#include "certmanager.h"
#include "cmcert.h"

/* cert-manager's controller and webhook feature gates that change the CSR.
 * A gate a release does not have is false. */
struct cm_csr_gates {
	bool literal_subject;       /* LiteralCertificateSubject */
	bool basic_constraints;     /* UseCertificateRequestBasicConstraints */
};

/* The gates as release v ships them (its defaults). */
void cm_csr_gates_default(const struct cm_version *v, struct cm_csr_gates *g);

/* What refuses c before cert-manager builds a CSR, in the words kubectl
 * prints after "The Certificate ... is invalid: " (the API server, for a
 * usage outside the CRD's enum) or after "admission webhook
 * \"webhook.cert-manager.io\" denied the request: " (the webhook: the
 * literalSubject gate off, literalSubject with commonName). Fills *who with
 * "api-server" or "webhook" (static). NULL when nothing refuses. Caller
 * frees. */
char *cm_csr_refusal(const struct cm_certificate *c, const struct cm_version *v,
    const struct cm_csr_gates *g, const char **who);

/* The commonName release v puts in the CSR: the literalSubject's CN when
 * the gate is on and literalSubject is set, else spec.commonName. NULL when
 * none, or when the literalSubject is one acmectl does not read (err set).
 * Caller frees. */
char *cm_csr_common_name(const struct cm_certificate *c, const struct cm_version *v,
    const struct cm_csr_gates *g);

/* The CSR release v builds for c with gates g, signed by key (SHA-256,
 * -384 or -512 by RSA size or EC curve, none for Ed25519). Returns
 * base64url(DER) (caller frees) or NULL with ERR_USAGE: a usage cert-manager
 * does not know, an IP address Go cannot parse, a literalSubject acmectl
 * does not read (escapes, '#' values, ';': go-ldap's readings of those
 * changed between releases), an attribute OID DER cannot encode, an RSA
 * key too small to sign with its digest. Running out of memory exits as
 * the x* allocators do (oom). */
char *cm_csr_build(const struct cm_certificate *c, const struct cm_version *v,
    const struct cm_csr_gates *g, EVP_PKEY *key);

#endif
