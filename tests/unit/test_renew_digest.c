/* test_renew_digest.c - the renew digest (store_digest.h): which texts its
 * parser takes whole and which it refuses whole (and why), when a row's
 * keys match what the walk saw, and that every row it writes it reads back
 * the same. */
#include "config.h"

#include <sys/stat.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "store.h"
#include "store_digest.h"
#include "store_int.h"
#include "util.h"
#include "test.h"

#define H STORE_DIGEST_HEADER
#define K1 "2049:1234:345:1700000000000000000:1700000000000000001"
#define K2 "2049:1235:579:1700000000000000000:1700000000000000002"
#define SRV "https://acme.example/dir"
/* no hook remembered, of any kind */
#define HK " none none none" MT
/* what the metrics report: not staging, no attempt, issued, no error */
#define MT " 0 0 1700000000 0"
/* SHA-256 of "systemctl reload nginx" (sha256sum) */
#define NGINX "47410c3b4e150fd5cc0f8b424ce94d2bdf85e4770a229cd07dfd2a4292185118"
/* a row with hook fields hooks */
#define HOOK_ROW(hooks) "a " K1 " " K2 " absent " SRV " 0 0 1 2 - - " hooks MT "\n"
#define ROW(name) name " " K1 " " K2 " absent " SRV " 0 0 1700000000 1707776000 aaa.bbb -" HK "\n"
#define ARI_ROW(state) "a " K1 " " K2 " " K1 " " SRV " 0 0 1700000000 1707776000 aaa.bbb " state HK "\n"

/* Texts the parser must take (rows: how many) or refuse (error: why). */
static const struct {
	const char *text;
	size_t rows;
	const char *error;
} parses[] = {
	{ H, 0, NULL },                                            /* no certificate kept */
	{ H ROW("a") ROW("b"), 2, NULL },
	{ H ARI_ROW("1:1700000000:1700086400:1700043200:1700500000"), 1, NULL },
	{ H ARI_ROW("0:0:0:0:-5"), 1, NULL },                      /* dates before 1970 are dates */
	{ "", 0, "first line" },                                   /* empty file */
	{ "acmectl renew-digest 1\n" ROW("a"), 0, "first line" },  /* another version */
	{ "acmectl renew-digest 2", 0, "first line" },            /* header cut short */
	{ "acmectl renew-digest 20\n", 0, "first line" },
	{ H "a " K1, 0, "line 2: it does not end with a newline" }, /* truncated row */
	{ H ROW("a") "garbage\n", 0, "line 3: not 18 fields" },    /* a good row does not save a bad one */
	{ H ROW("b") ROW("a"), 0, "not after the row before it" }, /* unsorted */
	{ H ROW("a") ROW("a"), 0, "not after the row before it" }, /* a name twice */
	{ H "\n", 0, "not 18 fields" },                             /* empty line */
	{ H ROW(".hidden"), 0, "not a certificate name" },
	{ H "a  " K1 " " K2 " absent " SRV " 0 0 1 2 - -" HK "\n", 0, "not 18 fields" }, /* two spaces */
	{ H "a " K1 " absent absent " SRV " 0 0 1 2 - -" HK "\n", 0, "bad file key" },   /* cert.pem absent */
	{ H "a absent " K2 " absent " SRV " 0 0 1 2 - -" HK "\n", 0, "bad file key" },
	{ H "a 1:2:3:4 " K2 " absent " SRV " 0 0 1 2 - -" HK "\n", 0, "bad file key" },  /* 4 parts */
	{ H "a 1:2:3:4:5:6 " K2 " absent " SRV " 0 0 1 2 - -" HK "\n", 0, "bad file key" },
	{ H "a -1:2:3:4:5 " K2 " absent " SRV " 0 0 1 2 - -" HK "\n", 0, "bad file key" }, /* negative dev */
	{ H "a 01:2:3:4:5 " K2 " absent " SRV " 0 0 1 2 - -" HK "\n", 0, "bad file key" }, /* leading zero */
	{ H "a +1:2:3:4:5 " K2 " absent " SRV " 0 0 1 2 - -" HK "\n", 0, "bad file key" },
	{ H "a 1::3:4:5 " K2 " absent " SRV " 0 0 1 2 - -" HK "\n", 0, "bad file key" },
	{ H "a 99999999999999999999:2:3:4:5 " K2 " absent " SRV " 0 0 1 2 - -" HK "\n", 0, "bad file key" },
	{ H "a 9223372036854775808:2:3:4:5 " K2 " absent " SRV " 0 0 1 2 - -" HK "\n", 0, "bad file key" },
	{ H "a " K1 " " K2 " absent " SRV " 2 0 1 2 - -" HK "\n", 0, "not 0 or 1" },
	{ H "a " K1 " " K2 " absent " SRV " 0 yes 1 2 - -" HK "\n", 0, "not 0 or 1" },
	{ H "a " K1 " " K2 " absent " SRV " 0 0 1x 2 - -" HK "\n", 0, "bad date" },
	{ H "a " K1 " " K2 " absent " SRV " 0 0 1 -0 - -" HK "\n", 0, "bad date" },
	{ H "a " K1 " " K2 " absent " SRV " 0 0 1 2 a/b -" HK "\n", 0, "bad ARI id" },
	{ H "a " K1 " " K2 " absent " SRV " 0 0 1 2 - 1:2:3:4" HK "\n", 0, "bad ARI state" },
	{ H "a " K1 " " K2 " absent " SRV " 0 0 1 2 - x" HK "\n", 0, "bad ARI state" },
	{ H "a " K1 " " K2 " absent \x01" SRV " 0 0 1 2 - -" HK "\n", 0, "bad server" },
	{ H "a\x7f " K1 " " K2 " absent " SRV " 0 0 1 2 - -" HK "\n", 0, "not a certificate name" },
	{ H "a\r " K1 " " K2 " absent " SRV " 0 0 1 2 - -" HK "\n", 0, "not a certificate name" },
	{ H HOOK_ROW(NGINX " none " NGINX), 1, NULL },
	{ H HOOK_ROW("none none"), 0, "not 18 fields" },
	{ H HOOK_ROW("none none none none"), 0, "not 18 fields" },
	{ H HOOK_ROW("- none none"), 0, "bad hook hash" },          /* none is spelt "none" */
	{ H HOOK_ROW("None none none"), 0, "bad hook hash" },
	{ H HOOK_ROW("47410C3B4E150FD5CC0F8B424CE94D2BDF85E4770A229CD07DFD2A4292185118 none none"),
	  0, "bad hook hash" },                                   /* one spelling: lowercase */
	{ H HOOK_ROW("47410c3b4e150fd5cc0f8b424ce94d2bdf85e4770a229cd07dfd2a429218511 none none"),
	  0, "bad hook hash" },                                   /* 63 digits */
	{ H HOOK_ROW(NGINX "0 none none"), 0, "bad hook hash" },   /* 65 digits */
	{ H HOOK_ROW("g7410c3b4e150fd5cc0f8b424ce94d2bdf85e4770a229cd07dfd2a4292185118 none none"),
	  0, "bad hook hash" },
	{ H HOOK_ROW("none none systemctl"), 0, "bad hook hash" }, /* a command, not its hash */
	{ H "a " K1 " " K2 " absent " SRV " 0 0 1 2 - - none none none 1 -1 1 1\n", 1, NULL },
	{ H "a " K1 " " K2 " absent " SRV " 0 0 1 2 - - none none none 2 0 0 0\n", 0, "not 0 or 1" },
	{ H "a " K1 " " K2 " absent " SRV " 0 0 1 2 - - none none none 0 0 0 yes\n", 0, "not 0 or 1" },
	{ H "a " K1 " " K2 " absent " SRV " 0 0 1 2 - - none none none 0 01 0 0\n", 0, "bad date" },
	{ H "a " K1 " " K2 " absent " SRV " 0 0 1 2 - - none none none 0 0 x 0\n", 0, "bad date" },
};

/* The hooks a row says are remembered against the hooks given (deploy,
 * pre, post; NULL not given, "" removed): whether the row may be used. */
static const struct {
	const char *row;               /* the row's three hook fields */
	const char *given[DIGEST_HOOK_KINDS];
	bool match;
} hook_matches[] = {
	{ "none none none", { NULL, NULL, NULL }, true },                 /* none given */
	{ NGINX " none none", { NULL, NULL, NULL }, true },
	{ NGINX " none none", { "systemctl reload nginx", NULL, NULL }, true }, /* the recipe's */
	{ NGINX " none none", { "systemctl reload nginx ", NULL, NULL }, false }, /* one space more */
	{ NGINX " none none", { "systemctl reload apache2", NULL, NULL }, false },
	{ "none none none", { "systemctl reload nginx", NULL, NULL }, false },  /* newly given */
	{ NGINX " none none", { "", NULL, NULL }, false },                 /* removed */
	{ "none none none", { "", "", "" }, true },                        /* removing none */
	{ NGINX " none none", { NULL, "systemctl reload nginx", NULL }, false }, /* kind counts */
	{ "none none " NGINX, { NULL, NULL, "systemctl reload nginx" }, true },
	{ NGINX " none " NGINX, { "systemctl reload nginx", "", NULL }, true },
	{ NGINX " none " NGINX, { "systemctl reload nginx", "", "x" }, false },
};

/* Row keys against what the walk saw: whether the row may be used. */
static const struct {
	struct store_key row, walk;
	bool match;
} matches[] = {
	{ { STORE_KEY_FILE, 1, 2, 3, 4, 5 }, { STORE_KEY_FILE, 1, 2, 3, 4, 5 }, true },
	{ { STORE_KEY_FILE, 1, 2, 3, 4, 5 }, { STORE_KEY_FILE, 9, 2, 3, 4, 5 }, false }, /* device */
	{ { STORE_KEY_FILE, 1, 2, 3, 4, 5 }, { STORE_KEY_FILE, 1, 9, 3, 4, 5 }, false }, /* replaced */
	{ { STORE_KEY_FILE, 1, 2, 3, 4, 5 }, { STORE_KEY_FILE, 1, 2, 9, 4, 5 }, false }, /* size */
	{ { STORE_KEY_FILE, 1, 2, 3, 4, 5 }, { STORE_KEY_FILE, 1, 2, 3, 9, 5 }, false }, /* mtime */
	{ { STORE_KEY_FILE, 1, 2, 3, 4, 5 }, { STORE_KEY_FILE, 1, 2, 3, 4, 9 }, false }, /* touch -d */
	{ { STORE_KEY_ABSENT, 0, 0, 0, 0, 0 }, { STORE_KEY_ABSENT, 0, 0, 0, 0, 0 }, true },
	{ { STORE_KEY_ABSENT, 0, 0, 0, 0, 0 }, { STORE_KEY_FILE, 0, 0, 0, 0, 0 }, false }, /* appeared */
	{ { STORE_KEY_FILE, 0, 0, 0, 0, 0 }, { STORE_KEY_ABSENT, 0, 0, 0, 0, 0 }, false }, /* removed */
	{ { STORE_KEY_FILE, 1, 2, 3, 4, 5 }, { STORE_KEY_NONE, 1, 2, 3, 4, 5 }, false },   /* a FIFO now */
	{ { STORE_KEY_NONE, 0, 0, 0, 0, 0 }, { STORE_KEY_NONE, 0, 0, 0, 0, 0 }, false },
};

static void test_parse(void)
{
	struct store_digest d;
	char ctx[64];

	for (size_t i = 0; i < nitems(parses); i++) {
		int rc = store_digest_parse(parses[i].text, strlen(parses[i].text), &d);

		snprintf(ctx, sizeof(ctx), "parse row %zu", i);
		if (parses[i].error == NULL) {
			CHECK_INT(rc, 0, ctx);
			CHECK_INT(d.n, parses[i].rows, ctx);
		} else {
			CHECK_INT(rc, -1, ctx);
			CHECK_INT(d.n, 0, ctx);
			CHECK(rc == -1 && strstr(err_message(), parses[i].error) != NULL,
			    "%s: got \"%s\", want \"%s\"", ctx, err_message(), parses[i].error);
		}
		err_clear();
		store_digest_free(&d);
	}
}

static void test_match(void)
{
	struct store_cert_keys walk = { NULL, { 0 }, { 0 }, { 0 } };
	struct digest_row row;
	char ctx[64];

	for (size_t i = 0; i < nitems(matches); i++) {
		snprintf(ctx, sizeof(ctx), "key row %zu", i);
		CHECK_INT(store_key_equal(&matches[i].row, &matches[i].walk), matches[i].match, ctx);
		/* in a row, the key of each file counts on its own */
		memset(&row, 0, sizeof(row));
		row.issuance = row.cert = (struct store_key){ STORE_KEY_FILE, 7, 7, 7, 7, 7 };
		walk.issuance = walk.cert = row.issuance;
		row.ari = matches[i].row;
		walk.ari = matches[i].walk;
		CHECK_INT(digest_row_matches(&row, &walk), matches[i].match, ctx);
		row.ari = walk.ari = (struct store_key){ STORE_KEY_ABSENT, 0, 0, 0, 0, 0 };
		if (matches[i].row.kind == STORE_KEY_ABSENT || matches[i].walk.kind == STORE_KEY_ABSENT)
			continue;  /* issuance.json and cert.pem must be files */
		row.cert = matches[i].row;
		walk.cert = matches[i].walk;
		CHECK_INT(digest_row_matches(&row, &walk), matches[i].match, ctx);
	}
}

static void test_hook_match(void)
{
	struct store_digest d;
	struct digest_row row;
	char ctx[64], *text, hex[DIGEST_HOOK_KINDS][DIGEST_HOOK_HEX + 1];
	const char *given[DIGEST_HOOK_KINDS];

	for (size_t i = 0; i < nitems(hook_matches); i++) {
		for (size_t k = 0; k < DIGEST_HOOK_KINDS; k++) {
			digest_hook_hash(hook_matches[i].given[k], hex[k]);
			given[k] = hook_matches[i].given[k] != NULL ? hex[k] : NULL;
		}
		snprintf(ctx, sizeof(ctx), "hook match row %zu", i);
		text = xasprintf("%s" HOOK_ROW("%s"), H, hook_matches[i].row);
		CHECK_INT(store_digest_parse(text, strlen(text), &d), 0, ctx);
		if (d.n == 1) {
			store_digest_row(&d, 0, &row);
			CHECK_INT(digest_row_hooks_match(&row, given),
			    hook_matches[i].match, ctx);
		}
		store_digest_free(&d);
		free(text);
	}
}

/* Rows written are read back as they were, where store_digest_find finds
 * them; rows that cannot be written are not. */
static void test_format(void)
{
	struct digest_row r, got;
	struct store_digest d;
	char *line, *text;
	long k;

	memset(&r, 0, sizeof(r));
	strcpy(r.name, "www.example.org");
	r.issuance = (struct store_key){ STORE_KEY_FILE, 66306, 1u << 31, 345, -1, 1700000000000000000LL };
	r.cert = (struct store_key){ STORE_KEY_FILE, 1, 2, 0, 0, 0 };
	r.ari = (struct store_key){ STORE_KEY_ABSENT, 0, 0, 0, 0, 0 };
	strcpy(r.server, "https://acme-v02.api.letsencrypt.org/directory");
	r.not_before = -86400;
	r.not_after = 1707776000;
	strcpy(r.ari_id, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
	r.have_ari = true;
	r.ari_offered = true;
	r.ari_start = 1;
	r.ari_end = 2;
	r.ari_renew_at = 3;
	r.ari_next_check = 4;
	digest_hook_hash("systemctl reload nginx", r.hooks[0]);
	CHECK(strcmp(r.hooks[0], NGINX) == 0, "a hook's hash is its SHA-256 in lowercase hex");
	digest_hook_hash("", r.hooks[1]);
	CHECK(r.hooks[1][0] == '\0', "an empty hook has no hash");
	digest_hook_hash(NULL, r.hooks[2]);
	CHECK(r.hooks[2][0] == '\0', "no hook has no hash");
	r.staging_issuer = true;
	r.last_attempt = 1700000001;
	r.issued = 1700000002;
	r.last_error = true;
	line = digest_row_format(&r);
	CHECK(line != NULL && strstr(line, " " NGINX " none none 1 1700000001 1700000002 1\n") != NULL,
	    "the hooks, then the metrics' facts end the row");
	CHECK(line != NULL, "a plain row is written");
	text = xasprintf("%s%s%s%s", STORE_DIGEST_HEADER, ROW("a"), line ? line : "", ROW("z"));
	CHECK_INT(store_digest_parse(text, strlen(text), &d), 0, "written row read back");
	CHECK_INT(d.n, 3, "rows");
	k = store_digest_find(&d, "www.example.org");
	CHECK_INT(k, 1, "the row is found by its name");
	if (k == 1) {
		store_digest_row(&d, (size_t)k, &got);
		CHECK(strcmp(got.name, r.name) == 0 &&
		    strcmp(got.server, r.server) == 0 && strcmp(got.ari_id, r.ari_id) == 0 &&
		    got.not_before == r.not_before && got.not_after == r.not_after &&
		    store_key_equal(&got.issuance, &r.issuance) &&
		    store_key_equal(&got.cert, &r.cert) && store_key_equal(&got.ari, &r.ari) &&
		    got.have_ari && got.ari_offered && got.ari_start == 1 && got.ari_end == 2 &&
		    got.ari_renew_at == 3 && got.ari_next_check == 4 &&
		    strcmp(got.hooks[0], NGINX) == 0 && got.hooks[1][0] == '\0' &&
		    got.hooks[2][0] == '\0' && got.staging_issuer && got.last_error &&
		    got.last_attempt == 1700000001 && got.issued == 1700000002,
		    "the row read back is the row written");
	}
	CHECK_INT(store_digest_find(&d, "a"), 0, "the first row");
	CHECK_INT(store_digest_find(&d, "z"), 2, "the last row");
	CHECK_INT(store_digest_find(&d, "www.example.or"), -1, "no row for a prefix of a name");
	CHECK_INT(store_digest_find(&d, "www.example.org2"), -1, "no row for a longer name");
	CHECK_INT(store_digest_find(&d, "m"), -1, "no row for another name");
	store_digest_free(&d);
	free(text);
	free(line);

	strcpy(r.name, "with space");
	CHECK(digest_row_format(&r) == NULL, "a name with a space has no row");
	strcpy(r.name, "tab\tname");
	CHECK(digest_row_format(&r) == NULL, "a name with a tab has no row");
	strcpy(r.name, "ok");
	strcpy(r.server, "https://x/\n");
	CHECK(digest_row_format(&r) == NULL, "a server with a newline has no row");
	strcpy(r.server, "https://x/");
	strcpy(r.ari_id, "a b");
	CHECK(digest_row_format(&r) == NULL, "an ARI id with a space has no row");
	r.ari_id[0] = '\0';
	r.cert.kind = STORE_KEY_NONE;
	CHECK(digest_row_format(&r) == NULL, "a cert.pem that is not a regular file has no row");
	r.cert = (struct store_key){ STORE_KEY_FILE, 1ULL << 63, 2, 0, 0, 0 };
	CHECK(digest_row_format(&r) == NULL, "a device number the parser would refuse has no row");
}

/* Only a regular file itself has a key. */
static void test_key_from_stat(void)
{
	char dir[] = "/tmp/test_renew_digest.XXXXXX", *file, *fifo;
	struct store_key k;
	struct stat st;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	file = xasprintf("%s/file", dir);
	fifo = xasprintf("%s/fifo", dir);
	f = fopen(file, "w");
	CHECK(f != NULL && fputs("hello", f) >= 0 && fclose(f) == 0, "write %s", file);
	CHECK(mkfifo(fifo, 0600) == 0, "mkfifo");
	CHECK(lstat(file, &st) == 0, "lstat");
	store_key_from_stat(&k, &st);
	CHECK(k.kind == STORE_KEY_FILE && k.size == 5 && k.ino == (unsigned long long)st.st_ino,
	    "a regular file's key");
	CHECK(lstat(fifo, &st) == 0, "lstat");
	store_key_from_stat(&k, &st);
	CHECK_INT(k.kind, STORE_KEY_NONE, "a FIFO has no key");
	CHECK(lstat(dir, &st) == 0, "lstat");
	store_key_from_stat(&k, &st);
	CHECK_INT(k.kind, STORE_KEY_NONE, "a directory has no key");
	unlink(file);
	unlink(fifo);
	rmdir(dir);
	free(file);
	free(fifo);
}

int main(void)
{
	test_parse();
	test_match();
	test_hook_match();
	test_format();
	test_key_from_stat();
	return test_done();
}
