/* test_ident.c - ident_validate/type/normalize/cert_name over one table. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "ident.h"
#include "test.h"

#define L63 "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123"
#define L64 L63 "4"
/* 4 * 63 + 3 dots = 255 characters; the 253-character name drops 2. */
#define N253 L63 "." L63 "." L63 "." "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1"
#define N254 N253 "2"

static const struct {
	const char *name;
	bool valid;
	const char *type;       /* for valid names */
	const char *normalized;
	const char *cert_name;
	const char *message;    /* fragment of the error, for invalid names */
} rows[] = {
	{ "example.org", true, "dns", "example.org", "example.org", NULL },
	{ "Example.ORG", true, "dns", "example.org", "example.org", NULL },
	{ "www.example.org", true, "dns", "www.example.org", "www.example.org", NULL },
	{ "localhost", true, "dns", "localhost", "localhost", NULL },
	{ "a", true, "dns", "a", "a", NULL },
	{ "a-b.c-d.e", true, "dns", "a-b.c-d.e", "a-b.c-d.e", NULL },
	{ "0day.example", true, "dns", "0day.example", "0day.example", NULL },
	{ "1.2.3.example", true, "dns", "1.2.3.example", "1.2.3.example", NULL },
	{ "*.example.org", true, "dns", "*.example.org", "example.org", NULL },
	{ "*.EXAMPLE.org", true, "dns", "*.example.org", "example.org", NULL },
	{ "xn--bcher-kva.example", true, "dns", "xn--bcher-kva.example",
	  "xn--bcher-kva.example", NULL },
	{ "XN--BCHER-KVA.example", true, "dns", "xn--bcher-kva.example",
	  "xn--bcher-kva.example", NULL },
	{ L63 ".example", true, "dns", L63 ".example", L63 ".example", NULL },
	{ N253, true, "dns", N253, N253, NULL },
	{ "192.0.2.1", true, "ip", "192.0.2.1", "192.0.2.1", NULL },
	{ "0.0.0.0", true, "ip", "0.0.0.0", "0.0.0.0", NULL },
	{ "::1", true, "ip", "::1", "--1", NULL },
	{ "2001:DB8:0:0:0:0:0:1", true, "ip", "2001:db8::1", "2001-db8--1", NULL },
	{ "2001:db8::0:1", true, "ip", "2001:db8::1", "2001-db8--1", NULL },
	{ "::ffff:192.0.2.1", true, "ip", "::ffff:192.0.2.1", "--ffff-192.0.2.1", NULL },

	{ "", false, NULL, NULL, NULL, "invalid name \"\": empty name" },
	{ "a..b", false, NULL, NULL, NULL, "invalid name \"a..b\": empty label" },
	{ ".example.org", false, NULL, NULL, NULL, "empty label" },
	{ "example.org.", false, NULL, NULL, NULL, "trailing dot not allowed" },
	{ L64 ".example", false, NULL, NULL, NULL, "label longer than 63 characters" },
	{ N254, false, NULL, NULL, NULL, "longer than 253 characters" },
	{ "a_b.example", false, NULL, NULL, NULL,
	  "invalid name \"a_b.example\": character '_' not allowed" },
	{ "_acme-challenge.example", false, NULL, NULL, NULL, "character '_' not allowed" },
	{ "a b.example", false, NULL, NULL, NULL, "character ' ' not allowed" },
	{ " example.org", false, NULL, NULL, NULL, "character ' ' not allowed" },
	{ "example.org/x", false, NULL, NULL, NULL, "character '/' not allowed" },
	{ "a\nb.example", false, NULL, NULL, NULL,
	  "invalid name \"a\\x0ab.example\": control character not allowed" },
	{ "b\xc3\xbc" "cher.example", false, NULL, NULL, NULL, "xn-- A-labels" },
	{ "-a.example", false, NULL, NULL, NULL, "label \"-a\" begins or ends with a hyphen" },
	{ "a-.example", false, NULL, NULL, NULL, "begins or ends with a hyphen" },
	{ "ab--c.example", false, NULL, NULL, NULL, "\"--\" in positions 3-4" },
	{ "*", false, NULL, NULL, NULL, "a wildcard needs a domain" },
	{ "*.", false, NULL, NULL, NULL, "trailing dot not allowed" },
	{ "a*.example", false, NULL, NULL, NULL, "'*' must be the whole leftmost label" },
	{ "*a.example", false, NULL, NULL, NULL, "'*' must be the whole leftmost label" },
	{ "www.*.example", false, NULL, NULL, NULL, "'*' must be the whole leftmost label" },
	{ "*.*.example", false, NULL, NULL, NULL, "'*' must be the whole leftmost label" },
	{ "1.2.3.999", false, NULL, NULL, NULL, "top-level label cannot be all digits" },
	{ "192.0.2.01", false, NULL, NULL, NULL, "top-level label cannot be all digits" },
	{ "*.192.0.2.1", false, NULL, NULL, NULL, "top-level label cannot be all digits" },
	{ "[::1]", false, NULL, NULL, NULL, "character '[' not allowed" },
	{ "2001:db8::g", false, NULL, NULL, NULL, "character ':' not allowed" },
	{ "fe80::1%eth0", false, NULL, NULL, NULL, "character ':' not allowed" },
	{ "example.org:443", false, NULL, NULL, NULL, "character ':' not allowed" },
};

int main(void)
{
	size_t i;

	for (i = 0; i < nitems(rows); i++) {
		const char *name = rows[i].name;
		char *norm, *cert;
		int rc;

		err_clear();
		rc = ident_validate(name);
		CHECK_INT(rc, rows[i].valid ? 0 : -1, name);
		if (!rows[i].valid) {
			CHECK_INT(err_kind(), ERR_USAGE, name);
			CHECK(strstr(err_message(), rows[i].message) != NULL,
			    "row %zu: message \"%s\" lacks \"%s\"", i,
			    err_message(), rows[i].message);
			continue;
		}
		CHECK_INT(err_kind(), ERR_NONE, name);
		CHECK_STR(ident_type(name), rows[i].type, name);
		CHECK_INT(ident_is_ip(name), strcmp(rows[i].type, "ip") == 0, name);
		norm = ident_normalize(name);
		CHECK_STR(norm, rows[i].normalized, name);
		cert = ident_cert_name(name);
		CHECK_STR(cert, rows[i].cert_name, name);
		free(norm);
		free(cert);
	}
	CHECK(strlen(N253) == 253 && strlen(L63) == 63, "test constants are off");
	return test_done();
}
