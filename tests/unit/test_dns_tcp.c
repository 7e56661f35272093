/* test_dns_tcp.c - what a server sends over a DNS TCP connection, read as
 * dns_tcp_answer() reads it: the two-byte length (cut short, 0, larger
 * than what follows, 0xFFFF), bytes after the first message, and a whole
 * message that answers another question; and where each stopped
 * (enum dns_tcp_end). The reading from a real
 * hostile server is in tests/integration/diagnose-dns-tcp.sh. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "err.h"
#include "test.h"

/* The answer asked for: id 0x1234, a response for "a.test" type A with
 * one address, 40 bytes; ANSWER_AT(id) the same with another id. */
#define ANSWER_AT(id) id "\x81\x80" "\x00\x01\x00\x01\x00\x00\x00\x00" \
	"\x01" "a" "\x04" "test" "\x00" "\x00\x01\x00\x01" \
	"\xc0\x0c" "\x00\x01\x00\x01" "\x00\x00\x01\x2c" "\x00\x04" "\xc0\x00\x02\x01"
#define ANSWER ANSWER_AT("\x12\x34")
#define ANSWER_LEN "\x00\x28"
#define OK "none: a.test 1 192.0.2.1"

static const struct {
	const char *stream;
	size_t len;           /* sizeof - 1: the literals hold NULs */
	const char *want;     /* "END: " (where the bytes stopped), then the first
			       * answer record or the error */
	const char *why;
} rows[] = {
#define ROW(stream, want, why) { stream, sizeof(stream) - 1, want, why }
	ROW(ANSWER_LEN ANSWER, OK, "one whole answer"),
	ROW(ANSWER_LEN ANSWER "\x00\x05junk", OK,
	    "bytes after the first message belong to no answer and are ignored"),
	ROW("", "between: DNS answer cut short: 0 of the 2 bytes of its TCP length",
	    "nothing came"),
	ROW("\x00", "inside: DNS answer cut short: 1 of the 2 bytes of its TCP length",
	    "the length itself cut short"),
	ROW("\x00\x00", "malformed: malformed DNS answer: its TCP length is 0",
	    "a length of 0 frames no message"),
	ROW("\x00\x00" ANSWER_LEN ANSWER, "malformed: malformed DNS answer: its TCP length is 0",
	    "a length of 0 is not skipped to find a message behind it"),
	ROW("\x0f\xa0", "between: DNS answer cut short: 0 of the 4000 bytes its TCP length gives",
	    "a length, then nothing"),
	ROW("\x0f\xa0" "\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00",
	    "inside: DNS answer cut short: 10 of the 4000 bytes its TCP length gives",
	    "a length of 4000, then 10 bytes"),
	ROW("\xff\xff" ANSWER,
	    "inside: DNS answer cut short: 40 of the 65535 bytes its TCP length gives",
	    "the largest length, then a short body: no read past what came"),
	ROW("\x00\x29" ANSWER,
	    "inside: DNS answer cut short: 40 of the 41 bytes its TCP length gives",
	    "a length one byte past a whole message"),
	ROW("\x00\x27" ANSWER, "malformed: malformed DNS answer: a record runs past the end",
	    "a length one byte short of the message: its last record cut"),
	ROW(ANSWER_LEN ANSWER_AT("\x43\x21"),
	    "other: malformed DNS answer: not an answer to the question asked",
	    "another id: another conversation, or a forgery"),
	ROW(ANSWER_LEN ANSWER_AT("\x43\x21") ANSWER_LEN ANSWER,
	    "other: malformed DNS answer: not an answer to the question asked",
	    "one question per connection: only the first message is the answer"),
	ROW(ANSWER_LEN "\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00"
	    "\x01" "b" "\x04" "test" "\x00" "\x00\x01\x00\x01"
	    "\xc0\x0c" "\x00\x01\x00\x01" "\x00\x00\x01\x2c" "\x00\x04" "\xc0\x00\x02\x01",
	    "other: malformed DNS answer: not an answer to the question asked",
	    "the answer to another name"),
	ROW(ANSWER_LEN "\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00"
	    "\x01" "a" "\x04" "test" "\x00" "\x00\x1c\x00\x01"
	    "\xc0\x0c" "\x00\x01\x00\x01" "\x00\x00\x01\x2c" "\x00\x04" "\xc0\x00\x02\x01",
	    "other: malformed DNS answer: not an answer to the question asked",
	    "the answer to another type"),
	ROW("\x00\x0c" "\x12\x34\x81\x80\x00\x00\x00\x00\x00\x00\x00\x00",
	    "other: malformed DNS answer: not an answer to the question asked",
	    "no question echoed: nothing says what it answers"),
	ROW(ANSWER_LEN "\x12\x34\x01\x00\x00\x01\x00\x01\x00\x00\x00\x00"
	    "\x01" "a" "\x04" "test" "\x00" "\x00\x01\x00\x01"
	    "\xc0\x0c" "\x00\x01\x00\x01" "\x00\x00\x01\x2c" "\x00\x04" "\xc0\x00\x02\x01",
	    "malformed: malformed DNS answer: it is a query, not a response",
	    "our own question sent back"),
#undef ROW
};

/* The framing alone: what dns_tcp_frame() says of growing prefixes. */
static const struct {
	const char *stream;
	size_t len;
	enum dns_tcp_frame want;
	size_t need;
	const char *why;
} frame_rows[] = {
	{ "", 0, DNS_TCP_MORE, 2, "nothing yet: the length is needed first" },
	{ "\x00", 1, DNS_TCP_MORE, 2, "half the length" },
	{ "\x00\x00", 2, DNS_TCP_EMPTY, 2, "a length of 0" },
	{ "\x00\x03" "ab", 4, DNS_TCP_MORE, 5, "one byte missing" },
	{ "\x00\x03" "abc", 5, DNS_TCP_WHOLE, 5, "whole" },
	{ "\x00\x03" "abcdef", 8, DNS_TCP_WHOLE, 5, "whole, more behind it" },
	{ "\xff\xff", 2, DNS_TCP_MORE, 65537, "the largest length: 65535 bytes to come" },
};

static void test_answer(void)
{
	static const char *const ends[] = {
		[DNS_TCP_END_NONE] = "none", [DNS_TCP_END_CONNECT] = "connect",
		[DNS_TCP_END_TIMEOUT] = "timeout", [DNS_TCP_END_BETWEEN] = "between",
		[DNS_TCP_END_INSIDE] = "inside", [DNS_TCP_END_MALFORMED] = "malformed",
		[DNS_TCP_END_OTHER] = "other",
	};

	for (size_t i = 0; i < nitems(rows); i++) {
		enum dns_tcp_end end = DNS_TCP_END_CONNECT;
		struct dns_msg m;
		char got[256];

		err_clear();
		if (dns_tcp_answer((const uint8_t *)rows[i].stream, rows[i].len, 0x1234, "a.test",
		    DNS_A, &m, &end) == 0) {
			snprintf(got, sizeof(got), "%s: %s %u %s", ends[end],
			    m.nanswer > 0 ? m.answer[0].name : "-",
			    m.nanswer > 0 ? m.answer[0].type : 0, m.nanswer > 0 ? m.answer[0].data : "-");
			dns_msg_clear(&m);
		} else {
			CHECK(m.qname == NULL && m.nanswer == 0, "%s: nothing kept on failure",
			    rows[i].why);
			snprintf(got, sizeof(got), "%s: %s", ends[end], err_message());
		}
		CHECK_STR(got, rows[i].want, rows[i].why);
	}
	err_clear();
}

static void test_frame(void)
{
	for (size_t i = 0; i < nitems(frame_rows); i++) {
		size_t need = 0;
		enum dns_tcp_frame f = dns_tcp_frame((const uint8_t *)frame_rows[i].stream,
		    frame_rows[i].len, &need);

		CHECK_INT(f, frame_rows[i].want, frame_rows[i].why);
		CHECK_INT(need, frame_rows[i].need, frame_rows[i].why);
	}
}

int main(void)
{
	test_frame();
	test_answer();
	return test_done();
}
