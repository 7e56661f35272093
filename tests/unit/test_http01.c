/* test_http01.c - the http-01 solvers: --standalone address parsing, the
 * responder's answers to a table of raw requests, slow and oversized
 * clients, and webroot files, modes and cleanup. Uses loopback only. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "http01.h"
#include "util.h"
#include "test.h"
#include "test_net.h"

#define TOKEN "tok_EN-1"
#define KEYAUTH "tok_EN-1.thumbprint"
#define CPATH "/.well-known/acme-challenge/"

/* Everything the server sends until it closes. Caller frees; NULL when the
 * connection failed. */
static char *read_all(int fd)
{
	char *buf = xmalloc(65536);
	size_t len = 0;
	ssize_t n;

	while (len < 65535 && (n = recv(fd, buf + len, 65535 - len, 0)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return buf;
}

static char *exchange(int family, int port, const char *request, size_t len)
{
	int fd = test_connect(family, port);
	char *resp;

	if (fd == -1)
		return NULL;
	if (send(fd, request, len, MSG_NOSIGNAL) != (ssize_t)len) {
		close(fd);
		return NULL;
	}
	/* an incomplete head then ends in EOF, not the 5 s timeout */
	shutdown(fd, SHUT_WR);
	resp = read_all(fd);
	close(fd);
	return resp;
}

static const struct {
	const char *addr;   /* %d: a free port */
	bool valid;
} addrs[] = {
	{ "%d", true },
	{ ":%d", true },
	{ "127.0.0.1:%d", true },
	{ "[::1]:%d", true },
	{ "", false },
	{ "http", false },
	{ "0", false },
	{ "65536", false },
	{ "123456", false },
	{ "-1", false },
	{ "+80", false },
	{ "%d:", false },
	{ "127.0.0.1:", false },
	{ "127.0.0.1", false },
	{ "1.2.3.4.5:%d", false },
	{ "localhost:%d", false },
	{ "::1:%d", false },
	{ "[::1]%d", false },
	{ "[::1]:", false },
	{ "[]:%d", false },
	{ "[127.0.0.1]:%d", false },
	{ "[::1:%d", false },
	{ "127.0.0.1:%dx", false },
};

static bool have_ipv6(void)
{
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 sa;
	bool ok;

	if (fd == -1)
		return false;
	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	sa.sin6_addr = in6addr_loopback;
	ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static void test_addresses(void)
{
	char addr[64], want[128];
	struct http01 *s;
	size_t i;
	int port;

	for (i = 0; i < nitems(addrs); i++) {
		port = test_free_port();
		snprintf(addr, sizeof(addr), addrs[i].addr, port);
		if (strchr(addr, '[') != NULL && addrs[i].valid && !have_ipv6())
			continue;
		err_clear();
		s = http01_standalone(addr);
		CHECK_INT(s != NULL, addrs[i].valid, addr);
		if (!addrs[i].valid) {
			snprintf(want, sizeof(want), "invalid --standalone address \"%s\"", addr);
			CHECK_STR(err_message(), want, addr);
			CHECK_INT(err_kind(), ERR_USAGE, addr);
		}
		http01_free(s);
	}
}

static void test_in_use(void)
{
	struct sockaddr_in sa;
	struct http01 *s;
	char addr[32], want[96];
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = test_free_port();

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(fd, 1) == 0,
	    "occupy port %d", port);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	err_clear();
	s = http01_standalone(addr);
	CHECK(s == NULL, "port in use");
	snprintf(want, sizeof(want), "cannot listen on 127.0.0.1:%d: Address already in use", port);
	CHECK_STR(err_message(), want, "port in use");
	CHECK_INT(err_kind(), ERR_NETWORK, "port in use");
	http01_free(s);
	close(fd);
}

static const struct {
	const char *request;
	const char *status;  /* status line; NULL: closed without an answer */
	const char *body;    /* exact body, or NULL to skip */
} requests[] = {
	{ "GET " CPATH TOKEN " HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200 OK", KEYAUTH },
	{ "GET " CPATH TOKEN " HTTP/1.0\n\n", "HTTP/1.1 200 OK", KEYAUTH },
	{ "GET http://example.org" CPATH TOKEN " HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK", KEYAUTH },
	{ "GET " CPATH "other_token HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK", "other.token.tp" },
	{ "GET " CPATH "other.token HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found", NULL },
	{ "HEAD " CPATH TOKEN " HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK", "" },
	{ "GET " CPATH "tok_EN-2 HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found", NULL },
	{ "GET " CPATH "tok_EN- HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found", NULL },
	{ "GET " CPATH TOKEN "/ HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found", NULL },
	{ "GET " CPATH TOKEN "?x=1 HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found", NULL },
	{ "GET " CPATH " HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found", NULL },
	{ "GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found", NULL },
	{ "GET /.well-known/acme-challenge/../" TOKEN " HTTP/1.1\r\n\r\n",
	  "HTTP/1.1 404 Not Found", NULL },
	{ "get " CPATH TOKEN " HTTP/1.1\r\n\r\n", "HTTP/1.1 405 Method Not Allowed", NULL },
	{ "POST " CPATH TOKEN " HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
	  "HTTP/1.1 405 Method Not Allowed", NULL },
	{ "PUT " CPATH TOKEN " HTTP/1.1\r\n\r\n", "HTTP/1.1 405 Method Not Allowed", NULL },
	{ "GET " CPATH TOKEN " HTTP/2.0\r\n\r\n", "HTTP/1.1 400 Bad Request", NULL },
	{ "GET " CPATH TOKEN "\r\n\r\n", "HTTP/1.1 400 Bad Request", NULL },
	{ "GET  " CPATH TOKEN " HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request", NULL },
	{ "GET " CPATH TOKEN " HTTP/1.1 x\r\n\r\n", "HTTP/1.1 400 Bad Request", NULL },
	{ "hello\r\n\r\n", "HTTP/1.1 400 Bad Request", NULL },
	{ "GET " CPATH TOKEN " HTTP/1.1\r\nHost: x\r\n", NULL, NULL },  /* no end */
};

static const char *body_of(const char *resp)
{
	const char *p = strstr(resp, "\r\n\r\n");

	return p != NULL ? p + 4 : "";
}

static void test_responder(void)
{
	struct http01 *s;
	char addr[16], *resp, line[128], *big;
	size_t i, biglen;
	int port = test_free_port(), slow[16], family;
	long long t0;

	snprintf(addr, sizeof(addr), "%d", port);
	s = http01_standalone(addr);
	CHECK(s != NULL, "standalone on %s: %s", addr, err_message());
	if (s == NULL)
		return;
	err_clear();
	CHECK_INT(http01_publish(s, "../x", "k"), -1, "unsafe token");
	CHECK_INT(err_kind(), ERR_ACME, "unsafe token kind");
	CHECK(strstr(err_message(), "server sent an unsafe token") != NULL, "%s", err_message());
	CHECK_INT(http01_publish(s, TOKEN, "stale"), 0, "publish");
	CHECK_INT(http01_publish(s, TOKEN, KEYAUTH), 0, "republish replaces");
	CHECK_INT(http01_publish(s, "other.token", "x"), -1, "'.' is not base64url");
	CHECK_INT(http01_publish(s, "other_token", "other.token.tp"), 0, "second token");

	for (i = 0; i < nitems(requests); i++) {
		const char *req = requests[i].request;

		resp = exchange(AF_INET, port, req, strlen(req));
		CHECK(resp != NULL, "row %zu: no connection", i);
		if (resp == NULL)
			continue;
		if (requests[i].status == NULL) {
			CHECK_STR(resp, "", req);
			free(resp);
			continue;
		}
		snprintf(line, sizeof(line), "%s\r\n", requests[i].status);
		CHECK(strncmp(resp, line, strlen(line)) == 0, "row %zu: got \"%.40s\"", i, resp);
		CHECK(strstr(resp, "\r\nConnection: close\r\n") != NULL, "row %zu: Connection", i);
		if (strstr(requests[i].status, "405") != NULL)
			CHECK(strstr(resp, "\r\nAllow: GET, HEAD\r\n") != NULL, "row %zu: Allow", i);
		if (requests[i].body != NULL)
			CHECK_STR(body_of(resp), requests[i].body, req);
		free(resp);
	}

	resp = exchange(AF_INET, port, requests[5].request, strlen(requests[5].request));
	CHECK(resp != NULL && strstr(resp, "\r\nContent-Length: 19\r\n") != NULL,
	    "HEAD gives GET's length");
	free(resp);
	resp = exchange(AF_INET, port, requests[0].request, strlen(requests[0].request));
	CHECK(resp != NULL && strstr(resp, "\r\nContent-Type: text/plain\r\n") != NULL,
	    "text/plain");
	free(resp);

	/* A head of 4 KiB is read; one byte more and it is dropped unanswered. */
	for (biglen = 4096; biglen <= 4097; biglen++) {
		const char *start = requests[0].request;

		big = xmalloc(biglen);
		memset(big, 'a', biglen);
		memcpy(big, start, strlen(start) - 2);
		memcpy(big + strlen(start) - 2, "X: ", 3);
		memcpy(big + biglen - 4, "\r\n\r\n", 4);
		resp = exchange(AF_INET, port, big, biglen);
		if (biglen == 4096)
			CHECK(resp != NULL && strcmp(body_of(resp), KEYAUTH) == 0,
			    "4096-byte head served");
		else
			CHECK(resp != NULL && resp[0] == '\0', "4097-byte head dropped: "
			    "\"%.20s\"", resp ? resp : "");
		free(resp);
		free(big);
	}

	/* All addresses means IPv4 and IPv6. */
	for (family = AF_INET; family != -1; family = family == AF_INET && have_ipv6() ?
	    AF_INET6 : -1) {
		resp = exchange(family, port, requests[0].request, strlen(requests[0].request));
		CHECK(resp != NULL && strcmp(body_of(resp), KEYAUTH) == 0,
		    "served over %s", family == AF_INET ? "IPv4" : "IPv6");
		free(resp);
	}

	/* Silent clients do not hold up the validator while a slot is free,
	 * and are dropped after 5 s. */
	for (i = 0; i + 1 < nitems(slow); i++) {
		slow[i] = test_connect(AF_INET, port);
		CHECK(slow[i] != -1, "slow client %zu connects", i);
		send(slow[i], "GET /", 5, MSG_NOSIGNAL);
	}
	t0 = mono_ms();
	resp = exchange(AF_INET, port, requests[0].request, strlen(requests[0].request));
	CHECK(resp != NULL && strcmp(body_of(resp), KEYAUTH) == 0, "served beside 15 slow clients");
	CHECK(mono_ms() - t0 < 1000, "not delayed by the slow clients: %lld ms", mono_ms() - t0);
	free(resp);
	/* with all 16 slots taken, the next one waits in the backlog until
	 * the slow ones are dropped, and is served then */
	slow[i] = test_connect(AF_INET, port);
	CHECK(slow[i] != -1, "slow client %zu connects", i);
	resp = exchange(AF_INET, port, requests[0].request, strlen(requests[0].request));
	CHECK(resp != NULL && strcmp(body_of(resp), KEYAUTH) == 0, "served once a slot is free");
	CHECK(mono_ms() - t0 >= 4500, "served before a slot was free: %lld ms", mono_ms() - t0);
	free(resp);
	for (i = 0; i < nitems(slow); i++) {
		resp = read_all(slow[i]);
		CHECK(resp[0] == '\0', "slow client %zu gets no answer", i);
		free(resp);
		close(slow[i]);
	}
	CHECK(mono_ms() - t0 >= 4500 && mono_ms() - t0 < 8000,
	    "slow clients dropped after %lld ms", mono_ms() - t0);

	http01_withdraw_all(s);
	resp = exchange(AF_INET, port, requests[0].request, strlen(requests[0].request));
	CHECK(resp != NULL && strncmp(resp, "HTTP/1.1 404 ", 13) == 0, "withdrawn");
	free(resp);
	http01_free(s);
	CHECK(test_connect(AF_INET, port) == -1, "stopped: nothing listens");
}

static int mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == -1 ? -1 : (int)(st.st_mode & 07777);
}

static bool file_is(const char *path, const char *want)
{
	char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strcmp(buf, want) == 0;
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void test_webroot(const char *base)
{
	char *root = xasprintf("%s/www", base), *missing = xasprintf("%s/none", base);
	char *wk = xasprintf("%s/.well-known", root), *cdir = xasprintf("%s/acme-challenge", wk);
	char *file = xasprintf("%s/" TOKEN, cdir), *other = xasprintf("%s/keep", wk);
	char *want, *fileroot = xasprintf("%s/plain", base);
	struct http01 *s;
	mode_t mask;
	FILE *f;

	err_clear();
	CHECK(http01_webroot(missing) == NULL, "missing webroot");
	want = xasprintf("webroot %s does not exist", missing);
	CHECK_STR(err_message(), want, "missing webroot");
	CHECK_INT(err_kind(), ERR_STORAGE, "missing webroot");
	free(want);
	f = fopen(fileroot, "w");
	fclose(f);
	CHECK(http01_webroot(fileroot) == NULL, "webroot is a file");
	CHECK(strstr(err_message(), "is not a directory") != NULL, "%s", err_message());

	CHECK_INT(mkdir(root, 0755), 0, "mkdir www");
	mask = umask(077);
	s = http01_webroot(root);
	umask(mask);
	CHECK(s != NULL, "webroot: %s", err_message());
	if (s == NULL)
		goto out;
	CHECK_INT(mode_of(wk), 0755, ".well-known 0755 despite umask 077");
	CHECK_INT(mode_of(cdir), 0755, "acme-challenge 0755 despite umask 077");
	CHECK_INT(entries(cdir), 0, "writability probe removed");

	err_clear();
	CHECK_INT(http01_publish(s, "..", "x"), -1, "unsafe token");
	CHECK_INT(err_kind(), ERR_ACME, "unsafe token kind");
	CHECK_INT(http01_publish(s, "a/b", "x"), -1, "slash");
	CHECK_INT(http01_publish(s, "", "x"), -1, "empty token");
	CHECK_INT(entries(cdir), 0, "nothing written for unsafe tokens");

	f = fopen(file, "w");
	fputs("stale from an earlier run", f);
	fclose(f);
	chmod(file, 0600);
	mask = umask(077);
	CHECK_INT(http01_publish(s, TOKEN, KEYAUTH), 0, "publish");
	umask(mask);
	CHECK(file_is(file, KEYAUTH), "token file holds the key authorization");
	CHECK_INT(mode_of(file), 0644, "token file 0644");
	CHECK_INT(http01_publish(s, TOKEN, "second"), 0, "republish");
	CHECK(file_is(file, "second"), "republished");

	http01_withdraw_all(s);
	CHECK_INT(mode_of(file), -1, "withdrawn file removed");
	CHECK_INT(http01_publish(s, TOKEN, KEYAUTH), 0, "publish again");

	/* The signal handler's path: files and the directories we made go. */
	http01_emergency_cleanup();
	CHECK_INT(mode_of(file), -1, "emergency cleanup removes the file");
	CHECK_INT(mode_of(wk), -1, "emergency cleanup removes created directories");
	http01_free(s);

	/* Directories that existed before are left, with their content. */
	CHECK_INT(mkdir(wk, 0700), 0, "pre-existing .well-known");
	f = fopen(other, "w");
	fclose(f);
	s = http01_webroot(root);
	CHECK(s != NULL, "webroot again: %s", err_message());
	CHECK_INT(http01_publish(s, TOKEN, KEYAUTH), 0, "publish");
	http01_free(s);
	CHECK_INT(mode_of(file), -1, "free removes the file");
	CHECK_INT(mode_of(cdir), -1, "free removes the acme-challenge it created");
	CHECK_INT(mode_of(wk), 0700, "pre-existing .well-known kept as it was");
	CHECK_INT(mode_of(other), 0666 & ~mask, "its content kept");

	/* Something in the way of the challenge directory. */
	f = fopen(cdir, "w");
	fclose(f);
	err_clear();
	CHECK(http01_webroot(root) == NULL, "acme-challenge is a file");
	CHECK_INT(err_kind(), ERR_STORAGE, "acme-challenge is a file");
	unlink(cdir);

	if (geteuid() != 0) {
		chmod(wk, 0500);
		err_clear();
		CHECK(http01_webroot(root) == NULL, "unwritable webroot");
		CHECK_INT(err_kind(), ERR_STORAGE, "unwritable webroot");
		chmod(wk, 0700);
	}
out:
	free(root);
	free(missing);
	free(wk);
	free(cdir);
	free(file);
	free(other);
	free(fileroot);
}

int main(void)
{
	char base[] = "/tmp/test_http01.XXXXXX", *cmd;

	if (mkdtemp(base) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_addresses();
	test_in_use();
	test_responder();
	test_webroot(base);
	cmd = xasprintf("rm -rf '%s'", base);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", base);
	free(cmd);
	return test_done();
}
