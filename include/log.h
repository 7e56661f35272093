/* log.h - leveled diagnostics on stderr.
 *
 * Levels: 0 quiet (-q), 1 normal, 2 verbose (-v), 3 debug (-vv).
 * Errors are not logged here: they go through err.h and are printed once.
 */
#ifndef ACMECTL_LOG_H
#define ACMECTL_LOG_H

extern int log_level;

/* Prints "acmectl: ..." + newline to stderr when log_level >= level, the
 * text sanitized (str_sanitize_cap): one line, whatever it quotes. */
void logmsg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define LOG_NORMAL 1
#define LOG_VERBOSE 2
#define LOG_DEBUG 3

#endif
