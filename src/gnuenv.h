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

/*
 * The "NAME=VALUE" strings that --env's comma-separated names (NULL: none)
 * copy to a remote job (envcopy_pairs()), reading the record for "_".
 * Returns 0 with an array for envcopy_free() in *pairs, or -1 with *cause.
 */
int gnuenv_pairs(const char *names, char ***pairs, char **cause);

/*
 * Takes $PARALLEL_ENV out of the environment, which jobs must not get,
 * and sets *prefix to the shell text to run before each command
 * (envcopy_prefix(); owned, NULL if none).  A value that names a file
 * stands for the file's text.  Returns 0, or -1 with *cause.
 */
int gnuenv_take_prefix(char **prefix, char **cause);

#endif
