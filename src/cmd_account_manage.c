/* cmd_account_manage.c - placeholder until written. */
#include "config.h"

#include "cmd.h"
#include "err.h"

int cmd_account_rollover(const struct config *cfg)
{
	(void)cfg;
	err_set(ERR_USAGE, "cmd_account_rollover is not built yet");
	return -1;
}

int cmd_account_deactivate(const struct config *cfg)
{
	(void)cfg;
	err_set(ERR_USAGE, "cmd_account_deactivate is not built yet");
	return -1;
}

int cmd_account_update(const struct config *cfg)
{
	(void)cfg;
	err_set(ERR_USAGE, "cmd_account_update is not built yet");
	return -1;
}
