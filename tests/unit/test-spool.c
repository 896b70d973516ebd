/*
 * Spools: bytes stay in memory within the budget, move to an unlinked temp
 * file beyond it (through a compressor, under --compress), and come back
 * byte for byte.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool.h"
#include "tap.h"
#include "util.h"

/* Reads the whole spool back, from memory or from its file. */
static char *contents(struct spool *sp)
{
	char *p = xmalloc(sp->len + 1);

	if (sp->fd < 0) {
		memcpy(p, sp->mem.data ? sp->mem.data : "", sp->len);
	} else if (pread(sp->fd, p, sp->len, 0) != (ssize_t)sp->len) {
		p[0] = '\0';
	}
	p[sp->len] = '\0';
	return p;
}

static size_t dir_entries(const char *dir)
{
	char *cmd = xasprintf("ls -A '%s' | wc -l", dir);
	FILE *f = popen(cmd, "r");
	size_t n = 99;

	if (f && fscanf(f, "%zu", &n) != 1) {
		n = 99;
	}
	if (f) {
		pclose(f);
	}
	free(cmd);
	return n;
}

int main(void)
{
	char dir[] = "/tmp/prun-test-spool.XXXXXX";
	char *cause = NULL;
	struct spool sp;

	if (!mkdtemp(dir)) {
		printf("Bail out! cannot make a temp dir\n");
		return 1;
	}
	spool_init(&sp);
	tap_ok(spool_append(&sp, "abc", 3, 8, dir, &cause) == 0 &&
	       sp.fd < 0 && sp.len == 3, "keeps bytes within budget in memory");
	tap_ok(spool_append(&sp, "defgh", 5, 8, dir, &cause) == 0 &&
	       sp.fd < 0 && sp.len == 8, "fills the budget exactly in memory");
	tap_ok(spool_append(&sp, "i", 1, 8, dir, &cause) == 0 &&
	       sp.fd >= 0 && sp.len == 9 && sp.mem.len == 0,
	       "moves everything to a file beyond the budget");
	tap_ok(spool_append(&sp, "jk", 2, 8, dir, &cause) == 0 &&
	       sp.len == 11, "appends to the file from then on");
	char *got = contents(&sp);
	tap_is(got, "abcdefghijk", "gives the bytes back in order");
	free(got);
	tap_ok(dir_entries(dir) == 0, "leaves no name in the directory");

	int pipe_fd[2];
	if (pipe(pipe_fd) < 0) {
		printf("Bail out! cannot make a pipe\n");
		return 1;
	}
	tap_ok(write(pipe_fd[1], "lmnop", 5) == 5 &&
	       spool_splice(&sp, pipe_fd[0], 3) == 3 && sp.len == 14,
	       "moves bytes from a pipe to its file, up to a limit");
	tap_ok(spool_append(&sp, "q", 1, 8, dir, &cause) == 0 &&
	       spool_splice(&sp, pipe_fd[0], 100) == 2 && sp.len == 17,
	       "appends and moves in turn");
	tap_ok(spool_splice(&sp, pipe_fd[0], 100) == 0,
	       "moves nothing from an empty pipe, without waiting");
	got = contents(&sp);
	tap_is(got, "abcdefghijklmnqop",
	       "keeps appended and moved bytes in order");
	free(got);
	close(pipe_fd[0]);
	close(pipe_fd[1]);

	int fd = spool_take_file(&sp);
	tap_ok(fd >= 0 && sp.fd < 0 && sp.len == 0,
	       "hands its file over and is empty again");
	close(fd);
	spool_finish(&sp);

	tap_ok(spool_append(&sp, "x", 1, 0, "/no/such/dir", &cause) < 0 &&
	       cause && strstr(cause, "/no/such/dir") && sp.len == 0,
	       "reports a directory it cannot use");
	free(cause);
	spool_finish(&sp);

	char *path = NULL;
	fd = spool_named(dir, &path);
	tap_ok(fd >= 0 && path && strncmp(path, dir, strlen(dir)) == 0 &&
	       access(path, F_OK) == 0, "makes a named file that stays");
	int probe = spool_tmpfile(dir);
	tap_ok(probe >= 0 && spool_check_room(probe, fd) == 0,
	       "finds room on a file system with space");
	tap_ok(spool_check_room(-EMFILE, fd) == 0 &&
	       spool_check_room(-ENFILE, fd) == 0,
	       "without a probe, finds room by the free space");
	tap_ok(spool_check_room(-EACCES, fd) == -EACCES,
	       "says why a probe could not be made");
	struct stat st;
	tap_ok(fstat(probe, &st) == 0 && st.st_size == 0,
	       "leaves the probe file empty");
	close(probe);
	close(fd);
	unlink(path);
	free(path);

	/* Compressed: the file holds gzip's bytes, read back through it. */
	spool_set_compress("gzip -c", "gzip -dc");
	spool_init(&sp);
	char big[4096];
	memset(big, 'z', sizeof(big));
	int ok = 1;
	for (int i = 0; i < 64; i++) {
		ok &= spool_append(&sp, big, sizeof(big), 8192, dir,
				   &cause) == 0;
	}
	tap_ok(ok && spool_compressed(&sp) && sp.len == 64 * sizeof(big),
	       "compresses what goes beyond the budget");
	pid_t pid = 0;
	int src = spool_unzip(&sp, &pid, &cause);
	struct stat zst;
	tap_ok(src >= 0 && fstat(sp.fd, &zst) == 0 && zst.st_size > 0 &&
	       zst.st_size < (off_t)sizeof(big),
	       "its file holds the compressor's smaller output");
	size_t n = 0;
	ssize_t r;
	ok = 1;
	while (src >= 0 && (r = read(src, big, sizeof(big))) > 0) {
		for (ssize_t i = 0; i < r; i++) {
			ok &= big[i] == 'z';
		}
		n += (size_t)r;
	}
	tap_ok(ok && n == 64 * sizeof(big),
	       "gives the bytes back through the decompressor");
	if (src >= 0) {
		close(src);
	}
	tap_ok(src >= 0 && spool_unzip_end(pid, true, &cause) == 0,
	       "sees the decompressor succeed");
	spool_finish(&sp);

	signal(SIGPIPE, SIG_IGN); /* as prun does */
	spool_set_compress("false", "gzip -dc");
	spool_init(&sp);
	ok = 0;
	for (int i = 0; i < 64 && !ok; i++) {
		ok = spool_append(&sp, big, sizeof(big), 0, dir, &cause) < 0;
	}
	if (!ok) {
		ok = spool_unzip(&sp, &pid, &cause) < 0;
	}
	tap_ok(ok && cause && strstr(cause, "false"),
	       "names a compressor that fails");
	free(cause);
	spool_finish(&sp);
	spool_end_helpers();
	tap_ok(dir_entries(dir) == 0, "leaves no name in the directory");
	rmdir(dir);
	return tap_done();
}
