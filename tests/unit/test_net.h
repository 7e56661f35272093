/* test_net.h - loopback sockets for the unit tests of acmectl's own
 * responders (test_http01, test_tlsalpn): a free port to start one on, and
 * a client connection to it. Include after test.h. */
#ifndef ACMECTL_TEST_NET_H
#define ACMECTL_TEST_NET_H

#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>
#include <unistd.h>

/* A loopback TCP port nobody listens on right now, or -1. */
static inline int test_free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd != -1 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd != -1)
		close(fd);
	return port;
}

/* A connection to port on the loopback address of family (AF_INET or
 * AF_INET6) whose reads and writes give up after 8 s, so a responder that
 * never answers fails a check instead of hanging the test. Returns the
 * descriptor (caller closes) or -1 when nothing accepts there. */
static inline int test_connect(int family, int port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	struct timeval tv = { 8, 0 };
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		v6->sin6_addr = in6addr_loopback;
	}
	if ((fd = socket(family, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, family == AF_INET ?
	    sizeof(*v4) : sizeof(*v6)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

#endif
