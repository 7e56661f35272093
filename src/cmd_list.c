/* cmd_list.c - placeholder until written. */
#include "config.h"

#include "cmd.h"
#include "err.h"

int cmd_list(const struct config *cfg)
{
	(void)cfg;
	err_set(ERR_USAGE, "cmd_list is not built yet");
	return -1;
}
