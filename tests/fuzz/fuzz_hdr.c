/* fuzz_hdr.c - the header values a CA sends: Retry-After, Link (one value
 * per input line, as several Link headers arrive) and Content-Type. */
#include "config.h"

#include <time.h>

#include "fuzz.h"
#include "hdr.h"
#include "util.h"

/* Sun, 01 Jun 2025 12:00:00 GMT: a fixed now keeps runs reproducible */
#define NOW ((time_t)1748779200)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const rels[] = { "up", "alternate", "index" };
	char *text = fuzz_string(data, size), *rest, *line;
	const char **values = xcalloc(size + 2, sizeof(*values));
	size_t n = 0, i;
	long seconds;

	(void)hdr_retry_after(text, NOW, &seconds);
	(void)hdr_retry_after(text, 0, &seconds);
	(void)hdr_content_type_is(text, "application/json");
	(void)hdr_content_type_is(text, "application/problem+json");
	rest = text;
	while ((line = fuzz_line(&rest)) != NULL)
		values[n++] = line;
	for (i = 0; i < nitems(rels); i++)
		strv_free(hdr_links(values, rels[i]));
	free(values);
	free(text);
	return 0;
}
