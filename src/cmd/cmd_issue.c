/* cmd_issue.c - `acmectl issue`: names in, certificate files out. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certinfo.h"
#include "cmd.h"
#include "csr.h"
#include "err.h"
#include "ident.h"
#include "issue.h"
#include "log.h"
#include "session.h"
#include "store.h"
#include "util.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Validates and normalises the names, dropping repeats; wildcards only
 * with dns-01. Returns a new
 * NULL-terminated array (caller strv_free()s) or NULL with ERR_USAGE. */
static char **collect_names(char *const *given, size_t n, bool dns01)
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
		if (given[i][0] == '*' && !dns01) {
			err_set(ERR_USAGE, "wildcard name \"%s\" needs the dns-01 challenge "
			    "(--dns-hook PROG)", given[i]);
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

/* True (and says so) when certificate `name` exists for the same names and
 * is not due for renewal. Any problem reading it means "not current". */
static bool still_current(const struct config *cfg, const char *name, char **names)
{
	char *path = store_cert_file(cfg->state_dir, name, STORE_CERT);
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

/* Prints where the certificate went and until when it is valid. */
static void report(const struct config *cfg, const char *name, const struct certinfo *ci)
{
	char until[32], *dir = store_cert_dir(cfg->state_dir, name);

	strftime(until, sizeof(until), "%Y-%m-%d %H:%M:%S UTC", gmtime(&ci->not_after));
	if (!cfg->quiet)
		printf("certificate %s issued: %s/fullchain.pem (valid until %s)\n",
		    name, dir, until);
	free(dir);
}

/* What acmectl-renew.service may write to (StateDirectory=acmectl and
 * ReadWritePaths= in contrib/systemd/acmectl-renew.service.in): the rest
 * of the file system is read-only to it (ProtectSystem=strict). */
#define SERVICE_STATE_DIR "/var/lib/acmectl"
#define SERVICE_WEBROOTS "/var/www"
#define SERVICE_DROPIN "/etc/systemd/system/acmectl-renew.service.d/webroot.conf"

/* path as a unit file setting's value: '%' starts a specifier, and
 * whitespace would split the path into two. NULL when a unit file cannot
 * hold it (control characters). Caller frees. */
static char *unit_file_path(const char *path)
{
	char *out = xcalloc(2 * strlen(path) + 3, 1), *o = out;
	bool quote = strpbrk(path, " \"\\") != NULL;

	if (quote)
		*o++ = '"';
	for (; *path != '\0'; path++) {
		if ((unsigned char)*path < 0x20 || *path == 0x7f) {
			free(out);
			return NULL;
		}
		if (*path == '%')
			*o++ = '%';
		else if (quote && (*path == '"' || *path == '\\'))
			*o++ = '\\';
		*o++ = *path;
	}
	if (quote)
		*o++ = '"';
	return out;
}

/* A certificate the renewal service will renew, answered through a
 * webroot outside the paths it may write to, would fail to renew with
 * "Read-only file system": says how to let the service write there. */
static void advise_service_webroot(const struct config *cfg)
{
	char real[PATH_MAX], *value, *shown;
	size_t len = strlen(SERVICE_WEBROOTS);

	if (cfg->webroot == NULL || strcmp(cfg->state_dir, SERVICE_STATE_DIR) != 0 ||
	    realpath(cfg->webroot, real) == NULL)
		return;
	if (strncmp(real, SERVICE_WEBROOTS, len) == 0 && (real[len] == '/' || real[len] == '\0'))
		return;
	shown = str_printable(real);
	if ((value = unit_file_path(real)) == NULL) {
		logmsg(LOG_NORMAL, "note: acmectl-renew.service may write only to %s and %s, "
		    "and no unit file can name %s (control characters): it cannot renew "
		    "this certificate", SERVICE_STATE_DIR, SERVICE_WEBROOTS, shown);
		free(shown);
		return;
	}
	logmsg(LOG_NORMAL, "note: acmectl-renew.service may write only to %s and %s; "
	    "for it to renew this certificate, let it write to %s with a drop-in, %s:",
	    SERVICE_STATE_DIR, SERVICE_WEBROOTS, shown, SERVICE_DROPIN);
	logmsg(LOG_NORMAL, "    [Service]");
	logmsg(LOG_NORMAL, "    ReadWritePaths=%s", value);
	free(value);
	free(shown);
}

int cmd_issue(const struct config *cfg)
{
	struct issue_spec spec = { 0 };
	struct certinfo issued = { 0 };
	struct session s = { 0 };
	char **names = NULL, **csr_names = NULL, *csr = NULL, *name = NULL;
	char *certs_dir = NULL, *given = NULL, *in_csr = NULL;
	int rc = -1;

	if ((names = collect_names(cfg->names, cfg->nnames, cfg->dns_hook != NULL)) == NULL)
		goto out;
	if (cfg->csr != NULL) {
		if ((csr = csr_load(cfg->csr, &csr_names)) == NULL)
			goto out;
		if (names[0] != NULL && !same_names(names, csr_names)) {
			given = str_join((const char *const *)names, strv_len(names), ", ");
			in_csr = str_join((const char *const *)csr_names, strv_len(csr_names), ", ");
			err_set(ERR_USAGE, "the names in %s (%s) differ from the names given (%s)",
			    cfg->csr, in_csr, given);
			goto out;
		}
		strv_free(names);
		names = csr_names;
		csr_names = NULL;
	}
	if (names[0] == NULL) {
		err_set(ERR_USAGE, "issue needs at least one NAME");
		goto out;
	}
	name = cfg->cert_name ? xstrdup(cfg->cert_name) : ident_cert_name(names[0]);
	if (name[0] == '.' || name[0] == '\0' || strchr(name, '/') != NULL) {
		err_set(ERR_USAGE, "invalid certificate name \"%s\"", name);
		goto out;
	}
	certs_dir = store_certs_dir(cfg->state_dir);
	if (store_check_cert(cfg->state_dir, name) != 0 ||
	    store_mkdirs(certs_dir, 0755) != 0)
		goto out;
	if (!cfg->force && still_current(cfg, name, names)) {
		rc = 0;
		goto out;
	}
	if (session_open(&s, cfg) != 0 ||
	    session_load_account(&s, !(cfg->agree_tos)) != 0)
		goto out;
	if (s.account_key == NULL &&
	    session_register(&s, cfg->account_key, cfg->account_key_type, cfg->email,
	    cfg->eab_kid, cfg->eab_hmac_key, cfg->eab_alg) != 0)
		goto out;
	spec.names = names;
	spec.cert_name = name;
	spec.webroot = cfg->webroot;
	spec.standalone = cfg->standalone;
	spec.dns_hook = cfg->dns_hook;
	spec.dns_wait_s = cfg->dns_wait_s;
	spec.key_type = cfg->cert_key_type;
	spec.csr_path = cfg->csr;
	spec.preferred_chain = cfg->preferred_chain;
	spec.profile = cfg->profile;
	if (issue_run(&s, &spec, &issued) != 0)
		goto out;
	report(cfg, name, &issued);
	advise_service_webroot(cfg);
	session_log_stats(&s);
	rc = 0;
out:
	session_close(&s);
	certinfo_clear(&issued);
	strv_free(names);
	strv_free(csr_names);
	free(csr);
	free(name);
	free(certs_dir);
	free(given);
	free(in_csr);
	return rc;
}
