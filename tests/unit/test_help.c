/* test_help.c - the --help text, each command's help against the option
 * table of the parser (both ways), the group help, the distance and the
 * nearest-word choice behind "did you mean", against tables. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "help.h"
#include "test.h"

/* What --help must mention: every command, option and exit status. */
static const char *const usage_mentions[] = {
	"account register", "account show", "issue", "proxy explain URL", "diagnose",
	"help", "--server URL|NAME", "--staging",
	"--state-dir DIR", "--ca-bundle FILE", "--timeout SECONDS", "-v, -vv", "-q ",
	"--json", "--config FILE", "--proxy URL", "--proxy-auth-file FILE",
	"--no-proxy LIST", "--no-env-proxy", "--proxy-rules go|curl", "-h, --help",
	"-V, --version", "--email ADDR", "--agree-tos", "--key-type TYPE",
	"ec256", "ec384", "rsa2048", "rsa3072", "rsa4096",
	"--account-key FILE", "--eab-kid ID", "--eab-hmac-key B64URL",
	"HS256", "HS384", "HS512", "--webroot DIR", "--standalone [ADDR:]PORT",
	"--csr FILE", "--name NAME", "--force", "NAME...", "--account-url URL",
	"--from-issuer FILE", "--secret FILE", "--cert-manager-version V",
	"--resolv-conf FILE", "--opt=VALUE", "account export --cert-manager",
	"account import --cert-manager --from-issuer FILE",
	"--namespace NS", "--kind KIND", "--solver-class CLASS", "-o FILE",
	"0  success", "1  the ACME server refused or validation failed",
	"2  usage error or bad local input",
	"3  network failure or deadline (server or proxy unreachable)",
	"4  local storage error",
};

/* Each command's help, and a line of its examples. */
static const struct {
	const char *name;
	enum command cmd;
	const char *example;
} helps[] = {
	{ "account register", CMD_ACCOUNT_REGISTER,
	    "acmectl account register --agree-tos --email admin@example.org" },
	{ "account show", CMD_ACCOUNT_SHOW, "acmectl account show" },
	{ "account rollover", CMD_ACCOUNT_ROLLOVER, "acmectl account rollover --key-type ec384" },
	{ "account deactivate", CMD_ACCOUNT_DEACTIVATE,
	    "acmectl --staging account deactivate --yes" },
	{ "account update", CMD_ACCOUNT_UPDATE, "acmectl account update --email" },
	{ "account export", CMD_ACCOUNT_EXPORT, "acmectl account export --cert-manager -o" },
	{ "account import", CMD_ACCOUNT_IMPORT,
	    "acmectl account import --cert-manager --from-issuer issuer.yaml" },
	{ "issue", CMD_ISSUE, "acmectl issue --webroot /var/www/html example.org" },
	{ "renew", CMD_RENEW, "acmectl renew --deploy-hook 'systemctl reload nginx'" },
	{ "list", CMD_LIST, "acmectl list --json" },
	{ "revoke", CMD_REVOKE, "acmectl revoke example.org --reason superseded" },
	{ "proxy explain", CMD_PROXY_EXPLAIN, "acmectl proxy explain https://" },
	{ "diagnose", CMD_DIAGNOSE, "acmectl diagnose --from-issuer issuer.yaml" },
};

/* True when text names opt as a word of its own: "--name" is not in
 * "--namespace", "-v" not in "-vv". */
static bool mentions(const char *text, const char *opt)
{
	const char *at = text;
	size_t len = strlen(opt);

	while ((at = strstr(at, opt)) != NULL) {
		if ((at == text || strchr(" [(|,\n", at[-1]) != NULL) &&
		    strchr(" =]),\n", at[len]) != NULL)
			return true;
		at += len;
	}
	return false;
}

/* text without its examples (up to the next blank line): an option must
 * be in the usage lines or explained, not only in an example. Caller frees. */
static char *without_examples(const char *text)
{
	const char *ex = strstr(text, "\nExamples:\n"), *end;

	if (ex == NULL)
		return xstrdup(text);
	end = strstr(ex + 1, "\n\n");
	return xasprintf("%.*s%s", (int)(ex - text), text, end != NULL ? end : "");
}

/* Every option cmd's parser accepts is in its help, not only in an
 * example, and every option the help names (a word starting with a dash)
 * is accepted. */
static void check_help_options(const char *name, enum command cmd, const char *text)
{
	const char *opt, *p;
	char word[64], *explained = without_examples(text);
	size_t i, len;

	for (i = 0; (opt = cli_option_name(i)) != NULL; i++)
		if (cli_option_accepts(opt, cmd))
			CHECK(mentions(explained, opt), "help %s lacks option %s", name, opt);
	free(explained);
	for (p = text; (p = strchr(p, '-')) != NULL; p += len) {
		len = strspn(p, "-abcdefghijklmnopqrstuvwxyz0123456789V");
		if ((p != text && strchr(" [(|,\n", p[-1]) == NULL) || len < 2 ||
		    len >= sizeof(word) || p[len - 1] == '-') {
			len = 1;
			continue;
		}
		memcpy(word, p, len);
		word[len] = '\0';
		CHECK(cli_option_accepts(word, cmd), "help %s names %s, which %s does not accept",
		    name, word, name);
	}
}

static void check_help(size_t k)
{
	char *text, *usage, *example;
	size_t lines = 0;
	const char *p, *nl;

	err_clear();
	text = help_command(helps[k].name);
	CHECK(text != NULL, "no help for %s", helps[k].name);
	if (text == NULL)
		return;
	usage = xasprintf("usage: acmectl %s", helps[k].name);
	example = xasprintf("\n  %s", helps[k].example);
	CHECK(strncmp(text, usage, strlen(usage)) == 0, "help %s starts \"%.40s\"",
	    helps[k].name, text);
	CHECK(strstr(text, example) != NULL, "help %s lacks the example \"%s\"",
	    helps[k].name, helps[k].example);
	CHECK(strstr(text, "\nGlobal options (acmectl --help): --server --staging") != NULL,
	    "help %s lacks the global options", helps[k].name);
	for (p = text; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		lines++;
		CHECK(nl - p <= 79, "help %s has a line of %d characters: %.*s",
		    helps[k].name, (int)(nl - p), (int)(nl - p), p);
	}
	CHECK(lines >= 6 && lines <= 45, "help %s is %zu lines", helps[k].name, lines);
	check_help_options(helps[k].name, helps[k].cmd, text);
	free(usage);
	free(example);
	free(text);
}

/* A group's help: the usage line of each of its commands, every option
 * they accept (in those lines), no option they do not, their examples, and
 * shorter than all of their helps. */
static void check_group(const char *group, const enum command *members, size_t n)
{
	char *text = help_command(group), *want, *one, *explained;
	const char *opt, *p;
	char word[64];
	size_t i, j, k, len, lines = 0, member_lines = 0;
	bool accepted;

	CHECK(text != NULL, "no help for %s", group);
	if (text == NULL)
		return;
	for (i = 0; i < n; i++) {
		for (k = 0; k < nitems(helps) - 1 && helps[k].cmd != members[i]; k++)
			;
		want = xasprintf("usage: acmectl %s", helps[k].name);
		CHECK(strstr(text, want) != NULL, "help %s lacks %s", group, helps[k].name);
		free(want);
		want = xasprintf("\n  %s", helps[k].example);
		CHECK(strstr(text, want) != NULL, "help %s lacks the example of %s", group,
		    helps[k].name);
		free(want);
		explained = without_examples(text);
		for (j = 0; (opt = cli_option_name(j)) != NULL; j++)
			if (cli_option_accepts(opt, members[i]))
				CHECK(mentions(explained, opt), "help %s lacks option %s", group, opt);
		free(explained);
		one = help_command(helps[k].name);
		for (p = one; p != NULL && (p = strchr(p, '\n')) != NULL; p++)
			member_lines++;
		free(one);
	}
	for (p = text; (p = strchr(p, '-')) != NULL; p += len) {
		len = strspn(p, "-abcdefghijklmnopqrstuvwxyz0123456789V");
		if ((p != text && strchr(" [(|,\n", p[-1]) == NULL) || len < 2 ||
		    len >= sizeof(word) || p[len - 1] == '-') {
			len = 1;
			continue;
		}
		memcpy(word, p, len);
		word[len] = '\0';
		for (i = 0, accepted = false; i < n && !accepted; i++)
			accepted = cli_option_accepts(word, members[i]);
		CHECK(accepted, "help %s names %s, which none of its commands accepts", group, word);
	}
	for (p = text; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	CHECK(n == 1 || lines < member_lines / 2, "help %s is %zu lines, its commands' %zu",
	    group, lines, member_lines);
	CHECK(strstr(text, "usage: acmectl issue") == NULL, "help %s holds issue's", group);
	free(text);
}

static const struct {
	const char *a, *b;
	size_t distance;
} distances[] = {
	{ "", "", 0 },
	{ "renew", "renew", 0 },
	{ "", "abc", 3 },
	{ "renw", "renew", 1 },
	{ "rneew", "renew", 1 },            /* a swap is one edit */
	{ "--forse", "--force", 1 },
	{ "kitten", "sitting", 3 },
	{ "ca", "abc", 3 },                 /* each substring edited once only */
	{ "list", "revoke", 6 },
	{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "x",
	    (size_t)-1 },
};

static const char *const words[] = {
	"renew", "revoke", "list", "issue", "account", "--force", "--foo1", "--foo2", "-v",
	"-q",
};

static const struct {
	const char *word, *want;    /* want NULL: no suggestion */
} nearest[] = {
	{ "renw", "renew" },
	{ "lst", "list" },
	{ "isue", "issue" },
	{ "acount", "account" },
	{ "acconut", "account" },
	{ "--forc", "--force" },
	{ "renew", NULL },              /* no typo at all */
	{ "rnw", NULL },                /* a short word: one edit at most */
	{ "revokes", "revoke" },
	{ "frobnicate", NULL },
	{ "--foo3", NULL },             /* as near to two */
	{ "-x", NULL },
};

int main(void)
{
	size_t i;

	for (i = 0; i < nitems(usage_mentions); i++)
		CHECK(strstr(help_usage(), usage_mentions[i]) != NULL,
		    "usage lacks \"%s\"", usage_mentions[i]);

	for (i = 0; i < nitems(helps); i++)
		check_help(i);
	{
		static const enum command account[] = { CMD_ACCOUNT_REGISTER, CMD_ACCOUNT_SHOW,
			CMD_ACCOUNT_ROLLOVER, CMD_ACCOUNT_DEACTIVATE, CMD_ACCOUNT_UPDATE,
			CMD_ACCOUNT_EXPORT, CMD_ACCOUNT_IMPORT };
		static const enum command proxy[] = { CMD_PROXY_EXPLAIN };

		check_group("account", account, nitems(account));
		check_group("proxy", proxy, nitems(proxy));
	}
	err_clear();
	CHECK(help_command("nosuch") == NULL && err_kind() == ERR_USAGE,
	    "help nosuch is refused");
	CHECK(help_command("accoun") == NULL, "help accoun is refused");

	for (i = 0; i < nitems(distances); i++)
		CHECK_INT(help_distance(distances[i].a, distances[i].b),
		    distances[i].distance, distances[i].a);
	for (i = 0; i < nitems(nearest); i++)
		CHECK_STR(help_nearest(nearest[i].word, words, nitems(words)), nearest[i].want,
		    nearest[i].word);

	err_clear();
	return test_done();
}
