/* http01.c - answering http-01 challenges (RFC 8555 section 8.3): files under
 * a webroot that an existing web server serves, or a small responder thread
 * that serves the published tokens and nothing else. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "b64url.h"
#include "err.h"
#include "fileio.h"
#include "http01.h"
#include "log.h"
#include "util.h"

#define CHALLENGE_PATH "/.well-known/acme-challenge/"

/* An order has at most 100 names at Let's Encrypt; one token each. */
#define MAX_TOKENS 128
/* RFC 8555 tokens are 43 characters; the bound keeps file names sane. */
#define TOKEN_MAX 128
/* token "." base64url(SHA-256 thumbprint) */
#define KEYAUTH_MAX (TOKEN_MAX + 1 + 43)

#define HEAD_MAX 4096            /* request head bytes read per connection */
#define CLIENT_TIMEOUT_MS 5000   /* whole exchange, read and write */
#define MAX_CLIENTS 16           /* served concurrently; more wait in the backlog */
#define RESPONSE_MAX (512 + KEYAUTH_MAX)

/* Webroot directories this run created, for the signal handler. */
#define MAX_CREATED_DIRS 4

struct published {
	char token[TOKEN_MAX + 1];
	char keyauth[KEYAUTH_MAX + 1];
	int slot;                /* webroot: index into cleanup_paths */
};

/* One connection of the responder; touched only by its thread. */
struct client {
	int fd;                  /* -1 when the slot is free */
	long long deadline;      /* mono_ms() after which it is dropped */
	bool writing;
	size_t inlen;
	char in[HEAD_MAX];
	size_t outlen, outoff;
	char out[RESPONSE_MAX];
};

struct http01 {
	bool standalone;

	/* webroot */
	char *challenge_dir;
	int challenge_fd;        /* challenge_dir, opened once it was checked */
	char *created[2];        /* .well-known, acme-challenge if we made them */
	int created_slot[2];     /* their index in cleanup_dirs, or -1 */

	/* standalone */
	struct responder rsp;
	struct client clients[MAX_CLIENTS];

	pthread_mutex_t lock;    /* guards tokens and ntokens */
	struct published tokens[MAX_TOKENS];
	size_t ntokens;
};

/* What http01_emergency_cleanup() removes. Fixed arrays, because a signal
 * handler can neither allocate nor follow pointers that are being freed: a
 * slot's path is written before its flag is raised, and the flag lowered
 * before the path is reused. */
static char cleanup_paths[MAX_TOKENS][PATH_MAX];
static volatile sig_atomic_t cleanup_live[MAX_TOKENS];
static char cleanup_dirs[MAX_CREATED_DIRS][PATH_MAX];
static volatile sig_atomic_t cleanup_dir_live[MAX_CREATED_DIRS];

/* Records path in the first free slot of a cleanup table; -1 when full. */
static int claim_slot(char (*paths)[PATH_MAX], volatile sig_atomic_t *live,
    int n, const char *path)
{
	int i;

	if (strlen(path) >= PATH_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		if (live[i])
			continue;
		strcpy(paths[i], path);
		/* the handler must never see the flag before the path */
		atomic_signal_fence(memory_order_seq_cst);
		live[i] = 1;
		return i;
	}
	return -1;
}

void http01_emergency_cleanup(void)
{
	int i;

	for (i = 0; i < MAX_TOKENS; i++)
		if (cleanup_live[i])
			unlink(cleanup_paths[i]);
	/* acme-challenge was claimed after .well-known, so later slots first;
	 * rmdir leaves a directory that is not empty */
	for (i = MAX_CREATED_DIRS - 1; i >= 0; i--)
		if (cleanup_dir_live[i])
			rmdir(cleanup_dirs[i]);
}

static struct http01 *solver_new(bool standalone)
{
	struct http01 *s = xcalloc(1, sizeof(*s));
	size_t i;

	s->standalone = standalone;
	s->created_slot[0] = s->created_slot[1] = -1;
	s->challenge_fd = -1;
	responder_init(&s->rsp);
	for (i = 0; i < MAX_CLIENTS; i++)
		s->clients[i].fd = -1;
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

/* The published entry for token, or NULL. Caller holds s->lock. */
static struct published *find_token(struct http01 *s, const char *token,
    size_t len)
{
	size_t i;

	for (i = 0; i < s->ntokens; i++)
		if (strlen(s->tokens[i].token) == len &&
		    memcmp(s->tokens[i].token, token, len) == 0)
			return &s->tokens[i];
	return NULL;
}

/* Webroot */

/* Opens the directory name under at (path names it in messages) for the
 * webroot of owner, creating it (0755 whatever the umask: the web server
 * must read it) when missing and remembering that we made it. A symlink
 * there is followed only when the link and the directory it leads to
 * belong to owner or root: tokens are created and removed there, as root
 * too, and a link planted by the web server's user must not lead that into
 * someone else's directory. The directory's owner is taken from the open
 * descriptor, so what is judged is what is used. Returns the descriptor,
 * or -1 with ERR_STORAGE. */
static int enter_webroot_dir(struct http01 *s, int at, const char *name, const char *path,
    uid_t owner, int which)
{
	struct stat link, target;
	int fd, saved;
	uid_t bad;

	if (mkdirat(at, name, 0755) == 0) {
		s->created[which] = xstrdup(path);
		s->created_slot[which] = claim_slot(cleanup_dirs, cleanup_dir_live,
		    MAX_CREATED_DIRS, path);
	} else if (errno != EEXIST) {
		err_set(ERR_STORAGE, "cannot create directory %s: %s", path, strerror(errno));
		return -1;
	}
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	saved = errno;
	/* with O_DIRECTORY, Linux reports a symlink as ENOTDIR, not ELOOP */
	if (fd == -1 && fstatat(at, name, &link, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(link.st_mode)) {
		if ((fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
		    fstat(fd, &target) == -1) {
			err_set(ERR_STORAGE, "%s is a symlink that leads to no directory: %s",
			    path, strerror(errno));
			goto fail;
		}
		bad = link.st_uid != owner && link.st_uid != 0 ? link.st_uid : target.st_uid;
		if (bad != owner && bad != 0) {
			err_set(ERR_STORAGE, "refusing to use %s: it is a symlink %s uid %u, "
			    "not by the webroot's owner (uid %u) or root", path,
			    bad == link.st_uid ? "made by" : "to a directory owned by",
			    (unsigned)bad, (unsigned)owner);
			goto fail;
		}
	}
	if (fd == -1) {
		if (saved == ENOTDIR)
			err_set(ERR_STORAGE, "%s exists and is not a directory", path);
		else
			err_set(ERR_STORAGE, "cannot open %s: %s", path, strerror(saved));
		goto fail;
	}
	if (s->created[which] != NULL && fchmod(fd, 0755) == -1) {
		err_set(ERR_STORAGE, "cannot chmod %s: %s", path, strerror(errno));
		goto fail;
	}
	return fd;
fail:
	if (fd != -1)
		close(fd);
	return -1;
}

/* Proves s->challenge_fd writable by creating and removing a probe file in
 * it: access(2) does not know about read-only mounts, ACLs or root. 0 or -1
 * with ERR_STORAGE. */
static int probe_challenge_dir(struct http01 *s, const char *webroot)
{
	char probe[64];
	int fd;

	snprintf(probe, sizeof(probe), ".acmectl-probe.%ld.%lld", (long)getpid(), mono_ms());
	if ((fd = file_create_at(s->challenge_fd, probe, probe, "", 0, 0600)) == -1) {
		err_set(ERR_STORAGE, "webroot %s is not writable: cannot create a file "
		    "in %s: %s", webroot, s->challenge_dir, strerror(errno));
		return -1;
	}
	close(fd);
	unlinkat(s->challenge_fd, probe, 0);
	return 0;
}

struct http01 *http01_webroot(const char *dir)
{
	struct http01 *s = solver_new(false);
	char *wellknown = NULL;
	struct stat st;
	int webroot_fd = -1, wellknown_fd = -1;

	if ((webroot_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fstat(webroot_fd, &st) == -1) {
		if (errno == ENOENT)
			err_set(ERR_STORAGE, "webroot %s does not exist", dir);
		else if (errno == ENOTDIR)
			err_set(ERR_STORAGE, "webroot %s is not a directory", dir);
		else
			err_set(ERR_STORAGE, "webroot %s: %s", dir, strerror(errno));
		goto fail;
	}
	wellknown = xasprintf("%s/.well-known", dir);
	s->challenge_dir = xasprintf("%s/acme-challenge", wellknown);
	/* each step is judged before anything is made behind it */
	if ((wellknown_fd = enter_webroot_dir(s, webroot_fd, ".well-known", wellknown,
	    st.st_uid, 0)) == -1 ||
	    (s->challenge_fd = enter_webroot_dir(s, wellknown_fd, "acme-challenge",
	    s->challenge_dir, st.st_uid, 1)) == -1 ||
	    probe_challenge_dir(s, dir) == -1)
		goto fail;
	close(webroot_fd);
	close(wellknown_fd);
	free(wellknown);
	return s;
fail:
	if (webroot_fd != -1)
		close(webroot_fd);
	if (wellknown_fd != -1)
		close(wellknown_fd);
	free(wellknown);
	http01_free(s);
	return NULL;
}

/* Writes DIR/.well-known/acme-challenge/TOKEN for entry e, whose slot is
 * claimed here when e->slot is -1. */
static int publish_file(struct http01 *s, struct published *e)
{
	char *path = xasprintf("%s/%s", s->challenge_dir, e->token);
	bool claimed = false;
	int fd = -1, rc = -1;

	if (e->slot == -1) {
		e->slot = claim_slot(cleanup_paths, cleanup_live, MAX_TOKENS, path);
		if (e->slot == -1) {
			err_set(ERR_STORAGE, "cannot publish %s: too many challenge "
			    "files or too long a path", path);
			goto out;
		}
		claimed = true;
	}
	/* a file left by an interrupted run would make O_EXCL fail */
	if (unlinkat(s->challenge_fd, e->token, 0) == -1 && errno != ENOENT) {
		err_set(ERR_STORAGE, "cannot remove stale %s: %s", path, strerror(errno));
		goto out;
	}
	fd = file_create_at(s->challenge_fd, e->token, path, e->keyauth,
	    strlen(e->keyauth), 0644);
	if (fd == -1)
		goto out;
	if (close(fd) == -1) {
		fd = -1;
		err_set(ERR_STORAGE, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	fd = -1;
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (rc == -1 && e->slot != -1) {
		unlinkat(s->challenge_fd, e->token, 0);
		if (claimed) {
			cleanup_live[e->slot] = 0;
			e->slot = -1;
		}
	}
	free(path);
	return rc;
}

int http01_publish(struct http01 *s, const char *token, const char *keyauth)
{
	struct published *e, saved;
	size_t len;
	bool added = false;

	len = strlen(token);
	/* the token becomes a file name: nothing but [A-Za-z0-9_-] */
	if (!b64url_is_token(token) || len > TOKEN_MAX) {
		err_set(ERR_ACME, "server sent an unsafe token");
		return -1;
	}
	if (strlen(keyauth) > KEYAUTH_MAX) {
		err_set(ERR_ACME, "key authorization for token %s is too long", token);
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	e = find_token(s, token, len);
	if (e == NULL && s->ntokens == MAX_TOKENS) {
		pthread_mutex_unlock(&s->lock);
		err_set(ERR_USAGE, "too many names: at most %d http-01 challenges "
		    "at once", MAX_TOKENS);
		return -1;
	}
	if (e == NULL) {
		e = &s->tokens[s->ntokens++];
		strcpy(e->token, token);
		e->slot = -1;
		added = true;
	}
	saved = *e;
	strcpy(e->keyauth, keyauth);
	pthread_mutex_unlock(&s->lock);

	if (s->standalone || publish_file(s, e) == 0)
		return 0;
	/* webroot only: the responder thread never sees these entries */
	if (added)
		s->ntokens--;
	else
		*e = saved;
	return -1;
}

void http01_withdraw_all(struct http01 *s)
{
	size_t i;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->ntokens; i++) {
		int slot = s->tokens[i].slot;

		if (slot == -1)
			continue;
		unlinkat(s->challenge_fd, s->tokens[i].token, 0);
		cleanup_live[slot] = 0;
	}
	s->ntokens = 0;
	pthread_mutex_unlock(&s->lock);
}

/* Standalone */

static void client_close(struct client *c)
{
	close(c->fd);
	c->fd = -1;
}

/* The request line of a complete head, as its three parts. */
static bool split_request_line(char *head, char **method, char **target,
    char **version)
{
	char *eol = strchr(head, '\n');

	if (eol == NULL)
		return false;
	if (eol > head && eol[-1] == '\r')
		eol--;
	*eol = '\0';
	*method = head;
	if ((*target = strchr(*method, ' ')) == NULL)
		return false;
	*(*target)++ = '\0';
	if ((*version = strchr(*target, ' ')) == NULL)
		return false;
	*(*version)++ = '\0';
	return **method != '\0' && **target != '\0' && strchr(*version, ' ') == NULL;
}

/* For the debug log: a client's string cut to size - 1 characters, with
 * anything unprintable as '?'. */
static void printable(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i] != '\0'; i++)
		dst[i] = isprint((unsigned char)src[i]) ? src[i] : '?';
	dst[i] = '\0';
}

/* Builds the response to a complete request head in c->in. */
static void respond(struct http01 *s, struct client *c)
{
	char *method = NULL, *target = NULL, *version = NULL, *path;
	char keyauth[KEYAUTH_MAX + 1] = "", shown_method[9] = "", shown[81] = "";
	const char *status = "400 Bad Request", *body = "bad request\n", *allow = "";
	struct published *e;
	bool head = false;
	int n;

	c->in[c->inlen < HEAD_MAX ? c->inlen : HEAD_MAX - 1] = '\0';
	if (!split_request_line(c->in, &method, &target, &version) ||
	    (strcmp(version, "HTTP/1.1") != 0 && strcmp(version, "HTTP/1.0") != 0))
		goto reply;
	printable(shown_method, sizeof(shown_method), method);
	printable(shown, sizeof(shown), target);
	path = target;
	/* absolute-form (RFC 9112 3.2.2), which a proxy-minded client may send */
	if (strncasecmp(path, "http://", 7) == 0) {
		path = strchr(path + 7, '/');
		if (path == NULL)
			path = "/";
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		status = "405 Method Not Allowed";
		body = "method not allowed\n";
		allow = "Allow: GET, HEAD\r\n";
		goto reply;
	}
	head = strcmp(method, "HEAD") == 0;
	status = "404 Not Found";
	body = "not found\n";
	if (strncmp(path, CHALLENGE_PATH, strlen(CHALLENGE_PATH)) != 0)
		goto reply;
	path += strlen(CHALLENGE_PATH);
	pthread_mutex_lock(&s->lock);
	e = find_token(s, path, strlen(path));
	if (e != NULL)
		strcpy(keyauth, e->keyauth);
	pthread_mutex_unlock(&s->lock);
	if (e != NULL) {
		status = "200 OK";
		body = keyauth;
	}
reply:
	logmsg(LOG_DEBUG, "http-01 responder: %s %s: %s", shown_method, shown, status);
	n = snprintf(c->out, sizeof(c->out), "HTTP/1.1 %s\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: %zu\r\n"
	    "%s"
	    "Connection: close\r\n"
	    "\r\n"
	    "%s", status, strlen(body), allow, head ? "" : body);
	c->outlen = n < 0 ? 0 : (size_t)n < sizeof(c->out) ? (size_t)n : sizeof(c->out) - 1;
	c->outoff = 0;
	c->writing = true;
}

/* True when the head in c->in is complete (an empty line was read). */
static bool head_complete(const struct client *c)
{
	return memmem(c->in, c->inlen, "\r\n\r\n", 4) != NULL ||
	    memmem(c->in, c->inlen, "\n\n", 2) != NULL;
}

static void client_write(struct client *c)
{
	ssize_t n;

	n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
	if (n == -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			client_close(c);
		return;
	}
	c->outoff += (size_t)n;
	if (c->outoff == c->outlen)
		client_close(c);
}

static void client_read(struct http01 *s, struct client *c)
{
	ssize_t n;

	n = recv(c->fd, c->in + c->inlen, HEAD_MAX - c->inlen, 0);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	c->inlen += (size_t)n;
	if (head_complete(c)) {
		respond(s, c);
		client_write(c);
	} else if (c->inlen == HEAD_MAX) {
		client_close(c);  /* a head this long is no ACME validator's */
	}
}

static void accept_clients(struct http01 *s)
{
	struct client *c;
	size_t i;
	int fd;

	for (i = 0; i < MAX_CLIENTS; i++) {
		c = &s->clients[i];
		if (c->fd != -1)
			continue;
		fd = accept4(s->rsp.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1)
			return;  /* EAGAIN: none left; others: the peer gave up */
		c->fd = fd;
		c->deadline = mono_ms() + CLIENT_TIMEOUT_MS;
		c->writing = false;
		c->inlen = 0;
	}
}

/* The responder thread: one poll() loop over the wake pipe, the listening
 * socket and up to MAX_CLIENTS connections, each with its own deadline, so
 * a slow client delays nobody. Never calls err_*. */
static void *serve(void *arg)
{
	struct http01 *s = arg;
	struct pollfd pfd[2 + MAX_CLIENTS];
	int who[2 + MAX_CLIENTS];
	long long now, wait;
	nfds_t n, i;
	size_t k;
	bool full;

	for (;;) {
		now = mono_ms();
		wait = -1;
		full = true;
		pfd[0].fd = s->rsp.wake[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = s->rsp.listen_fd;
		pfd[1].events = POLLIN;
		n = 2;
		for (k = 0; k < MAX_CLIENTS; k++) {
			struct client *c = &s->clients[k];

			if (c->fd != -1 && now >= c->deadline)
				client_close(c);
			if (c->fd == -1) {
				full = false;
				continue;
			}
			if (wait == -1 || c->deadline - now < wait)
				wait = c->deadline - now;
			pfd[n].fd = c->fd;
			pfd[n].events = c->writing ? POLLOUT : POLLIN;
			who[n++] = (int)k;
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
			struct client *c = &s->clients[who[i]];

			if (pfd[i].revents == 0)
				continue;
			if (c->writing)
				client_write(c);
			else
				client_read(s, c);
		}
		if (pfd[1].revents & POLLIN)
			accept_clients(s);
	}
	for (k = 0; k < MAX_CLIENTS; k++)
		if (s->clients[k].fd != -1)
			client_close(&s->clients[k]);
	return NULL;
}

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

void responder_init(struct responder *r)
{
	r->listen_fd = r->wake[0] = r->wake[1] = -1;
	r->running = false;
}

int responder_start(struct responder *r, const char *addr, const char *flag,
    const char *what, void *(*run)(void *), void *arg)
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
	/* signals belong to the main thread, whose handler cleans up */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&r->thread, NULL, run, arg);
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

struct http01 *http01_standalone(const char *addr)
{
	struct http01 *s = solver_new(true);

	if (responder_start(&s->rsp, addr, "--standalone", "http-01", serve, s) != 0) {
		http01_free(s);
		return NULL;
	}
	return s;
}

void http01_free(struct http01 *s)
{
	int i;

	if (s == NULL)
		return;
	http01_withdraw_all(s);
	responder_stop(&s->rsp);
	/* only what this run created, and only when empty (rmdir) */
	for (i = 1; i >= 0; i--) {
		if (s->created[i] == NULL)
			continue;
		if (rmdir(s->created[i]) == -1 && errno != ENOTEMPTY && errno != EEXIST)
			logmsg(LOG_VERBOSE, "cannot remove %s: %s", s->created[i],
			    strerror(errno));
		if (s->created_slot[i] != -1)
			cleanup_dir_live[s->created_slot[i]] = 0;
		free(s->created[i]);
	}
	if (s->challenge_fd != -1)
		close(s->challenge_fd);
	pthread_mutex_destroy(&s->lock);
	free(s->challenge_dir);
	free(s);
}
