/*
 * The command line: options (getopt_long), then the command, then the
 * argument sources separated by :::, :::+, :::: and ::::+.
 */
#ifndef PRUN_CLI_H
#define PRUN_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "input.h"
#include "options.h"

/* An option as the command line gives it. */
struct cli_option {
	const char *name;            /* canonical long name */
	const char *value;           /* points into argv; NULL for a flag */
};

struct cli {
	struct options opts;         /* the settings, once config_apply()
					applied the files' and options */
	struct cli_option *options;  /* owned array, in argv's order */
	size_t n_options;
	const char **profiles;       /* owned array of -J NAMEs (into argv) */
	size_t n_profiles;
	bool show_config;            /* --show-config */
	char **words;                /* points into argv: after the options */
	size_t n_words;
	char **command;              /* points into argv */
	size_t n_command;
	struct source_spec *sources; /* owned array */
	size_t n_sources;
	bool done;                   /* --help or --version was answered */
};

/*
 * Parses argv and checks each option's value; the options are left in
 * c->options for config_apply(), which puts them over the config files'.
 * Returns 0, or -1 with a message in *cause.
 */
int cli_parse(struct cli *c, int argc, char **argv, char **cause);
/*
 * Splits the words after the options into the command and the input
 * sources, once c->opts is settled (it names the separators).
 */
void cli_split(struct cli *c);
void cli_finish(struct cli *c);

#endif
