/* test_register.c - cert-manager's account requests and their inputs: the
 * model (contact, contact update, the EAB MAC key as it decodes it, the
 * views per version) and what diagnose concludes from the account step and
 * the EAB and key Secrets, per version. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certmanager.h"
#include "diagnose.h"
#include "test.h"
#include "test_diag.h"
#include "util.h"

#pragma GCC diagnostic ignored "-Woverride-init"

/* Go 1.19's base64.RawURLEncoding.Decode into a DecodedLen buffer, as
 * cert-manager's getEABKey does; want_hex NULL when it fails with err. */
static const struct {
	const char *in, *want_hex, *err;
} eab_rows[] = {
	{ "", "", NULL },
	{ "YWJj", "616263", NULL },
	{ "YWJjZA", "61626364", NULL },
	{ "YWJjZA==", NULL, "illegal base64 data at input byte 6" },
	{ "YW+j", NULL, "illegal base64 data at input byte 2" },
	{ "YW/j", NULL, "illegal base64 data at input byte 2" },
	{ "YWJjZ", NULL, "illegal base64 data at input byte 4" },
	/* a skipped line break leaves a zero byte at the end of the key */
	{ "YWJj\nZA", "6162636400", NULL },
	{ "a", NULL, "illegal base64 data at input byte 0" },
	{ "YWJj ZA", NULL, "illegal base64 data at input byte 4" },
	{ "YWJjZGVm=", NULL, "illegal base64 data at input byte 8" },
	{ "\nYWJjZ", NULL, "illegal base64 data at input byte 5" },
	{ "YWJjZGVmZ2hp\r\nx", NULL, "illegal base64 data at input byte 14" },
	{ "_-_-", "ffeffe", NULL },
};

static void test_eab_key(void)
{
	unsigned char *key;
	size_t len;
	char *err, hex[64], want[128];

	for (size_t i = 0; i < nitems(eab_rows); i++) {
		err = cm_eab_key_decode((const unsigned char *)eab_rows[i].in,
		    strlen(eab_rows[i].in), &key, &len);
		if (eab_rows[i].err != NULL) {
			snprintf(want, sizeof(want), "failed to decode external account binding "
			    "key data: %s", eab_rows[i].err);
			CHECK_STR(err, want, eab_rows[i].in);
			CHECK(key == NULL, "[%s] no key on failure", eab_rows[i].in);
		} else {
			CHECK_STR(err, NULL, eab_rows[i].in);
			for (size_t j = 0; j < len && j < sizeof(hex) / 2 - 1; j++)
				snprintf(hex + 2 * j, 3, "%02x", key[j]);
			hex[2 * (len < sizeof(hex) / 2 - 1 ? len : 0)] = '\0';
			CHECK_STR(hex, eab_rows[i].want_hex, eab_rows[i].in);
		}
		free(err);
		free(key);
	}
}

/* ensureEmailUpToDate: Contact[0] without its first "mailto:", compared
 * exactly with spec.acme.email. */
static const struct {
	const char *contact, *email;
	bool updates;
} contact_rows[] = {
	{ "mailto:ops@example.com", "ops@example.com", false },
	{ "mailto:ops@example.com", "Ops@example.com", true },
	{ "mailto:ops@example.com", "", true },
	{ "mailto:ops@example.com", NULL, true },
	{ NULL, "ops@example.com", true },
	{ NULL, NULL, false },
	{ NULL, "", false },
	{ "ops@example.com", "ops@example.com", false },
	{ "tel:+1555mailto:x", "tel:+1555x", false },
	{ "mailto:a@b", "a@b ", true },
};

static void test_contact(void)
{
	char *c;

	for (size_t i = 0; i < nitems(contact_rows); i++)
		CHECK_INT(cm_updates_contact(contact_rows[i].contact, contact_rows[i].email),
		    contact_rows[i].updates, contact_rows[i].email ? contact_rows[i].email :
		    "(null)");
	c = cm_contact("Ops@Example.COM");
	CHECK_STR(c, "mailto:ops@example.com", "contact lower-cased");
	free(c);
	CHECK_STR(cm_contact(""), NULL, "no contact for \"\"");
	CHECK_STR(cm_contact(NULL), NULL, "no contact for NULL");
}

static void test_texts(void)
{
	char *s;

	s = cm_err_secret_not_found("eab");
	CHECK_STR(s, "secrets \"eab\" not found", "NotFound");
	free(s);
	s = cm_err_eab_key_missing("eab", "secret");
	CHECK_STR(s, "failed to find external account binding key data in Secret \"eab\" at "
	    "index \"secret\"", "key missing");
	free(s);
	s = cm_err_key_data_missing("tls.key", "cert-manager", "acme-key");
	CHECK_STR(s, "no data for \"tls.key\" in secret 'cert-manager/acme-key'",
	    "account key Secret without its data key");
	free(s);
	s = cm_err_key_data_missing("a\"b\n", "ns", "acme-key");
	CHECK_STR(s, "no data for \"a\\\"b\\n\" in secret 'ns/acme-key'",
	    "a privateKeySecretRef.key no Secret can hold, quoted as Go's %q");
	free(s);
}

#define URL "https://acme.example.com/directory"
#define ACCT_URL "https://acme.example.com/acme/new-acct"
#define REG "Failed to register ACME account: "
#define VER "Failed to verify ACME account: "
#define NOTFOUND "secrets \"eab\" not found"
#define DAKG "Failed to verify ACME account: the ACME issuer config has " \
	"'disableAccountKeyGeneration' set to true, but the secret was not found: " \
	"secrets \"acct\" not found"
#define UNAUTH "urn:ietf:params:acme:error:unauthorized: external account binding " \
	"JWS verification error: square/go-jose: error in cryptographic primitive"
#define CONTACT "urn:ietf:params:acme:error:invalidContact: contact email \"x\" is invalid"

static const struct diag_conn C4_OK[] = { { "192.0.2.10", false, DCONN_OK, NULL, 3 } };
static const char *const SAN[] = { "acme.example.com" };

#define SERVER .server = URL, .server_source = "--server", .host = "acme.example.com", \
	.port = 443, .step_timeout_ms = 5000, .trust = "the system store"
#define UPTO_NONCE SERVER, .route = DROUTE_DIRECT, .route_reason = "no proxy configured", \
	.rules = "go", .dns = DDNS_OK, .dns_name = "acme.example.com", \
	.dns_answer = "192.0.2.10", .nameserver = "10.96.0.10", .conns = C4_OK, \
	.nconns = 1, .tls = DTLS_OK, .tls_version = "TLSv1.3", .subject = "CN=acme", \
	.issuer = "CN=R3", .dns_names = SAN, .ndns = 1, .http = DHTTP_OK, \
	.http_status = 200, .new_nonce_url = URL, .new_account_url = ACCT_URL, \
	.nonce = DNONCE_OK, .nonce_status = 200, .key_desc = "RSA 2048", \
	.key_source = "Secret acct", .email = "ops@example.com", .tos_in_directory = true
#define EAB .eab_configured = true, .eab_secret_name = "eab", .eab_secret_key = "secret"
#define REGISTERED .register_sent = true, .account_url = "https://acme.example.com/acct/1"
/* newAccount answered status (code, as text) with the problem "type: detail" */
#define REFUSED(status, code, problem) .register_sent = true, .account = DACCT_FAILED, \
	.account_request = "newAccount", .account_status = status, \
	.account_4xx = status / 100 == 4, .account_go_error = code " " problem, \
	.account_problem = problem

static const struct {
	const char *name;
	const char *version;
	struct diag_facts f;
	const char *verdict;
	const char *reason, *message;
	const char *events;       /* event reasons, comma-separated */
	bool requeue;
	const char *finding;      /* an id that must be there, or NULL */
	const char *advice;       /* a part of some advice line */
	const char *not_advice;   /* a part no advice line may have, or NULL */
	const char *account_line; /* a part of the account step's line, or NULL */
} rows[] = {
	{ "EAB Secret missing", NULL, { SERVER, EAB, .config = DCONF_EAB_INVALID,
	  .eab_invalid = NOTFOUND },
	  "config_invalid", "ErrRegisterACMEAccount", REG NOTFOUND, "ErrRegisterACMEAccount",
	  false, NULL, "under key secret of the Secret eab", "delete", NULL },
	{ "EAB Secret missing, v1.4.0", "v1.4.0", { SERVER, EAB, .config = DCONF_EAB_INVALID,
	  .eab_invalid = NOTFOUND },
	  "config_invalid", "ErrRegisterACMEAccount", REG NOTFOUND, "ErrRegisterACMEAccount",
	  false, NULL, "base64url without padding", NULL, NULL },
	{ "EAB Secret missing, v1.3.3", "v1.3.3", { SERVER, EAB, .config = DCONF_EAB_INVALID,
	  .eab_invalid = NOTFOUND },
	  "config_invalid", "ErrRegisterACMEAccount",
	  "External Account Binding MAC key is invalid: " NOTFOUND, "ErrRegisterACMEAccount",
	  false, NULL, "Secret eab", NULL, NULL },
	{ "EAB Secret missing, v1.0.0", "v1.0.0", { SERVER, EAB, .config = DCONF_EAB_INVALID,
	  .eab_invalid = NOTFOUND },
	  "config_invalid", "ErrRegisterACMEAccount",
	  "External Account Binding MAC key is invalid: " NOTFOUND, "ErrRegisterACMEAccount",
	  false, NULL, "Secret eab", NULL, NULL },
	{ "key Secret missing, generation disabled", NULL, { SERVER,
	  .config = DCONF_KEY_SECRET_MISSING, .key_secret_name = "acct",
	  .key_secret_missing = "secrets \"acct\" not found", .key_generation_disabled = true },
	  "config_invalid", "ErrVerifyACMEAccount", DAKG, "ErrInitIssuer", true, NULL,
	  "create the Secret acct", "delete the Secret", NULL },
	{ "key Secret missing, generation disabled, v1.0.0", "v1.0.0", { SERVER,
	  .config = DCONF_KEY_SECRET_MISSING, .key_secret_name = "acct",
	  .key_secret_missing = "secrets \"acct\" not found", .key_generation_disabled = true },
	  "config_invalid", "ErrVerifyACMEAccount", DAKG, "ErrInitIssuer", true, NULL,
	  "disableAccountKeyGeneration is set", "delete the Secret", NULL },
	{ "register: created", NULL, { UPTO_NONCE, EAB, REGISTERED, .eab_key_known = true,
	  .account = DACCT_CREATED, .account_status = 201 },
	  "ok", "ACMEAccountRegistered", "The ACME account was registered with the ACME server",
	  "", false, NULL, "nothing to change", NULL,
	  "POST newAccount with contact mailto:ops@example.com, termsOfServiceAgreed and "
	  "externalAccountBinding -> 201" },
	{ "register: found, contact updated", NULL, { UPTO_NONCE, REGISTERED,
	  .account = DACCT_FOUND, .account_status = 200, .contact_updated = true,
	  .account_contact = "mailto:old@example.com" },
	  "ok", "ACMEAccountRegistered", "The ACME account was registered with the ACME server",
	  "", false, "contact_updated", "nothing to change", NULL, "onlyReturnExisting -> 200" },
	{ "register: wrong MAC key", NULL, { UPTO_NONCE, EAB, REFUSED(403, "403", UNAUTH),
	  .eab_key_known = true },
	  "account_error", "ErrRegisterACMEAccount", REG "403 " UNAUTH, "", false, NULL,
	  "check its keyID and the MAC key in its Secret eab, key secret", "set spec.acme",
	  "POST newAccount with contact mailto:ops@example.com, termsOfServiceAgreed and "
	  "externalAccountBinding -> 403: urn:ietf:params:acme:error:unauthorized" },
	{ "register: wrong MAC key, v1.3.0", "v1.3.0", { UPTO_NONCE, EAB,
	  REFUSED(403, "403", UNAUTH), .eab_key_known = true },
	  "account_error", "ErrRegisterACMEAccount", VER "403 " UNAUTH, "ErrVerifyACMEAccount", false,
	  NULL, "check its keyID", NULL, NULL },
	{ "register: binding required, none set", NULL, { UPTO_NONCE, .eab_required = true,
	  REFUSED(403, "403", "urn:ietf:params:acme:error:externalAccountRequired: required") },
	  "account_error", "ErrRegisterACMEAccount",
	  REG "403 urn:ietf:params:acme:error:externalAccountRequired: required", "", false,
	  "eab_required", "set spec.acme.externalAccountBinding (keyID, keySecretRef)", NULL,
	  NULL },
	{ "register: invalid contact", NULL, { UPTO_NONCE, REFUSED(400, "400", CONTACT) },
	  "account_error", "ErrRegisterACMEAccount", REG "400 " CONTACT, "", false, NULL,
	  "fix spec.acme.email", "externalAccountBinding", NULL },
	{ "register: rate limited", "v1.8.1", { UPTO_NONCE, REFUSED(429, "429",
	  "urn:ietf:params:acme:error:rateLimited: too many registrations") },
	  "account_error", "ErrRegisterACMEAccount",
	  REG "429 urn:ietf:params:acme:error:rateLimited: too many registrations", "", false,
	  NULL, "does not retry a 4xx", NULL, NULL },
	{ "register: CA error, retried", NULL, { UPTO_NONCE, REFUSED(500, "500",
	  "urn:ietf:params:acme:error:serverInternal: oops") },
	  "account_error", "ErrRegisterACMEAccount",
	  REG "500 urn:ietf:params:acme:error:serverInternal: oops", "ErrInitIssuer", true,
	  NULL, "the CA refused the registration", NULL, NULL },
	{ "register: contact update refused", NULL, { UPTO_NONCE, REGISTERED,
	  .account = DACCT_UPDATE_FAILED, .account_request = "update", .account_status = 400,
	  .account_4xx = true, .account_go_error = "400 " CONTACT, .account_problem = CONTACT },
	  "account_error", "ErrUpdateACMEAccount", "Failed to update ACME account:400 " CONTACT,
	  "ErrUpdateACMEAccount", false, NULL, "fix spec.acme.email", NULL,
	  "(contact update, as cert-manager sends it)" },
	{ "register: contact update, CA error", "v1.2.0", { UPTO_NONCE, REGISTERED,
	  .account = DACCT_UPDATE_FAILED, .account_request = "update", .account_status = 503,
	  .account_go_error = "503 : busy", .account_problem = "busy" },
	  "account_error", "ErrUpdateACMEAccount", "Failed to update ACME account:503 : busy",
	  "ErrUpdateACMEAccount,ErrInitIssuer", true, NULL, "the contact update", NULL, NULL },
	{ "lookup: found, contact differs", NULL, { UPTO_NONCE, .account = DACCT_FOUND,
	  .account_url = "https://acme.example.com/acct/1", .email = "Ops@example.com",
	  .account_contact = "mailto:ops@example.com" },
	  "ok", "ACMEAccountRegistered", "The ACME account was registered with the ACME server",
	  "", false, "contact_update", "nothing to change", NULL, NULL },
	{ "lookup: not found, binding set", NULL, { UPTO_NONCE, EAB,
	  .account = DACCT_NOT_FOUND, .account_status = 400,
	  .account_problem = "accountDoesNotExist: no account" },
	  "account_not_found", "ACMEAccountRegistered",
	  "The ACME account was registered with the ACME server", "", false, "eab_not_checked",
	  "register a new one", NULL, "acmectl asked onlyReturnExisting instead" },
	{ "no key: the request cert-manager sends", NULL, { UPTO_NONCE, .account = DACCT_NO_KEY,
	  .email = NULL, .tos_in_directory = false },
	  "ok", "ACMEAccountRegistered", "The ACME account was registered with the ACME server",
	  "", false, NULL, "nothing to change", NULL,
	  "cert-manager POSTs newAccount with an empty payload" },
};

static char *event_reasons(const struct diag_report *r)
{
	char *s = xstrdup(""), *t;

	for (size_t i = 0; i < r->cm.nevents; i++) {
		t = xasprintf("%s%s%s", s, i > 0 ? "," : "", r->cm.events[i].reason);
		free(s);
		s = t;
	}
	return s;
}

static void test_rows(void)
{
	struct diag_report r;
	char *events;

	for (size_t i = 0; i < nitems(rows); i++) {
		if (!test_conclude(&rows[i].f, rows[i].version, &r)) {
			CHECK(false, "[%s] no release %s", rows[i].name, rows[i].version);
			continue;
		}
		CHECK_STR(diag_verdict_name(r.verdict), rows[i].verdict, rows[i].name);
		CHECK_STR(r.cm.reason, rows[i].reason, rows[i].name);
		CHECK_STR(r.cm.message, rows[i].message, rows[i].name);
		events = event_reasons(&r);
		CHECK_STR(events, rows[i].events, rows[i].name);
		free(events);
		CHECK_INT(r.cm.requeue, rows[i].requeue, rows[i].name);
		CHECK(rows[i].finding == NULL || diag_has_finding(&r, rows[i].finding),
		    "[%s] no finding %s", rows[i].name, rows[i].finding);
		CHECK(test_advice_has(&r, rows[i].advice), "[%s] no advice containing \"%s\"",
		    rows[i].name, rows[i].advice);
		CHECK(rows[i].not_advice == NULL || !test_advice_has(&r, rows[i].not_advice),
		    "[%s] advice containing \"%s\"", rows[i].name, rows[i].not_advice);
		CHECK(rows[i].account_line == NULL || (r.steps[DIAG_ACCOUNT].detail != NULL &&
		    strstr(r.steps[DIAG_ACCOUNT].detail, rows[i].account_line) != NULL),
		    "[%s] account line \"%s\" lacks \"%s\"", rows[i].name,
		    r.steps[DIAG_ACCOUNT].detail, rows[i].account_line);
		diag_report_free(&r);
	}
}

int main(void)
{
	test_eab_key();
	test_contact();
	test_texts();
	test_rows();
	return test_done();
}
