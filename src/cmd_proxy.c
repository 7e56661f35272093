/* cmd_proxy.c - placeholder until the proxy engineer's version lands. */
#include "config.h"

#include "cmd.h"
#include "err.h"

int cmd_proxy_explain(const struct config *cfg)
{
	(void)cfg;
	err_set(ERR_USAGE, "proxy explain is not built yet");
	return -1;
}
