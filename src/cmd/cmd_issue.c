/* cmd_issue.c - `acmectl issue`: names in, certificate files out. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ari.h"
#include "certinfo.h"
#include "cmd.h"
#include "csr.h"
#include "dryrun.h"
#include "err.h"
#include "hooks.h"
#include "ident.h"
#include "issue.h"
#include "log.h"
#include "session.h"
#include "staging.h"
#include "store.h"
#include "util.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Validates and normalises the names, dropping repeats; wildcards only
 * with dns-01. Returns a new
 * NULL-terminated array (caller strv_free()s) or NULL with ERR_USAGE. */
static char **collect_names(char *const *given, size_t n, bool dns01)
{
	char **names = xcalloc(n + 1, sizeof(*names));
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char *norm;
		bool seen = false;

		if (ident_validate(given[i]) != 0) {
			strv_free(names);
			return NULL;
		}
		if (given[i][0] == '*' && !dns01) {
			err_set(ERR_USAGE, "wildcard name \"%s\" needs the dns-01 challenge "
			    "(--dns-hook PROG)", given[i]);
			strv_free(names);
			return NULL;
		}
		norm = ident_normalize(given[i]);
		for (size_t j = 0; j < k; j++)
			seen = seen || strcmp(names[j], norm) == 0;
		if (seen)
			free(norm);
		else
			names[k++] = norm;
	}
	return names;
}

/* True when both NULL-terminated arrays hold the same set of names. */
static bool same_names(char **a, char **b)
{
	size_t na = 0, nb = 0;
	char **sa, **sb;
	bool same = true;

	while (a[na] != NULL)
		na++;
	while (b[nb] != NULL)
		nb++;
	if (na != nb)
		return false;
	sa = xcalloc(na + 1, sizeof(*sa));
	sb = xcalloc(nb + 1, sizeof(*sb));
	memcpy(sa, a, na * sizeof(*sa));
	memcpy(sb, b, nb * sizeof(*sb));
	qsort(sa, na, sizeof(*sa), cmp_str);
	qsort(sb, nb, sizeof(*sb), cmp_str);
	for (size_t i = 0; i < na && same; i++)
		same = strcmp(sa[i], sb[i]) == 0;
	free(sa);
	free(sb);
	return same;
}

/* The record kept for certificate name in *kept: NULL when there is no
 * such certificate yet. 0, or -1 with err (a record that cannot be read
 * is not silently replaced). */
static int load_kept(const struct config *cfg, const char *name, json_t **kept)
{
	if ((*kept = store_load_issuance(cfg->state_dir, name)) == NULL) {
		if (errno != ENOENT)
			return -1;
		err_clear();
		return 0;
	}
	/* the server it stays with: a record without one is not guessed at */
	if (!json_is_string(json_object_get(*kept, "server"))) {
		err_set(ERR_STORAGE, "certificate %s: issuance.json names no server", name);
		json_decref(*kept);
		*kept = NULL;
		return -1;
	}
	return 0;
}

/* The names kept in a record, joined with ", " and made printable (the
 * record is only a file). Caller frees. */
static char *kept_names_text(json_t *kept)
{
	json_t *v;
	size_t i;
	char *text = xstrdup(""), *t, *shown;

	json_array_foreach(json_object_get(kept, "names"), i, v) {
		shown = str_printable(json_string_value(v) ? json_string_value(v) : "?");
		t = xasprintf("%s%s%s", text, i ? ", " : "", shown);
		free(shown);
		free(text);
		text = t;
	}
	return text;
}

/* True when the record holds the same set of names. */
static bool kept_same_names(json_t *kept, char **names)
{
	json_t *list = json_object_get(kept, "names"), *v;
	char **have = xcalloc(json_array_size(list) + 1, sizeof(*have));
	size_t i;
	bool same;

	json_array_foreach(list, i, v)
		have[i] = (char *)(json_string_value(v) ? json_string_value(v) : "");
	same = same_names(have, names);
	free(have);
	return same;
}

/* Refuses (ERR_USAGE) to change the names of kept certificate name
 * unless --replace-names says so. */
static int check_names(const struct config *cfg, const char *name, json_t *kept, char **names)
{
	char *had, *asked;

	if (kept == NULL || cfg->replace_names || kept_same_names(kept, names))
		return 0;
	had = kept_names_text(kept);
	asked = str_join((const char *const *)names, strv_len(names), ", ");
	err_set(ERR_USAGE, "certificate %s is kept for %s, not %s: use --name OTHER to keep "
	    "a separate certificate, or --replace-names to change this one's names",
	    name, had, asked);
	free(had);
	free(asked);
	return -1;
}

/* Fills spec for certificate name: how the kept record says it was issued,
 * with what the user gave laid over it. hooks is the merged hooks object
 * (caller json_decref()s). 0, or -1 with err. */
static int settle_spec(const struct config *cfg, json_t *kept, char **names, const char *name,
    struct issue_spec *spec, json_t **hooks)
{
	bool solver_given = cfg->webroot || cfg->standalone || cfg->tls_alpn || cfg->dns_hook;

	memset(spec, 0, sizeof(*spec));
	if (kept != NULL && issue_spec_from_record(kept, name, spec) != 0)
		return -1;
	free(spec->names);
	spec->names = names;
	spec->cert_name = name;
	if (solver_given) {
		spec->webroot = cfg->webroot;
		spec->standalone = cfg->standalone;
		spec->tls_alpn = cfg->tls_alpn;
		spec->dns_hook = cfg->dns_hook;
		spec->dns_wait_s = cfg->dns_wait_s;
	} else if (cfg->dns_wait_set) {
		spec->dns_wait_s = cfg->dns_wait_s;
	}
	if (spec->webroot == NULL && spec->standalone == NULL && spec->tls_alpn == NULL &&
	    spec->dns_hook == NULL) {
		err_set(ERR_USAGE, "issue needs --webroot DIR, --standalone [ADDR:]PORT, "
		    "--tls-alpn [ADDR:]PORT or --dns-hook PROG");
		return -1;
	}
	if (cfg->csr != NULL) {
		spec->csr_path = cfg->csr;
	} else if (kept == NULL || cfg->cert_key_type_set) {
		spec->csr_path = NULL;
		spec->key_type = cfg->cert_key_type;
	}
	if (cfg->reuse_key || cfg->no_reuse_key)
		spec->reuse_key = cfg->reuse_key;
	if (cfg->preferred_chain != NULL)
		spec->preferred_chain = cfg->preferred_chain;
	if (cfg->profile != NULL)
		spec->profile = cfg->profile;
	*hooks = hooks_merge(kept ? json_object_get(kept, "hooks") : NULL, cfg->deploy_hook,
	    cfg->pre_hook, cfg->post_hook);
	spec->hooks = *hooks;
	for (size_t i = 0; names[i] != NULL; i++) {
		if (names[i][0] == '*' && spec->dns_hook == NULL) {
			err_set(ERR_USAGE, "wildcard name \"%s\" needs the dns-01 challenge "
			    "(--dns-hook PROG)", names[i]);
			return -1;
		}
	}
	return 0;
}

/* True when a record member differs between two records (both absent
 * counts as equal). */
static bool member_differs(json_t *a, json_t *b, const char *key)
{
	return !json_equal(json_object_get(a, key), json_object_get(b, key)) &&
	    (json_object_get(a, key) != NULL || json_object_get(b, key) != NULL);
}

/* Why the certificate must be issued now rather than kept: a reason for
 * the output, or NULL when the kept one still serves (its record fresh,
 * built from spec, says how it should be issued). */
static const char *issue_reason(const struct config *cfg, json_t *kept, json_t *fresh,
    const char *name, char **names)
{
	char *path = store_cert_file(cfg->state_dir, name, STORE_CERT), *pem;
	struct certinfo ci = { 0 };
	const char *why = NULL;
	json_t *revoked = kept ? json_object_get(kept, "revoked") : NULL;

	if (kept == NULL)
		why = "new";
	else if (cfg->force)
		why = "--force";
	else if (!kept_same_names(kept, names))
		why = "names replaced";
	else if (member_differs(kept, fresh, "server"))
		why = "server changed";
	else if (member_differs(kept, fresh, "key_type") || member_differs(kept, fresh, "csr"))
		why = "key changed";
	else if (member_differs(kept, fresh, "profile") ||
	    member_differs(kept, fresh, "preferred_chain"))
		why = "profile or preferred chain changed";
	else if (revoked != NULL && !json_is_false(revoked) && !json_is_null(revoked))
		why = "revoked";
	else if ((pem = store_read_file(path, NULL)) == NULL || certinfo_parse(pem, path, &ci) != 0 ||
	    cert_is_due(ci.not_before, ci.not_after, time(NULL), -1)) {
		why = "due";
		free(pem);
	} else {
		free(pem);
	}
	err_clear();
	certinfo_clear(&ci);
	free(path);
	return why;
}

/* The kept record with the settings of fresh (how the user now wants it
 * issued) that apply without a new certificate: the solver and the hooks.
 * New reference. */
static json_t *updated_record(json_t *kept, json_t *fresh)
{
	static const char *const keys[] = { "challenge", "hooks", "reuse_key" };
	json_t *rec = json_deep_copy(kept), *v;

	for (size_t i = 0; i < nitems(keys); i++) {
		if ((v = json_object_get(fresh, keys[i])) != NULL)
			json_object_set(rec, keys[i], v);
		else
			json_object_del(rec, keys[i]);
	}
	return rec;
}

/* True when the certificate kept as name came from a staging server or
 * a staging issuer. */
static bool kept_is_staging(const struct config *cfg, const char *name, json_t *kept)
{
	char *path = store_cert_file(cfg->state_dir, name, STORE_CERT), *pem;
	struct certinfo ci = { 0 };
	bool staging = staging_server(json_string_value(json_object_get(kept, "server")),
	    cfg->staging_servers);

	/* only the issuer counts: the window reader finds it without decoding
	 * the public key, which costs OpenSSL 3 more than the rest of a run */
	if (!staging && (pem = store_read_file(path, NULL)) != NULL) {
		if (certinfo_parse_window(pem, path, &ci) == 0)
			staging = staging_issuer(ci.issuer);
		free(pem);
	}
	err_clear();
	certinfo_clear(&ci);
	free(path);
	return staging;
}

/* Prints what issue did: one line, or with --json one object. deployed is
 * 1 when the deploy hook succeeded, 0 when it failed, -1 when there is
 * none. */
static void report(const struct config *cfg, const char *name, const char *server,
    const struct certinfo *ci, bool staging, int deployed)
{
	char until[32], *dir = store_cert_dir(cfg->state_dir, name);
	json_t *o, *names;

	if (cfg->json) {
		names = json_array();
		for (size_t i = 0; ci->names != NULL && ci->names[i] != NULL; i++)
			json_array_append_new(names, json_string(ci->names[i]));
		o = json_pack("{s:s,s:o,s:s,s:b,s:s,s:{s:s+,s:s+,s:s+,s:s+},s:o}",
		    "name", name, "names", names, "server", server, "staging", staging,
		    "not_after", ari_format_time(ci->not_after, until, sizeof(until)),
		    "files", "cert", dir, "/cert.pem", "chain", dir, "/chain.pem",
		    "fullchain", dir, "/fullchain.pem", "privkey", dir, "/privkey.pem",
		    "deployed", deployed < 0 ? json_null() : json_boolean(deployed));
		json_print(o);
		json_decref(o);
	} else if (!cfg->quiet) {
		strftime(until, sizeof(until), "%Y-%m-%d %H:%M:%S UTC", gmtime(&ci->not_after));
		printf("certificate %s issued by %s%s: %s/fullchain.pem (valid until %s)\n",
		    name, server, staging ? " (staging)" : "", dir, until);
	}
	free(dir);
}

/* Keeps the settings the user changed on a certificate that is not due,
 * and says so (with --json, the certificate's object with deployed null).
 * 0 or -1 with err. */
static int keep_settings(const struct config *cfg, const char *name, json_t *kept, json_t *fresh)
{
	json_t *rec = updated_record(kept, fresh);
	bool changed = !json_equal(rec, kept);
	char *path = NULL, *pem = NULL;
	struct certinfo ci = { 0 };
	int rc = 0;

	if (changed)
		rc = store_save_issuance(cfg->state_dir, name, rec);
	if (rc == 0 && cfg->json) {
		path = store_cert_file(cfg->state_dir, name, STORE_CERT);
		/* it was read moments ago to find it not due */
		if ((pem = store_read_file(path, NULL)) == NULL || certinfo_parse(pem, path, &ci) != 0)
			rc = -1;
		else
			report(cfg, name, json_string_value(json_object_get(kept, "server")), &ci,
			    kept_is_staging(cfg, name, kept), -1);
	} else if (rc == 0 && !cfg->quiet) {
		printf("certificate %s is not due for renewal; %s (use --force to issue "
		    "anyway)\n", name, changed ? "its new settings are kept for renewals" :
		    "nothing to do");
	}
	certinfo_clear(&ci);
	free(pem);
	free(path);
	json_decref(rec);
	return rc;
}

/* The hooks of one issue that failed: the first one's error, and the kind
 * of them all as a renew run counts it (4 when every one was refused for
 * trust, else 1). */
struct hook_failures {
	struct err_saved *first;
	enum err_kind kind;
};

/* Moves the recorded error, a hook's, into f. */
static void hook_failed(struct hook_failures *f)
{
	f->kind = renew_exit_kind(f->kind, err_kind());
	if (f->first == NULL)
		f->first = err_save();
	err_clear();
}

/* Runs the pre or post hook of hooks, when there is one; a failure is
 * kept in f and the issuance goes on. */
static void run_hook(json_t *hooks, const char *kind, struct hook_failures *f)
{
	const char *cmd = hooks_get(hooks, kind);
	char what[16];

	if (cmd == NULL)
		return;
	snprintf(what, sizeof(what), "%s hook", kind);
	if (hook_run(what, cmd, NULL) != 0)
		hook_failed(f);
}

/* The names asked for: NAMEs given, or the CSR's (which must then equal
 * any NAMEs given). NULL with ERR_USAGE. */
static char **asked_names(const struct config *cfg)
{
	char **names, **csr_names = NULL, *csr = NULL, *given = NULL, *in_csr = NULL;

	/* wildcards are checked once the solver is known */
	if ((names = collect_names(cfg->names, cfg->nnames, true)) == NULL || cfg->csr == NULL)
		goto out;
	if ((csr = csr_load(cfg->csr, &csr_names)) == NULL) {
		strv_free(names);
		names = NULL;
		goto out;
	}
	if (names[0] != NULL && !same_names(names, csr_names)) {
		given = str_join((const char *const *)names, strv_len(names), ", ");
		in_csr = str_join((const char *const *)csr_names, strv_len(csr_names), ", ");
		err_set(ERR_USAGE, "the names in %s (%s) differ from the names given (%s)",
		    cfg->csr, in_csr, given);
		strv_free(names);
		names = NULL;
		goto out;
	}
	strv_free(names);
	names = csr_names;
	csr_names = NULL;
out:
	strv_free(csr_names);
	free(csr);
	free(given);
	free(in_csr);
	return names;
}

/* What acmectl-renew.service may write to (StateDirectory=acmectl and
 * ReadWritePaths= in contrib/systemd/acmectl-renew.service.in): the rest
 * of the file system is read-only to it (ProtectSystem=strict). */
#define SERVICE_STATE_DIR "/var/lib/acmectl"
#define SERVICE_WEBROOTS "/var/www"
#define SERVICE_DROPIN "/etc/systemd/system/acmectl-renew.service.d/webroot.conf"

/* path as a unit file setting's value: '%' starts a specifier, and
 * whitespace would split the path into two. NULL when a unit file cannot
 * hold it (control characters). Caller frees. */
static char *unit_file_path(const char *path)
{
	char *out = xcalloc(2 * strlen(path) + 3, 1), *o = out;
	bool quote = strpbrk(path, " \"\\") != NULL;

	if (quote)
		*o++ = '"';
	for (; *path != '\0'; path++) {
		if ((unsigned char)*path < 0x20 || *path == 0x7f) {
			free(out);
			return NULL;
		}
		if (*path == '%')
			*o++ = '%';
		else if (quote && (*path == '"' || *path == '\\'))
			*o++ = '\\';
		*o++ = *path;
	}
	if (quote)
		*o++ = '"';
	return out;
}

/* A certificate the renewal service will renew, answered through a
 * webroot outside the paths it may write to, would fail to renew with
 * "Read-only file system": says how to let the service write there. */
static void advise_service_webroot(const char *state_dir, const char *webroot)
{
	char real[PATH_MAX], *value, *shown;
	size_t len = strlen(SERVICE_WEBROOTS);

	if (webroot == NULL || strcmp(state_dir, SERVICE_STATE_DIR) != 0 ||
	    realpath(webroot, real) == NULL)
		return;
	if (strncmp(real, SERVICE_WEBROOTS, len) == 0 && (real[len] == '/' || real[len] == '\0'))
		return;
	shown = str_printable(real);
	if ((value = unit_file_path(real)) == NULL) {
		logmsg(LOG_NORMAL, "note: acmectl-renew.service may write only to %s and %s, "
		    "and no unit file can name %s (control characters): it cannot renew "
		    "this certificate", SERVICE_STATE_DIR, SERVICE_WEBROOTS, shown);
		free(shown);
		return;
	}
	logmsg(LOG_NORMAL, "note: acmectl-renew.service may write only to %s and %s; "
	    "for it to renew this certificate, let it write to %s with a drop-in, %s:",
	    SERVICE_STATE_DIR, SERVICE_WEBROOTS, shown, SERVICE_DROPIN);
	logmsg(LOG_NORMAL, "    [Service]");
	logmsg(LOG_NORMAL, "    ReadWritePaths=%s", value);
	free(value);
	free(shown);
}

/* Issues spec from so->server through a new session and deploys it.
 * 0, or -1 with err (the kept record notes a failed issuance). */
static int issue_now(const struct config *cfg, const struct session_opts *so,
    const struct issue_spec *spec, json_t *kept, bool was_staging)
{
	struct session s = { 0 };
	struct certinfo issued = { 0 };
	const char *deploy = hooks_get(spec->hooks, "deploy");
	struct hook_failures failed_hooks = { NULL, ERR_NONE };
	bool staging;
	int deployed = -1, rc = -1;

	if (session_open(&s, so) != 0 || session_load_account(&s, !cfg->agree_tos) != 0)
		goto failed;
	if (s.account_key == NULL &&
	    session_register(&s, cfg->account_key, cfg->account_key_type, cfg->email,
	    cfg->eab_kid, cfg->eab_hmac_key, cfg->eab_alg) != 0)
		goto failed;
	/* it works: remembered for unattended renewals */
	if (session_remember_connection(so) != 0)
		goto failed;
	run_hook(spec->hooks, "pre", &failed_hooks);
	if (issue_run(&s, spec, &issued) != 0)
		goto failed;
	staging = staging_server(so->server, cfg->staging_servers) || staging_issuer(issued.issuer);
	if (staging && kept != NULL && !was_staging)
		logmsg(LOG_NORMAL, "warning: %s: a staging certificate (from %s) now replaces "
		    "one that was not; browsers will not trust it", spec->cert_name, so->server);
	if (deploy != NULL) {
		deployed = issue_deploy(cfg->state_dir, spec->cert_name, deploy,
		    spec->csr_path == NULL) == 0;
		if (!deployed)
			hook_failed(&failed_hooks);
	}
	run_hook(spec->hooks, "post", &failed_hooks);
	report(cfg, spec->cert_name, so->server, &issued, staging, deployed);
	advise_service_webroot(cfg->state_dir, spec->webroot);
	session_log_stats(&s);
	if (failed_hooks.first != NULL) {
		err_restore(failed_hooks.first);
		failed_hooks.first = NULL;
		err_rekind(failed_hooks.kind);
		err_prefix("certificate %s was issued", spec->cert_name);
		goto out;
	}
	rc = 0;
	goto out;
failed:
	if (kept != NULL)
		issue_note_failure(cfg->state_dir, spec->cert_name, err_message());
out:
	err_saved_free(failed_hooks.first);
	certinfo_clear(&issued);
	session_close(&s);
	return rc;
}

/* Says what a dry run found: what a real run would have saved from
 * server, and which deploy hook it would have run. */
static void report_dry_run(const struct config *cfg, const struct issue_spec *spec,
    const char *server, const struct certinfo *ci)
{
	struct dryrun_opts dry = cmd_dryrun_opts(cfg);
	char until[32], *dir = store_cert_dir(cfg->state_dir, spec->cert_name), *names;
	const char *deploy = hooks_get(spec->hooks, "deploy");
	json_t *o;

	if (cfg->json) {
		o = json_pack("{s:s,s:o,s:s,s:s,s:b,s:s,s:{s:s+},s:n,s:b}", "name", spec->cert_name,
		    "names", json_array(), "server", server,
		    "tested_with", dryrun_server(&dry, server), "staging",
		    staging_server(dryrun_server(&dry, server), cfg->staging_servers) ||
		    staging_issuer(ci->issuer),
		    "not_after", ari_format_time(ci->not_after, until, sizeof(until)),
		    "files", "fullchain", dir, "/fullchain.pem", "deployed", "dry_run", true);
		for (size_t i = 0; ci->names != NULL && ci->names[i] != NULL; i++)
			json_array_append_new(json_object_get(o, "names"), json_string(ci->names[i]));
		json_print(o);
		json_decref(o);
	} else if (!cfg->quiet) {
		names = str_join((const char *const *)spec->names, strv_len(spec->names), ", ");
		printf("dry run: %s issued %s a certificate for %s; a real run would have "
		    "saved one from %s to %s%s%s%s (nothing was saved, no hook was run)\n",
		    dryrun_server(&dry, server), spec->cert_name, names, server, dir,
		    deploy ? " and run the deploy hook `" : "", deploy ? deploy : "",
		    deploy ? "`" : "");
		free(names);
	}
	free(dir);
}

int cmd_issue(const struct config *cfg)
{
	struct issue_spec spec = { 0 };
	struct certinfo dry = { 0 };
	struct session_opts so = cmd_session_opts(cfg);
	struct dryrun_opts dry_opts = cmd_dryrun_opts(cfg);
	char **names = NULL, *name = NULL;
	json_t *kept = NULL, *hooks = NULL, *fresh = NULL, *conn = NULL;
	const char *old_server, *why;
	int rc = -1;

	if ((names = asked_names(cfg)) == NULL)
		goto out;
	if (names[0] == NULL) {
		err_set(ERR_USAGE, "issue needs at least one NAME");
		goto out;
	}
	name = cfg->cert_name ? xstrdup(cfg->cert_name) : ident_cert_name(names[0]);
	if (name[0] == '.' || name[0] == '\0' || strchr(name, '/') != NULL) {
		err_set(ERR_USAGE, "invalid certificate name \"%s\"", name);
		goto out;
	}
	/* bad input (a wildcard without dns-01) first, then the names; a
	 * certificate someone else could have planted is not even read */
	if (store_check_cert(cfg->state_dir, name) != 0 || load_kept(cfg, name, &kept) != 0 ||
	    settle_spec(cfg, kept, names, name, &spec, &hooks) != 0 ||
	    check_names(cfg, name, kept, names) != 0)
		goto out;
	/* a kept certificate stays with its server unless --server says otherwise */
	old_server = kept ? json_string_value(json_object_get(kept, "server")) : NULL;
	if (old_server != NULL && !cfg->server_set)
		so.server = old_server;
	if (cfg->dry_run) {
		if ((rc = dryrun_issue(&dry_opts, &spec, so.server, &dry)) == 0)
			report_dry_run(cfg, &spec, so.server, &dry);
		goto out;
	}
	fresh = issue_record(&spec, so.server, NULL);
	if ((why = issue_reason(cfg, kept, fresh, name, names)) == NULL) {
		rc = keep_settings(cfg, name, kept, fresh);
		goto out;
	}
	if (old_server != NULL && strcmp(old_server, so.server) != 0 && !cfg->quiet && !cfg->json)
		printf("certificate %s was issued by %s; issuing from %s\n", name,
		    old_server, so.server);
	if (session_recall_connection(&so, &conn) != 0)
		goto out;
	rc = issue_now(cfg, &so, &spec, kept, kept != NULL && kept_is_staging(cfg, name, kept));
out:
	certinfo_clear(&dry);
	json_decref(conn);
	json_decref(fresh);
	json_decref(hooks);
	json_decref(kept);
	strv_free(names);
	free(name);
	return rc;
}
