/*
 * Spools.  A job's output cannot be watched byte by byte (the job writes
 * its temp file itself), so a full disk is found by looking at the file
 * system afterwards: a write that failed with ENOSPC leaves it full.
 * statfs() says cheaply when there is plenty of room; near the limit, a
 * small probe write decides, with the credentials the jobs have (root may
 * use blocks that statfs counts as unavailable), as GNU parallel does.
 */
#define _GNU_SOURCE /* O_TMPFILE, mkostemp, fallocate */
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Above this much free space, statfs() alone says there is room. */
#define ROOM_SURE (4u << 20)
/* The probe write near the limit: a few pages. */
#define PROBE_SIZE 16384

void spool_init(struct spool *sp)
{
	buf_init(&sp->mem);
	sp->fd = -1;
	sp->len = 0;
}

void spool_finish(struct spool *sp)
{
	buf_finish(&sp->mem);
	if (sp->fd >= 0) {
		close(sp->fd);
	}
	spool_init(sp);
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
		r = write_all(fd, sp->mem.data, sp->mem.len);
		if (r < 0) {
			close(fd);
			goto fail;
		}
		sp->fd = fd;
		buf_finish(&sp->mem);
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
}

ssize_t spool_splice(struct spool *sp, int from, size_t max)
{
	ssize_t n;

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

bool spool_room_sure(int fd)
{
	struct statvfs st;

	return fstatvfs(fd, &st) == 0 &&
	       (uint64_t)st.f_bavail * st.f_frsize >= ROOM_SURE;
}

int spool_check_room(int probe)
{
	static const char zeros[PROBE_SIZE];
	struct statvfs st;

	if (fstatvfs(probe, &st) == 0 &&
	    (uint64_t)st.f_bavail * st.f_frsize >= ROOM_SURE) {
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
