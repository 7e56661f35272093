/* hooks.h - the user's renewal hooks: --deploy-hook, --pre-hook and
 * --post-hook commands, run with /bin/sh -c like certbot's, and remembered
 * per certificate in the "hooks" object of its issuance record
 * ({"deploy": CMD, "pre": CMD, "post": CMD}). Names and paths reach a hook
 * only through its environment, never through the command string. Every
 * program acmectl runs for the user (these and the dns-01 hook) runs
 * through hook_exec(), bounded by --hook-timeout. */
#ifndef ACMECTL_HOOKS_H
#define ACMECTL_HOOKS_H

#include <stdbool.h>

#include <jansson.h>

/* The default of --hook-timeout, in seconds. */
#define HOOK_TIMEOUT_DEFAULT_S 300

/* Sets how long any hook may run, in seconds (0: no limit); main sets it
 * once from --hook-timeout. Until then HOOK_TIMEOUT_DEFAULT_S. */
void hook_set_timeout(long seconds);

/* The same limit in milliseconds (0: none), and the grace a timed-out
 * hook's group has between SIGTERM and SIGKILL (5000 until set): for the
 * unit tests, which watch every way a hook ends in well under a second.
 * A limit that is not whole seconds is shown in milliseconds. */
void hook_set_limits_ms(long timeout, long grace);

/* Runs cmd as `/bin/sh -c cmd` through hook_exec() and waits for it. what
 * names the hook in errors ("deploy hook"). Returns 0 when it exits with
 * status 0; else -1 with ERR_ACME saying how it ended (exit status,
 * signal or timeout, e.g. "deploy hook timed out after 300 s: `CMD`"), or
 * why it could not be started: a hook that failed is a renewal that
 * failed; or, without running it, -1 with ERR_STORAGE when
 * hook_check_command refuses its program: the host needs fixing. */
int hook_run(const char *what, const char *cmd, char *const *env_add);

/* Runs prog (a path, or a name looked up in PATH) with argv, no shell, and
 * waits for it. It runs in a process group of its own, with standard input
 * /dev/null, standard output to acmectl's standard error (so --json output
 * stays clean), no signal blocked and SIGPIPE at its default; env_add
 * (NULL-terminated "NAME=VALUE" entries, or NULL) is added to acmectl's
 * environment, replacing variables of the same name. When it outlives the
 * hook timeout (or the deadline of hook_set_deadline, when that comes
 * first), its whole process group gets SIGTERM, then SIGKILL after
 * the grace (5 s), and is reaped. Returns 0 when it exits with status 0; else -1 with
 * one line in *why (caller frees) made of what ("dns hook") and shown (the
 * command as messages show it, made printable): "WHAT SHOWN failed with
 * exit status N", "... was killed by signal N", "WHAT timed out after N s:
 * SHOWN" or "WHAT SHOWN: cannot start PROG: REASON". Records nothing in
 * err, so a caller cleaning up after a failure keeps the failure's
 * message. */
int hook_exec(const char *what, const char *shown, const char *prog, char *const *argv,
    char *const *env_add, char **why);

/* Bounds every hook started from now on also by mono_deadline_ms (a
 * mono_ms() time; 0: no longer), the end of --deadline: a hook is stopped
 * at whichever comes first, the hook timeout or that time, and a hook
 * stopped at the deadline is reported as "WHAT stopped after N ms, when
 * --deadline ran out: SHOWN". issue.c sets it around an issuance. */
void hook_set_deadline(long long mono_deadline_ms);

/* The deadline hook_set_deadline() set last (0: none). */
long long hook_deadline(void);

/* Refuses to run prog (a path, or a name looked up in PATH as
 * posix_spawnp does) unless the file and every directory above it may be
 * trusted (file_check_trusted_path: the running user's or root's, not
 * writable by group or others): a root renewal must never run what
 * another user could have planted or replaced. 0, or -1 with ERR_STORAGE
 * naming the path, its owner and mode. A name not found is not refused
 * here: starting it fails. */
int hook_check_program(const char *prog);

/* hook_check_program for the program a shell command runs: its first
 * word, when that is a plain word (no quoting, expansion, redirection or
 * assignment, which only the shell can read). 0 or -1 as it. */
int hook_check_command(const char *cmd);

/* Passes sig on to the process group of the hook running now, if any (and
 * SIGCONT, so a stopped one sees it). Async-signal-safe: for main's fatal
 * signal handler, as a hook in its own process group no longer gets the
 * terminal's signals with acmectl's. */
void hook_signal_running(int sig);

/* The file a program name runs, as posix_spawnp looks it up: prog itself
 * when it holds a '/', else the first executable regular file of that
 * name in PATH. Caller frees; NULL when there is none. */
char *hook_program_path(const char *prog);

/* How long a program run from the fatal signal handler may take: 5 s, or
 * the hook timeout when that is shorter. */
long hook_emergency_bound_ms(void);

/* Async-signal-safe, for the fatal signal handler after
 * hook_signal_running(): waits up to bound_ms for the hook running now (if
 * any) to end, then SIGTERM to its group, SIGKILL a second later, and
 * reaps it. So nothing it was doing can land after what the handler does
 * next. */
void hook_finish_running(long bound_ms);

/* Async-signal-safe, for the fatal signal handler: runs sh_argv[1] (a
 * path) with argv sh_argv + 1 and acmectl's environment as hook_exec()
 * would (own process group, standard input /dev/null, standard output to
 * standard error, no signal blocked, default dispositions), or, for a
 * script without "#!", /bin/sh with sh_argv (sh_argv[0] "sh"). Waits up
 * to bound_ms, then SIGTERM to its group, SIGKILL a second later. Reports
 * nothing: the handler has no one to tell. sh_argv is borrowed. */
void hook_exec_emergency(char *const *sh_argv, long bound_ms);

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
