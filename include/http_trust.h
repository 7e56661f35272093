/* http_trust.h - the anchors the HTTP client (http.c) trusts: the system
 * store, read as Go and OpenSSL read it (SSL_CERT_FILE, SSL_CERT_DIR,
 * libcurl's defaults), and the extra anchors of --ca-bundle, given to the
 * server's and an https proxy's connections alike. Only http.c uses it;
 * with http.c the only includer of <curl/curl.h>. */
#ifndef ACMECTL_HTTP_TRUST_H
#define ACMECTL_HTTP_TRUST_H

#include <stdbool.h>

#include <curl/curl.h>
#include <openssl/x509.h>

struct http_trust {
	STACK_OF(X509) *extra;    /* --ca-bundle certificates, or NULL */
	bool set_ca_file;         /* CURLOPT_CAINFO replaces the default bundle */
	char *ca_file;            /* SSL_CERT_FILE to load, or NULL: none, or by hash */
	char *ca_dir;             /* SSL_CERT_DIR, or NULL: the default */
};

/* Asks for libcurl's OpenSSL backend when ca_bundle (a PEM file, or NULL
 * for none) is given: the extra anchors are OpenSSL objects. Must run
 * before curl_global_init(). 0, or -1 with ERR_USAGE naming the bundle
 * when libcurl has no OpenSSL backend. */
int http_trust_backend(const char *ca_bundle);

/* Fills t (zeroed first): every certificate of ca_bundle (NULL: none), and
 * where the system anchors come from (logged with -v). After
 * curl_global_init(). 0, or -1 with ERR_USAGE for a bundle that cannot be
 * read or holds no PEM certificate or a bad one; http_trust_clear() t
 * either way. */
int http_trust_load(struct http_trust *t, const char *ca_bundle);

/* Sets the trust options of t on the easy handle e of one request (the
 * same anchors for an https proxy); t is borrowed until the request ends.
 * CURLE_OK or the failing option's code. */
CURLcode http_trust_setopt(const struct http_trust *t, CURL *e);

/* Frees what t holds and zeroes it. */
void http_trust_clear(struct http_trust *t);

#endif
