/* store_digest.h - STATE/renew-digest: what `renew` last read of each
 * kept certificate, so that a run with nothing due need not read and parse
 * every certificate's files again.
 *
 * One line of text per certificate, after a version line:
 *
 *   acmectl renew-digest 2
 *   NAME ISSUANCE CERT ARI SERVER DEPLOY_PENDING REVOKED NOT_BEFORE NOT_AFTER ARI_ID ARI_STATE
 *       DEPLOY_HOOK PRE_HOOK POST_HOOK STAGING_ISSUER LAST_ATTEMPT ISSUED LAST_ERROR
 *
 * ISSUANCE, CERT and ARI are the keys of issuance.json, cert.pem and
 * ari.json as the lock's walk saw them (DEV:INO:SIZE:MTIME_NS:CTIME_NS, or
 * "absent" for a missing ari.json); the rest are the facts renew read from
 * those files: the record's server, deploy_pending and revoked (0 or 1),
 * the certificate's dates (seconds since the epoch) and RFC 9773 id ("-"
 * when it has none), and the ARI state kept for it ("-" when none, else
 * OFFERED:START:END:RENEW_AT:NEXT_CHECK), then for each hook kind the
 * SHA-256 (64 lowercase hex digits) of the command issuance.json
 * remembers, or "none" (not looked at in a revoked one's row, whose hooks
 * renew never reads), then what the metrics report of it: whether its
 * issuer is a staging CA's (0 or 1), the record's last_attempt and issued
 * times (seconds since the epoch; 0 when absent or unreadable) and
 * whether it holds a last_error (0 or 1). All on one line: rows are sorted by name, fields
 * are separated by one space; nothing secret is in it (a hook's command is
 * there only as its hash).
 *
 * A row is used only while all three keys are what the walk sees now, and
 * only as facts: what is due is decided again from them every run. The
 * file is a cache: a digest that is missing, malformed, of another version
 * or too large is ignored as a whole (said at -v), never an error.
 */
#ifndef ACMECTL_STORE_DIGEST_H
#define ACMECTL_STORE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "store.h"

/* The first line of the digest this version reads and writes. */
#define STORE_DIGEST_HEADER "acmectl renew-digest 2\n"

/* The longest name, server and ARI id a row holds. */
#define DIGEST_NAME_MAX 255
#define DIGEST_SERVER_MAX 2048
#define DIGEST_ARI_ID_MAX 512

/* The hook kinds a row keeps, in its order: deploy, pre, post. */
#define DIGEST_HOOK_KINDS 3
/* A hook's SHA-256 as text: 64 lowercase hex digits. */
#define DIGEST_HOOK_HEX 64

/* One certificate's row, self-contained (a few KiB: one at a time). */
struct digest_row {
	char name[DIGEST_NAME_MAX + 1];
	struct store_key issuance, cert, ari;
	char server[DIGEST_SERVER_MAX + 1];
	bool deploy_pending, revoked;
	time_t not_before, not_after;
	char ari_id[DIGEST_ARI_ID_MAX + 1];  /* "": the certificate has no RFC 9773 id */
	bool have_ari;             /* ari.json held a usable state */
	bool ari_offered;
	time_t ari_start, ari_end, ari_renew_at, ari_next_check;
	/* per hook kind, the SHA-256 of the remembered command; "": none */
	char hooks[DIGEST_HOOK_KINDS][DIGEST_HOOK_HEX + 1];
	bool staging_issuer;       /* its issuer is a staging CA's (staging.h) */
	time_t last_attempt, issued; /* the record's, 0: none */
	bool last_error;           /* the record holds a last_error */
};

/* A digest read: its text and where each row starts in it, sorted by
 * name (rows are parsed again when asked for: 10,000 rows take one
 * allocation, not 10,000 structures). Owned; release with
 * store_digest_free. */
struct store_digest {
	char *text;        /* owned by store_digest_read's digest, else NULL */
	const char *base;  /* the text parsed */
	size_t len;
	size_t *starts;    /* n + 1 offsets: row k is [starts[k], starts[k + 1]) */
	size_t n;
};

/* Parses the len bytes of text (borrowed: it must outlive out). 0, or -1
 * with ERR_STORAGE saying what is wrong (out is then empty): the whole
 * digest is refused for any fault, never used in part. */
int store_digest_parse(const char *text, size_t len, struct store_digest *out);

/* Row k of d (k < d->n), which store_digest_parse accepted, into r. */
void store_digest_row(const struct store_digest *d, size_t k, struct digest_row *r);

/* Reads and parses STATE/renew-digest into out (store_lock_keys checked
 * it). Never fails: a digest that is missing, unreadable or refused by
 * store_digest_parse leaves out with no rows, and says why at -v. */
void store_digest_read(const char *state, struct store_digest *out);

/* The index of the row of certificate name, or -1. */
long store_digest_find(const struct store_digest *d, const char *name);

/* True when the row describes exactly the files keys describes:
 * issuance.json and cert.pem regular files, ari.json one or absent, each
 * with the same key. */
bool digest_row_matches(const struct digest_row *r, const struct store_cert_keys *keys);

/* Sets hex to the SHA-256 of command cmd as a row keeps it, or to ""
 * when cmd is NULL or "" (no hook). */
void digest_hook_hash(const char *cmd, char hex[DIGEST_HOOK_HEX + 1]);

/* True when laying the hooks given over the ones r says are remembered
 * changes none of them: a run given them would remember nothing new, so r
 * may stand for the certificate's files. given[k], per kind in the row's
 * order, is NULL when that kind was not given, else digest_hook_hash of
 * what was ("" to remove it). */
bool digest_row_hooks_match(const struct digest_row *r,
    const char *const given[DIGEST_HOOK_KINDS]);

/* The text of row r, '\n' included (caller frees), or NULL when r cannot be
 * written as one (a name or server with a space or control character,
 * issuance.json or cert.pem without a usable key): that certificate is
 * then read from its files every run. */
char *digest_row_format(const struct digest_row *r);

/* Writes the parts next(ctx) gives, one after the other, as
 * STATE/renew-digest (store_write_atomic_from, 0600). 0 or -1 with
 * ERR_STORAGE. */
int store_digest_write_from(const char *state, store_next_part next, void *ctx);

/* Releases what out holds; d may be all zero. */
void store_digest_free(struct store_digest *d);

#endif
