/* acme.c - the ACME request layer: directory, nonce pool, signed requests,
 * retry policy (badNonce, 5xx, 429) and polling. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acme.h"
#include "err.h"
#include "hdr.h"
#include "jws.h"
#include "log.h"
#include "util.h"

#define NONCE_POOL 16
#define BADNONCE_RETRIES 20   /* Pebble rejects 5 % (tests: 50 %) of good nonces */
#define SERVER_RETRIES 3
#define RATELIMIT_RETRIES 2
#define RATELIMIT_MAX_WAIT 60 /* seconds worth waiting for a 429 to clear */

struct acme {
	struct http_client *http;
	char *dir_url;
	json_t *dir_json;
	struct acme_directory dir;
	EVP_PKEY *key;
	char *kid;
	char *nonces[NONCE_POOL];
	size_t nnonces;
};

struct acme *acme_new(struct http_client *http, const char *directory_url)
{
	struct acme *a = xcalloc(1, sizeof(*a));

	a->http = http;
	a->dir_url = xstrdup(directory_url);
	a->dir.url = a->dir_url;
	return a;
}

void acme_free(struct acme *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->nnonces; i++)
		free(a->nonces[i]);
	json_decref(a->dir_json);
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

/* Returns a fresh nonce (caller frees): the newest cached one, else one from
 * HEAD newNonce. NULL with err set. */
static char *nonce_take(struct acme *a)
{
	struct http_request req = { .method = HTTP_HEAD, .url = a->dir.new_nonce };
	char *nonce = NULL;

	if (a->nnonces > 0)
		return a->nonces[--a->nnonces];
	if (http_perform(a->http, &req, 1) != 0)
		goto out;
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

int acme_load_directory(struct acme *a)
{
	struct http_request req = { .method = HTTP_GET, .url = a->dir_url };
	json_t *dir = NULL;
	int rc = -1;

	if (http_perform(a->http, &req, 1) != 0)
		goto out;
	nonce_put(a, req.resp.replay_nonce);
	if (req.resp.status != 200) {
		err_set(ERR_USAGE, "%s is not an ACME directory: HTTP %ld",
		    a->dir_url, req.resp.status);
		goto out;
	}
	dir = json_loadb(req.resp.body, req.resp.body_len, 0, NULL);
	if (!json_is_object(dir) || !dir_member(dir, "newNonce") ||
	    !dir_member(dir, "newAccount") || !dir_member(dir, "newOrder")) {
		err_set(ERR_USAGE, "%s is not an ACME directory: %s", a->dir_url,
		    json_is_object(dir) ? "newNonce, newAccount or newOrder missing" :
		    "the answer is not a JSON object");
		goto out;
	}
	json_decref(a->dir_json);
	a->dir_json = dir;
	dir = NULL;
	a->dir.new_nonce = dir_member(a->dir_json, "newNonce");
	a->dir.new_account = dir_member(a->dir_json, "newAccount");
	a->dir.new_order = dir_member(a->dir_json, "newOrder");
	a->dir.revoke_cert = dir_member(a->dir_json, "revokeCert");
	a->dir.key_change = dir_member(a->dir_json, "keyChange");
	a->dir.renewal_info = dir_member(a->dir_json, "renewalInfo");
	a->dir.meta = json_object_get(a->dir_json, "meta");
	rc = 0;
out:
	json_decref(dir);
	http_response_clear(&req.resp);
	return rc;
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

void acme_reply_clear(struct acme_reply *r)
{
	json_decref(r->json);
	free(r->body);
	free(r->location);
	strv_free(r->links);
	free(r->retry_after);
	memset(r, 0, sizeof(*r));
}

/* Moves the interesting parts of an HTTP response into an ACME reply. */
static void reply_take(struct acme_reply *out, struct http_response *resp)
{
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
	if (out->body != NULL && out->body_len > 0 && out->body[0] == '{')
		out->json = json_loadb(out->body, out->body_len, 0, NULL);
}

/* Sleeps for ms milliseconds (resuming after signals). */
static void sleep_ms(long long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
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
	if (prob == NULL) {
		prob = xcalloc(1, sizeof(*prob));
		prob->type = xstrdup("about:blank");
		prob->detail = xasprintf("HTTP %ld%s%.200s", resp->status,
		    resp->body_len ? ": " : "", resp->body_len ? resp->body : "");
		prob->status = resp->status;
	}
	err_problem(prob, "%s", what);
}

int acme_post(struct acme *a, const char *what, const char *url,
    const char *payload, bool use_jwk, struct acme_reply *out)
{
	int badnonce = 0, server = 0, ratelimit = 0;
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
		if (req.resp.status >= 200 && req.resp.status < 300) {
			reply_take(out, &req.resp);
			http_response_clear(&req.resp);
			return 0;
		}
		prob = problem_parse(req.resp.body, req.resp.body_len, req.resp.status);
		wait = retry_after_s(&req.resp);
		if (problem_is(prob, "badNonce") && badnonce++ < BADNONCE_RETRIES) {
			logmsg(LOG_DEBUG, "%s: badNonce, retrying with a fresh nonce", what);
		} else if ((req.resp.status == 429 || problem_is(prob, "rateLimited")) &&
		    wait >= 0 && wait <= RATELIMIT_MAX_WAIT && ratelimit++ < RATELIMIT_RETRIES) {
			logmsg(LOG_NORMAL, "%s: rate limited, waiting %ld s as the server asks", what, wait);
			sleep_ms(wait * 1000);
		} else if (req.resp.status >= 500 && server++ < SERVER_RETRIES) {
			if (wait < 0 || wait > 30)
				wait = 1L << (server - 1);
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

int acme_get(struct acme *a, const char *url, struct acme_reply *out)
{
	struct http_request req = { .method = HTTP_GET, .url = url };
	int rc = -1;

	if (http_perform(a->http, &req, 1) == 0) {
		nonce_put(a, req.resp.replay_nonce);
		reply_take(out, &req.resp);
		rc = 0;
	}
	http_response_clear(&req.resp);
	return rc;
}

/* True when status is one of the space-separated words in states. */
static bool status_in(const char *status, const char *states)
{
	size_t n = strlen(status);

	for (const char *p = states; *p != '\0'; ) {
		size_t len = strcspn(p, " ");

		if (len == n && strncmp(p, status, n) == 0)
			return true;
		p += len;
		p += strspn(p, " ");
	}
	return false;
}

int acme_poll(struct acme *a, const char *what, const char *url,
    const char *wait_states, long deadline_s, json_t **out)
{
	long long start = mono_ms(), delay = 100, wait_ms;
	struct acme_reply r = { 0 };
	const char *status;
	long ra;

	for (;;) {
		sleep_ms(delay);
		if (acme_post(a, what, url, NULL, false, &r) != 0)
			return -1;
		status = json_string_value(json_object_get(r.json, "status"));
		if (status == NULL) {
			err_set(ERR_ACME, "%s: %s has no status", what, url);
			acme_reply_clear(&r);
			return -1;
		}
		if (!status_in(status, wait_states)) {
			*out = json_incref(r.json);
			acme_reply_clear(&r);
			return 0;
		}
		wait_ms = delay * 3 / 2 > 5000 ? 5000 : delay * 3 / 2;
		if (r.retry_after != NULL &&
		    hdr_retry_after(r.retry_after, time(NULL), &ra) == 0)
			wait_ms = ra * 1000;
		if (mono_ms() - start + wait_ms > deadline_s * 1000) {
			err_set(ERR_ACME, "%s: still %s after %ld s", what, status, deadline_s);
			acme_reply_clear(&r);
			return -1;
		}
		delay = wait_ms;
		acme_reply_clear(&r);
	}
}
