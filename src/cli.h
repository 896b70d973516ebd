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
	const char *origin;          /* a GNU profile file or "$PARALLEL";
					NULL for the command line */
};

struct cli {
	struct options opts;         /* the settings, once config_apply()
					applied the files' and options */
	struct cli_option *options;  /* owned array, in the order they
					apply: profile files', $PARALLEL's,
					then argv's */
	size_t n_options;
	size_t n_early;              /* how many come before argv's */
	const char **profiles;       /* owned array of -J NAMEs (into argv) */
	size_t n_profiles;
	bool show_config;            /* --show-config */
	char **words;                /* owned array of the words after the
					options: those of profile files and
					$PARALLEL, then argv's */
	size_t n_words;
	size_t n_prefix;             /* how many are not argv's */
	char **command;              /* points into argv */
	size_t n_command;
	struct source_spec *sources; /* owned array */
	size_t n_sources;
	bool done;                   /* --help or --version was answered */
	int status;                  /* then the exit status */
	void **kept;                 /* owned allocations, for cli_finish() */
	size_t n_kept;
	char ***splits;              /* owned quote_split() word lists */
	size_t n_splits;
};

/*
 * Parses argv and checks each option's value; the options are left in
 * c->options for config_apply(), which puts them over the config files'.
 * Returns 0, or -1 with a message in *cause.
 */
int cli_parse(struct cli *c, int argc, char **argv, char **cause);
/*
 * Adds the options in `text`, split into words as GNU parallel splits
 * $PARALLEL and its profile files: they apply before the command line's,
 * and words after them go before the command.  `origin` ("$PARALLEL", a
 * file's name) starts each error.  Returns 0, or -1 with
 * *cause.
 */
int cli_add_words(struct cli *c, const char *text, const char *origin,
		  char **cause);
/*
 * Adds the options of a GNU parallel profile file (-J NAME finds them in
 * ~/.parallel/NAME): cli_add_words() on its lines, but for those that
 * start with #, with the file's name as the origin.  Returns 0, or -1
 * with *cause.
 */
int cli_add_file(struct cli *c, const char *path, char **cause);
/*
 * Splits the words after the options into the command and the input
 * sources, once c->opts is settled (it names the separators).
 */
void cli_split(struct cli *c);
void cli_finish(struct cli *c);

/*
 * A script whose #! line is "prun --shebang ..." or "prun --shebang-wrap
 * ...": the kernel passes what follows the interpreter as one word, then
 * the script's path and its arguments.  Returns the number of words of
 * the command line the script stands for, in *out (free it with
 * cli_shebang_free()); 0 if argv[1] is neither; -1 with *cause.
 */
int cli_shebang(int argc, char **argv, char ***out, char **cause);
void cli_shebang_free(char **words);

#endif
