/* test_solverpick.c - cert-manager's pick of an ACME solver per name, over
 * one table whose rows each say which rule they show, and the zone label
 * count it rests on. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "solverpick.h"
#include "test.h"
#include "util.h"

#define ISSUER "kind: ClusterIssuer\nmetadata: {name: le}\nspec:\n  acme:\n    solvers:\n"
#define HTTP "    - http01: {ingress: {ingressClassName: nginx}}\n"
#define DNS "    - dns01: {rfc2136: {nameserver: 10.0.0.1}}\n"
#define SEL(x) "      selector: " x "\n"

static const struct {
	const char *solvers;   /* the list, as YAML under spec.acme.solvers */
	const char *name;
	const char *labels;    /* the Certificate's, JSON */
	int want;              /* the index picked, -1 none */
	const char *type;
	const char *said;      /* a fragment of the pick's why */
	const char *why;       /* the rule the row shows */
} rows[] = {
	{ HTTP, "a.example", "{}", 0, "HTTP-01", "no selector", "no selector matches all" },
	{ HTTP HTTP, "a.example", "{}", 0, "HTTP-01", "no selector",
	  "of two solvers without selector the first counts" },
	{ HTTP, "*.a.example", "{}", -1, NULL, "every solver is http01",
	  "a wildcard needs dns-01" },
	{ HTTP DNS, "*.a.example", "{}", 1, "DNS-01", "no selector",
	  "a wildcard skips the http01 solver" },
	{ "", "a.example", "{}", -1, NULL, "the Issuer has no solvers", "nothing to pick from" },
	{ HTTP SEL("{dnsZones: [b.example]}"), "a.example", "{}", -1, NULL,
	  "no solver's selector matches", "a zone elsewhere" },
	{ HTTP DNS SEL("{dnsZones: [example]}"), "a.example", "{}", 1, "DNS-01",
	  "selector.dnsZones \"example\" matches 1 label", "a matching zone beats no selector" },
	{ DNS SEL("{dnsZones: [example]}") HTTP SEL("{dnsZones: [a.example]}"), "x.a.example",
	  "{}", 1, "HTTP-01", "matches more labels", "the longest zone wins, even later" },
	{ DNS SEL("{dnsZones: [a.example]}") HTTP SEL("{dnsZones: [example]}"), "x.a.example",
	  "{}", 0, "DNS-01", "matches 2 labels", "a shorter zone later does not replace it" },
	{ DNS SEL("{dnsZones: [a.example]}") HTTP SEL("{dnsNames: [x.a.example]}"), "x.a.example",
	  "{}", 1, "HTTP-01", "dnsNames lists the name, the earlier pick's does not",
	  "dnsNames beats dnsZones" },
	{ DNS SEL("{dnsNames: [x.a.example]}") HTTP SEL("{dnsZones: [x.a.example]}"),
	  "x.a.example", "{}", 0, "DNS-01", "dnsNames lists the name",
	  "dnsNames beats even a zone equal to the name" },
	{ DNS SEL("{dnsNames: [\"*.a.example\"]}"), "*.a.example", "{}", 0, "DNS-01",
	  "dnsNames lists the name", "a wildcard is matched with its \"*.\"" },
	{ DNS SEL("{dnsNames: [a.example]}"), "*.a.example", "{}", -1, NULL,
	  "no solver's selector matches", "the apex in dnsNames does not cover the wildcard" },
	{ DNS SEL("{dnsZones: [a.example]}"), "*.a.example", "{}", 0, "DNS-01",
	  "matches 2 labels", "a zone covers the wildcard below it" },
	{ HTTP SEL("{dnsZones: [A.EXAMPLE.]}"), "x.a.example", "{}", 0, "HTTP-01",
	  "matches 2 labels", "zones compare without case and trailing dot" },
	{ HTTP SEL("{dnsZones: [ba.example]}"), "a.example", "{}", -1, NULL,
	  "no solver's selector matches", "a zone matches whole labels, not a suffix" },
	{ HTTP SEL("{matchLabels: {app: web}}"), "a.example", "{\"app\":\"db\"}", -1, NULL,
	  "no solver's selector matches", "a label with another value does not match" },
	{ HTTP SEL("{matchLabels: {app: web}}") DNS SEL("{matchLabels: {app: web, t: x}}"),
	  "a.example", "{\"app\":\"web\",\"t\":\"x\"}", 1, "DNS-01",
	  "more of the Certificate's labels", "more matching labels win" },
	{ HTTP SEL("{matchLabels: {app: web}}") DNS SEL("{matchLabels: {t: x}}"),
	  "a.example", "{\"app\":\"web\",\"t\":\"x\"}", 0, "HTTP-01", "(1 matchLabels)",
	  "first on a tie" },
	{ HTTP DNS SEL("{matchLabels: {app: web}}"), "a.example", "{\"app\":\"web\"}", 1,
	  "DNS-01", "more of the Certificate's labels",
	  "a selector with a matching label beats an earlier no-selector solver" },
	{ HTTP DNS SEL("{}"), "a.example", "{}", 0, "HTTP-01", "no selector",
	  "an empty selector does not beat an earlier no-selector solver (a tie)" },
	{ HTTP SEL("{}") DNS, "a.example", "{}", 0, "HTTP-01", "(0 matchLabels)",
	  "an empty selector matches; a later no-selector solver does not replace a pick" },
	{ DNS SEL("{dnsZones: [a.example], dnsNames: [x.a.example]}")
	  HTTP SEL("{dnsZones: [x.a.example], dnsNames: [x.a.example]}"), "x.a.example", "{}",
	  1, "HTTP-01", "matches more labels", "both list the name: the longer zone wins" },
};

static void test_pick(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *yaml = xasprintf(ISSUER "%s", rows[i].solvers);
		const char *name = rows[i].name;
		bool wildcard = strncmp(name, "*.", 2) == 0;
		json_t *labels = json_loads(rows[i].labels, 0, NULL);
		struct cm_solver_pick p;
		struct cm_solvers s;
		char ctx[16];

		snprintf(ctx, sizeof(ctx), "row %zu", i);
		CHECK(cm_solvers_parse(yaml, strlen(yaml), "t", &s) == 0, "%s: %s", ctx,
		    err_message());
		cm_solver_pick(s.v, s.n, wildcard ? name + 2 : name, wildcard, labels, &p);
		CHECK_INT(p.index, rows[i].want, rows[i].why);
		CHECK_STR(p.type, rows[i].type, rows[i].why);
		CHECK(p.why != NULL && strstr(p.why, rows[i].said) != NULL,
		    "%s (%s): why \"%s\" lacks \"%s\"", ctx, rows[i].why, p.why ? p.why : "",
		    rows[i].said);
		cm_solver_pick_clear(&p);
		cm_solvers_clear(&s);
		json_decref(labels);
		free(yaml);
	}
}

static const struct {
	const char *zone, *name;
	int labels;
	bool whole;
} zone_rows[] = {
	{ "example.com", "a.example.com", 2, true },
	{ "example.com.", "A.EXAMPLE.COM", 2, true },
	{ "a.example.com", "example.com", 2, false },
	{ "b.com", "ab.com", 1, false },
	{ ".", "a.com", 0, false },
	{ "*.example.com", "*.example.com", 3, true },
};

static void test_zone(void)
{
	for (size_t i = 0; i < sizeof(zone_rows) / sizeof(zone_rows[0]); i++) {
		bool whole;
		int n = cm_zone_labels_matching(zone_rows[i].zone, zone_rows[i].name, &whole);

		CHECK_INT(n, zone_rows[i].labels, zone_rows[i].zone);
		CHECK(whole == zone_rows[i].whole, "%s vs %s", zone_rows[i].zone, zone_rows[i].name);
	}
}

static void test_bad(void)
{
	static const char *const bad[] = {
		ISSUER "    - http01: {}\n      selector: [x]\n",
		ISSUER "    - http01: {}\n      selector: {dnsZones: a.example}\n",
		ISSUER "    - http01: {}\n      selector: {matchLabels: [a]}\n",
		ISSUER "    - x\n",
		"kind: ClusterIssuer\nspec: {acme: {solvers: {a: b}}}\n",
		ISSUER "    - dns01: {cnameStrategy: follow, rfc2136: {}}\n",
		ISSUER "    - dns01: {cnameStrategy: [Follow], rfc2136: {}}\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cm_solvers s;

		CHECK(cm_solvers_parse(bad[i], strlen(bad[i]), "t", &s) == -1 &&
		    err_kind() == ERR_USAGE && s.n == 0, "bad row %zu", i);
	}
}

/* dns01.cnameStrategy as cert-manager's enum spells it. */
static const struct {
	const char *solver;
	bool follow;
	const char *why;
} cname_rows[] = {
	{ DNS, false, "absent: None" },
	{ "    - dns01: {cnameStrategy: None, rfc2136: {}}\n", false, "None" },
	{ "    - dns01: {cnameStrategy: Follow, rfc2136: {}}\n", true, "Follow" },
	{ "    - dns01: {cnameStrategy: null, rfc2136: {}}\n", false, "null: None" },
};

static void test_cname_strategy(void)
{
	for (size_t i = 0; i < sizeof(cname_rows) / sizeof(cname_rows[0]); i++) {
		char *yaml = xasprintf(ISSUER "%s", cname_rows[i].solver);
		struct cm_solvers s;

		CHECK(cm_solvers_parse(yaml, strlen(yaml), "t", &s) == 0 && s.n == 1,
		    "%s: %s", cname_rows[i].why, err_message());
		CHECK(s.n == 1 && s.v[0].cname_follow == cname_rows[i].follow, "%s",
		    cname_rows[i].why);
		cm_solvers_clear(&s);
		free(yaml);
	}
}

int main(void)
{
	test_cname_strategy();
	test_pick();
	test_zone();
	test_bad();
	return test_done();
}
