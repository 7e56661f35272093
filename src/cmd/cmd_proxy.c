/* cmd_proxy.c - `acmectl proxy explain URL [--json]`: the route URL would
 * take under Go rules (cert-manager) and curl rules, where they differ, and
 * the traps in the settings. Also proxy_settings_load(), the proxy
 * settings of a struct config for the commands that connect. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "cmd.h"
#include "err.h"
#include "proxy.h"
#include "util.h"

int proxy_settings_load(struct proxy_settings *s, const struct config *cfg)
{
	struct proxy_flags f = cli_proxy_flags(cfg);

	return proxy_settings_read(s, &f);
}

static const char *route_word(const struct proxy_route *r)
{
	switch (r->kind) {
	case PROXY_DIRECT:
		return "direct";
	case PROXY_VIA:
		return "proxy";
	case PROXY_REFUSED:
		break;
	}
	return "refused";
}

static bool routes_differ(const struct proxy_route *a, const struct proxy_route *b)
{
	if (a->kind != b->kind)
		return true;
	return a->kind == PROXY_VIA && strcmp(a->proxy_shown, b->proxy_shown) != 0;
}

static json_t *route_json(const struct proxy_route *r)
{
	return json_pack("{s:s, s:s?, s:s?, s:s}", "route", route_word(r),
	    "proxy", r->proxy_shown, "source", r->source, "reason", r->reason);
}

static int print_json(const char *url, const struct proxy_route *go,
    const struct proxy_route *curl, const struct proxy_warning *w, size_t n)
{
	json_t *out, *warnings;
	char *text;
	size_t i;

	warnings = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(warnings, json_pack("{s:s, s:s}", "id", w[i].id,
		    "detail", w[i].text));
	out = json_pack("{s:s, s:o, s:o, s:o}", "url", url, "go", route_json(go),
	    "curl", route_json(curl), "warnings", warnings);
	if (out == NULL || (text = json_dumps(out, JSON_INDENT(2))) == NULL) {
		json_decref(out);
		err_set(ERR_USAGE, "cannot encode the explanation as JSON (invalid UTF-8?)");
		return -1;
	}
	printf("%s\n", text);
	free(text);
	json_decref(out);
	return 0;
}

static void print_route(const char *title, const struct proxy_route *r, bool selected,
    bool differs)
{
	printf("%s%s%s\n", title, selected ? "  [used by acmectl]" : "",
	    differs ? "  * differs from go" : "");
	if (r->kind == PROXY_VIA)
		printf("  route:  via %s\n", r->proxy_shown);
	else
		printf("  route:  %s\n", route_word(r));
	printf("  source: %s\n", r->source ? r->source : "(none)");
	printf("  reason: %s\n", r->reason);
}

static void print_text(const char *url, enum proxy_rules used, const struct proxy_route *go,
    const struct proxy_route *curl, const struct proxy_warning *w, size_t n)
{
	char *shown;
	size_t i;

	shown = str_printable(url);
	printf("URL %s\n\n", shown);
	free(shown);
	print_route("go (cert-manager)", go, used == PROXY_RULES_GO, false);
	print_route("curl", curl, used == PROXY_RULES_CURL, routes_differ(go, curl));
	if (n == 0)
		return;
	printf("\nwarnings:\n");
	for (i = 0; i < n; i++)
		printf("  [%s] %s\n", w[i].id, w[i].text);
}

int cmd_proxy_explain(const struct config *cfg)
{
	struct proxy_settings s;
	struct proxy_route go, curl;
	struct proxy_warning *w = NULL;
	size_t n = 0;
	char *url = NULL;
	int rc = -1;

	memset(&go, 0, sizeof(go));
	memset(&curl, 0, sizeof(curl));
	if (proxy_settings_load(&s, cfg) == -1)
		goto out;
	if (proxy_decide(cfg->url, &s, PROXY_RULES_GO, &go) == -1 ||
	    proxy_decide(cfg->url, &s, PROXY_RULES_CURL, &curl) == -1 ||
	    proxy_warnings(cfg->url, &s, &w, &n) == -1)
		goto out;
	url = proxy_redact(cfg->url);
	if (cfg->json)
		rc = print_json(url, &go, &curl, w, n);
	else {
		print_text(url, s.rules, &go, &curl, w, n);
		rc = 0;
	}
out:
	free(url);
	proxy_warnings_free(w, n);
	proxy_route_clear(&go);
	proxy_route_clear(&curl);
	proxy_settings_clear(&s);
	return rc;
}
