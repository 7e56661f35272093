/* fuzz_resolv.c - resolv.conf (diagnose --resolv-conf, or a pod's), the
 * names a lookup of the ACME host would try under it, and the model of
 * Go's resolver over those settings, with what each nameserver did made
 * from the same bytes: its time must stay within the bound, and options
 * such as attempts:16777215 must not make it spin. */
#include "config.h"

#include <stdlib.h>

#include "../../src/diagnose/goresolv.h"
#include "fuzz.h"
#include "resolv.h"
#include "util.h"

static const char *const names[] = {
	"acme-v02.api.letsencrypt.org", "acme", "acme.", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p",
};

#define LIMIT_MS 30000

/* Go's lookup of the n candidates under conf, each fact drawn from data. */
static void run_model(const struct resolv_conf *conf, size_t n, const uint8_t *data,
    size_t size)
{
	struct gores_lookup l = {
		.nnames = n, .nservers = conf->nnameservers > 0 ? conf->nnameservers : 2,
		.as_given = n, .timeout_ms = conf->go_timeout_s * 1000L,
		.attempts = conf->go_attempts, .rotate = conf->rotate,
		.single_request = conf->single_request, .limit_ms = LIMIT_MS,
		.tcp = conf->use_vc,
	};
	size_t nfacts = n * l.nservers * GORES_NQTYPES, server;
	struct gores_fact *f = xcalloc(nfacts + 1, sizeof(*f));
	struct gores_result res;
	char *text;

	for (size_t i = 0; i < nfacts; i++) {
		uint8_t b = size > 0 ? data[i % size] : 0;

		f[i].reply = (enum gores_reply)(1 + b % 5);
		f[i].ms = (long)(b >> 3) * 50;
		f[i].tcp_retry = (b & 4) != 0;
	}
	l.facts = f;
	l.offset = size > 0 ? data[0] : 0;
	gores_run(&l, &res);
	if (res.need || res.ms > LIMIT_MS || (res.cut && res.ms != LIMIT_MS))
		abort();
	(void)gores_cause(&l, &server);
	text = gores_error_text("acme.test", res.error_server < l.nservers ? "10.0.0.1:53" :
	    NULL, res.error, l.tcp, res.error_tcp);
	free(text);
	free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	struct resolv_conf conf;
	struct resolv_candidate *c;
	size_t i, n;

	resolv_parse(text, &conf);
	for (i = 0; i < nitems(names); i++) {
		c = resolv_candidates(names[i], &conf, &n);
		run_model(&conf, n, data, size);
		resolv_candidates_free(c, n);
	}
	resolv_conf_free(&conf);
	free(text);
	return 0;
}
