/* test_hooks.c - which program a hook command is judged by, that a
 * program another user could replace is refused and never run, that a
 * hook stops at the deadline when that comes before the hook timeout, and
 * that a dns-01 record is removed even after the deadline.
 * Runs in a mkdtemp dir; needs no root (an open directory stands for
 * another user's). */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns01.h"
#include "err.h"
#include "hooks.h"
#include "util.h"
#include "test.h"

static char base[] = "/tmp/test_hooks.XXXXXX";

/* Commands, %s being a program in a world-writable directory: refused
 * when their first word is that plain path; a word only the shell can
 * read is left to it. */
static const struct {
	const char *cmd;
	int rc;
	const char *why;
} commands[] = {
	{ "%s", -1, "plain path" },
	{ "  %s --flag", -1, "leading blanks, arguments" },
	{ "%s\targ", -1, "a tab ends the word" },
	{ "\"%s\"", 0, "quoted: the shell's to read" },
	{ "FOO=1 %s", 0, "an assignment first" },
	{ "%s;true", 0, "a separator inside the word" },
	{ "$HOME/%s", 0, "an expansion" },
	{ "true && %s", 0, "a builtin or PATH program first" },
	{ "", 0, "empty" },
	{ "acmectl-no-such-program", 0, "not found: starting it says so" },
};

static void test_commands(const char *planted)
{
	char *cmd;

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		cmd = xasprintf(commands[i].cmd, planted);
		err_clear();
		CHECK_INT(hook_check_command(cmd), commands[i].rc, commands[i].why);
		if (commands[i].rc != 0)
			CHECK(err_kind() == ERR_STORAGE && strstr(err_message(), "/open:") != NULL,
			    "%s: %s", commands[i].why, err_message());
		free(cmd);
	}
	err_clear();
}

/* hook_run refuses a planted program before it runs: the marker it would
 * write is never there. */
static void test_refused_not_run(const char *planted, const char *marker)
{
	err_clear();
	CHECK_INT(hook_run("deploy hook", planted, NULL), -1, "planted deploy hook refused");
	CHECK(err_kind() == ERR_STORAGE, "refusal is a storage error: %s", err_message());
	CHECK(strncmp(err_message(), "deploy hook: refusing to use ", 29) == 0, "%s",
	    err_message());
	CHECK(access(marker, F_OK) == -1, "the planted hook did not run");
	CHECK_INT(hook_check_program(planted), -1, "hook_check_program refuses it too");
	CHECK_INT(hook_check_program("sh"), 0, "sh, found in PATH, is trusted");
	err_clear();
}

/* With no hook timeout, a deadline 300 ms away stops a hung hook. */
static void test_deadline(void)
{
	char *argv[] = { "sleep", "30", NULL }, *why = NULL;
	long long t0 = mono_ms();

	hook_set_limits_ms(0, 100);
	hook_set_deadline(mono_ms() + 300);
	CHECK_INT(hook_exec("dns hook", "sleep 30", "sleep", argv, NULL, &why), -1,
	    "stopped at the deadline");
	/* generous: the hook would run 30 s */
	CHECK(mono_ms() - t0 < 10000, "stopped long before the hook's own end");
	CHECK(why != NULL && strstr(why, "dns hook stopped after ") == why &&
	    strstr(why, " ms, when --deadline ran out: sleep 30") != NULL, "why: %s",
	    why ? why : "(null)");
	free(why);
	hook_set_deadline(0);
	why = NULL;
	argv[1] = "0";
	CHECK_INT(hook_exec("dns hook", "sleep 0", "sleep", argv, NULL, &why), 0,
	    "no deadline once cleared");
	free(why);
}

/* A record is removed however little is left of --deadline (a flow that
 * waited it out would leave it behind): the remove runs under the hook
 * timeout alone, and the deadline is kept for what follows. */
static void test_remove_after_deadline(void)
{
	char *hook = xasprintf("%s/record-hook", base), *log = xasprintf("%s/record.log", base);
	char text[256] = "";
	struct dns01 *d;
	long long passed;
	size_t n = 0;
	FILE *f;

	if ((f = fopen(hook, "w")) != NULL) {
		fprintf(f, "#!/bin/sh\necho \"$1 $2\" >>'%s'\n", log);
		fclose(f);
	}
	chmod(hook, 0755);
	hook_set_limits_ms(10000, 100);
	d = dns01_new(hook, 0);
	CHECK_INT(dns01_publish(d, "a.example", "token.thumbprint"), 0, "the record is added");
	passed = mono_ms() - 1;
	hook_set_deadline(passed);
	dns01_withdraw_all(d);
	CHECK(hook_deadline() == passed, "the deadline is kept for what follows");
	hook_set_deadline(0);
	if ((f = fopen(log, "r")) != NULL) {
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
	}
	text[n] = '\0';
	CHECK(strcmp(text, "add _acme-challenge.a.example\nremove _acme-challenge.a.example\n") == 0,
	    "removed after the deadline: %s", text);
	dns01_free(d);
	free(hook);
	free(log);
}

/* Reads the whole (small) file at path into text. */
static void slurp(const char *path, char *text, size_t size)
{
	size_t n = 0;
	FILE *f;

	if ((f = fopen(path, "r")) != NULL) {
		n = fread(text, 1, size - 1, f);
		fclose(f);
	}
	text[n] = '\0';
}

/* What the fatal signal handler runs, called here directly: the remove of
 * every record added and not removed yet (a script without "#!" too, as
 * hook_exec runs it), none once withdrawn; a remove that hangs ignoring
 * SIGTERM is killed once the hook timeout (shorter than 5 s) and the grace
 * are over. */
static void test_emergency_cleanup(void)
{
	static const struct {
		const char *script;      /* after the line that logs the call */
		long timeout_ms;
		const char *want;        /* the log afterwards */
		long long at_most_ms;
	} rows[] = {
		{ "#!/bin/sh\n", 10000, "add\nremove\n", 5000 },
		{ "", 10000, "add\nremove\n", 5000 },
		{ "#!/bin/sh\n", 300, "add\nremove\n", 4000 },
	};
	char *hook = xasprintf("%s/emergency-hook", base), *log = xasprintf("%s/emergency.log", base);
	char text[256];
	struct dns01 *d;
	long long start;
	FILE *f;

	for (size_t i = 0; i < nitems(rows); i++) {
		unlink(log);
		if ((f = fopen(hook, "w")) != NULL) {
			fprintf(f, "%secho \"$1\" >>'%s'\n", rows[i].script, log);
			/* the last row's remove hangs, deaf to SIGTERM */
			if (rows[i].timeout_ms < 1000)
				fprintf(f, "[ \"$1\" = add ] || { trap '' TERM; sleep 30; }\n");
			fclose(f);
		}
		chmod(hook, 0755);
		hook_set_limits_ms(rows[i].timeout_ms, 100);
		d = dns01_new(hook, 0);
		CHECK_INT(dns01_publish(d, "e.example", "token.thumbprint"), 0, "the record is added");
		start = mono_ms();
		dns01_emergency_cleanup();
		CHECK(mono_ms() - start < rows[i].at_most_ms, "row %zu: took %lld ms", i,
		    mono_ms() - start);
		slurp(log, text, sizeof(text));
		CHECK_STR(text, rows[i].want, "the emergency remove ran");
		dns01_withdraw_all(d);
		unlink(log);
		dns01_emergency_cleanup();
		slurp(log, text, sizeof(text));
		CHECK_STR(text, "", "nothing is left to remove once withdrawn");
		dns01_free(d);
	}
	free(hook);
	free(log);
}

int main(void)
{
	char *open_dir, *planted, *marker, *cmd;
	FILE *f;

	if (mkdtemp(base) == NULL)
		return 1;
	open_dir = xasprintf("%s/open", base);
	planted = xasprintf("%s/hook", open_dir);
	marker = xasprintf("%s/ran", base);
	mkdir(open_dir, 0755);
	chmod(open_dir, 0777);
	if ((f = fopen(planted, "w")) != NULL) {
		fprintf(f, "#!/bin/sh\ntouch '%s'\n", marker);
		fclose(f);
	}
	chmod(planted, 0755);
	test_commands(planted);
	test_refused_not_run(planted, marker);
	test_deadline();
	test_remove_after_deadline();
	test_emergency_cleanup();
	cmd = xasprintf("rm -rf %s", base);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", base);
	free(cmd);
	free(marker);
	free(planted);
	free(open_dir);
	return test_done();
}
