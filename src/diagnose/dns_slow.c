/* dns_slow.c - Go's resolver in words: why cert-manager's lookup waits,
 * and what removes the wait (the facts come from goprobe.c). Pure.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "diagnose_int.h"
#include "util.h"

/* "4 names (the search domains first, ndots:5)" or "". Caller frees. */
static char *names_note(const struct diag_facts *f)
{
	if (f->dns_go_names <= 1)
		return xstrdup("");
	return xasprintf(" over %d names (the search domains first: fewer dots than "
	    "ndots:%d)", f->dns_go_names, f->ndots);
}

char *diag_dns_slow_why(const struct diag_facts *f)
{
	const char *name = f->dns_name != NULL ? f->dns_name : f->host;
	const char *ns = f->dns_slow_server != NULL ? f->dns_slow_server : "?";
	char *cause, *names = names_note(f), *per = diag_duration(f->dns_go_timeout_s * 1000LL);
	char *took = diag_duration(f->dns_go_ms), *bound = diag_duration(f->dns_go_limit_ms), *s;

	switch (f->dns_slow_cause) {
	case DDNS_CAUSE_DEAD_SERVER:
		cause = xasprintf("the nameserver %s does not answer", ns);
		break;
	case DDNS_CAUSE_AAAA_DROPPED:
		cause = xasprintf("AAAA queries to %s get no answer while A queries do (they "
		    "are dropped on the way or by the server); Go asks both and waits for both",
		    ns);
		break;
	default:
		cause = xstrdup("queries to the nameservers go unanswered");
		break;
	}
	s = xasprintf("%s: Go waits %s per query (timeout:%d), and %d %s it out%s (A and "
	    "AAAA side by side)%s -> cert-manager's lookup of %s takes %s of the %s it has%s",
	    cause, per, f->dns_go_timeout_s, f->dns_go_waits,
	    f->dns_go_waits == 1 ? "query waits" : "queries wait", names,
	    f->dns_go_rotate ? " (rotate: the slowest first server)" : "", name, took, bound,
	    f->dns == DDNS_OK ? "" : f->sync_cut ? ": the sync deadline ends it (context "
	    "deadline exceeded)" : ": the dialer's 30 s end it (i/o timeout)");
	free(cause);
	free(names);
	free(per);
	free(took);
	free(bound);
	return s;
}

size_t diag_dns_slow_fixes(const struct diag_facts *f, char *out[DIAG_DNS_FIXES_MAX])
{
	const char *name = f->dns_name != NULL ? f->dns_name : f->host;
	const char *ns = f->dns_slow_server != NULL ? f->dns_slow_server : "?";
	size_t n = 0;

	if (f->dns_slow_cause == DDNS_CAUSE_DEAD_SERVER)
		out[n++] = xasprintf("remove or repair the nameserver %s in the resolv.conf "
		    "cert-manager uses (a pod's: dnsConfig.nameservers, or the node's with "
		    "dnsPolicy Default): Go asks the nameservers in order and waits out a dead "
		    "one for every query", ns);
	else if (f->dns_slow_cause == DDNS_CAUSE_AAAA_DROPPED)
		out[n++] = xasprintf("let AAAA queries through to %s, or have it answer them "
		    "(an empty answer is fine): Go's resolver always asks AAAA with A, and "
		    "options single-request only makes it ask them one after the other", ns);
	else
		out[n++] = xasprintf("make the nameservers answer: check DNS egress (UDP and TCP "
		    "port 53) and the upstream of the cluster DNS");
	if (f->dns_go_names > 1)
		out[n++] = xasprintf("lower ndots for cert-manager (its Deployment's "
		    "spec.template.spec.dnsConfig.options: name ndots, value \"1\") so %s is "
		    "asked as written first and the search names' waits go; %s", name,
		    DIAG_TRAILING_DOT_CAVEAT);
	if (f->dns_go_timeout_s > 1 || f->dns_go_attempts > 1)
		out[n++] = xasprintf("or shorten the wait itself: dnsConfig options timeout:1 "
		    "attempts:1 (now timeout:%d attempts:%d)", f->dns_go_timeout_s,
		    f->dns_go_attempts);
	return n;
}
