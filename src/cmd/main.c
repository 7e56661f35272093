/* main.c - acmectl: parse, apply the config file, dispatch, map the
 * recorded error to the exit code (err.h). Nothing else. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "conf.h"
#include "err.h"
#include "dns01.h"
#include "dnsprop.h"
#include "help.h"
#include "hooks.h"
#include "http01.h"
#include "log.h"
#include "util.h"

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP };
/* the thread whose blocked sections guard what the handler reads */
static pid_t main_tid;

/*
 * GnuTLS is in the process only as a dependency of libcurl's dependencies
 * (librtmp, libldap), for protocols acmectl never speaks; those libraries
 * call gnutls_global_init() themselves before they use it. Its implicit
 * initialisation in a library constructor would cost every run about
 * 0.7 MiB (ASN.1 trees, its code and data). This is GnuTLS's documented
 * opt-out (GNUTLS_SKIP_GLOBAL_INIT in <gnutls/gnutls.h>), spelled out so
 * the build needs no GnuTLS headers.
 */
int _gnutls_global_init_skip(void);
int _gnutls_global_init_skip(void)
{
	return 1;
}

/* LeakSanitizer checks for leaks from an atexit handler: such builds must
 * leave through exit(). */
#if defined(__SANITIZE_ADDRESS__)
#define LEAK_CHECK_AT_EXIT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define LEAK_CHECK_AT_EXIT 1
#endif
#endif

/* Removes published challenge files, passes the signal on to a running
 * hook and removes the dns-01 records still published, then dies as the
 * shell expects. */
static void on_fatal_signal(int sig)
{
	/* another thread (a resolver of libcurl's) may have taken it: the
	 * main thread runs the cleanup, once out of any section that blocks
	 * the signal while it changes what the cleanup reads */
	if (gettid() != main_tid) {
		tgkill(getpid(), main_tid, sig);
		return;
	}
	http01_emergency_cleanup();
	hook_signal_running(sig);
	dns01_emergency_cleanup();
	_exit(128 + sig);
}

static int install_signal_handlers(void)
{
	struct sigaction sa;
	size_t i;

	main_tid = gettid();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	/* a second signal must not interrupt the cleanup half way */
	for (i = 0; i < nitems(fatal_signals); i++)
		sigaddset(&sa.sa_mask, fatal_signals[i]);
	for (i = 0; i < nitems(fatal_signals); i++) {
		if (sigaction(fatal_signals[i], &sa, NULL) == -1) {
			err_set(ERR_STORAGE, "sigaction: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* The whole --help, or the help of the command topic names. */
static int print_help(const char *topic)
{
	char *text;

	if (topic == NULL) {
		fputs(help_usage(), stdout);
		return 0;
	}
	if ((text = help_command(topic)) == NULL)
		return -1;
	fputs(text, stdout);
	free(text);
	return 0;
}

static int dispatch(const struct config *cfg)
{
	switch (cfg->cmd) {
	case CMD_HELP:
		return print_help(cfg->help_topic);
	case CMD_VERSION:
		printf("acmectl %s\n", PACKAGE_VERSION);
		return 0;
	case CMD_ACCOUNT_REGISTER:
		return cmd_account_register(cfg);
	case CMD_ACCOUNT_SHOW:
		return cmd_account_show(cfg);
	case CMD_ISSUE:
		return cmd_issue(cfg);
	case CMD_PROXY_EXPLAIN:
		return cmd_proxy_explain(cfg);
	case CMD_DIAGNOSE:
		if (cfg->certificate != NULL)
			return cmd_diagnose_certificate(cfg);
		return cfg->challenge != NULL ? cmd_diagnose_challenge(cfg) : cmd_diagnose(cfg);
	case CMD_RENEW:
		return cmd_renew(cfg);
	case CMD_LIST:
		return cmd_list(cfg);
	case CMD_REVOKE:
		return cmd_revoke(cfg);
	case CMD_ACCOUNT_ROLLOVER:
		return cmd_account_rollover(cfg);
	case CMD_ACCOUNT_DEACTIVATE:
		return cmd_account_deactivate(cfg);
	case CMD_ACCOUNT_UPDATE:
		return cmd_account_update(cfg);
	case CMD_ACCOUNT_EXPORT:
		return cmd_account_export(cfg);
	case CMD_ACCOUNT_IMPORT:
		return cmd_account_import(cfg);
	case CMD_DELETE:
		return cmd_delete(cfg);
	case CMD_NONE:
		break;
	}
	err_set(ERR_USAGE, "no command given (try acmectl --help)");
	return -1;
}

/*
 * Ends the process with status once stdio is flushed. Returning from main
 * would also run OpenSSL's atexit cleanup and the destructors of the ~35
 * shared libraries libcurl pulls in (LDAP, Kerberos, GnuTLS, zstd, ...):
 * they only free memory the kernel takes back anyway, and mapping their
 * code to do it added about 0.25 MiB to the peak RSS of every run.
 */
static int finish(int status)
{
	fflush(NULL);
#ifdef LEAK_CHECK_AT_EXIT
	return status;
#else
	_exit(status);
#endif
}

int main(int argc, char **argv)
{
	struct config cfg;
	int rc = -1;

	/* keys are created under this mask; certificates get explicit modes */
	umask(077);
	/* No setlocale(): every ctype call stays ASCII, so account ids, file
	 * names and the checks of names never depend on the user's locale (a
	 * cron job's is not the terminal's); Unicode names and server hosts are
	 * refused naming their A-label, converted from UTF-8 (idn2_lookup_u8). */
	if (cli_parse(argc, argv, &cfg) == -1)
		goto out;
	/* --help and --version must work whatever the config file holds */
	if (cfg.cmd != CMD_HELP && cfg.cmd != CMD_VERSION) {
		if (conf_apply(&cfg) == -1)
			goto out;
		log_level = cfg.quiet ? 0 : LOG_NORMAL + cfg.verbosity;
		if (log_level > LOG_DEBUG)
			log_level = LOG_DEBUG;
		hook_set_timeout(cfg.hook_timeout_s);
		if (dnsprop_set_resolvers(cfg.dns_resolver) == -1)
			goto out;
		if (install_signal_handlers() == -1)
			goto out;
	}
	rc = dispatch(&cfg);
	/* output lost to a full disk or closed pipe is a failure too */
	if ((fflush(stdout) == EOF || ferror(stdout)) && rc == 0) {
		err_set(ERR_STORAGE, "writing standard output: %s", strerror(errno));
		rc = -1;
	}
out:
	if (rc != 0 && err_kind() == ERR_NONE)
		err_set(ERR_ACME, "failed without a recorded reason (a bug)");
	config_free(&cfg);
	return finish(rc == 0 ? 0 : err_report());
}
