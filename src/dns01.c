/* dns01.c - dns-01 challenges answered by a hook program (argv only, run
 * by hooks.c under the hook timeout). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "b64url.h"
#include "dns01.h"
#include "dnsprop.h"
#include "err.h"
#include "hooks.h"
#include "log.h"
#include "util.h"

struct record {
	char *name;
	char *value;
};

struct dns01 {
	const char *hook;
	long wait_s;
	struct record *records;
	size_t nrecords;
	bool pending_wait;
};

struct dns01 *dns01_new(const char *hook, long wait_s)
{
	struct dns01 *d = xcalloc(1, sizeof(*d));

	d->hook = hook;
	d->wait_s = wait_s;
	return d;
}

char *dns01_txt_value(const char *keyauth)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (EVP_Digest(keyauth, strlen(keyauth), md, &len, EVP_sha256(), NULL) != 1) {
		err_set(ERR_USAGE, "cannot hash the dns-01 key authorization");
		return NULL;
	}
	return b64url_encode(md, len);
}

/* Runs hook ACTION RECORD VALUE through hook_exec(). Returns 0, or -1 with
 * why (one line naming the hook and how it ended; caller frees). Touches no
 * error record, so cleanup after a failure keeps the failure's message. */
static int run_hook(const char *hook, const char *action, const char *record,
    const char *value, char **why)
{
	char *argv[] = { (char *)hook, (char *)action, (char *)record, (char *)value, NULL };
	char *shown = xasprintf("%s %s %s", hook, action, record);
	int rc = hook_exec("dns hook", shown, hook, argv, NULL, why);

	free(shown);
	return rc;
}

int dns01_publish(struct dns01 *d, const char *name, const char *keyauth)
{
	char *value, *record, *why;

	if ((value = dns01_txt_value(keyauth)) == NULL)
		return -1;
	record = xasprintf("_acme-challenge.%s", name);
	if (run_hook(d->hook, "add", record, value, &why) != 0) {
		err_set(ERR_USAGE, "%s", why);
		free(why);
		free(record);
		free(value);
		return -1;
	}
	logmsg(LOG_VERBOSE, "dns-01: %s TXT \"%s\" added by %s", record, value, d->hook);
	d->records = xrealloc(d->records, (d->nrecords + 1) * sizeof(*d->records));
	d->records[d->nrecords].name = record;
	d->records[d->nrecords].value = value;
	d->nrecords++;
	d->pending_wait = true;
	return 0;
}

int dns01_wait(struct dns01 *d, long long left_ms)
{
	struct dnsprop_record *recs;
	long bound;

	if (!d->pending_wait || d->wait_s <= 0)
		return 0;
	if (left_ms < 1000) {
		err_set(ERR_NETWORK, "no time is left of --deadline for --dns-wait");
		return -1;
	}
	bound = d->wait_s * 1000LL < left_ms ? d->wait_s : (long)(left_ms / 1000);
	logmsg(LOG_VERBOSE, "dns-01: waiting up to %ld s for every authoritative nameserver "
	    "to serve the records", bound);
	recs = xcalloc(d->nrecords + 1, sizeof(*recs));
	for (size_t i = 0; i < d->nrecords; i++)
		recs[i] = (struct dnsprop_record){ d->records[i].name, d->records[i].value };
	if (dnsprop_wait(recs, d->nrecords, bound) != 0) {
		logmsg(LOG_NORMAL, "warning: %s; answering the challenges anyway", err_message());
		err_clear();
	}
	free(recs);
	d->pending_wait = false;
	return 0;
}

void dns01_withdraw_all(struct dns01 *d)
{
	long long deadline = hook_deadline();
	char *why;

	if (d == NULL)
		return;
	/* a record is removed however little is left of --deadline (a flow
	 * that waited it out would otherwise leave it behind): --hook-timeout
	 * alone bounds the remove */
	hook_set_deadline(0);
	for (size_t i = 0; i < d->nrecords; i++) {
		if (run_hook(d->hook, "remove", d->records[i].name, d->records[i].value,
		    &why) != 0) {
			logmsg(LOG_NORMAL, "warning: %s", why);
			free(why);
		}
		free(d->records[i].name);
		free(d->records[i].value);
	}
	free(d->records);
	d->records = NULL;
	d->nrecords = 0;
	d->pending_wait = false;
	hook_set_deadline(deadline);
}

void dns01_free(struct dns01 *d)
{
	if (d == NULL)
		return;
	dns01_withdraw_all(d);
	free(d);
}
