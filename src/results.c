/*
 * --results, byte for byte as GNU parallel 20221122 writes them.
 *
 * A directory: DIR/1/<value 1>/2/<value 2>/.../{seq,stdout,stderr}, the
 * numbers being the input sources (or --header's names, sorted), with
 * '\' '\t' NUL and '/' in a value written as \\ \t \0 \_.  A value that
 * contains replacement strings names the files instead: "out/{}" gives
 * out/a, out/a.err and out/a.seq; "out/{}/" gives out/a/stdout and so on.
 * A name ending in .csv, .tsv or .json gives one table of all jobs (on
 * stdout for -.csv, -.tsv and -.json): the job log's columns, the values,
 * then the whole stdout and stderr.
 *
 * The jobs' output is in their spool files; it is copied from them with
 * copy_file_range(2) (or read in blocks, for a table) on the thread pool,
 * one job at a time, so neither a big output nor a slow disk holds up the
 * scheduler, and memory stays bounded whatever the jobs write.
 */
#define _GNU_SOURCE /* copy_file_range */
#include "results.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "csv.h"
#include "input.h"
#include "job.h"
#include "util.h"

/* One read from a spool file, and the most a table buffers per write. */
#define BLOCK 65536
/* GNU parallel cuts a directory name to the longest the system takes. */
#define NAME_MAX_LEN 255

enum kind {
	R_DIR,
	R_CSV,
	R_JSON,
};

/* A job on its way to the results. */
struct rjob {
	struct rjob *next;
	uint64_t order;
	struct job *job;      /* passes back in recorded(); NULL: a gap */
	bool record;
	/* Prepared on the loop thread for the work. */
	char *dir;            /* owned; a directory to make first, or NULL */
	char *path[3];        /* owned; the seq, stderr and stdout files */
	struct buf row;       /* a table's row up to the outputs */
	char *tag;            /* owned; --tag in a table: the tag, a tab */
	size_t tag_len;
	bool header_out;      /* -v's header goes before the stdout */
	/* Set by the work. */
	int err;
	const char *err_path;
};

struct results {
	uv_loop_t *loop;
	struct results_config cfg;
	struct results_callbacks cb;
	enum kind kind;
	char sep;             /* CSV: ',' or '\t' */
	int fd;               /* owned (unless stdout); the table, or -1 */
	bool header_done;     /* the table's header row is out */
	struct rjob *head;    /* owned list; in turn to be written */
	struct rjob *tail;
	struct rjob *held;    /* owned list; -k: waiting, sorted by order */
	uint64_t next_order;
	size_t pending;
	bool busy;            /* a work is under way */
	bool in_pump;
	bool broken;          /* a failure is reported: write no more */
	uv_work_t req;
	struct rjob *cur;
	char *in;             /* owned; BLOCK bytes, used by the work */
	struct buf out;       /* used by the work: escaped bytes */
	struct buf scratch;   /* loop thread */
};

static void pump(struct results *r);

bool results_is_table(const char *path)
{
	size_t n = strlen(path);

	return (n >= 4 && (strcasecmp(path + n - 4, ".csv") == 0 ||
			   strcasecmp(path + n - 4, ".tsv") == 0)) ||
	       (n >= 5 && strcasecmp(path + n - 5, ".json") == 0);
}

int results_create(struct results **out, uv_loop_t *loop,
		   const struct results_config *cfg,
		   const struct results_callbacks *cb, char **cause)
{
	struct results *r = xcalloc(1, sizeof(*r));
	const char *p = cfg->path;
	size_t n = strlen(p);

	r->loop = loop;
	r->cfg = *cfg;
	r->cb = *cb;
	r->fd = -1;
	r->next_order = 1;
	r->kind = R_DIR;
	buf_init(&r->out);
	buf_init(&r->scratch);
	if (results_is_table(p)) {
		bool json = strcasecmp(p + n - 4, ".csv") != 0 &&
			    strcasecmp(p + n - 4, ".tsv") != 0;
		r->kind = json ? R_JSON : R_CSV;
		r->sep = strcasecmp(p + n - 4, ".tsv") == 0 ? '\t' : ',';
		if (strcmp(p, "-.csv") == 0 || strcmp(p, "-.tsv") == 0 ||
		    strcmp(p, "-.json") == 0) {
			r->fd = STDOUT_FILENO;
		} else {
			r->fd = open(p, O_WRONLY | O_CREAT | O_TRUNC |
				     O_CLOEXEC, 0666);
			if (r->fd < 0) {
				*cause = xasprintf("cannot open the results "
						   "file '%s': %s", p,
						   strerror(errno));
				free(r);
				return -1;
			}
		}
	}
	r->in = xmalloc(BLOCK);
	*out = r;
	return 0;
}

static void rjob_free(struct rjob *rj)
{
	free(rj->dir);
	for (int i = 0; i < 3; i++) {
		free(rj->path[i]);
	}
	buf_finish(&rj->row);
	free(rj->tag);
	free(rj);
}

static void free_list(struct rjob *rj)
{
	while (rj) {
		struct rjob *next = rj->next;
		job_destroy(rj->job);
		rjob_free(rj);
		rj = next;
	}
}

void results_destroy(struct results *r)
{
	if (!r) {
		return;
	}
	free_list(r->head);
	free_list(r->held);
	if (r->fd > STDOUT_FILENO) {
		close(r->fd);
	}
	free(r->in);
	buf_finish(&r->out);
	buf_finish(&r->scratch);
	free(r);
}

size_t results_pending(const struct results *r)
{
	return r ? r->pending : 0;
}

/* ---- Names: GNU parallel's layout. ---- */

/* A column's name: --header's, else its number from 1. */
static void column_name(const struct results *r, size_t col, struct buf *b)
{
	if (col < r->cfg.n_names) {
		buf_adds(b, r->cfg.names[col]);
	} else {
		buf_addf(b, "%zu", col + 1);
	}
}

/* A string as a number, as Perl reads it: "10" 10, "3a" 3, "a" 0. */
static double perl_number(const char *s)
{
	const char *p = s;

	while (*p == ' ' || (*p >= '\t' && *p <= '\r')) {
		p++;
	}
	const char *d = p + (*p == '+' || *p == '-');
	if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
		return 0; /* Perl does not read hex here */
	}
	return strtod(s, NULL);
}

struct named {
	size_t col;
	double num;
	char *name;
};

/* Sorts columns as GNU parallel: numerically, then as strings. */
static int cmp_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;

	if (x->num != y->num) {
		return x->num < y->num ? -1 : 1;
	}
	return strcmp(x->name, y->name);
}

/* A value as a directory name: \ tab NUL / written \\ \t \0 \_. */
static void add_escaped(struct buf *b, const struct value *v)
{
	size_t start = b->len;

	for (size_t i = 0; i < v->len; i++) {
		switch (v->s[i]) {
		case '\\': buf_add(b, "\\\\", 2); break;
		case '\t': buf_add(b, "\\t", 2); break;
		case '\0': buf_add(b, "\\0", 2); break;
		case '/': buf_add(b, "\\_", 2); break;
		default: buf_addc(b, v->s[i]); break;
		}
	}
	if (b->len - start > NAME_MAX_LEN) {
		b->len = start + NAME_MAX_LEN;
		b->data[b->len] = '\0';
	}
}

/* The job's arguments as directories: 1/a/2/b, a row of values at a time. */
static void args_as_dirname(struct results *r, const struct record *rec,
			    struct buf *b)
{
	size_t width = rec->width ? rec->width : rec->n;
	struct named *cols = xcalloc(width ? width : 1, sizeof(*cols));

	for (size_t i = 0; i < width; i++) {
		struct buf name;
		buf_init(&name);
		column_name(r, i, &name);
		cols[i].col = i;
		cols[i].name = name.data ? buf_steal(&name) : xstrdup("");
		cols[i].num = perl_number(cols[i].name);
	}
	qsort(cols, width, sizeof(*cols), cmp_named);
	bool first = true;
	for (size_t row = 0; width && row + width <= rec->n; row += width) {
		for (size_t i = 0; i < width; i++) {
			if (!first) {
				buf_addc(b, '/');
			}
			first = false;
			buf_adds(b, cols[i].name);
			buf_addc(b, '/');
			add_escaped(b, &rec->v[row + cols[i].col]);
		}
	}
	for (size_t i = 0; i < width; i++) {
		free(cols[i].name);
	}
	free(cols);
}

/*
 * Where a job's files go: *dir is made first (NULL: only the files'
 * parent), path[] are the seq, stderr and stdout files.
 */
static void place(struct results *r, const struct job *job, char **dir,
		  char *path[3])
{
	static const char *const dir_files[3] = {"seq", "stderr", "stdout"};
	static const char *const suffix[3] = {".seq", ".err", ""};
	struct buf *b = &r->scratch;

	b->len = 0;
	if (r->cfg.tmpl) {
		job_render(r->cfg.spawner, r->cfg.tmpl, job, b);
	}
	if (!r->cfg.tmpl || strcmp(b->data ? b->data : "", r->cfg.path) == 0) {
		/* A plain name: the directory tree of the arguments. */
		b->len = 0;
		buf_adds(b, r->cfg.path);
		buf_addc(b, '/');
		args_as_dirname(r, job->rec, b);
		*dir = xstrdup(b->data);
		for (int i = 0; i < 3; i++) {
			path[i] = xasprintf("%s/%s", b->data, dir_files[i]);
		}
		return;
	}
	if (b->len > 0 && b->data[b->len - 1] == '/') {
		/* Replacement strings ending in /: a directory. */
		*dir = xstrdup(b->data);
		for (int i = 0; i < 3; i++) {
			path[i] = xasprintf("%s%s", b->data, dir_files[i]);
		}
		return;
	}
	/* Replacement strings: a file, with .err and .seq beside it. */
	char *slash = strrchr(b->data, '/');
	*dir = slash && slash != b->data ? xmemdup(b->data,
						    (size_t)(slash - b->data))
					  : NULL;
	for (int i = 0; i < 3; i++) {
		path[i] = xasprintf("%s%s", b->data, suffix[i]);
	}
}

bool results_exist(struct results *r, const struct job *job)
{
	char *dir = NULL, *path[3] = {NULL, NULL, NULL};
	struct stat st;

	if (r->kind != R_DIR) {
		return false;
	}
	place(r, job, &dir, path);
	bool found = stat(path[2], &st) == 0;
	free(dir);
	for (int i = 0; i < 3; i++) {
		free(path[i]);
	}
	return found;
}

/* ---- Tables: GNU parallel's columns, quoting and escaping. ---- */

/* True if a CSV field must be quoted: a quote, white space, sep or NUL. */
static bool csv_special(char c, char sep)
{
	return c == '"' || c == sep || c == ' ' || c == '\0' ||
	       (c >= '\t' && c <= '\r');
}

static void csv_field(struct buf *b, const char *s, size_t len, char sep)
{
	bool quote = false;

	for (size_t i = 0; i < len && !quote; i++) {
		quote = csv_special(s[i], sep);
	}
	if (quote) {
		csv_quote(b, s, len);
	} else {
		buf_add(b, s, len);
	}
}

/* JSON's escapes: \\ \" and \u00XX for the control characters. */
static void json_escape(struct buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' || c == '"') {
			buf_addc(b, '\\');
			buf_addc(b, (char)c);
		} else if (c < 0x20) {
			buf_addf(b, "\\u%04x", c);
		} else {
			buf_addc(b, (char)c);
		}
	}
}

/* The table's header row, from the first job's number of values. */
static void table_header(struct results *r, const struct record *rec,
			 struct buf *b)
{
	static const char *const cols[] = {
		"Seq", "Host", "Starttime", "JobRuntime", "Send", "Receive",
		"Exitval", "Signal", "Command",
	};
	struct buf name;

	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		buf_adds(b, cols[i]);
		buf_addc(b, r->sep);
	}
	buf_init(&name);
	for (size_t i = 0; i < rec->n; i++) {
		name.len = 0;
		if (r->cfg.n_names > 0) {
			/* GNU names the values after the columns, if any. */
			buf_adds(&name, i < r->cfg.n_names ? r->cfg.names[i]
							   : "");
		} else {
			buf_addf(&name, "V%zu", i + 1);
		}
		csv_field(b, name.data ? name.data : "", name.len, r->sep);
		buf_addc(b, r->sep);
	}
	buf_finish(&name);
	buf_addf(b, "Stdout%cStderr\n", r->sep);
}

/* A table's row up to the outputs, which the work adds. */
static void table_row(struct results *r, struct rjob *rj)
{
	const struct job *job = rj->job;
	struct buf *row = &rj->row, *cmd = &r->scratch;
	struct stat st;
	int sig = WIFSIGNALED(job->status) ? WTERMSIG(job->status) : 0;
	int exitval = job_log_exitval(job);
	uint64_t received = job->out_fd >= 0 && fstat(job->out_fd, &st) == 0
				    ? (uint64_t)st.st_size : 0;
	double runtime = (double)(job->end_ns - job->start_ns) / 1e9;
	const struct record *rec = job->rec;

	if (rj->header_out) {
		received += job->header_len;
	}
	if (job->pid <= 0) {
		runtime = 0;
	}
	cmd->len = 0;
	job_command(r->cfg.spawner, job, cmd);
	const char *c = cmd->data ? cmd->data : "";
	if (r->kind == R_JSON) {
		buf_addf(row, "{ \"Seq\": %llu, \"Host\": \":\", "
			 "\"Starttime\": %.3f, \"JobRuntime\": %.3f, "
			 "\"Send\": 0, \"Receive\": %llu, \"Exitval\": %d, "
			 "\"Signal\": %d, \"Command\": \"",
			 (unsigned long long)job->seq, job->start_wall,
			 runtime, (unsigned long long)received, exitval,
			 sig);
		json_escape(row, c, cmd->len);
		buf_adds(row, "\", \"V\": [ ");
		for (size_t i = 0; i < rec->n; i++) {
			buf_adds(row, i ? ",\"" : "\"");
			json_escape(row, rec->v[i].s, rec->v[i].len);
			buf_addc(row, '"');
		}
		buf_adds(row, " ], \"Stdout\": ");
		return;
	}
	if (!r->header_done) {
		table_header(r, rec, row);
		r->header_done = true;
	}
	buf_addf(row, "%llu%c:%c%.3f%c%.3f%c0%c%llu%c%d%c%d%c",
		 (unsigned long long)job->seq, r->sep, r->sep,
		 job->start_wall, r->sep, runtime, r->sep, r->sep,
		 (unsigned long long)received, r->sep, exitval, r->sep, sig,
		 r->sep);
	csv_field(row, c, cmd->len, r->sep);
	buf_addc(row, r->sep);
	for (size_t i = 0; i < rec->n; i++) {
		csv_field(row, rec->v[i].s, rec->v[i].len, r->sep);
		buf_addc(row, r->sep);
	}
}

/* ---- The work, on the thread pool. ---- */

/* Makes a directory and its parents. */
static int make_path(char *path)
{
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0') {
			continue;
		}
		char c = *p;
		*p = '\0';
		int r = mkdir(path, 0777);
		*p = c;
		if (r < 0 && errno != EEXIST) {
			return -errno;
		}
		if (c == '\0') {
			return 0;
		}
	}
}


/*
 * Copies all of the file src, from its start, to dst's file offset,
 * without moving src's offset: in the kernel where it can.  0 or -errno.
 */
static int copy_all(struct results *r, int dst, int src)
{
	off_t off = 0;
	int how = 0;

	for (;;) {
		ssize_t n;
		if (how == 0) {
			n = copy_file_range(src, &off, dst, NULL, 1 << 30, 0);
		} else if (how == 1) {
			n = sendfile(dst, src, &off, 1 << 30);
		} else {
			n = pread(src, r->in, BLOCK, off);
			if (n > 0) {
				int e = write_all(dst, r->in, (size_t)n);
				if (e < 0) {
					return e;
				}
				off += n;
			}
		}
		if (n == 0) {
			return 0;
		}
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && how < 2 && (errno == EXDEV || errno == EINVAL ||
					 errno == ENOSYS ||
					 errno == EOPNOTSUPP)) {
			how++;
			continue;
		}
		if (n < 0) {
			return -errno;
		}
	}
}

/* Creates (or empties) a file and fills it; 0 or -errno. */
static int write_file(struct results *r, const char *path, const char *pre,
		      size_t pre_len, int src)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	int e = 0;

	if (fd < 0) {
		return -errno;
	}
	if (pre_len > 0) {
		e = write_all(fd, pre, pre_len);
	}
	if (e == 0 && src >= 0) {
		e = copy_all(r, fd, src);
	}
	if (close(fd) < 0 && e == 0) {
		e = -errno;
	}
	return e;
}

static void work_dir(struct results *r, struct rjob *rj)
{
	const struct job *job = rj->job;
	char seq[32];
	int n = snprintf(seq, sizeof(seq), "%llu",
			 (unsigned long long)job->seq);

	if (rj->dir && (rj->err = make_path(rj->dir)) < 0) {
		rj->err_path = rj->dir;
		return;
	}
	/* stdout last: --resume takes a job with a stdout file as done. */
	const char *pre[3] = {seq, NULL, rj->header_out ? job->header : NULL};
	size_t pre_len[3] = {(size_t)n, 0,
			     rj->header_out ? job->header_len : 0};
	int src[3] = {-1, job->err_fd, job->out_fd};
	for (int i = 0; i < 3; i++) {
		rj->err = write_file(r, rj->path[i], pre[i], pre_len[i],
				     src[i]);
		if (rj->err < 0) {
			rj->err_path = rj->path[i];
			return;
		}
	}
}

/* What a table's output field is built from. */
struct field {
	const char *pre;      /* -v's header, or NULL */
	size_t pre_len;
	int fd;               /* the spool file, or -1 */
	const char *tag;      /* --tag: before each line and after each \r */
	size_t tag_len;
	bool bol;
	bool quote;           /* scan: the field needs quotes */
	bool write;           /* false: scan only */
	char sep;
	bool json;
};

/* Flushes the escaped bytes to the table once there are enough. */
static int flush_out(struct results *r, bool all)
{
	if (r->out.len == 0 || (!all && r->out.len < BLOCK)) {
		return 0;
	}
	int e = write_all(r->fd, r->out.data, r->out.len);
	r->out.len = 0;
	return e;
}

/* Passes on bytes of a field: scanned, or escaped and written. */
static int field_bytes(struct results *r, struct field *f, const char *p,
		       size_t n)
{
	if (!f->write) {
		for (size_t i = 0; i < n && !f->quote; i++) {
			f->quote = csv_special(p[i], f->sep);
		}
		return 0;
	}
	if (f->json) {
		json_escape(&r->out, p, n);
	} else if (f->quote) {
		for (size_t i = 0; i < n; i++) {
			if (p[i] == '"') {
				buf_addc(&r->out, '"');
			}
			buf_addc(&r->out, p[i]);
		}
	} else {
		buf_add(&r->out, p, n);
	}
	return flush_out(r, false);
}

/*
 * Passes on a block of the field's bytes, with GNU parallel's --tag: the
 * tag before each line and after each carriage return.
 */
static int field_block(struct results *r, struct field *f, const char *p,
		       size_t n)
{
	int e = 0;

	if (!f->tag) {
		return field_bytes(r, f, p, n);
	}
	while (n > 0 && e == 0) {
		if (f->bol) {
			e = field_bytes(r, f, f->tag, f->tag_len);
			f->bol = false;
		}
		size_t k = 0;
		while (k < n && p[k] != '\n' && p[k] != '\r') {
			k++;
		}
		if (k < n) {
			k++;
		}
		if (e == 0) {
			e = field_bytes(r, f, p, k);
		}
		if (e == 0 && p[k - 1] == '\r') {
			e = field_bytes(r, f, f->tag, f->tag_len);
		}
		f->bol = p[k - 1] == '\n';
		p += k;
		n -= k;
	}
	return e;
}

/* One pass over a field's bytes.  0, or -errno (of the read or write). */
static int field_pass(struct results *r, struct field *f)
{
	int e = 0;
	off_t off = 0;

	f->bol = true;
	if (f->pre_len > 0) {
		e = field_block(r, f, f->pre, f->pre_len);
	}
	while (e == 0 && f->fd >= 0) {
		ssize_t n = pread(f->fd, r->in, BLOCK, off);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return -errno;
		}
		if (n == 0) {
			break;
		}
		off += n;
		e = field_block(r, f, r->in, (size_t)n);
	}
	return e;
}

/* Writes one output field of a table row. */
static int write_field(struct results *r, struct field *f)
{
	int e;

	f->json = r->kind == R_JSON;
	f->sep = r->sep;
	f->write = false;
	f->quote = f->json;
	if (!f->json && (e = field_pass(r, f)) < 0) {
		return e;
	}
	f->write = true;
	if (f->quote) {
		buf_addc(&r->out, '"');
	}
	if ((e = field_pass(r, f)) < 0) {
		return e;
	}
	if (f->quote) {
		buf_addc(&r->out, '"');
	}
	return 0;
}

static void work_table(struct results *r, struct rjob *rj)
{
	const struct job *job = rj->job;
	struct field f[2];
	int e;

	memset(f, 0, sizeof(f));
	for (int i = 0; i < 2; i++) {
		f[i].fd = i == 0 ? job->out_fd : job->err_fd;
		f[i].tag = rj->tag;
		f[i].tag_len = rj->tag_len;
	}
	if (rj->header_out) {
		f[0].pre = job->header;
		f[0].pre_len = job->header_len;
	}
	r->out.len = 0;
	buf_add(&r->out, rj->row.data, rj->row.len);
	e = write_field(r, &f[0]);
	if (e == 0) {
		buf_adds(&r->out, r->kind == R_JSON ? ", \"Stderr\": " : "");
		if (r->kind == R_CSV) {
			buf_addc(&r->out, r->sep);
		}
		e = write_field(r, &f[1]);
	}
	if (e == 0) {
		buf_adds(&r->out, r->kind == R_JSON ? " }\n" : "\n");
		e = flush_out(r, true);
	}
	r->out.len = 0;
	if (e < 0) {
		rj->err = e;
		rj->err_path = r->cfg.path;
	}
}

static void work(uv_work_t *req)
{
	struct results *r = req->data;

	if (r->kind == R_DIR) {
		work_dir(r, r->cur);
	} else {
		work_table(r, r->cur);
	}
}

/* ---- On the loop thread. ---- */

/* Hands a job back and forgets it. */
static void done(struct results *r, struct rjob *rj)
{
	struct job *job = rj->job;

	r->pending -= job != NULL;
	rjob_free(rj);
	if (job) {
		r->cb.recorded(r->cb.data, job);
	}
}

static void work_done(uv_work_t *req, int status)
{
	struct results *r = req->data;
	struct rjob *rj = r->cur;

	r->cur = NULL;
	r->busy = false;
	if (rj->err < 0 && !r->broken) {
		r->broken = true;
		if (rj->err == -EPIPE && r->fd == STDOUT_FILENO) {
			r->cb.failed(r->cb.data, -EPIPE, NULL);
		} else {
			r->cb.failed(r->cb.data, rj->err,
				     xasprintf("cannot write the results to "
					       "'%s': %s", rj->err_path,
					       strerror(-rj->err)));
		}
	}
	done(r, rj);
	pump(r);
}

/* Gets a job's files ready for the work. */
static void prepare(struct results *r, struct rjob *rj)
{
	struct job *job = rj->job;

	rj->header_out = job->header && !job->header_stderr;
	if (r->kind == R_DIR) {
		place(r, job, &rj->dir, rj->path);
		return;
	}
	table_row(r, rj);
	if (job->tag) {
		/* GNU's tag ends in a tab. */
		rj->tag_len = job->tag_len + 1;
		rj->tag = xmalloc(rj->tag_len);
		memcpy(rj->tag, job->tag, job->tag_len);
		rj->tag[job->tag_len] = '\t';
	}
}

/* Starts the next write, passing over the jobs that are not recorded. */
static void pump(struct results *r)
{
	if (r->in_pump) {
		return;
	}
	r->in_pump = true;
	while (!r->busy && r->head) {
		struct rjob *rj = r->head;
		r->head = rj->next;
		if (!r->head) {
			r->tail = NULL;
		}
		if (!rj->job || !rj->record || r->broken) {
			done(r, rj);
			continue;
		}
		prepare(r, rj);
		r->cur = rj;
		r->busy = true;
		r->req.data = r;
		uv_queue_work(r->loop, &r->req, work, work_done);
	}
	r->in_pump = false;
}

static void enqueue(struct results *r, struct rjob *rj)
{
	rj->next = NULL;
	if (r->tail) {
		r->tail->next = rj;
	} else {
		r->head = rj;
	}
	r->tail = rj;
}

/* -k: a job, or a gap, takes its place among the held ones. */
static void hold(struct results *r, struct rjob *rj)
{
	struct rjob **at = &r->held;

	while (*at && (*at)->order < rj->order) {
		at = &(*at)->next;
	}
	rj->next = *at;
	*at = rj;
	while (r->held && r->held->order <= r->next_order) {
		struct rjob *next = r->held;
		r->held = next->next;
		if (next->order == r->next_order) {
			r->next_order++;
		}
		enqueue(r, next);
	}
	pump(r);
}

void results_add(struct results *r, struct job *job, bool record)
{
	struct rjob *rj = xcalloc(1, sizeof(*rj));

	rj->job = job;
	rj->order = job->order;
	rj->record = record;
	buf_init(&rj->row);
	r->pending++;
	if (r->cfg.keep_order && r->kind != R_DIR) {
		hold(r, rj);
		return;
	}
	enqueue(r, rj);
	pump(r);
}

void results_skip(struct results *r, uint64_t order)
{
	if (!r || !r->cfg.keep_order || r->kind == R_DIR) {
		return;
	}
	struct rjob *rj = xcalloc(1, sizeof(*rj));
	rj->order = order;
	buf_init(&rj->row);
	hold(r, rj);
}

void results_flush(struct results *r)
{
	if (!r) {
		return;
	}
	while (r->held) {
		struct rjob *rj = r->held;
		r->held = rj->next;
		enqueue(r, rj);
	}
	pump(r);
}
