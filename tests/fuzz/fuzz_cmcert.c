/* fuzz_cmcert.c - a cert-manager Certificate manifest as diagnose
 * --certificate reads it, then the checks run on what it parsed: the
 * commonName check and the Order's identifiers of two releases. */
#include "config.h"

#include "cmcert.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct cm_version old = { 1, 1, 0 }, cur = { 1, 21, 1 };
	struct cm_certificate *c = cm_certificate_parse((const char *)data, size, "fuzz.yaml");
	struct cm_strings dns, ips;

	if (c != NULL) {
		free(cm_cn_not_in_sans(c));
		cm_order_identifiers(c, &old, &dns, &ips);
		cm_strings_clear(&dns);
		cm_strings_clear(&ips);
		cm_order_identifiers(c, &cur, &dns, &ips);
		cm_strings_clear(&dns);
		cm_strings_clear(&ips);
	}
	cm_certificate_free(c);
	err_clear();
	return 0;
}
