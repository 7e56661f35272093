/* responder.c - the listening socket and the thread of a built-in
 * responder (http-01 standalone, tls-alpn-01): where it listens, and the
 * one poll() loop that accepts, steps and drops its clients; what is said
 * on a connection is its owner's (struct responder_client_ops). */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "responder.h"
#include "util.h"

/* Parses "PORT", ":PORT", "ADDR:PORT" or "[V6]:PORT" into sa; *any when no
 * address was given. */
static bool parse_listen_addr(const char *addr, struct sockaddr_storage *sa,
    bool *any)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;
	char host[INET6_ADDRSTRLEN];
	const char *port = addr, *hostp = NULL, *end;
	size_t hostlen = 0;
	bool bracketed = false;
	long num;

	memset(sa, 0, sizeof(*sa));
	if (addr[0] == '[') {
		end = strchr(addr, ']');
		if (end == NULL || end[1] != ':')
			return false;
		hostp = addr + 1;
		hostlen = (size_t)(end - hostp);
		port = end + 2;
		bracketed = true;
	} else if ((end = strchr(addr, ':')) != NULL) {
		if (strchr(end + 1, ':') != NULL)
			return false;  /* an IPv6 address needs brackets */
		hostp = addr;
		hostlen = (size_t)(end - addr);
		port = end + 1;
	}
	if (port[0] == '\0' || strlen(port) > 5 ||
	    strspn(port, "0123456789") != strlen(port))
		return false;
	num = strtol(port, NULL, 10);
	if (num < 1 || num > 65535)
		return false;
	*any = hostlen == 0;
	if (*any && bracketed)
		return false;
	if (hostlen >= sizeof(host))
		return false;
	if (hostp != NULL)
		memcpy(host, hostp, hostlen);
	host[hostlen] = '\0';
	if (*any || (!bracketed && inet_pton(AF_INET, host, &v4->sin_addr) == 1)) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)num);
		return true;
	}
	if (bracketed && inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)num);
		return true;
	}
	return false;
}

/* "ADDR:PORT" or "[V6]:PORT" for messages. */
static void format_addr(const struct sockaddr_storage *sa, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(v6->sin6_port));
	} else {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &v4->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(v4->sin_port));
	}
}

/* A listening socket on sa, or -1 with errno. dual_stack: an IPv6 socket
 * that also accepts IPv4 (mapped) connections. */
static int listen_on(const struct sockaddr_storage *sa, bool dual_stack)
{
	int fd, one = 1, zero = 0, saved;
	socklen_t len = sa->ss_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

	fd = socket(sa->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    (dual_stack && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
	    sizeof(zero)) == -1) ||
	    bind(fd, (const struct sockaddr *)sa, len) == -1 ||
	    listen(fd, 32) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* Room for an address as messages show it ("[V6]:PORT"). */
#define ADDR_SHOWN_MAX 64

/* A listening TCP socket (non-blocking, close-on-exec) on addr; flag names
 * the option in messages. Stores the address as messages show it in shown
 * (size bytes). Returns the descriptor (caller closes), or -1 with
 * ERR_USAGE for a bad addr or ERR_NETWORK when it cannot listen. */
static int listen_addr(const char *addr, const char *flag, char *shown, size_t size)
{
	struct sockaddr_storage sa, v6any;
	bool any;
	int fd;

	if (!parse_listen_addr(addr, &sa, &any)) {
		err_set(ERR_USAGE, "invalid %s address \"%s\"", flag, addr);
		return -1;
	}
	if (any) {
		/* all addresses: one dual-stack socket, or IPv4 alone on a
		 * host without IPv6 */
		struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&v6any;

		memset(&v6any, 0, sizeof(v6any));
		v6->sin6_family = AF_INET6;
		v6->sin6_addr = in6addr_any;
		v6->sin6_port = ((struct sockaddr_in *)&sa)->sin_port;
		fd = listen_on(&v6any, true);
		if (fd == -1 && (errno == EAFNOSUPPORT ||
		    errno == EADDRNOTAVAIL || errno == EPROTONOSUPPORT))
			fd = listen_on(&sa, false);
		else
			sa = v6any;  /* name the socket that was (to be) used */
	} else {
		fd = listen_on(&sa, false);
	}
	format_addr(&sa, shown, size);
	if (fd == -1)
		err_set(ERR_NETWORK, "cannot listen on %s: %s", shown, strerror(errno));
	return fd;
}

/* Ends the connection in slot k: the owner's state first, then the
 * descriptor. */
static void conn_close(struct responder *r, size_t k)
{
	if (r->ops->close != NULL)
		r->ops->close(r->arg, k);
	close(r->conns[k].fd);
	r->conns[k].fd = -1;
}

/* Accepts waiting connections into the free slots, until none waits or
 * every slot is busy. */
static void accept_clients(struct responder *r)
{
	struct responder_conn *c;
	int fd;

	for (size_t k = 0; k < RESPONDER_MAX_CLIENTS; k++) {
		c = &r->conns[k];
		if (c->fd != -1)
			continue;
		fd = accept4(r->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1)
			return;  /* EAGAIN: none left; others: the peer gave up */
		c->fd = fd;
		c->deadline = mono_ms() + RESPONDER_CLIENT_TIMEOUT_MS;
		if ((c->events = r->ops->open(r->arg, k, fd)) == 0)
			conn_close(r, k);
	}
}

/* The responder thread: one poll() loop over the wake pipe, the listening
 * socket and the open connections, waiting no longer than the nearest
 * deadline; a connection past its deadline is dropped. Never calls err_*. */
static void *serve(void *arg)
{
	struct responder *r = arg;
	struct pollfd pfd[2 + RESPONDER_MAX_CLIENTS];
	size_t who[2 + RESPONDER_MAX_CLIENTS];
	long long now, wait;
	nfds_t n, i;
	bool full;

	for (;;) {
		now = mono_ms();
		wait = -1;
		full = true;
		pfd[0] = (struct pollfd){ .fd = r->wake[0], .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = r->listen_fd, .events = POLLIN };
		n = 2;
		for (size_t k = 0; k < RESPONDER_MAX_CLIENTS; k++) {
			struct responder_conn *c = &r->conns[k];

			if (c->fd != -1 && now >= c->deadline)
				conn_close(r, k);
			if (c->fd == -1) {
				full = false;
				continue;
			}
			if (wait == -1 || c->deadline - now < wait)
				wait = c->deadline - now;
			pfd[n] = (struct pollfd){ .fd = c->fd, .events = c->events };
			who[n++] = k;
		}
		/* when every slot is busy, new connections wait in the backlog */
		if (full)
			pfd[1].fd = -1;
		if (poll(pfd, n, (int)wait) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents != 0)
			break;
		for (i = 2; i < n; i++) {
			struct responder_conn *c = &r->conns[who[i]];

			if (pfd[i].revents == 0)
				continue;
			if ((c->events = r->ops->step(r->arg, who[i], c->fd)) == 0)
				conn_close(r, who[i]);
		}
		if (pfd[1].revents & POLLIN)
			accept_clients(r);
	}
	for (size_t k = 0; k < RESPONDER_MAX_CLIENTS; k++)
		if (r->conns[k].fd != -1)
			conn_close(r, k);
	return NULL;
}

void responder_init(struct responder *r)
{
	r->listen_fd = r->wake[0] = r->wake[1] = -1;
	r->running = false;
	r->ops = NULL;
	r->arg = NULL;
	for (size_t k = 0; k < RESPONDER_MAX_CLIENTS; k++)
		r->conns[k].fd = -1;
}

int responder_start(struct responder *r, const char *addr, const char *flag,
    const char *what, const struct responder_client_ops *ops, void *arg)
{
	char shown[ADDR_SHOWN_MAX];
	sigset_t all, old;
	int rc;

	if ((r->listen_fd = listen_addr(addr, flag, shown, sizeof(shown))) == -1)
		return -1;
	if (pipe2(r->wake, O_CLOEXEC | O_NONBLOCK) == -1) {
		err_set(ERR_NETWORK, "cannot start the %s responder: %s", what, strerror(errno));
		return -1;
	}
	r->ops = ops;
	r->arg = arg;
	/* signals belong to the main thread, whose handler cleans up */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&r->thread, NULL, serve, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		err_set(ERR_NETWORK, "cannot start the %s responder: %s", what, strerror(rc));
		return -1;
	}
	r->running = true;
	logmsg(LOG_VERBOSE, "%s responder listening on %s", what, shown);
	return 0;
}

void responder_stop(struct responder *r)
{
	if (r->running) {
		while (write(r->wake[1], "x", 1) == -1 && errno == EINTR)
			continue;
		pthread_join(r->thread, NULL);
	}
	if (r->listen_fd != -1)
		close(r->listen_fd);
	if (r->wake[0] != -1) {
		close(r->wake[0]);
		close(r->wake[1]);
	}
	responder_init(r);
}
