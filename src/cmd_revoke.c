/* cmd_revoke.c - placeholder until written. */
#include "config.h"

#include "cmd.h"
#include "err.h"

int cmd_revoke(const struct config *cfg)
{
	(void)cfg;
	err_set(ERR_USAGE, "cmd_revoke is not built yet");
	return -1;
}
