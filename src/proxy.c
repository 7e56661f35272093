/* proxy.c - the route decision under Go's rules (golang.org/x/net
 * http/httpproxy, what cert-manager uses) and libcurl's (lib/url.c,
 * lib/noproxy.c), with the reason for each outcome: which setting applies,
 * how its value is read, whether the no-proxy list exempts the host.
 * Pure: the environment comes through the settings' lookup function. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "proxy_int.h"
#include "util.h"

static const char *const go_https_vars[] = { "HTTPS_PROXY", "https_proxy", NULL };
static const char *const go_http_vars[] = { "HTTP_PROXY", "http_proxy", NULL };
const char *const go_no_proxy_vars[] = { "NO_PROXY", "no_proxy", NULL };
/* libcurl reads the lowercase name first and never HTTP_PROXY (a CGI
 * client can set it through a "Proxy:" request header). */
static const char *const curl_https_vars[] =
	{ "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", NULL };
static const char *const curl_http_vars[] = { "http_proxy", "all_proxy", "ALL_PROXY", NULL };
static const char *const curl_no_proxy_vars[] = { "no_proxy", "NO_PROXY", NULL };

const char *proxy_env(const struct proxy_settings *s, const char *name)
{
	if (s->no_env_proxy || s->getenv == NULL)
		return NULL;
	return s->getenv(s->getenv_arg, name);
}

bool proxy_env_set(const struct proxy_settings *s, const char *name)
{
	const char *v = proxy_env(s, name);

	return v != NULL && *v != '\0';
}

/* The first non-empty variable of names; an empty value counts as unset
 * (Go's getEnvAny, libcurl's curl_getenv). */
static void pick_env(const struct proxy_settings *s, const char *const *names, struct pick *p)
{
	for (; *names != NULL; names++) {
		const char *v = proxy_env(s, *names);

		if (v == NULL)
			continue;
		if (*v == '\0') {
			if (p->empty == NULL)
				p->empty = *names;
			continue;
		}
		p->value = v;
		p->source = *names;
		p->from = FROM_ENV;
		return;
	}
}

/* The proxy setting for t under rules; *http_proxy tells Go's CGI check
 * that an HTTP_PROXY spelling was read. */
static void pick_proxy(const struct proxy_settings *s, enum proxy_rules rules,
    const struct target *t, struct pick *p, bool *http_proxy)
{
	memset(p, 0, sizeof(*p));
	*http_proxy = false;
	if (s->flag_proxy != NULL) {
		p->from = FROM_FLAG;
		if (*s->flag_proxy == '\0')
			p->empty = "--proxy";
		else {
			p->value = s->flag_proxy;
			p->source = "--proxy";
		}
		return;
	}
	if (s->conf_proxy != NULL) {
		p->from = FROM_CONF;
		p->value = s->conf_proxy;
		p->source = s->conf_proxy_source ? s->conf_proxy_source : "config file";
		return;
	}
	p->env_ignored = s->no_env_proxy;
	switch (rules) {
	case PROXY_RULES_CURL:
		pick_env(s, t->https ? curl_https_vars : curl_http_vars, p);
		return;
	case PROXY_RULES_GO115:
		if (t->https) {
			pick_env(s, go_https_vars, p);
			if (p->value == NULL) {
				pick_env(s, go_http_vars, p);
				*http_proxy = true;
			}
			return;
		}
		FALLTHROUGH;
	case PROXY_RULES_GO:
		pick_env(s, t->https ? go_https_vars : go_http_vars, p);
		*http_proxy = !t->https;
		return;
	}
}

void pick_no_proxy(const struct proxy_settings *s, enum proxy_rules rules, struct pick *p)
{
	memset(p, 0, sizeof(*p));
	if (s->flag_no_proxy != NULL) {
		p->from = FROM_FLAG;
		p->value = s->flag_no_proxy;
		p->source = "--no-proxy";
		return;
	}
	if (s->conf_no_proxy != NULL) {
		p->from = FROM_CONF;
		p->value = s->conf_no_proxy;
		p->source = s->conf_no_proxy_source ? s->conf_no_proxy_source : "config file";
		return;
	}
	pick_env(s, rules == PROXY_RULES_CURL ? curl_no_proxy_vars : go_no_proxy_vars, p);
}

char *entry_label(const struct pick *list, const char *entry)
{
	char *e = str_printable(entry), *out;

	if (list->from == FROM_CONF)
		out = xasprintf("no-proxy entry \"%s\" (%s)", e, list->source);
	else
		out = xasprintf("%s entry \"%s\"", list->source, e);
	free(e);
	return out;
}

static void route_set(struct proxy_route *r, enum proxy_route_kind kind,
    enum proxy_cause cause, char *reason)
{
	r->kind = kind;
	r->cause = cause;
	r->reason = reason;
}

/* How a value from where p found it is read under rules: acmectl's own
 * settings by acmectl, the environment as the implementation reads it. */
static enum proxy_reader reader_for(const struct pick *p, enum proxy_rules rules)
{
	if (p->from != FROM_ENV)
		return READ_ACMECTL;
	return rules == PROXY_RULES_CURL ? READ_CURL : READ_GO;
}

/* "SOURCE "VALUE" is not a usable proxy URL: WHY". Caller frees. */
static char *bad_proxy(const struct pick *p, const char *why)
{
	char *value = proxy_value_shown(p->value), *out;

	out = xasprintf("%s \"%s\" is not a usable proxy URL: %s", p->source, value, why);
	free(value);
	return out;
}

/* Go reads its proxy variables before anything else, and a value it
 * cannot parse is no proxy; CGI refusal, loopback and the list follow.
 * Returns true when that settled the route. */
static bool go_before_list(const struct target *t, const struct pick *p, bool http_proxy,
    bool parsed, const char *why, const struct proxy_settings *s, struct proxy_route *r)
{
	if (!parsed && p->from == FROM_ENV) {
		route_set(r, PROXY_DIRECT, PROXY_CAUSE_BAD_PROXY, bad_proxy(p, why));
		return true;
	}
	/* Go refuses any HTTP proxy from the environment when REQUEST_METHOD
	 * says it runs as a CGI program (golang.org/s/cgihttpproxy). */
	if (http_proxy && p->from == FROM_ENV && proxy_env_set(s, "REQUEST_METHOD")) {
		route_set(r, PROXY_REFUSED, PROXY_CAUSE_CGI, xasprintf("refusing to use %s "
		    "in a CGI environment (REQUEST_METHOD is set; Go rules)", p->source));
		return true;
	}
	if (strcmp(t->ascii, "localhost") == 0) {
		route_set(r, PROXY_DIRECT, PROXY_CAUSE_LOOPBACK,
		    xstrdup("localhost is never proxied (Go rules)"));
		return true;
	}
	if (ip_is_loopback_literal(t->ascii)) {
		route_set(r, PROXY_DIRECT, PROXY_CAUSE_LOOPBACK,
		    xstrdup("loopback is never proxied (Go rules)"));
		return true;
	}
	return false;
}

/* The route once no entry exempts the host: through the proxy u. */
static void via_proxy(const struct target *t, const struct pick *p, const struct pick *list,
    char **entries, const struct proxy_url *u, enum proxy_rules rules,
    const struct proxy_settings *s, struct proxy_route *r)
{
	const char *why = NULL;
	char *host;

	if (proxy_url_build(u, rules, s->auth, &r->proxy, &r->proxy_shown, &why) == -1) {
		route_set(r, PROXY_REFUSED, PROXY_CAUSE_BAD_PROXY, bad_proxy(p, why));
		return;
	}
	host = str_printable(t->host);
	if (entries != NULL && entries[0] != NULL)
		route_set(r, PROXY_VIA, PROXY_CAUSE_PROXY, list->from == FROM_CONF ?
		    xasprintf("no no-proxy entry (%s) matches \"%s\"", list->source, host) :
		    xasprintf("no %s entry matches \"%s\"", list->source, host));
	else if (list->value != NULL)
		route_set(r, PROXY_VIA, PROXY_CAUSE_PROXY, xasprintf("%s is empty", list->source));
	else
		route_set(r, PROXY_VIA, PROXY_CAUSE_PROXY, xstrdup("no no-proxy list is set"));
	free(host);
}

int proxy_decide(const char *url, const struct proxy_settings *s,
    enum proxy_rules rules, struct proxy_route *r)
{
	struct target t;
	struct pick proxy, list;
	struct proxy_url u;
	char **entries = NULL, *shown;
	const char *entry = NULL, *why = NULL;
	bool go = rules != PROXY_RULES_CURL, http_proxy, parsed = false;

	memset(r, 0, sizeof(*r));
	memset(&u, 0, sizeof(u));
	if (target_parse(url, &t) == -1)
		return -1;
	pick_proxy(s, rules, &t, &proxy, &http_proxy);
	if (!go && t.idna_failed) {
		shown = str_printable(t.host);
		route_set(r, PROXY_REFUSED, PROXY_CAUSE_BAD_PROXY, xasprintf("libcurl cannot "
		    "convert the host \"%s\" to IDNA and makes no request", shown));
		free(shown);
		goto out;
	}
	if (proxy.value == NULL) {
		route_set(r, PROXY_DIRECT, PROXY_CAUSE_UNSET, proxy.empty != NULL ?
		    xasprintf("%s is empty", proxy.empty) : xstrdup(proxy.env_ignored ?
		    "no proxy configured (environment ignored: --no-env-proxy)" :
		    "no proxy configured"));
		goto out;
	}
	r->source = xstrdup(proxy.source);
	parsed = proxy_url_read(proxy.value, reader_for(&proxy, rules), &u, &why);
	if (go && go_before_list(&t, &proxy, http_proxy, parsed, why, s, r))
		goto out;
	pick_no_proxy(s, rules, &list);
	if (list.value != NULL) {
		entries = noproxy_split(list.value, !go);
		entry = noproxy_find(rules, &t, list.value, entries);
	}
	if (entry != NULL)
		route_set(r, PROXY_DIRECT, PROXY_CAUSE_NO_PROXY, entry_label(&list, entry));
	else if (!parsed)
		route_set(r, PROXY_REFUSED, PROXY_CAUSE_BAD_PROXY, bad_proxy(&proxy, why));
	else
		via_proxy(&t, &proxy, &list, entries, &u, rules, s, r);
out:
	proxy_url_free(&u);
	strv_free(entries);
	return 0;
}

void proxy_route_clear(struct proxy_route *r)
{
	secret_free(r->proxy);
	free(r->proxy_shown);
	free(r->source);
	free(r->reason);
	memset(r, 0, sizeof(*r));
}

/* Keeps url in s->handed (once) so the pointer outlives the decision. */
static const char *hand_out(struct proxy_settings *s, const char *url)
{
	size_t n = 0;

	if (s->handed != NULL)
		for (; s->handed[n] != NULL; n++)
			if (strcmp(s->handed[n], url) == 0)
				return s->handed[n];
	s->handed = xrealloc(s->handed, (n + 2) * sizeof(*s->handed));
	s->handed[n] = xstrdup(url);
	s->handed[n + 1] = NULL;
	return s->handed[n];
}

int proxy_route_cb(void *route_arg, const char *url, const char **proxy, char **why)
{
	struct proxy_settings *s = route_arg;
	struct proxy_route r;
	char *shown;
	int rc = 0;

	*proxy = NULL;
	if (proxy_decide(url, s, s->rules, &r) == -1) {
		*why = err_take_message();
		return -1;
	}
	switch (r.kind) {
	case PROXY_DIRECT:
		*why = xstrdup(r.reason);
		break;
	case PROXY_VIA:
		*proxy = hand_out(s, r.proxy);
		*why = xstrdup(r.source);
		break;
	case PROXY_REFUSED:
		shown = proxy_value_shown(url);
		*why = xasprintf("%s: %s", shown, r.reason);
		free(shown);
		rc = -1;
		break;
	}
	proxy_route_clear(&r);
	return rc;
}
