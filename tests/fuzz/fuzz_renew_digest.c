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
	char *line;

	if (store_digest_parse((const char *)data, size, &d) != 0) {
		if (d.n != 0 || d.rows != NULL)
			abort();  /* refused, yet rows were kept */
		err_clear();
		return 0;
	}
	for (size_t i = 0; i < d.n; i++) {
		line = digest_row_format(&d.rows[i]);
		if (line == NULL || strlen(line) != d.rows[i].line_len ||
		    memcmp(line, d.rows[i].line, d.rows[i].line_len) != 0 ||
		    store_digest_find(&d, d.rows[i].name) != &d.rows[i])
			abort();
		free(line);
	}
	store_digest_free(&d);
	return 0;
}
