/* cmd_account_update.c - `acmectl account update`: the account's contact
 * changed at the server, and in STATE/accounts/<id> once it has confirmed. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "cmd.h"
#include "err.h"
#include "session.h"
#include "util.h"

int cmd_account_update(const struct config *cfg)
{
	struct session_opts so = cmd_session_opts(cfg);
	struct session s = { 0 };
	json_t *account = NULL, *contact;
	const char *status, *first;
	char *line = NULL;
	int rc = -1;

	if (strchr(cfg->email, '@') == NULL || strpbrk(cfg->email, " \t\r\n,") != NULL) {
		err_set(ERR_USAGE, "--email must be one address like admin@example.com "
		    "(got \"%s\")", cfg->email);
		goto out;
	}
	if (session_open(&s, &so) != 0 || session_load_account(&s, true) != 0)
		goto out;
	if (account_update_contact(s.acme, cfg->email, &account) != 0)
		goto out;
	contact = json_object_get(account, "contact");
	if (session_set_account_member(&s, "contact", json_incref(contact)) != 0) {
		err_prefix("the contact is changed at the server, but the state could not say so");
		goto out;
	}
	status = json_string_value(json_object_get(account, "status"));
	first = json_string_value(json_array_get(contact, 0));
	line = xasprintf("account contact updated: %s", first ? first : "(none)");
	cmd_account_report(cfg, s.account_url, status ? status : "valid", contact, line);
	session_log_stats(&s);
	rc = 0;
out:
	json_decref(account);
	session_close(&s);
	free(line);
	return rc;
}
