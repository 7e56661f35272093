/* fuzz_proxy.c - proxy URLs and no-proxy lists, wherever they come from.
 *
 * Input lines: the request URL, then the proxy value, then the no-proxy
 * list. The proxy and the list are tried as flags, as config file values
 * and as environment variables, under Go's, Go 1.15's and curl's rules,
 * and each proxy value is also checked and redacted on its own. */
#include "config.h"

#include "fuzz.h"
#include "proxy.h"
#include "util.h"

/* The environment of one run: the proxy and the list under every name. */
struct fuzz_env {
	const char *proxy;
	const char *no_proxy;
};

static const char *fuzz_getenv(void *arg, const char *name)
{
	const struct fuzz_env *env = arg;

	if (strcasecmp(name, "NO_PROXY") == 0)
		return env->no_proxy;
	if (strcasecmp(name, "REQUEST_METHOD") == 0)
		return NULL;
	return env->proxy;
}

static void decide_all(const char *url, struct proxy_settings *s)
{
	static const enum proxy_rules rules[] = {
		PROXY_RULES_GO, PROXY_RULES_GO115, PROXY_RULES_CURL,
	};
	struct proxy_route route;
	struct proxy_warning *warnings = NULL;
	size_t i, n = 0;
	const char *proxy;
	char *why = NULL;

	for (i = 0; i < nitems(rules); i++) {
		memset(&route, 0, sizeof(route));
		(void)proxy_decide(url, s, rules[i], &route);
		proxy_route_clear(&route);
		s->rules = rules[i];
		(void)proxy_route_cb(s, url, &proxy, &why);
		free(why);
		why = NULL;
	}
	if (proxy_warnings(url, s, &warnings, &n) == 0)
		proxy_warnings_free(warnings, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *rest = text;
	const char *url = fuzz_line(&rest), *proxy = fuzz_line(&rest);
	const char *no_proxy = fuzz_line(&rest);
	struct fuzz_env env = { proxy, no_proxy };
	struct proxy_settings s;

	(void)proxy_url_check(url);
	free(proxy_redact(url));
	if (proxy != NULL) {
		(void)proxy_url_check(proxy);
		free(proxy_redact(proxy));
	}

	memset(&s, 0, sizeof(s));
	s.flag_proxy = proxy;
	s.flag_no_proxy = no_proxy;
	decide_all(url, &s);
	proxy_settings_clear(&s);

	memset(&s, 0, sizeof(s));
	s.conf_proxy = proxy;
	s.conf_proxy_source = "fuzz.conf:1";
	s.conf_no_proxy = no_proxy;
	s.conf_no_proxy_source = "fuzz.conf:2";
	decide_all(url, &s);
	proxy_settings_clear(&s);

	memset(&s, 0, sizeof(s));
	s.getenv = fuzz_getenv;
	s.getenv_arg = &env;
	decide_all(url, &s);
	proxy_settings_clear(&s);

	err_clear();
	free(text);
	return 0;
}
