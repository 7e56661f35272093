/* order_int.h - what order.c, order_authz.c and order_plan.c share: one
 * authorization seen from the order's side, and the polling times. Private
 * to src/. */
#ifndef ACMECTL_ORDER_INT_H
#define ACMECTL_ORDER_INT_H

#include <stdbool.h>

#include <jansson.h>

#include "order.h"

/* From the answer that starts a wait to the first poll, when that answer
 * has no Retry-After: validation needs the CA to reach the host (the
 * issue's band is 50-100 ms); issuance is the CA's own work, and a CA that
 * needs longer says so (Let's Encrypt answers finalize with Retry-After 3). */
#define POLL_VALIDATION_FIRST_MS 50
#define POLL_ISSUANCE_FIRST_MS 20
#define POLL_MAX_MS 5000   /* the longest backoff between polls */
/* The last poll goes out this long before the deadline, so its answer can
 * still arrive. */
#define POLL_LAST_MS 1000

/* The value of authz's identifier ("example.org"), "?" when it has none.
 * Borrowed from authz. */
const char *order_authz_name(json_t *authz);

/* True when authz is answered through the dns hook: every one with the
 * hook alone, those the request's chooser names when it has both. */
bool order_by_dns01(const struct order_request *req, json_t *authz);

/* Publishes the key authorization for one pending authorization's
 * challenge (through the dns hook, the tls-alpn-01 or the http-01 solver),
 * runs the request's before_answer check, and returns the challenge URL to
 * answer (caller frees), or NULL with err set. A CA asking to validate a
 * name that was not ordered gets nothing published for it: no hook runs,
 * no record, no certificate. */
char *order_publish_authz(const struct order_request *req, json_t *authz);

#endif
