/*
 * Small helpers every module uses: allocation that never returns NULL,
 * a growable byte buffer, monotonic time, and the spawning of helpers.
 */
#ifndef PRUN_UTIL_H
#define PRUN_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Allocators: they never return NULL (out of memory is fatal). */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t n, size_t size);
char *xstrdup(const char *s);
char *xmemdup(const char *s, size_t len);
char *xasprintf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* A growable byte buffer, always NUL-terminated when data != NULL. */
struct buf {
	char *data; /* owned */
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_finish(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_add(struct buf *b, const char *s, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Hands the contents to the caller and leaves the buffer empty. */
char *buf_steal(struct buf *b);

/*
 * Writes all of p[0..n) to fd: 0 or -errno.  If whoever shares fd (stdout)
 * made it non-blocking, waits for room instead of failing.
 */
int write_all(int fd, const void *p, size_t n);

/*
 * Starts a helper process of prun's (perl, a compressor, ssh): prog
 * (looked up in PATH unless it has a '/') with argv, stdin `in`, stdout
 * `out` and stderr `err` (-1: prun's own), in a process group of its own
 * (Ctrl-C on the terminal is for the jobs and prun; prun may still need
 * its helpers while the jobs wind down), with default signal dispositions
 * and no signal blocked.  Returns 0 with the pid in *pid, or -errno.
 */
int spawn_helper(pid_t *pid, const char *prog, char *const argv[], int in,
		 int out, int err);

/* True if the program `name` (no '/') is an executable in $PATH. */
bool in_path(const char *name);

/* Monotonic clock in nanoseconds. */
uint64_t now_ns(void);

/* Parses a whole decimal number in [min, max]; 0 or -EINVAL/-ERANGE. */
int parse_long(const char *s, long min, long max, long *out);
/* Parses a non-negative number of seconds with a fraction; 0 or -EINVAL. */
int parse_seconds(const char *s, double *out);
/*
 * Parses a duration in seconds with GNU parallel's time postfixes (s, m,
 * h, d, in any mix: "1d3.5h", "1m30"); 0 or -EINVAL.
 */
int parse_duration(const char *s, double *out);

#endif
