/* fuzz_eabkey.c - the external account binding's MAC key as cert-manager
 * decodes it from its Secret's data (cm_eab_key_decode). */
#include "config.h"

#include <stdlib.h>

#include "certmanager.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *key;
	size_t len;
	char *err = cm_eab_key_decode(data, size, &key, &len);
	volatile unsigned char sum = 0;

	/* every byte of the key is read, so an overrun shows */
	for (size_t i = 0; key != NULL && i < len; i++)
		sum ^= key[i];
	free(key);
	free(err);
	return 0;
}
