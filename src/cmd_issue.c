/* cmd_issue.c - `acmectl issue`: names in, certificate files out. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certinfo.h"
#include "cmd.h"
#include "csr.h"
#include "err.h"
#include "http01.h"
#include "ident.h"
#include "key.h"
#include "log.h"
#include "order.h"
#include "session.h"
#include "store.h"
#include "util.h"

#define POLL_DEADLINE_S 300

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Validates and normalises the names, dropping repeats. Returns a new
 * NULL-terminated array (caller strv_free()s) or NULL with ERR_USAGE. */
static char **collect_names(char *const *given, size_t n)
{
	char **names = xcalloc(n + 1, sizeof(*names));
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char *norm;
		bool seen = false;

		if (ident_validate(given[i]) != 0) {
			strv_free(names);
			return NULL;
		}
		if (given[i][0] == '*') {
			err_set(ERR_USAGE, "wildcard name \"%s\" needs the dns-01 challenge, "
			    "which this version cannot answer", given[i]);
			strv_free(names);
			return NULL;
		}
		norm = ident_normalize(given[i]);
		for (size_t j = 0; j < k; j++)
			seen = seen || strcmp(names[j], norm) == 0;
		if (seen)
			free(norm);
		else
			names[k++] = norm;
	}
	return names;
}

/* True when both NULL-terminated arrays hold the same set of names. */
static bool same_names(char **a, char **b)
{
	size_t na = 0, nb = 0;
	char **sa, **sb;
	bool same = true;

	while (a[na] != NULL)
		na++;
	while (b[nb] != NULL)
		nb++;
	if (na != nb)
		return false;
	sa = xcalloc(na + 1, sizeof(*sa));
	sb = xcalloc(nb + 1, sizeof(*sb));
	memcpy(sa, a, na * sizeof(*sa));
	memcpy(sb, b, nb * sizeof(*sb));
	qsort(sa, na, sizeof(*sa), cmp_str);
	qsort(sb, nb, sizeof(*sb), cmp_str);
	for (size_t i = 0; i < na && same; i++)
		same = strcmp(sa[i], sb[i]) == 0;
	free(sa);
	free(sb);
	return same;
}

/* Joins names with ", " for messages. Caller frees. */
static char *join_names(char **names)
{
	char *s = xstrdup(""), *t;

	for (size_t i = 0; names[i] != NULL; i++) {
		t = xasprintf("%s%s%s", s, i ? ", " : "", names[i]);
		free(s);
		s = t;
	}
	return s;
}

/* True (and says so) when certificate `name` exists for the same names and
 * is not due for renewal. Any problem reading it means "not current". */
static bool still_current(const struct config *cfg, const char *name, char **names)
{
	char *path = xasprintf("%s/certs/%s/cert.pem", cfg->state_dir, name);
	struct certinfo ci = { 0 };
	char *pem, until[32];
	bool current = false;

	if ((pem = store_read_file(path, NULL)) != NULL &&
	    certinfo_parse(pem, path, &ci) == 0 && same_names(ci.names, names) &&
	    !cert_is_due(ci.not_before, ci.not_after, time(NULL), -1)) {
		strftime(until, sizeof(until), "%Y-%m-%d", gmtime(&ci.not_after));
		if (!cfg->quiet)
			printf("certificate %s is valid until %s and not due for renewal; "
			    "nothing to do (use --force to issue anyway)\n", name, until);
		current = true;
	}
	err_clear();
	certinfo_clear(&ci);
	free(pem);
	free(path);
	return current;
}

/* The issuance record kept beside the certificate for renewal. New reference. */
static json_t *issuance_record(const struct config *cfg, char **names, const char *account_url)
{
	json_t *rec, *challenge, *list = json_array();
	char created[32], abs[PATH_MAX];
	time_t now = time(NULL);
	struct tm tm;

	for (size_t i = 0; names[i] != NULL; i++)
		json_array_append_new(list, json_string(names[i]));
	if (cfg->webroot != NULL)
		challenge = json_pack("{s:s,s:s}", "type", "http-01", "webroot",
		    realpath(cfg->webroot, abs) ? abs : cfg->webroot);
	else
		challenge = json_pack("{s:s,s:s}", "type", "http-01", "standalone", cfg->standalone);
	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	rec = json_pack("{s:s,s:o,s:o,s:s,s:s,s:s}", "server", cfg->server, "names", list,
	    "challenge", challenge, "key_type", key_type_name(cfg->cert_key_type),
	    "account", account_url, "issued", created);
	if (cfg->csr != NULL) {
		json_object_set_new(rec, "csr", json_string(realpath(cfg->csr, abs) ? abs : cfg->csr));
		json_object_del(rec, "key_type");
	}
	return rec;
}

/* Prints where the certificate went and until when it is valid. */
static void report(const struct config *cfg, const char *name, const char *cert_pem)
{
	struct certinfo ci;
	char until[32], *dir = store_cert_dir(cfg->state_dir, name);

	if (certinfo_parse(cert_pem, name, &ci) == 0) {
		strftime(until, sizeof(until), "%Y-%m-%d %H:%M:%S UTC", gmtime(&ci.not_after));
		if (!cfg->quiet)
			printf("certificate %s issued: %s/fullchain.pem (valid until %s)\n",
			    name, dir, until);
	}
	err_clear();
	certinfo_clear(&ci);
	free(dir);
}

int cmd_issue(const struct config *cfg)
{
	struct order_result res = { 0 };
	struct order_request req = { 0 };
	struct http01 *solver = NULL;
	EVP_PKEY *cert_key = NULL;
	struct session s = { 0 };
	char **names = NULL, **csr_names = NULL, *csr = NULL, *name = NULL;
	char *certs_dir = NULL, *key_pem = NULL, *given = NULL, *in_csr = NULL;
	size_t key_len = 0, nnames = 0;
	json_t *record = NULL;
	int rc = -1;

	if ((names = collect_names(cfg->names, cfg->nnames)) == NULL)
		goto out;
	if (cfg->csr != NULL) {
		if ((csr = csr_load(cfg->csr, &csr_names)) == NULL)
			goto out;
		if (names[0] != NULL && !same_names(names, csr_names)) {
			given = join_names(names);
			in_csr = join_names(csr_names);
			err_set(ERR_USAGE, "the names in %s (%s) differ from the names given (%s)",
			    cfg->csr, in_csr, given);
			goto out;
		}
		strv_free(names);
		names = csr_names;
		csr_names = NULL;
	}
	while (names[nnames] != NULL)
		nnames++;
	if (nnames == 0) {
		err_set(ERR_USAGE, "issue needs at least one NAME");
		goto out;
	}
	name = cfg->cert_name ? xstrdup(cfg->cert_name) : ident_cert_name(names[0]);
	if (name[0] == '.' || name[0] == '\0' || strchr(name, '/') != NULL) {
		err_set(ERR_USAGE, "invalid certificate name \"%s\"", name);
		goto out;
	}
	certs_dir = xasprintf("%s/certs", cfg->state_dir);
	if (store_mkdirs(certs_dir, 0755) != 0)
		goto out;
	if (!cfg->force && still_current(cfg, name, names)) {
		rc = 0;
		goto out;
	}
	solver = cfg->webroot ? http01_webroot(cfg->webroot) : http01_standalone(cfg->standalone);
	if (solver == NULL)
		goto out;
	if (session_open(&s, cfg) != 0 ||
	    session_load_account(&s, !(cfg->agree_tos)) != 0)
		goto out;
	if (s.account_key == NULL &&
	    session_register(&s, cfg->account_key, cfg->account_key_type, cfg->email,
	    cfg->eab_kid, cfg->eab_hmac_key, cfg->eab_alg) != 0)
		goto out;
	if (csr == NULL) {
		if ((cert_key = key_generate(cfg->cert_key_type)) == NULL ||
		    (csr = csr_build(cert_key, names, nnames)) == NULL ||
		    (key_pem = key_to_pem(cert_key, &key_len)) == NULL)
			goto out;
	}
	req.names = names;
	req.nnames = nnames;
	req.csr_b64url = csr;
	req.solver = solver;
	req.account_key = s.account_key;
	req.poll_deadline_s = POLL_DEADLINE_S;
	if (order_issue(s.acme, &req, &res) != 0)
		goto out;
	record = issuance_record(cfg, names, s.account_url);
	if (store_save_cert(cfg->state_dir, name, &(struct store_cert){
	    .privkey = key_pem, .privkey_len = key_len, .cert = res.cert,
	    .chain = res.chain, .fullchain = res.fullchain, .issuance = record }) != 0)
		goto out;
	report(cfg, name, res.cert);
	session_log_stats(&s);
	rc = 0;
out:
	http01_free(solver);
	session_close(&s);
	order_result_clear(&res);
	key_pem_free(key_pem, key_len);
	EVP_PKEY_free(cert_key);
	json_decref(record);
	strv_free(names);
	strv_free(csr_names);
	free(csr);
	free(name);
	free(certs_dir);
	free(given);
	free(in_csr);
	return rc;
}
