/*
 * The config files (prun(5)): the system file, then the user's, or only
 * $PRUN_CONFIG.  Their settings and the command line's are kept in one
 * list that remembers where each came from, then applied in order through
 * options_set(), so a later setting wins and --show-config can tell where
 * each value in effect was made.
 */
#ifndef PRUN_CONFIG_H
#define PRUN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct config;
struct options;

struct config *config_create(void);
void config_destroy(struct config *c);

/*
 * Reads the config files: their [defaults] sections, then, in the order
 * given, the [profile NAME] sections of `profiles` (of the command line's
 * -J; with none, of the `profile` key of [defaults], if any).  A missing
 * default file is fine; anything wrong in a file is an error that starts
 * "FILE:LINE: ".  A profile i for which elsewhere[i] is true (GNU
 * parallel's profile file has it) may have no section.  Returns 0, or -1
 * with *cause (caller frees).
 */
int config_load(struct config *c, const char *const *profiles,
		size_t n_profiles, const bool *elsewhere, char **cause);

/*
 * Adds an option of the command line (canonical long name, NULL value for
 * a flag), already checked by options_set(); it wins over the files.
 * `origin` is where it came from if not the command line ("$PARALLEL",
 * a GNU parallel profile file), for --show-config and errors.
 */
void config_add(struct config *c, const char *name, const char *value,
		const char *origin);

/*
 * GNU parallel's profile files for -J NAME that are readable: NAME itself
 * if it starts with / or ./, else NAME in each of $PARALLEL_HOME,
 * $XDG_CONFIG_HOME/parallel, $XDG_CONFIG_DIRS' parallel and ~/.parallel
 * (GNU parallel's read_options()).  An owned NULL-terminated list of
 * owned paths.
 */
char **config_gnu_profiles(const char *name);

/*
 * Applies the settings to `o`, in order.  Returns 0, or -1 with *cause.
 */
int config_apply(struct config *c, struct options *o, char **cause);

/*
 * Prints each setting of `o` and where it came from, one per line:
 * "ORIGIN<TAB>NAME = VALUE", ORIGIN being "default", "FILE:LINE" or
 * "command line".  Call after config_apply().
 */
void config_show(const struct config *c, const struct options *o,
		 FILE *out);

#endif
