/* diagnose.c - placeholder until `acmectl diagnose` lands. */
#include "config.h"

#include "cmd.h"
#include "err.h"

int cmd_diagnose(const struct config *cfg)
{
	(void)cfg;
	err_set(ERR_USAGE, "diagnose is not built yet");
	return -1;
}
