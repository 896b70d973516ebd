/*
 * The file transfers of a remote job (--transferfile, --return, --cleanup,
 * --basefile, --workdir, --rsync-opts): the shell text, for /bin/sh on
 * this machine, that copies files to a host with rsync before the job,
 * fetches its results after it, and removes both from the host.  GNU
 * parallel 20221122 makes the same in Job::sshtransfer, sshreturn and
 * sshcleanup and SSHLogin::rsync_transfer_cmd and cleanup_cmd.
 *
 * Where a file goes on the host (GNU parallel's rule, which is rsync -R's):
 *
 *   sub/f         WORKDIR/sub/f     relative: under the working directory
 *   /abs/f        /abs/f            absolute: the same path
 *   /abs/./sub/f  WORKDIR/sub/f     "/./": the part after it, relative
 *   sub/./f       WORKDIR/f         (rsync cuts at the first "/./")
 *
 * and a returned file comes back to the local path it was named by.
 *
 * Pure: nothing is run, and no file is looked at here; a file that cannot
 * be read when the job starts is skipped by the shell text itself, with a
 * warning, as GNU parallel skips it.  rsync runs through the host's
 * ssh command ("-e"), so it shares the job's ControlMaster.
 */
#ifndef PRUN_TRANSFER_H
#define PRUN_TRANSFER_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

/* GNU parallel's default for $PARALLEL_RSYNC_OPTS and --rsync-opts. */
#define TRANSFER_RSYNC_OPTS "-rlDzR"

/* Where and how one job's files travel.  All strings are borrowed. */
struct transfer {
	/*
	 * The command that reaches the host, as shell text without the
	 * host: "ssh -S /tmp/x/ctl -o ControlMaster=no".  It is also
	 * rsync's -e, which splits it into words itself.
	 */
	const char *ssh;
	/* The host as ssh takes it: "host" or "user@host". */
	const char *host;
	/*
	 * The working directory on the host (--workdir, already rendered
	 * and cleaned with transfer_workdir()); NULL for the login
	 * directory.  Relative paths are relative to the login directory.
	 */
	const char *workdir;
	/* workdir is --workdir ...'s own: transfer_cleanup() removes it. */
	bool unique;
	/*
	 * rsync's options, shell text (--rsync-opts, else
	 * $PARALLEL_RSYNC_OPTS, else TRANSFER_RSYNC_OPTS).  The rule above
	 * needs -R in them, as GNU parallel's does.
	 */
	const char *rsync_opts;
};

/*
 * Cleans a rendered --workdir value as GNU parallel does (Job::workdir):
 * "/./" becomes "/", a trailing "/" and a leading "./" go.  Owned result.
 */
char *transfer_workdir(const char *wd);

/*
 * Appends the commands that copy files[0..n) to the host, making the
 * working directory first; nothing for n == 0.
 */
void transfer_send(struct buf *b, const struct transfer *t,
		   char *const *files, size_t n);

/*
 * Appends the commands that fetch files[0..n) (--return, rendered) from
 * the host to where they are named here; nothing for n == 0.
 */
void transfer_return(struct buf *b, const struct transfer *t,
		     char *const *files, size_t n);

/*
 * Appends one ssh command that removes from the host the files a job sent
 * and returned (--cleanup; pass n == 0 without it), the directories they
 * leave empty, and the working directory if it is unique; nothing if there
 * is nothing to remove.
 */
void transfer_cleanup(struct buf *b, const struct transfer *t,
		      char *const *sent, size_t n_sent,
		      char *const *returned, size_t n_returned);

/*
 * Appends the commands that copy the --basefile files to the host, once
 * before its first job.  Returns 0, or -EINVAL with *cause when a file
 * would land in a unique working directory, which is each job's own.
 */
int transfer_basefile(struct buf *b, const struct transfer *t,
		      char *const *files, size_t n, char **cause);

/*
 * Appends one ssh command that removes the --basefile files from the host
 * (with --cleanup, after its last job), as transfer_cleanup() does.
 */
void transfer_basefile_cleanup(struct buf *b, const struct transfer *t,
			       char *const *files, size_t n);

#endif
