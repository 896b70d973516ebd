/*
 * Counting CPUs three ways, as GNU parallel does: threads (what the
 * kernel schedules on), physical cores and filled sockets.
 */
#ifndef PRUN_CPUS_H
#define PRUN_CPUS_H

#include "options.h"

/*
 * The number of CPUs of the given unit on this machine, at most the
 * number of threads this process may run on (taskset); at least 1.
 */
long cpus_count(enum cpu_unit unit);

#endif
