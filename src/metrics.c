/* metrics.c - the Prometheus textfile of the kept certificates (see
 * metrics.h). */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "store.h"
#include "util.h"

/* The families, in the order written; what each sample's value is. */
enum family { NOT_AFTER, RENEWAL_DUE, LAST_ATTEMPT, LAST_SUCCESS, LAST_ERROR };

static const struct {
	enum family family;
	const char *name;
	const char *help;
} families[] = {
	{ NOT_AFTER, "acmectl_certificate_not_after_seconds",
	    "End of the certificate's validity (notAfter), in seconds since the epoch." },
	{ RENEWAL_DUE, "acmectl_certificate_renewal_due",
	    "1 when acmectl renew would renew the certificate now, else 0." },
	{ LAST_ATTEMPT, "acmectl_certificate_last_attempt_seconds",
	    "When the certificate was last issued or last failed to be, in seconds since the epoch." },
	{ LAST_SUCCESS, "acmectl_certificate_last_success_seconds",
	    "When the current certificate was issued, in seconds since the epoch." },
	{ LAST_ERROR, "acmectl_certificate_last_error",
	    "1 when the last attempt or deployment failed or the certificate cannot be read, else 0." },
};

/* Appends s to *buf (of *len bytes) as a label value: backslash, double
 * quote and line feed escaped, the only escapes the format knows. */
static void append_label_value(char **buf, size_t *len, const char *s)
{
	size_t need = 2 * strlen(s) + 1, n = *len;

	*buf = xrealloc(*buf, n + need);
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"' || *s == '\n') {
			(*buf)[n++] = '\\';
			(*buf)[n++] = *s == '\n' ? 'n' : *s;
		} else {
			(*buf)[n++] = *s;
		}
	}
	(*buf)[n] = '\0';
	*len = n;
}

/* Appends the formatted text to *buf. */
static void append(char **buf, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void append(char **buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	*buf = xrealloc(*buf, *len + strlen(s) + 1);
	memcpy(*buf + *len, s, strlen(s) + 1);
	*len += strlen(s);
	free(s);
}

/* The value of family f for c in *value; false when c has no sample. */
static bool sample(enum family f, const struct metrics_cert *c, long long *value)
{
	if (!c->readable && f != LAST_ERROR)
		return false;
	switch (f) {
	case NOT_AFTER:
		*value = (long long)c->not_after;
		return true;
	case RENEWAL_DUE:
		*value = c->due;
		return true;
	case LAST_ATTEMPT:
		*value = (long long)c->last_attempt;
		return c->last_attempt != 0;
	case LAST_SUCCESS:
		*value = (long long)c->last_success;
		return c->last_success != 0;
	case LAST_ERROR:
		*value = c->last_error || !c->readable;
		return true;
	}
	return false;
}

char *metrics_text(const struct metrics_cert *certs, size_t n)
{
	char *buf = xstrdup("");
	size_t len = 0;
	long long value;

	for (size_t f = 0; f < nitems(families); f++) {
		append(&buf, &len, "# HELP %s %s\n# TYPE %s gauge\n", families[f].name,
		    families[f].help, families[f].name);
		for (size_t i = 0; i < n; i++) {
			if (!sample(families[f].family, &certs[i], &value))
				continue;
			append(&buf, &len, "%s{name=\"", families[f].name);
			append_label_value(&buf, &len, certs[i].name);
			append(&buf, &len, "\",server=\"");
			append_label_value(&buf, &len, certs[i].server ? certs[i].server : "");
			append(&buf, &len, "\",staging=\"%s\"} %lld\n",
			    certs[i].staging ? "true" : "false", value);
		}
	}
	return buf;
}

int metrics_write(const char *path, const struct metrics_cert *certs, size_t n)
{
	char *text = metrics_text(certs, n);
	int rc = store_write_atomic(path, text, strlen(text), 0644);

	free(text);
	return rc;
}
