/* syscall-floor.c - what the system calls of `acmectl renew` with nothing
 * due cost on this machine, with nothing else around them: no parsing, no
 * allocation, no error handling. The floor under acmectl's figure for the
 * due-none scenario (bench/README.md).
 *
 *	syscall-floor STATE renew|cold|reads
 *
 * STATE is a state directory in acmectl's layout (bench/gen-certs.py).
 * For each entry of STATE/certs:
 *   renew  the 7 calls renew makes for a certificate whose row in the
 *          renew digest matches its files: the lock's trust walk (lstat of
 *          certs/NAME, readlink, lstat of archive/NAME, of the generation
 *          and of its issuance.json, relative to descriptors of certs/ and
 *          archive/) and the lstat of its cert.pem and ari.json (the
 *          digest itself is read once per run, not counted);
 *   cold   the 21 calls renew makes for a certificate without a matching
 *          row: the walk's 7, then one open of certs/NAME and openat,
 *          fstat, read and close of issuance.json, cert.pem and ari.json,
 *          and the close;
 *   reads  only open, read and close of the three files by path (9), no
 *          trust check at all: the least any reader of them could do.
 * Time it with /usr/bin/time or bench/measure. */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const files[] = { "issuance.json", "cert.pem", "ari.json" };

/* open, [fstat,] read and close of name under dirfd; the bytes are dropped */
static void read_one(int dirfd, const char *name, int with_fstat)
{
	static char buf[65536];
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd == -1)
		return;
	if (with_fstat)
		(void)fstat(fd, &st);
	(void)read(fd, buf, sizeof(buf));
	close(fd);
}

/* The 7 calls renew makes for certificate name with a matching row; with
 * cold, the 14 more of reading its files. */
static void renew_one(const char *state, int certs, int archive, const char *name, int cold)
{
	char path[4096], target[4096];
	struct stat st;
	int dir;

	(void)fstatat(certs, name, &st, AT_SYMLINK_NOFOLLOW);
	(void)readlinkat(certs, name, target, sizeof(target));
	(void)fstatat(archive, name, &st, AT_SYMLINK_NOFOLLOW);
	snprintf(path, sizeof(path), "%s/1", name);
	(void)fstatat(archive, path, &st, AT_SYMLINK_NOFOLLOW);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/1/%s", name, files[i]);
		(void)fstatat(archive, path, &st, AT_SYMLINK_NOFOLLOW);
	}
	if (!cold)
		return;
	snprintf(path, sizeof(path), "%s/certs/%s", state, name);
	if ((dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		read_one(dir, files[i], 1);
	close(dir);
}

/* The three files read by path, nothing else. */
static void reads_one(const char *state, const char *name)
{
	char path[4096];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/certs/%s/%s", state, name, files[i]);
		read_one(AT_FDCWD, path, 0);
	}
}

int main(int argc, char **argv)
{
	char path[4096];
	struct dirent *de;
	int certs, archive, renew, cold;
	DIR *d;

	if (argc != 3 || (strcmp(argv[2], "renew") != 0 && strcmp(argv[2], "cold") != 0 &&
	    strcmp(argv[2], "reads") != 0)) {
		fprintf(stderr, "usage: syscall-floor STATE renew|cold|reads\n");
		return 2;
	}
	cold = strcmp(argv[2], "cold") == 0;
	renew = cold || strcmp(argv[2], "renew") == 0;
	snprintf(path, sizeof(path), "%s/certs", argv[1]);
	if ((d = opendir(path)) == NULL || (certs = open(path, O_RDONLY | O_DIRECTORY)) == -1) {
		perror(path);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/archive", argv[1]);
	if ((archive = open(path, O_RDONLY | O_DIRECTORY)) == -1) {
		perror(path);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (renew)
			renew_one(argv[1], certs, archive, de->d_name, cold);
		else
			reads_one(argv[1], de->d_name);
	}
	closedir(d);
	return 0;
}
