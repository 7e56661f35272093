/* fuzz_tlsalpn.c - the ClientHello extensions a tls-alpn-01 validator (or
 * anyone reaching the responder) sends: one input read as an ALPN
 * extension body and as a server_name extension body. */
#include "config.h"

#include <stdbool.h>

#include "fuzz.h"
#include "tlsalpn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[254];

	(void)tlsalpn_offers_acme(data, size);
	if (tlsalpn_hello_sni(data, size, name, sizeof(name)) && strlen(name) > 253)
		__builtin_trap();
	return 0;
}
