/*
 * Jobs on other machines, over OpenSSH: the hosts of -S/--sshloginfile as
 * executors with job slots.  Each remote host is reached through
 * ControlMasters that prun starts and stops; a job is one ssh session
 * through a master, running a small POSIX sh wrapper on the host that
 * kills the job's process group there when the session goes away.
 *
 * The scheduler asks for a slot (remote_take()) before it takes a job,
 * has the job spawned with the argv of remote_argv(), hands every child
 * it reaps to remote_reaped() first, and asks remote_check() whether a
 * job's exit 255 was its own or ssh's.
 */
#ifndef PRUN_REMOTE_H
#define PRUN_REMOTE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hosts.h"
#include "options.h"

struct job;
struct remote;
struct rhost;
struct uv_loop_s;

struct remote_config {
	struct uv_loop_s *loop;
	/* The hosts; their struct host pass to the remote (hs is emptied). */
	struct hosts *hosts;
	const char *jobs;        /* -j's spec: per host, of its CPUs */
	long local_slots;        /* ":": -j as this machine has it */
	const char *tmpdir;      /* for the ControlMaster sockets */
	const struct termseq *termseq; /* also run on the remote side */
	const char *shell;       /* the job's shell; its name runs remotely */
	/*
	 * Jobs read their standard input (--pipe): it cannot tell when the
	 * session ends, so a perl watcher does (see remote_argv()).
	 */
	bool stdin_data;
	double ssh_delay;        /* --ssh-delay: s between ssh starts */
	bool filter_hosts;       /* drop a host at its first failure */
	/*
	 * --sshloginfile: read again when one of them changes (hosts added
	 * get jobs, hosts gone get no more); read() parses them all.
	 */
	char *const *slf;
	size_t n_slf;
	int (*read_slf)(void *data, struct hosts *hs, char **cause);
	void *slf_data;
	const char *env_script;  /* --env: sets the variables, or NULL */
	bool one_each;           /* --onall, --nonall: one job at a time */
	/*
	 * --slurm: the hosts are the nodes of a Slurm allocation (slurm.h),
	 * their slots given; each job is an srun job step of this many CPUs
	 * (0: hosts over ssh).
	 */
	long slurm_cpus;
	long slurm_mem_per_cpu;  /* MB a step's CPU asks for, or 0 */
	/*
	 * --basefile: copied to each host before its first job (to
	 * base_workdir when relative, NULL for the login directory) and,
	 * with cleanup, removed from it at the end.
	 */
	char *const *basefiles;
	size_t n_basefiles;
	const char *base_workdir;
	bool cleanup;
	const char *rsync_opts;  /* rsync's options, shell text */
	/* A host can take jobs now, or was dropped: start what can start. */
	void (*ready)(void *data);
	/* remote_check()'s answer, when it came later: ran = the job's own. */
	void (*checked)(void *data, struct job *job, bool ran);
	void *data;
};

/*
 * Sets the hosts up and starts connecting to them.  Returns 0, or -errno
 * with *cause (no host, or no room for the sockets).
 */
int remote_create(struct remote **out, const struct remote_config *cfg,
		  char **cause);

/*
 * Takes a job slot for job on the host with the most free among those
 * that may run it (its pin, its groups), and the ControlMaster it goes
 * through: sets job->host and job->master (-1 for ":").  Returns 0;
 * -EAGAIN if no such host has a slot now (connections under way call
 * ready() once they are up); -ENOENT if none ever will (all dropped).
 * The slot goes back with remote_release(), whether a job ran or not.
 */
int remote_take(struct remote *r, struct job *job);
void remote_release(struct remote *r, struct rhost *h, int master);
/* The number of hosts (dropped ones too): --onall's pins. */
size_t remote_count(const struct remote *r);
/*
 * Reads the sshloginfiles again if one changed since the last look (at
 * most once a second).
 */
void remote_reread(struct remote *r);
/* True for ":", this machine: the job is spawned as usual. */
bool remote_is_local(const struct rhost *h);
/* The sshlogin as GNU parallel prints it (the job log's Host). */
const char *remote_login(const struct rhost *h);
/* The host alone ({host}): ":" for this machine. */
const char *remote_host(const struct rhost *h);

/* A job's files and working directory on its host; strings borrowed. */
struct remote_files {
	/* --workdir, rendered and cleaned; NULL for the login directory. */
	const char *workdir;
	bool unique;             /* --wd ...: the job's own, removed after */
	char *const *send;       /* --transferfile, rendered */
	size_t n_send;
	char *const *ret;        /* --return, rendered */
	size_t n_ret;
	bool cleanup;            /* --cleanup: both removed after the job */
};

/*
 * The argv (NULL-terminated, owned by r until the next call) that runs
 * command cmd (shell text) of job on its remote host, in f's working
 * directory (f may be NULL: none, no files).  *hold is set when the
 * job's standard input must be a pipe that prun keeps open, without
 * writing, until the job is reaped (the remote side takes its end as the
 * end of the session).  With files to move the argv is a local sh that
 * sends them with rsync, runs the job's ssh, fetches the returned files
 * and cleans up, exiting with the job's status (255 without the job's
 * marker when the host could not be reached).
 */
char *const *remote_argv(struct remote *r, const struct job *job,
			 const char *cmd, const struct remote_files *f,
			 bool *hold);

/*
 * Looks at a reaped job that exited 255 on a remote host: returns 0 if it
 * is the job's own status, 1 if ssh failed (the job did not run to its
 * end: run it again; the host is counted as failing), or 2 if the answer
 * comes later through checked().
 */
int remote_check(struct remote *r, struct job *job);

/*
 * A child that the scheduler reaped and does not know: true if it was the
 * remote's own (a ControlMaster or a check), which it then handles.
 */
bool remote_reaped(struct remote *r, pid_t pid, int status);
/* True while checks are under way: the run is not over. */
bool remote_busy(const struct remote *r);

/*
 * Closes the remote's handles and tells every ControlMaster to exit (the
 * loop is ending).  remote_destroy() then waits for them (up to 2 s).
 */
void remote_close(struct remote *r);
void remote_destroy(struct remote *r);

#endif
