/* proxy.h - which route a request takes: direct or through which proxy, where
 * that setting came from and why, under Go's rules (what cert-manager does) or
 * libcurl's. acmectl decides the route itself and hands libcurl an explicit
 * proxy, so what it reports is what happens.
 *
 * Pure: no I/O and no getenv(); the environment is read through the lookup
 * function in struct proxy_settings, so tests pass a table. The one exception
 * is proxy_settings_read() (proxy_settings.c): the process environment and
 * the credentials file.
 */
#ifndef ACMECTL_PROXY_H
#define ACMECTL_PROXY_H

#include <stdbool.h>
#include <stddef.h>

enum proxy_rules {
	PROXY_RULES_GO,     /* golang.org/x/net httpproxy, Go >= 1.16 */
	PROXY_RULES_GO115,  /* Go <= 1.15 (cert-manager v1.1): https falls back to HTTP_PROXY */
	PROXY_RULES_CURL,   /* libcurl 7.86 .. 8.8 */
};

/* acmectl's own proxy settings: the command line and the config file.
 * All strings borrowed. */
struct proxy_flags {
	const char *proxy;           /* --proxy URL or the config file's "proxy";
	                              * "" means "no proxy"; NULL when neither */
	const char *proxy_source;    /* "FILE:LINE" when proxy is the config file's */
	const char *no_proxy;        /* --no-proxy LIST or the config file's "no-proxy" */
	const char *no_proxy_source; /* "FILE:LINE" when no_proxy is the config file's */
	const char *auth_file;       /* --proxy-auth-file, or NULL */
	bool no_env_proxy;           /* --no-env-proxy */
	const char *rules;           /* --proxy-rules: "go" or "curl"; NULL means go */
};

/* Everything the decision depends on. All strings borrowed. */
struct proxy_settings {
	const char *flag_proxy;           /* --proxy; "" means "no proxy" */
	const char *flag_no_proxy;        /* --no-proxy; "" means an empty list */
	bool no_env_proxy;                /* --no-env-proxy */
	const char *conf_proxy;           /* config file "proxy" */
	const char *conf_proxy_source;    /* "FILE:LINE" of it */
	const char *conf_no_proxy;        /* config file "no-proxy" */
	const char *conf_no_proxy_source; /* "FILE:LINE" of it */
	const char *auth;                 /* "user:pass" (--proxy-auth-file), or NULL */
	char *auth_read;                  /* owned copy behind auth when read by
	                                   * proxy_settings_read; wiped on clear */
	enum proxy_rules rules;           /* used by proxy_route_cb */
	/* Environment lookup: the value of name, or NULL when unset. */
	const char *(*getenv)(void *arg, const char *name);
	void *getenv_arg;
	/* Proxy URLs handed out by proxy_route_cb; freed by proxy_settings_clear. */
	char **handed;
};

enum proxy_route_kind {
	PROXY_DIRECT,
	PROXY_VIA,      /* through route.proxy */
	PROXY_REFUSED,  /* the request would fail: CGI environment, unusable proxy URL,
	                 * (curl) a host with no IDNA form */
};

/* What decided the route; lets callers and tests tell reasons apart. */
enum proxy_cause {
	PROXY_CAUSE_UNSET,     /* no proxy configured (or only empty values) */
	PROXY_CAUSE_LOOPBACK,  /* Go: localhost or a loopback literal */
	PROXY_CAUSE_NO_PROXY,  /* a no-proxy entry matched */
	PROXY_CAUSE_PROXY,     /* a proxy applies */
	PROXY_CAUSE_CGI,       /* Go: HTTP proxy from the environment under CGI */
	PROXY_CAUSE_BAD_PROXY, /* the proxy value is not a usable URL (with PROXY_DIRECT:
	                        * Go cannot parse it and uses none) */
};

struct proxy_route {
	enum proxy_route_kind kind;
	enum proxy_cause cause;
	char *proxy;        /* for use, with credentials: "http://u:p@host:3128"; NULL unless PROXY_VIA */
	char *proxy_shown;  /* for display, userinfo as "***" (see proxy_redact); NULL unless PROXY_VIA */
	char *source;       /* the proxy setting consulted: "--proxy", "FILE:LINE",
	                     * "HTTPS_PROXY"...; NULL when none was set */
	char *reason;       /* one line, never holds credentials */
};

struct proxy_warning {
	const char *id;     /* static: "no_proxy_ip_entry", "wildcard_entry", "leading_dot",
	                     * "proxy_env_case_conflict", "https_proxy_unset_http_proxy_set",
	                     * "loopback_direct", "go_proxy_misread" */
	char *text;         /* one or two sentences, never holds credentials */
};

/* Parses "go" or "curl" (NULL means "go"). Returns 0, or -1 with ERR_USAGE. */
int proxy_rules_parse(const char *name, enum proxy_rules *rules);

/* "go", "go<=1.15" or "curl". Static string. */
const char *proxy_rules_name(enum proxy_rules rules);

/* Fills s from f (pointers borrowed from f's strings); zeroes everything
 * else: no environment lookup, no auth. Returns 0, or -1 with ERR_USAGE for
 * a bad --proxy-rules value. */
int proxy_settings_init(struct proxy_settings *s, const struct proxy_flags *f);

/* proxy_settings_init(), plus the process environment as lookup and the
 * credentials read from f->auth_file (one line "user:pass"; kept in s,
 * wiped by proxy_settings_clear). Returns 0, or -1 with ERR_USAGE (bad
 * rules, empty auth file) or ERR_STORAGE (unreadable auth file); s is safe
 * to clear either way. */
int proxy_settings_read(struct proxy_settings *s, const struct proxy_flags *f);

/* Makes env ("NAME=VALUE" strings, NULL-terminated, the first of a name
 * winning) the environment s reads instead of the process's: another
 * process's, for diagnose --pid. env is borrowed and must outlive s. */
void proxy_settings_use_env(struct proxy_settings *s, char *const *env);

/* Frees what s owns (the handed-out proxy URLs, wiped) and zeroes it. */
void proxy_settings_clear(struct proxy_settings *s);

/* Decides the route of url under rules. Precedence: --proxy, then the config
 * file, then the environment; the no-proxy list likewise, independently.
 * --proxy and the config file are read by acmectl's parser, a proxy
 * variable as the implementation reads it (Go: a value that is no http,
 * https or socks5 URL again with "http://" in front, one it cannot parse
 * as no proxy; libcurl: its own URL parser). A Unicode host is compared
 * and connected to in IDNA form. Fills *route (caller proxy_route_clear()s
 * it). Returns 0, or -1 with ERR_USAGE when url is not an http:// or
 * https:// URL with a host. */
int proxy_decide(const char *url, const struct proxy_settings *s,
    enum proxy_rules rules, struct proxy_route *route);

/* Frees the members of route (the proxy URL is wiped) and zeroes it. */
void proxy_route_clear(struct proxy_route *route);

/* The traps in s for url, in a fixed order. Stores a new array in *warnings
 * and its length in *n (caller proxy_warnings_free()s it). Returns 0, or -1
 * with ERR_USAGE for a bad url. */
int proxy_warnings(const char *url, const struct proxy_settings *s,
    struct proxy_warning **warnings, size_t *n);

/* Frees n warnings and the array. NULL is fine. */
void proxy_warnings_free(struct proxy_warning *warnings, size_t n);

/* Checks that value is a proxy URL acmectl can use: [SCHEME://][USERINFO@]HOST[:PORT][/],
 * SCHEME one of http, https, socks4, socks4a, socks5, socks5h. Returns 0, or -1
 * with ERR_USAGE naming the problem (never the credentials). */
int proxy_url_check(const char *value);

/* url with everything between "://" (or the start) and the last '@'
 * replaced by "***", so "http://u:p@host:3128" is shown as http:// followed
 * by "***@host:3128" even when the password holds a raw '/', '?' or '#';
 * url unchanged without '@'. Caller frees. */
char *proxy_redact(const char *url);

/* The route callback of struct http_opts: route_arg is a struct
 * proxy_settings, decided with its rules. Returns 0 with *proxy the proxy
 * URL for url (with credentials; borrowed from the settings until
 * proxy_settings_clear), or NULL for direct, and *why a new string: the
 * proxy's source ("HTTPS_PROXY") or the reason for going direct ("NO_PROXY
 * entry \"example.org\""). When the request must not be made at all (bad
 * url, CGI refusal, unusable proxy URL) it returns -1 with *proxy NULL and
 * *why the refusal, one line naming the URL. Caller frees *why either way;
 * records nothing. Log the proxy with proxy_redact(), never as is. */
int proxy_route_cb(void *route_arg, const char *url, const char **proxy, char **why);

#endif
