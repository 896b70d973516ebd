/*
 * Allocation, byte buffers and small parsers shared by every module.
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p) {
		die("out of memory");
	}
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		die("out of memory");
	}
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p) {
		die("out of memory");
	}
	return p;
}

void *xreallocarray(void *ptr, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		die("out of memory");
	}
	return xrealloc(ptr, n * size);
}

char *xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}

char *xmemdup(const char *s, size_t len)
{
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b);
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		die("bad format string");
	}
	buf_reserve(&b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b.data, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b.len = (size_t)n;
	return buf_steal(&b);
}

void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_finish(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void buf_reserve(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap) {
		return;
	}
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1) {
		cap *= 2;
	}
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_add(struct buf *b, const char *s, size_t len)
{
	buf_reserve(b, len);
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		die("bad format string");
	}
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *buf_steal(struct buf *b)
{
	char *p = b->data ? b->data : xstrdup("");

	buf_init(b);
	return p;
}

int spawn_helper(pid_t *pid, const char *prog, char *const argv[], int in,
		 int out, int err)
{
	extern char **environ;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
				 POSIX_SPAWN_SETSIGDEF |
				 POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
	if (err >= 0) {
		posix_spawn_file_actions_adddup2(&fa, err, STDERR_FILENO);
	}
	int r = strchr(prog, '/')
			? posix_spawn(pid, prog, &fa, &attr, argv, environ)
			: posix_spawnp(pid, prog, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return -r;
}

int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t r = write(fd, c, n);
		if (r < 0 && errno == EAGAIN) {
			/* Someone sharing fd made it non-blocking: wait. */
			struct pollfd pf = {.fd = fd, .events = POLLOUT};
			poll(&pf, 1, -1);
			continue;
		}
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			return -errno;
		}
		if (r == 0) {
			return -EIO;
		}
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int parse_long(const char *s, long min, long max, long *out)
{
	char *end;

	if (*s == '\0') {
		return -EINVAL;
	}
	errno = 0;
	long v = strtol(s, &end, 10);
	if (*end != '\0' || end == s) {
		return -EINVAL;
	}
	if (errno == ERANGE || v < min || v > max) {
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int parse_duration(const char *s, double *out)
{
	double total = 0;

	if (*s == '\0') {
		return -EINVAL;
	}
	/* GNU parallel's TIME POSTFIXES: 1d3.5h16.6m4s; a bare number is s. */
	while (*s) {
		char *end;
		if (!isdigit((unsigned char)*s) && *s != '.') {
			return -EINVAL;
		}
		errno = 0;
		double v = strtod(s, &end);
		if (end == s || errno == ERANGE || !isfinite(v)) {
			return -EINVAL;
		}
		switch (tolower((unsigned char)*end)) {
		case '\0': break;
		case 's': end++; break;
		case 'm': v *= 60; end++; break;
		case 'h': v *= 3600; end++; break;
		case 'd': v *= 86400; end++; break;
		default: return -EINVAL;
		}
		total += v;
		s = end;
	}
	if (!isfinite(total)) {
		return -EINVAL;
	}
	*out = total;
	return 0;
}

int parse_seconds(const char *s, double *out)
{
	char *end;

	if (*s == '\0' || *s == '-' || *s == '+') {
		return -EINVAL;
	}
	errno = 0;
	double v = strtod(s, &end);
	if (*end != '\0' || errno == ERANGE || !isfinite(v) || v < 0) {
		return -EINVAL;
	}
	*out = v;
	return 0;
}

bool in_path(const char *name)
{
	const char *path = getenv("PATH");

	while (path && *path) {
		size_t n = strcspn(path, ":");
		char *file = xasprintf("%.*s%s%s", (int)n, path, n ? "/" : "",
				       name);
		bool found = access(file, X_OK) == 0;
		free(file);
		if (found) {
			return true;
		}
		path += n + (path[n] == ':');
	}
	return false;
}
