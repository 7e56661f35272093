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
	                               "order", "alternate" */
	char *challenge;            /* the identifier whose Challenge failed */
	char *challenge_reason;     /* its status.reason */
	char *challenge_event;      /* its Warning Failed event */
	char *authz_error;          /* "acme: authorization error for ..." */
	const char *order_state;    /* static: "invalid" or "errored" */
	char *order_reason;         /* status.reason, "" when none */
	char *request_message;      /* the CertificateRequest's (event OrderFailed) */
	char *certificate_message;  /* the Certificate's (event Failed) */
	char *sync_error;           /* "alternate": the error the Order's sync returns (the
	                               controller's log), retried while it stays */
	const char *request_event;  /* static, "alternate": the CertificateRequest's event */
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

/* cert-manager's preferredChain (the Issuer's CN preferred) on one
 * alternate chain (Link rel="alternate", at url) of an order release v
 * finalized: body (len bytes) as served, or NULL when the download
 * failed, fetch_error then acmectl's message and p the CA's problem
 * document (or NULL). Its FetchCert (golang.org/x/crypto/acme: at most
 * 5 certificates of 5 MiB, PEM blocks of type CERTIFICATE, at least one)
 * and, from v1.15.0, the top certificate's issuer CN, or before, any
 * certificate's in turn, each parsed by crypto/x509 first; no check that
 * the chain links. Returns 1 when cert-manager takes this chain as
 * served, 0 when it goes on to the next, -1 when the Order's sync fails:
 * *error is then the error it returns, wrapped as the release wraps it
 * after finalize (caller frees). From v1.0 to v1.21 every release fails
 * the sync on a chain it cannot fetch or parse. */
int cm_alternate_judge(const struct cm_version *v, const char *preferred, const char *url,
    const char *body, size_t len, const char *fetch_error, const struct problem *p,
    char **error);

/* What release v shows while the sync of the Order ORDER (in namespace
 * ns) fails with error (from cm_alternate_judge): the Order valid without
 * a certificate, the error in the controller's log only; from v1.2.0 the
 * CertificateRequest pending, event OrderPending "Waiting for
 * order-controller to add certificate data to Order NS/ORDER"; before,
 * the CertificateRequest deletes that Order (its empty certificate does
 * not decode) and creates it again, event OrderCreated "Created Order
 * resource NS/ORDER": a new order, and a new certificate, each round.
 * Fills out (step "alternate"; cm_failure_clear()). */
void cm_alternate_view(const struct cm_version *v, const char *error, const char *ns,
    const char *order_name, struct cm_failure *out);

/* Frees the strings of f and zeroes it. */
void cm_failure_clear(struct cm_failure *f);

#endif
