/* fuzz_cmurl.c - an Issuer's server and account URLs as Go's url.Parse
 * reads them (cm_url_parse_error), and the InvalidURL view. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "certmanager.h"
#include "fuzz.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url = xstrndup((const char *)data, size), *err = cm_url_parse_error(url);
	struct cm_view view;

	if (err != NULL) {
		cm_view_invalid_url("server", url, err, &view);
		cm_view_free(&view);
	}
	free(err);
	free(url);
	return 0;
}
