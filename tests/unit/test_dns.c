/* test_dns.c - the DNS wire format: queries as built, answers as parsed
 * (hostile ones too: pointer loops, forward pointers, records running past
 * the end, labels with dots and control bytes inside), and server
 * addresses as read. The exchanges with real servers are in
 * tests/integration/dns01-propagation.sh. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns.h"
#include "err.h"
#include "test.h"

/* Answers are written as text, a message in C escapes. Every answer row
 * below shares this header and question: id 0x1234, a response with
 * flags FLAGS, one question for "a.test" type A (at offset 12, so a
 * pointer to the question's name is "\xc0\x0c"). */
#define HDR(flags, an, ns) "\x12\x34" flags "\x00\x01" "\x00" an "\x00" ns "\x00\x00"
#define QA "\x01" "a" "\x04" "test" "\x00" "\x00\x01" "\x00\x01"
#define RESP "\x81\x80"            /* QR, RD, RA; NOERROR */
#define RR(type, rdlen) type "\x00\x01" "\x00\x00\x01\x2c" "\x00" rdlen  /* IN, TTL 300 */
#define PTR_Q "\xc0\x0c"

static const struct {
	const char *msg;
	size_t len;           /* sizeof - 1, the literals hold NULs */
	int rc;
	const char *want;     /* "rcode aa tc | name type data; ..." or the error */
} parse_rows[] = {
#define ROW(m, rc, want) { m, sizeof(m) - 1, rc, want }
	/* one address, its owner a pointer to the question */
	ROW(HDR(RESP, "\x01", "\x00") QA PTR_Q RR("\x00\x01", "\x04") "\xc0\x00\x02\x01",
	    0, "0 0 0 | a.test 1 192.0.2.1"),
	/* an alias, then the address of its target (names in rdata compressed too) */
	ROW(HDR(RESP, "\x02", "\x00") QA
	    PTR_Q RR("\x00\x05", "\x04") "\x01" "b" PTR_Q
	    "\x01" "b" PTR_Q RR("\x00\x1c", "\x10")
	    "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01",
	    0, "0 0 0 | a.test 5 b.a.test; b.a.test 28 2001:db8::1"),
	/* TXT: a record's strings are joined, as Go's LookupTXT joins them */
	ROW(HDR(RESP, "\x01", "\x00") QA PTR_Q RR("\x00\x10", "\x08") "\x03" "abc" "\x03" "def",
	    0, "0 0 0 | a.test 16 abcdef"),
	/* TXT bytes outside printable ASCII (ESC, newline, backslash) escaped */
	ROW(HDR(RESP, "\x01", "\x00") QA PTR_Q RR("\x00\x10", "\x05") "\x04" "\x1b[m\n",
	    0, "0 0 0 | a.test 16 \\027[m\\010"),
	ROW(HDR(RESP, "\x01", "\x00") QA PTR_Q RR("\x00\x10", "\x02") "\x01\\",
	    0, "0 0 0 | a.test 16 \\092"),
	/* an empty TXT record */
	ROW(HDR(RESP, "\x01", "\x00") QA PTR_Q RR("\x00\x10", "\x00"),
	    0, "0 0 0 | a.test 16 "),
	/* NXDOMAIN from an authoritative server, the zone's SOA in authority */
	ROW(HDR("\x84\x03", "\x00", "\x01") QA
	    "\x04" "test" "\x00" RR("\x00\x06", "\x1a") "\x02" "ns" "\xc0\x0e"
	    "\x00" "\x00\x00\x00\x01" "\x00\x00\x00\x01" "\x00\x00\x00\x01"
	    "\x00\x00\x00\x01" "\x00\x00\x00\x01",
	    0, "3 1 0 | test 6 ns.test"),
	/* a type not modelled (MX) and a class other than IN are passed over */
	ROW(HDR(RESP, "\x02", "\x00") QA PTR_Q RR("\x00\x0f", "\x03") "\x00\x0a\x00"
	    PTR_Q "\x00\x01" "\x00\x03" "\x00\x00\x00\x00" "\x00\x04" "\x7f\x00\x00\x01",
	    0, "0 0 0 |"),
	/* a dot and a space inside a label cannot forge a label boundary */
	ROW(HDR(RESP, "\x01", "\x00") QA "\x03" "x.y" "\x02" "a " "\x00"
	    RR("\x00\x01", "\x04") "\x7f\x00\x00\x01",
	    0, "0 0 0 | x\\046y.a\\032 1 127.0.0.1"),
	/* truncated: the records read so far are kept, TCP follows */
	ROW(HDR("\x83\x80", "\x02", "\x00") QA PTR_Q RR("\x00\x01", "\x04") "\x7f\x00\x00\x01"
	    PTR_Q "\x00",
	    0, "0 0 1 | a.test 1 127.0.0.1"),
	/* no question at all (some servers' FORMERR) */
	{ "\x12\x34\x81\x81\x00\x00\x00\x00\x00\x00\x00\x00", 12, 0, "1 0 0 |" },

	/* hostile or broken */
	ROW("\x12\x34\x81", -1, "malformed DNS answer: shorter than its header"),
	ROW(HDR("\x01\x00", "\x00", "\x00") QA, -1,
	    "malformed DNS answer: it is a query, not a response"),
	ROW("\x12\x34\x81\x80\x00\x02\x00\x00\x00\x00\x00\x00" QA QA, -1,
	    "malformed DNS answer: it has more than one question"),
	ROW(HDR(RESP, "\x01", "\x00") QA "\xc0\x1c" RR("\x00\x01", "\x04") "\x7f\x00\x00\x01",
	    -1, "malformed DNS answer: a compression pointer does not point backwards"),
	/* a pointer to itself: a loop for a parser that allows it */
	ROW(HDR(RESP, "\x00", "\x00") "\xc0\x0c" "\x00\x01\x00\x01", -1,
	    "malformed DNS answer: a compression pointer does not point backwards"),
	ROW(HDR(RESP, "\x01", "\x00") QA PTR_Q RR("\x00\x01", "\x05") "\x7f\x00\x00\x01\x00",
	    -1, "malformed DNS answer: an address record has the wrong length"),
	ROW(HDR(RESP, "\x01", "\x00") QA PTR_Q RR("\x00\x01", "\x04") "\x7f\x00",
	    -1, "malformed DNS answer: a record runs past the end"),
	ROW(HDR(RESP, "\x01", "\x00") QA PTR_Q "\x00\x01\x00", -1,
	    "malformed DNS answer: a record header runs past the end"),
	ROW(HDR(RESP, "\x01", "\x00") QA PTR_Q RR("\x00\x10", "\x02") "\x05" "a",
	    -1, "malformed DNS answer: a TXT string runs past its record"),
	/* a CNAME whose target runs on past its rdata */
	ROW(HDR(RESP, "\x01", "\x00") QA PTR_Q RR("\x00\x05", "\x01") "\x01" "b" "\x00",
	    -1, "malformed DNS answer: a name runs past its record"),
	ROW(HDR(RESP, "\x01", "\x00") QA "\x40" "x", -1,
	    "malformed DNS answer: a label has a reserved type"),
	ROW(HDR(RESP, "\x01", "\x00") QA "\x05" "ab", -1,
	    "malformed DNS answer: a name runs past the end"),
	ROW("\x12\x34\x81\x80\x00\x01\x03\xe8\x00\x00\x00\x00" QA, -1,
	    "malformed DNS answer: a section has more records than any real answer"),
#undef ROW
};

/* The parsed message as "rcode aa tc | name type data; ...". */
static char *describe(const struct dns_msg *m)
{
	char *s = xasprintf("%d %d %d |", m->rcode, m->aa, m->tc), *t;
	const struct dns_rr *sections[2] = { m->answer, m->authority };
	size_t counts[2] = { m->nanswer, m->nauthority }, k = 0;

	for (size_t j = 0; j < 2; j++)
		for (size_t i = 0; i < counts[j]; i++, k++) {
			t = xasprintf("%s%s %s %u %s", s, k > 0 ? ";" : "", sections[j][i].name,
			    sections[j][i].type, sections[j][i].data);
			free(s);
			s = t;
		}
	return s;
}

static void test_parse(void)
{
	for (size_t i = 0; i < nitems(parse_rows); i++) {
		struct dns_msg m;
		char ctx[32], *got;
		int rc;

		snprintf(ctx, sizeof(ctx), "parse row %zu", i);
		err_clear();
		rc = dns_parse((const uint8_t *)parse_rows[i].msg, parse_rows[i].len, &m);
		CHECK_INT(rc, parse_rows[i].rc, ctx);
		if (rc == 0) {
			got = describe(&m);
			CHECK_STR(got, parse_rows[i].want, ctx);
			CHECK_INT(m.id, 0x1234, ctx);
			free(got);
		} else {
			CHECK_STR(err_message(), parse_rows[i].want, ctx);
			CHECK_INT(err_kind(), ERR_NETWORK, ctx);
			CHECK(m.answer == NULL && m.qname == NULL, "[%s] nothing kept", ctx);
		}
		dns_msg_clear(&m);
	}
	err_clear();
}

static const struct {
	const char *name;
	const char *wire;     /* the question's name on the wire, NULL: refused */
	size_t len;
} query_rows[] = {
	{ "a.test", "\x01" "a" "\x04" "test" "\x00", 8 },
	{ "a.test.", "\x01" "a" "\x04" "test" "\x00", 8 },     /* absolute: the same */
	{ "_acme-challenge.a.test", "\x0f" "_acme-challenge" "\x01" "a" "\x04" "test" "\x00", 24 },
	{ "", "\x00", 1 },                                       /* the root */
	{ ".", "\x00", 1 },
	{ "a..test", NULL, 0 },                                  /* an empty label */
	{ ".a", NULL, 0 },
	{ "a.test..", NULL, 0 },
	{ "..", NULL, 0 },
	/* a label of 64 bytes */
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test", NULL, 0 },
};

static void test_build(void)
{
	char long_name[300];
	uint8_t q[DNS_QUERY_MAX];
	size_t len;

	for (size_t i = 0; i < nitems(query_rows); i++) {
		len = dns_build_query(q, 0xBEEF, query_rows[i].name, DNS_TXT, true);
		if (query_rows[i].wire == NULL) {
			CHECK_INT(len, 0, query_rows[i].name);
			continue;
		}
		CHECK_INT(len, 12 + query_rows[i].len + 4, query_rows[i].name);
		CHECK(len > 12 && memcmp(q + 12, query_rows[i].wire, query_rows[i].len) == 0,
		    "[%s] the name on the wire", query_rows[i].name);
		CHECK(memcmp(q, "\xbe\xef\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12) == 0,
		    "[%s] the header: id, RD, one question", query_rows[i].name);
		CHECK(memcmp(q + len - 4, "\x00\x10\x00\x01", 4) == 0,
		    "[%s] type TXT, class IN", query_rows[i].name);
	}
	len = dns_build_query(q, 1, "a.test", DNS_A, false);
	CHECK_INT(q[2], 0, "no recursion desired");
	/* 253 characters is the longest name; 254 is one too many */
	memset(long_name, 'a', sizeof(long_name));
	for (size_t i = 63; i < 253; i += 64)
		long_name[i] = '.';
	long_name[253] = '\0';
	CHECK_INT(dns_build_query(q, 1, long_name, DNS_A, true), 12 + 255 + 4, "253 characters");
	long_name[253] = 'a';
	long_name[254] = '\0';
	CHECK_INT(dns_build_query(q, 1, long_name, DNS_A, true), 0, "254 characters");
}

static const struct {
	const char *text, *want;   /* want NULL: refused with ERR_USAGE */
} server_rows[] = {
	{ "10.96.0.10", "10.96.0.10:53" },
	{ "127.0.0.1:5353", "127.0.0.1:5353" },
	{ "::1", "[::1]:53" },                  /* colons without brackets: all address */
	{ "[::1]", "[::1]:53" },
	{ "[fd00::a]:5300", "[fd00::a]:5300" },
	{ "ns.example:53", NULL },              /* a name: whose resolver would answer it? */
	{ "127.0.0.1:0", NULL },
	{ "127.0.0.1:65536", NULL },
	{ "127.0.0.1:", NULL },
	{ "127.0.0.1:53x", NULL },
	{ "[::1]x", NULL },
	{ "", NULL },
};

static void test_server(void)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	char buf[64];

	for (size_t i = 0; i < nitems(server_rows); i++) {
		int rc = dns_server_parse(server_rows[i].text, &sa, &salen);

		CHECK_INT(rc, server_rows[i].want != NULL ? 0 : -1, server_rows[i].text);
		if (rc == 0)
			CHECK_STR(dns_server_text(&sa, buf), server_rows[i].want, server_rows[i].text);
		else
			CHECK_INT(err_kind(), ERR_USAGE, server_rows[i].text);
		err_clear();
	}
}

/* Server lists: an option's (every entry must be an address) and
 * resolv.conf's (what is no address is skipped; the fallback when none). */
static const struct {
	const char *list;   /* the option's value, or resolv.conf's text after "@" */
	const char *fallback;
	const char *want;   /* the texts joined by " "; NULL: refused */
} list_rows[] = {
	{ "10.0.0.1", NULL, "10.0.0.1:53" },
	{ "10.0.0.1:5353,[2001:db8::1]:53,2001:db8::2", NULL,
	  "10.0.0.1:5353 [2001:db8::1]:53 [2001:db8::2]:53" },
	{ "10.0.0.1,ns1.example", NULL, NULL },
	{ "", NULL, NULL },
	{ ",,", NULL, NULL },
	{ "1.1.1.1,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,1.1.1.7,1.1.1.8,1.1.1.9,1.1.1.10,"
	  "1.1.1.11,1.1.1.12,1.1.1.13,1.1.1.14,1.1.1.15,1.1.1.16,1.1.1.17", NULL, NULL },
	{ "@nameserver 10.96.0.10\nsearch svc.cluster.local\n", "8.8.8.8:53", "10.96.0.10:53" },
	{ "@nameserver fe80::1%eth0\nnameserver ::1\n", "127.0.0.1", "[::1]:53" },
	{ "@search example.com\n", "8.8.8.8:53,8.8.4.4:53", "8.8.8.8:53 8.8.4.4:53" },
	{ "@nameserver not-an-address\n", "127.0.0.1", "127.0.0.1:53" },
};

static void test_server_lists(void)
{
	char path[] = "/tmp/test_dns.XXXXXX", got[DNS_SERVERS_MAX * 64 + 1];
	struct dns_servers s;
	int fd, rc;
	FILE *fp;

	for (size_t i = 0; i < nitems(list_rows); i++) {
		if (list_rows[i].list[0] == '@') {
			CHECK((fd = mkstemp(path)) >= 0, "mkstemp");
			fp = fdopen(fd, "w");
			fputs(list_rows[i].list + 1, fp);
			fclose(fp);
			dns_servers_from_resolv(path, list_rows[i].fallback, &s);
			unlink(path);
			strcpy(path, "/tmp/test_dns.XXXXXX");
			rc = 0;
		} else {
			rc = dns_servers_parse(list_rows[i].list, "--opt", &s);
		}
		CHECK_INT(rc, list_rows[i].want != NULL ? 0 : -1, list_rows[i].list);
		if (rc != 0) {
			CHECK_INT(err_kind(), ERR_USAGE, list_rows[i].list);
			CHECK(strncmp(err_message(), "--opt", 5) == 0, "%s", err_message());
			err_clear();
			continue;
		}
		got[0] = '\0';
		for (size_t j = 0; j < s.n; j++) {
			strcat(got, j > 0 ? " " : "");
			strcat(got, s.text[j]);
		}
		CHECK_STR(got, list_rows[i].want, list_rows[i].list);
	}
}

int main(void)
{
	test_parse();
	test_build();
	test_server();
	test_server_lists();
	return test_done();
}
