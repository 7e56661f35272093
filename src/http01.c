/* http01.c - answering http-01 challenges (RFC 8555 section 8.3): files under
 * a webroot that an existing web server serves, or a small responder thread
 * that serves the published tokens and nothing else. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

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
#include "responder.h"
#include "util.h"

#define CHALLENGE_PATH "/.well-known/acme-challenge/"

/* An order has at most 100 names at Let's Encrypt; one token each. */
#define MAX_TOKENS 128
/* RFC 8555 tokens are 43 characters; the bound keeps file names sane. */
#define TOKEN_MAX 128
/* token "." base64url(SHA-256 thumbprint) */
#define KEYAUTH_MAX (TOKEN_MAX + 1 + 43)

#define HEAD_MAX 4096            /* request head bytes read per connection */
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
	struct client clients[RESPONDER_MAX_CLIENTS];  /* by the responder's slot */

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

	s->standalone = standalone;
	s->created_slot[0] = s->created_slot[1] = -1;
	s->challenge_fd = -1;
	responder_init(&s->rsp);
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

/* Sends what is left of the response on fd: POLLOUT while some is, 0
 * once all of it went or the peer is gone. */
static short client_write(struct client *c, int fd)
{
	ssize_t n;

	n = send(fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
	if (n == -1)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? POLLOUT : 0;
	c->outoff += (size_t)n;
	return c->outoff == c->outlen ? 0 : POLLOUT;
}

/* Reads more of the request head from fd, and answers once it is
 * complete: POLLIN while it is not, 0 when the peer is gone or the head
 * too long. */
static short client_read(struct http01 *s, struct client *c, int fd)
{
	ssize_t n;

	n = recv(fd, c->in + c->inlen, HEAD_MAX - c->inlen, 0);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return POLLIN;
	if (n <= 0)
		return 0;
	c->inlen += (size_t)n;
	if (head_complete(c)) {
		respond(s, c);
		return client_write(c, fd);
	}
	/* a head this long is no ACME validator's */
	return c->inlen == HEAD_MAX ? 0 : POLLIN;
}

static short client_open(void *arg, size_t slot, int fd)
{
	struct client *c = &((struct http01 *)arg)->clients[slot];

	(void)fd;
	c->writing = false;
	c->inlen = 0;
	return POLLIN;
}

static short client_step(void *arg, size_t slot, int fd)
{
	struct http01 *s = arg;
	struct client *c = &s->clients[slot];

	return c->writing ? client_write(c, fd) : client_read(s, c, fd);
}

/* A connection reads one request head, then writes one response. */
static const struct responder_client_ops client_ops = {
	.open = client_open,
	.step = client_step,
	.close = NULL,
};

struct http01 *http01_standalone(const char *addr)
{
	struct http01 *s = solver_new(true);

	if (responder_start(&s->rsp, addr, "--standalone", "http-01", &client_ops, s) != 0) {
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
