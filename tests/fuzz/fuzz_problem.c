/* fuzz_problem.c - an ACME problem document (RFC 7807/8555 6.7), the body
 * of every error answer, parsed and then reported as main() would. */
#include "config.h"

#include <stdio.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct problem *prob = problem_parse((const char *)data, size, 400);

	if (prob != NULL) {
		(void)problem_short_type(prob);
		(void)problem_is(prob, "badNonce");
		err_problem(prob, "fuzz");
		err_prefix("context");
	}
	err_clear();
	return 0;
}
