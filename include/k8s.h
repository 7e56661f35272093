/* k8s.h - the Kubernetes manifests diagnose reads: a cert-manager
 * ClusterIssuer or Issuer, and the Secret holding its ACME account key.
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

/* One value of a Secret. */
struct k8s_secret_value {
	char *name;           /* the Secret's metadata.name, or NULL */
	char *namespace;      /* its metadata.namespace, or NULL */
	unsigned char *data;  /* the decoded bytes, NUL-terminated; secret */
	size_t len;
};

/* Finds a Secret among the documents of text (the one named name, or the
 * first when name is NULL) and returns its value for key: stringData.<key>
 * as is, else data.<key> base64-decoded (standard alphabet, padded, line
 * breaks ignored, as the API server stores it). Fills out and returns 0, or
 * returns -1 with ERR_USAGE naming what: no such Secret, no such key
 * ("secret FILE has no data key "tls.key"; keys present: a, b"), or bad
 * base64. Release out with k8s_secret_value_clear(). */
int k8s_secret_parse(const char *text, size_t len, const char *what,
    const char *name, const char *key, struct k8s_secret_value *out);

/* Reads path and calls k8s_secret_parse(). */
int k8s_secret_load(const char *path, const char *name, const char *key,
    struct k8s_secret_value *out);

/* Wipes and frees the value and zeroes v. */
void k8s_secret_value_clear(struct k8s_secret_value *v);

#endif
