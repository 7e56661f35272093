/* renew_int.h - what cmd_renew.c and renew_report.c share: one
 * certificate of a renew run, and how the run reports it. Private to
 * src/cmd/. */
#ifndef ACMECTL_RENEW_INT_H
#define ACMECTL_RENEW_INT_H

#include <stdbool.h>
#include <time.h>

#include <jansson.h>

#include "ari.h"
#include "certinfo.h"
#include "cli.h"
#include "err.h"

enum action { ACT_NOT_DUE, ACT_RENEWED, ACT_FAILED, ACT_REVOKED, ACT_DEPLOYED };

/* the --json "action" of each */
extern const char *const renew_action_names[];

/* One certificate of the run. */
struct job {
	char *name;
	json_t *record;           /* its issuance.json */
	json_t *hooks;            /* its hooks with the given ones laid over */
	struct certinfo ci;
	char *ari_path;
	struct ari_state ari;
	bool have_ari;
	char *server;             /* the record's "server" */
	bool due;
	bool check;               /* an ARI check is due */
	bool deploy_pending;      /* its deploy hook has not succeeded yet */
	char *why;                /* why it is due */
	enum action action;
	char *error;
	enum err_kind error_kind; /* of error */
};

/* The one-line summary of j on stdout; one that is not due only with -v
 * (the run's summary line counts them: cron mails every line). */
void renew_print_line(const struct config *cfg, const struct job *j, time_t now);

/* One line for all the certificates that are not due: how many were
 * checked, and which one is due next, when. Nothing with -q or -v. */
void renew_print_summary(const struct config *cfg, const struct job *jobs, size_t n);

/* The --json array: {name, action, server, not_after, error?} per job. */
void renew_print_json(const struct job *jobs, size_t n);

/* "NAME: why" of each failed job, "; "-joined, for the error line; their
 * kinds are folded into *kind (renew_exit_kind). Caller frees. */
char *renew_failures_text(const struct job *jobs, size_t n, enum err_kind *kind);

#endif
