/* proxy_settings.c - what the route decision reads: acmectl's flags and
 * config file values, the rule set, the environment (the process's, read
 * by proxy_settings_read() only, or one handed over as strings) and the
 * proxy credentials file. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <openssl/crypto.h>

#include "err.h"
#include "proxy_int.h"
#include "util.h"

int proxy_rules_parse(const char *name, enum proxy_rules *rules)
{
	char *shown;

	if (name == NULL || strcmp(name, "go") == 0)
		*rules = PROXY_RULES_GO;
	else if (strcmp(name, "curl") == 0)
		*rules = PROXY_RULES_CURL;
	else {
		shown = str_printable(name);
		err_set(ERR_USAGE, "--proxy-rules must be go or curl (got \"%s\")", shown);
		free(shown);
		return -1;
	}
	return 0;
}

const char *proxy_rules_name(enum proxy_rules rules)
{
	switch (rules) {
	case PROXY_RULES_GO:
		return "go";
	case PROXY_RULES_GO115:
		return "go<=1.15";
	case PROXY_RULES_CURL:
		return "curl";
	}
	return "?";
}

int proxy_settings_init(struct proxy_settings *s, const struct proxy_flags *f)
{
	memset(s, 0, sizeof(*s));
	if (proxy_rules_parse(f->rules, &s->rules) == -1)
		return -1;
	if (f->proxy_source != NULL) {
		s->conf_proxy = f->proxy;
		s->conf_proxy_source = f->proxy_source;
	} else
		s->flag_proxy = f->proxy;
	if (f->no_proxy_source != NULL) {
		s->conf_no_proxy = f->no_proxy;
		s->conf_no_proxy_source = f->no_proxy_source;
	} else
		s->flag_no_proxy = f->no_proxy;
	s->no_env_proxy = f->no_env_proxy;
	return 0;
}

void proxy_settings_clear(struct proxy_settings *s)
{
	if (s->handed != NULL)
		for (char **p = s->handed; *p != NULL; p++)
			OPENSSL_cleanse(*p, strlen(*p));
	strv_free(s->handed);
	secret_free(s->auth_read);
	memset(s, 0, sizeof(*s));
}

static const char *process_getenv(void *arg, const char *name)
{
	(void)arg;
	return getenv(name);
}

/* The value of name in the "NAME=VALUE" strings of arg; the first wins. */
static const char *strings_getenv(void *arg, const char *name)
{
	size_t len = strlen(name);

	for (char *const *p = arg; *p != NULL; p++)
		if (strncmp(*p, name, len) == 0 && (*p)[len] == '=')
			return *p + len + 1;
	return NULL;
}

void proxy_settings_use_env(struct proxy_settings *s, char *const *env)
{
	s->getenv = strings_getenv;
	s->getenv_arg = (void *)env;
}

/* The first line of path ("user:pass"), without its line end. Caller
 * wipes and frees; NULL with ERR_STORAGE or ERR_USAGE. */
static char *read_auth_file(const char *path)
{
	FILE *f;
	char *line = NULL, *out = NULL;
	size_t cap = 0;
	ssize_t len;

	if ((f = fopen(path, "r")) == NULL) {
		err_set(ERR_STORAGE, "%s: %s", path, strerror(errno));
		return NULL;
	}
	len = getline(&line, &cap, f);
	if (len == -1 && ferror(f)) {
		err_set(ERR_STORAGE, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (len == -1)
		len = 0;
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if (len == 0 || strlen(line) != (size_t)len) {
		err_set(ERR_USAGE, "%s: expected one line \"user:password\"", path);
		goto out;
	}
	out = xstrdup(line);
out:
	if (line != NULL)
		OPENSSL_cleanse(line, cap);
	free(line);
	fclose(f);
	return out;
}

int proxy_settings_read(struct proxy_settings *s, const struct proxy_flags *f)
{
	if (proxy_settings_init(s, f) == -1)
		return -1;
	s->getenv = process_getenv;
	if (f->auth_file != NULL) {
		if ((s->auth_read = read_auth_file(f->auth_file)) == NULL)
			return -1;
		s->auth = s->auth_read;
	}
	return 0;
}
