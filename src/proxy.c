/* proxy.c - the route decision under Go's rules (golang.org/x/net
 * http/httpproxy, what cert-manager uses) and libcurl's (lib/url.c,
 * lib/noproxy.c), with the reason for each outcome. Pure: the environment
 * comes through the settings' lookup function. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "err.h"
#include "proxy.h"
#include "util.h"

#define HOST_MAX 256
#define PORT_MAX 8

/* A request URL as both rule sets look at it. */
struct target {
	bool https;
	char host[HOST_MAX];  /* as written, IPv6 without brackets */
	bool bracketed;       /* an IPv6 literal */
	char port[PORT_MAX];  /* as written, else the scheme's default */
};

/* A proxy URL taken apart. */
struct proxy_url {
	char scheme[8];
	const char *userinfo; /* into the parsed value, or NULL */
	size_t userinfo_len;
	char host[HOST_MAX];
	bool v6;
	char port[PORT_MAX];  /* "" when not written */
};

/* An IP address; IPv4 in the first 4 bytes. */
struct ipaddr {
	int af;
	unsigned char a[16];
};

/* One setting picked from flags, config file or environment. */
struct pick {
	const char *value;    /* NULL when none applies */
	const char *source;   /* "--proxy", "FILE:LINE", variable name */
	const char *empty;    /* the first candidate that was set but empty */
	enum { FROM_FLAG, FROM_CONF, FROM_ENV } from;
	bool env_ignored;     /* --no-env-proxy */
	bool cgi;             /* Go: an HTTP proxy from the environment under CGI */
};

static const char *const go_https_vars[] = { "HTTPS_PROXY", "https_proxy", NULL };
static const char *const go_http_vars[] = { "HTTP_PROXY", "http_proxy", NULL };
static const char *const go_no_proxy_vars[] = { "NO_PROXY", "no_proxy", NULL };
/* libcurl reads the lowercase name first and never HTTP_PROXY (a CGI
 * client can set it through a "Proxy:" request header). */
static const char *const curl_https_vars[] =
	{ "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", NULL };
static const char *const curl_http_vars[] = { "http_proxy", "all_proxy", "ALL_PROXY", NULL };
static const char *const curl_no_proxy_vars[] = { "no_proxy", "NO_PROXY", NULL };

/* A proxy value as it may be shown: no credentials, printable. Caller frees. */
static char *shown_proxy(const char *value)
{
	char *redacted = proxy_redact(value), *out = str_printable(redacted);

	OPENSSL_cleanse(redacted, strlen(redacted));
	free(redacted);
	return out;
}

static void free_secret(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

static void lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
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

/* Parses an IP literal. With map4, an IPv4-mapped IPv6 address becomes the
 * IPv4 address, as Go's To4() does before comparing. */
static bool ip_parse(const char *s, bool map4, struct ipaddr *ip)
{
	static const unsigned char v4_mapped[12] =
		{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->a) == 1) {
		ip->af = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, ip->a) != 1)
		return false;
	ip->af = AF_INET6;
	if (map4 && memcmp(ip->a, v4_mapped, sizeof(v4_mapped)) == 0) {
		memmove(ip->a, ip->a + 12, 4);
		memset(ip->a + 4, 0, 12);
		ip->af = AF_INET;
	}
	return true;
}

static bool ip_is_loopback(const struct ipaddr *ip)
{
	static const unsigned char v6_loopback[16] =
		{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

	if (ip->af == AF_INET)
		return ip->a[0] == 127;
	return memcmp(ip->a, v6_loopback, 16) == 0;
}

/* True when the first bits bits of a and b are equal. */
static bool prefix_equal(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, bytes) != 0)
		return false;
	return rest == 0 || ((a[bytes] ^ b[bytes]) & (0xff << (8 - rest)) & 0xff) == 0;
}

/* Go's net.ParseCIDR: "ADDR/BITS", BITS within the family's width. */
static bool cidr_parse(const char *s, struct ipaddr *net, unsigned *bits)
{
	const char *slash = strchr(s, '/');
	char addr[64];
	size_t nbits;

	if (slash == NULL || !copy_n(addr, sizeof(addr), s, (size_t)(slash - s)))
		return false;
	nbits = strlen(slash + 1);
	if (!all_digits(slash + 1, nbits) || nbits > 3)
		return false;
	*bits = (unsigned)atoi(slash + 1);
	if (!ip_parse(addr, false, net))
		return false;
	return *bits <= (net->af == AF_INET ? 32u : 128u);
}

/* Go's net.SplitHostPort: "host:port" or "[host]:port". */
static bool go_split_host_port(const char *s, char *host, size_t hostsz, char *port, size_t portsz)
{
	const char *colon = strrchr(s, ':'), *h, *end, *after_open, *after_close;
	size_t hlen;

	if (colon == NULL)
		return false;
	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL || end + 1 != colon)
			return false;
		h = s + 1;
		hlen = (size_t)(end - h);
		after_open = s + 1;
		after_close = end + 1;
	} else {
		h = s;
		hlen = (size_t)(colon - s);
		if (memchr(s, ':', hlen) != NULL)
			return false;
		after_open = after_close = s;
	}
	if (strchr(after_open, '[') != NULL || strchr(after_close, ']') != NULL)
		return false;
	return copy_n(host, hostsz, h, hlen) && copy_n(port, portsz, colon + 1, strlen(colon + 1));
}

/* Splits an http:// or https:// URL. Returns 0, or -1 with ERR_USAGE. */
static int target_parse(const char *url, struct target *t)
{
	const char *rest, *auth, *at, *hp, *end, *close, *port = NULL;
	char *shown = NULL;
	const char *why = NULL;
	struct ipaddr ip;
	size_t n;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	if (strncasecmp(url, "https://", 8) == 0) {
		t->https = true;
		rest = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		rest = url + 7;
	} else {
		why = "not an http:// or https:// URL";
		goto out;
	}
	auth = rest;
	end = auth + strcspn(auth, "/?#");
	hp = auth;
	for (at = auth; at < end; at++)
		if (*at == '@')
			hp = at + 1;
	if (*hp == '[') {
		if ((close = memchr(hp, ']', (size_t)(end - hp))) == NULL ||
		    !copy_n(t->host, sizeof(t->host), hp + 1, (size_t)(close - hp - 1)) ||
		    inet_pton(AF_INET6, t->host, ip.a) != 1) {
			why = "bad IPv6 literal";
			goto out;
		}
		t->bracketed = true;
		if (close + 1 < end) {
			if (close[1] != ':') {
				why = "junk after the IPv6 literal";
				goto out;
			}
			port = close + 2;
		}
	} else {
		n = strcspn(hp, ":/?#");
		if (!copy_n(t->host, sizeof(t->host), hp, n)) {
			why = "host name too long";
			goto out;
		}
		if (hp[n] == ':')
			port = hp + n + 1;
		for (const char *c = t->host; *c != '\0'; c++)
			if (!isalnum((unsigned char)*c) && strchr("-._~%!$&'()*+,;=", *c) == NULL) {
				why = "bad character in the host";
				goto out;
			}
	}
	if (t->host[0] == '\0') {
		why = "no host";
		goto out;
	}
	if (port != NULL && port < end) {
		n = (size_t)(end - port);
		if (!all_digits(port, n) || n > 5) {
			why = "bad port";
			goto out;
		}
		copy_n(t->port, sizeof(t->port), port, n);
	} else
		strcpy(t->port, t->https ? "443" : "80");
	rc = 0;
out:
	if (rc == -1) {
		shown = shown_proxy(url);
		err_set(ERR_USAGE, "bad URL \"%s\": %s", shown, why);
	}
	free(shown);
	return rc;
}

static bool scheme_known(const char *scheme)
{
	static const char *const known[] =
		{ "http", "https", "socks4", "socks4a", "socks5", "socks5h", NULL };

	for (const char *const *k = known; *k != NULL; k++)
		if (strcmp(scheme, *k) == 0)
			return true;
	return false;
}

/* Parses [SCHEME://][USERINFO@]HOST[:PORT][/...]; a missing scheme means
 * http. Returns true, or false with *why (static) saying what is wrong. */
static bool proxy_url_parse(const char *value, struct proxy_url *u, const char **why)
{
	const char *sep = strstr(value, "://"), *rest = value, *end, *at, *hp, *close, *port = NULL;
	struct ipaddr ip;
	size_t n;

	memset(u, 0, sizeof(*u));
	strcpy(u->scheme, "http");
	if (sep != NULL) {
		if (!copy_n(u->scheme, sizeof(u->scheme), value, (size_t)(sep - value))) {
			*why = "unsupported scheme";
			return false;
		}
		lower(u->scheme);
		rest = sep + 3;
	}
	if (!scheme_known(u->scheme)) {
		*why = "unsupported scheme";
		return false;
	}
	/* The last '@' ends the userinfo even when a password holds a raw
	 * '/', '?' or '#'; those are percent-encoded when the URL is built. */
	hp = rest;
	if ((at = strrchr(rest, '@')) != NULL) {
		u->userinfo = rest;
		u->userinfo_len = (size_t)(at - rest);
		hp = at + 1;
	}
	end = hp + strcspn(hp, "/?#");
	if (*hp == '[') {
		if ((close = memchr(hp, ']', (size_t)(end - hp))) == NULL ||
		    !copy_n(u->host, sizeof(u->host), hp + 1, (size_t)(close - hp - 1)) ||
		    inet_pton(AF_INET6, u->host, ip.a) != 1) {
			*why = "bad IPv6 literal";
			return false;
		}
		u->v6 = true;
		if (close + 1 < end) {
			if (close[1] != ':') {
				*why = "junk after the IPv6 literal";
				return false;
			}
			port = close + 2;
		}
	} else {
		n = strcspn(hp, ":/?#");
		if (!copy_n(u->host, sizeof(u->host), hp, n)) {
			*why = "host name too long";
			return false;
		}
		if (hp[n] == ':')
			port = hp + n + 1;
		for (const char *c = u->host; *c != '\0'; c++)
			if (!isalnum((unsigned char)*c) && strchr("-._", *c) == NULL) {
				*why = "bad character in the host";
				return false;
			}
	}
	if (u->host[0] == '\0') {
		*why = "no host";
		return false;
	}
	if (port != NULL && port < end) {
		n = (size_t)(end - port);
		if (!all_digits(port, n) || n > 5 || atoi(port) == 0 || atoi(port) > 65535) {
			*why = "bad port";
			return false;
		}
		copy_n(u->port, sizeof(u->port), port, n);
	}
	return true;
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

/* Appends s to out at *o, percent-encoding every byte but alphanumerics
 * and those in keep. */
static void pct_encode(char *out, size_t *o, const char *s, size_t n, const char *keep)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isalnum(c) || (c != '\0' && strchr(keep, c) != NULL))
			out[(*o)++] = (char)c;
		else
			*o += (size_t)sprintf(out + *o, "%%%02X", c);
	}
	out[*o] = '\0';
}

/* RFC 3986 unreserved characters. */
#define UNRESERVED "-._~"
/* What may stand raw in a userinfo (RFC 3986 3.2.1), '%' kept as the
 * user's own encoding. */
#define USERINFO_RAW UNRESERVED "!$&'()*+,;=:%"

/* Userinfo for the proxy URL: the credentials from the auth file (encoded
 * whole; they override the URL's), else the URL's own with raw delimiters
 * encoded. Caller frees with free_secret; NULL when there is none. */
static char *userinfo_for(const struct proxy_url *u, const char *auth)
{
	const char *colon;
	char *out;
	size_t o = 0;

	if (auth == NULL) {
		if (u->userinfo == NULL)
			return NULL;
		out = xmalloc(3 * u->userinfo_len + 1);
		pct_encode(out, &o, u->userinfo, u->userinfo_len, USERINFO_RAW);
		return out;
	}
	out = xmalloc(3 * strlen(auth) + 1);
	if ((colon = strchr(auth, ':')) == NULL) {
		pct_encode(out, &o, auth, strlen(auth), UNRESERVED);
		return out;
	}
	pct_encode(out, &o, auth, (size_t)(colon - auth), UNRESERVED);
	out[o++] = ':';
	pct_encode(out, &o, colon + 1, strlen(colon + 1), UNRESERVED);
	return out;
}

/* The proxy URL in full, for use and for display, with the port the rules
 * imply spelled out (libcurl would otherwise default to 1080). Returns 0, or
 * -1 with *why (static) when the rules cannot use value. */
static int proxy_url_build(const char *value, enum proxy_rules rules, const char *auth,
    char **use, char **shown, const char **why)
{
	struct proxy_url u;
	char *userinfo = NULL;
	const char *lb, *rb;
	int rc = -1;

	if (!proxy_url_parse(value, &u, why))
		goto out;
	/* Go's transport speaks http, https and socks5; socks5h is how
	 * acmectl asks libcurl for the same remote name resolution. */
	if (rules != PROXY_RULES_CURL && strncmp(u.scheme, "socks4", 6) == 0) {
		*why = "Go has no SOCKS4 support";
		goto out;
	}
	if (u.port[0] == '\0')
		strcpy(u.port, default_port(u.scheme, rules));
	lb = u.v6 ? "[" : "";
	rb = u.v6 ? "]" : "";
	userinfo = userinfo_for(&u, auth);
	*use = xasprintf("%s://%s%s%s%s%s:%s", u.scheme, userinfo ? userinfo : "",
	    userinfo ? "@" : "", lb, u.host, rb, u.port);
	*shown = xasprintf("%s://%s%s%s%s:%s", u.scheme, userinfo ? "***@" : "",
	    lb, u.host, rb, u.port);
	rc = 0;
out:
	free_secret(userinfo);
	return rc;
}

static const char *env(const struct proxy_settings *s, const char *name)
{
	if (s->no_env_proxy || s->getenv == NULL)
		return NULL;
	return s->getenv(s->getenv_arg, name);
}

static bool env_set(const struct proxy_settings *s, const char *name)
{
	const char *v = env(s, name);

	return v != NULL && *v != '\0';
}

/* The first non-empty variable of names; an empty value counts as unset. */
static void pick_env(const struct proxy_settings *s, const char *const *names, struct pick *p)
{
	for (; *names != NULL; names++) {
		const char *v = env(s, *names);

		if (v == NULL)
			continue;
		if (*v == '\0') {
			if (p->empty == NULL)
				p->empty = *names;
			continue;
		}
		p->value = v;
		p->source = *names;
		p->from = FROM_ENV;
		return;
	}
}

static void pick_proxy(const struct proxy_settings *s, enum proxy_rules rules,
    const struct target *t, struct pick *p)
{
	bool http_proxy = false;

	memset(p, 0, sizeof(*p));
	if (s->flag_proxy != NULL) {
		p->from = FROM_FLAG;
		if (*s->flag_proxy == '\0')
			p->empty = "--proxy";
		else {
			p->value = s->flag_proxy;
			p->source = "--proxy";
		}
		return;
	}
	if (s->conf_proxy != NULL) {
		p->from = FROM_CONF;
		p->value = s->conf_proxy;
		p->source = s->conf_proxy_source ? s->conf_proxy_source : "config file";
		return;
	}
	p->env_ignored = s->no_env_proxy;
	switch (rules) {
	case PROXY_RULES_CURL:
		pick_env(s, t->https ? curl_https_vars : curl_http_vars, p);
		return;
	case PROXY_RULES_GO115:
		if (t->https) {
			pick_env(s, go_https_vars, p);
			if (p->value == NULL) {
				pick_env(s, go_http_vars, p);
				http_proxy = true;
			}
			break;
		}
		/* FALLTHROUGH */
	case PROXY_RULES_GO:
		pick_env(s, t->https ? go_https_vars : go_http_vars, p);
		http_proxy = !t->https;
		break;
	}
	/* Go refuses any HTTP proxy from the environment when REQUEST_METHOD
	 * says it runs as a CGI program (golang.org/s/cgihttpproxy). */
	p->cgi = http_proxy && p->value != NULL && env_set(s, "REQUEST_METHOD");
}

static void pick_no_proxy(const struct proxy_settings *s, enum proxy_rules rules, struct pick *p)
{
	memset(p, 0, sizeof(*p));
	if (s->flag_no_proxy != NULL) {
		p->from = FROM_FLAG;
		p->value = s->flag_no_proxy;
		p->source = "--no-proxy";
		return;
	}
	if (s->conf_no_proxy != NULL) {
		p->from = FROM_CONF;
		p->value = s->conf_no_proxy;
		p->source = s->conf_no_proxy_source ? s->conf_no_proxy_source : "config file";
		return;
	}
	pick_env(s, rules == PROXY_RULES_CURL ? curl_no_proxy_vars : go_no_proxy_vars, p);
}

/* "NO_PROXY entry "x"" or "no-proxy entry "x" (FILE:LINE)". Caller frees. */
static char *entry_label(const struct pick *list, const char *entry)
{
	char *e = str_printable(entry), *out;

	if (list->from == FROM_CONF)
		out = xasprintf("no-proxy entry \"%s\" (%s)", e, list->source);
	else
		out = xasprintf("%s entry \"%s\"", list->source, e);
	free(e);
	return out;
}

/* Go: one NO_PROXY element, parsed as x/net's config.init() does. */
struct go_entry {
	enum { GO_SKIP, GO_ALL, GO_CIDR, GO_IP, GO_DOMAIN } kind;
	struct ipaddr ip;
	unsigned bits;
	char host[HOST_MAX + 1]; /* GO_DOMAIN: with a leading '.' */
	char port[PORT_MAX];     /* "" matches any port */
	bool match_host;         /* GO_DOMAIN: the name itself matches too */
};

/* entry: trimmed and lowercased. */
static void go_entry_parse(const char *entry, struct go_entry *e)
{
	char phost[HOST_MAX];

	memset(e, 0, sizeof(*e));
	e->kind = GO_SKIP;
	if (*entry == '\0')
		return;
	if (strcmp(entry, "*") == 0) {
		e->kind = GO_ALL;
		return;
	}
	if (cidr_parse(entry, &e->ip, &e->bits)) {
		e->kind = GO_CIDR;
		return;
	}
	if (go_split_host_port(entry, phost, sizeof(phost), e->port, sizeof(e->port))) {
		if (phost[0] == '\0')
			return;
	} else {
		e->port[0] = '\0';
		if (!copy_n(phost, sizeof(phost), entry, strlen(entry)))
			return;  /* longer than any host: cannot match */
	}
	if (ip_parse(phost, true, &e->ip)) {
		e->kind = GO_IP;
		return;
	}
	/* "*.foo.com" is ".foo.com"; "foo.com" matches itself and below. */
	if (strncmp(phost, "*.", 2) == 0)
		memmove(phost, phost + 1, strlen(phost));
	if (phost[0] != '.') {
		e->match_host = true;
		snprintf(e->host, sizeof(e->host), ".%s", phost);
	} else
		snprintf(e->host, sizeof(e->host), "%s", phost);
	e->kind = GO_DOMAIN;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Splits a list on commas (Go) or on commas and blanks (curl up to 8.8),
 * trimming each element; empty elements dropped. Caller strv_free()s. */
static char **split_list(const char *list, bool blanks)
{
	const char *seps = blanks ? ", \t" : ",";
	char **v = xcalloc(strlen(list) + 1, sizeof(*v));
	size_t n = 0;
	const char *p = list, *b, *e;

	while (*p != '\0') {
		size_t len = strcspn(p, seps);

		for (b = p, e = p + len; b < e && isspace((unsigned char)*b); b++)
			;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (e > b)
			v[n++] = xstrndup(b, (size_t)(e - b));
		p += len;
		if (*p != '\0')
			p++;
	}
	return v;
}

/* Go's useProxy() list part: "*" anywhere, then IP and CIDR entries (IP
 * hosts only), then names (every host, compared as text). Returns the
 * matching entry (borrowed from entries) or NULL. */
static const char *go_match(char **entries, const struct target *t)
{
	char host[HOST_MAX], lowered[HOST_MAX * 2];
	struct go_entry e;
	struct ipaddr hip;
	bool is_ip;
	int pass;

	snprintf(host, sizeof(host), "%s", t->host);
	lower(host);
	is_ip = ip_parse(host, true, &hip);
	for (pass = 0; pass < 3; pass++)
		for (char **p = entries; *p != NULL; p++) {
			if (!copy_n(lowered, sizeof(lowered), *p, strlen(*p)))
				continue;
			lower(lowered);
			go_entry_parse(lowered, &e);
			switch (e.kind) {
			case GO_ALL:
				if (pass == 0)
					return *p;
				break;
			case GO_CIDR:
				if (pass == 1 && is_ip && e.ip.af == hip.af &&
				    prefix_equal(e.ip.a, hip.a, e.bits))
					return *p;
				break;
			case GO_IP:
				if (pass == 1 && is_ip && e.ip.af == hip.af &&
				    memcmp(e.ip.a, hip.a, 16) == 0 &&
				    (e.port[0] == '\0' || strcmp(e.port, t->port) == 0))
					return *p;
				break;
			case GO_DOMAIN:
				if (pass == 2 && (ends_with(host, e.host) ||
				    (e.match_host && strcmp(host, e.host + 1) == 0)) &&
				    (e.port[0] == '\0' || strcmp(e.port, t->port) == 0))
					return *p;
				break;
			case GO_SKIP:
				break;
			}
		}
	return NULL;
}

/* libcurl's Curl_cidr4_match / Curl_cidr6_match on one token. */
static bool curl_ip_match(const char *host, bool v6, const char *token)
{
	char check[128], *slash;
	unsigned bits = 0;
	struct in6_addr a6, c6;
	struct in_addr a4, c4;

	if (!copy_n(check, sizeof(check), token, strlen(token)))
		return false;
	if ((slash = strchr(check, '/')) != NULL) {
		bits = (unsigned)atoi(slash + 1);
		*slash = '\0';
	}
	if (v6) {
		if (bits == 0)
			bits = 128;
		if (bits > 128 || inet_pton(AF_INET6, host, &a6) != 1 ||
		    inet_pton(AF_INET6, check, &c6) != 1)
			return false;
		return prefix_equal(a6.s6_addr, c6.s6_addr, bits);
	}
	if (bits > 32 || inet_pton(AF_INET, host, &a4) != 1 ||
	    inet_pton(AF_INET, check, &c4) != 1)
		return false;
	if (bits == 0)
		bits = 32;
	return prefix_equal((unsigned char *)&a4.s_addr, (unsigned char *)&c4.s_addr, bits);
}

/* libcurl's Curl_check_noproxy(): "*" only as the whole value; an IP host
 * against IP and CIDR tokens only; a name against names, trailing dots and
 * a leading token dot ignored, case-insensitive, whole labels. Returns the
 * matching entry (borrowed from list or entries) or NULL. */
static const char *curl_match(const char *list, char **entries, const struct target *t)
{
	struct in_addr a4;
	size_t namelen, toklen;
	const char *tok;
	bool v4 = false;

	if (strcmp(list, "*") == 0)
		return list;
	if (!t->bracketed)
		v4 = inet_pton(AF_INET, t->host, &a4) == 1;
	namelen = strlen(t->host);
	if (!t->bracketed && !v4 && t->host[namelen - 1] == '.')
		namelen--;
	for (char **p = entries; *p != NULL; p++) {
		if (t->bracketed || v4) {
			if (curl_ip_match(t->host, t->bracketed, *p))
				return *p;
			continue;
		}
		tok = *p;
		toklen = strlen(tok);
		if (tok[toklen - 1] == '.')
			toklen--;
		if (toklen > 0 && *tok == '.') {
			tok++;
			toklen--;
		}
		if (toklen == namelen && strncasecmp(tok, t->host, namelen) == 0)
			return *p;
		if (toklen < namelen && t->host[namelen - toklen - 1] == '.' &&
		    strncasecmp(tok, t->host + namelen - toklen, toklen) == 0)
			return *p;
	}
	return NULL;
}

static void route_set(struct proxy_route *r, enum proxy_route_kind kind,
    enum proxy_cause cause, char *reason)
{
	r->kind = kind;
	r->cause = cause;
	r->reason = reason;
}

int proxy_decide(const char *url, const struct proxy_settings *s,
    enum proxy_rules rules, struct proxy_route *r)
{
	struct target t;
	struct pick proxy, list;
	struct ipaddr hip;
	char **entries = NULL, *value = NULL, *host = NULL;
	const char *entry = NULL, *why = NULL;
	bool go = rules != PROXY_RULES_CURL;

	memset(r, 0, sizeof(*r));
	if (target_parse(url, &t) == -1)
		return -1;
	pick_proxy(s, rules, &t, &proxy);
	if (proxy.value == NULL) {
		if (proxy.empty != NULL)
			route_set(r, PROXY_DIRECT, PROXY_CAUSE_UNSET,
			    xasprintf("%s is empty", proxy.empty));
		else
			route_set(r, PROXY_DIRECT, PROXY_CAUSE_UNSET, xstrdup(proxy.env_ignored ?
			    "no proxy configured (environment ignored: --no-env-proxy)" :
			    "no proxy configured"));
		return 0;
	}
	r->source = xstrdup(proxy.source);
	if (proxy.cgi) {
		route_set(r, PROXY_REFUSED, PROXY_CAUSE_CGI, xasprintf("refusing to use %s "
		    "in a CGI environment (REQUEST_METHOD is set; Go rules)", proxy.source));
		return 0;
	}
	if (go && strcmp(t.host, "localhost") == 0) {
		route_set(r, PROXY_DIRECT, PROXY_CAUSE_LOOPBACK,
		    xstrdup("localhost is never proxied (Go rules)"));
		return 0;
	}
	if (go && ip_parse(t.host, true, &hip) && ip_is_loopback(&hip)) {
		route_set(r, PROXY_DIRECT, PROXY_CAUSE_LOOPBACK,
		    xstrdup("loopback is never proxied (Go rules)"));
		return 0;
	}
	pick_no_proxy(s, rules, &list);
	if (list.value != NULL) {
		entries = split_list(list.value, !go);
		entry = go ? go_match(entries, &t) : curl_match(list.value, entries, &t);
	}
	if (entry != NULL) {
		route_set(r, PROXY_DIRECT, PROXY_CAUSE_NO_PROXY, entry_label(&list, entry));
		goto out;
	}
	if (proxy_url_build(proxy.value, rules, s->auth, &r->proxy, &r->proxy_shown, &why) == -1) {
		value = shown_proxy(proxy.value);
		route_set(r, PROXY_REFUSED, PROXY_CAUSE_BAD_PROXY, xasprintf("%s \"%s\" is "
		    "not a usable proxy URL: %s", proxy.source, value, why));
		goto out;
	}
	host = str_printable(t.host);
	if (entries != NULL && entries[0] != NULL)
		route_set(r, PROXY_VIA, PROXY_CAUSE_PROXY, list.from == FROM_CONF ?
		    xasprintf("no no-proxy entry (%s) matches \"%s\"", list.source, host) :
		    xasprintf("no %s entry matches \"%s\"", list.source, host));
	else if (list.value != NULL)
		route_set(r, PROXY_VIA, PROXY_CAUSE_PROXY, xasprintf("%s is empty", list.source));
	else
		route_set(r, PROXY_VIA, PROXY_CAUSE_PROXY, xstrdup("no no-proxy list is set"));
out:
	free(host);
	free(value);
	strv_free(entries);
	return 0;
}

void proxy_route_clear(struct proxy_route *r)
{
	free_secret(r->proxy);
	free(r->proxy_shown);
	free(r->source);
	free(r->reason);
	memset(r, 0, sizeof(*r));
}

int proxy_rules_parse(const char *name, enum proxy_rules *rules)
{
	if (name == NULL || strcmp(name, "go") == 0)
		*rules = PROXY_RULES_GO;
	else if (strcmp(name, "curl") == 0)
		*rules = PROXY_RULES_CURL;
	else {
		char *shown = str_printable(name);

		err_set(ERR_USAGE, "--proxy-rules must be go or curl (got \"%s\")", shown);
		free(shown);
		return -1;
	}
	return 0;
}

const char *proxy_rules_name(enum proxy_rules rules)
{
	switch (rules) {
	case PROXY_RULES_GO:
		return "go";
	case PROXY_RULES_GO115:
		return "go<=1.15";
	case PROXY_RULES_CURL:
		return "curl";
	}
	return "?";
}

int proxy_settings_init(struct proxy_settings *s, const struct config *cfg)
{
	memset(s, 0, sizeof(*s));
	if (proxy_rules_parse(cfg->proxy_rules, &s->rules) == -1)
		return -1;
	if (cfg->proxy_source != NULL) {
		s->conf_proxy = cfg->proxy;
		s->conf_proxy_source = cfg->proxy_source;
	} else
		s->flag_proxy = cfg->proxy;
	if (cfg->no_proxy_source != NULL) {
		s->conf_no_proxy = cfg->no_proxy;
		s->conf_no_proxy_source = cfg->no_proxy_source;
	} else
		s->flag_no_proxy = cfg->no_proxy;
	s->no_env_proxy = cfg->no_env_proxy;
	return 0;
}

void proxy_settings_clear(struct proxy_settings *s)
{
	if (s->handed != NULL)
		for (char **p = s->handed; *p != NULL; p++)
			OPENSSL_cleanse(*p, strlen(*p));
	strv_free(s->handed);
	free_secret(s->auth_read);
	memset(s, 0, sizeof(*s));
}

int proxy_url_check(const char *value)
{
	struct proxy_url u;
	const char *why;
	char *shown;

	if (proxy_url_parse(value, &u, &why))
		return 0;
	shown = shown_proxy(value);
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

/* Keeps url in s->handed (once) so the pointer outlives the decision. */
static const char *hand_out(struct proxy_settings *s, const char *url)
{
	size_t n = 0;

	if (s->handed != NULL)
		for (; s->handed[n] != NULL; n++)
			if (strcmp(s->handed[n], url) == 0)
				return s->handed[n];
	s->handed = xrealloc(s->handed, (n + 2) * sizeof(*s->handed));
	s->handed[n] = xstrdup(url);
	s->handed[n + 1] = NULL;
	return s->handed[n];
}

const char *proxy_route_cb(void *route_arg, const char *url, char **why)
{
	struct proxy_settings *s = route_arg;
	struct proxy_route r;
	const char *proxy = NULL;
	char *shown;

	*why = NULL;
	if (proxy_decide(url, s, s->rules, &r) == -1)
		return NULL;
	switch (r.kind) {
	case PROXY_DIRECT:
		*why = xstrdup(r.reason);
		break;
	case PROXY_VIA:
		proxy = hand_out(s, r.proxy);
		*why = xstrdup(r.source);
		break;
	case PROXY_REFUSED:
		shown = shown_proxy(url);
		err_set(ERR_USAGE, "%s: %s", shown, r.reason);
		free(shown);
		break;
	}
	proxy_route_clear(&r);
	return proxy;
}

/* Warnings collected in order. */
struct wlist {
	struct proxy_warning *v;
	size_t n;
	char **seen;  /* entries already warned about */
	size_t nseen;
};

static void warn(struct wlist *w, const char *id, char *text)
{
	w->v = xrealloc(w->v, (w->n + 1) * sizeof(*w->v));
	w->v[w->n].id = id;
	w->v[w->n].text = text;
	w->n++;
}

static bool seen_before(struct wlist *w, const char *entry)
{
	for (size_t i = 0; i < w->nseen; i++)
		if (strcmp(w->seen[i], entry) == 0)
			return true;
	w->seen = xrealloc(w->seen, (w->nseen + 1) * sizeof(*w->seen));
	w->seen[w->nseen++] = xstrdup(entry);
	return false;
}

/* no_proxy_ip_entry, wildcard_entry and leading_dot for one list. */
static void warn_list(struct wlist *w, const struct pick *list, const struct target *t)
{
	char **entries = split_list(list->value, true), *label, *host = str_printable(t->host);
	char lowered[HOST_MAX * 2];
	struct go_entry e;
	struct ipaddr hip;
	bool host_is_name = !t->bracketed && !ip_parse(t->host, true, &hip);

	for (char **p = entries; *p != NULL; p++) {
		if (seen_before(w, *p))
			continue;
		label = entry_label(list, *p);
		if (copy_n(lowered, sizeof(lowered), *p, strlen(*p))) {
			lower(lowered);
			go_entry_parse(lowered, &e);
		} else
			e.kind = GO_SKIP;
		if (host_is_name && (e.kind == GO_IP || e.kind == GO_CIDR))
			warn(w, "no_proxy_ip_entry", xasprintf("%s is an IP address but the "
			    "URL host \"%s\" is a name: Go and curl compare no-proxy entries with "
			    "the host as written, never with its resolved addresses, so this entry "
			    "never matches it (adding the CA's IP to no_proxy does nothing by itself)",
			    label, host));
		if (strncmp(*p, "*.", 2) == 0)
			warn(w, "wildcard_entry", xasprintf("%s: curl never matches \"*.\" entries; "
			    "Go reads it as \"%s\" (subdomains only). Write \"%s\" to cover the "
			    "domain and its subdomains under both", label, *p + 1, *p + 2));
		else if ((*p)[0] == '.' && (*p)[1] != '\0')
			warn(w, "leading_dot", xasprintf("%s: Go matches only subdomains of \"%s\", "
			    "not the name itself; curl ignores the dot and matches both. Write "
			    "\"%s\" to match both under both rules", label, *p + 1, *p + 1));
		free(label);
	}
	free(host);
	strv_free(entries);
}

static void warn_entries(struct wlist *w, const struct proxy_settings *s, const struct target *t)
{
	struct pick list;

	memset(&list, 0, sizeof(list));
	if (s->flag_no_proxy != NULL || s->conf_no_proxy != NULL) {
		pick_no_proxy(s, PROXY_RULES_GO, &list);
		warn_list(w, &list, t);
		return;
	}
	/* Each case is read by one of the programs. */
	for (const char *const *name = go_no_proxy_vars; *name != NULL; name++) {
		if (!env_set(s, *name))
			continue;
		list.from = FROM_ENV;
		list.source = *name;
		list.value = env(s, *name);
		warn_list(w, &list, t);
	}
}

static void warn_case_conflicts(struct wlist *w, const struct proxy_settings *s)
{
	static const struct {
		const char *upper, *lower;
		bool is_proxy;
		const char *curl_note;
	} pairs[] = {
		{ "HTTPS_PROXY", "https_proxy", true, "" },
		{ "HTTP_PROXY", "http_proxy", true, " (curl never reads HTTP_PROXY)" },
		{ "NO_PROXY", "no_proxy", false, "" },
	};
	bool proxy_overridden = s->flag_proxy != NULL || s->conf_proxy != NULL;
	bool list_overridden = s->flag_no_proxy != NULL || s->conf_no_proxy != NULL;
	char *up, *low;

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		if ((pairs[i].is_proxy ? proxy_overridden : list_overridden) ||
		    !env_set(s, pairs[i].upper) || !env_set(s, pairs[i].lower) ||
		    strcmp(env(s, pairs[i].upper), env(s, pairs[i].lower)) == 0)
			continue;
		up = shown_proxy(env(s, pairs[i].upper));
		low = shown_proxy(env(s, pairs[i].lower));
		warn(w, "proxy_env_case_conflict", xasprintf("%s=\"%s\" and %s=\"%s\" differ%s: "
		    "Go and cert-manager use %s, curl uses %s%s", pairs[i].upper, up,
		    pairs[i].lower, low, strcmp(up, low) == 0 ? " in their credentials" : "",
		    pairs[i].upper, pairs[i].lower, pairs[i].curl_note));
		free(up);
		free(low);
	}
}

/* Go <= 1.15 (cert-manager v1.1) sent https requests through HTTP_PROXY
 * when HTTPS_PROXY was unset; Go >= 1.16 goes direct. */
static void warn_go115(struct wlist *w, const char *url, const struct proxy_settings *s,
    const struct target *t)
{
	struct proxy_route old;
	const char *http_var;
	char *now;

	if (!t->https || s->flag_proxy != NULL || s->conf_proxy != NULL ||
	    env_set(s, "HTTPS_PROXY") || env_set(s, "https_proxy"))
		return;
	if (env_set(s, "HTTP_PROXY"))
		http_var = "HTTP_PROXY";
	else if (env_set(s, "http_proxy"))
		http_var = "http_proxy";
	else
		return;
	if (proxy_decide(url, s, PROXY_RULES_GO115, &old) == -1)
		return;
	if (old.kind == PROXY_VIA)
		now = xasprintf("for this URL: via %s", old.proxy_shown);
	else if (old.kind == PROXY_REFUSED)
		now = xasprintf("for this URL the request fails: %s", old.reason);
	else
		now = xasprintf("for this URL they still go direct: %s", old.reason);
	warn(w, "https_proxy_unset_http_proxy_set", xasprintf("HTTPS_PROXY and https_proxy are "
	    "unset but %s is set: cert-manager v1.1 era builds (Go <= 1.15) fall back to it for "
	    "https URLs (%s); builds with Go >= 1.16 do not and go direct", http_var, now));
	free(now);
	proxy_route_clear(&old);
}

static void warn_loopback(struct wlist *w, const char *url, const struct proxy_settings *s,
    const struct target *t)
{
	struct proxy_route go, curl;
	char *host, *curl_says;

	if (proxy_decide(url, s, PROXY_RULES_GO, &go) == -1)
		return;
	if (go.cause != PROXY_CAUSE_LOOPBACK || proxy_decide(url, s, PROXY_RULES_CURL, &curl) == -1) {
		proxy_route_clear(&go);
		return;
	}
	host = str_printable(t->host);
	curl_says = curl.kind == PROXY_VIA ? xasprintf("; curl would go via %s", curl.proxy_shown) :
	    xstrdup("");
	warn(w, "loopback_direct", xasprintf("%s \"%s\" is never proxied under Go rules: "
	    "cert-manager connects to it directly whatever %s says%s",
	    strcmp(t->host, "localhost") == 0 ? "the name" : "the loopback address", host,
	    go.source, curl_says));
	free(curl_says);
	free(host);
	proxy_route_clear(&curl);
	proxy_route_clear(&go);
}

int proxy_warnings(const char *url, const struct proxy_settings *s,
    struct proxy_warning **warnings, size_t *n)
{
	struct target t;
	struct wlist w;

	*warnings = NULL;
	*n = 0;
	memset(&w, 0, sizeof(w));
	if (target_parse(url, &t) == -1)
		return -1;
	warn_entries(&w, s, &t);
	warn_case_conflicts(&w, s);
	warn_go115(&w, url, s, &t);
	warn_loopback(&w, url, s, &t);
	for (size_t i = 0; i < w.nseen; i++)
		free(w.seen[i]);
	free(w.seen);
	*warnings = w.v;
	*n = w.n;
	return 0;
}

void proxy_warnings_free(struct proxy_warning *warnings, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(warnings[i].text);
	free(warnings);
}
