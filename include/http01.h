/* http01.h - answering http-01 challenges (RFC 8555 8.3): by writing files
 * under a webroot, or with a built-in responder thread (standalone). */
#ifndef ACMECTL_HTTP01_H
#define ACMECTL_HTTP01_H

struct http01;

/* Webroot mode: tokens become DIR/.well-known/acme-challenge/TOKEN (0644).
 * Creates the two directories if missing (0755) and checks DIR is writable
 * by creating and removing a probe file. Directories it created are removed
 * by http01_free when empty; existing ones are left alone. A .well-known or
 * acme-challenge that is a symlink is followed only when the link and the
 * directory it leads to belong to DIR's owner or root; token files are then
 * created (O_EXCL|O_NOFOLLOW) and removed through the directory opened
 * once, never by path.
 * Returns the solver (free with http01_free) or NULL with err set
 * (ERR_STORAGE when DIR is missing or unwritable, or such a symlink is
 * another user's). */
struct http01 *http01_webroot(const char *dir);

/* Standalone mode: a responder of acmectl's own.
 * Binds: addr ("PORT", ":PORT", "ADDR:PORT", "[V6]:PORT"; no ADDR means all
 * addresses: one dual-stack IPv6 socket, or IPv4 alone on a host without
 * IPv6), with SO_REUSEADDR, before it returns, so a port in use fails here,
 * before any order is placed.
 * Lifecycle: starts one responder thread at once (every signal blocked in
 * it: they stay the main thread's, whose handler cleans up) that runs until
 * http01_free(), which wakes it, joins it and closes the socket; the port
 * is free again when http01_free() returns.
 * Serves: only the paths of the tokens published and not withdrawn (it
 * reads them under a lock; http01_publish copies token and keyauth), 404
 * for any other path, 405 for other methods; at most 16 connections at
 * once (more wait in the backlog), each dropped after 4 KiB of request
 * head or 5 s. The thread never calls err_*.
 * Returns the solver (caller frees with http01_free) or NULL with err set
 * and nothing left listening: ERR_USAGE for a bad addr, ERR_NETWORK when
 * it cannot bind or start the thread. */
struct http01 *http01_standalone(const char *addr);

/* Publishes keyauth at /.well-known/acme-challenge/token; publishing a token
 * again replaces its keyauth. token must pass b64url_is_token and be at most
 * 128 characters (else ERR_ACME, nothing written). At most 128 tokens at once
 * (else ERR_USAGE). Webroot: a stale file of that name is replaced (ERR_STORAGE
 * when it cannot be). Returns 0 or -1 with err. */
int http01_publish(struct http01 *s, const char *token, const char *keyauth);

/* Removes every published token (files deleted, responder forgets them). */
void http01_withdraw_all(struct http01 *s);

/* Withdraws everything, stops the responder, frees. NULL is fine. */
void http01_free(struct http01 *s);

/* Async-signal-safe: unlinks the webroot files published so far. For the
 * SIGINT/SIGTERM handler, which then exits. */
void http01_emergency_cleanup(void);

#endif
