/*
 * The scheduler: the one owner of the libuv loop.  It pulls arguments from
 * the input, starts jobs up to the limit, reaps them, hands their output on
 * and decides how the run ends.
 */
#ifndef PRUN_SCHED_H
#define PRUN_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chunk.h"
#include "input.h"
#include "options.h"
#include "template.h"

struct hosts;
struct jobserver;
struct perl;

struct sched_config {
	const struct options *opts;
	struct template *tmpl;      /* --header binds names in it */
	struct template *tag;       /* --tag/--tagstring or NULL; the same */
	struct template *results;   /* --results as text, or NULL; the same */
	struct template *workdir;   /* --workdir DIR, or NULL; the same */
	struct template **tmpl_names; /* --tmpl FILE=REPL: the REPLs */
	struct template **tmpl_texts; /* and the FILEs' contents */
	size_t n_tmpls;
	const struct input_config *input;
	const struct chunk_config *chunks; /* --pipe: chunks instead of input,
					      else NULL */
	struct chunk_split *split;  /* --shard, --bin: lines to jobs by a
				       column, else NULL */
	long max_jobs;
	size_t held_fit;            /* ended jobs whose output files the
				       descriptor limit leaves room for
				       (SIZE_MAX: no bound) */
	const char *jobs_file;      /* -j FILE: read again when it changes */
	long cores;                 /* CPUs, for the spec in jobs_file */
	double max_load;             /* --load: start no job at or above
					this load average; 0: no limit */
	const char *tmpdir;
	const char *zip;             /* --compress: the shell commands that */
	const char *unzip;           /* (de)compress spills, or NULL */
	const uint64_t *skip;        /* sorted seqs not to run (--resume) */
	size_t n_skip;
	const uint64_t *seqs;        /* the seq of the i-th job, or NULL */
	struct perl *perl;           /* evaluates {= =}, or NULL if unused */
	const char *env_script;      /* --env: shell text that sets the
					variables on remote hosts, or NULL */
	struct hosts *hosts;         /* -S, --slf: remote hosts (emptied by
					the run), or NULL */
	long slurm_cpus;             /* --slurm: the hosts are a Slurm
					allocation's nodes, each job a step
					of this many CPUs; 0 if not */
	long slurm_mem_per_cpu;      /* MB a step's CPU asks for, or 0 */
	/* Reads the sshloginfiles of --slf again into hs (see remote.h). */
	int (*read_slf)(void *data, struct hosts *hs, char **cause);
	void *slf_data;
	struct template *const *filters; /* --filter, as text templates */
	size_t n_filters;
	const char *env_prefix;      /* $PARALLEL_ENV's text, or NULL */
	/* Remote jobs' files: --transferfile and --return (the same). */
	struct template *const *sends;
	size_t n_sends;
	struct template *const *returns;
	size_t n_returns;
	bool cleanup;                /* --cleanup, --trc */
	const char *remote_dot;      /* --wd . on the hosts (login dir's) */
	/*
	 * The jobserver: each job but the first takes a token of it, and
	 * jobs get it through MAKEFLAGS; or NULL.  Not owned.
	 */
	struct jobserver *jobserver;
	const char *makeflags;       /* without a jobserver: MAKEFLAGS for
					jobs, or NULL: the environment's */
};

struct sched_result {
	int status;   /* the exit status for prun */
	int signal;   /* if not 0, prun should die of this signal instead */
	bool abandon; /* a read is stuck on the thread pool: _exit() */
};

/* Runs every job.  Errors of prun's own are reported on stderr. */
struct sched_result sched_run(const struct sched_config *cfg);

#endif
