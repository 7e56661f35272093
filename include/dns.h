/* dns.h - a minimal DNS stub client (RFC 1035): one question to one named
 * server, over UDP, again over TCP when the answer comes back truncated.
 *
 * acmectl asks named servers rather than the system resolver wherever the
 * answer of one particular server is the fact wanted: the nameserver in a
 * pod's resolv.conf, each authoritative server of a dns-01 zone; over TCP
 * only when asked (dns_query_over()). The wire
 * format pieces (dns_build_query, dns_parse) are pure and table-tested;
 * dns_query() adds the sockets and the deadline.
 *
 * Names are text without the trailing dot ("" for the root). Bytes of a
 * received label that are not letters, digits, '-', '_' or '*', and a '.'
 * inside a label, are shown as \DDD (RFC 4343), so a hostile name can
 * neither forge a label boundary nor reach the terminal raw.
 */
#ifndef ACMECTL_DNS_H
#define ACMECTL_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

enum dns_type {
	DNS_A = 1,
	DNS_NS = 2,
	DNS_CNAME = 5,
	DNS_SOA = 6,
	DNS_TXT = 16,
	DNS_AAAA = 28,
};

enum dns_rcode {
	DNS_NOERROR = 0,
	DNS_FORMERR = 1,
	DNS_SERVFAIL = 2,
	DNS_NXDOMAIN = 3,
	DNS_NOTIMP = 4,
	DNS_REFUSED = 5,
};

/* Longest query dns_build_query() makes: header, a 255-byte name, type
 * and class. */
#define DNS_QUERY_MAX (12 + 255 + 4)

/* One resource record of class IN, of a type above (others are skipped). */
struct dns_rr {
	char *name;      /* owner name */
	uint16_t type;
	uint32_t ttl;
	char *data;      /* A, AAAA: the address as text; NS, CNAME: the target
			  * name; SOA: the primary server's name (MNAME); TXT:
			  * the record's strings joined, bytes outside printable
			  * ASCII as \DDD */
};

/* An answer. Everything is owned by it; release with dns_msg_clear(). */
struct dns_msg {
	uint16_t id;
	int rcode;             /* enum dns_rcode, or another value as sent */
	bool aa;               /* authoritative answer */
	bool tc;               /* truncated */
	char *qname;           /* the question echoed */
	uint16_t qtype;
	struct dns_rr *answer;
	size_t nanswer;
	struct dns_rr *authority;
	size_t nauthority;
};

/* Writes a query for name and type with the given id (recursion desired
 * when rd) into buf, which holds DNS_QUERY_MAX bytes. Returns its length,
 * or 0 when name is no valid domain name (an empty label, a label over 63
 * bytes, over 253 characters). A trailing dot is allowed. */
size_t dns_build_query(uint8_t buf[DNS_QUERY_MAX], uint16_t id, const char *name,
    uint16_t type, bool rd);

/* Parses the answer msg of len bytes into out (zeroed first). Compression
 * pointers must point backwards, so no message makes it loop. Returns 0,
 * or -1 when msg is malformed (cut short, a bad label or pointer, a record
 * running past the end, an A record not 4 bytes long, not a response), with
 * ERR_NETWORK "malformed DNS answer: REASON". out holds nothing on -1. */
int dns_parse(const uint8_t *msg, size_t len, struct dns_msg *out);

/* Where an exchange over TCP stopped short of an answer: what a caller
 * needs that words each case its own way (diagnose's model of Go's
 * resolver does). */
enum dns_tcp_end {
	DNS_TCP_END_NONE,      /* an answer, no TCP exchange, or none of these */
	DNS_TCP_END_CONNECT,   /* no connection: refused, or not made by the deadline */
	DNS_TCP_END_TIMEOUT,   /* connected, the answer not whole by the deadline */
	DNS_TCP_END_BETWEEN,   /* closed before the length, or right after it */
	DNS_TCP_END_INSIDE,    /* closed inside the length or the message */
	DNS_TCP_END_MALFORMED, /* a whole frame but no DNS answer (a length of 0 too) */
	DNS_TCP_END_OTHER,     /* a whole answer to another question */
};

/* How far the bytes read so far from a DNS TCP stream go toward its first
 * message, framed as RFC 1035 4.2.2 says: a two-byte length, then that
 * many bytes. */
enum dns_tcp_frame {
	DNS_TCP_MORE,   /* not whole yet: *need is the bytes the frame takes in
			 * all (2 until the length itself is there) */
	DNS_TCP_WHOLE,  /* the message is the bytes from 2 to *need; any after
			 * it belong to no answer of ours */
	DNS_TCP_EMPTY,  /* a length of 0: no DNS message is that short */
};

/* Judges the framing of the len bytes at stream, all that was read from
 * a DNS TCP connection so far; *need as the enum says. Pure. */
enum dns_tcp_frame dns_tcp_frame(const uint8_t *stream, size_t len, size_t *need);

/* The answer to the question (id, name, type) in the len bytes a server
 * sent over TCP before the reader stopped (at a whole frame, the server's
 * close, or the deadline): 0 with it in out, or -1 with ERR_NETWORK and
 * nothing in out: the length or the message cut short ("DNS answer cut
 * short: N of the M bytes its TCP length gives"), a length of 0, a
 * malformed message (dns_parse()), or the answer to another question
 * (another id, name or type). Bytes after the first frame are ignored.
 * On -1, *end says where the bytes stopped as if the server had closed
 * there (DNS_TCP_END_BETWEEN, _INSIDE, _MALFORMED or _OTHER); on 0 it is
 * DNS_TCP_END_NONE. Pure: the caller names the server and how the stream
 * ended. */
int dns_tcp_answer(const uint8_t *stream, size_t len, uint16_t id, const char *name,
    uint16_t type, struct dns_msg *out, enum dns_tcp_end *end);

/* Frees what m owns and zeroes it. */
void dns_msg_clear(struct dns_msg *m);

/* Reads a server address, "IP" or "IP:PORT" or "[IPv6]:PORT" (port 53 when
 * none), into sa. Returns 0, or -1 with ERR_USAGE naming text. */
int dns_server_parse(const char *text, struct sockaddr_storage *sa, socklen_t *salen);

/* The address of sa as "IP:PORT" or "[IPv6]:PORT" in buf (64 bytes). */
const char *dns_server_text(const struct sockaddr_storage *sa, char buf[64]);

#define DNS_SERVERS_MAX 16

/* The resolvers a lookup asks in turn: from an option's list, or from
 * resolv.conf with a fallback. text is each address as Go prints it
 * ("IP:53", "[IPv6]:53"), the form cert-manager's messages use. */
struct dns_servers {
	struct sockaddr_storage sa[DNS_SERVERS_MAX];
	socklen_t len[DNS_SERVERS_MAX];
	char text[DNS_SERVERS_MAX][64];
	size_t n;
};

/* Appends the address text ("IP", "IP:PORT", "[IPv6]:PORT") to s. False,
 * recording nothing, when it is no address or s is full. */
bool dns_servers_add(struct dns_servers *s, const char *text);

/* Fills s (emptied first) with the comma-separated addresses of list, given
 * by the option named what. Returns 0, or -1 with ERR_USAGE naming what:
 * an entry that is no address, more than DNS_SERVERS_MAX, or none. */
int dns_servers_parse(const char *list, const char *what, struct dns_servers *s);

/* Fills s (emptied first) with the nameservers of the resolv.conf at path
 * that are addresses, or with those of fallback (a list as above) when it
 * names none or cannot be read. Records nothing. */
void dns_servers_from_resolv(const char *path, const char *fallback, struct dns_servers *s);

/* Asks server one question (rd: recursion desired) and waits at most
 * timeout_ms for its answer: over UDP from a connected socket, so only that
 * server's datagrams count (and its ICMP port unreachable is seen), ignoring
 * any datagram whose id or question does not match; then over TCP when the
 * answer is truncated, within the same time. Returns 0 with the answer in
 * out (an NXDOMAIN or SERVFAIL is an answer: see out->rcode), or -1 with
 * ERR_NETWORK: "no answer from SERVER within N ms", "SERVER refused the
 * connection", a malformed answer, or why no socket could be had; ERR_USAGE
 * for a name that is no domain name. */
int dns_query(const struct sockaddr_storage *server, socklen_t salen, const char *name,
    uint16_t type, bool rd, long timeout_ms, struct dns_msg *out);

/* How dns_query_over() asks. */
enum dns_transport {
	DNS_UDP_THEN_TCP, /* as dns_query() */
	DNS_UDP,          /* UDP only: a truncated answer is returned as it came (out->tc) */
	DNS_TCP,          /* TCP only (resolv.conf's use-vc): the question and the answer
			   * each behind its 2-byte length (RFC 1035 4.2.2) */
};

/* dns_query() over the transport how, all within timeout_ms; the same
 * returns and errors ("... (TCP)" naming the transport that failed). When
 * tcp_end is not NULL, it says where a failed TCP exchange stopped. */
int dns_query_over(const struct sockaddr_storage *server, socklen_t salen, const char *name,
    uint16_t type, bool rd, enum dns_transport how, long timeout_ms, struct dns_msg *out,
    enum dns_tcp_end *tcp_end);

#endif
