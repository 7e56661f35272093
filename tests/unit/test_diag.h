/* test_diag.h - what the table tests of diagnose's conclusions share
 * (test_diagnose, test_register): a row's facts concluded under the
 * cert-manager release it names, and a look into the advice. Include after
 * test.h. */
#ifndef ACMECTL_TEST_DIAG_H
#define ACMECTL_TEST_DIAG_H

#include <stdbool.h>
#include <string.h>

#include "certmanager.h"
#include "diagnose.h"

/* Concludes facts as cert-manager release version ("v1.12.0") would see
 * them. Returns true with *r filled (caller diag_report_free()s), or false,
 * r untouched, when version is no release's. */
static inline bool test_conclude(const struct diag_facts *facts, const char *version,
    struct diag_report *r)
{
	struct diag_facts f = *facts;

	if (cm_version_parse(version, &f.cm) != 0)
		return false;
	diag_conclude(&f, r);
	return true;
}

/* True when a line of r's advice contains part. */
static inline bool test_advice_has(const struct diag_report *r, const char *part)
{
	for (size_t i = 0; i < r->nadvice; i++)
		if (strstr(r->advice[i], part) != NULL)
			return true;
	return false;
}

#endif
