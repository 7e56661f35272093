/* fuzz_problem.c - an ACME problem document (RFC 7807/8555 6.7), the body
 * of every error answer. Beyond crashes and leaks it checks what a hostile
 * CA must not get: the message and the subproblem lines main() prints hold
 * printable text only (ASCII, and UTF-8 that draws something), so no
 * escape sequence, line break or bidi override of the server's reaches
 * the terminal or splits the one-line error. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

/* The length of the valid UTF-8 sequence at s holding a printable code
 * point (no C0 or C1 control, no bidi override or isolate, no surrogate,
 * not overlong), or 0. */
static size_t printable_utf8(const unsigned char *s)
{
	unsigned long cp;
	size_t n, i;

	if (s[0] >= 0x20 && s[0] < 0x7f)
		return 1;
	n = s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (n == 0 || s[0] >= 0xf5)
		return 0;
	cp = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f) ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return 0;
	return n;
}

/* True when s is NULL or holds printable text only: ASCII, and UTF-8
 * whose code points draw something (str_sanitize() keeps those). */
static bool printable(const char *s)
{
	size_t n;

	for (; s != NULL && *s != '\0'; s += n)
		if ((n = printable_utf8((const unsigned char *)s)) == 0)
			return false;
	return true;
}

/* Aborts, which libFuzzer reports as a crash with the input, when a
 * string that is printed is not printable. */
static void require_printable(const char *what, const char *s)
{
	if (!printable(s)) {
		fprintf(stderr, "fuzz_problem: %s holds a control character or invalid UTF-8\n", what);
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
