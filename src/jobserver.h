/*
 * GNU make's jobserver, both ways.  As a client, prun runs its first job
 * on the slot it was started on (make's "implicit" slot) and takes a token
 * from make's pipe or fifo for each further job that runs at once; as a
 * server, it makes a pool of its own -j slots that its jobs (a make -j, a
 * nested prun, ninja) share through MAKEFLAGS.  Either way prun is a
 * client of the pool it hands to its jobs, so one limit holds at every
 * depth.
 *
 * The rules (GNU make's manual, "Sharing Job Slots with GNU make", and
 * make 4.3/4.4's posixos.c): MAKEFLAGS holds --jobserver-auth=R,W (a
 * pipe, make 4.2-4.3), --jobserver-auth=fifo:PATH (make 4.4) or
 * --jobserver-fds=R,W (before 4.2), the last one counting; a token is
 * one byte, and exactly the byte read is written back.
 *
 * This module makes no libuv calls: the scheduler polls jobserver_fd()
 * while it wants a token and calls jobserver_take() when it is readable.
 */
#ifndef PRUN_JOBSERVER_H
#define PRUN_JOBSERVER_H

#include <stdbool.h>

/* What MAKEFLAGS says (jobserver_parse()). */
struct jobserver_auth {
	bool in_make;     /* MAKEFLAGS is set at all */
	bool dry_run;     /* make -n: the flag letters hold n */
	long jobs;        /* -jN in it; 0 if none, or -j alone */
	int rfd, wfd;     /* a pipe jobserver's descriptors, or -1 */
	char *fifo;       /* owned; a fifo jobserver's path, or NULL */
};

struct jobserver;

/*
 * Reads MAKEFLAGS' text (NULL: not set) into *auth; negative descriptors
 * mean none, as make writes them.  Pure; never fails.
 */
void jobserver_parse(const char *makeflags, struct jobserver_auth *auth);
void jobserver_auth_finish(struct jobserver_auth *auth);

/*
 * MAKEFLAGS for jobs (an allocated string, without "MAKEFLAGS="): the
 * given one without its -j and jobserver words, then " -jN" if jobs > 0
 * and " --jobserver-auth=AUTH" if auth is not NULL, put before a " -- "
 * that starts make's variable assignments.
 */
char *jobserver_makeflags(const char *makeflags, long jobs, const char *auth);

/*
 * Joins the jobserver *auth names (parsed from makeflags, which jobs get
 * again with the descriptors' new numbers).  0, or a negative errno with *cause:
 * -EBADF when its descriptors are not the two ends of one pipe (make
 * closes them for a recipe line without `+`: GNU make then warns and
 * runs one job at a time, and so should the caller).
 */
int jobserver_join(struct jobserver **out, const char *makeflags,
		   const struct jobserver_auth *auth, char **cause);

/*
 * A pool of `slots` job slots for prun and its jobs: slots - 1 tokens (at
 * most as many as a pipe holds), in a pipe, or with `fifo` in a named pipe
 * made in tmpdir (make 4.4's style; removed by jobserver_destroy()); jobs
 * get makeflags (NULL: none) with the pool's words.  0,
 * or a negative errno with *cause.
 */
int jobserver_serve(struct jobserver **out, long slots, bool fifo,
		    const char *tmpdir, const char *makeflags, char **cause);

/* The descriptor to poll for a token (readable); never blocks. */
int jobserver_fd(const struct jobserver *js);

/* Takes a token if one is there: true, else false (none now, or EOF). */
bool jobserver_take(struct jobserver *js);

/* Gives back the last token taken (the same byte).  Needs one held. */
void jobserver_give(struct jobserver *js);

/* The tokens held (taken and not given back). */
unsigned jobserver_held(const struct jobserver *js);

/*
 * What a job gets: fds[0] and fds[1] to place as its descriptors 3 and 4
 * (-1 for a fifo, which jobs open by name), and the MAKEFLAGS text that
 * names them (owned by js).
 */
void jobserver_child(const struct jobserver *js, int fds[2],
		     const char **makeflags);

/*
 * A pool of prun's own, at a moment when no job can hold a token: puts
 * back the tokens a job took and never returned (a client killed with
 * SIGKILL), or takes out ones written twice, so the pool is whole.  The
 * tokens still held by prun count as in use.  A client's pool: nothing.
 */
void jobserver_refill(struct jobserver *js);

/* Gives back every token held, and for a fifo pool removes it. */
void jobserver_destroy(struct jobserver *js);

#endif
