/*
 * GNU parallel's record of a clean environment: --record-env writes the
 * names of the variables set now to ignored_vars in its config dir, and
 * --env _ stands for every variable not named there.
 */
#ifndef PRUN_GNUENV_H
#define PRUN_GNUENV_H

/*
 * Writes the names of the environment's variables, one a line, to
 * ignored_vars in GNU parallel's config dir (made if missing).  Returns
 * 0, or -1 with *cause.
 */
int gnuenv_record(char **cause);

/*
 * Checks --env's comma-separated names: "_" needs the record.  Returns 0,
 * or -1 with *cause.
 */
int gnuenv_check(const char *names, char **cause);

#endif
