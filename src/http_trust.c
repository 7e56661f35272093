/* http_trust.c - the anchors the HTTP client trusts (see http_trust.h):
 * the system store as Go and OpenSSL read it, and --ca-bundle's. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "err.h"
#include "http_trust.h"
#include "log.h"
#include "util.h"

int http_trust_backend(const char *ca_bundle)
{
	const curl_version_info_data *ver;

	/* Asking for the backend by id (before curl_global_init, which also
	 * selects it in a libcurl with several) is cheap; curl_version_info()
	 * runs every dependency's version function, so only on failure. */
	if (ca_bundle == NULL ||
	    curl_global_sslset(CURLSSLBACKEND_OPENSSL, NULL, NULL) == CURLSSLSET_OK)
		return 0;
	ver = curl_version_info(CURLVERSION_NOW);
	err_set(ERR_USAGE, "CA bundle %s: libcurl uses %s, not OpenSSL; "
	    "extra trust anchors need the OpenSSL flavour of libcurl",
	    ca_bundle, ver->ssl_version ? ver->ssl_version : "no TLS");
	return -1;
}

/* Reads every certificate of a PEM file. Returns the stack (caller frees with
 * sk_X509_pop_free) or NULL with ERR_USAGE; exits as out of memory (oom)
 * when OpenSSL cannot allocate. */
static STACK_OF(X509) *load_pem_certs(const char *path)
{
	STACK_OF(X509) *certs = NULL;
	unsigned long e;
	X509 *x;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		err_set(ERR_USAGE, "cannot open CA bundle %s: %s", path, strerror(errno));
		return NULL;
	}
	if ((certs = sk_X509_new_null()) == NULL)
		oom();
	ERR_clear_error();
	while ((x = PEM_read_X509(fp, NULL, NULL, NULL)) != NULL)
		if (sk_X509_push(certs, x) == 0)
			oom();
	/* The reader ends with "no start line" at a clean end of file; one
	 * that could not allocate is not the bundle's fault. */
	e = ERR_peek_last_error();
	if (ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE)
		oom();
	if (sk_X509_num(certs) == 0 || ERR_GET_LIB(e) != ERR_LIB_PEM ||
	    ERR_GET_REASON(e) != PEM_R_NO_START_LINE) {
		err_set(ERR_USAGE, "CA bundle %s: %s", path,
		    sk_X509_num(certs) == 0 ? "no PEM certificate found" :
		    "unparseable PEM certificate after the first ones");
		goto fail;
	}
	ERR_clear_error();
	fclose(fp);
	return certs;
fail:
	ERR_clear_error();
	sk_X509_pop_free(certs, X509_free);
	fclose(fp);
	return NULL;
}

/* The value of environment variable name, NULL when unset or empty. */
static const char *env_path(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* True when paths a and b name the same existing file or directory. */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Decides once where the system anchors come from, as Go and OpenSSL read
 * the store: SSL_CERT_FILE and SSL_CERT_DIR, when set, replace libcurl's
 * default bundle and directory. When the default directory (Debian:
 * /etc/ssl/certs, with hash links) exists, anchors are looked up there by
 * hash and the default bundle is not loaded: OpenSSL would parse all ~150
 * of its certificates at the handshake, most of a run's CPU time. So is an
 * SSL_CERT_FILE that names the default bundle itself (containers and CI
 * images often export it): update-ca-certificates writes the bundle and
 * the hash links from the same certificates. Logs the decision with -v. */
static void choose_system_store(struct http_trust *c)
{
	CURL *probe = curl_easy_init();
	char *dir = NULL, *bundle = NULL;
	const char *file = env_path("SSL_CERT_FILE"), *env_dir = env_path("SSL_CERT_DIR");
	const char *used_file, *used_dir;
	struct stat st;
	bool by_hash;

	if (probe != NULL) {
		curl_easy_getinfo(probe, CURLINFO_CAPATH, &dir);
		curl_easy_getinfo(probe, CURLINFO_CAINFO, &bundle);
	}
	by_hash = dir != NULL && stat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (env_dir == NULL || same_file(env_dir, dir));
	if (file != NULL && !(by_hash && bundle != NULL && same_file(file, bundle)))
		c->ca_file = xstrdup(file);
	c->ca_dir = env_dir != NULL ? xstrdup(env_dir) : NULL;
	c->set_ca_file = c->ca_file != NULL || by_hash;
	used_file = c->set_ca_file ? c->ca_file : bundle;
	used_dir = env_dir != NULL ? env_dir : dir;
	logmsg(LOG_VERBOSE, "trust: system anchors from %s%s%s%s",
	    used_file != NULL ? used_file : "", used_file != NULL && used_dir != NULL ?
	    " and " : "", used_dir != NULL ? used_dir : used_file != NULL ? "" : "nowhere",
	    file != NULL && c->ca_file == NULL ? ", by hash (SSL_CERT_FILE names "
	    "the default bundle, made from the same certificates)" : "");
	if (probe != NULL)
		curl_easy_cleanup(probe);
}

int http_trust_load(struct http_trust *t, const char *ca_bundle)
{
	memset(t, 0, sizeof(*t));
	if (ca_bundle != NULL && (t->extra = load_pem_certs(ca_bundle)) == NULL)
		return -1;
	choose_system_store(t);
	return 0;
}

/* Adds the --ca-bundle certificates to the trust store of a new TLS
 * connection: the server's, and an https proxy's, which is verified like
 * the server (as Go verifies it, with the same roots). */
static CURLcode on_ssl_ctx(CURL *easy, void *ssl_ctx, void *arg)
{
	const struct http_trust *t = arg;
	X509_STORE *store;
	int i;

	(void)easy;
	store = SSL_CTX_get_cert_store(ssl_ctx);
	for (i = 0; i < sk_X509_num(t->extra); i++) {
		/* a certificate already there is no failure (OpenSSL 1.1.1+):
		 * only allocating can fail */
		if (!X509_STORE_add_cert(store, sk_X509_value(t->extra, i)))
			oom();
	}
	return CURLE_OK;
}

CURLcode http_trust_setopt(const struct http_trust *t, CURL *e)
{
	CURLcode rc = CURLE_OK;

#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(e, opt, val); } while (0)
	/* The system store (choose_system_store); an https proxy is verified
	 * against the same store. */
	if (t->set_ca_file) {
		SET(CURLOPT_CAINFO, t->ca_file);
		SET(CURLOPT_PROXY_CAINFO, t->ca_file);
	}
	if (t->ca_dir != NULL) {
		SET(CURLOPT_CAPATH, t->ca_dir);
		SET(CURLOPT_PROXY_CAPATH, t->ca_dir);
	}
	if (t->extra != NULL) {
		/* Each connection gets a store of its own, so adding the
		 * extra anchors never touches one shared with other handles. */
		SET(CURLOPT_CA_CACHE_TIMEOUT, 0L);
		SET(CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
		SET(CURLOPT_SSL_CTX_DATA, (void *)t);
	}
#undef SET
	return rc;
}

void http_trust_clear(struct http_trust *t)
{
	sk_X509_pop_free(t->extra, X509_free);
	free(t->ca_file);
	free(t->ca_dir);
	memset(t, 0, sizeof(*t));
}
