/* goresolv.c - Go's DNS resolver as cert-manager runs it (see
 * goresolv.h). Pure.
 */
#include "config.h"

#include <string.h>

#include "goresolv.h"
#include "util.h"

/* One question (a name and a type) through the servers. */
struct question {
	long long end;        /* when Go has its result */
	bool found, cut, need;
	size_t need_server;
	enum gores_reply err; /* the last failure; GORES_UNKNOWN when none */
	size_t err_server;
	enum gores_tcp err_tcp;
	size_t waits;
	long long wait_ms;
};

size_t gores_fact_index(const struct gores_lookup *l, size_t name, size_t server,
    enum gores_qtype q)
{
	return (name * l->nservers + server) * GORES_NQTYPES + q;
}

/* One round of Go's tryOneName() over the servers from offset off,
 * from out->end on. False when the question ended (an answer, no such
 * host, the limit, a fact to ask). */
static bool round_of(const struct gores_lookup *l, size_t name, enum gores_qtype q,
    unsigned off, struct question *out)
{
	for (size_t j = 0; j < l->nservers; j++) {
		size_t s = (off + j) % l->nservers;
		const struct gores_fact *f = &l->facts[gores_fact_index(l, name, s, q)];
		enum gores_reply reply = f->reply;
		long long took = f->ms;

		if (reply == GORES_UNKNOWN) {
			out->need = true;
			out->need_server = s;
			return false;
		}
		if (reply == GORES_TIMEOUT || (!f->tcp_retry && took >= l->timeout_ms)) {
			reply = GORES_TIMEOUT;
			/* after a truncated answer the TCP exchange had its own */
			took = f->tcp_retry ? took : l->timeout_ms;
		}
		if (l->limit_ms > 0 && out->end + took > l->limit_ms) {
			out->cut = true;
			out->end = l->limit_ms;
			return false;
		}
		out->end += took;
		if (reply == GORES_TIMEOUT) {
			out->waits++;
			out->wait_ms += took;
		}
		if (reply == GORES_ANSWER) {
			out->found = true;
			return false;
		}
		out->err = reply;
		out->err_server = s;
		out->err_tcp = f->tcp_error;
		/* the name does not exist: another server will not help */
		if (reply == GORES_NOTFOUND)
			return false;
	}
	return true;
}

/* Go's tryOneName(): attempts rounds over the servers from offset off,
 * starting at start. Every round after the first meets the same facts, so
 * only the time adds up; rounds are walked one by one only to find where
 * the limit cuts (at most limit_ms of them: each costs time). */
static void ask(const struct gores_lookup *l, size_t name, enum gores_qtype q, unsigned off,
    long long start, struct question *out)
{
	long long before, cost, more;
	size_t waits;

	memset(out, 0, sizeof(*out));
	out->err = GORES_UNKNOWN;
	out->err_server = l->nservers;
	out->end = start;
	if (l->attempts < 1 || !round_of(l, name, q, off, out))
		return;
	cost = out->end - start;
	waits = out->waits;
	more = l->attempts - 1;
	if (cost == 0 || l->limit_ms == 0) {
		out->end += cost * more;
		out->waits += waits * (size_t)more;
		out->wait_ms += (long long)waits * l->timeout_ms * more;
		return;
	}
	for (long long i = 0; i < more; i++) {
		before = out->end;
		if (!round_of(l, name, q, off, out) || out->end == before)
			return;
	}
}

/* Go keeps the error of a failed question when it has none yet, or when
 * it is about the name as written. */
static void keep_error(const struct gores_lookup *l, size_t name, const struct question *q,
    bool *have, struct gores_result *out)
{
	if (q->found || q->err == GORES_UNKNOWN)
		return;
	if (*have && name != l->as_given)
		return;
	out->error = q->err;
	out->error_server = q->err_server;
	out->error_tcp = q->err_tcp;
	*have = true;
}

void gores_run(const struct gores_lookup *l, struct gores_result *out)
{
	struct question q[GORES_NQTYPES];
	unsigned asked = 0;
	long long t = 0;
	bool have_error = false;
	size_t last;

	memset(out, 0, sizeof(*out));
	out->error = GORES_NOTFOUND;
	out->error_server = l->nservers;
	for (size_t n = 0; n < l->nnames; n++) {
		ask(l, n, GORES_A, l->rotate ? l->offset + asked : 0, t, &q[GORES_A]);
		ask(l, n, GORES_AAAA, l->rotate ? l->offset + asked + 1 : 0,
		    l->single_request ? q[GORES_A].end : t, &q[GORES_AAAA]);
		asked += 2;
		for (int k = 0; k < GORES_NQTYPES; k++) {
			if (q[k].need && !(k == GORES_AAAA && l->single_request &&
			    q[GORES_A].need)) {
				out->need = true;
				out->need_name = n;
				out->need_server = q[k].need_server;
				return;
			}
		}
		out->waits += q[GORES_A].waits + q[GORES_AAAA].waits;
		last = q[GORES_AAAA].end >= q[GORES_A].end ? GORES_AAAA : GORES_A;
		out->wait_ms += l->single_request ? q[GORES_A].wait_ms + q[GORES_AAAA].wait_ms :
		    q[last].wait_ms;
		if (q[GORES_A].cut || q[GORES_AAAA].cut) {
			out->cut = true;
			out->ms = l->limit_ms;
			return;
		}
		/* the results in the order they arrive */
		keep_error(l, n, &q[1 - last], &have_error, out);
		keep_error(l, n, &q[last], &have_error, out);
		t = q[last].end;
		if (q[GORES_A].found || q[GORES_AAAA].found) {
			out->found = true;
			out->found_name = n;
			break;
		}
	}
	out->ms = t;
}

enum gores_cause gores_cause(const struct gores_lookup *l, size_t *server)
{
	size_t to[GORES_NQTYPES], other[GORES_NQTYPES], s, n, any = 0;
	enum gores_reply r;

	*server = l->nservers;
	for (s = 0; s < l->nservers; s++) {
		memset(to, 0, sizeof(to));
		memset(other, 0, sizeof(other));
		for (n = 0; n < l->nnames; n++) {
			for (int q = 0; q < GORES_NQTYPES; q++) {
				r = l->facts[gores_fact_index(l, n, s, q)].reply;
				to[q] += r == GORES_TIMEOUT;
				other[q] += r != GORES_TIMEOUT && r != GORES_UNKNOWN;
			}
		}
		any += to[GORES_A] + to[GORES_AAAA];
		if (to[GORES_A] + to[GORES_AAAA] > 0 && other[GORES_A] + other[GORES_AAAA] == 0) {
			*server = s;
			return GORES_CAUSE_DEAD_SERVER;
		}
		if (to[GORES_AAAA] > 0 && other[GORES_AAAA] == 0 && other[GORES_A] > 0 &&
		    to[GORES_A] == 0 && *server == l->nservers)
			*server = s;
	}
	if (*server < l->nservers)
		return GORES_CAUSE_AAAA_DROPPED;
	return any > 0 ? GORES_CAUSE_TIMEOUTS : GORES_CAUSE_NONE;
}

/* Go's words for where a TCP exchange stopped after the connection was
 * made, or NULL. */
static const char *stream_words(enum gores_tcp how)
{
	switch (how) {
	case GORES_TCP_EOF:
		return "EOF";
	case GORES_TCP_CUT:
		return "unexpected EOF";
	case GORES_TCP_UNMARSHAL:
		return "cannot unmarshal DNS message";
	case GORES_TCP_INVALID:
		return "invalid DNS response";
	default:
		return NULL;
	}
}

char *gores_error_text(const char *host, const char *server, enum gores_reply reply, bool tcp,
    enum gores_tcp how)
{
	const char *what;
	bool failed = reply == GORES_TIMEOUT || reply == GORES_REFUSED;

	if (failed && server != NULL && how == GORES_TCP_READ_TIMEOUT)
		return xasprintf("lookup %s on %s: read tcp POD_IP:PORT->%s: i/o timeout", host,
		    server, server);
	if (failed && server != NULL && (what = stream_words(how)) != NULL)
		return xasprintf("lookup %s on %s: %s", host, server, what);
	tcp = tcp || (failed && how == GORES_TCP_DIAL);
	if (tcp && server != NULL && reply == GORES_TIMEOUT)
		return xasprintf("lookup %s on %s: dial tcp %s: i/o timeout", host, server, server);
	if (tcp && server != NULL && reply == GORES_REFUSED)
		return xasprintf("lookup %s on %s: dial tcp %s: connect: connection refused", host,
		    server, server);
	switch (reply) {
	case GORES_TIMEOUT:
		return xasprintf("lookup %s on %s: read udp POD_IP:PORT->%s: i/o timeout", host,
		    server, server);
	case GORES_REFUSED:
		return xasprintf("lookup %s on %s: read udp POD_IP:PORT->%s: read: connection "
		    "refused", host, server, server);
	case GORES_SERVFAIL:
		what = "server misbehaving";
		break;
	default:
		what = "no such host";
		break;
	}
	if (server == NULL)
		return xasprintf("lookup %s: %s", host, what);
	return xasprintf("lookup %s on %s: %s", host, server, what);
}
