/* fuzz.h - what every libFuzzer target in tests/fuzz/ shares.
 *
 * Each fuzz_NAME.c defines LLVMFuzzerTestOneInput(), which feeds one input
 * to the parsers of one kind of outside input and frees everything it got
 * back, so that LeakSanitizer sees a leak as a leak. The targets never
 * write files or touch the network; run them with tests/fuzz/run.sh.
 */
#ifndef ACMECTL_FUZZ_H
#define ACMECTL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "err.h"
#include "util.h"

/* libFuzzer calls it once per input; it must return 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (a NUL inside ends it early, as it
 * would for a header value or a getenv() string). Caller frees. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	return xstrndup((const char *)data, size);
}

/* Cuts *rest at the next '\n' and returns the line before it; NULL once
 * the text is used up. Lets one input carry several fields. */
static inline char *fuzz_line(char **rest)
{
	char *line = *rest, *nl;

	if (line == NULL)
		return NULL;
	if ((nl = strchr(line, '\n')) != NULL) {
		*nl = '\0';
		*rest = nl + 1;
	} else
		*rest = NULL;
	return line;
}

#endif
