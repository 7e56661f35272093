/* order_int.h - what order.c and order_authz.c share: one authorization
 * seen from the order's side. Private to src/. */
#ifndef ACMECTL_ORDER_INT_H
#define ACMECTL_ORDER_INT_H

#include <stdbool.h>

#include <jansson.h>

#include "order.h"

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
