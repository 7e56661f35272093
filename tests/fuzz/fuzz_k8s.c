/* fuzz_k8s.c - Kubernetes manifests (YAML and JSON) as diagnose and
 * account import read them: a (Cluster)Issuer and the Secret with its
 * account key, from one file or a List. */
#include "config.h"

#include <openssl/err.h>

#include "fuzz.h"
#include "k8s.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct k8s_secret_value v;
	struct k8s_issuer *iss;

	json_decref(k8s_documents(text, size, "fuzz.yaml"));
	iss = k8s_issuer_parse(text, size, "fuzz.yaml");
	if (iss != NULL && iss->key_secret_name != NULL) {
		memset(&v, 0, sizeof(v));
		if (k8s_secret_parse(text, size, "fuzz.yaml", iss->key_secret_name,
		    iss->key_secret_key != NULL ? iss->key_secret_key : "tls.key", &v) == 0)
			k8s_secret_value_clear(&v);
	}
	k8s_issuer_free(iss);
	memset(&v, 0, sizeof(v));
	if (k8s_secret_parse(text, size, "fuzz.yaml", NULL, "tls.key", &v) == 0)
		k8s_secret_value_clear(&v);
	err_clear();
	ERR_clear_error();
	return 0;
}
