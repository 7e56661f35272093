/* proxy_int.h - what the proxy layer's files share: the parsed request URL,
 * proxy URLs as each implementation reads them, and the no-proxy
 * matchers. Not part of the proxy layer's interface (include/proxy.h);
 * tests/unit/test_noproxy.c uses the matchers directly. */
#ifndef ACMECTL_PROXY_INT_H
#define ACMECTL_PROXY_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "proxy.h"

#define HOST_MAX 256
#define PORT_MAX 8

/* A request URL as the rule sets look at it. */
struct target {
	bool https;
	char host[HOST_MAX];    /* as written, IPv6 without brackets */
	char ascii[HOST_MAX];   /* host as Go and libcurl connect to it: IDNA
	                         * (punycode) labels for a Unicode name, else host */
	bool idna_failed;       /* host is not ASCII and has no IDNA form */
	bool bracketed;         /* an IPv6 literal */
	char curl_v6[HOST_MAX]; /* IPv6: libcurl's spelling (the shorter of the
	                         * written and the canonical text) */
	char port[PORT_MAX];    /* as written, else the scheme's default */
};

/* A proxy URL taken apart. */
struct proxy_url {
	char scheme[16];
	char *user;           /* decoded, owned (wipe); NULL when none */
	char *password;       /* decoded, owned (wipe); NULL when none */
	char host[HOST_MAX];  /* without brackets */
	bool v6;
	char port[PORT_MAX];  /* "" when not written */
};

/* Where a proxy value came from decides how it is read: acmectl's own
 * flags and config file by acmectl's parser, the environment as the
 * chosen implementation reads it. */
enum proxy_reader {
	READ_ACMECTL,
	READ_GO,    /* net/url.Parse, then x/net httpproxy's "http://" retry */
	READ_CURL,  /* libcurl 7.88's URL parser with a guessed scheme */
};

/* One setting picked from flags, config file or environment. */
struct pick {
	const char *value;    /* NULL when none applies */
	const char *source;   /* "--proxy", "FILE:LINE", variable name */
	const char *empty;    /* the first candidate that was set but empty */
	enum { FROM_FLAG, FROM_CONF, FROM_ENV } from;
	bool env_ignored;     /* --no-env-proxy */
};

/* proxy.c */

/* Go's spellings of the no-proxy variable, in its order. */
extern const char *const go_no_proxy_vars[];

/* The environment variable name through s's lookup; NULL when unset or
 * the environment is ignored. */
const char *proxy_env(const struct proxy_settings *s, const char *name);

/* True when name is set and not empty. */
bool proxy_env_set(const struct proxy_settings *s, const char *name);

/* The no-proxy list the rules read: --no-proxy, config file, environment. */
void pick_no_proxy(const struct proxy_settings *s, enum proxy_rules rules, struct pick *p);

/* "NO_PROXY entry "x"" or "no-proxy entry "x" (FILE:LINE)". Caller frees. */
char *entry_label(const struct pick *list, const char *entry);

/* proxy_url.c */

/* Splits an http:// or https:// URL. Returns 0, or -1 with ERR_USAGE. */
int target_parse(const char *url, struct target *t);

/* Reads value as reader does. Returns true and fills u (free with
 * proxy_url_free), or false with *why (static) saying what is wrong. */
bool proxy_url_read(const char *value, enum proxy_reader reader, struct proxy_url *u,
    const char **why);

/* Frees and wipes what u owns. */
void proxy_url_free(struct proxy_url *u);

/* The proxy URL in full, for use and for display, with the port the rules
 * imply spelled out; credentials from auth ("user:pass") replace u's.
 * Returns 0, or -1 with *why (static) when rules cannot use u. Caller
 * frees *use (wiped) and *shown. */
int proxy_url_build(const struct proxy_url *u, enum proxy_rules rules, const char *auth,
    char **use, char **shown, const char **why);

/* The IDNA (punycode) form of the name s, label by label, as Go's
 * idna.Lookup and libidn2 give it; s itself when ASCII. Returns false when
 * a label has no such form or it does not fit in outsz. */
bool host_to_ascii(const char *s, char *out, size_t outsz);

/* Wipes and frees a string holding credentials. NULL is fine. */
void secret_free(char *s);

/* A proxy value as it may be shown: no credentials, printable. Caller frees. */
char *proxy_value_shown(const char *value);

/* proxy_match.c */

/* Splits a list on commas (Go) or on commas and blanks (curl up to 8.8),
 * trimming each element; empty elements dropped. Caller strv_free()s. */
char **noproxy_split(const char *list, bool blanks);

/* The entry of list (split into entries by noproxy_split) that exempts
 * t under rules, or NULL. Borrowed from list or entries. */
const char *noproxy_find(enum proxy_rules rules, const struct target *t, const char *list,
    char **entries);

/* True when s is an IP literal; with Go's reading, an IPv4-mapped IPv6
 * address counts as IPv4. */
bool ip_literal(const char *s);

/* True when host (as written in a URL, IPv6 without brackets) is a
 * loopback literal by Go's net.IP.IsLoopback. */
bool ip_is_loopback_literal(const char *host);

/* True when entry (trimmed) is what Go reads as an IP or CIDR entry. */
bool noproxy_entry_is_ip(const char *entry);

#endif
