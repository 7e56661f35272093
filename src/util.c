/* util.c - allocation helpers that never return NULL. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>

#include "util.h"

void oom(void)
{
	fputs("acmectl: out of memory\n", stderr);
	exit(4);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom();
	return q;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		oom();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		oom();
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

char *str_printable(const char *s)
{
	char *out = xmalloc(4 * strlen(s) + 1), *o = out;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f)
			*o++ = (char)c;
		else
			o += sprintf(o, "\\x%02x", c);
	}
	*o = '\0';
	return out;
}

/* The length of the valid UTF-8 sequence at s (len bytes left) and its
 * code point in *cp; 0 when the bytes there are not one (overlong forms,
 * surrogates, beyond U+10FFFF, cut short). */
static size_t utf8_char(const unsigned char *s, size_t len, unsigned long *cp)
{
	static const unsigned long min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n = s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (n == 0 || s[0] >= 0xf5 || n > len)
		return 0;
	*cp = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if (*cp < min[n] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

bool str_is_utf8(const char *s)
{
	size_t len = strlen(s), n;
	unsigned long cp;

	for (size_t i = 0; i < len; i += n)
		if ((n = utf8_char((const unsigned char *)s + i, len - i, &cp)) == 0)
			return false;
	return true;
}

/* True for what must not reach a terminal as it is: C0 and C1 controls,
 * DEL, and the bidirectional controls that reorder the text shown. */
static bool is_hidden(unsigned long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

char *str_sanitize_cap(const void *data, size_t len, size_t cap)
{
	static const char ellipsis[] = "\xe2\x80\xa6";
	const unsigned char *s = data;
	char *out = xmalloc(cap + sizeof(ellipsis)), piece[16];
	size_t used = 0, i = 0, n, plen;
	unsigned long cp;

	while (i < len) {
		n = utf8_char(s + i, len - i, &cp);
		if (n == 0)
			plen = (size_t)snprintf(piece, sizeof(piece), "\\x%02x", s[i]);
		else if (cp == '\n' || cp == '\r' || cp == '\t')
			plen = (size_t)snprintf(piece, sizeof(piece), "\\%c",
			    cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't');
		else if (is_hidden(cp) && cp < 0x80)
			plen = (size_t)snprintf(piece, sizeof(piece), "\\x%02lx", cp);
		else if (is_hidden(cp))
			plen = (size_t)snprintf(piece, sizeof(piece), "\\u%04lx", cp);
		else
			memcpy(piece, s + i, plen = n);
		if (used + plen > cap) {
			memcpy(out + used, ellipsis, sizeof(ellipsis));
			return out;
		}
		memcpy(out + used, piece, plen);
		used += plen;
		i += n ? n : 1;
	}
	out[used] = '\0';
	return out;
}

char *str_sanitize_mem(const void *data, size_t len)
{
	return str_sanitize_cap(data, len, SANITIZE_MAX);
}

char *str_sanitize(const char *s)
{
	return str_sanitize_mem(s, strlen(s));
}

int write_full(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

char *str_join(const char *const *v, size_t n, const char *sep)
{
	size_t len = 1, i;
	char *s;

	for (i = 0; i < n; i++)
		len += strlen(v[i]) + strlen(sep);
	s = xmalloc(len);
	s[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(s, sep);
		strcat(s, v[i]);
	}
	return s;
}

/* The text json_xdumps builds: its bytes so far and their room. */
struct dump_buf {
	char *s;
	size_t len, size;
};

/* Appends one piece jansson hands over; never fails (xrealloc). */
static int dump_append(const char *piece, size_t len, void *arg)
{
	struct dump_buf *b = arg;

	if (b->len + len + 1 > b->size) {
		b->size = (b->len + len + 1) * 2;
		b->s = xrealloc(b->s, b->size);
	}
	memcpy(b->s + b->len, piece, len);
	b->len += len;
	b->s[b->len] = '\0';
	return 0;
}

char *json_xdumps(const json_t *doc, size_t flags)
{
	struct dump_buf b = { xstrdup(""), 0, 1 };

	if (json_dump_callback(doc, dump_append, &b, flags) != 0)
		oom();
	return b.s;
}

void json_print(const json_t *doc)
{
	json_dumpf(doc, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
}

long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sleep_ms(long long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	if (ms <= 0)
		return;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}
