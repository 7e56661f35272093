/* renew_cache.c - the renew digest in a run of `renew` that holds the
 * lock: a certificate whose files are exactly as when its row was made is
 * not read again; what is due is decided anew from the row's facts. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "renew_int.h"
#include "store.h"
#include "store_digest.h"
#include "util.h"

/* A file changed in place within the clock tick of the change the key saw
 * would keep its ctime: a row is made only from files whose last change is
 * older than this when the run started (and so when it looked at them). */
#define SETTLED_S 2

void renew_cache_open(const struct config *cfg, struct renew_cache *c)
{
	size_t n = c->keys.n ? c->keys.n : 1;

	store_digest_read(cfg->state_dir, &c->old);
	c->use = !cfg->force && cfg->deploy_hook == NULL && cfg->pre_hook == NULL &&
	    cfg->post_hook == NULL;
	c->seen = xcalloc(n, sizeof(*c->seen));
	c->kept = xcalloc(n, sizeof(*c->kept));
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
	long i = key_index(c, j->name);
	const struct digest_row *r;

	if (i < 0 || !c->use || (r = store_digest_find(&c->old, j->name)) == NULL ||
	    !digest_row_matches(r, &c->keys.certs[i]) || r->revoked || r->deploy_pending)
		return false;
	c->seen[i] = true;
	c->kept[i] = r;
	j->server = xstrdup(r->server);
	j->ci.not_before = r->not_before;
	j->ci.not_after = r->not_after;
	j->ci.ari_id = r->ari_id != NULL ? xstrdup(r->ari_id) : NULL;
	j->have_ari = r->have_ari;
	if (r->have_ari) {
		j->ari.cert_id = r->ari_id != NULL ? xstrdup(r->ari_id) : NULL;
		j->ari.offered = r->ari_offered;
		j->ari.start = r->ari_start;
		j->ari.end = r->ari_end;
		j->ari.renew_at = r->ari_renew_at;
		j->ari.next_check = r->ari_next_check;
	}
	return true;
}

/* True when the file key describes last changed SETTLED_S before now. */
static bool settled(const struct store_key *key, time_t now)
{
	return key->kind != STORE_KEY_FILE ||
	    key->ctime_ns < ((long long)now - SETTLED_S) * 1000000000LL;
}

void renew_cache_note(struct renew_cache *c, const struct job *j, time_t now)
{
	long i = key_index(c, j->name);
	const struct store_cert_keys *k;
	struct digest_row r;

	if (i < 0)
		return;
	k = &c->keys.certs[i];
	c->seen[i] = true;
	c->kept[i] = NULL;
	free(c->fresh[i]);
	c->fresh[i] = NULL;
	if (!c->use || !renew_job_is_quiet(j) || j->server == NULL ||
	    !settled(&k->issuance, now) || !settled(&k->cert, now) || !settled(&k->ari, now))
		return;
	/* a quiet job with an ARI id had its state's verdict read: the row
	 * holds that state as the certificate's own */
	if (j->ci.ari_id != NULL && (!j->have_ari || j->ari.cert_id == NULL ||
	    strcmp(j->ari.cert_id, j->ci.ari_id) != 0))
		return;
	memset(&r, 0, sizeof(r));
	r.name = j->name;
	r.issuance = k->issuance;
	r.cert = k->cert;
	r.ari = k->ari;
	r.server = j->server;
	r.not_before = j->ci.not_before;
	r.not_after = j->ci.not_after;
	r.ari_id = j->ci.ari_id;
	r.have_ari = j->have_ari;
	r.ari_offered = j->ari.offered;
	r.ari_start = j->ari.start;
	r.ari_end = j->ari.end;
	r.ari_renew_at = j->ari.renew_at;
	r.ari_next_check = j->ari.next_check;
	c->fresh[i] = digest_row_format(&r);
}

/* The row of certificate i in the digest to write, or NULL: its new row,
 * its old one when this run used it or did not look at the certificate
 * (its keys still guard it), else none. *len is its length. */
static const char *row_text(const struct renew_cache *c, size_t i, size_t *len)
{
	const struct digest_row *r = c->kept[i];

	if (c->fresh[i] != NULL) {
		*len = strlen(c->fresh[i]);
		return c->fresh[i];
	}
	if (r == NULL && !c->seen[i])
		r = store_digest_find(&c->old, c->keys.certs[i].name);
	if (r == NULL)
		return NULL;
	*len = r->line_len;
	return r->line;
}

void renew_cache_save(const struct config *cfg, struct renew_cache *c)
{
	size_t hlen = strlen(STORE_DIGEST_HEADER), total = hlen, len, at;
	const char *line;
	char *text;

	if (c->seen == NULL)
		return;
	for (size_t i = 0; i < c->keys.n; i++)
		if (row_text(c, i, &len) != NULL)
			total += len;
	text = xmalloc(total);
	memcpy(text, STORE_DIGEST_HEADER, hlen);
	at = hlen;
	for (size_t i = 0; i < c->keys.n; i++) {
		if ((line = row_text(c, i, &len)) != NULL) {
			memcpy(text + at, line, len);
			at += len;
		}
	}
	if (c->old.text == NULL || c->old.len != total || memcmp(c->old.text, text, total) != 0) {
		if (store_digest_write(cfg->state_dir, text, total) != 0) {
			logmsg(LOG_NORMAL, "warning: %s (the next run reads every certificate "
			    "from its files)", err_message());
			err_clear();
		}
	}
	free(text);
}

void renew_cache_free(struct renew_cache *c)
{
	if (c->fresh != NULL)
		for (size_t i = 0; i < c->keys.n; i++)
			free(c->fresh[i]);
	free(c->fresh);
	free(c->kept);
	free(c->seen);
	store_digest_free(&c->old);
	store_keys_free(&c->keys);
	memset(c, 0, sizeof(*c));
}
