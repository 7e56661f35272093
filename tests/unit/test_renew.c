/* test_renew.c - the local pieces of `acmectl renew`: hooks run through
 * /bin/sh (exit status, signals, environment, standard streams, the hook
 * timeout and what it ends), programs run without a shell, the
 * deploy hook's environment, hooks laid over the remembered ones, and the
 * state directory's lock (held, waited for, released by a killed holder,
 * never inherited). Runs in a mkdtemp dir. */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "err.h"
#include "hooks.h"
#include "store.h"
#include "util.h"
#include "test.h"

static char base[] = "/tmp/test_renew.XXXXXX";

static void test_hook_run(void)
{
	static char *const env_override[] = { "TEST_RENEW_VAR=new", NULL };
	/* a name that would create ./pwned if it were run as shell text */
	static char *const env_name[] = { "ACMECTL_NAME=a b;$(touch pwned)", NULL };
	static const struct {
		const char *cmd;
		char *const *env;
		int ret;
		const char *msg;   /* in the error, NULL when it succeeds */
	} rows[] = {
		{ "true", NULL, 0, NULL },
		{ "exit 0", NULL, 0, NULL },
		{ "exit 3", NULL, -1, "test hook `exit 3` failed with exit status 3" },
		{ "false", NULL, -1, "failed with exit status 1" },
		{ "kill -9 $$", NULL, -1, "was killed by signal 9" },
		{ "no-such-command-anywhere", NULL, -1, "failed with exit status 127" },
		/* the name arrives verbatim, never run as shell text */
		{ "test \"$ACMECTL_NAME\" = 'a b;$(touch pwned)'", env_name, 0, NULL },
		{ "test -n \"$PATH\"", NULL, 0, NULL },
		/* a variable given replaces the inherited one */
		{ "test \"$TEST_RENEW_VAR\" = new", env_override, 0, NULL },
		{ "test \"$TEST_RENEW_VAR\" = old", NULL, 0, NULL },
		/* standard input is /dev/null */
		{ "test -z \"$(cat)\"", NULL, 0, NULL },
		{ "test \"$(readlink /proc/self/fd/0)\" = /dev/null || "
		  "test \"$(readlink /proc/$$/fd/0)\" = /dev/null", NULL, 0, NULL },
	};

	setenv("TEST_RENEW_VAR", "old", 1);
	for (size_t i = 0; i < nitems(rows); i++) {
		err_clear();
		CHECK_INT(hook_run("test hook", rows[i].cmd, rows[i].env), rows[i].ret, rows[i].cmd);
		if (rows[i].msg != NULL) {
			CHECK_INT(err_kind(), ERR_ACME, rows[i].cmd);
			CHECK(strstr(err_message(), rows[i].msg) != NULL, "%s: message %s",
			    rows[i].cmd, err_message());
		} else {
			CHECK_INT(err_kind(), ERR_NONE, rows[i].cmd);
		}
	}
	err_clear();
	CHECK(access("pwned", F_OK) == -1, "the name was not run as a command");
	unsetenv("TEST_RENEW_VAR");
}

/* A hook's standard output goes to acmectl's standard error. */
static void test_hook_streams(void)
{
	char *out_path = xasprintf("%s/out", base), *err_path = xasprintf("%s/err", base);
	int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
	int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int errfd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	char *got_out, *got_err;
	int rc;

	fflush(stdout);
	fflush(stderr);
	dup2(out, STDOUT_FILENO);
	dup2(errfd, STDERR_FILENO);
	rc = hook_run("test hook", "echo to-stdout; echo to-stderr >&2", NULL);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(out);
	close(errfd);
	close(saved_out);
	close(saved_err);
	CHECK_INT(rc, 0, "streams hook");
	got_out = store_read_file(out_path, NULL);
	got_err = store_read_file(err_path, NULL);
	CHECK_STR(got_out, "", "nothing on standard output");
	CHECK_STR(got_err, "to-stdout\nto-stderr\n", "both lines on standard error");
	free(got_out);
	free(got_err);
	free(out_path);
	free(err_path);
}

/* The pid a hook wrote to ./child, or -1; removes the file. */
static pid_t child_pid(void)
{
	char *text = store_read_file("child", NULL);
	pid_t pid = text != NULL ? (pid_t)strtol(text, NULL, 10) : -1;

	free(text);
	unlink("child");
	return pid > 0 ? pid : -1;
}

/* Hooks under the hook timeout: one that (with what it started) outlives
 * it is ended and reaped, at once when SIGTERM ends it, after the grace
 * when it ignores SIGTERM; one that ends in time is untouched, and so is
 * what it left running. A hook writes the pid of its background child to
 * ./child; a child that cleans up on SIGTERM writes ./cleaned. Limits are
 * 300 ms with a 300 ms grace, so each way of ending is seen within a
 * second (tests/integration/hook-timeout.sh runs whole seconds); shorter
 * would race the shell starting its children on a loaded machine. */
static void test_hook_timeout(void)
{
	static const struct {
		long timeout;           /* ms */
		const char *cmd;
		int ret;
		const char *msg;        /* the whole error, NULL when it succeeds */
		long long min_ms, max_ms;
		bool child_lives;       /* ./child's process still runs afterwards */
		bool cleaned;           /* ./cleaned was written */
	} rows[] = {
		{ 300, "sleep 1000", -1, "test hook timed out after 300 ms: `sleep 1000`",
		  300, 2000, false, false },
		/* the whole process group ends, and its orphans are reaped */
		{ 300, "sleep 1000 & echo $! >child; wait", -1,
		  "test hook timed out after 300 ms: `sleep 1000 & echo $! >child; wait`",
		  300, 2000, false, false },
		{ 1000, "(sleep 1000; true) & echo $! >child; exit 0", 0, NULL,
		  0, 1000, true, false },
		/* a stopped hook gets SIGCONT with its SIGTERM */
		{ 300, "sleep 1000 & echo $! >child; kill -STOP $$", -1,
		  "test hook timed out after 300 ms: `sleep 1000 & echo $! >child; kill -STOP $$`",
		  300, 2000, false, false },
		/* the group has the grace to clean up after its shell is gone */
		{ 300, "(trap 'sleep 0.1; echo >cleaned; exit 0' TERM; sleep 1000 & wait) & "
		  "echo $! >child; wait", -1, NULL, 400, 2000, false, true },
		/* SIGTERM ignored by the whole group: SIGKILL after the grace */
		{ 300, "trap '' TERM; sleep 1000 & echo $! >child; wait", -1,
		  "test hook timed out after 300 ms: `trap '' TERM; sleep 1000 & echo $! >child; wait`",
		  600, 2500, false, false },
		/* the message stays one line */
		{ 300, "sleep 1000\n", -1, "test hook timed out after 300 ms: `sleep 1000\\x0a`",
		  300, 2000, false, false },
		/* in time */
		{ 1000, "true", 0, NULL, 0, 1000, false, false },
		{ 1000, "exit 4", -1, "test hook `exit 4` failed with exit status 4",
		  0, 1000, false, false },
		/* 0: no limit */
		{ 0, "sleep 0.3", 0, NULL, 300, 2000, false, false },
	};

	for (size_t i = 0; i < nitems(rows); i++) {
		long long t0, took;
		pid_t child;
		int rc;

		unlink("cleaned");
		err_clear();
		hook_set_limits_ms(rows[i].timeout, 300);
		t0 = mono_ms();
		rc = hook_run("test hook", rows[i].cmd, NULL);
		took = mono_ms() - t0;
		CHECK_INT(rc, rows[i].ret, rows[i].cmd);
		CHECK_INT(err_kind(), rows[i].ret == 0 ? ERR_NONE : ERR_ACME, rows[i].cmd);
		if (rows[i].ret != 0)
			CHECK(strchr(err_message(), '\n') == NULL, "[%s] one line", rows[i].cmd);
		if (rows[i].msg != NULL)
			CHECK_STR(err_message(), rows[i].msg, rows[i].cmd);
		CHECK(took >= rows[i].min_ms && took <= rows[i].max_ms,
		    "[%s] took %lld ms, want %lld-%lld", rows[i].cmd, took,
		    rows[i].min_ms, rows[i].max_ms);
		if ((child = child_pid()) != -1) {
			/* gone means reaped too: kill() finds zombies */
			CHECK_INT(kill(child, 0) == 0, rows[i].child_lives, rows[i].cmd);
			if (rows[i].child_lives)
				kill(-getpgid(child), SIGKILL);
		} else {
			CHECK(!rows[i].child_lives, "[%s] no ./child", rows[i].cmd);
		}
		CHECK_INT(access("cleaned", F_OK) == 0, rows[i].cleaned, rows[i].cmd);
	}
	err_clear();
	unlink("cleaned");
	hook_set_limits_ms(HOOK_TIMEOUT_DEFAULT_S * 1000L, 5000);
}

/* hook_exec: a program without a shell; the outcome in *why, nothing
 * recorded in err. */
static void test_hook_exec(void)
{
	static char *const argv_hang[] = { "sleep", "1000", NULL };
	static char *const argv_fail[] = { "sh", "-c", "exit 5", NULL };
	static char *const argv_ok[] = { "true", NULL };
	static char *const argv_none[] = { "no-such-program-anywhere", "add", NULL };
	static char *const argv_script_ok[] = { "./script-ok", "add", "x", NULL };
	static char *const argv_script_fail[] = { "./script-fail", "add", "x", NULL };
	static const struct {
		const char *prog;
		char *const *argv;
		int ret;
		const char *why;   /* NULL when it succeeds */
	} rows[] = {
		{ "sleep", argv_hang, -1,
		  "dns hook timed out after 300 ms: sleep add _acme-challenge.a.example" },
		{ "sh", argv_fail, -1,
		  "dns hook sh add _acme-challenge.a.example failed with exit status 5" },
		{ "true", argv_ok, 0, NULL },
		{ "no-such-program-anywhere", argv_none, -1,
		  "dns hook no-such-program-anywhere add _acme-challenge.a.example: cannot start "
		  "no-such-program-anywhere: No such file or directory" },
		/* scripts without "#!" run with the shell, arguments kept */
		{ "./script-ok", argv_script_ok, 0, NULL },
		{ "./script-fail", argv_script_fail, -1,
		  "dns hook ./script-fail add _acme-challenge.a.example failed with exit status 7" },
	};
	FILE *f;

	if ((f = fopen("script-ok", "w")) != NULL) {
		fputs("[ \"$1 $2\" = \"add x\" ]\n", f);
		fclose(f);
	}
	if ((f = fopen("script-fail", "w")) != NULL) {
		fputs("exit 7\n", f);
		fclose(f);
	}
	chmod("script-ok", 0755);
	chmod("script-fail", 0755);
	hook_set_limits_ms(300, 300);
	for (size_t i = 0; i < nitems(rows); i++) {
		char *shown = xasprintf("%s add _acme-challenge.a.example", rows[i].prog), *why;

		err_clear();
		CHECK_INT(hook_exec("dns hook", shown, rows[i].prog, rows[i].argv, NULL, &why),
		    rows[i].ret, rows[i].prog);
		CHECK_INT(err_kind(), ERR_NONE, rows[i].prog);
		CHECK_STR(why, rows[i].why, rows[i].prog);
		free(why);
		free(shown);
	}
	unlink("script-ok");
	unlink("script-fail");
	hook_set_limits_ms(HOOK_TIMEOUT_DEFAULT_S * 1000L, 5000);
}

static void test_deploy_env(void)
{
	static const struct {
		bool privkey;
		const char *want[7];
	} rows[] = {
		{ true, { "ACMECTL_NAME=www", "ACMECTL_CERT_DIR=/s/certs/www",
		  "ACMECTL_CERT=/s/certs/www/cert.pem", "ACMECTL_CHAIN=/s/certs/www/chain.pem",
		  "ACMECTL_FULLCHAIN=/s/certs/www/fullchain.pem",
		  "ACMECTL_PRIVKEY=/s/certs/www/privkey.pem", NULL } },
		{ false, { "ACMECTL_NAME=www", "ACMECTL_CERT_DIR=/s/certs/www",
		  "ACMECTL_CERT=/s/certs/www/cert.pem", "ACMECTL_CHAIN=/s/certs/www/chain.pem",
		  "ACMECTL_FULLCHAIN=/s/certs/www/fullchain.pem", NULL, NULL } },
	};
	char *cmd;

	for (size_t i = 0; i < nitems(rows); i++) {
		char **env = hook_deploy_env("www", "/s/certs/www", rows[i].privkey);
		size_t k;

		for (k = 0; rows[i].want[k] != NULL; k++)
			CHECK_STR(env[k], rows[i].want[k], "deploy env");
		CHECK(env[k] == NULL, "deploy env ends after %zu entries", k);
		strv_free(env);
	}

	/* what a hook sees of it */
	{
		char **env = hook_deploy_env("www", "/s/certs/www", true);

		cmd = xasprintf("test \"$ACMECTL_NAME:$ACMECTL_CERT_DIR:$ACMECTL_FULLCHAIN:"
		    "$ACMECTL_PRIVKEY\" = 'www:/s/certs/www:/s/certs/www/fullchain.pem:"
		    "/s/certs/www/privkey.pem'");
		CHECK_INT(hook_run("deploy hook", cmd, env), 0, "the hook sees the paths");
		strv_free(env);
		free(cmd);
	}
}

static void test_merge(void)
{
	static const struct {
		const char *stored;  /* JSON or NULL */
		const char *deploy, *pre, *post;
		const char *want;    /* JSON, compact, sorted */
	} rows[] = {
		{ NULL, NULL, NULL, NULL, "{}" },
		{ NULL, "reload", NULL, NULL, "{\"deploy\": \"reload\"}" },
		{ "{\"deploy\":\"old\"}", NULL, NULL, NULL, "{\"deploy\": \"old\"}" },
		{ "{\"deploy\":\"old\"}", "new", NULL, NULL, "{\"deploy\": \"new\"}" },
		{ "{\"deploy\":\"old\",\"pre\":\"stop\"}", NULL, NULL, "start",
		  "{\"deploy\": \"old\", \"post\": \"start\", \"pre\": \"stop\"}" },
		/* an empty command forgets the remembered one */
		{ "{\"deploy\":\"old\",\"pre\":\"stop\"}", "", NULL, NULL, "{\"pre\": \"stop\"}" },
		{ NULL, "", "", "", "{}" },
		/* only string deploy/pre/post members are kept */
		{ "{\"deploy\":7,\"pre\":\"\",\"other\":\"x\",\"post\":\"p\"}", NULL, NULL, NULL,
		  "{\"post\": \"p\"}" },
		{ "[\"deploy\"]", NULL, "p", NULL, "{\"pre\": \"p\"}" },
	};

	for (size_t i = 0; i < nitems(rows); i++) {
		json_t *stored = rows[i].stored ? json_loads(rows[i].stored, 0, NULL) : NULL;
		json_t *merged = hooks_merge(stored, rows[i].deploy, rows[i].pre, rows[i].post);
		char *text = json_dumps(merged, JSON_COMPACT | JSON_SORT_KEYS);
		json_t *want = json_loads(rows[i].want, 0, NULL);
		char *want_text = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);

		CHECK_STR(text, want_text, rows[i].stored ? rows[i].stored : "(none)");
		free(text);
		free(want_text);
		json_decref(want);
		json_decref(merged);
		json_decref(stored);
	}
	CHECK(hooks_get(NULL, "deploy") == NULL, "no hooks object");
}

/* Holds STATE/lock in a child for hold_ms (killed early with SIGKILL when
 * kill_after_ms >= 0), then creates ./released just before it exits (and
 * so lets go). Returns the child's pid once it holds the lock. */
static pid_t hold_lock(const char *state, long hold_ms, long kill_after_ms)
{
	int ready[2];
	char c;
	pid_t pid;

	if (pipe(ready) == -1)
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd = store_lock(state, 0);
		struct timespec ts = { hold_ms / 1000, (hold_ms % 1000) * 1000000L };

		if (write(ready[1], fd == -1 ? "n" : "y", 1) != 1)
			_exit(2);
		nanosleep(&ts, NULL);
		close(open("released", O_WRONLY | O_CREAT, 0600));
		_exit(0);
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1 || c != 'y') {
		close(ready[0]);
		return -1;
	}
	close(ready[0]);
	if (kill_after_ms >= 0) {
		struct timespec ts = { kill_after_ms / 1000, (kill_after_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
	}
	return pid;
}

static void test_lock(void)
{
	char *state = xasprintf("%s/state", base), *path = xasprintf("%s/state/lock", base);
	char *env[2] = { NULL, NULL };
	long long t0, waited;
	int fd, flags, status;
	pid_t pid;

	/* free: taken at once, STATE created, file 0600, close-on-exec */
	fd = store_lock(state, 0);
	CHECK(fd >= 0, "lock taken: %s", err_message());
	flags = fcntl(fd, F_GETFD);
	CHECK(flags != -1 && (flags & FD_CLOEXEC), "the lock is close-on-exec");
	CHECK(access(path, F_OK) == 0, "STATE/lock exists");
	/* a hook (another process) sees it held */
	env[0] = xasprintf("LOCKFILE=%s", path);
	CHECK_INT(hook_run("probe", "command -v flock >/dev/null && exec 9<\"$LOCKFILE\" && "
	    "! flock -n 9", env), 0, "held while acmectl runs hooks");
	err_clear();
	store_unlock(fd);
	CHECK_INT(hook_run("probe", "exec 9<\"$LOCKFILE\" && flock -n 9", env), 0,
	    "free once released");
	free(env[0]);
	err_clear();

	/* held by another process: no wait means a clear refusal */
	unlink("released");
	pid = hold_lock(state, 60, -1);
	CHECK(pid > 0, "child holds the lock");
	t0 = mono_ms();
	fd = store_lock(state, 0);
	CHECK_INT(fd, -1, "held elsewhere, no wait");
	CHECK_INT(err_kind(), ERR_STORAGE, "kind of a held lock");
	CHECK(strstr(err_message(), "another acmectl run holds") != NULL &&
	    strstr(err_message(), "nothing was done") != NULL, "message: %s", err_message());
	err_clear();
	/* ... and with a bound longer than the holder: taken once it is done
	 * (./released is made before the holder lets go), not before */
	fd = store_lock(state, 10000);
	waited = mono_ms() - t0;
	CHECK(fd >= 0, "taken after the holder finished: %s", err_message());
	CHECK(access("released", F_OK) == 0, "taken while the holder held it");
	CHECK(waited < 9000, "waited for the holder too long (%lld ms)", waited);
	store_unlock(fd);
	waitpid(pid, &status, 0);

	/* a bound shorter than the holder: gives up after about that long */
	pid = hold_lock(state, 60000, -1);
	t0 = mono_ms();
	fd = store_lock(state, 60);
	waited = mono_ms() - t0;
	CHECK_INT(fd, -1, "gave up");
	CHECK(waited >= 60 && waited < 3000, "gave up after the bound (%lld ms)", waited);
	CHECK(strstr(err_message(), "(waited 60 ms)") != NULL, "says how long: %s", err_message());
	err_clear();
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);

	/* a holder killed outright leaves nothing behind to wait for */
	pid = hold_lock(state, 60000, 20);
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "holder was killed");
	t0 = mono_ms();
	fd = store_lock(state, 5000);
	CHECK(fd >= 0 && mono_ms() - t0 < 1000, "free at once after the holder died");
	store_unlock(fd);
	store_unlock(-1);

	/* a state directory that cannot be made */
	fd = store_lock("/proc/nonexistent/state", 0);
	CHECK_INT(fd, -1, "no state directory");
	CHECK_INT(err_kind(), ERR_STORAGE, "kind without a state directory");
	err_clear();
	unlink(path);
	rmdir(state);
	free(path);
	free(state);
}

int main(void)
{
	char *cmd;

	if (mkdtemp(base) == NULL || chdir(base) == -1) {
		perror(base);
		return 1;
	}
	test_hook_run();
	test_hook_streams();
	test_hook_timeout();
	test_hook_exec();
	test_deploy_env();
	test_merge();
	test_lock();
	cmd = xasprintf("rm -rf '%s'", base);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", base);
	free(cmd);
	return test_done();
}
