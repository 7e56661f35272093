/* k8s.h - the Kubernetes manifests diagnose reads and account export
 * writes: a cert-manager ClusterIssuer or Issuer, and the Secret holding its
 * ACME account key.
 *
 * Input is YAML (libyaml; several documents separated by "---" allowed) or
 * JSON (jansson), as written by hand or printed by `kubectl get ... -o yaml`
 * or `-o json`, including a "kind: List" whose items are the objects.
 * Plain YAML scalars are read the way kubectl reads them: null, ~ and empty
 * are null; true/false (and YAML 1.1's yes/no/on/off/y/n) are booleans;
 * everything else, numbers included, stays a string.
 */
#ifndef ACMECTL_K8S_H
#define ACMECTL_K8S_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <openssl/evp.h>

/* A status condition; members NULL when absent. */
struct k8s_condition {
	char *status;   /* "True", "False", "Unknown" */
	char *reason;
	char *message;
};

/* The ACME part of a ClusterIssuer or Issuer. Every string is owned and
 * NULL when the manifest does not set it, except where a default is noted. */
struct k8s_issuer {
	char *kind;                  /* "ClusterIssuer" or "Issuer" */
	char *name;                  /* metadata.name */
	char *namespace;             /* metadata.namespace */
	char *server;                /* spec.acme.server */
	char *email;
	char *key_secret_name;       /* privateKeySecretRef.name */
	char *key_secret_key;        /* privateKeySecretRef.key, default "tls.key" */
	unsigned char *ca_bundle_pem; /* caBundle, base64-decoded; NUL-terminated */
	size_t ca_bundle_len;
	bool skip_tls_verify;
	char *preferred_chain;
	char *eab_key_id;            /* externalAccountBinding.keyID */
	char *eab_secret_name;       /* externalAccountBinding.keySecretRef.name */
	char *eab_secret_key;        /* externalAccountBinding.keySecretRef.key */
	char *eab_key_algorithm;     /* externalAccountBinding.keyAlgorithm */
	bool disable_account_key_generation;
	char *profile;
	char *status_uri;            /* status.acme.uri */
	char *last_registered_email; /* status.acme.lastRegisteredEmail */
	char *last_private_key_hash; /* status.acme.lastPrivateKeyHash */
	struct k8s_condition ready;  /* status.conditions[type=Ready] */
};

/* Parses len bytes of YAML or JSON into an array with one element per
 * document (null for an empty one). what names the input in messages.
 * Returns the array (caller json_decref()s) or NULL with ERR_USAGE
 * "what:LINE:COLUMN: ..." for a syntax error. */
json_t *k8s_documents(const char *text, size_t len, const char *what);

/* The objects among the YAML or JSON documents of text, the items of any
 * List in its place: a new array (caller json_decref()s), or NULL with
 * ERR_USAGE for a syntax error, naming what. */
json_t *k8s_objects(const char *text, size_t len, const char *what);

/* k8s_objects() of the file at path (at most 1 MiB). NULL with ERR_USAGE. */
json_t *k8s_objects_load(const char *path);

/* Finds the first ClusterIssuer or Issuer among the documents of text (the
 * items of a List count) and maps its spec.acme and status. Returns a new
 * record (k8s_issuer_free()) or NULL with ERR_USAGE naming what: syntax
 * error, no (Cluster)Issuer, no spec.acme, a field of the wrong type, or a
 * caBundle that is not base64. */
struct k8s_issuer *k8s_issuer_parse(const char *text, size_t len, const char *what);

/* Reads path and calls k8s_issuer_parse(). NULL with ERR_USAGE on failure. */
struct k8s_issuer *k8s_issuer_load(const char *path);

/* Frees the record. NULL is fine. */
void k8s_issuer_free(struct k8s_issuer *iss);

/* What k8s_secret_parse() did not find, for callers that take the file
 * for the namespace and model what cert-manager does without it. */
enum k8s_secret_missing {
	K8S_SECRET_FOUND,
	K8S_SECRET_ABSENT,        /* no Secret of that name */
	K8S_SECRET_KEY_ABSENT,    /* the Secret has no such data key */
};

/* One value of a Secret. */
struct k8s_secret_value {
	char *name;           /* the Secret's metadata.name, or NULL */
	char *namespace;      /* its metadata.namespace, or NULL */
	unsigned char *data;  /* the decoded bytes, NUL-terminated; secret */
	size_t len;
	enum k8s_secret_missing missing; /* set when k8s_secret_parse() failed for that */
};

/* Finds a Secret among the documents of text (the one named name, or the
 * first when name is NULL) and returns its value for key: stringData.<key>
 * as is, else data.<key> base64-decoded (standard alphabet, padded, line
 * breaks ignored, as the API server stores it). Fills out and returns 0, or
 * returns -1 with ERR_USAGE naming what: no such Secret, no such key
 * ("secret FILE has no data key "tls.key"; keys present: a, b"), or bad
 * base64; out->missing then says whether the Secret or the key was
 * absent. Release out with k8s_secret_value_clear(). */
int k8s_secret_parse(const char *text, size_t len, const char *what,
    const char *name, const char *key, struct k8s_secret_value *out);

/* Reads path and calls k8s_secret_parse(). */
int k8s_secret_load(const char *path, const char *name, const char *key,
    struct k8s_secret_value *out);

/* The account key held in a Secret of path, as k8s_secret_load() finds its
 * value, parsed as PEM (PKCS#1, PKCS#8 or SEC1). Stores the Secret's
 * metadata.name in *secret_name when that is not NULL (caller frees; NULL
 * when it has none). Returns the key (caller frees) or NULL with ERR_USAGE
 * naming path and key. */
EVP_PKEY *k8s_secret_key_load(const char *path, const char *name, const char *key,
    char **secret_name);

/* Wipes and frees the value and zeroes v. */
void k8s_secret_value_clear(struct k8s_secret_value *v);

/* An account handed to cert-manager: a Secret holding its key and an ACME
 * (Cluster)Issuer using it. All borrowed. */
struct k8s_account_export {
	const char *kind;          /* "ClusterIssuer" or "Issuer" */
	const char *name;          /* the issuer's metadata.name */
	const char *secret_name;   /* the Secret's, and privateKeySecretRef.name */
	const char *namespace;     /* the Secret's (and an Issuer's); NULL: unset */
	const char *server;        /* spec.acme.server */
	const char *email;         /* spec.acme.email; NULL: unset */
	const char *account_url;   /* shown as annotation and comment */
	const char *solver_class;  /* the http01 ingress solver's ingressClassName */
	const char *key_pem;       /* the account key as cert-manager keeps it; secret */
	size_t key_pem_len;
	const char *ca_bundle;     /* PEM for spec.acme.caBundle; NULL: unset */
	size_t ca_bundle_len;
};

/* Writes e as one multi-document YAML stream: comment lines naming the
 * account, a v1 Secret (type Opaque, data."tls.key" the base64 of key_pem)
 * and a cert-manager.io/v1 ClusterIssuer or Issuer with spec.acme server,
 * email, privateKeySecretRef {name, key: tls.key},
 * disableAccountKeyGeneration (a missing Secret must not turn into a new
 * account), caBundle and one http01 ingress solver; both carry the
 * annotation acmectl/account-url. Every string value is double-quoted (a
 * name such as "yes" or "1e3" stays a string) with non-ASCII escaped.
 * Checks first that kind is ClusterIssuer or Issuer, that name,
 * secret_name and solver_class are RFC 1123 subdomains of at most 253
 * characters and namespace an RFC 1123 label of at most 63, and that the
 * other strings are UTF-8. Returns the text, NUL-terminated, with its length
 * in *len (it holds the key: caller wipes and frees it, key_pem_free()), or
 * NULL with ERR_USAGE naming the bad value and why. */
char *k8s_account_manifest(const struct k8s_account_export *e, size_t *len);

#endif
