/* fuzz_pem_chain.c - PEM certificate chains: what a CA serves as the
 * certificate, and the cert.pem/fullchain.pem files renew and list read. */
#include "config.h"

#include <openssl/err.h>

#include "certinfo.h"
#include "fuzz.h"
#include "order.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *pem = fuzz_string(data, size), *leaf = NULL, *rest = NULL;
	struct certinfo ci;

	memset(&ci, 0, sizeof(ci));
	(void)certinfo_parse(pem, "fuzz.pem", &ci);
	certinfo_clear(&ci);
	free(certinfo_top_issuer_cn(pem));
	if (order_split_chain(pem, &leaf, &rest) == 0) {
		free(leaf);
		free(rest);
	}
	err_clear();
	ERR_clear_error();
	free(pem);
	return 0;
}
