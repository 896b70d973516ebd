/*
 * Argument sources and how they combine into the arguments of each job.
 * Streams (stdin, files) are read lazily on the loop's thread pool, so the
 * first job starts before input ends and memory stays constant however long
 * the input is.
 */
#ifndef PRUN_INPUT_H
#define PRUN_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "template.h"

struct uv_loop_s;
struct input;

/* One source as the command line gave it. */
struct source_spec {
	const char *path;         /* a file to read ("-": stdin), or NULL */
	const char *const *values; /* else these values (not owned) */
	size_t n;
	bool linked;              /* :::+ / ::::+ : zip with the previous */
};

/*
 * How long a command line gets: -X, -m and --xargs fill lines, -s limits
 * them.  Lengths are counted both as GNU parallel counts them and as
 * exec(2) does (see struct line_len); a line must stay below both limits.
 */
struct line_cost {
	void (*arg)(void *data, const struct value *v,
		    const struct arg_place *at, struct line_len *len);
	void *data;
	struct line_len base;      /* with no value */
	size_t max;                /* GNU parallel's count */
	size_t sys_max;            /* exec's count */
	bool fill;                 /* as many rows as fit (-X, -m, --xargs) */
	bool strict;               /* -s: a row alone over max is an error
				      (else it is a job of its own) */
	long spread;               /* spread a short input over this many
				      jobs (-m, -X); 0: do not */
};

struct input_config {
	const struct source_spec *sources;
	size_t n_sources;          /* 0: read stdin */
	char delimiter;
	long max_args;             /* records per job; 0 means 1 (or as
				      many as fit, with `fill`) */
	bool bare;                 /* -N0: each value is template_void */
	bool skip_empty;           /* -r */
	bool skip_first_line;      /* --skip-first-line: of the first source */
	const char *eof_str;       /* -E: input ends at this line */
	const char *colsep;        /* --colsep: a regex, or NULL */
	bool csv;                  /* --csv: columns are CSV fields,
				      separated by colsep's one character */
	const char *header;        /* --header: a regex, ":", or NULL */
	bool trim_left, trim_right; /* --trim */
	bool link;                 /* --link: zip all sources, wrapping */
	bool join_lines;           /* -L: a line ending in a blank goes on */
	bool prefetch;             /* read every job first ({##}, --shuf) */
	bool count;                /* the same if the input is finite (a
				      progress total), not a pipe */
	bool shuffle;              /* --shuf */
	const struct line_cost *fill; /* -X / -m / --xargs / -s, or NULL */
};

/* One job's arguments, in one allocation (free() it). */
struct record {
	size_t n;
	size_t width;     /* values per input row (several rows under -N,
			     -X); 0 if rows differ */
	struct value v[];
};

enum {
	INPUT_READY = 1,  /* *rec is set */
	INPUT_WAIT = 0,   /* a read is under way; wake() is called later */
	INPUT_END = -1,   /* no more jobs */
	INPUT_ERROR = -2, /* *cause is set */
};

typedef void (*input_wake_fn)(void *data);

/*
 * Opens the sources.  Sources that must be known in full (all but a lone
 * first one) are read now.  Returns 0, or -1 with *cause.
 */
int input_create(struct input **out, const struct input_config *cfg,
		 struct uv_loop_s *loop, input_wake_fn wake, void *data,
		 char **cause);
void input_destroy(struct input *in);

/* The column names that --header read, in order (none if in is NULL). */
char *const *input_names(const struct input *in, size_t *n);

/* The number of jobs, known when prefetching (else 0; 0 if in is NULL). */
uint64_t input_total(const struct input *in);

/* Gives the next job's arguments; see the INPUT_* values. */
int input_next(struct input *in, struct record **rec, char **cause);

#endif
