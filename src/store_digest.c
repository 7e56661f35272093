/* store_digest.c - the renew digest (format in store_digest.h): its strict
 * parser, its rows' text, and the file keys its rows are matched by. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "err.h"
#include "fileio.h"
#include "log.h"
#include "store.h"
#include "store_digest.h"
#include "store_int.h"
#include "util.h"

/* A digest larger than this is refused: a row is about 250 bytes, so this
 * holds some 100,000 certificates, and a runaway file is not read. */
#define DIGEST_MAX ((size_t)32 * 1024 * 1024)
/* The longest row accepted. */
#define LINE_MAX_LEN 4096
/* The fields of a row. */
#define ROW_FIELDS 18

void store_key_from_stat(struct store_key *key, const struct stat *st)
{
	memset(key, 0, sizeof(*key));
	/* nanoseconds since the epoch fit in 64 bits until 2262 */
	if (!S_ISREG(st->st_mode) || st->st_mtim.tv_sec > 9000000000LL ||
	    st->st_mtim.tv_sec < -9000000000LL || st->st_ctim.tv_sec > 9000000000LL ||
	    st->st_ctim.tv_sec < -9000000000LL)
		return;  /* STORE_KEY_NONE */
	key->kind = STORE_KEY_FILE;
	key->dev = (unsigned long long)st->st_dev;
	key->ino = (unsigned long long)st->st_ino;
	key->size = (long long)st->st_size;
	key->mtime_ns = (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
	key->ctime_ns = (long long)st->st_ctim.tv_sec * 1000000000LL + st->st_ctim.tv_nsec;
}

bool store_key_equal(const struct store_key *a, const struct store_key *b)
{
	if (a->kind == STORE_KEY_NONE || a->kind != b->kind)
		return false;
	return a->kind == STORE_KEY_ABSENT ||
	    (a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns);
}

static int compare_keys_name(const void *name, const void *elem)
{
	return strcmp(name, ((const struct store_cert_keys *)elem)->name);
}

const struct store_cert_keys *store_keys_find(const struct store_keys *k, const char *name)
{
	if (k->n == 0)
		return NULL;
	return bsearch(name, k->certs, k->n, sizeof(*k->certs), compare_keys_name);
}

void store_keys_free(struct store_keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->certs[i].name);
	free(k->certs);
	memset(k, 0, sizeof(*k));
}

/* A field of a row: len bytes at s, not NUL-terminated. */
struct field {
	const char *s;
	size_t len;
};

/* True when f is exactly the text want. */
static bool field_is(const struct field *f, const char *want)
{
	return f->len == strlen(want) && memcmp(f->s, want, f->len) == 0;
}

/* Parses f as a decimal integer, '-' first only when may_be_negative, no
 * '+', no space, no leading zero, within long long. */
static bool parse_ll(const struct field *f, bool may_be_negative, long long *out)
{
	size_t i = 0;
	bool neg = false;
	unsigned long long v = 0, limit;

	if (f->len > 0 && f->s[0] == '-' && may_be_negative) {
		neg = true;
		i = 1;
	}
	if (i == f->len || f->len - i > 19 || (f->s[i] == '0' && f->len - i > 1) ||
	    (neg && f->s[i] == '0'))
		return false;
	limit = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	for (; i < f->len; i++) {
		if (f->s[i] < '0' || f->s[i] > '9')
			return false;
		if (v > (limit - (unsigned long long)(f->s[i] - '0')) / 10)
			return false;
		v = v * 10 + (unsigned long long)(f->s[i] - '0');
	}
	*out = neg ? (long long)(0 - v) : (long long)v;
	return true;
}

/* Splits f at ':' into exactly n parts. */
static bool split_colons(const struct field *f, struct field *parts, size_t n)
{
	const char *p = f->s, *end = f->s + f->len, *c;

	for (size_t i = 0; i < n; i++) {
		c = memchr(p, ':', (size_t)(end - p));
		if ((c == NULL) != (i == n - 1))
			return false;
		if (c == NULL)
			c = end;
		parts[i].s = p;
		parts[i].len = (size_t)(c - p);
		p = c + 1;
	}
	return true;
}

/* A key field: "absent" (when may_be_absent) or DEV:INO:SIZE:MTIME:CTIME. */
static bool parse_key(const struct field *f, bool may_be_absent, struct store_key *key)
{
	struct field p[5];
	long long dev, ino;

	memset(key, 0, sizeof(*key));
	if (field_is(f, "absent")) {
		key->kind = STORE_KEY_ABSENT;
		return may_be_absent;
	}
	if (!split_colons(f, p, 5) || !parse_ll(&p[0], false, &dev) ||
	    !parse_ll(&p[1], false, &ino) || !parse_ll(&p[2], false, &key->size) ||
	    !parse_ll(&p[3], true, &key->mtime_ns) || !parse_ll(&p[4], true, &key->ctime_ns))
		return false;
	key->kind = STORE_KEY_FILE;
	key->dev = (unsigned long long)dev;
	key->ino = (unsigned long long)ino;
	return true;
}

/* A time field, seconds since the epoch, within time_t. */
static bool parse_time(const struct field *f, time_t *t)
{
	long long v;

	if (!parse_ll(f, true, &v) || (long long)(time_t)v != v)
		return false;
	*t = (time_t)v;
	return true;
}

/* "0" or "1". */
static bool parse_flag(const struct field *f, bool *b)
{
	if (f->len != 1 || (f->s[0] != '0' && f->s[0] != '1'))
		return false;
	*b = f->s[0] == '1';
	return true;
}

/* The ARI state field: "-", or OFFERED:START:END:RENEW_AT:NEXT_CHECK. */
static bool parse_ari_state(const struct field *f, struct digest_row *r)
{
	struct field p[5];

	if (field_is(f, "-"))
		return true;
	r->have_ari = true;
	return split_colons(f, p, 5) && parse_flag(&p[0], &r->ari_offered) &&
	    parse_time(&p[1], &r->ari_start) && parse_time(&p[2], &r->ari_end) &&
	    parse_time(&p[3], &r->ari_renew_at) && parse_time(&p[4], &r->ari_next_check);
}

/* A certificate name as the state keeps it (store_check_cert_name) that a
 * row can hold: no space or control character. */
static bool name_is_writable(const char *s, size_t len)
{
	if (len == 0 || len > DIGEST_NAME_MAX || s[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f || s[i] == '/')
			return false;
	return true;
}

/* A server URL a row can hold: printable ASCII, no space. */
static bool server_is_writable(const char *s, size_t len)
{
	if (len == 0 || len > DIGEST_SERVER_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* An RFC 9773 id: base64url "." base64url. */
static bool ari_id_is_writable(const char *s, size_t len)
{
	if (len == 0 || len > DIGEST_ARI_ID_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.",
		    s[i]) == NULL || s[i] == '\0')
			return false;
	return true;
}

/* A hook field: "none" (hex "") or 64 lowercase hex digits, into hex. */
static bool parse_hook(const struct field *f, char hex[DIGEST_HOOK_HEX + 1])
{
	hex[0] = '\0';
	if (field_is(f, "none"))
		return true;
	if (f->len != DIGEST_HOOK_HEX)
		return false;
	for (size_t i = 0; i < f->len; i++)
		if (strchr("0123456789abcdef", f->s[i]) == NULL || f->s[i] == '\0')
			return false;
	memcpy(hex, f->s, f->len);
	hex[f->len] = '\0';
	return true;
}

/* Copies f into buf, which holds its longest (checked) value. */
static void copy_field(char *buf, const struct field *f)
{
	memcpy(buf, f->s, f->len);
	buf[f->len] = '\0';
}

/* Parses the row of len bytes at line ('\n' not included) into r. NULL, or
 * what is wrong with it. */
static const char *parse_row(const char *line, size_t len, struct digest_row *r)
{
	struct field f[ROW_FIELDS];
	const char *p = line, *end = line + len, *sp;

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < ROW_FIELDS; i++) {
		sp = memchr(p, ' ', (size_t)(end - p));
		if ((sp == NULL) != (i == ROW_FIELDS - 1))
			return "not 18 fields";
		if (sp == NULL)
			sp = end;
		f[i].s = p;
		f[i].len = (size_t)(sp - p);
		p = sp + 1;
	}
	if (!name_is_writable(f[0].s, f[0].len))
		return "not a certificate name";
	if (!parse_key(&f[1], false, &r->issuance) || !parse_key(&f[2], false, &r->cert) ||
	    !parse_key(&f[3], true, &r->ari))
		return "a bad file key";
	if (!server_is_writable(f[4].s, f[4].len))
		return "a bad server";
	if (!parse_flag(&f[5], &r->deploy_pending) || !parse_flag(&f[6], &r->revoked))
		return "a flag that is not 0 or 1";
	if (!parse_time(&f[7], &r->not_before) || !parse_time(&f[8], &r->not_after))
		return "a bad date";
	if (!field_is(&f[9], "-") && !ari_id_is_writable(f[9].s, f[9].len))
		return "a bad ARI id";
	if (!parse_ari_state(&f[10], r))
		return "a bad ARI state";
	for (size_t k = 0; k < DIGEST_HOOK_KINDS; k++)
		if (!parse_hook(&f[11 + k], r->hooks[k]))
			return "a bad hook hash";
	if (!parse_flag(&f[14], &r->staging_issuer) || !parse_flag(&f[17], &r->last_error))
		return "a flag that is not 0 or 1";
	if (!parse_time(&f[15], &r->last_attempt) || !parse_time(&f[16], &r->issued))
		return "a bad date";
	copy_field(r->name, &f[0]);
	copy_field(r->server, &f[4]);
	if (!field_is(&f[9], "-"))
		copy_field(r->ari_id, &f[9]);
	return NULL;
}

/* The name field of the row at line: its length (up to its first space). */
static size_t name_len(const char *line, const char *end)
{
	const char *sp = memchr(line, ' ', (size_t)(end - line));

	return sp == NULL ? (size_t)(end - line) : (size_t)(sp - line);
}

/* strcmp of the name a (alen bytes, no NUL) and b (blen bytes). */
static int compare_names(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c != 0 ? c : (alen > blen) - (alen < blen);
}

int store_digest_parse(const char *text, size_t len, struct store_digest *out)
{
	size_t hlen = strlen(STORE_DIGEST_HEADER), cap = 0, lineno = 1, prev = 0;
	const char *p, *end = text + len, *nl, *why = NULL;
	struct digest_row *r = xmalloc(sizeof(*r));

	memset(out, 0, sizeof(*out));
	if (len < hlen || memcmp(text, STORE_DIGEST_HEADER, hlen) != 0) {
		err_set(ERR_STORAGE, "its first line is not \"%.*s\"", (int)hlen - 1,
		    STORE_DIGEST_HEADER);
		free(r);
		return -1;
	}
	out->base = text;
	out->len = len;
	for (p = text + hlen; p < end; p = nl + 1) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			why = "it does not end with a newline";
		else if ((size_t)(nl - p) > LINE_MAX_LEN)
			why = "it is longer than 4096 bytes";
		else if (memchr(p, '\0', (size_t)(nl - p)) != NULL)
			why = "it holds a NUL byte";
		else if ((why = parse_row(p, (size_t)(nl - p), r)) == NULL && out->n > 0 &&
		    compare_names(text + out->starts[out->n - 1], prev, p, strlen(r->name)) >= 0)
			why = "it is not after the row before it (rows are sorted by name, once each)";
		if (why != NULL) {
			err_set(ERR_STORAGE, "line %zu: %s", lineno, why);
			store_digest_free(out);
			free(r);
			return -1;
		}
		if (out->n + 1 >= cap) {
			cap = cap ? cap * 2 : 64;
			out->starts = xrealloc(out->starts, cap * sizeof(*out->starts));
		}
		out->starts[out->n++] = (size_t)(p - text);
		prev = strlen(r->name);
	}
	if (out->starts == NULL)
		out->starts = xmalloc(sizeof(*out->starts));
	out->starts[out->n] = len;
	free(r);
	return 0;
}

void store_digest_row(const struct store_digest *d, size_t k, struct digest_row *r)
{
	/* accepted by store_digest_parse: the same text parses the same */
	(void)parse_row(d->base + d->starts[k], d->starts[k + 1] - d->starts[k] - 1, r);
}

void store_digest_read(const char *state, struct store_digest *out)
{
	char *path = store_digest_path(state), *text;
	size_t len;

	memset(out, 0, sizeof(*out));
	if ((text = file_read(path, DIGEST_MAX, ERR_STORAGE, &len)) == NULL) {
		if (errno == ENOENT)
			logmsg(LOG_VERBOSE, "no renew digest yet (%s): every certificate is "
			    "read from its files", path);
		else
			logmsg(LOG_VERBOSE, "ignoring the renew digest: %s; every certificate "
			    "is read from its files", err_message());
		err_clear();
	} else if (store_digest_parse(text, len, out) != 0) {
		logmsg(LOG_VERBOSE, "ignoring the renew digest %s: %s; every certificate "
		    "is read from its files", path, err_message());
		err_clear();
		free(text);
	} else {
		out->text = text;
	}
	free(path);
}

long store_digest_find(const struct store_digest *d, const char *name)
{
	size_t lo = 0, hi = d->n, mid, len = strlen(name);
	const char *line;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		line = d->base + d->starts[mid];
		c = compare_names(name, len, line, name_len(line, d->base + d->starts[mid + 1]));
		if (c == 0)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

bool digest_row_matches(const struct digest_row *r, const struct store_cert_keys *keys)
{
	return r->issuance.kind == STORE_KEY_FILE && r->cert.kind == STORE_KEY_FILE &&
	    store_key_equal(&r->issuance, &keys->issuance) &&
	    store_key_equal(&r->cert, &keys->cert) && store_key_equal(&r->ari, &keys->ari);
}

void digest_hook_hash(const char *cmd, char hex[DIGEST_HOOK_HEX + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	hex[0] = '\0';
	if (cmd == NULL || cmd[0] == '\0')
		return;
	/* SHA-256 of a string in memory fails only when out of memory */
	if (EVP_Digest(cmd, strlen(cmd), md, &len, EVP_sha256(), NULL) != 1 ||
	    len * 2 != DIGEST_HOOK_HEX)
		oom();
	for (unsigned int i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

bool digest_row_hooks_match(const struct digest_row *r,
    const char *const given[DIGEST_HOOK_KINDS])
{
	for (size_t k = 0; k < DIGEST_HOOK_KINDS; k++)
		if (given[k] != NULL && strcmp(given[k], r->hooks[k]) != 0)
			return false;
	return true;
}

/* True when k can be written as a field the parser reads back. */
static bool key_is_writable(const struct store_key *k)
{
	return k->kind == STORE_KEY_ABSENT || (k->kind == STORE_KEY_FILE &&
	    k->dev <= (unsigned long long)LLONG_MAX && k->ino <= (unsigned long long)LLONG_MAX &&
	    k->size >= 0);
}

/* Writes key k as its field into buf of size n. */
static void format_key(const struct store_key *k, char *buf, size_t n)
{
	if (k->kind == STORE_KEY_ABSENT)
		snprintf(buf, n, "absent");
	else
		snprintf(buf, n, "%llu:%llu:%lld:%lld:%lld", k->dev, k->ino, k->size,
		    k->mtime_ns, k->ctime_ns);
}

/* A hook's field as written: its hash, or "none". */
static const char *hook_field(const char *hex)
{
	return hex[0] != '\0' ? hex : "none";
}

char *digest_row_format(const struct digest_row *r)
{
	char iss[128], cert[128], ari[128], state[128];

	if (!name_is_writable(r->name, strlen(r->name)) ||
	    !server_is_writable(r->server, strlen(r->server)) ||
	    (r->ari_id[0] != '\0' && !ari_id_is_writable(r->ari_id, strlen(r->ari_id))) ||
	    r->issuance.kind != STORE_KEY_FILE || r->cert.kind != STORE_KEY_FILE ||
	    !key_is_writable(&r->issuance) || !key_is_writable(&r->cert) ||
	    !key_is_writable(&r->ari))
		return NULL;
	format_key(&r->issuance, iss, sizeof(iss));
	format_key(&r->cert, cert, sizeof(cert));
	format_key(&r->ari, ari, sizeof(ari));
	if (!r->have_ari)
		snprintf(state, sizeof(state), "-");
	else
		snprintf(state, sizeof(state), "%d:%lld:%lld:%lld:%lld", r->ari_offered,
		    (long long)r->ari_start, (long long)r->ari_end, (long long)r->ari_renew_at,
		    (long long)r->ari_next_check);
	for (size_t k = 0; k < DIGEST_HOOK_KINDS; k++)
		if (r->hooks[k][0] != '\0' && strlen(r->hooks[k]) != DIGEST_HOOK_HEX)
			return NULL;
	return xasprintf("%s %s %s %s %s %d %d %lld %lld %s %s %s %s %s %d %lld %lld %d\n",
	    r->name, iss, cert, ari, r->server, r->deploy_pending, r->revoked,
	    (long long)r->not_before, (long long)r->not_after,
	    r->ari_id[0] != '\0' ? r->ari_id : "-", state, hook_field(r->hooks[0]),
	    hook_field(r->hooks[1]), hook_field(r->hooks[2]), r->staging_issuer,
	    (long long)r->last_attempt, (long long)r->issued, r->last_error);
}

int store_digest_write_from(const char *state, store_next_part next, void *ctx)
{
	char *path = store_digest_path(state);
	int rc = store_write_atomic_from(path, next, ctx, 0600);

	free(path);
	return rc;
}

void store_digest_free(struct store_digest *d)
{
	free(d->starts);
	free(d->text);
	memset(d, 0, sizeof(*d));
}
