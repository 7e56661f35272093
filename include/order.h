/* order.h - certificate orders (RFC 8555 section 7.4): newOrder,
 * authorizations and http-01 challenges, finalize, download. */
#ifndef ACMECTL_ORDER_H
#define ACMECTL_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/evp.h>

#include "acme.h"
#include "dns01.h"
#include "http01.h"
#include "tlsalpn.h"

/* What to order and how to prove control; everything borrowed. */
struct order_request {
	char *const *names;       /* validated, normalised identifiers */
	size_t nnames;
	const char *csr_b64url;   /* DER CSR, base64url */
	struct http01 *http01;    /* answers http-01, or NULL */
	struct dns01 *dns01;      /* answers dns-01 instead, or NULL */
	struct tlsalpn *tlsalpn;  /* answers tls-alpn-01 instead, or NULL */
	/* With both http01 and dns01: true when the authorization of this
	 * identifier (a wildcard's base name, and whether it is a wildcard's)
	 * is answered through dns01, false through http01. NULL: dns01
	 * answers every one when set. Called with before_answer_arg. */
	bool (*answers_dns01)(void *arg, const char *identifier, bool wildcard);
	/* Where dns01 writes the record of this identifier (a wildcard's
	 * base name, and whether it is a wildcard's): a name without the
	 * trailing dot (caller of it frees), or NULL with err set, which
	 * fails the order before anything is published for it. NULL:
	 * _acme-challenge.IDENTIFIER. Called with before_answer_arg. */
	char *(*dns01_record)(void *arg, const char *identifier, bool wildcard);
	EVP_PKEY *account_key;    /* for key authorizations */
	const char *profile;      /* newOrder "profile", or NULL */
	const char *replaces;     /* ARI certificate id (RFC 9773), or NULL */
	const char *preferred_chain; /* issuer CN of the chain's top, or NULL */
	bool preferred_any_alternate; /* cert-manager before v1.15.0: only the
	                                 alternates, any certificate's issuer CN */
	/* Judges each alternate chain fetched for preferred_chain in place of
	 * acmectl's rule (NULL: acmectl's, see order_choose_chain): its URL
	 * and reply, NULL when the download failed (why is then in err).
	 * 1 takes the chain as served, 0 goes on to the next, -1 (err set)
	 * fails the order. Called with before_answer_arg. */
	int (*judge_alternate)(void *arg, const char *url, const struct acme_reply *alt);
	/* Called for each pending authorization once its challenge is
	 * published and before it is answered (NULL: none): identifier,
	 * whether it is a wildcard's, the token and key authorization. 0
	 * answers it; -1 (err set) fails the order without answering. */
	int (*before_answer)(void *arg, const char *identifier, bool wildcard,
	    const char *token, const char *keyauth);
	void *before_answer_arg;
};

/* The issued certificate, PEM; all owned, release with order_result_clear. */
struct order_result {
	char *cert;        /* leaf */
	char *chain;       /* issuer certificates */
	char *fullchain;   /* leaf + issuers, as served */
};

/* Places an order for the names (with "replaces" when given: when the
 * server rejects it, once more without), answers every pending
 * authorization's challenge through the solver (withdrawn again before
 * returning), finalizes with the CSR and downloads the certificate, taking
 * an alternate chain when the default one's top issuer is not the
 * preferred one. Every wait, and every request, ends by the deadline set
 * with acme_set_deadline(). Returns 0, or -1 with err set; a failed
 * validation is ERR_ACME naming the identifier and the validator's error;
 * a Retry-After the deadline cannot hold, or an order still waiting when
 * it comes, is ERR_NETWORK. */
int order_issue(struct acme *a, const struct order_request *req,
    struct order_result *out);

/* Issues the n orders reqs[0..n-1] side by side, each as order_issue does:
 * every step (newOrder, authorizations, challenges, polls, finalize,
 * download) goes out for all of them together, so their requests share
 * round trips and their polling waits overlap. Every order ends either with
 * outs[i] filled (order_result_clear) and errors[i] NULL, or with errors[i]
 * set (caller err_restore()s or err_saved_free()s) and outs[i] empty; one
 * failing order does not stop the others. Returns the number of failed
 * orders; records nothing in err. */
size_t order_issue_all(struct acme *a, const struct order_request *reqs, size_t n,
    struct order_result *outs, struct err_saved **errors);

/* The fewest requests in flight at once that still fetch n authorizations
 * and answer their challenges in as few rounds as width allows (an answer
 * rides with later fetches, a round after its own fetch). Every signed
 * request in flight needs a nonce of its own, so each request narrower
 * saves a HEAD newNonce: 10 names at width 8 and at width 7 both take 3
 * rounds. Returns 1 to width. */
size_t order_round_width(size_t n, size_t width);

/* The requests of the last of those rounds for n authorizations at width
 * (as order_round_width() gives it): answers to the challenges fetched in
 * the round before, and nothing else. 0 when n is 0. */
size_t order_last_round(size_t n, size_t width);

/* When an order's first validation poll leaves, in ms after its last
 * challenge answer left, on a link whose round trip is rtt_ms (-1: not
 * known) with left_ms before the deadline: the poll goes while that
 * answer is still in flight, so a CA that validates in the time between
 * them answers it "ready" a round trip sooner, and one that does not
 * answers "pending" at the cost of one request. -1 when the poll should
 * wait for the answer instead: the answer is back before the poll would
 * leave (the round trip is not longer than the wait the CA is given), or
 * the deadline ends polling before it. */
long long order_early_poll_ms(long long rtt_ms, long long left_ms);

/* The challenge of the given type ("http-01", "dns-01") in an
 * authorization object, as a CA sent it: stores its token and url
 * (borrowed from authz) and returns 0, or returns -1 with ERR_ACME naming
 * the identifier when there is no such challenge or it lacks a string
 * token or url. The token is not checked here: http01_publish() refuses an
 * unsafe one. */
int order_authz_challenge(json_t *authz, const char *type, const char **token,
    const char **url);

/* The "error" member of an ACME object (an order, or a challenge of an
 * authorization) as a problem record, or NULL when it has none that
 * problem_parse() accepts. Caller problem_free()s (or hands it to
 * err_problem()). Records nothing in err. */
struct problem *order_problem_of(json_t *obj);

/* Splits a PEM chain into its first certificate, from its BEGIN line to its
 * END line (text before it is dropped), and the rest after the line breaks
 * that follow it. Returns 0, or -1 with ERR_ACME when pem holds no BEGIN
 * line followed by an END line. Outputs: caller frees. Checks no base64:
 * the certificate checks before saving do. */
int order_split_chain(const char *pem, char **leaf, char **rest);

void order_result_clear(struct order_result *r);

/* Fills out from a downloaded chain r; with a preferred top issuer CN
 * (req->preferred_chain; NULL: none), looks through the first 10
 * alternates (Link rel="alternate") when the default chain does not
 * match, keeping the default when none does. req->preferred_any_alternate
 * is cert-manager's rule before v1.15.0: the default chain is not looked
 * at, and an alternate matches when any of its certificates has that
 * issuer CN. An alternate that cannot be downloaded or fails
 * certcheck_alternate is passed over with one line naming its URL and
 * why: the preference never costs the certificate issued. With
 * req->judge_alternate, it decides on each alternate instead. 0, or -1
 * with err when r holds no PEM certificate or the judge fails the order. */
int order_choose_chain(struct acme *a, const struct order_request *req,
    const struct acme_reply *r, struct order_result *out);

#endif
