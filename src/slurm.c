/*
 * Jobs as Slurm job steps: the allocation read from Slurm's environment
 * (sbatch(1), salloc(1) OUTPUT ENVIRONMENT VARIABLES) and the srun(1)
 * command of a step.
 */
#define _GNU_SOURCE
#include "slurm.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "options.h"

int slurm_parse_cpus(const char *spec, long *cpus, size_t n, char **cause)
{
	const char *p = spec;
	size_t got = 0;
	bool ok = true;

	/* The whole text must parse, whatever n asks for. */
	while (ok) {
		char *end;
		errno = 0;
		long c = strtol(p, &end, 10);
		long times = 1;
		if (end == p || errno || c < 0 || *p == '-' || *p == '+') {
			ok = false;
			break;
		}
		p = end;
		if (strncmp(p, "(x", 2) == 0) {
			times = strtol(p + 2, &end, 10);
			if (end == p + 2 || *end != ')' || times < 1 ||
			    p[2] == '-' || p[2] == '+') {
				ok = false;
				break;
			}
			p = end + 1;
		}
		for (long i = 0; i < times && got < n; i++) {
			cpus[got++] = c;
		}
		if (!*p) {
			break;
		}
		ok = *p++ == ',';
	}
	if (!ok || got < n) {
		*cause = xasprintf("SLURM_JOB_CPUS_PER_NODE '%s' does not give "
				   "the CPUs of %zu node%s", spec, n,
				   n == 1 ? "" : "s");
		return -EINVAL;
	}
	return 0;
}

/*
 * Runs argv and returns its standard output, owned; NULL with *cause if
 * it could not run or did not exit 0 (its stderr is prun's).
 */
static char *output_of(char *const *argv, char **cause)
{
	int fd[2];
	pid_t pid;
	struct buf out;

	if (pipe2(fd, O_CLOEXEC) < 0) {
		*cause = xasprintf("pipe: %s", strerror(errno));
		return NULL;
	}
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int err = spawn_helper(&pid, argv[0], argv, devnull, fd[1], -1);
	if (devnull >= 0) {
		close(devnull);
	}
	close(fd[1]);
	if (err < 0) {
		close(fd[0]);
		*cause = xasprintf("cannot run %s: %s", argv[0],
				   strerror(-err));
		return NULL;
	}
	buf_init(&out);
	for (;;) {
		char chunk[4096];
		ssize_t r = read(fd[0], chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			break;
		}
		buf_add(&out, chunk, (size_t)r);
	}
	close(fd[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		buf_finish(&out);
		*cause = xasprintf("%s %s %s failed", argv[0], argv[1],
				   argv[2]);
		return NULL;
	}
	buf_addc(&out, '\0');
	return buf_steal(&out);
}

/* The allocation's node names, one per line of an owned text. */
static char *node_names(const char *list, char **cause)
{
	if (!strpbrk(list, "[,")) {
		return xasprintf("%s\n", list);
	}
	char *argv[] = {"scontrol", "show", "hostnames", (char *)list, NULL};
	return output_of(argv, cause);
}

int slurm_hosts(struct hosts *hs, long cpus_per_job, const char *jobs,
		long *mem_per_cpu, char **cause)
{
	const char *id = getenv("SLURM_JOB_ID");
	const char *list = getenv("SLURM_JOB_NODELIST");
	const char *cpn = getenv("SLURM_JOB_CPUS_PER_NODE");

	if (!id || !*id) {
		*cause = xstrdup("--slurm runs jobs as steps of a Slurm "
				 "allocation: there is none here (no "
				 "SLURM_JOB_ID; use salloc or sbatch)");
		return -1;
	}
	if (!in_path("srun")) {
		*cause = xstrdup("--slurm runs jobs with srun, which is not "
				 "in PATH");
		return -1;
	}
	if (!list || !*list || !cpn || !*cpn) {
		*cause = xasprintf("Slurm job %s: SLURM_JOB_NODELIST or "
				   "SLURM_JOB_CPUS_PER_NODE is not set", id);
		return -1;
	}
	char *names = node_names(list, cause);
	if (!names) {
		return -1;
	}
	size_t n = 0;
	for (char *p = names; *p; p++) {
		n += *p == '\n';
	}
	long *cpus = xcalloc(n ? n : 1, sizeof(*cpus));
	int ret = -1;
	if (n == 0) {
		*cause = xasprintf("Slurm job %s: no node in '%s'", id, list);
		goto out;
	}
	if (slurm_parse_cpus(cpn, cpus, n, cause) < 0) {
		goto out;
	}
	const char *mem = getenv("SLURM_MEM_PER_NODE");
	long mem_mb = 0, most = 0;
	if (mem && parse_long(mem, 1, LONG_MAX, &mem_mb) < 0) {
		*cause = xasprintf("SLURM_MEM_PER_NODE '%s' is not a number of "
				   "megabytes", mem);
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		most = cpus[k] > most ? cpus[k] : most;
	}
	*mem_per_cpu = mem_mb && most ? (mem_mb / most ? mem_mb / most : 1)
				      : 0;
	size_t i = 0, usable = 0;
	for (char *save = NULL, *node = strtok_r(names, "\n", &save); node;
	     node = strtok_r(NULL, "\n", &save), i++) {
		long slots = cpus[i] / cpus_per_job;
		if (slots < 1) {
			continue;
		}
		long cap = options_jobs_spec(jobs, slots, cause);
		if (cap < 0) {
			goto out;
		}
		char *spec = xasprintf("%ld/%s", cap < slots ? cap : slots,
				       node);
		int r = hosts_add(hs, spec, NULL, NULL, NULL, cause);
		free(spec);
		if (r < 0) {
			goto out;
		}
		usable++;
	}
	if (usable == 0) {
		*cause = xasprintf("Slurm job %s has no node with %ld CPUs "
				   "for --cpus-per-job (SLURM_JOB_CPUS_PER_NODE"
				   " %s)", id, cpus_per_job, cpn);
		goto out;
	}
	ret = 0;
out:
	free(cpus);
	free(names);
	return ret;
}

static void push(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

char **slurm_argv(const struct slurm_step *s)
{
	char **v = NULL;
	size_t n = 0;

	push(&v, &n, xstrdup("srun"));
	/* One task of its own CPUs, beside the run's other steps. */
	push(&v, &n, xstrdup("--exact"));
	push(&v, &n, xstrdup("--nodes=1"));
	push(&v, &n, xstrdup("--ntasks=1"));
	push(&v, &n, xasprintf("--cpus-per-task=%ld", s->cpus));
	push(&v, &n, xasprintf("--nodelist=%s", s->node));
	if (s->mem_per_cpu > 0) {
		push(&v, &n, xasprintf("--mem-per-cpu=%ldM", s->mem_per_cpu));
	}
	/* {host} and {sshlogin} (--plus) read these; the rest of the
	 * environment goes as it is (srun's default, ALL). */
	push(&v, &n, xasprintf("--export=ALL,PARALLEL_SSHHOST=%s,"
			       "PARALLEL_SSHLOGIN=%s", s->node, s->node));
	/* No note of srun's own on stderr, which is the job's. */
	push(&v, &n, xstrdup("--quiet"));
	/* The SIGINT prun passes on at Ctrl-C ends the step, as it ends a
	 * job here (without it, a first SIGINT makes srun print the tasks'
	 * state; it takes a second within a second to end them). */
	push(&v, &n, xstrdup("--quit-on-interrupt"));
	if (!s->stdin_data) {
		push(&v, &n, xstrdup("--input=none"));
	}
	push(&v, &n, xstrdup("--"));
	push(&v, &n, xstrdup(s->shell));
	push(&v, &n, xstrdup("-c"));
	push(&v, &n, xstrdup(s->cmd));
	push(&v, &n, NULL);
	return v;
}

void slurm_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++) {
		free(argv[i]);
	}
	free(argv);
}
