/* test_staging.c - staging_server, staging_issuer, staging_counterpart
 * against tables. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "staging.h"
#include "test.h"

#define LE LETSENCRYPT_URL
#define LES LETSENCRYPT_STAGING_URL

static const struct {
	const char *url;
	const char *configured;   /* staging-servers of the config file */
	bool staging;
} servers[] = {
	{ LES, NULL, true },
	{ LE, NULL, false },
	{ "https://api.test4.buypass.no/acme/directory", NULL, true },
	{ "https://dv.acme-v02.test-api.pki.goog/directory", NULL, true },
	{ "https://api.buypass.com/acme/directory", NULL, false },
	{ "https://dv.acme-v02.api.pki.goog/directory", NULL, false },
	{ "https://acme.zerossl.com/v2/DV90", NULL, false },
	{ "https://pebble.test:14000/dir", NULL, false },
	{ "https://pebble.test:14000/dir", "https://pebble.test:14000/dir", true },
	{ "https://pebble.test:14000/dir", " https://a.test/dir ,  https://pebble.test:14000/dir ", true },
	{ "https://pebble.test:14000/dir", "https://pebble.test:14000/dir/", false },
	{ "https://pebble.test:14000/dir", "https://pebble.test:14000", false },
	{ "https://pebble.test", "https://pebble.test:14000/dir", false },
	{ "https://a.test/dir", ",,", false },
	{ LE, "", false },
};

static const struct {
	const char *issuer;
	bool staging;
} issuers[] = {
	{ "/C=US/O=(STAGING) Let's Encrypt/CN=(STAGING) Ersatz Edamame E1", true },
	{ "/C=US/O=Let's Encrypt/CN=E5", false },
	{ "/CN=Pebble Intermediate CA 4e1a", false },
	{ "/O=x/CN=(STAGING)/CN=Real CA", false },
	{ "/O=(STAGING) Let's Encrypt", false },
	{ "/CN=(staging) lower case", false },
	{ "", false },
	{ NULL, false },
};

static const struct {
	const char *url;
	const char *configured;
	const char *counterpart;
} counterparts[] = {
	{ LE, NULL, LES },
	{ LES, NULL, LES },
	{ "https://pebble.test/dir", NULL, NULL },
	{ "https://pebble.test/dir", "https://pebble.test/dir", "https://pebble.test/dir" },
};

int main(void)
{
	for (size_t i = 0; i < nitems(servers); i++)
		CHECK(staging_server(servers[i].url, servers[i].configured) == servers[i].staging,
		    "%s with staging-servers \"%s\" should %sbe staging", servers[i].url,
		    servers[i].configured ? servers[i].configured : "(unset)",
		    servers[i].staging ? "" : "not ");
	for (size_t i = 0; i < nitems(issuers); i++)
		CHECK(staging_issuer(issuers[i].issuer) == issuers[i].staging,
		    "issuer \"%s\" should %sbe staging",
		    issuers[i].issuer ? issuers[i].issuer : "(null)",
		    issuers[i].staging ? "" : "not ");
	for (size_t i = 0; i < nitems(counterparts); i++)
		CHECK_STR(staging_counterpart(counterparts[i].url, counterparts[i].configured),
		    counterparts[i].counterpart, counterparts[i].url);
	return test_done();
}
