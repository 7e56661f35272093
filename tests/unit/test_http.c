/* test_http.c - the phase a timed-out request is reported in, from what
 * libcurl saw of it. */
#include "config.h"

#include <stdbool.h>

#include "http.h"
#include "test.h"

static void test_timeout_phase(void)
{
	static const struct {
		const char *ctx;
		struct http_progress p;  /* tcp_up reused https tls_up first_byte headers_done */
		const char *want;
	} rows[] = {
		{ "no TCP connection", { false, false, true, false, false, false },
		    "connecting to" },
		{ "no TCP connection, plain http", { false, false, false, false, false, false },
		    "connecting to" },
		{ "new connection, handshake unfinished", { true, false, true, false, false, false },
		    "in the TLS handshake with" },
		{ "new connection, handshake done, no answer", { true, false, true, true, false, false },
		    "waiting for the response from" },
		{ "plain http, no answer", { true, false, false, false, false, false },
		    "waiting for the response from" },
		{ "reused connection, no answer", { true, true, true, false, false, false },
		    "waiting for the response from" },
		{ "reused connection, headers trickling", { true, true, true, false, true, false },
		    "receiving the headers from" },
		{ "reused connection, body trickling", { true, true, true, false, true, true },
		    "receiving the body from" },
		{ "new connection, body trickling", { true, false, true, true, true, true },
		    "receiving the body from" },
		{ "plain http, body trickling", { true, false, false, false, true, true },
		    "receiving the body from" },
	};

	for (size_t i = 0; i < nitems(rows); i++)
		CHECK_STR(http_timeout_phase(&rows[i].p), rows[i].want, rows[i].ctx);
}

int main(void)
{
	test_timeout_phase();
	return test_done();
}
