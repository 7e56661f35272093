/* fuzz_resolv.c - resolv.conf (diagnose --resolv-conf, or a pod's), and
 * the names a lookup of the ACME host would try under it. */
#include "config.h"

#include "fuzz.h"
#include "resolv.h"
#include "util.h"

static const char *const names[] = {
	"acme-v02.api.letsencrypt.org", "acme", "acme.", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	struct resolv_conf conf;
	struct resolv_candidate *c;
	size_t i, n;

	resolv_parse(text, &conf);
	for (i = 0; i < nitems(names); i++) {
		c = resolv_candidates(names[i], &conf, &n);
		resolv_candidates_free(c, n);
	}
	resolv_conf_free(&conf);
	free(text);
	return 0;
}
