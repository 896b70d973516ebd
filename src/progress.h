/*
 * --bar, --eta and --progress: the state of the run drawn on standard
 * error, in GNU parallel's formats, when standard error is a terminal.
 */
#ifndef PRUN_PROGRESS_H
#define PRUN_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct job;
struct progress;
struct uv_loop_s;

struct progress_config {
	bool bar;          /* --bar (wins over the others, as in GNU) */
	bool eta;          /* --eta */
	bool progress;     /* --progress */
	long max_jobs;     /* -j, for --progress's table of computers */
	unsigned cores;
	/*
	 * May a frame be drawn now (false: better not yet; it then waits at
	 * most half a second), and if so, *mark: a number that changes when
	 * something may have been written below the frame (see
	 * output_mark()).  NULL: a frame may always be drawn, and is drawn
	 * again after each change of the run.
	 */
	bool (*mark)(void *data, uint64_t *mark);
	void *data;
};

/* Where the run stands. */
struct progress_counts {
	uint64_t total;    /* jobs in all; 0 if not known (yet) */
	uint64_t done;
	uint64_t started;
	size_t running;
};

/*
 * Sets up the drawing on the loop: *out is NULL (and every call below does
 * nothing) unless something is asked for and stderr is a terminal.
 */
void progress_create(struct progress **out, struct uv_loop_s *loop,
		     const struct progress_config *cfg);
void progress_destroy(struct progress *p);

/*
 * The run changed: a job started (`started`, whose arguments --bar
 * shows) or ended.  Frames are drawn by a timer, at most ten a second.
 */
void progress_update(struct progress *p, const struct progress_counts *c,
		     const struct job *started);

/*
 * The run is over: --bar's line is wiped, --eta and --progress leave their
 * last state on a line of its own.  Closes the timer.
 */
void progress_close(struct progress *p);

#endif
