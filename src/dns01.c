/* dns01.c - dns-01 challenges answered by a hook program (argv only, run
 * by hooks.c under the hook timeout). */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
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

/* The remove the fatal signal handler runs for a record that was (or is
 * being) added and not yet removed: built whole before it is linked in,
 * never changed after, unlinked before it is freed. Both happen with the
 * fatal signals blocked, and main's handler runs only on the main thread,
 * so the handler never sees one half built or half freed. */
struct pending_remove {
	struct pending_remove *next;
	char *argv[6];           /* "sh", PATH, "remove", RECORD, VALUE, NULL */
};

/* A record whose add ran: to be removed once, also when the add failed or
 * timed out, as it may have added the record before it ended. */
struct record {
	char *name;
	char *value;
	struct pending_remove *pending;  /* NULL when the hook was not found */
	bool added;                      /* the add succeeded: waited for */
};

struct dns01 {
	const char *hook;
	long wait_s;
	struct record *records;
	size_t nrecords;
	bool pending_wait;
};

static struct pending_remove *volatile pending_removes;

/* Blocks SIGINT, SIGTERM and SIGHUP in this thread; old gets the mask to
 * restore. */
static void block_fatal(sigset_t *old)
{
	sigset_t fatal;

	sigemptyset(&fatal);
	sigaddset(&fatal, SIGINT);
	sigaddset(&fatal, SIGTERM);
	sigaddset(&fatal, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &fatal, old);
}

/* Makes the handler remove record VALUE with hook from now on. NULL when
 * hook is not found (then nothing was added either: starting it fails). */
static struct pending_remove *pending_add(const char *hook, const char *record,
    const char *value)
{
	struct pending_remove *p;
	char *path = hook_program_path(hook);
	sigset_t old;

	if (path == NULL)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->argv[0] = "sh";
	p->argv[1] = path;
	p->argv[2] = "remove";
	p->argv[3] = xstrdup(record);
	p->argv[4] = xstrdup(value);
	block_fatal(&old);
	p->next = pending_removes;
	atomic_signal_fence(memory_order_seq_cst);
	pending_removes = p;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return p;
}

/* Forgets p (NULL is fine): its record was removed, or never added. */
static void pending_drop(struct pending_remove *p)
{
	struct pending_remove *volatile *at;
	sigset_t old;

	if (p == NULL)
		return;
	block_fatal(&old);
	for (at = &pending_removes; *at != NULL; at = &(*at)->next) {
		if (*at == p) {
			*at = p->next;
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	free(p->argv[1]);
	free(p->argv[3]);
	free(p->argv[4]);
	free(p);
}

void dns01_emergency_cleanup(void)
{
	long bound = hook_emergency_bound_ms();

	if (pending_removes == NULL)
		return;
	/* an add still running could otherwise land after its remove */
	hook_finish_running(bound);
	for (struct pending_remove *p = pending_removes; p != NULL; p = p->next)
		hook_exec_emergency(p->argv, bound);
}

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
	char *record = xasprintf("_acme-challenge.%s", name);
	int rc = dns01_publish_at(d, record, keyauth);

	free(record);
	return rc;
}

int dns01_publish_at(struct dns01 *d, const char *at, const char *keyauth)
{
	struct pending_remove *pending;
	char *value, *record, *why;
	bool added;

	if ((value = dns01_txt_value(keyauth)) == NULL)
		return -1;
	record = xstrdup(at);
	/* before the add: a signal during it may leave the record added */
	pending = pending_add(d->hook, record, value);
	added = run_hook(d->hook, "add", record, value, &why) == 0;
	if (added || pending != NULL) {
		/* a failed add may have added the record before it failed or
		 * was stopped: removed like the others, as the signal handler
		 * would; without a program found, nothing ran */
		d->records = xrealloc(d->records, (d->nrecords + 1) * sizeof(*d->records));
		d->records[d->nrecords++] = (struct record){ record, value, pending, added };
	} else {
		free(record);
		free(value);
	}
	if (!added) {
		err_set(ERR_USAGE, "%s", why);
		free(why);
		return -1;
	}
	logmsg(LOG_VERBOSE, "dns-01: %s TXT \"%s\" added by %s", record, value, d->hook);
	d->pending_wait = true;
	return 0;
}

int dns01_wait(struct dns01 *d, long long left_ms)
{
	struct dnsprop_record *recs;
	size_t n = 0;
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
	/* a record whose add failed belongs to an order that failed */
	for (size_t i = 0; i < d->nrecords; i++)
		if (d->records[i].added)
			recs[n++] = (struct dnsprop_record){ d->records[i].name,
			    d->records[i].value };
	if (dnsprop_wait(recs, n, bound) != 0) {
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
		pending_drop(d->records[i].pending);
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
