/* goprobe.c - the facts for the model of Go's resolver (goresolv.h): each
 * nameserver of the resolv.conf in use asked directly, with dns.c, for
 * the names Go would try, only as far as the model needs them.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose_int.h"
#include "dns.h"
#include "err.h"
#include "goprobe.h"
#include "util.h"

/* Go's servers when resolv.conf names none. */
static const char *const go_default_ns[] = { "127.0.0.1", "::1" };

/* One question to one server. */
struct ask {
	const struct sockaddr_storage *sa;
	socklen_t salen;
	const char *fqdn;
	uint16_t type;
	bool tcp;                 /* use-vc */
	long timeout_ms;
	struct gores_fact fact;   /* out */
	char *addrs;              /* out: "a, b" of an answer; caller frees */
};

/* The addresses of type among m's answers, "a, b", or NULL. */
static char *answer_addrs(const struct dns_msg *m, uint16_t type)
{
	const char **v = xcalloc(m->nanswer + 1, sizeof(*v));
	size_t n = 0;
	char *s = NULL;

	for (size_t i = 0; i < m->nanswer; i++)
		if (m->answer[i].type == type && m->answer[i].data != NULL)
			v[n++] = m->answer[i].data;
	if (n > 0)
		s = str_join(v, n, ", ");
	free(v);
	return s;
}

/* Where dns.c's TCP exchange stopped, in the model's terms. */
static enum gores_tcp tcp_error_of(enum dns_tcp_end end)
{
	switch (end) {
	case DNS_TCP_END_CONNECT:
		return GORES_TCP_DIAL;
	case DNS_TCP_END_TIMEOUT:
		return GORES_TCP_READ_TIMEOUT;
	case DNS_TCP_END_BETWEEN:
		return GORES_TCP_EOF;
	case DNS_TCP_END_INSIDE:
		return GORES_TCP_CUT;
	case DNS_TCP_END_MALFORMED:
		return GORES_TCP_UNMARSHAL;
	case DNS_TCP_END_OTHER:
		return GORES_TCP_INVALID;
	default:
		return GORES_TCP_NONE;
	}
}

/* Asks a's question as Go does (over UDP, again over TCP with a timeout
 * of its own when the answer is truncated; over TCP only with use-vc) and
 * records what the server did as Go reads it: no answer at all within the
 * timeout, or a quick failure (an ICMP port unreachable, a refused TCP
 * connection, a malformed answer: Go moves on from all). */
static void ask_run(struct ask *a)
{
	struct dns_msg m;
	long long start = mono_ms(), exchange = start;
	enum dns_tcp_end end;
	int rc;

	rc = dns_query_over(a->sa, a->salen, a->fqdn, a->type, true, a->tcp ? DNS_TCP : DNS_UDP,
	    a->timeout_ms, &m, &end);
	if (rc == 0 && m.tc && !a->tcp) {
		dns_msg_clear(&m);
		a->fact.tcp_retry = true;
		exchange = mono_ms();
		rc = dns_query_over(a->sa, a->salen, a->fqdn, a->type, true, DNS_TCP,
		    a->timeout_ms, &m, &end);
	}
	a->fact.ms = mono_ms() - start;
	if (rc == -1) {
		a->fact.tcp_error = tcp_error_of(end);
		a->fact.reply = mono_ms() - exchange + 50 >= a->timeout_ms ? GORES_TIMEOUT :
		    GORES_REFUSED;
		err_clear();
		return;
	}
	if (m.rcode == DNS_NXDOMAIN)
		a->fact.reply = GORES_NOTFOUND;
	else if (m.rcode != DNS_NOERROR)
		a->fact.reply = GORES_SERVFAIL;
	else if ((a->addrs = answer_addrs(&m, a->type)) != NULL)
		a->fact.reply = GORES_ANSWER;
	else
		a->fact.reply = GORES_NOTFOUND;
	dns_msg_clear(&m);
}

static void *ask_thread(void *arg)
{
	ask_run(arg);
	err_clear();
	return NULL;
}

/* Asks A and AAAA at once, as Go does, but for a type known already. */
static void ask_both(struct ask a[GORES_NQTYPES], bool known_a, bool known_aaaa)
{
	pthread_t t;
	bool threaded;

	if (known_a || known_aaaa) {
		if (!known_a)
			ask_run(&a[GORES_A]);
		if (!known_aaaa)
			ask_run(&a[GORES_AAAA]);
		return;
	}
	threaded = pthread_create(&t, NULL, ask_thread, &a[GORES_AAAA]) == 0;
	ask_run(&a[GORES_A]);
	if (threaded)
		pthread_join(t, NULL);
	else
		ask_run(&a[GORES_AAAA]);
}

/* What the run gathers; freed by lookup_free(). */
struct lookup {
	struct gores_lookup l;
	struct gores_fact *facts;
	char **addrs;                    /* per fact, of an answer */
	struct resolv_candidate *names;
	struct dns_servers servers;
};

/* The fact of server s letting question type q of a name before n go
 * unanswered, or NULL: the model takes it to do so again (a dead server,
 * AAAA dropped), which keeps the asking to one timeout per server and
 * type. */
static const struct gores_fact *timed_out_before(const struct lookup *k, size_t n, size_t s,
    enum gores_qtype q)
{
	for (size_t i = 0; i < n; i++)
		if (k->facts[gores_fact_index(&k->l, i, s, q)].reply == GORES_TIMEOUT)
			return &k->facts[gores_fact_index(&k->l, i, s, q)];
	return NULL;
}

/* Asks name n of server s (both types), at most until deadline. False
 * when the deadline came before Go's timeout could be waited out. */
static bool ask_server(struct lookup *k, size_t n, size_t s, long long deadline)
{
	struct ask a[GORES_NQTYPES];
	long left = (long)(deadline - mono_ms());
	long tmo = left < k->l.timeout_ms ? left : k->l.timeout_ms;
	bool whole = tmo == k->l.timeout_ms, cut = false;

	if (tmo <= 0)
		return false;
	memset(a, 0, sizeof(a));
	for (int q = 0; q < GORES_NQTYPES; q++) {
		const struct gores_fact *before = timed_out_before(k, n, s, q);

		if (before != NULL) {
			/* taken as silent again: not asked, not waited for */
			a[q].fact.reply = GORES_TIMEOUT;
			a[q].fact.ms = k->l.timeout_ms;
			a[q].fact.tcp_error = before->tcp_error;
			continue;
		}
		a[q].sa = &k->servers.sa[s];
		a[q].salen = k->servers.len[s];
		a[q].fqdn = k->names[n].fqdn;
		a[q].type = q == GORES_A ? DNS_A : DNS_AAAA;
		a[q].tcp = k->l.tcp;
		a[q].timeout_ms = tmo;
	}
	ask_both(a, timed_out_before(k, n, s, GORES_A) != NULL,
	    timed_out_before(k, n, s, GORES_AAAA) != NULL);
	for (int q = 0; q < GORES_NQTYPES; q++) {
		size_t i = gores_fact_index(&k->l, n, s, q);

		k->facts[i] = a[q].fact;
		k->addrs[i] = a[q].addrs;
		/* a timeout shorter than Go's tells nothing */
		if (a[q].sa != NULL && a[q].fact.reply == GORES_TIMEOUT && !whole)
			cut = true;
	}
	return !cut;
}

/* Runs the model from rotation offset off, asking what it needs. False
 * when the deadline stopped the asking. */
static bool run_from(struct lookup *k, unsigned off, long long deadline, struct gores_result *res)
{
	k->l.offset = off;
	for (;;) {
		gores_run(&k->l, res);
		if (!res->need)
			return true;
		if (!ask_server(k, res->need_name, res->need_server, deadline))
			return false;
	}
}

/* "a, b" of what name n's questions answered, first server first. */
static char *found_addrs(const struct lookup *k, size_t n)
{
	const char *v[GORES_NQTYPES];
	size_t nv = 0;

	for (int q = 0; q < GORES_NQTYPES; q++) {
		for (size_t s = 0; s < k->l.nservers; s++) {
			size_t i = gores_fact_index(&k->l, n, s, q);

			if (k->facts[i].reply == GORES_ANSWER && k->addrs[i] != NULL) {
				v[nv++] = k->addrs[i];
				break;
			}
		}
	}
	return nv > 0 ? str_join(v, nv, ", ") : NULL;
}

static void lookup_free(struct lookup *k)
{
	size_t n = k->l.nnames * k->l.nservers * GORES_NQTYPES;

	for (size_t i = 0; i < n && k->addrs != NULL; i++)
		free(k->addrs[i]);
	free(k->addrs);
	free(k->facts);
	resolv_candidates_free(k->names, k->l.nnames);
}

void goprobe_run(const char *host, const struct resolv_conf *conf, long long limit_ms,
    long long deadline, struct goprobe *out)
{
	struct lookup k;
	struct gores_result res;
	size_t nfacts, cause_server;
	unsigned offsets, worst = 0;

	memset(out, 0, sizeof(*out));
	memset(&k, 0, sizeof(k));
	for (size_t i = 0; i < conf->nnameservers; i++)
		dns_servers_add(&k.servers, conf->nameservers[i]);
	for (size_t i = 0; k.servers.n == 0 && i < nitems(go_default_ns); i++)
		dns_servers_add(&k.servers, go_default_ns[i]);
	k.names = resolv_candidates(host, conf, &k.l.nnames);
	k.l.nservers = k.servers.n;
	k.l.as_given = k.l.nnames;
	for (size_t i = 0; i < k.l.nnames; i++)
		if (k.names[i].domain == NULL)
			k.l.as_given = i;
	k.l.timeout_ms = conf->go_timeout_s * 1000L;
	k.l.attempts = conf->go_attempts;
	k.l.rotate = conf->rotate && k.servers.n > 1;
	k.l.single_request = conf->single_request;
	k.l.tcp = conf->use_vc;
	k.l.limit_ms = limit_ms;
	nfacts = k.l.nnames * k.l.nservers * GORES_NQTYPES;
	k.facts = xcalloc(nfacts + 1, sizeof(*k.facts));
	k.addrs = xcalloc(nfacts + 1, sizeof(*k.addrs));
	k.l.facts = k.facts;
	/* with rotate the first server depends on the lookups before: the
	 * slowest start is reported */
	offsets = k.l.rotate ? (unsigned)k.servers.n : 1;
	for (unsigned off = 0; off < offsets; off++) {
		if (!run_from(&k, off, deadline, &res))
			goto out;
		if (off == 0 || (res.cut && !out->res.cut) || (!out->res.cut && res.ms > out->res.ms)) {
			out->res = res;
			worst = off;
		}
	}
	if (out->res.cut) {
		/* would Go answer at all, given the time? */
		k.l.limit_ms = 0;
		if (run_from(&k, worst, deadline, &res)) {
			out->late_answer = res.found;
			out->full_ms = res.ms;
		}
	}
	out->known = true;
	out->rotate = k.l.rotate;
	out->timeout_s = conf->go_timeout_s;
	out->nnames = out->res.found ? out->res.found_name + 1 : k.l.nnames;
	out->cause = gores_cause(&k.l, &cause_server);
	if (cause_server < k.servers.n)
		out->cause_server = xstrdup(k.servers.text[cause_server]);
	if (out->res.found)
		out->answer = found_addrs(&k, out->res.found_name);
	else if (!out->res.cut)
		out->error = gores_error_text(host, out->res.error_server < k.servers.n ?
		    k.servers.text[out->res.error_server] : NULL, out->res.error, k.l.tcp,
		    out->res.error_tcp);
out:
	lookup_free(&k);
}

void goprobe_clear(struct goprobe *g)
{
	free(g->cause_server);
	free(g->error);
	free(g->answer);
	memset(g, 0, sizeof(*g));
}
