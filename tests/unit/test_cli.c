/* test_cli.c - cli_parse and cli_server_url against tables: commands,
 * options, help topics, suggestions for mistyped words. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "key.h"
#include "test.h"

#define XDG_STATE "/tmp/acmectl-test-xdg-state"
#define LE LETSENCRYPT_URL
#define LES LETSENCRYPT_STAGING_URL
#define EX "https://acme.example/dir"
#define USAGE ERR_USAGE
#define ANY (-1)

/* One command line and what cli_parse must make of it. */
struct row {
	const char *args;     /* after "acmectl", split on spaces */
	int rc;               /* 0, or the err kind of the failure */
	enum command cmd;     /* checked when rc == 0 */
	const char *server;   /* NULL: not checked */
	long timeout;         /* ANY: not checked */
	int nnames;           /* ANY: not checked */
	const char *webroot;  /* NULL: not checked; "(null)" for NULL */
	const char *fields;   /* further "key=value" checks, space-separated */
	const char *error;    /* fragment of the message when rc != 0 */
};

static const struct row rows[] = {
	/* help and version win wherever they stand, even over mistakes */
	{ "--help", 0, CMD_HELP, NULL, ANY, ANY, NULL, NULL, NULL },
	{ "-h", 0, CMD_HELP, NULL, ANY, ANY, NULL, NULL, NULL },
	{ "help", 0, CMD_HELP, NULL, ANY, ANY, NULL, NULL, NULL },
	{ "help issue", 0, CMD_HELP, NULL, ANY, ANY, NULL, NULL, NULL },
	{ "issue --webroot /w a.example -h", 0, CMD_HELP, NULL, ANY, ANY, NULL, NULL, NULL },
	{ "--bogus frobnicate --help", 0, CMD_HELP, NULL, ANY, ANY, NULL, NULL, NULL },
	{ "--version", 0, CMD_VERSION, NULL, ANY, ANY, NULL, NULL, NULL },
	{ "-V", 0, CMD_VERSION, NULL, ANY, ANY, NULL, NULL, NULL },
	{ "account show --version", 0, CMD_VERSION, NULL, ANY, ANY, NULL, NULL, NULL },
	{ "--version --help", 0, CMD_HELP, NULL, ANY, ANY, NULL, NULL, NULL },
	{ "--help --version", 0, CMD_HELP, NULL, ANY, ANY, NULL, NULL, NULL },

	/* help about one command: the words before or after --help name it */
	{ "--help", 0, CMD_HELP, NULL, ANY, ANY, NULL, "help_topic=(null)", NULL },
	{ "help", 0, CMD_HELP, NULL, ANY, ANY, NULL, "help_topic=(null)", NULL },
	{ "help help", 0, CMD_HELP, NULL, ANY, ANY, NULL, "help_topic=(null)", NULL },
	{ "issue --help", 0, CMD_HELP, NULL, ANY, ANY, NULL, "help_topic=issue", NULL },
	{ "help issue", 0, CMD_HELP, NULL, ANY, ANY, NULL, "help_topic=issue", NULL },
	{ "issue --webroot /w a.example -h", 0, CMD_HELP, NULL, ANY, ANY, NULL,
	    "help_topic=issue", NULL },
	{ "--staging renew a.example --help", 0, CMD_HELP, NULL, ANY, ANY, NULL,
	    "help_topic=renew", NULL },
	{ "account --help", 0, CMD_HELP, NULL, ANY, ANY, NULL, "help_topic=account", NULL },
	{ "help account", 0, CMD_HELP, NULL, ANY, ANY, NULL, "help_topic=account", NULL },
	{ "account register --help", 0, CMD_HELP, NULL, ANY, ANY, NULL,
	    "help_topic=account_register", NULL },
	{ "help account register", 0, CMD_HELP, NULL, ANY, ANY, NULL,
	    "help_topic=account_register", NULL },
	{ "help proxy", 0, CMD_HELP, NULL, ANY, ANY, NULL, "help_topic=proxy", NULL },
	{ "--bogus frobnicate --help", 0, CMD_HELP, NULL, ANY, ANY, NULL,
	    "help_topic=(null)", NULL },
	{ "account bogus --help", 0, CMD_HELP, NULL, ANY, ANY, NULL, "help_topic=(null)", NULL },
	{ "help nosuch", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown command \"nosuch\" (try acmectl --help)" },
	{ "help isue", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown command \"isue\" (did you mean issue?)" },
	{ "help account regster", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown command \"account regster\" (did you mean account register?)" },
	{ "help issue a.example", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unexpected argument \"a.example\" for help" },

	/* a slip of the fingers: the nearest command or option */
	{ "renw", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown command \"renw\" (did you mean renew?)" },
	{ "rneew", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown command \"rneew\" (did you mean renew?)" },
	{ "acount show", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown command \"acount\" (did you mean account?)" },
	{ "account shwo", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown command \"account shwo\" (did you mean account show?)" },
	{ "renew --forse", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown option \"--forse\" (did you mean --force?)" },
	{ "renew --dyas 30", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown option \"--dyas\" (did you mean --days?)" },
	{ "issue --web-root=/w a.example", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown option \"--web-root\" (did you mean --webroot?)" },
	{ "list --jsno", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown option \"--jsno\" (did you mean --json?)" },
	/* too far from any, or as near to two: no guess */
	{ "renew --frobnicate", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown option \"--frobnicate\"" },
	{ "-x account show", USAGE, 0, NULL, ANY, ANY, NULL, NULL, "unknown option \"-x\"" },
	{ "zzz", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown command \"zzz\" (try acmectl --help)" },
	/* what the terminal would act on is shown, not sent */
	{ "renew --fo\033]0;x\a", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown option \"--fo\\x1b]0;x\\x07\"" },
	{ "ren\033[2Jew", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown command \"ren\\x1b[2Jew\" (try acmectl --help)" },
	{ "account sh\033ow", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown command \"account sh\\x1bow\" (did you mean account show?)" },
	{ "issue --standalone \033[1m", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--standalone takes [ADDR:]PORT, not \"\\x1b[1m\"" },

	/* certbot habits */
	{ "renew --force-renewal", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown option \"--force-renewal\": certbot's --force-renewal is --force here" },
	{ "issue --webroot /w -d a.example", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown option \"-d\": the names are arguments here, without -d" },
	{ "issue --webroot /w --domains=a.example", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown option \"--domains\": the names are arguments here, without --domains" },
	{ "issue --standalone a.example", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--standalone takes [ADDR:]PORT, not \"a.example\"; the names are arguments "
	    "(acmectl issue --standalone 80 example.org)" },
	{ "issue --standalone -d a.example", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--standalone takes [ADDR:]PORT, not \"-d\"" },
	{ "issue --standalone 127.0.0.1: a.example", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--standalone takes [ADDR:]PORT, not \"127.0.0.1:\"" },
	{ "issue --standalone [::1]:8080 a.example", 0, CMD_ISSUE, NULL, ANY, 1, NULL,
	    "standalone=[::1]:8080", NULL },
	{ "issue --tls-alpn [::1]:8443 a.example", 0, CMD_ISSUE, NULL, ANY, 1, "(null)",
	    "tls_alpn=[::1]:8443 standalone=(null)", NULL },
	{ "issue --tls-alpn=443 a.example", 0, CMD_ISSUE, NULL, ANY, 1, NULL, "tls_alpn=443",
	    NULL },
	{ "issue --tls-alpn a.example", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--tls-alpn takes [ADDR:]PORT, not \"a.example\"; the names are arguments "
	    "(acmectl issue --tls-alpn 443 example.org)" },
	{ "issue --tls-alpn 443 --standalone 80 a.example", USAGE, 0, NULL, ANY, ANY, NULL,
	    NULL, "--tls-alpn cannot be used with --webroot, --standalone or --dns-hook" },
	{ "issue --tls-alpn 443 --dns-hook /h a.example", USAGE, 0, NULL, ANY, ANY, NULL,
	    NULL, "--tls-alpn cannot be used with --webroot, --standalone or --dns-hook" },
	{ "renew --tls-alpn 443", USAGE, 0, NULL, ANY, ANY, NULL, NULL, "--tls-alpn" },
	{ "renew --renew-hook x", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "certbot's --renew-hook is --deploy-hook CMD here" },
	{ "certonly --webroot /w a.example", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown command \"certonly\": certbot's certonly is acmectl issue" },
	{ "certificates", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "certbot's certificates is acmectl list" },

	/* no command, unknown command */
	{ "", USAGE, 0, NULL, ANY, ANY, NULL, NULL, "no command given" },
	{ "-v --json", USAGE, 0, NULL, ANY, ANY, NULL, NULL, "no command given" },
	{ "frobnicate", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown command \"frobnicate\" (try acmectl --help)" },
	{ "account", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "\"account\" needs a subcommand" },
	{ "account delete", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown command \"account delete\" (try acmectl --help)" },
	{ "proxy", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "\"proxy\" needs a subcommand" },

	/* account register: defaults */
	{ "account register --agree-tos", 0, CMD_ACCOUNT_REGISTER, LE, 30, 0, "(null)",
	    "agree_tos=1 email=(null) account_key_type=ec256 cert_key_type=ec256 "
	    "account_key=(null) eab_kid=(null) eab_hmac_key=(null) eab_alg=HS256 "
	    "state_dir=DEFAULT server_set=0 timeout_set=0 step_timeout=5 verbosity=0 "
	    "quiet=0 json=0 config=(null) proxy=(null) proxy_auth_file=(null) "
	    "no_proxy=(null) no_env_proxy=0 proxy_rules=go ca_bundle=(null) url=(null)",
	    NULL },
	{ "account register --email a@example.org --agree-tos --key-type rsa3072 "
	    "--account-key /k.pem", 0, CMD_ACCOUNT_REGISTER, LE, 30, 0, NULL,
	    "email=a@example.org account_key_type=rsa3072 cert_key_type=ec256 "
	    "account_key=/k.pem", NULL },
	{ "account register --agree-tos --eab-kid kid1 --eab-hmac-key abc-_x "
	    "--eab-alg HS512", 0, CMD_ACCOUNT_REGISTER, NULL, ANY, ANY, NULL,
	    "eab_kid=kid1 eab_hmac_key=abc-_x eab_alg=HS512", NULL },
	{ "account register --eab-alg=HS384 --eab-kid=k --eab-hmac-key=--x_ --agree-tos",
	    0, CMD_ACCOUNT_REGISTER, NULL, ANY, ANY, NULL,
	    "eab_kid=k eab_hmac_key=--x_ eab_alg=HS384", NULL },
	{ "account register --agree-tos --key-type=ec384", 0, CMD_ACCOUNT_REGISTER,
	    NULL, ANY, ANY, NULL, "account_key_type=ec384 cert_key_type=ec256", NULL },
	{ "account register --agree-tos --email=-q", 0, CMD_ACCOUNT_REGISTER,
	    NULL, ANY, ANY, NULL, "email=-q quiet=0", NULL },

	/* account register: usage errors */
	{ "account register --email a@example.org", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "account register needs --agree-tos" },
	{ "account register --agree-tos --eab-kid k", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--eab-kid and --eab-hmac-key must be given together" },
	{ "account register --agree-tos --eab-hmac-key h", USAGE, 0, NULL, ANY, ANY, NULL,
	    NULL, "--eab-kid and --eab-hmac-key must be given together" },
	{ "account register --agree-tos --eab-kid k --eab-hmac-key h --eab-alg RS256",
	    USAGE, 0, NULL, ANY, ANY, NULL, NULL, "--eab-alg must be HS256, HS384 or HS512" },
	{ "account register --agree-tos --eab-alg hs256 --eab-kid k --eab-hmac-key h",
	    USAGE, 0, NULL, ANY, ANY, NULL, NULL, "--eab-alg must be HS256, HS384 or HS512" },
	{ "account register --agree-tos --eab-alg HS256", USAGE, 0, NULL, ANY, ANY, NULL,
	    NULL, "--eab-alg needs --eab-kid and --eab-hmac-key" },
	{ "account register --agree-tos --key-type dsa1024", USAGE, 0, NULL, ANY, ANY, NULL,
	    NULL, "--key-type: unknown key type \"dsa1024\"" },
	{ "account register --agree-tos --webroot /w", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --webroot is not valid for account register" },
	{ "account register --agree-tos --account-url https://x/acct/1", USAGE, 0, NULL,
	    ANY, ANY, NULL, NULL, "option --account-url is not valid for account register" },
	{ "account register --agree-tos extra", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unexpected argument \"extra\" for account register" },
	{ "account register --agree-tos --email -q", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --email needs a value" },
	{ "account register --agree-tos --agree-tos=yes", USAGE, 0, NULL, ANY, ANY, NULL,
	    NULL, "option --agree-tos takes no value" },

	/* account show, and global options before and after the command */
	{ "account show", 0, CMD_ACCOUNT_SHOW, LE, 30, 0, "(null)",
	    "json=0 state_dir=DEFAULT", NULL },
	{ "account show --json", 0, CMD_ACCOUNT_SHOW, NULL, ANY, ANY, NULL, "json=1", NULL },
	{ "--json account show", 0, CMD_ACCOUNT_SHOW, NULL, ANY, ANY, NULL, "json=1", NULL },
	{ "--server " EX " account show", 0, CMD_ACCOUNT_SHOW, EX, ANY, ANY, NULL,
	    "server_set=1", NULL },
	{ "account show --server " EX, 0, CMD_ACCOUNT_SHOW, EX, ANY, ANY, NULL,
	    "server_set=1", NULL },
	{ "--server=" EX " account show", 0, CMD_ACCOUNT_SHOW, EX, ANY, ANY, NULL, NULL, NULL },
	{ "account --server " EX " show", 0, CMD_ACCOUNT_SHOW, EX, ANY, ANY, NULL, NULL, NULL },
	{ "--server letsencrypt account show", 0, CMD_ACCOUNT_SHOW, LE, ANY, ANY, NULL,
	    "server_set=1", NULL },
	{ "account show --server=letsencrypt-staging", 0, CMD_ACCOUNT_SHOW, LES, ANY, ANY,
	    NULL, "server_set=1", NULL },
	{ "--staging account show", 0, CMD_ACCOUNT_SHOW, LES, ANY, ANY, NULL,
	    "server_set=1", NULL },
	{ "account show --staging", 0, CMD_ACCOUNT_SHOW, LES, ANY, ANY, NULL, NULL, NULL },
	{ "--server HTTPS://ACME.example:14000/dir account show", 0, CMD_ACCOUNT_SHOW,
	    "HTTPS://ACME.example:14000/dir", ANY, ANY, NULL, NULL, NULL },
	{ "--server http://acme.example/dir account show", USAGE, 0, NULL, ANY, ANY, NULL,
	    NULL, "--server must be an https:// URL" },
	{ "account show --server=ftp://acme.example/", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--server must be an https:// URL" },
	{ "--server https:// account show", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--server must be an https:// URL" },
	{ "--server letsencrypt-prod account show", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--server must be an https:// URL" },
	{ "account show --server", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --server needs a value" },
	{ "--server --json account show", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --server needs a value" },
	{ "--server= account show", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --server needs a value" },
	{ "--state-dir /tmp/st account show", 0, CMD_ACCOUNT_SHOW, NULL, ANY, ANY, NULL,
	    "state_dir=/tmp/st", NULL },
	{ "account show --state-dir=/srv/acme", 0, CMD_ACCOUNT_SHOW, NULL, ANY, ANY, NULL,
	    "state_dir=/srv/acme", NULL },
	{ "--ca-bundle /etc/ca.pem account show", 0, CMD_ACCOUNT_SHOW, NULL, ANY, ANY, NULL,
	    "ca_bundle=/etc/ca.pem", NULL },
	{ "--timeout 90 account show", 0, CMD_ACCOUNT_SHOW, NULL, 90, ANY, NULL,
	    "timeout_set=1", NULL },
	{ "account show --timeout=1", 0, CMD_ACCOUNT_SHOW, NULL, 1, ANY, NULL, NULL, NULL },
	{ "--timeout=30 account show --timeout 45", 0, CMD_ACCOUNT_SHOW, NULL, 45, ANY,
	    NULL, NULL, NULL },
	{ "--timeout 86400 account show", 0, CMD_ACCOUNT_SHOW, NULL, 86400, ANY, NULL, NULL,
	    NULL },
	{ "--timeout 0 account show", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--timeout must be a whole number of seconds" },
	{ "--timeout -5 account show", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--timeout must be a whole number of seconds" },
	{ "--timeout 10s account show", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--timeout must be a whole number of seconds" },
	{ "--timeout 86401 account show", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--timeout must be a whole number of seconds" },
	{ "--timeout 99999999999999999999 account show", USAGE, 0, NULL, ANY, ANY, NULL,
	    NULL, "--timeout must be a whole number of seconds" },
	{ "-v account show", 0, CMD_ACCOUNT_SHOW, NULL, ANY, ANY, NULL, "verbosity=1", NULL },
	{ "account show -vv", 0, CMD_ACCOUNT_SHOW, NULL, ANY, ANY, NULL, "verbosity=2", NULL },
	{ "-v account show -v -vv", 0, CMD_ACCOUNT_SHOW, NULL, ANY, ANY, NULL,
	    "verbosity=4", NULL },
	{ "-q account show", 0, CMD_ACCOUNT_SHOW, NULL, ANY, ANY, NULL,
	    "quiet=1 verbosity=0", NULL },
	{ "-q account show -v", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "-q and -v cannot be used together" },
	{ "--config /etc/x.conf account show", 0, CMD_ACCOUNT_SHOW, NULL, ANY, ANY, NULL,
	    "config=/etc/x.conf", NULL },
	{ "--proxy http://proxy:3128 account show --proxy-auth-file /p", 0,
	    CMD_ACCOUNT_SHOW, NULL, ANY, ANY, NULL,
	    "proxy=http://proxy:3128 proxy_auth_file=/p", NULL },
	{ "--no-proxy example.org,.corp account show --no-env-proxy", 0, CMD_ACCOUNT_SHOW,
	    NULL, ANY, ANY, NULL, "no_proxy=example.org,.corp no_env_proxy=1", NULL },
	{ "--no-proxy= account show", 0, CMD_ACCOUNT_SHOW, NULL, ANY, ANY, NULL,
	    "no_proxy=", NULL },
	{ "--proxy-rules curl account show", 0, CMD_ACCOUNT_SHOW, NULL, ANY, ANY, NULL,
	    "proxy_rules=curl", NULL },
	{ "account show --proxy-rules=go", 0, CMD_ACCOUNT_SHOW, NULL, ANY, ANY, NULL,
	    "proxy_rules=go", NULL },
	{ "--proxy-rules=wget account show", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--proxy-rules must be go or curl" },
	{ "--json=yes account show", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --json takes no value" },
	{ "--foo account show", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown option \"--foo\"" },
	/* the name only: a mistyped secret option must not echo the secret */
	{ "account show --eab-hmac=SECRET", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown option \"--eab-hmac\"" },
	{ "-x account show", USAGE, 0, NULL, ANY, ANY, NULL, NULL, "unknown option \"-x\"" },
	{ "-vq account show", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown option \"-vq\"" },
	{ "--foo --bar account show", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown option \"--foo\"" },
	{ "account show --webroot /w", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --webroot is not valid for account show" },
	{ "account show --agree-tos", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --agree-tos is not valid for account show" },
	{ "account show --email a@example.org", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --email is not valid for account show" },

	/* issue */
	{ "issue --webroot /var/www a.example b.example", 0, CMD_ISSUE, LE, 30, 2,
	    "/var/www", "names=a.example,b.example standalone=(null) cert_key_type=ec256 "
	    "csr=(null) name=(null) force=0 email=(null) agree_tos=0", NULL },
	{ "--staging issue --standalone 8080 --key-type rsa2048 a.example", 0, CMD_ISSUE,
	    LES, ANY, 1, "(null)", "standalone=8080 cert_key_type=rsa2048 "
	    "account_key_type=ec256", NULL },
	{ "issue a.example --standalone=[::1]:80 --name site --force --csr /r.pem "
	    "b.example", 0, CMD_ISSUE, NULL, ANY, 2, NULL,
	    "standalone=[::1]:80 name=site force=1 csr=/r.pem names=a.example,b.example",
	    NULL },
	{ "issue --csr /r.pem --webroot /w", 0, CMD_ISSUE, NULL, ANY, 0, "/w",
	    "csr=/r.pem names=", NULL },
	{ "issue --webroot=/w --email a@example.org --agree-tos a.example", 0, CMD_ISSUE,
	    NULL, ANY, 1, "/w", "email=a@example.org agree_tos=1", NULL },
	{ "issue --webroot /w --key-type ec384 a.example", 0, CMD_ISSUE, NULL, ANY, 1,
	    NULL, "cert_key_type=ec384 account_key_type=ec256", NULL },
	{ "issue --webroot /w -- -odd.example --force", 0, CMD_ISSUE, NULL, ANY, 2, "/w",
	    "names=-odd.example,--force force=0", NULL },
	{ "issue --webroot /w a.example --timeout 5 -v --json", 0, CMD_ISSUE, NULL, 5, 1,
	    NULL, "verbosity=1 json=1 step_timeout=5", NULL },
	{ "issue --webroot /w --standalone 80 a.example", USAGE, 0, NULL, ANY, ANY, NULL,
	    NULL, "--webroot and --standalone cannot be used together" },
	/* a kept certificate remembers how it answers challenges: cmd_issue
	 * asks for one only when there is none */
	{ "issue a.example", 0, CMD_ISSUE, NULL, ANY, 1, "(null)",
	    "standalone=(null) dns_hook=(null) cert_key_type_set=0 dns_wait_set=0 "
	    "replace_names=0 dry_run=0", NULL },
	{ "issue a.example --key-type ec384 --dns-wait 0 --replace-names", 0, CMD_ISSUE,
	    NULL, ANY, 1, NULL, "cert_key_type_set=1 dns_wait_set=1 replace_names=1", NULL },
	{ "issue a.example --deploy-hook x --pre-hook= --post-hook z", 0, CMD_ISSUE, NULL,
	    ANY, 1, NULL, "deploy_hook=x pre_hook= post_hook=z", NULL },
	{ "issue a.example --dry-run --dry-run-server letsencrypt-staging", 0, CMD_ISSUE,
	    NULL, ANY, 1, NULL, "dry_run=1 dry_run_server=" LES, NULL },
	{ "renew --dry-run", 0, CMD_RENEW, NULL, ANY, 0, NULL,
	    "dry_run=1 dry_run_server=(null)", NULL },
	{ "renew --dry-run-server https://t.example/dir", USAGE, 0, NULL, ANY, ANY, NULL,
	    NULL, "--dry-run-server needs --dry-run" },
	{ "renew --dry-run --dry-run-server http://t.example/dir", USAGE, 0, NULL, ANY,
	    ANY, NULL, NULL, "--dry-run-server must be an https:// URL" },
	{ "renew --replace-names", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --replace-names is not valid for renew" },
	{ "issue --webroot /w", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "issue needs at least one NAME" },
	/* renew, list, revoke, account management */
	{ "renew", 0, CMD_RENEW, NULL, ANY, 0, NULL,
	    "days=-1 parallel=8 jitter=0 force=0 hook_timeout=300", NULL },
	{ "renew a.example b.example --days 30 --force --jitter 600 --parallel 4", 0, CMD_RENEW,
	    NULL, ANY, 2, NULL, "days=30 force=1 jitter=600 parallel=4", NULL },
	{ "renew --deploy-hook /bin/reload --pre-hook pre --post-hook post", 0, CMD_RENEW, NULL,
	    ANY, 0, NULL, "deploy_hook=/bin/reload pre_hook=pre post_hook=post", NULL },
	{ "renew --deploy-hook= --pre-hook=", 0, CMD_RENEW, NULL, ANY, 0, NULL,
	    "deploy_hook= pre_hook= post_hook=(null)", NULL },
	{ "renew --days 3651", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--days must be a whole number from 0 to 3650 (got \"3651\")" },
	{ "renew --days x", USAGE, 0, NULL, ANY, ANY, NULL, NULL, "--days must be a whole number" },
	{ "renew --parallel 0", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--parallel must be a whole number from 1 to 64" },
	/* --hook-timeout: 0 (no limit) to a day, issue and renew */
	{ "renew --hook-timeout 0", 0, CMD_RENEW, NULL, ANY, 0, NULL, "hook_timeout=0", NULL },
	{ "renew --hook-timeout=86400", 0, CMD_RENEW, NULL, ANY, 0, NULL,
	    "hook_timeout=86400", NULL },
	{ "--hook-timeout 7 renew", 0, CMD_RENEW, NULL, ANY, 0, NULL, "hook_timeout=7", NULL },
	{ "issue --dns-hook /h --hook-timeout 30 a.example", 0, CMD_ISSUE, NULL, ANY, 1, NULL,
	    "hook_timeout=30 dns_hook=/h", NULL },
	{ "issue --webroot /w a.example", 0, CMD_ISSUE, NULL, ANY, 1, NULL,
	    "hook_timeout=300", NULL },
	/* --deadline: one issuance's budget, 1 s to a day, issue and renew */
	{ "renew", 0, CMD_RENEW, NULL, ANY, 0, NULL, "deadline=300", NULL },
	{ "issue --webroot /w a.example --deadline 5", 0, CMD_ISSUE, NULL, 30, 1, NULL,
	    "deadline=5 hook_timeout=300", NULL },
	{ "--deadline=86400 renew", 0, CMD_RENEW, NULL, ANY, 0, NULL, "deadline=86400", NULL },
	{ "renew --deadline 0", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--deadline must be a whole number from 1 to 86400 (got \"0\")" },
	{ "renew --deadline 86401", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--deadline must be a whole number from 1 to 86400 (got \"86401\")" },
	{ "renew --deadline 5m", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--deadline must be a whole number from 1 to 86400 (got \"5m\")" },
	{ "renew --deadline", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --deadline needs a value" },
	{ "account show --deadline 5", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --deadline is not valid for account show" },
	{ "renew --hook-timeout 86401", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--hook-timeout must be a whole number from 0 to 86400 (got \"86401\")" },
	{ "renew --hook-timeout -1", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--hook-timeout must be a whole number from 0 to 86400 (got \"-1\")" },
	{ "renew --hook-timeout 1.5", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--hook-timeout must be a whole number from 0 to 86400 (got \"1.5\")" },
	{ "renew --hook-timeout 5s", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--hook-timeout must be a whole number from 0 to 86400 (got \"5s\")" },
	{ "renew --hook-timeout=+5", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--hook-timeout must be a whole number from 0 to 86400 (got \"+5\")" },
	{ "renew --hook-timeout 99999999999999999999", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--hook-timeout must be a whole number from 0 to 86400" },
	{ "renew --hook-timeout=", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --hook-timeout needs a value" },
	{ "renew --hook-timeout --force", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --hook-timeout needs a value" },
	{ "list --hook-timeout 5", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --hook-timeout is not valid for list" },
	{ "account register --agree-tos --hook-timeout 5", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --hook-timeout is not valid for account register" },
	{ "renew --webroot /w", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --webroot is not valid for renew" },
	{ "issue --webroot /w --parallel 2 a.example", 0, CMD_ISSUE, NULL, ANY, 1, NULL,
	    "parallel=2", NULL },
	{ "issue --webroot /w --days 3 a.example", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --days is not valid for issue" },
	{ "list --json", 0, CMD_LIST, NULL, ANY, ANY, NULL, "json=1", NULL },
	{ "list a.example", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unexpected argument \"a.example\" for list" },
	{ "revoke a.example --reason keyCompromise", 0, CMD_REVOKE, NULL, ANY, 1, NULL,
	    "reason=1 names=a.example", NULL },
	{ "revoke --cert /c.pem --cert-key /k.pem --reason 4", 0, CMD_REVOKE, NULL, ANY, 0, NULL,
	    "cert_file=/c.pem cert_key_file=/k.pem reason=4", NULL },
	{ "revoke a.example --reason superseded", 0, CMD_REVOKE, NULL, ANY, 1, NULL, "reason=4", NULL },
	{ "revoke a.example", 0, CMD_REVOKE, NULL, ANY, 1, NULL, "reason=-1", NULL },
	{ "revoke a.example --reason 7", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--reason must be an RFC 5280 reason code" },
	{ "revoke a.example --reason bogus", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--reason must be an RFC 5280 reason code" },
	{ "revoke", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "revoke needs a certificate NAME or --cert FILE" },
	{ "revoke a.example --cert /c.pem", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "revoke needs a certificate NAME or --cert FILE (one of them)" },
	{ "revoke a.example b.example", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "revoke takes one certificate NAME" },
	{ "revoke a.example --cert-key /k.pem", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--cert-key needs --cert FILE" },
	{ "account rollover --key-type ec384", 0, CMD_ACCOUNT_ROLLOVER, NULL, ANY, ANY, NULL,
	    "account_key_type=ec384", NULL },
	{ "account rollover --account-key /new.pem", 0, CMD_ACCOUNT_ROLLOVER, NULL, ANY, ANY, NULL,
	    "account_key=/new.pem", NULL },
	{ "account deactivate --yes", 0, CMD_ACCOUNT_DEACTIVATE, NULL, ANY, ANY, NULL, "yes=1", NULL },
	/* delete: one NAME, --yes */
	{ "delete a.example", 0, CMD_DELETE, NULL, ANY, 1, NULL, "yes=0", NULL },
	{ "delete --yes a.example", 0, CMD_DELETE, NULL, ANY, 1, NULL, "yes=1", NULL },
	{ "delete", USAGE, 0, NULL, ANY, ANY, NULL, NULL, "delete takes one certificate NAME" },
	{ "delete a.example b.example --yes", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "delete takes one certificate NAME" },
	{ "delete a.example --force", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --force is not valid for delete" },
	{ "delet a.example", USAGE, 0, NULL, ANY, ANY, NULL, NULL, "did you mean delete?" },
	/* --reuse-key, --no-reuse-key (issue), --metrics (renew, list) */
	{ "issue --webroot /w --reuse-key a.example", 0, CMD_ISSUE, NULL, ANY, 1, NULL,
	    "reuse_key=1 no_reuse_key=0", NULL },
	{ "issue --webroot /w --no-reuse-key a.example", 0, CMD_ISSUE, NULL, ANY, 1, NULL,
	    "reuse_key=0 no_reuse_key=1", NULL },
	{ "issue --webroot /w --reuse-key --no-reuse-key a.example", USAGE, 0, NULL, ANY, ANY,
	    NULL, NULL, "--reuse-key cannot be used with --no-reuse-key" },
	{ "issue --webroot /w --reuse-key --csr /r.csr", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--reuse-key cannot be used with --csr" },
	{ "renew --reuse-key", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --reuse-key is not valid for renew" },
	{ "renew --metrics /t/a.prom", 0, CMD_RENEW, NULL, ANY, 0, NULL, "metrics=/t/a.prom", NULL },
	{ "list --metrics=/t/a.prom", 0, CMD_LIST, NULL, ANY, ANY, NULL, "metrics=/t/a.prom", NULL },
	{ "issue --webroot /w --metrics /t/a.prom a.example", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --metrics is not valid for issue" },
	{ "list --metrics", USAGE, 0, NULL, ANY, ANY, NULL, NULL, "option --metrics needs a value" },
	/* well-known CAs by name */
	{ "--server buypass-test list", 0, CMD_LIST, "https://api.test4.buypass.no/acme/directory",
	    ANY, ANY, NULL, NULL, NULL },
	{ "list --server=google", 0, CMD_LIST, "https://dv.acme-v02.api.pki.goog/directory",
	    ANY, ANY, NULL, NULL, NULL },
	{ "--server zerossl-test list", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--server must be an https:// URL or one of letsencrypt, letsencrypt-staging, "
	    "zerossl, buypass, buypass-test, google, google-staging" },
	{ "account deactivate", 0, CMD_ACCOUNT_DEACTIVATE, NULL, ANY, ANY, NULL, "yes=0", NULL },
	{ "account update --email new@example.org", 0, CMD_ACCOUNT_UPDATE, NULL, ANY, ANY, NULL,
	    "email=new@example.org", NULL },
	{ "account update", USAGE, 0, NULL, ANY, ANY, NULL, NULL, "account update needs --email ADDR" },
	/* account export: defaults, the namespace a ClusterIssuer's Secret needs */
	{ "account export --cert-manager", 0, CMD_ACCOUNT_EXPORT, LE, ANY, ANY, NULL,
	    "cert_manager=1 issuer_name=(null) issuer_kind=ClusterIssuer "
	    "namespace=cert-manager solver_class=nginx output=(null) name=(null)", NULL },
	{ "account export --cert-manager --kind Issuer", 0, CMD_ACCOUNT_EXPORT, NULL, ANY,
	    ANY, NULL, "issuer_kind=Issuer namespace=(null)", NULL },
	{ "account export --cert-manager --kind=issuer --namespace team-a --name le "
	    "--solver-class traefik -o /out.yaml --json", 0, CMD_ACCOUNT_EXPORT, NULL, ANY,
	    ANY, NULL, "issuer_kind=Issuer namespace=team-a issuer_name=le name=(null) "
	    "solver_class=traefik output=/out.yaml json=1", NULL },
	{ "--staging account export -o /o --cert-manager --kind CLUSTERISSUER --namespace cm",
	    0, CMD_ACCOUNT_EXPORT, LES, ANY, ANY, NULL,
	    "issuer_kind=ClusterIssuer namespace=cm output=/o", NULL },
	{ "issue --webroot /w --name le a.example", 0, CMD_ISSUE, NULL, ANY, 1, NULL,
	    "name=le issuer_name=(null)", NULL },
	{ "account export", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "account export needs --cert-manager (the only format it writes)" },
	{ "account export --cert-manager --kind Certificate", USAGE, 0, NULL, ANY, ANY, NULL,
	    NULL, "--kind must be ClusterIssuer or Issuer (got \"Certificate\")" },
	{ "account export --cert-manager --json", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "account export --json needs -o FILE" },
	{ "account export --cert-manager -o", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option -o needs a value" },
	{ "account export --cert-manager extra", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unexpected argument \"extra\" for account export" },
	{ "account export --cert-manager --email a@example.org", USAGE, 0, NULL, ANY, ANY,
	    NULL, NULL, "option --email is not valid for account export" },
	{ "issue --webroot /w --cert-manager a.example", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --cert-manager is not valid for issue" },
	/* account import */
	{ "account import --cert-manager --from-issuer /i.yaml", 0, CMD_ACCOUNT_IMPORT, LE,
	    ANY, ANY, NULL, "cert_manager=1 from_issuer=/i.yaml secret=(null) server_set=0 "
	    "json=0", NULL },
	{ "account import --cert-manager --from-issuer=/i.yaml --secret /s.yaml --json "
	    "--staging", 0, CMD_ACCOUNT_IMPORT, LES, ANY, ANY, NULL,
	    "from_issuer=/i.yaml secret=/s.yaml server_set=1 json=1", NULL },
	{ "account import --from-issuer /i.yaml", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "account import needs --cert-manager (the only format it reads)" },
	{ "account import --cert-manager", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "account import needs --from-issuer FILE" },
	{ "account import --cert-manager --from-issuer /i.yaml --account-key /k", USAGE, 0,
	    NULL, ANY, ANY, NULL, NULL, "option --account-key is not valid for account import" },
	{ "account import --cert-manager --from-issuer /i.yaml -o /x", USAGE, 0, NULL, ANY,
	    ANY, NULL, NULL, "option -o is not valid for account import" },
	{ "account import --cert-manager --from-issuer /i.yaml extra", USAGE, 0, NULL, ANY,
	    ANY, NULL, NULL, "unexpected argument \"extra\" for account import" },
	{ "account show -o /x", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option -o is not valid for account show" },
	{ "account show --account-key /k.pem", 0, CMD_ACCOUNT_SHOW, NULL, ANY, ANY, NULL,
	    "account_key=/k.pem", NULL },
	{ "account show --yes", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --yes is not valid for account show" },
	/* dns-01, chains, profiles */
	{ "issue --dns-hook /bin/hook --dns-wait 3 *.a.example", 0, CMD_ISSUE, NULL, ANY, 1,
	    "(null)", "dns_hook=/bin/hook dns_wait=3 names=*.a.example", NULL },
	{ "issue --dns-hook /bin/hook a.example", 0, CMD_ISSUE, NULL, ANY, 1, NULL,
	    "dns_wait=0", NULL },
	{ "issue --dns-hook /bin/hook --webroot /w a.example", USAGE, 0, NULL, ANY, ANY, NULL,
	    NULL, "--dns-hook cannot be used with --webroot or --standalone" },
	{ "issue --dns-hook /bin/hook --standalone 80 a.example", USAGE, 0, NULL, ANY, ANY,
	    NULL, NULL, "--dns-hook cannot be used with --webroot or --standalone" },
	{ "issue --dns-hook /bin/hook --dns-wait 1x a.example", USAGE, 0, NULL, ANY, ANY,
	    NULL, NULL, "--dns-wait must be a whole number of seconds" },
	{ "issue --dns-hook /bin/hook --dns-wait -1 a.example", USAGE, 0, NULL, ANY, ANY,
	    NULL, NULL, "--dns-wait must be a whole number of seconds from 0 to 9999 (got \"-1\")" },
	{ "issue --webroot /w --preferred-chain ISRG_Root_X1 --profile shortlived a.example", 0,
	    CMD_ISSUE, NULL, ANY, 1, "/w", "preferred_chain=ISRG_Root_X1 profile=shortlived", NULL },
	{ "account show --profile x", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --profile is not valid for account show" },
	{ "--proxy http://proxy.example:3128 account show", 0, CMD_ACCOUNT_SHOW, NULL, ANY, ANY,
	    NULL, "proxy=http://proxy.example:3128", NULL },
	{ "--proxy ftp://proxy.example account show", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "--proxy" },
	{ "--proxy= account show", 0, CMD_ACCOUNT_SHOW, NULL, ANY, ANY, NULL, "proxy=", NULL },
	{ "issue a.example --webroot", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --webroot needs a value" },
	{ "issue --webroot= a.example", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --webroot needs a value" },
	{ "issue --webroot /w --force=yes a.example", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --force takes no value" },
	{ "issue --webroot /w --eab-kid k a.example", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --eab-kid is not valid for issue" },
	{ "issue --webroot /w --account-key /k a.example", USAGE, 0, NULL, ANY, ANY, NULL,
	    NULL, "option --account-key is not valid for issue" },
	{ "issue --webroot /w --key-type ec521 a.example", USAGE, 0, NULL, ANY, ANY, NULL,
	    NULL, "--key-type: unknown key type \"ec521\"" },

	/* proxy explain */
	{ "proxy explain https://acme.example/dir", 0, CMD_PROXY_EXPLAIN, LE, ANY, 0, NULL,
	    "url=https://acme.example/dir json=0", NULL },
	{ "--no-env-proxy proxy explain --json http://plain.example/", 0,
	    CMD_PROXY_EXPLAIN, NULL, ANY, ANY, NULL,
	    "url=http://plain.example/ json=1 no_env_proxy=1", NULL },
	{ "proxy explain", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "proxy explain needs a URL" },
	{ "proxy explain https://a.example https://b.example", USAGE, 0, NULL, ANY, ANY,
	    NULL, NULL, "unexpected argument \"https://b.example\" for proxy explain" },
	{ "proxy explain https://a.example --webroot /w", USAGE, 0, NULL, ANY, ANY, NULL,
	    NULL, "option --webroot is not valid for proxy explain" },
	{ "proxy show", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unknown command \"proxy show\"" },

	/* diagnose */
	{ "diagnose", 0, CMD_DIAGNOSE, LE, 30, 0, NULL,
	    "step_timeout=5 timeout_set=0 email=(null) account_key=(null) "
	    "account_url=(null) from_issuer=(null) secret=(null) cm_version=(null) "
	    "resolv_conf=(null)", NULL },
	{ "diagnose --timeout 12", 0, CMD_DIAGNOSE, NULL, 12, ANY, NULL,
	    "step_timeout=12", NULL },
	{ "diagnose --email a@example.org --account-key /k --account-url "
	    "https://acme.example/acct/1 --from-issuer /i.yaml --secret /s.yaml "
	    "--cert-manager-version v1.8.0 --resolv-conf /r", 0, CMD_DIAGNOSE, NULL, ANY,
	    ANY, NULL, "email=a@example.org account_key=/k "
	    "account_url=https://acme.example/acct/1 from_issuer=/i.yaml secret=/s.yaml "
	    "cm_version=v1.8.0 resolv_conf=/r", NULL },
	{ "--staging diagnose --cert-manager-version=1.7.2", 0, CMD_DIAGNOSE, LES, ANY,
	    ANY, NULL, "cm_version=1.7.2", NULL },
	{ "diagnose --agree-tos", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --agree-tos is not valid for diagnose" },
	{ "diagnose --key-type ec256", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --key-type is not valid for diagnose" },
	{ "diagnose extra", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "unexpected argument \"extra\" for diagnose" },
	{ "diagnose --secret", USAGE, 0, NULL, ANY, ANY, NULL, NULL,
	    "option --secret needs a value" },
};

static const char *expected_state_dir(void)
{
	return geteuid() == 0 ? "/var/lib/acmectl" : XDG_STATE "/acmectl";
}

static const char *show_str(const char *s)
{
	return s ? s : "(null)";
}

/* The config member called key, as text; NULL for an unknown key. */
static const char *field(const struct config *cfg, const char *key, char *buf, size_t len)
{
	static const struct { const char *key; size_t off; } strs[] = {
#define S(k, m) { k, offsetof(struct config, m) }
		S("email", email), S("account_key", account_key), S("eab_kid", eab_kid),
		S("eab_hmac_key", eab_hmac_key), S("eab_alg", eab_alg),
		S("webroot", webroot), S("standalone", standalone), S("tls_alpn", tls_alpn),
		S("csr", csr),
		S("name", cert_name), S("url", url), S("account_url", account_url),
		S("from_issuer", from_issuer), S("secret", secret),
		S("cm_version", cm_version), S("resolv_conf", resolv_conf),
		S("ca_bundle", ca_bundle), S("config", config_file), S("proxy", proxy),
		S("proxy_auth_file", proxy_auth_file), S("no_proxy", no_proxy),
		S("proxy_rules", proxy_rules), S("dns_hook", dns_hook),
		S("preferred_chain", preferred_chain), S("profile", profile),
		S("deploy_hook", deploy_hook), S("pre_hook", pre_hook), S("post_hook", post_hook),
		S("cert_file", cert_file), S("cert_key_file", cert_key_file),
		S("issuer_name", issuer_name), S("namespace", namespace),
		S("issuer_kind", issuer_kind), S("solver_class", solver_class),
		S("output", output), S("dry_run_server", dry_run_server),
		S("metrics", metrics_file),
#undef S
	};
	static const struct { const char *key; size_t off; } flags[] = {
#define B(k, m) { k, offsetof(struct config, m) }
		B("agree_tos", agree_tos), B("force", force), B("json", json),
		B("quiet", quiet), B("no_env_proxy", no_env_proxy),
		B("server_set", server_set), B("timeout_set", timeout_set), B("yes", yes),
		B("cert_manager", cert_manager), B("replace_names", replace_names),
		B("dry_run", dry_run), B("cert_key_type_set", cert_key_type_set),
		B("dns_wait_set", dns_wait_set), B("reuse_key", reuse_key),
		B("no_reuse_key", no_reuse_key),
#undef B
	};
	size_t i, used;

	for (i = 0; i < nitems(strs); i++)
		if (strcmp(key, strs[i].key) == 0)
			return show_str(*(const char *const *)((const char *)cfg + strs[i].off));
	for (i = 0; i < nitems(flags); i++)
		if (strcmp(key, flags[i].key) == 0)
			return *(const bool *)((const char *)cfg + flags[i].off) ? "1" : "0";
	if (strcmp(key, "state_dir") == 0)
		return show_str(cfg->state_dir);
	/* "account register" as account_register: the checks split on spaces */
	if (strcmp(key, "help_topic") == 0) {
		snprintf(buf, len, "%s", show_str(cfg->help_topic));
		for (i = 0; buf[i] != '\0'; i++)
			buf[i] = buf[i] == ' ' ? '_' : buf[i];
		return buf;
	}
	if (strcmp(key, "account_key_type") == 0)
		return key_type_name(cfg->account_key_type);
	if (strcmp(key, "cert_key_type") == 0)
		return key_type_name(cfg->cert_key_type);
	if (strcmp(key, "verbosity") == 0) {
		snprintf(buf, len, "%d", cfg->verbosity);
		return buf;
	}
	if (strcmp(key, "days") == 0 || strcmp(key, "parallel") == 0 ||
	    strcmp(key, "jitter") == 0 || strcmp(key, "reason") == 0) {
		snprintf(buf, len, "%ld", strcmp(key, "days") == 0 ? cfg->days :
		    strcmp(key, "parallel") == 0 ? cfg->parallel :
		    strcmp(key, "jitter") == 0 ? cfg->jitter_s : (long)cfg->revoke_reason);
		return buf;
	}
	if (strcmp(key, "dns_wait") == 0) {
		snprintf(buf, len, "%ld", cfg->dns_wait_s);
		return buf;
	}
	if (strcmp(key, "hook_timeout") == 0) {
		snprintf(buf, len, "%ld", cfg->hook_timeout_s);
		return buf;
	}
	if (strcmp(key, "deadline") == 0) {
		snprintf(buf, len, "%ld", cfg->deadline_s);
		return buf;
	}
	if (strcmp(key, "step_timeout") == 0) {
		snprintf(buf, len, "%ld", cfg->step_timeout_s);
		return buf;
	}
	if (strcmp(key, "names") == 0) {
		buf[0] = '\0';
		for (i = 0, used = 0; cfg->names != NULL && cfg->names[i] != NULL; i++)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
			    i ? "," : "", cfg->names[i]);
		return buf;
	}
	return NULL;
}

/* Checks each "key=value" of fields against cfg. */
static void check_fields(const struct config *cfg, const char *fields, const char *ctx)
{
	char *copy, *item, *save, *eq, buf[512], label[512];
	const char *got, *want;

	copy = strdup(fields);
	for (item = strtok_r(copy, " ", &save); item != NULL;
	    item = strtok_r(NULL, " ", &save)) {
		eq = strchr(item, '=');
		CHECK(eq != NULL, "[%s] malformed field check \"%s\"", ctx, item);
		if (eq == NULL)
			continue;
		*eq = '\0';
		want = eq + 1;
		if (strcmp(want, "DEFAULT") == 0)
			want = expected_state_dir();
		got = field(cfg, item, buf, sizeof(buf));
		CHECK(got != NULL, "[%s] unknown field \"%s\"", ctx, item);
		snprintf(label, sizeof(label), "%s: %s", ctx, item);
		if (got != NULL)
			CHECK_STR(got, want, label);
	}
	free(copy);
}

static void run_row(const struct row *r)
{
	char *copy, *word, *save, *argv[64];
	struct config cfg;
	int argc = 0, rc;

	copy = strdup(r->args);
	argv[argc++] = "acmectl";
	for (word = strtok_r(copy, " ", &save); word != NULL && argc < 63;
	    word = strtok_r(NULL, " ", &save))
		argv[argc++] = word;
	argv[argc] = NULL;

	err_clear();
	rc = cli_parse(argc, argv, &cfg);
	CHECK_INT(rc, r->rc == 0 ? 0 : -1, r->args);
	CHECK_INT(err_kind(), r->rc, r->args);
	if (r->rc != 0) {
		CHECK(strstr(err_message(), r->error) != NULL,
		    "[%s] message \"%s\" lacks \"%s\"", r->args, err_message(), r->error);
		CHECK(strchr(err_message(), '\n') == NULL,
		    "[%s] message spans lines", r->args);
		goto out;
	}
	CHECK_INT(cfg.cmd, r->cmd, r->args);
	if (r->server != NULL)
		CHECK_STR(cfg.server, r->server, r->args);
	if (r->timeout != ANY)
		CHECK_INT(cfg.timeout_s, r->timeout, r->args);
	if (r->nnames != ANY) {
		CHECK_INT(cfg.nnames, r->nnames, r->args);
		CHECK(cfg.cmd != CMD_ISSUE || (cfg.names != NULL &&
		    cfg.names[cfg.nnames] == NULL),
		    "[%s] names not NULL-terminated", r->args);
	}
	if (r->webroot != NULL)
		CHECK_STR(show_str(cfg.webroot), r->webroot, r->args);
	if (r->fields != NULL)
		check_fields(&cfg, r->fields, r->args);
out:
	config_free(&cfg);
	free(copy);
}

static const struct {
	const char *value, *want;   /* want NULL: refused */
} servers[] = {
	{ "letsencrypt", LE },
	{ "letsencrypt-staging", LES },
	{ EX, EX },
	{ "https://localhost:14000/dir", "https://localhost:14000/dir" },
	{ "Https://acme.example/", "Https://acme.example/" },
	{ "http://acme.example/dir", NULL },
	{ "acme.example/dir", NULL },
	{ "https://", NULL },
	{ "https:///dir", NULL },
	{ "https://acme.example/a b", NULL },
	{ "", NULL },
	{ "LetsEncrypt", NULL },
};

int main(void)
{
	const char *got;
	size_t i;

	setenv("HOME", "/tmp/acmectl-test-home", 1);
	setenv("XDG_STATE_HOME", XDG_STATE, 1);

	for (i = 0; i < nitems(rows); i++)
		run_row(&rows[i]);

	for (i = 0; i < nitems(servers); i++) {
		err_clear();
		got = cli_server_url(servers[i].value);
		CHECK_STR(got, servers[i].want, servers[i].value);
		CHECK_INT(err_kind(), servers[i].want ? ERR_NONE : ERR_USAGE,
		    servers[i].value);
	}

	err_clear();
	return test_done();
}
