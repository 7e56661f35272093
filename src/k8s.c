/* k8s.c - ClusterIssuer/Issuer and Secret manifests (see k8s.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <yaml.h>

#include "b64url.h"
#include "err.h"
#include "fileio.h"
#include "k8s.h"
#include "key.h"
#include "util.h"

#define MAX_FILE ((size_t)4 * 1024 * 1024) /* manifests are kilobytes */
#define MAX_DEPTH 64               /* nesting, and a guard against alias cycles */
#define MAX_NODES 200000           /* guard against alias expansion bombs */
#define DEFAULT_KEY "tls.key"

/* Plain scalars kubectl (go-yaml v2, YAML 1.1) reads as booleans or null. */
static const char *const yaml_true[] = {
	"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
};
static const char *const yaml_false[] = {
	"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
};
static const char *const yaml_null[] = { "", "~", "null", "Null", "NULL" };

/* Where a mapping error happened, for messages. */
struct where {
	const char *what;   /* the file */
	const char *kind;
	const char *name;
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

#define IN_LIST(s, list) in_list((s), (list), nitems(list))

/* Converts a plain or quoted scalar. */
static json_t *scalar_to_json(const yaml_node_t *node)
{
	const char *v = (const char *)node->data.scalar.value;
	size_t len = node->data.scalar.length;

	if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && strlen(v) == len) {
		if (IN_LIST(v, yaml_null))
			return json_null();
		if (IN_LIST(v, yaml_true))
			return json_true();
		if (IN_LIST(v, yaml_false))
			return json_false();
	}
	return json_stringn_nocheck(v, len);
}

/* Converts node and what it contains. budget counts nodes left. Returns a
 * new reference or NULL with ERR_USAGE. */
static json_t *node_to_json(yaml_document_t *doc, yaml_node_t *node, int depth,
    size_t *budget, const char *what)
{
	json_t *out = NULL, *val;
	yaml_node_item_t *item;
	yaml_node_pair_t *pair;
	bool ok = true;

	if (depth > MAX_DEPTH || *budget == 0) {
		err_set(ERR_USAGE, "%s:%zu: YAML nests too deep or expands too far "
		    "(aliases?)", what, node->start_mark.line + 1);
		return NULL;
	}
	(*budget)--;
	switch (node->type) {
	case YAML_SCALAR_NODE:
		return scalar_to_json(node);
	case YAML_SEQUENCE_NODE:
		out = json_array();
		for (item = node->data.sequence.items.start;
		    ok && item < node->data.sequence.items.top; item++) {
			val = node_to_json(doc, yaml_document_get_node(doc, *item),
			    depth + 1, budget, what);
			if (val == NULL)
				ok = false;
			else
				json_array_append_new(out, val);
		}
		break;
	case YAML_MAPPING_NODE:
		out = json_object();
		for (pair = node->data.mapping.pairs.start;
		    ok && pair < node->data.mapping.pairs.top; pair++) {
			yaml_node_t *k = yaml_document_get_node(doc, pair->key);

			if (k->type != YAML_SCALAR_NODE) {
				err_set(ERR_USAGE, "%s:%zu: a mapping key that is not "
				    "a scalar is not valid in a manifest", what,
				    k->start_mark.line + 1);
				ok = false;
				continue;
			}
			val = node_to_json(doc, yaml_document_get_node(doc, pair->value),
			    depth + 1, budget, what);
			if (val == NULL)
				ok = false;
			else
				json_object_set_new_nocheck(out,
				    (const char *)k->data.scalar.value, val);
		}
		break;
	default:
		err_set(ERR_USAGE, "%s:%zu: empty YAML node", what,
		    node->start_mark.line + 1);
		ok = false;
		break;
	}
	if (!ok) {
		json_decref(out);
		out = NULL;
	}
	return out;
}

/* Parses YAML documents into a new array, or NULL with ERR_USAGE. */
static json_t *yaml_documents(const char *text, size_t len, const char *what)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	json_t *docs = json_array(), *val;
	size_t budget = MAX_NODES;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	for (;;) {
		yaml_node_t *root;

		if (!yaml_parser_load(&parser, &doc)) {
			err_set(ERR_USAGE, "%s:%zu:%zu: YAML: %s%s%s", what,
			    parser.problem_mark.line + 1, parser.problem_mark.column + 1,
			    parser.problem ? parser.problem : "syntax error",
			    parser.context ? " " : "",
			    parser.context ? parser.context : "");
			json_decref(docs);
			docs = NULL;
			goto out;
		}
		if ((root = yaml_document_get_root_node(&doc)) == NULL) {
			yaml_document_delete(&doc);
			break;  /* end of the stream */
		}
		val = node_to_json(&doc, root, 0, &budget, what);
		yaml_document_delete(&doc);
		if (val == NULL) {
			json_decref(docs);
			docs = NULL;
			goto out;
		}
		json_array_append_new(docs, val);
	}
out:
	yaml_parser_delete(&parser);
	return docs;
}

json_t *k8s_documents(const char *text, size_t len, const char *what)
{
	json_error_t jerr;
	json_t *doc, *docs;
	size_t i = 0;

	while (i < len && strchr(" \t\r\n", text[i]) != NULL)
		i++;
	if (i == len || text[i] != '{')
		return yaml_documents(text, len, what);
	/* kubectl -o json: jansson gives better messages for JSON mistakes;
	 * flow-style YAML that is not strict JSON still gets its chance. */
	if ((doc = json_loadb(text, len, 0, &jerr)) != NULL) {
		docs = json_array();
		json_array_append_new(docs, doc);
		return docs;
	}
	if ((docs = yaml_documents(text, len, what)) != NULL)
		return docs;
	err_set(ERR_USAGE, "%s:%d:%d: JSON: %s", what, jerr.line, jerr.column, jerr.text);
	return NULL;
}

/* The objects of docs, with the items of any List in their place: a new
 * array of borrowed-then-increfed objects. */
static json_t *objects_of(json_t *docs)
{
	json_t *objs = json_array(), *doc, *items, *item;
	size_t i, j;

	json_array_foreach(docs, i, doc) {
		const char *kind = json_string_value(json_object_get(doc, "kind"));
		size_t klen = kind ? strlen(kind) : 0;

		items = json_object_get(doc, "items");
		if (klen >= 4 && strcmp(kind + klen - 4, "List") == 0 &&
		    json_is_array(items)) {
			json_array_foreach(items, j, item)
				if (json_is_object(item))
					json_array_append(objs, item);
		} else if (json_is_object(doc)) {
			json_array_append(objs, doc);
		}
	}
	return objs;
}

/* "A, B" of the kinds of objs, or "nothing" when there are none. */
static char *kinds_of(json_t *objs)
{
	char *list = NULL, *next;
	json_t *obj;
	size_t i;

	json_array_foreach(objs, i, obj) {
		const char *kind = json_string_value(json_object_get(obj, "kind"));

		next = xasprintf("%s%s%s", list ? list : "", list ? ", " : "",
		    kind ? kind : "(no kind)");
		free(list);
		list = next;
	}
	return list ? list : xstrdup("nothing");
}

/* json_object_get through a dotted path of object members; NULL when any
 * step is missing or not an object. */
static json_t *get_path(json_t *obj, const char *path)
{
	char *copy = xstrdup(path), *save = NULL, *key;

	for (key = strtok_r(copy, ".", &save); key != NULL && obj != NULL;
	    key = strtok_r(NULL, ".", &save))
		obj = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	free(copy);
	return obj;
}

/* Reads the string at path under root into *out (NULL when absent or null).
 * Returns 0, or -1 with ERR_USAGE when it has another type. */
static int get_string(json_t *root, const char *path, const struct where *w,
    char **out)
{
	json_t *v = get_path(root, path);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		err_set(ERR_USAGE, "%s: %s \"%s\": %s: expected a string", w->what,
		    w->kind, w->name, path);
		return -1;
	}
	*out = xstrdup(json_string_value(v));
	return 0;
}

/* Reads the boolean at path (false when absent or null). */
static int get_bool(json_t *root, const char *path, const struct where *w, bool *out)
{
	json_t *v = get_path(root, path);

	*out = false;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v)) {
		err_set(ERR_USAGE, "%s: %s \"%s\": %s: expected true or false",
		    w->what, w->kind, w->name, path);
		return -1;
	}
	*out = json_is_true(v);
	return 0;
}

/* Maps one (Cluster)Issuer object into iss. Returns 0 or -1 with err. */
static int map_issuer(json_t *obj, const char *what, struct k8s_issuer *iss)
{
	json_t *acme, *conds, *cond;
	struct where w = { what, NULL, NULL };
	char *ca_bundle = NULL;
	size_t i;
	int rc = -1;

	iss->kind = xstrdup(json_string_value(json_object_get(obj, "kind")));
	w.kind = iss->kind;
	w.name = "";
	if (get_string(obj, "metadata.name", &w, &iss->name) == -1)
		return -1;
	w.name = iss->name ? iss->name : "";
	if (get_string(obj, "metadata.namespace", &w, &iss->namespace) == -1)
		return -1;
	acme = get_path(obj, "spec.acme");
	if (!json_is_object(acme)) {
		err_set(ERR_USAGE, "%s: %s \"%s\" is not an ACME issuer (no spec.acme)",
		    what, iss->kind, w.name);
		return -1;
	}
	if (get_string(obj, "spec.acme.server", &w, &iss->server) == -1 ||
	    get_string(obj, "spec.acme.email", &w, &iss->email) == -1 ||
	    get_string(obj, "spec.acme.privateKeySecretRef.name", &w,
		&iss->key_secret_name) == -1 ||
	    get_string(obj, "spec.acme.privateKeySecretRef.key", &w,
		&iss->key_secret_key) == -1 ||
	    get_string(obj, "spec.acme.caBundle", &w, &ca_bundle) == -1 ||
	    get_bool(obj, "spec.acme.skipTLSVerify", &w, &iss->skip_tls_verify) == -1 ||
	    get_string(obj, "spec.acme.preferredChain", &w, &iss->preferred_chain) == -1 ||
	    get_string(obj, "spec.acme.externalAccountBinding.keyID", &w,
		&iss->eab_key_id) == -1 ||
	    get_string(obj, "spec.acme.externalAccountBinding.keySecretRef.name", &w,
		&iss->eab_secret_name) == -1 ||
	    get_string(obj, "spec.acme.externalAccountBinding.keySecretRef.key", &w,
		&iss->eab_secret_key) == -1 ||
	    get_string(obj, "spec.acme.externalAccountBinding.keyAlgorithm", &w,
		&iss->eab_key_algorithm) == -1 ||
	    get_bool(obj, "spec.acme.disableAccountKeyGeneration", &w,
		&iss->disable_account_key_generation) == -1 ||
	    get_string(obj, "spec.acme.profile", &w, &iss->profile) == -1 ||
	    get_string(obj, "status.acme.uri", &w, &iss->status_uri) == -1 ||
	    get_string(obj, "status.acme.lastRegisteredEmail", &w,
		&iss->last_registered_email) == -1 ||
	    get_string(obj, "status.acme.lastPrivateKeyHash", &w,
		&iss->last_private_key_hash) == -1)
		goto out;
	/* cert-manager's default for an empty or missing key name. */
	if (iss->key_secret_key == NULL || iss->key_secret_key[0] == '\0') {
		free(iss->key_secret_key);
		iss->key_secret_key = xstrdup(DEFAULT_KEY);
	}
	if (ca_bundle != NULL && ca_bundle[0] != '\0' &&
	    (iss->ca_bundle_pem = b64_std_decode(ca_bundle, &iss->ca_bundle_len)) == NULL) {
		err_set(ERR_USAGE, "%s: %s \"%s\": spec.acme.caBundle is not valid "
		    "base64", what, iss->kind, w.name);
		goto out;
	}
	conds = get_path(obj, "status.conditions");
	json_array_foreach(conds, i, cond) {
		const char *type = json_string_value(json_object_get(cond, "type"));

		if (type == NULL || strcmp(type, "Ready") != 0)
			continue;
		if (get_string(cond, "status", &w, &iss->ready.status) == -1 ||
		    get_string(cond, "reason", &w, &iss->ready.reason) == -1 ||
		    get_string(cond, "message", &w, &iss->ready.message) == -1)
			goto out;
		break;
	}
	rc = 0;
out:
	free(ca_bundle);
	return rc;
}

struct k8s_issuer *k8s_issuer_parse(const char *text, size_t len, const char *what)
{
	json_t *docs, *objs = NULL, *obj, *found = NULL;
	struct k8s_issuer *iss = NULL;
	char *kinds;
	size_t i;

	if ((docs = k8s_documents(text, len, what)) == NULL)
		return NULL;
	objs = objects_of(docs);
	json_array_foreach(objs, i, obj) {
		const char *kind = json_string_value(json_object_get(obj, "kind"));

		if (kind != NULL && (strcmp(kind, "ClusterIssuer") == 0 ||
		    strcmp(kind, "Issuer") == 0)) {
			found = obj;
			break;
		}
	}
	if (found == NULL) {
		kinds = kinds_of(objs);
		err_set(ERR_USAGE, "%s: no ClusterIssuer or Issuer in it (found: %s)",
		    what, kinds);
		free(kinds);
		goto out;
	}
	iss = xcalloc(1, sizeof(*iss));
	if (map_issuer(found, what, iss) == -1) {
		k8s_issuer_free(iss);
		iss = NULL;
	}
out:
	json_decref(objs);
	json_decref(docs);
	return iss;
}

struct k8s_issuer *k8s_issuer_load(const char *path)
{
	struct k8s_issuer *iss;
	size_t len;
	char *text;

	if ((text = file_read(path, MAX_FILE, ERR_USAGE, &len)) == NULL)
		return NULL;
	iss = k8s_issuer_parse(text, len, path);
	free(text);
	return iss;
}

json_t *k8s_objects(const char *text, size_t len, const char *what)
{
	json_t *docs = k8s_documents(text, len, what), *objs;

	if (docs == NULL)
		return NULL;
	objs = objects_of(docs);
	json_decref(docs);
	return objs;
}

json_t *k8s_objects_load(const char *path)
{
	json_t *objs;
	size_t len;
	char *text;

	if ((text = file_read(path, MAX_FILE, ERR_USAGE, &len)) == NULL)
		return NULL;
	objs = k8s_objects(text, len, path);
	free(text);
	return objs;
}

void k8s_issuer_free(struct k8s_issuer *iss)
{
	if (iss == NULL)
		return;
	free(iss->kind);
	free(iss->name);
	free(iss->namespace);
	free(iss->server);
	free(iss->email);
	free(iss->key_secret_name);
	free(iss->key_secret_key);
	free(iss->ca_bundle_pem);
	free(iss->preferred_chain);
	free(iss->eab_key_id);
	free(iss->eab_secret_name);
	free(iss->eab_secret_key);
	free(iss->eab_key_algorithm);
	free(iss->profile);
	free(iss->status_uri);
	free(iss->last_registered_email);
	free(iss->last_private_key_hash);
	free(iss->ready.status);
	free(iss->ready.reason);
	free(iss->ready.message);
	free(iss);
}

/* "a, b" of the keys of data and stringData, or "none". */
static char *keys_of(json_t *secret)
{
	static const char *const maps[] = { "data", "stringData" };
	char *list = NULL, *next;
	const char *key;
	json_t *val;

	for (size_t m = 0; m < 2; m++) {
		json_object_foreach(json_object_get(secret, maps[m]), key, val) {
			next = xasprintf("%s%s%s", list ? list : "", list ? ", " : "", key);
			free(list);
			list = next;
		}
	}
	return list ? list : xstrdup("none");
}

/* "a, b" of the names of the Secrets among objs. */
static char *secret_names(json_t *objs)
{
	char *list = NULL, *next;
	json_t *obj;
	size_t i;

	json_array_foreach(objs, i, obj) {
		const char *kind = json_string_value(json_object_get(obj, "kind"));
		const char *name = json_string_value(get_path(obj, "metadata.name"));

		if (kind == NULL || strcmp(kind, "Secret") != 0)
			continue;
		next = xasprintf("%s%s\"%s\"", list ? list : "", list ? ", " : "",
		    name ? name : "");
		free(list);
		list = next;
	}
	return list ? list : xstrdup("none");
}

/* Takes the value of key from secret into out. Returns 0 or -1 with err. */
static int secret_value(json_t *secret, const char *what, const char *key,
    struct k8s_secret_value *out)
{
	json_t *sval = json_object_get(json_object_get(secret, "stringData"), key);
	json_t *dval = json_object_get(json_object_get(secret, "data"), key);
	char *keys;

	/* The API server lays stringData over data. */
	if (json_is_string(sval)) {
		out->len = json_string_length(sval);
		out->data = xmalloc(out->len + 1);
		memcpy(out->data, json_string_value(sval), out->len + 1);
		return 0;
	}
	if (json_is_string(dval)) {
		if ((out->data = b64_std_decode(json_string_value(dval), &out->len)) == NULL) {
			err_set(ERR_USAGE, "secret %s: data key \"%s\" is not valid "
			    "base64", what, key);
			return -1;
		}
		return 0;
	}
	out->missing = K8S_SECRET_KEY_ABSENT;
	keys = keys_of(secret);
	err_set(ERR_USAGE, "secret %s has no data key \"%s\"; keys present: %s",
	    what, key, keys);
	free(keys);
	return -1;
}

int k8s_secret_parse(const char *text, size_t len, const char *what,
    const char *name, const char *key, struct k8s_secret_value *out)
{
	json_t *docs, *objs = NULL, *obj, *found = NULL;
	char *list;
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if ((docs = k8s_documents(text, len, what)) == NULL)
		return -1;
	objs = objects_of(docs);
	json_array_foreach(objs, i, obj) {
		const char *kind = json_string_value(json_object_get(obj, "kind"));
		const char *oname = json_string_value(get_path(obj, "metadata.name"));

		if (kind != NULL && strcmp(kind, "Secret") == 0 &&
		    (name == NULL || (oname != NULL && strcmp(oname, name) == 0))) {
			found = obj;
			break;
		}
	}
	if (found == NULL) {
		out->missing = K8S_SECRET_ABSENT;
		if (name != NULL) {
			list = secret_names(objs);
			err_set(ERR_USAGE, "%s: no Secret named \"%s\" in it (Secrets: %s)",
			    what, name, list);
		} else {
			list = kinds_of(objs);
			err_set(ERR_USAGE, "%s: no Secret in it (found: %s)", what, list);
		}
		free(list);
		goto out;
	}
	if (secret_value(found, what, key, out) == -1)
		goto out;
	if (json_is_string(get_path(found, "metadata.name")))
		out->name = xstrdup(json_string_value(get_path(found, "metadata.name")));
	if (json_is_string(get_path(found, "metadata.namespace")))
		out->namespace = xstrdup(json_string_value(get_path(found,
		    "metadata.namespace")));
	rc = 0;
out:
	json_decref(objs);
	json_decref(docs);
	return rc;
}

int k8s_secret_load(const char *path, const char *name, const char *key,
    struct k8s_secret_value *out)
{
	size_t len;
	char *text;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((text = file_read(path, MAX_FILE, ERR_USAGE, &len)) == NULL)
		return -1;
	rc = k8s_secret_parse(text, len, path, name, key, out);
	OPENSSL_cleanse(text, len);
	free(text);
	return rc;
}

EVP_PKEY *k8s_secret_key_load(const char *path, const char *name, const char *key,
    char **secret_name)
{
	struct k8s_secret_value val;
	EVP_PKEY *pkey;
	char *what;

	if (k8s_secret_load(path, name, key, &val) != 0)
		return NULL;
	what = xasprintf("%s: data key \"%s\"", path, key);
	pkey = key_from_pem((const char *)val.data, val.len, what);
	free(what);
	if (pkey != NULL && secret_name != NULL) {
		*secret_name = val.name;
		val.name = NULL;
	}
	k8s_secret_value_clear(&val);
	return pkey;
}

void k8s_secret_value_clear(struct k8s_secret_value *v)
{
	if (v == NULL)
		return;
	if (v->data != NULL) {
		OPENSSL_cleanse(v->data, v->len);
		free(v->data);
	}
	free(v->name);
	free(v->namespace);
	memset(v, 0, sizeof(*v));
}

/* Object names (RFC 1123 subdomain) and namespaces (RFC 1123 label), as the
 * API server checks them. */
#define MAX_NAME 253
#define MAX_LABEL 63

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Checks that s is a valid object name, or a namespace when label. 0, or
 * -1 with ERR_USAGE: "WHAT "S" is not a valid Kubernetes ...: why". */
static int check_name(const char *what, const char *s, bool label)
{
	size_t len = strlen(s), max = label ? MAX_LABEL : MAX_NAME;
	char *why = NULL, *shown;

	if (len == 0)
		why = xstrdup("it is empty");
	else if (len > max)
		why = xasprintf("it has %zu characters, at most %zu are allowed", len, max);
	for (size_t i = 0; why == NULL && i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (lower_alnum((char)c))
			continue;
		if (c != '-' && (c != '.' || label)) {
			char shown_c[16];

			snprintf(shown_c, sizeof(shown_c), c > 0x20 && c < 0x7f ?
			    "'%c'" : "byte 0x%02x", c);
			why = xasprintf("%s is not allowed (only lowercase letters, "
			    "digits%s)", shown_c, label ? " and '-'" : ", '-' and '.'");
		} else if (i == 0 || i == len - 1 || s[i - 1] == '.' || s[i + 1] == '.') {
			why = xstrdup(label ? "it must start and end with a letter or digit" :
			    "it and each of its dot-separated parts must start and end "
			    "with a letter or digit");
		}
	}
	if (why == NULL)
		return 0;
	shown = str_printable(s);
	err_set(ERR_USAGE, "%s \"%s\" is not a valid Kubernetes %s: %s", what, shown,
	    label ? "namespace (RFC 1123 label)" : "name (RFC 1123 subdomain)", why);
	free(shown);
	free(why);
	return -1;
}

/* s as a YAML double-quoted scalar: JSON string syntax, which YAML reads
 * the same, with everything outside ASCII as \uXXXX. NULL with ERR_USAGE
 * when s is not UTF-8. Caller frees. */
static char *quoted(const char *what, const char *s)
{
	json_t *str = json_string(s);
	char *out = str != NULL ? json_dumps(str, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;

	json_decref(str);
	if (out == NULL)
		err_set(ERR_USAGE, "the %s is not valid UTF-8", what);
	return out;
}

char *k8s_account_manifest(const struct k8s_account_export *e, size_t *len)
{
	char *server = NULL, *email = NULL, *url = NULL, *url_shown = NULL;
	char *server_shown = NULL, *email_line = NULL, *ns_line = NULL;
	char *ca_line = NULL, *ca = NULL, *head = NULL, *tail = NULL, *key = NULL;
	char *out = NULL;
	bool cluster;
	size_t hlen, klen, tlen;

	cluster = strcmp(e->kind, "ClusterIssuer") == 0;
	if (!cluster && strcmp(e->kind, "Issuer") != 0) {
		err_set(ERR_USAGE, "kind must be ClusterIssuer or Issuer (got \"%s\")",
		    e->kind);
		return NULL;
	}
	if (check_name("issuer name", e->name, false) == -1 ||
	    check_name("Secret name", e->secret_name, false) == -1 ||
	    (e->namespace != NULL && check_name("namespace", e->namespace, true) == -1) ||
	    check_name("ingress class", e->solver_class, false) == -1)
		return NULL;
	if ((server = quoted("server URL", e->server)) == NULL ||
	    (url = quoted("account URL", e->account_url)) == NULL ||
	    (e->email != NULL && (email = quoted("email address", e->email)) == NULL))
		goto out;
	email_line = email != NULL ? xasprintf("    email: %s\n", email) : xstrdup("");
	ns_line = e->namespace != NULL ?
	    xasprintf("  namespace: \"%s\"\n", e->namespace) : xstrdup("");
	if (e->ca_bundle != NULL) {
		ca = b64_std_encode(e->ca_bundle, e->ca_bundle_len);
		ca_line = xasprintf("    caBundle: \"%s\"\n", ca);
	} else {
		ca_line = xstrdup("");
	}
	/* comments are for people: no byte there may end the line early */
	url_shown = str_printable(e->account_url);
	server_shown = str_printable(e->server);
	head = xasprintf(
	    "# The ACME account %s\n"
	    "# at %s, exported by acmectl.\n"
	    "# The Secret holds the account key: keep this file as secret as the key.\n"
	    "---\n"
	    "apiVersion: v1\n"
	    "kind: Secret\n"
	    "metadata:\n"
	    "  name: \"%s\"\n"
	    "%s"
	    "  annotations:\n"
	    "    acmectl/account-url: %s\n"
	    "type: Opaque\n"
	    "data:\n"
	    "  tls.key: \"", url_shown, server_shown, e->secret_name, ns_line, url);
	tail = xasprintf("\"\n"
	    "---\n"
	    "apiVersion: cert-manager.io/v1\n"
	    "kind: %s\n"
	    "metadata:\n"
	    "  name: \"%s\"\n"
	    "%s"
	    "  annotations:\n"
	    "    acmectl/account-url: %s\n"
	    "spec:\n"
	    "  acme:\n"
	    "    server: %s\n"
	    "%s"
	    "    privateKeySecretRef:\n"
	    "      name: \"%s\"\n"
	    "      key: tls.key\n"
	    "    disableAccountKeyGeneration: true\n"
	    "%s"
	    "    solvers:\n"
	    "    - http01:\n"
	    "        ingress:\n"
	    "          ingressClassName: \"%s\"\n",
	    e->kind, e->name, cluster ? "" : ns_line, url, server, email_line,
	    e->secret_name, ca_line, e->solver_class);
	/* one exact allocation, so no copy of the key is left behind by a
	 * growing buffer */
	key = b64_std_encode(e->key_pem, e->key_pem_len);
	hlen = strlen(head);
	klen = strlen(key);
	tlen = strlen(tail);
	out = xmalloc(hlen + klen + tlen + 1);
	memcpy(out, head, hlen);
	memcpy(out + hlen, key, klen);
	memcpy(out + hlen + klen, tail, tlen + 1);
	*len = hlen + klen + tlen;
out:
	if (key != NULL) {
		OPENSSL_cleanse(key, strlen(key));
		free(key);
	}
	free(server);
	free(email);
	free(url);
	free(url_shown);
	free(server_shown);
	free(email_line);
	free(ns_line);
	free(ca_line);
	free(ca);
	free(head);
	free(tail);
	return out;
}
