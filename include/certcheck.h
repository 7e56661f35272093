/* certcheck.h - checks of what the CA returns before acmectl relies on it:
 * the order it created for the identifiers asked for, and the certificate
 * and chain it issued for a CSR. Pure (no I/O; the time is a parameter). */
#ifndef ACMECTL_CERTCHECK_H
#define ACMECTL_CERTCHECK_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

/* How far in the future a new certificate's notBefore may lie: the CA's
 * clock and ours disagree a little. */
#define CERTCHECK_SKEW_S 300

/* Checks the order object the CA answered newOrder with (borrowed): its
 * "identifiers" are exactly the n names asked for (DNS names compared
 * case-insensitively, IP addresses as addresses, in any order) and it lists
 * no more "authorizations" than names. Returns 0, or -1 with ERR_ACME
 * ("the CA's order ...", server text sanitized). */
int certcheck_order(json_t *order, char *const *names, size_t n);

/* Checks a certificate the CA issued, before anything is written: the leaf
 * (PEM) parses; its public key is the key of the CSR that was finalized:
 * key when the caller has it (the certificate key that signed the CSR;
 * borrowed), else the CSR's (csr_b64url, base64url DER, decoded only then:
 * --csr); its subjectAltNames are exactly the n names (as
 * certcheck_order compares them); it is valid at now (notBefore <= now +
 * CERTCHECK_SKEW_S, notAfter > now); every certificate of chain (PEM, the
 * issuers as served; empty only when the CA sent none) parses, and each
 * certificate of leaf + chain names the next as its issuer and is signed
 * by its key. Returns 0, or -1 with ERR_ACME "the CA returned a
 * certificate that <reason>". */
int certcheck_issued(const char *leaf, const char *chain, EVP_PKEY *key,
    const char *csr_b64url, char *const *names, size_t n, time_t now);

/* The most bytes an alternate chain may take: a chain of a few
 * certificates is a few KiB. */
#define CERTCHECK_CHAIN_MAX (64 * 1024)

/* Checks an alternate chain (Link rel="alternate"; len bytes, NUL-
 * terminated) before it may replace the chain of leaf, the issued
 * certificate (PEM) already checked by certcheck_issued: it is at most
 * CERTCHECK_CHAIN_MAX bytes, every PEM certificate of it parses,
 * its first is leaf, and each certificate names the next as its issuer
 * and is signed by its key. Returns 0, or -1 with ERR_ACME and a reason
 * that reads after "the alternate chain URL " ("holds no PEM
 * certificate", "is a chain that does not link: ..."). */
int certcheck_alternate(const char *leaf, const char *alternate, size_t len);

#endif
