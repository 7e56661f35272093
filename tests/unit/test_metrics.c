/* test_metrics.c - metrics_text against a table: one certificate each,
 * the sample lines it must yield (label values escaped), and the lines it
 * must not. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "metrics.h"
#include "test.h"


static const struct {
	struct metrics_cert cert;
	const char *has[3];       /* lines the text must hold */
	const char *lacks;        /* a line start it must not hold, or NULL */
} rows[] = {
	{ { "a.example", "https://ca.example/dir", false, true, 1767225600, false, 1760000000,
	    1759990000, false },
	  { "acmectl_certificate_not_after_seconds{name=\"a.example\","
	    "server=\"https://ca.example/dir\",staging=\"false\"} 1767225600\n",
	    "acmectl_certificate_last_success_seconds{name=\"a.example\","
	    "server=\"https://ca.example/dir\",staging=\"false\"} 1759990000\n",
	    "acmectl_certificate_last_error{name=\"a.example\","
	    "server=\"https://ca.example/dir\",staging=\"false\"} 0\n" }, NULL },
	/* backslash, double quote and line feed escaped; nothing else */
	{ { "b", "https://ca.example/d?q=\"x\\y\nz\t", true, true, 1, true, 2, 3, true },
	  { "acmectl_certificate_renewal_due{name=\"b\","
	    "server=\"https://ca.example/d?q=\\\"x\\\\y\\nz\t\",staging=\"true\"} 1\n",
	    "acmectl_certificate_last_error{name=\"b\","
	    "server=\"https://ca.example/d?q=\\\"x\\\\y\\nz\t\",staging=\"true\"} 1\n",
	    "acmectl_certificate_last_attempt_seconds{name=\"b\"," }, NULL },
	/* unknown times: no sample rather than a 1970 one */
	{ { "c", "https://ca.example/dir", false, true, 100, false, 0, 0, false },
	  { "acmectl_certificate_renewal_due{name=\"c\",", NULL, NULL },
	  "acmectl_certificate_last_attempt_seconds{name=\"c\"" },
	/* unreadable: only the error, with an empty server */
	{ { "d", NULL, false, false, 0, false, 0, 0, false },
	  { "acmectl_certificate_last_error{name=\"d\",server=\"\",staging=\"false\"} 1\n",
	    NULL, NULL },
	  "acmectl_certificate_not_after_seconds{name=\"d\"" },
};

/* The five families, each with its HELP and TYPE lines. */
static const char *const families[] = {
	"acmectl_certificate_not_after_seconds", "acmectl_certificate_renewal_due",
	"acmectl_certificate_last_attempt_seconds", "acmectl_certificate_last_success_seconds",
	"acmectl_certificate_last_error",
};

int main(void)
{
	char *text, *type;

	for (size_t i = 0; i < nitems(rows); i++) {
		text = metrics_text(&rows[i].cert, 1);
		for (size_t j = 0; j < nitems(rows[i].has) && rows[i].has[j] != NULL; j++)
			CHECK(strstr(text, rows[i].has[j]) != NULL, "row %zu lacks %s in:\n%s", i,
			    rows[i].has[j], text);
		CHECK(rows[i].lacks == NULL || strstr(text, rows[i].lacks) == NULL,
		    "row %zu has %s", i, rows[i].lacks);
		free(text);
	}
	text = metrics_text(NULL, 0);
	for (size_t i = 0; i < nitems(families); i++) {
		type = xasprintf("# HELP %s ", families[i]);
		CHECK(strstr(text, type) != NULL, "no HELP line for %s", families[i]);
		free(type);
		type = xasprintf("\n# TYPE %s gauge\n", families[i]);
		CHECK(strstr(text, type) != NULL, "no TYPE line for %s", families[i]);
		free(type);
	}
	free(text);
	return test_done();
}
