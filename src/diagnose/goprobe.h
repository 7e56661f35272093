/* goprobe.h - Go's lookup of a name as cert-manager would make it, from
 * what each nameserver answers when asked directly (goprobe.c). */
#ifndef ACMECTL_GOPROBE_H
#define ACMECTL_GOPROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "goresolv.h"
#include "resolv.h"

/* What the lookup came to; strings owned (goprobe_clear()). */
struct goprobe {
	bool known;            /* the model ran to its end: the rest holds */
	struct gores_result res; /* with rotate: the slowest first server */
	bool rotate;
	bool late_answer;      /* cut: the lookup answers after the bound... */
	long long full_ms;     /* ...after this long */
	int timeout_s;         /* the per-query timeout, as Go reads it */
	size_t nnames;         /* names asked until the answer (or all) */
	enum gores_cause cause;
	char *cause_server;    /* that cause's nameserver, "IP:53"; or NULL */
	char *error;           /* !found and !cut: Go's DNSError text */
	char *answer;          /* found: "a, b" of the name that answered */
};

/* Runs Go's lookup of host under conf (its nameservers, or Go's
 * 127.0.0.1 and ::1 when it names none) and limit_ms (the bound above the
 * lookup; 0 none), asking each nameserver A and AAAA at once, name by name
 * and server by server, only what the model needs, never past deadline
 * (mono_ms()). A server that left a type unanswered for one name is taken
 * to do so for the later names without being asked again, so the asking
 * waits one timeout per server and type at most. When the bound cuts the
 * lookup, it is run once more without it, to say whether Go would answer
 * at all. out->known is false when deadline stopped it first. */
void goprobe_run(const char *host, const struct resolv_conf *conf, long long limit_ms,
    long long deadline, struct goprobe *out);

/* Frees what g owns and zeroes it. */
void goprobe_clear(struct goprobe *g);

#endif
