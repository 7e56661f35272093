/* fuzz_conf.c - the config file (/etc/acmectl/acmectl.conf, --config),
 * applied over a command line as acmectl does. */
#include "config.h"

#include <stdio.h>

#include "cli.h"
#include "conf.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[] = { "acmectl", "--state-dir", "/nonexistent", "list", NULL };
	struct config cfg;
	FILE *f;

	if (cli_parse(4, argv, &cfg) == 0 &&
	    (f = fmemopen((void *)data, size, "r")) != NULL) {
		(void)conf_apply_stream(&cfg, f, "fuzz.conf");
		fclose(f);
	}
	config_free(&cfg);
	err_clear();
	return 0;
}
