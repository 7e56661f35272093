/* cmd.h - the commands main() dispatches to. Each returns 0 on success or
 * -1 with the error recorded (err.h); main() maps that to the exit code. */
#ifndef ACMECTL_CMD_H
#define ACMECTL_CMD_H

#include <stdbool.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "diagnose.h"
#include "podview.h"
#include "dryrun.h"
#include "err.h"
#include "session.h"

int cmd_account_register(const struct config *cfg);
int cmd_account_show(const struct config *cfg);
int cmd_issue(const struct config *cfg);
int cmd_proxy_explain(const struct config *cfg);
int cmd_diagnose(const struct config *cfg);
int cmd_diagnose_challenge(const struct config *cfg);
int cmd_diagnose_certificate(const struct config *cfg);

struct selfcheck_opts;
struct proxy_settings;
struct cm_version;
struct cm_csr_gates;

/* Release v's feature gates: its defaults, then the list of
 * --cert-manager-feature-gates as its controller reads it. *inert (caller
 * frees) names the gates set that acmectl models no effect of, or NULL.
 * 0, or -1 with ERR_USAGE and the error cert-manager would not start with. */
int cmd_feature_gates(const struct config *cfg, const struct cm_version *v,
    struct cm_csr_gates *g, char **inert);

/* The options of cert-manager's self check as diagnose's flags set them:
 * the release to model (version; NULL: the newest), the proxy environment, the DNS-01
 * nameserver flags, the resolver Go's errors name (*ns, caller frees; NULL
 * when none). 0, or -1 with ERR_USAGE for a bad version or proxy setting
 * (release ps with proxy_settings_clear() and free *ns either way). */
int cmd_selfcheck_opts(const struct config *cfg, const char *version,
    struct selfcheck_opts *opts, struct proxy_settings *ps, char **ns);

/* --pid: reads process cfg->pid's view into pv (*version: the release to
 * model, cfg->cm_version's or the one its command line names) and
 * describes it in *view (caller frees). Nothing is entered yet
 * (podview_enter). 0, or -1 with ERR_USAGE. */
int cmd_pod_read(const struct config *cfg, struct podview *pv, const char **version,
    char **view);

int cmd_renew(const struct config *cfg);

/* The exit kind of a renew run whose failures so far (its certificates',
 * its pre and post hooks') had kind sofar (ERR_NONE: none yet), after one
 * more of kind failed: ERR_NETWORK when every failure was a network
 * failure, ERR_STORAGE when every one was a storage or trust refusal,
 * else ERR_ACME (a usage kind, e.g. a failing dns hook, counts as a failed
 * renewal: the run's own arguments were fine). Pure. */
enum err_kind renew_exit_kind(enum err_kind sofar, enum err_kind failed);
int cmd_list(const struct config *cfg);
int cmd_revoke(const struct config *cfg);
int cmd_account_rollover(const struct config *cfg);
int cmd_account_deactivate(const struct config *cfg);
int cmd_account_update(const struct config *cfg);
int cmd_account_export(const struct config *cfg);
int cmd_account_import(const struct config *cfg);
int cmd_delete(const struct config *cfg);

/* What the metrics report of one certificate, as a command already knows
 * it (strings borrowed). */
struct metrics_fact {
	const char *name;
	const char *server;       /* NULL: unknown */
	bool readable;            /* false: its files could not be read */
	bool staging;             /* of a staging CA, by its server or issuer */
	bool revoked;
	bool failing;             /* a last_error, or a deployment pending */
	bool last_error;          /* the record holds a last_error */
	time_t not_before, not_after;
	time_t ari_renew_at;      /* the CA's renew_at for this certificate, 0: none */
	time_t last_attempt;      /* the record's, 0: none */
	time_t issued;            /* the record's, 0: none */
};

/* Writes the state of every kept certificate to cfg->metrics_file (a
 * Prometheus textfile, as list --metrics does) when one is given, after a
 * command that ended with rc. Of the nknown certificates in known
 * (borrowed, any order; NULL when none) what it holds is used, every other
 * one is read from its files. Returns rc, or -1 with ERR_STORAGE when rc
 * was 0 and the file could not be written (an earlier failure stays the
 * one recorded). */
int cmd_write_metrics(const struct config *cfg, int rc, const struct metrics_fact *known,
    size_t nknown);

/* The time a record keeps as RFC 3339 text under key, or 0 when absent or
 * unreadable. */
time_t cmd_record_time(json_t *record, const char *key);

/* Prints an account command's outcome: {url, status, contact} with --json
 * (contact borrowed; [] when not an array), else line unless -q. */
void cmd_account_report(const struct config *cfg, const char *url, const char *status,
    json_t *contact, const char *line);

/* The run's settings that a session takes (strings borrowed from cfg):
 * server, state, CA bundle, timeouts and proxy flags. */
struct session_opts cmd_session_opts(const struct config *cfg);

/* The run's settings that diagnose's account steps take (strings
 * borrowed from cfg). */
struct diagnose_opts cmd_diagnose_opts(const struct config *cfg);

/* The run's settings that a dry run takes (strings borrowed from cfg). */
struct dryrun_opts cmd_dryrun_opts(const struct config *cfg);

#endif
