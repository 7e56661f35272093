/* test_sanitize.c - server text made safe to print and to put in JSON:
 * controls and invalid UTF-8 escaped, valid UTF-8 kept, length capped;
 * str_is_utf8 against jansson's own check; json_xdumps against json_dumps. */
#include "config.h"

#include "test.h"

#define ELLIPSIS "\xe2\x80\xa6"

static const struct {
	const char *in;
	const char *want;
	const char *why;
} rows[] = {
	{ "policy says no", "policy says no", "plain text stays" },
	{ "", "", "empty stays empty" },
	{ "a\x1b[31mred\x1b[0m", "a\\x1b[31mred\\x1b[0m", "ANSI escapes cannot colour the terminal" },
	{ "x\r\nacmectl: forged", "x\\r\\nacmectl: forged", "CR and newline cannot forge a line" },
	{ "bell\x07", "bell\\x07", "BEL is shown, not rung" },
	{ "tab\there", "tab\\there", "tab escaped too: one field per line" },
	{ "del\x7f", "del\\x7f", "DEL" },
	{ "bad \xff\xfe bytes", "bad \\xff\\xfe bytes", "bytes that are never UTF-8" },
	{ "cut \xc3(", "cut \\xc3(", "a sequence cut short" },
	{ "over \xc0\xaf", "over \\xc0\\xaf", "an overlong form" },
	{ "sur \xed\xa0\x80", "sur \\xed\\xa0\\x80", "a UTF-16 surrogate" },
	{ "big \xf4\x90\x80\x80", "big \\xf4\\x90\\x80\\x80", "beyond U+10FFFF" },
	{ "end \xe2\x80", "end \\xe2\\x80", "truncated at the end of the text" },
	{ "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\x92", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\x92",
	  "valid multi-byte UTF-8 is kept" },
	{ "c1 \xc2\x9b" "31m", "c1 \\u009b31m", "a C1 control (CSI) is a control too" },
	{ "bidi \xe2\x80\xae" "txt.exe", "bidi \\u202etxt.exe", "a bidirectional override cannot reorder text" },
	{ "back\\slash", "back\\slash", "a backslash stays as it is" },
};

int main(void)
{
	char *big = xmalloc((1 << 20) + 1), *out;

	json_t *doc;
	char *dumped;

	for (size_t i = 0; i < nitems(rows); i++) {
		out = str_sanitize(rows[i].in);
		CHECK_STR(out, rows[i].want, rows[i].why);
		free(out);
		/* jansson is the reference: what it takes as a string */
		doc = json_string(rows[i].in);
		CHECK(str_is_utf8(rows[i].in) == (doc != NULL), "str_is_utf8 and jansson differ: %s",
		    rows[i].why);
		json_decref(doc);
	}

	doc = json_pack("{s:s, s:[i, s], s:{s:b}}", "url", "https://ca.test/\u00e9",
	    "list", 1, "x\"y", "obj", "k", 1);
	for (size_t flags = 0; flags < 2; flags++) {
		out = json_xdumps(doc, flags ? JSON_COMPACT | JSON_SORT_KEYS : JSON_INDENT(2));
		dumped = json_dumps(doc, flags ? JSON_COMPACT | JSON_SORT_KEYS : JSON_INDENT(2));
		CHECK_STR(out, dumped, "json_xdumps writes what json_dumps writes");
		free(out);
		free(dumped);
	}
	json_decref(doc);

	/* a NUL inside the text is escaped, not the end of it */
	out = str_sanitize_mem("a\0b", 3);
	CHECK_STR(out, "a\\x00b", "a NUL inside the text");
	free(out);

	/* 1 MB of detail: SANITIZE_MAX bytes, then the ellipsis */
	memset(big, 'A', 1 << 20);
	big[1 << 20] = '\0';
	out = str_sanitize(big);
	CHECK_INT(strlen(out), SANITIZE_MAX + strlen(ELLIPSIS), "1 MB is cut to the cap");
	CHECK(strcmp(out + SANITIZE_MAX, ELLIPSIS) == 0, "the cut is shown: %s", out + SANITIZE_MAX);
	free(out);

	/* the cut never splits a character or an escape */
	out = str_sanitize_cap("\xc3\xa9\xc3\xa9\xc3\xa9", 6, 5);
	CHECK_STR(out, "\xc3\xa9\xc3\xa9" ELLIPSIS, "two 2-byte characters fit in 5 bytes, not a half third");
	free(out);
	out = str_sanitize_cap("ab\x1b", 3, 4);
	CHECK_STR(out, "ab" ELLIPSIS, "an escape (\\x1b, 4 bytes) is not cut in half");
	free(out);
	out = str_sanitize_cap("abcd", 4, 4);
	CHECK_STR(out, "abcd", "exactly the cap: nothing cut, no ellipsis");
	free(out);
	free(big);
	return test_done();
}
