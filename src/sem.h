/*
 * Semaphores (--semaphore, prun-sem): one command runs in one of N slots
 * of a named semaphore shared by every prun of the user.  A mode of main,
 * not of the scheduler.
 */
#ifndef PRUN_SEM_H
#define PRUN_SEM_H

#include <stdbool.h>

struct sem_config {
	const char *id;        /* --id; NULL: the terminal's name, as GNU
				  parallel's `tty` */
	long slots;            /* -j: commands of the id at once */
	double timeout;        /* --st: > 0 run anyway after it, < 0 give
				  up after -timeout, 0 wait for ever */
	bool fg;               /* wait for the command, exit with its status */
	bool wait;             /* run nothing: wait for the id's commands */
	bool group;            /* hold the output until the command ends */
	const char *shell;     /* the command runs as SHELL -c COMMAND */
	const char *command;   /* NULL with wait */
	const char *tmpdir;    /* for held output */
	const char *input;     /* -a FILE: the command's stdin, or NULL */
};

/*
 * Takes a slot (waiting for one), runs the command in it, and releases
 * it; without fg, returns once the slot is taken and the command runs in
 * a background process.  Returns prun's exit status, or -1 with *cause.
 */
int sem_run(const struct sem_config *c, char **cause);

#endif
