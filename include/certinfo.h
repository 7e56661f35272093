/* certinfo.h - what acmectl needs to know about an issued certificate:
 * its validity window and names, and whether it is due for renewal. */
#ifndef ACMECTL_CERTINFO_H
#define ACMECTL_CERTINFO_H

#include <stdbool.h>
#include <time.h>

struct certinfo {
	time_t not_before;
	time_t not_after;
	char **names;     /* SAN DNS names and IP addresses, NULL-terminated */
	char *issuer;     /* one-line issuer DN */
	char *serial;     /* hex */
	char *ari_id;     /* RFC 9773 identifier; NULL when it has none (no AKI) */
};

/* Parses the first certificate of a PEM text, once for everything asked of
 * it (OpenSSL 3 decodes the public key of every certificate it parses:
 * ~1.3 M instructions). 0, or -1 with ERR_STORAGE naming `what`. Release
 * with certinfo_clear (also after failure). */
int certinfo_parse(const char *pem, const char *what, struct certinfo *out);

/* What renew needs of the first certificate of a PEM text: not_before,
 * not_after, ari_id and issuer, read from its DER without decoding its
 * public key or names (a fraction of certinfo_parse's cost; names and
 * serial stay NULL). Agrees with certinfo_parse on every certificate both
 * read, except that a certificate with an extension OpenSSL cannot decode
 * still has its ARI id here (certinfo_parse gives none: OpenSSL then
 * refuses its AKI); asking the CA about it is harmless. Being strict DER
 * where OpenSSL is lenient (an extensions SEQUENCE tagged primitive), it
 * may find no ARI id where certinfo_parse finds one: that certificate is
 * then renewed by its dates alone. 0, or -1 with
 * ERR_STORAGE naming `what`. Release with certinfo_clear (also after
 * failure). */
int certinfo_parse_window(const char *pem, const char *what, struct certinfo *out);

void certinfo_clear(struct certinfo *ci);

/* The issuer CN of each certificate of a PEM chain, in order, up to the
 * first PEM block that is not a certificate: the first CN of the issuer's
 * name, its first 255 bytes, "" when it has none (or an empty one).
 * NULL-terminated, possibly empty; caller strv_free()s. Records nothing in
 * err. The two below are read from it. */
char **certinfo_chain_issuer_cns(const char *pem_chain);

/* The issuer CN of the last certificate in a PEM chain (the top of the
 * chain, cert-manager's preferredChain match), or NULL when there is none.
 * Caller frees. Records nothing in err. */
char *certinfo_top_issuer_cn(const char *pem_chain);

/* True when some certificate of a PEM chain has cn as its issuer's CN. */
bool certinfo_chain_has_issuer_cn(const char *pem_chain, const char *cn);

/* Pure renewal rule: due when fewer than `days` days are left (days >= 0),
 * else when less than a third of the lifetime is left (a half for lifetimes
 * of 10 days or less). */
bool cert_is_due(time_t not_before, time_t not_after, time_t now, long days);

/* The first moment cert_is_due() holds for this certificate and days. */
time_t cert_due_at(time_t not_before, time_t not_after, long days);

#endif
