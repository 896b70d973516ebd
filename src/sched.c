/*
 * The scheduler.  One libuv loop drives everything: input arrives from the
 * thread pool, children are reaped from a SIGCHLD watcher (jobs are spawned
 * with posix_spawn, not uv_spawn, so libuv keeps no child state of its own),
 * output is written on the thread pool, and signals sent to prun are passed
 * on to the jobs' process groups.
 *
 * A job ends when its leader exits.  Whatever it left running in its
 * process group is sent SIGTERM at that moment, before the leader is
 * reaped (so the group id cannot have been reused): a job's background
 * processes do not outlive it, and nothing is left behind when prun exits.
 */
#define _GNU_SOURCE /* waitid's WNOWAIT in <sys/wait.h> under POSIX */
#include "sched.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "job.h"
#include "log.h"
#include "output.h"
#include "util.h"

/* A retry after running out of processes or descriptors, in ms. */
#define RETRY_MS 50
/*
 * The most jobs that may have ended without their output written (under
 * -k they wait for an earlier job; each holds two files) before no more
 * start: a multiple of -j, within these bounds.
 */
#define HELD_MIN 16
#define HELD_MAX 1024

/* Job slots: the lowest free number is handed out first. */
struct slots {
	unsigned *heap;   /* owned; min-heap of released slots */
	size_t n;
	size_t cap;
	unsigned fresh;   /* every slot >= fresh is free */
};

/* Running jobs by pid: open addressing, linear probing. */
struct pid_map {
	struct job **v;   /* owned array (jobs are not owned) */
	size_t cap;       /* a power of two */
	size_t n;
};

struct sched {
	uv_loop_t loop;
	const struct sched_config *cfg;
	const struct options *opts;

	struct input *input;       /* owned */
	struct spawner *spawner;   /* owned */
	struct output *output;     /* owned */

	uv_signal_t sigchld;
	uv_signal_t sigint;
	uv_signal_t sigterm;
	uv_timer_t retry_timer;

	struct slots slots;
	struct pid_map running;
	size_t held_max;           /* see HELD_MAX */
	struct job *retry;         /* owned; a job waiting for resources */
	uint64_t next_seq;

	bool input_done;
	bool input_waiting;
	bool stopping;             /* start no more jobs */
	bool closing;
	int error;                 /* prun's own error: exit 255 */
	int die_signal;            /* prun dies of this signal at the end */
	int interrupts;            /* SIGINT/SIGTERM received */
	uint64_t failed;
};

static void fill(struct sched *s);
static void maybe_finish(struct sched *s);

static unsigned slot_take(struct slots *sl)
{
	if (sl->n == 0) {
		return ++sl->fresh;
	}
	unsigned top = sl->heap[0];
	unsigned last = sl->heap[--sl->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= sl->n) {
			break;
		}
		if (c + 1 < sl->n && sl->heap[c + 1] < sl->heap[c]) {
			c++;
		}
		if (last <= sl->heap[c]) {
			break;
		}
		sl->heap[i] = sl->heap[c];
		i = c;
	}
	if (sl->n) {
		sl->heap[i] = last;
	}
	return top;
}

static void slot_release(struct slots *sl, unsigned slot)
{
	if (sl->n == sl->cap) {
		sl->cap = sl->cap ? sl->cap * 2 : 16;
		sl->heap = xreallocarray(sl->heap, sl->cap, sizeof(unsigned));
	}
	size_t i = sl->n++;
	while (i > 0 && sl->heap[(i - 1) / 2] > slot) {
		sl->heap[i] = sl->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	sl->heap[i] = slot;
}

static size_t pid_hash(pid_t pid, size_t cap)
{
	return ((size_t)pid * 2654435761u) & (cap - 1);
}

static void pid_map_put(struct pid_map *m, struct job *job);

static void pid_map_grow(struct pid_map *m)
{
	struct pid_map old = *m;

	m->cap = m->cap ? m->cap * 2 : 64;
	m->v = xcalloc(m->cap, sizeof(*m->v));
	m->n = 0;
	for (size_t i = 0; i < old.cap; i++) {
		if (old.v[i]) {
			pid_map_put(m, old.v[i]);
		}
	}
	free(old.v);
}

static void pid_map_put(struct pid_map *m, struct job *job)
{
	if (2 * (m->n + 1) > m->cap) {
		pid_map_grow(m);
	}
	size_t i = pid_hash(job->pid, m->cap);
	while (m->v[i]) {
		i = (i + 1) & (m->cap - 1);
	}
	m->v[i] = job;
	m->n++;
}

static struct job *pid_map_take(struct pid_map *m, pid_t pid)
{
	if (m->cap == 0) {
		return NULL;
	}
	size_t i = pid_hash(pid, m->cap);
	while (m->v[i] && m->v[i]->pid != pid) {
		i = (i + 1) & (m->cap - 1);
	}
	struct job *job = m->v[i];
	if (!job) {
		return NULL;
	}
	/* Backward-shift deletion keeps every probe chain intact. */
	m->v[i] = NULL;
	m->n--;
	for (size_t j = (i + 1) & (m->cap - 1); m->v[j];
	     j = (j + 1) & (m->cap - 1)) {
		struct job *moved = m->v[j];
		m->v[j] = NULL;
		m->n--;
		pid_map_put(m, moved);
	}
	return job;
}

/* Sends sig to every running job's process group. */
static void signal_all(struct sched *s, int sig)
{
	for (size_t i = 0; i < s->running.cap; i++) {
		if (s->running.v[i]) {
			job_signal(s->running.v[i], sig);
		}
	}
}

/* Stops starting jobs, for good. */
static void stop(struct sched *s)
{
	s->stopping = true;
	if (s->retry) {
		job_destroy(s->retry);
		s->retry = NULL;
		uv_timer_stop(&s->retry_timer);
	}
}

static void fail(struct sched *s, char *cause)
{
	warn("%s", cause);
	free(cause);
	s->error = 1;
	stop(s);
	signal_all(s, SIGTERM);
}

/* Records a finished job and passes it to the output. */
static void finish_job(struct sched *s, struct job *job)
{
	if (job_exitval(job) != 0) {
		s->failed++;
	}
	output_add(s->output, job);
}

static void on_written(void *data, struct job *job)
{
	struct sched *s = data;

	job_destroy(job);
	fill(s);
	maybe_finish(s);
}

static void on_output_lost(void *data, char *cause)
{
	fail(data, cause);
}

static void on_output_failed(void *data, int err)
{
	struct sched *s = data;

	if (err == UV_EPIPE) {
		/* The reader is gone: end as `cmd | head` expects. */
		s->die_signal = SIGPIPE;
	} else {
		warn("cannot write to standard output: %s", strerror(-err));
		s->error = 1;
	}
	stop(s);
	signal_all(s, SIGTERM);
}

static void on_input(void *data)
{
	struct sched *s = data;

	s->input_waiting = false;
	fill(s);
	maybe_finish(s);
}

static void print_header(struct sched *s, struct job *job)
{
	struct buf b;

	buf_init(&b);
	job_command(s->spawner, job, &b);
	buf_addc(&b, '\n');
	job->header_len = b.len;
	job->header = buf_steal(&b);
	job->header_stderr = s->opts->trace && !s->opts->verbose &&
			     !s->opts->dry_run;
}

/* -s: a command line must be shorter than max-chars (an error if not). */
static bool too_long(struct sched *s, struct job *job)
{
	struct buf b;

	buf_init(&b);
	job_command(s->spawner, job, &b);
	bool bad = b.len >= (size_t)s->opts->max_chars;
	if (bad) {
		fail(s, xasprintf("command line too long (%zu >= %ld) at "
				  "input %llu: %.40s", b.len,
				  s->opts->max_chars,
				  (unsigned long long)job->seq - 1, b.data));
	}
	buf_finish(&b);
	return bad;
}

static void render_tag(struct sched *s, struct job *job)
{
	struct buf b;

	buf_init(&b);
	job_render(s->spawner, s->cfg->tag, job, &b);
	job->tag_len = b.len;
	job->tag = buf_steal(&b);
}

/* Starts one job.  Returns false if it must wait for resources. */
static bool start(struct sched *s, struct job *job)
{
	char *cause = NULL;

	job->slot = slot_take(&s->slots);
	if (s->opts->dry_run || s->opts->verbose || s->opts->trace) {
		print_header(s, job);
	}
	if (s->opts->max_chars && s->opts->fill == FILL_NONE &&
	    too_long(s, job)) {
		slot_release(&s->slots, job->slot);
		job_destroy(job);
		return true;
	}
	if (s->opts->dry_run) {
		slot_release(&s->slots, job->slot);
		output_add(s->output, job);
		return true;
	}
	if (s->cfg->tag) {
		render_tag(s, job);
	}
	int r = job_spawn(s->spawner, job, &cause);
	if (r == -EAGAIN) {
		slot_release(&s->slots, job->slot);
		free(job->header);
		job->header = NULL;
		job->header_len = 0;
		free(job->tag);
		job->tag = NULL;
		job->tag_len = 0;
		return false;
	}
	if (r == -E2BIG) {
		fail(s, cause);
		job_destroy(job);
		return true;
	}
	if (r < 0) {
		/* It cannot run at all: it fails as a shell would say. */
		warn("%s", cause);
		free(cause);
		slot_release(&s->slots, job->slot);
		job->status = (r == -ENOENT ? 127 : 126) << 8;
		job->exited = true;
		finish_job(s, job);
		return true;
	}
	pid_map_put(&s->running, job);
	output_start(s->output, job);
	return true;
}

static void on_retry(uv_timer_t *t)
{
	fill(t->data);
}

/* Starts jobs while there are free slots and input to fill them. */
static void fill(struct sched *s)
{
	while (!s->stopping && s->running.n < (size_t)s->cfg->max_jobs &&
	       output_pending(s->output) < s->held_max) {
		struct job *job = s->retry;
		s->retry = NULL;
		if (!job) {
			if (s->input_done || s->input_waiting) {
				return;
			}
			struct record *rec;
			char *cause = NULL;
			int r = input_next(s->input, &rec, &cause);
			if (r == INPUT_WAIT) {
				s->input_waiting = true;
				return;
			}
			if (r == INPUT_END) {
				s->input_done = true;
				return;
			}
			if (r == INPUT_ERROR) {
				s->input_done = true;
				fail(s, cause);
				return;
			}
			job = job_create(++s->next_seq, rec);
		}
		if (!start(s, job)) {
			s->retry = job;
			if (s->running.n == 0) {
				uv_timer_start(&s->retry_timer, on_retry,
					       RETRY_MS, 0);
			}
			return;
		}
	}
}

/* Reaps every exited child.  Runs on SIGCHLD. */
static void on_sigchld(uv_signal_t *h, int sig)
{
	struct sched *s = h->data;

	for (;;) {
		siginfo_t si;
		si.si_pid = 0;
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
		    si.si_pid == 0) {
			break;
		}
		pid_t pid = si.si_pid;
		struct job *job = pid_map_take(&s->running, pid);
		if (job) {
			/* The leader is a zombie: the group id is still ours. */
			kill(-pid, SIGTERM);
		}
		int status;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
		}
		if (!job) {
			continue;
		}
		job->status = status;
		job->exited = true;
		job->end_ns = now_ns();
		slot_release(&s->slots, job->slot);
		finish_job(s, job);
	}
	fill(s);
	maybe_finish(s);
}

/*
 * SIGINT and SIGTERM: the first stops starting jobs and passes the signal
 * on to every job's group; another one kills them.  prun then dies of the
 * same signal, so a calling loop or make stops too.
 */
static void on_interrupt(uv_signal_t *h, int sig)
{
	struct sched *s = h->data;

	s->die_signal = sig;
	stop(s);
	signal_all(s, ++s->interrupts > 1 ? SIGKILL : sig);
	maybe_finish(s);
}

static void close_all(struct sched *s)
{
	s->closing = true;
	uv_close((uv_handle_t *)&s->sigchld, NULL);
	uv_close((uv_handle_t *)&s->sigint, NULL);
	uv_close((uv_handle_t *)&s->sigterm, NULL);
	uv_close((uv_handle_t *)&s->retry_timer, NULL);
	output_close(s->output);
	/* Do not wait for a read of input that is no longer wanted. */
	uv_stop(&s->loop);
}

/* Ends the loop once nothing runs and all output is written. */
static void maybe_finish(struct sched *s)
{
	if (s->closing || s->running.n > 0 || s->retry ||
	    output_pending(s->output) > 0) {
		return;
	}
	if (!s->stopping && !s->input_done) {
		return;
	}
	close_all(s);
}

struct sched_result sched_run(const struct sched_config *cfg)
{
	struct sched s;
	struct sched_result res = {0, 0, false};
	char *cause = NULL;

	memset(&s, 0, sizeof(s));
	s.cfg = cfg;
	s.opts = cfg->opts;
	uv_loop_init(&s.loop);

	struct output_config oc = {
		.mode = cfg->opts->output,
		.keep_order = cfg->opts->keep_order,
		.files = cfg->opts->files,
		.tag = cfg->tag != NULL,
		.color = cfg->opts->color,
		.tmpdir = cfg->tmpdir,
	};
	struct output_callbacks ocb = {
		.written = on_written,
		.failed = on_output_failed,
		.lost = on_output_lost,
		.data = &s,
	};
	struct spawner_config sc = {
		.tmpl = cfg->tmpl,
		.io = output_job_io(&oc),
		.tmpdir = cfg->tmpdir,
	};
	if (output_create(&s.output, &s.loop, &oc, &ocb, &cause) < 0) {
		warn("%s", cause);
		free(cause);
		uv_loop_close(&s.loop);
		res.status = 255;
		return res;
	}
	if (spawner_create(&s.spawner, &sc, &cause) < 0 ||
	    input_create(&s.input, cfg->input, &s.loop, on_input, &s,
			 &cause) < 0) {
		warn("%s", cause);
		free(cause);
		spawner_destroy(s.spawner);
		output_close(s.output);
		uv_run(&s.loop, UV_RUN_NOWAIT);
		output_destroy(s.output);
		uv_loop_close(&s.loop);
		res.status = 255;
		return res;
	}
	size_t n_names;
	char *const *names = input_names(s.input, &n_names);
	template_bind_names(cfg->tmpl, names, n_names);
	if (cfg->tag) {
		template_bind_names(cfg->tag, names, n_names);
	}
	spawner_set_total(s.spawner, input_total(s.input));

	s.held_max = (size_t)cfg->max_jobs * 2;
	if (s.held_max < HELD_MIN) {
		s.held_max = HELD_MIN;
	} else if (s.held_max > HELD_MAX) {
		s.held_max = HELD_MAX;
	}

	uv_signal_init(&s.loop, &s.sigchld);
	uv_signal_init(&s.loop, &s.sigint);
	uv_signal_init(&s.loop, &s.sigterm);
	uv_timer_init(&s.loop, &s.retry_timer);
	s.sigchld.data = s.sigint.data = s.sigterm.data = &s;
	s.retry_timer.data = &s;
	uv_signal_start(&s.sigchld, on_sigchld, SIGCHLD);
	uv_signal_start(&s.sigint, on_interrupt, SIGINT);
	uv_signal_start(&s.sigterm, on_interrupt, SIGTERM);

	fill(&s);
	maybe_finish(&s);
	uv_run(&s.loop, UV_RUN_DEFAULT);
	uv_run(&s.loop, UV_RUN_NOWAIT); /* the close callbacks */

	if (s.die_signal) {
		res.signal = s.die_signal;
	}
	if (s.error) {
		res.status = 255;
	} else {
		res.status = s.failed > 100 ? 101 : (int)s.failed;
	}
	/*
	 * A read of stdin may still be under way on the thread pool (input
	 * that never ends); the loop cannot be closed then, and need not be.
	 */
	if (uv_loop_close(&s.loop) == 0) {
		input_destroy(s.input);
	} else {
		res.abandon = true;
	}
	output_destroy(s.output);
	spawner_destroy(s.spawner);
	free(s.slots.heap);
	free(s.running.v);
	return res;
}
