/* err.h - the one error convention of acmectl.
 *
 * Actions return 0 on success and -1 on failure; before returning -1 they
 * record why with err_set() (or err_problem() for an ACME problem document).
 * Predicates return bool and record nothing. Constructors return a pointer or
 * NULL (after err_set()). Only main() prints the recorded error, once, and maps
 * its kind to the exit code. Nothing else prints errors.
 *
 * The record is process-global: acmectl is single-threaded except for the
 * standalone responder thread, which never calls err_*.
 */
#ifndef ACMECTL_ERR_H
#define ACMECTL_ERR_H

#include <stdbool.h>
#include <stddef.h>

/* The kinds double as exit codes (README, --help). */
enum err_kind {
	ERR_NONE = 0,
	ERR_ACME = 1,    /* the ACME server refused, or validation failed */
	ERR_USAGE = 2,   /* usage error or bad local input */
	ERR_NETWORK = 3, /* network failure or deadline (server or proxy) */
	ERR_STORAGE = 4, /* local storage error */
};

/* One subproblem of an RFC 8555 problem document (section 6.7.1). */
struct subproblem {
	char *type;      /* e.g. "urn:ietf:params:acme:error:rejectedIdentifier" */
	char *detail;
	char *id_type;   /* identifier.type, or NULL */
	char *id_value;  /* identifier.value, or NULL */
};

/* An RFC 7807/8555 problem document. All strings owned by the record and,
 * as they come from the server, printable ASCII: other bytes are kept as
 * \xNN (str_printable). */
struct problem {
	char *type;
	char *detail;
	long status;               /* HTTP status of the response, or the "status" member */
	struct subproblem *sub;
	size_t nsub;
};

/* Records an error of the given kind, replacing any earlier record. */
void err_set(enum err_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Records an ACME error: kind ERR_ACME, message "context: type: detail".
 * Steals prob (freed with the record). */
void err_problem(struct problem *prob, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prepends "prefix: " to the recorded message (keeps kind and problem). */
void err_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Changes the kind of the recorded error (and so the exit code), keeping
 * its message and problem: for a caller that knows better what a failure
 * below it means (a hook that failed is an issuance that failed). Nothing
 * happens when nothing is recorded. */
void err_rekind(enum err_kind kind);

/* Moves the recorded message out and clears the record: returns it (caller
 * frees; "" when nothing was recorded), for a caller that keeps why one
 * item failed and goes on with the next. */
char *err_take_message(void);

/* Accessors; all borrowed until the next err_set/err_clear. */
enum err_kind err_kind(void);
const char *err_message(void);           /* "" when none */
const struct problem *err_get_problem(void); /* NULL when none */

/* Short name of the problem type with the ACME URN prefix removed
 * ("badNonce" for "urn:ietf:params:acme:error:badNonce"); borrowed from type. */
const char *problem_short_type(const struct problem *prob);

/* True when prob's type is the ACME error NAME (e.g. "badNonce"). */
bool problem_is(const struct problem *prob, const char *name);

/* Parses an RFC 7807 problem document (the body of an ACME error response).
 * http_status is used when the document has no "status". Returns a new record
 * (caller problem_free()s) or NULL when body is not a JSON object with a
 * string "type"; records nothing in err. */
struct problem *problem_parse(const char *body, size_t len, long http_status);

/* Frees a problem record and its strings. NULL is fine. */
void problem_free(struct problem *prob);

/* Forgets the recorded error. */
void err_clear(void);

/* A recorded error moved out of the process-wide record, so that operations
 * running side by side (orders of one renew batch) each keep their own. */
struct err_saved;

/* Moves the current record into a new saved error and clears the record.
 * Returns NULL when nothing is recorded. Caller err_restore()s or
 * err_saved_free()s. */
struct err_saved *err_save(void);

/* Makes saved the current record again, replacing any. Steals saved; NULL
 * clears the record. */
void err_restore(struct err_saved *saved);

/* A copy of saved (kind, message and problem document), for an error that
 * several items share (a server every certificate of a renew run failed
 * at); saved stays the caller's. Returns NULL for NULL; caller
 * err_restore()s or err_saved_free()s the copy. */
struct err_saved *err_saved_dup(const struct err_saved *saved);

/* Frees a saved error. NULL is fine. */
void err_saved_free(struct err_saved *saved);

/* The kind and message of a saved error; the message is borrowed from saved. */
enum err_kind err_saved_kind(const struct err_saved *saved);
const char *err_saved_message(const struct err_saved *saved);

/* Prints the recorded error to stderr once ("acmectl: message", then one
 * indented line per subproblem) and returns its exit code (0 when none). */
int err_report(void);

#endif
