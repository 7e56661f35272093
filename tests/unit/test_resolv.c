/* test_resolv.c - resolv.conf parsing, the search order and the walk over
 * candidates, each over one table. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "resolv.h"
#include "test.h"
#include "util.h"

#define LE "acme-v02.api.letsencrypt.org"
#define K8S "nameserver 10.96.0.10\n" \
	"search default.svc.cluster.local svc.cluster.local cluster.local\n" \
	"options ndots:5\n"
#define CORP "search cluster.local svc.cluster.local corp.example\n"
#define CORP5 CORP "options ndots:5\n"
#define L50 "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
#define L49 "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghi"
/* 4 * 50 + 4 dots + 49 = 253 characters; one more makes 254. */
#define N253 L50 "." L50 "." L50 "." L50 "." L49
#define N254 N253 "x"
/* 245 characters: fits alone, not with ".corp.example". */
#define N245 L50 "." L50 "." L50 "." L50 "." "abcdefghijabcdefghijabcdefghijabcdefghij1"

static const struct {
	const char *conf;
	const char *nameservers; /* space-joined */
	const char *search;      /* space-joined */
	int ndots, timeout, attempts;
} parse_rows[] = {
	{ "", "", "", 1, 5, 2 },
	{ K8S, "10.96.0.10", "default.svc.cluster.local svc.cluster.local cluster.local",
	  5, 5, 2 },
	{ "domain corp.example\nsearch a.example b.example\n", "", "a.example b.example",
	  1, 5, 2 },
	{ "search a.example b.example\ndomain corp.example\n", "", "corp.example", 1, 5, 2 },
	{ "domain corp.example extra.example\n", "", "corp.example", 1, 5, 2 },
	{ "search a.example\nsearch\n", "", "a.example", 1, 5, 2 },
	{ "nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\n"
	  "nameserver 10.0.0.4\n", "10.0.0.1 10.0.0.2 10.0.0.3", "", 1, 5, 2 },
	{ "nameserver dns.example\nnameserver 10.0.0.1\n", "10.0.0.1", "", 1, 5, 2 },
	{ "nameserver 2001:db8::53\nnameserver fe80::1%eth0\n",
	  "2001:db8::53 fe80::1%eth0", "", 1, 5, 2 },
	{ "# nameserver 1.1.1.1\n; search bad.example\nnameserver 9.9.9.9\n",
	  "9.9.9.9", "", 1, 5, 2 },
	{ "  nameserver 1.1.1.1\n\tsearch bad.example\n", "", "", 1, 5, 2 },
	{ "nameserver 10.0.0.1 # the primary\n", "10.0.0.1", "", 1, 5, 2 },
	{ "options ndots:20\n", "", "", 15, 5, 2 },
	{ "options ndots:0\n", "", "", 0, 5, 2 },
	{ "options ndots:x\n", "", "", 0, 5, 2 },
	{ "options ndots:-1\n", "", "", 0, 5, 2 },
	{ "options ndots:3x\n", "", "", 3, 5, 2 },
	{ "options timeout:0 attempts:0\n", "", "", 1, 1, 1 },
	{ "options timeout:99 attempts:9\n", "", "", 1, 30, 5 },
	{ "options rotate edns0 ndots:3\noptions timeout:2\n", "", "", 3, 2, 2 },
	{ "options ndots:99999999999999999999\n", "", "", 15, 5, 2 },
	{ "search a.example. b.example\n", "", "a.example b.example", 1, 5, 2 },
	{ "search . corp.example\n", "", "corp.example", 1, 5, 2 },
	{ "nameserver 10.0.0.1\r\nsearch corp.example\r\noptions ndots:2\r\n",
	  "10.0.0.1", "corp.example", 2, 5, 2 },
	{ "searchx bad.example\nnameservers 1.2.3.4\nnameserver\noption ndots:4\n",
	  "", "", 1, 5, 2 },
	{ "search d1.example d2.example d3.example d4.example d5.example d6.example "
	  "d7.example d8.example\n", "",
	  "d1.example d2.example d3.example d4.example d5.example d6.example "
	  "d7.example d8.example", 1, 5, 2 },
	{ "nameserver 10.0.0.1\n\n\nnameserver 10.0.0.2", "10.0.0.1 10.0.0.2", "", 1, 5, 2 },
};

static const struct {
	const char *conf;
	const char *name;
	const char *want; /* space-joined absolute names, in order */
} cand_rows[] = {
	{ CORP, LE, LE ". " LE ".cluster.local. " LE ".svc.cluster.local. "
	  LE ".corp.example." },
	{ CORP5, LE, LE ".cluster.local. " LE ".svc.cluster.local. " LE ".corp.example. "
	  LE "." },
	{ CORP5, LE ".", LE "." },
	{ CORP, "pebble", "pebble.cluster.local. pebble.svc.cluster.local. "
	  "pebble.corp.example. pebble." },
	{ K8S, "pebble.pki", "pebble.pki.default.svc.cluster.local. "
	  "pebble.pki.svc.cluster.local. pebble.pki.cluster.local. pebble.pki." },
	{ K8S, "pebble.pki.svc.cluster.local",
	  "pebble.pki.svc.cluster.local.default.svc.cluster.local. "
	  "pebble.pki.svc.cluster.local.svc.cluster.local. "
	  "pebble.pki.svc.cluster.local.cluster.local. pebble.pki.svc.cluster.local." },
	{ K8S, "a.b.c.d.e.f", "a.b.c.d.e.f. a.b.c.d.e.f.default.svc.cluster.local. "
	  "a.b.c.d.e.f.svc.cluster.local. a.b.c.d.e.f.cluster.local." },
	{ K8S, LE, LE ".default.svc.cluster.local. " LE ".svc.cluster.local. "
	  LE ".cluster.local. " LE "." },
	{ "search corp.example\noptions ndots:0\n", "pebble",
	  "pebble. pebble.corp.example." },
	{ "", "pebble", "pebble." },
	{ "", "acme.example", "acme.example." },
	{ CORP, "", "" },
	{ CORP, ".", "." },
	{ "search corp.example\noptions ndots:15\n", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o",
	  "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.corp.example. a.b.c.d.e.f.g.h.i.j.k.l.m.n.o." },
	{ "search corp.example\noptions ndots:20\n", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p",
	  "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p. a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.corp.example." },
	{ "search d1.example d2.example d3.example d4.example d5.example d6.example "
	  "d7.example\n", "x",
	  "x.d1.example. x.d2.example. x.d3.example. x.d4.example. x.d5.example. "
	  "x.d6.example. x.d7.example. x." },
	{ "domain corp.example\n", "host", "host.corp.example. host." },
	{ "search a.example\nsearch b.example\n", "x", "x.b.example. x." },
	{ "#search bad.example\nsearch good.example\n", "x", "x.good.example. x." },
	{ "search corp.example\n", N245, N245 "." },
	{ "search corp.example\noptions ndots:5\n", N245, N245 "." },
	{ "search corp.example\n", N253, N253 "." },
	{ "search corp.example\n", N254, "" },
	{ "search corp.example\n", N253 ".", N253 "." },
	{ "search corp.example\n", N254 ".", "" },
	{ "nameserver 10.0.0.1\r\nsearch corp.example\r\noptions ndots:5\r\n", "acme.example",
	  "acme.example.corp.example. acme.example." },
	{ CORP, "localhost", "localhost.cluster.local. localhost.svc.cluster.local. "
	  "localhost.corp.example. localhost." },
	{ "search corp.example\noptions ndots:2\n", "api.example",
	  "api.example.corp.example. api.example." },
	{ "search corp.example\noptions ndots:2\n", "acme.api.example",
	  "acme.api.example. acme.api.example.corp.example." },
	{ "search corp.example\n", "ACME.Example", "ACME.Example. ACME.Example.corp.example." },
	{ "search a.example a.example\n", "x", "x.a.example. x.a.example. x." },
	{ "search corp.example.\n", "x", "x.corp.example. x." },
	{ "  search bad.example\n", "x", "x." },
	{ "search .\n", "x", "x." },
	{ "search corp.example\noptions ndots:1\n", "single", "single.corp.example. single." },
	{ "search corp.example\noptions ndots:1\n", "two.labels",
	  "two.labels. two.labels.corp.example." },
};

static const struct {
	const char *conf;
	const char *name;
	const char *found;     /* names with addresses, space-joined */
	const char *tempfail;  /* names whose lookup fails temporarily */
	const char *want;      /* first answering name, NULL for none */
	const char *domain;    /* its search domain, NULL for the name as given */
	bool want_tempfail;
	int lookups;           /* how many lookups the walk made */
} walk_rows[] = {
	/* A wildcard under cluster.local hijacks the CA's name with ndots:5. */
	{ K8S, LE, LE ".cluster.local. " LE ".", "", LE ".cluster.local.",
	  "cluster.local", false, 3 },
	{ CORP, LE, LE ".corp.example. " LE ".", "", LE ".", NULL, false, 1 },
	{ CORP5, LE, LE ".corp.example. " LE ".", "", LE ".corp.example.",
	  "corp.example", false, 3 },
	{ CORP5, LE ".", LE ".corp.example. " LE ".", "", LE ".", NULL, false, 1 },
	{ CORP5, LE, "", "", NULL, NULL, false, 4 },
	{ CORP5, LE, LE ".", LE ".cluster.local.", LE ".", NULL, true, 4 },
	{ CORP5, LE, "", LE ".cluster.local. " LE ".svc.cluster.local. "
	  LE ".corp.example. " LE ".", NULL, NULL, true, 4 },
	{ K8S, "pebble.pki", "pebble.pki.svc.cluster.local.", "",
	  "pebble.pki.svc.cluster.local.", "svc.cluster.local", false, 2 },
};

/* The fake DNS of walk_rows. */
struct fake_dns {
	const char *found, *tempfail;
	int lookups;
};

/* True when word is one of the space-separated words of list. */
static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; (p = strstr(p, word)) != NULL; p += len)
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
			return true;
	return false;
}

static enum resolv_answer fake_lookup(const char *fqdn, void *arg)
{
	struct fake_dns *dns = arg;

	dns->lookups++;
	if (has_word(dns->found, fqdn))
		return RESOLV_FOUND;
	if (has_word(dns->tempfail, fqdn))
		return RESOLV_TEMPFAIL;
	return RESOLV_NOTFOUND;
}

/* Joins n strings with spaces; caller frees. */
static char *join(char *const *v, size_t n)
{
	char *s = xstrdup(""), *next;

	for (size_t i = 0; i < n; i++) {
		next = xasprintf("%s%s%s", s, i ? " " : "", v[i]);
		free(s);
		s = next;
	}
	return s;
}

static void test_parse(void)
{
	for (size_t i = 0; i < nitems(parse_rows); i++) {
		struct resolv_conf conf;
		char ctx[32], *ns, *search;

		snprintf(ctx, sizeof(ctx), "parse row %zu", i);
		resolv_parse(parse_rows[i].conf, &conf);
		ns = join(conf.nameservers, conf.nnameservers);
		search = join(conf.search, conf.nsearch);
		CHECK_STR(ns, parse_rows[i].nameservers, ctx);
		CHECK_STR(search, parse_rows[i].search, ctx);
		CHECK_INT(conf.ndots, parse_rows[i].ndots, ctx);
		CHECK_INT(conf.timeout_s, parse_rows[i].timeout, ctx);
		CHECK_INT(conf.attempts, parse_rows[i].attempts, ctx);
		free(ns);
		free(search);
		resolv_conf_free(&conf);
	}
}

static void test_candidates(void)
{
	for (size_t i = 0; i < nitems(cand_rows); i++) {
		struct resolv_conf conf;
		struct resolv_candidate *c;
		char ctx[32], *got, **names;
		size_t n;

		snprintf(ctx, sizeof(ctx), "candidates row %zu", i);
		resolv_parse(cand_rows[i].conf, &conf);
		c = resolv_candidates(cand_rows[i].name, &conf, &n);
		names = xcalloc(n + 1, sizeof(*names));
		for (size_t j = 0; j < n; j++) {
			char *expect = c[j].domain ?
			    xasprintf("%s.%s.", cand_rows[i].name, c[j].domain) :
			    xasprintf("%s%s", cand_rows[i].name,
				cand_rows[i].name[strlen(cand_rows[i].name) - 1] == '.' ?
				"" : ".");

			/* Each candidate says which search domain made it. */
			CHECK_STR(c[j].fqdn, expect, ctx);
			free(expect);
			names[j] = c[j].fqdn;
		}
		got = join(names, n);
		CHECK_STR(got, cand_rows[i].want, ctx);
		free(got);
		free(names);
		resolv_candidates_free(c, n);
		resolv_conf_free(&conf);
	}
}

static void test_walk(void)
{
	for (size_t i = 0; i < nitems(walk_rows); i++) {
		struct fake_dns dns = { walk_rows[i].found, walk_rows[i].tempfail, 0 };
		struct resolv_conf conf;
		struct resolv_candidate *c;
		bool tempfail = !walk_rows[i].want_tempfail;
		char ctx[32];
		long idx;
		size_t n;

		snprintf(ctx, sizeof(ctx), "walk row %zu", i);
		resolv_parse(walk_rows[i].conf, &conf);
		c = resolv_candidates(walk_rows[i].name, &conf, &n);
		idx = resolv_first_answer(c, n, fake_lookup, &dns, &tempfail);
		CHECK_STR(idx >= 0 ? c[idx].fqdn : NULL, walk_rows[i].want, ctx);
		CHECK_STR(idx >= 0 ? c[idx].domain : NULL, walk_rows[i].domain, ctx);
		CHECK_INT(tempfail, walk_rows[i].want_tempfail, ctx);
		CHECK_INT(dns.lookups, walk_rows[i].lookups, ctx);
		resolv_candidates_free(c, n);
		resolv_conf_free(&conf);
	}
}

static void test_load(void)
{
	char path[] = "/tmp/test_resolv.XXXXXX";
	struct resolv_conf conf;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	CHECK(fd >= 0, "mkstemp");
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	fputs(K8S, f);
	fclose(f);
	CHECK_INT(resolv_load(path, &conf), 0, "load");
	CHECK_INT(conf.ndots, 5, "load ndots");
	CHECK_INT(conf.nsearch, 3, "load search");
	CHECK_STR(conf.nnameservers == 1 ? conf.nameservers[0] : NULL, "10.96.0.10",
	    "load nameserver");
	resolv_conf_free(&conf);
	unlink(path);

	CHECK_INT(resolv_load(path, &conf), -1, "load missing");
	CHECK_INT(err_kind(), ERR_USAGE, "load missing kind");
	CHECK(strstr(err_message(), path) != NULL, "message names the file: %s",
	    err_message());
	CHECK_INT(conf.ndots, 1, "defaults after a failed load");
	resolv_conf_free(&conf);
	err_clear();
}

/* Go's reading of the options: no upper bound on timeout and attempts
 * (its digit reader stops at 0xFFFFFF), and the flags it honours. */
static const struct {
	const char *conf;
	int go_timeout, go_attempts;
	bool rotate, single, vc;
} go_rows[] = {
	{ "", 5, 2, false, false, false },
	{ "options timeout:99 attempts:9\n", 99, 9, false, false, false },
	{ "options timeout:0 attempts:x\n", 1, 1, false, false, false },
	{ "options timeout:99999999999\n", RESOLV_GO_BIG, 2, false, false, false },
	{ "options rotate single-request use-vc\n", 5, 2, true, true, true },
	{ "options single-request-reopen usevc\n", 5, 2, false, true, true },
	{ "options tcp rotate:1\n", 5, 2, false, false, true },
};

static void test_parse_go(void)
{
	for (size_t i = 0; i < sizeof(go_rows) / sizeof(go_rows[0]); i++) {
		struct resolv_conf conf;
		const char *ctx = go_rows[i].conf;

		resolv_parse(go_rows[i].conf, &conf);
		CHECK_INT(conf.go_timeout_s, go_rows[i].go_timeout, ctx);
		CHECK_INT(conf.go_attempts, go_rows[i].go_attempts, ctx);
		CHECK_INT(conf.rotate, go_rows[i].rotate, ctx);
		CHECK_INT(conf.single_request, go_rows[i].single, ctx);
		CHECK_INT(conf.use_vc, go_rows[i].vc, ctx);
		resolv_conf_free(&conf);
	}
}

int main(void)
{
	test_parse();
	test_parse_go();
	test_candidates();
	test_walk();
	test_load();
	return test_done();
}
