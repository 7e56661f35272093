/* order.c - certificate orders: newOrder, authorizations and their
 * challenges, finalize, download. Several orders (a renew batch) go through
 * each step together, so their requests share round trips and their waits
 * overlap; one failing order does not stop the others. Polls the order, not
 * each authorization: one request covers them all, and authorizations are
 * fetched again only to explain an invalid one. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certcheck.h"
#include "err.h"
#include "hdr.h"
#include "ident.h"
#include "jws.h"
#include "log.h"
#include "order.h"
#include "order_int.h"
#include "util.h"

/* Builds the newOrder payload {"identifiers":[{type,value}...], "profile"?,
 * "replaces"?}. Caller frees. */
static char *new_order_payload(const struct order_request *req, const char *replaces)
{
	json_t *ids = json_array(), *p;
	char *s;

	for (size_t i = 0; i < req->nnames; i++)
		json_array_append_new(ids, json_pack("{s:s,s:s}",
		    "type", ident_type(req->names[i]), "value", req->names[i]));
	p = json_pack("{s:o}", "identifiers", ids);
	if (req->profile != NULL)
		json_object_set_new(p, "profile", json_string(req->profile));
	if (replaces != NULL)
		json_object_set_new(p, "replaces", json_string(replaces));
	s = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	return s;
}

/* The first challenge of an authorization that carries an error, or NULL. */
static json_t *failed_challenge(json_t *authz)
{
	json_t *chs = json_object_get(authz, "challenges"), *ch;
	size_t i;

	json_array_foreach(chs, i, ch)
		if (json_is_object(json_object_get(ch, "error")))
			return ch;
	return NULL;
}

struct problem *order_problem_of(json_t *obj)
{
	json_t *error = json_object_get(obj, "error");
	struct problem *prob;
	char *doc;

	if (!json_is_object(error))
		return NULL;
	if ((doc = json_dumps(error, JSON_COMPACT)) == NULL)
		return NULL;
	prob = problem_parse(doc, strlen(doc), 0);
	free(doc);
	return prob;
}

/* Fetches each authorization of an invalid order and records the first
 * failed challenge's error as ERR_ACME naming its identifier. Always -1. */
static int explain_invalid(struct acme *a, json_t *order)
{
	json_t *authzs = json_object_get(order, "authorizations"), *u;
	struct acme_reply r = { 0 };
	size_t i;

	struct problem *prob;

	json_array_foreach(authzs, i, u) {
		/* the order polled last may list anything there */
		if (!json_is_string(u))
			continue;
		if (acme_post(a, "fetch authorization", json_string_value(u), NULL, false, &r) != 0)
			return -1;
		if ((prob = order_problem_of(failed_challenge(r.json))) != NULL) {
			err_problem(prob, "validation of %s failed", order_authz_name(r.json));
			acme_reply_clear(&r);
			return -1;
		}
		acme_reply_clear(&r);
	}
	if ((prob = order_problem_of(order)) != NULL) {
		err_problem(prob, "order failed");
		return -1;
	}
	err_set(ERR_ACME, "order became invalid without saying why");
	return -1;
}

/* Checks a requested profile against the directory's meta.profiles, when the
 * server lists any. 0 or -1 with ERR_USAGE naming the offered ones. */
static int check_profile(struct acme *a, const char *profile)
{
	json_t *profiles = json_object_get(acme_directory(a)->meta, "profiles"), *v;
	const char *key;
	char *offered, *t;

	if (profile == NULL || !json_is_object(profiles) ||
	    json_object_get(profiles, profile) != NULL)
		return 0;
	offered = xstrdup("");
	json_object_foreach(profiles, key, v) {
		t = xasprintf("%s%s%s", offered, *offered ? ", " : "", key);
		free(offered);
		offered = t;
	}
	err_set(ERR_USAGE, "the server offers no profile \"%s\" (it offers: %s)",
	    profile, *offered ? offered : "none");
	free(offered);
	return -1;
}


/* The progress of one order of a batch. */
struct progress {
	const struct order_request *req;  /* borrowed */
	struct order_result *out;         /* borrowed */
	struct err_saved *error;          /* why it failed; NULL while it goes on */
	char *url;                        /* the order's URL */
	json_t *order;                    /* its latest object */
	char **dns_answers;               /* dns-01 challenges to answer after the wait */
	size_t ndns_answers;
	size_t answered;                  /* challenges answered */
	bool polling;                     /* wanted by poll_orders */
	bool polled;                      /* validation polled with the last
	                                     answers: polling and poll_next set */
	long long poll_next, poll_interval;
	long retry_after_s;               /* asked by the answer starting a wait; -1 none */
};

/* Keeps in p the longest Retry-After (RFC 8555 7.5.1, 7.4) of the answers
 * that start its wait. */
static void note_retry_after(struct progress *p, const struct acme_reply *r)
{
	long ra;

	if (r->retry_after != NULL && hdr_retry_after(r->retry_after, time(NULL), &ra) == 0 &&
	    ra > p->retry_after_s)
		p->retry_after_s = ra;
}

/* True while p has not failed. */
static bool live(const struct progress *p)
{
	return p->error == NULL;
}

/* Fails p with the recorded error (the first failure is the one kept). */
static void fail(struct progress *p)
{
	if (p->error == NULL)
		p->error = err_save();
	else
		err_clear();
	p->polling = false;
}

/* Fails p with call's error, which it takes over. */
static void fail_call(struct progress *p, struct acme_call *call)
{
	err_restore(call->error);
	call->error = NULL;
	fail(p);
}

/* Fails every order of of[0..k-1] with the recorded error. */
static void fail_each(struct progress **of, size_t k)
{
	struct err_saved *e = err_save();

	for (size_t j = 0; j < k; j++) {
		err_restore(err_saved_dup(e));
		fail(of[j]);
	}
	err_saved_free(e);
}

/* The status member of an ACME object, or NULL. Borrowed. */
static const char *status_of(json_t *obj)
{
	return json_string_value(json_object_get(obj, "status"));
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

/* Checks that a new order lists authorizations, or needs none (ready,
 * valid or invalid): without any, nothing could ever move it on, and
 * waiting for it would only use up the deadline. 0, or -1 with ERR_ACME. */
static int check_authzs_listed(json_t *order)
{
	const char *status = status_of(order);
	char *shown;

	if (json_array_size(json_object_get(order, "authorizations")) > 0 ||
	    (status != NULL && status_in(status, "ready valid invalid")))
		return 0;
	shown = str_sanitize(status != NULL ? status : "without status");
	err_set(ERR_ACME, "the CA's order is %s but lists no authorizations", shown);
	free(shown);
	return -1;
}

/* order_early_poll_ms() on a's link; -1 too when a request sent while
 * others are in flight would open a connection of its own (HTTP/1.1): its
 * handshakes would cost more than the round trip it saves. */
static long long early_poll_ms(const struct acme *a)
{
	if (!acme_multiplexed(a))
		return -1;
	return order_early_poll_ms(acme_rtt_ms(a), acme_left_ms(a));
}

/* Checks each order's profile and POSTs the newOrders together; one whose
 * "replaces" is refused is placed once more without it (RFC 9773: the
 * certificate may already be replaced, or unknown to the server). When
 * requests go out in batches, the nonces the first batch of authorizations
 * needs (and the last, with the orders' early validation polls) are
 * fetched in the same round trip. */
static void place_orders(struct acme *a, struct progress *p, size_t n)
{
	struct acme_call *calls = xcalloc(n, sizeof(*calls));
	struct progress **of = xcalloc(n, sizeof(*of));
	char **payloads = xcalloc(n, sizeof(*payloads));
	size_t k = 0, names = 0, want, last, retry, batch;

	for (size_t i = 0; i < n; i++) {
		if (check_profile(a, p[i].req->profile) != 0) {
			fail(&p[i]);
			continue;
		}
		of[k] = &p[i];
		payloads[k] = new_order_payload(p[i].req, p[i].req->replaces);
		calls[k] = (struct acme_call){ .what = "new order",
		    .url = acme_directory(a)->new_order, .payload = payloads[k] };
		names += p[i].req->nnames;
		k++;
	}
	if (k == 0)
		goto out;
	/* the nonce newOrder needs anyway also measures the link */
	if (acme_nonce_fill(a, 1) != 0) {
		fail_each(of, k);
		goto out;
	}
	batch = acme_batch_width(a);
	want = order_round_width(names, batch);
	if (early_poll_ms(a) >= 0) {
		/* the early validation polls ride with the last answers, one
		 * per order, when all of them fit within --parallel */
		last = order_last_round(names, want) + k;
		if (last <= batch && last > want)
			want = last;
	}
	acme_post_calls(a, calls, k, want > k ? want - k : 0);
	retry = 0;
	for (size_t j = 0; j < k; j++) {
		if (calls[j].error == NULL || of[j]->req->replaces == NULL ||
		    err_saved_kind(calls[j].error) != ERR_ACME)
			continue;
		logmsg(LOG_NORMAL, "the server refused to replace %s (%s); ordering without "
		    "\"replaces\"", of[j]->req->replaces, err_saved_message(calls[j].error));
		free(payloads[j]);
		payloads[j] = new_order_payload(of[j]->req, NULL);
		calls[j].payload = payloads[j];
		acme_post_calls(a, &calls[j], 1, 0);
		retry++;
	}
	for (size_t j = 0; j < k; j++) {
		struct acme_reply *r = &calls[j].reply;

		if (calls[j].error != NULL) {
			fail_call(of[j], &calls[j]);
		} else if (r->location == NULL || !json_is_object(r->json)) {
			err_set(ERR_ACME, "new order: the server sent no order URL or object");
			fail(of[j]);
		} else if (certcheck_order(r->json, of[j]->req->names, of[j]->req->nnames) != 0) {
			fail(of[j]);
		} else if (check_authzs_listed(r->json) != 0) {
			fail(of[j]);
		} else {
			of[j]->url = xstrdup(r->location);
			of[j]->order = json_incref(r->json);
			logmsg(LOG_VERBOSE, "order %s", of[j]->url);
		}
	}
out:
	acme_calls_clear(calls, k);
	for (size_t j = 0; j < k; j++)
		free(payloads[j]);
	free(payloads);
	free(calls);
	free(of);
}

/* Schedules the next poll of p's order, still status after the poll sent
 * at sent that answered r: the backoff interval x1.5 (up to 5 s) after
 * sent, or later when r asks (Retry-After), and never later than
 * POLL_LAST_MS before the deadline. 0, or -1 with ERR_NETWORK when the
 * server asks for a wait the deadline cannot hold, or no time is left for
 * another poll. */
static int schedule_poll(struct acme *a, struct progress *p, const struct acme_reply *r,
    long long sent, const char *what, const char *status)
{
	long long wait, left;
	long ra;

	p->poll_interval = p->poll_interval * 3 / 2 > POLL_MAX_MS ? POLL_MAX_MS :
	    p->poll_interval * 3 / 2;
	wait = sent + p->poll_interval - mono_ms();
	if (r->retry_after != NULL && hdr_retry_after(r->retry_after, time(NULL), &ra) == 0) {
		if (acme_wait_fits(a, ra) != 0) {
			err_prefix("%s", what);
			return -1;
		}
		/* never sooner than the backoff: "Retry-After: 0" on every
		 * answer would otherwise poll in a busy loop */
		if (ra * 1000LL > wait)
			wait = ra * 1000LL;
	}
	left = acme_left_ms(a) - POLL_LAST_MS;
	if (left <= 0) {
		err_set(ERR_NETWORK, "%s: the order is still %s, and --deadline %ld s ends "
		    "before another poll", what, status, acme_deadline_s(a));
		return -1;
	}
	p->poll_next = mono_ms() + (wait < left ? wait : left);
	return 0;
}

/* Takes the answer to a poll of p's order sent at sent: keeps the order
 * object and ends p's polling once its status is not one of the
 * space-separated wait_states, else schedules the next poll. A failed poll
 * fails p. */
static void take_poll(struct acme *a, struct progress *p, struct acme_call *call,
    long long sent, const char *what, const char *wait_states)
{
	const char *status;

	if (call->error != NULL) {
		fail_call(p, call);
		return;
	}
	if ((status = status_of(call->reply.json)) == NULL) {
		err_set(ERR_ACME, "%s: %s has no status", what, p->url);
		fail(p);
		return;
	}
	if (!status_in(status, wait_states)) {
		json_decref(p->order);
		p->order = json_incref(call->reply.json);
		p->polling = false;
		return;
	}
	if (schedule_poll(a, p, &call->reply, sent, what, status) != 0)
		fail(p);
}

/* What one fetched authorization asks of its order p: nothing when valid,
 * a published challenge when pending. Stores the challenge URL to answer
 * now in *answer (caller frees; NULL when none is due now: dns-01 ones are
 * kept in p until the records had time to spread). 0 or -1 with err. */
static int take_authz(struct progress *p, json_t *authz, char **answer)
{
	const char *status = status_of(authz);
	char *url;

	*answer = NULL;
	if (status != NULL && strcmp(status, "valid") == 0) {
		logmsg(LOG_VERBOSE, "%s: already authorized", order_authz_name(authz));
		return 0;
	}
	if (status == NULL || strcmp(status, "pending") != 0) {
		err_set(ERR_ACME, "authorization for %s is %s", order_authz_name(authz),
		    status ? status : "without status");
		return -1;
	}
	if ((url = order_publish_authz(p->req, authz)) == NULL)
		return -1;
	if (order_by_dns01(p->req, authz)) {
		p->dns_answers = xrealloc(p->dns_answers,
		    (p->ndns_answers + 2) * sizeof(*p->dns_answers));
		p->dns_answers[p->ndns_answers++] = url;
		p->dns_answers[p->ndns_answers] = NULL;
	} else {
		*answer = url;
	}
	return 0;
}

/* The orders' authorization URLs in turn: *i walks the orders and *idx an
 * order's authorizations. Stores the next one's fetch in *call and its
 * order in *of; an order listing something that is not a URL fails. False
 * when none is left. */
static bool next_authz(struct progress *p, size_t n, size_t *i, size_t *idx,
    struct acme_call *call, struct progress **of)
{
	json_t *authzs, *u;

	while (*i < n) {
		authzs = json_object_get(p[*i].order, "authorizations");
		if (!live(&p[*i]) || *idx >= json_array_size(authzs)) {
			(*i)++;
			*idx = 0;
			continue;
		}
		u = json_array_get(authzs, (*idx)++);
		if (!json_is_string(u)) {
			err_set(ERR_ACME, "the order lists an authorization that is not a URL");
			fail(&p[*i]);
			continue;
		}
		*call = (struct acme_call){ .what = "fetch authorization",
		    .url = json_string_value(u) };
		*of = &p[*i];
		return true;
	}
	return false;
}

/* True when p's validation is still to come: it had challenges answered,
 * or is pending. */
static bool awaits_validation(const struct progress *p)
{
	const char *status = status_of(p->order);

	return live(p) && (p->answered > 0 || status == NULL || strcmp(status, "pending") == 0);
}

/* Adds to the last round, calls[0..k-1] (every answer left), a validation
 * poll early_ms after the answers leave for each order awaiting validation,
 * but only when all of them fit within --parallel and the nonces at hand
 * (a nonce fetched now would cost the round trip the polls save), and no
 * order waits for dns-01 answers: finalize goes out for all orders
 * together, so polling some of them early would save no round trip, only
 * cost their nonces. Returns the new count. */
static size_t add_early_polls(struct acme *a, struct progress *p, size_t n,
    struct acme_call *calls, struct progress **of, size_t k, long long early_ms)
{
	size_t room = acme_batch_width(a), polls = 0;

	if (acme_nonces(a) < room)
		room = acme_nonces(a);
	for (size_t i = 0; i < n; i++) {
		if (live(&p[i]) && p[i].ndns_answers > 0)
			return k;
		polls += awaits_validation(&p[i]);
	}
	if (k + polls > room)
		return k;
	for (size_t i = 0; i < n; i++) {
		if (!awaits_validation(&p[i]))
			continue;
		calls[k] = (struct acme_call){ .what = "wait for validation",
		    .url = p[i].url, .delay_ms = early_ms };
		of[k++] = &p[i];
	}
	return k;
}

/* Fetches the authorizations of every order and publishes the pending
 * ones' challenges, in rounds of up to order_round_width() requests. A
 * round is filled with the fetches still to do first and then with the
 * answers ("{}": validate now) to http-01 challenges fetched before, so
 * the answers ride with the next fetches: 10 names at width 8 take 3
 * rounds, not 4 (and so at width 7, a nonce fewer). When the round trip
 * is longer than the CA is given to validate, the last round also polls
 * the orders, early_poll_ms() after the answers leave (add_early_polls).
 * dns-01 challenges are answered only after the wait for the records
 * (answer_dns_challenges). */
static void prepare_authzs(struct acme *a, struct progress *p, size_t n)
{
	size_t width, total = 0, queued = 0, head = 0, i = 0, idx = 0, k, fetches, answers;
	long long early_ms = early_poll_ms(a), start;
	struct acme_call *calls;
	struct progress **of;
	char **answer_urls;
	struct progress **queue_of;
	char **queue;

	for (size_t j = 0; j < n; j++)
		total += json_array_size(json_object_get(p[j].order, "authorizations"));
	width = order_round_width(total, acme_batch_width(a));
	/* room for the early polls, which --parallel bounds */
	calls = xcalloc(width + acme_batch_width(a), sizeof(*calls));
	of = xcalloc(width + acme_batch_width(a), sizeof(*of));
	answer_urls = xcalloc(width, sizeof(*answer_urls));
	queue = xcalloc(total + 1, sizeof(*queue));
	queue_of = xcalloc(total + 1, sizeof(*queue_of));
	for (;;) {
		k = 0;
		while (k < width && next_authz(p, n, &i, &idx, &calls[k], &of[k]))
			k++;
		fetches = k;
		for (; k < width && head < queued; head++) {
			if (!live(queue_of[head]))
				continue;
			answer_urls[k] = queue[head];
			queue[head] = NULL;
			calls[k] = (struct acme_call){ .what = "answer challenge",
			    .url = answer_urls[k], .payload = "{}" };
			of[k++] = queue_of[head];
		}
		answers = k;
		if (k == 0)
			break;
		if (fetches == 0 && head == queued && early_ms >= 0)
			k = add_early_polls(a, p, n, calls, of, k, early_ms);
		start = mono_ms();
		acme_post_calls(a, calls, k, 0);
		for (size_t j = 0; j < k; j++) {
			if (!live(of[j]))
				continue;
			if (j >= answers) {
				of[j]->poll_interval = POLL_VALIDATION_FIRST_MS;
				of[j]->polling = true;
				of[j]->polled = true;
				take_poll(a, of[j], &calls[j], start + early_ms,
				    "wait for validation", "pending");
			} else if (calls[j].error != NULL) {
				fail_call(of[j], &calls[j]);
			} else if (answer_urls[j] != NULL) {
				note_retry_after(of[j], &calls[j].reply);
				of[j]->answered++;
			} else if (take_authz(of[j], calls[j].reply.json, &queue[queued]) != 0) {
				fail(of[j]);
			} else if (queue[queued] != NULL) {
				queue_of[queued++] = of[j];
			}
		}
		acme_calls_clear(calls, k);
		for (size_t j = 0; j < answers; j++) {
			free(answer_urls[j]);
			answer_urls[j] = NULL;
		}
	}
	for (size_t j = 0; j < queued; j++)
		free(queue[j]);
	free(queue);
	free(queue_of);
	free(calls);
	free(of);
	free(answer_urls);
}

/* Waits for the dns-01 records of every order to spread (a solver shared by
 * orders waits once), then answers their challenges together. */
static void answer_dns_challenges(struct acme *a, struct progress *p, size_t n)
{
	struct acme_call *calls;
	struct progress **of;
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (live(&p[i]) && p[i].ndns_answers > 0) {
			if (dns01_wait(p[i].req->dns01, acme_left_ms(a)) != 0)
				fail(&p[i]);
			else
				m += p[i].ndns_answers;
		}
	if (m == 0)
		return;
	calls = xcalloc(m, sizeof(*calls));
	of = xcalloc(m, sizeof(*of));
	m = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; live(&p[i]) && j < p[i].ndns_answers; j++) {
			calls[m] = (struct acme_call){ .what = "answer challenge",
			    .url = p[i].dns_answers[j], .payload = "{}" };
			of[m++] = &p[i];
		}
	}
	acme_post_calls(a, calls, m, 0);
	for (size_t j = 0; j < m; j++) {
		if (calls[j].error != NULL) {
			fail_call(of[j], &calls[j]);
		} else {
			note_retry_after(of[j], &calls[j].reply);
			of[j]->answered++;
		}
	}
	acme_calls_clear(calls, m);
	free(calls);
	free(of);
}

/* POST-as-GETs the order of every p marked polling until its status is not
 * one of the space-separated wait_states, and keeps the final object. The
 * first poll is when the answer that led here asked (Retry-After; one
 * longer than what is left of the deadline fails the order at once), else
 * ~first_ms after it; one polled already (early, while that answer was in
 * flight) goes on as that poll's answer said, and not before the
 * Retry-After. Then as schedule_poll says, until the deadline; orders due
 * at the same moment are polled together. */
static void poll_orders(struct acme *a, struct progress *p, size_t n, const char *what,
    const char *wait_states, long long first_ms)
{
	struct acme_call *calls = xcalloc(n, sizeof(*calls));
	struct progress **of = xcalloc(n, sizeof(*of));
	long long now = mono_ms(), rtt = acme_rtt_ms(a), next, sent, asked;
	size_t k;

	for (size_t i = 0; i < n; i++) {
		if (p[i].polling && live(&p[i]) && p[i].retry_after_s >= 0 &&
		    acme_wait_fits(a, p[i].retry_after_s) != 0) {
			err_prefix("%s", what);
			fail(&p[i]);
		}
		asked = now + p[i].retry_after_s * 1000;
		if (p[i].polled) {
			if (p[i].retry_after_s >= 0 && asked > p[i].poll_next)
				p[i].poll_next = asked;
		} else {
			p[i].poll_interval = first_ms;
			/* the answer that brought us here left about one
			 * round trip ago, and the poll takes one more to
			 * arrive */
			p[i].poll_next = p[i].retry_after_s >= 0 ? asked :
			    now + (rtt > 0 ? first_ms - rtt : first_ms);
		}
		p[i].polled = false;
		p[i].retry_after_s = -1;
	}
	for (;;) {
		now = mono_ms();
		next = -1;
		k = 0;
		for (size_t i = 0; i < n; i++) {
			if (!p[i].polling || !live(&p[i]))
				continue;
			if (p[i].poll_next <= now) {
				calls[k] = (struct acme_call){ .what = what, .url = p[i].url };
				of[k++] = &p[i];
			} else if (next == -1 || p[i].poll_next < next) {
				next = p[i].poll_next;
			}
		}
		if (k == 0 && next == -1)
			break;
		if (k == 0) {
			sleep_ms(next - now);
			continue;
		}
		sent = mono_ms();
		acme_post_calls(a, calls, k, 0);
		for (size_t j = 0; j < k; j++)
			take_poll(a, of[j], &calls[j], sent, what, wait_states);
		acme_calls_clear(calls, k);
	}
	free(calls);
	free(of);
}

/* Marks for polling every order whose validation is still to come (it had
 * challenges answered, or is pending), and polls them; one polled early
 * is polled again only when that poll said so. */
static void await_validation(struct acme *a, struct progress *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!p[i].polled)
			p[i].polling = awaits_validation(&p[i]);
	poll_orders(a, p, n, "wait for validation", "pending", POLL_VALIDATION_FIRST_MS);
}

/* Finalizes every ready order with its CSR, together, and waits for those
 * still processing. The finalize answer is the order: when it is done, no
 * poll is needed. */
static void finalize_orders(struct acme *a, struct progress *p, size_t n)
{
	struct acme_call *calls = xcalloc(n, sizeof(*calls));
	struct progress **of = xcalloc(n, sizeof(*of));
	char **payloads = xcalloc(n, sizeof(*payloads));
	const char *url, *status;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		p[i].polling = false;
		if (!live(&p[i]) || (status = status_of(p[i].order)) == NULL ||
		    strcmp(status, "ready") != 0)
			continue;
		if ((url = json_string_value(json_object_get(p[i].order, "finalize"))) == NULL) {
			err_set(ERR_ACME, "the ready order has no finalize URL");
			fail(&p[i]);
			continue;
		}
		payloads[k] = xasprintf("{\"csr\":\"%s\"}", p[i].req->csr_b64url);
		calls[k] = (struct acme_call){ .what = "finalize order", .url = url,
		    .payload = payloads[k] };
		of[k++] = &p[i];
	}
	acme_post_calls(a, calls, k, 0);
	for (size_t j = 0; j < k; j++) {
		if (calls[j].error != NULL) {
			fail_call(of[j], &calls[j]);
			continue;
		}
		status = status_of(calls[j].reply.json);
		if (status != NULL && strcmp(status, "processing") != 0 &&
		    strcmp(status, "ready") != 0) {
			json_decref(of[j]->order);
			of[j]->order = json_incref(calls[j].reply.json);
		} else {
			note_retry_after(of[j], &calls[j].reply);
			of[j]->polling = true;
		}
	}
	acme_calls_clear(calls, k);
	for (size_t j = 0; j < k; j++)
		free(payloads[j]);
	poll_orders(a, p, n, "wait for the certificate", "processing ready",
	    POLL_ISSUANCE_FIRST_MS);
	free(payloads);
	free(calls);
	free(of);
}

/* Fails every order that did not end valid, explaining an invalid one. */
static void check_valid(struct acme *a, struct progress *p, size_t n)
{
	const char *status;

	for (size_t i = 0; i < n; i++) {
		if (!live(&p[i]))
			continue;
		status = status_of(p[i].order);
		if (status != NULL && strcmp(status, "invalid") == 0) {
			explain_invalid(a, p[i].order);
			fail(&p[i]);
		} else if (status == NULL || strcmp(status, "valid") != 0) {
			err_set(ERR_ACME, "order is %s, not valid", status ? status : "without status");
			fail(&p[i]);
		}
	}
}

/* Downloads the certificate chains of the valid orders together, then
 * picks each one's preferred chain. */
static void download_all(struct acme *a, struct progress *p, size_t n)
{
	struct acme_call *calls = xcalloc(n, sizeof(*calls));
	struct progress **of = xcalloc(n, sizeof(*of));
	const char *url;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (!live(&p[i]))
			continue;
		if ((url = json_string_value(json_object_get(p[i].order, "certificate"))) == NULL) {
			err_set(ERR_ACME, "the valid order has no certificate URL");
			fail(&p[i]);
			continue;
		}
		calls[k] = (struct acme_call){ .what = "download certificate", .url = url };
		of[k++] = &p[i];
	}
	acme_post_calls(a, calls, k, 0);
	for (size_t j = 0; j < k; j++) {
		if (calls[j].error != NULL)
			fail_call(of[j], &calls[j]);
		else if (order_choose_chain(a, of[j]->req, &calls[j].reply, of[j]->out) != 0)
			fail(of[j]);
	}
	acme_calls_clear(calls, k);
	free(calls);
	free(of);
}

size_t order_issue_all(struct acme *a, const struct order_request *reqs, size_t n,
    struct order_result *outs, struct err_saved **errors)
{
	struct progress *p = xcalloc(n ? n : 1, sizeof(*p));
	size_t failed = 0;

	for (size_t i = 0; i < n; i++) {
		memset(&outs[i], 0, sizeof(outs[i]));
		p[i].req = &reqs[i];
		p[i].out = &outs[i];
		p[i].retry_after_s = -1;
	}
	place_orders(a, p, n);
	prepare_authzs(a, p, n);
	answer_dns_challenges(a, p, n);
	await_validation(a, p, n);
	finalize_orders(a, p, n);
	check_valid(a, p, n);
	download_all(a, p, n);
	for (size_t i = 0; i < n; i++) {
		if (reqs[i].http01 != NULL)
			http01_withdraw_all(reqs[i].http01);
		if (reqs[i].dns01 != NULL)
			dns01_withdraw_all(reqs[i].dns01);
		if (reqs[i].tlsalpn != NULL)
			tlsalpn_withdraw_all(reqs[i].tlsalpn);
		if (!live(&p[i])) {
			order_result_clear(&outs[i]);
			failed++;
		}
		errors[i] = p[i].error;
		json_decref(p[i].order);
		strv_free(p[i].dns_answers);
		free(p[i].url);
	}
	free(p);
	return failed;
}

int order_issue(struct acme *a, const struct order_request *req, struct order_result *out)
{
	struct err_saved *error = NULL;

	if (order_issue_all(a, req, 1, out, &error) == 0)
		return 0;
	err_restore(error);
	return -1;
}
