/* account.c - ACME account registration, lookup and retrieval. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "account.h"
#include "b64url.h"
#include "err.h"
#include "jws.h"
#include "util.h"

/* POSTs payload to newAccount signed with key's jwk and takes the account
 * URL from Location. Outputs as account_register. */
static int new_account(struct acme *a, EVP_PKEY *key, const char *what,
    json_t *payload, char **url, json_t **account)
{
	const struct acme_directory *dir = acme_directory(a);
	struct acme_reply r = { 0 };
	char *body = NULL;
	int rc = -1;

	acme_set_account(a, key, NULL);
	body = json_dumps(payload, JSON_COMPACT);
	if (acme_post(a, what, dir->new_account, body, true, &r) != 0)
		goto out;
	if (r.location == NULL) {
		err_set(ERR_ACME, "%s: the server sent no account URL (Location)", what);
		goto out;
	}
	acme_set_account(a, key, r.location);
	*url = xstrdup(r.location);
	if (account != NULL)
		*account = r.json ? json_incref(r.json) : NULL;
	rc = 0;
out:
	free(body);
	acme_reply_clear(&r);
	return rc;
}

/* Builds "mailto:" + email, lowercased as cert-manager and certbot do. */
static char *mailto(const char *email)
{
	char *s = xasprintf("mailto:%s", email);

	for (char *p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

int account_register(struct acme *a, EVP_PKEY *key, const char *email,
    const struct eab *eab, char **url, json_t **account)
{
	json_t *payload = json_object(), *jwk = NULL, *binding = NULL;
	unsigned char *mac = NULL;
	size_t maclen = 0;
	char *contact;
	int rc = -1;

	json_object_set_new(payload, "termsOfServiceAgreed", json_true());
	if (email != NULL) {
		contact = mailto(email);
		json_object_set_new(payload, "contact", json_pack("[s]", contact));
		free(contact);
	}
	if (eab != NULL && eab->kid != NULL) {
		if ((mac = b64url_decode(eab->hmac_key_b64url, &maclen)) == NULL || maclen == 0) {
			err_set(ERR_USAGE, "--eab-hmac-key is not base64url");
			goto out;
		}
		if ((jwk = jws_jwk(key)) == NULL)
			goto out;
		binding = jws_eab(eab->alg ? eab->alg : "HS256", eab->kid, mac, maclen,
		    jwk, acme_directory(a)->new_account);
		if (binding == NULL)
			goto out;
		json_object_set_new(payload, "externalAccountBinding", binding);
	}
	rc = new_account(a, key, "register account", payload, url, account);
out:
	if (mac != NULL)
		OPENSSL_clear_free(mac, maclen);
	json_decref(jwk);
	json_decref(payload);
	return rc;
}

int account_lookup(struct acme *a, EVP_PKEY *key, char **url, json_t **account)
{
	json_t *payload = json_pack("{s:b}", "onlyReturnExisting", 1);
	int rc;

	rc = new_account(a, key, "look up account", payload, url, account);
	json_decref(payload);
	return rc;
}

int account_fetch(struct acme *a, json_t **account)
{
	struct acme_reply r = { 0 };

	if (acme_post(a, "fetch account", acme_kid(a), NULL, false, &r) != 0)
		return -1;
	if (!json_is_object(r.json)) {
		err_set(ERR_ACME, "fetch account: %s did not answer with a JSON object", acme_kid(a));
		acme_reply_clear(&r);
		return -1;
	}
	*account = json_incref(r.json);
	acme_reply_clear(&r);
	return 0;
}

/* POSTs payload to the account URL of a. *account: the JSON object
 * answered (new reference) or NULL. 0 or -1 with err set. */
static int post_account(struct acme *a, const char *what, json_t *payload, json_t **account)
{
	struct acme_reply r = { 0 };
	char *body = json_dumps(payload, JSON_COMPACT);
	int rc = -1;

	if (acme_kid(a) == NULL) {
		err_set(ERR_USAGE, "%s: no account URL known", what);
		goto out;
	}
	if (acme_post(a, what, acme_kid(a), body, false, &r) != 0)
		goto out;
	*account = json_is_object(r.json) ? json_incref(r.json) : NULL;
	rc = 0;
out:
	acme_reply_clear(&r);
	free(body);
	return rc;
}

int account_update_contact(struct acme *a, const char *email, json_t **account)
{
	char *contact = mailto(email);
	json_t *payload = json_pack("{s:[s]}", "contact", contact);
	int rc;

	rc = post_account(a, "update account", payload, account);
	if (rc == 0 && !json_is_array(json_object_get(*account, "contact"))) {
		if (*account == NULL)
			*account = json_object();
		json_object_set(*account, "contact", json_object_get(payload, "contact"));
	}
	json_decref(payload);
	free(contact);
	return rc;
}

int account_deactivate(struct acme *a, json_t **account)
{
	json_t *payload = json_pack("{s:s}", "status", "deactivated");
	int rc;

	rc = post_account(a, "deactivate account", payload, account);
	json_decref(payload);
	return rc;
}

int account_key_change(struct acme *a, EVP_PKEY *old_key, EVP_PKEY *new_key)
{
	const char *url = acme_directory(a)->key_change;
	json_t *jwk = NULL, *payload = NULL, *inner = NULL;
	struct acme_reply r = { 0 };
	char *kid = NULL, *inner_payload = NULL, *body = NULL;
	int rc = -1;

	if (url == NULL) {
		err_set(ERR_ACME, "account rollover: the server offers no keyChange");
		goto out;
	}
	if (acme_kid(a) == NULL) {
		err_set(ERR_USAGE, "account rollover: no account URL known");
		goto out;
	}
	/* acme_set_account frees the kid it holds, so keep a copy */
	kid = xstrdup(acme_kid(a));
	if (EVP_PKEY_eq(old_key, new_key) == 1) {
		err_set(ERR_USAGE, "account rollover: the new key is the current account key");
		goto out;
	}
	if ((jwk = jws_jwk(old_key)) == NULL)
		goto out;
	payload = json_pack("{s:s,s:O}", "account", kid, "oldKey", jwk);
	inner_payload = json_dumps(payload, JSON_COMPACT);
	/* the inner JWS names the same URL as the outer one (RFC 8555 7.3.5) */
	if ((inner = jws_sign_inner(new_key, url, inner_payload)) == NULL)
		goto out;
	body = json_dumps(inner, JSON_COMPACT);
	if (acme_post(a, "account rollover", url, body, false, &r) != 0)
		goto out;
	acme_set_account(a, new_key, kid);
	rc = 0;
out:
	acme_reply_clear(&r);
	free(body);
	json_decref(inner);
	free(inner_payload);
	json_decref(payload);
	json_decref(jwk);
	free(kid);
	return rc;
}
