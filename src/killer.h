/*
 * Stopping process groups with the term sequence (--termseq): a signal,
 * a wait, the next signal..., moving on as soon as the group is gone.
 */
#ifndef PRUN_KILLER_H
#define PRUN_KILLER_H

#include <stdbool.h>
#include <sys/types.h>

#include "options.h"

struct job;
struct killer;
struct uv_loop_s;

/* `idle` is called whenever the last group being stopped is gone. */
void killer_create(struct killer **out, struct uv_loop_s *loop,
		   const struct termseq *seq, void (*idle)(void *),
		   void *data);
/* Frees the killer; its timer handle is closed first (needs a loop turn). */
void killer_close(struct killer *k);

/* Starts the term sequence on a running job's process group. */
void killer_job(struct killer *k, struct job *job);
/* Starts the sequence with SIGKILL, for a third Ctrl-C. */
void killer_job_now(struct killer *k, struct job *job);

/*
 * The job's leader has exited and is not yet reaped.  Whatever it left in
 * its group is signalled now and followed until gone, so no process of a
 * job outlives it.
 */
void killer_leader_exited(struct killer *k, struct job *job);
/* Call right after the leader is reaped: the group id may be reused. */
void killer_leader_reaped(struct killer *k, struct job *job);

/* True while groups are being stopped. */
bool killer_busy(const struct killer *k);

#endif
