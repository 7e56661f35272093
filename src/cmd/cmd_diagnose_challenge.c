/* cmd_diagnose_challenge.c - `acmectl diagnose --challenge FILE`: the self
 * check cert-manager's challenges controller runs for a stuck Challenge,
 * run from here, and the status.reason it would write. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmgates.h"
#include "err.h"
#include "podview.h"
#include "resolv.h"
#include "selfcheck.h"
#include "util.h"

#define PASSES 5          /* cert-manager's requiredPasses */
#define PAUSE_MS 2000     /* between passes */

/* Prints a, b, c, d on one line, b and d (which may hold what a server
 * sent: a body, a Location) with control characters escaped. */
static void print_line(const char *a, const char *b, const char *c, const char *d)
{
	char *pb = str_printable(b), *pd = str_printable(d);

	printf("%s%s%s%s\n", a, pb, c, pd);
	free(pb);
	free(pd);
}

static void print_text(const struct cm_challenge *ch, const struct selfcheck_result *r,
    const char *version, const char *view)
{
	printf("Challenge %s: %s for %s%s (cert-manager %s)\n", ch->name ? ch->name : "(unnamed)",
	    ch->type, ch->wildcard ? "*." : "", ch->dns_name, version);
	if (view != NULL)
		printf("from %s\n", view);
	for (size_t i = 0; i < r->nsteps; i++)
		print_line(r->steps[i].ok ? "  ok   " : "  FAIL ", r->steps[i].what, ": ",
		    r->steps[i].outcome);
	if (strcmp(ch->type, "HTTP-01") == 0)
		printf("self check: %d of %d passes\n", r->passes, PASSES);
	printf("verdict: %s\n", r->verdict);
	if (r->reason != NULL)
		print_line("cert-manager's status.reason: ", r->reason, "", "");
	else
		printf("cert-manager's self check passes: it answers the challenge next\n");
	if (ch->reason != NULL && r->reason != NULL && strcmp(ch->reason, r->reason) != 0)
		print_line("the manifest's status.reason differs: ", ch->reason, "", "");
	if (r->advice != NULL)
		printf("advice: %s\n", r->advice);
}

/* The first nameserver of the resolv.conf in use, as Go's lookup errors
 * name it, or NULL. Caller frees. */
static char *first_nameserver(const char *path)
{
	struct resolv_conf rc;
	char *ns = NULL;

	if (resolv_load(path != NULL ? path : "/etc/resolv.conf", &rc) == 0 &&
	    rc.nnameservers > 0)
		ns = xstrdup(rc.nameservers[0]);
	err_clear();
	resolv_conf_free(&rc);
	return ns;
}

int cmd_pod_read(const struct config *cfg, struct podview *pv, const char **version,
    char **view)
{
	char *note;

	if (cfg->resolv_conf != NULL) {
		err_set(ERR_USAGE, "give either --pid or --resolv-conf, not both: --pid takes "
		    "the process's resolv.conf");
		return -1;
	}
	if (podview_read(cfg->pid, pv) == -1)
		return -1;
	*version = podview_cm_version(pv, cfg->cm_version, &note);
	free(note);
	*view = podview_describe(pv, cfg->cm_version);
	return 0;
}

int cmd_feature_gates(const struct config *cfg, const struct cm_version *v,
    struct cm_csr_gates *g, char **inert)
{
	cm_csr_gates_default(v, g);
	*inert = NULL;
	return cfg->cm_feature_gates == NULL ? 0 :
	    cm_gates_apply(cfg->cm_feature_gates, v, g, inert);
}

int cmd_selfcheck_opts(const struct config *cfg, const char *version,
    struct selfcheck_opts *opts, struct proxy_settings *ps, char **ns)
{
	*opts = (struct selfcheck_opts){ .passes = PASSES, .pause_ms = PAUSE_MS,
	    .recursive = cfg->dns01_recursive, .recursive_only = cfg->dns01_recursive_only };
	*ns = NULL;
	if (cm_version_parse(version ? version : CM_VERSION_CURRENT, &opts->version) != 0 ||
	    proxy_settings_load(ps, cfg) != 0)
		return -1;
	opts->proxy = ps;
	opts->nameserver = *ns = first_nameserver(cfg->resolv_conf);
	return 0;
}

int cmd_diagnose_challenge(const struct config *cfg)
{
	struct selfcheck_result r = { 0 };
	struct proxy_settings ps = { 0 };
	struct selfcheck_opts opts;
	struct podview pv = { 0 };
	struct cm_csr_gates gates;
	struct cm_challenge *ch;
	const char *modelled = cfg->cm_version;
	char *version = NULL, *ns = NULL, *view = NULL, *inert = NULL;
	json_t *out;
	int rc = -1;

	if ((ch = cm_challenge_load(cfg->challenge)) == NULL)
		return -1;
	/* the Challenge is read: from here on, the process's view (its
	 * resolv.conf names the nameserver Go's errors quote) */
	if (cfg->pid != NULL &&
	    (cmd_pod_read(cfg, &pv, &modelled, &view) == -1 || podview_enter(&pv) == -1))
		goto out;
	if (cmd_selfcheck_opts(cfg, modelled, &opts, &ps, &ns) != 0)
		goto out;
	if (cfg->pid != NULL)
		proxy_settings_use_env(&ps, pv.env);
	version = cm_version_string(&opts.version);
	/* no gate changes the self check: the list is only checked as the
	 * controller would check it */
	if (cmd_feature_gates(cfg, &opts.version, &gates, &inert) != 0)
		goto out;
	if ((strcmp(ch->type, "HTTP-01") == 0 ? selfcheck_http01(ch, &opts, &r) :
	    selfcheck_dns01(ch, &opts, &r)) != 0)
		goto out;
	if (cfg->json) {
		out = json_pack("{s:[o],s:{s:s}}", "challenges", selfcheck_json(ch, &r),
		    "cert_manager", "version", version);
		if (cfg->cm_feature_gates != NULL)
			json_object_set_new(json_object_get(out, "cert_manager"),
			    "feature_gates_without_effect", json_string(cfg->cm_feature_gates));
		if (view != NULL)
			json_object_set_new(out, "view", json_string(view));
		json_print(out);
		json_decref(out);
	} else if (!cfg->quiet) {
		print_text(ch, &r, version, view);
		if (cfg->cm_feature_gates != NULL) {
			/* spaces the controller trims may be any of Go's, \n too */
			char *safe = str_sanitize(cfg->cm_feature_gates);

			printf("feature gates (none changes the self check): %s\n", safe);
			free(safe);
		}
	}
	if (strcmp(r.verdict, "ok") == 0)
		rc = 0;
	else
		err_set(ERR_ACME, "diagnose: %s", r.verdict);
out:
	selfcheck_result_clear(&r);
	proxy_settings_clear(&ps);
	podview_clear(&pv);
	cm_challenge_free(ch);
	free(version);
	free(view);
	free(ns);
	free(inert);
	return rc;
}
