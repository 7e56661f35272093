/* solverpick.c - an Issuer's ACME solvers and cert-manager's pick among
 * them for one name (see solverpick.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "k8s.h"
#include "solverpick.h"
#include "util.h"

#define MAX_SOLVERS 64

/* Reads the list of strings at v into l. */
static int take_list(json_t *v, const char *field, size_t i, struct cm_strings *l,
    const char *what)
{
	json_t *item;
	size_t k;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v)) {
		err_set(ERR_USAGE, "%s: the Issuer's solvers[%zu].selector.%s is not a list",
		    what, i, field);
		return -1;
	}
	l->v = xcalloc(json_array_size(v) + 1, sizeof(*l->v));
	json_array_foreach(v, k, item) {
		if (!json_is_string(item)) {
			err_set(ERR_USAGE, "%s: the Issuer's solvers[%zu].selector.%s[%zu] is not "
			    "a string", what, i, field, k);
			return -1;
		}
		l->v[l->n++] = xstrdup(json_string_value(item));
	}
	return 0;
}

/* "http01, ingress class nginx", "dns01, rfc2136", ... Caller frees. */
static char *describe(json_t *sol, size_t i)
{
	json_t *ing = json_object_get(json_object_get(sol, "http01"), "ingress");
	json_t *dns = json_object_get(sol, "dns01");
	const char *cls = json_string_value(json_object_get(ing, "ingressClassName"));
	const char *provider = "dns01";
	const char *key;
	json_t *val;

	if (cls == NULL)
		cls = json_string_value(json_object_get(ing, "class"));
	json_object_foreach(dns, key, val)
		if (json_is_object(val) && strcmp(key, "cnameStrategy") != 0)
			provider = key;
	if (json_object_get(sol, "http01") != NULL)
		return cls != NULL ? xasprintf("solvers[%zu] (http01, ingress class %s)", i, cls) :
		    xasprintf("solvers[%zu] (http01)", i);
	return xasprintf("solvers[%zu] (dns01, %s)", i, provider);
}

/* dns01.cnameStrategy: None (the default) or Follow, the only values the
 * CRD's enum lets the API server accept. */
static int read_cname_strategy(json_t *dns01, size_t i, struct cm_solver *s, const char *what)
{
	json_t *v = json_object_get(dns01, "cnameStrategy");
	const char *strategy = json_string_value(v);

	if (v == NULL || json_is_null(v))
		return 0;
	if (strategy == NULL || (strcmp(strategy, "None") != 0 && strcmp(strategy, "Follow") != 0)) {
		err_set(ERR_USAGE, "%s: the Issuer's solvers[%zu].dns01.cnameStrategy is not None "
		    "or Follow (the API server refuses any other value)", what, i);
		return -1;
	}
	s->cname_follow = strcmp(strategy, "Follow") == 0;
	return 0;
}

static int read_solver(json_t *sol, size_t i, struct cm_solver *s, const char *what)
{
	json_t *sel = json_object_get(sol, "selector");
	json_t *labels = json_object_get(sel, "matchLabels");
	char *shown;

	if (!json_is_object(sol)) {
		err_set(ERR_USAGE, "%s: the Issuer's solvers[%zu] is not a map", what, i);
		return -1;
	}
	s->http01 = json_is_object(json_object_get(sol, "http01"));
	s->dns01 = json_is_object(json_object_get(sol, "dns01"));
	s->has_selector = sel != NULL && !json_is_null(sel);
	if (s->has_selector && !json_is_object(sel)) {
		err_set(ERR_USAGE, "%s: the Issuer's solvers[%zu].selector is not a map", what, i);
		return -1;
	}
	if (labels != NULL && !json_is_null(labels) && !json_is_object(labels)) {
		err_set(ERR_USAGE, "%s: the Issuer's solvers[%zu].selector.matchLabels is not "
		    "a map", what, i);
		return -1;
	}
	if (s->dns01 && read_cname_strategy(json_object_get(sol, "dns01"), i, s, what) != 0)
		return -1;
	s->match_labels = json_is_object(labels) ? json_incref(labels) : NULL;
	shown = describe(sol, i);
	s->label = str_printable(shown);
	free(shown);
	return take_list(json_object_get(sel, "dnsNames"), "dnsNames", i, &s->dns_names, what) ||
	    take_list(json_object_get(sel, "dnsZones"), "dnsZones", i, &s->dns_zones, what) ?
	    -1 : 0;
}

static int read_solvers(json_t *objs, const char *what, struct cm_solvers *out)
{
	json_t *obj, *list = NULL, *sol;
	size_t i;

	json_array_foreach(objs, i, obj) {
		const char *kind = json_string_value(json_object_get(obj, "kind"));

		if (kind != NULL && (strcmp(kind, "ClusterIssuer") == 0 ||
		    strcmp(kind, "Issuer") == 0)) {
			list = json_object_get(json_object_get(json_object_get(obj, "spec"),
			    "acme"), "solvers");
			break;
		}
	}
	if (list == NULL || json_is_null(list))
		return 0;
	if (!json_is_array(list) || json_array_size(list) > MAX_SOLVERS) {
		err_set(ERR_USAGE, "%s: the Issuer's spec.acme.solvers is not a list of at most %d",
		    what, MAX_SOLVERS);
		return -1;
	}
	out->v = xcalloc(json_array_size(list) + 1, sizeof(*out->v));
	json_array_foreach(list, i, sol) {
		out->n++;
		if (read_solver(sol, i, &out->v[i], what) != 0)
			return -1;
	}
	return 0;
}

int cm_solvers_parse(const char *text, size_t len, const char *what, struct cm_solvers *out)
{
	json_t *objs = k8s_objects(text, len, what);
	int rc;

	memset(out, 0, sizeof(*out));
	if (objs == NULL)
		return -1;
	rc = read_solvers(objs, what, out);
	json_decref(objs);
	if (rc != 0)
		cm_solvers_clear(out);
	return rc;
}

int cm_solvers_load(const char *path, struct cm_solvers *out)
{
	json_t *objs = k8s_objects_load(path);
	int rc;

	memset(out, 0, sizeof(*out));
	if (objs == NULL)
		return -1;
	rc = read_solvers(objs, path, out);
	json_decref(objs);
	if (rc != 0)
		cm_solvers_clear(out);
	return rc;
}

void cm_solvers_clear(struct cm_solvers *s)
{
	for (size_t i = 0; i < s->n; i++) {
		cm_strings_clear(&s->v[i].dns_names);
		cm_strings_clear(&s->v[i].dns_zones);
		json_decref(s->v[i].match_labels);
		free(s->v[i].label);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* The labels of name from the right: starts[k] is where label k (0 = the
 * rightmost) starts. Returns their number (at most max). */
static int split_labels(const char *name, size_t len, const char **starts, size_t *lens,
    int max)
{
	int n = 0;
	size_t end = len;

	if (end > 0 && name[end - 1] == '.')
		end--;
	while (end > 0 && n < max) {
		size_t start = end;

		while (start > 0 && name[start - 1] != '.')
			start--;
		starts[n] = name + start;
		lens[n++] = end - start;
		if (start == 0)
			break;
		end = start - 1;
	}
	return n;
}

int cm_zone_labels_matching(const char *zone, const char *name, bool *whole_zone)
{
	const char *zs[128], *ns[128];
	size_t zl[128], nl[128];
	int nz, nn, k = 0;

	*whole_zone = false;
	if (strcmp(zone, ".") == 0 || strcmp(name, ".") == 0)
		return 0;
	nz = split_labels(zone, strlen(zone), zs, zl, 128);
	nn = split_labels(name, strlen(name), ns, nl, 128);
	while (k < nz && k < nn && zl[k] == nl[k] && strncasecmp(zs[k], ns[k], zl[k]) == 0)
		k++;
	*whole_zone = k == nz;
	return k;
}

/* How well one solver's selector matches. */
struct match {
	bool ok;
	int labels, names, zones;   /* names is 0 or 1 */
	const char *zone;           /* the longest zone matched */
};

static struct match selector_match(const struct cm_solver *s, const char *domain,
    const json_t *labels)
{
	struct match m = { .ok = true };
	const char *key;
	json_t *want;

	json_object_foreach((json_t *)s->match_labels, key, want) {
		json_t *have = json_object_get(labels, key);

		if (!json_is_string(have) || !json_equal(have, want))
			return (struct match){ .ok = false };
		m.labels++;
	}
	for (size_t i = 0; i < s->dns_names.n; i++)
		if (strcmp(s->dns_names.v[i], domain) == 0)
			m.names = 1;
	if (s->dns_names.n > 0 && m.names == 0)
		return (struct match){ .ok = false };
	for (size_t i = 0; i < s->dns_zones.n; i++) {
		bool whole;
		int k = cm_zone_labels_matching(s->dns_zones.v[i], domain, &whole);

		if (whole && k > m.zones) {
			m.zones = k;
			m.zone = s->dns_zones.v[i];
		}
	}
	if (s->dns_zones.n > 0 && m.zones == 0)
		return (struct match){ .ok = false };
	return m;
}

/* Whether cand replaces best, by cert-manager's order of precedence; sets
 * *why to the deciding rule (static). */
static bool better(const struct match *cand, const struct match *best, const char **why)
{
	if (cand->names != best->names) {
		*why = "its selector.dnsNames lists the name, the earlier pick's does not";
		return cand->names > best->names;
	}
	if (cand->zones != best->zones) {
		*why = "its selector.dnsZones entry matches more labels of the name";
		return cand->zones > best->zones;
	}
	*why = "its selector.matchLabels matches more of the Certificate's labels";
	return cand->labels > best->labels;
}

/* One sentence on a solver's match. Caller frees. */
static char *explain(const struct match *m, const char *rule)
{
	if (m->names)
		return xasprintf("selector.dnsNames lists the name%s%s", rule ? "; " : "",
		    rule ? rule : "");
	if (m->zones > 0)
		return xasprintf("selector.dnsZones \"%s\" matches %d label%s%s%s", m->zone,
		    m->zones, m->zones == 1 ? "" : "s", rule ? "; " : "", rule ? rule : "");
	return xasprintf("selector matches (%d matchLabels)%s%s", m->labels, rule ? "; " : "",
	    rule ? rule : "");
}

/* Whether the authorization offers s's type; sets *type. */
static bool usable(const struct cm_solver *s, bool wildcard, const char **type)
{
	if (s->http01 && !wildcard) {
		*type = "HTTP-01";
		return true;
	}
	if (s->dns01) {
		*type = "DNS-01";
		return true;
	}
	return false;
}

void cm_solver_pick(const struct cm_solver *solvers, size_t n, const char *name, bool wildcard,
    const json_t *labels, struct cm_solver_pick *out)
{
	char *domain = xasprintf("%s%s", wildcard ? "*." : "", name);
	struct match best = { 0 }, m;
	bool http_only = n > 0;
	const char *type, *rule;

	memset(out, 0, sizeof(*out));
	out->index = -1;
	for (size_t i = 0; i < n; i++) {
		http_only = http_only && !solvers[i].dns01;
		if (!usable(&solvers[i], wildcard, &type))
			continue;
		if (!solvers[i].has_selector) {
			if (out->index >= 0)
				continue;
			out->index = (int)i;
			out->type = type;
			out->why = xstrdup("no selector: it matches every name, and no earlier "
			    "solver was picked");
			continue;
		}
		if (!(m = selector_match(&solvers[i], domain, labels)).ok)
			continue;
		rule = NULL;
		if (out->index >= 0 && !better(&m, &best, &rule))
			continue;
		best = m;
		out->index = (int)i;
		out->type = type;
		free(out->why);
		out->why = explain(&m, rule);
	}
	if (out->index < 0)
		out->why = xstrdup(n == 0 ? "the Issuer has no solvers" :
		    wildcard && http_only ? "a wildcard is only offered dns-01 and every solver is "
		    "http01" : "no solver's selector matches the name");
	free(domain);
}

void cm_solver_pick_clear(struct cm_solver_pick *p)
{
	free(p->why);
	memset(p, 0, sizeof(*p));
}
