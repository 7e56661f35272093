/* test_dircache.c - the kept directory.json read back as what it is: a
 * file in the state that anyone able to write there could have changed.
 * Each row is a kept file and why it must not be used (NULL: used). */
#include "config.h"

#include <jansson.h>

#include "dircache.h"
#include "test.h"

#define SERVER "https://ca.example:14000/dir"
#define NOW 1800000000L              /* 2027-01-15T08:00:00Z */
#define FRESH "2027-01-15T07:00:00Z" /* an hour before NOW */
#define RES(h) "\"newNonce\":\"https://" h "/nonce\",\"newAccount\":\"https://" h "/acct\"," \
	"\"newOrder\":\"https://" h "/order\""
#define KEPT(url, fetched, dir) "{\"url\":\"" url "\",\"fetched\":\"" fetched "\"," \
	"\"directory\":{" dir "}}"

static const struct {
	const char *text;
	const char *why;
} rows[] = {
	{ KEPT(SERVER, FRESH, RES("ca.example:14000")), NULL },
	{ KEPT(SERVER, FRESH, RES("ca.example:14000") ",\"renewalInfo\":\"HTTPS://CA.Example:14000/ari\","
	  "\"meta\":{\"termsOfService\":\"http://elsewhere.example/tos\"}"), NULL },
	{ KEPT(SERVER, "2027-01-14T08:00:01Z", RES("ca.example:14000")), NULL },
	/* too old, from the future, no time */
	{ KEPT(SERVER, "2027-01-14T08:00:00Z", RES("ca.example:14000")), "fetched a day ago or more" },
	{ KEPT(SERVER, "2027-01-15T08:00:01Z", RES("ca.example:14000")), "no usable fetch time" },
	{ KEPT(SERVER, "yesterday", RES("ca.example:14000")), "no usable fetch time" },
	/* another server's, or another directory of the same host */
	{ KEPT("https://ca.example:14000/staging", FRESH, RES("ca.example:14000")),
	  "kept for another server URL" },
	/* resources elsewhere: plain http, another host or port, userinfo, not a string */
	{ KEPT(SERVER, FRESH, RES("ca.example:14000") ",\"newNonce\":\"http://ca.example:14000/n\""),
	  "a resource that is not an https URL of the server's host" },
	{ KEPT(SERVER, FRESH, RES("evil.example:14000")),
	  "a resource that is not an https URL of the server's host" },
	{ KEPT(SERVER, FRESH, RES("ca.example:14001")),
	  "a resource that is not an https URL of the server's host" },
	{ KEPT(SERVER, FRESH, RES("ca.example:1400")),
	  "a resource that is not an https URL of the server's host" },
	{ KEPT(SERVER, FRESH, RES("ca.example:14000.evil.example")),
	  "a resource that is not an https URL of the server's host" },
	{ KEPT(SERVER, FRESH, RES("ca.example:14000@evil.example")),
	  "a resource that is not an https URL of the server's host" },
	{ KEPT(SERVER, FRESH, RES("ca.example:14000") ",\"revokeCert\":7"),
	  "a resource that is not an https URL of the server's host" },
	/* not the shape at all */
	{ "", "not a kept directory" },
	{ "{\"url\":\"" SERVER "\"", "not a kept directory" },
	{ "[" KEPT(SERVER, FRESH, RES("ca.example:14000")) "]", "not a kept directory" },
	{ "{\"url\":\"" SERVER "\",\"fetched\":\"" FRESH "\",\"directory\":\"x\"}",
	  "not a kept directory" },
	{ "{\"url\":7,\"fetched\":\"" FRESH "\",\"directory\":{}}", "not a kept directory" },
};

int main(void)
{
	for (size_t i = 0; i < nitems(rows); i++) {
		const char *why = "unset";
		json_t *dir = dircache_parse(rows[i].text, strlen(rows[i].text), SERVER, NOW, &why);
		char ctx[40];

		snprintf(ctx, sizeof(ctx), "row %zu", i);
		CHECK_STR(why, rows[i].why, ctx);
		CHECK((dir != NULL) == (rows[i].why == NULL), "%s: a directory only when usable", ctx);
		if (dir != NULL)
			CHECK_STR(json_string_value(json_object_get(dir, "newOrder")),
			    "https://ca.example:14000/order", ctx);
		json_decref(dir);
	}
	return test_done();
}
