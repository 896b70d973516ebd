/*
 * The command template: parsed once, then rendered for each job, either as
 * a shell command line or, when the template needs no shell, as an argv for
 * direct execution.  Both renderings run the same command.
 */
#ifndef PRUN_TEMPLATE_H
#define PRUN_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct template;

/* One argument value; s == NULL means "missing" (renders as nothing). */
struct value {
	const char *s;
	size_t len;
};

/* What a job fills the template with. */
struct job_args {
	const struct value *v; /* the job's arguments, in order */
	size_t n;
	uint64_t seq;          /* {#} */
	unsigned slot;         /* {%} */
};

struct template_config {
	const char *replace;   /* the string for "all arguments", "{}" */
	const char *shell;     /* the shell commands run under */
};

/*
 * Parses the command words (joined with spaces, as GNU parallel does).
 * With no words, each input value is itself the command.  Returns 0, or -1
 * with a message in *cause.
 */
int template_parse(struct template **out, char *const *words, size_t n,
		   const struct template_config *cfg, char **cause);
void template_destroy(struct template *t);

/* Appends the shell command line for a job to b. */
void template_render(const struct template *t, const struct job_args *a,
		     struct buf *b);

/*
 * The program to exec directly, or NULL if the template needs a shell.
 * When not NULL, template_render_argv() gives the arguments.
 */
const char *template_program(const struct template *t);
/* The shell the command line runs under (for the shell path). */
const char *template_shell(const struct template *t);

/*
 * Renders the argv of a direct job: the strings are stored in `store`,
 * argv[i] are offsets into it, replaced with pointers by argv_fix().
 */
struct argv {
	char **v;       /* owned array; strings live in store */
	size_t n;
	size_t cap;
	struct buf store;
	size_t *off;    /* owned; offsets into store */
};
void argv_init(struct argv *a);
void argv_finish(struct argv *a);
void template_render_argv(const struct template *t, const struct job_args *a,
			  struct argv *out);

#endif
