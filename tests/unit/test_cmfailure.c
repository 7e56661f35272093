/* test_cmfailure.c - cert-manager's objects after the CA refused an order:
 * one row per refusal acmectl meets (validation, newOrder, finalize, the
 * order turning invalid) and per release where the wording differs. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmfailure.h"
#include "err.h"
#include "test.h"
#include "util.h"

#define ORDER "web-xxxxx-NNNNNNNNNN"
#define WAIT "Failed to wait for order resource \"" ORDER "\" to become ready: order is in "
#define RETRY "The certificate request has failed to complete and will be retried: "
#define UNAUTH "urn:ietf:params:acme:error:unauthorized"
#define REJECTED "urn:ietf:params:acme:error:rejectedIdentifier"

static struct subproblem subs[] = {
	{ REJECTED, "Domain name contains an invalid character", "dns", "a_b.example" },
	{ REJECTED, "Forbidden by policy", NULL, NULL },
};

static const struct {
	const char *release;
	const char *message;        /* acmectl's error message */
	struct problem p;
	const char *step;           /* NULL: not the CA's refusal, nothing shown */
	const char *challenge_reason;
	const char *order_reason;
	const char *certificate;    /* the Certificate's message */
	const char *why;
} rows[] = {
	{ "v1.21.1", "validation of a.example failed: " UNAUTH ": 404 for the token",
	  { UNAUTH, "Invalid response from http://a.example/.well-known/acme-challenge/t: 404",
	    403, NULL, 0 }, "authorization",
	  "Error accepting authorization: acme: authorization error for a.example: 403 " UNAUTH
	  ": Invalid response from http://a.example/.well-known/acme-challenge/t: 404", "",
	  RETRY WAIT "\"invalid\" state: ",
	  "a failed validation: the Challenge says why, the Order is invalid with no reason, "
	  "so the request's message ends in \": \"" },
	{ "v1.1.0", "validation of a.example failed: x", { UNAUTH, "d", 403, NULL, 0 },
	  "authorization", "Error accepting authorization: acme: authorization error for "
	  "a.example: 403 " UNAUTH ": d", "", RETRY WAIT "\"invalid\" state: ",
	  "the same words in the oldest modelled release" },
	{ "v1.21.1", "new order: " REJECTED ": bad names",
	  { REJECTED, "Cannot issue for 2 identifiers", 400, subs, 2 }, "newOrder", NULL,
	  "Failed to create Order: 400 " REJECTED ": Cannot issue for 2 identifiers; "
	  "subproblems:\n\t" REJECTED ": [dns: a_b.example] Domain name contains an invalid "
	  "character\n\t" REJECTED ": Forbidden by policy",
	  RETRY WAIT "\"errored\" state: Failed to create Order: 400 " REJECTED ": Cannot issue "
	  "for 2 identifiers; subproblems:\n\t" REJECTED ": [dns: a_b.example] Domain name "
	  "contains an invalid character\n\t" REJECTED ": Forbidden by policy",
	  "newOrder refused (4xx): the Order errored, Go's acme.Error with its subproblems" },
	{ "v1.11.0", "new order: " REJECTED ": bad names",
	  { REJECTED, "Cannot issue for 2 identifiers", 400, subs, 2 }, "newOrder", NULL,
	  "Failed to create Order: 400 " REJECTED ": Cannot issue for 2 identifiers",
	  RETRY WAIT "\"errored\" state: Failed to create Order: 400 " REJECTED ": Cannot issue "
	  "for 2 identifiers", "before v1.12.0 the acme.Error text has no subproblems" },
	{ "v1.16.0", "finalize order: urn:ietf:params:acme:error:badCSR: key too small",
	  { "urn:ietf:params:acme:error:badCSR", "key too small", 400, NULL, 0 }, "finalize",
	  NULL, "Failed to finalize Order: 400 urn:ietf:params:acme:error:badCSR: key too small",
	  RETRY WAIT "\"errored\" state: Failed to finalize Order: 400 "
	  "urn:ietf:params:acme:error:badCSR: key too small", "finalize refused with a 4xx" },
	{ "v1.21.1", "order failed: urn:ietf:params:acme:error:serverInternal: x",
	  { "urn:ietf:params:acme:error:serverInternal", "x", 500, NULL, 0 }, "order", NULL, "",
	  RETRY WAIT "\"invalid\" state: ",
	  "the CA turned the order invalid itself: cert-manager copies the state, no reason" },
	{ "v1.21.1", "finalize order: urn:ietf:params:acme:error:serverInternal: busy",
	  { "urn:ietf:params:acme:error:serverInternal", "busy", 503, NULL, 0 }, NULL, NULL, NULL,
	  NULL, "a 5xx at finalize is retried by cert-manager: no failed object to show" },
	{ "v1.21.1", "new order: connection refused", { NULL, NULL, 0, NULL, 0 }, NULL, NULL,
	  NULL, NULL, "a network failure is acmectl's own line, not the CA's refusal" },
};

int main(void)
{
	for (size_t i = 0; i < nitems(rows); i++) {
		struct cm_version v;
		struct cm_failure f;
		int rc;

		CHECK(cm_version_parse(rows[i].release, &v) == 0, "%s", rows[i].why);
		rc = cm_failure_view(&v, rows[i].message, rows[i].p.type != NULL ? &rows[i].p : NULL,
		    ORDER, &f);
		if (rows[i].step == NULL) {
			CHECK(rc == -1 && f.step == NULL, "%s: nothing shown", rows[i].why);
			continue;
		}
		CHECK(rc == 0, "%s: shown", rows[i].why);
		CHECK_STR(f.step, rows[i].step, rows[i].why);
		CHECK_STR(f.challenge_reason, rows[i].challenge_reason, rows[i].why);
		CHECK_STR(f.order_reason, rows[i].order_reason, rows[i].why);
		CHECK_STR(f.certificate_message, rows[i].certificate, rows[i].why);
		CHECK(f.certificate_message != NULL && f.request_message != NULL &&
		    strcmp(f.certificate_message + strlen(RETRY), f.request_message) == 0,
		    "%s: the Certificate repeats the request's message", rows[i].why);
		cm_failure_clear(&f);
	}
	return test_done();
}
