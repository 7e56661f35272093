/* renew_report.c - what `acmectl renew` prints of its run: a line per
 * certificate that did something, one summary line for those that did not
 * (cron mails every line), the --json array and the error line's list. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ari.h"
#include "cmd.h"
#include "renew_int.h"
#include "util.h"

const char *const renew_action_names[] = {
	[ACT_NOT_DUE] = "not-due",
	[ACT_RENEWED] = "renewed",
	[ACT_FAILED] = "failed",
	[ACT_REVOKED] = "revoked",
	[ACT_DEPLOYED] = "deployed",
};

/* "2030-06-01 12:00 UTC" */
static const char *human_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(buf, size, "?");
	return buf;
}

/* The one-line summary of j; one that is not due only with -v (the run's
 * summary line counts them: cron mails every line). */
void renew_print_line(const struct config *cfg, const struct job *j, time_t now)
{
	char until[40], a[40], b[40], c[40];

	if (cfg->quiet && j->action != ACT_FAILED && j->error == NULL)
		return;
	if (j->action == ACT_NOT_DUE && cfg->verbosity == 0)
		return;
	human_time(j->ci.not_after, until, sizeof(until));
	switch (j->action) {
	case ACT_RENEWED:
		printf("%s: renewed (%s) by %s, valid until %s%s%s\n", j->name, j->why,
		    j->server, until, j->error ? "; " : "", j->error ? j->error : "");
		break;
	case ACT_DEPLOYED:
		if (j->error != NULL)
			printf("%s: not due, valid until %s; its pending deployment failed "
			    "again: %s\n", j->name, until, j->error);
		else
			printf("%s: not due, valid until %s; its pending deployment is done\n",
			    j->name, until);
		break;
	case ACT_NOT_DUE:
		printf("%s: not due, valid until %s (%ld days left)", j->name, until,
		    (long)((j->ci.not_after - now) / 86400));
		if (j->have_ari && j->ari.offered && j->ari.renew_at != 0)
			printf("; ARI window %s to %s, renewal from %s",
			    human_time(j->ari.start, a, sizeof(a)),
			    human_time(j->ari.end, b, sizeof(b)),
			    human_time(j->ari.renew_at, c, sizeof(c)));
		putchar('\n');
		break;
	case ACT_FAILED:
		printf("%s: failed: %s\n", j->name, j->error ? j->error : "unknown error");
		break;
	case ACT_REVOKED:
		printf("%s: revoked, not renewed\n", j->name);
		break;
	}
}

/* When not-due job j becomes due: by its dates, or at the point its ARI
 * window chose when that comes first. */
static time_t job_due_at(const struct config *cfg, const struct job *j)
{
	time_t at = cert_due_at(j->ci.not_before, j->ci.not_after, cfg->days);

	if (j->have_ari && j->ari.offered && j->ari.renew_at != 0 && j->ari.renew_at < at)
		at = j->ari.renew_at;
	return at;
}

/* One line for all the certificates that are not due: how many were
 * checked, and which one is due next, when. */
void renew_print_summary(const struct config *cfg, const struct job *jobs, size_t n)
{
	const struct job *next = NULL;
	size_t not_due = 0;
	time_t at, next_at = 0;
	char when[40];

	if (cfg->quiet || cfg->verbosity > 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].action != ACT_NOT_DUE)
			continue;
		not_due++;
		at = job_due_at(cfg, &jobs[i]);
		if (next == NULL || at < next_at) {
			next = &jobs[i];
			next_at = at;
		}
	}
	if (next == NULL)
		return;
	printf("acmectl: %zu certificate%s checked, ", n, n == 1 ? "" : "s");
	if (not_due == n)
		printf("none due");
	else
		printf("%zu not due", not_due);
	printf(" (next: %s on %s)\n", next->name, human_time(next_at, when, sizeof(when)));
}

/* The --json array: {name, action, not_after, error?} per certificate. */
void renew_print_json(const struct job *jobs, size_t n)
{
	json_t *arr = json_array();
	char buf[32];

	for (size_t i = 0; i < n; i++) {
		const struct job *j = &jobs[i];
		json_t *o = json_pack("{s:s,s:s}", "name", j->name, "action",
		    renew_action_names[j->action]);

		json_object_set_new(o, "server", j->server ? json_string(j->server) : json_null());
		json_object_set_new(o, "not_after", j->ci.not_after != 0 ?
		    json_string(ari_format_time(j->ci.not_after, buf, sizeof(buf))) :
		    json_null());
		if (j->error != NULL)
			json_object_set_new(o, "error", json_string(j->error));
		json_array_append_new(arr, o);
	}
	json_print(arr);
	json_decref(arr);
}

/* "NAME: why" of each failed job, "; "-joined, for the error line: stderr
 * says what failed, not only how many; their kinds are added to *kind
 * (renew_exit_kind). Caller frees. */
char *renew_failures_text(const struct job *jobs, size_t n, enum err_kind *kind)
{
	char *text = xstrdup(""), *t;

	for (size_t i = 0; i < n; i++) {
		if (jobs[i].action != ACT_FAILED && jobs[i].error == NULL)
			continue;
		*kind = renew_exit_kind(*kind, jobs[i].error_kind);
		t = xasprintf("%s%s%s: %s", text, *text ? "; " : "", jobs[i].name,
		    jobs[i].error ? jobs[i].error : "unknown error");
		free(text);
		text = t;
	}
	return text;
}
