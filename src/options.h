/*
 * The settings of one run.  The command line and the config file both go
 * through options_set(), so an option has one parser, one help line and
 * one man page entry.
 */
#ifndef PRUN_OPTIONS_H
#define PRUN_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

enum output_mode {
	OUTPUT_GROUP,          /* each job's output whole (the default) */
	OUTPUT_LINE,           /* --line-buffer: whole lines as they come */
	OUTPUT_UNGROUP,        /* -u: bytes straight through */
};

/* -X and -m: fill each command line with as many arguments as fit. */
enum fill_mode {
	FILL_NONE,
	FILL_XARGS,    /* --xargs: {} stands for all of them */
	FILL_MULTI,    /* -m: the same, spread evenly over the job slots */
	FILL_CONTEXT,  /* -X: the word around {} is repeated for each */
};

/* --termseq: signals to send, each followed by a wait in ms. */
#define TERMSEQ_MAX 16
struct termseq {
	int sig[TERMSEQ_MAX];
	unsigned ms[TERMSEQ_MAX];
	size_t n;
};

/* What counts as a CPU for -j N% and the like (--use-*-instead-of-*). */
enum cpu_unit {
	CPU_THREADS,           /* what the kernel schedules on (the default) */
	CPU_CORES,             /* physical cores */
	CPU_SOCKETS,           /* filled sockets */
};

/* --slurm: jobs as Slurm job steps (slurm.h). */
enum slurm_use {
	SLURM_NO,
	SLURM_YES,             /* --slurm: inside an allocation, or an error */
	SLURM_AUTO,            /* --slurm-auto: inside one if there is one */
};

enum halt_when {
	HALT_NEVER,
	HALT_SOON,    /* start no more jobs */
	HALT_NOW,     /* and kill the running ones */
};

enum halt_what {
	HALT_FAIL,
	HALT_SUCCESS,
	HALT_DONE,
};

struct halt {
	enum halt_when when;
	enum halt_what what;
	long count;   /* this many jobs, or */
	double pct;   /* this share of all jobs (0 < pct <= 1), if > 0 */
};

struct options {
	char *jobs;            /* owned; "N", "+N", "-N", "N%" or "0" */
	enum output_mode output;
	bool keep_order;
	bool tag;              /* --tag: the arguments start each line */
	char *tagstring;       /* owned; --tagstring, NULL for none */
	bool color;            /* --color: colour tags on terminals */
	bool color_failed;     /* --color-failed: failed jobs in red */
	bool latest_line;      /* --latest-line: a live line per job */
	bool files;            /* --files: print output files' names */
	char *tmpdir;          /* owned; NULL = $TMPDIR or /tmp */
	bool compress;         /* --compress: spilled spools compressed */
	char *compress_program;   /* owned; NULL = the first one found */
	char *decompress_program; /* owned; NULL = compress_program -dc */
	bool dry_run;
	bool verbose;          /* -v: print each command on stdout */
	bool trace;            /* -t: print each command on stderr */
	bool no_run_if_empty;  /* -r */
	bool null;             /* -0 */
	char delimiter;        /* -d; '\n' by default */
	long max_args;         /* -N / -n / -L; -1 if not given, 0 = none
				  of a record's values (-N0) */
	long max_chars;        /* -s; 0 = as long as the system allows */
	bool show_limits;      /* --show-limits: print the line lengths */
	bool max_line_length_allowed; /* print the longest line, and exit */
	enum fill_mode fill;   /* -X / -m */
	bool quote;            /* -q */
	bool plus;             /* --plus */
	bool shuf;             /* --shuf */
	bool link;             /* --link */
	bool replace_args;     /* -N: like -X, the word around {} repeats */
	bool max_lines;        /* -L: lines ending in a blank continue */
	char *eof_str;         /* owned; -E, NULL for none */
	char *colsep;          /* owned; --colsep regex, NULL for none */
	bool csv;              /* --csv: columns are CSV fields */
	char *env;             /* owned; --env names, comma-separated */
	bool record_env;       /* --record-env: record, and do nothing else */
	bool session;          /* --session: env_parallel's; no effect */
	bool tty;              /* --tty: -o, and -j1 -u unless said */
	bool open_tty;         /* -o: jobs read the terminal */
	bool interactive;      /* -p: ask before each job */
	bool tmux;             /* --tmux: jobs in tmux windows */
	bool tmuxpane;         /* --tmuxpane: in panes of one window */
	bool semaphore;        /* --semaphore: run one command in a slot */
	char *semaphore_name;  /* owned; --id NAME, NULL: the terminal's */
	char *semaphore_timeout; /* owned; --st SECS (< 0: give up), NULL */
	bool fg;               /* --fg: wait for the command, its status */
	bool bg;               /* --bg: return once it has a slot */
	bool wait;             /* --wait: until the id's commands are done */
	char *header;          /* owned; --header regex or ":", NULL */
	char *trim;            /* owned; --trim: n, l, r, lr or rl; NULL:
				  lr with --colsep, else n */
	char *shell;           /* owned; NULL = PRUN_SHELL or /bin/sh */
	char *replace;         /* owned; -I, "{}" by default */
	char *ext_replace;     /* owned; --er, "{.}" */
	char *base_replace;    /* owned; --bnr, "{/}" */
	char *dir_replace;     /* owned; --dnr, "{//}" */
	char *baseext_replace; /* owned; --bner, "{/.}" */
	char *seq_replace;     /* owned; --seqreplace, "{#}" */
	char *slot_replace;    /* owned; --slotreplace, "{%}" */
	char *arg_sep;         /* owned; ":::" */
	char *arg_file_sep;    /* owned; "::::" */
	char **arg_files;      /* owned; -a FILE, in order */
	size_t n_arg_files;
	char **rpl;            /* owned; --rpl 'TAG EXPR', in order */
	size_t n_rpl;
	char *parens;          /* owned; --parens, NULL for {==} */
	char **filter;         /* owned; --filter EXPR, in order */
	size_t n_filter;

	double timeout;        /* --timeout seconds; 0 for none */
	double timeout_pct;    /* --timeout N%: N / 100 of the median */
	struct termseq termseq;
	struct halt halt;
	long retries;          /* attempts in all; 0 and 1 mean one */
	double delay;          /* --delay seconds between starts */
	char *load;            /* owned; --load spec (options_load()), NULL */
	unsigned long long memfree; /* --memfree bytes; 0 for none */
	unsigned long long memsuspend; /* --memsuspend bytes; 0 for none */
	bool noswap;           /* --noswap: start no job while swapping */
	long nice;             /* --nice */
	char *joblog;          /* owned; --joblog FILE, NULL for none */
	bool joblog_append;    /* --joblog +FILE, or --resume */
	bool resume;           /* --resume */
	bool resume_failed;    /* --resume-failed */
	bool retry_failed;     /* --retry-failed */
	char *results;         /* owned; --results DIR or FILE, NULL */
	bool bar;              /* --bar */
	bool eta;              /* --eta */
	bool progress;         /* --progress */
	long total_jobs;       /* --total-jobs; 0: count them */
	bool skip_first_line;  /* --skip-first-line */
	bool plain;            /* --plain: no config, profiles, $PARALLEL */
	bool no_keep_order;    /* --no-keep-order: -k is off, wherever */
	bool silent;           /* --silent: -v is off, wherever */
	bool gnu;              /* --gnu: accepted, as prun is GNU-like */
	enum cpu_unit cpus;    /* --use-cores-instead-of-threads... */
	long shell_quote;      /* --shell-quote: print commands quoted this
				  many times instead of running them */
	char *process_slot_var; /* owned; --process-slot-var NAME, or NULL */
	char *workdir;         /* owned; --workdir DIR, "...", ".", or NULL */
	char *limit;           /* owned; --limit CMD, or NULL */
	char **tmpls;          /* owned; --tmpl FILE=REPL, in order */
	size_t n_tmpls;
	bool pipe;             /* --pipe: stdin is cut into chunks */
	bool pipepart;         /* --pipepart: so is the -a file, in place */
	char *block;           /* owned; --block SIZE or -N, NULL: 1M */
	char *recstart;        /* owned; --recstart, NULL for none */
	char *recend;          /* owned; --recend, NULL for "\n" */
	bool remove_rec_sep;   /* --rrs */
	bool regexp;           /* --regexp: --recstart/--recend are regexes */
	bool cat;              /* --cat: each chunk in a temp file, {} */
	bool fifo;             /* --fifo: each chunk through a fifo, {} */
	bool round_robin;      /* --round-robin: chunks to running jobs */
	bool tee;              /* --tee: all of the data to every job */
	char *shard;           /* owned; --shard COL, or NULL */
	char *bin;             /* owned; --bin COL, or NULL */
	char *group_by;        /* owned; --group-by VAL, or NULL */
	double block_timeout;  /* --block-timeout, s; 0 for none */
	char **sshlogins;      /* owned; -S values, in order */
	size_t n_sshlogins;
	char **sshloginfiles;  /* owned; --slf FILEs, in order */
	size_t n_sshloginfiles;
	char *ssh;             /* owned; --ssh CMD, or NULL */
	double ssh_delay;      /* --ssh-delay s between ssh starts */
	bool controlmaster;    /* -M: accepted; masters are always used */
	bool filter_hosts;     /* --filter-hosts: drop a host at once */
	bool nonall;           /* --nonall: the command once on each host */
	bool onall;            /* --onall: every job on each host */
	bool hostgroups;       /* --hostgroups: arg@group picks hosts */
	int slurm;             /* enum slurm_use */
	long cpus_per_job;     /* --cpus-per-job: a Slurm step's CPUs */
	char **transferfiles;  /* owned; --tf FILE templates, in order */
	size_t n_transferfiles;
	bool transfer;         /* --transfer: --tf {} */
	char **returns;        /* owned; --return FILE templates, in order */
	size_t n_returns;
	bool cleanup;          /* --cleanup: remove the files from hosts */
	char **trc;            /* owned; --trc FILE: --return, --transfer,
				  --cleanup */
	size_t n_trc;
	char **basefiles;      /* owned; --bf FILE, in order */
	size_t n_basefiles;
	char *rsync_opts;      /* owned; --rsync-opts, or NULL */
	long pipe_records;     /* --pipe: the last -N or -n, 0 if none */
	long pipe_lines;       /* --pipe: the last -L, 0 if none */
	bool no_jobserver;     /* --no-jobserver: make's pool is not used,
				  and jobs get none of prun's */
	char *jobserver_style; /* owned; --jobserver-style: "pipe" or "fifo" */
};

/*
 * Parses --semaphore-timeout: a duration with GNU parallel's postfixes,
 * negative to give up.  Returns 0, or -1 with *cause.
 */
int options_sem_timeout(const char *s, double *out, char **cause);

/* Parses "TERM,200,TERM,100,KILL,25".  Returns 0, or -1 with *cause. */
int termseq_parse(const char *s, struct termseq *out, char **cause);
/* Parses --halt's value.  Returns 0, or -1 with *cause. */
int halt_parse(const char *s, struct halt *out, char **cause);
/* Parses a size like 1G, 512M, 100k.  Returns 0, or -1. */
int size_parse(const char *s, unsigned long long *out);

void options_init(struct options *o);
void options_finish(struct options *o);

/*
 * Sets the option with long name `name` (without "--") to `value` (NULL
 * for a flag).  Returns 0, or -1 with a message in *cause (caller frees).
 */
int options_set(struct options *o, const char *name, const char *value,
		char **cause);

/* True if the option `name` takes a value. */
bool options_takes_value(const char *name);

/*
 * The name options_set() files option `name` under: itself, or the long
 * name that an alias such as "lb" stands for.  NULL if there is no such
 * option.
 */
const char *options_canonical(const char *name);

/*
 * The i-th option options_set() knows (a canonical name), or NULL; in
 * *value, if value is not NULL, whether it takes a value.
 */
const char *options_name(size_t i, bool *value);

/* The i of options_name() for option `name` or an alias of it; or -1. */
long options_index(const char *name);

/* The short letters of the i-th option of options_name(), or NULL. */
const char *options_shorts(size_t i);

/*
 * The i-th of GNU parallel's long options that prun refuses as "not
 * supported" (rather than unknown), or NULL.
 */
const char *options_unsupported(size_t i);

/*
 * The i-th other name of an option (GNU parallel's "lb" for
 * "line-buffer"), with the option's name in *name; or NULL.
 */
const char *options_alias(size_t i, const char **name);

/*
 * The setting that option `name` changes, shared by options that change
 * the same one ("output" for --group, --ungroup and --line-buffer); NULL
 * for an unknown name.
 */
const char *options_field(const char *name);

/*
 * The value of option `name` in `o`, as the option would be given:
 * "true" or "false" for a flag, "" for a value that is not set.  The
 * caller frees it.  NULL for a list (arg-file, rpl, filter) or an unknown
 * name.
 */
char *options_get(const struct options *o, const char *name);
/* True for an option that is a list (arg-file, rpl, filter). */
bool options_is_list(const char *name);

/*
 * Resolves a --load spec (N, +N, -N, N% of `cores`, a fraction) to the
 * load average below which jobs may start; -1 with *cause if bad.
 */
double options_load(const char *spec, long cores, char **cause);

/* Unlimited -j 0: bounded in practice by descriptors and processes. */
#define JOBS_UNLIMITED 1000000L

/*
 * Resolves the -j spec against the number of CPU cores.  Returns the job
 * limit (>= 1; "0" gives JOBS_UNLIMITED) or -1 with *cause.
 */
long options_jobs(const char *spec, long cores, char **cause);
/* The same for the forms of a number alone, not a file. */
long options_jobs_spec(const char *spec, long cores, char **cause);
/* Whether -j `spec` names a file that holds the spec (-j FILE). */
bool options_jobs_is_file(const char *spec);

#endif
