/* test_cmfailure.c - cert-manager's objects after the CA refused an order:
 * one row per refusal acmectl meets (validation, newOrder, finalize, the
 * order turning invalid) and per release where the wording differs; and
 * preferredChain on one alternate chain, over the certificates of
 * tests/unit/data/certcheck (certcheck test root > intermediate > leaf). */
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

#define URL "https://ca.example/alt/1"
#define ROOT "certcheck test root"
#define INTER "certcheck test intermediate"
#define EMPTY "error fetching certificate chain from " URL ": acme: certificate chain is empty"
#define PREFERRED "error retrieving preferred chain: "
#define ALTERNATE "error retrieving alternate chain: "
#define OLD_EMPTY "error fetching alternate certificate chain from " URL \
	": acme: certificate chain is empty"

static struct problem down = { "urn:ietf:params:acme:error:serverInternal", "down", 500, NULL, 0 };

static const struct {
	const char *release, *preferred;
	const char *files;          /* the alternate: data files, space-separated */
	const char *text;           /* or this text; both NULL: the download failed */
	size_t pad;                 /* line breaks appended up to this length */
	int want;                   /* 1 taken, 0 the next, -1 the sync fails */
	const char *error;
} alternates[] = {
	/* from v1.15.0 the top certificate's issuer, links not checked */
	{ "v1.21.1", ROOT, "leaf-ok.pem inter.pem", NULL, 0, 1, NULL },
	{ "v1.15.0", INTER, "leaf-ok.pem inter.pem", NULL, 0, 0, NULL },
	{ "v1.21.1", ROOT, "leaf-ok.pem root.pem", NULL, 0, 1, NULL },
	/* before, any certificate's, the first match */
	{ "v1.14.5", INTER, "leaf-ok.pem inter.pem", NULL, 0, 1, NULL },
	{ "v1.1.0", "no such CA", "leaf-ok.pem inter.pem root.pem", NULL, 0, 0, NULL },
	/* FetchCert's refusals, wrapped as each release wraps them */
	{ "v1.21.1", ROOT, NULL, "<html>Not here</html>\n", 0, -1, PREFERRED EMPTY },
	{ "v1.15.0", ROOT, NULL, "", 0, -1, PREFERRED EMPTY },
	{ "v1.14.5", ROOT, NULL, "", 0, -1, ALTERNATE OLD_EMPTY },
	{ "v1.7.0", ROOT, NULL, "", 0, -1, ALTERNATE OLD_EMPTY },
	{ "v1.6.0", ROOT, NULL, "", 0, -1, OLD_EMPTY },
	{ "v1.5.0", ROOT, NULL, "", 0, -1,
	  "error fetching alternate certificates: acme: certificate chain is empty" },
	{ "v1.21.1", ROOT, NULL, "-----BEGIN PRIVATE KEY-----\nQUFB\n-----END PRIVATE KEY-----\n", 0, -1,
	  PREFERRED "error fetching certificate chain from " URL ": acme: invalid PEM cert type "
	  "\"PRIVATE KEY\"" },
	{ "v1.21.1", ROOT, "leaf-ok.pem inter.pem inter.pem inter.pem inter.pem inter.pem", NULL, 0,
	  -1, PREFERRED "error fetching certificate chain from " URL
	  ": acme: certificate chain is too long" },
	{ "v1.21.1", ROOT, "leaf-ok.pem inter.pem inter.pem inter.pem inter.pem", NULL, 0, 1, NULL },
	{ "v1.21.1", ROOT, "leaf-ok.pem inter.pem", NULL, 5242880 + 5242880 / 33, 1, NULL },
	{ "v1.21.1", ROOT, "leaf-ok.pem inter.pem", NULL, 5242880 + 5242880 / 33 + 1, -1,
	  PREFERRED "error fetching certificate chain from " URL ": acme: certificate chain is too big" },
	/* then crypto/x509: the top only from v1.15.0, each in turn before */
	{ "v1.21.1", ROOT, "leaf-ok.pem not-a-cert.pem", NULL, 0, -1,
	  PREFERRED "error parsing certificate chain: x509: malformed certificate" },
	{ "v1.21.1", ROOT, "not-a-cert.pem inter.pem", NULL, 0, 1, NULL },
	{ "v1.14.5", ROOT, "not-a-cert.pem inter.pem", NULL, 0, -1,
	  ALTERNATE "error parsing alternate certificate chain: x509: malformed certificate" },
	{ "v1.14.5", INTER, "leaf-ok.pem not-a-cert.pem", NULL, 0, 1, NULL },
	{ "v1.5.0", ROOT, "not-a-cert.pem", NULL, 0, -1,
	  "error parsing alternate certificates: x509: malformed certificate" },
	/* the download failed: the CA's problem as Go's acme.Error */
	{ "v1.21.1", ROOT, NULL, NULL, 0, -1, PREFERRED "error fetching certificate chain from " URL
	  ": 500 urn:ietf:params:acme:error:serverInternal: down" },
};

/* The data files named in list (space-separated), joined. Caller frees. */
static char *read_files(const char *list)
{
	char *all = xstrdup(""), *names = xstrdup(list), *save = NULL, *t, *path, buf[8192];

	for (char *f = strtok_r(names, " ", &save); f != NULL; f = strtok_r(NULL, " ", &save)) {
		FILE *fp = fopen(path = test_data_file("certcheck", f), "rb");
		size_t n = fp != NULL ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;

		CHECK(fp != NULL, "cannot read %s", path);
		buf[n] = '\0';
		t = xasprintf("%s%s", all, buf);
		free(all);
		all = t;
		if (fp != NULL)
			fclose(fp);
		free(path);
	}
	free(names);
	return all;
}

static void judge_alternates(void)
{
	for (size_t i = 0; i < nitems(alternates); i++) {
		char *body = alternates[i].files != NULL ? read_files(alternates[i].files) :
		    alternates[i].text != NULL ? xstrdup(alternates[i].text) : NULL, *error, ctx[200];
		size_t len = body != NULL ? strlen(body) : 0;
		struct cm_version v;
		int rc;

		snprintf(ctx, sizeof(ctx), "%s, %s: %s%s (%zu)", alternates[i].release,
		    alternates[i].preferred, alternates[i].files ? alternates[i].files : "",
		    alternates[i].text ? alternates[i].text : "", alternates[i].pad);
		if (alternates[i].pad > len) {
			body = xrealloc(body, alternates[i].pad + 1);
			memset(body + len, '\n', alternates[i].pad - len);
			len = alternates[i].pad;
			body[len] = '\0';
		}
		CHECK(cm_version_parse(alternates[i].release, &v) == 0, "%s", ctx);
		rc = cm_alternate_judge(&v, alternates[i].preferred, URL, body, len,
		    body == NULL ? "download alternate chain: serverInternal: down" : NULL,
		    body == NULL ? &down : NULL, &error);
		CHECK_INT(rc, alternates[i].want, ctx);
		CHECK_STR(error, alternates[i].error, ctx);
		free(error);
		free(body);
	}
}

/* The objects while the sync fails: the CertificateRequest waits from
 * v1.2.0, and deletes and creates the Order again before. */
static void alternate_views(void)
{
	static const struct {
		const char *release, *event, *message;
	} views[] = {
		{ "v1.21.1", "OrderPending",
		  "Waiting for order-controller to add certificate data to Order shop/" ORDER },
		{ "v1.2.0", "OrderPending",
		  "Waiting for order-controller to add certificate data to Order shop/" ORDER },
		{ "v1.1.0", "OrderCreated", "Created Order resource shop/" ORDER },
		{ "v1.0.0", "OrderCreated", "Created Order resource shop/" ORDER },
	};

	for (size_t i = 0; i < nitems(views); i++) {
		struct cm_version v;
		struct cm_failure f;

		CHECK(cm_version_parse(views[i].release, &v) == 0, "%s", views[i].release);
		cm_alternate_view(&v, "the error", "shop", ORDER, &f);
		CHECK_STR(f.step, "alternate", views[i].release);
		CHECK_STR(f.order_state, "valid", views[i].release);
		CHECK_STR(f.request_event, views[i].event, views[i].release);
		CHECK_STR(f.request_message, views[i].message, views[i].release);
		CHECK_STR(f.sync_error, "the error", views[i].release);
		cm_failure_clear(&f);
	}
}

int main(void)
{
	judge_alternates();
	alternate_views();
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
