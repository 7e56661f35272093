/* cmfailure.c - cert-manager's objects after the CA refused an order (see
 * cmfailure.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmfailure.h"
#include "util.h"

#define RETRY_PREFIX "The certificate request has failed to complete and will be retried: "

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

void cm_failure_clear(struct cm_failure *f)
{
	free(f->challenge);
	free(f->challenge_reason);
	free(f->challenge_event);
	free(f->authz_error);
	free(f->order_reason);
	free(f->request_message);
	free(f->certificate_message);
	memset(f, 0, sizeof(*f));
}
