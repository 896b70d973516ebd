/*
 * prun: run commands in parallel.  main() only wires the modules together:
 * parse the command line, prepare the template, run the scheduler and turn
 * its outcome into an exit status.
 */
#define _GNU_SOURCE /* close_range */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "cli.h"
#include "log.h"
#include "sched.h"
#include "template.h"

static int run(struct cli *c)
{
	char *cause = NULL;
	long max_jobs = options_jobs(c->opts.jobs,
				     (long)uv_available_parallelism(), &cause);
	const char *shell = c->opts.shell ? c->opts.shell
					  : getenv("PRUN_SHELL");
	struct template_config tc = {
		.replace = c->opts.replace,
		.shell = shell && shell[0] ? shell : "/bin/sh",
	};
	struct template *tmpl = NULL;

	if (max_jobs < 0 ||
	    template_parse(&tmpl, c->command, c->n_command, &tc, &cause) < 0) {
		warn("%s", cause);
		free(cause);
		return 255;
	}
	struct input_config ic = {
		.sources = c->sources,
		.n_sources = c->n_sources,
		.delimiter = c->opts.delimiter,
		.max_args = c->opts.max_args,
		.skip_empty = c->opts.no_run_if_empty,
	};
	const char *tmpdir = getenv("TMPDIR");
	struct sched_config sc = {
		.opts = &c->opts,
		.tmpl = tmpl,
		.input = &ic,
		.max_jobs = max_jobs,
		.tmpdir = tmpdir && tmpdir[0] ? tmpdir : "/tmp",
	};
	struct sched_result res = sched_run(&sc);
	template_destroy(tmpl);
	if (res.signal) {
		/* Die of the signal, so the caller sees what happened. */
		signal(res.signal, SIG_DFL);
		raise(res.signal);
	}
	return res.status;
}

/*
 * Descriptors inherited from prun's caller must not reach the jobs: mark
 * every one above 2 close-on-exec (prun itself may still use them).
 */
static void keep_inherited_fds_from_jobs(void)
{
#ifdef CLOSE_RANGE_CLOEXEC
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) {
		return;
	}
#endif
	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		if (fd > 2 && fd != dirfd(d)) {
			fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
		}
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	struct cli c;
	char *cause = NULL;
	int status = 0;

	/* EPIPE on stdout is handled where it happens. */
	signal(SIGPIPE, SIG_IGN);
	keep_inherited_fds_from_jobs();
	if (cli_parse(&c, argc, argv, &cause) < 0) {
		warn("%s", cause);
		free(cause);
		status = 255;
	} else if (!c.done) {
		status = run(&c);
	}
	cli_finish(&c);
	return status;
}
