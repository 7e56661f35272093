/* resolv.h - resolv.conf and the order in which a stub resolver tries names.
 *
 * The parser and the candidate list are pure; resolv_load() is a thin wrapper
 * that reads a file. They follow glibc's res_init/res_search, which Go's
 * resolver (the one cert-manager uses) matches for everything modelled here:
 * the last "search" or "domain" line wins, "options ndots:N" decides whether a
 * name is tried as given before or after the search domains, and a trailing
 * dot means "only this absolute name".
 *
 * Resolving is left to the caller: resolv_first_answer() walks the candidates
 * with a lookup callback, so diagnose can find which search domain answered.
 */
#ifndef ACMECTL_RESOLV_H
#define ACMECTL_RESOLV_H

#include <stdbool.h>
#include <stddef.h>

#define RESOLV_MAXNS 3         /* nameserver lines beyond the third are ignored */
#define RESOLV_MAXNDOTS 15
#define RESOLV_MAXTIMEOUT 30
#define RESOLV_MAXATTEMPTS 5

struct resolv_conf {
	char *nameservers[RESOLV_MAXNS]; /* addresses as written, e.g. "10.96.0.10" */
	size_t nnameservers;             /* 0: resolvers fall back to the local host */
	char **search;                   /* search domains without trailing dot */
	size_t nsearch;
	int ndots;                       /* default 1, 0..15 */
	int timeout_s;                   /* default 5, 1..30 */
	int attempts;                    /* default 2, 1..5 */
	/* Go's reading of the options (cert-manager's resolver): timeout and
	 * attempts without glibc's upper bounds, and the flags it honours */
	int go_timeout_s;                /* default 5, 1..RESOLV_GO_BIG */
	int go_attempts;                 /* default 2, 1..RESOLV_GO_BIG */
	bool rotate;                     /* "rotate": each lookup starts one server later */
	bool single_request;             /* "single-request[-reopen]": A, then AAAA */
	bool use_vc;                     /* "use-vc", "usevc", "tcp": queries over TCP */
};

/* Where Go's option reader stops counting. */
#define RESOLV_GO_BIG 0xFFFFFF

/* Parses resolv.conf text into conf (zeroed first, defaults applied).
 * Recognised: nameserver (IPv4/IPv6 literals, at most RESOLV_MAXNS), search
 * and domain (the last such line replaces earlier ones; "domain D" means
 * "search D"), options ndots:N timeout:N attempts:N (out-of-range values are
 * clamped, unknown options ignored; go_timeout_s and go_attempts keep Go's
 * wider bounds) and rotate, single-request, single-request-reopen, use-vc,
 * usevc, tcp. Lines starting with '#', ';' or a blank
 * (glibc matches keywords at the start of a line only; Go's resolver would
 * read an indented line), unknown keywords and malformed lines are ignored,
 * as the C library does, so this never fails. With no search or domain
 * line the C library and Go derive a domain from the host name; this parser
 * does not, the caller may. Release with resolv_conf_free(). */
void resolv_parse(const char *text, struct resolv_conf *conf);

/* Reads path and parses it. Returns 0, or -1 with ERR_USAGE naming the file
 * when it cannot be read (conf is then zeroed with defaults applied). */
int resolv_load(const char *path, struct resolv_conf *conf);

/* Frees what conf owns and zeroes it. */
void resolv_conf_free(struct resolv_conf *conf);

/* One name the resolver would query. */
struct resolv_candidate {
	char *fqdn;   /* absolute, with the trailing dot: "acme.example.corp." */
	char *domain; /* the search domain appended, or NULL for the name as given */
};

/* The names a lookup of name tries, in order: with a trailing dot only the
 * name itself; with at least ndots dots the name first, then name.DOMAIN for
 * each search domain; with fewer dots the search domains first and the name
 * last. Candidates longer than 254 characters are skipped. Returns a new
 * array of *n entries (possibly 0; never NULL); release it with
 * resolv_candidates_free(). */
struct resolv_candidate *resolv_candidates(const char *name,
    const struct resolv_conf *conf, size_t *n);

/* Frees an array from resolv_candidates(). NULL is fine. */
void resolv_candidates_free(struct resolv_candidate *c, size_t n);

/* What one query returned. */
enum resolv_answer {
	RESOLV_FOUND,     /* at least one address */
	RESOLV_NOTFOUND,  /* NXDOMAIN, or the name exists without addresses */
	RESOLV_TEMPFAIL,  /* timeout, SERVFAIL, refused: the resolver moves on */
};

/* Looks up one absolute name; arg is the caller's. */
typedef enum resolv_answer (*resolv_lookup_fn)(const char *fqdn, void *arg);

/* Walks the n candidates in order as Go's resolver (cert-manager's) does,
 * calling lookup on each until one is RESOLV_FOUND; a temporary failure moves
 * on to the next candidate (glibc would stop there on a timeout, though not on
 * SERVFAIL). Returns the index of the candidate found, or -1 when none was;
 * *tempfail (if not NULL) tells whether any lookup failed temporarily, which
 * turns "no such host" into "could not tell". */
long resolv_first_answer(const struct resolv_candidate *c, size_t n,
    resolv_lookup_fn lookup, void *arg, bool *tempfail);

#endif
