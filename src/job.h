/*
 * One job's life: where its output goes (spool files or pipes), its spawn
 * as the leader of a new process group, signals to that group, and its
 * outcome.
 */
#ifndef PRUN_JOB_H
#define PRUN_JOB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "template.h"

struct chunk;
struct chunk_feed;
struct uv_loop_s;
struct files;
struct perl;
struct record;

struct job {
	uint64_t seq;         /* 1-based, in input order ({#}) */
	uint64_t order;       /* 1, 2, 3...: the place in the output (-k) */
	unsigned slot;        /* 1-based, PARALLEL_JOBSLOT */
	struct record *rec;   /* owned; the job's arguments */
	pid_t pid;            /* also the process group; 0 before spawn */
	int out_fd;           /* owned (by files, if set); stdout spool or
	                         pipe, -1 if none */
	int err_fd;           /* the same for stderr */
	bool piped;           /* out_fd and err_fd are pipes */
	bool own_files;       /* output: it writes spool files of its own */
	struct files *files;  /* owned; reusable spool files, or NULL */
	char *out_path;       /* owned; --files: the stdout file's name */
	char *workdir_rm;     /* owned; --wd ...: removed with the job */
	uint64_t start_ns;    /* monotonic */
	uint64_t end_ns;
	double start_wall;    /* seconds since the epoch, for the job log */
	unsigned attempt;     /* 1 for the first try (--retries) */
	bool timed_out;
	bool evicted;         /* killed to make room (--limit's status 2) */
	bool suspended;       /* stopped for lack of memory (--memsuspend) */
	bool killing;         /* the term sequence is under way */
	struct job *rprev;    /* the running jobs, oldest first (sched) */
	struct job *rnext;
	int status;           /* wait status, valid once exited */
	bool exited;          /* reaped: its pid may now be reused */
	uint64_t received;    /* bytes it wrote to stdout, once exited */
	bool log_written;     /* -k, --joblog -: logged once written */
	char *header;         /* owned; printed before its output (-v) */
	size_t header_len;
	bool header_stderr;   /* -t: the header goes to stderr */
	char *tag;            /* owned; --tag: starts each line, or NULL */
	size_t tag_len;
	struct ojob *output;  /* output.c's state of the job, owned there */
	struct perl_memo *memo; /* owned; its perl expressions' values */
	struct chunk *chunk;  /* a reference; --pipe: its stdin, or NULL */
	struct chunk_feed *feed; /* owned; feeding it the chunk, or NULL */
	struct spawner *spawner; /* that spawned it */
	uint64_t sent;        /* bytes of the chunk it was given */
	int replay_fd;        /* owned; --round-robin --retries: a temp
	                         file of every chunk it was given, for a
	                         retry to be given again; else -1 */
	uint64_t replay_len;  /* bytes in replay_fd */
	struct rhost *host;   /* remote.c's: where it runs; NULL: here */
	long pin;             /* --onall: the index of its host, or -1 */
	char *groups;         /* owned; --hostgroups: the host groups its
	                         arguments named ("a+b"), or NULL: any */
	int master;           /* the ControlMaster it goes through, or -1 */
	int hold_fd;          /* owned; the pipe its stdin is, kept open
	                         until it is reaped (remote jobs); or -1 */
	struct job *next;     /* the queue the job is on (sched or output) */
};

/* How jobs are spawned; set up once per run. */
struct spawner;

/* Where jobs' stdout and stderr go. */
enum job_io {
	JOB_IO_INHERIT,       /* prun's own (--ungroup) */
	JOB_IO_SPOOL,         /* unlinked temp files */
	JOB_IO_FILES,         /* stdout in a temp file that stays (--files) */
	JOB_IO_PIPE,          /* pipes that prun reads (--line-buffer) */
};

struct spawner_config {
	const struct template *tmpl;
	enum job_io io;
	/*
	 * JOB_IO_SPOOL: give jobs pipes, which the output reads into spools
	 * of its own, until spawner_use_files() (the job's own files cost a
	 * temp file each to start with, pipes almost nothing).
	 */
	bool capture;
	const char *tmpdir;   /* for spool files */
	struct perl *perl;    /* evaluates {= =}, or NULL if none is used */
	bool tty;             /* --tty, -o: stdin is the terminal */
	struct uv_loop_s *loop; /* runs the feeds of --pipe chunks */
	/* --round-robin: a job's feed stays open, and fed() is told when it
	   has written a chunk (chunk_feed_more() gives the next one), or
	   when the job stopped reading (job->feed is NULL then). */
	bool round_robin;
	void (*fed)(void *data, struct job *job);
	void *fed_data;
	bool tmux;            /* --tmux: each job in a tmux window */
	bool tmuxpane;        /* --tmuxpane: in a pane of window 0 */
	const char *slot_var; /* --process-slot-var: set to the slot - 1 */
	/* --workdir: jobs run in this directory, made if missing; NULL for
	   prun's own.  With workdir_unique, each job in a directory of its
	   own under $HOME/.parallel/tmp, removed after it (--wd ...). */
	const struct template *workdir;
	bool workdir_unique;
	/* --tmpl: before each job, text i rendered into the file name i. */
	struct template *const *tmpl_names;
	struct template *const *tmpl_texts;
	size_t n_tmpls;
	/*
	 * A job with a host (job->host) runs through wrap(): the argv that
	 * runs its command (shell text) there, the program being argv[0]
	 * looked up in PATH; *hold: its standard input is to be a pipe kept
	 * open, unwritten, until the job is reaped.
	 */
	char *const *(*wrap)(void *data, const struct job *job,
			     const char *cmd, bool *hold);
	void *wrap_data;
	/* The wrapped command starts here, in --workdir (made as for a job
	   of this machine's): Slurm's srun, whose step starts where it is. */
	bool wrap_here;
	/* $PARALLEL_ENV's shell text, run before each command; or NULL. */
	const char *env_prefix;
	/* MAKEFLAGS for jobs (the jobserver's), or NULL: the environment's. */
	const char *makeflags;
	/* The jobserver's pipe, given to jobs as their 3 and 4; or NULL. */
	const int *js_fds;
};

int spawner_create(struct spawner **out, const struct spawner_config *cfg,
		   char **cause);
void spawner_destroy(struct spawner *sp);

/*
 * From now on, JOB_IO_SPOOL jobs write into spool files themselves: jobs
 * print too much for a copy through prun to be cheap.
 */
void spawner_use_files(struct spawner *sp);

/* Sets the number of jobs in all, for {##}. */
void spawner_set_total(struct spawner *sp, uint64_t total);

/*
 * Takes back a job whose output is written: its spool files serve later
 * jobs if nothing of this one can still write there, else they are closed.
 */
void spawner_reclaim(struct spawner *sp, struct job *job);

/* Allocates a job for the given arguments (ownership of rec passes). */
struct job *job_create(uint64_t seq, struct record *rec);
/*
 * A --pipe job for chunk c (a reference passes): its one value is empty,
 * or with --cat the name of the temp file that holds the chunk.
 */
struct job *job_create_piped(uint64_t seq, struct chunk *c);
void job_destroy(struct job *job);

/* The job's command line as a shell would run it, into b. */
void job_command(const struct spawner *sp, const struct job *job,
		 struct buf *b);
/* Another template (a --tagstring) rendered with the job's values. */
void job_render(const struct spawner *sp, const struct template *t,
		const struct job *job, struct buf *b);

/*
 * Evaluates the perl expressions of the job's templates (the command's and
 * each of ts) and the --filter strings (each of filters, rendered).
 * Returns 1 if the job is to be skipped (skip() or a false --filter), 0 to
 * run it, or -1 with *cause if perl failed.
 */
int job_prepare(struct spawner *sp, struct job *job,
		const struct template *const *ts, size_t n_ts,
		const struct template *const *filters, size_t n_filters,
		char **cause);

/*
 * Starts the job.  Returns 0; -EAGAIN if the system is out of processes
 * or descriptors for now (try again after another job ends); or another
 * -errno with a message in *cause, the job being unable to run at all.
 */
int job_spawn(struct spawner *sp, struct job *job, char **cause);

/*
 * Tells the spawner that the job's leader has exited: the feed of its
 * --pipe chunk stops, and under --tty the terminal goes back to the job
 * started before it that still runs, or to prun.
 */
void spawner_exited(struct spawner *sp, struct job *job);

/* Sends sig to the job's whole process group. */
void job_signal(const struct job *job, int sig);

/* The exit value as a shell reports it: status, or 128 + signal. */
int job_exitval(const struct job *job);
/*
 * The Exitval of GNU parallel's job log: the exit status, 0 for a job
 * killed by a signal (the Signal column has it), and -1 for a job that
 * timed out or was evicted, and did not exit with a status of its own.
 */
int job_log_exitval(const struct job *job);
/* True unless the job exited 0 in time, and was not evicted. */
bool job_failed(const struct job *job);
/* A copy of the job's arguments, for running it again. */
struct record *job_copy_args(const struct job *job);

#endif
