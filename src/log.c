/* log.c - leveled diagnostics on stderr. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

/* A line may quote a server's words (each already cut to SANITIZE_MAX);
 * this bounds the whole line. */
#define LINE_MAX_BYTES 4096

int log_level = LOG_NORMAL;

void logmsg(int level, const char *fmt, ...)
{
	va_list ap;
	char *line, *safe;

	if (log_level < level)
		return;
	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	/* one line each, whatever a server put into the text */
	safe = str_sanitize_cap(line, strlen(line), LINE_MAX_BYTES);
	fprintf(stderr, "acmectl: %s\n", safe);
	free(safe);
	free(line);
}
