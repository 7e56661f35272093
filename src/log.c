/* log.c - leveled diagnostics on stderr. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "log.h"

int log_level = LOG_NORMAL;

void logmsg(int level, const char *fmt, ...)
{
	va_list ap;

	if (log_level < level)
		return;
	va_start(ap, fmt);
	fputs("acmectl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
