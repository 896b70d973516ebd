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
struct perl;
struct perl_memo;
struct perl_tags;

/* One argument value; s == NULL means "missing" (renders as nothing). */
struct value {
	const char *s;
	size_t len;
};

/*
 * The value of every argument under -N0: empty, and inserted as nothing
 * (not as '') wherever it goes, as GNU parallel inserts it.  Compared by
 * address.
 */
extern const char template_void[];

/* What a job fills the template with. */
struct job_args {
	const struct value *v; /* the job's arguments, in order, each
	                          followed by a NUL byte */
	size_t n;
	uint64_t seq;          /* {#} */
	unsigned slot;         /* {%} */
	uint64_t total;        /* {##}: the number of jobs, if known */
	struct perl_memo *memo; /* the job's perl values, or NULL */
};

struct template_config {
	/* The replacement strings, as -I, --er, --bnr... may rename them. */
	const char *replace;        /* {}   */
	const char *ext_replace;    /* {.}  */
	const char *base_replace;   /* {/}  */
	const char *dir_replace;    /* {//} */
	const char *baseext_replace; /* {/.} */
	const char *seq_replace;    /* {#}  */
	const char *slot_replace;   /* {%}  */
	bool plus;                  /* --plus: {+/} {+.} {..} {##} ... */
	bool quote;                 /* -q: quote the command's own words */
	bool context;               /* -X: repeat the word around {} */
	bool no_append;             /* --pipe: a command without a
				       replacement string gets nothing */
	bool names;                 /* --header: {name} names a column */
	const char *shell;          /* the shell commands run under */
	bool shell_only;            /* even a plain command runs under it
				       (for $PARALLEL_ENV's text) */
	struct perl *perl;          /* collects {= =} expressions, or NULL
	                               if they are refused */
	const char *parens;         /* --parens: "{==}" if NULL */
	const struct perl_tags *tags; /* --rpl and --plus tags, or NULL */
};

/*
 * Parses the command words (joined with spaces, as GNU parallel does).
 * With no words, each input value is itself the command.  Returns 0, or -1
 * with a message in *cause.
 */
int template_parse(struct template **out, char *const *words, size_t n,
		   const struct template_config *cfg, char **cause);
void template_destroy(struct template *t);

/*
 * Turns {name} into the column positions of a header (names[i] is column
 * i + 1).  Names that match nothing stay literal text.
 */
void template_bind_names(struct template *t, char *const *names, size_t n);

/* True if the template uses {##} (the total number of jobs). */
bool template_needs_total(const struct template *t);

/* True if the template has perl expressions. */
bool template_has_perl(const struct template *t);
/*
 * Evaluates the template's perl expressions for a job, keeping the values
 * in a->memo for the renderings.  Returns 0, or -1 with *cause.
 */
int template_eval(const struct template *t, const struct job_args *a,
		  char **cause);
/* True if a perl value of the job asked not to be quoted (uq()). */
bool template_unquoted(const struct template *t, const struct job_args *a);

/*
 * A command line's length, counted two ways: as GNU parallel counts it
 * (what -s limits, so a line holds as many arguments as GNU parallel
 * puts on it), and as exec(2) counts it, at most: the bytes of the
 * strings with their NULs and, for a direct exec, a pointer per string;
 * for a shell, the one string of its command line.
 */
struct line_len {
	size_t gnu;
	size_t sys;
};

/* Where a value stands: column col of a row of width values, in job seq. */
struct arg_place {
	size_t col;
	size_t width;
	uint64_t seq;
};

/*
 * What one more value adds to a job's command line; the length with none
 * is template_base_len().
 */
void template_arg_len(const struct template *t, const struct value *v,
		      const struct arg_place *at, struct line_len *len);
void template_base_len(const struct template *t, struct line_len *len);

/*
 * Parses text in which replacement strings stand for a job's values, as
 * --tagstring wants: template_render() then puts them in unquoted, and
 * nothing is appended.  Returns 0, or -1 with a message in *cause.
 */
int template_parse_text(struct template **out, const char *text,
			const struct template_config *cfg, char **cause);

/* The same for --tagstring, after template_unescape(). */
int template_parse_tag(struct template **out, const char *text,
		       const struct template_config *cfg, char **cause);

/*
 * Turns the escapes GNU parallel takes in --tagstring into the bytes they
 * stand for: \t, \n, \r, \NNN (octal) and \N.  Returns an owned string
 * of *len bytes (a NUL byte may be among them).
 */
char *template_unescape(const char *s, size_t *len);

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
 * Renders the argv of a direct job: a string is made in `store`, or, for
 * a word that is nothing but a job's value, is the value itself (valid
 * as long as the job_args' values are).
 */
struct argv_slot;
struct argv {
	char **v;       /* owned array */
	size_t n;
	size_t cap;
	struct buf store;
	struct argv_slot *slot; /* owned; where each string is */
};
void argv_init(struct argv *a);
void argv_finish(struct argv *a);
void template_render_argv(const struct template *t, const struct job_args *a,
			  struct argv *out);

#endif
