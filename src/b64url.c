/* b64url.c - unpadded base64url (RFC 4648 section 5, RFC 7515 section 2),
 * and standard base64 for Kubernetes manifests. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <openssl/crypto.h>

#include "b64url.h"
#include "util.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The 6-bit value of c in the base64 alphabet whose last two characters are
 * c62 and c63 ("-_" for base64url, "+/" for standard base64), or -1. */
static int sextet(unsigned char c, char c62, char c63)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (unsigned char)c62)
		return 62;
	if (c == (unsigned char)c63)
		return 63;
	return -1;
}

static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Encodes len bytes with the 64 characters of abc, '='-padded when pad. */
static char *encode(const void *data, size_t len, const char *abc, bool pad)
{
	const unsigned char *in = data;
	char *out, *p;
	size_t i;

	out = xmalloc(len / 3 * 4 + 4 + 1);
	p = out;
	for (i = 0; i + 3 <= len; i += 3) {
		*p++ = abc[in[i] >> 2];
		*p++ = abc[((in[i] & 0x03) << 4) | (in[i + 1] >> 4)];
		*p++ = abc[((in[i + 1] & 0x0f) << 2) | (in[i + 2] >> 6)];
		*p++ = abc[in[i + 2] & 0x3f];
	}
	if (len - i == 1) {
		*p++ = abc[in[i] >> 2];
		*p++ = abc[(in[i] & 0x03) << 4];
		if (pad) {
			*p++ = '=';
			*p++ = '=';
		}
	} else if (len - i == 2) {
		*p++ = abc[in[i] >> 2];
		*p++ = abc[((in[i] & 0x03) << 4) | (in[i + 1] >> 4)];
		*p++ = abc[(in[i + 1] & 0x0f) << 2];
		if (pad)
			*p++ = '=';
	}
	*p = '\0';
	return out;
}

char *b64url_encode(const void *data, size_t len)
{
	return encode(data, len, alphabet, false);
}

char *b64_std_encode(const void *data, size_t len)
{
	return encode(data, len, std_alphabet, true);
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
		if ((v = sextet((unsigned char)s[i], '-', '_')) < 0) {
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
		if (sextet((unsigned char)*s, '-', '_') < 0)
			return false;
	return true;
}

unsigned char *b64_std_decode(const char *s, size_t *outlen)
{
	size_t len = strlen(s), n = 0, o = 0, pad = 0;
	unsigned char *out = xmalloc(len / 4 * 3 + 3 + 1);
	unsigned int acc = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;

		if (c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
			n++;
			continue;
		}
		if (pad > 0 || (v = sextet(c, '+', '/')) < 0)
			goto bad;
		acc = (acc << 6) | (unsigned int)v;
		n++;
		if (n % 4 == 0) {
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			acc = 0;
		}
	}
	if (n % 4 != 0 || pad > 2)
		goto bad;
	if (pad == 2) {
		out[o++] = (unsigned char)(acc >> 4);
	} else if (pad == 1) {
		out[o++] = (unsigned char)(acc >> 10);
		out[o++] = (unsigned char)(acc >> 2);
	}
	out[o] = '\0';
	*outlen = o;
	return out;
bad:
	OPENSSL_cleanse(out, len / 4 * 3 + 3 + 1);
	free(out);
	return NULL;
}
