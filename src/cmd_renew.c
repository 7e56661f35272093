/* cmd_renew.c - placeholder until written. */
#include "config.h"

#include "cmd.h"
#include "err.h"

int cmd_renew(const struct config *cfg)
{
	(void)cfg;
	err_set(ERR_USAGE, "cmd_renew is not built yet");
	return -1;
}
