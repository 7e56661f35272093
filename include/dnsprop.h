/* dnsprop.h - waiting for dns-01 records to be served by every
 * authoritative nameserver of their zone, so that the challenge is
 * answered as soon as the CA can see the record, and not before.
 *
 * For each record: its name's CNAME chain is followed (a delegated
 * _acme-challenge), the zone found from the SOA in the answer, the zone's
 * NS names looked up and resolved, all through the recursive resolvers;
 * then each authoritative address is asked for the TXT record directly,
 * without recursion, every half second until all serve the value.
 */
#ifndef ACMECTL_DNSPROP_H
#define ACMECTL_DNSPROP_H

#include <stddef.h>

/* A TXT record the hook was asked to add. Borrowed strings. */
struct dnsprop_record {
	const char *name;    /* "_acme-challenge.example.org", no trailing dot */
	const char *value;
};

/* Sets the recursive resolvers used to find zones and their nameservers:
 * a comma-separated list of "IP", "IP:PORT" or "[IPv6]:PORT" (copied), or
 * NULL for the nameservers of /etc/resolv.conf (127.0.0.1 when it has
 * none). main sets it once from --dns-resolver. 0, or -1 with ERR_USAGE
 * naming the entry that is no address. */
int dnsprop_set_resolvers(const char *list);

/* Waits until every record is served with its value by every
 * authoritative nameserver of its zone, at most bound_s seconds. Returns
 * 0 once they all are; -1 with ERR_NETWORK when bound_s ran out first,
 * naming a server and a record it did not yet serve, or, after waiting
 * the whole bound_s, why the nameservers could not be found or asked (the
 * caller warns and answers the challenges anyway: the CA decides). */
int dnsprop_wait(const struct dnsprop_record *recs, size_t n, long bound_s);

#endif
