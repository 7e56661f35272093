/* cmfailure.c - cert-manager's objects after the CA refused an order (see
 * cmfailure.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cmfailure.h"
#include "util.h"

#define RETRY_PREFIX "The certificate request has failed to complete and will be retried: "

/* golang.org/x/crypto/acme's FetchCert: maxChainLen certificates, and
 * maxCertChainSize + maxCertChainSize/33 bytes (1 MiB a certificate,
 * "very roughly" base64) */
#define GO_CHAIN_LEN 5
#define GO_CHAIN_BYTES (5 * 1048576 + 5 * 1048576 / 33)

/* Go's acme.Error text of p as release v prints it. Caller frees. */
static char *acme_error(const struct cm_version *v, const struct problem *p)
{
	static const struct cm_version v1_12 = { 1, 12, 0 };
	char *s = xasprintf("%ld %s: %s", p->status, p->type != NULL ? p->type : "",
	    p->detail != NULL ? p->detail : ""), *next;

	if (p->nsub == 0 || cm_version_cmp(v, &v1_12) < 0)
		return s;
	next = xasprintf("%s; subproblems:", s);
	free(s);
	s = next;
	for (size_t i = 0; i < p->nsub; i++) {
		const struct subproblem *sp = &p->sub[i];

		if (sp->id_type != NULL || sp->id_value != NULL)
			next = xasprintf("%s\n\t%s: [%s: %s] %s", s, sp->type ? sp->type : "",
			    sp->id_type ? sp->id_type : "", sp->id_value ? sp->id_value : "",
			    sp->detail ? sp->detail : "");
		else
			next = xasprintf("%s\n\t%s: %s", s, sp->type ? sp->type : "",
			    sp->detail ? sp->detail : "");
		free(s);
		s = next;
	}
	return s;
}

/* The identifier of "validation of NAME failed...", or NULL. */
static char *validated_name(const char *message)
{
	const char *end;

	if (strncmp(message, "validation of ", 14) != 0 ||
	    (end = strstr(message + 14, " failed")) == NULL)
		return NULL;
	return xstrndup(message + 14, (size_t)(end - message - 14));
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The step of acmectl's message and the Order cert-manager ends with. */
static int order_side(const struct cm_version *v, const char *message, const struct problem *p,
    struct cm_failure *f)
{
	char *err;

	if ((f->challenge = validated_name(message)) != NULL) {
		f->step = "authorization";
		f->order_state = "invalid";
		f->order_reason = xstrdup("");
		return 0;
	}
	if (starts(message, "order failed")) {
		f->step = "order";
		f->order_state = "invalid";
		f->order_reason = xstrdup("");
		return 0;
	}
	if (!starts(message, "new order") && !starts(message, "finalize order"))
		return -1;
	/* any 4xx marks the Order errored; a 5xx is retried, not shown as such */
	if (p->status < 400 || p->status > 499)
		return -1;
	err = acme_error(v, p);
	f->step = starts(message, "new order") ? "newOrder" : "finalize";
	f->order_state = "errored";
	f->order_reason = xasprintf("%s: %s", starts(message, "new order") ?
	    "Failed to create Order" : "Failed to finalize Order", err);
	free(err);
	return 0;
}

int cm_failure_view(const struct cm_version *v, const char *message, const struct problem *p,
    const char *order_name, struct cm_failure *out)
{
	char *err;

	memset(out, 0, sizeof(*out));
	if (p == NULL || message == NULL || order_side(v, message, p, out) != 0) {
		cm_failure_clear(out);
		return -1;
	}
	if (out->challenge != NULL) {
		err = acme_error(v, p);
		out->authz_error = xasprintf("acme: authorization error for %s: %s",
		    out->challenge, err);
		out->challenge_reason = xasprintf("Error accepting authorization: %s",
		    out->authz_error);
		out->challenge_event = xasprintf("Accepting challenge authorization failed: %s",
		    out->authz_error);
		free(err);
	}
	out->request_message = xasprintf("Failed to wait for order resource \"%s\" to become "
	    "ready: order is in \"%s\" state: %s", order_name, out->order_state,
	    out->order_reason);
	out->certificate_message = xasprintf(RETRY_PREFIX "%s", out->request_message);
	return 0;
}

/* The DER certificates of body as FetchCert decodes them into *der (count
 * *n), or NULL with Go's error. Caller frees *der and each. */
static char *go_fetch_cert(const char *body, size_t len, unsigned char ***der, long **dlen,
    size_t *n)
{
	char *name = NULL, *header = NULL, *why = NULL;
	unsigned char *data = NULL;
	long dl = 0;
	BIO *b;

	*n = 0;
	if (len > GO_CHAIN_BYTES)
		return xstrdup("acme: certificate chain is too big");
	b = BIO_new_mem_buf(body, (int)len);
	while (why == NULL && b != NULL && PEM_read_bio(b, &name, &header, &data, &dl) == 1) {
		if (strcmp(name, "CERTIFICATE") != 0) {
			why = xasprintf("acme: invalid PEM cert type \"%s\"", name);
			OPENSSL_free(data);
		} else {
			*der = xrealloc(*der, (*n + 1) * sizeof(**der));
			*dlen = xrealloc(*dlen, (*n + 1) * sizeof(**dlen));
			(*der)[*n] = data;
			(*dlen)[(*n)++] = dl;
			if (*n > GO_CHAIN_LEN)
				why = xstrdup("acme: certificate chain is too long");
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
	}
	BIO_free(b);
	ERR_clear_error();
	if (why == NULL && *n == 0)
		why = xstrdup("acme: certificate chain is empty");
	return why;
}

/* True when DER parses as a certificate (crypto/x509 reads the whole of
 * it) whose issuer's CommonName (the last CN, as Go's pkix.Name keeps)
 * is cn; *parsed says whether it parsed. */
static bool issued_by(const unsigned char *der, long len, const char *cn, bool *parsed)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, len);
	const X509_NAME *issuer = x != NULL ? X509_get_issuer_name(x) : NULL;
	int i = -1, last = -1;
	unsigned char *utf8 = NULL;
	bool match = false;

	*parsed = x != NULL && p == der + len;
	while (*parsed && (i = X509_NAME_get_index_by_NID(issuer, NID_commonName, i)) >= 0)
		last = i;
	if (last >= 0 && ASN1_STRING_to_UTF8(&utf8,
	    X509_NAME_ENTRY_get_data(X509_NAME_get_entry(issuer, last))) >= 0)
		match = strcmp((char *)utf8, cn) == 0;
	OPENSSL_free(utf8);
	X509_free(x);
	ERR_clear_error();
	return match;
}

/* The sync's error of release v after finalize: inner wrapped as the
 * release wraps getPreferredCertChain's (getAltCertChain's) error. */
static char *sync_error(const struct cm_version *v, const char *inner)
{
	static const struct cm_version v1_7 = { 1, 7, 0 }, v1_15 = { 1, 15, 0 };

	if (cm_version_cmp(v, &v1_15) >= 0)
		return xasprintf("error retrieving preferred chain: %s", inner);
	if (cm_version_cmp(v, &v1_7) >= 0)
		return xasprintf("error retrieving alternate chain: %s", inner);
	return xstrdup(inner);
}

int cm_alternate_judge(const struct cm_version *v, const char *preferred, const char *url,
    const char *body, size_t len, const char *fetch_error, const struct problem *p,
    char **error)
{
	static const struct cm_version v1_6 = { 1, 6, 0 }, v1_15 = { 1, 15, 0 };
	bool top_only = cm_version_cmp(v, &v1_15) >= 0, parsed = true, match = false;
	unsigned char **der = NULL;
	long *dlen = NULL;
	char *why = NULL, *inner = NULL;
	size_t n = 0;
	int rc = 0;

	*error = NULL;
	if (body == NULL)
		why = p != NULL ? acme_error(v, p) : xstrdup(fetch_error ? fetch_error : "");
	else
		why = go_fetch_cert(body, len, &der, &dlen, &n);
	if (why != NULL)
		inner = top_only ? xasprintf("error fetching certificate chain from %s: %s", url, why) :
		    cm_version_cmp(v, &v1_6) >= 0 ?
		    xasprintf("error fetching alternate certificate chain from %s: %s", url, why) :
		    xasprintf("error fetching alternate certificates: %s", why);
	for (size_t i = top_only ? n - 1 : 0; inner == NULL && i < n && !match; i++) {
		match = issued_by(der[i], dlen[i], preferred, &parsed);
		if (!parsed)
			inner = xasprintf("%s: x509: malformed certificate", top_only ?
			    "error parsing certificate chain" : cm_version_cmp(v, &v1_6) >= 0 ?
			    "error parsing alternate certificate chain" :
			    "error parsing alternate certificates");
	}
	if (inner != NULL) {
		*error = sync_error(v, inner);
		rc = -1;
	} else {
		rc = match ? 1 : 0;
	}
	for (size_t i = 0; i < n; i++)
		OPENSSL_free(der[i]);
	free(der);
	free(dlen);
	free(why);
	free(inner);
	return rc;
}

void cm_alternate_view(const struct cm_version *v, const char *error, const char *ns,
    const char *order_name, struct cm_failure *out)
{
	static const struct cm_version v1_2 = { 1, 2, 0 };
	bool recreated = cm_version_cmp(v, &v1_2) < 0;

	memset(out, 0, sizeof(*out));
	out->step = "alternate";
	out->order_state = "valid";
	out->order_reason = xstrdup("");
	out->request_event = recreated ? "OrderCreated" : "OrderPending";
	out->request_message = recreated ?
	    xasprintf("Created Order resource %s/%s", ns, order_name) :
	    xasprintf("Waiting for order-controller to add certificate data to Order %s/%s",
	    ns, order_name);
	out->sync_error = xstrdup(error);
}

void cm_failure_clear(struct cm_failure *f)
{
	free(f->sync_error);
	free(f->challenge);
	free(f->challenge_reason);
	free(f->challenge_event);
	free(f->authz_error);
	free(f->order_reason);
	free(f->request_message);
	free(f->certificate_message);
	memset(f, 0, sizeof(*f));
}
