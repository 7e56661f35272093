/* test_conf.c - the config file: one table of {file contents, flags given}
 * -> {settings, or the error with its FILE:LINE}, each written to a temp
 * file; then the file-level failures (missing, unreadable, NUL byte). */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "err.h"
#include "util.h"
#include "test.h"

#define STAGING LETSENCRYPT_STAGING_URL
#define FLAG_SERVER "https://flag.example/dir"

static const struct row {
	const char *content;
	/* flags given on the command line */
	const char *server_flag, *proxy_flag, *no_proxy_flag, *email_flag, *ca_flag;
	long timeout_flag;              /* 0: not given */
	/* expected */
	const char *error;              /* fragment after "FILE:", NULL: success */
	const char *server;             /* NULL: the default (Let's Encrypt) */
	const char *proxy, *proxy_at;   /* proxy_at: ":LINE" after the path */
	const char *no_proxy, *no_proxy_at;
	const char *ca_bundle, *email;
	long timeout;                   /* 0: the default 30 */
	const char *staging_servers;
} rows[] = {
	{ .content = "" },
	{ .content = "# acmectl.conf\n\n   \n\t# indented comment\n" },
	{ .content = "server = https://ca.example/dir\n", .server = "https://ca.example/dir" },
	{ .content = "server = letsencrypt-staging", .server = STAGING },
	{ .content = "server=letsencrypt\n", .server = LETSENCRYPT_URL },
	{ .content = "server = google-staging\n",
	  .server = "https://dv.acme-v02.test-api.pki.goog/directory" },
	{ .content = "server = zerossl\n", .server = "https://acme.zerossl.com/v2/DV90" },
	{ .content = "server = ZeroSSL\n",
	  .error = ":1: server must be an https:// URL or one of letsencrypt, letsencrypt-staging, "
	  "zerossl, buypass, buypass-test, google, google-staging (got \"ZeroSSL\")" },
	{ .content = "server = https://ca.example/dir\r\n", .server = "https://ca.example/dir" },
	{ .content = "server = http://ca.example/dir\n",
	  .error = ":1: server must be an https:// URL" },
	{ .content = "server = https://ca.example/dir\n", .server_flag = FLAG_SERVER,
	  .server = FLAG_SERVER },
	{ .content = "server = ftp://x\n", .server_flag = FLAG_SERVER,
	  .error = ":1: server must be" },
	{ .content = "proxy = http://proxy.corp:3128\nno-proxy = .corp, localhost\n",
	  .proxy = "http://proxy.corp:3128", .proxy_at = ":1",
	  .no_proxy = ".corp, localhost", .no_proxy_at = ":2" },
	{ .content = "# proxy for cron\n\n  proxy\t=\thttp://u:p#w@proxy.corp:3128  \n",
	  .proxy = "http://u:p#w@proxy.corp:3128", .proxy_at = ":3" },
	{ .content = "proxy = proxy.corp:3128\n", .proxy = "proxy.corp:3128", .proxy_at = ":1" },
	{ .content = "proxy = ftp://proxy.corp\n", .error = ":1: bad proxy URL" },
	{ .content = "\nproxy = http://u:secret@:3128\n", .error = ":2: bad proxy URL \"http://***@:3128\"" },
	{ .content = "proxy = http://conf.corp:3128\nno-proxy = a.example\n",
	  .proxy_flag = "http://flag.corp:3128", .no_proxy_flag = "",
	  .proxy = "http://flag.corp:3128", .no_proxy = "" },
	{ .content = "no-proxy = *\n", .no_proxy = "*", .no_proxy_at = ":1" },
	{ .content = "timeout = 90\n", .timeout = 90 },
	{ .content = "timeout = 90\n", .timeout_flag = 45, .timeout = 45 },
	{ .content = "timeout = 0\n", .error = ":1: timeout must be a whole number" },
	{ .content = "timeout = -5\n", .error = ":1: timeout must be" },
	{ .content = "timeout = 9x\n", .error = ":1: timeout must be" },
	{ .content = "timeout = 1000000\n", .error = ":1: timeout must be" },
	{ .content = "timeout = 86401\n", .error = ":1: timeout must be" },
	{ .content = "timeout = 86400\n", .timeout = 86400 },
	{ .content = "email = admin@example.org\n", .email = "admin@example.org" },
	{ .content = "email = admin@example.org\n", .email_flag = "me@example.org",
	  .email = "me@example.org" },
	{ .content = "email = admin\n", .error = ":1: email must be" },
	{ .content = "email = admin@example.org # ops\n", .error = ":1: email must be" },
	{ .content = "ca-bundle = /etc/ssl/corp.pem\n", .ca_bundle = "/etc/ssl/corp.pem" },
	{ .content = "ca-bundle = /etc/ssl/corp.pem\n", .ca_flag = "/tmp/x.pem",
	  .ca_bundle = "/tmp/x.pem" },
	{ .content = "staging-servers = https://a.test/dir, https://b.test:14000/dir\n",
	  .staging_servers = "https://a.test/dir, https://b.test:14000/dir" },
	{ .content = "staging-servers = https://a.test/dir, http://b.test/dir\n",
	  .error = ":1: staging-servers must be a comma-separated list of https:// URLs" },
	{ .content = "staging-servers = letsencrypt-staging\n",
	  .error = ":1: staging-servers must be" },
	{ .content = "staging-servers = https://a.test/dir,,\n",
	  .error = ":1: staging-servers must be" },
	{ .content = "proxy-rules = curl\n", .error = ":1: unknown key \"proxy-rules\"" },
	{ .content = "Server = https://ca.example/dir\n", .error = ":1: unknown key \"Server\"" },
	{ .content = "server https://ca.example/dir\n", .error = ":1: expected \"key = value\"" },
	{ .content = " = value\n", .error = ":1: no key before \"=\"" },
	{ .content = "proxy =\n", .error = ":1: empty value for \"proxy\"" },
	{ .content = "timeout = 10\n# again\ntimeout = 20\n",
	  .error = ":3: \"timeout\" already set on line 1" },
	{ .content = "# c\n\nserver = https://a.example/\nbogus = 1\n",
	  .error = ":4: unknown key \"bogus\"" },
	{ .content = "k\x01y = 1\n", .error = ":1: unknown key \"k\\x01y\"" },
	{ .content = "server = https://ca.example/dir\nproxy = socks5h://p.corp:1080\n"
	  "no-proxy = ca.example\nca-bundle = /etc/ssl/ca.pem\ntimeout = 12\n"
	  "email = ops@example.org\n", .server = "https://ca.example/dir",
	  .proxy = "socks5h://p.corp:1080", .proxy_at = ":2", .no_proxy = "ca.example",
	  .no_proxy_at = ":3", .ca_bundle = "/etc/ssl/ca.pem", .email = "ops@example.org",
	  .timeout = 12 },
};

static char dir[] = "/tmp/test_conf.XXXXXX";

static void write_file(const char *path, const char *content, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fwrite(content, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* Compares got with dir/conf + at (":LINE"), or NULL with NULL. */
static void check_at(const char *got, const char *path, const char *at, const char *ctx)
{
	char *want = at ? xasprintf("%s%s", path, at) : NULL;

	CHECK_STR(got, want, ctx);
	free(want);
}

static void run_row(size_t i, const struct row *r)
{
	struct config cfg;
	char *path = xasprintf("%s/conf%zu", dir, i), ctx[32], *want_err;
	int rc;

	snprintf(ctx, sizeof(ctx), "row %zu", i);
	write_file(path, r->content, strlen(r->content));
	memset(&cfg, 0, sizeof(cfg));
	cfg.server = r->server_flag ? r->server_flag : LETSENCRYPT_URL;
	cfg.server_set = r->server_flag != NULL;
	cfg.timeout_s = r->timeout_flag ? r->timeout_flag : 30;
	cfg.timeout_set = r->timeout_flag != 0;
	cfg.proxy = r->proxy_flag;
	cfg.no_proxy = r->no_proxy_flag;
	cfg.email = r->email_flag;
	cfg.ca_bundle = r->ca_flag;
	cfg.config_file = path;
	err_clear();
	rc = conf_apply(&cfg);
	if (r->error != NULL) {
		want_err = xasprintf("%s%s", path, r->error);
		CHECK_INT(rc, -1, ctx);
		CHECK_INT(err_kind(), ERR_USAGE, ctx);
		CHECK(strncmp(err_message(), want_err, strlen(want_err)) == 0,
		    "[%s] got \"%s\", want it to start with \"%s\"", ctx, err_message(), want_err);
		CHECK(strstr(err_message(), "secret") == NULL, "[%s] secret shown", ctx);
		free(want_err);
	} else {
		CHECK_INT(rc, 0, ctx);
		CHECK_STR(err_message(), "", ctx);
		CHECK_STR(cfg.server, r->server ? r->server : (r->server_flag ? r->server_flag :
		    LETSENCRYPT_URL), ctx);
		CHECK_STR(cfg.proxy, r->proxy, ctx);
		check_at(cfg.proxy_source, path, r->proxy_at, ctx);
		CHECK_STR(cfg.no_proxy, r->no_proxy, ctx);
		check_at(cfg.no_proxy_source, path, r->no_proxy_at, ctx);
		CHECK_STR(cfg.ca_bundle, r->ca_bundle, ctx);
		CHECK(cfg.ca_bundle_source == NULL || r->ca_flag == NULL,
		    "[%s] a --ca-bundle flag is said to come from the file", ctx);
		CHECK(cfg.ca_bundle_source != NULL || r->ca_flag != NULL || r->ca_bundle == NULL,
		    "[%s] a ca-bundle of the file is not said to come from it", ctx);
		CHECK_STR(cfg.staging_servers, r->staging_servers, ctx);
		CHECK_STR(cfg.email, r->email, ctx);
		CHECK_INT(cfg.timeout_s, r->timeout ? r->timeout : 30, ctx);
		CHECK(cfg.server_set == (r->server_flag != NULL), "[%s] server_set changed", ctx);
		CHECK(cfg.timeout_set == (r->timeout_flag != 0), "[%s] timeout_set changed", ctx);
	}
	config_free(&cfg);
	unlink(path);
	free(path);
}

static void check_files(void)
{
	struct config cfg;
	char *path = xasprintf("%s/nul", dir);
	struct stat st;

	memset(&cfg, 0, sizeof(cfg));
	cfg.config_file = "/nonexistent/acmectl.conf";
	CHECK_INT(conf_apply(&cfg), -1, "missing file");
	CHECK_INT(err_kind(), ERR_STORAGE, "missing file");
	CHECK(strstr(err_message(), "/nonexistent/acmectl.conf: ") == err_message(),
	    "missing file: %s", err_message());

	cfg.config_file = dir;
	CHECK_INT(conf_apply(&cfg), -1, "directory");
	CHECK_INT(err_kind(), ERR_STORAGE, "directory");

	write_file(path, "timeout = 5\nemail = a\0b@c\n", 26);
	cfg.config_file = path;
	CHECK_INT(conf_apply(&cfg), -1, "NUL byte");
	CHECK_INT(err_kind(), ERR_USAGE, "NUL byte");
	CHECK(strstr(err_message(), ":2: NUL byte") != NULL, "NUL byte: %s", err_message());
	config_free(&cfg);
	unlink(path);

	/* Without --config only an existing default file is read. */
	if (stat(CONF_DEFAULT_PATH, &st) == -1 && errno == ENOENT) {
		memset(&cfg, 0, sizeof(cfg));
		err_clear();
		CHECK_INT(conf_apply(&cfg), 0, "no default file");
		CHECK(cfg.owned == NULL && cfg.proxy == NULL, "no default file: settings changed");
	}

	/* Unreadable (root reads everything, so only as a user). */
	if (geteuid() != 0) {
		write_file(path, "timeout = 5\n", 12);
		chmod(path, 0);
		memset(&cfg, 0, sizeof(cfg));
		cfg.config_file = path;
		CHECK_INT(conf_apply(&cfg), -1, "unreadable");
		CHECK_INT(err_kind(), ERR_STORAGE, "unreadable");
		unlink(path);
	}
	free(path);
}

int main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	for (size_t i = 0; i < nitems(rows); i++)
		run_row(i, &rows[i]);
	check_files();
	rmdir(dir);
	printf("%zu table rows\n", nitems(rows));
	return test_done();
}
