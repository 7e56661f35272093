/* fuzz_pem_chain.c - PEM certificate chains: what a CA serves as the
 * certificate or an alternate chain (acmectl's check, and cert-manager's as
 * diagnose models it), and the cert.pem/fullchain.pem files renew and list
 * read.
 * renew's light reader (certinfo_parse_window) must agree with the full
 * one on every certificate both read: a disagreement in the dates or the
 * issuer aborts, and one in the ARI id unless OpenSSL found an extension
 * it cannot decode (it then gives no AKI at all; the light reader does).
 * The walk over the chain's issuer CNs reads every certificate the full
 * reader reads first, and the top issuer CN and the issuer CN look-up
 * answer as that walk says. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "certcheck.h"
#include "certinfo.h"
#include "cmfailure.h"
#include "fuzz.h"
#include "order.h"

/* True when OpenSSL decodes every extension of the first certificate of
 * pem it knows (X509_check_purpose caches them; an undecodable one makes
 * it fail, and X509_get0_authority_key_id then NULL). */
static bool extensions_decode(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	bool ok = x != NULL && X509_check_purpose(x, -1, 0) == 1;

	X509_free(x);
	BIO_free(b);
	ERR_clear_error();
	return ok;
}

/* Aborts unless certinfo_top_issuer_cn and certinfo_chain_has_issuer_cn
 * answer for pem as the walk cns of its issuer CNs says: the top is the
 * last certificate's CN (none when it has none), every CN of the walk is
 * found, and one that none has is not. */
static void check_answers(const char *pem, char **cns)
{
	size_t n = strv_len(cns);
	char *top = certinfo_top_issuer_cn(pem), *absent;
	bool listed = false;

	if (n == 0 || cns[n - 1][0] == '\0' ? top != NULL :
	    top == NULL || strcmp(top, cns[n - 1]) != 0)
		abort();
	for (size_t i = 0; i < n; i++)
		if (cns[i][0] != '\0' && !certinfo_chain_has_issuer_cn(pem, cns[i]))
			abort();
	absent = xasprintf("%s.", top != NULL ? top : "absent");
	for (size_t i = 0; i < n; i++)
		listed = listed || strcmp(cns[i], absent) == 0;
	if (!listed && certinfo_chain_has_issuer_cn(pem, absent))
		abort();
	if (certinfo_chain_has_issuer_cn(pem, ""))
		abort();
	free(absent);
	free(top);
}

/* The text as an alternate chain cert-manager fetched, by both rules: a
 * verdict of -1 comes with an error, any other without. */
static void alternate_judged(const char *pem, size_t len)
{
	static const struct cm_version releases[] = { { 1, 21, 1 }, { 1, 14, 5 } };
	char *error;
	int rc;

	for (size_t i = 0; i < sizeof(releases) / sizeof(releases[0]); i++) {
		rc = cm_alternate_judge(&releases[i], "fuzz", "https://ca.example/alt", pem,
		    len, NULL, NULL, &error);
		if (rc < -1 || rc > 1 || (rc == -1) != (error != NULL))
			abort();
		free(error);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *pem = fuzz_string(data, size), *leaf = NULL, *rest = NULL, **cns;
	struct certinfo ci, window;
	int full_rc, window_rc;

	memset(&ci, 0, sizeof(ci));
	full_rc = certinfo_parse(pem, "fuzz.pem", &ci);
	window_rc = certinfo_parse_window(pem, "fuzz.pem", &window);
	if (full_rc == 0 && window_rc == 0 &&
	    (ci.not_before != window.not_before || ci.not_after != window.not_after ||
	    ci.issuer == NULL || strcmp(ci.issuer, window.issuer) != 0))
		abort();
	/* The window reader is strict DER where OpenSSL is lenient (it takes
	 * an extensions SEQUENCE tagged primitive, a fuzzer's find): it may
	 * see no ARI id where OpenSSL sees one (that certificate then renews
	 * by its dates alone), but never another id, nor one OpenSSL lacks. */
	if (full_rc == 0 && window_rc == 0 && extensions_decode(pem) && window.ari_id != NULL &&
	    (ci.ari_id == NULL || strcmp(ci.ari_id, window.ari_id) != 0))
		abort();
	certinfo_clear(&ci);
	certinfo_clear(&window);
	cns = certinfo_chain_issuer_cns(pem);
	if (full_rc == 0 && cns[0] == NULL)
		abort();
	check_answers(pem, cns);
	strv_free(cns);
	alternate_judged(pem, strlen(pem));
	if (order_split_chain(pem, &leaf, &rest) == 0) {
		/* the same text as an alternate chain of its own first
		 * certificate: checked whatever it holds, accepted only whole */
		if (certcheck_alternate(leaf, pem, strlen(pem)) == 0 && strlen(pem) > CERTCHECK_CHAIN_MAX)
			abort();
		free(leaf);
		free(rest);
	}
	err_clear();
	ERR_clear_error();
	free(pem);
	return 0;
}
