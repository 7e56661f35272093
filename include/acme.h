/* acme.h - the ACME request layer (RFC 8555 section 6): directory, nonces,
 * signed POST and POST-as-GET, retries, problem records. */
#ifndef ACMECTL_ACME_H
#define ACMECTL_ACME_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "err.h"
#include "http.h"

struct acme;

/* The directory's resources; NULL members are not offered. All borrowed from
 * the struct acme that owns them. */
struct acme_directory {
	const char *url;
	const char *new_nonce;
	const char *new_account;
	const char *new_order;
	const char *revoke_cert;
	const char *key_change;
	const char *renewal_info;
	json_t *meta;             /* borrowed; may be NULL */
};

/* A reply to a signed request. Release with acme_reply_clear. */
struct acme_reply {
	long status;
	json_t *json;             /* parsed body when it is JSON, else NULL */
	char *body;               /* raw body (NUL-terminated) */
	size_t body_len;
	char *location;
	char **links;             /* Link header values, NULL-terminated */
	char *retry_after;
	char *no_response;        /* acme_get_many: why none came (status 0), else NULL */
};

/* Creates a client for the ACME server whose directory is at directory_url,
 * talking through http (borrowed; must outlive the client). Nothing is
 * fetched yet. Never NULL. */
struct acme *acme_new(struct http_client *http, const char *directory_url);

/* Frees the client. NULL is fine. */
void acme_free(struct acme *a);

/* Parses the body of a directory answer (RFC 8555 7.1.1): a JSON object
 * with non-empty string newNonce, newAccount and newOrder. Fills the
 * resource members and meta of *dir (borrowed from the returned document;
 * dir->url is left alone) and returns the document (caller json_decref()s
 * it after the last use of dir), or returns NULL and stores in *why
 * (static) what is wrong. Records nothing in err. */
json_t *acme_directory_parse(const char *body, size_t len, struct acme_directory *dir,
    const char **why);

/* GETs the directory and checks it has newNonce, newAccount and newOrder.
 * An answer of 5xx or 429 is asked again, up to 3 more times after 1, 2
 * and 4 s (or its Retry-After, when at most 10 s). Returns 0, or -1 with
 * ERR_NETWORK (unreachable, or "the CA is unavailable: HTTP 503 ..." with
 * what its problem document says) or ERR_USAGE ("URL is not an ACME
 * directory: ..."). */
int acme_load_directory(struct acme *a);

/* Uses doc (borrowed; copied) as the directory instead of fetching it:
 * one kept from an earlier run. It must pass what acme_load_directory
 * checks. When a request to one of its URLs answers 404 (the CA moved
 * it), the directory is fetched once from the CA and the request sent
 * again to the new URL. 0, or -1 with *why (static) saying what is
 * wrong; records nothing in err. */
int acme_use_directory(struct acme *a, json_t *doc, const char **why);

/* Called with the directory URL and the document (borrowed) each time the
 * directory was fetched from the CA. */
typedef void (*acme_directory_cb)(void *arg, const char *url, json_t *doc);

/* Calls cb(arg, ...) after every directory fetched from the CA from now
 * on; arg is owned by a, which frees it with arg_free (may be NULL). */
void acme_on_directory(struct acme *a, acme_directory_cb cb, void *arg, void (*arg_free)(void *));

/* Calls the acme_on_directory callback again with the directory fetched
 * from the CA in this run, if it was (not a kept one): for when the place
 * to keep it has only now been made (a first account of a server). */
void acme_directory_fetched_again(struct acme *a);

/* The loaded directory; borrowed from a. */
const struct acme_directory *acme_directory(const struct acme *a);

/* Sets the signing key (borrowed; must outlive its use) and the account URL
 * used as "kid" (copied; NULL signs with "jwk", as newAccount needs). */
void acme_set_account(struct acme *a, EVP_PKEY *key, const char *kid);

/* The account URL set with acme_set_account, or NULL. Borrowed. */
const char *acme_kid(const struct acme *a);

/* Signs payload (NULL = POST-as-GET) with the account key and POSTs it to
 * url; use_jwk forces the "jwk" header (newAccount, onlyReturnExisting).
 * Handles the nonce pool, retries badNonce (bounded), 5xx (bounded backoff)
 * and 429 with a short Retry-After. A 2xx reply is stored in *out (caller
 * acme_reply_clear()s). Otherwise returns -1 with the error recorded: an ACME
 * problem (ERR_ACME, via err_problem with context "what"), or ERR_NETWORK. */
int acme_post(struct acme *a, const char *what, const char *url,
    const char *payload, bool use_jwk, struct acme_reply *out);

/* Bounds what a does from now on by budget_s seconds (--deadline; 0 lifts
 * the bound): every request ends by then (http_set_deadline), and a retry
 * whose wait would pass it is not made. */
void acme_set_deadline(struct acme *a, long budget_s);

/* Milliseconds left before the deadline (<= 0 once passed), LLONG_MAX when
 * there is none. */
long long acme_left_ms(const struct acme *a);

/* The budget the deadline was set with, in seconds; 0 when there is none. */
long acme_deadline_s(const struct acme *a);

/* Checks that a wait of wait_s seconds the server asked for (Retry-After)
 * ends before the deadline. Returns 0, or -1 with ERR_NETWORK "the server
 * asked to wait N s, more than the M s left of --deadline". */
int acme_wait_fits(const struct acme *a, long wait_s);

/* Allows up to parallel signed requests in flight at once (--parallel). */
void acme_set_parallel(struct acme *a, size_t parallel);

/* How many signed requests a caller should send at once: 1 while the round
 * trip is short (each needs its own nonce, and extra nonces cost requests),
 * the --parallel limit once the connection shows a round trip of 20 ms or
 * more (a proxy or a distant CA), where every saved round trip counts. */
size_t acme_batch_width(const struct acme *a);

/* Fills the nonce pool up to want nonces with concurrent HEAD newNonce
 * requests. A HEAD on the open connection is the cleanest measure of the
 * round trip (no handshake, no server work), which acme_batch_width uses.
 * 0 or -1 with err. */
int acme_nonce_fill(struct acme *a, size_t want);

/* One signed request of a batch (acme_post_calls). */
struct acme_call {
	const char *what;          /* context for its error, e.g. "fetch authorization" */
	const char *url;           /* borrowed */
	const char *payload;       /* borrowed; NULL = POST-as-GET */
	long long delay_ms;        /* sent this long after the others of its batch,
	                            * while they are in flight (0: with them) */
	struct acme_reply reply;   /* its 2xx answer */
	struct err_saved *error;   /* why it failed, or NULL */
};

/* Signs (with the account's kid) and POSTs the n calls, acme_batch_width()
 * of them at once over the one connection (a call with a delay_ms is
 * signed with the others and sent that much later); missing nonces are
 * fetched first, and extra_nonces more HEAD newNonce requests ride along with the
 * last batch for what follows. badNonce, 5xx and 429 answers are retried
 * one by one as acme_post does. Every call ends with either its reply or
 * its error (ERR_ACME with the problem, ERR_NETWORK; a batch that gets no
 * answer at all fails the calls not yet sent with it too). Replies and
 * errors are the caller's: release with acme_calls_clear. Returns the
 * number of failed calls; records nothing in err. */
size_t acme_post_calls(struct acme *a, struct acme_call *calls, size_t n, size_t extra_nonces);

/* Frees the replies and errors of n calls (what, url and payload are left). */
void acme_calls_clear(struct acme_call *calls, size_t n);

/* GETs the n urls without signing, acme_batch_width() of them at once.
 * Each answer, of any HTTP status, is stored in out[i] (caller
 * acme_reply_clear()s each); one that got no response has status 0 and
 * says why in no_response.
 * Returns 0, or -1 with ERR_NETWORK (the first failure) when any got none. */
int acme_get_many(struct acme *a, char *const *urls, size_t n, struct acme_reply *out);

/* GETs url without signing (RFC 9773 renewalInfo is fetched this way).
 * Any HTTP status is stored in *out (caller acme_reply_clear()s); returns -1
 * only when no response came (ERR_NETWORK). */
int acme_get(struct acme *a, const char *url, struct acme_reply *out);

/* The shortest request seen on the open connection, close to the round
 * trip time, in ms; -1 before any. */
long long acme_rtt_ms(const struct acme *a);

/* True when the last answer came over HTTP/2 or later: a request sent
 * while others are in flight shares their connection instead of opening
 * one (a TCP and TLS handshake more). */
bool acme_multiplexed(const struct acme *a);

/* Nonces in the pool: how many signed requests can go out at once without
 * a HEAD newNonce first. */
size_t acme_nonces(const struct acme *a);

/* Frees a reply's members and zeroes it. */
void acme_reply_clear(struct acme_reply *r);

#endif
