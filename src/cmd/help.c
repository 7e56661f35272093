/* help.c - the whole --help text, each command's own help, the nearest
 * known word to a mistyped one, and pointers for certbot's spellings (see
 * help.h).
 *
 * The options of a command are written here by hand, in the words that
 * fit that command; test_help checks each command's help against the
 * parser's table both ways (every option the command accepts is in its
 * help, every option its help names is accepted), so they cannot drift.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "help.h"
#include "util.h"

/* Longer words are no typo of a command or option: not worth a table. */
#define DISTANCE_MAX_LEN 64

static const struct {
	enum command cmd;
	const char *name;
	const char *text;    /* from the usage line to the examples */
} helps[] = {
	{ CMD_ACCOUNT_REGISTER, "account register",
"usage: acmectl account register --agree-tos [--email ADDR] [--key-type TYPE]\n"
"                                [--account-key FILE]\n"
"                                [--eab-kid ID --eab-hmac-key B64URL\n"
"                                 [--eab-alg ALG]]\n"
"\n"
"Register an account with the ACME server and keep its key in the state\n"
"directory.\n"
"\n"
"Options:\n"
"  --agree-tos            agree to the CA's terms of service (required)\n"
"  --email ADDR           contact address for expiry and policy mail\n"
"  --key-type TYPE        account key: ec256 (default), ec384, rsa2048,\n"
"                         rsa3072 or rsa4096\n"
"  --account-key FILE     use this private key (PEM) instead of a new one\n"
"  --eab-kid ID           external account binding key identifier\n"
"  --eab-hmac-key B64URL  external account binding MAC key (with --eab-kid)\n"
"  --eab-alg ALG          HS256 (default), HS384 or HS512\n"
"\n"
"Examples:\n"
"  acmectl account register --agree-tos --email admin@example.org\n"
"  acmectl --staging account register --agree-tos\n" },
	{ CMD_ACCOUNT_SHOW, "account show",
"usage: acmectl account show [--account-key FILE] [--json]\n"
"\n"
"Show the account kept for the ACME server: URL, contact, status. The URL\n"
"is looked up on the server when it is not stored.\n"
"\n"
"Options:\n"
"  --account-key FILE     look up the account of this key (PEM) instead\n"
"\n"
"Examples:\n"
"  acmectl account show\n"
"  acmectl --staging account show --json\n" },
	{ CMD_ACCOUNT_ROLLOVER, "account rollover",
"usage: acmectl account rollover [--key-type TYPE | --account-key FILE]\n"
"\n"
"Replace the account key (keyChange); the old key is kept as key.pem.old.\n"
"\n"
"Options:\n"
"  --key-type TYPE        type of the new key: ec256 (default), ec384,\n"
"                         rsa2048, rsa3072 or rsa4096\n"
"  --account-key FILE     the new key (PEM) instead of a generated one\n"
"\n"
"Examples:\n"
"  acmectl account rollover --key-type ec384\n" },
	{ CMD_ACCOUNT_DEACTIVATE, "account deactivate",
"usage: acmectl account deactivate [--yes]\n"
"\n"
"Deactivate the account for good; the CA will refuse it from then on.\n"
"\n"
"Options:\n"
"  --yes                  do not ask for confirmation\n"
"\n"
"Examples:\n"
"  acmectl --staging account deactivate --yes\n" },
	{ CMD_ACCOUNT_UPDATE, "account update",
"usage: acmectl account update --email ADDR\n"
"\n"
"Change the account's contact address.\n"
"\n"
"Options:\n"
"  --email ADDR           the new contact address (required)\n"
"\n"
"Examples:\n"
"  acmectl account update --email new@example.org\n" },
	{ CMD_ACCOUNT_EXPORT, "account export",
"usage: acmectl account export --cert-manager [--name NAME] [--namespace NS]\n"
"                              [--kind ClusterIssuer|Issuer]\n"
"                              [--solver-class CLASS] [-o FILE]\n"
"\n"
"Write the account (RSA keys only) as a Secret and an ACME ClusterIssuer or\n"
"Issuer for cert-manager, without any request.\n"
"\n"
"Options:\n"
"  --cert-manager         write cert-manager manifests (required)\n"
"  --name NAME            the issuer's name (default from the server's host)\n"
"  --namespace NS         namespace of the Secret, and of an Issuer (default\n"
"                         cert-manager for a ClusterIssuer)\n"
"  --kind KIND            ClusterIssuer (default) or Issuer\n"
"  --solver-class CLASS   ingressClassName of the http01 solver (default\n"
"                         nginx)\n"
"  -o FILE                write to FILE, created with mode 0600, never\n"
"                         overwritten (default standard output)\n"
"\n"
"Examples:\n"
"  acmectl account export --cert-manager -o issuer.yaml\n"
"  acmectl account export --cert-manager --kind Issuer --namespace web\n" },
	{ CMD_ACCOUNT_IMPORT, "account import",
"usage: acmectl account import --cert-manager --from-issuer FILE\n"
"                              [--secret FILE]\n"
"\n"
"Keep the account of a cert-manager (Cluster)Issuer for its server: its key\n"
"from the Secret, its URL looked up with onlyReturnExisting. Never\n"
"registers one.\n"
"\n"
"Options:\n"
"  --cert-manager         read cert-manager manifests (required)\n"
"  --from-issuer FILE     the ClusterIssuer or Issuer manifest (required)\n"
"  --secret FILE          the Secret holding the key (default: the issuer's\n"
"                         file)\n"
"\n"
"Examples:\n"
"  acmectl account import --cert-manager --from-issuer issuer.yaml\n"
"  acmectl account import --cert-manager --from-issuer issuer.yaml \\\n"
"          --secret secret.yaml\n" },
	{ CMD_ISSUE, "issue",
"usage: acmectl issue (--webroot DIR | --standalone [ADDR:]PORT |\n"
"         --tls-alpn [ADDR:]PORT | --dns-hook PROG) [OPTION]... NAME...\n"
"\n"
"Obtain a certificate for the DNS names or IP addresses NAME... and keep it\n"
"in certbot's layout. Nothing is sent while the kept one is not due. The\n"
"settings are remembered for renew; what is not given is kept from them.\n"
"\n"
"Options:\n"
"  --webroot DIR          answer http-01 with files under\n"
"                         DIR/.well-known/acme-challenge/\n"
"  --standalone [ADDR:]PORT, --tls-alpn [ADDR:]PORT\n"
"                         answer http-01, tls-alpn-01 with a built-in server\n"
"  --dns-hook PROG        answer dns-01 (needed for wildcards) by running\n"
"                         PROG add|remove _acme-challenge.NAME VALUE\n"
"  --dns-wait SECONDS     wait at most this long for every nameserver of the\n"
"                         zone to serve the records (default 0: not at all)\n"
"  --dns-resolver LIST    resolvers (IP[:PORT],...) that find those servers\n"
"  --key-type TYPE        certificate key: ec256 (default), ec384, rsa2048,\n"
"                         rsa3072 or rsa4096\n"
"  --reuse-key            keep the key across renewals (DANE/TLSA pinning)\n"
"  --no-reuse-key         a new key at each renewal again (the default)\n"
"  --csr FILE             your own request (PEM); NAMEs must then match it\n"
"  --name NAME            directory it is kept under (default: first NAME)\n"
"  --force                issue even when the current one is not due\n"
"  --replace-names        give a kept certificate these names, issue at once\n"
"  --deploy-hook CMD, --pre-hook CMD, --post-hook CMD\n"
"                         as renew's, run around a new one (remembered)\n"
"  --dry-run [--dry-run-server URL]\n"
"                         try it on a test server, keeping nothing\n"
"  --preferred-chain CN   the chain whose top issuer has this CN\n"
"  --profile NAME         certificate profile to ask the server for\n"
"  --parallel N           requests in flight at once (default 8)\n"
"  --hook-timeout SECONDS stop a hook that runs longer (default 300; 0: never)\n"
"  --deadline SECONDS     the longest the issuance may take (default 300)\n"
"  --email ADDR, --agree-tos\n"
"                         register the account on the way when there is none\n"
"\n"
"Examples:\n"
"  acmectl issue --webroot /var/www/html example.org www.example.org\n"
"  acmectl issue --standalone 80 example.org\n"
"  acmectl issue --dns-hook /usr/local/bin/dns-hook '*.example.org'\n" },
	{ CMD_RENEW, "renew",
"usage: acmectl renew [NAME...] [--days N] [--force] [--deploy-hook CMD]\n"
"                     [--pre-hook CMD] [--post-hook CMD]\n"
"                     [--hook-timeout SECONDS] [--jitter SECONDS]\n"
"                     [--parallel N] [--dns-resolver LIST]\n"
"                     [--deadline SECONDS] [--dry-run [--dry-run-server URL]]\n"
"                     [--metrics FILE]\n"
"\n"
"Renew the certificates (all, or the NAMEd ones) that are due, the way each\n"
"was issued. Nothing due means no request and exit 0. One run at a time.\n"
"\n"
"Options:\n"
"  --days N               renew when fewer than N days are left (default:\n"
"                         when a third of the lifetime is left)\n"
"  --force                renew even what is not due\n"
"  --deploy-hook CMD      run after each renewed certificate, with\n"
"                         ACMECTL_NAME, ACMECTL_FULLCHAIN, ACMECTL_PRIVKEY,\n"
"                         ... set (remembered; \"\" forgets it)\n"
"  --pre-hook CMD         run once before renewing, when something is due\n"
"  --post-hook CMD        run once after renewing, when something was due\n"
"  --hook-timeout SECONDS stop a hook that runs longer (default 300, 0 = no\n"
"                         limit)\n"
"  --jitter SECONDS       sleep a random time up to SECONDS first\n"
"  --parallel N           certificates renewed at once (default 8)\n"
"  --dns-resolver LIST    resolvers that find a dns-01 zone's nameservers\n"
"  --deadline SECONDS     the longest one batch may take (default 300)\n"
"  --dry-run              try each renewal against a test server, keeping\n"
"                         nothing (due or not)\n"
"  --dry-run-server URL   that test server (default: the staging counterpart)\n"
"  --metrics FILE         write every certificate's state to FILE, a\n"
"                         Prometheus textfile (node_exporter's collector)\n"
"\n"
"Examples:\n"
"  acmectl renew\n"
"  acmectl renew --deploy-hook 'systemctl reload nginx'\n"
"  acmectl renew --force example.org\n" },
	{ CMD_LIST, "list",
"usage: acmectl list [--json] [--metrics FILE]\n"
"\n"
"List the certificates kept: names, expiry, days left, due or not, server.\n"
"\n"
"Options:\n"
"  --metrics FILE         also write their state to FILE, a Prometheus\n"
"                         textfile (node_exporter's textfile collector)\n"
"\n"
"Examples:\n"
"  acmectl list\n"
"  acmectl list --json\n"
"  acmectl list -q --metrics /var/lib/node_exporter/textfile/acmectl.prom\n" },
	{ CMD_DELETE, "delete",
"usage: acmectl delete NAME [--yes]\n"
"\n"
"Remove the certificate kept as NAME: its key, every generation and its\n"
"record, so renew forgets it. Asks to type NAME first; accounts are never\n"
"touched. Revoke it first if its key may have leaked.\n"
"\n"
"Options:\n"
"  --yes                  delete without asking (needed without a terminal)\n"
"\n"
"Examples:\n"
"  acmectl delete old.example.org\n"
"  acmectl delete old.example.org --yes\n" },
	{ CMD_REVOKE, "revoke",
"usage: acmectl revoke NAME | --cert FILE [--cert-key FILE] [--reason CODE]\n"
"\n"
"Revoke a certificate, signed by the account key or by the certificate's\n"
"own key. A revoked certificate is never renewed.\n"
"\n"
"Options:\n"
"  --cert FILE            the certificate to revoke, instead of a NAME kept\n"
"  --cert-key FILE        sign with the certificate's key (with --cert)\n"
"  --reason CODE          a number or a name such as keyCompromise,\n"
"                         superseded, cessationOfOperation\n"
"\n"
"Examples:\n"
"  acmectl revoke example.org --reason superseded\n"
"  acmectl revoke --cert cert.pem --cert-key privkey.pem\n" },
	{ CMD_PROXY_EXPLAIN, "proxy explain",
"usage: acmectl proxy explain URL [--json]\n"
"\n"
"Show whether and through which proxy URL would be fetched, and why, under\n"
"the proxy settings of the command line, config file and environment.\n"
"\n"
"Examples:\n"
"  acmectl proxy explain https://acme-v02.api.letsencrypt.org/directory\n"
"  acmectl proxy explain --proxy-rules curl https://example.org/\n" },
	{ CMD_DIAGNOSE, "diagnose",
"usage: acmectl diagnose [--email ADDR] [--account-key FILE] [--eab-secret FILE]\n"
"                        [--account-url URL] [--from-issuer FILE]\n"
"                        [--secret FILE] [--cert-manager-version V]\n"
"                        [--resolv-conf FILE | --pid PID] [--register]\n"
"       acmectl diagnose --challenge FILE [--cert-manager-version V]\n"
"                        [--dns01-recursive-nameservers LIST]\n"
"                        [--dns01-recursive-nameservers-only]\n"
"       acmectl diagnose --certificate FILE --from-issuer FILE [--secret FILE]\n"
"                        [--webroot DIR | --standalone [ADDR:]PORT]\n"
"                        [--dns-hook PROG] [-o FILE] [--deadline SECONDS]\n"
"                        [--cert-manager-feature-gates LIST]\n"
"\n"
"Check why an ACME account cannot be registered, as cert-manager would try it\n"
"(--timeout bounds each step, default 5 s); --challenge: why a Challenge is\n"
"stuck; --certificate: what cert-manager would do for it (with a solver, do it).\n"
"\n"
"Options:\n"
"  --email ADDR           the contact address to register with\n"
"  --account-key FILE     the account's private key (PEM)\n"
"  --account-url URL      the account URL to check\n"
"  --from-issuer FILE     take the settings from an Issuer or ClusterIssuer\n"
"  --secret FILE          the Issuer's account key Secret, the Certificate's\n"
"                         or both (the flow orders on that key's account)\n"
"  --cert-manager-version V  the release to model (default the newest)\n"
"  --cert-manager-feature-gates LIST  cert-manager's gates, Name=true,...\n"
"  --resolv-conf FILE     resolver configuration (default /etc/resolv.conf)\n"
"  --pid PID              as process PID's network, resolver, proxy see it\n"
"  --register             send cert-manager's newAccount (creates the account)\n"
"  --eab-secret FILE      the Secret holding the external account binding key\n"
"  --challenge FILE       a Challenge, as kubectl get challenge prints it\n"
"  --certificate FILE     a Certificate, as kubectl get certificate prints it\n"
"  --webroot DIR, --standalone [ADDR:]PORT  answer HTTP-01 in the whole flow\n"
"  --dns-hook PROG        answer DNS-01 through PROG (as issue) in the flow\n"
"  -o FILE                the Secret to write (new file, mode 0600)\n"
"  --deadline SECONDS     the flow's time budget (default 300)\n"
"  --dns01-recursive-nameservers LIST  a DNS-01 check's nameservers, IP:PORT,...\n"
"  --dns01-recursive-nameservers-only  ask them, not the zone's own\n"
"\n"
"Examples:\n"
"  acmectl diagnose --from-issuer issuer.yaml --secret secret.yaml\n"
"  acmectl diagnose --challenge challenge.yaml\n" },
};

const char *help_usage(void)
{
	return
"usage: acmectl [OPTION]... COMMAND [OPTION]... [ARG]...\n"
"\n"
"Commands:\n"
"  account register --agree-tos [--email ADDR] [--key-type TYPE]\n"
"                   [--account-key FILE]\n"
"                   [--eab-kid ID --eab-hmac-key B64URL [--eab-alg ALG]]\n"
"      Register an account with the ACME server and keep its key.\n"
"  account show [--account-key FILE] [--json]\n"
"      Show the account kept for the ACME server.\n"
"  issue (--webroot DIR | --standalone [ADDR:]PORT | --tls-alpn [ADDR:]PORT |\n"
"        --dns-hook PROG)\n"
"        [--dns-wait SECONDS [--dns-resolver LIST]] [--key-type TYPE]\n"
"        [--csr FILE] [--name NAME] [--preferred-chain CN] [--profile NAME]\n"
"        [--force] [--replace-names] [--deploy-hook CMD] [--pre-hook CMD]\n"
"        [--post-hook CMD] [--hook-timeout SECONDS] [--deadline SECONDS]\n"
"        [--dry-run [--dry-run-server URL]] [--reuse-key | --no-reuse-key]\n"
"        [--email ADDR --agree-tos] NAME...\n"
"      Obtain a certificate for NAME... (http-01 validation, tls-alpn-01\n"
"      with --tls-alpn, or dns-01 with --dns-hook). With --csr the names come\n"
"      from the request; NAMEs given\n"
"      must then match it. For a kept certificate, what is not given is\n"
"      kept from how it was issued.\n"
"  account rollover [--key-type TYPE | --account-key FILE]\n"
"      Replace the account key (keyChange); the old key is kept as a backup.\n"
"  account deactivate [--yes]\n"
"      Deactivate the account for good (asks first unless --yes).\n"
"  account update --email ADDR\n"
"      Change the account's contact address.\n"
"  account export --cert-manager [--name NAME] [--namespace NS]\n"
"                 [--kind ClusterIssuer|Issuer] [--solver-class CLASS]\n"
"                 [-o FILE]\n"
"      Write the account (RSA keys only) as a Secret and an ACME\n"
"      ClusterIssuer or Issuer for cert-manager, without any request.\n"
"  account import --cert-manager --from-issuer FILE [--secret FILE]\n"
"      Keep the account of a cert-manager (Cluster)Issuer for its server:\n"
"      its key from the Secret (default: the issuer's file), its URL looked\n"
"      up with onlyReturnExisting; never registers one.\n"
"  renew [NAME...] [--days N] [--force] [--deploy-hook CMD] [--pre-hook CMD]\n"
"        [--post-hook CMD] [--hook-timeout SECONDS] [--jitter SECONDS]\n"
"        [--parallel N] [--dns-resolver LIST] [--deadline SECONDS]\n"
"        [--dry-run [--dry-run-server URL]] [--metrics FILE]\n"
"      Renew the certificates (all, or the NAMEd ones) that are due, the way\n"
"      each was issued. Nothing due means no network (except an ARI check,\n"
"      when the CA's Retry-After allows one) and exit 0. One run at a time: a\n"
"      second waits up to 60 s, then exits 4. A revoked certificate is never\n"
"      renewed.\n"
"  list [--json] [--metrics FILE]\n"
"      List the certificates kept: names, expiry, days left, due or not.\n"
"  revoke NAME | --cert FILE [--cert-key FILE] [--reason CODE]\n"
"      Revoke a certificate (signed by the account key, or by the\n"
"      certificate's own key with --cert-key).\n"
"  delete NAME [--yes]\n"
"      Remove a kept certificate, all its generations and its record (asks\n"
"      first unless --yes); accounts are never touched.\n"
"  proxy explain URL [--json]\n"
"      Show whether and through which proxy URL would be fetched, and why.\n"
"  diagnose [--email ADDR] [--account-key FILE] [--account-url URL]\n"
"           [--from-issuer FILE] [--secret FILE] [--cert-manager-version V]\n"
"           [--resolv-conf FILE | --pid PID] [--register [--eab-secret FILE]]\n"
"      Check step by step why an ACME account cannot be registered, as\n"
"      cert-manager would try it.\n"
"  diagnose --challenge FILE [--cert-manager-version V]\n"
"           [--dns01-recursive-nameservers LIST] [--dns01-recursive-nameservers-only]\n"
"      Run cert-manager's self check of a stuck Challenge from here and\n"
"      print the status.reason it would write.\n"
"  help [COMMAND]\n"
"      Show this text, or the synopsis, options and examples of COMMAND\n"
"      (also: acmectl COMMAND --help).\n"
"\n"
"Global options (before or after the command):\n"
"  --server URL|NAME      ACME directory, an https:// URL or a CA's name:\n"
"                         letsencrypt (default), letsencrypt-staging, zerossl,\n"
"                         buypass, buypass-test, google, google-staging\n"
"  --staging              same as --server letsencrypt-staging\n"
"  --state-dir DIR        where accounts and certificates are kept (default\n"
"                         /var/lib/acmectl for root, else\n"
"                         $XDG_STATE_HOME/acmectl or ~/.local/state/acmectl)\n"
"  --ca-bundle FILE       CA certificates to trust for the ACME server\n"
"  --timeout SECONDS      network deadline (default 30; for diagnose it applies\n"
"                         to each step, default 5)\n"
"  -v, -vv                more detail (repeatable)\n"
"  -q                     no output but errors\n"
"  --json                 machine-readable output\n"
"  --config FILE          settings file (default /etc/acmectl/acmectl.conf if\n"
"                         it exists)\n"
"  --proxy URL            proxy to use instead of the environment's\n"
"  --proxy-auth-file FILE proxy credentials, read from FILE\n"
"  --no-proxy LIST        hosts to reach without a proxy (comma-separated)\n"
"  --no-env-proxy         ignore HTTPS_PROXY, NO_PROXY and the like\n"
"  --proxy-rules go|curl  how proxy variables are read: as Go and cert-manager\n"
"                         do (default go) or as curl does\n"
"  -h, --help             show this text\n"
"  -V, --version          show the version\n"
"\n"
"Command options:\n"
"  --email ADDR           contact address of the account\n"
"  --agree-tos            agree to the CA's terms of service (needed to register)\n"
"  --key-type TYPE        ec256 (default), ec384, rsa2048, rsa3072 or rsa4096:\n"
"                         the account key for account register, the\n"
"                         certificate key for issue\n"
"  --account-key FILE     the account's private key (PEM)\n"
"  --eab-kid ID           external account binding key identifier\n"
"  --eab-hmac-key B64URL  external account binding MAC key (with --eab-kid)\n"
"  --eab-alg ALG          HS256 (default), HS384 or HS512\n"
"  --webroot DIR          answer challenges with files under\n"
"                         DIR/.well-known/acme-challenge/\n"
"  --standalone [ADDR:]PORT\n"
"                         answer challenges with a built-in HTTP server\n"
"  --tls-alpn [ADDR:]PORT answer tls-alpn-01 challenges with a built-in TLS\n"
"                         server (ALPN acme-tls/1)\n"
"  --csr FILE             certificate signing request to use (PEM)\n"
"  --name NAME            name the certificate is kept under (issue), or the\n"
"                         issuer's name (account export; default from the\n"
"                         server's host)\n"
"  --force                issue even if a current certificate exists\n"
"  --replace-names        change the names of a kept certificate (issue)\n"
"  --reuse-key            keep the certificate's private key across\n"
"                         renewals, e.g. for DANE/TLSA (issue; remembered)\n"
"  --no-reuse-key         a new key at each renewal again (issue; default)\n"
"  --metrics FILE         write a Prometheus textfile of every certificate's\n"
"                         state, atomically (renew, list)\n"
"  --dry-run              issue or renew against a test server with a\n"
"                         throwaway account and state; nothing is kept and\n"
"                         no hook but --dns-hook runs\n"
"  --dry-run-server URL   the test server of --dry-run (default: the staging\n"
"                         counterpart of the certificate's server)\n"
"  --dns-hook PROG        answer dns-01 challenges by running\n"
"                         PROG add|remove _acme-challenge.NAME VALUE\n"
"  --dns-wait SECONDS     after adding the records, wait until every\n"
"                         authoritative nameserver serves them, at most\n"
"                         this long (default 0: answer at once)\n"
"  --dns-resolver LIST    resolvers (IP[:PORT],...) that find the zone and\n"
"                         its nameservers (default: /etc/resolv.conf's)\n"
"  --preferred-chain CN   pick the chain whose top issuer has this CN\n"
"  --profile NAME         certificate profile to ask the server for\n"
"  --parallel N           requests in flight at once (issue, renew; default 8)\n"
"  --days N               renew when fewer than N days are left (default: when\n"
"                         less than a third of the lifetime is left, a half\n"
"                         for lifetimes of 10 days or less)\n"
"  --deploy-hook CMD      run through /bin/sh after each new certificate,\n"
"                         with ACMECTL_NAME, ACMECTL_CERT_DIR, ACMECTL_CERT,\n"
"                         ACMECTL_CHAIN, ACMECTL_FULLCHAIN and ACMECTL_PRIVKEY\n"
"                         set (remembered; \"\" forgets it)\n"
"  --pre-hook CMD         run once before renewing, when something is due\n"
"                         (remembered)\n"
"  --post-hook CMD        run once after renewing, when something was due\n"
"                         (remembered)\n"
"  --hook-timeout SECONDS stop any hook (also --dns-hook) that runs longer:\n"
"                         SIGTERM to its process group, SIGKILL 5 s later;\n"
"                         0 to 86400, 0 = no limit (issue, renew; default 300)\n"
"  --deadline SECONDS     the longest an issuance may take, requests and the\n"
"                         server's Retry-After waits included; 1 to 86400\n"
"                         (issue, renew; default 300)\n"
"  --jitter SECONDS       sleep a random time up to SECONDS first (renew)\n"
"  --cert FILE            certificate to revoke\n"
"  --cert-key FILE        sign the revocation with the certificate's key\n"
"  --reason CODE          revocation reason: a number or a name such as\n"
"                         keyCompromise, superseded, cessationOfOperation\n"
"  --yes                  do not ask for confirmation (account deactivate,\n"
"                         delete)\n"
"  --account-url URL      the account URL to check (diagnose)\n"
"  --from-issuer FILE     take the settings from an Issuer or ClusterIssuer\n"
"                         manifest (diagnose, account import)\n"
"  --secret FILE          the account key Secret manifest (diagnose, account\n"
"                         import)\n"
"  --cert-manager-version V\n"
"                         cert-manager version to model (diagnose; default\n"
"                         the current one)\n"
"  --cert-manager-feature-gates LIST\n"
"                         the feature gates cert-manager runs with, as its\n"
"                         controller's flag of that name takes them (diagnose)\n"
"  --resolv-conf FILE     resolver configuration (diagnose; default\n"
"                         /etc/resolv.conf)\n"
"  --pid PID              diagnose as process PID (e.g. cert-manager's\n"
"                         controller) sees the network (root; diagnose)\n"
"  --challenge FILE       a cert-manager Challenge to self-check (diagnose)\n"
"  --certificate FILE     a cert-manager Certificate to check up to its\n"
"                         Challenges' self checks (diagnose)\n"
"  --dns01-recursive-nameservers LIST\n"
"                         recursive nameservers of a DNS-01 check, IP:PORT,...\n"
"  --dns01-recursive-nameservers-only\n"
"                         ask them, not the authoritative ones (diagnose)\n"
"  --register             send cert-manager's own account requests; creates\n"
"                         the account (diagnose)\n"
"  --eab-secret FILE      the external account binding key's Secret (diagnose)\n"
"  --cert-manager         write (account export) or read (account import)\n"
"                         cert-manager manifests\n"
"  --namespace NS         namespace of the Secret, and of an Issuer (account\n"
"                         export; default cert-manager for a ClusterIssuer)\n"
"  --kind KIND            ClusterIssuer (default) or Issuer (account export)\n"
"  --solver-class CLASS   ingressClassName of the http01 solver (account\n"
"                         export; default nginx)\n"
"  -o FILE                write to FILE, created with mode 0600, never\n"
"                         overwritten (account export; default standard\n"
"                         output)\n"
"\n"
"Options take their value as --opt VALUE or --opt=VALUE.\n"
"\n"
"Exit status:\n"
"  0  success\n"
"  1  the ACME server refused or validation failed; renew: a certificate\n"
"     failed to renew or deploy (3 or 4 when every failure was of that kind)\n"
"  2  usage error or bad local input\n"
"  3  network failure or deadline (server or proxy unreachable)\n"
"  4  local storage error, or another renew held the lock for 60 s\n";
}

/* "Global options ...: --server --staging ...", the options every command
 * accepts, in lines of up to 79 characters. */
static char *global_options(void)
{
	const char *opt;
	char *text = xstrdup("Global options (acmectl --help):"), *longer;
	size_t i, j, line_len = strlen(text);
	bool everywhere;

	for (i = 0; (opt = cli_option_name(i)) != NULL; i++) {
		everywhere = true;
		for (j = 0; j < nitems(helps) && everywhere; j++)
			everywhere = cli_option_accepts(opt, helps[j].cmd);
		if (!everywhere)
			continue;
		if (line_len + 1 + strlen(opt) > 79) {
			longer = xasprintf("%s\n ", text);
			free(text);
			text = longer;
			line_len = 1;
		}
		longer = xasprintf("%s %s", text, opt);
		free(text);
		text = longer;
		line_len += 1 + strlen(opt);
	}
	return text;
}

/* A group's help: each command's usage lines (which name all its options)
 * and what it does, then all their examples, and where the options are
 * explained. Caller frees; NULL when group has no commands. */
static char *group_help(const char *group)
{
	const char *end, *examples;
	char *text = xstrdup(""), *ex = xstrdup(""), *longer;
	size_t i, len = strlen(group);
	bool found = false;

	for (i = 0; i < nitems(helps); i++) {
		if (strncmp(helps[i].name, group, len) != 0 || helps[i].name[len] != ' ')
			continue;
		examples = strstr(helps[i].text, "\nExamples:\n");
		if ((end = strstr(helps[i].text, "\nOptions:\n")) == NULL)
			end = examples;
		longer = xasprintf("%s%s%.*s", text, found ? "\n" : "",
		    (int)(end - helps[i].text), helps[i].text);
		free(text);
		text = longer;
		longer = xasprintf("%s%s", ex, examples + strlen("\nExamples:\n"));
		free(ex);
		ex = longer;
		found = true;
	}
	longer = found ? xasprintf("%s\nExamples:\n%s\nEach command's options: acmectl help "
	    "%s COMMAND\n", text, ex, group) : NULL;
	free(text);
	free(ex);
	return longer;
}

char *help_command(const char *topic)
{
	char *text = NULL, *longer, *globals;
	size_t i;

	for (i = 0; i < nitems(helps) && text == NULL; i++)
		if (strcmp(helps[i].name, topic) == 0)
			text = xstrdup(helps[i].text);
	if (text == NULL && (text = group_help(topic)) == NULL) {
		err_set(ERR_USAGE, "no command \"%s\" (acmectl --help lists them)", topic);
		return NULL;
	}
	globals = global_options();
	longer = xasprintf("%s\n%s\n", text, globals);
	free(globals);
	free(text);
	return longer;
}

size_t help_distance(const char *a, const char *b)
{
	size_t d[DISTANCE_MAX_LEN + 1][DISTANCE_MAX_LEN + 1];
	size_t la = strlen(a), lb = strlen(b), i, j, best;

	if (la > DISTANCE_MAX_LEN || lb > DISTANCE_MAX_LEN)
		return (size_t)-1;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

const char *help_nearest(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL, *bare = word + strspn(word, "-");
	size_t i, dist, best_dist = (size_t)-1, limit;
	bool tie = false;

	/* leading dashes do not make a word longer: at distance 2, "-x" or
	 * "lst" would be near half the table */
	limit = strlen(bare) <= 4 ? 1 : 2;
	for (i = 0; i < n; i++) {
		dist = help_distance(word, candidates[i]);
		if (dist < best_dist) {
			best = candidates[i];
			best_dist = dist;
			tie = false;
		} else if (dist == best_dist && strcmp(best, candidates[i]) != 0) {
			tie = true;
		}
	}
	if (best == NULL || best_dist == 0 || best_dist > limit || tie)
		return NULL;
	return best;
}

static const struct {
	const char *certbot;
	const char *advice;
} habits[] = {
	{ "--force-renewal", "certbot's --force-renewal is --force here" },
	{ "--renew-by-default", "certbot's --renew-by-default is --force here" },
	{ "-d", "the names are arguments here, without -d "
	    "(acmectl issue --webroot DIR example.org www.example.org)" },
	{ "--domain", "the names are arguments here, without --domain "
	    "(acmectl issue --webroot DIR example.org www.example.org)" },
	{ "--domains", "the names are arguments here, without --domains "
	    "(acmectl issue --webroot DIR example.org www.example.org)" },
	{ "-m", "the account's contact address is --email ADDR here" },
	{ "-w", "the web root is --webroot DIR here" },
	{ "--webroot-path", "the web root is --webroot DIR here" },
	{ "--renew-hook", "certbot's --renew-hook is --deploy-hook CMD here" },
	{ "--cert-name", "the directory a certificate is kept under is --name NAME here" },
	{ "certonly", "certbot's certonly is acmectl issue" },
	{ "certificates", "certbot's certificates is acmectl list" },
	{ "register", "certbot's register is acmectl account register" },
	{ "unregister", "certbot's unregister is acmectl account deactivate" },
	{ "update_account", "certbot's update_account is acmectl account update" },
	{ "show_account", "certbot's show_account is acmectl account show" },
};

const char *help_certbot_habit(const char *word)
{
	size_t i;

	for (i = 0; i < nitems(habits); i++)
		if (strcmp(habits[i].certbot, word) == 0)
			return habits[i].advice;
	return NULL;
}
