/*
 * Spools: bytes held for later, in memory up to a budget and beyond it in
 * an unlinked temp file, so that memory stays bounded and a killed prun
 * leaves no file behind.  Also the temp files that jobs write into
 * directly, and the check that their file system did not run full.
 * Under --compress, a spool's temp file is written by a compressor and
 * read back through a decompressor: helper processes of prun's own.
 */
#ifndef PRUN_SPOOL_H
#define PRUN_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

struct spool {
	struct buf mem;   /* the bytes while they are in memory */
	int fd;           /* owned; the temp file once spilled, else -1 */
	int zin;          /* owned; the compressor's stdin, or -1 */
	pid_t zpid;       /* the compressor writing fd, or 0 */
	uint64_t len;     /* bytes held, in memory or in the file */
};

/*
 * Spools spilled from now on go through the shell command zip into their
 * file, and are read back through unzip; NULL for neither.  The strings
 * must outlive the spools.
 */
void spool_set_compress(const char *zip, const char *unzip);

void spool_init(struct spool *sp);
/* Frees the memory and closes the file; the spool is empty again. */
void spool_finish(struct spool *sp);

/*
 * Appends p[0..n).  Once the spool would hold more than budget bytes, all
 * of it moves to a new unlinked temp file in dir, and so does whatever is
 * appended later.  Returns 0, or -errno with a message in *cause (the
 * spool then holds what it held before).
 */
int spool_append(struct spool *sp, const char *p, size_t n, size_t budget,
		 const char *dir, char **cause);

/*
 * Moves what the pipe `from` holds, up to `max` bytes, to the end of the
 * spool's temp file (it must have one) without a copy through memory:
 * the bytes moved, 0 at the pipe's end or if it is empty for now, or
 * -errno (the spool then holds what it held before).
 */
ssize_t spool_splice(struct spool *sp, int from, size_t max);

/* Hands over the spool's temp file (the caller closes it); -1 if none. */
int spool_take_file(struct spool *sp);

/* True if the spool's temp file holds compressed bytes. */
bool spool_compressed(const struct spool *sp);

/*
 * Ends a compressed spool's writing and starts its decompressor: the read
 * end of a pipe that gives the spool's bytes from the start (the caller
 * closes it), with the decompressor in *pid for spool_unzip_end(); or
 * -errno with a message in *cause if the compressor failed.
 */
int spool_unzip(struct spool *sp, pid_t *pid, char **cause);

/*
 * Waits for the decompressor pid once its pipe is read: 0 if it gave all
 * of the bytes (`whole`) and succeeded, else -EIO with a message in *cause.
 */
int spool_unzip_end(pid_t pid, bool whole, char **cause);

/*
 * Takes the exit status of a child that the scheduler reaped: true if it
 * was a compressor or decompressor of a spool.
 */
bool spool_reaped(pid_t pid, int status);

/* Kills and reaps the compressors and decompressors still running. */
void spool_end_helpers(void);

/*
 * 0 if temp files can be made in dir, as far as can be told without
 * making one; else -errno.
 */
int spool_dir_usable(const char *dir);

/* An unlinked temp file in dir, close-on-exec: an fd, or -errno. */
int spool_tmpfile(const char *dir);

/*
 * A temp file in dir that stays (--files): an fd, or -errno; its name in
 * *path (the caller frees it).
 */
int spool_named(const char *dir, char **path);

/*
 * Gives back the disk space of the first `len` bytes of a temp file whose
 * bytes have been written out (its size stays): 0, or -errno if the file
 * system cannot.
 */
int spool_release(int fd, int64_t len);

/* True if statfs() says that fd's file system has plenty of room. */
bool spool_room_sure(int fd);

/*
 * True if the file system of directory dir has at least `bytes` bytes
 * free for an unprivileged writer (statvfs(3)'s f_bavail); false if not,
 * or if it cannot tell.
 */
bool spool_dir_has_room(const char *dir, uint64_t bytes);

/*
 * Checks that the file system of the temp file `probe` still has room for
 * a writer with prun's credentials: 0, or -ENOSPC (or another -errno) if a
 * job writing there may have lost data.  probe may be -EMFILE or -ENFILE
 * instead, when no descriptor was left to make it: then the free space of
 * the file system of fd (a file on it) tells alone, as statvfs(3) gives
 * it, against the size of a probe write.
 */
int spool_check_room(int probe, int fd);

#endif
