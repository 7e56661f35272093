/* dns.c - a minimal DNS stub client (see dns.h). */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "dns.h"
#include "err.h"
#include "resolv.h"
#include "util.h"

#define HEADER_LEN 12
#define MAX_NAME_TEXT 1024   /* 255 wire bytes, each \DDD at the worst */
#define MAX_RRS 256          /* per section: far beyond any real answer */
#define TCP_MAX 65535

#define FLAG_QR 0x8000
#define FLAG_AA 0x0400
#define FLAG_TC 0x0200
#define FLAG_RD 0x0100
#define CLASS_IN 1

/* A cursor over a received message. */
struct reader {
	const uint8_t *msg;
	size_t len, pos;
	const char *why;     /* the first thing found malformed */
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool fail(struct reader *r, const char *why)
{
	if (r->why == NULL)
		r->why = why;
	return false;
}

/* True when the byte may appear in a name as it is. */
static bool plain_label_byte(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '*';
}

/* Reads the name at *pos (following compression pointers, which must
 * point before the pointer itself) into text, MAX_NAME_TEXT bytes; leaves
 * *pos after the name as it stands in the message. */
static bool read_name(struct reader *r, size_t *pos, char *text)
{
	size_t p = *pos, out = 0, wire = 0;
	bool jumped = false;

	text[0] = '\0';
	for (;;) {
		uint8_t n;

		if (p >= r->len)
			return fail(r, "a name runs past the end");
		n = r->msg[p];
		if ((n & 0xC0) == 0xC0) {
			size_t to;

			if (p + 1 >= r->len)
				return fail(r, "a name runs past the end");
			to = (size_t)get16(r->msg + p) & 0x3FFF;
			if (to >= p)
				return fail(r, "a compression pointer does not point backwards");
			if (!jumped)
				*pos = p + 2;
			jumped = true;
			p = to;
			continue;
		}
		if (n & 0xC0)
			return fail(r, "a label has a reserved type");
		if (n == 0)
			break;
		wire += 1u + n;
		if (wire > 254)
			return fail(r, "a name is longer than 255 bytes");
		if (p + 1 + n > r->len)
			return fail(r, "a name runs past the end");
		if (out > 0)
			text[out++] = '.';
		for (size_t i = 0; i < n; i++) {
			uint8_t c = r->msg[p + 1 + i];

			if (plain_label_byte(c))
				text[out++] = (char)c;
			else
				out += (size_t)snprintf(text + out, 5, "\\%03u", c);
		}
		text[out] = '\0';
		p += 1u + n;
	}
	if (!jumped)
		*pos = p + 1;
	return true;
}

/* The character-strings of a TXT record's rdata, joined, with bytes
 * outside printable ASCII (and the backslash) as \DDD. */
static char *txt_text(struct reader *r, size_t p, size_t end)
{
	char *text = xmalloc((end - p) * 4 + 1);
	size_t out = 0;

	while (p < end) {
		size_t n = r->msg[p++];

		if (p + n > end) {
			free(text);
			fail(r, "a TXT string runs past its record");
			return NULL;
		}
		for (; n > 0; n--, p++) {
			uint8_t c = r->msg[p];

			if (c >= 0x20 && c < 0x7F && c != '\\')
				text[out++] = (char)c;
			else
				out += (size_t)snprintf(text + out, 5, "\\%03u", c);
		}
	}
	text[out] = '\0';
	return text;
}

/* The rdata of a record of type at [p, end) as dns_rr.data, or NULL with
 * r->why set. */
static char *rdata_text(struct reader *r, uint16_t type, size_t p, size_t end)
{
	char name[MAX_NAME_TEXT], addr[INET6_ADDRSTRLEN];
	size_t at = p;

	switch (type) {
	case DNS_A:
	case DNS_AAAA:
		if (end - p != (type == DNS_A ? 4u : 16u)) {
			fail(r, "an address record has the wrong length");
			return NULL;
		}
		inet_ntop(type == DNS_A ? AF_INET : AF_INET6, r->msg + p, addr, sizeof(addr));
		return xstrdup(addr);
	case DNS_NS:
	case DNS_CNAME:
	case DNS_SOA:
		if (!read_name(r, &at, name))
			return NULL;
		if (at > end) {
			fail(r, "a name runs past its record");
			return NULL;
		}
		return xstrdup(name);
	case DNS_TXT:
		return txt_text(r, p, end);
	}
	return NULL;
}

/* Reads n records of a section into *rrs, keeping those of class IN and a
 * type dns.h names. */
static bool read_section(struct reader *r, size_t n, struct dns_rr **rrs, size_t *count)
{
	char name[MAX_NAME_TEXT];

	if (n > MAX_RRS)
		return fail(r, "a section has more records than any real answer");
	*rrs = xcalloc(n + 1, sizeof(**rrs));
	for (size_t i = 0; i < n; i++) {
		uint16_t type, class, rdlen;
		uint32_t ttl;
		char *data;

		if (!read_name(r, &r->pos, name))
			return false;
		if (r->pos + 10 > r->len)
			return fail(r, "a record header runs past the end");
		type = get16(r->msg + r->pos);
		class = get16(r->msg + r->pos + 2);
		ttl = (uint32_t)get16(r->msg + r->pos + 4) << 16 | get16(r->msg + r->pos + 6);
		rdlen = get16(r->msg + r->pos + 8);
		r->pos += 10;
		if (r->pos + rdlen > r->len)
			return fail(r, "a record runs past the end");
		if (class == CLASS_IN && (type == DNS_A || type == DNS_AAAA || type == DNS_NS ||
		    type == DNS_CNAME || type == DNS_SOA || type == DNS_TXT)) {
			if ((data = rdata_text(r, type, r->pos, r->pos + rdlen)) == NULL)
				return false;
			(*rrs)[*count].name = xstrdup(name);
			(*rrs)[*count].type = type;
			(*rrs)[*count].ttl = ttl;
			(*rrs)[*count].data = data;
			(*count)++;
		}
		r->pos += rdlen;
	}
	return true;
}

static void free_rrs(struct dns_rr *rrs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rrs[i].name);
		free(rrs[i].data);
	}
	free(rrs);
}

void dns_msg_clear(struct dns_msg *m)
{
	free(m->qname);
	free_rrs(m->answer, m->nanswer);
	free_rrs(m->authority, m->nauthority);
	memset(m, 0, sizeof(*m));
}

int dns_parse(const uint8_t *msg, size_t len, struct dns_msg *out)
{
	struct reader r = { .msg = msg, .len = len, .pos = HEADER_LEN };
	char qname[MAX_NAME_TEXT];
	uint16_t flags, qd;

	memset(out, 0, sizeof(*out));
	if (len < HEADER_LEN) {
		err_set(ERR_NETWORK, "malformed DNS answer: shorter than its header");
		return -1;
	}
	out->id = get16(msg);
	flags = get16(msg + 2);
	out->aa = (flags & FLAG_AA) != 0;
	out->tc = (flags & FLAG_TC) != 0;
	out->rcode = flags & 0x0F;
	qd = get16(msg + 4);
	if (!(flags & FLAG_QR))
		fail(&r, "it is a query, not a response");
	else if (qd > 1)
		fail(&r, "it has more than one question");
	else if (qd == 1 && read_name(&r, &r.pos, qname)) {
		if (r.pos + 4 > len)
			fail(&r, "its question runs past the end");
		else {
			out->qname = xstrdup(qname);
			out->qtype = get16(msg + r.pos);
			r.pos += 4;
		}
	}
	/* a truncated answer is cut at any record: what was read is kept */
	if (r.why == NULL && read_section(&r, get16(msg + 6), &out->answer, &out->nanswer))
		read_section(&r, get16(msg + 8), &out->authority, &out->nauthority);
	if (r.why != NULL && !(out->tc && out->qname != NULL)) {
		err_set(ERR_NETWORK, "malformed DNS answer: %s", r.why);
		dns_msg_clear(out);
		return -1;
	}
	return 0;
}

size_t dns_build_query(uint8_t buf[DNS_QUERY_MAX], uint16_t id, const char *name,
    uint16_t type, bool rd)
{
	size_t len = strlen(name), pos = HEADER_LEN, n;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len > 253 || (len > 0 && name[len - 1] == '.'))
		return 0;
	memset(buf, 0, HEADER_LEN);
	buf[0] = id >> 8;
	buf[1] = id & 0xFF;
	buf[2] = rd ? FLAG_RD >> 8 : 0;
	buf[5] = 1;                  /* one question */
	for (size_t i = 0; i < len; i += n + 1) {
		n = strcspn(name + i, ".");
		if (n == 0 || n > 63)
			return 0;
		buf[pos++] = (uint8_t)n;
		memcpy(buf + pos, name + i, n);
		pos += n;
	}
	buf[pos++] = 0;
	buf[pos++] = type >> 8;
	buf[pos++] = type & 0xFF;
	buf[pos++] = 0;
	buf[pos++] = CLASS_IN;
	return pos;
}

int dns_server_parse(const char *text, struct sockaddr_storage *sa, socklen_t *salen)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;
	char host[INET6_ADDRSTRLEN + 2];
	const char *port = NULL, *colon = strrchr(text, ':'), *close;
	size_t hlen;
	long p = 53;
	char *end;

	memset(sa, 0, sizeof(*sa));
	if (text[0] == '[' && (close = strchr(text, ']')) != NULL) {
		hlen = (size_t)(close - text - 1);
		text++;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			goto bad;
	} else if (colon != NULL && strchr(text, ':') == colon) {
		hlen = (size_t)(colon - text);
		port = colon + 1;
	} else {
		hlen = strlen(text);
	}
	if (hlen >= sizeof(host))
		goto bad;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (port != NULL) {
		errno = 0;
		p = strtol(port, &end, 10);
		if (*port == '\0' || *end != '\0' || errno != 0 || p < 1 || p > 65535)
			goto bad;
	}
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)p);
		*salen = sizeof(*v4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)p);
		*salen = sizeof(*v6);
		return 0;
	}
bad:
	err_set(ERR_USAGE, "not a DNS server address: \"%s\" (want IP, IP:PORT or [IPv6]:PORT)",
	    text);
	return -1;
}

const char *dns_server_text(const struct sockaddr_storage *sa, char buf[64])
{
	char addr[INET6_ADDRSTRLEN] = "?";

	if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &v6->sin6_addr, addr, sizeof(addr));
		snprintf(buf, 64, "[%s]:%u", addr, ntohs(v6->sin6_port));
	} else {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &v4->sin_addr, addr, sizeof(addr));
		snprintf(buf, 64, "%s:%u", addr, ntohs(v4->sin_port));
	}
	return buf;
}

bool dns_servers_add(struct dns_servers *s, const char *text)
{
	if (s->n == DNS_SERVERS_MAX)
		return false;
	if (dns_server_parse(text, &s->sa[s->n], &s->len[s->n]) != 0) {
		err_clear();
		return false;
	}
	dns_server_text(&s->sa[s->n], s->text[s->n]);
	s->n++;
	return true;
}

int dns_servers_parse(const char *list, const char *what, struct dns_servers *s)
{
	char *copy = xstrdup(list), *entry, *save = NULL;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	for (entry = strtok_r(copy, ",", &save); entry != NULL; entry = strtok_r(NULL, ",", &save)) {
		if (s->n == DNS_SERVERS_MAX) {
			err_set(ERR_USAGE, "%s: more than %d servers", what, DNS_SERVERS_MAX);
			goto out;
		}
		if (dns_server_parse(entry, &s->sa[s->n], &s->len[s->n]) != 0) {
			err_prefix("%s", what);
			goto out;
		}
		dns_server_text(&s->sa[s->n], s->text[s->n]);
		s->n++;
	}
	if (s->n == 0) {
		err_set(ERR_USAGE, "%s: no address given", what);
		goto out;
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

void dns_servers_from_resolv(const char *path, const char *fallback, struct dns_servers *s)
{
	struct resolv_conf rc;
	char *copy, *entry, *save = NULL;

	memset(s, 0, sizeof(*s));
	resolv_load(path, &rc);
	err_clear();
	for (size_t i = 0; i < rc.nnameservers; i++)
		(void)dns_servers_add(s, rc.nameservers[i]);
	resolv_conf_free(&rc);
	if (s->n > 0)
		return;
	copy = xstrdup(fallback);
	for (entry = strtok_r(copy, ",", &save); entry != NULL; entry = strtok_r(NULL, ",", &save))
		(void)dns_servers_add(s, entry);
	free(copy);
}

/* Milliseconds left until deadline (mono_ms()), at least 0. */
static int left_ms(long long deadline)
{
	long long left = deadline - mono_ms();

	return left <= 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

/* Waits until fd is ready for events or the deadline passes. 1 ready,
 * 0 at the deadline, -1 with errno. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n;

	do
		n = poll(&pfd, 1, left_ms(deadline));
	while (n == -1 && errno == EINTR);
	return n;
}

/* True when answer m answers the question asked: the id, the name (case
 * aside) and the type. Anything else is another conversation, or a
 * forgery, and is ignored. */
static bool answers(const struct dns_msg *m, uint16_t id, const char *name, uint16_t type)
{
	size_t n = strlen(name);

	if (n > 0 && name[n - 1] == '.')
		n--;
	return m->id == id && m->qname != NULL && m->qtype == type &&
	    strlen(m->qname) == n && strncasecmp(m->qname, name, n) == 0;
}

/* Records why an exchange with server failed. */
static int exchange_error(const struct sockaddr_storage *server, const char *how,
    long timeout_ms, int e)
{
	char s[64];

	dns_server_text(server, s);
	if (e == ETIMEDOUT)
		err_set(ERR_NETWORK, "no answer from %s within %ld ms (%s)", s, timeout_ms, how);
	else if (e == ECONNREFUSED)
		err_set(ERR_NETWORK, "%s refused the %s query (nothing listens there)", s, how);
	else
		err_set(ERR_NETWORK, "DNS query to %s over %s failed: %s", s, how, strerror(e));
	return -1;
}

/* A non-blocking socket of type connected to server by the deadline, or
 * -1 with err. */
static int connect_by(const struct sockaddr_storage *server, socklen_t salen, int type,
    long long deadline, long timeout_ms)
{
	const char *how = type == SOCK_DGRAM ? "UDP" : "TCP";
	socklen_t elen = sizeof(int);
	int fd, w, e = 0;

	fd = socket(server->ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		exchange_error(server, how, timeout_ms, errno);
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)server, salen) == 0)
		return fd;
	if (errno != EINPROGRESS)
		e = errno;
	else if ((w = wait_fd(fd, POLLOUT, deadline)) <= 0)
		e = w == 0 ? ETIMEDOUT : errno;
	else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) == -1)
		e = errno;
	if (e == 0)
		return fd;
	close(fd);
	exchange_error(server, how, timeout_ms, e);
	return -1;
}

enum dns_tcp_frame dns_tcp_frame(const uint8_t *stream, size_t len, size_t *need)
{
	if (len < 2) {
		*need = 2;
		return DNS_TCP_MORE;
	}
	*need = 2 + (size_t)get16(stream);
	if (*need == 2)
		return DNS_TCP_EMPTY;
	return len < *need ? DNS_TCP_MORE : DNS_TCP_WHOLE;
}

int dns_tcp_answer(const uint8_t *stream, size_t len, uint16_t id, const char *name,
    uint16_t type, struct dns_msg *out, enum dns_tcp_end *end)
{
	size_t need;

	memset(out, 0, sizeof(*out));
	*end = DNS_TCP_END_MALFORMED;
	switch (dns_tcp_frame(stream, len, &need)) {
	case DNS_TCP_EMPTY:
		err_set(ERR_NETWORK, "malformed DNS answer: its TCP length is 0");
		return -1;
	case DNS_TCP_MORE:
		*end = len == 0 || len == 2 ? DNS_TCP_END_BETWEEN : DNS_TCP_END_INSIDE;
		if (need == 2)
			err_set(ERR_NETWORK, "DNS answer cut short: %zu of the 2 bytes of its "
			    "TCP length", len);
		else
			err_set(ERR_NETWORK, "DNS answer cut short: %zu of the %zu bytes its "
			    "TCP length gives", len - 2, need - 2);
		return -1;
	case DNS_TCP_WHOLE:
		break;
	}
	if (dns_parse(stream + 2, need - 2, out) == -1)
		return -1;
	if (!answers(out, id, name, type)) {
		dns_msg_clear(out);
		*end = DNS_TCP_END_OTHER;
		err_set(ERR_NETWORK, "malformed DNS answer: not an answer to the question asked");
		return -1;
	}
	*end = DNS_TCP_END_NONE;
	return 0;
}

/* Reads from a stream socket into buf, which holds len bytes, by the
 * deadline: the bytes read (0 when the peer closed), or -1 with errno
 * (ETIMEDOUT at the deadline). */
static ssize_t read_some(int fd, uint8_t *buf, size_t len, long long deadline)
{
	for (;;) {
		ssize_t n;
		int w = wait_fd(fd, POLLIN, deadline);

		if (w <= 0) {
			errno = w == 0 ? ETIMEDOUT : errno;
			return -1;
		}
		n = read(fd, buf, len);
		if (n >= 0 || (errno != EINTR && errno != EAGAIN))
			return n;
	}
}

/* The question q over TCP: reads until the first frame is whole, the
 * server closes or the deadline passes, then takes the answer from what
 * came (dns_tcp_answer()). 0 with the answer in out, or -1 with err
 * naming the server and, for an answer cut short, how it ended; *end
 * says where it stopped. */
static int exchange_tcp(int fd, const struct sockaddr_storage *server, const uint8_t *q,
    size_t qlen, const char *name, uint16_t type, long long deadline, long timeout_ms,
    struct dns_msg *out, enum dns_tcp_end *end)
{
	uint8_t *buf = xmalloc(TCP_MAX + 2);
	size_t got = 0, need;
	ssize_t n = 1;
	char s[64];
	int rc = -1, e;

	memset(out, 0, sizeof(*out));
	buf[0] = (uint8_t)(qlen >> 8);
	buf[1] = (uint8_t)qlen;
	memcpy(buf + 2, q, qlen);
	errno = 0;
	if (wait_fd(fd, POLLOUT, deadline) <= 0 ||
	    write(fd, buf, qlen + 2) != (ssize_t)(qlen + 2)) {
		exchange_error(server, "TCP", timeout_ms, errno ? errno : ETIMEDOUT);
		goto out;
	}
	while (dns_tcp_frame(buf, got, &need) == DNS_TCP_MORE &&
	    (n = read_some(fd, buf + got, need - got, deadline)) > 0)
		got += (size_t)n;
	e = n == -1 ? errno : 0;
	dns_server_text(server, s);
	if (got == 0 && n == -1) {
		*end = e == ETIMEDOUT ? DNS_TCP_END_TIMEOUT : DNS_TCP_END_NONE;
		exchange_error(server, "TCP", timeout_ms, e);
		goto out;
	}
	if (got == 0 && n == 0) {
		*end = DNS_TCP_END_BETWEEN;
		err_set(ERR_NETWORK, "%s closed the TCP connection without answering", s);
		goto out;
	}
	if ((rc = dns_tcp_answer(buf, got, get16(q), name, type, out, end)) == -1) {
		if (n == -1)
			*end = e == ETIMEDOUT ? DNS_TCP_END_TIMEOUT : DNS_TCP_END_NONE;
		if (n == 0)
			err_prefix("%s over TCP, which then closed the connection", s);
		else if (e == ETIMEDOUT)
			err_prefix("%s over TCP, nothing more within %ld ms", s, timeout_ms);
		else if (n == -1)
			err_prefix("%s over TCP, reading failed (%s)", s, strerror(e));
		else
			err_prefix("%s over TCP", s);
	}
out:
	free(buf);
	return rc;
}

/* The question over UDP: waits for the datagram that answers it, ignoring
 * others. 0 with the answer in out, or -1 with err. */
static int exchange_udp(int fd, const struct sockaddr_storage *server, const uint8_t *q,
    size_t qlen, const char *name, uint16_t qtype, long long deadline, long timeout_ms,
    struct dns_msg *out)
{
	uint8_t *buf = xmalloc(TCP_MAX);
	int w, rc = -1;
	ssize_t n;

	if (send(fd, q, qlen, 0) != (ssize_t)qlen) {
		exchange_error(server, "UDP", timeout_ms, errno);
		goto out;
	}
	for (;;) {
		if ((w = wait_fd(fd, POLLIN, deadline)) <= 0) {
			exchange_error(server, "UDP", timeout_ms, w == 0 ? ETIMEDOUT : errno);
			goto out;
		}
		if ((n = recv(fd, buf, TCP_MAX, 0)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			exchange_error(server, "UDP", timeout_ms, errno);
			goto out;
		}
		if (dns_parse(buf, (size_t)n, out) == 0 && answers(out, get16(q), name, qtype))
			break;
		dns_msg_clear(out);
		err_clear();
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* The question q over TCP to server by deadline: 0 with the answer to it
 * in out, or -1 with err. */
static int query_tcp(const struct sockaddr_storage *server, socklen_t salen, const uint8_t *q,
    size_t qlen, const char *name, uint16_t type, long long deadline, long timeout_ms,
    struct dns_msg *out, enum dns_tcp_end *end)
{
	int fd, rc;

	if ((fd = connect_by(server, salen, SOCK_STREAM, deadline, timeout_ms)) == -1) {
		*end = DNS_TCP_END_CONNECT;
		return -1;
	}
	rc = exchange_tcp(fd, server, q, qlen, name, type, deadline, timeout_ms, out, end);
	close(fd);
	return rc;
}

int dns_query_over(const struct sockaddr_storage *server, socklen_t salen, const char *name,
    uint16_t type, bool rd, enum dns_transport how, long timeout_ms, struct dns_msg *out,
    enum dns_tcp_end *tcp_end)
{
	uint8_t q[DNS_QUERY_MAX];
	long long deadline = mono_ms() + timeout_ms;
	enum dns_tcp_end end_unwanted;
	uint16_t id;
	size_t qlen;
	int fd, rc;

	memset(out, 0, sizeof(*out));
	if (tcp_end == NULL)
		tcp_end = &end_unwanted;
	*tcp_end = DNS_TCP_END_NONE;
	if (RAND_bytes((unsigned char *)&id, sizeof(id)) != 1) {
		err_set(ERR_NETWORK, "no random DNS query id: the random generator failed");
		return -1;
	}
	if ((qlen = dns_build_query(q, id, name, type, rd)) == 0) {
		err_set(ERR_USAGE, "not a domain name: \"%s\"", name);
		return -1;
	}
	if (how == DNS_TCP)
		return query_tcp(server, salen, q, qlen, name, type, deadline, timeout_ms, out,
		    tcp_end);
	if ((fd = connect_by(server, salen, SOCK_DGRAM, deadline, timeout_ms)) == -1)
		return -1;
	rc = exchange_udp(fd, server, q, qlen, name, type, deadline, timeout_ms, out);
	close(fd);
	if (rc != 0 || !out->tc || how == DNS_UDP)
		return rc;
	/* truncated: the whole answer over TCP, within what is left */
	dns_msg_clear(out);
	return query_tcp(server, salen, q, qlen, name, type, deadline, timeout_ms, out, tcp_end);
}

int dns_query(const struct sockaddr_storage *server, socklen_t salen, const char *name,
    uint16_t type, bool rd, long timeout_ms, struct dns_msg *out)
{
	return dns_query_over(server, salen, name, type, rd, DNS_UDP_THEN_TCP, timeout_ms, out,
	    NULL);
}
