/* test_knownca.c - the well-known CAs: name -> directory URL, staging and
 * EAB, and what cli_server_url makes of a --server value. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "err.h"
#include "knownca.h"
#include "test.h"


/* --server VALUE -> URL (NULL: refused with ERR_USAGE) */
static const struct {
	const char *value;
	const char *url;
} servers[] = {
	{ "letsencrypt", "https://acme-v02.api.letsencrypt.org/directory" },
	{ "letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory" },
	{ "zerossl", "https://acme.zerossl.com/v2/DV90" },
	{ "buypass", "https://api.buypass.com/acme/directory" },
	{ "buypass-test", "https://api.test4.buypass.no/acme/directory" },
	{ "google", "https://dv.acme-v02.api.pki.goog/directory" },
	{ "google-staging", "https://dv.acme-v02.test-api.pki.goog/directory" },
	{ "https://ca.example/dir", "https://ca.example/dir" },
	{ "Google", NULL },
	{ "zerossl ", NULL },
	{ "buypass-staging", NULL },
	{ "le", NULL },
	{ "", NULL },
	{ "http://ca.example/dir", NULL },
};

/* directory URL -> staging, needs EAB (unknown URLs: neither) */
static const struct {
	const char *url;
	const char *name;
	bool staging;
	bool needs_eab;
} urls[] = {
	{ "https://acme-v02.api.letsencrypt.org/directory", "letsencrypt", false, false },
	{ "https://acme-staging-v02.api.letsencrypt.org/directory", "letsencrypt-staging",
	    true, false },
	{ "https://acme.zerossl.com/v2/DV90", "zerossl", false, true },
	{ "https://api.buypass.com/acme/directory", "buypass", false, false },
	{ "https://api.test4.buypass.no/acme/directory", "buypass-test", true, false },
	{ "https://dv.acme-v02.api.pki.goog/directory", "google", false, true },
	{ "https://dv.acme-v02.test-api.pki.goog/directory", "google-staging", true, true },
	{ "https://dv.acme-v02.api.pki.goog/directory/", NULL, false, false },
	{ "https://localhost:14000/dir", NULL, false, false },
};

int main(void)
{
	const struct known_ca *ca;

	for (size_t i = 0; i < nitems(servers); i++) {
		err_clear();
		CHECK_STR(cli_server_url(servers[i].value), servers[i].url, servers[i].value);
		CHECK_INT(err_kind(), servers[i].url ? ERR_NONE : ERR_USAGE, servers[i].value);
	}
	for (size_t i = 0; i < nitems(urls); i++) {
		ca = known_ca_by_url(urls[i].url);
		CHECK_STR(ca ? ca->name : NULL, urls[i].name, urls[i].url);
		CHECK(ca == NULL || (ca->staging == urls[i].staging &&
		    ca->needs_eab == urls[i].needs_eab),
		    "%s: staging %d, needs EAB %d", urls[i].url, urls[i].staging, urls[i].needs_eab);
		/* every name the message lists is one the map knows */
		CHECK(ca == NULL || strstr(known_ca_names(), ca->name) != NULL,
		    "%s is missing from known_ca_names()", ca ? ca->name : "");
	}
	return test_done();
}
