/* certificate.c - a cert-manager Certificate manifest, the commonName
 * check and the Order's identifiers (see cmcert.h). */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "certmanager.h"
#include "cmcert.h"
#include "err.h"
#include "k8s.h"
#include "util.h"

#define HOSTCHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.*"
#define MAX_NAMES 100     /* Let's Encrypt's limit of names per order */
#define MAX_VALUE 1024    /* a subject value, URI or e-mail address: far above any real one */

/* A member of obj through a dotted path; NULL when a step is missing. */
static json_t *member(json_t *obj, const char *a, const char *b, const char *c)
{
	const char *path[] = { a, b, c };

	for (size_t i = 0; i < 3 && path[i] != NULL && obj != NULL; i++)
		obj = json_is_object(obj) ? json_object_get(obj, path[i]) : NULL;
	return obj;
}

/* Copies the string v (the field named field) into *out, dflt when v is
 * absent. 0, or -1 with ERR_USAGE when it is required or not a string. */
static int take(json_t *v, const char *field, const char *dflt, bool required, char **out,
    const char *what)
{
	if ((v == NULL || json_is_null(v)) && !required) {
		*out = dflt != NULL ? xstrdup(dflt) : NULL;
		return 0;
	}
	if (!json_is_string(v)) {
		err_set(ERR_USAGE, "%s: the Certificate's %s is %s", what, field,
		    v == NULL ? "missing" : "not a string");
		return -1;
	}
	*out = xstrdup(json_string_value(v));
	return 0;
}

static bool is_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* A dnsName reaches URLs and requests: only what a real one holds passes. */
static bool looks_like_name(const char *s)
{
	return s[0] != '\0' && strlen(s) <= 253 && strspn(s, HOSTCHARS) == strlen(s);
}

/* Reads the list of strings v (the field named field) into l, each
 * accepted by ok (NULL: any string without control characters). */
static int take_list(json_t *v, const char *field, bool (*ok)(const char *),
    struct cm_strings *l, const char *what)
{
	json_t *item;
	size_t i;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v) || json_array_size(v) > MAX_NAMES) {
		err_set(ERR_USAGE, "%s: the Certificate's %s is not a list of at most %d strings",
		    what, field, MAX_NAMES);
		return -1;
	}
	l->v = xcalloc(json_array_size(v) + 1, sizeof(*l->v));
	json_array_foreach(v, i, item) {
		const char *s = json_string_value(item);

		if (s == NULL || (ok != NULL && !ok(s)) || strpbrk(s, "\r\n\t") != NULL ||
		    strlen(s) > MAX_VALUE) {
			char *shown = str_printable(s != NULL ? s : "(not a string)");

			err_set(ERR_USAGE, "%s: the Certificate's %s[%zu] \"%.64s%s\" is not a valid "
			    "entry", what, field, i, shown, strlen(shown) > 64 ? "..." : "");
			free(shown);
			return -1;
		}
		l->v[l->n++] = xstrdup(s);
	}
	return 0;
}

/* spec.privateKey.size: a number in JSON, a string in YAML. */
static int take_size(json_t *v, int *out, const char *what)
{
	const char *s = json_string_value(v);
	char *end;
	long n;

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_integer(v))
		n = (long)json_integer_value(v);
	else if (s != NULL && s[0] != '\0' && (n = strtol(s, &end, 10), *end == '\0'))
		;
	else
		n = -1;
	if (n <= 0 || n > 16384) {
		err_set(ERR_USAGE, "%s: the Certificate's spec.privateKey.size is not a key size",
		    what);
		return -1;
	}
	*out = (int)n;
	return 0;
}

/* One of the words of allowed, or an ERR_USAGE naming them. */
static int check_word(const char *s, const char *field, const char *const *allowed,
    const char *what)
{
	char *shown;

	for (size_t i = 0; allowed[i] != NULL; i++)
		if (strcmp(s, allowed[i]) == 0)
			return 0;
	shown = str_printable(s);
	err_set(ERR_USAGE, "%s: the Certificate's %s \"%s\" is none of %s, %s%s%s", what,
	    field, shown, allowed[0], allowed[1], allowed[2] != NULL ? ", " : "",
	    allowed[2] != NULL ? allowed[2] : "");
	free(shown);
	return -1;
}

/* An optional string that reaches the CSR: no control characters, at most
 * MAX_VALUE bytes. */
static int take_text(json_t *v, const char *field, char **out, const char *what)
{
	if (take(v, field, NULL, false, out, what) != 0)
		return -1;
	if (*out != NULL && (strlen(*out) > MAX_VALUE || strpbrk(*out, "\r\n\t") != NULL)) {
		err_set(ERR_USAGE, "%s: the Certificate's %s holds control characters or is "
		    "longer than %d bytes", what, field, MAX_VALUE);
		return -1;
	}
	return 0;
}

/* A boolean: true/false in JSON, the words in YAML (read as strings).
 * *out is left alone when v is absent. */
static int take_bool(json_t *v, const char *field, int *out, const char *what)
{
	static const char *const yes[] = { "true", "True", "TRUE", NULL };
	static const char *const no[] = { "false", "False", "FALSE", NULL };
	const char *s = json_string_value(v);

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	for (size_t i = 0; s != NULL && yes[i] != NULL; i++)
		if (strcmp(s, yes[i]) == 0 || strcmp(s, no[i]) == 0) {
			*out = strcmp(s, yes[i]) == 0;
			return 0;
		}
	err_set(ERR_USAGE, "%s: the Certificate's %s is not true or false", what, field);
	return -1;
}

/* spec.subject, each list as cert-manager's X509Subject names it. */
static int read_subject(json_t *spec, struct cm_certificate *c, const char *what)
{
	const struct {
		const char *key;
		struct cm_strings *l;
	} lists[] = {
		{ "countries", &c->countries }, { "provinces", &c->provinces },
		{ "localities", &c->localities }, { "streetAddresses", &c->street_addresses },
		{ "postalCodes", &c->postal_codes }, { "organizations", &c->organizations },
		{ "organizationalUnits", &c->organizational_units },
	};
	json_t *subject = member(spec, "subject", NULL, NULL);
	char field[64];

	if (subject != NULL && !json_is_null(subject) && !json_is_object(subject)) {
		err_set(ERR_USAGE, "%s: the Certificate's spec.subject is not a map", what);
		return -1;
	}
	for (size_t i = 0; i < nitems(lists); i++) {
		snprintf(field, sizeof(field), "spec.subject.%s", lists[i].key);
		if (take_list(member(subject, lists[i].key, NULL, NULL), field, NULL, lists[i].l,
		    what) != 0)
			return -1;
	}
	return take_text(member(subject, "serialNumber", NULL, NULL), "spec.subject.serialNumber",
	    &c->serial_number, what);
}

/* What the CSR holds beyond the names and the key. */
static int read_csr_fields(json_t *spec, struct cm_certificate *c, const char *what)
{
	int is_ca = 0;

	c->encode_usages = -1;
	if (read_subject(spec, c, what) != 0 ||
	    take_list(member(spec, "emailAddresses", NULL, NULL), "spec.emailAddresses", NULL,
	    &c->email_addresses, what) != 0 ||
	    take_list(member(spec, "usages", NULL, NULL), "spec.usages", NULL, &c->usages,
	    what) != 0 ||
	    take_bool(member(spec, "isCA", NULL, NULL), "spec.isCA", &is_ca, what) != 0 ||
	    take_bool(member(spec, "encodeUsagesInRequest", NULL, NULL),
	    "spec.encodeUsagesInRequest", &c->encode_usages, what) != 0 ||
	    take_text(member(spec, "literalSubject", NULL, NULL), "spec.literalSubject",
	    &c->literal_subject, what) != 0)
		return -1;
	c->is_ca = is_ca != 0;
	return 0;
}

static int read_key(json_t *spec, struct cm_certificate *c, const char *what)
{
	static const char *const algorithms[] = { "RSA", "ECDSA", "Ed25519", NULL };
	static const char *const encodings[] = { "PKCS1", "PKCS8", NULL };
	static const char *const policies[] = { "Never", "Always", NULL };
	json_t *pk = member(spec, "privateKey", NULL, NULL);

	if (take(member(pk, "algorithm", NULL, NULL), "spec.privateKey.algorithm", "RSA",
	    false, &c->key_algorithm, what) != 0 ||
	    take(member(pk, "encoding", NULL, NULL), "spec.privateKey.encoding", "PKCS1",
	    false, &c->key_encoding, what) != 0 ||
	    take(member(pk, "rotationPolicy", NULL, NULL), "spec.privateKey.rotationPolicy",
	    NULL, false, &c->rotation_policy, what) != 0 ||
	    take_size(member(pk, "size", NULL, NULL), &c->key_size, what) != 0)
		return -1;
	if (check_word(c->key_algorithm, "spec.privateKey.algorithm", algorithms, what) != 0 ||
	    check_word(c->key_encoding, "spec.privateKey.encoding", encodings, what) != 0 ||
	    (c->rotation_policy != NULL && check_word(c->rotation_policy,
	    "spec.privateKey.rotationPolicy", policies, what) != 0))
		return -1;
	return 0;
}

static int read_meta(json_t *obj, struct cm_certificate *c, const char *what)
{
	json_t *labels = member(obj, "metadata", "labels", NULL);

	if (labels != NULL && !json_is_null(labels) && !json_is_object(labels)) {
		err_set(ERR_USAGE, "%s: the Certificate's metadata.labels is not a map", what);
		return -1;
	}
	c->labels = json_is_object(labels) ? json_deep_copy(labels) : json_object();
	return take(member(obj, "metadata", "name", NULL), "metadata.name", NULL, false,
	    &c->name, what) != 0 ||
	    take(member(obj, "metadata", "namespace", NULL), "metadata.namespace", NULL, false,
	    &c->namespace, what) != 0 ? -1 : 0;
}

static int read_certificate(json_t *obj, struct cm_certificate *c, const char *what)
{
	json_t *spec = member(obj, "spec", NULL, NULL);

	if (read_meta(obj, c, what) != 0 ||
	    take(member(spec, "secretName", NULL, NULL), "spec.secretName", NULL, true,
	    &c->secret_name, what) != 0 ||
	    take(member(spec, "commonName", NULL, NULL), "spec.commonName", NULL, false,
	    &c->common_name, what) != 0 ||
	    take(member(spec, "issuerRef", "name", NULL), "spec.issuerRef.name", NULL, true,
	    &c->issuer_name, what) != 0 ||
	    take(member(spec, "issuerRef", "kind", NULL), "spec.issuerRef.kind", "Issuer",
	    false, &c->issuer_kind, what) != 0 ||
	    take(member(spec, "issuerRef", "group", NULL), "spec.issuerRef.group",
	    "cert-manager.io", false, &c->issuer_group, what) != 0 ||
	    take_list(member(spec, "dnsNames", NULL, NULL), "spec.dnsNames", looks_like_name,
	    &c->dns_names, what) != 0 ||
	    take_list(member(spec, "ipAddresses", NULL, NULL), "spec.ipAddresses", is_ip,
	    &c->ip_addresses, what) != 0 ||
	    take_list(member(spec, "uris", NULL, NULL), "spec.uris", NULL, &c->uris, what) != 0)
		return -1;
	if (c->common_name != NULL && (strpbrk(c->common_name, "\r\n\t") != NULL ||
	    strlen(c->common_name) > MAX_VALUE)) {
		err_set(ERR_USAGE, "%s: the Certificate's spec.commonName holds control "
		    "characters or is longer than %d bytes", what, MAX_VALUE);
		return -1;
	}
	if (read_csr_fields(spec, c, what) != 0)
		return -1;
	if (c->dns_names.n + c->ip_addresses.n == 0 && c->common_name == NULL &&
	    c->literal_subject == NULL) {
		err_set(ERR_USAGE, "%s: the Certificate names nothing an ACME order could hold "
		    "(no spec.dnsNames, spec.ipAddresses, spec.commonName or spec.literalSubject)",
		    what);
		return -1;
	}
	return read_key(spec, c, what);
}

/* The first Certificate of objs, read into a new record. */
static struct cm_certificate *first_certificate(json_t *objs, const char *what)
{
	struct cm_certificate *c;
	json_t *obj;
	size_t i;

	json_array_foreach(objs, i, obj) {
		const char *kind = json_string_value(json_object_get(obj, "kind"));

		if (kind == NULL || strcmp(kind, "Certificate") != 0)
			continue;
		c = xcalloc(1, sizeof(*c));
		if (read_certificate(obj, c, what) == 0)
			return c;
		cm_certificate_free(c);
		return NULL;
	}
	err_set(ERR_USAGE, "%s: no Certificate in it (kubectl get certificate NAME -o yaml "
	    "prints one)", what);
	return NULL;
}

struct cm_certificate *cm_certificate_parse(const char *text, size_t len, const char *what)
{
	json_t *objs = k8s_objects(text, len, what);
	struct cm_certificate *c;

	if (objs == NULL)
		return NULL;
	c = first_certificate(objs, what);
	json_decref(objs);
	return c;
}

struct cm_certificate *cm_certificate_load(const char *path)
{
	json_t *objs = k8s_objects_load(path);
	struct cm_certificate *c;

	if (objs == NULL)
		return NULL;
	c = first_certificate(objs, path);
	json_decref(objs);
	return c;
}

void cm_strings_clear(struct cm_strings *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void cm_certificate_free(struct cm_certificate *c)
{
	if (c == NULL)
		return;
	free(c->name);
	free(c->namespace);
	json_decref(c->labels);
	free(c->secret_name);
	free(c->common_name);
	cm_strings_clear(&c->dns_names);
	cm_strings_clear(&c->ip_addresses);
	cm_strings_clear(&c->uris);
	free(c->issuer_name);
	free(c->issuer_kind);
	free(c->issuer_group);
	free(c->key_algorithm);
	free(c->key_encoding);
	free(c->rotation_policy);
	cm_strings_clear(&c->email_addresses);
	cm_strings_clear(&c->usages);
	free(c->literal_subject);
	cm_strings_clear(&c->countries);
	cm_strings_clear(&c->provinces);
	cm_strings_clear(&c->localities);
	cm_strings_clear(&c->street_addresses);
	cm_strings_clear(&c->postal_codes);
	cm_strings_clear(&c->organizations);
	cm_strings_clear(&c->organizational_units);
	free(c->serial_number);
	free(c);
}

static bool contains(const struct cm_strings *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

/* The list as Go's %s prints a []string: "[a b]". Caller frees. */
static char *go_list(const struct cm_strings *l)
{
	size_t len = 3;
	char *s;

	for (size_t i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + 1;
	s = xcalloc(1, len);
	strcpy(s, "[");
	for (size_t i = 0; i < l->n; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, l->v[i]);
	}
	strcat(s, "]");
	return s;
}

char *cm_cn_not_in_sans(const struct cm_certificate *c)
{
	char *dns, *ips, *cn, *msg;

	if (c->common_name == NULL || c->common_name[0] == '\0' ||
	    contains(&c->dns_names, c->common_name) || contains(&c->ip_addresses, c->common_name))
		return NULL;
	dns = go_list(&c->dns_names);
	ips = go_list(&c->ip_addresses);
	cn = cm_go_quote(c->common_name);
	msg = xasprintf("The CSR PEM requests a commonName that is not present in the list "
	    "of dnsNames or ipAddresses. If a commonName is set, ACME requires that the value "
	    "is also present in the list of dnsNames or ipAddresses: %s does not exist in %s "
	    "or %s", cn, dns, ips);
	free(dns);
	free(ips);
	free(cn);
	return msg;
}

/* An RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63. */
static bool is_label(const char *s, size_t n)
{
	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") >= n;
}

bool cm_is_fqdn(const char *name)
{
	size_t len = strlen(name), labels = 0;
	const char *p = name, *dot;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	while (p < name + len) {
		dot = memchr(p, '.', (size_t)(name + len - p));
		if (dot == NULL)
			dot = name + len;
		if (!is_label(p, (size_t)(dot - p)))
			return false;
		labels++;
		p = dot + 1;
	}
	return labels >= 2 && name[len - 1] != '.';
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds s to the set l unless it is there. */
static void set_add(struct cm_strings *l, const char *s)
{
	if (contains(l, s))
		return;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

void cm_order_identifiers(const struct cm_certificate *c, const struct cm_version *v,
    struct cm_strings *dns, struct cm_strings *ips)
{
	static const struct cm_version v1_18 = { 1, 18, 0 };
	const char *cn = c->common_name;

	memset(dns, 0, sizeof(*dns));
	memset(ips, 0, sizeof(*ips));
	for (size_t i = 0; i < c->dns_names.n; i++)
		set_add(dns, c->dns_names.v[i]);
	for (size_t i = 0; i < c->ip_addresses.n; i++)
		set_add(ips, c->ip_addresses.v[i]);
	if (cn != NULL && cn[0] != '\0') {
		if (cm_version_cmp(v, &v1_18) < 0)
			set_add(dns, cn);
		else if (is_ip(cn))
			set_add(ips, cn);
		else if (cm_is_fqdn(cn))
			set_add(dns, cn);
	}
	if (dns->n > 1)
		qsort(dns->v, dns->n, sizeof(*dns->v), by_string);
	if (ips->n > 1)
		qsort(ips->v, ips->n, sizeof(*ips->v), by_string);
}
