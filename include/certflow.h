/* certflow.h - what the two halves of diagnose --certificate share: the
 * checks and report (cmd_diagnose_certificate.c) and, with a solver flag,
 * the issuance against the Issuer's CA (cmd_diagnose_certflow.c). */
#ifndef ACMECTL_CERTFLOW_H
#define ACMECTL_CERTFLOW_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cli.h"
#include "cmcert.h"
#include "cmcsr.h"
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
	int checks;                 /* self checks the flow ran with the real token */
	bool answered;              /* the flow answered its challenge (else it was valid) */
	const char *verdict;        /* static: doc/diagnose.md */
	const char *reason;         /* the Challenge's status.reason, or NULL; borrowed from r */
	char *advice;               /* owned, or NULL */
	char *record;               /* where the hook wrote the DNS-01 record (no trailing
				     * dot), or NULL; owned */
	char *record_why;           /* why there, or why nowhere; owned, or NULL */
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
	struct cm_csr_gates gates;  /* the release's, with --cert-manager-feature-gates */
	char *gates_inert;          /* the gates set that acmectl models no effect of, or NULL */
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
	char *order_account_url;    /* the account that ordered, or NULL */
	char *preferred_chain;      /* the Issuer's spec.acme.preferredChain, or NULL */
	char *order_account_from;   /* whose it is: the Issuer's key and where it was, or
				     * acmectl's stored account; NULL before the flow */
	long long flow_end_ms;      /* mono_ms() when --deadline ends the flow */
};

/* nc's DNS-01 record, once the flow presented it or stopped before:
 * {"name": "_acme-challenge.a.example." or null, "why"}; NULL when there
 * is none. */
json_t *certflow_record_json(const struct name_check *nc);

/* The same as one line of the text report ("  record: ..."), if any. */
void certflow_print_record(const struct name_check *nc);

/* What the whole flow needs before any request, once the names have
 * their solvers: -o naming a new file, the flag each name's solver needs
 * (--dns-hook for DNS-01, --webroot or --standalone for HTTP-01: else
 * ERR_USAGE naming the name and the flag) and a dns hook program nobody
 * else could have planted (ERR_STORAGE, hook_check_program). 0 or -1 with
 * err. */
int certflow_check(const struct cert_run *cr);

/* With --webroot, --standalone or --dns-hook (after certflow_check): the
 * whole flow against the Issuer's CA (account, order, presenting each
 * name's challenge through its solver's flag, cert-manager's self check
 * before answering it, DNS-01 repeated every 10 s until it passes or
 * --deadline, finalize with cert-manager's CSR, download, every record
 * removed again) and the Secret written to -o. The order goes out on the
 * Issuer's account when its key is given (--account-key, or the --secret
 * file holding privateKeySecretRef's Secret: looked up, never
 * registered), else on acmectl's stored account; cr says which. Updates
 * the names' checks with the real token's. 0 when the Secret is written;
 * -1 with err when the flow cannot start or a local step fails (exit
 * status); a refusal by the CA or a failing self check is recorded in
 * cr->issue_error with 0 returned. */
int certflow_issue(struct cert_run *cr);

#endif
