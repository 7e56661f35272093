/* cmd_account_rollover.c - `acmectl account rollover`: the account's key
 * replaced at the server (keyChange), mirrored in STATE/accounts/<id> so
 * that key.pem is the old key or the new one at every moment. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "account.h"
#include "cmd.h"
#include "err.h"
#include "key.h"
#include "session.h"
#include "store.h"
#include "util.h"

/* Paths of the account key files during a rollover. */
struct key_paths {
	char *current;   /* key.pem */
	char *pending;   /* key.pem.new: written before the server sees it */
	char *backup;    /* key.pem.old: the key before the last rollover */
};

static void key_paths_init(struct key_paths *p, const struct session *s)
{
	const char *state = s->opts->state_dir;

	p->current = store_account_file(state, s->account_id, STORE_ACCOUNT_KEY);
	p->pending = store_account_file(state, s->account_id, STORE_ACCOUNT_KEY_NEW);
	p->backup = store_account_file(state, s->account_id, STORE_ACCOUNT_KEY_OLD);
}

static void key_paths_clear(struct key_paths *p)
{
	free(p->current);
	free(p->pending);
	free(p->backup);
}

/* fsyncs directory dir so a rename or new entry in it survives a crash.
 * 0 or -1 with ERR_STORAGE. */
static int sync_dir(const char *dir)
{
	int fd, rc = 0;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 || fsync(fd) == -1) {
		err_set(ERR_STORAGE, "cannot sync %s: %s", dir, strerror(errno));
		rc = -1;
	}
	if (fd != -1)
		close(fd);
	return rc;
}

/* After the server switched to the key in pending: copies the current key
 * to backup, then renames pending over current, so key.pem is the old key
 * or the new one at every moment. 0 or -1 with ERR_STORAGE. */
static int install_new_key(const struct key_paths *p, const char *dir)
{
	char *old = NULL;
	size_t len = 0;
	bool moved = false;
	int rc = -1;

	if ((old = store_read_file(p->current, &len)) == NULL ||
	    store_write_atomic(p->backup, old, len, 0600) != 0)
		goto out;
	if (rename(p->pending, p->current) == -1) {
		err_set(ERR_STORAGE, "cannot rename %s to %s: %s", p->pending, p->current,
		    strerror(errno));
		goto out;
	}
	moved = true;
	rc = sync_dir(dir);
out:
	if (rc != 0 && !moved)
		err_prefix("the server now expects the account key in %s; "
		    "run 'acmectl account rollover' again to finish", p->pending);
	if (old != NULL)
		OPENSSL_cleanse(old, len);
	free(old);
	return rc;
}

/* What became of a key.pem.new (see settle_pending). */
enum pending {
	PENDING_NONE,       /* there is none */
	PENDING_INSTALLED,  /* the server holds it for this account: now key.pem */
	PENDING_REMOVED,    /* the server knows no account for it: removed */
	PENDING_OTHER,      /* the key of another account: left where it is */
};

/* Settles a key.pem.new, left by an interrupted rollover or by one whose
 * answer was unclear, by asking the server which account holds it (see enum
 * pending). For PENDING_OTHER, *other is that account's URL (caller frees).
 * Returns 0, or -1 with err set (key.pem.new left as it was). */
static int settle_pending(struct session *s, const struct key_paths *p,
    enum pending *outcome, char **other)
{
	EVP_PKEY *pending = NULL;
	char *url = NULL;
	int rc = -1;

	*outcome = PENDING_NONE;
	if (access(p->pending, F_OK) == -1)
		return 0;
	if ((pending = key_load_file(p->pending)) == NULL) {
		err_prefix("an earlier rollover left %s; remove it if it is no "
		    "account's key", p->pending);
		goto out;
	}
	if (account_lookup(s->acme, pending, &url, NULL) != 0) {
		if (!problem_is(err_get_problem(), "accountDoesNotExist"))
			goto out;
		err_clear();
		if (unlink(p->pending) == -1) {
			err_set(ERR_STORAGE, "cannot remove %s: %s", p->pending, strerror(errno));
			goto out;
		}
		*outcome = PENDING_REMOVED;
	} else if (strcmp(url, s->account_url) != 0) {
		*outcome = PENDING_OTHER;
		*other = url;
		url = NULL;
	} else {
		/* the server switched: the session signs with the key it holds */
		EVP_PKEY_free(s->account_key);
		s->account_key = pending;
		pending = NULL;
		if (install_new_key(p, s->account_dir) != 0)
			goto out;
		*outcome = PENDING_INSTALLED;
	}
	rc = 0;
out:
	/* the lookup signed with the pending key; later requests use the account */
	acme_set_account(s->acme, s->account_key, s->account_url);
	EVP_PKEY_free(pending);
	free(url);
	return rc;
}
/* After a keyChange without a clear answer (no response, a 5xx; Pebble
 * answers 500 for a key another account holds): asks the server what became
 * of the key in key.pem.new. 0 when it switched after all; else -1 with the
 * best explanation recorded, key.pem.new removed unless it may still be the
 * account's key. */
static int settle_unclear(const struct config *cfg, struct session *s,
    const struct key_paths *p)
{
	enum err_kind kind = err_kind();
	char *why = xstrdup(err_message()), *other = NULL;
	enum pending outcome;
	int rc = -1;

	if (settle_pending(s, p, &outcome, &other) != 0) {
		err_set(kind, "%s (%s kept: run 'acmectl account rollover' again to "
		    "finish)", why, p->pending);
		goto out;
	}
	switch (outcome) {
	case PENDING_INSTALLED:
		rc = 0;
		break;
	case PENDING_OTHER:
		unlink(p->pending);
		err_set(ERR_ACME, "account rollover: %s is already the key of another "
		    "account (%s); the account key is unchanged",
		    cfg->account_key ? cfg->account_key : "the new key", other);
		break;
	case PENDING_NONE:
	case PENDING_REMOVED:
		err_set(kind, "%s", why);
		break;
	}
out:
	free(why);
	free(other);
	return rc;
}

/* Rolls the account of s over to the key of --account-key or a new one:
 * key.pem.new first, then keyChange, then key.pem. 0 or -1 with err set. */
static int roll_over(const struct config *cfg, struct session *s, const struct key_paths *p)
{
	EVP_PKEY *new_key = NULL;
	const struct problem *prob;
	char *pem = NULL;
	size_t len = 0;
	int rc = -1;

	if (cfg->account_key != NULL)
		new_key = key_load_file(cfg->account_key);
	else
		new_key = key_generate(cfg->account_key_type);
	if (new_key == NULL)
		goto out;
	if (EVP_PKEY_eq(new_key, s->account_key) == 1) {
		err_set(ERR_USAGE, "%s is already the account key",
		    cfg->account_key ? cfg->account_key : "the new key");
		goto out;
	}
	/* on disk before the server sees it, so a switched key is never lost */
	if ((pem = key_to_pem(new_key, &len)) == NULL ||
	    store_write_new(p->pending, pem, len, 0600) != 0)
		goto out;
	if (account_key_change(s->acme, s->account_key, new_key) != 0) {
		prob = err_get_problem();
		if (prob == NULL || prob->status < 400 || prob->status >= 500) {
			rc = settle_unclear(cfg, s, p);
			goto out;
		}
		/* a clear refusal: the server still holds the old key */
		unlink(p->pending);
		if (prob->status == 409)
			err_set(ERR_ACME, "account rollover: %s is already the key of another "
			    "account at %s (HTTP 409); the account key is unchanged",
			    cfg->account_key ? cfg->account_key : "the new key", cfg->server);
		goto out;
	}
	/* the session signs with the key the server now holds */
	EVP_PKEY_free(s->account_key);
	s->account_key = new_key;
	new_key = NULL;
	rc = install_new_key(p, s->account_dir);
out:
	key_pem_free(pem, len);
	EVP_PKEY_free(new_key);
	return rc;
}

int cmd_account_rollover(const struct config *cfg)
{
	struct session_opts so = cmd_session_opts(cfg);
	struct session s = { 0 };
	struct key_paths p = { 0 };
	enum pending outcome;
	char *line = NULL, *other = NULL;
	int rc = -1;

	if (session_open(&s, &so) != 0 || session_load_account(&s, true) != 0)
		goto out;
	key_paths_init(&p, &s);
	if (settle_pending(&s, &p, &outcome, &other) != 0)
		goto out;
	if (outcome == PENDING_OTHER) {
		err_set(ERR_USAGE, "%s, left by an earlier rollover, is the key of another "
		    "account (%s); move it away first", p.pending, other);
		goto out;
	}
	if (outcome == PENDING_INSTALLED) {
		line = xasprintf("finished an interrupted rollover: the account key is "
		    "now %s (the old one is kept in %s)", p.current, p.backup);
	} else {
		if (roll_over(cfg, &s, &p) != 0)
			goto out;
		line = xasprintf("account key rolled over: %s is the new key of %s "
		    "(the old one is kept in %s)", p.current, s.account_url, p.backup);
	}
	cmd_account_report(cfg, s.account_url, "valid", json_object_get(s.account_json, "contact"), line);
	session_log_stats(&s);
	rc = 0;
out:
	key_paths_clear(&p);
	session_close(&s);
	free(other);
	free(line);
	return rc;
}
