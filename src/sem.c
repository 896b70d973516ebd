/*
 * Semaphores with kernel locks.  Slot k of id NAME is an flock(2) on the
 * file NAME.k of a private state directory; every command of the id,
 * waiting or running, holds a shared flock on NAME.active, which --wait
 * takes exclusively.  The kernel drops a lock when the last descriptor of
 * its open file goes, so a holder that dies however it dies (kill -9
 * too) frees its slot at once, and nothing is left to clean up: the files
 * are only names to lock, never state.
 *
 * A prun that finds every slot busy blocks in flock() on all of them at
 * once, one thread per slot, each on an open file of its own: the first
 * thread to get a lock wins, and a signal interrupts the others.  The
 * kernel serves a lock's waiters roughly in the order they came, and the
 * caller of prun-sem waits until its command has a slot (as GNU parallel's
 * sem does), so the commands of a mutex run in the order they were given
 * and a loop of prun-sem calls never runs ahead of the slots.
 *
 * The lock descriptors are close-on-exec: the command and whatever it
 * leaves behind cannot hold a slot.  The command dies with the prun that
 * holds its slot (a guard process between them learns of prun's death by
 * PR_SET_PDEATHSIG), so a slot freed by kill -9 of prun is not still in
 * use.
 */
#include "sem.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

/*
 * Makes `dir` (mode 0700) if it is missing, and checks that it is a
 * directory of the user's that no one else may enter: the locks of
 * another user's directory could be held against us.  Returns 0, or -1
 * with *cause.
 */
static int private_dir(const char *dir, char **cause)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0) {
		chmod(dir, 0700); /* whatever the umask */
	} else if (errno != EEXIST) {
		*cause = xasprintf("cannot make the semaphore directory '%s': "
				   "%s", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) < 0) {
		*cause = xasprintf("cannot use the semaphore directory '%s': "
				   "%s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & 077) != 0) {
		*cause = xasprintf("the semaphore directory '%s' is not a "
				   "directory of uid %u closed to others "
				   "(mode 0700)", dir, (unsigned)getuid());
		return -1;
	}
	return 0;
}

/*
 * The state directory: $XDG_RUNTIME_DIR/prun/sem when XDG_RUNTIME_DIR is
 * a directory of the user's, else ${TMPDIR:-/tmp}/prun-sem-UID.  Owned,
 * or NULL with *cause.
 */
static char *state_dir(char **cause)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	const char *tmp = getenv("TMPDIR");
	struct stat st;
	char *dir;

	if (run && run[0] == '/' && stat(run, &st) == 0 &&
	    S_ISDIR(st.st_mode) && st.st_uid == getuid() &&
	    access(run, W_OK | X_OK) == 0) {
		char *top = xasprintf("%s/prun", run);
		int r = private_dir(top, cause);
		free(top);
		if (r < 0) {
			return NULL;
		}
		dir = xasprintf("%s/prun/sem", run);
	} else {
		dir = xasprintf("%s/prun-sem-%u", tmp && tmp[0] ? tmp : "/tmp",
				(unsigned)getuid());
	}
	if (private_dir(dir, cause) < 0) {
		free(dir);
		return NULL;
	}
	return dir;
}

/*
 * The id as a file name: letters, digits, - and _ as they are, any other
 * byte as %XX, so that no id reaches outside the directory and two ids
 * never share a name.  Owned.
 */
static char *file_name(const char *id)
{
	struct buf b;

	buf_init(&b);
	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_') {
			buf_addc(&b, (char)*p);
		} else {
			buf_addf(&b, "%%%02x", *p);
		}
	}
	buf_addc(&b, '\0');
	return buf_steal(&b);
}

/* Opens DIR/NAME.SUFFIX to lock it.  A descriptor, or -1 with *cause. */
static int open_lock(const char *dir, const char *name, const char *suffix,
		     char **cause)
{
	char *path = xasprintf("%s/%s.%s", dir, name, suffix);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0) {
		*cause = xasprintf("cannot open the semaphore file '%s': %s",
				   path, strerror(errno));
	}
	free(path);
	return fd;
}

/* A race of threads, each blocked in flock() on one descriptor. */
struct race {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	int op;               /* LOCK_EX or LOCK_SH */
	bool done;            /* the race is over: waiters stop */
	long winner;          /* the index of the lock taken, or -1 */
	int err;              /* an error of flock() other than EINTR */
	size_t n_finished;    /* threads that have stopped */
};

struct waiter {
	struct race *race;
	int fd;
	long i;
	pthread_t thread;
};

static void *wait_lock(void *arg)
{
	struct waiter *w = arg;
	struct race *r = w->race;

	pthread_mutex_lock(&r->mu);
	while (!r->done) {
		pthread_mutex_unlock(&r->mu);
		int e = flock(w->fd, r->op) < 0 ? errno : 0;
		pthread_mutex_lock(&r->mu);
		if (e == EINTR) {
			continue;
		}
		if (e != 0) {
			r->err = r->err ? r->err : e;
		} else if (r->winner < 0 && !r->done) {
			r->winner = w->i;
		} else {
			flock(w->fd, LOCK_UN); /* too late: another one won */
		}
		break;
	}
	r->n_finished++;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* Only interrupts flock(): installed without SA_RESTART. */
static void on_wake(int sig)
{
	(void)sig;
}

/*
 * Takes the lock `op` on one of fds[0..n), the first that comes; gives up
 * after `secs` seconds if secs > 0.  Returns 0 with its index in *which,
 * -ETIMEDOUT, or -errno.
 */
static int lock_any(const int *fds, long n, int op, double secs,
		    long *which)
{
	for (long i = 0; i < n; i++) {
		if (flock(fds[i], op | LOCK_NB) == 0) {
			*which = i;
			return 0;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			return -errno;
		}
	}
	struct sigaction sa = {.sa_handler = on_wake}, old;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, &old);
	struct race r = {.op = op, .winner = -1};
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r.cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&r.mu, NULL);
	pthread_attr_t ta;
	pthread_attr_init(&ta);
	pthread_attr_setstacksize(&ta, 65536);
	struct waiter *w = xcalloc((size_t)n, sizeof(*w));
	long started = 0;
	for (; started < n; started++) {
		w[started] = (struct waiter){&r, fds[started], started, 0};
		int e = pthread_create(&w[started].thread, &ta, wait_lock,
				       &w[started]);
		if (e != 0) {
			r.err = e;
			break;
		}
	}
	pthread_attr_destroy(&ta);
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	double end = (double)deadline.tv_sec + deadline.tv_nsec / 1e9 + secs;
	deadline.tv_sec = (time_t)end;
	deadline.tv_nsec = (long)((end - (double)(time_t)end) * 1e9);
	bool timed_out = false;
	pthread_mutex_lock(&r.mu);
	while (r.winner < 0 && !r.err && !timed_out) {
		if (secs > 0) {
			timed_out = pthread_cond_timedwait(&r.cond, &r.mu,
							   &deadline) ==
				    ETIMEDOUT;
		} else {
			pthread_cond_wait(&r.cond, &r.mu);
		}
	}
	r.done = true;
	/*
	 * A waiter may be between its look at `done` and flock(), where
	 * the signal does not reach it: send it again until all stopped.
	 */
	while (r.n_finished < (size_t)started) {
		for (long i = 0; i < started; i++) {
			pthread_kill(w[i].thread, SIGUSR1);
		}
		struct timespec soon;
		clock_gettime(CLOCK_MONOTONIC, &soon);
		soon.tv_nsec += 10000000;
		if (soon.tv_nsec >= 1000000000) {
			soon.tv_sec++;
			soon.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&r.cond, &r.mu, &soon);
	}
	pthread_mutex_unlock(&r.mu);
	for (long i = 0; i < started; i++) {
		pthread_join(w[i].thread, NULL);
	}
	free(w);
	sigaction(SIGUSR1, &old, NULL);
	pthread_cond_destroy(&r.cond);
	pthread_mutex_destroy(&r.mu);
	*which = r.winner;
	return r.winner >= 0 ? 0 : r.err ? -r.err : -ETIMEDOUT;
}

/* An unlinked file for held output.  A descriptor, or -1 with *cause. */
static int hold_file(const char *tmpdir, char **cause)
{
	char *path = xasprintf("%s/prun-sem-XXXXXX", tmpdir);
	int fd = mkstemp(path);

	if (fd < 0) {
		*cause = xasprintf("cannot make a file in '%s' for the "
				   "output: %s", tmpdir, strerror(errno));
	} else {
		unlink(path);
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	free(path);
	return fd;
}

/* Copies the held output in `from` to `to`, from its start. */
static void copy_out(int from, int to)
{
	char chunk[65536];
	ssize_t n;

	if (lseek(from, 0, SEEK_SET) < 0) {
		return;
	}
	while ((n = read(from, chunk, sizeof(chunk))) > 0 ||
	       (n < 0 && errno == EINTR)) {
		if (n > 0 && write_all(to, chunk, (size_t)n) < 0) {
			return; /* the reader went away */
		}
	}
}

static volatile sig_atomic_t command_pid;
/* What SIGINT and SIGQUIT did before prun ignored them: the command's. */
static struct sigaction caller_int, caller_quit;

/* SIGTERM and SIGHUP to prun are for the command, which ends prun. */
static void forward(int sig)
{
	if (command_pid > 0) {
		kill((pid_t)command_pid, sig);
	}
}

/*
 * Kills the children of this process, then those that become its
 * children (it is their subreaper) as their parents die, until none is
 * left.  Without /proc's list of children, only the first ones.
 */
static void kill_descendants(pid_t first)
{
	char path[64];

	kill(first, SIGKILL);
	waitpid(first, NULL, 0);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children",
		 (int)getpid(), (int)getpid());
	for (;;) {
		FILE *f = fopen(path, "re");
		long pid, n = 0;
		if (!f) {
			return;
		}
		while (fscanf(f, "%ld", &pid) == 1) {
			kill((pid_t)pid, SIGKILL);
			waitpid((pid_t)pid, NULL, 0);
			n++;
		}
		fclose(f);
		if (n == 0) {
			return;
		}
	}
}

/*
 * The process between prun and the command's shell: it runs the shell
 * and exits with its status (128 + N for signal N).  Should prun die
 * (kill -9 too), it kills the shell and everything the shell started,
 * so that no command runs on in a slot the kernel has freed.  SIGTERM
 * and SIGHUP are passed on to the shell.
 */
_Noreturn static void guard(const struct sem_config *c, pid_t parent)
{
	sigset_t set, old;
	const char *base = strrchr(c->shell, '/');

	base = base ? base + 1 : c->shell;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGUSR2);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (getppid() != parent) {
		_exit(137); /* prun died before prctl() */
	}
	pid_t shell = fork();
	if (shell < 0) {
		warn("cannot start the command: %s", strerror(errno));
		_exit(127);
	}
	if (shell == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		sigaction(SIGINT, &caller_int, NULL);
		sigaction(SIGQUIT, &caller_quit, NULL);
		signal(SIGPIPE, SIG_DFL);
		execl(c->shell, base, "-c", c->command, (char *)NULL);
		warn("cannot run %s: %s", c->shell, strerror(errno));
		_exit(127);
	}
	for (;;) {
		int sig = 0, st;
		if (sigwait(&set, &sig) != 0) {
			continue;
		}
		if (sig == SIGUSR2) {
			kill_descendants(shell);
			_exit(137);
		}
		if (sig == SIGTERM || sig == SIGHUP) {
			kill(shell, sig);
			continue;
		}
		/* SIGCHLD: the shell, or an orphan that came to us. */
		pid_t pid;
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
			if (pid == shell) {
				_exit(WIFEXITED(st) ? WEXITSTATUS(st)
						    : 128 + WTERMSIG(st));
			}
		}
	}
}

/*
 * Runs the command in slot `slot` (1-based) and waits for it.  Returns its
 * exit status (128 + N if signal N killed it), or -1 with *cause.
 */
static int run_command(const struct sem_config *c, long slot, char **cause)
{
	int held[2] = {-1, -1};
	int input = -1;

	if (c->input && (input = open(c->input, O_RDONLY | O_CLOEXEC)) < 0) {
		*cause = xasprintf("cannot read '%s': %s", c->input,
				   strerror(errno));
		return -1;
	}
	if (c->group && ((held[0] = hold_file(c->tmpdir, cause)) < 0 ||
			 (held[1] = hold_file(c->tmpdir, cause)) < 0)) {
		goto fail;
	}
	/* The terminal's Ctrl-C reaches the command too: let it decide. */
	struct sigaction ign = {.sa_handler = SIG_IGN};
	struct sigaction fwd = {.sa_handler = forward};
	sigemptyset(&ign.sa_mask);
	sigemptyset(&fwd.sa_mask);
	sigaction(SIGINT, &ign, &caller_int);
	sigaction(SIGQUIT, &ign, &caller_quit);
	sigaction(SIGTERM, &fwd, NULL);
	sigaction(SIGHUP, &fwd, NULL);
	pid_t parent = getpid();
	char seq[] = "1", jobslot[32];
	snprintf(jobslot, sizeof(jobslot), "%ld", slot);
	pid_t pid = fork();
	if (pid < 0) {
		*cause = xasprintf("cannot start the command: %s",
				   strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		/* The guard: its exit status is the command's. */
		if ((input >= 0 && dup2(input, 0) < 0) ||
		    (held[0] >= 0 && dup2(held[0], 1) < 0) ||
		    (held[1] >= 0 && dup2(held[1], 2) < 0)) {
			_exit(127);
		}
		setenv("PARALLEL_SEQ", seq, 1);
		setenv("PARALLEL_JOBSLOT", jobslot, 1);
		guard(c, parent);
	}
	command_pid = pid;
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	command_pid = 0;
	if (held[0] >= 0) {
		/* GNU parallel's order: all of stdout, then stderr. */
		copy_out(held[0], 1);
		copy_out(held[1], 2);
	}
	if (input >= 0) {
		close(input);
	}
	for (int i = 0; i < 2; i++) {
		if (held[i] >= 0) {
			close(held[i]);
		}
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
fail:
	if (input >= 0) {
		close(input);
	}
	for (int i = 0; i < 2; i++) {
		if (held[i] >= 0) {
			close(held[i]);
		}
	}
	return -1;
}

/*
 * Closes the descriptors above 2 that prun inherited, but a and b: the
 * command in the background must not keep the caller's pipes open (a
 * caller that reads one to its end would wait for the command).
 */
static void close_inherited(int a, int b)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d) {
		return;
	}
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		if (fd > 2 && fd != a && fd != b && fd != dirfd(d)) {
			close(fd);
		}
	}
	closedir(d);
}

/* Frees a lock now: a copy of its descriptor may live elsewhere. */
static void unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

/*
 * --wait: the exclusive lock on NAME.active comes once no command of the
 * id runs or waits.  Returns the exit status, or -1 with *cause.
 */
static int wait_all(const struct sem_config *c, int active, char **cause)
{
	long which;
	int r = lock_any(&active, 1, LOCK_EX, c->timeout < 0 ? -c->timeout
							     : c->timeout,
			 &which);

	if (r == -ETIMEDOUT) {
		warn("%s", c->timeout > 0 ? "Semaphore timed out. Stealing "
					    "the semaphore."
					  : "Semaphore timed out. Exiting.");
		return c->timeout > 0 ? 0 : 1;
	}
	if (r < 0) {
		*cause = xasprintf("cannot lock the semaphore: %s",
				   strerror(-r));
		return -1;
	}
	return 0;
}

/*
 * Takes one of the slots: the first free one, else the first to come
 * free.  Returns the descriptor holding it, with its number (1-based) in
 * *slot; -ETIMEDOUT; or -1 with *cause.
 */
static int take_slot(const struct sem_config *c, const char *dir,
		     const char *name, long *slot, char **cause)
{
	int *fds = xcalloc((size_t)c->slots, sizeof(int));
	long n = 0, which = -1;
	int r = 0, fd = -1;

	/* The slots in use are opened one by one, up to the first free. */
	for (; n < c->slots && which < 0; n++) {
		char suffix[32];
		snprintf(suffix, sizeof(suffix), "%ld", n + 1);
		if ((fds[n] = open_lock(dir, name, suffix, cause)) < 0) {
			r = -1;
			goto out;
		}
		if (flock(fds[n], LOCK_EX | LOCK_NB) == 0) {
			which = n;
		} else if (errno != EWOULDBLOCK) {
			n++; /* to be closed */
			*cause = xasprintf("cannot lock the semaphore: %s",
					   strerror(errno));
			r = -1;
			goto out;
		}
	}
	if (which < 0) {
		double secs = c->timeout < 0 ? -c->timeout : c->timeout;
		r = lock_any(fds, n, LOCK_EX, secs, &which);
		if (r < 0 && r != -ETIMEDOUT) {
			*cause = xasprintf("cannot lock the semaphore: %s",
					   strerror(-r));
			r = -1;
		}
	}
out:
	for (long i = 0; i < n; i++) {
		if (i == which && r == 0) {
			fd = fds[i];
		} else if (fds[i] >= 0) {
			close(fds[i]);
		}
	}
	free(fds);
	*slot = which + 1;
	return r < 0 ? r : fd;
}

int sem_run(const struct sem_config *c, char **cause)
{
	char *dir = state_dir(cause);
	char *id = NULL, *name = NULL;
	int active = -1, slot_fd = -1, status = -1;
	long slot = 1;

	if (!dir) {
		return -1;
	}
	/* A caller's SIG_IGN would reap the command before we could. */
	signal(SIGCHLD, SIG_DFL);
	if (c->id) {
		id = xstrdup(c->id);
	} else {
		/* GNU parallel's default: what `tty` prints. */
		const char *tty = ttyname(STDIN_FILENO);
		id = xstrdup(tty ? tty : "not a tty");
	}
	name = file_name(id);
	if ((active = open_lock(dir, name, "active", cause)) < 0) {
		goto out;
	}
	if (c->wait) {
		status = wait_all(c, active, cause);
		goto out;
	}
	/* Counted by --wait from now on, while waiting too. */
	while (flock(active, LOCK_SH) < 0) {
		if (errno != EINTR) {
			*cause = xasprintf("cannot lock the semaphore: %s",
					   strerror(errno));
			goto out;
		}
	}
	slot_fd = take_slot(c, dir, name, &slot, cause);
	if (slot_fd == -ETIMEDOUT && c->timeout > 0) {
		warn("Semaphore timed out. Stealing the semaphore.");
		slot = 1;
	} else if (slot_fd == -ETIMEDOUT) {
		warn("Semaphore timed out. Exiting.");
		status = 1;
		goto out;
	} else if (slot_fd < 0) {
		goto out;
	}
	if (!c->fg) {
		/* The caller goes on; the locks go with the command. */
		fflush(NULL);
		pid_t pid = fork();
		if (pid < 0) {
			*cause = xasprintf("cannot go to the background: %s",
					   strerror(errno));
			goto out;
		}
		if (pid > 0) {
			/* Closing these leaves the child's copies locked. */
			if (slot_fd >= 0) {
				close(slot_fd);
			}
			close(active);
			slot_fd = active = -1;
			status = 0;
			goto out;
		}
		close_inherited(slot_fd, active);
	}
	status = run_command(c, slot, cause);
out:
	unlock(slot_fd);
	unlock(active);
	free(name);
	free(id);
	free(dir);
	return status;
}
