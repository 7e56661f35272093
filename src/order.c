/* order.c - one certificate order: newOrder, http-01 authorizations,
 * finalize, download. Polls the order, not each authorization: one request
 * covers them all, and authorizations are fetched again only to explain an
 * invalid one. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "certinfo.h"
#include "err.h"
#include "hdr.h"
#include "ident.h"
#include "jws.h"
#include "log.h"
#include "order.h"
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

/* The challenge this order answers: dns-01 with a dns hook, else http-01. */
static const char *challenge_type(const struct order_request *req)
{
	return req->dns01 != NULL ? "dns-01" : "http-01";
}

/* The challenge object of the given type in an authorization, or NULL. Borrowed. */
static json_t *find_challenge(json_t *authz, const char *want)
{
	json_t *chs = json_object_get(authz, "challenges"), *ch;
	size_t i;

	json_array_foreach(chs, i, ch) {
		const char *type = json_string_value(json_object_get(ch, "type"));

		if (type != NULL && strcmp(type, want) == 0)
			return ch;
	}
	return NULL;
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

/* "dns:example.org" style label of an authorization's identifier. Borrowed. */
static const char *authz_name(json_t *authz)
{
	const char *v = json_string_value(json_object_get(
	    json_object_get(authz, "identifier"), "value"));

	return v ? v : "?";
}

/* Publishes the key authorization for one pending authorization's
 * challenge and returns the challenge URL to answer (caller frees), or NULL
 * with err set. */
static char *publish_authz(const struct order_request *req, json_t *authz)
{
	json_t *ch = find_challenge(authz, challenge_type(req));
	const char *token, *url, *name = authz_name(authz);
	char *keyauth = NULL, *answer = NULL;

	if (ch == NULL) {
		err_set(ERR_ACME, "the server offers no %s challenge for %s",
		    challenge_type(req), name);
		goto out;
	}
	token = json_string_value(json_object_get(ch, "token"));
	url = json_string_value(json_object_get(ch, "url"));
	if (token == NULL || url == NULL) {
		err_set(ERR_ACME, "the %s challenge for %s lacks a token or url",
		    challenge_type(req), name);
		goto out;
	}
	if ((keyauth = jws_key_authorization(req->account_key, token)) == NULL)
		goto out;
	if (req->dns01 != NULL ? dns01_publish(req->dns01, name, keyauth) :
	    http01_publish(req->http01, token, keyauth))
		goto out;
	answer = xstrdup(url);
out:
	free(keyauth);
	return answer;
}

/* Fetches each authorization of an invalid order and records the first
 * failed challenge's error as ERR_ACME naming its identifier. Always -1. */
static int explain_invalid(struct acme *a, json_t *order)
{
	json_t *authzs = json_object_get(order, "authorizations"), *u;
	struct acme_reply r = { 0 };
	size_t i;

	json_array_foreach(authzs, i, u) {
		json_t *ch, *error;
		struct problem *prob;
		char *doc;

		if (acme_post(a, "fetch authorization", json_string_value(u), NULL, false, &r) != 0)
			return -1;
		ch = failed_challenge(r.json);
		error = json_object_get(ch, "error");
		if (json_is_object(error)) {
			doc = json_dumps(error, JSON_COMPACT);
			prob = problem_parse(doc, strlen(doc), 0);
			free(doc);
			if (prob != NULL) {
				err_problem(prob, "validation of %s failed", authz_name(r.json));
				acme_reply_clear(&r);
				return -1;
			}
		}
		acme_reply_clear(&r);
	}
	if (json_is_object(json_object_get(order, "error"))) {
		char *doc = json_dumps(json_object_get(order, "error"), JSON_COMPACT);
		struct problem *prob = problem_parse(doc, strlen(doc), 0);

		free(doc);
		if (prob != NULL) {
			err_problem(prob, "order failed");
			return -1;
		}
	}
	err_set(ERR_ACME, "order became invalid without saying why");
	return -1;
}

int order_split_chain(const char *pem, char **leaf, char **rest)
{
	static const char end[] = "-----END CERTIFICATE-----";
	const char *e = strstr(pem, end), *next;

	if (strstr(pem, "-----BEGIN CERTIFICATE-----") == NULL || e == NULL) {
		err_set(ERR_ACME, "the server sent no PEM certificate");
		return -1;
	}
	e += strlen(end);
	next = e + strspn(e, "\r\n");
	*leaf = xasprintf("%.*s\n", (int)(e - pem), pem);
	*rest = xstrdup(next);
	return 0;
}

void order_result_clear(struct order_result *r)
{
	free(r->cert);
	free(r->chain);
	free(r->fullchain);
	memset(r, 0, sizeof(*r));
}

/* True when the top certificate of a PEM chain was issued by a CA whose
 * CN is cn: cert-manager's preferredChain rule. */
static bool chain_matches(const char *pem, const char *cn)
{
	char *top = certinfo_top_issuer_cn(pem);
	bool match = top != NULL && strcmp(top, cn) == 0;

	free(top);
	return match;
}

/* Fills out from a PEM chain. 0 or -1 with err. */
static int take_chain(const char *pem, struct order_result *out)
{
	order_result_clear(out);
	if (order_split_chain(pem, &out->cert, &out->chain) != 0)
		return -1;
	out->fullchain = xstrdup(pem);
	return 0;
}

/* Downloads the certificate chain of a valid order; with a preferred chain,
 * looks through the alternates (Link rel="alternate") when the default
 * does not match, keeping the default when none does. 0 or -1 with err. */
static int download(struct acme *a, const struct order_request *req, json_t *order,
    struct order_result *out)
{
	const char *url = json_string_value(json_object_get(order, "certificate"));
	struct acme_reply r = { 0 }, alt = { 0 };
	char **alternates = NULL;
	int rc = -1;

	if (url == NULL) {
		err_set(ERR_ACME, "the valid order has no certificate URL");
		return -1;
	}
	if (acme_post(a, "download certificate", url, NULL, false, &r) != 0)
		return -1;
	if (take_chain(r.body, out) != 0)
		goto out;
	rc = 0;
	if (req->preferred_chain == NULL || chain_matches(r.body, req->preferred_chain))
		goto out;
	alternates = hdr_links((const char *const *)r.links, "alternate");
	for (size_t i = 0; alternates[i] != NULL; i++) {
		if (acme_post(a, "download alternate chain", alternates[i], NULL, false, &alt) != 0) {
			rc = -1;
			goto out;
		}
		if (chain_matches(alt.body, req->preferred_chain)) {
			logmsg(LOG_VERBOSE, "using the alternate chain %s (top issuer \"%s\")",
			    alternates[i], req->preferred_chain);
			rc = take_chain(alt.body, out);
			goto out;
		}
		acme_reply_clear(&alt);
	}
	logmsg(LOG_NORMAL, "no chain has the preferred top issuer \"%s\"; "
	    "keeping the default chain", req->preferred_chain);
out:
	strv_free(alternates);
	acme_reply_clear(&alt);
	acme_reply_clear(&r);
	return rc;
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

/* POSTs one newOrder. When requests go out in batches, the nonces the first
 * batch of authorizations needs are fetched in the same round trip. */
static int post_new_order(struct acme *a, const struct order_request *req,
    const char *payload, struct acme_reply *r)
{
	char *url = (char *)acme_directory(a)->new_order;
	size_t width;

	/* the nonce newOrder needs anyway also measures the link */
	if (acme_nonce_fill(a, 1) != 0)
		return -1;
	width = acme_batch_width(a);
	if (width == 1)
		return acme_post(a, "new order", url, payload, false, r);
	return acme_post_many(a, "new order", &url, payload, 1,
	    (req->nnames < width ? req->nnames : width) - 1, r);
}

/* POSTs newOrder; when "replaces" is rejected, once more without it (RFC
 * 9773: the certificate may already be replaced, or unknown to the
 * server). Fills r. 0 or -1 with err. */
static int new_order(struct acme *a, const struct order_request *req, struct acme_reply *r)
{
	char *payload = new_order_payload(req, req->replaces);
	int rc;

	rc = post_new_order(a, req, payload, r);
	if (rc != 0 && req->replaces != NULL && err_kind() == ERR_ACME) {
		logmsg(LOG_NORMAL, "the server refused to replace %s (%s); ordering without "
		    "\"replaces\"", req->replaces, err_message());
		err_clear();
		free(payload);
		payload = new_order_payload(req, NULL);
		rc = post_new_order(a, req, payload, r);
	}
	free(payload);
	return rc;
}

/* POSTs "{}" to n challenge URLs, in batches, to have them validated.
 * 0 or -1 with err. */
static int answer_challenges(struct acme *a, char *const *urls, size_t n)
{
	size_t width = acme_batch_width(a), k;
	struct acme_reply *r = xcalloc(width, sizeof(*r));
	int rc = -1;

	for (size_t start = 0; start < n; start += k) {
		k = n - start < width ? n - start : width;
		if (acme_post_many(a, "answer challenge", urls + start, "{}", k, 0, r) != 0)
			goto out;
		for (size_t i = 0; i < k; i++)
			acme_reply_clear(&r[i]);
	}
	rc = 0;
out:
	free(r);
	return rc;
}

/* Fetches the order's authorizations in batches and publishes the pending
 * ones' challenges. http-01 challenges are answered batch by batch, so the
 * server validates while the next batch is fetched; dns-01 ones only after
 * the wait for the records, so their URLs are kept in *answers (with
 * *nanswers). *answered counts the challenges answered here. *answers:
 * NULL-terminated, caller strv_free()s. 0 or -1 with err. */
static int prepare_authzs(struct acme *a, const struct order_request *req, json_t *order,
    char ***answers, size_t *nanswers, size_t *answered)
{
	json_t *authzs = json_object_get(order, "authorizations");
	size_t nauthz = json_array_size(authzs), width = acme_batch_width(a), k, i;
	char **urls = xcalloc(nauthz + 1, sizeof(*urls));
	struct acme_reply *r = xcalloc(width, sizeof(*r));
	const char *status;
	size_t batch_from;
	int rc = -1;

	*answers = xcalloc(nauthz + 1, sizeof(**answers));
	for (i = 0; i < nauthz; i++) {
		if ((urls[i] = (char *)json_string_value(json_array_get(authzs, i))) == NULL) {
			err_set(ERR_ACME, "the order lists an authorization that is not a URL");
			goto out;
		}
	}
	for (size_t start = 0; start < nauthz; start += k) {
		k = nauthz - start < width ? nauthz - start : width;
		if (acme_post_many(a, "fetch authorization", urls + start, NULL, k, 0, r) != 0)
			goto out;
		batch_from = *nanswers;
		for (i = 0; i < k; i++) {
			status = json_string_value(json_object_get(r[i].json, "status"));
			if (status != NULL && strcmp(status, "valid") == 0) {
				logmsg(LOG_VERBOSE, "%s: already authorized", authz_name(r[i].json));
			} else if (status != NULL && strcmp(status, "pending") == 0) {
				if (((*answers)[*nanswers] = publish_authz(req, r[i].json)) == NULL)
					goto out;
				(*nanswers)++;
			} else {
				err_set(ERR_ACME, "authorization for %s is %s", authz_name(r[i].json),
				    status ? status : "without status");
				goto out;
			}
		}
		for (i = 0; i < k; i++)
			acme_reply_clear(&r[i]);
		if (req->dns01 == NULL) {
			if (answer_challenges(a, *answers + batch_from, *nanswers - batch_from) != 0)
				goto out;
			*answered += *nanswers - batch_from;
		}
	}
	rc = 0;
out:
	for (i = 0; i < width; i++)
		acme_reply_clear(&r[i]);
	free(r);
	free(urls);
	return rc;
}

/* Finalizes a ready order with the CSR and waits until it is no longer
 * processing. Replaces *order with the final object. 0 or -1 with err. */
static int finalize(struct acme *a, const struct order_request *req, const char *order_url,
    json_t **order)
{
	const char *url = json_string_value(json_object_get(*order, "finalize"));
	struct acme_reply r = { 0 };
	const char *status;
	char *payload;
	int rc = -1;

	if (url == NULL) {
		err_set(ERR_ACME, "the ready order has no finalize URL");
		return -1;
	}
	payload = xasprintf("{\"csr\":\"%s\"}", req->csr_b64url);
	if (acme_post(a, "finalize order", url, payload, false, &r) != 0)
		goto out;
	json_decref(*order);
	*order = NULL;
	status = json_string_value(json_object_get(r.json, "status"));
	/* the finalize answer is the order: when it is done, no poll is needed */
	if (status != NULL && strcmp(status, "processing") != 0 && strcmp(status, "ready") != 0)
		*order = json_incref(r.json);
	else if (acme_poll(a, "wait for the certificate", order_url, "processing ready",
	    req->poll_deadline_s, order) != 0)
		goto out;
	rc = 0;
out:
	acme_reply_clear(&r);
	free(payload);
	return rc;
}

int order_issue(struct acme *a, const struct order_request *req, struct order_result *out)
{
	struct acme_reply r = { 0 };
	json_t *order = NULL;
	const char *status;
	char *order_url = NULL, **answers = NULL;
	size_t answered = 0, nanswers = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (check_profile(a, req->profile) != 0 || new_order(a, req, &r) != 0)
		goto out;
	if (r.location == NULL || !json_is_object(r.json)) {
		err_set(ERR_ACME, "new order: the server sent no order URL or object");
		goto out;
	}
	order_url = xstrdup(r.location);
	order = json_incref(r.json);
	acme_reply_clear(&r);
	logmsg(LOG_VERBOSE, "order %s", order_url);

	if (prepare_authzs(a, req, order, &answers, &nanswers, &answered) != 0)
		goto out;
	if (req->dns01 != NULL) {
		dns01_wait(req->dns01);
		if (answer_challenges(a, answers, nanswers) != 0)
			goto out;
		answered = nanswers;
	}
	status = json_string_value(json_object_get(order, "status"));
	if (answered > 0 || status == NULL || strcmp(status, "pending") == 0) {
		json_decref(order);
		order = NULL;
		if (acme_poll(a, "wait for validation", order_url, "pending",
		    req->poll_deadline_s, &order) != 0)
			goto out;
	}
	status = json_string_value(json_object_get(order, "status"));
	if (strcmp(status, "ready") == 0) {
		if (finalize(a, req, order_url, &order) != 0)
			goto out;
		status = json_string_value(json_object_get(order, "status"));
	}
	if (status != NULL && strcmp(status, "invalid") == 0) {
		explain_invalid(a, order);
		goto out;
	}
	if (status == NULL || strcmp(status, "valid") != 0) {
		err_set(ERR_ACME, "order is %s, not valid", status ? status : "without status");
		goto out;
	}
	if (download(a, req, order, out) != 0)
		goto out;
	rc = 0;
out:
	if (req->http01 != NULL)
		http01_withdraw_all(req->http01);
	if (req->dns01 != NULL)
		dns01_withdraw_all(req->dns01);
	if (rc != 0)
		order_result_clear(out);
	acme_reply_clear(&r);
	json_decref(order);
	strv_free(answers);
	free(order_url);
	return rc;
}
