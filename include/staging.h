/* staging.h - which ACME servers and certificates are only for testing:
 * the well-known CAs' staging directories, the servers the config file names in
 * staging-servers, and certificates whose issuer's CN starts with
 * "(STAGING)" (as Let's Encrypt's staging issuers' do); and the staging
 * counterpart of a server, which --dry-run uses. Pure. */
#ifndef ACMECTL_STAGING_H
#define ACMECTL_STAGING_H

#include <stdbool.h>

/* Let's Encrypt's directories: --server's default and its staging one. */
#define LETSENCRYPT_URL "https://acme-v02.api.letsencrypt.org/directory"
#define LETSENCRYPT_STAGING_URL "https://acme-staging-v02.api.letsencrypt.org/directory"

/* True when url is a known staging directory: a well-known CA's staging
 * one (Let's Encrypt's, Buypass's test4, Google's; knownca.h), or one of
 * configured (the config file's comma-separated staging-servers
 * list, elements trimmed; NULL when not set), compared exactly. */
bool staging_server(const char *url, const char *configured);

/* True when the last CN of issuer (a one-line DN, "/O=.../CN=...") starts
 * with "(STAGING)". NULL is false. */
bool staging_issuer(const char *issuer);

/* The staging directory that goes with url (Let's Encrypt's production
 * directory -> its staging one; a staging directory -> itself), or NULL
 * when none is known. Static or borrowed from url. */
const char *staging_counterpart(const char *url, const char *configured);

#endif
