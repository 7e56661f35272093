/* resolv.c - resolv.conf parsing and the resolver's search order (see
 * resolv.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "resolv.h"
#include "util.h"

#define FIELD_SEPARATORS " \t\r"
#define MAX_NAME 254         /* longest absolute name, trailing dot included */
#define MAX_FILE (64 * 1024) /* far beyond any real resolv.conf */

/* The C library's atoi on the digits after an option's colon, clamped to
 * [lo, hi]; garbage or a sign reads as 0 like Go's resolver does. */
static int option_value(const char *s, int lo, int hi)
{
	long n = 0;

	while (*s >= '0' && *s <= '9' && n <= hi) {
		n = n * 10 + (*s - '0');
		s++;
	}
	if (n < lo)
		return lo;
	return n > hi ? hi : (int)n;
}

/* True when s is an IPv4 or IPv6 literal (an IPv6 zone "%eth0" allowed). */
static bool is_ip_literal(const char *s)
{
	unsigned char buf[16];
	char *copy, *zone;
	bool ok;

	if (inet_pton(AF_INET, s, buf) == 1)
		return true;
	copy = xstrdup(s);
	if ((zone = strchr(copy, '%')) != NULL)
		*zone = '\0';
	ok = inet_pton(AF_INET6, copy, buf) == 1;
	free(copy);
	return ok;
}

static void free_search(struct resolv_conf *conf)
{
	for (size_t i = 0; i < conf->nsearch; i++)
		free(conf->search[i]);
	free(conf->search);
	conf->search = NULL;
	conf->nsearch = 0;
}

/* Replaces the search list with the nfields domains in fields; a trailing
 * dot is dropped and the root domain skipped. */
static void set_search(struct resolv_conf *conf, char **fields, size_t nfields)
{
	free_search(conf);
	conf->search = xcalloc(nfields, sizeof(*conf->search));
	for (size_t i = 0; i < nfields; i++) {
		size_t len = strlen(fields[i]);

		if (len > 0 && fields[i][len - 1] == '.')
			len--;
		if (len == 0)
			continue;
		conf->search[conf->nsearch++] = xstrndup(fields[i], len);
	}
}

static void apply_options(struct resolv_conf *conf, char **fields, size_t nfields)
{
	for (size_t i = 0; i < nfields; i++) {
		const char *o = fields[i];

		if (strncmp(o, "ndots:", 6) == 0)
			conf->ndots = option_value(o + 6, 0, RESOLV_MAXNDOTS);
		else if (strncmp(o, "timeout:", 8) == 0)
			conf->timeout_s = option_value(o + 8, 1, RESOLV_MAXTIMEOUT);
		else if (strncmp(o, "attempts:", 9) == 0)
			conf->attempts = option_value(o + 9, 1, RESOLV_MAXATTEMPTS);
		else if (strcmp(o, "rotate") == 0)
			conf->rotate = true;
		else if (strcmp(o, "single-request") == 0 ||
		    strcmp(o, "single-request-reopen") == 0)
			conf->single_request = true;
		else if (strcmp(o, "use-vc") == 0 || strcmp(o, "usevc") == 0 ||
		    strcmp(o, "tcp") == 0)
			conf->use_vc = true;
		/* Go: no upper bound, but its digit reader stops at RESOLV_GO_BIG */
		if (strncmp(o, "timeout:", 8) == 0)
			conf->go_timeout_s = option_value(o + 8, 1, RESOLV_GO_BIG);
		else if (strncmp(o, "attempts:", 9) == 0)
			conf->go_attempts = option_value(o + 9, 1, RESOLV_GO_BIG);
	}
}

/* Applies one line (modified in place). */
static void parse_line(struct resolv_conf *conf, char *line)
{
	char *fields[64], *save = NULL, *tok;
	size_t n = 0;

	/* glibc matches keywords at the start of the line only, so a comment
	 * or an indented line changes nothing. */
	if (line[0] == '#' || line[0] == ';' || line[0] == ' ' || line[0] == '\t')
		return;
	for (tok = strtok_r(line, FIELD_SEPARATORS, &save); tok != NULL && n < 64;
	    tok = strtok_r(NULL, FIELD_SEPARATORS, &save))
		fields[n++] = tok;
	if (n < 2)
		return;  /* a keyword without arguments changes nothing */
	if (strcmp(fields[0], "nameserver") == 0) {
		if (conf->nnameservers < RESOLV_MAXNS && is_ip_literal(fields[1]))
			conf->nameservers[conf->nnameservers++] = xstrdup(fields[1]);
	} else if (strcmp(fields[0], "search") == 0) {
		set_search(conf, fields + 1, n - 1);
	} else if (strcmp(fields[0], "domain") == 0) {
		set_search(conf, fields + 1, 1);
	} else if (strcmp(fields[0], "options") == 0) {
		apply_options(conf, fields + 1, n - 1);
	}
}

void resolv_parse(const char *text, struct resolv_conf *conf)
{
	char *copy, *line, *save = NULL;

	memset(conf, 0, sizeof(*conf));
	conf->ndots = 1;
	conf->timeout_s = 5;
	conf->attempts = 2;
	conf->go_timeout_s = 5;
	conf->go_attempts = 2;
	if (text == NULL)
		return;
	copy = xstrdup(text);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		parse_line(conf, line);
	free(copy);
}

int resolv_load(const char *path, struct resolv_conf *conf)
{
	FILE *f;
	char *buf = NULL;
	size_t len;
	int rc = -1;

	resolv_parse(NULL, conf);
	if ((f = fopen(path, "r")) == NULL) {
		err_set(ERR_USAGE, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = xmalloc(MAX_FILE + 1);
	len = fread(buf, 1, MAX_FILE, f);
	if (ferror(f)) {
		err_set(ERR_USAGE, "%s: read error", path);
		goto out;
	}
	buf[len] = '\0';
	resolv_parse(buf, conf);
	rc = 0;
out:
	free(buf);
	fclose(f);
	return rc;
}

void resolv_conf_free(struct resolv_conf *conf)
{
	if (conf == NULL)
		return;
	for (size_t i = 0; i < conf->nnameservers; i++)
		free(conf->nameservers[i]);
	free_search(conf);
	memset(conf, 0, sizeof(*conf));
}

/* Appends candidate "name." or "name.domain." when it fits. */
static void add_candidate(struct resolv_candidate *c, size_t *n,
    const char *name, const char *domain)
{
	char *fqdn = domain ? xasprintf("%s.%s.", name, domain) : xasprintf("%s.", name);

	if (strlen(fqdn) > MAX_NAME) {
		free(fqdn);
		return;
	}
	c[*n].fqdn = fqdn;
	c[*n].domain = domain ? xstrdup(domain) : NULL;
	(*n)++;
}

struct resolv_candidate *resolv_candidates(const char *name,
    const struct resolv_conf *conf, size_t *n)
{
	struct resolv_candidate *c;
	size_t len = name ? strlen(name) : 0, dots = 0;
	bool as_is_first;

	c = xcalloc(1 + conf->nsearch, sizeof(*c));
	*n = 0;
	if (len == 0 || len > MAX_NAME || (len == MAX_NAME && name[len - 1] != '.'))
		return c;
	if (name[len - 1] == '.') {
		c[0].fqdn = xstrdup(name);
		*n = 1;
		return c;
	}
	for (size_t i = 0; i < len; i++)
		dots += name[i] == '.';
	as_is_first = dots >= (size_t)conf->ndots;
	if (as_is_first)
		add_candidate(c, n, name, NULL);
	for (size_t i = 0; i < conf->nsearch; i++)
		add_candidate(c, n, name, conf->search[i]);
	if (!as_is_first)
		add_candidate(c, n, name, NULL);
	return c;
}

void resolv_candidates_free(struct resolv_candidate *c, size_t n)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(c[i].fqdn);
		free(c[i].domain);
	}
	free(c);
}

long resolv_first_answer(const struct resolv_candidate *c, size_t n,
    resolv_lookup_fn lookup, void *arg, bool *tempfail)
{
	bool failed = false;
	long found = -1;

	for (size_t i = 0; i < n; i++) {
		enum resolv_answer a = lookup(c[i].fqdn, arg);

		if (a == RESOLV_FOUND) {
			found = (long)i;
			break;
		}
		if (a == RESOLV_TEMPFAIL)
			failed = true;
	}
	if (tempfail != NULL)
		*tempfail = failed;
	return found;
}
