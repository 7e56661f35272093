/* test_problem.c - problem documents (RFC 7807 / RFC 8555 6.7) into the
 * structured record, and the one-line message err_problem builds. */
#include "config.h"

#include <stdlib.h>

#include "err.h"
#include "test.h"

static const struct {
	const char *body;
	long http_status;
	int parses;
	const char *type, *short_type, *detail;
	long status;
	size_t nsub;
	const char *sub0_id, *sub0_type;
	const char *message;   /* err_message() after err_problem(prob, "ctx") */
} rows[] = {
	{ "{\"type\":\"urn:ietf:params:acme:error:badNonce\",\"detail\":\"JWS has an invalid anti-replay nonce\",\"status\":400}",
	  400, 1, "urn:ietf:params:acme:error:badNonce", "badNonce", "JWS has an invalid anti-replay nonce", 400, 0, NULL, NULL,
	  "ctx: badNonce: JWS has an invalid anti-replay nonce" },
	{ "{\"type\":\"urn:ietf:params:acme:error:malformed\",\"detail\":\"x\"}",
	  400, 1, "urn:ietf:params:acme:error:malformed", "malformed", "x", 400, 0, NULL, NULL, "ctx: malformed: x" },
	{ "{\"type\":\"urn:ietf:params:acme:error:rateLimited\",\"detail\":\"too many\",\"status\":429}",
	  429, 1, "urn:ietf:params:acme:error:rateLimited", "rateLimited", "too many", 429, 0, NULL, NULL, "ctx: rateLimited: too many" },
	{ "{\"type\":\"about:blank\",\"status\":503}",
	  503, 1, "about:blank", "about:blank", NULL, 503, 0, NULL, NULL, "ctx: about:blank (HTTP 503)" },
	{ "{\"type\":\"urn:ietf:params:acme:error:connection\",\"detail\":\"127.0.0.2: Fetching http://x/.well-known/acme-challenge/t: Connection refused\",\"status\":400}",
	  400, 1, "urn:ietf:params:acme:error:connection", "connection",
	  "127.0.0.2: Fetching http://x/.well-known/acme-challenge/t: Connection refused", 400, 0, NULL, NULL,
	  "ctx: connection: 127.0.0.2: Fetching http://x/.well-known/acme-challenge/t: Connection refused" },
	{ "{\"type\":\"urn:ietf:params:acme:error:rejectedIdentifier\",\"detail\":\"Error creating new order\",\"status\":400,"
	  "\"subproblems\":[{\"type\":\"urn:ietf:params:acme:error:rejectedIdentifier\",\"detail\":\"bad\",\"identifier\":{\"type\":\"dns\",\"value\":\"a.example\"}},"
	  "{\"type\":\"urn:ietf:params:acme:error:caa\",\"detail\":\"caa\",\"identifier\":{\"type\":\"dns\",\"value\":\"b.example\"}}]}",
	  400, 1, "urn:ietf:params:acme:error:rejectedIdentifier", "rejectedIdentifier", "Error creating new order", 400, 2,
	  "a.example", "urn:ietf:params:acme:error:rejectedIdentifier", "ctx: rejectedIdentifier: Error creating new order" },
	{ "{\"type\":\"urn:ietf:params:acme:error:unauthorized\",\"detail\":\"d\",\"subproblems\":[{\"type\":\"urn:ietf:params:acme:error:dns\"}]}",
	  403, 1, "urn:ietf:params:acme:error:unauthorized", "unauthorized", "d", 403, 1, NULL, "urn:ietf:params:acme:error:dns", "ctx: unauthorized: d" },
	{ "{\"type\":\"https://example.org/custom\",\"detail\":\"vendor\",\"status\":\"x\"}",
	  418, 1, "https://example.org/custom", "https://example.org/custom", "vendor", 418, 0, NULL, NULL, "ctx: https://example.org/custom: vendor" },
	/* a hostile server's escape sequences and line breaks are shown, not obeyed */
	{ "{\"type\":\"urn:ietf:params:acme:error:compound\",\"detail\":\"x\\u001b[31mred\\u001b[0m\\nsecond line\","
	  "\"subproblems\":[{\"type\":\"urn:ietf:params:acme:error:dns\\r\",\"detail\":\"caf\\u00e9\","
	  "\"identifier\":{\"type\":\"dns\",\"value\":\"n0.example\\u0007\"}}]}",
	  400, 1, "urn:ietf:params:acme:error:compound", "compound", "x\\x1b[31mred\\x1b[0m\\nsecond line", 400, 1,
	  "n0.example\\x07", "urn:ietf:params:acme:error:dns\\r",
	  "ctx: compound: x\\x1b[31mred\\x1b[0m\\nsecond line" },
	{ "{\"detail\":\"no type\"}", 400, 0, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "<html>502 Bad Gateway</html>", 502, 0, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "", 500, 0, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "[1,2]", 400, 0, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "{\"type\":5}", 400, 0, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL },
};

static const struct {
	const char *type;
	const char *name;
	int is;
} is_rows[] = {
	{ "urn:ietf:params:acme:error:badNonce", "badNonce", 1 },
	{ "urn:ietf:params:acme:error:badNonce", "badnonce", 0 },
	{ "urn:ietf:params:acme:error:badNonceX", "badNonce", 0 },
	{ "urn:ietf:params:acme:error:rateLimited", "rateLimited", 1 },
	{ "urn:ietf:params:acme:error:", "", 1 },
	{ "badNonce", "badNonce", 0 },
	{ "about:blank", "badNonce", 0 },
};

int main(void)
{
	for (size_t i = 0; i < nitems(rows); i++) {
		struct problem *p = problem_parse(rows[i].body, strlen(rows[i].body), rows[i].http_status);
		char ctx[32];

		snprintf(ctx, sizeof(ctx), "row %zu", i);
		CHECK_INT(p != NULL, rows[i].parses, ctx);
		if (p == NULL)
			continue;
		CHECK_STR(p->type, rows[i].type, ctx);
		CHECK_STR(problem_short_type(p), rows[i].short_type, ctx);
		CHECK_STR(p->detail, rows[i].detail, ctx);
		CHECK_INT(p->status, rows[i].status, ctx);
		CHECK_INT(p->nsub, rows[i].nsub, ctx);
		if (rows[i].nsub > 0) {
			CHECK_STR(p->sub[0].id_value, rows[i].sub0_id, ctx);
			CHECK_STR(p->sub[0].type, rows[i].sub0_type, ctx);
		}
		err_problem(p, "ctx");
		CHECK_INT(err_kind(), ERR_ACME, ctx);
		CHECK_STR(err_message(), rows[i].message, ctx);
		CHECK(err_get_problem() == p, "%s: record keeps the problem", ctx);
		err_clear();
		CHECK(err_get_problem() == NULL && err_kind() == ERR_NONE, "%s: cleared", ctx);
	}
	for (size_t i = 0; i < nitems(is_rows); i++) {
		struct problem p = { .type = (char *)is_rows[i].type };

		CHECK_INT(problem_is(&p, is_rows[i].name), is_rows[i].is, is_rows[i].type);
	}
	CHECK(!problem_is(NULL, "badNonce"), "NULL problem is nothing");

	err_set(ERR_NETWORK, "cannot connect to %s", "localhost:1");
	err_prefix("register account");
	CHECK_STR(err_message(), "register account: cannot connect to localhost:1", "prefix");
	CHECK_INT(err_kind(), ERR_NETWORK, "prefix keeps kind");
	err_set(ERR_STORAGE, "later");
	CHECK_INT(err_kind(), ERR_STORAGE, "replace");
	err_clear();
	CHECK_INT(err_report(), 0, "nothing to report");
	return test_done();
}
