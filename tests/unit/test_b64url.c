/* test_b64url.c - base64url encoding, decoding and the token predicate. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "test.h"

/* RFC 4648 section 10 vectors with '=' dropped, plus bytes that hit the
 * two characters where base64url differs from base64 ('-' and '_'). */
static const struct {
	const char *data;
	size_t len;
	const char *b64;
} codec[] = {
	{ "", 0, "" },
	{ "f", 1, "Zg" },
	{ "fo", 2, "Zm8" },
	{ "foo", 3, "Zm9v" },
	{ "foob", 4, "Zm9vYg" },
	{ "fooba", 5, "Zm9vYmE" },
	{ "foobar", 6, "Zm9vYmFy" },
	{ "\xfb\xff", 2, "-_8" },
	{ "\xfb\xef\xbe", 3, "----" },
	{ "\xff\xff\xff", 3, "____" },
	{ "\x00\x00\x00\x00", 4, "AAAAAA" },
	{ "\x00\x10\x83\x10\x51\x87\x20\x92\x8b\x30\xd3\x8f\x41\x14\x93\x51"
	  "\x55\x97\x61\x96\x9b\x71\xd7\x9f\x82\x18\xa3\x92\x59\xa7\xa2\x9a"
	  "\xab\xb2\xdb\xaf\xc3\x1c\xb3\xd3\x5d\xb7\xe3\x9e\xbb\xf3\xdf\xbf",
	  48, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" },
};

/* Inputs decode accepts that encode never produces. */
static const struct {
	const char *b64;
	const char *data;
	size_t len;
} lenient[] = {
	{ "Zg==", "f", 1 },
	{ "Zm8=", "fo", 2 },
	{ "Zm9vYg==", "foob", 4 },
	{ "Zm9v", "foo", 3 },
};

static const char *const rejected[] = {
	"Zg+",        /* base64 '+' is not base64url */
	"Zg/",        /* nor is '/' */
	"++++",
	"Z",          /* len % 4 == 1 cannot encode whole bytes */
	"Zm9vY",
	"Zm9vYmFyZ",
	"Zm 9v",      /* embedded space */
	" Zm9v",
	"Zm9v\n",
	"Zm9v\t",
	"Zg=",        /* padding must complete a quantum */
	"Zg===",
	"Zm9v=",
	"=",
	"Zm=9",       /* padding only at the end */
	"Zm9v.Zg",
	"Zm9v\xc3\xa9",
};

static const struct {
	const char *s;
	bool ok;
} tokens[] = {
	{ "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0", true },
	{ "abc-_XYZ019", true },
	{ "a", true },
	{ "-", true },
	{ "", false },
	{ "a.b", false },
	{ "..", false },
	{ "../etc/passwd", false },
	{ "a/b", false },
	{ "a\\b", false },
	{ "a+b", false },
	{ "abc=", false },
	{ "a b", false },
	{ "abc\n", false },
	{ "t\xc3\xa9st", false },
	{ NULL, false },
};

/* Standard base64 as Kubernetes manifests carry it; NULL: invalid. */
static const struct {
	const char *in;
	const char *out;
} std_rows[] = {
	{ "", "" },
	{ "Zg==", "f" },
	{ "Zm8=", "fo" },
	{ "Zm9v", "foo" },
	{ "Zm9vYmFy", "foobar" },
	{ "Zm9v\nYmFy\r\n", "foobar" },
	{ "+/+/", "\xfb\xff\xbf" },
	{ "Zg", NULL },
	{ "Zg=", NULL },
	{ "Zg===", NULL },
	{ "Zg==Zg==", NULL },
	{ "-_-_", NULL },
	{ "Zm9v YmFy", NULL },
};

/* Standard base64 encoding: padded, one line. */
static const struct {
	const char *data;
	size_t len;
	const char *b64;
} std_enc_rows[] = {
	{ "", 0, "" },
	{ "f", 1, "Zg==" },
	{ "fo", 2, "Zm8=" },
	{ "foo", 3, "Zm9v" },
	{ "foobar", 6, "Zm9vYmFy" },
	{ "\xfb\xff\xbf", 3, "+/+/" },
	{ "\0\0", 2, "AAA=" },
	{ "-----BEGIN RSA PRIVATE KEY-----\n", 32,
	  "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=" },
};

int main(void)
{
	unsigned char *dec;
	char *enc, ctx[64];
	size_t i, len;

	for (i = 0; i < nitems(codec); i++) {
		snprintf(ctx, sizeof(ctx), "codec row %zu", i);
		enc = b64url_encode(codec[i].data, codec[i].len);
		CHECK_STR(enc, codec[i].b64, ctx);
		free(enc);

		len = (size_t)-1;
		dec = b64url_decode(codec[i].b64, &len);
		CHECK(dec != NULL, "%s: decode failed", ctx);
		CHECK_INT(len, codec[i].len, ctx);
		CHECK(dec != NULL && len == codec[i].len &&
		    memcmp(dec, codec[i].data, len) == 0 && dec[len] == '\0',
		    "%s: decoded bytes differ", ctx);
		free(dec);
	}

	for (i = 0; i < nitems(lenient); i++) {
		snprintf(ctx, sizeof(ctx), "lenient \"%s\"", lenient[i].b64);
		dec = b64url_decode(lenient[i].b64, &len);
		CHECK(dec != NULL && len == lenient[i].len &&
		    memcmp(dec, lenient[i].data, len) == 0, "%s", ctx);
		free(dec);
	}

	for (i = 0; i < nitems(rejected); i++) {
		dec = b64url_decode(rejected[i], &len);
		CHECK(dec == NULL, "decode accepted \"%s\"", rejected[i]);
		free(dec);
	}

	for (i = 0; i < nitems(tokens); i++) {
		snprintf(ctx, sizeof(ctx), "token \"%s\"",
		    tokens[i].s != NULL ? tokens[i].s : "(null)");
		CHECK_INT(b64url_is_token(tokens[i].s), tokens[i].ok, ctx);
	}

	/* Every byte value survives a round trip at every alignment. */
	{
		unsigned char all[256];

		for (i = 0; i < sizeof(all); i++)
			all[i] = (unsigned char)i;
		for (i = 0; i < 3; i++) {
			snprintf(ctx, sizeof(ctx), "all bytes, offset %zu", i);
			enc = b64url_encode(all + i, sizeof(all) - i);
			CHECK(b64url_is_token(enc), "%s: not a token", ctx);
			dec = b64url_decode(enc, &len);
			CHECK(dec != NULL && len == sizeof(all) - i &&
			    memcmp(dec, all + i, len) == 0, "%s", ctx);
			free(dec);
			free(enc);
			enc = b64_std_encode(all + i, sizeof(all) - i);
			dec = b64_std_decode(enc, &len);
			CHECK(dec != NULL && len == sizeof(all) - i &&
			    memcmp(dec, all + i, len) == 0, "%s, standard base64", ctx);
			free(dec);
			free(enc);
		}
	}
	for (size_t r = 0; r < nitems(std_rows); r++) {
		size_t got_len = 0;
		unsigned char *got = b64_std_decode(std_rows[r].in, &got_len);

		CHECK_STR((const char *)got, std_rows[r].out, std_rows[r].in);
		if (got != NULL)
			CHECK_INT(got_len, strlen(std_rows[r].out), std_rows[r].in);
		free(got);
	}
	for (size_t r = 0; r < nitems(std_enc_rows); r++) {
		size_t got_len = 0;
		char *got = b64_std_encode(std_enc_rows[r].data, std_enc_rows[r].len);
		unsigned char *back = b64_std_decode(got, &got_len);

		CHECK_STR(got, std_enc_rows[r].b64, std_enc_rows[r].b64);
		CHECK(back != NULL && got_len == std_enc_rows[r].len &&
		    memcmp(back, std_enc_rows[r].data, got_len) == 0,
		    "%s: does not decode back", std_enc_rows[r].b64);
		free(back);
		free(got);
	}
	return test_done();
}
