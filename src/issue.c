/* issue.c - one issuance from solver set-up to saved files. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ari.h"
#include "certcheck.h"
#include "csr.h"
#include "dns01.h"
#include "err.h"
#include "hooks.h"
#include "http01.h"
#include "issue.h"
#include "log.h"
#include "order.h"
#include "store.h"
#include "tlsalpn.h"
#include "util.h"

/* An absolute form of a path the record keeps (renew may run elsewhere). */
static json_t *abs_path(const char *path)
{
	char abs[PATH_MAX];

	return json_string(realpath(path, abs) ? abs : path);
}

json_t *issue_record(const struct issue_spec *spec, const char *server, const char *account_url)
{
	json_t *rec, *challenge, *list = json_array();
	char created[32];
	time_t now = time(NULL);
	struct tm tm;

	for (size_t i = 0; spec->names[i] != NULL; i++)
		json_array_append_new(list, json_string(spec->names[i]));
	if (spec->webroot != NULL)
		challenge = json_pack("{s:s,s:o}", "type", "http-01", "webroot", abs_path(spec->webroot));
	else if (spec->standalone != NULL)
		challenge = json_pack("{s:s,s:s}", "type", "http-01", "standalone", spec->standalone);
	else if (spec->tls_alpn != NULL)
		challenge = json_pack("{s:s,s:s}", "type", "tls-alpn-01", "tls_alpn", spec->tls_alpn);
	else
		challenge = json_pack("{s:s,s:o,s:I}", "type", "dns-01", "dns_hook",
		    strchr(spec->dns_hook, '/') ? abs_path(spec->dns_hook) : json_string(spec->dns_hook),
		    "dns_wait", (json_int_t)spec->dns_wait_s);
	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	rec = json_pack("{s:s,s:o,s:o,s:s,s:s}", "server", server, "names", list,
	    "challenge", challenge, "account", account_url ? account_url : "", "issued", created);
	if (spec->csr_path != NULL)
		json_object_set_new(rec, "csr", abs_path(spec->csr_path));
	else
		json_object_set_new(rec, "key_type", json_string(key_type_name(spec->key_type)));
	if (spec->reuse_key && spec->csr_path == NULL)
		json_object_set_new(rec, "reuse_key", json_true());
	if (spec->preferred_chain != NULL)
		json_object_set_new(rec, "preferred_chain", json_string(spec->preferred_chain));
	if (spec->profile != NULL)
		json_object_set_new(rec, "profile", json_string(spec->profile));
	if (json_is_object(spec->hooks) && json_object_size(spec->hooks) > 0)
		json_object_set(rec, "hooks", spec->hooks);
	/* pending until the deploy hook succeeds, so a crash or a failing
	 * hook leaves it to be run again */
	json_object_set_new(rec, "last_attempt", json_string(created));
	json_object_set_new(rec, "last_error", json_null());
	json_object_set_new(rec, "deploy_pending",
	    json_boolean(hooks_get(spec->hooks, "deploy") != NULL));
	return rec;
}

/* rec[key] as a string, or NULL. Borrowed. */
static const char *rec_str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

int issue_spec_from_record(json_t *rec, const char *cert_name, struct issue_spec *spec)
{
	json_t *names = json_object_get(rec, "names"), *ch = json_object_get(rec, "challenge"), *v;
	const char *type = rec_str(ch, "type");
	size_t i;

	memset(spec, 0, sizeof(*spec));
	spec->cert_name = cert_name;
	if (!json_is_array(names) || json_array_size(names) == 0 || type == NULL) {
		err_set(ERR_STORAGE, "certificate %s: issuance.json lacks names or challenge",
		    cert_name);
		return -1;
	}
	spec->names = xcalloc(json_array_size(names) + 1, sizeof(*spec->names));
	json_array_foreach(names, i, v) {
		if ((spec->names[i] = (char *)json_string_value(v)) == NULL) {
			err_set(ERR_STORAGE, "certificate %s: issuance.json has a bad name", cert_name);
			free(spec->names);
			spec->names = NULL;
			return -1;
		}
	}
	spec->webroot = rec_str(ch, "webroot");
	spec->standalone = rec_str(ch, "standalone");
	spec->tls_alpn = rec_str(ch, "tls_alpn");
	spec->dns_hook = rec_str(ch, "dns_hook");
	spec->dns_wait_s = (long)json_integer_value(json_object_get(ch, "dns_wait"));
	if (spec->webroot == NULL && spec->standalone == NULL && spec->tls_alpn == NULL &&
	    spec->dns_hook == NULL) {
		err_set(ERR_STORAGE, "certificate %s: issuance.json names no way to answer "
		    "challenges", cert_name);
		free(spec->names);
		spec->names = NULL;
		return -1;
	}
	spec->csr_path = rec_str(rec, "csr");
	if (rec_str(rec, "key_type") != NULL &&
	    key_type_parse(rec_str(rec, "key_type"), &spec->key_type) != 0) {
		err_prefix("certificate %s: issuance.json", cert_name);
		free(spec->names);
		spec->names = NULL;
		return -1;
	}
	spec->reuse_key = json_is_true(json_object_get(rec, "reuse_key"));
	spec->preferred_chain = rec_str(rec, "preferred_chain");
	spec->profile = rec_str(rec, "profile");
	spec->hooks = json_object_get(rec, "hooks");
	return 0;
}

/* Records the new certificates' ARI state (RFC 9773 4.3: ask at once), or
 * that the server offers none, in STATE/certs/NAME/ari.json for each of the
 * n certificates names[i] with ARI identifiers ids[i], asking about all of
 * them together, so the next renew knows without any network that nothing
 * is due. Best effort: without the file, renew asks. */
static void save_ari_states(struct session *s, char *const *names, char *const *ids, size_t n)
{
	struct ari_state *st = xcalloc(n ? n : 1, sizeof(*st));
	struct err_saved **errors = xcalloc(n ? n : 1, sizeof(*errors));
	char *path;

	ari_fetch_all(s->acme, ids, n, time(NULL), st, errors);
	for (size_t i = 0; i < n; i++) {
		if (errors[i] != NULL)
			logmsg(LOG_VERBOSE, "%s: no renewal information yet: %s", names[i],
			    err_saved_message(errors[i]));
		err_saved_free(errors[i]);
		path = store_cert_file(s->opts->state_dir, names[i], STORE_ARI);
		if (ari_state_save(path, &st[i]) != 0) {
			logmsg(LOG_NORMAL, "warning: %s: %s", names[i], err_message());
			err_clear();
		}
		free(path);
		ari_state_clear(&st[i]);
	}
	free(errors);
	free(st);
}

/* The ways of answering challenges of one batch: specs that answer the
 * same way share one solver (one standalone responder per address). */
struct solvers {
	struct solver {
		const char *webroot, *standalone, *tls_alpn, *dns_hook;  /* borrowed from a spec */
		long dns_wait_s;
		struct http01 *http01;
		struct tlsalpn *tlsalpn;
		struct dns01 *dns01;
	} *v;
	size_t n;
};

/* True when a string member is the same in both (both NULL counts). */
static bool same(const char *x, const char *y)
{
	return x == y || (x != NULL && y != NULL && strcmp(x, y) == 0);
}

/* Points req at the solver spec answers with, made when it is the first
 * of its kind. 0 or -1 with err (a responder that cannot listen). */
static int solver_for(struct solvers *sv, const struct issue_spec *spec,
    struct order_request *req)
{
	struct solver *v;

	for (size_t i = 0; i < sv->n; i++) {
		v = &sv->v[i];
		if (same(v->webroot, spec->webroot) && same(v->standalone, spec->standalone) &&
		    same(v->tls_alpn, spec->tls_alpn) &&
		    same(v->dns_hook, spec->dns_hook) && (spec->dns_hook == NULL ||
		    v->dns_wait_s == spec->dns_wait_s))
			goto found;
	}
	sv->v = xrealloc(sv->v, (sv->n + 1) * sizeof(*sv->v));
	v = &sv->v[sv->n];
	*v = (struct solver){ .webroot = spec->webroot, .standalone = spec->standalone,
	    .tls_alpn = spec->tls_alpn, .dns_hook = spec->dns_hook,
	    .dns_wait_s = spec->dns_wait_s };
	if (spec->dns_hook != NULL)
		v->dns01 = dns01_new(spec->dns_hook, spec->dns_wait_s);
	else if (spec->tls_alpn != NULL)
		v->tlsalpn = tlsalpn_start(spec->tls_alpn);
	else
		v->http01 = spec->webroot ? http01_webroot(spec->webroot) :
		    http01_standalone(spec->standalone);
	if (v->dns01 == NULL && v->tlsalpn == NULL && v->http01 == NULL)
		return -1;
	sv->n++;
found:
	req->http01 = v->http01;
	req->dns01 = v->dns01;
	req->tlsalpn = v->tlsalpn;
	return 0;
}

static void solvers_free(struct solvers *sv)
{
	for (size_t i = 0; i < sv->n; i++) {
		http01_free(sv->v[i].http01);
		dns01_free(sv->v[i].dns01);
		tlsalpn_free(sv->v[i].tlsalpn);
	}
	free(sv->v);
}

/* What one certificate of a batch needs: its order, and the key and CSR. */
struct prepared {
	struct order_request req;
	EVP_PKEY *cert_key;
	char *csr;
	char *key_pem;
	size_t key_len;
	char **csr_names;
};

/* The key spec->cert_name's current generation holds, for --reuse-key
 * (a new one of spec->key_type when the certificate has no generation
 * yet). Caller frees; NULL with ERR_USAGE when there is a generation but
 * its key is missing, unreadable or not of spec->key_type: a pinned key is
 * never replaced silently. */
static EVP_PKEY *kept_key(const char *state, const struct issue_spec *spec)
{
	char *live = store_cert_dir(state, spec->cert_name), *pem = NULL, *why;
	char *path = store_cert_file(state, spec->cert_name, STORE_PRIVKEY);
	EVP_PKEY *key = NULL;
	struct stat st;
	size_t len = 0;

	if (lstat(live, &st) == -1 && errno == ENOENT) {
		key = key_generate(spec->key_type);
		goto out;
	}
	if ((pem = store_read_file(path, &len)) == NULL ||
	    (key = key_from_pem(pem, len, path)) == NULL) {
		why = xstrdup(err_message());
		err_set(ERR_USAGE, "certificate %s: --reuse-key cannot keep its key: %s (give "
		    "--no-reuse-key for a new one)", spec->cert_name, why);
		free(why);
		goto out;
	}
	if (!key_is_type(key, spec->key_type)) {
		err_set(ERR_USAGE, "certificate %s: the kept key %s is not %s; --reuse-key keeps "
		    "it as it is (give the --key-type it has, or --no-reuse-key for a new %s key)",
		    spec->cert_name, path, key_type_name(spec->key_type),
		    key_type_name(spec->key_type));
		EVP_PKEY_free(key);
		key = NULL;
	}
out:
	key_pem_free(pem, len);
	free(path);
	free(live);
	return key;
}

/* Refuses, before anything is ordered, the programs spec would run (its
 * dns hook, and its deploy, pre and post hooks) when another user could
 * have planted them (hook_check_program). 0 or -1 with ERR_STORAGE. */
static int check_hooks(const struct issue_spec *spec)
{
	static const char *const kinds[] = { "deploy", "pre", "post" };
	const char *cmd;

	if (spec->dns_hook != NULL && hook_check_program(spec->dns_hook) != 0) {
		err_prefix("dns hook");
		return -1;
	}
	for (size_t i = 0; i < nitems(kinds); i++) {
		if ((cmd = hooks_get(spec->hooks, kinds[i])) != NULL &&
		    hook_check_command(cmd) != 0) {
			err_prefix("%s hook", kinds[i]);
			return -1;
		}
	}
	return 0;
}

/* Fills p for spec: hooks checked, solver, then the user's CSR, or the
 * kept key (--reuse-key) or a new one, and a CSR. 0 or -1 with err. */
static int prepare(struct session *s, struct solvers *sv, const struct issue_spec *spec,
    struct prepared *p)
{
	size_t nnames = strv_len(spec->names);

	if (check_hooks(spec) != 0 || solver_for(sv, spec, &p->req) != 0)
		return -1;
	if (spec->csr_path != NULL) {
		if ((p->csr = csr_load(spec->csr_path, &p->csr_names)) == NULL)
			return -1;
	} else if ((p->cert_key = spec->reuse_key ? kept_key(s->opts->state_dir, spec) :
	    key_generate(spec->key_type)) == NULL ||
	    (p->csr = csr_build(p->cert_key, spec->names, nnames)) == NULL ||
	    (p->key_pem = key_to_pem(p->cert_key, &p->key_len)) == NULL) {
		return -1;
	}
	p->req.names = spec->names;
	p->req.nnames = nnames;
	p->req.csr_b64url = p->csr;
	p->req.account_key = s->account_key;
	p->req.profile = spec->profile;
	p->req.replaces = spec->replaces;
	p->req.preferred_chain = spec->preferred_chain;
	return 0;
}

static void prepared_clear(struct prepared *p)
{
	key_pem_free(p->key_pem, p->key_len);
	EVP_PKEY_free(p->cert_key);
	strv_free(p->csr_names);
	free(p->csr);
	memset(p, 0, sizeof(*p));
}

/* Checks an issued certificate against what was asked (certcheck_issued)
 * and saves it as the new generation of spec->cert_name
 * with its issuance record, and parses it into *issued (left empty when it
 * cannot be parsed back). 0 or -1 with err (the previous certificate
 * untouched). */
static int save_issued(struct session *s, const struct issue_spec *spec,
    const struct prepared *p, const struct order_result *res, struct certinfo *issued)
{
	json_t *record;
	int rc;

	if (certcheck_issued(res->cert, res->chain, p->cert_key, p->csr, spec->names,
	    strv_len(spec->names), time(NULL)) != 0)
		return -1;
	record = issue_record(spec, s->opts->server, s->account_url);
	rc = store_save_cert(s->opts->state_dir, spec->cert_name, &(struct store_cert){
	    .privkey = p->key_pem, .privkey_len = p->key_len, .cert = res->cert,
	    .chain = res->chain, .fullchain = res->fullchain, .issuance = record });
	json_decref(record);
	if (rc != 0)
		return -1;
	/* saved: a certificate we cannot parse back is not worth failing for */
	if (certinfo_parse(res->cert, spec->cert_name, issued) != 0)
		err_clear();
	return 0;
}

size_t issue_run_all(struct session *s, const struct issue_spec *specs, size_t n,
    struct certinfo *issued, struct err_saved **errors)
{
	struct prepared *p = xcalloc(n ? n : 1, sizeof(*p));
	struct order_request *reqs = xcalloc(n ? n : 1, sizeof(*reqs));
	struct order_result *res = xcalloc(n ? n : 1, sizeof(*res));
	struct err_saved **order_errors = xcalloc(n ? n : 1, sizeof(*order_errors));
	size_t *which = xcalloc(n ? n : 1, sizeof(*which));
	char **ari_names = xcalloc(n ? n : 1, sizeof(*ari_names));
	char **ari_ids = xcalloc(n ? n : 1, sizeof(*ari_ids));
	struct solvers sv = { 0 };
	size_t k = 0, nari = 0, failed = 0;
	long long left;

	for (size_t i = 0; i < n; i++) {
		errors[i] = NULL;
		if (issued != NULL)
			memset(&issued[i], 0, sizeof(issued[i]));
		if (prepare(s, &sv, &specs[i], &p[i]) != 0) {
			errors[i] = err_save();
			continue;
		}
		reqs[k] = p[i].req;
		which[k++] = i;
	}
	/* one budget for the orders of the batch, which go side by side; the
	 * ARI check afterwards is best effort and has its own bounds */
	acme_set_deadline(s->acme, s->opts->deadline_s);
	/* the dns hooks of the batch run within the same budget */
	left = acme_left_ms(s->acme);
	hook_set_deadline(left == LLONG_MAX ? 0 : mono_ms() + left);
	order_issue_all(s->acme, reqs, k, res, order_errors);
	hook_set_deadline(0);
	acme_set_deadline(s->acme, 0);
	for (size_t j = 0; j < k; j++) {
		size_t i = which[j];
		struct certinfo unasked = { 0 }, *ci = issued != NULL ? &issued[i] : &unasked;

		if (order_errors[j] != NULL) {
			errors[i] = order_errors[j];
		} else if (save_issued(s, &specs[i], &p[i], &res[j], ci) != 0) {
			errors[i] = err_save();
		} else if (ci->ari_id != NULL) {
			ari_ids[nari] = xstrdup(ci->ari_id);
			ari_names[nari++] = (char *)specs[i].cert_name;
		}
		certinfo_clear(&unasked);
		order_result_clear(&res[j]);
	}
	save_ari_states(s, ari_names, ari_ids, nari);
	for (size_t j = 0; j < nari; j++)
		free(ari_ids[j]);
	free(ari_ids);
	free(ari_names);
	for (size_t i = 0; i < n; i++) {
		failed += errors[i] != NULL;
		prepared_clear(&p[i]);
	}
	solvers_free(&sv);
	free(which);
	free(order_errors);
	free(res);
	free(reqs);
	free(p);
	return failed;
}

/* The current UTC time as the records write it. */
static void now_text(char *buf, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void issue_note_failure(const char *state, const char *name, const char *error)
{
	/* error may be err_message(), which err_save() takes away */
	char *why = xstrdup(error), now[32];
	struct err_saved *saved = err_save();
	json_t *rec = store_load_issuance(state, name);

	if (rec != NULL) {
		now_text(now, sizeof(now));
		json_object_set_new(rec, "last_attempt", json_string(now));
		json_object_set_new(rec, "last_error", json_string(why));
		if (store_save_issuance(state, name, rec) != 0)
			logmsg(LOG_NORMAL, "warning: %s: %s", name, err_message());
	}
	err_clear();
	json_decref(rec);
	free(why);
	err_restore(saved);
}

int issue_deploy(const char *state, const char *name, const char *deploy, bool with_privkey)
{
	char *dir = store_cert_dir(state, name), **env = hook_deploy_env(name, dir, with_privkey);
	json_t *rec = NULL;
	int rc = -1;

	if (hook_run("deploy hook", deploy, env) != 0) {
		issue_note_failure(state, name, err_message());
		goto out;
	}
	if ((rec = store_load_issuance(state, name)) == NULL)
		goto out;
	json_object_set_new(rec, "deploy_pending", json_false());
	json_object_set_new(rec, "last_error", json_null());
	if (store_save_issuance(state, name, rec) != 0)
		goto out;
	rc = 0;
out:
	json_decref(rec);
	strv_free(env);
	free(dir);
	return rc;
}

int issue_run(struct session *s, const struct issue_spec *spec, struct certinfo *issued)
{
	struct err_saved *error = NULL;

	if (issue_run_all(s, spec, 1, issued, &error) == 0)
		return 0;
	err_restore(error);
	return -1;
}
