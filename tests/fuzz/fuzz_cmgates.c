/* fuzz_cmgates.c - a --cert-manager-feature-gates list as a release's
 * controller reads it (cm_gates_apply); the first byte picks the release
 * (the flag's two parsers differ before and from v1.13.0). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "certmanager.h"
#include "cmgates.h"
#include "fuzz.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const releases[] = { "v1.0.0", "v1.12.0", "v1.14.0", "v1.18.1",
	    "v1.21.1" };
	struct cm_version v;
	struct cm_csr_gates g;
	char *list, *inert = NULL;

	if (size == 0 || cm_version_parse(releases[data[0] % nitems(releases)], &v) != 0)
		return 0;
	list = xstrndup((const char *)data + 1, size - 1);
	cm_csr_gates_default(&v, &g);
	(void)cm_gates_apply(list, &v, &g, &inert);
	free(inert);
	free(list);
	return 0;
}
