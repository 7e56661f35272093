/* cmd_diagnose_certflow.c - diagnose --certificate with --webroot,
 * --standalone or --dns-hook: cert-manager's issuance flow against the
 * Issuer's CA, on the Issuer's account when its key is given, from the
 * private key its keymanager would use to the Secret its issuing
 * controller would write (see certflow.h). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


#include "account.h"
#include "certflow.h"
#include "cmcsr.h"
#include "cmd.h"
#include "cmsecret.h"
#include "dns01.h"
#include "err.h"
#include "hooks.h"
#include "k8s.h"
#include "key.h"
#include "order.h"
#include "session.h"
#include "store.h"
#include "util.h"

/* cert-manager's --dns01-check-retry-period: a failed DNS-01 check is
 * repeated this long after. */
#define DNS01_RETRY_MS 10000

/* -o must name a file that does not exist: checked before the order, and
 * again, exclusively, when the Secret is written. */
static int output_is_new(const char *path)
{
	struct stat st;

	if (path == NULL) {
		err_set(ERR_USAGE, "diagnose --certificate with a solver needs -o FILE (the "
		    "Secret it writes holds the private key)");
		return -1;
	}
	if (lstat(path, &st) == 0) {
		err_set(ERR_STORAGE, "%s already exists: acmectl never overwrites a Secret "
		    "(remove it or choose another -o FILE)", path);
		return -1;
	}
	return 0;
}

static bool is_dns01(const struct name_check *nc)
{
	return nc->pick.type != NULL && strcmp(nc->pick.type, "DNS-01") == 0;
}

/* Every name must have the flag that answers its solver's challenge here:
 * --dns-hook for DNS-01, --webroot or --standalone for HTTP-01. */
static int solvers_fit(const struct cert_run *cr)
{
	const struct config *cfg = cr->cfg;

	for (size_t i = 0; i < cr->nnames; i++) {
		const struct name_check *nc = &cr->names[i];

		if (nc->pick.type == NULL)
			continue;
		if (is_dns01(nc) && cfg->dns_hook == NULL) {
			err_set(ERR_USAGE, "%s: cert-manager answers DNS-01 for it (%s): the flow "
			    "needs --dns-hook PROG", nc->name, cr->solvers.v[nc->pick.index].label);
			return -1;
		}
		if (!is_dns01(nc) && cfg->webroot == NULL && cfg->standalone == NULL) {
			err_set(ERR_USAGE, "%s: cert-manager answers HTTP-01 for it (%s): the flow "
			    "needs --webroot DIR or --standalone [ADDR:]PORT", nc->name,
			    cr->solvers.v[nc->pick.index].label);
			return -1;
		}
	}
	return 0;
}

int certflow_check(const struct cert_run *cr)
{
	if (output_is_new(cr->cfg->output) != 0 || solvers_fit(cr) != 0)
		return -1;
	if (cr->cfg->dns_hook != NULL && hook_check_program(cr->cfg->dns_hook) != 0) {
		err_prefix("dns hook");
		return -1;
	}
	return 0;
}

/* The rotation policy in effect: the Certificate's, else the release's
 * default (Never up to v1.17.x, Always from v1.18.0). */
static bool rotation_never(const struct cert_run *cr)
{
	static const struct cm_version v1_18 = { 1, 18, 0 };

	if (cr->cert->rotation_policy != NULL)
		return strcmp(cr->cert->rotation_policy, "Never") == 0;
	return cm_version_cmp(&cr->opts.version, &v1_18) < 0;
}

/* The key keymanager would hand the request: with rotationPolicy Never the
 * existing Secret's tls.key (spec.secretName in --secret) when it decodes
 * and fits the spec, refused when it decodes but no longer fits, a new key
 * (after a DecodeFailed warning) when it does not decode; else a new key.
 * An unreadable --secret file is the user's error (exit 2). */
static EVP_PKEY *next_key(struct cert_run *cr)
{
	struct k8s_secret_value v = { 0 };
	struct cm_existing_key ek = { 0 };
	EVP_PKEY *key = NULL;

	if (rotation_never(cr) && cr->cfg->secret != NULL) {
		if (k8s_secret_load(cr->cfg->secret, cr->cert->secret_name, "tls.key", &v) != 0) {
			if (!v.missing)
				return NULL;
			err_clear();
		}
		cm_existing_key_check(cr->cert, &cr->opts.version, cr->cert->secret_name,
		    (const unsigned char *)v.data, v.len, &ek);
		k8s_secret_value_clear(&v);
	}
	if (ek.fate == CM_KEY_MISMATCH) {
		err_set(ERR_USAGE, "the private key in Secret \"%s\" does not match the "
		    "Certificate's spec.privateKey and rotationPolicy is Never: cert-manager "
		    "stops with Warning %s: %s", cr->cert->secret_name, ek.event_reason,
		    ek.event_message);
	} else if (ek.fate == CM_KEY_REUSE) {
		cr->key_event = "Reused";
		key = ek.key;
		ek.key = NULL;
	} else {
		if (ek.fate == CM_KEY_UNDECODABLE) {
			cr->key_warning = ek.event_message;
			cr->key_warning_why = ek.why;
			ek.event_message = ek.why = NULL;
		}
		cr->key_event = "Generated";
		key = cm_key_generate(cr->cert);
	}
	cm_existing_key_clear(&ek);
	return key;
}

static struct name_check *find_name(struct cert_run *cr, const char *identifier, bool wildcard)
{
	for (size_t i = 0; i < cr->nnames; i++)
		if (cr->names[i].wildcard == wildcard &&
		    strcmp(cr->names[i].name + (wildcard ? 2 : 0), identifier) == 0)
			return &cr->names[i];
	return NULL;
}

/* order_request.answers_dns01: the names whose solver is a dns01 one. */
static bool answers_dns01(void *arg, const char *identifier, bool wildcard)
{
	struct name_check *nc = find_name(arg, identifier, wildcard);

	return nc != NULL && is_dns01(nc);
}

/* "_acme-challenge.a. -> b., b. -> c.": the CNAMEs r followed. Caller
 * frees. */
static char *chain_text(const struct selfcheck_result *r)
{
	const char *v[64];
	size_t n = 0;

	for (size_t i = 0; i < r->nsteps && n < 64; i++)
		if (strcmp(r->steps[i].what, "CNAME") == 0)
			v[n++] = r->steps[i].outcome;
	return str_join(v, n, ", ");
}

/* Why the record of nc (identifier, the solver's cnameStrategy follow)
 * is at fqdn, from the CNAMEs r followed. Caller frees. */
static char *record_why(const char *identifier, bool follow, const struct selfcheck_result *r)
{
	char *chain, *why;

	if (!follow)
		return xasprintf("cnameStrategy None (the default): cert-manager writes at "
		    "_acme-challenge.%s. whatever it is", identifier);
	if (r->nsteps == 0)
		return xasprintf("cnameStrategy Follow: _acme-challenge.%s. is no CNAME for the "
		    "recursive nameservers, so the record stays there", identifier);
	chain = chain_text(r);
	why = xasprintf("cnameStrategy Follow: the end of the CNAME chain the recursive "
	    "nameservers give (%s)", chain);
	free(chain);
	return why;
}

/* order_request.dns01_record: where cert-manager's Present writes the
 * record of the name, by its solver's cnameStrategy; nc says where and
 * why. A CNAME loop stops the flow here, before anything is published,
 * with Present's error as the Challenge's reason. */
static char *dns01_record(void *arg, const char *identifier, bool wildcard)
{
	struct cert_run *cr = arg;
	struct name_check *nc = find_name(cr, identifier, wildcard);
	bool follow;
	char *fqdn;

	if (nc == NULL) {
		err_set(ERR_ACME, "the CA asks to authorize %s, which the order did not name",
		    identifier);
		return NULL;
	}
	follow = cr->solvers.v[nc->pick.index].cname_follow;
	selfcheck_result_clear(&nc->r);
	free(nc->record);
	free(nc->record_why);
	nc->record = nc->record_why = NULL;
	if (selfcheck_dns01_record(identifier, follow, &cr->opts, &fqdn, &nc->r) != 0)
		return NULL;
	if (fqdn == NULL) {
		nc->verdict = nc->r.verdict;
		nc->reason = nc->r.reason;
		nc->record_why = xasprintf("cnameStrategy Follow: cert-manager's Present stops "
		    "following the CNAMEs of _acme-challenge.%s.: %s", identifier, nc->r.error);
		err_set(ERR_ACME, "cert-manager cannot present the record of %s (%s): nothing "
		    "was published", nc->name, nc->verdict);
		return NULL;
	}
	nc->record = xstrdup(fqdn);
	nc->record_why = record_why(identifier, follow, &nc->r);
	return fqdn;
}

json_t *certflow_record_json(const struct name_check *nc)
{
	char *name = nc->record != NULL ? xasprintf("%s.", nc->record) : NULL;
	json_t *o;

	if (nc->record_why == NULL) {
		free(name);
		return NULL;
	}
	o = json_pack("{s:s?,s:s}", "name", name, "why", nc->record_why);
	free(name);
	return o;
}

void certflow_print_record(const struct name_check *nc)
{
	if (nc->record_why == NULL)
		return;
	if (nc->record != NULL)
		printf("  record: %s. (%s)\n", nc->record, nc->record_why);
	else
		printf("  record: none (%s)\n", nc->record_why);
}

/* cert-manager's DNS-01 check of the record just presented, repeated
 * every --dns01-check-retry-period until it passes or --deadline is
 * reached (waiting out what is left of it, so the flow ends there). */
static int check_dns01(struct cert_run *cr, struct name_check *nc, struct cm_challenge *ch)
{
	long long left;

	for (;;) {
		selfcheck_result_clear(&nc->r);
		if (selfcheck_dns01(ch, &cr->opts, &nc->r) != 0)
			return -1;
		nc->checks++;
		if (strcmp(nc->r.verdict, "ok") == 0 || (left = cr->flow_end_ms - mono_ms()) <= 0)
			return 0;
		sleep_ms(left < DNS01_RETRY_MS ? left : DNS01_RETRY_MS);
		if (left <= DNS01_RETRY_MS)
			return 0;
	}
}

/* order_request.before_answer: cert-manager's self check with the real
 * token (for DNS-01 the TXT value the hook presented); the challenge is
 * answered only when it passes, as cert-manager does. HTTP-01 is checked
 * once (cert-manager would retry every 10 s; here the run stops), DNS-01
 * until it passes or --deadline ends the flow. */
static int self_check(void *arg, const char *identifier, bool wildcard, const char *token,
    const char *keyauth)
{
	struct cert_run *cr = arg;
	struct name_check *nc = find_name(cr, identifier, wildcard);
	struct cm_challenge ch = { .type = "HTTP-01", .dns_name = (char *)identifier,
	    .wildcard = wildcard, .token = (char *)token, .key = (char *)keyauth };
	char *txt = NULL;
	int rc = -1;

	if (nc == NULL) {
		err_set(ERR_ACME, "the CA asks to authorize %s, which the order did not name",
		    identifier);
		return -1;
	}
	free(nc->advice);
	nc->advice = NULL;
	nc->checks = 0;
	if (is_dns01(nc)) {
		if ((txt = dns01_txt_value(keyauth)) == NULL)
			return -1;
		ch.type = "DNS-01";
		ch.key = txt;
		if (check_dns01(cr, nc, &ch) != 0)
			goto out;
	} else {
		selfcheck_result_clear(&nc->r);
		if (selfcheck_http01(&ch, &cr->opts, &nc->r) != 0)
			goto out;
		nc->checks = 1;
	}
	nc->verdict = nc->r.verdict;
	nc->reason = nc->r.reason;
	if (strcmp(nc->verdict, "ok") == 0) {
		nc->answered = true;
		rc = 0;
	} else {
		err_set(ERR_ACME, "cert-manager's self check of %s fails (%s, %d check%s): the "
		    "challenge is not answered", nc->name, nc->verdict, nc->checks,
		    nc->checks == 1 ? "" : "s");
	}
out:
	free(txt);
	return rc;
}

/* The Issuer's account key when the run has it: --account-key, or the
 * Secret privateKeySecretRef names when the --secret file holds it. 0
 * with *key NULL when it has neither; -1 with err when it cannot be read
 * (a Secret of that name without the data key among them: never the
 * stored account in its place). */
static int issuer_key(struct cert_run *cr, const struct k8s_issuer *iss, EVP_PKEY **key)
{
	const struct config *cfg = cr->cfg;
	struct k8s_secret_value v = { 0 };
	const char *data_key = iss->key_secret_key != NULL ? iss->key_secret_key : "tls.key";
	char *what;

	*key = NULL;
	if (cfg->account_key != NULL) {
		cr->order_account_from = xasprintf("the Issuer's account key, --account-key %s",
		    cfg->account_key);
		return (*key = key_load_file(cfg->account_key)) != NULL ? 0 : -1;
	}
	if (cfg->secret == NULL || iss->key_secret_name == NULL)
		return 0;
	if (k8s_secret_load(cfg->secret, iss->key_secret_name, data_key, &v) != 0) {
		if (v.missing != K8S_SECRET_ABSENT)
			return -1;
		err_clear();
		return 0;
	}
	what = xasprintf("%s: Secret %s, data key \"%s\"", cfg->secret, iss->key_secret_name,
	    data_key);
	*key = key_from_pem((const char *)v.data, v.len, what);
	k8s_secret_value_clear(&v);
	cr->order_account_from = xasprintf("the Issuer's account key, Secret %s (%s) in %s",
	    iss->key_secret_name, data_key, cfg->secret);
	free(what);
	return *key != NULL ? 0 : -1;
}

/* The account of the Issuer's key, looked up with onlyReturnExisting as
 * cert-manager's GetReg does; never registered here (the account step
 * sends cert-manager's newAccount with --register). Takes key. */
static int issuer_account(struct session *s, EVP_PKEY *key)
{
	const struct problem *p;

	s->account_key = key;
	if (account_lookup(s->acme, key, &s->account_url, NULL) == 0)
		return 0;
	if ((p = err_get_problem()) != NULL && p->type != NULL &&
	    strstr(p->type, "accountDoesNotExist") != NULL)
		err_set(ERR_ACME, "the Issuer's account key has no account at %s: acmectl "
		    "orders only on an existing one (--register sends cert-manager's "
		    "newAccount in the account step)", s->opts->server);
	return -1;
}

/* The account that orders: the Issuer's when its key is given, else the
 * one acmectl keeps for the Issuer's server in its state (registered
 * there when there is none). Says which in cr. */
static int open_account(struct session *s, struct session_opts *so, struct cert_run *cr)
{
	struct k8s_issuer *iss = k8s_issuer_load(cr->cfg->from_issuer);
	EVP_PKEY *key = NULL;
	int rc = -1;

	if (iss == NULL)
		return -1;
	*so = cmd_session_opts(cr->cfg);
	so->server = iss->server;
	if (iss->preferred_chain != NULL && iss->preferred_chain[0] != '\0')
		cr->preferred_chain = xstrdup(iss->preferred_chain);
	if (issuer_key(cr, iss, &key) != 0 || session_open(s, so) != 0)
		goto out;
	if (key != NULL) {
		rc = issuer_account(s, key);
		key = NULL;
		goto out;
	}
	if (session_load_account(s, false) != 0 || (s->account_key == NULL &&
	    session_register(s, NULL, KEY_RSA2048, iss->email, NULL, NULL, NULL) != 0))
		goto out;
	cr->order_account_from = xasprintf("acmectl's stored account for %s, %s",
	    iss->server, s->account_dir);
	rc = 0;
out:
	if (rc == 0)
		cr->order_account_url = xstrdup(s->account_url);
	EVP_PKEY_free(key);
	k8s_issuer_free(iss);
	return rc;
}

/* The identifiers, DNS then IP, as order_issue() takes them (borrowed). */
static char **order_names(const struct cert_run *cr)
{
	char **names = xcalloc(cr->nnames + 1, sizeof(*names));

	for (size_t i = 0; i < cr->nnames; i++)
		names[i] = cr->names[i].name;
	return names;
}

/* The Order's name as shown: the cluster generates it. Caller frees. */
static char *order_name(const struct cert_run *cr)
{
	return xasprintf("%s-xxxxx-NNNNNNNNNN", cr->cert->name != NULL ? cr->cert->name : "CERT");
}

/* After a refusal by the CA: what cert-manager shows on its objects (an
 * alternate chain's failure has shown it already). */
static void note_failure(struct cert_run *cr)
{
	char *order;

	if (cr->failure.step != NULL)
		return;
	order = order_name(cr);
	cm_failure_view(&cr->opts.version, err_message(), err_get_problem(), order, &cr->failure);
	free(order);
}

/* The release's preferredChain on an alternate chain (cm_alternate_judge),
 * not acmectl's: one cert-manager cannot fetch or parse fails the order
 * here as it fails the Order's sync there, again at each retry; one whose
 * issuer matches is taken whether or not it links. */
static int judge_alternate(void *arg, const char *url, const struct acme_reply *alt)
{
	struct cert_run *cr = arg;
	char *error = NULL, *order;
	int verdict = cm_alternate_judge(&cr->opts.version, cr->preferred_chain, url,
	    alt != NULL ? alt->body : NULL, alt != NULL ? alt->body_len : 0,
	    alt != NULL ? NULL : err_message(), alt != NULL ? NULL : err_get_problem(), &error);

	if (verdict >= 0)
		return verdict;
	order = order_name(cr);
	cm_failure_clear(&cr->failure);
	cm_alternate_view(&cr->opts.version, error, cr->cert->namespace != NULL ? cr->cert->namespace : "default",
	    order, &cr->failure);
	err_set(ERR_ACME, "the alternate chain %s fails the Order's sync in cert-manager %s, "
	    "retried while it stays so (acmectl's own issue passes it over): %s", url,
	    cr->version, error);
	free(order);
	free(error);
	return -1;
}

/* Orders, answers, finalizes; fills res. A refusal is recorded, not
 * returned. */
static int run_order(struct cert_run *cr, struct session *s, EVP_PKEY *key,
    struct order_result *res)
{
	static const struct cm_version v1_15 = { 1, 15, 0 };
	const struct config *cfg = cr->cfg;
	struct http01 *solver = cfg->webroot != NULL ? http01_webroot(cfg->webroot) :
	    cfg->standalone != NULL ? http01_standalone(cfg->standalone) : NULL;
	/* no wait of its own: cert-manager's check below is the wait */
	struct dns01 *hook = cfg->dns_hook != NULL ? dns01_new(cfg->dns_hook, 0) : NULL;
	char **names = order_names(cr), *csr = NULL;
	struct order_request req = { .names = names, .nnames = cr->nnames,
	    .http01 = solver, .dns01 = hook, .answers_dns01 = answers_dns01,
	    .dns01_record = dns01_record,
	    .account_key = s->account_key, .before_answer = self_check,
	    .before_answer_arg = cr, .preferred_chain = cr->preferred_chain,
	    .preferred_any_alternate = cm_version_cmp(&cr->opts.version, &v1_15) < 0,
	    .judge_alternate = judge_alternate };
	int rc = -1;

	if ((solver == NULL && hook == NULL) ||
	    (csr = cm_csr_build(cr->cert, &cr->opts.version, &cr->gates, key)) == NULL)
		goto out;
	req.csr_b64url = csr;
	acme_set_deadline(s->acme, cfg->deadline_s);
	cr->flow_end_ms = mono_ms() + cfg->deadline_s * 1000;
	hook_set_deadline(cr->flow_end_ms);
	if (order_issue(s->acme, &req, res) != 0) {
		cr->issue_error = xstrdup(err_message());
		cr->issue_kind = (int)err_kind();
		note_failure(cr);
		err_clear();
	}
	hook_set_deadline(0);
	acme_set_deadline(s->acme, 0);
	cr->csr = csr;
	csr = NULL;
	rc = 0;
out:
	http01_free(solver);
	dns01_free(hook);
	free(csr);
	free(names);
	return rc;
}

/* The Secret, created exclusively with mode 0600. */
static int write_secret(struct cert_run *cr, EVP_PKEY *key, const char *fullchain)
{
	size_t key_len = 0, len = 0;
	char *pem = cm_key_pem(cr->cert, key, &key_len), *yaml = NULL;
	sigset_t fatal, old;
	int rc = -1;

	/* the file is created at its own name (never replacing one), so a
	 * fatal signal taken half way would leave a partial Secret: the
	 * signal waits until it is whole, or gone again */
	sigemptyset(&fatal);
	sigaddset(&fatal, SIGINT);
	sigaddset(&fatal, SIGTERM);
	sigaddset(&fatal, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &fatal, &old);
	if (pem != NULL &&
	    (yaml = cm_secret_yaml(cr->cert, &cr->opts.version, fullchain, pem, key_len, &len)) &&
	    store_write_new(cr->cfg->output, yaml, len, 0600) == 0)
		rc = 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0 && errno == EEXIST)
		err_set(ERR_STORAGE, "%s already exists: acmectl never overwrites a Secret "
		    "(remove it or choose another -o FILE)", cr->cfg->output);
	key_pem_free(pem, key_len);
	key_pem_free(yaml, len);
	return rc;
}

int certflow_issue(struct cert_run *cr)
{
	struct order_result res = { 0 };
	struct session_opts so;
	struct session s = { 0 };
	EVP_PKEY *key = NULL;
	int rc = -1;

	if ((key = next_key(cr)) == NULL || open_account(&s, &so, cr) != 0 ||
	    run_order(cr, &s, key, &res) != 0)
		goto out;
	if (cr->issue_error == NULL && write_secret(cr, key, res.fullchain) != 0)
		goto out;
	cr->issued = cr->issue_error == NULL;
	rc = 0;
out:
	order_result_clear(&res);
	EVP_PKEY_free(key);
	session_close(&s);
	return rc;
}
