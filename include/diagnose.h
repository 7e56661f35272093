/* diagnose.h - the pure half of `acmectl diagnose`.
 *
 * The network half (diagnose_run() in diagnose/gather.c, with probe.c) runs
 * cert-manager's ACME account setup step by step and records what each step
 * observed in struct diag_facts. diag_conclude() turns those facts into the
 * report: one line per step, the verdict, the findings, what the chosen
 * cert-manager version would put in the Issuer's Ready condition, and advice.
 * It does no I/O, so tests/unit/test_diagnose.c drives it with tables.
 *
 * One verdict per run (enum diag_verdict); its name, the id reports and
 * scripts use, comes from diag_verdict_name().
 */
#ifndef ACMECTL_DIAGNOSE_H
#define ACMECTL_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "certmanager.h"
#include "proxy.h"

/* The steps, in the order they run and are reported. */
enum diag_step {
	DIAG_CONFIG, DIAG_ROUTE, DIAG_DNS, DIAG_TCP, DIAG_PROXY, DIAG_TLS,
	DIAG_HTTP, DIAG_NONCE, DIAG_ACCOUNT, DIAG_DEADLINE,
	DIAG_NSTEPS
};

/* "config", "route", ... Static string. */
const char *diag_step_name(enum diag_step step);

/* Each enum below starts with "not run", so a zeroed struct diag_facts
 * describes a run that stopped before the step. */

enum diag_config {
	DCONF_OK,
	DCONF_INVALID,       /* config_problem says what */
	DCONF_V1_SERVER,     /* a Let's Encrypt ACME v1 URL */
	DCONF_KEY_NOT_RSA,   /* cert-manager's key (--secret, --account-key) is not RSA */
	DCONF_KEY_INVALID,   /* the Secret's key data is no key cert-manager reads: key_invalid */
	DCONF_REJECTED,      /* cert-manager's webhook refuses the manifest: config_problem */
	DCONF_KEY_SECRET_MISSING, /* no account key Secret, generation disabled: key_secret_missing */
	DCONF_EAB_INVALID,   /* the EAB MAC key cannot be read from its Secret: eab_invalid */
	DCONF_INVALID_URL,   /* Go's url.Parse refuses the server or account URL: invalid_url */
};

enum diag_route {
	DROUTE_NOT_RUN,
	DROUTE_DIRECT,
	DROUTE_PROXY,        /* through proxy_shown, an http:// or https:// proxy */
	DROUTE_REFUSED,      /* Go would refuse the request (CGI, bad proxy URL) */
};

enum diag_dns {
	DDNS_NOT_RUN,
	DDNS_LITERAL,        /* the host is an IP address: nothing to look up */
	DDNS_HOSTS,          /* answered by the hosts file */
	DDNS_OK,
	DDNS_NOTFOUND,
	DDNS_SERVFAIL,
	DDNS_TIMEOUT,
};

/* Why Go's resolver waited (see goresolv.h). */
enum diag_dns_cause {
	DDNS_CAUSE_NONE,
	DDNS_CAUSE_DEAD_SERVER,   /* a nameserver answers nothing: dns_slow_server */
	DDNS_CAUSE_AAAA_DROPPED,  /* dns_slow_server answers A, never AAAA */
	DDNS_CAUSE_TIMEOUTS,      /* questions went unanswered, no one server to blame */
};

enum diag_conn_result {
	DCONN_OK, DCONN_REFUSED, DCONN_UNREACHABLE, DCONN_TIMEOUT, DCONN_ERROR,
};

/* One TCP connect attempt. Strings borrowed. */
struct diag_conn {
	const char *addr;    /* "192.0.2.1" or "2001:db8::1" */
	bool v6;
	enum diag_conn_result result;
	const char *error;   /* strerror() text for REFUSED/UNREACHABLE/ERROR */
	long long ms;
};

enum diag_tunnel {
	DTUN_NOT_RUN,
	DTUN_OK,
	DTUN_STATUS,         /* answered tunnel_code */
	DTUN_TIMEOUT,
	DTUN_CLOSED,         /* closed, reset or garbled */
};

enum diag_tls {
	DTLS_NOT_RUN,
	DTLS_OK,             /* handshake done: see name_mismatch and chain */
	DTLS_TIMEOUT,
	DTLS_FAILED,         /* alert, reset, not TLS */
};

enum diag_chain {
	DCHAIN_OK,
	DCHAIN_UNKNOWN_CA,   /* no path to a trust anchor (incl. self-signed) */
	DCHAIN_EXPIRED,      /* expired or not yet valid */
	DCHAIN_OTHER,
};

/* What a TLS handshake showed: the one with an https:// proxy (the
 * server's is in the tls fields of struct diag_facts). Strings and arrays
 * borrowed. */
struct diag_handshake {
	enum diag_tls result;
	const char *error;            /* DTLS_FAILED: why */
	const char *version;
	bool name_mismatch;           /* not valid for the host it was made to */
	enum diag_chain chain;
	const char *chain_error;      /* OpenSSL's text */
	const char *subject, *issuer;
	bool self_signed;
	const char *const *dns_names;
	size_t ndns;
	const char *const *ip_names;
	size_t nip;
	bool has_san;                 /* a subjectAltName extension */
	const char *common_name;      /* the subject CN, or NULL */
	long long not_before, not_after; /* validity, Unix time; 0 unknown */
	/* DTLS_FAILED: what Go would tell apart */
	bool closed;                  /* the peer closed the connection */
	bool http_answer;             /* it answered the client hello in HTTP */
	bool not_tls;                 /* its first record was not TLS */
	bool alert_received;          /* it sent an alert ... */
	int alert;                    /* ... with this description */
	int server_version;           /* the version its ServerHello chose; 0 none */
};

/* What a proxy speaks when the scheme of its URL failed: checked on a new
 * connection after the TLS handshake with an https:// proxy failed, or an
 * http:// proxy dropped the CONNECT. */
enum diag_speaks {
	DSPEAKS_NOT_CHECKED, /* not needed, or the other protocol failed too */
	DSPEAKS_HTTP,        /* the https:// proxy answered a CONNECT in the clear */
	DSPEAKS_TLS,         /* the http:// proxy completed a TLS handshake */
};

enum diag_http {
	DHTTP_NOT_RUN,
	DHTTP_OK,
	DHTTP_TIMEOUT,
	DHTTP_FAILED,        /* no HTTP response: closed, reset, not HTTP */
	DHTTP_NOT_ACME,      /* an answer that is not an ACME v2 directory */
};

enum diag_nonce {
	DNONCE_NOT_RUN,
	DNONCE_OK,           /* a Replay-Nonce, whatever the status */
	DNONCE_MISSING,      /* a 2xx answer without Replay-Nonce */
	DNONCE_TIMEOUT,
	DNONCE_FAILED,       /* no answer, or another status without Replay-Nonce */
};

enum diag_account {
	DACCT_NOT_RUN,
	DACCT_NO_KEY,        /* no key known: the step is skipped */
	DACCT_FOUND,
	DACCT_NOT_FOUND,     /* accountDoesNotExist */
	DACCT_TIMEOUT,
	DACCT_FAILED,        /* another ACME problem, or no HTTP response */
	DACCT_CREATED,       /* --register: newAccount answered 201, a new account */
	DACCT_UPDATE_FAILED, /* --register: found, but the contact update failed */
};

/* What the steps observed. Every string and array is borrowed. */
struct diag_facts {
	/* what is being checked */
	struct cm_version cm;
	const char *server;           /* the directory URL */
	const char *server_source;    /* "--server", "issuer FILE" */
	long long now;                /* when it ran (Unix time), for Go's expiry text; 0 unknown */
	const char *host;             /* the URL's host, without brackets */
	int port;
	long step_timeout_ms;         /* --timeout per network step */
	const char *view;             /* --pid: whose view, where each setting came from */

	/* config */
	enum diag_config config;
	const char *config_problem;   /* DCONF_INVALID: one line */
	const char *key_desc;         /* "RSA 2048", "EC P-256"; NULL: no key known */
	const char *key_source;       /* "--account-key k.pem", "Secret acme-key (tls.key)" */
	const char *key_secret_name;  /* privateKeySecretRef.name, for cert-manager's wording */
	bool key_not_rsa;             /* a non-RSA key that only acmectl uses */
	const char *key_invalid;      /* DCONF_KEY_INVALID: cert-manager's reason, e.g.
	                               * "error decoding private key PEM block" */
	bool key_generation_disabled; /* spec.acme.disableAccountKeyGeneration */
	bool eab_configured;          /* spec.acme.externalAccountBinding is set */
	bool key_hash_changed;        /* status.acme.lastPrivateKeyHash is another key's */
	bool key_hash_matches;        /* status.acme.lastPrivateKeyHash is this key's */
	const char *status_uri;       /* the manifest's status.acme.uri */
	const char *trust;            /* "the system store + --ca-bundle ca.pem" */
	bool trust_issuer_bundle;     /* the Issuer's caBundle replaces the system store */
	bool ca_bundle_ignored;       /* caBundle set, but the version has no such field */
	bool skip_tls_verify;         /* the Issuer's skipTLSVerify */
	const char *known_account_url; /* --account-url or status.acme.uri; NULL or "" when none */
	const char *known_account_source;
	const char *email;            /* --email or spec.acme.email */
	const char *registered_email; /* status.acme.lastRegisteredEmail */
	const char *issuer_condition; /* the manifest's Ready condition, one line */
	struct cm_condition issuer_ready; /* the same, field by field */

	/* route */
	enum diag_route route;
	const char *route_reason;     /* proxy_decide()'s reason */
	const char *rules;            /* proxy_rules_name() */
	const char *proxy_shown;      /* e.g. http://USER@proxy:3128 with USER as three stars */
	const char *proxy_source;     /* "HTTPS_PROXY" */
	const char *proxy_host;
	int proxy_port;
	bool proxy_tls;               /* an https:// proxy: TLS with it, CONNECT inside */
	bool proxy_forward;           /* an http:// server through the proxy: no
	                               * CONNECT, each request goes to the proxy
	                               * with the whole URL (Go's way); a tunnel
	                               * status is then the proxy's own answer */
	bool no_proxy_matched;        /* direct because a no-proxy entry matched */
	const struct proxy_warning *warnings;
	size_t nwarnings;

	/* dns: the server's host, or the proxy's when the route is a proxy */
	enum diag_dns dns;
	const char *dns_name;
	const char *dns_answer;       /* "192.0.2.1, 2001:db8::1" */
	const char *dns_error;
	const char *nameserver;       /* the first of resolv.conf, for Go's wording */
	long dns_cm_timeout_ms;       /* how long Go's resolver keeps trying */
	const char *hijack_domain;    /* the search domain that answered first */
	const char *absolute_answer;  /* what "HOST." resolves to, or NULL */
	const char *search_domain;    /* HOST. does not resolve, HOST.DOMAIN. did */
	int ndots;
	/* Go's resolver (cert-manager's), modelled from what each nameserver
	 * answered when asked directly; the fields hold when dns_go is set */
	bool dns_go;
	long long dns_go_ms;          /* what cert-manager's lookup takes (its bound when cut) */
	long long dns_go_wait_ms;     /* of which waiting out nameservers that did not answer */
	int dns_go_waits;             /* questions that waited out the timeout */
	int dns_go_timeout_s;         /* the per-query timeout, as Go reads resolv.conf */
	int dns_go_attempts;          /* and its attempts */
	int dns_go_names;             /* names asked until the answer, search expansions included */
	bool dns_go_answers;          /* a name answered, perhaps only after the bound */
	bool dns_go_rotate;           /* "options rotate": the slowest first server is modelled */
	long long dns_go_limit_ms;    /* the bound: the dialer's 30 s or what is left of the sync deadline */
	enum diag_dns_cause dns_slow_cause;
	const char *dns_slow_server;  /* that cause's nameserver, "IP:53" */
	const char *dns_go_error;     /* Go's lookup error ("lookup H on IP:53: ..."), or NULL */

	/* tcp: to the server's addresses, or the proxy's */
	const struct diag_conn *conns;
	size_t nconns;

	/* proxy: the TLS handshake with an https:// proxy (with an http://
	 * one: the check that found it speaks TLS), then CONNECT */
	struct diag_handshake proxy_handshake;
	enum diag_speaks proxy_speaks;
	enum diag_tunnel tunnel;
	int tunnel_code;              /* with DSPEAKS_HTTP: the answer to the CONNECT in the clear */
	const char *tunnel_reason;    /* reason phrase, NULL when none */
	const char *tunnel_error;
	const char *squid_error;      /* X-Squid-Error of the answer ("ERR_CONNECT_FAIL 113"), or NULL */
	const char *auth_schemes;     /* Proxy-Authenticate schemes offered ("NTLM, Negotiate"), or NULL */
	const char *proxy_server;     /* Server of the proxy's own answer, when it is tinyproxy's
				       * ("tinyproxy/1.11.1"; on the http:// path also a 407's), or NULL */
	bool proxy_credentials;       /* Proxy-Authorization was sent */

	/* tls */
	enum diag_tls tls;
	const char *tls_error;
	const char *tls_version;
	bool name_mismatch;
	enum diag_chain chain;
	const char *chain_error;      /* OpenSSL's text */
	const char *subject, *issuer;
	bool self_signed;
	const char *const *dns_names; /* the leaf's DNS SANs */
	size_t ndns;
	const char *const *ip_names;  /* the leaf's IP SANs */
	size_t nip;
	bool has_san;
	const char *common_name;
	long long not_before, not_after;
	bool tls_closed, tls_http_answer, tls_not_tls; /* as in struct diag_handshake */
	bool tls_alert_received;
	int tls_alert, tls_server_version;
	struct diag_handshake tls_go118; /* the server chose TLS 1.0 or 1.1 (a
	                               * release on Go 1.17 or older): the
	                               * handshake of Go 1.18 and later, offering
	                               * TLS 1.2 and 1.3; DTLS_NOT_RUN otherwise */
	int small_mtu;                /* a timed-out handshake worked again with small
	                               * packets: the largest packet size (MTU) that
	                               * did; 0 when not tried or none did */
	int small_mss;                /* the MSS offered for it */

	/* http: GET the directory */
	enum diag_http http;
	int http_status;
	const char *content_type;
	const char *http_error;       /* DHTTP_TIMEOUT/FAILED: what happened */
	const char *not_acme;         /* DHTTP_NOT_ACME: why, e.g. "an HTML page" */
	const char *go_error;         /* DHTTP_NOT_ACME: what Go's ACME client says */
	int http_redirects;           /* redirects followed, as Go does (at most 10) */
	const char *http_redirected_to; /* the URL the last one led to, or NULL */
	const char *v1_replacement;   /* a v1 directory was found: its v2 URL if known */

	const char *new_nonce_url;    /* from the directory */
	const char *new_account_url;

	/* nonce */
	enum diag_nonce nonce;
	int nonce_status;
	const char *nonce_status_text; /* "405 Method Not Allowed", NULL when none */
	const char *nonce_error;

	/* account */
	enum diag_account account;
	const char *account_url;      /* DACCT_FOUND */
	int account_status;
	const char *account_problem;  /* DACCT_FAILED/NOT_FOUND: "type: detail" or why */
	bool account_4xx;             /* the failure was an ACME 4xx problem */

	/* time: ms is what each step took here; cm_ms what it would cost
	 * cert-manager (one lookup, happy eyeballs); sync_cut says the step
	 * that timed out was stopped by the sync deadline, not --timeout */
	long long ms[DIAG_NSTEPS];
	long long cm_ms[DIAG_NSTEPS];
	bool sync_cut;

	/* cert-manager's own account requests (--register) and their inputs */
	bool register_sent;           /* --register: newAccount as cert-manager sends it */
	const char *key_secret_missing; /* DCONF_KEY_SECRET_MISSING: `secrets "x" not found` */
	bool key_generated;           /* the key Secret is absent: a new key, as cert-manager makes */
	const char *eab_secret_name;  /* externalAccountBinding.keySecretRef name and key */
	const char *eab_secret_key;
	const char *eab_invalid;      /* DCONF_EAB_INVALID: cert-manager's error reading it */
	bool eab_key_known;           /* the MAC key was read (--eab-secret) */
	bool eab_required;            /* the directory's meta.externalAccountRequired */
	bool tos_in_directory;        /* meta.termsOfService: termsOfServiceAgreed is sent */
	const char *account_request;  /* the request account_problem is about: "newAccount",
	                               * "onlyReturnExisting" or "update" */
	const char *account_go_error; /* Go's *acme.Error text of that failure, or NULL */
	const char *account_contact;  /* the account's first contact, as the CA answered */
	bool contact_updated;         /* --register: the contact was updated as cert-manager would */

	/* DCONF_INVALID_URL: which URL ("server" or "account"), its value and
	 * Go's error (cm_url_parse_error()) */
	const char *invalid_url_what;
	const char *invalid_url_value;
	const char *invalid_url;

	bool plain_http;              /* an http:// server: no TLS step, as cert-manager */
};

/* The verdict of a run: the first thing that fails as cert-manager would
 * meet it. */
enum diag_verdict {
	DVERDICT_OK,
	DVERDICT_CONFIG_INVALID,
	DVERDICT_DNS_FAILURE,
	DVERDICT_DNS_SEARCH_HIJACK,
	DVERDICT_CONNECT_TIMEOUT,
	DVERDICT_CONNECT_REFUSED,
	DVERDICT_PROXY_UNREACHABLE,
	DVERDICT_PROXY_TLS_FAILED,
	DVERDICT_PROXY_TLS_UNTRUSTED,
	DVERDICT_PROXY_SPEAKS_HTTP,
	DVERDICT_PROXY_SPEAKS_TLS,
	DVERDICT_PROXY_AUTH_REQUIRED,
	DVERDICT_PROXY_REFUSED,
	DVERDICT_TLS_TIMEOUT,
	DVERDICT_TLS_UNTRUSTED,
	DVERDICT_TLS_NAME_MISMATCH,
	DVERDICT_TLS_FAILED,
	DVERDICT_HTTP_TIMEOUT,
	DVERDICT_NOT_ACME_DIRECTORY,
	DVERDICT_ACCOUNT_NOT_FOUND,
	DVERDICT_ACCOUNT_ERROR,
	DVERDICT_DEADLINE_EXCEEDED,
	DVERDICT_PROXY_CANNOT_REACH,    /* the proxy answers, but not the CA through it */
	DVERDICT_PROXY_AUTH_UNSUPPORTED, /* the proxy offers only schemes Go cannot do */
	DVERDICT_NO_ROUTE,              /* ENETUNREACH, EHOSTUNREACH (ICMP unreachable, prohibited) */
	DVERDICT_CA_UNAVAILABLE,        /* the CA answers 5xx: an outage or maintenance */
	DVERDICT_PATH_MTU_BLACKHOLE,    /* full-size packets from the server never arrive */
	DVERDICT_DNS_SLOW,              /* Go's resolver answers, but after the dialer's or
	                                 * the sync deadline: dns_slow_cause says why */
};
#define DIAG_NVERDICTS (DVERDICT_DNS_SLOW + 1)

/* The verdict's id: "ok", "config_invalid", ... "deadline_exceeded";
 * "unknown" for a value out of range. Static string. */
const char *diag_verdict_name(enum diag_verdict verdict);

/* True for the verdicts about a proxy on the route (proxy_*). */
bool diag_verdict_is_proxy(enum diag_verdict verdict);

enum diag_status { DIAG_SKIP, DIAG_OK, DIAG_FAIL };

struct diag_line {
	enum diag_status status;
	long long ms;
	char *detail;                 /* owned, one line */
};

struct diag_finding {
	const char *id;               /* static */
	char *detail;                 /* owned */
};

struct diag_report {
	enum diag_verdict verdict;
	enum diag_step failed;        /* the step the verdict comes from; DIAG_NSTEPS for ok */
	struct diag_line steps[DIAG_NSTEPS];
	struct diag_finding *findings;
	size_t nfindings;
	char *cm_version;             /* "v1.16.0" */
	struct cm_view cm;            /* what that version shows */
	char **advice;                /* owned strings */
	size_t nadvice;
	const char *server;           /* borrowed from the facts */
};

/* Concludes the report from the facts; fills r (release with
 * diag_report_free()). */
void diag_conclude(const struct diag_facts *f, struct diag_report *r);

/* Frees what r owns and zeroes it. */
void diag_report_free(struct diag_report *r);

/* True when r has a finding with this id. */
bool diag_has_finding(const struct diag_report *r, const char *id);

/* The report as the stable JSON document {"verdict", "steps", "findings",
 * "cert_manager", "advice"}, indented, without a trailing newline. Returns
 * a new string (caller frees). Control bytes and invalid UTF-8 (from a
 * server's certificate or answer) are written as \xNN. */
char *diag_report_json(const struct diag_report *r);

/* Writes the report for people to fp: one line per step (a check mark, a
 * cross or a dash, milliseconds, detail), the verdict, findings,
 * cert-manager's view and advice; bytes escaped as in diag_report_json(). */
void diag_report_print(FILE *fp, const struct diag_report *r);

/* What `acmectl diagnose` is asked, filled by the command layer. Strings
 * borrowed. */
struct diagnose_opts {
	const char *server;         /* the server URL (the default when not given) */
	bool server_set;            /* --server given: an Issuer's does not replace it */
	const char *state_dir;      /* where the account of server is looked for */
	const char *ca_bundle;      /* --ca-bundle FILE, trusted besides the Issuer's */
	long step_timeout_s;        /* each network step's bound */
	const char *email;          /* --email, over the Issuer's */
	const char *account_key;    /* --account-key FILE */
	const char *account_url;    /* --account-url URL */
	const char *from_issuer;    /* --from-issuer FILE */
	const char *secret;         /* --secret FILE */
	const char *cm_version;     /* --cert-manager-version V, NULL: the current one */
	const char *resolv_conf;    /* --resolv-conf FILE, NULL: /etc/resolv.conf */
	const char *pid;            /* --pid PID: diagnose as that process sees it */
	bool diag_register;         /* --register: cert-manager's own newAccount */
	const char *eab_secret;     /* --eab-secret FILE: the EAB key's Secret */
	struct proxy_flags proxy;
	bool json;                  /* the report as JSON */
};

/* Runs the diagnosis opts asks for and prints its report on stdout.
 * 0 when the verdict is ok; -1 with ERR_ACME "diagnose: VERDICT" after
 * the report, or with ERR_USAGE/ERR_STORAGE and no report for bad local
 * input. */
int diagnose_run(const struct diagnose_opts *opts);

/* The account steps of diagnose_run() for opts (the Issuer of
 * --from-issuer, --secret), as a report in JSON (diag_report_json()) in
 * *json and as text in *text, both for the caller to free; *verdict is
 * its verdict's name (static; "ok" when it passes). Returns 0, or -1 with
 * err when the inputs are bad (nothing to free then). */
int diag_account(const struct diagnose_opts *opts, char **json, char **text,
    const char **verdict);

#endif
