/* cm_account.c - cert-manager's account requests and the conditions of
 * their inputs (see certmanager.h): the contact it sends, when it updates
 * it, the external account binding's MAC key as it reads it from its
 * Secret, and the views of what fails there. Pure.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "certmanager.h"
#include "util.h"

#define REASON_REGISTER_FAILED "ErrRegisterACMEAccount"
#define REASON_VERIFY_FAILED "ErrVerifyACMEAccount"
#define REASON_UPDATE_FAILED "ErrUpdateACMEAccount"
#define REASON_INIT_ISSUER "ErrInitIssuer"

static bool before_v1_4(const struct cm_version *v)
{
	struct cm_version v1_4 = { 1, 4, 0 };

	return cm_version_cmp(v, &v1_4) < 0;
}

static void failed_view(const char *reason, char *message, struct cm_view *out)
{
	memset(out, 0, sizeof(*out));
	out->status = "False";
	out->reason = reason;
	out->message = message;
	out->condition_written = true;
}

static void add_event(struct cm_view *view, const char *reason, char *message)
{
	struct cm_event *ev = &view->events[view->nevents++];

	ev->type = "Warning";
	ev->reason = reason;
	ev->message = message;
}

/* What the controller adds when setup returns err: the ErrInitIssuer
 * event, its log line and a retry with back-off. */
static void add_requeue(struct cm_view *out, const char *err)
{
	out->requeue = true;
	add_event(out, REASON_INIT_ISSUER, xasprintf("Error initializing issuer: %s", err));
	out->log = xasprintf("\"error setting up issuer\" err=\"%s\"", err);
}

char *cm_contact(const char *email)
{
	char *s;

	if (email == NULL || email[0] == '\0')
		return NULL;
	s = xasprintf("mailto:%s", email);
	/* registerAccount and ensureEmailUpToDate lower-case the whole address */
	for (char *p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

bool cm_updates_contact(const char *contact, const char *email)
{
	const char *at = contact != NULL ? strstr(contact, "mailto:") : NULL;
	char *registered;
	bool differs;

	if (email == NULL)
		email = "";
	if (contact == NULL)
		return email[0] != '\0';
	if (at == NULL)
		return strcmp(contact, email) != 0;
	/* strings.Replace(contact, "mailto:", "", 1): the first one, wherever
	 * it is; then an exact comparison */
	registered = xasprintf("%.*s%s", (int)(at - contact), contact, at + 7);
	differs = strcmp(registered, email) != 0;
	free(registered);
	return differs;
}

char *cm_err_secret_not_found(const char *name)
{
	return xasprintf("secrets \"%s\" not found", name != NULL ? name : "");
}

char *cm_err_eab_key_missing(const char *name, const char *key)
{
	return xasprintf("failed to find external account binding key data in Secret "
	    "\"%s\" at index \"%s\"", name != NULL ? name : "", key != NULL ? key : "");
}

char *cm_err_key_data_missing(const char *key, const char *ns, const char *name)
{
	char *q = cm_go_quote(key != NULL ? key : ""), *out;

	out = xasprintf("no data for %s in secret '%s/%s'", q, ns != NULL ? ns : "",
	    name != NULL ? name : "");
	free(q);
	return out;
}

static int b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '-' ? 62 : c == '_' ? 63 : -1;
}

char *cm_eab_key_decode(const unsigned char *src, size_t len, unsigned char **key,
    size_t *keylen)
{
	/* the buffer is base64.RawURLEncoding.DecodedLen() long whatever
	 * Decode wrote: skipped line breaks leave zero bytes at its end */
	size_t si = 0, n = 0, cap = len / 4 * 3 + len % 4 * 6 / 8;
	unsigned char *dst = xcalloc(cap + 1, 1);
	unsigned long val;
	int j, d, dlen;

	*key = NULL;
	*keylen = 0;
	for (;;) {
		val = 0;
		dlen = 4;
		for (j = 0; j < 4; j++) {
			if (si == len) {
				if (j == 0)
					goto done;
				if (j == 1)
					goto bad;
				dlen = j;
				break;
			}
			if ((d = b64url_value(src[si++])) >= 0) {
				val |= (unsigned long)d << (18 - 6 * j);
			} else if (src[si - 1] == '\n' || src[si - 1] == '\r') {
				j--;
			} else {
				goto bad;
			}
		}
		dst[n++] = (unsigned char)(val >> 16);
		if (dlen > 2)
			dst[n++] = (unsigned char)(val >> 8);
		if (dlen > 3)
			dst[n++] = (unsigned char)val;
		if (dlen < 4)
			break;
	}
done:
	*key = dst;
	*keylen = cap;
	return NULL;
bad:
	free(dst);
	/* Go's CorruptInputError: the offset of the bad byte, or of the
	 * last one for a lone trailing character */
	return xasprintf("failed to decode external account binding key data: illegal "
	    "base64 data at input byte %zu", si - 1);
}

void cm_view_eab_invalid(const struct cm_version *v, const char *err, struct cm_view *out)
{
	char *msg = xasprintf("Failed to register ACME account: %s", err);

	/* v1.0-v1.3 worded the condition differently from the event */
	failed_view(REASON_REGISTER_FAILED, before_v1_4(v) ? xasprintf("External Account "
	    "Binding MAC key is invalid: %s", err) : xstrdup(msg), out);
	add_event(out, REASON_REGISTER_FAILED, msg);
}

void cm_view_key_secret_missing(const struct cm_version *v, const char *err,
    struct cm_view *out)
{
	(void)v;
	failed_view(REASON_VERIFY_FAILED, xasprintf("Failed to verify ACME account: the "
	    "ACME issuer config has 'disableAccountKeyGeneration' set to true, but the "
	    "secret was not found: %s", err), out);
	/* returned as an error although a retry cannot help */
	add_requeue(out, out->message);
}

void cm_view_update_failed(const struct cm_version *v, const char *err, bool acme_4xx,
    struct cm_view *out)
{
	(void)v;
	/* the constant has no space after the colon */
	failed_view(REASON_UPDATE_FAILED, xasprintf("Failed to update ACME account:%s", err),
	    out);
	add_event(out, REASON_UPDATE_FAILED, xstrdup(out->message));
	if (!acme_4xx)
		add_requeue(out, err);
}
