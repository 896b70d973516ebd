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
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "job.h"
#include "joblog.h"
#include "jobserver.h"
#include "killer.h"
#include "lines.h"
#include "log.h"
#include "output.h"
#include "progress.h"
#include "prompt.h"
#include "quote.h"
#include "remote.h"
#include "results.h"
#include "spool.h"
#include "transfer.h"
#include "util.h"

/* A retry after running out of processes or descriptors, in ms. */
#define RETRY_MS 50
/* --limit: how soon to run the command again after it said wait. */
#define LIMIT_RETRY_MS 200
/* --limit, --memsuspend, --noswap: how often the machine is looked at. */
#define WATCH_MS 1000
/* --noswap: the first look, which the first job waits for. */
#define WATCH_FIRST_MS 500
/*
 * The most jobs that may have ended without their output written (under
 * -k they wait for an earlier job; each holds two files) before no more
 * start: a multiple of -j, within these bounds.
 */
#define HELD_MIN 16
/* -j with remote hosts: their slots limit, not this. */
#define JOBS_ANY 1000000L
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

/* Runtimes of successful jobs, for their median (--timeout N%). */
struct median {
	uint64_t *low;    /* owned; max-heap of the lower half */
	uint64_t *high;   /* owned; min-heap of the upper half */
	size_t n_low, n_high, cap_low, cap_high;
};

struct sched {
	uv_loop_t loop;
	const struct sched_config *cfg;
	const struct options *opts;

	struct input *input;       /* owned; NULL under --pipe */
	struct chunk_reader *chunks; /* owned; --pipe, else NULL */
	struct job **rr_idle;      /* owned array; --round-robin: running
				      jobs that wait for a chunk */
	size_t n_rr_idle;
	struct chunk *rr_next;     /* a reference; the chunk for the next
				      idle job, or NULL */
	uint64_t rr_last;          /* --round-robin -k: the seq of the job
				      given the last chunk */
	bool rr_replay;            /* --round-robin --retries: each job
				      keeps the chunks it is given */
	struct spawner *spawner;   /* owned */
	struct output *output;     /* owned */
	struct killer *killer;     /* owned */
	struct joblog *joblog;     /* owned */
	struct results *results;   /* owned; --results, else NULL */
	struct progress *progress; /* owned; --bar, --eta, --progress */
	unsigned long said;        /* lines of its own written to stderr
	                              (see progress_mark()) */
	struct remote *remote;     /* owned; -S, --slf: the hosts, or NULL */
	struct jobserver *js;      /* the pool of job slots shared with make
				      and the jobs, or NULL */
	int js_fds[2];             /* its pipe as jobs get it */
	uv_poll_t js_poll;         /* readable: a token may be there */
	bool js_polling;
	bool js_wanted;            /* a job waits for a token */
	long max_jobs;             /* -j; -j FILE changes it as it goes */
	struct timespec jobs_mtime; /* -j FILE: as last read */
	off_t jobs_size;

	uv_signal_t sigchld;
	uv_signal_t sig[6];        /* INT TERM HUP TSTP CONT USR1 */
	uv_timer_t retry_timer;    /* resources, --delay, --load, --memfree */
	uv_timer_t timeout_timer;
	uv_timer_t watch_timer;    /* --limit, --memsuspend, --noswap */
	unsigned long long swap_in, swap_out; /* --noswap: as last read */
	bool swap_read;            /* swap_in and swap_out are set */
	int swapping;              /* 1: both grew since; -1: not known yet */

	struct slots slots;
	struct pid_map running;
	struct job *oldest;        /* running jobs in start order */
	struct job *newest;
	struct job *requeue;       /* owned; jobs to run before new input */
	struct job *requeue_tail;
	size_t held_max;           /* see HELD_MAX */
	uint64_t next_seq;
	uint64_t next_start_ns;    /* --delay */
	struct median median;

	bool input_done;
	bool input_waiting;
	bool chunks_done;          /* --pipe: the last chunk is out */
	bool chunks_waiting;       /* --pipe: a read of stdin is under way */
	bool stopping;             /* start no more jobs */
	bool closing;
	bool reaping;              /* on_sigchld is handing jobs on */
	int error;                 /* prun's own error: exit 255 */
	int die_signal;            /* prun dies of this signal at the end */
	int interrupts;            /* SIGINT received */
	bool halted;               /* --halt triggered */
	int halt_status;
	uint64_t started, done, failed;
};

static void fill(struct sched *s);
static void maybe_finish(struct sched *s);

/* The number of jobs in all: given, counted ahead, or once input ended. */
static uint64_t total_jobs(const struct sched *s)
{
	if (s->opts->total_jobs) {
		return (uint64_t)s->opts->total_jobs;
	}
	if (input_total(s->input)) {
		return input_total(s->input);
	}
	return s->input_done ? s->next_seq : 0;
}

/*
 * progress_config's mark: the output's (see output_mark()), with prun's
 * own lines on stderr counted in; a new one each time when the jobs have
 * the terminal (--tty, --open-tty) and may write to it themselves.
 */
static bool progress_mark(void *data, uint64_t *mark)
{
	struct sched *s = data;

	if (s->output && !output_mark(s->output, mark)) {
		return false;
	}
	if (s->opts->tty || s->opts->open_tty) {
		s->said++;
	}
	*mark = (s->output ? *mark : 0) + log_lines() + s->said;
	return true;
}

/* Tells the progress display where the run stands. */
static void show_progress(struct sched *s, const struct job *started)
{
	if (!s->progress) {
		return;
	}
	struct progress_counts c = {
		.total = total_jobs(s),
		.done = s->done,
		.started = s->started,
		.running = s->running.n,
	};
	progress_update(s->progress, &c, started);
}

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

/* Gives back the job's slot, and its host's (it keeps job->host). */
static void free_slot(struct sched *s, struct job *job)
{
	slot_release(&s->slots, job->slot);
	if (job->host) {
		remote_release(s->remote, job->host, job->master);
	}
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

/* Calls fn on every running job. */
static void each_running(struct sched *s, void (*fn)(struct sched *,
						     struct job *, int),
			 int arg)
{
	for (struct job *j = s->oldest, *next; j; j = next) {
		next = j->rnext;
		fn(s, j, arg);
	}
}

static void send_signal(struct sched *s, struct job *job, int sig)
{
	job_signal(job, sig);
}

/* Lets a job that --memsuspend stopped run again. */
static void resume(struct job *job)
{
	if (job->suspended) {
		job_signal(job, SIGCONT);
		job->suspended = false;
	}
}

/*
 * Whether a running job's command has ended, its SIGCHLD not handled yet.
 * Such a job finished before a stop or a timeout that comes now: it is
 * reaped as usual (what it left in its group gets the first signal then)
 * and logged as done, so --resume does not run it again.
 */
static bool leader_ended(const struct job *job)
{
	siginfo_t si;
	si.si_pid = 0;
	return job->pid > 0 &&
	       waitid(P_PID, (id_t)job->pid, &si,
		      WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       si.si_pid == job->pid;
}

static void term_seq(struct sched *s, struct job *job, int now)
{
	if (leader_ended(job)) {
		return;
	}
	/* A stopped job would not act on the signals until it went on. */
	resume(job);
	if (now) {
		killer_job_now(s->killer, job);
	} else {
		killer_job(s->killer, job);
	}
}

static void drop_requeue(struct sched *s)
{
	while (s->requeue) {
		struct job *j = s->requeue;
		s->requeue = j->next;
		job_destroy(j);
	}
	s->requeue_tail = NULL;
}

/* Stops starting jobs, for good. */
static void stop(struct sched *s)
{
	s->stopping = true;
	if (s->chunks) {
		chunk_reader_stop(s->chunks);
	}
	drop_requeue(s);
	uv_timer_stop(&s->retry_timer);
}

static void fail(struct sched *s, char *cause)
{
	warn("%s", cause);
	free(cause);
	s->error = 1;
	stop(s);
	each_running(s, term_seq, 0);
}

static void median_push(uint64_t **heap, size_t *n, size_t *cap, uint64_t v,
			bool max_heap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*heap = xreallocarray(*heap, *cap, sizeof(uint64_t));
	}
	size_t i = (*n)++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		bool up = max_heap ? (*heap)[p] < v : (*heap)[p] > v;
		if (!up) {
			break;
		}
		(*heap)[i] = (*heap)[p];
		i = p;
	}
	(*heap)[i] = v;
}

static uint64_t median_pop(uint64_t *heap, size_t *n, bool max_heap)
{
	uint64_t top = heap[0], last = heap[--*n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n) {
			break;
		}
		if (c + 1 < *n && (max_heap ? heap[c + 1] > heap[c]
					    : heap[c + 1] < heap[c])) {
			c++;
		}
		if (max_heap ? last >= heap[c] : last <= heap[c]) {
			break;
		}
		heap[i] = heap[c];
		i = c;
	}
	if (*n) {
		heap[i] = last;
	}
	return top;
}

/* Adds a runtime; the two heaps stay balanced around the median. */
static void median_add(struct median *m, uint64_t v)
{
	if (m->n_low == 0 || v <= m->low[0]) {
		median_push(&m->low, &m->n_low, &m->cap_low, v, true);
	} else {
		median_push(&m->high, &m->n_high, &m->cap_high, v, false);
	}
	if (m->n_low > m->n_high + 1) {
		median_push(&m->high, &m->n_high, &m->cap_high,
			    median_pop(m->low, &m->n_low, true), false);
	} else if (m->n_high > m->n_low) {
		median_push(&m->low, &m->n_low, &m->cap_low,
			    median_pop(m->high, &m->n_high, false), true);
	}
}

/* The job timeout in ns, 0 for none (or none yet, for N%). */
static uint64_t timeout_ns(const struct sched *s)
{
	const struct options *o = s->opts;

	if (o->timeout > 0) {
		return (uint64_t)(o->timeout * 1e9);
	}
	if (o->timeout_pct > 0 && s->median.n_low > 0) {
		const struct median *m = &s->median;
		double med = m->n_low > m->n_high
				     ? (double)m->low[0]
				     : ((double)m->low[0] + (double)m->high[0]) / 2;
		return (uint64_t)(med * o->timeout_pct);
	}
	return 0;
}

static void on_timeout(uv_timer_t *t);

/*
 * Arms the timeout timer for the oldest job not already being killed and
 * not already ended (an ended job's SIGCHLD comes next; a timer due at
 * once for it would fire for ever).
 */
static void arm_timeout(struct sched *s)
{
	uint64_t limit = timeout_ns(s), now = now_ns();
	struct job *j = s->oldest;

	while (j && (j->killing ||
		     (limit && j->start_ns + limit <= now && leader_ended(j)))) {
		j = j->rnext;
	}
	if (!limit || !j || s->closing) {
		uv_timer_stop(&s->timeout_timer);
		return;
	}
	uint64_t due = j->start_ns + limit;
	uint64_t wait_ms = due > now ? (due - now + 999999) / 1000000 : 0;
	uv_timer_start(&s->timeout_timer, on_timeout, wait_ms, 0);
}

static void on_timeout(uv_timer_t *t)
{
	struct sched *s = t->data;
	uint64_t limit = timeout_ns(s), now = now_ns();

	for (struct job *j = s->oldest; j && limit; j = j->rnext) {
		if (j->killing) {
			continue;
		}
		if (j->start_ns + limit > now) {
			break;
		}
		if (leader_ended(j)) {
			continue;
		}
		struct buf b;
		buf_init(&b);
		job_command(s->spawner, j, &b);
		warn("this job was killed because it timed out: %s", b.data);
		buf_finish(&b);
		j->timed_out = true;
		resume(j);
		killer_job(s->killer, j);
	}
	arm_timeout(s);
}

static void running_add(struct sched *s, struct job *job)
{
	job->rprev = s->newest;
	job->rnext = NULL;
	if (s->newest) {
		s->newest->rnext = job;
	} else {
		s->oldest = job;
	}
	s->newest = job;
	pid_map_put(&s->running, job);
	if (s->oldest == job) {
		arm_timeout(s);
	}
}

static void running_remove(struct sched *s, struct job *job)
{
	if (job->rprev) {
		job->rprev->rnext = job->rnext;
	} else {
		s->oldest = job->rnext;
	}
	if (job->rnext) {
		job->rnext->rprev = job->rprev;
	} else {
		s->newest = job->rprev;
	}
	job->rprev = job->rnext = NULL;
}

static void warn_job(struct sched *s, const char *what, struct job *job)
{
	struct buf b;

	buf_init(&b);
	job_command(s->spawner, job, &b);
	warn("%s: %s", what, b.data);
	buf_finish(&b);
}

/*
 * --halt, as GNU parallel decides it: after each job, count what the
 * condition counts; once it reaches the limit, stop starting jobs (soon)
 * or also stop the running ones (now).  The exit status is fixed then.
 */
static void check_halt(struct sched *s, struct job *job, bool failed)
{
	const struct halt *h = &s->opts->halt;
	uint64_t counted;

	if (h->when == HALT_NEVER || s->halted) {
		return;
	}
	if (h->what == HALT_FAIL && failed) {
		counted = s->failed;
		warn_job(s, "this job failed", job);
	} else if (h->what == HALT_SUCCESS && !failed) {
		counted = s->done - s->failed;
		warn_job(s, "this job succeeded", job);
	} else if (h->what == HALT_DONE) {
		counted = s->done;
		warn_job(s, "this job finished", job);
	} else {
		return;
	}
	uint64_t total = input_total(s->input);
	double limit = h->pct > 0 ? h->pct * (double)total : (double)h->count;
	if ((double)counted < limit) {
		return;
	}
	s->halted = true;
	if (h->what == HALT_SUCCESS) {
		s->halt_status = 0;
	} else if (h->pct > 0) {
		s->halt_status = (int)ceil((double)s->failed /
					   (double)(total ? total : 1) * 100);
	} else if (h->count == 1) {
		s->halt_status = job_exitval(job);
		if ((job->timed_out || job->evicted) &&
		    s->halt_status == 0) {
			s->halt_status = 255;
		}
	} else {
		s->halt_status = s->failed > 101 ? 101 : (int)s->failed;
	}
	stop(s);
	if (h->when == HALT_NOW) {
		each_running(s, term_seq, 0);
	} else if (s->running.n > 0) {
		warn("starting no more jobs; waiting for %zu jobs to finish",
		     s->running.n);
	}
}

static void log_job(struct sched *s, struct job *job)
{
	struct buf cmd;
	int sig = WIFSIGNALED(job->status) ? WTERMSIG(job->status) : 0;

	buf_init(&cmd);
	job_command(s->spawner, job, &cmd);
	struct joblog_entry e = {
		.seq = job->seq,
		.start = job->start_wall,
		.runtime = (double)(job->end_ns - job->start_ns) / 1e9,
		.received = job->received,
		.sent = job->sent,
		.exitval = job_log_exitval(job),
		.host = job->host ? remote_login(job->host) : NULL,
		.signal = sig,
		.command = cmd.data ? cmd.data : "",
	};
	joblog_write(s->joblog, &e);
	buf_finish(&cmd);
}

/*
 * Queues the job to run again as try number `attempt` (--retries, or a
 * remote job that ssh lost); only the last try's output shows.
 */
static void run_again(struct sched *s, struct job *job, unsigned attempt)
{
	struct job *again = job_create(job->seq, job_copy_args(job));
	if (job->replay_fd >= 0) {
		/*
		 * --round-robin: every chunk the try was given, from
		 * its file; the retry adds to the same file.
		 */
		again->chunk = chunk_of_file(job->replay_fd, job->replay_len);
		again->replay_fd = job->replay_fd;
		again->replay_len = job->replay_len;
		job->replay_fd = -1;
	} else if (job->chunk) {
		/* --pipe: the same chunk, given again. */
		again->chunk = chunk_ref(job->chunk);
	}
	again->order = job->order;
	again->attempt = attempt;
	again->pin = job->pin;
	again->groups = job->groups ? xstrdup(job->groups) : NULL;
	again->next = s->requeue;
	s->requeue = again;
	if (!s->requeue_tail) {
		s->requeue_tail = again;
	}
	if (output_reads_pipes(s->output)) {
		/* Its lines are out already; the output frees it. */
		output_add(s->output, job);
	} else {
		spawner_reclaim(s->spawner, job);
		job_destroy(job);
	}
}

/* Records a finished job and passes it on: retried, or to the output. */
static void finish_job(struct sched *s, struct job *job)
{
	bool failed = job_failed(job);
	long tries = s->opts->retries;

	if (failed && !s->stopping && (long)job->attempt < tries) {
		run_again(s, job, job->attempt + 1);
		return;
	}
	s->done++;
	if (failed) {
		s->failed++;
	} else if (s->opts->timeout_pct > 0) {
		median_add(&s->median, job->end_ns - job->start_ns);
	}
	/*
	 * A job stopped because prun was stopping (a signal, --halt now, a
	 * broken stdout) did not finish: it stays out of the log, so that
	 * --resume runs it again.  A timed-out job did finish, failing.
	 */
	bool finished = !job->killing || job->timed_out || job->evicted;
	if (s->joblog && job->pid > 0 && finished) {
		job->received = output_collect(s->output, job);
		/*
		 * -k logs in input order, as GNU parallel does; a log on
		 * stdout comes after each job's output there, as in GNU
		 * parallel (no write of the output is under way then).
		 */
		if ((s->opts->keep_order || joblog_is_stdout(s->joblog) ||
		     !output_counted(s->output, job)) &&
		    !s->results) {
			job->log_written = true;
		} else {
			log_job(s, job);
		}
	}
	check_halt(s, job, failed);
	show_progress(s, NULL);
	if (s->results) {
		/* Its output goes to the results only, as in GNU parallel. */
		output_check_files(s->output, job);
		results_add(s->results, job, finished);
		return;
	}
	output_add(s->output, job);
}

static void on_written(void *data, struct job *job)
{
	struct sched *s = data;

	if (job->log_written) {
		log_job(s, job);
	}
	spawner_reclaim(s->spawner, job);
	job_destroy(job);
	show_progress(s, NULL);
	fill(s);
	maybe_finish(s);
}

static void on_results_failed(void *data, int err, char *cause)
{
	struct sched *s = data;

	if (err == -EPIPE) {
		s->die_signal = SIGPIPE;
		stop(s);
		each_running(s, term_seq, 0);
		return;
	}
	fail(s, cause);
}

static void on_output_lost(void *data, char *cause)
{
	fail(data, cause);
}

static void on_output_heavy(void *data)
{
	struct sched *s = data;

	spawner_use_files(s->spawner);
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
	each_running(s, term_seq, 0);
}

/* The next chunk for rr_dispatch(), into s->rr_next: false if none yet. */
static bool rr_take(struct sched *s)
{
	if (s->rr_next) {
		return true;
	}
	if (s->chunks_done || s->chunks_waiting || s->stopping) {
		return false;
	}
	char *cause = NULL;
	int r = chunk_next(s->chunks, &s->rr_next, &cause);
	if (r == CHUNK_WAIT) {
		s->chunks_waiting = true;
	} else if (r != CHUNK_READY) {
		s->chunks_done = true;
		if (!s->opts->tee) {
			s->input_done = true;
		}
		if (r == CHUNK_ERROR) {
			fail(s, cause);
		}
	}
	return r == CHUNK_READY;
}

/* --tee, --shard, --bin: every job is started and waits for a chunk. */
static bool all_idle(const struct sched *s)
{
	size_t fed = 0;
	uint64_t all = s->cfg->split ? (uint64_t)s->max_jobs
				     : input_total(s->input);

	if (s->next_seq < all || s->requeue) {
		return false;
	}
	for (const struct job *j = s->oldest; j; j = j->rnext) {
		fed += j->feed != NULL;
	}
	return fed == s->n_rr_idle;
}

static int by_seq(const void *a, const void *b)
{
	const struct job *x = *(struct job *const *)a;
	const struct job *y = *(struct job *const *)b;

	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* --shard, --bin: the lines of s->rr_next to the waiting jobs, by column. */
static void split_out(struct sched *s)
{
	size_t n = s->n_rr_idle;
	struct chunk **parts = xcalloc(n, sizeof(*parts));
	char *cause = NULL;

	if (chunk_split_column(s->cfg->split, s->rr_next, &cause) < 0) {
		fail(s, cause);
		stop(s);
		free(parts);
		return;
	}
	qsort(s->rr_idle, n, sizeof(*s->rr_idle), by_seq);
	if (chunk_split(s->rr_next, s->cfg->split, n, parts, &cause) < 0) {
		fail(s, cause);
		stop(s);
		free(parts);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		chunk_feed_more(s->rr_idle[i]->feed, parts[i]);
		chunk_release(parts[i]);
	}
	free(parts);
}

/*
 * --round-robin --retries: adds chunk c, given to the job, to the job's
 * temp file of them (made now if need be), so that a retry is given all
 * of them again: a job that read many chunks before it failed may have
 * done something with each.  head: c is the job's first chunk.
 */
static void rr_keep(struct sched *s, struct job *job, const struct chunk *c,
		    bool head)
{
	if (!s->rr_replay) {
		return;
	}
	if (job->replay_fd < 0) {
		int fd = spool_tmpfile(s->cfg->tmpdir);
		if (fd < 0) {
			fail(s, xasprintf("cannot create a temp file in %s: %s",
					  s->cfg->tmpdir, strerror(-fd)));
			return;
		}
		job->replay_fd = fd;
	}
	int r = chunk_append(c, job->replay_fd, head);
	if (r < 0) {
		fail(s, xasprintf("cannot write a temp file in %s: %s",
				  s->cfg->tmpdir, strerror(-r)));
		return;
	}
	job->replay_len += head ? chunk_size(c) : c->body_len;
}

/* --round-robin: the job ended, and waits for nothing any more. */
static void rr_forget(struct sched *s, const struct job *job)
{
	for (size_t i = 0; i < s->n_rr_idle; i++) {
		if (s->rr_idle[i] == job) {
			memmove(s->rr_idle + i, s->rr_idle + i + 1,
				(--s->n_rr_idle - i) * sizeof(*s->rr_idle));
			return;
		}
	}
}

/*
 * --round-robin: the job the next chunk goes to, if it waits for one.
 * Without -k, the job that has waited longest.  With -k, chunk i goes to
 * job (i - 1) mod n + 1 (n: the jobs still fed), as in GNU parallel, so
 * that the output is the same from run to run: once all n jobs run, the
 * next one by seq after the last one fed, even if it is slower to take
 * its chunk than the others.
 */
static struct job *rr_pick(struct sched *s)
{
	if (s->n_rr_idle == 0) {
		return NULL;
	}
	if (!s->opts->keep_order) {
		return s->rr_idle[0];
	}
	if (s->next_seq < (uint64_t)s->max_jobs && !s->chunks_done &&
	    !s->stopping) {
		return NULL; /* the next chunk starts a job of its own */
	}
	struct job *next = NULL, *first = NULL;
	for (struct job *j = s->oldest; j; j = j->rnext) {
		if (!j->feed) {
			continue;
		}
		if (!first || j->seq < first->seq) {
			first = j;
		}
		if (j->seq > s->rr_last && (!next || j->seq < next->seq)) {
			next = j;
		}
	}
	if (!next) {
		next = first;
	}
	for (size_t i = 0; i < s->n_rr_idle; i++) {
		if (s->rr_idle[i] == next) {
			return next;
		}
	}
	return NULL;
}

/*
 * --round-robin: gives chunks to the running jobs that wait for one, as
 * long as there are chunks; --tee: each chunk to all of them, once all
 * wait.  Once the chunks are over, their stdin closes.
 */
static void rr_dispatch(struct sched *s)
{
	bool all = s->opts->tee || s->cfg->split;
	while (all && s->n_rr_idle > 0 && all_idle(s) && rr_take(s)) {
		if (s->cfg->split) {
			split_out(s);
		} else {
			for (size_t i = 0; i < s->n_rr_idle; i++) {
				chunk_feed_more(s->rr_idle[i]->feed,
						s->rr_next);
			}
		}
		s->n_rr_idle = 0;
		chunk_release(s->rr_next);
		s->rr_next = NULL;
	}
	struct job *job;
	while (!all && (job = rr_pick(s)) && rr_take(s)) {
		rr_forget(s, job);
		s->rr_last = job->seq;
		rr_keep(s, job, s->rr_next, false);
		chunk_feed_more(job->feed, s->rr_next);
		chunk_release(s->rr_next);
		s->rr_next = NULL;
	}
	if ((s->chunks_done || s->stopping) && !s->rr_next) {
		while (s->n_rr_idle > 0) {
			job = s->rr_idle[--s->n_rr_idle];
			job->sent = chunk_feed_stop(job->feed);
			job->feed = NULL;
		}
	}
}

/* --tee: a job for each argument, all running at once (GNU parallel). */
static int tee_check(struct sched *s, char **cause)
{
	if (input_total(s->input) > (uint64_t)s->cfg->max_jobs) {
		*cause = xasprintf("--tee requires --jobs to be higher. Try "
				   "--jobs 0.");
		return -1;
	}
	return 0;
}

/*
 * --round-robin: a job wrote its chunk and waits for the next, or stopped
 * reading (no feed): then the chunks go to the others.
 */
static void on_rr_fed(void *data, struct job *job)
{
	struct sched *s = data;

	if (!job->feed) {
		rr_dispatch(s);
		return;
	}

	s->rr_idle = xreallocarray(s->rr_idle, s->n_rr_idle + 1,
				   sizeof(*s->rr_idle));
	s->rr_idle[s->n_rr_idle++] = job;
	if (s->opts->keep_order) {
		/* -k: the next chunk may be for a job not started yet. */
		fill(s);
	} else {
		rr_dispatch(s);
	}
}

/* New input came: jobs to start, and --pipe chunks to hand out. */
static void on_new_input(struct sched *s)
{
	fill(s);
	rr_dispatch(s);
	maybe_finish(s);
}

static void on_input(void *data)
{
	struct sched *s = data;

	s->input_waiting = false;
	on_new_input(s);
}

/* --pipe: a read of stdin is done. */
static void on_chunks(void *data)
{
	struct sched *s = data;

	s->chunks_waiting = false;
	on_new_input(s);
}

static void on_killer_idle(void *data)
{
	struct sched *s = data;

	/*
	 * A reaped job is not running any more, but not yet handed on:
	 * on_sigchld() looks again once it is.
	 */
	if (!s->reaping) {
		maybe_finish(s);
	}
}

static void print_header(struct sched *s, struct job *job)
{
	struct buf b;

	buf_init(&b);
	job_command(s->spawner, job, &b);
	for (long i = 0; i < s->opts->shell_quote; i++) {
		/* --shell-quote: the command quoted, once per time given. */
		struct buf q;
		buf_init(&q);
		quote_append(&q, b.data ? b.data : "", b.len);
		buf_finish(&b);
		b = q;
	}
	buf_addc(&b, '\n');
	job->header_stderr = s->opts->trace && !s->opts->verbose &&
			     !s->opts->dry_run;
	if (s->opts->trace && s->opts->dry_run) {
		/* GNU parallel shows a dry run's command on both. */
		ssize_t r = write(STDERR_FILENO, b.data, b.len);
		(void)r;
		s->said++;
	}
	if (job->tag && !job->header_stderr) {
		/* On stdout the command is output: each line is tagged. */
		struct buf tag, tagged;
		bool bol = true;
		buf_init(&tag);
		buf_add(&tag, job->tag, job->tag_len);
		buf_addc(&tag, '\t');
		buf_init(&tagged);
		lines_tag(&tagged, tag.data, tag.len, b.data, b.len, &bol);
		buf_finish(&tag);
		buf_finish(&b);
		b = tagged;
	}
	job->header_len = b.len;
	job->header = buf_steal(&b);
}

/* Passes on a job that is not run (--dry-run, --resume) in its turn. */
static void skip_job(struct sched *s, struct job *job)
{
	free_slot(s, job);
	s->done++;
	if (s->results) {
		results_skip(s->results, job->order);
	}
	output_add(s->output, job);
}

/* True if --resume or --resume-failed says this job is done already. */
static bool already_done(const struct sched *s, uint64_t seq)
{
	const struct sched_config *c = s->cfg;
	size_t lo = 0, hi = c->n_skip;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->skip[mid] < seq) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo < c->n_skip && c->skip[lo] == seq;
}

/*
 * {host}, {sshlogin} and {slot} stand for a variable of the job's shell
 * (--plus); a tag is not read by a shell, so the values go in here.
 */
static void expand_host(struct buf *b, const struct job *job)
{
	char slot[32];
	snprintf(slot, sizeof(slot), "%u", job->slot);
	const char *host = job->host ? remote_host(job->host) : ":";
	const char *login = job->host ? remote_login(job->host) : ":";
	const char *const vars[][2] = {
		{"${PARALLEL_SSHHOST}", host},
		{"${PARALLEL_SSHLOGIN}", login},
		{"${PARALLEL_JOBSLOT}", slot},
	};

	if (!b->data || !memchr(b->data, '$', b->len)) {
		return;
	}
	struct buf out;
	buf_init(&out);
	for (size_t i = 0; i < b->len;) {
		size_t k = 0;
		while (k < 3 && strncmp(b->data + i, vars[k][0],
					strlen(vars[k][0])) != 0) {
			k++;
		}
		if (k < 3) {
			buf_adds(&out, vars[k][1]);
			i += strlen(vars[k][0]);
		} else {
			buf_addc(&out, b->data[i++]);
		}
	}
	buf_finish(b);
	*b = out;
}

static void render_tag(struct sched *s, struct job *job)
{
	struct buf b;

	buf_init(&b);
	if (job->host && (s->opts->onall || s->opts->nonall) &&
	    !s->opts->tagstring) {
		/* GNU parallel tags these with the sshlogin. */
		buf_adds(&b, remote_login(job->host));
	} else {
		job_render(s->spawner, s->cfg->tag, job, &b);
		expand_host(&b, job);
	}
	job->tag_len = b.len;
	job->tag = buf_steal(&b);
}

/* --interactive: whether the user wants the job run. */
static bool ask(struct sched *s, struct job *job)
{
	struct buf b;
	char *cause = NULL;
	bool yes = false;

	buf_init(&b);
	job_command(s->spawner, job, &b);
	if (prompt_ask(b.data, &yes, &cause) < 0) {
		fail(s, cause);
	}
	buf_finish(&b);
	return yes;
}

/* Starts one job.  Returns false if it must wait for resources. */
static bool start(struct sched *s, struct job *job)
{
	char *cause = NULL;

	job->slot = slot_take(&s->slots);
	if (job->attempt == 0) {
		job->attempt = 1;
	}
	if ((s->cfg->n_skip && already_done(s, job->seq)) ||
	    (s->opts->resume && s->results &&
	     results_exist(s->results, job))) {
		skip_job(s, job);
		return true;
	}
	if (s->cfg->perl) {
		/*
		 * Every text made per job may hold expressions.  skip() or
		 * --filter: the job is passed over, as not run.
		 */
		size_t n_ts = 3 + 2 * s->cfg->n_tmpls + s->cfg->n_sends +
			      s->cfg->n_returns;
		const struct template **ts = xcalloc(n_ts, sizeof(*ts));
		ts[0] = s->cfg->tag;
		ts[1] = s->cfg->results;
		ts[2] = s->cfg->workdir;
		for (size_t i = 0; i < s->cfg->n_tmpls; i++) {
			ts[3 + 2 * i] = s->cfg->tmpl_names[i];
			ts[4 + 2 * i] = s->cfg->tmpl_texts[i];
		}
		size_t k = 3 + 2 * s->cfg->n_tmpls;
		for (size_t i = 0; i < s->cfg->n_sends; i++) {
			ts[k++] = s->cfg->sends[i];
		}
		for (size_t i = 0; i < s->cfg->n_returns; i++) {
			ts[k++] = s->cfg->returns[i];
		}
		int r = job_prepare(s->spawner, job, ts, n_ts,
				    (const struct template *const *)
				    s->cfg->filters, s->cfg->n_filters,
				    &cause);
		free(ts);
		if (r < 0) {
			fail(s, cause);
			free_slot(s, job);
			results_skip(s->results, job->order);
			job_destroy(job);
			return true;
		}
		if (r > 0) {
			skip_job(s, job);
			return true;
		}
	}
	if (s->cfg->tag) {
		render_tag(s, job);
	}
	if (s->opts->dry_run || s->opts->verbose ||
	    (s->opts->trace && !s->opts->interactive)) {
		print_header(s, job);
	}
	if (s->opts->dry_run) {
		skip_job(s, job);
		return true;
	}
	if (s->opts->interactive && !ask(s, job)) {
		skip_job(s, job);
		return true;
	}
	int r = job_spawn(s->spawner, job, &cause);
	if (r == -EAGAIN) {
		free_slot(s, job);
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
		free_slot(s, job);
		results_skip(s->results, job->order);
		job_destroy(job);
		return true;
	}
	if (r < 0) {
		/* It cannot run at all: it fails as a shell would say. */
		warn("%s", cause);
		free(cause);
		free_slot(s, job);
		job->status = (r == -ENOENT ? 127 : 126) << 8;
		job->exited = true;
		finish_job(s, job);
		return true;
	}
	s->started++;
	if (job->replay_fd < 0 && job->chunk) {
		/* A retry has its chunks kept already. */
		rr_keep(s, job, job->chunk, true);
	}
	running_add(s, job);
	show_progress(s, job);
	if (s->results) {
		/* -t's command shows now; the output goes to the results. */
		if (job->header_stderr) {
			ssize_t w = write(STDERR_FILENO, job->header,
					  job->header_len);
			(void)w;
			s->said++;
		}
	} else if ((s->opts->retries <= 1 && !s->cfg->hosts) ||
		   output_reads_pipes(s->output)) {
		/*
		 * Under -k the oldest job's output streams live, unless it
		 * may be retried: only the last try's output is shown.
		 */
		output_start(s->output, job);
	}
	if (s->opts->delay > 0) {
		s->next_start_ns = now_ns() + (uint64_t)(s->opts->delay * 1e9);
	}
	return true;
}

static void on_retry(uv_timer_t *t)
{
	fill(t->data);
	maybe_finish(t->data);
}

/* MemAvailable in bytes, from /proc/meminfo; 0 if unknown. */
static unsigned long long mem_available(void)
{
	/*
	 * A test hook, not a user setting: the tests put a file of their
	 * own here to play out a lack of memory.
	 */
	const char *path = getenv("PRUN_TEST_MEMINFO");
	FILE *f = fopen(path ? path : "/proc/meminfo", "re");
	char line[256];
	unsigned long long kb = 0;

	if (!f) {
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
			break;
		}
	}
	fclose(f);
	return kb * 1024;
}

/*
 * --limit CMD: runs CMD with the shell and waits for it.  Returns GNU
 * parallel's verdict: 0 (below the limit: start jobs, also if CMD could
 * not run at all), 2 (far over it: evict the youngest job), or 1 (over it:
 * start none) for any other status.
 */
static int limit_status(struct sched *s)
{
	extern char **environ;
	const char *shell = template_shell(s->cfg->tmpl);
	char *argv[] = {(char *)shell, "-c", s->opts->limit, NULL};
	pid_t pid;
	int status;

	if (posix_spawn(&pid, shell, NULL, NULL, argv, environ) != 0) {
		return 0;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (!WIFEXITED(status)) {
		return 1;
	}
	return WEXITSTATUS(status) <= 2 ? WEXITSTATUS(status) : 1;
}

/*
 * Kills the youngest running job that is not already being killed, as
 * GNU parallel does when --limit says 2; it fails (Exitval -1), and runs
 * again if --retries allows.
 */
static void evict_youngest(struct sched *s)
{
	for (struct job *j = s->newest; j; j = j->rprev) {
		if (!j->killing) {
			j->evicted = true;
			term_seq(s, j, 0);
			return;
		}
	}
}

/*
 * --memsuspend SIZE, GNU parallel's rule: below twice SIZE of free memory
 * only the oldest jobs go on, 1 + 1 / (2 - free / SIZE) of them rounded
 * down (so at least one: the run always moves on), and the younger ones
 * are stopped; above it, one stopped job goes on at each look.
 */
static void suspend_young(struct sched *s)
{
	double limit = (double)s->opts->memsuspend;
	double avail = (double)mem_available();

	if (avail <= 0) {
		return; /* unknown: leave the jobs as they are */
	}
	if (avail >= 2 * limit) {
		for (struct job *j = s->oldest; j; j = j->rnext) {
			if (j->suspended) {
				resume(j);
				return;
			}
		}
		return;
	}
	double keep = 1 + floor(1 / (2 - avail / limit));
	double i = 0;
	for (struct job *j = s->oldest; j; j = j->rnext, i++) {
		if (i < keep || j->killing) {
			resume(j);
		} else if (!j->suspended) {
			job_signal(j, SIGSTOP);
			j->suspended = true;
		}
	}
}

/*
 * --noswap: the pages swapped in and out so far (/proc/vmstat's pswpin
 * and pswpout).  Returns 0, or -1 if they cannot be read.
 */
static int read_swap(unsigned long long *in, unsigned long long *out)
{
	/* A test hook, as for mem_available(). */
	const char *path = getenv("PRUN_TEST_VMSTAT");
	FILE *f = fopen(path ? path : "/proc/vmstat", "re");
	char line[256];
	int found = 0;

	if (!f) {
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		found += sscanf(line, "pswpin %llu", in) == 1;
		found += sscanf(line, "pswpout %llu", out) == 1;
	}
	fclose(f);
	return found == 2 ? 0 : -1;
}

/*
 * --noswap, GNU parallel's rule: the machine is swapping if it swapped
 * both in and out since the last look.  Not known until a second look.
 */
static void look_at_swap(struct sched *s)
{
	unsigned long long in, out;

	if (read_swap(&in, &out) < 0) {
		s->swapping = 0; /* no swap to speak of */
		return;
	}
	if (s->swap_read) {
		s->swapping = in > s->swap_in && out > s->swap_out;
	}
	s->swap_read = true;
	s->swap_in = in;
	s->swap_out = out;
}

/* Looks at the machine every WATCH_MS: --limit, --memsuspend, --noswap. */
static void on_watch(uv_timer_t *t)
{
	struct sched *s = t->data;

	if (s->opts->noswap) {
		bool was = s->swapping != 0;
		look_at_swap(s);
		if (was && !s->swapping) {
			fill(s);
			maybe_finish(s);
		}
	}
	if (s->closing || s->running.n == 0) {
		return;
	}
	if (s->opts->memsuspend > 0) {
		suspend_young(s);
	}
	if (s->opts->limit && !s->stopping && limit_status(s) == 2) {
		evict_youngest(s);
	}
}

/*
 * Whether a job may start now (--delay, --load, --memfree, --limit); if
 * not, the retry timer is armed for the next look.
 */
static bool may_start(struct sched *s)
{
	const struct options *o = s->opts;
	uint64_t now = now_ns();

	if (o->delay > 0 && now < s->next_start_ns) {
		uint64_t ms = (s->next_start_ns - now + 999999) / 1000000;
		uv_timer_start(&s->retry_timer, on_retry, ms, 0);
		return false;
	}
	if (o->noswap && s->swapping != 0) {
		uv_timer_start(&s->retry_timer, on_retry, 1000, 0);
		return false;
	}
	double load[1];
	if (s->cfg->max_load > 0 && getloadavg(load, 1) == 1 &&
	    load[0] >= s->cfg->max_load) {
		uv_timer_start(&s->retry_timer, on_retry, 1000, 0);
		return false;
	}
	/*
	 * --memsuspend holds new jobs back too, but not the first: GNU
	 * parallel would wait for ever for memory that may never come.
	 */
	unsigned long long need = o->memfree;
	if (s->running.n > 0) {
		need += o->memsuspend;
	}
	if (need > 0 && mem_available() < need) {
		uv_timer_start(&s->retry_timer, on_retry, 1000, 0);
		return false;
	}
	if (o->limit && limit_status(s) != 0) {
		uv_timer_start(&s->retry_timer, on_retry, LIMIT_RETRY_MS, 0);
		return false;
	}
	return true;
}

/* --pipe: a job for the next chunk. */
static struct job *next_piped_job(struct sched *s)
{
	struct chunk *c;
	char *cause = NULL;

	if (s->cfg->split) {
		/* --shard, --bin: -j jobs, fed once they all run. */
		if (s->next_seq >= (uint64_t)s->max_jobs) {
			if (s->opts->dry_run) {
				/* No job reads: the input is not read. */
				s->input_done = true;
				s->chunks_done = true;
			}
			return NULL;
		}
		uint64_t order = ++s->next_seq;
		struct job *job = job_create_piped(order, chunk_empty());
		job->order = order;
		return job;
	}
	if (s->chunks_waiting) {
		return NULL;
	}
	int r = chunk_next(s->chunks, &c, &cause);
	if (r == CHUNK_WAIT) {
		s->chunks_waiting = true;
		return NULL;
	}
	if (r == CHUNK_END || r == CHUNK_ERROR) {
		s->input_done = true;
		s->chunks_done = true;
		if (r == CHUNK_ERROR) {
			fail(s, cause);
		}
		return NULL;
	}
	if ((s->opts->cat && chunk_to_file(c, s->cfg->tmpdir, &cause) < 0) ||
	    (s->opts->fifo && chunk_to_fifo(c, s->cfg->tmpdir, &cause) < 0)) {
		chunk_release(c);
		s->input_done = true;
		fail(s, cause);
		return NULL;
	}
	uint64_t order = ++s->next_seq;
	struct job *job = job_create_piped(order, c);
	job->order = order;
	s->rr_last = order;
	return job;
}

/*
 * --hostgroups: an argument "value@a+b" is "value", for the hosts of
 * group a or b (GNU parallel's rule: the last "@" of a value).
 */
static void take_groups(struct job *job)
{
	struct buf groups;
	struct record *own = NULL;

	buf_init(&groups);
	for (size_t i = 0; i < job->rec->n; i++) {
		struct value *v = &job->rec->v[i];
		const char *at = v->len ? memrchr(v->s, '@', v->len) : NULL;
		if (!at) {
			continue;
		}
		if (!own) {
			/* Values may be shared with other jobs: cut copies. */
			own = job_copy_args(job);
			free(job->rec);
			job->rec = own;
			v = &own->v[i];
			at = memrchr(v->s, '@', v->len);
		}
		if (groups.len) {
			buf_addc(&groups, '+');
		}
		buf_add(&groups, at + 1, (size_t)(v->s + v->len - at - 1));
		v->len = (size_t)(at - v->s);
		/* An argv made without a shell reads it to its NUL. */
		((char *)v->s)[v->len] = '\0';
	}
	job->groups = groups.len ? buf_steal(&groups) : NULL;
	buf_finish(&groups);
}

/*
 * --onall, --nonall: the job runs on every host, one job at a time on
 * each, the output host by host (as -k: the job for host h and argument
 * i is number h * N + i of the N arguments).  The copies for the other
 * hosts wait in the requeue, before the next argument is read.
 */
static void on_each_host(struct sched *s, struct job *job)
{
	uint64_t n = input_total(s->input);
	size_t hosts = remote_count(s->remote);
	uint64_t i = job->order;

	job->pin = 0;
	for (size_t h = 1; h < hosts; h++) {
		struct job *copy = job_create(job->seq, job_copy_args(job));
		copy->pin = (long)h;
		copy->order = (uint64_t)h * n + i;
		copy->next = NULL;
		if (s->requeue_tail) {
			s->requeue_tail->next = copy;
		} else {
			s->requeue = copy;
		}
		s->requeue_tail = copy;
	}
}

/* The next job to start: a requeued one first, else from the input. */
static struct job *next_job(struct sched *s)
{
	if (s->requeue) {
		struct job *job = s->requeue;
		s->requeue = job->next;
		if (!s->requeue) {
			s->requeue_tail = NULL;
		}
		return job;
	}
	if (s->input_done || s->input_waiting) {
		return NULL;
	}
	if (s->chunks && !s->opts->tee) {
		return next_piped_job(s);
	}
	struct record *rec;
	char *cause = NULL;
	int r = input_next(s->input, &rec, &cause);
	if (r == INPUT_WAIT) {
		s->input_waiting = true;
		return NULL;
	}
	if (r == INPUT_END) {
		s->input_done = true;
		return NULL;
	}
	if (r == INPUT_ERROR) {
		s->input_done = true;
		fail(s, cause);
		return NULL;
	}
	uint64_t order = ++s->next_seq;
	struct job *job = job_create(s->cfg->seqs ? s->cfg->seqs[order - 1]
						  : order, rec);
	job->order = order;
	if (s->chunks) {
		/* --tee: stdin is a pipe, fed once every job waits. */
		job->chunk = chunk_empty();
	}
	if (s->opts->hostgroups) {
		take_groups(job);
	}
	if (s->remote && (s->opts->onall || s->opts->nonall)) {
		on_each_host(s, job);
	}
	return job;
}

static void requeue_front(struct sched *s, struct job *job)
{
	job->next = s->requeue;
	s->requeue = job;
	if (!s->requeue_tail) {
		s->requeue_tail = job;
	}
}

/*
 * -j FILE: reads the file again if it changed since the last look (GNU
 * parallel looks after each job ends; so does fill()).  A value that is
 * bad for now leaves the limit as it was.
 */
static void reread_jobs_file(struct sched *s)
{
	struct stat st;
	char *cause = NULL;

	if (stat(s->cfg->jobs_file, &st) < 0 ||
	    (st.st_mtim.tv_sec == s->jobs_mtime.tv_sec &&
	     st.st_mtim.tv_nsec == s->jobs_mtime.tv_nsec &&
	     st.st_size == s->jobs_size)) {
		return;
	}
	s->jobs_mtime = st.st_mtim;
	s->jobs_size = st.st_size;
	long n = options_jobs(s->cfg->jobs_file, s->cfg->cores, &cause);
	if (n > 0) {
		s->max_jobs = n;
	}
	free(cause);
}

/*
 * Finds the job a host with a free slot: 1 if it has one; 0 if it has to
 * wait (put back first in line), or the run fails (no host is left); -1
 * if no host may run it any more (it failed, as when ssh cannot connect).
 */
static int place(struct sched *s, struct job *job)
{
	int r = remote_take(s->remote, job);

	if (r == -EAGAIN) {
		requeue_front(s, job);
		return 0;
	}
	if (r == 0) {
		return 1;
	}
	if (job->pin >= 0 || job->groups) {
		/* Its host (or group) is gone: as ssh's failure to connect. */
		warn("no host left for job %llu", (unsigned long long)job->seq);
		job->status = 255 << 8;
		job->exited = true;
		finish_job(s, job);
		return -1;
	}
	requeue_front(s, job);
	fail(s, xstrdup("no host is left to run jobs on"));
	return 0;
}

static void on_js_readable(uv_poll_t *h, int status, int events)
{
	fill(h->data);
}

/*
 * Whether one more job may run as far as the jobserver goes: the first
 * runs on prun's own slot, each further one on a token (GNU make's
 * rule).  If none is there, the pool is watched until one may be.
 */
static bool js_token(struct sched *s)
{
	if (jobserver_held(s->js) >= s->running.n || jobserver_take(s->js)) {
		return true;
	}
	s->js_wanted = true;
	if (!s->js_polling) {
		uv_poll_start(&s->js_poll, UV_READABLE, on_js_readable);
		s->js_polling = true;
	}
	return false;
}

/*
 * After fill_slots(): tokens beyond the running jobs' go back at once, and
 * the pool is watched only while a job waits for one (a client polling
 * with nothing to start would take tokens make needs).  With nothing
 * running, a pool of prun's own is made whole again: a job's client that
 * died holding tokens cannot shrink it.
 */
static void js_settle(struct sched *s)
{
	size_t need = s->running.n > 0 ? s->running.n - 1 : 0;

	while (jobserver_held(s->js) > need) {
		jobserver_give(s->js);
	}
	if (!s->js_wanted && s->js_polling) {
		uv_poll_stop(&s->js_poll);
		s->js_polling = false;
	}
	if (s->running.n == 0) {
		jobserver_refill(s->js);
	}
}

/* Starts jobs while there are free slots and input to fill them. */
static void fill_slots(struct sched *s)
{
	if (s->cfg->jobs_file) {
		reread_jobs_file(s);
	}
	if (s->remote) {
		remote_reread(s->remote);
	}
	while (!s->stopping && s->running.n < (size_t)s->max_jobs &&
	       output_pending(s->output) + results_pending(s->results) <
		       s->held_max) {
		if (!may_start(s)) {
			return;
		}
		struct job *job = next_job(s);
		if (!job) {
			return;
		}
		int placed = s->remote ? place(s, job) : 1;
		if (placed == 0) {
			return;
		}
		if (placed < 0) {
			continue;
		}
		if (s->js && !js_token(s)) {
			requeue_front(s, job);
			return;
		}
		if (!start(s, job)) {
			/* Out of processes or descriptors: wait a little. */
			requeue_front(s, job);
			if (s->running.n == 0) {
				uv_timer_start(&s->retry_timer, on_retry,
					       RETRY_MS, 0);
			}
			return;
		}
	}
}

/*
 * fill_slots(), then --round-robin's chunks to the jobs that wait: a job
 * that ended may have been the one the next chunk was for (-k), or
 * starting a job may have found the end of the input.
 */
static void fill(struct sched *s)
{
	s->js_wanted = false;
	fill_slots(s);
	if (s->js) {
		js_settle(s);
	}
	if (s->n_rr_idle > 0) {
		rr_dispatch(s);
	}
}

/*
 * A remote job that exited 255: its own status, or did ssh fail?  True if
 * the job is taken care of (run again, or to be finished once the host
 * answers).
 */
static bool lost_by_ssh(struct sched *s, struct job *job)
{
	if (!job->host || remote_is_local(job->host) || job->killing ||
	    !WIFEXITED(job->status) || WEXITSTATUS(job->status) != 255) {
		return false;
	}
	int r = remote_check(s->remote, job);
	if (r == 1 && !s->stopping) {
		run_again(s, job, job->attempt);
	}
	return r == 2 || (r == 1 && !s->stopping);
}

/* remote_check()'s answer: the job's own 255, or ssh's failure. */
static void on_checked(void *data, struct job *job, bool ran)
{
	struct sched *s = data;

	if (ran || s->stopping) {
		finish_job(s, job);
	} else {
		run_again(s, job, job->attempt);
	}
	if (!s->reaping) {
		fill(s);
		maybe_finish(s);
	}
}

/* Hosts came up (or went): start what can start. */
static void on_hosts(void *data)
{
	struct sched *s = data;

	if (!s->reaping && !s->closing) {
		fill(s);
		maybe_finish(s);
	}
}

/* Renders ts[0..n) for job: an owned array of owned strings. */
static char **render_all(struct sched *s, struct template *const *ts,
			 size_t n, const struct job *job)
{
	char **v = xcalloc(n + 1, sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		struct buf b;
		buf_init(&b);
		job_render(s->spawner, ts[i], job, &b);
		buf_addc(&b, '\0');
		v[i] = buf_steal(&b);
	}
	return v;
}

static void free_all(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i]);
	}
	free(v);
}

/*
 * The job's working directory on its host (GNU parallel's Job::workdir):
 * --wd ... a directory of its own under the login directory, --wd . the
 * login directory's counterpart of prun's, else --wd rendered and
 * cleaned; NULL for the login directory.  Owned.
 */
static char *remote_workdir(struct sched *s, const struct job *job)
{
	const char *wd = s->opts->workdir;

	if (!wd) {
		return NULL;
	}
	if (strcmp(wd, "...") == 0) {
		char host[256] = "localhost";
		gethostname(host, sizeof(host) - 1);
		return xasprintf(".parallel/tmp/%s-%ld-%llu", host,
				 (long)getpid(), (unsigned long long)job->seq);
	}
	if (strcmp(wd, ".") == 0) {
		return s->cfg->remote_dot ? xstrdup(s->cfg->remote_dot) : NULL;
	}
	struct buf b;
	buf_init(&b);
	job_render(s->spawner, s->cfg->workdir, job, &b);
	buf_addc(&b, '\0');
	char *clean = transfer_workdir(b.data);
	buf_finish(&b);
	return clean;
}

/*
 * Where relative --basefile files go: the working directory of a job
 * without arguments, as GNU parallel's setup_basefile() takes it; NULL
 * for the login directory.  Owned.
 */
static char *base_workdir(struct sched *s)
{
	if (!s->opts->workdir || s->opts->n_basefiles == 0 ||
	    strcmp(s->opts->workdir, "...") == 0) {
		return NULL;
	}
	/* GNU parallel's dummy job: no arguments, seq 1. */
	struct job *job = job_create(1, xcalloc(1, sizeof(struct record)));
	char *wd = remote_workdir(s, job);
	job_destroy(job);
	return wd;
}

/* rsync's options: --rsync-opts, $PARALLEL_RSYNC_OPTS or GNU's default. */
static const char *rsync_opts(const struct options *o)
{
	const char *env = getenv("PARALLEL_RSYNC_OPTS");

	return o->rsync_opts ? o->rsync_opts
	       : env ? env : TRANSFER_RSYNC_OPTS;
}

/* job.c's hook: the ssh command line of a job on a remote host. */
static char *const *wrap_remote(void *data, const struct job *job,
				const char *cmd, bool *hold)
{
	struct sched *s = data;
	const struct sched_config *c = s->cfg;

	if (remote_is_local(job->host)) {
		return NULL;
	}
	if (c->slurm_cpus || (!s->opts->workdir && c->n_sends == 0 &&
			      c->n_returns == 0)) {
		/* A Slurm step: no files to move, its workdir is here. */
		return remote_argv(s->remote, job, cmd, NULL, hold);
	}
	struct remote_files f = {
		.workdir = remote_workdir(s, job),
		.unique = s->opts->workdir &&
			  strcmp(s->opts->workdir, "...") == 0,
		.send = render_all(s, c->sends, c->n_sends, job),
		.n_send = c->n_sends,
		.ret = render_all(s, c->returns, c->n_returns, job),
		.n_ret = c->n_returns,
		.cleanup = c->cleanup,
	};
	char *const *argv = remote_argv(s->remote, job, cmd, &f, hold);
	free((char *)f.workdir);
	free_all((char **)f.send, f.n_send);
	free_all((char **)f.ret, f.n_ret);
	return argv;
}

/*
 * Reaps every exited child: jobs are finished, other children (a
 * ControlMaster, a spool's compressor, an orphan of some job, or a child
 * the program that exec'd prun left) are only reaped.
 */
static void reap_children(struct sched *s)
{
	s->reaping = true;
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
			killer_leader_exited(s->killer, job);
		}
		int status;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
		}
		if (!job) {
			/*
			 * A ControlMaster, a spool's compressor, or an orphan
			 * of some job.
			 */
			if (!s->remote || !remote_reaped(s->remote, pid,
							 status)) {
				spool_reaped(pid, status);
			}
			continue;
		}
		job->status = status;
		job->exited = true;
		job->end_ns = now_ns();
		killer_leader_reaped(s->killer, job);
		rr_forget(s, job);
		spawner_exited(s->spawner, job);
		running_remove(s, job);
		free_slot(s, job);
		if (lost_by_ssh(s, job)) {
			continue;
		}
		finish_job(s, job);
	}
	s->reaping = false;
}

static void on_sigchld(uv_signal_t *h, int sig)
{
	struct sched *s = h->data;

	reap_children(s);
	arm_timeout(s);
	fill(s);
	maybe_finish(s);
}

static void list_job(struct sched *s, struct job *job, int unused)
{
	struct buf b;

	buf_init(&b);
	job_command(s->spawner, job, &b);
	warn("running job %llu (pid %d, %.1f s): %s",
	     (unsigned long long)job->seq, (int)job->pid,
	     (double)(now_ns() - job->start_ns) / 1e9, b.data);
	buf_finish(&b);
}

/*
 * Signals sent to prun.  INT: the first passes SIGINT on to every job's
 * group, the second runs the term sequence, the third kills.  TERM: the
 * term sequence.  HUP: start no more jobs, let the running ones finish.
 * In each case prun dies of the same signal once its jobs are gone.
 * TSTP and CONT are passed on (and prun stops itself); USR1 lists the
 * running jobs.
 */
static void on_signal(uv_signal_t *h, int sig)
{
	struct sched *s = h->data;

	switch (sig) {
	case SIGUSR1:
		each_running(s, list_job, 0);
		return;
	case SIGTSTP:
		each_running(s, send_signal, SIGTSTP);
		raise(SIGSTOP);
		return;
	case SIGCONT:
		each_running(s, send_signal, SIGCONT);
		/* --memsuspend stops them again at its next look if need be. */
		for (struct job *j = s->oldest; j; j = j->rnext) {
			j->suspended = false;
		}
		return;
	case SIGHUP:
		s->die_signal = sig;
		stop(s);
		break;
	case SIGTERM:
		s->die_signal = sig;
		stop(s);
		each_running(s, term_seq, 0);
		break;
	case SIGINT:
		s->die_signal = sig;
		stop(s);
		if (++s->interrupts == 1) {
			each_running(s, send_signal, SIGINT);
		} else {
			each_running(s, term_seq, s->interrupts > 2);
		}
		break;
	}
	maybe_finish(s);
}

static void close_all(struct sched *s)
{
	s->closing = true;
	uv_close((uv_handle_t *)&s->sigchld, NULL);
	for (size_t i = 0; i < sizeof(s->sig) / sizeof(s->sig[0]); i++) {
		uv_close((uv_handle_t *)&s->sig[i], NULL);
	}
	uv_close((uv_handle_t *)&s->retry_timer, NULL);
	uv_close((uv_handle_t *)&s->timeout_timer, NULL);
	uv_close((uv_handle_t *)&s->watch_timer, NULL);
	if (s->js) {
		uv_close((uv_handle_t *)&s->js_poll, NULL);
	}
	killer_close(s->killer);
	remote_close(s->remote);
	output_close(s->output);
	progress_close(s->progress);
	/* Do not wait for a read of input that is no longer wanted. */
	uv_stop(&s->loop);
}

/*
 * Ends the loop once nothing runs, nothing of a job is left alive, and
 * all output is written.
 */
static void maybe_finish(struct sched *s)
{
	if (s->closing || s->running.n > 0 || s->requeue ||
	    output_pending(s->output) > 0 || killer_busy(s->killer) ||
	    (s->remote && remote_busy(s->remote))) {
		return;
	}
	if (!s->stopping && !s->input_done) {
		return;
	}
	if (results_pending(s->results) > 0) {
		/* Every job is in: -k has nothing more to wait for. */
		results_flush(s->results);
		return;
	}
	close_all(s);
}

/* GNU parallel's exit status for the run. */
static int exit_status(const struct sched *s)
{
	const struct halt *h = &s->opts->halt;

	if (s->error) {
		return 255;
	}
	if (s->halted) {
		return s->halt_status;
	}
	if (h->when != HALT_NEVER && h->pct > 0) {
		uint64_t base = s->started ? s->started : 1;
		return (int)ceil((double)s->failed / (double)base * 100);
	}
	return s->failed > 100 ? 101 : (int)s->failed;
}

/* Sets up --results, once the input has read --header's names. */
static int open_results(struct sched *s, char *const *names, size_t n_names,
			char **cause)
{
	const struct sched_config *cfg = s->cfg;
	struct results_config rc = {
		.path = cfg->opts->results,
		.tmpl = cfg->results,
		.spawner = s->spawner,
		.names = names,
		.n_names = n_names,
		.keep_order = cfg->opts->keep_order,
	};
	struct results_callbacks rcb = {
		.recorded = on_written,
		.failed = on_results_failed,
		.data = s,
	};
	if (cfg->results) {
		template_bind_names(cfg->results, names, n_names);
	}
	return results_create(&s->results, &s->loop, &rc, &rcb, cause);
}

struct sched_result sched_run(const struct sched_config *cfg)
{
	static const int sigs[6] = {SIGINT, SIGTERM, SIGHUP, SIGTSTP,
				    SIGCONT, SIGUSR1};
	struct sched s;
	struct sched_result res = {0, 0, false};
	char *cause = NULL;

	memset(&s, 0, sizeof(s));
	s.cfg = cfg;
	s.opts = cfg->opts;
	uv_loop_init(&s.loop);

	/*
	 * Under --results nothing of the jobs is printed (GNU parallel's
	 * way): they write to spool files, whatever the output mode.
	 */
	bool results = cfg->opts->results != NULL;
	struct output_config oc = {
		.mode = results ? OUTPUT_GROUP : cfg->opts->output,
		.keep_order = cfg->opts->keep_order && !results,
		.files = cfg->opts->files,
		.tag = cfg->tag != NULL,
		.color = cfg->opts->color,
		.color_failed = cfg->opts->color_failed,
		.latest = cfg->opts->latest_line && !results,
		.tmpdir = cfg->tmpdir,
		.compress = cfg->zip != NULL,
	};
	struct output_callbacks ocb = {
		.written = on_written,
		.failed = on_output_failed,
		.lost = on_output_lost,
		.heavy = on_output_heavy,
		.data = &s,
	};
	struct spawner_config sc = {
		.tmpl = cfg->tmpl,
		.io = output_job_io(&oc),
		/*
		 * Pipes need output_start() for every job; the results and
		 * the tries before the last one take files.
		 */
		.capture = !results && cfg->opts->retries <= 1 && !cfg->hosts,
		.tmpdir = cfg->tmpdir,
		.perl = cfg->perl,
		.tty = cfg->opts->tty || cfg->opts->open_tty,
		.loop = &s.loop,
		.round_robin = cfg->opts->round_robin || cfg->opts->tee ||
			       cfg->split,
		.fed = on_rr_fed,
		.fed_data = &s,
		.tmux = cfg->opts->tmux,
		.tmuxpane = cfg->opts->tmuxpane,
		.slot_var = cfg->opts->process_slot_var,
		.workdir = cfg->workdir,
		.tmpl_names = cfg->tmpl_names,
		.tmpl_texts = cfg->tmpl_texts,
		.n_tmpls = cfg->n_tmpls,
		.workdir_unique = cfg->opts->workdir &&
				  strcmp(cfg->opts->workdir, "...") == 0,
		.wrap = wrap_remote,
		.wrap_data = &s,
		.wrap_here = cfg->slurm_cpus > 0,
		.env_prefix = cfg->env_prefix,
		.makeflags = cfg->makeflags,
	};
	s.js = cfg->jobserver;
	if (s.js) {
		jobserver_child(s.js, s.js_fds, &sc.makeflags);
		sc.js_fds = s.js_fds[0] >= 0 ? s.js_fds : NULL;
	}
	spool_set_compress(cfg->zip, cfg->unzip);
	if (output_create(&s.output, &s.loop, &oc, &ocb, &cause) < 0) {
		warn("%s", cause);
		free(cause);
		uv_loop_close(&s.loop);
		res.status = 255;
		return res;
	}
	size_t n_names = 0;
	char *const *names = NULL;
	if (spawner_create(&s.spawner, &sc, &cause) < 0 ||
	    (cfg->chunks &&
	     chunk_reader_create(&s.chunks, cfg->chunks, &s.loop, on_chunks,
				 &s, &cause) < 0) ||
	    ((!cfg->chunks || cfg->opts->tee) &&
	     input_create(&s.input, cfg->input, &s.loop, on_input, &s,
			  &cause) < 0) ||
	    (cfg->opts->tee && tee_check(&s, &cause) < 0) ||
	    (cfg->opts->joblog &&
	     joblog_open(&s.joblog, cfg->opts->joblog,
			 cfg->opts->joblog_append, &cause) < 0) ||
	    (names = input_names(s.input, &n_names),
	     results && open_results(&s, names, n_names, &cause) < 0)) {
		warn("%s", cause);
		free(cause);
		joblog_close(s.joblog);
		input_destroy(s.input);
		chunk_reader_destroy(s.chunks);
		spawner_destroy(s.spawner);
		output_close(s.output);
		uv_run(&s.loop, UV_RUN_NOWAIT);
		output_destroy(s.output);
		uv_loop_close(&s.loop);
		res.status = 255;
		return res;
	}
	template_bind_names(cfg->tmpl, names, n_names);
	if (cfg->tag) {
		template_bind_names(cfg->tag, names, n_names);
	}
	/* --header's names stand for columns in every text made per job. */
	if (cfg->workdir) {
		template_bind_names(cfg->workdir, names, n_names);
	}
	for (size_t i = 0; i < cfg->n_tmpls; i++) {
		template_bind_names(cfg->tmpl_names[i], names, n_names);
		template_bind_names(cfg->tmpl_texts[i], names, n_names);
	}
	for (size_t i = 0; i < cfg->n_filters; i++) {
		template_bind_names(cfg->filters[i], names, n_names);
	}
	for (size_t i = 0; i < cfg->n_sends; i++) {
		template_bind_names(cfg->sends[i], names, n_names);
	}
	for (size_t i = 0; i < cfg->n_returns; i++) {
		template_bind_names(cfg->returns[i], names, n_names);
	}
	spawner_set_total(s.spawner, cfg->opts->total_jobs
					     ? (uint64_t)cfg->opts->total_jobs
					     : input_total(s.input));
	struct progress_config pc = {
		.bar = cfg->opts->bar,
		.eta = cfg->opts->eta,
		.progress = cfg->opts->progress,
		.max_jobs = cfg->max_jobs,
		.cores = uv_available_parallelism(),
		.mark = progress_mark,
		.data = &s,
	};
	progress_create(&s.progress, &s.loop, &pc);

	killer_create(&s.killer, &s.loop, &cfg->opts->termseq,
		      on_killer_idle, &s);
	s.max_jobs = cfg->max_jobs;
	s.rr_replay = cfg->opts->round_robin && !cfg->opts->tee &&
		      !cfg->split && !cfg->opts->cat && !cfg->opts->fifo &&
		      cfg->opts->retries > 1;
	if (cfg->jobs_file) {
		reread_jobs_file(&s);
	}
	s.held_max = (size_t)cfg->max_jobs * 2;
	if (s.held_max < HELD_MIN) {
		s.held_max = HELD_MIN;
	} else if (s.held_max > HELD_MAX) {
		s.held_max = HELD_MAX;
	}
	/* Each holds its files open: no more than the descriptors allow. */
	if (s.held_max > cfg->held_fit) {
		s.held_max = cfg->held_fit > 0 ? cfg->held_fit : 1;
	}

	uv_signal_init(&s.loop, &s.sigchld);
	s.sigchld.data = &s;
	uv_signal_start(&s.sigchld, on_sigchld, SIGCHLD);
	/*
	 * Children that ended before (those of a shell that exec'd prun) sent
	 * no signal to the watcher: unreaped, they would hold places under
	 * `ulimit -u` for good.
	 */
	reap_children(&s);
	for (size_t i = 0; i < 6; i++) {
		uv_signal_init(&s.loop, &s.sig[i]);
		s.sig[i].data = &s;
		uv_signal_start(&s.sig[i], on_signal, sigs[i]);
	}
	uv_timer_init(&s.loop, &s.retry_timer);
	uv_timer_init(&s.loop, &s.timeout_timer);
	uv_timer_init(&s.loop, &s.watch_timer);
	s.retry_timer.data = s.timeout_timer.data = s.watch_timer.data = &s;
	if (s.js) {
		uv_poll_init(&s.loop, &s.js_poll, jobserver_fd(s.js));
		s.js_poll.data = &s;
	}
	if (cfg->opts->noswap) {
		s.swapping = -1;
		look_at_swap(&s);
	}
	if (cfg->opts->limit || cfg->opts->memsuspend > 0 ||
	    cfg->opts->noswap) {
		uv_timer_start(&s.watch_timer, on_watch,
			       cfg->opts->noswap ? WATCH_FIRST_MS : WATCH_MS,
			       WATCH_MS);
	}

	char *base_wd = NULL;
	if (cfg->hosts && !cfg->opts->dry_run) {
		base_wd = base_workdir(&s);
		struct remote_config rc = {
			.loop = &s.loop,
			.hosts = cfg->hosts,
			.jobs = cfg->opts->jobs,
			.local_slots = cfg->max_jobs,
			.tmpdir = cfg->tmpdir,
			.termseq = &cfg->opts->termseq,
			.shell = template_shell(cfg->tmpl),
			.stdin_data = cfg->chunks != NULL,
			.ssh_delay = cfg->opts->ssh_delay,
			.filter_hosts = cfg->opts->filter_hosts,
			.env_script = cfg->env_script,
			.slf = cfg->opts->sshloginfiles,
			.n_slf = cfg->opts->n_sshloginfiles,
			.read_slf = cfg->read_slf,
			.slf_data = cfg->slf_data,
			.one_each = cfg->opts->onall || cfg->opts->nonall,
			.slurm_cpus = cfg->slurm_cpus,
			.slurm_mem_per_cpu = cfg->slurm_mem_per_cpu,
			.basefiles = cfg->opts->basefiles,
			.n_basefiles = cfg->opts->n_basefiles,
			.base_workdir = base_wd,
			.cleanup = cfg->cleanup,
			.rsync_opts = rsync_opts(cfg->opts),
			.ready = on_hosts,
			.checked = on_checked,
			.data = &s,
		};
		if (remote_create(&s.remote, &rc, &cause) < 0) {
			fail(&s, cause);
		}
		/* The hosts' slots are the limit. */
		s.max_jobs = JOBS_ANY;
	}
	fill(&s);
	maybe_finish(&s);
	uv_run(&s.loop, UV_RUN_DEFAULT);
	uv_run(&s.loop, UV_RUN_NOWAIT); /* the close callbacks */

	res.signal = s.die_signal;
	res.status = exit_status(&s);
	/*
	 * A read of stdin may still be under way on the thread pool (input
	 * that never ends); the loop cannot be closed then, and need not be.
	 * PRUN_DEBUG_LOOP_CLOSE=1, a check of the soak tests and no user
	 * setting, reports the outcome: 0 means every handle and request
	 * was closed (tests/soak/README.md).
	 */
	int closed = uv_loop_close(&s.loop);
	const char *dbg = getenv("PRUN_DEBUG_LOOP_CLOSE");
	if (dbg && strcmp(dbg, "1") == 0) {
		warn("loop closed: %s",
		     closed == 0 ? "0" : uv_err_name(closed));
	}
	if (closed == 0) {
		input_destroy(s.input);
		chunk_reader_destroy(s.chunks);
	} else {
		res.abandon = true;
	}
	drop_requeue(&s);
	chunk_release(s.rr_next);
	free(s.rr_idle);
	joblog_close(s.joblog);
	results_destroy(s.results);
	progress_destroy(s.progress);
	output_destroy(s.output);
	spool_end_helpers();
	spawner_destroy(s.spawner);
	remote_destroy(s.remote);
	free(base_wd);
	free(s.slots.heap);
	free(s.running.v);
	free(s.median.low);
	free(s.median.high);
	return res;
}
