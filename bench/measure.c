/*
 * measure.c - run a command and record its wall time, CPU and peak RSS.
 *
 *	measure --out FILE [--each LIST] [--stamp FILE] -- CMD [ARG]...
 *
 * Writes one line to --out:  RC WALL_S USER_S SYS_S MAXRSS_KIB
 * from wait4(2) of the child, so user/sys/peak RSS cover the command and
 * every descendant it waited for (uacme's hook scripts included), at
 * microsecond resolution (/usr/bin/time rounds CPU to 10 ms, too coarse for
 * a 40 ms client). WALL is CLOCK_MONOTONIC from fork to exit.
 *
 * Why C: Linux counts the memory a child had before exec in its peak RSS, so
 * a child forked from Python starts at Python's ~14 MiB; forked from this
 * small process it starts at about 1 MiB.
 *
 * --each LIST  runs CMD once per line of LIST, with every argument "{}"
 *              replaced by the line, one after the other; stops at the first
 *              failure. WALL, USER and SYS are totals, MAXRSS the largest.
 * --stamp FILE copies the child's stderr to FILE, each line prefixed with
 *              the seconds since the start ("  1.234 ..."): request
 *              timelines of trace runs. The copying is work outside the child.
 *
 * Built by bench/run.sh with cc; not part of acmectl.
 */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct usage {
	int	 rc;
	double	 wall;
	double	 user;
	double	 sys;
	long	 maxrss_kib;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double tv_seconds(struct timeval tv)
{
	return tv.tv_sec + tv.tv_usec / 1e6;
}

/* Copies what arrives on fd to stamp, one prefixed line at a time, until
 * EOF; a last line without newline is written too. */
static void copy_stamped(int fd, FILE *stamp, double start)
{
	char buf[4096], line[65536];
	size_t len = 0;
	ssize_t n;
	ssize_t i;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n' && len < sizeof(line) - 1) {
				line[len++] = buf[i];
				continue;
			}
			if (buf[i] != '\n')
				continue;
			line[len] = '\0';
			fprintf(stamp, "%7.3f %s\n", now() - start, line);
			len = 0;
		}
	}
	if (len > 0) {
		line[len] = '\0';
		fprintf(stamp, "%7.3f %s\n", now() - start, line);
	}
	fflush(stamp);
}

/* Runs argv to completion; fills u. */
static void run_once(char **argv, FILE *stamp, struct usage *u)
{
	struct rusage ru;
	double start;
	pid_t pid;
	int status, pipefd[2] = { -1, -1 };

	memset(u, 0, sizeof(*u));
	if (stamp != NULL && pipe(pipefd) == -1) {
		perror("measure: pipe");
		u->rc = 127;
		return;
	}
	start = now();
	if ((pid = fork()) == -1) {
		perror("measure: fork");
		u->rc = 127;
		return;
	}
	if (pid == 0) {
		if (stamp != NULL) {
			dup2(pipefd[1], STDERR_FILENO);
			close(pipefd[0]);
			close(pipefd[1]);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "measure: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (stamp != NULL) {
		close(pipefd[1]);
		copy_stamped(pipefd[0], stamp, start);
		close(pipefd[0]);
	}
	while (wait4(pid, &status, 0, &ru) == -1) {
		if (errno != EINTR) {
			perror("measure: wait4");
			u->rc = 127;
			return;
		}
	}
	u->wall = now() - start;
	u->user = tv_seconds(ru.ru_utime);
	u->sys = tv_seconds(ru.ru_stime);
	u->maxrss_kib = ru.ru_maxrss;
	if (WIFEXITED(status))
		u->rc = WEXITSTATUS(status);
	else
		u->rc = 128 + WTERMSIG(status);
}

/* Reads the non-empty lines of path into a NULL-terminated array. */
static char **read_lines(const char *path)
{
	FILE *f;
	char *line = NULL, **lines = NULL;
	size_t cap = 0, n = 0, alloc = 0;
	ssize_t len;

	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		exit(127);
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (n + 2 > alloc) {
			alloc = alloc ? alloc * 2 : 64;
			if ((lines = realloc(lines, alloc * sizeof(*lines))) == NULL) {
				perror("measure");
				exit(127);
			}
		}
		if ((lines[n++] = strdup(line)) == NULL) {
			perror("measure");
			exit(127);
		}
	}
	free(line);
	fclose(f);
	if (lines == NULL && (lines = calloc(1, sizeof(*lines))) == NULL) {
		perror("measure");
		exit(127);
	}
	lines[n] = NULL;
	return lines;
}

static void usage(void)
{
	fprintf(stderr, "usage: measure --out FILE [--each LIST] [--stamp FILE] -- CMD...\n");
	exit(127);
}

int main(int argc, char *argv[])
{
	const char *out = NULL, *each = NULL, *stamp_path = NULL;
	char **cmd, **items = NULL, **argv_one;
	FILE *stamp = NULL, *f;
	struct usage total, one;
	int i, j, ncmd;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--out") == 0)
			out = argv[i + 1];
		else if (strcmp(argv[i], "--each") == 0)
			each = argv[i + 1];
		else if (strcmp(argv[i], "--stamp") == 0)
			stamp_path = argv[i + 1];
		else
			usage();
	}
	if (out == NULL || i + 1 >= argc)
		usage();
	cmd = &argv[i + 1];
	ncmd = argc - i - 1;

	if (stamp_path != NULL && (stamp = fopen(stamp_path, "w")) == NULL) {
		perror(stamp_path);
		return 127;
	}
	if (each != NULL)
		items = read_lines(each);
	if ((argv_one = calloc(ncmd + 1, sizeof(*argv_one))) == NULL) {
		perror("measure");
		return 127;
	}

	memset(&total, 0, sizeof(total));
	do {
		for (j = 0; j < ncmd; j++)
			argv_one[j] = (items != NULL && strcmp(cmd[j], "{}") == 0) ?
			    *items : cmd[j];
		if (items != NULL && *items == NULL)
			break;
		run_once(argv_one, stamp, &one);
		total.wall += one.wall;
		total.user += one.user;
		total.sys += one.sys;
		if (one.maxrss_kib > total.maxrss_kib)
			total.maxrss_kib = one.maxrss_kib;
		total.rc = one.rc;
	} while (total.rc == 0 && items != NULL && *++items != NULL);
	if (stamp != NULL)
		fclose(stamp);

	if ((f = fopen(out, "w")) == NULL) {
		perror(out);
		return 127;
	}
	fprintf(f, "%d %.6f %.6f %.6f %ld\n", total.rc, total.wall, total.user,
	    total.sys, total.maxrss_kib);
	fclose(f);
	return total.rc;
}
