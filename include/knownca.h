/* knownca.h - the public ACME CAs acmectl knows by name (--server
 * letsencrypt, zerossl, ...): their directory URLs, which of them are
 * staging directories, and which need an external account binding. Pure. */
#ifndef ACMECTL_KNOWNCA_H
#define ACMECTL_KNOWNCA_H

#include <stdbool.h>

/* One well-known CA; static. */
struct known_ca {
	const char *name;         /* as given to --server: "letsencrypt" */
	const char *url;          /* its ACME directory */
	bool staging;             /* certificates only for testing */
	bool needs_eab;           /* newAccount needs --eab-kid/--eab-hmac-key */
};

/* The CA called name (exactly, lowercase), or NULL. Static. */
const struct known_ca *known_ca_by_name(const char *name);

/* The CA whose directory is url (compared exactly), or NULL. Static. */
const struct known_ca *known_ca_by_url(const char *url);

/* The names, "letsencrypt, letsencrypt-staging, ...", for messages. Static. */
const char *known_ca_names(void);

/* Refuses, before anything is sent, to register an account at the
 * directory url without an external account binding (have_eab false) when
 * the well-known CA there requires one. 0, or -1 with ERR_USAGE naming the
 * CA and the flags to give. */
int known_ca_check_eab(const char *url, bool have_eab);

#endif
