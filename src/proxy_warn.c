/* proxy_warn.c - the traps in the proxy settings that `proxy explain` and
 * diagnose point out: no-proxy entries Go and curl read differently or
 * never match, upper and lower case variables set differently, Go <= 1.15's
 * HTTP_PROXY fallback, loopback never proxied under Go. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "proxy_int.h"
#include "util.h"

/* Warnings collected in order. */
struct wlist {
	struct proxy_warning *v;
	size_t n;
	char **seen;  /* entries already warned about */
	size_t nseen;
};

static void warn(struct wlist *w, const char *id, char *text)
{
	w->v = xrealloc(w->v, (w->n + 1) * sizeof(*w->v));
	w->v[w->n].id = id;
	w->v[w->n].text = text;
	w->n++;
}

static bool seen_before(struct wlist *w, const char *entry)
{
	for (size_t i = 0; i < w->nseen; i++)
		if (strcmp(w->seen[i], entry) == 0)
			return true;
	w->seen = xrealloc(w->seen, (w->nseen + 1) * sizeof(*w->seen));
	w->seen[w->nseen++] = xstrdup(entry);
	return false;
}

/* no_proxy_ip_entry, wildcard_entry and leading_dot for one list. */
static void warn_list(struct wlist *w, const struct pick *list, const struct target *t)
{
	char **entries = noproxy_split(list->value, true), *label, *host = str_printable(t->host);
	bool host_is_name = !t->bracketed && !ip_literal(t->host);

	for (char **p = entries; *p != NULL; p++) {
		if (seen_before(w, *p))
			continue;
		label = entry_label(list, *p);
		if (host_is_name && noproxy_entry_is_ip(*p))
			warn(w, "no_proxy_ip_entry", xasprintf("%s is an IP address but the "
			    "URL host \"%s\" is a name: Go and curl compare no-proxy entries with "
			    "the host as written, never with its resolved addresses, so this entry "
			    "never matches it (adding the CA's IP to no_proxy does nothing by itself)",
			    label, host));
		if (strncmp(*p, "*.", 2) == 0)
			warn(w, "wildcard_entry", xasprintf("%s: curl never matches \"*.\" entries; "
			    "Go reads it as \"%s\" (subdomains only). Write \"%s\" to cover the "
			    "domain and its subdomains under both", label, *p + 1, *p + 2));
		else if ((*p)[0] == '.' && (*p)[1] != '\0')
			warn(w, "leading_dot", xasprintf("%s: Go matches only subdomains of \"%s\", "
			    "not the name itself; curl ignores the dot and matches both. Write "
			    "\"%s\" to match both under both rules", label, *p + 1, *p + 1));
		free(label);
	}
	free(host);
	strv_free(entries);
}

static void warn_entries(struct wlist *w, const struct proxy_settings *s, const struct target *t)
{
	struct pick list;

	memset(&list, 0, sizeof(list));
	if (s->flag_no_proxy != NULL || s->conf_no_proxy != NULL) {
		pick_no_proxy(s, PROXY_RULES_GO, &list);
		warn_list(w, &list, t);
		return;
	}
	/* Each case is read by one of the programs. */
	for (const char *const *name = go_no_proxy_vars; *name != NULL; name++) {
		if (!proxy_env_set(s, *name))
			continue;
		list.from = FROM_ENV;
		list.source = *name;
		list.value = proxy_env(s, *name);
		warn_list(w, &list, t);
	}
}

static void warn_case_conflicts(struct wlist *w, const struct proxy_settings *s)
{
	static const struct {
		const char *upper, *lower;
		bool is_proxy;
		const char *curl_note;
	} pairs[] = {
		{ "HTTPS_PROXY", "https_proxy", true, "" },
		{ "HTTP_PROXY", "http_proxy", true, " (curl never reads HTTP_PROXY)" },
		{ "NO_PROXY", "no_proxy", false, "" },
	};
	bool proxy_overridden = s->flag_proxy != NULL || s->conf_proxy != NULL;
	bool list_overridden = s->flag_no_proxy != NULL || s->conf_no_proxy != NULL;
	char *up, *low;

	for (size_t i = 0; i < nitems(pairs); i++) {
		if ((pairs[i].is_proxy ? proxy_overridden : list_overridden) ||
		    !proxy_env_set(s, pairs[i].upper) || !proxy_env_set(s, pairs[i].lower) ||
		    strcmp(proxy_env(s, pairs[i].upper), proxy_env(s, pairs[i].lower)) == 0)
			continue;
		up = proxy_value_shown(proxy_env(s, pairs[i].upper));
		low = proxy_value_shown(proxy_env(s, pairs[i].lower));
		warn(w, "proxy_env_case_conflict", xasprintf("%s=\"%s\" and %s=\"%s\" differ%s: "
		    "Go and cert-manager use %s, curl uses %s%s", pairs[i].upper, up,
		    pairs[i].lower, low, strcmp(up, low) == 0 ? " in their credentials" : "",
		    pairs[i].upper, pairs[i].lower, pairs[i].curl_note));
		free(up);
		free(low);
	}
}

/* Go <= 1.15 (cert-manager v1.1) sent https requests through HTTP_PROXY
 * when HTTPS_PROXY was unset; Go >= 1.16 goes direct. */
static void warn_go115(struct wlist *w, const char *url, const struct proxy_settings *s,
    const struct target *t)
{
	struct proxy_route old;
	const char *http_var;
	char *now;

	if (!t->https || s->flag_proxy != NULL || s->conf_proxy != NULL ||
	    proxy_env_set(s, "HTTPS_PROXY") || proxy_env_set(s, "https_proxy"))
		return;
	if (proxy_env_set(s, "HTTP_PROXY"))
		http_var = "HTTP_PROXY";
	else if (proxy_env_set(s, "http_proxy"))
		http_var = "http_proxy";
	else
		return;
	if (proxy_decide(url, s, PROXY_RULES_GO115, &old) == -1)
		return;
	if (old.kind == PROXY_VIA)
		now = xasprintf("for this URL: via %s", old.proxy_shown);
	else if (old.kind == PROXY_REFUSED)
		now = xasprintf("for this URL the request fails: %s", old.reason);
	else
		now = xasprintf("for this URL they still go direct: %s", old.reason);
	warn(w, "https_proxy_unset_http_proxy_set", xasprintf("HTTPS_PROXY and https_proxy are "
	    "unset but %s is set: cert-manager v1.1 era builds (Go <= 1.15) fall back to it for "
	    "https URLs (%s); builds with Go >= 1.16 do not and go direct", http_var, now));
	free(now);
	proxy_route_clear(&old);
}

/* How Go reads the proxy value v when that is not what acmectl's own parser
 * (what the user meant) reads: one sentence, or NULL when they agree.
 * Caller frees. */
static char *go_misreading(const char *v)
{
	struct proxy_url meant, go;
	const char *why;
	char *use, *shown = NULL, *out = NULL;

	if (!proxy_url_read(v, READ_ACMECTL, &meant, &why))
		return NULL;
	if (!proxy_url_read(v, READ_GO, &go, &why)) {
		out = xasprintf("Go (cert-manager) cannot parse it (a bad percent escape?) "
		    "and uses no proxy at all");
		goto out;
	}
	if (proxy_url_build(&go, PROXY_RULES_GO, NULL, &use, &shown, &why) == 0) {
		secret_free(use);
		if (strcmp(go.scheme, meant.scheme) != 0 && strcmp(go.scheme, "http") == 0)
			out = xasprintf("Go (cert-manager) knows only http, https and socks5 "
			    "proxies and reads it as %s, an HTTP proxy named after the scheme; "
			    "Go's socks5:// lets the proxy resolve names, as curl's socks5h:// "
			    "does", shown);
		else if (strcmp(go.scheme, meant.scheme) != 0 || strcmp(go.host, meant.host) != 0)
			out = xasprintf("Go (cert-manager) reads it as %s: a raw '#', '/' or '?' "
			    "in the password ends the URL there; percent-encode them", shown);
	}
	proxy_url_free(&go);
out:
	free(shown);
	proxy_url_free(&meant);
	return out;
}

/* A proxy variable Go reads as something else: a scheme it does not know
 * (socks5h://, socks4://) read as an HTTP proxy named after the scheme, a
 * password with a raw '#', '/' or '?' that ends the URL. */
static void warn_go_misread(struct wlist *w, const struct proxy_settings *s,
    const struct target *t)
{
	static const char *const https_vars[] = { "HTTPS_PROXY", "https_proxy", NULL };
	static const char *const http_vars[] = { "HTTP_PROXY", "http_proxy", NULL };
	const char *const *name = t->https ? https_vars : http_vars;
	char *value, *reading;

	if (s->flag_proxy != NULL || s->conf_proxy != NULL)
		return;
	for (; *name != NULL && !proxy_env_set(s, *name); name++)
		;
	if (*name == NULL || (reading = go_misreading(proxy_env(s, *name))) == NULL)
		return;
	value = proxy_value_shown(proxy_env(s, *name));
	warn(w, "go_proxy_misread", xasprintf("%s=\"%s\": %s", *name, value, reading));
	free(value);
	free(reading);
}

static void warn_loopback(struct wlist *w, const char *url, const struct proxy_settings *s,
    const struct target *t)
{
	struct proxy_route go, curl;
	char *host, *curl_says;

	if (proxy_decide(url, s, PROXY_RULES_GO, &go) == -1)
		return;
	if (go.cause != PROXY_CAUSE_LOOPBACK || proxy_decide(url, s, PROXY_RULES_CURL, &curl) == -1) {
		proxy_route_clear(&go);
		return;
	}
	host = str_printable(t->host);
	curl_says = curl.kind == PROXY_VIA ? xasprintf("; curl would go via %s", curl.proxy_shown) :
	    xstrdup("");
	warn(w, "loopback_direct", xasprintf("%s \"%s\" is never proxied under Go rules: "
	    "cert-manager connects to it directly whatever %s says%s",
	    strcmp(t->host, "localhost") == 0 ? "the name" : "the loopback address", host,
	    go.source, curl_says));
	free(curl_says);
	free(host);
	proxy_route_clear(&curl);
	proxy_route_clear(&go);
}

int proxy_warnings(const char *url, const struct proxy_settings *s,
    struct proxy_warning **warnings, size_t *n)
{
	struct target t;
	struct wlist w;

	*warnings = NULL;
	*n = 0;
	memset(&w, 0, sizeof(w));
	if (target_parse(url, &t) == -1)
		return -1;
	warn_entries(&w, s, &t);
	warn_case_conflicts(&w, s);
	warn_go115(&w, url, s, &t);
	warn_go_misread(&w, s, &t);
	warn_loopback(&w, url, s, &t);
	for (size_t i = 0; i < w.nseen; i++)
		free(w.seen[i]);
	free(w.seen);
	*warnings = w.v;
	*n = w.n;
	return 0;
}

void proxy_warnings_free(struct proxy_warning *warnings, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(warnings[i].text);
	free(warnings);
}
