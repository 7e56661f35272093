/* podview.h - another process's view of the network (diagnose --pid): its
 * proxy variables, resolv.conf and hosts file, the cert-manager version its
 * command line names, and its network namespace.
 *
 * podview_read() only reads /proc (nothing changes); podview_enter() then
 * makes that view acmectl's own for the rest of the run: a private mount
 * namespace in which the process's resolv.conf and hosts file (and an
 * nsswitch.conf saying "hosts: files dns", the order of Go's resolver) lie
 * over /etc's, so the C library resolves as the process would, and the
 * process's network namespace. Callers read their own files (manifests, CA
 * bundles) between the two calls and open no socket before the second.
 *
 * Everything under /proc/PID is the other process's to write: reads are
 * bounded, files are opened inside its root (never following a link out of
 * it), only regular files are read, and the text reaches output only
 * through str_printable().
 */
#ifndef ACMECTL_PODVIEW_H
#define ACMECTL_PODVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "resolv.h"

#define PODVIEW_ENVIRON_MAX (4u << 20) /* beyond what execve() lets through */
#define PODVIEW_FILE_MAX (1u << 20)    /* resolv.conf, hosts, the command line */

struct podview {
	int pid;
	char *name;           /* its argv[0]'s last part, printable */
	char **env;           /* its proxy variables, "NAME=VALUE", NULL-terminated;
	                       * may hold credentials (wiped by podview_clear) */
	char *resolv_text;    /* its /etc/resolv.conf, NULL when it has none */
	size_t resolv_len;
	struct resolv_conf rconf; /* resolv_text parsed (defaults when none) */
	char *hosts_text;     /* its /etc/hosts, NULL when it has none */
	size_t hosts_len;
	char *version;        /* "v1.16.2" as its command line names it, or NULL */
	const char *version_from; /* static: where (see podview_version_hint) */
	char *netns;          /* "net:[4026532301]" */
	int net_fd;           /* its network namespace; -1 once entered */
	bool entered;
};

/* Reads the view of process pid_arg (a decimal process id, as given to
 * --pid) into pv (release with podview_clear). Returns 0, or -1 with
 * ERR_USAGE: not a process id, no CAP_SYS_ADMIN, no such process, one in
 * acmectl's own network namespace (nothing to enter), one that exited
 * while it was read, or a file of its that cannot be read. */
int podview_read(const char *pid_arg, struct podview *pv);

/* Makes pv's view acmectl's own (see above); the calling thread must be
 * the only one. Returns 0, or -1 with ERR_USAGE naming the step the kernel
 * refused and why. */
int podview_enter(struct podview *pv);

/* One line for the config step: whose view, where each setting came
 * from ("HTTPS_PROXY, NO_PROXY from pid 4242's environment; pid 4242's
 * resolv.conf: nameserver 10.96.0.10, search a.svc, ndots:5; ...") and
 * which cert-manager version is modelled and why (see podview_cm_version;
 * cm_flag is --cert-manager-version or NULL), printable. Caller frees. */
char *podview_describe(const struct podview *pv, const char *cm_flag);

/* The cert-manager version to model: cm_flag (--cert-manager-version) when
 * given, else the release pv's command line names when the model knows it,
 * else NULL (the current one). *note says which for the report (NULL with
 * cm_flag; caller frees). Borrowed from cm_flag or pv. */
const char *podview_cm_version(const struct podview *pv, const char *cm_flag, char **note);

/* Frees and wipes what pv owns and zeroes it. A zeroed pv is fine. */
void podview_clear(struct podview *pv);

/* The pure parsers of what /proc hands over (tests/fuzz/fuzz_podview.c). */

/* The proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, ALL_PROXY in
 * both cases, REQUEST_METHOD) of an environ block: NUL-separated
 * "NAME=VALUE" entries, the first of a name winning as in getenv() and Go's
 * os.Getenv; entries without '=' are skipped. Caller wipes and frees
 * (strv_free). Never NULL. */
char **podview_environ_parse(const char *buf, size_t len);

/* The cert-manager version a command line (NUL-separated arguments) or
 * the binary's path exe (NULL when unknown) names as a tag "vX.Y.Z":
 * first the acmesolver image of --acme-http01-solver-image (cert-manager's
 * Helm chart sets it to the controller's own version), then exe, then any
 * argument. *from says which ("--acme-http01-solver-image", "the path of
 * its binary", "its command line"). NULL when none. Caller frees. */
char *podview_version_hint(const char *cmdline, size_t len, const char *exe,
    const char **from);

/* text (len bytes) with each line cut at its first NUL byte, as the C
 * library reads a line of resolv.conf or hosts. Caller frees. */
char *podview_text(const char *text, size_t len);

/* How many lines of hosts text start with an address. */
size_t podview_hosts_entries(const char *text);

#endif
