/* acmectl_quote.c - cm_go_quote() of each string go_quote.go wrote, in the
 * same form, so go-quote.sh can compare the two outputs byte for byte.
 *
 * Usage: acmectl_quote < GO-LINES > LINES
 *
 * Reads lines "HEX<TAB>anything" and writes "HEX<TAB>QUOTED", QUOTED what
 * cm_go_quote() makes of the bytes HEX spells. Exits 1 on a line it
 * cannot read.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "certmanager.h"
#include "util.h"

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes the n hex digits at hex into a NUL-terminated string; NULL when
 * a digit is not lowercase hex, n is odd or a byte is NUL. Caller frees. */
static char *decode(const char *hex, size_t n)
{
	char *s;

	if (n % 2 != 0)
		return NULL;
	s = xmalloc(n / 2 + 1);
	for (size_t i = 0; i < n; i += 2) {
		int hi = unhex(hex[i]), lo = unhex(hex[i + 1]);

		if (hi < 0 || lo < 0 || (hi | lo) == 0) {
			free(s);
			return NULL;
		}
		s[i / 2] = (char)(hi << 4 | lo);
	}
	s[n / 2] = '\0';
	return s;
}

int main(void)
{
	char *line = NULL, *in, *q;
	size_t cap = 0, n, lineno = 0;
	int rc = 0;

	while (getline(&line, &cap, stdin) != -1) {
		lineno++;
		n = strcspn(line, "\t\n");
		if ((in = decode(line, n)) == NULL) {
			fprintf(stderr, "acmectl_quote: line %zu: no hex string before the tab\n",
			    lineno);
			rc = 1;
			break;
		}
		q = cm_go_quote(in);
		printf("%.*s\t%s\n", (int)n, line, q);
		free(q);
		free(in);
	}
	free(line);
	return rc;
}
