/* test_order.c - the pure pieces of an order: the width of authorization
 * rounds (the fewest requests in flight that keep the round count of the
 * width allowed), what their last round holds and when the first
 * validation poll leaves; what is read of a CA's authorization and order objects
 * (the challenge to answer, the problem in an "error" member); the split
 * of a downloaded PEM chain into the leaf and the rest. */
#include "config.h"

#include <limits.h>

#include <jansson.h>

#include "err.h"
#include "order.h"
#include "test.h"

#define AUTHZ(challenges) "{\"status\":\"pending\",\"identifier\":{\"type\":\"dns\"," \
	"\"value\":\"example.org\"},\"challenges\":" challenges "}"
#define HTTP01 "{\"type\":\"http-01\",\"url\":\"https://ca/chal/1\",\"token\":\"tok-1\"}"
#define DNS01 "{\"type\":\"dns-01\",\"url\":\"https://ca/chal/2\",\"token\":\"tok-2\"}"

/* {authorization, challenge type} -> its token and url, or the error */
static const struct {
	const char *authz, *type;
	const char *token, *url, *error;
} challenge_rows[] = {
	{ AUTHZ("[" HTTP01 "," DNS01 "]"), "http-01", "tok-1", "https://ca/chal/1", NULL },
	{ AUTHZ("[" HTTP01 "," DNS01 "]"), "dns-01", "tok-2", "https://ca/chal/2", NULL },
	{ AUTHZ("[" HTTP01 "]"), "dns-01", NULL, NULL,
	  "the server offers no dns-01 challenge for example.org" },
	{ AUTHZ("[]"), "http-01", NULL, NULL,
	  "the server offers no http-01 challenge for example.org" },
	{ AUTHZ(HTTP01), "http-01", NULL, NULL,
	  "the server offers no http-01 challenge for example.org" },
	{ AUTHZ("[1, null, \"http-01\", {\"type\":7}]"), "http-01", NULL, NULL,
	  "the server offers no http-01 challenge for example.org" },
	{ AUTHZ("[{\"type\":\"http-01\",\"url\":\"https://ca/chal/1\"}]"), "http-01",
	  NULL, NULL, "the http-01 challenge for example.org lacks a token or url" },
	{ AUTHZ("[{\"type\":\"http-01\",\"token\":\"t\",\"url\":[\"https://ca/\"]}]"),
	  "http-01", NULL, NULL, "the http-01 challenge for example.org lacks a token or url" },
	{ "{\"challenges\":[" DNS01 "]}", "http-01", NULL, NULL,
	  "the server offers no http-01 challenge for ?" },
	{ "[" HTTP01 "]", "http-01", NULL, NULL, "the server offers no http-01 challenge for ?" },
	{ "not json", "http-01", NULL, NULL, "the server offers no http-01 challenge for ?" },
};

#define PROBLEM "{\"type\":\"urn:ietf:params:acme:error:connection\",\"detail\":\"Timeout\"}"

/* {object} -> the type and detail of its error member's problem, or none */
static const struct {
	const char *obj;
	const char *type, *detail;
} problem_rows[] = {
	{ "{\"status\":\"invalid\",\"error\":" PROBLEM "}",
	  "urn:ietf:params:acme:error:connection", "Timeout" },
	{ "{\"status\":\"invalid\"}", NULL, NULL },
	{ "{\"error\":\"urn:ietf:params:acme:error:connection\"}", NULL, NULL },
	{ "{\"error\":{\"detail\":\"no type\"}}", NULL, NULL },
	{ "{\"error\":{\"type\":7}}", NULL, NULL },
	{ "[{\"error\":" PROBLEM "}]", NULL, NULL },
	{ "not json", NULL, NULL },
};

static const struct {
	size_t names, width, want;
} width_rows[] = {
	{ 0, 8, 1 },     /* nothing to fetch */
	{ 1, 1, 1 },
	{ 1, 8, 1 },     /* fetch, then answer: 2 rounds at any width */
	{ 2, 8, 2 },
	{ 5, 8, 5 },     /* 2 rounds need every fetch in the first */
	{ 8, 8, 8 },
	{ 9, 8, 6 },     /* 3 rounds: 6 | 3 + 3 | 6 */
	{ 10, 8, 7 },    /* 3 rounds: 7 | 3 + 4 | 6, a nonce fewer than 8 */
	{ 11, 8, 8 },    /* 8 | 3 + 5 | 6: 7 would need 4 */
	{ 12, 8, 8 },
	{ 17, 8, 7 },    /* 5 rounds either way */
	{ 20, 8, 8 },
	{ 100, 8, 8 },
	{ 100, 16, 16 },
	{ 6, 4, 4 },     /* tests/integration/parallel.sh: 4 | 2 + 2 | 4 */
	{ 3, 2, 2 },
	{ 10, 1, 1 },    /* loopback: one at a time */
	{ 10, 2, 2 },
	{ 10, 64, 10 },  /* never wider than the names */
	{ 10, 0, 1 },
};

/* {authorizations, width as order_round_width gives it} -> the answers of
 * the last round, beside which the early validation polls go */
static const struct {
	size_t names, width, want;
} last_rows[] = {
	{ 0, 8, 0 },     /* nothing to fetch, nothing to answer */
	{ 1, 1, 1 },     /* fetch | answer: the poll makes 2, one nonce more */
	{ 2, 2, 2 },
	{ 8, 8, 8 },     /* 8 | 8: no room left for a poll at --parallel 8 */
	{ 9, 6, 6 },     /* 6 | 3 + 3 | 6: the poll fits at --parallel 8, a nonce more */
	{ 10, 7, 6 },    /* 7 | 3 + 4 | 6: the poll makes 7, the nonces at hand */
	{ 10, 8, 4 },    /* 8 | 2 + 6 | 4 at the full width */
	{ 6, 4, 4 },     /* 4 | 2 + 2 | 4: no room at --parallel 4, polled after */
	{ 3, 1, 1 },     /* one at a time: f | a f | a f | a */
	{ 4, 0, 1 },     /* width 0 is taken as 1 */
};

/* {round trip, ms left before the deadline} -> when the first validation
 * poll leaves after the last answer, -1: after the answer came back */
static const struct {
	long long rtt, left, want;
} early_rows[] = {
	{ -1, LLONG_MAX, -1 },  /* nothing measured yet: as before */
	{ 1, LLONG_MAX, -1 },   /* loopback: the answer is back long before */
	{ 49, LLONG_MAX, -1 },
	{ 50, LLONG_MAX, -1 },  /* the answer is back when the poll would leave */
	{ 51, LLONG_MAX, 50 },  /* a round trip longer than the CA is given */
	{ 100, LLONG_MAX, 50 }, /* the bench's relay: ready one round trip sooner */
	{ 5000, LLONG_MAX, 50 },
	{ 100, 1051, 50 },      /* the poll still leaves before the last poll's bound */
	{ 100, 1050, -1 },      /* it would not: the deadline's bound decides */
	{ 100, 0, -1 },         /* the deadline is over */
};

#define B "-----BEGIN CERTIFICATE-----\n"
#define E "-----END CERTIFICATE-----"

/* leaf and rest NULL: the split fails with ERR_ACME. */
static const struct {
	const char *pem, *leaf, *rest;
} split_rows[] = {
	{ B "AAAA\n" E "\n", B "AAAA\n" E "\n", "" },              /* a leaf alone: no chain */
	{ B "AAAA\n" E "\n" B "BBBB\n" E "\n",
	  B "AAAA\n" E "\n", B "BBBB\n" E "\n" },                  /* leaf, then the chain as sent */
	{ B "AAAA\n" E "\r\n\r\n\n" B "BBBB\n" E "\n",
	  B "AAAA\n" E "\n", B "BBBB\n" E "\n" },                  /* CRLF and blank lines between */
	{ B "AAAA\n" E, B "AAAA\n" E "\n", "" },                   /* no final newline: one is added */
	{ "garbage\n" B "AAAA\n" E "\n", B "AAAA\n" E "\n", "" },  /* text before the leaf is not the leaf */
	{ "", NULL, NULL },                                         /* an empty body */
	{ "{\"type\":\"urn:x\"}", NULL, NULL },                     /* JSON instead of PEM */
	{ B "AAAA\n", NULL, NULL },                                 /* cut off before its END line */
	{ E "\n" B "AAAA\n", NULL, NULL },                          /* an END line only before the BEGIN */
	{ "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", NULL, NULL },
};

static void test_split_chain(void)
{
	for (size_t i = 0; i < nitems(split_rows); i++) {
		char *leaf = NULL, *rest = NULL, ctx[32];
		int rc = order_split_chain(split_rows[i].pem, &leaf, &rest);

		snprintf(ctx, sizeof(ctx), "split row %zu", i);
		CHECK_INT(rc, split_rows[i].leaf != NULL ? 0 : -1, ctx);
		CHECK_STR(leaf, split_rows[i].leaf, ctx);
		CHECK_STR(rest, split_rows[i].rest, ctx);
		if (rc != 0)
			CHECK_INT(err_kind(), ERR_ACME, ctx);
		free(leaf);
		free(rest);
		err_clear();
	}
}

static void test_round_width(void)
{
	for (size_t i = 0; i < nitems(width_rows); i++) {
		char ctx[64];

		snprintf(ctx, sizeof(ctx), "%zu names, width %zu", width_rows[i].names,
		    width_rows[i].width);
		CHECK_INT(order_round_width(width_rows[i].names, width_rows[i].width),
		    width_rows[i].want, ctx);
	}
}

static void test_last_round(void)
{
	for (size_t i = 0; i < nitems(last_rows); i++) {
		char ctx[64];

		snprintf(ctx, sizeof(ctx), "last round of %zu at width %zu", last_rows[i].names,
		    last_rows[i].width);
		CHECK_INT(order_last_round(last_rows[i].names, last_rows[i].width),
		    last_rows[i].want, ctx);
	}
}

static void test_early_poll(void)
{
	for (size_t i = 0; i < nitems(early_rows); i++) {
		char ctx[64];

		snprintf(ctx, sizeof(ctx), "early poll at rtt %lld, %lld ms left",
		    early_rows[i].rtt, early_rows[i].left);
		CHECK_INT(order_early_poll_ms(early_rows[i].rtt, early_rows[i].left),
		    early_rows[i].want, ctx);
	}
}

static void test_authz_challenge(void)
{
	for (size_t i = 0; i < nitems(challenge_rows); i++) {
		json_t *authz = json_loads(challenge_rows[i].authz, 0, NULL);
		const char *token = NULL, *url = NULL;
		char ctx[32];
		int rc;

		snprintf(ctx, sizeof(ctx), "challenge row %zu", i);
		err_clear();
		rc = order_authz_challenge(authz, challenge_rows[i].type, &token, &url);
		CHECK_INT(rc, challenge_rows[i].error != NULL ? -1 : 0, ctx);
		if (rc == 0) {
			CHECK_STR(token, challenge_rows[i].token, ctx);
			CHECK_STR(url, challenge_rows[i].url, ctx);
		} else {
			CHECK_INT(err_kind(), ERR_ACME, ctx);
			CHECK_STR(err_message(), challenge_rows[i].error, ctx);
		}
		json_decref(authz);
	}
	err_clear();
}

static void test_problem_of(void)
{
	for (size_t i = 0; i < nitems(problem_rows); i++) {
		json_t *obj = json_loads(problem_rows[i].obj, 0, NULL);
		struct problem *prob = order_problem_of(obj);
		char ctx[32];

		snprintf(ctx, sizeof(ctx), "problem row %zu", i);
		CHECK_INT(prob != NULL, problem_rows[i].type != NULL, ctx);
		if (prob != NULL) {
			CHECK_STR(prob->type, problem_rows[i].type, ctx);
			CHECK_STR(prob->detail, problem_rows[i].detail, ctx);
		}
		problem_free(prob);
		json_decref(obj);
	}
}

int main(void)
{
	test_round_width();
	test_last_round();
	test_early_poll();
	test_authz_challenge();
	test_problem_of();
	test_split_chain();
	return test_done();
}
