/* test_cm_url.c - the Issuer's URLs as Go's url.Parse reads them, with
 * the errors Go 1.19 printed for each row, and cert-manager's InvalidURL
 * condition. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certmanager.h"
#include "diagnose.h"
#include "test.h"
#include "util.h"

static const struct {
	const char *url, *want;   /* want NULL: url.Parse accepts it */
} rows[] = {
	{ "https://acme-v02.api.letsencrypt.org/directory", NULL },
	{ "http://h/dir", NULL },
	{ "https://h:80:80/", NULL },
	{ "https://h:/", NULL },
	{ "https://user@h:99999/", NULL },
	{ "https://h_1/", NULL },
	{ "*", NULL },
	{ "https://exa mple.com/dir",
	  "parse \"https://exa mple.com/dir\": invalid character \" \" in host name" },
	{ "https://ex\001.com/",
	  "parse \"https://ex\\x01.com/\": net/url: invalid control character in URL" },
	{ "https://[::1/dir", "parse \"https://[::1/dir\": missing ']' in host" },
	{ "https://host:port/", "parse \"https://host:port/\": invalid port \":port\" after host" },
	{ "https://h/%zz", "parse \"https://h/%zz\": invalid URL escape \"%zz\"" },
	{ " https://h/", "parse \" https://h/\": first path segment in URL cannot contain colon" },
	{ "https://h/dir%", "parse \"https://h/dir%\": invalid URL escape \"%\"" },
	{ "://h", "parse \"://h\": missing protocol scheme" },
	{ "https://ex%41mple.com/",
	  "parse \"https://ex%41mple.com/\": invalid URL escape \"%41\"" },
	{ "https://[::1]x/", "parse \"https://[::1]x/\": invalid port \"x\" after host" },
	{ "1https://h/", "parse \"1https://h/\": first path segment in URL cannot contain colon" },
	{ "https://h/\177", "parse \"https://h/\\x7f\": net/url: invalid control character in URL" },
	/* the fragment's error quotes the whole URL, the others the part before '#' */
	{ "https://h/#%zz", "parse \"https://h/#%zz\": invalid URL escape \"%zz\"" },
	{ "https://a b/#x", "parse \"https://a b/\": invalid character \" \" in host name" },
	{ "https://u^@h/", "parse \"https://u^@h/\": net/url: invalid userinfo" },
};

static void test_parse(void)
{
	char *got;

	for (size_t i = 0; i < nitems(rows); i++) {
		got = cm_url_parse_error(rows[i].url);
		CHECK_STR(got, rows[i].want, rows[i].url);
		free(got);
	}
}

static void test_view(void)
{
	struct cm_version v;
	struct diag_facts f;
	struct diag_report r;
	const char *url = "https://acme example.com/dir";
	const char *want = "Failed to parse existing ACME server URI \"https://acme "
	    "example.com/dir\": parse \"https://acme example.com/dir\": invalid character "
	    "\" \" in host name";
	char *err = cm_url_parse_error(url);

	memset(&f, 0, sizeof(f));
	CHECK_INT(cm_version_parse("v1.0.0", &v), 0, "version");
	f.cm = v;
	f.server = url;
	f.config = DCONF_INVALID_URL;
	f.invalid_url_what = "server";
	f.invalid_url_value = url;
	f.invalid_url = err;
	diag_conclude(&f, &r);
	CHECK_STR(diag_verdict_name(r.verdict), "config_invalid", "InvalidURL verdict");
	CHECK_STR(r.cm.reason, "InvalidURL", "InvalidURL reason");
	CHECK_STR(r.cm.message, want, "InvalidURL message");
	CHECK_INT(r.cm.nevents, 1, "InvalidURL event");
	CHECK_STR(r.cm.nevents == 1 ? r.cm.events[0].message : NULL, want, "event message");
	CHECK_INT(r.cm.requeue, 0, "InvalidURL is not retried");
	CHECK(r.nadvice > 0 && strstr(r.advice[0], "fix spec.acme.server") != NULL,
	    "advice: %s", r.nadvice > 0 ? r.advice[0] : "none");
	diag_report_free(&r);
	f.invalid_url_what = "account";
	diag_conclude(&f, &r);
	CHECK(r.cm.message != NULL && strncmp(r.cm.message, "Failed to parse existing ACME "
	    "account URI", 39) == 0, "account URI: %s", r.cm.message);
	CHECK(r.nadvice > 0 && strstr(r.advice[0], "clear status.acme.uri") != NULL,
	    "account advice: %s", r.nadvice > 0 ? r.advice[0] : "none");
	diag_report_free(&r);
	free(err);
}

/* Go's strconv.Quote, as Go 1.19 printed it for each row. */
static const struct {
	const char *in, *want, *why;
} quote_rows[] = {
	{ "tok-1_A.thumb", "\"tok-1_A.thumb\"", "a key authorization needs no escape" },
	{ "a\"b\\c", "\"a\\\"b\\\\c\"", "quote and backslash escaped" },
	{ "\a\b\t\n\v\f\r", "\"\\a\\b\\t\\n\\v\\f\\r\"", "the named escapes" },
	{ "\001\037\177", "\"\\x01\\x1f\\x7f\"", "other controls and DEL as hex" },
	{ "caf\303\251", "\"caf\303\251\"", "printable UTF-8 kept" },
	{ "\377", "\"\\xff\"", "a byte of no UTF-8 sequence as hex" },
	{ "\302\200\302\255", "\"\\u0080\\u00ad\"", "a C1 control and the soft hyphen as runes" },
	{ "\302\240", "\"\\u00a0\"", "a no-break space is no ASCII space: not printable" },
	{ "a\342\200\213b", "\"a\\u200bb\"", "a zero-width space is not printable" },
	{ "\342\200\250\357\273\277", "\"\\u2028\\ufeff\"", "line separator and BOM" },
	{ "\364\217\277\277", "\"\\U0010ffff\"", "a non-printing rune above U+FFFF as \\U" },
	{ "\314\201\357\277\275", "\"\314\201\357\277\275\"",
	  "a combining mark and U+FFFD are printable" },
	{ "\355\240\200", "\"\\xed\\xa0\\x80\"", "a surrogate is no rune" },
	{ "\300\257", "\"\\xc0\\xaf\"", "an overlong form is no rune" },
	{ "\342\202", "\"\\xe2\\x82\"", "a sequence cut short, each byte as hex" },
	{ "", "\"\"", "empty" },
};

static void test_quote(void)
{
	for (size_t i = 0; i < nitems(quote_rows); i++) {
		char *got = cm_go_quote(quote_rows[i].in);

		CHECK(strcmp(got, quote_rows[i].want) == 0, "%s: got %s, want %s",
		    quote_rows[i].why, got, quote_rows[i].want);
		free(got);
	}
}

int main(void)
{
	test_quote();
	test_parse();
	test_view();
	return test_done();
}
