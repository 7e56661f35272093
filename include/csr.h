/* csr.h - PKCS#10 certificate signing requests. */
#ifndef ACMECTL_CSR_H
#define ACMECTL_CSR_H

#include <stddef.h>
#include <openssl/evp.h>

/* Builds a CSR signed by key (SHA-256) whose subjectAltName holds names
 * (DNS names, or IP literals as iPAddress) and whose CN is the first name
 * when it fits 64 bytes and is not an IP literal (CAs read a CN as a DNS
 * name); without a CN the subjectAltName is critical (RFC 5280 4.2.1.6).
 * Names must be non-empty printable ASCII (IDNs as A-labels), key one
 * key.c accepts. Returns base64url(DER), caller frees; NULL with ERR_USAGE
 * for a name that is not. Exits as out of memory (oom) when OpenSSL cannot
 * allocate. */
char *csr_build(EVP_PKEY *key, char *const *names, size_t nnames);

/* Reads a CSR from PEM or DER file path, verifies its self-signature and
 * returns base64url(DER) (caller frees) and the set of names in its SANs and
 * CN in *names (NULL-terminated, caller strv_free()s; lowercased, sorted,
 * unique; iPAddress entries and IP-literal CNs in inet_ntop form; other
 * SAN types are ignored). NULL with ERR_USAGE naming the file on any problem. */
char *csr_load(const char *path, char ***names);

/* csr_load() on the len bytes of data already read from path (which only
 * names the source in messages). Same results. */
char *csr_from_data(const unsigned char *data, size_t len, const char *path,
    char ***names);

#endif
