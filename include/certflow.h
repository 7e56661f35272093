/* certflow.h - what the two halves of diagnose --certificate share: the
 * checks and report (cmd_diagnose_certificate.c) and, with a solver flag,
 * the issuance against the Issuer's CA (cmd_diagnose_certflow.c). */
#ifndef ACMECTL_CERTFLOW_H
#define ACMECTL_CERTFLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "cmcert.h"
#include "cmfailure.h"
#include "proxy.h"
#include "podview.h"
#include "selfcheck.h"
#include "solverpick.h"

/* One identifier of the Order and what became of it. */
struct name_check {
	char *name;                 /* as ordered: "*.a.example" for a wildcard */
	bool wildcard;
	struct cm_solver_pick pick;
	struct selfcheck_result r;  /* the self check, when one ran */
	bool checked;
	bool answered;              /* the flow answered its challenge (else it was valid) */
	const char *verdict;        /* static: doc/diagnose.md */
	const char *reason;         /* the Challenge's status.reason, or NULL; borrowed from r */
	char *advice;               /* owned, or NULL */
};

struct cert_run {
	const struct config *cfg;
	struct cm_certificate *cert;
	struct cm_solvers solvers;
	struct selfcheck_opts opts;
	struct proxy_settings ps;
	struct podview pv;          /* --pid: the process's view, entered by the account step */
	const char *modelled;       /* the release asked for, or the one pv names */
	char *view;                 /* pv described, or NULL */
	char *ns;
	char *version;
	char *cn_error;             /* the CertificateRequest's failure message, or NULL */
	char *account_json, *account_text;
	bool account_ok;
	struct name_check *names;
	size_t nnames;
	const char *verdict;        /* the first failure's, "ok" or "reachable" */
	bool issued;                /* the flow wrote the Secret */
	char *issue_error;          /* why the flow stopped, or NULL */
	int issue_kind;             /* its err kind (the exit status) */
	struct cm_failure failure;  /* cert-manager's objects after the CA refused (step NULL:
	                               it did not, or the failure was acmectl's own) */
	char *refusal;              /* what kubectl apply prints refusing the CSR fields, or NULL */
	const char *refused_by;     /* "api-server" or "webhook" (static) */
	char *csr;                  /* the CSR sent to finalize, base64url DER, or NULL */
	const char *key_event;      /* "Generated", "Reused", or NULL */
	char *key_warning;          /* the DecodeFailed event before Generated, or NULL */
	char *key_warning_why;      /* why the Secret's tls.key did not decode, or NULL */
};

/* With --webroot or --standalone: the whole flow against the Issuer's CA
 * (account, order, the self check of each name before its challenge is
 * answered, finalize with cert-manager's CSR, download) and the Secret
 * written to -o. Updates the names' checks with the real token's. 0 when
 * the Secret is written; -1 with err when the flow cannot start or a
 * local step fails (exit status); a refusal by the CA or a failing self
 * check is recorded in cr->issue_error with 0 returned. */
int certflow_issue(struct cert_run *cr);

#endif
