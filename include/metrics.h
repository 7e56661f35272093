/* metrics.h - the state of the kept certificates as a Prometheus textfile
 * (the text exposition format node_exporter's textfile collector reads):
 * formatted purely, written atomically. */
#ifndef ACMECTL_METRICS_H
#define ACMECTL_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* What is reported of one certificate; strings borrowed. */
struct metrics_cert {
	const char *name;
	const char *server;       /* NULL: reported as "" */
	bool staging;
	bool readable;            /* false: only last_error 1 is reported */
	time_t not_after;
	bool due;
	time_t last_attempt;      /* 0: unknown, no sample */
	time_t last_success;      /* 0: unknown, no sample */
	bool last_error;
};

/* The textfile for the n certificates: for each metric family a # HELP and
 * a # TYPE gauge line, then one sample per certificate, labelled name,
 * server and staging, label values escaped as the format requires (\\,
 * \", \n). Caller frees. */
char *metrics_text(const struct metrics_cert *certs, size_t n);

/* Writes metrics_text() to path atomically (a temporary file in its
 * directory renamed over it, mode 0644): a reader sees the old file or
 * the new one, never a part. 0, or -1 with ERR_STORAGE naming the path,
 * nothing left behind. */
int metrics_write(const char *path, const struct metrics_cert *certs, size_t n);

#endif
