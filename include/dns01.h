/* dns01.h - answering dns-01 challenges (RFC 8555 8.4) through a hook
 * program: `PROG add RECORD VALUE` and `PROG remove RECORD VALUE`, run with
 * argv only (no shell), RECORD being "_acme-challenge.NAME" without a
 * trailing dot and VALUE the TXT record's content. */
#ifndef ACMECTL_DNS01_H
#define ACMECTL_DNS01_H

struct dns01;

/* A solver that runs hook (borrowed; path or name looked up in PATH) and,
 * after adding records, waits up to wait_s seconds for them to be served
 * (0: not at all). Never NULL. */
struct dns01 *dns01_new(const char *hook, long wait_s);

/* The TXT value for a key authorization: base64url(SHA-256(keyauth)).
 * Caller frees; NULL with err set. */
char *dns01_txt_value(const char *keyauth);

/* Runs `hook add _acme-challenge.NAME VALUE` for identifier name (a
 * wildcard's base name, as the authorization carries it) through
 * hook_exec() (hooks.h: own process group, bounded by the hook timeout).
 * Returns 0, or -1 with ERR_USAGE naming the hook and how it ended (exit
 * status, signal or timeout). A record whose add ran is removed by
 * dns01_withdraw_all() also when the add failed or timed out: it may have
 * added the record before it ended. */
int dns01_publish(struct dns01 *d, const char *name, const char *keyauth);

/* The same at record (a name without the trailing dot, such as the end of
 * _acme-challenge.NAME's CNAME chain): `hook add RECORD VALUE`. */
int dns01_publish_at(struct dns01 *d, const char *record, const char *keyauth);

/* When anything was published since the last call: waits until every
 * authoritative nameserver serves the records, at most the configured wait
 * or what is left of --deadline (left_ms), whichever ends first
 * (dnsprop.h); when that runs out, or the nameservers cannot be found,
 * warns and returns 0 all the same, so the CA's own look-up decides.
 * -1 with ERR_NETWORK when nothing at all is left of --deadline. */
int dns01_wait(struct dns01 *d, long long left_ms);

/* Runs `hook remove ...` once for every record whose add ran, also one
 * that failed (failures are logged as warnings, not fatal, and leave err
 * as it was) and forgets them. Each remove is bounded by the hook timeout
 * only, never by what is left of --deadline (hook_set_deadline), which is
 * restored afterwards. */
void dns01_withdraw_all(struct dns01 *d);

/* Withdraws everything and frees. NULL is fine. */
void dns01_free(struct dns01 *d);

/* Async-signal-safe, for main's fatal signal handler, which then exits:
 * lets the hook running now end (hook_finish_running), then runs `PROG
 * remove RECORD VALUE` for every record of every solver that was added,
 * or whose add had started, and was not removed yet, one after another,
 * each bounded by hook_emergency_bound_ms(). Everything it runs was built
 * when the record was published, after the hook's trust check. */
void dns01_emergency_cleanup(void);

#endif
