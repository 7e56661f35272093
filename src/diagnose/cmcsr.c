/* cmcsr.c - the CSR a cert-manager release builds from a Certificate, and
 * what refuses the Certificate's CSR fields first (see cmcsr.h). */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "b64url.h"
#include "certmanager.h"
#include "cmcsr.h"
#include "err.h"
#include "util.h"

static const struct cm_version v1_1 = { 1, 1, 0 }, v1_9 = { 1, 9, 0 },
    v1_11 = { 1, 11, 0 }, v1_13 = { 1, 13, 0 }, v1_14 = { 1, 14, 0 },
    v1_15 = { 1, 15, 0 }, v1_16 = { 1, 16, 0 };

static bool since(const struct cm_version *v, const struct cm_version *first)
{
	return cm_version_cmp(v, first) >= 0;
}

void cm_csr_gates_default(const struct cm_version *v, struct cm_csr_gates *g)
{
	g->literal_subject = since(v, &v1_15);
	g->basic_constraints = false;
}

/* spec.usages: the KeyUsage bit (Go's x509.KeyUsage order, which is the
 * BIT STRING's) or the ExtKeyUsage OID of each word (pkg/api/util/usages.go). */
static const struct {
	const char *word;
	int bit;                    /* -1: an extended usage */
	const char *oid;
} usages[] = {
	{ "signing", 0, NULL }, { "digital signature", 0, NULL },
	{ "content commitment", 1, NULL }, { "key encipherment", 2, NULL },
	{ "key agreement", 4, NULL }, { "data encipherment", 3, NULL },
	{ "cert sign", 5, NULL }, { "crl sign", 6, NULL },
	{ "encipher only", 7, NULL }, { "decipher only", 8, NULL },
	{ "any", -1, "2.5.29.37.0" }, { "server auth", -1, "1.3.6.1.5.5.7.3.1" },
	{ "client auth", -1, "1.3.6.1.5.5.7.3.2" }, { "code signing", -1, "1.3.6.1.5.5.7.3.3" },
	{ "email protection", -1, "1.3.6.1.5.5.7.3.4" }, { "s/mime", -1, "1.3.6.1.5.5.7.3.4" },
	{ "ipsec end system", -1, "1.3.6.1.5.5.7.3.5" },
	{ "ipsec tunnel", -1, "1.3.6.1.5.5.7.3.6" }, { "ipsec user", -1, "1.3.6.1.5.5.7.3.7" },
	{ "timestamping", -1, "1.3.6.1.5.5.7.3.8" }, { "ocsp signing", -1, "1.3.6.1.5.5.7.3.9" },
	{ "microsoft sgc", -1, "1.3.6.1.4.1.311.10.3.3" },
	{ "netscape sgc", -1, "2.16.840.1.113730.4.1" },
};

static int usage_index(const char *word)
{
	for (size_t i = 0; i < nitems(usages); i++)
		if (strcmp(usages[i].word, word) == 0)
			return (int)i;
	return -1;
}

/* The CRD's enum of usages as the API server lists it: "a", "b", ... */
static char *usage_enum(void)
{
	char *s = xstrdup(""), *next;

	for (size_t i = 0; i < nitems(usages); i++) {
		next = xasprintf("%s%s\"%s\"", s, i > 0 ? ", " : "", usages[i].word);
		free(s);
		s = next;
	}
	return s;
}

/* Appends one field error to the list *acc (", "-joined). */
static void add_error(char **acc, size_t *n, char *error)
{
	char *next = xasprintf("%s%s%s", *acc, *n > 0 ? ", " : "", error);

	free(*acc);
	free(error);
	*acc = next;
	(*n)++;
}

char *cm_csr_refusal(const struct cm_certificate *c, const struct cm_version *v,
    const struct cm_csr_gates *g, const char **who)
{
	char *errors = xstrdup(""), *q, *list, *out;
	size_t n = 0;

	for (size_t i = 0; i < c->usages.n; i++) {
		if (usage_index(c->usages.v[i]) >= 0)
			continue;
		q = cm_go_quote(c->usages.v[i]);
		list = usage_enum();
		add_error(&errors, &n, xasprintf("spec.usages[%zu]: Unsupported value: %s: "
		    "supported values: %s", i, q, list));
		free(q);
		free(list);
	}
	if (n > 0) {
		*who = "api-server";
		goto out;
	}
	if (c->literal_subject != NULL && c->literal_subject[0] != '\0' && since(v, &v1_9)) {
		if (!g->literal_subject)
			add_error(&errors, &n, xstrdup("spec.literalSubject: Forbidden: Feature gate "
			    "LiteralCertificateSubject must be enabled on both webhook and controller "
			    "to use the alpha `literalSubject` field"));
		if (c->common_name != NULL && c->common_name[0] != '\0') {
			q = cm_go_quote(c->common_name);
			add_error(&errors, &n, xasprintf("spec.commonName: Invalid value: %s: When "
			    "providing a `LiteralSubject` no `commonName` may be provided.", q));
			free(q);
		}
	}
	*who = "webhook";
out:
	if (n == 0) {
		free(errors);
		*who = NULL;
		return NULL;
	}
	/* a field.ErrorList of more than one prints as "[a, b]" */
	out = n > 1 ? xasprintf("[%s]", errors) : xstrdup(errors);
	free(errors);
	return out;
}

/*
 * The subject.
 */

/* Go's encoding/asn1 PrintableString test for a string without an explicit
 * type ('*' and '&' rejected, as Marshal does); else UTF8String. */
static int go_string_type(const char *s)
{
	static const char extra[] = " '()+,-./:=?";

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (!(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z') &&
		    !(ch >= '0' && ch <= '9') && strchr(extra, ch) == NULL)
			return V_ASN1_UTF8STRING;
	}
	return V_ASN1_PRINTABLESTRING;
}

/* Adds value as an attribute of type obj: a new RDN, or one more value of
 * the last one when same_rdn. The value goes in as the bytes of a string
 * type named outright, which OpenSSL neither converts nor checks: a failure
 * can only be one to allocate. */
static void add_atv(X509_NAME *name, const ASN1_OBJECT *obj, const char *value, bool same_rdn)
{
	if (X509_NAME_add_entry_by_OBJ(name, obj, go_string_type(value),
	    (const unsigned char *)value, (int)strlen(value), -1, same_rdn ? -1 : 0) != 1)
		oom();
}

/* A list as Go's pkix.Name appends it: one RDN holding every value. */
static void add_list(X509_NAME *name, int nid, const struct cm_strings *l)
{
	ASN1_OBJECT *obj = OBJ_nid2obj(nid);

	for (size_t i = 0; i < l->n; i++)
		add_atv(name, obj, l->v[i], i > 0);
}

/* spec.subject and commonName in the order of Go's Name.ToRDNSequence. */
static void subject_from_spec(X509_NAME *name, const struct cm_certificate *c)
{
	char *cn_value = c->common_name, *sn_value = c->serial_number;
	struct cm_strings cn = { &cn_value, 1 }, sn = { &sn_value, 1 };

	add_list(name, NID_countryName, &c->countries);
	add_list(name, NID_stateOrProvinceName, &c->provinces);
	add_list(name, NID_localityName, &c->localities);
	add_list(name, NID_streetAddress, &c->street_addresses);
	add_list(name, NID_postalCode, &c->postal_codes);
	add_list(name, NID_organizationName, &c->organizations);
	add_list(name, NID_organizationalUnitName, &c->organizational_units);
	if (c->common_name != NULL && c->common_name[0] != '\0')
		add_list(name, NID_commonName, &cn);
	if (c->serial_number != NULL && c->serial_number[0] != '\0')
		add_list(name, NID_serialNumber, &sn);
}

/* The attribute names cert-manager's literalSubject knows
 * (pkg/util/pki/subject.go), matched as written. */
static const struct {
	const char *type;
	const char *oid;
} literal_types[] = {
	{ "C", "2.5.4.6" }, { "O", "2.5.4.10" }, { "OU", "2.5.4.11" }, { "CN", "2.5.4.3" },
	{ "SERIALNUMBER", "2.5.4.5" }, { "L", "2.5.4.7" }, { "ST", "2.5.4.8" },
	{ "STREET", "2.5.4.9" }, { "DC", "0.9.2342.19200300.100.1.25" },
	{ "UID", "0.9.2342.19200300.100.1.1" },
};

/* s with the spaces at both ends removed, in place. */
static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (*s == ' ')
		s++;
	while (end > s && end[-1] == ' ')
		*--end = '\0';
	return s;
}

static bool is_dotted_oid(const char *s)
{
	return s[0] >= '0' && s[0] <= '9' && strchr(s, '.') != NULL &&
	    strspn(s, "0123456789.") == strlen(s) && strstr(s, "..") == NULL &&
	    s[strlen(s) - 1] != '.';
}

/* True when the dotted OID s has arcs DER can encode (X.690 8.19.4): the
 * first 0, 1 or 2, and below 40 the second under 0 or 1. */
static bool oid_arcs_encodable(const char *s)
{
	unsigned long first = strtoul(s, NULL, 10), second;

	if (first > 2)
		return false;
	second = strtoul(strchr(s, '.') + 1, NULL, 10);
	return first == 2 || second < 40;
}

/* The OID of one literalSubject type, or NULL with ERR_USAGE. The OIDs
 * given are ones OpenSSL reads: its refusal can only be one to allocate. */
static ASN1_OBJECT *literal_type(const char *type)
{
	const char *oid = NULL;
	ASN1_OBJECT *obj;

	for (size_t i = 0; i < nitems(literal_types) && oid == NULL; i++)
		if (strcmp(literal_types[i].type, type) == 0)
			oid = literal_types[i].oid;
	if (oid == NULL && !is_dotted_oid(type)) {
		err_set(ERR_USAGE, "the Certificate's spec.literalSubject names the attribute "
		    "\"%s\": cert-manager knows C, O, OU, CN, SERIALNUMBER, L, ST, STREET, DC, "
		    "UID (as written) and dotted OIDs, and its webhook refuses it", type);
		return NULL;
	}
	if (oid == NULL && !oid_arcs_encodable(type)) {
		err_set(ERR_USAGE, "the Certificate's spec.literalSubject names the attribute "
		    "\"%s\", an object identifier that cannot be encoded: its first arc is 0, 1 "
		    "or 2, and under 0 or 1 its second is below 40", type);
		return NULL;
	}
	if ((obj = OBJ_txt2obj(oid != NULL ? oid : type, 1)) == NULL)
		oom();
	return obj;
}

/* One "type=value" of a literalSubject into name. */
static int add_literal_atv(X509_NAME *name, char *atv, bool same_rdn, char **cn)
{
	char *eq = strchr(atv, '='), *type, *value;
	ASN1_OBJECT *obj;

	if (eq == NULL) {
		err_set(ERR_USAGE, "the Certificate's spec.literalSubject has an attribute "
		    "without \"=\": incomplete type, value pair");
		return -1;
	}
	*eq = '\0';
	type = trim(atv);
	value = trim(eq + 1);
	if ((obj = literal_type(type)) == NULL)
		return -1;
	if (cn != NULL && *cn == NULL && OBJ_obj2nid(obj) == NID_commonName)
		*cn = xstrdup(value);
	if (name != NULL)
		add_atv(name, obj, value, same_rdn);
	ASN1_OBJECT_free(obj);
	return 0;
}

/* Reads the literalSubject into name (NULL: only checked) and its first CN
 * into *cn (NULL: not wanted). Its RDNs go in reverse, as cert-manager's
 * UnmarshalSubjectStringToRDNSequence puts them. */
static int literal_subject(const char *text, X509_NAME *name, char **cn)
{
	char *copy = xstrdup(text), **rdns = NULL, *p, *atv, *save = NULL;
	size_t n = 0;
	int rc = -1;

	if (text[0] == ',' || text[0] == '+' || strstr(text, ",,") != NULL ||
	    strstr(text, "++") != NULL || strstr(text, ",+") != NULL ||
	    strstr(text, "+,") != NULL || strchr(",+", text[strlen(text) - 1]) != NULL) {
		err_set(ERR_USAGE, "the Certificate's spec.literalSubject has an empty attribute: "
		    "incomplete type, value pair");
		goto out;
	}
	if (strpbrk(text, "\\\";<>#") != NULL) {
		err_set(ERR_USAGE, "the Certificate's spec.literalSubject holds \\, \", ;, <, > or "
		    "#: acmectl does not model how cert-manager's LDAP parser (go-ldap, whose "
		    "readings of escapes changed between releases) reads them");
		goto out;
	}
	for (p = strtok_r(copy, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save)) {
		rdns = xrealloc(rdns, (n + 1) * sizeof(*rdns));
		rdns[n++] = p;
	}
	for (size_t i = n; i > 0; i--) {
		char *save2 = NULL;
		bool same = false;

		for (atv = strtok_r(rdns[i - 1], "+", &save2); atv != NULL;
		    atv = strtok_r(NULL, "+", &save2), same = true)
			if (add_literal_atv(name, atv, same, cn) != 0)
				goto out;
	}
	rc = 0;
out:
	free(rdns);
	free(copy);
	return rc;
}

static bool literal_in_use(const struct cm_certificate *c, const struct cm_version *v,
    const struct cm_csr_gates *g)
{
	return c->literal_subject != NULL && c->literal_subject[0] != '\0' &&
	    since(v, &v1_9) && g->literal_subject;
}

char *cm_csr_common_name(const struct cm_certificate *c, const struct cm_version *v,
    const struct cm_csr_gates *g)
{
	char *cn = NULL;

	if (!literal_in_use(c, v, g))
		return c->common_name != NULL && c->common_name[0] != '\0' ?
		    xstrdup(c->common_name) : NULL;
	if (literal_subject(c->literal_subject, NULL, &cn) != 0) {
		free(cn);
		return NULL;
	}
	return cn;
}

/*
 * The extensions.
 */

/* The extensions are built from values already checked: encoding them
 * only allocates, and running out of memory is no fault of the
 * Certificate, so it exits as the x* allocators do (oom). */

/* Adds the extension nid, its value the DER bytes der, to exts. */
static void add_raw(STACK_OF(X509_EXTENSION) *exts, int nid, bool critical,
    const unsigned char *der, int len)
{
	ASN1_OCTET_STRING *value = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext = NULL;

	if (value == NULL || ASN1_OCTET_STRING_set(value, der, len) != 1 ||
	    (ext = X509_EXTENSION_create_by_NID(NULL, nid, critical ? 1 : 0, value)) == NULL ||
	    sk_X509_EXTENSION_push(exts, ext) == 0)
		oom();
	ASN1_OCTET_STRING_free(value);
}

/* Adds the extension nid encoded by OpenSSL from its structure. */
static void add_struct(STACK_OF(X509_EXTENSION) *exts, int nid, bool critical, void *value)
{
	X509_EXTENSION *ext = X509V3_EXT_i2d(nid, critical ? 1 : 0, value);

	if (ext == NULL || sk_X509_EXTENSION_push(exts, ext) == 0)
		oom();
}

/* Appends a general name of type to gens, its value the len bytes value
 * (an IA5String, or an IP address's octets). */
static void push_name(GENERAL_NAMES *gens, int type, const void *value, int len)
{
	ASN1_STRING *s = ASN1_STRING_type_new(type == GEN_IPADD ? V_ASN1_OCTET_STRING :
	    V_ASN1_IA5STRING);
	GENERAL_NAME *g = GENERAL_NAME_new();

	if (s == NULL || g == NULL || ASN1_STRING_set(s, value, len) != 1)
		oom();
	GENERAL_NAME_set0_value(g, type, s);
	if (sk_GENERAL_NAME_push(gens, g) == 0)
		oom();
}

/* One IA5 general name; Go refuses a value beyond ASCII in its words. 0 or
 * -1 with ERR_USAGE. */
static int push_ia5(GENERAL_NAMES *gens, int type, const char *value)
{
	char *q;

	for (const char *p = value; *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x80) {
			q = cm_go_quote(value);
			err_set(ERR_USAGE, "x509: %s cannot be encoded as an IA5String", q);
			free(q);
			return -1;
		}
	}
	push_name(gens, type, value, (int)strlen(value));
	return 0;
}

/* An IP address as Go puts it: 4 bytes for IPv4 and IPv4-mapped IPv6. 0 or
 * -1 with ERR_USAGE when Go cannot parse it. */
static int push_ip(GENERAL_NAMES *gens, const char *text)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	unsigned char buf[16];
	int len = 16;

	if (inet_pton(AF_INET, text, buf) == 1) {
		len = 4;
	} else if (inet_pton(AF_INET6, text, buf) != 1) {
		err_set(ERR_USAGE, "failed to parse IP address \"%s\"", text);
		return -1;
	} else if (memcmp(buf, mapped, sizeof(mapped)) == 0) {
		memmove(buf, buf + 12, 4);
		len = 4;
	}
	push_name(gens, GEN_IPADD, buf, len);
	return 0;
}

/* The subjectAltName: DNS, e-mail, IP, URI, as Go's x509 and cert-manager's
 * MarshalSANs order them. */
static int add_sans(STACK_OF(X509_EXTENSION) *exts, const struct cm_certificate *c,
    bool critical)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	int rc = -1;

	if (gens == NULL)
		oom();
	for (size_t i = 0; i < c->dns_names.n; i++)
		if (push_ia5(gens, GEN_DNS, c->dns_names.v[i]) != 0)
			goto out;
	for (size_t i = 0; i < c->email_addresses.n; i++)
		if (push_ia5(gens, GEN_EMAIL, c->email_addresses.v[i]) != 0)
			goto out;
	for (size_t i = 0; i < c->ip_addresses.n; i++)
		if (push_ip(gens, c->ip_addresses.v[i]) != 0)
			goto out;
	for (size_t i = 0; i < c->uris.n; i++)
		if (push_ia5(gens, GEN_URI, c->uris.v[i]) != 0)
			goto out;
	if (sk_GENERAL_NAME_num(gens) > 0)
		add_struct(exts, NID_subject_alt_name, critical, gens);
	rc = 0;
out:
	GENERAL_NAMES_free(gens);
	return rc;
}

static unsigned char reverse_bits(unsigned char b)
{
	unsigned char r = 0;

	for (int i = 0; i < 8; i++)
		if (b & (1u << i))
			r |= (unsigned char)(0x80u >> i);
	return r;
}

/* The KeyUsage value exactly as cert-manager's Go writes it: one or two
 * bytes kept as they are, even when empty (03 02 00 00), the unused bits
 * counted from the last set bit. */
static void add_key_usage(STACK_OF(X509_EXTENSION) *exts, unsigned ku, bool critical)
{
	unsigned char der[5] = { 0x03, 0, 0, reverse_bits(ku & 0xff), reverse_bits(ku >> 8) };
	int len = der[4] != 0 ? 2 : 1, bits = 0;

	for (int i = 0; i < len * 8; i++)
		if (der[3 + i / 8] & (0x80u >> (i % 8)))
			bits = i + 1;
	der[1] = (unsigned char)(len + 1);
	der[2] = (unsigned char)((8 - bits % 8) % 8);
	add_raw(exts, NID_key_usage, critical, der, len + 3);
}

static void add_ext_key_usage(STACK_OF(X509_EXTENSION) *exts, const int *idx, size_t n)
{
	EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();
	ASN1_OBJECT *oid;

	if (eku == NULL)
		oom();
	for (size_t i = 0; i < n; i++)
		if ((oid = OBJ_txt2obj(usages[idx[i]].oid, 1)) == NULL ||
		    sk_ASN1_OBJECT_push(eku, oid) == 0)
			oom();
	add_struct(exts, NID_ext_key_usage, false, eku);
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
}

/* KeyUsage and ExtKeyUsage from spec.usages and isCA, per release. */
static int add_usages(STACK_OF(X509_EXTENSION) *exts, const struct cm_certificate *c,
    const struct cm_version *v)
{
	static const char *const defaults[] = { "digital signature", "key encipherment" };
	const char *const *words = (const char *const *)c->usages.v;
	size_t n = c->usages.n, neku = 0;
	int *eku = xcalloc(n + 2, sizeof(*eku)), rc = -1;
	unsigned ku = c->is_ca ? 1u << 5 : 0;

	if (n == 0) {
		words = defaults;
		n = nitems(defaults);
	}
	for (size_t i = 0; i < n; i++) {
		int k = usage_index(words[i]);

		if (k < 0) {
			err_set(ERR_USAGE, "failed to build key usages: unknown key usages: [%s]",
			    words[i]);
			goto out;
		}
		if (usages[k].bit >= 0)
			ku |= 1u << usages[k].bit;
		else
			eku[neku++] = k;
	}
	if (ku != 0 || !since(v, &v1_16))
		add_key_usage(exts, ku, since(v, &v1_14));
	if (neku > 0 || !since(v, &v1_1))
		add_ext_key_usage(exts, eku, neku);
	rc = 0;
out:
	free(eku);
	return rc;
}

/* BasicConstraints behind its gate: up to v1.12.x the Go struct had no
 * "optional", so false is written out (30 03 01 01 00). */
static void add_basic_constraints(STACK_OF(X509_EXTENSION) *exts, bool is_ca,
    const struct cm_version *v)
{
	unsigned char explicit_bool[] = { 0x30, 0x03, 0x01, 0x01, is_ca ? 0xff : 0x00 };
	unsigned char empty[] = { 0x30, 0x00 };

	if (!since(v, &v1_13))
		add_raw(exts, NID_basic_constraints, false, explicit_bool,
		    (int)sizeof(explicit_bool));
	else if (!is_ca)
		add_raw(exts, NID_basic_constraints, since(v, &v1_14), empty, (int)sizeof(empty));
	else
		add_raw(exts, NID_basic_constraints, since(v, &v1_14), explicit_bool,
		    (int)sizeof(explicit_bool));
}

static int add_extensions(X509_REQ *req, const struct cm_certificate *c,
    const struct cm_version *v, const struct cm_csr_gates *g, bool empty_subject)
{
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	int rc = -1;

	if (exts == NULL)
		oom();
	if (add_sans(exts, c, empty_subject && since(v, &v1_14)) != 0 ||
	    ((c->encode_usages != 0 || !since(v, &v1_1)) && add_usages(exts, c, v) != 0))
		goto out;
	if (g->basic_constraints && since(v, &v1_11))
		add_basic_constraints(exts, c->is_ca, v);
	if (sk_X509_EXTENSION_num(exts) > 0 && X509_REQ_add_extensions(req, exts) != 1)
		oom();
	rc = 0;
out:
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return rc;
}

/* cert-manager's digest for key: by RSA size, by curve, none for Ed25519. */
static const EVP_MD *digest_for(EVP_PKEY *key)
{
	int bits = EVP_PKEY_get_bits(key);

	if (EVP_PKEY_is_a(key, "ED25519"))
		return NULL;
	if (EVP_PKEY_is_a(key, "EC"))
		return bits >= 521 ? EVP_sha512() : bits >= 384 ? EVP_sha384() : EVP_sha256();
	return bits >= 4096 ? EVP_sha512() : bits >= 3072 ? EVP_sha384() : EVP_sha256();
}

/* Signs req with key. A key too small for its digest (an RSA key of a few
 * hundred bits) is the Secret's fault; OpenSSL says so in its error queue,
 * where any other refusal is one to allocate. 0 or -1 with ERR_USAGE. */
static int sign_request(X509_REQ *req, EVP_PKEY *key)
{
	const EVP_MD *md = digest_for(key);
	unsigned long e;

	ERR_clear_error();
	if (X509_REQ_sign(req, key, md) > 0)
		return 0;
	e = ERR_peek_last_error();
	ERR_clear_error();
	if (ERR_GET_LIB(e) != ERR_LIB_RSA || ERR_GET_REASON(e) != RSA_R_DIGEST_TOO_BIG_FOR_RSA_KEY)
		oom();
	err_set(ERR_USAGE, "the %d-bit RSA key is too small to sign the CSR with %s",
	    EVP_PKEY_get_bits(key), EVP_MD_get0_name(md));
	return -1;
}

char *cm_csr_build(const struct cm_certificate *c, const struct cm_version *v,
    const struct cm_csr_gates *g, EVP_PKEY *key)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *subject = X509_NAME_new();
	unsigned char *der = NULL;
	char *out = NULL;
	int len;

	if (req == NULL || subject == NULL || X509_REQ_set_version(req, 0) != 1)
		oom();
	if (literal_in_use(c, v, g)) {
		if (literal_subject(c->literal_subject, subject, NULL) != 0)
			goto out;
	} else {
		subject_from_spec(subject, c);
	}
	if (X509_REQ_set_subject_name(req, subject) != 1 || X509_REQ_set_pubkey(req, key) != 1)
		oom();
	if (add_extensions(req, c, v, g, X509_NAME_entry_count(subject) == 0) != 0 ||
	    sign_request(req, key) != 0)
		goto out;
	if ((len = i2d_X509_REQ(req, &der)) <= 0)
		oom();
	out = b64url_encode(der, (size_t)len);
out:
	OPENSSL_free(der);
	X509_NAME_free(subject);
	X509_REQ_free(req);
	return out;
}
