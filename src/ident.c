/* ident.c - ACME identifiers: which names we ask a CA for, and where their
 * certificate lives. Pure validation; rejecting here gives a clear local
 * message instead of a rejectedIdentifier round trip to the CA. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "ident.h"
#include "util.h"

#define NAME_MAX_LEN 253
#define LABEL_MAX_LEN 63

static int invalid(const char *, const char *, ...)
	__attribute__((format(printf, 2, 3)));

/* Records ERR_USAGE "invalid name "NAME": WHY" and returns -1. */
static int invalid(const char *name, const char *fmt, ...)
{
	va_list ap;
	char *shown = str_printable(name), *why;

	va_start(ap, fmt);
	why = xvasprintf(fmt, ap);
	va_end(ap);
	err_set(ERR_USAGE, "invalid name \"%s\": %s", shown, why);
	free(why);
	free(shown);
	return -1;
}

bool ident_is_ip(const char *s)
{
	struct in_addr v4;
	struct in6_addr v6;

	return inet_pton(AF_INET, s, &v4) == 1 || inet_pton(AF_INET6, s, &v6) == 1;
}

static bool is_ldh(unsigned char c)
{
	return isascii(c) && (isalnum(c) || c == '-');
}

/* Checks one label of len characters at p (already known to be LDH). */
static int check_label(const char *name, const char *p, size_t len)
{
	char label[LABEL_MAX_LEN + 1];
	size_t i;
	bool digits = true;

	if (len == 0)
		return invalid(name, "empty label");
	if (len > LABEL_MAX_LEN)
		return invalid(name, "label longer than 63 characters");
	memcpy(label, p, len);
	label[len] = '\0';
	if (label[0] == '-' || label[len - 1] == '-')
		return invalid(name, "label \"%s\" begins or ends with a hyphen", label);
	/* RFC 5891 5.4: "??--" is reserved for A-labels; CAs refuse the rest. */
	if (len >= 4 && label[2] == '-' && label[3] == '-' &&
	    strncasecmp(label, "xn", 2) != 0)
		return invalid(name, "label \"%s\" has \"--\" in positions 3-4 but is "
		    "not an xn-- A-label", label);
	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)label[i]))
			digits = false;
	/* Only the last label is checked: "1.2.3.999" is neither an IP
	 * address nor a host name (RFC 3696 section 2). */
	if (digits && p[len] == '\0')
		return invalid(name, "not an IP address, and a top-level label "
		    "cannot be all digits");
	return 0;
}

int ident_validate(const char *name)
{
	const char *p, *label, *dns;
	size_t len;

	if (name[0] == '\0')
		return invalid(name, "empty name");
	if (ident_is_ip(name))
		return 0;
	len = strlen(name);
	if (len > NAME_MAX_LEN)
		return invalid(name, "longer than 253 characters");
	for (p = name; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (!isascii(c))
			return invalid(name, "non-ASCII characters not allowed "
			    "(give internationalized names as xn-- A-labels)");
		if (c == '*' || c == '.' || is_ldh(c))
			continue;
		if (!isprint(c))
			return invalid(name, "control character not allowed");
		return invalid(name, "character '%c' not allowed", c);
	}
	if (name[len - 1] == '.')
		return invalid(name, "trailing dot not allowed");

	dns = name;
	if (strncmp(name, "*.", 2) == 0)
		dns = name + 2;
	if (strcmp(name, "*") == 0)
		return invalid(name, "a wildcard needs a domain after \"*.\"");
	if (strchr(dns, '*') != NULL)
		return invalid(name, "'*' must be the whole leftmost label");

	for (label = dns;; label = p + 1) {
		p = strchr(label, '.');
		if (p == NULL)
			p = label + strlen(label);
		if (check_label(name, label, (size_t)(p - label)) == -1)
			return -1;
		if (*p == '\0')
			break;
	}
	return 0;
}

const char *ident_type(const char *name)
{
	return ident_is_ip(name) ? "ip" : "dns";
}

char *ident_normalize(const char *name)
{
	struct in_addr v4;
	struct in6_addr v6;
	char buf[INET6_ADDRSTRLEN], *out, *p;

	if (inet_pton(AF_INET, name, &v4) == 1 &&
	    inet_ntop(AF_INET, &v4, buf, sizeof(buf)) != NULL)
		return xstrdup(buf);
	if (inet_pton(AF_INET6, name, &v6) == 1 &&
	    inet_ntop(AF_INET6, &v6, buf, sizeof(buf)) != NULL)
		return xstrdup(buf);
	out = xstrdup(name);
	for (p = out; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

char *ident_cert_name(const char *first_name)
{
	char *norm = ident_normalize(first_name), *out, *p;

	out = xstrdup(strncmp(norm, "*.", 2) == 0 ? norm + 2 : norm);
	free(norm);
	for (p = out; *p != '\0'; p++)
		if (*p == ':')
			*p = '-';
	return out;
}
