/* fuzz_cmcert.c - a cert-manager Certificate manifest and an Issuer's
 * solvers as diagnose --certificate reads them, then what runs on what was
 * parsed: the commonName check, the Order's identifiers of two releases,
 * the solver pick for each identifier, and the CSR fields: what refuses
 * them and the CSR itself, for the oldest and the newest release. */
#include "config.h"

#include "cmcert.h"
#include "cmcsr.h"
#include "fuzz.h"
#include "solverpick.h"

/* The CSR fields of c as release v reads them, with its gates and all on. */
static void csr_fields(const struct cm_certificate *c, const struct cm_version *v, EVP_PKEY *key)
{
	struct cm_csr_gates g;
	const char *who;

	cm_csr_gates_default(v, &g);
	for (int pass = 0; pass < 2; pass++) {
		free(cm_csr_refusal(c, v, &g, &who));
		free(cm_csr_common_name(c, v, &g));
		free(cm_csr_build(c, v, &g, key));
		err_clear();
		g.literal_subject = g.basic_constraints = true;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *key;
	static const struct cm_version old = { 1, 1, 0 }, cur = { 1, 21, 1 };
	struct cm_certificate *c = cm_certificate_parse((const char *)data, size, "fuzz.yaml");
	struct cm_strings dns, ips;
	struct cm_solver_pick p;
	struct cm_solvers s = { 0 };

	if (cm_solvers_parse((const char *)data, size, "fuzz.yaml", &s) != 0)
		err_clear();
	if (key == NULL)
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (c != NULL) {
		csr_fields(c, &old, key);
		csr_fields(c, &cur, key);
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
