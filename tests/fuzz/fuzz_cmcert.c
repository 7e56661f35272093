/* fuzz_cmcert.c - a cert-manager Certificate manifest and an Issuer's
 * solvers as diagnose --certificate reads them, then what runs on what was
 * parsed: the commonName check, the Order's identifiers of two releases
 * and the solver pick for each identifier. */
#include "config.h"

#include "cmcert.h"
#include "fuzz.h"
#include "solverpick.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct cm_version old = { 1, 1, 0 }, cur = { 1, 21, 1 };
	struct cm_certificate *c = cm_certificate_parse((const char *)data, size, "fuzz.yaml");
	struct cm_strings dns, ips;
	struct cm_solver_pick p;
	struct cm_solvers s = { 0 };

	if (cm_solvers_parse((const char *)data, size, "fuzz.yaml", &s) != 0)
		err_clear();
	if (c != NULL) {
		free(cm_cn_not_in_sans(c));
		cm_order_identifiers(c, &old, &dns, &ips);
		cm_strings_clear(&dns);
		cm_strings_clear(&ips);
		cm_order_identifiers(c, &cur, &dns, &ips);
		for (size_t i = 0; i < dns.n; i++) {
			bool wildcard = strncmp(dns.v[i], "*.", 2) == 0;

			cm_solver_pick(s.v, s.n, dns.v[i] + (wildcard ? 2 : 0), wildcard, c->labels, &p);
			cm_solver_pick_clear(&p);
		}
		cm_strings_clear(&dns);
		cm_strings_clear(&ips);
	}
	cm_certificate_free(c);
	cm_solvers_clear(&s);
	err_clear();
	return 0;
}
