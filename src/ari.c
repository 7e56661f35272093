/* ari.c - ACME Renewal Information (RFC 9773): certificate identifier,
 * suggested window, renewal point and the schedule of checks. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "ari.h"
#include "b64url.h"
#include "err.h"
#include "hdr.h"
#include "store.h"
#include "util.h"

/* The first backoff after a failed check; doubled per failure in a row. */
#define ARI_FAILURE_BACKOFF_S 3600

/* The content octets of the DER INTEGER serial (two's complement, so with a
 * leading zero when the high bit is set), base64url-encoded. Caller frees;
 * NULL on an encoding failure. */
static char *serial_b64url(const ASN1_INTEGER *serial)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	long len;
	int tag, xclass, n;
	char *out = NULL;

	if ((n = i2d_ASN1_INTEGER(serial, &der)) <= 0)
		return NULL;
	p = der;
	/* 0x80 flags an error; the rest says what the header held */
	if ((ASN1_get_object(&p, &len, &tag, &xclass, n) & 0x80) == 0 &&
	    tag == V_ASN1_INTEGER && len > 0 && p + len <= der + n)
		out = b64url_encode(p, (size_t)len);
	OPENSSL_free(der);
	return out;
}

char *ari_id_of(const ASN1_OCTET_STRING *keyid, const ASN1_INTEGER *serial_number)
{
	char *aki, *serial, *id = NULL;

	if (keyid == NULL || ASN1_STRING_length(keyid) <= 0)
		return NULL;
	if ((serial = serial_b64url(serial_number)) == NULL) {
		ERR_clear_error();
		return NULL;
	}
	aki = b64url_encode(ASN1_STRING_get0_data(keyid), (size_t)ASN1_STRING_length(keyid));
	id = xasprintf("%s.%s", aki, serial);
	free(aki);
	free(serial);
	return id;
}

char *ari_x509_id(X509 *x)
{
	return ari_id_of(X509_get0_authority_key_id(x), X509_get0_serialNumber(x));
}

/* Reads exactly n digits at *p into *val and advances *p. 0 or -1. */
static int digits(const char **p, int n, int *val)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*val = v;
	return 0;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int ari_parse_time(const char *s, time_t *out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = s;
	int year, mon, day, hour, min, sec, oh = 0, om = 0, sign = 0;
	struct tm tm;

	if (digits(&p, 4, &year) || *p++ != '-' || digits(&p, 2, &mon) || *p++ != '-' ||
	    digits(&p, 2, &day) || (*p != 'T' && *p != 't'))
		return -1;
	p++;
	if (digits(&p, 2, &hour) || *p++ != ':' || digits(&p, 2, &min) || *p++ != ':' ||
	    digits(&p, 2, &sec))
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) ||
		    oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	if (*p != '\0' || mon < 1 || mon > 12 || day < 1 ||
	    day > mdays[mon - 1] + (mon == 2 && is_leap(year)) ||
	    hour > 23 || min > 59 || sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	/* a leap second is the last second of its minute here */
	tm.tm_sec = sec == 60 ? 59 : sec;
	*out = timegm(&tm) - sign * (oh * 3600 + om * 60);
	return 0;
}

char *ari_format_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "%lld", (long long)t);
	return buf;
}

int ari_parse_renewal_info(const char *body, size_t len, time_t *start, time_t *end,
    char **explanation_url)
{
	json_t *doc = json_loadb(body, len, 0, NULL), *win;
	const char *url, *from, *to;
	int rc = -1;

	*explanation_url = NULL;
	win = json_object_get(doc, "suggestedWindow");
	from = json_string_value(json_object_get(win, "start"));
	to = json_string_value(json_object_get(win, "end"));
	if (from == NULL || to == NULL || ari_parse_time(from, start) != 0 ||
	    ari_parse_time(to, end) != 0 || *end <= *start)
		goto out;
	if ((url = json_string_value(json_object_get(doc, "explanationURL"))) != NULL)
		*explanation_url = xstrdup(url);
	rc = 0;
out:
	json_decref(doc);
	return rc;
}

time_t ari_next_check(const char *retry_after, time_t now)
{
	long wait;

	if (retry_after == NULL || hdr_retry_after(retry_after, now, &wait) != 0)
		return now + ARI_CHECK_DEFAULT_S;
	if (wait < ARI_CHECK_MIN_S)
		wait = ARI_CHECK_MIN_S;
	if (wait > ARI_CHECK_MAX_S)
		wait = ARI_CHECK_MAX_S;
	return now + wait;
}

void ari_set_window(struct ari_state *st, time_t start, time_t end, uint64_t rnd)
{
	bool same = st->start == start && st->end == end &&
	    st->renew_at >= start && st->renew_at < end;

	st->offered = true;
	st->start = start;
	st->end = end;
	if (!same)
		st->renew_at = start + (time_t)(rnd % (uint64_t)(end - start));
	st->failures = 0;
}

void ari_set_failure(struct ari_state *st, time_t now)
{
	long wait = ARI_FAILURE_BACKOFF_S;

	st->failures++;
	for (long i = 1; i < st->failures && wait < ARI_CHECK_MAX_S; i++)
		wait *= 2;
	st->next_check = now + (wait < ARI_CHECK_MAX_S ? wait : ARI_CHECK_MAX_S);
}

enum ari_verdict ari_verdict(const struct ari_state *st, const char *cert_id, time_t now)
{
	if (st == NULL || st->cert_id == NULL || cert_id == NULL ||
	    strcmp(st->cert_id, cert_id) != 0 || st->next_check <= now)
		return ARI_CHECK;
	if (st->offered && st->renew_at != 0 && st->renew_at <= now)
		return ARI_RENEW;
	return ARI_WAIT;
}

/* Adds key: the time t as RFC 3339 text, when t is set. */
static void set_time(json_t *obj, const char *key, time_t t)
{
	char buf[32];

	if (t != 0)
		json_object_set_new(obj, key, json_string(ari_format_time(t, buf, sizeof(buf))));
}

json_t *ari_state_to_json(const struct ari_state *st)
{
	json_t *doc = json_pack("{s:s?,s:b,s:I}", "cert_id", st->cert_id,
	    "renewal_info", st->offered, "failures", (json_int_t)st->failures);

	set_time(doc, "window_start", st->start);
	set_time(doc, "window_end", st->end);
	set_time(doc, "renew_at", st->renew_at);
	set_time(doc, "next_check", st->next_check);
	if (st->explanation_url != NULL)
		json_object_set_new(doc, "explanation_url", json_string(st->explanation_url));
	return doc;
}

/* Reads key as an RFC 3339 time into *t; absent leaves 0. 0 or -1. */
static int get_time(json_t *doc, const char *key, time_t *t)
{
	json_t *v = json_object_get(doc, key);

	*t = 0;
	if (v == NULL)
		return 0;
	return json_is_string(v) ? ari_parse_time(json_string_value(v), t) : -1;
}

int ari_state_from_json(json_t *doc, struct ari_state *st)
{
	const char *id = json_string_value(json_object_get(doc, "cert_id"));
	const char *url = json_string_value(json_object_get(doc, "explanation_url"));

	memset(st, 0, sizeof(*st));
	if (id == NULL || json_object_get(doc, "next_check") == NULL ||
	    get_time(doc, "window_start", &st->start) != 0 ||
	    get_time(doc, "window_end", &st->end) != 0 ||
	    get_time(doc, "renew_at", &st->renew_at) != 0 ||
	    get_time(doc, "next_check", &st->next_check) != 0) {
		ari_state_clear(st);
		return -1;
	}
	st->cert_id = xstrdup(id);
	st->offered = json_is_true(json_object_get(doc, "renewal_info"));
	st->failures = (long)json_integer_value(json_object_get(doc, "failures"));
	if (url != NULL)
		st->explanation_url = xstrdup(url);
	return 0;
}

int ari_state_load(const char *path, struct ari_state *st)
{
	char *text;
	json_t *doc;
	size_t len;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((text = store_read_file(path, &len)) == NULL) {
		err_clear();
		return -1;
	}
	doc = json_loadb(text, len, 0, NULL);
	rc = ari_state_from_json(doc, st);
	json_decref(doc);
	free(text);
	return rc;
}

int ari_state_save(const char *path, const struct ari_state *st)
{
	json_t *doc = ari_state_to_json(st);
	int rc;

	rc = store_write_json(path, doc, 0644);
	json_decref(doc);
	return rc;
}

void ari_state_clear(struct ari_state *st)
{
	free(st->cert_id);
	free(st->explanation_url);
	memset(st, 0, sizeof(*st));
}

/* A uniform random 64-bit number (the clock when the RNG fails: the point
 * only spreads load, it guards nothing). */
static uint64_t random_u64(void)
{
	uint64_t r;

	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1) {
		ERR_clear_error();
		r = (uint64_t)mono_ms() * 6364136223846793005ULL + (uint64_t)time(NULL);
	}
	return r;
}

/* Records in st the server's answer r (to the GET of url) about cert_id,
 * or the failure. 0 or -1 with err set. */
static int take_renewal_info(struct ari_state *st, const char *cert_id, const char *url,
    const struct acme_reply *r, time_t now)
{
	char *explanation = NULL;
	time_t start, end;

	if (r->status == 0) {
		err_set(ERR_NETWORK, "renewal information for %s: %s: %s", cert_id, url,
		    r->no_response ? r->no_response : "no answer");
		goto fail;
	}
	if (r->status != 200) {
		err_set(ERR_ACME, "renewal information for %s: %s answered HTTP %ld",
		    cert_id, url, r->status);
		goto fail;
	}
	if (ari_parse_renewal_info(r->body ? r->body : "", r->body_len, &start, &end,
	    &explanation) != 0) {
		err_set(ERR_ACME, "renewal information for %s: %s sent no valid "
		    "suggestedWindow", cert_id, url);
		goto fail;
	}
	ari_set_window(st, start, end, random_u64());
	st->next_check = ari_next_check(r->retry_after, now);
	free(st->explanation_url);
	st->explanation_url = explanation;
	return 0;
fail:
	ari_set_failure(st, now);
	return -1;
}

size_t ari_fetch_all(struct acme *a, char *const *cert_ids, size_t n, time_t now,
    struct ari_state *states, struct err_saved **errors)
{
	const char *base = acme_directory(a)->renewal_info;
	struct acme_reply *r = xcalloc(n ? n : 1, sizeof(*r));
	char **urls = xcalloc(n ? n : 1, sizeof(*urls));
	size_t blen = base ? strlen(base) : 0, failed = 0;

	for (size_t i = 0; i < n; i++) {
		errors[i] = NULL;
		if (states[i].cert_id == NULL || strcmp(states[i].cert_id, cert_ids[i]) != 0) {
			ari_state_clear(&states[i]);
			states[i].cert_id = xstrdup(cert_ids[i]);
		}
		states[i].offered = base != NULL;
		if (base == NULL)
			states[i].next_check = now + ARI_CHECK_MAX_S;
		else
			urls[i] = xasprintf("%.*s/%s", (int)(blen > 0 && base[blen - 1] == '/' ?
			    blen - 1 : blen), base, cert_ids[i]);
	}
	if (base != NULL) {
		/* each answer is judged on its own: a missing one has status 0 */
		acme_get_many(a, urls, n, r);
		err_clear();
		for (size_t i = 0; i < n; i++) {
			if (take_renewal_info(&states[i], cert_ids[i], urls[i], &r[i], now) != 0) {
				errors[i] = err_save();
				failed++;
			}
			acme_reply_clear(&r[i]);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	free(r);
	return failed;
}

int ari_fetch(struct acme *a, const char *cert_id, time_t now, struct ari_state *st)
{
	char *ids[] = { (char *)cert_id };
	struct err_saved *error = NULL;

	if (ari_fetch_all(a, ids, 1, now, st, &error) == 0)
		return 0;
	err_restore(error);
	return -1;
}
