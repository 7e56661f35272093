/* order_authz.c - one authorization of an order: which challenge answers
 * it, and publishing its key authorization through the request's solver
 * (a dns-01 record where the request says, the tls-alpn-01 certificate, or
 * the http-01 file). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns01.h"
#include "err.h"
#include "http01.h"
#include "jws.h"
#include "order_int.h"
#include "tlsalpn.h"
#include "util.h"

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

const char *order_authz_name(json_t *authz)
{
	const char *v = json_string_value(json_object_get(
	    json_object_get(authz, "identifier"), "value"));

	return v ? v : "?";
}

bool order_by_dns01(const struct order_request *req, json_t *authz)
{
	if (req->dns01 == NULL || req->http01 == NULL || req->answers_dns01 == NULL)
		return req->dns01 != NULL;
	return req->answers_dns01(req->before_answer_arg, order_authz_name(authz),
	    json_is_true(json_object_get(authz, "wildcard")));
}

/* The challenge authz is answered with: dns-01 through the dns hook,
 * tls-alpn-01 with its responder, else http-01. */
static const char *challenge_type(const struct order_request *req, json_t *authz)
{
	return order_by_dns01(req, authz) ? "dns-01" : req->tlsalpn != NULL ? "tls-alpn-01" :
	    "http-01";
}

int order_authz_challenge(json_t *authz, const char *type, const char **token,
    const char **url)
{
	json_t *ch = find_challenge(authz, type);

	if (ch == NULL) {
		err_set(ERR_ACME, "the server offers no %s challenge for %s",
		    type, order_authz_name(authz));
		return -1;
	}
	*token = json_string_value(json_object_get(ch, "token"));
	*url = json_string_value(json_object_get(ch, "url"));
	if (*token == NULL || *url == NULL) {
		err_set(ERR_ACME, "the %s challenge for %s lacks a token or url",
		    type, order_authz_name(authz));
		return -1;
	}
	return 0;
}

/* True when authz is for one of the names ordered (a wildcard's as its
 * base name with "wildcard": true). */
static bool authz_is_ordered(const struct order_request *req, json_t *authz)
{
	const char *name = order_authz_name(authz);
	bool wildcard = json_is_true(json_object_get(authz, "wildcard"));

	for (size_t i = 0; i < req->nnames; i++) {
		const char *ordered = req->names[i];

		if (wildcard != (strncmp(ordered, "*.", 2) == 0))
			continue;
		if (strcasecmp(wildcard ? ordered + 2 : ordered, name) == 0)
			return true;
	}
	return false;
}

/* Publishes name's dns-01 record where the request says, else at
 * _acme-challenge.NAME. */
static int publish_dns01(const struct order_request *req, json_t *authz, const char *name,
    const char *keyauth)
{
	char *record;
	int rc;

	if (req->dns01_record == NULL)
		return dns01_publish(req->dns01, name, keyauth);
	if ((record = req->dns01_record(req->before_answer_arg, name,
	    json_is_true(json_object_get(authz, "wildcard")))) == NULL)
		return -1;
	rc = dns01_publish_at(req->dns01, record, keyauth);
	free(record);
	return rc;
}

char *order_publish_authz(const struct order_request *req, json_t *authz)
{
	const char *token, *url, *name = order_authz_name(authz);
	char *keyauth = NULL, *answer = NULL;

	if (!authz_is_ordered(req, authz)) {
		err_set(ERR_ACME, "the CA asks to validate %s, which was not ordered; "
		    "nothing was published for it", name);
		goto out;
	}
	if (order_authz_challenge(authz, challenge_type(req, authz), &token, &url) != 0)
		goto out;
	if ((keyauth = jws_key_authorization(req->account_key, token)) == NULL)
		goto out;
	if (order_by_dns01(req, authz) ? publish_dns01(req, authz, name, keyauth) :
	    req->tlsalpn != NULL ? tlsalpn_publish(req->tlsalpn, name, keyauth) :
	    http01_publish(req->http01, token, keyauth))
		goto out;
	if (req->before_answer != NULL && req->before_answer(req->before_answer_arg, name,
	    json_is_true(json_object_get(authz, "wildcard")), token, keyauth) != 0)
		goto out;
	answer = xstrdup(url);
out:
	free(keyauth);
	return answer;
}
