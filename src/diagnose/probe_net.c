/* probe_net.c - name lookups (getaddrinfo in a thread, so a hung
 * resolver is left behind at the deadline), the hosts file, address
 * literals and TCP connects to every address at once (see probe.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
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

#include "diagnose_int.h"
#include "probe.h"
#include "util.h"

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
	(void)probe_wait_fd(job->pipe[0], POLLIN, deadline);
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

/* probe_connect_all(), with the MSS the SYN offers set to mss when that
 * is not 0. */
static void connect_all(const struct probe_addr *addrs, size_t n, int mss, long long deadline,
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
		if (mss > 0)
			setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof(mss));
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
		ready = poll(pfd, n, probe_ms_left(deadline));
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

void probe_connect_all(const struct probe_addr *addrs, size_t n, long long deadline,
    struct probe_connect *out)
{
	connect_all(addrs, n, 0, deadline, out);
}

void probe_connect_mss(const struct probe_addr *addr, int mss, long long deadline,
    struct probe_connect *out)
{
	connect_all(addr, 1, mss, deadline, out);
}
