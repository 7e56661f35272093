/* cmgates.c - cert-manager's --feature-gates list, per release (see
 * cmgates.h). The gate table is the controller's
 * internal/controller/feature/features.go (pkg/feature up to v1.6.x) at
 * each release; no gate of it is locked to its default. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "certmanager.h"
#include "cmcsr.h"
#include "cmgates.h"
#include "err.h"
#include "util.h"

enum stage { ALPHA, BETA, GA };

/* The first release whose --feature-gates is a map flag (see cmgates.h). */
static const struct cm_version v1_13 = { 1, 13, 0 };

/* A gate acmectl accepts without modelling what it changes. */
#define NO_EFFECT ((size_t)-1)

/* A gate: the release it first appears in, and where it turned beta and
 * GA ({0,0,0}: never). effect is the offset of the cm_csr_gates field it
 * sets, or NO_EFFECT. */
static const struct gate {
	const char *name;
	struct cm_version since, beta, ga;
	size_t effect;
} gates[] = {
	{ "ValidateCAA", { 1, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 }, NO_EFFECT },
	{ "ExperimentalCertificateSigningRequestControllers", { 1, 4, 0 },
	    { 0, 0, 0 }, { 0, 0, 0 }, NO_EFFECT },
	{ "ExperimentalGatewayAPISupport", { 1, 5, 0 }, { 1, 15, 0 }, { 0, 0, 0 },
	    NO_EFFECT },
	{ "AdditionalCertificateOutputFormats", { 1, 7, 0 }, { 1, 15, 0 },
	    { 1, 18, 0 }, NO_EFFECT },
	{ "ServerSideApply", { 1, 8, 0 }, { 0, 0, 0 }, { 0, 0, 0 }, NO_EFFECT },
	{ "LiteralCertificateSubject", { 1, 9, 0 }, { 1, 15, 0 }, { 0, 0, 0 },
	    offsetof(struct cm_csr_gates, literal_subject) },
	{ "StableCertificateRequestName", { 1, 10, 0 }, { 1, 13, 0 }, { 0, 0, 0 },
	    NO_EFFECT },
	{ "UseCertificateRequestBasicConstraints", { 1, 11, 0 }, { 0, 0, 0 },
	    { 0, 0, 0 }, offsetof(struct cm_csr_gates, basic_constraints) },
	{ "SecretsFilteredCaching", { 1, 12, 0 }, { 1, 13, 0 }, { 0, 0, 0 },
	    NO_EFFECT },
	{ "DisallowInsecureCSRUsageDefinition", { 1, 13, 0 }, { 1, 13, 0 },
	    { 1, 15, 0 }, NO_EFFECT },
	{ "NameConstraints", { 1, 14, 0 }, { 1, 17, 0 }, { 0, 0, 0 }, NO_EFFECT },
	{ "OtherNames", { 1, 14, 0 }, { 1, 20, 0 }, { 0, 0, 0 }, NO_EFFECT },
	{ "UseDomainQualifiedFinalizer", { 1, 16, 0 }, { 1, 17, 0 }, { 1, 18, 0 },
	    NO_EFFECT },
	{ "DefaultPrivateKeyRotationPolicyAlways", { 1, 18, 0 }, { 1, 18, 0 },
	    { 1, 20, 0 }, NO_EFFECT },
	{ "ACMEHTTP01IngressPathTypeExact", { 1, 18, 1 }, { 1, 18, 1 }, { 0, 0, 0 },
	    NO_EFFECT },
	{ "ListenerSets", { 1, 20, 0 }, { 0, 0, 0 }, { 0, 0, 0 }, NO_EFFECT },
	{ "ACMEUseARI", { 1, 21, 0 }, { 0, 0, 0 }, { 0, 0, 0 }, NO_EFFECT },
};

static bool reached(const struct cm_version *v, const struct cm_version *at)
{
	return at->major != 0 && cm_version_cmp(v, at) >= 0;
}

static enum stage stage_at(const struct gate *gt, const struct cm_version *v)
{
	return reached(v, &gt->ga) ? GA : reached(v, &gt->beta) ? BETA : ALPHA;
}

static const struct gate *gate_find(const char *name, const struct cm_version *v)
{
	for (size_t i = 0; i < nitems(gates); i++)
		if (strcmp(gates[i].name, name) == 0 && reached(v, &gates[i].since))
			return &gates[i];
	return NULL;
}

/* Go's strconv.ParseBool. */
static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < nitems(yes); i++) {
		if (strcmp(s, yes[i]) == 0)
			return *out = true, 0;
		if (strcmp(s, no[i]) == 0)
			return *out = false, 0;
	}
	return -1;
}

/* The code point of the UTF-8 sequence of len bytes at s, or -1. */
static long utf8_at(const unsigned char *s, size_t len)
{
	if (len == 1 && s[0] < 0x80)
		return s[0];
	if (len == 2 && (s[0] & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80)
		return (long)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	if (len == 3 && (s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 &&
	    (s[2] & 0xc0) == 0x80)
		return (long)(s[0] & 0x0f) << 12 | (long)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	return -1;
}

/* Go's unicode.IsSpace. */
static bool go_space(long c)
{
	return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 ||
	    c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 ||
	    c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

/* The bytes of the space that starts (at_end: ends) s[0..n), or 0. */
static size_t space_len(const char *s, size_t n, bool at_end)
{
	for (size_t len = 1; len <= 3 && len <= n; len++) {
		const char *p = at_end ? s + n - len : s;

		if (go_space(utf8_at((const unsigned char *)p, len)))
			return len;
	}
	return 0;
}

/* s[0..n) without leading and trailing spaces, as Go's strings.TrimSpace
 * (Unicode white space, not only ASCII). Caller frees. */
static char *trim(const char *s, size_t n)
{
	size_t len;

	while ((len = space_len(s, n, false)) > 0)
		s += len, n -= len;
	while ((len = space_len(s, n, true)) > 0)
		n -= len;
	return xstrndup(s, n);
}

/* One pair "k=v" of the list into *name and *value, or -1 with the text
 * the release's parser gives (pflag prefixes it). */
static int parse_pair(const char *item, size_t n, const struct cm_version *v,
    char **name, bool *value, char **why)
{
	const char *eq = memchr(item, '=', n);
	bool map_flag = cm_version_cmp(v, &v1_13) >= 0;
	char *val;

	*name = trim(item, eq != NULL ? (size_t)(eq - item) : n);
	if (eq == NULL) {
		*why = map_flag ? xstrdup("malformed pair, expect string=bool") :
		    xasprintf("missing bool value for %s", *name);
		return -1;
	}
	val = trim(eq + 1, n - (size_t)(eq + 1 - item));
	if (parse_bool(val, value) != 0) {
		*why = xasprintf("invalid value of %s%s%s, err: strconv.ParseBool: "
		    "parsing \"%s\": invalid syntax", *name, map_flag ? ": " : "=",
		    val, val);
		free(val);
		return -1;
	}
	free(val);
	return 0;
}

/* Sets every gate of stage st that the list does not name to on. */
static void set_unset(const char *list_names, enum stage st, bool on,
    const struct cm_version *v, struct cm_csr_gates *g)
{
	for (size_t i = 0; i < nitems(gates); i++) {
		const struct gate *gt = &gates[i];
		char *key = xasprintf("\n%s\n", gt->name);

		if (reached(v, &gt->since) && stage_at(gt, v) == st &&
		    gt->effect != NO_EFFECT && strstr(list_names, key) == NULL)
			*(bool *)((char *)g + gt->effect) = on;
		free(key);
	}
}

/* Appends name to the ", "-joined *acc unless it is there already. */
static void add_name(char **acc, const char *name)
{
	char *key = xasprintf(", %s, ", name), *have, *next;
	bool found;

	have = xasprintf(", %s, ", *acc != NULL ? *acc : "");
	found = strstr(have, key) != NULL;
	free(have);
	free(key);
	if (found)
		return;
	next = xasprintf("%s%s%s", *acc != NULL ? *acc : "", *acc != NULL ? ", " : "",
	    name);
	free(*acc);
	*acc = next;
}

/* The next non-empty item of the list at *p (its length in *n), moving
 * *p past it; NULL at the end. */
static const char *next_item(const char **p, size_t *n)
{
	const char *item, *end;

	while (*p != NULL) {
		item = *p;
		end = strchr(item, ',');
		*n = end != NULL ? (size_t)(end - item) : strlen(item);
		*p = end != NULL ? end + 1 : NULL;
		if (*n > 0)
			return item;
	}
	return NULL;
}

/* The first pass: every pair parses before any name is looked up. Fills
 * *names with "\nName\n" for each (for AllAlpha and AllBeta). 0, or -1
 * with *why. */
static int parse_all(const char *list, const struct cm_version *v, char **names,
    char **why)
{
	const char *p = list, *item;
	char *name, *next;
	size_t n;
	bool on;

	*names = xstrdup("\n");
	while ((item = next_item(&p, &n)) != NULL) {
		if (parse_pair(item, n, v, &name, &on, why) != 0) {
			free(name);
			return -1;
		}
		next = xasprintf("%s%s\n", *names, name);
		free(*names);
		*names = next;
		free(name);
	}
	return 0;
}

/* The second pass: each name looked up in release v and set, in list
 * order (the last of a name twice wins). 0, or -1 with *why. */
static int set_all(const char *list, const struct cm_version *v,
    struct cm_csr_gates *g, int *all_alpha, int *all_beta, char **inert, char **why)
{
	const char *p = list, *item;
	const struct gate *gt;
	char *name;
	size_t n;
	bool on;
	int rc = 0;

	while (rc == 0 && (item = next_item(&p, &n)) != NULL) {
		(void)parse_pair(item, n, v, &name, &on, why);
		if (strcmp(name, "AllAlpha") == 0)
			*all_alpha = on;
		else if (strcmp(name, "AllBeta") == 0)
			*all_beta = on;
		else if ((gt = gate_find(name, v)) == NULL) {
			*why = xasprintf("unrecognized feature gate: %s", name);
			rc = -1;
		} else if (gt->effect != NO_EFFECT)
			*(bool *)((char *)g + gt->effect) = on;
		else
			add_name(inert, name);
		free(name);
	}
	return rc;
}

/* The error release v stops with: from v1.13.0 an unknown name fails at
 * start-up, everything else (and before v1.13.0 all) in the flag. */
static void set_error(const char *list, const struct cm_version *v, const char *why)
{
	char *q;

	if (cm_version_cmp(v, &v1_13) >= 0 &&
	    strncmp(why, "unrecognized", 12) == 0) {
		err_set(ERR_USAGE, "failed to set feature gates from initial "
		    "flags-based config: %s", why);
		return;
	}
	q = cm_go_quote(list);
	err_set(ERR_USAGE, "invalid argument %s for \"--feature-gates\" flag: %s", q, why);
	free(q);
}

int cm_gates_apply(const char *list, const struct cm_version *v,
    struct cm_csr_gates *g, char **inert)
{
	char *names = NULL, *why = NULL;
	int all_alpha = -1, all_beta = -1, rc = -1;

	*inert = NULL;
	if (parse_all(list, v, &names, &why) != 0 ||
	    set_all(list, v, g, &all_alpha, &all_beta, inert, &why) != 0) {
		set_error(list, v, why);
		free(*inert);
		*inert = NULL;
		goto out;
	}
	if (all_alpha != -1)
		set_unset(names, ALPHA, all_alpha, v, g);
	if (all_beta != -1)
		set_unset(names, BETA, all_beta, v, g);
	rc = 0;
out:
	free(why);
	free(names);
	return rc;
}
