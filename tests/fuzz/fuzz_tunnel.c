/* fuzz_tunnel.c - a proxy's answer to CONNECT: the status line and the
 * headers diagnose reads from it (X-Squid-Error, Proxy-Authenticate). */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so a read past the answer is caught */
	char *head = xmalloc(size > 0 ? size : 1);
	struct probe_tunnel t;

	memcpy(head, data, size);
	memset(&t, 0, sizeof(t));
	probe_tunnel_parse(head, size, &t);
	probe_tunnel_clear(&t);
	free(head);
	return 0;
}
