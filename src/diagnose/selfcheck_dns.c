/* selfcheck_dns.c - cert-manager's DNS-01 propagation check (its
 * checkDNSPropagation, v1.2.0 on), run from here with dns.c: the CNAME
 * chain of _acme-challenge.NAME. through the recursive nameservers, the
 * zone by the SOA walk, its NS names, then a TXT question to each. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "err.h"
#include "probe.h"
#include "resolv.h"
#include "selfcheck.h"
#include "util.h"

#define QUERY_MS 5000       /* cert-manager allows 10 s a server; half is plenty here */
/* Go's %v of a []string: "[a b c]". Caller frees. */
static char *go_list(const struct dns_servers *s)
{
	const char *v[DNS_SERVERS_MAX];
	char *joined, *out;

	for (size_t i = 0; i < s->n; i++)
		v[i] = s->text[i];
	joined = str_join(v, s->n, " ");
	out = xasprintf("[%s]", joined);
	free(joined);
	return out;
}

/* The recursive nameservers: --dns01-recursive-nameservers, else
 * resolv.conf's, else Google's, as cert-manager falls back. */
static int recursive_servers(const char *list, struct dns_servers *s)
{
	if (list != NULL)
		return dns_servers_parse(list, "--dns01-recursive-nameservers", s);
	dns_servers_from_resolv("/etc/resolv.conf", "8.8.8.8:53,8.8.4.4:53", s);
	return 0;
}

/* cert-manager's DNSQuery: each server once, in order; the first that
 * answers at all wins (a SERVFAIL answer is an answer). 0, or -1 with the
 * last server's error recorded. */
static int ask(const struct dns_servers *s, const char *name, uint16_t type, struct dns_msg *m)
{
	for (size_t i = 0; i < s->n; i++)
		if (dns_query(&s->sa[i], s->len[i], name, type, true, QUERY_MS, m) == 0)
			return 0;
	return -1;
}

static const char *rcode_name(int rcode)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
	    "NOTIMP", "REFUSED" };

	return rcode >= 0 && rcode < 6 ? names[rcode] : "an unknown rcode";
}

static const struct dns_rr *rr_of(const struct dns_msg *m, uint16_t type, const char *owner)
{
	for (size_t i = 0; i < m->nanswer; i++)
		if (m->answer[i].type == type &&
		    (owner == NULL || strcasecmp(m->answer[i].name, owner) == 0))
			return &m->answer[i];
	return NULL;
}

/* cert-manager's followCNAMEs (v1.2.0 on) has no limit of its own; a
 * chain of distinct names this long only a hostile server makes, and
 * acmectl stops there, saying so in its own words. */
#define CNAME_HOPS 64

/* The end of fqdn's CNAME chain (no trailing dot), at most max_hops CNAMEs
 * down; a target met before is cert-manager's loop error (only a chain of
 * more than one hop can meet one). NULL with *error set. */
static char *follow_cnames(const struct dns_servers *rec, const char *fqdn, int max_hops,
    struct selfcheck_result *r, char **error)
{
	char *cur = xstrdup(fqdn), *seen[CNAME_HOPS];
	int nseen = 0;
	const struct dns_rr *rr;
	struct dns_msg m;

	for (;;) {
		if (ask(rec, cur, DNS_CNAME, &m) != 0) {
			*error = err_take_message();
			break;
		}
		rr = m.rcode == DNS_NOERROR && nseen < max_hops ? rr_of(&m, DNS_CNAME, cur) : NULL;
		if (rr == NULL) {
			dns_msg_clear(&m);
			for (int i = 0; i < nseen; i++)
				free(seen[i]);
			return cur;
		}
		selfcheck_step_add(r, true, "CNAME", "%s. -> %s.", cur, rr->data);
		for (int i = 0; i < nseen && *error == NULL; i++)
			if (strcasecmp(seen[i], rr->data) == 0)
				*error = xasprintf("Found recursive CNAME record to \"%s.\" when "
				    "looking up \"%s.\"", rr->data, cur);
		if (*error == NULL && nseen == CNAME_HOPS - 1)
			*error = xasprintf("acmectl follows at most %d CNAMEs and the chain from "
			    "\"%s.\" is longer (cert-manager would keep following it)", CNAME_HOPS,
			    fqdn);
		seen[nseen++] = cur;
		cur = xstrdup(rr->data);
		dns_msg_clear(&m);
		if (*error != NULL)
			break;
	}
	for (int i = 0; i < nseen; i++)
		free(seen[i]);
	free(cur);
	return NULL;
}

/* A failure to follow the chain: cert-manager's loop error, acmectl's
 * own limit, or the recursive nameservers not answering. */
static void fail_follow(struct selfcheck_result *r, char *error, const char *prefix)
{
	bool loop = strncmp(error, "Found recursive", 15) == 0;
	bool too_long = strncmp(error, "acmectl follows", 15) == 0;

	r->verdict = loop ? "cname_loop" : too_long ? "cname_chain_too_long" : "dns_query_failed";
	r->error = error;
	r->reason = too_long ? NULL : xasprintf("%s%s", prefix, error);
	r->advice = xstrdup(loop ? "The CNAME records point at each other: break the loop." :
	    too_long ? "cert-manager would never get to the end of this chain: shorten it." :
	    "The recursive nameservers do not answer: check --dns01-recursive-nameservers "
	    "or resolv.conf.");
}

int selfcheck_dns01_record(const char *dns_name, bool follow, const struct selfcheck_opts *opts,
    char **fqdn, struct selfcheck_result *out)
{
	static const struct cm_version v1_2 = { 1, 2, 0 };
	struct dns_servers rec = { 0 };
	char *name = xasprintf("_acme-challenge.%s", dns_name), *error = NULL;

	*fqdn = NULL;
	if (!follow) {
		*fqdn = name;
		return 0;
	}
	if (recursive_servers(opts->recursive, &rec) != 0) {
		free(name);
		return -1;
	}
	*fqdn = follow_cnames(&rec, name, cm_version_cmp(&opts->version, &v1_2) < 0 ? 1 :
	    CNAME_HOPS, out, &error);
	if (*fqdn == NULL)
		fail_follow(out, error, "");
	free(name);
	return 0;
}

/* cert-manager's FindZoneByFqdn: up one label at a time until an SOA in
 * the answer section names the zone. NULL with *error in its words. */
static char *find_zone(const struct dns_servers *rec, const char *name, char **error)
{
	char *list = go_list(rec), *zone = NULL;
	const struct dns_rr *soa;
	struct dns_msg m;

	for (const char *n = name; n != NULL && zone == NULL && *error == NULL;
	    n = strchr(n, '.') ? strchr(n, '.') + 1 : NULL) {
		if (ask(rec, n, DNS_SOA, &m) != 0) {
			*error = err_take_message();
			break;
		}
		if (m.rcode != DNS_NOERROR && m.rcode != DNS_NXDOMAIN)
			*error = xasprintf("When querying the SOA record for the domain '%s.' using "
			    "nameservers %s, rcode was expected to be 'NOERROR' or 'NXDOMAIN', but "
			    "got '%s'", n, list, rcode_name(m.rcode));
		else if (m.rcode == DNS_NOERROR && rr_of(&m, DNS_CNAME, NULL) == NULL &&
		    (soa = rr_of(&m, DNS_SOA, NULL)) != NULL)
			zone = xstrdup(soa->name);
		dns_msg_clear(&m);
	}
	if (zone == NULL && *error == NULL)
		*error = xasprintf("Could not find the SOA record in the DNS tree for the domain "
		    "'%s.' using nameservers %s", name, list);
	free(list);
	return zone;
}

/* The zone's authoritative nameservers, their names resolved by the
 * system resolver as cert-manager's process does. */
static int authoritative(const struct dns_servers *rec, const char *zone, struct dns_servers *auth,
    struct selfcheck_result *r)
{
	struct dns_msg m;

	if (ask(rec, zone, DNS_NS, &m) != 0) {
		err_clear();
		return -1;
	}
	for (size_t i = 0; i < m.nanswer; i++) {
		struct probe_lookup lk;

		if (m.answer[i].type != DNS_NS)
			continue;
		probe_lookup_run(m.answer[i].data, 53, mono_ms() + QUERY_MS, &lk);
		selfcheck_step_add(r, lk.status == PROBE_FOUND, "NS", "%s. -> %s",
		    m.answer[i].data, lk.status == PROBE_FOUND ? lk.addrs[0].text : lk.error);
		if (lk.status == PROBE_FOUND)
			(void)dns_servers_add(auth, lk.addrs[0].text);
		probe_lookup_clear(&lk);
	}
	dns_msg_clear(&m);
	return auth->n > 0 ? 0 : -1;
}

/* Asks each server for name's TXT records. Returns how many serve value;
 * *error holds the first server error in cert-manager's words. */
static size_t count_serving(const struct dns_servers *s, const char *name, const char *value,
    struct selfcheck_result *r, char **error, bool *other_value)
{
	size_t serving = 0;

	for (size_t i = 0; i < s->n; i++) {
		struct dns_msg m;
		char *what = xasprintf("TXT %s. at %s", name, s->text[i]);
		bool found = false, any = false;

		if (dns_query(&s->sa[i], s->len[i], name, DNS_TXT, true, QUERY_MS, &m) != 0) {
			selfcheck_step_add(r, false, what, "%s", err_message());
			if (*error == NULL)
				*error = xstrdup(err_message());
			err_clear();
			free(what);
			continue;
		}
		if (m.rcode != DNS_NOERROR && m.rcode != DNS_NXDOMAIN && *error == NULL)
			*error = xasprintf("NS %s returned %s for %s.", s->text[i],
			    rcode_name(m.rcode), name);
		for (size_t j = 0; j < m.nanswer; j++)
			if (m.answer[j].type == DNS_TXT) {
				any = true;
				found = found || strcmp(m.answer[j].data, value) == 0;
			}
		*other_value = *other_value || (any && !found);
		selfcheck_step_add(r, found, what, "%s%s", rcode_name(m.rcode),
		    found ? ", the value is there" : any ? ", other values only" : ", no TXT record");
		serving += found;
		dns_msg_clear(&m);
		free(what);
	}
	return serving;
}

static void fail_dns(struct selfcheck_result *r, const char *verdict, char *error,
    const char *advice)
{
	r->verdict = verdict;
	r->error = error;
	r->reason = xasprintf("Waiting for DNS-01 challenge propagation: %s", error);
	r->advice = advice != NULL ? xstrdup(advice) : NULL;
}

int selfcheck_dns01(const struct cm_challenge *ch, const struct selfcheck_opts *opts,
    struct selfcheck_result *out)
{
	struct dns_servers rec = { 0 }, auth = { 0 };
	char *fqdn = NULL, *name = NULL, *zone = NULL, *error = NULL;
	bool other_value = false;
	size_t serving;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (strcmp(ch->type, "DNS-01") != 0) {
		err_set(ERR_USAGE, "the Challenge is %s, not DNS-01", ch->type);
		return -1;
	}
	if (recursive_servers(opts->recursive, &rec) != 0)
		return -1;
	/* cert-manager presents before it checks: Present's own look-up
	 * failing is the Challenge's reason */
	if (ch->cname_follow) {
		if (selfcheck_dns01_record(ch->dns_name, true, opts, &name, out) != 0)
			return -1;
		if (name == NULL)
			return 0;
		free(name);
		name = NULL;
	}
	fqdn = xasprintf("_acme-challenge.%s", ch->dns_name);
	if ((name = follow_cnames(&rec, fqdn, CNAME_HOPS, out, &error)) == NULL) {
		fail_follow(out, error, "Waiting for DNS-01 challenge propagation: ");
		rc = 0;
		goto out;
	}
	if (opts->recursive_only) {
		for (size_t i = 0; i < rec.n; i++)
			(void)dns_servers_add(&auth, rec.text[i]);
	} else if ((zone = find_zone(&rec, name, &error)) == NULL) {
		char *e = xasprintf("Could not determine the zone for \"%s.\": %s", name, error);

		free(error);
		fail_dns(out, "soa_walk_failed", e, "No SOA record was found above the record's "
		    "name: the zone is not delegated, or the recursive nameservers cannot see it.");
		rc = 0;
		goto out;
	} else {
		selfcheck_step_add(out, true, "zone", "%s.", zone);
		if (authoritative(&rec, zone, &auth, out) != 0) {
			fail_dns(out, "no_authoritative_servers", xasprintf("Could not determine "
			    "authoritative nameservers for \"%s.\"", name), "The zone's NS records "
			    "cannot be found or their names resolved from here.");
			rc = 0;
			goto out;
		}
	}
	serving = count_serving(&auth, name, ch->key, out, &error, &other_value);
	if (error != NULL && serving < auth.n && strncmp(error, "NS ", 3) == 0)
		fail_dns(out, "dns_server_error", error, "A nameserver answers with an error code: "
		    "fix that server, or point cert-manager at others.");
	else if (serving < auth.n) {
		free(error);
		fail_dns(out, serving > 0 ? "dns_record_partial" : other_value ? "dns_wrong_value" :
		    strcasecmp(name, fqdn) != 0 ? "dns_cname_target_missing" : "dns_record_missing",
		    xasprintf("DNS record for \"%s\" not yet propagated", ch->dns_name),
		    serving > 0 ? "Some authoritative nameservers serve the record and others do not "
		    "yet: wait for the zone to reach all of them, or fix the one that lags." :
		    other_value ? "The nameservers serve another value: an old record left behind, "
		    "or the solver wrote another challenge's key." :
		    strcasecmp(name, fqdn) != 0 ? "The record's name is a CNAME: cert-manager looks "
		    "for the value at its target, so the solver must write it there "
		    "(cnameStrategy: Follow)." : opts->recursive_only ? "The recursive "
		    "nameservers do not serve the record yet: they may hold a cached negative "
		    "answer until its TTL ends." : "The record is not there: the solver did not "
		    "write it, or wrote it in another zone.");
	} else {
		free(error);
		out->verdict = "ok";
	}
	rc = 0;
out:
	free(fqdn);
	free(name);
	free(zone);
	return rc;
}
