/* cmd_revoke.c - `acmectl revoke NAME | --cert FILE [--cert-key FILE]
 * [--reason CODE]`. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certinfo.h"
#include "cmd.h"
#include "err.h"
#include "fileio.h"
#include "key.h"
#include "revoke.h"
#include "session.h"
#include "store.h"
#include "util.h"

/* A certificate chain is kilobytes; this only bounds a mistaken file. */
#define CERT_FILE_MAX ((size_t)1024 * 1024)

/* Prints what was revoked, as text or --json. */
static void report(const struct config *cfg, const char *name, const char *path,
    const char *serial)
{
	json_t *out;

	if (cfg->json) {
		out = json_pack("{s:s?,s:s,s:s,s:s,s:o}", "name", name, "cert", path,
		    "serial", serial, "status", "revoked", "reason",
		    cfg->revoke_reason >= 0 ? json_integer(cfg->revoke_reason) : json_null());
		json_print(out);
		json_decref(out);
	} else if (!cfg->quiet) {
		printf("certificate %s revoked (serial %s)\n", name ? name : path, serial);
	}
}

int cmd_revoke(const struct config *cfg)
{
	const char *name = cfg->nnames > 0 ? cfg->names[0] : NULL, *server;
	struct session_opts so = cmd_session_opts(cfg);
	struct session s = { 0 };
	struct certinfo ci = { 0 };
	unsigned char *der = NULL;
	EVP_PKEY *cert_key = NULL;
	json_t *issuance = NULL;
	char *path = NULL, *pem = NULL, *said = NULL;
	size_t len = 0;
	int rc = -1;

	if (name != NULL) {
		if ((issuance = store_load_issuance(cfg->state_dir, name)) == NULL) {
			if (errno == ENOENT)
				err_set(ERR_USAGE, "no certificate \"%s\" in %s/certs", name,
				    cfg->state_dir);
			goto out;
		}
		path = store_cert_file(cfg->state_dir, name, STORE_CERT);
		/* revoke where it was issued unless --server says otherwise */
		server = json_string_value(json_object_get(issuance, "server"));
		if (server != NULL && !cfg->server_set)
			so.server = server;
	} else {
		path = xstrdup(cfg->cert_file);
	}
	if ((pem = file_read(path, CERT_FILE_MAX, ERR_USAGE, NULL)) == NULL ||
	    (der = revoke_cert_der(pem, path, &len)) == NULL ||
	    certinfo_parse(pem, path, &ci) != 0)
		goto out;
	if (cfg->cert_key_file != NULL) {
		if ((cert_key = key_load_file(cfg->cert_key_file)) == NULL)
			goto out;
		if (!revoke_key_matches(der, len, cert_key)) {
			err_set(ERR_USAGE, "%s is not the key of the certificate %s",
			    cfg->cert_key_file, path);
			goto out;
		}
	}
	if (session_open(&s, &so) != 0 ||
	    (cert_key == NULL && session_load_account(&s, true) != 0))
		goto out;
	if (revoke_cert(s.acme, der, len, cfg->revoke_reason, cert_key) != 0) {
		/* the server says it is revoked: the state must not say otherwise */
		if (name == NULL || !problem_is(err_get_problem(), "alreadyRevoked"))
			goto out;
		said = xstrdup(err_message());
		if (revoke_mark(cfg->state_dir, name, cfg->revoke_reason, time(NULL)) == 0)
			err_set(ERR_ACME, "certificate %s was already revoked (%s); "
			    "marked revoked in the state", name, said);
		goto out;
	}
	if (name != NULL && revoke_mark(cfg->state_dir, name, cfg->revoke_reason, time(NULL)) != 0) {
		err_prefix("certificate %s is revoked at the server, but the state "
		    "could not say so", name);
		goto out;
	}
	report(cfg, name, path, ci.serial);
	session_log_stats(&s);
	rc = 0;
out:
	session_close(&s);
	certinfo_clear(&ci);
	EVP_PKEY_free(cert_key);
	json_decref(issuance);
	free(der);
	free(pem);
	free(path);
	free(said);
	return rc;
}
