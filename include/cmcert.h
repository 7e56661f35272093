/* cmcert.h - a cert-manager Certificate manifest, and what cert-manager
 * checks and builds from it before it orders: the commonName check of the
 * ACME CertificateRequest controller and the Order's identifiers.
 *
 * The parser reads outside input (a file the user got from kubectl); the
 * checks are pure functions of the parsed record and the modelled release.
 */
#ifndef ACMECTL_CMCERT_H
#define ACMECTL_CMCERT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "certmanager.h"

/* A list of owned strings. */
struct cm_strings {
	char **v;
	size_t n;
};

/* A Certificate as `kubectl get certificate NAME -o yaml` prints it. Every
 * string is owned; NULL when the manifest does not set it unless a default
 * is noted. */
struct cm_certificate {
	char *name;                 /* metadata.name */
	char *namespace;            /* metadata.namespace */
	json_t *labels;             /* metadata.labels: an object (owned), {} when none */
	char *secret_name;          /* spec.secretName (required) */
	char *common_name;          /* spec.commonName */
	struct cm_strings dns_names;     /* spec.dnsNames, in the manifest's order */
	struct cm_strings ip_addresses;  /* spec.ipAddresses */
	struct cm_strings uris;          /* spec.uris */
	char *issuer_name;          /* spec.issuerRef.name (required) */
	char *issuer_kind;          /* spec.issuerRef.kind, default "Issuer" */
	char *issuer_group;         /* spec.issuerRef.group, default "cert-manager.io" */
	char *key_algorithm;        /* spec.privateKey.algorithm, default "RSA" */
	int key_size;               /* spec.privateKey.size, 0 when unset */
	char *key_encoding;         /* spec.privateKey.encoding, default "PKCS1" */
	char *rotation_policy;      /* spec.privateKey.rotationPolicy, NULL when unset */
	struct cm_strings email_addresses;  /* spec.emailAddresses */
	struct cm_strings usages;   /* spec.usages, as written (unknown ones kept) */
	bool is_ca;                 /* spec.isCA */
	int encode_usages;          /* spec.encodeUsagesInRequest: -1 unset, 0, 1 */
	char *literal_subject;      /* spec.literalSubject */
	/* spec.subject */
	struct cm_strings countries, provinces, localities, street_addresses, postal_codes,
	    organizations, organizational_units;
	char *serial_number;        /* spec.subject.serialNumber */
};

/* Finds the first Certificate among the YAML or JSON documents of text (the
 * items of a List count) and reads the fields above. Returns a new record
 * (cm_certificate_free()) or NULL with ERR_USAGE naming what: a syntax
 * error, no Certificate, a field missing or of the wrong type, a dnsName
 * or ipAddress no real one looks like, an unknown key algorithm or
 * encoding, a size that is not a number, a string with control
 * characters, a list longer than 100 or a value longer than 1024 bytes,
 * isCA or encodeUsagesInRequest not a boolean. Usages are kept as written:
 * an unknown one is cert-manager's webhook's to refuse (cmcsr.h). */
struct cm_certificate *cm_certificate_parse(const char *text, size_t len, const char *what);

/* Reads path (at most 1 MiB) and calls cm_certificate_parse(). */
struct cm_certificate *cm_certificate_load(const char *path);

/* Frees the record. NULL is fine. */
void cm_certificate_free(struct cm_certificate *c);

/* When the commonName is set and is neither among the dnsNames nor among
 * the ipAddresses, the message the ACME CertificateRequest controller puts
 * in the CertificateRequest's Ready condition (reason Failed, event
 * InvalidOrder), the same from v1.0 to v1.21: "The CSR PEM requests a
 * commonName that is not present ...: \"CN\" does not exist in [a b] or []".
 * NULL when the check passes. Caller frees. */
char *cm_cn_not_in_sans(const struct cm_certificate *c);

/* The identifiers of the Order version v sends: the dnsNames as a sorted
 * set, then the ipAddresses as a sorted set; the commonName joins the DNS
 * set up to v1.17.x, from v1.18.0 the IP set when it is an IP address, the
 * DNS set when it is a Kubernetes fully qualified domain name, else
 * nothing. Fills dns and ips (release with cm_strings_clear()). */
void cm_order_identifiers(const struct cm_certificate *c, const struct cm_version *v,
    struct cm_strings *dns, struct cm_strings *ips);

/* True when name is a fully qualified domain name as Kubernetes'
 * validation.IsFullyQualifiedDomainName accepts it: an RFC 1123 subdomain
 * (lower case) of at most 253 characters with at least two labels, an
 * optional trailing dot removed. */
bool cm_is_fqdn(const char *name);

/* Frees the strings of l and zeroes it. */
void cm_strings_clear(struct cm_strings *l);

#endif
