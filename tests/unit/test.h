/* test.h - the tiny harness for table-driven unit tests.
 *
 * A test program runs its tables with CHECK*(); each failing check prints
 * file:line and what differed. main() ends with `return test_done();`, which
 * prints "N passed, N failed" for the program and exits non-zero on failure.
 */
#ifndef ACMECTL_TEST_H
#define ACMECTL_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static int test_pass, test_fail;

#define CHECK(cond, ...) do { \
	if (cond) { test_pass++; } else { test_fail++; \
		fprintf(stderr, "%s:%d: FAIL: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
} while (0)

#define CHECK_STR(got, want, ctx) do { \
	const char *g_ = (got), *w_ = (want); \
	if ((g_ == NULL && w_ == NULL) || (g_ && w_ && strcmp(g_, w_) == 0)) { test_pass++; } \
	else { test_fail++; fprintf(stderr, "%s:%d: FAIL [%s]: got \"%s\", want \"%s\"\n", \
		__FILE__, __LINE__, (ctx), g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } \
} while (0)

#define CHECK_INT(got, want, ctx) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (g_ == w_) { test_pass++; } \
	else { test_fail++; fprintf(stderr, "%s:%d: FAIL [%s]: got %lld, want %lld\n", \
		__FILE__, __LINE__, (ctx), g_, w_); } \
} while (0)

static inline int test_done(void)
{
	printf("%d passed, %d failed\n", test_pass, test_fail);
	return test_fail == 0 && test_pass > 0 ? 0 : 1;
}

/* Writes data to a new temporary file; returns its path (caller unlinks
 * and frees) or NULL. */
static inline char *test_write_temp(const void *data, size_t len)
{
	char *path = strdup("/tmp/acmectl-test-XXXXXX");
	int fd = path != NULL ? mkstemp(path) : -1;

	if (fd == -1 || write(fd, data, len) != (ssize_t)len) {
		free(path);
		path = NULL;
	}
	if (fd != -1)
		close(fd);
	return path;
}

/* The path of fixture file in tests/unit/data/DIR: under $TESTS_SRCDIR
 * during make check, else beside this header. Caller frees. */
static inline char *test_data_file(const char *dir, const char *file)
{
	const char *srcdir = getenv("TESTS_SRCDIR");
	const char *slash = strrchr(__FILE__, '/');

	if (srcdir != NULL)
		return xasprintf("%s/unit/data/%s/%s", srcdir, dir, file);
	if (slash == NULL)
		return xasprintf("data/%s/%s", dir, file);
	return xasprintf("%.*s/data/%s/%s", (int)(slash - __FILE__), __FILE__, dir, file);
}

/* The path of fixture file in tests/unit/data/k8s. Caller frees. */
static inline char *test_data_path(const char *file)
{
	return test_data_file("k8s", file);
}

#endif
