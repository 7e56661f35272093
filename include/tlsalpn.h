/* tlsalpn.h - answering tls-alpn-01 challenges (RFC 8737) with a built-in
 * TLS responder: it completes a handshake only for a client offering the
 * ALPN protocol "acme-tls/1" and naming, by SNI, an identifier it has
 * published, and then shows that identifier's self-signed certificate with
 * the critical id-pe-acmeIdentifier extension. */
#ifndef ACMECTL_TLSALPN_H
#define ACMECTL_TLSALPN_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

struct tlsalpn;

/* Starts the responder on addr ("PORT", "ADDR:PORT", "[V6]:PORT"; no ADDR:
 * all addresses), serving from a thread of its own from now until
 * tlsalpn_free. A handshake without "acme-tls/1" among the offered
 * protocols, without SNI or for a name not published is refused with a
 * fatal alert; a client slower than 5 s is dropped; the responder keeps
 * serving others meanwhile. Returns the solver or NULL with err set
 * (ERR_USAGE for a bad addr, ERR_NETWORK when it cannot listen). */
struct tlsalpn *tlsalpn_start(const char *addr);

/* Publishes the certificate answering the challenge of identifier name (a
 * DNS name, or an IP address, which a validator names by its reverse
 * "in-addr.arpa"/"ip6.arpa" name as RFC 8738 says) for key authorization
 * keyauth; publishing a name again replaces its certificate. At most 128
 * names at once (else ERR_USAGE). Returns 0 or -1 with err. */
int tlsalpn_publish(struct tlsalpn *t, const char *name, const char *keyauth);

/* Forgets every published certificate: handshakes for them fail from now. */
void tlsalpn_withdraw_all(struct tlsalpn *t);

/* Stops the responder, closes its socket, frees. NULL is fine. */
void tlsalpn_free(struct tlsalpn *t);

/* The self-signed certificate RFC 8737 section 3 asks for, made with key:
 * a subjectAltName holding only name (dNSName, or iPAddress for an IP),
 * and the critical id-pe-acmeIdentifier (1.3.6.1.5.5.7.1.31) extension
 * whose value is the DER OCTET STRING of SHA-256(keyauth); valid from an
 * hour ago for a week. Returns it (caller X509_free()s) or NULL with err. */
X509 *tlsalpn_cert(EVP_PKEY *key, const char *name, const char *keyauth);

/* The name a validator sends by SNI for identifier name: name itself, or
 * an IP address's reverse-mapping name. Caller frees; NULL when name is
 * an IP address that cannot be parsed. */
char *tlsalpn_sni_name(const char *name);

/* True when the body of a ClientHello's ALPN extension (RFC 7301: a
 * 2-byte length, then length-prefixed names), data[0..len-1] as the peer
 * sent it, is well formed and offers "acme-tls/1". */
bool tlsalpn_offers_acme(const unsigned char *data, size_t len);

/* The host name in the body of a ClientHello's server_name extension (RFC
 * 6066), data[0..len-1] as the peer sent it, copied to out (size bytes,
 * NUL-terminated, lower-cased): true when the body is well formed and
 * names one host_name of 1 to 253 printable, non-space characters that
 * fits. */
bool tlsalpn_hello_sni(const unsigned char *data, size_t len, char *out, size_t size);

#endif
