/*
 * {= perl expression =} evaluated by Perl itself: one perl process per run,
 * running src/perl-eval.pl (embedded at build time), asked over a pair of
 * pipes.  A separate process rather than an embedded libperl: plain runs
 * neither link nor load libperl (and prun builds without libperl-dev), an
 * expression that crashes or exits takes only perl down, and the helpers GNU
 * parallel offers inside expressions are plain Perl.
 *
 * Each expression is compiled once, when perl starts; a job costs one round
 * trip that evaluates all of its expressions (about as much as a pipe's
 * wake-ups).  Requests and answers are frames with a 4-byte little-endian
 * length, so values may hold any byte.  The values of a job are kept in its
 * memo, so that the command, the job log and -v show the same value and
 * nothing is evaluated twice.  --shard, --bin and --group-by evaluate one
 * expression on every line of their input: those go many lines to a round
 * trip (perl_map()), or the pipes would cost far more than the Perl.
 */
#define _GNU_SOURCE /* pipe2 */
#include "perl.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

extern const char perl_eval_script[]; /* perl-eval.c, made at build time */

struct perl {
	char **exprs;        /* owned; their text */
	bool *lenient;       /* owned; a compile error is not fatal */
	size_t n, cap;
	long max_jobs;
	pid_t pid;           /* 0 until started */
	int to;              /* owned; requests, or -1 */
	int from;            /* owned; answers, or -1 */
	bool reaped;
	char *dead;          /* owned; why perl cannot answer, or NULL */
	struct buf req;      /* scratch */
	struct buf ans;      /* scratch */
};

struct memo_val {
	char *s;             /* owned, NUL-terminated; NULL until known */
	size_t len;
	bool uq;
};

struct memo_row {
	struct memo_val *v;  /* owned; by argument, 1-based */
	size_t n;
};

struct perl_memo {
	struct memo_row *rows; /* owned; by expression */
	size_t n;
	bool skip;
	bool uq;
};

struct perl *perl_create(long max_jobs)
{
	struct perl *p = xcalloc(1, sizeof(*p));

	p->max_jobs = max_jobs;
	p->to = -1;
	p->from = -1;
	buf_init(&p->req);
	buf_init(&p->ans);
	return p;
}

static bool reap(struct perl *p, int *st);

void perl_destroy(struct perl *p)
{
	if (!p) {
		return;
	}
	if (p->to >= 0) {
		close(p->to); /* perl ends at EOF */
	}
	if (p->from >= 0) {
		close(p->from);
	}
	if (p->pid > 0 && !p->reaped) {
		int st;
		if (p->dead) {
			reap(p, &st); /* it may have been reaped as an orphan */
		} else {
			while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR) {
			}
		}
	}
	for (size_t i = 0; i < p->n; i++) {
		free(p->exprs[i]);
	}
	free(p->exprs);
	free(p->lenient);
	free(p->dead);
	buf_finish(&p->req);
	buf_finish(&p->ans);
	free(p);
}

static unsigned add_expr(struct perl *p, const char *expr, size_t len,
			 bool lenient)
{
	for (size_t i = 0; i < p->n; i++) {
		if (strlen(p->exprs[i]) == len &&
		    memcmp(p->exprs[i], expr, len) == 0) {
			p->lenient[i] = p->lenient[i] && lenient;
			return (unsigned)i;
		}
	}
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->exprs = xreallocarray(p->exprs, p->cap, sizeof(char *));
		p->lenient = xreallocarray(p->lenient, p->cap, sizeof(bool));
	}
	p->exprs[p->n] = xmemdup(expr, len);
	p->lenient[p->n] = lenient;
	return (unsigned)p->n++;
}

unsigned perl_add(struct perl *p, const char *expr, size_t len)
{
	return add_expr(p, expr, len, false);
}

unsigned perl_add_lenient(struct perl *p, const char *expr, size_t len)
{
	return add_expr(p, expr, len, true);
}

size_t perl_count(const struct perl *p)
{
	return p->n;
}

const char *perl_expr(const struct perl *p, unsigned e)
{
	return e < p->n ? p->exprs[e] : "";
}

bool perl_wants_total(const struct perl *p)
{
	for (size_t i = 0; i < p->n; i++) {
		if (strstr(p->exprs[i], "total_jobs")) {
			return true;
		}
	}
	return false;
}

static void put32(struct buf *b, uint32_t v)
{
	char c[4] = {(char)(v & 0xff), (char)((v >> 8) & 0xff),
		     (char)((v >> 16) & 0xff), (char)((v >> 24) & 0xff)};

	buf_add(b, c, 4);
}

static void put64(struct buf *b, uint64_t v)
{
	put32(b, (uint32_t)v);
	put32(b, (uint32_t)(v >> 32));
}

static void put_str(struct buf *b, const char *s, size_t len)
{
	put32(b, (uint32_t)len);
	buf_add(b, s, len);
}

static uint32_t get32(const unsigned char *c)
{
	return (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 |
	       (uint32_t)c[3] << 24;
}

/*
 * Reaps perl once it has ended, waiting a little for it: it closes its
 * pipes before it is a zombie.  The scheduler reaps every child it does
 * not know (orphans of jobs), perl included, so a blocking wait could end
 * up waiting for a job that took perl's pid.  Returns true if reaped here.
 */
static bool reap(struct perl *p, int *st)
{
	for (int i = 0; i < 100; i++) {
		pid_t r = waitpid(p->pid, st, WNOHANG);
		if (r == p->pid || (r < 0 && errno != EINTR)) {
			p->reaped = true;
			return r == p->pid;
		}
		if (r == 0) {
			nanosleep(&(struct timespec){0, 2000000}, NULL);
		}
	}
	return false;
}

/* Why perl stopped answering, from how it ended. */
static void set_dead(struct perl *p, const char *doing)
{
	int st;
	char how[64] = "";

	if (p->dead) {
		return;
	}
	if (!p->reaped && reap(p, &st)) {
		if (WIFEXITED(st)) {
			snprintf(how, sizeof(how), " with status %d",
				 WEXITSTATUS(st));
		} else if (WIFSIGNALED(st)) {
			snprintf(how, sizeof(how), " by signal %d",
				 WTERMSIG(st));
		}
	}
	p->dead = xasprintf("perl ended%s while evaluating %s", how, doing);
}

/* Sends the request in p->req and reads the answer into p->ans. */
static int round_trip(struct perl *p, const char *doing, char **cause)
{
	if (p->dead) {
		*cause = xstrdup(p->dead);
		return -1;
	}
	/* The frame's length goes in the 4 bytes kept at the start. */
	uint32_t len = (uint32_t)(p->req.len - 4);
	unsigned char *h = (unsigned char *)p->req.data;
	h[0] = (unsigned char)(len & 0xff);
	h[1] = (unsigned char)((len >> 8) & 0xff);
	h[2] = (unsigned char)((len >> 16) & 0xff);
	h[3] = (unsigned char)(len >> 24);
	if (write_all(p->to, p->req.data, p->req.len) < 0) {
		set_dead(p, doing);
		*cause = xstrdup(p->dead);
		return -1;
	}
	/* As much as perl has written at each read: usually all at once. */
	size_t got = 0, want = 4;
	p->ans.len = 0;
	buf_reserve(&p->ans, 4096);
	while (got < want) {
		ssize_t r = read(p->from, p->ans.data + got, p->ans.cap - got);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			set_dead(p, doing);
			*cause = xstrdup(p->dead);
			return -1;
		}
		got += (size_t)r;
		if (got >= 4) {
			want = 4 + (size_t)get32((unsigned char *)p->ans.data);
			if (want > p->ans.cap) {
				p->ans.len = got;
				buf_reserve(&p->ans, want - got + 1);
			}
		}
	}
	/* The payload, without its length. */
	memmove(p->ans.data, p->ans.data + 4, want - 4);
	p->ans.len = want - 4;
	return 0;
}

/* Starts the request p->req with its frame header and verb. */
static void begin(struct perl *p, char verb)
{
	p->req.len = 0;
	put32(&p->req, 0);
	buf_addc(&p->req, verb);
}

static int spawn(struct perl *p, char **cause)
{
	int to[2], from[2];

	if (p->pid > 0) {
		return 0;
	}
	if (pipe2(to, O_CLOEXEC) < 0) {
		*cause = xasprintf("cannot create a pipe: %s",
				   strerror(errno));
		return -1;
	}
	if (pipe2(from, O_CLOEXEC) < 0) {
		*cause = xasprintf("cannot create a pipe: %s",
				   strerror(errno));
		close(to[0]);
		close(to[1]);
		return -1;
	}
	const char *prog = getenv("PRUN_PERL");
	if (!prog || !prog[0]) {
		prog = "perl";
	}
	char jobs[32];
	snprintf(jobs, sizeof(jobs), "%ld", p->max_jobs);
	char *argv[] = {(char *)prog, "-e", (char *)perl_eval_script, "--",
			jobs, NULL};
	int err = -spawn_helper(&p->pid, prog, argv, to[0], from[1], -1);
	close(to[0]);
	close(from[1]);
	if (err) {
		*cause = xasprintf("cannot run %s for perl expressions: %s",
				   prog, strerror(err));
		close(to[1]);
		close(from[0]);
		p->pid = 0;
		return -1;
	}
	p->to = to[1];
	p->from = from[0];
	return 0;
}

/*
 * GNU parallel's --plus tags that need perl (the others, {..}, {+/}, {##}
 * and the like, are built in), as --rpl would define them.
 */
static const char *const plus_rpl[] = {
	"{choose_k} for $t (2..$#arg){ if($arg[$t-1] ge $arg[$t]) "
	"{ skip() } }",
	"{uniq} if(::uniq(@arg) != @arg) { skip(); }",
	"{0%} 1 $f=1+int((log($Global::max_jobs_running||1)/log(10)));"
	"$_=sprintf(\"%0${f}d\",slot())",
	"{0#} 1 $f=1+int((log(total_jobs())/log(10)));"
	"$_=sprintf(\"%0${f}d\",seq())",
	"{:-([^}]+?)} $_ ||= $$1",
	"{:(\\d+?)} substr($_,0,$$1) = \"\"",
	"{:(\\d+?):(\\d+?)} $_ = substr($_,$$1,$$2);",
	"{#([^#}][^}]*?)} $nongreedy=::make_regexp_ungreedy($$1);"
	"s/^$nongreedy(.*)/$1/;",
	"{##([^#}][^}]*?)} s/^$$1//;",
	"{%([^}]+?)} $nongreedy=::make_regexp_ungreedy($$1);"
	"s/(.*)$nongreedy$/$1/;",
	"{%%([^}]+?)} s/$$1$//;",
	"{/([^#%}/]+?)/([^}]*?)} s/$$1/$$2/;",
	"{/#([^}]+?)/([^}]*?)} s/^$$1/$$2/g;",
	"{/%([^}]+?)/([^}]*?)} s/$$1$/$$2/g;",
	"{//([^}]+?)/([^}]*?)} s/$$1/$$2/g;",
	"{^([^}]+?)} s/^($$1)/uc($1)/e;",
	"{^^([^}]+?)} s/($$1)/uc($1)/eg;",
	"{,([^}]+?)} s/^($$1)/lc($1)/e;",
	"{,,([^}]+?)} s/($$1)/lc($1)/eg;",
	"{slot} 1 $_=\"\\${PARALLEL_JOBSLOT}\";uq()",
	"{host} 1 $_=\"\\${PARALLEL_SSHHOST}\";uq()",
	"{sshlogin} 1 $_=\"\\${PARALLEL_SSHLOGIN}\";uq()",
	"{hgrp} 1 $_=\"\\${PARALLEL_HOSTGROUPS}\";uq()",
	"{agrp} 1 $_=\"\\${PARALLEL_ARGHOSTGROUPS}\";uq()",
};

/*
 * Where one of plus_rpl's tags (or its positional form) may be: a text
 * without a match needs no perl.
 */
static const char plus_re[] =
	"\\{(-?[0-9]+ *)?(choose_k|uniq|0%|0#|:-[^}]+|:[0-9]+|"
	":[0-9]+:[0-9]+|#[^#}][^}]*|##[^#}][^}]*|%[^}]+|%%[^}]+|"
	"/[^#%}/]+/[^}]*|/#[^}]+/[^}]*|/%[^}]+/[^}]*|//[^}]+/[^}]*|"
	"\\^[^}]+|\\^\\^[^}]+|,[^}]+|,,[^}]+|slot|host|sshlogin|hgrp|"
	"agrp)\\}";

/* True if s holds `needle` (of length n). */
static bool has(const char *s, const char *needle, size_t n)
{
	for (; *s; s++) {
		if (strncmp(s, needle, n) == 0) {
			return true;
		}
	}
	return false;
}

/*
 * True if a user's tag may be in s: its text up to a group, or that
 * without the opening brace (the positional form {n tag}).
 */
static bool may_hold_tag(const char *s, const char *rpl)
{
	size_t len = strcspn(rpl, " \t\n");
	const char *group = memchr(rpl, '(', len);
	size_t n = group ? (size_t)(group - rpl) : len;

	if (n == 0 || has(s, rpl, n)) {
		return true;
	}
	return rpl[0] == '{' && n > 1 && has(s, rpl + 1, n - 1);
}

static bool needs_rewrite(const struct perl_tags *tags, char *const *texts,
			  size_t n)
{
	regex_t re;
	bool plus = tags->plus &&
		    regcomp(&re, plus_re, REG_EXTENDED | REG_NOSUB) == 0;
	bool need = false;

	for (size_t i = 0; i < n && !need; i++) {
		for (size_t k = 0; k < tags->n_rpl && !need; k++) {
			need = may_hold_tag(texts[i], tags->rpl[k]);
		}
		need = need ||
		       (plus && regexec(&re, texts[i], 0, NULL, 0) == 0);
	}
	if (plus) {
		regfree(&re);
	}
	return need;
}

int perl_rewrite(struct perl *p, const struct perl_tags *tags,
		 char *const *texts, size_t n, char ***out, char **cause)
{
	*out = NULL;
	if (n == 0 || !needs_rewrite(tags, texts, n)) {
		return 0;
	}
	if (spawn(p, cause) < 0) {
		return -1;
	}
	size_t n_plus = tags->plus ? sizeof(plus_rpl) / sizeof(plus_rpl[0])
				   : 0;
	const char *parens = tags->parens ? tags->parens : "{==}";
	begin(p, 'R');
	put_str(&p->req, parens, strlen(parens));
	put32(&p->req, (uint32_t)(n_plus + tags->n_rpl));
	/* The user's come last: a tag of theirs wins over GNU's. */
	for (size_t i = 0; i < n_plus; i++) {
		put_str(&p->req, plus_rpl[i], strlen(plus_rpl[i]));
	}
	for (size_t i = 0; i < tags->n_rpl; i++) {
		put_str(&p->req, tags->rpl[i], strlen(tags->rpl[i]));
	}
	for (size_t i = 0; i < n; i++) {
		put_str(&p->req, texts[i], strlen(texts[i]));
	}
	if (round_trip(p, "--rpl tags", cause) < 0) {
		return -1;
	}
	const unsigned char *a = (const unsigned char *)p->ans.data;
	size_t off = 0;
	char **res = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		uint32_t len = off + 4 <= p->ans.len ? get32(a + off) : 0;
		off += 4;
		if (off > p->ans.len || len > p->ans.len - off) {
			for (size_t k = 0; k < i; k++) {
				free(res[k]);
			}
			free(res);
			*cause = xstrdup("perl gave a broken answer");
			return -1;
		}
		res[i] = xmemdup((const char *)a + off, len);
		off += len;
	}
	*out = res;
	return 0;
}

int perl_start(struct perl *p, char **cause)
{
	if (spawn(p, cause) < 0) {
		return -1;
	}
	begin(p, 'C');
	put32(&p->req, (uint32_t)p->n);
	for (size_t i = 0; i < p->n; i++) {
		put_str(&p->req, p->exprs[i], strlen(p->exprs[i]));
	}
	if (round_trip(p, "nothing yet (is it Perl 5?)", cause) < 0) {
		return -1;
	}
	const unsigned char *a = (const unsigned char *)p->ans.data;
	size_t off = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (off + 4 > p->ans.len) {
			break;
		}
		uint32_t len = get32(a + off);
		off += 4;
		if (len > p->ans.len - off) {
			break;
		}
		if (len > 0 && !p->lenient[i]) {
			const char *msg = (const char *)a + off;
			const char *nl = memchr(msg, '\n', len);
			*cause = xasprintf("cannot use perl expression '%s': "
					   "%.*s", p->exprs[i],
					   (int)(nl ? (size_t)(nl - msg) : len),
					   msg);
			return -1;
		}
		off += len;
	}
	return 0;
}

struct perl_memo *perl_memo_create(void)
{
	return xcalloc(1, sizeof(struct perl_memo));
}

void perl_memo_destroy(struct perl_memo *m)
{
	if (!m) {
		return;
	}
	for (size_t e = 0; e < m->n; e++) {
		for (size_t i = 0; i < m->rows[e].n; i++) {
			free(m->rows[e].v[i].s);
		}
		free(m->rows[e].v);
	}
	free(m->rows);
	free(m);
}

/* The place of expression e's value on argument i, made if need be. */
static struct memo_val *memo_at(struct perl_memo *m, unsigned e, size_t i)
{
	if (e >= m->n) {
		m->rows = xreallocarray(m->rows, e + 1, sizeof(*m->rows));
		memset(m->rows + m->n, 0, (e + 1 - m->n) * sizeof(*m->rows));
		m->n = e + 1;
	}
	struct memo_row *r = &m->rows[e];
	if (i >= r->n) {
		size_t n = i + 1 > r->n * 2 ? i + 1 : r->n * 2;
		r->v = xreallocarray(r->v, n, sizeof(*r->v));
		memset(r->v + r->n, 0, (n - r->n) * sizeof(*r->v));
		r->n = n;
	}
	return &r->v[i];
}

bool perl_memo_get(const struct perl_memo *m, unsigned e, size_t i,
		   struct value *v, bool *unquoted)
{
	if (!m || e >= m->n || i >= m->rows[e].n || !m->rows[e].v[i].s) {
		return false;
	}
	const struct memo_val *mv = &m->rows[e].v[i];
	*v = (struct value){mv->s, mv->len};
	*unquoted = mv->uq;
	return true;
}

bool perl_memo_skip(const struct perl_memo *m)
{
	return m && m->skip;
}

bool perl_memo_unquoted(const struct perl_memo *m)
{
	return m && m->uq;
}

static void put_job(struct buf *b, const struct perl_job *j)
{
	put64(b, j->seq);
	put32(b, j->slot);
	put64(b, j->total);
	put32(b, (uint32_t)j->n);
	for (size_t i = 0; i < j->n; i++) {
		put_str(b, j->v[i].s ? j->v[i].s : "", j->v[i].len);
	}
}

/* An X answer: an expression died.  Sets *cause. */
static int died(struct perl *p, char **cause)
{
	const unsigned char *a = (const unsigned char *)p->ans.data;

	if (p->ans.len < 5) {
		*cause = xstrdup("perl gave a broken answer");
		return -1;
	}
	uint32_t e = get32(a + 1);
	const char *msg = p->ans.data + 5;
	int len = (int)(p->ans.len - 5);
	if (e < p->n) {
		*cause = xasprintf("perl expression '%s' failed: %.*s",
				   p->exprs[e], len, msg);
	} else {
		*cause = xasprintf("--filter failed: %.*s", len, msg);
	}
	return -1;
}

/*
 * A round trip of the request in p->req that evaluates expressions:
 * 0, or -1 with *cause, also when an expression died.  Frees doing (what
 * a failure names).
 */
static int ask(struct perl *p, char *doing, char **cause)
{
	int r = round_trip(p, doing, cause);

	free(doing);
	if (r < 0) {
		return -1;
	}
	if (p->ans.len > 0 && p->ans.data[0] == 'X') {
		return died(p, cause);
	}
	return 0;
}

int perl_eval(struct perl *p, struct perl_memo *m, const struct perl_job *j,
	      const struct perl_req *reqs, size_t n, char **cause)
{
	size_t todo = 0;

	begin(p, 'E');
	put_job(&p->req, j);
	size_t count_at = p->req.len;
	put32(&p->req, 0);
	for (size_t k = 0; k < n; k++) {
		struct memo_val *mv = memo_at(m, reqs[k].expr, reqs[k].arg);
		if (mv->s) {
			continue;
		}
		/* Pending: "" marks it, so a repeat is not asked twice. */
		mv->s = xstrdup("");
		put32(&p->req, reqs[k].expr);
		put32(&p->req, (uint32_t)reqs[k].arg);
		todo++;
	}
	if (todo == 0) {
		return 0;
	}
	unsigned char *c = (unsigned char *)p->req.data + count_at;
	c[0] = (unsigned char)(todo & 0xff);
	c[1] = (unsigned char)((todo >> 8) & 0xff);
	c[2] = (unsigned char)((todo >> 16) & 0xff);
	c[3] = (unsigned char)(todo >> 24);

	if (ask(p, xasprintf("'%s'", perl_expr(p, reqs[0].expr)), cause) < 0) {
		return -1;
	}
	const unsigned char *a = (const unsigned char *)p->ans.data;
	size_t off = 1;
	if (p->ans.len < 1) {
		*cause = xstrdup("perl gave a broken answer");
		return -1;
	}
	m->skip = m->skip || (a[0] & 1);
	const unsigned char *q = (const unsigned char *)p->req.data +
				 count_at + 4;
	for (size_t k = 0; k < todo; k++, q += 8) {
		if (off + 5 > p->ans.len) {
			*cause = xstrdup("perl gave a broken answer");
			return -1;
		}
		bool uq = a[off] & 1;
		uint32_t len = get32(a + off + 1);
		off += 5;
		if (len > p->ans.len - off) {
			*cause = xstrdup("perl gave a broken answer");
			return -1;
		}
		struct memo_val *mv = memo_at(m, get32(q), get32(q + 4));
		free(mv->s);
		mv->s = xmemdup((const char *)a + off, len);
		mv->len = len;
		mv->uq = uq;
		m->uq = m->uq || uq;
		off += len;
	}
	return 0;
}

int perl_map(struct perl *p, unsigned e, const struct value *vals, size_t n,
	     struct value *out, char **cause)
{
	begin(p, 'M');
	put32(&p->req, e);
	for (size_t i = 0; i < n; i++) {
		put_str(&p->req, vals[i].s ? vals[i].s : "", vals[i].len);
	}
	if (ask(p, xasprintf("'%s'", perl_expr(p, e)), cause) < 0) {
		return -1;
	}
	/* n lengths and values, after a byte that keeps 'X' unambiguous. */
	const unsigned char *a = (const unsigned char *)p->ans.data;
	size_t off = 1;
	for (size_t i = 0; i < n; i++) {
		if (off + 4 > p->ans.len ||
		    get32(a + off) > p->ans.len - off - 4) {
			*cause = xstrdup("perl gave a broken answer");
			return -1;
		}
		out[i].len = get32(a + off);
		out[i].s = p->ans.data + off + 4;
		off += 4 + out[i].len;
	}
	return 0;
}

int perl_filter(struct perl *p, struct perl_memo *m,
		const struct perl_job *j, const struct value *strs, size_t n,
		char **cause)
{
	begin(p, 'F');
	put_job(&p->req, j);
	put32(&p->req, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		put_str(&p->req, strs[i].s, strs[i].len);
	}
	if (ask(p, xasprintf("--filter '%.*s'", (int)strs[0].len, strs[0].s),
		cause) < 0) {
		return -1;
	}
	m->skip = m->skip || (p->ans.len > 0 && (p->ans.data[0] & 1));
	return 0;
}
