/* fuzz_ari.c - RFC 9773 renewal information: a CA's RenewalInfo answer,
 * the ari.json state file it is kept in, and the times in both. */
#include "config.h"

#include <jansson.h>

#include "ari.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *url = NULL;
	struct ari_state st;
	time_t start, end, t;
	json_t *doc;

	if (ari_parse_renewal_info((const char *)data, size, &start, &end, &url) == 0)
		free(url);
	(void)ari_parse_time(text, &t);
	doc = json_loadb((const char *)data, size, 0, NULL);
	(void)ari_state_from_json(doc, &st);
	ari_state_clear(&st);
	json_decref(doc);
	free(text);
	return 0;
}
