/* fuzz_csr.c - certificate signing requests given with --csr (PEM or
 * DER). A changed byte breaks the signature, which would stop every input
 * at the first check, so each input that still parses is also signed
 * again with a fixed key: the names of a well-signed hostile CSR are
 * reached too. */
#include "config.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "csr.h"
#include "fuzz.h"

static EVP_PKEY *signing_key;

/* Feeds the CSR to csr_from_data() and frees what it returned. */
static void load(const unsigned char *data, size_t len)
{
	char **names = NULL;

	free(csr_from_data(data, len, "fuzz.csr", &names));
	strv_free(names);
	err_clear();
}

/* data as DER, signed again with signing_key, then loaded. */
static void load_resigned(const uint8_t *data, size_t size)
{
	const unsigned char *p = data;
	unsigned char *der = NULL;
	X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)size);
	int len;

	if (req == NULL)
		goto out;
	if (X509_REQ_set_pubkey(req, signing_key) != 1 ||
	    X509_REQ_sign(req, signing_key, EVP_sha256()) <= 0)
		goto out;
	if ((len = i2d_X509_REQ(req, &der)) > 0)
		load(der, (size_t)len);
out:
	OPENSSL_free(der);
	X509_REQ_free(req);
	ERR_clear_error();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (signing_key == NULL)
		signing_key = EVP_EC_gen("P-256");
	load(data, size);
	load_resigned(data, size);
	return 0;
}
