/* selfcheck.h - cert-manager's self check of a Challenge, run from here.
 *
 * Before it answers a challenge, cert-manager's challenges controller
 * checks that the CA will find what it presented: for HTTP-01 it GETs
 * http://NAME/.well-known/acme-challenge/TOKEN five times, 2 s apart, with
 * Go's client (proxy from the environment, redirects followed, TLS not
 * verified, 10 s per request from v1.6.0) and compares the body byte for
 * byte with the key; for DNS-01 it asks every authoritative nameserver of
 * the zone for the TXT record. Until the check passes, the Challenge's
 * status.reason says why, in words this module reproduces per release.
 *
 * The check itself is network I/O, each request bounded; the reasons and
 * verdicts are built from the steps' outcomes.
 */
#ifndef ACMECTL_SELFCHECK_H
#define ACMECTL_SELFCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "certmanager.h"
#include "proxy.h"

/* A Challenge as `kubectl get challenge NAME -o yaml` prints it. */
struct cm_challenge {
	char *name;          /* metadata.name, or NULL */
	char *type;          /* spec.type: "HTTP-01" or "DNS-01" */
	char *dns_name;      /* spec.dnsName (no "*." even for a wildcard) */
	bool wildcard;       /* spec.wildcard */
	char *token;         /* spec.token */
	char *key;           /* spec.key: the key authorization (HTTP-01) or TXT value (DNS-01) */
	bool cname_follow;   /* spec.solver.dns01.cnameStrategy is Follow */
	char *state;         /* status.state, or NULL */
	char *reason;        /* status.reason, or NULL */
};

/* Finds the first Challenge among the YAML or JSON documents of text (the
 * items of a List count) and reads the fields above. Returns a new record
 * (cm_challenge_free()) or NULL with ERR_USAGE naming what: a syntax
 * error, no Challenge, a field missing or of the wrong type, a type other
 * than HTTP-01 and DNS-01, a dnsName, token or key with characters no
 * real one has. */
struct cm_challenge *cm_challenge_parse(const char *text, size_t len, const char *what);

/* Reads path and calls cm_challenge_parse(). NULL with ERR_USAGE. */
struct cm_challenge *cm_challenge_load(const char *path);

void cm_challenge_free(struct cm_challenge *ch);

struct selfcheck_opts {
	struct cm_version version;          /* the release modelled */
	const struct proxy_settings *proxy; /* the controller's environment (borrowed) */
	const char *nameserver;             /* the resolver named in Go's lookup
					     * errors ("10.96.0.10:53"), or NULL */
	const char *recursive;              /* --dns01-recursive-nameservers: "IP:PORT,...",
					     * or NULL for resolv.conf's */
	bool recursive_only;                /* --dns01-recursive-nameservers-only */
	int passes;                         /* HTTP-01 passes (cert-manager: 5) */
	long pause_ms;                      /* between passes (cert-manager: 2000) */
};

/* One step of the check, as the report shows it. */
struct selfcheck_step {
	char *what;          /* "GET http://a.example/.well-known/...", "TXT at 10.0.0.1:53" */
	char *outcome;       /* "200, 87 bytes", "connection refused", ... */
	bool ok;
};

struct selfcheck_result {
	const char *verdict; /* static id (doc/diagnose.md): "ok", "wrong_status", ... */
	char *error;         /* the check's error as cert-manager words it, NULL when it passes */
	char *reason;        /* the Challenge status.reason it leads to, NULL when it passes */
	char *advice;        /* one or two sentences: the likely cause and the fix */
	struct selfcheck_step *steps;
	size_t nsteps;
	int passes;          /* HTTP-01 passes that succeeded */
};

/* Runs the HTTP-01 self check of ch as opts' release does and fills out
 * (release with selfcheck_result_clear()). The check failing is a result,
 * not an error: returns 0, or -1 with err only when the check cannot be
 * run at all (ch not HTTP-01). */
int selfcheck_http01(const struct cm_challenge *ch, const struct selfcheck_opts *opts,
    struct selfcheck_result *out);

/* Runs the DNS-01 propagation check of ch: with cname_follow first where
 * Present writes (selfcheck_dns01_record(): a loop ends the check with
 * Present's error), then the CNAME chain of _acme-challenge.NAME., the zone by cert-manager's SOA walk, its
 * authoritative nameservers (or the recursive ones in recursive_only
 * mode), each asked for the TXT record. Returns 0 with out filled, or -1
 * with err (ch not DNS-01, a bad --dns01-recursive-nameservers entry). */
int selfcheck_dns01(const struct cm_challenge *ch, const struct selfcheck_opts *opts,
    struct selfcheck_result *out);

/* Where cert-manager's DNS-01 Present writes the record of dns_name (its
 * DNS01LookupFQDN): _acme-challenge.DNS_NAME, or with follow
 * (cnameStrategy: Follow) the end of that name's CNAME chain through the
 * recursive nameservers, one hop up to v1.1.x, the whole chain from
 * v1.2.0. 0 with *fqdn (no trailing dot; caller frees) and each CNAME a
 * step of out; 0 with *fqdn NULL and out's verdict, error, reason (the
 * Challenge's status.reason: Present's error as is, no prefix) and advice
 * when cert-manager stops there (a loop) or the servers do not answer; -1
 * with err for a bad --dns01-recursive-nameservers. */
int selfcheck_dns01_record(const char *dns_name, bool follow, const struct selfcheck_opts *opts,
    char **fqdn, struct selfcheck_result *out);

/* Adds one step to r (strings copied). */
void selfcheck_step_add(struct selfcheck_result *r, bool ok, const char *what,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* r as the JSON object of diagnose --json's "challenges" array: name,
 * type, solver (NULL here), verdict, reason, error, advice, steps. */
json_t *selfcheck_json(const struct cm_challenge *ch, const struct selfcheck_result *r);

void selfcheck_result_clear(struct selfcheck_result *r);

#endif
