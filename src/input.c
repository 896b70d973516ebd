/*
 * Input sources.  Every source yields values: ":::" from the command line,
 * "::::" / -a / stdin from a stream cut at a delimiter.  Several sources
 * combine as GNU parallel combines them: every combination, the first
 * source varying slowest; a linked source (:::+) is zipped with the one
 * before it, stopping at the shorter.  Only what the combination needs is
 * held in memory: the first source streams when it stands alone, the
 * others are read in full at the start.
 */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "util.h"

#define READ_CHUNK (256 * 1024)

/* A stream of delimited values read on the thread pool. */
struct stream {
	int fd;             /* owned unless it is stdin */
	char *name;         /* owned; for messages */
	struct buf data;    /* bytes read, from `start` on not yet used */
	size_t start;
	size_t scan;        /* no delimiter before this offset */
	bool eof;
	bool reading;
	uv_fs_t req;
	uv_buf_t iov;
	int error;          /* a failed read, as -errno */
};

struct column {
	char **values;      /* owned */
	size_t *lens;       /* owned */
	size_t n;
};

struct input {
	struct input_config cfg;
	uv_loop_t *loop;
	input_wake_fn wake;
	void *data;

	struct stream *stream;  /* owned; the lone first source, if a stream */
	struct column *cols;    /* owned; the sources held in memory */
	size_t n_cols;
	size_t *group_of;       /* owned; column -> group */
	size_t n_groups;
	size_t *group_len;      /* owned; rows in each group */
	size_t *idx;            /* owned; the odometer, one digit per group */
	bool started;
	bool need_head;         /* waiting for the stream's next value */
	bool done;

	/* The value streamed for the current row of the first group. */
	struct value head;
	char *head_data;        /* owned */

	/* Tuples collected for a job under -N. */
	struct buf pending;     /* serialised values */
	struct value *pv;       /* owned */
	size_t pn, pcap;
};

static int stream_open(struct stream *s, const char *path, char **cause)
{
	memset(s, 0, sizeof(*s));
	buf_init(&s->data);
	if (strcmp(path, "-") == 0) {
		s->fd = STDIN_FILENO;
		s->name = xstrdup("standard input");
		return 0;
	}
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		*cause = xasprintf("cannot open '%s': %s", path,
				   strerror(errno));
		return -1;
	}
	s->name = xasprintf("'%s'", path);
	return 0;
}

static void stream_close(struct stream *s)
{
	if (s->fd > STDIN_FILENO) {
		close(s->fd);
	}
	free(s->name);
	buf_finish(&s->data);
}

/*
 * Takes the next value out of the stream's buffer.  Returns 1 with *v set
 * (pointing into the buffer until the next call), 0 if more bytes are
 * needed, -1 at the end.
 */
static int stream_take(struct stream *s, char delim, struct value *v)
{
	char *base = s->data.data;
	size_t from = s->scan > s->start ? s->scan : s->start;
	char *hit = base ? memchr(base + from, delim, s->data.len - from)
			 : NULL;

	if (hit) {
		v->s = base + s->start;
		v->len = (size_t)(hit - v->s);
		s->start = (size_t)(hit - base) + 1;
		s->scan = s->start;
		return 1;
	}
	s->scan = s->data.len;
	if (!s->eof) {
		return 0;
	}
	if (s->start < s->data.len) {
		v->s = base + s->start;
		v->len = s->data.len - s->start;
		s->start = s->data.len;
		return 1;
	}
	return -1;
}

/* Makes room for a read: drops used bytes, grows for long lines. */
static void stream_make_room(struct stream *s)
{
	if (s->start > 0) {
		memmove(s->data.data, s->data.data + s->start,
			s->data.len - s->start);
		s->data.len -= s->start;
		s->scan -= s->start < s->scan ? s->start : s->scan;
		s->start = 0;
	}
	buf_reserve(&s->data, READ_CHUNK);
}

/* Reads the whole stream now (for sources that combine). */
static int stream_slurp(struct stream *s, char **cause)
{
	while (!s->eof) {
		stream_make_room(s);
		ssize_t r = read(s->fd, s->data.data + s->data.len,
				 s->data.cap - s->data.len - 1);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			*cause = xasprintf("cannot read %s: %s", s->name,
					   strerror(errno));
			return -1;
		}
		s->data.len += (size_t)r;
		s->eof = r == 0;
	}
	return 0;
}

static void on_read(uv_fs_t *req)
{
	struct input *in = req->data;
	struct stream *s = in->stream;
	ssize_t r = req->result;

	uv_fs_req_cleanup(req);
	s->reading = false;
	if (r < 0) {
		s->error = (int)r;
		s->eof = true;
	} else {
		s->data.len += (size_t)r;
		s->data.data[s->data.len] = '\0';
		s->eof = r == 0;
	}
	in->wake(in->data);
}

static int stream_start_read(struct input *in)
{
	struct stream *s = in->stream;

	stream_make_room(s);
	s->iov = uv_buf_init(s->data.data + s->data.len,
			     (unsigned)(s->data.cap - s->data.len - 1));
	s->req.data = in;
	int r = uv_fs_read(in->loop, &s->req, s->fd, &s->iov, 1, -1, on_read);
	if (r < 0) {
		return r;
	}
	s->reading = true;
	return 0;
}

static void column_add(struct column *c, const char *s, size_t len)
{
	if ((c->n & (c->n - 1)) == 0) {
		size_t cap = c->n ? c->n * 2 : 1;
		c->values = xreallocarray(c->values, cap, sizeof(char *));
		c->lens = xreallocarray(c->lens, cap, sizeof(size_t));
	}
	c->values[c->n] = xmemdup(s, len);
	c->lens[c->n++] = len;
}

static bool is_blank(const struct value *v)
{
	for (size_t i = 0; i < v->len; i++) {
		if (!strchr(" \t\r\n", v->s[i])) {
			return false;
		}
	}
	return true;
}

static int column_load(struct input *in, struct column *c,
		       const struct source_spec *spec, char **cause)
{
	memset(c, 0, sizeof(*c));
	if (!spec->path) {
		for (size_t i = 0; i < spec->n; i++) {
			column_add(c, spec->values[i], strlen(spec->values[i]));
		}
		return 0;
	}
	struct stream s;
	if (stream_open(&s, spec->path, cause) < 0) {
		return -1;
	}
	int r = stream_slurp(&s, cause);
	struct value v;
	while (r == 0 && stream_take(&s, in->cfg.delimiter, &v) > 0) {
		if (!(in->cfg.skip_empty && is_blank(&v))) {
			column_add(c, v.s, v.len);
		}
	}
	stream_close(&s);
	return r;
}

int input_create(struct input **out, const struct input_config *cfg,
		 uv_loop_t *loop, input_wake_fn wake, void *data, char **cause)
{
	static const struct source_spec stdin_spec = {.path = "-"};
	struct input *in = xcalloc(1, sizeof(*in));

	in->cfg = *cfg;
	if (in->cfg.n_sources == 0) {
		in->cfg.sources = &stdin_spec;
		in->cfg.n_sources = 1;
	}
	if (in->cfg.max_args < 1) {
		in->cfg.max_args = 1;
	}
	in->loop = loop;
	in->wake = wake;
	in->data = data;
	buf_init(&in->pending);

	size_t ns = in->cfg.n_sources;
	const struct source_spec *src = in->cfg.sources;
	in->group_of = xcalloc(ns, sizeof(size_t));
	for (size_t i = 0; i < ns; i++) {
		if (i > 0 && !src[i].linked) {
			in->n_groups++;
		}
		in->group_of[i] = in->n_groups;
	}
	in->n_groups++;
	in->group_len = xcalloc(in->n_groups, sizeof(size_t));
	in->idx = xcalloc(in->n_groups, sizeof(size_t));

	bool stream_first = src[0].path && (ns == 1 || !src[1].linked);
	in->cols = xcalloc(ns, sizeof(struct column));
	in->n_cols = ns;
	for (size_t i = 0; i < ns; i++) {
		if (i == 0 && stream_first) {
			in->stream = xcalloc(1, sizeof(*in->stream));
			if (stream_open(in->stream, src[0].path, cause) < 0) {
				free(in->stream);
				in->stream = NULL;
				goto fail;
			}
			continue;
		}
		if (column_load(in, &in->cols[i], &src[i], cause) < 0) {
			goto fail;
		}
		size_t g = in->group_of[i];
		bool first_in_group = i == 0 || !src[i].linked;
		if (first_in_group || in->cols[i].n < in->group_len[g]) {
			in->group_len[g] = in->cols[i].n;
		}
	}
	*out = in;
	return 0;
fail:
	input_destroy(in);
	return -1;
}

void input_destroy(struct input *in)
{
	if (!in) {
		return;
	}
	if (in->stream) {
		stream_close(in->stream);
		free(in->stream);
	}
	for (size_t i = 0; i < in->n_cols; i++) {
		for (size_t k = 0; k < in->cols[i].n; k++) {
			free(in->cols[i].values[k]);
		}
		free(in->cols[i].values);
		free(in->cols[i].lens);
	}
	free(in->cols);
	free(in->group_of);
	free(in->group_len);
	free(in->idx);
	free(in->head_data);
	buf_finish(&in->pending);
	free(in->pv);
	free(in);
}

/* Streams the next value of the first source into in->head. */
static int next_head(struct input *in, char **cause)
{
	struct stream *s = in->stream;
	struct value v;

	for (;;) {
		int r = stream_take(s, in->cfg.delimiter, &v);
		if (r > 0 && in->cfg.skip_empty && is_blank(&v)) {
			continue;
		}
		if (r > 0) {
			free(in->head_data);
			in->head_data = xmemdup(v.s, v.len);
			in->head = (struct value){in->head_data, v.len};
			return INPUT_READY;
		}
		if (r < 0) {
			if (s->error) {
				*cause = xasprintf("cannot read %s: %s",
						   s->name,
						   uv_strerror(s->error));
				return INPUT_ERROR;
			}
			return INPUT_END;
		}
		if (!s->reading) {
			int e = stream_start_read(in);
			if (e < 0) {
				*cause = xasprintf("cannot read %s: %s",
						   s->name, uv_strerror(e));
				return INPUT_ERROR;
			}
		}
		return INPUT_WAIT;
	}
}

/*
 * Advances the odometer to the next combination.  Digit 0 (the first
 * group) varies slowest.  Returns INPUT_READY, INPUT_WAIT, INPUT_END or
 * INPUT_ERROR; after INPUT_WAIT the next call resumes where it stopped.
 */
static int advance(struct input *in, char **cause)
{
	size_t g = in->n_groups;

	if (in->need_head) {
		goto head;
	}
	for (size_t k = 1; k < g; k++) {
		if (in->group_len[k] == 0) {
			return INPUT_END;
		}
	}
	if (!in->started) {
		in->started = true;
		if (!in->stream) {
			return in->group_len[0] ? INPUT_READY : INPUT_END;
		}
		in->need_head = true;
		goto head;
	}
	for (size_t k = g; k-- > 1;) {
		if (++in->idx[k] < in->group_len[k]) {
			return INPUT_READY;
		}
		in->idx[k] = 0;
	}
	if (!in->stream) {
		return ++in->idx[0] < in->group_len[0] ? INPUT_READY
						       : INPUT_END;
	}
	in->need_head = true;
head:;
	int r = next_head(in, cause);
	if (r != INPUT_WAIT) {
		in->need_head = false;
	}
	return r;
}

/* Appends the values of the current combination to the pending job. */
static void collect(struct input *in)
{
	for (size_t i = 0; i < in->n_cols; i++) {
		struct value v;
		if (i == 0 && in->stream) {
			v = in->head;
		} else {
			size_t row = in->idx[in->group_of[i]];
			v = (struct value){in->cols[i].values[row],
					   in->cols[i].lens[row]};
		}
		if (in->pn == in->pcap) {
			in->pcap = in->pcap ? in->pcap * 2 : 8;
			in->pv = xreallocarray(in->pv, in->pcap, sizeof(*in->pv));
		}
		/* Offsets for now: the buffer may move while collecting. */
		in->pv[in->pn++] = (struct value){
			(const char *)(uintptr_t)in->pending.len, v.len};
		buf_add(&in->pending, v.s, v.len);
		buf_addc(&in->pending, '\0');
	}
}

/* Packs the pending values into one record. */
static struct record *take_pending(struct input *in)
{
	size_t head = sizeof(struct record) + in->pn * sizeof(struct value);
	struct record *rec = xmalloc(head + in->pending.len);
	char *strings = (char *)rec + head;

	memcpy(strings, in->pending.data, in->pending.len);
	rec->n = in->pn;
	for (size_t i = 0; i < in->pn; i++) {
		rec->v[i].s = strings + (uintptr_t)in->pv[i].s;
		rec->v[i].len = in->pv[i].len;
	}
	in->pn = 0;
	in->pending.len = 0;
	return rec;
}

int input_next(struct input *in, struct record **rec, char **cause)
{
	size_t want = (size_t)in->cfg.max_args * in->n_cols;

	while (!in->done && in->pn < want) {
		int r = advance(in, cause);
		if (r == INPUT_WAIT || r == INPUT_ERROR) {
			return r;
		}
		if (r == INPUT_END) {
			in->done = true;
			break;
		}
		collect(in);
	}
	if (in->pn == 0) {
		return INPUT_END;
	}
	*rec = take_pending(in);
	return INPUT_READY;
}
