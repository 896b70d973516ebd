/*
 * Remote hosts as executors: ControlMasters, job slots per host, the ssh
 * command line of a job, and telling ssh's failures from the jobs' own.
 *
 * A host is reached through ControlMasters that prun starts (`ssh -M -S
 * SOCKET host CMD`, one per MAX_SESSIONS jobs: sshd's MaxSessions is 10
 * and the master's own session takes one).  The master's command prints
 * "prun-ready CPUS" (the host is up, its socket is made, and the CPUs
 * give the host's slots when -S gave no N/), then reads its standard
 * input, a pipe from prun, to its end: when prun exits, however it
 * exits, the master's session ends and so does the master.
 *
 * A job is `ssh -S SOCKET -o ControlMaster=no host -- exec SHELL -c
 * WRAPPER SHELL CMD`.  sshd makes the remote shell a session leader, so
 * the job's processes there are one process group, which the wrapper
 * kills when the session ends before the job does: a job killed here
 * (--timeout, --halt now, Ctrl-C) or a lost connection leaves nothing
 * running on the host.  sshd does not signal a session's processes when
 * the client goes (without a terminal, which would mangle the bytes), so
 * the wrapper watches: the job's stdin is a pipe that prun holds open and
 * never writes, and the end of it on the host is the end of the session
 * (--pipe jobs read data there; a perl watcher looks at stdout instead,
 * which sshd closes too).  A job that exits 255 leaves a marker file, so
 * that ssh's own 255 (no connection, refused, lost) can be told from it
 * by one more session that removes the marker.
 */
#define _GNU_SOURCE
#include "remote.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "job.h"
#include "log.h"
#include "quote.h"
#include "slurm.h"
#include "spool.h"
#include "transfer.h"
#include "util.h"

/* Jobs through one ControlMaster: sshd's MaxSessions 10, less its own. */
#define MAX_SESSIONS 9
/* Failures in a row (connections, or jobs that ssh lost) drop a host. */
#define MAX_FAILURES 4
/* The first wait before a host that failed is tried again, in ms. */
#define BACKOFF_MS 500
#define BACKOFF_MAX_MS 5000
/* New connections under way at once, over all hosts (MaxStartups). */
#define MAX_CONNECTING 8
/* What the master's command prints once the host is up. */
#define READY "prun-ready "
/* The master's stderr kept for the warning if the host is dropped. */
#define ERR_MAX 1024

/* An argv being built: owned strings. */
struct words {
	char **v;
	size_t n, cap;
};

enum master_state { M_DOWN, M_CONNECTING, M_UP };

struct master {
	struct rhost *host;
	int index;
	enum master_state state;
	pid_t pid;                /* while it runs, else 0 */
	int in_fd;                /* owned; its stdin, never written */
	uv_pipe_t out;            /* its stdout and stderr */
	bool out_open;
	char said[ERR_MAX];       /* what it printed */
	size_t n_said;
	char *socket;             /* owned */
	unsigned sessions;        /* jobs through it now */
};

struct rhost {
	struct remote *r;
	struct host *h;           /* owned */
	size_t index;             /* in the remote's list */
	long slots;               /* jobs at once; 0: not known yet */
	long running;
	struct master **m;        /* owned array of owned */
	size_t n_m;
	unsigned failures;        /* in a row */
	uint64_t retry_ns;        /* no new connection or job before */
	bool dropped;
	bool listed;              /* in an sshloginfile (as last read) */
	bool from_slf;            /* came from an sshloginfile */
	bool was_up;              /* a master of its has come up */
	char *why;                /* owned; its last failure, or NULL */
	pid_t base_pid;           /* --basefile's copy while it runs */
	int base_said;            /* its stdout and stderr: a temp file, -1 */
	unsigned base_tries;
	bool base_done;           /* copied: jobs may start */
};

/* A session that removes a job's marker: did the job exit 255 itself? */
struct check {
	pid_t pid;
	struct job *job;
	struct master *m;         /* the session is one of its */
	struct check *next;
};

struct remote {
	struct remote_config cfg;
	struct rhost **v;         /* owned array of owned */
	size_t n;
	size_t alive;             /* hosts not dropped */
	char *dir;                /* owned; the sockets' directory */
	char *run_id;             /* owned; in the names of markers */
	struct check *checks;     /* owned list */
	size_t n_checks;
	unsigned connecting;
	uv_timer_t timer;         /* the next connection after a backoff */
	bool closing;
	struct words argv;        /* scratch: remote_argv()'s */
	struct buf text;          /* scratch: the remote command */
	uint64_t next_ssh_ns;     /* --ssh-delay */
	struct timespec *slf_mtime; /* owned; of each sshloginfile */
	uint64_t slf_look_ns;     /* when they were last looked at */
};

static void connect_more(struct remote *r);
static void base_start(struct remote *r, struct rhost *h);
static bool base_waits(const struct remote *r, const struct rhost *h);
static bool base_reaped(struct remote *r, pid_t pid, int status);
static void base_said(struct rhost *h, bool say);
static void base_cleanup(struct remote *r);
static void files_cd(const struct remote_files *f, struct buf *w);
static void files_rm_wd(const struct remote_files *f, struct buf *w);

/* Frees the words, to start again. */
static void words_clear(struct words *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i]);
	}
	a->n = 0;
}

/* Appends a copy of s (NULL ends the list). */
static void words_push(struct words *a, const char *s)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		a->v = xreallocarray(a->v, a->cap, sizeof(*a->v));
	}
	a->v[a->n++] = s ? xstrdup(s) : NULL;
}

static const char *const WATCH_PERL =
	/* stdout (fd 1) turns readable when nothing reads it any more. */
	"$SIG{TERM}=$SIG{INT}=$SIG{HUP}=q(IGNORE);vec($r,1,1)=1;"
	"select($r,undef,undef,undef);exec(q(/bin/sh),q(-c),$ARGV[0]);";

/* --termseq as sh for the host: the job's group, then KILL for all. */
static void termseq_sh(struct buf *b, const struct termseq *t)
{
	for (size_t i = 0; t && i < t->n; i++) {
		buf_addf(b, "kill -%d 0 2>/dev/null;", t->sig[i]);
		if (t->ms[i]) {
			buf_addf(b, "sleep %u.%03u;", t->ms[i] / 1000,
				 t->ms[i] % 1000);
		}
	}
	/* The watcher is in the group: this ends it too. */
	buf_adds(b, "kill -9 0");
}

static uint64_t backoff_ns(unsigned failures)
{
	uint64_t ms = BACKOFF_MS;

	while (failures-- > 1 && ms < BACKOFF_MAX_MS) {
		ms *= 2;
	}
	return (ms > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms) * 1000000u;
}

static void drop_host(struct remote *r, struct rhost *h, const char *why)
{
	if (h->dropped) {
		return;
	}
	h->dropped = true;
	r->alive--;
	warn("host %s dropped: %s", h->h->login, why);
	r->cfg.ready(r->cfg.data);
}

/* A failure of the host's: back off, and drop it after a few. */
static void host_failed(struct remote *r, struct rhost *h, const char *why)
{
	h->failures++;
	h->retry_ns = now_ns() + backoff_ns(h->failures);
	free(h->why);
	h->why = xstrdup(why);
	if (h->failures >= (r->cfg.filter_hosts ? 1 : MAX_FAILURES)) {
		drop_host(r, h, why);
		return;
	}
	connect_more(r);
}

static void on_timer(uv_timer_t *t)
{
	struct remote *r = t->data;

	connect_more(r);
	r->cfg.ready(r->cfg.data);
}

static void on_alloc(uv_handle_t *handle, size_t size, uv_buf_t *b)
{
	struct master *m = handle->data;

	(void)size;
	if (m->n_said >= ERR_MAX - 1) {
		/* Keep the last part: the reason comes last. */
		memmove(m->said, m->said + ERR_MAX / 2, ERR_MAX / 2);
		m->n_said -= ERR_MAX / 2;
	}
	b->base = m->said + m->n_said;
	b->len = ERR_MAX - 1 - m->n_said;
}

/* The last line the master printed, for a warning. */
static const char *last_said(struct master *m)
{
	while (m->n_said > 0 && (m->said[m->n_said - 1] == '\n' ||
				 m->said[m->n_said - 1] == '\r')) {
		m->n_said--;
	}
	m->said[m->n_said] = '\0';
	char *nl = strrchr(m->said, '\n');
	const char *s = nl ? nl + 1 : m->said;
	return *s ? s : "the connection failed";
}

static void on_close_out(uv_handle_t *handle)
{
	(void)handle;
}

static void close_out(struct master *m)
{
	if (m->out_open) {
		m->out_open = false;
		uv_close((uv_handle_t *)&m->out, on_close_out);
	}
}

/* The master printed: "prun-ready CPUS" says it is up. */
static void on_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *b)
{
	struct master *m = stream->data;
	struct rhost *h = m->host;
	struct remote *r = h->r;

	(void)b;
	if (n < 0) {
		close_out(m);
		return;
	}
	m->n_said += (size_t)n;
	if (m->state != M_CONNECTING) {
		return;
	}
	m->said[m->n_said] = '\0';
	char *ready = strstr(m->said, READY);
	if (!ready || !strchr(ready, '\n')) {
		return;
	}
	long cpus = strtol(ready + strlen(READY), NULL, 10);
	m->state = M_UP;
	m->n_said = 0;
	h->was_up = true;
	r->connecting--;
	h->failures = 0;
	if (r->cfg.one_each) {
		h->slots = 1;
	} else if (h->slots == 0) {
		char *cause = NULL;
		h->slots = options_jobs(r->cfg.jobs, cpus > 0 ? cpus : 1,
					&cause);
		free(cause);
		if (h->slots <= 0) {
			h->slots = 1;
		}
	}
	base_start(r, h);
	connect_more(r);
	r->cfg.ready(r->cfg.data);
}

/* Spawns ssh's argv (see spawn_helper()); 0 or an errno. */
static int spawn_ssh(char *const *argv, int in, int out, int err,
		     pid_t *pid)
{
	return -spawn_helper(pid, argv[0], argv, in, out, err);
}

/*
 * Starts r->argv with ssh's words to reach host h: as ControlMaster m
 * (master), or through master m (a session; m may be NULL: a connection
 * of its own).  The remote command follows.
 */
static void push_ssh(struct remote *r, const struct rhost *h,
		     const struct master *m, bool master)
{
	struct words *a = &r->argv;

	words_clear(a);
	for (char **w = h->h->ssh; *w; w++) {
		words_push(a, *w);
	}
	if (m && master) {
		words_push(a, "-M");
	}
	if (m) {
		words_push(a, "-S");
		words_push(a, m->socket);
		words_push(a, "-o");
		words_push(a, master ? "ControlPersist=no" : "ControlMaster=no");
	}
	words_push(a, h->h->host);
	words_push(a, "--");
}

/* Starts ControlMaster m of its host. */
static void master_start(struct remote *r, struct master *m)
{
	struct rhost *h = m->host;
	int in[2], out[2];

	if (pipe2(in, O_CLOEXEC) < 0) {
		host_failed(r, h, strerror(errno));
		return;
	}
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		host_failed(r, h, strerror(errno));
		return;
	}
	struct words *a = &r->argv;
	push_ssh(r, h, m, true);
	words_push(a, "exec /bin/sh -c 'echo " READY
		  "$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1); "
		  "exec cat >/dev/null'");
	words_push(a, NULL);

	unlink(m->socket);
	int err = spawn_ssh(a->v, in[0], out[1], out[1], &m->pid);
	close(in[0]);
	close(out[1]);
	if (err) {
		m->pid = 0;
		close(in[1]);
		close(out[0]);
		char *why = xasprintf("%s: %s", a->v[0], strerror(err));
		drop_host(r, h, why);
		free(why);
		return;
	}
	m->in_fd = in[1];
	m->n_said = 0;
	m->state = M_CONNECTING;
	r->connecting++;
	uv_pipe_init(r->cfg.loop, &m->out, 0);
	m->out.data = m;
	if (uv_pipe_open(&m->out, out[0]) == 0) {
		m->out_open = true;
		uv_read_start((uv_stream_t *)&m->out, on_alloc, on_read);
	} else {
		close(out[0]);
		uv_close((uv_handle_t *)&m->out, on_close_out);
	}
	if (r->cfg.ssh_delay > 0) {
		r->next_ssh_ns = now_ns() + (uint64_t)(r->cfg.ssh_delay * 1e9);
	}
}

static struct master *master_add(struct remote *r, struct rhost *h)
{
	struct master *m = xcalloc(1, sizeof(*m));

	m->host = h;
	m->index = (int)h->n_m;
	m->in_fd = -1;
	m->socket = xasprintf("%s/%zu.%zu", r->dir, h->index, h->n_m);
	h->m = xreallocarray(h->m, h->n_m + 1, sizeof(*h->m));
	h->m[h->n_m++] = m;
	return m;
}

/* Whether host h needs one more master than it has up or coming. */
static struct master *wanted_master(struct remote *r, struct rhost *h)
{
	size_t up = 0;

	for (size_t i = 0; i < h->n_m; i++) {
		if (h->m[i]->state == M_CONNECTING) {
			return NULL; /* one at a time per host */
		}
		if (h->m[i]->state == M_UP) {
			up++;
		}
	}
	/* Before its CPUs are known, a host has one master. */
	long slots = h->slots ? h->slots : 1;
	if ((long)up * MAX_SESSIONS >= slots) {
		return NULL;
	}
	for (size_t i = 0; i < h->n_m; i++) {
		if (h->m[i]->state == M_DOWN && h->m[i]->pid == 0) {
			return h->m[i];
		}
	}
	return master_add(r, h);
}

/*
 * Starts the connections hosts need, a few at a time and none to a host
 * that failed until its backoff is over.
 */
static void connect_more(struct remote *r)
{
	uint64_t now = now_ns(), wake = 0;

	if (r->closing) {
		return;
	}
	for (size_t i = 0; i < r->n && r->connecting < MAX_CONNECTING; i++) {
		struct rhost *h = r->v[i];
		if (h->dropped || h->h->local || r->cfg.slurm_cpus) {
			continue;
		}
		if (h->retry_ns > now || r->next_ssh_ns > now) {
			uint64_t t = h->retry_ns > r->next_ssh_ns
					     ? h->retry_ns : r->next_ssh_ns;
			if (!wake || t < wake) {
				wake = t;
			}
			continue;
		}
		struct master *m = wanted_master(r, h);
		if (m) {
			master_start(r, m);
		}
	}
	if (wake) {
		uv_timer_start(&r->timer, on_timer,
			       (wake - now) / 1000000 + 1, 0);
	}
}

/* The sockets' directory: short, as a socket's path has 107 bytes. */
static int make_dir(struct remote *r, char **cause)
{
	const char *bases[] = {r->cfg.tmpdir, "/tmp"};

	for (size_t i = 0; i < 2; i++) {
		if (!bases[i] || strlen(bases[i]) > 60) {
			continue;
		}
		char *d = xasprintf("%s/prun-ssh.XXXXXX", bases[i]);
		if (mkdtemp(d)) {
			r->dir = d;
			return 0;
		}
		free(d);
	}
	int err = errno;
	*cause = xasprintf("cannot make a directory for ssh's control "
			   "sockets in %s: %s", r->cfg.tmpdir ? r->cfg.tmpdir
			   : "/tmp", strerror(err));
	return -err;
}

/*
 * An ssh command that is an exported bash function, as man
 * parallel_examples' jump host: GNU parallel runs it through a shell, so
 * bash runs it here, taking the function from the environment.
 */
static void ssh_through_bash(struct host *h)
{
	const char *w = h->ssh ? h->ssh[0] : NULL;

	if (!w || strchr(w, '/') || in_path(w)) {
		return;
	}
	char *var = xasprintf("BASH_FUNC_%s%%%%", w);
	bool exported = getenv(var) != NULL;
	free(var);
	if (!exported) {
		return;
	}
	size_t n = 0;
	while (h->ssh[n]) {
		n++;
	}
	char **v = xcalloc(n + 4, sizeof(*v));
	v[0] = xstrdup("bash");
	v[1] = xstrdup("-c");
	v[2] = xstrdup("\"$0\" \"$@\"");
	memcpy(v + 3, h->ssh, (n + 1) * sizeof(*v));
	free(h->ssh);
	h->ssh = v;
}

/* Makes the remote's host for h (whose ownership passes). */
static struct rhost *host_add(struct remote *r, struct host *h)
{
	struct rhost *rh = xcalloc(1, sizeof(*rh));
	const struct remote_config *cfg = &r->cfg;

	rh->r = r;
	rh->h = h;
	rh->index = r->n;
	rh->base_said = -1;
	ssh_through_bash(h);
	rh->slots = h->slots;
	if (cfg->slurm_cpus) {
		/* slurm_hosts() gave each node's slots, -j applied. */
		rh->slots = cfg->one_each ? 1 : rh->slots;
	} else if (cfg->one_each) {
		rh->slots = h->local ? 1 : 0;
	} else if (h->local) {
		/* -j as for this machine, unless N/ said. */
		rh->slots = rh->slots ? rh->slots : cfg->local_slots;
	} else if (rh->slots) {
		/* N/ is the CPUs: -j is of them (GNU parallel). */
		char *cause = NULL;
		rh->slots = options_jobs(cfg->jobs, rh->slots, &cause);
		free(cause);
		if (rh->slots <= 0) {
			rh->slots = 1;
		}
	}
	r->v = xreallocarray(r->v, r->n + 1, sizeof(*r->v));
	r->v[r->n++] = rh;
	r->alive++;
	return rh;
}

/* The sshloginfiles' times of change; true if any differs from before. */
static bool slf_changed(struct remote *r)
{
	bool changed = false;

	for (size_t i = 0; i < r->cfg.n_slf; i++) {
		struct stat st;
		struct timespec t = {0, 0};
		if (stat(r->cfg.slf[i], &st) == 0) {
			t = st.st_mtim;
		}
		if (t.tv_sec != r->slf_mtime[i].tv_sec ||
		    t.tv_nsec != r->slf_mtime[i].tv_nsec) {
			changed = true;
		}
		r->slf_mtime[i] = t;
	}
	return changed;
}

void remote_reread(struct remote *r)
{
	uint64_t now = now_ns();

	if (r->cfg.n_slf == 0 || r->closing ||
	    now - r->slf_look_ns < 1000000000u) {
		return;
	}
	r->slf_look_ns = now;
	if (!slf_changed(r)) {
		return;
	}
	struct hosts hs;
	char *cause = NULL;
	hosts_init(&hs);
	if (r->cfg.read_slf(r->cfg.slf_data, &hs, &cause) < 0) {
		/* Half-written, maybe: the hosts stay as they were. */
		warn("%s", cause);
		free(cause);
		hosts_finish(&hs);
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		r->v[i]->listed = false;
	}
	for (size_t i = 0; i < hs.n; i++) {
		struct rhost *found = NULL;
		for (size_t k = 0; k < r->n && !found; k++) {
			if (strcmp(r->v[k]->h->login, hs.v[i]->login) == 0) {
				found = r->v[k];
			}
		}
		if (!found) {
			found = host_add(r, hs.v[i]);
			hs.v[i] = NULL;
		} else if (found->dropped && !found->listed &&
			   found->failures < MAX_FAILURES) {
			/* Listed again after it was taken out. */
			found->dropped = false;
			r->alive++;
		}
		found->listed = true;
	}
	for (size_t i = 0; i < r->n; i++) {
		struct rhost *h = r->v[i];
		if (h->from_slf && !h->listed && !h->dropped) {
			/* Taken out of the file: no more jobs (as GNU). */
			h->dropped = true;
			r->alive--;
		}
		h->from_slf = h->from_slf || h->listed;
	}
	for (size_t i = 0; i < hs.n; i++) {
		if (hs.v[i]) {
			hosts_free_host(hs.v[i]);
		}
	}
	hs.n = 0;
	hosts_finish(&hs);
	connect_more(r);
	r->cfg.ready(r->cfg.data);
}

int remote_create(struct remote **out, const struct remote_config *cfg,
		  char **cause)
{
	struct remote *r = xcalloc(1, sizeof(*r));
	struct hosts *hs = cfg->hosts;

	r->cfg = *cfg;
	if (cfg->slurm_cpus) {
		/* Slurm's nodes share this file system: nothing to copy
		 * (main.c said that --basefile is ignored). */
		r->cfg.n_basefiles = 0;
	}
	if (hs->n == 0) {
		*cause = xasprintf("no host to run jobs on (-S, --slf)");
		free(r);
		return -EINVAL;
	}
	int err = cfg->slurm_cpus ? 0 : make_dir(r, cause);
	if (err < 0) {
		free(r);
		return err;
	}
	buf_init(&r->text);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	r->run_id = xasprintf("%ld.%ld", (long)getpid(), (long)ts.tv_nsec);
	for (size_t i = 0; i < hs->n; i++) {
		host_add(r, hs->v[i]);
	}
	free(hs->v);
	hs->v = NULL;
	hs->n = 0;
	uv_timer_init(cfg->loop, &r->timer);
	r->timer.data = r;
	if (cfg->n_slf) {
		/* Which hosts the files gave, to take out those they drop. */
		r->slf_mtime = xcalloc(cfg->n_slf, sizeof(*r->slf_mtime));
		slf_changed(r);
		r->slf_look_ns = now_ns();
		struct hosts again;
		char *why = NULL;
		hosts_init(&again);
		if (cfg->read_slf(cfg->slf_data, &again, &why) == 0) {
			for (size_t i = 0; i < r->n; i++) {
				for (size_t k = 0; k < again.n; k++) {
					if (strcmp(r->v[i]->h->login,
						   again.v[k]->login) == 0) {
						r->v[i]->from_slf = true;
					}
				}
			}
		}
		free(why);
		hosts_finish(&again);
	}
	*out = r;
	connect_more(r);
	return 0;
}

/* Whether host h may run job: its pin, or one of its groups. */
static bool may_run(const struct remote *r, const struct rhost *h,
		    const struct job *job)
{
	if (job->pin >= 0) {
		return (size_t)job->pin < r->n && r->v[job->pin] == h;
	}
	if (!job->groups) {
		return true;
	}
	char *copy = xstrdup(job->groups), *save = NULL;
	bool in = false;
	for (char *g = strtok_r(copy, "+", &save); g && !in;
	     g = strtok_r(NULL, "+", &save)) {
		in = hosts_in_group(h->h, g);
	}
	free(copy);
	return in;
}

int remote_take(struct remote *r, struct job *job)
{
	uint64_t now = now_ns();
	struct rhost *best = NULL;
	struct master *best_m = NULL;
	double best_free = 0;
	bool possible = false;

	for (size_t i = 0; i < r->n; i++) {
		struct rhost *h = r->v[i];
		if (h->dropped || !may_run(r, h, job)) {
			continue;
		}
		possible = true;
		if (h->slots == 0 || h->running >= h->slots ||
		    h->retry_ns > now || base_waits(r, h)) {
			continue;
		}
		/* Slurm's nodes and this machine need no ssh master. */
		bool direct = h->h->local || r->cfg.slurm_cpus;
		struct master *m = NULL;
		for (size_t k = 0; !direct && k < h->n_m; k++) {
			if (h->m[k]->state == M_UP &&
			    h->m[k]->sessions < MAX_SESSIONS) {
				m = h->m[k];
				break;
			}
		}
		if (!direct && !m) {
			continue;
		}
		/* The most free, as a share of its slots. */
		double free_share = (double)(h->slots - h->running) /
				    (double)h->slots;
		if (!best || free_share > best_free) {
			best = h;
			best_m = m;
			best_free = free_share;
		}
	}
	if (!best) {
		if (possible) {
			connect_more(r);
		}
		return possible ? -EAGAIN : -ENOENT;
	}
	best->running++;
	job->host = best;
	job->master = -1;
	if (best_m) {
		best_m->sessions++;
		job->master = best_m->index;
	}
	return 0;
}

void remote_release(struct remote *r, struct rhost *h, int master)
{
	(void)r;
	h->running--;
	if (master >= 0 && (size_t)master < h->n_m) {
		h->m[master]->sessions--;
	}
}

size_t remote_count(const struct remote *r)
{
	return r->n;
}

bool remote_is_local(const struct rhost *h)
{
	return h->h->local;
}

const char *remote_login(const struct rhost *h)
{
	return h->h->login;
}

const char *remote_host(const struct rhost *h)
{
	return h->h->host;
}

/* The name of the job's marker of its own 255, on the host. */
static void marker(struct buf *b, const struct remote *r,
		   const struct job *job)
{
	buf_addf(b, "\"${TMPDIR:-/tmp}/prun-255.%s.%llu.%u\"", r->run_id,
		 (unsigned long long)job->seq, job->attempt);
}

/* Appends `export NAME=VALUE;` with the value quoted. */
static void export(struct buf *b, const char *name, const char *value)
{
	buf_addf(b, "export %s=", name);
	quote_append(b, value, strlen(value));
	buf_addc(b, ';');
}

/* The ssh argv of a job's session (see remote_argv()); f may be NULL. */
static char *const *session_argv(struct remote *r, const struct job *job,
				 const char *cmd,
				 const struct remote_files *f, bool *hold)
{
	const struct rhost *h = job->host;
	const char *shell = strrchr(r->cfg.shell, '/');
	shell = shell ? shell + 1 : r->cfg.shell;
	/*
	 * The wrapper is POSIX sh: a shell of that family runs it and the
	 * job; another (fish, csh) is started by sh for the job alone.
	 */
	static const char *const posix[] = {"sh", "bash", "dash", "ksh",
					    "mksh", "zsh", "ash", NULL};
	const char *other = NULL;
	for (size_t i = 0; posix[i] && strcmp(posix[i], shell) != 0; i++) {
		if (!posix[i + 1]) {
			other = shell;
			shell = "sh";
		}
	}
	struct buf *w = &r->text;
	char num[64];

	/* The wrapper, run by the job's shell on the host (POSIX sh). */
	w->len = 0;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)job->seq);
	export(w, "PARALLEL_SEQ", num);
	snprintf(num, sizeof(num), "%u", job->slot);
	export(w, "PARALLEL_JOBSLOT", num);
	export(w, "PARALLEL_SSHLOGIN", h->h->login);
	export(w, "PARALLEL_SSHHOST", h->h->host);
	*hold = !r->cfg.stdin_data;
	if (*hold) {
		/* stdin ends when the session does; the job gets none. */
		buf_adds(w, "exec 3<&0 </dev/null;"
			 "(trap '' TERM INT HUP;"
			 "while read -r _;do :;done <&3;");
		termseq_sh(w, r->cfg.termseq);
		buf_adds(w, ") >/dev/null 2>&1 & w=$!;exec 3<&-;");
	} else {
		/* stdout fails when the session ends: perl sees it. */
		buf_adds(w, "(trap '' TERM INT HUP;exec perl -e \"$2\" \"$3\")"
			 " 2>/dev/null </dev/null & w=$!;");
	}
	buf_addc(w, '(');
	files_cd(f, w);
	if (other) {
		buf_addf(w, "exec %s -c \"$1\");st=$?;", other);
	} else {
		buf_adds(w, "eval \"$1\");st=$?;");
	}
	files_rm_wd(f, w);
	/* SIGPIPE: no shell reports a job it ended (bash: "Killed"). */
	buf_adds(w, "{ kill -13 $w;wait $w;} 2>/dev/null;"
		 "[ $st -ne 255 ]||: >");
	marker(w, r, job);
	buf_adds(w, ";trap \"exit $st\" TERM;kill -TERM 0 2>/dev/null;"
		 "exit $st");

	/* The remote command: the login shell execs the job's shell. */
	struct buf line;
	buf_init(&line);
	buf_addf(&line, "exec %s -c ", shell);
	quote_append(&line, w->data, w->len);
	buf_addf(&line, " %s ", shell);
	if (r->cfg.env_script && *r->cfg.env_script) {
		/* --env's variables, then the command, in one text. */
		struct buf both;
		buf_init(&both);
		buf_adds(&both, r->cfg.env_script);
		buf_adds(&both, cmd);
		quote_append(&line, both.data, both.len);
		buf_finish(&both);
	} else {
		quote_append(&line, cmd, strlen(cmd));
	}
	if (!*hold) {
		buf_addc(&line, ' ');
		quote_append(&line, WATCH_PERL, strlen(WATCH_PERL));
		struct buf seq;
		buf_init(&seq);
		termseq_sh(&seq, r->cfg.termseq);
		buf_addc(&line, ' ');
		quote_append(&line, seq.data, seq.len);
		buf_finish(&seq);
	}
	push_ssh(r, h, job->master >= 0 ? h->m[job->master] : NULL, false);
	words_push(&r->argv, line.data);
	words_push(&r->argv, NULL);
	buf_finish(&line);
	return r->argv.v;
}

int remote_check(struct remote *r, struct job *job)
{
	struct rhost *h = job->host;

	if (r->cfg.slurm_cpus) {
		return 0; /* no ssh: a step's 255 is its own */
	}
	if (!h || h->h->local || job->master < 0 ||
	    (size_t)job->master >= h->n_m ||
	    h->m[job->master]->state != M_UP) {
		return h && !h->h->local ? 1 : 0;
	}
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "rm ");
	marker(&b, r, job);
	push_ssh(r, h, job->master >= 0 ? h->m[job->master] : NULL, false);
	words_push(&r->argv, b.data);
	words_push(&r->argv, NULL);
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid_t pid;
	int err = devnull < 0 ? errno
			      : spawn_ssh(r->argv.v, devnull, devnull, devnull,
					  &pid);
	if (devnull >= 0) {
		close(devnull);
	}
	buf_finish(&b);
	if (err) {
		return 1;
	}
	struct check *c = xcalloc(1, sizeof(*c));
	c->pid = pid;
	c->job = job;
	c->m = h->m[job->master];
	c->m->sessions++;
	c->next = r->checks;
	r->checks = c;
	r->n_checks++;
	return 2;
}

/* A ControlMaster exited: before it was up, the host failed. */
static void master_exited(struct remote *r, struct master *m, int status)
{
	struct rhost *h = m->host;
	bool was_connecting = m->state == M_CONNECTING;

	m->pid = 0;
	if (m->in_fd >= 0) {
		close(m->in_fd);
		m->in_fd = -1;
	}
	if (was_connecting) {
		r->connecting--;
	}
	m->state = M_DOWN;
	unlink(m->socket);
	if (r->closing) {
		return;
	}
	char *why = WIFEXITED(status) && was_connecting
			    ? xstrdup(last_said(m))
			    : xasprintf("the connection ended (%s)",
					last_said(m));
	m->n_said = 0;
	close_out(m);
	host_failed(r, h, why);
	free(why);
	r->cfg.ready(r->cfg.data);
}

bool remote_reaped(struct remote *r, pid_t pid, int status)
{
	if (base_reaped(r, pid, status)) {
		return true;
	}
	for (struct check **p = &r->checks; *p; p = &(*p)->next) {
		struct check *c = *p;
		if (c->pid != pid) {
			continue;
		}
		*p = c->next;
		r->n_checks--;
		struct job *job = c->job;
		c->m->sessions--;
		free(c);
		bool ran = WIFEXITED(status) && WEXITSTATUS(status) == 0;
		if (!ran) {
			host_failed(r, job->host, "ssh failed (exit 255)");
		}
		r->cfg.checked(r->cfg.data, job, ran);
		return true;
	}
	for (size_t i = 0; i < r->n; i++) {
		struct rhost *h = r->v[i];
		for (size_t k = 0; k < h->n_m; k++) {
			if (h->m[k]->pid == pid) {
				master_exited(r, h->m[k], status);
				return true;
			}
		}
	}
	return false;
}

bool remote_busy(const struct remote *r)
{
	return r->n_checks > 0;
}

void remote_close(struct remote *r)
{
	if (!r || r->closing) {
		return;
	}
	base_cleanup(r);
	r->closing = true;
	for (size_t i = 0; i < r->n; i++) {
		struct rhost *h = r->v[i];
		if (!h->dropped && !h->was_up && h->why) {
			/* It failed, and the run ended before it was dropped. */
			warn("host %s not used: %s", h->h->login, h->why);
		}
	}
	uv_close((uv_handle_t *)&r->timer, NULL);
	for (size_t i = 0; i < r->n; i++) {
		struct rhost *h = r->v[i];
		for (size_t k = 0; k < h->n_m; k++) {
			struct master *m = h->m[k];
			close_out(m);
			if (m->in_fd >= 0) {
				close(m->in_fd);
				m->in_fd = -1;
			}
			if (m->pid > 0) {
				kill(m->pid, SIGTERM);
			}
		}
	}
}

/* Waits up to ms for pid to end; true if it did. */
static bool reap_within(pid_t pid, int ms)
{
	for (int i = 0; i <= ms / 10; i++) {
		int status;
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD)) {
			return true;
		}
		struct timespec ts = {0, 10 * 1000000};
		nanosleep(&ts, NULL);
	}
	return false;
}

void remote_destroy(struct remote *r)
{
	if (!r) {
		return;
	}
	remote_close(r);
	for (size_t i = 0; i < r->n; i++) {
		struct rhost *h = r->v[i];
		for (size_t k = 0; k < h->n_m; k++) {
			struct master *m = h->m[k];
			if (m->pid > 0 && !reap_within(m->pid, 2000)) {
				kill(m->pid, SIGKILL);
				waitpid(m->pid, NULL, 0);
			}
			unlink(m->socket);
			free(m->socket);
			free(m);
		}
		free(h->m);
		free(h->why);
		base_said(h, false);
		hosts_free_host(h->h);
		free(h);
	}
	while (r->checks) {
		struct check *c = r->checks;
		r->checks = c->next;
		free(c);
	}
	if (r->dir) {
		rmdir(r->dir);
	}
	free(r->dir);
	free(r->run_id);
	free(r->slf_mtime);
	free(r->v);
	words_clear(&r->argv);
	free(r->argv.v);
	buf_finish(&r->text);
	free(r);
}

/*
 * Files (--transferfile, --return, --cleanup, --basefile, --workdir): the
 * shell text of transfer.c run by a local sh around the job's ssh, with
 * rsync going through the job's ControlMaster.
 */

/* Tries of a host's --basefile copy (GNU parallel: --retries 5). */
#define BASE_TRIES 5

/* The first master of h that is up, or NULL. */
static struct master *up_master(const struct rhost *h)
{
	for (size_t k = 0; k < h->n_m; k++) {
		if (h->m[k]->state == M_UP) {
			return h->m[k];
		}
	}
	return NULL;
}

/* Appends ssh's words for host h through master m, quoted, no host. */
static void ssh_text(struct buf *b, const struct rhost *h,
		     const struct master *m)
{
	for (char **w = h->h->ssh; *w; w++) {
		quote_append(b, *w, strlen(*w));
		buf_addc(b, ' ');
	}
	buf_adds(b, "-S ");
	quote_append(b, m->socket, strlen(m->socket));
	buf_adds(b, " -o ControlMaster=no");
}

/* Appends a command that fails if master m of h is gone. */
static void check_text(struct buf *b, const struct rhost *h,
		       const struct master *m)
{
	ssh_text(b, h, m);
	buf_adds(b, " -O check ");
	quote_append(b, h->h->host, strlen(h->h->host));
	buf_adds(b, " 2>/dev/null");
}

/*
 * Runs sh text on this machine, its stdout and stderr to fd out; 0 or an
 * errno.
 */
static int spawn_sh(const char *text, int out, pid_t *pid)
{
	char *argv[] = {"/bin/sh", "-c", (char *)text, NULL};
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (devnull < 0) {
		return errno;
	}
	int err = spawn_ssh(argv, devnull, out, out, pid);
	close(devnull);
	return err;
}

/*
 * What the last basefile copy to h said goes to prun's stderr (with say)
 * or nowhere: a copy that worked, or one prun stopped, has nothing to tell.
 */
static void base_said(struct rhost *h, bool say)
{
	char chunk[4096];
	ssize_t n;

	if (h->base_said < 0) {
		return;
	}
	if (say && lseek(h->base_said, 0, SEEK_SET) == 0) {
		while ((n = read(h->base_said, chunk, sizeof(chunk))) > 0 &&
		       write_all(STDERR_FILENO, chunk, (size_t)n) == 0) {
		}
	}
	close(h->base_said);
	h->base_said = -1;
}

static bool base_waits(const struct remote *r, const struct rhost *h)
{
	return r->cfg.n_basefiles > 0 && !h->h->local && !h->base_done;
}

/*
 * What transfer.c needs for the basefiles of host h through master m; the
 * ssh command is made in *ssh (initialized here, the caller finishes it).
 */
static struct transfer base_transfer(const struct remote *r,
				     const struct rhost *h,
				     const struct master *m, struct buf *ssh)
{
	buf_init(ssh);
	ssh_text(ssh, h, m);
	return (struct transfer){
		.ssh = ssh->data,
		.host = h->h->host,
		.workdir = r->cfg.base_workdir,
		.rsync_opts = r->cfg.rsync_opts,
	};
}

/* Copies the basefiles to h, once, through a master that is up. */
static void base_start(struct remote *r, struct rhost *h)
{
	struct master *m = up_master(h);

	if (!base_waits(r, h) || h->base_pid > 0 || !m) {
		return;
	}
	struct buf ssh, text;
	buf_init(&text);
	struct transfer t = base_transfer(r, h, m, &ssh);
	char *cause = NULL;
	int err = transfer_basefile(&text, &t, r->cfg.basefiles,
				    r->cfg.n_basefiles, &cause);
	if (err == 0) {
		buf_addc(&text, '\0');
		/* Kept until the copy ends (base_reaped()). */
		base_said(h, false);
		h->base_said = spool_tmpfile(r->cfg.tmpdir ? r->cfg.tmpdir
							   : "/tmp");
		err = spawn_sh(text.data,
			       h->base_said < 0 ? STDERR_FILENO : h->base_said,
			       &h->base_pid);
		cause = err ? xasprintf("--basefile: %s", strerror(err))
			    : NULL;
	}
	h->base_tries++;
	buf_finish(&ssh);
	buf_finish(&text);
	if (err) {
		h->base_pid = 0;
		base_said(h, false);
		drop_host(r, h, cause);
	}
	free(cause);
}

static bool base_reaped(struct remote *r, pid_t pid, int status)
{
	for (size_t i = 0; i < r->n; i++) {
		struct rhost *h = r->v[i];
		if (h->base_pid != pid || pid <= 0) {
			continue;
		}
		h->base_pid = 0;
		bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
		base_said(h, !ok && !r->closing &&
				     h->base_tries >= BASE_TRIES);
		if (ok) {
			h->base_done = true;
		} else if (h->base_tries >= BASE_TRIES) {
			drop_host(r, h, "copying --basefile failed");
		} else if (!r->closing) {
			base_start(r, h);
		}
		if (!r->closing) {
			r->cfg.ready(r->cfg.data);
		}
		return true;
	}
	return false;
}

/*
 * At the end of the run: stops the copies still under way, then with
 * --cleanup removes the basefiles from every host they went to.
 */
static void base_cleanup(struct remote *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct rhost *h = r->v[i];
		if (h->base_pid > 0) {
			kill(-h->base_pid, SIGTERM);
			waitpid(h->base_pid, NULL, 0);
			h->base_pid = 0;
			base_said(h, false);
			/* Some of the files may be there already. */
			h->base_done = true;
		}
	}
	if (!r->cfg.cleanup || r->cfg.n_basefiles == 0) {
		return;
	}
	pid_t *pids = xcalloc(r->n, sizeof(*pids));
	for (size_t i = 0; i < r->n; i++) {
		struct rhost *h = r->v[i];
		struct master *m = up_master(h);
		if (!h->base_done || !m) {
			continue;
		}
		struct buf ssh, text;
		buf_init(&text);
		struct transfer t = base_transfer(r, h, m, &ssh);
		transfer_basefile_cleanup(&text, &t, r->cfg.basefiles,
					  r->cfg.n_basefiles);
		buf_addc(&text, '\0');
		if (spawn_sh(text.data, STDERR_FILENO, &pids[i]) != 0) {
			pids[i] = 0;
		}
		buf_finish(&ssh);
		buf_finish(&text);
	}
	for (size_t i = 0; i < r->n; i++) {
		if (pids[i] > 0 && !reap_within(pids[i], 10000)) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
		}
	}
	free(pids);
}

/* In the wrapper's subshell: into the job's working directory. */
static void files_cd(const struct remote_files *f, struct buf *w)
{
	if (!f || !f->workdir) {
		return;
	}
	const char *wd = f->workdir;
	char *msg = xasprintf("prun: cannot chdir to %s", wd);
	buf_adds(w, "mkdir -p -- ");
	quote_append(w, wd, strlen(wd));
	buf_adds(w, " 2>/dev/null;cd -- ");
	quote_append(w, wd, strlen(wd));
	buf_adds(w, " 2>/dev/null||{ printf '%s\\n' ");
	quote_append(w, msg, strlen(msg));
	buf_adds(w, " >&2;exit 255;};");
	free(msg);
}

/* After the job: --wd ...'s directory goes, unless files come back. */
static void files_rm_wd(const struct remote_files *f, struct buf *w)
{
	if (!f || !f->workdir || !f->unique || f->n_ret > 0) {
		return;
	}
	buf_adds(w, "rm -rf -- ");
	quote_append(w, f->workdir, strlen(f->workdir));
	buf_addc(w, ';');
}

/* The srun argv of a job step on its node (--slurm). */
static char *const *step_argv(struct remote *r, const struct job *job,
			      const char *cmd)
{
	struct slurm_step st = {
		.node = job->host->h->host,
		.cpus = r->cfg.slurm_cpus,
		.shell = r->cfg.shell,
		.cmd = cmd,
		.stdin_data = r->cfg.stdin_data,
		.mem_per_cpu = r->cfg.slurm_mem_per_cpu,
	};
	char **v = slurm_argv(&st);

	words_clear(&r->argv);
	for (char **w = v; ; w++) {
		words_push(&r->argv, *w);
		if (!*w) {
			break;
		}
	}
	slurm_argv_free(v);
	return r->argv.v;
}

char *const *remote_argv(struct remote *r, const struct job *job,
			 const char *cmd, const struct remote_files *f,
			 bool *hold)
{
	if (r->cfg.slurm_cpus) {
		*hold = false;
		return step_argv(r, job, cmd);
	}
	char *const *argv = session_argv(r, job, cmd, f, hold);
	const struct rhost *h = job->host;
	if (!f || (f->n_send == 0 && f->n_ret == 0) || job->master < 0) {
		return argv;
	}
	const struct master *m = h->m[job->master];
	struct buf ssh, s;
	buf_init(&ssh);
	buf_init(&s);
	ssh_text(&ssh, h, m);
	struct transfer t = {
		.ssh = ssh.data,
		.host = h->h->host,
		.workdir = f->workdir,
		.unique = f->unique && f->n_ret > 0,
		.rsync_opts = r->cfg.rsync_opts,
	};
	transfer_send(&s, &t, f->send, f->n_send);
	if (f->n_send > 0) {
		/* No connection: as ssh's own failure, to run elsewhere. */
		check_text(&s, h, m);
		buf_adds(&s, "||exit 255;");
	}
	for (size_t i = 0; argv[i]; i++) {
		quote_append(&s, argv[i], strlen(argv[i]));
		buf_addc(&s, ' ');
	}
	buf_adds(&s, ";_s=$?;[ $_s -ne 255 ]||");
	check_text(&s, h, m);
	buf_adds(&s, "||exit 255;");
	transfer_return(&s, &t, f->ret, f->n_ret);
	if (f->cleanup || t.unique) {
		transfer_cleanup(&s, &t, f->send, f->cleanup ? f->n_send : 0,
				 f->ret, f->cleanup ? f->n_ret : 0);
	}
	buf_adds(&s, "exit $_s");
	words_clear(&r->argv);
	words_push(&r->argv, "/bin/sh");
	words_push(&r->argv, "-c");
	words_push(&r->argv, s.data);
	words_push(&r->argv, NULL);
	buf_finish(&ssh);
	buf_finish(&s);
	return r->argv.v;
}
