/* conf.c - the acmectl.conf file. One "key = value" per line; blank lines and
 * lines starting with '#' are ignored; whitespace around key and value is
 * trimmed. There are no inline comments or quotes: everything after the '='
 * is the value, so a proxy password may hold a '#'. Flags win over the file:
 * a value only fills a setting that was not given on the command line. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "conf.h"
#include "err.h"
#include "fileio.h"
#include "knownca.h"
#include "proxy.h"
#include "util.h"

#define MAX_TIMEOUT_S 86400

/* Where a value was read, for messages and for the proxy explanation. */
struct place {
	const char *path;
	unsigned line;
};

struct key {
	const char *name;
	int (*apply)(struct config *, const char *, const struct place *);
};

/* Strips leading and trailing whitespace in place. */
static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Records ERR_USAGE "KEY must be WHAT (got "VALUE")" and returns -1. */
static int bad_value(const char *key, const char *what, const char *value)
{
	char *shown = str_printable(value);

	err_set(ERR_USAGE, "%s must be %s (got \"%s\")", key, what, shown);
	free(shown);
	return -1;
}

/* Keeps a copy of s in cfg->owned (freed by config_free). Borrowed result. */
static const char *keep(struct config *cfg, const char *s)
{
	size_t n = 0;

	if (cfg->owned != NULL)
		while (cfg->owned[n] != NULL)
			n++;
	cfg->owned = xrealloc(cfg->owned, (n + 2) * sizeof(*cfg->owned));
	cfg->owned[n] = xstrdup(s);
	cfg->owned[n + 1] = NULL;
	return cfg->owned[n];
}

static const char *keep_place(struct config *cfg, const struct place *at)
{
	char *s = xasprintf("%s:%u", at->path, at->line);
	const char *kept = keep(cfg, s);

	free(s);
	return kept;
}

static int apply_server(struct config *cfg, const char *value, const struct place *at)
{
	const char *url = cli_server_url(keep(cfg, value));
	char *msg;
	int rc;

	(void)at;
	/* cli's message names the flag; say it as the key */
	if (url == NULL) {
		msg = xasprintf("an https:// URL or one of %s", known_ca_names());
		rc = bad_value("server", msg, value);
		free(msg);
		return rc;
	}
	if (!cfg->server_set)
		cfg->server = url;
	return 0;
}

static int apply_proxy(struct config *cfg, const char *value, const struct place *at)
{
	if (proxy_url_check(value) == -1)
		return -1;
	if (cfg->proxy == NULL) {
		cfg->proxy = keep(cfg, value);
		cfg->proxy_source = keep_place(cfg, at);
	}
	return 0;
}

static int apply_no_proxy(struct config *cfg, const char *value, const struct place *at)
{
	if (cfg->no_proxy == NULL) {
		cfg->no_proxy = keep(cfg, value);
		cfg->no_proxy_source = keep_place(cfg, at);
	}
	return 0;
}

static int apply_ca_bundle(struct config *cfg, const char *value, const struct place *at)
{
	if (cfg->ca_bundle == NULL) {
		cfg->ca_bundle = keep(cfg, value);
		cfg->ca_bundle_source = keep_place(cfg, at);
	}
	return 0;
}

/* Servers whose certificates are for testing: a comma-separated list of
 * https:// directory URLs. */
static int apply_staging_servers(struct config *cfg, const char *value, const struct place *at)
{
	char *list = xstrdup(value), *url = list, *comma;
	int rc = 0;

	(void)at;
	/* an empty element is a typo, not "no server" */
	for (; url != NULL && rc == 0; url = comma != NULL ? comma + 1 : NULL) {
		if ((comma = strchr(url, ',')) != NULL)
			*comma = '\0';
		url = trim(url);
		if (strncmp(url, "https://", 8) != 0 || cli_server_url(url) == NULL) {
			err_clear();
			rc = bad_value("staging-servers", "a comma-separated list of https:// URLs",
			    value);
		}
	}
	free(list);
	if (rc == 0)
		cfg->staging_servers = keep(cfg, value);
	return rc;
}

static int apply_timeout(struct config *cfg, const char *value, const struct place *at)
{
	size_t len = strlen(value);
	long seconds;

	(void)at;
	/* digits only, short enough that strtol cannot overflow */
	if (len > 6 || strspn(value, "0123456789") != len ||
	    (seconds = strtol(value, NULL, 10)) < 1 || seconds > MAX_TIMEOUT_S)
		return bad_value("timeout", "a whole number of seconds from 1 to 86400", value);
	if (!cfg->timeout_set)
		cfg->timeout_s = seconds;
	return 0;
}

static int apply_dns_resolver(struct config *cfg, const char *value, const struct place *at)
{
	(void)at;
	if (cfg->dns_resolver == NULL)
		cfg->dns_resolver = keep(cfg, value);
	return 0;
}

static int apply_email(struct config *cfg, const char *value, const struct place *at)
{
	(void)at;
	if (strchr(value, '@') == NULL || strpbrk(value, " \t") != NULL)
		return bad_value("email", "an address like admin@example.org", value);
	if (cfg->email == NULL)
		cfg->email = keep(cfg, value);
	return 0;
}

static const struct key keys[] = {
	{ "server", apply_server },
	{ "proxy", apply_proxy },
	{ "no-proxy", apply_no_proxy },
	{ "ca-bundle", apply_ca_bundle },
	{ "timeout", apply_timeout },
	{ "email", apply_email },
	{ "dns-resolver", apply_dns_resolver },
	{ "staging-servers", apply_staging_servers },
};
#define NKEYS (nitems(keys))

/* One line; seen[k] is the line that set keys[k] (0: not yet). */
static int apply_line(struct config *cfg, char *line, const struct place *at, unsigned *seen)
{
	char *key, *value, *eq, *shown;
	size_t k;

	key = trim(line);
	if (*key == '\0' || *key == '#')
		return 0;
	if ((eq = strchr(key, '=')) == NULL) {
		err_set(ERR_USAGE, "expected \"key = value\"");
		return -1;
	}
	*eq = '\0';
	key = trim(key);
	value = trim(eq + 1);
	if (*key == '\0') {
		err_set(ERR_USAGE, "no key before \"=\"");
		return -1;
	}
	for (k = 0; k < NKEYS; k++)
		if (strcmp(key, keys[k].name) == 0)
			break;
	if (k == NKEYS) {
		shown = str_printable(key);
		err_set(ERR_USAGE, "unknown key \"%s\" (keys: server, proxy, no-proxy, "
		    "ca-bundle, timeout, email, staging-servers)", shown);
		free(shown);
		return -1;
	}
	if (seen[k] != 0) {
		err_set(ERR_USAGE, "\"%s\" already set on line %u", key, seen[k]);
		return -1;
	}
	seen[k] = at->line;
	if (*value == '\0') {
		err_set(ERR_USAGE, "empty value for \"%s\"", key);
		return -1;
	}
	return keys[k].apply(cfg, value, at);
}

/* Refuses the settings in f, opened from path, unless they can be trusted:
 * the file and the directory holding it belong to the running user or root
 * and are writable by no one else (file_stat_is_trusted). A sticky
 * directory such as /tmp passes, since no one else can replace a file of
 * ours there. The proxy and server a root cron job uses must not be
 * another user's to choose. 0 or -1 with ERR_STORAGE. */
static int check_trusted(const char *path, FILE *f)
{
	const char *slash = strrchr(path, '/');
	struct stat st;
	char *dir;
	int rc = -1;

	if (fstat(fileno(f), &st) == -1) {
		err_set(ERR_STORAGE, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(ERR_STORAGE, "%s: not a regular file", path);
		return -1;
	}
	if (file_check_trusted(path, &st) == -1)
		return -1;
	dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/") :
	    xstrndup(path, (size_t)(slash - path));
	if (stat(dir, &st) == -1)
		err_set(ERR_STORAGE, "%s: %s", dir, strerror(errno));
	else if ((st.st_mode & S_ISVTX) != 0 || file_check_trusted(dir, &st) == 0)
		rc = 0;
	free(dir);
	return rc;
}

int conf_apply_stream(struct config *cfg, FILE *f, const char *path)
{
	struct place at = { path, 0 };
	unsigned seen[NKEYS] = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = -1;

	while ((len = getline(&line, &cap, f)) != -1) {
		at.line++;
		if (strlen(line) != (size_t)len) {
			err_set(ERR_USAGE, "%s:%u: NUL byte in line", at.path, at.line);
			goto out;
		}
		if (apply_line(cfg, line, &at, seen) == -1) {
			err_prefix("%s:%u", at.path, at.line);
			goto out;
		}
	}
	if (ferror(f)) {
		err_set(ERR_STORAGE, "%s: %s", at.path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	/* the line may have held proxy credentials */
	if (line != NULL)
		OPENSSL_cleanse(line, cap);
	free(line);
	return rc;
}

int conf_apply(struct config *cfg)
{
	const char *path = cfg->config_file;
	FILE *f;
	int rc;

	if (path == NULL) {
		path = CONF_DEFAULT_PATH;
		if ((f = fopen(path, "r")) == NULL && errno == ENOENT)
			return 0;
	} else
		f = fopen(path, "r");
	if (f == NULL) {
		err_set(ERR_STORAGE, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = check_trusted(path, f) == 0 ? conf_apply_stream(cfg, f, path) : -1;
	fclose(f);
	return rc;
}
