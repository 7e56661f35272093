/* b64url.h - unpadded base64url (RFC 4648 section 5, RFC 7515 section 2). */
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

#endif
