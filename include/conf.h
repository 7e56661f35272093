/* conf.h - the acmectl.conf file: `key = value` lines for server, proxy,
 * no-proxy, ca-bundle, timeout, email, staging-servers, so cron and systemd runs keep their
 * settings without environment variables. */
#ifndef ACMECTL_CONF_H
#define ACMECTL_CONF_H

#include <stdio.h>

#include "cli.h"

#define CONF_DEFAULT_PATH "/etc/acmectl/acmectl.conf"

/* Applies the config file to cfg: cfg->config_file when given (it must
 * exist), else CONF_DEFAULT_PATH when it exists. Only settings that were not
 * given as flags are taken; strings read are kept in cfg->owned. Returns 0, or
 * -1 with ERR_USAGE naming the file and line ("FILE:LINE: unknown key \"x\"")
 * or ERR_STORAGE when the named file cannot be read, or is not a regular
 * file that belongs, with its directory, to the running user or root and is
 * writable by no one else (a sticky directory like /tmp passes). */
int conf_apply(struct config *cfg);

/* conf_apply() on a file already open as f (read to its end, not closed);
 * path names it in messages and in the sources kept in cfg. */
int conf_apply_stream(struct config *cfg, FILE *f, const char *path);

#endif
