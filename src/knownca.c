/* knownca.c - the well-known CAs by name (see knownca.h). */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "err.h"
#include "knownca.h"
#include "util.h"

/* The directory URLs as the CAs publish them, checked against
 * https://go-acme.github.io/lego/advanced/caservers/ (Let's Encrypt,
 * Google Trust Services), https://github.com/acmesh-official/acme.sh/wiki/
 * BuyPass.com-CA (Buypass and its test4 environment) and
 * https://github.com/acmesh-official/acme.sh/wiki/ZeroSSL.com-CA (ZeroSSL,
 * which like Google binds every account to one of its own: EAB). */
static const struct known_ca cas[] = {
	{ "letsencrypt", "https://acme-v02.api.letsencrypt.org/directory", false, false },
	{ "letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory",
	    true, false },
	{ "zerossl", "https://acme.zerossl.com/v2/DV90", false, true },
	{ "buypass", "https://api.buypass.com/acme/directory", false, false },
	{ "buypass-test", "https://api.test4.buypass.no/acme/directory", true, false },
	{ "google", "https://dv.acme-v02.api.pki.goog/directory", false, true },
	{ "google-staging", "https://dv.acme-v02.test-api.pki.goog/directory", true, true },
};

#define NCAS (nitems(cas))

const struct known_ca *known_ca_by_name(const char *name)
{
	for (size_t i = 0; i < NCAS; i++)
		if (strcmp(cas[i].name, name) == 0)
			return &cas[i];
	return NULL;
}

const struct known_ca *known_ca_by_url(const char *url)
{
	for (size_t i = 0; url != NULL && i < NCAS; i++)
		if (strcmp(cas[i].url, url) == 0)
			return &cas[i];
	return NULL;
}

const char *known_ca_names(void)
{
	return "letsencrypt, letsencrypt-staging, zerossl, buypass, buypass-test, google, "
	    "google-staging";
}

int known_ca_check_eab(const char *url, bool have_eab)
{
	const struct known_ca *ca = known_ca_by_url(url);

	if (ca == NULL || !ca->needs_eab || have_eab)
		return 0;
	err_set(ERR_USAGE, "%s (%s) requires an external account binding: --eab-kid/"
	    "--eab-hmac-key on account register, with the key id and HMAC key from "
	    "your account at the CA", ca->name, ca->url);
	return -1;
}
