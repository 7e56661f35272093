/* test_noproxy.c - the no-proxy matchers on their own, one table per rule
 * set: {host of an https URL, no-proxy list, exempted or not}. The rows
 * were checked against Go 1.19's x/net httpproxy and libcurl 7.88 (see
 * tests/integration/proxy-differential.sh). */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy_int.h"
#include "util.h"
#include "test.h"

struct noproxy {
	const char *host;  /* HOST[:PORT] of https://HOST[:PORT]/ */
	const char *list;
	bool match;
};

static const struct noproxy go_rows[] = {
	{ "example.org", "example.org", true },
	{ "www.example.org", "example.org", true },
	{ "notexample.org", "example.org", false },
	{ "example.org", ".example.org", false },
	{ "www.example.org", ".example.org", true },
	{ "example.org", "*.example.org", false },
	{ "www.example.org", "*.example.org", true },
	{ "WWW.Example.ORG", "EXAMPLE.org", true },
	{ "example.org.", "example.org", false },
	{ "example.org", "other.org,*", true },
	{ "example.org", "other.org example.org", false },
	{ "example.org", " example.org ,", true },
	{ "example.org", "example.org:443", true },
	{ "example.org:8443", "example.org:443", false },
	{ "example.org:0443", "example.org:443", false },
	{ "example.org", "example.org:https", false },
	{ "10.1.2.3", "10.1.2.3", true },
	{ "10.1.2.3", "10.0.0.0/8", true },
	{ "10.1.2.3", "10.0.0.0/008", true },
	{ "10.1.2.3", "10.0.0.0/0", true },
	{ "10.1.2.3", "10.1.2.0/33", false },
	{ "10.1.2.3", "2.3", true },
	{ "10.1.2.3", "10.1.2.3:443", true },
	{ "10.1.2.3:8443", "10.1.2.3:443", false },
	{ "10.1.2.3", "::ffff:10.0.0.0/104", true },
	{ "192.168.1.5", "::ffff:0:0/96", true },
	{ "10.1.2.3", "::ffff:10.0.0.0/80", false },
	{ "10.1.2.3", "::ffff:10.1.2.3", true },
	{ "[::ffff:10.1.2.3]", "10.0.0.0/8", true },
	{ "[2001:db8::1]", "2001:db8::/32", true },
	{ "[2001:db8::1]", "2001:DB8::1", true },
	{ "[2001:db8:0:0::1]", "2001:db8::1", true },
	{ "[2001:db8::1]", "[2001:db8::1]", false },
	{ "[2001:db8::1]", "[2001:db8::1]:443", true },
	{ "[2001:db8::1]", "10.0.0.0/8", false },
	{ "example.org", "93.184.216.34", false },
	{ "bücher.example", "bücher.example", true },
	{ "BÜCHER.example", "xn--bcher-kva.example", true },
	{ "www.bücher.example", ".BÜCHER.example", true },
	{ "straße.example", "strasse.example", false },
	{ "straße.example", "xn--strae-oqa.example", true },
	{ "日本.example", "xn--wgv71a.example", true },
};

static const struct noproxy curl_rows[] = {
	{ "example.org", "example.org", true },
	{ "www.example.org", "example.org", true },
	{ "notexample.org", "example.org", false },
	{ "example.org", ".example.org", true },
	{ "example.org", "*.example.org", false },
	{ "WWW.Example.ORG", "EXAMPLE.org", true },
	{ "example.org.", "example.org", true },
	{ "example.org", "example.org.", true },
	{ "example.org", "*", true },
	{ "example.org", "other.org,*", false },
	{ "example.org", "other.org example.org", true },
	{ "example.org", "other.org\texample.org", true },
	{ "example.org", "example.org:443", false },
	{ "10.1.2.3", "10.1.2.3", true },
	{ "10.1.2.3", "10.0.0.0/8", true },
	{ "10.1.2.3", "10.0.0.0/0", false },
	{ "10.1.2.3", "10.1.2.0/33", false },
	{ "10.1.2.3", "2.3", false },
	{ "10.1.2.3", "::ffff:10.0.0.0/104", false },
	{ "[2001:db8::1]", "2001:db8::1", true },
	{ "[2001:db8::1]", "2001:DB8::1", true },
	{ "[2001:db8::1]", "2001:db8::/32", false },
	{ "[2001:db8::1]", "2001:db8::1/128", false },
	{ "[2001:db8:0:0::1]", "2001:db8:0:0::1", false },
	{ "[2001:db8:0:0::1]", "2001:db8::1", true },
	{ "[::ffff:10.1.2.3]", "::ffff:10.1.2.3", true },
	{ "[::ffff:10.1.2.3]", "10.0.0.0/8", false },
	{ "bücher.example", "bücher.example", false },
	{ "bücher.example", "xn--bcher-kva.example", true },
	{ "www.bücher.example", ".xn--bcher-kva.example", true },
};

static void check(const char *rules_name, enum proxy_rules rules, const struct noproxy *row)
{
	struct target t;
	char *url = xasprintf("https://%s/", row->host), **entries;
	bool got;

	CHECK(target_parse(url, &t) == 0, "%s: \"%s\" should parse", rules_name, url);
	entries = noproxy_split(row->list, rules == PROXY_RULES_CURL);
	got = noproxy_find(rules, &t, row->list, entries) != NULL;
	CHECK(got == row->match, "%s: \"%s\" should %sbe exempted by \"%s\"", rules_name,
	    row->host, row->match ? "" : "not ", row->list);
	strv_free(entries);
	free(url);
}

int main(void)
{
	for (size_t i = 0; i < nitems(go_rows); i++)
		check("Go", PROXY_RULES_GO, &go_rows[i]);
	for (size_t i = 0; i < nitems(curl_rows); i++)
		check("curl", PROXY_RULES_CURL, &curl_rows[i]);
	return test_done();
}
