/* cli_int.h - what cli.c (the command line's two passes) and cli_values.c
 * (each option's VALUE checked and stored) share; private to src/cmd/. */
#ifndef ACMECTL_CLI_INT_H
#define ACMECTL_CLI_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

#define DEFAULT_TIMEOUT_S 30
#define DIAGNOSE_STEP_TIMEOUT_S 5
#define MAX_TIMEOUT_S 86400
#define DEFAULT_DEADLINE_S 300

struct optspec;
typedef int (*setter)(struct config *, const struct optspec *, const char *);

struct optspec {
	const char *name;     /* as typed: "--server", "-v" */
	bool takes_value;
	bool empty_ok;        /* an empty VALUE is meaningful */
	unsigned int cmds;    /* ON_* bits */
	enum command meta;    /* CMD_HELP/CMD_VERSION: wins wherever it stands */
	setter set;           /* NULL for meta options */
	size_t field;         /* offset of the member opt_str/opt_flag write */
};

/* The setters of the option table: each checks VALUE (NULL for a switch)
 * for spec->name and stores it in cfg, borrowing VALUE from argv. 0, or -1
 * with ERR_USAGE naming the option and what it takes. opt_str and opt_flag
 * write the member at spec->field; the others know their member. */
int opt_str(struct config *cfg, const struct optspec *spec, const char *value);
int opt_flag(struct config *cfg, const struct optspec *spec, const char *value);
int opt_server(struct config *cfg, const struct optspec *spec, const char *value);
int opt_staging(struct config *cfg, const struct optspec *spec, const char *value);
int opt_state_dir(struct config *cfg, const struct optspec *spec, const char *value);
int opt_timeout(struct config *cfg, const struct optspec *spec, const char *value);
int opt_verbose(struct config *cfg, const struct optspec *spec, const char *value);
int opt_proxy_rules(struct config *cfg, const struct optspec *spec, const char *value);
int opt_key_type(struct config *cfg, const struct optspec *spec, const char *value);
int opt_eab_alg(struct config *cfg, const struct optspec *spec, const char *value);
int opt_proxy(struct config *cfg, const struct optspec *spec, const char *value);
int opt_dns_wait(struct config *cfg, const struct optspec *spec, const char *value);
int opt_number(struct config *cfg, const struct optspec *spec, const char *value);
int opt_reason(struct config *cfg, const struct optspec *spec, const char *value);
int opt_name(struct config *cfg, const struct optspec *spec, const char *value);
int opt_kind(struct config *cfg, const struct optspec *spec, const char *value);
int opt_listen_addr(struct config *cfg, const struct optspec *spec, const char *value);
int opt_dry_run_server(struct config *cfg, const struct optspec *spec, const char *value);

#endif
