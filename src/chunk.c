/*
 * Chunks of whole records for --pipe and --pipepart, and the feeds that
 * give each job its chunk.
 *
 * stdin is read on the loop's thread pool (it may be a terminal, a file
 * or a pipe that prun must not make non-blocking), in rounds as GNU
 * parallel reads it: each round tops the buffer up to the next multiple of
 * the block size, then cuts it where the rules say (the last record end
 * for --block, every N records for -N, whole groups of lines for -L).  The
 * bytes of a round are read once into one block of memory that its chunks
 * share; only the unfinished record at its end is copied, into the next
 * round's block.  The next round is read as soon as the last chunk of a
 * round is given out, so at most one block is read ahead of the jobs.
 *
 * --pipepart finds the split points in the file once, as GNU parallel
 * does; each job's range is then spliced from the file into its pipe
 * without passing through prun's memory.
 *
 * With --regexp, record ends are found by PCRE2 with the patterns GNU
 * parallel builds for Perl around --recstart and --recend, or ones that
 * match the same and suit PCRE2 better, with the same /m and /s flags
 * (they decide what ^, $ and . mean in the user's regex).  The
 * fixed-string path never touches a regex.
 */
#define _GNU_SOURCE /* memrchr, memmem, splice, F_SETPIPE_SZ */
#include "chunk.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "log.h"
#include "perl.h"
#include "rx.h"
#include "spool.h"
#include "util.h"

/* GNU parallel grows a block no further than this (2 GiB causes trouble). */
#define BLOCK_MAX ((size_t)2147483647)
/* --group-by's mark before each group: as long as GNU parallel's. */
#define GROUP_MARK_LEN 20
/* --group-by reads stdin this much at a time. */
#define GROUP_READ ((size_t)1 << 20)
/* --pipepart reads this much at a time looking for a split point. */
#define SCAN_SIZE ((size_t)131072)
/* A feed asks for a pipe this large, to be woken less often. */
#define FEED_PIPE_SIZE (1 << 20)

static int compile_re(regex_t *re, const char *text);

/* Bytes shared by the chunks cut from them. */
struct block {
	unsigned refs;
	size_t len;
	size_t cap;
	char data[];
};

static struct block *block_new(size_t cap)
{
	struct block *b = xmalloc(sizeof(*b) + (cap ? cap : 1));

	b->refs = 1;
	b->len = 0;
	b->cap = cap;
	return b;
}

static struct block *block_ref(struct block *b)
{
	if (b) {
		b->refs++;
	}
	return b;
}

static void block_unref(struct block *b)
{
	if (b && --b->refs == 0) {
		free(b);
	}
}

static struct block *block_copy(const char *p, size_t n)
{
	struct block *b = block_new(n);

	memcpy(b->data, p, n);
	b->len = n;
	return b;
}

uint64_t chunk_size(const struct chunk *c)
{
	return chunk_head_len(c) + c->body_len;
}

size_t chunk_head_len(const struct chunk *c)
{
	return c->head ? c->head->len : 0;
}

struct chunk *chunk_empty(void)
{
	struct chunk *c = xcalloc(1, sizeof(*c));

	c->refs = 1;
	c->file_fd = -1;
	return c;
}

struct chunk *chunk_ref(struct chunk *c)
{
	c->refs++;
	return c;
}

void chunk_release(struct chunk *c)
{
	if (c && --c->refs == 0) {
		block_unref(c->head);
		block_unref(c->blk);
		if (c->path) {
			unlink(c->path);
			free(c->path);
		}
		free(c);
	}
}

/* Writes the chunk to fd, whole (the header if head): 0 or -errno. */
static int write_file(const struct chunk *c, int fd, bool head)
{
	int r = 0;

	if (c->head && head) {
		r = write_all(fd, c->head->data, c->head->len);
	}
	if (r == 0 && c->file_fd < 0) {
		r = write_all(fd, c->body, c->body_len);
	}
	off_t off = c->file_off;
	size_t left = c->file_fd >= 0 ? c->body_len : 0;
	while (r == 0 && left > 0) {
		ssize_t n = copy_file_range(c->file_fd, &off, fd, NULL, left,
					    0);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			break;
		}
		left -= (size_t)n;
	}
	return r;
}

int chunk_append(const struct chunk *c, int fd, bool head)
{
	return write_file(c, fd, head);
}

struct chunk *chunk_of_file(int fd, uint64_t len)
{
	struct chunk *c = chunk_empty();

	c->file_fd = fd;
	c->file_off = 0;
	c->body_len = (size_t)len;
	return c;
}

int chunk_to_fifo(struct chunk *c, const char *dir, char **cause)
{
	for (int tries = 0; tries < 100; tries++) {
		char *path = xasprintf("%s/prun.%ld.%llu.%d", dir,
				       (long)getpid(),
				       (unsigned long long)c->seq, tries);
		if (mkfifo(path, 0600) == 0) {
			c->path = path;
			c->fifo = true;
			return 0;
		}
		int err = errno;
		free(path);
		if (err != EEXIST) {
			*cause = xasprintf("cannot create a fifo in %s: %s",
					   dir, strerror(err));
			return -err;
		}
	}
	*cause = xasprintf("cannot create a fifo in %s: %s", dir,
			   strerror(EEXIST));
	return -EEXIST;
}

int chunk_to_file(struct chunk *c, const char *dir, char **cause)
{
	char *path;
	int fd = spool_named(dir, &path);

	if (fd < 0) {
		*cause = xasprintf("cannot create a temp file in %s: %s", dir,
				   strerror(-fd));
		return fd;
	}
	int r = write_file(c, fd, true);
	close(fd);
	if (r < 0) {
		*cause = xasprintf("cannot write %s: %s", path, strerror(-r));
		unlink(path);
		free(path);
		return r;
	}
	c->path = path;
	return 0;
}

/*
 * The first separator of columns in p[at..len): true with its bounds in
 * *so and *eo.  With a regex, p[len] must be a NUL (regexec() may look
 * for one, whatever REG_STARTEND says).
 */
static bool next_sep(const struct chunk_split *s, const char *p, size_t len,
		     size_t at, size_t *so, size_t *eo)
{
	if (!s->colsep) {
		const char *comma = memchr(p + at, ',', len - at);
		if (!comma) {
			return false;
		}
		*so = (size_t)(comma - p);
		*eo = *so + 1;
		return true;
	}
	regmatch_t m = {.rm_so = (regoff_t)at, .rm_eo = (regoff_t)len};
	if (regexec(s->colsep, p, 1, &m, REG_STARTEND) != 0 ||
	    m.rm_eo == m.rm_so) {
		return false;
	}
	*so = (size_t)m.rm_so;
	*eo = (size_t)m.rm_eo;
	return true;
}

/*
 * Where column col (1-based) of line p[0..len) is: *v (into p) and *vlen.
 * scratch holds a NUL-terminated copy of the line for a regex.
 */
static void column_of(const struct chunk_split *s, const char *p, size_t len,
		      struct buf *scratch, const char **v, size_t *vlen)
{
	const char *line = p;
	size_t at = 0, so, eo;

	if (s->colsep) {
		scratch->len = 0;
		buf_add(scratch, p, len);
		buf_addc(scratch, '\0');
		line = scratch->data;
	}
	for (size_t k = 1; k < s->col; k++) {
		if (!next_sep(s, line, len, at, &so, &eo)) {
			at = len;
			break;
		}
		at = eo;
	}
	size_t end = next_sep(s, line, len, at, &so, &eo) ? so : len;
	*v = p + at;
	*vlen = end - at;
}

/* True if c may be in a column's name (GNU parallel's, and '-'). */
static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int chunk_split_init(struct chunk_split *s, const char *opt,
		     const char *spec, const char *colsep, char **cause)
{
	bool group = strcmp(opt, "group-by") == 0;
	size_t word = 0;
	long col;

	memset(s, 0, sizeof(*s));
	s->bin = strcmp(opt, "bin") == 0;
	/* As GNU parallel's column_perlexpr(): a column, then perl. */
	while (name_char(spec[word])) {
		word++;
	}
	const char *expr = spec + word;
	if (word == 0 || (*expr && !strchr(" \t\n", *expr))) {
		expr = spec;
	} else if (spec[0] == '-' || (spec[0] >= '0' && spec[0] <= '9')) {
		char *num = xmemdup(spec, word);
		int bad = parse_long(num, 1, 1L << 30, &col);
		free(num);
		if (bad) {
			*cause = xasprintf("bad column number for --%s: '%s'",
					   opt, spec);
			return -1;
		}
		s->col = (size_t)col;
	} else {
		s->name = xmemdup(spec, word);
	}
	expr += strspn(expr, " \t\n");
	if (!s->col && !s->name && !group) {
		*cause = xasprintf("bad value for --%s: '%s' (want a column "
				   "number or name, then maybe a perl "
				   "expression)", opt, spec);
		return -1;
	}
	if (colsep) {
		s->re = xmalloc(sizeof(regex_t));
		int e = compile_re(s->re, colsep);
		if (e) {
			char msg[256];
			regerror(e, s->re, msg, sizeof(msg));
			*cause = xasprintf("bad --colsep regex '%s': %s",
					   colsep, msg);
			free(s->re);
			s->re = NULL;
			chunk_split_finish(s);
			return -1;
		}
		s->colsep = s->re;
	}
	if (*expr) {
		s->perl = perl_create(0);
		s->expr = perl_add(s->perl, expr, strlen(expr));
		if (perl_start(s->perl, cause) < 0) {
			chunk_split_finish(s);
			return -1;
		}
	}
	return 0;
}

void chunk_split_finish(struct chunk_split *s)
{
	if (s->re) {
		regfree(s->re);
		free(s->re);
	}
	perl_destroy(s->perl);
	free(s->name);
	memset(s, 0, sizeof(*s));
}

/* Sets s->col to the column named s->name in the header line p[0..len). */
static int find_column(struct chunk_split *s, const char *p, size_t len,
		       char **cause)
{
	struct buf scratch;
	buf_init(&scratch);
	if (len && p[len - 1] == '\n') {
		len--;
	}
	for (size_t k = 1; k <= len + 1; k++) {
		const char *v;
		size_t vlen;
		struct chunk_split probe = *s;
		probe.col = k;
		column_of(&probe, p, len, &scratch, &v, &vlen);
		if (vlen == strlen(s->name) && memcmp(v, s->name, vlen) == 0) {
			s->col = k;
			buf_finish(&scratch);
			return 0;
		}
		if (v + vlen >= p + len) {
			break;
		}
	}
	buf_finish(&scratch);
	*cause = xasprintf("column '%s' is not in the header", s->name);
	return -1;
}

int chunk_split_column(struct chunk_split *s, const struct chunk *c,
		       char **cause)
{
	if (s->col || !s->name) {
		return 0;
	}
	return find_column(s, c->head ? c->head->data : "",
			   c->head ? c->head->len : 0, cause);
}

/* Perl's numeric value of a string: its leading integer, else 0. */
static long long leading_number(const char *p, size_t len)
{
	char tmp[32];
	size_t n = len < sizeof(tmp) - 1 ? len : sizeof(tmp) - 1;

	memcpy(tmp, p, n);
	tmp[n] = '\0';
	return strtoll(tmp, NULL, 10);
}

/* FNV-1a, 64 bits. */
static uint64_t hash_bytes(const char *p, size_t len)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < len; i++) {
		h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
	}
	return h;
}

/*
 * The values by s of lines[0..n) (each with its newline, if it has one),
 * as GNU parallel's perl sees them: the column (the last one keeps the
 * newline) or the whole line, then the expression's $_, all expressions
 * of the lot in one round trip.  vals point into the lines or into perl's
 * answer, which the next evaluation reuses.  Returns 0, or -1 with *cause.
 */
static int key_values(const struct chunk_split *s, const struct value *lines,
		      size_t n, struct value *vals, struct buf *scratch,
		      char **cause)
{
	for (size_t i = 0; i < n; i++) {
		if (s->col) {
			column_of(s, lines[i].s, lines[i].len, scratch,
				  &vals[i].s, &vals[i].len);
		} else {
			vals[i] = lines[i];
		}
	}
	if (s->perl && n > 0) {
		return perl_map(s->perl, s->expr, vals, n, vals, cause);
	}
	return 0;
}

/* The job (0-based, of n) that a line of value v goes to. */
static size_t job_of(const struct chunk_split *s, const char *v, size_t vlen,
		     size_t n)
{
	if (s->bin) {
		long long m = leading_number(v, vlen) % (long long)n;
		if (m < 0) {
			m += (long long)n;
		}
		return m == 0 ? n - 1 : (size_t)m - 1;
	}
	return (size_t)(hash_bytes(v, vlen) % n);
}

/* The lines of p[0..len), each with its newline; *n of them. */
static struct value *lines_of(const char *p, size_t len, size_t *n)
{
	const char *end = p + len;
	struct value *lines = NULL;
	size_t cap = 0;

	*n = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t k = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			lines = xreallocarray(lines, cap, sizeof(*lines));
		}
		lines[(*n)++] = (struct value){p, k};
		p += k;
	}
	return lines;
}

/* chunk_split() with a perl expression: all the lines in one request. */
static int split_by_perl(const struct chunk *c, const struct chunk_split *s,
			 size_t n, struct chunk **out, struct buf *scratch,
			 char **cause)
{
	size_t n_lines;
	struct value *lines = lines_of(c->body, c->body_len, &n_lines);
	struct value *vals = xreallocarray(NULL, n_lines + 1, sizeof(*vals));
	int r = key_values(s, lines, n_lines, vals, scratch, cause);

	for (size_t i = 0; r == 0 && i < n_lines; i++) {
		struct block *b = out[job_of(s, vals[i].s, vals[i].len, n)]
					  ->blk;
		memcpy(b->data + b->len, lines[i].s, lines[i].len);
		b->len += lines[i].len;
	}
	free(lines);
	free(vals);
	return r;
}

/* chunk_split() by a column's value alone. */
static void split_by_column(const struct chunk *c,
			    const struct chunk_split *s, size_t n,
			    struct chunk **out, struct buf *scratch)
{
	const char *p = c->body;
	const char *end = c->body + c->body_len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		size_t text = nl ? len - 1 : len;
		const char *v;
		size_t vlen;
		column_of(s, p, text, scratch, &v, &vlen);
		struct block *b = out[job_of(s, v, vlen, n)]->blk;
		memcpy(b->data + b->len, p, len);
		b->len += len;
		p += len;
	}
}

int chunk_split(const struct chunk *c, const struct chunk_split *s,
		size_t n, struct chunk **out, char **cause)
{
	struct buf scratch;
	int r = 0;

	buf_init(&scratch);
	for (size_t i = 0; i < n; i++) {
		out[i] = chunk_empty();
		out[i]->seq = c->seq;
		out[i]->blk = block_new(c->body_len);
		out[i]->body = out[i]->blk->data;
	}
	if (s->perl) {
		r = split_by_perl(c, s, n, out, &scratch, cause);
	} else {
		split_by_column(c, s, n, out, &scratch);
	}
	buf_finish(&scratch);
	for (size_t i = 0; i < n; i++) {
		out[i]->body_len = out[i]->blk->len;
		if (r < 0) {
			chunk_release(out[i]);
			out[i] = NULL;
		}
	}
	return r;
}

char *chunk_unescape(const char *s, size_t *len)
{
	struct buf b;

	buf_init(&b);
	buf_reserve(&b, strlen(s) + 1);
	for (; *s; s++) {
		char c = *s;
		if (c == '\\' && s[1] && strchr("0rnt'\"\\", s[1])) {
			s++;
			c = *s == '0'   ? '\0'
			    : *s == 'r' ? '\r'
			    : *s == 'n' ? '\n'
			    : *s == 't' ? '\t'
					: *s;
		}
		buf_addc(&b, c);
	}
	*len = b.len;
	buf_addc(&b, '\0');
	return buf_steal(&b);
}

struct chunk_reader {
	struct chunk_config cfg;
	uv_loop_t *loop;
	chunk_wake_fn wake;
	void *data;
	int fd;                /* stdin, or the --pipepart file (owned) */
	char *sep;             /* owned; recend then recstart */
	size_t sep_len;
	size_t blocksize;      /* grows past a record longer than it */
	struct block *head;    /* --header's bytes, or NULL */
	struct rx *header_rx;  /* --header REGEX, or NULL */
	size_t header_lines;   /* --header N or ":" */

	/* --regexp (all NULL without it) */
	struct rx *rx_last;    /* --block: the last recend+recstart */
	struct rx *rx_start;   /* -N: a recstart at the start (no /m) */
	struct rx *rx_begin;   /* -N: a recstart where a record begins */
	struct rx *rx_end;     /* -N: the next recend followed by recstart */
	struct rx *rx_sep;     /* --rrs: recend+recstart, anywhere */
	struct rx *rx_lead;    /* --rrs: recstart at the start */
	struct rx *rx_trail;   /* --rrs: recend at the end */
	struct rx *rx_split;   /* --pipepart: the last recend+recstart */
	bool garbage_done;     /* -N: the data before the first recstart */
	size_t memo_pos;       /* -N: next_end() at this pos, while buf is */
	size_t memo_end;       /* unchanged (SIZE_MAX: none) */

	/* stdin */
	struct block *buf;     /* the round's bytes */
	size_t pos;            /* where the bytes not yet given out start */
	size_t target;         /* a read fills buf up to this */
	uv_work_t work;
	bool reading;          /* a read is on the thread pool */
	int read_err;          /* its errno, or 0 */
	bool eof;              /* stdin ended */
	bool first_line_done;  /* --skip-first-line */
	bool header_done;
	bool topping_up;       /* the preamble is taken: fill the block */
	bool round_cut;        /* --block and -L cut once per round */
	size_t round_chunks;   /* chunks cut in this round */
	bool waiting;          /* chunk_next() said CHUNK_WAIT */
	bool stopped;
	bool ended;            /* the last chunk is out */
	char *error;           /* owned; a read failed */

	/* --group-by on stdin: the input as GNU parallel's perl filter
	   gives it on, with a mark (random) at the start of each group */
	char mark[GROUP_MARK_LEN]; /* the records' recstart */
	struct buf raw;        /* read, not yet marked: a partial line */
	struct buf marked;     /* marked, not yet in buf */
	size_t marked_pos;
	struct buf last;       /* the group's value; first the mark */
	struct buf scratch;
	bool raw_eof;
	bool header_raw;       /* by column name: line 1 is the header */
	char *group_err;       /* owned; set on the thread pool */

	/* --pipepart */
	off_t *splits;         /* owned; range i is [splits[i], splits[i+1]) */
	size_t n_splits;
	size_t next_split;

	uint64_t seq;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/*
 * -r with --pipe: removes lines of only white space, as GNU parallel's
 * s/^\s*\n//gm does.  A last line without its newline stays.
 */
static void drop_blank_lines(struct block *b, size_t from)
{
	size_t out = from;
	size_t i = from;

	while (i < b->len) {
		const char *nl = memchr(b->data + i, '\n', b->len - i);
		size_t end = nl ? (size_t)(nl - b->data) + 1 : b->len;
		bool blank = nl != NULL;
		for (size_t k = i; blank && k < end; k++) {
			blank = is_space(b->data[k]);
		}
		if (!blank) {
			memmove(b->data + out, b->data + i, end - i);
			out += end - i;
		}
		i = end;
	}
	b->len = out;
}

/* The start of the n-th line after p[0..len) begins, or -1. */
static ssize_t after_lines(const char *p, size_t len, size_t n)
{
	size_t at = 0;

	for (size_t i = 0; i < n; i++) {
		const char *nl = memchr(p + at, '\n', len - at);
		if (!nl) {
			return -1;
		}
		at = (size_t)(nl - p) + 1;
	}
	return (ssize_t)at;
}

/*
 * Searches p[0..len) from at with rx: 1 with group n's bounds in *so and
 * *eo, 0 for no match, or -1 when PCRE2 gave up (the error is kept for
 * chunk_next() to report; the first one only).
 */
static int search_at(struct chunk_reader *r, struct rx *rx, const char *p,
		     size_t len, size_t at, unsigned n, size_t *so,
		     size_t *eo)
{
	char *cause = NULL;
	int k = rx_search(rx, p, len, at, n, so, eo, &cause);

	if (k < 0 && r->error) {
		free(cause);
	} else if (k < 0) {
		r->error = cause;
	}
	return k;
}

/* search_at() from the start. */
static int search(struct chunk_reader *r, struct rx *rx, const char *p,
		  size_t len, unsigned n, size_t *so, size_t *eo)
{
	return search_at(r, rx, p, len, 0, n, so, eo);
}

/*
 * --header at the start of p[0..len): its length, 0 if there is none, or
 * -1 if more input might still make it match.
 */
static ssize_t header_len(struct chunk_reader *r, const char *p, size_t len,
			  bool eof)
{
	if (!r->header_rx) {
		ssize_t n = after_lines(p, len, r->header_lines);
		return n >= 0 ? n : eof ? 0 : -1;
	}
	/* As GNU parallel's s/^(REGEX)//: a match, even an empty one, is
	   the header. */
	size_t so, eo;
	int k = search(r, r->header_rx, p, len, 1, &so, &eo);
	return k > 0 ? (ssize_t)eo : eof || k < 0 ? 0 : -1;
}

/* The last occurrence of needle in p[0..len), or NULL. */
static const char *last_of(const char *p, size_t len, const char *needle,
			   size_t n)
{
	if (n == 0) {
		return p + len;
	}
	if (n == 1) {
		return memrchr(p, needle[0], len);
	}
	for (size_t i = len >= n ? len - n + 1 : 0; i-- > 0;) {
		const char *at = memrchr(p, needle[0], i + 1);
		if (!at) {
			return NULL;
		}
		i = (size_t)(at - p);
		if (memcmp(at, needle, n) == 0) {
			return at;
		}
	}
	return NULL;
}

/*
 * next_end() with --regexp, on p[0..len) (buf from pos): GNU parallel's
 * pass_regexp() for --block (the last recend+recstart; once a round, never
 * at the end of input) and pass_n_regexps() for -N (N records, each
 * recstart to recend, followed by a recstart).  Data before the first
 * recstart goes alone as a record of its own first.
 */
static size_t next_end_rx(struct chunk_reader *r, const char *p, size_t len)
{
	size_t so, eo;

	if (r->cfg.records == 0) {
		if (r->eof || r->round_cut) {
			return 0;
		}
		int k = search(r, r->rx_last, p, len, 1, &so, &eo);
		return k > 0 && eo > 0 ? r->pos + eo : 0;
	}
	/* chunk_next() asks twice for each chunk: match once. */
	if (r->memo_pos == r->pos) {
		return r->memo_end;
	}
	size_t end = 0;
	if (!r->garbage_done) {
		/*
		 * GNU parallel looks for this in its first round only, and
		 * if that round has no record end, cuts later chunks at the
		 * length of a match further on, mid-record.  Looking until
		 * the data is found keeps records whole.
		 */
		int k = search(r, r->rx_start, p, len, 0, &so, &eo);
		if (k == 0) {
			k = search(r, r->rx_end, p, len, 0, &so, &eo);
			end = k > 0 ? eo : 0;
		}
		r->garbage_done = k != 0;
	}
	/*
	 * GNU parallel matches N records at once: (?:S(?:(?!RS).)*?R){N}
	 * followed by S.  PCRE2 cannot: a repeat that large is too large a
	 * pattern, and a lazy repeat of a group needs stack for every byte
	 * of a record.  The same end is found record by record: each is S,
	 * then up to the first place where R followed by S matches.
	 */
	size_t want = (size_t)r->cfg.records *
		      (size_t)(r->cfg.lines > 0 ? r->cfg.lines : 1);
	for (size_t k = 0, at = 0; r->garbage_done && end == 0 && k < want;
	     k++) {
		if (search_at(r, r->rx_begin, p, len, at, 0, &so, &eo) <= 0 ||
		    search_at(r, r->rx_end, p, len, eo, 0, &so, &eo) <= 0) {
			break;
		}
		at = eo;
		end = k + 1 == want ? at : 0;
	}
	r->memo_pos = r->pos;
	r->memo_end = end > 0 ? r->pos + end : 0;
	return r->memo_end;
}

/*
 * Where the next chunk of the round ends, in buf from pos, by GNU
 * parallel's rules: pass() for --block (the last record end; once a
 * round, never at the end of input), pass_n() for -N (the N-th record
 * end, searched from the second byte on, as its nindex() does) and
 * pass_n_line_records() for -L (whole groups of L lines, once a round).
 * Returns the end, or 0 if the round has no further chunk.
 */
static size_t next_end(struct chunk_reader *r)
{
	const char *p = r->buf->data + r->pos;
	size_t len = r->buf->len - r->pos;

	if (len == 0) {
		return 0;
	}
	if (r->cfg.lines > 0 && r->cfg.records == 0) {
		if (r->round_cut) {
			return 0;
		}
		size_t lines = 0;
		for (const char *q = p; (q = memchr(q, '\n', p + len - q));
		     q++) {
			lines++;
		}
		lines -= lines % (size_t)r->cfg.lines;
		ssize_t end = lines ? after_lines(p, len, lines) : 0;
		return end > 0 ? r->pos + (size_t)end : 0;
	}
	if (r->cfg.regexp) {
		return next_end_rx(r, p, len);
	}
	if (r->cfg.records > 0) {
		size_t want = (size_t)r->cfg.records *
			      (size_t)(r->cfg.lines > 0 ? r->cfg.lines : 1);
		ssize_t i = 0;
		for (size_t k = 0; k < want; k++) {
			size_t from = (size_t)i + 1;
			const char *at =
				from > len ? NULL
					   : memmem(p + from, len - from, r->sep,
						    r->sep_len);
			if (!at) {
				return 0;
			}
			i = at - p;
		}
		return r->pos + (size_t)i + r->cfg.recend_len;
	}
	if (r->eof || r->round_cut) {
		return 0;
	}
	const char *at = last_of(p, len, r->sep, r->sep_len);
	if (!at) {
		return 0;
	}
	size_t end = (size_t)(at - p) + r->cfg.recend_len;
	return end > 0 ? r->pos + end : 0;
}

static struct chunk *chunk_new(struct chunk_reader *r)
{
	struct chunk *c = xcalloc(1, sizeof(*c));

	c->refs = 1;
	c->seq = ++r->seq;
	c->head = block_ref(r->head);
	c->file_fd = -1;
	return c;
}

/*
 * --rrs: the chunk without its record separators, as GNU parallel's
 * remove_rec_sep(): each recend+recstart inside it, a recstart at its start
 * and a recend at its end.
 */
static void remove_separators(struct chunk_reader *r, struct chunk *c)
{
	const struct chunk_config *g = &r->cfg;
	const char *p = c->body;
	size_t len = c->body_len;
	struct block *b = block_new(len);

	if (g->recstart_len && len >= g->recstart_len &&
	    memcmp(p, g->recstart, g->recstart_len) == 0) {
		p += g->recstart_len;
		len -= g->recstart_len;
	}
	if (g->recend_len && len >= g->recend_len &&
	    memcmp(p + len - g->recend_len, g->recend, g->recend_len) == 0) {
		len -= g->recend_len;
	}
	while (len > 0) {
		const char *at = r->sep_len ? memmem(p, len, r->sep,
						     r->sep_len)
					    : NULL;
		size_t n = at ? (size_t)(at - p) : len;
		memcpy(b->data + b->len, p, n);
		b->len += n;
		if (!at) {
			break;
		}
		p += n + r->sep_len;
		len -= n + r->sep_len;
	}
	block_unref(c->blk);
	c->blk = b;
	c->body = b->data;
	c->body_len = b->len;
}

/* Takes b->data[so..eo) out of b. */
static void block_remove(struct block *b, size_t so, size_t eo)
{
	memmove(b->data + so, b->data + eo, b->len - eo);
	b->len -= eo - so;
}

/*
 * --rrs with --regexp, as GNU parallel's remove_rec_sep(): s/RS//gm, then
 * s/^S//s and s/R$//s, in that order.
 */
static void remove_separators_rx(struct chunk_reader *r, struct chunk *c)
{
	struct block *b = block_new(c->body_len);
	char *cause = NULL;
	size_t so, eo;

	/* Perl matches the text as it was, not as the removals leave it. */
	if (rx_remove_all(r->rx_sep, c->body, c->body_len, b->data, &b->len,
			  &cause) < 0) {
		if (r->error) {
			free(cause);
		} else {
			r->error = cause;
		}
		memcpy(b->data, c->body, c->body_len);
		b->len = c->body_len;
	}
	if (search(r, r->rx_lead, b->data, b->len, 0, &so, &eo) > 0) {
		block_remove(b, so, eo);
	}
	if (search(r, r->rx_trail, b->data, b->len, 0, &so, &eo) > 0) {
		block_remove(b, so, eo);
	}
	block_unref(c->blk);
	c->blk = b;
	c->body = b->data;
	c->body_len = b->len;
}

/* The chunk buf[pos..end). */
static struct chunk *cut(struct chunk_reader *r, size_t end)
{
	struct chunk *c = chunk_new(r);

	c->blk = block_ref(r->buf);
	c->body = r->buf->data + r->pos;
	c->body_len = end - r->pos;
	r->pos = end;
	r->round_chunks++;
	if (r->cfg.records == 0) {
		r->round_cut = true;
	}
	if (r->cfg.remove_sep && r->cfg.regexp) {
		remove_separators_rx(r, c);
	} else if (r->cfg.remove_sep) {
		remove_separators(r, c);
	}
	return c;
}

/*
 * --group-by: marks the whole lines of r->raw (all of it at its end), as
 * GNU parallel's perl filter does: the mark goes before each line whose
 * value differs from the line before (and the first).  The marked lines
 * go to r->marked.  Returns 0, or -1 with r->group_err.
 */
static int group_mark(struct chunk_reader *r)
{
	struct chunk_split *g = r->cfg.group;
	size_t end = r->raw.len;

	if (!r->raw_eof) {
		const char *nl = memrchr(r->raw.data, '\n', r->raw.len);
		end = nl ? (size_t)(nl - r->raw.data) + 1 : 0;
	}
	size_t n, from = 0;
	struct value *lines = lines_of(r->raw.data, end, &n);
	if (r->header_raw && n > 0) {
		/* By name: the header names the columns, and is no group. */
		r->header_raw = false;
		buf_add(&r->marked, lines[0].s, lines[0].len);
		from = 1;
		if (find_column(g, lines[0].s, lines[0].len,
				&r->group_err) < 0) {
			free(lines);
			return -1;
		}
	}
	struct value *vals = xreallocarray(NULL, n + 1, sizeof(*vals));
	if (key_values(g, lines + from, n - from, vals, &r->scratch,
		       &r->group_err) < 0) {
		free(lines);
		free(vals);
		return -1;
	}
	for (size_t i = from; i < n; i++) {
		const struct value *v = &vals[i - from];
		if (v->len != r->last.len ||
		    memcmp(v->s, r->last.data, v->len) != 0) {
			buf_add(&r->marked, r->mark, GROUP_MARK_LEN);
			r->last.len = 0;
			buf_add(&r->last, v->s, v->len);
		}
		buf_add(&r->marked, lines[i].s, lines[i].len);
	}
	free(lines);
	free(vals);
	memmove(r->raw.data, r->raw.data + end, r->raw.len - end);
	r->raw.len -= end;
	return 0;
}

/*
 * --group-by: reads more of stdin and marks its whole lines into
 * r->marked (emptied first: all of it was given out).  Returns 0, or -1
 * with r->read_err or r->group_err.
 */
static int group_read(struct chunk_reader *r)
{
	r->marked.len = 0;
	r->marked_pos = 0;
	buf_reserve(&r->raw, GROUP_READ);
	ssize_t n = read(r->fd, r->raw.data + r->raw.len, GROUP_READ);
	if (n < 0 && errno == EINTR) {
		return 0;
	}
	if (n < 0) {
		r->read_err = errno;
		return -1;
	}
	r->raw.len += (size_t)n;
	r->raw_eof = n == 0;
	return group_mark(r);
}

static void read_work(uv_work_t *w)
{
	struct chunk_reader *r = w->data;
	struct block *b = r->buf;

	uint64_t deadline = r->cfg.block_timeout_ms
				    ? now_ns() + r->cfg.block_timeout_ms * 1000000
				    : 0;
	while (b->len < r->target) {
		if (r->cfg.group && r->marked_pos < r->marked.len) {
			size_t n = r->marked.len - r->marked_pos;
			if (n > r->target - b->len) {
				n = r->target - b->len;
			}
			memcpy(b->data + b->len, r->marked.data + r->marked_pos,
			       n);
			b->len += n;
			r->marked_pos += n;
			continue;
		}
		if (r->cfg.group && r->raw_eof) {
			r->eof = true;
			break;
		}
		if (deadline) {
			/* --block-timeout: pass on what came in time. */
			uint64_t now = now_ns();
			struct pollfd p = {.fd = r->fd, .events = POLLIN};
			int ms = now < deadline
					 ? (int)((deadline - now + 999999) / 1000000)
					 : 0;
			int k = poll(&p, 1, ms);
			if (k < 0 && errno == EINTR) {
				continue;
			}
			if (k == 0) {
				break;
			}
		}
		if (r->cfg.group) {
			if (group_read(r) < 0) {
				break;
			}
			continue;
		}
		ssize_t n = read(r->fd, b->data + b->len, r->target - b->len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			r->read_err = errno;
			break;
		}
		if (n == 0) {
			r->eof = true;
			break;
		}
		b->len += (size_t)n;
	}
}

static void after_read(uv_work_t *w, int status);

/*
 * Starts the next round: the bytes not given out move to a new block,
 * which a read on the thread pool tops up to a multiple of the block size
 * (or by one more block, while --header is still looked for).
 */
static void start_read(struct chunk_reader *r, bool more)
{
	size_t left = r->buf ? r->buf->len - r->pos : 0;
	size_t bs = r->blocksize;
	size_t target = more ? left + bs : left + (bs - left % bs);
	struct block *b = block_new(target);

	if (left) {
		memcpy(b->data, r->buf->data + r->pos, left);
	}
	b->len = left;
	block_unref(r->buf);
	r->buf = b;
	r->pos = 0;
	r->target = target;
	r->round_cut = false;
	r->round_chunks = 0;
	r->memo_pos = SIZE_MAX;
	r->reading = true;
	r->work.data = r;
	uv_queue_work(r->loop, &r->work, read_work, after_read);
}

/* --skip-first-line and --header, at the start of stdin. */
static bool take_preamble(struct chunk_reader *r)
{
	struct block *b = r->buf;

	if (!r->first_line_done) {
		const char *nl = memchr(b->data, '\n', b->len);
		if (!nl && !r->eof) {
			b->len = 0; /* all of it belongs to the first line */
			return false;
		}
		size_t n = nl ? (size_t)(nl - b->data) + 1 : b->len;
		memmove(b->data, b->data + n, b->len - n);
		b->len -= n;
		r->first_line_done = true;
		r->topping_up = true;
	}
	if (!r->header_done) {
		ssize_t n = header_len(r, b->data, b->len, r->eof);
		if (n < 0) {
			return false;
		}
		if (n > 0) {
			/* --group-by: GNU parallel's header keeps its random
			   mark; without it the jobs see the input's. */
			size_t m = r->cfg.group && (size_t)n >= GROUP_MARK_LEN &&
					   memcmp(b->data, r->mark,
						  GROUP_MARK_LEN) == 0
					   ? GROUP_MARK_LEN : 0;
			r->head = block_copy(b->data + m, (size_t)n - m);
			memmove(b->data, b->data + n, b->len - (size_t)n);
			b->len -= (size_t)n;
		}
		r->header_done = true;
		r->topping_up = true;
	}
	return true;
}

static void after_read(uv_work_t *w, int status)
{
	struct chunk_reader *r = w->data;

	(void)status;
	r->reading = false;
	r->memo_pos = SIZE_MAX;
	if (r->group_err) {
		r->error = r->group_err;
		r->group_err = NULL;
	} else if (r->read_err) {
		if (!r->error) {
			r->error = xasprintf("cannot read standard input: %s",
					     strerror(r->read_err));
		}
	} else if (!take_preamble(r)) {
		start_read(r, true);
		return;
	} else if (r->topping_up && !r->eof) {
		/* As GNU parallel: the header is not part of the block. */
		r->topping_up = false;
		start_read(r, false);
		return;
	} else if (r->cfg.skip_empty) {
		drop_blank_lines(r->buf, 0);
	}
	if (r->waiting) {
		r->waiting = false;
		r->wake(r->data);
	}
}

/* GNU parallel's increase_blocksize_maybe(). */
static void grow_block(struct chunk_reader *r)
{
	size_t old = r->blocksize;

	if (old >= BLOCK_MAX) {
		return;
	}
	double grown = ceil((double)old * 1.3 + 1);
	r->blocksize = grown > (double)BLOCK_MAX ? BLOCK_MAX : (size_t)grown;
	warn("a record is longer than %zu bytes: --block is now %zu", old,
	     r->blocksize);
}

static int next_from_stdin(struct chunk_reader *r, struct chunk **out,
			   char **cause)
{
	for (;;) {
		if (r->error) {
			*cause = r->error;
			r->error = NULL;
			r->ended = true;
			return CHUNK_ERROR;
		}
		if (r->reading) {
			r->waiting = true;
			return CHUNK_WAIT;
		}
		size_t end = next_end(r);
		if (r->error) {
			continue; /* a regex match failed */
		}
		if (end) {
			*out = cut(r, end);
			return CHUNK_READY;
		}
		if (r->eof) {
			/* What is left goes as it is: a last partial record. */
			r->ended = true;
			if (r->pos == r->buf->len) {
				return CHUNK_END;
			}
			*out = cut(r, r->buf->len);
			return CHUNK_READY;
		}
		if (r->round_chunks == 0 && !r->cfg.block_timeout_ms) {
			grow_block(r);
		}
		start_read(r, false);
	}
}

int chunk_next(struct chunk_reader *r, struct chunk **out, char **cause)
{
	if (r->stopped || r->ended) {
		return CHUNK_END;
	}
	if (r->splits) {
		if (r->next_split + 1 >= r->n_splits) {
			r->ended = true;
			return CHUNK_END;
		}
		struct chunk *c = chunk_new(r);
		c->file_fd = r->fd;
		c->file_off = r->splits[r->next_split];
		c->body_len = (size_t)(r->splits[r->next_split + 1] -
				       c->file_off);
		r->next_split++;
		*out = c;
		return CHUNK_READY;
	}
	if (!r->buf) {
		start_read(r, false); /* the first read: only when needed */
	}
	int ret = next_from_stdin(r, out, cause);
	if (ret == CHUNK_READY && !r->ended && !r->reading && !r->eof &&
	    next_end(r) == 0 && !r->error) {
		/* The round is out: read the next one while the jobs run. */
		start_read(r, false);
	}
	return ret;
}

void chunk_reader_stop(struct chunk_reader *r)
{
	r->stopped = true;
}

/* pread() of up to n bytes at off, whole unless the file ends. */
static ssize_t pread_full(int fd, char *p, size_t n, off_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = pread(fd, p + got, n - got, off + (off_t)got);
		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k < 0) {
			return -1;
		}
		if (k == 0) {
			break;
		}
		got += (size_t)k;
	}
	return (ssize_t)got;
}

/*
 * --pipepart --regexp: the split point after pos, as GNU parallel finds
 * it: the last recend+recstart in the first 128 KiB after pos that hold
 * one (growing by 128 KiB until one does).  Returns it, -1 if there is
 * none up to the end of the file, or -2 with *cause.
 */
static off_t split_rx(struct chunk_reader *r, off_t pos, char **cause)
{
	char *win = NULL;
	size_t have = 0;
	off_t at = -1;

	for (;;) {
		win = xrealloc(win, have + SCAN_SIZE);
		ssize_t n = pread_full(r->fd, win + have, SCAN_SIZE,
				       pos + (off_t)have);
		if (n < 0) {
			*cause = xasprintf("cannot read %s: %s", r->cfg.path,
					   strerror(errno));
			at = -2;
			break;
		}
		if (n == 0) {
			break;
		}
		have += (size_t)n;
		size_t so, eo;
		int k = search(r, r->rx_split, win, have, 1, &so, &eo);
		if (k < 0) {
			*cause = r->error;
			r->error = NULL;
			at = -2;
			break;
		}
		if (k > 0) {
			at = pos + (off_t)eo;
			break;
		}
	}
	free(win);
	return at;
}

/*
 * --pipepart: the split points of the file, as GNU parallel's
 * find_split_positions(): from each multiple of the block size on, the
 * first recend+recstart ends a range.
 */
static int find_splits(struct chunk_reader *r, off_t size, off_t skip,
		       char **cause)
{
	size_t cap = 16;
	char *scan = xmalloc(SCAN_SIZE + r->sep_len);

	r->splits = xmalloc(cap * sizeof(*r->splits));
	r->splits[r->n_splits++] = skip;
	for (off_t pos = skip + (off_t)r->blocksize; pos < size;
	     pos += (off_t)r->blocksize) {
		off_t at = pos;
		if (r->rx_split) {
			at = split_rx(r, pos, cause);
			if (at == -2) {
				free(scan);
				return -1;
			}
			if (at < 0) {
				continue; /* GNU parallel tries the next block */
			}
			pos = at;
		} else if (r->sep_len > 0) {
			/* Look for the separator in overlapping windows. */
			off_t from = pos;
			at = -1;
			for (;;) {
				ssize_t n = pread_full(r->fd, scan,
						       SCAN_SIZE + r->sep_len,
						       from);
				if (n < 0) {
					*cause = xasprintf(
						"cannot read %s: %s",
						r->cfg.path, strerror(errno));
					free(scan);
					return -1;
				}
				const char *f = memmem(scan, (size_t)n, r->sep,
						       r->sep_len);
				if (f) {
					at = from + (f - scan) +
					     (off_t)r->cfg.recend_len;
					break;
				}
				if ((size_t)n < SCAN_SIZE + r->sep_len) {
					break;
				}
				from += SCAN_SIZE;
			}
			if (at < 0) {
				break;
			}
			pos = at;
		}
		if (r->n_splits == cap) {
			cap *= 2;
			r->splits = xreallocarray(r->splits, cap,
						  sizeof(*r->splits));
		}
		r->splits[r->n_splits++] = at;
	}
	free(scan);
	if (r->splits[r->n_splits - 1] != size) {
		if (r->n_splits == cap) {
			r->splits = xreallocarray(r->splits, cap + 1,
						  sizeof(*r->splits));
		}
		r->splits[r->n_splits++] = size;
	}
	return 0;
}

/*
 * The line of the --pipepart file from byte off on (its rest, if off is
 * inside it), with its newline, into line (if not NULL).  Returns where
 * it ends, or -1 with *cause.
 */
static off_t read_line(struct chunk_reader *r, off_t off, struct buf *line,
		       char **cause)
{
	char scan[4096];

	for (;;) {
		ssize_t n = pread_full(r->fd, scan, sizeof(scan), off);
		if (n < 0) {
			*cause = xasprintf("cannot read %s: %s", r->cfg.path,
					   strerror(errno));
			return -1;
		}
		const char *nl = memchr(scan, '\n', (size_t)n);
		size_t k = nl ? (size_t)(nl - scan) + 1 : (size_t)n;
		if (line) {
			buf_add(line, scan, k);
		}
		off += (off_t)k;
		if (nl || n == 0) {
			return off;
		}
	}
}

/*
 * --pipepart --group-by: the line after the one that byte pos-1 is in, as
 * GNU parallel's value_at(): its start in *at and its value in *val ("" at
 * the end of the file); *eof if the file ends with it.  Returns 0, or -1
 * with *cause.
 */
static int value_at(struct chunk_reader *r, off_t size, off_t pos,
		    struct buf *val, off_t *at, bool *eof, char **cause)
{
	off_t off = pos;

	val->len = 0;
	*eof = true;
	if (pos > size) {
		*at = pos - 1; /* where perl's seek() left it */
		return 0;
	}
	if (pos != 0 && (off = read_line(r, pos - 1, NULL, cause)) < 0) {
		return -1;
	}
	*at = off;
	r->raw.len = 0;
	if (off >= size || (off = read_line(r, off, &r->raw, cause)) < 0) {
		return off < 0 ? -1 : 0;
	}
	struct value line = {r->raw.data, r->raw.len}, v;
	if (key_values(r->cfg.group, &line, 1, &v, &r->scratch, cause) < 0) {
		return -1;
	}
	buf_add(val, v.s, v.len);
	*eof = off >= size;
	return 0;
}

/* True if a and b hold the same bytes. */
static bool same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/*
 * --pipepart --group-by: GNU parallel's binary_search_end() (the end of
 * group s, after spos and no later than epos) and binary_search_start()
 * (end false: the start of s, which epos is in): the last line looked at
 * is v at *vpos.
 */
static int group_search(struct chunk_reader *r, off_t size, bool end,
			const struct buf *s, off_t spos, off_t epos,
			struct buf *v, off_t *vpos, char **cause)
{
	off_t dif = epos - spos;
	bool eof;

	v->len = 0;
	*vpos = spos;
	while (dif) {
		if (value_at(r, size, spos + dif, v, vpos, &eof, cause) < 0) {
			return -1;
		}
		if (same(v, s) == end) {
			spos = *vpos;
			dif = epos - spos;
		} else {
			epos = *vpos;
		}
		dif /= 2;
	}
	return 0;
}

/* Appends a split point. */
static void add_split(struct chunk_reader *r, size_t *cap, off_t at)
{
	if (r->n_splits == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		r->splits = xreallocarray(r->splits, *cap, sizeof(*r->splits));
	}
	r->splits[r->n_splits++] = at;
}

/*
 * --pipepart --group-by: the ranges, as GNU parallel's
 * split_positions_for_group_by(): from a block on, the next place the
 * value changes, found by a binary search.
 */
static int find_group_splits(struct chunk_reader *r, off_t size, off_t skip,
			     char **cause)
{
	struct buf a, b, c;
	off_t apos, bpos, cpos;
	off_t block = (off_t)r->blocksize;
	size_t cap = 0;
	bool eof;
	int ret = -1;

	buf_init(&a);
	buf_init(&b);
	buf_init(&c);
	if (value_at(r, size, skip, &a, &apos, &eof, cause) < 0) {
		goto out;
	}
	while (apos < size) {
		add_split(r, &cap, apos);
		if (value_at(r, size, apos + block, &b, &bpos, &eof,
			     cause) < 0) {
			goto out;
		}
		if (eof) {
			break;
		}
		cpos = bpos + block;
		if (value_at(r, size, cpos, &c, &cpos, &eof, cause) < 0) {
			goto out;
		}
		bool to_end = true;
		off_t from = bpos;
		if (same(&a, &b)) {
			while (same(&b, &c)) {
				/* Blocks on until a == b != c. */
				bpos = cpos;
				if (value_at(r, size, cpos + block, &c, &cpos,
					     &eof, cause) < 0) {
					goto out;
				}
				if (cpos >= size) {
					cpos = size;
					break;
				}
			}
			from = bpos;
		} else if (same(&b, &c)) {
			to_end = false;
			from = apos;
			cpos = bpos;
		}
		struct buf s = b;
		buf_init(&b);
		int e = group_search(r, size, to_end, &s, from, cpos, &b,
				     &bpos, cause);
		buf_finish(&s);
		if (e < 0) {
			goto out;
		}
		if (bpos <= apos) {
			break; /* no progress: GNU parallel would loop */
		}
		struct buf t = a;
		a = b;
		b = t;
		apos = bpos;
	}
	if (r->n_splits == 0 || r->splits[r->n_splits - 1] != size) {
		add_split(r, &cap, size);
	}
	ret = 0;
out:
	buf_finish(&a);
	buf_finish(&b);
	buf_finish(&c);
	return ret;
}

/* --pipepart: opens the file and finds its ranges. */
static int open_part_file(struct chunk_reader *r, char **cause)
{
	const char *path = r->cfg.path;
	struct stat st;

	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0 || fstat(r->fd, &st) < 0) {
		*cause = xasprintf("cannot open %s: %s", path,
				   strerror(errno));
		return -1;
	}
	off_t size = st.st_size;
	if (S_ISBLK(st.st_mode)) {
		size = lseek(r->fd, 0, SEEK_END);
	} else if (!S_ISREG(st.st_mode) || lseek(r->fd, 0, SEEK_SET) < 0) {
		*cause = xasprintf("--pipepart only works on seekable files, "
				   "not streams or pipes: %s", path);
		return -1;
	}
	if (r->cfg.block_parts > 0) {
		/* GNU parallel: size / job slots / N, plus one. */
		r->blocksize = 1 + (size_t)(size / r->cfg.slots /
					    r->cfg.block_parts);
	}
	/*
	 * The first line (--skip-first-line) and --header, from the start:
	 * read as far as they need, no further.
	 */
	size_t skip = 0;
	char *p = NULL;
	for (size_t peek = SCAN_SIZE;
	     r->cfg.skip_first_line || r->cfg.header; peek *= 2) {
		p = xrealloc(p, peek);
		ssize_t n = pread_full(r->fd, p, peek, 0);
		if (n < 0) {
			*cause = xasprintf("cannot read %s: %s", path,
					   strerror(errno));
			free(p);
			return -1;
		}
		bool eof = (size_t)n < peek;
		const char *nl = memchr(p, '\n', (size_t)n);
		if (r->cfg.skip_first_line && !nl && !eof) {
			continue;
		}
		skip = !r->cfg.skip_first_line ? 0
		       : nl ? (size_t)(nl - p) + 1 : (size_t)n;
		ssize_t h = r->cfg.header ? header_len(r, p + skip,
						       (size_t)n - skip, eof)
					  : 0;
		if (h < 0) {
			continue;
		}
		if (h > 0) {
			r->head = block_copy(p + skip, (size_t)h);
			skip += (size_t)h;
		}
		break;
	}
	free(p);
	if (r->cfg.group) {
		return find_group_splits(r, size, (off_t)skip, cause);
	}
	return find_splits(r, size, (off_t)skip, cause);
}

/*
 * Compiles --colsep for --shard and --bin as GNU parallel's (Perl's)
 * would read it, as far as POSIX EREs go: \n and \t, which they lack,
 * become their bytes.  Returns 0 or regcomp()'s error.
 */
static int compile_re(regex_t *re, const char *text)
{
	struct buf b;

	buf_init(&b);
	for (const char *p = text; *p; p++) {
		if (p[0] == '\\' && (p[1] == 'n' || p[1] == 't')) {
			buf_addc(&b, *++p == 'n' ? '\n' : '\t');
		} else {
			buf_addc(&b, *p);
			if (p[0] == '\\' && p[1]) {
				buf_addc(&b, *++p);
			}
		}
	}
	buf_addc(&b, '\0');
	int e = regcomp(re, b.data, REG_EXTENDED | REG_NEWLINE);
	buf_finish(&b);
	return e;
}

/* --header: ":" is one line, a number that many lines, else a regex. */
static int parse_header(struct chunk_reader *r, char **cause)
{
	const char *h = r->cfg.header;
	long n;

	if (strcmp(h, ":") == 0) {
		r->header_lines = 1;
		return 0;
	}
	if (parse_long(h, 1, 1L << 30, &n) == 0) {
		r->header_lines = (size_t)n;
		return 0;
	}
	/* GNU parallel's s/^(REGEX)//: checked alone first, so that an
	   error's offset is the user's. */
	char *msg = NULL;
	struct rx *alone = rx_compile(h, 0, &msg);
	char *pattern = xasprintf("^(%s)", h);
	r->header_rx = alone ? rx_compile(pattern, 0, &msg) : NULL;
	rx_free(alone);
	free(pattern);
	if (!r->header_rx) {
		*cause = xasprintf("bad --header regex '%s': %s", h, msg);
		free(msg);
		return -1;
	}
	return 0;
}

/*
 * --group-by on stdin: each group is a record that starts with a mark,
 * which --rrs takes away again (GNU parallel's pipe_group_by_setup()).
 */
static void group_init(struct chunk_reader *r)
{
	static const char alnum[] = "0123456789abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	unsigned char rnd[GROUP_MARK_LEN];

	if (getentropy(rnd, sizeof(rnd)) < 0) {
		uint64_t seed = now_ns() ^ (uint64_t)getpid();
		for (size_t i = 0; i < sizeof(rnd); i++) {
			seed = seed * 6364136223846793005ull + 1;
			rnd[i] = (unsigned char)(seed >> 33);
		}
	}
	for (size_t i = 0; i < GROUP_MARK_LEN; i++) {
		r->mark[i] = alnum[rnd[i] % 62];
	}
	r->cfg.recstart = r->mark;
	r->cfg.recstart_len = GROUP_MARK_LEN;
	r->cfg.recend = "";
	r->cfg.recend_len = 0;
	r->cfg.remove_sep = true;
	r->header_raw = r->cfg.group->name != NULL;
	buf_add(&r->last, r->mark, GROUP_MARK_LEN);
}

/* A regex to compile into *rx. */
struct pattern {
	struct rx **rx;
	unsigned flags;
	char *text; /* owned */
};

/*
 * --regexp: compiles GNU parallel's patterns around (?:R) and (?:S) for
 * --recend R and --recstart S, with the flags it gives each (which decide
 * what ^, $ and . in the user's regex mean).  Returns 0, or -1 with
 * *cause naming the bad regex.
 */
static int compile_records(struct chunk_reader *r, char **cause)
{
	const struct chunk_config *g = &r->cfg;
	const char *names[] = {"recstart", "recend"};
	const char *texts[] = {g->recstart, g->recend};
	char *msg = NULL;

	for (int i = 0; i < 2; i++) {
		struct rx *alone = rx_compile(texts[i], 0, &msg);
		if (!alone) {
			*cause = xasprintf("bad --%s regex '%s': %s", names[i],
					   texts[i], msg);
			free(msg);
			return -1;
		}
		rx_free(alone);
	}
	char *R = xasprintf("(?:%s)", g->recend);
	char *S = xasprintf("(?:%s)", g->recstart);
	struct pattern want[8];
	size_t n = 0;
	if (g->path) {
		/* find_split_positions(): m:^(.*R)S:s */
		want[n++] = (struct pattern){&r->rx_split,
			RX_DOTALL | RX_ANCHORED,
			xasprintf("^(.*%s)%s", R, S)};
	} else if (g->records > 0) {
		/* pass_n_regexps(): /^S/, then records (see next_end_rx) */
		want[n++] = (struct pattern){&r->rx_start, RX_ANCHORED,
			xasprintf("^%s", S)};
		want[n++] = (struct pattern){&r->rx_begin,
			RX_MULTILINE | RX_ANCHORED, xstrdup(S)};
		want[n++] = (struct pattern){&r->rx_end, RX_MULTILINE,
			xasprintf("%s(?=%s)", R, S)};
	} else {
		/*
		 * pass_regexp(): /^((?s:.)*R)S/m, with (?s:.*) for (?s:.)*:
		 * the same, but PCRE2's JIT backtracks a repeated character
		 * without stack, and a repeated group with stack per byte.
		 */
		want[n++] = (struct pattern){&r->rx_last,
			RX_MULTILINE | RX_ANCHORED,
			xasprintf("^((?s:.*)%s)%s", R, S)};
	}
	if (!g->path && g->remove_sep) {
		/* remove_rec_sep(): s/RS//gm, s/^S//s, s/R$//s */
		want[n++] = (struct pattern){&r->rx_sep, RX_MULTILINE,
			xasprintf("%s%s", R, S)};
		want[n++] = (struct pattern){&r->rx_lead, RX_DOTALL,
			xasprintf("^%s", S)};
		want[n++] = (struct pattern){&r->rx_trail, RX_DOTALL,
			xasprintf("%s$", R)};
	}
	int ret = 0;
	for (size_t i = 0; i < n; i++) {
		if (ret == 0) {
			*want[i].rx = rx_compile(want[i].text,
						 want[i].flags, &msg);
		}
		if (ret == 0 && !*want[i].rx) {
			*cause = xasprintf("bad --recstart/--recend regex "
					   "'%s%s': %s", g->recend,
					   g->recstart, msg);
			free(msg);
			ret = -1;
		}
		free(want[i].text);
	}
	free(R);
	free(S);
	return ret;
}

int chunk_reader_create(struct chunk_reader **out,
			const struct chunk_config *cfg, uv_loop_t *loop,
			chunk_wake_fn wake, void *data, char **cause)
{
	struct chunk_reader *r = xcalloc(1, sizeof(*r));

	r->cfg = *cfg;
	r->loop = loop;
	r->wake = wake;
	r->data = data;
	r->fd = -1;
	r->blocksize = cfg->block < BLOCK_MAX || cfg->path ? cfg->block
							  : BLOCK_MAX;
	if (cfg->group && !cfg->path) {
		group_init(r);
	}
	r->sep_len = r->cfg.recend_len + r->cfg.recstart_len;
	r->sep = xmalloc(r->sep_len + 1);
	memcpy(r->sep, r->cfg.recend, r->cfg.recend_len);
	memcpy(r->sep + r->cfg.recend_len, r->cfg.recstart,
	       r->cfg.recstart_len);
	r->first_line_done = !cfg->skip_first_line;
	r->header_done = !cfg->header;
	*out = r;
	r->memo_pos = SIZE_MAX;
	if (cfg->header && parse_header(r, cause) < 0) {
		return -1;
	}
	if (cfg->regexp && compile_records(r, cause) < 0) {
		return -1;
	}
	if (cfg->path) {
		return open_part_file(r, cause);
	}
	r->fd = STDIN_FILENO;
	return 0;
}

void chunk_reader_destroy(struct chunk_reader *r)
{
	if (!r || r->reading) {
		return; /* a read on the thread pool still uses it */
	}
	if (r->cfg.path && r->fd >= 0) {
		close(r->fd);
	}
	struct rx *rxs[] = {r->header_rx, r->rx_last, r->rx_start,
			    r->rx_begin, r->rx_end, r->rx_sep,
			    r->rx_lead, r->rx_trail, r->rx_split};
	for (size_t i = 0; i < sizeof(rxs) / sizeof(rxs[0]); i++) {
		rx_free(rxs[i]);
	}
	block_unref(r->buf);
	block_unref(r->head);
	buf_finish(&r->raw);
	buf_finish(&r->marked);
	buf_finish(&r->last);
	buf_finish(&r->scratch);
	free(r->group_err);
	free(r->sep);
	free(r->splits);
	free(r->error);
	free(r);
}

struct chunk_feed {
	uv_poll_t poll;        /* the fd's writability, once it is open */
	uv_timer_t timer;      /* --fifo: until the job opens the fifo */
	unsigned handles;      /* open handles; freed when none is left */
	struct chunk *c;       /* a reference; NULL while idle */
	int fd;                /* owned, until the feed ends; -1 before */
	bool fifo;             /* --fifo: fd is the named pipe's */
	bool keep_open;        /* --round-robin: more chunks may follow */
	uint64_t delay;        /* --fifo: ms until the next try */
	uint64_t pos;          /* bytes of c written */
	uint64_t sent;         /* bytes written in all */
	uint64_t given;        /* bytes of the chunks given, whole: what
				  GNU parallel's job log calls Send */
	chunk_fed_fn done;
	void *data;
};

static void feed_free(uv_handle_t *h)
{
	struct chunk_feed *f = h->data;

	if (--f->handles == 0) {
		chunk_release(f->c);
		free(f);
	}
}

/* Ends the feed: the job sees the end of its input. */
static void feed_close(struct chunk_feed *f)
{
	if (f->fd >= 0) {
		uv_poll_stop(&f->poll);
		close(f->fd);
		f->fd = -1;
		uv_close((uv_handle_t *)&f->poll, feed_free);
	}
	if (f->fifo) {
		uv_timer_stop(&f->timer);
		uv_close((uv_handle_t *)&f->timer, feed_free);
	}
}

/* Writes what the pipe takes now: 1 when all is written, 0, or -errno. */
static int feed_some(struct chunk_feed *f)
{
	const struct chunk *c = f->c;
	size_t head = chunk_head_len(c);
	uint64_t total = chunk_size(c);

	while (f->pos < total) {
		ssize_t n;
		if (f->pos < head) {
			n = write(f->fd, c->head->data + f->pos,
				  head - f->pos);
		} else if (c->file_fd >= 0) {
			off_t off = c->file_off + (off_t)(f->pos - head);
			n = splice(c->file_fd, &off, f->fd, NULL,
				   (size_t)(total - f->pos),
				   SPLICE_F_NONBLOCK | SPLICE_F_MORE);
		} else {
			n = write(f->fd, c->body + (f->pos - head),
				  (size_t)(total - f->pos));
		}
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return errno == EAGAIN ? 0 : -errno;
		}
		if (n == 0) {
			return -EIO; /* the file shrank */
		}
		f->pos += (uint64_t)n;
		f->sent += (uint64_t)n;
	}
	return 1;
}

/* The feed is over: r is 1 (all written) or -errno. */
static void feed_end(struct chunk_feed *f, int r)
{
	/* The job stopped reading early: not an error, as in GNU parallel. */
	int err = r == -EPIPE || r == UV_EPIPE || r > 0 ? 0 : r;
	chunk_fed_fn done = f->done;
	void *data = f->data;
	uint64_t given = f->given;

	feed_close(f);
	done(data, given, err, false);
}

static void on_writable(uv_poll_t *h, int status, int events)
{
	struct chunk_feed *f = h->data;
	/* libuv reports the error state of a pipe whose reader is gone
	   (POLLERR) as UV_EBADF: the write says what it is. */
	int r = status < 0 && status != UV_EBADF ? status : feed_some(f);

	(void)events;
	if (r > 0 && f->keep_open) {
		/* Idle until chunk_feed_more() or chunk_feed_stop(). */
		uv_poll_stop(&f->poll);
		chunk_release(f->c);
		f->c = NULL;
		f->done(f->data, f->given, 0, true);
	} else if (r != 0) {
		feed_end(f, r);
	}
}

void chunk_feed_keep_open(struct chunk_feed *f)
{
	f->keep_open = true;
}

void chunk_feed_more(struct chunk_feed *f, const struct chunk *c)
{
	f->c = chunk_ref((struct chunk *)c);
	/* The header once: a job that got nothing yet (--tee) gets it. */
	f->pos = f->sent ? chunk_head_len(c) : 0;
	f->given += chunk_size(c) - f->pos;
	uv_poll_start(&f->poll, UV_WRITABLE, on_writable);
}

/* Starts writing into f->fd (owned) as it becomes writable. */
static int feed_open(uv_loop_t *loop, struct chunk_feed *f)
{
	int flags = fcntl(f->fd, F_GETFL);

	if (flags < 0 || fcntl(f->fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		return -errno;
	}
	uint64_t total = chunk_size(f->c);
	if (total > 65536) {
		/* Best effort: a larger pipe wakes prun less often. */
		(void)fcntl(f->fd, F_SETPIPE_SZ,
			    total < FEED_PIPE_SIZE ? (int)total
						   : FEED_PIPE_SIZE);
	}
	int r = uv_poll_init(loop, &f->poll, f->fd);
	if (r < 0) {
		return r;
	}
	f->handles++;
	f->poll.data = f;
	return uv_poll_start(&f->poll, UV_WRITABLE, on_writable);
}

static struct chunk_feed *feed_new(const struct chunk *c, chunk_fed_fn done,
				   void *data)
{
	struct chunk_feed *f = xcalloc(1, sizeof(*f));

	f->c = chunk_ref((struct chunk *)c);
	f->given = chunk_size(c);
	f->fd = -1;
	f->done = done;
	f->data = data;
	return f;
}

struct chunk_feed *chunk_feed_start(uv_loop_t *loop, const struct chunk *c,
				    int fd, chunk_fed_fn done, void *data,
				    int *err)
{
	struct chunk_feed *f = feed_new(c, done, data);

	f->fd = fd;
	int r = feed_open(loop, f);
	if (r < 0) {
		*err = r;
		if (f->handles) {
			feed_close(f);
		} else {
			close(fd);
			chunk_release(f->c);
			free(f);
		}
		return NULL;
	}
	return f;
}

/*
 * --fifo: tries to open the fifo for writing, which succeeds only once the
 * job has opened it for reading (opening it blocking would block prun).
 * Without a descriptor to spare it tries again as well: the job waits for
 * its writer, and giving up would leave it waiting for ever.
 */
static void on_fifo_timer(uv_timer_t *h)
{
	struct chunk_feed *f = h->data;

	f->fd = open(f->c->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (f->fd < 0 &&
	    (errno == ENXIO || errno == EMFILE || errno == ENFILE)) {
		f->delay = f->delay < 16 ? f->delay * 2 : 16;
		uv_timer_start(&f->timer, on_fifo_timer, f->delay, 0);
		return;
	}
	int r = f->fd < 0 ? -errno : feed_open(h->loop, f);
	if (r < 0) {
		feed_end(f, r);
	}
}

struct chunk_feed *chunk_feed_fifo(uv_loop_t *loop, const struct chunk *c,
				   chunk_fed_fn done, void *data)
{
	struct chunk_feed *f = feed_new(c, done, data);

	uv_timer_init(loop, &f->timer);
	f->handles++;
	f->timer.data = f;
	f->delay = 1;
	f->fifo = true;
	uv_timer_start(&f->timer, on_fifo_timer, 0, 0);
	return f;
}

uint64_t chunk_feed_stop(struct chunk_feed *f)
{
	uint64_t given = f->given;

	feed_close(f);
	return given;
}
