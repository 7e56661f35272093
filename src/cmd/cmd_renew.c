/* cmd_renew.c - `acmectl renew`: renews every due certificate the way it
 * was issued. Due is decided from the files alone first, so a run with
 * nothing due and no ARI check due uses no network at all; each ACME server
 * gets one session, shared by its certificates. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/rand.h>

#include "ari.h"
#include "certinfo.h"
#include "cmd.h"
#include "dryrun.h"
#include "err.h"
#include "hooks.h"
#include "issue.h"
#include "log.h"
#include "renew_int.h"
#include "session.h"
#include "staging.h"
#include "store.h"
#include "util.h"

/* The most names renewed in one batch: Let's Encrypt's limit for one order,
 * and well within what one solver holds at once. */
#define BATCH_NAMES 100

/* One ACME server of the run and the session its certificates share. */
struct server {
	char *url;
	struct session_opts opts; /* the run's settings, with server = url */
	json_t *connection;       /* the settings remembered for it, opts borrows */
	struct session s;
	bool opened;
	bool account_loaded;
	struct err_saved *error;  /* why it could not be used; not retried */
	struct server *next;
};

/* Moves the recorded error into j (replacing what was there). */
static void take_error(struct job *j)
{
	j->error_kind = err_kind();
	free(j->error);
	j->error = err_take_message();
}

static void job_clear(struct job *j)
{
	free(j->server);
	json_decref(j->record);
	json_decref(j->hooks);
	certinfo_clear(&j->ci);
	free(j->ari_path);
	ari_state_clear(&j->ari);
	free(j->why);
	free(j->error);
	memset(j, 0, sizeof(*j));
}

static void jobs_free(struct job *jobs, size_t n)
{
	if (jobs == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		job_clear(&jobs[i]);
	free(jobs);
}

/* True when the record says `acmectl revoke` revoked the certificate. */
static bool is_revoked(json_t *record)
{
	json_t *v = json_object_get(record, "revoked");

	return v != NULL && !json_is_false(v) && !json_is_null(v);
}

/* Remembers the hooks given on the command line in j's record, when they
 * change what it holds (a later plain `renew` then uses them). */
static int remember_hooks(const struct config *cfg, struct job *j)
{
	json_t *stored = json_object_get(j->record, "hooks");

	if (json_equal(j->hooks, stored) ||
	    (stored == NULL && json_object_size(j->hooks) == 0))
		return 0;
	if (json_object_size(j->hooks) == 0)
		json_object_del(j->record, "hooks");
	else
		json_object_set(j->record, "hooks", j->hooks);
	return store_save_issuance(cfg->state_dir, j->name, j->record);
}

/* Reads what the run needs to know about certificate j->name: its record,
 * certificate window, ARI identifier and state, and its hooks (remembering
 * given ones unless peek; a run that is not peeking holds the lock, which
 * checked every certificate). Anything unreadable makes it a failed job. */
static void job_load(const struct config *cfg, struct job *j, bool peek)
{
	struct store_cert_files f = { NULL, NULL, NULL };
	char *path = store_cert_file(cfg->state_dir, j->name, STORE_CERT);
	const char *server;
	bool ok = false;

	if (peek && store_check_cert(cfg->state_dir, j->name) != 0)
		goto out;
	if (store_read_cert(cfg->state_dir, j->name, &f) != 0 && f.issuance == NULL) {
		if (errno == ENOENT)  /* a NAME not kept: the command line's mistake */
			err_rekind(ERR_USAGE);
		goto out;
	}
	j->record = json_incref(f.issuance);
	server = json_string_value(json_object_get(j->record, "server"));
	j->deploy_pending = json_is_true(json_object_get(j->record, "deploy_pending"));
	if (server == NULL) {
		err_set(ERR_STORAGE, "certificate %s: issuance.json names no server", j->name);
		goto out;
	}
	j->server = xstrdup(server);
	j->last_error = json_is_string(json_object_get(j->record, "last_error"));
	j->last_attempt = cmd_record_time(j->record, "last_attempt");
	j->issued = cmd_record_time(j->record, "issued");
	if (f.cert == NULL || certinfo_parse_window(f.cert, path, &j->ci) != 0)
		goto out;
	j->staging_issuer = staging_issuer(j->ci.issuer);
	ok = true;
	if (is_revoked(j->record)) {
		j->action = ACT_REVOKED;
		goto out;
	}
	j->hooks = hooks_merge(json_object_get(j->record, "hooks"), cfg->deploy_hook,
	    cfg->pre_hook, cfg->post_hook);
	if (!peek && remember_hooks(cfg, j) != 0) {
		ok = false;
		goto out;
	}
	j->ari_path = store_cert_file(cfg->state_dir, j->name, STORE_ARI);
	j->have_ari = ari_state_from_json(f.ari, &j->ari) == 0;
out:
	if (!ok) {
		j->action = ACT_FAILED;
		take_error(j);
	}
	/* not kept: a run over many certificates would hold every file */
	store_cert_files_clear(&f);
	free(path);
}

/* Decides from the files alone whether j is due, or needs an ARI check. */
static void job_decide(const struct config *cfg, struct job *j, time_t now)
{
	time_t left = j->ci.not_after - now;
	long life_days = (long)((j->ci.not_after - j->ci.not_before) / 86400);

	if (j->action != ACT_NOT_DUE)
		return;
	if (cfg->force) {
		j->due = true;
		j->why = xstrdup("--force");
	} else if (cert_is_due(j->ci.not_before, j->ci.not_after, now, cfg->days)) {
		j->due = true;
		if (left <= 0)
			j->why = xstrdup("expired");
		else
			j->why = xasprintf("%ld of %ld days left", (long)(left / 86400), life_days);
	} else if (j->ci.ari_id != NULL) {
		switch (ari_verdict(j->have_ari ? &j->ari : NULL, j->ci.ari_id, now)) {
		case ARI_RENEW:
			j->due = true;
			j->why = xstrdup("in the CA's renewal window (ARI)");
			break;
		case ARI_CHECK:
			j->check = true;
			break;
		case ARI_WAIT:
			break;
		}
	}
}

/* True when j will only be reported and has nothing to do. */
static bool job_is_quiet(const struct job *j)
{
	return j->action == ACT_NOT_DUE && !j->due && !j->check && !j->deploy_pending;
}

bool renew_job_only_reported(const struct job *j)
{
	return j->action == ACT_REVOKED || job_is_quiet(j);
}

/* Drops what a job that will only be reported holds (its record, hooks,
 * certificate's issuer and ARI id, and the id and explanation its ARI state
 * is about), so a run over thousands of certificates keeps only their
 * summaries. */
static void job_trim(struct job *j)
{
	if (!job_is_quiet(j))
		return;
	json_decref(j->record);
	json_decref(j->hooks);
	free(j->ari_path);
	OPENSSL_free(j->ci.issuer);
	free(j->ci.ari_id);
	free(j->ari.cert_id);
	free(j->ari.explanation_url);
	j->ari.cert_id = NULL;
	j->ari.explanation_url = NULL;
	j->record = NULL;
	j->hooks = NULL;
	j->ari_path = NULL;
	j->ci.issuer = NULL;
	j->ci.ari_id = NULL;
}

/* Notes what the metrics need of j, before job_trim drops the ids it is
 * decided by: whether j is only reported (its facts then hold to the end
 * of the run), and the CA's renew_at when its ARI state is about its
 * certificate. */
static void job_note_metrics(struct job *j)
{
	bool own = j->have_ari && j->ci.ari_id != NULL && j->ari.cert_id != NULL &&
	    strcmp(j->ari.cert_id, j->ci.ari_id) == 0;

	j->known = renew_job_only_reported(j);
	j->ari_renew_at = own && j->ari.offered ? j->ari.renew_at : 0;
}

/* Empties j but for its name. */
static void job_reset(struct job *j)
{
	const char *name = j->name;

	job_clear(j);
	j->name = name;
}

/* Loads and decides every certificate named (each job borrows its name
 * from names, which must outlive the jobs); unless peek, keeps of those
 * with nothing to do only what is reported. With cache (a run holding the
 * lock), a certificate whose row still matches its files is decided from
 * the row, when that leaves it with nothing to do; any other is read from
 * its files. Returns the array (n entries; release with jobs_free). */
static struct job *jobs_load(const struct config *cfg, char **names, size_t n,
    time_t now, bool peek, struct renew_cache *cache)
{
	struct job *jobs = xcalloc(n ? n : 1, sizeof(*jobs));

	for (size_t i = 0; i < n; i++) {
		jobs[i].name = names[i];
		if (cache != NULL && renew_cache_take(cache, &jobs[i])) {
			job_decide(cfg, &jobs[i], now);
			if (renew_job_only_reported(&jobs[i]))
				goto trim;
			/* more than the row holds is needed: the files say it */
			job_reset(&jobs[i]);
		}
		job_load(cfg, &jobs[i], peek);
		job_decide(cfg, &jobs[i], now);
		if (cache != NULL)
			renew_cache_note(cache, &jobs[i], now);
trim:
		job_note_metrics(&jobs[i]);
		if (!peek)
			job_trim(&jobs[i]);
	}
	return jobs;
}

/* Takes the lock (*lock), reads the renew digest (*cache) and loads and
 * decides every certificate named (*jobs). 0, or -1 with err when the
 * lock cannot be taken. */
static int load_locked(const struct config *cfg, char **names, size_t n, time_t now,
    int *lock, struct renew_cache *cache, struct job **jobs)
{
	if ((*lock = store_lock_keys(cfg->state_dir, STORE_LOCK_WAIT_MS, &cache->keys)) == -1)
		return -1;
	renew_cache_open(cfg, cache);
	*jobs = jobs_load(cfg, names, n, now, false, cache);
	return 0;
}

/* True when some job needs the network (due, or an ARI check due). */
static bool any_network(const struct job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (jobs[i].due || jobs[i].check)
			return true;
	return false;
}

/* The names to look at: the NAMEs given (repeats dropped), else every
 * certificate in the state directory. NULL with err. */
static char **wanted_names(const struct config *cfg, size_t *n)
{
	char **names;
	size_t k = 0;

	if (cfg->nnames == 0) {
		if ((names = store_list_certs(cfg->state_dir)) == NULL)
			return NULL;
		while (names[k] != NULL)
			k++;
		*n = k;
		return names;
	}
	names = xcalloc(cfg->nnames + 1, sizeof(*names));
	for (size_t i = 0; i < cfg->nnames; i++) {
		bool seen = false;

		for (size_t j = 0; j < k; j++)
			seen = seen || strcmp(names[j], cfg->names[i]) == 0;
		if (!seen)
			names[k++] = xstrdup(cfg->names[i]);
	}
	*n = k;
	return names;
}

/* A uniform random number in [0, bound]. */
static long random_upto(long bound)
{
	unsigned long r;

	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1) {
		ERR_clear_error();
		r = (unsigned long)mono_ms();
	}
	return (long)(r % ((unsigned long)bound + 1));
}

/* The server entry for url in *list, created when new. */
static struct server *server_for(struct server **list, const struct config *cfg,
    const char *url)
{
	struct server *srv;

	for (srv = *list; srv != NULL; srv = srv->next)
		if (strcmp(srv->url, url) == 0)
			return srv;
	srv = xcalloc(1, sizeof(*srv));
	srv->url = xstrdup(url);
	srv->opts = cmd_session_opts(cfg);
	srv->opts.server = srv->url;
	if (session_recall_connection(&srv->opts, &srv->connection) != 0)
		srv->error = err_save();
	srv->next = *list;
	*list = srv;
	return srv;
}

static void servers_free(struct server *list)
{
	struct server *next;

	for (; list != NULL; list = next) {
		next = list->next;
		session_close(&list->s);
		json_decref(list->connection);
		free(list->url);
		err_saved_free(list->error);
		free(list);
	}
}

/* Opens srv's session (once; a failure is kept and repeated, so a server
 * that is down costs one timeout per run, not one per certificate), and
 * loads its account when with_account. 0 or -1 with err set. */
static int server_open(struct server *srv, bool with_account)
{
	if (srv->error == NULL && !srv->opened) {
		/* it works: what was given for it is remembered */
		if (session_open(&srv->s, &srv->opts) == 0 &&
		    session_remember_connection(&srv->opts) == 0)
			srv->opened = true;
		else
			srv->error = err_save();
	}
	if (srv->error == NULL && with_account && !srv->account_loaded) {
		if (session_load_account(&srv->s, true) == 0)
			srv->account_loaded = true;
		else
			srv->error = err_save();
	}
	if (srv->error != NULL) {
		err_restore(err_saved_dup(srv->error));
		return -1;
	}
	return 0;
}

/* Takes in the answer to j's ARI check (j->ari as ari_fetch_all left it,
 * or why the check failed: error, stolen) and decides again. A failure only
 * warns: the certificate is not due by its dates, and the backoff is kept
 * in ari.json. */
static void job_take_ari(struct job *j, struct err_saved *error, time_t now)
{
	j->check = false;
	if (error != NULL) {
		if (j->ari.cert_id == NULL || strcmp(j->ari.cert_id, j->ci.ari_id) != 0) {
			ari_state_clear(&j->ari);
			j->ari.cert_id = xstrdup(j->ci.ari_id);
		}
		if (j->ari.next_check <= now)
			ari_set_failure(&j->ari, now);
		logmsg(LOG_NORMAL, "warning: %s: no renewal information: %s", j->name,
		    err_saved_message(error));
		err_saved_free(error);
	}
	j->have_ari = true;
	if (ari_state_save(j->ari_path, &j->ari) != 0) {
		logmsg(LOG_NORMAL, "warning: %s: %s", j->name, err_message());
		err_clear();
	}
	if (ari_verdict(&j->ari, j->ci.ari_id, now) == ARI_RENEW) {
		j->due = true;
		j->why = xstrdup("in the CA's renewal window (ARI)");
	}
}

/* Asks each server about the windows of its certificates whose check time
 * has come, all of one server's questions together (ari_fetch_all), and
 * decides again. */
static void check_ari_all(const struct config *cfg, struct job *jobs, size_t n,
    struct server **servers, time_t now)
{
	struct ari_state *states;
	struct err_saved **errors;
	struct job **of;
	char **ids;
	struct server *srv;
	size_t k, m = 0;

	/* sized by the checks due, not by every certificate of the state */
	for (size_t i = 0; i < n; i++)
		m += jobs[i].check;
	if (m == 0)
		return;
	states = xcalloc(m, sizeof(*states));
	errors = xcalloc(m, sizeof(*errors));
	of = xcalloc(m, sizeof(*of));
	ids = xcalloc(m, sizeof(*ids));
	for (size_t i = 0; i < n; i++) {
		if (!jobs[i].check)
			continue;
		srv = server_for(servers, cfg, jobs[i].server);
		k = 0;
		for (size_t j = i; j < n; j++) {
			if (jobs[j].check && strcmp(jobs[j].server, jobs[i].server) == 0) {
				of[k] = &jobs[j];
				ids[k] = jobs[j].ci.ari_id;
				states[k] = jobs[j].ari;
				k++;
			}
		}
		if (server_open(srv, false) != 0) {
			for (size_t j = 0; j < k; j++)
				errors[j] = err_saved_dup(srv->error);
			err_clear();
		} else {
			ari_fetch_all(srv->s.acme, ids, k, now, states, errors);
		}
		for (size_t j = 0; j < k; j++) {
			of[j]->ari = states[j];
			job_take_ari(of[j], errors[j], now);
		}
	}
	free(ids);
	free(of);
	free(errors);
	free(states);
}

/* Runs j's deploy hook, when it has one, after j was renewed or while an
 * earlier deployment is pending; the record keeps the outcome. */
static void job_deploy(const struct config *cfg, struct job *j, bool with_privkey)
{
	const char *deploy = hooks_get(j->hooks, "deploy");

	if (deploy == NULL)
		return;
	if (issue_deploy(cfg->state_dir, j->name, deploy, with_privkey) != 0)
		take_error(j);
	else
		j->deploy_pending = false;
}

/* Renews the k jobs of batch together through srv (issue_run_all), then
 * runs each renewed one's deploy hook. Sets each job's action and error. */
static void renew_batch(const struct config *cfg, struct job **batch, size_t k,
    struct server *srv)
{
	struct issue_spec *specs = xcalloc(k, sizeof(*specs));
	struct certinfo *issued = xcalloc(k, sizeof(*issued));
	struct err_saved **errors = xcalloc(k, sizeof(*errors));
	struct job **of = xcalloc(k, sizeof(*of));
	size_t m = 0;

	/* a server that cannot be used fails every job with its error */
	if (server_open(srv, true) != 0) {
		for (size_t i = 0; i < k; i++) {
			batch[i]->action = ACT_FAILED;
			batch[i]->error = xstrdup(err_message());
			batch[i]->error_kind = err_kind();
			issue_note_failure(cfg->state_dir, batch[i]->name, err_message());
		}
		err_clear();
		goto out;
	}
	for (size_t i = 0; i < k; i++) {
		struct job *j = batch[i];

		if (issue_spec_from_record(j->record, j->name, &specs[m]) != 0) {
			j->action = ACT_FAILED;
			take_error(j);
			continue;
		}
		specs[m].hooks = j->hooks;
		/* RFC 9773 5: name the predecessor; order.c retries without it
		 * when the server refuses it */
		if (acme_directory(srv->s.acme)->renewal_info != NULL)
			specs[m].replaces = j->ci.ari_id;
		logmsg(LOG_VERBOSE, "renewing %s (%s)", j->name, j->why);
		of[m++] = j;
	}
	if (issue_run_all(&srv->s, specs, m, issued, errors) == m && m > 0 &&
	    err_saved_kind(errors[0]) == ERR_NETWORK) {
		/* the server went away: later batches fail at once, like jobs
		 * of a server that could not be opened, instead of each waiting
		 * out the timeout again */
		srv->error = err_saved_dup(errors[0]);
	}
	for (size_t i = 0; i < m; i++) {
		struct job *j = of[i];

		if (errors[i] != NULL) {
			j->action = ACT_FAILED;
			err_restore(errors[i]);
			issue_note_failure(cfg->state_dir, j->name, err_message());
			take_error(j);
		} else {
			j->action = ACT_RENEWED;
			j->deploy_pending = hooks_get(j->hooks, "deploy") != NULL;
			if (issued[i].not_after != 0) {
				if (staging_issuer(issued[i].issuer) && !staging_issuer(j->ci.issuer))
					logmsg(LOG_NORMAL, "warning: %s: a staging certificate (issued "
					    "by %s) now replaces one that was not", j->name,
					    issued[i].issuer);
				certinfo_clear(&j->ci);
				j->ci = issued[i];
				memset(&issued[i], 0, sizeof(issued[i]));
			}
			job_deploy(cfg, j, specs[i].csr_path == NULL);
		}
		certinfo_clear(&issued[i]);
		free(specs[i].names);
	}
out:
	free(of);
	free(errors);
	free(issued);
	free(specs);
}

/* Renews every due job, in batches of up to --parallel certificates of one
 * server (and at most BATCH_NAMES names, a CA's order limit), so their
 * requests share round trips and their waits overlap. */
static void renew_due(const struct config *cfg, struct job *jobs, size_t n,
    struct server **servers)
{
	size_t width = cfg->parallel > 0 ? (size_t)cfg->parallel : 1, k, names;
	struct job **batch = xcalloc(width, sizeof(*batch));
	bool *taken = xcalloc(n ? n : 1, sizeof(*taken));

	for (size_t i = 0; i < n; i++) {
		if (!jobs[i].due || taken[i])
			continue;
		k = 0;
		names = 0;
		for (size_t j = i; j < n && k < width; j++) {
			size_t nj = json_array_size(json_object_get(jobs[j].record, "names"));

			if (!jobs[j].due || taken[j] || strcmp(jobs[j].server, jobs[i].server) != 0 ||
			    (k > 0 && names + nj > BATCH_NAMES))
				continue;
			taken[j] = true;
			batch[k++] = &jobs[j];
			names += nj;
		}
		renew_batch(cfg, batch, k, server_for(servers, cfg, jobs[i].server));
	}
	free(taken);
	free(batch);
}

/* Runs the deploy hook of every job that is not due but whose last
 * deployment failed or never finished. */
static void deploy_pending(const struct config *cfg, struct job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct job *j = &jobs[i];

		if (j->action != ACT_NOT_DUE || j->due || !j->deploy_pending ||
		    hooks_get(j->hooks, "deploy") == NULL)
			continue;
		logmsg(LOG_VERBOSE, "%s: running its pending deploy hook", j->name);
		j->action = ACT_DEPLOYED;
		job_deploy(cfg, j, json_object_get(j->record, "csr") == NULL);
	}
}

/* Keeps only the jobs of certificates kept for server (--server), and
 * those that could not be read (their error is reported), and says so
 * when there are none. Returns the new count. */
static size_t only_server(const struct config *cfg, struct job *jobs, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (jobs[i].server == NULL || strcmp(jobs[i].server, cfg->server) == 0)
			jobs[k++] = jobs[i];
		else
			job_clear(&jobs[i]);
	}
	for (size_t i = k; i < n; i++)
		memset(&jobs[i], 0, sizeof(jobs[i]));
	if (k == 0 && !cfg->quiet && !cfg->json)
		printf("no certificates kept for %s; nothing renewed\n", cfg->server);
	return k;
}

/* Runs each distinct hook of kind among the due jobs once. Failures are
 * added to *errors ("; "-joined) and to *exit_kind (renew_exit_kind). */
static void run_run_hooks(struct job *jobs, size_t n, const char *kind, char **errors,
    enum err_kind *exit_kind)
{
	const char **done = xcalloc(n + 1, sizeof(*done));
	char *what = xasprintf("%s hook", kind), *t;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const char *cmd = jobs[i].due ? hooks_get(jobs[i].hooks, kind) : NULL;
		bool seen = false;

		for (size_t j = 0; j < k && cmd != NULL; j++)
			seen = seen || strcmp(done[j], cmd) == 0;
		if (cmd == NULL || seen)
			continue;
		done[k++] = cmd;
		logmsg(LOG_VERBOSE, "running %s: %s", what, cmd);
		if (hook_run(what, cmd, NULL) != 0) {
			t = xasprintf("%s%s%s", *errors ? *errors : "", *errors ? "; " : "",
			    err_message());
			free(*errors);
			*errors = t;
			*exit_kind = renew_exit_kind(*exit_kind, err_kind());
			err_clear();
		}
	}
	free(what);
	free(done);
}

/* Tries the renewal of one certificate against its dry-run server and
 * says how it went. Returns true when it passed. */
static bool dry_run_one(const struct config *cfg, struct job *j, json_t *arr)
{
	struct dryrun_opts dry = cmd_dryrun_opts(cfg);
	struct issue_spec spec;
	struct certinfo issued = { 0 };
	const char *tested = dryrun_server(&dry, j->server);
	json_t *o;
	bool passed = false;

	if (j->action == ACT_NOT_DUE && issue_spec_from_record(j->record, j->name, &spec) == 0) {
		passed = dryrun_issue(&dry, &spec, j->server, &issued) == 0;
		free(spec.names);
	}
	if (!passed && j->error == NULL && j->action != ACT_REVOKED)
		take_error(j);
	if (arr != NULL) {
		o = json_pack("{s:s,s:s,s:s?,s:s}", "name", j->name, "action",
		    passed ? "dry-run" : renew_action_names[j->error ? ACT_FAILED : j->action],
		    "server", j->server, "tested_with", tested);
		if (j->error != NULL)
			json_object_set_new(o, "error", json_string(j->error));
		json_array_append_new(arr, o);
	} else if (passed && !cfg->quiet) {
		printf("%s: dry run passed: %s issued a certificate for it; a real renewal "
		    "would have saved one from %s (nothing was saved, no hook was run)\n",
		    j->name, tested, j->server);
	} else if (!passed && j->error != NULL) {
		printf("%s: dry run failed: %s\n", j->name, j->error);
	} else if (!passed && !cfg->quiet) {
		printf("%s: revoked, not renewed\n", j->name);
	}
	certinfo_clear(&issued);
	return passed || j->error == NULL;
}

/* renew --dry-run: every certificate named (all when none; revoked ones
 * excepted) is renewed against its dry-run server with nothing kept, due
 * or not, with no lock and no write in the state directory. 0, or -1 with
 * ERR_ACME when one failed. */
static int dry_run_all(const struct config *cfg, char **names, size_t n)
{
	struct job *jobs = jobs_load(cfg, names, n, time(NULL), true, NULL);
	json_t *arr = cfg->json ? json_array() : NULL;
	size_t failed = 0;

	if (cfg->server_set)
		n = only_server(cfg, jobs, n);
	for (size_t i = 0; i < n; i++)
		failed += !dry_run_one(cfg, &jobs[i], arr);
	if (arr != NULL)
		json_print(arr);
	json_decref(arr);
	jobs_free(jobs, n);
	if (failed > 0) {
		err_set(ERR_ACME, "%zu of %zu certificates failed their dry run", failed, n);
		return -1;
	}
	return 0;
}

/* What the metrics report of the jobs only reported all along (nothing
 * this run did changed their files): *k of them. NULL when no metrics file
 * is written. */
static struct metrics_fact *known_facts(const struct config *cfg, const struct job *jobs,
    size_t n, size_t *k)
{
	struct metrics_fact *fs;
	const struct job *j;

	*k = 0;
	if (cfg->metrics_file == NULL || jobs == NULL)
		return NULL;
	fs = xcalloc(n ? n : 1, sizeof(*fs));
	for (size_t i = 0; i < n; i++) {
		j = &jobs[i];
		if (!j->known || !renew_job_only_reported(j) || j->error != NULL)
			continue;
		fs[(*k)++] = (struct metrics_fact){ .name = j->name, .server = j->server,
		    .readable = true,
		    .staging = staging_server(j->server, cfg->staging_servers) || j->staging_issuer,
		    .revoked = j->action == ACT_REVOKED,
		    .failing = j->last_error || j->deploy_pending, .last_error = j->last_error,
		    .not_before = j->ci.not_before, .not_after = j->ci.not_after,
		    .ari_renew_at = j->ari_renew_at, .last_attempt = j->last_attempt,
		    .issued = j->issued };
	}
	return fs;
}

int cmd_renew(const struct config *cfg)
{
	struct server *servers = NULL;
	struct renew_cache cache = { 0 };
	struct job *jobs = NULL;
	char **names = NULL, *run_errors = NULL, *failures = NULL;
	size_t n = 0, failed = 0, nknown;
	struct metrics_fact *known;
	enum err_kind exit_kind = ERR_NONE;
	bool anything_due = false;
	time_t now = time(NULL);
	int lock = -1, rc = -1;
	long pause;

	if ((names = wanted_names(cfg, &n)) == NULL)
		goto out;
	if (n == 0) {
		if (cfg->json)
			puts("[]");
		else if (!cfg->quiet)
			printf("no certificates in %s/certs\n", cfg->state_dir);
		rc = 0;
		goto out;
	}
	if (cfg->dry_run) {
		rc = dry_run_all(cfg, names, n);
		goto out;
	}
	if (load_locked(cfg, names, n, now, &lock, &cache, &jobs) != 0)
		goto out;
	/* the jitter spreads runs over time, so it is slept without the lock
	 * (a second run must not wait it out) and only when the network will
	 * be used; then everything is looked at again */
	if (cfg->jitter_s > 0 && any_network(jobs, n)) {
		jobs_free(jobs, n);
		jobs = NULL;
		renew_cache_free(&cache);
		store_unlock(lock);
		lock = -1;
		pause = random_upto(cfg->jitter_s);
		logmsg(LOG_VERBOSE, "waiting %ld s (--jitter %ld)", pause, cfg->jitter_s);
		sleep((unsigned int)pause);
		now = time(NULL);
		if (load_locked(cfg, names, n, now, &lock, &cache, &jobs) != 0)
			goto out;
	}
	/* --server picks certificates; a certificate never moves to another
	 * server here (issue --server does that) */
	if (cfg->server_set)
		n = only_server(cfg, jobs, n);

	check_ari_all(cfg, jobs, n, &servers, now);
	for (size_t i = 0; i < n; i++)
		anything_due = anything_due || jobs[i].due;
	if (anything_due) {
		run_run_hooks(jobs, n, "pre", &run_errors, &exit_kind);
		renew_due(cfg, jobs, n, &servers);
		run_run_hooks(jobs, n, "post", &run_errors, &exit_kind);
	}
	deploy_pending(cfg, jobs, n);
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].action == ACT_FAILED || jobs[i].error != NULL)
			failed++;
		if (!cfg->json)
			renew_print_line(cfg, &jobs[i], now);
	}
	if (cfg->json)
		renew_print_json(jobs, n);
	else
		renew_print_summary(cfg, jobs, n);
	for (struct server *srv = servers; srv != NULL; srv = srv->next)
		session_log_stats(&srv->s);
	if (failed > 0 || run_errors != NULL) {
		failures = renew_failures_text(jobs, n, &exit_kind);
		if (failed == 0)
			err_set(exit_kind, "%s", run_errors);
		else
			err_set(exit_kind, "%zu of %zu certificates failed to renew or deploy: "
			    "%s%s%s", failed, n, failures, run_errors ? "; " : "",
			    run_errors ? run_errors : "");
		goto out;
	}
	rc = 0;
out:
	known = known_facts(cfg, jobs, n, &nknown);
	rc = cmd_write_metrics(cfg, rc, known, nknown);
	free(known);
	/* what this run read and wrote, before another run may change it */
	renew_cache_save(cfg, &cache);
	renew_cache_free(&cache);
	servers_free(servers);
	jobs_free(jobs, n);
	store_unlock(lock);
	strv_free(names);
	free(run_errors);
	free(failures);
	return rc;
}
