/* challenge.c - a cert-manager Challenge manifest, and the record of a
 * self check of it (see selfcheck.h). */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "k8s.h"
#include "selfcheck.h"
#include "util.h"

/* A member of obj through a dotted path; NULL when a step is missing. */
static json_t *member(json_t *obj, const char *path)
{
	char *copy = xstrdup(path), *part, *save = NULL;

	for (part = strtok_r(copy, ".", &save); part != NULL && obj != NULL;
	    part = strtok_r(NULL, ".", &save))
		obj = json_is_object(obj) ? json_object_get(obj, part) : NULL;
	free(copy);
	return obj;
}

/* True when s holds only bytes of the set allowed (and is not empty). */
static bool only(const char *s, const char *allowed)
{
	return s[0] != '\0' && strspn(s, allowed) == strlen(s);
}

#define B64URL "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
#define HOSTCHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:"

/* Copies the string at path of obj into *out. 0, or -1 with ERR_USAGE
 * when it is missing (and required) or not a string. */
static int take(json_t *obj, const char *path, bool required, char **out, const char *what)
{
	json_t *v = member(obj, path);

	if (v == NULL && !required)
		return 0;
	if (!json_is_string(v)) {
		err_set(ERR_USAGE, "%s: the Challenge's %s is %s", what, path,
		    v == NULL ? "missing" : "not a string");
		return -1;
	}
	*out = xstrdup(json_string_value(v));
	return 0;
}

static int read_challenge(json_t *obj, const char *what, struct cm_challenge *ch)
{
	json_t *wildcard = member(obj, "spec.wildcard");
	const char *strategy = json_string_value(member(obj, "spec.solver.dns01.cnameStrategy"));

	if (take(obj, "metadata.name", false, &ch->name, what) != 0 ||
	    take(obj, "spec.type", true, &ch->type, what) != 0 ||
	    take(obj, "spec.dnsName", true, &ch->dns_name, what) != 0 ||
	    take(obj, "spec.key", true, &ch->key, what) != 0 ||
	    take(obj, "status.state", false, &ch->state, what) != 0 ||
	    take(obj, "status.reason", false, &ch->reason, what) != 0)
		return -1;
	ch->wildcard = json_is_true(wildcard);
	ch->cname_follow = strategy != NULL && strcmp(strategy, "Follow") == 0;
	if (strcmp(ch->type, "HTTP-01") != 0 && strcmp(ch->type, "DNS-01") != 0) {
		char *shown = str_printable(ch->type);

		err_set(ERR_USAGE, "%s: the Challenge's spec.type must be HTTP-01 or DNS-01, "
		    "not \"%s\"", what, shown);
		free(shown);
		return -1;
	}
	/* the token reaches a URL and the name a request line: only what
	 * real ones hold may pass */
	if (strcmp(ch->type, "HTTP-01") == 0 &&
	    (take(obj, "spec.token", true, &ch->token, what) != 0 || !only(ch->token, B64URL))) {
		if (ch->token != NULL)
			err_set(ERR_USAGE, "%s: the Challenge's spec.token is not base64url", what);
		return -1;
	}
	if (!only(ch->dns_name, HOSTCHARS) || strlen(ch->dns_name) > 253) {
		err_set(ERR_USAGE, "%s: the Challenge's spec.dnsName is no host name", what);
		return -1;
	}
	if (!only(ch->key, B64URL ".")) {
		err_set(ERR_USAGE, "%s: the Challenge's spec.key is no key authorization "
		    "or TXT value", what);
		return -1;
	}
	return 0;
}

/* The first Challenge of objs, read into a new record. */
static struct cm_challenge *first_challenge(json_t *objs, const char *what)
{
	struct cm_challenge *ch;
	json_t *obj;
	size_t i;

	json_array_foreach(objs, i, obj) {
		const char *kind = json_string_value(json_object_get(obj, "kind"));

		if (kind == NULL || strcmp(kind, "Challenge") != 0)
			continue;
		ch = xcalloc(1, sizeof(*ch));
		if (read_challenge(obj, what, ch) == 0)
			return ch;
		cm_challenge_free(ch);
		return NULL;
	}
	err_set(ERR_USAGE, "%s: no Challenge in it (kubectl get challenge NAME -o yaml "
	    "prints one)", what);
	return NULL;
}

struct cm_challenge *cm_challenge_parse(const char *text, size_t len, const char *what)
{
	json_t *objs = k8s_objects(text, len, what);
	struct cm_challenge *ch;

	if (objs == NULL)
		return NULL;
	ch = first_challenge(objs, what);
	json_decref(objs);
	return ch;
}

struct cm_challenge *cm_challenge_load(const char *path)
{
	json_t *objs = k8s_objects_load(path);
	struct cm_challenge *ch;

	if (objs == NULL)
		return NULL;
	ch = first_challenge(objs, path);
	json_decref(objs);
	return ch;
}

void cm_challenge_free(struct cm_challenge *ch)
{
	if (ch == NULL)
		return;
	free(ch->name);
	free(ch->type);
	free(ch->dns_name);
	free(ch->token);
	free(ch->key);
	free(ch->state);
	free(ch->reason);
	free(ch);
}

void selfcheck_step_add(struct selfcheck_result *r, bool ok, const char *what,
    const char *fmt, ...)
{
	va_list ap;

	r->steps = xrealloc(r->steps, (r->nsteps + 1) * sizeof(*r->steps));
	va_start(ap, fmt);
	r->steps[r->nsteps].outcome = xvasprintf(fmt, ap);
	va_end(ap);
	r->steps[r->nsteps].what = xstrdup(what);
	r->steps[r->nsteps].ok = ok;
	r->nsteps++;
}

json_t *selfcheck_json(const struct cm_challenge *ch, const struct selfcheck_result *r)
{
	json_t *steps = json_array();

	for (size_t i = 0; i < r->nsteps; i++)
		json_array_append_new(steps, json_pack("{s:s,s:s,s:b}", "what", r->steps[i].what,
		    "outcome", r->steps[i].outcome, "ok", r->steps[i].ok));
	return json_pack("{s:s,s:s,s:n,s:s,s:s?,s:s?,s:s?,s:o}",
	    "name", ch->dns_name, "type", ch->type, "solver",
	    "verdict", r->verdict, "reason", r->reason, "error", r->error,
	    "advice", r->advice, "steps", steps);
}

void selfcheck_result_clear(struct selfcheck_result *r)
{
	for (size_t i = 0; i < r->nsteps; i++) {
		free(r->steps[i].what);
		free(r->steps[i].outcome);
	}
	free(r->steps);
	free(r->error);
	free(r->reason);
	free(r->advice);
	memset(r, 0, sizeof(*r));
}
