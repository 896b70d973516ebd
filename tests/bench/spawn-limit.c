/*
 * The floor of what a parallel job runner can cost: read arguments from
 * standard input, one per line, and keep up to N children running with
 * posix_spawn and waitpid, nothing else.  No output capture, no ordering,
 * no process groups, no event loop; the children write straight to our
 * stdout and read stdin from /dev/null.  tests/bench/run measures every
 * runner against this.
 *
 *   spawn-limit [-s] [-j JOBS] [-n ARGS] COMMAND [ARG]...
 *
 * Each job runs COMMAND ARG... with up to ARGS input lines appended (one by
 * default).  With -s, COMMAND is a shell command instead: the job runs
 * /bin/sh -c "COMMAND LINE...", the lines joined by spaces and not quoted,
 * the way GNU parallel builds its command lines from safe input.  Exits 0
 * if every job exited 0, 1 if one did not, 2 on a usage or system error.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char usage[] =
	"usage: spawn-limit [-s] [-j JOBS] [-n ARGS] COMMAND [ARG]...\n";

/* Parses a positive count, or exits with a usage error. */
static long count(const char *s)
{
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < 1) {
		fprintf(stderr, "spawn-limit: bad count '%s'\n", s);
		exit(2);
	}
	return n;
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (p == NULL) {
		perror("spawn-limit");
		exit(2);
	}
	return p;
}

int main(int argc, char **argv)
{
	bool shell = false;
	long jobs = 1, per_job = 1;
	int c;

	while ((c = getopt(argc, argv, "+sj:n:")) != -1) {
		switch (c) {
		case 's':
			shell = true;
			break;
		case 'j':
			jobs = count(optarg);
			break;
		case 'n':
			per_job = count(optarg);
			break;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind >= argc || (shell && optind + 1 != argc)) {
		fputs(usage, stderr);
		return 2;
	}
	char **command = argv + optind;
	size_t n_command = (size_t)(argc - optind);

	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	posix_spawn_file_actions_t actions;
	if (devnull < 0 || posix_spawn_file_actions_init(&actions) != 0 ||
	    posix_spawn_file_actions_adddup2(&actions, devnull, 0) != 0) {
		perror("spawn-limit");
		return 2;
	}

	/*
	 * The lines of one job, kept until the next job replaces them (the
	 * child has exec'd by the time posix_spawn returns).
	 */
	size_t n_lines = (size_t)per_job;
	char **lines = xrealloc(NULL, n_lines * sizeof(*lines));
	size_t *caps = xrealloc(NULL, n_lines * sizeof(*caps));
	for (size_t i = 0; i < n_lines; i++) {
		lines[i] = NULL;
		caps[i] = 0;
	}
	char **child_argv = xrealloc(NULL,
				     (n_command + n_lines + 3) *
				     sizeof(*child_argv));
	char *script = NULL;
	size_t script_cap = 0;

	long running = 0;
	bool eof = false, failed = false;
	while (!eof || running > 0) {
		while (!eof && running < jobs) {
			size_t got = 0;
			while (got < n_lines) {
				ssize_t len = getline(&lines[got], &caps[got],
						      stdin);
				if (len < 0) {
					eof = true;
					break;
				}
				if (len > 0 && lines[got][len - 1] == '\n') {
					lines[got][len - 1] = '\0';
				}
				got++;
			}
			if (got == 0) {
				break;
			}
			size_t k = 0;
			if (shell) {
				size_t len = strlen(command[0]) + 1;
				for (size_t i = 0; i < got; i++) {
					len += strlen(lines[i]) + 1;
				}
				if (len > script_cap) {
					script_cap = len;
					script = xrealloc(script, script_cap);
				}
				char *p = script;
				p = stpcpy(p, command[0]);
				for (size_t i = 0; i < got; i++) {
					*p++ = ' ';
					p = stpcpy(p, lines[i]);
				}
				child_argv[k++] = "sh";
				child_argv[k++] = "-c";
				child_argv[k++] = script;
			} else {
				for (size_t i = 0; i < n_command; i++) {
					child_argv[k++] = command[i];
				}
				for (size_t i = 0; i < got; i++) {
					child_argv[k++] = lines[i];
				}
			}
			child_argv[k] = NULL;

			pid_t pid;
			int err = shell ?
				posix_spawn(&pid, "/bin/sh", &actions, NULL,
					    child_argv, environ) :
				posix_spawnp(&pid, command[0], &actions, NULL,
					     child_argv, environ);
			if (err != 0) {
				fprintf(stderr, "spawn-limit: %s: %s\n",
					child_argv[0], strerror(err));
				failed = true;
				continue;
			}
			running++;
		}
		if (running == 0) {
			continue;
		}
		int status;
		if (waitpid(-1, &status, 0) < 0) {
			if (errno == EINTR) {
				continue;
			}
			perror("spawn-limit: waitpid");
			return 2;
		}
		running--;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			failed = true;
		}
	}

	for (size_t i = 0; i < n_lines; i++) {
		free(lines[i]);
	}
	free(lines);
	free(caps);
	free(child_argv);
	free(script);
	posix_spawn_file_actions_destroy(&actions);
	close(devnull);
	if (fflush(stdout) != 0) {
		return 2;
	}
	return failed ? 1 : 0;
}
