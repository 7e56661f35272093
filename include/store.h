/* store.h - the state directory: layout, atomic writes, modes.
 *
 * Layout (certbot's file names):
 *   STATE/accounts/<host[_port]>/key.pem       0600
 *   STATE/accounts/<host[_port]>/account.json  {url, directory, contact, created}
 *   STATE/accounts/<host[_port]>/directory.json {url, fetched, directory}: the
 *                                  CA's directory as fetched then, used for 24 h
 *   STATE/certs/NAME -> ../archive/NAME/<generation>   (symlink, swapped atomically)
 *   STATE/archive/NAME/<generation>/{privkey.pem 0600, cert.pem, chain.pem,
 *                                    fullchain.pem, issuance.json, ari.json}
 *   STATE/lock                                  flock of renew runs
 *   STATE/renew-digest                          0600, what renew last read of each
 *                                  certificate, keyed by its files' stat
 *                                  (store_digest.h); a cache, never needed
 * issuance.json says how the certificate was issued (and its remembered
 * hooks, and "revoked" once revoked); ari.json holds the CA's renewal window
 * and when to ask again (RFC 9773).
 * A certificate is replaced by writing a new generation directory in full
 * (fsynced) and then renaming a new symlink over STATE/certs/NAME, so readers
 * always see one complete, matching set; the previous generation is kept.
 *
 * Trust: issuance.json holds commands that `renew` runs (as root, from
 * cron), so the state is used only while nobody else could have planted
 * anything in it. STATE, accounts/, certs/, archive/, every directory on the
 * way to a certificate's or an account's files and issuance.json itself
 * must belong to the running user or root and be writable by no one else
 * (file_stat_is_trusted); inside STATE a symlink is never followed where a
 * directory or file is kept, except certs/NAME, and that only when it reads
 * exactly ../archive/NAME/<generation>, the link acmectl itself makes.
 * Anything else is refused with ERR_STORAGE (exit 4) naming the path and
 * its owner and mode, before anything is read from it or written into it.
 * STATE itself may be a symlink the administrator made (its target is
 * checked).
 */
#ifndef ACMECTL_STORE_H
#define ACMECTL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>

/* The default state directory: /var/lib/acmectl for root, else
 * $XDG_STATE_HOME/acmectl (when absolute) or ~/.local/state/acmectl.
 * Caller frees; NULL with ERR_STORAGE when no home directory is known. */
char *store_default_dir(void);

/* The account directory name for an ACME directory URL: its host, plus
 * "_PORT" when a port other than the scheme's default is given
 * ("localhost_14000"). The host is lowercased, userinfo dropped, and an IPv6
 * literal has ':' replaced by '-' ("[::1]:14000" -> "--1_14000"). Caller
 * frees; NULL with ERR_USAGE when the URL has no host, a bad port, or a host
 * that is not safe as a file name. */
char *store_account_id(const char *directory_url);

/* Refuses the state directory unless it can be trusted (see "Trust"
 * above): STATE, and accounts/, certs/ and archive/ where they exist. What
 * does not exist yet passes. 0 or -1 with ERR_STORAGE naming the path, its
 * owner and mode. store_save_cert, store_list_certs, store_lock,
 * store_check_account and store_check_cert (so store_load_issuance) call
 * it; session_open_local calls store_check_account. */
int store_check(const char *state);

/* store_check, and the same for STATE/accounts/ID (a directory, not a
 * symlink, when it exists). 0 or -1 with ERR_STORAGE. */
int store_check_account(const char *state, const char *id);

/* store_check, and the same for every step to certificate NAME's
 * issuance.json: certs/NAME (a symlink that reads exactly
 * ../archive/NAME/<generation>, or a directory made by hand), archive/NAME,
 * the generation directory, and issuance.json (a regular file). A
 * certificate that does not exist passes. 0 or -1 with ERR_STORAGE
 * (ERR_USAGE for a NAME that is not a plain file name). */
int store_check_cert(const char *state, const char *name);

/* Creates path and missing parents with mode. 0 or -1 with ERR_STORAGE. */
int store_mkdirs(const char *path, mode_t mode);

/* Writes data to path atomically: a temp file in the same directory created
 * with O_EXCL|O_NOFOLLOW and mode, written, fsynced, renamed over path, and
 * the directory fsynced. The mode is applied whatever the umask. On failure
 * the temp file is removed and path is untouched. 0 or -1 with ERR_STORAGE
 * naming the path and errno. A symlink at path is replaced, not followed.
 * Once renamed, a directory that cannot be fsynced is only logged. */
int store_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* One piece of a file's contents. */
struct store_part {
	const void *data;
	size_t len;
};

/* Gives the next part of a file being written into *part and true, or
 * false after the last one. */
typedef bool (*store_next_part)(void *ctx, struct store_part *part);

/* store_write_atomic of the parts next(ctx) gives, one after the other,
 * without holding them all in memory at once. */
int store_write_atomic_from(const char *path, store_next_part next, void *ctx, mode_t mode);

/* Creates path, which must not exist yet, holding data: opened with
 * O_CREAT|O_EXCL|O_NOFOLLOW and mode (applied whatever the umask), written,
 * fsynced, and its directory fsynced. On failure nothing is left at path
 * unless something was there before. 0, or -1 with ERR_STORAGE naming the
 * path and errno; errno is EEXIST when path already existed (a symlink
 * counts, and is never followed). */
int store_write_new(const char *path, const void *data, size_t len, mode_t mode);

/* Writes doc as indented JSON with sorted keys and a final newline to path
 * with store_write_atomic (the one form of every JSON file in the state).
 * 0 or -1 with ERR_STORAGE. */
int store_write_json(const char *path, json_t *doc, mode_t mode);

/* Reads a whole file. Returns a new NUL-terminated buffer (caller frees) with
 * its length in *len (may be NULL), or NULL with ERR_STORAGE; when the file
 * does not exist, NULL with errno == ENOENT and ERR_STORAGE set. */
char *store_read_file(const char *path, size_t *len);

/* One issued certificate, all PEM text, borrowed. */
struct store_cert {
	const char *privkey;  size_t privkey_len;   /* written 0600; NULL with --csr (the key is the user's) */
	const char *cert;                           /* leaf */
	const char *chain;                          /* issuers */
	const char *fullchain;                      /* cert + chain */
	json_t *issuance;                           /* how it was issued; borrowed */
};

/* Saves a new generation of certificate NAME and makes it current; keeps
 * the previous generation and deletes older ones (never following a
 * symlink found in a generation's place). On failure the current
 * generation is untouched and the partial one removed. 0 or -1 with
 * ERR_STORAGE (also when STATE/certs/NAME is not a symlink, or store_check
 * or archive/NAME is not trusted: nothing is written then), or ERR_USAGE
 * when NAME is not a plain file name (empty, leading '.', or a '/'). */
int store_save_cert(const char *state, const char *name, const struct store_cert *c);

/* The file names of the layout above, named once for the path builders. */
#define STORE_ACCOUNT_KEY      "key.pem"
#define STORE_ACCOUNT_KEY_NEW  "key.pem.new"   /* rollover: kept before the CA sees it */
#define STORE_ACCOUNT_KEY_OLD  "key.pem.old"   /* rollover: the key it replaced */
#define STORE_ACCOUNT_JSON     "account.json"
#define STORE_DIRECTORY        "directory.json" /* dircache.c */
#define STORE_PRIVKEY          "privkey.pem"
#define STORE_CERT             "cert.pem"
#define STORE_CHAIN            "chain.pem"
#define STORE_FULLCHAIN        "fullchain.pem"
#define STORE_ISSUANCE         "issuance.json"
#define STORE_ARI              "ari.json"

/* The path builders: every path into the state directory is made by one of
 * these, so the layout above is written down in one place. They only join
 * names (nothing is checked or touched); caller frees. */

/* STATE/certs */
char *store_certs_dir(const char *state);

/* STATE/certs/NAME (the live directory) */
char *store_cert_dir(const char *state, const char *name);

/* STATE/certs/NAME/FILE, FILE one of STORE_PRIVKEY ... STORE_ARI */
char *store_cert_file(const char *state, const char *name, const char *file);

/* STATE/renew-digest */
char *store_digest_path(const char *state);

/* STATE/archive/NAME (the generations of certificate NAME) */
char *store_archive_dir(const char *state, const char *name);

/* STATE/accounts/ID, ID from store_account_id() */
char *store_account_dir(const char *state, const char *id);

/* STATE/accounts/ID/FILE, FILE one of STORE_ACCOUNT_KEY ... STORE_ACCOUNT_JSON */
char *store_account_file(const char *state, const char *id, const char *file);

/* Reads STATE/certs/NAME/issuance.json after store_check_cert. New
 * reference or NULL with err (ERR_STORAGE; errno ENOENT when there is no
 * such certificate). */
json_t *store_load_issuance(const char *state, const char *name);

/* What renew reads of one certificate: its record, certificate and ARI
 * state. Owned; release with store_cert_files_clear. */
struct store_cert_files {
	json_t *issuance;  /* issuance.json, parsed: an object */
	char *cert;        /* cert.pem, NUL-terminated */
	json_t *ari;       /* ari.json, parsed; NULL when missing, unreadable or not JSON */
};
/* Reads certificate NAME's files through one descriptor of STATE/certs/NAME
 * (one lookup of the path, not one per file). Does no trust check: call it
 * after store_check_cert, or holding store_lock, which checked every
 * certificate when it was taken (a path that passed belongs to the running
 * user or root and is writable by no one else, so nobody else can have
 * changed it since). What renew reads of thousands of certificates. 0, or
 * -1 with err: ERR_USAGE for a NAME that is not a plain file name,
 * ERR_STORAGE (errno ENOENT when there is no such certificate) when the
 * record cannot be read or parsed, or when cert.pem cannot be read (the
 * record is then kept in out, so its own faults can be told first). */
int store_read_cert(const char *state, const char *name, struct store_cert_files *out);
/* Releases what store_read_cert read; out may be all zero. */
void store_cert_files_clear(struct store_cert_files *f);
/* A certificate name is one plain path component: not empty, no leading
 * '.', no '/'. 0, or -1 with ERR_USAGE. */
int store_check_cert_name(const char *name);
/* Rewrites STATE/certs/NAME/issuance.json, the record of the current
 * generation, with record (a setting or the state of the last attempt
 * changed; the certificate files stay as they are). 0 or -1 with
 * ERR_STORAGE, or ERR_USAGE for a NAME that is not a plain file name. */
int store_save_issuance(const char *state, const char *name, json_t *record);

/* Path of STATE/accounts/<id>/connection.json, where the connection
 * settings given on the command line for the ACME directory server_url
 * are remembered. Caller frees; NULL with ERR_USAGE as store_account_id. */
char *store_connection_path(const char *state, const char *server_url);

/* Path of STATE/accounts/<id>/directory.json, where the directory of the
 * ACME server server_url is kept between runs. Caller frees; NULL with
 * ERR_USAGE as store_account_id. */
char *store_directory_path(const char *state, const char *server_url);

/* Names of certificates under STATE/certs: symlinks and directories, not
 * dotfiles (NULL-terminated, sorted; caller strv_free()s). Empty array when
 * there are none or no STATE/certs. NULL with ERR_STORAGE, also when
 * store_check refuses STATE. */
char **store_list_certs(const char *state);

/* A new, empty, private (0700) directory for a throwaway state, under
 * $TMPDIR or /tmp (--dry-run). Caller frees and removes it with
 * store_remove_tree(). NULL with ERR_STORAGE. */
char *store_temp_state(void);

/* Removes path and everything under it, never following symlinks. Best
 * effort: what cannot be removed is logged at -v. */
void store_remove_tree(const char *path);

/* One file as stat(2) saw it: what the renew digest keys a certificate's
 * facts by. A file replaced by rename has another inode; one rewritten in
 * place another ctime (which no one can set back), whatever its mtime. */
struct store_key {
	enum { STORE_KEY_NONE, STORE_KEY_ABSENT, STORE_KEY_FILE } kind; /* NONE: unusable */
	unsigned long long dev, ino;
	long long size;
	long long mtime_ns, ctime_ns;   /* since the epoch */
};

/* What the lock's walk saw of one kept certificate: its current
 * generation's issuance.json, cert.pem and ari.json. A key is
 * STORE_KEY_NONE when that file is not a regular file itself (a symlink,
 * a FIFO) or could not be looked at; ari.json alone may be ABSENT. */
struct store_cert_keys {
	char *name;
	struct store_key issuance, cert, ari;
};

/* Every certificate the walk saw, sorted by name. Owned; release with
 * store_keys_free. */
struct store_keys {
	struct store_cert_keys *certs;
	size_t n;
};

/* The walk's keys of certificate name, or NULL when it saw none. */
const struct store_cert_keys *store_keys_find(const struct store_keys *k, const char *name);

/* True when a and b are both usable keys of the same file in the same
 * state (both ABSENT, or both FILE with every field equal). */
bool store_key_equal(const struct store_key *a, const struct store_key *b);

/* Releases what store_lock_keys filled in; k may be all zero. */
void store_keys_free(struct store_keys *k);

/* Takes the state directory's lock: store_check of STATE, then flock(2) on
 * STATE/lock (created 0600, with STATE when missing), waiting up to
 * wait_ms milliseconds (STORE_LOCK_WAIT_MS for a command) while another
 * process holds it; then, holding it, store_check_cert of every
 * certificate (a run that locks the state runs the hooks kept in it, so
 * one planted certificate stops the whole run) and the same check of
 * STATE/renew-digest (a regular file, trusted, or none). The kernel drops
 * the lock when the holder exits, however it dies. Returns the open
 * descriptor (close-on-exec, so hooks and their children never hold it;
 * release with store_unlock), or -1 with ERR_STORAGE: "another acmectl
 * run holds STATE/lock ..." after the wait, why the file could not be
 * opened or locked, or what the checks refused (the lock is then
 * released). */
int store_lock(const char *state, long wait_ms);

/* store_lock, and the keys of every certificate its walk checked, looked
 * up while the lock is held (two fstatat(2) more per certificate, relative
 * to the walk's descriptors). keys is filled only when the lock is taken. */
int store_lock_keys(const char *state, long wait_ms, struct store_keys *keys);

/* How long a command waits for another run's lock. */
#define STORE_LOCK_WAIT_MS 60000L

/* Removes certificate NAME: the link STATE/certs/NAME first (synced), so
 * that from then on nothing lists, renews or deploys it, and then all its
 * generations under STATE/archive/NAME, never following a symlink found
 * there (it is removed as a link). A crash between the two steps leaves
 * only unreferenced generations, which a later issue of NAME numbers past
 * and a later delete of NAME removes. Accounts are never touched. After
 * store_check_cert; refuses (ERR_STORAGE) a certs/NAME that is not
 * acmectl's symlink, such as a directory kept by hand. 0, or -1 with
 * ERR_USAGE and errno ENOENT when there is no certificate NAME (neither
 * link nor archive), ERR_USAGE for a NAME that is not a plain file name, or
 * ERR_STORAGE naming what could not be removed. */
int store_delete_cert(const char *state, const char *name);

/* Releases a lock from store_lock. -1 is fine. */
void store_unlock(int fd);

#endif
