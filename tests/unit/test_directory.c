/* test_directory.c - the directory a CA answers: which answers are an
 * ACME directory, what each resource is, and why the others are not. */
#include "config.h"

#include <jansson.h>

#include "acme.h"
#include "test.h"

#define REQUIRED "\"newNonce\":\"https://ca/nonce\",\"newAccount\":\"https://ca/acct\"," \
	"\"newOrder\":\"https://ca/order\""

/* {body} -> {newOrder, renewalInfo, meta present} or the reason it is none */
static const struct {
	const char *body;
	const char *new_order, *renewal_info;
	bool meta;
	const char *why;
} rows[] = {
	{ "{" REQUIRED "}", "https://ca/order", NULL, false, NULL },
	{ "{" REQUIRED ",\"renewalInfo\":\"https://ca/ari\",\"meta\":{\"profiles\":{}}}",
	  "https://ca/order", "https://ca/ari", true, NULL },
	{ "{" REQUIRED ",\"renewalInfo\":\"\",\"revokeCert\":7,\"meta\":[]}",
	  "https://ca/order", NULL, true, NULL },
	{ "{\"newNonce\":\"https://ca/nonce\",\"newAccount\":\"https://ca/acct\"}", NULL, NULL,
	  false, "newNonce, newAccount or newOrder missing" },
	{ "{" REQUIRED ",\"newNonce\":\"\"}", NULL, NULL, false,
	  "newNonce, newAccount or newOrder missing" },
	{ "{\"newNonce\":1,\"newAccount\":\"https://ca/acct\",\"newOrder\":\"https://ca/order\"}",
	  NULL, NULL, false, "newNonce, newAccount or newOrder missing" },
	{ "[{" REQUIRED "}]", NULL, NULL, false, "the answer is not a JSON object" },
	{ "<html>502 Bad Gateway</html>", NULL, NULL, false, "the answer is not a JSON object" },
	{ "", NULL, NULL, false, "the answer is not a JSON object" },
	{ "{" REQUIRED "} trailing", NULL, NULL, false, "the answer is not a JSON object" },
};

int main(void)
{
	for (size_t i = 0; i < nitems(rows); i++) {
		struct acme_directory dir = { .url = "https://ca/dir" };
		const char *why = NULL;
		json_t *doc = acme_directory_parse(rows[i].body, strlen(rows[i].body), &dir, &why);
		char ctx[32];

		snprintf(ctx, sizeof(ctx), "row %zu", i);
		CHECK_INT(doc != NULL, rows[i].why == NULL, ctx);
		if (doc != NULL) {
			CHECK_STR(dir.new_order, rows[i].new_order, ctx);
			CHECK_STR(dir.renewal_info, rows[i].renewal_info, ctx);
			CHECK_INT(dir.meta != NULL, rows[i].meta, ctx);
			CHECK_STR(dir.url, "https://ca/dir", ctx);
		} else {
			CHECK_STR(why, rows[i].why, ctx);
			CHECK(dir.new_order == NULL, "%s: a refused answer fills nothing", ctx);
		}
		json_decref(doc);
	}
	return test_done();
}
