/* test_order.c - the width of authorization rounds: the fewest requests
 * in flight that keep the round count of the width allowed. */
#include "config.h"

#include "order.h"
#include "test.h"

static const struct {
	size_t names, width, want;
} rows[] = {
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

int main(void)
{
	for (size_t i = 0; i < NELEM(rows); i++) {
		char ctx[64];

		snprintf(ctx, sizeof(ctx), "%zu names, width %zu", rows[i].names, rows[i].width);
		CHECK_INT(order_round_width(rows[i].names, rows[i].width), rows[i].want, ctx);
	}
	return test_done();
}
