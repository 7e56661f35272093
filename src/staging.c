/* staging.c - staging servers and certificates (see staging.h). */
#include "config.h"

#include <string.h>

#include "knownca.h"
#include "staging.h"

#define STAGING_PREFIX "(STAGING)"

/* True when the comma-separated list holds url as one element, blanks
 * around elements ignored. */
static bool in_list(const char *list, const char *url)
{
	size_t len = strlen(url), n;
	const char *p = list;

	while (p != NULL && *p != '\0') {
		p += strspn(p, " \t,");
		n = strcspn(p, ",");
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == len && n > 0 && strncmp(p, url, n) == 0)
			return true;
		p = strchr(p, ',');
	}
	return false;
}

bool staging_server(const char *url, const char *configured)
{
	if (url == NULL)
		return false;
	const struct known_ca *ca = known_ca_by_url(url);

	return (ca != NULL && ca->staging) || (configured != NULL && in_list(configured, url));
}

bool staging_issuer(const char *issuer)
{
	const char *cn = NULL, *p;

	for (p = issuer; p != NULL && (p = strstr(p, "/CN=")) != NULL; p += 4)
		cn = p + 4;
	return cn != NULL && strncmp(cn, STAGING_PREFIX, strlen(STAGING_PREFIX)) == 0;
}

const char *staging_counterpart(const char *url, const char *configured)
{
	if (strcmp(url, LETSENCRYPT_URL) == 0)
		return LETSENCRYPT_STAGING_URL;
	if (staging_server(url, configured))
		return url;
	return NULL;
}
