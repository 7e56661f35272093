/* report.c - the report for people and as JSON, with bytes from the
 * network (certificates, answers) escaped.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "diagnose_int.h"
#include "util.h"

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

/* s with control bytes and invalid UTF-8 written as \xNN. Caller frees. */
static char *clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	char *out = xmalloc(4 * strlen((const char *)p) + 1), *o = out;
	size_t n;

	while (*p != '\0') {
		n = utf8_len(p);
		if (n == 0 || *p < 0x20 || *p == 0x7f) {
			o += sprintf(o, "\\x%02x", *p);
			p++;
			continue;
		}
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	*o = '\0';
	return out;
}

static json_t *clean_json(const char *s)
{
	char *c = clean(s);
	json_t *j = json_string(c);

	free(c);
	return j != NULL ? j : json_string("");
}

static const char *status_word(enum diag_status st)
{
	return st == DIAG_OK ? "ok" : st == DIAG_FAIL ? "fail" : "skip";
}

char *diag_report_json(const struct diag_report *r)
{
	json_t *doc, *steps = json_array(), *findings = json_array(), *events = json_array();
	json_t *advice = json_array();
	char *text;

	for (int i = 0; i < DIAG_NSTEPS; i++)
		json_array_append_new(steps, json_pack("{s:s, s:s, s:I, s:o}",
		    "name", diag_step_name((enum diag_step)i), "status", status_word(r->steps[i].status),
		    "ms", (json_int_t)r->steps[i].ms, "detail", clean_json(r->steps[i].detail)));
	for (size_t i = 0; i < r->nfindings; i++)
		json_array_append_new(findings, json_pack("{s:s, s:o}", "id", r->findings[i].id,
		    "detail", clean_json(r->findings[i].detail)));
	for (size_t i = 0; i < r->cm.nevents; i++)
		json_array_append_new(events, json_pack("{s:s, s:s, s:o}",
		    "type", r->cm.events[i].type, "reason", r->cm.events[i].reason,
		    "message", clean_json(r->cm.events[i].message)));
	for (size_t i = 0; i < r->nadvice; i++)
		json_array_append_new(advice, clean_json(r->advice[i]));
	doc = json_pack("{s:s, s:o, s:o, s:{s:s, s:o, s:o, s:b, s:o, s:o, s:o}, s:o}",
	    "verdict", diag_verdict_name(r->verdict), "steps", steps, "findings", findings,
	    "cert_manager", "version", r->cm_version, "reason", clean_json(r->cm.reason),
	    "message", clean_json(r->cm.message), "condition_written",
	    r->cm.condition_written, "events", events, "log", r->cm.log != NULL ?
	    clean_json(r->cm.log) : json_null(), "webhook_error", r->cm.webhook_error != NULL ?
	    clean_json(r->cm.webhook_error) : json_null(), "advice", advice);
	text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	return text != NULL ? text : xstrdup("{}");
}

static void print_clean(FILE *fp, const char *prefix, const char *s)
{
	char *c = clean(s);

	fprintf(fp, "%s%s\n", prefix, c);
	free(c);
}

/* The Ready condition line(s) of cert-manager's view. */
static void print_condition(FILE *fp, const struct cm_view *cm)
{
	char *status = clean(cm->status), *reason = clean(cm->reason), *line;

	if (cm->webhook_error != NULL) {
		print_clean(fp, "  no Issuer: the webhook refuses the manifest (kubectl apply "
		    "fails), so no condition and no event: ", cm->webhook_error);
		free(status);
		free(reason);
		return;
	}
	if (!cm->condition_written) {
		fprintf(fp, "  Ready condition not updated: the sync deadline passed, and the "
		    "status is written with the sync's own context\n");
		if (cm->status == NULL)
			fprintf(fp, "  it stays absent (the Issuer has none yet)\n");
	}
	if (cm->condition_written || cm->status != NULL) {
		line = xasprintf("  %sReady=%s  %s  ", cm->condition_written ? "" :
		    "it stays ", cm->status ? status : "?", cm->reason ? reason : "?");
		print_clean(fp, line, cm->message);
		free(line);
	}
	free(status);
	free(reason);
}

void diag_report_print(FILE *fp, const struct diag_report *r)
{
	static const char *const marks[] = { "\u2013", "\u2713", "\u2717" };
	char *server = clean(r->server), *line;

	fprintf(fp, "diagnose %s as cert-manager %s sets it up\n\n", server, r->cm_version);
	for (int i = 0; i < DIAG_NSTEPS; i++) {
		line = xasprintf("  %s %-8s %6lld ms  ", marks[r->steps[i].status],
		    diag_step_name((enum diag_step)i), r->steps[i].ms);
		print_clean(fp, line, r->steps[i].detail);
		free(line);
	}
	fprintf(fp, "\nverdict: %s\n", diag_verdict_name(r->verdict));
	if (r->nfindings > 0)
		fprintf(fp, "\nfindings:\n");
	for (size_t i = 0; i < r->nfindings; i++) {
		line = xasprintf("  [%s] ", r->findings[i].id);
		print_clean(fp, line, r->findings[i].detail);
		free(line);
	}
	fprintf(fp, "\ncert-manager %s would show:\n", r->cm_version);
	print_condition(fp, &r->cm);
	for (size_t i = 0; i < r->cm.nevents; i++) {
		line = xasprintf("  event %s %s: ", r->cm.events[i].type, r->cm.events[i].reason);
		print_clean(fp, line, r->cm.events[i].message);
		free(line);
	}
	if (r->cm.log != NULL)
		print_clean(fp, "  log: ", r->cm.log);
	if (r->nadvice > 0)
		fprintf(fp, "\nadvice:\n");
	for (size_t i = 0; i < r->nadvice; i++)
		print_clean(fp, "  - ", r->advice[i]);
	free(server);
}
