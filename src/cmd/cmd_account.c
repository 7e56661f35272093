/* cmd_account.c - `acmectl account register` and `acmectl account show`,
 * and the report every account command prints. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "account.h"
#include "acme.h"
#include "cmd.h"
#include "err.h"
#include "key.h"
#include "knownca.h"
#include "proxy.h"
#include "session.h"
#include "util.h"

/* The terms of service the directory names (meta.termsOfService),
 * sanitized, or NULL when it names none. Caller frees. */
static char *terms_of_service(struct session *s)
{
	const struct acme_directory *dir = acme_directory(s->acme);
	const char *tos = json_string_value(json_object_get(dir ? dir->meta : NULL,
	    "termsOfService"));

	return tos != NULL ? str_sanitize(tos) : NULL;
}

int cmd_account_register(const struct config *cfg)
{
	struct session_opts so = cmd_session_opts(cfg);
	struct session s = { 0 };
	json_t *out = NULL;
	char *url = NULL, *tos = NULL;
	int rc = -1;

	/* before the directory is fetched: nothing is sent that must fail */
	if (known_ca_check_eab(cfg->server, cfg->eab_kid != NULL) != 0 ||
	    session_open(&s, &so) != 0)
		goto out;
	if (session_register(&s, cfg->account_key, cfg->account_key_type, cfg->email,
	    cfg->eab_kid, cfg->eab_hmac_key, cfg->eab_alg) != 0)
		goto out;
	url = str_sanitize(s.account_url);
	tos = terms_of_service(&s);
	if (cfg->json) {
		out = json_pack("{s:s,s:s,s:s?}", "url", url, "server", cfg->server,
		    "terms_of_service", tos);
		json_print(out);
	} else if (!cfg->quiet) {
		/* --agree-tos agreed to these: the user should see what they are */
		if (tos != NULL)
			printf("terms of service (agreed with --agree-tos): %s\n", tos);
		printf("account registered: %s\n", url);
	}
	session_log_stats(&s);
	rc = 0;
out:
	free(url);
	free(tos);
	json_decref(out);
	session_close(&s);
	return rc;
}

/* A JSON string (of the server's) as a new sanitized JSON string. */
static json_t *json_sanitized(json_t *str)
{
	char *safe = str_sanitize_mem(json_string_value(str), json_string_length(str));
	json_t *out = json_string(safe);

	free(safe);
	return out;
}

/* The connection settings remembered for so->server, as account show
 * prints them (a proxy's credentials never shown), into out when --json,
 * else on standard output. */
static void show_connection(const struct session_opts *so, json_t *out)
{
	json_t *conn = session_connection(so), *shown = json_object();
	const char *proxy = json_string_value(json_object_get(conn, "proxy"));
	char *redacted = proxy != NULL && proxy[0] != '\0' ? proxy_redact(proxy) : NULL;
	const char *key;
	json_t *v;

	json_object_foreach(conn, key, v)
		json_object_set(shown, key, v);
	if (redacted != NULL)
		json_object_set_new(shown, "proxy", json_string(redacted));
	if (out != NULL) {
		json_object_set(out, "remembered", shown);
	} else {
		json_object_foreach(shown, key, v) {
			if (json_is_string(v))
				printf("remembered %s: %s\n", key, json_string_value(v));
			else
				printf("remembered %s: %s\n", key, json_is_true(v) ? "yes" : "no");
		}
	}
	free(redacted);
	json_decref(shown);
	json_decref(conn);
}

int cmd_account_show(const struct config *cfg)
{
	struct session_opts so = cmd_session_opts(cfg);
	struct session s = { 0 };
	json_t *account = NULL, *out = NULL, *conn = NULL, *contact = json_array(), *got, *c;
	char *url = NULL, *status = NULL;
	size_t i;
	int rc = -1;

	/* the settings remembered for the server reach it as issue did */
	if (session_recall_connection(&so, &conn) != 0 || session_open(&s, &so) != 0)
		goto out;
	if (cfg->account_key != NULL) {
		if ((s.account_key = key_load_file(cfg->account_key)) == NULL ||
		    account_lookup(s.acme, s.account_key, &s.account_url, NULL) != 0)
			goto out;
	} else if (session_load_account(&s, true) != 0) {
		goto out;
	}
	if (account_fetch(s.acme, &account) != 0)
		goto out;
	/* the server's words: URL, contacts and status are shown sanitized */
	url = str_sanitize(s.account_url);
	status = str_sanitize(json_string_value(json_object_get(account, "status")) ?
	    json_string_value(json_object_get(account, "status")) : "unknown");
	got = json_object_get(account, "contact");
	json_array_foreach(got, i, c)
		if (json_is_string(c))
			json_array_append_new(contact, json_sanitized(c));
	if (cfg->json) {
		out = json_pack("{s:s,s:s,s:O,s:s}", "url", url, "server", cfg->server,
		    "contact", contact, "status", status);
		show_connection(&so, out);
		json_print(out);
	} else {
		printf("url:     %s\nserver:  %s\ncontact:", url, cfg->server);
		json_array_foreach(contact, i, c)
			printf(" %s", json_string_value(c));
		printf("\nstatus:  %s\n", status);
		show_connection(&so, NULL);
	}
	session_log_stats(&s);
	rc = 0;
out:
	free(url);
	free(status);
	json_decref(contact);
	json_decref(out);
	json_decref(account);
	session_close(&s);
	json_decref(conn);
	return rc;
}

void cmd_account_report(const struct config *cfg, const char *url, const char *status,
    json_t *contact, const char *line)
{
	json_t *out;

	if (cfg->json) {
		out = json_pack("{s:s,s:s,s:o}", "url", url, "status", status, "contact",
		    json_is_array(contact) ? json_incref(contact) : json_array());
		json_print(out);
		json_decref(out);
	} else if (!cfg->quiet) {
		printf("%s\n", line);
	}
}
