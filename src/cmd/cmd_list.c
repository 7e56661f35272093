/* cmd_list.c - `acmectl list`: the certificates kept and whether each is
 * due, from the files alone (no network). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ari.h"
#include "certinfo.h"
#include "cmd.h"
#include "err.h"
#include "log.h"
#include "metrics.h"
#include "staging.h"
#include "store.h"
#include "util.h"

/* What list shows of one certificate. */
struct entry {
	char *name;
	json_t *record;
	struct certinfo ci;
	struct ari_state ari;     /* cert_id NULL when none applies */
	const char *server;       /* borrowed from record */
	bool revoked;
	bool staging;
	bool failing;             /* its last attempt or deployment failed, or is pending */
	bool due;
	bool due_by_ari;
	char *error;              /* why it could not be read */
};

static void entry_clear(struct entry *e)
{
	free(e->name);
	json_decref(e->record);
	certinfo_clear(&e->ci);
	ari_state_clear(&e->ari);
	free(e->error);
	memset(e, 0, sizeof(*e));
}

/* The stored ARI state of the certificate whose identifier is id (NULL:
 * none), when it is about it. */
static void load_ari(const char *state, const char *name, const char *id, struct ari_state *st)
{
	char *path = store_cert_file(state, name, STORE_ARI);

	if (id == NULL || ari_state_load(path, st) != 0 || strcmp(st->cert_id, id) != 0)
		ari_state_clear(st);
	err_clear();
	free(path);
}

/* Fills e for certificate e->name. */
static void entry_load(const struct config *cfg, struct entry *e, time_t now)
{
	const char *state = cfg->state_dir;
	char *path = store_cert_file(state, e->name, STORE_CERT), *pem = NULL;
	json_t *v;

	if ((e->record = store_load_issuance(state, e->name)) == NULL ||
	    (pem = store_read_file(path, NULL)) == NULL ||
	    certinfo_parse(pem, path, &e->ci) != 0) {
		e->error = err_take_message();
		goto out;
	}
	e->server = json_string_value(json_object_get(e->record, "server"));
	v = json_object_get(e->record, "revoked");
	e->revoked = v != NULL && !json_is_false(v) && !json_is_null(v);
	e->staging = staging_server(e->server, cfg->staging_servers) || staging_issuer(e->ci.issuer);
	e->failing = json_is_string(json_object_get(e->record, "last_error")) ||
	    json_is_true(json_object_get(e->record, "deploy_pending"));
	load_ari(state, e->name, e->ci.ari_id, &e->ari);
	e->due_by_ari = e->ari.offered && e->ari.renew_at != 0 && e->ari.renew_at <= now;
	e->due = e->due_by_ari || cert_is_due(e->ci.not_before, e->ci.not_after, now, -1);
out:
	free(pem);
	free(path);
}

/* Days left until t (negative once past), rounded down. */
static long days_left(time_t t, time_t now)
{
	time_t d = t - now;

	return (long)(d >= 0 ? d / 86400 : -((-d + 86399) / 86400));
}

/* A string member of a record, or null (also when of another type). */
static json_t *member(json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return v != NULL ? json_string(v) : json_null();
}

static json_t *entry_json(const struct entry *e, time_t now)
{
	json_t *o = json_pack("{s:s}", "name", e->name), *names;
	char buf[32], start[32], end[32];

	if (e->error != NULL) {
		json_object_set_new(o, "error", json_string(e->error));
		return o;
	}
	names = json_array();
	for (size_t i = 0; e->ci.names[i] != NULL; i++)
		json_array_append_new(names, json_string(e->ci.names[i]));
	json_object_set_new(o, "names", names);
	json_object_set_new(o, "not_before",
	    json_string(ari_format_time(e->ci.not_before, buf, sizeof(buf))));
	json_object_set_new(o, "not_after",
	    json_string(ari_format_time(e->ci.not_after, buf, sizeof(buf))));
	json_object_set_new(o, "days_left", json_integer(days_left(e->ci.not_after, now)));
	json_object_set_new(o, "due", json_boolean(e->due && !e->revoked));
	json_object_set_new(o, "server", e->server ? json_string(e->server) : json_null());
	json_object_set_new(o, "staging", json_boolean(e->staging));
	json_object_set_new(o, "issuer", json_string(e->ci.issuer ? e->ci.issuer : ""));
	json_object_set_new(o, "serial", json_string(e->ci.serial ? e->ci.serial : ""));
	json_object_set_new(o, "key_type", member(e->record, "key_type"));
	json_object_set_new(o, "challenge",
	    member(json_object_get(e->record, "challenge"), "type"));
	json_object_set_new(o, "last_attempt", member(e->record, "last_attempt"));
	json_object_set_new(o, "last_error", member(e->record, "last_error"));
	json_object_set_new(o, "deploy_pending",
	    json_boolean(json_is_true(json_object_get(e->record, "deploy_pending"))));
	json_object_set_new(o, "revoked", json_boolean(e->revoked));
	if (e->ari.offered && e->ari.renew_at != 0)
		json_object_set_new(o, "ari", json_pack("{s:s,s:s,s:s}",
		    "window_start", ari_format_time(e->ari.start, start, sizeof(start)),
		    "window_end", ari_format_time(e->ari.end, end, sizeof(end)),
		    "renew_at", ari_format_time(e->ari.renew_at, buf, sizeof(buf))));
	return o;
}

/* The line under a failing certificate: what failed when, and whether
 * its deployment is still to be done. */
static void print_failure(int w, const struct entry *e)
{
	const char *error = json_string_value(json_object_get(e->record, "last_error"));
	const char *when = json_string_value(json_object_get(e->record, "last_attempt"));
	char *shown;

	if (error != NULL) {
		shown = str_printable(error);
		printf("%-*s  last attempt %s failed: %s\n", w, "", when ? when : "?", shown);
		free(shown);
	}
	if (json_is_true(json_object_get(e->record, "deploy_pending")))
		printf("%-*s  deployment pending: the next renew runs the deploy hook\n", w, "");
}

static void print_table(const struct entry *es, size_t n, time_t now)
{
	int w = 4;
	char until[32], *names;
	struct tm tm;

	for (size_t i = 0; i < n; i++)
		if ((int)strlen(es[i].name) > w)
			w = (int)strlen(es[i].name);
	printf("%-*s  %-16s  %5s  %-9s  %s\n", w, "NAME", "NOT AFTER (UTC)", "DAYS",
	    "DUE", "SERVER / NAMES");
	for (size_t i = 0; i < n; i++) {
		const struct entry *e = &es[i];

		if (e->error != NULL) {
			printf("%-*s  error: %s\n", w, e->name, e->error);
			continue;
		}
		gmtime_r(&e->ci.not_after, &tm);
		strftime(until, sizeof(until), "%Y-%m-%d %H:%M", &tm);
		names = str_join((const char *const *)e->ci.names, strv_len(e->ci.names), ",");
		printf("%-*s  %-16s  %5ld  %-9s  %s%s %s\n", w, e->name, until,
		    days_left(e->ci.not_after, now),
		    e->revoked ? "revoked" : !e->due ? "no" : e->due_by_ari ? "yes (ARI)" : "yes",
		    e->staging ? "(staging) " : "", e->server ? e->server : "?", names);
		print_failure(w, e);
		free(names);
	}
}

static int failing_first(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	bool fx = x->failing || x->error != NULL, fy = y->failing || y->error != NULL;

	if (fx != fy)
		return fx ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The entries of every certificate kept (n in *n, of which *unreadable
 * could not be read), failing ones first. Caller entries_free()s; NULL
 * with err when the state cannot be listed. */
static struct entry *entries_load(const struct config *cfg, time_t now, size_t *n,
    size_t *unreadable)
{
	struct entry *es;
	char **names;

	*n = *unreadable = 0;
	if ((names = store_list_certs(cfg->state_dir)) == NULL)
		return NULL;
	*n = strv_len(names);
	es = xcalloc(*n ? *n : 1, sizeof(*es));
	for (size_t i = 0; i < *n; i++) {
		es[i].name = xstrdup(names[i]);
		entry_load(cfg, &es[i], now);
		if (es[i].error != NULL)
			(*unreadable)++;
	}
	/* failing certificates first: they are what needs attention */
	qsort(es, *n, sizeof(*es), failing_first);
	strv_free(names);
	return es;
}

static void entries_free(struct entry *es, size_t n)
{
	for (size_t i = 0; es != NULL && i < n; i++)
		entry_clear(&es[i]);
	free(es);
}

time_t cmd_record_time(json_t *record, const char *key)
{
	const char *s = json_string_value(json_object_get(record, key));
	time_t t;

	return s != NULL && ari_parse_time(s, &t) == 0 ? t : 0;
}

/* What the metrics report of e. */
static struct metrics_fact entry_fact(const struct entry *e)
{
	return (struct metrics_fact){ .name = e->name, .server = e->server,
	    .readable = e->error == NULL, .staging = e->staging, .revoked = e->revoked,
	    .failing = e->failing || e->error != NULL,
	    .last_error = json_is_string(json_object_get(e->record, "last_error")),
	    .not_before = e->ci.not_before, .not_after = e->ci.not_after,
	    .ari_renew_at = e->ari.offered ? e->ari.renew_at : 0,
	    .last_attempt = cmd_record_time(e->record, "last_attempt"),
	    .issued = cmd_record_time(e->record, "issued") };
}

/* Writes the n facts, in their order, to cfg->metrics_file as a
 * Prometheus textfile; due is decided as list does, at now. 0 or -1 with
 * ERR_STORAGE. */
static int write_metrics(const struct config *cfg, const struct metrics_fact *fs, size_t n,
    time_t now)
{
	struct metrics_cert *mc = xcalloc(n ? n : 1, sizeof(*mc));
	const struct metrics_fact *f;
	int rc;

	for (size_t i = 0; i < n; i++) {
		f = &fs[i];
		mc[i] = (struct metrics_cert){ .name = f->name, .server = f->server,
		    .staging = f->staging, .readable = f->readable, .not_after = f->not_after,
		    .due = !f->revoked && ((f->ari_renew_at != 0 && f->ari_renew_at <= now) ||
		    cert_is_due(f->not_before, f->not_after, now, -1)),
		    .last_attempt = f->last_attempt, .last_success = f->issued,
		    .last_error = f->last_error };
	}
	rc = metrics_write(cfg->metrics_file, mc, n);
	free(mc);
	return rc;
}

static int compare_fact_name(const void *name, const void *elem)
{
	return strcmp(name, ((const struct metrics_fact *)elem)->name);
}

static int compare_facts_name(const void *a, const void *b)
{
	return strcmp(((const struct metrics_fact *)a)->name,
	    ((const struct metrics_fact *)b)->name);
}

/* Failing certificates first, as list shows them, then by name. */
static int compare_facts_failing_first(const void *a, const void *b)
{
	const struct metrics_fact *x = a, *y = b;

	if (x->failing != y->failing)
		return x->failing ? -1 : 1;
	return strcmp(x->name, y->name);
}

int cmd_write_metrics(const struct config *cfg, int rc, const struct metrics_fact *known,
    size_t nknown)
{
	struct err_saved *failure;
	struct metrics_fact *sorted = NULL, *fs = NULL, *k;
	struct entry **es = NULL;  /* of those not known, each its own: few */
	time_t now = time(NULL);
	char **names = NULL;
	size_t n = 0;
	int written = -1;

	if (cfg->metrics_file == NULL)
		return rc;
	/* the run's own failure, if any, is the one reported */
	failure = rc != 0 ? err_save() : NULL;
	if ((names = store_list_certs(cfg->state_dir)) == NULL)
		goto out;
	sorted = xcalloc(nknown ? nknown : 1, sizeof(*sorted));
	if (nknown > 0)
		memcpy(sorted, known, nknown * sizeof(*sorted));
	qsort(sorted, nknown, sizeof(*sorted), compare_facts_name);
	n = strv_len(names);
	es = xcalloc(n ? n : 1, sizeof(*es));
	fs = xcalloc(n ? n : 1, sizeof(*fs));
	for (size_t i = 0; i < n; i++) {
		/* what the command knows is what these files would say */
		k = nknown > 0 ? bsearch(names[i], sorted, nknown, sizeof(*sorted),
		    compare_fact_name) : NULL;
		if (k != NULL) {
			fs[i] = *k;
			continue;
		}
		es[i] = xcalloc(1, sizeof(**es));
		es[i]->name = xstrdup(names[i]);
		entry_load(cfg, es[i], now);
		fs[i] = entry_fact(es[i]);
	}
	qsort(fs, n, sizeof(*fs), compare_facts_failing_first);
	written = write_metrics(cfg, fs, n, now);
out:
	for (size_t i = 0; es != NULL && i < n; i++) {
		if (es[i] != NULL)
			entry_clear(es[i]);
		free(es[i]);
	}
	free(es);
	free(fs);
	free(sorted);
	strv_free(names);
	if (rc != 0) {
		if (written != 0)
			logmsg(LOG_NORMAL, "warning: %s", err_message());
		err_restore(failure);
		return rc;
	}
	return written;
}

/* Writes the n entries, in their order, to cfg->metrics_file. 0 or -1
 * with ERR_STORAGE. */
static int list_metrics(const struct config *cfg, const struct entry *es, size_t n,
    time_t now)
{
	struct metrics_fact *fs = xcalloc(n ? n : 1, sizeof(*fs));
	int rc;

	for (size_t i = 0; i < n; i++)
		fs[i] = entry_fact(&es[i]);
	rc = write_metrics(cfg, fs, n, now);
	free(fs);
	return rc;
}

int cmd_list(const struct config *cfg)
{
	struct entry *es = NULL;
	size_t n = 0, unreadable = 0;
	time_t now = time(NULL);
	json_t *arr = NULL;
	int rc = -1;

	if ((es = entries_load(cfg, now, &n, &unreadable)) == NULL)
		goto out;
	if (cfg->metrics_file != NULL && list_metrics(cfg, es, n, now) != 0)
		goto out;
	if (cfg->json) {
		arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, entry_json(&es[i], now));
		json_print(arr);
	} else if (n == 0) {
		if (!cfg->quiet)
			printf("no certificates in %s/certs\n", cfg->state_dir);
	} else if (!cfg->quiet) {
		print_table(es, n, now);
	}
	if (unreadable > 0) {
		err_set(ERR_STORAGE, "%zu of %zu certificates could not be read", unreadable, n);
		goto out;
	}
	rc = 0;
out:
	entries_free(es, n);
	json_decref(arr);
	return rc;
}
