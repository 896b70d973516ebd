/*
 * prun: run commands in parallel.  main() only wires the modules together:
 * parse the command line, prepare the template, run the scheduler and turn
 * its outcome into an exit status.
 */
#define _GNU_SOURCE /* close_range */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "chunk.h"
#include "cli.h"
#include "config.h"
#include "cpus.h"
#include "envcopy.h"
#include "gnuenv.h"
#include "hosts.h"
#include "joblog.h"
#include "jobserver.h"
#include "log.h"
#include "perl.h"
#include "results.h"
#include "sched.h"
#include "sem.h"
#include "slurm.h"
#include "template.h"
#include "util.h"

static void arg_len(void *tmpl, const struct value *v,
		    const struct arg_place *at, struct line_len *len)
{
	template_arg_len(tmpl, v, at, len);
}

/*
 * The bytes exec(2) takes for a job's arguments, as Linux counts them
 * (fs/exec.c): arguments and environment together get a quarter of the
 * stack limit, at most 6 MiB and at least 128 KiB, each string with its
 * NUL and a pointer.  The job's environment is prun's and two variables
 * of its own; pages are counted whole, hence the slack.
 */
static size_t exec_room(void)
{
	extern char **environ;
	size_t room = 131072;
	size_t env = 2 * (40 + sizeof(char *));
	struct rlimit rl;

#ifdef __linux__
	if (getrlimit(RLIMIT_STACK, &rl) == 0) {
		size_t quarter = rl.rlim_cur == RLIM_INFINITY
					 ? SIZE_MAX : (size_t)rl.rlim_cur / 4;
		size_t cap = (size_t)6 << 20;
		room = quarter < cap ? quarter : cap;
		room = room > 131072 ? room : 131072;
	}
#else
	long arg_max = sysconf(_SC_ARG_MAX);
	room = arg_max > 0 ? (size_t)arg_max : room;
	(void)rl;
#endif
	for (char **e = environ; *e; e++) {
		env += strlen(*e) + 1 + sizeof(char *);
	}
	size_t slack = 8192;
	return room > env + slack ? room - env - slack : 0;
}

/* The longest string exec(2) takes: MAX_ARG_STRLEN, 32 pages on Linux. */
static size_t exec_max_string(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return 32 * (page > 0 ? (size_t)page : 4096);
}

/*
 * GNU parallel's default for -s: it finds the longest command line a
 * shell runs by a search that stops within 1% (Limits::Command::find_max)
 * and halves what is left after 3000 bytes.  The search, replayed on the
 * length it would find (its probe adds " && true"), gives its number, so
 * lines break where GNU parallel breaks them.
 */
static size_t gnu_default_max(size_t longest, size_t *found)
{
	size_t len = 324, lo, hi;

	longest -= 8;
	do {
		if (len > 100000000) {
			*found = len;
			return (len - 3000) / 2;
		}
		len *= 16;
	} while (len <= longest);
	lo = len / 16;
	hi = len;
	while (lo != hi && lo + 1 != hi && (double)lo / (double)hi <= 0.99) {
		size_t mid = lo + (hi - lo) / 2;
		if (mid <= longest) {
			lo = mid;
		} else {
			hi = mid;
		}
	}
	*found = lo;
	return lo > 3000 ? (lo - 3000) / 2 : 1;
}

/*
 * How long a job's command line may get, counted both ways: the -s limit
 * (or GNU parallel's default) and what exec takes, for the program run
 * directly or for a shell's one string.  In *longest, GNU parallel's
 * "maximal size of command".
 */
static void line_limits(const struct template *tmpl, long max_chars,
			struct line_cost *c, size_t *longest)
{
	size_t room = exec_room();
	size_t string = exec_max_string();
	const char *prog = template_program(tmpl);

	if (prog) {
		c->sys_max = room;
	} else {
		/* The shell's path, argv[0] and "-c": four pointers. */
		size_t sh = 2 * (strlen(template_shell(tmpl)) + 1) + 3 +
			    4 * sizeof(char *);
		c->sys_max = room > sh ? room - sh : 0;
		c->sys_max = c->sys_max < string ? c->sys_max : string;
	}
	/* GNU parallel's probe is one string, within what exec takes. */
	size_t probe = string < room ? string : room;
	c->strict = max_chars > 0;
	size_t usable = gnu_default_max(probe > 9 ? probe - 1 : 8, longest);
	c->max = max_chars > 0 ? (size_t)max_chars : usable;
}

/* Descriptors a job may need: its two, and those of two that wait. */
#define FDS_PER_JOB 6
/* Of those, a job's own: its output's two files or pipes, held open
   while it runs and after, until its output is written. */
#define FDS_A_JOB 2
/* Descriptors of prun's own: the loop, logs, a writer of results... */
#define FDS_OWN 24

/*
 * Each running job holds a few descriptors in prun (spool files or
 * pipes), and finished jobs waiting for their turn hold theirs: raise the
 * soft limit on open files as far as -j needs, within the hard limit.
 * Returns the jobs that fit in it: max_jobs, or fewer under a low hard
 * limit, which says so as GNU parallel does ("Only enough file handles to
 * run N jobs in parallel"; silently for -j 0).  *held_fit is set to the
 * ended jobs whose files fit beside those that run (at least two a job
 * under FDS_PER_JOB), or SIZE_MAX without a limit.  Running out anyway
 * only delays jobs (the scheduler retries).
 */
static long raise_fd_limit(long max_jobs, size_t *held_fit)
{
	struct rlimit rl;

	*held_fit = SIZE_MAX;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		return max_jobs;
	}
	rlim_t want = (rlim_t)max_jobs * FDS_PER_JOB + 256;
	if (want > rl.rlim_max) {
		want = rl.rlim_max;
	}
	if (want > rl.rlim_cur) {
		rl.rlim_cur = want;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	rlim_t room = rl.rlim_cur > FDS_OWN + FDS_PER_JOB
			      ? (rl.rlim_cur - FDS_OWN) / FDS_PER_JOB
			      : 1;
	if (rl.rlim_cur == RLIM_INFINITY) {
		return max_jobs;
	}
	long jobs = max_jobs;
	if (room < (rlim_t)max_jobs) {
		if (max_jobs != JOBS_UNLIMITED) {
			warn("only enough file descriptors to run %llu jobs "
			     "at once; raise 'ulimit -n' (now %llu)",
			     (unsigned long long)room,
			     (unsigned long long)rl.rlim_cur);
		}
		jobs = (long)room;
	}
	rlim_t running = FDS_OWN + (rlim_t)jobs * FDS_A_JOB;
	rlim_t fit = rl.rlim_cur > running
			     ? (rl.rlim_cur - running) / FDS_A_JOB
			     : 0;
	*held_fit = fit < SIZE_MAX ? (size_t)fit : SIZE_MAX;
	return jobs;
}

static int cmp_seq(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Orders log entries by seq, and in log order within a seq. */
static int cmp_entry(const void *a, const void *b)
{
	const struct joblog_entry *x = *(const struct joblog_entry *const *)a;
	const struct joblog_entry *y = *(const struct joblog_entry *const *)b;

	if (x->seq != y->seq) {
		return x->seq < y->seq ? -1 : 1;
	}
	return x < y ? -1 : x > y;
}

/*
 * --retry-failed: each seq runs once again, in seq order, with the command
 * of its last entry, unless one of its entries succeeded.  A log that
 * --resume-failed or --retry-failed appended to holds a failed seq more
 * than once; GNU parallel retries it once.
 */
static void retry_failed_jobs(struct joblog_entry *e, size_t n,
			      const char **cmds, uint64_t *seqs, size_t *n_cmds)
{
	struct joblog_entry **by_seq = xcalloc(n + 1, sizeof(*by_seq));

	for (size_t i = 0; i < n; i++) {
		by_seq[i] = &e[i];
	}
	qsort(by_seq, n, sizeof(*by_seq), cmp_entry);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		bool ok = false;
		for (; j < n && by_seq[j]->seq == by_seq[i]->seq; j++) {
			ok |= by_seq[j]->exitval == 0 && by_seq[j]->signal == 0;
		}
		if (!ok) {
			seqs[*n_cmds] = by_seq[j - 1]->seq;
			cmds[(*n_cmds)++] = xstrdup(by_seq[j - 1]->command);
		}
		i = j;
	}
	free(by_seq);
}

/*
 * --resume, --resume-failed and --retry-failed read the job log back.
 * Fills the seqs to skip, or (--retry-failed) the failed commands and
 * their seqs.  Returns 0, or -1 with *cause.
 */
static int read_back(struct cli *c, uint64_t **skip, size_t *n_skip,
		     struct source_spec *retry, uint64_t **seqs,
		     char **cause)
{
	struct joblog_entry *e;
	size_t n;

	if (!c->opts.joblog && c->opts.results && c->opts.resume &&
	    !c->opts.resume_failed && !c->opts.retry_failed) {
		/* --resume --results DIR: the results tell what ran. */
		*retry = (struct source_spec){0};
		return 0;
	}
	if (!c->opts.joblog) {
		*cause = xasprintf("--resume, --resume-failed and "
				   "--retry-failed need --joblog FILE");
		return -1;
	}
	if (strcmp(c->opts.joblog, "-") == 0) {
		*cause = xasprintf("--resume, --resume-failed and "
				   "--retry-failed cannot read back a job log "
				   "written to standard output (--joblog -)");
		return -1;
	}
	if (joblog_read(c->opts.joblog, &e, &n, cause) < 0) {
		return -1;
	}
	c->opts.joblog_append = true;
	*skip = xcalloc(n + 1, sizeof(uint64_t));
	*n_skip = 0;
	const char **cmds = xcalloc(n + 1, sizeof(char *));
	size_t n_cmds = 0;
	*seqs = xcalloc(n + 1, sizeof(uint64_t));
	if (c->opts.retry_failed) {
		retry_failed_jobs(e, n, cmds, *seqs, &n_cmds);
	} else {
		for (size_t i = 0; i < n; i++) {
			bool ok = e[i].exitval == 0 && e[i].signal == 0;
			if (ok || c->opts.resume) {
				(*skip)[(*n_skip)++] = e[i].seq;
			}
		}
	}
	joblog_entries_free(e, n);
	qsort(*skip, *n_skip, sizeof(uint64_t), cmp_seq);
	*retry = (struct source_spec){.values = cmds, .n = n_cmds};
	return 0;
}

/* Appends the whole file at `path` to b.  Returns 0, or -errno. */
static int read_file(const char *path, struct buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char chunk[65536];
	ssize_t n;

	if (fd < 0) {
		return -errno;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 ||
	       (n < 0 && errno == EINTR)) {
		if (n > 0) {
			buf_add(b, chunk, (size_t)n);
		}
	}
	int err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

/* Reads an sshloginfile: ".." is the user's, "-" standard input. */
static int read_slf(void *data, const char *name, char **text, char **cause)
{
	const char *home = getenv("HOME");
	char *path = strcmp(name, "..") == 0
			     ? xasprintf("%s/.parallel/sshloginfile",
					 home ? home : "")
		     : strcmp(name, "-") == 0 ? xstrdup("/dev/stdin")
					      : xstrdup(name);
	struct buf b;

	(void)data;
	buf_init(&b);
	int err = read_file(path, &b);
	if (err < 0) {
		*cause = xasprintf("cannot read the sshloginfile '%s': %s",
				   path, strerror(-err));
		buf_finish(&b);
		free(path);
		return err;
	}
	free(path);
	*text = buf_steal(&b);
	return 0;
}

/*
 * --env for remote jobs: the shell text that sets the variables and bash
 * functions named.  Returns 0, or -1 with *cause.
 */
static int env_to_copy(const char *names, char **script, char **cause)
{
	char **pairs = NULL;

	if (gnuenv_pairs(names, &pairs, cause) < 0) {
		return -1;
	}
	*script = envcopy_script(pairs);
	envcopy_free(pairs);
	return 0;
}

/* GNU parallel's ssh: --ssh, else $PARALLEL_SSH, else ssh (NULL). */
static const char *ssh_command(const struct options *o)
{
	return o->ssh ? o->ssh : getenv("PARALLEL_SSH");
}

/* Adds the hosts of --slf's files to hs.  Returns 0, or -1 with *cause. */
static int read_slfs(void *data, struct hosts *hs, char **cause)
{
	const struct options *o = data;
	const char *ssh = ssh_command(o);

	for (size_t i = 0; i < o->n_sshloginfiles; i++) {
		char *text = NULL;
		if (read_slf(NULL, o->sshloginfiles[i], &text, cause) < 0) {
			return -1;
		}
		int r = hosts_add_file(hs, text, ssh, read_slf, NULL, cause);
		free(text);
		if (r < 0) {
			return -1;
		}
	}
	return 0;
}

/* The hosts of -S and --slf, in order.  Returns 0, or -1 with *cause. */
static int read_hosts(const struct options *o, struct hosts *hs,
		      char **cause)
{
	for (size_t i = 0; i < o->n_sshlogins; i++) {
		if (hosts_add(hs, o->sshlogins[i], ssh_command(o), read_slf,
			      NULL, cause) < 0) {
			return -1;
		}
	}
	if (read_slfs((void *)o, hs, cause) < 0) {
		return -1;
	}
	hosts_select(hs);
	if (hs->n == 0) {
		*cause = xstrdup("no host to run jobs on: -S and --slf name "
				 "none (or @group left none)");
		return -1;
	}
	for (size_t i = 0; (o->cat || o->fifo) && i < hs->n; i++) {
		if (!hs->v[i]->local) {
			/* The file is this machine's; the host has stdin. */
			*cause = xasprintf("--%s cannot go with remote hosts "
					   "(%s): use --pipe", o->cat ? "cat"
					   : "fifo", hs->v[i]->login);
			return -1;
		}
	}
	return 0;
}

/* Templates of one list, owned. */
struct tmpl_list {
	struct template **v;
	size_t n;
};

static int tmpl_list_add(struct tmpl_list *l, const char *text,
			 const struct template_config *tc, char **cause)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	if (template_parse_text(&l->v[l->n], text, tc, cause) < 0) {
		return -1;
	}
	l->n++;
	return 0;
}

static void tmpl_list_free(struct tmpl_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		template_destroy(l->v[i]);
	}
	free(l->v);
}

/*
 * Whether jobs run as Slurm job steps: --slurm, or --slurm-auto (a config
 * file's, say) inside an allocation.
 */
static bool use_slurm(const struct options *o)
{
	const char *id = getenv("SLURM_JOB_ID");

	return o->slurm == SLURM_YES ||
	       (o->slurm == SLURM_AUTO && id && *id);
}

/* --slurm's conflicts: 0, or -1 with *cause. */
static int check_slurm(const struct options *o, bool remote, char **cause)
{
	if (remote) {
		*cause = xstrdup("--slurm cannot go with -S or --slf: the "
				 "allocation's nodes are the hosts");
		return -1;
	}
	if (o->cat || o->fifo) {
		/* The file is this machine's; the step has stdin. */
		*cause = xasprintf("--%s cannot go with --slurm: use --pipe",
				   o->cat ? "cat" : "fifo");
		return -1;
	}
	return 0;
}

/* True if hs has a host other than ":". */
static bool has_remote(const struct hosts *hs)
{
	for (size_t i = 0; i < hs->n; i++) {
		if (!hs->v[i]->local) {
			return true;
		}
	}
	return false;
}

/*
 * The files of remote jobs, as text templates: sent (--transfer's and
 * --trc's -I string, the latter only when no other file is sent, as GNU
 * parallel does, and --transferfile) and returned (--return, --trc).
 * Without a remote host they are ignored with GNU parallel's warning.
 * Returns 0, or -1 with *cause.
 */
static int parse_files(const struct options *o, const struct hosts *hs,
		       struct tmpl_list *sends, struct tmpl_list *rets,
		       const struct template_config *tc, char **cause)
{
	const char *repl = o->replace ? o->replace : "{}";
	bool files = o->transfer || o->n_transferfiles || o->n_returns ||
		     o->n_trc || o->cleanup || o->n_basefiles;

	if (files && !has_remote(hs)) {
		const char *what = o->n_trc ? "--trc"
				   : o->transfer ? "--transfer"
				   : o->n_transferfiles ? "--transferfile"
				   : o->n_returns ? "--return"
				   : o->cleanup && !o->n_tmpls ? "--cleanup"
				   : o->n_basefiles ? "--basefile" : NULL;
		if (what) {
			warn("%s ignored as there are no remote --sshlogin",
			     what);
		}
		return 0;
	}
	for (size_t i = 0; o->workdir && strcmp(o->workdir, "...") == 0 &&
			   i < o->n_basefiles; i++) {
		if (o->basefiles[i][0] != '/') {
			/* GNU parallel: setup_basefile(). */
			*cause = xasprintf("--basefile %s: --workdir ... will "
					   "not work with relative basefiles",
					   o->basefiles[i]);
			return -1;
		}
	}
	if (o->transfer && tmpl_list_add(sends, repl, tc, cause) < 0) {
		return -1;
	}
	for (size_t i = 0; i < o->n_transferfiles; i++) {
		if (tmpl_list_add(sends, o->transferfiles[i], tc, cause) < 0) {
			return -1;
		}
	}
	if (o->n_trc && sends->n == 0 &&
	    tmpl_list_add(sends, repl, tc, cause) < 0) {
		return -1;
	}
	for (size_t i = 0; i < o->n_returns; i++) {
		if (tmpl_list_add(rets, o->returns[i], tc, cause) < 0) {
			return -1;
		}
	}
	for (size_t i = 0; i < o->n_trc; i++) {
		if (tmpl_list_add(rets, o->trc[i], tc, cause) < 0) {
			return -1;
		}
	}
	return 0;
}

/*
 * --wd . on a remote host (GNU parallel's Job::workdir): prun's directory,
 * relative to $HOME when it is inside it (the login directory there).
 * Owned; NULL if the directory cannot be known.
 */
static char *remote_dot(void)
{
	char *cwd = getcwd(NULL, 0);
	const char *home = getenv("HOME");
	struct stat hst, st;

	if (!cwd) {
		return NULL;
	}
	if (!home || !home[0] || stat(home, &hst) < 0) {
		return cwd;
	}
	/* The first ancestor that is $HOME, by device and inode. */
	for (char *p = cwd + 1;; p++) {
		if (*p != '/' && *p != '\0') {
			continue;
		}
		char c = *p;
		*p = '\0';
		bool same = stat(cwd, &st) == 0 && st.st_dev == hst.st_dev &&
			    st.st_ino == hst.st_ino;
		*p = c;
		if (same) {
			char *rel = xstrdup(c ? p + 1 : ".");
			free(cwd);
			return rel;
		}
		if (!c) {
			return cwd;
		}
	}
}

/*
 * --tmpl FILE=REPL: the contents of each FILE and each REPL, parsed as
 * text with replacement strings.  Returns 0, or -1 with *cause.
 */
static int parse_tmpls(const struct options *o, struct template **names,
		       struct template **texts,
		       const struct template_config *tc, char **cause)
{
	for (size_t i = 0; i < o->n_tmpls; i++) {
		char *file = xstrdup(o->tmpls[i]);
		char *eq = strchr(file, '=');
		*eq = '\0';
		struct buf text;
		buf_init(&text);
		int r = read_file(file, &text);
		if (r < 0) {
			*cause = xasprintf("--tmpl: cannot read '%s': %s", file,
					   strerror(-r));
		} else {
			buf_addc(&text, '\0');
			r = template_parse_text(&texts[i], text.data, tc,
						cause) < 0 ||
			    template_parse_text(&names[i], eq + 1, tc,
						cause) < 0 ? -1 : 0;
		}
		buf_finish(&text);
		free(file);
		if (r < 0) {
			return -1;
		}
	}
	return 0;
}

/*
 * --results: refuses what it cannot go with, and parses the name as text
 * in which replacement strings name the files (a table needs none).
 */
static int check_results(const struct options *o, struct template **out,
			 const struct template_config *tc, char **cause)
{
	if (o->files) {
		*cause = xasprintf("--results and --files cannot be used "
				   "together");
		return -1;
	}
	if (results_is_table(o->results)) {
		return 0;
	}
	return template_parse_text(out, o->results, tc, cause);
}

/*
 * The shell for commands that need one: --shell, PRUN_SHELL or GNU
 * parallel's PARALLEL_SHELL; else bash when a bash function is exported
 * into the environment (export -f), so that any part of a command may call
 * it, as under GNU parallel; else /bin/sh, which starts faster.
 */
static const char *pick_shell(const struct options *o)
{
	extern char **environ;
	const char *shell = o->shell ? o->shell : getenv("PRUN_SHELL");

	if (!shell || !shell[0]) {
		shell = getenv("PARALLEL_SHELL");
	}
	if (shell && shell[0]) {
		return shell;
	}
	for (char **e = environ; *e; e++) {
		/* BASH_FUNC_name%%=() { ... } */
		const char *eq = strchr(*e, '=');
		if (strncmp(*e, "BASH_FUNC_", 10) == 0 && eq &&
		    eq - *e > 12 && memcmp(eq - 2, "%%", 2) == 0) {
			return "/bin/bash";
		}
	}
	return "/bin/sh";
}

/*
 * The commands of --compress (the caller frees them): --compress-program,
 * else the first of GNU parallel's list that is installed, fastest first;
 * with none installed, spools stay as they are (GNU parallel falls back on
 * cat).  Both NULL without --compress.
 */
static void pick_compressors(const struct options *o, char **zip,
			     char **unzip)
{
	static const char *const prgs[] = {
		"pzstd", "lbzip2", "pbzip2", "zstd", "pixz", "lz4", "pigz",
		"lzop", "plzip", "lzip", "gzip", "lrz", "pxz", "bzip2",
		"lzma", "xz", "clzip",
	};

	*zip = *unzip = NULL;
	if (o->compress_program) {
		*zip = xstrdup(o->compress_program);
		*unzip = o->decompress_program
				 ? xstrdup(o->decompress_program)
				 : xasprintf("%s -dc", o->compress_program);
		return;
	}
	for (size_t i = 0; o->compress && i < sizeof(prgs) / sizeof(*prgs);
	     i++) {
		if (in_path(prgs[i])) {
			*zip = xasprintf("%s -c -1", prgs[i]);
			*unzip = o->decompress_program
					 ? xstrdup(o->decompress_program)
					 : xasprintf("%s -dc", prgs[i]);
			return;
		}
	}
}

/* --filter: each is text in which replacement strings stand for values. */
static int parse_filters(const struct options *o, struct template **out,
			 const struct template_config *tc, char **cause)
{
	for (size_t i = 0; i < o->n_filter; i++) {
		if (template_parse_text(&out[i], o->filter[i], tc, cause) < 0) {
			return -1;
		}
	}
	return 0;
}

/*
 * --pipe and --pipepart: where the data comes from and how it is cut.
 * The strings in *cc live in c and in *own (free it).  Returns 0, or -1
 * with *cause.
 */
static int pipe_config(const struct cli *c, long slots,
		       const struct chunk_split *split,
		       struct chunk_split *group, struct chunk_config *cc,
		       char **own, char **cause)
{
	const struct options *o = &c->opts;
	const char *path = NULL;
	unsigned long long block = 1024 * 1024;
	long parts = 0;

	if (c->n_command == 0) {
		*cause = xasprintf("--pipe/--pipepart must have a command to "
				   "pipe into (e.g. 'cat')");
		return -1;
	}
	for (size_t i = 0; i < c->n_sources && !o->tee; i++) {
		if (!o->pipepart || !c->sources[i].path || path) {
			*cause = xasprintf(o->pipepart
				? "--pipepart takes one file (-a FILE), "
				  "and no ::: arguments"
				: "--pipe reads its data from standard input, "
				  "and takes no ::: or :::: arguments");
			return -1;
		}
		path = c->sources[i].path;
	}
	if (o->tee && c->n_sources == 0) {
		*cause = xasprintf("--tee needs arguments (::: ARGS), one job "
				   "each");
		return -1;
	}
	if (o->pipepart && !path) {
		*cause = xasprintf("--pipepart needs a file to read (-a FILE)");
		return -1;
	}
	if (o->block && o->block[0] == '-') {
		if (!o->pipepart) {
			*cause = xasprintf("--block %s (a negative size) needs "
					   "--pipepart", o->block);
			return -1;
		}
		parts = strtol(o->block + 1, NULL, 10);
	} else if (o->block) {
		size_parse(o->block, &block);
	}
	if ((o->shard || o->bin) && (o->pipepart || o->tee || o->round_robin)) {
		*cause = xasprintf("--%s cannot go with --pipepart, --tee or "
				   "--round-robin", o->shard ? "shard" : "bin");
		return -1;
	}
	if (o->group_by && (o->remove_rec_sep || o->recstart || o->recend)) {
		*cause = xasprintf("--%s is not compatible with --group-by",
				   o->remove_rec_sep ? "remove-rec-sep"
				   : o->recstart ? "recstart" : "recend");
		return -1;
	}
	if (o->group_by && (o->shard || o->bin || o->tee)) {
		*cause = xasprintf("--group-by cannot go with --%s",
				   o->shard ? "shard" : o->bin ? "bin" : "tee");
		return -1;
	}
	bool by_name = split && split->name;
	*cc = (struct chunk_config){
		.path = path,
		.block = (size_t)block,
		.block_parts = parts,
		.slots = slots,
		.records = o->pipe_records,
		.lines = o->pipe_lines,
		/* A column named: the first line names them, and each job
		   gets it first, as in GNU parallel. */
		.header = (by_name && !o->header) || (group && group->name)
				  ? ":" : o->header,
		.skip_empty = o->no_run_if_empty,
		.skip_first_line = o->skip_first_line,
		.remove_sep = o->remove_rec_sep,
		.block_timeout_ms = (uint64_t)(o->block_timeout * 1000 + 0.5),
		.group = group,
	};
	if (group && group->name && o->pipepart) {
		*cause = xasprintf("--group-by %s: a column name cannot go "
				   "with --pipepart (use its number)",
				   o->group_by);
		return -1;
	}
	/* GNU parallel: records end in a newline unless told otherwise. */
	const char *start = o->recstart ? o->recstart : "";
	const char *end = o->recend ? o->recend : o->recstart ? "" : "\n";
	cc->regexp = o->regexp;
	if (o->regexp) {
		/* Regexes as typed; a lone empty --recend: any byte. */
		bool any = o->recend && !o->recstart && !*o->recend;
		own[0] = xstrdup(start);
		own[1] = xstrdup(any ? "(?s:.)" : end);
		cc->recstart_len = strlen(own[0]);
		cc->recend_len = strlen(own[1]);
	} else {
		own[0] = chunk_unescape(start, &cc->recstart_len);
		own[1] = chunk_unescape(end, &cc->recend_len);
	}
	cc->recstart = own[0];
	cc->recend = own[1];
	return 0;
}

/*
 * The jobserver (see jobserver.h): inside make, join its pool (or, as GNU
 * make, run one job at a time when the recipe did not get it, or under
 * -j1), and take -n for --dry-run; then make a pool of prun's slots for
 * the jobs, unless prun already is in one.  *makeflags: what jobs get in
 * MAKEFLAGS when they get no pool (--no-jobserver), or NULL.
 */
static void setup_jobserver(struct cli *c, long *max_jobs, const char *tmpdir,
			    struct jobserver **js, char **makeflags)
{
	struct options *o = &c->opts;
	const char *mf = getenv("MAKEFLAGS");
	struct jobserver_auth auth;
	char *cause = NULL;

	jobserver_parse(mf, &auth);
	if (o->no_jobserver) {
		/* Jobs must not take descriptors they do not get for it. */
		if (auth.rfd >= 0 || auth.fifo) {
			*makeflags = jobserver_makeflags(mf, auth.jobs, NULL);
		}
		jobserver_auth_finish(&auth);
		return;
	}
	o->dry_run |= auth.dry_run;
	if (auth.rfd >= 0 || auth.fifo) {
		if (jobserver_join(js, mf, &auth, &cause) < 0) {
			/* GNU make's words for it. */
			warn("warning: %s: using -j1.  Add '+' to parent make "
			     "rule.", cause);
			free(cause);
			*max_jobs = 1;
		}
	} else if (auth.jobs == 1) {
		*max_jobs = 1;
	}
	jobserver_auth_finish(&auth);
	bool remote = o->n_sshlogins > 0 || o->n_sshloginfiles > 0 ||
		      use_slurm(o);
	if (*js || o->dry_run || remote || options_jobs_is_file(o->jobs)) {
		return;
	}
	bool fifo = strcmp(o->jobserver_style, "fifo") == 0;
	if (jobserver_serve(js, *max_jobs, fifo, tmpdir, mf, &cause) < 0) {
		warn("%s: jobs get no jobserver", cause);
		free(cause);
	}
}

static void pool_nothing(uv_work_t *req)
{
	(void)req;
}

static void pool_done(uv_work_t *req, int status)
{
	(void)req;
	(void)status;
}

static void hold_thread(void *arg)
{
	uv_sem_wait(arg);
}

/*
 * Whether n threads can exist at once now: creates them, lets them end and
 * joins them.  Returns 0, or the -errno of the first that failed (UV_EAGAIN
 * under ulimit -u, which counts threads).
 */
static int try_threads(unsigned n)
{
	uv_thread_t t[128];
	uv_sem_t hold;
	unsigned made = 0;
	int err = 0;

	if (n > sizeof(t) / sizeof(t[0])) {
		n = sizeof(t) / sizeof(t[0]);
	}
	if (uv_sem_init(&hold, 0) != 0) {
		return 0;
	}
	while (made < n && (err = uv_thread_create(&t[made], hold_thread,
						   &hold)) == 0) {
		made++;
	}
	for (unsigned i = 0; i < made; i++) {
		uv_sem_post(&hold);
	}
	for (unsigned i = 0; i < made; i++) {
		uv_thread_join(&t[i]);
	}
	uv_sem_destroy(&hold);
	return err;
}

/*
 * libuv starts its thread pool (spools, results, input files) on the first
 * work queued, and aborts when it cannot create a thread.  Under a process
 * limit (ulimit -u counts threads), that came mid-run, once the jobs held
 * every process slot: prun died of SIGABRT with jobs running.  Started
 * before any job, the threads are there for the whole run.  When the limit
 * is reached already (other processes of the user), prun waits for room,
 * as it does for a fork that fails, rather than let libuv abort: it checks
 * first that the pool's threads (UV_THREADPOOL_SIZE, 4 by default, as
 * libuv reads it) can be created, every 100 ms until they can.
 */
static void start_thread_pool(void)
{
	uv_loop_t loop;
	uv_work_t req;
	const char *size = getenv("UV_THREADPOOL_SIZE");
	long n = size ? strtol(size, NULL, 10) : 4;
	bool told = false;
	int err;

	while ((err = try_threads(n < 1 ? 1 : (unsigned)n)) == UV_EAGAIN) {
		struct rlimit rl;
		if (!told && getrlimit(RLIMIT_NPROC, &rl) == 0) {
			char lim[32] = "unlimited";
			if (rl.rlim_cur != RLIM_INFINITY) {
				snprintf(lim, sizeof(lim), "%llu",
					 (unsigned long long)rl.rlim_cur);
			}
			warn("cannot start threads: %s; waiting for other "
			     "processes to end ('ulimit -u' is %s)",
			     uv_strerror(err), lim);
			told = true;
		}
		usleep(100 * 1000);
		/* No job runs yet: a child here is one that prun's process had
		 * before it was prun (exec from a shell that left some running),
		 * whose zombie would hold its process slot for ever. */
		while (waitpid(-1, NULL, WNOHANG) > 0) {
		}
	}
	if (uv_loop_init(&loop) != 0) {
		return;
	}
	if (uv_queue_work(&loop, &req, pool_nothing, pool_done) == 0) {
		uv_run(&loop, UV_RUN_DEFAULT);
	}
	uv_loop_close(&loop);
}

static int run(struct cli *c)
{
	char *cause = NULL;
	char *zip = NULL;   /* --compress's commands */
	char *unzip = NULL;
	char *env_prefix = NULL; /* $PARALLEL_ENV's text */
	char *env_script = NULL; /* --env's variables for remote jobs */

	if ((c->opts.record_env && gnuenv_record(&cause) < 0) ||
	    (c->opts.env && gnuenv_check(c->opts.env, &cause) < 0)) {
		warn("%s", cause);
		free(cause);
		return 255;
	}
	if (c->opts.record_env) {
		return 0; /* as GNU parallel: it records, and runs nothing */
	}
	/* Before anything counts or copies the environment the jobs get. */
	if (gnuenv_take_prefix(&env_prefix, &cause) < 0) {
		warn("%s", cause);
		free(cause);
		return 255;
	}
	if (c->opts.tee && strcmp(c->opts.jobs, "100%") == 0) {
		free(c->opts.jobs); /* --tee: all jobs at once, unless -j */
		c->opts.jobs = xstrdup("0");
	}
	if (c->opts.onall || c->opts.nonall) {
		/* Host by host, as GNU parallel prints them; ":" if none. */
		c->opts.keep_order = true;
		if (c->opts.n_sshlogins + c->opts.n_sshloginfiles == 0) {
			options_set(&c->opts, "sshlogin", ":", &cause);
		}
	}
	if (c->opts.tty && strcmp(c->opts.jobs, "100%") == 0) {
		free(c->opts.jobs); /* --tty: one job at a time, unless -j */
		c->opts.jobs = xstrdup("1");
	}
	if (c->opts.tty && c->opts.output == OUTPUT_GROUP &&
	    !c->opts.keep_order) {
		c->opts.output = OUTPUT_UNGROUP; /* and straight to the output */
	}
	/* --shell-quote prints the commands, quoted, instead of running. */
	c->opts.dry_run |= c->opts.shell_quote > 0;
	long cores = cpus_count(c->opts.cpus);
	long max_jobs = options_jobs(c->opts.jobs, cores, &cause);
	const char *tmpdir = c->opts.tmpdir ? c->opts.tmpdir : getenv("TMPDIR");
	if (!tmpdir || !tmpdir[0]) {
		tmpdir = "/tmp";
	}
	struct jobserver *js = NULL;
	char *js_makeflags = NULL;
	if (max_jobs > 0) {
		setup_jobserver(c, &max_jobs, tmpdir, &js, &js_makeflags);
	}
	double max_load = c->opts.load && max_jobs >= 0
				  ? options_load(c->opts.load, cores, &cause)
				  : 0;
	const struct options *o = &c->opts;
	/* --cat and --fifo imply --pipe, as in GNU parallel. */
	bool piped = o->pipe || o->pipepart || o->cat || o->fifo || o->shard ||
		     o->bin || o->group_by;
	struct perl_tags tags = {
		.rpl = o->rpl,
		.n_rpl = o->n_rpl,
		.plus = o->plus,
		.parens = o->parens,
	};
	struct template_config tc = {
		.replace = o->replace,
		.ext_replace = o->ext_replace,
		.base_replace = o->base_replace,
		.dir_replace = o->dir_replace,
		.baseext_replace = o->baseext_replace,
		.seq_replace = o->seq_replace,
		.slot_replace = o->slot_replace,
		.plus = o->plus,
		.quote = o->quote,
		/* -N, and -L unless -m or --xargs, imply -X. */
		.context = !piped &&
			   (o->fill == FILL_CONTEXT || o->replace_args ||
			    (o->max_lines && o->fill != FILL_MULTI &&
			     o->fill != FILL_XARGS)),
		.names = o->header != NULL && !piped,
		/* --pipe: {} is the --cat file, else empty; not appended. */
		.no_append = piped && !o->cat && !o->fifo,
		.shell = pick_shell(o),
		.shell_only = env_prefix != NULL,
		.perl = perl_create(max_jobs),
		.parens = o->parens,
		.tags = &tags,
	};
	struct template *tmpl = NULL;
	struct template *tag = NULL;
	struct template *results = NULL;
	struct template *workdir = NULL;
	struct template **tmpl_names = xcalloc(o->n_tmpls + 1,
					       sizeof(*tmpl_names));
	struct template **tmpl_texts = xcalloc(o->n_tmpls + 1,
					       sizeof(*tmpl_texts));
	/* --wd . is where prun runs; --wd ... is made per job. */
	const char *wd = o->workdir && strcmp(o->workdir, ".") != 0 &&
				 strcmp(o->workdir, "...") != 0
				 ? o->workdir : NULL;
	/* --tag is --tagstring with the arguments as the string. */
	const char *tagstring = o->tagstring ? o->tagstring
			      : o->tag ? o->replace : NULL;
	uint64_t *skip = NULL, *seqs = NULL;
	size_t n_skip = 0;
	struct source_spec retry = {0};
	bool reading_back = o->resume || o->resume_failed || o->retry_failed;
	struct sched_result res = {255, 0, false};
	struct template **filters = xcalloc(o->n_filter + 1,
					    sizeof(*filters));
	struct chunk_config cc;
	char *pipe_own[2] = {NULL, NULL};
	struct chunk_split split = {0}, group = {0};
	const char *split_opt = o->shard ? "shard" : o->bin ? "bin" : NULL;
	struct hosts hosts;
	bool remote = o->n_sshlogins > 0 || o->n_sshloginfiles > 0;
	bool slurm = use_slurm(o);
	long step_mem = 0; /* --slurm: MB a step's CPU asks for */
	struct tmpl_list sends = {0}, rets = {0};
	char *dot = NULL;
	hosts_init(&hosts);

	if (max_jobs < 0 || max_load < 0 ||
	    (slurm && check_slurm(o, remote, &cause) < 0) ||
	    (split_opt &&
	     chunk_split_init(&split, split_opt, o->shard ? o->shard : o->bin,
			      o->colsep, &cause) < 0) ||
	    /* GNU parallel: --group-by's columns are tab-separated. */
	    (o->group_by &&
	     chunk_split_init(&group, "group-by", o->group_by,
			      o->colsep ? o->colsep : "\t", &cause) < 0) ||
	    (piped && pipe_config(c, max_jobs, split_opt ? &split : NULL,
				  o->group_by ? &group : NULL, &cc, pipe_own,
				  &cause) < 0) ||
	    (reading_back && read_back(c, &skip, &n_skip, &retry, &seqs,
				       &cause) < 0) ||
	    template_parse(&tmpl, o->retry_failed ? NULL : c->command,
			   o->retry_failed ? 0 : c->n_command, &tc,
			   &cause) < 0 ||
	    (tagstring &&
	     template_parse_tag(&tag, tagstring, &tc, &cause) < 0) ||
	    (o->results && check_results(o, &results, &tc, &cause) < 0) ||
	    (wd && template_parse_text(&workdir, wd, &tc, &cause) < 0) ||
	    parse_tmpls(o, tmpl_names, tmpl_texts, &tc, &cause) < 0 ||
	    (remote && read_hosts(o, &hosts, &cause) < 0) ||
	    (remote && o->env && env_to_copy(o->env, &env_script, &cause) < 0) ||
	    parse_files(o, &hosts, &sends, &rets, &tc, &cause) < 0 ||
	    parse_filters(o, filters, &tc, &cause) < 0 ||
	    (slurm && slurm_hosts(&hosts, o->cpus_per_job, o->jobs,
				  &step_mem, &cause) < 0)) {
		warn("%s", cause);
		free(cause);
		goto out;
	}
	/* Perl runs only for a run that has an expression to evaluate. */
	if (perl_count(tc.perl) == 0 && o->n_filter == 0) {
		perl_destroy(tc.perl);
		tc.perl = NULL;
	} else if (perl_start(tc.perl, &cause) < 0) {
		warn("%s", cause);
		free(cause);
		goto out;
	}
	if (o->nice && setpriority(PRIO_PROCESS, 0, (int)o->nice) < 0) {
		warn("cannot set --nice %ld: %s", o->nice, strerror(errno));
		goto out;
	}
	size_t held_fit;
	max_jobs = raise_fd_limit(max_jobs, &held_fit);
	const char *trim = o->trim ? o->trim : o->colsep ? "lr" : "n";
	struct line_cost fill = {
		.arg = arg_len,
		.data = tmpl,
		.fill = o->fill != FILL_NONE,
		.spread = o->fill == FILL_NONE || o->fill == FILL_XARGS
				  ? 0 : max_jobs,
	};
	template_base_len(tmpl, &fill.base);
	if (env_prefix) {
		/* GNU parallel counts the text, not its newline, in lines. */
		fill.base.gnu += strlen(env_prefix) - 1;
		fill.base.sys += strlen(env_prefix);
	}
	size_t longest;
	line_limits(tmpl, o->max_chars, &fill, &longest);
	if (o->max_line_length_allowed) {
		printf("%zu\n", longest);
		res.status = 0;
		goto out;
	}
	if (o->show_limits) {
		/* GNU parallel's text, on standard output. */
		printf("Maximal size of command: %zu\n"
		       "Maximal usable size of command: %zu\n\n"
		       "Execution will continue now, and it will try to read "
		       "its input\nand run commands; if this is not what you "
		       "wanted to happen, please\npress CTRL-D or CTRL-C\n",
		       longest, fill.max);
		fflush(stdout);
	}
	/* --nonall: one job with no arguments, on each host. */
	static const char *const none[] = {""};
	struct source_spec nonall = {.values = none, .n = 1};
	struct input_config ic = {
		.sources = o->retry_failed ? &retry
			   : o->nonall ? &nonall : c->sources,
		.n_sources = o->retry_failed || o->nonall ? 1 : c->n_sources,
		.delimiter = o->delimiter,
		.max_args = o->max_args > 0 ? o->max_args : 0,
		.bare = o->max_args == 0 || o->nonall,
		.skip_empty = o->no_run_if_empty,
		.skip_first_line = o->skip_first_line,
		.eof_str = o->eof_str,
		.colsep = o->colsep,
		.csv = o->csv,
		.header = o->header,
		.trim_left = strchr(trim, 'l') != NULL,
		.trim_right = strchr(trim, 'r') != NULL,
		.link = o->link,
		.join_lines = o->max_lines && o->max_args > 0,
		.prefetch = o->shuf || o->halt.pct > 0 || o->tee || o->onall ||
			    o->nonall ||
			    ((template_needs_total(tmpl) ||
			      (tc.perl && perl_wants_total(tc.perl))) &&
			     !o->total_jobs),
		.count = (o->bar || o->eta || o->progress) && !o->total_jobs,
		.shuffle = o->shuf,
		.fill = o->fill == FILL_NONE && !o->max_chars ? NULL : &fill,
	};
	if (piped) {
		/* --tee's arguments: -N, -L, --header... are the data's. */
		ic.max_args = 0;
		ic.bare = false;
		ic.skip_empty = false;
		ic.skip_first_line = false;
		ic.header = NULL;
		ic.fill = NULL;
	}
	if (remote && o->workdir && strcmp(o->workdir, ".") == 0) {
		dot = remote_dot();
	}
	pick_compressors(o, &zip, &unzip);
	struct sched_config sc = {
		.opts = &c->opts,
		.tmpl = tmpl,
		.tag = tag,
		.results = results,
		.workdir = workdir,
		.tmpl_names = tmpl_names,
		.tmpl_texts = tmpl_texts,
		.n_tmpls = o->n_tmpls,
		.input = &ic,
		.chunks = piped ? &cc : NULL,
		.split = split_opt ? &split : NULL,
		.max_jobs = max_jobs,
		.held_fit = held_fit,
		.jobs_file = options_jobs_is_file(o->jobs) ? o->jobs : NULL,
		.cores = cores,
		.max_load = max_load,
		.tmpdir = tmpdir,
		.zip = zip,
		.unzip = unzip,
		.skip = skip,
		.n_skip = n_skip,
		.seqs = o->retry_failed ? seqs : NULL,
		.perl = tc.perl,
		.filters = filters,
		.n_filters = o->n_filter,
		.hosts = remote || slurm ? &hosts : NULL,
		.slurm_cpus = slurm ? o->cpus_per_job : 0,
		.slurm_mem_per_cpu = step_mem,
		.read_slf = read_slfs,
		.slf_data = (void *)o,
		.env_prefix = env_prefix,
		.env_script = env_script,
		.sends = sends.v,
		.n_sends = sends.n,
		.returns = rets.v,
		.n_returns = rets.n,
		.cleanup = o->cleanup || o->n_trc,
		.remote_dot = dot,
		.jobserver = js,
		.makeflags = js_makeflags,
	};
	start_thread_pool();
	res = sched_run(&sc);
out:
	jobserver_destroy(js);
	free(js_makeflags);
	template_destroy(tmpl);
	template_destroy(tag);
	template_destroy(results);
	template_destroy(workdir);
	for (size_t i = 0; i < o->n_tmpls; i++) {
		template_destroy(tmpl_names[i]);
		template_destroy(tmpl_texts[i]);
	}
	free(tmpl_names);
	free(tmpl_texts);
	for (size_t i = 0; i < o->n_filter; i++) {
		template_destroy(filters[i]);
	}
	free(filters);
	free(pipe_own[0]);
	free(pipe_own[1]);
	chunk_split_finish(&split);
	chunk_split_finish(&group);
	hosts_finish(&hosts);
	tmpl_list_free(&sends);
	tmpl_list_free(&rets);
	free(dot);
	/* After the jobs: perl ends at EOF and is reaped here. */
	perl_destroy(tc.perl);
	free(skip);
	free(seqs);
	free(zip);
	free(unzip);
	free(env_prefix);
	free(env_script);
	for (size_t i = 0; i < retry.n; i++) {
		free((char *)retry.values[i]);
	}
	free((void *)retry.values);
	if (res.abandon) {
		/*
		 * A thread of libuv's pool is blocked reading input that is
		 * no longer wanted; libuv joins its threads at exit, so leave
		 * without running exit handlers.
		 */
		fflush(NULL);
		if (res.signal) {
			signal(res.signal, SIG_DFL);
			raise(res.signal);
		}
		_exit(res.status);
	}
	if (res.signal) {
		/* Die of the signal, so the caller sees what happened. */
		signal(res.signal, SIG_DFL);
		raise(res.signal);
	}
	return res.status;
}

/*
 * Whether this run is a semaphore's (GNU parallel's parse_semaphore()):
 * --semaphore, any option of semaphores (--fg unless it is --tmux's), or
 * prun called as prun-sem.
 */
static bool is_semaphore(const struct options *o, const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base ? base + 1 : argv0;
	return o->semaphore || o->semaphore_name || o->semaphore_timeout ||
	       o->bg || o->wait || (o->fg && !o->tmux && !o->tmuxpane) ||
	       strcmp(base, "prun-sem") == 0;
}

/*
 * A semaphore's run: the words of the command, joined by spaces as GNU
 * parallel joins them, run once in a slot of the id.  Arguments after
 * ::: are ignored, as by GNU parallel.
 */
static int run_sem(struct cli *c)
{
	const struct options *o = &c->opts;
	char *cause = NULL;
	double timeout = 0;
	/* One slot, a mutex, unless -j says. */
	long slots = strcmp(o->jobs, "100%") == 0
			     ? 1 : options_jobs(o->jobs, cpus_count(o->cpus),
						&cause);
	struct buf cmd;

	if (slots < 0 || (o->semaphore_timeout &&
			  options_sem_timeout(o->semaphore_timeout, &timeout,
					      &cause) < 0)) {
		warn("%s", cause);
		free(cause);
		return 255;
	}
	if (o->n_arg_files > 1) {
		warn("a semaphore cannot take input from more than one file "
		     "(-a)");
		return 255;
	}
	if (!o->wait && c->n_command == 0) {
		warn("--semaphore needs a command to run (or --wait)");
		return 255;
	}
	buf_init(&cmd);
	for (size_t i = 0; !o->wait && i < c->n_command; i++) {
		buf_addf(&cmd, "%s%s", i ? " " : "", c->command[i]);
	}
	buf_addc(&cmd, '\0');
	const char *tmpdir = o->tmpdir ? o->tmpdir : getenv("TMPDIR");
	struct sem_config sc = {
		.id = o->semaphore_name,
		.slots = slots,
		.timeout = timeout,
		.fg = o->fg,
		.wait = o->wait,
		.group = o->output == OUTPUT_GROUP,
		.shell = pick_shell(o),
		.command = cmd.data,
		.tmpdir = tmpdir && tmpdir[0] ? tmpdir : "/tmp",
		/* GNU parallel: a semaphore's -a file is its stdin. */
		.input = o->n_arg_files ? o->arg_files[0] : NULL,
	};
	int status = sem_run(&sc, &cause);
	if (status < 0) {
		warn("%s", cause);
		free(cause);
		status = 255;
	}
	buf_finish(&cmd);
	return status;
}

/*
 * Descriptors inherited from prun's caller must not reach the jobs: mark
 * every one above 2 close-on-exec (prun itself may still use them).
 */
static void keep_inherited_fds_from_jobs(void)
{
#ifdef CLOSE_RANGE_CLOEXEC
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) {
		return;
	}
#endif
	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		if (fd > 2 && fd != dirfd(d)) {
			fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
		}
	}
	closedir(d);
}

/*
 * Settles the options: the command line's over the config files'.
 * Returns 0, or -1 with *cause.
 */
static int settle(struct cli *c, struct config *cfg, int argc, char **argv,
		  char **cause)
{
	if (cli_parse(c, argc, argv, cause) < 0) {
		return -1;
	}
	if (c->done) {
		return 0;
	}
	/*
	 * GNU parallel's way: -J's profile files, then $PARALLEL, then the
	 * command line; all over prun's config files.  --plain (on the
	 * command line) leaves all of them out.
	 */
	bool plain = false;
	for (size_t i = 0; i < c->n_options; i++) {
		plain |= strcmp(c->options[i].name, "plain") == 0;
	}
	bool *gnu = xcalloc(c->n_profiles + 1, sizeof(bool));
	int r = 0;
	for (size_t i = 0; !plain && r == 0 && i < c->n_profiles; i++) {
		char **files = config_gnu_profiles(c->profiles[i]);
		for (size_t k = 0; r == 0 && files[k]; k++) {
			gnu[i] = true;
			r = cli_add_file(c, files[k], cause);
		}
		for (size_t k = 0; files[k]; k++) {
			free(files[k]);
		}
		free(files);
	}
	const char *env = getenv("PARALLEL");
	if (!plain && r == 0 && env && env[0]) {
		r = cli_add_words(c, env, "$PARALLEL", cause);
	}
	if (!plain && r == 0) {
		r = config_load(cfg, c->profiles, c->n_profiles, gnu, cause);
	}
	free(gnu);
	if (r < 0) {
		return -1;
	}
	for (size_t i = 0; i < c->n_options; i++) {
		config_add(cfg, c->options[i].name, c->options[i].value,
			   c->options[i].origin);
	}
	if (config_apply(cfg, &c->opts, cause) < 0) {
		return -1;
	}
	/* As in GNU parallel, these win wherever they are given. */
	if (c->opts.no_keep_order) {
		c->opts.keep_order = false;
	}
	if (c->opts.silent) {
		c->opts.verbose = false;
	}
	cli_split(c);
	if (c->show_config) {
		config_show(cfg, &c->opts, stdout);
		c->done = true;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cli c;
	struct config *cfg = config_create();
	char *cause = NULL;
	int status = 0;

	/* EPIPE on stdout is handled where it happens. */
	signal(SIGPIPE, SIG_IGN);
	keep_inherited_fds_from_jobs();
#ifdef PR_SET_CHILD_SUBREAPER
	/* Orphans of jobs become prun's children, so prun can reap them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
#endif
	char **script = NULL;
	const char *argv0 = argc > 0 ? argv[0] : "prun";
	int n = cli_shebang(argc, argv, &script, &cause);
	if (n > 0) {
		argc = n;
		argv = script;
	}
	int r = n < 0 ? -1 : settle(&c, cfg, argc, argv, &cause);
	/* The settings are in c.opts now; where they came from is not needed. */
	config_destroy(cfg);
	if (r < 0) {
		warn("%s", cause);
		free(cause);
		status = 255;
	} else if (!c.done) {
		status = is_semaphore(&c.opts, argv0) ? run_sem(&c) : run(&c);
	} else {
		status = c.status;
	}
	if (n >= 0) {
		cli_finish(&c);
	}
	cli_shebang_free(script);
	return status;
}
