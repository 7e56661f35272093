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
#include "store.h"
#include "store_digest.h"

enum action { ACT_NOT_DUE, ACT_RENEWED, ACT_FAILED, ACT_REVOKED, ACT_DEPLOYED };

/* the --json "action" of each */
extern const char *const renew_action_names[];

/* One certificate of the run. Its flags are together, so that 10,000 of
 * them hold no padding between. */
struct job {
	const char *name;         /* borrowed from the run's names, which outlive it */
	json_t *record;           /* its issuance.json */
	json_t *hooks;            /* its hooks with the given ones laid over */
	struct certinfo ci;
	char *ari_path;
	struct ari_state ari;
	char *server;             /* the record's "server" */
	char *why;                /* why it is due */
	char *error;
	enum action action;
	enum err_kind error_kind; /* of error */
	bool have_ari;
	bool due;
	bool check;               /* an ARI check is due */
	bool deploy_pending;      /* its deploy hook has not succeeded yet */
	/* what the metrics report, kept when the rest is trimmed */
	bool known;               /* only reported from the start: these hold */
	bool staging_issuer;      /* its issuer is a staging CA's */
	bool last_error;          /* the record holds a last_error */
	time_t last_attempt, issued; /* the record's, 0: none */
	time_t ari_renew_at;      /* the CA's renew_at for its certificate, 0: none */
};

/* True when j will only be reported: revoked, or not due with no ARI
 * check due and nothing pending. */
bool renew_job_only_reported(const struct job *j);

/* What a certificate's new row holds besides its keys: the facts read
 * from its files (formatted only when the digest is written, so 10,000
 * new rows are not held as text). */
struct renew_fresh {
	const char *server;       /* one of the cache's strings */
	char *ari_id;             /* owned; NULL: none */
	time_t not_before, not_after;
	bool revoked, deploy_pending, have_ari, ari_offered;
	time_t ari_start, ari_end, ari_renew_at, ari_next_check;
	bool staging_issuer, last_error;
	time_t last_attempt, issued;
	/* per hook kind, its remembered command's hash: one of the cache's
	 * strings ("": none) */
	const char *hooks[DIGEST_HOOK_KINDS];
};

/* The renew digest of a run holding the lock: the keys the lock's walk
 * took, the digest read, and what the run learnt for the one it writes.
 * Indexes are those of keys.certs. */
struct renew_cache {
	struct store_keys keys;
	struct store_digest old;
	bool use;                 /* rows may stand for files in this run */
	/* per hook kind, the hash of the one given (NULL: not given; hashed
	 * once, not once per row) */
	char *given[DIGEST_HOOK_KINDS];
	struct renew_fresh **fresh; /* its new row, read from its files */
	char **strings;           /* the distinct servers and hook hashes of the new rows */
	size_t nstrings;
};

/* Reads the digest after store_lock_keys filled c->keys; rows are used
 * unless the run needs more than they hold (--force). */
void renew_cache_open(const struct config *cfg, struct renew_cache *c);

/* Fills j (named, nothing else yet) from its row when the row's keys are
 * those of its files now, the hooks given are those the row says are
 * remembered (else they are remembered from the files), and the row does
 * not say a deployment is pending (that needs the record's hooks). True when it did; j then holds what
 * job_load would have read of a certificate only reported. */
bool renew_cache_take(struct renew_cache *c, struct job *j);

/* Marks that j was read from its files and decided; when it is only
 * reported (renew_job_only_reported) and
 * its files are old enough to be told apart by their keys, its row is
 * made from it (before job_trim drops what the row needs). */
void renew_cache_note(struct renew_cache *c, const struct job *j, time_t now);

/* Writes the digest when its rows changed: a new row, one dropped (its
 * certificate changed or is gone), or one unusable before. Only warns on
 * failure: the digest is never needed. */
void renew_cache_save(const struct config *cfg, struct renew_cache *c);

/* Releases what c holds; c may be all zero. */
void renew_cache_free(struct renew_cache *c);

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
