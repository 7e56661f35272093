/* test_ari.c - tables for ARI (RFC 9773): certificate identifiers (the
 * RFC's own example and certificates made here), RFC 3339 times, RenewalInfo
 * bodies, Retry-After bounds, the point picked in a window, the failure
 * backoff, the verdict, and ari.json round trips. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ari.h"
#include "certinfo.h"
#include "err.h"
#include "util.h"
#include "test.h"

/* Sun, 01 Jun 2025 12:00:00 GMT */
#define NOW ((time_t)1748779200)
#define HOUR 3600
#define DAY 86400

/* RFC 9773 Appendix A: AKI keyIdentifier 69:88:5B:...:C8:D4, serial
 * 00:87:65:43:21, identifier aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE. */
static const char rfc9773_example[] =
"-----BEGIN CERTIFICATE-----\n"
"MIIBQzCB66ADAgECAgUAh2VDITAKBggqhkjOPQQDAjAVMRMwEQYDVQQDEwpFeGFt\n"
"cGxlIENBMCIYDzAwMDEwMTAxMDAwMDAwWhgPMDAwMTAxMDEwMDAwMDBaMBYxFDAS\n"
"BgNVBAMTC2V4YW1wbGUuY29tMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeBZu\n"
"7cbpAYNXZLbbh8rNIzuOoqOOtmxA1v7cRm//AwyMwWxyHz4zfwmBhcSrf47NUAFf\n"
"qzLQ2PPQxdTXREYEnKMjMCEwHwYDVR0jBBgwFoAUaYhba4dGQEHhs3uEe6CuLN4B\n"
"yNQwCgYIKoZIzj0EAwIDRwAwRAIge09+S5TZAlw5tgtiVvuERV6cT4mfutXIlwTb\n"
"+FYN/8oCIClDsqBklhB9KAelFiYt9+6FDj3z4KGVelYM5MdsO3pK\n"
"-----END CERTIFICATE-----\n";

/* Makes a signed certificate with the given serial (hex) and AKI
 * keyIdentifier (hex; NULL: no AKI extension; "" an AKI naming only the
 * issuer's serial, no keyIdentifier). Returns PEM text (caller frees). */
static char *make_cert(EVP_PKEY *key, const char *serial_hex, const char *aki_hex)
{
	X509 *x = X509_new();
	BIGNUM *bn = NULL;
	ASN1_INTEGER *serial;
	AUTHORITY_KEYID *akid;
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *pem;
	long len;

	BN_hex2bn(&bn, serial_hex);
	serial = BN_to_ASN1_INTEGER(bn, NULL);
	X509_set_version(x, 2);
	X509_set_serialNumber(x, serial);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	    (const unsigned char *)"ari.test", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), DAY);
	X509_set_pubkey(x, key);
	if (aki_hex != NULL) {
		long n = 0;
		unsigned char *bytes = aki_hex[0] ? OPENSSL_hexstr2buf(aki_hex, &n) : NULL;

		akid = AUTHORITY_KEYID_new();
		if (bytes != NULL) {
			akid->keyid = ASN1_OCTET_STRING_new();
			ASN1_OCTET_STRING_set(akid->keyid, bytes, (int)n);
		} else {
			akid->serial = ASN1_INTEGER_dup(serial);
		}
		X509_add1_ext_i2d(x, NID_authority_key_identifier, akid, 0, 0);
		AUTHORITY_KEYID_free(akid);
		OPENSSL_free(bytes);
	}
	X509_sign(x, key, EVP_sha256());
	PEM_write_bio_X509(b, x);
	len = BIO_get_mem_data(b, &data);
	pem = xstrndup(data, (size_t)len);
	BIO_free(b);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	X509_free(x);
	return pem;
}

static void test_cert_id(void)
{
	static const struct {
		const char *serial;   /* hex */
		const char *aki;      /* hex; NULL none; "" without keyIdentifier */
		const char *id;       /* NULL: no identifier */
	} rows[] = {
		/* the RFC example's values on a certificate of ours */
		{ "87654321", "69885B6B87464041E1B37B847BA0AE2CDE01C8D4",
		  "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE" },
		{ "01", "01", "AQ.AQ" },
		/* high bit set: the DER content has a leading zero */
		{ "80", "FF", "_w.AIA" },
		{ "7F", "FBFF", "-_8.fw" },
		{ "00", "00", "AA.AA" },
		{ "0102030405060708090A0B0C0D0E0F1011121314", "00112233",
		  "ABEiMw.AQIDBAUGBwgJCgsMDQ4PEBESExQ" },
		{ "FF00", "0A0B0C", "CgsM.AP8A" },
		{ "01", NULL, NULL },
		{ "01", "", NULL },
	};
	EVP_PKEY *key = EVP_EC_gen("P-256");
	struct certinfo ci;
	char *pem;

	CHECK(key != NULL, "EC key for the test certificates");
	CHECK_INT(certinfo_parse(rfc9773_example, "rfc9773", &ci), 0, "RFC 9773 example parses");
	CHECK_STR(ci.ari_id, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", "RFC 9773 Appendix A certificate");
	certinfo_clear(&ci);
	for (size_t i = 0; i < nitems(rows); i++) {
		pem = make_cert(key, rows[i].serial, rows[i].aki);
		CHECK_INT(certinfo_parse(pem, "made", &ci), 0, rows[i].serial);
		CHECK_STR(ci.ari_id, rows[i].id, rows[i].serial);
		CHECK_INT(err_kind(), ERR_NONE, "no identifier is no error");
		certinfo_clear(&ci);
		free(pem);
	}
	EVP_PKEY_free(key);
}

static void test_parse_time(void)
{
	static const struct {
		const char *text;
		int ret;
		time_t t;
	} rows[] = {
		{ "2025-06-01T12:00:00Z", 0, NOW },
		{ "2025-06-01t12:00:00z", 0, NOW },
		{ "2025-06-01T12:00:00.123456789Z", 0, NOW },
		{ "2025-06-01T14:00:00+02:00", 0, NOW },
		{ "2025-06-01T07:30:00-04:30", 0, NOW },
		{ "2025-06-01T12:00:00+00:00", 0, NOW },
		{ "2025-06-01T12:01:40Z", 0, NOW + 100 },
		{ "1970-01-01T00:00:00Z", 0, 0 },
		{ "2024-02-29T00:00:00Z", 0, 1709164800 },
		{ "2016-12-31T23:59:60Z", 0, 1483228799 },
		{ "2025-02-29T00:00:00Z", -1, 0 },
		{ "2025-13-01T00:00:00Z", -1, 0 },
		{ "2025-00-01T00:00:00Z", -1, 0 },
		{ "2025-06-31T00:00:00Z", -1, 0 },
		{ "2025-06-01T24:00:00Z", -1, 0 },
		{ "2025-06-01T12:60:00Z", -1, 0 },
		{ "2025-06-01T12:00:61Z", -1, 0 },
		{ "2025-06-01T12:00:00", -1, 0 },
		{ "2025-06-01 12:00:00Z", -1, 0 },
		{ "2025-06-01T12:00:00.Z", -1, 0 },
		{ "2025-06-01T12:00:00Z ", -1, 0 },
		{ "2025-06-01T12:00:00+0200", -1, 0 },
		{ "2025-06-01T12:00:00+24:00", -1, 0 },
		{ "2025-6-01T12:00:00Z", -1, 0 },
		{ "2025-06-01", -1, 0 },
		{ "", -1, 0 },
		{ "Sun, 01 Jun 2025 12:00:00 GMT", -1, 0 },
	};
	char buf[32];

	for (size_t i = 0; i < nitems(rows); i++) {
		time_t t = 0;

		CHECK_INT(ari_parse_time(rows[i].text, &t), rows[i].ret, rows[i].text);
		if (rows[i].ret == 0)
			CHECK_INT(t, rows[i].t, rows[i].text);
	}
	CHECK_STR(ari_format_time(NOW, buf, sizeof(buf)), "2025-06-01T12:00:00Z", "format");
	CHECK_STR(ari_format_time(0, buf, sizeof(buf)), "1970-01-01T00:00:00Z", "format epoch");
}

static void test_renewal_info(void)
{
	static const struct {
		const char *body;
		int ret;
		time_t start, end;
		const char *url;
	} rows[] = {
		{ "{\"suggestedWindow\":{\"start\":\"2025-06-01T12:00:00Z\","
		  "\"end\":\"2025-06-02T12:00:00Z\"}}", 0, NOW, NOW + DAY, NULL },
		{ "{\"suggestedWindow\":{\"start\":\"2025-06-01T12:00:00Z\","
		  "\"end\":\"2025-06-01T12:00:01Z\"},"
		  "\"explanationURL\":\"https://ca.example/why\"}", 0, NOW, NOW + 1,
		  "https://ca.example/why" },
		{ "{\"suggestedWindow\":{\"start\":\"2025-06-01T12:00:00.5Z\","
		  "\"end\":\"2025-06-01T14:00:00+01:00\"},\"explanationURL\":7}",
		  0, NOW, NOW + HOUR, NULL },
		/* end equal to or before start: as if no answer (RFC 9773 4.2) */
		{ "{\"suggestedWindow\":{\"start\":\"2025-06-01T12:00:00Z\","
		  "\"end\":\"2025-06-01T12:00:00Z\"}}", -1, 0, 0, NULL },
		{ "{\"suggestedWindow\":{\"start\":\"2025-06-02T12:00:00Z\","
		  "\"end\":\"2025-06-01T12:00:00Z\"}}", -1, 0, 0, NULL },
		{ "{\"suggestedWindow\":{\"start\":\"2025-06-01T12:00:00Z\"}}", -1, 0, 0, NULL },
		{ "{\"suggestedWindow\":{\"start\":\"yesterday\","
		  "\"end\":\"2025-06-01T12:00:00Z\"}}", -1, 0, 0, NULL },
		{ "{\"suggestedWindow\":{\"start\":1,\"end\":2}}", -1, 0, 0, NULL },
		{ "{\"suggestedWindow\":\"soon\"}", -1, 0, 0, NULL },
		{ "{\"start\":\"2025-06-01T12:00:00Z\",\"end\":\"2025-06-02T12:00:00Z\"}",
		  -1, 0, 0, NULL },
		{ "[]", -1, 0, 0, NULL },
		{ "<html>404</html>", -1, 0, 0, NULL },
		{ "", -1, 0, 0, NULL },
	};

	for (size_t i = 0; i < nitems(rows); i++) {
		time_t start = 0, end = 0;
		char *url = NULL;

		CHECK_INT(ari_parse_renewal_info(rows[i].body, strlen(rows[i].body), &start, &end,
		    &url), rows[i].ret, rows[i].body);
		if (rows[i].ret == 0) {
			CHECK_INT(start, rows[i].start, rows[i].body);
			CHECK_INT(end, rows[i].end, rows[i].body);
		}
		CHECK_STR(url, rows[i].url, rows[i].body);
		free(url);
	}
}

static void test_next_check(void)
{
	static const struct {
		const char *retry_after;
		time_t wait;
	} rows[] = {
		{ NULL, ARI_CHECK_DEFAULT_S },
		{ "21600", 21600 },
		{ "120", 120 },
		{ "60", 60 },
		{ "59", 60 },
		{ "0", 60 },
		{ "86400", 86400 },
		{ "86401", 86400 },
		{ "2147483648", 86400 },
		{ "Sun, 01 Jun 2025 18:00:00 GMT", 6 * HOUR },
		{ "Sun, 01 Jun 2025 11:00:00 GMT", 60 },
		{ "Tue, 01 Jul 2025 12:00:00 GMT", 86400 },
		{ "soon", ARI_CHECK_DEFAULT_S },
		{ "-5", ARI_CHECK_DEFAULT_S },
		{ "", ARI_CHECK_DEFAULT_S },
	};

	CHECK_INT(ARI_CHECK_DEFAULT_S, 6 * HOUR, "default interval");
	for (size_t i = 0; i < nitems(rows); i++)
		CHECK_INT(ari_next_check(rows[i].retry_after, NOW) - NOW, rows[i].wait,
		    rows[i].retry_after ? rows[i].retry_after : "(none)");
}

static void test_window(void)
{
	static const struct {
		time_t old_start, old_end, old_at;  /* state before */
		time_t start, end;                  /* new window */
		uint64_t rnd;
		time_t at;                          /* chosen point */
	} rows[] = {
		/* nothing before: start + rnd % length */
		{ 0, 0, 0, NOW, NOW + DAY, 0, NOW },
		{ 0, 0, 0, NOW, NOW + DAY, 1, NOW + 1 },
		{ 0, 0, 0, NOW, NOW + DAY, DAY - 1, NOW + DAY - 1 },
		{ 0, 0, 0, NOW, NOW + DAY, DAY, NOW },
		{ 0, 0, 0, NOW, NOW + DAY, DAY + 7, NOW + 7 },
		{ 0, 0, 0, NOW, NOW + 1, UINT64_MAX, NOW },
		{ 0, 0, 0, NOW, NOW + 10, UINT64_MAX, NOW + 5 },
		/* the same window keeps its point */
		{ NOW, NOW + DAY, NOW + 5, NOW, NOW + DAY, 99, NOW + 5 },
		/* a moved window gets a new point */
		{ NOW, NOW + DAY, NOW + 5, NOW + HOUR, NOW + DAY, 99, NOW + HOUR + 99 },
		{ NOW, NOW + DAY, NOW + 5, NOW, NOW + 2 * DAY, 99, NOW + 99 },
		/* a kept point outside its window is picked again */
		{ NOW, NOW + DAY, NOW + DAY, NOW, NOW + DAY, 3, NOW + 3 },
		{ NOW, NOW + DAY, NOW - 1, NOW, NOW + DAY, 3, NOW + 3 },
		/* a window in the past: the point is past too (renew at once) */
		{ 0, 0, 0, NOW - 2 * DAY, NOW - DAY, 42, NOW - 2 * DAY + 42 },
	};

	for (size_t i = 0; i < nitems(rows); i++) {
		struct ari_state st = { .start = rows[i].old_start, .end = rows[i].old_end,
		    .renew_at = rows[i].old_at, .failures = 3 };
		char ctx[32];

		snprintf(ctx, sizeof(ctx), "window row %zu", i);
		ari_set_window(&st, rows[i].start, rows[i].end, rows[i].rnd);
		CHECK_INT(st.renew_at, rows[i].at, ctx);
		CHECK_INT(st.start, rows[i].start, ctx);
		CHECK_INT(st.end, rows[i].end, ctx);
		CHECK(st.offered, "%s: offered", ctx);
		CHECK_INT(st.failures, 0, ctx);
	}
}

static void test_failure(void)
{
	static const struct {
		long failures_before;
		time_t wait;
	} rows[] = {
		{ 0, HOUR },
		{ 1, 2 * HOUR },
		{ 2, 4 * HOUR },
		{ 3, 8 * HOUR },
		{ 4, 16 * HOUR },
		{ 5, DAY },
		{ 6, DAY },
		{ 1000, DAY },
	};

	for (size_t i = 0; i < nitems(rows); i++) {
		struct ari_state st = { .failures = rows[i].failures_before, .start = NOW,
		    .end = NOW + DAY, .renew_at = NOW + 9, .offered = true };

		ari_set_failure(&st, NOW);
		CHECK_INT(st.next_check - NOW, rows[i].wait, "backoff");
		CHECK_INT(st.failures, rows[i].failures_before + 1, "failure count");
		CHECK_INT(st.renew_at, NOW + 9, "the chosen point is kept");
	}
}

static void test_verdict(void)
{
	static const struct {
		bool have;          /* false: no state at all */
		const char *id;     /* the state's certificate */
		bool offered;
		time_t renew_at, next_check;
		const char *cert;   /* the certificate asked about */
		enum ari_verdict want;
	} rows[] = {
		{ false, NULL, false, 0, 0, "A.B", ARI_CHECK },
		{ true, "A.B", true, NOW + DAY, NOW + HOUR, "A.B", ARI_WAIT },
		{ true, "A.B", true, NOW, NOW + HOUR, "A.B", ARI_RENEW },
		{ true, "A.B", true, NOW - 1, NOW + HOUR, "A.B", ARI_RENEW },
		{ true, "A.B", true, NOW + 1, NOW + HOUR, "A.B", ARI_WAIT },
		/* time to ask again wins: the window may have moved */
		{ true, "A.B", true, NOW - 1, NOW, "A.B", ARI_CHECK },
		{ true, "A.B", true, NOW + DAY, NOW - 1, "A.B", ARI_CHECK },
		/* state of the previous certificate */
		{ true, "A.B", true, NOW - 1, NOW + HOUR, "A.C", ARI_CHECK },
		{ true, "A.B", true, NOW + DAY, NOW + HOUR, NULL, ARI_CHECK },
		/* the server offers no renewalInfo: wait for the next look */
		{ true, "A.B", false, 0, NOW + DAY, "A.B", ARI_WAIT },
		{ true, "A.B", false, NOW - 1, NOW + DAY, "A.B", ARI_WAIT },
		{ true, "A.B", false, 0, NOW, "A.B", ARI_CHECK },
		/* offered but no window known yet (failed checks) */
		{ true, "A.B", true, 0, NOW + HOUR, "A.B", ARI_WAIT },
		{ true, NULL, true, NOW - 1, NOW + HOUR, "A.B", ARI_CHECK },
	};

	for (size_t i = 0; i < nitems(rows); i++) {
		struct ari_state st = { .cert_id = (char *)rows[i].id, .offered = rows[i].offered,
		    .renew_at = rows[i].renew_at, .next_check = rows[i].next_check };
		char ctx[32];

		snprintf(ctx, sizeof(ctx), "verdict row %zu", i);
		CHECK_INT(ari_verdict(rows[i].have ? &st : NULL, rows[i].cert, NOW),
		    rows[i].want, ctx);
	}
}

static void test_state_json(void)
{
	static const struct {
		const char *json;
		int ret;
	} rows[] = {
		{ "{\"cert_id\":\"A.B\",\"next_check\":\"2025-06-01T12:00:00Z\"}", 0 },
		{ "{\"cert_id\":\"A.B\",\"next_check\":\"2025-06-01T12:00:00Z\","
		  "\"renewal_info\":true,\"window_start\":\"2025-06-01T12:00:00Z\","
		  "\"window_end\":\"2025-06-02T12:00:00Z\",\"renew_at\":\"2025-06-01T13:00:00Z\","
		  "\"failures\":2}", 0 },
		{ "{\"next_check\":\"2025-06-01T12:00:00Z\"}", -1 },
		{ "{\"cert_id\":\"A.B\"}", -1 },
		{ "{\"cert_id\":\"A.B\",\"next_check\":\"tomorrow\"}", -1 },
		{ "{\"cert_id\":\"A.B\",\"next_check\":12}", -1 },
		{ "{\"cert_id\":\"A.B\",\"next_check\":\"2025-06-01T12:00:00Z\","
		  "\"renew_at\":\"soon\"}", -1 },
		{ "{\"cert_id\":7,\"next_check\":\"2025-06-01T12:00:00Z\"}", -1 },
		{ "[]", -1 },
	};
	struct ari_state st = { .cert_id = xstrdup("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"),
	    .offered = true, .start = NOW, .end = NOW + DAY, .renew_at = NOW + 77,
	    .next_check = NOW + 6 * HOUR, .failures = 1,
	    .explanation_url = xstrdup("https://ca.example/why") };
	struct ari_state back = { 0 }, none = { 0 };
	json_t *doc;

	for (size_t i = 0; i < nitems(rows); i++) {
		json_t *j = json_loads(rows[i].json, 0, NULL);
		struct ari_state s = { 0 };

		CHECK_INT(ari_state_from_json(j, &s), rows[i].ret, rows[i].json);
		if (rows[i].ret != 0)
			CHECK(s.cert_id == NULL, "cleared after a bad state");
		ari_state_clear(&s);
		json_decref(j);
	}

	doc = ari_state_to_json(&st);
	CHECK_STR(json_string_value(json_object_get(doc, "renew_at")), "2025-06-01T12:01:17Z",
	    "renew_at is RFC 3339 text");
	CHECK_INT(ari_state_from_json(doc, &back), 0, "round trip");
	CHECK_STR(back.cert_id, st.cert_id, "round trip: cert_id");
	CHECK(back.offered, "round trip: offered");
	CHECK_INT(back.start, st.start, "round trip: start");
	CHECK_INT(back.end, st.end, "round trip: end");
	CHECK_INT(back.renew_at, st.renew_at, "round trip: renew_at");
	CHECK_INT(back.next_check, st.next_check, "round trip: next_check");
	CHECK_INT(back.failures, 1, "round trip: failures");
	CHECK_STR(back.explanation_url, st.explanation_url, "round trip: explanation");
	json_decref(doc);

	/* a server without renewalInfo: no window members at all */
	none.cert_id = xstrdup("A.B");
	none.next_check = NOW + DAY;
	doc = ari_state_to_json(&none);
	CHECK(json_object_get(doc, "window_start") == NULL, "no window written");
	CHECK(json_is_false(json_object_get(doc, "renewal_info")), "renewal_info false");
	ari_state_clear(&back);
	CHECK_INT(ari_state_from_json(doc, &back), 0, "round trip without window");
	CHECK(!back.offered && back.renew_at == 0 && back.start == 0, "still no window");
	json_decref(doc);
	ari_state_clear(&back);

	CHECK_INT(ari_state_load("/nonexistent/ari.json", &back), -1, "missing file");
	CHECK_INT(err_kind(), ERR_NONE, "a missing ari.json records no error");
	ari_state_clear(&back);
	ari_state_clear(&none);
	ari_state_clear(&st);
}

int main(void)
{
	test_cert_id();
	test_parse_time();
	test_renewal_info();
	test_next_check();
	test_window();
	test_failure();
	test_verdict();
	test_state_json();
	return test_done();
}
