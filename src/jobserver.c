/*
 * GNU make's jobserver: MAKEFLAGS read and written, a pool joined or made,
 * tokens taken and given back.  See jobserver.h for the rules followed.
 *
 * Descriptors shared with make and other clients are never made
 * non-blocking (that would change them for everyone): prun reads tokens
 * through a description of its own, opened through /proc/self/fd, as
 * make 4.4 does.
 */
#define _GNU_SOURCE /* F_GETPIPE_SZ */
#include "jobserver.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/*
 * prun's own descriptors start here, clear of the 3 and 4 jobs get.  prun
 * writes tokens through descriptions of its own too, non-blocking: a
 * token that cannot go back must not hang the run.
 */
#define FD_MIN 10
/* The byte make 4.3 fills its pool with. */
#define TOKEN '+'

struct jobserver {
	int rfd;          /* owned; non-blocking, prun's own description */
	int wfd;          /* owned; where tokens go back */
	int child[2];     /* owned; the pipe's ends as jobs get them, or -1 */
	char *makeflags;  /* owned; MAKEFLAGS for jobs */
	char *held;       /* owned; the bytes taken, in order */
	unsigned n_held;
	unsigned cap;
	bool own;         /* a pool of prun's (jobserver_serve()) */
	unsigned total;   /* own: the tokens in the pool */
	char *dir;        /* owned; own fifo: its directory, else NULL */
	char *fifo;       /* owned; own fifo: its path, else NULL */
};

/*
 * MAKEFLAGS' words up to a " -- " (after which come variable assignments,
 * given back in *rest, or NULL).  A space after a backslash is part of a
 * word, as make writes them.
 */
static char **split_words(const char *s, size_t *n, const char **rest)
{
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	*rest = NULL;
	while (*s) {
		while (*s == ' ' || *s == '\t') {
			s++;
		}
		if (!*s) {
			break;
		}
		const char *start = s;
		while (*s && *s != ' ' && *s != '\t') {
			if (*s == '\\' && s[1]) {
				s++;
			}
			s++;
		}
		if (s - start == 2 && start[0] == '-' && start[1] == '-') {
			*rest = s;
			break;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[(*n)++] = xmemdup(start, (size_t)(s - start));
	}
	return v;
}

static void free_words(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i]);
	}
	free(v);
}

/* make's flag letters ("ks", "n"): its first word, without a '-'. */
static bool is_letters(const char *w)
{
	for (const char *p = w; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) {
			return false;
		}
	}
	return *w != '\0';
}

static bool is_jobserver_word(const char *w)
{
	return strncmp(w, "--jobserver-auth=", 17) == 0 ||
	       strncmp(w, "--jobserver-fds=", 16) == 0;
}

/* "-j", "-j4", "--jobs", "--jobs=4": the number, 0 for none. */
static bool is_jobs_word(const char *w, long *jobs)
{
	const char *v = NULL;

	if (strncmp(w, "-j", 2) == 0) {
		v = w + 2;
	} else if (strcmp(w, "--jobs") == 0) {
		v = "";
	} else if (strncmp(w, "--jobs=", 7) == 0) {
		v = w + 7;
	} else {
		return false;
	}
	char *end;
	long n = strtol(v, &end, 10);
	*jobs = *v && !*end && n > 0 ? n : 0;
	return true;
}

void jobserver_parse(const char *makeflags, struct jobserver_auth *auth)
{
	memset(auth, 0, sizeof(*auth));
	auth->rfd = auth->wfd = -1;
	if (!makeflags) {
		return;
	}
	auth->in_make = true;
	size_t n;
	const char *rest;
	char **w = split_words(makeflags, &n, &rest);
	for (size_t i = 0; i < n; i++) {
		long jobs;
		if (i == 0 && is_letters(w[i])) {
			auth->dry_run = strchr(w[i], 'n') != NULL;
		} else if (is_jobs_word(w[i], &jobs)) {
			auth->jobs = jobs;
		} else if (is_jobserver_word(w[i])) {
			/* The last one counts. */
			const char *v = strchr(w[i], '=') + 1;
			free(auth->fifo);
			auth->fifo = NULL;
			auth->rfd = auth->wfd = -1;
			int r, wr;
			char end;
			if (strncmp(v, "fifo:", 5) == 0 && v[5]) {
				auth->fifo = xstrdup(v + 5);
			} else if (sscanf(v, "%d,%d%c", &r, &wr, &end) == 2 &&
				   r >= 0 && wr >= 0) {
				auth->rfd = r;
				auth->wfd = wr;
			}
		}
	}
	free_words(w, n);
}

void jobserver_auth_finish(struct jobserver_auth *auth)
{
	free(auth->fifo);
	auth->fifo = NULL;
}

char *jobserver_makeflags(const char *makeflags, long jobs, const char *auth)
{
	struct buf b;
	size_t n = 0;
	const char *rest = NULL;
	char **w = makeflags ? split_words(makeflags, &n, &rest) : NULL;
	long unused;

	buf_init(&b);
	buf_adds(&b, "");
	for (size_t i = 0; i < n; i++) {
		if (is_jobs_word(w[i], &unused) || is_jobserver_word(w[i])) {
			continue;
		}
		if (i > 0 || !is_letters(w[i])) {
			buf_addc(&b, ' ');
		}
		buf_adds(&b, w[i]);
	}
	if (jobs > 0) {
		buf_addf(&b, " -j%ld", jobs);
	}
	if (auth) {
		buf_addf(&b, " --jobserver-auth=%s", auth);
	}
	if (rest) {
		buf_addf(&b, " --%s", rest);
	}
	free_words(w, n);
	return buf_steal(&b);
}

/* A close-on-exec copy of fd numbered FD_MIN or more; -errno. */
static int high_copy(int fd)
{
	int c = fcntl(fd, F_DUPFD_CLOEXEC, FD_MIN);
	return c < 0 ? -errno : c;
}

/* fd's own description through /proc, non-blocking; -errno. */
static int reopen(int fd, int flags)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int r = open(path, flags | O_NONBLOCK | O_CLOEXEC);
	if (r < 0) {
		return -errno;
	}
	int c = high_copy(r);
	close(r);
	return c;
}

static struct jobserver *js_new(void)
{
	struct jobserver *js = xcalloc(1, sizeof(*js));
	js->rfd = js->wfd = js->child[0] = js->child[1] = -1;
	return js;
}

static bool same_pipe(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	       S_ISFIFO(sa.st_mode) && S_ISFIFO(sb.st_mode) &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static bool can(int fd, int acc)
{
	int fl = fcntl(fd, F_GETFL);
	return fl >= 0 && ((fl & O_ACCMODE) == acc ||
			   (fl & O_ACCMODE) == O_RDWR);
}

int jobserver_join(struct jobserver **out, const char *makeflags,
		   const struct jobserver_auth *auth, char **cause)
{
	struct jobserver *js = js_new();
	int err = 0;

	*out = NULL;
	if (auth->fifo) {
		js->rfd = open(auth->fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (js->rfd < 0) {
			err = -errno;
			*cause = xasprintf("cannot open the jobserver fifo "
					   "%s: %s", auth->fifo,
					   strerror(errno));
		} else {
			js->wfd = high_copy(js->rfd);
			char *a = xasprintf("fifo:%s", auth->fifo);
			js->makeflags = jobserver_makeflags(makeflags,
							    auth->jobs, a);
			free(a);
		}
	} else if (!can(auth->rfd, O_RDONLY) || !can(auth->wfd, O_WRONLY) ||
		   !same_pipe(auth->rfd, auth->wfd)) {
		err = -EBADF;
		*cause = xstrdup("jobserver unavailable");
	} else if ((err = js->rfd = reopen(auth->rfd, O_RDONLY)) < 0 ||
		   (err = js->wfd = reopen(auth->wfd, O_WRONLY)) < 0 ||
		   (err = js->child[0] = high_copy(auth->rfd)) < 0 ||
		   (err = js->child[1] = high_copy(auth->wfd)) < 0) {
		*cause = xasprintf("cannot use the jobserver's pipe: %s",
				   strerror(-err));
	} else {
		err = 0;
		js->makeflags = jobserver_makeflags(makeflags, auth->jobs,
						    "3,4");
	}
	if (err < 0) {
		jobserver_destroy(js);
		return err;
	}
	*out = js;
	return 0;
}

/* Writes n tokens into the pool: 0 or -errno. */
static int put_tokens(struct jobserver *js, size_t n)
{
	char buf[4096];

	memset(buf, TOKEN, sizeof(buf));
	while (n > 0) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);
		ssize_t w = write(js->wfd, buf, k);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return w < 0 ? -errno : -EIO;
		}
		n -= (size_t)w;
	}
	return 0;
}

/* Makes the fifo of a pool in a directory of its own under tmpdir. */
static int make_fifo(struct jobserver *js, const char *tmpdir, char **cause)
{
	js->dir = xasprintf("%s/prun-jobserver-XXXXXX", tmpdir);
	if (!mkdtemp(js->dir)) {
		int err = errno;
		*cause = xasprintf("cannot create a directory in %s: %s",
				   tmpdir, strerror(err));
		free(js->dir);
		js->dir = NULL;
		return -err;
	}
	js->fifo = xasprintf("%s/fifo", js->dir);
	if (mkfifo(js->fifo, 0600) < 0 ||
	    (js->rfd = open(js->fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
		int err = errno;
		*cause = xasprintf("cannot create the jobserver fifo %s: %s",
				   js->fifo, strerror(err));
		return -err;
	}
	js->wfd = high_copy(js->rfd);
	return js->wfd < 0 ? js->wfd : 0;
}

/* Makes the pipe of a pool: jobs get its blocking ends. */
static int make_pipe(struct jobserver *js, char **cause)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0) {
		int err = errno;
		*cause = xasprintf("cannot create the jobserver's pipe: %s",
				   strerror(err));
		return -err;
	}
	js->child[0] = high_copy(p[0]);
	js->child[1] = high_copy(p[1]);
	close(p[0]);
	close(p[1]);
	if (js->child[0] < 0 || js->child[1] < 0 ||
	    (js->rfd = reopen(js->child[0], O_RDONLY)) < 0 ||
	    (js->wfd = reopen(js->child[1], O_WRONLY)) < 0) {
		*cause = xasprintf("cannot open the jobserver's pipe: %s",
				   strerror(errno));
		return -EIO;
	}
	return 0;
}

int jobserver_serve(struct jobserver **out, long slots, bool fifo,
		    const char *tmpdir, const char *makeflags, char **cause)
{
	struct jobserver *js = js_new();
	int err;

	*out = NULL;
	js->own = true;
	err = fifo ? make_fifo(js, tmpdir, cause) : make_pipe(js, cause);
	if (err == 0) {
		/*
		 * Half of what the pipe holds at most: a page that a read has
		 * begun still takes a whole slot of the pipe's ring, so a
		 * full pipe could refuse a token given back.
		 */
		long room = fcntl(js->wfd, F_GETPIPE_SZ) / 2;
		long n = slots - 1;
		if (room > 0 && n > room) {
			n = room;
		}
		js->total = (unsigned)(n > 0 ? n : 0);
		err = put_tokens(js, js->total);
		if (err < 0) {
			*cause = xasprintf("cannot fill the jobserver: %s",
					   strerror(-err));
		}
	}
	if (err < 0) {
		jobserver_destroy(js);
		return err;
	}
	char *a = fifo ? xasprintf("fifo:%s", js->fifo) : xstrdup("3,4");
	js->makeflags = jobserver_makeflags(makeflags, slots, a);
	free(a);
	*out = js;
	return 0;
}

int jobserver_fd(const struct jobserver *js)
{
	return js->rfd;
}

bool jobserver_take(struct jobserver *js)
{
	char c;
	ssize_t r;

	do {
		r = read(js->rfd, &c, 1);
	} while (r < 0 && errno == EINTR);
	if (r != 1) {
		return false; /* EAGAIN: another client was first */
	}
	if (js->n_held == js->cap) {
		js->cap = js->cap ? js->cap * 2 : 16;
		js->held = xrealloc(js->held, js->cap);
	}
	js->held[js->n_held++] = c;
	return true;
}

void jobserver_give(struct jobserver *js)
{
	if (js->n_held == 0) {
		return;
	}
	char c = js->held[--js->n_held];
	ssize_t w;
	do {
		w = write(js->wfd, &c, 1);
	} while (w < 0 && errno == EINTR);
}

unsigned jobserver_held(const struct jobserver *js)
{
	return js->n_held;
}

void jobserver_child(const struct jobserver *js, int fds[2],
		     const char **makeflags)
{
	fds[0] = js->child[0];
	fds[1] = js->child[1];
	*makeflags = js->makeflags;
}

void jobserver_refill(struct jobserver *js)
{
	int avail;

	if (!js->own || ioctl(js->rfd, FIONREAD, &avail) < 0 || avail < 0) {
		return;
	}
	unsigned want = js->total - js->n_held;
	if ((unsigned)avail < want) {
		put_tokens(js, want - (unsigned)avail);
	}
	for (unsigned extra = (unsigned)avail; extra > want; extra--) {
		char c;
		if (read(js->rfd, &c, 1) != 1) {
			break;
		}
	}
}

void jobserver_destroy(struct jobserver *js)
{
	if (!js) {
		return;
	}
	while (js->n_held > 0) {
		jobserver_give(js);
	}
	int fds[] = {js->rfd, js->wfd, js->child[0], js->child[1]};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (fds[i] >= 0) {
			close(fds[i]);
		}
	}
	if (js->fifo) {
		unlink(js->fifo);
	}
	if (js->dir) {
		rmdir(js->dir);
	}
	free(js->fifo);
	free(js->dir);
	free(js->held);
	free(js->makeflags);
	free(js);
}
