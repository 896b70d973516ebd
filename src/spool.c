/*
 * Spools.  A job's output cannot be watched byte by byte (the job writes
 * its temp file itself), so a full disk is found by looking at the file
 * system afterwards: a write that failed with ENOSPC leaves it full.
 * statfs() says cheaply when there is plenty of room; near the limit, a
 * small probe write decides, with the credentials the jobs have (root may
 * use blocks that statfs counts as unavailable), as GNU parallel does.
 *
 * Compressors and decompressors (--compress) are children of prun that
 * the scheduler reaps with the jobs: it hands their exit status here
 * (spool_reaped), and a spool that needs one waits for it here.  They get
 * a process group of their own, so that a Ctrl-C meant for the jobs does
 * not cut the output they hold; prun kills them when it ends.
 */
#define _GNU_SOURCE /* O_TMPFILE, mkostemp, fallocate */
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

/* Above this much free space, statfs() alone says there is room. */
#define ROOM_SURE (4u << 20)
/* The probe write near the limit: a few pages. */
#define PROBE_SIZE 16384


/* A compressor or decompressor. */
struct helper {
	pid_t pid;
	int status;
	bool reaped;          /* status is its exit status */
	bool forgotten;       /* nobody waits for it: drop it once reaped */
};

/* The shell commands of --compress, or NULL. */
static const char *zip_cmd;
static const char *unzip_cmd;
/* Compressors and decompressors not yet waited for. */
static struct helper *helpers; /* owned array */
static size_t n_helpers;
static size_t helpers_cap;

void spool_set_compress(const char *zip, const char *unzip)
{
	zip_cmd = zip;
	unzip_cmd = unzip;
}

static struct helper *helper_find(pid_t pid)
{
	for (size_t i = 0; i < n_helpers; i++) {
		if (helpers[i].pid == pid) {
			return &helpers[i];
		}
	}
	return NULL;
}

static void helper_remove(struct helper *h)
{
	*h = helpers[--n_helpers];
}

/*
 * Runs the shell command cmd with stdin `in` and stdout `out`: 0 with its
 * pid in *pid, or -errno.
 */
static int helper_spawn(const char *cmd, int in, int out, pid_t *pid)
{
	char *argv[] = {"sh", "-c", (char *)cmd, NULL};
	int r = spawn_helper(pid, "/bin/sh", argv, in, out, -1);

	if (r < 0) {
		return r;
	}
	if (n_helpers == helpers_cap) {
		helpers_cap = helpers_cap ? 2 * helpers_cap : 8;
		helpers = xreallocarray(helpers, helpers_cap,
					sizeof(*helpers));
	}
	helpers[n_helpers++] = (struct helper){.pid = *pid};
	return 0;
}

/* Waits for the helper pid: its exit status. */
static int helper_wait(pid_t pid)
{
	struct helper *h = helper_find(pid);
	int status = 0;

	if (!h) {
		return W_EXITCODE(255, 0);
	}
	if (h->reaped) {
		status = h->status;
	} else {
		/*
		 * Only the loop's thread reaps, so the scheduler cannot take
		 * it meanwhile; a helper waited for has closed its output or
		 * lost its input, and ends at once.
		 */
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
		}
	}
	helper_remove(h);
	return status;
}

/* Nobody will wait for the helper pid. */
static void helper_forget(pid_t pid)
{
	struct helper *h = helper_find(pid);

	if (h && h->reaped) {
		helper_remove(h);
	} else if (h) {
		h->forgotten = true;
	}
}

bool spool_reaped(pid_t pid, int status)
{
	struct helper *h = helper_find(pid);

	if (!h) {
		return false;
	}
	if (h->forgotten) {
		helper_remove(h);
		return true;
	}
	h->reaped = true;
	h->status = status;
	return true;
}

void spool_end_helpers(void)
{
	for (size_t i = 0; i < n_helpers; i++) {
		if (!helpers[i].reaped) {
			/* The output they held is written or given up. */
			kill(helpers[i].pid, SIGKILL);
			while (waitpid(helpers[i].pid, NULL, 0) < 0 &&
			       errno == EINTR) {
			}
		}
	}
	free(helpers);
	helpers = NULL;
	n_helpers = 0;
	helpers_cap = 0;
}

void spool_init(struct spool *sp)
{
	buf_init(&sp->mem);
	sp->fd = -1;
	sp->zin = -1;
	sp->zpid = 0;
	sp->len = 0;
}

void spool_finish(struct spool *sp)
{
	buf_finish(&sp->mem);
	if (sp->fd >= 0) {
		close(sp->fd);
	}
	if (sp->zin >= 0) {
		close(sp->zin); /* the compressor ends */
	}
	if (sp->zpid > 0) {
		helper_forget(sp->zpid);
	}
	spool_init(sp);
}

bool spool_compressed(const struct spool *sp)
{
	return sp->zpid > 0;
}

/* Starts a compressor that writes the new temp file fd: 0 or -errno. */
static int zip_start(struct spool *sp, int fd)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0) {
		return -errno;
	}
	int r = helper_spawn(zip_cmd, p[0], fd, &sp->zpid);
	close(p[0]);
	if (r < 0) {
		close(p[1]);
		sp->zpid = 0;
		return r;
	}
	sp->zin = p[1];
	return 0;
}

int spool_unzip(struct spool *sp, pid_t *pid, char **cause)
{
	int p[2];

	close(sp->zin);
	sp->zin = -1;
	int status = helper_wait(sp->zpid);
	sp->zpid = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		*cause = xasprintf("compress program %s failed", zip_cmd);
		return -EIO;
	}
	if (lseek(sp->fd, 0, SEEK_SET) < 0 || pipe2(p, O_CLOEXEC) < 0) {
		int err = errno;
		*cause = xasprintf("cannot read a spool file: %s",
				   strerror(err));
		return -err;
	}
	int r = helper_spawn(unzip_cmd, sp->fd, p[1], pid);
	close(p[1]);
	if (r < 0) {
		close(p[0]);
		*cause = xasprintf("cannot run %s: %s", unzip_cmd,
				   strerror(-r));
		return r;
	}
	return p[0];
}

int spool_unzip_end(pid_t pid, bool whole, char **cause)
{
	int status = helper_wait(pid);

	if (!whole || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		*cause = xasprintf("decompress program %s failed", unzip_cmd);
		return -EIO;
	}
	return 0;
}

/*
 * After a failed write to the spool's file: keeps the file as it was, so
 * that what it holds is still whole and the next write goes at its end.
 */
static int spool_cut(struct spool *sp)
{
	if (ftruncate(sp->fd, (off_t)sp->len) < 0 ||
	    lseek(sp->fd, (off_t)sp->len, SEEK_SET) < 0) {
		return -errno;
	}
	return 0;
}

int spool_append(struct spool *sp, const char *p, size_t n, size_t budget,
		 const char *dir, char **cause)
{
	int r;

	if (sp->fd < 0 && sp->len + n <= budget) {
		buf_add(&sp->mem, p, n);
		sp->len += n;
		return 0;
	}
	if (sp->fd < 0) {
		int fd = spool_tmpfile(dir);
		if (fd < 0) {
			*cause = xasprintf("cannot create a temp file in %s: "
					   "%s", dir, strerror(-fd));
			return fd;
		}
		if (zip_cmd && (r = zip_start(sp, fd)) < 0) {
			close(fd);
			*cause = xasprintf("cannot run %s: %s", zip_cmd,
					   strerror(-r));
			return r;
		}
		r = write_all(sp->zin >= 0 ? sp->zin : fd, sp->mem.data,
			      sp->mem.len);
		sp->fd = fd;
		if (r < 0 && sp->zin >= 0) {
			goto zip_fail;
		}
		if (r < 0) {
			sp->fd = -1;
			close(fd);
			goto fail;
		}
		buf_finish(&sp->mem);
	}
	if (sp->zin >= 0) {
		r = write_all(sp->zin, p, n);
		if (r < 0) {
			goto zip_fail;
		}
		sp->len += n;
		return 0;
	}
	r = write_all(sp->fd, p, n);
	if (r < 0) {
		int cut = spool_cut(sp);
		r = cut < 0 ? cut : r;
		goto fail;
	}
	sp->len += n;
	return 0;
fail:
	*cause = xasprintf("cannot write a temp file in %s: %s", dir,
			   strerror(-r));
	return r;
zip_fail:
	/* The compressor is gone: what it held is lost whatever comes. */
	*cause = xasprintf("compress program %s failed", zip_cmd);
	return r;
}

ssize_t spool_splice(struct spool *sp, int from, size_t max)
{
	ssize_t n;

	if (sp->zin >= 0) {
		return -EINVAL; /* the bytes go through the compressor */
	}
	do {
		n = splice(from, NULL, sp->fd, NULL, max, SPLICE_F_NONBLOCK);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN) {
		return 0;
	}
	if (n < 0) {
		int err = errno;
		int r = spool_cut(sp);
		return r < 0 ? r : -err;
	}
	sp->len += (uint64_t)n;
	return n;
}

int spool_take_file(struct spool *sp)
{
	int fd = sp->fd;

	sp->fd = -1;
	spool_finish(sp);
	return fd;
}

int spool_dir_usable(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		return -ENOTDIR;
	}
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) < 0) {
		return -errno;
	}
	return 0;
}

int spool_tmpfile(const char *dir)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0) {
		return fd;
	}
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
		return -errno;
	}
	/* No O_TMPFILE here: a named file, unlinked at once. */
	char *path = xasprintf("%s/prun.XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	int err = errno;
	if (fd >= 0) {
		unlink(path);
	}
	free(path);
	return fd >= 0 ? fd : -err;
}

int spool_named(const char *dir, char **path)
{
	char *p = xasprintf("%s/prun.XXXXXX", dir);
	int fd = mkostemp(p, O_CLOEXEC);

	if (fd < 0) {
		int err = errno;
		free(p);
		return -err;
	}
	*path = p;
	return fd;
}

int spool_release(int fd, int64_t len)
{
	/* Whole pages only: a partial one would be zeroed, not freed. */
	len &= ~(int64_t)4095;
	if (len <= 0) {
		return 0;
	}
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
		      (off_t)len) < 0) {
		return -errno;
	}
	return 0;
}

/* True if the file system statvfs() described has `bytes` free. */
static bool has_room(const struct statvfs *st, uint64_t bytes)
{
	return (uint64_t)st->f_bavail * st->f_frsize >= bytes;
}

bool spool_room_sure(int fd)
{
	struct statvfs st;

	return fstatvfs(fd, &st) == 0 && has_room(&st, ROOM_SURE);
}

bool spool_dir_has_room(const char *dir, uint64_t bytes)
{
	struct statvfs st;

	return statvfs(dir, &st) == 0 && has_room(&st, bytes);
}

int spool_check_room(int probe, int fd)
{
	static const char zeros[PROBE_SIZE];
	struct statvfs st;

	if (probe == -EMFILE || probe == -ENFILE) {
		if (fstatvfs(fd, &st) < 0) {
			return -errno;
		}
		return has_room(&st, PROBE_SIZE) ? 0 : -ENOSPC;
	}
	if (probe < 0) {
		return probe;
	}
	if (spool_room_sure(probe)) {
		return 0;
	}
	ssize_t r;
	do {
		r = pwrite(probe, zeros, sizeof(zeros), 0);
	} while (r < 0 && errno == EINTR);
	int err = r < 0 ? errno : 0;
	if (ftruncate(probe, 0) < 0 && err == 0) {
		err = errno;
	}
	if (r >= 0 && (size_t)r < sizeof(zeros)) {
		err = ENOSPC;
	}
	return -err;
}
