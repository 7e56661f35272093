/* hdr.h - parsing of HTTP header values ACME relies on. Pure, no I/O. */
#ifndef ACMECTL_HDR_H
#define ACMECTL_HDR_H

#include <stdbool.h>
#include <time.h>

/* Parses a Retry-After value (RFC 9110 10.2.3): delta-seconds, or an
 * HTTP-date (IMF-fixdate, and the obsolete RFC 850 and asctime forms) taken
 * relative to now. Stores the wait in seconds (0 when the date is past) in
 * *seconds. Returns 0, or -1 when the value is not a valid Retry-After
 * (records nothing in err). */
int hdr_retry_after(const char *value, time_t now, long *seconds);

/* Finds, in one or more Link header values (RFC 8288) joined by ", " or given
 * separately, every URI reference whose rel parameter contains rel (e.g.
 * "up", "alternate", "index"), in one pass over the values. Returns a
 * NULL-terminated array of new strings (caller strv_free()s; empty array
 * when none). Never NULL. */
char **hdr_links(const char *const *values, const char *rel);

/* True when a Content-Type value names the media type mt (case-insensitive,
 * parameters such as "; charset=utf-8" ignored). */
bool hdr_content_type_is(const char *value, const char *mt);

#endif
