/* fuzz_directory.c - the directory a CA answers (RFC 8555 7.1.1), and
 * what is read from its meta: the profiles and the terms of service. */
#include "config.h"

#include <jansson.h>

#include "acme.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acme_directory dir = { .url = "https://ca.example/dir" };
	const char *why, *key;
	json_t *doc, *v;

	doc = acme_directory_parse((const char *)data, size, &dir, &why);
	if (doc != NULL) {
		json_object_foreach(json_object_get(dir.meta, "profiles"), key, v)
			(void)json_string_value(v);
		(void)json_string_value(json_object_get(dir.meta, "termsOfService"));
	}
	json_decref(doc);
	return 0;
}
