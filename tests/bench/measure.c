/*
 * Runs one command and writes to RESULT how it went: nanoseconds from just
 * before the spawn to the end of the wait, the peak RSS in KiB (the largest
 * of the command and of the processes it waited for) and its wait status,
 * as one line "NS KIB STATUS".
 *
 *   measure RESULT COMMAND [ARG]...
 *
 * tests/bench/run starts every tool through this small program rather than
 * directly: a child that a large process (python) spawns keeps that
 * process's RSS high-water mark across exec, whether by fork or vfork, so
 * the child's own peak would be lost under the parent's.  Timing here also
 * leaves the harness's own costs out.  Exits 0 once RESULT is written, 2 if
 * the command could not be run.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	if (argc < 3) {
		fputs("usage: measure RESULT COMMAND [ARG]...\n", stderr);
		return 2;
	}
	int result = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0600);
	if (result < 0) {
		fprintf(stderr, "measure: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}

	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	pid_t pid;
	int err = posix_spawnp(&pid, argv[2], NULL, NULL, argv + 2, environ);
	if (err != 0) {
		fprintf(stderr, "measure: %s: %s\n", argv[2], strerror(err));
		return 2;
	}
	int status;
	struct rusage ru;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("measure: waitpid");
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	/* The command is our only child: its usage is all there is. */
	getrusage(RUSAGE_CHILDREN, &ru);

	long long ns = (long long)(end.tv_sec - start.tv_sec) * 1000000000LL +
		       (end.tv_nsec - start.tv_nsec);
	if (dprintf(result, "%lld %ld %d\n", ns, ru.ru_maxrss, status) < 0 ||
	    close(result) != 0) {
		perror("measure");
		return 2;
	}
	return 0;
}
