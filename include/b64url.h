/* b64url.h - unpadded base64url (RFC 4648 section 5, RFC 7515 section 2),
 * and the standard base64 Kubernetes manifests need. */
#ifndef ACMECTL_B64URL_H
#define ACMECTL_B64URL_H

#include <stdbool.h>
#include <stddef.h>

/* Encodes len bytes without padding. Returns a new NUL-terminated string;
 * caller frees. Never NULL. */
char *b64url_encode(const void *data, size_t len);

/* Decodes an unpadded base64url string (complete RFC 4648 padding, "Zg==",
 * is tolerated; partial padding, "Zg=", is not).
 * Returns a new buffer (NUL-terminated for convenience, *outlen excludes the
 * NUL) or NULL when s holds a character outside the alphabet or an
 * impossible length. Caller frees. Records nothing in err. */
unsigned char *b64url_decode(const char *s, size_t *outlen);

/* True when s is non-empty and every character is in [A-Za-z0-9_-]:
 * the check an ACME token passes before it becomes a file name. */
bool b64url_is_token(const char *s);

/* Decodes padded standard base64 (RFC 4648 section 4) the way Go's
 * base64.StdEncoding does, line breaks skipped: Kubernetes Secret data and
 * caBundle fields. Returns a new NUL-terminated buffer of *outlen bytes, or
 * NULL when s is not valid. Caller wipes (it may be a key) and frees. */
unsigned char *b64_std_decode(const char *s, size_t *outlen);

/* Encodes len bytes as padded standard base64 (RFC 4648 section 4) on one
 * line: Secret data as the API server stores it. Returns a new
 * NUL-terminated string; caller frees (and wipes it when data was a
 * secret). Never NULL. */
char *b64_std_encode(const void *data, size_t len);

#endif
