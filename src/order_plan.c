/* order_plan.c - the plan of an order's requests, pure: how wide the rounds
 * of authorization fetches and challenge answers go, what the last one
 * holds, and when the first validation poll may leave. */
#include "config.h"

#include "order.h"
#include "order_int.h"

/* Rounds prepare_authzs needs for n pending authorizations at width w:
 * each round fetches what is left first, then fills up with answers to
 * challenges fetched in earlier rounds. Stores the last round's requests
 * in *last. */
static size_t authz_rounds(size_t n, size_t width, size_t *last)
{
	size_t left = n, queued = 0, rounds = 0, fetch, answer;

	*last = 0;
	while (left + queued > 0) {
		fetch = left < width ? left : width;
		answer = queued < width - fetch ? queued : width - fetch;
		left -= fetch;
		queued = queued - answer + fetch;
		rounds++;
		*last = fetch + answer;
	}
	return rounds;
}

size_t order_round_width(size_t n, size_t width)
{
	size_t rounds, narrow = 1, last;

	if (n == 0 || width <= 1)
		return 1;
	rounds = authz_rounds(n, width, &last);
	while (authz_rounds(n, narrow, &last) > rounds)
		narrow++;
	return narrow;
}

size_t order_last_round(size_t n, size_t width)
{
	size_t last;

	authz_rounds(n, width > 0 ? width : 1, &last);
	return last;
}

long long order_early_poll_ms(long long rtt_ms, long long left_ms)
{
	if (rtt_ms <= POLL_VALIDATION_FIRST_MS ||
	    left_ms - POLL_LAST_MS <= POLL_VALIDATION_FIRST_MS)
		return -1;
	return POLL_VALIDATION_FIRST_MS;
}
