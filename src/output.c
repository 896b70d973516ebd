/*
 * Writing jobs' output.  Three ways, one writer:
 *
 * - Spool (grouped, -k, --files): a job's stdout and stderr are held
 *   until its turn.  Jobs start with pipes (but not under --files, and
 *   not where the scheduler wants files: --results, --retries), which
 *   prun reads into spools: memory, and an unlinked temp file beyond a
 *   budget.  Once a spool spills, jobs print much, and later ones write
 *   straight into unlinked temp files of their own (the spawner makes
 *   them), copied to prun's stdout and stderr with sendfile(2): no byte of
 *   theirs passes through prun's memory.  Grouped, a job is copied when it
 *   ends, stdout then stderr.  Under -k, the oldest job not yet written is
 *   followed while it runs: whatever it has written is copied, as it comes
 *   from its pipes, or its files are looked at again every TAIL_MS while
 *   nothing new came; later jobs wait for their turn.  Its stderr waits
 *   for its end when it goes to stdout's file, so that the bytes do not
 *   depend on the order of reads.  Tags need the bytes, so tagged output
 *   in files is read, tagged and written on the thread pool, not sent.
 *   A pass makes the disk matter less: the job being written (under -k
 *   the oldest; grouped, while no ended job waits, a running job whose
 *   output outgrew memory) hands its stdout pipe, once what prun read of
 *   it is out, to a splice(2) loop on the thread pool that moves its bytes
 *   to stdout as they come, beside the writes of its stderr; jobs that
 *   end meanwhile wait for it.  Only jobs with pipes pass: those that
 *   write files of their own (once jobs print much) cost less kept, as
 *   measured, than pipes that prun moves to files.
 * - Pipe (--line-buffer, and --ungroup with tags): prun reads the job's
 *   pipes (the same way) and queues whole lines (or, ungrouped, whatever
 *   came) for writing.  The rest of a line waits in a spool of its own, in
 *   memory up to a budget and then in a temp file, so a line of any length
 *   comes out whole.  While too much is queued, the pipes are not read.
 * - Inherit (--ungroup): the jobs write to prun's stdout themselves; only
 *   -v's headers are written here.
 *
 * --color-failed colours the lines of a failed job as they are copied in
 * spool mode (so -k waits for a job's end).  --latest-line reads pipes
 * and hands every byte to latest.c, whose rows are queued for writing on
 * a timer and when a job ends.
 *
 * A job's pipes are read until its leader exits, and then once more, as
 * far as they hold anything: what its leftover processes write later is
 * not waited for (they get the term sequence).
 *
 * Only one write is under way at a time, on libuv's thread pool, so fd 1
 * stays blocking.  A full disk under the jobs' own spool files cannot be
 * seen as a write error (the jobs write them), so the file system is
 * checked when a job ends and before a spool is freed: until then, the
 * space that a job's failed write wanted is still taken.  Where prun
 * writes a spool itself, a full disk (or no descriptor for a spool file)
 * stalls the stream instead: its pipe is not read (the job waits) until
 * space comes back or the job is the one being written, which is read on
 * (see stall()).
 */
#define _GNU_SOURCE /* splice */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "latest.h"
#include "lines.h"
#include "log.h"
#include "spool.h"
#include "util.h"

/* How often the files of a running job at the head of -k are looked at. */
#define TAIL_MS 15
/* How often --latest-line's rows are drawn again, at most. */
#define FRAME_MS 100
/* How often to check whether the reader of a pipe on stdout went away. */
#define WATCH_MS 100
/* One read from a pipe, one block of a tagged copy. */
#define READ_SIZE 65536
/* Queued bytes at which pipes stop being read, and start again. */
#define QUEUE_HIGH (4u << 20)
#define QUEUE_LOW (1u << 20)
/* Queued chunks are filled up to this size before a new one starts. */
#define CHUNK_MAX (256u << 10)
/* Written chunks kept for reuse, rather than freed and allocated again. */
#define SPARE_MAX 8
/* The unfinished line of a stream in memory; of all of them together. */
#define PARTIAL_MAX (1u << 20)
#define PARTIAL_TOTAL (16u << 20)
/* Spool space of a running job is given back in steps of this much. */
#define RELEASE_MIN (16 << 20)
/* The most one sendfile(2) is asked for. */
#define SEND_MAX 0x40000000
/* What is read from a pipe once its job has exited, at most. */
#define DRAIN_MAX (1u << 20)
/* The most one splice(2) of a passed pipe is asked for. */
#define PASS_MAX (1u << 20)
/* How often a pass looks whether its job has exited, while nothing comes. */
#define PASS_POLL_MS 50

enum kind {
	K_INHERIT,
	K_SPOOL,
	K_PIPE,
};

enum phase {
	PH_HEADER,
	PH_OUT,
	PH_ERR,
	PH_END,
};

/* -k: a job from next_seq on, by seq. */
struct slot {
	struct job *job;
	bool done;            /* handed in by output_add() */
};

/* Pipe mode: bytes queued for stdout or stderr. */
struct chunk {
	struct chunk *next;
	int fd;               /* where they go: STDOUT_FILENO, STDERR_FILENO */
	struct buf b;         /* the bytes */
	int file;             /* owned; a long line spooled to a file, or -1 */
	int64_t file_len;
	bool written;         /* written out (or dropped): free it */
	struct job *done;     /* a marker: this job's output is all written */
	pid_t unzip;          /* the decompressor that file comes from, or 0 */
	uint64_t seq;         /* the job whose line that is, if unzip */
};

/*
 * One of a job's pipes.  It is handed to libuv only when the loop is about
 * to wait: a job that is over by then is read without it.
 */
struct ostream {
	struct ojob *oj;
	int fd;               /* owned; the pipe until it is armed, or -1 */
	bool armed;           /* `pipe` has it */
	uv_pipe_t pipe;
	bool reading;         /* uv_read_start() is in effect */
	bool passing;         /* a pass moves the pipe's bytes to stdout */
	bool eof;             /* nothing more comes; the handle is closing */
	bool bol;             /* the next byte starts a line */
	uint64_t bytes;       /* read in all */
	struct spool partial; /* pipe mode: the line that has not ended yet;
	                         spool mode: all of it */
	bool stalled;         /* spool mode: the spool's disk is full; what
	                         comes waits in `stall`, the pipe unread */
	bool stall_grows;     /* the pipe is read all the same (see
	                         feed_stalled()) */
	struct buf stall;     /* bytes after those of `partial` */
};

/* A job whose pipes are read. */
struct ojob {
	struct output *o;
	struct job *job;      /* owned by the scheduler until output_add() */
	struct ostream s[2];  /* stdout, stderr */
	char *tag[2];         /* owned; pipe mode: the tag for each fd */
	size_t tag_len[2];
	struct latest_row *row; /* --latest-line: its row, until it ends */
	int handles;          /* pipe handles not yet closed */
	bool exited;          /* handed in by output_add() */
	bool written;         /* spool mode: the job is written and gone */
	bool passed;          /* spool mode: stdout went out by a pass */
	bool to_arm;          /* on output::to_arm */
	struct ojob *arm_next;
	struct ojob *prev;    /* output::live */
	struct ojob *next;
};

/*
 * A write to stdout or stderr, run on the thread pool: bytes in memory, or
 * part of a file, sent with sendfile(2) or, with tags, read and tagged.
 */
struct copy {
	uv_work_t req;
	struct output *o;
	int dst;
	const char *mem;      /* the bytes to write, or NULL for a file */
	size_t mem_len;
	int src;              /* the file */
	int64_t off;          /* in: where to start; out: where it stopped */
	int64_t end;
	const char *tag;      /* put before each line, if tag_len > 0 */
	size_t tag_len;
	bool part;            /* spool mode: part of the current job's
	                         stream, which off and bol follow */
	bool bol;             /* in and out: at a line start */
	const char *on;       /* --color-failed: each line's colour, or NULL */
	const char *color_off; /* its end */
	bool cr;              /* in and out: a '\r' ended the last piece */
	int err;              /* out: 0, or a write error (-errno) */
	int read_err;         /* out: a read error of the file (-errno) */
	int probe;            /* if >= 0, then free [0, off) of the file */
	bool check;           /* check the room before that: jobs write
	                         files of their own */
	int room;             /* out: spool_check_room() before that */
	bool cannot_release;  /* out: the file system cannot do it */
	pid_t unzip;          /* src is this decompressor's pipe (the copy
	                         owns it) from the spool's start: off bytes
	                         are skipped; or 0 */
	uint64_t seq;         /* the job the spool is of, if unzip */
	bool whole;           /* out: the pipe gave exactly [0, end) */
	char *in;             /* owned; READ_SIZE bytes */
	struct buf out;       /* one block, tagged; or bytes to write */
};

/*
 * A pass: the stdout pipe of the job being written, moved to prun's stdout
 * on the thread pool as the job writes it.  It runs beside the writes of
 * the job's stderr (fd 2), never beside another write to fd 1.
 */
struct pass {
	uv_work_t req;
	struct output *o;
	bool busy;            /* on the thread pool */
	int fd;               /* the pipe (its ostream owns it) */
	atomic_bool stop;     /* in: the job has exited: move only what the
	                         pipe holds now */
	bool eof;             /* out: the pipe reached its end */
	int err;              /* out: a write error (-errno), or 0 */
	int read_err;         /* out: a read error (-errno), or 0 */
	uint64_t bytes;       /* out: bytes moved */
	atomic_uint_fast64_t moved; /* bytes moved by every pass so far */
	char *in;             /* owned; READ_SIZE bytes, if splice(2) cannot
	                         write to stdout */
};

struct output {
	uv_loop_t *loop;
	struct output_config cfg;
	struct output_callbacks cb;
	enum kind kind;
	bool keep_order;
	bool hold_err;        /* -k: the live job's stderr waits for its end */
	bool whole_lines;     /* pipe mode: never a torn line */
	bool color[2];        /* colour the tags on stdout, stderr */
	bool color_failed;    /* failed jobs' lines in red, when written
	                         whole (grouped, -k) */
	int probe;            /* owned; a temp file in tmpdir, or -1 until
	                         one is needed */
	bool lost;            /* a loss has been reported */
	bool split_said;      /* a line printed in parts has been reported */
	bool heavy;           /* a spool of a job's pipe spilled */
	bool passes;          /* spool mode: the job being written may pass
	                         its stdout while it runs (no tags, colours,
	                         --files or compression) */
	bool spilled;         /* grouped: a running job's stdout may have
	                         outgrown memory since pick_running() last
	                         found none */
	bool releasing;       /* spool space can be freed as it is written */
	size_t pending;       /* jobs handed in, not yet written */
	size_t stalled;       /* streams stalled on a full disk */
	bool room_freed;      /* spool space was given back since the
	                         stalled streams last tried */
	size_t own_files;     /* running jobs that write files of their own */

	/* Spool mode: finished jobs in order of completion (job->next). */
	struct job *head;
	struct job *tail;
	/* Spool mode with -k: jobs from next_seq on (ring by seq % cap). */
	struct slot *ring;    /* owned array */
	size_t ring_cap;
	uint64_t next_seq;

	/* Spool mode: the job being written. */
	struct job *cur;
	bool cur_done;        /* it has exited */
	enum phase phase;
	bool last_round;      /* the round began after it exited */
	bool copied;          /* this round copied something */
	int64_t off[2];       /* bytes of each spool file written */
	int64_t released[2];  /* bytes whose disk space is given back */
	int64_t end;          /* the end of the copy under way */
	bool bol[2];
	bool cr[2];           /* a '\r' ended the last piece of a line */
	const char *on;       /* --color-failed: its lines' colour ("" if it
	                         did not fail), or NULL */
	const char *color_off; /* the end of that colour */
	char *tag[2];         /* owned; the tag as written to each fd */
	size_t tag_len[2];
	struct buf line;      /* --files: the name line */
	uv_timer_t tail_timer;
	bool tailing;         /* the timer runs */

	/* Pipe mode. */
	struct chunk *qhead;  /* owned list */
	struct chunk *qtail;
	struct chunk *spare;  /* owned list; written chunks to reuse */
	size_t n_spare;
	size_t queued;        /* bytes in queued chunks' memory */
	size_t partial_mem;   /* bytes of unfinished lines in memory */
	bool paused;          /* pipes are not read: too much is queued */
	struct latest *latest; /* owned; --latest-line, or NULL */
	uv_timer_t frame;     /* draws its rows while jobs write */
	struct buf frame_buf;

	/* Both. */
	struct ojob *live;    /* owned list; jobs whose pipes are read */
	struct ojob *to_arm;  /* jobs whose pipes libuv does not have yet */
	uv_prepare_t arm;     /* hands them over before the loop waits */
	char *rbuf;           /* owned; READ_SIZE bytes, once needed */

	/* The write under way. */
	bool busy;
	uint64_t copies;      /* writes ended so far */
	uint64_t marks;       /* output_mark()'s calls, for -u */
	bool broken;          /* stdout failed: discard the rest */
	bool in_pump;
	struct copy copy;
	struct pass pass;     /* spool mode, beside `copy` */

	uv_timer_t watch;     /* is the reader of stdout still there? */
	bool watching;
	bool closed;
};

static void pump(struct output *o);

/*
 * --color-failed: GNU parallel's white on red to the end of the line
 * (tput el), and the end of all attributes, as it writes them where
 * terminfo has no say.
 */
#define RED_ON "\033[48;5;196;38;5;231m\033[K"
#define RED_OFF "\033[m"

/* Colours of tags, one per job in turn. */
static const char *const palette[] = {
	"1;31", "1;32", "1;33", "1;34", "1;35", "1;36",
};

enum job_io output_job_io(const struct output_config *cfg)
{
	if (cfg->files) {
		return JOB_IO_FILES;
	}
	if (cfg->latest) {
		return JOB_IO_PIPE;
	}
	switch (cfg->mode) {
	case OUTPUT_UNGROUP:
		return cfg->tag ? JOB_IO_PIPE : JOB_IO_INHERIT;
	case OUTPUT_LINE:
		/* -k shows one job at a time: no line can be torn. */
		return cfg->keep_order ? JOB_IO_SPOOL : JOB_IO_PIPE;
	case OUTPUT_GROUP:
	default:
		return JOB_IO_SPOOL;
	}
}

/*
 * True if fd 1 and fd 2 are one file (2>&1, one terminal), where the order
 * of what is written to each can be seen.
 */
static bool same_file(void)
{
	struct stat out, err;

	if (fstat(STDOUT_FILENO, &out) < 0 || fstat(STDERR_FILENO, &err) < 0) {
		return false; /* a closed stream shows nothing */
	}
	return out.st_dev == err.st_dev && out.st_ino == err.st_ino;
}

/* Reports that output may be lost, once. */
static void report_lost(struct output *o, char *cause)
{
	if (o->lost) {
		free(cause);
		return;
	}
	o->lost = true;
	o->cb.lost(o->cb.data, cause);
}

/*
 * The temp file for probe writes: an fd, or -errno.  Made when first
 * needed, near a full disk or when spool space is given back: one file
 * fewer to create in the common case.
 */
static int get_probe(struct output *o)
{
	if (o->probe < 0) {
		o->probe = spool_tmpfile(o->cfg.tmpdir);
	}
	return o->probe;
}

/*
 * Checks the spool file system, where the file `fd` is; with `ended`, the
 * job has just ended and may be the one that lost output.  Only jobs that
 * write files of their own can lose bytes unseen: prun's own spools stall
 * on a full disk (see stall()).
 */
static void check_room(struct output *o, int fd, const struct job *job,
		       bool ended)
{
	if (o->kind != K_SPOOL || o->lost || (!ended && !o->own_files) ||
	    spool_room_sure(fd)) {
		return;
	}
	int r = spool_check_room(get_probe(o), fd);
	if (r == 0) {
		return;
	}
	if (ended) {
		report_lost(o, xasprintf("output of job %llu may be incomplete: "
					 "%s: %s", (unsigned long long)job->seq,
					 o->cfg.tmpdir, strerror(-r)));
	} else {
		report_lost(o, xasprintf("output may be incomplete: %s: %s",
					 o->cfg.tmpdir, strerror(-r)));
	}
}

/* The reader of stdout is gone or stdout failed: discard from now on. */
static void set_broken(struct output *o, int err)
{
	if (o->broken) {
		return;
	}
	o->broken = true;
	if (o->watching) {
		uv_timer_stop(&o->watch);
	}
	o->cb.failed(o->cb.data, err);
}

/*
 * The tag of a job as written to stream i (0 stdout, 1 stderr); `plain`
 * without its colour.
 */
static char *make_tag(const struct output *o, const struct job *job, int i,
		      bool plain, size_t *len)
{
	struct buf b;
	bool color = o->color[i] && !plain;

	*len = 0;
	if (!job->tag) {
		return NULL;
	}
	buf_init(&b);
	if (color) {
		size_t n = sizeof(palette) / sizeof(palette[0]);
		buf_addf(&b, "\033[%sm", palette[(job->seq - 1) % n]);
	}
	buf_add(&b, job->tag, job->tag_len);
	if (color) {
		buf_adds(&b, "\033[0m");
	}
	buf_addc(&b, '\t');
	*len = b.len;
	return buf_steal(&b);
}

/*
 * True if stdout is a pipe or socket whose reader has gone away.  Nothing
 * may be written for a long time (grouped jobs that run long, or --ungroup
 * where prun writes nothing), so this is polled rather than left to the
 * next write; poll() does not touch the shared file description.
 */
static bool reader_gone(struct output *o)
{
	struct pollfd p = {.fd = STDOUT_FILENO, .events = 0};

	return o->watching && !o->broken && poll(&p, 1, 0) == 1 &&
	       (p.revents & (POLLERR | POLLHUP));
}

static void on_watch(uv_timer_t *t)
{
	struct output *o = t->data;

	if (reader_gone(o)) {
		set_broken(o, UV_EPIPE);
		pump(o);
	}
}

static void queue_bytes(struct output *o, int fd, const char *tag,
			size_t tag_len, const char *p, size_t n, bool *bol);

/* --latest-line: queues what brings its rows up to date. */
static void draw_latest(struct output *o)
{
	bool bol = true;

	o->frame_buf.len = 0;
	latest_draw(o->latest, &o->frame_buf);
	queue_bytes(o, STDOUT_FILENO, NULL, 0, o->frame_buf.data,
		    o->frame_buf.len, &bol);
}

static void on_frame(uv_timer_t *t)
{
	struct output *o = t->data;

	draw_latest(o);
	pump(o);
}

static void on_tail(uv_timer_t *t)
{
	struct output *o = t->data;

	o->tailing = false;
	pump(o);
}

int output_create(struct output **out, uv_loop_t *loop,
		  const struct output_config *cfg,
		  const struct output_callbacks *cb, char **cause)
{
	struct output *o = xcalloc(1, sizeof(*o));
	struct stat st;

	o->loop = loop;
	o->cfg = *cfg;
	o->cb = *cb;
	o->next_seq = 1;
	o->probe = -1;
	o->releasing = true;
	buf_init(&o->line);
	switch (output_job_io(cfg)) {
	case JOB_IO_INHERIT:
		o->kind = K_INHERIT;
		break;
	case JOB_IO_PIPE:
		o->kind = K_PIPE;
		o->whole_lines = cfg->mode == OUTPUT_LINE;
		break;
	case JOB_IO_SPOOL:
	case JOB_IO_FILES:
		o->kind = K_SPOOL;
		o->keep_order = cfg->keep_order;
		/*
		 * The job streamed live would mix its stderr into its stdout
		 * as the reads happen to come: in the same file, it waits,
		 * and the job's output is what grouping gives, every time.
		 */
		o->hold_err = cfg->keep_order && same_file();
		/* GNU parallel colours only what it prints whole. */
		o->color_failed = cfg->color_failed &&
				  cfg->mode == OUTPUT_GROUP;
		o->passes = !cfg->files && !cfg->tag && !o->color_failed &&
			    !cfg->compress;
		break;
	}
	/*
	 * Proves tmpdir usable before any job runs (the spawner does that
	 * for spool files).
	 */
	if (o->kind == K_PIPE) {
		int err = spool_dir_usable(cfg->tmpdir);
		if (err < 0) {
			*cause = xasprintf("cannot create temp files in %s: %s",
					   cfg->tmpdir, strerror(-err));
			free(o);
			return err;
		}
	}
	const char *nc = getenv("NO_COLOR");
	bool color = cfg->color && !(nc && nc[0]);
	o->color[0] = color && isatty(STDOUT_FILENO);
	o->color[1] = color && isatty(STDERR_FILENO);
	buf_init(&o->frame_buf);
	uv_timer_init(loop, &o->frame);
	o->frame.data = o;
	if (o->kind == K_PIPE && cfg->latest) {
		struct latest_config lc = {
			.tty = isatty(STDOUT_FILENO),
			.keep_order = cfg->keep_order,
			.color_failed = cfg->color_failed,
			.fd = STDOUT_FILENO,
		};
		o->latest = latest_create(&lc);
		if (lc.tty) {
			uv_timer_start(&o->frame, on_frame, FRAME_MS, FRAME_MS);
			uv_unref((uv_handle_t *)&o->frame);
		}
	}

	uv_timer_init(loop, &o->tail_timer);
	o->tail_timer.data = o;
	uv_prepare_init(loop, &o->arm);
	o->arm.data = o;
	uv_timer_init(loop, &o->watch);
	o->watch.data = o;
	uv_unref((uv_handle_t *)&o->watch);
	if (fstat(STDOUT_FILENO, &st) == 0 &&
	    (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
		o->watching = true;
		uv_timer_start(&o->watch, on_watch, WATCH_MS, WATCH_MS);
	}
	*out = o;
	return 0;
}

void output_close(struct output *o)
{
	if (o->closed) {
		return;
	}
	o->closed = true;
	if (o->kind == K_INHERIT && reader_gone(o)) {
		/* The jobs met the broken pipe themselves: prun ends as well. */
		set_broken(o, UV_EPIPE);
	}
	uv_close((uv_handle_t *)&o->tail_timer, NULL);
	uv_close((uv_handle_t *)&o->frame, NULL);
	uv_close((uv_handle_t *)&o->watch, NULL);
	uv_close((uv_handle_t *)&o->arm, NULL);
}

/* Releases a written chunk: kept for reuse if it is of a usual size. */
static void chunk_free(struct output *o, struct chunk *c)
{
	if (c->file >= 0) {
		close(c->file);
	}
	if (o->n_spare < SPARE_MAX && c->b.cap <= 2 * CHUNK_MAX) {
		c->next = o->spare;
		o->spare = c;
		o->n_spare++;
		return;
	}
	buf_finish(&c->b);
	free(c);
}

void output_destroy(struct output *o)
{
	if (!o) {
		return;
	}
	while (o->qhead) {
		struct chunk *c = o->qhead;
		o->qhead = c->next;
		chunk_free(o, c);
	}
	while (o->spare) {
		struct chunk *c = o->spare;
		o->spare = c->next;
		buf_finish(&c->b);
		free(c);
	}
	if (o->probe >= 0) {
		close(o->probe);
	}
	free(o->tag[0]);
	free(o->tag[1]);
	latest_destroy(o->latest);
	buf_finish(&o->frame_buf);
	buf_finish(&o->line);
	buf_finish(&o->copy.out);
	free(o->copy.in);
	free(o->pass.in);
	free(o->rbuf);
	free(o->ring);
	free(o);
}

size_t output_pending(const struct output *o)
{
	return o->pending;
}

/* ---- The writer: one operation at a time on the thread pool. ---- */


/* Copies [off, end) of src with sendfile(2): 0, -errno, or 1 to fall back. */
static int copy_send(struct copy *c)
{
	while (c->off < c->end) {
		off_t off = (off_t)c->off;
		int64_t want = c->end - c->off;
		ssize_t r = sendfile(c->dst, c->src, &off,
				     (size_t)(want > SEND_MAX ? SEND_MAX : want));
		if (r < 0 && errno == EAGAIN) {
			struct pollfd pf = {.fd = c->dst, .events = POLLOUT};
			poll(&pf, 1, -1);
			continue;
		}
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0 && (errno == EINVAL || errno == ENOSYS)) {
			return 1;
		}
		if (r < 0) {
			return -errno;
		}
		if (r == 0) {
			c->off = c->end; /* the file is shorter: nothing more */
			return 0;
		}
		c->off = (int64_t)off;
	}
	return 0;
}

/* Writes c->in[0..n) to the output, coloured and tagged as asked. */
static int copy_write(struct copy *c, size_t n)
{
	const char *p = c->in;

	if (c->on) {
		c->out.len = 0;
		lines_color(&c->out, c->on, c->tag, c->tag_len, c->color_off,
			    c->in, n, &c->bol, &c->cr);
		p = c->out.data;
		n = c->out.len;
	} else if (c->tag_len) {
		c->out.len = 0;
		lines_tag(&c->out, c->tag, c->tag_len, c->in, n, &c->bol);
		p = c->out.data;
		n = c->out.len;
	}
	return write_all(c->dst, p, n);
}

/* Copies [off, end) of src through memory, with tags if there are any. */
static void copy_read(struct copy *c)
{
	while (c->off < c->end) {
		int64_t want = c->end - c->off;
		ssize_t n = pread(c->src, c->in,
				  (size_t)(want > READ_SIZE ? READ_SIZE : want),
				  c->off);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			c->read_err = n < 0 ? -errno : 0;
			c->off = c->end;
			return;
		}
		c->err = copy_write(c, (size_t)n);
		if (c->err < 0) {
			return;
		}
		c->off += n;
	}
}

/*
 * Copies [off, end) of a decompressor's pipe, which starts at the spool's
 * start, and sees that nothing more comes: more or fewer bytes than the
 * spool held mean that the decompressor failed.
 */
static void copy_stream(struct copy *c)
{
	int64_t skip = c->off;

	c->whole = false;
	while (skip > 0) {
		ssize_t n = read(c->src, c->in,
				 (size_t)(skip > READ_SIZE ? READ_SIZE : skip));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return;
		}
		skip -= n;
	}
	for (;;) {
		int64_t want = c->end - c->off;
		/* At the end, one more byte must not come. */
		size_t ask = want > READ_SIZE ? READ_SIZE
			     : want > 0       ? (size_t)want
					      : 1;
		ssize_t n = read(c->src, c->in, ask);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0 || want == 0) {
			c->whole = n == 0 && want == 0;
			return;
		}
		c->err = copy_write(c, (size_t)n);
		if (c->err < 0) {
			return;
		}
		c->off += n;
	}
}

/*
 * After a copy from the files of the running job at the head of -k: the
 * bytes are out, so their disk space can go.  Like any freeing of spool
 * space, that comes after a look at whether the disk ran full.
 */
static void copy_release(struct copy *c)
{
	if (c->probe < 0 || c->mem || c->err < 0) {
		return;
	}
	c->room = c->check ? spool_check_room(c->probe, c->src) : 0;
	if (c->room == 0 && spool_release(c->src, c->off) < 0) {
		c->cannot_release = true; /* the bytes stay: no harm done */
	}
}

/* Runs on the thread pool: the only place that writes to fd 1 and 2. */
static void copy_work(uv_work_t *req)
{
	struct copy *c = req->data;

	if (c->mem) {
		c->err = write_all(c->dst, c->mem, c->mem_len);
		return;
	}
	if (c->unzip > 0) {
		if (!c->in) {
			c->in = xmalloc(READ_SIZE);
		}
		copy_stream(c);
		return;
	}
	bool plain = c->tag_len == 0 && !c->on;
	if (plain) {
		c->err = copy_send(c);
	}
	if (!plain || c->err > 0) {
		c->err = 0;
		if (!c->in) {
			c->in = xmalloc(READ_SIZE);
		}
		copy_read(c);
	}
	copy_release(c);
}

static void op_done(struct output *o, int err);

static void copy_done(uv_work_t *req, int status)
{
	struct copy *c = req->data;
	struct output *o = c->o;

	o->busy = false;
	o->copies++;
	if (c->unzip > 0) {
		char *cause = NULL;
		close(c->src);
		/* After a failed write, the decompressor was cut off. */
		if (spool_unzip_end(c->unzip, c->whole, &cause) < 0 &&
		    c->err == 0) {
			report_lost(o, xasprintf("output of job %llu is "
						 "incomplete: %s",
						 (unsigned long long)c->seq,
						 cause));
		}
		free(cause);
		c->unzip = 0;
		c->off = c->end; /* the spool is read, whole or not */
	}
	if (c->read_err < 0) {
		report_lost(o, xasprintf("cannot read a spool file: %s",
					 strerror(-c->read_err)));
	}
	if (c->room < 0) {
		report_lost(o, xasprintf("output may be incomplete: %s: %s",
					 o->cfg.tmpdir, strerror(-c->room)));
	}
	if (c->cannot_release) {
		o->releasing = false;
	} else if (c->probe >= 0) {
		o->room_freed = true;
	}
	op_done(o, status < 0 ? status : c->err);
	pump(o);
}

static void start_copy(struct output *o)
{
	struct copy *c = &o->copy;

	c->req.data = c;
	c->o = o;
	c->err = 0;
	c->read_err = 0;
	c->room = 0;
	c->cannot_release = false;
	o->busy = true;
	int r = uv_queue_work(o->loop, &c->req, copy_work, copy_done);
	if (r < 0) {
		o->busy = false;
		op_done(o, r);
	}
}

/* Writes p[0..n) to fd; with `part`, a part of the current job's stream. */
static void start_mem(struct output *o, int fd, const char *p, size_t n,
		      bool part)
{
	struct copy *c = &o->copy;

	c->dst = fd;
	c->mem = p;
	c->mem_len = n;
	c->part = part;
	c->probe = -1;
	c->unzip = 0;
	start_copy(o);
}

static void start_write(struct output *o, int fd, const char *p, size_t n)
{
	start_mem(o, fd, p, n, false);
}

/*
 * Writes p[0..n), the current job's stream i up to `end`, with a tag
 * before each line, from a copy: the bytes may move meanwhile.
 */
static void start_bytes(struct output *o, int i, const char *p, size_t n,
			int64_t end)
{
	struct copy *c = &o->copy;

	c->out.len = 0;
	c->bol = o->bol[i];
	c->cr = o->cr[i];
	if (o->on) {
		lines_color(&c->out, o->on, o->tag[i], o->tag_len[i],
			    o->color_off, p, n, &c->bol, &c->cr);
	} else {
		lines_tag(&c->out, o->tag[i], o->tag_len[i], p, n, &c->bol);
	}
	c->off = end;
	start_mem(o, i ? STDERR_FILENO : STDOUT_FILENO, c->out.data,
		  c->out.len, true);
}

/* Sets up the copy of [off, end) of src to fd, with a tag before each line. */
static void copy_setup(struct output *o, int fd, int src, int64_t off,
		       int64_t end, const char *tag, size_t tag_len, bool bol)
{
	struct copy *c = &o->copy;

	c->dst = fd;
	c->mem = NULL;
	c->src = src;
	c->off = off;
	c->end = end;
	c->tag = tag;
	c->tag_len = tag_len;
	c->part = true;
	c->bol = bol;
	c->on = o->on; /* only ever set for the current job's streams */
	c->color_off = o->color_off;
	c->cr = o->cr[o->phase == PH_ERR ? 1 : 0];
}

/*
 * Copies [off, end) of the file src to fd, with a tag before each line;
 * with `release`, frees the disk space of the file up to there.
 */
static void start_file(struct output *o, int fd, int src, int64_t off,
		       int64_t end, const char *tag, size_t tag_len, bool bol,
		       bool release)
{
	struct copy *c = &o->copy;

	copy_setup(o, fd, src, off, end, tag, tag_len, bol);
	c->probe = release && o->releasing ? get_probe(o) : -1;
	c->check = o->own_files > 0;
	c->unzip = 0;
	start_copy(o);
}

/*
 * Copies [off, end) of a compressed spool of job seq to fd, from the pipe
 * src of the decompressor pid, with a tag before each line.
 */
static void start_unzip(struct output *o, int fd, int src, pid_t pid,
			uint64_t seq, int64_t off, int64_t end,
			const char *tag, size_t tag_len, bool bol)
{
	struct copy *c = &o->copy;

	copy_setup(o, fd, src, off, end, tag, tag_len, bol);
	c->probe = -1;
	c->unzip = pid;
	c->seq = seq;
	start_copy(o);
}

/* What to say when the compressed spool of job seq cannot be read. */
static char *unzip_lost(uint64_t seq, char *cause)
{
	char *s = xasprintf("output of job %llu is incomplete: %s",
			    (unsigned long long)seq, cause);

	free(cause);
	return s;
}

/* ---- Spool mode. ---- */

static int64_t file_size(int fd)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0) {
		return 0;
	}
	return st.st_size;
}

/* Makes room in the -k ring for seq. */
static void ring_grow(struct output *o, uint64_t seq)
{
	size_t cap = o->ring_cap ? o->ring_cap : 64;

	while (seq - o->next_seq >= cap) {
		cap *= 2;
	}
	if (cap == o->ring_cap) {
		return;
	}
	struct slot *ring = xcalloc(cap, sizeof(*ring));
	for (size_t i = 0; i < o->ring_cap; i++) {
		if (o->ring[i].job) {
			ring[o->ring[i].job->order % cap] = o->ring[i];
		}
	}
	free(o->ring);
	o->ring = ring;
	o->ring_cap = cap;
}

static struct slot *ring_slot(struct output *o, uint64_t seq)
{
	ring_grow(o, seq);
	return &o->ring[seq % o->ring_cap];
}

/*
 * True if the current job's stdout can go out by a pass from now on: it
 * runs, prun reads its pipe, and its bytes go out as they are.
 */
static bool can_pass(const struct output *o)
{
	const struct job *job = o->cur;
	const struct ojob *oj = job->output;

	return o->passes && oj && !oj->exited && !oj->s[0].eof && !o->broken;
}

static void stream_stop_read(struct ostream *st);
static void stream_start_read(struct ostream *st);
static int stream_fd(struct ostream *st);
static void stream_end(struct output *o, struct ojob *oj, int i);
static void stream_failed(struct output *o, struct ostream *st, int err);
static void feed_stalled(struct output *o);
static void retry_stalled(struct output *o);
static void rewind_stalled(struct output *o, struct ojob *oj, int i);

/*
 * Moves one piece of the pass's pipe to stdout: splice(2), which moves
 * pipe pages without a copy, or else read and write.  Returns the bytes
 * moved, 0 at the pipe's end, or -errno (p->err for a write error).
 */
static ssize_t pass_piece(struct pass *p, bool *splices)
{
	for (;;) {
		ssize_t n;
		if (*splices) {
			n = splice(p->fd, NULL, STDOUT_FILENO, NULL, PASS_MAX,
				   SPLICE_F_MOVE);
			if (n < 0 && errno == EINVAL) {
				*splices = false; /* a terminal, O_APPEND */
				continue;
			}
			if (n < 0 && errno != EINTR && errno != EAGAIN) {
				/* A pipe that is read fails in no other way. */
				p->err = -errno;
			}
		} else {
			if (!p->in) {
				p->in = xmalloc(READ_SIZE);
			}
			n = read(p->fd, p->in, READ_SIZE);
			if (n > 0) {
				p->err = write_all(STDOUT_FILENO, p->in,
						   (size_t)n);
				if (p->err < 0) {
					return p->err;
				}
			} else if (n < 0 && errno != EINTR && errno != EAGAIN) {
				p->read_err = -errno;
			}
		}
		if (n < 0 && errno == EINTR) {
			continue;
		}
		return n < 0 ? -errno : n;
	}
}

/*
 * Runs on the thread pool: the pipe goes to stdout as it comes, until its
 * end, or until the job has exited and the pipe holds no more (its
 * leftover processes are not waited for, as in stream_drain()).
 */
static void pass_work(uv_work_t *req)
{
	struct pass *p = req->data;
	bool splices = true;
	uint64_t after_stop = 0;

	while (after_stop < DRAIN_MAX) {
		bool stop = atomic_load(&p->stop);
		struct pollfd pf = {.fd = p->fd, .events = POLLIN};
		int r = poll(&pf, 1, stop ? 0 : PASS_POLL_MS);
		if (r < 0 && errno != EINTR) {
			p->read_err = -errno;
			return;
		}
		if (r <= 0) {
			if (stop) {
				return;
			}
			continue;
		}
		ssize_t n = pass_piece(p, &splices);
		if (n == -EAGAIN) {
			/*
			 * splice(2) does not wait where either end is
			 * O_NONBLOCK: stdout is full (or the pipe empty).
			 */
			struct pollfd out = {.fd = STDOUT_FILENO,
					     .events = POLLOUT};
			poll(&out, 1, PASS_POLL_MS);
			continue;
		}
		if (n <= 0) {
			p->eof = n == 0;
			return;
		}
		p->bytes += (uint64_t)n;
		atomic_fetch_add(&p->moved, (uint_fast64_t)n);
		if (stop) {
			after_stop += (uint64_t)n;
		}
	}
}

/* The pass has ended: the pipe is read by libuv again, or at its end. */
static void pass_after(uv_work_t *req, int status)
{
	struct pass *p = req->data;
	struct output *o = p->o;
	struct ojob *oj = o->cur->output;
	struct ostream *st = &oj->s[0];

	p->busy = false;
	st->passing = false;
	st->bytes += p->bytes;
	if (p->err < 0) {
		set_broken(o, p->err);
	} else if (p->read_err < 0) {
		stream_failed(o, st, p->read_err);
	}
	if (p->eof || p->err < 0 || p->read_err < 0 || oj->exited ||
	    status < 0) {
		stream_end(o, oj, 0);
	} else {
		stream_start_read(st);
	}
	o->copied = true;
	pump(o);
}

/*
 * Hands the current job's stdout pipe to a pass: from now on its bytes
 * move to stdout on the thread pool as the job writes them, none through
 * prun's memory or a spool file.  What prun read before is written.
 */
static void start_pass(struct output *o)
{
	struct ojob *oj = o->cur->output;
	struct ostream *st = &oj->s[0];
	struct pass *p = &o->pass;

	stream_stop_read(st);
	st->passing = true;
	oj->passed = true;
	p->req.data = p;
	p->o = o;
	p->fd = stream_fd(st);
	p->eof = false;
	p->err = 0;
	p->read_err = 0;
	p->bytes = 0;
	atomic_store(&p->stop, false);
	p->busy = true;
	int r = uv_queue_work(o->loop, &p->req, pass_work, pass_after);
	if (r < 0) {
		st->passing = false;
		p->busy = false;
		stream_start_read(st);
	}
}

/*
 * Grouped: a running job whose output has outgrown memory, to write while
 * it runs (and pass its stdout) since nothing else waits: its bytes need
 * not go through a spool file.  A job stalled on a full disk is written
 * while it runs even where it cannot pass: it would never end otherwise.
 * NULL if there is none.
 */
static struct job *pick_running(struct output *o)
{
	struct job *best = NULL;

	if (o->broken || !o->spilled) {
		return NULL; /* no scan of the running jobs at every read */
	}
	for (struct ojob *oj = o->live; oj; oj = oj->next) {
		struct job *job = oj->job;
		if (job && !oj->exited && !oj->written &&
		    ((o->passes && oj->s[0].partial.fd >= 0) ||
		     oj->s[0].stalled || oj->s[1].stalled) &&
		    (!best || job->seq < best->seq)) {
			best = job;
		}
	}
	o->spilled = best != NULL;
	return best;
}

/* Picks the next job to write; false if there is none yet. */
static bool pick(struct output *o)
{
	struct job *job;
	bool done = true;

	if (o->keep_order) {
		struct slot *sl = ring_slot(o, o->next_seq);
		if (!sl->job) {
			return false;
		}
		job = sl->job;
		done = sl->done;
		if (!done && o->color_failed) {
			return false; /* its colour is known once it ends */
		}
	} else if (o->head) {
		job = o->head;
		o->head = job->next;
		if (!o->head) {
			o->tail = NULL;
		}
	} else {
		job = pick_running(o);
		if (!job) {
			return false;
		}
		done = false;
	}
	o->cur = job;
	o->cur_done = done;
	o->phase = PH_HEADER;
	o->last_round = done;
	o->copied = false;
	o->end = -1;
	/*
	 * GNU parallel passes every job's lines through the colouring:
	 * lines of the others get no colour, but do end in a newline.
	 */
	bool red = o->color_failed && job_failed(job);
	o->on = !o->color_failed ? NULL : red ? RED_ON : "";
	o->color_off = red ? RED_OFF : "";
	for (int i = 0; i < 2; i++) {
		o->off[i] = 0;
		o->released[i] = 0;
		o->bol[i] = true;
		o->cr[i] = false;
		o->tag[i] = make_tag(o, job, i, red, &o->tag_len[i]);
	}
	feed_stalled(o);
	return true;
}

static void ojob_free(struct ojob *oj);

/* The current job is written: hands it back. */
static void finish_cur(struct output *o)
{
	struct job *job = o->cur;
	struct ojob *oj = job->output;

	/*
	 * Before its files give back their space: has the disk run full
	 * while they took it?
	 */
	int fd = job->out_fd;
	for (int i = 0; oj && i < 2 && fd < 0; i++) {
		fd = oj->s[i].partial.fd;
	}
	if (fd >= 0 && (o->off[0] > 0 || o->off[1] > 0 || o->broken)) {
		check_room(o, fd, job, false);
	}
	if (oj) {
		/* Its spools go once its pipes are closed. */
		job->output = NULL;
		oj->job = NULL;
		oj->written = true;
		if (oj->passed) {
			/* The pass moved bytes after the job's end. */
			job->received = oj->s[0].bytes;
		}
		if (oj->handles == 0) {
			ojob_free(oj);
		}
	}
	o->cur = NULL;
	for (int i = 0; i < 2; i++) {
		free(o->tag[i]);
		o->tag[i] = NULL;
	}
	if (o->keep_order) {
		ring_slot(o, o->next_seq)->job = NULL;
		o->next_seq++;
	}
	o->pending--;
	o->cb.written(o->cb.data, job);
}

/* Copies stream i of the current job as far as it goes this round. */
static void step_stream(struct output *o, int i)
{
	struct job *job = o->cur;
	/* What prun read from its pipe, or else the job's own file. */
	struct spool *held = job->output ? &job->output->s[i].partial : NULL;

	if (held && job->output->s[i].stalled &&
	    o->off[i] >= (int64_t)held->len) {
		rewind_stalled(o, job->output, i);
	}
	int fd = held ? held->fd : i ? job->err_fd : job->out_fd;

	if (i == 0 && job->out_path) {
		/* --files: the name stands for the output, once it is whole. */
		o->phase++;
		if (o->last_round) {
			bool bol = true;
			o->line.len = 0;
			lines_tag(&o->line, o->tag[0], o->tag_len[0],
				  job->out_path, strlen(job->out_path), &bol);
			buf_addc(&o->line, '\n');
			start_write(o, STDOUT_FILENO, o->line.data, o->line.len);
		}
		return;
	}
	if (o->end < 0) {
		o->end = held ? (int64_t)held->len : file_size(fd);
	}
	if (o->off[i] >= o->end && o->on && o->last_round &&
	    (!o->bol[i] || o->cr[i])) {
		/* GNU parallel ends a line that did not end. */
		o->line.len = 0;
		lines_color_end(&o->line, o->on, o->tag[i], o->tag_len[i],
				o->color_off, &o->bol[i], &o->cr[i]);
		start_write(o, i ? STDERR_FILENO : STDOUT_FILENO, o->line.data,
			    o->line.len);
		return;
	}
	if (o->off[i] >= o->end && i == 0 && !o->last_round && held &&
	    o->off[i] >= (int64_t)held->len && can_pass(o)) {
		/* All that was read is out: the rest can pass. */
		o->end = -1;
		o->phase++;
		start_pass(o);
		return;
	}
	if (o->off[i] >= o->end) {
		o->end = -1;
		o->phase++;
		return;
	}
	if (held && spool_compressed(held)) {
		/* It can be read only once, when all of it is in. */
		if (!o->last_round) {
			o->end = -1;
			o->phase++;
			return;
		}
		pid_t pid;
		char *cause = NULL;
		o->copied = true;
		int src = spool_unzip(held, &pid, &cause);
		if (src < 0) {
			report_lost(o, unzip_lost(job->seq, cause));
			o->off[i] = o->end;
			return;
		}
		start_unzip(o, i ? STDERR_FILENO : STDOUT_FILENO, src, pid,
			    job->seq, o->off[i], o->end, o->tag[i],
			    o->tag_len[i], o->bol[i]);
		return;
	}
	o->copied = true;
	if (held && fd < 0) {
		start_bytes(o, i, held->mem.data + o->off[i],
			    (size_t)(o->end - o->off[i]), o->end);
		return;
	}
	/* A running job's output may go on for long: free what is out. */
	bool release = !o->last_round &&
		       o->end - o->released[i] >= RELEASE_MIN;
	if (release) {
		o->released[i] = o->end;
	}
	start_file(o, i ? STDERR_FILENO : STDOUT_FILENO, fd, o->off[i], o->end,
		   o->tag[i], o->tag_len[i], o->bol[i], release);
}

static void spool_op_done(struct output *o, int err)
{
	const struct copy *c = &o->copy;
	int i = o->phase == PH_ERR ? 1 : 0;

	if (err < 0 && c->dst == STDOUT_FILENO) {
		set_broken(o, err);
		return;
	}
	if (!c->part) {
		return; /* a header or a name line */
	}
	/* What stderr could not take cannot be shown: skip it. */
	o->off[i] = err < 0 ? o->end : c->off;
	o->bol[i] = c->bol;
	o->cr[i] = c->cr;
}

static void pump_spool(struct output *o)
{
	if (o->stalled && o->room_freed) {
		o->room_freed = false;
		retry_stalled(o);
	}
	while (!o->busy) {
		if (!o->cur && !pick(o)) {
			return;
		}
		struct job *job = o->cur;
		if (o->broken) {
			if (!o->cur_done || o->pass.busy) {
				return; /* output_add() comes back here */
			}
			if (job->out_path && o->phase <= PH_OUT) {
				/* --files: nobody learns its name now. */
				unlink(job->out_path);
			}
			finish_cur(o);
			continue;
		}
		switch (o->phase) {
		case PH_HEADER:
			o->phase = PH_OUT;
			if (job->header_len > 0 && o->on &&
			    !job->header_stderr) {
				/* -v's command is part of the job's output. */
				bool bol = true, cr = false;
				o->line.len = 0;
				lines_color(&o->line, o->on, NULL, 0,
					    o->color_off,
					    job->header, job->header_len, &bol,
					    &cr);
				lines_color_end(&o->line, o->on, NULL, 0,
						o->color_off, &bol, &cr);
				start_write(o, STDOUT_FILENO, o->line.data,
					    o->line.len);
			} else if (job->header_len > 0) {
				start_write(o, job->header_stderr
						       ? STDERR_FILENO
						       : STDOUT_FILENO,
					    job->header, job->header_len);
			}
			break;
		case PH_ERR:
			/* Grouped, stderr follows all of stdout. */
			if ((o->hold_err || !o->keep_order) &&
			    !o->last_round) {
				o->phase = PH_END; /* it comes once all is in */
				break;
			}
			step_stream(o, 1);
			break;
		case PH_OUT:
			if (o->pass.busy && o->last_round) {
				return; /* its end comes back here */
			}
			if (o->pass.busy) {
				o->phase++;
				break;
			}
			step_stream(o, 0);
			break;
		case PH_END:
			if (o->last_round) {
				finish_cur(o);
				break;
			}
			if (o->copied || o->cur_done) {
				/* Another round; the last once it has ended. */
				o->last_round = o->cur_done;
				o->copied = false;
				o->phase = PH_OUT;
				break;
			}
			/* Nothing new yet: look again in a moment. */
			o->phase = PH_OUT;
			if (job->output) {
				return; /* its pipes say when */
			}
			if (!o->tailing && !o->closed) {
				o->tailing = true;
				uv_timer_start(&o->tail_timer, on_tail, TAIL_MS,
					       0);
			}
			return;
		}
	}
}

/* ---- Pipe mode. ---- */

static void enqueue(struct output *o, struct chunk *c)
{
	if (o->qtail) {
		o->qtail->next = c;
	} else {
		o->qhead = c;
	}
	o->qtail = c;
}

static struct chunk *chunk_new(struct output *o, int fd)
{
	struct chunk *c = o->spare;
	struct buf b;

	if (c) {
		o->spare = c->next;
		o->n_spare--;
		b = c->b;
		b.len = 0;
	} else {
		c = xmalloc(sizeof(*c));
		buf_init(&b);
	}
	memset(c, 0, sizeof(*c));
	c->b = b;
	c->fd = fd;
	c->file = -1;
	enqueue(o, c);
	return c;
}

/* The chunk to append bytes for fd to. */
static struct chunk *tail_chunk(struct output *o, int fd)
{
	struct chunk *c = o->qtail;

	if (c && c->fd == fd && !c->done && !c->written && c->file < 0 &&
	    c->b.len < CHUNK_MAX && !(o->busy && c == o->qhead)) {
		return c;
	}
	return chunk_new(o, fd);
}

static void set_paused(struct output *o, bool paused);

/* Queues p[0..n) for fd, with tag at every line start. */
static void queue_bytes(struct output *o, int fd, const char *tag,
			size_t tag_len, const char *p, size_t n, bool *bol)
{
	if (n == 0 || o->broken) {
		return;
	}
	struct chunk *c = tail_chunk(o, fd);
	size_t before = c->b.len;
	lines_tag(&c->b, tag, tag_len, p, n, bol);
	o->queued += c->b.len - before;
	if (o->queued > QUEUE_HIGH) {
		set_paused(o, true);
	}
}

static void stream_start_read(struct ostream *st);

/* Stops or resumes reading every pipe. */
static void set_paused(struct output *o, bool paused)
{
	if (o->paused == paused) {
		return;
	}
	o->paused = paused;
	for (struct ojob *oj = o->live; oj; oj = oj->next) {
		for (int i = 0; i < 2; i++) {
			struct ostream *st = &oj->s[i];
			if (!st->armed) {
				continue; /* arming looks at o->paused */
			}
			if (paused) {
				stream_stop_read(st);
			} else {
				stream_start_read(st);
			}
		}
	}
}

/* Queues the unfinished line of stream i (it starts a line). */
static void flush_partial(struct output *o, struct ojob *oj, int i)
{
	struct ostream *st = &oj->s[i];
	int fd = i ? STDERR_FILENO : STDOUT_FILENO;

	if (st->partial.len == 0) {
		return;
	}
	if (st->partial.fd < 0) {
		o->partial_mem -= st->partial.mem.len;
		queue_bytes(o, fd, oj->tag[i], oj->tag_len[i],
			    st->partial.mem.data, st->partial.mem.len,
			    &st->bol);
		spool_finish(&st->partial);
		return;
	}
	int64_t len = (int64_t)st->partial.len;
	pid_t unzip = 0;
	int file;
	if (spool_compressed(&st->partial)) {
		char *cause = NULL;
		file = spool_unzip(&st->partial, &unzip, &cause);
		spool_finish(&st->partial);
		if (file < 0) {
			report_lost(o, unzip_lost(oj->job->seq, cause));
			return;
		}
	} else {
		file = spool_take_file(&st->partial);
	}
	if (o->broken) {
		close(file);
		return;
	}
	if (st->bol && oj->tag_len[i]) {
		struct chunk *c = tail_chunk(o, fd);
		buf_add(&c->b, oj->tag[i], oj->tag_len[i]);
		o->queued += oj->tag_len[i];
	}
	struct chunk *c = chunk_new(o, fd);
	c->file = file;
	c->file_len = len;
	c->unzip = unzip;
	c->seq = oj->job->seq;
	st->bol = false; /* a partial line never ends in a newline */
}

/* Spool mode: what to say when a job's output could not be held. */
static char *held_lost(const struct output *o, const struct ojob *oj,
		       int err)
{
	return xasprintf("output of job %llu is incomplete: %s: %s",
			 (unsigned long long)oj->job->seq, o->cfg.tmpdir,
			 strerror(-err));
}

/*
 * Appends p[0..n) to stream st's spool, in memory while the budget of all
 * spools allows: 0, or -errno and *cause (the spool holds what it held).
 */
static int keep(struct output *o, struct ostream *st, const char *p,
		size_t n, char **cause)
{
	size_t before = st->partial.mem.len;
	size_t budget = o->partial_mem + n <= PARTIAL_TOTAL ? PARTIAL_MAX : 0;
	int r = spool_append(&st->partial, p, n, budget, o->cfg.tmpdir, cause);

	o->partial_mem = o->partial_mem - before + st->partial.mem.len;
	return r;
}

/*
 * True if err says that a spool cannot grow for now: its file system is
 * full, or no descriptor is left for its file (ulimit -n, or the
 * system's).
 */
static bool no_room(int err)
{
	return err == -ENOSPC || err == -EDQUOT || err == -EMFILE ||
	       err == -ENFILE;
}

/*
 * The job being written must not wait for space that only its end gives
 * back: its stderr, which comes after all of its stdout (grouped, or -k
 * when both go to one file), is read on into memory while it is stalled.
 */
static void feed_stalled(struct output *o)
{
	struct ojob *oj = o->cur ? o->cur->output : NULL;
	struct ostream *st = oj ? &oj->s[1] : NULL;

	if (st && st->stalled && !st->stall_grows &&
	    (o->hold_err || !o->keep_order)) {
		st->stall_grows = true;
		stream_start_read(st);
	}
}

/*
 * Spool mode, on a full disk: stream i keeps p[0..n) in memory and its
 * pipe is not read, so its job blocks in write(2) until space is given
 * back or its turn comes (see rewind_stalled()): backpressure, not loss.
 * A running job's stall holds at most one read; a drain after its end
 * adds at most DRAIN_MAX.
 */
static void stall(struct output *o, struct ojob *oj, int i, const char *p,
		  size_t n)
{
	struct ostream *st = &oj->s[i];

	if (n > 0) {
		buf_add(&st->stall, p, n);
	}
	if (!st->stalled) {
		st->stalled = true;
		o->stalled++;
		o->spilled = true; /* pick_running() may take its job */
		feed_stalled(o);
	}
	if (!st->stall_grows) {
		stream_stop_read(st);
	}
}

/* Stream st is no longer stalled: its pipe is read again. */
static void unstall(struct output *o, struct ostream *st)
{
	buf_finish(&st->stall);
	st->stalled = false;
	st->stall_grows = false;
	o->stalled--;
	stream_start_read(st);
}

/*
 * Space may have been given back: the stalled streams' bytes go to their
 * spools again, where they fit.
 */
static void retry_stalled(struct output *o)
{
	for (struct ojob *oj = o->live; oj && o->stalled; oj = oj->next) {
		for (int i = 0; i < 2; i++) {
			struct ostream *st = &oj->s[i];
			char *cause = NULL;
			if (!st->stalled) {
				continue;
			}
			int r = keep(o, st, st->stall.data, st->stall.len,
				     &cause);
			free(cause);
			if (r == 0) {
				unstall(o, st);
			} else if (!no_room(r)) {
				report_lost(o, held_lost(o, oj, r));
			}
		}
	}
}

/*
 * The current job's stalled stream i: everything in its spool is out, so
 * the spool's space goes back and its stall becomes the spool, in memory.
 */
static void rewind_stalled(struct output *o, struct ojob *oj, int i)
{
	struct ostream *st = &oj->s[i];
	size_t before = st->partial.mem.len;

	spool_finish(&st->partial);
	st->partial.mem = st->stall;
	st->partial.len = st->stall.len;
	buf_init(&st->stall);
	o->partial_mem = o->partial_mem - before + st->partial.mem.len;
	o->off[i] = 0;
	o->released[i] = 0;
	o->end = -1;
	o->room_freed = true;
	unstall(o, st);
}

/*
 * Pipe mode, when stream i's unfinished line outgrows memory and no temp
 * file can hold the rest (err: ENOSPC, EMFILE...): what is held and
 * p[0..n) go out now, so another job's line may come in the middle of
 * this one, but no byte is lost and no job waits on a line that may never
 * end.  Said once a run.
 */
static void print_in_parts(struct output *o, struct ojob *oj, int i,
			   const char *p, size_t n, int err)
{
	struct ostream *st = &oj->s[i];

	if (!o->split_said) {
		o->split_said = true;
		warn("a line of job %llu is printed in parts: no room to hold "
		     "it whole in %s: %s", (unsigned long long)oj->job->seq,
		     o->cfg.tmpdir, strerror(-err));
	}
	flush_partial(o, oj, i);
	queue_bytes(o, i ? STDERR_FILENO : STDOUT_FILENO, oj->tag[i],
		    oj->tag_len[i], p, n, &st->bol);
}

/*
 * Keeps p[0..n) of stream i: in pipe mode, the start of a line until the
 * line ends; in spool mode, until the job's turn.
 */
static void hold(struct output *o, struct ojob *oj, int i, const char *p,
		 size_t n)
{
	struct ostream *st = &oj->s[i];
	char *cause = NULL;

	if (n == 0 || o->broken) {
		return;
	}
	if (st->stalled) {
		stall(o, oj, i, p, n); /* after what waits already */
		return;
	}
	int r = keep(o, st, p, n, &cause);
	if (r < 0 && o->kind == K_SPOOL && !o->cfg.compress && no_room(r)) {
		free(cause);
		stall(o, oj, i, p, n);
		return;
	}
	if (r < 0 && o->kind == K_PIPE && no_room(r)) {
		free(cause);
		print_in_parts(o, oj, i, p, n, r);
		return;
	}
	if (r < 0 && o->cfg.compress) {
		cause = unzip_lost(oj->job->seq, cause);
	} else if (r < 0 && o->kind == K_SPOOL) {
		free(cause);
		cause = held_lost(o, oj, r);
	}
	if (r < 0) {
		report_lost(o, cause);
	}
}

/* The pipe of stream st, armed or not. */
static int stream_fd(struct ostream *st)
{
	uv_os_fd_t fd;

	if (!st->armed) {
		return st->fd;
	}
	return uv_fileno((uv_handle_t *)&st->pipe, &fd) == 0 ? fd : -1;
}

/*
 * Spool mode, once stream i's spool is in its file: moves what the pipe
 * holds there without a copy through prun's memory.  Jobs print much, so
 * later ones get files of their own.
 */
static void spill_more(struct output *o, struct ojob *oj, int i)
{
	struct ostream *st = &oj->s[i];
	int fd = stream_fd(st);

	if (spool_compressed(&st->partial)) {
		/* Files of the jobs' own could not be compressed. */
		return;
	}
	if (!o->heavy) {
		o->heavy = true;
		o->cb.heavy(o->cb.data);
	}
	for (size_t got = 0; fd >= 0 && got < DRAIN_MAX;) {
		ssize_t n = spool_splice(&st->partial, fd, DRAIN_MAX - got);
		if (n < 0 && no_room((int)n)) {
			stall(o, oj, i, NULL, 0); /* the bytes stay in the pipe */
			return;
		}
		if (n < 0 && n != -EINVAL) {
			report_lost(o, held_lost(o, oj, (int)n));
		}
		if (n <= 0) {
			return; /* or, for EINVAL, it is read and written */
		}
		st->bytes += (uint64_t)n;
		got += (size_t)n;
	}
}

static void stream_data(struct output *o, struct ojob *oj, int i,
			const char *p, size_t n)
{
	struct ostream *st = &oj->s[i];
	int fd = i ? STDERR_FILENO : STDOUT_FILENO;

	st->bytes += n;
	if (o->broken) {
		return;
	}
	if (oj->row) {
		latest_data(o->latest, oj->row, i, p, n);
		return;
	}
	if (o->kind == K_SPOOL) {
		/* All of it waits for the job's turn. */
		hold(o, oj, i, p, n);
		if (st->partial.fd >= 0 && !st->stalled) {
			o->spilled = o->spilled || (i == 0 && o->passes);
			spill_more(o, oj, i);
		}
		return;
	}
	if (!o->whole_lines) {
		queue_bytes(o, fd, oj->tag[i], oj->tag_len[i], p, n, &st->bol);
		return;
	}
	size_t w = lines_whole(p, n);
	if (w > 0) {
		flush_partial(o, oj, i);
		queue_bytes(o, fd, oj->tag[i], oj->tag_len[i], p, w, &st->bol);
	}
	hold(o, oj, i, p + w, n - w);
}

static void ojob_free(struct ojob *oj)
{
	struct output *o = oj->o;

	for (struct ojob **p = &o->to_arm; oj->to_arm && *p;
	     p = &(*p)->arm_next) {
		if (*p == oj) {
			*p = oj->arm_next;
			break;
		}
	}
	if (oj->prev) {
		oj->prev->next = oj->next;
	} else {
		o->live = oj->next;
	}
	if (oj->next) {
		oj->next->prev = oj->prev;
	}
	for (int i = 0; i < 2; i++) {
		struct ostream *st = &oj->s[i];
		o->partial_mem -= st->partial.mem.len;
		o->room_freed = o->room_freed || st->partial.fd >= 0;
		spool_finish(&st->partial);
		if (st->stalled) {
			o->stalled--;
		}
		buf_finish(&st->stall);
		free(oj->tag[i]);
	}
	free(oj);
}

/* Pipe mode: the job's pipes are closed and it has exited: queued. */
static void maybe_complete(struct ojob *oj)
{
	struct output *o = oj->o;

	if (!oj->exited || oj->handles > 0) {
		return;
	}
	struct job *job = oj->job;
	job->output = NULL;
	if (oj->row) {
		latest_end(o->latest, oj->row, job_failed(job));
		oj->row = NULL;
		draw_latest(o);
	}
	ojob_free(oj);
	chunk_new(o, STDOUT_FILENO)->done = job;
	pump(o);
}

static void on_pipe_closed(uv_handle_t *h)
{
	struct ostream *st = h->data;
	struct ojob *oj = st->oj;

	oj->handles--;
	if (oj->o->kind == K_PIPE) {
		maybe_complete(oj);
	} else if (oj->handles == 0 && oj->written) {
		ojob_free(oj);
	}
}

/* The stream has ended: its last line goes out, even without newline. */
static void stream_end(struct output *o, struct ojob *oj, int i)
{
	struct ostream *st = &oj->s[i];

	if (st->eof) {
		return;
	}
	if (o->kind == K_PIPE) {
		flush_partial(o, oj, i);
	}
	st->eof = true;
	st->reading = false;
	if (st->armed) {
		uv_close((uv_handle_t *)&st->pipe, on_pipe_closed);
	} else {
		close(st->fd);
		st->fd = -1;
	}
}


/*
 * The job has exited: what its pipe holds is read, up to a limit (one of
 * its leftover processes may still write), and the stream ends.
 */
static void stream_drain(struct output *o, struct ojob *oj, int i)
{
	struct ostream *st = &oj->s[i];
	int fd = stream_fd(st);

	if (st->eof) {
		return;
	}
	if (st->passing) {
		/* The pass reads what is left, and ends the stream. */
		atomic_store(&o->pass.stop, true);
		return;
	}
	for (size_t got = 0; fd >= 0 && got < DRAIN_MAX;) {
		/* Never waits: an unarmed pipe blocks, and may have writers. */
		int avail = 0;
		if (ioctl(fd, FIONREAD, &avail) < 0 || avail <= 0) {
			break;
		}
		ssize_t n = read(fd, o->rbuf,
				 (size_t)avail < READ_SIZE ? (size_t)avail
							   : READ_SIZE);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		stream_data(o, oj, i, o->rbuf, (size_t)n);
		got += (size_t)n;
	}
	stream_end(o, oj, i);
}

/*
 * A job's stream that cannot be read (err: -errno) ends, and what it
 * would still have said is lost: the run fails, loudly.
 */
static void stream_failed(struct output *o, struct ostream *st, int err)
{
	struct ojob *oj = st->oj;

	report_lost(o, xasprintf("cannot read the output of job %llu: %s",
				 (unsigned long long)oj->job->seq,
				 strerror(-err)));
	stream_end(o, oj, st == &oj->s[1]);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct ostream *st = h->data;

	buf->base = st->oj->o->rbuf;
	buf->len = READ_SIZE;
}

static void on_read(uv_stream_t *h, ssize_t n, const uv_buf_t *buf)
{
	struct ostream *st = h->data;
	struct ojob *oj = st->oj;
	struct output *o = oj->o;
	int i = st == &oj->s[1];

	if (n > 0) {
		stream_data(o, oj, i, buf->base, (size_t)n);
	} else if (n == UV_EOF) {
		stream_end(o, oj, i);
	} else if (n < 0) {
		stream_failed(o, st, (int)n);
	}
	pump(o);
}

static void stream_start_read(struct ostream *st)
{
	if (st->reading || st->eof || !st->armed || st->passing ||
	    (st->stalled && !st->stall_grows)) {
		return;
	}
	int err = uv_read_start((uv_stream_t *)&st->pipe, on_alloc, on_read);
	if (err < 0) {
		stream_failed(st->oj->o, st, err);
		return;
	}
	st->reading = true;
}

static void stream_stop_read(struct ostream *st)
{
	if (st->reading) {
		uv_read_stop((uv_stream_t *)&st->pipe);
		st->reading = false;
	}
}

/* Hands a pipe to libuv and reads it. */
static void stream_arm(struct output *o, struct ostream *st)
{
	uv_pipe_init(o->loop, &st->pipe, 0);
	st->pipe.data = st;
	st->oj->handles++;
	st->armed = true;
	int err = uv_pipe_open(&st->pipe, st->fd);
	if (err < 0) {
		/* Nothing can be read; the fd is still ours. */
		close(st->fd);
		st->fd = -1;
		stream_failed(o, st, err);
		return;
	}
	st->fd = -1; /* the handle owns it now */
	if (!o->paused) {
		stream_start_read(st);
	}
}

/* The loop is about to wait: libuv watches the pipes of new jobs. */
static void on_arm(uv_prepare_t *h)
{
	struct output *o = h->data;

	while (o->to_arm) {
		struct ojob *oj = o->to_arm;
		o->to_arm = oj->arm_next;
		oj->to_arm = false;
		for (int i = 0; i < 2; i++) {
			if (!oj->s[i].eof) {
				stream_arm(o, &oj->s[i]);
			}
		}
	}
	uv_prepare_stop(h);
}

/* --latest-line: a row for the job. */
static struct latest_row *add_row(struct output *o, const struct job *job)
{
	const char *color = NULL;

	if (o->color[0]) {
		size_t n = sizeof(palette) / sizeof(palette[0]);
		color = palette[(job->seq - 1) % n];
	}
	return latest_add(o->latest, job->tag, job->tag_len, color);
}

/* Starts reading a job's pipes (from the loop's next wait on). */
static void pipe_start(struct output *o, struct job *job)
{
	struct ojob *oj = xcalloc(1, sizeof(*oj));

	oj->o = o;
	oj->job = job;
	job->output = oj;
	oj->next = o->live;
	if (o->live) {
		o->live->prev = oj;
	}
	o->live = oj;
	if (!o->rbuf) {
		o->rbuf = xmalloc(READ_SIZE);
	}
	if (o->latest) {
		oj->row = add_row(o, job);
	}
	if (oj->row && job->header_len > 0 && !job->header_stderr) {
		/* -v's command is the first line the job shows. */
		latest_data(o->latest, oj->row, 0, job->header,
			    job->header_len);
	} else if (o->kind == K_PIPE && job->header_len > 0) {
		bool bol = true;
		queue_bytes(o, job->header_stderr ? STDERR_FILENO
						  : STDOUT_FILENO,
			    NULL, 0, job->header, job->header_len, &bol);
	}
	for (int i = 0; i < 2; i++) {
		struct ostream *st = &oj->s[i];
		int *fd = i ? &job->err_fd : &job->out_fd;
		st->oj = oj;
		st->bol = true;
		spool_init(&st->partial);
		if (o->kind == K_PIPE) {
			oj->tag[i] = make_tag(o, job, i, false,
					      &oj->tag_len[i]);
		}
		st->fd = *fd;
		*fd = -1;
	}
	oj->to_arm = true;
	oj->arm_next = o->to_arm;
	o->to_arm = oj;
	uv_prepare_start(&o->arm, on_arm);
}

static void pipe_op_done(struct output *o, int err)
{
	struct chunk *c = o->qhead;

	if (err < 0 && c->fd == STDOUT_FILENO) {
		set_broken(o, err);
		return;
	}
	/* Written, or dropped if stderr could not take it. */
	c->written = true;
}

static void pump_pipe(struct output *o)
{
	while (!o->busy && o->qhead) {
		struct chunk *c = o->qhead;
		if (!o->broken && !c->done && !c->written) {
			if (c->unzip > 0) {
				start_unzip(o, c->fd, c->file, c->unzip,
					    c->seq, 0, c->file_len, NULL, 0,
					    true);
				c->file = -1; /* the copy's now */
				c->unzip = 0;
			} else if (c->file >= 0) {
				start_file(o, c->fd, c->file, 0, c->file_len,
					   NULL, 0, true, false);
			} else {
				start_write(o, c->fd, c->b.data, c->b.len);
			}
			continue;
		}
		o->qhead = c->next;
		if (!o->qhead) {
			o->qtail = NULL;
		}
		o->queued -= c->b.len;
		struct job *job = c->done;
		chunk_free(o, c);
		if (o->paused && o->queued < QUEUE_LOW) {
			set_paused(o, false);
		}
		if (job) {
			o->pending--;
			o->cb.written(o->cb.data, job);
		}
	}
}

/* ---- Both. ---- */

static void op_done(struct output *o, int err)
{
	if (o->kind == K_PIPE) {
		pipe_op_done(o, err);
	} else {
		spool_op_done(o, err);
	}
}

static void pump(struct output *o)
{
	/* written() may hand in more jobs: the outer call takes them. */
	if (o->in_pump) {
		return;
	}
	o->in_pump = true;
	if (o->kind == K_PIPE) {
		if (o->broken && o->paused) {
			set_paused(o, false);
		}
		pump_pipe(o);
	} else {
		pump_spool(o);
	}
	o->in_pump = false;
}

bool output_counted(const struct output *o, const struct job *job)
{
	const struct ojob *oj = job->output;

	return o->kind != K_SPOOL || !oj || !(oj->passed || job == o->cur);
}

bool output_mark(struct output *o, uint64_t *mark)
{
	if (o->kind == K_INHERIT) {
		*mark = ++o->marks; /* the jobs write there themselves */
		return true;
	}
	if (o->busy) {
		return false;
	}
	*mark = o->copies + atomic_load(&o->pass.moved);
	return true;
}

bool output_reads_pipes(const struct output *o)
{
	return o->kind == K_PIPE;
}

void output_start(struct output *o, struct job *job)
{
	if (job->piped) {
		pipe_start(o, job);
	} else if (o->kind == K_SPOOL && job->out_fd >= 0) {
		job->own_files = true;
		o->own_files++;
	}
	if (o->kind == K_SPOOL && o->keep_order) {
		struct slot *sl = ring_slot(o, job->order);
		sl->job = job;
		sl->done = false;
	}
	pump(o);
}

uint64_t output_collect(struct output *o, struct job *job)
{
	struct ojob *oj = job->output;
	struct stat st;

	if (oj) {
		stream_drain(o, oj, 0);
		stream_drain(o, oj, 1);
		return oj->s[0].bytes;
	}
	if (!job->piped && job->out_fd >= 0 && fstat(job->out_fd, &st) == 0) {
		return (uint64_t)st.st_size;
	}
	return 0;
}

void output_check_files(struct output *o, struct job *job)
{
	if (job->own_files || (job->out_fd >= 0 && !job->piped)) {
		check_room(o, job->out_fd, job, true);
	}
}

void output_add(struct output *o, struct job *job)
{
	o->pending++;
	output_collect(o, job);
	if (job->output) {
		job->output->exited = true;
	}
	if (o->kind == K_PIPE) {
		struct ojob *oj = job->output;
		if (oj) {
			oj->exited = true;
			maybe_complete(oj);
			return;
		}
		/* It never ran (--dry-run, or it could not start). */
		if (o->latest) {
			struct latest_row *row = add_row(o, job);
			latest_data(o->latest, row, 0, job->header,
				    job->header_len);
			latest_end(o->latest, row, job_failed(job));
			draw_latest(o);
		} else if (job->header_len > 0) {
			bool bol = true;
			queue_bytes(o, job->header_stderr ? STDERR_FILENO
							  : STDOUT_FILENO,
				    NULL, 0, job->header, job->header_len,
				    &bol);
		}
		chunk_new(o, STDOUT_FILENO)->done = job;
		pump(o);
		return;
	}
	if (o->kind == K_SPOOL && job->out_fd >= 0) {
		check_room(o, job->out_fd, job, true);
	}
	if (job->own_files) {
		job->own_files = false;
		o->own_files--;
	}
	if (o->keep_order) {
		struct slot *sl = ring_slot(o, job->order);
		sl->job = job;
		sl->done = true;
		if (job == o->cur) {
			o->cur_done = true;
			if (o->tailing) {
				uv_timer_stop(&o->tail_timer);
				o->tailing = false;
			}
		}
	} else if (job == o->cur) {
		o->cur_done = true; /* written while it ran */
	} else {
		job->next = NULL;
		if (o->tail) {
			o->tail->next = job;
		} else {
			o->head = job;
		}
		o->tail = job;
	}
	pump(o);
}
