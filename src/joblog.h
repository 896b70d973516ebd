/*
 * --joblog in GNU parallel's format, and reading it back for --resume,
 * --resume-failed and --retry-failed.
 */
#ifndef PRUN_JOBLOG_H
#define PRUN_JOBLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct joblog;

/* One finished job, as a line of the log. */
struct joblog_entry {
	uint64_t seq;
	double start;        /* seconds since the epoch */
	double runtime;      /* seconds */
	uint64_t sent;       /* bytes of stdin (--pipe) */
	uint64_t received;   /* bytes of stdout */
	int exitval;         /* 0 if killed by a signal, -1 if timed out
				or evicted */
	int signal;
	const char *host;    /* the sshlogin; NULL: ":", this machine */
	char *command;       /* owned when read back */
};

/*
 * Opens the log: truncated (and a header written) unless `append`, in
 * which case the header is written only to an empty file; "-" is standard
 * output, which always gets the header.  Returns 0, or -1 with *cause.
 */
int joblog_open(struct joblog **out, const char *path, bool append,
		char **cause);
/* True if the log is written to standard output. */
bool joblog_is_stdout(const struct joblog *jl);
/* Appends one line; each line is one write(2), so lines never tear. */
void joblog_write(struct joblog *jl, const struct joblog_entry *e);
void joblog_close(struct joblog *jl);

/*
 * Reads a log back.  A missing file is an empty log.  Returns 0 with the
 * entries (free them with joblog_entries_free), or -1 with *cause.
 */
int joblog_read(const char *path, struct joblog_entry **out, size_t *n,
		char **cause);
void joblog_entries_free(struct joblog_entry *v, size_t n);

#endif
