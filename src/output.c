/*
 * Writing jobs' output.  A job writes straight into its own unlinked spool
 * files; when it ends, the files are copied to prun's stdout and stderr
 * with sendfile(2) (no copy through prun's memory), one request at a time
 * on libuv's thread pool: stdout then stderr, job after job.  Under -k a
 * job waits, with its files, until every earlier job is written.
 */
#include "output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "job.h"
#include "util.h"

enum phase {
	PH_HEADER,
	PH_STDOUT,
	PH_STDERR,
	PH_DONE,
};

struct output {
	uv_loop_t *loop;
	bool keep_order;
	struct output_callbacks cb;

	/* Jobs ready to be written, in order (linked by job->next). */
	struct job *head;
	struct job *tail;
	size_t pending;

	/* -k: jobs that finished ahead of their turn, by seq. */
	struct job **held;    /* owned array; ring indexed by seq % cap */
	size_t held_cap;
	uint64_t next_seq;    /* the next job to write under -k */

	/* The write under way. */
	struct job *cur;
	enum phase phase;
	int64_t off;
	int64_t size;
	bool busy;
	bool broken;          /* stdout failed: discard the rest */
	uv_fs_t req;
	uv_buf_t iov;
};

static void pump(struct output *o);

void output_create(struct output **out, uv_loop_t *loop, bool keep_order,
		   const struct output_callbacks *cb)
{
	struct output *o = xcalloc(1, sizeof(*o));

	o->loop = loop;
	o->keep_order = keep_order;
	o->cb = *cb;
	o->next_seq = 1;
	*out = o;
}

void output_destroy(struct output *o)
{
	if (!o) {
		return;
	}
	free(o->held);
	free(o);
}

size_t output_pending(const struct output *o)
{
	return o->pending;
}

static void enqueue(struct output *o, struct job *job)
{
	job->next = NULL;
	if (o->tail) {
		o->tail->next = job;
	} else {
		o->head = job;
	}
	o->tail = job;
}

/* Makes room in the -k ring for seq. */
static void hold_grow(struct output *o, uint64_t seq)
{
	size_t cap = o->held_cap ? o->held_cap : 64;

	while (seq - o->next_seq >= cap) {
		cap *= 2;
	}
	if (cap == o->held_cap) {
		return;
	}
	struct job **held = xcalloc(cap, sizeof(*held));
	for (size_t i = 0; i < o->held_cap; i++) {
		struct job *j = o->held[i];
		if (j) {
			held[j->order % cap] = j;
		}
	}
	free(o->held);
	o->held = held;
	o->held_cap = cap;
}

void output_add(struct output *o, struct job *job)
{
	o->pending++;
	if (!o->keep_order) {
		enqueue(o, job);
		pump(o);
		return;
	}
	hold_grow(o, job->order);
	o->held[job->order % o->held_cap] = job;
	for (;;) {
		struct job **slot = &o->held[o->next_seq % o->held_cap];
		if (!*slot || (*slot)->order != o->next_seq) {
			break;
		}
		enqueue(o, *slot);
		*slot = NULL;
		o->next_seq++;
	}
	pump(o);
}

static int64_t file_size(int fd)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0) {
		return 0;
	}
	return st.st_size;
}

/* Takes the result of a write: bytes written or a negative errno. */
static void advance(struct output *o, ssize_t r)
{
	o->busy = false;
	if (r < 0 && o->phase != PH_STDERR) {
		/* stdout is gone or broken: nothing more can be shown. */
		o->broken = true;
		o->cb.failed(o->cb.data, (int)r);
	} else if (r <= 0) {
		o->off = o->size; /* stderr failed, or the file shrank */
	} else {
		o->off += r;
	}
}

static void on_written(uv_fs_t *req)
{
	struct output *o = req->data;
	ssize_t r = req->result;

	uv_fs_req_cleanup(req);
	advance(o, r);
	pump(o);
}

/* Starts the next write, or finishes jobs, until a write is under way. */
static void pump(struct output *o)
{
	while (!o->busy) {
		if (!o->cur) {
			if (!o->head) {
				return;
			}
			o->cur = o->head;
			o->head = o->cur->next;
			if (!o->head) {
				o->tail = NULL;
			}
			o->phase = PH_HEADER;
			o->off = 0;
			o->size = (int64_t)o->cur->header_len;
		}
		struct job *job = o->cur;
		if (o->broken || o->off >= o->size) {
			if (o->broken || ++o->phase == PH_DONE) {
				o->cur = NULL;
				o->pending--;
				o->cb.written(o->cb.data, job);
				continue;
			}
			o->off = 0;
			o->size = file_size(o->phase == PH_STDOUT
						    ? job->out_fd
						    : job->err_fd);
			continue;
		}
		int r;
		o->req.data = o;
		if (o->phase == PH_HEADER) {
			int fd = job->header_stderr ? STDERR_FILENO
						    : STDOUT_FILENO;
			o->iov = uv_buf_init(job->header + o->off,
					     (unsigned)(o->size - o->off));
			r = uv_fs_write(o->loop, &o->req, fd, &o->iov, 1, -1,
					on_written);
		} else {
			bool out = o->phase == PH_STDOUT;
			int64_t left = o->size - o->off;
			r = uv_fs_sendfile(o->loop, &o->req,
					   out ? STDOUT_FILENO : STDERR_FILENO,
					   out ? job->out_fd : job->err_fd,
					   o->off,
					   (size_t)(left > 0x40000000
						    ? 0x40000000 : left),
					   on_written);
		}
		if (r < 0) {
			uv_fs_req_cleanup(&o->req);
			advance(o, r);
			continue;
		}
		o->busy = true;
	}
}
