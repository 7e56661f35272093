/* test_order.c - the pure pieces of an order: the width of authorization
 * rounds (the fewest requests in flight that keep the round count of the
 * width allowed) and the split of a downloaded PEM chain into the leaf and
 * the rest. */
#include "config.h"

#include "err.h"
#include "order.h"
#include "test.h"

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
	for (size_t i = 0; i < NELEM(split_rows); i++) {
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

int main(void)
{
	for (size_t i = 0; i < NELEM(width_rows); i++) {
		char ctx[64];

		snprintf(ctx, sizeof(ctx), "%zu names, width %zu", width_rows[i].names,
		    width_rows[i].width);
		CHECK_INT(order_round_width(width_rows[i].names, width_rows[i].width),
		    width_rows[i].want, ctx);
	}
	test_split_chain();
	return test_done();
}
