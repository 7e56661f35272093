/* util.h - allocation helpers that never return NULL.
 *
 * Out-of-memory is not a recoverable condition for a short-lived CLI: these
 * print one line and exit(4) instead of threading NULL checks everywhere.
 */
#ifndef ACMECTL_UTIL_H
#define ACMECTL_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Prints "acmectl: out of memory" and exits 4, as the allocators below
 * do: for an allocation of another library (OpenSSL) that failed. */
void oom(void) __attribute__((noreturn));

/* Like malloc/calloc/realloc/strdup/strndup; caller frees. Never NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* The number of elements of array a (an array, not a pointer). */
#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* Marks a switch case that falls through to the next on purpose. */
#define FALLTHROUGH __attribute__((fallthrough))

/* Formats into a new string; caller frees. Never NULL. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Frees a NULL-terminated array of strings and the array itself. NULL is fine. */
void strv_free(char **v);

/* True when s is valid UTF-8 as jansson checks a string (no overlong
 * forms, surrogates or code points beyond U+10FFFF). */
bool str_is_utf8(const char *s);

/* s for a message: bytes outside printable ASCII as \xNN, so a hostile
 * argument or file cannot drive the terminal. Caller frees. Never NULL. */
char *str_printable(const char *s);

/* The most bytes str_sanitize() keeps of a server's text (then "…"). */
#define SANITIZE_MAX 300

/* Server-provided text (a problem detail, a response snippet, a header
 * value) made safe to print and to put in JSON: valid UTF-8 is kept, except
 * controls (C0, DEL, C1, bidirectional overrides), which become \n, \r, \t,
 * \xNN or \uNNNN, as does every byte of invalid UTF-8 (\xNN); the result is
 * cut at a character boundary to at most cap bytes, followed by "…" when
 * anything was cut. Caller frees. Never NULL. */
char *str_sanitize_cap(const void *data, size_t len, size_t cap);

/* str_sanitize_cap with cap SANITIZE_MAX, of len bytes / of a C string. */
char *str_sanitize_mem(const void *data, size_t len);
char *str_sanitize(const char *s);

/* Writes all len bytes to fd, resuming after EINTR and short writes.
 * Returns 0, or -1 with errno set (records nothing in err). */
int write_full(int fd, const void *data, size_t len);

/* Number of strings in a NULL-terminated array (0 for NULL). */
size_t strv_len(char *const *v);

/* The n strings of v joined with sep between them. Caller frees. */
char *str_join(const char *const *v, size_t n, const char *sep);

/* doc as JSON text under jansson's flags (an object or an array, or any
 * value with JSON_ENCODE_ANY); caller frees. Never NULL. Unlike
 * json_dumps, whose buffer can fail to grow in the middle of a dump and
 * leave out an object's key without a word (jansson 2.14 ignores the
 * result of writing a key), every piece is appended with xrealloc. */
char *json_xdumps(const json_t *doc, size_t flags);

/* Prints doc to stdout as indented JSON and a newline (--json output). */
void json_print(const json_t *doc);

/* Milliseconds from CLOCK_MONOTONIC. */
long long mono_ms(void);

/* Sleeps for ms milliseconds (resuming after signals); ms <= 0 returns. */
void sleep_ms(long long ms);

#endif
