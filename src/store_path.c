/* store_path.c - where the state directory is and the paths in it: the
 * default directory, account ids, and the path builders that are the only
 * place a path into the state is made (the layout is drawn in store.h). */
#include "config.h"

#include <ctype.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <idn2.h>

#include "err.h"
#include "store.h"
#include "util.h"

char *store_default_dir(void)
{
	const char *xdg, *home;
	struct passwd *pw;

	if (geteuid() == 0)
		return xstrdup("/var/lib/acmectl");
	xdg = getenv("XDG_STATE_HOME");
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/acmectl", xdg);
	home = getenv("HOME");
	if (home == NULL || home[0] == '\0') {
		pw = getpwuid(geteuid());
		home = pw != NULL ? pw->pw_dir : NULL;
	}
	if (home == NULL || home[0] == '\0') {
		err_set(ERR_STORAGE, "cannot find a state directory: "
		    "HOME is not set; use --state-dir");
		return NULL;
	}
	return xasprintf("%s/.local/state/acmectl", home);
}

/* A host as it may appear in a file name: [a-z0-9._-], not "." or "..". */
static bool host_is_safe(const char *host)
{
	const char *p;

	if (host[0] == '\0' || host[0] == '.')
		return false;
	for (p = host; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr(".-_", *p) == NULL)
			return false;
	return true;
}

/* True when s holds a byte outside ASCII. */
static bool has_non_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

/* Refuses url, whose host is not ASCII, naming the A-label to give
 * instead: accounts are kept by host as DNS and certificates spell it, and
 * acmectl reads no locale (its ctype calls stay ASCII), so the conversion
 * is IDNA2008 from UTF-8, the same in every locale. */
static void refuse_unicode_host(const char *url, const char *host)
{
	char *ace = NULL;

	if (idn2_lookup_u8((const uint8_t *)host, (uint8_t **)&ace,
	    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) == IDN2_OK)
		err_set(ERR_USAGE, "invalid ACME directory URL \"%s\": the host is not "
		    "ASCII; give it as its A-label, %s", url, ace);
	else
		err_set(ERR_USAGE, "invalid ACME directory URL \"%s\": the host is not "
		    "ASCII, and not a valid internationalized name", url);
	idn2_free(ace);
}

char *store_account_id(const char *url)
{
	const char *auth, *end, *at, *hostp, *hostend, *port = NULL;
	char *host = NULL, *id = NULL, *p;
	size_t portlen = 0;
	long portnum;

	auth = strstr(url, "://");
	if (auth == NULL)
		goto bad;
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	/* userinfo ends at the last '@' of the authority */
	hostp = auth;
	for (at = auth; at < end; at++)
		if (*at == '@')
			hostp = at + 1;
	if (*hostp == '[') {
		hostend = memchr(hostp, ']', (size_t)(end - hostp));
		if (hostend == NULL)
			goto bad;
		host = xstrndup(hostp + 1, (size_t)(hostend - hostp - 1));
		hostend++;
		if (strspn(host, "0123456789abcdefABCDEF:.") != strlen(host) ||
		    strchr(host, ':') == NULL)
			goto bad;
		for (p = host; *p != '\0'; p++)
			if (*p == ':')
				*p = '-';
	} else {
		hostend = memchr(hostp, ':', (size_t)(end - hostp));
		if (hostend == NULL)
			hostend = end;
		host = xstrndup(hostp, (size_t)(hostend - hostp));
	}
	if (hostend < end) {
		if (*hostend != ':')
			goto bad;
		port = hostend + 1;
		portlen = (size_t)(end - port);
	}
	for (p = host; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (has_non_ascii(host)) {
		refuse_unicode_host(url, host);
		goto out;
	}
	if (!host_is_safe(host))
		goto bad;

	if (port == NULL || portlen == 0) {
		id = xstrdup(host);
		goto out;
	}
	if (portlen > 5 || strspn(port, "0123456789") < portlen)
		goto bad;
	portnum = strtol(port, NULL, 10);
	if (portnum < 1 || portnum > 65535)
		goto bad;
	/* The scheme's own port names the same server as no port. */
	if ((portnum == 443 && strncasecmp(url, "https://", 8) == 0) ||
	    (portnum == 80 && strncasecmp(url, "http://", 7) == 0))
		id = xstrdup(host);
	else
		id = xasprintf("%s_%ld", host, portnum);
	goto out;
bad:
	err_set(ERR_USAGE, "invalid ACME directory URL \"%s\": expected "
	    "https://HOST[:PORT]/PATH", url);
out:
	free(host);
	return id;
}

char *store_certs_dir(const char *state)
{
	return xasprintf("%s/certs", state);
}

char *store_cert_dir(const char *state, const char *name)
{
	return xasprintf("%s/certs/%s", state, name);
}

char *store_cert_file(const char *state, const char *name, const char *file)
{
	return xasprintf("%s/certs/%s/%s", state, name, file);
}

char *store_digest_path(const char *state)
{
	return xasprintf("%s/renew-digest", state);
}

char *store_archive_dir(const char *state, const char *name)
{
	return xasprintf("%s/archive/%s", state, name);
}

char *store_account_dir(const char *state, const char *id)
{
	return xasprintf("%s/accounts/%s", state, id);
}

char *store_account_file(const char *state, const char *id, const char *file)
{
	return xasprintf("%s/accounts/%s/%s", state, id, file);
}

char *store_directory_path(const char *state, const char *server_url)
{
	char *id = store_account_id(server_url), *path;

	if (id == NULL)
		return NULL;
	path = store_account_file(state, id, STORE_DIRECTORY);
	free(id);
	return path;
}
