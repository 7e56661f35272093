/* probe.c - what the bounded network steps of diagnose share (see
 * probe.h): waiting under a deadline, connections (a socket, TLS over it,
 * TLS inside that TLS) and CONNECT through a proxy. Lookups and connects
 * are in probe_net.c, TLS in probe_tls.c, HTTP/1.1 in probe_http.c. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "diagnose_int.h"
#include "probe.h"
#include "util.h"

int probe_ms_left(long long deadline)
{
	long long left = deadline - mono_ms();

	if (left <= 0)
		return 0;
	return left > 3600 * 1000 ? 3600 * 1000 : (int)left;
}

int probe_wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	for (;;) {
		n = poll(&p, 1, probe_ms_left(deadline));
		if (n > 0)
			return 1;
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/*
 * Connections: a socket, TLS over it, or TLS inside that TLS (an https://
 * proxy's tunnel). Every layer waits on the one socket at the bottom.
 */

struct probe_conn *probe_conn_new(int fd)
{
	struct probe_conn *c = xcalloc(1, sizeof(*c));

	c->fd = fd;
	return c;
}

void probe_conn_close(struct probe_conn *c)
{
	if (c == NULL)
		return;
	SSL_free(c->ssl);
	if (c->under != NULL)
		probe_conn_close(c->under);
	else
		close(c->fd);
	free(c);
}

/* Waits for what an I/O call on c that returned rc needs: for a socket, rc
 * -1 with EAGAIN; for TLS, what SSL_get_error() asks for. 1 ready, 0 at the
 * deadline, -1 when the call failed for good. */
int probe_conn_wait(struct probe_conn *c, short plain_events, int rc, long long deadline)
{
	short ev;

	if (c->ssl == NULL) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		ev = plain_events;
	} else {
		switch (SSL_get_error(c->ssl, rc)) {
		case SSL_ERROR_WANT_READ:
			ev = POLLIN;
			break;
		case SSL_ERROR_WANT_WRITE:
			ev = POLLOUT;
			break;
		default:
			return -1;
		}
	}
	return probe_wait_fd(c->fd, ev, deadline) > 0 ? 1 : 0;
}

int probe_conn_write(struct probe_conn *c, const char *buf, size_t len, long long deadline)
{
	ssize_t n;
	int w;

	while (len > 0) {
		ERR_clear_error();
		errno = 0;
		n = c->ssl != NULL ? SSL_write(c->ssl, buf, (int)(len > INT_MAX ? INT_MAX : len)) :
		    send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if ((w = probe_conn_wait(c, POLLOUT, (int)n, deadline)) != 1)
			return w;
	}
	return 1;
}

ssize_t probe_conn_read(struct probe_conn *c, char *buf, size_t len, long long deadline)
{
	ssize_t n;
	int w;

	for (;;) {
		ERR_clear_error();
		errno = 0;
		n = c->ssl != NULL ? SSL_read(c->ssl, buf, (int)(len > INT_MAX ? INT_MAX : len)) :
		    recv(c->fd, buf, len, 0);
		if (n > 0)
			return n;
		if (n == 0 && c->ssl == NULL)
			return 0;
		if ((w = probe_conn_wait(c, POLLIN, (int)n, deadline)) != 1)
			return w == 0 ? -1 : 0;
	}
}

/*
 * CONNECT through an HTTP proxy.
 */

static char *base64(const char *s)
{
	size_t len = strlen(s);
	char *out = xmalloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)len);
	return out;
}

bool probe_status_line(const char *line, size_t len, int *code, char **reason)
{
	const char *sp;

	*reason = NULL;
	if (len < 12 || strncmp(line, "HTTP/1.", 7) != 0 || line[8] != ' ' ||
	    !isdigit((unsigned char)line[9]) || !isdigit((unsigned char)line[10]) ||
	    !isdigit((unsigned char)line[11]) || (len > 12 && line[12] != ' '))
		return false;
	*code = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
	sp = line + 12;
	while (sp < line + len && *sp == ' ')
		sp++;
	if (sp < line + len)
		*reason = xstrndup(sp, (size_t)(line + len - sp));
	return true;
}

void probe_tunnel_run(struct probe_conn *c, const char *authority, const char *credentials,
    long long deadline, struct probe_tunnel *out)
{
	long long start = mono_ms();
	char *auth = NULL, *req, *buf = xmalloc(PROBE_HEAD_MAX + 1);
	size_t len = 0;
	ssize_t r;
	int w;

	memset(out, 0, sizeof(*out));
	if (credentials != NULL)
		auth = base64(credentials);
	req = xasprintf("CONNECT %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s/%s\r\n%s%s%s\r\n",
	    authority, authority, PACKAGE_NAME, PACKAGE_VERSION,
	    auth ? "Proxy-Authorization: Basic " : "", auth ? auth : "", auth ? "\r\n" : "");
	w = probe_conn_write(c, req, strlen(req), deadline);
	if (w <= 0) {
		out->status = w == 0 ? PROBE_TUNNEL_TIMEOUT : PROBE_TUNNEL_CLOSED;
		out->error = w == 0 ? xstrdup("could not send CONNECT before the deadline") :
		    c->ssl != NULL || errno == 0 ? xstrdup("the connection broke while "
		    "sending CONNECT") : xasprintf("sending CONNECT: %s", strerror(errno));
		goto out;
	}
	/* read the status line and headers; a 200 carries no body, and the
	 * server behind says nothing before the client's TLS hello */
	for (;;) {
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL || strstr(buf, "\n\n") != NULL)
			break;
		if (len == PROBE_HEAD_MAX) {
			out->status = PROBE_TUNNEL_GARBLED;
			out->error = xstrdup("the answer to CONNECT has no end of headers");
			goto out;
		}
		r = probe_conn_read(c, buf + len, PROBE_HEAD_MAX - len, deadline);
		if (r > 0) {
			len += (size_t)r;
			continue;
		}
		if (r == 0) {
			out->status = PROBE_TUNNEL_CLOSED;
			out->error = c->ssl == NULL && errno != 0 ? xasprintf("reading the answer "
			    "to CONNECT: %s", strerror(errno)) : xstrdup(len == 0 ? "the proxy "
			    "closed the connection without answering CONNECT" : "the proxy closed "
			    "the connection in the middle of its answer");
			goto out;
		}
		out->status = PROBE_TUNNEL_TIMEOUT;
		out->error = xstrdup(len == 0 ? "no answer to CONNECT before the deadline" :
		    "the answer to CONNECT was incomplete at the deadline");
		goto out;
	}
	probe_tunnel_parse(buf, len, out);
out:
	out->ms = mono_ms() - start;
	if (auth != NULL) {
		OPENSSL_cleanse(auth, strlen(auth));
		OPENSSL_cleanse(req, strlen(req));
	}
	free(auth);
	free(req);
	free(buf);
}

#define HEADER_VALUE_MAX 200

/* The value of the header line [line, end) when its name is name, cut at
 * HEADER_VALUE_MAX bytes and trimmed; NULL otherwise. Caller frees. */
static char *header_value(const char *line, const char *end, const char *name)
{
	size_t nlen = strlen(name);
	const char *v;

	if ((size_t)(end - line) <= nlen || strncasecmp(line, name, nlen) != 0 ||
	    line[nlen] != ':')
		return NULL;
	for (v = line + nlen + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	return xstrndup(v, (size_t)(end - v) > HEADER_VALUE_MAX ? HEADER_VALUE_MAX :
	    (size_t)(end - v));
}

void probe_auth_scheme_add(char **schemes, const char *value)
{
	size_t n = strcspn(value, " \t,");
	char *s;

	if (n == 0)
		return;
	s = *schemes == NULL ? xstrndup(value, n) :
	    xasprintf("%s, %.*s", *schemes, (int)n, value);
	free(*schemes);
	*schemes = s;
}

void probe_tunnel_parse(const char *head, size_t len, struct probe_tunnel *out)
{
	const char *end = head + len, *line, *eol;
	char *v, *server = NULL;
	bool via = false;

	eol = memchr(head, '\n', len);
	if (eol == NULL)
		eol = end;
	if (!probe_status_line(head, (size_t)(eol - head) - (eol > head && eol[-1] == '\r'),
	    &out->code, &out->reason)) {
		out->status = PROBE_TUNNEL_GARBLED;
		out->error = xstrdup("the answer to CONNECT is not an HTTP status line");
		return;
	}
	out->status = out->code == 200 ? PROBE_TUNNEL_OK : PROBE_TUNNEL_STATUS;
	for (line = eol + 1; line < end; line = eol + 1) {
		if ((eol = memchr(line, '\n', (size_t)(end - line))) == NULL)
			eol = end;
		if (eol == line || (eol == line + 1 && *line == '\r'))
			break;  /* the end of the headers: a body may follow */
		if (out->squid_error == NULL &&
		    (v = header_value(line, eol, "X-Squid-Error")) != NULL) {
			out->squid_error = v;
		} else if ((v = header_value(line, eol, "Proxy-Authenticate")) != NULL) {
			probe_auth_scheme_add(&out->auth_schemes, v);
			free(v);
		} else if ((v = header_value(line, eol, "Via")) != NULL) {
			via = true;
			free(v);
		} else if ((v = header_value(line, eol, "Server")) != NULL) {
			free(server);
			server = v;
		}
	}
	if (server != NULL && !via && strncasecmp(server, "tinyproxy/", 10) == 0) {
		out->tinyproxy = server;
		server = NULL;
	}
	free(server);
}

void probe_tunnel_clear(struct probe_tunnel *out)
{
	free(out->reason);
	free(out->error);
	free(out->squid_error);
	free(out->auth_schemes);
	free(out->tinyproxy);
	memset(out, 0, sizeof(*out));
}
