/*
 * CPU topology from sysfs, read the way GNU parallel reads it: sockets are
 * the distinct physical_package_id, cores the distinct thread_siblings
 * masks, threads the cpuN directories; each at most the threads prun may
 * run on, so that -j 100% under taskset means what it says.
 */
#include "cpus.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "util.h"

#define CPU_DIR "/sys/devices/system/cpu"

/* The first line of a file, without its newline; NULL if unreadable. */
static char *first_line(const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f) {
		return NULL;
	}
	ssize_t n = getline(&line, &cap, f);
	fclose(f);
	if (n < 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\n")] = '\0';
	return line;
}

/* Adds `s` to the set `set` (n entries) unless it is there; takes it. */
static void add_distinct(char ***set, size_t *n, char *s)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*set)[i], s) == 0) {
			free(s);
			return;
		}
	}
	*set = xreallocarray(*set, *n + 1, sizeof(char *));
	(*set)[(*n)++] = s;
}

static void free_set(char **set, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(set[i]);
	}
	free(set);
}

/* The distinct values of topology/`file` over the CPUs; 0 if none. */
static long count_distinct(const char *file, long *threads)
{
	char **set = NULL;
	size_t n = 0;
	long cpu;

	for (cpu = 0;; cpu++) {
		char *path = xasprintf(CPU_DIR "/cpu%ld/topology/%s", cpu,
				       file);
		char *v = first_line(path);
		free(path);
		if (!v) {
			break;
		}
		add_distinct(&set, &n, v);
	}
	free_set(set, n);
	*threads = cpu;
	return (long)n;
}

long cpus_count(enum cpu_unit unit)
{
	long active = (long)uv_available_parallelism();
	long threads = 0, n = 0;

	switch (unit) {
	case CPU_THREADS:
		count_distinct("physical_package_id", &threads);
		n = threads;
		break;
	case CPU_CORES:
		n = count_distinct("thread_siblings", &threads);
		break;
	case CPU_SOCKETS:
		n = count_distinct("physical_package_id", &threads);
		break;
	}
	if (n < 1 || n > active) {
		n = active;
	}
	return n < 1 ? 1 : n;
}
