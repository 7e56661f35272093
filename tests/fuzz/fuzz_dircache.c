/* fuzz_dircache.c - a kept directory.json, which anyone able to write the
 * state directory could have changed, read back for the server it claims. */
#include "config.h"

#include <jansson.h>

#include "dircache.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why;
	json_t *dir;

	dir = dircache_parse((const char *)data, size, "https://ca.example:14000/dir",
	    1800000000, &why);
	json_decref(dir);
	return 0;
}
