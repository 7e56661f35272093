/* issue.c - one issuance from solver set-up to saved files. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ari.h"
#include "csr.h"
#include "dns01.h"
#include "err.h"
#include "http01.h"
#include "issue.h"
#include "log.h"
#include "order.h"
#include "store.h"
#include "util.h"

#define POLL_DEADLINE_S 300

/* An absolute form of a path the record keeps (renew may run elsewhere). */
static json_t *abs_path(const char *path)
{
	char abs[PATH_MAX];

	return json_string(realpath(path, abs) ? abs : path);
}

json_t *issue_record(const struct issue_spec *spec, const char *server, const char *account_url)
{
	json_t *rec, *challenge, *list = json_array();
	char created[32];
	time_t now = time(NULL);
	struct tm tm;

	for (size_t i = 0; spec->names[i] != NULL; i++)
		json_array_append_new(list, json_string(spec->names[i]));
	if (spec->webroot != NULL)
		challenge = json_pack("{s:s,s:o}", "type", "http-01", "webroot", abs_path(spec->webroot));
	else if (spec->standalone != NULL)
		challenge = json_pack("{s:s,s:s}", "type", "http-01", "standalone", spec->standalone);
	else
		challenge = json_pack("{s:s,s:o,s:I}", "type", "dns-01", "dns_hook",
		    strchr(spec->dns_hook, '/') ? abs_path(spec->dns_hook) : json_string(spec->dns_hook),
		    "dns_wait", (json_int_t)spec->dns_wait_s);
	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	rec = json_pack("{s:s,s:o,s:o,s:s,s:s}", "server", server, "names", list,
	    "challenge", challenge, "account", account_url ? account_url : "", "issued", created);
	if (spec->csr_path != NULL)
		json_object_set_new(rec, "csr", abs_path(spec->csr_path));
	else
		json_object_set_new(rec, "key_type", json_string(key_type_name(spec->key_type)));
	if (spec->preferred_chain != NULL)
		json_object_set_new(rec, "preferred_chain", json_string(spec->preferred_chain));
	if (spec->profile != NULL)
		json_object_set_new(rec, "profile", json_string(spec->profile));
	if (json_is_object(spec->hooks) && json_object_size(spec->hooks) > 0)
		json_object_set(rec, "hooks", spec->hooks);
	return rec;
}

/* rec[key] as a string, or NULL. Borrowed. */
static const char *rec_str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

int issue_spec_from_record(json_t *rec, const char *cert_name, struct issue_spec *spec)
{
	json_t *names = json_object_get(rec, "names"), *ch = json_object_get(rec, "challenge"), *v;
	const char *type = rec_str(ch, "type");
	size_t i;

	memset(spec, 0, sizeof(*spec));
	spec->cert_name = cert_name;
	if (!json_is_array(names) || json_array_size(names) == 0 || type == NULL) {
		err_set(ERR_STORAGE, "certificate %s: issuance.json lacks names or challenge",
		    cert_name);
		return -1;
	}
	spec->names = xcalloc(json_array_size(names) + 1, sizeof(*spec->names));
	json_array_foreach(names, i, v) {
		if ((spec->names[i] = (char *)json_string_value(v)) == NULL) {
			err_set(ERR_STORAGE, "certificate %s: issuance.json has a bad name", cert_name);
			free(spec->names);
			spec->names = NULL;
			return -1;
		}
	}
	spec->webroot = rec_str(ch, "webroot");
	spec->standalone = rec_str(ch, "standalone");
	spec->dns_hook = rec_str(ch, "dns_hook");
	spec->dns_wait_s = (long)json_integer_value(json_object_get(ch, "dns_wait"));
	if (spec->webroot == NULL && spec->standalone == NULL && spec->dns_hook == NULL) {
		err_set(ERR_STORAGE, "certificate %s: issuance.json names no way to answer "
		    "challenges", cert_name);
		free(spec->names);
		spec->names = NULL;
		return -1;
	}
	spec->csr_path = rec_str(rec, "csr");
	if (rec_str(rec, "key_type") != NULL &&
	    key_type_parse(rec_str(rec, "key_type"), &spec->key_type) != 0) {
		err_prefix("certificate %s: issuance.json", cert_name);
		free(spec->names);
		spec->names = NULL;
		return -1;
	}
	spec->preferred_chain = rec_str(rec, "preferred_chain");
	spec->profile = rec_str(rec, "profile");
	spec->hooks = json_object_get(rec, "hooks");
	return 0;
}

/* Records the new certificate's ARI state (RFC 9773 4.3: ask at once), or
 * that the server offers none, in STATE/certs/NAME/ari.json, so the next
 * renew knows without any network that nothing is due. Best effort: without
 * the file, renew asks. */
static void save_ari_state(struct session *s, const char *name, const char *cert_pem)
{
	char *path = xasprintf("%s/certs/%s/ari.json", s->cfg->state_dir, name);
	struct ari_state st = { 0 };
	char *id;

	if ((id = ari_cert_id(cert_pem, name)) != NULL) {
		if (ari_fetch(s->acme, id, time(NULL), &st) != 0)
			logmsg(LOG_VERBOSE, "%s: no renewal information yet: %s", name, err_message());
		err_clear();
		if (ari_state_save(path, &st) != 0)
			logmsg(LOG_NORMAL, "warning: %s: %s", name, err_message());
	}
	err_clear();
	ari_state_clear(&st);
	free(id);
	free(path);
}

int issue_run(struct session *s, const struct issue_spec *spec, struct certinfo *issued)
{
	struct order_result res = { 0 };
	struct order_request req = { 0 };
	struct http01 *http01 = NULL;
	struct dns01 *dns01 = NULL;
	EVP_PKEY *cert_key = NULL;
	char **csr_names = NULL, *csr = NULL, *key_pem = NULL;
	size_t key_len = 0, nnames = 0;
	json_t *record = NULL;
	int rc = -1;

	while (spec->names[nnames] != NULL)
		nnames++;
	if (spec->dns_hook != NULL)
		dns01 = dns01_new(spec->dns_hook, spec->dns_wait_s);
	else if ((http01 = spec->webroot ? http01_webroot(spec->webroot) :
	    http01_standalone(spec->standalone)) == NULL)
		goto out;
	if (spec->csr_path != NULL) {
		if ((csr = csr_load(spec->csr_path, &csr_names)) == NULL)
			goto out;
	} else if ((cert_key = key_generate(spec->key_type)) == NULL ||
	    (csr = csr_build(cert_key, spec->names, nnames)) == NULL ||
	    (key_pem = key_to_pem(cert_key, &key_len)) == NULL) {
		goto out;
	}
	req.names = spec->names;
	req.nnames = nnames;
	req.csr_b64url = csr;
	req.http01 = http01;
	req.dns01 = dns01;
	req.account_key = s->account_key;
	req.poll_deadline_s = POLL_DEADLINE_S;
	req.profile = spec->profile;
	req.replaces = spec->replaces;
	req.preferred_chain = spec->preferred_chain;
	if (order_issue(s->acme, &req, &res) != 0)
		goto out;
	record = issue_record(spec, s->cfg->server, s->account_url);
	if (store_save_cert(s->cfg->state_dir, spec->cert_name, &(struct store_cert){
	    .privkey = key_pem, .privkey_len = key_len, .cert = res.cert,
	    .chain = res.chain, .fullchain = res.fullchain, .issuance = record }) != 0)
		goto out;
	save_ari_state(s, spec->cert_name, res.cert);
	/* saved: a certificate we cannot parse back is not worth failing for */
	if (issued != NULL && certinfo_parse(res.cert, spec->cert_name, issued) != 0)
		err_clear();
	rc = 0;
out:
	http01_free(http01);
	dns01_free(dns01);
	order_result_clear(&res);
	key_pem_free(key_pem, key_len);
	EVP_PKEY_free(cert_key);
	json_decref(record);
	strv_free(csr_names);
	free(csr);
	return rc;
}
