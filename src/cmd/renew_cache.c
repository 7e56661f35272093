/* renew_cache.c - the renew digest in a run of `renew` that holds the
 * lock: a certificate whose files are exactly as when its row was made is
 * not read again; what is due is decided anew from the row's facts. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hooks.h"
#include "log.h"
#include "renew_int.h"
#include "store.h"
#include "store_digest.h"
#include "util.h"

/* A file changed in place within the clock tick of the change the key saw
 * would keep its ctime: a row is made only from files whose last change is
 * older than this when the run started (and so when it looked at them). */
#define SETTLED_S 2

/* The hook kinds, in a row's order. */
static const char *const hook_kinds[DIGEST_HOOK_KINDS] = { "deploy", "pre", "post" };

/* Sets *hex to the hash of the hook cmd given, or NULL when none was. */
static void given_hash(char **hex, const char *cmd)
{
	*hex = NULL;
	if (cmd == NULL)
		return;
	*hex = xmalloc(DIGEST_HOOK_HEX + 1);
	digest_hook_hash(cmd, *hex);
}

void renew_cache_open(const struct config *cfg, struct renew_cache *c)
{
	size_t n = c->keys.n ? c->keys.n : 1;

	store_digest_read(cfg->state_dir, &c->old);
	c->use = !cfg->force;
	given_hash(&c->given[0], cfg->deploy_hook);
	given_hash(&c->given[1], cfg->pre_hook);
	given_hash(&c->given[2], cfg->post_hook);
	c->fresh = xcalloc(n, sizeof(*c->fresh));
}

/* The index in c->keys of certificate name, or -1 when the walk did not
 * see it (the run then reads it, and reports what is wrong). */
static long key_index(const struct renew_cache *c, const char *name)
{
	const struct store_cert_keys *k = store_keys_find(&c->keys, name);

	return k == NULL ? -1 : (long)(k - c->keys.certs);
}

bool renew_cache_take(struct renew_cache *c, struct job *j)
{
	long i = key_index(c, j->name), k;
	struct digest_row *r;
	bool taken = false;

	if (i < 0 || !c->use || (k = store_digest_find(&c->old, j->name)) < 0)
		return false;
	r = xmalloc(sizeof(*r));
	store_digest_row(&c->old, (size_t)k, r);
	/* a revoked one's hooks are neither read nor remembered */
	if (!digest_row_matches(r, &c->keys.certs[i]) ||
	    (!r->revoked && (r->deploy_pending ||
	    !digest_row_hooks_match(r, (const char *const *)c->given))))
		goto out;
	/* as job_load leaves a revoked one: reported, never renewed */
	if (r->revoked)
		j->action = ACT_REVOKED;
	j->deploy_pending = r->deploy_pending;
	j->server = xstrdup(r->server);
	j->ci.not_before = r->not_before;
	j->ci.not_after = r->not_after;
	j->ci.ari_id = r->ari_id[0] != '\0' ? xstrdup(r->ari_id) : NULL;
	j->staging_issuer = r->staging_issuer;
	j->last_error = r->last_error;
	j->last_attempt = r->last_attempt;
	j->issued = r->issued;
	j->have_ari = r->have_ari;
	if (r->have_ari) {
		j->ari.cert_id = r->ari_id[0] != '\0' ? xstrdup(r->ari_id) : NULL;
		j->ari.offered = r->ari_offered;
		j->ari.start = r->ari_start;
		j->ari.end = r->ari_end;
		j->ari.renew_at = r->ari_renew_at;
		j->ari.next_check = r->ari_next_check;
	}
	taken = true;
out:
	free(r);
	return taken;
}

/* True when the file key describes last changed SETTLED_S before now. */
static bool settled(const struct store_key *key, time_t now)
{
	return key->kind != STORE_KEY_FILE ||
	    key->ctime_ns < ((long long)now - SETTLED_S) * 1000000000LL;
}

/* The cache's copy of s, a server or hook hash (a run has few: one per
 * CA, one per hook). */
static const char *string_copy(struct renew_cache *c, const char *s)
{
	for (size_t i = 0; i < c->nstrings; i++)
		if (strcmp(c->strings[i], s) == 0)
			return c->strings[i];
	c->strings = xrealloc(c->strings, (c->nstrings + 1) * sizeof(*c->strings));
	return c->strings[c->nstrings++] = xstrdup(s);
}

static void fresh_free(struct renew_fresh *f)
{
	if (f != NULL)
		free(f->ari_id);
	free(f);
}

void renew_cache_note(struct renew_cache *c, const struct job *j, time_t now)
{
	long i = key_index(c, j->name);
	const struct store_cert_keys *k;
	struct renew_fresh *f;
	char hex[DIGEST_HOOK_HEX + 1];

	if (i < 0)
		return;
	k = &c->keys.certs[i];
	fresh_free(c->fresh[i]);
	c->fresh[i] = NULL;
	if (!c->use || !renew_job_only_reported(j) || j->server == NULL ||
	    !settled(&k->issuance, now) || !settled(&k->cert, now) || !settled(&k->ari, now))
		return;
	/* a job not due with an ARI id had its state's verdict read: the row
	 * holds that state as the certificate's own (a revoked one reads none) */
	if (j->action == ACT_NOT_DUE && j->ci.ari_id != NULL && (!j->have_ari ||
	    j->ari.cert_id == NULL || strcmp(j->ari.cert_id, j->ci.ari_id) != 0))
		return;
	f = xcalloc(1, sizeof(*f));
	f->server = string_copy(c, j->server);
	/* job_load left the record remembering exactly j->hooks */
	for (size_t h = 0; h < DIGEST_HOOK_KINDS; h++) {
		digest_hook_hash(hooks_get(j->hooks, hook_kinds[h]), hex);
		f->hooks[h] = string_copy(c, hex);
	}
	f->ari_id = j->ci.ari_id != NULL ? xstrdup(j->ci.ari_id) : NULL;
	f->not_before = j->ci.not_before;
	f->not_after = j->ci.not_after;
	f->revoked = j->action == ACT_REVOKED;
	f->deploy_pending = j->deploy_pending;
	f->staging_issuer = j->staging_issuer;
	f->last_error = j->last_error;
	f->last_attempt = j->last_attempt;
	f->issued = j->issued;
	f->have_ari = j->have_ari;
	f->ari_offered = j->ari.offered;
	f->ari_start = j->ari.start;
	f->ari_end = j->ari.end;
	f->ari_renew_at = j->ari.renew_at;
	f->ari_next_check = j->ari.next_check;
	c->fresh[i] = f;
}

/* Copies s into buf of size n; false when it does not fit. */
static bool copy_string(char *buf, size_t n, const char *s)
{
	size_t len = strlen(s);

	if (len >= n)
		return false;
	memcpy(buf, s, len + 1);
	return true;
}

/* The text of certificate i's new row (caller frees), or NULL when it
 * cannot be written as one (digest_row_format). */
static char *fresh_text(const struct renew_cache *c, size_t i)
{
	const struct renew_fresh *f = c->fresh[i];
	const struct store_cert_keys *k = &c->keys.certs[i];
	struct digest_row *r = xcalloc(1, sizeof(*r));
	char *text = NULL;

	if (copy_string(r->name, sizeof(r->name), k->name) &&
	    copy_string(r->server, sizeof(r->server), f->server) &&
	    copy_string(r->ari_id, sizeof(r->ari_id), f->ari_id ? f->ari_id : "")) {
		r->issuance = k->issuance;
		r->cert = k->cert;
		r->ari = k->ari;
		r->revoked = f->revoked;
		r->deploy_pending = f->deploy_pending;
		r->staging_issuer = f->staging_issuer;
		r->last_error = f->last_error;
		r->last_attempt = f->last_attempt;
		r->issued = f->issued;
		r->not_before = f->not_before;
		r->not_after = f->not_after;
		r->have_ari = f->have_ari;
		r->ari_offered = f->ari_offered;
		r->ari_start = f->ari_start;
		r->ari_end = f->ari_end;
		r->ari_renew_at = f->ari_renew_at;
		r->ari_next_check = f->ari_next_check;
		for (size_t h = 0; h < DIGEST_HOOK_KINDS; h++)
			copy_string(r->hooks[h], sizeof(r->hooks[h]), f->hooks[h]);
		text = digest_row_format(r);
	}
	free(r);
	return text;
}

/* Where the digest to write is, as its parts are given: the header, then
 * each certificate's row, in the walk's (name) order. */
struct rows_iter {
	const struct renew_cache *c;
	size_t i;            /* next certificate */
	bool header_given;
	char *text;          /* the last new row given; owned */
};

/* store_next_part over the digest to write: each certificate's new row,
 * else its old one, whether or not this run used it: its keys still guard
 * it (a file the run rewrote has a new key, so the row of a certificate
 * renewed or failed here never matches, and a run that only reports the
 * certificate replaces it); a run that renews nothing, or fails, thus
 * leaves the digest as it was. */
static bool next_row(void *ctx, struct store_part *part)
{
	struct rows_iter *it = ctx;
	const struct renew_cache *c = it->c;
	long k;

	free(it->text);
	it->text = NULL;
	if (!it->header_given) {
		it->header_given = true;
		part->data = STORE_DIGEST_HEADER;
		part->len = strlen(STORE_DIGEST_HEADER);
		return true;
	}
	for (; it->i < c->keys.n; it->i++) {
		if (c->fresh[it->i] != NULL) {
			if ((it->text = fresh_text(c, it->i)) == NULL)
				continue;
			part->data = it->text;
			part->len = strlen(it->text);
		} else {
			k = store_digest_find(&c->old, c->keys.certs[it->i].name);
			if (k < 0)
				continue;
			part->data = c->old.base + c->old.starts[k];
			part->len = c->old.starts[k + 1] - c->old.starts[k];
		}
		it->i++;
		return true;
	}
	return false;
}

/* True when the digest to write is exactly the one read. */
static bool same_text(const struct renew_cache *c)
{
	struct rows_iter it = { c, 0, false, NULL };
	const struct store_digest *old = &c->old;
	struct store_part part;
	size_t at = 0;
	bool same = old->base != NULL;

	while (same && next_row(&it, &part)) {
		same = part.len <= old->len - at && memcmp(old->base + at, part.data, part.len) == 0;
		at += part.len;
	}
	free(it.text);
	return same && at == old->len;
}

void renew_cache_save(const struct config *cfg, struct renew_cache *c)
{
	struct rows_iter it = { c, 0, false, NULL };

	if (c->fresh == NULL || same_text(c))
		return;
	if (store_digest_write_from(cfg->state_dir, next_row, &it) != 0) {
		logmsg(LOG_NORMAL, "warning: %s (the next run reads every certificate "
		    "from its files)", err_message());
		err_clear();
	}
	free(it.text);
}

void renew_cache_free(struct renew_cache *c)
{
	if (c->fresh != NULL)
		for (size_t i = 0; i < c->keys.n; i++)
			fresh_free(c->fresh[i]);
	free(c->fresh);
	for (size_t i = 0; i < c->nstrings; i++)
		free(c->strings[i]);
	free(c->strings);
	for (size_t k = 0; k < DIGEST_HOOK_KINDS; k++)
		free(c->given[k]);
	store_digest_free(&c->old);
	store_keys_free(&c->keys);
	memset(c, 0, sizeof(*c));
}
