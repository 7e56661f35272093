/* cmfailure.h - what cert-manager shows on its objects when the CA refuses
 * an order that acmectl ran as cert-manager would: the Challenge, the
 * Order, the CertificateRequest and the Certificate, in the words `kubectl
 * describe` prints for a release. Pure: acmectl's error record in, text out.
 *
 * The texts (the same from v1.0 to v1.21 unless noted, verified at v1.1.0,
 * v1.12.0 and v1.21.1):
 *   authorization invalid  Challenge state invalid, reason "Error accepting
 *       authorization: acme: authorization error for NAME: STATUS TYPE:
 *       DETAIL", Warning Failed "Accepting challenge authorization failed:
 *       ..."; the Order takes the CA's state, invalid, with no reason.
 *   newOrder refused       Order errored, "Failed to create Order: ERROR".
 *   finalize refused       Order errored, "Failed to finalize Order: ERROR".
 *   order invalid          Order invalid, no reason (the CA decided).
 *   then the CertificateRequest: Ready=False Failed and Warning OrderFailed
 *       "Failed to wait for order resource \"ORDER\" to become ready: order
 *       is in \"STATE\" state: REASON" (ending in ": " when REASON is empty),
 *   and the Certificate: Issuing=False Failed and Warning Failed "The
 *       certificate request has failed to complete and will be retried: "
 *       and the CertificateRequest's message.
 * ERROR is Go's acme.Error: "STATUS TYPE: DETAIL", from v1.12.0 followed by
 * "; subproblems:" and "\n\tTYPE: [ID-TYPE: ID-VALUE] DETAIL" for each.
 */
#ifndef ACMECTL_CMFAILURE_H
#define ACMECTL_CMFAILURE_H

#include "certmanager.h"
#include "err.h"

/* Every string owned; NULL when the object shows nothing for this step. */
struct cm_failure {
	const char *step;           /* static: "authorization", "newOrder", "finalize",
	                               "order" */
	char *challenge;            /* the identifier whose Challenge failed */
	char *challenge_reason;     /* its status.reason */
	char *challenge_event;      /* its Warning Failed event */
	char *authz_error;          /* "acme: authorization error for ..." */
	const char *order_state;    /* static: "invalid" or "errored" */
	char *order_reason;         /* status.reason, "" when none */
	char *request_message;      /* the CertificateRequest's (event OrderFailed) */
	char *certificate_message;  /* the Certificate's (event Failed) */
};

/* What release v shows after acmectl's order failed with message (its
 * error record's message: "validation of NAME failed: ...", "new order:
 * ...", "finalize order: ...", "order failed: ...") and problem p (the
 * CA's problem document). order_name is the Order's name as shown. 0 with
 * out filled (cm_failure_clear()); -1, recording nothing, when the failure
 * is not the CA's refusal (no problem document, or a step cert-manager
 * does not reach the same way): acmectl's own line then stands alone. */
int cm_failure_view(const struct cm_version *v, const char *message, const struct problem *p,
    const char *order_name, struct cm_failure *out);

/* Frees the strings of f and zeroes it. */
void cm_failure_clear(struct cm_failure *f);

#endif
