/*
 * The term sequence.  Each group being stopped has an entry with the next
 * step and when it is due; one libuv timer serves them all.
 *
 * While a job's leader runs (or is an unreaped zombie), its pid is also
 * its group id and cannot be reused, so signals reach the right group.
 * Once the leader is reaped, the group id stays reserved only while some
 * member lives: a step then first asks kill(-pgid, 0) whether anyone is
 * left.  prun is a child subreaper (main.c), so orphans of a job become
 * prun's children and are reaped by the scheduler: a dead member never
 * lingers as a zombie that would answer that question wrongly.
 */
#include "killer.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <uv.h>

#include "job.h"
#include "util.h"

struct entry {
	pid_t pgid;
	struct job *job;      /* NULL once the leader is reaped */
	size_t step;          /* the next signal to send */
	uint64_t due;         /* when, in monotonic ns */
	struct entry *next;
};

struct killer {
	uv_timer_t timer;
	struct termseq seq;
	struct entry *entries;  /* owned list */
	void (*idle)(void *);
	void *data;
};

static void on_timer(uv_timer_t *t);

void killer_create(struct killer **out, uv_loop_t *loop,
		   const struct termseq *seq, void (*idle)(void *),
		   void *data)
{
	struct killer *k = xcalloc(1, sizeof(*k));

	uv_timer_init(loop, &k->timer);
	k->timer.data = k;
	k->seq = *seq;
	k->idle = idle;
	k->data = data;
	*out = k;
}

static void on_closed(uv_handle_t *h)
{
	struct killer *k = h->data;

	while (k->entries) {
		struct entry *e = k->entries;
		k->entries = e->next;
		free(e);
	}
	free(k);
}

void killer_close(struct killer *k)
{
	uv_close((uv_handle_t *)&k->timer, on_closed);
}

bool killer_busy(const struct killer *k)
{
	return k->entries != NULL;
}

static struct entry *find(struct killer *k, const struct job *job)
{
	for (struct entry *e = k->entries; e; e = e->next) {
		if (e->job == job) {
			return e;
		}
	}
	return NULL;
}

static void remove_entry(struct killer *k, struct entry *gone)
{
	for (struct entry **p = &k->entries; *p; p = &(*p)->next) {
		if (*p == gone) {
			*p = gone->next;
			free(gone);
			return;
		}
	}
}

/* Sends the due signals and re-arms the timer for the next one. */
static void run_steps(struct killer *k)
{
	uint64_t now = now_ns();
	uint64_t next = UINT64_MAX;

	for (struct entry *e = k->entries, *following; e; e = following) {
		following = e->next;
		if (e->due > now) {
			next = e->due < next ? e->due : next;
			continue;
		}
		bool leader = e->job != NULL;
		if (!leader && kill(-e->pgid, 0) < 0 && errno == ESRCH) {
			remove_entry(k, e);
			continue;
		}
		if (e->step >= k->seq.n) {
			if (!leader) {
				/* Unkillable (or gone its own way): let go. */
				remove_entry(k, e);
				continue;
			}
			e->step = k->seq.n - 1; /* repeat the last signal */
		}
		kill(-e->pgid, k->seq.sig[e->step]);
		e->due = now + (uint64_t)k->seq.ms[e->step] * 1000000u;
		e->step++;
		next = e->due < next ? e->due : next;
	}
	if (!k->entries) {
		uv_timer_stop(&k->timer);
		k->idle(k->data);
		return;
	}
	uint64_t wait_ms = (next - now + 999999) / 1000000;
	uv_timer_start(&k->timer, on_timer, wait_ms, 0);
}

static void on_timer(uv_timer_t *t)
{
	run_steps(t->data);
}

static void add(struct killer *k, struct job *job, pid_t pgid, size_t step,
		uint64_t due)
{
	struct entry *e = xcalloc(1, sizeof(*e));

	e->pgid = pgid;
	e->job = job;
	e->step = step;
	e->due = due;
	e->next = k->entries;
	k->entries = e;
}

void killer_job(struct killer *k, struct job *job)
{
	if (job->killing || job->exited) {
		return;
	}
	job->killing = true;
	add(k, job, job->pid, 0, 0);
	run_steps(k);
}

void killer_job_now(struct killer *k, struct job *job)
{
	if (job->exited) {
		return;
	}
	struct entry *e = find(k, job);
	if (!e) {
		job->killing = true;
		add(k, job, job->pid, 0, 0);
		e = k->entries;
	}
	/* Jump to the last step: SIGKILL in the default sequence. */
	e->step = k->seq.n - 1;
	e->due = 0;
	run_steps(k);
}

void killer_leader_exited(struct killer *k, struct job *job)
{
	struct entry *e = find(k, job);

	if (e) {
		return; /* the sequence goes on for the rest of the group */
	}
	/* What the job left in its group ends with it: the first step now. */
	kill(-job->pid, k->seq.sig[0]);
}

void killer_leader_reaped(struct killer *k, struct job *job)
{
	struct entry *e = find(k, job);

	if (e) {
		e->job = NULL;
		if (kill(-job->pid, 0) < 0 && errno == ESRCH) {
			remove_entry(k, e); /* the group went with its leader */
		}
		run_steps(k);
		return;
	}
	if (kill(-job->pid, 0) < 0 && errno == ESRCH) {
		return; /* nothing was left */
	}
	uint64_t due = now_ns() + (uint64_t)k->seq.ms[0] * 1000000u;
	add(k, NULL, job->pid, 1, due);
	run_steps(k);
}
