/* responder.h - a built-in responder (http-01 standalone, tls-alpn-01): a
 * listening socket and the thread that serves it, one poll() loop over up
 * to RESPONDER_MAX_CLIENTS connections, each dropped at its own deadline,
 * so a slow or hostile client delays nobody. What is said on a connection
 * is the owner's: it keeps each client's state in an array of its own,
 * indexed by the slot the responder hands it. */
#ifndef ACMECTL_RESPONDER_H
#define ACMECTL_RESPONDER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define RESPONDER_MAX_CLIENTS 16      /* served at once; more wait in the backlog */
#define RESPONDER_CLIENT_TIMEOUT_MS 5000  /* a connection's whole life */

/* The owner's part of a connection's life, called on the responder's
 * thread only (never err_*), with the arg given to responder_start() and
 * the slot, 0 .. RESPONDER_MAX_CLIENTS - 1, that the connection holds.
 * open and step return what the connection waits for next (POLLIN or
 * POLLOUT), or 0 when it is done; the responder then calls close and
 * closes fd itself. */
struct responder_client_ops {
	/* fd was just accepted (non-blocking, close-on-exec): set up slot's
	 * state. */
	short (*open)(void *arg, size_t slot, int fd);
	/* fd is ready for what the last call asked: one step further. */
	short (*step)(void *arg, size_t slot, int fd);
	/* Releases slot's state, whichever way the connection ended (done,
	 * its deadline, the responder stopping), before fd is closed; NULL
	 * when the state holds nothing to release. */
	void (*close)(void *arg, size_t slot);
};

/* One connection as the loop sees it. */
struct responder_conn {
	int fd;                  /* -1 when the slot is free */
	long long deadline;      /* mono_ms() after which it is dropped */
	short events;            /* what it waits for */
};

/* A responder: its listening socket and the thread serving it, which polls
 * wake[0] too and ends when a byte arrives there. The thread alone touches
 * conns once it runs. */
struct responder {
	int listen_fd;           /* non-blocking, close-on-exec */
	int wake[2];             /* self-pipe: a byte asks the thread to stop */
	pthread_t thread;
	bool running;
	const struct responder_client_ops *ops;  /* borrowed */
	void *arg;               /* borrowed: the owner */
	struct responder_conn conns[RESPONDER_MAX_CLIENTS];
};

/* Marks r as holding nothing, so that responder_stop() is safe on it. */
void responder_init(struct responder *r);

/* Listens on addr ("PORT", ":PORT", "ADDR:PORT" or "[V6]:PORT"; no ADDR
 * means all addresses: one dual-stack IPv6 socket, or IPv4 alone on a host
 * without IPv6; SO_REUSEADDR), flag naming the option in messages
 * ("--tls-alpn"), then serves it with ops and arg (both borrowed until
 * responder_stop()) on a thread with every signal blocked (signals belong
 * to the main thread); what names the responder in messages
 * ("tls-alpn-01"). 0, or -1 with ERR_USAGE for a bad addr or ERR_NETWORK
 * when it cannot listen or start the thread; responder_stop() releases r
 * either way. */
int responder_start(struct responder *r, const char *addr, const char *flag,
    const char *what, const struct responder_client_ops *ops, void *arg);

/* Stops the thread (a byte on the wake pipe, then join; every open
 * connection is closed through ops->close) and closes the descriptors; r
 * is as after responder_init(). */
void responder_stop(struct responder *r);

#endif
