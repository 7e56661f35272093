/* cmgates.h - cert-manager's controller flag --feature-gates, read as a
 * release reads it (k8s component-base: pairs Name=bool split on ',', the
 * name and value trimmed of spaces, the value as Go's strconv.ParseBool,
 * names case-sensitive, AllAlpha and AllBeta setting every alpha or beta
 * gate the list leaves alone) and the refusals it starts with.
 *
 * Up to v1.12.x the flag is the feature gate's own (errors come from
 * pflag); from v1.13.0 a map flag parsed first, the gates set at start-up
 * (an unknown name then fails there, in other words). */
#ifndef ACMECTL_CMGATES_H
#define ACMECTL_CMGATES_H

#include "certmanager.h"
#include "cmcsr.h"

/* Applies list to *g, which holds release v's defaults
 * (cm_csr_gates_default). Returns 0, or -1 with ERR_USAGE and the error
 * text release v's controller would exit with. On success *inert (caller
 * frees) is the ", "-joined names of the gates the list sets that acmectl
 * models no effect of, or NULL when none. */
int cm_gates_apply(const char *list, const struct cm_version *v,
    struct cm_csr_gates *g, char **inert);

#endif
