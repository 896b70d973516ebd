/*
 * The evaluator of {= perl expression =}: one long-lived perl process per
 * run, fed over pipes, started only when a command has an expression.
 */
#ifndef PRUN_PERL_H
#define PRUN_PERL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "template.h"

struct perl;
struct perl_memo;

/*
 * A registry of expressions; nothing runs until perl_start() or
 * perl_rewrite() needs perl.  max_jobs is for $Global::max_jobs_running.
 */
struct perl *perl_create(long max_jobs);
/* Ends the perl process, if any, and reaps it. */
void perl_destroy(struct perl *p);

/* Adds an expression (deduplicated by its text); returns its number. */
unsigned perl_add(struct perl *p, const char *expr, size_t len);
/*
 * The same for an expression that may never be used: if it does not
 * compile, the error comes when a job uses it, not at perl_start().
 */
unsigned perl_add_lenient(struct perl *p, const char *expr, size_t len);
/* The number of expressions added. */
size_t perl_count(const struct perl *p);
/* The text of expression e. */
const char *perl_expr(const struct perl *p, unsigned e);
/* True if an expression may ask for the number of jobs. */
bool perl_wants_total(const struct perl *p);

/* The --rpl definitions in force: the user's and, with --plus, GNU's. */
struct perl_tags {
	char *const *rpl;    /* "TAG EXPR", as --rpl takes them */
	size_t n_rpl;
	bool plus;
	const char *parens;  /* NULL for {==} */
};

/*
 * Writes the tags in each of texts[0..n) as the perl expressions they stand
 * for, as GNU parallel does, into *out (owned, n strings); *out is NULL if
 * no text can hold a tag (perl is then not started).  Returns 0, or -1
 * with *cause.
 */
int perl_rewrite(struct perl *p, const struct perl_tags *tags,
		 char *const *texts, size_t n, char ***out, char **cause);

/*
 * Starts perl (unless perl_rewrite() did) and compiles every expression.
 * Returns 0, or -1 with *cause naming the expression that does not compile
 * (or why perl did not start).
 */
int perl_start(struct perl *p, char **cause);

/* A job's context, as its expressions see it. */
struct perl_job {
	uint64_t seq;
	unsigned slot;
	uint64_t total;
	const struct value *v; /* the arguments */
	size_t n;
};

/* One expression on one argument (1-based), as a request. */
struct perl_req {
	unsigned expr;
	size_t arg;
};

/* The values of one job's expressions, kept while the job lives. */
struct perl_memo *perl_memo_create(void);
void perl_memo_destroy(struct perl_memo *m);

/* The value of expression e on argument i; false if not evaluated. */
bool perl_memo_get(const struct perl_memo *m, unsigned e, size_t i,
		   struct value *v, bool *unquoted);
/* True if skip() was called or a --filter was false. */
bool perl_memo_skip(const struct perl_memo *m);
/* True if a value is to go in unquoted (uq()). */
bool perl_memo_unquoted(const struct perl_memo *m);

/*
 * Evaluates the requests not in the memo yet, in one round trip, and
 * keeps their values in it.  Returns 0, or -1 with *cause.
 */
int perl_eval(struct perl *p, struct perl_memo *m, const struct perl_job *j,
	      const struct perl_req *reqs, size_t n, char **cause);

/*
 * Evaluates expression e on each of vals[0..n) in turn as $_ (the values
 * of --shard, --bin and --group-by), all in one round trip: out[0..n) are
 * the values of $_ after it, in memory of p's that the next call reuses.
 * Returns 0, or -1 with *cause naming the expression.
 */
int perl_map(struct perl *p, unsigned e, const struct value *vals, size_t n,
	     struct value *out, char **cause);

/*
 * --filter: evaluates each string as Perl; the job is skipped unless all
 * are true.  Returns 0, or -1 with *cause.
 */
int perl_filter(struct perl *p, struct perl_memo *m,
		const struct perl_job *j, const struct value *strs, size_t n,
		char **cause);

#endif
