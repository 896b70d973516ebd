/*
 * Jobs as Slurm job steps, inside an allocation (--slurm): the allocation's
 * nodes become hosts whose job slots are their CPUs over --cpus-per-job,
 * and each job runs through `srun` on the node it was given, so that Slurm
 * places, accounts, limits and cleans up every job.  The scheduling (slots
 * per node, {host}, the job log's Host, --retries) is remote.c's; this
 * file reads the allocation and makes the srun command line.
 */
#ifndef PRUN_SLURM_H
#define PRUN_SLURM_H

#include <stdbool.h>
#include <stddef.h>

#include "hosts.h"
#include "util.h"

/*
 * Parses SLURM_JOB_CPUS_PER_NODE's form, "N" or "N(xM)" items separated
 * by commas ("72(x2),36": two nodes of 72 CPUs, one of 36), into cpus[i]
 * for the first n nodes of the allocation.  Returns 0, or -EINVAL with
 * *cause when the text is malformed or counts fewer than n nodes.
 */
int slurm_parse_cpus(const char *spec, long *cpus, size_t n, char **cause);

/*
 * Adds the allocation's nodes to hs, as hosts named by the node (its
 * {host} and Host column), each with slots = its CPUs / cpus_per_job
 * (the allocation's CPUs; at least 1 CPU a job), lowered by -j's spec
 * `jobs` taken as of those slots, as -j is of the CPUs of a host of -S.
 * Reads SLURM_JOB_ID, SLURM_JOB_NODELIST (expanded by `scontrol show
 * hostnames`) and SLURM_JOB_CPUS_PER_NODE.  *mem_per_cpu is the memory
 * each CPU of a step is to ask for, in MB: the allocation's memory per
 * node (SLURM_MEM_PER_NODE, salloc --mem) over its CPUs on the node with
 * most, else 0 (a step asking for no memory would take all of the node's
 * share, and the steps would run one at a time).  Returns 0, or -1 with
 * *cause (not inside an allocation; srun not in PATH; scontrol missing or
 * failing; no node with cpus_per_job CPUs).
 */
int slurm_hosts(struct hosts *hs, long cpus_per_job, const char *jobs,
		long *mem_per_cpu, char **cause);

/* One job step: borrowed strings, see slurm_argv(). */
struct slurm_step {
	const char *node;     /* where it runs: the host's name */
	long cpus;            /* --cpus-per-job */
	const char *shell;    /* the job's shell (path), run as SHELL -c CMD */
	const char *cmd;      /* the job's command, shell text */
	bool stdin_data;      /* the job reads its standard input (--pipe) */
	long mem_per_cpu;     /* MB, or 0: the job's own (see slurm_hosts()) */
};

/*
 * The srun command that runs step s, an owned NULL-terminated argv of
 * owned strings (free with slurm_argv_free()): one task of s->cpus CPUs
 * on s->node, sharing the allocation with the other steps (--exact),
 * without srun's own notes, the job's stdout and stderr passed through
 * unchanged.
 */
char **slurm_argv(const struct slurm_step *s);
void slurm_argv_free(char **argv);

#endif
