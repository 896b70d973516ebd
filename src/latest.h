/*
 * --latest-line: one line per job that shows the latest line the job
 * wrote (to stdout or stderr), in a block of rows that is drawn again in
 * place on a terminal.  Not on a terminal, each job's last line is
 * printed once, when the job ends.  This module keeps the rows and says
 * what to write; the output module writes it and says when.
 */
#ifndef PRUN_LATEST_H
#define PRUN_LATEST_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct latest;
struct latest_row;

struct latest_config {
	bool tty;             /* draw rows in place (stdout is a terminal) */
	bool keep_order;      /* -k: not on a terminal, lines in job order */
	bool color_failed;    /* --color-failed: a failed job's row in red */
	int fd;               /* the terminal, for its size */
};

struct latest *latest_create(const struct latest_config *cfg);
void latest_destroy(struct latest *l);

/*
 * A job starts: a row for it, below the others, with its tag (NULL for
 * none) and the SGR colour code of the tag (NULL for none).
 */
struct latest_row *latest_add(struct latest *l, const char *tag,
			      size_t tag_len, const char *tag_color);

/* Bytes the job wrote to stream i (0 stdout, 1 stderr). */
void latest_data(struct latest *l, struct latest_row *r, int i,
		 const char *p, size_t n);

/* The job has ended; the row is the module's from now on. */
void latest_end(struct latest *l, struct latest_row *r, bool failed);

/*
 * Appends to out what brings the terminal (or the file) up to date, if
 * anything changed since the last call.
 */
void latest_draw(struct latest *l, struct buf *out);

#endif
