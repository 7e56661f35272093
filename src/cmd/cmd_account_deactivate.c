/* cmd_account_deactivate.c - `acmectl account deactivate`: the account
 * made unusable at the server after a typed confirmation (or --yes), and
 * marked so in STATE/accounts/<id> once the server has confirmed it. */
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

/* What a user must type to confirm a deactivation. */
#define CONFIRM_WORD "deactivate"

/* Asks on the terminal to type CONFIRM_WORD. 0 when typed, else -1 with
 * ERR_USAGE. */
static int confirm_deactivation(const char *url)
{
	char answer[64];
	size_t n;

	fprintf(stderr, "Deactivating the account %s cannot be undone: the server will "
	    "refuse every request for it.\nType '%s' to confirm: ", url, CONFIRM_WORD);
	fflush(stderr);
	if (fgets(answer, sizeof(answer), stdin) == NULL)
		answer[0] = '\0';
	n = strcspn(answer, "\r\n");
	answer[n] = '\0';
	if (strcmp(answer, CONFIRM_WORD) != 0) {
		err_set(ERR_USAGE, "account deactivate: not confirmed; the account stays active");
		return -1;
	}
	return 0;
}

int cmd_account_deactivate(const struct config *cfg)
{
	struct session_opts so = cmd_session_opts(cfg);
	struct session s = { 0 };
	json_t *account = NULL;
	const char *status;
	char *line = NULL;
	int rc = -1;

	/* refuse before any request: there is nobody to ask */
	if (!cfg->yes && !isatty(STDIN_FILENO)) {
		err_set(ERR_USAGE, "account deactivate asks for confirmation, but standard "
		    "input is not a terminal; give --yes to deactivate without asking");
		goto out;
	}
	if (session_open(&s, &so) != 0 || session_load_account(&s, true) != 0)
		goto out;
	if (!cfg->yes && confirm_deactivation(s.account_url) != 0)
		goto out;
	if (account_deactivate(s.acme, &account) != 0)
		goto out;
	status = json_string_value(json_object_get(account, "status"));
	if (session_set_account_member(&s, "status", json_string("deactivated")) != 0) {
		err_prefix("the account is deactivated at the server, but the state "
		    "could not say so");
		goto out;
	}
	line = xasprintf("account deactivated: %s (to register anew, move %s away)",
	    s.account_url, s.account_dir);
	cmd_account_report(cfg, s.account_url, status ? status : "deactivated",
	    json_object_get(s.account_json, "contact"), line);
	session_log_stats(&s);
	rc = 0;
out:
	json_decref(account);
	session_close(&s);
	free(line);
	return rc;
}
