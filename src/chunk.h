/*
 * --pipe and --pipepart: the data itself as the jobs' input.  stdin (or a
 * file) is cut into chunks of whole records, one per job, and each job's
 * stdin is fed its chunk through a pipe, with backpressure both ways:
 * stdin is read ahead by at most one block, and a job that reads slowly
 * holds only its own chunk.  The rules for where chunks end are GNU
 * parallel's (`man parallel`, "SPREADING BLOCKS OF DATA"; its
 * spreadstdin() and find_split_positions()).
 */
#ifndef PRUN_CHUNK_H
#define PRUN_CHUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct uv_loop_s;
struct block;
struct perl;
struct chunk_split;

/* One job's data: the header (if any), then the body. */
struct chunk {
	unsigned refs;
	uint64_t seq;          /* 1-based, in input order */
	struct block *head;    /* shared; --header's bytes, or NULL */
	struct block *blk;     /* shared; holds the body, or NULL */
	const char *body;      /* in blk */
	size_t body_len;       /* bytes */
	int file_fd;           /* not owned; --pipepart, or a retry's
				  chunks (chunk_of_file()); else -1 */
	off_t file_off;        /* --pipepart: the body's byte range */
	char *path;            /* owned; --cat: a temp file that holds the
				  chunk, --fifo: a named pipe, removed with
				  it; else NULL */
	bool fifo;             /* path is a named pipe (--fifo) */
};

/* The bytes a job is given: header and body. */
uint64_t chunk_size(const struct chunk *c);
/* Bytes of the header that starts every chunk (0 if none). */
size_t chunk_head_len(const struct chunk *c);
/* A chunk of no bytes (--tee: a job's stdin before the data comes). */
struct chunk *chunk_empty(void);
/* One more owner. */
struct chunk *chunk_ref(struct chunk *c);
/* Drops an owner; the last frees the chunk.  NULL is ignored. */
void chunk_release(struct chunk *c);
/*
 * --round-robin --retries: appends the chunk's bytes (with its header if
 * head) to fd, a temp file.  Returns 0, or -errno.
 */
int chunk_append(const struct chunk *c, int fd, bool head);
/*
 * A chunk of the first len bytes of the file fd, which must stay open as
 * long as the chunk is fed (the file may grow past len meanwhile).
 */
struct chunk *chunk_of_file(int fd, uint64_t len);
/*
 * --cat: puts the chunk in a new temp file in dir, named by c->path from
 * now on.  Returns 0, or -errno with *cause.
 */
int chunk_to_file(struct chunk *c, const char *dir, char **cause);
/*
 * --fifo: makes a named pipe in dir for the chunk, named by c->path from
 * now on.  Returns 0, or -errno with *cause.
 */
int chunk_to_fifo(struct chunk *c, const char *dir, char **cause);

struct chunk_config {
	const char *path;      /* --pipepart: the file; NULL: stdin */
	size_t block;          /* --block, bytes (> 0) */
	long block_parts;      /* --pipepart --block -N: N (else 0) */
	long slots;            /* job slots, for block_parts */
	const char *recstart;  /* escapes (\n, \t, \0...) already turned */
	size_t recstart_len;   /* into bytes; with regexp, the regexes as */
	const char *recend;    /* typed (NUL-terminated) */
	size_t recend_len;
	bool regexp;           /* --regexp */
	long records;          /* -N: records per chunk; 0: by --block */
	long lines;            /* -L: lines per record; 0: 1 */
	const char *header;    /* --header: ":", a number of lines, a
				  Perl regex; NULL for none */
	bool skip_empty;       /* -r: lines of only white space go */
	bool skip_first_line;  /* --skip-first-line */
	bool remove_sep;       /* --rrs */
	uint64_t block_timeout_ms; /* --block-timeout: a block read for this
				      long is passed on as it is; 0: none */
	struct chunk_split *group; /* --group-by: chunks end only where its
				      value changes (records are then the
				      groups; recstart, recend and --rrs are
				      set here); else NULL */
};

struct chunk_reader;

enum {
	CHUNK_READY = 1,   /* *out is set */
	CHUNK_WAIT = 0,    /* a read is under way; wake() is called later */
	CHUNK_END = -1,    /* no more chunks */
	CHUNK_ERROR = -2,  /* *cause is set */
};

typedef void (*chunk_wake_fn)(void *data);

/*
 * Opens the input (stdin, or the --pipepart file, whose split points are
 * found now).  Returns 0, or -1 with *cause (a file that is missing or
 * not seekable, a bad --header or --regexp regex).
 */
int chunk_reader_create(struct chunk_reader **out,
			const struct chunk_config *cfg,
			struct uv_loop_s *loop, chunk_wake_fn wake,
			void *data, char **cause);
/* Frees the reader; chunks given out live on until released. */
void chunk_reader_destroy(struct chunk_reader *r);

/*
 * The next chunk (owned by the caller: chunk_release() it); see the
 * CHUNK_* values.  Reading ahead starts as a chunk is given out.
 */
int chunk_next(struct chunk_reader *r, struct chunk **out, char **cause);

/* Stops reading: no further chunk is given out. */
void chunk_reader_stop(struct chunk_reader *r);

/*
 * --shard and --bin: which job each line goes to, by the value of one
 * column (GNU parallel's sharder and binner scripts), maybe changed by a
 * perl expression; --group-by: where a group of lines with one value ends.
 */
struct chunk_split {
	const void *colsep;    /* a compiled regex_t, or NULL for "," */
	size_t col;            /* 1-based; 0 until name is looked up, or
				  for the whole line (--group-by EXPR) */
	char *name;            /* owned; the column's name, or NULL */
	bool bin;              /* the value as a number, modulo the jobs
				  (0 to the last job); else a hash of it */
	struct re_pattern_buffer *re; /* owned; colsep */
	struct perl *perl;     /* owned; evaluates the expression, or NULL */
	unsigned expr;         /* the expression's number in perl */
};

/*
 * Parses --shard, --bin or --group-by (opt) SPEC: a column number or name
 * (then the first line is the header that names the columns), then maybe
 * a perl expression that changes the value in $_ (--group-by: the
 * expression alone has the whole line as $_).  colsep is --colsep's
 * regex, or NULL for ",".  Starts perl for an expression.  Returns 0, or
 * -1 with *cause.
 */
int chunk_split_init(struct chunk_split *s, const char *opt,
		     const char *spec, const char *colsep, char **cause);
void chunk_split_finish(struct chunk_split *s);
/*
 * Looks up the column by its name in c's header, once.  Returns 0, or -1
 * with *cause.
 */
int chunk_split_column(struct chunk_split *s, const struct chunk *c,
		       char **cause);

/*
 * Cuts c's lines into n new chunks (out[0..n), owned by the caller) by s;
 * c's header is left out, as GNU parallel does.  c must be in memory (not
 * --pipepart).  Returns 0, or -1 with *cause (a perl expression died;
 * out is then empty).
 */
int chunk_split(const struct chunk *c, const struct chunk_split *s,
		size_t n, struct chunk **out, char **cause);

struct chunk_feed;

/*
 * Called once the feed ends (idle false; the feed is gone), or with
 * chunk_feed_keep_open() when a chunk is written (idle true): sent is the
 * bytes of the chunks given in all, whole (also if the job did not read
 * them all: GNU parallel's Send), err 0 or -errno.
 */
typedef void (*chunk_fed_fn)(void *data, uint64_t sent, int err, bool idle);

/*
 * Starts feeding chunk c into fd, a pipe's write end (owned from now on;
 * made non-blocking here).  The job reading the other end may stop early
 * (EPIPE): that ends the feed without error, as in GNU parallel.  fd is
 * closed when all is written, so that the job sees the end of its input.
 * Returns the feed, or NULL with -errno in *err.
 */
struct chunk_feed *chunk_feed_start(struct uv_loop_s *loop,
				    const struct chunk *c, int fd,
				    chunk_fed_fn done, void *data, int *err);
/*
 * --fifo: feeds chunk c into its named pipe once the job opens it (checked
 * every few ms: opening it for writing before would block).  done is
 * called as for chunk_feed_start().
 */
struct chunk_feed *chunk_feed_fifo(struct uv_loop_s *loop,
				   const struct chunk *c, chunk_fed_fn done,
				   void *data);
/*
 * --round-robin: once a chunk is written the feed stays open and idle;
 * done is called (err 0) each time, and chunk_feed_more() gives it the
 * next chunk, or chunk_feed_stop() ends it.
 */
void chunk_feed_keep_open(struct chunk_feed *f);
/*
 * Feeds chunk c (a reference is taken) to an idle feed; its header only
 * if the feed has written nothing yet.
 */
void chunk_feed_more(struct chunk_feed *f, const struct chunk *c);
/*
 * Stops a feed that has not ended (done is not called) and frees it.
 * Returns the bytes of the chunks given so far, as for chunk_fed_fn.
 */
uint64_t chunk_feed_stop(struct chunk_feed *f);

/*
 * Parses --recstart/--recend text: \n, \t, \r, \0, \\, \" and \' stand
 * for their bytes, as in GNU parallel.  Returns an owned string of *len
 * bytes.
 */
char *chunk_unescape(const char *s, size_t *len);

#endif
