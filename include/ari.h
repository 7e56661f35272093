/* ari.h - ACME Renewal Information (RFC 9773): the certificate identifier,
 * the suggested renewal window, the point inside it at which to renew and
 * when to ask the server again.
 *
 * The state of one certificate is kept in ari.json next to it, in its
 * generation directory (STATE/certs/NAME/ari.json), so a renewed certificate
 * starts with no state and is asked about afresh. */
#ifndef ACMECTL_ARI_H
#define ACMECTL_ARI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "acme.h"

/* Retry-After bounds (RFC 9773 4.3: "values under one minute ... as if they
 * were one minute and values over one day ... as if they were one day") and
 * the interval used when the server sends none or an invalid one. */
#define ARI_CHECK_MIN_S 60
#define ARI_CHECK_MAX_S 86400
#define ARI_CHECK_DEFAULT_S (6 * 3600)

/* What is known about one certificate's renewal window. */
struct ari_state {
	char *cert_id;          /* the certificate this is about; owned */
	bool offered;           /* the server has a renewalInfo resource */
	time_t start, end;      /* suggested window; 0, 0 when none known */
	time_t renew_at;        /* chosen point in [start, end); 0 when none */
	time_t next_check;      /* not to be asked again before this */
	long failures;          /* failed checks in a row (backoff) */
	char *explanation_url;  /* owned; NULL when the server gave none */
};

/* What the stored state says should happen now. */
enum ari_verdict {
	ARI_WAIT,   /* not due, and not time to ask again */
	ARI_RENEW,  /* the chosen point in the window has come */
	ARI_CHECK,  /* time to ask the server (or nothing known yet) */
};

/* The identifier of certificate x (RFC 9773 4.1): base64url(keyIdentifier
 * of its Authority Key Identifier) "." base64url(content octets of the DER
 * encoding of its serial number). Returns a new string (caller frees), or
 * NULL when x has no AKI keyIdentifier (it has no ARI then). Records
 * nothing in err. certinfo_parse() fills certinfo.ari_id with it. */
char *ari_x509_id(X509 *x);

/* The same identifier from its parts: the AKI keyIdentifier and the serial
 * number (both borrowed). Caller frees; NULL when keyid is NULL or empty.
 * Records nothing in err. */
char *ari_id_of(const ASN1_OCTET_STRING *keyid, const ASN1_INTEGER *serial_number);

/* Parses an RFC 3339 date-time ("2025-01-02T04:00:00Z"; fractional seconds,
 * lower-case t/z and +hh:mm/-hh:mm offsets allowed). Stores the time in
 * *out. Returns 0, or -1 when s is not one (records nothing in err). */
int ari_parse_time(const char *s, time_t *out);

/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into buf (size >= 21). Returns buf. */
char *ari_format_time(time_t t, char *buf, size_t size);

/* Parses a RenewalInfo object (RFC 9773 4.2): its suggestedWindow start
 * and end and, when present, its explanationURL (*explanation_url: new
 * string, caller frees, or NULL). Returns 0, or -1 when the body is not a
 * valid RenewalInfo (no window, unparsable times, or end not after start,
 * which the RFC says to treat as no answer). Records nothing in err. */
int ari_parse_renewal_info(const char *body, size_t len, time_t *start, time_t *end,
    char **explanation_url);

/* When to ask again after an answer that came at now with the Retry-After
 * value retry_after (NULL when absent): now + its seconds clamped to
 * [ARI_CHECK_MIN_S, ARI_CHECK_MAX_S], or now + ARI_CHECK_DEFAULT_S when it
 * is absent or invalid. */
time_t ari_next_check(const char *retry_after, time_t now);

/* Records the suggested window [start, end) (end > start) in st. The chosen
 * point is kept when the window is the same as before and the point lies in
 * it; otherwise it becomes start + rnd % (end - start), a uniform random
 * point for a uniform rnd (RFC 9773 4.2). Clears the failure count. */
void ari_set_window(struct ari_state *st, time_t start, time_t end, uint64_t rnd);

/* Records a failed check at now: one more failure, and the next check after
 * 1 h, doubled per failure in a row up to ARI_CHECK_MAX_S. The window and
 * chosen point known before are kept. */
void ari_set_failure(struct ari_state *st, time_t now);

/* The verdict of st for the certificate cert_id at now. Pure:
 *   ARI_CHECK when st is NULL, is about another certificate, or its next
 *             check time has come;
 *   ARI_RENEW when the server offers renewalInfo and the chosen point of
 *             its window has come;
 *   ARI_WAIT  otherwise. */
enum ari_verdict ari_verdict(const struct ari_state *st, const char *cert_id, time_t now);

/* st as the JSON object kept in ari.json. New reference. */
json_t *ari_state_to_json(const struct ari_state *st);

/* Fills st (zeroed first) from an ari.json object. Returns 0, or -1 when
 * doc lacks cert_id or next_check or holds a bad time (st is then cleared;
 * records nothing in err). Release st with ari_state_clear either way. */
int ari_state_from_json(json_t *doc, struct ari_state *st);

/* Reads the ari.json at path into st. Returns 0, or -1 when it is missing
 * or not valid (records nothing in err: no state just means "ask"). */
int ari_state_load(const char *path, struct ari_state *st);

/* Writes st to path atomically (0644). 0 or -1 with ERR_STORAGE. */
int ari_state_save(const char *path, const struct ari_state *st);

/* Frees what st owns and zeroes it. */
void ari_state_clear(struct ari_state *st);

/* Asks the server behind a (directory loaded) about cert_id at now and
 * records the answer in st (cert_id set): when the directory has no
 * renewalInfo, offered false and the next check in ARI_CHECK_MAX_S; else
 * the window, a point in it and the next check from Retry-After. Returns 0,
 * or -1 with err set (ERR_NETWORK when no answer came, ERR_ACME for an HTTP
 * error or an invalid RenewalInfo) after recording the failure in st. */
int ari_fetch(struct acme *a, const char *cert_id, time_t now, struct ari_state *st);

/* ari_fetch for the n certificates cert_ids[i] into states[i], their GETs
 * sent together (acme_get_many). errors[i] is NULL, or why that one failed
 * (caller err_restore()s or err_saved_free()s). Returns the number that
 * failed; records nothing in err. */
size_t ari_fetch_all(struct acme *a, char *const *cert_ids, size_t n, time_t now,
    struct ari_state *states, struct err_saved **errors);

#endif
