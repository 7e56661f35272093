/* proxy_match.c - the no-proxy matchers: Go's (x/net http/httpproxy
 * config.init() and useProxy(), with net.ParseCIDR and IPNet.Contains)
 * and libcurl 7.88's (lib/noproxy.c Curl_check_noproxy(), handed the host
 * name after its URL parser took the brackets off an IPv6 literal). */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy_int.h"
#include "util.h"

/* An IP address; IPv4 in the first 4 bytes. */
struct ipaddr {
	int af;
	unsigned char a[16];
};

static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* Go: one NO_PROXY element, parsed as config.init() does. */
struct go_entry {
	enum { GO_SKIP, GO_ALL, GO_CIDR, GO_IP, GO_DOMAIN } kind;
	struct ipaddr ip;
	unsigned bits;
	char host[HOST_MAX + 1]; /* GO_DOMAIN: with a leading '.', IDNA labels */
	char port[PORT_MAX];     /* "" matches any port */
	bool match_host;         /* GO_DOMAIN: the name itself matches too */
};

static void lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

static bool copy_n(char *buf, size_t bufsz, const char *s, size_t n)
{
	if (n >= bufsz)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

/* An IPv4-mapped IPv6 address as the IPv4 address, as Go's To4() does
 * before comparing. */
static void unmap4(struct ipaddr *ip)
{
	if (ip->af == AF_INET6 && memcmp(ip->a, v4_mapped, sizeof(v4_mapped)) == 0) {
		memmove(ip->a, ip->a + 12, 4);
		memset(ip->a + 4, 0, 12);
		ip->af = AF_INET;
	}
}

/* Go's net.ParseIP, IPv4-mapped addresses as IPv4. */
static bool ip_parse(const char *s, struct ipaddr *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->a) == 1)
		ip->af = AF_INET;
	else if (inet_pton(AF_INET6, s, ip->a) == 1)
		ip->af = AF_INET6;
	else
		return false;
	unmap4(ip);
	return true;
}

bool ip_literal(const char *s)
{
	struct ipaddr ip;

	return ip_parse(s, &ip);
}

bool ip_is_loopback_literal(const char *host)
{
	static const unsigned char v6_loopback[16] =
		{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	struct ipaddr ip;

	if (!ip_parse(host, &ip))
		return false;
	if (ip.af == AF_INET)
		return ip.a[0] == 127;
	return memcmp(ip.a, v6_loopback, 16) == 0;
}

/* True when the first bits bits of a and b are equal. */
static bool prefix_equal(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, bytes) != 0)
		return false;
	return rest == 0 || ((a[bytes] ^ b[bytes]) & (0xff << (8 - rest)) & 0xff) == 0;
}

/* Go's net.ParseCIDR, then IPNet.Contains()'s view of it: "ADDR/BITS",
 * BITS decimal within the family's width; a network whose masked address
 * is IPv4-mapped is that IPv4 network, so "::ffff:10.0.0.0/104" holds
 * 10.0.0.0/8. */
static bool cidr_parse(const char *s, struct ipaddr *net, unsigned *bits)
{
	const char *slash = strchr(s, '/');
	char addr[64];
	unsigned long n = 0;
	size_t i;

	if (slash == NULL || !copy_n(addr, sizeof(addr), s, (size_t)(slash - s)) ||
	    slash[1] == '\0')
		return false;
	for (i = 1; slash[i] != '\0'; i++) {
		if (!isdigit((unsigned char)slash[i]))
			return false;
		n = n > 1000 ? n : n * 10 + (unsigned long)(slash[i] - '0');
	}
	memset(net, 0, sizeof(*net));
	if (inet_pton(AF_INET, addr, net->a) == 1)
		net->af = AF_INET;
	else if (inet_pton(AF_INET6, addr, net->a) == 1)
		net->af = AF_INET6;
	else
		return false;
	if (n > (net->af == AF_INET ? 32u : 128u))
		return false;
	*bits = (unsigned)n;
	for (i = *bits; i < 128; i++)
		net->a[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
	if (net->af == AF_INET6 && memcmp(net->a, v4_mapped, sizeof(v4_mapped)) == 0) {
		unmap4(net);
		*bits -= 96;
	}
	return true;
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

/* entry: trimmed and lowercased. */
static void go_entry_parse(const char *entry, struct go_entry *e)
{
	char phost[HOST_MAX], dotted[HOST_MAX + 1];

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
	if (ip_parse(phost, &e->ip)) {
		e->kind = GO_IP;
		return;
	}
	/* "*.foo.com" is ".foo.com"; "foo.com" matches itself and below. */
	if (strncmp(phost, "*.", 2) == 0)
		memmove(phost, phost + 1, strlen(phost));
	e->match_host = phost[0] != '.';
	snprintf(dotted, sizeof(dotted), "%s%s", e->match_host ? "." : "", phost);
	/* Go converts the entry, dot and all, to IDNA; kept when it cannot. */
	if (!host_to_ascii(dotted, e->host, sizeof(e->host)))
		snprintf(e->host, sizeof(e->host), "%s", dotted);
	e->kind = GO_DOMAIN;
}

bool noproxy_entry_is_ip(const char *entry)
{
	char lowered[HOST_MAX * 2];
	struct go_entry e;

	if (!copy_n(lowered, sizeof(lowered), entry, strlen(entry)))
		return false;
	lower(lowered);
	go_entry_parse(lowered, &e);
	return e.kind == GO_IP || e.kind == GO_CIDR;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

char **noproxy_split(const char *list, bool blanks)
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

/* Whether Go's entry e exempts host (IDNA, lowercased) on port, given
 * its IP form when it is one. */
static bool go_entry_matches(const struct go_entry *e, const char *host, const char *port,
    const struct ipaddr *hip)
{
	switch (e->kind) {
	case GO_ALL:
		return true;
	case GO_CIDR:
		return hip != NULL && e->ip.af == hip->af && prefix_equal(e->ip.a, hip->a, e->bits);
	case GO_IP:
		return hip != NULL && e->ip.af == hip->af && memcmp(e->ip.a, hip->a, 16) == 0 &&
		    (e->port[0] == '\0' || strcmp(e->port, port) == 0);
	case GO_DOMAIN:
		return (ends_with(host, e->host) || (e->match_host && strcmp(host, e->host + 1) == 0)) &&
		    (e->port[0] == '\0' || strcmp(e->port, port) == 0);
	case GO_SKIP:
		break;
	}
	return false;
}

/* Go's useProxy() list part: "*" anywhere, then IP and CIDR entries (IP
 * hosts only), then names (every host, compared as text). */
static const char *go_find(char **entries, const struct target *t)
{
	char host[HOST_MAX], lowered[HOST_MAX * 2];
	struct go_entry e;
	struct ipaddr hip;
	bool is_ip;

	snprintf(host, sizeof(host), "%s", t->ascii);
	lower(host);
	is_ip = ip_parse(host, &hip);
	for (int pass = 0; pass < 3; pass++)
		for (char **p = entries; *p != NULL; p++) {
			if (!copy_n(lowered, sizeof(lowered), *p, strlen(*p)))
				continue;
			lower(lowered);
			go_entry_parse(lowered, &e);
			if ((pass == 0 && e.kind != GO_ALL) ||
			    (pass == 1 && e.kind != GO_CIDR && e.kind != GO_IP) ||
			    (pass == 2 && e.kind != GO_DOMAIN))
				continue;
			if (go_entry_matches(&e, host, t->port, is_ip ? &hip : NULL))
				return *p;
		}
	return NULL;
}

/* libcurl's Curl_cidr4_match on one token: bits 0 means all 32. */
static bool curl_cidr4_match(const char *host, const char *token)
{
	char check[128], *slash;
	unsigned bits = 0;
	struct in_addr a4, c4;

	if (!copy_n(check, sizeof(check), token, strlen(token)))
		return false;
	if ((slash = strchr(check, '/')) != NULL) {
		bits = (unsigned)atoi(slash + 1);
		*slash = '\0';
	}
	if (bits > 32 || inet_pton(AF_INET, host, &a4) != 1 || inet_pton(AF_INET, check, &c4) != 1)
		return false;
	return prefix_equal((unsigned char *)&a4.s_addr, (unsigned char *)&c4.s_addr,
	    bits == 0 ? 32 : bits);
}

/* libcurl's name comparison: trailing dots and a leading token dot
 * ignored, case-insensitive, whole labels. */
static bool curl_name_match(const char *name, size_t namelen, const char *tok)
{
	size_t toklen = strlen(tok);

	if (tok[toklen - 1] == '.')
		toklen--;
	if (toklen > 0 && *tok == '.') {
		tok++;
		toklen--;
	}
	if (toklen == namelen)
		return strncasecmp(tok, name, namelen) == 0;
	return toklen < namelen && name[namelen - toklen - 1] == '.' &&
	    strncasecmp(tok, name + namelen - toklen, toklen) == 0;
}

/* libcurl's Curl_check_noproxy(): "*" only as the whole value; an IPv4
 * host against IPv4 and CIDR tokens; any other host, an IPv6 literal
 * included (its brackets are gone by then), as a name. */
static const char *curl_find(const char *list, char **entries, const struct target *t)
{
	struct in_addr a4;
	const char *name = t->bracketed ? t->curl_v6 : t->ascii;
	size_t namelen = strlen(name);
	bool v4 = !t->bracketed && inet_pton(AF_INET, name, &a4) == 1;

	if (strcmp(list, "*") == 0)
		return list;
	if (!v4 && namelen > 0 && name[namelen - 1] == '.')
		namelen--;
	for (char **p = entries; *p != NULL; p++)
		if (v4 ? curl_cidr4_match(name, *p) : curl_name_match(name, namelen, *p))
			return *p;
	return NULL;
}

const char *noproxy_find(enum proxy_rules rules, const struct target *t, const char *list,
    char **entries)
{
	return rules == PROXY_RULES_CURL ? curl_find(list, entries, t) : go_find(entries, t);
}
