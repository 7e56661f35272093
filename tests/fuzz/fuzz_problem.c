/* fuzz_problem.c - an ACME problem document (RFC 7807/8555 6.7), the body
 * of every error answer. Beyond crashes and leaks it checks what a hostile
 * CA must not get: the message and the subproblem lines main() prints hold
 * printable ASCII only, so no escape sequence or line break of the
 * server's reaches the terminal or splits the one-line error. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

/* True when s is NULL or holds printable ASCII only. */
static bool printable(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* Aborts, which libFuzzer reports as a crash with the input, when a
 * string that is printed is not printable. */
static void require_printable(const char *what, const char *s)
{
	if (!printable(s)) {
		fprintf(stderr, "fuzz_problem: %s holds a control or non-ASCII byte\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct problem *prob = problem_parse((const char *)data, size, 400);
	const struct problem *kept;

	if (prob != NULL) {
		(void)problem_is(prob, "badNonce");
		err_problem(prob, "fuzz");
		err_prefix("context");
		require_printable("the error message", err_message());
		kept = err_get_problem();
		for (size_t i = 0; i < kept->nsub; i++) {
			require_printable("a subproblem's identifier", kept->sub[i].id_value);
			require_printable("a subproblem's type", kept->sub[i].type);
			require_printable("a subproblem's detail", kept->sub[i].detail);
		}
	}
	err_clear();
	return 0;
}
