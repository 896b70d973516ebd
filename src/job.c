/*
 * Jobs.  Each job is spawned with posix_spawn() as the leader of its own
 * process group (not a new session, so it keeps the controlling terminal).
 * glibc's posix_spawn uses clone(CLONE_VFORK): its cost does not grow with
 * prun's memory, unlike fork(), and a failed exec is reported here, at
 * once.  The child gets stdin from /dev/null; stdout and stderr in spool
 * files it writes itself, in pipes (--line-buffer) or prun's own
 * (--ungroup); default signal dispositions and an empty signal mask.  Every
 * other descriptor of prun is close-on-exec.
 */
#define _GNU_SOURCE /* pipe2, environ */
#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "input.h"
#include "spool.h"
#include "util.h"

struct spawner {
	struct spawner_config cfg;
	int devnull;              /* owned */
	posix_spawnattr_t attr;
	char **envp;              /* owned array; strings from environ */
	size_t n_env;             /* entries before the two of prun */
	char env_seq[40];
	char env_slot[40];
	struct buf cmd;           /* scratch: the shell command line */
	struct argv argv;         /* scratch: a direct job's argv */
	char *shell_argv0;        /* owned */
	uint64_t total;           /* {##} */
};

static bool is_prun_var(const char *e)
{
	return strncmp(e, "PARALLEL_SEQ=", 13) == 0 ||
	       strncmp(e, "PARALLEL_JOBSLOT=", 17) == 0;
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

	size_t n = 0;
	while (environ[n]) {
		n++;
	}
	sp->envp = xcalloc(n + 3, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		if (!is_prun_var(environ[i])) {
			sp->envp[sp->n_env++] = environ[i];
		}
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

	buf_init(&sp->cmd);
	argv_init(&sp->argv);
	const char *shell = template_shell(cfg->tmpl);
	const char *slash = strrchr(shell, '/');
	sp->shell_argv0 = xstrdup(slash ? slash + 1 : shell);
	*out = sp;
	return 0;
}

void spawner_destroy(struct spawner *sp)
{
	if (!sp) {
		return;
	}
	close(sp->devnull);
	posix_spawnattr_destroy(&sp->attr);
	free(sp->envp);
	buf_finish(&sp->cmd);
	argv_finish(&sp->argv);
	free(sp->shell_argv0);
	free(sp);
}

static void close_spools(struct job *job);

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
	return job;
}

void job_destroy(struct job *job)
{
	if (!job) {
		return;
	}
	close_spools(job);
	free(job->out_path);
	free(job->tag);
	free(job->header);
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
	};
}

void job_command(const struct spawner *sp, const struct job *job,
		 struct buf *b)
{
	struct job_args a = args_of(sp, job);

	template_render(sp->cfg.tmpl, &a, b);
}

void job_render(const struct spawner *sp, const struct template *t,
		const struct job *job, struct buf *b)
{
	struct job_args a = args_of(sp, job);

	template_render(t, &a, b);
}

static void close_spools(struct job *job)
{
	if (job->out_fd >= 0) {
		close(job->out_fd);
		job->out_fd = -1;
	}
	if (job->err_fd >= 0) {
		close(job->err_fd);
		job->err_fd = -1;
	}
}

static bool is_transient(int err)
{
	return err == EAGAIN || err == EMFILE || err == ENFILE ||
	       err == ENOMEM;
}

/*
 * Makes the job's output files or pipes: 0, or -errno.  The child's ends
 * are returned in child[] (for pipes, they are ours to close after the
 * spawn; otherwise they are the job's own fds).
 */
static int make_outputs(struct spawner *sp, struct job *job, int child[2])
{
	int out[2], err[2], fd;

	switch (sp->cfg.io) {
	case JOB_IO_INHERIT:
		return 0;
	case JOB_IO_PIPE:
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
		child[0] = out[1];
		child[1] = err[1];
		return 0;
	case JOB_IO_FILES:
		fd = spool_named(sp->cfg.tmpdir, &job->out_path);
		break;
	case JOB_IO_SPOOL:
	default:
		fd = spool_tmpfile(sp->cfg.tmpdir);
		break;
	}
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

/* Undoes make_outputs() after a failed spawn. */
static void drop_outputs(struct job *job)
{
	close_spools(job);
	if (job->out_path) {
		unlink(job->out_path);
		free(job->out_path);
		job->out_path = NULL;
	}
}

int job_spawn(struct spawner *sp, struct job *job, char **cause)
{
	struct job_args a = args_of(sp, job);
	posix_spawn_file_actions_t fa;
	int child[2] = {-1, -1};
	bool pipes = sp->cfg.io == JOB_IO_PIPE;

	int err = -make_outputs(sp, job, child);
	if (err) {
		drop_outputs(job);
		if (is_transient(err)) {
			return -EAGAIN;
		}
		*cause = pipes ? xasprintf("cannot create a pipe: %s",
					   strerror(err))
			       : xasprintf("cannot create a spool file in "
					   "%s: %s", sp->cfg.tmpdir,
					   strerror(err));
		return -err;
	}

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sp->devnull, STDIN_FILENO);
	if (child[0] >= 0) {
		posix_spawn_file_actions_adddup2(&fa, child[0],
						 STDOUT_FILENO);
		posix_spawn_file_actions_adddup2(&fa, child[1],
						 STDERR_FILENO);
	}

	snprintf(sp->env_seq, sizeof(sp->env_seq), "PARALLEL_SEQ=%llu",
		 (unsigned long long)job->seq);
	snprintf(sp->env_slot, sizeof(sp->env_slot), "PARALLEL_JOBSLOT=%u",
		 job->slot);
	sp->envp[sp->n_env] = sp->env_seq;
	sp->envp[sp->n_env + 1] = sp->env_slot;

	const char *prog = template_program(sp->cfg.tmpl);
	char *const *argv;
	char *shell_argv[4];
	if (prog) {
		template_render_argv(sp->cfg.tmpl, &a, &sp->argv);
		argv = sp->argv.v;
	} else {
		sp->cmd.len = 0;
		template_render(sp->cfg.tmpl, &a, &sp->cmd);
		prog = template_shell(sp->cfg.tmpl);
		shell_argv[0] = sp->shell_argv0;
		shell_argv[1] = "-c";
		shell_argv[2] = sp->cmd.data;
		shell_argv[3] = NULL;
		argv = shell_argv;
	}

	pid_t pid;
	err = posix_spawn(&pid, prog, &fa, &sp->attr, argv, sp->envp);
	posix_spawn_file_actions_destroy(&fa);
	if (pipes) {
		/* Only the child may hold the write ends, or EOF never comes. */
		close(child[0]);
		close(child[1]);
	}
	if (err == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		job->pid = pid;
		job->start_ns = now_ns();
		job->start_wall = (double)ts.tv_sec + ts.tv_nsec / 1e9;
		return 0;
	}
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

void job_signal(const struct job *job, int sig)
{
	if (job->pid > 0 && !job->exited) {
		kill(-job->pid, sig);
	}
}

bool job_failed(const struct job *job)
{
	return job->timed_out || job_exitval(job) != 0;
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
