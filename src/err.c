/* err.c - the process-wide error record (see err.h for the convention). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "err.h"
#include "util.h"

#define ACME_URN "urn:ietf:params:acme:error:"
/* A message carries server text (already cut to SANITIZE_MAX each) inside
 * our own words; this bounds the whole line. */
#define MESSAGE_MAX 4096

struct err_saved {
	enum err_kind kind;
	char *msg;
	struct problem *prob;
};

/* One record per thread: diagnose asks nameservers from a second thread
 * (dns_query() records its failures), which must not touch the main
 * thread's error. */
static _Thread_local struct err_saved rec;

void err_clear(void)
{
	free(rec.msg);
	problem_free(rec.prob);
	rec.kind = ERR_NONE;
	rec.msg = NULL;
	rec.prob = NULL;
}

/* msg made safe for a terminal and for JSON (it may quote a server's
 * words). Frees msg; caller frees the result. */
static char *safe_message(char *msg)
{
	char *safe = str_sanitize_cap(msg, strlen(msg), MESSAGE_MAX);

	free(msg);
	return safe;
}

void err_set(enum err_kind kind, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	err_clear();
	rec.kind = kind;
	rec.msg = safe_message(msg);
}

void err_problem(struct problem *prob, const char *fmt, ...)
{
	va_list ap;
	char *ctx, *msg;

	va_start(ap, fmt);
	ctx = xvasprintf(fmt, ap);
	va_end(ap);
	if (prob->detail != NULL && prob->detail[0] != '\0')
		msg = xasprintf("%s: %s: %s", ctx, problem_short_type(prob), prob->detail);
	else
		msg = xasprintf("%s: %s (HTTP %ld)", ctx, problem_short_type(prob), prob->status);
	free(ctx);
	err_clear();
	rec.kind = ERR_ACME;
	rec.msg = safe_message(msg);
	rec.prob = prob;
}

void err_prefix(const char *fmt, ...)
{
	va_list ap;
	char *pre, *msg;

	va_start(ap, fmt);
	pre = xvasprintf(fmt, ap);
	va_end(ap);
	msg = xasprintf("%s: %s", pre, rec.msg ? rec.msg : "");
	free(pre);
	free(rec.msg);
	rec.msg = safe_message(msg);
}

void err_rekind(enum err_kind kind)
{
	if (rec.kind != ERR_NONE)
		rec.kind = kind;
}

char *err_take_message(void)
{
	char *msg = rec.msg != NULL ? rec.msg : xstrdup("");

	rec.msg = NULL;
	err_clear();
	return msg;
}

/* A deep copy of prob (NULL for NULL). Caller problem_free()s. */
static struct problem *problem_dup(const struct problem *prob)
{
	struct problem *copy;

	if (prob == NULL)
		return NULL;
	copy = xcalloc(1, sizeof(*copy));
	copy->type = prob->type ? xstrdup(prob->type) : NULL;
	copy->detail = prob->detail ? xstrdup(prob->detail) : NULL;
	copy->status = prob->status;
	if (prob->nsub > 0)
		copy->sub = xcalloc(prob->nsub, sizeof(*copy->sub));
	for (size_t i = 0; i < prob->nsub; i++) {
		const struct subproblem *sp = &prob->sub[i];

		copy->sub[i].type = sp->type ? xstrdup(sp->type) : NULL;
		copy->sub[i].detail = sp->detail ? xstrdup(sp->detail) : NULL;
		copy->sub[i].id_type = sp->id_type ? xstrdup(sp->id_type) : NULL;
		copy->sub[i].id_value = sp->id_value ? xstrdup(sp->id_value) : NULL;
	}
	copy->nsub = prob->nsub;
	return copy;
}

struct err_saved *err_saved_dup(const struct err_saved *saved)
{
	struct err_saved *copy;

	if (saved == NULL)
		return NULL;
	copy = xmalloc(sizeof(*copy));
	copy->kind = saved->kind;
	copy->msg = saved->msg ? xstrdup(saved->msg) : NULL;
	copy->prob = problem_dup(saved->prob);
	return copy;
}

struct err_saved *err_save(void)
{
	struct err_saved *saved;

	if (rec.kind == ERR_NONE && rec.msg == NULL)
		return NULL;
	saved = xmalloc(sizeof(*saved));
	*saved = rec;
	memset(&rec, 0, sizeof(rec));
	return saved;
}

void err_restore(struct err_saved *saved)
{
	err_clear();
	if (saved != NULL) {
		rec = *saved;
		free(saved);
	}
}

void err_saved_free(struct err_saved *saved)
{
	if (saved == NULL)
		return;
	free(saved->msg);
	problem_free(saved->prob);
	free(saved);
}

enum err_kind err_saved_kind(const struct err_saved *saved)
{
	return saved->kind;
}

const char *err_saved_message(const struct err_saved *saved)
{
	return saved->msg ? saved->msg : "";
}

enum err_kind err_kind(void)
{
	return rec.kind;
}

const char *err_message(void)
{
	return rec.msg ? rec.msg : "";
}

const struct problem *err_get_problem(void)
{
	return rec.prob;
}

const char *problem_short_type(const struct problem *prob)
{
	if (prob->type == NULL)
		return "about:blank";
	if (strncmp(prob->type, ACME_URN, strlen(ACME_URN)) == 0)
		return prob->type + strlen(ACME_URN);
	return prob->type;
}

bool problem_is(const struct problem *prob, const char *name)
{
	return prob != NULL && prob->type != NULL &&
	    strncmp(prob->type, ACME_URN, strlen(ACME_URN)) == 0 &&
	    strcmp(prob->type + strlen(ACME_URN), name) == 0;
}

void problem_free(struct problem *prob)
{
	if (prob == NULL)
		return;
	for (size_t i = 0; i < prob->nsub; i++) {
		free(prob->sub[i].type);
		free(prob->sub[i].detail);
		free(prob->sub[i].id_type);
		free(prob->sub[i].id_value);
	}
	free(prob->sub);
	free(prob->type);
	free(prob->detail);
	free(prob);
}

/* Returns obj[key] sanitized (str_sanitize) when it is a string, else
 * NULL: a problem's words are the server's. Caller frees. */
static char *dup_member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? str_sanitize_mem(json_string_value(v),
	    json_string_length(v)) : NULL;
}

struct problem *problem_parse(const char *body, size_t len, long http_status)
{
	json_t *doc, *subs, *sub;
	struct problem *prob = NULL;
	size_t i;

	if (body == NULL)
		return NULL;
	/* a NUL in a detail is shown escaped, not a reason to lose the document */
	doc = json_loadb(body, len, JSON_ALLOW_NUL, NULL);
	if (!json_is_object(doc) || !json_is_string(json_object_get(doc, "type")))
		goto out;
	prob = xcalloc(1, sizeof(*prob));
	prob->type = dup_member(doc, "type");
	prob->detail = dup_member(doc, "detail");
	prob->status = json_is_integer(json_object_get(doc, "status")) ?
	    (long)json_integer_value(json_object_get(doc, "status")) : http_status;
	subs = json_object_get(doc, "subproblems");
	if (json_is_array(subs) && json_array_size(subs) > 0) {
		prob->sub = xcalloc(json_array_size(subs), sizeof(*prob->sub));
		json_array_foreach(subs, i, sub) {
			struct subproblem *sp = &prob->sub[prob->nsub];
			json_t *id = json_object_get(sub, "identifier");

			if (!json_is_object(sub))
				continue;
			sp->type = dup_member(sub, "type");
			sp->detail = dup_member(sub, "detail");
			if (json_is_object(id)) {
				sp->id_type = dup_member(id, "type");
				sp->id_value = dup_member(id, "value");
			}
			prob->nsub++;
		}
	}
out:
	json_decref(doc);
	return prob;
}

int err_report(void)
{
	if (rec.kind == ERR_NONE)
		return 0;
	fprintf(stderr, "acmectl: %s\n", err_message());
	if (rec.prob != NULL) {
		for (size_t i = 0; i < rec.prob->nsub; i++) {
			const struct subproblem *sp = &rec.prob->sub[i];
			struct problem tmp = { .type = sp->type };

			fprintf(stderr, "  %s: %s: %s\n",
			    sp->id_value ? sp->id_value : "?",
			    problem_short_type(&tmp),
			    sp->detail ? sp->detail : "");
		}
	}
	return (int)rec.kind;
}
