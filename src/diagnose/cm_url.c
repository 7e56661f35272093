/* cm_url.c - the URLs of an Issuer as Go's url.Parse (Go 1.19) reads them:
 * which ones it refuses and why, and cert-manager's InvalidURL view of
 * that (see certmanager.h). Pure.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certmanager.h"
#include "util.h"
#include "goprint.h"

enum mode { M_HOST, M_ZONE, M_USER, M_PATH, M_FRAGMENT };

static bool is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int unhex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* net/url's shouldEscape for the host and zone modes. */
static bool host_escapes(unsigned char c)
{
	if (is_alnum(c))
		return false;
	return strchr("!$&'()*+,;=:[]<>\"-_.~", c) == NULL || c == '\0';
}

/* net/url's unescape: only its errors matter here. s is n bytes. */
static char *unescape_error(const char *s, size_t n, enum mode mode)
{
	int v;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n || unhex((unsigned char)s[i + 1]) < 0 ||
			    unhex((unsigned char)s[i + 2]) < 0)
				return xasprintf("invalid URL escape \"%.*s\"",
				    (int)(n - i < 3 ? n - i : 3), s + i);
			/* in a host only non-ASCII bytes may be escaped, and
			 * %25 for an IPv6 zone */
			if (mode == M_HOST && unhex((unsigned char)s[i + 1]) < 8 &&
			    strncmp(s + i, "%25", 3) != 0)
				return xasprintf("invalid URL escape \"%.3s\"", s + i);
			v = unhex((unsigned char)s[i + 1]) << 4 | unhex((unsigned char)s[i + 2]);
			if (mode == M_ZONE && strncmp(s + i, "%25", 3) != 0 && v != ' ' &&
			    host_escapes((unsigned char)v))
				return xasprintf("invalid URL escape \"%.3s\"", s + i);
			i += 2;
		} else if ((mode == M_HOST || mode == M_ZONE) &&
		    (unsigned char)s[i] < 0x80 && host_escapes((unsigned char)s[i])) {
			return xasprintf("invalid character \"%c\" in host name", s[i]);
		}
	}
	return NULL;
}

static bool valid_optional_port(const char *p, size_t n)
{
	if (n == 0)
		return true;
	if (p[0] != ':')
		return false;
	for (size_t i = 1; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

/* net/url's parseHost. */
static char *host_error(const char *h, size_t n)
{
	const char *close = NULL, *zone = NULL, *colon = NULL;
	char *e;

	if (n > 0 && h[0] == '[') {
		for (const char *p = h; p < h + n; p++)
			if (*p == ']')
				close = p;
		if (close == NULL)
			return xstrdup("missing ']' in host");
		if (!valid_optional_port(close + 1, (size_t)(h + n - close - 1)))
			return xasprintf("invalid port \"%.*s\" after host",
			    (int)(h + n - close - 1), close + 1);
		for (const char *p = h; p + 2 < close && zone == NULL; p++)
			if (strncmp(p, "%25", 3) == 0)
				zone = p;
		if (zone != NULL) {
			if ((e = unescape_error(h, (size_t)(zone - h), M_HOST)) != NULL ||
			    (e = unescape_error(zone, (size_t)(close - zone), M_ZONE)) != NULL)
				return e;
			return unescape_error(close, (size_t)(h + n - close), M_HOST);
		}
	} else {
		for (const char *p = h; p < h + n; p++)
			if (*p == ':')
				colon = p;
		if (colon != NULL && !valid_optional_port(colon, (size_t)(h + n - colon)))
			return xasprintf("invalid port \"%.*s\" after host",
			    (int)(h + n - colon), colon);
	}
	return unescape_error(h, n, M_HOST);
}

/* net/url's parseAuthority. */
static char *authority_error(const char *a, size_t n)
{
	const char *at = NULL, *colon;
	char *e;

	for (const char *p = a; p < a + n; p++)
		if (*p == '@')
			at = p;
	if ((e = host_error(at != NULL ? at + 1 : a, at != NULL ? (size_t)(a + n - at - 1) :
	    n)) != NULL || at == NULL)
		return e;
	for (const char *p = a; p < at; p++)
		if (!is_alnum((unsigned char)*p) && strchr("-._:~!$&'()*+,;=%@", *p) == NULL)
			return xstrdup("net/url: invalid userinfo");
	colon = memchr(a, ':', (size_t)(at - a));
	if (colon == NULL)
		return unescape_error(a, (size_t)(at - a), M_USER);
	if ((e = unescape_error(a, (size_t)(colon - a), M_USER)) != NULL)
		return e;
	return unescape_error(colon + 1, (size_t)(at - colon - 1), M_USER);
}

/* The length of the valid UTF-8 sequence of a non-ASCII rune at p (no
 * overlong form, no surrogate, nothing above U+10FFFF) with the rune in
 * *rune, or 0 when p starts none: strconv.Quote writes such a byte as
 * \xNN. */
static size_t utf8_rune(const unsigned char *p, unsigned *rune)
{
	static const unsigned min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n = *p >= 0xf0 && *p <= 0xf4 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 ? 2 : 0;
	unsigned r;

	if (n == 0 || *p > 0xf4)
		return 0;
	r = *p & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		r = r << 6 | (p[i] & 0x3f);
	}
	if (r < min[n] || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
		return 0;
	*rune = r;
	return n;
}

/* strconv.IsPrint for a rune from U+0080 up: inside one of the ranges
 * Go's own tables give (goprint.h, generated by running Go). */
static bool go_is_print(unsigned rune)
{
	size_t lo = 0, hi = nitems(go_print_ranges);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rune < go_print_ranges[mid][0])
			hi = mid;
		else if (rune > go_print_ranges[mid][1])
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

char *cm_go_quote(const char *s)
{
	static const char named[] = "\a\b\t\n\v\f\r", letters[] = "abtnvfr";
	char *out = xmalloc(strlen(s) * 4 + 3), *o = out;
	const char *nm;
	unsigned rune;
	size_t n;

	*o++ = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			*o++ = '\\';
			*o++ = (char)*p;
		} else if ((nm = strchr(named, *p)) != NULL) {
			*o++ = '\\';
			*o++ = letters[nm - named];
		} else if (*p < 0x20 || *p == 0x7f) {
			o += sprintf(o, "\\x%02x", *p);
		} else if (*p < 0x7f) {
			*o++ = (char)*p;
		} else if ((n = utf8_rune(p, &rune)) == 0) {
			o += sprintf(o, "\\x%02x", *p);
		} else if (!go_is_print(rune)) {
			/* at most 6 bytes for 2 or 10 for 4: within the 4 a byte may take */
			o += sprintf(o, rune < 0x10000 ? "\\u%04x" : "\\U%08x", rune);
			p += n - 1;
		} else {
			memcpy(o, p, n);
			o += n;
			p += n - 1;
		}
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

/* url.Parse's error detail for url, or NULL; *whole says it is about the
 * fragment, for which Go quotes the whole URL, not the part before '#'. */
static char *parse_detail(const char *url, bool *whole)
{
	size_t n = strcspn(url, "#"), rest_n, i;
	const char *rest = url, *slash, *frag = url[n] == '#' ? url + n + 1 : NULL, *q;
	bool scheme = false;
	char *e;

	for (i = 0; i < n; i++)
		if ((unsigned char)url[i] < 0x20 || url[i] == 0x7f)
			return xstrdup("net/url: invalid control character in URL");
	if (n == 1 && url[0] == '*')
		return NULL;
	/* getScheme */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			continue;
		if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
			if (i == 0)
				break;
			continue;
		}
		if (c == ':') {
			if (i == 0)
				return xstrdup("missing protocol scheme");
			scheme = true;
			rest = url + i + 1;
		}
		break;
	}
	rest_n = (size_t)(url + n - rest);
	/* the query is not checked */
	q = memchr(rest, '?', rest_n);
	if (q != NULL)
		rest_n = (size_t)(q - rest);
	if (rest_n == 0 || rest[0] != '/') {
		if (scheme)
			goto fragment;  /* opaque: taken as is */
		slash = memchr(rest, '/', rest_n);
		if (memchr(rest, ':', slash != NULL ? (size_t)(slash - rest) : rest_n) != NULL)
			return xstrdup("first path segment in URL cannot contain colon");
	}
	if ((scheme || rest_n < 3 || strncmp(rest, "///", 3) != 0) && rest_n >= 2 &&
	    strncmp(rest, "//", 2) == 0) {
		slash = memchr(rest + 2, '/', rest_n - 2);
		if ((e = authority_error(rest + 2, slash != NULL ? (size_t)(slash - rest - 2) :
		    rest_n - 2)) != NULL)
			return e;
		rest_n -= slash != NULL ? (size_t)(slash - rest) : rest_n;
		rest = slash;
	}
	if (rest_n > 0 && (e = unescape_error(rest, rest_n, M_PATH)) != NULL)
		return e;
fragment:
	*whole = true;
	return frag != NULL ? unescape_error(frag, strlen(frag), M_FRAGMENT) : NULL;
}

char *cm_url_parse_error(const char *url)
{
	bool whole = false;
	char *detail = parse_detail(url, &whole), *part, *q, *s;

	if (detail == NULL)
		return NULL;
	part = whole ? xstrdup(url) : xstrndup(url, strcspn(url, "#"));
	q = cm_go_quote(part);
	s = xasprintf("parse %s: %s", q, detail);
	free(q);
	free(part);
	free(detail);
	return s;
}
void cm_view_invalid_url(const char *what, const char *url, const char *err,
    struct cm_view *out)
{
	char *q = cm_go_quote(url);

	memset(out, 0, sizeof(*out));
	out->status = "False";
	out->reason = "InvalidURL";
	out->condition_written = true;
	out->message = xasprintf("Failed to parse existing ACME %s URI %s: %s", what, q, err);
	free(q);
	out->events[0] = (struct cm_event){ "Warning", "InvalidURL", xstrdup(out->message) };
	out->nevents = 1;
}
