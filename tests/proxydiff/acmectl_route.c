/* acmectl_route.c - acmectl's own route decision (proxy_decide()) for each
 * case of gen_cases.py, under Go rules and under curl rules.
 *
 * Usage: acmectl_route < CASES > RESULTS
 *
 * The case's variables reach the decision through the settings' lookup
 * function, as the process environment does in acmectl. Each result line
 * is "ID<TAB>GO<TAB>CURL", each route one of "direct", "via PROXY" (the
 * proxy as shown, credentials as "***") or "refused REASON".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "proxy.h"

#define MAX_VARS 16

struct env {
	const char *name[MAX_VARS];
	const char *value[MAX_VARS];
	size_t n;
};

static const char *env_lookup(void *arg, const char *name)
{
	const struct env *e = arg;

	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->name[i], name) == 0)
			return e->value[i];
	return NULL;
}

static void print_route(const char *url, struct proxy_settings *s, enum proxy_rules rules)
{
	struct proxy_route r;

	if (proxy_decide(url, s, rules, &r) == -1) {
		printf("refused %s", err_message());
		err_clear();
		return;
	}
	switch (r.kind) {
	case PROXY_DIRECT:
		printf("direct");
		break;
	case PROXY_VIA:
		printf("via %s", r.proxy_shown);
		break;
	case PROXY_REFUSED:
		printf("refused %s", r.reason);
		break;
	}
	proxy_route_clear(&r);
}

int main(void)
{
	char *line = NULL, *field, *save = NULL, *id, *url, *eq;
	size_t cap = 0;
	struct env e;
	struct proxy_settings s;

	while (getline(&line, &cap, stdin) != -1) {
		line[strcspn(line, "\n")] = '\0';
		memset(&e, 0, sizeof(e));
		if ((id = strtok_r(line, "\t", &save)) == NULL ||
		    (url = strtok_r(NULL, "\t", &save)) == NULL)
			continue;
		while ((field = strtok_r(NULL, "\t", &save)) != NULL && e.n < MAX_VARS)
			if ((eq = strchr(field, '=')) != NULL) {
				*eq = '\0';
				e.name[e.n] = field;
				e.value[e.n++] = eq + 1;
			}
		memset(&s, 0, sizeof(s));
		s.getenv = env_lookup;
		s.getenv_arg = &e;
		printf("%s\t", id);
		print_route(url, &s, PROXY_RULES_GO);
		printf("\t");
		print_route(url, &s, PROXY_RULES_CURL);
		printf("\n");
		proxy_settings_clear(&s);
	}
	free(line);
	return 0;
}
