/* hooks.c - run the user's renewal hooks through /bin/sh with the paths of
 * the certificate in the environment, and keep them in the record. */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "hooks.h"
#include "util.h"

extern char **environ;

/* True when the "NAME=VALUE" entry var sets a variable named in add. */
static bool overridden(const char *var, char *const *add)
{
	size_t n = strcspn(var, "=");

	for (; add != NULL && *add != NULL; add++)
		if (strncmp(*add, var, n) == 0 && (*add)[n] == '=')
			return true;
	return false;
}

/* environ without the variables add sets, then add. The array is new
 * (caller free()s it); the strings are borrowed. */
static char **build_env(char *const *add)
{
	size_t n = 0, k = 0;
	char **env;

	for (char **e = environ; e != NULL && *e != NULL; e++)
		n++;
	for (char *const *a = add; a != NULL && *a != NULL; a++)
		n++;
	env = xcalloc(n + 1, sizeof(*env));
	for (char **e = environ; e != NULL && *e != NULL; e++)
		if (!overridden(*e, add))
			env[k++] = *e;
	for (char *const *a = add; a != NULL && *a != NULL; a++)
		env[k++] = *a;
	return env;
}

int hook_run(const char *what, const char *cmd, char *const *env_add)
{
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all_default;
	char **env = build_env(env_add);
	pid_t pid = -1;
	int status, e, rc = -1;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	/* a hook is a shell command like any other: nothing blocked, and
	 * SIGPIPE at its default even if it was ignored when we started */
	sigemptyset(&none);
	sigemptyset(&all_default);
	sigaddset(&all_default, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all_default);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
	e = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, env);
	if (e != 0) {
		err_set(ERR_USAGE, "%s `%s`: cannot start /bin/sh: %s", what, cmd, strerror(e));
		goto out;
	}
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			err_set(ERR_USAGE, "%s `%s`: waitpid: %s", what, cmd, strerror(errno));
			goto out;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		rc = 0;
	else if (WIFEXITED(status))
		err_set(ERR_USAGE, "%s `%s` failed with exit status %d", what, cmd,
		    WEXITSTATUS(status));
	else
		err_set(ERR_USAGE, "%s `%s` was killed by signal %d", what, cmd,
		    WTERMSIG(status));
out:
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	return rc;
}

char **hook_deploy_env(const char *name, const char *cert_dir, bool with_privkey)
{
	char **env = xcalloc(7, sizeof(*env));
	size_t k = 0;

	env[k++] = xasprintf("ACMECTL_NAME=%s", name);
	env[k++] = xasprintf("ACMECTL_CERT_DIR=%s", cert_dir);
	env[k++] = xasprintf("ACMECTL_CERT=%s/cert.pem", cert_dir);
	env[k++] = xasprintf("ACMECTL_CHAIN=%s/chain.pem", cert_dir);
	env[k++] = xasprintf("ACMECTL_FULLCHAIN=%s/fullchain.pem", cert_dir);
	if (with_privkey)
		env[k++] = xasprintf("ACMECTL_PRIVKEY=%s/privkey.pem", cert_dir);
	return env;
}

/* Lays one given hook over merged: a command replaces, "" removes. */
static void lay_over(json_t *merged, const char *kind, const char *given)
{
	if (given == NULL)
		return;
	if (given[0] == '\0')
		json_object_del(merged, kind);
	else
		json_object_set_new(merged, kind, json_string(given));
}

json_t *hooks_merge(json_t *stored, const char *deploy, const char *pre, const char *post)
{
	static const char *const kinds[] = { "deploy", "pre", "post" };
	json_t *merged = json_object();
	const char *cmd;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if ((cmd = hooks_get(stored, kinds[i])) != NULL && cmd[0] != '\0')
			json_object_set_new(merged, kinds[i], json_string(cmd));
	lay_over(merged, "deploy", deploy);
	lay_over(merged, "pre", pre);
	lay_over(merged, "post", post);
	return merged;
}

const char *hooks_get(json_t *hooks, const char *kind)
{
	return json_string_value(json_object_get(hooks, kind));
}
