/* solverpick.h - which of an ACME Issuer's solvers cert-manager picks for
 * one name of an Order, and why.
 *
 * The rules are those of cert-manager's orders controller, unchanged from
 * v1.0 to v1.21 (pkg/controller/acmeorders/util.go, later
 * pkg/util/solverpicker): a solver is usable when the authorization offers
 * its type (a wildcard is offered dns-01 only); a solver without a
 * selector matches every name but only the first such one counts; among
 * selectors that match (all of matchLabels against the Certificate's
 * labels, dnsNames, dnsZones), a dnsNames match beats none, then the zone
 * with more labels, then more matching labels; on a tie the earlier solver
 * stays.
 */
#ifndef ACMECTL_SOLVERPICK_H
#define ACMECTL_SOLVERPICK_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cmcert.h"

/* One entry of an Issuer's spec.acme.solvers. */
struct cm_solver {
	bool http01, dns01;          /* which block it has */
	bool has_selector;           /* a selector (even an empty one) is set */
	bool cname_follow;           /* dns01.cnameStrategy is Follow (default None) */
	struct cm_strings dns_names; /* selector.dnsNames */
	struct cm_strings dns_zones; /* selector.dnsZones */
	json_t *match_labels;        /* selector.matchLabels: an object, or NULL */
	char *label;                 /* "solvers[0] (http01, ingress class nginx)"; owned */
};

struct cm_solvers {
	struct cm_solver *v;
	size_t n;
};

/* Reads spec.acme.solvers of the first ClusterIssuer or Issuer in the
 * manifest at path into out (release with cm_solvers_clear()). 0, or -1
 * with ERR_USAGE naming path and the bad field. No solvers is not an
 * error: every name then has none. */
int cm_solvers_load(const char *path, struct cm_solvers *out);

/* The same from text, naming what in messages. */
int cm_solvers_parse(const char *text, size_t len, const char *what, struct cm_solvers *out);

void cm_solvers_clear(struct cm_solvers *s);

/* The pick for one name. */
struct cm_solver_pick {
	int index;          /* into the solvers; -1: none can be used */
	const char *type;   /* "HTTP-01" or "DNS-01"; NULL with index -1. Static */
	char *why;          /* one sentence; owned (cm_solver_pick_clear()) */
};

/* Picks the solver for name (written without "*." ; wildcard says it is
 * one) of an Order whose labels (an object, the Certificate's) are given.
 * Pure. Fills out. */
void cm_solver_pick(const struct cm_solver *solvers, size_t n, const char *name, bool wildcard,
    const json_t *labels, struct cm_solver_pick *out);

void cm_solver_pick_clear(struct cm_solver_pick *p);

/* The number of labels at the right of zone and name that are equal,
 * ignoring case, as miekg/dns CompareDomainName counts them ("." has
 * none); the zone matches when that is all of its labels. */
int cm_zone_labels_matching(const char *zone, const char *name, bool *whole_zone);

/* The Challenge status.reason-like error cert-manager records when no solver
 * can be used (Warning event Solver on the Order). Static. */
#define CM_NO_SOLVER_ERROR "no configured challenge solvers can be used for this challenge"

#endif
