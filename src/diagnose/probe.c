/* probe.c - the bounded network steps of diagnose (see probe.h): name
 * lookups, connects, connections, CONNECT and HTTP/1.1; TLS is in
 * probe_tls.c. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "diagnose_int.h"
#include "err.h"
#include "probe.h"
#include "util.h"

#define HEAD_MAX (64 * 1024)
#define BODY_MAX (1024 * 1024)

/* Milliseconds left until deadline, never negative. */
static int ms_left(long long deadline)
{
	long long left = deadline - mono_ms();

	if (left <= 0)
		return 0;
	return left > 3600 * 1000 ? 3600 * 1000 : (int)left;
}

/* Waits until fd is ready for events or deadline passes. Returns 1 when
 * ready, 0 at the deadline, -1 on a poll error. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	for (;;) {
		n = poll(&p, 1, ms_left(deadline));
		if (n > 0)
			return 1;
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/*
 * Name lookups.
 */

struct probe_lookup_job {
	pthread_mutex_t lock;
	int pipe[2];          /* the thread writes one byte when done */
	bool done;
	bool abandoned;       /* the waiter gave up; the thread frees the job */
	char *name;
	char port[8];
	int rc;
	int saved_errno;
	struct addrinfo *res;
	long long started, ended;
	bool failed_to_start;
};

static void job_free(struct probe_lookup_job *job)
{
	if (job->res != NULL)
		freeaddrinfo(job->res);
	if (job->pipe[0] >= 0)
		close(job->pipe[0]);
	if (job->pipe[1] >= 0)
		close(job->pipe[1]);
	pthread_mutex_destroy(&job->lock);
	free(job->name);
	free(job);
}

static void *lookup_thread(void *arg)
{
	struct probe_lookup_job *job = arg;
	struct addrinfo hints, *res = NULL;
	bool abandoned;
	ssize_t w = 0;
	int rc, e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(job->name, job->port, &hints, &res);
	e = errno;
	pthread_mutex_lock(&job->lock);
	job->rc = rc;
	job->saved_errno = e;
	job->res = res;
	job->ended = mono_ms();
	job->done = true;
	abandoned = job->abandoned;
	/* written under the lock: the waiter frees the job once it sees done;
	 * a failed write only makes the waiter wait for its deadline */
	if (!abandoned)
		w = write(job->pipe[1], "x", 1);
	pthread_mutex_unlock(&job->lock);
	(void)w;
	if (abandoned)
		job_free(job);
	return NULL;
}

struct probe_lookup_job *probe_lookup_start(const char *name, int port)
{
	struct probe_lookup_job *job = xcalloc(1, sizeof(*job));
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t tid;

	pthread_mutex_init(&job->lock, NULL);
	job->pipe[0] = job->pipe[1] = -1;
	job->name = xstrdup(name);
	snprintf(job->port, sizeof(job->port), "%d", port);
	job->started = mono_ms();
	if (pipe(job->pipe) == -1) {
		job->failed_to_start = true;
		return job;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* signals are for the main thread, which cleans up */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&tid, &attr, lookup_thread, job) != 0)
		job->failed_to_start = true;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return job;
}

/* Copies the addresses of res into out, dropping duplicates. */
static void take_addresses(const struct addrinfo *res, struct probe_lookup *out)
{
	const struct addrinfo *ai;
	struct probe_addr a;
	size_t i;
	bool dup;

	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof(a.sa))
			continue;
		memset(&a, 0, sizeof(a));
		a.family = ai->ai_family;
		memcpy(&a.sa, ai->ai_addr, ai->ai_addrlen);
		a.salen = ai->ai_addrlen;
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, a.text, sizeof(a.text), NULL, 0,
		    NI_NUMERICHOST) != 0)
			continue;
		for (i = 0, dup = false; i < out->naddrs && !dup; i++)
			dup = strcmp(out->addrs[i].text, a.text) == 0;
		if (dup)
			continue;
		out->addrs = xrealloc(out->addrs, (out->naddrs + 1) * sizeof(*out->addrs));
		out->addrs[out->naddrs++] = a;
	}
}

void probe_lookup_finish(struct probe_lookup_job *job, long long deadline,
    struct probe_lookup *out)
{
	bool done;

	memset(out, 0, sizeof(*out));
	if (job->failed_to_start) {
		out->status = PROBE_LOOKUP_ERROR;
		out->error = xstrdup("cannot start the lookup thread");
		job_free(job);
		return;
	}
	/* whatever poll says, the done flag decides */
	(void)wait_fd(job->pipe[0], POLLIN, deadline);
	pthread_mutex_lock(&job->lock);
	done = job->done;
	if (!done)
		job->abandoned = true;
	pthread_mutex_unlock(&job->lock);
	if (!done) {
		out->status = PROBE_TIMEOUT;
		out->ms = mono_ms() - job->started;
		out->error = xstrdup("no answer before the deadline");
		return;
	}
	out->ms = job->ended - job->started;
	switch (job->rc) {
	case 0:
		take_addresses(job->res, out);
		out->status = out->naddrs > 0 ? PROBE_FOUND : PROBE_NOTFOUND;
		if (out->naddrs == 0)
			out->error = xstrdup("no usable address");
		break;
	case EAI_NONAME:
#ifdef EAI_NODATA
	case EAI_NODATA:
#endif
		out->status = PROBE_NOTFOUND;
		break;
	case EAI_AGAIN:
	case EAI_FAIL:
		out->status = PROBE_TEMPFAIL;
		break;
	default:
		out->status = PROBE_LOOKUP_ERROR;
		break;
	}
	if (job->rc != 0)
		out->error = xstrdup(job->rc == EAI_SYSTEM ? strerror(job->saved_errno) :
		    gai_strerror(job->rc));
	job_free(job);
}

void probe_lookup_run(const char *name, int port, long long deadline,
    struct probe_lookup *out)
{
	probe_lookup_finish(probe_lookup_start(name, port), deadline, out);
}

void probe_lookup_clear(struct probe_lookup *out)
{
	free(out->addrs);
	free(out->error);
	memset(out, 0, sizeof(*out));
}

bool probe_addr_literal(const char *host, int port, struct probe_addr *out)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)&out->sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->sa;

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		out->family = v4->sin_family = AF_INET;
		v4->sin_port = htons((unsigned short)port);
		out->salen = sizeof(*v4);
		inet_ntop(AF_INET, &v4->sin_addr, out->text, sizeof(out->text));
		return true;
	}
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		out->family = v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((unsigned short)port);
		out->salen = sizeof(*v6);
		inet_ntop(AF_INET6, &v6->sin6_addr, out->text, sizeof(out->text));
		return true;
	}
	memset(out, 0, sizeof(*out));
	return false;
}

/* True when the hosts-file name entry equals name, case and one trailing
 * dot on either side ignored. */
static bool host_name_equal(const char *entry, const char *name)
{
	size_t el = strlen(entry), nl = strlen(name);

	if (el > 0 && entry[el - 1] == '.')
		el--;
	if (nl > 0 && name[nl - 1] == '.')
		nl--;
	return el == nl && el > 0 && strncasecmp(entry, name, el) == 0;
}

size_t probe_hosts_lookup(const char *path, const char *name, int port,
    struct probe_addr **addrs)
{
	char *line = NULL, *save, *tok, *addr;
	struct probe_addr a;
	size_t cap = 0, n = 0, i;
	bool dup;
	FILE *f;

	*addrs = NULL;
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (getline(&line, &cap, f) != -1) {
		line[strcspn(line, "#")] = '\0';
		if ((addr = strtok_r(line, " \t\r\n", &save)) == NULL ||
		    !probe_addr_literal(addr, port, &a))
			continue;
		while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
			if (!host_name_equal(tok, name))
				continue;
			for (i = 0, dup = false; i < n && !dup; i++)
				dup = strcmp((*addrs)[i].text, a.text) == 0;
			if (!dup) {
				*addrs = xrealloc(*addrs, (n + 1) * sizeof(**addrs));
				(*addrs)[n++] = a;
			}
			break;
		}
	}
	free(line);
	fclose(f);
	return n;
}

/*
 * TCP connects.
 */

static enum probe_connect_status connect_status(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return PROBE_REFUSED;
	case ENETUNREACH:
	case EHOSTUNREACH:
		return PROBE_UNREACHABLE;
	case ETIMEDOUT:
		return PROBE_CONNECT_TIMEOUT;
	default:
		return PROBE_CONNECT_ERROR;
	}
}

/* Records the failure err of attempt i and closes its socket. */
static void connect_failed(struct probe_connect *c, int err, long long start)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->status = connect_status(err);
	c->err = c->status == PROBE_CONNECT_TIMEOUT ? 0 : err;
	c->ms = mono_ms() - start;
}

void probe_connect_all(const struct probe_addr *addrs, size_t n, long long deadline,
    struct probe_connect *out)
{
	struct pollfd *pfd = xcalloc(n > 0 ? n : 1, sizeof(*pfd));
	long long start = mono_ms();
	size_t i, pending = 0;
	socklen_t len;
	int fd, err, ready, one = 1;

	for (i = 0; i < n; i++) {
		out[i].fd = -1;
		out[i].err = 0;
		out[i].ms = 0;
		out[i].status = PROBE_CONNECT_TIMEOUT;
		pfd[i].fd = -1;
		fd = socket(addrs[i].family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd == -1) {
			connect_failed(&out[i], errno, start);
			continue;
		}
		out[i].fd = fd;
		/* as Go does: a request written after the handshake must not wait
		 * for the ACK of the client's Finished (Nagle + delayed ACK) */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(fd, (const struct sockaddr *)&addrs[i].sa, addrs[i].salen) == 0) {
			out[i].status = PROBE_CONNECTED;
			out[i].ms = mono_ms() - start;
			continue;
		}
		if (errno != EINPROGRESS) {
			connect_failed(&out[i], errno, start);
			continue;
		}
		pfd[i].fd = fd;
		pfd[i].events = POLLOUT;
		pending++;
	}
	while (pending > 0) {
		ready = poll(pfd, n, ms_left(deadline));
		if (ready == -1 && errno == EINTR)
			continue;
		if (ready <= 0)
			break;
		for (i = 0; i < n; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			pfd[i].fd = -1;
			pending--;
			err = 0;
			len = sizeof(err);
			if (getsockopt(out[i].fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
				err = errno;
			if (err != 0) {
				connect_failed(&out[i], err, start);
				continue;
			}
			out[i].status = PROBE_CONNECTED;
			out[i].ms = mono_ms() - start;
		}
	}
	/* what is still pending timed out */
	for (i = 0; i < n; i++) {
		if (pfd[i].fd < 0)
			continue;
		close(out[i].fd);
		out[i].fd = -1;
		out[i].status = PROBE_CONNECT_TIMEOUT;
		out[i].ms = mono_ms() - start;
	}
	free(pfd);
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
	return wait_fd(c->fd, ev, deadline) > 0 ? 1 : 0;
}

/* Writes all len bytes of buf over c. 1 done, 0 at the deadline, -1 when
 * the connection broke. */
static int conn_write(struct probe_conn *c, const char *buf, size_t len, long long deadline)
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

/* Reads up to len bytes over c. Returns how many, 0 at the end of the
 * stream or when the connection broke, -1 at the deadline. */
static ssize_t conn_read(struct probe_conn *c, char *buf, size_t len, long long deadline)
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

/* Parses "HTTP/1.x NNN reason" into *code and a new *reason (NULL when
 * empty). False when line is not a status line. */
static bool status_line(const char *line, size_t len, int *code, char **reason)
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
	char *auth = NULL, *req, *buf = xmalloc(HEAD_MAX + 1), *eol;
	size_t len = 0;
	ssize_t r;
	int w;

	memset(out, 0, sizeof(*out));
	if (credentials != NULL)
		auth = base64(credentials);
	req = xasprintf("CONNECT %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s/%s\r\n%s%s%s\r\n",
	    authority, authority, PACKAGE_NAME, PACKAGE_VERSION,
	    auth ? "Proxy-Authorization: Basic " : "", auth ? auth : "", auth ? "\r\n" : "");
	w = conn_write(c, req, strlen(req), deadline);
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
		if (len == HEAD_MAX) {
			out->status = PROBE_TUNNEL_GARBLED;
			out->error = xstrdup("the answer to CONNECT has no end of headers");
			goto out;
		}
		r = conn_read(c, buf + len, HEAD_MAX - len, deadline);
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
	eol = buf + strcspn(buf, "\r\n");
	if (!status_line(buf, (size_t)(eol - buf), &out->code, &out->reason)) {
		out->status = PROBE_TUNNEL_GARBLED;
		out->error = xstrdup("the answer to CONNECT is not an HTTP status line");
		goto out;
	}
	out->status = out->code == 200 ? PROBE_TUNNEL_OK : PROBE_TUNNEL_STATUS;
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

void probe_tunnel_clear(struct probe_tunnel *out)
{
	free(out->reason);
	free(out->error);
	memset(out, 0, sizeof(*out));
}

/*
 * HTTP/1.1 over the TLS connection.
 */

struct reader {
	struct probe_conn *c;
	char *buf;
	size_t len, cap;
	size_t pos;           /* parse position */
	bool eof;
	long long deadline;
};

/* Reads more bytes into r. 1 got some, 0 deadline, -1 EOF or error. */
static int read_more(struct reader *r)
{
	ssize_t n;

	if (r->cap - r->len < 4096) {
		r->cap = r->cap * 2 + 4096;
		r->buf = xrealloc(r->buf, r->cap + 1);
	}
	n = conn_read(r->c, r->buf + r->len, r->cap - r->len, r->deadline);
	if (n > 0) {
		r->len += (size_t)n;
		r->buf[r->len] = '\0';
		return 1;
	}
	if (n == 0)
		r->eof = true;
	return n == 0 ? -1 : 0;
}

/* Finds the end of the line starting at r->pos, reading as needed. Returns
 * the line length (without CRLF), -2 at the deadline, -1 on EOF. */
static long read_line(struct reader *r)
{
	char *nl;
	int w;

	for (;;) {
		if (r->len > r->pos && (nl = memchr(r->buf + r->pos, '\n', r->len - r->pos)) != NULL)
			return (long)(nl - (r->buf + r->pos));
		if (r->len - r->pos > HEAD_MAX)
			return -1;
		if ((w = read_more(r)) <= 0)
			return w == 0 ? -2 : -1;
	}
}

/* Makes sure n bytes from r->pos are buffered. 1, 0 deadline, -1 EOF. */
static int read_n(struct reader *r, size_t n)
{
	int w;

	while (r->len - r->pos < n)
		if ((w = read_more(r)) <= 0)
			return w;
	return 1;
}

static void trim(char **s, size_t *n)
{
	while (*n > 0 && ((*s)[*n - 1] == '\r' || (*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
}

/* Appends n bytes at r->pos to the body and advances. */
static int body_take(struct probe_response *resp, struct reader *r, size_t n)
{
	if (n > BODY_MAX - resp->body_len)
		return -1;
	resp->body = xrealloc(resp->body, resp->body_len + n + 1);
	memcpy(resp->body + resp->body_len, r->buf + r->pos, n);
	resp->body_len += n;
	resp->body[resp->body_len] = '\0';
	r->pos += n;
	return 0;
}

/* The chunked body at r->pos. 1 done, 0 deadline, -1 bad. */
static int read_chunked(struct reader *r, struct probe_response *resp)
{
	unsigned long size;
	char *end;
	long n;
	int w;

	for (;;) {
		if ((n = read_line(r)) < 0)
			return n == -2 ? 0 : -1;
		size = strtoul(r->buf + r->pos, &end, 16);
		if (end == r->buf + r->pos || size > BODY_MAX)
			return -1;
		r->pos += (size_t)n + 1;
		if (size == 0)
			break;
		if ((w = read_n(r, size + 2)) <= 0)
			return w;
		if (body_take(resp, r, size) == -1)
			return -1;
		r->pos += r->buf[r->pos] == '\r' ? 2 : 1;
	}
	/* trailers up to the empty line */
	for (;;) {
		if ((n = read_line(r)) < 0)
			return n == -2 ? 0 : -1;
		r->pos += (size_t)n + 1;
		if (n == 0 || (n == 1 && r->buf[r->pos - 2] == '\r'))
			return 1;
	}
}

enum probe_http_status probe_http(struct probe_conn *c, const char *method,
    const char *authority, const char *path, const char *body, long long deadline,
    struct probe_response *resp, char **error)
{
	struct reader r = { .c = c, .deadline = deadline };
	enum probe_http_status st = PROBE_HTTP_FAILED;
	char *req, *line, *reason = NULL, *colon, *value;
	bool head = strcmp(method, "HEAD") == 0, chunked = false, http10, has_length = false;
	unsigned long long length = 0;
	size_t vlen;
	long n;
	int rc, w;

	memset(resp, 0, sizeof(*resp));
	*error = NULL;
	if (body != NULL)
		req = xasprintf("%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s/%s diagnose\r\n"
		    "Accept: application/json\r\nContent-Type: application/jose+json\r\n"
		    "Content-Length: %zu\r\n\r\n%s", method, path, authority, PACKAGE_NAME,
		    PACKAGE_VERSION, strlen(body), body);
	else
		req = xasprintf("%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s/%s diagnose\r\n"
		    "Accept: application/json\r\n\r\n", method, path, authority,
		    PACKAGE_NAME, PACKAGE_VERSION);
	if ((w = conn_write(c, req, strlen(req), deadline)) != 1) {
		st = w == 0 ? PROBE_HTTP_TIMEOUT : PROBE_HTTP_FAILED;
		*error = xstrdup(w == 0 ? "the request could not be sent before the deadline" :
		    "the connection broke while sending the request");
		goto out;
	}
	/* status line, skipping interim 1xx responses */
	for (;;) {
		if ((n = read_line(&r)) < 0) {
			st = n == -2 ? PROBE_HTTP_TIMEOUT : PROBE_HTTP_FAILED;
			*error = xstrdup(n == -2 ? (r.len == 0 ? "no response before the deadline" :
			    "the response was incomplete at the deadline") :
			    "the server closed the connection without a response");
			goto out;
		}
		line = r.buf + r.pos;
		free(reason);
		reason = NULL;
		if (!status_line(line, (size_t)n - (n > 0 && line[n - 1] == '\r'),
		    &resp->status, &reason)) {
			*error = xstrdup("the response is not HTTP/1.x");
			goto out;
		}
		http10 = line[7] == '0';
		r.pos += (size_t)n + 1;
		resp->keep_alive = !http10;
		/* headers */
		for (;;) {
			if ((n = read_line(&r)) < 0) {
				st = n == -2 ? PROBE_HTTP_TIMEOUT : PROBE_HTTP_FAILED;
				*error = xstrdup(n == -2 ? "the response headers were incomplete at "
				    "the deadline" : "the connection closed in the response headers");
				goto out;
			}
			line = r.buf + r.pos;
			r.pos += (size_t)n + 1;
			if (n == 0 || (n == 1 && line[0] == '\r'))
				break;
			if ((colon = memchr(line, ':', (size_t)n)) == NULL)
				continue;
			value = colon + 1;
			vlen = (size_t)(line + n - value);
			trim(&value, &vlen);
			*colon = '\0';
			if (strcasecmp(line, "Content-Type") == 0) {
				free(resp->content_type);
				resp->content_type = xstrndup(value, vlen);
			} else if (strcasecmp(line, "Replay-Nonce") == 0) {
				free(resp->replay_nonce);
				resp->replay_nonce = xstrndup(value, vlen);
			} else if (strcasecmp(line, "Location") == 0) {
				free(resp->location);
				resp->location = xstrndup(value, vlen);
			} else if (strcasecmp(line, "Content-Length") == 0) {
				has_length = true;
				length = strtoull(value, NULL, 10);
			} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
				chunked = vlen >= 7 && strncasecmp(value + vlen - 7, "chunked", 7) == 0;
			} else if (strcasecmp(line, "Connection") == 0) {
				if (vlen == 5 && strncasecmp(value, "close", 5) == 0)
					resp->keep_alive = false;
				else if (vlen == 10 && strncasecmp(value, "keep-alive", 10) == 0)
					resp->keep_alive = true;
			}
		}
		if (resp->status >= 200)
			break;
		free(resp->content_type);
		resp->content_type = NULL;
		has_length = chunked = false;
	}
	resp->body = xstrdup("");
	if (head || resp->status == 204 || resp->status == 304) {
		st = PROBE_HTTP_OK;
		goto out;
	}
	if (chunked) {
		rc = read_chunked(&r, resp);
	} else if (has_length) {
		if (length > BODY_MAX)
			rc = -1;
		else if ((rc = read_n(&r, (size_t)length)) == 1)
			rc = body_take(resp, &r, (size_t)length) == 0 ? 1 : -1;
	} else {
		/* the body runs to the end of the connection */
		while ((rc = read_more(&r)) == 1 && r.len - r.pos <= BODY_MAX)
			;
		if (r.len - r.pos > BODY_MAX)
			rc = -1;
		else if (rc == -1 && r.eof) {
			body_take(resp, &r, r.len - r.pos);
			rc = 1;
		}
		resp->keep_alive = false;
	}
	if (rc == 1) {
		st = PROBE_HTTP_OK;
		resp->reason = reason;
		reason = NULL;
	} else {
		st = rc == 0 ? PROBE_HTTP_TIMEOUT : PROBE_HTTP_FAILED;
		*error = xstrdup(rc == 0 ? "the response body was incomplete at the deadline" :
		    "the response body is broken or larger than 1 MiB");
	}
out:
	free(reason);
	free(r.buf);
	free(req);
	return st;
}

void probe_response_clear(struct probe_response *resp)
{
	free(resp->content_type);
	free(resp->reason);
	free(resp->replay_nonce);
	free(resp->location);
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}
