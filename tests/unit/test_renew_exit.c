/* test_renew_exit.c - the exit status of a renew run from the kinds of its
 * failures (renew_exit_kind): a kind every failure shares when it is a
 * network failure or a storage or trust refusal, else 1. */
#include "config.h"

#include <stdio.h>

#include "cmd.h"
#include "err.h"
#include "util.h"
#include "test.h"

static const struct {
	enum err_kind sofar, failed, want;
} rows[] = {
	/* the first failure */
	{ ERR_NONE, ERR_STORAGE, ERR_STORAGE },   /* a planted hook: fix the host */
	{ ERR_NONE, ERR_NETWORK, ERR_NETWORK },   /* the CA unreachable: retry later */
	{ ERR_NONE, ERR_ACME, ERR_ACME },
	{ ERR_NONE, ERR_USAGE, ERR_ACME },        /* a failing dns hook is a failed renewal */
	{ ERR_NONE, ERR_NONE, ERR_ACME },         /* a failure without a kind still fails */
	/* the same kind again */
	{ ERR_STORAGE, ERR_STORAGE, ERR_STORAGE },
	{ ERR_NETWORK, ERR_NETWORK, ERR_NETWORK },
	{ ERR_ACME, ERR_ACME, ERR_ACME },
	{ ERR_ACME, ERR_USAGE, ERR_ACME },
	/* mixed kinds, in either order */
	{ ERR_STORAGE, ERR_NETWORK, ERR_ACME },
	{ ERR_NETWORK, ERR_STORAGE, ERR_ACME },
	{ ERR_STORAGE, ERR_ACME, ERR_ACME },
	{ ERR_ACME, ERR_STORAGE, ERR_ACME },
	{ ERR_NETWORK, ERR_USAGE, ERR_ACME },
	{ ERR_STORAGE, ERR_NONE, ERR_ACME },
};

/* A whole run: the kinds of its failures folded in order. */
static const struct {
	enum err_kind failures[4];
	size_t n;
	enum err_kind want;
} runs[] = {
	{ { ERR_NETWORK, ERR_NETWORK, ERR_NETWORK }, 3, ERR_NETWORK },
	{ { ERR_STORAGE, ERR_STORAGE }, 2, ERR_STORAGE },
	{ { ERR_NETWORK, ERR_NETWORK, ERR_STORAGE }, 3, ERR_ACME },
	/* once mixed, a run stays 1 even if later failures agree again */
	{ { ERR_STORAGE, ERR_NETWORK, ERR_STORAGE, ERR_STORAGE }, 4, ERR_ACME },
	{ { ERR_ACME, ERR_NETWORK, ERR_NETWORK }, 3, ERR_ACME },
};

int main(void)
{
	char ctx[64];
	enum err_kind kind;

	for (size_t i = 0; i < nitems(rows); i++) {
		snprintf(ctx, sizeof(ctx), "row %zu: %d then %d", i, (int)rows[i].sofar,
		    (int)rows[i].failed);
		CHECK_INT(renew_exit_kind(rows[i].sofar, rows[i].failed), rows[i].want, ctx);
	}
	for (size_t i = 0; i < nitems(runs); i++) {
		kind = ERR_NONE;
		for (size_t k = 0; k < runs[i].n; k++)
			kind = renew_exit_kind(kind, runs[i].failures[k]);
		snprintf(ctx, sizeof(ctx), "run %zu", i);
		CHECK_INT(kind, runs[i].want, ctx);
	}
	return test_done();
}
