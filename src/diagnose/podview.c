/* podview.c - diagnose --pid: another process's view of the network, read
 * from /proc and then entered (see podview.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/openat2.h>

#include <openssl/crypto.h>

#include "certmanager.h"
#include "err.h"
#include "podview.h"
#include "util.h"

/* Where podview_enter() builds the files it lays over /etc's: a tmpfs
 * mounted there in acmectl's private mount namespace only, and detached
 * again once they are in place. */
#define SCRATCH "/tmp"

/* The order of Go's resolver (cert-manager's) in an image without
 * nsswitch.conf: the hosts file, then DNS. */
#define NSSWITCH "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n"

static const char *const proxy_vars[] = {
	"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy",
	"ALL_PROXY", "all_proxy", "REQUEST_METHOD",
};

static bool is_proxy_var(const char *name, size_t len)
{
	for (size_t i = 0; i < nitems(proxy_vars); i++)
		if (strlen(proxy_vars[i]) == len && memcmp(proxy_vars[i], name, len) == 0)
			return true;
	return false;
}

/* True when v (n entries) already has an entry for name. */
static bool env_has(char **v, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(v[i], name, len) == 0 && v[i][len] == '=')
			return true;
	return false;
}

char **podview_environ_parse(const char *buf, size_t len)
{
	char **env = xcalloc(nitems(proxy_vars) + 1, sizeof(*env));
	const char *p = buf, *end = buf + len, *next, *eq;
	size_t n = 0;

	for (; p < end; p = next + 1) {
		if ((next = memchr(p, '\0', (size_t)(end - p))) == NULL)
			next = end;
		if ((eq = memchr(p, '=', (size_t)(next - p))) == NULL)
			continue;
		if (is_proxy_var(p, (size_t)(eq - p)) && !env_has(env, n, p, (size_t)(eq - p)))
			env[n++] = xstrndup(p, (size_t)(next - p));
	}
	return env;
}

/* The first "vX.Y.Z" tag in s that stands alone: at the start or after
 * one of ":/-_=@", and at the end or before '@' (an image digest) or '/'.
 * A pre-release ("v1.16.0-beta.1") is no release of the model. */
static char *find_tag(const char *s)
{
	const char *p, *q;
	int parts;

	for (p = s; (p = strchr(p, 'v')) != NULL; p++) {
		if (p != s && strchr(":/-_=@", p[-1]) == NULL)
			continue;
		for (q = p + 1, parts = 0; parts < 3; parts++) {
			if (*q < '0' || *q > '9')
				break;
			while (*q >= '0' && *q <= '9')
				q++;
			if (parts < 2 && *q++ != '.')
				break;
		}
		if (parts == 3 && (*q == '\0' || *q == '@' || *q == '/') && q - p < 24)
			return xstrndup(p, (size_t)(q - p));
	}
	return NULL;
}

char *podview_version_hint(const char *cmdline, size_t len, const char *exe,
    const char **from)
{
	static const char solver[] = "--acme-http01-solver-image=";
	const char *p, *end = cmdline + len, *next;
	char *arg, *tag = NULL;
	int pass;

	/* pass 0: the solver image, 1: the binary's path, 2: any argument */
	for (pass = 0; pass < 3 && tag == NULL; pass++) {
		if (pass == 1) {
			if (exe != NULL && (tag = find_tag(exe)) != NULL)
				*from = "the path of its binary";
			continue;
		}
		for (p = cmdline; p < end && tag == NULL; p = next + 1) {
			if ((next = memchr(p, '\0', (size_t)(end - p))) == NULL)
				next = end;
			arg = xstrndup(p, (size_t)(next - p));
			if (pass == 0 && strncmp(arg, solver, sizeof(solver) - 1) == 0) {
				tag = find_tag(arg + sizeof(solver) - 1);
				*from = "--acme-http01-solver-image";
			} else if (pass == 2) {
				tag = find_tag(arg);
				*from = "its command line";
			}
			free(arg);
		}
	}
	return tag;
}

char *podview_text(const char *text, size_t len)
{
	char *out = xmalloc(len + 1), *o = out;
	const char *p = text, *end = text + len, *nl, *nul;

	for (; p < end; p = nl) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		else
			nl++;
		nul = memchr(p, '\0', (size_t)(nl - p));
		memcpy(o, p, (size_t)((nul != NULL ? nul : nl) - p));
		o += (nul != NULL ? nul : nl) - p;
		if (nul != NULL && nl[-1] == '\n')
			*o++ = '\n';
	}
	*o = '\0';
	return out;
}

/* True when the first field of line is an IP address, as the C library
 * reads a hosts line. */
static bool hosts_line_has_addr(const char *line, size_t len)
{
	unsigned char buf[16];
	char field[64];
	size_t n = 0;

	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (n < len && n < sizeof(field) - 1 && strchr(" \t\r#", line[n]) == NULL) {
		field[n] = line[n];
		n++;
	}
	field[n] = '\0';
	return inet_pton(AF_INET, field, buf) == 1 || inet_pton(AF_INET6, field, buf) == 1;
}

size_t podview_hosts_entries(const char *text)
{
	const char *p = text, *nl;
	size_t n = 0;

	for (; *p != '\0'; p = *nl != '\0' ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		n += hosts_line_has_addr(p, (size_t)(nl - p));
	}
	return n;
}

/* Reads fd to its end, at most max bytes, NUL-terminated; *len excludes
 * the NUL. NULL with errno set when a read fails or there is more (EFBIG). */
static char *read_fd(int fd, size_t max, size_t *len)
{
	char *buf = xmalloc(max + 2);
	size_t n = 0;
	ssize_t got;

	while (n <= max) {
		if ((got = read(fd, buf + n, max + 1 - n)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > max) {
		errno = EFBIG;
		goto fail;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	OPENSSL_cleanse(buf, max + 2);
	free(buf);
	return NULL;
}

/* "pid 4242 has exited" when err says the process is gone, else
 * "/proc/4242/what: strerror". Records ERR_USAGE. */
static void proc_error(int pid, const char *what, int err)
{
	if (err == ESRCH || err == ENOENT)
		err_set(ERR_USAGE, "pid %d has exited: no view to read or enter", pid);
	else if (err == EFBIG)
		err_set(ERR_USAGE, "/proc/%d/%s is larger than acmectl reads", pid, what);
	else
		err_set(ERR_USAGE, "/proc/%d/%s: %s", pid, what, strerror(err));
}

/* A file of /proc/PID, read in full. NULL after proc_error(). */
static char *read_proc(int dirfd, int pid, const char *what, size_t max, size_t *len)
{
	char *buf;
	int fd;

	if ((fd = openat(dirfd, what, O_RDONLY | O_CLOEXEC)) == -1) {
		proc_error(pid, what, errno);
		return NULL;
	}
	if ((buf = read_fd(fd, max, len)) == NULL)
		proc_error(pid, what, errno);
	close(fd);
	return buf;
}

/* path (relative) opened inside root: a link, absolute or not, never
 * leads out of it (RESOLVE_IN_ROOT); kernels before 5.6 refuse any link
 * at the end instead. */
static int open_in_root(int rootfd, const char *path)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

	if (fd == -1 && errno == ENOSYS)
		fd = openat(rootfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
		    O_NOFOLLOW);
	return (int)fd;
}

/* The process's /etc file path (e.g. "etc/resolv.conf"): *text NULL when
 * it has none. 0, or -1 with ERR_USAGE when it is there but no regular
 * file, too large or unreadable. */
static int read_pod_file(int rootfd, int pid, const char *path, char **text, size_t *len)
{
	struct stat st;
	int fd, rc = -1;

	*text = NULL;
	*len = 0;
	if ((fd = open_in_root(rootfd, path)) == -1) {
		if (errno == ENOENT)
			return 0;
		err_set(ERR_USAGE, "pid %d's /%s: %s", pid, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		err_set(ERR_USAGE, "pid %d's /%s is not a regular file", pid, path);
		goto out;
	}
	if ((*text = read_fd(fd, PODVIEW_FILE_MAX, len)) == NULL) {
		err_set(ERR_USAGE, "pid %d's /%s: %s", pid, path, errno == EFBIG ?
		    "larger than 1 MiB" : strerror(errno));
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/* 0 when the calling thread may enter namespaces (CAP_SYS_ADMIN), else -1
 * with ERR_USAGE naming the capability. */
static int check_capability(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data) == 0 &&
	    (data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN)) != 0)
		return 0;
	err_set(ERR_USAGE, "diagnose --pid needs root: entering another process's namespaces "
	    "takes CAP_SYS_ADMIN, which acmectl does not have");
	return -1;
}

static int parse_pid(const char *arg, int *pid)
{
	char *end, *shown;
	long n;

	errno = 0;
	n = arg[0] >= '0' && arg[0] <= '9' ? strtol(arg, &end, 10) : 0;
	if (n < 1 || n > INT_MAX || errno != 0 || *end != '\0') {
		shown = str_printable(arg);
		err_set(ERR_USAGE, "--pid must be a process id, a whole number above 0 (got \"%s\")",
		    shown);
		free(shown);
		return -1;
	}
	*pid = (int)n;
	return 0;
}

/* Opens the process's network namespace into pv; refuses acmectl's own. */
static int open_netns(int dirfd, struct podview *pv)
{
	struct stat mine, theirs;

	if ((pv->net_fd = openat(dirfd, "ns/net", O_RDONLY | O_CLOEXEC)) == -1) {
		proc_error(pv->pid, "ns/net", errno);
		return -1;
	}
	if (fstat(pv->net_fd, &theirs) == -1 || stat("/proc/self/ns/net", &mine) == -1) {
		err_set(ERR_USAGE, "network namespace of pid %d: %s", pv->pid, strerror(errno));
		return -1;
	}
	pv->netns = xasprintf("net:[%llu]", (unsigned long long)theirs.st_ino);
	if (theirs.st_dev == mine.st_dev && theirs.st_ino == mine.st_ino) {
		err_set(ERR_USAGE, "pid %d is in acmectl's own network namespace (%s): nothing to "
		    "enter; run diagnose without --pid, or give a process of the pod", pv->pid,
		    pv->netns);
		return -1;
	}
	return 0;
}

/* Its name and the version its command line or binary names. */
static int read_identity(int dirfd, struct podview *pv)
{
	char exe[PATH_MAX], *cmdline, *base;
	ssize_t n;
	size_t len;

	if ((cmdline = read_proc(dirfd, pv->pid, "cmdline", PODVIEW_FILE_MAX, &len)) == NULL)
		return -1;
	n = readlinkat(dirfd, "exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	pv->version = podview_version_hint(cmdline, len, n > 0 ? exe : NULL, &pv->version_from);
	base = strrchr(cmdline, '/');
	pv->name = str_printable(base != NULL ? base + 1 : cmdline);
	if (strlen(pv->name) > 64)
		pv->name[64] = '\0';
	free(cmdline);
	return 0;
}

/* Its /etc/resolv.conf and /etc/hosts, inside its root. */
static int read_resolver(int dirfd, struct podview *pv)
{
	char *text;
	int rootfd, rc = -1;

	resolv_parse(NULL, &pv->rconf);
	if ((rootfd = openat(dirfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
		proc_error(pv->pid, "root", errno);
		return -1;
	}
	if (read_pod_file(rootfd, pv->pid, "etc/resolv.conf", &pv->resolv_text,
	    &pv->resolv_len) == -1 ||
	    read_pod_file(rootfd, pv->pid, "etc/hosts", &pv->hosts_text, &pv->hosts_len) == -1)
		goto out;
	if (pv->resolv_text != NULL) {
		resolv_conf_free(&pv->rconf);
		text = podview_text(pv->resolv_text, pv->resolv_len);
		resolv_parse(text, &pv->rconf);
		free(text);
	}
	rc = 0;
out:
	close(rootfd);
	return rc;
}

int podview_read(const char *pid_arg, struct podview *pv)
{
	char path[32], *environ_buf = NULL;
	size_t len;
	int dirfd = -1, rc = -1;

	memset(pv, 0, sizeof(*pv));
	pv->net_fd = -1;
	resolv_parse(NULL, &pv->rconf);
	if (parse_pid(pid_arg, &pv->pid) == -1 || check_capability() == -1)
		return -1;
	/* every file is opened through this directory: were the process to
	 * exit and its pid to be reused, the reads fail instead of mixing two
	 * processes */
	snprintf(path, sizeof(path), "/proc/%d", pv->pid);
	if ((dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
		err_set(ERR_USAGE, "no process with pid %d", pv->pid);
		return -1;
	}
	if (open_netns(dirfd, pv) == -1 || read_identity(dirfd, pv) == -1 ||
	    read_resolver(dirfd, pv) == -1)
		goto out;
	if ((environ_buf = read_proc(dirfd, pv->pid, "environ", PODVIEW_ENVIRON_MAX,
	    &len)) == NULL)
		goto out;
	pv->env = podview_environ_parse(environ_buf, len);
	/* a process that exited meanwhile shows an empty environment */
	if (faccessat(dirfd, "ns/net", F_OK, 0) == -1) {
		proc_error(pv->pid, "ns/net", errno);
		goto out;
	}
	rc = 0;
out:
	if (environ_buf != NULL) {
		OPENSSL_cleanse(environ_buf, len);
		free(environ_buf);
	}
	close(dirfd);
	return rc;
}

/* Writes len bytes of data to SCRATCH/name and binds it over target. */
static int lay_over(const struct podview *pv, const char *name, const char *data,
    size_t len, const char *target)
{
	char *path = xasprintf("%s/%s", SCRATCH, name);
	int fd, rc = -1;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) == -1 ||
	    write_full(fd, data, len) == -1) {
		err_set(ERR_USAGE, "entering pid %d's view: %s: %s", pv->pid, path,
		    strerror(errno));
		goto out;
	}
	if (mount(path, target, NULL, MS_BIND, NULL) == -1) {
		err_set(ERR_USAGE, "entering pid %d's view: cannot lay its copy over %s: %s",
		    pv->pid, target, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	free(path);
	return rc;
}

/* A mount namespace of acmectl's own, where /etc shows the process's
 * resolver files. Nothing propagates back to the host's. */
static int enter_resolver(const struct podview *pv)
{
	int rc = -1;

	if (unshare(CLONE_NEWNS) == -1) {
		err_set(ERR_USAGE, "entering pid %d's view: the kernel refused a private mount "
		    "namespace: %s", pv->pid, strerror(errno));
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
	    mount("acmectl", SCRATCH, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    "size=4m,mode=0700") == -1) {
		err_set(ERR_USAGE, "entering pid %d's view: mount: %s", pv->pid,
		    strerror(errno));
		return -1;
	}
	if (lay_over(pv, "resolv.conf", pv->resolv_text ? pv->resolv_text : "",
	    pv->resolv_len, "/etc/resolv.conf") == -1 ||
	    lay_over(pv, "hosts", pv->hosts_text ? pv->hosts_text : "", pv->hosts_len,
	    "/etc/hosts") == -1)
		goto out;
	if (access("/etc/nsswitch.conf", F_OK) == 0 &&
	    lay_over(pv, "nsswitch.conf", NSSWITCH, strlen(NSSWITCH), "/etc/nsswitch.conf") == -1)
		goto out;
	rc = 0;
out:
	/* the copies stay reachable through their binds only */
	umount2(SCRATCH, MNT_DETACH);
	return rc;
}

int podview_enter(struct podview *pv)
{
	if (enter_resolver(pv) == -1)
		return -1;
	if (setns(pv->net_fd, CLONE_NEWNET) == -1) {
		err_set(ERR_USAGE, "the kernel refused to enter pid %d's network namespace "
		    "(%s): %s", pv->pid, pv->netns, strerror(errno));
		return -1;
	}
	close(pv->net_fd);
	pv->net_fd = -1;
	pv->entered = true;
	return 0;
}

/* The names of env, "HTTPS_PROXY, NO_PROXY", in proxy_vars' order.
 * Caller frees. */
static char *env_names(char **env)
{
	const char *names[nitems(proxy_vars)];
	size_t n = 0, i;

	for (i = 0; i < nitems(proxy_vars); i++)
		if (env_has(env, strv_len(env), proxy_vars[i], strlen(proxy_vars[i])))
			names[n++] = proxy_vars[i];
	return str_join(names, n, ", ");
}

/* "nameserver 10.96.0.10, search a.svc b.svc, ndots:5" of rc, printable. */
static char *resolver_summary(const struct resolv_conf *rc)
{
	char *ns = str_join((const char *const *)rc->nameservers, rc->nnameservers, " ");
	char *search = str_join((const char *const *)rc->search, rc->nsearch, " ");
	char *shown = str_sanitize_cap(search, strlen(search), 160), *out;

	out = xasprintf("nameserver %s, search %s, ndots:%d", rc->nnameservers > 0 ? ns :
	    "none (the local host)", rc->nsearch > 0 ? shown : "none", rc->ndots);
	free(ns);
	free(search);
	free(shown);
	return out;
}

char *podview_describe(const struct podview *pv, const char *cm_flag)
{
	char *vars = env_names(pv->env), *resolver = resolver_summary(&pv->rconf), *hosts;
	char *note, *text, *out;
	size_t entries = 0;

	if (pv->hosts_text != NULL) {
		hosts = podview_text(pv->hosts_text, pv->hosts_len);
		entries = podview_hosts_entries(hosts);
		free(hosts);
	}
	podview_cm_version(pv, cm_flag, &note);
	text = xasprintf("the view of pid %d (%s, %s): %s %s pid %d's environment; "
	    "pid %d's resolv.conf%s: %s; pid %d's /etc/hosts%s: %zu entries%s%s", pv->pid,
	    pv->name, pv->netns, vars[0] != '\0' ? vars : "no proxy variables",
	    vars[0] != '\0' ? "from" : "in", pv->pid, pv->pid,
	    pv->resolv_text == NULL ? " (none: defaults)" : "", resolver, pv->pid,
	    pv->hosts_text == NULL ? " (none)" : "", entries, note != NULL ? "; " : "",
	    note != NULL ? note : "");
	/* a nameserver's zone ("fe80::1%eth0") is the process's text too */
	out = str_sanitize_cap(text, strlen(text), 4096);
	free(text);
	free(vars);
	free(resolver);
	free(note);
	return out;
}

const char *podview_cm_version(const struct podview *pv, const char *cm_flag, char **note)
{
	struct cm_version v;

	*note = NULL;
	if (cm_flag != NULL)
		return cm_flag;
	if (pv->version == NULL) {
		*note = xasprintf("pid %d does not tell its cert-manager version: modelling %s "
		    "(set --cert-manager-version)", pv->pid, CM_VERSION_CURRENT);
		return NULL;
	}
	if (cm_version_parse(pv->version, &v) == -1) {
		err_clear();
		*note = xasprintf("pid %d's %s names cert-manager %s, a release not modelled: "
		    "modelling %s (set --cert-manager-version)", pv->pid, pv->version_from,
		    pv->version, CM_VERSION_CURRENT);
		return NULL;
	}
	*note = xasprintf("cert-manager %s from pid %d's %s", pv->version, pv->pid,
	    pv->version_from);
	return pv->version;
}

void podview_clear(struct podview *pv)
{
	if (pv->env != NULL)
		for (char **p = pv->env; *p != NULL; p++)
			OPENSSL_cleanse(*p, strlen(*p));
	strv_free(pv->env);
	free(pv->name);
	free(pv->resolv_text);
	free(pv->hosts_text);
	resolv_conf_free(&pv->rconf);
	free(pv->version);
	free(pv->netns);
	/* net_fd means something only once podview_read() set pid */
	if (pv->pid != 0 && pv->net_fd != -1)
		close(pv->net_fd);
	memset(pv, 0, sizeof(*pv));
	pv->net_fd = -1;
}
