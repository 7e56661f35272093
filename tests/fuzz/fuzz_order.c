/* fuzz_order.c - the order and authorization objects a CA answers (RFC
 * 8555 7.1.3, 7.1.4): the challenge acmectl would answer with its token
 * and URL, the key authorization made from that token, and the problem
 * documents in "error" members that explain an invalid order. */
#include "config.h"

#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "b64url.h"
#include "fuzz.h"
#include "jws.h"
#include "order.h"
#include "util.h"

static EVP_PKEY *account_key;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = { "http-01", "dns-01" };
	json_t *doc = json_loadb((const char *)data, size, 0, NULL), *ch;
	const char *token, *url;
	size_t i;

	if (account_key == NULL)
		account_key = EVP_EC_gen("P-256");
	for (i = 0; i < nitems(types); i++) {
		if (order_authz_challenge(doc, types[i], &token, &url) != 0)
			continue;
		if (b64url_is_token(token))
			free(jws_key_authorization(account_key, token));
	}
	problem_free(order_problem_of(doc));
	json_array_foreach(json_object_get(doc, "challenges"), i, ch)
		problem_free(order_problem_of(ch));
	json_decref(doc);
	err_clear();
	ERR_clear_error();
	return 0;
}
