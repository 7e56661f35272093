/* hdr.c - parsing of the HTTP header values ACME relies on (RFC 9110,
 * RFC 8288). Pure functions: no I/O, no err record. */
#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hdr.h"
#include "util.h"

/* RFC 9110 section 1.2.2: a delta-seconds value that cannot be represented
 * is taken as 2^31. */
#define DELTA_SECONDS_MAX 2147483648LL

static const char *const day_short[7] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};
static const char *const day_long[7] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
};
static const char *const month_names[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_ows(const char *p)
{
	while (is_ows(*p))
		p++;
	return p;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 9110 section 5.6.2 tchar. */
static bool is_tchar(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Consumes exactly n digits at *pp into *out. */
static bool take_digits(const char **pp, int n, int *out)
{
	const char *p = *pp;
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*pp = p + n;
	*out = v;
	return true;
}

/* Consumes the literal s (case-insensitive, as names arrive from servers
 * in varying case). */
static bool take_word(const char **pp, const char *s)
{
	size_t n = strlen(s);

	if (strncasecmp(*pp, s, n) != 0)
		return false;
	*pp += n;
	return true;
}

static bool take_char(const char **pp, char c)
{
	if (**pp != c)
		return false;
	(*pp)++;
	return true;
}

/* Consumes one name from a table of n; true when one matched. Longer names
 * never share a prefix with a shorter one in the same table, so the first
 * match is the only one. */
static bool take_name(const char **pp, const char *const *names, int n, int *idx)
{
	int i;

	for (i = 0; i < n; i++) {
		if (take_word(pp, names[i])) {
			*idx = i;
			return true;
		}
	}
	return false;
}

/* "HH:MM:SS" (RFC 9110 time-of-day; 60 allows a leap second). */
static bool take_time(const char **pp, int *h, int *m, int *s)
{
	return take_digits(pp, 2, h) && take_char(pp, ':') &&
	    take_digits(pp, 2, m) && take_char(pp, ':') &&
	    take_digits(pp, 2, s) && *h <= 23 && *m <= 59 && *s <= 60;
}

static bool is_leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(long long y, int mon)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return mon == 1 && is_leap(y) ? 29 : mdays[mon];
}

/* Days from 1970-01-01 to y-m-d (m 1..12), proleptic Gregorian; the
 * civil-from-days inverse by H. Hinnant, so no timegm()/TZ dependency. */
static long long days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Parses an HTTP-date (RFC 9110 section 5.6.7) in any of its three forms
 * into seconds since the epoch. The whole string must be consumed. */
static bool parse_http_date(const char *p, time_t now, long long *when)
{
	int wday, mday, mon, year, h, m, s;
	long long y, cur;
	struct tm tm;

	if (take_name(&p, day_long, 7, &wday)) {
		/* rfc850-date: Sunday, 06-Nov-94 08:49:37 GMT */
		if (!take_char(&p, ',') || !take_char(&p, ' ') ||
		    !take_digits(&p, 2, &mday) || !take_char(&p, '-') ||
		    !take_name(&p, month_names, 12, &mon) || !take_char(&p, '-') ||
		    !take_digits(&p, 2, &year) || !take_char(&p, ' ') ||
		    !take_time(&p, &h, &m, &s) || !take_char(&p, ' ') ||
		    !take_word(&p, "GMT"))
			return false;
		/* A two-digit year more than 50 years ahead means the most
		 * recent past year with those digits (RFC 9110 5.6.7). */
		if (gmtime_r(&now, &tm) == NULL)
			return false;
		cur = (long long)tm.tm_year + 1900;
		y = cur - cur % 100 + year;
		if (y > cur + 50)
			y -= 100;
	} else if (take_name(&p, day_short, 7, &wday)) {
		if (take_char(&p, ',')) {
			/* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
			if (!take_char(&p, ' ') || !take_digits(&p, 2, &mday) ||
			    !take_char(&p, ' ') ||
			    !take_name(&p, month_names, 12, &mon) ||
			    !take_char(&p, ' ') || !take_digits(&p, 4, &year) ||
			    !take_char(&p, ' ') || !take_time(&p, &h, &m, &s) ||
			    !take_char(&p, ' ') || !take_word(&p, "GMT"))
				return false;
		} else {
			/* asctime-date: Sun Nov  6 08:49:37 1994 */
			if (!take_char(&p, ' ') ||
			    !take_name(&p, month_names, 12, &mon) ||
			    !take_char(&p, ' '))
				return false;
			if (take_char(&p, ' ')) {
				if (!take_digits(&p, 1, &mday))
					return false;
			} else if (!take_digits(&p, 2, &mday))
				return false;
			if (!take_char(&p, ' ') || !take_time(&p, &h, &m, &s) ||
			    !take_char(&p, ' ') || !take_digits(&p, 4, &year))
				return false;
		}
		y = year;
	} else
		return false;

	if (*skip_ows(p) != '\0')
		return false;
	if (mday < 1 || mday > days_in_month(y, mon))
		return false;
	*when = days_from_civil(y, mon + 1, mday) * 86400 +
	    h * 3600LL + m * 60LL + s;
	return true;
}

int hdr_retry_after(const char *value, time_t now, long *seconds)
{
	const char *p;
	long long delta, when;

	if (value == NULL)
		return -1;
	p = skip_ows(value);
	if (is_digit(*p)) {
		delta = 0;
		for (; is_digit(*p); p++) {
			if (delta < DELTA_SECONDS_MAX)
				delta = delta * 10 + (*p - '0');
		}
		if (*skip_ows(p) != '\0')
			return -1;
		if (delta > DELTA_SECONDS_MAX)
			delta = DELTA_SECONDS_MAX;
	} else {
		if (!parse_http_date(p, now, &when))
			return -1;
		delta = when > (long long)now ? when - (long long)now : 0;
	}
	if (delta > LONG_MAX)
		delta = LONG_MAX;
	*seconds = (long)delta;
	return 0;
}

/* Appends a copy of s[0..n) to the NULL-terminated array *v of *len items. */
static void strv_push(char ***v, size_t *len, const char *s, size_t n)
{
	*v = xrealloc(*v, (*len + 2) * sizeof(**v));
	(*v)[(*len)++] = xstrndup(s, n);
	(*v)[*len] = NULL;
}

/* True when the space-separated relation types in rels[0..n) include rel
 * (relation types compare case-insensitively, RFC 8288 section 2.1.1). */
static bool rel_list_has(const char *rels, size_t n, const char *rel)
{
	size_t i = 0, start, want = strlen(rel);

	while (i < n) {
		while (i < n && (rels[i] == ' ' || rels[i] == '\t'))
			i++;
		start = i;
		while (i < n && rels[i] != ' ' && rels[i] != '\t')
			i++;
		if (i - start == want && want > 0 &&
		    strncasecmp(rels + start, rel, want) == 0)
			return true;
	}
	return false;
}

/* Skips to the ',' ending a malformed link-value, stepping over <...> and
 * quoted strings so a comma inside them does not count. */
static const char *skip_link_value(const char *p)
{
	while (*p != '\0' && *p != ',') {
		if (*p == '<') {
			p = strchr(p, '>');
			if (p == NULL)
				return "";
			p++;
		} else if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
			}
			if (*p == '"')
				p++;
		} else
			p++;
	}
	return p;
}

/* Parses one Link header value (a #link-value list), appending to *out each
 * target whose first rel parameter lists rel. */
static void links_in_value(const char *p, const char *rel, char ***out, size_t *len)
{
	const char *uri, *name, *val;
	size_t uri_len, name_len, val_len;
	char *unq;
	bool matched, seen_rel, bad;

	for (;;) {
		while (is_ows(*p) || *p == ',')
			p++;
		if (*p == '\0')
			return;
		if (*p != '<') {
			p = skip_link_value(p);
			continue;
		}
		uri = p + 1;
		p = strchr(uri, '>');
		if (p == NULL)
			return;
		uri_len = (size_t)(p - uri);
		p++;
		matched = seen_rel = bad = false;
		for (;;) {
			p = skip_ows(p);
			if (*p != ';')
				break;
			p = skip_ows(p + 1);
			name = p;
			while (is_tchar(*p))
				p++;
			name_len = (size_t)(p - name);
			if (name_len == 0) {
				bad = true;
				break;
			}
			p = skip_ows(p);
			val = "";
			val_len = 0;
			unq = NULL;
			if (*p == '=') {
				p = skip_ows(p + 1);
				if (*p == '"') {
					const char *q = p + 1;
					size_t k = 0;

					/* sized by this string alone: strlen(p) would
					 * read the rest of a long value each time */
					while (*q != '\0' && *q != '"')
						q += q[0] == '\\' && q[1] != '\0' ? 2 : 1;
					unq = xmalloc((size_t)(q - p));
					for (p++; *p != '\0' && *p != '"'; p++) {
						if (*p == '\\' && p[1] != '\0')
							p++;
						unq[k++] = *p;
					}
					unq[k] = '\0';
					if (*p != '"') {
						free(unq);
						return;
					}
					p++;
					val = unq;
					val_len = k;
				} else {
					val = p;
					while (is_tchar(*p))
						p++;
					val_len = (size_t)(p - val);
				}
			}
			/* Only the first rel counts (RFC 8288 section 3.3). */
			if (!seen_rel && name_len == 3 &&
			    strncasecmp(name, "rel", 3) == 0) {
				seen_rel = true;
				matched = rel_list_has(val, val_len, rel);
			}
			free(unq);
		}
		if (bad || (*p != ',' && *p != '\0')) {
			p = skip_link_value(p);
			continue;
		}
		if (matched)
			strv_push(out, len, uri, uri_len);
	}
}

char **hdr_links(const char *const *values, const char *rel)
{
	char **out;
	size_t len = 0, i;

	out = xcalloc(1, sizeof(*out));
	if (values == NULL || rel == NULL)
		return out;
	for (i = 0; values[i] != NULL; i++)
		links_in_value(values[i], rel, &out, &len);
	return out;
}

bool hdr_content_type_is(const char *value, const char *mt)
{
	const char *p, *end;
	size_t n;

	if (value == NULL || mt == NULL)
		return false;
	p = skip_ows(value);
	end = p;
	while (*end != '\0' && *end != ';' && !is_ows(*end))
		end++;
	n = strlen(mt);
	if ((size_t)(end - p) != n || n == 0 || strncasecmp(p, mt, n) != 0)
		return false;
	end = skip_ows(end);
	return *end == '\0' || *end == ';';
}
