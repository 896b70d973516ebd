/*
 * --latest-line.  On a terminal the rows of the jobs form a block at the
 * bottom of what was printed, one row per job in the order they started,
 * with the cursor kept on the line below it; a row that changed is
 * redrawn by moving the cursor up to it.  A finished row at the top of
 * the block is left as it is and forgotten, so the block holds the
 * running jobs (and the finished ones after the oldest running one).  The
 * block is never taller than the terminal less one line: a job that finds
 * no room waits for a row, and when one is needed, the finished rows are
 * moved above the running ones and forgotten.  Memory is then one row per
 * running job, besides rows on the screen.
 *
 * A job's latest line is the last line it ended (with '\n' or '\r') that
 * is not empty, and at its end whatever it left unfinished.  Every line
 * is kept up to LINE_CAP bytes, and shown cut to the terminal's width,
 * with '>' where it was cut, as GNU parallel does.
 */
#include "latest.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

/* The most of a line that is kept: more than any terminal is wide. */
#define LINE_CAP 4096

/* --color-failed's colours, as in output.c. */
#define RED_ON "\033[48;5;196;38;5;231m\033[K"
#define RED_OFF "\033[m"

struct latest_row {
	char *tag;            /* owned, or NULL */
	size_t tag_len;
	const char *tag_color;
	struct buf line;      /* the latest line */
	bool line_long;       /* it was longer than LINE_CAP */
	struct buf part[2];   /* the unfinished line of stdout, stderr */
	bool part_long[2];
	bool done;
	bool failed;
	bool dirty;           /* to be drawn again */
};

struct latest {
	struct latest_config cfg;
	struct latest_row **rows; /* owned; in the order the jobs started */
	size_t n;
	size_t cap;
	size_t shown;         /* rows[0..shown) are on the screen */
	bool changed;         /* something is to be drawn */
};

struct latest *latest_create(const struct latest_config *cfg)
{
	struct latest *l = xcalloc(1, sizeof(*l));

	l->cfg = *cfg;
	return l;
}

static void row_free(struct latest_row *r)
{
	free(r->tag);
	buf_finish(&r->line);
	buf_finish(&r->part[0]);
	buf_finish(&r->part[1]);
	free(r);
}

void latest_destroy(struct latest *l)
{
	if (!l) {
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		row_free(l->rows[i]);
	}
	free(l->rows);
	free(l);
}

struct latest_row *latest_add(struct latest *l, const char *tag,
			      size_t tag_len, const char *tag_color)
{
	struct latest_row *r = xcalloc(1, sizeof(*r));

	if (tag) {
		r->tag = xmemdup(tag, tag_len);
		r->tag_len = tag_len;
	}
	r->tag_color = tag_color;
	buf_init(&r->line);
	buf_init(&r->part[0]);
	buf_init(&r->part[1]);
	r->dirty = true;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->rows = xreallocarray(l->rows, l->cap, sizeof(*l->rows));
	}
	l->rows[l->n++] = r;
	l->changed = l->cfg.tty;
	return r;
}

/* Appends p[0..n) to b as far as LINE_CAP allows. */
static void add_capped(struct buf *b, bool *cut, const char *p, size_t n)
{
	size_t room = b->len < LINE_CAP ? LINE_CAP - b->len : 0;

	if (n > room) {
		*cut = true;
		n = room;
	}
	if (n > 0) {
		buf_add(b, p, n); /* p may be NULL when n is 0 */
	}
}

/* The latest line becomes (what `pre` holds, then) p[0..n). */
static void set_line(struct latest_row *r, const struct buf *pre,
		     bool pre_long, const char *p, size_t n)
{
	r->line.len = 0;
	r->line_long = false;
	if (pre) {
		add_capped(&r->line, &r->line_long, pre->data, pre->len);
		r->line_long |= pre_long;
	}
	add_capped(&r->line, &r->line_long, p, n);
}

static bool is_end(char c)
{
	return c == '\n' || c == '\r';
}

void latest_data(struct latest *l, struct latest_row *r, int i,
		 const char *p, size_t n)
{
	struct buf *part = &r->part[i];
	size_t k = n;

	/* k: just after the last line end. */
	while (k > 0 && !is_end(p[k - 1])) {
		k--;
	}
	if (k == 0) {
		add_capped(part, &r->part_long[i], p, n);
		return;
	}
	/* The last line that is not empty, up to there. */
	size_t j = k - 1;
	while (j > 0 && is_end(p[j - 1])) {
		j--;
	}
	size_t s = j;
	while (s > 0 && !is_end(p[s - 1])) {
		s--;
	}
	if (j > 0 && s > 0) {
		set_line(r, NULL, false, p + s, j - s);
	} else if (j > 0 || part->len > 0) {
		/* It began in an earlier call (or is what came before). */
		set_line(r, part, r->part_long[i], p, j);
	}
	part->len = 0;
	r->part_long[i] = false;
	add_capped(part, &r->part_long[i], p + k, n - k);
	r->dirty = true;
	l->changed |= l->cfg.tty;
}

void latest_end(struct latest *l, struct latest_row *r, bool failed)
{
	for (int i = 0; i < 2; i++) {
		if (r->part[i].len > 0) {
			set_line(r, &r->part[i], r->part_long[i], NULL, 0);
		}
		buf_finish(&r->part[i]);
	}
	r->done = true;
	r->failed = failed;
	r->dirty = true;
	l->changed = true;
}

/*
 * Appends p[0..n) to out from column col on, while it fits before column
 * limit: tabs become spaces to the next multiple of 8, and a UTF-8
 * character takes one column.  Returns the column reached; *cut says
 * whether some of it did not fit.
 */
static size_t put_text(struct buf *out, const char *p, size_t n, size_t col,
		       size_t limit, bool *cut)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if ((c & 0xc0) == 0x80) {
			buf_addc(out, (char)c); /* continues a character */
			continue;
		}
		if (col >= limit) {
			*cut = true;
			return col;
		}
		if (c == '\t') {
			size_t next = (col / 8 + 1) * 8;
			for (; col < next && col < limit; col++) {
				buf_addc(out, ' ');
			}
			continue;
		}
		buf_addc(out, (char)c);
		col++;
	}
	return col;
}

/* One row on the terminal, `cols` wide, from its first column. */
static void render(const struct latest *l, const struct latest_row *r,
		   size_t cols, struct buf *out)
{
	bool red = l->cfg.color_failed && r->failed;
	bool cut = false;
	size_t col = 0;

	/* Cleared first: a line at the last column could not be after. */
	buf_adds(out, red ? "\r" RED_ON : "\r\033[K");
	if (r->tag) {
		if (r->tag_color && !red) {
			buf_addf(out, "\033[%sm", r->tag_color);
		}
		col = put_text(out, r->tag, r->tag_len, 0, cols - 1, &cut);
		if (r->tag_color && !red) {
			buf_adds(out, "\033[0m");
		}
		if (!cut) {
			col = put_text(out, "\t", 1, col, cols - 1, &cut);
		}
	}
	if (!cut) {
		put_text(out, r->line.data, r->line.len, col, cols - 1, &cut);
	}
	if (cut || r->line_long) {
		buf_addc(out, '>');
	}
	if (red) {
		buf_adds(out, RED_OFF);
	}
}

/* Forgets rows[i]. */
static void drop(struct latest *l, size_t i)
{
	row_free(l->rows[i]);
	memmove(&l->rows[i], &l->rows[i + 1],
		(l->n - i - 1) * sizeof(*l->rows));
	l->n--;
	if (i < l->shown) {
		l->shown--;
	}
}

/* Not on a terminal: the finished jobs' lines, once. */
static void draw_plain(struct latest *l, struct buf *out)
{
	for (size_t i = 0; i < l->n;) {
		struct latest_row *r = l->rows[i];
		if (!r->done) {
			if (l->cfg.keep_order) {
				return;
			}
			i++;
			continue;
		}
		bool red = l->cfg.color_failed && r->failed;
		if (red) {
			buf_adds(out, RED_ON);
		}
		if (r->tag) {
			buf_add(out, r->tag, r->tag_len);
			buf_addc(out, '\t');
		}
		if (r->line.len > 0) {
			buf_add(out, r->line.data, r->line.len);
		}
		if (red) {
			buf_adds(out, RED_OFF);
		}
		buf_addc(out, '\n');
		drop(l, i);
	}
}

/* The terminal's columns and rows, or 80 by 24. */
static void term_size(const struct latest *l, size_t *cols, size_t *lines)
{
	struct winsize ws;

	*cols = 80;
	*lines = 24;
	if (ioctl(l->cfg.fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 &&
	    ws.ws_row > 0) {
		*cols = ws.ws_col;
		*lines = ws.ws_row;
	}
}

/* Moves the finished rows above the running ones: all are redrawn. */
static void lift_finished(struct latest *l)
{
	size_t d = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct latest_row *r = l->rows[i];
		if (r->done) {
			memmove(&l->rows[d + 1], &l->rows[d],
				(i - d) * sizeof(*l->rows));
			l->rows[d++] = r;
		}
	}
	for (size_t i = 0; i < l->n; i++) {
		l->rows[i]->dirty = true;
	}
}

void latest_draw(struct latest *l, struct buf *out)
{
	if (!l->changed) {
		return;
	}
	l->changed = false;
	if (!l->cfg.tty) {
		draw_plain(l, out);
		return;
	}
	size_t cols, lines;
	term_size(l, &cols, &lines);
	size_t room = lines > 1 ? lines - 1 : 1;
	bool again = true;
	while (again) {
		if (l->n > room) {
			size_t d = 0;
			while (d < l->n && !l->rows[d]->done) {
				d++;
			}
			if (d < l->n) {
				lift_finished(l);
			}
		}
		size_t end = l->n < room ? l->n : room;
		size_t first = l->shown < end ? l->shown : end;
		for (size_t i = 0; i < first; i++) {
			if (l->rows[i]->dirty) {
				first = i;
				break;
			}
		}
		if (first < end) {
			if (l->shown > first) {
				buf_addf(out, "\033[%zuA", l->shown - first);
			}
			for (size_t i = first; i < end; i++) {
				render(l, l->rows[i], cols, out);
				buf_addc(out, '\n');
				l->rows[i]->dirty = false;
			}
			l->shown = end;
		}
		/* Finished rows at the top stay as they are drawn. */
		size_t before = l->n;
		while (l->n > 0 && l->shown > 0 && l->rows[0]->done &&
		       !l->rows[0]->dirty) {
			drop(l, 0);
		}
		again = l->n < before && l->n > l->shown;
	}
}
