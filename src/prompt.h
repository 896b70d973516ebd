/*
 * --interactive: asking on the terminal whether to run a command.
 */
#ifndef PRUN_PROMPT_H
#define PRUN_PROMPT_H

#include <stdbool.h>

/*
 * Writes "COMMAND ?..." to stderr and reads a line from /dev/tty: *yes if
 * it starts with y or Y (after blanks).  Returns 0, or -1 with *cause if
 * there is no terminal to ask on.
 */
int prompt_ask(const char *command, bool *yes, char **cause);

#endif
