/* hooks.h - the user's renewal hooks: --deploy-hook, --pre-hook and
 * --post-hook commands, run with /bin/sh -c like certbot's, and remembered
 * per certificate in the "hooks" object of its issuance record
 * ({"deploy": CMD, "pre": CMD, "post": CMD}). Names and paths reach a hook
 * only through its environment, never through the command string. */
#ifndef ACMECTL_HOOKS_H
#define ACMECTL_HOOKS_H

#include <stdbool.h>

#include <jansson.h>

/* Runs cmd as `/bin/sh -c cmd` and waits for it. Its standard input is
 * /dev/null and its standard output goes to acmectl's standard error (so
 * --json output stays clean); env_add (NULL-terminated "NAME=VALUE"
 * entries, or NULL) is added to acmectl's environment, replacing variables
 * of the same name. what names the hook in errors ("deploy hook").
 * Returns 0 when it exits with status 0; else -1 with ERR_USAGE saying how it
 * ended (exit status or signal), or why it could not be started. */
int hook_run(const char *what, const char *cmd, char *const *env_add);

/* The environment of the deploy hook of certificate name kept in cert_dir
 * (STATE/certs/NAME): ACMECTL_NAME, ACMECTL_CERT_DIR, and ACMECTL_CERT,
 * ACMECTL_CHAIN, ACMECTL_FULLCHAIN, ACMECTL_PRIVKEY, the paths of the four
 * files in it (ACMECTL_PRIVKEY only when with_privkey: a certificate issued
 * for the user's own CSR has none). NULL-terminated; caller strv_free()s. */
char **hook_deploy_env(const char *name, const char *cert_dir, bool with_privkey);

/* The hooks object of a record (stored: its "hooks" member, or NULL) with
 * the hooks given on the command line laid over it: a given command
 * replaces the stored one, an empty string removes it, NULL keeps it.
 * Only the non-empty string members deploy, pre and post of stored are
 * kept. Returns a new object (possibly empty; caller json_decref()s). */
json_t *hooks_merge(json_t *stored, const char *deploy, const char *pre, const char *post);

/* The command of kind ("deploy", "pre" or "post") in a hooks object, or
 * NULL. Borrowed from hooks. */
const char *hooks_get(json_t *hooks, const char *kind);

#endif
