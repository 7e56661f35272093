/* test_certinfo.c - the renewal rule, cert_is_due(): with --days, due when
 * fewer than that many days are left; without, when less than a third of
 * the lifetime is left, or a half for lifetimes of 10 days or less (short
 * certificates would otherwise renew too late to survive one failed run).
 * Each lifetime is tried at both sides of its boundary. */
#include "config.h"

#include <time.h>

#include "certinfo.h"
#include "test.h"

#define DAY 86400L
/* notBefore of every row; the rule looks only at differences */
#define T0 1700000000L

static const struct {
	long lifetime, age, days;  /* seconds, seconds since notBefore, --days or -1 */
	bool due;
} rows[] = {
	/* 90 days (Let's Encrypt's classic lifetime): due from 30 days left */
	{ 90 * DAY, 60 * DAY - 1, -1, false },   /* 30 days and a second left */
	{ 90 * DAY, 60 * DAY, -1, false },       /* exactly a third left: not less */
	{ 90 * DAY, 60 * DAY + 1, -1, true },    /* a second under a third */
	{ 90 * DAY, 0, -1, false },              /* just issued */
	{ 90 * DAY, 90 * DAY, -1, true },        /* expiring this second */
	{ 90 * DAY, 100 * DAY, -1, true },       /* expired ten days ago */
	{ 90 * DAY, -DAY, -1, false },           /* clock behind notBefore */
	/* 10 days: the half rule still applies */
	{ 10 * DAY, 5 * DAY, -1, false },        /* exactly half left */
	{ 10 * DAY, 5 * DAY + 1, -1, true },
	{ 10 * DAY, 6 * DAY, -1, true },         /* 4 days left: due by halves, not thirds */
	{ 10 * DAY + 3, 6 * DAY, -1, false },    /* just over 10 days: thirds, not halves */
	{ 10 * DAY + 3, 7 * DAY, -1, true },     /* 3 days + 3 s left < a third */
	/* 6 days (Let's Encrypt's short-lived profile): due from 3 days left */
	{ 6 * DAY, 3 * DAY, -1, false },
	{ 6 * DAY, 3 * DAY + 1, -1, true },
	{ 6 * DAY, 2 * DAY, -1, false },
	/* --days overrides the fraction */
	{ 90 * DAY, 59 * DAY, 45, true },        /* 31 days left < 45 */
	{ 90 * DAY, 45 * DAY, 45, false },       /* exactly 45 left: not fewer */
	{ 90 * DAY, 45 * DAY + 1, 45, true },
	{ 90 * DAY, 80 * DAY, 0, false },        /* --days 0: only once expired */
	{ 90 * DAY, 90 * DAY + 1, 0, true },
	{ 6 * DAY, 1 * DAY, 30, true },          /* --days longer than the lifetime */
	/* a certificate whose notAfter precedes its notBefore is always due */
	{ -DAY, 0, -1, true },
};

int main(void)
{
	for (size_t i = 0; i < NELEM(rows); i++) {
		char ctx[80];

		snprintf(ctx, sizeof(ctx), "row %zu: lifetime %ld s, age %ld s, days %ld", i,
		    rows[i].lifetime, rows[i].age, rows[i].days);
		CHECK_INT(cert_is_due(T0, T0 + rows[i].lifetime, T0 + rows[i].age,
		    rows[i].days), rows[i].due, ctx);
	}
	return test_done();
}
