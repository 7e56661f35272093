/* test_podview.c - what diagnose --pid takes from /proc: the proxy
 * variables of an environ block, the version a command line names, lines
 * cut at a NUL, hosts entries, --pid values, and the proxy layer reading
 * an environment handed to it as strings. */
#include "config.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certmanager.h"
#include "err.h"
#include "podview.h"
#include "proxy.h"
#include "test.h"
#include "util.h"

/* environ blocks are NUL-separated: rows spell them with '|' for NUL */
static const struct {
	const char *block;
	const char *kept;     /* the entries kept, '|'-joined */
} environ_rows[] = {
	{ "", "" },
	{ "PATH=/bin|HTTPS_PROXY=http://p:3128|HOME=/", "HTTPS_PROXY=http://p:3128" },
	{ "https_proxy=a|HTTPS_PROXY=b|NO_PROXY=.svc,10.0.0.0/8|no_proxy=x",
	  "https_proxy=a|HTTPS_PROXY=b|NO_PROXY=.svc,10.0.0.0/8|no_proxy=x" },
	/* the first of a name wins, as getenv() and os.Getenv */
	{ "HTTPS_PROXY=first|HTTPS_PROXY=second", "HTTPS_PROXY=first" },
	/* no '=': skipped; an empty value is a value */
	{ "HTTPS_PROXY|HTTP_PROXY=|NO_PROXY", "HTTP_PROXY=" },
	/* names match exactly: no prefix, no mixed case, no blanks */
	{ "HTTPS_PROXYX=a|Https_Proxy=b| HTTPS_PROXY=c|HTTPS_PROXY =d", "" },
	{ "ALL_PROXY=socks5://s|all_proxy=x|REQUEST_METHOD=GET",
	  "ALL_PROXY=socks5://s|all_proxy=x|REQUEST_METHOD=GET" },
	/* a value holding '=' and bytes outside ASCII is kept as it is */
	{ "NO_PROXY=a=b\xff\xfe|||", "NO_PROXY=a=b\xff\xfe" },
	/* a last entry without its NUL */
	{ "X=1|HTTP_PROXY=http://h", "HTTP_PROXY=http://h" },
};

static void test_environ(void)
{
	for (size_t i = 0; i < sizeof(environ_rows) / sizeof(environ_rows[0]); i++) {
		char *block = xstrdup(environ_rows[i].block), *got;
		size_t len = strlen(block);
		char **env;

		for (char *p = block; *p != '\0'; p++)
			if (*p == '|')
				*p = '\0';
		env = podview_environ_parse(block, len);
		got = str_join((const char *const *)env, strv_len(env), "|");
		CHECK_STR(got, environ_rows[i].kept, environ_rows[i].block);
		free(got);
		strv_free(env);
		free(block);
	}
}

static const struct {
	const char *cmdline;  /* '|' for NUL */
	const char *exe;
	const char *version;  /* and where from, after a space */
} version_rows[] = {
	{ "/app/cmd/controller/controller|--v=2|--acme-http01-solver-image="
	  "quay.io/jetstack/cert-manager-acmesolver:v1.16.2|--max-concurrent-challenges=60",
	  "/app/cmd/controller/controller", "v1.16.2 --acme-http01-solver-image" },
	/* the solver image wins over any other tag */
	{ "/bin/cm-v1.9.0|--acme-http01-solver-image=r.example/acmesolver:v1.14.4",
	  "/opt/v1.8.0/controller", "v1.14.4 --acme-http01-solver-image" },
	/* pinned by digest: no version in the argument, the binary's path tells */
	{ "controller|--acme-http01-solver-image=quay.io/jetstack/cert-manager-acmesolver"
	  "@sha256:0123abcd", "/opt/cert-manager-v1.12.3/controller",
	  "v1.12.3 the path of its binary" },
	{ "controller|--acme-http01-solver-image=registry:5000/acmesolver:v1.13.0@sha256:ab",
	  NULL, "v1.13.0 --acme-http01-solver-image" },
	{ "controller|--image=quay.io/jetstack/cert-manager-controller:v1.11.0", NULL,
	  "v1.11.0 its command line" },
	/* no tag: a pre-release, glued to a word, two parts, none at all */
	{ "controller|--acme-http01-solver-image=r/acmesolver:v1.16.0-beta.1", NULL, NULL },
	{ "controller|--note=prev1.2.3", NULL, NULL },
	{ "controller|--x=v1.2", NULL, NULL },
	{ "sleep|600", "/usr/bin/sleep", NULL },
	{ "", NULL, NULL },
	/* a tag that is no release is still named: the caller says so */
	{ "controller|--acme-http01-solver-image=r/acmesolver:v9.99.0", NULL,
	  "v9.99.0 --acme-http01-solver-image" },
	/* absurd lengths are no tags */
	{ "x|v1.2.99999999999999999999999", NULL, NULL },
};

static void test_version(void)
{
	for (size_t i = 0; i < sizeof(version_rows) / sizeof(version_rows[0]); i++) {
		char *cmdline = xstrdup(version_rows[i].cmdline), *tag, *got;
		const char *from = NULL;
		size_t len = strlen(cmdline);

		for (char *p = cmdline; *p != '\0'; p++)
			if (*p == '|')
				*p = '\0';
		tag = podview_version_hint(cmdline, len, version_rows[i].exe, &from);
		got = tag != NULL ? xasprintf("%s %s", tag, from) : NULL;
		CHECK_STR(got, version_rows[i].version, version_rows[i].cmdline);
		free(got);
		free(tag);
		free(cmdline);
	}
}

static const struct {
	const char *text;     /* '|' for NUL */
	const char *lines;
	size_t hosts_entries;
} text_rows[] = {
	{ "", "", 0 },
	{ "nameserver 10.0.0.1\n", "nameserver 10.0.0.1\n", 0 },
	{ "nameserver 10.0.0.1|junk\nsearch a\n", "nameserver 10.0.0.1\nsearch a\n", 0 },
	{ "|\n|x\n", "\n\n", 0 },
	{ "search a|b", "search a", 0 },
	{ "127.0.0.1 localhost\n::1 localhost\n# 10.0.0.1 c\nfoo bar\n 10.1.1.1 x\n",
	  "127.0.0.1 localhost\n::1 localhost\n# 10.0.0.1 c\nfoo bar\n 10.1.1.1 x\n", 3 },
	{ "10.0.0.1#c x\n10.0.0.300 y\nfe80::1%eth0 z\n", "10.0.0.1#c x\n10.0.0.300 y\n"
	  "fe80::1%eth0 z\n", 1 },
};

static void test_text(void)
{
	for (size_t i = 0; i < sizeof(text_rows) / sizeof(text_rows[0]); i++) {
		char *text = xstrdup(text_rows[i].text), *got;
		size_t len = strlen(text);

		for (char *p = text; *p != '\0'; p++)
			if (*p == '|')
				*p = '\0';
		got = podview_text(text, len);
		CHECK_STR(got, text_rows[i].lines, text_rows[i].text);
		CHECK_INT(podview_hosts_entries(got), text_rows[i].hosts_entries,
		    text_rows[i].text);
		free(got);
		free(text);
	}
}

/* --pid values refused before anything is read, as exit 2 */
static const struct {
	const char *arg;
	const char *error;
} pid_rows[] = {
	{ "", "--pid must be a process id, a whole number above 0 (got \"\")" },
	{ "0", "--pid must be a process id, a whole number above 0 (got \"0\")" },
	{ "-1", "--pid must be a process id, a whole number above 0 (got \"-1\")" },
	{ "+5", "--pid must be a process id, a whole number above 0 (got \"+5\")" },
	{ " 5", "--pid must be a process id, a whole number above 0 (got \" 5\")" },
	{ "5x", "--pid must be a process id, a whole number above 0 (got \"5x\")" },
	{ "99999999999999999999",
	  "--pid must be a process id, a whole number above 0 (got \"99999999999999999999\")" },
	{ "4\x1b[2J", "--pid must be a process id, a whole number above 0 (got \"4\\x1b[2J\")" },
};

static void test_pid(void)
{
	struct podview pv;
	bool fd_open;

	for (size_t i = 0; i < sizeof(pid_rows) / sizeof(pid_rows[0]); i++) {
		err_clear();
		CHECK_INT(podview_read(pid_rows[i].arg, &pv), -1, pid_rows[i].arg);
		CHECK_INT(err_kind(), ERR_USAGE, pid_rows[i].arg);
		CHECK_STR(err_message(), pid_rows[i].error, pid_rows[i].arg);
		podview_clear(&pv);
	}
	/* a zeroed view clears without closing descriptor 0 */
	fd_open = fcntl(0, F_GETFD) != -1;
	memset(&pv, 0, sizeof(pv));
	podview_clear(&pv);
	CHECK((fcntl(0, F_GETFD) != -1) == fd_open, "descriptor 0 as it was");
}

/* The proxy layer asks the strings, not the process environment. */
static void test_proxy_env(void)
{
	char *env[] = { "HTTPS_PROXY=http://pod-proxy:3128", "NO_PROXY=.svc", NULL };
	struct proxy_flags flags = { 0 };
	struct proxy_settings s;
	struct proxy_route r;

	setenv("HTTPS_PROXY", "http://node-proxy:8080", 1);
	CHECK_INT(proxy_settings_init(&s, &flags), 0, "init");
	proxy_settings_use_env(&s, env);
	CHECK_INT(proxy_decide("https://acme.example/dir", &s, PROXY_RULES_GO, &r), 0, "decide");
	CHECK_STR(r.proxy, "http://pod-proxy:3128", "the pod's proxy");
	CHECK_STR(r.source, "HTTPS_PROXY", "its source");
	proxy_route_clear(&r);
	CHECK_INT(proxy_decide("https://acme.default.svc/dir", &s, PROXY_RULES_GO, &r), 0,
	    "decide");
	CHECK_INT(r.kind, PROXY_DIRECT, "NO_PROXY=.svc of the pod");
	proxy_route_clear(&r);
	proxy_settings_clear(&s);
	unsetenv("HTTPS_PROXY");
}

/* What the config step says of a view, hostile bytes escaped. */
static void test_describe(void)
{
	struct podview pv = { .pid = 4242, .net_fd = -1 };
	char *env[] = { "NO_PROXY=.svc", "https_proxy=http://p:3128", NULL }, *got;

	pv.name = xstrdup("controller");
	pv.netns = xstrdup("net:[4026532301]");
	pv.env = env;
	pv.resolv_text = xstrdup("nameserver fe80::1%\x1b[2J\nsearch a.svc \xff.example\n"
	    "options ndots:5\n");
	pv.resolv_len = strlen(pv.resolv_text);
	resolv_parse(pv.resolv_text, &pv.rconf);
	got = podview_describe(&pv, NULL);
	CHECK_STR(got, "the view of pid 4242 (controller, net:[4026532301]): https_proxy, "
	    "NO_PROXY from pid 4242's environment; pid 4242's resolv.conf: nameserver "
	    "fe80::1%\\x1b[2J, search a.svc \\xff.example, ndots:5; pid 4242's /etc/hosts "
	    "(none): 0 entries; pid 4242 does not tell its cert-manager version: modelling "
	    CM_VERSION_CURRENT " (set --cert-manager-version)", "hostile resolv.conf");
	free(got);
	pv.version = xstrdup("v1.8.2");
	pv.version_from = "--acme-http01-solver-image";
	got = podview_describe(&pv, "v1.9.0");
	CHECK(strstr(got, "v1.8.2") == NULL, "the flag wins: %s", got);
	free(got);
	got = podview_describe(&pv, NULL);
	CHECK(strstr(got, "; cert-manager v1.8.2 from pid 4242's --acme-http01-solver-image") !=
	    NULL, "the release named: %s", got);
	free(got);
	free(pv.version);
	pv.version = xstrdup("v1.7.4");
	got = podview_describe(&pv, NULL);
	CHECK(strstr(got, "pid 4242's --acme-http01-solver-image names cert-manager v1.7.4, a "
	    "release not modelled: modelling " CM_VERSION_CURRENT) != NULL, "unknown: %s", got);
	free(got);
	pv.env = NULL;
	podview_clear(&pv);
}

int main(void)
{
	test_environ();
	test_version();
	test_text();
	test_pid();
	test_proxy_env();
	test_describe();
	return test_done();
}
