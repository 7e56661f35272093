/* cmd_diagnose_certificate.c - `acmectl diagnose --certificate FILE
 * --from-issuer FILE`: what cert-manager does with a Certificate up to the
 * self checks of its Challenges, from here. The commonName check and the
 * Order's identifiers, the account step as plain diagnose runs it, the
 * solver cert-manager picks for each name and why, then that solver's self
 * check aimed at the name. No order is created, so no token exists: the
 * check runs with a placeholder token and says what it reached. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certflow.h"
#include "cmcert.h"
#include "cmcsr.h"
#include "cmd.h"
#include "diagnose.h"
#include "err.h"
#include "k8s.h"
#include "selfcheck.h"
#include "solverpick.h"
#include "util.h"

/* Stands in for the token and key an order would give; base64url, as the
 * self checks require, and plain about what it is. */
#define PLACEHOLDER "no-order-no-token-placeholder"

#define CM_SOLVER_EVENT "Failed to determine a valid solver configuration for the set of " \
	"domains on the Order: "
#define CM_RETRY_PREFIX "The certificate request has failed to complete and will be retried: "

static bool has_dns01(const struct cm_solvers *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].dns01)
			return true;
	return false;
}

/* Maps a self check run with the placeholder to what it can tell: an
 * answer from the solver's side is all that can be had before an order. */
static const char *placeholder_verdict(const char *verdict)
{
	static const char *const answered[] = { "wrong_status", "wrong_body",
	    "dns_record_missing", "dns_record_partial", "dns_wrong_value",
	    "dns_cname_target_missing", NULL };

	for (size_t i = 0; answered[i] != NULL; i++)
		if (strcmp(verdict, answered[i]) == 0)
			return "reachable";
	return verdict;
}

static int check_name(struct cert_run *cr, struct name_check *nc)
{
	struct cm_challenge ch = { .type = (char *)nc->pick.type,
	    .dns_name = nc->name + (nc->wildcard ? 2 : 0), .wildcard = nc->wildcard,
	    .token = PLACEHOLDER, .key = PLACEHOLDER,
	    .cname_follow = cr->solvers.v[nc->pick.index].cname_follow };
	int rc;

	rc = strcmp(nc->pick.type, "HTTP-01") == 0 ? selfcheck_http01(&ch, &cr->opts, &nc->r) :
	    selfcheck_dns01(&ch, &cr->opts, &nc->r);
	if (rc != 0)
		return -1;
	nc->checked = true;
	nc->verdict = placeholder_verdict(nc->r.verdict);
	if (strcmp(nc->verdict, "reachable") != 0) {
		nc->reason = nc->r.reason;
		return 0;
	}
	nc->advice = xasprintf("The %s self check reached the solver's side with a placeholder "
	    "token; whether it serves the real token shows only once an order exists: run "
	    "again with --webroot, --standalone or --dns-hook, or diagnose --challenge on the "
	    "Challenge.", nc->pick.type);
	return 0;
}

/* The Order's identifiers, each with the solver cert-manager picks. */
static void pick_names(struct cert_run *cr)
{
	struct cm_strings dns, ips;

	cm_order_identifiers(cr->cert, &cr->opts.version, &dns, &ips);
	cr->names = xcalloc(dns.n + ips.n + 1, sizeof(*cr->names));
	for (size_t i = 0; i < dns.n + ips.n; i++) {
		struct name_check *nc = &cr->names[cr->nnames++];

		nc->name = xstrdup(i < dns.n ? dns.v[i] : ips.v[i - dns.n]);
		nc->wildcard = strncmp(nc->name, "*.", 2) == 0;
		cm_solver_pick(cr->solvers.v, cr->solvers.n, nc->name + (nc->wildcard ? 2 : 0),
		    nc->wildcard, cr->cert->labels, &nc->pick);
		if (nc->pick.index < 0)
			nc->verdict = nc->wildcard && cr->solvers.n > 0 && !has_dns01(&cr->solvers) ?
			    "wildcard_needs_dns01" : "no_solver";
	}
	cm_strings_clear(&dns);
	cm_strings_clear(&ips);
}

/* Runs the self check of every name that has a solver. */
static int check_names(struct cert_run *cr)
{
	for (size_t i = 0; i < cr->nnames; i++)
		if (cr->names[i].pick.index >= 0 && check_name(cr, &cr->names[i]) != 0)
			return -1;
	return 0;
}

static bool wants_flow(const struct config *cfg)
{
	return cfg->webroot != NULL || cfg->standalone != NULL || cfg->dns_hook != NULL;
}

/* The run's verdict: the first failure in the order cert-manager meets
 * them. */
static const char *overall(const struct cert_run *cr)
{
	bool reachable = false;

	if (cr->refusal != NULL)
		return strcmp(cr->refused_by, "api-server") == 0 ? "api_refused" : "webhook_denied";
	if (cr->cn_error != NULL)
		return "cn_not_in_sans";
	if (!cr->account_ok)
		return "account_failed";
	for (size_t i = 0; i < cr->nnames; i++)
		if (cr->names[i].pick.index < 0)
			return cr->names[i].verdict;
	for (size_t i = 0; i < cr->nnames; i++) {
		if (strcmp(cr->names[i].verdict, "reachable") == 0)
			reachable = true;
		else if (strcmp(cr->names[i].verdict, "ok") != 0)
			return cr->names[i].verdict;
	}
	if (cr->failure.step != NULL && strcmp(cr->failure.step, "authorization") == 0)
		return "ca_refused";
	if (cr->failure.step != NULL && strcmp(cr->failure.step, "alternate") == 0)
		return "alternate_chain_failed";
	if (cr->issue_error != NULL)
		return "order_failed";
	return reachable && !cr->issued ? "reachable" : "ok";
}

/*
 * What cert-manager would show, as kubectl describe prints conditions and
 * events.
 */

static json_t *condition(const char *type, const char *status, const char *reason,
    const char *message)
{
	return json_pack("{s:s,s:s,s:s,s:s}", "type", type, "status", status, "reason", reason,
	    "message", message);
}

static json_t *event(const char *type, const char *reason, const char *message)
{
	return json_pack("{s:s,s:s,s:s}", "type", type, "reason", reason, "message", message);
}

static json_t *object(const char *kind, const char *name, json_t *conditions, json_t *events)
{
	return json_pack("{s:s,s:s,s:o,s:o}", "kind", kind, "name", name,
	    "conditions", conditions, "events", events);
}

/* The Certificate and CertificateRequest when the commonName check fails. */
static void view_cn_failed(const struct cert_run *cr, json_t *objs)
{
	char *retry = xasprintf(CM_RETRY_PREFIX "%s", cr->cn_error);
	/* the name is generated: NAME- and five random characters */
	char *crname = xasprintf("%s-xxxxx", cr->cert->name != NULL ? cr->cert->name : "CERT");

	json_array_append_new(objs, object("CertificateRequest", crname,
	    json_pack("[o]", condition("Ready", "False", "Failed", cr->cn_error)),
	    json_pack("[o]", event("Warning", "InvalidOrder", cr->cn_error))));
	json_array_append_new(objs, object("Certificate",
	    cr->cert->name != NULL ? cr->cert->name : "CERT",
	    json_pack("[o]", condition("Issuing", "False", "Failed", retry)),
	    json_pack("[o]", event("Warning", "Failed", retry))));
	free(retry);
	free(crname);
}

/* The Order's Solver event, or the Challenges' reasons. */
static void view_challenges(const struct cert_run *cr, json_t *objs)
{
	for (size_t i = 0; i < cr->nnames; i++) {
		const struct name_check *nc = &cr->names[i];
		char *msg;

		if (nc->pick.index >= 0)
			continue;
		msg = xasprintf(CM_SOLVER_EVENT "%s", CM_NO_SOLVER_ERROR);
		json_array_append_new(objs, object("Order", "(the CertificateRequest's)",
		    json_array(), json_pack("[o]", event("Warning", "Solver", msg))));
		free(msg);
		return;
	}
	for (size_t i = 0; i < cr->nnames; i++) {
		const struct name_check *nc = &cr->names[i];
		json_t *ch = json_pack("{s:s,s:s,s:[],s:[],s:s,s:s?}", "kind", "Challenge",
		    "name", nc->name, "conditions", "events", "state", "pending", "reason",
		    nc->reason);

		json_array_append_new(objs, ch);
	}
}

/* While the Order's sync fails on an alternate chain: the Order valid
 * without a certificate (the sync's error in the controller's log), the
 * CertificateRequest waiting for it (or, before v1.2.0, creating it
 * again). */
static void view_alternate_failed(const struct cert_run *cr, json_t *objs)
{
	const struct cm_failure *f = &cr->failure;
	const char *cert = cr->cert->name != NULL ? cr->cert->name : "CERT";
	char *crname = xasprintf("%s-xxxxx", cert), *order = xasprintf("%s-NNNNNNNNNN", crname);

	json_array_append_new(objs, json_pack("{s:s,s:s,s:[],s:[],s:s,s:s,s:s}", "kind", "Order",
	    "name", order, "conditions", "events", "state", f->order_state, "reason",
	    f->order_reason, "error", f->sync_error));
	json_array_append_new(objs, object("CertificateRequest", crname,
	    json_pack("[o]", condition("Ready", "False", "Pending", f->request_message)),
	    json_pack("[o]", event("Normal", f->request_event, f->request_message))));
	free(order);
	free(crname);
}

/* After the CA refused: the failed Challenge (a validation), the Order,
 * the CertificateRequest and the Certificate, in cert-manager's words. */
static void view_failed(const struct cert_run *cr, json_t *objs)
{
	const struct cm_failure *f = &cr->failure;
	const char *cert = cr->cert->name != NULL ? cr->cert->name : "CERT";
	char *crname = xasprintf("%s-xxxxx", cert), *order = xasprintf("%s-NNNNNNNNNN", crname);

	if (f->challenge != NULL)
		json_array_append_new(objs, json_pack("{s:s,s:s,s:[],s:[o],s:s,s:s}", "kind",
		    "Challenge", "name", f->challenge, "conditions", "events",
		    event("Warning", "Failed", f->challenge_event), "state", "invalid", "reason",
		    f->challenge_reason));
	json_array_append_new(objs, json_pack("{s:s,s:s,s:[],s:[],s:s,s:s}", "kind", "Order",
	    "name", order, "conditions", "events", "state", f->order_state, "reason",
	    f->order_reason));
	json_array_append_new(objs, object("CertificateRequest", crname,
	    json_pack("[o]", condition("Ready", "False", "Failed", f->request_message)),
	    json_pack("[o]", event("Warning", "OrderFailed", f->request_message))));
	json_array_append_new(objs, object("Certificate", cert,
	    json_pack("[o]", condition("Issuing", "False", "Failed", f->certificate_message)),
	    json_pack("[o]", event("Warning", "Failed", f->certificate_message))));
	free(order);
	free(crname);
}

/* A Certificate the API server or the webhook refuses never exists: what
 * kubectl apply prints is all there is. */
static void view_refusal(const struct cert_run *cr, json_t *objs)
{
	char *msg = strcmp(cr->refused_by, "api-server") == 0 ?
	    xasprintf("The Certificate \"%s\" is invalid: %s", cr->cert->name != NULL ?
	    cr->cert->name : "CERT", cr->refusal) :
	    xasprintf("admission webhook \"webhook.cert-manager.io\" denied the request: %s",
	    cr->refusal);

	json_array_append_new(objs, json_pack("{s:s,s:s,s:[],s:[],s:s}", "kind", "kubectl apply",
	    "name", cr->cert->name != NULL ? cr->cert->name : "CERT", "conditions", "events",
	    "error", msg));
	free(msg);
}

/* After the Secret was written: every object's last state and events. */
static void view_issued(const struct cert_run *cr, json_t *objs)
{
	const char *cert = cr->cert->name != NULL ? cr->cert->name : "CERT";
	char *crname = xasprintf("%s-xxxxx", cert), *key_msg;
	json_t *events;

	for (size_t i = 0; i < cr->nnames; i++) {
		const struct name_check *nc = &cr->names[i];
		char *msg;

		/* an authorization already valid gets no Challenge */
		if (!nc->answered)
			continue;
		msg = xasprintf("Domain \"%s\" verified with \"%s\" validation",
		    nc->name + (nc->wildcard ? 2 : 0), nc->pick.type);

		json_array_append_new(objs, json_pack("{s:s,s:s,s:[],s:[o],s:s,s:s}", "kind",
		    "Challenge", "name", nc->name, "conditions", "events",
		    event("Normal", "DomainVerified", msg), "state", "valid", "reason",
		    "Successfully authorized domain"));
		free(msg);
	}
	json_array_append_new(objs, json_pack("{s:s,s:s,s:[],s:[o],s:s}", "kind", "Order",
	    "name", "(the CertificateRequest's)", "conditions", "events",
	    event("Normal", "Complete", "Order completed successfully"), "state", "valid"));
	json_array_append_new(objs, object("CertificateRequest", crname,
	    json_pack("[o]", condition("Ready", "True", "Issued",
	    "Certificate fetched from issuer successfully")),
	    json_pack("[o]", event("Normal", "CertificateIssued",
	    "Certificate fetched from issuer successfully"))));
	key_msg = strcmp(cr->key_event, "Reused") == 0 ?
	    xasprintf("Reusing private key stored in existing Secret resource \"%s\"",
	    cr->cert->secret_name) :
	    xasprintf("Stored new private key in temporary Secret resource \"%s-xxxxx\"", cert);
	events = json_array();
	if (cr->key_warning != NULL)
		json_array_append_new(events, event("Warning", "DecodeFailed", cr->key_warning));
	json_array_append_new(events, event("Normal", cr->key_event, key_msg));
	json_array_append_new(events, event("Normal", "Issuing",
	    "The certificate has been successfully issued"));
	json_array_append_new(objs, object("Certificate", cert,
	    json_pack("[o]", condition("Ready", "True", "Ready",
	    "Certificate is up to date and has not expired")), events));
	free(key_msg);
	free(crname);
}

static json_t *cm_objects(const struct cert_run *cr)
{
	json_t *objs = json_array();

	if (cr->refusal != NULL)
		view_refusal(cr, objs);
	else if (cr->cn_error != NULL)
		view_cn_failed(cr, objs);
	else if (cr->issued)
		view_issued(cr, objs);
	else if (cr->failure.step != NULL && strcmp(cr->failure.step, "alternate") == 0)
		view_alternate_failed(cr, objs);
	else if (cr->failure.step != NULL)
		view_failed(cr, objs);
	else
		view_challenges(cr, objs);
	return objs;
}

/*
 * Output.
 */

static json_t *solver_json(const struct cert_run *cr, const struct name_check *nc)
{
	if (nc->pick.index < 0)
		return json_pack("{s:n,s:s}", "index", "why", nc->pick.why);
	return json_pack("{s:i,s:s,s:s}", "index", nc->pick.index, "solver",
	    cr->solvers.v[nc->pick.index].label, "why", nc->pick.why);
}

static json_t *name_json(const struct cert_run *cr, const struct name_check *nc)
{
	json_t *steps = json_array();

	for (size_t i = 0; i < nc->r.nsteps; i++)
		json_array_append_new(steps, json_pack("{s:s,s:s,s:b}", "what", nc->r.steps[i].what,
		    "outcome", nc->r.steps[i].outcome, "ok", nc->r.steps[i].ok));
	return json_pack("{s:s,s:s?,s:o,s:s,s:s?,s:s?,s:s?,s:i,s:o,s:o?}", "name", nc->name,
	    "type", nc->pick.type, "solver", solver_json(cr, nc), "verdict", nc->verdict,
	    "reason", nc->reason, "error", nc->r.error,
	    "advice", nc->advice != NULL ? nc->advice : nc->r.advice, "checks", nc->checks,
	    "steps", steps, "record", certflow_record_json(nc));
}

static json_t *identifiers_json(const struct cert_run *cr)
{
	json_t *a = json_array();

	for (size_t i = 0; i < cr->nnames; i++)
		json_array_append_new(a, json_string(cr->names[i].name));
	return a;
}

static void print_json(const struct cert_run *cr)
{
	json_t *names = json_array(), *account = NULL, *out;

	for (size_t i = 0; i < cr->nnames; i++)
		json_array_append_new(names, name_json(cr, &cr->names[i]));
	if (cr->account_json != NULL)
		account = json_loads(cr->account_json, 0, NULL);
	out = json_pack("{s:s,s:s?,s:s?,s:s?,s:{s:s?,s:s?,s:o,s:s?,s:s?,s:s?},s:o,s:o,"
	    "s:{s:s,s:o}}",
	    "verdict", cr->verdict, "secret", cr->issued ? cr->cfg->output : NULL,
	    "issue_error", cr->issue_error, "csr", cr->csr,
	    "certificate", "name", cr->cert->name, "namespace", cr->cert->namespace,
	    "identifiers", identifiers_json(cr), "common_name_error", cr->cn_error,
	    "refusal", cr->refusal, "refused_by", cr->refused_by,
	    "account", account != NULL ? account : json_null(),
	    "challenges", names,
	    "cert_manager", "version", cr->version, "objects", cm_objects(cr));
	if (cr->gates_inert != NULL)
		json_object_set_new(json_object_get(out, "cert_manager"),
		    "feature_gates_without_effect", json_string(cr->gates_inert));
	if (cr->view != NULL)
		json_object_set_new(out, "view", json_string(cr->view));
	if (cr->order_account_from != NULL)
		json_object_set_new(out, "order_account", json_pack("{s:s?,s:s}", "url",
		    cr->order_account_url, "from", cr->order_account_from));
	json_print(out);
	json_decref(out);
}

/* Prints a, then b with control characters escaped, then a newline. */
static void print_escaped(const char *a, const char *b)
{
	char *shown = str_printable(b);

	printf("%s%s\n", a, shown);
	free(shown);
}

static void print_name(const struct cert_run *cr, const struct name_check *nc)
{
	printf("%s: ", nc->name);
	if (nc->pick.index < 0)
		printf("no solver: %s\n", nc->pick.why);
	else
		printf("%s by %s: %s\n", nc->pick.type, cr->solvers.v[nc->pick.index].label,
		    nc->pick.why);
	for (size_t i = 0; i < nc->r.nsteps; i++) {
		printf("  %s ", nc->r.steps[i].ok ? "ok  " : "FAIL");
		print_escaped(nc->r.steps[i].what, "");
		print_escaped("       ", nc->r.steps[i].outcome);
	}
	certflow_print_record(nc);
	if (nc->checks > 0)
		printf("  self checks with the real token: %d\n", nc->checks);
	printf("  verdict: %s\n", nc->verdict);
	if (nc->reason != NULL)
		print_escaped("  cert-manager's status.reason: ", nc->reason);
	if (nc->advice != NULL || nc->r.advice != NULL)
		printf("  advice: %s\n", nc->advice != NULL ? nc->advice : nc->r.advice);
}

/* "State: pending  Reason: ..." of an Order or a Challenge. */
static void print_state(json_t *o)
{
	const char *reason = json_string_value(json_object_get(o, "reason"));

	printf("    State: %s", json_string_value(json_object_get(o, "state")));
	if (reason != NULL)
		print_escaped("  Reason: ", reason);
	else
		printf("%s\n", strcmp(json_string_value(json_object_get(o, "kind")), "Challenge") ?
		    "" : "  Reason: (none shown yet)");
}

static void print_objects(const struct cert_run *cr)
{
	json_t *objs = cm_objects(cr), *o, *c;
	size_t i, k;

	printf("cert-manager %s would show:\n", cr->version);
	json_array_foreach(objs, i, o) {
		printf("  %s %s", json_string_value(json_object_get(o, "kind")),
		    json_string_value(json_object_get(o, "name")));
		printf("\n");
		if (json_object_get(o, "state") != NULL)
			print_state(o);
		if (json_object_get(o, "error") != NULL)
			print_escaped("    error: ", json_string_value(json_object_get(o, "error")));
		json_array_foreach(json_object_get(o, "conditions"), k, c)
			printf("    %s=%s  %s  %s\n", json_string_value(json_object_get(c, "type")),
			    json_string_value(json_object_get(c, "status")),
			    json_string_value(json_object_get(c, "reason")),
			    json_string_value(json_object_get(c, "message")));
		json_array_foreach(json_object_get(o, "events"), k, c)
			printf("    event %s %s: %s\n", json_string_value(json_object_get(c, "type")),
			    json_string_value(json_object_get(c, "reason")),
			    json_string_value(json_object_get(c, "message")));
	}
	json_decref(objs);
}

static void print_text(const struct cert_run *cr)
{
	printf("Certificate %s (cert-manager %s), issuer %s %s\n",
	    cr->cert->name != NULL ? cr->cert->name : "(unnamed)", cr->version,
	    cr->cert->issuer_kind, cr->cert->issuer_name);
	if (cr->view != NULL)
		printf("from %s\n", cr->view);
	if (cr->gates_inert != NULL)
		printf("feature gates acmectl models no effect of: %s\n", cr->gates_inert);
	printf("identifiers of the Order:");
	for (size_t i = 0; i < cr->nnames; i++)
		printf(" %s", cr->names[i].name);
	printf("\n");
	if (cr->refusal != NULL)
		printf("spec: FAIL: the %s refuses the Certificate (below)\n", cr->refused_by);
	if (cr->cn_error != NULL)
		print_escaped("commonName: FAIL: ", cr->cn_error);
	if (cr->account_text != NULL)
		printf("account (as diagnose --from-issuer runs it):\n%s", cr->account_text);
	if (cr->nnames > 0 && cr->cn_error == NULL && cr->refusal == NULL && !wants_flow(cr->cfg))
		printf("no order is created without --webroot, --standalone or --dns-hook: no "
		    "token exists, the self checks use the placeholder token %s\n", PLACEHOLDER);
	if (cr->order_account_from != NULL)
		printf("the order's account: %s (%s)\n", cr->order_account_url != NULL ?
		    cr->order_account_url : "none", cr->order_account_from);
	for (size_t i = 0; i < cr->nnames && cr->cn_error == NULL && cr->refusal == NULL; i++)
		print_name(cr, &cr->names[i]);
	if (cr->key_warning_why != NULL)
		print_escaped("the Secret's tls.key does not decode as cert-manager reads it, a new "
		    "key is generated: ", cr->key_warning_why);
	if (cr->issue_error != NULL)
		print_escaped("the flow stopped: ", cr->issue_error);
	if (cr->issued)
		printf("Secret %s written to %s (mode 0600): kubectl apply -f %s\n",
		    cr->cert->secret_name, cr->cfg->output, cr->cfg->output);
	print_objects(cr);
	printf("verdict: %s\n", cr->verdict);
}

static void cert_run_free(struct cert_run *cr)
{
	for (size_t i = 0; i < cr->nnames; i++) {
		free(cr->names[i].name);
		cm_solver_pick_clear(&cr->names[i].pick);
		selfcheck_result_clear(&cr->names[i].r);
		free(cr->names[i].advice);
		free(cr->names[i].record);
		free(cr->names[i].record_why);
	}
	free(cr->names);
	cm_certificate_free(cr->cert);
	cm_solvers_clear(&cr->solvers);
	proxy_settings_clear(&cr->ps);
	free(cr->ns);
	free(cr->version);
	free(cr->gates_inert);
	free(cr->cn_error);
	podview_clear(&cr->pv);
	free(cr->view);
	free(cr->account_json);
	free(cr->account_text);
	free(cr->issue_error);
	cm_failure_clear(&cr->failure);
	free(cr->key_warning);
	free(cr->key_warning_why);
	free(cr->refusal);
	free(cr->csr);
	free(cr->order_account_url);
	free(cr->order_account_from);
	free(cr->preferred_chain);
}

/* The Certificate and the Issuer's solvers; with --pid, what the
 * process's view holds (read now, entered by the account step). */
static int load_inputs(struct cert_run *cr)
{
	const struct config *cfg = cr->cfg;

	cr->modelled = cfg->cm_version;
	if ((cr->cert = cm_certificate_load(cfg->certificate)) == NULL ||
	    cm_solvers_load(cfg->from_issuer, &cr->solvers) != 0)
		return -1;
	if (cfg->pid != NULL && wants_flow(cfg)) {
		err_set(ERR_USAGE, "--pid diagnoses only: drop --webroot, --standalone and "
		    "--dns-hook (the order would go out with acmectl's own proxy settings, not "
		    "the process's)");
		return -1;
	}
	if (cfg->pid != NULL && cmd_pod_read(cfg, &cr->pv, &cr->modelled, &cr->view) != 0)
		return -1;
	cr->cn_error = cm_cn_not_in_sans(cr->cert);
	return 0;
}

/* The self check's options, after the account step: with --pid it has
 * entered the process's view, whose resolv.conf names the nameserver and
 * whose environment holds the proxy. */
static int selfcheck_setup(struct cert_run *cr)
{
	if (cmd_selfcheck_opts(cr->cfg, cr->modelled, &cr->opts, &cr->ps, &cr->ns) != 0)
		return -1;
	if (cr->cfg->pid != NULL)
		proxy_settings_use_env(&cr->ps, cr->pv.env);
	cr->version = cm_version_string(&cr->opts.version);
	return 0;
}

/* What refuses the CSR fields before any object exists, for the modelled
 * release with its gates (defaults, then --cert-manager-feature-gates); then the commonName the CSR and the Order
 * carry (a literalSubject's CN when that gate is on), checked as the ACME
 * issuer checks it. */
static int csr_checks(struct cert_run *cr)
{
	char *cn;

	if (cmd_feature_gates(cr->cfg, &cr->opts.version, &cr->gates, &cr->gates_inert) != 0)
		return -1;
	cr->refusal = cm_csr_refusal(cr->cert, &cr->opts.version, &cr->gates,
	    &cr->refused_by);
	if (cr->refusal != NULL || cr->cert->literal_subject == NULL)
		return 0;
	err_clear();
	cn = cm_csr_common_name(cr->cert, &cr->opts.version, &cr->gates);
	if (cn == NULL && err_kind() != ERR_NONE)
		return -1;
	free(cr->cert->common_name);
	cr->cert->common_name = cn;
	free(cr->cn_error);
	cr->cn_error = cm_cn_not_in_sans(cr->cert);
	return 0;
}

/* True when the --secret file holds the Issuer's account key Secret: it
 * may hold that one, the Certificate's, or both. A Secret of that name
 * counts even without the data key: the account step then says so. */
static bool secret_has_account_key(const struct diagnose_opts *cfg)
{
	struct k8s_issuer *iss = k8s_issuer_load(cfg->from_issuer);
	struct k8s_secret_value v = { 0 };
	bool found = iss != NULL && iss->key_secret_name != NULL &&
	    (k8s_secret_load(cfg->secret, iss->key_secret_name,
	    iss->key_secret_key != NULL ? iss->key_secret_key : "tls.key", &v) == 0 ||
	    v.missing == K8S_SECRET_KEY_ABSENT);

	k8s_secret_value_clear(&v);
	k8s_issuer_free(iss);
	err_clear();
	return found;
}

/* The account step as plain diagnose runs it, with --secret only when it
 * holds the account key. */
static int account_step(struct cert_run *cr)
{
	struct diagnose_opts run = cmd_diagnose_opts(cr->cfg);
	const char *verdict;

	if (run.secret != NULL && !secret_has_account_key(&run))
		run.secret = NULL;
	if (diag_account(&run, &cr->account_json, &cr->account_text, &verdict) != 0)
		return -1;
	cr->account_ok = strcmp(verdict, "ok") == 0;
	return 0;
}

/* The names' solvers and the account step. With a solver flag, what the
 * flow needs is checked first: nothing it would refuse may send a request
 * (the account step sends some). Without one the self check's options
 * come after the account step, which enters --pid's view. */
static int prepare(struct cert_run *cr)
{
	if (wants_flow(cr->cfg)) {
		if (selfcheck_setup(cr) != 0 || csr_checks(cr) != 0)
			return -1;
		pick_names(cr);
		if (cr->cn_error == NULL && cr->refusal == NULL && certflow_check(cr) != 0)
			return -1;
		return account_step(cr);
	}
	if (account_step(cr) != 0 || selfcheck_setup(cr) != 0 || csr_checks(cr) != 0)
		return -1;
	pick_names(cr);
	return 0;
}

int cmd_diagnose_certificate(const struct config *cfg)
{
	struct cert_run cr = { .cfg = cfg };
	int rc = -1;

	if (load_inputs(&cr) != 0 || prepare(&cr) != 0)
		goto out;
	if (cr.cn_error == NULL && cr.refusal == NULL && check_names(&cr) != 0)
		goto out;
	cr.verdict = overall(&cr);
	if (wants_flow(cfg) && (strcmp(cr.verdict, "reachable") == 0 ||
	    strcmp(cr.verdict, "ok") == 0)) {
		if (certflow_issue(&cr) != 0)
			goto out;
		cr.verdict = overall(&cr);
	}
	if (cfg->json)
		print_json(&cr);
	else if (!cfg->quiet)
		print_text(&cr);
	if (strcmp(cr.verdict, "ok") == 0 || strcmp(cr.verdict, "reachable") == 0)
		rc = 0;
	else if (strcmp(cr.verdict, "order_failed") == 0)
		err_set((enum err_kind)cr.issue_kind, "diagnose: order_failed: %s", cr.issue_error);
	else
		err_set(ERR_ACME, "diagnose: %s", cr.verdict);
out:
	cert_run_free(&cr);
	return rc;
}
