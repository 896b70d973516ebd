/*
 * The config files (prun(5)): the system file, then the user's, or only
 * $PRUN_CONFIG.  Their settings and the command line's are kept in one
 * list that remembers where each came from, then applied in order through
 * options_set(), so a later setting wins and --show-config can tell where
 * each value in effect was made.
 */
#ifndef PRUN_CONFIG_H
#define PRUN_CONFIG_H

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
 * "FILE:LINE: ".  Returns 0, or -1 with *cause (caller frees).
 */
int config_load(struct config *c, const char *const *profiles,
		size_t n_profiles, char **cause);

/*
 * Adds an option of the command line (canonical long name, NULL value for
 * a flag), already checked by options_set(); it wins over the files.
 */
void config_add(struct config *c, const char *name, const char *value);

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
