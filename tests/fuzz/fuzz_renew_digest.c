/* fuzz_renew_digest.c - STATE/renew-digest, the renew cache: a digest is
 * taken whole or refused whole, and every row taken is written back by
 * digest_row_format exactly as it was read (the parser accepts one
 * spelling of each row, so a row cannot mean something its text does not
 * say), and is the one store_digest_find finds by its name. */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "store_digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_digest d;
	struct digest_row *r;
	size_t len;
	char *line;

	if (store_digest_parse((const char *)data, size, &d) != 0) {
		if (d.n != 0 || d.starts != NULL)
			abort();  /* refused, yet rows were kept */
		err_clear();
		return 0;
	}
	r = xmalloc(sizeof(*r));
	for (size_t k = 0; k < d.n; k++) {
		store_digest_row(&d, k, r);
		line = digest_row_format(r);
		len = d.starts[k + 1] - d.starts[k];
		if (line == NULL || strlen(line) != len ||
		    memcmp(line, d.base + d.starts[k], len) != 0 ||
		    store_digest_find(&d, r->name) != (long)k)
			abort();
		free(line);
	}
	free(r);
	store_digest_free(&d);
	return 0;
}
