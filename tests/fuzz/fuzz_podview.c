/* fuzz_podview.c - what diagnose --pid reads from /proc/PID: the input is
 * taken as an environ block (the proxy variables, then the route the proxy
 * layer decides from them), as a command line (the version it names), and
 * as a resolv.conf and hosts file with NUL bytes in their lines. */
#include "config.h"

#include "fuzz.h"
#include "podview.h"
#include "proxy.h"
#include "resolv.h"

static const char *const urls[] = {
	"https://acme-v02.api.letsencrypt.org/directory", "https://10.0.0.1:14000/dir",
	"https://acme.default.svc.cluster.local/dir",
};

static void route_under(char **env)
{
	struct proxy_flags flags = { 0 };
	struct proxy_warning *w;
	struct proxy_settings s;
	struct proxy_route r;
	size_t nw;

	if (proxy_settings_init(&s, &flags) == -1)
		return;
	proxy_settings_use_env(&s, env);
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		if (proxy_decide(urls[i], &s, PROXY_RULES_GO, &r) == 0)
			proxy_route_clear(&r);
		if (proxy_decide(urls[i], &s, PROXY_RULES_CURL, &r) == 0)
			proxy_route_clear(&r);
		if (proxy_warnings(urls[i], &s, &w, &nw) == 0)
			proxy_warnings_free(w, nw);
		err_clear();
	}
	proxy_settings_clear(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *from = NULL;
	char **env = podview_environ_parse(buf, size);
	char *tag = podview_version_hint(buf, size, NULL, &from), *text;
	struct resolv_conf conf;

	route_under(env);
	strv_free(env);
	free(tag);
	text = podview_text(buf, size);
	(void)podview_hosts_entries(text);
	resolv_parse(text, &conf);
	resolv_conf_free(&conf);
	free(text);
	return 0;
}
