/*
 * Progress on standard error.  A frame is one line rewritten in place
 * (carriage return, no newline), padded to the terminal's width: whatever
 * prun or a job writes next then starts on a line of its own, and the
 * frame is drawn again below it.  Drawing happens on a timer, at most ten
 * times a second, between the writes of output (unless they go on for
 * half a second), and only if the frame changed or output came below it
 * since; the counts it shows are set by the scheduler as jobs start and
 * end.
 *
 * The formats are GNU parallel's: --bar "P% done:left=ETA args" in reverse
 * video up to P% of the width; --eta "ETA: Ns Left: N AVG: N.NNs"; and
 * --progress "local:running/done/%/avg s" under a table of computers.
 * When the number of jobs is not known (input read as it comes, without
 * --total-jobs), what is known is shown instead: done and running.
 */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <uv.h>

#include "input.h"
#include "job.h"
#include "util.h"

#define FRAME_MS 100
/* Ticks a frame waits for a pause in the writes of output, at most. */
#define DEFER_MAX 5

struct progress {
	struct progress_config cfg;
	uv_timer_t timer;
	struct progress_counts c;
	uint64_t start_ns;
	struct buf arg;       /* the newest job's arguments (--bar) */
	struct buf text;      /* scratch */
	struct buf frame;     /* the last frame drawn */
	struct buf next;      /* scratch: the frame to draw */
	double smoothed;      /* GNU parallel's smoothed time per job */
	long last_eta;
	bool drawn;           /* a frame is on the screen */
	bool stale;           /* the run changed since the frame was drawn */
	uint64_t mark;        /* cfg.mark()'s when the frame was drawn */
	unsigned deferred;    /* ticks in a row that a write was under way */
	bool closed;
};

static void draw(struct progress *p);

static void on_timer(uv_timer_t *t)
{
	draw(t->data);
}

static void put(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, s, n);
		if (w <= 0) {
			return;
		}
		s += w;
		n -= (size_t)w;
	}
}

void progress_create(struct progress **out, uv_loop_t *loop,
		     const struct progress_config *cfg)
{
	*out = NULL;
	if (!(cfg->bar || cfg->eta || cfg->progress) ||
	    !isatty(STDERR_FILENO)) {
		return;
	}
	struct progress *p = xcalloc(1, sizeof(*p));
	p->cfg = *cfg;
	p->start_ns = now_ns();
	buf_init(&p->arg);
	buf_init(&p->text);
	buf_init(&p->frame);
	buf_init(&p->next);
	uv_timer_init(loop, &p->timer);
	p->timer.data = p;
	uv_timer_start(&p->timer, on_timer, FRAME_MS, FRAME_MS);
	uv_unref((uv_handle_t *)&p->timer);
	if (!cfg->bar) {
		struct buf b;
		buf_init(&b);
		buf_addf(&b, "\nComputers / CPU cores / Max jobs to run\n"
			 "1:local / %u / %ld\n\nComputer:jobs running/jobs "
			 "completed/%%of started jobs/Average seconds to "
			 "complete\n", cfg->cores, cfg->max_jobs);
		put(b.data, b.len);
		buf_finish(&b);
	}
	*out = p;
}

void progress_destroy(struct progress *p)
{
	if (!p) {
		return;
	}
	buf_finish(&p->arg);
	buf_finish(&p->text);
	buf_finish(&p->frame);
	buf_finish(&p->next);
	free(p);
}

void progress_update(struct progress *p, const struct progress_counts *c,
		     const struct job *started)
{
	if (!p || p->closed) {
		return;
	}
	p->c = *c;
	/* Output may have been written below the frame: draw it again. */
	p->stale = true;
	if (started) {
		/* GNU's {} of all the arguments, unquoted, on one line. */
		p->arg.len = 0;
		for (size_t i = 0; i < started->rec->n; i++) {
			const struct value *v = &started->rec->v[i];
			if (i > 0) {
				buf_addc(&p->arg, ' ');
			}
			for (size_t k = 0; k < v->len; k++) {
				unsigned char ch = (unsigned char)v->s[k];
				buf_addc(&p->arg, ch < 0x20 || ch == 0x7f
							  ? ' ' : (char)ch);
			}
		}
	}
	if (!p->drawn) {
		draw(p);
	}
}

/* The terminal's width, 80 if it does not say. */
static size_t columns(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
		return ws.ws_col;
	}
	return 80;
}

/* Seconds as GNU parallel writes them: 5s, 1m05s, 2h01m05s, 1d02h01m05s. */
static void add_time(struct buf *b, long s)
{
	long d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;

	s %= 60;
	if (d) {
		buf_addf(b, "%ldd%02ldh%02ldm%02lds", d, h, m, s);
	} else if (h) {
		buf_addf(b, "%ldh%02ldm%02lds", h, m, s);
	} else if (m) {
		buf_addf(b, "%ldm%02lds", m, s);
	} else {
		buf_addf(b, "%lds", s);
	}
}

struct eta {
	uint64_t total, left;
	double pct;           /* 0 to 1 */
	double avg;           /* seconds per job */
	long eta;             /* seconds */
};

/* GNU parallel's estimate, smoothed so that it does not jump about. */
static struct eta compute_eta(struct progress *p)
{
	struct eta e = {0, 0, 0, 0, 0};
	uint64_t done = p->c.done;

	e.total = p->c.total > done ? p->c.total : done;
	e.left = e.total - done;
	if (done == 0 || e.total == 0) {
		return e;
	}
	e.pct = (double)done / (double)e.total;
	e.avg = (double)(now_ns() - p->start_ns) / 1e9 / (double)done;
	if (p->smoothed == 0) {
		p->smoothed = e.avg;
	}
	p->smoothed = (1 - e.pct) * p->smoothed + e.pct * e.avg;
	e.eta = (long)((double)e.left * p->smoothed);
	if (e.eta * 0.9 < p->last_eta && p->last_eta < e.eta) {
		e.eta = p->last_eta;
	} else {
		p->last_eta = e.eta;
	}
	return e;
}

/* The byte offset of character `chars` of s (UTF-8), or len. */
static size_t char_offset(const char *s, size_t len, size_t chars)
{
	size_t i = 0;

	while (i < len && chars > 0) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80) {
			i++;
		}
		chars--;
	}
	return i;
}

/* Cuts or pads text to exactly `width` characters. */
static void fit(struct buf *text, size_t width)
{
	size_t end = char_offset(text->data ? text->data : "", text->len,
				 width);
	size_t chars = 0;

	for (size_t i = 0; i < end; i++) {
		chars += ((unsigned char)text->data[i] & 0xc0) != 0x80;
	}
	text->len = end;
	if (text->data) {
		text->data[end] = '\0';
	}
	while (chars++ < width) {
		buf_addc(text, ' ');
	}
}

/* --bar's frame. */
static void bar_frame(struct progress *p, struct buf *out, size_t width)
{
	struct buf *t = &p->text;

	t->len = 0;
	if (p->c.total == 0) {
		buf_addf(t, "%llu done, %zu running %s",
			 (unsigned long long)p->c.done, p->c.running,
			 p->arg.data ? p->arg.data : "");
		fit(t, width);
		buf_addc(out, '\r');
		buf_add(out, t->data, t->len);
		return;
	}
	struct eta e = compute_eta(p);
	buf_addf(t, "%d%% %llu:%llu=", (int)(e.pct * 100),
		 (unsigned long long)p->c.done, (unsigned long long)e.left);
	add_time(t, e.eta);
	buf_addf(t, " %s", p->arg.data ? p->arg.data : "");
	fit(t, width);
	size_t split = char_offset(t->data, t->len,
				   (size_t)((double)width * e.pct));
	buf_adds(out, "\r\033[7m");
	buf_add(out, t->data, split);
	buf_adds(out, "\033[0m");
	buf_add(out, t->data + split, t->len - split);
	buf_adds(out, "\033[0m");
}

/* --eta's and --progress's status line. */
static void status_text(struct progress *p, struct buf *t)
{
	const struct progress_counts *c = &p->c;

	t->len = 0;
	if (p->cfg.eta) {
		struct eta e = compute_eta(p);
		if (c->total == 0) {
			buf_addf(t, "ETA: ?s Left: ? AVG: %.2fs  ", e.avg);
		} else {
			buf_addf(t, "ETA: %lds Left: %llu AVG: %.2fs  ", e.eta,
				 (unsigned long long)e.left, e.avg);
		}
	}
	if (c->started > 0) {
		double elapsed = (double)(now_ns() - p->start_ns) / 1e9;
		uint64_t of = c->running + c->done;
		buf_addf(t, "local:%zu/%llu/%llu%%/%.1fs ", c->running,
			 (unsigned long long)c->done,
			 (unsigned long long)(of * 100 / c->started),
			 c->done ? elapsed / (double)c->done : 0.0);
	}
}

/* Draws the current frame if it differs from the one on the screen. */
static void draw(struct progress *p)
{
	struct buf *f = &p->next;
	size_t width = columns();
	uint64_t mark = p->mark + 1; /* not known */

	if (p->cfg.mark && !p->cfg.mark(p->cfg.data, &mark)) {
		/* A later tick draws it, unless output never pauses. */
		if (++p->deferred < DEFER_MAX) {
			return;
		}
		mark = p->mark + 1;
	}
	p->deferred = 0;
	/* Only output below the frame makes an unchanged one worth drawing. */
	bool below = p->stale && mark != p->mark;
	f->len = 0;
	if (p->cfg.bar) {
		bar_frame(p, f, width);
	} else {
		status_text(p, &p->text);
		fit(&p->text, width);
		buf_addc(f, '\r');
		buf_add(f, p->text.data, p->text.len);
	}
	if (p->drawn && !below && f->len == p->frame.len &&
	    memcmp(f->data, p->frame.data, f->len) == 0) {
		return;
	}
	put(f->data, f->len);
	p->stale = false;
	p->mark = mark;
	p->frame.len = 0;
	buf_add(&p->frame, f->data, f->len);
	p->drawn = true;
}

void progress_close(struct progress *p)
{
	if (!p || p->closed) {
		return;
	}
	p->closed = true;
	uv_close((uv_handle_t *)&p->timer, NULL);
	if (p->cfg.bar) {
		put("\r\033[K", 4);
		return;
	}
	status_text(p, &p->text);
	buf_adds(&p->text, "\033[K\n");
	put("\r", 1);
	put(p->text.data, p->text.len);
}
