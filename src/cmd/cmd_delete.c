/* cmd_delete.c - `acmectl delete NAME`: a kept certificate removed, all
 * its generations, its live link and its record, after a confirmation on
 * the terminal or --yes. Accounts are never touched. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "err.h"
#include "help.h"
#include "store.h"
#include "util.h"

/* As long as renew waits for another run's lock. */

/* Records that name is no certificate kept in state, with the nearest
 * kept name when there is one near enough to be a slip of the fingers. */
static void unknown_cert(const struct config *cfg, const char *name, char **kept)
{
	const char *near = help_nearest(name, (const char *const *)kept, strv_len(kept));
	char *shown = str_printable(name), *certs = store_certs_dir(cfg->state_dir);

	if (near != NULL)
		err_set(ERR_USAGE, "no certificate \"%s\" in %s (did you mean %s?)", shown,
		    certs, near);
	else
		err_set(ERR_USAGE, "no certificate \"%s\" in %s (acmectl list shows them)",
		    shown, certs);
	free(shown);
	free(certs);
}

/* Asks on the terminal to type the certificate's name. 0 when typed,
 * else -1 with ERR_USAGE. */
static int confirm(const char *name)
{
	char answer[256];

	fprintf(stderr, "Deleting certificate %s removes its key, every generation and its "
	    "record; renew forgets it.\nType '%s' to confirm: ", name, name);
	fflush(stderr);
	if (fgets(answer, sizeof(answer), stdin) == NULL)
		answer[0] = '\0';
	answer[strcspn(answer, "\r\n")] = '\0';
	if (strcmp(answer, name) != 0) {
		err_set(ERR_USAGE, "delete: not confirmed; certificate %s is kept", name);
		return -1;
	}
	return 0;
}

int cmd_delete(const struct config *cfg)
{
	const char *name = cfg->names[0];
	char **kept = NULL;
	json_t *out = NULL;
	size_t i;
	int lock = -1, rc = -1;

	/* refuse before anything: there is nobody to ask */
	if (!cfg->yes && !isatty(STDIN_FILENO)) {
		err_set(ERR_USAGE, "delete asks for confirmation, but standard input is not a "
		    "terminal; give --yes to delete without asking");
		goto out;
	}
	if ((kept = store_list_certs(cfg->state_dir)) == NULL)
		goto out;
	for (i = 0; kept[i] != NULL && strcmp(kept[i], name) != 0; i++)
		;
	if (kept[i] == NULL) {
		unknown_cert(cfg, name, kept);
		goto out;
	}
	if (!cfg->yes && confirm(name) != 0)
		goto out;
	/* a renew run in progress finishes before its certificate goes */
	if ((lock = store_lock(cfg->state_dir, STORE_LOCK_WAIT_MS)) == -1 ||
	    store_delete_cert(cfg->state_dir, name) != 0)
		goto out;
	if (cfg->json) {
		out = json_pack("{s:s,s:b}", "name", name, "deleted", 1);
		json_print(out);
	} else if (!cfg->quiet) {
		printf("deleted certificate %s\n", name);
	}
	rc = 0;
out:
	store_unlock(lock);
	json_decref(out);
	strv_free(kept);
	return rc;
}
