/* dnsprop.c - waiting for dns-01 records to reach every authoritative
 * nameserver of their zone (see dnsprop.h). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dns.h"
#include "dnsprop.h"
#include "err.h"
#include "log.h"
#include "resolv.h"
#include "util.h"

#define QUERY_TIMEOUT_MS 2000
#define POLL_INTERVAL_MS 500
#define MAX_CNAME_HOPS 8
#define MAX_SERVERS 16       /* addresses of a zone's nameservers asked */

struct server {
	struct sockaddr_storage sa;
	socklen_t len;
};

/* the recursive resolvers: set by dnsprop_set_resolvers, else read from
 * resolv.conf when first needed */
static struct dns_servers resolvers;

/* One record being watched: where it really lives and who serves it. */
struct watch {
	const struct dnsprop_record *rec;
	char *name;                       /* rec->name after its CNAMEs */
	struct server servers[MAX_SERVERS];
	bool seen[MAX_SERVERS];
	size_t nservers;
};

int dnsprop_set_resolvers(const char *list)
{
	memset(&resolvers, 0, sizeof(resolvers));
	if (list == NULL)
		return 0;
	return dns_servers_parse(list, "--dns-resolver", &resolvers);
}

/* Milliseconds one query may take: QUERY_TIMEOUT_MS, or what is left. */
static long query_ms(long long deadline)
{
	long long left = deadline - mono_ms();

	return left < 1 ? 1 : left < QUERY_TIMEOUT_MS ? (long)left : QUERY_TIMEOUT_MS;
}

/* Asks the recursive resolvers in turn until one answers. 0 with the
 * answer in m, or -1 with the last one's error. */
static int ask_recursive(const char *name, uint16_t type, long long deadline,
    struct dns_msg *m)
{
	/* the C library's default when resolv.conf names no server */
	if (resolvers.n == 0)
		dns_servers_from_resolv("/etc/resolv.conf", "127.0.0.1", &resolvers);
	for (size_t i = 0; i < resolvers.n; i++) {
		if (dns_query(&resolvers.sa[i], resolvers.len[i], name, type, true,
		    query_ms(deadline), m) == 0)
			return 0;
		if (mono_ms() >= deadline)
			break;
	}
	return -1;
}

/* The rr of type owned by name in rrs, or NULL. */
static const struct dns_rr *find_rr(const struct dns_rr *rrs, size_t n, uint16_t type,
    const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (rrs[i].type == type && strcasecmp(rrs[i].name, name) == 0)
			return &rrs[i];
	return NULL;
}

/* Where name's record really lives: the end of its CNAME chain (asking
 * for CNAME records, so no resolver caches the TXT record's absence).
 * Caller frees; NULL with err. */
static char *follow_cnames(const char *name, long long deadline)
{
	char *cur = xstrdup(name);
	const struct dns_rr *rr;
	struct dns_msg m;

	for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
		if (ask_recursive(cur, DNS_CNAME, deadline, &m) != 0) {
			free(cur);
			return NULL;
		}
		rr = find_rr(m.answer, m.nanswer, DNS_CNAME, cur);
		if (rr == NULL) {
			dns_msg_clear(&m);
			return cur;
		}
		free(cur);
		cur = xstrdup(rr->data);
		dns_msg_clear(&m);
	}
	err_set(ERR_NETWORK, "%s: more than %d CNAMEs in a row", name, MAX_CNAME_HOPS);
	free(cur);
	return NULL;
}

/* True when zone is name or one of its parents. */
static bool in_zone(const char *name, const char *zone)
{
	size_t n = strlen(name), z = strlen(zone);

	return z == 0 || (n >= z && strcasecmp(name + n - z, zone) == 0 &&
	    (n == z || name[n - z - 1] == '.'));
}

/* The zone name belongs to: the owner of the SOA in the answer for name
 * or one of its parents, or of the SOA in the authority section of a
 * negative answer. Caller frees; NULL with err. */
static char *find_zone(const char *name, long long deadline)
{
	const struct dns_rr *soa;
	struct dns_msg m;
	char *zone = NULL;

	for (const char *n = name; n != NULL && zone == NULL;) {
		if (ask_recursive(n, DNS_SOA, deadline, &m) != 0)
			return NULL;
		if ((soa = find_rr(m.answer, m.nanswer, DNS_SOA, n)) != NULL)
			zone = xstrdup(soa->name);
		for (size_t i = 0; zone == NULL && i < m.nauthority; i++)
			if (m.authority[i].type == DNS_SOA && in_zone(n, m.authority[i].name))
				zone = xstrdup(m.authority[i].name);
		dns_msg_clear(&m);
		n = strchr(n, '.') != NULL ? strchr(n, '.') + 1 : NULL;
	}
	if (zone == NULL)
		err_set(ERR_NETWORK, "no SOA record found for %s or a parent of it", name);
	return zone;
}

/* Adds the addresses of nameserver ns (A, then AAAA) to w, port 53. */
static void add_addresses(struct watch *w, const char *ns, long long deadline)
{
	static const uint16_t types[] = { DNS_A, DNS_AAAA };
	struct dns_msg m;

	for (size_t t = 0; t < 2; t++) {
		if (ask_recursive(ns, types[t], deadline, &m) != 0) {
			err_clear();
			continue;
		}
		for (size_t i = 0; i < m.nanswer && w->nservers < MAX_SERVERS; i++) {
			struct server *s = &w->servers[w->nservers];

			if (m.answer[i].type == types[t] &&
			    dns_server_parse(m.answer[i].data, &s->sa, &s->len) == 0)
				w->nservers++;
			err_clear();
		}
		dns_msg_clear(&m);
	}
}

/* Fills w for rec: the name after CNAMEs, its zone's nameservers'
 * addresses. 0, or -1 with err. */
static int watch_init(struct watch *w, const struct dnsprop_record *rec, long long deadline)
{
	struct dns_msg m;
	char *zone;

	memset(w, 0, sizeof(*w));
	w->rec = rec;
	if ((w->name = follow_cnames(rec->name, deadline)) == NULL)
		return -1;
	if ((zone = find_zone(w->name, deadline)) == NULL)
		return -1;
	if (ask_recursive(zone, DNS_NS, deadline, &m) != 0) {
		free(zone);
		return -1;
	}
	for (size_t i = 0; i < m.nanswer; i++)
		if (m.answer[i].type == DNS_NS && strcasecmp(m.answer[i].name, zone) == 0)
			add_addresses(w, m.answer[i].data, deadline);
	dns_msg_clear(&m);
	if (w->nservers == 0) {
		err_set(ERR_NETWORK, "no address found for the nameservers of zone %s", zone);
		free(zone);
		return -1;
	}
	if (strcmp(w->name, rec->name) != 0)
		logmsg(LOG_VERBOSE, "dns-01: %s (CNAME to %s) is in zone %s, served at %zu "
		    "address%s", rec->name, w->name, zone, w->nservers, w->nservers == 1 ? "" : "es");
	else
		logmsg(LOG_VERBOSE, "dns-01: %s is in zone %s, served at %zu address%s",
		    rec->name, zone, w->nservers, w->nservers == 1 ? "" : "es");
	free(zone);
	return 0;
}

/* True when server s serves w's record with its value now. */
static bool served(const struct watch *w, const struct server *s, long long deadline)
{
	struct dns_msg m;
	bool found = false;

	if (dns_query(&s->sa, s->len, w->name, DNS_TXT, false, query_ms(deadline), &m) != 0) {
		err_clear();
		return false;
	}
	for (size_t i = 0; i < m.nanswer && !found; i++)
		found = m.answer[i].type == DNS_TXT && strcasecmp(m.answer[i].name, w->name) == 0 &&
		    strcmp(m.answer[i].data, w->rec->value) == 0;
	dns_msg_clear(&m);
	return found;
}

/* One round over every server not yet serving its record. True when none
 * is left; else *late names one that is not. */
static bool round_done(struct watch *w, size_t n, long long deadline,
    const struct watch **late, size_t *late_server)
{
	bool done = true;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < w[i].nservers; j++) {
			if (w[i].seen[j] || (w[i].seen[j] = served(&w[i], &w[i].servers[j], deadline)))
				continue;
			done = false;
			*late = &w[i];
			*late_server = j;
		}
	return done;
}

static void nap_until(long long deadline, long most_ms)
{
	long long left = deadline - mono_ms();
	struct timespec ts;

	if (left <= 0)
		return;
	if (left > most_ms)
		left = most_ms;
	ts.tv_sec = (time_t)(left / 1000);
	ts.tv_nsec = (long)(left % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int dnsprop_wait(const struct dnsprop_record *recs, size_t n, long bound_s)
{
	long long start = mono_ms(), deadline = start + bound_s * 1000LL;
	struct watch *w = xcalloc(n + 1, sizeof(*w));
	const struct watch *late = NULL;
	size_t late_server = 0, ready = 0;
	char where[64];
	int rc = -1;

	for (; ready < n; ready++)
		if (watch_init(&w[ready], &recs[ready], deadline) != 0)
			break;
	if (ready < n) {
		/* without the nameservers, the old way: the whole wait */
		err_prefix("cannot tell whether the dns-01 records are served yet");
		logmsg(LOG_VERBOSE, "dns-01: %s; waiting the whole %ld s", err_message(), bound_s);
		nap_until(deadline, deadline - mono_ms());
		goto out;
	}
	for (;;) {
		if (round_done(w, n, deadline, &late, &late_server)) {
			logmsg(LOG_VERBOSE, "dns-01: every authoritative nameserver serves the "
			    "records, after %lld ms", mono_ms() - start);
			rc = 0;
			goto out;
		}
		if (mono_ms() >= deadline)
			break;
		nap_until(deadline, POLL_INTERVAL_MS);
	}
	err_set(ERR_NETWORK, "after %ld s, the nameserver at %s does not serve %s TXT \"%s\" yet",
	    bound_s, dns_server_text(&late->servers[late_server].sa, where), late->name,
	    late->rec->value);
out:
	for (size_t i = 0; i <= ready && i < n; i++)
		free(w[i].name);
	free(w);
	return rc;
}
