/*
 * prun's completion files for bash, zsh and fish, built into the program
 * (completions/embed.py) for --shell-completion.
 */
#ifndef PRUN_COMPLETIONS_H
#define PRUN_COMPLETIONS_H

#include <stddef.h>

struct completion {
	const char *shell;  /* "bash", "zsh", "fish"; NULL ends the list */
	size_t len;
	const char *text;
};

extern const struct completion completions[];

#endif
