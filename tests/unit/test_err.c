/* test_err.c - the helpers of the error record that callers use instead of
 * reading or rebuilding it by hand: err_rekind(), err_take_message() and
 * err_saved_dup(). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "test.h"

/* err_rekind: a caller that knows better changes the exit code, never
 * the words; with nothing recorded there is nothing to change. */
static const struct {
	enum err_kind recorded, asked, want;
} rekind_rows[] = {
	{ ERR_NETWORK, ERR_ACME,    ERR_ACME },    /* a hook's failure is the issuance's */
	{ ERR_ACME,    ERR_STORAGE, ERR_STORAGE }, /* any kind to any kind */
	{ ERR_USAGE,   ERR_USAGE,   ERR_USAGE },   /* the same kind is no change */
	{ ERR_NONE,    ERR_ACME,    ERR_NONE },    /* no error must not become one */
};

/* A problem document with a subproblem, as an order's refusal has. */
static const char doc[] =
	"{\"type\":\"urn:ietf:params:acme:error:rejectedIdentifier\","
	"\"detail\":\"Error creating new order\",\"status\":400,"
	"\"subproblems\":[{\"type\":\"urn:ietf:params:acme:error:caa\",\"detail\":\"CAA forbids\","
	"\"identifier\":{\"type\":\"dns\",\"value\":\"b.example\"}}]}";

static void check_rekind(void)
{
	for (size_t i = 0; i < nitems(rekind_rows); i++) {
		char ctx[32];

		snprintf(ctx, sizeof(ctx), "rekind row %zu", i);
		if (rekind_rows[i].recorded != ERR_NONE)
			err_set(rekind_rows[i].recorded, "the words");
		err_rekind(rekind_rows[i].asked);
		CHECK_INT(err_kind(), rekind_rows[i].want, ctx);
		CHECK_STR(err_message(), rekind_rows[i].recorded != ERR_NONE ? "the words" : "", ctx);
		err_clear();
	}
	/* the problem document stays with the record */
	err_problem(problem_parse(doc, strlen(doc), 400), "new order");
	err_rekind(ERR_NETWORK);
	CHECK(problem_is(err_get_problem(), "rejectedIdentifier"), "rekind lost the problem");
	err_clear();
}

static void check_take_message(void)
{
	char *msg;

	err_set(ERR_STORAGE, "cannot write %s", "/x");
	msg = err_take_message();
	CHECK_STR(msg, "cannot write /x", "taken message");
	CHECK(err_kind() == ERR_NONE && err_message()[0] == '\0', "record not cleared");
	free(msg);
	err_problem(problem_parse(doc, strlen(doc), 400), "new order");
	msg = err_take_message();
	CHECK_STR(msg, "new order: rejectedIdentifier: Error creating new order", "problem's line");
	CHECK(err_get_problem() == NULL, "problem kept after take");
	free(msg);
	msg = err_take_message();
	CHECK_STR(msg, "", "nothing recorded");
	free(msg);
}

static void check_saved_dup(void)
{
	struct err_saved *orig, *copy;
	const struct problem *p;

	CHECK(err_saved_dup(NULL) == NULL, "dup of NULL");
	err_problem(problem_parse(doc, strlen(doc), 400), "new order");
	err_prefix("b.example");
	orig = err_save();
	copy = err_saved_dup(orig);
	CHECK(copy != NULL && copy != orig, "no copy");
	/* the copy outlives the original: nothing is shared */
	err_saved_free(orig);
	CHECK_INT(err_saved_kind(copy), ERR_ACME, "copy's kind");
	CHECK_STR(err_saved_message(copy),
	    "b.example: new order: rejectedIdentifier: Error creating new order", "copy's message");
	err_restore(copy);
	p = err_get_problem();
	CHECK(p != NULL && problem_is(p, "rejectedIdentifier") && p->status == 400 &&
	    strcmp(p->detail, "Error creating new order") == 0, "copy's problem");
	CHECK(p != NULL && p->nsub == 1 && strcmp(p->sub[0].id_type, "dns") == 0 &&
	    strcmp(p->sub[0].id_value, "b.example") == 0 &&
	    strcmp(p->sub[0].detail, "CAA forbids") == 0, "copy's subproblem");
	err_clear();
	/* a message without a problem */
	err_set(ERR_NETWORK, "connection refused");
	orig = err_save();
	copy = err_saved_dup(orig);
	err_saved_free(orig);
	err_restore(copy);
	CHECK(err_kind() == ERR_NETWORK && err_get_problem() == NULL &&
	    strcmp(err_message(), "connection refused") == 0, "plain copy");
	err_clear();
}

int main(void)
{
	check_rekind();
	check_take_message();
	check_saved_dup();
	return test_done();
}
