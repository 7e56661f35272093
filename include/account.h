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

/* Replaces the contact list of the account a is set to with the one
 * address "mailto:" + email (lowercased, as account_register does).
 * *account: the updated account object (new reference); when the server
 * answers without a contact array, one holding the contact sent. Returns 0,
 * or -1 with err set. */
int account_update_contact(struct acme *a, const char *email, json_t **account);

/* Deactivates the account a is set to (RFC 8555 7.3.6): the server will
 * refuse every later request signed for it. *account: the account object
 * the server answered with (new reference), or NULL when it sent none.
 * Returns 0, or -1 with err set. */
int account_deactivate(struct acme *a, json_t **account);

/* Rolls the account a is set to over to new_key (RFC 8555 7.3.5): the outer
 * JWS is signed by old_key, the key a signs with now (kid), the inner one
 * {account, oldKey} by new_key. Both keys borrowed. On success a signs with
 * new_key from then on (it must outlive its use). Returns 0, or -1 with err
 * set: ERR_USAGE when new_key is old_key, ERR_ACME when the server offers no
 * keyChange or refuses (its problem; HTTP 409 when new_key already belongs
 * to an account), ERR_NETWORK when no answer came (the server may or may not
 * have switched then). */
int account_key_change(struct acme *a, EVP_PKEY *old_key, EVP_PKEY *new_key);

#endif
