/* cmd_account.c - `acmectl account register` and `acmectl account show`,
 * and the report every account command prints. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "account.h"
#include "cmd.h"
#include "err.h"
#include "key.h"
#include "session.h"
#include "util.h"

int cmd_account_register(const struct config *cfg)
{
	struct session s;
	json_t *out = NULL;
	int rc = -1;

	if (session_open(&s, cfg) != 0)
		goto out;
	if (session_register(&s, cfg->account_key, cfg->account_key_type, cfg->email,
	    cfg->eab_kid, cfg->eab_hmac_key, cfg->eab_alg) != 0)
		goto out;
	if (cfg->json) {
		out = json_pack("{s:s,s:s}", "url", s.account_url, "server", cfg->server);
		json_print(out);
	} else if (!cfg->quiet)
		printf("account registered: %s\n", s.account_url);
	session_log_stats(&s);
	rc = 0;
out:
	json_decref(out);
	session_close(&s);
	return rc;
}

int cmd_account_show(const struct config *cfg)
{
	struct session s;
	json_t *account = NULL, *out = NULL, *contact, *c;
	const char *status;
	size_t i;
	int rc = -1;

	if (session_open(&s, cfg) != 0)
		goto out;
	if (cfg->account_key != NULL) {
		if ((s.account_key = key_load_file(cfg->account_key)) == NULL ||
		    account_lookup(s.acme, s.account_key, &s.account_url, NULL) != 0)
			goto out;
	} else if (session_load_account(&s, true) != 0) {
		goto out;
	}
	if (account_fetch(s.acme, &account) != 0)
		goto out;
	contact = json_object_get(account, "contact");
	status = json_string_value(json_object_get(account, "status"));
	if (cfg->json) {
		out = json_pack("{s:s,s:s,s:o,s:s}", "url", s.account_url, "server", cfg->server,
		    "contact", json_is_array(contact) ? json_incref(contact) : json_array(),
		    "status", status ? status : "unknown");
		json_print(out);
	} else {
		printf("url:     %s\nserver:  %s\ncontact:", s.account_url, cfg->server);
		json_array_foreach(contact, i, c)
			printf(" %s", json_string_value(c));
		printf("\nstatus:  %s\n", status ? status : "unknown");
	}
	session_log_stats(&s);
	rc = 0;
out:
	json_decref(out);
	json_decref(account);
	session_close(&s);
	return rc;
}

void cmd_account_report(const struct config *cfg, const char *url, const char *status,
    json_t *contact, const char *line)
{
	json_t *out;

	if (cfg->json) {
		out = json_pack("{s:s,s:s,s:o}", "url", url, "status", status, "contact",
		    json_is_array(contact) ? json_incref(contact) : json_array());
		json_print(out);
		json_decref(out);
	} else if (!cfg->quiet) {
		printf("%s\n", line);
	}
}
