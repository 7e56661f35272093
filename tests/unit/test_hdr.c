/* test_hdr.c - tables for Retry-After, Link and Content-Type parsing. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hdr.h"
#include "test.h"
#include "util.h"

/* Sun, 01 Jun 2025 12:00:00 GMT */
#define NOW ((time_t)1748779200)

static void test_retry_after(void)
{
	static const struct {
		const char *value;
		int ret;
		long seconds;
	} rows[] = {
		{ "120", 0, 120 },
		{ "0", 0, 0 },
		{ "  30  ", 0, 30 },
		{ "007", 0, 7 },
		{ "2147483648", 0, 2147483648L },
		{ "99999999999999999999", 0, 2147483648L },
		{ "-5", -1, 0 },
		{ "+5", -1, 0 },
		{ "5s", -1, 0 },
		{ "1.5", -1, 0 },
		{ "120 120", -1, 0 },
		{ "", -1, 0 },
		{ "   ", -1, 0 },
		{ "soon", -1, 0 },
		/* IMF-fixdate */
		{ "Sun, 01 Jun 2025 12:01:40 GMT", 0, 100 },
		{ "Thu, 01 Jan 2026 00:00:00 GMT", 0, 18446400 },
		{ "Sun, 01 Jun 2025 12:00:00 GMT", 0, 0 },
		{ "Sun, 01 Jun 2025 11:59:59 GMT", 0, 0 },
		{ "Sun, 06 Nov 1994 08:49:37 GMT", 0, 0 },
		{ "Tue, 29 Feb 2028 00:00:00 GMT", 0, 86616000 },
		{ "sun, 01 jun 2025 12:01:40 gmt", 0, 100 },
		{ " Sun, 01 Jun 2025 12:01:40 GMT ", 0, 100 },
		{ "Sun, 01 Jun 2025 12:01:40 GMT junk", -1, 0 },
		{ "Sun, 01 Jun 2025 12:01:40 UTC", -1, 0 },
		{ "Sun, 01 Jun 2025 12:01:40", -1, 0 },
		{ "Sun,01 Jun 2025 12:01:40 GMT", -1, 0 },
		{ "Sun, 1 Jun 2025 12:01:40 GMT", -1, 0 },
		{ "Sun, 31 Jun 2025 12:00:00 GMT", -1, 0 },
		{ "Sat, 29 Feb 2025 00:00:00 GMT", -1, 0 },
		{ "Sun, 00 Jun 2025 12:00:00 GMT", -1, 0 },
		{ "Sun, 01 Jun 2025 24:00:00 GMT", -1, 0 },
		{ "Sun, 01 Jun 2025 12:60:00 GMT", -1, 0 },
		{ "Sun, 01 Foo 2025 12:00:00 GMT", -1, 0 },
		{ "Sun, 01 Jun 25 12:00:00 GMT", -1, 0 },
		/* rfc850-date, two-digit year within 50 years of now */
		{ "Sunday, 01-Jun-25 12:00:30 GMT", 0, 30 },
		{ "Thursday, 01-Jan-26 00:00:00 GMT", 0, 18446400 },
		{ "Sunday, 06-Nov-94 08:49:37 GMT", 0, 0 },
		{ "Funday, 01-Jun-25 12:00:30 GMT", -1, 0 },
		{ "Sunday, 01-Jun-2025 12:00:30 GMT", -1, 0 },
		{ "Sunday, 01 Jun 25 12:00:30 GMT", -1, 0 },
		/* asctime-date */
		{ "Sun Jun  1 12:00:05 2025", 0, 5 },
		{ "Thu Jan 01 00:00:00 2026", 0, 18446400 },
		{ "Sun Nov  6 08:49:37 1994", 0, 0 },
		{ "Sun Jun 1 12:00:05 2025", -1, 0 },
		{ "Sun Jun  1 12:00:05 2025 GMT", -1, 0 },
		{ "Sun Jun  1 12:00:05", -1, 0 },
	};
	size_t i;

	for (i = 0; i < nitems(rows); i++) {
		long secs = -12345;
		int ret = hdr_retry_after(rows[i].value, NOW, &secs);

		CHECK_INT(ret, rows[i].ret, rows[i].value);
		if (rows[i].ret == 0 && ret == 0)
			CHECK_INT(secs, rows[i].seconds, rows[i].value);
	}
	CHECK_INT(hdr_retry_after(NULL, NOW, &(long){ 0 }), -1, "NULL");
}

/* Joins v with '|' into a new string ("" for an empty array). */
static char *join(char **v)
{
	char *s = xstrdup(""), *t;
	size_t i;

	for (i = 0; v[i] != NULL; i++) {
		t = xasprintf("%s%s%s", s, i > 0 ? "|" : "", v[i]);
		free(s);
		s = t;
	}
	return s;
}

static void test_links(void)
{
	static const struct {
		const char *values[4];
		const char *rel;
		const char *want; /* matches joined by '|' */
	} rows[] = {
		{ { "<https://a/dir>;rel=\"index\"" }, "index", "https://a/dir" },
		{ { "<https://a/acct/1>; rel=\"up\"" }, "up", "https://a/acct/1" },
		{ { "<https://a/x>;rel=alternate" }, "alternate", "https://a/x" },
		{ { "<https://a/x>;rel=alternate" }, "up", "" },
		{ { "<https://a/1>;rel=\"alternate\", <https://a/2>;rel=\"alternate\"" },
		    "alternate", "https://a/1|https://a/2" },
		{ { "<https://a/q?x=1,2>; rel=\"up\"" }, "up", "https://a/q?x=1,2" },
		{ { "<https://a/1>; title=\"a, b; rel=up\"; rel=\"alternate\"" }, "up", "" },
		{ { "<https://a/1>; title=\"a, b; rel=up\"; rel=\"alternate\"" },
		    "alternate", "https://a/1" },
		{ { "<https://a/1>; rel=\"UP\"" }, "up", "https://a/1" },
		{ { "<https://a/1>; rel=up" }, "UP", "https://a/1" },
		{ { "<https://a/1>; REL=up" }, "up", "https://a/1" },
		{ { "<https://a/1>; rel=\"index up\"" }, "up", "https://a/1" },
		{ { "<https://a/1>; rel=\"index upx\"" }, "up", "" },
		{ { "<https://a/1>; rel=\"alternate\"; rel=\"up\"" }, "up", "" },
		{ { "<https://a/1>;rel=up", "<https://a/2>;rel=alternate",
		    "<https://a/3>;rel=\"up\"" }, "up", "https://a/1|https://a/3" },
		{ { "<https://a/1>" }, "up", "" },
		{ { "" }, "up", "" },
		{ { "nonsense, <https://a/2>;rel=up" }, "up", "https://a/2" },
		{ { "<https://a/1" }, "up", "" },
		{ { "<https://a/1>; rel=\"up" }, "up", "" },
		{ { "  ,, <https://a/1> ; rel = \"up\" ," }, "up", "https://a/1" },
		{ { "<https://a/1>; rel=\"a\\\"b up\"" }, "up", "https://a/1" },
		{ { "<https://a/1>;rel=up;anchor=\"#x\", <https://a/2>; rel=\"up\"" },
		    "up", "https://a/1|https://a/2" },
		{ { "<https://a/1> junk; rel=up, <https://a/2>;rel=up" }, "up", "https://a/2" },
		{ { "<https://a/1>; =up, <https://a/2>;rel=up" }, "up", "https://a/2" },
		{ { "<https://a/1>; rel=\"up\", <https://a/2>; rel=\"index\"" },
		    "index", "https://a/2" },
		{ { "<urn:x>;rel=up;title*=UTF-8'de'n%c3%a4chstes" }, "up", "urn:x" },
		{ { "<https://a/1>;rel=\"up\";title=\"x\\\\\", <https://a/2>;rel=up" },
		    "up", "https://a/1|https://a/2" },
	};
	size_t i;
	char **got;
	char *s;

	for (i = 0; i < nitems(rows); i++) {
		got = hdr_links(rows[i].values, rows[i].rel);
		s = join(got);
		CHECK_STR(s, rows[i].want, rows[i].values[0]);
		free(s);
		strv_free(got);
	}
	got = hdr_links(NULL, "up");
	CHECK(got != NULL && got[0] == NULL, "NULL values must give an empty array");
	strv_free(got);
}

/* A certificate answer with 1,000 Link headers: 999 alternates and, last,
 * the issuer ("up"), given as 1,000 values or joined into one. */
static void test_many_links(void)
{
	static const struct {
		bool joined;      /* one value holding all, else one value each */
		const char *rel;
		const char *want; /* count, first and last match: "N first|last" */
	} rows[] = {
		{ false, "alternate", "999 https://a/alt/0|https://a/alt/998" },
		{ true, "alternate", "999 https://a/alt/0|https://a/alt/998" },
		{ false, "up", "1 https://a/issuer|https://a/issuer" },
		{ true, "up", "1 https://a/issuer|https://a/issuer" },
		{ false, "index", "0 |" },
		{ true, "index", "0 |" },
	};
	char *values[1001] = { 0 }, *joined[2] = { 0 }, *all = xstrdup(""), *t, *s, **got;
	size_t i, n;

	for (i = 0; i < 1000; i++) {
		values[i] = i < 999 ? xasprintf("<https://a/alt/%zu>; rel=\"alternate\"", i) :
		    xstrdup("<https://a/issuer>;rel=up");
		t = xasprintf("%s%s%s", all, i > 0 ? ", " : "", values[i]);
		free(all);
		all = t;
	}
	joined[0] = all;
	for (i = 0; i < nitems(rows); i++) {
		got = hdr_links((const char *const *)(rows[i].joined ? joined : values),
		    rows[i].rel);
		n = strv_len(got);
		s = xasprintf("%zu %s|%s", n, n > 0 ? got[0] : "", n > 0 ? got[n - 1] : "");
		CHECK_STR(s, rows[i].want, rows[i].joined ? "joined" : "separate");
		free(s);
		strv_free(got);
	}
	for (i = 0; i < 1000; i++)
		free(values[i]);
	free(all);
}

static void test_content_type(void)
{
	static const struct {
		const char *value;
		const char *mt;
		bool want;
	} rows[] = {
		{ "application/json", "application/json", true },
		{ "application/json; charset=utf-8", "application/json", true },
		{ "application/json ; charset=utf-8", "application/json", true },
		{ "  application/json  ", "application/json", true },
		{ "Application/JSON", "application/json", true },
		{ "application/problem+json", "application/problem+json", true },
		{ "application/problem+json", "application/json", false },
		{ "application/jsonx", "application/json", false },
		{ "application", "application/json", false },
		{ "application/json garbage", "application/json", false },
		{ "text/plain", "application/json", false },
		{ "", "application/json", false },
		{ NULL, "application/json", false },
		{ "application/pem-certificate-chain", "application/pem-certificate-chain", true },
		{ "application/pem-certificate-chain;charset=utf-8",
		    "application/pem-certificate-chain", true },
	};
	size_t i;

	for (i = 0; i < nitems(rows); i++)
		CHECK_INT(hdr_content_type_is(rows[i].value, rows[i].mt), rows[i].want,
		    rows[i].value ? rows[i].value : "(null)");
}

int main(void)
{
	test_retry_after();
	test_links();
	test_many_links();
	test_content_type();
	return test_done();
}
