/* issue.h - one issuance from start to saved files, shared by `issue` and
 * `renew`: solver set-up, key and CSR, the order, and the atomic save with
 * the record of how it was issued (so renewal needs no flags). */
#ifndef ACMECTL_ISSUE_H
#define ACMECTL_ISSUE_H

#include <stdbool.h>

#include <jansson.h>

#include "certinfo.h"
#include "key.h"
#include "session.h"

/* How a certificate is issued; all strings borrowed. */
struct issue_spec {
	char **names;             /* validated, normalised, NULL-terminated */
	const char *cert_name;    /* directory under STATE/certs */
	const char *webroot;      /* exactly one of webroot, standalone, tls_alpn, dns_hook */
	const char *standalone;
	const char *tls_alpn;     /* [ADDR:]PORT of the tls-alpn-01 responder */
	const char *dns_hook;
	long dns_wait_s;
	enum key_type key_type;   /* of a generated certificate key */
	bool reuse_key;           /* keep the current generation's key, if any */
	const char *csr_path;     /* the user's CSR instead of a generated key */
	const char *preferred_chain;
	const char *profile;
	const char *replaces;     /* ARI id of the certificate being replaced */
	json_t *hooks;            /* kept in the record for renew (object), or NULL */
};

/* Issues the certificate spec describes through s (account set) and saves
 * it as the new generation of spec->cert_name, with its issuance record.
 * Stores what was issued in *issued when not NULL (certinfo_clear() it).
 * Returns 0, or -1 with err set and the previous certificate untouched. */
int issue_run(struct session *s, const struct issue_spec *spec, struct certinfo *issued);

/* Issues and saves the n certificates specs[0..n-1] describe, side by side
 * (order_issue_all): their requests share round trips and their waits
 * overlap. Specs that answer challenges the same way share one solver.
 * Each ends either saved, with issued[i] filled when issued is not NULL
 * (certinfo_clear() each) and errors[i] NULL, or with errors[i] set (caller
 * err_restore()s or err_saved_free()s) and its previous certificate
 * untouched. Returns the number that failed; records nothing in err. */
size_t issue_run_all(struct session *s, const struct issue_spec *specs, size_t n,
    struct certinfo *issued, struct err_saved **errors);

/* The issuance record for spec at server: how it was issued, and the state
 * of this attempt (last_attempt now, last_error null, deploy_pending true
 * when spec->hooks has a deploy hook). New reference. */
json_t *issue_record(const struct issue_spec *spec, const char *server, const char *account_url);

/* Fills spec from a stored record (strings borrowed from rec; spec->names
 * is a new array of borrowed strings: free() it, not strv_free). Returns 0,
 * or -1 with ERR_STORAGE naming what is missing. */
int issue_spec_from_record(json_t *rec, const char *cert_name, struct issue_spec *spec);

/* Records in the kept record of certificate name that an attempt failed
 * now with error (last_attempt, last_error), so list and the next run show
 * it. Best effort: what cannot be written is logged. Leaves err as it was. */
void issue_note_failure(const char *state, const char *name, const char *error);

/* Runs the deploy hook deploy of certificate name (its environment from
 * hook_deploy_env) and records the outcome in its record: deploy_pending
 * false and last_error null once it succeeded; last_error (deploy_pending
 * left true) when it failed. 0, or -1 with ERR_ACME saying how the hook
 * failed; ERR_STORAGE when it was refused without running (another user
 * could have planted its program, hook_run) or the record cannot be
 * written. */
int issue_deploy(const char *state, const char *name, const char *deploy, bool with_privkey);

#endif
