/* b64url.c - unpadded base64url (RFC 4648 section 5, RFC 7515 section 2). */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <openssl/crypto.h>

#include "b64url.h"
#include "util.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The 6-bit value of c, or -1 when c is outside the base64url alphabet. */
static int sextet(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

char *b64url_encode(const void *data, size_t len)
{
	const unsigned char *in = data;
	char *out, *p;
	size_t i;

	out = xmalloc(len / 3 * 4 + 4 + 1);
	p = out;
	for (i = 0; i + 3 <= len; i += 3) {
		*p++ = alphabet[in[i] >> 2];
		*p++ = alphabet[((in[i] & 0x03) << 4) | (in[i + 1] >> 4)];
		*p++ = alphabet[((in[i + 1] & 0x0f) << 2) | (in[i + 2] >> 6)];
		*p++ = alphabet[in[i + 2] & 0x3f];
	}
	if (len - i == 1) {
		*p++ = alphabet[in[i] >> 2];
		*p++ = alphabet[(in[i] & 0x03) << 4];
	} else if (len - i == 2) {
		*p++ = alphabet[in[i] >> 2];
		*p++ = alphabet[((in[i] & 0x03) << 4) | (in[i + 1] >> 4)];
		*p++ = alphabet[(in[i + 1] & 0x0f) << 2];
	}
	*p = '\0';
	return out;
}

unsigned char *b64url_decode(const char *s, size_t *outlen)
{
	unsigned char *out;
	size_t len, datalen, i, n;
	unsigned int acc;
	int bits, v;

	len = strlen(s);
	datalen = len;
	while (datalen > 0 && s[datalen - 1] == '=')
		datalen--;
	/* Padding, when present, must be the exact RFC 4648 padding. */
	if (datalen != len && (len - datalen > 2 || len % 4 != 0))
		return NULL;
	if (datalen % 4 == 1)
		return NULL;

	out = xmalloc(datalen / 4 * 3 + 3 + 1);
	n = 0;
	acc = 0;
	bits = 0;
	for (i = 0; i < datalen; i++) {
		if ((v = sextet((unsigned char)s[i])) < 0) {
			/* The input may be a secret (an EAB MAC key). */
			OPENSSL_cleanse(out, n);
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	out[n] = '\0';
	if (outlen != NULL)
		*outlen = n;
	return out;
}

bool b64url_is_token(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (sextet((unsigned char)*s) < 0)
			return false;
	return true;
}
