/*
 * Input sources.  Every source yields values: ":::" from the command line,
 * "::::" / -a / stdin from a stream cut at a delimiter.  Several sources
 * combine as GNU parallel combines them: every combination, the first
 * source varying slowest; a linked source (:::+) is zipped with the one
 * before it, stopping at the shorter.  Only what the combination needs is
 * held in memory: the first source streams when it stands alone, the
 * others are read in full at the start.
 *
 * A source's values are lines (or NUL-, or -d-delimited records); the
 * words after ::: are cut at -d's delimiter too (never at a newline), and
 * -E, -r and -L treat every source's values alike, as GNU parallel does.
 * With --colsep a line is split into several columns, each an argument of
 * its own.  Jobs take one combination each, -N of them, or as many as fit on
 * a command line (-X, -m, --xargs).
 */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "csv.h"
#include "log.h"
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
	bool csv;           /* --csv: a delimiter inside quotes is data */
	bool reading;
	uv_fs_t req;
	uv_buf_t iov;
	int error;          /* a failed read, as -errno */
};

/*
 * A source's values as -E, -r and -L see them go by.  GNU parallel's order:
 * the end-of-file string is looked for in each line as read, then a line
 * that went on is joined with it, then -r skips what is blank, then -L
 * holds back what ends in white space to join it with the next line.
 */
struct reader {
	struct buf join;    /* -L: the value that goes on, if joining */
	bool joining;
	bool ended;         /* -E's string was met: read no more */
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
	bool others;            /* a source held in memory has a value */
	bool head_seen;         /* the stream gave a value (or stood for
				   an empty one) */
	bool done;

	/* The value streamed for the current row of the first group. */
	struct reader head_reader;
	struct value head;
	struct buf head_data;   /* its bytes: the stream's buffer moves */

	regex_t colsep;         /* valid if has_colsep */
	bool has_colsep;
	char csv_sep;           /* --csv's separator */
	char *csv_error;        /* owned; a record that is not CSV */
	char **names;           /* owned; --header's column names */
	size_t n_names;
	bool carry;             /* the current combination is not taken */
	size_t tuples;          /* combinations in the pending job */
	struct line_len len;    /* the command line's length so far */
	uint64_t jobs_out;      /* jobs handed out */
	size_t spread_chunk;    /* -m/-X on short input: values per job */

	/* Values collected for the next job. */
	struct buf pending;     /* serialised values */
	struct value *pv;       /* owned; offsets into pending until taken */
	size_t pn, pcap;
	size_t pfirst;          /* values before this one are handed out */

	/* --shuf and {##}: every job, read in advance. */
	struct record **all;    /* owned */
	size_t n_all, next_all;
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

	/* --csv: a quoted field goes on past the delimiter. */
	while (s->csv && hit && csv_open(base + s->start,
					 (size_t)(hit - base) - s->start)) {
		hit = memchr(hit + 1, delim,
			     s->data.len - (size_t)(hit + 1 - base));
	}

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

/* One blocking read into the stream's buffer.  0, or -1 with *cause. */
static int stream_read_now(struct stream *s, char **cause)
{
	ssize_t r;

	stream_make_room(s);
	do {
		r = read(s->fd, s->data.data + s->data.len,
			 s->data.cap - s->data.len - 1);
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		*cause = xasprintf("cannot read %s: %s", s->name,
				   strerror(errno));
		return -1;
	}
	s->data.len += (size_t)r;
	s->eof = r == 0;
	return 0;
}

/* Reads the whole stream now (for sources that combine). */
static int stream_slurp(struct stream *s, char **cause)
{
	while (!s->eof) {
		if (stream_read_now(s, cause) < 0) {
			return -1;
		}
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

/* White space as GNU parallel's -r and -L see it (Perl's \s). */
static bool is_space(char c)
{
	return c && strchr(" \t\n\r\f\v", c) != NULL;
}

static bool is_blank(const struct value *v)
{
	for (size_t i = 0; i < v->len; i++) {
		if (!is_space(v->s[i])) {
			return false;
		}
	}
	return true;
}

/* True if v is -E's end-of-file string. */
static bool is_eof_str(const struct input *in, const struct value *v)
{
	const char *e = in->cfg.eof_str;

	return e && strlen(e) == v->len && memcmp(e, v->s, v->len) == 0;
}

static void reader_init(struct reader *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->join);
}

static void reader_finish(struct reader *r)
{
	buf_finish(&r->join);
}

/*
 * Passes one value of a source, as cut at the delimiter, through -E, -r
 * and -L.  Returns true with *v set to a value to use (valid until the
 * next call), false if it gives none.  After -E's string r->ended is set.
 */
static bool reader_feed(const struct input *in, struct reader *r,
			struct value *v)
{
	if (is_eof_str(in, v)) {
		r->ended = true;
		/* A line that was going on ends here. */
		if (!r->joining) {
			return false;
		}
		r->joining = false;
		*v = (struct value){r->join.data, r->join.len};
		return true;
	}
	if (r->joining) {
		buf_add(&r->join, v->s, v->len);
		*v = (struct value){r->join.data, r->join.len};
		r->joining = false;
	}
	if (in->cfg.skip_empty && is_blank(v)) {
		return false;
	}
	if (in->cfg.join_lines && v->len && is_space(v->s[v->len - 1])) {
		if (v->s != r->join.data) {
			r->join.len = 0;
			buf_add(&r->join, v->s, v->len);
		}
		r->joining = true;
		return false;
	}
	return true;
}

/* At the end of a source: true with *v if a value was still going on. */
static bool reader_end(struct reader *r, struct value *v)
{
	if (!r->joining) {
		return false;
	}
	r->joining = false;
	*v = (struct value){r->join.data, r->join.len};
	return true;
}

typedef void column_fn(struct input *, struct value);

struct csv_sink {
	struct input *in;
	column_fn *fn;
};

static void csv_column(void *data, const char *s, size_t len)
{
	struct csv_sink *sink = data;

	sink->fn(sink->in, (struct value){s, len});
}

/*
 * Calls fn for each column of a line (the line itself without --colsep).
 * A --csv record that is not CSV leaves in->csv_error set.
 */
static void split_columns(struct input *in, struct value line,
			  column_fn *fn)
{
	if (in->cfg.csv) {
		struct csv_sink sink = {in, fn};
		if (!in->csv_error) {
			csv_split(line.s, line.len, in->csv_sep, csv_column,
				  &sink, &in->csv_error);
		}
		return;
	}
	if (!in->has_colsep) {
		fn(in, line);
		return;
	}
	/* regexec wants a NUL-terminated string. */
	char *copy = xmemdup(line.s, line.len);
	size_t at = 0;
	regmatch_t m;
	while (at <= line.len &&
	       regexec(&in->colsep, copy + at, 1, &m,
		       at ? REG_NOTBOL : 0) == 0 &&
	       m.rm_eo > 0 && (size_t)m.rm_so < line.len - at) {
		fn(in, (struct value){line.s + at, (size_t)m.rm_so});
		at += (size_t)m.rm_eo;
	}
	fn(in, (struct value){line.s + at, line.len - at});
	free(copy);
}

static struct value trim(const struct input *in, struct value v)
{
	while (in->cfg.trim_left && v.len && strchr(" \t\r\n", v.s[0])) {
		v.s++;
		v.len--;
	}
	while (in->cfg.trim_right && v.len &&
	       strchr(" \t\r\n", v.s[v.len - 1])) {
		v.len--;
	}
	return v;
}

static void add_name(struct input *in, struct value v)
{
	v = trim(in, v);
	in->names = xreallocarray(in->names, in->n_names + 1, sizeof(char *));
	in->names[in->n_names++] = xmemdup(v.s, v.len);
}

/* Reads a stream now until it has a whole value (or ends). */
static int stream_wait_value(struct stream *s, char delim, char **cause)
{
	for (;;) {
		char *base = s->data.data;
		if (s->eof || (base && memchr(base + s->start, delim,
					      s->data.len - s->start))) {
			return 0;
		}
		if (stream_read_now(s, cause) < 0) {
			return -1;
		}
	}
}

/* Adds one value of a source as cut at the delimiter (or takes --header). */
static void column_take(struct input *in, struct column *c,
			struct reader *r, bool *header, struct value v)
{
	if (*header) {
		split_columns(in, v, add_name);
		*header = false;
		return;
	}
	if (reader_feed(in, r, &v)) {
		column_add(c, v.s, v.len);
	}
}

/*
 * The values of ::: as they would be read from a file, as GNU parallel
 * reads them: each is cut at -d's delimiter.  Not at a newline, though:
 * an argument that holds one stays whole, as with -0.
 */
static void column_load_values(struct input *in, struct column *c,
			       struct reader *r, const struct source_spec *spec,
			       size_t first)
{
	bool header = in->cfg.header != NULL;
	char delim = in->cfg.delimiter;

	for (size_t i = first; i < spec->n && !r->ended; i++) {
		const char *p = spec->values[i];
		const char *end = p + strlen(p);
		const char *hit;
		while (delim != '\n' && !r->ended &&
		       (hit = memchr(p, delim, (size_t)(end - p)))) {
			column_take(in, c, r, &header,
				    (struct value){p, (size_t)(hit - p)});
			p = hit + 1;
		}
		if (!r->ended) {
			column_take(in, c, r, &header,
				    (struct value){p, (size_t)(end - p)});
		}
	}
}

/*
 * --skip-first-line: drops the stream's first value as it is, before -L
 * joins lines or --header reads one (in a --shebang script it is the #!
 * line).  Returns 0, or -1 with *cause.
 */
static int stream_skip_line(struct stream *s, char delim, char **cause)
{
	struct value v;

	if (stream_wait_value(s, delim, cause) < 0) {
		return -1;
	}
	stream_take(s, delim, &v);
	return 0;
}

static int column_load(struct input *in, struct column *c,
		       const struct source_spec *spec, char **cause)
{
	bool header = in->cfg.header != NULL;
	bool skip = in->cfg.skip_first_line && c == in->cols;
	struct reader r;
	struct value v;
	int e = 0;

	memset(c, 0, sizeof(*c));
	reader_init(&r);
	if (!spec->path) {
		column_load_values(in, c, &r, spec, skip ? 1 : 0);
	} else {
		struct stream s;
		if (stream_open(&s, spec->path, cause) < 0) {
			reader_finish(&r);
			return -1;
		}
		s.csv = in->cfg.csv;
		e = stream_slurp(&s, cause);
		if (e == 0 && skip) {
			e = stream_skip_line(&s, in->cfg.delimiter, cause);
		}
		while (e == 0 && !r.ended &&
		       stream_take(&s, in->cfg.delimiter, &v) > 0) {
			column_take(in, c, &r, &header, v);
		}
		stream_close(&s);
	}
	if (e == 0 && reader_end(&r, &v)) {
		column_add(c, v.s, v.len);
	}
	reader_finish(&r);
	return e;
}

/* Turns Perl's common regex escapes into POSIX ERE, as --colsep wants. */
static char *perl_to_ere(const char *re)
{
	struct buf b;

	buf_init(&b);
	for (const char *p = re; *p; p++) {
		if (*p != '\\' || !p[1]) {
			buf_addc(&b, *p);
			continue;
		}
		switch (*++p) {
		case 't': buf_addc(&b, '\t'); break;
		case 'n': buf_addc(&b, '\n'); break;
		case 'r': buf_addc(&b, '\r'); break;
		case 's': buf_adds(&b, "[[:space:]]"); break;
		case 'S': buf_adds(&b, "[^[:space:]]"); break;
		case 'd': buf_adds(&b, "[0-9]"); break;
		case 'D': buf_adds(&b, "[^0-9]"); break;
		case 'w': buf_adds(&b, "[[:alnum:]_]"); break;
		case 'W': buf_adds(&b, "[^[:alnum:]_]"); break;
		default:
			buf_addc(&b, '\\');
			buf_addc(&b, *p);
			break;
		}
	}
	return buf_steal(&b);
}

/*
 * Sets how many rows each group has.  As GNU parallel: a source with no
 * value counts as one empty value when some other source has values;
 * linked sources (:::+) stop at the shortest, --link wraps the shorter
 * ones round to the longest.
 */
static void fix_lengths(struct input *in)
{
	for (size_t i = 0; i < in->n_cols; i++) {
		in->others = in->others || in->cols[i].n > 0;
	}
	/* The stream's values are not known yet: see advance(). */
	bool any = in->others || in->stream != NULL;

	for (size_t i = 0; i < in->n_cols; i++) {
		if (i == 0 && in->stream) {
			continue;
		}
		struct column *c = &in->cols[i];
		if (any && c->n == 0) {
			column_add(c, "", 0);
		}
		size_t g = in->group_of[i];
		bool first_in_group = i == 0 || in->group_of[i - 1] != g;
		if (first_in_group || (in->cfg.link ? c->n > in->group_len[g]
						    : c->n < in->group_len[g])) {
			in->group_len[g] = c->n;
		}
	}
}

static int next_job(struct input *in, struct record **rec, char **cause);

/* True if the source is a regular file: it ends, and soon. */
static bool finite(const char *path)
{
	struct stat st;
	int r = strcmp(path, "-") == 0 ? fstat(STDIN_FILENO, &st)
				       : stat(path, &st);

	return r == 0 && S_ISREG(st.st_mode);
}

/* Reads every job now: for --shuf and {##}. */
static int prefetch(struct input *in, char **cause)
{
	size_t cap = 0;
	struct record *rec;
	int r;

	while ((r = next_job(in, &rec, cause)) == INPUT_READY) {
		if (in->n_all == cap) {
			cap = cap ? cap * 2 : 64;
			in->all = xreallocarray(in->all, cap, sizeof(*in->all));
		}
		in->all[in->n_all++] = rec;
	}
	if (r == INPUT_ERROR) {
		return -1;
	}
	if (in->cfg.shuffle && in->n_all > 1) {
		unsigned seed = (unsigned)(now_ns() ^ (uint64_t)getpid());
		for (size_t i = in->n_all - 1; i > 0; i--) {
			size_t j = (size_t)rand_r(&seed) % (i + 1);
			struct record *t = in->all[i];
			in->all[i] = in->all[j];
			in->all[j] = t;
		}
	}
	return 0;
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
	in->loop = loop;
	in->wake = wake;
	in->data = data;
	buf_init(&in->pending);
	buf_init(&in->head_data);
	reader_init(&in->head_reader);

	const char *colsep = cfg->colsep;
	if (!colsep && cfg->header) {
		colsep = "\t"; /* as GNU parallel: --header splits at tabs */
	}
	if (cfg->csv && csv_separator(cfg->colsep, &in->csv_sep, cause) < 0) {
		free(in);
		return -1;
	}
	if (colsep && !cfg->csv) {
		char *ere = perl_to_ere(colsep);
		int e = regcomp(&in->colsep, ere, REG_EXTENDED);
		free(ere);
		if (e != 0) {
			char msg[128];
			regerror(e, &in->colsep, msg, sizeof(msg));
			*cause = xasprintf("bad regex for --colsep '%s': %s",
					   colsep, msg);
			free(in);
			return -1;
		}
		in->has_colsep = true;
	}

	size_t ns = in->cfg.n_sources;
	const struct source_spec *src = in->cfg.sources;
	in->group_of = xcalloc(ns, sizeof(size_t));
	for (size_t i = 0; i < ns; i++) {
		if (i > 0 && !src[i].linked && !cfg->link) {
			in->n_groups++;
		}
		in->group_of[i] = in->n_groups;
	}
	in->n_groups++;
	in->group_len = xcalloc(in->n_groups, sizeof(size_t));
	in->idx = xcalloc(in->n_groups, sizeof(size_t));

	/* The first source streams if it is a group of its own. */
	bool alone = ns == 1 || in->group_of[1] != 0;
	if (cfg->count && (!src[0].path || finite(src[0].path))) {
		in->cfg.prefetch = true;
	}
	bool stream_first = src[0].path && alone && !in->cfg.prefetch;
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
			in->stream->csv = cfg->csv;
			if (cfg->skip_first_line &&
			    stream_skip_line(in->stream, cfg->delimiter,
					     cause) < 0) {
				goto fail;
			}
			if (!cfg->header) {
				continue;
			}
			/* The header is needed before any job: read it now. */
			struct value v;
			if (stream_wait_value(in->stream, cfg->delimiter,
					      cause) < 0) {
				goto fail;
			}
			if (stream_take(in->stream, cfg->delimiter, &v) > 0) {
				split_columns(in, v, add_name);
			}
			continue;
		}
		if (column_load(in, &in->cols[i], &src[i], cause) < 0) {
			goto fail;
		}
	}
	if (in->csv_error) { /* in a --header line */
		*cause = in->csv_error;
		in->csv_error = NULL;
		goto fail;
	}
	fix_lengths(in);
	if (in->cfg.prefetch && prefetch(in, cause) < 0) {
		goto fail;
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
	if (in->has_colsep) {
		regfree(&in->colsep);
	}
	free(in->csv_error);
	for (size_t i = 0; i < in->n_names; i++) {
		free(in->names[i]);
	}
	for (size_t i = in->next_all; i < in->n_all; i++) {
		free(in->all[i]);
	}
	free(in->all);
	free(in->names);
	free(in->cols);
	free(in->group_of);
	free(in->group_len);
	free(in->idx);
	buf_finish(&in->head_data);
	reader_finish(&in->head_reader);
	buf_finish(&in->pending);
	free(in->pv);
	free(in);
}

char *const *input_names(const struct input *in, size_t *n)
{
	*n = in ? in->n_names : 0;
	return in ? in->names : NULL;
}

uint64_t input_total(const struct input *in)
{
	return in ? in->n_all : 0;
}

/* Streams the next value of the first source into in->head. */
static int next_head(struct input *in, char **cause)
{
	struct stream *s = in->stream;
	struct value v;

	for (;;) {
		int r = stream_take(s, in->cfg.delimiter, &v);
		if (r > 0) {
			bool got = reader_feed(in, &in->head_reader, &v);
			if (in->head_reader.ended) {
				/* -E: the rest of the input is not read. */
				s->eof = true;
				s->start = s->scan = s->data.len;
			}
			if (!got) {
				continue;
			}
		} else if (r < 0 && !s->error &&
			   reader_end(&in->head_reader, &v)) {
			r = 1;
		}
		if (r > 0) {
			in->head_data.len = 0;
			buf_add(&in->head_data, v.s, v.len);
			in->head = (struct value){in->head_data.data, v.len};
			in->head_seen = true;
			return INPUT_READY;
		}
		if (r < 0) {
			if (s->error) {
				*cause = xasprintf("cannot read %s: %s",
						   s->name,
						   strerror(-s->error));
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
	if (r == INPUT_END && !in->head_seen && in->others) {
		/* An empty stream is one empty value beside the others. */
		in->head_seen = true;
		in->head = (struct value){"", 0};
		return INPUT_READY;
	}
	return r;
}

static void push_value(struct input *in, struct value v)
{
	v = trim(in, v);
	if (in->pn == in->pcap) {
		in->pcap = in->pcap ? in->pcap * 2 : 8;
		in->pv = xreallocarray(in->pv, in->pcap, sizeof(*in->pv));
	}
	/* Offsets for now: the buffer may move while collecting. */
	struct buf *b = &in->pending;
	in->pv[in->pn++] = (struct value){(const char *)(uintptr_t)b->len,
					  v.len};
	buf_reserve(b, v.len + 1);
	memcpy(b->data + b->len, v.s, v.len);
	b->len += v.len;
	b->data[b->len++] = '\0';
	b->data[b->len] = '\0';
}

/*
 * A NUL byte cannot be passed in a command line.  As GNU parallel, each
 * one becomes the two characters \0 rather than cutting the value short.
 * Returns v, or its copy made in b; sets *nul if v held one.
 */
static struct value replace_nul(struct value v, struct buf *b, bool *nul)
{
	if (!memchr(v.s, '\0', v.len)) {
		return v;
	}
	*nul = true;
	b->len = 0;
	for (size_t i = 0; i < v.len; i++) {
		if (v.s[i] == '\0') {
			buf_add(b, "\\0", 2);
		} else {
			buf_addc(b, v.s[i]);
		}
	}
	return (struct value){b->data, b->len};
}

/* Appends the values of the current combination to the pending job. */
static void collect(struct input *in)
{
	struct buf copy;
	bool nul = false;

	buf_init(&copy);
	for (size_t i = 0; i < in->n_cols; i++) {
		struct value v;
		if (i == 0 && in->stream) {
			v = in->head;
		} else {
			size_t row = in->idx[in->group_of[i]] % in->cols[i].n;
			v = (struct value){in->cols[i].values[row],
					   in->cols[i].lens[row]};
		}
		split_columns(in, replace_nul(v, &copy, &nul), push_value);
	}
	buf_finish(&copy);
	if (nul) {
		/* GNU parallel's words, once for each such combination. */
		warn("a NUL character in the input was replaced with \\0");
		warn("NUL cannot be passed through in the argument list");
		warn("did you mean to use the --null option?");
	}
}

/* Hands out the pending values from pfirst up to `end` as one record. */
static struct record *take_pending(struct input *in, size_t end)
{
	size_t n = end - in->pfirst;
	size_t head = sizeof(struct record) + n * sizeof(struct value);
	size_t from = (uintptr_t)in->pv[in->pfirst].s;
	size_t to = end < in->pn ? (uintptr_t)in->pv[end].s
				 : in->pending.len;
	struct record *rec = xmalloc(head + (to - from));
	char *strings = (char *)rec + head;
	size_t width = !in->tuples ? n
		       : in->pn % in->tuples == 0 ? in->pn / in->tuples : 0;

	memcpy(strings, in->pending.data + from, to - from);
	rec->n = n;
	rec->width = width;
	for (size_t i = 0; i < n; i++) {
		struct value v = in->pv[in->pfirst + i];
		rec->v[i].s = strings + ((uintptr_t)v.s - from);
		rec->v[i].len = v.len;
	}
	in->pfirst = end;
	if (in->pfirst == in->pn) {
		in->pn = in->pfirst = 0;
		in->pending.len = 0;
		in->tuples = 0;
		in->spread_chunk = 0;
	}
	in->jobs_out++;
	return rec;
}

/* The length the values from `from` on (one row) add to a command line. */
static void cost_of(const struct input *in, size_t from, struct line_len *c)
{
	const struct line_cost *fill = in->cfg.fill;
	struct arg_place at = {.width = in->pn - from,
			       .seq = in->jobs_out + 1};

	*c = (struct line_len){0, 0};
	for (size_t i = from; i < in->pn; i++) {
		struct value v = {in->pending.data + (uintptr_t)in->pv[i].s,
				  in->pv[i].len};
		struct line_len one;
		at.col = i - from;
		fill->arg(fill->data, &v, &at, &one);
		c->gnu += one.gnu;
		c->sys += one.sys;
	}
}

/* The values from `from` on, joined with spaces, cut short: for messages. */
static char *pending_text(const struct input *in, size_t from)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = from; i < in->pn && b.len <= 50; i++) {
		if (i > from) {
			buf_addc(&b, ' ');
		}
		buf_add(&b, in->pending.data + (uintptr_t)in->pv[i].s,
			in->pv[i].len);
	}
	if (b.len > 50) {
		b.len = 50;
		buf_adds(&b, "...");
	}
	return buf_steal(&b);
}

/*
 * Adds the row just collected (values from pn on) to the pending job if
 * the command line stays short enough.  Returns 1 if it was added, 0 if it
 * opens the next job instead, -1 (with *cause) if it is too long alone.
 * A row too long alone for the default limit is a job of its own: only
 * exec can tell whether it runs.
 */
static int fits(struct input *in, size_t pn, char **cause)
{
	const struct line_cost *fill = in->cfg.fill;
	struct line_len c;

	cost_of(in, pn, &c);
	if (in->tuples == 0) {
		in->len = fill->base;
	}
	size_t gnu = in->len.gnu + c.gnu, sys = in->len.sys + c.sys;
	bool over = gnu >= fill->max || sys >= fill->sys_max;
	if (over && in->tuples > 0) {
		return 0;
	}
	if (over && fill->strict && gnu >= fill->max) {
		char *text = pending_text(in, pn);
		*cause = xasprintf("command line too long (%zu >= %zu) at "
				   "input %llu: %s", gnu, fill->max,
				   (unsigned long long)in->jobs_out, text);
		free(text);
		return -1;
	}
	in->len.gnu = gnu;
	in->len.sys = sys;
	return 1;
}

/* Builds the next job from the sources, without prefetching. */
static int next_values(struct input *in, struct record **rec, char **cause)
{
	const struct line_cost *fill = in->cfg.fill;

	if (in->spread_chunk && in->pfirst < in->pn) {
		size_t end = in->pfirst + in->spread_chunk;
		*rec = take_pending(in, end < in->pn ? end : in->pn);
		return INPUT_READY;
	}
	size_t want = in->cfg.max_args > 0 ? (size_t)in->cfg.max_args
		      : fill && fill->fill ? SIZE_MAX : 1;
	while (!in->done && in->tuples < want) {
		if (!in->carry) {
			int r = advance(in, cause);
			if (r == INPUT_WAIT || r == INPUT_ERROR) {
				return r;
			}
			if (r == INPUT_END) {
				in->done = true;
				break;
			}
		}
		in->carry = false;
		size_t pn = in->pn, plen = in->pending.len;
		collect(in);
		if (in->csv_error) {
			*cause = in->csv_error;
			in->csv_error = NULL;
			return INPUT_ERROR;
		}
		int r = fill ? fits(in, pn, cause) : 1;
		if (r < 0) {
			return INPUT_ERROR;
		}
		if (r == 0) {
			/* Too long: this one opens the next job. */
			in->pn = pn;
			in->pending.len = plen;
			in->carry = true;
			break;
		}
		in->tuples++;
		if (fill && (in->len.gnu >= fill->max ||
			     in->len.sys >= fill->sys_max)) {
			break; /* a row too long alone: a job of its own */
		}
	}
	if (in->pn == in->pfirst) {
		return INPUT_END;
	}
	if (fill && fill->spread > 1 && !in->done && !in->carry &&
	    in->tuples >= want) {
		/*
		 * Look one ahead: does the input end with this job?  Wait
		 * for the answer, or a slow stream would never be spread.
		 */
		int r = advance(in, cause);
		if (r == INPUT_ERROR || r == INPUT_WAIT) {
			return r;
		}
		in->done = r == INPUT_END;
		in->carry = r == INPUT_READY;
	}
	if (fill && fill->spread > 1 && in->done && in->tuples > 1) {
		/* A short input is spread evenly over the job slots. */
		size_t per = (in->tuples + (size_t)fill->spread - 1) /
			     (size_t)fill->spread;
		in->spread_chunk = per * (in->pn / in->tuples);
		*rec = take_pending(in, in->spread_chunk);
		return INPUT_READY;
	}
	*rec = take_pending(in, in->pn);
	return INPUT_READY;
}

/*
 * The next job.  -N0 (-n0, -L0): a job is made of rows as any other, one
 * or (-X, -m) as many as fit, but each value is template_void: GNU
 * parallel's idiom for running a command as many times as there are
 * arguments, with none of them inserted.
 */
static int next_job(struct input *in, struct record **rec, char **cause)
{
	int r = next_values(in, rec, cause);

	if (r == INPUT_READY && in->cfg.bare) {
		for (size_t i = 0; i < (*rec)->n; i++) {
			if ((*rec)->v[i].s) {
				(*rec)->v[i] = (struct value){template_void, 0};
			}
		}
	}
	return r;
}

int input_next(struct input *in, struct record **rec, char **cause)
{
	if (in->all) {
		if (in->next_all == in->n_all) {
			return INPUT_END;
		}
		*rec = in->all[in->next_all++];
		return INPUT_READY;
	}
	return next_job(in, rec, cause);
}
