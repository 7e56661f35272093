/* fuzz_key.c - private key files: account keys (--account-key, a
 * cert-manager Secret's tls.key) and certificate keys, in PEM. */
#include "config.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include "fuzz.h"
#include "key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	EVP_PKEY *key = key_from_pem((const char *)data, size, "fuzz.pem");
	size_t len;
	char *pem;

	/* an accepted key is saved again as acmectl would keep it */
	if (key != NULL && (pem = key_to_pem(key, &len)) != NULL)
		key_pem_free(pem, len);
	EVP_PKEY_free(key);
	err_clear();
	ERR_clear_error();
	return 0;
}
