/* fuzz_dns.c - a DNS answer (dns.c), as a pod's nameserver or a zone's
 * authoritative server may send it to diagnose --challenge and the dns-01
 * propagation wait: compression pointers, labels, TXT strings, counts. */
#include "config.h"

#include "dns.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_msg m;

	if (dns_parse(data, size, &m) == 0)
		dns_msg_clear(&m);
	err_clear();
	return 0;
}
