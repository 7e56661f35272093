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

/* One command line and what cli_parse must make of it: for rc 0, the
 * "key=value" checks of want (space-separated; keys as field() names
 * them); otherwise a fragment of the one-line message. */
struct row {
	const char *args;     /* after "acmectl", split on spaces */
	int rc;               /* 0, or the err kind of the failure */
	const char *want;
};

static const struct row rows[] = {
	/* help and version win wherever they stand, even over mistakes */
	{ "--help", 0, "cmd=help" },
	{ "-h", 0, "cmd=help" },
	{ "help", 0, "cmd=help" },
	{ "help issue", 0, "cmd=help" },
	{ "issue --webroot /w a.example -h", 0, "cmd=help" },
	{ "--bogus frobnicate --help", 0, "cmd=help" },
	{ "--version", 0, "cmd=version" },
	{ "-V", 0, "cmd=version" },
	{ "account show --version", 0, "cmd=version" },
	{ "--version --help", 0, "cmd=help" },
	{ "--help --version", 0, "cmd=help" },

	/* help about one command: the words before or after --help name it */
	{ "--help", 0, "cmd=help help_topic=(null)" },
	{ "help", 0, "cmd=help help_topic=(null)" },
	{ "help help", 0, "cmd=help help_topic=(null)" },
	{ "issue --help", 0, "cmd=help help_topic=issue" },
	{ "help issue", 0, "cmd=help help_topic=issue" },
	{ "issue --webroot /w a.example -h", 0, "cmd=help help_topic=issue" },
	{ "--staging renew a.example --help", 0, "cmd=help help_topic=renew" },
	{ "account --help", 0, "cmd=help help_topic=account" },
	{ "help account", 0, "cmd=help help_topic=account" },
	{ "account register --help", 0, "cmd=help help_topic=account_register" },
	{ "help account register", 0, "cmd=help help_topic=account_register" },
	{ "help proxy", 0, "cmd=help help_topic=proxy" },
	{ "--bogus frobnicate --help", 0, "cmd=help help_topic=(null)" },
	{ "account bogus --help", 0, "cmd=help help_topic=(null)" },
	{ "help nosuch", USAGE, "unknown command \"nosuch\" (try acmectl --help)" },
	{ "help isue", USAGE, "unknown command \"isue\" (did you mean issue?)" },
	{ "help account regster", USAGE,
	    "unknown command \"account regster\" (did you mean account register?)" },
	{ "help issue a.example", USAGE, "unexpected argument \"a.example\" for help" },

	/* a slip of the fingers: the nearest command or option */
	{ "renw", USAGE, "unknown command \"renw\" (did you mean renew?)" },
	{ "rneew", USAGE, "unknown command \"rneew\" (did you mean renew?)" },
	{ "acount show", USAGE, "unknown command \"acount\" (did you mean account?)" },
	{ "account shwo", USAGE,
	    "unknown command \"account shwo\" (did you mean account show?)" },
	{ "renew --forse", USAGE, "unknown option \"--forse\" (did you mean --force?)" },
	{ "renew --dyas 30", USAGE, "unknown option \"--dyas\" (did you mean --days?)" },
	{ "issue --web-root=/w a.example", USAGE,
	    "unknown option \"--web-root\" (did you mean --webroot?)" },
	{ "list --jsno", USAGE, "unknown option \"--jsno\" (did you mean --json?)" },
	/* too far from any, or as near to two: no guess */
	{ "renew --frobnicate", USAGE, "unknown option \"--frobnicate\"" },
	{ "-x account show", USAGE, "unknown option \"-x\"" },
	{ "zzz", USAGE, "unknown command \"zzz\" (try acmectl --help)" },
	/* what the terminal would act on is shown, not sent */
	{ "renew --fo\033]0;x\a", USAGE, "unknown option \"--fo\\x1b]0;x\\x07\"" },
	{ "ren\033[2Jew", USAGE, "unknown command \"ren\\x1b[2Jew\" (try acmectl --help)" },
	{ "account sh\033ow", USAGE,
	    "unknown command \"account sh\\x1bow\" (did you mean account show?)" },
	{ "issue --standalone \033[1m", USAGE,
	    "--standalone takes [ADDR:]PORT, not \"\\x1b[1m\"" },

	/* certbot habits */
	{ "renew --force-renewal", USAGE,
	    "unknown option \"--force-renewal\": certbot's --force-renewal is --force here" },
	{ "issue --webroot /w -d a.example", USAGE,
	    "unknown option \"-d\": the names are arguments here, without -d" },
	{ "issue --webroot /w --domains=a.example", USAGE,
	    "unknown option \"--domains\": the names are arguments here, without --domains" },
	{ "issue --standalone a.example", USAGE,
	    "--standalone takes [ADDR:]PORT, not \"a.example\"; the names are arguments "
	    "(acmectl issue --standalone 80 example.org)" },
	{ "issue --standalone -d a.example", USAGE,
	    "--standalone takes [ADDR:]PORT, not \"-d\"" },
	{ "issue --standalone 127.0.0.1: a.example", USAGE,
	    "--standalone takes [ADDR:]PORT, not \"127.0.0.1:\"" },
	{ "issue --standalone [::1]:8080 a.example", 0,
	    "cmd=issue nnames=1 standalone=[::1]:8080" },
	{ "issue --tls-alpn [::1]:8443 a.example", 0,
	    "cmd=issue nnames=1 webroot=(null) tls_alpn=[::1]:8443 standalone=(null)" },
	{ "issue --tls-alpn=443 a.example", 0, "cmd=issue nnames=1 tls_alpn=443" },
	{ "issue --tls-alpn a.example", USAGE,
	    "--tls-alpn takes [ADDR:]PORT, not \"a.example\"; the names are arguments "
	    "(acmectl issue --tls-alpn 443 example.org)" },
	{ "issue --tls-alpn 443 --standalone 80 a.example", USAGE,
	    "--tls-alpn cannot be used with --webroot, --standalone or --dns-hook" },
	{ "issue --tls-alpn 443 --dns-hook /h a.example", USAGE,
	    "--tls-alpn cannot be used with --webroot, --standalone or --dns-hook" },
	{ "renew --tls-alpn 443", USAGE, "--tls-alpn" },
	{ "renew --renew-hook x", USAGE, "certbot's --renew-hook is --deploy-hook CMD here" },
	{ "certonly --webroot /w a.example", USAGE,
	    "unknown command \"certonly\": certbot's certonly is acmectl issue" },
	{ "certificates", USAGE, "certbot's certificates is acmectl list" },

	/* no command, unknown command */
	{ "", USAGE, "no command given" },
	{ "-v --json", USAGE, "no command given" },
	{ "frobnicate", USAGE, "unknown command \"frobnicate\" (try acmectl --help)" },
	{ "account", USAGE, "\"account\" needs a subcommand" },
	{ "account delete", USAGE, "unknown command \"account delete\" (try acmectl --help)" },
	{ "proxy", USAGE, "\"proxy\" needs a subcommand" },

	/* account register: defaults */
	{ "account register --agree-tos", 0,
	    "cmd=account_register server=" LE
	    " timeout=30 nnames=0 webroot=(null) agree_tos=1 email=(null) "
	    "account_key_type=ec256 cert_key_type=ec256 account_key=(null) eab_kid=(null) "
	    "eab_hmac_key=(null) eab_alg=HS256 state_dir=DEFAULT server_set=0 "
	    "timeout_set=0 step_timeout=5 verbosity=0 quiet=0 json=0 config=(null) "
	    "proxy=(null) proxy_auth_file=(null) no_proxy=(null) no_env_proxy=0 "
	    "proxy_rules=go ca_bundle=(null) url=(null)" },
	{ "account register --email a@example.org --agree-tos --key-type rsa3072 "
	    "--account-key /k.pem", 0,
	    "cmd=account_register server=" LE
	    " timeout=30 nnames=0 email=a@example.org account_key_type=rsa3072 "
	    "cert_key_type=ec256 account_key=/k.pem" },
	{ "account register --agree-tos --eab-kid kid1 --eab-hmac-key abc-_x --eab-alg "
	    "HS512", 0,
	    "cmd=account_register eab_kid=kid1 eab_hmac_key=abc-_x eab_alg=HS512" },
	{ "account register --eab-alg=HS384 --eab-kid=k --eab-hmac-key=--x_ --agree-tos", 0,
	    "cmd=account_register eab_kid=k eab_hmac_key=--x_ eab_alg=HS384" },
	{ "account register --agree-tos --key-type=ec384", 0,
	    "cmd=account_register account_key_type=ec384 cert_key_type=ec256" },
	{ "account register --agree-tos --email=-q", 0,
	    "cmd=account_register email=-q quiet=0" },

	/* account register: usage errors */
	{ "account register --email a@example.org", USAGE,
	    "account register needs --agree-tos" },
	{ "account register --agree-tos --eab-kid k", USAGE,
	    "--eab-kid and --eab-hmac-key must be given together" },
	{ "account register --agree-tos --eab-hmac-key h", USAGE,
	    "--eab-kid and --eab-hmac-key must be given together" },
	{ "account register --agree-tos --eab-kid k --eab-hmac-key h --eab-alg RS256", USAGE,
	    "--eab-alg must be HS256, HS384 or HS512" },
	{ "account register --agree-tos --eab-alg hs256 --eab-kid k --eab-hmac-key h", USAGE,
	    "--eab-alg must be HS256, HS384 or HS512" },
	{ "account register --agree-tos --eab-alg HS256", USAGE,
	    "--eab-alg needs --eab-kid and --eab-hmac-key" },
	{ "account register --agree-tos --key-type dsa1024", USAGE,
	    "--key-type: unknown key type \"dsa1024\"" },
	{ "account register --agree-tos --webroot /w", USAGE,
	    "option --webroot is not valid for account register" },
	{ "account register --agree-tos --account-url https://x/acct/1", USAGE,
	    "option --account-url is not valid for account register" },
	{ "account register --agree-tos extra", USAGE,
	    "unexpected argument \"extra\" for account register" },
	{ "account register --agree-tos --email -q", USAGE, "option --email needs a value" },
	{ "account register --agree-tos --agree-tos=yes", USAGE,
	    "option --agree-tos takes no value" },

	/* account show, and global options before and after the command */
	{ "account show", 0,
	    "cmd=account_show server=" LE
	    " timeout=30 nnames=0 webroot=(null) json=0 state_dir=DEFAULT" },
	{ "account show --json", 0, "cmd=account_show json=1" },
	{ "--json account show", 0, "cmd=account_show json=1" },
	{ "--server " EX " account show", 0, "cmd=account_show server=" EX " server_set=1" },
	{ "account show --server " EX, 0, "cmd=account_show server=" EX " server_set=1" },
	{ "--server=" EX " account show", 0, "cmd=account_show server=" EX },
	{ "account --server " EX " show", 0, "cmd=account_show server=" EX },
	{ "--server letsencrypt account show", 0,
	    "cmd=account_show server=" LE " server_set=1" },
	{ "account show --server=letsencrypt-staging", 0,
	    "cmd=account_show server=" LES " server_set=1" },
	{ "--staging account show", 0, "cmd=account_show server=" LES " server_set=1" },
	{ "account show --staging", 0, "cmd=account_show server=" LES },
	{ "--server HTTPS://ACME.example:14000/dir account show", 0,
	    "cmd=account_show server=HTTPS://ACME.example:14000/dir" },
	{ "--server http://acme.example/dir account show", USAGE,
	    "--server must be an https:// URL" },
	{ "account show --server=ftp://acme.example/", USAGE,
	    "--server must be an https:// URL" },
	{ "--server https:// account show", USAGE, "--server must be an https:// URL" },
	{ "--server letsencrypt-prod account show", USAGE, "--server must be an https:// URL" },
	{ "account show --server", USAGE, "option --server needs a value" },
	{ "--server --json account show", USAGE, "option --server needs a value" },
	{ "--server= account show", USAGE, "option --server needs a value" },
	{ "--state-dir /tmp/st account show", 0, "cmd=account_show state_dir=/tmp/st" },
	{ "account show --state-dir=/srv/acme", 0, "cmd=account_show state_dir=/srv/acme" },
	{ "--ca-bundle /etc/ca.pem account show", 0, "cmd=account_show ca_bundle=/etc/ca.pem" },
	{ "--timeout 90 account show", 0, "cmd=account_show timeout=90 timeout_set=1" },
	{ "account show --timeout=1", 0, "cmd=account_show timeout=1" },
	{ "--timeout=30 account show --timeout 45", 0, "cmd=account_show timeout=45" },
	{ "--timeout 86400 account show", 0, "cmd=account_show timeout=86400" },
	{ "--timeout 0 account show", USAGE, "--timeout must be a whole number of seconds" },
	{ "--timeout -5 account show", USAGE, "--timeout must be a whole number of seconds" },
	{ "--timeout 10s account show", USAGE, "--timeout must be a whole number of seconds" },
	{ "--timeout 86401 account show", USAGE,
	    "--timeout must be a whole number of seconds" },
	{ "--timeout 99999999999999999999 account show", USAGE,
	    "--timeout must be a whole number of seconds" },
	{ "-v account show", 0, "cmd=account_show verbosity=1" },
	{ "account show -vv", 0, "cmd=account_show verbosity=2" },
	{ "-v account show -v -vv", 0, "cmd=account_show verbosity=4" },
	{ "-q account show", 0, "cmd=account_show quiet=1 verbosity=0" },
	{ "-q account show -v", USAGE, "-q and -v cannot be used together" },
	{ "--config /etc/x.conf account show", 0, "cmd=account_show config=/etc/x.conf" },
	{ "--proxy http://proxy:3128 account show --proxy-auth-file /p", 0,
	    "cmd=account_show proxy=http://proxy:3128 proxy_auth_file=/p" },
	{ "--no-proxy example.org,.corp account show --no-env-proxy", 0,
	    "cmd=account_show no_proxy=example.org,.corp no_env_proxy=1" },
	{ "--no-proxy= account show", 0, "cmd=account_show no_proxy=" },
	{ "--proxy-rules curl account show", 0, "cmd=account_show proxy_rules=curl" },
	{ "account show --proxy-rules=go", 0, "cmd=account_show proxy_rules=go" },
	{ "--proxy-rules=wget account show", USAGE, "--proxy-rules must be go or curl" },
	{ "--json=yes account show", USAGE, "option --json takes no value" },
	{ "--foo account show", USAGE, "unknown option \"--foo\"" },
	/* the name only: a mistyped secret option must not echo the secret */
	{ "account show --eab-hmac=SECRET", USAGE, "unknown option \"--eab-hmac\"" },
	{ "-x account show", USAGE, "unknown option \"-x\"" },
	{ "-vq account show", USAGE, "unknown option \"-vq\"" },
	{ "--foo --bar account show", USAGE, "unknown option \"--foo\"" },
	{ "account show --webroot /w", USAGE,
	    "option --webroot is not valid for account show" },
	{ "account show --agree-tos", USAGE,
	    "option --agree-tos is not valid for account show" },
	{ "account show --email a@example.org", USAGE,
	    "option --email is not valid for account show" },

	/* issue */
	{ "issue --webroot /var/www a.example b.example", 0,
	    "cmd=issue server=" LE
	    " timeout=30 nnames=2 webroot=/var/www names=a.example,b.example "
	    "standalone=(null) cert_key_type=ec256 csr=(null) name=(null) force=0 "
	    "email=(null) agree_tos=0" },
	{ "--staging issue --standalone 8080 --key-type rsa2048 a.example", 0,
	    "cmd=issue server=" LES
	    " nnames=1 webroot=(null) standalone=8080 cert_key_type=rsa2048 "
	    "account_key_type=ec256" },
	{ "issue a.example --standalone=[::1]:80 --name site --force --csr /r.pem "
	    "b.example", 0,
	    "cmd=issue nnames=2 standalone=[::1]:80 name=site force=1 csr=/r.pem "
	    "names=a.example,b.example" },
	{ "issue --csr /r.pem --webroot /w", 0,
	    "cmd=issue nnames=0 webroot=/w csr=/r.pem names=" },
	{ "issue --webroot=/w --email a@example.org --agree-tos a.example", 0,
	    "cmd=issue nnames=1 webroot=/w email=a@example.org agree_tos=1" },
	{ "issue --webroot /w --key-type ec384 a.example", 0,
	    "cmd=issue nnames=1 cert_key_type=ec384 account_key_type=ec256" },
	{ "issue --webroot /w -- -odd.example --force", 0,
	    "cmd=issue nnames=2 webroot=/w names=-odd.example,--force force=0" },
	{ "issue --webroot /w a.example --timeout 5 -v --json", 0,
	    "cmd=issue timeout=5 nnames=1 verbosity=1 json=1 step_timeout=5" },
	{ "issue --webroot /w --standalone 80 a.example", USAGE,
	    "--webroot and --standalone cannot be used together" },
	/* a kept certificate remembers how it answers challenges: cmd_issue
	 * asks for one only when there is none */
	{ "issue a.example", 0,
	    "cmd=issue nnames=1 webroot=(null) standalone=(null) dns_hook=(null) "
	    "cert_key_type_set=0 dns_wait_set=0 replace_names=0 dry_run=0" },
	{ "issue a.example --key-type ec384 --dns-wait 0 --replace-names", 0,
	    "cmd=issue nnames=1 cert_key_type_set=1 dns_wait_set=1 replace_names=1" },
	{ "issue a.example --deploy-hook x --pre-hook= --post-hook z", 0,
	    "cmd=issue nnames=1 deploy_hook=x pre_hook= post_hook=z" },
	{ "issue a.example --dry-run --dry-run-server letsencrypt-staging", 0,
	    "cmd=issue nnames=1 dry_run=1 dry_run_server=" LES },
	{ "renew --dry-run", 0, "cmd=renew nnames=0 dry_run=1 dry_run_server=(null)" },
	{ "renew --dry-run-server https://t.example/dir", USAGE,
	    "--dry-run-server needs --dry-run" },
	{ "renew --dry-run --dry-run-server http://t.example/dir", USAGE,
	    "--dry-run-server must be an https:// URL" },
	{ "renew --replace-names", USAGE, "option --replace-names is not valid for renew" },
	{ "issue --webroot /w", USAGE, "issue needs at least one NAME" },
	/* renew, list, revoke, account management */
	{ "renew", 0,
	    "cmd=renew nnames=0 days=-1 parallel=8 jitter=0 force=0 hook_timeout=300" },
	{ "renew a.example b.example --days 30 --force --jitter 600 --parallel 4", 0,
	    "cmd=renew nnames=2 days=30 force=1 jitter=600 parallel=4" },
	{ "renew --deploy-hook /bin/reload --pre-hook pre --post-hook post", 0,
	    "cmd=renew nnames=0 deploy_hook=/bin/reload pre_hook=pre post_hook=post" },
	{ "renew --deploy-hook= --pre-hook=", 0,
	    "cmd=renew nnames=0 deploy_hook= pre_hook= post_hook=(null)" },
	{ "renew --days 3651", USAGE,
	    "--days must be a whole number from 0 to 3650 (got \"3651\")" },
	{ "renew --days x", USAGE, "--days must be a whole number" },
	{ "renew --parallel 0", USAGE, "--parallel must be a whole number from 1 to 64" },
	/* --hook-timeout: 0 (no limit) to a day, issue and renew */
	{ "renew --hook-timeout 0", 0, "cmd=renew nnames=0 hook_timeout=0" },
	{ "renew --hook-timeout=86400", 0, "cmd=renew nnames=0 hook_timeout=86400" },
	{ "--hook-timeout 7 renew", 0, "cmd=renew nnames=0 hook_timeout=7" },
	{ "issue --dns-hook /h --hook-timeout 30 a.example", 0,
	    "cmd=issue nnames=1 hook_timeout=30 dns_hook=/h" },
	{ "issue --webroot /w a.example", 0, "cmd=issue nnames=1 hook_timeout=300" },
	/* --deadline: one issuance's budget, 1 s to a day, issue and renew */
	{ "renew", 0, "cmd=renew nnames=0 deadline=300" },
	{ "issue --webroot /w a.example --deadline 5", 0,
	    "cmd=issue timeout=30 nnames=1 deadline=5 hook_timeout=300" },
	{ "--deadline=86400 renew", 0, "cmd=renew nnames=0 deadline=86400" },
	{ "renew --deadline 0", USAGE,
	    "--deadline must be a whole number from 1 to 86400 (got \"0\")" },
	{ "renew --deadline 86401", USAGE,
	    "--deadline must be a whole number from 1 to 86400 (got \"86401\")" },
	{ "renew --deadline 5m", USAGE,
	    "--deadline must be a whole number from 1 to 86400 (got \"5m\")" },
	{ "renew --deadline", USAGE, "option --deadline needs a value" },
	{ "account show --deadline 5", USAGE,
	    "option --deadline is not valid for account show" },
	{ "renew --hook-timeout 86401", USAGE,
	    "--hook-timeout must be a whole number from 0 to 86400 (got \"86401\")" },
	{ "renew --hook-timeout -1", USAGE,
	    "--hook-timeout must be a whole number from 0 to 86400 (got \"-1\")" },
	{ "renew --hook-timeout 1.5", USAGE,
	    "--hook-timeout must be a whole number from 0 to 86400 (got \"1.5\")" },
	{ "renew --hook-timeout 5s", USAGE,
	    "--hook-timeout must be a whole number from 0 to 86400 (got \"5s\")" },
	{ "renew --hook-timeout=+5", USAGE,
	    "--hook-timeout must be a whole number from 0 to 86400 (got \"+5\")" },
	{ "renew --hook-timeout 99999999999999999999", USAGE,
	    "--hook-timeout must be a whole number from 0 to 86400" },
	{ "renew --hook-timeout=", USAGE, "option --hook-timeout needs a value" },
	{ "renew --hook-timeout --force", USAGE, "option --hook-timeout needs a value" },
	{ "list --hook-timeout 5", USAGE, "option --hook-timeout is not valid for list" },
	{ "account register --agree-tos --hook-timeout 5", USAGE,
	    "option --hook-timeout is not valid for account register" },
	{ "renew --webroot /w", USAGE, "option --webroot is not valid for renew" },
	{ "issue --webroot /w --parallel 2 a.example", 0, "cmd=issue nnames=1 parallel=2" },
	{ "issue --webroot /w --days 3 a.example", USAGE,
	    "option --days is not valid for issue" },
	{ "list --json", 0, "cmd=list json=1" },
	{ "list a.example", USAGE, "unexpected argument \"a.example\" for list" },
	{ "revoke a.example --reason keyCompromise", 0,
	    "cmd=revoke nnames=1 reason=1 names=a.example" },
	{ "revoke --cert /c.pem --cert-key /k.pem --reason 4", 0,
	    "cmd=revoke nnames=0 cert_file=/c.pem cert_key_file=/k.pem reason=4" },
	{ "revoke a.example --reason superseded", 0, "cmd=revoke nnames=1 reason=4" },
	{ "revoke a.example", 0, "cmd=revoke nnames=1 reason=-1" },
	{ "revoke a.example --reason 7", USAGE, "--reason must be an RFC 5280 reason code" },
	{ "revoke a.example --reason bogus", USAGE,
	    "--reason must be an RFC 5280 reason code" },
	{ "revoke", USAGE, "revoke needs a certificate NAME or --cert FILE" },
	{ "revoke a.example --cert /c.pem", USAGE,
	    "revoke needs a certificate NAME or --cert FILE (one of them)" },
	{ "revoke a.example b.example", USAGE, "revoke takes one certificate NAME" },
	{ "revoke a.example --cert-key /k.pem", USAGE, "--cert-key needs --cert FILE" },
	{ "account rollover --key-type ec384", 0,
	    "cmd=account_rollover account_key_type=ec384" },
	{ "account rollover --account-key /new.pem", 0,
	    "cmd=account_rollover account_key=/new.pem" },
	{ "account deactivate --yes", 0, "cmd=account_deactivate yes=1" },
	/* delete: one NAME, --yes */
	{ "delete a.example", 0, "cmd=delete nnames=1 yes=0" },
	{ "delete --yes a.example", 0, "cmd=delete nnames=1 yes=1" },
	{ "delete", USAGE, "delete takes one certificate NAME" },
	{ "delete a.example b.example --yes", USAGE, "delete takes one certificate NAME" },
	{ "delete a.example --force", USAGE, "option --force is not valid for delete" },
	{ "delet a.example", USAGE, "did you mean delete?" },
	/* --reuse-key, --no-reuse-key (issue), --metrics (renew, list) */
	{ "issue --webroot /w --reuse-key a.example", 0,
	    "cmd=issue nnames=1 reuse_key=1 no_reuse_key=0" },
	{ "issue --webroot /w --no-reuse-key a.example", 0,
	    "cmd=issue nnames=1 reuse_key=0 no_reuse_key=1" },
	{ "issue --webroot /w --reuse-key --no-reuse-key a.example", USAGE,
	    "--reuse-key cannot be used with --no-reuse-key" },
	{ "issue --webroot /w --reuse-key --csr /r.csr", USAGE,
	    "--reuse-key cannot be used with --csr" },
	{ "renew --reuse-key", USAGE, "option --reuse-key is not valid for renew" },
	{ "renew --metrics /t/a.prom", 0, "cmd=renew nnames=0 metrics=/t/a.prom" },
	{ "list --metrics=/t/a.prom", 0, "cmd=list metrics=/t/a.prom" },
	{ "issue --webroot /w --metrics /t/a.prom a.example", USAGE,
	    "option --metrics is not valid for issue" },
	{ "list --metrics", USAGE, "option --metrics needs a value" },
	/* well-known CAs by name */
	{ "--server buypass-test list", 0,
	    "cmd=list server=https://api.test4.buypass.no/acme/directory" },
	{ "list --server=google", 0,
	    "cmd=list server=https://dv.acme-v02.api.pki.goog/directory" },
	{ "--server zerossl-test list", USAGE,
	    "--server must be an https:// URL or one of letsencrypt, letsencrypt-staging, "
	    "zerossl, buypass, buypass-test, google, google-staging" },
	{ "account deactivate", 0, "cmd=account_deactivate yes=0" },
	{ "account update --email new@example.org", 0,
	    "cmd=account_update email=new@example.org" },
	{ "account update", USAGE, "account update needs --email ADDR" },
	/* account export: defaults, the namespace a ClusterIssuer's Secret needs */
	{ "account export --cert-manager", 0,
	    "cmd=account_export server=" LE
	    " cert_manager=1 issuer_name=(null) issuer_kind=ClusterIssuer "
	    "namespace=cert-manager solver_class=nginx output=(null) name=(null)" },
	{ "account export --cert-manager --kind Issuer", 0,
	    "cmd=account_export issuer_kind=Issuer namespace=(null)" },
	{ "account export --cert-manager --kind=issuer --namespace team-a --name le "
	    "--solver-class traefik -o /out.yaml --json", 0,
	    "cmd=account_export issuer_kind=Issuer namespace=team-a issuer_name=le "
	    "name=(null) solver_class=traefik output=/out.yaml json=1" },
	{ "--staging account export -o /o --cert-manager --kind CLUSTERISSUER "
	    "--namespace cm", 0,
	    "cmd=account_export server=" LES " issuer_kind=ClusterIssuer namespace=cm output=/o" },
	{ "issue --webroot /w --name le a.example", 0,
	    "cmd=issue nnames=1 name=le issuer_name=(null)" },
	{ "account export", USAGE,
	    "account export needs --cert-manager (the only format it writes)" },
	{ "account export --cert-manager --kind Certificate", USAGE,
	    "--kind must be ClusterIssuer or Issuer (got \"Certificate\")" },
	{ "account export --cert-manager --json", USAGE,
	    "account export --json needs -o FILE" },
	{ "account export --cert-manager -o", USAGE, "option -o needs a value" },
	{ "account export --cert-manager extra", USAGE,
	    "unexpected argument \"extra\" for account export" },
	{ "account export --cert-manager --email a@example.org", USAGE,
	    "option --email is not valid for account export" },
	{ "issue --webroot /w --cert-manager a.example", USAGE,
	    "option --cert-manager is not valid for issue" },
	/* account import */
	{ "account import --cert-manager --from-issuer /i.yaml", 0,
	    "cmd=account_import server=" LE
	    " cert_manager=1 from_issuer=/i.yaml secret=(null) server_set=0 json=0" },
	{ "account import --cert-manager --from-issuer=/i.yaml --secret /s.yaml --json "
	    "--staging", 0,
	    "cmd=account_import server=" LES
	    " from_issuer=/i.yaml secret=/s.yaml server_set=1 json=1" },
	{ "account import --from-issuer /i.yaml", USAGE,
	    "account import needs --cert-manager (the only format it reads)" },
	{ "account import --cert-manager", USAGE, "account import needs --from-issuer FILE" },
	{ "account import --cert-manager --from-issuer /i.yaml --account-key /k", USAGE,
	    "option --account-key is not valid for account import" },
	{ "account import --cert-manager --from-issuer /i.yaml -o /x", USAGE,
	    "option -o is not valid for account import" },
	{ "account import --cert-manager --from-issuer /i.yaml extra", USAGE,
	    "unexpected argument \"extra\" for account import" },
	{ "account show -o /x", USAGE, "option -o is not valid for account show" },
	{ "account show --account-key /k.pem", 0, "cmd=account_show account_key=/k.pem" },
	{ "account show --yes", USAGE, "option --yes is not valid for account show" },
	/* dns-01, chains, profiles */
	{ "issue --dns-hook /bin/hook --dns-wait 3 *.a.example", 0,
	    "cmd=issue nnames=1 webroot=(null) dns_hook=/bin/hook dns_wait=3 "
	    "names=*.a.example" },
	{ "issue --dns-hook /bin/hook a.example", 0, "cmd=issue nnames=1 dns_wait=0" },
	{ "issue --dns-hook /bin/hook --webroot /w a.example", USAGE,
	    "--dns-hook cannot be used with --webroot or --standalone" },
	{ "issue --dns-hook /bin/hook --standalone 80 a.example", USAGE,
	    "--dns-hook cannot be used with --webroot or --standalone" },
	{ "issue --dns-hook /bin/hook --dns-wait 1x a.example", USAGE,
	    "--dns-wait must be a whole number of seconds" },
	{ "issue --dns-hook /bin/hook --dns-wait -1 a.example", USAGE,
	    "--dns-wait must be a whole number of seconds from 0 to 9999 (got \"-1\")" },
	{ "issue --webroot /w --preferred-chain ISRG_Root_X1 --profile shortlived "
	    "a.example", 0,
	    "cmd=issue nnames=1 webroot=/w preferred_chain=ISRG_Root_X1 profile=shortlived" },
	{ "account show --profile x", USAGE, "option --profile is not valid for account show" },
	{ "--proxy http://proxy.example:3128 account show", 0,
	    "cmd=account_show proxy=http://proxy.example:3128" },
	{ "--proxy ftp://proxy.example account show", USAGE, "--proxy" },
	{ "--proxy= account show", 0, "cmd=account_show proxy=" },
	{ "issue a.example --webroot", USAGE, "option --webroot needs a value" },
	{ "issue --webroot= a.example", USAGE, "option --webroot needs a value" },
	{ "issue --webroot /w --force=yes a.example", USAGE, "option --force takes no value" },
	{ "issue --webroot /w --eab-kid k a.example", USAGE,
	    "option --eab-kid is not valid for issue" },
	{ "issue --webroot /w --account-key /k a.example", USAGE,
	    "option --account-key is not valid for issue" },
	{ "issue --webroot /w --key-type ec521 a.example", USAGE,
	    "--key-type: unknown key type \"ec521\"" },

	/* proxy explain */
	{ "proxy explain https://acme.example/dir", 0,
	    "cmd=proxy_explain server=" LE " nnames=0 url=https://acme.example/dir json=0" },
	{ "--no-env-proxy proxy explain --json http://plain.example/", 0,
	    "cmd=proxy_explain url=http://plain.example/ json=1 no_env_proxy=1" },
	{ "proxy explain", USAGE, "proxy explain needs a URL" },
	{ "proxy explain https://a.example https://b.example", USAGE,
	    "unexpected argument \"https://b.example\" for proxy explain" },
	{ "proxy explain https://a.example --webroot /w", USAGE,
	    "option --webroot is not valid for proxy explain" },
	{ "proxy show", USAGE, "unknown command \"proxy show\"" },

	/* diagnose */
	{ "diagnose", 0,
	    "cmd=diagnose server=" LE
	    " timeout=30 nnames=0 step_timeout=5 timeout_set=0 email=(null) "
	    "account_key=(null) account_url=(null) from_issuer=(null) secret=(null) "
	    "cm_version=(null) resolv_conf=(null)" },
	{ "diagnose --timeout 12", 0, "cmd=diagnose timeout=12 step_timeout=12" },
	{ "diagnose --email a@example.org --account-key /k --account-url "
	    "https://acme.example/acct/1 --from-issuer /i.yaml --secret /s.yaml "
	    "--cert-manager-version v1.8.0 --resolv-conf /r", 0,
	    "cmd=diagnose email=a@example.org account_key=/k "
	    "account_url=https://acme.example/acct/1 from_issuer=/i.yaml secret=/s.yaml "
	    "cm_version=v1.8.0 resolv_conf=/r" },
	{ "--staging diagnose --cert-manager-version=1.7.2", 0,
	    "cmd=diagnose server=" LES " cm_version=1.7.2" },
	{ "diagnose --challenge /c --cert-manager-feature-gates=LiteralCertificateSubject=true,"
	    "AllAlpha=1", 0, "cmd=diagnose challenge=/c "
	    "cm_feature_gates=LiteralCertificateSubject=true,AllAlpha=1" },
	{ "diagnose --cert-manager-feature-gates A=true", USAGE,
	    "--cert-manager-feature-gates needs --certificate or --challenge FILE (no gate "
	    "changes the account step)" },
	{ "issue --webroot /w --cert-manager-feature-gates A=true", USAGE,
	    "option --cert-manager-feature-gates is not valid for issue" },
	{ "diagnose --cert-manager-feature-gates", USAGE,
	    "option --cert-manager-feature-gates needs a value" },
	{ "diagnose --agree-tos", USAGE, "option --agree-tos is not valid for diagnose" },
	{ "diagnose --key-type ec256", USAGE, "option --key-type is not valid for diagnose" },
	{ "diagnose extra", USAGE, "unexpected argument \"extra\" for diagnose" },
	{ "diagnose --secret", USAGE, "option --secret needs a value" },
	/* the whole flow of --certificate answers DNS-01 through a hook, and
	 * HTTP-01 beside it; the dns hook alone means nothing without it */
	{ "diagnose --certificate /c --from-issuer /i --dns-hook /h --webroot /w "
	    "--deadline 20", 0, "cmd=diagnose dns_hook=/h webroot=/w deadline=20" },
	{ "diagnose --dns-hook /h", USAGE,
	    "--webroot, --standalone, --dns-hook and -o need --certificate FILE" },
	{ "diagnose --certificate /c --from-issuer /i --deadline 0", USAGE,
	    "--deadline must be a whole number from 1 to 86400 (got \"0\")" },
};

static const char *expected_state_dir(void)
{
	return geteuid() == 0 ? "/var/lib/acmectl" : XDG_STATE "/acmectl";
}

static const char *show_str(const char *s)
{
	return s ? s : "(null)";
}

/* The command as the rows name it: its words joined by '_'. */
static const char *command_key(enum command cmd)
{
	static const char *const keys[] = {
		[CMD_NONE] = "none", [CMD_HELP] = "help", [CMD_VERSION] = "version",
		[CMD_ACCOUNT_REGISTER] = "account_register", [CMD_ACCOUNT_SHOW] = "account_show",
		[CMD_ISSUE] = "issue", [CMD_PROXY_EXPLAIN] = "proxy_explain",
		[CMD_DIAGNOSE] = "diagnose", [CMD_RENEW] = "renew", [CMD_LIST] = "list",
		[CMD_REVOKE] = "revoke", [CMD_ACCOUNT_ROLLOVER] = "account_rollover",
		[CMD_ACCOUNT_DEACTIVATE] = "account_deactivate",
		[CMD_ACCOUNT_UPDATE] = "account_update", [CMD_ACCOUNT_EXPORT] = "account_export",
		[CMD_ACCOUNT_IMPORT] = "account_import", [CMD_DELETE] = "delete",
	};

	return (size_t)cmd < nitems(keys) && keys[cmd] != NULL ? keys[cmd] : "?";
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
		S("cm_version", cm_version), S("cm_feature_gates", cm_feature_gates),
		S("challenge", challenge),
		S("resolv_conf", resolv_conf),
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
	if (strcmp(key, "server") == 0)
		return show_str(cfg->server);
	if (strcmp(key, "cmd") == 0)
		return command_key(cfg->cmd);
	if (strcmp(key, "timeout") == 0 || strcmp(key, "nnames") == 0) {
		snprintf(buf, len, "%ld", strcmp(key, "timeout") == 0 ? cfg->timeout_s :
		    (long)cfg->nnames);
		return buf;
	}
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
		CHECK(strstr(err_message(), r->want) != NULL,
		    "[%s] message \"%s\" lacks \"%s\"", r->args, err_message(), r->want);
		CHECK(strchr(err_message(), '\n') == NULL,
		    "[%s] message spans lines", r->args);
		goto out;
	}
	CHECK(cfg.cmd != CMD_ISSUE || cfg.names == NULL || cfg.names[cfg.nnames] == NULL,
	    "[%s] names not NULL-terminated", r->args);
	check_fields(&cfg, r->want, r->args);
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
