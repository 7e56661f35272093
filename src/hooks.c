/* hooks.c - run the user's programs (renewal hooks through /bin/sh with
 * the paths of the certificate in the environment, the dns-01 hook) each in
 * its own process group under the hook timeout, and keep the renewal hooks
 * in the record. */
#include "config.h"

#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "fileio.h"
#include "hooks.h"
#include "store.h"
#include "util.h"

/* after SIGTERM, how long a timed-out hook's group has before SIGKILL */
#define KILL_GRACE_DEFAULT_MS 5000
/* after SIGKILL, how long to wait for the group to be gone */
#define GONE_WAIT_MS 1000
#define POLL_STEP_MS 50
/* a program run from the fatal signal handler: how long it may take at
 * most, and the grace between SIGTERM and SIGKILL then (the user waits) */
#define EMERGENCY_BOUND_MS 5000
#define EMERGENCY_GRACE_MS 1000

#ifdef HAVE__FORK
#define HOOK_FORK _Fork
#else
#define HOOK_FORK fork
#endif

extern char **environ;

static long timeout_ms = HOOK_TIMEOUT_DEFAULT_S * 1000L;
static long grace_ms = KILL_GRACE_DEFAULT_MS;
/* mono_ms() when the issuance's --deadline ends (0: none set) */
static long long deadline_ms;
/* the process group of the hook running now (0: none), for
 * hook_signal_running() in a signal handler */
static volatile sig_atomic_t running_group;

static void nap_ms(long long ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

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

/* Waits until child pid ends, watched through pidfd (or, when that is -1,
 * polled), until deadline (mono_ms(); -1: none). Returns 1 once it is
 * reaped (*status set), 0 at the deadline, -1 when waitpid fails (errno). */
static int reap_by(pid_t pid, int pidfd, long long deadline, int *status)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	long long left;
	pid_t got;

	for (;;) {
		/* checked before every sleep, so an exit is never missed */
		if ((got = waitpid(pid, status, WNOHANG)) == pid)
			return 1;
		if (got == -1 && errno != EINTR)
			return -1;
		left = deadline < 0 ? -1 : deadline - mono_ms();
		if (deadline >= 0 && left <= 0)
			return 0;
		if (pidfd != -1)
			poll(&pfd, 1, left < 0 || left > INT_MAX ? -1 : (int)left);
		else
			nap_ms(left < 0 || left > POLL_STEP_MS ? POLL_STEP_MS : left);
	}
}

/* Ends the process group of hook pid, which outlived its time: SIGTERM to
 * all of it (with SIGCONT, so a stopped member sees it), SIGKILL to what
 * is left after grace_ms, and waits up to GONE_WAIT_MS more for it to
 * be gone. Meanwhile acmectl is the subreaper of the members orphaned when
 * their parent dies, so it reaps them with pid: no zombie stays behind. */
static void stop_group(pid_t pid)
{
	long long deadline = mono_ms() + grace_ms;
	int was_subreaper = 0, status;
	bool killed = false;

	prctl(PR_GET_CHILD_SUBREAPER, &was_subreaper);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	kill(-pid, SIGTERM);
	kill(-pid, SIGCONT);
	for (;;) {
		while (waitpid(-pid, &status, WNOHANG) > 0)
			;
		if (kill(-pid, 0) == -1 && errno == ESRCH)
			break;
		if (mono_ms() >= deadline) {
			/* bounded even then: a process stuck in the kernel
			 * must not hang the renewal after all */
			if (killed)
				break;
			kill(-pid, SIGKILL);
			killed = true;
			deadline = mono_ms() + GONE_WAIT_MS;
		}
		nap_ms(POLL_STEP_MS);
	}
	prctl(PR_SET_CHILD_SUBREAPER, was_subreaper);
}

void hook_set_timeout(long seconds)
{
	timeout_ms = seconds * 1000;
}

void hook_set_limits_ms(long timeout, long grace)
{
	timeout_ms = timeout;
	grace_ms = grace;
}

void hook_set_deadline(long long mono_deadline_ms)
{
	deadline_ms = mono_deadline_ms;
}

long long hook_deadline(void)
{
	return deadline_ms;
}

char *hook_program_path(const char *prog)
{
	const char *path = getenv("PATH"), *dir, *end;
	struct stat st;
	char *file;

	if (strchr(prog, '/') != NULL)
		return xstrdup(prog);
	for (dir = path != NULL ? path : "/bin:/usr/bin"; ; dir = end + 1) {
		end = strchrnul(dir, ':');
		file = xasprintf("%.*s%s%s", (int)(end - dir), dir, end > dir ? "/" : "", prog);
		if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && access(file, X_OK) == 0)
			return file;
		free(file);
		if (*end == '\0')
			return NULL;
	}
}

int hook_check_program(const char *prog)
{
	char *path = hook_program_path(prog);
	int rc = path != NULL ? file_check_trusted_path(path) : 0;

	free(path);
	return rc;
}

int hook_check_command(const char *cmd)
{
	size_t skip = strspn(cmd, " \t\n"), len = strcspn(cmd + skip, " \t\n");
	char *word = xstrndup(cmd + skip, len);
	int rc = 0;

	/* only a plain word names a file: quoting, expansions, redirections
	 * and assignments are the shell's to read */
	if (len > 0 && strpbrk(word, "'\"\\$`;&|<>(){}*?[]=~#") == NULL)
		rc = hook_check_program(word);
	free(word);
	return rc;
}

void hook_signal_running(int sig)
{
	pid_t group = running_group;

	if (group > 0) {
		kill(-group, sig);
		kill(-group, SIGCONT);
	}
}

/* Async-signal-safe mono_ms(). */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Async-signal-safe: waits up to bound_ms for child pid to end; if it does
 * not, SIGTERM to its group, SIGKILL after EMERGENCY_GRACE_MS, and a last
 * wait of GONE_WAIT_MS. Polls (waitpid WNOHANG, nanosleep): no pidfd, no
 * allocation. */
static void end_child_by(pid_t pid, long bound_ms)
{
	long long deadline = now_ms() + bound_ms;
	int stage = 0, status;

	for (;;) {
		if (waitpid(pid, &status, WNOHANG) != 0)
			return;
		if (now_ms() >= deadline) {
			if (stage == 2)
				return;
			kill(-pid, stage == 0 ? SIGTERM : SIGKILL);
			kill(-pid, SIGCONT);
			deadline = now_ms() + (stage == 0 ? EMERGENCY_GRACE_MS : GONE_WAIT_MS);
			stage++;
		}
		nap_ms(POLL_STEP_MS);
	}
}

long hook_emergency_bound_ms(void)
{
	return timeout_ms > 0 && timeout_ms < EMERGENCY_BOUND_MS ? timeout_ms :
	    EMERGENCY_BOUND_MS;
}

void hook_finish_running(long bound_ms)
{
	pid_t group = running_group;

	if (group > 0)
		end_child_by(group, bound_ms);
}

void hook_exec_emergency(char *const *sh_argv, long bound_ms)
{
	static const int reset[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	struct sigaction dfl;
	sigset_t none;
	pid_t pid;
	int fd;

	/* _Fork: fork(3) runs atfork handlers, which may take locks the
	 * interrupted code holds */
	if ((pid = HOOK_FORK()) == -1)
		return;
	if (pid == 0) {
		setpgid(0, 0);
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		for (size_t i = 0; i < nitems(reset); i++)
			sigaction(reset[i], &dfl, NULL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if ((fd = open("/dev/null", O_RDONLY)) != -1 && fd != STDIN_FILENO) {
			dup2(fd, STDIN_FILENO);
			close(fd);
		}
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execve(sh_argv[1], sh_argv + 1, environ);
		/* a script without "#!": the shell runs it, as hook_exec does */
		if (errno == ENOEXEC)
			execve("/bin/sh", sh_argv, environ);
		_exit(127);
	}
	/* also here, so the group exists before it may have to be killed */
	setpgid(pid, pid);
	end_child_by(pid, bound_ms);
}

int hook_exec(const char *what, const char *shown, const char *prog, char *const *argv,
    char *const *env_add, char **why)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all_default;
	char **env = build_env(env_add), *printable = str_printable(shown), **sh_argv = NULL;
	long long left = deadline_ms > 0 ? deadline_ms - mono_ms() : 0;
	/* whichever ends first: --hook-timeout or what is left of --deadline */
	bool by_deadline = deadline_ms > 0 && (timeout_ms == 0 || left < timeout_ms);
	long limit = by_deadline ? (left > 1 ? (long)left : 1) : timeout_ms;
	pid_t pid = -1;
	int status = 0, pidfd = -1, e, rc = -1;

	*why = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	/* a hook is a program like any other: nothing blocked, and SIGPIPE
	 * at its default even if it was ignored when we started */
	sigemptyset(&none);
	sigemptyset(&all_default);
	sigaddset(&all_default, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all_default);
	/* a group of its own, so a timeout ends its children too */
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETPGROUP);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
	e = posix_spawnp(&pid, prog, &fa, &attr, argv, env);
	if (e == ENOEXEC && strchr(prog, '/') != NULL) {
		/* a script without "#!": the shell runs it, as execvp(3) would */
		sh_argv = xcalloc(strv_len(argv) + 2, sizeof(*sh_argv));
		sh_argv[0] = "sh";
		sh_argv[1] = (char *)prog;
		for (size_t i = 1; argv[i] != NULL; i++)
			sh_argv[i + 1] = argv[i];
		e = posix_spawn(&pid, "/bin/sh", &fa, &attr, sh_argv, env);
	}
	if (e != 0) {
		*why = xasprintf("%s %s: cannot start %s: %s", what, printable, prog, strerror(e));
		goto out;
	}
	running_group = pid;
	/* without a pidfd (Linux before 5.3, a seccomp filter) reap_by polls */
	pidfd = pidfd_open(pid, 0);
	switch (reap_by(pid, pidfd, limit > 0 ? mono_ms() + limit : -1, &status)) {
	case 0:
		stop_group(pid);
		if (by_deadline)
			*why = xasprintf("%s stopped after %ld ms, when --deadline ran out: %s",
			    what, limit, printable);
		else if (limit % 1000 == 0)
			*why = xasprintf("%s timed out after %ld s: %s", what, limit / 1000, printable);
		else
			*why = xasprintf("%s timed out after %ld ms: %s", what, limit, printable);
		goto out;
	case -1:
		*why = xasprintf("%s %s: waitpid: %s", what, printable, strerror(errno));
		goto out;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		rc = 0;
	else if (WIFEXITED(status))
		*why = xasprintf("%s %s failed with exit status %d", what, printable,
		    WEXITSTATUS(status));
	else
		*why = xasprintf("%s %s was killed by signal %d", what, printable,
		    WTERMSIG(status));
out:
	running_group = 0;
	if (pidfd != -1)
		close(pidfd);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	free(sh_argv);
	free(printable);
	free(env);
	return rc;
}

int hook_run(const char *what, const char *cmd, char *const *env_add)
{
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	char *shown = xasprintf("`%s`", cmd), *why = NULL;
	int rc;

	if ((rc = hook_check_command(cmd)) != 0)
		err_prefix("%s", what);
	else if ((rc = hook_exec(what, shown, "/bin/sh", argv, env_add, &why)) != 0)
		err_set(ERR_ACME, "%s", why);
	free(why);
	free(shown);
	return rc;
}

char **hook_deploy_env(const char *name, const char *cert_dir, bool with_privkey)
{
	char **env = xcalloc(7, sizeof(*env));
	size_t k = 0;

	env[k++] = xasprintf("ACMECTL_NAME=%s", name);
	env[k++] = xasprintf("ACMECTL_CERT_DIR=%s", cert_dir);
	env[k++] = xasprintf("ACMECTL_CERT=%s/" STORE_CERT, cert_dir);
	env[k++] = xasprintf("ACMECTL_CHAIN=%s/" STORE_CHAIN, cert_dir);
	env[k++] = xasprintf("ACMECTL_FULLCHAIN=%s/" STORE_FULLCHAIN, cert_dir);
	if (with_privkey)
		env[k++] = xasprintf("ACMECTL_PRIVKEY=%s/" STORE_PRIVKEY, cert_dir);
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

	for (size_t i = 0; i < nitems(kinds); i++)
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
