/*
 * Output: jobs' stdout and stderr reach prun's own, whole (grouped, the
 * default), in input order with the oldest job streamed live (-k), as
 * whole lines as they come (--line-buffer), or untouched (--ungroup);
 * optionally with a tag before every line, or as the names of files that
 * hold it (--files).  Writing happens on the loop's thread pool, so fd 1
 * stays blocking (it is shared with other processes) and a slow reader
 * never stalls the scheduler.
 */
#ifndef PRUN_OUTPUT_H
#define PRUN_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "job.h"
#include "options.h"

struct output;
struct uv_loop_s;

struct output_config {
	enum output_mode mode;
	bool keep_order;      /* -k */
	bool files;           /* --files */
	bool tag;             /* jobs carry a tag for their lines */
	bool color;           /* --color: colour tags on terminals */
	bool color_failed;    /* --color-failed: failed jobs' lines in red */
	bool latest;          /* --latest-line: a live line per job */
	const char *tmpdir;   /* where spool files go */
	bool compress;        /* spilled spools go through a compressor */
};

struct output_callbacks {
	/* The job's output is written; the callee owns the job again. */
	void (*written)(void *data, struct job *job);
	/* Writing to stdout failed (a negative errno; -EPIPE: reader gone). */
	void (*failed)(void *data, int err);
	/* Output may have been lost, e.g. on a full disk (callee frees). */
	void (*lost)(void *data, char *cause);
	/* Jobs print much: from now on, better in files of their own. */
	void (*heavy)(void *data);
	void *data;
};

/* Where jobs must send their output under cfg. */
enum job_io output_job_io(const struct output_config *cfg);

/*
 * Sets up the output on the loop (the caller owns the loop and keeps cfg
 * alive).  Returns 0, or -errno with a message in *cause, e.g. when the
 * spool directory is not usable.
 */
int output_create(struct output **out, struct uv_loop_s *loop,
		  const struct output_config *cfg,
		  const struct output_callbacks *cb, char **cause);
/*
 * For a progress display drawn on the terminal between the output's
 * writes: false while a write of a piece of output is under way (a frame
 * drawn now could land in its middle).  Else true, and *mark is a number
 * that differs from the last one whenever output may have been written
 * since: a new one each call when the jobs write to the terminal
 * themselves (-u).  A job's stdout passed while it runs is counted as it
 * goes, and not waited for.
 */
bool output_mark(struct output *o, uint64_t *mark);
/* Frees the output; output_close() and a loop run must come first. */
void output_destroy(struct output *o);
/* Closes the output's handles, once every job is written. */
void output_close(struct output *o);

/*
 * A job has been spawned (it stays the caller's): its pipes are read from
 * now on, and under -k its output streams while it is the oldest job.
 */
void output_start(struct output *o, struct job *job);

/*
 * The job has exited: what is in its pipes is read, and nothing after
 * (its leftover processes are not waited for).  Returns the bytes it wrote
 * to stdout.  output_add() does it too.
 */
uint64_t output_collect(struct output *o, struct job *job);
/*
 * False while the exited job's stdout may still be on its way to prun's
 * stdout, straight from its pipe: its count of bytes is final once it is
 * written (output_callbacks.written), in job->received.
 */
bool output_counted(const struct output *o, const struct job *job);

/* True if jobs' output is read from pipes as it comes (--line-buffer). */
bool output_reads_pipes(const struct output *o);

/*
 * Takes a job that has exited or could not start (ownership passes until
 * written()).  Under -k every job seq from 1 up must come exactly once.
 */
void output_add(struct output *o, struct job *job);

/*
 * For a job that has exited and whose output goes elsewhere (--results):
 * if it wrote temp files of its own and their disk is full, it may have
 * lost output, which is reported through lost().
 */
void output_check_files(struct output *o, struct job *job);

/* Jobs handed in but not yet written. */
size_t output_pending(const struct output *o);

#endif
