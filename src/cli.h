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

struct cli {
	struct options opts;
	char **command;              /* points into argv */
	size_t n_command;
	struct source_spec *sources; /* owned array */
	size_t n_sources;
	bool done;                   /* --help or --version was answered */
};

/* Parses argv.  Returns 0, or -1 with a message in *cause. */
int cli_parse(struct cli *c, int argc, char **argv, char **cause);
void cli_finish(struct cli *c);

#endif
