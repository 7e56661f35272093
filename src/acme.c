/* acme.c - the ACME request layer: directory, nonce pool, signed requests,
 * retry policy (badNonce, 5xx, 429) and polling. */
#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acme.h"
#include "err.h"
#include "hdr.h"
#include "jws.h"
#include "log.h"
#include "util.h"

#define NONCE_POOL 72     /* room for two full batches of --parallel 64 */
#define FANOUT_RTT_MS 20  /* slower round trips make concurrency pay for its nonces */
#define BADNONCE_RETRIES 20   /* Pebble rejects 5 % (tests: 50 %) of good nonces */
#define SERVER_RETRIES 3
#define RATELIMIT_RETRIES 2
#define RATELIMIT_MAX_WAIT 60 /* seconds worth waiting for a 429 to clear */
#define DIRECTORY_RETRIES 3   /* more tries of a directory answering 5xx or 429 */
#define DIRECTORY_MAX_WAIT 10 /* the longest Retry-After a directory retry honours */

struct acme {
	struct http_client *http;
	char *dir_url;
	json_t *dir_json;
	json_t *moved_json;   /* the directory a moved URL replaced: callers may still hold its URLs */
	bool dir_kept;        /* dir_json came from acme_use_directory, not from the CA now */
	acme_directory_cb on_fetch;
	void *on_fetch_arg;   /* owned: on_fetch_free frees it */
	void (*on_fetch_free)(void *);
	struct acme_directory dir;
	EVP_PKEY *key;
	char *kid;
	char *nonces[NONCE_POOL];
	size_t nnonces;
	size_t parallel;      /* most signed requests in flight at once */
	long long rtt_ms;     /* shortest request seen on the open connection; -1 unknown */
	bool multiplexed;     /* the last answer came over HTTP/2 or later */
	long long deadline_ms; /* mono_ms() by which everything ends; 0 = none */
	long deadline_s;      /* the budget it was set from, for messages */
};

struct acme *acme_new(struct http_client *http, const char *directory_url)
{
	struct acme *a = xcalloc(1, sizeof(*a));

	a->http = http;
	a->dir_url = xstrdup(directory_url);
	a->dir.url = a->dir_url;
	a->parallel = 1;
	a->rtt_ms = -1;
	return a;
}

void acme_free(struct acme *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->nnonces; i++)
		free(a->nonces[i]);
	json_decref(a->dir_json);
	json_decref(a->moved_json);
	if (a->on_fetch_free != NULL)
		a->on_fetch_free(a->on_fetch_arg);
	free(a->dir_url);
	free(a->kid);
	free(a);
}

/* Keeps a nonce from a response; the oldest is dropped when the pool is full. */
static void nonce_put(struct acme *a, const char *nonce)
{
	if (nonce == NULL || *nonce == '\0')
		return;
	if (a->nnonces == NONCE_POOL) {
		free(a->nonces[0]);
		memmove(a->nonces, a->nonces + 1, (NONCE_POOL - 1) * sizeof(a->nonces[0]));
		a->nnonces--;
	}
	a->nonces[a->nnonces++] = xstrdup(nonce);
}

/* Remembers how long a request on the open connection took (the shortest
 * one is close to the round trip time) and whether it multiplexes. */
static void note_rtt(struct acme *a, const struct http_response *resp)
{
	if (resp->status > 0 && (a->rtt_ms < 0 || resp->exchange_ms < a->rtt_ms))
		a->rtt_ms = resp->exchange_ms;
	if (resp->status > 0)
		a->multiplexed = resp->multiplexed;
}

/* Returns a fresh nonce (caller frees): the newest cached one, else one from
 * HEAD newNonce. NULL with err set. */
static int directory_again(struct acme *a);

static char *nonce_take(struct acme *a)
{
	struct http_request req = { .method = HTTP_HEAD, .url = a->dir.new_nonce };
	char *nonce = NULL;

	if (a->nnonces > 0)
		return a->nonces[--a->nnonces];
	if (http_perform(a->http, &req, 1) != 0)
		goto out;
	note_rtt(a, &req.resp);
	if (a->dir_kept && (req.resp.status >= 400 || req.resp.replay_nonce == NULL)) {
		/* the kept directory may be stale, or the CA down: its
		 * directory says which, as on a first run */
		http_response_clear(&req.resp);
		if (directory_again(a) != 0)
			goto out;
		req.url = a->dir.new_nonce;
		if (http_perform(a->http, &req, 1) != 0)
			goto out;
		note_rtt(a, &req.resp);
	}
	if (req.resp.replay_nonce == NULL || req.resp.status >= 400) {
		err_set(ERR_ACME, "newNonce %s answered HTTP %ld without a Replay-Nonce",
		    a->dir.new_nonce, req.resp.status);
		goto out;
	}
	nonce = xstrdup(req.resp.replay_nonce);
out:
	http_response_clear(&req.resp);
	return nonce;
}

/* Returns dir[key] when it is a non-empty string, else NULL. */
static const char *dir_member(json_t *dir, const char *key)
{
	const char *s = json_string_value(json_object_get(dir, key));

	return s != NULL && *s != '\0' ? s : NULL;
}

json_t *acme_directory_parse(const char *body, size_t len, struct acme_directory *dir,
    const char **why)
{
	json_t *doc = json_loadb(body, len, 0, NULL);

	if (!json_is_object(doc)) {
		*why = "the answer is not a JSON object";
		goto fail;
	}
	if (!dir_member(doc, "newNonce") || !dir_member(doc, "newAccount") ||
	    !dir_member(doc, "newOrder")) {
		*why = "newNonce, newAccount or newOrder missing";
		goto fail;
	}
	dir->new_nonce = dir_member(doc, "newNonce");
	dir->new_account = dir_member(doc, "newAccount");
	dir->new_order = dir_member(doc, "newOrder");
	dir->revoke_cert = dir_member(doc, "revokeCert");
	dir->key_change = dir_member(doc, "keyChange");
	dir->renewal_info = dir_member(doc, "renewalInfo");
	dir->meta = json_object_get(doc, "meta");
	return doc;
fail:
	json_decref(doc);
	return NULL;
}

static long retry_after_s(const struct http_response *resp);

/* True when the directory answer says the CA is there but cannot serve
 * now (5xx, 429), not that the URL is wrong. */
static bool unavailable(long status)
{
	return status >= 500 || status == 429;
}

/* Seconds to wait before asking an unavailable directory again after the
 * answer resp and tries earlier tries: what Retry-After asks when that is
 * at most DIRECTORY_MAX_WAIT, else 1, 2, 4 s. -1 when no try is left. */
static long directory_wait_s(const struct http_response *resp, int tries)
{
	long wait = retry_after_s(resp);

	if (tries >= DIRECTORY_RETRIES)
		return -1;
	return wait >= 0 && wait <= DIRECTORY_MAX_WAIT ? wait : 1L << tries;
}

/* Records that the CA's directory stayed unavailable: ERR_NETWORK, with
 * the status and what its problem document (or body) says, sanitized. */
static void directory_unavailable(const struct acme *a, const struct http_response *resp,
    int tries)
{
	struct problem *prob = problem_parse(resp->body, resp->body_len, resp->status);
	char *said = prob != NULL ? xasprintf("%s%s%s", problem_short_type(prob),
	    prob->detail ? ": " : "", prob->detail ? prob->detail : "") :
	    str_sanitize_mem(resp->body ? resp->body : "", resp->body_len);

	err_set(ERR_NETWORK, "the CA is unavailable: HTTP %ld from %s after %d %s%s%s",
	    resp->status, a->dir_url, tries, tries == 1 ? "try" : "tries",
	    *said ? ": " : "", said);
	free(said);
	problem_free(prob);
}

int acme_load_directory(struct acme *a)
{
	struct http_request req = { .method = HTTP_GET, .url = a->dir_url };
	struct acme_directory dir = { .url = a->dir_url };
	const char *why;
	json_t *doc;
	int rc = -1, tries = 0;
	long wait;

	for (;;) {
		if (http_perform(a->http, &req, 1) != 0)
			goto out;
		nonce_put(a, req.resp.replay_nonce);
		tries++;
		if (!unavailable(req.resp.status))
			break;
		if ((wait = directory_wait_s(&req.resp, tries - 1)) < 0) {
			directory_unavailable(a, &req.resp, tries);
			goto out;
		}
		logmsg(LOG_VERBOSE, "%s: HTTP %ld, asking again in %ld s", a->dir_url,
		    req.resp.status, wait);
		sleep_ms(wait * 1000);
		http_response_clear(&req.resp);
	}
	if (req.resp.status != 200) {
		err_set(ERR_USAGE, "%s is not an ACME directory: HTTP %ld",
		    a->dir_url, req.resp.status);
		goto out;
	}
	if ((doc = acme_directory_parse(req.resp.body, req.resp.body_len, &dir, &why)) == NULL) {
		err_set(ERR_USAGE, "%s is not an ACME directory: %s", a->dir_url, why);
		goto out;
	}
	json_decref(a->dir_json);
	a->dir_json = doc;
	a->dir = dir;
	a->dir_kept = false;
	if (a->on_fetch != NULL)
		a->on_fetch(a->on_fetch_arg, a->dir_url, doc);
	rc = 0;
out:
	http_response_clear(&req.resp);
	return rc;
}

int acme_use_directory(struct acme *a, json_t *doc, const char **why)
{
	struct acme_directory dir = { .url = a->dir_url };
	char *text = json_dumps(doc, JSON_COMPACT);
	json_t *parsed;

	if (text == NULL) {
		*why = "not JSON";
		return -1;
	}
	parsed = acme_directory_parse(text, strlen(text), &dir, why);
	free(text);
	if (parsed == NULL)
		return -1;
	json_decref(a->dir_json);
	a->dir_json = parsed;
	a->dir = dir;
	a->dir_kept = true;
	return 0;
}

void acme_on_directory(struct acme *a, acme_directory_cb cb, void *arg, void (*arg_free)(void *))
{
	if (a->on_fetch_free != NULL)
		a->on_fetch_free(a->on_fetch_arg);
	a->on_fetch = cb;
	a->on_fetch_arg = arg;
	a->on_fetch_free = arg_free;
}

void acme_directory_fetched_again(struct acme *a)
{
	if (a->on_fetch != NULL && a->dir_json != NULL && !a->dir_kept)
		a->on_fetch(a->on_fetch_arg, a->dir_url, a->dir_json);
}

/* The member of the directory whose URL url is, or NULL. */
static const char *directory_key(const struct acme *a, const char *url)
{
	static const char *const keys[] = {
		"newNonce", "newAccount", "newOrder", "revokeCert", "keyChange", "renewalInfo",
	};

	for (size_t i = 0; i < nitems(keys); i++)
		if (url != NULL && dir_member(a->dir_json, keys[i]) != NULL &&
		    strcmp(dir_member(a->dir_json, keys[i]), url) == 0)
			return keys[i];
	return NULL;
}

/* Replaces the kept directory with the CA's (once: what is fetched is not
 * kept). The replaced one stays allocated, since callers may hold its
 * URLs. 0, or -1 with err as acme_load_directory. */
static int directory_again(struct acme *a)
{
	logmsg(LOG_VERBOSE, "asking the CA for its directory %s: the kept one did not work",
	    a->dir_url);
	json_decref(a->moved_json);
	a->moved_json = json_incref(a->dir_json);
	a->dir_kept = false;
	return acme_load_directory(a);
}

/* When a kept directory's URL *url answered status 404, the CA may have
 * moved it: fetches the directory from the CA and points *url at the same
 * resource of the new one. True when the request is worth sending again;
 * false (err untouched) otherwise. */
static bool refetch_moved(struct acme *a, const char **url, long status)
{
	const char *key = status == 404 && a->dir_kept ? directory_key(a, *url) : NULL;
	const char *now;

	if (key == NULL)
		return false;
	if (directory_again(a) != 0 || (now = dir_member(a->dir_json, key)) == NULL) {
		err_clear();
		return false;
	}
	*url = now;
	return true;
}

const struct acme_directory *acme_directory(const struct acme *a)
{
	return &a->dir;
}

void acme_set_account(struct acme *a, EVP_PKEY *key, const char *kid)
{
	a->key = key;
	free(a->kid);
	a->kid = kid ? xstrdup(kid) : NULL;
}

const char *acme_kid(const struct acme *a)
{
	return a->kid;
}

void acme_set_deadline(struct acme *a, long budget_s)
{
	a->deadline_s = budget_s > 0 ? budget_s : 0;
	a->deadline_ms = budget_s > 0 ? mono_ms() + budget_s * 1000LL : 0;
	http_set_deadline(a->http, a->deadline_ms);
}

long long acme_left_ms(const struct acme *a)
{
	return a->deadline_ms > 0 ? a->deadline_ms - mono_ms() : LLONG_MAX;
}

long acme_deadline_s(const struct acme *a)
{
	return a->deadline_s;
}

int acme_wait_fits(const struct acme *a, long wait_s)
{
	long long left = acme_left_ms(a);

	if ((long long)wait_s * 1000 < left)
		return 0;
	err_set(ERR_NETWORK, "the server asked to wait %ld s, more than the %lld s left "
	    "of --deadline", wait_s, left > 0 ? left / 1000 : 0);
	return -1;
}

void acme_reply_clear(struct acme_reply *r)
{
	json_decref(r->json);
	free(r->body);
	free(r->location);
	strv_free(r->links);
	free(r->retry_after);
	free(r->no_response);
	memset(r, 0, sizeof(*r));
}

/* Records why a JSON answer did not parse: the reason in a reader's words
 * (a NUL in a string, invalid UTF-8, or the parser's text, sanitized) and
 * where. Always -1. */
static int bad_json(const char *what, const json_error_t *e)
{
	char *text = str_sanitize(e->text);

	err_set(ERR_ACME, "%s: the CA's answer is not valid JSON: %s (at byte %d)", what,
	    json_error_code(e) == json_error_null_character ? "a string holds a NUL character" :
	    json_error_code(e) == json_error_invalid_utf8 ? "it is not valid UTF-8" : text,
	    e->position);
	free(text);
	return -1;
}

/* Moves the interesting parts of an HTTP response into an ACME reply. An
 * answer that says it is JSON (a JSON Content-Type, or a body starting
 * with "{") must parse: -1 with ERR_ACME naming what is wrong with it and
 * the request what (out is cleared), else 0. With what NULL it may fail to
 * parse: json stays NULL, for the caller to judge. */
static int reply_take(struct acme_reply *out, struct http_response *resp, const char *what)
{
	json_error_t error;

	memset(out, 0, sizeof(*out));
	out->status = resp->status;
	out->body = resp->body;
	out->body_len = resp->body_len;
	out->location = resp->location;
	out->links = resp->links;
	out->retry_after = resp->retry_after;
	resp->body = NULL;
	resp->location = NULL;
	resp->links = NULL;
	resp->retry_after = NULL;
	if (out->body == NULL || out->body_len == 0 || (out->body[0] != '{' &&
	    !hdr_content_type_is(resp->content_type, "application/json")))
		return 0;
	if ((out->json = json_loadb(out->body, out->body_len, 0, &error)) != NULL || what == NULL)
		return 0;
	acme_reply_clear(out);
	return bad_json(what, &error);
}

/* Seconds a response asks us to wait, or -1 when it gives no valid Retry-After. */
static long retry_after_s(const struct http_response *resp)
{
	long s;

	if (resp->retry_after == NULL ||
	    hdr_retry_after(resp->retry_after, time(NULL), &s) != 0)
		return -1;
	return s;
}

/* Records a failed ACME response as the error: its problem document, or a
 * synthetic one naming the HTTP status. Steals prob. */
static void fail_response(struct problem *prob, const struct http_response *resp,
    const char *what)
{
	char *snippet;

	if (prob == NULL) {
		snippet = str_sanitize_mem(resp->body ? resp->body : "", resp->body_len);
		prob = xcalloc(1, sizeof(*prob));
		prob->type = xstrdup("about:blank");
		prob->detail = xasprintf("HTTP %ld%s%s", resp->status,
		    resp->body_len ? ": " : "", snippet);
		prob->status = resp->status;
		free(snippet);
	}
	err_problem(prob, "%s", what);
}

int acme_post(struct acme *a, const char *what, const char *url,
    const char *payload, bool use_jwk, struct acme_reply *out)
{
	int badnonce = 0, server = 0, ratelimit = 0, rc;
	struct http_request req;
	struct problem *prob;
	char *nonce, *jws;
	long wait;

	for (;;) {
		if ((nonce = nonce_take(a)) == NULL)
			return -1;
		jws = jws_sign(a->key, use_jwk ? NULL : a->kid, nonce, url, payload);
		free(nonce);
		if (jws == NULL)
			return -1;
		memset(&req, 0, sizeof(req));
		req.method = HTTP_POST;
		req.url = url;
		req.body = jws;
		if (http_perform(a->http, &req, 1) != 0) {
			free(jws);
			http_response_clear(&req.resp);
			err_prefix("%s", what);
			return -1;
		}
		free(jws);
		nonce_put(a, req.resp.replay_nonce);
		note_rtt(a, &req.resp);
		if (req.resp.status >= 200 && req.resp.status < 300) {
			rc = reply_take(out, &req.resp, what);
			http_response_clear(&req.resp);
			return rc;
		}
		prob = problem_parse(req.resp.body, req.resp.body_len, req.resp.status);
		wait = retry_after_s(&req.resp);
		if (problem_is(prob, "badNonce") && badnonce++ < BADNONCE_RETRIES) {
			logmsg(LOG_DEBUG, "%s: badNonce, retrying with a fresh nonce", what);
		} else if ((req.resp.status == 429 || problem_is(prob, "rateLimited")) &&
		    wait >= 0 && wait <= RATELIMIT_MAX_WAIT && wait * 1000LL < acme_left_ms(a) &&
		    ratelimit++ < RATELIMIT_RETRIES) {
			logmsg(LOG_NORMAL, "%s: rate limited, waiting %ld s as the server asks", what, wait);
			sleep_ms(wait * 1000);
		} else if (refetch_moved(a, &url, req.resp.status)) {
			logmsg(LOG_DEBUG, "%s: asking the moved URL %s", what, url);
		} else if (req.resp.status >= 500 && server < SERVER_RETRIES &&
		    (wait >= 0 && wait <= 30 ? wait : 1L << server) * 1000LL < acme_left_ms(a)) {
			if (wait < 0 || wait > 30)
				wait = 1L << server;
			server++;
			logmsg(LOG_VERBOSE, "%s: HTTP %ld, retrying in %ld s", what, req.resp.status, wait);
			sleep_ms(wait * 1000);
		} else {
			if ((req.resp.status == 429 || problem_is(prob, "rateLimited")) &&
			    req.resp.retry_after != NULL) {
				fail_response(prob, &req.resp, what);
				err_prefix("rate limited until Retry-After %s", req.resp.retry_after);
			} else {
				fail_response(prob, &req.resp, what);
			}
			http_response_clear(&req.resp);
			return -1;
		}
		problem_free(prob);
		http_response_clear(&req.resp);
	}
}

void acme_set_parallel(struct acme *a, size_t parallel)
{
	a->parallel = parallel > 0 ? parallel : 1;
}

size_t acme_batch_width(const struct acme *a)
{
	return a->rtt_ms >= FANOUT_RTT_MS ? a->parallel : 1;
}

long long acme_rtt_ms(const struct acme *a)
{
	return a->rtt_ms;
}

bool acme_multiplexed(const struct acme *a)
{
	return a->multiplexed;
}

size_t acme_nonces(const struct acme *a)
{
	return a->nnonces;
}

int acme_nonce_fill(struct acme *a, size_t want)
{
	struct http_request *reqs;
	size_t need, i;
	int rc = 0;

	if (want > NONCE_POOL)
		want = NONCE_POOL;
	if (a->nnonces >= want)
		return 0;
	need = want - a->nnonces;
	reqs = xcalloc(need, sizeof(*reqs));
	for (i = 0; i < need; i++) {
		reqs[i].method = HTTP_HEAD;
		reqs[i].url = a->dir.new_nonce;
	}
	if (http_perform(a->http, reqs, need) != 0)
		rc = -1;
	for (i = 0; i < need; i++) {
		nonce_put(a, reqs[i].resp.replay_nonce);
		note_rtt(a, &reqs[i].resp);
		http_response_clear(&reqs[i].resp);
	}
	free(reqs);
	/* not one nonce from a kept directory's newNonce: as in nonce_take */
	if (rc == 0 && a->nnonces == 0 && a->dir_kept)
		rc = directory_again(a) == 0 ? acme_nonce_fill(a, want) : -1;
	return rc;
}

/* Sends calls[0..n-1] (n <= NONCE_POOL) at once, each with its own nonce,
 * with extra_nonces HEAD newNonce requests riding along. Answers that ask
 * for a retry (badNonce, 5xx, 429) are retried one by one with acme_post's
 * whole policy. Returns 0 when every call ended with its reply or its own
 * error, or -1 with err set when the batch failed as a whole (no
 * connection), leaving the calls untouched. */
static int post_batch(struct acme *a, struct acme_call *calls, size_t n, size_t extra_nonces)
{
	struct http_request *reqs = xcalloc(n + extra_nonces, sizeof(*reqs));
	struct problem *prob;
	char *nonce;
	size_t i;
	int rc = -1;

	if (acme_nonce_fill(a, n) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		reqs[i].method = HTTP_POST;
		reqs[i].url = calls[i].url;
		reqs[i].delay_ms = calls[i].delay_ms;
		if ((nonce = nonce_take(a)) == NULL)
			goto out;
		reqs[i].body = jws_sign(a->key, a->kid, nonce, calls[i].url, calls[i].payload);
		free(nonce);
		if (reqs[i].body == NULL)
			goto out;
	}
	for (i = n; i < n + extra_nonces; i++) {
		reqs[i].method = HTTP_HEAD;
		reqs[i].url = a->dir.new_nonce;
	}
	if (http_perform(a->http, reqs, n + extra_nonces) != 0)
		goto out;
	rc = 0;
	for (i = 0; i < n + extra_nonces; i++) {
		nonce_put(a, reqs[i].resp.replay_nonce);
		note_rtt(a, &reqs[i].resp);
	}
	for (i = 0; i < n; i++) {
		if (reqs[i].resp.status >= 200 && reqs[i].resp.status < 300) {
			if (reply_take(&calls[i].reply, &reqs[i].resp, calls[i].what) != 0)
				calls[i].error = err_save();
			continue;
		}
		prob = problem_parse(reqs[i].resp.body, reqs[i].resp.body_len, reqs[i].resp.status);
		if (problem_is(prob, "badNonce") || reqs[i].resp.status >= 500 ||
		    reqs[i].resp.status == 429 ||
		    (reqs[i].resp.status == 404 && a->dir_kept &&
		    directory_key(a, calls[i].url) != NULL)) {
			problem_free(prob);
			/* the rare retries go one by one, with acme_post's whole policy */
			if (acme_post(a, calls[i].what, calls[i].url, calls[i].payload, false,
			    &calls[i].reply) != 0)
				calls[i].error = err_save();
			continue;
		}
		fail_response(prob, &reqs[i].resp, calls[i].what);
		calls[i].error = err_save();
	}
out:
	for (i = 0; i < n + extra_nonces; i++) {
		free((char *)reqs[i].body);
		http_response_clear(&reqs[i].resp);
	}
	free(reqs);
	return rc;
}

size_t acme_post_calls(struct acme *a, struct acme_call *calls, size_t n, size_t extra_nonces)
{
	struct err_saved *shared;
	size_t width = acme_batch_width(a), failed = 0, k, i;

	for (i = 0; i < n; i++) {
		acme_reply_clear(&calls[i].reply);
		err_saved_free(calls[i].error);
		calls[i].error = NULL;
	}
	for (size_t start = 0; start < n; start += k) {
		k = n - start < width ? n - start : width;
		if (k == 1 && extra_nonces == 0 && calls[start].delay_ms == 0) {
			if (acme_post(a, calls[start].what, calls[start].url, calls[start].payload,
			    false, &calls[start].reply) == 0)
				continue;
			calls[start].error = err_save();
			if (err_saved_kind(calls[start].error) != ERR_NETWORK)
				continue;
			/* without a connection the rest would only wait out
			 * the same timeout: they fail with this one's error */
			for (i = start + 1; i < n; i++)
				calls[i].error = err_saved_dup(calls[start].error);
			break;
		}
		if (post_batch(a, calls + start, k, start + k == n ? extra_nonces : 0) != 0) {
			shared = err_save();
			for (i = start; i < n; i++) {
				err_restore(err_saved_dup(shared));
				err_prefix("%s", calls[i].what);
				calls[i].error = err_save();
			}
			err_saved_free(shared);
			break;
		}
	}
	for (i = 0; i < n; i++)
		failed += calls[i].error != NULL;
	return failed;
}

void acme_calls_clear(struct acme_call *calls, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		acme_reply_clear(&calls[i].reply);
		err_saved_free(calls[i].error);
		calls[i].error = NULL;
	}
}

int acme_get_many(struct acme *a, char *const *urls, size_t n, struct acme_reply *out)
{
	size_t width = acme_batch_width(a), k;
	struct http_request *reqs = xcalloc(width, sizeof(*reqs));
	struct err_saved *first = NULL;

	for (size_t start = 0; start < n; start += k) {
		k = n - start < width ? n - start : width;
		for (size_t i = 0; i < k; i++)
			reqs[i] = (struct http_request){ .method = HTTP_GET, .url = urls[start + i] };
		if (http_perform(a->http, reqs, k) != 0 && first == NULL)
			first = err_save();
		err_clear();
		for (size_t i = 0; i < k; i++) {
			nonce_put(a, reqs[i].resp.replay_nonce);
			reply_take(&out[start + i], &reqs[i].resp, NULL);
			if (reqs[i].result != 0)
				out[start + i].no_response = xstrdup(reqs[i].errbuf);
			http_response_clear(&reqs[i].resp);
		}
	}
	free(reqs);
	err_restore(first);
	return first != NULL ? -1 : 0;
}

int acme_get(struct acme *a, const char *url, struct acme_reply *out)
{
	char *urls[] = { (char *)url };

	if (acme_get_many(a, urls, 1, out) == 0)
		return 0;
	acme_reply_clear(out);
	return -1;
}
