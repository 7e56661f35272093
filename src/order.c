/* order.c - one certificate order: newOrder, http-01 authorizations,
 * finalize, download. Polls the order, not each authorization: one request
 * covers them all, and authorizations are fetched again only to explain an
 * invalid one. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "ident.h"
#include "jws.h"
#include "log.h"
#include "order.h"
#include "util.h"

/* Builds the newOrder payload {"identifiers":[{type,value}...]}. Caller frees. */
static char *new_order_payload(const struct order_request *req)
{
	json_t *ids = json_array(), *p;
	char *s;

	for (size_t i = 0; i < req->nnames; i++)
		json_array_append_new(ids, json_pack("{s:s,s:s}",
		    "type", ident_type(req->names[i]), "value", req->names[i]));
	p = json_pack("{s:o}", "identifiers", ids);
	s = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	return s;
}

/* The http-01 challenge object of an authorization, or NULL. Borrowed. */
static json_t *find_http01(json_t *authz)
{
	json_t *chs = json_object_get(authz, "challenges"), *ch;
	size_t i;

	json_array_foreach(chs, i, ch) {
		const char *type = json_string_value(json_object_get(ch, "type"));

		if (type != NULL && strcmp(type, "http-01") == 0)
			return ch;
	}
	return NULL;
}

/* "dns:example.org" style label of an authorization's identifier. Borrowed. */
static const char *authz_name(json_t *authz)
{
	const char *v = json_string_value(json_object_get(
	    json_object_get(authz, "identifier"), "value"));

	return v ? v : "?";
}

/* Answers the http-01 challenge of one pending authorization: publishes the
 * key authorization and tells the server to validate. 0 or -1 with err. */
static int answer_authz(struct acme *a, const struct order_request *req, json_t *authz)
{
	json_t *ch = find_http01(authz);
	const char *token, *url, *name = authz_name(authz);
	struct acme_reply r = { 0 };
	char *keyauth = NULL;
	int rc = -1;

	if (ch == NULL) {
		err_set(ERR_ACME, "the server offers no http-01 challenge for %s", name);
		goto out;
	}
	token = json_string_value(json_object_get(ch, "token"));
	url = json_string_value(json_object_get(ch, "url"));
	if (token == NULL || url == NULL) {
		err_set(ERR_ACME, "the http-01 challenge for %s lacks a token or url", name);
		goto out;
	}
	if ((keyauth = jws_key_authorization(req->account_key, token)) == NULL)
		goto out;
	if (http01_publish(req->solver, token, keyauth) != 0)
		goto out;
	if (acme_post(a, "answer challenge", url, "{}", false, &r) != 0) {
		err_prefix("%s", name);
		goto out;
	}
	logmsg(LOG_VERBOSE, "http-01 challenge for %s answered", name);
	rc = 0;
out:
	free(keyauth);
	acme_reply_clear(&r);
	return rc;
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
		ch = find_http01(r.json);
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

/* Downloads the certificate chain of a valid order. 0 or -1 with err. */
static int download(struct acme *a, json_t *order, struct order_result *out)
{
	const char *url = json_string_value(json_object_get(order, "certificate"));
	struct acme_reply r = { 0 };
	int rc = -1;

	if (url == NULL) {
		err_set(ERR_ACME, "the valid order has no certificate URL");
		return -1;
	}
	if (acme_post(a, "download certificate", url, NULL, false, &r) != 0)
		return -1;
	if (order_split_chain(r.body, &out->cert, &out->chain) != 0)
		goto out;
	out->fullchain = xstrdup(r.body);
	rc = 0;
out:
	acme_reply_clear(&r);
	return rc;
}

int order_issue(struct acme *a, const struct order_request *req, struct order_result *out)
{
	struct acme_reply r = { 0 };
	json_t *order = NULL, *polled = NULL, *u;
	const char *status, *finalize;
	char *payload = NULL, *order_url = NULL;
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	payload = new_order_payload(req);
	if (acme_post(a, "new order", acme_directory(a)->new_order, payload, false, &r) != 0)
		goto out;
	if (r.location == NULL || !json_is_object(r.json)) {
		err_set(ERR_ACME, "new order: the server sent no order URL or object");
		goto out;
	}
	order_url = xstrdup(r.location);
	order = json_incref(r.json);
	acme_reply_clear(&r);
	logmsg(LOG_VERBOSE, "order %s", order_url);

	json_array_foreach(json_object_get(order, "authorizations"), i, u) {
		const char *authz_status;

		if (acme_post(a, "fetch authorization", json_string_value(u), NULL, false, &r) != 0)
			goto out;
		authz_status = json_string_value(json_object_get(r.json, "status"));
		if (authz_status != NULL && strcmp(authz_status, "valid") == 0) {
			logmsg(LOG_VERBOSE, "%s: already authorized", authz_name(r.json));
		} else if (authz_status != NULL && strcmp(authz_status, "pending") == 0) {
			if (answer_authz(a, req, r.json) != 0)
				goto out;
		} else {
			err_set(ERR_ACME, "authorization for %s is %s", authz_name(r.json),
			    authz_status ? authz_status : "without status");
			goto out;
		}
		acme_reply_clear(&r);
	}

	if (acme_poll(a, "wait for validation", order_url, "pending", req->poll_deadline_s, &polled) != 0)
		goto out;
	json_decref(order);
	order = polled;
	polled = NULL;
	status = json_string_value(json_object_get(order, "status"));
	if (strcmp(status, "invalid") == 0) {
		explain_invalid(a, order);
		goto out;
	}
	if (strcmp(status, "ready") == 0) {
		finalize = json_string_value(json_object_get(order, "finalize"));
		free(payload);
		payload = xasprintf("{\"csr\":\"%s\"}", req->csr_b64url);
		if (finalize == NULL ||
		    acme_post(a, "finalize order", finalize, payload, false, &r) != 0)
			goto out;
		status = json_string_value(json_object_get(r.json, "status"));
		if (status != NULL && strcmp(status, "valid") == 0) {
			json_decref(order);
			order = json_incref(r.json);
		} else {
			json_decref(order);
			order = NULL;
			if (acme_poll(a, "wait for the certificate", order_url,
			    "processing ready", req->poll_deadline_s, &order) != 0)
				goto out;
		}
		acme_reply_clear(&r);
		status = json_string_value(json_object_get(order, "status"));
	}
	if (status == NULL || strcmp(status, "valid") != 0) {
		if (status != NULL && strcmp(status, "invalid") == 0) {
			explain_invalid(a, order);
			goto out;
		}
		err_set(ERR_ACME, "order is %s, not valid", status ? status : "without status");
		goto out;
	}
	if (download(a, order, out) != 0)
		goto out;
	rc = 0;
out:
	http01_withdraw_all(req->solver);
	if (rc != 0)
		order_result_clear(out);
	acme_reply_clear(&r);
	json_decref(order);
	json_decref(polled);
	free(order_url);
	free(payload);
	return rc;
}
