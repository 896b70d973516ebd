/*
 * --results: each finished job's stdout, stderr and seq saved as GNU
 * parallel saves them, in a directory tree named after the arguments
 * (DIR/1/a/2/b/stdout), in files named by a replacement string, or as one
 * row of a CSV or TSV file or one object of a JSON file per job.
 */
#ifndef PRUN_RESULTS_H
#define PRUN_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct job;
struct results;
struct spawner;
struct template;
struct uv_loop_s;

struct results_config {
	const char *path;              /* --results' value */
	const struct template *tmpl;   /* the same parsed as text ({} ...) */
	const struct spawner *spawner; /* renders commands and tmpl */
	char *const *names;            /* --header's column names */
	size_t n_names;
	bool keep_order;               /* -k: rows in input order */
};

struct results_callbacks {
	/* The job is recorded (or passed over); the callee owns it again. */
	void (*recorded)(void *data, struct job *job);
	/*
	 * Recording failed: err is -EPIPE if standard output's reader went
	 * away (-.csv), else cause says why (the callee frees it).
	 */
	void (*failed)(void *data, int err, char *cause);
	void *data;
};

/* True if --results' value names a CSV, TSV or JSON file. */
bool results_is_table(const char *path);

/*
 * Sets up the results (the caller keeps cfg's strings alive): a table
 * file is created now.  Returns 0, or -1 with a message in *cause.
 */
int results_create(struct results **out, struct uv_loop_s *loop,
		   const struct results_config *cfg,
		   const struct results_callbacks *cb, char **cause);
void results_destroy(struct results *r);

/*
 * Takes a job that has ended (ownership passes until recorded()); its
 * output is saved if `record`, else it only keeps its place under -k.
 * The files are written on the thread pool, one job at a time.
 */
void results_add(struct results *r, struct job *job, bool record);
/* Under -k: the job of this order will not come (it never ran). */
void results_skip(struct results *r, uint64_t order);

/*
 * Under -k: lets the held jobs go without waiting for missing ones (jobs
 * dropped when the run stops).
 */
void results_flush(struct results *r);

/* Jobs handed in and not yet recorded. */
size_t results_pending(const struct results *r);

/* --resume: true if the job's results are there from an earlier run. */
bool results_exist(struct results *r, const struct job *job);

#endif
