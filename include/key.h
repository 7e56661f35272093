/* key.h - private keys: generation, PEM loading and saving (OpenSSL 3 EVP). */
#ifndef ACMECTL_KEY_H
#define ACMECTL_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/evp.h>

enum key_type {
	KEY_EC256,
	KEY_EC384,
	KEY_RSA2048,
	KEY_RSA3072,
	KEY_RSA4096,
};

/* Parses "ec256", "ec384", "rsa2048", "rsa3072", "rsa4096".
 * Returns 0, or -1 with ERR_USAGE naming the bad value. */
int key_type_parse(const char *s, enum key_type *out);

/* The name key_type_parse accepts; static string. */
const char *key_type_name(enum key_type type);

/* Generates a new key. Returns it (caller EVP_PKEY_free()s) or NULL with err set. */
EVP_PKEY *key_generate(enum key_type type);

/* Loads a private key from PEM text: PKCS#1 ("RSA PRIVATE KEY"), PKCS#8
 * ("PRIVATE KEY") or SEC1 ("EC PRIVATE KEY"). Only RSA and EC P-256/P-384
 * are accepted. `what` names the source in error messages (a path).
 * Returns the key (caller frees) or NULL with ERR_USAGE set. */
EVP_PKEY *key_from_pem(const char *pem, size_t len, const char *what);

/* Reads path and calls key_from_pem. NULL with ERR_USAGE (unreadable or bad). */
EVP_PKEY *key_load_file(const char *path);

/* Serialises the private key as PKCS#8 PEM. Returns a new buffer of *len
 * bytes (NUL-terminated); caller must release it with key_pem_free().
 * NULL with err set on failure. */
char *key_to_pem(EVP_PKEY *key, size_t *len);

/* Serialises an RSA private key as PKCS#1 PEM ("RSA PRIVATE KEY"), the form
 * cert-manager writes into its account key Secret. Returns a buffer as
 * key_to_pem() does (release with key_pem_free()), or NULL with ERR_USAGE
 * when key is not RSA. */
char *key_to_rsa_pem(EVP_PKEY *key, size_t *len);

/* Wipes and frees a buffer from key_to_pem or key_to_rsa_pem. NULL is fine. */
void key_pem_free(char *pem, size_t len);

/* True when key is of type: RSA of exactly its size, or EC on its curve. */
bool key_is_type(EVP_PKEY *key, enum key_type type);

/* True when the key is RSA. */
bool key_is_rsa(EVP_PKEY *key);

#endif
