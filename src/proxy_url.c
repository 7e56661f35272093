/* proxy_url.c - the URLs of the proxy decision: request URLs, and proxy
 * values read three ways: by acmectl's own parser (flags, config file), as
 * Go reads the environment (net/url.Parse, then x/net httpproxy's retry
 * with "http://" in front) and as libcurl 7.88 does (its URL parser with
 * a guessed scheme). Host names get their IDNA form from libidn2, as
 * libcurl's do; Go's idna.Lookup gives the same for the names in use. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>
#include <openssl/crypto.h>

#include "err.h"
#include "proxy_int.h"
#include "util.h"

/* RFC 3986 unreserved characters: all a userinfo keeps unencoded. */
#define UNRESERVED "-._~"

void secret_free(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

/* Copies n bytes of s into buf of size bufsz; false when they do not fit. */
static bool copy_n(char *buf, size_t bufsz, const char *s, size_t n)
{
	if (n >= bufsz)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

static bool is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

static int hexval(int c)
{
	if (isdigit(c))
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* s[0..n) with %XX decoded; with strict, a '%' not followed by two hex
 * digits fails (returns NULL), else it stays as is. Caller frees. */
static char *pct_decode(const char *s, size_t n, bool strict)
{
	char *out = xmalloc(n + 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0) {
			out[o++] = (char)(hexval((unsigned char)s[i + 1]) * 16 +
			    hexval((unsigned char)s[i + 2]));
			i += 2;
		} else if (s[i] == '%' && strict) {
			out[o] = '\0';
			secret_free(out);
			return NULL;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

bool host_to_ascii(const char *s, char *out, size_t outsz)
{
	const char *label = s, *dot;
	char part[HOST_MAX], *ace;
	size_t o = 0, n;

	if (is_ascii(s, strlen(s)))
		return copy_n(out, outsz, s, strlen(s));
	for (;;) {
		dot = strchr(label, '.');
		n = dot ? (size_t)(dot - label) : strlen(label);
		if (!copy_n(part, sizeof(part), label, n))
			return false;
		ace = NULL;
		if (!is_ascii(part, n) && idn2_lookup_u8((const uint8_t *)part, (uint8_t **)&ace,
		    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK)
			return false;
		n = snprintf(out + o, outsz - o, "%s%s", ace ? ace : part, dot ? "." : "");
		idn2_free(ace);
		if (n >= outsz - o)
			return false;
		o += n;
		if (dot == NULL)
			return true;
		label = dot + 1;
	}
}

/* libcurl keeps an IPv6 literal as written unless its canonical text is
 * shorter (lib/urlapi.c ipv6_parse). */
static void curl_v6_spelling(struct target *t)
{
	struct in6_addr a;
	char canon[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET6, t->host, &a) == 1 &&
	    inet_ntop(AF_INET6, &a, canon, sizeof(canon)) != NULL &&
	    strlen(canon) < strlen(t->host))
		snprintf(t->curl_v6, sizeof(t->curl_v6), "%s", canon);
	else
		snprintf(t->curl_v6, sizeof(t->curl_v6), "%s", t->host);
}

/* The authority of a request URL: host (bracketed IPv6 or a name, UTF-8
 * allowed) and port. Returns NULL, or what is wrong (static). */
static const char *target_authority(const char *hp, const char *end, struct target *t)
{
	const char *close, *port = NULL;
	struct in6_addr a;
	size_t n;

	if (*hp == '[') {
		if ((close = memchr(hp, ']', (size_t)(end - hp))) == NULL ||
		    !copy_n(t->host, sizeof(t->host), hp + 1, (size_t)(close - hp - 1)) ||
		    inet_pton(AF_INET6, t->host, &a) != 1)
			return "bad IPv6 literal";
		t->bracketed = true;
		if (close + 1 < end && close[1] != ':')
			return "junk after the IPv6 literal";
		port = close + 1 < end ? close + 2 : NULL;
	} else {
		n = strcspn(hp, ":/?#");
		if (!copy_n(t->host, sizeof(t->host), hp, n))
			return "host name too long";
		if (hp[n] == ':')
			port = hp + n + 1;
		for (const char *c = t->host; *c != '\0'; c++)
			if ((unsigned char)*c < 0x80 && !isalnum((unsigned char)*c) &&
			    strchr("-._~%!$&'()*+,;=", *c) == NULL)
				return "bad character in the host";
	}
	if (t->host[0] == '\0')
		return "no host";
	if (port != NULL && port < end) {
		n = (size_t)(end - port);
		if (!all_digits(port, n) || n > 5)
			return "bad port";
		copy_n(t->port, sizeof(t->port), port, n);
	} else
		strcpy(t->port, t->https ? "443" : "80");
	return NULL;
}

int target_parse(const char *url, struct target *t)
{
	const char *rest, *at, *hp, *end, *why;
	char *shown;

	memset(t, 0, sizeof(*t));
	if (strncasecmp(url, "https://", 8) == 0) {
		t->https = true;
		rest = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0)
		rest = url + 7;
	else {
		why = "not an http:// or https:// URL";
		goto bad;
	}
	end = rest + strcspn(rest, "/?#");
	hp = rest;
	for (at = rest; at < end; at++)
		if (*at == '@')
			hp = at + 1;
	if ((why = target_authority(hp, end, t)) != NULL)
		goto bad;
	if (t->bracketed)
		curl_v6_spelling(t);
	if (!host_to_ascii(t->host, t->ascii, sizeof(t->ascii))) {
		t->idna_failed = true;
		snprintf(t->ascii, sizeof(t->ascii), "%s", t->host);
	}
	return 0;
bad:
	shown = proxy_value_shown(url);
	err_set(ERR_USAGE, "bad URL \"%s\": %s", shown, why);
	free(shown);
	return -1;
}

/* user[:password] of a userinfo, decoded (strictly for Go). */
static bool split_userinfo(struct proxy_url *u, const char *s, size_t n, bool strict)
{
	const char *colon = memchr(s, ':', n);
	size_t ulen = colon ? (size_t)(colon - s) : n;

	if ((u->user = pct_decode(s, ulen, strict)) == NULL)
		return false;
	if (colon != NULL &&
	    (u->password = pct_decode(colon + 1, n - ulen - 1, strict)) == NULL)
		return false;
	return true;
}

static bool set_port(struct proxy_url *u, const char *port, size_t n)
{
	return n == 0 || copy_n(u->port, sizeof(u->port), port, n);
}

/* acmectl's reading: [SCHEME://][USERINFO@]HOST[:PORT][/], the last '@'
 * ending the userinfo even when a password holds a raw '/', '?' or '#'. */
static bool read_acmectl(const char *value, struct proxy_url *u, const char **why)
{
	static const char *const known[] =
		{ "http", "https", "socks4", "socks4a", "socks5", "socks5h", NULL };
	const char *sep = strstr(value, "://"), *rest = value, *end, *at, *hp, *close;
	const char *port = NULL;
	char ace[HOST_MAX];
	struct in6_addr a;
	bool ok = false;
	size_t n;

	strcpy(u->scheme, "http");
	if (sep != NULL) {
		if (!copy_n(u->scheme, sizeof(u->scheme), value, (size_t)(sep - value)))
			goto scheme;
		for (char *c = u->scheme; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
		rest = sep + 3;
	}
	for (const char *const *k = known; *k != NULL; k++)
		ok = ok || strcmp(u->scheme, *k) == 0;
	if (!ok)
		goto scheme;
	hp = rest;
	if ((at = strrchr(rest, '@')) != NULL) {
		split_userinfo(u, rest, (size_t)(at - rest), false);
		hp = at + 1;
	}
	end = hp + strcspn(hp, "/?#");
	if (*hp == '[') {
		if ((close = memchr(hp, ']', (size_t)(end - hp))) == NULL ||
		    !copy_n(u->host, sizeof(u->host), hp + 1, (size_t)(close - hp - 1)) ||
		    inet_pton(AF_INET6, u->host, &a) != 1) {
			*why = "bad IPv6 literal";
			return false;
		}
		u->v6 = true;
		if (close + 1 < end && close[1] != ':') {
			*why = "junk after the IPv6 literal";
			return false;
		}
		port = close + 1 < end ? close + 2 : NULL;
	} else {
		n = strcspn(hp, ":/?#");
		if (!copy_n(u->host, sizeof(u->host), hp, n)) {
			*why = "host name too long";
			return false;
		}
		port = hp[n] == ':' ? hp + n + 1 : NULL;
		/* UTF-8 is fine: the name is connected to in IDNA form */
		for (const char *c = u->host; *c != '\0'; c++)
			if ((unsigned char)*c < 0x80 && !isalnum((unsigned char)*c) &&
			    strchr("-._", *c) == NULL) {
				*why = "bad character in the host";
				return false;
			}
	}
	if (u->host[0] == '\0') {
		*why = "no host";
		return false;
	}
	if (!host_to_ascii(u->host, ace, sizeof(ace))) {
		*why = "the host name has no IDNA form";
		return false;
	}
	if (port != NULL && port < end) {
		n = (size_t)(end - port);
		if (!all_digits(port, n) || n > 5 || atoi(port) == 0 || atoi(port) > 65535) {
			*why = "bad port";
			return false;
		}
		set_port(u, port, n);
	}
	return true;
scheme:
	*why = "unsupported scheme";
	return false;
}

/* Go's url.shouldEscape(c, encodeHost) for ASCII c: what may not stand raw
 * in a host. */
static bool go_host_byte_ok(unsigned char c)
{
	return c >= 0x80 || isalnum(c) || strchr("-_.~!$&'()*+,;=:[]<>\"", c) != NULL;
}

/* Go's unescape(host, encodeHost) succeeding: raw bytes allowed in a host,
 * %XX only for bytes >= 0x80 or as "%25". */
static bool go_host_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n || hexval((unsigned char)s[i + 1]) < 0 ||
			    hexval((unsigned char)s[i + 2]) < 0)
				return false;
			if (hexval((unsigned char)s[i + 1]) < 8 && strncmp(s + i, "%25", 3) != 0)
				return false;
			i += 2;
		} else if (!go_host_byte_ok((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* The host as Go keeps it: escapes (only of bytes >= 0x80 by now) decoded. */
static bool go_host_copy(struct proxy_url *u, const char *s, size_t n)
{
	char *host = pct_decode(s, n, false);
	bool ok = copy_n(u->host, sizeof(u->host), host, strlen(host));

	free(host);
	return ok;
}

/* Go's validOptionalPort: "" or ':' and digits. */
static bool go_port_ok(const char *s, size_t n)
{
	if (n == 0)
		return true;
	if (s[0] != ':')
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* Go's validUserinfo. */
static bool go_userinfo_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && strchr("-._:~!$&'()*+,;=%@", c) == NULL)
			return false;
	}
	return true;
}

/* Go's url.parseAuthority into u. */
static bool go_authority(const char *s, size_t n, struct proxy_url *u)
{
	const char *at = NULL, *host, *close, *colon = NULL;
	struct in6_addr a;
	size_t hlen;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '@')
			at = s + i;
	host = at ? at + 1 : s;
	hlen = (size_t)(s + n - host);
	if (at != NULL && (!go_userinfo_ok(s, (size_t)(at - s)) ||
	    !split_userinfo(u, s, (size_t)(at - s), true)))
		return false;
	if (hlen > 0 && host[0] == '[') {
		for (close = host + hlen - 1; close > host && *close != ']'; close--)
			;
		if (*close != ']' || !go_port_ok(close + 1, (size_t)(host + hlen - close - 1)) ||
		    !go_host_ok(host + 1, (size_t)(close - host - 1)))
			return false;
		if (!copy_n(u->host, sizeof(u->host), host + 1, (size_t)(close - host - 1)))
			return false;
		u->v6 = inet_pton(AF_INET6, u->host, &a) == 1;
		colon = close + 1 < host + hlen ? close + 1 : NULL;
	} else {
		for (size_t i = 0; i < hlen; i++)
			if (host[i] == ':')
				colon = host + i;
		if (colon != NULL && !go_port_ok(colon, (size_t)(host + hlen - colon)))
			return false;
		if (!go_host_ok(host, hlen) || !go_host_copy(u, host,
		    colon ? (size_t)(colon - host) : hlen))
			return false;
	}
	return colon == NULL || set_port(u, colon + 1, (size_t)(host + hlen - colon - 1));
}

/* Go's url.Parse(value) as far as a proxy URL needs it: scheme, userinfo,
 * host and port. False where Go returns an error. */
static bool go_url_parse(const char *value, struct proxy_url *u)
{
	size_t n = strcspn(value, "#"), i, slen = 0, alen;
	const char *rest = value, *auth, *frag = value + n;
	char *check;

	for (i = 0; value[i] != '\0'; i++)
		if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f)
			return false;
	if (*frag == '#') {
		if ((check = pct_decode(frag + 1, strlen(frag + 1), true)) == NULL)
			return false;
		free(check);
	}
	/* getScheme: letters, then letters, digits, "+-."; a ':' ends it */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)value[i];

		if (isalpha(c) || (i > 0 && (isdigit(c) || c == '+' || c == '-' || c == '.')))
			continue;
		if (c == ':' && i == 0)
			return false;
		if (c == ':') {
			slen = i;
			rest = value + i + 1;
		}
		break;
	}
	if (slen >= sizeof(u->scheme))
		return false;
	for (i = 0; i < slen; i++)
		u->scheme[i] = (char)tolower((unsigned char)value[i]);
	u->scheme[slen] = '\0';
	n = (size_t)(frag - rest);
	n = strcspn(rest, "?#") < n ? strcspn(rest, "?#") : n;
	if (n == 0 || rest[0] != '/') {
		if (slen > 0)
			return true;  /* opaque: no host */
		/* a colon in the first path segment reads as a scheme */
		return memchr(rest, ':', strcspn(rest, "/") < n ? strcspn(rest, "/") : n) == NULL;
	}
	if (n >= 2 && rest[1] == '/' && (slen > 0 || n < 3 || rest[2] != '/')) {
		auth = rest + 2;
		alen = strcspn(auth, "/") < n - 2 ? strcspn(auth, "/") : n - 2;
		if (!go_authority(auth, alen, u))
			return false;
		rest = auth + alen;
		n -= alen + 2;
	}
	if ((check = pct_decode(rest, n, true)) == NULL)
		return false;
	free(check);
	return true;
}

static bool go_scheme_known(const char *scheme)
{
	return strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0 ||
	    strcmp(scheme, "socks5") == 0;
}

/* x/net httpproxy's parseProxy(): a value that does not parse as an http,
 * https or socks5 URL is parsed again with "http://" in front, so
 * "socks5h://p:1080" becomes an HTTP proxy "socks5h" on port 80. A value
 * that parses neither way means no proxy at all. */
static bool read_go(const char *value, struct proxy_url *u, const char **why)
{
	struct proxy_url retry;
	char *prefixed;
	bool first, second;

	first = go_url_parse(value, u);
	if (first && go_scheme_known(u->scheme))
		goto host;
	memset(&retry, 0, sizeof(retry));
	prefixed = xasprintf("http://%s", value);
	second = go_url_parse(prefixed, &retry);
	secret_free(prefixed);
	if (second) {
		proxy_url_free(u);
		*u = retry;
		goto host;
	}
	proxy_url_free(&retry);
	if (!first) {
		*why = "Go cannot parse it and uses no proxy";
		return false;
	}
host:
	if (!go_scheme_known(u->scheme)) {
		*why = "Go has no proxy of this scheme";
		return false;
	}
	/* Go's dialer takes an empty host for this machine. */
	if (u->host[0] == '\0')
		strcpy(u->host, "0.0.0.0");
	return true;
}

/* libcurl's scheme guess for a proxy without one (lib/urlapi.c). */
static const char *curl_guess_scheme(const char *host)
{
	static const char *const prefixed[] = { "ftp", "dict", "ldap", "imap", "smtp", "pop3" };

	for (size_t i = 0; i < nitems(prefixed); i++) {
		size_t n = strlen(prefixed[i]);

		if (strncasecmp(host, prefixed[i], n) == 0 && host[n] == '.')
			return prefixed[i];
	}
	return "http";
}

/* libcurl's scheme names for a proxy; "socks" is SOCKS4. */
static bool curl_scheme(struct proxy_url *u)
{
	static const struct {
		const char *name, *as;
	} schemes[] = {
		{ "http", "http" }, { "https", "https" }, { "socks", "socks4" },
		{ "socks4", "socks4" }, { "socks4a", "socks4a" }, { "socks5", "socks5" },
		{ "socks5h", "socks5h" },
	};

	for (size_t i = 0; i < nitems(schemes); i++)
		if (strcasecmp(u->scheme, schemes[i].name) == 0) {
			strcpy(u->scheme, schemes[i].as);
			return true;
		}
	return false;
}

/* libcurl's host name check after it URL-decoded the name: no controls,
 * blanks, delimiters or '%' (an escape it could not decode). */
static bool curl_host(struct proxy_url *u, const char *s, size_t n)
{
	char *host = pct_decode(s, n, false);
	bool ok = copy_n(u->host, sizeof(u->host), host, strlen(host));

	for (size_t i = 0; ok && i + 2 < n; i++)
		ok = strncmp(s + i, "%00", 3) != 0;
	for (const char *c = host; ok && *c != '\0'; c++)
		ok = (unsigned char)*c >= 0x20 && strchr(" /:#?!@{}[]\\$'\"^`*<>=;,+&()%", *c) == NULL;
	free(host);
	return ok;
}

/* libcurl 7.88's curl_url_set() with CURLU_GUESS_SCHEME on a proxy value:
 * no blanks or controls, the authority ends at the first '/', '?' or '#',
 * the userinfo at the first '@'; a host without '@', ':' and the other
 * delimiters; a port from 1 to 65535. */
static bool read_curl(const char *value, struct proxy_url *u, const char **why)
{
	const char *rest = value, *end, *at, *hp, *close, *port;
	struct in6_addr a;
	size_t i, n;

	*why = "libcurl cannot parse it";
	for (i = 0; value[i] != '\0'; i++)
		if ((unsigned char)value[i] <= 0x20 || value[i] == 0x7f)
			return false;
	for (i = 0; value[i] != '\0' && (isalnum((unsigned char)value[i]) ||
	    strchr("+-.", value[i]) != NULL); i++)
		;
	if (i > 0 && isalpha((unsigned char)value[0]) && value[i] == ':' && value[i + 1] == '/') {
		if (!copy_n(u->scheme, sizeof(u->scheme), value, i))
			return false;
		for (rest = value + i + 1, n = 0; *rest == '/' && n < 3; rest++, n++)
			;
	}
	end = rest + strcspn(rest, "/?#");
	hp = rest;
	if ((at = memchr(rest, '@', (size_t)(end - rest))) != NULL) {
		split_userinfo(u, rest, (size_t)(at - rest), false);
		hp = at + 1;
	}
	if (*hp == '[') {
		if ((close = memchr(hp, ']', (size_t)(end - hp))) == NULL ||
		    !copy_n(u->host, sizeof(u->host), hp + 1, (size_t)(close - hp - 1)) ||
		    inet_pton(AF_INET6, u->host, &a) != 1)
			return false;
		u->v6 = true;
		port = close + 1;
	} else {
		n = strcspn(hp, ":");
		n = hp + n < end ? n : (size_t)(end - hp);
		if (!curl_host(u, hp, n))
			return false;
		port = hp + n;
	}
	if (u->host[0] == '\0')
		return false;
	if (port < end) {
		n = (size_t)(end - port - 1);
		if (*port != ':' || (n > 0 && (!all_digits(port + 1, n) || n > 5 ||
		    atoi(port + 1) == 0 || atoi(port + 1) > 65535)))
			return false;
		set_port(u, port + 1, n);
	}
	if (u->scheme[0] == '\0')
		strcpy(u->scheme, curl_guess_scheme(u->host));
	if (!curl_scheme(u)) {
		*why = "unsupported scheme";
		return false;
	}
	return true;
}

bool proxy_url_read(const char *value, enum proxy_reader reader, struct proxy_url *u,
    const char **why)
{
	bool ok = false;

	memset(u, 0, sizeof(*u));
	switch (reader) {
	case READ_ACMECTL:
		ok = read_acmectl(value, u, why);
		break;
	case READ_GO:
		ok = read_go(value, u, why);
		break;
	case READ_CURL:
		ok = read_curl(value, u, why);
		break;
	}
	if (!ok)
		proxy_url_free(u);
	return ok;
}

void proxy_url_free(struct proxy_url *u)
{
	secret_free(u->user);
	secret_free(u->password);
	u->user = u->password = NULL;
}

/* Appends s to out at *o, percent-encoding every byte but alphanumerics
 * and the unreserved. */
static void pct_encode(char *out, size_t *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isalnum(c) || (c != '\0' && strchr(UNRESERVED, c) != NULL))
			out[(*o)++] = (char)c;
		else
			*o += (size_t)sprintf(out + *o, "%%%02X", c);
	}
	out[*o] = '\0';
}

/* "user[:password]" encoded: from auth ("user:pass", the auth file's
 * line, which overrides the URL's) or from u. Caller frees with
 * secret_free; NULL when there is none. */
static char *userinfo_for(const struct proxy_url *u, const char *auth)
{
	const char *user = u->user, *pass = u->password, *colon;
	char *out, *auth_user = NULL;
	size_t o = 0;

	if (auth != NULL) {
		colon = strchr(auth, ':');
		auth_user = xstrndup(auth, colon ? (size_t)(colon - auth) : strlen(auth));
		user = auth_user;
		pass = colon ? colon + 1 : NULL;
	}
	if (user == NULL)
		return NULL;
	out = xmalloc(3 * (strlen(user) + (pass ? strlen(pass) : 0)) + 2);
	pct_encode(out, &o, user, strlen(user));
	if (pass != NULL) {
		out[o++] = ':';
		pct_encode(out, &o, pass, strlen(pass));
	}
	secret_free(auth_user);
	return out;
}

/* The default proxy port: Go's by scheme, libcurl's 1080 unless https. */
static const char *default_port(const char *scheme, enum proxy_rules rules)
{
	if (strcmp(scheme, "https") == 0)
		return "443";
	if (rules != PROXY_RULES_CURL && strcmp(scheme, "http") == 0)
		return "80";
	return "1080";
}

int proxy_url_build(const struct proxy_url *u, enum proxy_rules rules, const char *auth,
    char **use, char **shown, const char **why)
{
	char host[HOST_MAX], *userinfo;
	const char *port = u->port[0] != '\0' ? u->port : default_port(u->scheme, rules);
	const char *lb = u->v6 ? "[" : "", *rb = u->v6 ? "]" : "";

	/* Go's transport speaks http, https and socks5; socks5h is how
	 * acmectl asks libcurl for the same remote name resolution. */
	if (rules != PROXY_RULES_CURL && strncmp(u->scheme, "socks4", 6) == 0) {
		*why = "Go has no SOCKS4 support";
		return -1;
	}
	if (atoi(port) == 0 || atoi(port) > 65535 || strlen(port) > 5) {
		*why = "bad port";
		return -1;
	}
	if (!host_to_ascii(u->host, host, sizeof(host))) {
		*why = "the host name has no IDNA form";
		return -1;
	}
	userinfo = userinfo_for(u, auth);
	*use = xasprintf("%s://%s%s%s%s%s:%s", u->scheme, userinfo ? userinfo : "",
	    userinfo ? "@" : "", lb, host, rb, port);
	*shown = xasprintf("%s://%s%s%s%s:%s", u->scheme, userinfo ? "***@" : "", lb, host,
	    rb, port);
	secret_free(userinfo);
	return 0;
}

char *proxy_value_shown(const char *value)
{
	char *redacted = proxy_redact(value), *out = str_printable(redacted);

	secret_free(redacted);
	return out;
}

int proxy_url_check(const char *value)
{
	struct proxy_url u;
	const char *why;
	char *shown;

	if (proxy_url_read(value, READ_ACMECTL, &u, &why)) {
		proxy_url_free(&u);
		return 0;
	}
	shown = proxy_value_shown(value);
	err_set(ERR_USAGE, "bad proxy URL \"%s\": %s", shown, why);
	free(shown);
	return -1;
}

char *proxy_redact(const char *url)
{
	const char *sep = strstr(url, "://"), *auth = sep ? sep + 3 : url, *at;

	/* Up to the last '@': a password may hold raw '/', '?' or '#', and
	 * hiding too much is harmless. */
	if ((at = strrchr(auth, '@')) == NULL)
		return xstrdup(url);
	return xasprintf("%.*s***%s", (int)(auth - url), url, at);
}
