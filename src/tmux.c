/*
 * --tmux, as GNU parallel does it: the job is a small shell script that
 * starts the session if it is not there yet, opens a window running the
 * command, and waits on a fifo for the command's exit status.  The window
 * shows the command's output, then the command and when it ended, for
 * ten seconds.  Nothing of the job's output reaches prun's.
 */
#include "tmux.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quote.h"

int tmux_init(struct tmux *t, const char *tmpdir, bool pane, char **cause)
{
	memset(t, 0, sizeof(*t));
	t->dir = xasprintf("%s/prun-tmux.XXXXXX", tmpdir);
	if (!mkdtemp(t->dir)) {
		*cause = xasprintf("--tmux: cannot make a directory in %s",
				   tmpdir);
		free(t->dir);
		t->dir = NULL;
		return -1;
	}
	t->sock = xasprintf("%s/socket", t->dir);
	if (strlen(t->sock) >= 100) {
		*cause = xasprintf("--tmux: the socket's path is too long for "
				   "tmux: %s", t->sock);
		tmux_finish(t);
		return -1;
	}
	t->session = xasprintf("p%ld", (long)getpid());
	t->pane = pane;
	fprintf(stderr, "See output with: tmux -S %s attach\n", t->sock);
	return 0;
}

void tmux_finish(struct tmux *t)
{
	if (t->dir) {
		/* Empty unless a tmux server still has its socket there. */
		rmdir(t->dir);
	}
	free(t->dir);
	free(t->sock);
	free(t->session);
	memset(t, 0, sizeof(*t));
}

/* The window's title: the command, without what upsets tmux. */
static void add_title(struct buf *out, const char *cmd)
{
	struct buf b;
	bool space = false;

	buf_init(&b);
	for (const char *p = cmd; *p; p++) {
		unsigned char c = (unsigned char)*p;
		bool bad = (c >= 9 && c <= 14) || c == ';' ||
			   (c >= 0xc2 && c <= 0xf5);
		if (bad && space) {
			continue;
		}
		buf_addc(&b, bad ? ' ' : *p);
		space = bad;
	}
	quote_append(out, b.data ? b.data : "", b.len);
	buf_finish(&b);
}

void tmux_wrap(struct tmux *t, const char *cmd, struct buf *out)
{
	struct buf fifo, sock, inner, window;

	buf_init(&fifo);
	buf_init(&sock);
	buf_init(&inner);
	buf_init(&window);
	char *f = xasprintf("%s/fifo.%lu", t->dir, ++t->n);
	quote_append(&fifo, f, strlen(f));
	free(f);
	quote_append(&sock, t->sock, strlen(t->sock));

	/* What the window runs. */
	if (t->pane) {
		buf_addf(&inner, "tmux -S %s joinp -t :0; tmux -S %s "
			 "select-layout -t :0 tiled; ", sock.data, sock.data);
	}
	buf_addf(&inner, "(%s\n); echo $? > %s & echo ", cmd, fifo.data);
	add_title(&inner, cmd);
	buf_adds(&inner, "; echo \"Job finished at: $(date)\"; sleep 10");
	buf_adds(&window, "exec /bin/sh -c ");
	quote_append(&window, inner.data, inner.len);

	struct buf title;
	buf_init(&title);
	add_title(&title, cmd);
	buf_addf(out, "mkfifo %s || exit 255; ", fifo.data);
	if (t->pane) {
		/* Window 0 holds the panes: it must be there first. */
		buf_addf(out, "tmux -S %s new-session -s %s -d 'sleep .2' "
			 ">/dev/null 2>&1; tmux -S %s new-window -t %s -n %s ",
			 sock.data, t->session, sock.data, t->session,
			 title.data);
	} else {
		/*
		 * The first job's window starts the session; the others are
		 * added to it.  No placeholder window: one that ends before
		 * the next job's window is added takes the session with it.
		 */
		buf_addf(out, "{ tmux -S %s new-session -d -s %s -n %s ",
			 sock.data, t->session, title.data);
		quote_append(out, window.data, window.len);
		buf_addf(out, " 2>/dev/null || tmux -S %s new-window -t %s "
			 "-n %s ", sock.data, t->session, title.data);
	}
	quote_append(out, window.data, window.len);
	buf_addf(out, "%s || { rm -f %s; exit 255; }; read s < %s; rm -f %s; "
		 "exit \"$s\"", t->pane ? "" : "; }", fifo.data, fifo.data,
		 fifo.data);
	buf_finish(&title);
	buf_finish(&fifo);
	buf_finish(&sock);
	buf_finish(&inner);
	buf_finish(&window);
}
