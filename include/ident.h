/* ident.h - ACME identifiers: validation of names given on the command line
 * and the certificate directory name derived from them. Pure, no I/O. */
#ifndef ACMECTL_IDENT_H
#define ACMECTL_IDENT_H

#include <stdbool.h>
#include <stddef.h>

/* True when s is an IPv4 or IPv6 literal (RFC 8738 identifier type "ip"). */
bool ident_is_ip(const char *s);

/* Checks one name: an IP literal, or a DNS name of 1..253 characters whose
 * labels are 1..63 of [a-z0-9-] (case-insensitive, no leading or trailing
 * hyphen), with at most one "*" which must be the whole leftmost label, and
 * no trailing dot. Returns 0, or -1 with ERR_USAGE naming the name and what is
 * wrong with it (e.g. "invalid name \"a..b\": empty label"). */
int ident_validate(const char *name);

/* "ip" or "dns" for a valid name. Static string. */
const char *ident_type(const char *name);

/* Normalised form of a valid name: lowercased DNS name, or the canonical text
 * of an IP address (inet_ntop of its parsed form). Caller frees. */
char *ident_normalize(const char *name);

/* The directory name a certificate for these names is stored under: the first
 * name, with a leading "*." removed ("*.example.org" -> "example.org") and
 * ':' in IPv6 literals replaced by '-'. Caller frees. */
char *ident_cert_name(const char *first_name);

#endif
