/* probe_http.c - one HTTP/1.1 request and its response over a probe
 * connection (see probe.h): status line, the headers diagnose reads,
 * bodies by length, chunked or until close, each bounded. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "diagnose_int.h"
#include "probe.h"
#include "util.h"

#define BODY_MAX (1024 * 1024)

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
	n = probe_conn_read(r->c, r->buf + r->len, r->cap - r->len, r->deadline);
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
		if (r->len - r->pos > PROBE_HEAD_MAX)
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

/* One request with extra (header lines, each ending in CRLF; "" for none)
 * after the usual ones; see probe_http(). */
static enum probe_http_status exchange(struct probe_conn *c, const char *method,
    const char *authority, const char *path, const char *extra, const char *body,
    long long deadline, struct probe_response *resp, char **error)
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
		    "%sAccept: application/json\r\nContent-Type: application/jose+json\r\n"
		    "Content-Length: %zu\r\n\r\n%s", method, path, authority, PACKAGE_NAME,
		    PACKAGE_VERSION, extra, strlen(body), body);
	else
		req = xasprintf("%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s/%s diagnose\r\n"
		    "%sAccept: application/json\r\n\r\n", method, path, authority,
		    PACKAGE_NAME, PACKAGE_VERSION, extra);
	if ((w = probe_conn_write(c, req, strlen(req), deadline)) != 1) {
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
		if (!probe_status_line(line, (size_t)n - (n > 0 && line[n - 1] == '\r'),
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
			} else if (strcasecmp(line, "X-Squid-Error") == 0) {
				free(resp->squid_error);
				resp->squid_error = xstrndup(value, vlen);
			} else if (strcasecmp(line, "Server") == 0) {
				free(resp->server);
				resp->server = xstrndup(value, vlen);
			} else if (strcasecmp(line, "Via") == 0) {
				resp->via = true;
			} else if (strcasecmp(line, "Proxy-Authenticate") == 0) {
				char *v = xstrndup(value, vlen);

				probe_auth_scheme_add(&resp->auth_schemes, v);
				free(v);
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
		free(resp->squid_error);
		free(resp->server);
		free(resp->auth_schemes);
		resp->squid_error = resp->server = resp->auth_schemes = NULL;
		resp->via = false;
		has_length = chunked = false;
	}
	resp->body = xstrdup("");
	if (head || resp->status == 204 || resp->status == 304) {
		st = PROBE_HTTP_OK;
		resp->reason = reason;
		reason = NULL;
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

enum probe_http_status probe_http(struct probe_conn *c, const char *method,
    const char *authority, const char *path, const char *body, long long deadline,
    struct probe_response *resp, char **error)
{
	return exchange(c, method, authority, path, "", body, deadline, resp, error);
}

enum probe_http_status probe_http_proxied(struct probe_conn *c, const char *method,
    const char *authority, const char *url, const char *credentials, const char *body,
    long long deadline, struct probe_response *resp, char **error)
{
	enum probe_http_status st;
	unsigned char *b64 = NULL;
	char *extra = xstrdup("");
	size_t n;

	if (credentials != NULL) {
		n = strlen(credentials);
		b64 = xmalloc(4 * ((n + 2) / 3) + 1);
		EVP_EncodeBlock(b64, (const unsigned char *)credentials, (int)n);
		free(extra);
		extra = xasprintf("Proxy-Authorization: Basic %s\r\n", b64);
	}
	st = exchange(c, method, authority, url, extra, body, deadline, resp, error);
	/* both hold the credentials */
	if (b64 != NULL)
		OPENSSL_clear_free(b64, strlen((char *)b64));
	OPENSSL_clear_free(extra, strlen(extra));
	return st;
}

bool probe_response_is_proxys(const struct probe_response *resp)
{
	return resp->squid_error != NULL || (resp->server != NULL && !resp->via &&
	    strncasecmp(resp->server, "tinyproxy/", 10) == 0);
}

void probe_response_clear(struct probe_response *resp)
{
	free(resp->squid_error);
	free(resp->server);
	free(resp->auth_schemes);
	free(resp->content_type);
	free(resp->reason);
	free(resp->replay_nonce);
	free(resp->location);
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}
