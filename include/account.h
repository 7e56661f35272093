/* account.h - ACME accounts (RFC 8555 section 7.3). */
#ifndef ACMECTL_ACCOUNT_H
#define ACMECTL_ACCOUNT_H

#include <jansson.h>
#include <openssl/evp.h>

#include "acme.h"

/* External account binding parameters; all borrowed. */
struct eab {
	const char *kid;
	const char *hmac_key_b64url;
	const char *alg;          /* HS256, HS384 or HS512 */
};

/* Registers key (agreeing to the terms) with optional contact email and
 * EAB; an existing account for the key is returned as is (HTTP 200).
 * Stores the account URL in *url (caller frees) and the account object in
 * *account (new reference; may be NULL). Sets it as a's account. Returns 0,
 * or -1 with err set. */
int account_register(struct acme *a, EVP_PKEY *key, const char *email,
    const struct eab *eab, char **url, json_t **account);

/* Finds the account URL of key with onlyReturnExisting. Same outputs as
 * account_register. -1 with ERR_ACME (accountDoesNotExist) when the key has
 * no account at this server. */
int account_lookup(struct acme *a, EVP_PKEY *key, char **url, json_t **account);

/* POST-as-GETs the account a is set to. *account: new reference.
 * Returns 0 or -1 with err set. */
int account_fetch(struct acme *a, json_t **account);

#endif
