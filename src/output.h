/*
 * Output: a finished job's spooled stdout and stderr are written to prun's
 * own, whole, in the order of completion (or of input with -k).  Writing
 * happens on the loop's thread pool, so fd 1 stays blocking (it is shared
 * with other processes) and a slow reader never stalls the scheduler.
 */
#ifndef PRUN_OUTPUT_H
#define PRUN_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct job;
struct output;
struct uv_loop_s;

struct output_callbacks {
	/* The job's output is written; the callee owns the job again. */
	void (*written)(void *data, struct job *job);
	/* Writing to stdout failed (a negative errno; -EPIPE: reader gone). */
	void (*failed)(void *data, int err);
	void *data;
};

void output_create(struct output **out, struct uv_loop_s *loop,
		   bool keep_order, const struct output_callbacks *cb);
void output_destroy(struct output *o);

/*
 * Takes a job whose output is complete (ownership passes until written()).
 * Every job seq from 1 up must be handed in exactly once under -k.
 */
void output_add(struct output *o, struct job *job);

/* Jobs handed in but not yet written. */
size_t output_pending(const struct output *o);

#endif
