/* fuzz_dns_tcp.c - what a server sends back on a DNS TCP connection
 * (dns.c), over use-vc or after a truncated UDP answer: the two-byte
 * length and the message behind it, read as the reader reads it, which
 * asks dns_tcp_frame() after every read and never reads past the frame;
 * then the answer to "a.test" A, id 0x1234, taken from what came. */
#include "config.h"

#include <stdlib.h>

#include "dns.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum dns_tcp_end end;
	struct dns_msg m;
	size_t got = 0, need = 0;

	/* the reader's loop, one byte a read at the worst */
	while (got < size && dns_tcp_frame(data, got, &need) == DNS_TCP_MORE) {
		if (need <= got || need > 65537)
			abort();
		got++;
	}
	if (dns_tcp_frame(data, got, &need) == DNS_TCP_WHOLE && need != got)
		abort();
	if (dns_tcp_answer(data, got, 0x1234, "a.test", DNS_A, &m, &end) == 0)
		dns_msg_clear(&m);
	else if (end == DNS_TCP_END_NONE)
		abort();
	err_clear();
	/* a server's bytes after the frame change nothing */
	if (dns_tcp_answer(data, size, 0x1234, "a.test", DNS_A, &m, &end) == 0)
		dns_msg_clear(&m);
	err_clear();
	return 0;
}
