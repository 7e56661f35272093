/* goresolv.h - a model of Go's own DNS resolver (net/dnsclient_unix.go,
 * Go 1.19), the one cert-manager's controller uses: it is built with
 * CGO_ENABLED=0 (bazel pure = "on" in v1.0.0, make/tools.mk in v1.8.0,
 * make/00_mod.mk in v1.21.1), so the C library's resolver never runs.
 *
 * Pure: fed what each nameserver really did with each question, it says
 * how long Go's lookup takes, which name answers and the error Go reports.
 * What Go does, as modelled:
 *   - the names of resolv_candidates() in order; for each name A and AAAA
 *     at once (one after the other with single-request), and both waited
 *     for even when one has answered;
 *   - per question: attempts rounds over the nameservers, each exchange
 *     bounded by the timeout; rotate starts each question one server later
 *     than the one before;
 *   - an answer ends the question; NXDOMAIN or an answer without an
 *     address of the type ends it too ("no such host"), as asking another
 *     server would not help; SERVFAIL, a refused port and a timeout move on
 *     to the next server;
 *   - the lookup ends at the first name with an address; without one, Go
 *     reports the last error, preferring the name as given;
 *   - a bound above the lookup (the dialer's 30 s, the sync deadline) ends
 *     it wherever it is;
 *   - each exchange over UDP, again over TCP when the answer is truncated
 *     (TC), or over TCP only with use-vc (Go's useTCP since Go 1.13, so
 *     in every release from v1.0.0; exchange() in dnsclient_unix.go).
 * A server is assumed to do on every attempt what it did when asked once.
 * Go's current net/dnsclient_unix.go runs the same rounds and keeps the
 * same errors; a program built with Debian's Go 1.19 took what this model
 * predicts, within 0.2 s, in tests/integration/diagnose-dns-slow.sh.
 */
#ifndef ACMECTL_GORESOLV_H
#define ACMECTL_GORESOLV_H

#include <stdbool.h>
#include <stddef.h>

/* What one nameserver did with one question. */
enum gores_reply {
	GORES_UNKNOWN,   /* not asked yet */
	GORES_ANSWER,    /* an address of the type asked */
	GORES_NOTFOUND,  /* NXDOMAIN, or no address of the type */
	GORES_SERVFAIL,  /* SERVFAIL or another error code */
	GORES_REFUSED,   /* nothing listens: ICMP port unreachable */
	GORES_TIMEOUT,   /* no answer within the timeout */
};

enum gores_qtype { GORES_A, GORES_AAAA, GORES_NQTYPES };

/* Where a failed exchange over TCP (use-vc, or after a truncated answer)
 * stopped, which Go's error names (dnsStreamRoundTrip in Go 1.19). */
enum gores_tcp {
	GORES_TCP_NONE,         /* not known, or not over TCP */
	GORES_TCP_DIAL,         /* no connection: "dial tcp SERVER: ..." */
	GORES_TCP_READ_TIMEOUT, /* connected, no whole answer in time: "read tcp
				 * POD_IP:PORT->SERVER: i/o timeout" */
	GORES_TCP_EOF,          /* closed before the length or right after it: "EOF" */
	GORES_TCP_CUT,          /* closed inside the length or the message:
				 * "unexpected EOF" */
	GORES_TCP_UNMARSHAL,    /* a whole frame but no DNS message: "cannot
				 * unmarshal DNS message" */
	GORES_TCP_INVALID,      /* the answer to another question: "invalid DNS
				 * response" */
};

struct gores_fact {
	enum gores_reply reply;
	long ms;         /* how long the reply took; a reply after the timeout
			  * is a timeout */
	bool tcp_retry;  /* the UDP answer came truncated and the question went
			  * again over TCP, which Go gives a timeout of its own:
			  * ms is both exchanges, a timeout only when reply says so */
	enum gores_tcp tcp_error; /* a failed TCP exchange: where it stopped */
};

/* One lookup: Go's settings and the facts, nnames x nservers x
 * GORES_NQTYPES, indexed by gores_fact_index(). Borrowed. */
struct gores_lookup {
	size_t nnames, nservers;
	size_t as_given;      /* the index of the name as written, nnames if none */
	long timeout_ms;
	int attempts;
	bool rotate;
	bool single_request;
	bool tcp;             /* use-vc: every exchange over TCP */
	unsigned offset;      /* rotate: the first server of the first question */
	long long limit_ms;   /* the bound above the lookup; 0 when none */
	const struct gores_fact *facts;
};

struct gores_result {
	bool need;            /* a fact is missing: ask name need_name at server
			       * need_server (both types), then run again */
	size_t need_name, need_server;
	bool found;           /* an address, for name found_name */
	size_t found_name;
	bool cut;             /* limit_ms came first */
	long long ms;         /* until the lookup returns (limit_ms when cut) */
	long long wait_ms;    /* of which spent waiting out timeouts */
	size_t waits;         /* exchanges that waited out the timeout */
	enum gores_reply error; /* !found: the reply Go reports (GORES_NOTFOUND
				 * with error_server nservers: no name to ask) */
	size_t error_server;
	enum gores_tcp error_tcp; /* that reply's fact's tcp_error */
};

/* The index of (name, server, qtype) in the facts. */
size_t gores_fact_index(const struct gores_lookup *l, size_t name, size_t server,
    enum gores_qtype q);

/* Runs Go's lookup over l's facts into out. */
void gores_run(const struct gores_lookup *l, struct gores_result *out);

/* Why a lookup waited. */
enum gores_cause {
	GORES_CAUSE_NONE,
	GORES_CAUSE_DEAD_SERVER,   /* a nameserver answers nothing */
	GORES_CAUSE_AAAA_DROPPED,  /* a nameserver answers A but never AAAA */
	GORES_CAUSE_TIMEOUTS,      /* some questions went unanswered */
};

/* The cause of the timeouts among the facts asked, and its server
 * (*server; nservers when none). */
enum gores_cause gores_cause(const struct gores_lookup *l, size_t *server);

/* The text Go's DNSError gives for reply from server ("IP:53", NULL when
 * none) about host, as in "lookup HOST on IP:53: no such host". The local
 * end of an exchange, which only the pod knows, reads POD_IP:PORT. A
 * timeout or a refusal of a failed TCP exchange is worded by how
 * (enum gores_tcp); without that (GORES_TCP_NONE), over TCP (tcp: use-vc)
 * it is the dial's, as for a server that is down, else the UDP read's.
 * Caller frees. */
char *gores_error_text(const char *host, const char *server, enum gores_reply reply, bool tcp,
    enum gores_tcp how);

#endif
