/*
 * What a remote job gets of the local environment, as GNU parallel
 * chooses it: the variables and exported bash functions --env names, and
 * the shell text of $PARALLEL_ENV (env_prun's, env_parallel's) that runs
 * before every command.  Pure: the environment and the record of
 * --record-env are given, nothing is read.
 */
#ifndef PRUN_ENVCOPY_H
#define PRUN_ENVCOPY_H

/*
 * The "NAME=VALUE" strings of env (an environ) that --env's
 * comma-separated names copy (names may be NULL); ignored is the record
 * of --record-env (NULL-terminated), which "_" needs.  Returns an owned
 * NULL-terminated array of owned strings, for envcopy_free().
 */
char **envcopy_pairs(const char *names, char *const *env,
		     char *const *ignored);
/* Frees envcopy_pairs()'s array. */
void envcopy_free(char **pairs);

/*
 * The pairs as shell text that sets them, for a remote side that can only
 * run shell code (GNU parallel's bashfunc text for functions): each
 * variable as `export NAME='VALUE'`, each bash function as its definition
 * and `command export -f NAME 2>/dev/null` (bash exports it to the job's
 * children; sh and zsh go on), one a line; a pair whose name no shell can
 * set is left out.  Owned; "" for none.
 */
char *envcopy_script(char *const *pairs);

/*
 * The shell text that runs before each command for $PARALLEL_ENV's value
 * (NULL if unset): the value, its \001 bytes turned into newlines, then a
 * newline.  Owned; NULL when there is nothing to run.
 */
char *envcopy_prefix(const char *value);

#endif
