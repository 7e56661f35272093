/* test_alloc.h - every allocation of a build failing in turn, in a child.
 *
 * OpenSSL and jansson allocate through counters (alloc_counting_start(),
 * called first in main: OpenSSL refuses new functions once it allocated).
 * alloc_fail_each() makes a product once per allocation with that one failing,
 * each run in a child, until a run fails none: each must end with what it
 * builds whole, or as acmectl's allocators end on out of memory (exit 4,
 * the one line "acmectl: out of memory"); never with a product short of a
 * part, never with an error that blames the input.
 */
#ifndef ACMECTL_TEST_ALLOC_H
#define ACMECTL_TEST_ALLOC_H

#include <sys/wait.h>

#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "err.h"
#include "test.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ALLOC_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define TEST_ALLOC_LSAN 1
#endif
#endif
#ifdef TEST_ALLOC_LSAN
#include <sanitizer/lsan_interface.h>
#endif

/* The allocations counted so far; the one numbered alloc_fail_at fails
 * (-1: none). */
static long alloc_count, alloc_fail_at = -1;

static void *alloc_counted_ossl(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return alloc_count++ == alloc_fail_at ? NULL : malloc(n);
}

static void *realloc_counted_ossl(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return alloc_count++ == alloc_fail_at ? NULL : realloc(p, n);
}

static void free_ossl(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

static void *alloc_counted_json(size_t n)
{
	return alloc_count++ == alloc_fail_at ? NULL : malloc(n);
}

/* Routes OpenSSL's and jansson's allocations through the counters. */
static inline void alloc_counting_start(void)
{
	CHECK(CRYPTO_set_mem_functions(alloc_counted_ossl, realloc_counted_ossl, free_ossl) == 1,
	    "OpenSSL allocates through the counters");
	json_set_alloc_funcs(alloc_counted_json, free);
}

/* How a run ended, as the child's exit status (4 is acmectl's on out of
 * memory; the others are no one else's). */
enum alloc_outcome { ALLOC_OUT_OF_MEMORY = 4, ALLOC_WHOLE = 60, ALLOC_SHORT, ALLOC_REFUSED,
	ALLOC_NONE_FAILED };

/* What is built: make(arg) returns the product, or NULL with the error
 * record set; judge(product, arg), run with no allocation failing, says
 * whether it is whole (ALLOC_WHOLE) or short of a part (ALLOC_SHORT). */
struct alloc_build {
	void *(*make)(void *arg);
	enum alloc_outcome (*judge)(void *product, void *arg);
	void *arg;
};

/* In a child: makes b's product with allocation n failing and exits with
 * how it ended (a refusal writes its message to stderr). Never returns. */
static void alloc_run_failing(const struct alloc_build *b, long n)
{
	enum alloc_outcome end;
	void *product;
	long used;

#ifdef TEST_ALLOC_LSAN
	/* what an exit on out of memory leaves allocated is not a leak */
	__lsan_disable();
#endif
	alloc_count = 0;
	alloc_fail_at = n;
	product = b->make(b->arg);
	alloc_fail_at = -1;
	used = alloc_count;
	if (product == NULL) {
		fputs(err_message(), stderr);
		_exit(ALLOC_REFUSED);
	}
	end = b->judge(product, b->arg);
	_exit(end == ALLOC_WHOLE && used <= n ? ALLOC_NONE_FAILED : end);
}

/* Fails each allocation of making b's product in turn, from the first,
 * until a run fails none; CHECKs that each ends whole or as out of memory with its one
 * line. what names the build in failures. Returns how many allocations
 * failed and, in *oom, how many of them ended as out of memory. */
static inline long alloc_fail_each(const char *what, const struct alloc_build *b, long *oom)
{
	char said[256];
	int status, fds[2];
	ssize_t got;
	pid_t pid;
	long n;

	*oom = 0;
	for (n = 0; pipe(fds) == 0; n++) {
		fflush(stdout);
		fflush(stderr);
		if ((pid = fork()) == 0) {
			dup2(fds[1], STDERR_FILENO);
			close(fds[0]);
			alloc_run_failing(b, n);
		}
		close(fds[1]);
		got = read(fds[0], said, sizeof(said) - 1);
		said[got > 0 ? got : 0] = '\0';
		close(fds[0]);
		if (pid == -1 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
			CHECK(false, "%s, allocation %ld failing: the child ended abnormally", what, n);
			break;
		}
		if (WEXITSTATUS(status) == ALLOC_NONE_FAILED)
			break;
		*oom += WEXITSTATUS(status) == ALLOC_OUT_OF_MEMORY;
		CHECK(WEXITSTATUS(status) == ALLOC_OUT_OF_MEMORY || WEXITSTATUS(status) == ALLOC_WHOLE,
		    "%s, allocation %ld failing: %s%s", what, n,
		    WEXITSTATUS(status) == ALLOC_SHORT ? "the result came out short of a part: " :
		    WEXITSTATUS(status) == ALLOC_REFUSED ? "refused: " : "the child exited otherwise",
		    WEXITSTATUS(status) != ALLOC_OUT_OF_MEMORY ? said : "");
		if (WEXITSTATUS(status) == ALLOC_OUT_OF_MEMORY)
			CHECK_STR(said, "acmectl: out of memory\n", what);
	}
	return n;
}

#endif
