/*
 * --tmux and --tmuxpane: each job runs in a window (or pane) of a tmux
 * session of its own socket, where its output stays to be looked at.
 */
#ifndef PRUN_TMUX_H
#define PRUN_TMUX_H

#include <stdbool.h>

#include "util.h"

struct tmux {
	char *dir;        /* owned; holds the socket and the jobs' fifos */
	char *sock;       /* owned */
	char *session;    /* owned; p<prun's pid>, as GNU parallel names it */
	bool pane;        /* --tmuxpane: panes of window 0 */
	unsigned long n;  /* fifos made so far */
};

/*
 * Makes the socket's directory in tmpdir and tells on stderr how to look.
 * Returns 0, or -1 with *cause.
 */
int tmux_init(struct tmux *t, const char *tmpdir, bool pane, char **cause);
/*
 * Frees t, and removes its directory if it is empty: no job started a
 * session, or its server has ended (a server that runs on keeps its
 * socket there, for tmux -S ... attach).
 */
void tmux_finish(struct tmux *t);

/*
 * Appends to out a shell command that runs the shell command cmd in a new
 * tmux window titled after it and exits with its exit status.
 */
void tmux_wrap(struct tmux *t, const char *cmd, struct buf *out);

#endif
