/* test_store.c - the state directory: account ids, atomic writes and their
 * failure modes, certificate generations, listing. Runs in a mkdtemp dir. */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "err.h"
#include "store.h"
#include "util.h"
#include "test.h"

static char base[] = "/tmp/test_store.XXXXXX";

static const struct {
	const char *url;
	const char *id;  /* NULL: ERR_USAGE expected */
} account_ids[] = {
	{ "https://acme-v02.api.letsencrypt.org/directory", "acme-v02.api.letsencrypt.org" },
	{ "https://localhost:14000/dir", "localhost_14000" },
	{ "https://example.org:443/dir", "example.org" },
	{ "http://example.org:80/dir", "example.org" },
	{ "http://example.org:443/dir", "example.org_443" },
	{ "https://example.org:80/dir", "example.org_80" },
	{ "https://Example.ORG/dir", "example.org" },
	{ "HTTPS://EXAMPLE.org:443/dir", "example.org" },
	{ "https://user:secret@ca.example:8443/dir", "ca.example_8443" },
	{ "https://a@b@ca.example/dir", "ca.example" },
	{ "https://[::1]:14000/dir", "--1_14000" },
	{ "https://[2001:DB8::1]/dir", "2001-db8--1" },
	{ "https://127.0.0.1:14000/dir", "127.0.0.1_14000" },
	{ "https://ca.example", "ca.example" },
	{ "https://ca.example:/dir", "ca.example" },
	{ "https://ca.example?x=1", "ca.example" },
	{ "https://ca.example:8443#frag", "ca.example_8443" },
	{ "https:///dir", NULL },
	{ "https://", NULL },
	{ "ca.example/dir", NULL },
	{ "https://user@/dir", NULL },
	{ "https://ca.example:0/dir", NULL },
	{ "https://ca.example:65536/dir", NULL },
	{ "https://ca.example:12ab/dir", NULL },
	{ "https://[::1/dir", NULL },
	{ "https://[zz]/dir", NULL },
	{ "https://../dir", NULL },
	{ "https://a%2fb/dir", NULL },
	{ "https://b\xc3\xbc" "cher.example/dir", NULL },     /* Unicode: its A-label is asked for */
	{ "https://\xff\xfe.example/dir", NULL },           /* not even UTF-8 */
};

static char *path_in(const char *rel)
{
	return xasprintf("%s/%s", base, rel);
}

static bool file_is(const char *path, const char *want)
{
	size_t len;
	char *got = store_read_file(path, &len);
	bool same = got != NULL && len == strlen(want) && memcmp(got, want, len) == 0;

	free(got);
	return same;
}

static int mode_of(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == -1)
		return -1;
	return (int)(st.st_mode & 07777);
}

/* Number of entries of base/rel whose name contains needle, or -1. */
static int count_entries(const char *rel, const char *needle)
{
	char *dir = path_in(rel);
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	free(dir);
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, needle) != NULL)
			n++;
	closedir(d);
	return n;
}

static void test_account_ids(void)
{
	char *id;
	size_t i;

	for (i = 0; i < nitems(account_ids); i++) {
		err_clear();
		id = store_account_id(account_ids[i].url);
		CHECK_STR(id, account_ids[i].id, account_ids[i].url);
		CHECK_INT(err_kind(), id == NULL ? ERR_USAGE : ERR_NONE, account_ids[i].url);
		free(id);
	}
	/* a Unicode host is refused the same in every locale (acmectl reads
	 * none), naming the A-label to give instead */
	id = store_account_id("https://B\xc3\xbc" "cher.example:8443/dir");
	CHECK(id == NULL && strstr(err_message(), "give it as its A-label, "
	    "xn--bcher-kva.example") != NULL, "Unicode host: %s", err_message());
	free(id);
	id = store_account_id("https://\xff\xfe.example/dir");
	CHECK(id == NULL && strstr(err_message(), "not a valid internationalized name") != NULL,
	    "bad bytes: %s", err_message());
	free(id);
	err_clear();
}

static void test_default_dir(void)
{
	char *dir;

	if (geteuid() == 0) {
		setenv("XDG_STATE_HOME", "/xdg", 1);
		dir = store_default_dir();
		CHECK_STR(dir, "/var/lib/acmectl", "root ignores XDG_STATE_HOME");
		free(dir);
		return;
	}
	setenv("HOME", "/home/u", 1);
	setenv("XDG_STATE_HOME", "/xdg", 1);
	dir = store_default_dir();
	CHECK_STR(dir, "/xdg/acmectl", "XDG_STATE_HOME");
	free(dir);
	setenv("XDG_STATE_HOME", "relative", 1);
	dir = store_default_dir();
	CHECK_STR(dir, "/home/u/.local/state/acmectl", "relative XDG_STATE_HOME ignored");
	free(dir);
	unsetenv("XDG_STATE_HOME");
	dir = store_default_dir();
	CHECK_STR(dir, "/home/u/.local/state/acmectl", "HOME");
	free(dir);
}

static void test_mkdirs(void)
{
	char *deep = path_in("m/a/b/c"), *file = path_in("m/file"), *below = path_in("m/file/x");

	CHECK_INT(store_mkdirs(deep, 0700), 0, "mkdir -p");
	CHECK_INT(mode_of(deep), 0700, "mkdir -p mode");
	CHECK_INT(store_mkdirs(deep, 0700), 0, "existing directories are fine");
	CHECK_INT(store_write_atomic(file, "x", 1, 0600), 0, "file in the way");
	err_clear();
	CHECK_INT(store_mkdirs(below, 0700), -1, "a file in the way");
	CHECK_INT(err_kind(), ERR_STORAGE, "a file in the way");
	CHECK(strstr(err_message(), "Not a directory") != NULL, "message: %s", err_message());
	err_clear();
	CHECK_INT(store_mkdirs(file, 0700), -1, "path itself is a file");
	free(deep);
	free(file);
	free(below);
}

static void test_write_atomic(void)
{
	char *dir = path_in("w"), *f = path_in("w/f"), *g = path_in("w/g");
	char *below = path_in("w/f/x"), *asdir = path_in("w/d"), *inside = path_in("w/d/k");
	char *victim = path_in("w/victim"), *link = path_in("w/link");
	char *big = xmalloc(65536), *got;
	struct rlimit old, small;
	mode_t oldmask;
	size_t len;

	CHECK_INT(store_mkdirs(dir, 0700), 0, "mkdir w");

	oldmask = umask(0);
	CHECK_INT(store_write_atomic(f, "one", 3, 0600), 0, "write with umask 0");
	CHECK_INT(mode_of(f), 0600, "mode 0600 despite umask 0");
	umask(077);
	CHECK_INT(store_write_atomic(g, "pub", 3, 0644), 0, "write with umask 077");
	CHECK_INT(mode_of(g), 0644, "mode 0644 despite umask 077");
	umask(oldmask);
	CHECK(file_is(f, "one"), "content one");

	CHECK_INT(store_write_atomic(f, "two", 3, 0600), 0, "overwrite");
	CHECK(file_is(f, "two"), "content two");
	CHECK_INT(store_write_atomic(f, "", 0, 0600), 0, "empty file");
	got = store_read_file(f, &len);
	CHECK(got != NULL && len == 0 && got[0] == '\0', "empty file reads as \"\"");
	free(got);
	CHECK_INT(store_write_atomic(f, "two", 3, 0600), 0, "overwrite again");

	/* A failure in the middle of writing: the file size limit. */
	memset(big, 'x', 65536);
	getrlimit(RLIMIT_FSIZE, &old);
	small = old;
	small.rlim_cur = 4096;
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &small);
	err_clear();
	CHECK_INT(store_write_atomic(f, big, 65536, 0600), -1, "EFBIG mid-write");
	setrlimit(RLIMIT_FSIZE, &old);
	CHECK_INT(err_kind(), ERR_STORAGE, "EFBIG kind");
	CHECK(strstr(err_message(), f) != NULL && strstr(err_message(), "too large") != NULL,
	    "message names path and errno: %s", err_message());
	CHECK(file_is(f, "two"), "old content kept after a failed write");
	CHECK_INT(count_entries("w", ".tmp"), 0, "temp file removed after a failed write");

	/* The parent is a file: open fails before anything exists. */
	err_clear();
	CHECK_INT(store_write_atomic(below, "x", 1, 0600), -1, "parent is a file");
	CHECK(strstr(err_message(), below) != NULL &&
	    strstr(err_message(), "Not a directory") != NULL, "message: %s", err_message());
	CHECK(file_is(f, "two"), "parent untouched");

	/* The path is a directory: rename fails after the temp is complete. */
	CHECK_INT(store_mkdirs(inside, 0700), 0, "mkdir w/d/k");
	err_clear();
	CHECK_INT(store_write_atomic(asdir, "x", 1, 0600), -1, "rename over a directory");
	CHECK_INT(err_kind(), ERR_STORAGE, "rename kind");
	CHECK_INT(count_entries("w", ".tmp"), 0, "temp file removed after a failed rename");
	CHECK_INT(mode_of(inside) != -1, 1, "directory untouched");

	/* A symlink at path is replaced, never written through. */
	CHECK_INT(store_write_atomic(victim, "victim", 6, 0600), 0, "victim");
	CHECK_INT(symlink("victim", link), 0, "symlink");
	CHECK_INT(store_write_atomic(link, "new", 3, 0600), 0, "write over a symlink");
	CHECK(file_is(victim, "victim"), "symlink target untouched");
	{
		struct stat st;

		CHECK(lstat(link, &st) == 0 && S_ISREG(st.st_mode), "symlink became a file");
	}
	CHECK(file_is(link, "new"), "new content");

	if (geteuid() != 0) {
		chmod(dir, 0500);
		err_clear();
		CHECK_INT(store_write_atomic(f, "three", 5, 0600), -1, "read-only directory");
		CHECK(strstr(err_message(), "Permission denied") != NULL, "%s", err_message());
		chmod(dir, 0700);
		CHECK(file_is(f, "two"), "old content kept in a read-only directory");
	}

	free(big);
	free(dir);
	free(f);
	free(g);
	free(below);
	free(asdir);
	free(inside);
	free(victim);
	free(link);
}

/* What is at the path before store_write_new. */
enum before { NOTHING, OLD_FILE, LINK_TO_FILE, DANGLING_LINK, NO_PARENT, SIZE_LIMIT };

static const struct {
	const char *rel;
	enum before before;
	mode_t mode;
	int rc;
	int err;             /* errno on failure: EEXIST when something was there */
	const char *after;   /* content at rel afterwards; NULL: nothing there */
} write_new_rows[] = {
	{ "n/key", NOTHING, 0600, 0, 0, "data" },
	{ "n/pub", NOTHING, 0644, 0, 0, "data" },
	{ "n/old", OLD_FILE, 0600, -1, EEXIST, "old" },
	{ "n/link", LINK_TO_FILE, 0600, -1, EEXIST, "target" },
	{ "n/dangling", DANGLING_LINK, 0600, -1, EEXIST, NULL },
	{ "n/none/key", NO_PARENT, 0600, -1, ENOENT, NULL },
	{ "n/big", SIZE_LIMIT, 0600, -1, 0, NULL },
};

static void test_write_new(void)
{
	static char big[65536];
	char *dir = path_in("n"), *target = path_in("n/target"), *nowhere = path_in("n/nowhere");
	struct rlimit old, small;
	mode_t oldmask = umask(077);

	CHECK_INT(store_mkdirs(dir, 0700), 0, "mkdir n");
	CHECK_INT(store_write_atomic(target, "target", 6, 0600), 0, "link target");
	memset(big, 'x', sizeof(big));
	for (size_t i = 0; i < nitems(write_new_rows); i++) {
		char *path = path_in(write_new_rows[i].rel);
		const void *data = "data";
		size_t len = 4;
		int rc, err;

		switch (write_new_rows[i].before) {
		case OLD_FILE:
			CHECK_INT(store_write_atomic(path, "old", 3, 0600), 0, path);
			break;
		case LINK_TO_FILE:
			CHECK_INT(symlink("target", path), 0, path);
			break;
		case DANGLING_LINK:
			CHECK_INT(symlink("nowhere", path), 0, path);
			break;
		case SIZE_LIMIT:
			data = big;
			len = sizeof(big);
			getrlimit(RLIMIT_FSIZE, &old);
			small = old;
			small.rlim_cur = 4096;
			signal(SIGXFSZ, SIG_IGN);
			setrlimit(RLIMIT_FSIZE, &small);
			break;
		case NOTHING:
		case NO_PARENT:
			break;
		}
		err_clear();
		errno = 0;
		rc = store_write_new(path, data, len, write_new_rows[i].mode);
		err = errno;
		if (write_new_rows[i].before == SIZE_LIMIT)
			setrlimit(RLIMIT_FSIZE, &old);
		CHECK_INT(rc, write_new_rows[i].rc, path);
		if (rc == 0) {
			CHECK_INT(mode_of(path), (int)write_new_rows[i].mode, path);
		} else {
			CHECK_INT(err_kind(), ERR_STORAGE, path);
			CHECK(strstr(err_message(), path) != NULL, "message names the path: %s",
			    err_message());
			if (write_new_rows[i].err != 0)
				CHECK_INT(err, write_new_rows[i].err, path);
		}
		if (write_new_rows[i].after != NULL)
			CHECK(file_is(path, write_new_rows[i].after), "%s: content", path);
		else if (write_new_rows[i].before != DANGLING_LINK)
			CHECK_INT(mode_of(path), -1, path);
		free(path);
	}
	CHECK(file_is(target, "target"), "a symlink's target is never written");
	CHECK_INT(mode_of(nowhere), -1, "a dangling symlink is never followed");
	umask(oldmask);
	free(dir);
	free(target);
	free(nowhere);
}

static void test_read_file(void)
{
	char *missing = path_in("nope"), *got;

	errno = 0;
	err_clear();
	got = store_read_file(missing, NULL);
	CHECK(got == NULL, "missing file");
	CHECK_INT(errno, ENOENT, "errno ENOENT");
	CHECK_INT(err_kind(), ERR_STORAGE, "missing file kind");
	CHECK(strstr(err_message(), missing) != NULL, "message: %s", err_message());
	free(missing);
}

static char *link_target(const char *path)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n == -1)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

static void save(const char *state, const char *name, const char *serial, int want_rc)
{
	struct store_cert c;
	json_t *iss = json_pack("{s:s, s:[s]}", "serial", serial, "names", name);
	char *key = xasprintf("KEY %s\n", serial), *cert = xasprintf("CERT %s\n", serial);

	c.privkey = key;
	c.privkey_len = strlen(key);
	c.cert = cert;
	c.chain = "CHAIN\n";
	c.fullchain = "FULL\n";
	c.issuance = iss;
	err_clear();
	CHECK_INT(store_save_cert(state, name, &c), want_rc, serial);
	json_decref(iss);
	free(key);
	free(cert);
}

static void test_save_cert(void)
{
	char *state = path_in("state"), *live = path_in("state/certs/ex.org");
	char *g1 = path_in("state/archive/ex.org/1"), *g2 = path_in("state/archive/ex.org/2");
	char *g3 = path_in("state/archive/ex.org/3"), *g4 = path_in("state/archive/ex.org/4");
	char *key = path_in("state/certs/ex.org/privkey.pem");
	char *cert = path_in("state/certs/ex.org/cert.pem");
	char *full = path_in("state/certs/ex.org/fullchain.pem");
	char *chain = path_in("state/certs/ex.org/chain.pem");
	char *iss_path = path_in("state/certs/ex.org/issuance.json");
	char *realdir = path_in("state/certs/hand.made"), *dir, *t, **names;
	char *plain = path_in("state/certs/plain-file"), *dot = path_in("state/certs/.dot");
	json_t *iss;
	struct rlimit old, small;
	size_t i;

	save(state, "ex.org", "1", 0);
	t = link_target(live);
	CHECK_STR(t, "../archive/ex.org/1", "first generation");
	free(t);
	CHECK_INT(mode_of(g1), 0700, "generation directory 0700");
	CHECK_INT(mode_of(key), 0600, "privkey 0600");
	CHECK_INT(mode_of(cert), 0644, "cert 0644");
	CHECK_INT(mode_of(full), 0644, "fullchain 0644");
	CHECK(file_is(key, "KEY 1\n"), "privkey content");
	CHECK(file_is(cert, "CERT 1\n"), "cert content");
	CHECK(file_is(chain, "CHAIN\n"), "chain content");
	CHECK(file_is(full, "FULL\n"), "fullchain content");
	CHECK(file_is(iss_path, "{\n  \"names\": [\n    \"ex.org\"\n  ],\n  \"serial\": \"1\"\n}\n"),
	    "issuance.json indented, sorted, newline-terminated");
	iss = store_load_issuance(state, "ex.org");
	CHECK(iss != NULL && json_is_string(json_object_get(iss, "serial")) &&
	    strcmp(json_string_value(json_object_get(iss, "serial")), "1") == 0,
	    "load_issuance");
	json_decref(iss);
	dir = store_cert_dir(state, "ex.org");
	CHECK_STR(dir, live, "cert_dir");
	free(dir);

	save(state, "ex.org", "2", 0);
	t = link_target(live);
	CHECK_STR(t, "../archive/ex.org/2", "second generation");
	free(t);
	CHECK(file_is(cert, "CERT 2\n"), "live cert is generation 2");
	CHECK_INT(mode_of(g1), 0700, "generation 1 kept");

	save(state, "ex.org", "3", 0);
	t = link_target(live);
	CHECK_STR(t, "../archive/ex.org/3", "third generation");
	free(t);
	CHECK_INT(mode_of(g1), -1, "generation 1 deleted");
	CHECK_INT(mode_of(g2), 0700, "generation 2 kept as previous");
	CHECK_INT(count_entries("state/certs", ".tmp"), 0, "no temp symlink left");

	/* A failure while writing generation 4 leaves 3 live and no 4. */
	getrlimit(RLIMIT_FSIZE, &old);
	small = old;
	small.rlim_cur = 3;
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &small);
	save(state, "ex.org", "4", -1);
	setrlimit(RLIMIT_FSIZE, &old);
	CHECK_INT(err_kind(), ERR_STORAGE, "failed save kind");
	t = link_target(live);
	CHECK_STR(t, "../archive/ex.org/3", "generation 3 still live");
	free(t);
	CHECK(file_is(cert, "CERT 3\n"), "live cert still generation 3");
	CHECK_INT(mode_of(g4), -1, "partial generation 4 removed");
	CHECK_INT(mode_of(g2), 0700, "generation 2 still kept");
	save(state, "ex.org", "4", 0);
	CHECK_INT(mode_of(g4), 0700, "generation 4 after the retry");
	CHECK_INT(mode_of(g2), -1, "generation 2 deleted");
	CHECK_INT(mode_of(g3), 0700, "generation 3 kept as previous");

	/* A real directory where the symlink belongs is not destroyed. */
	CHECK_INT(store_mkdirs(realdir, 0700), 0, "hand-made directory");
	save(state, "hand.made", "1", -1);
	CHECK(strstr(err_message(), "not a symlink") != NULL, "message: %s", err_message());
	CHECK_INT(mode_of(realdir), 0700, "hand-made directory kept");
	CHECK_INT(count_entries("state/archive/hand.made", "1"), 0,
	    "no generation written");

	save(state, "../evil", "1", -1);
	CHECK_INT(err_kind(), ERR_USAGE, "path in a name");
	save(state, ".hidden", "1", -1);

	errno = 0;
	CHECK(store_load_issuance(state, "absent.org") == NULL, "no such certificate");
	CHECK_INT(errno, ENOENT, "load_issuance ENOENT");
	CHECK(strstr(err_message(), "absent.org") != NULL, "message: %s", err_message());

	/* Listing: sorted; dotfiles and plain files skipped; directories kept. */
	save(state, "b.example", "1", 0);
	save(state, "a.example", "1", 0);
	CHECK_INT(store_write_atomic(plain, "x", 1, 0600), 0, "plain file");
	CHECK_INT(symlink("x", dot), 0, "dot symlink");
	names = store_list_certs(state);
	{
		static const char *const want[] = {
			"a.example", "b.example", "ex.org", "hand.made", NULL,
		};

		for (i = 0; i < nitems(want); i++)
			CHECK_STR(names != NULL ? names[i] : NULL, want[i], "list_certs");
	}
	strv_free(names);

	free(state);
	free(live);
	free(g1);
	free(g2);
	free(g3);
	free(g4);
	free(key);
	free(cert);
	free(full);
	free(chain);
	free(iss_path);
	free(realdir);
	free(plain);
	free(dot);
}

static void test_list_empty(void)
{
	char *state = path_in("empty-state"), **names;

	names = store_list_certs(state);
	CHECK(names != NULL && names[0] == NULL, "no certs directory: empty list");
	strv_free(names);
	free(state);
}

/* What certs/c may point at: only the link acmectl makes is followed. */
static const struct {
	const char *target;
	bool followed;
} cert_links[] = {
	{ "../archive/c/3", true },
	{ "../archive/c/4", false },        /* a generation that is not there */
	{ "../archive/c/3/", false },
	{ "../archive/c/../c/3", false },
	{ "../archive/cc/3", false },
	{ "../archive/c", false },
	{ "/tmp", false },
	{ "../../outside/3", false },
	{ "../archive/c/0", false },
};

static void test_cert_links(void)
{
	char *state = path_in("links"), *gen = path_in("links/archive/c/3");
	char *iss = path_in("links/archive/c/3/issuance.json"), *link = path_in("links/certs/c");
	char *certs = path_in("links/certs");
	json_t *doc;
	size_t i;
	int fd;

	store_mkdirs(gen, 0700);
	store_mkdirs(certs, 0700);
	store_write_atomic(iss, "{}", 2, 0644);
	for (i = 0; i < nitems(cert_links); i++) {
		unlink(link);
		CHECK_INT(symlink(cert_links[i].target, link), 0, cert_links[i].target);
		err_clear();
		doc = store_load_issuance(state, "c");
		CHECK_INT(doc != NULL, cert_links[i].followed, cert_links[i].target);
		if (!cert_links[i].followed)
			CHECK_INT(err_kind(), ERR_STORAGE, cert_links[i].target);
		json_decref(doc);
		/* the lock's walk over every certificate (through descriptors of
		 * certs/ and archive/) agrees with the one for one certificate */
		fd = store_lock(state, 0);
		CHECK_INT(fd != -1, store_check_cert(state, "c") == 0, cert_links[i].target);
		store_unlock(fd);
	}
	/* the same layout turned untrustworthy, one place at a time */
	unlink(link);
	symlink("../archive/c/3", link);
	chmod(certs, 0777);
	err_clear();
	CHECK(store_load_issuance(state, "c") == NULL && strstr(err_message(), certs) != NULL &&
	    strstr(err_message(), "mode 0777") != NULL,
	    "a world-writable certs/ is refused, named: %s", err_message());
	CHECK(store_list_certs(state) == NULL, "and listing it is refused too");
	chmod(certs, 0700);
	chmod(iss, 0666);
	err_clear();
	CHECK(store_load_issuance(state, "c") == NULL && strstr(err_message(), iss) != NULL,
	    "a world-writable issuance.json is refused: %s", err_message());
	err_clear();
	CHECK(store_lock(state, 0) == -1 && strstr(err_message(), iss) != NULL,
	    "the lock's walk names it by its whole path: %s", err_message());
	chmod(iss, 0644);
	chmod(gen, 0775);
	err_clear();
	CHECK(store_lock(state, 0) == -1 && strstr(err_message(), gen) != NULL &&
	    strstr(err_message(), "mode 0775") != NULL,
	    "a group-writable generation is refused by the lock: %s", err_message());
	chmod(gen, 0700);
	chmod(state, 0770);
	err_clear();
	CHECK_INT(store_lock(state, 0), -1, "a group-writable STATE is not even locked");
	CHECK(strstr(err_message(), "mode 0770") != NULL, "message: %s", err_message());
	chmod(state, 0700);
	free(state);
	free(gen);
	free(iss);
	free(link);
	free(certs);
}

/* store_read_cert of certificate "r", one of its files spoiled per row:
 * content NULL removes it, "FIFO" puts a FIFO in its place. */
static const struct {
	const char *file;
	const char *content;
	const char *want;   /* in the message; NULL: read, 0 */
} read_rows[] = {
	{ NULL, NULL, NULL },                              /* all three read */
	{ STORE_ARI, NULL, NULL },                         /* no ARI state: ask again */
	{ STORE_ARI, "FIFO", NULL },                       /* nor one that is no file */
	{ STORE_ARI, "{\"failures\":", NULL },              /* nor one cut short */
	{ STORE_CERT, NULL, "cert.pem: No such file" },
	{ STORE_CERT, "FIFO", "cert.pem: not a regular file" },
	{ STORE_ISSUANCE, "[1]", "issuance.json: not a JSON object" },
	{ STORE_ISSUANCE, "{\"a\":", "cannot parse" },
	{ STORE_ISSUANCE, NULL, "no certificate \"r\" in" },
};

static void test_read_cert(void)
{
	char *state = path_in("read"), *gen = path_in("read/archive/r/1");
	char *certs = path_in("read/certs"), *link = path_in("read/certs/r"), *path;
	const char *iss = "{\"server\": \"https://ca.example/dir\"}";
	char big[70000];
	struct store_cert_files f;
	size_t i;
	int rc;

	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	store_mkdirs(certs, 0700);
	symlink("../archive/r/1", link);
	for (i = 0; i < nitems(read_rows); i++) {
		store_remove_tree(gen);
		store_mkdirs(gen, 0700);
		store_write_new(path = path_in("read/archive/r/1/" STORE_ISSUANCE), iss,
		    strlen(iss), 0644);
		free(path);
		/* bigger than any first guess of a buffer, read whole */
		store_write_new(path = path_in("read/archive/r/1/" STORE_CERT), big,
		    strlen(big), 0644);
		free(path);
		store_write_new(path = path_in("read/archive/r/1/" STORE_ARI), "{\"failures\":3}",
		    14, 0644);
		free(path);
		if (read_rows[i].file != NULL) {
			path = xasprintf("%s/%s", gen, read_rows[i].file);
			unlink(path);
			if (read_rows[i].content != NULL && strcmp(read_rows[i].content, "FIFO") == 0)
				mkfifo(path, 0644);
			else if (read_rows[i].content != NULL)
				store_write_new(path, read_rows[i].content,
				    strlen(read_rows[i].content), 0644);
			free(path);
		}
		err_clear();
		rc = store_read_cert(state, "r", &f);
		CHECK_INT(rc, read_rows[i].want == NULL ? 0 : -1, read_rows[i].want ?
		    read_rows[i].want : "read");
		if (read_rows[i].want != NULL) {
			CHECK(strstr(err_message(), read_rows[i].want) != NULL &&
			    strstr(err_message(), state) != NULL,
			    "%s: message names the file: %s", read_rows[i].want, err_message());
			CHECK_INT(err_kind(), ERR_STORAGE, read_rows[i].want);
		} else {
			CHECK(f.cert != NULL && strcmp(f.cert, big) == 0, "cert.pem read whole");
			CHECK_STR(json_string_value(json_object_get(f.issuance, "server")),
			    "https://ca.example/dir", "the record");
			CHECK(read_rows[i].file != NULL ? f.ari == NULL :
			    json_integer_value(json_object_get(f.ari, "failures")) == 3, "ari.json");
		}
		/* a spoiled certificate keeps its record, so its faults come first */
		if (read_rows[i].file != NULL && strcmp(read_rows[i].file, STORE_CERT) == 0)
			CHECK(f.issuance != NULL, "%s: the record is kept", read_rows[i].want);
		store_cert_files_clear(&f);
	}
	err_clear();
	CHECK(store_read_cert(state, "../read", &f) == -1 && err_kind() == ERR_USAGE,
	    "a name that is not a plain file name: %s", err_message());
	store_cert_files_clear(&f);
	free(state);
	free(gen);
	free(certs);
	free(link);
}

/* A symlink where a generation is kept is removed as a link when pruned;
 * the directory it leads to keeps its files. */
static void test_prune_symlink(void)
{
	char *state = path_in("prune"), *victim = path_in("victim"), *keep = path_in("victim/cert.pem");
	char *planted = path_in("prune/archive/p/2");

	save(state, "p", "1", 0);
	store_mkdirs(victim, 0700);
	store_write_atomic(keep, "keep", 4, 0644);
	CHECK_INT(symlink(victim, planted), 0, "plant archive/p/2");
	save(state, "p", "3", 0);
	CHECK(file_is(keep, "keep"), "the file behind the planted generation is kept");
	CHECK_INT(mode_of(planted), -1, "the planted link itself is pruned");
	free(state);
	free(victim);
	free(keep);
	free(planted);
}

/* store_delete_cert: the live link and every generation go, nothing a
 * planted symlink leads to does; what was half deleted is finished; what
 * acmectl did not make is refused. */
static void test_delete_cert(void)
{
	char *state = path_in("del"), *victim = path_in("del-victim");
	char *victim_file = path_in("del-victim/privkey.pem"), *outside = path_in("del-outside");
	char *live = path_in("del/certs/d"), *archive = path_in("del/archive/d");
	char *hand = path_in("del/certs/h"), *hand_iss = path_in("del/certs/h/issuance.json");
	char *half = path_in("del/archive/e"), *linked = path_in("del/archive/l");
	char *kept = path_in("del/certs/k/cert.pem"), **names;
	char *planted_file = path_in("del/archive/d/2/planted"), *planted_gen = path_in("del/archive/d/9");
	char *live_e = path_in("del/certs/e");

	save(state, "d", "1", 0);
	save(state, "d", "2", 0);
	save(state, "e", "1", 0);
	save(state, "k", "1", 0);
	store_mkdirs(victim, 0700);
	store_write_atomic(victim_file, "keep", 4, 0600);
	store_write_atomic(outside, "keep", 4, 0600);
	CHECK_INT(symlink(outside, planted_file), 0, "plant a file link");
	CHECK_INT(symlink(victim, planted_gen), 0, "plant a generation link");

	err_clear();
	CHECK_INT(store_delete_cert(state, "d"), 0, "delete d");
	CHECK_INT(mode_of(live), -1, "certs/d is gone");
	CHECK_INT(mode_of(archive), -1, "archive/d is gone");
	CHECK(file_is(victim_file, "keep"), "a planted generation link is not followed");
	CHECK(file_is(outside, "keep"), "a planted file link is not followed");
	CHECK(file_is(kept, "CERT 1\n"), "another certificate is untouched");
	names = store_list_certs(state);
	CHECK(names != NULL && names[0] != NULL && strcmp(names[0], "e") == 0 &&
	    names[1] != NULL && strcmp(names[1], "k") == 0 && names[2] == NULL,
	    "list shows e and k only");
	strv_free(names);

	err_clear();
	errno = 0;
	CHECK_INT(store_delete_cert(state, "d"), -1, "delete d again");
	CHECK_INT(err_kind(), ERR_USAGE, "no such certificate is a usage error");
	CHECK_INT(errno, ENOENT, "with errno ENOENT");

	/* a crash after the link went: the generations are finished off */
	CHECK_INT(unlink(live_e), 0, "remove certs/e as a crash would");
	err_clear();
	CHECK_INT(store_delete_cert(state, "e"), 0, "delete what a crash left of e");
	CHECK_INT(mode_of(half), -1, "archive/e is gone");

	/* archive/NAME itself a symlink: removed as a link */
	CHECK_INT(symlink(victim, linked), 0, "plant archive/l");
	err_clear();
	CHECK_INT(store_delete_cert(state, "l"), 0, "delete l");
	CHECK_INT(mode_of(linked), -1, "the link archive/l is gone");
	CHECK(file_is(victim_file, "keep"), "what archive/l led to is kept");

	store_mkdirs(hand, 0700);
	store_write_atomic(hand_iss, "{}", 2, 0644);
	err_clear();
	CHECK_INT(store_delete_cert(state, "h"), -1, "a directory kept by hand is refused");
	CHECK_INT(err_kind(), ERR_STORAGE, "as a storage error");
	CHECK(file_is(hand_iss, "{}"), "and left as it was");

	err_clear();
	CHECK_INT(store_delete_cert(state, "../accounts"), -1, "a path is no certificate name");
	CHECK_INT(err_kind(), ERR_USAGE, "as a usage error");
	free(state);
	free(victim);
	free(victim_file);
	free(outside);
	free(live);
	free(archive);
	free(hand);
	free(hand_iss);
	free(half);
	free(linked);
	free(kept);
	free(planted_file);
	free(planted_gen);
	free(live_e);
}

int main(void)
{
	char *cmd;

	if (mkdtemp(base) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_account_ids();
	test_default_dir();
	test_mkdirs();
	test_write_atomic();
	test_write_new();
	test_read_file();
	test_save_cert();
	test_list_empty();
	test_cert_links();
	test_read_cert();
	test_prune_symlink();
	test_delete_cert();
	if (test_fail == 0) {
		cmd = xasprintf("rm -rf '%s'", base);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", base);
		free(cmd);
	} else
		fprintf(stderr, "left %s for inspection\n", base);
	return test_done();
}
