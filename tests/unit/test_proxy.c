/* test_proxy.c - the route decision under Go and curl rules: one table of
 * {url, environment, flags, config} -> {Go route, curl route, warnings},
 * covering every row of the comparison in the proxy notes, then the
 * smaller helpers (proxy URL check, redaction, the http route callback). */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "proxy.h"
#include "util.h"
#include "test.h"

#define P "http://proxy.corp:3128"
#define Q "http://other.corp:8080"
#define F "http://flag.corp:3128"
#define C "http://conf.corp:3128"
#define CONF_PROXY_AT "/etc/acmectl/acmectl.conf:3"
#define CONF_NO_PROXY_AT "/etc/acmectl/acmectl.conf:4"
#define U "https://acme.example/dir"
#define UH "http://acme.example/"

/* Expected routes: "direct", "refused", or the proxy as shown. */
static const struct row {
	const char *url;
	const char *HTTPS_PROXY, *https_proxy, *NO_PROXY, *no_proxy;
	const char *HTTP_PROXY, *http_proxy, *ALL_PROXY, *all_proxy, *REQUEST_METHOD;
	const char *flag_proxy, *flag_no_proxy, *conf_proxy, *conf_no_proxy;
	bool no_env;
	const char *auth;
	const char *go, *curl;
	const char *go115;            /* NULL: same as go */
	const char *go_src, *curl_src; /* NULL: unchecked */
	const char *go_why, *curl_why; /* fragment of the reason; NULL: unchecked */
	const char *go_use;           /* the URL handed to libcurl under Go; NULL: unchecked */
	const char *warnings;         /* ids in order, space-separated; NULL: none */
} rows[] = {
	/* which variable wins: Go uppercase first, curl lowercase first; empty = unset */
	{ .url = U, .HTTPS_PROXY = P, .go = P, .curl = P, .go_src = "HTTPS_PROXY",
	  .curl_src = "HTTPS_PROXY", .go_why = "no no-proxy list is set" },
	{ .url = U, .https_proxy = P, .go = P, .curl = P, .go_src = "https_proxy",
	  .curl_src = "https_proxy" },
	{ .url = U, .HTTPS_PROXY = P, .https_proxy = Q, .go = P, .curl = Q,
	  .go_src = "HTTPS_PROXY", .curl_src = "https_proxy",
	  .warnings = "proxy_env_case_conflict" },
	{ .url = U, .HTTPS_PROXY = "", .https_proxy = Q, .go = Q, .curl = Q,
	  .go_src = "https_proxy", .curl_src = "https_proxy" },
	{ .url = U, .HTTPS_PROXY = P, .https_proxy = "", .go = P, .curl = P,
	  .go_src = "HTTPS_PROXY", .curl_src = "HTTPS_PROXY" },
	{ .url = U, .HTTPS_PROXY = "", .go = "direct", .curl = "direct",
	  .go_why = "HTTPS_PROXY is empty", .curl_why = "HTTPS_PROXY is empty" },
	{ .url = U, .go = "direct", .curl = "direct", .go_why = "no proxy configured",
	  .curl_why = "no proxy configured" },
	{ .url = U, .HTTPS_PROXY = P, .NO_PROXY = "acme.example", .no_proxy = "other.example",
	  .go = "direct", .curl = P, .go_why = "NO_PROXY entry \"acme.example\"",
	  .curl_why = "no no_proxy entry matches \"acme.example\"",
	  .warnings = "proxy_env_case_conflict" },
	{ .url = U, .HTTPS_PROXY = P, .NO_PROXY = "other.example", .no_proxy = "acme.example",
	  .go = P, .curl = "direct", .curl_why = "no_proxy entry \"acme.example\"",
	  .warnings = "proxy_env_case_conflict" },
	{ .url = U, .HTTPS_PROXY = P, .NO_PROXY = "", .no_proxy = "acme.example",
	  .go = "direct", .curl = "direct", .go_why = "no_proxy entry \"acme.example\"" },
	{ .url = U, .HTTPS_PROXY = P, .NO_PROXY = "acme.example", .no_proxy = "",
	  .go = "direct", .curl = "direct", .curl_why = "NO_PROXY entry \"acme.example\"" },

	/* HTTP_PROXY: Go reads it for http:// (refused under CGI); curl never reads it */
	{ .url = UH, .HTTP_PROXY = P, .go = P, .curl = "direct", .go_src = "HTTP_PROXY",
	  .curl_why = "no proxy configured" },
	{ .url = UH, .http_proxy = P, .go = P, .curl = P, .go_src = "http_proxy",
	  .curl_src = "http_proxy" },
	{ .url = UH, .HTTP_PROXY = P, .REQUEST_METHOD = "GET", .go = "refused", .curl = "direct",
	  .go_why = "CGI" },
	{ .url = UH, .http_proxy = P, .REQUEST_METHOD = "POST", .go = "refused", .curl = P,
	  .go_why = "refusing to use http_proxy" },
	{ .url = UH, .http_proxy = P, .REQUEST_METHOD = "", .go = P, .curl = P },
	{ .url = UH, .HTTP_PROXY = P, .http_proxy = Q, .go = P, .curl = Q,
	  .warnings = "proxy_env_case_conflict" },
	{ .url = UH, .HTTP_PROXY = P, .REQUEST_METHOD = "GET", .NO_PROXY = "acme.example",
	  .go = "refused", .curl = "direct" },
	{ .url = UH, .flag_proxy = F, .REQUEST_METHOD = "GET", .go = F, .curl = F,
	  .go_src = "--proxy" },
	{ .url = UH, .HTTPS_PROXY = P, .go = "direct", .curl = "direct",
	  .go_why = "no proxy configured" },

	/* https URL, HTTPS_PROXY unset: Go >= 1.16 direct, Go <= 1.15 HTTP_PROXY, curl ALL_PROXY */
	{ .url = U, .HTTP_PROXY = P, .go = "direct", .curl = "direct", .go115 = P,
	  .warnings = "https_proxy_unset_http_proxy_set" },
	{ .url = U, .http_proxy = P, .go = "direct", .curl = "direct", .go115 = P,
	  .warnings = "https_proxy_unset_http_proxy_set" },
	{ .url = U, .HTTP_PROXY = P, .REQUEST_METHOD = "GET", .go = "direct", .curl = "direct",
	  .go115 = "refused", .warnings = "https_proxy_unset_http_proxy_set" },
	{ .url = U, .HTTP_PROXY = P, .NO_PROXY = "acme.example", .go = "direct",
	  .curl = "direct", .go115 = "direct", .warnings = "https_proxy_unset_http_proxy_set" },
	{ .url = U, .HTTPS_PROXY = "", .HTTP_PROXY = P, .go = "direct", .curl = "direct",
	  .go115 = P, .go_why = "HTTPS_PROXY is empty",
	  .warnings = "https_proxy_unset_http_proxy_set" },
	{ .url = U, .HTTPS_PROXY = Q, .HTTP_PROXY = P, .go = Q, .curl = Q, .go115 = Q },
	{ .url = U, .HTTP_PROXY = P, .flag_proxy = F, .go = F, .curl = F, .go115 = F },

	/* ALL_PROXY: curl's last resort, Go ignores it */
	{ .url = U, .ALL_PROXY = P, .go = "direct", .curl = P, .curl_src = "ALL_PROXY" },
	{ .url = U, .all_proxy = P, .ALL_PROXY = Q, .go = "direct", .curl = P,
	  .curl_src = "all_proxy" },
	{ .url = U, .HTTPS_PROXY = P, .ALL_PROXY = Q, .go = P, .curl = P,
	  .curl_src = "HTTPS_PROXY" },
	{ .url = UH, .HTTP_PROXY = Q, .ALL_PROXY = P, .go = Q, .curl = P,
	  .curl_src = "ALL_PROXY" },
	{ .url = U, .ALL_PROXY = P, .no_proxy = "acme.example", .go = "direct",
	  .curl = "direct", .curl_why = "no_proxy entry \"acme.example\"" },

	/* "*": Go any element, curl only the whole value */
	{ .url = U, .HTTPS_PROXY = P, .NO_PROXY = "*", .go = "direct", .curl = "direct",
	  .go_why = "NO_PROXY entry \"*\"", .curl_why = "NO_PROXY entry \"*\"" },
	{ .url = U, .HTTPS_PROXY = P, .NO_PROXY = "other.example,*", .go = "direct",
	  .curl = P, .go_why = "entry \"*\"" },
	{ .url = U, .HTTPS_PROXY = P, .NO_PROXY = " * ", .go = "direct", .curl = P },
	{ .url = "https://10.1.2.3/", .HTTPS_PROXY = P, .NO_PROXY = "*", .go = "direct",
	  .curl = "direct" },

	/* "foo.com": the name and its subdomains, whole labels, any case */
	{ .url = "https://example.org/", .HTTPS_PROXY = P, .NO_PROXY = "example.org",
	  .go = "direct", .curl = "direct" },
	{ .url = "https://www.example.org/", .HTTPS_PROXY = P, .NO_PROXY = "example.org",
	  .go = "direct", .curl = "direct" },
	{ .url = "https://notexample.org/", .HTTPS_PROXY = P, .NO_PROXY = "example.org",
	  .go = P, .curl = P, .go_why = "no NO_PROXY entry matches \"notexample.org\"" },
	{ .url = "https://example.org.evil.test/", .HTTPS_PROXY = P, .NO_PROXY = "example.org",
	  .go = P, .curl = P },
	{ .url = "https://WWW.Example.ORG/", .HTTPS_PROXY = P, .NO_PROXY = "EXAMPLE.org",
	  .go = "direct", .curl = "direct" },

	/* ".foo.com": Go subdomains only, curl drops the dot */
	{ .url = "https://example.org/", .HTTPS_PROXY = P, .NO_PROXY = ".example.org",
	  .go = P, .curl = "direct", .warnings = "leading_dot" },
	{ .url = "https://www.example.org/", .HTTPS_PROXY = P, .NO_PROXY = ".example.org",
	  .go = "direct", .curl = "direct", .warnings = "leading_dot" },
	{ .url = "https://a.b.example.org/", .HTTPS_PROXY = P, .NO_PROXY = ".example.org",
	  .go = "direct", .curl = "direct", .warnings = "leading_dot" },

	/* "*.foo.com": Go as ".foo.com", curl never */
	{ .url = "https://www.example.org/", .HTTPS_PROXY = P, .NO_PROXY = "*.example.org",
	  .go = "direct", .curl = P, .warnings = "wildcard_entry" },
	{ .url = "https://example.org/", .HTTPS_PROXY = P, .NO_PROXY = "*.example.org",
	  .go = P, .curl = P, .warnings = "wildcard_entry" },

	/* host:port: Go compares the effective port, curl never matches */
	{ .url = U, .HTTPS_PROXY = P, .NO_PROXY = "acme.example:443", .go = "direct", .curl = P },
	{ .url = "https://acme.example:14000/dir", .HTTPS_PROXY = P,
	  .NO_PROXY = "acme.example:443", .go = P, .curl = P },
	{ .url = "https://acme.example:14000/dir", .HTTPS_PROXY = P,
	  .NO_PROXY = "acme.example:14000", .go = "direct", .curl = P },
	{ .url = UH, .HTTP_PROXY = P, .http_proxy = P, .NO_PROXY = "acme.example:80",
	  .go = "direct", .curl = P },
	{ .url = U, .HTTPS_PROXY = P, .NO_PROXY = "acme.example:80", .go = P, .curl = P },
	{ .url = "https://10.1.2.3/", .HTTPS_PROXY = P, .NO_PROXY = "10.1.2.3:443",
	  .go = "direct", .curl = P },
	{ .url = "https://10.1.2.3:8443/", .HTTPS_PROXY = P, .NO_PROXY = "10.1.2.3:443",
	  .go = P, .curl = P },

	/* IP and CIDR entries: only against an IP literal host */
	{ .url = "https://10.1.2.3/", .HTTPS_PROXY = P, .NO_PROXY = "10.1.2.3",
	  .go = "direct", .curl = "direct" },
	{ .url = "https://10.1.2.3/", .HTTPS_PROXY = P, .NO_PROXY = "10.0.0.0/8",
	  .go = "direct", .curl = "direct" },
	{ .url = "https://10.1.2.3/", .HTTPS_PROXY = P, .NO_PROXY = "192.168.0.0/16",
	  .go = P, .curl = P },
	{ .url = "https://10.1.2.3/", .HTTPS_PROXY = P, .NO_PROXY = "10.1.2.3/32",
	  .go = "direct", .curl = "direct" },
	{ .url = "https://10.1.2.4/", .HTTPS_PROXY = P, .NO_PROXY = "10.1.2.3/32",
	  .go = P, .curl = P },
	{ .url = "https://10.1.2.3/", .HTTPS_PROXY = P, .NO_PROXY = "10.1.2.0/33",
	  .go = P, .curl = P },
	{ .url = "https://10.1.2.3/", .HTTPS_PROXY = P, .NO_PROXY = "2.3",
	  .go = "direct", .curl = P },
	{ .url = "https://10.1.2.3/", .HTTPS_PROXY = P, .NO_PROXY = "localhost",
	  .go = P, .curl = P },
	{ .url = "https://10.1.2.3/", .HTTPS_PROXY = P, .NO_PROXY = "::ffff:10.1.2.3",
	  .go = "direct", .curl = P },
	{ .url = U, .HTTPS_PROXY = P, .NO_PROXY = "172.65.46.172", .go = P, .curl = P,
	  .warnings = "no_proxy_ip_entry" },
	{ .url = U, .HTTPS_PROXY = P, .NO_PROXY = "172.65.0.0/16", .go = P, .curl = P,
	  .warnings = "no_proxy_ip_entry" },
	{ .url = U, .HTTPS_PROXY = P, .no_proxy = "2001:db8::1", .go = P, .curl = P,
	  .warnings = "no_proxy_ip_entry" },
	{ .url = "https://172.65.46.172/", .HTTPS_PROXY = P, .NO_PROXY = "acme.example",
	  .go = P, .curl = P },

	/* IPv6: unbracketed entries; Go also "[addr]:port", never "[addr]" alone.
	 * libcurl 7.88 compares an IPv6 host as text (its URL parser took the
	 * brackets off, so its IPv6 branch never runs): no CIDR, and the host
	 * as written unless its canonical text is shorter. */
	{ .url = "https://[2001:db8::1]/", .HTTPS_PROXY = P, .NO_PROXY = "2001:db8::1",
	  .go = "direct", .curl = "direct" },
	{ .url = "https://[2001:db8::1]/", .HTTPS_PROXY = P, .NO_PROXY = "2001:DB8::1",
	  .go = "direct", .curl = "direct" },
	{ .url = "https://[2001:DB8::1]/", .HTTPS_PROXY = P, .NO_PROXY = "2001:db8::1",
	  .go = "direct", .curl = "direct" },
	{ .url = "https://[2001:db8::1]/", .HTTPS_PROXY = P, .NO_PROXY = "2001:db8::/32",
	  .go = "direct", .curl = P },
	{ .url = "https://[2001:db8:0:0::1]/", .HTTPS_PROXY = P, .NO_PROXY = "2001:db8:0:0::1",
	  .go = "direct", .curl = P },
	{ .url = "https://[2001:db8:0:0::1]/", .HTTPS_PROXY = P, .NO_PROXY = "2001:db8::1",
	  .go = "direct", .curl = "direct" },
	{ .url = "https://[::1]/", .flag_proxy = F, .NO_PROXY = "::/64", .go = "direct",
	  .curl = F, .warnings = "loopback_direct" },
	{ .url = "https://[2001:db9::1]/", .HTTPS_PROXY = P, .NO_PROXY = "2001:db8::/32",
	  .go = P, .curl = P },
	{ .url = "https://[2001:db8::1]/", .HTTPS_PROXY = P, .NO_PROXY = "[2001:db8::1]",
	  .go = P, .curl = P },
	{ .url = "https://[2001:db8::1]/", .HTTPS_PROXY = P, .NO_PROXY = "[2001:db8::1]:443",
	  .go = "direct", .curl = P },
	{ .url = "https://[2001:db8::1]:8443/", .HTTPS_PROXY = P,
	  .NO_PROXY = "[2001:db8::1]:443", .go = P, .curl = P },
	{ .url = "https://[2001:db8::1]/", .HTTPS_PROXY = P, .NO_PROXY = "10.0.0.0/8",
	  .go = P, .curl = P },

	/* separators: Go commas only; curl (up to 8.8) commas or blanks */
	{ .url = U, .HTTPS_PROXY = P, .NO_PROXY = "other.example acme.example",
	  .go = P, .curl = "direct" },
	{ .url = U, .HTTPS_PROXY = P, .NO_PROXY = "other.example\tacme.example",
	  .go = P, .curl = "direct" },
	{ .url = U, .HTTPS_PROXY = P, .NO_PROXY = "other.example, acme.example",
	  .go = "direct", .curl = "direct" },
	{ .url = U, .HTTPS_PROXY = P, .NO_PROXY = ",,, acme.example ,,", .go = "direct",
	  .curl = "direct" },
	{ .url = U, .HTTPS_PROXY = P, .NO_PROXY = "other.example;acme.example", .go = P,
	  .curl = P },

	/* trailing dot: curl strips it from entry and host, Go compares as written */
	{ .url = "https://acme.example./dir", .HTTPS_PROXY = P, .NO_PROXY = "acme.example",
	  .go = P, .curl = "direct" },
	{ .url = U, .HTTPS_PROXY = P, .NO_PROXY = "acme.example.", .go = P, .curl = "direct" },
	{ .url = "https://acme.example./dir", .HTTPS_PROXY = P, .NO_PROXY = "acme.example.",
	  .go = "direct", .curl = "direct" },
	{ .url = "https://www.acme.example./", .HTTPS_PROXY = P, .NO_PROXY = ".acme.example",
	  .go = P, .curl = "direct", .warnings = "leading_dot" },

	/* localhost and loopback literals: never proxied under Go */
	{ .url = "https://localhost:14000/dir", .HTTPS_PROXY = P, .go = "direct", .curl = P,
	  .go_why = "localhost is never proxied (Go rules)", .warnings = "loopback_direct" },
	{ .url = "https://127.0.0.1:14000/dir", .HTTPS_PROXY = P, .go = "direct", .curl = P,
	  .go_why = "loopback is never proxied (Go rules)", .warnings = "loopback_direct" },
	{ .url = "https://127.1.2.3/", .HTTPS_PROXY = P, .go = "direct", .curl = P,
	  .warnings = "loopback_direct" },
	{ .url = "https://[::1]:14000/", .HTTPS_PROXY = P, .go = "direct", .curl = P,
	  .warnings = "loopback_direct" },
	{ .url = "https://[::ffff:127.0.0.1]/", .HTTPS_PROXY = P, .go = "direct", .curl = P,
	  .warnings = "loopback_direct" },
	{ .url = "https://localhost./", .HTTPS_PROXY = P, .go = P, .curl = P },
	{ .url = "https://sub.localhost/", .HTTPS_PROXY = P, .go = P, .curl = P },
	{ .url = "https://localhost/", .HTTPS_PROXY = P, .no_proxy = "localhost",
	  .go = "direct", .curl = "direct", .warnings = "loopback_direct" },
	{ .url = "https://localhost/", .flag_proxy = F, .go = "direct", .curl = F,
	  .warnings = "loopback_direct" },
	{ .url = "https://localhost/", .go = "direct", .curl = "direct",
	  .go_why = "no proxy configured" },
	{ .url = "https://127.0.0.1/", .NO_PROXY = "127.0.0.1", .go = "direct",
	  .curl = "direct", .curl_why = "no proxy configured" },
	{ .url = "https://127.0.0.1/", .HTTPS_PROXY = P, .no_proxy = "127.0.0.0/8",
	  .go = "direct", .curl = "direct", .curl_why = "no_proxy entry \"127.0.0.0/8\"",
	  .warnings = "loopback_direct" },

	/* proxy URL forms: no scheme means http; default port by rules */
	{ .url = U, .HTTPS_PROXY = "proxy.corp:3128", .go = P, .curl = P },
	{ .url = U, .HTTPS_PROXY = "proxy.corp", .go = "http://proxy.corp:80",
	  .curl = "http://proxy.corp:1080" },
	{ .url = U, .HTTPS_PROXY = "https://proxy.corp", .go = "https://proxy.corp:443",
	  .curl = "https://proxy.corp:443" },
	{ .url = U, .HTTPS_PROXY = "socks5://proxy.corp", .go = "socks5://proxy.corp:1080",
	  .curl = "socks5://proxy.corp:1080" },
	{ .url = U, .flag_proxy = "socks4://proxy.corp", .go = "refused",
	  .curl = "socks4://proxy.corp:1080", .go_why = "SOCKS4" },
	{ .url = U, .flag_proxy = "socks5h://proxy.corp", .go = "socks5h://proxy.corp:1080",
	  .curl = "socks5h://proxy.corp:1080" },

	/* the environment as each implementation reads it: Go parses a value
	 * that is no http, https or socks5 URL again with "http://" in front
	 * (a value it cannot parse is no proxy); libcurl takes "socks" for
	 * SOCKS4, ends the authority at the first '/', '?' or '#' and the
	 * userinfo at the first '@' */
	{ .url = U, .HTTPS_PROXY = "socks4://proxy.corp", .go = "http://socks4:80",
	  .curl = "socks4://proxy.corp:1080", .warnings = "go_proxy_misread" },
	{ .url = U, .HTTPS_PROXY = "socks5h://proxy.corp:1080", .go = "http://socks5h:80",
	  .curl = "socks5h://proxy.corp:1080", .warnings = "go_proxy_misread" },
	{ .url = U, .HTTPS_PROXY = "socks5://proxy.corp:1080", .go = "socks5://proxy.corp:1080",
	  .curl = "socks5://proxy.corp:1080" },
	{ .url = U, .HTTPS_PROXY = "socks://proxy.corp", .go = "http://socks:80",
	  .curl = "socks4://proxy.corp:1080" },
	{ .url = U, .HTTPS_PROXY = "ftp://proxy.corp", .go = "http://ftp:80", .curl = "refused",
	  .curl_why = "unsupported scheme" },
	{ .url = U, .HTTPS_PROXY = "ftp.corp:2121", .go = "http://ftp.corp:2121",
	  .curl = "refused" },
	{ .url = U, .HTTPS_PROXY = " http://proxy.corp:3128", .go = "direct", .curl = "refused",
	  .go_why = "Go cannot parse it and uses no proxy" },
	{ .url = UH, .HTTP_PROXY = " http://proxy.corp", .REQUEST_METHOD = "GET",
	  .go = "direct", .curl = "direct", .go_why = "Go cannot parse it" },
	{ .url = UH, .HTTP_PROXY = "http://pro xy.corp", .REQUEST_METHOD = "GET",
	  .go = "refused", .curl = "direct", .go_why = "CGI" },
	{ .url = U, .HTTPS_PROXY = "http://u:p#w@proxy.corp:3128", .go = "http://http:80",
	  .curl = "refused", .warnings = "go_proxy_misread" },
	{ .url = U, .HTTPS_PROXY = "http://u:p/w@proxy.corp:3128", .go = "http://http:80",
	  .curl = "refused", .warnings = "go_proxy_misread" },
	{ .url = U, .HTTPS_PROXY = "http://a@b@proxy.corp:3128",
	  .go = "http://***@proxy.corp:3128", .curl = "refused",
	  .go_use = "http://a%40b@proxy.corp:3128" },
	{ .url = U, .HTTPS_PROXY = "http://u:p%zz@proxy.corp:3128", .go = "direct",
	  .curl = "http://***@proxy.corp:3128", .warnings = "go_proxy_misread" },
	{ .url = U, .HTTPS_PROXY = "http://:3128", .go = "http://0.0.0.0:3128",
	  .curl = "refused" },
	{ .url = U, .HTTPS_PROXY = "http://proxy%2ecorp:3128", .go = "http://http:80",
	  .curl = "http://proxy.corp:3128" },
	{ .url = U, .HTTPS_PROXY = "http://proxy%00.corp:3128", .go = "http://http:80",
	  .curl = "refused" },
	{ .url = U, .HTTPS_PROXY = "http://b%C3%BCcher.corp:3128",
	  .go = "http://xn--bcher-kva.corp:3128", .curl = "http://xn--bcher-kva.corp:3128" },
	{ .url = U, .HTTPS_PROXY = "http://proxy.corp:0", .go = "refused", .curl = "refused" },
	{ .url = U, .HTTPS_PROXY = "http://proxy.corp:03128", .go = "http://proxy.corp:03128",
	  .curl = "http://proxy.corp:03128" },
	{ .url = U, .HTTPS_PROXY = "http://прокси.corp:3128", .go = "http://xn--h1adldfi.corp:3128",
	  .curl = "http://xn--h1adldfi.corp:3128" },
	{ .url = U, .flag_proxy = "http://прокси.corp:3128", .go = "http://xn--h1adldfi.corp:3128",
	  .curl = "http://xn--h1adldfi.corp:3128" },
	{ .url = U, .flag_proxy = "http://a\xff.corp:3128", .go = "refused", .curl = "refused",
	  .go_why = "no IDNA form" },

	/* Unicode hosts: both connect to the IDNA form; Go converts NO_PROXY
	 * entries too, libcurl compares them as written */
	{ .url = "https://bücher.example/", .HTTPS_PROXY = P, .NO_PROXY = "bücher.example",
	  .go = "direct", .curl = P },
	{ .url = "https://BÜCHER.example/", .HTTPS_PROXY = P, .NO_PROXY = "xn--bcher-kva.example",
	  .go = "direct", .curl = "direct" },
	{ .url = "https://www.bücher.example/", .HTTPS_PROXY = P, .NO_PROXY = ".BÜCHER.example",
	  .go = "direct", .curl = P, .warnings = "leading_dot" },
	{ .url = "https://xn--bcher-kva.example/", .HTTPS_PROXY = P, .NO_PROXY = "*.bücher.example",
	  .go = P, .curl = P, .warnings = "wildcard_entry" },
	{ .url = "https://日本.example/", .HTTPS_PROXY = P, .no_proxy = "xn--wgv71a.example",
	  .go = "direct", .curl = "direct" },

	/* IPv4-mapped CIDR entries: Go reads a network whose address is
	 * IPv4-mapped as that IPv4 network */
	{ .url = "https://10.1.2.3/", .HTTPS_PROXY = P, .NO_PROXY = "::ffff:10.0.0.0/104",
	  .go = "direct", .curl = P },
	{ .url = "https://192.168.1.5/", .HTTPS_PROXY = P, .NO_PROXY = "::ffff:0:0/96",
	  .go = "direct", .curl = P },
	{ .url = "https://10.1.2.3/", .HTTPS_PROXY = P, .NO_PROXY = "::ffff:10.0.0.0/80",
	  .go = P, .curl = P },
	{ .url = "https://[::ffff:10.1.2.3]/", .HTTPS_PROXY = P, .NO_PROXY = "10.0.0.0/8",
	  .go = "direct", .curl = P },
	{ .url = "https://[::ffff:10.1.2.3]/", .HTTPS_PROXY = P, .NO_PROXY = "::ffff:10.1.2.3",
	  .go = "direct", .curl = "direct" },
	{ .url = "https://10.1.2.3/", .HTTPS_PROXY = P, .NO_PROXY = "10.0.0.0/008",
	  .go = "direct", .curl = "direct" },
	{ .url = U, .HTTPS_PROXY = "http://user:secret@proxy.corp:3128",
	  .go = "http://***@proxy.corp:3128", .curl = "http://***@proxy.corp:3128",
	  .go_use = "http://user:secret@proxy.corp:3128" },
	{ .url = U, .HTTPS_PROXY = "HTTP://[2001:db8::9]:3128",
	  .go = "http://[2001:db8::9]:3128", .curl = "http://[2001:db8::9]:3128" },
	{ .url = U, .HTTPS_PROXY = "http://proxy.corp:3128/", .go = P, .curl = P },
	{ .url = U, .HTTPS_PROXY = "http://proxy.corp:99999", .go = "refused",
	  .curl = "refused", .go_why = "bad port" },
	{ .url = U, .HTTPS_PROXY = "http://user:secret@proxy.corp:99999", .go = "refused",
	  .curl = "refused", .go_why = "***@proxy.corp:99999" },
	{ .url = U, .HTTPS_PROXY = "ftp://proxy.corp", .NO_PROXY = "acme.example",
	  .go = "direct", .curl = "direct" },

	/* precedence: --proxy, then the config file, then the environment */
	{ .url = U, .HTTPS_PROXY = P, .flag_proxy = F, .go = F, .curl = F,
	  .go_src = "--proxy", .curl_src = "--proxy" },
	{ .url = U, .HTTPS_PROXY = P, .conf_proxy = C, .go = C, .curl = C,
	  .go_src = CONF_PROXY_AT, .curl_src = CONF_PROXY_AT },
	{ .url = U, .flag_proxy = F, .conf_proxy = C, .go = F, .curl = F },
	{ .url = U, .HTTPS_PROXY = P, .flag_proxy = "", .go = "direct", .curl = "direct",
	  .go_why = "--proxy is empty" },
	{ .url = U, .HTTPS_PROXY = P, .https_proxy = Q, .no_env = true, .go = "direct",
	  .curl = "direct", .go_why = "--no-env-proxy" },
	{ .url = U, .HTTPS_PROXY = P, .conf_proxy = C, .no_env = true, .go = C, .curl = C },
	{ .url = U, .HTTPS_PROXY = P, .flag_no_proxy = "acme.example", .go = "direct",
	  .curl = "direct", .go_why = "--no-proxy entry \"acme.example\"" },
	{ .url = U, .HTTPS_PROXY = P, .flag_no_proxy = "", .NO_PROXY = "acme.example",
	  .go = P, .curl = P, .go_why = "--no-proxy is empty" },
	{ .url = U, .HTTPS_PROXY = P, .conf_no_proxy = "acme.example", .NO_PROXY = "other",
	  .go = "direct", .curl = "direct",
	  .go_why = "no-proxy entry \"acme.example\" (" CONF_NO_PROXY_AT ")" },
	{ .url = U, .HTTPS_PROXY = P, .flag_no_proxy = "other.example",
	  .conf_no_proxy = "acme.example", .go = P, .curl = P,
	  .go_why = "no --no-proxy entry matches \"acme.example\"" },
	{ .url = U, .flag_proxy = F, .NO_PROXY = "acme.example", .go = "direct",
	  .curl = "direct" },
	{ .url = U, .conf_proxy = C, .no_proxy = "acme.example", .no_env = true, .go = C,
	  .curl = C },
	{ .url = "https://example.org/", .flag_proxy = F, .flag_no_proxy = ".example.org",
	  .go = F, .curl = "direct", .warnings = "leading_dot" },
	{ .url = U, .conf_proxy = C, .conf_no_proxy = "10.0.0.0/8", .go = C, .curl = C,
	  .warnings = "no_proxy_ip_entry" },
	{ .url = UH, .conf_proxy = C, .REQUEST_METHOD = "GET", .go = C, .curl = C },
	{ .url = U, .HTTPS_PROXY = P, .https_proxy = Q, .flag_proxy = F, .go = F, .curl = F },

	/* credentials: the auth file overrides the URL's, percent-encoded */
	{ .url = U, .flag_proxy = "http://u:secret@flag.corp:3128", .go = "http://***@flag.corp:3128",
	  .curl = "http://***@flag.corp:3128", .go_use = "http://u:secret@flag.corp:3128" },
	{ .url = U, .flag_proxy = "http://u:secret#/?@flag.corp:3128",
	  .go = "http://***@flag.corp:3128", .curl = "http://***@flag.corp:3128",
	  .go_use = "http://u:secret%23%2F%3F@flag.corp:3128" },
	{ .url = U, .flag_proxy = "http://u:se%40cret@flag.corp", .go = "http://***@flag.corp:80",
	  .curl = "http://***@flag.corp:1080", .go_use = "http://u:se%40cret@flag.corp:80" },
	{ .url = U, .flag_proxy = F, .auth = "bob:secret:x@y", .go = "http://***@flag.corp:3128",
	  .curl = "http://***@flag.corp:3128", .go_use = "http://bob:secret%3Ax%40y@flag.corp:3128" },
	{ .url = U, .HTTPS_PROXY = "http://old:pw@proxy.corp:3128", .auth = "bob:secret",
	  .go = "http://***@proxy.corp:3128", .curl = "http://***@proxy.corp:3128",
	  .go_use = "http://bob:secret@proxy.corp:3128" },
	{ .url = U, .HTTPS_PROXY = "http://u:secret@proxy.corp:3128",
	  .https_proxy = "http://u:other-secret@proxy.corp:3128",
	  .go = "http://***@proxy.corp:3128", .curl = "http://***@proxy.corp:3128",
	  .warnings = "proxy_env_case_conflict" },
	{ .url = "https://localhost/", .HTTPS_PROXY = "http://u:secret@proxy.corp:3128",
	  .go = "direct", .curl = "http://***@proxy.corp:3128", .warnings = "loopback_direct" },
};

static const char *row_getenv(void *arg, const char *name)
{
	const struct row *r = arg;
	static const struct {
		const char *name;
		size_t off;
	} vars[] = {
		{ "HTTPS_PROXY", offsetof(struct row, HTTPS_PROXY) },
		{ "https_proxy", offsetof(struct row, https_proxy) },
		{ "NO_PROXY", offsetof(struct row, NO_PROXY) },
		{ "no_proxy", offsetof(struct row, no_proxy) },
		{ "HTTP_PROXY", offsetof(struct row, HTTP_PROXY) },
		{ "http_proxy", offsetof(struct row, http_proxy) },
		{ "ALL_PROXY", offsetof(struct row, ALL_PROXY) },
		{ "all_proxy", offsetof(struct row, all_proxy) },
		{ "REQUEST_METHOD", offsetof(struct row, REQUEST_METHOD) },
	};

	for (size_t i = 0; i < nitems(vars); i++)
		if (strcmp(vars[i].name, name) == 0)
			return *(const char *const *)((const char *)r + vars[i].off);
	return NULL;
}

static void settings_for(const struct row *r, struct proxy_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->flag_proxy = r->flag_proxy;
	s->flag_no_proxy = r->flag_no_proxy;
	s->no_env_proxy = r->no_env;
	s->conf_proxy = r->conf_proxy;
	s->conf_proxy_source = r->conf_proxy ? CONF_PROXY_AT : NULL;
	s->conf_no_proxy = r->conf_no_proxy;
	s->conf_no_proxy_source = r->conf_no_proxy ? CONF_NO_PROXY_AT : NULL;
	s->auth = r->auth;
	s->getenv = row_getenv;
	s->getenv_arg = (void *)r;
}

static const char *route_name(const struct proxy_route *route)
{
	switch (route->kind) {
	case PROXY_DIRECT:
		return "direct";
	case PROXY_REFUSED:
		return "refused";
	case PROXY_VIA:
		return route->proxy_shown;
	}
	return "?";
}

/* Neither the displayed form nor any reason may hold the password. */
static void check_no_secret(const char *text, const char *ctx)
{
	CHECK(text == NULL || strstr(text, "secret") == NULL, "[%s] credentials shown: %s", ctx, text);
}

static void check_route(size_t i, const struct row *r, enum proxy_rules rules,
    const char *want, const char *want_src, const char *want_why, const char *want_use)
{
	struct proxy_settings s;
	struct proxy_route route;
	char ctx[64];

	snprintf(ctx, sizeof(ctx), "row %zu %s", i, proxy_rules_name(rules));
	settings_for(r, &s);
	CHECK_INT(proxy_decide(r->url, &s, rules, &route), 0, ctx);
	CHECK_STR(route_name(&route), want, ctx);
	CHECK(route.reason != NULL && route.reason[0] != '\0', "[%s] no reason", ctx);
	CHECK((route.kind == PROXY_VIA) == (route.proxy != NULL), "[%s] proxy without via", ctx);
	if (want_src != NULL)
		CHECK_STR(route.source, want_src, ctx);
	if (want_why != NULL)
		CHECK(route.reason != NULL && strstr(route.reason, want_why) != NULL,
		    "[%s] reason \"%s\" lacks \"%s\"", ctx, route.reason, want_why);
	if (want_use != NULL)
		CHECK_STR(route.proxy, want_use, ctx);
	check_no_secret(route.proxy_shown, ctx);
	check_no_secret(route.reason, ctx);
	check_no_secret(route.source, ctx);
	proxy_route_clear(&route);
}

static void check_warnings(size_t i, const struct row *r)
{
	struct proxy_settings s;
	struct proxy_warning *w;
	char ids[256] = "", ctx[32];
	size_t n;

	snprintf(ctx, sizeof(ctx), "row %zu warnings", i);
	settings_for(r, &s);
	CHECK_INT(proxy_warnings(r->url, &s, &w, &n), 0, ctx);
	for (size_t k = 0; k < n; k++) {
		if (k > 0)
			strcat(ids, " ");
		strcat(ids, w[k].id);
		CHECK(w[k].text != NULL && strlen(w[k].text) > 20, "[%s] empty text", ctx);
		check_no_secret(w[k].text, ctx);
	}
	CHECK_STR(ids, r->warnings ? r->warnings : "", ctx);
	proxy_warnings_free(w, n);
}

/* A few warning texts must say the specific thing. */
static const struct {
	const char *url, *no_proxy, *https_proxy, *HTTPS_PROXY, *HTTP_PROXY;
	const char *fragment;
	const char *REQUEST_METHOD;
} warning_texts[] = {
	{ U, "172.65.46.172", P, NULL, NULL, "never matches", NULL },
	{ U, "172.65.46.172", P, NULL, NULL, "resolved addresses", NULL },
	{ U, "*.example.org", P, NULL, NULL, "curl never matches", NULL },
	{ U, "*.example.org", P, NULL, NULL, "\".example.org\"", NULL },
	{ U, ".example.org", P, NULL, NULL, "only subdomains of \"example.org\"", NULL },
	{ U, NULL, P, Q, NULL, "Go and cert-manager use HTTPS_PROXY, curl uses https_proxy", NULL },
	{ U, NULL, NULL, NULL, P, "Go <= 1.15", NULL },
	{ U, NULL, NULL, NULL, P, "via " P, NULL },
	{ U, NULL, NULL, NULL, P, "for this URL the request fails: refusing", "GET" },
	{ U, "acme.example", NULL, NULL, P, "still go direct: no_proxy entry", NULL },
	{ "https://localhost/", NULL, P, NULL, NULL, "curl would go via " P, NULL },
	{ "https://[::1]/", NULL, P, NULL, NULL, "the loopback address \"::1\" is never proxied", NULL },
	{ "https://localhost/", NULL, P, NULL, NULL, "the name \"localhost\" is never proxied", NULL },
	{ U, NULL, "http://u:secret@p.corp", "http://u:other@p.corp", NULL,
	  "differ in their credentials", NULL },
	{ U, "*.example.org,.example.net", P, NULL, NULL, "only subdomains of \"example.net\"", NULL },
	{ U, NULL, NULL, "socks5h://p.corp:1080", NULL, "reads it as http://socks5h:80, an HTTP", NULL },
	{ U, NULL, NULL, "http://u:secret#x@p.corp", NULL, "reads it as http://http:80: a raw", NULL },
	{ U, NULL, NULL, "http://u:p%zz@p.corp", NULL, "uses no proxy at all", NULL },
};

static void check_warning_texts(void)
{
	for (size_t i = 0; i < nitems(warning_texts); i++) {
		struct row r = { .url = warning_texts[i].url, .no_proxy = warning_texts[i].no_proxy,
			.https_proxy = warning_texts[i].https_proxy,
			.HTTPS_PROXY = warning_texts[i].HTTPS_PROXY,
			.HTTP_PROXY = warning_texts[i].HTTP_PROXY,
			.REQUEST_METHOD = warning_texts[i].REQUEST_METHOD };
		struct proxy_settings s;
		struct proxy_warning *w;
		size_t n;
		bool found = false;

		settings_for(&r, &s);
		CHECK_INT(proxy_warnings(r.url, &s, &w, &n), 0, "warning text");
		for (size_t k = 0; k < n; k++)
			if (strstr(w[k].text, warning_texts[i].fragment) != NULL)
				found = true;
		CHECK(found, "warning text %zu lacks \"%s\"", i, warning_texts[i].fragment);
		proxy_warnings_free(w, n);
	}
}

static const struct {
	const char *value;
	const char *error;  /* NULL: valid */
} proxy_urls[] = {
	{ "http://proxy.corp:3128", NULL },
	{ "proxy.corp:3128", NULL },
	{ "proxy.corp", NULL },
	{ "https://proxy.corp", NULL },
	{ "socks5h://proxy.corp:1080", NULL },
	{ "socks4a://proxy.corp", NULL },
	{ "http://u:p@proxy.corp:3128/", NULL },
	{ "http://[2001:db8::1]:3128", NULL },
	{ "ftp://proxy.corp", "unsupported scheme" },
	{ "http://", "no host" },
	{ "http://:3128", "no host" },
	{ "http://proxy.corp:0", "bad port" },
	{ "http://proxy.corp:65536", "bad port" },
	{ "http://proxy.corp:31a8", "bad port" },
	{ "http://[2001:db8::1", "bad IPv6 literal" },
	{ "http://[proxy.corp]:3128", "bad IPv6 literal" },
	{ "http://[2001:db8::1]x", "junk after" },
	{ "http://pro xy.corp", "bad character" },
	{ "http://прокси.corp:3128", NULL },
	{ "http://a\xff.corp:3128", "\"http://a\\xff.corp:3128\": the host name has no IDNA form" },
	{ "http://user:secret@proxy.corp:99", NULL },
	{ "http://user:secret@:99", "\"http://***@:99\": no host" },
	{ "http://user:sec#ret@proxy.corp:3128", NULL },
	{ "http://user:sec#ret@proxy.corp:x", "\"http://***@proxy.corp:x\": bad port" },
};

static void check_proxy_urls(void)
{
	for (size_t i = 0; i < nitems(proxy_urls); i++) {
		int rc;

		err_clear();
		rc = proxy_url_check(proxy_urls[i].value);
		CHECK_INT(rc, proxy_urls[i].error ? -1 : 0, proxy_urls[i].value);
		if (proxy_urls[i].error != NULL) {
			CHECK_INT(err_kind(), ERR_USAGE, proxy_urls[i].value);
			CHECK(strstr(err_message(), proxy_urls[i].error) != NULL,
			    "[%s] \"%s\" lacks \"%s\"", proxy_urls[i].value, err_message(),
			    proxy_urls[i].error);
			check_no_secret(err_message(), proxy_urls[i].value);
		}
	}
}

static const struct {
	const char *url, *want;
} redactions[] = {
	{ "http://u:p@proxy.corp:3128", "http://***@proxy.corp:3128" },
	{ "http://u@proxy.corp", "http://***@proxy.corp" },
	{ "u:p@proxy.corp:3128", "***@proxy.corp:3128" },
	{ "socks5h://a@b@proxy.corp/x", "socks5h://***@proxy.corp/x" },
	{ "http://u:p#w/x?y@proxy.corp:3128", "http://***@proxy.corp:3128" },
	{ "http://proxy.corp:3128", "http://proxy.corp:3128" },
	{ "http://proxy.corp/path@x", "http://***@x" },
	{ "", "" },
};

static const struct {
	const char *url;
	const char *error;
} bad_urls[] = {
	{ "ftp://acme.example/", "not an http:// or https:// URL" },
	{ "acme.example", "not an http:// or https:// URL" },
	{ "https://", "no host" },
	{ "https:///dir", "no host" },
	{ "https://acme.example:44x/", "bad port" },
	{ "https://[::1/", "bad IPv6 literal" },
	{ "https://[fe80::1%25eth0]/", "bad IPv6 literal" },
	{ "https://acme example/", "bad character" },
	{ "https://u:secret@acme example/", "***@acme example" },
};

static void check_bad_urls(void)
{
	struct row r = { .url = NULL, .HTTPS_PROXY = P };
	struct proxy_settings s;
	struct proxy_route route;
	struct proxy_warning *w;
	size_t n;

	settings_for(&r, &s);
	for (size_t i = 0; i < nitems(bad_urls); i++) {
		err_clear();
		CHECK_INT(proxy_decide(bad_urls[i].url, &s, PROXY_RULES_GO, &route), -1,
		    bad_urls[i].url);
		CHECK_INT(err_kind(), ERR_USAGE, bad_urls[i].url);
		CHECK(strstr(err_message(), bad_urls[i].error) != NULL, "[%s] \"%s\" lacks \"%s\"",
		    bad_urls[i].url, err_message(), bad_urls[i].error);
		check_no_secret(err_message(), bad_urls[i].url);
		CHECK_INT(proxy_warnings(bad_urls[i].url, &s, &w, &n), -1, bad_urls[i].url);
		CHECK(w == NULL && n == 0, "[%s] warnings on a bad URL", bad_urls[i].url);
	}
}

/* The http client's callback: borrowed proxy URL that stays valid, why;
 * a refusal is returned as its reason, with nothing recorded. */
static void check_route_cb(void)
{
	struct row r = { .HTTPS_PROXY = "http://u:pw@proxy.corp:3128", .NO_PROXY = "direct.example",
		.HTTP_PROXY = P, .ALL_PROXY = P, .REQUEST_METHOD = "GET" };
	struct proxy_settings s;
	const char *first, *second, *third, *proxy;
	char *why = NULL;

	settings_for(&r, &s);
	s.rules = PROXY_RULES_GO;
	CHECK_INT(proxy_route_cb(&s, "https://acme.example/dir", &first, &why), 0, "cb via rc");
	CHECK_STR(first, "http://u:pw@proxy.corp:3128", "cb via");
	CHECK_STR(why, "HTTPS_PROXY", "cb via why");
	free(why);
	CHECK_INT(proxy_route_cb(&s, "https://direct.example/", &second, &why), 0, "cb direct rc");
	CHECK(second == NULL, "cb direct returned %s", second);
	CHECK_STR(why, "NO_PROXY entry \"direct.example\"", "cb direct why");
	free(why);
	CHECK_INT(proxy_route_cb(&s, "https://acme.example/new-nonce", &third, &why), 0, "cb rc");
	CHECK(third == first, "cb: same proxy URL not handed out once");
	CHECK_STR(first, "http://u:pw@proxy.corp:3128", "cb first still valid");
	free(why);
	err_clear();
	CHECK_INT(proxy_route_cb(&s, "http://acme.example/", &proxy, &why), -1, "cb CGI not refused");
	CHECK(proxy == NULL, "cb refused with proxy %s", proxy);
	CHECK(why != NULL && strstr(why, "CGI") != NULL &&
	    strstr(why, "http://acme.example/") != NULL, "cb refused: %s", why);
	CHECK_INT(err_kind(), ERR_NONE, "cb refusal recorded");
	free(why);
	CHECK_INT(proxy_route_cb(&s, "gopher://x/", &proxy, &why), -1, "cb bad URL");
	CHECK(proxy == NULL && why != NULL && why[0] != '\0', "cb bad URL: why %s", why);
	CHECK_INT(err_kind(), ERR_NONE, "cb bad URL recorded");
	free(why);
	s.rules = PROXY_RULES_CURL;
	CHECK_INT(proxy_route_cb(&s, "http://acme.example/", &proxy, &why), 0, "cb curl rc");
	CHECK_STR(proxy, P, "cb curl rules");
	CHECK_STR(why, "ALL_PROXY", "cb curl why");  /* curl never reads HTTP_PROXY */
	free(why);
	proxy_settings_clear(&s);
	CHECK(s.handed == NULL && s.getenv == NULL, "settings not cleared");
}

static const struct {
	const char *name;
	int rc;
	enum proxy_rules rules;
} rule_names[] = {
	{ NULL, 0, PROXY_RULES_GO },
	{ "go", 0, PROXY_RULES_GO },
	{ "curl", 0, PROXY_RULES_CURL },
	{ "Go", -1, PROXY_RULES_GO },
	{ "wget", -1, PROXY_RULES_GO },
	{ "", -1, PROXY_RULES_GO },
};

static void check_settings_init(void)
{
	struct proxy_flags f;
	struct proxy_settings s;
	enum proxy_rules rules;

	for (size_t i = 0; i < nitems(rule_names); i++) {
		rules = PROXY_RULES_GO115;
		CHECK_INT(proxy_rules_parse(rule_names[i].name, &rules), rule_names[i].rc,
		    rule_names[i].name ? rule_names[i].name : "(null)");
		if (rule_names[i].rc == 0)
			CHECK_INT(rules, rule_names[i].rules, rule_names[i].name ? rule_names[i].name : "(null)");
		else
			CHECK_INT(err_kind(), ERR_USAGE, rule_names[i].name);
	}

	memset(&f, 0, sizeof(f));
	f.proxy = F;
	f.no_proxy = "a.example";
	f.rules = "curl";
	f.no_env_proxy = true;
	CHECK_INT(proxy_settings_init(&s, &f), 0, "init flags");
	CHECK_STR(s.flag_proxy, F, "init flag proxy");
	CHECK_STR(s.flag_no_proxy, "a.example", "init flag no-proxy");
	CHECK(s.conf_proxy == NULL && s.conf_no_proxy == NULL, "init: flags taken as config");
	CHECK_INT(s.rules, PROXY_RULES_CURL, "init rules");
	CHECK(s.no_env_proxy && s.getenv == NULL && s.auth == NULL, "init extras");

	f.proxy_source = CONF_PROXY_AT;
	f.no_proxy_source = CONF_NO_PROXY_AT;
	f.rules = NULL;
	CHECK_INT(proxy_settings_init(&s, &f), 0, "init config");
	CHECK(s.flag_proxy == NULL && s.flag_no_proxy == NULL, "init: config taken as flags");
	CHECK_STR(s.conf_proxy, F, "init conf proxy");
	CHECK_STR(s.conf_proxy_source, CONF_PROXY_AT, "init conf proxy source");
	CHECK_STR(s.conf_no_proxy_source, CONF_NO_PROXY_AT, "init conf no-proxy source");
	CHECK_INT(s.rules, PROXY_RULES_GO, "init default rules");

	f.rules = "bogus";
	CHECK_INT(proxy_settings_init(&s, &f), -1, "init bad rules");
}

/* proxy_settings_read(): the credentials file, one line "user:password". */
static const struct {
	const char *data;
	size_t len;
	const char *auth;  /* NULL: refused */
	enum err_kind kind;
} auth_files[] = {
	{ "bob:secret\n", 11, "bob:secret", ERR_NONE },
	{ "bob:secret\r\n", 12, "bob:secret", ERR_NONE },
	{ "bob:se cret:x@y", 15, "bob:se cret:x@y", ERR_NONE },
	{ "bob:secret\nsecond line\n", 23, "bob:secret", ERR_NONE },
	{ "", 0, NULL, ERR_USAGE },
	{ "\n", 1, NULL, ERR_USAGE },
	{ "bob:se\0cret\n", 12, NULL, ERR_USAGE },
};

static void check_settings_read(void)
{
	struct proxy_flags f;
	struct proxy_settings s;
	char *path;

	for (size_t i = 0; i < nitems(auth_files); i++) {
		memset(&f, 0, sizeof(f));
		f.auth_file = path = test_write_temp(auth_files[i].data, auth_files[i].len);
		err_clear();
		CHECK_INT(proxy_settings_read(&s, &f), auth_files[i].auth ? 0 : -1, "auth file");
		if (auth_files[i].auth != NULL) {
			CHECK_STR(s.auth, auth_files[i].auth, "auth file");
			CHECK(s.getenv != NULL, "auth file %zu: no environment lookup", i);
		} else {
			CHECK_INT(err_kind(), auth_files[i].kind, "auth file kind");
			check_no_secret(err_message(), "auth file");
		}
		proxy_settings_clear(&s);
		unlink(path);
		free(path);
	}
	memset(&f, 0, sizeof(f));
	f.auth_file = "/nonexistent/acmectl-proxy-auth";
	err_clear();
	CHECK_INT(proxy_settings_read(&s, &f), -1, "missing auth file");
	CHECK_INT(err_kind(), ERR_STORAGE, "missing auth file kind");
	proxy_settings_clear(&s);
}

int main(void)
{
	for (size_t i = 0; i < nitems(rows); i++) {
		const struct row *r = &rows[i];

		check_route(i, r, PROXY_RULES_GO, r->go, r->go_src, r->go_why, r->go_use);
		check_route(i, r, PROXY_RULES_CURL, r->curl, r->curl_src, r->curl_why, NULL);
		check_route(i, r, PROXY_RULES_GO115, r->go115 ? r->go115 : r->go, NULL, NULL, NULL);
		check_warnings(i, r);
	}
	check_warning_texts();
	check_proxy_urls();
	for (size_t i = 0; i < nitems(redactions); i++) {
		char *got = proxy_redact(redactions[i].url);

		CHECK_STR(got, redactions[i].want, redactions[i].url);
		free(got);
	}
	check_bad_urls();
	check_route_cb();
	check_settings_init();
	check_settings_read();
	printf("%zu table rows\n", nitems(rows));
	return test_done();
}
