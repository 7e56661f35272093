/* revoke.c - revokeCert requests and the revoked mark in the state. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "b64url.h"
#include "err.h"
#include "revoke.h"
#include "store.h"
#include "util.h"

unsigned char *revoke_cert_der(const char *pem, const char *what, size_t *len)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	unsigned char *der = NULL, *p;
	X509 *x = NULL;
	int n;

	if (bio == NULL || (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL ||
	    (n = i2d_X509(x, NULL)) <= 0) {
		err_set(ERR_USAGE, "%s holds no PEM certificate", what);
		goto out;
	}
	der = p = xmalloc((size_t)n);
	i2d_X509(x, &p);
	*len = (size_t)n;
out:
	ERR_clear_error();
	X509_free(x);
	BIO_free(bio);
	return der;
}

bool revoke_key_matches(const unsigned char *der, size_t len, EVP_PKEY *key)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	bool match;

	match = x != NULL && EVP_PKEY_eq(X509_get0_pubkey(x), key) == 1;
	ERR_clear_error();
	X509_free(x);
	return match;
}

int revoke_cert(struct acme *a, const unsigned char *der, size_t len, int reason,
    EVP_PKEY *cert_key)
{
	const char *url = acme_directory(a)->revoke_cert;
	struct acme_reply r = { 0 };
	char *cert = NULL, *body = NULL;
	json_t *payload = NULL;
	int rc = -1;

	if (url == NULL) {
		err_set(ERR_ACME, "revoke certificate: the server offers no revokeCert");
		goto out;
	}
	cert = b64url_encode(der, len);
	payload = json_pack("{s:s}", "certificate", cert);
	if (reason >= 0)
		json_object_set_new(payload, "reason", json_integer(reason));
	body = json_dumps(payload, JSON_COMPACT);
	if (cert_key != NULL)
		acme_set_account(a, cert_key, NULL);
	if (acme_post(a, "revoke certificate", url, body, cert_key != NULL, &r) != 0)
		goto out;
	rc = 0;
out:
	acme_reply_clear(&r);
	free(body);
	json_decref(payload);
	free(cert);
	return rc;
}

bool revoke_is_marked(json_t *issuance)
{
	return json_is_object(json_object_get(issuance, "revoked"));
}

int revoke_mark(const char *state, const char *name, int reason, time_t at)
{
	char when[32], *path = NULL;
	json_t *issuance;
	struct tm tm;
	int rc = -1;

	if ((issuance = store_load_issuance(state, name)) == NULL)
		return -1;
	if (revoke_is_marked(issuance)) {
		rc = 0;
		goto out;
	}
	gmtime_r(&at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(issuance, "revoked", json_pack("{s:s,s:i}", "at", when,
	    "reason", reason >= 0 ? reason : 0));
	path = store_cert_file(state, name, STORE_ISSUANCE);
	rc = store_write_json(path, issuance, 0644);
out:
	free(path);
	json_decref(issuance);
	return rc;
}
