/* test_goresolv.c - the model of Go's resolver (goresolv.c) over one table
 * of lookups, one of causes and one of error texts. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/diagnose/goresolv.h"
#include "test.h"
#include "util.h"

/* Facts as letters, one per (name, server, type) in gores_fact_index()
 * order (each server's A then AAAA, server by server, name by name):
 * a answer, n no such host, s SERVFAIL (10 ms each), r refused (1 ms),
 * t timeout, L an answer after 6 s, T a truncated answer asked again over
 * TCP, answered after 6 s in all, U the same unanswered over TCP after 5.5 s
 * in all, ? never asked; blanks are skipped. */
static struct gores_fact *facts_of(const char *s, size_t *n)
{
	struct gores_fact *f = xcalloc(strlen(s) + 1, sizeof(*f));

	*n = 0;
	for (; *s != '\0'; s++) {
		struct gores_fact *x = &f[*n];

		switch (*s) {
		case ' ':
			continue;
		case 'a': x->reply = GORES_ANSWER; x->ms = 10; break;
		case 'n': x->reply = GORES_NOTFOUND; x->ms = 10; break;
		case 's': x->reply = GORES_SERVFAIL; x->ms = 10; break;
		case 'r': x->reply = GORES_REFUSED; x->ms = 1; break;
		case 't': x->reply = GORES_TIMEOUT; break;
		case 'L': x->reply = GORES_ANSWER; x->ms = 6000; break;
		case 'T': x->reply = GORES_ANSWER; x->ms = 6000; x->tcp_retry = true; break;
		case 'U': x->reply = GORES_TIMEOUT; x->ms = 5500; x->tcp_retry = true; break;
		default: x->reply = GORES_UNKNOWN; break;
		}
		(*n)++;
	}
	return f;
}

#define NONE 99
#define T5 5000

static const struct {
	const char *why;
	int nnames, nservers, as_given;
	long timeout_ms;
	int attempts;
	int rotate_offset;     /* -1: no rotate */
	int single;
	long long limit;
	const char *facts;
	int found;             /* the name that answered, NONE */
	long long ms;
	int waits;
	char error;            /* with found NONE: t n s r; 'c' cut; '?' need */
	int error_server;      /* or the server needed */
} runs[] = {
	{ "dead first server: A and AAAA each wait 5 s on it, then the second answers",
	  1, 2, 0, T5, 2, -1, 0, 0, "tt aa", 0, 5010, 2, 0, 0 },
	{ "AAAA dropped by the only server: A answers at once, AAAA waits out both "
	  "attempts, and Go waits for both", 1, 1, 0, T5, 2, -1, 0, 0, "at", 0, 10000, 2, 0, 0 },
	{ "a pod (ndots:5, 3 search domains): the expansions get NXDOMAIN fast, the name "
	  "as given answers last", 4, 1, 3, T5, 2, -1, 0, 0, "nn nn nn aa", 3, 40, 0, 0, 0 },
	{ "a pod whose nameserver drops AAAA: each of the 4 names waits 10 s for it",
	  4, 1, 3, T5, 2, -1, 0, 0, "nt nt nt at", 3, 40000, 8, 0, 0 },
	{ "the same under the dialer's 30 s: cut in the third name's wait",
	  4, 1, 3, T5, 2, -1, 0, 30000, "nt nt nt at", NONE, 30000, 6, 'c', 0 },
	{ "without rotate the first server answers both at once",
	  1, 2, 0, T5, 2, -1, 0, 0, "aa tt", 0, 10, 0, 0, 0 },
	{ "rotate: AAAA starts one server later, at the dead one",
	  1, 2, 0, T5, 2, 0, 0, 0, "aa tt", 0, 5010, 1, 0, 0 },
	{ "rotate from the second server: A starts at the dead one, AAAA wraps to the first",
	  1, 2, 0, T5, 2, 1, 0, 0, "aa tt", 0, 5010, 1, 0, 0 },
	{ "attempts:1, all dead: one round of 5 s per server",
	  1, 2, 0, T5, 1, -1, 0, 0, "tt tt", NONE, 10000, 4, 't', 1 },
	{ "attempts:2, all dead: two rounds; Go reports the last server's timeout",
	  1, 2, 0, T5, 2, -1, 0, 0, "tt tt", NONE, 20000, 8, 't', 1 },
	{ "timeout:1: the dead first server costs 1 s",
	  1, 2, 0, 1000, 2, -1, 0, 0, "tt aa", 0, 1010, 2, 0, 0 },
	{ "NXDOMAIN on the search expansion ends it at the first server: the dead second "
	  "one is never asked", 2, 2, 1, T5, 2, -1, 0, 0, "nn ?? aa ??", 1, 20, 0, 0, 0 },
	{ "single-request: AAAA only after A, so the two waits add",
	  1, 2, 0, T5, 2, -1, 1, 0, "tt aa", 0, 10020, 2, 0, 0 },
	{ "no address anywhere: the error of the name as given (last) wins over the "
	  "expansion's SERVFAIL", 2, 1, 1, T5, 1, -1, 0, 0, "ss nn", NONE, 20, 0, 'n', 0 },
	{ "the name as given first: its no such host is kept over the later SERVFAIL",
	  2, 1, 0, T5, 1, -1, 0, 0, "nn ss", NONE, 20, 0, 'n', 0 },
	{ "a refused port moves on at once", 1, 2, 0, T5, 2, -1, 0, 0, "rr aa", 0, 11, 0, 0, 0 },
	{ "an answer after the timeout is a timeout", 1, 2, 0, T5, 1, -1, 0, 0, "LL aa",
	  0, 5010, 2, 0, 0 },
	{ "attempts at Go's largest (16777215) with instant refusals: counted, not walked",
	  1, 2, 0, T5, 16777215, -1, 0, 0, "ss rr", NONE, 16777215LL * 11, 0, 'r', 1 },
	{ "the same under the dialer's 30 s: cut there", 1, 2, 0, T5, 16777215, -1, 0, 30000,
	  "ss rr", NONE, 30000, 0, 'c', 0 },
	{ "attempts at Go's largest, the only server dead: the 30 s cut after 6 waits",
	  1, 1, 0, T5, 16777215, -1, 0, 30000, "tt", NONE, 30000, 12, 'c', 0 },
	{ "a fact not asked yet stops the run and names it", 1, 2, 0, T5, 2, -1, 0, 0,
	  "tt ??", NONE, 0, 0, '?', 1 },
	{ "no name to ask (too long): no such host at once", 0, 1, 0, T5, 2, -1, 0, 0, "",
	  NONE, 0, 0, 'n', 1 },
	{ "an answer after the timeout is a timeout", 1, 1, 0, T5, 1, -1, 0, 0, "LL",
	  NONE, 5000, 2, 't', 0 },
	{ "truncated, then over TCP with a timeout of its own: 6 s in all still answers",
	  1, 1, 0, T5, 1, -1, 0, 0, "TT", 0, 6000, 0, 0, 0 },
	{ "truncated, then no answer over TCP: the UDP part and a whole TCP timeout",
	  1, 1, 0, T5, 1, -1, 0, 0, "UU", NONE, 5500, 2, 't', 0 },
};

static char error_letter(const struct gores_result *r)
{
	if (r->need)
		return '?';
	if (r->cut)
		return 'c';
	if (r->found)
		return 0;
	switch (r->error) {
	case GORES_TIMEOUT: return 't';
	case GORES_NOTFOUND: return 'n';
	case GORES_SERVFAIL: return 's';
	case GORES_REFUSED: return 'r';
	default: return 'x';
	}
}

static void test_runs(void)
{
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		struct gores_lookup l = {
			.nnames = runs[i].nnames, .nservers = runs[i].nservers,
			.as_given = runs[i].as_given, .timeout_ms = runs[i].timeout_ms,
			.attempts = runs[i].attempts, .rotate = runs[i].rotate_offset >= 0,
			.offset = runs[i].rotate_offset >= 0 ? runs[i].rotate_offset : 0,
			.single_request = runs[i].single, .limit_ms = runs[i].limit,
		};
		struct gores_result r;
		struct gores_fact *f;
		size_t n;

		f = facts_of(runs[i].facts, &n);
		CHECK_INT(n, l.nnames * l.nservers * GORES_NQTYPES, runs[i].why);
		l.facts = f;
		gores_run(&l, &r);
		CHECK_INT(error_letter(&r), runs[i].error, runs[i].why);
		if (r.need) {
			CHECK_INT(r.need_server, runs[i].error_server, runs[i].why);
			free(f);
			continue;
		}
		CHECK_INT(r.found ? (int)r.found_name : NONE, runs[i].found, runs[i].why);
		CHECK_INT(r.ms, runs[i].ms, runs[i].why);
		CHECK_INT(r.waits, runs[i].waits, runs[i].why);
		if (!r.found && !r.cut)
			CHECK_INT(r.error_server, runs[i].error_server, runs[i].why);
		free(f);
	}
}

static const struct {
	const char *why;
	const char *facts;     /* one name */
	int nservers;
	enum gores_cause cause;
	int server;
} causes[] = {
	{ "the first server answers nothing", "tt aa", 2, GORES_CAUSE_DEAD_SERVER, 0 },
	{ "the second server answers nothing", "aa tt", 2, GORES_CAUSE_DEAD_SERVER, 1 },
	{ "A answered, AAAA never", "at", 1, GORES_CAUSE_AAAA_DROPPED, 0 },
	{ "A unanswered where AAAA answers: no dead server, no dropped AAAA", "ta ta", 2,
	  GORES_CAUSE_TIMEOUTS, 2 },
	{ "everything answered", "aa nn", 2, GORES_CAUSE_NONE, 2 },
	{ "not asked is no timeout", "aa ??", 2, GORES_CAUSE_NONE, 2 },
};

static void test_causes(void)
{
	for (size_t i = 0; i < sizeof(causes) / sizeof(causes[0]); i++) {
		struct gores_lookup l = { .nnames = 1, .nservers = causes[i].nservers };
		size_t n, server;

		l.facts = facts_of(causes[i].facts, &n);
		CHECK_INT(gores_cause(&l, &server), causes[i].cause, causes[i].why);
		CHECK_INT(server, causes[i].server, causes[i].why);
		free((void *)l.facts);
	}
}

/* Go 1.19's texts, as a program built with Debian's Go printed them
 * against a lab resolver (the local end there was 127.0.0.1:48861). */
static const struct {
	const char *server;
	enum gores_reply reply;
	bool tcp;              /* use-vc */
	enum gores_tcp how;
	const char *want;
} texts[] = {
	{ "10.96.0.10:53", GORES_TIMEOUT, false, GORES_TCP_NONE, "lookup acme.test on 10.96.0.10:53: read udp "
	  "POD_IP:PORT->10.96.0.10:53: i/o timeout" },
	{ "[fd00::a]:53", GORES_REFUSED, false, GORES_TCP_NONE, "lookup acme.test on [fd00::a]:53: read udp "
	  "POD_IP:PORT->[fd00::a]:53: read: connection refused" },
	{ "10.96.0.10:53", GORES_SERVFAIL, true, GORES_TCP_NONE, "lookup acme.test on 10.96.0.10:53: server "
	  "misbehaving" },
	{ "10.96.0.10:53", GORES_NOTFOUND, true, GORES_TCP_NONE, "lookup acme.test on 10.96.0.10:53: no such host" },
	{ NULL, GORES_NOTFOUND, false, GORES_TCP_NONE, "lookup acme.test: no such host" },
	/* use-vc: the dial's errors (Go 1.19, nothing listening at
	 * 127.0.0.1:53; SYNs to 127.0.0.2:53 dropped by nftables) */
	{ "127.0.0.1:53", GORES_REFUSED, true, GORES_TCP_NONE, "lookup acme.test on 127.0.0.1:53: dial tcp "
	  "127.0.0.1:53: connect: connection refused" },
	{ "127.0.0.2:53", GORES_TIMEOUT, true, GORES_TCP_NONE, "lookup acme.test on 127.0.0.2:53: dial tcp "
	  "127.0.0.2:53: i/o timeout" },
	/* where a TCP exchange stopped once connected (Go 1.19 in
	 * diagnose-dns-tcp.sh against tests/lib/dns_tcp_hostile.py): the read's
	 * timeout, the connection closed inside the answer or before it, a
	 * length of 0, the answer to another id */
	{ "10.96.0.10:53", GORES_TIMEOUT, true, GORES_TCP_READ_TIMEOUT, "lookup acme.test on "
	  "10.96.0.10:53: read tcp POD_IP:PORT->10.96.0.10:53: i/o timeout" },
	{ "10.96.0.10:53", GORES_TIMEOUT, false, GORES_TCP_READ_TIMEOUT, "lookup acme.test on "
	  "10.96.0.10:53: read tcp POD_IP:PORT->10.96.0.10:53: i/o timeout" },
	{ "10.96.0.10:53", GORES_REFUSED, true, GORES_TCP_CUT,
	  "lookup acme.test on 10.96.0.10:53: unexpected EOF" },
	{ "10.96.0.10:53", GORES_REFUSED, false, GORES_TCP_EOF,
	  "lookup acme.test on 10.96.0.10:53: EOF" },
	{ "10.96.0.10:53", GORES_REFUSED, true, GORES_TCP_UNMARSHAL,
	  "lookup acme.test on 10.96.0.10:53: cannot unmarshal DNS message" },
	{ "10.96.0.10:53", GORES_REFUSED, true, GORES_TCP_INVALID,
	  "lookup acme.test on 10.96.0.10:53: invalid DNS response" },
	/* the dial's failure after a truncated UDP answer */
	{ "127.0.0.1:53", GORES_REFUSED, false, GORES_TCP_DIAL, "lookup acme.test on 127.0.0.1:53: "
	  "dial tcp 127.0.0.1:53: connect: connection refused" },
	/* an answer or NXDOMAIN is worded alike whatever the transport */
	{ "10.96.0.10:53", GORES_NOTFOUND, true, GORES_TCP_CUT,
	  "lookup acme.test on 10.96.0.10:53: no such host" },
};

static void test_texts(void)
{
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char *s = gores_error_text("acme.test", texts[i].server, texts[i].reply,
		    texts[i].tcp, texts[i].how);

		CHECK_STR(s, texts[i].want, texts[i].want);
		free(s);
	}
}

int main(void)
{
	test_runs();
	test_causes();
	test_texts();
	return test_done();
}
