/* test_fileio.c - the whole-file reader and the file creator: what they
 * refuse (FIFOs, directories, files over the limit, symlinks planted where
 * a file is created) and that nothing is left behind; whom the trust rule
 * trusts, for one entry and for a program's whole path. Runs in a mkdtemp
 * dir. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "fileio.h"
#include "util.h"
#include "test.h"

static char base[] = "/tmp/test_fileio.XXXXXX";

/* What each name under base is made into before it is read. */
enum kind { REGULAR, FIFO, DIRECTORY, MISSING };

static const struct {
	const char *name;
	enum kind kind;
	const char *content;  /* REGULAR only */
	size_t max;
	const char *error;    /* NULL: read back as content */
} reads[] = {
	{ "small", REGULAR, "hello", 5, NULL },
	{ "empty", REGULAR, "", 5, NULL },
	{ "over", REGULAR, "hello!", 5, "larger than 5 bytes" },
	{ "fifo", FIFO, NULL, 5, "not a regular file" },
	{ "dir", DIRECTORY, NULL, 5, "not a regular file" },
	{ "missing", MISSING, NULL, 5, "No such file or directory" },
};

/* Who may hold what a run of uid ME trusts. */
#define ME 1000

static const struct {
	uid_t owner;
	mode_t mode;
	bool trusted;
} owners[] = {
	{ ME, S_IFDIR | 0700, true },
	{ ME, S_IFDIR | 0755, true },
	{ 0, S_IFDIR | 0755, true },
	{ 0, S_IFREG | 0644, true },
	{ ME, S_IFREG | 0600, true },
	{ ME, S_IFDIR | 0775, false },
	{ ME, S_IFDIR | 0757, false },
	{ 0, S_IFDIR | 01777, false },
	{ 0, S_IFREG | 0666, false },
	{ ME, S_IFREG | 0620, false },
	{ 65534, S_IFDIR | 0700, false },
	{ 65534, S_IFREG | 0600, false },
	{ ME + 1, S_IFDIR | 0755, false },
	{ ME, S_IFLNK | 0777, true },
	{ 0, S_IFLNK | 0777, true },
	{ 65534, S_IFLNK | 0777, false },
};

static void test_trust(void)
{
	struct stat st;
	char ctx[64];
	size_t i;

	for (i = 0; i < nitems(owners); i++) {
		memset(&st, 0, sizeof(st));
		st.st_uid = owners[i].owner;
		st.st_mode = owners[i].mode;
		snprintf(ctx, sizeof(ctx), "uid %u mode %06o", (unsigned)owners[i].owner,
		    (unsigned)owners[i].mode);
		CHECK_INT(file_stat_is_trusted(&st, ME), owners[i].trusted, ctx);
	}
	/* root trusts only itself */
	st.st_uid = ME;
	st.st_mode = S_IFDIR | 0700;
	CHECK_INT(file_stat_is_trusted(&st, 0), false, "root does not trust uid 1000's directory");
}

static void test_refusal_message(void)
{
	struct stat st = { .st_uid = 65534, .st_mode = S_IFDIR | 0777 };

	if (geteuid() == 65534)
		st.st_uid = 65533;
	err_clear();
	CHECK_INT(file_check_trusted("/state/\033]2;x", &st), -1, "a foreign directory is refused");
	CHECK_INT(err_kind(), ERR_STORAGE, "the refusal is a storage error (exit 4)");
	CHECK(strstr(err_message(), "refusing to use /state/") != NULL &&
	    strstr(err_message(), "(uid 6553") != NULL &&
	    strstr(err_message(), "mode 0777") != NULL, "it names path, owner and mode: %s",
	    err_message());
	CHECK(strchr(err_message(), '\033') == NULL, "the path is shown sanitized: %s",
	    err_message());
	st.st_uid = geteuid();
	st.st_mode = S_IFDIR | 0700;
	err_clear();
	CHECK_INT(file_check_trusted("/state", &st), 0, "one's own 0700 directory is trusted");
	CHECK_INT(err_kind(), ERR_NONE, "trusting records nothing");
}

static void make(const char *path, enum kind kind, const char *content)
{
	int fd;

	if (kind == FIFO)
		mkfifo(path, 0600);
	else if (kind == DIRECTORY)
		mkdir(path, 0700);
	else if (kind == REGULAR && (fd = open(path, O_WRONLY | O_CREAT, 0600)) != -1) {
		write_full(fd, content, strlen(content));
		close(fd);
	}
}

static void test_reads(void)
{
	size_t i, len;
	char *path, *got;

	for (i = 0; i < nitems(reads); i++) {
		path = xasprintf("%s/%s", base, reads[i].name);
		make(path, reads[i].kind, reads[i].content);
		err_clear();
		len = 12345;
		got = file_read(path, reads[i].max, ERR_USAGE, &len);
		if (reads[i].error == NULL) {
			CHECK_STR(got, reads[i].content, reads[i].name);
			CHECK_INT(len, strlen(reads[i].content), reads[i].name);
		} else {
			CHECK(got == NULL, "%s: read something that should be refused", reads[i].name);
			CHECK_INT(err_kind(), ERR_USAGE, reads[i].name);
			CHECK(strstr(err_message(), path) != NULL &&
			    strstr(err_message(), reads[i].error) != NULL,
			    "%s: the message names the path and says \"%s\": %s",
			    reads[i].name, reads[i].error, err_message());
		}
		if (reads[i].kind == MISSING)
			CHECK_INT(errno, ENOENT, "a missing file leaves errno ENOENT");
		free(got);
		free(path);
	}
}

/* file_read_at reads the same rows relative to a directory descriptor and
 * names each file as it is told; the first buffer, sized by fstat, does
 * not limit what is read. */
static void test_reads_at(void)
{
	static char big[20001];
	int dirfd = open(base, O_RDONLY | O_DIRECTORY);
	size_t i, len;
	char *got, *path;

	for (i = 0; i < nitems(reads); i++) {
		err_clear();
		got = file_read_at(dirfd, reads[i].name, "SHOWN", reads[i].max, ERR_USAGE, &len);
		if (reads[i].error == NULL) {
			CHECK_STR(got, reads[i].content, reads[i].name);
		} else {
			CHECK(got == NULL && strstr(err_message(), "cannot read SHOWN: ") != NULL &&
			    strstr(err_message(), reads[i].error) != NULL,
			    "%s: refused, named as shown: %s", reads[i].name, err_message());
		}
		free(got);
	}
	memset(big, 'x', sizeof(big) - 1);
	path = xasprintf("%s/big", base);
	make(path, REGULAR, big);
	got = file_read_at(dirfd, "big", path, sizeof(big), ERR_USAGE, &len);
	CHECK(got != NULL && len == sizeof(big) - 1 && strcmp(got, big) == 0,
	    "a file over the old first buffer of 8 KiB is read whole");
	free(got);
	free(path);
	/* st_size 0 with something in it, as /proc says of its files */
	got = file_read_at(AT_FDCWD, "/proc/self/status", "status", 1 << 20, ERR_USAGE, &len);
	CHECK(got != NULL && len > 0 && strstr(got, "Name:") != NULL,
	    "a file whose size fstat gives as 0 is read to its end");
	free(got);
	close(dirfd);
}

static void test_create(void)
{
	char *victim = xasprintf("%s/victim", base), *link = xasprintf("%s/planted", base);
	char *fresh = xasprintf("%s/fresh", base), *got;
	struct stat st;
	mode_t oldmask;
	int dirfd, fd;

	make(victim, REGULAR, "untouched");
	symlink(victim, link);
	dirfd = open(base, O_RDONLY | O_DIRECTORY);
	err_clear();
	fd = file_create_at(dirfd, "planted", link, "evil", 4, 0644);
	CHECK_INT(fd, -1, "a symlink at the name is not followed");
	CHECK_INT(errno, EEXIST, "a symlink at the name counts as existing");
	CHECK_INT(err_kind(), ERR_STORAGE, "refused symlink: kind");
	CHECK(strstr(err_message(), link) != NULL, "the message names the file: %s",
	    err_message());
	got = file_read(victim, 100, ERR_STORAGE, NULL);
	CHECK_STR(got, "untouched", "the symlink's target is untouched");
	free(got);
	CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "the planted symlink stays");

	oldmask = umask(0);
	fd = file_create_at(dirfd, "fresh", fresh, "new", 3, 0600);
	umask(oldmask);
	CHECK(fd != -1, "creating a new file: %s", err_message());
	if (fd != -1)
		close(fd);
	CHECK(stat(fresh, &st) == 0 && (st.st_mode & 07777) == 0600,
	    "the mode is the caller's whatever the umask");
	got = file_read(fresh, 100, ERR_STORAGE, NULL);
	CHECK_STR(got, "new", "the data is written");
	free(got);
	CHECK_INT(file_create_at(dirfd, "fresh", fresh, "x", 1, 0600), -1,
	    "an existing file is never replaced");
	close(dirfd);
	free(victim);
	free(link);
	free(fresh);
}

/* A program at base/N/d/f, with d and f of these modes and owners
 * (NOBODY: uid 65534, rows run only as root), as
 * file_check_trusted_path judges it. */
#define NOBODY 65534
static const struct {
	mode_t dir_mode, file_mode;
	uid_t dir_owner, file_owner;  /* 0: the running user */
	const char *error;            /* NULL: trusted; else a fragment */
} programs[] = {
	{ 0755, 0755, 0, 0, NULL },
	{ 0700, 0700, 0, 0, NULL },
	{ 0755, 0775, 0, 0, "/d/f: it is owned by" },
	{ 0755, 0757, 0, 0, "with mode 0757" },
	{ 0775, 0755, 0, 0, "/d: it is owned by" },
	{ 0777, 0755, 0, 0, "/d: it is owned by" },
	{ 01777, 0755, 0, 0, NULL },            /* sticky, like /tmp */
	{ 01777, 0775, 0, 0, "/d/f: it is owned by" },
	{ 0755, 0755, 0, NOBODY, "/d/f: it is owned by nobody" },
	{ 0755, 0755, NOBODY, 0, "/d: it is owned by nobody" },
	{ 01777, 0755, NOBODY, 0, "/d: it is owned by nobody" },
};

static void test_trusted_path(void)
{
	char *parent, *dir, *file, *link, ctx[64];
	int fd;

	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		if ((programs[i].dir_owner != 0 || programs[i].file_owner != 0) &&
		    geteuid() != 0)
			continue;
		snprintf(ctx, sizeof(ctx), "program row %zu", i);
		parent = xasprintf("%s/%zu", base, i);
		dir = xasprintf("%s/d", parent);
		file = xasprintf("%s/f", dir);
		mkdir(parent, 0755);
		mkdir(dir, 0700);
		fd = open(file, O_WRONLY | O_CREAT, 0700);
		close(fd);
		chmod(file, programs[i].file_mode);
		chmod(dir, programs[i].dir_mode);
		if (programs[i].file_owner != 0 && chown(file, programs[i].file_owner, 0) != 0)
			CHECK(false, "%s: chown", ctx);
		if (programs[i].dir_owner != 0 && chown(dir, programs[i].dir_owner, 0) != 0)
			CHECK(false, "%s: chown", ctx);
		err_clear();
		CHECK_INT(file_check_trusted_path(file), programs[i].error ? -1 : 0, ctx);
		CHECK(programs[i].error == NULL || strstr(err_message(), programs[i].error),
		    "%s: \"%s\"", ctx, err_message());
		CHECK_INT(programs[i].error ? err_kind() : ERR_STORAGE, ERR_STORAGE, ctx);
		/* reached through a symlink of ours: the target is judged too */
		link = xasprintf("%s/link%zu", base, i);
		if (symlink(file, link) == 0) {
			err_clear();
			CHECK_INT(file_check_trusted_path(link), programs[i].error ? -1 : 0, ctx);
		}
		free(link);
		free(file);
		free(dir);
		free(parent);
	}
	err_clear();
	CHECK_INT(file_check_trusted_path("/nonexistent/acmectl-hook"), -1, "missing program");
	CHECK(strstr(err_message(), "cannot use /nonexistent") != NULL, "%s", err_message());
	err_clear();
	CHECK_INT(file_check_trusted_path("/bin/sh"), 0, "/bin/sh is trusted");
}

int main(void)
{
	char *cmd;

	if (mkdtemp(base) == NULL)
		return 1;
	test_trust();
	test_refusal_message();
	test_reads();
	test_reads_at();
	test_create();
	test_trusted_path();
	cmd = xasprintf("rm -rf %s", base);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", base);
	free(cmd);
	return test_done();
}
