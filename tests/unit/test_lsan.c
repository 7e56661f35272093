/* test_lsan.c - proof that LeakSanitizer really reports in the sanitizer
 * build: this program runs itself as a helper that leaks on purpose, under
 * the environment make check gives every test and under explicit
 * ASAN_OPTIONS, and fails unless the leak is reported exactly when leak
 * detection is on. Without the sanitizer there is nothing to prove: SKIP
 * (exit 77), never a pass. */
#include "config.h"

#include <sys/wait.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "util.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_LSAN true
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define HAVE_LSAN true
#endif
#endif
#ifndef HAVE_LSAN
#define HAVE_LSAN false
#endif

#define LEAK_SIZE 4242
#define REPORT "ERROR: LeakSanitizer: detected memory leaks"

/* Where the helper keeps its allocation until it drops it: a global the
 * compiler must write, so the allocation is not optimised away. */
static void *volatile leaked;

/* Allocates and loses the only pointer. noinline: once it has returned,
 * no live stack frame or register still holds the address. */
static __attribute__((noinline)) void leak(void)
{
	leaked = malloc(LEAK_SIZE);
	memset(leaked, 0x5a, LEAK_SIZE);
	leaked = NULL;
}

/* Runs this program as the leaking helper with ASAN_OPTIONS set to
 * options (NULL: as inherited). Stores its exit status in *status (-1 when
 * it did not exit) and returns its stderr (caller frees), or NULL. */
static char *run_helper(const char *options, int *status)
{
	char *path = test_write_temp("", 0), *err = NULL;
	int wstatus, fd;
	FILE *f;
	pid_t pid;
	long len;

	*status = -1;
	if (path == NULL)
		return NULL;
	if ((pid = fork()) == 0) {
		if ((fd = open(path, O_WRONLY)) == -1 || dup2(fd, 2) == -1)
			_exit(126);
		if (options != NULL && setenv("ASAN_OPTIONS", options, 1) == -1)
			_exit(126);
		execl("/proc/self/exe", "test_lsan", "--leak", (char *)NULL);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &wstatus, 0) == pid && WIFEXITED(wstatus))
		*status = WEXITSTATUS(wstatus);
	if ((f = fopen(path, "r")) != NULL) {
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		err = xcalloc(1, (size_t)len + 1);
		if (fread(err, 1, (size_t)len, f) != (size_t)len)
			err[0] = '\0';
		fclose(f);
	}
	unlink(path);
	free(path);
	return err;
}

static void test_leak_reported(void)
{
	static const struct {
		const char *what;
		const char *asan_options;  /* NULL: what make check passes on */
		bool reported;
	} rows[] = {
		{ "the environment every test gets", NULL, true },
		{ "leak detection asked for", "detect_leaks=1", true },
		{ "leak detection turned off", "detect_leaks=0", false },
	};
	char *err, size[32];
	int status;

	snprintf(size, sizeof(size), "%d byte(s)", LEAK_SIZE);
	for (size_t i = 0; i < nitems(rows); i++) {
		err = run_helper(rows[i].asan_options, &status);
		CHECK(err != NULL, "%s: the helper's stderr could be read", rows[i].what);
		if (err == NULL)
			continue;
		if (rows[i].reported) {
			CHECK(status > 0, "%s: a leaking helper fails (it exited %d)",
			    rows[i].what, status);
			CHECK(strstr(err, REPORT) != NULL && strstr(err, size) != NULL,
			    "%s: the leak of %s is reported, stderr was: %s",
			    rows[i].what, size, err);
		} else {
			CHECK(status == 0, "%s: the helper exits 0 (it exited %d)",
			    rows[i].what, status);
			CHECK(strstr(err, REPORT) == NULL,
			    "%s: nothing is reported, stderr was: %s", rows[i].what, err);
		}
		free(err);
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--leak") == 0) {
		leak();
		return 0;
	}
	if (!HAVE_LSAN) {
		puts("SKIP: built without AddressSanitizer, there is no leak check to prove");
		return 77;
	}
	test_leak_reported();
	return test_done();
}
