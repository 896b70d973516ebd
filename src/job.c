/*
 * Jobs.  Each job is spawned with posix_spawn() as the leader of its own
 * process group (not a new session, so it keeps the controlling terminal).
 * glibc's posix_spawn uses clone(CLONE_VFORK): its cost does not grow with
 * prun's memory, unlike fork(), and a failed exec is reported here, at
 * once.  The child gets stdin from /dev/null; stdout and stderr in spool
 * files it writes itself, in pipes that prun reads or prun's own
 * (--ungroup); default signal dispositions and an empty signal mask.  Every
 * other descriptor of prun is close-on-exec.
 *
 * Under grouped output and -k, jobs get pipes to start with, which the
 * output reads into spools of its own (memory, and a temp file only for
 * much output): a pipe costs a microsecond or two, a temp file tens of
 * microseconds and, after many files were created and deleted, up to a
 * millisecond on ext4.  Once jobs print much (a spool spilled to its file),
 * the copy through prun costs more than a file per job: jobs then write
 * into spool files themselves.
 *
 * Spool files are reused: creating a temp file costs tens of microseconds
 * or more on ext4 (an inode is allocated, and freed again on close), more
 * than the rest of a job's cost in prun.  A child does not share prun's
 * descriptions of its files: prun opens them anew through /proc/self/fd
 * for each child, so the child has descriptions of its own.  Once the job
 * is written, the kernel grants prun a write lease on a file only if no
 * other description of it is open anywhere: nothing the job started (in
 * its process group or not) can write there any more, and the emptied
 * files can serve the next job.  Otherwise they are closed, and whatever
 * still holds them writes into files no one reads.
 */
#define _GNU_SOURCE /* pipe2, environ, F_SETLEASE */
#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "chunk.h"
#include "input.h"
#include "log.h"
#include "perl.h"
#include "quote.h"
#include "spool.h"
#include "tmux.h"
#include "util.h"

/* Spool files that are kept for the next job: at most this many pairs. */
#define SPARE_MAX 1024
/* Free space under which jobs that print much get pipes, not files. */
#define FILES_ROOM ((uint64_t)1 << 30)

/*
 * File actions for a child: stdin from /dev/null, stdout and stderr from
 * fd[] (-1: not redirected).  They are kept while the fds stay the same,
 * as they mostly do from job to job: glibc checks every fd of an action
 * against the descriptor limit, a getrlimit() each.
 */
struct actions {
	posix_spawn_file_actions_t fa;
	int in;
	int fd[2];
	bool built;
};

/*
 * A job's two spool files, stdout and stderr.  With `reusable`, the child
 * gets descriptions of its own (see above); otherwise it gets prun's, and
 * the files cannot be told free of the job afterwards.
 */
struct files {
	int fd[2];                /* owned */
	char name[2][16];         /* their names in /proc/self/fd */
	mode_t mode;              /* their mode when made */
	bool reusable;
	struct actions act;       /* the last child's */
	struct files *next;       /* spawner::spare */
};

struct spawner {
	struct spawner_config cfg;
	int devnull;              /* owned */
	int tty;                  /* owned; --tty's terminal, or -1 */
	pid_t *tty_jobs;          /* owned; jobs that have the terminal as
				     stdin, the last started last */
	size_t n_tty_jobs;
	bool tty_fg;              /* prun has the terminal's foreground */
	struct tmux tmux;         /* --tmux, if tmux.sock */
	posix_spawnattr_t attr;
	struct actions act;       /* for jobs without spool files */
	int proc_fd;              /* owned; /proc/self/fd, or -1 */
	bool reuse;               /* spool files may be reused */
	bool heavy;               /* spawner_use_files(): capture is off */
	struct files *spare;      /* owned list; emptied files for new jobs */
	size_t n_spare;
	char **envp;              /* owned array; strings from environ */
	size_t n_env;             /* entries before the two of prun */
	char env_seq[40];
	char env_slot[40];
	char *env_slot0;          /* owned; --process-slot-var's, or NULL */
	char *env_makeflags;      /* owned; the jobserver's, or NULL */
	struct buf cmd;           /* scratch: the shell command line */
	struct buf workdir;       /* scratch: the job's --workdir */
	struct actions wd_act;    /* for jobs with a --workdir */
	struct argv argv;         /* scratch: a direct job's argv */
	char *shell_argv0;        /* owned */
	uint64_t total;           /* {##} */
};

static struct files *files_create(struct spawner *sp, int *err);
static void files_destroy(struct files *f);

static bool is_transient(int err)
{
	return err == EAGAIN || err == EMFILE || err == ENFILE ||
	       err == ENOMEM;
}

static bool is_prun_var(const struct spawner_config *cfg, const char *e)
{
	size_t n = cfg->slot_var ? strlen(cfg->slot_var) : 0;

	return strncmp(e, "PARALLEL_SEQ=", 13) == 0 ||
	       strncmp(e, "PARALLEL_JOBSLOT=", 17) == 0 ||
	       (cfg->makeflags && strncmp(e, "MAKEFLAGS=", 10) == 0) ||
	       (n && strncmp(e, cfg->slot_var, n) == 0 && e[n] == '=');
}

int spawner_create(struct spawner **out, const struct spawner_config *cfg,
		   char **cause)
{
	struct spawner *sp = xcalloc(1, sizeof(*sp));

	sp->cfg = *cfg;
	sp->devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (sp->devnull < 0) {
		*cause = xasprintf("cannot open /dev/null: %s",
				   strerror(errno));
		free(sp);
		return -1;
	}
	/* As GNU parallel: without a terminal, jobs get /dev/null. */
	sp->tty = cfg->tty ? open("/dev/tty", O_RDWR | O_CLOEXEC) : -1;
	/*
	 * The terminal is handed to jobs only if it is prun's to give: a
	 * prun in the background does not take it from the shell's job.
	 */
	sp->tty_fg = sp->tty >= 0 && tcgetpgrp(sp->tty) == getpgrp();
	if ((cfg->tmux || cfg->tmuxpane) &&
	    tmux_init(&sp->tmux, cfg->tmpdir, cfg->tmuxpane, cause) < 0) {
		close(sp->devnull);
		if (sp->tty >= 0) {
			close(sp->tty);
		}
		free(sp);
		return -1;
	}

	size_t n = 0;
	while (environ[n]) {
		n++;
	}
	sp->envp = xcalloc(n + 5, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		if (!is_prun_var(cfg, environ[i])) {
			sp->envp[sp->n_env++] = environ[i];
		}
	}
	if (cfg->makeflags) {
		sp->env_makeflags = xasprintf("MAKEFLAGS=%s", cfg->makeflags);
		sp->envp[sp->n_env++] = sp->env_makeflags;
	}

	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(&sp->attr);
	posix_spawnattr_setflags(&sp->attr, POSIX_SPAWN_SETPGROUP |
				 POSIX_SPAWN_SETSIGDEF |
				 POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setpgroup(&sp->attr, 0);
	posix_spawnattr_setsigdefault(&sp->attr, &all);
	posix_spawnattr_setsigmask(&sp->attr, &none);
	sp->proc_fd = -1;
	if (cfg->io == JOB_IO_SPOOL) {
		sp->proc_fd = open("/proc/self/fd",
				   O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	sp->reuse = sp->proc_fd >= 0;

	buf_init(&sp->cmd);
	buf_init(&sp->workdir);
	argv_init(&sp->argv);
	const char *shell = template_shell(cfg->tmpl);
	const char *slash = strrchr(shell, '/');
	sp->shell_argv0 = xstrdup(slash ? slash + 1 : shell);

	if (cfg->io == JOB_IO_SPOOL && cfg->capture) {
		int err = spool_dir_usable(cfg->tmpdir);
		if (err < 0) {
			*cause = xasprintf("cannot create temp files in %s: %s",
					   cfg->tmpdir, strerror(-err));
			spawner_destroy(sp);
			return -1;
		}
	} else if (cfg->io == JOB_IO_SPOOL) {
		/* The first job's files, made now: tmpdir must be usable. */
		int err = 0;
		sp->spare = files_create(sp, &err);
		if (!sp->spare) {
			*cause = xasprintf("cannot create temp files in %s: %s",
					   cfg->tmpdir, strerror(-err));
			spawner_destroy(sp);
			return -1;
		}
		sp->n_spare = 1;
	}
	*out = sp;
	return 0;
}

void spawner_destroy(struct spawner *sp)
{
	if (!sp) {
		return;
	}
	while (sp->spare) {
		struct files *f = sp->spare;
		sp->spare = f->next;
		files_destroy(f);
	}
	close(sp->devnull);
	if (sp->tty >= 0) {
		close(sp->tty);
	}
	free(sp->tty_jobs);
	tmux_finish(&sp->tmux);
	if (sp->proc_fd >= 0) {
		close(sp->proc_fd);
	}
	if (sp->wd_act.built) {
		posix_spawn_file_actions_destroy(&sp->wd_act.fa);
	}
	buf_finish(&sp->workdir);
	if (sp->act.built) {
		posix_spawn_file_actions_destroy(&sp->act.fa);
	}
	posix_spawnattr_destroy(&sp->attr);
	free(sp->envp);
	free(sp->env_slot0);
	free(sp->env_makeflags);
	buf_finish(&sp->cmd);
	argv_finish(&sp->argv);
	free(sp->shell_argv0);
	free(sp);
}

static void close_spools(struct job *job);

void spawner_use_files(struct spawner *sp)
{
	sp->heavy = sp->cfg.capture;
	sp->cfg.capture = false;
}

void spawner_set_total(struct spawner *sp, uint64_t total)
{
	sp->total = total;
}

struct job *job_create(uint64_t seq, struct record *rec)
{
	struct job *job = xcalloc(1, sizeof(*job));

	job->seq = seq;
	job->order = seq;
	job->rec = rec;
	job->out_fd = -1;
	job->err_fd = -1;
	job->replay_fd = -1;
	job->master = -1;
	job->pin = -1;
	job->hold_fd = -1;
	return job;
}

struct job *job_create_piped(uint64_t seq, struct chunk *c)
{
	const char *path = c->path ? c->path : "";
	size_t len = strlen(path);
	struct record *rec = xmalloc(sizeof(*rec) + sizeof(struct value) +
				     len + 1);
	char *p = (char *)(rec->v + 1);

	memcpy(p, path, len + 1);
	rec->n = 1;
	rec->width = 1;
	rec->v[0] = (struct value){p, len};
	struct job *job = job_create(seq, rec);
	job->chunk = c;
	return job;
}

/* nftw()'s callback for remove_tree(). */
static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

/* rm -rf, without following symbolic links. */
static void remove_tree(const char *path)
{
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* mkdir -p.  Returns 0, or -errno. */
static int make_dirs(char *path)
{
	if (path[0] == '\0') {
		return -ENOENT;
	}
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0') {
			continue;
		}
		char c = *p;
		*p = '\0';
		int r = mkdir(path, 0777);
		int err = errno;
		*p = c;
		if (r < 0 && err != EEXIST) {
			return -err;
		}
		if (c == '\0') {
			return 0;
		}
	}
}

/*
 * --workdir: the job's directory, made if missing, in sp->workdir.
 * Returns 0, or -errno with *cause.
 */
static int job_workdir(struct spawner *sp, struct job *job, char **cause)
{
	sp->workdir.len = 0;
	if (sp->cfg.workdir_unique) {
		const char *home = getenv("HOME");
		char host[256] = "localhost";
		gethostname(host, sizeof(host) - 1);
		buf_addf(&sp->workdir, "%s/.parallel/tmp/%s-%ld-%llu",
			 home && home[0] ? home : "/tmp", host,
			 (long)getpid(), (unsigned long long)job->seq);
	} else {
		job_render(sp, sp->cfg.workdir, job, &sp->workdir);
	}
	buf_addc(&sp->workdir, '\0');
	int err = make_dirs(sp->workdir.data);
	if (err < 0) {
		*cause = xasprintf("cannot create --workdir '%s': %s",
				   sp->workdir.data, strerror(-err));
		return err;
	}
	if (sp->cfg.workdir_unique) {
		job->workdir_rm = xstrdup(sp->workdir.data);
	}
	return 0;
}

/*
 * --tmpl: writes each template file, rendered for the job.  Returns 0,
 * or -errno with *cause.
 */
static int job_tmpls(struct spawner *sp, struct job *job, char **cause)
{
	for (size_t i = 0; i < sp->cfg.n_tmpls; i++) {
		struct buf name, text;
		buf_init(&name);
		buf_init(&text);
		job_render(sp, sp->cfg.tmpl_names[i], job, &name);
		buf_addc(&name, '\0');
		job_render(sp, sp->cfg.tmpl_texts[i], job, &text);
		int fd = open(name.data, O_WRONLY | O_CREAT | O_TRUNC |
			      O_CLOEXEC, 0666);
		int err = fd < 0 ? -errno
				 : write_all(fd, text.data ? text.data : "",
					     text.len);
		if (err < 0) {
			*cause = xasprintf("cannot write --tmpl file '%s': %s",
					   name.data, strerror(-err));
		}
		if (fd >= 0) {
			close(fd);
		}
		buf_finish(&name);
		buf_finish(&text);
		if (err) {
			return err;
		}
	}
	return 0;
}

void job_destroy(struct job *job)
{
	if (!job) {
		return;
	}
	close_spools(job);
	if (job->feed) {
		chunk_feed_stop(job->feed);
	}
	chunk_release(job->chunk);
	if (job->replay_fd >= 0) {
		close(job->replay_fd);
	}
	if (job->hold_fd >= 0) {
		close(job->hold_fd);
	}
	perl_memo_destroy(job->memo);
	free(job->out_path);
	if (job->workdir_rm) {
		remove_tree(job->workdir_rm);
		free(job->workdir_rm);
	}
	free(job->tag);
	free(job->header);
	free(job->groups);
	free(job->rec);
	free(job);
}

static struct job_args args_of(const struct spawner *sp,
			       const struct job *job)
{
	return (struct job_args){
		.v = job->rec->v,
		.n = job->rec->n,
		.seq = job->seq,
		.slot = job->slot,
		.total = sp->total,
		.memo = job->memo,
	};
}

int job_prepare(struct spawner *sp, struct job *job,
		const struct template *const *ts, size_t n_ts,
		const struct template *const *filters, size_t n_filters,
		char **cause)
{
	if (!sp->cfg.perl) {
		return 0;
	}
	if (!job->memo) {
		job->memo = perl_memo_create();
	}
	struct job_args a = args_of(sp, job);
	if (template_eval(sp->cfg.tmpl, &a, cause) < 0) {
		return -1;
	}
	for (size_t i = 0; i < n_ts; i++) {
		if (ts[i] && template_eval(ts[i], &a, cause) < 0) {
			return -1;
		}
	}
	if (n_filters > 0) {
		struct value *v = xcalloc(n_filters, sizeof(*v));
		struct buf *b = xcalloc(n_filters, sizeof(*b));
		int r = 0;
		for (size_t i = 0; i < n_filters && r == 0; i++) {
			r = template_eval(filters[i], &a, cause);
			buf_init(&b[i]);
			template_render(filters[i], &a, &b[i]);
			v[i] = (struct value){b[i].data ? b[i].data : "",
					      b[i].len};
		}
		struct perl_job j = {a.seq, a.slot, a.total, a.v, a.n};
		if (r == 0) {
			r = perl_filter(sp->cfg.perl, job->memo, &j, v,
					n_filters, cause);
		}
		for (size_t i = 0; i < n_filters; i++) {
			buf_finish(&b[i]);
		}
		free(b);
		free(v);
		if (r < 0) {
			return -1;
		}
	}
	return perl_memo_skip(job->memo) ? 1 : 0;
}

void job_command(const struct spawner *sp, const struct job *job,
		 struct buf *b)
{
	struct job_args a = args_of(sp, job);

	template_render(sp->cfg.tmpl, &a, b);
}

/*
 * Appends the command line a job runs to b: after $PARALLEL_ENV's text,
 * if any.  zsh, unlike bash, parses all of a -c string before it runs
 * any, so an alias from that text would not apply to the command: there
 * the command is eval'd, as GNU parallel does.
 */
static void add_command(const struct spawner *sp, const struct job_args *a,
			struct buf *b)
{
	const char *shell = template_shell(sp->cfg.tmpl);
	const char *slash = strrchr(shell, '/');
	struct buf c;

	if (!sp->cfg.env_prefix) {
		template_render(sp->cfg.tmpl, a, b);
		return;
	}
	buf_adds(b, sp->cfg.env_prefix);
	if (!strstr(slash ? slash + 1 : shell, "zsh")) {
		template_render(sp->cfg.tmpl, a, b);
		return;
	}
	buf_init(&c);
	template_render(sp->cfg.tmpl, a, &c);
	buf_adds(b, "eval ");
	quote_append(b, c.data ? c.data : "", c.len);
	buf_finish(&c);
}

void job_render(const struct spawner *sp, const struct template *t,
		const struct job *job, struct buf *b)
{
	struct job_args a = args_of(sp, job);

	template_render(t, &a, b);
}

static void files_destroy(struct files *f)
{
	close(f->fd[0]);
	close(f->fd[1]);
	if (f->act.built) {
		posix_spawn_file_actions_destroy(&f->act.fa);
	}
	free(f);
}

/* New spool files for a job: a pointer, or NULL with -errno in *err. */
static struct files *files_create(struct spawner *sp, int *err)
{
	struct files *f = xcalloc(1, sizeof(*f));

	f->fd[0] = spool_tmpfile(sp->cfg.tmpdir);
	f->fd[1] = f->fd[0] < 0 ? -1 : spool_tmpfile(sp->cfg.tmpdir);
	if (f->fd[1] < 0) {
		*err = f->fd[0] < 0 ? f->fd[0] : f->fd[1];
		if (f->fd[0] >= 0) {
			close(f->fd[0]);
		}
		free(f);
		return NULL;
	}
	struct stat st;
	f->reusable = sp->reuse && fstat(f->fd[0], &st) == 0;
	f->mode = f->reusable ? st.st_mode & 07777 : 0;
	for (int i = 0; i < 2; i++) {
		snprintf(f->name[i], sizeof(f->name[i]), "%d", f->fd[i]);
	}
	return f;
}

/*
 * A new description of the file called `name` in /proc/self/fd: an fd, or
 * -1 with errno set.
 */
static int reopen(struct spawner *sp, const char *name)
{
	for (;;) {
		int fd = openat(sp->proc_fd, name, O_RDWR | O_CLOEXEC);
		if (fd >= 0 || (errno != EMFILE && errno != ENFILE) ||
		    !sp->spare) {
			return fd;
		}
		/* Spare files only save time: out of fds, they go first. */
		struct files *spare = sp->spare;
		sp->spare = spare->next;
		sp->n_spare--;
		files_destroy(spare);
	}
}

/*
 * The fds a child gets as stdout and stderr for the files: new
 * descriptions if the files are to be reused (the caller closes them
 * after the spawn: returns 1), else prun's own (returns 0); or -errno.
 */
static int files_open(struct spawner *sp, struct files *f, int child[2])
{
	if (f->reusable) {
		child[0] = reopen(sp, f->name[0]);
		child[1] = child[0] < 0 ? -1 : reopen(sp, f->name[1]);
		if (child[1] >= 0) {
			return 1;
		}
		int e = errno;
		if (child[0] >= 0) {
			close(child[0]);
		}
		if (is_transient(e)) {
			return -e;
		}
		/* /proc cannot do it: share prun's, and reuse no files. */
		f->reusable = sp->reuse = false;
	}
	child[0] = f->fd[0];
	child[1] = f->fd[1];
	return 0;
}

/*
 * Empties a job's files for the next one: 0; -EBUSY if they cannot serve
 * again (something may still write there, or a job changed them); another
 * -errno if no files can be reused here (no leases on this file system).
 */
static int files_reset(struct spawner *sp, struct files *f)
{
	for (int i = 0; i < 2; i++) {
		struct stat st;
		int fd = f->fd[i];
		/* Granted only if no one else has the file open. */
		if (fcntl(fd, F_SETLEASE, F_WRLCK) < 0) {
			return errno == EAGAIN ? -EBUSY : -errno;
		}
		/* A lease left in place would stall the next child's open. */
		if (fcntl(fd, F_SETLEASE, F_UNLCK) < 0) {
			return -errno;
		}
		/* Opened anew for each child: a job may have changed it. */
		if (fstat(fd, &st) < 0 || (st.st_mode & 07777) != f->mode) {
			return -EBUSY;
		}
		if (st.st_size == 0 && st.st_blocks == 0) {
			continue;
		}
		if (ftruncate(fd, 0) < 0) {
			return -EBUSY;
		}
		/*
		 * ext4 (auto_da_alloc) marks a file truncated to zero for
		 * writing out when a description of it is next closed: that
		 * would be the next job's, with all its output going to disk
		 * for nothing (and the next truncation waiting for it).
		 * Closing one now, while the file is empty, spends the mark.
		 */
		int spent = openat(sp->proc_fd, f->name[i],
				   O_RDWR | O_CLOEXEC);
		if (spent >= 0) {
			close(spent);
		}
	}
	return 0;
}

void spawner_reclaim(struct spawner *sp, struct job *job)
{
	struct files *f = job->files;

	if (!f) {
		return;
	}
	job->files = NULL;
	job->out_fd = -1;
	job->err_fd = -1;
	int r = f->reusable && sp->n_spare < SPARE_MAX ? files_reset(sp, f)
						       : -EBUSY;
	if (r < 0) {
		if (r != -EBUSY) {
			sp->reuse = false;
		}
		files_destroy(f);
		return;
	}
	f->next = sp->spare;
	sp->spare = f;
	sp->n_spare++;
}

static void close_spools(struct job *job)
{
	if (job->files) {
		files_destroy(job->files);
		job->files = NULL;
		job->out_fd = -1;
		job->err_fd = -1;
		return;
	}
	if (job->out_fd >= 0) {
		close(job->out_fd);
		job->out_fd = -1;
	}
	if (job->err_fd >= 0) {
		close(job->err_fd);
		job->err_fd = -1;
	}
}

/*
 * True if jobs get pipes, which the output reads.  Once jobs print much,
 * files of their own, but only while the spool file system has FILES_ROOM
 * free: a job that finds it full loses what it writes, where prun,
 * reading a pipe, stops reading until there is room again.
 */
static bool gives_pipes(const struct spawner *sp)
{
	return sp->cfg.io == JOB_IO_PIPE ||
	       (sp->cfg.io == JOB_IO_SPOOL &&
		(sp->cfg.capture ||
		 (sp->heavy &&
		  !spool_dir_has_room(sp->cfg.tmpdir, FILES_ROOM))));
}

/*
 * Makes the job's output files or pipes: 0, or -errno.  The child's ends
 * are returned in child[]: with *own, they are ours to close after the
 * spawn; otherwise they are the job's own fds.
 */
static int make_outputs(struct spawner *sp, struct job *job, int child[2],
			bool *own)
{
	int out[2], err[2], fd, r;

	if (sp->cfg.io == JOB_IO_INHERIT) {
		return 0;
	}
	if (gives_pipes(sp)) {
		if (pipe2(out, O_CLOEXEC) < 0) {
			return -errno;
		}
		if (pipe2(err, O_CLOEXEC) < 0) {
			int e = errno;
			close(out[0]);
			close(out[1]);
			return -e;
		}
		job->out_fd = out[0];
		job->err_fd = err[0];
		job->piped = true;
		child[0] = out[1];
		child[1] = err[1];
		*own = true;
		return 0;
	}
	if (sp->cfg.io == JOB_IO_FILES) {
		fd = spool_named(sp->cfg.tmpdir, &job->out_path);
		if (fd < 0) {
			return fd;
		}
		job->out_fd = fd;
		fd = spool_tmpfile(sp->cfg.tmpdir);
		if (fd < 0) {
			return fd;
		}
		job->err_fd = fd;
		child[0] = job->out_fd;
		child[1] = job->err_fd;
		return 0;
	}
	/* JOB_IO_SPOOL: the job's own files. */
	if (sp->spare) {
		job->files = sp->spare;
		sp->spare = job->files->next;
		sp->n_spare--;
	} else {
		int e = 0;
		job->files = files_create(sp, &e);
		if (!job->files) {
			return e;
		}
	}
	job->out_fd = job->files->fd[0];
	job->err_fd = job->files->fd[1];
	r = files_open(sp, job->files, child);
	*own = r > 0;
	return r < 0 ? r : 0;
}

/*
 * The file actions that give a child child[] as stdout and stderr, and
 * stdin: `in` (a --pipe job's pipe), /dev/null, or under --tty the
 * terminal, whose foreground the child's process group then is (else its
 * reads would stop it); and the jobserver's pipe, if js, as 3 and 4.
 * The set is kept in `a` for the next job with the same descriptors.
 * NULL if glibc refuses one of them (EBADF: at or above the limit on
 * open files, which may have been lowered under prun); nothing is kept.
 */
static const posix_spawn_file_actions_t *actions_for(struct actions *a,
						     int in, int tty,
						     bool fg,
						     const int child[2],
						     const int *js)
{
	if (a->built && a->in == in && a->fd[0] == child[0] &&
	    a->fd[1] == child[1]) {
		return &a->fa;
	}
	if (a->built) {
		posix_spawn_file_actions_destroy(&a->fa);
	}
	a->built = false;
	posix_spawn_file_actions_init(&a->fa);
	/* Without its dup2 a child would write to prun's own stdout. */
	int r = posix_spawn_file_actions_adddup2(&a->fa, tty >= 0 ? tty : in,
						 STDIN_FILENO);
	if (r == 0 && tty >= 0 && fg) {
		r = posix_spawn_file_actions_addtcsetpgrp_np(&a->fa, tty);
	}
	for (int i = 0; r == 0 && i < 2 && child[i] >= 0; i++) {
		r = posix_spawn_file_actions_adddup2(&a->fa, child[i], i + 1);
	}
	for (int i = 0; r == 0 && js && i < 2; i++) {
		r = posix_spawn_file_actions_adddup2(&a->fa, js[i], 3 + i);
	}
	if (r != 0) {
		posix_spawn_file_actions_destroy(&a->fa);
		return NULL;
	}
	a->in = in;
	a->fd[0] = child[0];
	a->fd[1] = child[1];
	a->built = true;
	return &a->fa;
}

/* Closes whichever of the two descriptors is open. */
static void close_pair(int fd[2])
{
	for (int i = 0; i < 2; i++) {
		if (fd[i] >= 0) {
			close(fd[i]);
			fd[i] = -1;
		}
	}
}

/* A --pipe job's chunk is written, or the job stopped reading it. */
static void on_fed(void *data, uint64_t sent, int err, bool idle)
{
	struct job *job = data;

	job->sent = sent;
	if (idle) {
		job->spawner->cfg.fed(job->spawner->cfg.fed_data, job);
		return;
	}
	job->feed = NULL;
	if (err) {
		warn("cannot write the input of job %llu: %s",
		     (unsigned long long)job->seq, strerror(-err));
	}
	if (job->spawner->cfg.round_robin) {
		/* It takes no more chunks: the others need not wait for it. */
		job->spawner->cfg.fed(job->spawner->cfg.fed_data, job);
	}
}

/* Undoes make_outputs() after a failed spawn. */
static void drop_outputs(struct job *job)
{
	close_spools(job);
	job->piped = false;
	if (job->out_path) {
		unlink(job->out_path);
		free(job->out_path);
		job->out_path = NULL;
	}
}

int job_spawn(struct spawner *sp, struct job *job, char **cause)
{
	struct job_args a = args_of(sp, job);
	int child[2] = {-1, -1};

	job->spawner = sp;
	bool own = false;
	int err = -make_outputs(sp, job, child, &own);
	if (err) {
		spawner_reclaim(sp, job);
		drop_outputs(job);
		if (is_transient(err)) {
			return -EAGAIN;
		}
		*cause = gives_pipes(sp)
				 ? xasprintf("cannot create a pipe: %s",
					     strerror(err))
				 : xasprintf("cannot create a spool file in "
					     "%s: %s", sp->cfg.tmpdir,
					     strerror(err));
		return -err;
	}

	/* A remote job: its command runs through ssh, its workdir there. */
	char *const *wrapped = NULL;
	bool hold = false;
	if (job->host && sp->cfg.wrap) {
		sp->cmd.len = 0;
		add_command(sp, &a, &sp->cmd);
		wrapped = sp->cfg.wrap(sp->cfg.wrap_data, job, sp->cmd.data,
				       &hold);
	}
	/*
	 * Its stdin: --pipe's chunk through a pipe (--cat: in a file), or for
	 * a remote job a pipe that is held open, unwritten, until it ends.
	 */
	hold = hold && !job->chunk;
	int feed[2] = {-1, -1};
	if (((job->chunk && !job->chunk->path) || hold) &&
	    pipe2(feed, O_CLOEXEC) < 0) {
		err = errno;
		spawner_reclaim(sp, job);
		drop_outputs(job);
		if (own) {
			close(child[0]);
			close(child[1]);
		}
		if (is_transient(err)) {
			return -EAGAIN;
		}
		*cause = xasprintf("cannot create a pipe: %s", strerror(err));
		return -err;
	}
	bool wd = (sp->cfg.workdir || sp->cfg.workdir_unique) &&
		  (!wrapped || sp->cfg.wrap_here);
	int in = feed[0] >= 0 ? feed[0] : sp->devnull;
	struct actions *act = job->files ? &job->files->act : &sp->act;
	if (wd) {
		/* The same actions, and a chdir, in a set of their own. */
		act = &sp->wd_act;
		if (act->built) {
			posix_spawn_file_actions_destroy(&act->fa);
			act->built = false;
		}
	}
	const posix_spawn_file_actions_t *fa =
		actions_for(act, in, sp->tty, sp->tty_fg, child,
			    sp->cfg.js_fds);
	/* An fd above a lowered limit (see actions_for()): the job waits. */
	err = fa ? 0 : -EAGAIN;
	if (err == 0 && sp->cfg.n_tmpls) {
		err = job_tmpls(sp, job, cause);
	}
	if (err == 0 && wd) {
		err = job_workdir(sp, job, cause);
	}
	if (err < 0) {
		if (own) {
			close(child[0]);
			close(child[1]);
		}
		close_pair(feed);
		spawner_reclaim(sp, job);
		drop_outputs(job);
		return err;
	}
	if (wd) {
		posix_spawn_file_actions_addchdir_np(&act->fa,
						     sp->workdir.data);
	}

	snprintf(sp->env_seq, sizeof(sp->env_seq), "PARALLEL_SEQ=%llu",
		 (unsigned long long)job->seq);
	snprintf(sp->env_slot, sizeof(sp->env_slot), "PARALLEL_JOBSLOT=%u",
		 job->slot);
	sp->envp[sp->n_env] = sp->env_seq;
	sp->envp[sp->n_env + 1] = sp->env_slot;
	if (sp->cfg.slot_var) {
		free(sp->env_slot0);
		sp->env_slot0 = xasprintf("%s=%u", sp->cfg.slot_var,
					  job->slot - 1);
		sp->envp[sp->n_env + 2] = sp->env_slot0;
	}

	const char *prog = template_program(sp->cfg.tmpl);
	if (prog && template_unquoted(sp->cfg.tmpl, &a)) {
		prog = NULL; /* a value from uq() is for the shell to read */
	}
	char *const *argv;
	char *shell_argv[4];
	if (wrapped) {
		argv = wrapped;
		prog = argv[0];
	} else if (sp->tmux.sock) {
		struct buf cmd;
		buf_init(&cmd);
		add_command(sp, &a, &cmd);
		sp->cmd.len = 0;
		tmux_wrap(&sp->tmux, cmd.data, &sp->cmd);
		buf_finish(&cmd);
		prog = "/bin/sh";
		shell_argv[0] = "sh";
		shell_argv[1] = "-c";
		shell_argv[2] = sp->cmd.data;
		shell_argv[3] = NULL;
		argv = shell_argv;
	} else if (prog) {
		template_render_argv(sp->cfg.tmpl, &a, &sp->argv);
		argv = sp->argv.v;
	} else {
		sp->cmd.len = 0;
		add_command(sp, &a, &sp->cmd);
		prog = template_shell(sp->cfg.tmpl);
		shell_argv[0] = sp->shell_argv0;
		shell_argv[1] = "-c";
		shell_argv[2] = sp->cmd.data;
		shell_argv[3] = NULL;
		argv = shell_argv;
	}

	pid_t pid;
	err = wrapped ? posix_spawnp(&pid, prog, fa, &sp->attr, argv,
				     sp->envp)
		      : posix_spawn(&pid, prog, fa, &sp->attr, argv, sp->envp);
	if (own) {
		/*
		 * Only the child may hold these: for pipes, or EOF never
		 * comes; for spool files, or they could never be reused.
		 */
		close(child[0]);
		close(child[1]);
	}
	if (feed[0] >= 0) {
		close(feed[0]);
		feed[0] = -1;
	}
	if (err == 0 && hold) {
		job->hold_fd = feed[1];
		feed[1] = -1;
	} else if (err == 0 && job->chunk && job->chunk->fifo) {
		job->feed = chunk_feed_fifo(sp->cfg.loop, job->chunk, on_fed,
					    job);
	} else if (err == 0 && feed[1] >= 0) {
		int e = 0;
		job->feed = chunk_feed_start(sp->cfg.loop, job->chunk, feed[1],
					     on_fed, job, &e);
		if (!job->feed) {
			warn("cannot feed job %llu its input: %s",
			     (unsigned long long)job->seq, strerror(-e));
		} else if (sp->cfg.round_robin) {
			chunk_feed_keep_open(job->feed);
		}
		feed[1] = -1;
	}
	close_pair(feed);
	if (err == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		job->pid = pid;
		if (sp->tty_fg) {
			sp->tty_jobs = xreallocarray(sp->tty_jobs,
						     sp->n_tty_jobs + 1,
						     sizeof(pid_t));
			sp->tty_jobs[sp->n_tty_jobs++] = pid;
		}
		job->start_ns = now_ns();
		job->start_wall = (double)ts.tv_sec + ts.tv_nsec / 1e9;
		if (job->chunk && job->chunk->path && !job->chunk->fifo) {
			/* --cat: the file is given whole (the log's Send). */
			job->sent = chunk_size(job->chunk);
		}
		return 0;
	}
	spawner_reclaim(sp, job);
	drop_outputs(job);
	if (is_transient(err)) {
		return -EAGAIN;
	}
	if (err == E2BIG) {
		*cause = xasprintf("command line of job %llu is too long "
				   "for the system",
				   (unsigned long long)job->seq);
	} else {
		*cause = xasprintf("%s: %s", prog, strerror(err));
	}
	return -err;
}

void spawner_exited(struct spawner *sp, struct job *job)
{
	size_t i = 0;

	if (job->feed) {
		/* Nothing reads the rest of its chunk any more. */
		job->sent = chunk_feed_stop(job->feed);
		job->feed = NULL;
	}
	if (job->hold_fd >= 0) {
		close(job->hold_fd);
		job->hold_fd = -1;
	}

	while (i < sp->n_tty_jobs && sp->tty_jobs[i] != job->pid) {
		i++;
	}
	if (i == sp->n_tty_jobs) {
		return;
	}
	memmove(sp->tty_jobs + i, sp->tty_jobs + i + 1,
		(sp->n_tty_jobs - i - 1) * sizeof(pid_t));
	if (i < --sp->n_tty_jobs || tcgetpgrp(sp->tty) != job->pid) {
		return; /* the terminal is another job's */
	}
	/* A background group that takes the terminal gets SIGTTOU. */
	sigset_t ttou, old;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	if (sp->n_tty_jobs > 0) {
		pid_t next = sp->tty_jobs[sp->n_tty_jobs - 1];
		tcsetpgrp(sp->tty, next);
		/* It may have stopped reading the terminal it did not have. */
		kill(-next, SIGCONT);
	} else {
		tcsetpgrp(sp->tty, getpgrp());
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void job_signal(const struct job *job, int sig)
{
	if (job->pid > 0 && !job->exited) {
		kill(-job->pid, sig);
	}
}

int job_log_exitval(const struct job *job)
{
	int code = WIFEXITED(job->status) ? WEXITSTATUS(job->status) : 0;

	/* GNU parallel marks the jobs it kills, unless they say otherwise. */
	return code == 0 && (job->timed_out || job->evicted) ? -1 : code;
}

bool job_failed(const struct job *job)
{
	return job->timed_out || job->evicted || job_exitval(job) != 0;
}

struct record *job_copy_args(const struct job *job)
{
	const struct record *r = job->rec;
	size_t head = sizeof(*r) + r->n * sizeof(struct value);
	size_t size = head;

	for (size_t i = 0; i < r->n; i++) {
		size += r->v[i].len + 1;
	}
	struct record *copy = xmalloc(size);
	char *p = (char *)copy + head;
	copy->n = r->n;
	copy->width = r->width;
	for (size_t i = 0; i < r->n; i++) {
		if (r->v[i].s == template_void) {
			/* -N0: no value, not an empty one. */
			copy->v[i] = r->v[i];
			continue;
		}
		memcpy(p, r->v[i].s, r->v[i].len);
		p[r->v[i].len] = '\0';
		copy->v[i] = (struct value){p, r->v[i].len};
		p += r->v[i].len + 1;
	}
	return copy;
}

int job_exitval(const struct job *job)
{
	if (WIFEXITED(job->status)) {
		return WEXITSTATUS(job->status);
	}
	if (WIFSIGNALED(job->status)) {
		return 128 + WTERMSIG(job->status);
	}
	return 255;
}
