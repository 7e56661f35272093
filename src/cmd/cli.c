/* cli.c - the command line: argv -> struct config (see cli.h).
 *
 * Two passes over argv. The first splits it into options (looked up in one
 * table) and words, so global options may stand anywhere; the words then name
 * the command. The second applies the options in order, now that it is known
 * which command they must be valid for. Pure: no I/O, and the environment is
 * consulted only through store_default_dir() when --state-dir is absent.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "cli_int.h"
#include "err.h"
#include "help.h"
#include "hooks.h"
#include "knownca.h"
#include "store.h"
#include "util.h"


/* Which commands accept an option: one bit per enum command. */
#define ON(cmd) (1u << (cmd))
#define ON_REGISTER ON(CMD_ACCOUNT_REGISTER)
#define ON_SHOW ON(CMD_ACCOUNT_SHOW)
#define ON_ISSUE ON(CMD_ISSUE)
#define ON_EXPLAIN ON(CMD_PROXY_EXPLAIN)
#define ON_DIAGNOSE ON(CMD_DIAGNOSE)
#define ON_RENEW ON(CMD_RENEW)
#define ON_LIST ON(CMD_LIST)
#define ON_REVOKE ON(CMD_REVOKE)
#define ON_ROLLOVER ON(CMD_ACCOUNT_ROLLOVER)
#define ON_DEACTIVATE ON(CMD_ACCOUNT_DEACTIVATE)
#define ON_UPDATE ON(CMD_ACCOUNT_UPDATE)
#define ON_EXPORT ON(CMD_ACCOUNT_EXPORT)
#define ON_IMPORT ON(CMD_ACCOUNT_IMPORT)
#define ON_DELETE ON(CMD_DELETE)
#define ON_ALL (ON_REGISTER | ON_SHOW | ON_ISSUE | ON_EXPLAIN | ON_DIAGNOSE | ON_RENEW | \
	ON_LIST | ON_REVOKE | ON_ROLLOVER | ON_DEACTIVATE | ON_UPDATE | ON_EXPORT | ON_IMPORT | \
	ON_DELETE)



#define STR(name, cmds, member) \
	{ name, true, false, cmds, CMD_NONE, opt_str, offsetof(struct config, member) }
#define FLAG(name, cmds, member) \
	{ name, false, false, cmds, CMD_NONE, opt_flag, offsetof(struct config, member) }
#define VAL(name, cmds, fn) { name, true, false, cmds, CMD_NONE, fn, 0 }
#define SWITCH(name, cmds, fn) { name, false, false, cmds, CMD_NONE, fn, 0 }
#define META(name, cmd) { name, false, false, ON_ALL, cmd, NULL, 0 }

static const struct optspec options[] = {
	/* global */
	VAL("--server", ON_ALL, opt_server),
	SWITCH("--staging", ON_ALL, opt_staging),
	VAL("--state-dir", ON_ALL, opt_state_dir),
	STR("--ca-bundle", ON_ALL, ca_bundle),
	VAL("--timeout", ON_ALL, opt_timeout),
	SWITCH("-v", ON_ALL, opt_verbose),
	FLAG("-q", ON_ALL, quiet),
	FLAG("--json", ON_ALL, json),
	STR("--config", ON_ALL, config_file),
	/* an empty URL is how one says "no proxy" */
	{ "--proxy", true, true, ON_ALL, CMD_NONE, opt_proxy, 0 },
	STR("--proxy-auth-file", ON_ALL, proxy_auth_file),
	/* an empty list is how one says "no exceptions" */
	{ "--no-proxy", true, true, ON_ALL, CMD_NONE, opt_str,
	    offsetof(struct config, no_proxy) },
	FLAG("--no-env-proxy", ON_ALL, no_env_proxy),
	VAL("--proxy-rules", ON_ALL, opt_proxy_rules),
	META("--help", CMD_HELP),
	META("-h", CMD_HELP),
	META("--version", CMD_VERSION),
	META("-V", CMD_VERSION),

	/* account */
	STR("--email", ON_REGISTER | ON_ISSUE | ON_DIAGNOSE | ON_UPDATE, email),
	FLAG("--agree-tos", ON_REGISTER | ON_ISSUE, agree_tos),
	VAL("--key-type", ON_REGISTER | ON_ISSUE | ON_ROLLOVER, opt_key_type),
	STR("--account-key", ON_REGISTER | ON_SHOW | ON_DIAGNOSE | ON_ROLLOVER, account_key),
	STR("--eab-kid", ON_REGISTER, eab_kid),
	STR("--eab-hmac-key", ON_REGISTER, eab_hmac_key),
	VAL("--eab-alg", ON_REGISTER, opt_eab_alg),

	/* issue */
	STR("--webroot", ON_ISSUE | ON_DIAGNOSE, webroot),
	/* a built-in responder's [ADDR:]PORT */
	{ "--standalone", true, false, ON_ISSUE | ON_DIAGNOSE, CMD_NONE, opt_listen_addr,
	    offsetof(struct config, standalone) },
	{ "--tls-alpn", true, false, ON_ISSUE, CMD_NONE, opt_listen_addr,
	    offsetof(struct config, tls_alpn) },
	STR("--csr", ON_ISSUE, csr),
	VAL("--name", ON_ISSUE | ON_EXPORT, opt_name),
	FLAG("--force", ON_ISSUE | ON_RENEW, force),
	STR("--dns-hook", ON_ISSUE | ON_DIAGNOSE, dns_hook),
	VAL("--dns-wait", ON_ISSUE, opt_dns_wait),
	STR("--dns-resolver", ON_ISSUE | ON_RENEW, dns_resolver),
	STR("--preferred-chain", ON_ISSUE, preferred_chain),
	STR("--profile", ON_ISSUE, profile),
	FLAG("--replace-names", ON_ISSUE, replace_names),
	FLAG("--reuse-key", ON_ISSUE, reuse_key),
	FLAG("--no-reuse-key", ON_ISSUE, no_reuse_key),

	/* renew */
	VAL("--days", ON_RENEW, opt_number),
	/* an empty command forgets a remembered hook */
	{ "--deploy-hook", true, true, ON_ISSUE | ON_RENEW, CMD_NONE, opt_str,
	    offsetof(struct config, deploy_hook) },
	{ "--pre-hook", true, true, ON_ISSUE | ON_RENEW, CMD_NONE, opt_str,
	    offsetof(struct config, pre_hook) },
	{ "--post-hook", true, true, ON_ISSUE | ON_RENEW, CMD_NONE, opt_str,
	    offsetof(struct config, post_hook) },
	FLAG("--dry-run", ON_ISSUE | ON_RENEW, dry_run),
	VAL("--dry-run-server", ON_ISSUE | ON_RENEW, opt_dry_run_server),
	VAL("--jitter", ON_RENEW, opt_number),
	VAL("--parallel", ON_ISSUE | ON_RENEW, opt_number),
	VAL("--hook-timeout", ON_ISSUE | ON_RENEW, opt_number),
	VAL("--deadline", ON_ISSUE | ON_RENEW | ON_DIAGNOSE, opt_number),
	STR("--metrics", ON_RENEW | ON_LIST, metrics_file),

	/* revoke, deactivate, delete */
	STR("--cert", ON_REVOKE, cert_file),
	STR("--cert-key", ON_REVOKE, cert_key_file),
	VAL("--reason", ON_REVOKE, opt_reason),
	FLAG("--yes", ON_DEACTIVATE | ON_DELETE, yes),

	/* diagnose */
	STR("--account-url", ON_DIAGNOSE, account_url),
	STR("--from-issuer", ON_DIAGNOSE | ON_IMPORT, from_issuer),
	STR("--secret", ON_DIAGNOSE | ON_IMPORT, secret),
	STR("--cert-manager-version", ON_DIAGNOSE, cm_version),
	STR("--cert-manager-feature-gates", ON_DIAGNOSE, cm_feature_gates),
	STR("--resolv-conf", ON_DIAGNOSE, resolv_conf),
	STR("--pid", ON_DIAGNOSE, pid),
	STR("--challenge", ON_DIAGNOSE, challenge),
	STR("--certificate", ON_DIAGNOSE, certificate),
	STR("--dns01-recursive-nameservers", ON_DIAGNOSE, dns01_recursive),
	FLAG("--dns01-recursive-nameservers-only", ON_DIAGNOSE, dns01_recursive_only),
	FLAG("--register", ON_DIAGNOSE, diag_register),
	STR("--eab-secret", ON_DIAGNOSE, eab_secret),

	/* account export */
	FLAG("--cert-manager", ON_EXPORT | ON_IMPORT, cert_manager),
	STR("--namespace", ON_EXPORT, namespace),
	VAL("--kind", ON_EXPORT, opt_kind),
	STR("--solver-class", ON_EXPORT, solver_class),
	STR("-o", ON_EXPORT | ON_DIAGNOSE, output),
};

/* The command words; word2 NULL for one-word commands. */
static const struct {
	const char *word1, *word2, *name;
	enum command cmd;
} commands[] = {
	{ "account", "register", "account register", CMD_ACCOUNT_REGISTER },
	{ "account", "show", "account show", CMD_ACCOUNT_SHOW },
	{ "issue", NULL, "issue", CMD_ISSUE },
	{ "proxy", "explain", "proxy explain", CMD_PROXY_EXPLAIN },
	{ "diagnose", NULL, "diagnose", CMD_DIAGNOSE },
	{ "renew", NULL, "renew", CMD_RENEW },
	{ "list", NULL, "list", CMD_LIST },
	{ "revoke", NULL, "revoke", CMD_REVOKE },
	{ "account", "rollover", "account rollover", CMD_ACCOUNT_ROLLOVER },
	{ "account", "deactivate", "account deactivate", CMD_ACCOUNT_DEACTIVATE },
	{ "account", "update", "account update", CMD_ACCOUNT_UPDATE },
	{ "account", "export", "account export", CMD_ACCOUNT_EXPORT },
	{ "account", "import", "account import", CMD_ACCOUNT_IMPORT },
	{ "delete", NULL, "delete", CMD_DELETE },
	{ "help", NULL, "help", CMD_HELP },
};

/* One option occurrence found by the first pass. */
struct occurrence {
	const struct optspec *spec;
	const char *value;    /* borrowed from argv; NULL for flags */
	size_t count;         /* -vv counts twice */
};

/* What the first pass found. */
struct scan {
	struct occurrence *opts;
	size_t nopts;
	char **words;         /* positional arguments, borrowed */
	size_t nwords;
	enum command meta;    /* CMD_HELP or CMD_VERSION when asked for */
	bool failed;          /* first error already recorded */
};

/* The spec named by arg ("--name", "-v"; "-vvv" is -v three times, counted
 * in *count), or NULL. arg must not hold "=VALUE". */
static const struct optspec *find_option(const char *arg, size_t len, size_t *count)
{
	size_t i;

	*count = 1;
	if (len > 2 && arg[0] == '-' && arg[1] == 'v' &&
	    strspn(arg + 1, "v") == len - 1) {
		*count = len - 1;
		len = 2;
	}
	for (i = 0; i < nitems(options); i++)
		if (strlen(options[i].name) == len &&
		    strncmp(options[i].name, arg, len) == 0)
			return &options[i];
	return NULL;
}

/* Records a usage error unless an earlier one is already recorded: the
 * first mistake on the line is the one reported. */
static void scan_error(struct scan *sc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void scan_error(struct scan *sc, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (sc->failed)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	err_set(ERR_USAGE, "%s", msg);
	free(msg);
	sc->failed = true;
}

/* Records an unknown option, with what to type instead when that is
 * clear: acmectl's spelling of a certbot option, or the nearest option. */
static void unknown_option(struct scan *sc, const char *arg, size_t len)
{
	const char *names[nitems(options)], *habit, *near;
	char *name = xstrndup(arg, len), *shown = str_printable(name);
	size_t i;

	for (i = 0; i < nitems(options); i++)
		names[i] = options[i].name;
	if ((habit = help_certbot_habit(name)) != NULL)
		scan_error(sc, "unknown option \"%s\": %s", shown, habit);
	else if ((near = help_nearest(name, names, i)) != NULL)
		scan_error(sc, "unknown option \"%s\" (did you mean %s?)", shown, near);
	else
		scan_error(sc, "unknown option \"%s\"", shown);
	free(shown);
	free(name);
}

/* First pass: options into sc->opts, everything else into sc->words.
 * Keeps going after an error so a later --help still wins. */
static void scan_args(int argc, char **argv, struct scan *sc)
{
	const struct optspec *spec;
	const char *arg, *eq, *value;
	size_t count, namelen, ignored;
	bool words_only = false;
	int i;

	sc->opts = xcalloc((size_t)argc + 1, sizeof(*sc->opts));
	sc->words = xcalloc((size_t)argc + 1, sizeof(*sc->words));
	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (words_only || arg[0] != '-' || arg[1] == '\0') {
			sc->words[sc->nwords++] = argv[i];
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			words_only = true;
			continue;
		}
		eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
		namelen = eq ? (size_t)(eq - arg) : strlen(arg);
		/* only the name: a mistyped --eab-hmac-key=... must not echo the key */
		if ((spec = find_option(arg, namelen, &count)) == NULL) {
			unknown_option(sc, arg, namelen);
			continue;
		}
		if (spec->meta != CMD_NONE) {
			if (sc->meta != CMD_HELP)
				sc->meta = spec->meta;
			continue;
		}
		value = NULL;
		if (!spec->takes_value) {
			if (eq != NULL)
				scan_error(sc, "option %.*s takes no value", (int)namelen, arg);
		} else if (eq != NULL) {
			value = eq + 1;
		} else if (i + 1 < argc &&
		    find_option(argv[i + 1], strlen(argv[i + 1]), &ignored) == NULL) {
			/* a following option name is a forgotten value, not the value */
			value = argv[++i];
		}
		if (spec->takes_value && (value == NULL ||
		    (value[0] == '\0' && !spec->empty_ok))) {
			scan_error(sc, "option %.*s needs a value", (int)namelen, arg);
			continue;
		}
		sc->opts[sc->nopts].spec = spec;
		sc->opts[sc->nopts].value = value;
		sc->opts[sc->nopts].count = count;
		sc->nopts++;
	}
}

/* Records an unknown command: words[0] unknown, or (group set) words[1]
 * no subcommand of the group words[0]. Names what to type instead when
 * that is clear: acmectl's command for a certbot one, or the nearest. */
static void unknown_command(char **words, bool group)
{
	const char *names[nitems(commands)], *habit, *near;
	char *first = str_printable(words[0]), *second = group ? str_printable(words[1]) : NULL;
	size_t i, n = 0;

	for (i = 0; i < nitems(commands); i++) {
		if (!group)
			names[n++] = commands[i].word1;
		else if (strcmp(commands[i].word1, words[0]) == 0)
			names[n++] = commands[i].word2;
	}
	near = help_nearest(words[group], names, n);
	if (!group && (habit = help_certbot_habit(words[0])) != NULL)
		err_set(ERR_USAGE, "unknown command \"%s\": %s", first, habit);
	else if (group && near != NULL)
		err_set(ERR_USAGE, "unknown command \"%s %s\" (did you mean %s %s?)",
		    first, second, first, near);
	else if (group)
		err_set(ERR_USAGE, "unknown command \"%s %s\" (try acmectl --help)",
		    first, second);
	else if (near != NULL)
		err_set(ERR_USAGE, "unknown command \"%s\" (did you mean %s?)", first, near);
	else
		err_set(ERR_USAGE, "unknown command \"%s\" (try acmectl --help)", first);
	free(first);
	free(second);
}

/* The command the words name; *used says how many words that took. */
static int parse_command(char **words, size_t nwords, enum command *cmd, size_t *used)
{
	size_t i;
	bool first_known = false;

	if (nwords == 0) {
		err_set(ERR_USAGE, "no command given (try acmectl --help)");
		return -1;
	}
	for (i = 0; i < nitems(commands); i++) {
		if (strcmp(words[0], commands[i].word1) != 0)
			continue;
		first_known = true;
		if (commands[i].word2 == NULL) {
			*cmd = commands[i].cmd;
			*used = 1;
			return 0;
		}
		if (nwords > 1 && strcmp(words[1], commands[i].word2) == 0) {
			*cmd = commands[i].cmd;
			*used = 2;
			return 0;
		}
	}
	if (first_known && nwords == 1)
		err_set(ERR_USAGE, "\"%s\" needs a subcommand (try acmectl help %s)",
		    words[0], words[0]);
	else
		unknown_command(words, first_known);
	return -1;
}

static const char *command_name(enum command cmd)
{
	size_t i;

	for (i = 0; i < nitems(commands); i++)
		if (commands[i].cmd == cmd)
			return commands[i].name;
	return "?";
}

/* What help is asked about: the command the words name, or its group when
 * they name only that ("account"); NULL (the whole --help) for "help"
 * itself. Returns -1, recording nothing, when the words name neither. */
static int help_topic(char **words, size_t nwords, const char **topic, size_t *used)
{
	enum command cmd;
	size_t i;

	if (nwords == 0)
		return -1;
	if (parse_command(words, nwords, &cmd, used) == 0) {
		*topic = cmd == CMD_HELP ? NULL : command_name(cmd);
		return 0;
	}
	err_clear();
	for (i = 0; nwords == 1 && i < nitems(commands); i++)
		if (strcmp(words[0], commands[i].word1) == 0) {
			*topic = commands[i].word1;
			*used = 1;
			return 0;
		}
	return -1;
}

/* The words after the command: NAMEs for issue, the URL for proxy explain. */
static int take_arguments(struct config *cfg, char **words, size_t nwords)
{
	size_t i;

	switch (cfg->cmd) {
	case CMD_DELETE:
		if (nwords != 1) {
			err_set(ERR_USAGE, "delete takes one certificate NAME");
			return -1;
		}
		/* fall through */
	case CMD_REVOKE:
		if (nwords > 1) {
			err_set(ERR_USAGE, "revoke takes one certificate NAME");
			return -1;
		}
		FALLTHROUGH;
	case CMD_ISSUE:
	case CMD_RENEW:
		cfg->names = xcalloc(nwords + 1, sizeof(*cfg->names));
		for (i = 0; i < nwords; i++)
			cfg->names[i] = words[i];
		cfg->nnames = nwords;
		return 0;
	case CMD_PROXY_EXPLAIN:
		if (nwords == 0) {
			err_set(ERR_USAGE, "proxy explain needs a URL");
			return -1;
		}
		cfg->url = words[0];
		words++;
		nwords--;
		break;
	default:
		break;
	}
	if (nwords > 0) {
		err_set(ERR_USAGE, "unexpected argument \"%s\" for %s",
		    words[0], command_name(cfg->cmd));
		return -1;
	}
	return 0;
}

/* "help [COMMAND]": COMMAND must be one, or a group of them. */
static int take_help_topic(struct config *cfg, char **words, size_t nwords)
{
	size_t used = 0;

	if (nwords == 0)
		return 0;
	if (help_topic(words, nwords, &cfg->help_topic, &used) == -1) {
		/* parse_command says what is wrong with the words, and what is near */
		parse_command(words, nwords, &cfg->cmd, &used);
		return -1;
	}
	if (used < nwords) {
		err_set(ERR_USAGE, "unexpected argument \"%s\" for help", words[used]);
		return -1;
	}
	return 0;
}

/* Rules that involve more than one option, or none. */
static int check_combinations(struct config *cfg)
{
	if (cfg->quiet && cfg->verbosity > 0) {
		err_set(ERR_USAGE, "-q and -v cannot be used together");
		return -1;
	}
	if (cfg->dry_run_server != NULL && !cfg->dry_run) {
		err_set(ERR_USAGE, "--dry-run-server needs --dry-run");
		return -1;
	}
	switch (cfg->cmd) {
	case CMD_ACCOUNT_REGISTER:
		if (!cfg->agree_tos) {
			err_set(ERR_USAGE, "account register needs --agree-tos "
			    "(you must agree to the CA's terms of service)");
			return -1;
		}
		if ((cfg->eab_kid == NULL) != (cfg->eab_hmac_key == NULL)) {
			err_set(ERR_USAGE, "--eab-kid and --eab-hmac-key must be "
			    "given together");
			return -1;
		}
		if (cfg->eab_alg != NULL && cfg->eab_kid == NULL) {
			err_set(ERR_USAGE, "--eab-alg needs --eab-kid and --eab-hmac-key");
			return -1;
		}
		break;
	case CMD_ISSUE:
		if (cfg->webroot != NULL && cfg->standalone != NULL) {
			err_set(ERR_USAGE, "--webroot and --standalone cannot be "
			    "used together");
			return -1;
		}
		if (cfg->dns_hook != NULL && (cfg->webroot != NULL || cfg->standalone != NULL)) {
			err_set(ERR_USAGE, "--dns-hook cannot be used with --webroot or --standalone");
			return -1;
		}
		if (cfg->tls_alpn != NULL && (cfg->webroot != NULL || cfg->standalone != NULL ||
		    cfg->dns_hook != NULL)) {
			err_set(ERR_USAGE, "--tls-alpn cannot be used with --webroot, "
			    "--standalone or --dns-hook");
			return -1;
		}
		if (cfg->nnames == 0 && cfg->csr == NULL) {
			err_set(ERR_USAGE, "issue needs at least one NAME (or --csr FILE)");
			return -1;
		}
		if ((cfg->reuse_key && cfg->no_reuse_key) || (cfg->reuse_key && cfg->csr)) {
			err_set(ERR_USAGE, "--reuse-key cannot be used with %s", cfg->csr ?
			    "--csr (the key is yours: reuse it in your next CSR)" : "--no-reuse-key");
			return -1;
		}
		break;
	case CMD_DIAGNOSE:
		if (cfg->certificate != NULL && cfg->challenge != NULL) {
			err_set(ERR_USAGE, "--certificate and --challenge cannot be used together");
			return -1;
		}
		if ((cfg->webroot != NULL || cfg->standalone != NULL || cfg->dns_hook != NULL ||
		    cfg->output != NULL) && cfg->certificate == NULL) {
			err_set(ERR_USAGE, "--webroot, --standalone, --dns-hook and -o need "
			    "--certificate FILE");
			return -1;
		}
		if (cfg->webroot != NULL && cfg->standalone != NULL) {
			err_set(ERR_USAGE, "--webroot and --standalone cannot be used together");
			return -1;
		}
		/* no gate changes the account step: a list there would be ignored */
		if (cfg->cm_feature_gates != NULL && cfg->certificate == NULL &&
		    cfg->challenge == NULL) {
			err_set(ERR_USAGE, "--cert-manager-feature-gates needs --certificate "
			    "or --challenge FILE (no gate changes the account step)");
			return -1;
		}
		if (cfg->certificate != NULL && cfg->from_issuer == NULL) {
			err_set(ERR_USAGE, "--certificate needs --from-issuer FILE (the Issuer or "
			    "ClusterIssuer whose solvers and account it uses)");
			return -1;
		}
		break;
	case CMD_REVOKE:
		if ((cfg->nnames == 1) == (cfg->cert_file != NULL)) {
			err_set(ERR_USAGE, "revoke needs a certificate NAME or --cert FILE (one of them)");
			return -1;
		}
		if (cfg->cert_key_file != NULL && cfg->cert_file == NULL) {
			err_set(ERR_USAGE, "--cert-key needs --cert FILE");
			return -1;
		}
		break;
	case CMD_ACCOUNT_UPDATE:
		if (cfg->email == NULL) {
			err_set(ERR_USAGE, "account update needs --email ADDR");
			return -1;
		}
		break;
	case CMD_ACCOUNT_EXPORT:
		if (!cfg->cert_manager) {
			err_set(ERR_USAGE, "account export needs --cert-manager (the only "
			    "format it writes)");
			return -1;
		}
		if (cfg->json && cfg->output == NULL) {
			err_set(ERR_USAGE, "account export --json needs -o FILE (without it "
			    "the manifest is the output)");
			return -1;
		}
		break;
	case CMD_ACCOUNT_IMPORT:
		if (!cfg->cert_manager) {
			err_set(ERR_USAGE, "account import needs --cert-manager (the only "
			    "format it reads)");
			return -1;
		}
		if (cfg->from_issuer == NULL) {
			err_set(ERR_USAGE, "account import needs --from-issuer FILE (the "
			    "ClusterIssuer or Issuer whose account to keep)");
			return -1;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* Second pass: apply the options in the order given. */
static int apply_options(struct config *cfg, const struct scan *sc)
{
	const struct occurrence *o;
	size_t i, n;

	for (i = 0; i < sc->nopts; i++) {
		o = &sc->opts[i];
		if ((o->spec->cmds & ON(cfg->cmd)) == 0) {
			err_set(ERR_USAGE, "option %s is not valid for %s",
			    o->spec->name, command_name(cfg->cmd));
			return -1;
		}
		for (n = 0; n < o->count; n++)
			if (o->spec->set(cfg, o->spec, o->value) == -1)
				return -1;
	}
	return 0;
}

int cli_parse(int argc, char **argv, struct config *cfg)
{
	struct scan sc = { 0 };
	size_t used = 0;
	int rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout_s = DEFAULT_TIMEOUT_S;
	cfg->account_key_type = KEY_EC256;
	cfg->cert_key_type = KEY_EC256;
	cfg->proxy_rules = "go";
	cfg->days = -1;
	cfg->parallel = 8;
	cfg->hook_timeout_s = HOOK_TIMEOUT_DEFAULT_S;
	cfg->deadline_s = DEFAULT_DEADLINE_S;
	cfg->revoke_reason = -1;

	scan_args(argc, argv, &sc);
	if (sc.meta != CMD_NONE) {
		/* --help and --version answer whatever else is on the line; help
		 * is about the command it names, if it names one */
		err_clear();
		cfg->cmd = sc.meta;
		if (sc.meta == CMD_HELP)
			help_topic(sc.words, sc.nwords, &cfg->help_topic, &used);
		rc = 0;
		goto out;
	}
	if (sc.failed)
		goto out;
	if (parse_command(sc.words, sc.nwords, &cfg->cmd, &used) == -1)
		goto out;
	if (cfg->cmd == CMD_HELP) {
		rc = take_help_topic(cfg, sc.words + used, sc.nwords - used);
		goto out;
	}
	if (apply_options(cfg, &sc) == -1 ||
	    take_arguments(cfg, sc.words + used, sc.nwords - used) == -1 ||
	    check_combinations(cfg) == -1)
		goto out;

	if (cfg->server == NULL)
		cfg->server = LETSENCRYPT_URL;
	if (cfg->eab_alg == NULL)
		cfg->eab_alg = "HS256";
	if (cfg->issuer_kind == NULL)
		cfg->issuer_kind = "ClusterIssuer";
	if (cfg->solver_class == NULL)
		cfg->solver_class = "nginx";
	/* a ClusterIssuer's Secret lives in cert-manager's cluster resource
	 * namespace, "cert-manager" unless its chart was told otherwise */
	if (cfg->cmd == CMD_ACCOUNT_EXPORT && cfg->namespace == NULL &&
	    strcmp(cfg->issuer_kind, "ClusterIssuer") == 0)
		cfg->namespace = "cert-manager";
	cfg->step_timeout_s = cfg->timeout_set ? cfg->timeout_s : DIAGNOSE_STEP_TIMEOUT_S;
	/* store_default_dir() records why it found none */
	if (cfg->state_dir == NULL &&
	    (cfg->state_dir = store_default_dir()) == NULL)
		goto out;
	rc = 0;
out:
	free(sc.opts);
	free(sc.words);
	return rc;
}

struct proxy_flags cli_proxy_flags(const struct config *cfg)
{
	struct proxy_flags f = {
		.proxy = cfg->proxy,
		.proxy_source = cfg->proxy_source,
		.no_proxy = cfg->no_proxy,
		.no_proxy_source = cfg->no_proxy_source,
		.auth_file = cfg->proxy_auth_file,
		.no_env_proxy = cfg->no_env_proxy,
		.rules = cfg->proxy_rules,
	};

	return f;
}

void config_free(struct config *cfg)
{
	free(cfg->state_dir);
	cfg->state_dir = NULL;
	free(cfg->names);
	cfg->names = NULL;
	cfg->nnames = 0;
	strv_free(cfg->owned);
	cfg->owned = NULL;
}

const char *cli_server_url(const char *value)
{
	static const char https[] = "https://";
	const size_t hlen = sizeof(https) - 1;

	const struct known_ca *ca = known_ca_by_name(value);

	if (ca != NULL)
		return ca->url;
	/* a scheme is case-insensitive (RFC 3986 3.1); a host must follow */
	if (strncasecmp(value, https, hlen) == 0 && value[hlen] != '\0' &&
	    value[hlen] != '/' && strpbrk(value, " \t\r\n") == NULL)
		return value;
	err_set(ERR_USAGE, "--server must be an https:// URL or one of %s (got \"%s\")",
	    known_ca_names(), value);
	return NULL;
}

const char *cli_option_name(size_t i)
{
	return i < nitems(options) ? options[i].name : NULL;
}

bool cli_option_accepts(const char *name, enum command cmd)
{
	const struct optspec *spec;
	size_t count;

	spec = find_option(name, strlen(name), &count);
	return spec != NULL && (spec->cmds & ON(cmd)) != 0;
}
