/* order.h - certificate orders (RFC 8555 section 7.4): newOrder,
 * authorizations and http-01 challenges, finalize, download. */
#ifndef ACMECTL_ORDER_H
#define ACMECTL_ORDER_H

#include <stddef.h>
#include <openssl/evp.h>

#include "acme.h"
#include "http01.h"

struct order_request {
	char *const *names;       /* validated, normalised identifiers; borrowed */
	size_t nnames;
	const char *csr_b64url;   /* DER CSR, base64url; borrowed */
	struct http01 *solver;    /* borrowed */
	EVP_PKEY *account_key;    /* for key authorizations; borrowed */
	long poll_deadline_s;     /* per polling phase */
};

/* The issued certificate, PEM; all owned, release with order_result_clear. */
struct order_result {
	char *cert;        /* leaf */
	char *chain;       /* issuer certificates */
	char *fullchain;   /* leaf + issuers, as served */
};

/* Places an order for the names, answers every pending authorization's
 * http-01 challenge through the solver (withdrawn again before returning),
 * finalizes with the CSR and downloads the certificate. Returns 0, or -1
 * with err set; a failed validation is ERR_ACME naming the identifier and
 * the validator's error. */
int order_issue(struct acme *a, const struct order_request *req,
    struct order_result *out);

/* Splits a PEM chain into its first certificate and the rest. Returns 0, or
 * -1 with ERR_ACME when pem holds no certificate. Outputs: caller frees. */
int order_split_chain(const char *pem, char **leaf, char **rest);

void order_result_clear(struct order_result *r);

#endif
