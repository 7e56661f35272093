/* fuzz_eabkey.c - the external account binding's MAC key as cert-manager
 * decodes it from its Secret's data (cm_eab_key_decode). */
#include "config.h"

#include <stdlib.h>

#include "certmanager.h"
#include "fuzz.h"

/* every byte of a key is read into it, so an overrun shows */
static volatile unsigned char sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *key;
	size_t len;
	char *err = cm_eab_key_decode(data, size, &key, &len);

	/* a key or an error, and a key of the length Go's DecodedLen gives */
	if ((err == NULL) != (key != NULL) ||
	    (key != NULL && len != size / 4 * 3 + size % 4 * 6 / 8))
		abort();
	for (size_t i = 0; key != NULL && i < len; i++)
		sink ^= key[i];
	free(key);
	free(err);
	return 0;
}
