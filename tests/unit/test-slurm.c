/*
 * --slurm's pure parts: SLURM_JOB_CPUS_PER_NODE's form (sbatch(1), OUTPUT
 * ENVIRONMENT VARIABLES: "72(x2),36"), the allocation's nodes as hosts with
 * their slots, and the srun command line of a job step.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hosts.h"
#include "slurm.h"
#include "tap.h"
#include "util.h"

/* The CPUs of n nodes as "a,b,c", or "error: CAUSE". */
static void cpus(const char *spec, size_t n, const char *want,
		 const char *what)
{
	long v[16];
	char *cause = NULL;
	struct buf b;

	buf_init(&b);
	if (slurm_parse_cpus(spec, v, n, &cause) == 0) {
		for (size_t i = 0; i < n; i++) {
			buf_addf(&b, "%s%ld", i ? "," : "", v[i]);
		}
	} else {
		buf_addf(&b, "error: %s", cause);
	}
	buf_addc(&b, '\0');
	tap_is(b.data, want, what);
	buf_finish(&b);
	free(cause);
}

/* The hosts of an allocation of one node as "host/slots,...". */
static void hosts(const char *node, const char *cpn, long per_job,
		  const char *jobs, const char *want, const char *what)
{
	struct hosts hs;
	char *cause = NULL;
	struct buf b;

	setenv("SLURM_JOB_ID", "42", 1);
	setenv("SLURM_JOB_NODELIST", node, 1);
	setenv("SLURM_JOB_CPUS_PER_NODE", cpn, 1);
	hosts_init(&hs);
	buf_init(&b);
	long mem = -1;
	if (slurm_hosts(&hs, per_job, jobs, &mem, &cause) == 0) {
		buf_addf(&b, "mem %ld: ", mem);
		for (size_t i = 0; i < hs.n; i++) {
			buf_addf(&b, "%s%s/%ld|%s", i ? "," : "",
				 hs.v[i]->host, hs.v[i]->slots,
				 hs.v[i]->login);
		}
	} else {
		buf_addf(&b, "error: %s", cause);
	}
	buf_addc(&b, '\0');
	tap_is(b.data, want, what);
	buf_finish(&b);
	hosts_finish(&hs);
	free(cause);
}

static void argv(const struct slurm_step *s, const char *want,
		 const char *what)
{
	char **v = slurm_argv(s);
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; v[i]; i++) {
		buf_addf(&b, "%s[%s]", i ? " " : "", v[i]);
	}
	buf_addc(&b, '\0');
	tap_is(b.data, want, what);
	buf_finish(&b);
	slurm_argv_free(v);
}

int main(void)
{
	cpus("4", 1, "4", "one node");
	cpus("72(x2),36", 3, "72,72,36", "a count of nodes, then one more");
	cpus("8(x3)", 2, "8,8", "more nodes listed than asked for");
	cpus("2,4(x1),6", 3, "2,4,6", "(x1) is one node");
	cpus("4(x2)", 3,
	     "error: SLURM_JOB_CPUS_PER_NODE '4(x2)' does not give the CPUs "
	     "of 3 nodes", "too few nodes");
	cpus("", 1,
	     "error: SLURM_JOB_CPUS_PER_NODE '' does not give the CPUs of 1 "
	     "node", "empty");
	cpus("4(x", 1,
	     "error: SLURM_JOB_CPUS_PER_NODE '4(x' does not give the CPUs of "
	     "1 node", "an unclosed count");
	cpus("-4", 1,
	     "error: SLURM_JOB_CPUS_PER_NODE '-4' does not give the CPUs of "
	     "1 node", "a negative count");
	cpus("4x", 1,
	     "error: SLURM_JOB_CPUS_PER_NODE '4x' does not give the CPUs of "
	     "1 node", "trailing text");
	cpus("4(x0)", 1,
	     "error: SLURM_JOB_CPUS_PER_NODE '4(x0)' does not give the CPUs "
	     "of 1 node", "a count of no node");

	/* An srun in PATH, which slurm_hosts() checks for (not run). */
	char dir[] = "/tmp/test-slurm.XXXXXX";
	tap_ok(mkdtemp(dir) != NULL, "makes a directory for srun");
	char *srun = xasprintf("%s/srun", dir);
	FILE *f = fopen(srun, "w");
	if (f) {
		fclose(f);
	}
	chmod(srun, 0755);
	setenv("PATH", dir, 1);
	hosts("node7", "4", 1, "100%", "mem 0: node7/4|node7",
	      "a node's slots are its CPUs");
	hosts("node7", "8", 2, "100%", "mem 0: node7/4|node7",
	      "over the CPUs of a job");
	hosts("node7", "8", 3, "100%", "mem 0: node7/2|node7",
	      "whole jobs only");
	hosts("node7", "8", 1, "3", "mem 0: node7/3|node7", "-j N caps them");
	hosts("node7", "8", 1, "50%", "mem 0: node7/4|node7", "-j N% is of them");
	hosts("node7", "4", 1, "+2", "mem 0: node7/4|node7",
	      "-j never goes past the allocation");
	setenv("SLURM_MEM_PER_NODE", "1000", 1);
	hosts("node7", "8", 2, "100%", "mem 125: node7/4|node7",
	      "salloc --mem: each step's CPU asks for its share");
	setenv("SLURM_MEM_PER_NODE", "1G", 1);
	hosts("node7", "8", 2, "100%",
	      "error: SLURM_MEM_PER_NODE '1G' is not a number of megabytes",
	      "a memory that is not a number");
	unsetenv("SLURM_MEM_PER_NODE");
	hosts("node7", "2", 4, "100%",
	      "error: Slurm job 42 has no node with 4 CPUs for "
	      "--cpus-per-job (SLURM_JOB_CPUS_PER_NODE 2)",
	      "no node fits a job");
	hosts("node7", "4(", 1, "100%",
	      "error: SLURM_JOB_CPUS_PER_NODE '4(' does not give the CPUs of "
	      "1 node", "a bad CPU count");
	unsetenv("SLURM_JOB_ID");
	struct hosts hs;
	char *cause = NULL;
	long mem;
	hosts_init(&hs);
	tap_ok(slurm_hosts(&hs, 1, "100%", &mem, &cause) < 0 && cause &&
		       strstr(cause, "no SLURM_JOB_ID"),
	       "refuses to run outside an allocation");
	free(cause);
	hosts_finish(&hs);
	setenv("SLURM_JOB_ID", "42", 1);
	unlink(srun);
	cause = NULL;
	hosts_init(&hs);
	tap_ok(slurm_hosts(&hs, 1, "100%", &mem, &cause) < 0 && cause &&
		       strcmp(cause, "--slurm runs jobs with srun, which is "
			      "not in PATH") == 0,
	       "needs srun");
	free(cause);
	hosts_finish(&hs);
	rmdir(dir);
	free(srun);

	struct slurm_step s = {
		.node = "node7",
		.cpus = 2,
		.shell = "/bin/bash",
		.cmd = "echo 'a b' >&2",
	};
	argv(&s,
	     "[srun] [--exact] [--nodes=1] [--ntasks=1] [--cpus-per-task=2] "
	     "[--nodelist=node7] "
	     "[--export=ALL,PARALLEL_SSHHOST=node7,PARALLEL_SSHLOGIN=node7] "
	     "[--quiet] [--quit-on-interrupt] [--input=none] [--] [/bin/bash] "
	     "[-c] [echo 'a b' >&2]",
	     "a step: one task on its node, no stdin");
	s.stdin_data = true;
	s.cpus = 1;
	s.mem_per_cpu = 125;
	argv(&s,
	     "[srun] [--exact] [--nodes=1] [--ntasks=1] [--cpus-per-task=1] "
	     "[--nodelist=node7] [--mem-per-cpu=125M] "
	     "[--export=ALL,PARALLEL_SSHHOST=node7,PARALLEL_SSHLOGIN=node7] "
	     "[--quiet] [--quit-on-interrupt] [--] [/bin/bash] [-c] "
	     "[echo 'a b' >&2]",
	     "--pipe: the step reads stdin; its share of memory");
	return tap_done();
}
